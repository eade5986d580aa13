// RUN: optc-opt %s --optc-fuse-element-loops | FileCheck %s

#id = affine_map<(d0) -> (d0)>

// A multiply feeding an add (a decomposed batch normalisation) is one loop.
// CHECK-LABEL: func.func private @k0_chain
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
func.func private @k0_chain(%x: tensor<8xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> attributes {optc.kernel} {
  %e = tensor.empty() : tensor<8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%x, %a : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%m, %b : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.addf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %s : tensor<8xf32>
}

// A result with two users is computed once, not fused into both.
// CHECK-LABEL: func.func private @k1_shared
// CHECK-COUNT-3: linalg.generic
func.func private @k1_shared(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) attributes {optc.kernel} {
  %e = tensor.empty() : tensor<8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = math.exp %p : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%m : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.negf %p : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%m : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = math.sqrt %p : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %s, %t : tensor<8xf32>, tensor<8xf32>
}

// Functions that are not kernels are left alone.
// CHECK-LABEL: func.func @not_a_kernel
// CHECK-COUNT-2: linalg.generic
func.func @not_a_kernel(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = math.exp %p : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%m : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%p: f32, %o: f32):
    %r = arith.negf %p : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %s : tensor<8xf32>
}

// An epilogue reading a convolution's product through an expand_shape is
// collapsed to the product's shape; its result is expanded instead.
// CHECK-LABEL: func.func private @k2_conv_epilogue
// CHECK: %[[P:.*]] = linalg.contract
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[P]], %arg2 : tensor<1x4x6xf32>, tensor<4xf32>)
// CHECK: tensor.expand_shape %[[E]] {{\[}}[0], [1], [2, 3]] output_shape [1, 4, 2, 3]
func.func private @k2_conv_epilogue(%w: tensor<1x4x8xf32>, %x: tensor<1x8x6xf32>, %b: tensor<4xf32>) -> tensor<1x4x2x3xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x6xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  %p = linalg.contract indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>] ins(%w, %x : tensor<1x4x8xf32>, tensor<1x8x6xf32>) outs(%f : tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  %v = tensor.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 4, 2, 3] : tensor<1x4x6xf32> into tensor<1x4x2x3xf32>
  %o = tensor.empty() : tensor<1x4x2x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%v, %b : tensor<1x4x2x3xf32>, tensor<4xf32>) outs(%o : tensor<1x4x2x3xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %s = arith.addf %in, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x4x2x3xf32>
  return %r : tensor<1x4x2x3xf32>
}

// An op a micro-kernel runs keeps its operands, library_call and
// parameters even where one is a scalar constant (NVFP4's tensor scale),
// which the fusion patterns would otherwise move into the body; the other
// ops of its kernel still fuse.
#xk = affine_map<(d0, d1, d2) -> (d0, d2)>
#wk = affine_map<(d0, d1, d2) -> (d1 * 32 + (d2 * 4) floordiv 8)>
#sk = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 16)>
#tk = affine_map<(d0, d1, d2) -> ()>
#yk = affine_map<(d0, d1, d2) -> (d0, d1)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func private @k9_micro_kernel
// CHECK: %[[T:.*]] = arith.constant dense<2.500000e-01> : tensor<f32>
// CHECK: linalg.generic {{.*}} library_call = "optc_qmatmul_f32"} ins(%{{.*}}, %{{.*}}, %{{.*}}, %[[T]] : {{.*}}) {{.*}} attrs = {optc.qmatmul = {bits = 4
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
func.func private @k9_micro_kernel(%x: tensor<1x64xf32>, %w: tensor<64xi8>, %s: tensor<2x4xi8>, %b: tensor<1x2xf32>) -> tensor<1x2xf32> attributes {optc.kernel} {
  %t = arith.constant dense<0.25> : tensor<f32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.generic {indexing_maps = [#xk, #wk, #sk, #tk, #yk], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x, %w, %s, %t : tensor<1x64xf32>, tensor<64xi8>, tensor<2x4xi8>, tensor<f32>) outs(%init : tensor<1x2xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 16 : i64, scale_kind = 0 : i64, signed = false, zero_points = false, tensor_scale = true, straddles = false, int8_activations = false}} {
  ^bb0(%in: f32, %c: i8, %sc: i8, %ts: f32, %out: f32):
    %p = arith.mulf %in, %ts : f32
    %a = arith.addf %out, %p : f32
    linalg.yield %a : f32
  } -> tensor<1x2xf32>
  %m = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%y, %b : tensor<1x2xf32>, tensor<1x2xf32>) outs(%e : tensor<1x2xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.mulf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  %n = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%m, %b : tensor<1x2xf32>, tensor<1x2xf32>) outs(%e : tensor<1x2xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %r = arith.addf %p, %q : f32
    linalg.yield %r : f32
  } -> tensor<1x2xf32>
  return %n : tensor<1x2xf32>
}
