//===- QMatmulTest.cpp - the quantized matrix product micro-kernel --------===//
//
// optc_qmatmul_f32 (runtime/src/qmatmul.c) against a plain dequantize-then-
// multiply reference in double, for every code width it takes, signed and
// unsigned codes, float codes through a table (FP4, FP8: MX and NVFP4),
// every kind of scale (f32, f16, bf16, E8M0 and E4M3 through a table, a
// tensor scale), with and without zero points, blocks that do and do not
// divide K, K that leaves a tail after the vector steps, several rows of x,
// and enough rows of weights to be shared among threads; each kernel
// variant the CPU has ($OPTC_MICRO_KERNEL_ISA caps the choice). The
// reference decodes codes and scales with the numerics library.
//
//===----------------------------------------------------------------------===//

#include "optc/Support/Formats.h"
#include "optc/runtime_support.h"

#include "MicroKernelIsa.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

namespace formats = mlir::optc::formats;

struct Case {
  int64_t m, n, k, bits, block;
  bool isSigned, zeros;
  bool int8 = false; // int8 activations allowed
  /// Float codes (bits == the format's); integer codes when null.
  const formats::Format *codes = nullptr;
  /// How scales are stored: f32, f16, bf16, or 8-bit codes of `scaleCodes`.
  int scaleKind = OPTC_QSCALE_F32;
  const formats::Format *scaleCodes = nullptr;
  bool tensorScale = false;
  /// Float codes whose table is not sign-symmetric (the top half of the
  /// table shifted by 1): the kernels must not assume it.
  bool asymmetric = false;
};

/// The packed codes of row-major [n, k] codes of `bits` bits, each row
/// starting on a byte (k * bits is a multiple of 8 in every case), a code
/// running into the next byte where it does not fit.
std::vector<uint8_t> pack(const std::vector<uint8_t> &codes, int64_t bits) {
  std::vector<uint8_t> out(codes.size() * bits / 8, 0);
  for (size_t i = 0; i < codes.size(); ++i) {
    size_t bit = i * bits;
    unsigned shifted = static_cast<unsigned>(codes[i]) << (bit % 8);
    out[bit / 8] |= static_cast<uint8_t>(shifted);
    if (shifted >> 8)
      out[bit / 8 + 1] |= static_cast<uint8_t>(shifted >> 8);
  }
  return out;
}

double valueOf(uint8_t code, int64_t bits, bool isSigned,
               const std::vector<float> *table = nullptr) {
  if (table)
    return (*table)[code];
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
      (c.codes ? std::string(" ") + c.codes->name
               : std::string(c.isSigned ? " signed" : " unsigned")) +
      (c.zeros ? " zero points" : "") + " scale kind " +
      std::to_string(c.scaleKind) + (c.tensorScale ? " tensor scale" : ""));
  std::mt19937 rng(static_cast<unsigned>(c.n * 31 + c.k + c.bits));
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::uniform_int_distribution<int> code(0, (1 << c.bits) - 1);
  int64_t blocks = (c.k + c.block - 1) / c.block;
  std::vector<float> x(c.m * c.k), scales(c.n * blocks), y(c.m * c.n, NAN);
  std::vector<uint8_t> codes(c.n * c.k), zeros(c.n * blocks);
  for (float &v : x)
    v = uniform(rng);
  // The scales as stored (`stored`, of scale kind) and their values.
  std::vector<uint8_t> stored;
  std::vector<float> scaleValues;
  const formats::Format *storage =
      c.scaleKind == OPTC_QSCALE_F16    ? &formats::kF16
      : c.scaleKind == OPTC_QSCALE_BF16 ? &formats::kBF16
                                        : c.scaleCodes;
  for (float &v : scales) {
    v = 0.01f + std::fabs(uniform(rng));
    if (!storage)
      continue;
    uint32_t code = formats::encode(*storage, v);
    v = formats::decode(*storage, code);
    for (int byte = 0; byte < storage->bits / 8; ++byte)
      stored.push_back(static_cast<uint8_t>(code >> (8 * byte)));
  }
  if (c.scaleCodes)
    for (uint32_t code = 0; code < 256; ++code)
      scaleValues.push_back(formats::decode(*c.scaleCodes, code));
  std::vector<float> codeValues;
  if (c.codes)
    for (uint32_t code = 0; code < c.codes->codeCount(); ++code)
      codeValues.push_back(formats::decode(*c.codes, code) +
                           (c.asymmetric && code >= 128 ? 1.0f : 0.0f));
  float tensorScale = 0.75f;
  // Finite codes: the reference's infinities and NaNs would compare to
  // nothing.
  for (uint8_t &v : codes)
    do
      v = static_cast<uint8_t>(code(rng));
    while (c.codes && !std::isfinite(formats::decode(*c.codes, v)));
  for (uint8_t &v : zeros)
    v = static_cast<uint8_t>(code(rng));
  std::vector<uint8_t> packed = pack(codes, c.bits);
  optc_qmatmul_f32(
      x.data(), packed.data(),
      storage ? static_cast<const void *>(stored.data()) : scales.data(),
      c.zeros ? zeros.data() : nullptr, y.data(), c.m, c.n, c.k, c.bits,
      c.isSigned, c.block, c.int8, c.codes ? codeValues.data() : nullptr,
      c.scaleKind, c.scaleCodes ? scaleValues.data() : nullptr,
      c.tensorScale ? &tensorScale : nullptr);
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      double want = 0, magnitude = 0;
      for (int64_t l = 0; l < c.k; ++l) {
        int64_t b = l / c.block;
        double zero =
            c.zeros ? valueOf(zeros[j * blocks + b], c.bits, c.isSigned) : 0;
        double w = (valueOf(codes[j * c.k + l], c.bits, c.isSigned,
                            c.codes ? &codeValues : nullptr) -
                    zero) *
                   scales[j * blocks + b] *
                   (c.tensorScale ? tensorScale : 1.0f);
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
      // 1-bit codes.
      {2, 5, 64, 1, 32, false, true},
      {1, 6, 128, 1, 64, true, false},
      // Other scale types.
      {2, 9, 128, 4, 32, true, true, false, nullptr, OPTC_QSCALE_F16},
      {1, 5, 96, 8, 32, false, false, false, nullptr, OPTC_QSCALE_BF16},
      {1, 7, 64, 4, 32, false, true, true, nullptr, OPTC_QSCALE_F16},
      {3, 4, 64, 4, 16, true, false, false, nullptr, OPTC_QSCALE_F32, nullptr,
       true},
      // MXFP4 with int8 activations: FP4 codes on the int8 kernel as
      // 2 value + 12 (VNNI where the CPU has it, f32 otherwise).
      {2, 9, 256, 4, 32, false, false, true, &formats::kF4E2M1,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {1, 33, 128, 4, 64, false, false, true, &formats::kF4E2M1,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      // MXFP4, MXFP8, NVFP4: float codes, E8M0 or E4M3 scales through a
      // table, NVFP4's tensor scale; int8 activations do not apply to
      // blocks of 16 or a K of 96.
      {1, 40, 256, 4, 32, false, false, false, &formats::kF4E2M1,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {3, 7, 96, 4, 32, false, false, true, &formats::kF4E2M1,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {2, 9, 128, 4, 16, false, false, false, &formats::kF4E2M1,
       OPTC_QSCALE_TABLE8, &formats::kF8E4M3FN, true},
      {1, 6, 72, 4, 24, false, false, false, &formats::kF4E2M1,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {2, 11, 96, 8, 32, false, false, false, &formats::kF8E4M3FN,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {1, 5, 64, 8, 32, false, false, false, &formats::kF8E5M2,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {1, 3, 40, 8, 8, false, false, false, &formats::kF8E4M3FN,
       OPTC_QSCALE_F32},
      {2, 4, 64, 8, 32, false, false, false, &formats::kF8E4M3FN,
       OPTC_QSCALE_TABLE8, &formats::kE8M0, false, true},
      // Codes that run into the next byte: 6 bits (MXFP6, int6) in whole
      // 32-code steps and not, 3, 5 and 7 bits.
      {2, 9, 128, 6, 32, false, false, false, &formats::kF6E2M3,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {1, 5, 64, 6, 32, false, false, false, &formats::kF6E3M2,
       OPTC_QSCALE_TABLE8, &formats::kE8M0},
      {3, 6, 96, 6, 32, true, true},
      {1, 7, 64, 6, 64, false, true},
      {1, 4, 40, 6, 20, true, false},
      {2, 5, 64, 3, 16, true, true},
      {1, 6, 80, 5, 40, false, true},
      {1, 3, 64, 7, 32, true, false},
      // Blocks of 16 with K a multiple of 32: two blocks a step.
      {1, 6, 96, 4, 16, true, true},
      {2, 3, 64, 4, 16, false, false, false, nullptr, OPTC_QSCALE_BF16},
  };
  optc_test::forEachMicroKernelIsa({"", "avx2", "portable"},
                                   [&](const char *isa) {
                                     for (const Case &c : cases)
                                       check(c, isa);
                                   });
}

} // namespace
