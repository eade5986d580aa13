//===- Formats.cpp - low-precision element formats, bit-exact -------------===//
//
// Conversions work in double: an f32 and every power of two a format's
// quantum can be are exact there, so x / quantum is exact and one
// nearbyint (round to nearest, ties to even, in the default floating-point
// environment) is the only rounding. LLVM's own lowering of f32 -> f4E2M1
// (arith-expand) rounds ties away from zero and drops the sign of small
// negative values; nothing here uses it.
//
//===----------------------------------------------------------------------===//

#include "optc/Support/Formats.h"
#include "optc/Support/Sizes.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace mlir::optc::formats {

namespace {

constexpr Format makeFloat(int bits, int exponentBits, int mantissaBits,
                           int bias, Specials specials, bool isSigned,
                           const char *name) {
  Format f{Kind::Float, bits};
  f.exponentBits = exponentBits;
  f.mantissaBits = mantissaBits;
  f.bias = bias;
  f.specials = specials;
  f.isSigned = isSigned;
  f.name = name;
  return f;
}

/// The exponent field's largest value that holds finite numbers, and the
/// mantissa field's largest value at that exponent.
int maxExponentField(const Format &f) {
  int allOnes = (1 << f.exponentBits) - 1;
  return f.specials == Specials::IEEE ? allOnes - 1 : allOnes;
}
uint32_t maxMantissaField(const Format &f) {
  uint32_t allOnes = (uint32_t(1) << f.mantissaBits) - 1;
  // E4M3FN: exponent and mantissa all ones is NaN.
  return f.specials == Specials::FiniteWithNaN ? allOnes - 1 : allOnes;
}

uint32_t signBit(const Format &f) {
  return f.isSigned ? uint32_t(1) << (f.bits - 1) : 0;
}

uint32_t largestFloatCode(const Format &f) {
  return (uint32_t(maxExponentField(f)) << f.mantissaBits) |
         maxMantissaField(f);
}

uint32_t infinityCode(const Format &f) {
  return uint32_t((1 << f.exponentBits) - 1) << f.mantissaBits;
}

/// The NaN a conversion produces (`negative`: of a negative NaN).
uint32_t nanCode(const Format &f, bool negative) {
  uint32_t sign = negative ? signBit(f) : 0;
  uint32_t magnitudeBits = f.exponentBits + f.mantissaBits;
  switch (f.specials) {
  case Specials::IEEE: // quiet: the mantissa's top bit set
    return sign | infinityCode(f) | (uint32_t(1) << (f.mantissaBits - 1));
  case Specials::FiniteWithNaN:
    return sign | ((uint32_t(1) << magnitudeBits) - 1);
  case Specials::FiniteOnly:
    // No NaN: ml_dtypes (and so onnx.reference) gives the zero of the
    // opposite sign.
    return negative ? 0 : signBit(f);
  }
  return 0;
}

uint32_t encodeFloat(const Format &f, float x, bool saturate) {
  bool negative = std::signbit(x);
  if (std::isnan(x))
    return nanCode(f, negative);
  uint32_t sign = negative ? signBit(f) : 0;
  if (!f.isSigned && negative)
    return 0;
  bool overflowIsSpecial = !saturate && f.specials != Specials::FiniteOnly;
  auto overflow = [&]() -> uint32_t {
    if (!overflowIsSpecial)
      return sign | largestFloatCode(f);
    return f.specials == Specials::IEEE ? sign | infinityCode(f)
                                        : nanCode(f, negative);
  };
  if (std::isinf(x))
    return overflow();

  double a = std::fabs(static_cast<double>(x));
  int minExponent = 1 - f.bias; // of the normal numbers
  int e = a == 0 ? minExponent : std::max(std::ilogb(a), minExponent);
  double quantum = std::ldexp(1.0, e - f.mantissaBits);
  double v = std::nearbyint(a / quantum) * quantum;
  if (v > f.largest())
    return overflow();
  if (v == 0)
    return sign;
  int ve = std::ilogb(v);
  if (ve < minExponent) // subnormal: exponent field 0
    return sign |
           static_cast<uint32_t>(std::ldexp(v, f.mantissaBits - minExponent));
  uint32_t mantissa =
      static_cast<uint32_t>(std::ldexp(v, f.mantissaBits - ve)) -
      (uint32_t(1) << f.mantissaBits);
  return sign | (uint32_t(ve + f.bias) << f.mantissaBits) | mantissa;
}

float decodeFloat(const Format &f, uint32_t code) {
  bool negative = (code & signBit(f)) != 0;
  uint32_t magnitudeBits = f.exponentBits + f.mantissaBits;
  uint32_t magnitude = code & ((uint32_t(1) << magnitudeBits) - 1);
  uint32_t exponent = magnitude >> f.mantissaBits;
  uint32_t mantissa = magnitude & ((uint32_t(1) << f.mantissaBits) - 1);
  double sign = negative ? -1.0 : 1.0;
  if (f.specials == Specials::IEEE &&
      exponent == uint32_t((1 << f.exponentBits) - 1))
    return static_cast<float>(
        mantissa ? std::copysign(std::numeric_limits<double>::quiet_NaN(), sign)
                 : sign * std::numeric_limits<double>::infinity());
  if (f.specials == Specials::FiniteWithNaN &&
      magnitude == (uint32_t(1) << magnitudeBits) - 1)
    return static_cast<float>(
        std::copysign(std::numeric_limits<double>::quiet_NaN(), sign));
  double value =
      exponent == 0
          ? std::ldexp(double(mantissa), 1 - f.bias - f.mantissaBits)
          : std::ldexp(double((uint32_t(1) << f.mantissaBits) | mantissa),
                       int(exponent) - f.bias - f.mantissaBits);
  return static_cast<float>(sign * value);
}

uint32_t encodeInteger(const Format &f, float x) {
  if (std::isnan(x))
    return 0;
  double r = std::clamp(std::nearbyint(static_cast<double>(x)), f.lowest(),
                        f.largest());
  return static_cast<uint32_t>(static_cast<int64_t>(r)) & f.mask();
}

float decodeInteger(const Format &f, uint32_t code) {
  int64_t v = code & f.mask();
  if (f.kind == Kind::SignedInt && (v >> (f.bits - 1)) != 0)
    v -= int64_t(1) << f.bits;
  return static_cast<float>(v);
}

} // namespace

const Format kF4E2M1 =
    makeFloat(4, 2, 1, 1, Specials::FiniteOnly, true, "f4e2m1");
const Format kF6E2M3 =
    makeFloat(6, 2, 3, 1, Specials::FiniteOnly, true, "f6e2m3");
const Format kF6E3M2 =
    makeFloat(6, 3, 2, 3, Specials::FiniteOnly, true, "f6e3m2");
const Format kF8E4M3FN =
    makeFloat(8, 4, 3, 7, Specials::FiniteWithNaN, true, "f8e4m3fn");
const Format kF8E5M2 = makeFloat(8, 5, 2, 15, Specials::IEEE, true, "f8e5m2");
// Seven bits in a byte whose top bit is 0: stored as the non-negative
// E4M3FN codes, so a kernel decodes it as E4M3FN.
const Format kUE4M3 =
    makeFloat(7, 4, 3, 7, Specials::FiniteWithNaN, false, "ue4m3");
const Format kE8M0 = [] {
  Format f{Kind::E8M0, 8};
  f.isSigned = false;
  f.name = "e8m0";
  return f;
}();
const Format kF16 = makeFloat(16, 5, 10, 15, Specials::IEEE, true, "f16");
const Format kBF16 = makeFloat(16, 8, 7, 127, Specials::IEEE, true, "bf16");

double Format::lowest() const {
  switch (kind) {
  case Kind::SignedInt:
    return -std::ldexp(1.0, bits - 1);
  case Kind::UnsignedInt:
    return 0;
  case Kind::E8M0:
    return std::ldexp(1.0, -127);
  case Kind::Float:
    return isSigned ? -largest() : 0;
  }
  return 0;
}

double Format::largest() const {
  switch (kind) {
  case Kind::SignedInt:
    return std::ldexp(1.0, bits - 1) - 1;
  case Kind::UnsignedInt:
    return std::ldexp(1.0, bits) - 1;
  case Kind::E8M0:
    return std::ldexp(1.0, 127);
  case Kind::Float:
    return std::ldexp(
        double((uint32_t(1) << mantissaBits) | maxMantissaField(*this)),
        maxExponentField(*this) - bias - mantissaBits);
  }
  return 0;
}

double Format::smallestPositive() const {
  switch (kind) {
  case Kind::SignedInt:
  case Kind::UnsignedInt:
    return 1;
  case Kind::E8M0:
    return std::ldexp(1.0, -127);
  case Kind::Float:
    return std::ldexp(1.0, 1 - bias - mantissaBits);
  }
  return 0;
}

Format integer(int bits, bool isSigned) {
  assert(bits >= 1 && bits <= 16 && "integer formats have 1 to 16 bits");
  static const char *const signedNames[] = {
      "int1", "int2",  "int3",  "int4",  "int5",  "int6",  "int7",  "int8",
      "int9", "int10", "int11", "int12", "int13", "int14", "int15", "int16"};
  static const char *const unsignedNames[] = {
      "uint1",  "uint2",  "uint3",  "uint4",  "uint5",  "uint6",
      "uint7",  "uint8",  "uint9",  "uint10", "uint11", "uint12",
      "uint13", "uint14", "uint15", "uint16"};
  Format f{isSigned ? Kind::SignedInt : Kind::UnsignedInt, bits};
  f.isSigned = isSigned;
  f.name = isSigned ? signedNames[bits - 1] : unsignedNames[bits - 1];
  return f;
}

std::optional<Format> byName(llvm::StringRef name) {
  for (const Format *f : {&kF4E2M1, &kF6E2M3, &kF6E3M2, &kF8E4M3FN, &kF8E5M2,
                          &kUE4M3, &kE8M0, &kF16, &kBF16})
    if (name == f->name)
      return *f;
  bool isSigned = !name.consume_front("u");
  unsigned bits;
  if (!name.consume_front("int") || name.getAsInteger(10, bits) || bits < 1 ||
      bits > 16 || name.starts_with("0"))
    return std::nullopt;
  return integer(static_cast<int>(bits), isSigned);
}

uint32_t encodeScale(float x, ScaleRounding rounding, bool saturate) {
  // onnx.numpy_helper.to_float8e8m0, on the f32's fields: the sign is
  // ignored, the exponent field is the code, and rounding looks at the
  // mantissa.
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  uint32_t exponent = (bits >> 23) & 0xFF;
  uint32_t mantissa = bits & 0x7FFFFF;
  if (exponent == 0xFF)
    return 0xFF;
  bool up = false;
  switch (rounding) {
  case ScaleRounding::Up:
    up = mantissa != 0;
    break;
  case ScaleRounding::Nearest:
    // The mantissa's top bit (a fraction of at least 1/2) rounds up; for
    // f32 subnormals (exponent 0), exactly 1/2 stays down.
    up = (mantissa & 0x400000) && ((mantissa & 0x3FFFFF) != 0 || exponent > 0);
    break;
  case ScaleRounding::Down:
    break;
  }
  if (up && !(saturate && exponent == 0xFE))
    ++exponent;
  return exponent;
}

uint32_t encode(const Format &format, float x, bool saturate) {
  switch (format.kind) {
  case Kind::SignedInt:
  case Kind::UnsignedInt:
    return encodeInteger(format, x);
  case Kind::E8M0:
    return encodeScale(x, ScaleRounding::Up, saturate);
  case Kind::Float:
    return encodeFloat(format, x, saturate);
  }
  return 0;
}

float decode(const Format &format, uint32_t code) {
  code &= format.mask();
  switch (format.kind) {
  case Kind::SignedInt:
  case Kind::UnsignedInt:
    return decodeInteger(format, code);
  case Kind::E8M0:
    return code == 0xFF ? std::numeric_limits<float>::quiet_NaN()
                        : static_cast<float>(std::ldexp(1.0, int(code) - 127));
  case Kind::Float:
    return decodeFloat(format, code);
  }
  return 0;
}

bool isNaN(const Format &format, uint32_t code) {
  return std::isnan(decode(format, code));
}

void pack(llvm::ArrayRef<uint8_t> codes, int bits,
          llvm::MutableArrayRef<uint8_t> out) {
  assert(bits >= 1 && bits <= 8 && "packing takes codes of 1 to 8 bits");
  assert(int64_t(out.size()) == *sizes::packedBytes(codes.size(), bits) &&
         "the output holds the packed codes exactly");
  std::fill(out.begin(), out.end(), 0);
  uint32_t mask = (uint32_t(1) << bits) - 1;
  uint64_t bit = 0;
  for (uint8_t code : codes) {
    assert((code & ~mask) == 0 && "a code wider than its format");
    uint32_t shifted = uint32_t(code & mask) << (bit % 8);
    out[bit / 8] |= static_cast<uint8_t>(shifted);
    if (bit % 8 + bits > 8)
      out[bit / 8 + 1] |= static_cast<uint8_t>(shifted >> 8);
    bit += bits;
  }
}

void unpack(llvm::ArrayRef<uint8_t> packed, int bits,
            llvm::MutableArrayRef<uint8_t> out) {
  assert(bits >= 1 && bits <= 8 && "packing takes codes of 1 to 8 bits");
  assert(int64_t(packed.size()) >= *sizes::packedBytes(out.size(), bits) &&
         "the packed data holds every code");
  uint32_t mask = (uint32_t(1) << bits) - 1;
  uint64_t bit = 0;
  for (uint8_t &code : out) {
    uint32_t word = packed[bit / 8];
    if (bit % 8 + bits > 8)
      word |= uint32_t(packed[bit / 8 + 1]) << 8;
    code = static_cast<uint8_t>((word >> (bit % 8)) & mask);
    bit += bits;
  }
}

} // namespace mlir::optc::formats
