//===- Formats.h - low-precision element formats, bit-exact -----*- C++ -*-===//
//
// The element formats optc quantizes to, and their conversions from and to
// f32, written once: the compiler quantizes constant weights with them, the
// tests check the generated code against them, and the Python module
// exposes them (optc.formats) so that tests can hold them against ml_dtypes
// and onnx.reference.
//
// A format's value is a code of `bits` bits, kept in the low bits of a
// uint32_t (the high bits zero). The formats:
//   - integers of 1 to 8 bits (and 16), signed (two's complement) or not;
//   - floats with an exponent and a mantissa: FP4 E2M1, FP6 E2M3 and E3M2,
//     FP8 E4M3FN and E5M2, the unsigned UE4M3 of NVFP4's scales, f16, bf16;
//   - E8M0, the power-of-two scale of the MX formats.
//
// Rounding is to nearest, ties to even, except where a format's
// specification says otherwise (E8M0, see ScaleRounding). What becomes of
// NaN, infinities, -0, overflow and subnormals follows ONNX (its Cast and
// QuantizeLinear, and where those are silent, onnx.reference, which casts
// through ml_dtypes); docs/low-precision.md has the table.
//
// No MLIR here: plain values, usable from the runtime's tests and tools.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_SUPPORT_FORMATS_H
#define OPTC_SUPPORT_FORMATS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::optc::formats {

enum class Kind : uint8_t {
  /// Two's complement integer of `bits` bits.
  SignedInt,
  /// Unsigned integer of `bits` bits.
  UnsignedInt,
  /// Sign (unless `isSigned` is false), exponent and mantissa fields.
  Float,
  /// E8M0: an unsigned biased exponent, 2^(code - 127); 0xFF is NaN.
  E8M0,
};

/// What a float format does with values its exponent cannot reach.
enum class Specials : uint8_t {
  /// IEEE: the all-ones exponent holds infinities and NaNs (E5M2, f16,
  /// bf16).
  IEEE,
  /// Finite, with one NaN pattern per sign: all bits but the sign set
  /// (E4M3FN, UE4M3).
  FiniteWithNaN,
  /// Finite, no NaN (FP4 and FP6 of the OCP MX specification).
  FiniteOnly,
};

struct Format {
  Kind kind;
  /// Bits of one code.
  int bits;
  /// Float fields (Kind::Float only).
  int exponentBits = 0;
  int mantissaBits = 0;
  int bias = 0;
  Specials specials = Specials::IEEE;
  /// Whether the top bit is a sign (floats; integers by their kind).
  bool isSigned = true;
  /// A short name: "f4e2m1", "e8m0", "int4", "uint3".
  const char *name = "";

  bool isInteger() const {
    return kind == Kind::SignedInt || kind == Kind::UnsignedInt;
  }
  bool isFloat() const { return kind == Kind::Float; }
  /// The smallest and largest finite values (for integers, the codes'
  /// values).
  double lowest() const;
  double largest() const;
  /// The smallest positive value (a subnormal for floats that have them).
  double smallestPositive() const;
  /// Number of distinct codes: 2^bits.
  uint32_t codeCount() const { return uint32_t(1) << bits; }
  uint32_t mask() const { return codeCount() - 1; }
};

/// The named formats.
extern const Format kF4E2M1;   // OCP FP4: max 6, no inf, no NaN
extern const Format kF6E2M3;   // OCP FP6: max 7.5
extern const Format kF6E3M2;   // OCP FP6: max 28
extern const Format kF8E4M3FN; // max 448, NaN S.1111.111, no inf
extern const Format kF8E5M2;   // IEEE-like, max 57344
extern const Format kUE4M3;    // E4M3FN without its sign: NVFP4's scales
extern const Format kE8M0;     // 2^-127 .. 2^127, 0xFF NaN
extern const Format kF16;
extern const Format kBF16;

/// A signed or unsigned integer format of 1 to 16 bits.
Format integer(int bits, bool isSigned);

/// The format named `name`: "f4e2m1", "f6e2m3", "f6e3m2", "f8e4m3fn",
/// "f8e5m2", "ue4m3", "e8m0", "f16", "bf16", "int<N>", "uint<N>" (N 1-16).
/// std::nullopt for any other name.
std::optional<Format> byName(llvm::StringRef name);

/// How an f32 becomes an E8M0 code (ONNX Cast's round_mode): `Up` rounds
/// any value that is not a power of two up (the default of ONNX and of
/// CUDA), `Nearest` to the nearest power of two, ties up, `Down` truncates.
enum class ScaleRounding : uint8_t { Up, Nearest, Down };

/// The code of `x` in `format`.
///  - Floats: nearest, ties to even. With `saturate`, an infinity or a value
///    rounding past the largest finite value becomes that value (with its
///    sign); without, it becomes an infinity (IEEE formats) or NaN
///    (E4M3FN). FP4 and FP6 always saturate, and a NaN becomes a zero of
///    the opposite sign (ml_dtypes' convention, which onnx.reference
///    follows). An unsigned float (UE4M3) takes negative values to 0.
///  - Integers: nearest, ties to even, then clamped to the range (ONNX
///    QuantizeLinear's round-then-saturate); NaN becomes 0.
///  - E8M0: see `encodeScale`, with ScaleRounding::Up.
uint32_t encode(const Format &format, float x, bool saturate = true);

/// The E8M0 code of `x`, as onnx.reference converts it: from |x|, 0 and
/// values below 2^-127 to 0x00 (2^-127), NaN and infinities to 0xFF. With
/// `saturate`, values rounding past 2^127 stay at 0xFE; without, they
/// become 0xFF.
uint32_t encodeScale(float x, ScaleRounding rounding = ScaleRounding::Up,
                     bool saturate = true);

/// The value of `code` (its low `format.bits` bits) as an f32. Every code
/// of every format is exactly an f32.
float decode(const Format &format, uint32_t code);

/// Whether `code` is a NaN in `format`.
bool isNaN(const Format &format, uint32_t code);

//===----------------------------------------------------------------------===//
// Packing: codes of `bits` bits stored as one little-endian bit stream
//===----------------------------------------------------------------------===//

/// Writes `codes` (each below 2^bits) into `out` as a bit stream, code i at
/// bits [i * bits, (i + 1) * bits), least significant bit first: ONNX's
/// layout of INT4, FLOAT4E2M1, INT2 and FLOAT6 data (two 4-bit codes per
/// byte, the first in the low nibble). The padding bits of the last byte
/// are zero. `out` holds sizes::packedBytes(codes.size(), bits) bytes
/// (optc/Support/Sizes.h).
void pack(llvm::ArrayRef<uint8_t> codes, int bits,
          llvm::MutableArrayRef<uint8_t> out);

/// The inverse of `pack`: `out.size()` codes from `packed`.
void unpack(llvm::ArrayRef<uint8_t> packed, int bits,
            llvm::MutableArrayRef<uint8_t> out);

} // namespace mlir::optc::formats

#endif // OPTC_SUPPORT_FORMATS_H
