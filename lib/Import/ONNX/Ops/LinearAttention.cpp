//===- LinearAttention.cpp - ONNX LinearAttention (opset 27) --------------===//
//
// The recurrent form of linear attention, token by token in an scf.for:
// per step the state S (B x H_kv x d_k x d_v) decays by exp(g_t) (gated
// rules), is corrected by beta_t * (v_t - S^T k_t) (delta rules), takes the
// outer product k_t v_t, and the output is scale * q_t^T S, with each KV
// head's state shared by q_num_heads / kv_num_heads query heads. Like the
// operator's definition, the arithmetic is in f32 whatever the inputs are.
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

} // namespace

void onnx_import::registerLinearAttentionOps(OpRegistry &r) {
  r.add("", "LinearAttention", linearAttention, 27);
}
