//===- Quantized.cpp - packed quantized tensors and their conversions -----===//
//
// Lowers the tensors of #optc.quant and the ops that make and read them.
// A quantized tensor becomes its packed bytes, a flat tensor<B x i8>: the
// codes as one little-endian bit stream, code i at bits [i * w, (i + 1) *
// w) for codes of w bits (ONNX's layout, and formats::pack's). Its scales
// and zero points are ordinary tensors (narrow ones one per byte).
//
// Each conversion is two steps with a tensor of codes, one per byte, in
// between: unpacking (each code read from the one or two bytes it spans)
// and decoding with its block's scale for optc.dequantize; encoding and
// packing (each byte gathered from the codes it holds) for
// optc.quantize. Both steps are linalg.generic ops, so the element loops
// fuse. The arithmetic is that of formats::quantize and
// formats::dequantize (lib/Support/BlockScaling.cpp), in f32:
// (code - zero point) * (scale [* tensor scale]) and
// encode(x / (scale [* tensor scale])) [+ zero point].
//
// This is the generic lowering: a matrix product of dequantized weights
// reads them from a dequantized tensor. The fused kernels come later.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "optc/Support/Sizes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace mlir::optc::lowering {

RankedTensorType packedStorageType(RankedTensorType quantized) {
  Builder b(quantized.getContext());
  std::optional<int64_t> bytes;
  if (quantized.hasStaticShape())
    if (std::optional<int64_t> count = sizes::numElements(quantized.getShape()))
      bytes = sizes::packedBytes(
          *count, quantized.getElementType().getIntOrFloatBitWidth());
  return RankedTensorType::get({bytes ? *bytes : ShapedType::kDynamic},
                               b.getI8Type());
}

} // namespace mlir::optc::lowering

using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace {

Value i32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
}

Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

unsigned codeBits(RankedTensorType type) {
  return type.getElementType().getIntOrFloatBitWidth();
}

/// `flat`, a 1-D tensor of `type`'s element count, in `type`'s shape.
Value fromFlat(OpBuilder &b, Location loc, Value flat, RankedTensorType type) {
  auto target = RankedTensorType::get(type.getShape(), elementOf(flat));
  if (type.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> groups;
  if (type.getRank() > 0)
    groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, target, flat, groups);
  return tensor::ExpandShapeOp::create(b, loc, target, flat, groups);
}

/// `value` as a 1-D tensor of its elements, row-major.
Value toFlat(OpBuilder &b, Location loc, Value value) {
  RankedTensorType type = tensorOf(value);
  if (type.getRank() == 1)
    return value;
  int64_t count = type.getNumElements();
  auto target = RankedTensorType::get({count}, type.getElementType());
  SmallVector<ReassociationIndices> groups;
  if (type.getRank() > 0)
    groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, target, value, groups);
  return tensor::CollapseShapeOp::create(b, loc, target, value, groups);
}

/// A 1-D linalg.generic of `count` i8 results computed from the loop index.
Value generate1D(OpBuilder &b, Location loc, int64_t count,
                 function_ref<Value(OpBuilder &, Location, Value)> body) {
  auto type = RankedTensorType::get({count}, b.getI8Type());
  return indexedGeneric(b, loc, type, {}, {},
                        [&](OpBuilder &nb, Location l, ValueRange indices,
                            ValueRange) { return body(nb, l, indices[0]); });
}

/// The codes of `bytes`, the packed storage of `type`, one per byte in the
/// low bits, in `type`'s shape.
Value unpackCodes(OpBuilder &b, Location loc, Value bytes,
                  RankedTensorType type) {
  unsigned bits = codeBits(type);
  int64_t count = type.getNumElements();
  if (bits == 8)
    return fromFlat(b, loc, bytes, type);
  int64_t byteCount = tensorOf(bytes).getDimSize(0);
  Value flat =
      generate1D(b, loc, count, [&](OpBuilder &nb, Location l, Value i) {
        Value bit = arith::MulIOp::create(nb, l, i, indexConstant(nb, l, bits));
        Value at = arith::ShRUIOp::create(nb, l, bit, indexConstant(nb, l, 3));
        Value shift = arith::IndexCastOp::create(
            nb, l, nb.getI32Type(),
            arith::AndIOp::create(nb, l, bit, indexConstant(nb, l, 7)));
        auto byteAt = [&](Value index) {
          Value byte = tensor::ExtractOp::create(nb, l, bytes, index);
          return arith::ExtUIOp::create(nb, l, nb.getI32Type(), byte);
        };
        Value word = byteAt(at);
        // A code of 3, 5, 6 or 7 bits may run into the next byte, which then
        // exists; where it does not run over, the index is clamped.
        if (8 % bits != 0) {
          Value next = arith::MinUIOp::create(
              nb, l, arith::AddIOp::create(nb, l, at, indexConstant(nb, l, 1)),
              indexConstant(nb, l, byteCount - 1));
          word = arith::OrIOp::create(
              nb, l, word,
              arith::ShLIOp::create(nb, l, byteAt(next), i32(nb, l, 8)));
        }
        Value code = arith::AndIOp::create(
            nb, l, arith::ShRUIOp::create(nb, l, word, shift),
            i32(nb, l, (1 << bits) - 1));
        return arith::TruncIOp::create(nb, l, nb.getI8Type(), code);
      });
  return fromFlat(b, loc, flat, type);
}

/// The packed storage of `codes` (one per byte, in the low bits; higher
/// bits are ignored), of `type`'s code width.
Value packCodes(OpBuilder &b, Location loc, Value codes,
                RankedTensorType type) {
  unsigned bits = codeBits(type);
  Value flat = toFlat(b, loc, codes);
  if (bits == 8)
    return flat;
  int64_t count = type.getNumElements();
  int64_t byteCount = packedStorageType(type).getDimSize(0);
  // The codes that touch one byte: 8 / w when w divides 8, else up to
  // ceil(8 / w) + 1, the first of which may have begun in the byte before.
  int64_t touching = 8 % bits == 0 ? 8 / bits : (8 + bits - 1) / bits + 1;
  return generate1D(b, loc, byteCount, [&](OpBuilder &nb, Location l, Value j) {
    Value firstBit = arith::MulIOp::create(nb, l, j, indexConstant(nb, l, 8));
    Value first =
        arith::DivUIOp::create(nb, l, firstBit, indexConstant(nb, l, bits));
    Value byte = i32(nb, l, 0);
    for (int64_t t = 0; t < touching; ++t) {
      Value e = arith::AddIOp::create(nb, l, first, indexConstant(nb, l, t));
      Value inRange = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, e,
                                            indexConstant(nb, l, count));
      Value clamped =
          arith::MinUIOp::create(nb, l, e, indexConstant(nb, l, count - 1));
      Value code = arith::AndIOp::create(
          nb, l,
          arith::ExtUIOp::create(
              nb, l, nb.getI32Type(),
              tensor::ExtractOp::create(nb, l, flat, clamped)),
          i32(nb, l, (1 << bits) - 1));
      code = arith::SelectOp::create(nb, l, inRange, code, i32(nb, l, 0));
      // Where the code starts relative to the byte: below 0 for one that
      // began in the byte before, 8 or more for one that starts after.
      Value start = arith::SubIOp::create(
          nb, l,
          arith::IndexCastOp::create(
              nb, l, nb.getI32Type(),
              arith::MulIOp::create(nb, l, e, indexConstant(nb, l, bits))),
          arith::IndexCastOp::create(nb, l, nb.getI32Type(), firstBit));
      Value left = arith::ShLIOp::create(
          nb, l, code, arith::MaxSIOp::create(nb, l, start, i32(nb, l, 0)));
      Value right = arith::ShRUIOp::create(
          nb, l, code,
          arith::MaxSIOp::create(
              nb, l, arith::SubIOp::create(nb, l, i32(nb, l, 0), start),
              i32(nb, l, 0)));
      Value before = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                           start, i32(nb, l, 0));
      Value part = arith::SelectOp::create(nb, l, before, right, left);
      Value inByte = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                           start, i32(nb, l, 8));
      part = arith::SelectOp::create(nb, l, inByte, part, i32(nb, l, 0));
      byte = arith::OrIOp::create(nb, l, byte, part);
    }
    return arith::TruncIOp::create(nb, l, nb.getI8Type(), byte);
  });
}

} // namespace

Value mlir::optc::lowering::decodeCode(OpBuilder &b, Location loc, Value code,
                                       Type codeType) {
  if (auto floatType = dyn_cast<FloatType>(codeType))
    return decodeNarrowFloat(b, loc, code, floatType);
  auto integer = cast<IntegerType>(codeType);
  unsigned spare = 32 - integer.getWidth();
  Value high = arith::ShLIOp::create(
      b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), code),
      i32(b, loc, spare));
  if (integer.isUnsigned())
    return arith::UIToFPOp::create(
        b, loc, b.getF32Type(),
        arith::ShRUIOp::create(b, loc, high, i32(b, loc, spare)));
  return arith::SIToFPOp::create(
      b, loc, b.getF32Type(),
      arith::ShRSIOp::create(b, loc, high, i32(b, loc, spare)));
}

namespace {

/// The position in the scales (and zero points) of the element at
/// `indices`: each index divided by its block size.
SmallVector<Value> blockIndices(OpBuilder &b, Location loc, ValueRange indices,
                                QuantAttr quant, RankedTensorType codes) {
  SmallVector<Value> at;
  for (auto [index, block, size] :
       llvm::zip_equal(indices, quant.getBlock(), codes.getShape())) {
    if (block >= size)
      at.push_back(indexConstant(b, loc, 0));
    else if (block == 1)
      at.push_back(index);
    else
      at.push_back(
          arith::DivUIOp::create(b, loc, index, indexConstant(b, loc, block)));
  }
  return at;
}

/// The operands that give a block its value: the f32 scale (times the
/// tensor scale), and the f32 zero point.
struct BlockOperands {
  Value scales, zeroPoints, tensorScale;
  Type scaleType, codeType;
  QuantAttr quant;
  RankedTensorType codes;

  /// The block operands of optc.quantize or optc.dequantize `op`, whose
  /// codes have type `codes`, from its converted operands.
  template <typename OpTy, typename Adaptor>
  static BlockOperands of(OpTy op, Adaptor adaptor, RankedTensorType codes) {
    return {adaptor.getScales(),
            adaptor.getZeroPoints(),
            adaptor.getTensorScale(),
            elementOf(op.getScales()),
            codes.getElementType(),
            getQuantEncoding(codes),
            codes};
  }

  std::pair<Value, Value> at(OpBuilder &b, Location loc,
                             ValueRange indices) const {
    SmallVector<Value> where = blockIndices(b, loc, indices, quant, codes);
    Value stored = tensor::ExtractOp::create(b, loc, scales, where);
    Value scale = *castScalar(b, loc, stored, scaleType, b.getF32Type(), true);
    if (tensorScale)
      scale = arith::MulFOp::create(
          b, loc, scale,
          tensor::ExtractOp::create(b, loc, tensorScale, ValueRange{}));
    Value zero;
    if (zeroPoints)
      zero = decodeCode(b, loc,
                        tensor::ExtractOp::create(b, loc, zeroPoints, where),
                        codeType);
    return {scale, zero};
  }
};

LogicalResult checkStatic(Operation *op, RankedTensorType codes,
                          ConversionPatternRewriter &rewriter) {
  if (codes.hasStaticShape())
    return success();
  return rewriter.notifyMatchFailure(
      op, "quantized tensors lower with static shapes only");
}

struct PackLowering : public OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (failed(checkStatic(op, type, rewriter)))
      return failure();
    rewriter.replaceOp(
        op, packCodes(rewriter, op.getLoc(), adaptor.getInput(), type));
    return success();
  }
};

struct UnpackLowering : public OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInput().getType();
    if (failed(checkStatic(op, type, rewriter)))
      return failure();
    rewriter.replaceOp(
        op, unpackCodes(rewriter, op.getLoc(), adaptor.getInput(), type));
    return success();
  }
};

struct DequantizeLowering : public OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType codes = op.getInput().getType();
    if (failed(checkStatic(op, codes, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Value unpacked = unpackCodes(rewriter, loc, adaptor.getInput(), codes);
    BlockOperands blocks = BlockOperands::of(op, adaptor, codes);
    RankedTensorType resultType = op.getType();
    int64_t rank = codes.getRank();
    Value result = indexedGeneric(
        rewriter, loc, resultType, {unpacked},
        {rewriter.getMultiDimIdentityMap(rank)},
        [&](OpBuilder &b, Location l, ValueRange indices, ValueRange args) {
          auto [scale, zero] = blocks.at(b, l, indices);
          Value value = decodeCode(b, l, args[0], blocks.codeType);
          if (zero)
            value = arith::SubFOp::create(b, l, value, zero);
          value = arith::MulFOp::create(b, l, value, scale);
          Type element = resultType.getElementType();
          if (element.getIntOrFloatBitWidth() < 32)
            return Value(arith::TruncFOp::create(b, l, element, value));
          if (element.getIntOrFloatBitWidth() > 32)
            return Value(arith::ExtFOp::create(b, l, element, value));
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The code of `x` (f32, already divided by its scale) plus `zero` (f32,
/// or null), as formats::encode gives it: integers round to nearest even,
/// add the zero point and clamp (NaN becomes 0); floats convert.
Value encodeCode(OpBuilder &b, Location loc, Value x, Value zero, Type codeType,
                 bool saturate) {
  if (auto floatType = dyn_cast<FloatType>(codeType))
    return encodeNarrowFloat(b, loc, x, floatType, saturate);
  auto integer = cast<IntegerType>(codeType);
  unsigned w = integer.getWidth();
  double lo = integer.isUnsigned() ? 0 : -std::ldexp(1.0, w - 1);
  double hi = integer.isUnsigned() ? std::ldexp(1.0, w) - 1
                                   : std::ldexp(1.0, w - 1) - 1;
  Type f32 = b.getF32Type();
  Value r = math::RoundEvenOp::create(b, loc, x);
  if (zero)
    r = arith::AddFOp::create(b, loc, r, zero);
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, r, r);
  r = arith::MaximumFOp::create(b, loc, r, constantOf(b, loc, f32, lo));
  r = arith::MinimumFOp::create(b, loc, r, constantOf(b, loc, f32, hi));
  r = arith::SelectOp::create(b, loc, isNaN, constantOf(b, loc, f32, 0), r);
  Value code = arith::FPToSIOp::create(b, loc, b.getI32Type(), r);
  code = arith::AndIOp::create(b, loc, code, i32(b, loc, (1 << w) - 1));
  return arith::TruncIOp::create(b, loc, b.getI8Type(), code);
}

struct QuantizeLowering : public OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType codes = op.getType();
    if (failed(checkStatic(op, codes, rewriter)))
      return failure();
    Location loc = op.getLoc();
    BlockOperands blocks = BlockOperands::of(op, adaptor, codes);
    Type inputElement = elementOf(op.getInput());
    bool saturate = op.getSaturate();
    int64_t rank = codes.getRank();
    auto plainCodes =
        RankedTensorType::get(codes.getShape(), rewriter.getI8Type());
    Value encoded = indexedGeneric(
        rewriter, loc, plainCodes, {adaptor.getInput()},
        {rewriter.getMultiDimIdentityMap(rank)},
        [&](OpBuilder &b, Location l, ValueRange indices, ValueRange args) {
          auto [scale, zero] = blocks.at(b, l, indices);
          Value x = args[0];
          if (inputElement.getIntOrFloatBitWidth() < 32)
            x = arith::ExtFOp::create(b, l, b.getF32Type(), x);
          else if (inputElement.getIntOrFloatBitWidth() > 32)
            x = arith::TruncFOp::create(b, l, b.getF32Type(), x);
          x = arith::DivFOp::create(b, l, x, scale);
          return encodeCode(b, l, x, zero, blocks.codeType, saturate);
        });
    rewriter.replaceOp(op, packCodes(rewriter, loc, encoded, codes));
    return success();
  }
};

} // namespace

namespace mlir::optc::lowering {

ElementsAttr packedConstant(ElementsAttr value) {
  auto type = cast<RankedTensorType>(value.getType());
  RankedTensorType storage = packedStorageType(type);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (blob &&
        static_cast<int64_t>(blob->getData().size()) == storage.getDimSize(0))
      return DenseResourceElementsAttr::get(storage, resource.getRawHandle());
  }
  std::optional<std::vector<uint8_t>> bytes = packedCodesOf(value);
  if (!bytes)
    return {};
  return DenseElementsAttr::getFromRawBuffer(
      storage, ArrayRef<char>(reinterpret_cast<const char *>(bytes->data()),
                              bytes->size()));
}

void populateQuantizedLoweringPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns
      .add<PackLowering, UnpackLowering, QuantizeLowering, DequantizeLowering>(
          converter, patterns.getContext());
}

} // namespace mlir::optc::lowering
