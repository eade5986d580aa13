//===- MicrosoftFused.cpp - com.microsoft fused ops -----------------------===//
//
// The com.microsoft ops that fuse an activation, a normalisation or a
// matrix product with what surrounds it: Gelu, BiasGelu, FastGelu (tanh
// approximation), QuickGelu; SkipLayerNormalization,
// SkipSimplifiedLayerNormalization and SimplifiedLayerNormalization (of the
// ai.onnx domain, version 1, like onnxruntime registers it); FusedMatMul
// (transposes of the matrices and of the batch, alpha), FusedConv (Conv + Z +
// activation) and GatherND (ONNX's, batch_dims = 0), the last two converted
// by the ONNX op's converter.
//
//===----------------------------------------------------------------------===//

#include "MicrosoftCommon.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;
using namespace mlir::optc::onnx_import::microsoft;

namespace {

/// A copy of the node being imported as `opType` of `domain`, without the
/// attributes in `drop`.
onnx::NodeProto rewrite(const NodeContext &ctx, llvm::StringRef opType,
                        llvm::StringRef domain,
                        ArrayRef<llvm::StringRef> drop = {}) {
  onnx::NodeProto copy = ctx.node;
  copy.set_op_type(opType.str());
  copy.set_domain(domain.str());
  copy.clear_attribute();
  for (const onnx::AttributeProto &a : ctx.node.attribute())
    if (!llvm::is_contained(drop, llvm::StringRef(a.name())))
      *copy.add_attribute() = a;
  return copy;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult gelu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(y, ctx.create<GeluOp>(x, false));
  ctx.outputs = {y};
  return success();
}

LogicalResult biasGelu(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(bias, ctx.requiredInput(1, "B"));
  OPTC_TRY(sum, ctx.create<AddOp>(a, bias));
  OPTC_TRY(y, ctx.create<GeluOp>(sum, false));
  ctx.outputs = {y};
  return success();
}

LogicalResult fastGelu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  if (Value bias = ctx.input(1)) {
    OPTC_TRY(sum, ctx.create<AddOp>(x, bias));
    x = sum;
  }
  OPTC_TRY(y, ctx.create<GeluOp>(x, true));
  ctx.outputs = {y};
  return success();
}

LogicalResult quickGelu(NodeContext &ctx) {
  // x * sigmoid(alpha * x).
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.702f));
  Type f = ctx.typeOf(x).getElementType();
  if (!isa<FloatType>(f))
    return ctx.error() << "X must be a float tensor, found " << x.getType();
  OPTC_TRY(ax, ctx.create<MulOp>(x, ctx.scalar(f, alpha)));
  OPTC_TRY(s, ctx.create<SigmoidOp>(ax));
  OPTC_TRY(y, ctx.create<MulOp>(x, s));
  ctx.outputs = {y};
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisations
//===----------------------------------------------------------------------===//

/// Mean and inverse standard deviation (or, `simplified`, the inverse root
/// mean square) of `x` over the axes from `axis` on, kept as size 1, in
/// `x`'s type.
FailureOr<std::pair<Value, Value>> normStats(NodeContext &ctx, Value x,
                                             int64_t axis, double epsilon,
                                             bool simplified) {
  RankedTensorType t = ctx.typeOf(x);
  Type f = t.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < t.getRank(); ++i)
    axes.push_back(i);
  OPTC_TRY(mean, ctx.create<ReduceMeanOp>(x, axes, true));
  Value centred = x;
  if (!simplified) {
    OPTC_TRY(c, ctx.create<SubOp>(x, mean));
    centred = c;
  }
  OPTC_TRY(sq, ctx.create<MulOp>(centred, centred));
  OPTC_TRY(var, ctx.create<ReduceMeanOp>(sq, axes, true));
  OPTC_TRY(varEps, ctx.create<AddOp>(var, ctx.scalar(f, epsilon)));
  OPTC_TRY(inv, ctx.create<RsqrtOp>(varEps));
  return std::make_pair(mean, inv);
}

/// SkipLayerNormalization and SkipSimplifiedLayerNormalization: the sum
/// input + skip (+ bias) normalised over the last axis. 16-bit floats are
/// summed and normalised in f32 and rounded once, like onnxruntime.
LogicalResult skipNorm(NodeContext &ctx, bool simplified) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(skip, ctx.requiredInput(1, "skip"));
  OPTC_TRY(gamma, ctx.requiredInput(2, "gamma"));
  Value beta = simplified ? Value() : ctx.input(3);
  Value bias = ctx.input(simplified ? 3 : 4);
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-12f));
  RankedTensorType xt = ctx.typeOf(x);
  auto element = dyn_cast<FloatType>(xt.getElementType());
  if (!element)
    return ctx.error() << "input must be a float tensor, found " << xt;
  if (xt.getRank() != 2 && xt.getRank() != 3)
    return ctx.error() << "input must be 2-D or 3-D, found " << xt;
  Type f32 = ctx.b.getF32Type();
  Type compute = element.getWidth() < 32 ? f32 : Type(element);
  auto widen = [&](Value v) { return v ? ctx.castTo(v, compute) : v; };
  OPTC_TRY(sum, ctx.create<AddOp>(widen(x), widen(skip)));
  if (bias) {
    OPTC_TRY(s, ctx.create<AddOp>(sum, widen(bias)));
    sum = s;
  }
  if (ctx.typeOf(sum).getShape() != xt.getShape())
    return ctx.error() << "skip " << skip.getType()
                       << " does not broadcast to input " << xt;
  int64_t axis = xt.getRank() - 1;
  APFloat eps(static_cast<double>(epsilon));
  TypeAttr stash = TypeAttr::get(f32);
  Value y;
  if (simplified) {
    OPTC_TRY(n, ctx.create<RmsNormOp>(sum, widen(gamma), axis, eps, stash));
    y = n;
  } else {
    OPTC_TRY(n, ctx.create<LayerNormOp>(sum, widen(gamma), widen(beta), axis,
                                        eps, stash));
    y = n;
  }
  Value mean, inv;
  if (wantsOutput(ctx, 1) || wantsOutput(ctx, 2)) {
    OPTC_TRY(stats,
             normStats(ctx, ctx.castTo(sum, f32), axis, epsilon, simplified));
    std::tie(mean, inv) = stats;
  }
  ctx.outputs = {ctx.castTo(y, element), mean, inv, ctx.castTo(sum, element)};
  return success();
}

LogicalResult skipLayerNorm(NodeContext &ctx) { return skipNorm(ctx, false); }
LogicalResult skipSimplifiedLayerNorm(NodeContext &ctx) {
  return skipNorm(ctx, true);
}

/// SimplifiedLayerNormalization (ai.onnx, version 1, onnxruntime's): RMS
/// normalisation with an optional inverse-RMS output.
LogicalResult simplifiedLayerNorm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(scale, ctx.requiredInput(1, "scale"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(x).getRank()));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-5f));
  OPTC_TRY(code, ctx.intAttr("stash_type", 1));
  std::string why;
  FailureOr<Type> stash =
      convertElementType(static_cast<int32_t>(code), ctx.b.getContext(), why);
  if (failed(stash) || !isa<FloatType>(*stash))
    return ctx.error() << "stash_type " << code << " is not a float type";
  OPTC_TRY(y, ctx.create<RmsNormOp>(x, scale, axis,
                                    APFloat(static_cast<double>(epsilon)),
                                    TypeAttr::get(*stash)));
  Value inv;
  if (wantsOutput(ctx, 1)) {
    OPTC_TRY(stats, normStats(ctx, ctx.castTo(x, *stash), axis, epsilon,
                              /*simplified=*/true));
    inv = stats.second;
  }
  ctx.outputs = {y, inv};
  return success();
}

//===----------------------------------------------------------------------===//
// Matrix products and convolution
//===----------------------------------------------------------------------===//

/// FusedMatMul: alpha * op(A) . op(B), where op moves the first dimension
/// behind the batch (transBatch: [x, b..., y] read as [b..., x, y]) and
/// then swaps the last two (trans).
LogicalResult fusedMatmul(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(transA, ctx.intAttr("transA", 0));
  OPTC_TRY(transB, ctx.intAttr("transB", 0));
  OPTC_TRY(transBatchA, ctx.intAttr("transBatchA", 0));
  OPTC_TRY(transBatchB, ctx.intAttr("transBatchB", 0));
  int64_t ra = ctx.typeOf(a).getRank(), rb = ctx.typeOf(b).getRank();
  if ((transBatchA || transBatchB) && (ra != rb || ra < 3))
    return ctx.error() << "transBatchA/transBatchB need A and B of one rank, "
                          "at least 3; found ranks "
                       << ra << " and " << rb;
  auto operand = [&](Value v, int64_t rank, bool trans, bool transBatch,
                     llvm::StringRef name) -> FailureOr<Value> {
    if (!trans && !transBatch)
      return v;
    if (rank < 2)
      return ctx.error() << "trans" << name << " needs " << name
                         << " of rank 2 or more, found " << v.getType();
    SmallVector<int64_t> perm;
    if (transBatch) {
      for (int64_t i = 1; i < rank - 1; ++i)
        perm.push_back(i);
      perm.push_back(0);
    } else {
      for (int64_t i = 0; i < rank - 1; ++i)
        perm.push_back(i);
    }
    perm.push_back(rank - 1);
    if (trans)
      std::swap(perm[rank - 2], perm[rank - 1]);
    return ctx.create<TransposeOp>(v, perm);
  };
  OPTC_TRY(pa, operand(a, ra, transA, transBatchA, "A"));
  OPTC_TRY(pb, operand(b, rb, transB, transBatchB, "B"));
  OPTC_TRY(y, ctx.create<MatmulOp>(pa, pb));
  if (alpha != 1.0f) {
    OPTC_TRY(s, ctx.create<MulOp>(
                    y, ctx.scalar(ctx.typeOf(y).getElementType(), alpha)));
    y = s;
  }
  ctx.outputs = {y};
  return success();
}

/// FusedConv: activation(Conv(X, W, B) + Z), with onnxruntime's (MLAS's)
/// activations and their activation_params.
LogicalResult fusedConv(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(w, ctx.requiredInput(1, "W"));
  OPTC_TRY(activation, ctx.stringAttr("activation", ""));
  OPTC_TRY(params, ctx.floatsAttr("activation_params"));
  size_t wanted = 0;
  if (activation == "LeakyRelu")
    wanted = 1;
  else if (activation == "Clip" || activation == "HardSigmoid")
    wanted = 2;
  else if (!activation.empty() && activation != "Relu" &&
           activation != "Tanh" && activation != "Sigmoid")
    return ctx.error() << "activation '" << activation
                       << "' is not supported (Relu, Tanh, Sigmoid, "
                          "LeakyRelu, Clip, HardSigmoid are)";
  if (params.size() != wanted)
    return ctx.error() << "activation '" << activation << "' takes " << wanted
                       << " activation_params, found " << params.size();
  onnx::NodeProto conv =
      rewrite(ctx, "Conv", "", {"activation", "activation_params"});
  while (conv.input_size() > 3)
    conv.mutable_input()->RemoveLast();
  OPTC_TRY(convOut, convertAs(ctx, conv, 11, {x, w, ctx.input(2)}));
  Value y = convOut[0];
  if (Value z = ctx.input(3)) {
    OPTC_TRY(sum, ctx.create<AddOp>(y, z));
    if (sum.getType() != y.getType())
      return ctx.error() << "Z " << z.getType()
                         << " does not broadcast to the convolution's "
                         << y.getType();
    y = sum;
  }
  Type f = ctx.typeOf(y).getElementType();
  auto c = [&](double v) { return ctx.scalar(f, v); };
  if (activation == "Relu") {
    OPTC_TRY(r, ctx.create<ReluOp>(y));
    y = r;
  } else if (activation == "Tanh") {
    OPTC_TRY(r, ctx.create<TanhOp>(y));
    y = r;
  } else if (activation == "Sigmoid") {
    OPTC_TRY(r, ctx.create<SigmoidOp>(y));
    y = r;
  } else if (activation == "LeakyRelu") {
    OPTC_TRY(neg, ctx.create<MulOp>(y, c(params[0])));
    OPTC_TRY(pos, ctx.create<CompareOp>(ComparePredicate::ge, y, c(0)));
    OPTC_TRY(r, ctx.create<SelectOp>(pos, y, neg));
    y = r;
  } else if (activation == "Clip") {
    OPTC_TRY(lo, ctx.create<MaxOp>(y, c(params[0])));
    OPTC_TRY(r, ctx.create<MinOp>(lo, c(params[1])));
    y = r;
  } else if (activation == "HardSigmoid") {
    OPTC_TRY(ax, ctx.create<MulOp>(y, c(params[0])));
    OPTC_TRY(axb, ctx.create<AddOp>(ax, c(params[1])));
    OPTC_TRY(lo, ctx.create<MaxOp>(axb, c(0)));
    OPTC_TRY(r, ctx.create<MinOp>(lo, c(1)));
    y = r;
  }
  ctx.outputs = {y};
  return success();
}

/// GatherND of com.microsoft: ONNX's with batch_dims = 0.
LogicalResult gatherNd(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(out,
           convertAs(ctx, rewrite(ctx, "GatherND", ""), 13, {data, indices}));
  ctx.outputs = {out[0]};
  return success();
}

} // namespace

void microsoft::registerMicrosoftFusedOps(OpRegistry &r) {
  const char *ms = "com.microsoft";
  r.add(ms, "Gelu", gelu);
  r.add(ms, "BiasGelu", biasGelu);
  r.add(ms, "FastGelu", fastGelu);
  r.add(ms, "QuickGelu", quickGelu);
  r.add(ms, "SkipLayerNormalization", skipLayerNorm);
  r.add(ms, "SkipSimplifiedLayerNormalization", skipSimplifiedLayerNorm);
  // onnxruntime registers it in the ai.onnx domain, version 1.
  r.add("", "SimplifiedLayerNormalization", simplifiedLayerNorm, 1);
  r.add(ms, "FusedMatMul", fusedMatmul);
  // The older name onnxruntime keeps for the same kernel.
  r.add(ms, "TransposeMatMul", fusedMatmul);
  r.add(ms, "FusedConv", fusedConv);
  r.add(ms, "GatherND", gatherNd);
}
