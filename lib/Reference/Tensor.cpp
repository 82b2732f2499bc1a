//===- Tensor.cpp - host tensors of the reference evaluator ---------------===//

#include "cgnet/Reference/Tensor.h"

namespace cgnet::ref {

Tensor Tensor::floats(std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  t.isFloat = true;
  t.f.assign(t.numElements(), 0.0f);
  return t;
}

Tensor Tensor::ints(std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  t.isFloat = false;
  t.i.assign(t.numElements(), 0);
  return t;
}

int64_t elementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > INT64_MAX / d))
      return INT64_MAX;
    n *= d;
  }
  return n;
}

int64_t Tensor::numElements() const { return elementCount(shape); }

std::string Tensor::describe() const {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + (isFloat ? "float" : "integer");
}

} // namespace cgnet::ref
