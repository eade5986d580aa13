// RUN: optc-opt %s --optc-quantize-weights=policy=int4-g32 | FileCheck %s
// RUN: optc-opt %s --optc-quantize-weights=policy=nvfp4 | FileCheck %s --check-prefix=NVFP4
// The constant weights [K, N] of a product are quantized now, [N, K] with
// blocks along K, and packed; the product reads them through dequantize
// and a transpose, which the fusion stage makes one quantized product.

// CHECK-LABEL: func.func @product
// CHECK-DAG: %[[W:.*]] = optc.constant dense_resource<w.q> : tensor<2x64xi4, #optc.quant<block = [1, 32], scale = f32>>
// CHECK-DAG: %[[S:.*]] = optc.constant dense<{{.*}}> : tensor<2x2xf32>
// CHECK: %[[D:.*]] = optc.dequantize %[[W]], %[[S]] : ({{.*}}) -> tensor<2x64xf32>
// CHECK: %[[T:.*]] = optc.transpose %[[D]] {permutation = array<i64: 1, 0>}
// CHECK: optc.matmul %{{.*}}, %[[T]] : (tensor<1x64xf32>, tensor<64x2xf32>) -> tensor<1x2xf32>
// NVFP4-LABEL: func.func @product
// NVFP4: optc.dequantize %{{.*}}, %{{.*}} tensor_scale %{{.*}} : (tensor<2x64xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>, tensor<2x4xf8E4M3FN>, tensor<f32>) -> tensor<2x64xf32>
func.func @product(%x: tensor<1x64xf32>) -> tensor<1x2xf32> {
  %w = optc.constant dense_resource<w> : tensor<64x2xf32>
  %y = optc.matmul %x, %w : (tensor<1x64xf32>, tensor<64x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C00000803F000000C00000404000008040000080BF0000004000004040000080C0"
    }
  }
#-}

