//===- DataMovement.cpp - ops that move data without arithmetic -----------===//
//
// Transposes, reshapes (views where the data is contiguous), broadcasts,
// concatenations, slices, padding of every mode, tiling and splits.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

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

struct TransposeLowering : public OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPermutation())
                               .getResult());
    return success();
  }
};

/// A reshape of contiguous data is a view: collapse to 1-D, expand to the
/// result.
struct ReshapeLowering : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorOf(input);
    auto resultType = cast<RankedTensorType>(signless(op.getType()));
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    if (inputType == resultType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                          inputType.getElementType());
    auto allInOne = [](int64_t rank) {
      ReassociationIndices group;
      for (int64_t d = 0; d < rank; ++d)
        group.push_back(d);
      return SmallVector<ReassociationIndices>{group};
    };
    Value flat = input;
    if (inputType.getRank() == 0)
      flat = tensor::ExpandShapeOp::create(rewriter, loc, flatType, input,
                                           SmallVector<ReassociationIndices>{});
    else if (inputType.getRank() > 1)
      flat = tensor::CollapseShapeOp::create(rewriter, loc, flatType, input,
                                             allInOne(inputType.getRank()));
    Value result = flat;
    if (resultType.getRank() == 0)
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType, flat, SmallVector<ReassociationIndices>{});
    else if (resultType.getRank() > 1)
      result = tensor::ExpandShapeOp::create(rewriter, loc, resultType, flat,
                                             allInOne(resultType.getRank()));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BroadcastLowering : public OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    rewriter.replaceOp(op,
                       elementwise(rewriter, op.getLoc(), op.getType(),
                                   ValueRange{adaptor.getInput()},
                                   [](OpBuilder &, Location, ValueRange args) {
                                     return args[0];
                                   }));
    return success();
  }
};

struct ConcatLowering : public OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    int64_t axis = static_cast<int64_t>(op.getAxis()), offset = 0;
    Value result = emptyTensor(rewriter, loc, type);
    for (Value input : adaptor.getInputs()) {
      RankedTensorType inputType = tensorOf(input);
      int64_t size = inputType.getDimSize(axis);
      if (size == 0)
        continue;
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes,
          strides(type.getRank(), rewriter.getIndexAttr(1));
      for (int64_t dim : inputType.getShape())
        sizes.push_back(rewriter.getIndexAttr(dim));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, sizes, strides);
      offset += size;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Slices with positive strides are strided views; any negative stride
/// makes it a gather through linalg.index.
struct SliceLowering : public OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorOf(input);
    if (!type.hasStaticShape() || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    SmallVector<int64_t> starts;
    for (auto [size, start, stride] :
         llvm::zip(inputType.getShape(), op.getStarts(), op.getStrides()))
      starts.push_back(stride > 0 ? std::clamp<int64_t>(start, 0, size)
                                  : std::clamp<int64_t>(start, -1, size - 1));
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    ArrayRef<int64_t> strides = op.getStrides();
    if (llvm::all_of(strides, [](int64_t s) { return s > 0; })) {
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, cast<RankedTensorType>(signless(type)), input,
          getAsIndexOpFoldResult(rewriter.getContext(), starts),
          getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()),
          getAsIndexOpFoldResult(rewriter.getContext(), strides));
      rewriter.replaceOp(op, slice);
      return success();
    }
    int64_t rank = type.getRank();
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{signless(type)}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, type)},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, parallel,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            Value scaled = arith::MulIOp::create(
                b, l, i, arith::ConstantIndexOp::create(b, l, strides[d]));
            indices.push_back(arith::AddIOp::create(
                b, l, scaled, arith::ConstantIndexOp::create(b, l, starts[d])));
          }
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, input, indices)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Every mode through one generic: the source position of each result
/// element, then the constant where constant padding has no source.
struct PadLowering : public OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(op) || !isStatic(input))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    RankedTensorType type = op.getType(), inputType = tensorOf(input);
    if (inputType.getNumElements() == 0) {
      // Nothing to read: constant padding only.
      if (op.getMode() != PadMode::constant)
        return rewriter.notifyMatchFailure(op, "padding an empty tensor");
    }
    Location loc = op.getLoc();
    Value padValue;
    if (op.getMode() == PadMode::constant) {
      padValue = adaptor.getValue()
                     ? Value(tensor::ExtractOp::create(
                           rewriter, loc, adaptor.getValue(), ValueRange{}))
                     : constantOf(rewriter, loc, inputType.getElementType(), 0);
      if (type.getNumElements() == 0 || inputType.getNumElements() == 0) {
        rewriter.replaceOp(op, filledTensor(rewriter, loc, type, padValue));
        return success();
      }
    }
    ArrayRef<int64_t> low = op.getLow();
    PadMode mode = op.getMode();
    Value result = indexedGeneric(
        rewriter, loc, type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange) -> Value {
          SmallVector<Value> at;
          Value inside;
          for (int64_t d = 0; d < type.getRank(); ++d) {
            int64_t n = inputType.getDimSize(d);
            Value nValue = arith::ConstantIndexOp::create(b, l, n);
            Value i = arith::SubIOp::create(
                b, l, iv[d], arith::ConstantIndexOp::create(b, l, low[d]));
            Value zero = arith::ConstantIndexOp::create(b, l, 0);
            if (mode == PadMode::constant) {
              Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                               i, zero);
              Value lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                               i, nValue);
              Value ok = arith::AndIOp::create(b, l, ge, lt);
              inside =
                  inside ? Value(arith::AndIOp::create(b, l, inside, ok)) : ok;
            } else if (mode == PadMode::reflect && n > 1) {
              // -i before the start, 2(n-1) - i after the end.
              Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                i, zero);
              i = arith::SelectOp::create(
                  b, l, neg, arith::SubIOp::create(b, l, zero, i), i);
              Value over = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::sge, i, nValue);
              Value mirrored = arith::SubIOp::create(
                  b, l, arith::ConstantIndexOp::create(b, l, 2 * (n - 1)), i);
              i = arith::SelectOp::create(b, l, over, mirrored, i);
            } else if (mode == PadMode::wrap) {
              Value r = arith::RemSIOp::create(b, l, i, nValue);
              Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                r, zero);
              i = arith::SelectOp::create(
                  b, l, neg, arith::AddIOp::create(b, l, r, nValue), r);
            }
            at.push_back(clampIndex(b, l, i, n)); // edge, and safety
          }
          Value element = tensor::ExtractOp::create(b, l, input, at);
          if (inside)
            return arith::SelectOp::create(b, l, inside, element, padValue);
          return element;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TileLowering : public OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(op) || !isStatic(input))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    RankedTensorType type = op.getType(), inputType = tensorOf(input);
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, op.getLoc(), type));
      return success();
    }
    Value result = indexedGeneric(
        rewriter, op.getLoc(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < type.getRank(); ++d)
            at.push_back(arith::RemUIOp::create(
                b, l, iv[d],
                arith::ConstantIndexOp::create(b, l, inputType.getDimSize(d))));
          return tensor::ExtractOp::create(b, l, input, at).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitLowering : public OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(input))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    RankedTensorType inputType = tensorOf(input);
    int64_t axis = static_cast<int64_t>(op.getAxis()), offset = 0;
    SmallVector<Value> results;
    for (auto [result, size] : llvm::zip(op.getResults(), op.getSizes())) {
      auto type = cast<RankedTensorType>(signless(result.getType()));
      if (type.getNumElements() == 0) {
        // An empty part: no slice (its offset may be the axis's end, which
        // tensor.extract_slice does not accept).
        results.push_back(emptyTensor(
            rewriter, op.getLoc(), cast<RankedTensorType>(result.getType())));
        offset += size;
        continue;
      }
      SmallVector<int64_t> offsets(inputType.getRank(), 0);
      offsets[axis] = offset;
      SmallVector<int64_t> strides(inputType.getRank(), 1);
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), type, input,
          getAsIndexOpFoldResult(getContext(), offsets),
          getAsIndexOpFoldResult(getContext(), type.getShape()),
          getAsIndexOpFoldResult(getContext(), strides)));
      offset += size;
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateDataMovementLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TransposeLowering, ReshapeLowering, BroadcastLowering,
               ConcatLowering, SliceLowering, PadLowering, TileLowering,
               SplitLowering>(converter, patterns.getContext());
}
