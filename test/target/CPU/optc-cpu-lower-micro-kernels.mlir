// RUN: optc-opt %s --optc-cpu-lower-micro-kernels | FileCheck %s
// A generic marked for the runtime's quantized product becomes its call:
// the buffers' addresses (aligned base plus offset), then the sizes and
// parameters.

#x = affine_map<(d0, d1, d2) -> (d0, d2)>
#byte = affine_map<(d0, d1, d2) -> (d1 * 32 + (d2 * 4) floordiv 8)>
#block = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 32)>
#y = affine_map<(d0, d1, d2) -> (d0, d1)>

// CHECK-DAG: memref.global "private" constant @__optc_qmatmul_table : memref<16xf32> = dense<[0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00]> {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" constant @__optc_qmatmul_table_0 : memref<256xf32>
// CHECK-NOT: memref.global
// CHECK: func.func private @optc_qmatmul_f32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-LABEL: func.func @qmatmul
// CHECK-COUNT-3: memref.extract_aligned_pointer_as_index
// CHECK: %[[NULL:.*]] = arith.constant 0 : i64
// CHECK: memref.extract_aligned_pointer_as_index %{{.*}} : memref<6x8xf32>
// CHECK: call @optc_qmatmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[NULL]], %{{.*}}, %c6_i64, %c8_i64, %c64_i64, %c4_i64, %{{c0_i64[_0-9]*}}, %c32_i64, %{{c0_i64[_0-9]*}}, %{{c0_i64[_0-9]*}}, %{{c0_i64[_0-9]*}}, %{{c0_i64[_0-9]*}}, %{{c0_i64[_0-9]*}})
// CHECK-NOT: linalg.generic
func.func @qmatmul(%x: memref<6x64xf32>, %w: memref<256xi8>, %s: memref<8x2xf32>, %y: memref<6x8xf32>) {
  linalg.generic {indexing_maps = [#x, #byte, #block, #y], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x, %w, %s : memref<6x64xf32>, memref<256xi8>, memref<8x2xf32>) outs(%y : memref<6x8xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 32 : i64, signed = false, zero_points = false, tensor_scale = false, straddles = false, scale_kind = 0 : i64, int8_activations = false}} {
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

// Float codes (FP4) and 8-bit scales: their tables of values become
// constant globals, shared by the kernels that read the same table; the
// tensor scale is the last input.
#byte2 = affine_map<(d0, d1, d2) -> (d1 * 32 + (d2 * 4) floordiv 8)>
#one = affine_map<(d0, d1, d2) -> ()>

// CHECK-LABEL: func.func @nvfp4
// CHECK: memref.get_global @__optc_qmatmul_table : memref<16xf32>
// CHECK: memref.get_global @__optc_qmatmul_table_0 : memref<256xf32>
// CHECK: memref.extract_aligned_pointer_as_index %{{.*}} : memref<f32>
// CHECK: call @optc_qmatmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c1_i64, %c2_i64, %c64_i64, %c4_i64, %{{.*}}, %c16_i64, %{{.*}}, %{{.*}}, %c1_i64{{.*}}, %{{.*}}, %{{.*}})
// CHECK: memref.get_global @__optc_qmatmul_table : memref<16xf32>
// CHECK: memref.get_global @__optc_qmatmul_table_0 : memref<256xf32>
// CHECK: call @optc_qmatmul_f32
// CHECK-NOT: linalg.generic
func.func @nvfp4(%x: memref<1x64xf32>, %w: memref<64xi8>, %s: memref<2x4xi8>, %t: memref<f32>, %y: memref<1x2xf32>, %y2: memref<1x2xf32>) {
  linalg.generic {indexing_maps = [#x, #byte2, #block, #one, #y], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x, %w, %s, %t : memref<1x64xf32>, memref<64xi8>, memref<2x4xi8>, memref<f32>) outs(%y : memref<1x2xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 16 : i64, signed = false, zero_points = false, tensor_scale = true, straddles = false, scale_kind = 1 : i64, int8_activations = false, code_values = array<f32: 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0>, scale_values = array<f32: 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0, 146.0, 147.0, 148.0, 149.0, 150.0, 151.0, 152.0, 153.0, 154.0, 155.0, 156.0, 157.0, 158.0, 159.0, 160.0, 161.0, 162.0, 163.0, 164.0, 165.0, 166.0, 167.0, 168.0, 169.0, 170.0, 171.0, 172.0, 173.0, 174.0, 175.0, 176.0, 177.0, 178.0, 179.0, 180.0, 181.0, 182.0, 183.0, 184.0, 185.0, 186.0, 187.0, 188.0, 189.0, 190.0, 191.0, 192.0, 193.0, 194.0, 195.0, 196.0, 197.0, 198.0, 199.0, 200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0, 211.0, 212.0, 213.0, 214.0, 215.0, 216.0, 217.0, 218.0, 219.0, 220.0, 221.0, 222.0, 223.0, 224.0, 225.0, 226.0, 227.0, 228.0, 229.0, 230.0, 231.0, 232.0, 233.0, 234.0, 235.0, 236.0, 237.0, 238.0, 239.0, 240.0, 241.0, 242.0, 243.0, 244.0, 245.0, 246.0, 247.0, 248.0, 249.0, 250.0, 251.0, 252.0, 253.0, 254.0, 255.0>}} {
  ^bb0(%in: f32, %b: i8, %sc: i8, %ts: f32, %out: f32):
    linalg.yield %out : f32
  }
  // The same tables again: the globals are reused.
  linalg.generic {indexing_maps = [#x, #byte2, #block, #y], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x, %w, %s : memref<1x64xf32>, memref<64xi8>, memref<2x4xi8>) outs(%y2 : memref<1x2xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 16 : i64, signed = false, zero_points = false, tensor_scale = false, straddles = false, scale_kind = 1 : i64, int8_activations = false, code_values = array<f32: 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0>, scale_values = array<f32: 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0, 132.0, 133.0, 134.0, 135.0, 136.0, 137.0, 138.0, 139.0, 140.0, 141.0, 142.0, 143.0, 144.0, 145.0, 146.0, 147.0, 148.0, 149.0, 150.0, 151.0, 152.0, 153.0, 154.0, 155.0, 156.0, 157.0, 158.0, 159.0, 160.0, 161.0, 162.0, 163.0, 164.0, 165.0, 166.0, 167.0, 168.0, 169.0, 170.0, 171.0, 172.0, 173.0, 174.0, 175.0, 176.0, 177.0, 178.0, 179.0, 180.0, 181.0, 182.0, 183.0, 184.0, 185.0, 186.0, 187.0, 188.0, 189.0, 190.0, 191.0, 192.0, 193.0, 194.0, 195.0, 196.0, 197.0, 198.0, 199.0, 200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0, 211.0, 212.0, 213.0, 214.0, 215.0, 216.0, 217.0, 218.0, 219.0, 220.0, 221.0, 222.0, 223.0, 224.0, 225.0, 226.0, 227.0, 228.0, 229.0, 230.0, 231.0, 232.0, 233.0, 234.0, 235.0, 236.0, 237.0, 238.0, 239.0, 240.0, 241.0, 242.0, 243.0, 244.0, 245.0, 246.0, 247.0, 248.0, 249.0, 250.0, 251.0, 252.0, 253.0, 254.0, 255.0>}} {
  ^bb0(%in: f32, %b: i8, %sc: i8, %out: f32):
    linalg.yield %out : f32
  }
  return
}

// The 8-bit integer product: its call, zero points' addresses (0 for none)
// and per-row flags.
#ia = affine_map<(d0, d1, d2) -> (d0, d2)>
#ib = affine_map<(d0, d1, d2) -> (d1, d2)>
#icol = affine_map<(d0, d1, d2) -> (d1)>
#ic = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @igemm
// CHECK: call @optc_igemm_i32(%{{.*}}, %{{.*}}, %{{.*}}, %c4_i64, %c8_i64, %c64_i64, %{{c0_i64[_0-9]*}}, %{{c1_i64[_0-9]*}}, %{{c1_i64[_0-9]*}}, %{{c0_i64[_0-9]*}}, %{{c0_i64[_0-9]*}}, %{{.*}}, %{{c1_i64[_0-9]*}}) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK-NOT: linalg.generic
func.func @igemm(%a: memref<4x64xi8>, %w: memref<8x64xi8>, %z: memref<8xi8>, %c: memref<4x8xi32>) {
  linalg.generic {indexing_maps = [#ia, #ib, #icol, #ic], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_igemm_i32"} ins(%a, %w, %z : memref<4x64xi8>, memref<8x64xi8>, memref<8xi8>) outs(%c : memref<4x8xi32>) attrs = {optc.igemm = {a_signed = false, b_signed = true, b_layout = 1 : i64, a_zero = 0 : i64, b_zero = 2 : i64}} {
  ^bb0(%x: i8, %y: i8, %zz: i8, %out: i32):
    linalg.yield %out : i32
  }
  return
}

// The kernels write their output whole: a fill of it just before the call
// (nothing touching memory in between) is dead and erased; one with a
// store in between stays.
// CHECK-LABEL: func.func @dead_fill
// CHECK-NOT: linalg.fill
// CHECK: call @optc_igemm_i32
func.func @dead_fill(%a: memref<4x64xi8>, %w: memref<8x64xi8>, %c: memref<4x8xi32>) {
  %zero = arith.constant 0 : i32
  linalg.fill ins(%zero : i32) outs(%c : memref<4x8xi32>)
  linalg.generic {indexing_maps = [#ia, #ib, #ic], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_igemm_i32"} ins(%a, %w : memref<4x64xi8>, memref<8x64xi8>) outs(%c : memref<4x8xi32>) attrs = {optc.igemm = {a_signed = false, b_signed = true, b_layout = 1 : i64, a_zero = 0 : i64, b_zero = 0 : i64}} {
  ^bb0(%x: i8, %y: i8, %out: i32):
    linalg.yield %out : i32
  }
  return
}

// CHECK-LABEL: func.func @live_fill
// CHECK: linalg.fill
// CHECK: memref.store
// CHECK: call @optc_igemm_i32
func.func @live_fill(%a: memref<4x64xi8>, %w: memref<8x64xi8>, %c: memref<4x8xi32>, %other: memref<i32>) {
  %zero = arith.constant 0 : i32
  linalg.fill ins(%zero : i32) outs(%c : memref<4x8xi32>)
  memref.store %zero, %other[] : memref<i32>
  linalg.generic {indexing_maps = [#ia, #ib, #ic], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_igemm_i32"} ins(%a, %w : memref<4x64xi8>, memref<8x64xi8>) outs(%c : memref<4x8xi32>) attrs = {optc.igemm = {a_signed = false, b_signed = true, b_layout = 1 : i64, a_zero = 0 : i64, b_zero = 0 : i64}} {
  ^bb0(%x: i8, %y: i8, %out: i32):
    linalg.yield %out : i32
  }
  return
}
