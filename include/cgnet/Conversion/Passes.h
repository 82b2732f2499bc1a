//===- Passes.h - cgnet conversion passes -----------------------*- C++ -*-===//

#ifndef CGNET_CONVERSION_PASSES_H
#define CGNET_CONVERSION_PASSES_H

#include "cgnet/Conversion/CGNetToCGIsa/CGNetToCGIsa.h"
#include "cgnet/Conversion/CGNetToCPU/CGNetToCPU.h"
#include "cgnet/Conversion/TosaToCGNet/TosaToCGNet.h"

namespace cgnet {

#define GEN_PASS_REGISTRATION
#include "cgnet/Conversion/Passes.h.inc"

} // namespace cgnet

#endif // CGNET_CONVERSION_PASSES_H
