//===- QuantizedMatmul.cpp - quantized products to micro-kernels ----------===//
//
// optc.integer_matmul (8-bit operands, i32 sums) on the CPU becomes the
// same kind of marked generic for optc_igemm_i32 (runtime/src/igemm.c),
// with static shapes (a batched lhs only without per-row zero points);
// --optc-decompose widens the others to an i32 matmul. Weights packed
// into the kernel's own layout by --optc-pack-weights (rhs_panels: panels
// of 16 columns by 4 consecutive k, OPTC_IGEMM_B_PANELS in
// runtime_support.h) are read through (n floordiv 16, k floordiv 4,
// n mod 16, k mod 4), and no call repacks them.
//
// A quantized matrix product the CPU micro-kernel runs (optc_qmatmul_f32
// in runtime/src/qmatmul.c) becomes a linalg.generic that says exactly
// what it computes, over the packed bytes:
//
//   y[m, n] += x[m, k] * (value(bytes[(n * K + k) * w / 8]) - zero[n, k / B])
//                      * scale[n, k / B] [* tensor scale]
//
// marked with library_call = "optc_qmatmul_f32" and the kernel's
// parameters (optc.qmatmul). Tiling and element-loop fusion leave it
// alone; after bufferisation --optc-cpu-lower-micro-kernels turns it into
// the call. Should it ever reach the loop lowering as it is, its body
// still computes the right numbers, slowly.
//
// The micro-kernel takes f32 activations and weights [N, K] of integer
// codes of 1 to 8 bits (with or without zero points), or FP4 / FP6 / FP8
// codes (MX, NVFP4), each row starting on a byte, with scales per row or
// per block along K: f32, f16, bf16, or 8-bit floats (E8M0, E4M3), and an
// optional tensor scale. Float codes and 8-bit scales reach it as tables
// of their values (optc::codeValuesOf, the numerics library's decoding).
// Codes of 3, 5, 6 or 7 bits may run into the next byte: the generic then
// reads the packed bytes twice, at the code's first and last bit.
// --optc-decompose lowers other quantized products (rows that do not start
// on a byte, other types, dynamic shapes) as dequantize, then matmul.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "dialects/Optc/IR/OptcDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "optc/runtime_support.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace mlir::optc::lowering {

bool runsOnMicroKernel(QuantizedMatmulOp op) {
  RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
  Type code = rhs.getElementType(), scale = op.getScales().getType();
  scale = cast<RankedTensorType>(scale).getElementType();
  bool floatCode = isa<Float4E2M1FNType, Float6E2M3FNType, Float6E3M2FNType,
                       Float8E4M3FNType, Float8E5M2Type>(code);
  if (!op.getRhsTransposed() || !lhs.hasStaticShape() ||
      !rhs.hasStaticShape() || !lhs.getElementType().isF32() ||
      !(isa<IntegerType>(code) || floatCode) ||
      (floatCode && op.getZeroPoints()))
    return false;
  if (!scale.isF32() && !scale.isF16() && !scale.isBF16() &&
      !(isa<FloatType>(scale) && scale.getIntOrFloatBitWidth() == 8))
    return false;
  unsigned bits = code.getIntOrFloatBitWidth();
  int64_t k = rhs.getDimSize(1);
  return getQuantEncoding(rhs).getBlock()[0] == 1 && k * bits % 8 == 0 &&
         k > 0 && rhs.getDimSize(0) > 0;
}

bool runsOnIntegerKernel(IntegerMatmulOp op) {
  RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
  // The kernel's zero points per row are per row of its [M, K] lhs: a
  // batched lhs with them is decomposed.
  Value zero = op.getLhsZeroPoint();
  bool perRow =
      zero && cast<RankedTensorType>(zero.getType()).getNumElements() != 1;
  return lhs.hasStaticShape() && rhs.hasStaticShape() &&
         lhs.getNumElements() > 0 && rhs.getNumElements() > 0 &&
         !(perRow && lhs.getRank() > 2);
}

} // namespace mlir::optc::lowering

namespace {

/// `value` reshaped to `type` where one is [..., K] and the other [M, K]
/// (M the product of the leading sizes; [K] is [1, K]).
Value asRows(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  int64_t from = tensorOf(value).getRank(), to = type.getRank();
  if (from == to)
    return value;
  int64_t high = std::max(from, to);
  SmallVector<ReassociationIndices> groups = {ReassociationIndices{0, 1}};
  if (high > 2)
    groups = {llvm::to_vector(llvm::seq<int64_t>(0, high - 1)),
              ReassociationIndices{high - 1}};
  if (to > from)
    return tensor::ExpandShapeOp::create(b, loc, type, value, groups);
  return tensor::CollapseShapeOp::create(b, loc, type, value, groups);
}

struct QuantizedMatmulLowering : public OpConversionPattern<QuantizedMatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizedMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!runsOnMicroKernel(op))
      return rewriter.notifyMatchFailure(op, "left to --optc-decompose");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
    Type code = rhs.getElementType();
    Type scaleType = elementOf(op.getScales());
    unsigned bits = code.getIntOrFloatBitWidth();
    int64_t n = rhs.getDimSize(0), k = rhs.getDimSize(1);
    int64_t block = std::min(getQuantEncoding(rhs).getBlock()[1], k);
    int64_t m = lhs.getNumElements() / k;

    // x as [M, K].
    Value x = asRows(rewriter, loc, adaptor.getLhs(),
                     RankedTensorType::get({m, k}, lhs.getElementType()));

    // Loops (m, n, k).
    AffineExpr dm, dn, dk;
    bindDims(context, dm, dn, dk);
    SmallVector<Value> inputs = {x, adaptor.getRhs(), adaptor.getScales()};
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, {dm, dk}, context),
        AffineMap::get(3, 0, {(dn * (k * bits) + dk * bits).floorDiv(8)},
                       context),
        AffineMap::get(3, 0, {dn, dk.floorDiv(block)}, context)};
    Value zeros = adaptor.getZeroPoints(),
          tensorScale = adaptor.getTensorScale();
    if (zeros) {
      inputs.push_back(zeros);
      maps.push_back(maps.back());
    }
    if (tensorScale) {
      inputs.push_back(tensorScale);
      maps.push_back(AffineMap::get(3, 0, {}, context));
    }
    // The byte of the code's last bit, where codes straddle bytes.
    bool straddles = 8 % bits != 0;
    if (straddles) {
      inputs.push_back(adaptor.getRhs());
      maps.push_back(AffineMap::get(
          3, 0, {(dn * (k * bits) + dk * bits + (bits - 1)).floorDiv(8)},
          context));
    }
    maps.push_back(AffineMap::get(3, 0, {dm, dn}, context));
    Type f32 = rewriter.getF32Type();
    Value init = filledTensor(rewriter, loc, RankedTensorType::get({m, n}, f32),
                              constantOf(rewriter, loc, f32, 0));
    auto integer = dyn_cast<IntegerType>(code);
    bool isSigned = integer && !integer.isUnsigned();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
        maps,
        {utils::IteratorType::parallel, utils::IteratorType::parallel,
         utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto i32 = [&](int64_t v) {
            return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(v));
          };
          // The code's bits in its byte: (k * w) mod 8, rows being
          // byte-aligned.
          Value kIndex = linalg::IndexOp::create(b, l, 2);
          Value shift = arith::RemUIOp::create(
              b, l,
              arith::MulIOp::create(
                  b, l,
                  arith::IndexCastOp::create(b, l, b.getI32Type(), kIndex),
                  i32(bits)),
              i32(8));
          Value byte = arith::ExtUIOp::create(b, l, b.getI32Type(), args[1]);
          if (straddles) // the last byte above the first (the same byte
                         // where the code fits in one; its bits are masked)
            byte = arith::OrIOp::create(
                b, l, byte,
                arith::ShLIOp::create(
                    b, l,
                    arith::ExtUIOp::create(b, l, b.getI32Type(),
                                           args[args.size() - 2]),
                    i32(8)));
          Value shifted = arith::TruncIOp::create(
              b, l, b.getI8Type(), arith::ShRUIOp::create(b, l, byte, shift));
          Value value = decodeCode(b, l, shifted, code);
          if (zeros)
            value = arith::SubFOp::create(b, l, value,
                                          decodeCode(b, l, args[3], code));
          Value scale =
              *castScalar(b, l, args[2], scaleType, b.getF32Type(), true);
          if (tensorScale)
            scale = arith::MulFOp::create(b, l, scale, args[zeros ? 4 : 3]);
          value = arith::MulFOp::create(b, l, value, scale);
          Value product = arith::MulFOp::create(b, l, args[0], value);
          linalg::YieldOp::create(
              b, l, Value(arith::AddFOp::create(b, l, args.back(), product)));
        });
    generic.setLibraryCallAttr(rewriter.getStringAttr("optc_qmatmul_f32"));
    // The kernel's parameters (see optc_qmatmul_f32): float codes' and
    // 8-bit scales' values as tables, the scales' storage.
    auto named = [&](StringRef name, Attribute value) {
      return rewriter.getNamedAttr(name, value);
    };
    SmallVector<NamedAttribute> params = {
        named("bits", rewriter.getI64IntegerAttr(bits)),
        named("signed", rewriter.getBoolAttr(isSigned)),
        named("block", rewriter.getI64IntegerAttr(block)),
        named("zero_points", rewriter.getBoolAttr(bool(zeros))),
        named("tensor_scale", rewriter.getBoolAttr(bool(tensorScale))),
        named("straddles", rewriter.getBoolAttr(straddles)),
        named("int8_activations",
              rewriter.getBoolAttr(op.getInt8Activations()))};
    if (std::optional<std::vector<float>> values = codeValuesOf(code))
      params.push_back(
          named("code_values", rewriter.getDenseF32ArrayAttr(*values)));
    int64_t scaleKind = scaleType.isF32()    ? 0
                        : scaleType.isF16()  ? 2
                        : scaleType.isBF16() ? 3
                                             : 1;
    params.push_back(
        named("scale_kind", rewriter.getI64IntegerAttr(scaleKind)));
    if (std::optional<std::vector<float>> values = codeValuesOf(scaleType))
      params.push_back(
          named("scale_values", rewriter.getDenseF32ArrayAttr(*values)));
    generic->setAttr("optc.qmatmul", rewriter.getDictionaryAttr(params));
    Value y = asRows(rewriter, loc, generic.getResult(0),
                     RankedTensorType::get(op.getType().getShape(), f32));
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// optc.integer_matmul on optc_igemm_i32 (runtime/src/igemm.c): a
/// generic over (m, n, k) computing (a - za) * (b - zb) in i32, marked
/// with library_call and the kernel's parameters (optc.igemm).
struct IntegerMatmulLowering : public OpConversionPattern<IntegerMatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IntegerMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!runsOnIntegerKernel(op))
      return rewriter.notifyMatchFailure(op, "left to --optc-decompose");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
    bool transposed = op.getRhsTransposed(), panels = op.getRhsPanels();
    int64_t k = op.getDepth(), n = op.getColumns();
    int64_t m = lhs.getNumElements() / k;
    bool aSigned = !lhs.getElementType().isUnsignedInteger();
    bool bSigned = !rhs.getElementType().isUnsignedInteger();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    Value a = asRows(rewriter, loc, adaptor.getLhs(),
                     RankedTensorType::get({m, k}, i8));
    AffineExpr dm, dn, dk;
    bindDims(context, dm, dn, dk);
    SmallVector<Value> inputs = {a, adaptor.getRhs()};
    SmallVector<AffineExpr> bAt = {dk, dn};
    if (panels)
      bAt = {dn.floorDiv(16), dk.floorDiv(4), dn % 16, dk % 4};
    else if (transposed)
      bAt = {dn, dk};
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {dm, dk}, context),
                                   AffineMap::get(3, 0, bAt, context)};
    int64_t layout = panels       ? OPTC_IGEMM_B_PANELS
                     : transposed ? OPTC_IGEMM_B_COLUMNS
                                  : OPTC_IGEMM_B_ROWS;
    // A zero point: 0 none, 1 one value, 2 one a row (lhs) or column.
    auto addZero = [&](Value zero, AffineExpr each) -> int64_t {
      if (!zero)
        return 0;
      RankedTensorType type = tensorOf(zero);
      inputs.push_back(zero);
      bool one = type.getNumElements() == 1;
      SmallVector<AffineExpr> at;
      if (type.getRank() == 1)
        at.push_back(one ? getAffineConstantExpr(0, context) : each);
      maps.push_back(AffineMap::get(3, 0, at, context));
      return one ? 1 : 2;
    };
    int64_t aZero = addZero(adaptor.getLhsZeroPoint(), dm);
    int64_t bZero = addZero(adaptor.getRhsZeroPoint(), dn);
    maps.push_back(AffineMap::get(3, 0, {dm, dn}, context));
    Value init =
        filledTensor(rewriter, loc, RankedTensorType::get({m, n}, i32),
                     arith::ConstantOp::create(rewriter, loc,
                                               rewriter.getI32IntegerAttr(0)));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
        maps,
        {utils::IteratorType::parallel, utils::IteratorType::parallel,
         utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto widen = [&](Value v, bool isSigned) -> Value {
            if (isSigned)
              return arith::ExtSIOp::create(b, l, i32, v);
            return arith::ExtUIOp::create(b, l, i32, v);
          };
          Value x = widen(args[0], aSigned);
          Value w = widen(args[1], bSigned);
          unsigned next = 2;
          if (aZero)
            x = arith::SubIOp::create(b, l, x, widen(args[next++], aSigned));
          if (bZero)
            w = arith::SubIOp::create(b, l, w, widen(args[next++], bSigned));
          Value product = arith::MulIOp::create(b, l, x, w);
          linalg::YieldOp::create(
              b, l, Value(arith::AddIOp::create(b, l, args.back(), product)));
        });
    generic.setLibraryCallAttr(rewriter.getStringAttr("optc_igemm_i32"));
    auto named = [&](StringRef name, Attribute value) {
      return rewriter.getNamedAttr(name, value);
    };
    generic->setAttr("optc.igemm",
                     rewriter.getDictionaryAttr(
                         {named("a_signed", rewriter.getBoolAttr(aSigned)),
                          named("b_signed", rewriter.getBoolAttr(bSigned)),
                          named("b_layout", rewriter.getI64IntegerAttr(layout)),
                          named("a_zero", rewriter.getI64IntegerAttr(aZero)),
                          named("b_zero", rewriter.getI64IntegerAttr(bZero))}));
    SmallVector<int64_t> shape(lhs.getShape());
    shape.back() = n;
    rewriter.replaceOp(op, asRows(rewriter, loc, generic.getResult(0),
                                  RankedTensorType::get(shape, i32)));
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateQuantizedMatmulLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<QuantizedMatmulLowering>(converter, patterns.getContext());
}

void mlir::optc::lowering::populateIntegerMatmulLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<IntegerMatmulLowering>(converter, patterns.getContext());
}
