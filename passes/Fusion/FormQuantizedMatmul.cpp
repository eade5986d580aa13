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
        dequantize.getTensorScale(), transposed, /*int8_activations=*/false);
    rewriter.replaceOp(matmul, result.getResult());
    return success();
  }

  static RankedTensorType tensorTypeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
};

struct FormQuantizedMatmulPass
    : public mlir::optc::impl::OptcFormQuantizedMatmulBase<
          FormQuantizedMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FormQuantizedMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
