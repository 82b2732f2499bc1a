//===- fuzz-npy.cpp - libFuzzer: the .npy reader --------------------------===//

#include "cgnet/Reference/Npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto t = cgnet::ref::parseNpy(bytes, "fuzz.npy");
  if (!t)
    llvm::consumeError(t.takeError());
  return 0;
}
