//===- Signal.cpp - ONNX signal-processing ops ----------------------------===//
//
// The window functions (HannWindow, HammingWindow, BlackmanWindow) as
// cosine sums over the positions 0 .. size - 1: a constant when the size is
// one, optc.range and f64 arithmetic when it is known only at run time.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// A window sum_k a_k cos(2 pi k n / N) with N = size (periodic) or
/// size - 1 (symmetric).
LogicalResult cosineWindow(NodeContext &ctx, ArrayRef<double> coefficients) {
  OPTC_TRY(size, ctx.requiredInput(0, "size"));
  RankedTensorType st = ctx.typeOf(size);
  if (!st.hasStaticShape() || st.getNumElements() != 1 ||
      !isa<IntegerType>(st.getElementType()))
    return ctx.error() << "size must be one integer, found " << st;
  OPTC_TRY(periodic, ctx.intAttr("periodic", 1));
  OPTC_TRY(dtype, ctx.intAttr("output_datatype", 1));
  std::string why;
  FailureOr<Type> element = convertElementType(dtype, ctx.b.getContext(), why);
  if (failed(element))
    return ctx.error() << "output_datatype: " << why;
  if (!isa<FloatType>(*element) && !isa<IntegerType>(*element))
    return ctx.error() << "output_datatype must be numeric";

  if (std::optional<SmallVector<int64_t>> n = getConstantInts(size)) {
    int64_t count = (*n)[0];
    if (count < 0 || count > (int64_t(1) << 24))
      return ctx.error() << "size " << count << " is out of range";
    double denominator = periodic ? count : count - 1;
    SmallVector<double> values;
    for (int64_t i = 0; i < count; ++i) {
      double v = 0;
      for (auto [k, a] : llvm::enumerate(coefficients))
        v += a * std::cos(2 * M_PI * double(k) * double(i) / denominator);
      values.push_back(v);
    }
    auto type = RankedTensorType::get({count}, ctx.b.getF64Type());
    Value c = ConstantOp::create(
        ctx.b, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef(values))));
    ctx.outputs = {ctx.castTo(c, *element)};
    return success();
  }

  Type f64 = ctx.b.getF64Type(), i64 = ctx.b.getI64Type();
  Value count =
      ctx.castTo(st.getRank() == 0 ? size : ctx.reshape(size, {}), i64);
  if (!count)
    return failure();
  OPTC_TRY(positions,
           ctx.create<RangeOp>(ctx.scalar(i64, 0), count, ctx.scalar(i64, 1)));
  Value n = ctx.castTo(positions, f64);
  Value denominator = ctx.castTo(count, f64);
  if (!periodic) {
    OPTC_TRY(d, ctx.create<SubOp>(denominator, ctx.scalar(f64, 1)));
    denominator = d;
  }
  OPTC_TRY(phase, ctx.create<DivOp>(n, denominator));
  Value sum;
  for (auto [k, a] : llvm::enumerate(coefficients)) {
    Value term;
    if (k == 0) {
      term = ctx.scalar(f64, a);
    } else {
      OPTC_TRY(angle, ctx.create<MulOp>(phase, ctx.scalar(f64, 2 * M_PI * k)));
      OPTC_TRY(c, ctx.create<CosOp>(angle));
      OPTC_TRY(t, ctx.create<MulOp>(c, ctx.scalar(f64, a)));
      term = t;
    }
    if (!sum) {
      sum = term;
      continue;
    }
    OPTC_TRY(s, ctx.create<AddOp>(sum, term));
    sum = s;
  }
  ctx.outputs = {ctx.castTo(sum, *element)};
  return success();
}

} // namespace

void onnx_import::registerSignalOps(OpRegistry &r) {
  // Hann: sin^2(pi n / N) = 1/2 - 1/2 cos(2 pi n / N).
  r.add("", "HannWindow",
        [](NodeContext &ctx) { return cosineWindow(ctx, {0.5, -0.5}); });
  r.add("", "HammingWindow", [](NodeContext &ctx) {
    return cosineWindow(ctx, {25.0 / 46.0, -(1 - 25.0 / 46.0)});
  });
  r.add("", "BlackmanWindow",
        [](NodeContext &ctx) { return cosineWindow(ctx, {0.42, -0.5, 0.08}); });
}
