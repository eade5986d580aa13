// RUN: optc-opt %s --optc-convert-to-linalg -split-input-file -verify-diagnostics
// Packed quantized tensors have no CPU lowering yet: the conversion says
// so at the op instead of the framework's "failed to legalize".

func.func @dequantize(%q: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x2xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'optc.dequantize' op has no CPU lowering yet (packed quantized tensors are work in progress)}}
  %0 = optc.dequantize %q, %s : (tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @quantize(%x: tensor<64xf32>, %s: tensor<2xf8E8M0FNU>) -> tensor<64xf4E2M1FN, #optc.quant<block = [32], scale = f8E8M0FNU>> {
  // expected-error @+1 {{'optc.quantize' op has no CPU lowering yet}}
  %0 = optc.quantize %x, %s : (tensor<64xf32>, tensor<2xf8E8M0FNU>) -> tensor<64xf4E2M1FN, #optc.quant<block = [32], scale = f8E8M0FNU>>
  return %0 : tensor<64xf4E2M1FN, #optc.quant<block = [32], scale = f8E8M0FNU>>
}
