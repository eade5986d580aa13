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
#include "optc/Support/Sizes.h"

#include "mlir/IR/BuiltinTypes.h"
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
