//===- QMatmulTest.cpp - the quantized matrix product micro-kernel --------===//
//
// optc_qmatmul_f32 (runtime/src/qmatmul.c) against a plain dequantize-then-
// multiply reference in double, for every code width it takes, signed and
// unsigned codes, with and without zero points, blocks that do and do not
// divide K, K that leaves a tail after the vector steps, several rows of x,
// and enough rows of weights to be shared among threads; each kernel
// variant the CPU has ($OPTC_MICRO_KERNEL_ISA caps the choice).
//
//===----------------------------------------------------------------------===//

#include "optc/runtime_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

struct Case {
  int64_t m, n, k, bits, block;
  bool isSigned, zeros;
  bool int8 = false; // int8 activations allowed
};

/// The packed codes of row-major [n, k] codes of `bits` bits, each row
/// starting on a byte (k * bits is a multiple of 8 in every case).
std::vector<uint8_t> pack(const std::vector<uint8_t> &codes, int64_t bits) {
  std::vector<uint8_t> out(codes.size() * bits / 8, 0);
  for (size_t i = 0; i < codes.size(); ++i) {
    size_t bit = i * bits;
    out[bit / 8] |= static_cast<uint8_t>(codes[i] << (bit % 8));
  }
  return out;
}

double valueOf(uint8_t code, int64_t bits, bool isSigned) {
  int v = code;
  if (isSigned && (v >> (bits - 1)))
    v -= 1 << bits;
  return v;
}

void check(const Case &c, const char *isa) {
  // The int8 path rounds x to 8 bits per block: its error is at most half
  // a step of x's scale per element, far below 1% of the magnitude.
  double tolerance = c.int8 ? 1e-2 : 1e-5;
  SCOPED_TRACE(
      std::string(isa) + " m=" + std::to_string(c.m) +
      " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
      " bits=" + std::to_string(c.bits) + " block=" + std::to_string(c.block) +
      (c.isSigned ? " signed" : " unsigned") + (c.zeros ? " zero points" : ""));
  std::mt19937 rng(static_cast<unsigned>(c.n * 31 + c.k + c.bits));
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::uniform_int_distribution<int> code(0, (1 << c.bits) - 1);
  int64_t blocks = (c.k + c.block - 1) / c.block;
  std::vector<float> x(c.m * c.k), scales(c.n * blocks), y(c.m * c.n, NAN);
  std::vector<uint8_t> codes(c.n * c.k), zeros(c.n * blocks);
  for (float &v : x)
    v = uniform(rng);
  for (float &v : scales)
    v = 0.01f + std::fabs(uniform(rng));
  for (uint8_t &v : codes)
    v = static_cast<uint8_t>(code(rng));
  for (uint8_t &v : zeros)
    v = static_cast<uint8_t>(code(rng));
  std::vector<uint8_t> packed = pack(codes, c.bits);
  optc_qmatmul_f32(x.data(), packed.data(), scales.data(),
                   c.zeros ? zeros.data() : nullptr, y.data(), c.m, c.n, c.k,
                   c.bits, c.isSigned, c.block, c.int8);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      double want = 0, magnitude = 0;
      for (int64_t l = 0; l < c.k; ++l) {
        int64_t b = l / c.block;
        double zero =
            c.zeros ? valueOf(zeros[j * blocks + b], c.bits, c.isSigned) : 0;
        double w = (valueOf(codes[j * c.k + l], c.bits, c.isSigned) - zero) *
                   scales[j * blocks + b];
        want += x[i * c.k + l] * w;
        magnitude += std::fabs(x[i * c.k + l] * w);
      }
      ASSERT_NEAR(y[i * c.n + j], want, tolerance * magnitude + 1e-6)
          << "at [" << i << ", " << j << "]";
    }
}

TEST(QMatmulTest, MatchesDequantizeThenMultiply) {
  const Case cases[] = {
      {1, 8, 64, 4, 32, false, true},
      {3, 5, 96, 4, 32, true, false},
      {2, 7, 100, 4, 16, false, true},
      {1, 4, 72, 4, 24, true, true},
      {1, 300, 512, 4, 128, false, true},
      {4, 6, 40, 8, 16, true, true},
      {1, 9, 64, 8, 64, false, false},
      {2, 5, 64, 2, 32, false, true},
      {1, 3, 48, 2, 16, true, false},
      {1, 2, 64, 4, 1, false, true},
      {5, 3, 32, 4, 32, true, true},
      // int8 activations (VNNI where the CPU has it, f32 otherwise).
      {1, 40, 256, 4, 32, false, true, true},
      {3, 9, 128, 4, 32, true, false, true},
      {2, 7, 256, 4, 128, false, true, true},
      {1, 5, 192, 4, 64, true, true, true},
      {1, 4, 96, 4, 32, false, true, true}, // k not a multiple of 64
  };
  const char *previous = std::getenv("OPTC_MICRO_KERNEL_ISA");
  std::string saved = previous ? previous : "";
  for (const char *isa : {"", "avx2", "portable"}) {
    if (*isa)
      setenv("OPTC_MICRO_KERNEL_ISA", isa, 1);
    else
      unsetenv("OPTC_MICRO_KERNEL_ISA");
    for (const Case &c : cases)
      check(c, *isa ? isa : "best");
  }
  if (previous)
    setenv("OPTC_MICRO_KERNEL_ISA", saved.c_str(), 1);
  else
    unsetenv("OPTC_MICRO_KERNEL_ISA");
}

} // namespace
