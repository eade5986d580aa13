//===- Attention.cpp - ONNX Attention (opset 23+) -------------------------===//
//
// Scaled dot-product attention decomposed into core ops, following the
// operator's definition: optional 3-D inputs split into heads, a KV cache
// (past_key/past_value), boolean or additive masks padded to the key length,
// causal and sliding-window masks aligned bottom-right, per-batch key
// padding (nonpad_kv_seqlen), grouped-query heads, softcap, the softmax
// precision, and the qk_matmul_output modes. Fully masked rows give 0.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

class AttentionImporter {
public:
  explicit AttentionImporter(NodeContext &ctx) : ctx(ctx) {}

  LogicalResult run();

private:
  NodeContext &ctx;
  Type element;

  FailureOr<Value> toHeads(Value x, int64_t heads, llvm::StringRef name);
  FailureOr<Value> repeatHeads(Value x, int64_t reps);
  FailureOr<Value> softmax(Value x);
  Value negInf() { return ctx.scalar(element, -INFINITY); }
  Value zero() { return ctx.scalar(element, 0); }
};

FailureOr<Value> AttentionImporter::toHeads(Value x, int64_t heads,
                                            llvm::StringRef name) {
  RankedTensorType t = ctx.typeOf(x);
  if (heads <= 0)
    return ctx.error() << "3-D inputs need the " << name
                       << " attribute (a positive head count)";
  if (t.isDynamicDim(2) || t.getDimSize(2) % heads != 0)
    return ctx.error() << "the hidden size of " << t << " is not divisible by "
                       << name << " = " << heads;
  Value r = ctx.reshape(x, {t.isDynamicDim(0) ? -1 : t.getDimSize(0),
                            t.getDimSize(1), heads, t.getDimSize(2) / heads});
  if (!r)
    return failure();
  return ctx.create<TransposeOp>(r, ArrayRef<int64_t>{0, 2, 1, 3});
}

FailureOr<Value> AttentionImporter::repeatHeads(Value x, int64_t reps) {
  // np.repeat along heads: [B, H, S, D] -> [B, H, reps, S, D] -> [B, H*reps,
  // S, D].
  RankedTensorType t = ctx.typeOf(x);
  if (!t.hasStaticShape())
    return ctx.error() << "grouped-query attention needs static shapes";
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

FailureOr<Value> AttentionImporter::softmax(Value x) {
  // max-shifted softmax over the last axis that gives 0 (not NaN) for rows
  // that are entirely -inf.
  Type t = ctx.typeOf(x).getElementType();
  int64_t last = ctx.typeOf(x).getRank() - 1;
  OPTC_TRY(m, ctx.create<ReduceMaxOp>(x, ArrayRef<int64_t>{last}, true));
  OPTC_TRY(masked, ctx.create<IsInfOp>(m, false, true));
  OPTC_TRY(safe, ctx.create<SelectOp>(masked, ctx.scalar(t, 0), m));
  OPTC_TRY(shifted, ctx.create<SubOp>(x, safe));
  OPTC_TRY(e, ctx.create<ExpOp>(shifted));
  OPTC_TRY(s, ctx.create<ReduceSumOp>(e, ArrayRef<int64_t>{last}, true));
  OPTC_TRY(isZero,
           ctx.create<CompareOp>(ComparePredicate::eq, s, ctx.scalar(t, 0)));
  OPTC_TRY(denominator, ctx.create<SelectOp>(isZero, ctx.scalar(t, 1), s));
  return ctx.create<DivOp>(e, denominator);
}

LogicalResult AttentionImporter::run() {
  OPTC_TRY(q, ctx.requiredInput(0, "Q"));
  OPTC_TRY(k, ctx.requiredInput(1, "K"));
  OPTC_TRY(v, ctx.requiredInput(2, "V"));
  Value mask = ctx.input(3), pastKey = ctx.input(4), pastValue = ctx.input(5),
        nonpad = ctx.input(6);
  element = ctx.typeOf(q).getElementType();
  if (!isa<FloatType>(element))
    return ctx.error() << "Q must be a float tensor";
  int64_t rank = ctx.typeOf(q).getRank();
  if ((rank != 3 && rank != 4) || ctx.typeOf(k).getRank() != rank ||
      ctx.typeOf(v).getRank() != rank)
    return ctx.error() << "Q, K and V must all be 3-D or all 4-D";
  if (!pastKey != !pastValue)
    return ctx.error() << "past_key and past_value go together";
  if (nonpad && pastKey)
    return ctx.error() << "nonpad_kv_seqlen cannot be combined with a past "
                          "cache";
  OPTC_TRY(qHeadsAttr, ctx.intAttr("q_num_heads", 0));
  OPTC_TRY(kvHeadsAttr, ctx.intAttr("kv_num_heads", 0));
  OPTC_TRY(isCausal, ctx.intAttr("is_causal", 0));
  OPTC_TRY(softcap, ctx.floatAttr("softcap", 0));
  OPTC_TRY(mode, ctx.intAttr("qk_matmul_output_mode", 0));
  OPTC_TRY(softmaxPrecision, ctx.intAttr("softmax_precision", 0));
  OPTC_TRY(leftWindow, ctx.intAttr("left_window_size", -1));
  OPTC_TRY(rightWindow, ctx.intAttr("right_window_size", -1));
  if (rank == 3) {
    OPTC_TRY(qh, toHeads(q, qHeadsAttr, "q_num_heads"));
    OPTC_TRY(kh, toHeads(k, kvHeadsAttr, "kv_num_heads"));
    OPTC_TRY(vh, toHeads(v, kvHeadsAttr, "kv_num_heads"));
    q = qh;
    k = kh;
    v = vh;
  }
  RankedTensorType qt = ctx.typeOf(q);
  if (qt.isDynamicDim(3))
    return ctx.error() << "the head size of Q must be known at compile time";
  double scale;
  if (ctx.attr("scale")) {
    OPTC_TRY(s, ctx.floatAttr("scale", 1));
    scale = s;
  } else {
    scale = 1.0 / std::sqrt(static_cast<double>(qt.getDimSize(3)));
  }
  Value rootScale = ctx.scalar(element, std::sqrt(scale));

  // The KV cache: past then new along the sequence axis.
  if (pastKey) {
    OPTC_TRY(pk, ctx.create<ConcatOp>(ValueRange{pastKey, k}, 2));
    OPTC_TRY(pv, ctx.create<ConcatOp>(ValueRange{pastValue, v}, 2));
    k = pk;
    v = pv;
  }
  Value presentKey = k, presentValue = v;
  RankedTensorType kt = ctx.typeOf(k);
  if (qt.isDynamicDim(2) || kt.isDynamicDim(2))
    return ctx.error() << "the sequence lengths must be known at compile time";
  int64_t qLen = qt.getDimSize(2), kvLen = kt.getDimSize(2);
  int64_t pastLen = pastKey ? ctx.typeOf(pastKey).getDimSize(2) : 0;

  // The additive bias [.., q, kv].
  Value bias;
  if (mask) {
    RankedTensorType mt = ctx.typeOf(mask);
    bool isBool = mt.getElementType().isInteger(1);
    int64_t maskLen = mt.getDimSize(mt.getRank() - 1);
    if (ShapedType::isDynamic(maskLen))
      return ctx.error() << "the mask's last dimension must be static";
    if (maskLen < kvLen) {
      SmallVector<int64_t> low(mt.getRank(), 0), high(mt.getRank(), 0);
      high.back() = kvLen - maskLen;
      Value padValue = isBool ? ctx.scalar(mt.getElementType(), 0)
                              : ctx.scalar(mt.getElementType(), -INFINITY);
      OPTC_TRY(padded,
               ctx.create<PadOp>(PadMode::constant, mask, padValue, low, high));
      mask = padded;
    }
    if (isBool) {
      OPTC_TRY(additive, ctx.create<SelectOp>(mask, zero(), negInf()));
      bias = additive;
    } else {
      bias = ctx.castTo(mask, element);
    }
  }
  // Causal and sliding-window masks are aligned bottom-right: query i sits
  // at position i + offset among the keys. With diff = offset + i - j
  // (offset minus the diagonal j - i of NodeContext::diagonals), a key is
  // allowed when 0 <= diff (causal), diff <= left, -diff <= right;
  // `allowed` (when given) is and-ed in.
  bool positional = isCausal || leftWindow >= 0 || rightWindow >= 0;
  auto windowAllows = [&](Value diff, Value allowed) -> FailureOr<Value> {
    auto require = [&](ComparePredicate p, int64_t bound) -> LogicalResult {
      OPTC_TRY(ok, ctx.create<CompareOp>(p, diff, ctx.i64(bound)));
      return ctx.accumulate<AndOp>(allowed, ok);
    };
    if (isCausal && failed(require(ComparePredicate::ge, 0)))
      return failure();
    if (leftWindow >= 0 && failed(require(ComparePredicate::le, leftWindow)))
      return failure();
    if (rightWindow >= 0 && failed(require(ComparePredicate::ge, -rightWindow)))
      return failure();
    return allowed;
  };
  if (positional && !nonpad) {
    OPTC_TRY(diagonals, ctx.diagonals(qLen, kvLen));
    OPTC_TRY(diff, ctx.create<SubOp>(ctx.i64(pastLen), diagonals));
    OPTC_TRY(allowed, windowAllows(diff, Value()));
    OPTC_TRY(positions, ctx.create<SelectOp>(allowed, zero(), negInf()));
    if (failed(ctx.accumulate<AddOp>(bias, positions)))
      return failure();
  }
  if (nonpad) {
    // Per batch: keys at or past nonpad_kv_seqlen[b] are padding; causal
    // and window offsets are nonpad_kv_seqlen[b] - q.
    RankedTensorType nt = ctx.typeOf(nonpad);
    if (nt.getRank() != 1)
      return ctx.error() << "nonpad_kv_seqlen must be 1-D, found " << nt;
    Value lengths =
        ctx.reshape(ctx.castTo(nonpad, ctx.b.getI64Type()),
                    {nt.isDynamicDim(0) ? -1 : nt.getDimSize(0), 1, 1});
    if (!lengths)
      return failure();
    OPTC_TRY(keys, ctx.positions(kvLen, 3, 2));
    OPTC_TRY(isKey, ctx.create<CompareOp>(ComparePredicate::lt, keys, lengths));
    Value allowed = isKey;
    if (positional) {
      OPTC_TRY(diagonals, ctx.diagonals(qLen, kvLen));
      Value perQuery = ctx.reshape(diagonals, {1, qLen, kvLen});
      if (!perQuery)
        return failure();
      OPTC_TRY(offset, ctx.create<SubOp>(lengths, ctx.i64(qLen)));
      OPTC_TRY(diff, ctx.create<SubOp>(offset, perQuery));
      OPTC_TRY(windowed, windowAllows(diff, allowed));
      allowed = windowed;
    }
    OPTC_TRY(padBias, ctx.create<SelectOp>(allowed, zero(), negInf()));
    RankedTensorType pt = ctx.typeOf(padBias);
    Value perBatch =
        ctx.reshape(padBias, {pt.isDynamicDim(0) ? -1 : pt.getDimSize(0), 1,
                              pt.getDimSize(1), kvLen});
    if (!perBatch || failed(ctx.accumulate<AddOp>(bias, perBatch)))
      return failure();
  }

  // Grouped-query attention repeats the K/V heads.
  int64_t qHeads = qt.getDimSize(1), kvHeads = kt.getDimSize(1);
  if (!ShapedType::isDynamic(qHeads) && !ShapedType::isDynamic(kvHeads) &&
      qHeads != kvHeads) {
    if (qHeads % kvHeads != 0)
      return ctx.error() << qHeads << " query heads are not a multiple of "
                         << kvHeads << " key/value heads";
    OPTC_TRY(kr, repeatHeads(k, qHeads / kvHeads));
    OPTC_TRY(vr, repeatHeads(v, qHeads / kvHeads));
    k = kr;
    v = vr;
  }

  OPTC_TRY(qs, ctx.create<MulOp>(q, rootScale));
  OPTC_TRY(ks, ctx.create<MulOp>(k, rootScale));
  OPTC_TRY(kT, ctx.create<TransposeOp>(ks, ArrayRef<int64_t>{0, 1, 3, 2}));
  OPTC_TRY(qk, ctx.create<MatmulOp>(qs, kT));
  if (softcap > 0) {
    Value cap = ctx.scalar(element, softcap);
    OPTC_TRY(d, ctx.create<DivOp>(qk, cap));
    OPTC_TRY(t, ctx.create<TanhOp>(d));
    OPTC_TRY(c, ctx.create<MulOp>(t, cap));
    qk = c;
  }
  Value qkOut = qk, withBias = qk;
  if (bias) {
    OPTC_TRY(wb, ctx.create<AddOp>(qk, bias));
    withBias = wb;
  }
  if (mode == 2)
    qkOut = withBias;
  Value logits = withBias;
  if (softmaxPrecision) {
    std::string why;
    FailureOr<Type> p = convertElementType(
        static_cast<int32_t>(softmaxPrecision), ctx.b.getContext(), why);
    if (failed(p) || !isa<FloatType>(*p))
      return ctx.error() << "softmax_precision " << softmaxPrecision
                         << " is not a float type";
    logits = ctx.castTo(logits, *p);
  }
  OPTC_TRY(probs, softmax(logits));
  if (bias) {
    // Rows whose bias is -inf everywhere attend to nothing: 0.
    int64_t last = ctx.typeOf(bias).getRank() - 1;
    OPTC_TRY(m, ctx.create<ReduceMaxOp>(bias, ArrayRef<int64_t>{last}, true));
    OPTC_TRY(dead, ctx.create<IsInfOp>(m, false, true));
    Type pt = ctx.typeOf(probs).getElementType();
    OPTC_TRY(p, ctx.create<SelectOp>(dead, ctx.scalar(pt, 0), probs));
    probs = p;
  }
  if (mode == 3)
    qkOut = probs;
  qkOut = ctx.castTo(qkOut, element);
  probs = ctx.castTo(probs, element);
  OPTC_TRY(y, ctx.create<MatmulOp>(probs, v));
  if (rank == 3) {
    OPTC_TRY(t, ctx.create<TransposeOp>(y, ArrayRef<int64_t>{0, 2, 1, 3}));
    RankedTensorType tt = ctx.typeOf(t);
    Value r = ctx.reshape(t, {tt.isDynamicDim(0) ? -1 : tt.getDimSize(0),
                              tt.getDimSize(1),
                              tt.isDynamicDim(2) || tt.isDynamicDim(3)
                                  ? -1
                                  : tt.getDimSize(2) * tt.getDimSize(3)});
    if (!r)
      return failure();
    y = r;
  }
  ctx.outputs = {y, presentKey, presentValue, qkOut};
  return success();
}

LogicalResult attention(NodeContext &ctx) {
  return AttentionImporter(ctx).run();
}

/// RotaryEmbedding (opset 23): rotates pairs of the first
/// rotary_embedding_dim features of each head by the cached angles, picked
/// by position_ids when given. Pairs are (x[i], x[i + d/2]), or adjacent
/// with `interleaved`.
LogicalResult rotaryEmbedding(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(cosCache, ctx.requiredInput(1, "cos_cache"));
  OPTC_TRY(sinCache, ctx.requiredInput(2, "sin_cache"));
  Value positions = ctx.input(3);
  OPTC_TRY(interleaved, ctx.intAttr("interleaved", 0));
  OPTC_TRY(rotaryDim, ctx.intAttr("rotary_embedding_dim", 0));
  OPTC_TRY(numHeads, ctx.intAttr("num_heads", 0));
  RankedTensorType xt = ctx.typeOf(x);
  if (!xt.hasStaticShape() || (xt.getRank() != 3 && xt.getRank() != 4))
    return ctx.error() << "X must be a static 3-D or 4-D tensor, found " << xt;
  // Work on [batch, seq, heads, head_size].
  Value v = x;
  int64_t b = xt.getDimSize(0);
  if (xt.getRank() == 4) {
    OPTC_TRY(t, ctx.create<TransposeOp>(x, ArrayRef<int64_t>{0, 2, 1, 3}));
    v = t;
  } else {
    if (numHeads <= 0 || xt.getDimSize(2) % numHeads != 0)
      return ctx.error() << "3-D input needs num_heads dividing the hidden "
                            "size";
    v = ctx.reshape(
        x, {b, xt.getDimSize(1), numHeads, xt.getDimSize(2) / numHeads});
    if (!v)
      return failure();
  }
  RankedTensorType vt = ctx.typeOf(v);
  int64_t s = vt.getDimSize(1), h = vt.getDimSize(2), d = vt.getDimSize(3);
  int64_t rot = rotaryDim ? rotaryDim : d;
  if (rot % 2 != 0 || rot > d)
    return ctx.error() << "rotary_embedding_dim " << rot
                       << " must be even and at most the head size " << d;
  int64_t half = rot / 2;
  auto cache = [&](Value c) -> FailureOr<Value> {
    if (positions) {
      OPTC_TRY(g, ctx.create<GatherOp>(c, positions, 0));
      c = g;
    }
    // [batch or 1, seq, half] -> [.., seq, 1, half]
    RankedTensorType ct = ctx.typeOf(c);
    if (ct.getRank() != 3 && ct.getRank() != 2)
      return ctx.error() << "the caches must be [seq, d/2] or [batch, seq, "
                            "d/2], found "
                         << ct;
    if (!ct.hasStaticShape() || ct.getDimSize(ct.getRank() - 1) != half)
      return ctx.error() << "the caches' last dimension must be " << half;
    SmallVector<int64_t> shape(ct.getShape());
    shape.insert(shape.end() - 1, 1);
    Value r = ctx.reshape(c, shape);
    if (!r)
      return failure();
    return r;
  };
  OPTC_TRY(cosv, cache(cosCache));
  OPTC_TRY(sinv, cache(sinCache));
  auto lastSlice = [&](Value t, int64_t start, int64_t limit,
                       int64_t stride) -> FailureOr<Value> {
    return ctx.create<SliceOp>(t, ArrayRef<int64_t>{0, 0, 0, start},
                               ArrayRef<int64_t>{b, s, h, limit},
                               ArrayRef<int64_t>{1, 1, 1, stride});
  };
  OPTC_TRY(x1,
           interleaved ? lastSlice(v, 0, rot, 2) : lastSlice(v, 0, half, 1));
  OPTC_TRY(x2,
           interleaved ? lastSlice(v, 1, rot, 2) : lastSlice(v, half, rot, 1));
  OPTC_TRY(c1, ctx.create<MulOp>(cosv, x1));
  OPTC_TRY(s2, ctx.create<MulOp>(sinv, x2));
  OPTC_TRY(real, ctx.create<SubOp>(c1, s2));
  OPTC_TRY(s1, ctx.create<MulOp>(sinv, x1));
  OPTC_TRY(c2, ctx.create<MulOp>(cosv, x2));
  OPTC_TRY(imag, ctx.create<AddOp>(s1, c2));
  Value rotated;
  if (interleaved) {
    Value re = ctx.reshape(real, {b, s, h, half, 1});
    Value im = ctx.reshape(imag, {b, s, h, half, 1});
    if (!re || !im)
      return failure();
    OPTC_TRY(pairs, ctx.create<ConcatOp>(ValueRange{re, im}, 4));
    rotated = ctx.reshape(pairs, {b, s, h, rot});
    if (!rotated)
      return failure();
  } else {
    OPTC_TRY(joined, ctx.create<ConcatOp>(ValueRange{real, imag}, 3));
    rotated = joined;
  }
  Value out = rotated;
  if (rot < d) {
    OPTC_TRY(rest, lastSlice(v, rot, d, 1));
    OPTC_TRY(all, ctx.create<ConcatOp>(ValueRange{rotated, rest}, 3));
    out = all;
  }
  if (xt.getRank() == 4) {
    OPTC_TRY(t, ctx.create<TransposeOp>(out, ArrayRef<int64_t>{0, 2, 1, 3}));
    out = t;
  } else {
    out = ctx.reshape(out, xt.getShape());
    if (!out)
      return failure();
  }
  ctx.outputs = {out};
  return success();
}

} // namespace

void onnx_import::registerAttentionOps(OpRegistry &r) {
  r.add("", "Attention", attention, 23);
  r.add("", "RotaryEmbedding", rotaryEmbedding, 23);
}
