//===- OptcQuant.cpp - quantized storage: codes, scales, Q/DQ ops ---------===//
//
// What may be a quantized tensor's codes and scales, and the verifiers of
// optc.quantize and optc.dequantize, which convert between float tensors
// and packed quantized ones (#optc.quant, whose methods are with the other
// attributes in OptcDialect.cpp).
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/Formats.h"
#include "optc/Support/Sizes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::optc;

//===----------------------------------------------------------------------===//
// #optc.quant
//===----------------------------------------------------------------------===//

bool optc::isQuantCodeType(Type element) {
  if (auto integer = dyn_cast<IntegerType>(element))
    return integer.getWidth() <= 8 &&
           (integer.isUnsigned() ||
            (integer.isSignless() && integer.getWidth() >= 2));
  return isa<Float4E2M1FNType, Float6E2M3FNType, Float6E3M2FNType,
             Float8E4M3FNType, Float8E5M2Type>(element);
}

bool optc::isQuantScaleType(Type element) {
  return isa<Float32Type, Float16Type, BFloat16Type, Float8E8M0FNUType,
             Float8E4M3FNType>(element);
}

QuantAttr optc::getQuantEncoding(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  return ranked ? dyn_cast_or_null<QuantAttr>(ranked.getEncoding())
                : QuantAttr();
}

std::optional<std::vector<uint8_t>> optc::quantCodesOf(ElementsAttr value) {
  Type element = value.getElementType();
  if (!isQuantCodeType(element))
    return std::nullopt;
  unsigned bits = element.getIntOrFloatBitWidth();
  uint8_t mask = static_cast<uint8_t>((1u << bits) - 1);
  int64_t count = value.getNumElements();
  std::vector<uint8_t> codes(static_cast<size_t>(count));
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto code = [&](const APInt &v) {
      return static_cast<uint8_t>(v.getZExtValue() & mask);
    };
    if (auto floats = dyn_cast<DenseFPElementsAttr>(dense))
      for (auto [i, v] : llvm::enumerate(floats.getValues<APFloat>()))
        codes[i] = code(v.bitcastToAPInt());
    else
      for (auto [i, v] : llvm::enumerate(dense.getValues<APInt>()))
        codes[i] = code(v);
    return codes;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob)
    return std::nullopt;
  ArrayRef<char> data = blob->getData();
  auto bytes = ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(data.data()),
                                 data.size());
  std::optional<int64_t> packed = sizes::packedBytes(count, bits);
  // The verifier of optc.constant allows these two sizes (a tensor of one
  // code has both, and the same byte).
  if (packed && bytes.size() == static_cast<size_t>(*packed)) {
    formats::unpack(bytes, static_cast<int>(bits), codes);
    return codes;
  }
  if (bytes.size() != codes.size())
    return std::nullopt;
  for (auto [i, byte] : llvm::enumerate(bytes))
    codes[i] = byte & mask;
  return codes;
}

std::optional<std::vector<uint8_t>> optc::packedCodesOf(ElementsAttr value) {
  std::optional<std::vector<uint8_t>> codes = quantCodesOf(value);
  if (!codes)
    return std::nullopt;
  unsigned bits = value.getElementType().getIntOrFloatBitWidth();
  std::vector<uint8_t> packed(
      static_cast<size_t>(*sizes::packedBytes(codes->size(), bits)));
  formats::pack(*codes, static_cast<int>(bits), packed);
  return packed;
}

namespace {

/// A blob constant of `type` holding `bytes`, named after `like` when that
/// is a blob (the weights keep their names).
ElementsAttr blobConstant(ShapedType type, ArrayRef<uint8_t> bytes,
                          ElementsAttr like) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(like);
  StringRef key =
      resource ? resource.getRawHandle().getKey() : StringRef("codes");
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()),
                     bytes.size()),
      /*align=*/1);
  return DenseResourceElementsAttr::get(type, key, std::move(blob));
}

/// Checks that `op` moves codes between a plain tensor, `plain`, and a
/// quantized one, `packed`, of the same shape and code type.
LogicalResult verifyPacking(Operation *op, RankedTensorType plain,
                            RankedTensorType packed) {
  QuantAttr quant = getQuantEncoding(packed);
  if (!quant)
    return op->emitOpError() << "needs a #optc.quant tensor on its packed "
                                "side, found "
                             << packed;
  if (failed(quant.verifyEncoding(packed.getShape(), packed.getElementType(),
                                  [&] { return op->emitOpError(); })))
    return failure();
  if (plain.getEncoding())
    return op->emitOpError()
           << "needs a plain tensor on its unpacked side, found " << plain;
  if (plain.getElementType() != packed.getElementType() ||
      failed(verifyCompatibleShape(plain.getShape(), packed.getShape())))
    return op->emitOpError() << "moves codes between tensors of one shape and "
                                "code type, found "
                             << plain << " and " << packed;
  return success();
}

} // namespace

LogicalResult PackOp::verify() {
  return verifyPacking(*this, getInput().getType(), getOutput().getType());
}

LogicalResult UnpackOp::verify() {
  return verifyPacking(*this, getOutput().getType(), getInput().getType());
}

OpFoldResult PackOp::fold(FoldAdaptor adaptor) {
  if (auto unpack = getInput().getDefiningOp<UnpackOp>())
    if (unpack.getInput().getType() == getType())
      return unpack.getInput();
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!value || !getType().hasStaticShape())
    return {};
  std::optional<std::vector<uint8_t>> packed = packedCodesOf(value);
  if (!packed)
    return {};
  return blobConstant(getType(), *packed, value);
}

OpFoldResult UnpackOp::fold(FoldAdaptor adaptor) {
  if (auto pack = getInput().getDefiningOp<PackOp>())
    if (pack.getInput().getType() == getType())
      return pack.getInput();
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!value || !getType().hasStaticShape())
    return {};
  std::optional<std::vector<uint8_t>> codes = quantCodesOf(value);
  if (!codes)
    return {};
  return blobConstant(getType(), *codes, value);
}

//===----------------------------------------------------------------------===//
// optc.quantize, optc.dequantize
//===----------------------------------------------------------------------===//

namespace {

/// Checks the scales, zero points and tensor scale that go with the codes
/// of type `codes`, and the float tensor of type `values` on the other side.
LogicalResult verifyQuantOperands(Operation *op, RankedTensorType codes,
                                  RankedTensorType values, Value scales,
                                  Value zeroPoints, Value tensorScale) {
  QuantAttr quant = getQuantEncoding(codes);
  if (!quant)
    return op->emitOpError()
           << "needs codes of a #optc.quant tensor type, found " << codes;
  // Types built in C++ skip the encoding's own verifier: check the rank.
  if (failed(quant.verifyEncoding(codes.getShape(), codes.getElementType(),
                                  [&] { return op->emitOpError(); })))
    return failure();
  if (values.getEncoding())
    return op->emitOpError()
           << "converts to or from a plain tensor, found " << values;
  if (!isa<FloatType>(values.getElementType()) ||
      values.getElementType().getIntOrFloatBitWidth() < 16)
    return op->emitOpError() << "converts to or from f16, bf16, f32 or f64, "
                                "found "
                             << values.getElementType();
  if (failed(verifyCompatibleShape(codes.getShape(), values.getShape())))
    return op->emitOpError()
           << "codes of shape " << codes << " for values of shape " << values;
  auto scaleType = cast<RankedTensorType>(scales.getType());
  SmallVector<int64_t> want = quant.getScaleShape(codes.getShape());
  if (scaleType.getElementType() != quant.getScaleType() ||
      failed(verifyCompatibleShape(scaleType.getShape(), want)))
    return op->emitOpError()
           << "needs scales of "
           << RankedTensorType::get(want, quant.getScaleType())
           << " for codes of " << codes << ", found " << scaleType;
  // An operand is there exactly when the encoding declares it.
  auto declared = [&](bool inEncoding, Value operand, StringRef what,
                      StringRef flag) -> LogicalResult {
    if (inEncoding == bool(operand))
      return success();
    if (inEncoding)
      return op->emitOpError()
             << "needs " << what << " (#optc.quant has " << flag << ")";
    return op->emitOpError()
           << "has " << what << " the codes' #optc.quant does not declare";
  };
  if (failed(declared(quant.getZeroPoint(), zeroPoints, "zero points",
                      "zero_point")) ||
      failed(declared(quant.getTensorScale(), tensorScale, "a tensor scale",
                      "tensor_scale")))
    return failure();
  if (zeroPoints) {
    auto zt = cast<RankedTensorType>(zeroPoints.getType());
    if (zt.getElementType() != codes.getElementType() ||
        failed(verifyCompatibleShape(zt.getShape(), want)) || zt.getEncoding())
      return op->emitOpError()
             << "needs zero points of "
             << RankedTensorType::get(want, codes.getElementType())
             << ", found " << zt;
  }
  if (tensorScale) {
    auto tt = cast<RankedTensorType>(tensorScale.getType());
    if (tt.getRank() != 0 || !tt.getElementType().isF32())
      return op->emitOpError()
             << "needs a tensor scale of tensor<f32>, found " << tt;
  }
  return success();
}

} // namespace

LogicalResult QuantizeOp::verify() {
  return verifyQuantOperands(*this, getOutput().getType(), getInput().getType(),
                             getScales(), getZeroPoints(), getTensorScale());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantOperands(*this, getInput().getType(), getOutput().getType(),
                             getScales(), getZeroPoints(), getTensorScale());
}
