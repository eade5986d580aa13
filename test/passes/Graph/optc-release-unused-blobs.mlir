// RUN: optc-opt %s --canonicalize --optc-release-unused-blobs=report -mlir-print-op-on-diagnostic=false -o %t.mlir 2>&1 | FileCheck %s --check-prefix=FREED
// RUN: FileCheck %s < %t.mlir

// Folding the transpose leaves the weight's blob `w` (80 bytes) unused, and
// `dead` (8 bytes) was never used: both are freed. The transposed weight
// and `kept` stay whole.
// FREED-DAG: remark: freed blob 'w' (80 bytes)
// FREED-DAG: remark: freed blob 'dead' (8 bytes)
// FREED-NOT: freed blob

// CHECK-LABEL: func.func @linear
// CHECK-DAG: optc.constant dense_resource<w_1> : tensor<5x4xi32>
// CHECK-DAG: optc.constant dense_resource<kept> : tensor<2xi32>
// CHECK: dialect_resources
// CHECK-DAG: kept: "0x040000000700000008000000"
// CHECK-DAG: w_1: "0x0400000000000000050000000A0000000F00000001000000060000000B0000001000000002000000070000000C0000001100000003000000080000000D0000001200000004000000090000000E00000013000000"
func.func @linear(%x: tensor<3x5xi32>) -> (tensor<3x4xi32>, tensor<2xi32>) {
  %w = optc.constant dense_resource<w> : tensor<4x5xi32>
  %k = optc.constant dense_resource<kept> : tensor<2xi32>
  %t = optc.transpose %w {permutation = array<i64: 1, 0>} : (tensor<4x5xi32>) -> tensor<5x4xi32>
  %y = optc.matmul %x, %t : (tensor<3x5xi32>, tensor<5x4xi32>) -> tensor<3x4xi32>
  return %y, %k : tensor<3x4xi32>, tensor<2xi32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000000000100000002000000030000000400000005000000060000000700000008000000090000000A0000000B0000000C0000000D0000000E0000000F00000010000000110000001200000013000000",
      kept: "0x040000000700000008000000",
      dead: "0x040000000100000002000000"
    }
  }
#-}
