//===- ExpandMath.cpp - math functions as code that vectorises
//-------------===//
//
// Implements --optc-cpu-expand-math: replaces math functions by arithmetic
// that vectorises, accurate over the whole domain by default, or MLIR's
// polynomial approximations as they are with `fast-math`.
//
// Accurate mode (the default):
//   - sin, cos and tan of f32 vectors: a Cody-Waite reduction by pi/2 in
//     three f32 parts with FMAs (exact to a few ULP of the reduced argument
//     for |x| <= 2^17), minimax polynomials on [-pi/4, pi/4]
//     (scripts/fit-math-polynomials.py), and libm for the lanes beyond
//     2^17, inf and NaN, in a branch taken only when such a lane exists;
//   - sinh, cosh, asinh, acosh and atanh (f32 and f64, scalars and
//     vectors): formulas that neither overflow before the result does nor
//     cancel (math-expand-ops' textbook forms do both: asinh(x) was -inf
//     below about -4000);
//   - the upstream approximations whose error is within a few ULP over
//     their whole domain (docs/accuracy.md measures each); what is left
//     becomes a libm call per element.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPUEXPANDMATH
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {

/// Arithmetic on floats of one type, scalar or vector.
struct Arith {
  ImplicitLocOpBuilder &b;
  Type type;
  FloatType element;

  Arith(ImplicitLocOpBuilder &b, Type type)
      : b(b), type(type), element(cast<FloatType>(getElementTypeOrSelf(type))) {
  }

  Value cst(double value) const {
    auto attr = b.getFloatAttr(element, value);
    if (auto vector = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(b, DenseElementsAttr::get(vector, attr));
    return arith::ConstantOp::create(b, attr);
  }
  Value add(Value x, Value y) const { return arith::AddFOp::create(b, x, y); }
  Value sub(Value x, Value y) const { return arith::SubFOp::create(b, x, y); }
  Value mul(Value x, Value y) const { return arith::MulFOp::create(b, x, y); }
  Value div(Value x, Value y) const { return arith::DivFOp::create(b, x, y); }
  Value fma(Value x, Value y, Value z) const {
    return math::FmaOp::create(b, x, y, z);
  }
  Value abs(Value x) const { return math::AbsFOp::create(b, x); }
  Value copySign(Value magnitude, Value sign) const {
    return math::CopySignOp::create(b, magnitude, sign);
  }
  Value cmp(arith::CmpFPredicate predicate, Value x, Value y) const {
    return arith::CmpFOp::create(b, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) const {
    return arith::SelectOp::create(b, condition, x, y);
  }
  Value exp(Value x) const { return math::ExpOp::create(b, x); }
  Value expm1(Value x) const { return math::ExpM1Op::create(b, x); }
  Value log(Value x) const { return math::LogOp::create(b, x); }
  Value log1p(Value x) const { return math::Log1pOp::create(b, x); }
  Value sqrt(Value x) const { return math::SqrtOp::create(b, x); }
  /// i32 with the shape of `type`.
  Type intType() const {
    if (auto vector = dyn_cast<VectorType>(type))
      return vector.clone(b.getI32Type());
    return b.getI32Type();
  }
  Value intCst(int32_t value) const {
    auto attr = b.getI32IntegerAttr(value);
    if (auto vector = dyn_cast<VectorType>(intType()))
      return arith::ConstantOp::create(b, DenseElementsAttr::get(vector, attr));
    return arith::ConstantOp::create(b, attr);
  }
  Value bitsOf(Value x) const {
    return arith::BitcastOp::create(b, intType(), x);
  }
  Value fromBits(Value i) const { return arith::BitcastOp::create(b, type, i); }
  /// 2^n for integers n in the exponent range of normal f32 numbers.
  Value pow2(Value n) const {
    return fromBits(arith::ShLIOp::create(
        b, arith::AddIOp::create(b, n, intCst(127)), intCst(23)));
  }
  Value toInt(Value x) const {
    return arith::FPToSIOp::create(b, intType(), x);
  }
  Value clamp(Value x, double lo, double hi) const {
    // NaN stays NaN (maximumf and minimumf propagate it).
    return arith::MinimumFOp::create(
        b, arith::MaximumFOp::create(b, x, cst(lo)), cst(hi));
  }
  /// Horner's rule: c[0] + z * (c[1] + z * (...)).
  Value poly(Value z, ArrayRef<float> c) const {
    Value acc = cst(c.back());
    for (float coefficient : llvm::reverse(c.drop_back()))
      acc = fma(acc, z, cst(coefficient));
    return acc;
  }
};

/// f32 scalars and vectors of any shape.
static bool isF32(Type type) { return getElementTypeOrSelf(type).isF32(); }

/// f64 scalars and vectors of any shape.
static bool isF64(Type type) { return getElementTypeOrSelf(type).isF64(); }

/// f32 or f64 scalars and vectors: the types the formulas of the
/// hyperbolic expansions are written for.
static bool isF32OrF64(Type type) { return isF32(type) || isF64(type); }

/// f64 with the shape of `type` (a scalar or a vector).
static Type f64Like(Type type) {
  Type f64 = Float64Type::get(type.getContext());
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.clone(f64);
  return f64;
}

/// Replaces a unary math op whose type `accepts` takes by the value
/// `expand` computes from its operand, with `m` building arithmetic of
/// the op's type at the op's location.
template <typename OpTy, bool (*accepts)(Type)>
struct Expansion : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  virtual Value expand(const Arith &m, Value x) const = 0;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    if (!accepts(op.getType()))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    rewriter.replaceOp(op, expand(Arith(b, op.getType()), op.getOperand()));
    return success();
  }
};

// e^r - 1 = r + r^2 E(r) on |r| <= log(2)/2:
// max relative error 2.17e-09 (0.04 ULP of f32)
static constexpr float kExpE[] = {0.5f,        0.16666666f,   0.041666362f,
                                  0.00833339f, 0.0013940616f, 0.00019845867f};
// log(2) in two parts: the first with the low 12 bits clear, so that n times
// it is exact for every exponent n of an f32 value.
static constexpr float kLn2Hi = 0x1.62e400p-1f;
static constexpr float kLn2Lo = 0x1.7f7d1cp-20f;

/// x = n log(2) + r with |r| <= log(2)/2 (n an integer in f32), and
/// e^r - 1 computed without cancellation.
static std::pair<Value, Value> expReduce(const Arith &m, Value x) {
  Value n = math::RoundEvenOp::create(m.b, m.mul(x, m.cst(M_LOG2E)));
  Value negN = arith::NegFOp::create(m.b, n);
  Value r = m.fma(negN, m.cst(kLn2Hi), x);
  r = m.fma(negN, m.cst(kLn2Lo), r);
  // n = 0 leaves x itself, -0 included.
  Value zero = m.cmp(arith::CmpFPredicate::OEQ, n, m.cst(0.0));
  r = m.select(zero, x, r);
  return {n, m.fma(m.mul(r, r), m.poly(r, kExpE), r)};
}

/// p 2^n for n in [-150, 129], in two steps so that a subnormal result
/// rounds once and no step overflows before the result does.
static Value scaleByPow2(const Arith &m, Value p, Value n) {
  Value ni = m.toInt(n);
  Value n1 = arith::ShRSIOp::create(m.b, ni, m.intCst(1));
  Value n2 = arith::SubIOp::create(m.b, ni, n1);
  return m.mul(m.mul(p, m.pow2(n1)), m.pow2(n2));
}

/// e^x in f32, within 0.6 ULP: x = n log(2) + r + c, where r is the
/// reduced argument rounded and c what its rounding lost, then
/// e^(r + c) = 1 + r + r^2 E(r) + c (1 + r), summed so that only the last
/// addition rounds at the result's scale: 1 + r is split into its rounded
/// value and the exact error (Fast2Sum, |r| < 1). Without c and the split,
/// the rounding of r alone costs 0.25 ULP and the error reaches 0.93 ULP.
/// Upstream's approximation flushes results below 2^-126 to 0.
struct ExpKernel : public Expansion<math::ExpOp, isF32> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    ImplicitLocOpBuilder &b = m.b;
    // Beyond these, the result is 0 or infinite; inside, n stays in
    // [-150, 129].
    Value clamped = m.clamp(x, -104.0, 89.5);
    Value n = math::RoundEvenOp::create(b, m.mul(clamped, m.cst(M_LOG2E)));
    Value negN = arith::NegFOp::create(b, n);
    // Exact: n log(2)'s first part has the low 12 bits clear.
    Value rHi = m.fma(negN, m.cst(kLn2Hi), clamped);
    Value r = m.fma(negN, m.cst(kLn2Lo), rHi);
    Value c = m.fma(negN, m.cst(kLn2Lo), m.sub(rHi, r));
    Value q = m.mul(m.mul(r, r), m.poly(r, kExpE));
    Value one = m.cst(1.0);
    Value hi = m.add(one, r);
    Value lo = m.add(m.sub(one, hi), r);
    Value tail = m.add(lo, m.fma(c, r, m.add(q, c)));
    Value result = scaleByPow2(m, m.add(hi, tail), n);
    Value isNan = m.cmp(arith::CmpFPredicate::UNO, x, x);
    return m.select(isNan, x, result);
  }
};

/// e^x - 1 in f32: 2^n (e^r - 1) + (2^n - 1), which is e^r - 1 itself near
/// 0; e^x - 1 as exp computes it from n = 25 on, where the 1 hardly counts.
struct Expm1Kernel : public Expansion<math::ExpM1Op, isF32> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    ImplicitLocOpBuilder &b = m.b;
    // Below -18, e^x is under half an ULP of -1.
    auto [n, expm1R] = expReduce(m, m.clamp(x, -18.0, 89.5));
    Value one = m.cst(1.0);
    Value scale = m.pow2(m.toInt(arith::MinimumFOp::create(b, n, m.cst(24))));
    Value moderate = m.fma(scale, expm1R, m.sub(scale, one));
    Value large = m.sub(scaleByPow2(m, m.add(expm1R, one), n), one);
    Value isLarge = m.cmp(arith::CmpFPredicate::OGT, n, m.cst(24.0));
    Value isNan = m.cmp(arith::CmpFPredicate::UNO, x, x);
    Value result = m.select(isLarge, large, moderate);
    return m.select(isNan, x, result);
  }
};

// log(1 + f) = 2s (1 + s^2 L(s^2)) with s = f / (2 + f):
// max relative error 2.84e-10 (0.00 ULP of f32)
static constexpr float kLogL[] = {0.33333334f, 0.19999997f, 0.14286055f,
                                  0.1108812f, 0.09791701f};

/// log(x) in f32: x = 2^e m with sqrt(1/2) <= m < sqrt(2), subnormals
/// scaled first (upstream's approximation gives -87.3 for them), then
/// log(m) = 2 atanh((m - 1) / (m + 1)) by a polynomial.
struct LogKernel : public Expansion<math::LogOp, isF32> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    ImplicitLocOpBuilder &b = m.b;
    Value subnormal = m.cmp(arith::CmpFPredicate::OLT, x, m.cst(0x1p-126));
    Value scaled = m.select(subnormal, m.mul(x, m.cst(0x1p24)), x);
    Value bits = m.bitsOf(scaled);
    // The mantissa with the exponent of sqrt(1/2) <= m < sqrt(2): adding
    // 1 - sqrt(1/2) in the bit pattern carries into the exponent exactly
    // when the mantissa is sqrt(2) or more.
    constexpr int32_t kOffset = 0x3f800000 - 0x3f3504f3; // 1.0 - sqrt(1/2)
    Value shifted = arith::AddIOp::create(b, bits, m.intCst(kOffset));
    Value exponent = arith::SubIOp::create(
        b, arith::ShRSIOp::create(b, shifted, m.intCst(23)), m.intCst(127));
    Value mantissaBits = arith::AddIOp::create(
        b, arith::AndIOp::create(b, shifted, m.intCst(0x007fffff)),
        m.intCst(0x3f3504f3));
    Value f = m.sub(m.fromBits(mantissaBits), m.cst(1.0));
    Value e = arith::SIToFPOp::create(b, m.type, exponent);
    e = m.select(subnormal, m.sub(e, m.cst(24.0)), e);
    Value s = m.div(f, m.add(f, m.cst(2.0)));
    Value z = m.mul(s, s);
    Value twoS = m.add(s, s);
    Value logM = m.fma(m.mul(twoS, z), m.poly(z, kLogL), twoS);
    Value result = m.fma(e, m.cst(kLn2Hi), m.fma(e, m.cst(kLn2Lo), logM));
    // log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
    Value zero = m.cmp(arith::CmpFPredicate::OEQ, x, m.cst(0.0));
    Value negativeOrNan = m.cmp(arith::CmpFPredicate::ULT, x, m.cst(0.0));
    Value infinite = m.cmp(arith::CmpFPredicate::OEQ, x, m.cst(INFINITY));
    result = m.select(infinite, x, result);
    result = m.select(zero, m.cst(-INFINITY), result);
    result = m.select(negativeOrNan, m.cst(NAN), result);
    return result;
  }
};

/// tanh(x) = e / (e + 2) with e = expm1(2|x|), odd in x: no cancellation
/// anywhere, and exactly 1 from |x| = 9.5 on (upstream's approximation
/// never reaches 1, not even at infinity).
struct TanhKernel : public Expansion<math::TanhOp, isF32> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value a = m.clamp(m.abs(x), 0.0, 9.5);
    Value e = m.expm1(m.add(a, a));
    return m.copySign(m.div(e, m.add(e, m.cst(2.0))), x);
  }
};

// erf(x) = x (C + S(x^2)) on |x| < 1 (used below 1/2), C = 2/sqrt(pi)
// rounded to f32 and S's constant term the rest: max relative error
// 1.24e-09 (0.02 ULP)
static constexpr float kTwoOverSqrtPi = 0x1.20dd76p+0f;
static constexpr float kErfS[] = {-6.000426e-08f, -0.37612626f, 0.11283586f,
                                  -0.026853837f,  0.005188348f, -0.0008010163f,
                                  7.8531535e-05f};
// erf(x) = H + D(x - 3/4) on 1/2 <= x < 1, H the f32 nearest erf(3/4) and
// D's constant term what H's rounding lost: max relative error 1.33e-09
// (0.02 ULP)
static constexpr float kErfH = 0.71115565f;
static constexpr float kErfD[] = {-1.9332001e-08f, 0.64293104f,  -0.48219833f,
                                  0.026791733f,    0.15069015f,  -0.05332351f,
                                  -0.026973987f,   0.018847581f, 0.0032409166f};
// erfc(y) = N(y) on 0 <= y < 1/2: max relative error 2.07e-09 (0.03 ULP)
static constexpr float kErfcLow[] = {1.0f,         -1.1283795f,  1.3659011e-05f,
                                     0.37591237f,  0.001588939f, -0.119065315f,
                                     0.012856897f, 0.015102225f};
// erfc(y) = M(y - 1/2) on 1/2 <= y < 1, centred so that Horner's sum
// cancels less: max relative error 1.52e-08 (0.25 ULP, the rounding of
// erfc(1/2))
static constexpr float kErfcMid[] = {0.47950011f,  -0.87878144f, 0.4393606f,
                                     0.14677346f,  -0.18449475f, -0.004620186f,
                                     0.050273158f, -0.013725632f};
// erfc(y) = T(y - 3/2) on 1 <= y < 2 and U(y - 3) on 2 <= y < 4, for
// erf = 1 - erfc only: max error relative to erf 1.85e-09 and 7.39e-10
// (0.03 and 0.01 ULP)
static constexpr float kErfcOneTwo[] = {
    0.03389485f,  -0.11893029f,  0.17839564f,   -0.13875212f,  0.04459497f,
    0.014869377f, -0.019305063f, 0.0047092824f, 0.0023456188f, -0.0015549047f};
static constexpr float kErfcTwoFour[] = {
    2.2091195e-05f, -0.00013925009f, 0.0004177063f,   -0.0007891752f,
    0.0010450487f,  -0.001016012f,   0.00073507783f,  -0.00039220264f,
    0.00014103265f, -1.1562778e-05f, -2.2080741e-05f, 9.342983e-06f};
// erfc(y) = e^(-y^2) F(1/y) on 1 <= y < 10.06 (erfc underflows beyond):
// max relative error 1.51e-08 (0.25 ULP)
static constexpr float kErfcFar[] = {
    -3.2666426e-06f, 0.56432664f, -0.0024726354f, -0.2568091f,
    -0.1622848f,     1.1016119f,  -1.8193036f,    1.7106967f,
    -0.98799425f,    0.32792348f, -0.04810741f};

/// erf(x) for |x| < 1/2. Below 2^-60, erf(x) = x 2/sqrt(pi) is computed
/// in f64 and rounded once: in f32, a subnormal x S(x^2) rounds on the
/// subnormal grid before the sum rounds again (1 ULP instead of 0.5), and a
/// scaled computation rounds twice near 2^-126.
static Value erfSmall(const Arith &m, Value x) {
  Value tail = m.mul(x, m.poly(m.mul(x, x), kErfS));
  Value result = m.fma(x, m.cst(kTwoOverSqrtPi), tail);
  Type wide = f64Like(m.type);
  Arith w(m.b, wide);
  Value product =
      w.mul(arith::ExtFOp::create(m.b, wide, x), w.cst(2.0 / std::sqrt(M_PI)));
  Value tiny = m.cmp(arith::CmpFPredicate::OLT, m.abs(x), m.cst(0x1p-60));
  result =
      m.select(tiny, arith::TruncFOp::create(m.b, m.type, product), result);
  // erf(-0) = -0 (the sum above rounds it to +0).
  return m.select(m.cmp(arith::CmpFPredicate::OEQ, x, m.cst(0.0)), x, result);
}

/// erf(a) for 1/2 <= a < 1: x S(x^2) would round a tail of up to -0.3
/// there, and its error reach 1 ULP.
static Value erfMid(const Arith &m, Value a) {
  return m.add(m.cst(kErfH), m.poly(m.sub(a, m.cst(0.75)), kErfD));
}

/// Coefficients of p(s t) as a polynomial in t.
static SmallVector<float> scaledPoly(ArrayRef<float> c, double s) {
  SmallVector<float> scaled;
  double power = 1;
  for (float coefficient : c) {
    scaled.push_back(static_cast<float>(coefficient * power));
    power *= s;
  }
  return scaled;
}

/// erfc(s x) for a constant s whose square is a power of two (1, or the
/// 1/sqrt(2) of GELU): computed from x itself, so that the rounding of s x
/// does not show (the polynomials take s into their coefficients, and
/// (s x)^2 = s^2 x^2 is exact from the split x^2). erfc of a rounded s x
/// is off by up to 120 ULP where e^(-(s x)^2) is small.
static Value erfcOfScaled(const Arith &m, Value x, double s) {
  double scale = std::fabs(s), square = s * s;
  Value ax = m.clamp(m.abs(x), 0.0, 10.1 / scale);
  Value low = m.poly(ax, scaledPoly(kErfcLow, scale));
  // |s x| - 1/2 = |s| (|x| - c) with c = 1/(2|s|) in two parts: the first
  // difference is exact.
  double centre = 0.5 / scale;
  float centreHi = static_cast<float>(centre);
  Value t = m.sub(m.sub(ax, m.cst(centreHi)), m.cst(centre - centreHi));
  Value mid = m.poly(t, scaledPoly(kErfcMid, scale));
  Value isLow = m.cmp(arith::CmpFPredicate::OLT, ax, m.cst(centre));
  Value near = m.select(isLow, low, mid);
  Value af = m.clamp(ax, 1.0 / scale, 10.1 / scale);
  Value far = m.poly(m.div(m.cst(1.0), af), scaledPoly(kErfcFar, 1.0 / scale));
  Value sq = m.mul(af, af);
  Value error = m.fma(af, af, arith::NegFOp::create(m.b, sq));
  Value gauss = m.exp(m.mul(sq, m.cst(-square)));
  gauss = m.fma(m.mul(error, m.cst(-square)), gauss, gauss);
  Value isNear = m.cmp(arith::CmpFPredicate::OLT, ax, m.cst(1.0 / scale));
  Value tail = m.select(isNear, near, m.mul(gauss, far));
  // erfc(-a) = 2 - erfc(a): no cancellation, erfc(a) is below 1.
  Value negative =
      m.cmp(s > 0 ? arith::CmpFPredicate::OLT : arith::CmpFPredicate::OGT, x,
            m.cst(0.0));
  return m.select(negative, m.sub(m.cst(2.0), tail), tail);
}

/// erf in f32: a polynomial in x^2 below |x| = 1/2 and one in |x| - 3/4
/// up to 1, then 1 - erfc(|x|) with erfc a polynomial in |x| - 3/2 up to 2
/// and in |x| - 3 up to 4 (no exponential: its rounding would reach 1 ULP
/// of erf near 1), 1 from there. Within 0.75 ULP.
struct ErfKernel : public Expansion<math::ErfOp, isF32> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value a = m.clamp(m.abs(x), 0.0, 4.0);
    Value small = erfSmall(m, x);
    Value mid = m.copySign(erfMid(m, a), x);
    small =
        m.select(m.cmp(arith::CmpFPredicate::OLT, a, m.cst(0.5)), small, mid);
    Value nearTail = m.poly(m.sub(a, m.cst(1.5)), kErfcOneTwo);
    Value farTail = m.poly(m.sub(a, m.cst(3.0)), kErfcTwoFour);
    Value isNear = m.cmp(arith::CmpFPredicate::OLT, a, m.cst(2.0));
    Value tail = m.select(isNear, nearTail, farTail);
    Value large = m.copySign(m.sub(m.cst(1.0), tail), x);
    Value isSmall = m.cmp(arith::CmpFPredicate::OLT, a, m.cst(1.0));
    return m.select(isSmall, small, large);
  }
};

/// The constant a value is multiplied by, when it is a splat float.
static std::optional<double> splatFloat(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto splat = dyn_cast<SplatElementsAttr>(attr))
    attr = splat.getSplatValue<Attribute>();
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  return std::nullopt;
}

/// erfc in f32: a polynomial below |y| = 1, e^(-y^2) times a polynomial
/// in 1/|y| above, and 2 - erfc(-y) for negative y (no cancellation: the
/// subtrahend is below 1). erfc(x * (+-1/sqrt 2)), GELU's, computes from x
/// (erfcOfScaled).
struct ErfcKernel : public Expansion<math::ErfcOp, isF32> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    double scale = 1;
    if (auto product = x.getDefiningOp<arith::MulFOp>()) {
      for (int i = 0; i < 2; ++i) {
        std::optional<double> c = splatFloat(product->getOperand(i));
        if (c && static_cast<float>(std::fabs(*c)) ==
                     static_cast<float>(M_SQRT1_2)) {
          scale = *c > 0 ? M_SQRT1_2 : -M_SQRT1_2;
          x = product->getOperand(1 - i);
          break;
        }
      }
    }
    return erfcOfScaled(m, x, scale);
  }
};

/// Functions rare in models (tan, the hyperbolic ones and their inverses,
/// pow but for the exponents of PowByConstant) compute f32 in f64, where
/// the formulas below and libm leave far less than an f32 rounding: the
/// result is within about half an ULP, and a libm call per element costs
/// little for them. (pow as e^(y log x) in f32 loses |y log x| times the
/// product's rounding: tens of ULP for large or small results.)
template <typename OpTy>
struct InDoublePrecision : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!isF32(type))
      return failure();
    Location loc = op.getLoc();
    SmallVector<Value> wide;
    for (Value operand : op->getOperands())
      wide.push_back(
          arith::ExtFOp::create(rewriter, loc, f64Like(type), operand));
    Value y = OpTy::create(rewriter, loc, wide);
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, type, y);
    return success();
  }
};

/// x^c for the constant exponents models write (x^2 in decomposed
/// LayerNorms, x^3 in GELU's tanh form, x^0.5, x^-1), of any float type:
/// products, a quotient or a square root, as accurate as pow (x^3 within
/// 1 ULP) and far cheaper.
struct PowByConstant : public OpRewritePattern<math::PowFOp> {
  PowByConstant(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(math::PowFOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<double> c = splatFloat(op.getRhs());
    if (!c || (*c != 1 && *c != 2 && *c != 3 && *c != -1 && *c != 0.5))
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Arith m(b, op.getType());
    Value x = op.getLhs(), result;
    if (*c == 1)
      result = x;
    else if (*c == 2)
      result = m.mul(x, x);
    else if (*c == 3)
      result = m.mul(m.mul(x, x), x);
    else if (*c == -1)
      result = m.div(m.cst(1.0), x);
    else // pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf: sqrt gives -0, NaN.
      result = m.select(m.cmp(arith::CmpFPredicate::OEQ, x, m.cst(-INFINITY)),
                        m.cst(INFINITY), m.add(m.sqrt(x), m.cst(0.0)));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// expm1 and log1p in f64 by Kahan's corrections of exp(x) - 1 and
/// log(1 + x), through libm's exp and log (MLIR's LLVM lowering computes
/// them as exp(x) - 1 and log(1 + x), which cancel near 0).
struct Expm1Double : public Expansion<math::ExpM1Op, isF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value u = m.exp(x), one = m.cst(1.0);
    Value um1 = m.sub(u, one);
    // (u - 1) x / log(u): the rounding of u cancels in the ratio.
    Value corrected = m.div(m.mul(um1, x), m.log(u));
    Value result = m.select(m.cmp(arith::CmpFPredicate::OEQ, um1, m.cst(-1.0)),
                            um1, corrected);
    result = m.select(m.cmp(arith::CmpFPredicate::OEQ, u, m.cst(INFINITY)), u,
                      result);
    result = m.select(m.cmp(arith::CmpFPredicate::OEQ, u, one), x, result);
    return result;
  }
};

struct Log1pDouble : public Expansion<math::Log1pOp, isF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value one = m.cst(1.0), u = m.add(one, x);
    // log(u) x / (u - 1): the rounding of u cancels in the ratio.
    Value corrected = m.div(m.mul(m.log(u), x), m.sub(u, one));
    Value result =
        m.select(m.cmp(arith::CmpFPredicate::OEQ, u, one), x, corrected);
    result = m.select(m.cmp(arith::CmpFPredicate::OEQ, u, m.cst(INFINITY)), u,
                      result);
    return result;
  }
};

/// |x| from which sqrt(x^2 + 1) is |x| to the type's precision.
static double hugeArgument(Type type) {
  return getElementTypeOrSelf(type).isF32() ? 0x1p13 : 0x1p28;
}

/// e^a / 2 for a >= 0, finite until e^a / 2 overflows (e^a alone
/// overflows first). a - 0.75 is exact for a >= 1 (a multiple of a's ULP,
/// no larger than a), and rounds by at most half an ULP of 0.75 below.
static Value halfExp(const Arith &m, Value a) {
  return m.mul(m.exp(m.sub(a, m.cst(0.75))), m.cst(std::exp(0.75) / 2));
}

struct SinhExpansion : public Expansion<math::SinhOp, isF32OrF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value a = m.abs(x);
    // |x| < 1: (e + e / (e + 1)) / 2 with e = expm1(|x|), no cancellation.
    Value e = m.expm1(a);
    Value small = m.mul(m.cst(0.5), m.add(e, m.div(e, m.add(e, m.cst(1.0)))));
    // Beyond: h - 1 / (4h) with h = e^|x| / 2.
    Value h = halfExp(m, a);
    Value large = m.sub(h, m.div(m.cst(0.25), h));
    Value below = m.cmp(arith::CmpFPredicate::OLT, a, m.cst(1.0));
    return m.copySign(m.select(below, small, large), x);
  }
};

struct CoshExpansion : public Expansion<math::CoshOp, isF32OrF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    // h + 1 / (4h) with h = e^|x| / 2: a sum of positive terms.
    Value h = halfExp(m, m.abs(x));
    return m.add(h, m.div(m.cst(0.25), h));
  }
};

struct AsinhExpansion : public Expansion<math::AsinhOp, isF32OrF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value a = m.abs(x);
    // asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))), odd in x; for huge
    // a, log(a) + log(2) (a^2 would overflow).
    Value a2 = m.mul(a, a);
    Value root = m.add(m.cst(1.0), m.sqrt(m.add(m.cst(1.0), a2)));
    Value moderate = m.log1p(m.add(a, m.div(a2, root)));
    Value huge = m.add(m.log(a), m.cst(M_LN2));
    Value isHuge =
        m.cmp(arith::CmpFPredicate::OGT, a, m.cst(hugeArgument(m.type)));
    return m.copySign(m.select(isHuge, huge, moderate), x);
  }
};

struct AcoshExpansion : public Expansion<math::AcoshOp, isF32OrF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    // acosh(x) = log1p(t + sqrt(t (t + 2))) with t = x - 1 (exact up to
    // x = 2, where the result is most sensitive); log(x) + log(2) for huge x.
    Value t = m.sub(x, m.cst(1.0));
    Value moderate = m.log1p(m.add(t, m.sqrt(m.mul(t, m.add(t, m.cst(2.0))))));
    Value huge = m.add(m.log(x), m.cst(M_LN2));
    Value isHuge =
        m.cmp(arith::CmpFPredicate::OGT, x, m.cst(hugeArgument(m.type)));
    Value result = m.select(isHuge, huge, moderate);
    Value outside = m.cmp(arith::CmpFPredicate::OLT, x, m.cst(1.0));
    return m.select(outside, m.cst(NAN), result);
  }
};

struct AtanhExpansion : public Expansion<math::AtanhOp, isF32OrF64> {
  using Expansion::Expansion;
  Value expand(const Arith &m, Value x) const override {
    Value a = m.abs(x);
    // atanh(a) = log1p(2a / (1 - a)) / 2, odd in x; 1 - a is exact from
    // a = 1/2 on, where the quotient is large.
    Value ratio = m.div(m.add(a, a), m.sub(m.cst(1.0), a));
    Value result = m.mul(m.cst(0.5), m.log1p(ratio));
    Value outside = m.cmp(arith::CmpFPredicate::OGT, a, m.cst(1.0));
    return m.select(outside, m.cst(NAN), m.copySign(result, x));
  }
};

// sin(r) = r + r^3 P(r^2) and cos(r) = 1 - r^2/2 + r^4 Q(r^2) on
// |r| <= pi/4, from scripts/fit-math-polynomials.py:
// max relative error 3.66e-09 (0.06 ULP of f32)
static constexpr float kSinP[] = {-0.16666667f, 0.008333329f, -0.00019839313f,
                                  2.718122e-06f};
// max relative error 6.97e-10 (0.01 ULP of f32)
static constexpr float kCosQ[] = {0.041666668f, -0.0013888883f, 2.479946e-05f,
                                  -2.7205752e-07f};

// pi/2 as the sum of three f32 values (the first two rounded to f32, the
// third the rest; what remains is 1.06e-23).
static constexpr float kPiOver2[] = {0x1.921fb6p+0f, -0x1.777a5cp-25f,
                                     -0x1.ee59dap-50f};
// Arguments up to this magnitude are reduced in f32; beyond, libm's sinf
// and cosf (which reduce with Payne and Hanek's method) take the lane.
static constexpr float kFastReductionLimit = 0x1p17f;

enum class Trig { Sin, Cos };

/// sin or cos of a 1-D f32 vector.
template <typename OpTy, Trig kind>
struct TrigKernel : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type || type.getRank() != 1 || type.isScalable() ||
        !type.getElementType().isF32())
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Arith m(b, type);
    auto intType = VectorType::get(type.getShape(), b.getI32Type());
    auto intCst = [&](int32_t value) -> Value {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(intType, b.getI32IntegerAttr(value)));
    };
    Value x = op.getOperand();

    // Lanes the f32 reduction does not serve (and inf, NaN) compute on 0
    // here, so that every value below is defined, and are replaced below.
    Value slow =
        m.cmp(arith::CmpFPredicate::UGT, m.abs(x), m.cst(kFastReductionLimit));
    Value xs = m.select(slow, m.cst(0.0), x);

    // x = k pi/2 + r, |r| <= pi/4 (a little more when x * 2/pi rounds the
    // other way). The first FMA is exact: x and k C0 are multiples of
    // 2^-23 from |x| = 1 on, and so is their small difference.
    Value k = math::RoundEvenOp::create(b, m.mul(xs, m.cst(M_2_PI)));
    Value negK = arith::NegFOp::create(b, k);
    Value r = xs;
    for (float part : kPiOver2)
      r = m.fma(negK, m.cst(part), r);
    Value quadrant = arith::FPToSIOp::create(b, intType, k);

    Value z = m.mul(r, r);
    Value sinR = m.fma(m.mul(r, z), m.poly(z, kSinP), r);
    Value cosR =
        m.fma(m.mul(z, z), m.poly(z, kCosQ), m.fma(m.cst(-0.5), z, m.cst(1.0)));

    // sin(k pi/2 + r) and cos(...) by the quadrant k mod 4: an odd one
    // swaps them, and quadrants 2 and 3 (1 and 2 for the cosine) negate.
    Value odd = arith::CmpIOp::create(
        b, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, quadrant, intCst(1)), intCst(0));
    Value fast;
    auto withSignOf = [&](Value value, Value bits) {
      // Flips the sign where bit 1 of `bits` is set.
      Value flip = arith::ShLIOp::create(
          b, arith::AndIOp::create(b, bits, intCst(2)), intCst(30));
      Value raw = arith::BitcastOp::create(b, intType, value);
      return Value(arith::BitcastOp::create(
          b, type, arith::XOrIOp::create(b, raw, flip)));
    };
    if constexpr (kind == Trig::Sin) {
      fast = withSignOf(m.select(odd, cosR, sinR), quadrant);
      // sin(-0) = -0 (the polynomial's r + r^3 P rounds it to +0).
      Value zero = m.cmp(arith::CmpFPredicate::OEQ, x, m.cst(0.0));
      fast = m.select(zero, x, fast);
    } else {
      fast = withSignOf(m.select(odd, sinR, cosR),
                        arith::AddIOp::create(b, quadrant, intCst(1)));
    }

    // Rare lanes: libm, one element at a time, only when there are some.
    Value anySlow =
        vector::ReductionOp::create(b, vector::CombiningKind::OR, slow);
    auto branch = scf::IfOp::create(
        b, anySlow,
        [&](OpBuilder &then, Location loc) {
          Value result = fast;
          for (int64_t lane = 0; lane < type.getNumElements(); ++lane) {
            Value element = vector::ExtractOp::create(then, loc, x, lane);
            Value exact = OpTy::create(then, loc, element);
            Value isSlow = vector::ExtractOp::create(then, loc, slow, lane);
            Value current = vector::ExtractOp::create(then, loc, result, lane);
            Value chosen =
                arith::SelectOp::create(then, loc, isSlow, exact, current);
            result = vector::InsertOp::create(then, loc, chosen, result, lane);
          }
          scf::YieldOp::create(then, loc, result);
        },
        [&](OpBuilder &otherwise, Location loc) {
          scf::YieldOp::create(otherwise, loc, fast);
        });
    rewriter.replaceOp(op, branch.getResult(0));
    return success();
  }
};

/// Upstream approximations kept in the accurate mode: those whose error
/// stays within a few ULP over their whole domain (docs/accuracy.md).
/// (log1p is log(1 + x) corrected by x / ((1 + x) - 1), through the log
/// kernel above.) atan and asin are not: up to 40 and 7 ULP near |x| = 1;
/// libm computes them.
static bool isAccurateApproximation(StringRef name) {
  return llvm::is_contained(
      {math::Log1pOp::getOperationName(), math::AcosOp::getOperationName()},
      name);
}

struct ExpandMathPass
    : public mlir::optc::impl::OptcCPUExpandMathBase<ExpandMathPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    if (fastMath) {
      // Upstream's own selection, unchanged; constant powers as products
      // (cheaper still, and exact where pow is).
      populateMathPolynomialApproximationPatterns(patterns);
      patterns.add<PowByConstant>(context);
    } else {
      patterns.add<ExpKernel, Expm1Kernel, LogKernel, TanhKernel, ErfKernel,
                   ErfcKernel, TrigKernel<math::SinOp, Trig::Sin>,
                   TrigKernel<math::CosOp, Trig::Cos>>(context);
      patterns.add<
          InDoublePrecision<math::TanOp>, InDoublePrecision<math::SinhOp>,
          InDoublePrecision<math::CoshOp>, InDoublePrecision<math::AsinhOp>,
          InDoublePrecision<math::AcoshOp>, InDoublePrecision<math::AtanhOp>,
          PowByConstant, InDoublePrecision<math::PowFOp>>(context);
      patterns.add<SinhExpansion, CoshExpansion, AsinhExpansion, AcoshExpansion,
                   AtanhExpansion, Expm1Double, Log1pDouble>(context);
      populateMathF32ExpansionPatterns(patterns, isAccurateApproximation);
      populateMathPolynomialApproximationPatterns(patterns,
                                                  isAccurateApproximation);
    }
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
