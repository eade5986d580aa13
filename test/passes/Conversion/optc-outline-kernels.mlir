// RUN: optc-opt %s --optc-outline-kernels -split-input-file -verify-diagnostics | FileCheck %s

// Each region becomes a private kernel named after its first op; a splat
// constant is copied in, a large constant stays an argument.
// CHECK-LABEL: func.func @main
// CHECK: %[[W:.*]] = optc.constant dense<[
// CHECK: %[[P:.*]] = call @k0_matmul(%arg0, %[[W]])
// CHECK: %[[Q:.*]] = call @k1_add(%[[P]])
// CHECK: call @k2_relu(%[[Q]])
// CHECK-LABEL: func.func private @k0_matmul
// CHECK-SAME: (%{{.*}}: tensor<2x17xf32>, %{{.*}}: tensor<17x1xf32>) -> tensor<2x1xf32>
// CHECK-SAME: attributes {optc.kernel}
// CHECK: optc.matmul
// CHECK-LABEL: func.func private @k1_add
// CHECK-SAME: (%[[X:.*]]: tensor<2x1xf32>) -> tensor<2x1xf32>
// CHECK-SAME: attributes {optc.in_place = array<i64: 0>, optc.kernel}
// CHECK: %[[C:.*]] = optc.constant dense<5.000000e-01>
// CHECK: optc.add %[[X]], %[[C]]
// CHECK: return
// CHECK-LABEL: func.func private @k2_relu
// CHECK-SAME: optc.in_place = array<i64: 0>
func.func @main(%x: tensor<2x17xf32>) -> tensor<2x1xf32> {
  %w = optc.constant dense<[[1.0], [2.0], [3.0], [4.0], [5.0], [6.0], [7.0], [8.0], [9.0], [10.0], [11.0], [12.0], [13.0], [14.0], [15.0], [16.0], [17.0]]> : tensor<17x1xf32>
  %b = optc.constant dense<0.5> : tensor<1xf32>
  %0 = optc.fusion (%a = %x : tensor<2x17xf32>, %c = %w : tensor<17x1xf32>) -> tensor<2x1xf32> {
    %m = optc.matmul %a, %c : (tensor<2x17xf32>, tensor<17x1xf32>) -> tensor<2x1xf32>
    optc.yield %m : tensor<2x1xf32>
  }
  %1 = optc.fusion (%a = %0 : tensor<2x1xf32>, %c = %b : tensor<1xf32>) -> tensor<2x1xf32> {
    %s = optc.add %a, %c : (tensor<2x1xf32>, tensor<1xf32>) -> tensor<2x1xf32>
    optc.yield %s : tensor<2x1xf32>
  }
  %2 = optc.fusion (%a = %1 : tensor<2x1xf32>) -> tensor<2x1xf32> {
    %r = optc.relu %a : tensor<2x1xf32>
    optc.yield %r : tensor<2x1xf32>
  }
  return %2 : tensor<2x1xf32>
}

// -----

// An elementwise kernel whose argument is broadcast is not in place.
// CHECK-LABEL: func.func @broadcast
// CHECK-LABEL: func.func private @k0_mul
// CHECK-SAME: optc.in_place = array<i64: 0>
// CHECK-NOT: array<i64: 0, 1>
func.func @broadcast(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = optc.fusion (%a = %x : tensor<4x8xf32>, %b = %y : tensor<8xf32>) -> tensor<4x8xf32> {
    %m = optc.mul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    optc.yield %m : tensor<4x8xf32>
  }
  return %0 : tensor<4x8xf32>
}

// -----

// A kernel's buffers need static shapes: a size unknown this late is the
// model's error, named on its op.
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = optc.fusion (%a = %x : tensor<?x4xf32>) -> tensor<?x4xf32> {
    // expected-error @+1 {{'optc.relu' op works on 'tensor<?x4xf32>', whose sizes are unknown at compile time; a compiled kernel needs static shapes (sizes that depend on the input data are not supported)}}
    %r = optc.relu %a : tensor<?x4xf32>
    optc.yield %r : tensor<?x4xf32>
  }
  return %0 : tensor<?x4xf32>
}
