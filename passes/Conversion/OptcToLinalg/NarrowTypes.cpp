//===- NarrowTypes.cpp - 8-bit and narrower element types -----------------===//
//
// Tensors of the 8-bit float formats (f8E4M3FN, f8E4M3FNUZ, f8E5M2,
// f8E5M2FNUZ, f8E8M0FNU), of f4E2M1FN, f6E2M3FN, f6E3M2FN and of 2- and
// 4-bit integers are stored
// one element per byte: the element's bits in the low bits, the high bits zero
// (the layout of ml_dtypes and of the runtime's exchange). LLVM has none of
// these float types, and packs vectors of i4, so their elements never
// exist as such in the lowered code: a cast decodes a stored byte to f32
// (or to an 8-bit integer), or encodes an f32 into the byte, with integer
// arithmetic that vectorises like any other elementwise code.
//
// Encoding rounds to nearest even, as ONNX's Cast does. Out-of-range values
// saturate to the largest finite value when asked (ONNX's saturate=1, the
// default); otherwise they become infinity where the format has it, else
// NaN. FP4 and FP6 have neither, so they always saturate, and NaN becomes
// the zero of the opposite sign (as in ml_dtypes). The constants of each format
// (bias, mantissa width, largest value, NaN and infinity codes) come from
// LLVM's APFloat semantics, not from tables written here.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace mlir::optc::lowering {

bool isNarrowFloat(Type element) {
  return isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
             Float8E5M2FNUZType, Float6E2M3FNType, Float6E3M2FNType,
             Float4E2M1FNType, Float8E8M0FNUType>(element);
}

bool isNarrow(Type element) {
  if (isNarrowFloat(element))
    return true;
  auto integer = dyn_cast<IntegerType>(element);
  return integer && integer.getWidth() > 1 && integer.getWidth() < 8;
}

namespace {
/// The bit layout of a narrow float format.
struct Format {
  unsigned width;    // bits of a value: 8 or 4
  unsigned mantissa; // explicit mantissa bits
  int bias;
  bool hasInf, hasNaN;
  bool unsignedZero; // FNUZ: no negative zero, NaN is the sign bit alone
  uint32_t maxCode, nanCode, infCode;
  uint32_t maxBits; // the largest finite value as f32 bits

  explicit Format(FloatType type) {
    const llvm::fltSemantics &sem = type.getFloatSemantics();
    width = type.getWidth();
    mantissa = llvm::APFloat::semanticsPrecision(sem) - 1;
    bias = 1 - llvm::APFloat::semanticsMinExponent(sem);
    hasInf = llvm::APFloat::semanticsHasInf(sem);
    hasNaN = llvm::APFloat::semanticsHasNaN(sem);
    llvm::APFloat largest = llvm::APFloat::getLargest(sem);
    maxCode = largest.bitcastToAPInt().getZExtValue();
    nanCode = hasNaN
                  ? llvm::APFloat::getQNaN(sem).bitcastToAPInt().getZExtValue()
                  : 0;
    infCode =
        hasInf ? llvm::APFloat::getInf(sem).bitcastToAPInt().getZExtValue() : 0;
    unsignedZero = hasNaN && nanCode == (1u << (width - 1));
    bool lost;
    largest.convert(llvm::APFloat::IEEEsingle(),
                    llvm::APFloat::rmNearestTiesToEven, &lost);
    maxBits = largest.bitcastToAPInt().getZExtValue();
  }
};
} // namespace

static Value i32Constant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(value));
}

/// f8E8M0FNU is a bare exponent: 2^(code - 127), 0xFF NaN, no sign, no
/// zero. Its code is the f32 exponent field, and code 0 (2^-127) is an f32
/// subnormal.
static Value decodeE8M0(OpBuilder &b, Location loc, Value byte) {
  auto c = [&](int64_t v) { return i32Constant(b, loc, v); };
  Value code = arith::ExtUIOp::create(b, loc, b.getI32Type(), byte);
  Value bits = arith::ShLIOp::create(b, loc, code, c(23));
  bits = arith::SelectOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code, c(0)),
      c(0x00400000), bits);
  bits = arith::SelectOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, code, c(0xFF)),
      c(0x7FC00000), bits);
  return arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
}

Value decodeNarrowFloat(OpBuilder &b, Location loc, Value byte,
                        FloatType from) {
  if (isa<Float8E8M0FNUType>(from))
    return decodeE8M0(b, loc, byte);
  Format f(from);
  auto c = [&](int64_t v) { return i32Constant(b, loc, v); };
  auto eq = [&](Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
  };
  Type f32 = b.getF32Type();
  unsigned sizeBits = f.width - 1;
  Value code = arith::AndIOp::create(
      b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), byte),
      c((1 << f.width) - 1));
  Value magnitude = arith::AndIOp::create(b, loc, code, c((1 << sizeBits) - 1));
  Value exponent = arith::ShRUIOp::create(b, loc, magnitude, c(f.mantissa));
  Value fraction =
      arith::AndIOp::create(b, loc, magnitude, c((1 << f.mantissa) - 1));
  // A normal value: rebias the exponent, align the fraction to f32's.
  Value normalBits = arith::OrIOp::create(
      b, loc,
      arith::ShLIOp::create(
          b, loc, arith::AddIOp::create(b, loc, exponent, c(127 - f.bias)),
          c(23)),
      arith::ShLIOp::create(b, loc, fraction, c(23 - f.mantissa)));
  Value normal = arith::BitcastOp::create(b, loc, f32, normalBits);
  // A subnormal one: fraction * 2^(1 - bias - mantissa), exact in f32.
  Value subnormal = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, f32, fraction),
      arith::ConstantOp::create(
          b, loc,
          b.getF32FloatAttr(std::ldexp(1.0, 1 - f.bias - int(f.mantissa)))));
  Value value =
      arith::SelectOp::create(b, loc, eq(exponent, c(0)), subnormal, normal);
  Value negative = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne,
      arith::AndIOp::create(b, loc, code, c(1 << sizeBits)), c(0));
  value = arith::SelectOp::create(b, loc, negative,
                                  arith::NegFOp::create(b, loc, value), value);
  // NaN keeps its sign, as in ml_dtypes (and formats::decode).
  Value nan = arith::SelectOp::create(
      b, loc, negative,
      arith::ConstantOp::create(
          b, loc, b.getF32FloatAttr(-std::numeric_limits<float>::quiet_NaN())),
      arith::ConstantOp::create(
          b, loc, b.getF32FloatAttr(std::numeric_limits<float>::quiet_NaN())));
  if (f.hasInf) {
    // IEEE-like: the all-ones exponent is infinity or NaN.
    Value special = eq(exponent, c((1 << (sizeBits - f.mantissa)) - 1));
    Value inf = arith::SelectOp::create(
        b, loc, negative,
        arith::ConstantOp::create(
            b, loc, b.getF32FloatAttr(-std::numeric_limits<float>::infinity())),
        arith::ConstantOp::create(
            b, loc, b.getF32FloatAttr(std::numeric_limits<float>::infinity())));
    value = arith::SelectOp::create(
        b, loc, special,
        arith::SelectOp::create(b, loc, eq(fraction, c(0)), inf, nan), value);
  } else if (f.hasNaN) {
    Value isNaN = f.unsignedZero
                      ? eq(code, c(f.nanCode))
                      : eq(magnitude, c(f.nanCode & ((1 << sizeBits) - 1)));
    value = arith::SelectOp::create(b, loc, isNaN, nan, value);
  }
  return value;
}

Value encodeNarrowFloat(OpBuilder &b, Location loc, Value x, FloatType to,
                        bool saturate) {
  if (isa<Float8E8M0FNUType>(to)) {
    // Round to nearest, ties up, on the exponent field (the importer builds
    // ONNX's own rounding modes from integer ops instead).
    auto c = [&](int64_t v) { return i32Constant(b, loc, v); };
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
    Value exponent = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, bits, c(23)), c(0xFF));
    Value half = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, loc, bits, c(0x400000)), c(0));
    Value up = arith::AndIOp::create(
        b, loc, half,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, exponent,
                              c(saturate ? 0xFE : 0xFF)));
    Value code = arith::AddIOp::create(
        b, loc, exponent, arith::ExtUIOp::create(b, loc, b.getI32Type(), up));
    return arith::TruncIOp::create(b, loc, b.getI8Type(), code);
  }
  Format f(to);
  auto c = [&](int64_t v) { return i32Constant(b, loc, v); };
  auto cmp = [&](arith::CmpIPredicate p, Value l, Value r) {
    return arith::CmpIOp::create(b, loc, p, l, r);
  };
  using P = arith::CmpIPredicate;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value abs = arith::AndIOp::create(b, loc, bits, c(0x7fffffff));
  // Positive floats order like their bits.
  Value isNaN = cmp(P::ugt, abs, c(0x7f800000));
  // Formats without infinity or NaN saturate whatever is asked.
  if (saturate || (!f.hasInf && !f.hasNaN))
    abs = arith::MinUIOp::create(b, loc, abs, c(f.maxBits));
  // Normal results: round the f32 bits to nearest even at the format's
  // mantissa width, then rebias the exponent.
  unsigned drop = 23 - f.mantissa;
  Value odd = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, abs, c(drop)), c(1));
  Value rounded = arith::AddIOp::create(
      b, loc, abs,
      arith::AddIOp::create(b, loc, c((1 << (drop - 1)) - 1), odd));
  Value normal = arith::SubIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, rounded, c(drop)),
      c(int64_t(127 - f.bias) << f.mantissa));
  // Subnormal results: adding 2^k, whose ulp is the format's smallest
  // subnormal, rounds to nearest even in the float unit itself.
  int64_t magicBits = int64_t((127 - f.bias) + drop + 1) << 23;
  Value magic = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(llvm::bit_cast<float>(uint32_t(magicBits))));
  Value shifted = arith::AddFOp::create(
      b, loc, arith::BitcastOp::create(b, loc, f32, abs), magic);
  Value subnormal = arith::SubIOp::create(
      b, loc, arith::BitcastOp::create(b, loc, i32, shifted), c(magicBits));
  int64_t minNormalBits = int64_t(127 - f.bias + 1) << 23;
  Value code = arith::SelectOp::create(
      b, loc, cmp(P::ult, abs, c(minNormalBits)), subnormal, normal);
  // Beyond the largest finite value (only without saturation).
  uint32_t overflow = f.hasInf ? f.infCode : f.hasNaN ? f.nanCode : f.maxCode;
  code = arith::SelectOp::create(b, loc, cmp(P::ugt, code, c(f.maxCode)),
                                 c(overflow), code);
  Value sign = arith::ShLIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c(31)), c(f.width - 1));
  Value signedCode = arith::OrIOp::create(b, loc, code, sign);
  if (f.unsignedZero)
    signedCode = arith::SelectOp::create(b, loc, cmp(P::eq, code, c(0)), c(0),
                                         signedCode);
  // Without a NaN code, NaN becomes the zero of the opposite sign (as in
  // ml_dtypes, and formats::encode).
  // NaN keeps its sign where the format has signed NaNs (not in FNUZ,
  // whose NaN is the sign bit alone).
  Value nanCode =
      !f.hasNaN
          ? Value(arith::XOrIOp::create(b, loc, sign, c(1 << (f.width - 1))))
      : f.unsignedZero
          ? c(f.nanCode)
          : Value(arith::OrIOp::create(b, loc, sign, c(f.nanCode)));
  code = arith::SelectOp::create(b, loc, isNaN, nanCode, signedCode);
  return arith::TruncIOp::create(b, loc, b.getI8Type(), code);
}

Value decodeNarrowInteger(OpBuilder &b, Location loc, Value byte,
                          IntegerType from) {
  unsigned spare = 8 - from.getWidth();
  Value shift = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(spare));
  Value high = arith::ShLIOp::create(b, loc, byte, shift);
  if (from.isUnsigned())
    return arith::ShRUIOp::create(b, loc, high, shift);
  return arith::ShRSIOp::create(b, loc, high, shift);
}

Value encodeNarrowInteger(OpBuilder &b, Location loc, Value x, IntegerType to) {
  Value byte = cast<IntegerType>(x.getType()).getWidth() > 8
                   ? Value(arith::TruncIOp::create(b, loc, b.getI8Type(), x))
                   : x;
  return arith::AndIOp::create(
      b, loc, byte,
      arith::ConstantOp::create(b, loc,
                                b.getI8IntegerAttr((1 << to.getWidth()) - 1)));
}

} // namespace mlir::optc::lowering
