//===- OptcShapes.h - shape rules of the optc operations --------*- C++ -*-===//
//
// One shape computation per optc operation. Result-type inference, the
// verifiers and the lowerings all call these functions, so they cannot
// disagree about a shape.
//
// Shapes are lists of sizes in which ShapedType::kDynamic marks an unknown
// size. Each rule propagates unknown sizes where it can and checks what it
// can check. On a broken rule it returns failure and, when `emitError` is
// given, reports what was expected and what was found.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_OPTCSHAPES_H
#define OPTC_DIALECTS_OPTC_IR_OPTCSHAPES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::optc::shape {

using Shape = SmallVector<int64_t>;

/// The largest rank optc compiles. A size operand's length becomes a rank
/// (the shape of dynamic_reshape, dynamic_broadcast, ...): a length of
/// 10^9 would build a shape of 10^9 dimensions and hang, one of 2^32 or
/// more abort. No model comes near it; ONNX sets no limit.
inline constexpr int64_t kMaxRank = 64;

/// Reports a broken rule; may be null when no diagnostic is wanted.
using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

/// Numpy broadcasting of any number of shapes.
FailureOr<Shape> broadcast(ArrayRef<ArrayRef<int64_t>> shapes,
                           EmitErrorFn emitError);

/// Checks that every size of a shape given as an attribute is known and
/// non-negative; `name` says which attribute.
LogicalResult verifyStaticShape(ArrayRef<int64_t> shape, StringRef name,
                                EmitErrorFn emitError);

/// Unidirectional broadcasting of `input` to exactly `target`. Unknown sizes
/// on either side are accepted.
LogicalResult broadcastTo(ArrayRef<int64_t> input, ArrayRef<int64_t> target,
                          EmitErrorFn emitError);

/// optc.broadcast: `target`, an attribute, has known sizes and is the
/// result; `input` broadcasts to it.
FailureOr<Shape> staticBroadcast(ArrayRef<int64_t> input,
                                 ArrayRef<int64_t> target,
                                 EmitErrorFn emitError);

/// numpy.matmul, with 1-D promotion and broadcast batch dimensions.
FailureOr<Shape> matmul(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                        EmitErrorFn emitError);

/// The parameters of a sliding window over `n` spatial dimensions.
struct Window {
  ArrayRef<int64_t> strides;   // n entries, > 0
  ArrayRef<int64_t> dilations; // n entries, > 0
  ArrayRef<int64_t> padding;   // n low pads then n high pads, >= 0
};

/// Checks the sizes and values of a window's attributes for `n` spatial
/// dimensions.
LogicalResult verifyWindow(const Window &window, size_t n,
                           EmitErrorFn emitError);

/// Convolution: input N x C x D..., weight F x C/groups x K...
FailureOr<Shape> conv(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                      const Window &window, int64_t groups,
                      EmitErrorFn emitError);

/// Transposed convolution: input N x C x D..., weight C x F/groups x K...
FailureOr<Shape> convTranspose(ArrayRef<int64_t> input,
                               ArrayRef<int64_t> weight, const Window &window,
                               ArrayRef<int64_t> outputPadding, int64_t groups,
                               EmitErrorFn emitError);

/// Pooling of an N x C x D... input with the given kernel.
FailureOr<Shape> pool(ArrayRef<int64_t> input, ArrayRef<int64_t> kernel,
                      const Window &window, bool ceilMode,
                      EmitErrorFn emitError);

/// Reduction over sorted, unique, in-range `axes`.
FailureOr<Shape> reduce(ArrayRef<int64_t> input, ArrayRef<int64_t> axes,
                        bool keepDims, EmitErrorFn emitError);

/// Arg-reduction along one in-range axis.
FailureOr<Shape> argReduce(ArrayRef<int64_t> input, int64_t axis, bool keepDims,
                           EmitErrorFn emitError);

/// Checks that `axis` is in [0, rank).
LogicalResult verifyAxis(int64_t axis, int64_t rank, EmitErrorFn emitError,
                         StringRef name = "axis");

/// A named operand of a rule, for diagnostics.
struct Param {
  StringRef name;
  ArrayRef<int64_t> shape;
};

/// Normalisation over `input[axis:]`: every parameter broadcasts to the
/// normalised shape, and the parameters agree with each other where the
/// input's sizes are unknown.
LogicalResult normalizedParams(ArrayRef<int64_t> input, int64_t axis,
                               ArrayRef<Param> params, EmitErrorFn emitError);

/// Per-channel parameters of an N x C x ... input: 1-D tensors of size C.
/// Returns C, taken from the parameters when the input does not know it.
FailureOr<int64_t> channelParams(ArrayRef<int64_t> input,
                                 ArrayRef<Param> params, EmitErrorFn emitError);

/// Reshape to `shape`, where one entry may be -1 (computed).
FailureOr<Shape> reshape(ArrayRef<int64_t> input, ArrayRef<int64_t> shape,
                         EmitErrorFn emitError);

/// Dimension permutation.
FailureOr<Shape> transpose(ArrayRef<int64_t> input,
                           ArrayRef<int64_t> permutation,
                           EmitErrorFn emitError);

/// Concatenation along `axis`.
FailureOr<Shape> concat(ArrayRef<ArrayRef<int64_t>> inputs, int64_t axis,
                        EmitErrorFn emitError);

/// Split along `axis` into pieces of `sizes`.
FailureOr<SmallVector<Shape>> split(ArrayRef<int64_t> input, int64_t axis,
                                    ArrayRef<int64_t> sizes,
                                    EmitErrorFn emitError);

/// Strided slice with bounds clamped like numpy's (see optc.slice); sizes the
/// input does not know stay unknown.
FailureOr<Shape> slice(ArrayRef<int64_t> input, ArrayRef<int64_t> starts,
                       ArrayRef<int64_t> limits, ArrayRef<int64_t> strides,
                       EmitErrorFn emitError);

/// How far a padding mode may pad: without limit (constant, edge), at most
/// size - 1 (reflect) or at most size (wrap), never cropping in the last two.
enum class PadLimit { None, Reflect, Wrap };
FailureOr<Shape> pad(ArrayRef<int64_t> input, ArrayRef<int64_t> low,
                     ArrayRef<int64_t> high, PadLimit limit,
                     EmitErrorFn emitError);

/// Repetition `multiples[d]` times along each dimension.
FailureOr<Shape> tile(ArrayRef<int64_t> input, ArrayRef<int64_t> multiples,
                      EmitErrorFn emitError);

/// The length of a 1-D size operand of shape `operand` (the shape of
/// dynamic_reshape, the bounds of dynamic_slice...), which must be known
/// and at most kMaxRank.
FailureOr<int64_t> sizesLength(ArrayRef<int64_t> operand, StringRef name,
                               EmitErrorFn emitError);

/// optc.dynamic_reshape: `shapeOperand` is the shape of the shape operand.
FailureOr<Shape> dynamicReshape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> shapeOperand,
                                EmitErrorFn emitError);

/// optc.dynamic_broadcast (bidirectional, like ONNX Expand).
FailureOr<Shape> dynamicBroadcast(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> shapeOperand,
                                  EmitErrorFn emitError);

/// optc.range: `start`, `limit` and `delta` are 0-d; the length is unknown.
FailureOr<Shape> range(ArrayRef<int64_t> start, ArrayRef<int64_t> limit,
                       ArrayRef<int64_t> delta, EmitErrorFn emitError);

/// optc.dynamic_slice and optc.dynamic_pad: each of `operands` holds one
/// entry per dimension of `input`. Every result size is unknown.
FailureOr<Shape> dynamicWindow(ArrayRef<int64_t> input,
                               ArrayRef<Param> operands, EmitErrorFn emitError);

/// optc.dynamic_tile: only empty dimensions stay known.
FailureOr<Shape> dynamicTile(ArrayRef<int64_t> input,
                             ArrayRef<int64_t> multiplesOperand,
                             EmitErrorFn emitError);

/// optc.gather.
FailureOr<Shape> gather(ArrayRef<int64_t> data, ArrayRef<int64_t> indices,
                        int64_t axis, EmitErrorFn emitError);

/// optc.gather_elements.
FailureOr<Shape> gatherElements(ArrayRef<int64_t> data,
                                ArrayRef<int64_t> indices, int64_t axis,
                                EmitErrorFn emitError);

/// optc.gather_nd.
FailureOr<Shape> gatherNd(ArrayRef<int64_t> data, ArrayRef<int64_t> indices,
                          int64_t batchDims, EmitErrorFn emitError);

/// optc.scatter_elements: checks indices and updates against data.
LogicalResult scatterElements(ArrayRef<int64_t> data, ArrayRef<int64_t> indices,
                              ArrayRef<int64_t> updates, int64_t axis,
                              EmitErrorFn emitError);

/// optc.scatter_nd: checks indices and updates against data.
LogicalResult scatterNd(ArrayRef<int64_t> data, ArrayRef<int64_t> indices,
                        ArrayRef<int64_t> updates, EmitErrorFn emitError);

/// The number of elements, or nullopt when a size is unknown.
std::optional<int64_t> numElements(ArrayRef<int64_t> shape);

/// Prints a shape as `2x?x3` (scalars as `[]`) for diagnostics.
std::string str(ArrayRef<int64_t> shape);

} // namespace mlir::optc::shape

#endif // OPTC_DIALECTS_OPTC_IR_OPTCSHAPES_H
