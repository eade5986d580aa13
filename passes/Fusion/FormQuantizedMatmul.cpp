//===- FormQuantizedMatmul.cpp - dequantize -> matmul as one op -----------===//
//
// Implements --optc-form-quantized-matmul: a matrix product whose weights
// are dequantized just for it becomes optc.quantized_matmul, which code
// generation can run with the weights still packed.
//
//   matmul(x, dequantize(w))                  -> quantized_matmul x, w
//   matmul(x, transpose(dequantize(w), 1x0))  -> quantized_matmul x, w
//                                                {rhs_transposed}
//
// and a product of two dequantized 8-bit integer tensors (the QDQ format
// of onnxruntime's quantize_static: activations per tensor, weights per
// tensor or per column) an integer product, rescaled once:
//
//   matmul(dequantize(a, sa, za), dequantize(w, sw, zw))
//     -> cast<f32>(integer_matmul(unpack a, unpack w, za, zw)) * (sa * sw)
//
// Constant weights in the [K, N] layout are transposed at compile time
// into the [N, K] layout the kernels read along K (their scales and zero
// points with them, by optc.transpose, which folds).
//
//===----------------------------------------------------------------------===//

#include "passes/Fusion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/Formats.h"
#include "optc/Support/Sizes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCFORMQUANTIZEDMATMUL
#include "passes/Fusion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

namespace {

/// The [K, N] constant codes `codes` as an [N, K] constant of `type`
/// (packed bytes in a blob), or null when they are not readable.
Value transposedCodes(PatternRewriter &rewriter, Location loc, Value codes,
                      RankedTensorType type) {
  auto constant = codes.getDefiningOp<ConstantOp>();
  std::optional<std::vector<uint8_t>> values =
      constant ? quantCodesOf(constant.getValue()) : std::nullopt;
  if (!values)
    return {};
  int64_t k = type.getDimSize(1), n = type.getDimSize(0);
  std::vector<uint8_t> transposed(values->size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      transposed[j * k + i] = (*values)[i * n + j];
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  std::vector<uint8_t> packed(
      static_cast<size_t>(*sizes::packedBytes(n * k, bits)));
  formats::pack(transposed, static_cast<int>(bits), packed);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(packed.data()),
                     packed.size()),
      /*align=*/1);
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  StringRef key =
      resource ? resource.getRawHandle().getKey() : StringRef("codes");
  return ConstantOp::create(
      rewriter, loc,
      DenseResourceElementsAttr::get(type, key, std::move(blob)));
}

struct FormQuantizedMatmul : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    Value rhs = matmul.getRhs();
    bool transposed = false;
    if (auto transpose = rhs.getDefiningOp<TransposeOp>()) {
      if (transpose.getPermutation() != ArrayRef<int64_t>{1, 0} ||
          !transpose->hasOneUse())
        return failure();
      rhs = transpose.getInput();
      transposed = true;
    }
    auto dequantize = rhs.getDefiningOp<DequantizeOp>();
    if (!dequantize || !dequantize->hasOneUse() ||
        dequantize.getType().getRank() != 2 ||
        tensorTypeOf(matmul.getLhs()).getRank() < 1)
      return failure();
    Location loc = matmul.getLoc();
    Value codes = dequantize.getInput(), scales = dequantize.getScales(),
          zeros = dequantize.getZeroPoints();
    RankedTensorType codeType = dequantize.getInput().getType();
    if (!transposed && codeType.hasStaticShape()) {
      // [K, N] constant weights become [N, K] ones.
      QuantAttr quant = getQuantEncoding(codeType);
      auto flipped = RankedTensorType::get(
          {codeType.getDimSize(1), codeType.getDimSize(0)},
          codeType.getElementType(),
          QuantAttr::get(getContext(),
                         {quant.getBlock()[1], quant.getBlock()[0]},
                         quant.getScaleType(), quant.getZeroPoint(),
                         quant.getTensorScale()));
      if (Value flippedCodes = transposedCodes(rewriter, loc, codes, flipped)) {
        auto flip = [&](Value v) -> Value {
          if (!v)
            return v;
          return rewriter.createOrFold<TransposeOp>(loc, v,
                                                    SmallVector<int64_t>{1, 0});
        };
        codes = flippedCodes;
        scales = flip(scales);
        zeros = flip(zeros);
        transposed = true;
      }
    }
    auto result = QuantizedMatmulOp::create(
        rewriter, loc, matmul.getType(), matmul.getLhs(), codes, scales, zeros,
        dequantize.getTensorScale(), transposed,
        /*int8_activations=*/dequantize->hasAttr("optc.int8_activations"));
    rewriter.replaceOp(matmul, result.getResult());
    return success();
  }

  static RankedTensorType tensorTypeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
};

/// The codes of `dequantize` when they are 8-bit integers with f32 scales
/// and no tensor scale, blocked as `perColumnOk` allows: one block for the
/// whole tensor, or (2-D only) one per column. Null otherwise.
DequantizeOp integerDequantize(Value value, bool perColumnOk) {
  auto dequantize = value.getDefiningOp<DequantizeOp>();
  if (!dequantize || dequantize.getTensorScale())
    return {};
  RankedTensorType codes = dequantize.getInput().getType();
  auto integer = dyn_cast<IntegerType>(codes.getElementType());
  if (!integer || integer.getWidth() != 8 || !codes.hasStaticShape() ||
      !dequantize.getScales().getType().getElementType().isF32() ||
      !dequantize.getType().getElementType().isF32())
    return {};
  ArrayRef<int64_t> block = getQuantEncoding(codes).getBlock();
  bool whole =
      llvm::all_of(llvm::zip_equal(block, codes.getShape()), [](auto pair) {
        return std::get<0>(pair) >= std::get<1>(pair);
      });
  bool perColumn = perColumnOk && codes.getRank() == 2 &&
                   block[0] >= codes.getDimSize(0) && block[1] == 1;
  return whole || perColumn ? dequantize : DequantizeOp();
}

struct FormIntegerMatmul : public OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    DequantizeOp lhs = integerDequantize(matmul.getLhs(), false);
    DequantizeOp rhs = integerDequantize(matmul.getRhs(), true);
    if (!lhs || !rhs || lhs.getType().getRank() < 2 ||
        rhs.getType().getRank() != 2)
      return failure();
    Location loc = matmul.getLoc();
    RankedTensorType result = matmul.getType();
    int64_t n = rhs.getType().getDimSize(1);
    bool perColumn =
        cast<RankedTensorType>(rhs.getScales().getType()).getNumElements() != 1;
    // Plain codes; one zero point (or one a column) and scale.
    auto plain = [&](DequantizeOp dequantize) -> Value {
      RankedTensorType codes = dequantize.getInput().getType();
      return UnpackOp::create(
          rewriter, loc,
          RankedTensorType::get(codes.getShape(), codes.getElementType()),
          dequantize.getInput());
    };
    auto shaped = [&](Value v, bool column) -> Value {
      if (!v)
        return v;
      return rewriter.createOrFold<ReshapeOp>(
          loc, v, column ? SmallVector<int64_t>{n} : SmallVector<int64_t>{});
    };
    Value product = IntegerMatmulOp::create(
        rewriter, loc,
        RankedTensorType::get(result.getShape(), rewriter.getI32Type()),
        plain(lhs), plain(rhs), shaped(lhs.getZeroPoints(), false),
        shaped(rhs.getZeroPoints(), perColumn), /*rhs_transposed=*/false);
    Value scale =
        rewriter.createOrFold<MulOp>(loc, shaped(lhs.getScales(), false),
                                     shaped(rhs.getScales(), perColumn));
    Value y = MulOp::create(
        rewriter, loc, CastOp::create(rewriter, loc, result, product), scale);
    rewriter.replaceOp(matmul, y);
    return success();
  }
};

struct FormQuantizedMatmulPass
    : public mlir::optc::impl::OptcFormQuantizedMatmulBase<
          FormQuantizedMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The integer product first: its weights would otherwise be taken for
    // a weight-only product.
    patterns.add<FormIntegerMatmul>(&getContext(), /*benefit=*/2);
    patterns.add<FormQuantizedMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
