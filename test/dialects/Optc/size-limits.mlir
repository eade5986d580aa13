// RUN: optc-opt %s -split-input-file -verify-diagnostics

// optc's limits per tensor (optc/Support/Sizes.h): every operand and result
// of an optc op has at most 2^40 elements, a dimension of size 0 or of
// unknown size counting as 1, and at most 2^42 bytes. The verifier names
// the op and the operand or result.

// 2^32 x 2^32 elements wrap to 0 in int64.
func.func @operand_overflows(%x: tensor<4294967296x4294967296xf32>) {
  // expected-error @+1 {{'optc.relu' op operand #0 has type 'tensor<4294967296x4294967296xf32>', which exceeds optc's limit of 2^40 elements per tensor (a dimension of size 0 counts as 1)}}
  %0 = optc.relu %x : tensor<4294967296x4294967296xf32>
  return
}

// -----

// No elements, but strides of 2^62 and more.
func.func @empty_but_huge(%x: tensor<0x4611686018427387904xf32>) {
  // expected-error @+1 {{'optc.relu' op operand #0 has type 'tensor<0x4611686018427387904xf32>', which exceeds optc's limit of 2^40 elements per tensor}}
  %0 = optc.relu %x : tensor<0x4611686018427387904xf32>
  return
}

// -----

// An unknown size counts as 1: the static sizes alone exceed the limit.
func.func @dynamic_and_huge(%x: tensor<?x2199023255552xf32>) {
  // expected-error @+1 {{'optc.relu' op operand #0 has type 'tensor<?x2199023255552xf32>', which exceeds optc's limit of 2^40 elements per tensor}}
  %0 = optc.relu %x : tensor<?x2199023255552xf32>
  return
}

// -----

// 2^40 elements of 8 bytes.
func.func @too_many_bytes(%x: tensor<1099511627776xf64>) {
  // expected-error @+1 {{'optc.relu' op operand #0 has type 'tensor<1099511627776xf64>', which exceeds optc's limit of 2^42 bytes per tensor}}
  %0 = optc.relu %x : tensor<1099511627776xf64>
  return
}

// -----

// A result: the operand is small, the declared result is not.
func.func @result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'optc.tile' op result #0 has type 'tensor<2199023255552x3xf32>', which exceeds optc's limit of 2^40 elements per tensor}}
  %0 = optc.tile %x {multiples = array<i64: 1099511627776, 1>} : (tensor<2x3xf32>) -> tensor<2199023255552x3xf32>
  return
}

// -----

// The second operand.
func.func @second_operand(%x: tensor<1xf32>, %y: tensor<2x1099511627776xf32>) {
  // expected-error @+1 {{'optc.add' op operand #1 has type 'tensor<2x1099511627776xf32>', which exceeds optc's limit of 2^40 elements per tensor}}
  %0 = optc.add %x, %y : (tensor<1xf32>, tensor<2x1099511627776xf32>) -> tensor<2x1099511627776xf32>
  return
}

// -----

// At the limits: 2^40 one-byte elements, 2^40 f32 elements (2^42 bytes),
// and a size 0 beside 2^40.
func.func @at_the_limits(%a: tensor<1099511627776xi8>, %b: tensor<1024x1073741824xf32>, %c: tensor<0x1099511627776xi8>) {
  %0 = optc.relu %a : tensor<1099511627776xi8>
  %1 = optc.relu %b : tensor<1024x1073741824xf32>
  %2 = optc.relu %c : tensor<0x1099511627776xi8>
  return
}

// -----

// Ports of a model's interface.
// expected-error @+1 {{port 'x' has type 'tensor<4294967296x4294967296xf32>', which exceeds optc's limit of 2^40 elements per tensor}}
module attributes {optc.interface = #optc.interface<inputs = ["x" : 4294967296x4294967296xf32], outputs = []>} {
}

// -----

// A weight of the side file beyond the limits...
// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 0 has type 'tensor<4294967296x4294967296xf32>', which exceeds optc's limit of 2^40 elements per tensor}}
module attributes {optc.weights = [[0, dense<1.0> : tensor<4294967296x4294967296xf32>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}

// -----

// ... or ending beyond 2^63 bytes.
// expected-error @+1 {{'builtin.module' op 'optc.weights' entry 0 at offset 9223372036854775744 ends beyond 2^63 bytes}}
module attributes {optc.weights = [[9223372036854775744, dense<1.0> : tensor<32xf32>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
}
