//===- onednn-resnet18.cpp - oneDNN's time for ResNet-18's convolutions ---===//
//
// The baseline of bench/run-cpu-gating.sh: every convolution of ResNet-18
// (the layers and names cgnet-model-gen writes, CIFAR or ImageNet shapes)
// as one oneDNN convolution primitive (Debian's libdnnl 2.x), fp32 or int8
// (s8 activations and weights, s32 results), timed on random data: the
// best of --repeat runs per layer, printed as "<ms> <layer>" lines, then
// the total. oneDNN chooses its own (blocked) memory formats; reorders are
// not timed, so this is oneDNN at its best. Run it with OMP_NUM_THREADS=1
// to compare with cgnet's single-threaded code. --check (int8) runs the
// same primitives untimed on full-range s8 data and counts the outputs
// that differ from the exact int32 sums.
//
//===----------------------------------------------------------------------===//

#include "oneapi/dnnl/dnnl.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Layer {
  std::string name;
  int64_t c, h, w, o, k, stride, pad;
};

/// ResNet-18's convolutions as cgnet-model-gen builds them.
std::vector<Layer> resnet18(int64_t size) {
  std::vector<Layer> layers;
  bool imagenet = size == 224;
  int64_t s = size;
  if (imagenet) {
    layers.push_back({"conv1", 3, s, s, 64, 7, 2, 3});
    s = s / 2 / 2; // stem stride, then the 3x3/2 max pool
  } else {
    layers.push_back({"conv1", 3, s, s, 64, 3, 1, 1});
  }
  int64_t c = 64;
  for (int stage = 1; stage <= 4; ++stage) {
    int64_t w = 64 << (stage - 1);
    for (int block = 0; block < 2; ++block) {
      int64_t stride = stage > 1 && block == 0 ? 2 : 1;
      std::string name =
          "layer" + std::to_string(stage) + "." + std::to_string(block);
      layers.push_back({name + ".conv1", c, s, s, w, 3, stride, 1});
      int64_t out = (s + 2 - 3) / stride + 1;
      layers.push_back({name + ".conv2", w, out, out, w, 3, 1, 1});
      if (stride != 1 || c != w)
        layers.push_back({name + ".downsample", c, s, s, w, 1, stride, 0});
      c = w;
      s = out;
    }
  }
  return layers;
}

void fill(dnnl::memory &m) {
  size_t bytes = m.get_desc().get_size();
  auto *p = static_cast<unsigned char *>(m.get_data_handle());
  unsigned state = 12345;
  for (size_t i = 0; i < bytes; ++i) {
    state = state * 1103515245u + 12345u;
    // Small values: no float overflow, no int8 saturation surprises.
    p[i] = static_cast<unsigned char>((state >> 16) & 0x3f);
  }
}

/// Layer `l`'s output height (or width: the inputs are square).
int64_t outSize(const Layer &l) {
  return (l.h + 2 * l.pad - l.k) / l.stride + 1;
}

/// The convolution primitive the benchmark times for layer `l`: fp32, or
/// s8 x s8 -> s32, in formats of oneDNN's choice.
dnnl::convolution_forward::primitive_desc convolution(const Layer &l, bool i8,
                                                    dnnl::engine &eng) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  int64_t os = outSize(l);
  memory::desc src({1, l.c, l.h, l.w}, i8 ? dt::s8 : dt::f32, tag::any);
  memory::desc wei({l.o, l.c, l.k, l.k}, i8 ? dt::s8 : dt::f32, tag::any);
  memory::desc dst({1, l.o, os, os}, i8 ? dt::s32 : dt::f32, tag::any);
  convolution_forward::desc d(prop_kind::forward_inference,
                              algorithm::convolution_direct, src, wei, dst,
                              {l.stride, l.stride}, {l.pad, l.pad},
                              {l.pad, l.pad});
  return convolution_forward::primitive_desc(d, eng);
}

/// --check: one int8 layer in plain formats (nchw, oihw), s8 inputs and
/// weights over the whole range, against the exact int32 sums; prints the
/// outputs that differ. (On CPUs without VNNI, oneDNN computes s8 x s8
/// with vpmaddubsw, which sums pairs of products in 16 bits: it shifts
/// the inputs to u8 and scales the weights by 1/2 to stay in range, so
/// its sums are not exact there.)
int check(const Layer &l, dnnl::engine &eng, dnnl::stream &strm) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  int64_t oh = outSize(l), ow = oh;
  memory::desc src({1, l.c, l.h, l.w}, dt::s8, tag::nchw);
  memory::desc wei({l.o, l.c, l.k, l.k}, dt::s8, tag::oihw);
  memory::desc dst({1, l.o, oh, ow}, dt::s32, tag::nchw);
  // The primitive the timing runs (formats of oneDNN's choice).
  convolution_forward::primitive_desc pd = convolution(l, true, eng);
  memory s(src, eng), w(wei, eng), o(dst, eng);
  auto *x = static_cast<int8_t *>(s.get_data_handle());
  auto *k = static_cast<int8_t *>(w.get_data_handle());
  unsigned state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<int8_t>(state >> 16);
  };
  for (int64_t i = 0; i < l.c * l.h * l.w; ++i)
    x[i] = next();
  for (int64_t i = 0; i < l.o * l.c * l.k * l.k; ++i)
    k[i] = next();
  // oneDNN picks its formats: reorder into and out of them.
  memory ps(pd.src_desc(), eng), pw(pd.weights_desc(), eng),
      po(pd.dst_desc(), eng);
  reorder(s, ps).execute(strm, s, ps);
  reorder(w, pw).execute(strm, w, pw);
  convolution_forward(pd).execute(
      strm, {{DNNL_ARG_SRC, ps}, {DNNL_ARG_WEIGHTS, pw}, {DNNL_ARG_DST, po}});
  reorder(po, o).execute(strm, po, o);
  strm.wait();
  auto *y = static_cast<int32_t *>(o.get_data_handle());
  int64_t differ = 0, maxDiff = 0;
  for (int64_t oc = 0; oc < l.o; ++oc)
    for (int64_t yy = 0; yy < oh; ++yy)
      for (int64_t xx = 0; xx < ow; ++xx) {
        int64_t sum = 0;
        for (int64_t c = 0; c < l.c; ++c)
          for (int64_t ky = 0; ky < l.k; ++ky)
            for (int64_t kx = 0; kx < l.k; ++kx) {
              int64_t iy = yy * l.stride - l.pad + ky,
                      ix = xx * l.stride - l.pad + kx;
              if (iy < 0 || iy >= l.h || ix < 0 || ix >= l.w)
                continue;
              sum += int64_t(x[(c * l.h + iy) * l.w + ix]) *
                     k[((oc * l.c + c) * l.k + ky) * l.k + kx];
            }
        int64_t diff = std::llabs(sum - y[(oc * oh + yy) * ow + xx]);
        differ += diff != 0;
        maxDiff = std::max(maxDiff, diff);
      }
  std::printf("%s (%s): %lld of %lld outputs differ from the exact sums "
              "(max |difference| %lld)\n",
              l.name.c_str(), pd.impl_info_str(), (long long)differ,
              (long long)(l.o * oh * ow), (long long)maxDiff);
  return differ != 0;
}

} // namespace

int main(int argc, char **argv) {
  int64_t size = 32;
  std::string precision = "fp32";
  int repeat = 5;
  bool checkExact = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--check")
      checkExact = true;
    else if (a == "--input-size" && i + 1 < argc)
      size = std::atoll(argv[++i]);
    else if (a == "--precision" && i + 1 < argc)
      precision = argv[++i];
    else if (a == "--repeat" && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: cgnet-bench-onednn [--input-size 32|224] "
                   "[--precision fp32|int8] [--repeat N] [--check]\n"
                   "  --check: int8 only; each layer on full-range s8 data "
                   "against the exact int32 sums, untimed (exit 1 if any "
                   "differs)\n");
      return 1;
    }
  }
  if ((size != 32 && size != 224) ||
      (precision != "fp32" && precision != "int8") || repeat < 1) {
    std::fprintf(stderr, "cgnet-bench-onednn: error: --input-size must be 32 "
                         "or 224, --precision fp32 or int8, --repeat >= 1\n");
    return 1;
  }
  using namespace dnnl;
  engine eng(engine::kind::cpu, 0);
  stream strm(eng);
  bool i8 = precision == "int8";
  if (checkExact) {
    if (!i8) {
      std::fprintf(stderr, "cgnet-bench-onednn: error: --check needs "
                           "--precision int8\n");
      return 1;
    }
    int status = 0;
    for (const Layer &l : resnet18(size))
      status |= check(l, eng, strm);
    return status;
  }
  double total = 0;
  for (const Layer &l : resnet18(size)) {
    convolution_forward::primitive_desc pd = convolution(l, i8, eng);
    memory s(pd.src_desc(), eng), w(pd.weights_desc(), eng),
        o(pd.dst_desc(), eng);
    fill(s);
    fill(w);
    convolution_forward conv(pd);
    double best = 1e30;
    for (int r = 0; r < repeat + 1; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      conv.execute(strm,
                   {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, o}});
      strm.wait();
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - t0)
                      .count();
      if (r > 0) // the first run warms up
        best = std::min(best, ms);
    }
    total += best;
    std::printf("%10.3f %s\n", best, l.name.c_str());
  }
  std::printf("%10.3f total\n", total);
  return 0;
}
