//===- Index.cpp - ONNX gathers and scatters ------------------------------===//
//
// Gather, GatherElements, GatherND, ScatterElements (and the deprecated
// Scatter), ScatterND.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

template <typename OpTy> LogicalResult gatherAlongAxis(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(data).getRank()));
  OPTC_TRY(y, ctx.create<OpTy>(data, indices, axis));
  ctx.outputs = {y};
  return success();
}

LogicalResult gatherNd(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(batchDims, ctx.intAttr("batch_dims", 0));
  OPTC_TRY(y, ctx.create<GatherNdOp>(data, indices, batchDims));
  ctx.outputs = {y};
  return success();
}

FailureOr<ScatterReduction> reduction(NodeContext &ctx) {
  OPTC_TRY(name, ctx.stringAttr("reduction", "none"));
  std::optional<ScatterReduction> r = symbolizeScatterReduction(name);
  if (!r)
    return ctx.error() << "reduction '" << name << "' is not supported";
  return *r;
}

LogicalResult scatterElements(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(updates, ctx.requiredInput(2, "updates"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(data).getRank()));
  OPTC_TRY(r, reduction(ctx));
  OPTC_TRY(y, ctx.create<ScatterElementsOp>(r, data, indices, updates, axis));
  ctx.outputs = {y};
  return success();
}

LogicalResult scatterNd(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(updates, ctx.requiredInput(2, "updates"));
  OPTC_TRY(r, reduction(ctx));
  OPTC_TRY(y, ctx.create<ScatterNdOp>(r, data, indices, updates));
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerIndexOps(OpRegistry &r) {
  r.add("", "Gather", gatherAlongAxis<GatherOp>);
  r.add("", "GatherElements", gatherAlongAxis<GatherElementsOp>);
  r.add("", "GatherND", gatherNd);
  r.add("", "ScatterElements", scatterElements);
  r.add("", "Scatter", scatterElements, 9, 10);
  r.add("", "ScatterND", scatterNd);
}
