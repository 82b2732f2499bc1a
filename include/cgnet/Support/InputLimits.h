//===- InputLimits.h - refusing inputs the MLIR parser cannot take -*- C++ -*-===//
//
// MLIR 22's textual parser is recursive descent without a depth limit: a
// few thousand nested brackets overflow the stack (found by fuzzing). The
// cgnet tools check the nesting depth of their input before parsing it.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_SUPPORT_INPUTLIMITS_H
#define CGNET_SUPPORT_INPUTLIMITS_H

#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace cgnet {

/// The deepest bracket nesting the tools accept (far beyond real models).
constexpr unsigned kMaxNestingDepth = 256;

/// An error message naming the line and column where `text` first nests
/// brackets ( [ { < deeper than kMaxNestingDepth (string literals are
/// skipped), or std::nullopt when it does not.
std::optional<std::string> checkNestingDepth(llvm::StringRef text,
                                             llvm::StringRef name);

} // namespace cgnet

#endif // CGNET_SUPPORT_INPUTLIMITS_H
