// RUN: optc-opt %s --pass-pipeline='builtin.module(func.func(optc-cpu-tile-and-vectorize{vector-bits=512}))' | FileCheck %s

// A matrix product big enough for threads: an scf.forall over 64x256
// blocks, then 8x32 register tiles stepping k by one, as vector.contract.
// Its fill is vectorised too.
// CHECK-LABEL: func.func private @k0_matmul
// CHECK: scf.forall ({{.*}}) = (0, 0) to (128, 256) step (1, 256)
// CHECK: vector.transfer_write {{.*}} : vector<1x64xf32>
// CHECK: scf.forall ({{.*}}) = (0, 0) to (128, 256) step (64, 256)
// CHECK: scf.for {{.*}} step %c8
// CHECK: scf.for {{.*}} step %c32
// CHECK: scf.for {{.*}} step %c1
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK-NOT: linalg.matmul
func.func private @k0_matmul(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>) -> tensor<128x256xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>) outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  return %m : tensor<128x256xf32>
}

// Too small for threads: serial loops over rows, a vector per row.
// CHECK-LABEL: func.func private @k1_exp
// CHECK-NOT: scf.forall
// CHECK: scf.for
// CHECK: math.exp {{.*}} : vector<1x24xf32>
func.func private @k1_exp(%x: tensor<4x24xf32>) -> tensor<4x24xf32> attributes {optc.kernel} {
  %e = tensor.empty() : tensor<4x24xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x24xf32>) outs(%e : tensor<4x24xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = math.exp %in : f32
    linalg.yield %y : f32
  } -> tensor<4x24xf32>
  return %r : tensor<4x24xf32>
}

// Functions that are not kernels are left alone.
// CHECK-LABEL: func.func @not_a_kernel
// CHECK: linalg.generic
func.func @not_a_kernel(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
