//===- FoldShapes.cpp - folders and canonicalisation of shapes ------------===//
//
// Folders and canonicalisation patterns of the shape ops (reshape,
// broadcast, shape_of, the dynamic_* forms whose sizes become known) and
// of fusion regions.
//
// Replacing a result by an operand needs the same type and the same sizes at
// run time. Equal types guarantee that only for ops whose result sizes are
// their operand's (elementwise unary ops, transposes by the identity, ...).
// Where an unknown size could be stretched, sliced or reshaped at run time
// (broadcasting binary ops, reshape, broadcast, slice), the type must also
// be fully static.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/FoldUtils.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "dialects/Optc/IR/OptcShapes.h"
#include "optc/Support/Sizes.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::folding;

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameStaticType(getInput(), getType()))
    return r;
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  // Only inline constants are reshaped. A blob stays as it is: its reshape
  // is a free view at run time, a constant of the blob in a second shape
  // would be stored twice, and the folds that move elements read through
  // the reshape.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (isStatic(getType()))
      return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return ifSameType(getInput(), getType());
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // Result dim i is inner-result dim perm[i], which is input dim
    // innerPerm[perm[i]].
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPermutation()[p]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  if (Attribute splat = resplat(adaptor.getInput(), getType()))
    return splat;
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (std::optional<RawElements> raw = rawElementsOf(
          constantThroughReshapes(getInput(), adaptor.getInput()));
      raw && inputType.hasStaticShape()) {
    // Result dimension r steps through input dimension perm[r].
    SmallVector<int64_t> inStrides = stridesOf(inputType.getShape()), steps;
    for (int64_t p : perm)
      steps.push_back(inStrides[p]);
    if (ElementsAttr moved =
            moveConstant(cast<RankedTensorType>(getType()), *raw, 0, steps))
      return moved;
  }
  // Permute the elements of other small constants (bools, packed narrow
  // types).
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> values = elementsOf(adaptor.getInput());
  if (!result || !values)
    return {};
  ArrayRef<int64_t> inShape = cast<ShapedType>(getInput().getType()).getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += index[r] * inStrides[perm[r]];
    out.push_back((*values)[at]);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameStaticType(getInput(), getType()))
    return r;
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return ifSameType(getInputs().front(), getType());
  RankedTensorType result = foldableResult(getType());
  if (!result)
    return {};
  // Row-major: for every index before the axis, each input contributes its
  // slab of the trailing dimensions in turn.
  int64_t axis = getAxis();
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<int64_t> slabs;
  for (auto [operand, input] : llvm::zip(adaptor.getInputs(), getInputs())) {
    std::optional<SmallVector<Attribute>> elements = elementsOf(operand);
    if (!elements)
      return {};
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(input.getType()).getShape();
    // Sizes of verified types, within the limits per tensor; no fold
    // rather than a wrapped size otherwise.
    std::optional<int64_t> slab = sizes::product(shape.drop_front(axis));
    if (!slab)
      return {};
    values.push_back(std::move(*elements));
    slabs.push_back(*slab);
  }
  std::optional<int64_t> outer =
      sizes::product(result.getShape().take_front(axis));
  if (!outer)
    return {};
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t o = 0; o < *outer; ++o)
    for (auto [v, slab] : llvm::zip(values, slabs))
      out.append(v.begin() + o * slab, v.begin() + (o + 1) * slab);
  return DenseElementsAttr::get(result, out);
}

LogicalResult SplitOp::fold(FoldAdaptor adaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() == 1 && getInput().getType() == getType(0)) {
    results.push_back(getInput());
    return success();
  }
  if (isa_and_nonnull<SplatElementsAttr>(adaptor.getInput())) {
    for (Type type : getResultTypes()) {
      Attribute splat = resplat(adaptor.getInput(), type);
      if (!splat)
        return failure();
      results.push_back(splat);
    }
    return success();
  }
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (std::optional<RawElements> raw = rawElementsOf(
          constantThroughReshapes(getInput(), adaptor.getInput()));
      raw && inputType.hasStaticShape()) {
    // Each piece is a slice along the axis.
    SmallVector<int64_t> steps = stridesOf(inputType.getShape());
    SmallVector<OpFoldResult> pieces;
    int64_t offset = 0;
    for (auto [type, piece] : llvm::zip(getResultTypes(), getSizes())) {
      auto pieceType = dyn_cast<RankedTensorType>(type);
      ElementsAttr moved =
          pieceType
              ? moveConstant(pieceType, *raw, offset * steps[getAxis()], steps)
              : ElementsAttr();
      if (!moved)
        break;
      pieces.push_back(moved);
      offset += piece;
    }
    if (pieces.size() == getNumResults()) {
      results.append(pieces);
      return success();
    }
  }
  // Small constants (shape computations) split into constant pieces.
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getInput());
  if (!data || !inputType.hasStaticShape() ||
      !llvm::all_of(getResultTypes(),
                    [](Type type) { return foldableResult(type); }))
    return failure();
  int64_t axis = getAxis(), size = inputType.getDimSize(axis);
  auto [outer, inner] = aroundAxis(inputType.getShape(), axis);
  int64_t offset = 0;
  for (auto [type, piece] : llvm::zip(getResultTypes(), getSizes())) {
    SmallVector<Attribute> out;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t a = offset; a < offset + piece; ++a)
        for (int64_t i = 0; i < inner; ++i)
          out.push_back((*data)[(o * size + a) * inner + i]);
    results.push_back(
        DenseElementsAttr::get(cast<RankedTensorType>(type), out));
    offset += piece;
  }
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (!result || !data || !indices || !dataType.hasStaticShape())
    return {};
  int64_t axis = getAxis(), size = dataType.getDimSize(axis);
  auto [outer, inner] = aroundAxis(dataType.getShape(), axis);
  SmallVector<int64_t> positions;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t p = i.getSExtValue();
    if (p < 0)
      p += size;
    if (p < 0 || p >= size)
      return {}; // an out-of-range index is a run-time error
    positions.push_back(p);
  }
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t p : positions)
      for (int64_t i = 0; i < inner; ++i)
        out.push_back((*data)[(o * size + p) * inner + i]);
  return DenseElementsAttr::get(result, out);
}

OpFoldResult GatherElementsOp::fold(FoldAdaptor adaptor) {
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (!result || !data || !indices || !dataType.hasStaticShape())
    return {};
  int64_t axis = getAxis(), size = dataType.getDimSize(axis);
  SmallVector<int64_t> dataStrides = stridesOf(dataType.getShape());
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t p = i.getSExtValue();
    if (p < 0)
      p += size;
    if (p < 0 || p >= size)
      return {}; // an out-of-range index is a run-time error
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += (r == axis ? p : index[r]) * dataStrides[r];
    out.push_back((*data)[at]);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

/// Scattering replaces (reduction none) or combines elements of a constant;
/// only replacement is folded, and only when no index repeats (the order of
/// repeated writes is unspecified).
OpFoldResult ScatterElementsOp::fold(FoldAdaptor adaptor) {
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getData());
  std::optional<SmallVector<Attribute>> updates =
      elementsOf(adaptor.getUpdates());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  if (!result || !data || !updates || !indices ||
      getReduction() != ScatterReduction::none)
    return {};
  ArrayRef<int64_t> shape = result.getShape();
  ArrayRef<int64_t> indexShape =
      cast<ShapedType>(getIndices().getType()).getShape();
  int64_t axis = getAxis(), rank = shape.size();
  SmallVector<int64_t> strides = stridesOf(shape);
  SmallVector<int64_t> index(rank, 0);
  llvm::DenseSet<int64_t> written;
  SmallVector<Attribute> out(*data);
  int64_t n = 0;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t p = i.getSExtValue();
    if (p < 0)
      p += shape[axis];
    if (p < 0 || p >= shape[axis])
      return {}; // an out-of-range index is a run-time error
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += (r == axis ? p : index[r]) * strides[r];
    if (!written.insert(at).second)
      return {};
    out[at] = (*updates)[n++];
    nextIndex(index, indexShape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && isStatic(getType()) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  if (Attribute splat = resplat(adaptor.getInput(), getType()))
    return splat;
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (!inputType.hasStaticShape())
    return {};
  // Clamp the starts as the op does.
  SmallVector<int64_t> starts;
  for (auto [size, start, stride] :
       llvm::zip(inputType.getShape(), getStarts(), getStrides()))
    starts.push_back(stride > 0 ? std::clamp<int64_t>(start, 0, size)
                                : std::clamp<int64_t>(start, -1, size - 1));
  SmallVector<int64_t> inStrides = stridesOf(inputType.getShape());
  if (std::optional<RawElements> raw = rawElementsOf(
          constantThroughReshapes(getInput(), adaptor.getInput()))) {
    int64_t base = 0;
    SmallVector<int64_t> steps;
    for (auto [start, stride, inStride] :
         llvm::zip(starts, getStrides(), inStrides)) {
      base += start * inStride;
      steps.push_back(stride * inStride);
    }
    if (auto result = dyn_cast<RankedTensorType>(getType()))
      if (ElementsAttr moved = moveConstant(result, *raw, base, steps))
        return moved;
  }
  // Walk the result positions of other small constants.
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> values = elementsOf(adaptor.getInput());
  if (!result || !values)
    return {};
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = result.getRank();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += (starts[r] + index[r] * getStrides()[r]) * inStrides[r];
    out.push_back((*values)[at]);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  auto isZero = [](int64_t v) { return v == 0; };
  if (llvm::all_of(getLow(), isZero) && llvm::all_of(getHigh(), isZero))
    return ifSameType(getInput(), getType());
  // Constant padding of a constant: every result element either reads the
  // input or is the padding value.
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> values = elementsOf(adaptor.getInput());
  if (!result || !values || getMode() != PadMode::constant)
    return {};
  Type element = result.getElementType();
  Attribute fill;
  if (getValue()) {
    std::optional<SmallVector<Attribute>> v = elementsOf(adaptor.getValue());
    if (!v || v->size() != 1)
      return {};
    fill = (*v)[0];
  } else if (isa<FloatType>(element)) {
    fill = FloatAttr::get(element, 0.0);
  } else {
    fill = IntegerAttr::get(element, 0);
  }
  ArrayRef<int64_t> inShape = cast<ShapedType>(getInput().getType()).getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    int64_t at = 0;
    bool inside = true;
    for (int64_t r = 0; r < rank && inside; ++r) {
      int64_t i = index[r] - getLow()[r];
      inside = i >= 0 && i < inShape[r];
      at += i * inStrides[r];
    }
    out.push_back(inside ? (*values)[at] : fill);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  if (llvm::all_of(getMultiples(), [](int64_t m) { return m == 1; }))
    return ifSameType(getInput(), getType());
  return resplat(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Shape operations with sizes given at run time
//===----------------------------------------------------------------------===//

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  auto input = cast<RankedTensorType>(getInput().getType());
  if (!input.hasStaticShape())
    return {};
  return DenseIntElementsAttr::get(cast<ShapedType>(getType()),
                                   input.getShape());
}

namespace {
/// Replaces `op` by `value`, cast back to the op's result type when the
/// replacement knows more sizes (--optc-infer-shapes refines the users).
void replaceWithCast(PatternRewriter &rewriter, Operation *op, Value value) {
  Type type = op->getResult(0).getType();
  if (value.getType() != type)
    value = tensor::CastOp::create(rewriter, op->getLoc(), type, value);
  rewriter.replaceOp(op, value);
}

/// The values of a constant 1-D i64 size operand.
std::optional<SmallVector<int64_t>> constantSizes(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return llvm::to_vector(
      llvm::map_range(attr.getValues<APInt>(),
                      [](const APInt &a) { return a.getSExtValue(); }));
}

/// Builds `OpTy` with inferred result types, or returns null when its shape
/// rule rejects the operands (they stay for run time to report).
template <typename OpTy, typename... Args>
Value buildChecked(PatternRewriter &rewriter, Location loc, Args &&...args) {
  OperationState state(loc, OpTy::getOperationName());
  OpTy::build(rewriter, state, Type(), std::forward<Args>(args)...);
  state.types.clear();
  SmallVector<Type> types;
  if (failed(OpTy::inferReturnTypes(
          rewriter.getContext(), std::nullopt, state.operands,
          state.attributes.getDictionary(rewriter.getContext()),
          state.getRawProperties(), state.regions, types)))
    return {};
  state.addTypes(types);
  return rewriter.create(state)->getResult(0);
}

/// Rewrites a dynamic_* op into its attribute form with `build`, which
/// returns null while the sizes are not constants or when the static rule
/// rejects them (then they stay for run time to report).
template <typename DynOp> struct ToStaticForm : OpRewritePattern<DynOp> {
  using Build = Value (*)(DynOp, PatternRewriter &);
  ToStaticForm(MLIRContext *context, Build build)
      : OpRewritePattern<DynOp>(context), build(build) {}
  LogicalResult matchAndRewrite(DynOp op,
                                PatternRewriter &rewriter) const override {
    Value v = build(op, rewriter);
    if (!v)
      return failure();
    replaceWithCast(rewriter, op, v);
    return success();
  }
  Build build;
};

Value staticReshape(DynamicReshapeOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> shape = constantSizes(op.getShape());
  // A static result needs no sizes: shape inference found that every valid
  // shape operand gives it (a rank-1 result holds all the elements).
  auto result = cast<RankedTensorType>(op.getType());
  if (!shape && result.hasStaticShape() &&
      cast<RankedTensorType>(op.getInput().getType()).hasStaticShape())
    shape = SmallVector<int64_t>(result.getShape());
  if (!shape)
    return {};
  return buildChecked<ReshapeOp>(rewriter, op.getLoc(), op.getInput(), *shape);
}

Value staticBroadcast(DynamicBroadcastOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> shape = constantSizes(op.getShape());
  if (!shape)
    return {};
  // The bidirectional result: where the target says 1 the input's size
  // stays, which optc.broadcast can only express when it is known.
  ArrayRef<int64_t> input =
      cast<RankedTensorType>(op.getInput().getType()).getShape();
  int64_t rank = std::max<int64_t>(shape->size(), input.size());
  SmallVector<int64_t> target(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t inIndex = i - (rank - static_cast<int64_t>(input.size()));
    int64_t shIndex = i - (rank - static_cast<int64_t>(shape->size()));
    int64_t in = inIndex >= 0 ? input[inIndex] : 1;
    int64_t s = shIndex >= 0 ? (*shape)[shIndex] : 1;
    if (s < 0)
      return {};
    if (s == 1) {
      if (ShapedType::isDynamic(in))
        return {};
      target[i] = in;
    } else if (ShapedType::isDynamic(in) || in == 1 || in == s) {
      target[i] = s;
    } else {
      return {}; // incompatible: left for run time to report
    }
  }
  return buildChecked<BroadcastOp>(rewriter, op.getLoc(), op.getInput(),
                                   target);
}

Value staticSlice(DynamicSliceOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> starts = constantSizes(op.getStarts());
  std::optional<SmallVector<int64_t>> limits = constantSizes(op.getLimits());
  std::optional<SmallVector<int64_t>> strides = constantSizes(op.getStrides());
  if (!starts || !limits || !strides)
    return {};
  return buildChecked<SliceOp>(rewriter, op.getLoc(), op.getInput(), *starts,
                               *limits, *strides);
}

Value staticPad(DynamicPadOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> low = constantSizes(op.getLow());
  std::optional<SmallVector<int64_t>> high = constantSizes(op.getHigh());
  if (!low || !high)
    return {};
  return buildChecked<PadOp>(rewriter, op.getLoc(), op.getMode(), op.getInput(),
                             op.getValue(), *low, *high);
}

Value staticTile(DynamicTileOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> multiples =
      constantSizes(op.getMultiples());
  if (!multiples)
    return {};
  return buildChecked<TileOp>(rewriter, op.getLoc(), op.getInput(), *multiples);
}

/// optc.range of constants: the sequence, when it is short enough to fold.
struct ConstantRange : OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr start, limit, delta;
    if (!matchPattern(op.getStart(), m_Constant(&start)) ||
        !matchPattern(op.getLimit(), m_Constant(&limit)) ||
        !matchPattern(op.getDelta(), m_Constant(&delta)))
      return failure();
    Type element = getElementTypeOrSelf(op.getType());
    SmallVector<Attribute> values;
    if (isa<FloatType>(element)) {
      if (!isFoldableFloat(element))
        return failure();
      auto get = [](DenseElementsAttr a) {
        return (*a.getValues<APFloat>().begin()).convertToDouble();
      };
      double s = get(start), l = get(limit), d = get(delta);
      if (d == 0)
        return failure(); // left for run time to report
      double n = std::max(std::ceil((l - s) / d), 0.0);
      if (!std::isfinite(n) || n > kMaxFoldedElements)
        return failure();
      for (int64_t i = 0; i < static_cast<int64_t>(n); ++i)
        values.push_back(FloatAttr::get(element, s + i * d));
    } else {
      bool isUns = isUnsigned(element);
      auto get = [&](DenseElementsAttr a) -> __int128 {
        APInt v = *a.getValues<APInt>().begin();
        return isUns ? static_cast<__int128>(v.getZExtValue())
                     : static_cast<__int128>(v.getSExtValue());
      };
      __int128 s = get(start), l = get(limit), d = get(delta);
      if (d == 0)
        return failure(); // left for run time to report
      // ceil((l - s) / d), at least 0.
      __int128 span = l - s;
      __int128 n = span / d;
      if (span % d != 0 && ((span < 0) == (d < 0)))
        ++n;
      if (n > kMaxFoldedElements)
        return failure();
      unsigned width = element.getIntOrFloatBitWidth();
      for (__int128 i = 0; i < n; ++i)
        values.push_back(IntegerAttr::get(
            element, APInt(width, static_cast<uint64_t>(s + i * d),
                           /*isSigned=*/false, /*implicitTrunc=*/true)));
    }
    auto type =
        RankedTensorType::get({static_cast<int64_t>(values.size())}, element);
    Value constant = ConstantOp::create(
        rewriter, op.getLoc(),
        cast<ElementsAttr>(DenseElementsAttr::get(type, values)));
    replaceWithCast(rewriter, op, constant);
    return success();
  }
};
/// optc.non_zero of a constant: the constant indices.
struct ConstantNonZero : OpRewritePattern<NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonZeroOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr input;
    if (!matchPattern(op.getInput(), m_Constant(&input)) ||
        input.getNumElements() > kMaxFoldedElements)
      return failure();
    ArrayRef<int64_t> shape = input.getType().getShape();
    int64_t rank = shape.size();
    SmallVector<SmallVector<int64_t>> columns;
    SmallVector<int64_t> index(rank, 0);
    for (Attribute a : input.getValues<Attribute>()) {
      bool nonZero = isa<FloatAttr>(a)
                         ? !cast<FloatAttr>(a).getValue().isZero()
                         : !cast<IntegerAttr>(a).getValue().isZero();
      if (nonZero)
        columns.push_back(index);
      nextIndex(index, shape);
    }
    int64_t count = columns.size();
    SmallVector<int64_t> values(rank * count);
    for (int64_t j = 0; j < count; ++j)
      for (int64_t r = 0; r < rank; ++r)
        values[r * count + j] = columns[j][r];
    auto type = RankedTensorType::get({rank, count}, rewriter.getI64Type());
    Value constant = ConstantOp::create(
        rewriter, op.getLoc(),
        cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
    replaceWithCast(rewriter, op, constant);
    return success();
  }
};
} // namespace

void NonZeroOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ConstantNonZero>(context);
}
void DynamicReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                   MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicReshapeOp>>(context, staticReshape);
}
void DynamicBroadcastOp::getCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicBroadcastOp>>(context, staticBroadcast);
}
void DynamicSliceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                 MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicSliceOp>>(context, staticSlice);
}
void DynamicPadOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                               MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicPadOp>>(context, staticPad);
}
void DynamicTileOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicTileOp>>(context, staticTile);
}
void RangeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                          MLIRContext *context) {
  patterns.add<ConstantRange>(context);
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

namespace {
/// Shrinks an optc.fusion to what it needs: results that merely forward an
/// operand are replaced by that operand, duplicate operands are merged, and
/// unused operands and results are dropped. A fusion left without results
/// is then dead and erased by the canonicaliser.
struct SimplifyFusion : OpRewritePattern<FusionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FusionOp op,
                                PatternRewriter &rewriter) const override {
    Block &body = op.getBodyBlock();
    YieldOp yield = op.getYield();
    bool changed = false;

    // Results that yield a block argument are the matching operand.
    for (auto [result, value] : llvm::zip(op.getResults(), yield.getValues())) {
      auto arg = dyn_cast<BlockArgument>(value);
      if (!arg || arg.getOwner() != &body || result.use_empty())
        continue;
      rewriter.replaceAllUsesWith(result, op.getInputs()[arg.getArgNumber()]);
      changed = true;
    }

    // One block argument per distinct operand.
    for (unsigned j = 0; j < body.getNumArguments(); ++j) {
      for (unsigned i = 0; i < j; ++i) {
        if (op.getInputs()[i] != op.getInputs()[j] ||
            body.getArgument(j).use_empty())
          continue;
        rewriter.replaceAllUsesWith(body.getArgument(j), body.getArgument(i));
        changed = true;
        break;
      }
    }

    llvm::BitVector deadArgs(body.getNumArguments());
    SmallVector<Value> keptInputs;
    for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
      if (arg.use_empty())
        deadArgs.set(i);
      else
        keptInputs.push_back(op.getInputs()[i]);
    }
    SmallVector<unsigned> keptResults;
    for (OpResult result : op.getResults())
      if (!result.use_empty())
        keptResults.push_back(result.getResultNumber());
    if (deadArgs.none() && keptResults.size() == op.getNumResults())
      return success(changed);

    SmallVector<Type> resultTypes;
    SmallVector<Value> yielded;
    for (unsigned r : keptResults) {
      resultTypes.push_back(op.getResult(r).getType());
      yielded.push_back(yield.getValues()[r]);
    }
    auto fused =
        FusionOp::create(rewriter, op.getLoc(), resultTypes, keptInputs,
                         op->getDiscardableAttrDictionary().getValue());
    rewriter.inlineRegionBefore(op.getBody(), fused.getBody(),
                                fused.getBody().end());
    Block &newBody = fused.getBodyBlock();
    rewriter.modifyOpInPlace(fused, [&] { newBody.eraseArguments(deadArgs); });
    rewriter.modifyOpInPlace(yield,
                             [&] { yield.getValuesMutable().assign(yielded); });
    for (auto [newIndex, oldIndex] : llvm::enumerate(keptResults))
      rewriter.replaceAllUsesWith(op.getResult(oldIndex),
                                  fused.getResult(newIndex));
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void FusionOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<SimplifyFusion>(context);
}
