//===- Lowering.h - building blocks of the optc-to-linalg lowering -*- C++
//-*-===//
//
// What the lowering patterns of --optc-convert-to-linalg share: the type
// rules (signless integers, bools stored as bytes), broadcasting operands
// into linalg.generic, and reductions with their identities.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_CONVERSION_OPTCTOLINALG_LOWERING_H
#define OPTC_PASSES_CONVERSION_OPTCTOLINALG_LOWERING_H

#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace mlir::optc::lowering {

/// The element type a tensor of `element` stores (signless; bools and
/// narrow types as i8).
Type storageElement(Type element);
/// `type` as lowered: tensors take their storage element type, quantized
/// ones become their packed bytes.
Type signless(Type type);
Type elementOf(Value value);
RankedTensorType tensorOf(Value value);

Value constantOf(OpBuilder &b, Location loc, Type type, double value);
/// An empty tensor of `type`'s shape and storage element type.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value scalar);
SmallVector<ReassociationIndices> groupUnitDims(int64_t rank,
                                                ArrayRef<bool> keep);
Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                   ArrayRef<bool> keep);
Value addUnitDims(OpBuilder &b, Location loc, Value value,
                  RankedTensorType type, ArrayRef<bool> keep);
std::pair<Value, AffineMap> broadcastOperand(OpBuilder &b, Location loc,
                                             Value value,
                                             ArrayRef<int64_t> resultShape);
using ScalarBody =
    function_ref<Value(OpBuilder &, Location, ValueRange arguments)>;
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, ScalarBody body);
Value safeIntegerDivision(OpBuilder &b, Location loc, Value x, Value y,
                          bool isSigned, bool remainder);
/// Converts a scalar from `from` to `to` (optc element types) as optc.cast
/// does; failure for conversions without a lowering. Narrow types (below)
/// are their storage bytes on either side.
FailureOr<Value> castScalar(OpBuilder &b, Location loc, Value x, Type from,
                            Type to, bool saturate = true);

// Narrow element types (NarrowTypes.cpp): the 8-bit floats, f4E2M1FN and
// 2- and 4-bit integers, stored one per byte in the low bits.
bool isNarrowFloat(Type element);
bool isNarrow(Type element);
/// The f32 value of `byte` (i8), which holds a `from` value.
Value decodeNarrowFloat(OpBuilder &b, Location loc, Value byte, FloatType from);
/// The byte (i8) holding `x` (f32) rounded to `to`; see NarrowTypes.cpp for
/// saturation.
Value encodeNarrowFloat(OpBuilder &b, Location loc, Value x, FloatType to,
                        bool saturate);
/// The i8 value of `byte`, which holds a `from` integer (sign- or
/// zero-extended by `from`'s signedness).
Value decodeNarrowInteger(OpBuilder &b, Location loc, Value byte,
                          IntegerType from);
/// The byte holding the low bits of the integer `x` (of 8 bits or more):
/// integer conversions wrap.
Value encodeNarrowInteger(OpBuilder &b, Location loc, Value x, IntegerType to);

/// How an element type computes: float, signed or unsigned integer, bool.
enum class Kind { Float, Signed, Unsigned, Bool };

inline Kind kindOf(Type optcElement) {
  if (isa<FloatType>(optcElement))
    return Kind::Float;
  if (optcElement.isInteger(1))
    return Kind::Bool;
  return cast<IntegerType>(optcElement).isUnsigned() ? Kind::Unsigned
                                                     : Kind::Signed;
}

/// The identity of a reduction and its combining step.
struct Reduction {
  double identity;
  std::function<Value(OpBuilder &, Location, Value, Value)> combine;
};

template <typename Op> Reduction reductionOf(Kind kind) {
  bool isFloat = kind == Kind::Float, isSigned = kind == Kind::Signed;
  if constexpr (std::is_same_v<Op, ReduceSumOp> ||
                std::is_same_v<Op, ReduceMeanOp>)
    return {0, [isFloat](OpBuilder &b, Location l, Value x, Value y) {
              return isFloat ? Value(arith::AddFOp::create(b, l, x, y))
                             : Value(arith::AddIOp::create(b, l, x, y));
            }};
  if constexpr (std::is_same_v<Op, ReduceProdOp>)
    return {1, [isFloat](OpBuilder &b, Location l, Value x, Value y) {
              return isFloat ? Value(arith::MulFOp::create(b, l, x, y))
                             : Value(arith::MulIOp::create(b, l, x, y));
            }};
  if constexpr (std::is_same_v<Op, ReduceMaxOp>) {
    double identity = isFloat ? -INFINITY : 0;
    if (kind == Kind::Bool)
      identity = 0;
    return {
        identity,
        [kind, isSigned](OpBuilder &b, Location l, Value x, Value y) -> Value {
          if (kind == Kind::Float)
            return arith::MaximumFOp::create(b, l, x, y);
          if (kind == Kind::Bool)
            return arith::OrIOp::create(b, l, x, y);
          return isSigned ? Value(arith::MaxSIOp::create(b, l, x, y))
                          : Value(arith::MaxUIOp::create(b, l, x, y));
        }};
  }
  return {
      isFloat ? INFINITY : -1.0,
      [kind, isSigned](OpBuilder &b, Location l, Value x, Value y) -> Value {
        if (kind == Kind::Float)
          return arith::MinimumFOp::create(b, l, x, y);
        if (kind == Kind::Bool)
          return arith::AndIOp::create(b, l, x, y);
        return isSigned ? Value(arith::MinSIOp::create(b, l, x, y))
                        : Value(arith::MinUIOp::create(b, l, x, y));
      }};
}

/// A linalg.contract of `lhs` and `rhs` into `init` with the loop maps
/// `maps` (lhs, rhs, init): a matrix product of any layout and batching,
/// which vectorises to a vector.contract with those maps. The operands are
/// extended to the accumulator's type.
Value contraction(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
                  ArrayRef<AffineMap> maps);

/// Whether sums over `element` accumulate in f32 (f16, bf16).
bool accumulatesWide(Type element);
/// `value` extended to f32 when its floats accumulate wide, else itself.
Value widenFloats(OpBuilder &b, Location loc, Value value);
/// `value` rounded to `element` when it is not of that type already.
Value narrowFloats(OpBuilder &b, Location loc, Value value, Type element);

/// `x <predicate> y` as an i1, with the signedness of `kind`; floats compare
/// ordered (any NaN is false) except `ne`.
Value compare(OpBuilder &b, Location loc, ComparePredicate predicate, Value x,
              Value y, Kind kind);

Value identityOf(OpBuilder &b, Location loc, Type type, double identity,
                 Kind kind, bool isMax, bool isMin);
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             const Reduction &reduction, Value identity);

// Positions computed from index tensors and strides (Common.cpp).

/// Where a position `t` of a stride-spread axis comes from: `t / stride`,
/// and whether that is a real element (t >= 0, divisible by the stride,
/// and below `size`).
std::pair<Value, Value> stridedSource(OpBuilder &b, Location loc, Value t,
                                      int64_t stride, int64_t size);
/// `value` (an index) clamped to [0, size - 1].
Value clampIndex(OpBuilder &b, Location loc, Value value, int64_t size);
/// An index read from a tensor (any integer type) as an index, negative
/// values counting from the end, clamped into [0, size).
Value normalizeIndex(OpBuilder &b, Location loc, Value value, int64_t size,
                     bool isUnsigned);
/// A linalg.generic over `resultType` whose `inputs` are read at positions
/// given by their maps and whose body also sees the loop indices.
Value indexedGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                     ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                     function_ref<Value(OpBuilder &, Location,
                                        ValueRange indices, ValueRange args)>
                         body);
bool isStatic(Value value);
/// The lowest value of a type, the identity of max: -inf or the minimum.
Value lowest(OpBuilder &b, Location loc, Type type, Kind kind);

// The lowering patterns, one family per file (as StableHLO splits its
// linalg conversions).

/// Elementwise ops and random draws (Pointwise.cpp).
void populatePointwiseLoweringPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);
/// Matrix products (Contraction.cpp).
void populateContractionLoweringPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);
/// Convolutions, transposed convolutions, pooling (Convolution.cpp).
void populateConvolutionLoweringPatterns(const TypeConverter &converter,
                                         RewritePatternSet &patterns);
/// Transpose, reshape, broadcast, concat, slice, pad, tile, split
/// (DataMovement.cpp).
void populateDataMovementLoweringPatterns(const TypeConverter &converter,
                                          RewritePatternSet &patterns);
/// Gathers and scatters (Gathers.cpp).
void populateGatherLoweringPatterns(const TypeConverter &converter,
                                    RewritePatternSet &patterns);
/// Reductions, softmax, arg-reductions, scans (Reductions.cpp).
void populateReductionLoweringPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);
/// TopK (TopK.cpp).
void populateTopKLoweringPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
/// optc.quantized_matmul on the CPU micro-kernel (QuantizedMatmul.cpp).
void populateQuantizedMatmulLoweringPatterns(const TypeConverter &converter,
                                             RewritePatternSet &patterns);
void populateIntegerMatmulLoweringPatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);
/// Packed quantized tensors: optc.pack, unpack, quantize, dequantize
/// (Quantized.cpp).
void populateQuantizedLoweringPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns);

// Quantized tensors (#optc.quant) are their packed bytes (Quantized.cpp).

/// The storage of a quantized tensor: tensor<B x i8> of its packed codes
/// (tensor<? x i8> for an unknown shape).
RankedTensorType packedStorageType(RankedTensorType quantized);
/// A constant of a quantized tensor type as its packed storage; null when
/// it cannot be read.
ElementsAttr packedConstant(ElementsAttr value);
/// The f32 value of a quantized tensor's code of `codeType` (integer or
/// float), from an i8 holding its bits in the low bits (higher bits are
/// ignored).
Value decodeCode(OpBuilder &b, Location loc, Value code, Type codeType);
/// Whether the CPU micro-kernel runs `op` (QuantizedMatmul.cpp); other
/// quantized products are decomposed by --optc-decompose.
bool runsOnMicroKernel(QuantizedMatmulOp op);
/// Whether the CPU's 8-bit integer product (optc_igemm_i32) runs `op`
/// (IntegerMatmul.cpp); others are decomposed by --optc-decompose.
bool runsOnIntegerKernel(IntegerMatmulOp op);

} // namespace mlir::optc::lowering

#endif // OPTC_PASSES_CONVERSION_OPTCTOLINALG_LOWERING_H
