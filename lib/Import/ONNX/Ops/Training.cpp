//===- Training.cpp - ONNX optimisers (ai.onnx.preview.training) ----------===//
//
// Adagrad, Adam and Momentum (standard and Nesterov) as elementwise
// formulas, for every optimised tensor the node lists: inputs R (learning
// rate), T (step), then the tensors X, their gradients G and the optimiser
// states; outputs the new X and the new states.
//
//===----------------------------------------------------------------------===//

#include "../Calc.h"
#include "../ImportContext.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

enum class Optimiser { Adagrad, Adam, Momentum };

LogicalResult optimise(NodeContext &ctx, Optimiser kind) {
  // Per optimised tensor: X, G and one (Adagrad: H; Momentum: V) or two
  // (Adam: V, H) states.
  int64_t perTensor = kind == Optimiser::Adam ? 4 : 3;
  int64_t count = static_cast<int64_t>(ctx.inputs.size()) - 2;
  if (count <= 0 || count % perTensor != 0)
    return ctx.error() << "expects R, T and groups of " << perTensor
                       << " inputs, found " << ctx.inputs.size() << " inputs";
  int64_t n = count / perTensor;
  if (ctx.node.output_size() != n * (perTensor - 1))
    return ctx.error() << "expects " << n * (perTensor - 1) << " outputs";
  for (Value v : ctx.inputs)
    if (!v)
      return ctx.error() << "inputs may not be omitted";
  OPTC_TRY(norm, ctx.floatAttr("norm_coefficient", 0));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-6f));
  OPTC_TRY(decay, ctx.floatAttr("decay_factor", 0));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", kind == Optimiser::Adam ? 0.9f : 0));
  OPTC_TRY(beta, ctx.floatAttr("beta", kind == Optimiser::Adam ? 0.999f : 0));
  OPTC_TRY(normPost, ctx.floatAttr("norm_coefficient_post", 0));
  OPTC_TRY(mode, ctx.stringAttr("mode", "standard"));
  if (kind == Optimiser::Momentum && mode != "standard" && mode != "nesterov")
    return ctx.error() << "mode '" << mode << "' is not supported";

  Calc c(ctx);
  SmallVector<Value> xs, firstStates, secondStates;
  for (int64_t i = 0; i < n; ++i) {
    Value x = ctx.inputs[2 + i], g = ctx.inputs[2 + n + i];
    Type t = ctx.typeOf(x).getElementType();
    if (!isa<FloatType>(t))
      return ctx.error() << "optimised tensors must be floats";
    auto k = [&](double v) { return c.constant(t, v); };
    Value r = c.cast(ctx.inputs[0], t), step = c.cast(ctx.inputs[1], t);
    Value gr = c.add(c.mul(k(norm), x), g);
    switch (kind) {
    case Optimiser::Adagrad: {
      Value h = ctx.inputs[2 + 2 * n + i];
      Value rate = c.div(r, c.add(k(1), c.mul(step, k(decay))));
      Value hNew = c.add(h, c.mul(gr, gr));
      Value denom = c.add(c.op<SqrtOp>(hNew), k(epsilon));
      xs.push_back(c.sub(x, c.div(c.mul(rate, gr), denom)));
      firstStates.push_back(hNew);
      break;
    }
    case Optimiser::Adam: {
      Value v = ctx.inputs[2 + 2 * n + i], h = ctx.inputs[2 + 3 * n + i];
      Value vNew = c.add(c.mul(k(alpha), v), c.mul(k(1 - double(alpha)), gr));
      Value hNew =
          c.add(c.mul(k(beta), h), c.mul(k(1 - double(beta)), c.mul(gr, gr)));
      Value denom = c.add(c.op<SqrtOp>(hNew), k(epsilon));
      // The bias correction applies from the first step on.
      Value corrected =
          c.div(c.mul(r, c.op<SqrtOp>(c.sub(k(1), c.op<PowOp>(k(beta), step)))),
                c.sub(k(1), c.op<PowOp>(k(alpha), step)));
      Value rate =
          c.select(c.cmp(ComparePredicate::gt, step, k(0)), corrected, r);
      Value xNew = c.sub(x, c.mul(rate, c.div(vNew, denom)));
      xs.push_back(c.mul(k(1 - double(normPost)), xNew));
      firstStates.push_back(vNew);
      secondStates.push_back(hNew);
      break;
    }
    case Optimiser::Momentum: {
      Value v = ctx.inputs[2 + 2 * n + i];
      Value b =
          c.select(c.cmp(ComparePredicate::gt, step, k(0)), k(beta), k(1));
      Value vNew = c.add(c.mul(k(alpha), v), c.mul(b, gr));
      Value direction =
          mode == "nesterov" ? c.add(gr, c.mul(k(alpha), vNew)) : vNew;
      xs.push_back(c.sub(x, c.mul(r, direction)));
      firstStates.push_back(vNew);
      break;
    }
    }
  }
  if (!c.ok())
    return failure();
  ctx.outputs.assign(xs.begin(), xs.end());
  ctx.outputs.append(firstStates.begin(), firstStates.end());
  ctx.outputs.append(secondStates.begin(), secondStates.end());
  return success();
}

} // namespace

void onnx_import::registerTrainingOps(OpRegistry &r) {
  const char *domain = "ai.onnx.preview.training";
  r.add(domain, "Adagrad",
        [](NodeContext &ctx) { return optimise(ctx, Optimiser::Adagrad); });
  r.add(domain, "Adam",
        [](NodeContext &ctx) { return optimise(ctx, Optimiser::Adam); });
  r.add(domain, "Momentum",
        [](NodeContext &ctx) { return optimise(ctx, Optimiser::Momentum); });
}
