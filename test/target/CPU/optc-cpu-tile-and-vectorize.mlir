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

// Sizes the register tile does not divide are split off first, so every
// tile is full and static: M = 10 is 8 + 2 rows, N = 20 is 16 + 4 lanes.
// CHECK-LABEL: func.func private @k2_remainders
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x4xf32> into vector<8x4xf32>
// CHECK: vector.contract {{.*}} : vector<2x1xf32>, vector<1x16xf32> into vector<2x16xf32>
// CHECK: vector.contract {{.*}} : vector<2x1xf32>, vector<1x4xf32> into vector<2x4xf32>
func.func private @k2_remainders(%a: tensor<10x8xf32>, %b: tensor<8x20xf32>) -> tensor<10x20xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<10x20xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<10x20xf32>) -> tensor<10x20xf32>
  %m = linalg.matmul ins(%a, %b : tensor<10x8xf32>, tensor<8x20xf32>) outs(%f : tensor<10x20xf32>) -> tensor<10x20xf32>
  return %m : tensor<10x20xf32>
}

// A reduction over a prime length (197) takes four-vector steps over the
// first 192 and one 5-lane vector for the rest, accumulating into the same
// result.
// CHECK-LABEL: func.func private @k3_row_sum
// CHECK: %[[HEAD:.*]] = tensor.extract_slice %arg0[0, 0] [3, 192] [1, 1]
// CHECK: scf.for {{.*}} step %c64
// CHECK: vector.multi_reduction <add>, {{.*}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK: tensor.extract_slice %arg0[0, 192] [3, 5] [1, 1]
// CHECK: vector.multi_reduction <add>, {{.*}} [1] : vector<3x5xf32> to vector<3xf32>
func.func private @k3_row_sum(%x: tensor<3x197xf32>) -> tensor<3xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x197xf32>) outs(%f : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %y = arith.addf %in, %out : f32
    linalg.yield %y : f32
  } -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// A long k is walked in slices of 256 (a cache tile: the slice of the
// right-hand side stays in L2 while every row tile of the block uses it),
// then one step at a time.
// CHECK-LABEL: func.func private @k4_long_k
// CHECK: scf.forall
// CHECK: scf.for {{.*}} = %c0 to %c1024 step %c256
// CHECK: scf.for {{.*}} = %c0 to %c256 step %c1
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func private @k4_long_k(%a: tensor<8x1024xf32>, %b: tensor<1024x32xf32>) -> tensor<8x32xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x1024xf32>, tensor<1024x32xf32>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %m : tensor<8x32xf32>
}

// One row (a matrix-vector product): 16 accumulator vectors, so each k
// step reads 256 contiguous floats of a right-hand-side row.
// CHECK-LABEL: func.func private @k5_matvec
// CHECK: vector.contract {{.*}} : vector<1x1xf32>, vector<1x256xf32> into vector<1x256xf32>
func.func private @k5_matvec(%a: tensor<1x64xf32>, %b: tensor<64x512xf32>) -> tensor<1x512xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x512xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<1x512xf32>) -> tensor<1x512xf32>
  %m = linalg.matmul ins(%a, %b : tensor<1x64xf32>, tensor<64x512xf32>) outs(%f : tensor<1x512xf32>) -> tensor<1x512xf32>
  return %m : tensor<1x512xf32>
}

// An elementwise epilogue (bias and ReLU) of a matrix product is computed
// block by block with it: one scf.forall over the product's thread blocks,
// in each the fill, the register-tiled product and the epilogue, which
// reads the block while it is in cache.
// CHECK-LABEL: func.func private @k6_epilogue
// CHECK: scf.forall ({{.*}}) = (0, 0) to (128, 256) step (64, 256)
// CHECK: vector.transfer_write %cst
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK: arith.maximumf {{.*}} : vector<1x64xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall
func.func private @k6_epilogue(%a: tensor<128x64xf32>, %b: tensor<64x256xf32>, %bias: tensor<256xf32>) -> tensor<128x256xf32> attributes {optc.kernel} {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %m = linalg.matmul ins(%a, %b : tensor<128x64xf32>, tensor<64x256xf32>) outs(%f : tensor<128x256xf32>) -> tensor<128x256xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<128x256xf32>, tensor<256xf32>) outs(%e : tensor<128x256xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %z = arith.maximumf %s, %cst : f32
    linalg.yield %z : f32
  } -> tensor<128x256xf32>
  return %r : tensor<128x256xf32>
}

// A micro-kernel's generic (library_call) keeps its one loop nest, and the
// fill of its output stays whole for --optc-cpu-lower-micro-kernels to
// erase.
// CHECK-LABEL: func.func private @k7_micro_kernel
// CHECK-NOT: scf.forall
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}} library_call = "optc_igemm_i32"
func.func private @k7_micro_kernel(%a: tensor<64x64xi8>, %b: tensor<64x64xi8>) -> tensor<64x64xi32> attributes {optc.kernel} {
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<64x64xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<64x64xi32>) -> tensor<64x64xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_igemm_i32"} ins(%a, %b : tensor<64x64xi8>, tensor<64x64xi8>) outs(%f : tensor<64x64xi32>) {
  ^bb0(%x: i8, %y: i8, %o: i32):
    %xi = arith.extsi %x : i8 to i32
    %yi = arith.extsi %y : i8 to i32
    %p = arith.muli %xi, %yi : i32
    %s = arith.addi %o, %p : i32
    linalg.yield %s : i32
  } -> tensor<64x64xi32>
  return %r : tensor<64x64xi32>
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
