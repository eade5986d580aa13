//===- BlockScaling.h - scaled low-precision tensors, bit-exact -*- C++ -*-===//
//
// A quantized tensor is element codes (Formats.h) plus one scale per block
// of values, and for integers with a zero point one zero point per block:
//   value = (decode(code) - decode(zero point)) * (scale [* tensor scale])
// computed in f32 in that order (ONNX's DequantizeLinear, and for NVFP4 a
// DequantizeLinear of the block scales by the tensor scale first). The
// schemes:
//   - integers of 1 to 8 bits, per tensor, per channel or per group of any
//     size, symmetric (scale = absmax / (2^(N-1) - 1)) or with a zero point
//     (the range widened to hold 0, scale = (max - min) / (2^N - 1));
//   - floats scaled by absmax (FP8 per channel, FP4 per group with an f16
//     scale);
//   - OCP MX: a block of 32, an E8M0 scale 2^(floor(log2 absmax) - emax),
//     where emax is the element format's largest exponent (MXFP4, MXFP6,
//     MXFP8, and MXINT8 as int8 with emax 6);
//   - NVFP4: a block of 16 FP4 values, a UE4M3 scale of absmax / 6 relative
//     to an f32 tensor scale of absmax(tensor) / (448 * 6);
//   - block floating point with M-bit elements: the shared exponent of a
//     block is its largest, elements are signed M-bit mantissas of that
//     exponent (quantum 2^(e - (M - 2))), i.e. the MX rule on int<M>.
//
// The tensor is seen as [outer, axis, inner] with blocks of `block`
// consecutive positions along the axis (the last one may be short); scales
// and zero points are laid out [outer, ceil(axis / block), inner]. Per
// channel is a block spanning the axis that is reduced; per tensor, one
// block spanning everything.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_SUPPORT_BLOCKSCALING_H
#define OPTC_SUPPORT_BLOCKSCALING_H

#include "optc/Support/Formats.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::optc::formats {

/// How a scale is chosen for a block.
enum class ScaleRule : uint8_t {
  /// scale = absmax / largest code; symmetric.
  AbsMax,
  /// Integers with a zero point: the block's [min, max], widened to hold
  /// 0, spans the codes.
  MinMax,
  /// scale = 2^(floor(log2 absmax) - emax) (MX, block floating point).
  SharedExponent,
  /// NVFP4's two levels: UE4M3 block scales under an f32 tensor scale.
  TwoLevel,
};

struct Scheme {
  Format element;
  /// The scale's format; std::nullopt for f32.
  std::optional<Format> scale;
  ScaleRule rule = ScaleRule::AbsMax;
  /// Values per block along the axis; 0 for a block spanning the axis.
  int64_t block = 0;
  /// A short name: "int4-g32", "mxfp4", "nvfp4", "bfp8-b16".
  std::string name;

  bool hasZeroPoint() const { return rule == ScaleRule::MinMax; }
  bool hasTensorScale() const { return rule == ScaleRule::TwoLevel; }
  /// For SharedExponent: the exponent of the element's largest value that
  /// the block's largest magnitude is aligned with.
  int elementExponent() const;
  // Symmetric schemes use codes in [-largest, largest]: for signed
  // integers element.largest() is 2^(N-1) - 1, so -2^(N-1) is left out.
  /// Bits per value on average, scales (and zero points) included, for a
  /// block of `block` values (`block` when the scheme's is 0).
  double bitsPerValue(int64_t axisLength) const;
};

/// The scheme named by `name`:
///   int<N>[-g<G>][-asym]  N of 1-8, symmetric unless -asym (N = 1 needs
///                         -asym), per channel unless -g<G>; f32 scales;
///   uint<N>[-g<G>]        with a zero point;
///   mxfp4 mxfp6 (E2M3) mxfp6e3m2 mxfp8 (E4M3) mxfp8e5m2 mxint8
///   nvfp4
///   bfp<M>-b<B>           M-bit elements (2-8), blocks of B (8-128);
///   bfp12 bfp16           bfp4-b16 and bfp8-b8.
/// An error names what was wrong.
llvm::Expected<Scheme> schemeByName(llvm::StringRef name);

/// A `--quantize` policy: a scheme for the weights, and whether the
/// products may quantize their activations to int8 (the suffix "-a8",
/// for 4-bit integer or FP4 codes in blocks of 32 or a multiple of 64,
/// what the CPU's int8 kernel reads).
struct Policy {
  Scheme scheme;
  bool int8Activations = false;
};
/// The policy named `name` (a scheme's name, "-a8" after it); an error
/// names what was wrong.
llvm::Expected<Policy> policyByName(llvm::StringRef name);

/// Checks a scheme built by hand: formats that fit its rule, a block of 0
/// or more, MX's and NVFP4's block sizes.
llvm::Error verify(const Scheme &scheme);

/// A tensor seen as [outer, axis, inner], blocked along the axis.
struct Blocking {
  int64_t outer = 1, axis = 1, inner = 1;
  /// Positions per block along the axis (1 to axis).
  int64_t block = 1;

  int64_t blocksPerAxis() const { return (axis + block - 1) / block; }
  int64_t elements() const { return outer * axis * inner; }
  int64_t scaleCount() const { return outer * blocksPerAxis() * inner; }
};

/// The blocking of a tensor of `shape` blocked along `axis` by `scheme`
/// (a block of 0 spans the axis). An error when the sizes overflow or the
/// axis is out of range.
llvm::Expected<Blocking> blockingFor(llvm::ArrayRef<int64_t> shape,
                                     int64_t axis, const Scheme &scheme);

struct Quantized {
  /// One code per value, in the tensor's order.
  std::vector<uint8_t> codes;
  /// One scale per block, as its format holds it (rounded), and its code
  /// (the f32 bits for f32 scales).
  std::vector<float> scales;
  std::vector<uint32_t> scaleCodes;
  /// One element-format code per block (MinMax only).
  std::vector<uint8_t> zeroPoints;
  /// NVFP4's f32 tensor scale (1 otherwise).
  float tensorScale = 1;
};

/// Quantizes `values` (blocking.elements() of them). Values must be
/// finite: an error names the index of the first that is not.
llvm::Expected<Quantized> quantize(llvm::ArrayRef<float> values,
                                   const Blocking &blocking,
                                   const Scheme &scheme);

/// The values `q` stands for, into `out` (blocking.elements()).
void dequantize(const Quantized &q, const Blocking &blocking,
                const Scheme &scheme, llvm::MutableArrayRef<float> out);

} // namespace mlir::optc::formats

#endif // OPTC_SUPPORT_BLOCKSCALING_H
