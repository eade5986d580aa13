// The optc driver reads optc IR, verifies it and writes it back.
// RUN: optc %s | FileCheck %s
// RUN: optc %s --emit=mlir -o %t.mlir && optc-opt %t.mlir | FileCheck %s
// RUN: optc-opt %s --mlir-print-op-generic -o %t.generic.mlir && optc %t.generic.mlir | FileCheck %s

// CHECK-LABEL: func.func @mlp
// CHECK: optc.matmul %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
// CHECK: optc.add
// CHECK: optc.relu
func.func @mlp(%x: tensor<1x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<1x8xf32> {
  %0 = optc.matmul %x, %w : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  %1 = optc.add %0, %b : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %2 = optc.relu %1 : tensor<1x8xf32>
  return %2 : tensor<1x8xf32>
}
