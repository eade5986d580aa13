//===- OptcQuant.cpp - quantized storage: codes, scales, Q/DQ ops ---------===//
//
// What may be a quantized tensor's codes and scales, and the verifiers of
// optc.quantize and optc.dequantize, which convert between float tensors
// and packed quantized ones (#optc.quant, whose methods are with the other
// attributes in OptcDialect.cpp).
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/FoldUtils.h"
#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/BlockScaling.h"
#include "optc/Support/Formats.h"
#include "optc/Support/Sizes.h"
#include "optc/runtime_support.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstring>

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

DenseElementsAttr optc::codesConstant(ShapedType type,
                                      ArrayRef<uint32_t> codes) {
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  if (auto floatType = dyn_cast<FloatType>(type.getElementType())) {
    SmallVector<APFloat> values;
    for (uint32_t code : codes)
      values.emplace_back(floatType.getFloatSemantics(), APInt(bits, code));
    return DenseElementsAttr::get(type, values);
  }
  SmallVector<APInt> values;
  for (uint32_t code : codes)
    values.emplace_back(bits, code);
  return DenseElementsAttr::get(type, values);
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
  if (!value || !getType().hasStaticShape() || value.getNumElements() == 0)
    return {};
  // Small constants stay dense<...> values (the lowering packs them);
  // blobs, the weights, are packed now.
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(getType());
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
  if (!value || !getType().hasStaticShape() || value.getNumElements() == 0)
    return {};
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(getType());
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

LogicalResult QuantizedMatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  auto result = cast<RankedTensorType>(getType());
  if (rhs.getRank() != 2 || lhs.getRank() < 1)
    return emitOpError() << "multiplies [..., K] by 2-D weights, found " << lhs
                         << " and " << rhs;
  // The weights' float values, as a dequantize to lhs's type gives them.
  auto values = RankedTensorType::get(rhs.getShape(), lhs.getElementType());
  if (failed(verifyQuantOperands(*this, rhs, values, getScales(),
                                 getZeroPoints(), getTensorScale())))
    return failure();
  int64_t k = rhs.getDimSize(getRhsTransposed() ? 1 : 0);
  int64_t n = rhs.getDimSize(getRhsTransposed() ? 0 : 1);
  SmallVector<int64_t> want(lhs.getShape());
  want.back() = n;
  int64_t lhsK = lhs.getShape().back();
  if ((!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(k) &&
       lhsK != k) ||
      result.getElementType() != lhs.getElementType() ||
      failed(verifyCompatibleShape(result.getShape(), want)))
    return emitOpError() << "multiplies " << lhs << " by weights " << rhs
                         << (getRhsTransposed() ? " (transposed)" : "")
                         << " into " << result << "; expected "
                         << RankedTensorType::get(want, lhs.getElementType());
  return success();
}

int64_t IntegerMatmulOp::getDepth() {
  if (getRhsPanels())
    return getLhs().getType().getShape().back();
  return getRhs().getType().getDimSize(getRhsTransposed() ? 1 : 0);
}

int64_t IntegerMatmulOp::getColumns() {
  if (getRhsPanels())
    return cast<RankedTensorType>(getType()).getShape().back();
  return getRhs().getType().getDimSize(getRhsTransposed() ? 0 : 1);
}

int64_t IntegerMatmulOp::rhsOffset(int64_t k, int64_t n) {
  if (getRhsPanels())
    return optc_igemm_panel_byte(k, n, getDepth());
  return getRhsTransposed() ? n * getDepth() + k : k * getColumns() + n;
}

LogicalResult IntegerMatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  auto result = cast<RankedTensorType>(getType());
  auto isByte = [](Type t) { return t.getIntOrFloatBitWidth() == 8; };
  bool panels = getRhsPanels();
  if (lhs.getRank() < 2 || rhs.getRank() != (panels ? 4 : 2) ||
      !isByte(lhs.getElementType()) || !isByte(rhs.getElementType()))
    return emitOpError() << "multiplies [..., M, K] bytes by "
                         << (panels ? "4-D panels of" : "2-D")
                         << " bytes, found " << lhs << " and " << rhs;
  if (panels && getRhsTransposed())
    return emitOpError() << "has rhs_panels and rhs_transposed: panels have "
                            "one layout";
  int64_t k = getDepth(), n = getColumns();
  int64_t m = lhs.getDimSize(lhs.getRank() - 2);
  int64_t lhsK = lhs.getShape().back();
  if (panels) {
    SmallVector<int64_t> want = {(n + 15) / 16, (k + 3) / 4, 16, 4};
    if (ShapedType::isDynamic(k) || ShapedType::isDynamic(n) ||
        !rhs.hasStaticShape() || rhs.getShape() != ArrayRef<int64_t>(want))
      return emitOpError() << "needs the panels of a [" << k << ", " << n
                           << "] rhs as tensor<" << want[0] << "x" << want[1]
                           << "x16x4>, with K and N known; found " << rhs;
  }
  SmallVector<int64_t> want(lhs.getShape());
  want.back() = n;
  auto i32 = IntegerType::get(getContext(), 32);
  if ((!ShapedType::isDynamic(lhsK) && !ShapedType::isDynamic(k) &&
       lhsK != k) ||
      result.getElementType() != i32 ||
      failed(verifyCompatibleShape(result.getShape(), want)))
    return emitOpError() << "multiplies " << lhs << " by " << rhs
                         << (getRhsTransposed() ? " (transposed)"
                             : panels           ? " (panels)"
                                                : "")
                         << " into " << result << "; expected "
                         << RankedTensorType::get(want, i32);
  // A zero point: one value, or one per row (lhs) / column (rhs).
  auto checkZero = [&](Value zero, RankedTensorType of, int64_t per,
                       StringRef name) -> LogicalResult {
    if (!zero)
      return success();
    auto type = cast<RankedTensorType>(zero.getType());
    bool one =
        type.getRank() == 0 || (type.getRank() == 1 && type.getDimSize(0) == 1);
    bool each = type.getRank() == 1 &&
                (type.getDimSize(0) == per || ShapedType::isDynamic(per) ||
                 type.isDynamicDim(0));
    if (type.getElementType() != of.getElementType() || !(one || each))
      return emitOpError() << "needs " << name << " of one "
                           << of.getElementType() << " or one per "
                           << (name == "lhs_zero_point" ? "row" : "column")
                           << ", found " << type;
    return success();
  };
  return failure(
      failed(checkZero(getLhsZeroPoint(), lhs, m, "lhs_zero_point")) ||
      failed(checkZero(getRhsZeroPoint(), rhs, n, "rhs_zero_point")));
}

//===----------------------------------------------------------------------===//
// Folding quantize and dequantize: formats::encode and decode
//===----------------------------------------------------------------------===//

namespace {

/// The numerics library's format of a code type (or of E8M0 scales).
std::optional<formats::Format> codeFormat(Type code) {
  if (auto integer = dyn_cast<IntegerType>(code))
    return formats::integer(static_cast<int>(integer.getWidth()),
                            !integer.isUnsigned());
  return llvm::TypeSwitch<Type, std::optional<formats::Format>>(code)
      .Case([](Float4E2M1FNType) { return formats::kF4E2M1; })
      .Case([](Float6E2M3FNType) { return formats::kF6E2M3; })
      .Case([](Float6E3M2FNType) { return formats::kF6E3M2; })
      .Case([](Float8E4M3FNType) { return formats::kF8E4M3FN; })
      .Case([](Float8E5M2Type) { return formats::kF8E5M2; })
      .Case([](Float8E8M0FNUType) { return formats::kE8M0; })
      .Default([](Type) { return std::nullopt; });
}

} // namespace

std::optional<std::vector<float>> optc::constantFloatsOf(Attribute attr) {
  auto value = dyn_cast_or_null<ElementsAttr>(attr);
  auto type = value ? dyn_cast<FloatType>(value.getElementType()) : nullptr;
  if (!type)
    return std::nullopt;
  std::vector<float> out;
  out.reserve(static_cast<size_t>(value.getNumElements()));
  auto push = [&](APFloat v) {
    bool lost;
    v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(v.convertToFloat());
  };
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    for (APFloat v : dense.getValues<APFloat>())
      push(v);
    return out;
  }
  std::optional<folding::RawElements> raw = folding::rawElementsOf(value);
  unsigned bits = type.getWidth();
  if (!raw || raw->elementBytes * 8 < bits ||
      raw->data.size() !=
          static_cast<size_t>(value.getNumElements() * raw->elementBytes))
    return std::nullopt;
  for (int64_t i = 0, n = value.getNumElements(); i < n; ++i) {
    uint64_t word = 0;
    std::memcpy(&word, raw->data.data() + i * raw->elementBytes,
                static_cast<size_t>(raw->elementBytes));
    push(APFloat(type.getFloatSemantics(), APInt(bits, word)));
  }
  return out;
}

namespace {

/// For each element of `shape`, the position of its block's scale.
std::vector<int64_t> blockOfEach(ArrayRef<int64_t> shape, QuantAttr quant) {
  SmallVector<int64_t> scaleStrides =
      folding::stridesOf(quant.getScaleShape(shape));
  std::vector<int64_t> blocks;
  SmallVector<int64_t> index(shape.size(), 0);
  if (llvm::is_contained(shape, 0))
    return blocks;
  do {
    int64_t at = 0;
    for (auto [i, block, stride] :
         llvm::zip_equal(index, quant.getBlock(), scaleStrides))
      at += i / block * stride;
    blocks.push_back(at);
  } while (folding::nextIndex(index, shape));
  return blocks;
}

/// The scales (times the tensor scale) and zero points of folded Q/DQ
/// operands: nullopt unless all are constants.
struct FoldedBlocks {
  std::vector<float> scales, zeros;
  std::vector<int64_t> blockOf;
};

std::optional<FoldedBlocks> foldedBlocks(RankedTensorType codes,
                                         const formats::Format &format,
                                         Attribute scales, Attribute zeros,
                                         bool hasZeros, Attribute tensorScale,
                                         bool hasTensorScale) {
  FoldedBlocks out;
  std::optional<std::vector<float>> s = constantFloatsOf(scales);
  if (!s || (hasZeros && !zeros) || (hasTensorScale && !tensorScale))
    return std::nullopt;
  out.scales = std::move(*s);
  if (hasTensorScale) {
    std::optional<std::vector<float>> t = constantFloatsOf(tensorScale);
    if (!t || t->size() != 1)
      return std::nullopt;
    for (float &scale : out.scales)
      scale *= (*t)[0];
  }
  if (hasZeros) {
    auto z = dyn_cast<ElementsAttr>(zeros);
    std::optional<std::vector<uint8_t>> codes =
        z ? quantCodesOf(z) : std::nullopt;
    if (!codes)
      return std::nullopt;
    for (uint8_t code : *codes)
      out.zeros.push_back(formats::decode(format, code));
  }
  out.blockOf = blockOfEach(codes.getShape(), getQuantEncoding(codes));
  return out;
}

bool foldable(RankedTensorType type) {
  return type.hasStaticShape() && type.getNumElements() > 0 &&
         type.getNumElements() <= folding::kMaxFoldedElements;
}

} // namespace

std::optional<std::vector<float>> optc::codeValuesOf(Type element) {
  std::optional<formats::Format> format =
      isa<FloatType>(element) ? codeFormat(element) : std::nullopt;
  if (!format)
    return std::nullopt;
  std::vector<float> values;
  for (uint32_t code = 0; code < format->codeCount(); ++code)
    values.push_back(formats::decode(*format, code));
  return values;
}

/// Quantizing constants: the codes formats::quantize's arithmetic gives, as
/// dense<...> codes for a dense<...> input and packed bytes for a blob.
OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType codes = getType();
  std::optional<formats::Format> format = codeFormat(codes.getElementType());
  std::optional<std::vector<float>> x = constantFloatsOf(adaptor.getInput());
  if (!foldable(codes) || !format || !x)
    return {};
  std::optional<FoldedBlocks> blocks = foldedBlocks(
      codes, *format, adaptor.getScales(), adaptor.getZeroPoints(),
      bool(getZeroPoints()), adaptor.getTensorScale(), bool(getTensorScale()));
  if (!blocks)
    return {};
  std::vector<uint8_t> out(x->size());
  for (size_t i = 0; i < x->size(); ++i) {
    int64_t b = blocks->blockOf[i];
    float scaled = (*x)[i] / blocks->scales[b];
    if (format->isInteger()) {
      float zero = blocks->zeros.empty() ? 0.0f : blocks->zeros[b];
      scaled = std::nearbyint(scaled) + zero;
    }
    out[i] =
        static_cast<uint8_t>(formats::encode(*format, scaled, getSaturate()));
  }
  if (isa<DenseElementsAttr>(adaptor.getInput()))
    return codesConstant(codes, std::vector<uint32_t>(out.begin(), out.end()));
  std::vector<uint8_t> packed(static_cast<size_t>(*sizes::packedBytes(
      out.size(), codes.getElementType().getIntOrFloatBitWidth())));
  formats::pack(out, format->bits, packed);
  return blobConstant(codes, packed, cast<ElementsAttr>(adaptor.getInput()));
}

std::optional<std::vector<float>>
optc::dequantizedValues(DequantizeOp op, Attribute input, Attribute scales,
                        Attribute zeros, Attribute tensorScale) {
  RankedTensorType codes = op.getInput().getType();
  std::optional<formats::Format> format = codeFormat(codes.getElementType());
  auto elements = dyn_cast_or_null<ElementsAttr>(input);
  if (!elements || !format || !codes.hasStaticShape())
    return std::nullopt;
  std::optional<std::vector<uint8_t>> values = quantCodesOf(elements);
  std::optional<FoldedBlocks> blocks =
      foldedBlocks(codes, *format, scales, zeros, bool(op.getZeroPoints()),
                   tensorScale, bool(op.getTensorScale()));
  if (!values || !blocks)
    return std::nullopt;
  std::vector<float> out(values->size());
  for (size_t i = 0; i < values->size(); ++i) {
    int64_t b = blocks->blockOf[i];
    float zero = blocks->zeros.empty() ? 0.0f : blocks->zeros[b];
    out[i] =
        (formats::decode(*format, (*values)[i]) - zero) * blocks->scales[b];
  }
  return out;
}

/// Dequantizing constants held inline (dense<...>, the small ones). Codes
/// in a blob are weights: they stay packed for the kernels that read them
/// (--optc-fold-qdq folds those no kernel reads packed).
OpFoldResult DequantizeOp::fold(FoldAdaptor adaptor) {
  auto result = cast<RankedTensorType>(getType());
  if (!isa_and_nonnull<DenseElementsAttr>(adaptor.getInput()) ||
      !foldable(result))
    return {};
  std::optional<std::vector<float>> values =
      dequantizedValues(*this, adaptor.getInput(), adaptor.getScales(),
                        adaptor.getZeroPoints(), adaptor.getTensorScale());
  if (!values)
    return {};
  auto element = cast<FloatType>(result.getElementType());
  SmallVector<APFloat> out;
  for (float value : *values) {
    APFloat v(value);
    bool lost;
    v.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(v);
  }
  return DenseElementsAttr::get(result, out);
}
