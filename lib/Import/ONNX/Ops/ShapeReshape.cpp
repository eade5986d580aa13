//===- ShapeReshape.cpp - ONNX reshapes, transposes, concat, split --------===//
//
// Reshape, Flatten, Squeeze and Unsqueeze, Transpose, Expand, Concat, Split,
// and DepthToSpace/SpaceToDepth (reshape-transpose-reshape). A Reshape or
// Expand shape and Split's sizes may be values known only at run time.
//
//===----------------------------------------------------------------------===//

#include "ShapeCommon.h"

#include "dialects/Optc/IR/OptcShapes.h"
#include "optc/Support/Sizes.h"

#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

LogicalResult reshapeOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  SmallVector<int64_t> shape;
  OPTC_TRY(allowZero, ctx.intAttr("allowzero", 0));
  RankedTensorType type = ctx.typeOf(x);
  if (ctx.opset < 5) {
    OPTC_TRY(s, ctx.intsAttr("shape"));
    shape = s;
  } else if (ctx.input(1) && !getConstantInts(ctx.input(1))) {
    // A shape computed at run time; 0 copies the input's size there too.
    OPTC_TRY(sizes, ctx.runtimeInts(1, "shape"));
    if (!allowZero) {
      int64_t n = ctx.typeOf(sizes).getDimSize(0), rank = type.getRank();
      OPTC_TRY(dims, ctx.create<ShapeOfOp>(x));
      Value copied = dims;
      if (n < rank) {
        OPTC_TRY(c, ctx.create<SliceOp>(dims, ArrayRef<int64_t>{0},
                                        ArrayRef<int64_t>{n},
                                        ArrayRef<int64_t>{1}));
        copied = c;
      } else if (n > rank) {
        // Entries past the input's rank have nothing to copy: 0 stays 0.
        OPTC_TRY(c, ctx.create<ConcatOp>(
                        ValueRange{dims,
                                   ctx.i64s(SmallVector<int64_t>(n - rank, 0))},
                        int64_t(0)));
        copied = c;
      }
      Type i64 = ctx.b.getI64Type();
      OPTC_TRY(isZero, ctx.create<CompareOp>(ComparePredicate::eq, sizes,
                                             ctx.scalar(i64, 0)));
      OPTC_TRY(fixed, ctx.create<SelectOp>(isZero, copied, sizes));
      sizes = fixed;
    }
    OPTC_TRY(y, ctx.create<DynamicReshapeOp>(x, sizes));
    ctx.outputs = {y};
    return success();
  } else {
    OPTC_TRY(s, ctx.constantInts(1, "shape"));
    shape = s;
  }
  // ONNX: 0 copies the input's dimension (unless allowzero), -1 is
  // computed.
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= type.getRank())
        return ctx.error() << "shape entry " << i
                           << " is 0 (copy the input dimension) but the input "
                              "has rank "
                           << type.getRank();
      if (type.isDynamicDim(i))
        return ctx.error() << "shape entry " << i
                           << " copies an input dimension that is not known "
                              "at compile time";
      d = type.getDimSize(i);
    } else if (d < -1) {
      return ctx.error() << "shape entry " << i << " is " << d;
    }
  }
  OPTC_TRY(y, ctx.create<ReshapeOp>(x, shape));
  ctx.outputs = {y};
  return success();
}

/// The product of dims [from, to), or -1 when one is unknown.
int64_t product(RankedTensorType type, int64_t from, int64_t to) {
  ArrayRef<int64_t> dims = type.getShape().slice(from, to - from);
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return -1;
  // `type` is a verified value's, within the limits per tensor.
  std::optional<int64_t> p = sizes::product(dims);
  assert(p && "a tensor within the limits per tensor");
  return *p;
}

LogicalResult flatten(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 1));
  if (axisAttr < -rank || axisAttr > rank)
    return ctx.error() << "axis " << axisAttr << " is out of range for rank "
                       << rank;
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  int64_t outer = product(type, 0, axis), inner = product(type, axis, rank);
  if (outer < 0 && inner < 0)
    return ctx.error() << "flattening " << type
                       << " needs one side of the axis to be static";
  OPTC_TRY(y, ctx.create<ReshapeOp>(x, ArrayRef<int64_t>{outer, inner}));
  ctx.outputs = {y};
  return success();
}

/// The axes of Squeeze/Unsqueeze: an attribute before `attrUntil`, an input
/// after; `rank` is the rank the axes index.
FailureOr<SmallVector<int64_t>> axesInputOrAttr(NodeContext &ctx,
                                                int64_t attrUntil, bool *given,
                                                int64_t rank) {
  if (ctx.opset < attrUntil)
    return ctx.intsAttr("axes", given);
  *given = ctx.input(1) != nullptr;
  if (!*given)
    return SmallVector<int64_t>();
  return ctx.axesInput(1, rank, "axes");
}

/// `x` without the dimensions `axes` (sorted, non-negative); std::nullopt
/// when one of them is known not to be 1.
FailureOr<std::optional<Value>> squeezeAxes(NodeContext &ctx, Value x,
                                            ArrayRef<int64_t> axes) {
  RankedTensorType type = ctx.typeOf(x);
  SmallVector<int64_t> source;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      if (!type.isDynamicDim(i) && type.getDimSize(i) != 1)
        return std::optional<Value>();
      continue;
    }
    source.push_back(i);
  }
  OPTC_TRY(y, ctx.reshapeDims(x, source));
  return std::optional<Value>(y);
}

LogicalResult squeeze(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  if (ctx.opset >= 13 && ctx.runtimeAxes(1, rank)) {
    OPTC_TRY(outs,
             ctx.switchOnAxes(
                 1, rank, "axes",
                 [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                   OPTC_TRY(y, squeezeAxes(ctx, x, axes));
                   if (!y)
                     return SmallVector<Value>();
                   return SmallVector<Value>{*y};
                 }));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  bool given = false;
  OPTC_TRY(axesRaw, axesInputOrAttr(ctx, 13, &given, rank));
  SmallVector<int64_t> axes;
  if (given) {
    OPTC_TRY(a, ctx.normalizeAxes(axesRaw, rank));
    axes = a;
  } else {
    for (int64_t i = 0; i < rank; ++i) {
      if (type.isDynamicDim(i))
        return ctx.error() << "without axes, every dimension must be known "
                              "to find those of size 1"
                           << ctx.inputSizeHint(x);
      if (type.getDimSize(i) == 1)
        axes.push_back(i);
    }
  }
  OPTC_TRY(y, squeezeAxes(ctx, x, axes));
  if (!y) {
    int64_t bad = *llvm::find_if(axes, [&](int64_t i) {
      return !type.isDynamicDim(i) && type.getDimSize(i) != 1;
    });
    return ctx.error() << "cannot squeeze dimension " << bad << " of size "
                       << type.getDimSize(bad);
  }
  ctx.outputs = {*y};
  return success();
}

/// `x` with dimensions of size 1 inserted at `axes` (sorted, non-negative
/// positions in the result).
FailureOr<Value> unsqueezeAxes(NodeContext &ctx, Value x,
                               ArrayRef<int64_t> axes) {
  int64_t rank = ctx.typeOf(x).getRank() + axes.size();
  SmallVector<int64_t> source;
  int64_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    source.push_back(llvm::is_contained(axes, i) ? -1 : next++);
  return ctx.reshapeDims(x, source);
}

LogicalResult unsqueeze(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  // The output rank is the input's plus the number of axes, which the
  // axes input's length tells even when its values are not constant.
  int64_t count = 0;
  if (ctx.opset >= 13 && ctx.input(1) &&
      ctx.typeOf(ctx.input(1)).hasStaticShape())
    count = ctx.typeOf(ctx.input(1)).getNumElements();
  int64_t rank = type.getRank() + count;
  if (ctx.opset >= 13 && ctx.runtimeAxes(1, rank)) {
    OPTC_TRY(outs,
             ctx.switchOnAxes(
                 1, rank, "axes",
                 [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                   OPTC_TRY(y, unsqueezeAxes(ctx, x, axes));
                   return SmallVector<Value>{y};
                 }));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  bool given = false;
  OPTC_TRY(axesRaw, axesInputOrAttr(ctx, 13, &given, rank));
  if (!given)
    return ctx.error() << "axes are required";
  OPTC_TRY(axes, ctx.normalizeAxes(axesRaw, type.getRank() + axesRaw.size()));
  OPTC_TRY(y, unsqueezeAxes(ctx, x, axes));
  ctx.outputs = {y};
  return success();
}

LogicalResult transposeOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  int64_t rank = ctx.typeOf(x).getRank();
  bool given = false;
  OPTC_TRY(perm, ctx.intsAttr("perm", &given));
  if (!given)
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  for (int64_t &p : perm)
    if (p < 0)
      p += rank;
  OPTC_TRY(y, ctx.create<TransposeOp>(x, perm));
  ctx.outputs = {y};
  return success();
}

LogicalResult expand(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  auto runtimeExpand = [&]() -> LogicalResult {
    OPTC_TRY(sizes, ctx.runtimeInts(1, "shape"));
    OPTC_TRY(y, ctx.create<DynamicBroadcastOp>(x, sizes));
    ctx.outputs = {y};
    return success();
  };
  if (ctx.input(1) && !getConstantInts(ctx.input(1)))
    return runtimeExpand();
  OPTC_TRY(shape, ctx.constantInts(1, "shape"));
  // Expand broadcasts both ways: the result is the broadcast of the two.
  FailureOr<shape::Shape> result =
      shape::broadcast({type.getShape(), ArrayRef<int64_t>(shape)},
                       [&] { return ctx.error() << "cannot expand: "; });
  if (failed(result))
    return failure();
  // An unknown input size that the shape keeps (1) is only known at run
  // time.
  if (llvm::any_of(*result, ShapedType::isDynamic))
    return runtimeExpand();
  OPTC_TRY(y, ctx.create<BroadcastOp>(x, ArrayRef<int64_t>(*result)));
  ctx.outputs = {y};
  return success();
}

LogicalResult concat(NodeContext &ctx) {
  if (ctx.inputs.empty())
    return ctx.error() << "needs at least one input";
  for (Value v : ctx.inputs)
    if (!v)
      return ctx.error() << "inputs may not be omitted";
  int64_t rank = ctx.typeOf(ctx.inputs[0]).getRank();
  OPTC_TRY(axisAttr, ctx.opset < 4 ? FailureOr<int64_t>(ctx.intAttr("axis", 1))
                                   : ctx.requiredIntAttr("axis"));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, rank));
  OPTC_TRY(y, ctx.create<ConcatOp>(ValueRange(ctx.inputs), axis));
  ctx.outputs = {y};
  return success();
}

/// Split into pieces whose sizes are only known at run time: one run-time
/// slice per piece, between the running sums of the sizes.
LogicalResult runtimeSplit(NodeContext &ctx, Value x, int64_t axis) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(sizes, ctx.runtimeInts(1, "split"));
  int64_t parts = ctx.typeOf(sizes).getDimSize(0);
  if (parts != ctx.node.output_size())
    return ctx.error() << "splits into " << parts << " parts but has "
                       << ctx.node.output_size() << " outputs";
  OPTC_TRY(ends, ctx.create<CumSumOp>(sizes, int64_t(0), false, false));
  OPTC_TRY(starts, ctx.create<CumSumOp>(sizes, int64_t(0), true, false));
  SmallVector<int64_t> ones(rank, 1);
  for (int64_t i = 0; i < parts; ++i) {
    auto pick = [&](Value v) {
      return ctx.create<SliceOp>(v, ArrayRef<int64_t>{i},
                                 ArrayRef<int64_t>{i + 1},
                                 ArrayRef<int64_t>{1});
    };
    OPTC_TRY(start, pick(starts));
    OPTC_TRY(end, pick(ends));
    OPTC_TRY(allStarts, ctx.perDimension(start, {axis}, rank, 0));
    OPTC_TRY(allEnds, ctx.perDimension(end, {axis}, rank, INT64_MAX));
    OPTC_TRY(piece,
             ctx.create<DynamicSliceOp>(x, allStarts, allEnds, ctx.i64s(ones)));
    ctx.outputs.push_back(
        ctx.refine(piece, unknownAt(type.getShape(), {axis})));
  }
  return success();
}

LogicalResult split(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, type.getRank()));
  SmallVector<int64_t> sizes;
  bool given = false;
  if (ctx.opset < 2 && ctx.input(1)) {
    // Split-1 may take the sizes as a second input instead.
    OPTC_TRY(s, ctx.constantInts(1, "split"));
    sizes = s;
    given = true;
  } else if (ctx.opset < 13) {
    OPTC_TRY(s, ctx.intsAttr("split", &given));
    sizes = s;
  } else if (ctx.input(1)) {
    if (!getConstantInts(ctx.input(1)))
      return runtimeSplit(ctx, x, axis);
    OPTC_TRY(s, ctx.constantInts(1, "split"));
    sizes = s;
    given = true;
  }
  int64_t outputs = ctx.node.output_size();
  if (!given) {
    if (type.isDynamicDim(axis))
      return ctx.error() << "splitting an unknown dimension needs the sizes";
    int64_t dim = type.getDimSize(axis);
    int64_t parts = outputs;
    if (ctx.opset >= 18) {
      OPTC_TRY(n, ctx.intAttr("num_outputs", outputs));
      parts = n;
    }
    if (parts <= 0 || parts != outputs)
      return ctx.error() << "cannot split into " << parts << " parts for "
                         << outputs << " outputs";
    // Equal parts; with opset 18 the last one may be smaller.
    int64_t chunk = (dim + parts - 1) / parts;
    if (ctx.opset < 18 && dim % parts != 0)
      return ctx.error() << "dimension " << axis << " of size " << dim
                         << " does not split into " << parts << " equal parts";
    for (int64_t i = 0, left = dim; i < parts; ++i) {
      sizes.push_back(std::min(chunk, left));
      left -= sizes.back();
    }
  }
  if (static_cast<int64_t>(sizes.size()) != outputs)
    return ctx.error() << "splits into " << sizes.size() << " parts but has "
                       << outputs << " outputs";
  OPTC_TRY(op, ctx.createMulti<SplitOp>(sizes.size(), x, axis, sizes));
  // The pieces of a constant are constants (shape computations split them).
  SmallVector<OpFoldResult> folded;
  if (succeeded(op->fold(folded)) && folded.size() == op->getNumResults() &&
      llvm::all_of(folded, [](OpFoldResult f) {
        return isa_and_nonnull<ElementsAttr>(dyn_cast<Attribute>(f));
      })) {
    for (auto [result, attr] : llvm::zip(op->getResults(), folded)) {
      auto elements = cast<ElementsAttr>(cast<Attribute>(attr));
      if (elements.getType() != result.getType())
        return ctx.error() << "a folded piece has type " << elements.getType()
                           << ", not " << result.getType();
      ctx.outputs.push_back(ConstantOp::create(ctx.b, ctx.loc, elements));
    }
    op->erase();
    return success();
  }
  ctx.outputs.assign(op->result_begin(), op->result_end());
  return success();
}

/// DepthToSpace / SpaceToDepth through reshape-transpose-reshape.
LogicalResult depthSpace(NodeContext &ctx, bool toSpace) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  if (type.getRank() != 4 || !type.hasStaticShape())
    return ctx.error() << "needs a static 4-D input, found " << type;
  OPTC_TRY(bs, ctx.requiredIntAttr("blocksize"));
  if (bs <= 0)
    return ctx.error() << "blocksize must be positive";
  OPTC_TRY(mode, ctx.stringAttr("mode", "DCR"));
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  // blocksize^2 and the sizes it multiplies must not overflow.
  // (DepthToSpace multiplies the height and width by it, SpaceToDepth the
  // channels by its square.)
  std::optional<int64_t> area = llvm::checkedMul(bs, bs);
  std::optional<int64_t> grown = !area ? std::nullopt
                                 : toSpace
                                     ? llvm::checkedMul(std::max(h, w), bs)
                                     : llvm::checkedMul(c, *area);
  if (!grown)
    return ctx.error() << "blocksize " << bs << " is too large for " << type;
  Value y;
  if (toSpace) {
    if (c % *area != 0)
      return ctx.error() << "channels " << c << " are not divisible by "
                         << *area;
    int64_t oc = c / *area;
    SmallVector<int64_t> shape, perm;
    if (mode == "DCR") {
      shape = {n, bs, bs, oc, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      shape = {n, oc, bs, bs, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      return ctx.error() << "mode must be DCR or CRD, found '" << mode << "'";
    }
    OPTC_TRY(r, ctx.create<ReshapeOp>(x, shape));
    OPTC_TRY(t, ctx.create<TransposeOp>(r, perm));
    OPTC_TRY(
        o, ctx.create<ReshapeOp>(t, ArrayRef<int64_t>{n, oc, h * bs, w * bs}));
    y = o;
  } else {
    if (h % bs != 0 || w % bs != 0)
      return ctx.error() << "spatial sizes " << h << "x" << w
                         << " are not divisible by " << bs;
    // The inverse of DepthToSpace: blocks go before the channels (DCR) or
    // after them (CRD, opset 28).
    SmallVector<int64_t> perm;
    if (mode == "DCR")
      perm = {0, 3, 5, 1, 2, 4};
    else if (mode == "CRD")
      perm = {0, 1, 3, 5, 2, 4};
    else
      return ctx.error() << "mode must be DCR or CRD, found '" << mode << "'";
    OPTC_TRY(r, ctx.create<ReshapeOp>(
                    x, ArrayRef<int64_t>{n, c, h / bs, bs, w / bs, bs}));
    OPTC_TRY(t, ctx.create<TransposeOp>(r, perm));
    OPTC_TRY(o, ctx.create<ReshapeOp>(
                    t, ArrayRef<int64_t>{n, c * *area, h / bs, w / bs}));
    y = o;
  }
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerReshapeOps(OpRegistry &r) {
  // Reshape-1 takes `shape` as an attribute, Concat-1 defaults axis to 1,
  // Split-1 may take the sizes as an input.
  r.add("", "Reshape", reshapeOp, 1);
  r.add("", "Flatten", flatten);
  r.add("", "Squeeze", squeeze);
  r.add("", "Unsqueeze", unsqueeze);
  r.add("", "Transpose", transposeOp);
  r.add("", "Expand", expand);
  r.add("", "Concat", concat, 1);
  r.add("", "Split", split, 1);
  r.add("", "DepthToSpace", [](NodeContext &c) { return depthSpace(c, true); });
  r.add("", "SpaceToDepth",
        [](NodeContext &c) { return depthSpace(c, false); });
}
