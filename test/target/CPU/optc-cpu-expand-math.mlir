// RUN: optc-opt %s --optc-cpu-expand-math | FileCheck %s
// RUN: optc-opt %s --optc-cpu-expand-math=fast-math=true | FileCheck %s --check-prefix=FAST

// exp: reduction by log(2) in two FMAs plus the rounding error of the
// second (a third FMA), a polynomial, 1 + r split into its rounded value
// and error (Fast2Sum), and 2^n applied in two halves (subnormal results
// round once); no libm call.
// CHECK-LABEL: func.func @exp
// CHECK-NOT: math.exp
// CHECK: math.roundeven {{.*}} : vector<16xf32>
// CHECK: %[[RHI:.*]] = math.fma {{.*}} : vector<16xf32>
// CHECK: %[[R:.*]] = math.fma %{{.*}}, %{{.*}}, %[[RHI]] : vector<16xf32>
// CHECK: %[[LOST:.*]] = arith.subf %[[RHI]], %[[R]] : vector<16xf32>
// CHECK: math.fma %{{.*}}, %{{.*}}, %[[LOST]] : vector<16xf32>
// CHECK: %[[HI:.*]] = arith.addf %[[R]], %{{.*}} : vector<16xf32>
// CHECK: %[[ERR:.*]] = arith.subf %{{.*}}, %[[HI]] : vector<16xf32>
// CHECK: arith.addf %[[ERR]], %[[R]] : vector<16xf32>
// CHECK: arith.shrsi {{.*}} : vector<16xi32>
// CHECK: arith.shli {{.*}} : vector<16xi32>
// CHECK: arith.shli {{.*}} : vector<16xi32>
// CHECK-NOT: math.exp
// CHECK: return
// FAST-LABEL: func.func @exp
// FAST-NOT: math.exp
// FAST: return
func.func @exp(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// sin: x - k pi/2 in three FMAs, polynomials, and libm only for the lanes
// beyond 2^17 (inf, NaN), in a branch taken when a vector has one.
// CHECK-LABEL: func.func @sin
// CHECK: %[[SLOW:.*]] = arith.cmpf ugt, %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: math.roundeven
// CHECK-COUNT-3: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: %[[ANY:.*]] = vector.reduction <or>, %[[SLOW]] : vector<8xi1> into i1
// CHECK: scf.if %[[ANY]] -> (vector<8xf32>) {
// CHECK-COUNT-8: math.sin %{{.*}} : f32
// CHECK: } else {
// FAST-LABEL: func.func @sin
// FAST-NOT: scf.if
// FAST-NOT: math.sin
// FAST: return
func.func @sin(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.sin %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// A scalar sin is libm's.
// CHECK-LABEL: func.func @scalar_sin
// CHECK: math.sin %{{.*}} : f32
func.func @scalar_sin(%x: f32) -> f32 {
  %0 = math.sin %x : f32
  return %0 : f32
}

// tanh = e / (e + 2) with e = expm1(2|x|), the sign copied back: no
// upstream rational approximation (which never reaches 1).
// CHECK-LABEL: func.func @tanh
// CHECK-NOT: math.tanh
// CHECK-NOT: math.expm1
// CHECK: arith.divf
// CHECK: math.copysign
// FAST-LABEL: func.func @tanh
// FAST-NOT: math.tanh
// FAST-NOT: math.copysign
// FAST: return
func.func @tanh(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.tanh %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// asinh of f32 computes in f64: log1p of |x| + x^2 / (1 + sqrt(1 + x^2)),
// log(|x|) + log(2) for huge |x|, the sign copied; log1p by Kahan's
// correction through log.
// CHECK-LABEL: func.func @asinh
// CHECK: arith.extf %{{.*}} : vector<8xf32> to vector<8xf64>
// CHECK-NOT: math.asinh
// CHECK-NOT: math.log1p
// CHECK: math.sqrt {{.*}} : vector<8xf64>
// CHECK: math.log {{.*}} : vector<8xf64>
// CHECK: math.copysign {{.*}} : vector<8xf64>
// CHECK: arith.truncf %{{.*}} : vector<8xf64> to vector<8xf32>
// FAST-LABEL: func.func @asinh
// FAST: math.asinh %{{.*}} : vector<8xf32>
func.func @asinh(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.asinh %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// sinh of f64: expm1 below |x| = 1, e^(|x| - 0.75) e^0.75 / 2 above, so
// that nothing overflows before the result does; expm1 by Kahan's
// correction through exp and log.
// CHECK-LABEL: func.func @sinh_f64
// CHECK: arith.constant 7.500000e-01 : f64
// CHECK-NOT: math.sinh
// CHECK-NOT: math.expm1
// CHECK: math.exp {{.*}} : f64
// CHECK: math.log {{.*}} : f64
// CHECK: math.copysign {{.*}} : f64
func.func @sinh_f64(%x: f64) -> f64 {
  %0 = math.sinh %x : f64
  return %0 : f64
}

// erf: polynomials in x^2 below |x| = 1/2, in |x| - 3/4 up to 1, and
// 1 - erfc with erfc a polynomial up to 4; x * 2/sqrt(pi) in f64 below
// 2^-60 (subnormal results round once); no exponential.
// CHECK-LABEL: func.func @erf
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK: arith.extf {{.*}} : vector<16xf32> to vector<16xf64>
// CHECK: arith.truncf {{.*}} : vector<16xf64> to vector<16xf32>
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK-NOT: math.exp
// CHECK: return
// FAST-LABEL: func.func @erf
// FAST-NOT: math.erf
func.func @erf(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.erf %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// pow by the constants models write: products, a quotient, a square root
// (with pow's +0 for -0 and +inf for -inf); no pow left, in either mode.
// CHECK-LABEL: func.func @pow_by_constants
// CHECK-NOT: math.powf
// CHECK: %[[SQ:.*]] = arith.mulf %[[X:.*]], %[[X]] : vector<16xf32>
// CHECK: %[[CUBE:.*]] = arith.mulf %{{.*}}, %[[X]] : vector<16xf32>
// CHECK: arith.divf %{{.*}}, %[[X]] : vector<16xf32>
// CHECK: math.sqrt %[[X]] : vector<16xf32>
// CHECK: arith.select
// CHECK-NOT: math.powf
// CHECK: return
// FAST-LABEL: func.func @pow_by_constants
// FAST-NOT: math.powf
// FAST: return
func.func @pow_by_constants(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %two = arith.constant dense<2.0> : vector<16xf32>
  %three = arith.constant dense<3.0> : vector<16xf32>
  %minus_one = arith.constant dense<-1.0> : vector<16xf32>
  %half = arith.constant dense<0.5> : vector<16xf32>
  %0 = math.powf %x, %two : vector<16xf32>
  %1 = math.powf %x, %three : vector<16xf32>
  %2 = math.powf %x, %minus_one : vector<16xf32>
  %3 = math.powf %x, %half : vector<16xf32>
  return %0, %1, %2, %3 : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// Other f32 powers in f64, where e^(y log x) loses nothing an f32 rounding
// shows.
// CHECK-LABEL: func.func @pow_in_f64
// CHECK: arith.extf %{{.*}} : vector<16xf32> to vector<16xf64>
// CHECK: arith.extf %{{.*}} : vector<16xf32> to vector<16xf64>
// CHECK: math.powf %{{.*}}, %{{.*}} : vector<16xf64>
// CHECK: arith.truncf %{{.*}} : vector<16xf64> to vector<16xf32>
func.func @pow_in_f64(%x: vector<16xf32>, %y: vector<16xf32>) -> vector<16xf32> {
  %0 = math.powf %x, %y : vector<16xf32>
  return %0 : vector<16xf32>
}
