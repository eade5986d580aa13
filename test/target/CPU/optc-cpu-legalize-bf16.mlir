// RUN: optc-opt %s --optc-cpu-legalize-bf16 | FileCheck %s

// The emulation's casts lose `contract`, so that the multiply's bf16
// rounding is not folded away before the add.
// CHECK-LABEL: func.func @rounds_per_op
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK: %[[T:.*]] = arith.truncf %{{.*}} fastmath<none> : vector<4xf32> to vector<4xbf16>
// CHECK: %[[E:.*]] = arith.extf %[[T]] fastmath<none> : vector<4xbf16> to vector<4xf32>
// CHECK: arith.addf %[[E]], %{{.*}} : vector<4xf32>
// CHECK-NOT: contract
// CHECK: return
func.func @rounds_per_op(%a: vector<4xbf16>, %b: vector<4xbf16>, %c: vector<4xbf16>) -> vector<4xbf16> {
  %0 = arith.extf %c fastmath<contract> : vector<4xbf16> to vector<4xf32>
  %1 = arith.extf %b fastmath<contract> : vector<4xbf16> to vector<4xf32>
  %2 = arith.extf %a fastmath<contract> : vector<4xbf16> to vector<4xf32>
  %3 = arith.mulf %2, %1 : vector<4xf32>
  %4 = arith.truncf %3 fastmath<contract> : vector<4xf32> to vector<4xbf16>
  %5 = arith.extf %4 fastmath<contract> : vector<4xbf16> to vector<4xf32>
  %6 = arith.addf %5, %0 : vector<4xf32>
  %7 = arith.truncf %6 fastmath<contract> : vector<4xf32> to vector<4xbf16>
  return %7 : vector<4xbf16>
}

// A select of bf16 vectors (here the 17-element remainder of a vector
// loop, which LLVM's instruction selection cannot widen) selects their
// bits instead.
// CHECK-LABEL: func.func @vector_remainder
// CHECK-SAME: (%[[C:.*]]: vector<17xi1>, %[[X:.*]]: vector<17xbf16>, %[[Y:.*]]: vector<17xbf16>)
// CHECK: %[[XI:.*]] = arith.bitcast %[[X]] : vector<17xbf16> to vector<17xi16>
// CHECK: %[[YI:.*]] = arith.bitcast %[[Y]] : vector<17xbf16> to vector<17xi16>
// CHECK: %[[S:.*]] = arith.select %[[C]], %[[XI]], %[[YI]] : vector<17xi1>, vector<17xi16>
// CHECK: %[[R:.*]] = arith.bitcast %[[S]] : vector<17xi16> to vector<17xbf16>
// CHECK: return %[[R]]
func.func @vector_remainder(%c: vector<17xi1>, %x: vector<17xbf16>, %y: vector<17xbf16>) -> vector<17xbf16> {
  %0 = arith.select %c, %x, %y : vector<17xi1>, vector<17xbf16>
  return %0 : vector<17xbf16>
}

// Scalars too; a splat condition over a vector keeps its i1.
// CHECK-LABEL: func.func @scalar
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : i16
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
func.func @scalar(%c: i1, %x: bf16, %y: bf16) -> bf16 {
  %0 = arith.select %c, %x, %y : bf16
  return %0 : bf16
}

// CHECK-LABEL: func.func @scalar_condition
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<9xi16>
func.func @scalar_condition(%c: i1, %x: vector<9xbf16>, %y: vector<9xbf16>) -> vector<9xbf16> {
  %0 = arith.select %c, %x, %y : vector<9xbf16>
  return %0 : vector<9xbf16>
}

// Other types are left alone.
// CHECK-LABEL: func.func @f16
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<17xi1>, vector<17xf16>
// CHECK-NOT: arith.bitcast
func.func @f16(%c: vector<17xi1>, %x: vector<17xf16>, %y: vector<17xf16>) -> vector<17xf16> {
  %0 = arith.select %c, %x, %y : vector<17xi1>, vector<17xf16>
  return %0 : vector<17xf16>
}
