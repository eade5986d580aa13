//===- LinearAttention.cpp - LinearAttention and FlexAttention ------------===//
//
// The recurrent form of linear attention, token by token in an scf.for:
// per step the state S (B x H_kv x d_k x d_v) decays by exp(g_t) (gated
// rules), is corrected by beta_t * (v_t - S^T k_t) (delta rules), takes the
// outer product k_t v_t, and the output is scale * q_t^T S, with each KV
// head's state shared by q_num_heads / kv_num_heads query heads. Like the
// operator's definition, the arithmetic is in f32 whatever the inputs are.
//
// FlexAttention (ai.onnx.preview) is scaled dot-product attention whose
// scores and probabilities pass through the node's score_mod and prob_mod
// subgraphs, imported inline; the softmax and the product with V run in
// softmax_precision (f32 unless the inputs are f64).
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// [B, T, H*D] -> [B, H, T, D] in f32.
FailureOr<Value> toHeads(NodeContext &ctx, Value x, int64_t heads,
                         llvm::StringRef name) {
  RankedTensorType t = ctx.typeOf(x);
  if (t.getRank() != 3 || !t.hasStaticShape() || t.getDimSize(2) % heads != 0)
    return ctx.error() << name << " must be a static [B, T, H*D] tensor with "
                       << "its last size a multiple of " << heads << ", found "
                       << t;
  int64_t b = t.getDimSize(0), s = t.getDimSize(1), d = t.getDimSize(2) / heads;
  Value r = ctx.reshape(ctx.castTo(x, ctx.b.getF32Type()), {b, s, heads, d});
  if (!r)
    return failure();
  return ctx.create<TransposeOp>(r, ArrayRef<int64_t>{0, 2, 1, 3});
}

LogicalResult linearAttention(NodeContext &ctx) {
  OPTC_TRY(query, ctx.requiredInput(0, "query"));
  OPTC_TRY(key, ctx.requiredInput(1, "key"));
  OPTC_TRY(value, ctx.requiredInput(2, "value"));
  Value past = ctx.input(3), decay = ctx.input(4), beta = ctx.input(5);
  OPTC_TRY(qHeads, ctx.requiredIntAttr("q_num_heads"));
  OPTC_TRY(kvHeads, ctx.requiredIntAttr("kv_num_heads"));
  OPTC_TRY(scaleAttr, ctx.floatAttr("scale", 0));
  OPTC_TRY(rule, ctx.stringAttr("update_rule", "gated_delta"));
  if (rule != "linear" && rule != "gated" && rule != "delta" &&
      rule != "gated_delta")
    return ctx.error() << "update_rule '" << rule << "' is not supported";
  if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads != 0)
    return ctx.error() << "q_num_heads (" << qHeads
                       << ") must be a positive multiple of kv_num_heads ("
                       << kvHeads << ")";
  bool gating = rule == "gated" || rule == "gated_delta";
  bool delta = rule == "delta" || rule == "gated_delta";
  if (gating != static_cast<bool>(decay))
    return ctx.error() << "update_rule '" << rule << "' "
                       << (gating ? "needs" : "takes no") << " decay input";
  if (delta != static_cast<bool>(beta))
    return ctx.error() << "update_rule '" << rule << "' "
                       << (delta ? "needs" : "takes no") << " beta input";

  Type f32 = ctx.b.getF32Type();
  OPTC_TRY(q, toHeads(ctx, query, qHeads, "query"));
  OPTC_TRY(k, toHeads(ctx, key, kvHeads, "key"));
  OPTC_TRY(v, toHeads(ctx, value, kvHeads, "value"));
  ArrayRef<int64_t> qs = ctx.typeOf(q).getShape(),
                    ks = ctx.typeOf(k).getShape(),
                    vs = ctx.typeOf(v).getShape();
  int64_t batch = qs[0], steps = qs[2], dk = qs[3], dv = vs[3];
  if (ks[0] != batch || ks[2] != steps || ks[3] != dk || vs[0] != batch ||
      vs[2] != steps)
    return ctx.error() << "query, key and value do not agree: "
                       << ctx.typeOf(query) << ", " << ctx.typeOf(key) << ", "
                       << ctx.typeOf(value);
  // decay: one value per KV head, or one per key channel; beta: one per KV
  // head, or one for all.
  Value g, bt;
  if (decay) {
    RankedTensorType dt = ctx.typeOf(decay);
    int64_t last = dt.getRank() == 3 ? dt.getDimSize(2) : -1;
    if (last != kvHeads && last != kvHeads * dk)
      return ctx.error() << "decay must be [B, T, " << kvHeads << "] or [B, T, "
                         << kvHeads * dk << "], found " << dt;
    OPTC_TRY(gh, toHeads(ctx, decay, kvHeads, "decay"));
    g = gh;
  }
  if (beta) {
    RankedTensorType bt0 = ctx.typeOf(beta);
    int64_t last = bt0.getRank() == 3 ? bt0.getDimSize(2) : -1;
    if (last != kvHeads && last != 1)
      return ctx.error() << "beta must be [B, T, " << kvHeads
                         << "] or [B, T, 1], found " << bt0;
    OPTC_TRY(bh, toHeads(ctx, beta, last, "beta"));
    bt = bh;
  }
  auto stateType = RankedTensorType::get({batch, kvHeads, dk, dv}, f32);
  Value state0;
  if (past) {
    if (ctx.typeOf(past).getShape() != stateType.getShape())
      return ctx.error() << "past_state must be " << stateType.getShape()
                         << ", found " << ctx.typeOf(past);
    state0 = ctx.castTo(past, f32);
  } else {
    state0 = ctx.splat(stateType, 0);
  }
  double scale = scaleAttr != 0 ? scaleAttr : 1.0 / std::sqrt(double(dk));
  int64_t group = qHeads / kvHeads;

  Value buffer = tensor::EmptyOp::create(
      ctx.b, ctx.loc, ArrayRef<int64_t>{batch, qHeads, steps, dv}, f32);
  Value lb = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 0);
  Value ub = arith::ConstantIndexOp::create(ctx.b, ctx.loc, steps);
  Value one = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 1);
  bool bodyFailed = false;
  auto loop = scf::ForOp::create(
      ctx.b, ctx.loc, lb, ub, one, ValueRange{state0, buffer},
      [&](OpBuilder &, Location, Value t, ValueRange args) {
        auto step = [&]() -> FailureOr<SmallVector<Value>> {
          // Row t of a [B, H, T, D] tensor, as [B, H, 1, D].
          auto at = [&](Value x) {
            ArrayRef<int64_t> s = ctx.typeOf(x).getShape();
            SmallVector<OpFoldResult> offsets{ctx.b.getIndexAttr(0),
                                              ctx.b.getIndexAttr(0), t,
                                              ctx.b.getIndexAttr(0)},
                sizes{ctx.b.getIndexAttr(s[0]), ctx.b.getIndexAttr(s[1]),
                      ctx.b.getIndexAttr(1), ctx.b.getIndexAttr(s[3])},
                strides(4, ctx.b.getIndexAttr(1));
            return Value(tensor::ExtractSliceOp::create(
                ctx.b, ctx.loc, x, offsets, sizes, strides));
          };
          Value s = args[0];
          Value kt = at(k), vt = at(v);
          if (g) {
            // exp(g_t) per head (or per key channel), along d_k.
            Value gt = at(g);
            Value gcol = ctx.reshape(
                gt, {batch, kvHeads, ctx.typeOf(gt).getDimSize(3), 1});
            if (!gcol)
              return failure();
            OPTC_TRY(e, ctx.create<ExpOp>(gcol));
            OPTC_TRY(decayed, ctx.create<MulOp>(s, e));
            s = decayed;
          }
          if (bt) {
            // v_t <- beta_t * (v_t - S^T k_t)
            OPTC_TRY(retrieved, ctx.create<MatmulOp>(kt, s));
            OPTC_TRY(diff, ctx.create<SubOp>(vt, retrieved));
            OPTC_TRY(scaled, ctx.create<MulOp>(at(bt), diff));
            vt = scaled;
          }
          Value kcol = ctx.reshape(kt, {batch, kvHeads, dk, 1});
          if (!kcol)
            return failure();
          OPTC_TRY(outer, ctx.create<MulOp>(kcol, vt));
          OPTC_TRY(updated, ctx.create<AddOp>(s, outer));
          Value read = updated;
          if (group > 1) {
            // Query head h reads KV head h / group.
            Value wide = ctx.reshape(updated, {batch, kvHeads, 1, dk, dv});
            if (!wide)
              return failure();
            OPTC_TRY(rep, ctx.create<BroadcastOp>(
                              wide, ArrayRef<int64_t>{batch, kvHeads, group, dk,
                                                      dv}));
            Value flat = ctx.reshape(rep, {batch, qHeads, dk, dv});
            if (!flat)
              return failure();
            read = flat;
          }
          OPTC_TRY(o, ctx.create<MatmulOp>(at(q), read));
          OPTC_TRY(os, ctx.create<MulOp>(o, ctx.scalar(f32, scale)));
          SmallVector<OpFoldResult> offsets{ctx.b.getIndexAttr(0),
                                            ctx.b.getIndexAttr(0), t,
                                            ctx.b.getIndexAttr(0)},
              sizes{ctx.b.getIndexAttr(batch), ctx.b.getIndexAttr(qHeads),
                    ctx.b.getIndexAttr(1), ctx.b.getIndexAttr(dv)},
              strides(4, ctx.b.getIndexAttr(1));
          Value stored = tensor::InsertSliceOp::create(
              ctx.b, ctx.loc, os, args[1], offsets, sizes, strides);
          return SmallVector<Value>{updated, stored};
        };
        FailureOr<SmallVector<Value>> yielded = step();
        if (failed(yielded)) {
          bodyFailed = true;
          scf::YieldOp::create(ctx.b, ctx.loc, args);
          return;
        }
        scf::YieldOp::create(ctx.b, ctx.loc, *yielded);
      });
  if (bodyFailed) {
    loop->erase();
    return failure();
  }
  // [B, H_q, T, d_v] -> [B, T, H_q * d_v], in the query's type.
  OPTC_TRY(o, ctx.create<TransposeOp>(loop.getResult(1),
                                      ArrayRef<int64_t>{0, 2, 1, 3}));
  Value out = ctx.reshape(o, {batch, steps, qHeads * dv});
  if (!out)
    return failure();
  Type element = ctx.typeOf(query).getElementType();
  Type stateElement = past ? ctx.typeOf(past).getElementType() : element;
  ctx.outputs = {ctx.castTo(out, element),
                 ctx.castTo(loop.getResult(0), stateElement)};
  return success();
}

/// Runs a one-input, one-output modifier subgraph (score_mod, prob_mod) on
/// `x`, or returns `x` when the node has none.
FailureOr<Value> applyModifier(NodeContext &ctx, llvm::StringRef name,
                               Value x) {
  const onnx::AttributeProto *a = ctx.attr(name);
  if (!a)
    return x;
  if (!a->has_g())
    return ctx.error() << "attribute '" << name << "' must be a graph";
  const onnx::GraphProto &g = a->g();
  if (g.input_size() != 1 || g.output_size() != 1)
    return ctx.error() << name << " must have one input and one output";
  OPTC_TRY(outs, ctx.graph.importSubgraph(g, *ctx.scope, {x}, *ctx.opsets,
                                          ctx.depth));
  if (outs.size() != 1 ||
      ctx.typeOf(outs[0]).getElementType() != ctx.typeOf(x).getElementType())
    return ctx.error() << name << " must give one tensor of type "
                       << ctx.typeOf(x).getElementType();
  return outs[0];
}

LogicalResult flexAttention(NodeContext &ctx) {
  OPTC_TRY(q, ctx.requiredInput(0, "Q"));
  OPTC_TRY(k, ctx.requiredInput(1, "K"));
  OPTC_TRY(v, ctx.requiredInput(2, "V"));
  RankedTensorType qt = ctx.typeOf(q), kt = ctx.typeOf(k), vt = ctx.typeOf(v);
  if (qt.getRank() != 4 || kt.getRank() != 4 || vt.getRank() != 4 ||
      !qt.hasStaticShape() || !kt.hasStaticShape() || !vt.hasStaticShape())
    return ctx.error() << "Q, K and V must be static rank-4 tensors, found "
                       << qt << ", " << kt << ", " << vt;
  Type element = qt.getElementType();
  if (!isa<FloatType>(element) || kt.getElementType() != element ||
      vt.getElementType() != element)
    return ctx.error() << "Q, K and V must have one float type";
  int64_t batch = qt.getDimSize(0), qHeads = qt.getDimSize(1),
          kvHeads = kt.getDimSize(1), kvLen = kt.getDimSize(2),
          head = qt.getDimSize(3);
  if (kvHeads <= 0 || qHeads % kvHeads != 0 || vt.getDimSize(1) != kvHeads ||
      kt.getDimSize(0) != batch || vt.getDimSize(0) != batch ||
      vt.getDimSize(2) != kvLen || kt.getDimSize(3) != head)
    return ctx.error() << "Q, K and V do not agree: " << qt << ", " << kt
                       << ", " << vt;
  OPTC_TRY(scaleAttr, ctx.floatAttr("scale", 0));
  Type f32 = ctx.b.getF32Type();
  OPTC_TRY(precise,
           ctx.dtypeAttr("softmax_precision", element.isF64() ? element : f32));
  if (!isa<FloatType>(precise))
    return ctx.error() << "softmax_precision must be a float type";
  // GQA: each KV head serves a contiguous group of query heads.
  auto repeat = [&](Value x) -> FailureOr<Value> {
    int64_t group = qHeads / kvHeads;
    if (group == 1)
      return x;
    ArrayRef<int64_t> s = ctx.typeOf(x).getShape();
    Value wide = ctx.reshape(x, {s[0], s[1], 1, s[2], s[3]});
    if (!wide)
      return failure();
    OPTC_TRY(rep, ctx.create<BroadcastOp>(
                      wide, ArrayRef<int64_t>{s[0], s[1], group, s[2], s[3]}));
    Value flat = ctx.reshape(rep, {s[0], qHeads, s[2], s[3]});
    if (!flat)
      return failure();
    return flat;
  };
  OPTC_TRY(kAligned, repeat(k));
  OPTC_TRY(vAligned, repeat(v));
  // Scale Q and K by sqrt(scale) each, like the operator's definition.
  double scale = scaleAttr != 0 ? scaleAttr : 1.0 / std::sqrt(double(head));
  Value root = ctx.scalar(element, std::sqrt(scale));
  OPTC_TRY(qs, ctx.create<MulOp>(q, root));
  OPTC_TRY(ks, ctx.create<MulOp>(kAligned, root));
  OPTC_TRY(kT, ctx.create<TransposeOp>(ks, ArrayRef<int64_t>{0, 1, 3, 2}));
  OPTC_TRY(scores, ctx.create<MatmulOp>(qs, kT));
  OPTC_TRY(modified,
           applyModifier(ctx, "score_mod", ctx.castTo(scores, precise)));
  OPTC_TRY(probs, ctx.create<SoftmaxOp>(modified, int64_t(3)));
  OPTC_TRY(probsModified, applyModifier(ctx, "prob_mod", probs));
  OPTC_TRY(y,
           ctx.create<MatmulOp>(probsModified, ctx.castTo(vAligned, precise)));
  ctx.outputs = {ctx.castTo(y, element)};
  return success();
}

} // namespace

void onnx_import::registerLinearAttentionOps(OpRegistry &r) {
  r.add("", "LinearAttention", linearAttention, 27);
  r.add("ai.onnx.preview", "FlexAttention", flexAttention);
}
