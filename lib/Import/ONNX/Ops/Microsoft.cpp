//===- Microsoft.cpp - com.microsoft contrib ops
//---------------------------===//
//
// The contrib ops that onnxruntime's quantisation and transformer
// optimisation tools write into models, decomposed into core ops with the
// arithmetic onnxruntime's CPU kernels use (the reference the e2e tests
// compare with):
//
// - activations: Gelu, BiasGelu, FastGelu (tanh approximation), QuickGelu;
// - normalisations: SkipLayerNormalization, SkipSimplifiedLayerNormalization
//   and SimplifiedLayerNormalization (of the ai.onnx domain, version 1, like
//   onnxruntime registers it);
// - FusedMatMul (transposes of the matrices and of the batch, alpha),
//   FusedConv (Conv + Z + activation), GatherND (ONNX's, batch_dims = 0);
// - Attention and QAttention (packed QKV weights, mask_index forms, causal,
//   past/present), RotaryEmbedding (position ids or an offset),
//   GroupQueryAttention (no padding, uniform past);
// - MatMulIntegerToFloat, DynamicQuantizeMatMul (the activation quantised
//   at run time to uint8 exactly as onnxruntime does), DynamicQuantizeLSTM.
//
// Where an op is an ONNX op with other inputs or attributes, the node is
// rewritten and converted by the ONNX op's converter (convertAs), so there
// is one decomposition of each computation.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

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

/// A node of the default domain, named like the node being imported, with
/// these inputs and outputs and no attributes.
onnx::NodeProto synthesize(const NodeContext &ctx, llvm::StringRef opType,
                           ArrayRef<const char *> inputs,
                           ArrayRef<const char *> outputs) {
  onnx::NodeProto node;
  node.set_name(ctx.node.name());
  node.set_op_type(opType.str());
  for (const char *name : inputs)
    node.add_input(name);
  for (const char *name : outputs)
    node.add_output(name);
  return node;
}

void setInt(onnx::NodeProto &node, llvm::StringRef name, int64_t value) {
  onnx::AttributeProto *a = node.add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

/// Converts `node` (a rewritten copy of the node being imported) on
/// `inputs` with the converter the registry has for its domain and op type
/// at `opset`; returns its outputs. Errors are still about the original
/// node.
FailureOr<SmallVector<Value>> convertAs(NodeContext &ctx,
                                        const onnx::NodeProto &node,
                                        int64_t opset,
                                        SmallVector<Value> inputs) {
  const OpRegistry::Entry *entry =
      OpRegistry::get().lookup(node.domain(), node.op_type());
  if (!entry || opset < entry->minOpset || opset > entry->maxOpset)
    return ctx.error() << "internal error: no converter for " << node.op_type()
                       << " at opset " << opset;
  NodeContext sub(ctx.graph, node, ctx.index, opset, ctx.b, ctx.loc,
                  std::move(inputs));
  sub.scope = ctx.scope;
  sub.opsets = ctx.opsets;
  sub.depth = ctx.depth;
  if (failed(entry->convert(sub)))
    return failure();
  return sub.outputs;
}

/// Whether output `i` of the node is named (used).
bool wantsOutput(const NodeContext &ctx, int i) {
  return i < ctx.node.output_size() && !ctx.node.output(i).empty();
}

int64_t dimOf(RankedTensorType t, unsigned i) {
  return t.isDynamicDim(i) ? -1 : t.getDimSize(i);
}

/// Elements [start, limit) of the last axis.
FailureOr<Value> lastAxisSlice(NodeContext &ctx, Value x, int64_t start,
                               int64_t limit) {
  int64_t rank = ctx.typeOf(x).getRank();
  SmallVector<int64_t> starts(rank, 0), limits(rank, kEnd), strides(rank, 1);
  starts.back() = start;
  limits.back() = limit;
  return ctx.create<SliceOp>(x, starts, limits, strides);
}

/// A value that must be one number (a scalar or a 1-element tensor) as a
/// 0-D tensor.
FailureOr<Value> asScalar(NodeContext &ctx, Value v, llvm::StringRef name) {
  RankedTensorType t = ctx.typeOf(v);
  if (t.getRank() == 0)
    return v;
  if (!t.hasStaticShape() || t.getNumElements() != 1)
    return ctx.error() << name << " must be a scalar (per-tensor), found " << t;
  Value r = ctx.reshape(v, {});
  if (!r)
    return failure();
  return r;
}

/// `x` (integers) minus zero point `zp` (broadcasting), both as i32.
FailureOr<Value> shiftedI32(NodeContext &ctx, Value x, Value zp) {
  Type i32 = ctx.b.getI32Type();
  Value v = ctx.castTo(x, i32);
  if (!zp)
    return v;
  return ctx.create<SubOp>(v, ctx.castTo(zp, i32));
}

/// onnxruntime's output of an integer matrix product: float(acc) * scale
/// (+ bias), with the scale the product of the operands' scales.
FailureOr<Value> scaleAccumulator(NodeContext &ctx, Value acc, Value scale,
                                  Value bias) {
  Type f = ctx.typeOf(scale).getElementType();
  OPTC_TRY(y, ctx.create<MulOp>(ctx.castTo(acc, f), scale));
  if (!bias)
    return y;
  return ctx.create<AddOp>(y, bias);
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

//===----------------------------------------------------------------------===//
// Quantised matrix products
//===----------------------------------------------------------------------===//

/// MatMulIntegerToFloat: (A - a_zp) . (B - b_zp) in i32, times
/// a_scale * b_scale (per tensor, or per column of B), plus bias.
LogicalResult matmulIntegerToFloat(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(aScaleIn, ctx.requiredInput(2, "a_scale"));
  OPTC_TRY(bScale, ctx.requiredInput(3, "b_scale"));
  Value azp = ctx.input(4), bzp = ctx.input(5), bias = ctx.input(6);
  OPTC_TRY(aScale, asScalar(ctx, aScaleIn, "a_scale"));
  if (azp) {
    OPTC_TRY(z, asScalar(ctx, azp, "a_zero_point"));
    azp = z;
  }
  OPTC_TRY(a32, shiftedI32(ctx, a, azp));
  OPTC_TRY(b32, shiftedI32(ctx, b, bzp));
  OPTC_TRY(acc, ctx.create<MatmulOp>(a32, b32));
  OPTC_TRY(scale, ctx.create<MulOp>(aScale, bScale));
  OPTC_TRY(y, scaleAccumulator(ctx, acc, scale, bias));
  ctx.outputs = {y};
  return success();
}

/// The uint8 quantisation of float `x` with the scale and zero point of its
/// range (widened to include 0), as onnxruntime's DynamicQuantize* ops
/// compute it: ONNX's DynamicQuantizeLinear. Returns (q, scale, zp).
FailureOr<std::array<Value, 3>> quantizeDynamic(NodeContext &ctx, Value x) {
  onnx::NodeProto node =
      synthesize(ctx, "DynamicQuantizeLinear", {"x"}, {"q", "scale", "zp"});
  OPTC_TRY(out, convertAs(ctx, node, 11, {x}));
  if (out.size() < 3)
    return ctx.error() << "internal error: DynamicQuantizeLinear gave "
                       << out.size() << " outputs";
  return std::array<Value, 3>{out[0], out[1], out[2]};
}

/// DynamicQuantizeMatMul: A quantised to uint8 at run time, then
/// MatMulIntegerToFloat with B.
LogicalResult dynamicQuantizeMatmul(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(bScale, ctx.requiredInput(2, "b_scale"));
  Value bzp = ctx.input(3), bias = ctx.input(4);
  if (!ctx.typeOf(a).getElementType().isF32())
    return ctx.error() << "A must be a float tensor, found " << a.getType();
  OPTC_TRY(q, quantizeDynamic(ctx, a));
  OPTC_TRY(a32, shiftedI32(ctx, q[0], q[2]));
  OPTC_TRY(b32, shiftedI32(ctx, b, bzp));
  OPTC_TRY(acc, ctx.create<MatmulOp>(a32, b32));
  OPTC_TRY(scale, ctx.create<MulOp>(q[1], bScale));
  OPTC_TRY(y, scaleAccumulator(ctx, acc, scale, bias));
  ctx.outputs = {y};
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// [B, S, N*H] -> [B, N, S, H].
FailureOr<Value> toHeads(NodeContext &ctx, Value x, int64_t heads) {
  RankedTensorType t = ctx.typeOf(x);
  int64_t hidden = t.getDimSize(2);
  if (ShapedType::isDynamic(hidden) || heads <= 0 || hidden % heads != 0)
    return ctx.error() << "a hidden size of " << t
                       << " is not a known multiple of num_heads = " << heads;
  Value r =
      ctx.reshape(x, {dimOf(t, 0), t.getDimSize(1), heads, hidden / heads});
  if (!r)
    return failure();
  return ctx.create<TransposeOp>(r, ArrayRef<int64_t>{0, 2, 1, 3});
}

/// [B, N, S, H] -> [B, S, N*H].
FailureOr<Value> fromHeads(NodeContext &ctx, Value x) {
  OPTC_TRY(t, ctx.create<TransposeOp>(x, ArrayRef<int64_t>{0, 2, 1, 3}));
  RankedTensorType tt = ctx.typeOf(t);
  Value r = ctx.reshape(
      t, {dimOf(tt, 0), tt.getDimSize(1), tt.getDimSize(2) * tt.getDimSize(3)});
  if (!r)
    return failure();
  return r;
}

/// np.repeat of the heads of [B, Nkv, T, H] `reps` times: [B, Nkv*reps, T, H].
FailureOr<Value> repeatHeads(NodeContext &ctx, Value x, int64_t reps) {
  if (reps == 1)
    return x;
  RankedTensorType t = ctx.typeOf(x);
  if (!t.hasStaticShape())
    return ctx.error() << "grouped-query attention needs static shapes, found "
                       << t;
  int64_t b = t.getDimSize(0), h = t.getDimSize(1), s = t.getDimSize(2),
          d = t.getDimSize(3);
  Value e = ctx.reshape(x, {b, h, 1, s, d});
  if (!e)
    return failure();
  OPTC_TRY(bc, ctx.create<BroadcastOp>(e, ArrayRef<int64_t>{b, h, reps, s, d}));
  Value r = ctx.reshape(bc, {b, h * reps, s, d});
  if (!r)
    return failure();
  return r;
}

/// A [q, kv] boolean constant: allowed(i, j).
Value positionMask(NodeContext &ctx, int64_t q, int64_t kv,
                   llvm::function_ref<bool(int64_t, int64_t)> allowed) {
  auto type = RankedTensorType::get({q, kv}, ctx.b.getI1Type());
  SmallVector<bool> values;
  for (int64_t i = 0; i < q; ++i)
    for (int64_t j = 0; j < kv; ++j)
      values.push_back(allowed(i, j));
  return ConstantOp::create(
      ctx.b, ctx.loc, cast<ElementsAttr>(DenseElementsAttr::get(type, values)));
}

/// The attention of onnxruntime's Attention and QAttention (CPU):
/// softmax(scale * Q.K^T + mask (+ attention_bias)) . V per head, where the
/// mask is mask_filter_value at masked keys and the lowest float at keys
/// after the query (unidirectional), like onnxruntime's PrepareMask.
struct PackedAttention {
  Value q, k, v; // [B, S, N*H], [B, S, N*H], [B, S, N*Hv]
  int64_t heads = 0;
  Value mask; // mask_index (int32), or null
  Value past; // [2, B, N, P, H], or null
  Value bias; // attention_bias, or null
  bool unidirectional = false;
  double maskFilter = -10000.0;
  std::optional<double> scale;
};

FailureOr<std::pair<Value, Value>> packedAttention(NodeContext &ctx,
                                                   const PackedAttention &p) {
  RankedTensorType qt = ctx.typeOf(p.q);
  Type element = qt.getElementType();
  if (qt.isDynamicDim(1))
    return ctx.error() << "the sequence length must be known at compile time "
                          "(fix it with --input-shape)";
  int64_t seq = qt.getDimSize(1);
  int64_t batch = qt.getDimSize(0);
  OPTC_TRY(q, toHeads(ctx, p.q, p.heads));
  OPTC_TRY(k, toHeads(ctx, p.k, p.heads));
  OPTC_TRY(v, toHeads(ctx, p.v, p.heads));
  int64_t headSize = ctx.typeOf(q).getDimSize(3);
  int64_t pastLen = 0;
  if (p.past) {
    RankedTensorType pt = ctx.typeOf(p.past);
    if (pt.getRank() != 5 || pt.isDynamicDim(3) || pt.getDimSize(0) != 2)
      return ctx.error() << "past must be [2, batch, num_heads, past_length, "
                            "head_size] with a known past length, found "
                         << pt;
    if (ctx.typeOf(k).getDimSize(3) != ctx.typeOf(v).getDimSize(3))
      return ctx.error() << "past needs K and V of one hidden size";
    pastLen = pt.getDimSize(3);
    SmallVector<Value, 2> halves;
    for (int64_t i = 0; i < 2; ++i) {
      OPTC_TRY(h, ctx.create<SliceOp>(
                      p.past, ArrayRef<int64_t>{i, 0, 0, 0, 0},
                      ArrayRef<int64_t>{i + 1, kEnd, kEnd, kEnd, kEnd},
                      ArrayRef<int64_t>{1, 1, 1, 1, 1}));
      Value r = ctx.reshape(h, {dimOf(pt, 1), p.heads, pastLen, headSize});
      if (!r)
        return failure();
      halves.push_back(r);
    }
    OPTC_TRY(kk, ctx.create<ConcatOp>(ValueRange{halves[0], k}, 2));
    OPTC_TRY(vv, ctx.create<ConcatOp>(ValueRange{halves[1], v}, 2));
    k = kk;
    v = vv;
  }
  RankedTensorType kt = ctx.typeOf(k);
  if (kt.isDynamicDim(2))
    return ctx.error() << "the key length must be known at compile time";
  int64_t total = kt.getDimSize(2);
  if (total != pastLen + seq)
    return ctx.error() << "cross attention (a key length " << total
                       << " other than past + sequence " << pastLen + seq
                       << ") is not supported";

  // present: [2, B, N, T, H].
  Value present;
  if (wantsOutput(ctx, 1)) {
    Value pk = ctx.reshape(k, {1, dimOf(kt, 0), p.heads, total, headSize});
    Value pv = ctx.reshape(v, {1, dimOf(kt, 0), p.heads, total, headSize});
    if (!pk || !pv)
      return failure();
    OPTC_TRY(pr, ctx.create<ConcatOp>(ValueRange{pk, pv}, 0));
    present = pr;
  }

  // The mask as an additive bias broadcasting to [B, N, S, T].
  Value maskBias;
  if (p.mask) {
    RankedTensorType mt = ctx.typeOf(p.mask);
    if (!mt.getElementType().isInteger(32))
      return ctx.error() << "mask_index must be int32, found " << mt;
    if (!mt.hasStaticShape())
      return ctx.error() << "mask_index must have a static shape, found " << mt;
    Type i32 = ctx.b.getI32Type();
    SmallVector<int64_t> keys;
    for (int64_t j = 0; j < total; ++j)
      keys.push_back(j);
    Value keyPos = ctx.castTo(ctx.i64s(keys), i32);
    Value allowed;
    if (mt.getRank() == 1) {
      int64_t n = mt.getDimSize(0);
      if (ShapedType::isDynamic(batch) || (n != batch && n != 2 * batch))
        return ctx.error()
               << "a 1-D mask_index of " << n << " entries for batch "
               << (ShapedType::isDynamic(batch) ? std::string("(unknown)")
                                                : std::to_string(batch))
               << " is not supported (the CPU kernel reads (batch) end "
                  "positions or (2 * batch) end and start positions)";
      OPTC_TRY(end, ctx.create<SliceOp>(p.mask, ArrayRef<int64_t>{0},
                                        ArrayRef<int64_t>{batch},
                                        ArrayRef<int64_t>{1}));
      Value endCol = ctx.reshape(end, {batch, 1});
      if (!endCol)
        return failure();
      OPTC_TRY(before,
               ctx.create<CompareOp>(ComparePredicate::lt, keyPos, endCol));
      allowed = before;
      if (n == 2 * batch) {
        OPTC_TRY(start, ctx.create<SliceOp>(p.mask, ArrayRef<int64_t>{batch},
                                            ArrayRef<int64_t>{n},
                                            ArrayRef<int64_t>{1}));
        Value startCol = ctx.reshape(start, {batch, 1});
        if (!startCol)
          return failure();
        OPTC_TRY(after,
                 ctx.create<CompareOp>(ComparePredicate::ge, keyPos, startCol));
        OPTC_TRY(both, ctx.create<AndOp>(allowed, after));
        allowed = both;
      }
      Value r = ctx.reshape(allowed, {batch, 1, 1, total});
      if (!r)
        return failure();
      allowed = r;
    } else if (mt.getRank() == 2 || mt.getRank() == 3) {
      if (mt.getShape().back() != total)
        return ctx.error() << "a raw mask_index " << mt
                           << " must end in the total sequence length "
                           << total;
      OPTC_TRY(on, ctx.create<CompareOp>(ComparePredicate::gt, p.mask,
                                         ctx.scalar(i32, 0)));
      SmallVector<int64_t> shape{
          mt.getDimSize(0), 1, mt.getRank() == 3 ? mt.getDimSize(1) : 1, total};
      Value r = ctx.reshape(on, shape);
      if (!r)
        return failure();
      allowed = r;
    } else {
      return ctx.error() << "mask_index of rank " << mt.getRank() << " (" << mt
                         << ") is not supported (onnxruntime's CPU kernel "
                            "does not read 4-D masks)";
    }
    OPTC_TRY(mb, ctx.create<SelectOp>(allowed, ctx.scalar(element, 0),
                                      ctx.scalar(element, p.maskFilter)));
    maskBias = mb;
  }
  if (p.unidirectional) {
    // Keys after the query's own position get the lowest float instead of
    // the mask's value.
    double lowest =
        -APFloat::getLargest(cast<FloatType>(element).getFloatSemantics())
             .convertToDouble();
    Value visible = positionMask(ctx, seq, total, [&](int64_t i, int64_t j) {
      return j <= pastLen + i;
    });
    OPTC_TRY(causal, ctx.create<SelectOp>(
                         visible, maskBias ? maskBias : ctx.scalar(element, 0),
                         ctx.scalar(element, lowest)));
    maskBias = causal;
  }

  double scale =
      p.scale ? *p.scale : 1.0 / std::sqrt(static_cast<double>(headSize));
  OPTC_TRY(kT, ctx.create<TransposeOp>(k, ArrayRef<int64_t>{0, 1, 3, 2}));
  OPTC_TRY(qk, ctx.create<MatmulOp>(q, kT));
  OPTC_TRY(scores, ctx.create<MulOp>(qk, ctx.scalar(element, scale)));
  if (maskBias) {
    OPTC_TRY(s, ctx.create<AddOp>(scores, maskBias));
    scores = s;
  }
  if (p.bias) {
    OPTC_TRY(s, ctx.create<AddOp>(scores, p.bias));
    if (s.getType() != scores.getType())
      return ctx.error() << "attention_bias " << p.bias.getType()
                         << " does not broadcast to the scores "
                         << scores.getType();
    scores = s;
  }
  OPTC_TRY(probs, ctx.create<SoftmaxOp>(scores, 3));
  OPTC_TRY(ctxv, ctx.create<MatmulOp>(probs, v));
  OPTC_TRY(out, fromHeads(ctx, ctxv));
  return std::make_pair(out, present);
}

/// Attributes Attention and QAttention share.
LogicalResult readAttentionAttrs(NodeContext &ctx, PackedAttention &p) {
  OPTC_TRY(heads, ctx.requiredIntAttr("num_heads"));
  OPTC_TRY(unidirectional, ctx.intAttr("unidirectional", 0));
  OPTC_TRY(filter, ctx.floatAttr("mask_filter_value", -10000.0f));
  OPTC_TRY(rotary, ctx.intAttr("do_rotary", 0));
  OPTC_TRY(share, ctx.intAttr("past_present_share_buffer", 0));
  if (rotary)
    return ctx.error() << "do_rotary = " << rotary << " is not supported";
  if (share)
    return ctx.error() << "past_present_share_buffer = " << share
                       << " is not supported";
  if (heads <= 0)
    return ctx.error() << "num_heads must be positive, found " << heads;
  p.heads = heads;
  p.unidirectional = unidirectional != 0;
  p.maskFilter = filter;
  if (ctx.attr("scale")) {
    OPTC_TRY(s, ctx.floatAttr("scale", 0));
    if (s != 0)
      p.scale = s;
  }
  return success();
}

/// Splits packed QKV [B, S, q + k + v] into p.q, p.k, p.v.
LogicalResult splitQkv(NodeContext &ctx, Value qkv, ArrayRef<int64_t> sizes,
                       PackedAttention &p) {
  OPTC_TRY(q, lastAxisSlice(ctx, qkv, 0, sizes[0]));
  OPTC_TRY(k, lastAxisSlice(ctx, qkv, sizes[0], sizes[0] + sizes[1]));
  OPTC_TRY(v, lastAxisSlice(ctx, qkv, sizes[0] + sizes[1],
                            sizes[0] + sizes[1] + sizes[2]));
  p.q = q;
  p.k = k;
  p.v = v;
  return success();
}

/// The hidden sizes of Q, K and V in packed weights of `columns` columns.
FailureOr<SmallVector<int64_t>> qkvSizes(NodeContext &ctx, int64_t columns) {
  bool given = false;
  OPTC_TRY(sizes, ctx.intsAttr("qkv_hidden_sizes", &given));
  if (ShapedType::isDynamic(columns))
    return ctx.error() << "the weights' column count must be known";
  if (!given) {
    if (columns % 3 != 0)
      return ctx.error() << "the weights' " << columns
                         << " columns are not 3 equal hidden sizes";
    return SmallVector<int64_t>(3, columns / 3);
  }
  if (sizes.size() != 3 || sizes[0] != sizes[1] ||
      sizes[0] + sizes[1] + sizes[2] != columns || sizes[0] <= 0 ||
      sizes[2] <= 0)
    return ctx.error() << "qkv_hidden_sizes must be 3 positive sizes, the "
                          "first two equal, adding up to the weights' "
                       << columns << " columns";
  return sizes;
}

LogicalResult attention(NodeContext &ctx) {
  OPTC_TRY(input, ctx.requiredInput(0, "input"));
  OPTC_TRY(weights, ctx.requiredInput(1, "weights"));
  Value bias = ctx.input(2);
  PackedAttention p;
  p.mask = ctx.input(3);
  p.past = ctx.input(4);
  p.bias = ctx.input(5);
  if (ctx.input(6))
    return ctx.error() << "input 6 (past_sequence_length) is not supported "
                          "(it goes with past_present_share_buffer)";
  if (failed(readAttentionAttrs(ctx, p)))
    return failure();
  RankedTensorType it = ctx.typeOf(input), wt = ctx.typeOf(weights);
  if (it.getRank() != 3 || wt.getRank() != 2)
    return ctx.error() << "input must be 3-D and weights 2-D, found " << it
                       << " and " << wt;
  if (!isa<FloatType>(it.getElementType()))
    return ctx.error() << "input must be a float tensor, found " << it;
  OPTC_TRY(sizes, qkvSizes(ctx, wt.getDimSize(1)));
  if (p.past && sizes[2] != sizes[0])
    return ctx.error() << "past needs Q, K and V of one hidden size";
  OPTC_TRY(qkv, ctx.create<MatmulOp>(input, weights));
  if (bias) {
    OPTC_TRY(s, ctx.create<AddOp>(qkv, bias));
    qkv = s;
  }
  if (failed(splitQkv(ctx, qkv, sizes, p)))
    return failure();
  OPTC_TRY(result, packedAttention(ctx, p));
  ctx.outputs = {result.first, result.second};
  return success();
}

/// QAttention: the QKV projection of quantised input and weights
/// ((input - izp) . (weight - wzp) in i32, times input_scale *
/// weight_scale, plus bias), then Attention's attention.
LogicalResult qattention(NodeContext &ctx) {
  OPTC_TRY(input, ctx.requiredInput(0, "input"));
  OPTC_TRY(weight, ctx.requiredInput(1, "weight"));
  OPTC_TRY(bias, ctx.requiredInput(2, "bias"));
  OPTC_TRY(inputScaleIn, ctx.requiredInput(3, "input_scale"));
  OPTC_TRY(weightScale, ctx.requiredInput(4, "weight_scale"));
  PackedAttention p;
  p.mask = ctx.input(5);
  Value izp = ctx.input(6), wzp = ctx.input(7);
  p.past = ctx.input(8);
  if (failed(readAttentionAttrs(ctx, p)))
    return failure();
  RankedTensorType it = ctx.typeOf(input), wt = ctx.typeOf(weight);
  if (it.getRank() != 3 || wt.getRank() != 2)
    return ctx.error() << "input must be 3-D and weight 2-D, found " << it
                       << " and " << wt;
  OPTC_TRY(inputScale, asScalar(ctx, inputScaleIn, "input_scale"));
  if (izp) {
    OPTC_TRY(z, asScalar(ctx, izp, "input_zero_point"));
    izp = z;
  }
  OPTC_TRY(sizes, qkvSizes(ctx, wt.getDimSize(1)));
  OPTC_TRY(a32, shiftedI32(ctx, input, izp));
  OPTC_TRY(b32, shiftedI32(ctx, weight, wzp));
  OPTC_TRY(acc, ctx.create<MatmulOp>(a32, b32));
  OPTC_TRY(scale, ctx.create<MulOp>(inputScale, weightScale));
  OPTC_TRY(qkv, scaleAccumulator(ctx, acc, scale, bias));
  if (failed(splitQkv(ctx, qkv, sizes, p)))
    return failure();
  OPTC_TRY(result, packedAttention(ctx, p));
  ctx.outputs = {result.first, result.second};
  return success();
}

/// Rotary embedding of `x` ([B, S, N*H] or [B, N, S, H]) by ONNX's
/// RotaryEmbedding converter; `positions` are [B or 1, S] int64.
FailureOr<Value> rotate(NodeContext &ctx, Value x, Value cosCache,
                        Value sinCache, Value positions, int64_t interleaved,
                        int64_t rotaryDim, int64_t numHeads) {
  onnx::NodeProto node =
      synthesize(ctx, "RotaryEmbedding",
                 {"X", "cos_cache", "sin_cache", "position_ids"}, {"Y"});
  setInt(node, "interleaved", interleaved);
  if (rotaryDim)
    setInt(node, "rotary_embedding_dim", rotaryDim);
  if (numHeads)
    setInt(node, "num_heads", numHeads);
  OPTC_TRY(out, convertAs(ctx, node, 23, {x, cosCache, sinCache, positions}));
  return out[0];
}

/// Positions offset + [0, seq) as [1, seq] int64.
FailureOr<Value> positionsFrom(NodeContext &ctx, Value offset, int64_t seq) {
  SmallVector<int64_t> steps;
  for (int64_t s = 0; s < seq; ++s)
    steps.push_back(s);
  Value row = ctx.reshape(ctx.i64s(steps), {1, seq});
  if (!row)
    return failure();
  if (!offset)
    return row;
  Value o = ctx.reshape(ctx.castTo(offset, ctx.b.getI64Type()), {1, 1});
  if (!o)
    return failure();
  return ctx.create<AddOp>(row, o);
}

/// RotaryEmbedding of com.microsoft: (input, position_ids, cos_cache,
/// sin_cache), where position_ids of shape (1) is the position of the
/// first token. onnxruntime's CPU kernel ignores `scale`, and so does this.
LogicalResult rotaryEmbedding(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(ids, ctx.requiredInput(1, "position_ids"));
  OPTC_TRY(cosCache, ctx.requiredInput(2, "cos_cache"));
  OPTC_TRY(sinCache, ctx.requiredInput(3, "sin_cache"));
  OPTC_TRY(interleaved, ctx.intAttr("interleaved", 0));
  OPTC_TRY(rotaryDim, ctx.intAttr("rotary_embedding_dim", 0));
  OPTC_TRY(numHeads, ctx.intAttr("num_heads", 0));
  OPTC_TRY(packed, ctx.intAttr("is_packed_batching", 0));
  if (packed)
    return ctx.error() << "is_packed_batching = " << packed
                       << " is not supported";
  RankedTensorType xt = ctx.typeOf(x), it = ctx.typeOf(ids),
                   ct = ctx.typeOf(cosCache);
  if (!xt.hasStaticShape() || (xt.getRank() != 3 && xt.getRank() != 4))
    return ctx.error() << "input must be a static 3-D or 4-D tensor, found "
                       << xt;
  if (ct.getRank() != 2 || ct.isDynamicDim(1))
    return ctx.error() << "cos_cache must be 2-D with a known last dimension, "
                          "found "
                       << ct;
  if (xt.getRank() == 3 && numHeads == 0) {
    if (rotaryDim)
      return ctx.error() << "a 3-D input with rotary_embedding_dim needs "
                            "num_heads";
    int64_t headSize = 2 * ct.getDimSize(1);
    if (headSize == 0 || xt.getDimSize(2) % headSize != 0)
      return ctx.error() << "the hidden size of " << xt
                         << " is not a multiple of the head size " << headSize
                         << " the caches give";
    numHeads = xt.getDimSize(2) / headSize;
  }
  int64_t seq = xt.getDimSize(xt.getRank() == 3 ? 1 : 2);
  Value positions = ids;
  if (it.getRank() == 1) {
    if (it.isDynamicDim(0) || it.getDimSize(0) != 1)
      return ctx.error() << "position_ids must be (1) or (batch, sequence), "
                            "found "
                         << it;
    OPTC_TRY(pos, positionsFrom(ctx, ids, seq));
    positions = pos;
  } else if (it.getRank() != 2) {
    return ctx.error() << "position_ids must be (1) or (batch, sequence), "
                          "found "
                       << it;
  }
  OPTC_TRY(y, rotate(ctx, x, cosCache, sinCache,
                     ctx.castTo(positions, ctx.b.getI64Type()), interleaved,
                     rotaryDim, xt.getRank() == 3 ? numHeads : 0));
  ctx.outputs = {y};
  return success();
}

/// Whether constant `v` (when it is one) holds only `expected`; true for
/// values known only at run time.
bool constantIsAll(Value v, int64_t expected) {
  std::optional<SmallVector<int64_t>> values = getConstantInts(v);
  return !values ||
         llvm::all_of(*values, [&](int64_t x) { return x == expected; });
}

/// GroupQueryAttention as onnxruntime's CPU kernel computes it for batches
/// without padding: the KV cache (BNSH) is past then new (total =
/// past + sequence for every batch entry), keys are shared by groups of
/// num_heads / kv_num_heads query heads, causal (optionally a local window
/// of local_window_size keys ending at the query), rotary embedding of Q
/// and K at positions past + s, softcap, attention_bias, and the smooth
/// softmax (head_sink, or 0 with smooth_softmax) that adds exp(sink) to the
/// denominator.
LogicalResult groupQueryAttention(NodeContext &ctx) {
  OPTC_TRY(query, ctx.requiredInput(0, "query"));
  Value key = ctx.input(1), value = ctx.input(2), pastKey = ctx.input(3),
        pastValue = ctx.input(4);
  OPTC_TRY(seqlensK, ctx.requiredInput(5, "seqlens_k"));
  OPTC_TRY(totalLength, ctx.requiredInput(6, "total_sequence_length"));
  Value cosCache = ctx.input(7), sinCache = ctx.input(8),
        attnBias = ctx.input(10), headSink = ctx.input(11);
  static const std::pair<unsigned, const char *> unsupportedInputs[] = {
      {9, "position_ids"},
      {12, "k_scale"},
      {13, "v_scale"},
      {14, "q_norm_weight"},
      {15, "k_norm_weight"}};
  for (auto [index, name] : unsupportedInputs)
    if (ctx.input(index))
      return ctx.error() << "input " << index << " (" << name
                         << ") is not supported";
  OPTC_TRY(heads, ctx.requiredIntAttr("num_heads"));
  OPTC_TRY(kvHeads, ctx.requiredIntAttr("kv_num_heads"));
  OPTC_TRY(scaleAttr, ctx.floatAttr("scale", 0));
  OPTC_TRY(softcap, ctx.floatAttr("softcap", 0));
  OPTC_TRY(window, ctx.intAttr("local_window_size", -1));
  OPTC_TRY(doRotary, ctx.intAttr("do_rotary", 0));
  OPTC_TRY(interleaved, ctx.intAttr("rotary_interleaved", 0));
  OPTC_TRY(smooth, ctx.intAttr("smooth_softmax", -1));
  OPTC_TRY(causal, ctx.intAttr("causal", 1));
  OPTC_TRY(qkOutput, ctx.intAttr("qk_output", 0));
  OPTC_TRY(slidingCache, ctx.intAttr("sliding_window_cache", 0));
  OPTC_TRY(kQuant, ctx.stringAttr("k_quant_type", "NONE"));
  OPTC_TRY(vQuant, ctx.stringAttr("v_quant_type", "NONE"));
  if (kQuant != "NONE" || vQuant != "NONE")
    return ctx.error() << "quantised KV caches (k_quant_type '" << kQuant
                       << "', v_quant_type '" << vQuant
                       << "') are not supported";
  if (qkOutput)
    return ctx.error() << "qk_output = " << qkOutput << " is not supported";
  if (slidingCache)
    return ctx.error() << "sliding_window_cache = " << slidingCache
                       << " is not supported";
  if (causal != 0 && causal != 1)
    return ctx.error() << "causal must be 0 or 1, found " << causal;
  if (!causal && window > 0)
    return ctx.error() << "local_window_size = " << window
                       << " needs causal = 1";
  if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
    return ctx.error() << "num_heads = " << heads
                       << " must be a positive multiple of kv_num_heads = "
                       << kvHeads;
  if (!key != !value)
    return ctx.error() << "key and value go together";
  if (!pastKey != !pastValue)
    return ctx.error() << "past_key and past_value go together";
  RankedTensorType qt = ctx.typeOf(query);
  Type element = qt.getElementType();
  if (!isa<FloatType>(element) || qt.getRank() != 3 || !qt.hasStaticShape())
    return ctx.error() << "query must be a static 3-D float tensor, found "
                       << qt << " (fix sizes with --input-shape)";
  int64_t batch = qt.getDimSize(0), seq = qt.getDimSize(1),
          hidden = qt.getDimSize(2);
  int64_t columns = key ? heads : heads + 2 * kvHeads;
  if (hidden % columns != 0)
    return ctx.error() << "the query's hidden size " << hidden
                       << " is not a multiple of "
                       << (key ? "num_heads" : "num_heads + 2 kv_num_heads")
                       << " = " << columns;
  int64_t headSize = hidden / columns;
  Value q = query, k = key, v = value;
  if (!key) {
    // Packed QKV.
    OPTC_TRY(pq, lastAxisSlice(ctx, query, 0, heads * headSize));
    OPTC_TRY(pk, lastAxisSlice(ctx, query, heads * headSize,
                               (heads + kvHeads) * headSize));
    OPTC_TRY(pv, lastAxisSlice(ctx, query, (heads + kvHeads) * headSize,
                               (heads + 2 * kvHeads) * headSize));
    q = pq;
    k = pk;
    v = pv;
  }
  for (Value t : {k, v})
    if (ctx.typeOf(t) !=
        RankedTensorType::get({batch, seq, kvHeads * headSize}, element))
      return ctx.error() << "key and value must be [" << batch << ", " << seq
                         << ", " << kvHeads * headSize << "] (cross "
                         << "attention is not supported), found "
                         << t.getType();
  int64_t pastLen = 0;
  if (pastKey) {
    RankedTensorType pt = ctx.typeOf(pastKey);
    if (pt != RankedTensorType::get({batch, kvHeads,
                                     pt.getRank() == 4 ? pt.getDimSize(2) : 0,
                                     headSize},
                                    element) ||
        pt.isDynamicDim(2) || ctx.typeOf(pastValue) != pt)
      return ctx.error() << "past_key and past_value must be [" << batch << ", "
                         << kvHeads << ", past, " << headSize
                         << "] (BNSH) with a known past length, found " << pt
                         << " and " << pastValue.getType();
    pastLen = pt.getDimSize(2);
  }
  int64_t total = pastLen + seq;
  if (!constantIsAll(totalLength, total))
    return ctx.error() << "total_sequence_length must be past + sequence = "
                       << total
                       << " (shared past/present buffers are not supported)";
  if (!constantIsAll(seqlensK, total - 1))
    return ctx.error() << "seqlens_k must be total - 1 = " << total - 1
                       << " for every batch entry (padded batches are not "
                          "supported)";

  if (doRotary) {
    if (!cosCache || !sinCache)
      return ctx.error() << "do_rotary needs cos_cache and sin_cache";
    RankedTensorType ct = ctx.typeOf(cosCache);
    if (ct.getRank() != 2 || ct.isDynamicDim(1))
      return ctx.error() << "cos_cache must be 2-D with a known last "
                            "dimension, found "
                         << ct;
    int64_t rotaryDim = 2 * ct.getDimSize(1);
    OPTC_TRY(offset, positionsFrom(ctx, Value(), seq));
    Value positions = offset;
    if (pastLen) {
      OPTC_TRY(p, ctx.create<AddOp>(offset,
                                    ctx.scalar(ctx.b.getI64Type(), pastLen)));
      positions = p;
    }
    int64_t dim = rotaryDim == headSize ? 0 : rotaryDim;
    OPTC_TRY(rq, rotate(ctx, q, cosCache, sinCache, positions, interleaved, dim,
                        heads));
    OPTC_TRY(rk, rotate(ctx, k, cosCache, sinCache, positions, interleaved, dim,
                        kvHeads));
    q = rq;
    k = rk;
  }

  OPTC_TRY(qh, toHeads(ctx, q, heads));
  OPTC_TRY(kh, toHeads(ctx, k, kvHeads));
  OPTC_TRY(vh, toHeads(ctx, v, kvHeads));
  if (pastKey) {
    OPTC_TRY(kk, ctx.create<ConcatOp>(ValueRange{pastKey, kh}, 2));
    OPTC_TRY(vv, ctx.create<ConcatOp>(ValueRange{pastValue, vh}, 2));
    kh = kk;
    vh = vv;
  }
  Value presentKey = kh, presentValue = vh;
  OPTC_TRY(kr, repeatHeads(ctx, kh, heads / kvHeads));
  OPTC_TRY(vr, repeatHeads(ctx, vh, heads / kvHeads));

  double scale = scaleAttr != 0
                     ? scaleAttr
                     : 1.0 / std::sqrt(static_cast<double>(headSize));
  OPTC_TRY(kT, ctx.create<TransposeOp>(kr, ArrayRef<int64_t>{0, 1, 3, 2}));
  OPTC_TRY(qk, ctx.create<MatmulOp>(qh, kT));
  OPTC_TRY(scores, ctx.create<MulOp>(qk, ctx.scalar(element, scale)));
  if (softcap > 0) {
    Value cap = ctx.scalar(element, softcap);
    OPTC_TRY(d, ctx.create<DivOp>(scores, cap));
    OPTC_TRY(t, ctx.create<TanhOp>(d));
    OPTC_TRY(c, ctx.create<MulOp>(t, cap));
    scores = c;
  }
  if (causal) {
    // Query i sits at position past + i; a local window keeps the
    // local_window_size keys that end there.
    Value visible = positionMask(ctx, seq, total, [&](int64_t i, int64_t j) {
      int64_t at = pastLen + i;
      return j <= at && (window <= 0 || j > at - window);
    });
    OPTC_TRY(masked, ctx.create<SelectOp>(visible, scores,
                                          ctx.scalar(element, -INFINITY)));
    scores = masked;
  }
  if (attnBias) {
    OPTC_TRY(s, ctx.create<AddOp>(scores, attnBias));
    if (s.getType() != scores.getType())
      return ctx.error() << "attention_bias " << attnBias.getType()
                         << " does not broadcast to the scores "
                         << scores.getType();
    scores = s;
  }
  Value probs;
  if (headSink || smooth > 0) {
    // A column of sinks joins the softmax and is dropped after it.
    Value sink = ctx.scalar(element, 0);
    if (headSink) {
      Value r = ctx.reshape(ctx.castTo(headSink, element), {1, heads, 1, 1});
      if (!r)
        return failure();
      sink = r;
    }
    OPTC_TRY(column, ctx.create<BroadcastOp>(
                         sink, ArrayRef<int64_t>{batch, heads, seq, 1}));
    OPTC_TRY(joined, ctx.create<ConcatOp>(ValueRange{scores, column}, 3));
    OPTC_TRY(sm, ctx.create<SoftmaxOp>(joined, 3));
    OPTC_TRY(p, lastAxisSlice(ctx, sm, 0, total));
    probs = p;
  } else {
    OPTC_TRY(p, ctx.create<SoftmaxOp>(scores, 3));
    probs = p;
  }
  OPTC_TRY(ctxv, ctx.create<MatmulOp>(probs, vr));
  OPTC_TRY(out, fromHeads(ctx, ctxv));
  ctx.outputs = {out, presentKey, presentValue};
  return success();
}

/// float(acc) * (scale_a * scale_b) of the uint8 dynamic quantisation of
/// float `a` times the i32 weights `w32` (zero point already subtracted),
/// as onnxruntime's quantised GEMMs compute it.
FailureOr<Value> dynamicProduct(NodeContext &ctx, Value a, Value w32,
                                Value wScale) {
  OPTC_TRY(q, quantizeDynamic(ctx, a));
  OPTC_TRY(a32, shiftedI32(ctx, q[0], q[2]));
  OPTC_TRY(acc, ctx.create<MatmulOp>(a32, w32));
  OPTC_TRY(scale, ctx.create<MulOp>(q[1], wScale));
  return scaleAccumulator(ctx, acc, scale, Value());
}

/// Entry `d` of a [dirs, ...] tensor, without the direction dimension.
FailureOr<Value> directionSlice(NodeContext &ctx, Value v, int64_t d) {
  RankedTensorType t = ctx.typeOf(v);
  SmallVector<int64_t> starts(t.getRank(), 0), limits(t.getRank(), kEnd),
      strides(t.getRank(), 1);
  starts[0] = d;
  limits[0] = d + 1;
  OPTC_TRY(sl, ctx.create<SliceOp>(v, starts, limits, strides));
  Value r = ctx.reshape(sl, t.getShape().drop_front());
  if (!r)
    return failure();
  return r;
}

/// DynamicQuantizeLSTM as onnxruntime's CPU kernel computes it: X is
/// quantised to uint8 once for all steps and H(t-1) at every step (over the
/// whole batch: onnxruntime with one thread, or a batch of one; with more
/// threads it quantises each thread's rows of the batch apart), each
/// product is float(acc) * (a_scale * w_scale); the gates (order i, o, f, c)
/// add the peepholes, then Wb + Rb, then clip.
LogicalResult dynamicQuantizeLstm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(w, ctx.requiredInput(1, "W"));
  OPTC_TRY(r, ctx.requiredInput(2, "R"));
  Value bias = ctx.input(3), seqLens = ctx.input(4), h0 = ctx.input(5),
        c0 = ctx.input(6), peep = ctx.input(7);
  OPTC_TRY(wScale, ctx.requiredInput(8, "W_scale"));
  OPTC_TRY(wZp, ctx.requiredInput(9, "W_zero_point"));
  OPTC_TRY(rScale, ctx.requiredInput(10, "R_scale"));
  OPTC_TRY(rZp, ctx.requiredInput(11, "R_zero_point"));
  OPTC_TRY(direction, ctx.stringAttr("direction", "forward"));
  OPTC_TRY(inputForget, ctx.intAttr("input_forget", 0));
  OPTC_TRY(hiddenAttr, ctx.intAttr("hidden_size", 0));
  const onnx::AttributeProto *clipAttr = ctx.attr("clip");
  OPTC_TRY(clip, ctx.floatAttr("clip", 0));
  RankedTensorType xt = ctx.typeOf(x), rt = ctx.typeOf(r);
  if (!xt.getElementType().isF32() || xt.getRank() != 3 || !xt.hasStaticShape())
    return ctx.error() << "X must be a static 3-D float tensor, found " << xt
                       << " (fix sizes with --input-shape)";
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return ctx.error() << "direction '" << direction
                       << "' is not forward, "
                          "reverse or bidirectional";
  int64_t seq = xt.getDimSize(0), batch = xt.getDimSize(1);
  if (rt.getRank() != 3 || !rt.hasStaticShape() || rt.getDimSize(0) != dirs)
    return ctx.error() << "R must be [" << dirs
                       << ", hidden, 4 * hidden], found " << rt;
  int64_t hidden = rt.getDimSize(1);
  if ((hiddenAttr && hiddenAttr != hidden) || rt.getDimSize(2) != 4 * hidden)
    return ctx.error() << "R " << rt << " does not match hidden_size "
                       << hiddenAttr;
  if (seqLens && !constantIsAll(seqLens, seq))
    return ctx.error() << "input 4 (sequence_lens) is supported only as "
                          "constant full lengths ("
                       << seq << ")";
  if (seqLens && !getConstantInts(seqLens))
    return ctx.error() << "input 4 (sequence_lens) must be a constant";
  // Activations f, g, h per direction: Sigmoid, Tanh, Tanh by default.
  SmallVector<std::string> acts;
  if (const onnx::AttributeProto *a = ctx.attr("activations")) {
    for (const std::string &name : a->strings())
      acts.push_back(llvm::StringRef(name).lower());
    if (static_cast<int64_t>(acts.size()) != 3 * dirs)
      return ctx.error() << "activations has " << acts.size()
                         << " entries, not " << 3 * dirs;
  } else {
    for (int64_t d = 0; d < dirs; ++d)
      acts.append({"sigmoid", "tanh", "tanh"});
  }
  for (const std::string &a : acts)
    if (a != "sigmoid" && a != "tanh" && a != "relu")
      return ctx.error() << "activation '" << a
                         << "' is not supported (Sigmoid, Tanh, Relu are)";
  Type f32 = ctx.b.getF32Type();
  auto activate = [&](llvm::StringRef name, Value v) -> FailureOr<Value> {
    if (name == "sigmoid")
      return ctx.create<SigmoidOp>(v);
    if (name == "tanh")
      return ctx.create<TanhOp>(v);
    return ctx.create<ReluOp>(v);
  };
  auto clipped = [&](Value v) -> FailureOr<Value> {
    if (!clipAttr)
      return v;
    OPTC_TRY(hi, ctx.create<MinOp>(v, ctx.scalar(f32, clip)));
    return ctx.create<MaxOp>(hi, ctx.scalar(f32, -clip));
  };
  // Per-direction scales and zero points: [dirs] per tensor, [dirs, 4H]
  // per column.
  auto perDirection = [&](Value v, int64_t d) -> FailureOr<Value> {
    RankedTensorType t = ctx.typeOf(v);
    if (t.getRank() < 1 || t.getRank() > 2 || t.getDimSize(0) != dirs ||
        (t.getRank() == 2 && t.getDimSize(1) != 4 * hidden))
      return ctx.error() << "scales and zero points must be [" << dirs
                         << "] or [" << dirs << ", " << 4 * hidden
                         << "], found " << t;
    return directionSlice(ctx, v, d);
  };

  OPTC_TRY(qx, quantizeDynamic(ctx, x));
  OPTC_TRY(x32, shiftedI32(ctx, qx[0], qx[2]));
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    OPTC_TRY(wd, directionSlice(ctx, w, d));
    OPTC_TRY(rd, directionSlice(ctx, r, d));
    OPTC_TRY(wzd, perDirection(wZp, d));
    OPTC_TRY(rzd, perDirection(rZp, d));
    OPTC_TRY(wsd, perDirection(wScale, d));
    OPTC_TRY(rsd, perDirection(rScale, d));
    OPTC_TRY(w32, shiftedI32(ctx, wd, wzd));
    OPTC_TRY(r32, shiftedI32(ctx, rd, rzd));
    // X . W for all steps: [seq, batch, 4H].
    OPTC_TRY(accX, ctx.create<MatmulOp>(x32, w32));
    OPTC_TRY(sx, ctx.create<MulOp>(qx[1], wsd));
    OPTC_TRY(xw, scaleAccumulator(ctx, accX, sx, Value()));
    Value gateBias;
    if (bias) {
      OPTC_TRY(bd, directionSlice(ctx, bias, d));
      OPTC_TRY(wb, lastAxisSlice(ctx, bd, 0, 4 * hidden));
      OPTC_TRY(rb, lastAxisSlice(ctx, bd, 4 * hidden, 8 * hidden));
      OPTC_TRY(sum, ctx.create<AddOp>(wb, rb));
      gateBias = sum;
    }
    Value pd;
    if (peep) {
      OPTC_TRY(p, directionSlice(ctx, peep, d));
      pd = p;
    }
    auto state = [&](Value init) -> FailureOr<Value> {
      if (init)
        return directionSlice(ctx, init, d);
      return ctx.splat(RankedTensorType::get({batch, hidden}, f32), 0);
    };
    OPTC_TRY(hInit, state(h0));
    OPTC_TRY(cInit, state(c0));
    Value buffer = tensor::EmptyOp::create(
        ctx.b, ctx.loc, ArrayRef<int64_t>{seq, batch, hidden}, f32);
    ArrayRef<std::string> act = ArrayRef<std::string>(acts).slice(3 * d, 3);
    Value lb = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 0);
    Value ub = arith::ConstantIndexOp::create(ctx.b, ctx.loc, seq);
    Value one = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 1);
    bool bodyFailed = false;
    auto loop = scf::ForOp::create(
        ctx.b, ctx.loc, lb, ub, one, ValueRange{hInit, cInit, buffer},
        [&](OpBuilder &, Location, Value iv, ValueRange args) {
          auto body = [&]() -> FailureOr<SmallVector<Value>> {
            Value t = iv;
            if (reverse) {
              Value last =
                  arith::ConstantIndexOp::create(ctx.b, ctx.loc, seq - 1);
              t = arith::SubIOp::create(ctx.b, ctx.loc, last, iv);
            }
            Value hPrev = args[0], cPrev = args[1];
            SmallVector<OpFoldResult> offsets{t, ctx.b.getIndexAttr(0),
                                              ctx.b.getIndexAttr(0)},
                strides(3, ctx.b.getIndexAttr(1));
            SmallVector<OpFoldResult> sizes{ctx.b.getIndexAttr(1),
                                            ctx.b.getIndexAttr(batch),
                                            ctx.b.getIndexAttr(4 * hidden)};
            Value row = tensor::ExtractSliceOp::create(ctx.b, ctx.loc, xw,
                                                       offsets, sizes, strides);
            Value xt = ctx.reshape(row, {batch, 4 * hidden});
            if (!xt)
              return failure();
            OPTC_TRY(hr, dynamicProduct(ctx, hPrev, r32, rsd));
            OPTC_TRY(g, ctx.create<AddOp>(xt, hr));
            auto gate = [&](int64_t k) {
              return lastAxisSlice(ctx, g, k * hidden, (k + 1) * hidden);
            };
            auto column = [&](Value v, int64_t k) {
              return lastAxisSlice(ctx, v, k * hidden, (k + 1) * hidden);
            };
            // Peepholes (i, o, f) times the cell, then Wb + Rb, then clip.
            auto preact = [&](Value pre, int64_t gateIndex, int64_t peepIndex,
                              Value cell) -> FailureOr<Value> {
              if (pd && peepIndex >= 0) {
                OPTC_TRY(pk, column(pd, peepIndex));
                OPTC_TRY(pc, ctx.create<MulOp>(cell, pk));
                OPTC_TRY(s, ctx.create<AddOp>(pre, pc));
                pre = s;
              }
              if (gateBias) {
                OPTC_TRY(bk, column(gateBias, gateIndex));
                OPTC_TRY(s, ctx.create<AddOp>(pre, bk));
                pre = s;
              }
              return clipped(pre);
            };
            OPTC_TRY(gi, gate(0));
            OPTC_TRY(go, gate(1));
            OPTC_TRY(gf, gate(2));
            OPTC_TRY(gc, gate(3));
            OPTC_TRY(ip, preact(gi, 0, 0, cPrev));
            OPTC_TRY(i, activate(act[0], ip));
            Value f;
            if (inputForget) {
              OPTC_TRY(fv, ctx.create<SubOp>(ctx.scalar(f32, 1), i));
              f = fv;
            } else {
              OPTC_TRY(fp, preact(gf, 2, 2, cPrev));
              OPTC_TRY(fv, activate(act[0], fp));
              f = fv;
            }
            OPTC_TRY(cp, preact(gc, 3, -1, Value()));
            OPTC_TRY(cc, activate(act[1], cp));
            OPTC_TRY(fc, ctx.create<MulOp>(cPrev, f));
            OPTC_TRY(ic, ctx.create<MulOp>(i, cc));
            OPTC_TRY(cNew, ctx.create<AddOp>(fc, ic));
            OPTC_TRY(op, preact(go, 1, 1, cNew));
            OPTC_TRY(o, activate(act[0], op));
            OPTC_TRY(hc, activate(act[2], cNew));
            OPTC_TRY(hNew, ctx.create<MulOp>(hc, o));
            Value slab = ctx.reshape(hNew, {1, batch, hidden});
            if (!slab)
              return failure();
            SmallVector<OpFoldResult> sizesOut{ctx.b.getIndexAttr(1),
                                               ctx.b.getIndexAttr(batch),
                                               ctx.b.getIndexAttr(hidden)};
            Value stored = tensor::InsertSliceOp::create(
                ctx.b, ctx.loc, slab, args[2], offsets, sizesOut, strides);
            return SmallVector<Value>{hNew, cNew, stored};
          };
          FailureOr<SmallVector<Value>> yielded = body();
          if (failed(yielded)) {
            bodyFailed = true;
            scf::YieldOp::create(ctx.b, ctx.loc, args);
            return;
          }
          scf::YieldOp::create(ctx.b, ctx.loc, *yielded);
        });
    if (bodyFailed)
      return failure();
    Value y = ctx.reshape(loop.getResult(2), {seq, 1, batch, hidden});
    Value yh = ctx.reshape(loop.getResult(0), {1, batch, hidden});
    Value yc = ctx.reshape(loop.getResult(1), {1, batch, hidden});
    if (!y || !yh || !yc)
      return failure();
    ys.push_back(y);
    hs.push_back(yh);
    cs.push_back(yc);
  }
  auto join = [&](ArrayRef<Value> parts, int64_t axis) -> FailureOr<Value> {
    if (parts.size() == 1)
      return parts[0];
    return ctx.create<ConcatOp>(ValueRange(parts), axis);
  };
  OPTC_TRY(y, join(ys, 1));
  OPTC_TRY(yh, join(hs, 0));
  OPTC_TRY(yc, join(cs, 0));
  ctx.outputs = {y, yh, yc};
  return success();
}
} // namespace

void onnx_import::registerMicrosoftOps(OpRegistry &r) {
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
  r.add(ms, "MatMulIntegerToFloat", matmulIntegerToFloat);
  r.add(ms, "DynamicQuantizeMatMul", dynamicQuantizeMatmul);
  r.add(ms, "Attention", attention);
  r.add(ms, "QAttention", qattention);
  r.add(ms, "RotaryEmbedding", rotaryEmbedding);
  r.add(ms, "GroupQueryAttention", groupQueryAttention);
  r.add(ms, "DynamicQuantizeLSTM", dynamicQuantizeLstm);
}
