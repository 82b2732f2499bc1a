//===- NpyTest.cpp - .npy reading and writing -----------------------------===//

#include "cgnet/Reference/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <gtest/gtest.h>

using namespace cgnet::ref;

namespace {
std::string tempPath(const char *name) {
  llvm::SmallString<128> path;
  llvm::sys::fs::createTemporaryFile(name, "npy", path);
  return std::string(path);
}
} // namespace

TEST(Npy, FloatRoundTrip) {
  Tensor t = Tensor::floats({2, 3});
  for (int i = 0; i < 6; ++i)
    t.f[i] = 0.5f * i - 1.0f;
  std::string path = tempPath("f32");
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, t, NpyDType::F32)));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_EQ(back->shape, t.shape);
  EXPECT_TRUE(back->isFloat);
  EXPECT_EQ(back->f, t.f);
}

TEST(Npy, Int8RoundTripAndRangeCheck) {
  Tensor t = Tensor::ints({4});
  t.i = {-128, -1, 0, 127};
  std::string path = tempPath("i8");
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, t, NpyDType::I8)));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_FALSE(back->isFloat);
  EXPECT_EQ(back->i, t.i);
  t.i[0] = 128;
  llvm::Error err = writeNpy(path, t, NpyDType::I8);
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_NE(llvm::toString(std::move(err)).find("does not fit"),
            std::string::npos);
}

TEST(Npy, ScalarShape) {
  Tensor t = Tensor::ints({});
  t.i = {42};
  std::string path = tempPath("scalar");
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, t, NpyDType::I32)));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_TRUE(back->shape.empty());
  EXPECT_EQ(back->i[0], 42);
}

TEST(Npy, RejectsTruncatedAndBadMagic) {
  std::string path = tempPath("bad");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << "not numpy at all";
  }
  auto bad = readNpy(path);
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("bad magic"),
            std::string::npos);

  Tensor t = Tensor::floats({16});
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, t, NpyDType::F32)));
  {
    auto buf = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(static_cast<bool>(buf));
    std::string bytes = (*buf)->getBuffer().drop_back(8).str();
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << bytes;
  }
  auto truncated = readNpy(path);
  ASSERT_FALSE(static_cast<bool>(truncated));
  EXPECT_NE(llvm::toString(truncated.takeError()).find("truncated data"),
            std::string::npos);
}
