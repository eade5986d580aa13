//===- Recurrent.cpp - ONNX RNN, GRU and LSTM
//------------------------------===//
//
// The recurrent layers unrolled over time as an scf.for: the input
// projection X.W^T + Wb is one matmul for all steps; each step slices its
// row, applies the recurrence with matmuls and elementwise ops, and stores
// the hidden state into Y with tensor.insert_slice. Forward, reverse and
// bidirectional; layout 0 and 1; initial states; RNN/GRU/LSTM gate orders;
// GRU's linear_before_reset; LSTM peepholes and input_forget; clip; the
// activations Tanh, Sigmoid, Relu, HardSigmoid, LeakyRelu, Elu, Softsign,
// Softplus, Affine, ScaledTanh, ThresholdedRelu.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"
#include "optc/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

enum class Cell { RNN, GRU, LSTM };

struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

class RecurrentImporter {
public:
  RecurrentImporter(NodeContext &ctx, Cell cell) : ctx(ctx), cell(cell) {}
  LogicalResult run();

private:
  NodeContext &ctx;
  Cell cell;
  Type element;
  int64_t seq = 0, batch = 0, hidden = 0, gates = 1;
  float clip = 0;
  bool linearBeforeReset = false, inputForget = false;
  SmallVector<Activation> activations;

  FailureOr<Value> apply(const Activation &a, Value x);
  FailureOr<Value> columns(Value x, int64_t gate);
  FailureOr<Value> clipped(Value x);
  /// Runs direction `d`; returns Y [seq, batch, hidden] and appends the
  /// final hidden (and cell) state to `finals`.
  FailureOr<Value> direction(Value x, Value w, Value r, Value b, Value p,
                             Value h0, Value c0, int64_t d, bool reverse,
                             SmallVectorImpl<Value> &finals);
};

FailureOr<Value> RecurrentImporter::apply(const Activation &a, Value x) {
  auto scalar = [&](double v) { return ctx.scalar(element, v); };
  const std::string &n = a.name;
  if (n == "Tanh")
    return ctx.create<TanhOp>(x);
  if (n == "Sigmoid")
    return ctx.create<SigmoidOp>(x);
  if (n == "Relu")
    return ctx.create<ReluOp>(x);
  if (n == "Softsign") {
    OPTC_TRY(ab, ctx.create<AbsOp>(x));
    OPTC_TRY(d, ctx.create<AddOp>(ab, scalar(1)));
    return ctx.create<DivOp>(x, d);
  }
  if (n == "Softplus")
    return ctx.create<SoftplusOp>(x);
  if (n == "Affine") {
    OPTC_TRY(m, ctx.create<MulOp>(x, scalar(a.alpha)));
    return ctx.create<AddOp>(m, scalar(a.beta));
  }
  if (n == "ScaledTanh") {
    OPTC_TRY(m, ctx.create<MulOp>(x, scalar(a.beta)));
    OPTC_TRY(t, ctx.create<TanhOp>(m));
    return ctx.create<MulOp>(t, scalar(a.alpha));
  }
  if (n == "HardSigmoid") {
    OPTC_TRY(m, ctx.create<MulOp>(x, scalar(a.alpha)));
    OPTC_TRY(s, ctx.create<AddOp>(m, scalar(a.beta)));
    OPTC_TRY(lo, ctx.create<MaxOp>(s, scalar(0)));
    return ctx.create<MinOp>(lo, scalar(1));
  }
  if (n == "LeakyRelu" || n == "ThresholdedRelu" || n == "Elu") {
    ComparePredicate p =
        n == "ThresholdedRelu" ? ComparePredicate::gt : ComparePredicate::lt;
    OPTC_TRY(cmp, ctx.create<CompareOp>(
                      p, x, scalar(n == "ThresholdedRelu" ? a.alpha : 0)));
    if (n == "ThresholdedRelu")
      return ctx.create<SelectOp>(cmp, x, scalar(0));
    Value neg;
    if (n == "LeakyRelu") {
      OPTC_TRY(m, ctx.create<MulOp>(x, scalar(a.alpha)));
      neg = m;
    } else {
      OPTC_TRY(e1, ctx.create<Expm1Op>(x));
      OPTC_TRY(m, ctx.create<MulOp>(e1, scalar(a.alpha)));
      neg = m;
    }
    return ctx.create<SelectOp>(cmp, neg, x);
  }
  return ctx.error() << "activation '" << n << "' is not supported";
}

/// Columns [gate * hidden, (gate + 1) * hidden) of a [batch, G*hidden] value.
FailureOr<Value> RecurrentImporter::columns(Value x, int64_t gate) {
  return ctx.create<SliceOp>(x, ArrayRef<int64_t>{0, gate * hidden},
                             ArrayRef<int64_t>{batch, (gate + 1) * hidden},
                             ArrayRef<int64_t>{1, 1});
}

FailureOr<Value> RecurrentImporter::clipped(Value x) {
  if (clip <= 0)
    return x;
  OPTC_TRY(hi, ctx.create<MinOp>(x, ctx.scalar(element, clip)));
  return ctx.create<MaxOp>(hi, ctx.scalar(element, -clip));
}

/// Slice `d` of a [dirs, ...] tensor, without the direction dimension.
static FailureOr<Value> perDirection(NodeContext &ctx, Value v, int64_t d) {
  RankedTensorType t = ctx.typeOf(v);
  SmallVector<int64_t> starts(t.getRank(), 0), limits(t.getShape()),
      strides(t.getRank(), 1);
  starts[0] = d;
  limits[0] = d + 1;
  OPTC_TRY(s, ctx.create<SliceOp>(v, starts, limits, strides));
  SmallVector<int64_t> shape(t.getShape().drop_front());
  Value r = ctx.reshape(s, shape);
  if (!r)
    return failure();
  return r;
}

FailureOr<Value> RecurrentImporter::direction(Value x, Value w, Value r,
                                              Value b, Value p, Value h0,
                                              Value c0, int64_t d, bool reverse,
                                              SmallVectorImpl<Value> &finals) {
  // Activations of this direction: RNN 1, GRU 2, LSTM 3 per direction.
  int64_t perDir = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 2 : 3;
  ArrayRef<Activation> act =
      ArrayRef<Activation>(activations).slice(d * perDir, perDir);
  OPTC_TRY(wd, perDirection(ctx, w, d));
  OPTC_TRY(rd, perDirection(ctx, r, d));
  OPTC_TRY(wT, ctx.create<TransposeOp>(wd, ArrayRef<int64_t>{1, 0}));
  OPTC_TRY(rT, ctx.create<TransposeOp>(rd, ArrayRef<int64_t>{1, 0}));
  // The input projection for all steps at once: [seq, batch, G*hidden].
  OPTC_TRY(xw, ctx.create<MatmulOp>(x, wT));
  Value wb, rb;
  if (b) {
    OPTC_TRY(bd, perDirection(ctx, b, d));
    OPTC_TRY(wbs, ctx.create<SliceOp>(bd, ArrayRef<int64_t>{0},
                                      ArrayRef<int64_t>{gates * hidden},
                                      ArrayRef<int64_t>{1}));
    OPTC_TRY(rbs, ctx.create<SliceOp>(bd, ArrayRef<int64_t>{gates * hidden},
                                      ArrayRef<int64_t>{2 * gates * hidden},
                                      ArrayRef<int64_t>{1}));
    OPTC_TRY(withBias, ctx.create<AddOp>(xw, wbs));
    xw = withBias;
    rb = rbs;
    wb = wbs;
  }
  auto state = [&](Value init) -> FailureOr<Value> {
    if (init)
      return perDirection(ctx, init, d);
    return ctx.splat(RankedTensorType::get({batch, hidden}, element), 0);
  };
  OPTC_TRY(h, state(h0));
  Value c;
  if (cell == Cell::LSTM) {
    OPTC_TRY(cv, state(c0));
    c = cv;
  }
  Value pd;
  if (p) {
    OPTC_TRY(pv, perDirection(ctx, p, d));
    pd = pv;
  }
  Value buffer = tensor::EmptyOp::create(
      ctx.b, ctx.loc, ArrayRef<int64_t>{seq, batch, hidden}, element);
  SmallVector<Value> inits{h, buffer};
  if (c)
    inits.push_back(c);
  Value lb = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 0);
  Value ub = arith::ConstantIndexOp::create(ctx.b, ctx.loc, seq);
  Value one = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 1);
  bool bodyFailed = false;
  auto loop = scf::ForOp::create(
      ctx.b, ctx.loc, lb, ub, one, inits,
      [&](OpBuilder &, Location, Value iv, ValueRange args) {
        auto body = [&]() -> FailureOr<SmallVector<Value>> {
          Value t = iv;
          if (reverse) {
            Value last =
                arith::ConstantIndexOp::create(ctx.b, ctx.loc, seq - 1);
            t = arith::SubIOp::create(ctx.b, ctx.loc, last, iv);
          }
          Value hPrev = args[0], cPrev = c ? args[2] : Value();
          SmallVector<OpFoldResult> offsets{t, ctx.b.getIndexAttr(0),
                                            ctx.b.getIndexAttr(0)},
              sizes{ctx.b.getIndexAttr(1), ctx.b.getIndexAttr(batch),
                    ctx.b.getIndexAttr(gates * hidden)},
              strides(3, ctx.b.getIndexAttr(1));
          Value row = tensor::ExtractSliceOp::create(ctx.b, ctx.loc, xw,
                                                     offsets, sizes, strides);
          Value xt = ctx.reshape(row, {batch, gates * hidden});
          if (!xt)
            return failure();
          OPTC_TRY(hr, ctx.create<MatmulOp>(hPrev, rT));
          if (rb) {
            OPTC_TRY(withBias, ctx.create<AddOp>(hr, rb));
            hr = withBias;
          }
          Value hNew, cNew;
          if (cell == Cell::RNN) {
            OPTC_TRY(sum, ctx.create<AddOp>(xt, hr));
            OPTC_TRY(cl, clipped(sum));
            OPTC_TRY(a, apply(act[0], cl));
            hNew = a;
          } else if (cell == Cell::GRU) {
            // Gate order z, r, h.
            OPTC_TRY(xz, columns(xt, 0));
            OPTC_TRY(xr, columns(xt, 1));
            OPTC_TRY(xh, columns(xt, 2));
            OPTC_TRY(hz, columns(hr, 0));
            OPTC_TRY(hrr, columns(hr, 1));
            OPTC_TRY(zs, ctx.create<AddOp>(xz, hz));
            OPTC_TRY(zc, clipped(zs));
            OPTC_TRY(z, apply(act[0], zc));
            OPTC_TRY(rs, ctx.create<AddOp>(xr, hrr));
            OPTC_TRY(rc, clipped(rs));
            OPTC_TRY(rg, apply(act[0], rc));
            Value cand;
            if (linearBeforeReset) {
              OPTC_TRY(hh, columns(hr, 2));
              OPTC_TRY(gated, ctx.create<MulOp>(rg, hh));
              OPTC_TRY(s, ctx.create<AddOp>(xh, gated));
              cand = s;
            } else {
              // (r * H) . Rh^T + Rbh
              OPTC_TRY(rh, ctx.create<MulOp>(rg, hPrev));
              OPTC_TRY(rhT, ctx.create<SliceOp>(
                                rT, ArrayRef<int64_t>{0, 2 * hidden},
                                ArrayRef<int64_t>{hidden, 3 * hidden},
                                ArrayRef<int64_t>{1, 1}));
              OPTC_TRY(m, ctx.create<MatmulOp>(rh, rhT));
              Value s = m;
              if (rb) {
                OPTC_TRY(rbh,
                         ctx.create<SliceOp>(rb, ArrayRef<int64_t>{2 * hidden},
                                             ArrayRef<int64_t>{3 * hidden},
                                             ArrayRef<int64_t>{1}));
                OPTC_TRY(sb, ctx.create<AddOp>(m, rbh));
                s = sb;
              }
              OPTC_TRY(total, ctx.create<AddOp>(xh, s));
              cand = total;
            }
            OPTC_TRY(cc, clipped(cand));
            OPTC_TRY(ht, apply(act[1], cc));
            // H = (1 - z) * ht + z * H
            OPTC_TRY(oneMinus, ctx.create<SubOp>(ctx.scalar(element, 1), z));
            OPTC_TRY(a1, ctx.create<MulOp>(oneMinus, ht));
            OPTC_TRY(a2, ctx.create<MulOp>(z, hPrev));
            OPTC_TRY(s, ctx.create<AddOp>(a1, a2));
            hNew = s;
          } else {
            // Gate order i, o, f, c.
            OPTC_TRY(g, ctx.create<AddOp>(xt, hr));
            OPTC_TRY(gi, columns(g, 0));
            OPTC_TRY(go, columns(g, 1));
            OPTC_TRY(gf, columns(g, 2));
            OPTC_TRY(gc, columns(g, 3));
            auto peephole = [&](Value gate, int64_t k,
                                Value cell) -> FailureOr<Value> {
              if (!pd)
                return gate;
              OPTC_TRY(pk,
                       ctx.create<SliceOp>(pd, ArrayRef<int64_t>{k * hidden},
                                           ArrayRef<int64_t>{(k + 1) * hidden},
                                           ArrayRef<int64_t>{1}));
              OPTC_TRY(pc, ctx.create<MulOp>(pk, cell));
              return ctx.create<AddOp>(gate, pc);
            };
            // Peepholes P are ordered i, o, f.
            OPTC_TRY(giP, peephole(gi, 0, cPrev));
            OPTC_TRY(gic, clipped(giP));
            OPTC_TRY(i, apply(act[0], gic));
            Value f;
            if (inputForget) {
              OPTC_TRY(fv, ctx.create<SubOp>(ctx.scalar(element, 1), i));
              f = fv;
            } else {
              OPTC_TRY(gfP, peephole(gf, 2, cPrev));
              OPTC_TRY(gfc, clipped(gfP));
              OPTC_TRY(fv, apply(act[0], gfc));
              f = fv;
            }
            OPTC_TRY(gcc, clipped(gc));
            OPTC_TRY(ct, apply(act[1], gcc));
            OPTC_TRY(fc, ctx.create<MulOp>(f, cPrev));
            OPTC_TRY(ic, ctx.create<MulOp>(i, ct));
            OPTC_TRY(cn, ctx.create<AddOp>(fc, ic));
            cNew = cn;
            OPTC_TRY(goP, peephole(go, 1, cNew));
            OPTC_TRY(goc, clipped(goP));
            OPTC_TRY(o, apply(act[0], goc));
            OPTC_TRY(hc, apply(act[2], cNew));
            OPTC_TRY(hv, ctx.create<MulOp>(o, hc));
            hNew = hv;
          }
          Value slab = ctx.reshape(hNew, {1, batch, hidden});
          if (!slab)
            return failure();
          SmallVector<OpFoldResult> sizesOut{ctx.b.getIndexAttr(1),
                                             ctx.b.getIndexAttr(batch),
                                             ctx.b.getIndexAttr(hidden)};
          Value stored = tensor::InsertSliceOp::create(
              ctx.b, ctx.loc, slab, args[1], offsets, sizesOut, strides);
          SmallVector<Value> yielded{hNew, stored};
          if (cNew)
            yielded.push_back(cNew);
          return yielded;
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
  finals.push_back(loop.getResult(0));
  if (c)
    finals.push_back(loop.getResult(2));
  return loop.getResult(1);
}

LogicalResult RecurrentImporter::run() {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(w, ctx.requiredInput(1, "W"));
  OPTC_TRY(r, ctx.requiredInput(2, "R"));
  Value b = ctx.input(3), seqLens = ctx.input(4), h0 = ctx.input(5);
  Value c0 = cell == Cell::LSTM ? ctx.input(6) : Value();
  Value p = cell == Cell::LSTM ? ctx.input(7) : Value();
  gates = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
  element = ctx.typeOf(x).getElementType();
  OPTC_TRY(layout, ctx.intAttr("layout", 0));
  OPTC_TRY(dirName, ctx.stringAttr("direction", "forward"));
  OPTC_TRY(hiddenSize, ctx.intAttr("hidden_size", 0));
  OPTC_TRY(clipValue, ctx.floatAttr("clip", 0));
  clip = clipValue;
  if (cell == Cell::GRU) {
    OPTC_TRY(lbr, ctx.intAttr("linear_before_reset", 0));
    linearBeforeReset = lbr != 0;
  }
  if (cell == Cell::LSTM) {
    OPTC_TRY(coupled, ctx.intAttr("input_forget", 0));
    inputForget = coupled != 0;
  }
  int64_t dirs = dirName == "bidirectional" ? 2 : 1;
  if (dirName != "forward" && dirName != "reverse" &&
      dirName != "bidirectional")
    return ctx.error() << "direction '" << dirName << "' is not valid";
  // Every tensor has the rank ONNX gives it: a rank error is the model's
  // (an X of rank 5 was reported as "needs static shapes").
  struct Expected {
    Value value;
    const char *name;
    int64_t rank;
    const char *dims;
  };
  for (const Expected &e :
       {Expected{x, "X", 3, "[seq_length, batch_size, input_size]"},
        Expected{w, "W", 3, "[num_directions, gates*hidden_size, input_size]"},
        Expected{r, "R", 3, "[num_directions, gates*hidden_size, hidden_size]"},
        Expected{b, "B", 2, "[num_directions, 2*gates*hidden_size]"},
        Expected{h0, "initial_h", 3,
                 "[num_directions, batch_size, hidden_size]"},
        Expected{c0, "initial_c", 3,
                 "[num_directions, batch_size, hidden_size]"},
        Expected{p, "P", 2, "[num_directions, 3*hidden_size]"}}) {
    if (e.value && ctx.typeOf(e.value).getRank() != e.rank)
      return ctx.error() << e.name << " must have rank " << e.rank << " "
                         << e.dims
                         << (layout == 1 && e.rank == 3 && e.value != w &&
                                     e.value != r
                                 ? " (batch first with layout 1)"
                                 : "")
                         << ", found " << ctx.typeOf(e.value);
  }
  // Layout 1 is batch-major: bring everything to [seq, batch, ...].
  auto toSeqMajor = [&](Value v, ArrayRef<int64_t> perm) -> FailureOr<Value> {
    if (!v || layout == 0)
      return v;
    return ctx.create<TransposeOp>(v, perm);
  };
  OPTC_TRY(xs, toSeqMajor(x, {1, 0, 2}));
  OPTC_TRY(h0s, toSeqMajor(h0, {1, 0, 2}));
  OPTC_TRY(c0s, toSeqMajor(c0, {1, 0, 2}));
  RankedTensorType xt = ctx.typeOf(xs);
  if (!xt.hasStaticShape() || !ctx.typeOf(w).hasStaticShape() ||
      !ctx.typeOf(r).hasStaticShape())
    return ctx.error() << "needs static shapes, found X " << ctx.typeOf(x)
                       << ", W " << ctx.typeOf(w) << " and R " << ctx.typeOf(r)
                       << " (fix unknown sizes with --input-shape)";
  seq = xt.getDimSize(0);
  batch = xt.getDimSize(1);
  hidden = hiddenSize ? hiddenSize : ctx.typeOf(r).getDimSize(2);
  // Bounded before gates x hidden is formed.
  if (hidden <= 0 || hidden > kMaxTensorElements)
    return ctx.error() << "hidden_size " << hidden
                       << " is not between 1 and 2^40";
  if (ctx.typeOf(w).getDimSize(1) != gates * hidden)
    return ctx.error() << "W has " << ctx.typeOf(w).getDimSize(1)
                       << " rows, expected " << gates << " x " << hidden;
  if (seqLens) {
    std::optional<SmallVector<int64_t>> lens = getConstantInts(seqLens);
    if (!lens || llvm::any_of(*lens, [&](int64_t l) { return l != seq; }))
      return ctx.error() << "sequence_lens shorter than the sequence are not "
                            "supported";
  }
  // Activations, with defaults.
  int64_t perDir = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 2 : 3;
  bool given = false;
  const onnx::AttributeProto *names = ctx.attr("activations");
  given = names && names->strings_size() > 0;
  OPTC_TRY(alphas, ctx.floatsAttr("activation_alpha"));
  OPTC_TRY(betas, ctx.floatsAttr("activation_beta"));
  for (int64_t i = 0; i < perDir * dirs; ++i) {
    Activation a;
    if (given) {
      if (i >= names->strings_size())
        return ctx.error() << "expected " << perDir * dirs << " activations";
      a.name = names->strings(i);
    } else {
      a.name =
          cell == Cell::RNN ? "Tanh" : (i % perDir == 0 ? "Sigmoid" : "Tanh");
    }
    // LeakyRelu's alpha defaults to 0.01; HardSigmoid's to 0.2 and 0.5.
    a.alpha = i < static_cast<int64_t>(alphas.size())
                  ? alphas[i]
                  : (a.name == "LeakyRelu"     ? 0.01f
                     : a.name == "HardSigmoid" ? 0.2f
                                               : 1.0f);
    a.beta = i < static_cast<int64_t>(betas.size())
                 ? betas[i]
                 : (a.name == "HardSigmoid" ? 0.5f : 0.0f);
    activations.push_back(a);
  }
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = dirName == "reverse" || d == 1;
    SmallVector<Value> finals;
    OPTC_TRY(y, direction(xs, w, r, b, p, h0s, c0s, d, reverse, finals));
    Value yd = ctx.reshape(y, {seq, 1, batch, hidden});
    Value hd = ctx.reshape(finals[0], {1, batch, hidden});
    if (!yd || !hd)
      return failure();
    ys.push_back(yd);
    hs.push_back(hd);
    if (finals.size() > 1) {
      Value cd = ctx.reshape(finals[1], {1, batch, hidden});
      if (!cd)
        return failure();
      cs.push_back(cd);
    }
  }
  auto join = [&](ArrayRef<Value> parts, int64_t axis) -> FailureOr<Value> {
    if (parts.size() == 1)
      return parts[0];
    return ctx.create<ConcatOp>(ValueRange(parts), axis);
  };
  OPTC_TRY(y, join(ys, 1));
  OPTC_TRY(yh, join(hs, 0));
  if (layout == 1) {
    OPTC_TRY(yt, ctx.create<TransposeOp>(y, ArrayRef<int64_t>{2, 0, 1, 3}));
    OPTC_TRY(yht, ctx.create<TransposeOp>(yh, ArrayRef<int64_t>{1, 0, 2}));
    y = yt;
    yh = yht;
  }
  ctx.outputs = {y, yh};
  if (!cs.empty()) {
    OPTC_TRY(yc, join(cs, 0));
    if (layout == 1) {
      OPTC_TRY(yct, ctx.create<TransposeOp>(yc, ArrayRef<int64_t>{1, 0, 2}));
      yc = yct;
    }
    ctx.outputs.push_back(yc);
  }
  return success();
}

} // namespace

void onnx_import::registerRecurrentOps(OpRegistry &r) {
  // The versions before opset 7 differ only by `output_sequence`, which
  // says whether Y is wanted (the node's outputs say so too), and GRU-1 by
  // lacking linear_before_reset (0).
  r.add(
      "", "RNN",
      [](NodeContext &c) { return RecurrentImporter(c, Cell::RNN).run(); }, 1);
  r.add(
      "", "GRU",
      [](NodeContext &c) { return RecurrentImporter(c, Cell::GRU).run(); }, 1);
  r.add(
      "", "LSTM",
      [](NodeContext &c) { return RecurrentImporter(c, Cell::LSTM).run(); }, 1);
}
