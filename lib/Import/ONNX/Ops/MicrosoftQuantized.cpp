//===- MicrosoftQuantized.cpp - com.microsoft quantised ops ---------------===//
//
// MatMulIntegerToFloat, DynamicQuantizeMatMul (the activation quantised at
// run time to uint8 exactly as onnxruntime does, by ONNX's
// DynamicQuantizeLinear converter) and DynamicQuantizeLSTM (an scf.for over
// the steps), with onnxruntime's arithmetic: i32 products of the
// zero-point-shifted operands, times the product of the scales. And the
// elementwise ops of onnxruntime's QOperator format (QLinearAdd,
// QLinearMul, QLinearSoftmax): the float op between ONNX's
// DequantizeLinear and QuantizeLinear.
//
//===----------------------------------------------------------------------===//

#include "MicrosoftCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <array>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;
using namespace mlir::optc::onnx_import::microsoft;

namespace {

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
// DynamicQuantizeLSTM
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// The QOperator format's elementwise ops
//===----------------------------------------------------------------------===//

/// ONNX DequantizeLinear of `x` (zero point optional), per tensor.
FailureOr<Value> dequantizeLinear(NodeContext &ctx, Value x, Value scale,
                                  Value zero) {
  onnx::NodeProto node =
      zero ? synthesize(ctx, "DequantizeLinear", {"x", "scale", "zero"}, {"y"})
           : synthesize(ctx, "DequantizeLinear", {"x", "scale"}, {"y"});
  SmallVector<Value> inputs = {x, scale};
  if (zero)
    inputs.push_back(zero);
  OPTC_TRY(out, convertAs(ctx, node, 13, inputs));
  return out[0];
}

/// ONNX QuantizeLinear of `x` to `like`'s integer type (zero point
/// optional: 0 of that type).
FailureOr<Value> quantizeLinear(NodeContext &ctx, Value x, Value scale,
                                Value zero, Value like) {
  if (!zero)
    zero = ctx.scalar(ctx.typeOf(like).getElementType(), 0);
  onnx::NodeProto node =
      synthesize(ctx, "QuantizeLinear", {"x", "scale", "zero"}, {"y"});
  OPTC_TRY(out, convertAs(ctx, node, 13, {x, scale, zero}));
  return out[0];
}

/// QLinearAdd and QLinearMul: C = Q(DQ(A) op DQ(B)) with C's scale and
/// zero point, C of A's type.
template <typename OpTy> LogicalResult qlinearBinary(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(aScale, ctx.requiredInput(1, "A_scale"));
  OPTC_TRY(b, ctx.requiredInput(3, "B"));
  OPTC_TRY(bScale, ctx.requiredInput(4, "B_scale"));
  OPTC_TRY(cScale, ctx.requiredInput(6, "C_scale"));
  if (failed(checkScales(ctx, aScale, "A_scale")) ||
      failed(checkScales(ctx, bScale, "B_scale")) ||
      failed(checkScales(ctx, cScale, "C_scale")))
    return failure();
  OPTC_TRY(da, dequantizeLinear(ctx, a, aScale, ctx.input(2)));
  OPTC_TRY(db, dequantizeLinear(ctx, b, bScale, ctx.input(5)));
  OPTC_TRY(sum, ctx.create<OpTy>(da, db));
  OPTC_TRY(c, quantizeLinear(ctx, sum, cScale, ctx.input(7), a));
  ctx.outputs = {c};
  return success();
}

/// QLinearSoftmax: Y = Q(Softmax(DQ(X))), the Softmax of the `opset` the
/// node names (before 13: the input flattened at `axis`, default 1).
LogicalResult qlinearSoftmax(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(xScale, ctx.requiredInput(1, "X_scale"));
  OPTC_TRY(yScale, ctx.requiredInput(3, "Y_scale"));
  if (failed(checkScales(ctx, xScale, "X_scale")) ||
      failed(checkScales(ctx, yScale, "Y_scale")))
    return failure();
  OPTC_TRY(opset, ctx.intAttr("opset", 13));
  OPTC_TRY(axis, ctx.intAttr("axis", opset < 13 ? 1 : -1));
  OPTC_TRY(dx, dequantizeLinear(ctx, x, xScale, ctx.input(2)));
  onnx::NodeProto node = synthesize(ctx, "Softmax", {"x"}, {"y"});
  onnx::AttributeProto *attribute = node.add_attribute();
  attribute->set_name("axis");
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(axis);
  OPTC_TRY(softmax, convertAs(ctx, node, opset < 13 ? 11 : 13, {dx}));
  OPTC_TRY(y, quantizeLinear(ctx, softmax[0], yScale, ctx.input(4), x));
  ctx.outputs = {y};
  return success();
}

} // namespace

void microsoft::registerMicrosoftQuantizedOps(OpRegistry &r) {
  const char *ms = "com.microsoft";
  r.add(ms, "MatMulIntegerToFloat", matmulIntegerToFloat);
  r.add(ms, "DynamicQuantizeMatMul", dynamicQuantizeMatmul);
  r.add(ms, "DynamicQuantizeLSTM", dynamicQuantizeLstm);
  r.add(ms, "QLinearAdd", qlinearBinary<AddOp>);
  r.add(ms, "QLinearMul", qlinearBinary<MulOp>);
  r.add(ms, "QLinearSoftmax", qlinearSoftmax);
}
