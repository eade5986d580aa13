// RUN: optc-opt %s --optc-quantize-weights=policy=int4-g32 -split-input-file -verify-diagnostics
// RUN: not optc-opt %s --optc-quantize-weights=policy=int4-g33x 2>&1 | FileCheck %s --check-prefix=POLICY
// What --quantize rejects: a K the block does not divide (optc does not
// pad), an unknown policy.

// POLICY: error: --quantize=int4-g33x:

// K = 48 is not a multiple of 32.
func.func @ragged(%x: tensor<1x48xf32>) -> tensor<1x2xf32> {
  %w = optc.constant dense<1.0> : tensor<48x2xf32>
  // expected-error @+1 {{--quantize=int4-g32: weight 'weights' ('tensor<48x2xf32>') has K = 48, not a multiple of the block of 32 (optc does not pad)}}
  %y = optc.matmul %x, %w : (tensor<1x48xf32>, tensor<48x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
