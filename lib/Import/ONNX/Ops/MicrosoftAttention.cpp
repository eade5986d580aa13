//===- MicrosoftAttention.cpp - com.microsoft attention ops ---------------===//
//
// Attention and QAttention (packed QKV weights, mask_index forms, causal,
// past/present; QAttention's projection is an integer product),
// RotaryEmbedding (position ids or an offset, converted by ONNX's
// RotaryEmbedding converter) and GroupQueryAttention (no padding, uniform
// past), as onnxruntime's CPU kernels compute them.
//
//===----------------------------------------------------------------------===//

#include "MicrosoftCommon.h"

#include <cmath>
#include <optional>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;
using namespace mlir::optc::onnx_import::microsoft;

namespace {

void setInt(onnx::NodeProto &node, llvm::StringRef name, int64_t value) {
  onnx::AttributeProto *a = node.add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

int64_t dimOf(RankedTensorType t, unsigned i) {
  return t.isDynamicDim(i) ? -1 : t.getDimSize(i);
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

/// The [q, kv] boolean mask of the keys query i sees when it sits at
/// position offset + i (offset >= 0): j <= offset + i, and within the last
/// `window` keys (j > offset + i - window) when window > 0. In terms of the
/// diagonal d = j - i: d <= offset and d > offset - window. A constant when
/// small, computed at run time otherwise (NodeContext::diagonals).
FailureOr<Value> causalMask(NodeContext &ctx, int64_t q, int64_t kv,
                            int64_t offset, int64_t window) {
  OPTC_TRY(diagonals, ctx.diagonals(q, kv));
  OPTC_TRY(seen, ctx.create<CompareOp>(ComparePredicate::le, diagonals,
                                       ctx.i64(offset)));
  if (window <= 0)
    return seen;
  OPTC_TRY(near, ctx.create<CompareOp>(ComparePredicate::gt, diagonals,
                                       ctx.i64(offset - window)));
  return ctx.create<AndOp>(seen, near);
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
    OPTC_TRY(keys, ctx.positions(total));
    Value keyPos = ctx.castTo(keys, i32);
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
    OPTC_TRY(visible, causalMask(ctx, seq, total, pastLen, 0));
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

//===----------------------------------------------------------------------===//
// Rotary embedding and grouped-query attention
//===----------------------------------------------------------------------===//

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
  OPTC_TRY(row, ctx.positions(seq, 2, 1));
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
      OPTC_TRY(p, ctx.create<AddOp>(offset, ctx.i64(pastLen)));
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
    OPTC_TRY(visible, causalMask(ctx, seq, total, pastLen, window));
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

} // namespace

void microsoft::registerMicrosoftAttentionOps(OpRegistry &r) {
  const char *ms = "com.microsoft";
  r.add(ms, "Attention", attention);
  r.add(ms, "QAttention", qattention);
  r.add(ms, "RotaryEmbedding", rotaryEmbedding);
  r.add(ms, "GroupQueryAttention", groupQueryAttention);
}
