// RUN: optc-opt %s --optc-form-regions | FileCheck %s

// Every computing op gets a region of its own; constants and reshapes stay
// outside, and a value used twice is one region argument.
// CHECK-LABEL: func.func @chain
// CHECK: %[[W:.*]] = optc.constant
// CHECK: %[[M:.*]] = optc.fusion (%[[A:.*]] = %arg0 : tensor<2x3xf32>, %[[B:.*]] = %[[W]] : tensor<3x4xf32>) -> tensor<2x4xf32> {
// CHECK-NEXT:   %[[P:.*]] = optc.matmul %[[A]], %[[B]]
// CHECK-NEXT:   optc.yield %[[P]] : tensor<2x4xf32>
// CHECK-NEXT: }
// CHECK: %[[S:.*]] = optc.fusion (%[[C:.*]] = %[[M]] : tensor<2x4xf32>) -> tensor<2x4xf32> {
// CHECK-NEXT:   optc.mul %[[C]], %[[C]]
// CHECK: %[[R:.*]] = optc.reshape %[[S]]
// CHECK-NOT: optc.fusion
// CHECK: return %[[R]]
func.func @chain(%x: tensor<2x3xf32>) -> tensor<8xf32> {
  %w = optc.constant dense<1.0> : tensor<3x4xf32>
  %0 = optc.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = optc.mul %0, %0 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = optc.reshape %1 {shape = array<i64: 8>} : (tensor<2x4xf32>) -> tensor<8xf32>
  return %2 : tensor<8xf32>
}

// Ops inside control flow get regions too; existing regions are kept.
// CHECK-LABEL: func.func @nested
// CHECK: scf.if
// CHECK:   optc.fusion
// CHECK-NEXT: optc.exp
// CHECK: optc.fusion
// CHECK-NEXT: optc.neg
// CHECK-NOT: optc.fusion
func.func @nested(%c: i1, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = scf.if %c -> tensor<4xf32> {
    %e = optc.exp %x : tensor<4xf32>
    scf.yield %e : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  %1 = optc.fusion (%a = %0 : tensor<4xf32>) -> tensor<4xf32> {
    %n = optc.neg %a : tensor<4xf32>
    optc.yield %n : tensor<4xf32>
  }
  return %1 : tensor<4xf32>
}
