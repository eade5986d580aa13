//===- Signal.cpp - ONNX signal-processing ops ----------------------------===//
//
// The window functions (HannWindow, HammingWindow, BlackmanWindow) as
// cosine sums over the positions 0 .. size - 1: a constant when the size is
// one, optc.range and f64 arithmetic when it is known only at run time.
//
// DFT as matrix products with constant cosine and sine matrices along the
// transformed axis: forward and inverse, real or complex input, one-sided
// output (rfft) and one-sided input (irfft), zero-padding or truncation to
// dft_length. An axis given at run time (opset 20) switches over the axes.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// A window sum_k a_k cos(2 pi k n / N) with N = size (periodic) or
/// size - 1 (symmetric).
LogicalResult cosineWindow(NodeContext &ctx, ArrayRef<double> coefficients) {
  OPTC_TRY(size, ctx.requiredInput(0, "size"));
  RankedTensorType st = ctx.typeOf(size);
  if (!st.hasStaticShape() || st.getNumElements() != 1 ||
      !isa<IntegerType>(st.getElementType()))
    return ctx.error() << "size must be one integer, found " << st;
  OPTC_TRY(periodic, ctx.intAttr("periodic", 1));
  OPTC_TRY(element, ctx.dtypeAttr("output_datatype", ctx.b.getF32Type()));
  if (!isa<FloatType>(element) && !isa<IntegerType>(element))
    return ctx.error() << "output_datatype must be numeric";

  if (std::optional<SmallVector<int64_t>> n = getConstantInts(size)) {
    int64_t count = (*n)[0];
    if (count < 0 || count > kMaxBuiltConstant)
      return ctx.error() << "size " << count << " is out of range";
    double denominator = periodic ? count : count - 1;
    SmallVector<double> values;
    for (int64_t i = 0; i < count; ++i) {
      double v = 0;
      for (auto [k, a] : llvm::enumerate(coefficients))
        v += a * std::cos(2 * M_PI * double(k) * double(i) / denominator);
      values.push_back(v);
    }
    auto type = RankedTensorType::get({count}, ctx.b.getF64Type());
    Value c = ConstantOp::create(
        ctx.b, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef(values))));
    ctx.outputs = {ctx.castTo(c, element)};
    return success();
  }

  Type f64 = ctx.b.getF64Type(), i64 = ctx.b.getI64Type();
  Value count =
      ctx.castTo(st.getRank() == 0 ? size : ctx.reshape(size, {}), i64);
  if (!count)
    return failure();
  OPTC_TRY(positions,
           ctx.create<RangeOp>(ctx.scalar(i64, 0), count, ctx.scalar(i64, 1)));
  Value n = ctx.castTo(positions, f64);
  Value denominator = ctx.castTo(count, f64);
  if (!periodic) {
    OPTC_TRY(d, ctx.create<SubOp>(denominator, ctx.scalar(f64, 1)));
    denominator = d;
  }
  OPTC_TRY(phase, ctx.create<DivOp>(n, denominator));
  Value sum;
  for (auto [k, a] : llvm::enumerate(coefficients)) {
    Value term;
    if (k == 0) {
      term = ctx.scalar(f64, a);
    } else {
      OPTC_TRY(angle, ctx.create<MulOp>(phase, ctx.scalar(f64, 2 * M_PI * k)));
      OPTC_TRY(c, ctx.create<CosOp>(angle));
      OPTC_TRY(t, ctx.create<MulOp>(c, ctx.scalar(f64, a)));
      term = t;
    }
    if (!sum) {
      sum = term;
      continue;
    }
    OPTC_TRY(s, ctx.create<AddOp>(sum, term));
    sum = s;
  }
  ctx.outputs = {ctx.castTo(sum, element)};
  return success();
}

/// `x` (axis `axis` of size n) times the constant [n, k] matrix `m` along
/// that axis.
FailureOr<Value> contract(NodeContext &ctx, Value x, int64_t axis,
                          ArrayRef<double> m, int64_t n, int64_t k) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> toLast;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      toLast.push_back(d);
  toLast.push_back(axis);
  SmallVector<int64_t> back(rank);
  for (int64_t d = 0; d < rank; ++d)
    back[toLast[d]] = d;
  OPTC_TRY(moved, ctx.create<TransposeOp>(x, toLast));
  auto matrixType = RankedTensorType::get({n, k}, ctx.b.getF64Type());
  Value matrix =
      ctx.castTo(ConstantOp::create(
                     ctx.b, ctx.loc,
                     cast<ElementsAttr>(DenseElementsAttr::get(matrixType, m))),
                 type.getElementType());
  OPTC_TRY(product, ctx.create<MatmulOp>(moved, matrix));
  return ctx.create<TransposeOp>(product, back);
}

/// DFT along `axis` of x (rank r, last dimension 1 for real or 2 for
/// complex values).
FailureOr<Value> dftAlong(NodeContext &ctx, Value x, int64_t axis,
                          std::optional<int64_t> lengthGiven, bool inverse,
                          bool onesided) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  if (!type.hasStaticShape())
    return ctx.error() << "the signal's shape must be known, found " << type;
  if (axis == rank - 1)
    return ctx.error() << "axis " << axis << " is the real/imaginary dimension";
  int64_t parts = type.getDimSize(rank - 1);
  if (parts != 1 && parts != 2)
    return ctx.error() << "the last dimension must be 1 (real) or 2 "
                          "(complex), found "
                       << type;
  if (type.isDynamicDim(axis))
    return ctx.error() << "the size of axis " << axis << " must be known";
  int64_t inSize = type.getDimSize(axis);
  int64_t length = lengthGiven           ? *lengthGiven
                   : inverse && onesided ? 2 * (inSize - 1)
                                         : inSize;
  if (length <= 0)
    return ctx.error() << "dft_length must be positive, found " << length;
  // Real and imaginary parts without the last dimension.
  auto part = [&](int64_t i) -> FailureOr<Value> {
    SmallVector<int64_t> starts(rank, 0), limits(type.getShape()),
        strides(rank, 1);
    starts[rank - 1] = i;
    limits[rank - 1] = i + 1;
    OPTC_TRY(s, ctx.create<SliceOp>(x, starts, limits, strides));
    SmallVector<int64_t> shape(type.getShape().drop_back());
    Value r = ctx.reshape(s, shape);
    if (!r)
      return failure();
    return r;
  };
  OPTC_TRY(re, part(0));
  Value im;
  if (parts == 2) {
    OPTC_TRY(i, part(1));
    im = i;
  }
  // The samples used: the first n = min(in, used) (zero padding adds
  // nothing to the sums).
  int64_t used = inverse && onesided ? length / 2 + 1 : length;
  int64_t n = std::min(inSize, used);
  if (n < inSize) {
    SmallVector<int64_t> starts(rank - 1, 0),
        limits(type.getShape().drop_back()), strides(rank - 1, 1);
    limits[axis] = n;
    OPTC_TRY(r, ctx.create<SliceOp>(re, starts, limits, strides));
    re = r;
    if (im) {
      OPTC_TRY(i, ctx.create<SliceOp>(im, starts, limits, strides));
      im = i;
    }
  }
  int64_t k = inverse ? length : (onesided ? length / 2 + 1 : length);
  // The matrices are built here: keep them to a size that compiles.
  constexpr int64_t kMaxMatrix = kMaxBuiltConstant;
  if (n > kMaxMatrix / std::max<int64_t>(k, 1))
    return ctx.error() << "a DFT of length " << length << " over " << n
                       << " samples needs a " << n << "x" << k
                       << " matrix; optc builds at most " << kMaxMatrix
                       << " entries";
  SmallVector<double> cosM(n * k), sinM(n * k);
  double sign = inverse ? 1 : -1, scale = inverse ? 1.0 / length : 1.0;
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < k; ++b) {
      double angle = 2 * M_PI * double((a * b) % length) / double(length);
      double weight = scale;
      // irfft: the spectrum's other half is the conjugate of this one.
      if (inverse && onesided && a != 0 &&
          !(length % 2 == 0 && a == length / 2))
        weight *= 2;
      double c = std::cos(angle), si = std::sin(angle);
      // Multiples of a quarter turn are exact (no 6e-17 for cos(pi/2)).
      int64_t turns = (a * b) % length;
      if ((4 * turns) % length == 0) {
        static const double quarterCos[] = {1, 0, -1, 0};
        static const double quarterSin[] = {0, 1, 0, -1};
        c = quarterCos[4 * turns / length];
        si = quarterSin[4 * turns / length];
      }
      cosM[a * k + b] = weight * c;
      sinM[a * k + b] = weight * sign * si;
    }
  // (re + i im)(cos + i sin) = re cos - im sin + i (re sin + im cos)
  OPTC_TRY(rc, contract(ctx, re, axis, cosM, n, k));
  OPTC_TRY(rs, contract(ctx, re, axis, sinM, n, k));
  Value outRe = rc, outIm = rs;
  if (im) {
    OPTC_TRY(ic, contract(ctx, im, axis, cosM, n, k));
    OPTC_TRY(is, contract(ctx, im, axis, sinM, n, k));
    OPTC_TRY(r, ctx.create<SubOp>(rc, is));
    OPTC_TRY(i, ctx.create<AddOp>(rs, ic));
    outRe = r;
    outIm = i;
  }
  SmallVector<int64_t> withPart(ctx.typeOf(outRe).getShape());
  withPart.push_back(1);
  Value r = ctx.reshape(outRe, withPart);
  if (!r)
    return failure();
  if (inverse && onesided)
    return r; // irfft: a real signal
  Value i = ctx.reshape(outIm, withPart);
  if (!i)
    return failure();
  return ctx.create<ConcatOp>(ValueRange{r, i}, rank - 1);
}

LogicalResult dft(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  int64_t rank = ctx.typeOf(x).getRank();
  OPTC_TRY(inverse, ctx.intAttr("inverse", 0));
  OPTC_TRY(onesided, ctx.intAttr("onesided", 0));
  if (onesided && !inverse && ctx.typeOf(x).getDimSize(rank - 1) == 2)
    return ctx.error() << "onesided output needs a real input";
  std::optional<int64_t> length;
  if (ctx.input(1)) {
    std::optional<SmallVector<int64_t>> l = getConstantInts(ctx.input(1));
    if (!l || l->size() != 1)
      return ctx.error() << "dft_length must be one constant known at "
                            "compile time";
    length = (*l)[0];
  }
  auto build = [&](int64_t axis) {
    return dftAlong(ctx, x, axis, length, inverse != 0, onesided != 0);
  };
  if (ctx.opset < 20) {
    OPTC_TRY(axisAttr, ctx.intAttr("axis", 1));
    OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, rank));
    OPTC_TRY(y, build(axis));
    ctx.outputs = {y};
    return success();
  }
  if (!ctx.input(2)) {
    OPTC_TRY(y, build(rank - 2)); // the default axis is -2
    ctx.outputs = {y};
    return success();
  }
  if (std::optional<SmallVector<int64_t>> a = getConstantInts(ctx.input(2))) {
    if (a->size() != 1)
      return ctx.error() << "axis must hold one value";
    OPTC_TRY(axis, ctx.normalizeAxis((*a)[0], rank));
    OPTC_TRY(y, build(axis));
    ctx.outputs = {y};
    return success();
  }
  // An axis known only at run time: every axis but the last is a case.
  OPTC_TRY(outs,
           ctx.switchOnAxes(
               2, rank, "axis",
               [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                 if (axes.size() != 1)
                   return ctx.error() << "axis must hold one value";
                 // The last dimension holds the parts; an irfft
                 // needs two frequencies to infer its length.
                 int64_t size = ctx.typeOf(x).getDimSize(axes[0]);
                 if (axes[0] == rank - 1 ||
                     (!length && inverse && onesided && size < 2))
                   return SmallVector<Value>();
                 OPTC_TRY(y, build(axes[0]));
                 return SmallVector<Value>{y};
               }));
  ctx.outputs.assign(outs.begin(), outs.end());
  return success();
}

} // namespace

void onnx_import::registerSignalOps(OpRegistry &r) {
  // Hann: sin^2(pi n / N) = 1/2 - 1/2 cos(2 pi n / N).
  r.add("", "HannWindow",
        [](NodeContext &ctx) { return cosineWindow(ctx, {0.5, -0.5}); });
  r.add("", "HammingWindow", [](NodeContext &ctx) {
    return cosineWindow(ctx, {25.0 / 46.0, -(1 - 25.0 / 46.0)});
  });
  r.add("", "BlackmanWindow",
        [](NodeContext &ctx) { return cosineWindow(ctx, {0.42, -0.5, 0.08}); });
  r.add("", "DFT", dft, 17);
}
