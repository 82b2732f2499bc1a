//===- Npy.h - reading and writing NumPy .npy files -------------*- C++ -*-===//

#ifndef CGNET_REFERENCE_NPY_H
#define CGNET_REFERENCE_NPY_H

#include "cgnet/Reference/Tensor.h"
#include "llvm/Support/Error.h"

namespace cgnet::ref {

/// Reads a version 1/2/3 .npy file of little-endian f4, f8 (read as float),
/// i1, u1, i2, u2, i4 or i8 (read as integers; i8 must fit in 32 bits),
/// C order. Errors name the file and what is wrong.
llvm::Expected<Tensor> readNpy(llvm::StringRef path);

/// The same on the bytes of a .npy file in memory; `name` names it in
/// errors.
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// The element kinds .npy files are written with.
enum class NpyDType { F32, I8, U8, I32 };

/// Writes `t` as a version 1 .npy file with element type `dtype` (values
/// must fit; they are checked).
llvm::Error writeNpy(llvm::StringRef path, const Tensor &t, NpyDType dtype);

} // namespace cgnet::ref

#endif // CGNET_REFERENCE_NPY_H
