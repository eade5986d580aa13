//===- FormatsTest.cpp - the low-precision formats, exhaustively ----------===//
//
// Every code of every float format is decoded and checked against LLVM's
// APFloat (an independent implementation of the same formats), and encoded
// back; f32 sweeps over every rounding tie and boundary between adjacent
// values, and seeded random values, check encode()'s rounding against
// APFloat's round-to-nearest-even. The special values (NaN, infinities,
// overflow, -0) are checked against the rules Formats.h states, which
// test/python/test_formats.py holds against ml_dtypes and onnx.reference.
//
//===----------------------------------------------------------------------===//

#include "optc/Support/Formats.h"
#include "optc/Support/BlockScaling.h"
#include "optc/Support/Sizes.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace mlir::optc::formats;

namespace {

struct Named {
  const Format *format;
  const llvm::fltSemantics *semantics;
};

std::vector<Named> apfloatFormats() {
  return {{&kF4E2M1, &llvm::APFloat::Float4E2M1FN()},
          {&kF6E2M3, &llvm::APFloat::Float6E2M3FN()},
          {&kF6E3M2, &llvm::APFloat::Float6E3M2FN()},
          {&kF8E4M3FN, &llvm::APFloat::Float8E4M3FN()},
          {&kF8E5M2, &llvm::APFloat::Float8E5M2()},
          {&kF16, &llvm::APFloat::IEEEhalf()},
          {&kBF16, &llvm::APFloat::BFloat()}};
}

float apfloatDecode(const llvm::fltSemantics &sem, int bits, uint32_t code) {
  llvm::APFloat v(sem, llvm::APInt(bits, code));
  bool lost;
  v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return v.convertToFloat();
}

/// APFloat's nearest-even code of an in-range f32.
uint32_t apfloatEncode(const llvm::fltSemantics &sem, float x) {
  llvm::APFloat v(x);
  bool lost;
  v.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
  return static_cast<uint32_t>(v.bitcastToAPInt().getZExtValue());
}

bool sameFloat(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

/// The f32 values around every rounding decision of `f`: each
/// representable value, the midpoint between neighbours, and the f32s
/// next to them.
std::vector<float> boundaries(const Format &f) {
  std::vector<float> values;
  std::vector<double> magnitudes;
  for (uint32_t c = 0; c < f.codeCount(); ++c) {
    float v = decode(f, c);
    if (std::isfinite(v) && !std::signbit(v))
      magnitudes.push_back(v);
  }
  std::sort(magnitudes.begin(), magnitudes.end());
  magnitudes.erase(std::unique(magnitudes.begin(), magnitudes.end()),
                   magnitudes.end());
  auto around = [&](double m) {
    float x = static_cast<float>(m);
    if (double(x) != m) // a midpoint that is not an f32 (f16/bf16 are)
      return;
    for (float y : {x, std::nextafter(x, 0.0f),
                    std::nextafter(x, std::numeric_limits<float>::infinity())})
      if (y <= f.largest()) {
        values.push_back(y);
        values.push_back(-y);
      }
  };
  for (size_t i = 0; i < magnitudes.size(); ++i) {
    around(magnitudes[i]);
    if (i + 1 < magnitudes.size())
      around((magnitudes[i] + magnitudes[i + 1]) / 2);
  }
  return values;
}

TEST(Formats, DecodeEveryCodeAsAPFloat) {
  for (const Named &n : apfloatFormats()) {
    SCOPED_TRACE(n.format->name);
    for (uint32_t c = 0; c < n.format->codeCount(); ++c) {
      float want = apfloatDecode(*n.semantics, n.format->bits, c);
      EXPECT_TRUE(sameFloat(decode(*n.format, c), want))
          << "code " << c << ": " << decode(*n.format, c) << " vs " << want;
      EXPECT_EQ(isNaN(*n.format, c), std::isnan(want)) << "code " << c;
    }
  }
}

TEST(Formats, EveryCodeEncodesBackToItself) {
  for (const Named &n : apfloatFormats()) {
    SCOPED_TRACE(n.format->name);
    for (uint32_t c = 0; c < n.format->codeCount(); ++c) {
      float v = decode(*n.format, c);
      if (std::isnan(v))
        continue;
      EXPECT_EQ(encode(*n.format, v, /*saturate=*/false), c) << "code " << c;
    }
  }
}

TEST(Formats, RoundsEveryTieAndBoundaryToNearestEven) {
  for (const Named &n : apfloatFormats()) {
    SCOPED_TRACE(n.format->name);
    std::vector<float> values = boundaries(*n.format);
    ASSERT_GT(values.size(), n.format->codeCount() / 2);
    for (float x : values)
      EXPECT_EQ(encode(*n.format, x), apfloatEncode(*n.semantics, x))
          << "x = " << x;
  }
}

TEST(Formats, RoundsRandomValuesToNearestEven) {
  std::mt19937 rng(20261207);
  for (const Named &n : apfloatFormats()) {
    SCOPED_TRACE(n.format->name);
    double top = n.format->largest();
    std::uniform_real_distribution<double> logMagnitude(
        std::log2(n.format->smallestPositive()) - 2, std::log2(top));
    for (int i = 0; i < 20000; ++i) {
      float x = static_cast<float>(std::exp2(logMagnitude(rng)));
      if (x > top)
        continue;
      if (i % 2)
        x = -x;
      EXPECT_EQ(encode(*n.format, x), apfloatEncode(*n.semantics, x))
          << "x = " << x;
    }
  }
}

TEST(Formats, Overflow) {
  float inf = std::numeric_limits<float>::infinity();
  float nan = std::numeric_limits<float>::quiet_NaN();
  // E4M3FN: 464 is the tie between 448 and (the NaN's) 480: down, to even.
  EXPECT_EQ(encode(kF8E4M3FN, 464), 0x7Eu);
  EXPECT_EQ(encode(kF8E4M3FN, 465, /*saturate=*/true), 0x7Eu);
  EXPECT_EQ(encode(kF8E4M3FN, 465, /*saturate=*/false), 0x7Fu);
  EXPECT_EQ(encode(kF8E4M3FN, -inf, true), 0xFEu);
  EXPECT_EQ(encode(kF8E4M3FN, -inf, false), 0xFFu);
  EXPECT_EQ(encode(kF8E4M3FN, nan), 0x7Fu);
  EXPECT_EQ(encode(kF8E4M3FN, -nan), 0xFFu);
  // E5M2 overflows to infinity unless saturating.
  EXPECT_EQ(encode(kF8E5M2, 1e6f, true), 0x7Bu);
  EXPECT_EQ(encode(kF8E5M2, 1e6f, false), 0x7Cu);
  EXPECT_EQ(encode(kF8E5M2, -inf, false), 0xFCu);
  EXPECT_EQ(encode(kF8E5M2, nan), 0x7Eu);
  // FP4 and FP6 always saturate; NaN becomes the zero of the other sign.
  EXPECT_EQ(encode(kF4E2M1, 7, false), 0x7u);
  EXPECT_EQ(encode(kF4E2M1, inf), 0x7u);
  EXPECT_EQ(encode(kF4E2M1, -inf), 0xFu);
  EXPECT_EQ(encode(kF4E2M1, nan), 0x8u);
  EXPECT_EQ(encode(kF4E2M1, -nan), 0x0u);
  EXPECT_EQ(encode(kF6E3M2, 1000), 0x1Fu);
  // Ties to even in FP4: 0.25 -> 0, 0.75 -> 1, 2.5 -> 2, 5 -> 4, -1.25 -> -1.
  EXPECT_EQ(encode(kF4E2M1, 0.25f), 0x0u);
  EXPECT_EQ(encode(kF4E2M1, 0.75f), 0x2u);
  EXPECT_EQ(encode(kF4E2M1, 2.5f), 0x4u);
  EXPECT_EQ(encode(kF4E2M1, 5.0f), 0x6u);
  EXPECT_EQ(encode(kF4E2M1, -1.25f), 0xAu);
  // -0 keeps its sign, even when a small negative value rounds to it.
  EXPECT_EQ(encode(kF4E2M1, -0.0f), 0x8u);
  EXPECT_EQ(encode(kF4E2M1, -0.1f), 0x8u);
  EXPECT_EQ(encode(kBF16, -0.0f), 0x8000u);
  // UE4M3: no sign; negative values become 0.
  EXPECT_EQ(encode(kUE4M3, -3.0f), 0x00u);
  EXPECT_EQ(encode(kUE4M3, 1000.0f), 0x7Eu);
  EXPECT_EQ(encode(kUE4M3, nan), 0x7Fu);
  EXPECT_EQ(decode(kUE4M3, 0x7E), 448.0f);
}

TEST(Formats, Integers) {
  for (int bits = 1; bits <= 8; ++bits)
    for (bool isSigned : {true, false}) {
      Format f = integer(bits, isSigned);
      SCOPED_TRACE(f.name);
      int64_t lo = isSigned ? -(int64_t(1) << (bits - 1)) : 0;
      int64_t hi =
          isSigned ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
      EXPECT_EQ(f.lowest(), double(lo));
      EXPECT_EQ(f.largest(), double(hi));
      for (uint32_t c = 0; c < f.codeCount(); ++c) {
        float v = decode(f, c);
        EXPECT_GE(v, lo);
        EXPECT_LE(v, hi);
        EXPECT_EQ(encode(f, v), c);
        // Halfway to the next value rounds to the even one of the two.
        float even = std::fmod(std::fabs(v), 2.0f) == 0 ? v : v + 1;
        EXPECT_EQ(decode(f, encode(f, v + 0.5f)), std::min(even, float(hi)))
            << v;
      }
      EXPECT_EQ(decode(f, encode(f, 1e9f)), float(hi));
      EXPECT_EQ(decode(f, encode(f, -1e9f)), float(lo));
      EXPECT_EQ(encode(f, std::numeric_limits<float>::quiet_NaN()), 0u);
    }
  Format int4 = integer(4, true);
  EXPECT_EQ(decode(int4, encode(int4, 2.5f)), 2.0f);
  EXPECT_EQ(decode(int4, encode(int4, 3.5f)), 4.0f);
  EXPECT_EQ(decode(int4, encode(int4, -2.5f)), -2.0f);
  EXPECT_EQ(encode(int4, -1), 0xFu);
}

TEST(Formats, E8M0) {
  EXPECT_EQ(decode(kE8M0, 0), std::ldexp(1.0f, -127));
  EXPECT_EQ(decode(kE8M0, 127), 1.0f);
  EXPECT_EQ(decode(kE8M0, 254), std::ldexp(1.0f, 127));
  EXPECT_TRUE(std::isnan(decode(kE8M0, 255)));
  for (uint32_t c = 1; c < 255; ++c)
    for (ScaleRounding r :
         {ScaleRounding::Up, ScaleRounding::Nearest, ScaleRounding::Down})
      EXPECT_EQ(encodeScale(decode(kE8M0, c), r), c) << c;
  // 2^-127 is an f32 subnormal with a fraction, which onnx.reference's
  // rounding up takes to 2^-126.
  EXPECT_EQ(encodeScale(decode(kE8M0, 0), ScaleRounding::Up), 1u);
  EXPECT_EQ(encodeScale(decode(kE8M0, 0), ScaleRounding::Nearest), 0u);
  EXPECT_EQ(encodeScale(1.5f, ScaleRounding::Up), 128u);
  EXPECT_EQ(encodeScale(1.25f, ScaleRounding::Up), 128u);
  EXPECT_EQ(encodeScale(1.5f, ScaleRounding::Nearest), 128u);
  EXPECT_EQ(encodeScale(1.49f, ScaleRounding::Nearest), 127u);
  EXPECT_EQ(encodeScale(1.99f, ScaleRounding::Down), 127u);
  EXPECT_EQ(encodeScale(-4.0f), 129u); // the sign is ignored
  EXPECT_EQ(encodeScale(0.0f), 0u);
  EXPECT_EQ(encodeScale(std::numeric_limits<float>::infinity()), 255u);
  EXPECT_EQ(encodeScale(std::numeric_limits<float>::quiet_NaN()), 255u);
  float big = std::ldexp(1.5f, 127);
  EXPECT_EQ(encodeScale(big, ScaleRounding::Up, /*saturate=*/true), 254u);
  EXPECT_EQ(encodeScale(big, ScaleRounding::Up, /*saturate=*/false), 255u);
}

TEST(Formats, ByName) {
  EXPECT_EQ(byName("f4e2m1")->bits, 4);
  EXPECT_EQ(byName("int3")->kind, Kind::SignedInt);
  EXPECT_EQ(byName("uint7")->largest(), 127.0);
  EXPECT_FALSE(byName("int0"));
  EXPECT_FALSE(byName("int17"));
  EXPECT_FALSE(byName("int04"));
  EXPECT_FALSE(byName("f5"));
}

TEST(Formats, PackLowBitsFirst) {
  std::vector<uint8_t> out(2);
  pack({1, 2, 3}, 4, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x21, 0x03}));
  out.assign(3, 0);
  pack({0x3F, 0x01, 0x22, 0x15}, 6, out);
  // b0 = x0 | (x1 & 3) << 6, b1 = x1 >> 2 | (x2 & 15) << 4,
  // b2 = x2 >> 4 | x3 << 2
  EXPECT_EQ(out, (std::vector<uint8_t>{0x7F, 0x20, 0x56}));
  std::mt19937 rng(7);
  for (int bits = 1; bits <= 8; ++bits) {
    std::vector<uint8_t> codes(1001);
    for (uint8_t &c : codes)
      c = static_cast<uint8_t>(rng() & ((1u << bits) - 1));
    std::vector<uint8_t> packed(
        *mlir::optc::sizes::packedBytes(codes.size(), bits));
    pack(codes, bits, packed);
    std::vector<uint8_t> back(codes.size());
    unpack(packed, bits, back);
    EXPECT_EQ(back, codes) << bits << " bits";
  }
}

//===----------------------------------------------------------------------===//
// Block scaling
//===----------------------------------------------------------------------===//

Scheme scheme(llvm::StringRef name) {
  llvm::Expected<Scheme> s = schemeByName(name);
  if (!s) {
    ADD_FAILURE() << llvm::toString(s.takeError());
    return Scheme{};
  }
  return *s;
}

std::string errorOf(llvm::StringRef name) {
  llvm::Expected<Scheme> s = schemeByName(name);
  return s ? std::string() : llvm::toString(s.takeError());
}

TEST(BlockScaling, Names) {
  Scheme mx = scheme("mxfp4");
  EXPECT_EQ(mx.block, 32);
  EXPECT_EQ(mx.rule, ScaleRule::SharedExponent);
  EXPECT_EQ(mx.elementExponent(), 2);
  EXPECT_EQ(scheme("mxfp6e3m2").elementExponent(), 4);
  EXPECT_EQ(scheme("mxfp8").elementExponent(), 8);
  EXPECT_EQ(scheme("mxint8").elementExponent(), 6);
  EXPECT_EQ(scheme("nvfp4").block, 16);
  EXPECT_EQ(scheme("bfp12").element.bits, 4);
  EXPECT_EQ(scheme("bfp12").block, 16);
  EXPECT_EQ(scheme("bfp16").block, 8);
  EXPECT_EQ(scheme("int4-g128-asym").rule, ScaleRule::MinMax);
  EXPECT_EQ(scheme("int4-g128-asym").block, 128);
  EXPECT_EQ(scheme("int8").block, 0);
  EXPECT_EQ(scheme("int3-g64").element.kind, Kind::SignedInt);
  EXPECT_EQ(scheme("int1-asym").element.kind, Kind::UnsignedInt);
  EXPECT_DOUBLE_EQ(scheme("mxfp4").bitsPerValue(4096), 4.25);
  EXPECT_DOUBLE_EQ(scheme("int4-g32").bitsPerValue(4096), 5.0);
  EXPECT_NE(errorOf("int1").find("no symmetric range"), std::string::npos);
  EXPECT_NE(errorOf("int9").find("1 to 8 bits"), std::string::npos);
  EXPECT_NE(errorOf("bfp9-b16").find("2 to 8 bits"), std::string::npos);
  EXPECT_NE(errorOf("bfp4-b4").find("8 to 128"), std::string::npos);
  EXPECT_NE(errorOf("int4-g0").find("group of 0"), std::string::npos);
  EXPECT_NE(errorOf("fp3").find("unknown quantization scheme 'fp3'"),
            std::string::npos);
  EXPECT_NE(errorOf("int4-gx").find("unknown"), std::string::npos);
}

/// --quantize's policies: a scheme, then -a8 where the int8 kernel reads
/// the codes (4-bit integers or FP4, blocks of 32 or a multiple of 64).
TEST(BlockScaling, Policies) {
  auto policyError = [](llvm::StringRef name) {
    llvm::Expected<Policy> p = policyByName(name);
    return p ? std::string() : llvm::toString(p.takeError());
  };
  llvm::Expected<Policy> plain = policyByName("int4-g32");
  ASSERT_TRUE(bool(plain));
  EXPECT_FALSE(plain->int8Activations);
  EXPECT_EQ(plain->scheme.block, 32);
  for (llvm::StringRef name :
       {"int4-g32-a8", "uint4-g128-a8", "mxfp4-a8", "int4-a8"}) {
    llvm::Expected<Policy> p = policyByName(name);
    ASSERT_TRUE(bool(p)) << name.str() << ": " << llvm::toString(p.takeError());
    EXPECT_TRUE(p->int8Activations) << name.str();
    EXPECT_EQ(p->scheme.name, name.str());
  }
  EXPECT_NE(policyError("int8-a8").find("4-bit integer or FP4"),
            std::string::npos);
  EXPECT_NE(policyError("mxfp8-a8").find("not f8e4m3fn"), std::string::npos);
  EXPECT_NE(policyError("nvfp4-a8").find("blocks of 32"), std::string::npos);
  EXPECT_NE(policyError("int4-g16-a8").find("not 16"), std::string::npos);
  EXPECT_NE(policyError("int4-g32-a9").find("then -a8"), std::string::npos);
}

std::vector<float> roundTrip(llvm::ArrayRef<float> x, const Blocking &b,
                             const Scheme &s, Quantized *out = nullptr) {
  llvm::Expected<Quantized> q = quantize(x, b, s);
  if (!q) {
    ADD_FAILURE() << llvm::toString(q.takeError());
    return {};
  }
  std::vector<float> y(x.size());
  dequantize(*q, b, s, y);
  if (out)
    *out = std::move(*q);
  return y;
}

std::vector<float> randomValues(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> x(n);
  for (float &v : x)
    v = normal(rng);
  return x;
}

TEST(BlockScaling, MXKeepsRepresentableBlocksExactly) {
  Scheme s = scheme("mxfp4");
  // Every value a multiple of 2^-3 on the FP4 grid with absmax 6 * 2^-3.
  std::vector<float> x;
  const float grid[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (int i = 0; i < 64; ++i)
    x.push_back((i % 2 ? -1 : 1) * grid[i % 8] / 8);
  Blocking b{1, 64, 1, 32};
  Quantized q;
  EXPECT_EQ(roundTrip(x, b, s, &q), x);
  ASSERT_EQ(q.scaleCodes.size(), 2u);
  // absmax 0.75 = 1.5 * 2^-1: exponent -1 - emax(2) = -3.
  EXPECT_EQ(q.scaleCodes[0], uint32_t(127 - 3));
}

TEST(BlockScaling, ErrorsStayWithinHalfAStep) {
  std::vector<float> x = randomValues(4 * 96, 3);
  for (llvm::StringRef name :
       {"int4-g32", "int8", "int3-g16", "int2-g8-asym", "uint5-g24",
        "int1-asym", "bfp8-b16", "bfp4-b8", "mxint8"}) {
    SCOPED_TRACE(name.str());
    Scheme s = scheme(name);
    llvm::Expected<Blocking> b = blockingFor({4, 96}, 1, s);
    ASSERT_TRUE(bool(b));
    Quantized q;
    std::vector<float> y = roundTrip(x, *b, s, &q);
    // Every value is within half a quantum (the block's scale) of its
    // code; with a shared exponent the block's largest values may be
    // clipped by up to a whole quantum (127.6 -> 127).
    float steps = s.rule == ScaleRule::SharedExponent ? 1.0f : 0.5f;
    for (int64_t row = 0; row < 4; ++row)
      for (int64_t col = 0; col < 96; ++col) {
        float scale = q.scales[row * b->blocksPerAxis() + col / b->block];
        size_t i = row * 96 + col;
        EXPECT_LE(std::fabs(y[i] - x[i]), scale * steps * (1 + 1e-6f))
            << "value " << i;
      }
  }
}

TEST(BlockScaling, AsymmetricHoldsZeroExactly) {
  std::vector<float> x = {0.5f, 1.0f, 2.0f, 0.0f, 3.0f, 1.7f};
  Scheme s = scheme("uint4");
  Blocking b{1, 6, 1, 6};
  Quantized q;
  std::vector<float> y = roundTrip(x, b, s, &q);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_EQ(q.zeroPoints[0], 0u); // min is 0
  EXPECT_FLOAT_EQ(q.scales[0], 3.0f / 15);
}

TEST(BlockScaling, NVFP4TwoLevels) {
  std::vector<float> x = randomValues(64, 5);
  x[17] = 100; // the tensor's absmax, in the second block
  Scheme s = scheme("nvfp4");
  Blocking b{1, 64, 1, 16};
  Quantized q;
  std::vector<float> y = roundTrip(x, b, s, &q);
  EXPECT_FLOAT_EQ(q.tensorScale, 100.0f / (448 * 6));
  // The block holding the absmax has the largest UE4M3 scale, 448.
  EXPECT_EQ(q.scaleCodes[1], 0x7Eu);
  EXPECT_FLOAT_EQ(y[17], 100.0f);
  for (uint32_t code : q.scaleCodes)
    EXPECT_LT(code, 0x7Fu);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_LE(std::fabs(y[i] - x[i]),
              std::fabs(x[i]) * 0.25f + q.scales[i / 16] * q.tensorScale)
        << i;
}

TEST(BlockScaling, PerChannelAndPerTensor) {
  std::vector<float> x = {1, -2, 3, 40, -50, 60};
  Scheme s = scheme("int8");
  // [2, 3] quantized per column (axis 0, a block spanning it).
  llvm::Expected<Blocking> perColumn = blockingFor({2, 3}, 0, s);
  ASSERT_TRUE(bool(perColumn));
  EXPECT_EQ(perColumn->scaleCount(), 3);
  Quantized q;
  roundTrip(x, *perColumn, s, &q);
  EXPECT_FLOAT_EQ(q.scales[0], 40.0f / 127);
  EXPECT_FLOAT_EQ(q.scales[2], 60.0f / 127);
  EXPECT_EQ(decode(s.element, q.codes[3]), 127.0f);
  // Per tensor: the flattened tensor as one block.
  llvm::Expected<Blocking> whole = blockingFor({6}, 0, s);
  ASSERT_TRUE(bool(whole));
  EXPECT_EQ(whole->scaleCount(), 1);
}

TEST(BlockScaling, ShortLastBlock) {
  std::vector<float> x = randomValues(40, 9);
  Scheme s = scheme("mxfp8");
  llvm::Expected<Blocking> b = blockingFor({40}, 0, s);
  ASSERT_TRUE(bool(b));
  EXPECT_EQ(b->blocksPerAxis(), 2);
  std::vector<float> y = roundTrip(x, *b, s);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(y[i], x[i], std::fabs(x[i]) / 16 + 1e-3f) << i;
}

TEST(BlockScaling, Errors) {
  Scheme s = scheme("int4-g32");
  std::vector<float> x(32, 1.0f);
  x[5] = std::numeric_limits<float>::quiet_NaN();
  llvm::Expected<Quantized> q = quantize(x, Blocking{1, 32, 1, 32}, s);
  ASSERT_FALSE(bool(q));
  EXPECT_EQ(llvm::toString(q.takeError()),
            "value #5 is NaN, which cannot be quantized");
  llvm::Expected<Quantized> wrong = quantize(x, Blocking{1, 64, 1, 32}, s);
  ASSERT_FALSE(bool(wrong));
  EXPECT_EQ(llvm::toString(wrong.takeError()), "32 values for a tensor of 64");
  llvm::Expected<Blocking> axis = blockingFor({4, 4}, 2, s);
  ASSERT_FALSE(bool(axis));
  EXPECT_EQ(llvm::toString(axis.takeError()), "axis 2 of a tensor of rank 2");
  llvm::Expected<Blocking> huge =
      blockingFor({int64_t(1) << 40, int64_t(1) << 40}, 0, s);
  ASSERT_FALSE(bool(huge));
  llvm::consumeError(huge.takeError());
  Scheme bad = s;
  bad.element = kE8M0;
  llvm::Error error = verify(bad);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "E8M0 is a scale format, not an element format");
}

} // namespace
