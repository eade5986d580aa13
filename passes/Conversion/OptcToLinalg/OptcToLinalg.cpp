//===- OptcToLinalg.cpp - optc operations to linalg, tensor, arith, math --===//
//
// Implements --optc-convert-to-linalg, the lowering of the optc dialect to
// upstream dialects on tensors (DESIGN.md stage 6). One dialect conversion
// does everything, so that a model either lowers completely or fails with
// the location of the first operation that has no lowering yet.
//
// The signedness of optc's integer types (`ui8`, `si32`) moves from the
// types into the choice of operations: tensors become signless, and each
// lowering reads the original element type to pick `divui` or `divsi`.
// The host program's view of the signature (dtypes with their signedness)
// was recorded before this pass by --optc-record-interface.
//
// Broadcasting follows one rule: an operand's stretched size-1 dimensions
// are collapsed away before it enters a `linalg.generic`, so every indexing
// map is a projected permutation, which tiling and vectorisation need.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"
#include "passes/Conversion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCONVERTTOLINALG
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

/// Ops that only move, gather or scatter elements (or hold them): they
/// take narrow floats in their integer storage.
static bool movesDataOnly(Operation *op) {
  // A scatter that combines an update with the old element computes.
  if (auto scatter = dyn_cast<ScatterElementsOp>(op))
    return scatter.getReduction() == ScatterReduction::none;
  if (auto scatter = dyn_cast<ScatterNdOp>(op))
    return scatter.getReduction() == ScatterReduction::none;
  return isa<ConstantOp, FusionOp, YieldOp, ShapeOfOp, ReshapeOp, TransposeOp,
             BroadcastOp, ConcatOp, SplitOp, SliceOp, PadOp, TileOp, GatherOp,
             GatherElementsOp, GatherNdOp, DynamicReshapeOp, DynamicBroadcastOp,
             DynamicSliceOp, DynamicPadOp, DynamicTileOp>(op);
}

namespace {

struct ConstantLowering : public OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<ShapedType>(signless(op.getType()));
    Attribute value = op.getValue();
    if (getQuantEncoding(op.getType())) {
      // Packed codes: the bytes of the blob, or the values packed.
      value = packedConstant(op.getValue());
      if (!value)
        return rewriter.notifyMatchFailure(op, "unreadable packed constant");
    } else if (type != op.getType()) {
      auto dense = dyn_cast<DenseElementsAttr>(value);
      Type element = dense ? dense.getElementType() : Type();
      if (dense && isNarrowFloat(element))
        value = cast<DenseFPElementsAttr>(dense).mapValues(
            type.getElementType(),
            [](const APFloat &v) { return v.bitcastToAPInt().zext(8); });
      else if (dense && (element.isInteger(1) || isNarrow(element)))
        value = dense.mapValues(type.getElementType(),
                                [](const APInt &bits) { return bits.zext(8); });
      else if (dense)
        value = dense.bitcast(type.getElementType());
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(type, resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unknown constant kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

/// Reading one bool from a tensor: the byte, then the bit.
struct BoolExtractLowering : public OpConversionPattern<tensor::ExtractOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tensor::ExtractOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().isInteger(1))
      return failure();
    Value byte = tensor::ExtractOp::create(
        rewriter, op.getLoc(), adaptor.getTensor(), adaptor.getIndices());
    rewriter.replaceOpWithNewOp<arith::TruncIOp>(op, rewriter.getI1Type(),
                                                 byte);
    return success();
  }
};

/// A poison tensor (the value of a branch that asserted) is an empty
/// tensor: bufferisation has no buffer for ub.poison.
struct PoisonTensorLowering : public OpConversionPattern<ub::PoisonOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ub::PoisonOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.hasStaticShape())
      return failure();
    rewriter.replaceOp(op, emptyTensor(rewriter, op.getLoc(), type));
    return success();
  }
};

/// Any other operation whose types mention signed or unsigned integers is
/// rebuilt with signless ones (tensor.cast, tensor.extract, ...).
struct SignlessRebuild : public ConversionPattern {
  SignlessRebuild(const TypeConverter &converter, MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), 0, context) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<OptcDialect>(op->getDialect()) || isa<func::FuncOp>(op))
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(),
                                                resultTypes)))
      return failure();
    OperationState state(op->getLoc(), op->getName(), operands, resultTypes,
                         op->getAttrs(), op->getSuccessors());
    for (Region &region : op->getRegions()) {
      Region *moved = state.addRegion();
      rewriter.inlineRegionBefore(region, *moved, moved->end());
      if (failed(rewriter.convertRegionTypes(moved, *getTypeConverter())))
        return failure();
    }
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

struct ConvertToLinalgPass
    : public mlir::optc::impl::OptcConvertToLinalgBase<ConvertToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();

    TypeConverter converter;
    converter.addConversion([](Type type) { return signless(type); });
    auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                          Location loc) -> Value {
      return UnrealizedConversionCastOp::create(b, loc, type, inputs)
          .getResult(0);
    };
    converter.addSourceMaterialization(materialize);
    converter.addTargetMaterialization(materialize);

    // Narrow types are only converted: say so rather than leave the
    // framework's "failed to legalize". They are stored one element per
    // byte, high bits zero, so any op that computes on them, elementwise or
    // not (a pool's sum, a matmul's accumulator, a reduction's maximum),
    // would lower to float arithmetic on integers, or to i8 arithmetic that
    // ignores an i4's sign and wraps at the wrong width; only ops that move
    // data take them.
    WalkResult narrow = module.walk([](Operation *op) {
      // Packed storage needs the element count (Quantized.cpp).
      if (isa<QuantizeOp, DequantizeOp, PackOp, UnpackOp, QuantizedMatmulOp>(
              op))
        for (Type type :
             llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
          if (getQuantEncoding(type) &&
              !cast<RankedTensorType>(type).hasStaticShape()) {
            op->emitOpError() << "packs the quantized tensor " << type
                              << " of unknown shape; the CPU lowering needs "
                                 "static shapes (--input-shape sets them)";
            return WalkResult::interrupt();
          }
      if (!isa<OptcDialect>(op->getDialect()) ||
          isa<CastOp, SelectOp, BitcastOp, QuantizeOp, DequantizeOp, PackOp,
              UnpackOp, QuantizedMatmulOp>(op) ||
          movesDataOnly(op))
        return WalkResult::advance();
      for (Type type :
           llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
        auto shaped = dyn_cast<ShapedType>(type);
        if (shaped && isNarrow(shaped.getElementType())) {
          op->emitOpError() << "computes on " << shaped.getElementType()
                            << ", which optc only converts: cast to a wider "
                               "type first";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (narrow.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(*context);
    target.addIllegalDialect<OptcDialect>();
    target.addDynamicallyLegalOp<ub::PoisonOp>(
        [](ub::PoisonOp op) { return !isa<TensorType>(op.getType()); });
    target.markUnknownOpDynamicallyLegal([&](Operation *op) {
      if (auto func = dyn_cast<func::FuncOp>(op))
        return converter.isSignatureLegal(func.getFunctionType()) &&
               converter.isLegal(&func.getBody());
      return converter.isLegal(op);
    });

    RewritePatternSet patterns(context);
    patterns.add<SignlessRebuild>(converter, context);
    patterns.add<BoolExtractLowering, PoisonTensorLowering>(converter, context,
                                                            /*benefit=*/2);
    patterns.add<ConstantLowering>(converter, context);
    populatePointwiseLoweringPatterns(converter, patterns);
    populateContractionLoweringPatterns(converter, patterns);
    populateConvolutionLoweringPatterns(converter, patterns);
    populateDataMovementLoweringPatterns(converter, patterns);
    populateGatherLoweringPatterns(converter, patterns);
    populateReductionLoweringPatterns(converter, patterns);
    populateTopKLoweringPatterns(converter, patterns);
    populateQuantizedLoweringPatterns(converter, patterns);
    populateQuantizedMatmulLoweringPatterns(converter, patterns);
    populateIntegerMatmulLoweringPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);

    // The framework names the first op it cannot lower, at its location.
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
