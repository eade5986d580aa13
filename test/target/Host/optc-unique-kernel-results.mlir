// RUN: optc-opt %s --optc-unique-kernel-results | FileCheck %s

// The kernel returned %0 three times and %1 once: it now returns each once,
// and every use at the call takes the kept result.
// CHECK-LABEL: func.func @main
// CHECK: %[[R:.*]]:2 = call @k0(%arg0) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<2xf32>)
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#0, %[[R]]#0
// CHECK-LABEL: func.func private @k0
// CHECK-SAME: -> (tensor<4xf32>, tensor<2xf32>)
// CHECK: return %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<2xf32>
// A kernel without repeats is left alone.
// CHECK-LABEL: func.func private @k1
// CHECK-SAME: -> (tensor<4xf32>, tensor<4xf32>)
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>) {
  %r:4 = call @k0(%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<4xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>
}
func.func private @k0(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>) attributes {optc.kernel} {
  %0 = tensor.empty() : tensor<4xf32>
  %1 = tensor.empty() : tensor<2xf32>
  return %0, %1, %0, %0 : tensor<4xf32>, tensor<2xf32>, tensor<4xf32>, tensor<4xf32>
}
func.func private @k1(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) attributes {optc.kernel} {
  %0 = tensor.empty() : tensor<4xf32>
  return %0, %x : tensor<4xf32>, tensor<4xf32>
}
