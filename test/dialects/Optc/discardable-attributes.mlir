// RUN: optc-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// The discardable optc.* attributes optc's passes leave on modules,
// functions and their arguments: the dialect verifies their place, type and
// values (OptcDialect.td lists them), and rejects other optc.* names.

// All of them, in their places.
// CHECK-LABEL: module attributes
// CHECK-SAME: optc.arena_size = 4096 : i64
// CHECK-SAME: optc.interface = #optc.interface
// CHECK-SAME: optc.run_time_checks
// CHECK-SAME: optc.weights = {{\[}}[0, dense<1.000000e+00> : tensor<16xf32>], [64, dense<2> : tensor<3xi16>]]
// CHECK-SAME: optc.weights_id = "0123456789abcdef"
// CHECK-SAME: optc.weights_size = 128 : i64
// CHECK: func.func @main(%{{.*}}: tensor<?x3xf32> {optc.dim_names = ["batch", ""], optc.name = "x"}) -> (tensor<2xf32> {optc.name = "y"})
// CHECK: func.func private @k0(memref<4xf32>, memref<4xf32>, memref<4xf32>) attributes {optc.in_place = array<i64: 0, 1>, optc.kernel}
// CHECK: llvm.func @k1(!llvm.ptr {optc.name = "a"}) attributes {optc.kernel}
module attributes {optc.interface = #optc.interface<inputs = ["x" : 2x3xf32], outputs = ["y" : 2xf32]>, optc.run_time_checks, optc.arena_size = 4096 : i64, optc.weights = [[0, dense<1.0> : tensor<16xf32>], [64, dense<2> : tensor<3xi16>]], optc.weights_size = 128 : i64, optc.weights_id = "0123456789abcdef"} {
  func.func @main(%x: tensor<?x3xf32> {optc.name = "x", optc.dim_names = ["batch", ""]}) -> (tensor<2xf32> {optc.name = "y"}) {
    %0 = arith.constant dense<0.0> : tensor<2xf32>
    return %0 : tensor<2xf32>
  }
  func.func private @k0(memref<4xf32>, memref<4xf32>, memref<4xf32>) attributes {optc.kernel, optc.in_place = array<i64: 0, 1>}
  llvm.func @k1(!llvm.ptr {optc.name = "a"}) attributes {optc.kernel}
}

// -----

//===----------------------------------------------------------------------===//
// Names and places
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'builtin.module' op 'optc.arena' is not an optc attribute (they are optc.name, optc.dim_names, optc.kernel, optc.in_place, optc.interface, optc.run_time_checks, optc.arena_size, optc.weights, optc.weights_size, optc.weights_id, optc.qmatmul, optc.igemm, optc.int8_activations)}}
module attributes {optc.arena = 0 : i64} {
}

// -----

// expected-error @+1 {{'func.func' op argument 0: 'optc.nmae' is not an optc attribute}}
func.func @f(%x: tensor<2xf32> {optc.nmae = "x"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op result 0: 'optc.names' is not an optc attribute}}
func.func @f() -> (tensor<2xf32> {optc.names = "y"}) {
  %0 = arith.constant dense<0.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.kernel' belongs on a function, not on a module}}
module attributes {optc.kernel} {
}

// -----

// expected-error @+1 {{'func.func' op 'optc.arena_size' belongs on a module, not on a function}}
func.func @f() attributes {optc.arena_size = 0 : i64} {
  return
}

// -----

// expected-error @+1 {{'func.func' op 'optc.name' belongs on a function argument or a function result, not on a function}}
func.func @f() attributes {optc.name = "f"} {
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{'arith.constant' op 'optc.kernel' belongs on a function, not on this operation}}
  %0 = arith.constant {optc.kernel} 0 : i32
  return
}

// -----

// expected-error @+1 {{'func.func' op argument 0: 'optc.interface' belongs on a module, not on a function argument}}
func.func @f(%x: tensor<2xf32> {optc.interface = #optc.interface<inputs = [], outputs = []>}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op result 0: 'optc.dim_names' belongs on a function argument, not on a function result}}
func.func @f() -> (tensor<2xf32> {optc.dim_names = ["n"]}) {
  %0 = arith.constant dense<0.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Arguments and results: optc.name, optc.dim_names
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'func.func' op argument 1: 'optc.name' must be a string, not 1 : i64}}
func.func @f(%x: tensor<2xf32>, %y: tensor<2xf32> {optc.name = 1}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op result 0: 'optc.name' must be a string, not unit}}
func.func @f() -> (tensor<2xf32> {optc.name}) {
  %0 = arith.constant dense<0.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// expected-error @+1 {{'func.func' op argument 0: 'optc.dim_names' must be an array of strings, not "batch"}}
func.func @f(%x: tensor<?xf32> {optc.dim_names = "batch"}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument 0: 'optc.dim_names' must be an array of strings, not ["batch", 3]}}
func.func @f(%x: tensor<?x3xf32> {optc.dim_names = ["batch", 3]}) {
  return
}

// -----

// One name per dimension.
// expected-error @+1 {{'func.func' op argument 0: 'optc.dim_names' has 1 names for the 2 dimensions of 'memref<?x3xf32>'}}
func.func @f(%x: memref<?x3xf32> {optc.dim_names = ["batch"]}) {
  return
}

// -----

//===----------------------------------------------------------------------===//
// Functions: optc.kernel, optc.in_place
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'func.func' op 'optc.kernel' must be a unit attribute, not true}}
func.func private @k() attributes {optc.kernel = true}

// -----

// expected-error @+1 {{'func.func' op 'optc.in_place' must be an array<i64> of argument indices, not [0]}}
func.func private @k(memref<4xf32>, memref<4xf32>) attributes {optc.in_place = [0]}

// -----

// expected-error @+1 {{'func.func' op 'optc.in_place' must list argument indices (below 2) in increasing order, not array<i64: 2>}}
func.func private @k(memref<4xf32>, memref<4xf32>) attributes {optc.in_place = array<i64: 2>}

// -----

// expected-error @+1 {{'func.func' op 'optc.in_place' must list argument indices (below 3) in increasing order, not array<i64: 1, 0>}}
func.func private @k(memref<4xf32>, memref<4xf32>, memref<4xf32>) attributes {optc.in_place = array<i64: 1, 0>}

// -----

// expected-error @+1 {{'func.func' op 'optc.in_place' must list argument indices (below 2) in increasing order, not array<i64: -1>}}
func.func private @k(memref<4xf32>, memref<4xf32>) attributes {optc.in_place = array<i64: -1>}

// -----

//===----------------------------------------------------------------------===//
// Modules: optc.interface, optc.run_time_checks, optc.arena_size
//===----------------------------------------------------------------------===//

// The interface is typed, no longer the runtime's metadata lines.
// expected-error @+1 {{'builtin.module' op 'optc.interface' must be an #optc.interface attribute, not ["input x f32 4", "output y f32 4"]}}
module attributes {optc.interface = ["input x f32 4", "output y f32 4"]} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.interface' must be an #optc.interface attribute, not #optc.port<"x" : 4xf32>}}
module attributes {optc.interface = #optc.port<"x" : 4xf32>} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.run_time_checks' must be a unit attribute, not 1 : i64}}
module attributes {optc.run_time_checks = 1} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.arena_size' must be a non-negative i64, not -64 : i64}}
module attributes {optc.arena_size = -64 : i64} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.arena_size' must be a non-negative i64, not 64 : i32}}
module attributes {optc.arena_size = 64 : i32} {
}

// -----

//===----------------------------------------------------------------------===//
// Modules: optc.weights, optc.weights_size, optc.weights_id
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'builtin.module' op has 'optc.weights_id' but not 'optc.weights': 'optc.weights', 'optc.weights_size' and 'optc.weights_id' come together}}
module attributes {optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op has 'optc.weights' but not 'optc.weights_id'}}
module attributes {optc.weights = [], optc.weights_size = 0 : i64} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights' must be an array of [offset, elements] pairs, not dense<1.000000e+00> : tensor<4xf32>}}
module attributes {optc.weights = dense<1.0> : tensor<4xf32>, optc.weights_size = 64 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 1 must be a pair [offset : i64, elements], not [dense<1.000000e+00> : tensor<4xf32>, 64]}}
module attributes {optc.weights = [[0, dense<1.0> : tensor<4xf32>], [dense<1.0> : tensor<4xf32>, 64]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 0 must be a pair [offset : i64, elements], not [-64, dense<1.000000e+00> : tensor<4xf32>]}}
module attributes {optc.weights = [[-64, dense<1.0> : tensor<4xf32>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 1 is at offset 32, which is not a multiple of 64}}
module attributes {optc.weights = [[0, dense<1.0> : tensor<4xf32>], [32, dense<1.0> : tensor<4xf32>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// 80 bytes from 0 reach into the next weight at 64.
// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 1 is at offset 64, inside the previous weight (which ends at 80)}}
module attributes {optc.weights = [[0, dense<1.0> : tensor<20xf32>], [64, dense<1.0> : tensor<4xf32>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 0 has elements of type 'i1'; weights are integers of 2 or more bits or floats}}
module attributes {optc.weights = [[0, dense<true> : tensor<4xi1>]], optc.weights_size = 64 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights' ends at byte 136, beyond 'optc.weights_size' (128)}}
module attributes {optc.weights = [[0, dense<1.0> : tensor<4xf32>], [64, dense<1> : tensor<9xi64>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights_size' must be a non-negative i64 multiple of 64, not 100 : i64}}
module attributes {optc.weights = [[0, dense<1.0> : tensor<4xf32>]], optc.weights_size = 100 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights_id' must be a string of 16 lower-case hex digits, not "00112233AABBCCDD"}}
module attributes {optc.weights = [], optc.weights_size = 0 : i64, optc.weights_id = "00112233AABBCCDD"} {
}

// -----

// expected-error @+1 {{'builtin.module' op 'optc.weights_id' must be a string of 16 lower-case hex digits, not "0011"}}
module attributes {optc.weights = [], optc.weights_size = 0 : i64, optc.weights_id = "0011"} {
}

// -----

// optc.qmatmul: a float code table has 2^bits values.
#x = affine_map<(d0, d1, d2) -> (d0, d2)>
#y = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @qmatmul_table(%x: memref<1x8xf32>, %y: memref<1x2xf32>) {
  // expected-error @+1 {{'optc.qmatmul' must be {bits, block, scale_kind : i64, signed, zero_points, tensor_scale, straddles, int8_activations : bool[, code_values : array<f32> of 2^bits values][, scale_values : array<f32> of 256 values, with scale_kind 1]}}}
  linalg.generic {indexing_maps = [#x, #y], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x : memref<1x8xf32>) outs(%y : memref<1x2xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 8 : i64, scale_kind = 0 : i64, signed = false, zero_points = false, tensor_scale = false, straddles = false, int8_activations = false, code_values = array<f32: 0.0, 1.0>}} {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %out : f32
  }
  return
}

// -----

// optc.qmatmul: 8-bit scales (scale_kind 1) come with their table.
func.func @qmatmul_scales(%x: memref<1x8xf32>, %y: memref<1x2xf32>) {
  // expected-error @+1 {{'optc.qmatmul' must be {bits}}
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%x : memref<1x8xf32>) outs(%y : memref<1x2xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 8 : i64, scale_kind = 1 : i64, signed = false, zero_points = false, tensor_scale = false, straddles = false, int8_activations = false}} {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %out : f32
  }
  return
}

// -----

// optc.int8_activations marks a dequantize of weights (--quantize=...-a8),
// nothing else.
func.func @int8_activations_place(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'optc.int8_activations' belongs on an optc.dequantize, not on this operation}}
  %y = optc.relu %x {optc.int8_activations} : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

func.func @int8_activations_value(%q: tensor<4x32xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<4x1xf32>) -> tensor<4x32xf32> {
  // expected-error @+1 {{'optc.int8_activations' must be a unit attribute, not true}}
  %y = optc.dequantize %q, %s {optc.int8_activations = true} : (tensor<4x32xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<4x1xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
