// RUN: not optc %s --emit-after=graph 2>&1 | FileCheck %s

// A refinement that contradicts a declared type is the input's error. The
// pass undoes what it refined before, so the IR it leaves verifies and the
// driver reports the error as the model's, not as an internal error (the
// MLIR fuzzer found the half-refined IR).
// CHECK-NOT: internal error
// CHECK: error: 'optc.add' op result 0 is declared 'tensor<5xf32>' but its operands give 'tensor<4xf32>'
// CHECK-NOT: internal error
func.func @main(%x: tensor<4xf32>) -> tensor<5xf32> {
  %0 = optc.reshape %x {shape = array<i64: -1>} : (tensor<4xf32>) -> tensor<?xf32>
  %1 = optc.relu %0 : tensor<?xf32>
  %2 = optc.add %1, %1 : (tensor<?xf32>, tensor<?xf32>) -> tensor<5xf32>
  return %2 : tensor<5xf32>
}
