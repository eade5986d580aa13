//===- Convolution.cpp - convolutions and pooling -------------------------===//
//
// Convolutions of every rank and group count become an im2col copy and one
// matrix product per group; the im2col is one vectorised copy of a strided
// slice per kernel position, and 1x1 kernels of stride 1 need none.
// Depthwise convolutions are a weighted sum of those slices instead.
// (Upstream's im2col rewrite of linalg.conv_2d_nchw_fchw gave wrong results
// from 20x20 images on, in LLVM 22; ours is checked by the end-to-end tests
// at ResNet sizes.) Transposed convolutions gather the input positions
// that reach each output; pooling is a window reduction over the padded
// input.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "optc/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace {

/// Depthwise kernels up to this many taps are a weighted sum of windows;
/// larger ones go through im2col.
constexpr int64_t kMaxDepthwiseTaps = 64;

/// Kernels up to this many positions build their im2col matrix with one
/// strided copy per position (vectorised along the output); larger ones
/// with one generic over every position.
constexpr int64_t kMaxSlicedTaps = 64;

/// The input window of kernel position `k` (one index per spatial dim): the
/// N x C x O1..On strided slice of the padded input `x` that meets that
/// kernel element, x[n, c, o_i * stride_i + k_i * dilation_i].
static Value kernelWindow(OpBuilder &b, Location loc, Value x,
                          ArrayRef<int64_t> k, ArrayRef<int64_t> outShape,
                          ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations) {
  RankedTensorType type = tensorOf(x);
  int64_t n = k.size();
  SmallVector<int64_t> offsets{0, 0},
      sizes{type.getDimSize(0), type.getDimSize(1)}, steps{1, 1};
  for (int64_t i = 0; i < n; ++i) {
    offsets.push_back(k[i] * dilations[i]);
    sizes.push_back(outShape[i]);
    steps.push_back(strides[i]);
  }
  return tensor::ExtractSliceOp::create(
      b, loc, type.clone(sizes), x,
      getAsIndexOpFoldResult(b.getContext(), offsets),
      getAsIndexOpFoldResult(b.getContext(), sizes),
      getAsIndexOpFoldResult(b.getContext(), steps));
}

/// Every kernel position of a window of `kernel` sizes, in row-major order.
static SmallVector<SmallVector<int64_t>>
kernelPositions(ArrayRef<int64_t> kernel) {
  SmallVector<SmallVector<int64_t>> positions{{}};
  for (int64_t size : kernel) {
    SmallVector<SmallVector<int64_t>> next;
    for (const SmallVector<int64_t> &prefix : positions)
      for (int64_t i = 0; i < size; ++i) {
        next.push_back(prefix);
        next.back().push_back(i);
      }
    positions = std::move(next);
  }
  return positions;
}

/// Depthwise convolutions (one input and one output channel per group) are
/// a weighted sum of the kernel's windows, one elementwise kernel:
///   y[n, c, o] = sum over k of w[c, k] * window_k(x)[n, c, o]
/// which vectorises along the output's rows and reads the input in place.
static Value depthwiseConv(OpBuilder &b, Location loc, Value x, Value weight,
                           RankedTensorType resultType,
                           ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations) {
  RankedTensorType wType = tensorOf(weight);
  int64_t channels = wType.getDimSize(0);
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  ArrayRef<int64_t> outShape = resultType.getShape().drop_front(2);
  Type element = resultType.getElementType();
  bool isFloat = isa<FloatType>(element);
  Type accElement = accumulatesWide(element) ? b.getF32Type() : element;
  // w as C x K, each kernel position's weights a C vector.
  // The weight's sizes after the first: a verified weight, within the
  // limits per tensor.
  std::optional<int64_t> kernelCount =
      sizes::product(wType.getShape().drop_front());
  assert(kernelCount && "a tensor within the limits per tensor");
  int64_t kernelSize = *kernelCount;
  SmallVector<ReassociationIndices> wGroups{{0}, {}};
  for (int64_t d = 1; d < wType.getRank(); ++d)
    wGroups[1].push_back(d);
  Value w2 = tensor::CollapseShapeOp::create(
      b, loc, wType.clone({channels, kernelSize}), weight, wGroups);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
  int64_t index = 0;
  for (const SmallVector<int64_t> &k : kernelPositions(kernel)) {
    inputs.push_back(kernelWindow(b, loc, x, k, outShape, strides, dilations));
    maps.push_back(identity);
    inputs.push_back(tensor::ExtractSliceOp::create(
        b, loc, wType.clone({channels}), w2,
        getAsIndexOpFoldResult(ctx, {0, index}),
        getAsIndexOpFoldResult(ctx, {channels, 1}),
        getAsIndexOpFoldResult(ctx, {1, 1})));
    maps.push_back(channel);
    ++index;
  }
  maps.push_back(identity);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs,
             ValueRange{emptyTensor(b, loc, resultType)}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value sum;
               for (int64_t i = 0; i + 1 < (int64_t)args.size(); i += 2) {
                 Value xv = args[i], wv = args[i + 1];
                 if (accElement != element) {
                   xv = arith::ExtFOp::create(nb, l, accElement, xv);
                   wv = arith::ExtFOp::create(nb, l, accElement, wv);
                 }
                 Value term = isFloat
                                  ? Value(arith::MulFOp::create(nb, l, xv, wv))
                                  : Value(arith::MulIOp::create(nb, l, xv, wv));
                 sum = !sum ? term
                       : isFloat
                           ? Value(arith::AddFOp::create(nb, l, sum, term))
                           : Value(arith::AddIOp::create(nb, l, sum, term));
               }
               if (accElement != element)
                 sum = arith::TruncFOp::create(nb, l, element, sum);
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

/// Pads the spatial dimensions of an N x C x D... tensor with `value`: a
/// fill of the padded tensor and a copy of the input into its interior, two
/// kernels the CPU schedule vectorises and threads. (A tensor.pad would
/// bufferise to a scalar fill and a strided memref.copy.)
static Value padSpatial(OpBuilder &b, Location loc, Value input,
                        ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                        Value value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  RankedTensorType type = tensorOf(input);
  SmallVector<int64_t> lows{0, 0}, highs{0, 0}, shape;
  lows.append(low.begin(), low.end());
  highs.append(high.begin(), high.end());
  for (int64_t d = 0; d < type.getRank(); ++d) {
    // The op's shape rule formed this sum with checked arithmetic.
    std::optional<int64_t> size = sizes::add(type.getDimSize(d), lows[d]);
    size = size ? sizes::add(*size, highs[d]) : std::nullopt;
    assert(size && "padded sizes checked by the shape rule");
    shape.push_back(*size);
  }
  Value padded = filledTensor(b, loc, type.clone(shape), value);
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> offsets = getAsIndexOpFoldResult(ctx, lows),
                            sizes =
                                getAsIndexOpFoldResult(ctx, type.getShape()),
                            ones(type.getRank(), b.getIndexAttr(1));
  Value interior =
      tensor::ExtractSliceOp::create(b, loc, padded, offsets, sizes, ones);
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  Value copied =
      linalg::GenericOp::create(
          b, loc, TypeRange{type}, ValueRange{input}, ValueRange{interior},
          ArrayRef<AffineMap>{identity, identity},
          SmallVector<utils::IteratorType>(type.getRank(),
                                           utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  return tensor::InsertSliceOp::create(b, loc, copied, padded, offsets, sizes,
                                       ones);
}

struct ConvLowering : public OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (!isStatic(op) || !isStatic(input) || !isStatic(weight))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type element = signless(type.getElementType());
    int64_t n = type.getRank() - 2,
            groups = static_cast<int64_t>(op.getGroups());
    ArrayRef<int64_t> padding = op.getPadding(), strides = op.getStrides(),
                      dilations = op.getDilations();
    auto resultType = cast<RankedTensorType>(signless(type));
    RankedTensorType inType = tensorOf(input), wType = tensorOf(weight);
    int64_t batch = type.getDimSize(0);
    int64_t cg = inType.getDimSize(1) / groups,
            fg = type.getDimSize(1) / groups;
    ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
    ArrayRef<int64_t> outShape = type.getShape().drop_front(2);
    // Sizes of the verified weight and result, within the limits per
    // tensor.
    std::optional<int64_t> kernelCount = sizes::product(kernel),
                           outCount = sizes::product(outShape);
    assert(kernelCount && outCount && "tensors within the limits per tensor");
    int64_t kernelSize = *kernelCount, outSize = *outCount;
    // The padded input and the im2col matrix (G x Cg x K... x N x O...) are
    // no operand or result: a long kernel over a long input, or large pads,
    // may take them past the limits per tensor. Refused before any IR.
    SmallVector<int64_t> paddedShape(inType.getShape());
    for (int64_t i = 0; i < n; ++i) {
      std::optional<int64_t> size = sizes::add(paddedShape[2 + i], padding[i]);
      size = size ? sizes::add(*size, padding[n + i]) : std::nullopt;
      paddedShape[2 + i] = size ? *size : ShapedType::kDynamic;
    }
    SmallVector<int64_t> colShape{groups, cg};
    colShape.append(kernel.begin(), kernel.end());
    colShape.push_back(batch);
    colShape.append(outShape.begin(), outShape.end());
    auto emitError = [&] { return op.emitOpError(); };
    if (llvm::is_contained(paddedShape, ShapedType::kDynamic))
      return op.emitOpError("the padded input's sizes overflow int64");
    if (failed(checkTensorSize(inType.clone(paddedShape), emitError,
                               "the padded input")) ||
        (!(cg == 1 && fg == 1 && kernelSize <= kMaxDepthwiseTaps) &&
         failed(checkTensorSize(inType.clone(colShape), emitError,
                                "the im2col matrix"))))
      return failure();
    Value zero = constantOf(rewriter, loc, element, 0);
    input = padSpatial(rewriter, loc, input, padding.take_front(n),
                       padding.drop_front(n), zero);
    inType = tensorOf(input);
    // Depthwise: a weighted sum of windows, no matrix product.
    if (cg == 1 && fg == 1 && kernelSize <= kMaxDepthwiseTaps) {
      rewriter.replaceOp(op, depthwiseConv(rewriter, loc, input, weight,
                                           resultType, strides, dilations));
      return success();
    }
    // Everything else is an im2col and one matrix product per group, which
    // the contraction schedule tiles and vectorises:
    //   col[g, c, k, n, o] = window_k(x)[n, g*Cg + c, o]
    //   y[g, f, n*O + o] = sum over c*K + k of w[g, f, c*K + k] * col[...]
    // col is built one kernel position at a time, each a strided slice of
    // the input copied by a vectorised kernel; a 1x1 kernel of stride 1 at
    // batch 1 needs no copy at all, the input is already the matrix.
    Type inElement = inType.getElementType();
    MLIRContext *ctx = getContext();
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    Value col3;
    auto col3Type = RankedTensorType::get(
        {groups, cg * kernelSize, batch * outSize}, inElement);
    bool unitStrides = llvm::all_of(strides, [](int64_t s) { return s == 1; });
    if (kernelSize == 1 && unitStrides && batch == 1) {
      SmallVector<ReassociationIndices> flat{{0, 1}, {}};
      for (int64_t dim = 2; dim < inType.getRank(); ++dim)
        flat[1].push_back(dim);
      Value x2 = tensor::CollapseShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({groups * cg, outSize}, inElement), input,
          flat);
      col3 = tensor::ExpandShapeOp::create(
          rewriter, loc, col3Type, x2,
          SmallVector<ReassociationIndices>{{0, 1}, {2}});
    } else {
      auto colType = RankedTensorType::get(colShape, inElement);
      Value col = emptyTensor(rewriter, loc, colType);
      if (kernelSize > kMaxSlicedTaps) {
        // Many kernel positions (a 1-D kernel of 256 taps): one generic
        // reading x[b, g*Cg + c, o*stride + k*dilation], instead of a copy
        // per position whose bufferisation grows with their square (six
        // minutes for 256 of them).
        int64_t rank = colShape.size();
        SmallVector<AffineExpr> reads{d(2 + n), d(0) * cg + d(1)};
        for (int64_t i = 0; i < n; ++i)
          reads.push_back(d(3 + n + i) * strides[i] + d(2 + i) * dilations[i]);
        SmallVector<utils::IteratorType> iterators(
            rank, utils::IteratorType::parallel);
        col = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{colType}, ValueRange{input},
                  ValueRange{col},
                  ArrayRef<AffineMap>{
                      AffineMap::get(rank, 0, reads, ctx),
                      AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  iterators,
                  [](OpBuilder &b, Location l, ValueRange args) {
                    linalg::YieldOp::create(b, l, args[0]);
                  })
                  .getResult(0);
      }
      // One copy per kernel position: (g, c, b, o...) of the window, whose
      // dims are (b, g, c, o...).
      SmallVector<int64_t> sliceShape{groups, cg, batch};
      sliceShape.append(outShape.begin(), outShape.end());
      auto sliceType = RankedTensorType::get(sliceShape, inElement);
      int64_t rank = sliceShape.size();
      SmallVector<AffineExpr> windowExprs{d(2), d(0), d(1)};
      for (int64_t i = 0; i < n; ++i)
        windowExprs.push_back(d(3 + i));
      AffineMap windowMap = AffineMap::get(rank, 0, windowExprs, ctx);
      AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      SmallVector<int64_t> windowShape{batch, groups, cg};
      windowShape.append(outShape.begin(), outShape.end());
      SmallVector<ReassociationIndices> splitChannels{{0}, {1, 2}};
      for (int64_t i = 0; i < n; ++i)
        splitChannels.push_back({3 + i});
      SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(ctx, colShape);
      SmallVector<OpFoldResult> ones(colShape.size(), rewriter.getIndexAttr(1));
      for (const SmallVector<int64_t> &k :
           kernelSize > kMaxSlicedTaps ? SmallVector<SmallVector<int64_t>>{}
                                       : kernelPositions(kernel)) {
        Value window =
            kernelWindow(rewriter, loc, input, k, outShape, strides, dilations);
        window = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get(windowShape, inElement),
            window, splitChannels);
        SmallVector<int64_t> offsets(colShape.size(), 0);
        for (int64_t i = 0; i < n; ++i) {
          offsets[2 + i] = k[i];
          sizes[2 + i] = rewriter.getIndexAttr(1);
        }
        SmallVector<OpFoldResult> at = getAsIndexOpFoldResult(ctx, offsets);
        Value dest = tensor::ExtractSliceOp::create(rewriter, loc, sliceType,
                                                    col, at, sizes, ones);
        Value copied = linalg::GenericOp::create(
                           rewriter, loc, TypeRange{sliceType},
                           ValueRange{window}, ValueRange{dest},
                           ArrayRef<AffineMap>{windowMap, identity}, iterators,
                           [](OpBuilder &b, Location l, ValueRange args) {
                             linalg::YieldOp::create(b, l, args[0]);
                           })
                           .getResult(0);
        col = tensor::InsertSliceOp::create(rewriter, loc, copied, col, at,
                                            sizes, ones);
      }
      // col as G x (Cg*K) x (N*O).
      SmallVector<ReassociationIndices> colGroups{{0}, {}, {}};
      for (int64_t dim = 1; dim <= 1 + n; ++dim)
        colGroups[1].push_back(dim);
      for (int64_t dim = 2 + n; dim < colType.getRank(); ++dim)
        colGroups[2].push_back(dim);
      col3 = tensor::CollapseShapeOp::create(rewriter, loc, col3Type, col,
                                             colGroups);
    }
    // Weights as G x Fg x (Cg*K).
    SmallVector<int64_t> w4Shape{groups, fg};
    w4Shape.append(wType.getShape().begin() + 1, wType.getShape().end());
    SmallVector<ReassociationIndices> wExpand{{0, 1}};
    for (int64_t dim = 1; dim < wType.getRank(); ++dim)
      wExpand.push_back({dim + 1});
    Value w4 = tensor::ExpandShapeOp::create(
        rewriter, loc, wType.clone(w4Shape), weight, wExpand);
    SmallVector<ReassociationIndices> wCollapse{{0}, {1}, {}};
    for (int64_t dim = 2; dim < (int64_t)w4Shape.size(); ++dim)
      wCollapse[2].push_back(dim);
    Value w3 = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({groups, fg, cg * kernelSize}, inElement), w4,
        wCollapse);
    Type accElement =
        accumulatesWide(element) ? rewriter.getF32Type() : element;
    auto productType =
        RankedTensorType::get({groups, fg, batch * outSize}, accElement);
    Value product = filledTensor(rewriter, loc, productType,
                                 constantOf(rewriter, loc, accElement, 0));
    // Loops g, f, p, k.
    product = contraction(rewriter, loc, w3, col3, product,
                          {AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx),
                           AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx),
                           AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)});
    product = narrowFloats(rewriter, loc, product, element);
    if (batch == 1) {
      // G x Fg x O is already 1 x F x O...: reshapes only.
      Value flat = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({groups * fg, outSize}, element),
          product, SmallVector<ReassociationIndices>{{0, 1}, {2}});
      SmallVector<ReassociationIndices> out{{0, 1}, {}};
      for (int64_t dim = 2; dim < resultType.getRank(); ++dim)
        out[1].push_back(dim);
      rewriter.replaceOp(op, tensor::ExpandShapeOp::create(
                                 rewriter, loc, resultType, flat, out));
      return success();
    }
    // G x Fg x (N*O) -> G x Fg x N x O... -> N x G x Fg x O... -> N x F x O...
    SmallVector<int64_t> expandedShape{groups, fg, batch};
    expandedShape.append(outShape.begin(), outShape.end());
    SmallVector<ReassociationIndices> pExpand{{0}, {1}, {}};
    for (int64_t dim = 2; dim < (int64_t)expandedShape.size(); ++dim)
      pExpand[2].push_back(dim);
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(expandedShape, element), product,
        pExpand);
    SmallVector<int64_t> permutation{2, 0, 1};
    SmallVector<int64_t> transposedShape{batch, groups, fg};
    for (int64_t i = 0; i < n; ++i) {
      permutation.push_back(3 + i);
      transposedShape.push_back(outShape[i]);
    }
    auto transposedType = RankedTensorType::get(transposedShape, element);
    Value transposed =
        linalg::TransposeOp::create(rewriter, loc, expanded,
                                    emptyTensor(rewriter, loc, transposedType),
                                    permutation)
            .getResult()[0];
    SmallVector<ReassociationIndices> merge{{0}, {1, 2}};
    for (int64_t i = 0; i < n; ++i)
      merge.push_back({3 + i});
    rewriter.replaceOp(op, tensor::CollapseShapeOp::create(
                               rewriter, loc, resultType, transposed, merge));
    return success();
  }
};

/// y[n, f, o] = sum over c, k of x[n, c, i] * w[c, f, k] where
/// o + low = i * stride + k * dilation: each result element gathers the
/// input positions that reach it (a generic over (n, g, f, o..., c, k...)
/// reading the input at computed, masked positions).
struct ConvTransposeLowering : public OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    if (!isStatic(op) || !isStatic(input) || !isStatic(weight))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType type = op.getType(), inType = tensorOf(input);
    Type element = signless(type.getElementType());
    bool isFloat = isa<FloatType>(element);
    int64_t n = type.getRank() - 2,
            groups = static_cast<int64_t>(op.getGroups());
    int64_t cg = inType.getDimSize(1) / groups,
            fg = type.getDimSize(1) / groups;
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      padding = op.getPadding();
    auto resultType = cast<RankedTensorType>(signless(type));
    Value zero = constantOf(rewriter, loc, element, 0);
    if (isFloat) {
      // A convolution of the input spread by the stride and padded by
      // (kernel extent - pad), with the kernel flipped and its channel
      // dimensions swapped: it then goes through the same im2col and
      // vectorised matrix products as every convolution.
      RankedTensorType wType = tensorOf(weight);
      SmallVector<int64_t> spreadShape{inType.getDimSize(0),
                                       inType.getDimSize(1)};
      SmallVector<int64_t> before;
      for (int64_t i = 0; i < n; ++i) {
        int64_t extent = dilations[i] * (wType.getDimSize(2 + i) - 1);
        before.push_back(extent - padding[i]);
        int64_t after = extent - padding[n + i] + op.getOutputPadding()[i];
        spreadShape.push_back((inType.getDimSize(2 + i) - 1) * strides[i] + 1 +
                              before[i] + after);
      }
      auto spreadType = RankedTensorType::get(spreadShape, element);
      Value spread = indexedGeneric(
          rewriter, loc, spreadType, {}, {},
          [&](OpBuilder &b, Location l, ValueRange iv, ValueRange) -> Value {
            SmallVector<Value> at{iv[0], iv[1]};
            Value valid;
            for (int64_t i = 0; i < n; ++i) {
              Value t = arith::SubIOp::create(
                  b, l, iv[2 + i],
                  arith::ConstantIndexOp::create(b, l, before[i]));
              auto [position, ok] =
                  stridedSource(b, l, t, strides[i], inType.getDimSize(2 + i));
              valid =
                  valid ? Value(arith::AndIOp::create(b, l, valid, ok)) : ok;
              at.push_back(
                  clampIndex(b, l, position, inType.getDimSize(2 + i)));
            }
            Value x = tensor::ExtractOp::create(b, l, input, at);
            return arith::SelectOp::create(b, l, valid, x, zero);
          });
      // w'[g*Fg + f, c, k] = w[g*Cg + c, f, K - 1 - k]: F x Cg x K...
      SmallVector<int64_t> flippedShape{type.getDimSize(1), cg};
      flippedShape.append(wType.getShape().begin() + 2, wType.getShape().end());
      auto flippedType = RankedTensorType::get(flippedShape, element);
      Value flipped = indexedGeneric(
          rewriter, loc, flippedType, {}, {},
          [&](OpBuilder &b, Location l, ValueRange iv, ValueRange) {
            Value fgValue = arith::ConstantIndexOp::create(b, l, fg);
            Value g = arith::DivUIOp::create(b, l, iv[0], fgValue);
            Value f = arith::RemUIOp::create(b, l, iv[0], fgValue);
            SmallVector<Value> at{
                arith::AddIOp::create(
                    b, l,
                    arith::MulIOp::create(
                        b, l, g, arith::ConstantIndexOp::create(b, l, cg)),
                    iv[1]),
                f};
            for (int64_t i = 0; i < n; ++i)
              at.push_back(
                  arith::SubIOp::create(b, l,
                                        arith::ConstantIndexOp::create(
                                            b, l, wType.getDimSize(2 + i) - 1),
                                        iv[2 + i]));
            return tensor::ExtractOp::create(b, l, weight, at).getResult();
          });
      SmallVector<int64_t> ones(n, 1), zeros(2 * n, 0);
      Value conv = ConvOp::create(rewriter, loc, type, spread, flipped,
                                  rewriter.getDenseI64ArrayAttr(ones),
                                  rewriter.getDenseI64ArrayAttr(dilations),
                                  rewriter.getDenseI64ArrayAttr(zeros),
                                  rewriter.getI64IntegerAttr(groups));
      rewriter.replaceOp(op, conv);
      return success();
    }
    Value init = filledTensor(rewriter, loc, resultType, zero);
    // Integers: a direct gather.
    // Weights C x F/G x K... as G x C/G x F/G x K...; result as
    // N x G x F/G x O...
    RankedTensorType wType = tensorOf(weight);
    SmallVector<int64_t> w5Shape{groups, cg};
    w5Shape.append(wType.getShape().begin() + 1, wType.getShape().end());
    SmallVector<ReassociationIndices> wGroups{{0, 1}};
    for (int64_t d = 1; d < wType.getRank(); ++d)
      wGroups.push_back({d + 1});
    Value w5 = tensor::ExpandShapeOp::create(
        rewriter, loc, wType.clone(w5Shape), weight, wGroups);
    SmallVector<int64_t> o5Shape{type.getDimSize(0), groups, fg};
    o5Shape.append(type.getShape().begin() + 2, type.getShape().end());
    SmallVector<ReassociationIndices> oGroups{{0}, {1, 2}};
    for (int64_t d = 2; d < type.getRank(); ++d)
      oGroups.push_back({d + 1});
    Value out5 = tensor::ExpandShapeOp::create(
        rewriter, loc, resultType.clone(o5Shape), init, oGroups);
    int64_t loops = 4 + 2 * n;
    MLIRContext *ctx = getContext();
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> wExprs{d(1), d(3 + n), d(2)};
    SmallVector<AffineExpr> outExprs{d(0), d(1), d(2)};
    for (int64_t i = 0; i < n; ++i) {
      wExprs.push_back(d(4 + n + i));
      outExprs.push_back(d(3 + i));
    }
    SmallVector<utils::IteratorType> iterators(3 + n,
                                               utils::IteratorType::parallel);
    iterators.append(1 + n, utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{out5.getType()}, ValueRange{w5},
        ValueRange{out5},
        ArrayRef<AffineMap>{AffineMap::get(loops, 0, wExprs, ctx),
                            AffineMap::get(loops, 0, outExprs, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value valid;
          SmallVector<Value> at{linalg::IndexOp::create(b, l, 0)};
          // Channel g * C/G + c.
          at.push_back(arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, linalg::IndexOp::create(b, l, 1),
                                    arith::ConstantIndexOp::create(b, l, cg)),
              linalg::IndexOp::create(b, l, 3 + n)));
          for (int64_t i = 0; i < n; ++i) {
            // t = o + low - k * dilation; the input position is t / stride
            // when t >= 0, divisible, and below the input size.
            Value o = linalg::IndexOp::create(b, l, 3 + i);
            Value k = linalg::IndexOp::create(b, l, 4 + n + i);
            Value t = arith::SubIOp::create(
                b, l,
                arith::AddIOp::create(
                    b, l, o, arith::ConstantIndexOp::create(b, l, padding[i])),
                arith::MulIOp::create(
                    b, l, k,
                    arith::ConstantIndexOp::create(b, l, dilations[i])));
            auto [position, ok] =
                stridedSource(b, l, t, strides[i], inType.getDimSize(2 + i));
            valid = valid ? Value(arith::AndIOp::create(b, l, valid, ok)) : ok;
            at.push_back(clampIndex(b, l, position, inType.getDimSize(2 + i)));
          }
          Value x = tensor::ExtractOp::create(b, l, input, at);
          Value product = isFloat
                              ? Value(arith::MulFOp::create(b, l, x, args[0]))
                              : Value(arith::MulIOp::create(b, l, x, args[0]));
          product = arith::SelectOp::create(b, l, valid, product, zero);
          Value sum =
              isFloat ? Value(arith::AddFOp::create(b, l, args[1], product))
                      : Value(arith::AddIOp::create(b, l, args[1], product));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(
        op, tensor::CollapseShapeOp::create(rewriter, loc, resultType,
                                            generic.getResult(0), oGroups));
    return success();
  }
};

/// Max, average and Lp pooling: a window reduction over the padded input;
/// the average divides by the number of counted positions, computed per
/// output position from the window's bounds.
template <typename Op> struct PoolLowering : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(op) || !isStatic(input))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType type = cast<RankedTensorType>(op.getType());
    RankedTensorType inType = tensorOf(input);
    Type element = inType.getElementType();
    Kind kind = kindOf(elementOf(op.getInput()));
    int64_t n = type.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations(), padding = op.getPadding();
    constexpr bool isMax = std::is_same_v<Op, MaxPoolOp>;
    constexpr bool isAvg = std::is_same_v<Op, AvgPoolOp>;
    // Extra padding where ceil_mode windows reach past the declared pads.
    SmallVector<int64_t> low(padding.take_front(n)),
        high(padding.drop_front(n));
    for (int64_t i = 0; i < n; ++i) {
      int64_t needed = (type.getDimSize(2 + i) - 1) * strides[i] +
                       (kernel[i] - 1) * dilations[i] + 1;
      int64_t have = inType.getDimSize(2 + i) + low[i] + high[i];
      high[i] += std::max<int64_t>(0, needed - have);
    }
    Value padValue = isMax ? lowest(rewriter, loc, element, kind)
                           : constantOf(rewriter, loc, element, 0);
    Value padded = padSpatial(rewriter, loc, input, low, high, padValue);
    auto resultType = cast<RankedTensorType>(signless(type));
    Value init = filledTensor(rewriter, loc, resultType, padValue);
    int64_t loops = 2 + 2 * n;
    MLIRContext *ctx = this->getContext();
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> inExprs{d(0), d(1)}, outExprs{d(0), d(1)};
    for (int64_t i = 0; i < n; ++i) {
      inExprs.push_back(d(2 + i) * strides[i] + d(2 + n + i) * dilations[i]);
      outExprs.push_back(d(2 + i));
    }
    SmallVector<utils::IteratorType> iterators(2 + n,
                                               utils::IteratorType::parallel);
    iterators.append(n, utils::IteratorType::reduction);
    // A reduction-only operand shaped like the kernel fixes the window loops.
    Value window =
        emptyTensor(rewriter, loc, RankedTensorType::get(kernel, element));
    SmallVector<AffineExpr> windowExprs;
    for (int64_t i = 0; i < n; ++i)
      windowExprs.push_back(d(2 + n + i));
    int64_t p = 0;
    if constexpr (std::is_same_v<Op, LpPoolOp>)
      p = static_cast<int64_t>(op.getP());
    bool isFloat = kind == Kind::Float, isSigned = kind == Kind::Signed;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{padded, window},
        ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(loops, 0, inExprs, ctx),
                            AffineMap::get(loops, 0, windowExprs, ctx),
                            AffineMap::get(loops, 0, outExprs, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], acc = args[2], next;
          if (isMax)
            next = isFloat    ? Value(arith::MaximumFOp::create(b, l, acc, x))
                   : isSigned ? Value(arith::MaxSIOp::create(b, l, acc, x))
                              : Value(arith::MaxUIOp::create(b, l, acc, x));
          else if (isAvg)
            next = arith::AddFOp::create(b, l, acc, x);
          else {
            Value a = math::AbsFOp::create(b, l, x);
            Value power =
                p == 1 ? a
                : p == 2
                    ? Value(arith::MulFOp::create(b, l, a, a))
                    : Value(math::PowFOp::create(
                          b, l, a, constantOf(b, l, a.getType(), double(p))));
            next = arith::AddFOp::create(b, l, acc, power);
          }
          linalg::YieldOp::create(b, l, next);
        });
    Value result = generic.getResult(0);
    if constexpr (std::is_same_v<Op, LpPoolOp>) {
      result = elementwise(
          rewriter, loc, type, {result},
          [&](OpBuilder &b, Location l, ValueRange args) {
            if (p == 1)
              return args[0];
            if (p == 2)
              return Value(math::SqrtOp::create(b, l, args[0]));
            return Value(math::PowFOp::create(
                b, l, args[0],
                constantOf(b, l, args[0].getType(), 1.0 / double(p))));
          });
    }
    if constexpr (isAvg) {
      bool includePad = op.getCountIncludePad();
      ArrayRef<int64_t> declaredLow = padding.take_front(n),
                        declaredHigh = padding.drop_front(n);
      result = indexedGeneric(
          rewriter, loc, type, {result},
          {rewriter.getMultiDimIdentityMap(type.getRank())},
          [&](OpBuilder &b, Location l, ValueRange iv, ValueRange args) {
            // Per dimension: the kernel positions k in [0, kernel) whose
            // sampled position start + k*d lies in [first, end) (the input,
            // or the input and its declared padding), in closed form so that
            // the code does not grow with the kernel:
            // k in [max(0, ceil((first - start) / d)),
            //       min(kernel, floor((end - 1 - start) / d) + 1)).
            auto index = [&](int64_t v) -> Value {
              return arith::ConstantIndexOp::create(b, l, v);
            };
            Value count = index(1);
            for (int64_t i = 0; i < n; ++i) {
              int64_t size = inType.getDimSize(2 + i);
              int64_t first = includePad ? -declaredLow[i] : 0;
              int64_t end = includePad ? size + declaredHigh[i] : size;
              // start = o*s - low
              Value start = arith::SubIOp::create(
                  b, l,
                  arith::MulIOp::create(b, l, iv[2 + i], index(strides[i])),
                  index(low[i]));
              Value fromFirst =
                  arith::SubIOp::create(b, l, index(first), start);
              Value toLast = arith::SubIOp::create(b, l, index(end - 1), start);
              if (dilations[i] != 1) {
                fromFirst = arith::CeilDivSIOp::create(b, l, fromFirst,
                                                       index(dilations[i]));
                toLast = arith::FloorDivSIOp::create(b, l, toLast,
                                                     index(dilations[i]));
              }
              Value lo = arith::MaxSIOp::create(b, l, fromFirst, index(0));
              Value hi = arith::MinSIOp::create(
                  b, l, arith::AddIOp::create(b, l, toLast, index(1)),
                  index(kernel[i]));
              Value inside = arith::MaxSIOp::create(
                  b, l, arith::SubIOp::create(b, l, hi, lo), index(0));
              count = arith::MulIOp::create(b, l, count, inside);
            }
            Value countF = arith::UIToFPOp::create(
                b, l, args[0].getType(),
                arith::IndexCastOp::create(b, l, b.getI64Type(), count));
            return Value(arith::DivFOp::create(b, l, args[0], countF));
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateConvolutionLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvLowering, ConvTransposeLowering, PoolLowering<MaxPoolOp>,
               PoolLowering<AvgPoolOp>, PoolLowering<LpPoolOp>>(
      converter, patterns.getContext());
}
