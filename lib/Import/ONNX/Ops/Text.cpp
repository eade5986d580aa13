//===- Text.cpp - ONNX TfIdfVectorizer ------------------------------------===//
//
// TfIdfVectorizer over integer tokens, counted the way the operator's
// definition does: an n-gram of the pool occurs at start s with skip
// distance d when x[s + k d] = gram[k] for every k; unigrams count once,
// longer grams for every distance 1 .. max_skip_count + 1. Each (gram,
// distance) is a few strided slices compared with constants, and-ed and
// summed; the counts then go to their ngram_indexes column and are
// weighted (TF, IDF, TFIDF).
//
//===----------------------------------------------------------------------===//

#include "../Calc.h"
#include "../ImportContext.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

LogicalResult tfIdfVectorizer(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  RankedTensorType type = ctx.typeOf(x);
  if (!type.hasStaticShape() || type.getRank() < 1 || type.getRank() > 2 ||
      !isIntegerElementType(type.getElementType()))
    return ctx.error() << "needs static integer [C] or [B, C] tokens, found "
                       << type;
  bool poolStrings = false;
  OPTC_TRY(pool, ctx.intsAttr("pool_int64s", &poolStrings));
  if (!poolStrings)
    return ctx.error() << "pool_int64s is required; string pools are not "
                          "supported";
  OPTC_TRY(counts, ctx.intsAttr("ngram_counts"));
  OPTC_TRY(indexes, ctx.intsAttr("ngram_indexes"));
  OPTC_TRY(weights, ctx.floatsAttr("weights"));
  OPTC_TRY(minGram, ctx.requiredIntAttr("min_gram_length"));
  OPTC_TRY(maxGram, ctx.requiredIntAttr("max_gram_length"));
  OPTC_TRY(maxSkip, ctx.requiredIntAttr("max_skip_count"));
  OPTC_TRY(mode, ctx.stringAttr("mode", "TF"));
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.error() << "mode '" << mode << "' is not supported";
  if (indexes.empty() || minGram < 1 || maxGram < minGram || maxSkip < 0)
    return ctx.error() << "inconsistent n-gram attributes";
  if (*llvm::min_element(indexes) < 0 ||
      *llvm::max_element(indexes) >= (int64_t(1) << 20))
    return ctx.error() << "ngram_indexes must lie in [0, 2^20)";
  int64_t outSize = *llvm::max_element(indexes) + 1;
  if (!weights.empty() && static_cast<int64_t>(weights.size()) != outSize)
    return ctx.error() << "weights must hold " << outSize << " values";

  // The grams: ngram_counts[i] starts the grams of size i + 1; ids count
  // across sizes from 0.
  struct Gram {
    ArrayRef<int64_t> tokens;
    int64_t column;
  };
  SmallVector<Gram> grams;
  int64_t id = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t n = i + 1;
    int64_t begin = counts[i];
    int64_t end = i + 1 < counts.size() ? counts[i + 1]
                                        : static_cast<int64_t>(pool.size());
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()))
      return ctx.error() << "ngram_counts do not fit the pool";
    for (int64_t g = begin; g + n <= end; g += n, ++id) {
      if (id >= static_cast<int64_t>(indexes.size()))
        return ctx.error() << "more grams than ngram_indexes";
      if (n >= minGram && n <= maxGram)
        grams.push_back({ArrayRef<int64_t>(pool).slice(g, n), indexes[id]});
    }
  }

  Calc c(ctx);
  int64_t rows = type.getRank() == 2 ? type.getDimSize(0) : 1;
  int64_t length = type.getShape().back();
  // The skip distances d at which a gram of n tokens fits the row, (n - 1)
  // * d < length, up to max_skip_count + 1.
  auto distancesFor = [&](int64_t n) -> int64_t {
    if (n == 1)
      return length > 0 ? 1 : 0;
    int64_t fit = std::max<int64_t>((length - 1) / (n - 1), 0);
    return maxSkip < fit ? maxSkip + 1 : fit;
  };
  // Each gram token at each distance is a slice and a compare: count them
  // before building any, as max_skip_count and the row's length can make
  // that unbounded compile-time work.
  constexpr int64_t kMaxTokenMatches = int64_t(1) << 16;
  int64_t matches = 0;
  for (const Gram &g : grams) {
    int64_t n = g.tokens.size();
    matches += n * distancesFor(n);
    if (matches > kMaxTokenMatches)
      return ctx.error() << "the grams at every skip distance need more than "
                         << kMaxTokenMatches
                         << " token matches; lower max_skip_count";
  }
  Value tokens =
      ctx.castTo(type.getRank() == 2 ? x : ctx.reshape(x, {1, length}),
                 ctx.b.getI64Type());
  Type f32 = ctx.b.getF32Type();
  SmallVector<Value> columns(outSize);
  for (const Gram &g : grams) {
    int64_t n = g.tokens.size();
    for (int64_t d = 1, distances = distancesFor(n); d <= distances; ++d) {
      int64_t starts = length - (n - 1) * d;
      Value match;
      for (int64_t k = 0; k < n; ++k) {
        Value slice = c.op<SliceOp>(tokens, ArrayRef<int64_t>{0, k * d},
                                    ArrayRef<int64_t>{rows, k * d + starts},
                                    ArrayRef<int64_t>{1, 1});
        Value eq = c.cmp(ComparePredicate::eq, slice, c.i64(g.tokens[k]));
        match = match ? c.op<AndOp>(match, eq) : eq;
      }
      Value found =
          c.op<ReduceSumOp>(c.cast(match, f32), ArrayRef<int64_t>{1}, true);
      Value &col = columns[g.column];
      col = col ? c.add(col, found) : found;
    }
  }
  if (!c.ok())
    return failure();
  // Columns no gram maps to, or whose grams never fit, count 0.
  SmallVector<Value> parts;
  for (int64_t i = 0; i < outSize; ++i) {
    Value col = columns[i]
                    ? columns[i]
                    : ctx.splat(RankedTensorType::get({rows, 1}, f32), 0);
    if (mode == "IDF") {
      Value seen =
          c.cast(c.cmp(ComparePredicate::gt, col, c.constant(f32, 0)), f32);
      col = weights.empty() ? seen : c.mul(seen, c.constant(f32, weights[i]));
    } else if (mode == "TFIDF" && !weights.empty()) {
      col = c.mul(col, c.constant(f32, weights[i]));
    }
    parts.push_back(col);
  }
  Value y = c.op<ConcatOp>(ValueRange(parts), int64_t(1));
  if (!c.ok() || !y)
    return failure();
  if (type.getRank() == 1)
    y = ctx.reshape(y, {outSize});
  if (!y)
    return failure();
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerTextOps(OpRegistry &r) {
  r.add("", "TfIdfVectorizer", tfIdfVectorizer, 9);
}
