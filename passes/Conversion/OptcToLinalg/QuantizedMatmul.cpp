//===- QuantizedMatmul.cpp - optc.quantized_matmul to a micro-kernel ------===//
//
// A quantized matrix product the CPU micro-kernel runs (optc_qmatmul_f32
// in runtime/src/qmatmul.c) becomes a linalg.generic that says exactly
// what it computes, over the packed bytes:
//
//   y[m, n] += x[m, k] * (code(bytes[(n * K + k) * w / 8]) - zero[n, k / B])
//                      * scale[n, k / B]
//
// marked with library_call = "optc_qmatmul_f32" and the kernel's
// parameters (optc.qmatmul). Tiling and element-loop fusion leave it
// alone; after bufferisation --optc-cpu-lower-micro-kernels turns it into
// the call. Should it ever reach the loop lowering as it is, its body
// still computes the right numbers, slowly.
//
// The micro-kernel takes f32 activations and weights [N, K] of 2-, 4- or
// 8-bit integer codes with f32 scales per row or per block along K (and
// zero points), each row starting on a byte; --optc-decompose lowers
// other quantized products as dequantize, then matmul.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "dialects/Optc/IR/OptcDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace mlir::optc::lowering {

bool runsOnMicroKernel(QuantizedMatmulOp op) {
  RankedTensorType lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
  auto code = dyn_cast<IntegerType>(rhs.getElementType());
  QuantAttr quant = getQuantEncoding(rhs);
  if (!op.getRhsTransposed() || !lhs.hasStaticShape() ||
      !rhs.hasStaticShape() || !lhs.getElementType().isF32() || !code ||
      op.getTensorScale() || !quant.getScaleType().isF32())
    return false;
  unsigned bits = code.getWidth();
  int64_t k = rhs.getDimSize(1);
  return (bits == 2 || bits == 4 || bits == 8) && quant.getBlock()[0] == 1 &&
         k * bits % 8 == 0 && k > 0 && rhs.getDimSize(0) > 0;
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
    auto code = cast<IntegerType>(rhs.getElementType());
    unsigned bits = code.getWidth();
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
    if (Value zeros = adaptor.getZeroPoints()) {
      inputs.push_back(zeros);
      maps.push_back(maps.back());
    }
    maps.push_back(AffineMap::get(3, 0, {dm, dn}, context));
    Type f32 = rewriter.getF32Type();
    Value init = filledTensor(rewriter, loc, RankedTensorType::get({m, n}, f32),
                              constantOf(rewriter, loc, f32, 0));
    bool isSigned = !code.isUnsigned();
    bool hasZeros = bool(adaptor.getZeroPoints());
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
          auto decode = [&](Value raw) -> Value {
            // The low `bits` bits of an i32, sign-extended if signed.
            Value high = arith::ShLIOp::create(b, l, raw, i32(32 - bits));
            Value v =
                isSigned
                    ? Value(arith::ShRSIOp::create(b, l, high, i32(32 - bits)))
                    : Value(arith::ShRUIOp::create(b, l, high, i32(32 - bits)));
            return arith::SIToFPOp::create(b, l, b.getF32Type(), v);
          };
          Value byte = arith::ExtUIOp::create(b, l, b.getI32Type(), args[1]);
          Value value = decode(arith::ShRUIOp::create(b, l, byte, shift));
          if (hasZeros)
            value = arith::SubFOp::create(
                b, l, value,
                decode(arith::ExtUIOp::create(b, l, b.getI32Type(), args[3])));
          value = arith::MulFOp::create(b, l, value, args[2]);
          Value product = arith::MulFOp::create(b, l, args[0], value);
          linalg::YieldOp::create(
              b, l, Value(arith::AddFOp::create(b, l, args.back(), product)));
        });
    generic.setLibraryCallAttr(rewriter.getStringAttr("optc_qmatmul_f32"));
    generic->setAttr(
        "optc.qmatmul",
        rewriter.getDictionaryAttr(
            {rewriter.getNamedAttr("bits", rewriter.getI64IntegerAttr(bits)),
             rewriter.getNamedAttr("signed", rewriter.getBoolAttr(isSigned)),
             rewriter.getNamedAttr("block", rewriter.getI64IntegerAttr(block)),
             rewriter.getNamedAttr("zero_points",
                                   rewriter.getBoolAttr(hasZeros)),
             rewriter.getNamedAttr(
                 "int8_activations",
                 rewriter.getBoolAttr(op.getInt8Activations()))}));
    Value y = asRows(rewriter, loc, generic.getResult(0),
                     RankedTensorType::get(op.getType().getShape(), f32));
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateQuantizedMatmulLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<QuantizedMatmulLowering>(converter, patterns.getContext());
}
