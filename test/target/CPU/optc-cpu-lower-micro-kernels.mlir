// RUN: optc-opt %s --optc-cpu-lower-micro-kernels | FileCheck %s
// A generic marked for the runtime's quantized product becomes its call:
// the buffers' addresses (aligned base plus offset), then the sizes and
// parameters.

#x = affine_map<(d0, d1, d2) -> (d0, d2)>
#byte = affine_map<(d0, d1, d2) -> (d1 * 32 + (d2 * 4) floordiv 8)>
#block = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 32)>
#y = affine_map<(d0, d1, d2) -> (d0, d1)>

// CHECK: func.func private @optc_qmatmul_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @qmatmul
// CHECK-COUNT-3: memref.extract_aligned_pointer_as_index
// CHECK: %[[NULL:.*]] = arith.constant 0 : i64
// CHECK: memref.extract_aligned_pointer_as_index %{{.*}} : memref<6x8xf32>
// CHECK: call @optc_qmatmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[NULL]], %{{.*}}, %c6_i64, %c8_i64, %c64_i64, %c4_i64, %{{c0_i64[_0-9]*}}, %c32_i64, %{{c0_i64[_0-9]*}})
// CHECK-NOT: linalg.generic
func.func @qmatmul(%x: memref<6x64xf32>, %w: memref<256xi8>, %s: memref<8x2xf32>, %y: memref<6x8xf32>) {
  linalg.generic {indexing_maps = [#x, #byte, #block, #y], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x, %w, %s : memref<6x64xf32>, memref<256xi8>, memref<8x2xf32>) outs(%y : memref<6x8xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 32 : i64, signed = false, zero_points = false, int8_activations = false}} {
  ^bb0(%in: f32, %b: i8, %sc: f32, %out: f32):
    %k = linalg.index 2 : index
    %k32 = arith.index_cast %k : index to i32
    %c4 = arith.constant 4 : i32
    %c8 = arith.constant 8 : i32
    %c28 = arith.constant 28 : i32
    %bit = arith.muli %k32, %c4 : i32
    %shift = arith.remui %bit, %c8 : i32
    %b32 = arith.extui %b : i8 to i32
    %v = arith.shrui %b32, %shift : i32
    %hi = arith.shli %v, %c28 : i32
    %code = arith.shrui %hi, %c28 : i32
    %w32 = arith.sitofp %code : i32 to f32
    %ws = arith.mulf %w32, %sc : f32
    %p = arith.mulf %in, %ws : f32
    %a = arith.addf %out, %p : f32
    linalg.yield %a : f32
  }
  return
}
