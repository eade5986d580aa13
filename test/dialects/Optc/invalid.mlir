// RUN: optc-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the optc dialect. Shape-rule failures are
// reported by result-type inference, which MLIR follows with a generic
// "failed to infer returned types" error, so those cases expect both.

//===----------------------------------------------------------------------===//
// ODS type constraints
//===----------------------------------------------------------------------===//

// A float-only op on integers.
func.func @exp_on_integer(%x: tensor<2xi32>) {
  // expected-error @+1 {{'optc.exp' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<2xi32>'}}
  %0 = optc.exp %x : tensor<2xi32>
  return
}

// -----

// A bool-only op on floats.
func.func @not_on_float(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = optc.not %x : tensor<2xf32>
  return
}

// -----

// siN is rejected: iN is the signed integer type of the dialect.
func.func @add_on_si8(%x: tensor<2xsi8>) {
  // expected-error @+1 {{'optc.add' op operand #0 must be ranked tensor of floating-point or integer (iN signed or uiN unsigned, N > 1) values, but got 'tensor<2xsi8>'}}
  %0 = optc.add %x, %x : (tensor<2xsi8>, tensor<2xsi8>) -> tensor<2xsi8>
  return
}

// -----

func.func @constant_si8() {
  // expected-error @+1 {{'optc.constant' op result #0 must be ranked tensor of floats, integers, bools or quantization codes, but got 'tensor<2xsi8>'}}
  %0 = optc.constant dense<1> : tensor<2xsi8>
  return
}

// -----

// Arithmetic on i1 is rejected.
func.func @reduce_sum_on_bool(%x: tensor<2xi1>) {
  // expected-error @+1 {{'optc.reduce_sum' op operand #0 must be ranked tensor of floating-point or integer (iN signed or uiN unsigned, N > 1) values, but got 'tensor<2xi1>'}}
  %0 = optc.reduce_sum %x {axes = array<i64: 0>} : (tensor<2xi1>) -> tensor<i1>
  return
}

// -----

func.func @avg_pool_on_integer(%x: tensor<1x1x4x4xi32>) {
  // expected-error @+1 {{'optc.avg_pool' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x1x4x4xi32>'}}
  %0 = optc.avg_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32>
  return
}

// -----

func.func @select_condition_not_bool(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2xf32>'}}
  %0 = optc.select %x, %x, %x : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @compare_result_not_bool(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.compare' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2xi8>'}}
  %0 = optc.compare lt, %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi8>
  return
}

// -----

// Indices are i32 or i64.
func.func @gather_i16_indices(%x: tensor<2xf32>, %i: tensor<2xi16>) {
  // expected-error @+1 {{'optc.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xi16>'}}
  %0 = optc.gather %x, %i {axis = 0 : i64} : (tensor<2xf32>, tensor<2xi16>) -> tensor<2xf32>
  return
}

// -----

func.func @arg_max_result_i32(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.arg_max' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<i32>'}}
  %0 = optc.arg_max %x {axis = 0 : i64} : (tensor<2xf32>) -> tensor<i32>
  return
}

// -----

// Unranked tensors are not accepted by the custom syntax.
func.func @unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{custom op 'optc.exp' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %0 = optc.exp %x : tensor<*xf32>
  return
}

// -----

func.func @constant_type_mismatch() {
  // expected-error @+1 {{'optc.constant' op failed to verify that all of {value, output} have same type}}
  %0 = "optc.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return
}

// -----

func.func @unary_type_mismatch(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.exp' op requires the same type for all operands and results}}
  %0 = "optc.exp"(%x) : (tensor<2xf32>) -> tensor<2xf16>
  return
}

// -----

func.func @cast_shape_mismatch(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.cast' op all non-scalar operands/results must have the same shape and base type}}
  %0 = optc.cast %x : tensor<2xf32> -> tensor<3xf16>
  return
}

// -----

func.func @is_nan_shape_mismatch(%x: tensor<2xf32>) {
  // expected-error @+1 {{'optc.is_nan' op all non-scalar operands/results must have the same shape and base type}}
  %0 = "optc.is_nan"(%x) : (tensor<2xf32>) -> tensor<3xi1>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Result types against inference
//===----------------------------------------------------------------------===//

// A declared result type that contradicts the inferred one.
func.func @add_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'optc.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'optc.add' op failed to infer returned types}}
  %0 = optc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Unknown sizes are compatible with anything, but the rank must agree.
func.func @matmul_wrong_result_rank(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) {
  // expected-error @+2 {{'optc.matmul' op inferred type(s) 'tensor<4x5xf32>' are incompatible with return type(s) of operation 'tensor<?x?x?xf32>'}}
  // expected-error @+1 {{'optc.matmul' op failed to infer returned types}}
  %0 = optc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<?x?x?xf32>
  return
}

// -----

// A known size of the declared result contradicts an inferred one even when
// the other sizes are unknown.
func.func @gather_contradicting_size(%x: tensor<3x4xf32>, %i: tensor<?xi64>) {
  // expected-error @+2 {{'optc.gather' op inferred type(s) 'tensor<?x4xf32>' are incompatible with return type(s) of operation 'tensor<?x5xf32>'}}
  // expected-error @+1 {{'optc.gather' op failed to infer returned types}}
  %0 = optc.gather %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<?xi64>) -> tensor<?x5xf32>
  return
}

// -----

func.func @reshape_wrong_element_type(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.reshape' op inferred type(s) 'tensor<6xf32>' are incompatible with return type(s) of operation 'tensor<6xf16>'}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %a {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf16>
  return
}

// -----

func.func @split_wrong_result_count(%a: tensor<4xf32>) {
  // expected-error @+2 {{'optc.split' op inferred type(s) 'tensor<2xf32>', 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'optc.split' op failed to infer returned types}}
  %0 = optc.split %a {axis = 0 : i64, sizes = array<i64: 2, 2>} : (tensor<4xf32>) -> tensor<4xf32>
  return
}
// -----

//===----------------------------------------------------------------------===//
// Element types of operands that must agree
//===----------------------------------------------------------------------===//

func.func @add_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+2 {{'optc.add' op rhs has element type i32 but lhs has f32; they must be the same}}
  // expected-error @+1 {{'optc.add' op failed to infer returned types}}
  %0 = optc.add %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_branches_differ(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+2 {{'optc.select' op on_false has element type f16 but on_true has f32; they must be the same}}
  // expected-error @+1 {{'optc.select' op failed to infer returned types}}
  %0 = optc.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_mixed_precision(%a: tensor<4x8xf16>, %b: tensor<8x5xf32>) {
  // expected-error @+2 {{'optc.matmul' op rhs has element type f32 but lhs has f16; they must be the same}}
  // expected-error @+1 {{'optc.matmul' op failed to infer returned types}}
  %0 = optc.matmul %a, %b : (tensor<4x8xf16>, tensor<8x5xf32>) -> tensor<4x5xf16>
  return
}

// -----

func.func @concat_element_types_differ(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+2 {{'optc.concat' op input 1 has element type f16 but input 0 has f32; they must be the same}}
  // expected-error @+1 {{'optc.concat' op failed to infer returned types}}
  %0 = optc.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @scatter_updates_element_type(%x: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf16>) {
  // expected-error @+2 {{'optc.scatter_elements' op updates has element type f16 but data has f32; they must be the same}}
  // expected-error @+1 {{'optc.scatter_elements' op failed to infer returned types}}
  %0 = optc.scatter_elements none %x, %i, %u {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @layer_norm_scale_element_type(%x: tensor<2x8xf32>, %s: tensor<8xf16>) {
  // expected-error @+2 {{'optc.layer_norm' op scale has element type f16 but input has f32; they must be the same}}
  // expected-error @+1 {{'optc.layer_norm' op failed to infer returned types}}
  %0 = optc.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x8xf32>, tensor<8xf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @batch_norm_variance_element_type(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>, %v: tensor<4xbf16>) {
  // expected-error @+2 {{'optc.batch_norm' op variance has element type bf16 but input has f32; they must be the same}}
  // expected-error @+1 {{'optc.batch_norm' op failed to infer returned types}}
  %0 = optc.batch_norm %x, %c, %c, %c, %v {epsilon = 1.0e-05 : f64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xbf16>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @conv_weight_element_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+2 {{'optc.conv' op weight has element type f16 but input has f32; they must be the same}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

func.func @add_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'optc.add' op shapes 2x3 and 4 are not broadcast-compatible: dimension 1 of the result would be both 3 and 4}}
  // expected-error @+1 {{'optc.add' op failed to infer returned types}}
  %0 = optc.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @compare_not_broadcastable(%a: tensor<?x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{'optc.compare' op shapes ?x3 and 2x5 are not broadcast-compatible: dimension 1 of the result would be both 3 and 5}}
  // expected-error @+1 {{'optc.compare' op failed to infer returned types}}
  %0 = optc.compare eq, %a, %b : (tensor<?x3xf32>, tensor<2x5xf32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @broadcast_rank_too_high(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.broadcast' op cannot broadcast rank 2 to rank 1 (shape 2x3 to 3)}}
  // expected-error @+1 {{'optc.broadcast' op failed to infer returned types}}
  %0 = optc.broadcast %x {shape = array<i64: 3>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_negative_target(%x: tensor<3xf32>) {
  // expected-error @+2 {{'optc.broadcast' op target shape has size -2 at 0 (expected a size >= 0)}}
  // expected-error @+1 {{'optc.broadcast' op failed to infer returned types}}
  %0 = optc.broadcast %x {shape = array<i64: -2, 3>} : (tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @broadcast_incompatible(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.broadcast' op cannot broadcast shape 2x3 to 4x2x5: input dimension 1 is 3, expected 1 or 5}}
  // expected-error @+1 {{'optc.broadcast' op failed to infer returned types}}
  %0 = optc.broadcast %x {shape = array<i64: 4, 2, 5>} : (tensor<2x3xf32>) -> tensor<4x2x5xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

func.func @matmul_scalar_operand(%a: tensor<f32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'optc.matmul' op matmul operands must have rank >= 1, found [] and 4}}
  // expected-error @+1 {{'optc.matmul' op failed to infer returned types}}
  %0 = optc.matmul %a, %b : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_contracting_differs(%a: tensor<4x8xf32>, %b: tensor<7x5xf32>) {
  // expected-error @+2 {{'optc.matmul' op contracting dimensions differ: lhs 4x8 has K = 8 but rhs 7x5 has K = 7}}
  // expected-error @+1 {{'optc.matmul' op failed to infer returned types}}
  %0 = optc.matmul %a, %b : (tensor<4x8xf32>, tensor<7x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

// 1-D operands contract too: a 1-D rhs is a column vector of K.
func.func @matmul_vector_contracting_differs(%a: tensor<4x8xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{'optc.matmul' op contracting dimensions differ: lhs 4x8 has K = 8 but rhs 5 has K = 5}}
  // expected-error @+1 {{'optc.matmul' op failed to infer returned types}}
  %0 = optc.matmul %a, %b : (tensor<4x8xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_batch_not_broadcastable(%a: tensor<2x4x8xf32>, %b: tensor<3x8x5xf32>) {
  // expected-error @+2 {{'optc.matmul' op batch dimensions 2 and 3 do not broadcast}}
  // expected-error @+1 {{'optc.matmul' op failed to infer returned types}}
  %0 = optc.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x4x5xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

func.func @conv_input_rank(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{'optc.conv' op convolution input must be N x C x D1 ... (rank >= 3), found 3x8}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64>, groups = 1 : i64, padding = array<i64>, strides = array<i64>} : (tensor<3x8xf32>, tensor<4x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op weight rank 3 differs from input rank 4}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op expected 2 strides and dilations (one per spatial dimension), found 1 and 2}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_padding_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op expected 4 padding values (2 low then 2 high), found 2}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op strides must be positive}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op dilations must be positive}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 0, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_negative_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op padding must be non-negative}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, -1, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_zero_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op groups must be positive, found 0}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 0 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_input_channels_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op input channels 3 are not divisible by groups 2}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_output_channels_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op output channels 6 are not divisible by groups 4}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_channels_per_group(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op weight has 4 input channels per group, expected 4 / 2 = 2}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

// The dilated kernel (extent 2 * (3 - 1) + 1 = 5) does not fit 3 + 0 + 1.
func.func @conv_window_too_large(%x: tensor<1x3x3x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'optc.conv' op spatial dimension 0: the window of extent 5 (kernel 3, dilation 2) is larger than the padded input of size 4}}
  // expected-error @+1 {{'optc.conv' op failed to infer returned types}}
  %0 = optc.conv %x, %w {dilations = array<i64: 2, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 1, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

func.func @conv_transpose_input_rank(%x: tensor<8x16xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op transposed convolution input must be N x C x D1 ... (rank >= 3), found 8x16}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64>, groups = 1 : i64, output_padding = array<i64>, padding = array<i64>, strides = array<i64>} : (tensor<8x16xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @conv_transpose_weight_rank(%x: tensor<1x8x16xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op weight rank 4 differs from input rank 3}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x8x16xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x18xf32>
  return
}

// -----

func.func @conv_transpose_window(%x: tensor<1x8x16xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op strides must be positive}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: -1>} : (tensor<1x8x16xf32>, tensor<8x4x3xf32>) -> tensor<1x4x18xf32>
  return
}

// -----

func.func @conv_transpose_output_padding_count(%x: tensor<1x8x16xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op expected 1 output_padding values, found 2}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 0, 0>, padding = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x8x16xf32>, tensor<8x4x3xf32>) -> tensor<1x4x33xf32>
  return
}

// -----

func.func @conv_transpose_output_padding_too_large(%x: tensor<1x8x16xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op output_padding 2 of spatial dimension 0 must be non-negative and smaller than its stride or dilation}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 2>, padding = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x8x16xf32>, tensor<8x4x3xf32>) -> tensor<1x4x35xf32>
  return
}

// -----

func.func @conv_transpose_zero_groups(%x: tensor<1x8x16xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op groups must be positive, found 0}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 0 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x8x16xf32>, tensor<8x4x3xf32>) -> tensor<1x4x18xf32>
  return
}

// -----

func.func @conv_transpose_channels_groups(%x: tensor<1x6x16xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op input channels 6 are not divisible by groups 4}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 4 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x6x16xf32>, tensor<6x4x3xf32>) -> tensor<1x16x18xf32>
  return
}

// -----

func.func @conv_transpose_weight_channels(%x: tensor<1x8x16xf32>, %w: tensor<4x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op weight has 4 input channels, expected 8}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x8x16xf32>, tensor<4x4x3xf32>) -> tensor<1x4x18xf32>
  return
}

// -----

// 1 * (2 - 1) + 0 + 1 * (3 - 1) + 1 - 3 - 3 = -2.
func.func @conv_transpose_negative_result(%x: tensor<1x8x2xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op spatial dimension 0 of the result would be negative (-2)}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 0>, padding = array<i64: 3, 3>, strides = array<i64: 1>} : (tensor<1x8x2xf32>, tensor<8x4x3xf32>) -> tensor<1x4x0xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

func.func @pool_input_rank(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.max_pool' op pooling input must be N x C x D1 ... (rank >= 3), found 4x8}}
  // expected-error @+1 {{'optc.max_pool' op failed to infer returned types}}
  %0 = optc.max_pool %x {dilations = array<i64>, kernel_shape = array<i64>, padding = array<i64>, strides = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @pool_kernel_count(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{'optc.max_pool' op expected 2 kernel_shape values, found 1}}
  // expected-error @+1 {{'optc.max_pool' op failed to infer returned types}}
  %0 = optc.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @pool_kernel_not_positive(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{'optc.avg_pool' op kernel_shape must be positive}}
  // expected-error @+1 {{'optc.avg_pool' op failed to infer returned types}}
  %0 = optc.avg_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 0>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x8xf32>
  return
}

// -----

func.func @pool_window(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{'optc.avg_pool' op expected 2 strides and dilations (one per spatial dimension), found 2 and 1}}
  // expected-error @+1 {{'optc.avg_pool' op failed to infer returned types}}
  %0 = optc.avg_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x7x7xf32>
  return
}

// -----

func.func @pool_padding_not_below_kernel(%x: tensor<1x1x8x8xf32>) {
  // expected-error @+2 {{'optc.max_pool' op padding of spatial dimension 1 must be smaller than the kernel size 2}}
  // expected-error @+1 {{'optc.max_pool' op failed to infer returned types}}
  %0 = optc.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 1, 0, 1, 2>, strides = array<i64: 1, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x1x9x10xf32>
  return
}

// -----

func.func @pool_window_too_large(%x: tensor<1x1x2x8xf32>) {
  // expected-error @+2 {{'optc.max_pool' op spatial dimension 0: the window of extent 3 (kernel 3, dilation 1) is larger than the padded input of size 2}}
  // expected-error @+1 {{'optc.max_pool' op failed to infer returned types}}
  %0 = optc.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x8xf32>) -> tensor<1x1x1x6xf32>
  return
}

// -----

func.func @lp_pool_p_below_one(%x: tensor<1x1x8xf32>) {
  // expected-error @+1 {{'optc.lp_pool' op p must be at least 1, found 0}}
  %0 = optc.lp_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, p = 0 : i64, padding = array<i64: 0, 0>, strides = array<i64: 2>} : (tensor<1x1x8xf32>) -> tensor<1x1x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

func.func @reduce_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.reduce_mean' op axes entry 2 is out of range for rank 2 (expected 0 <= axes entry < 2)}}
  // expected-error @+1 {{'optc.reduce_mean' op failed to infer returned types}}
  %0 = optc.reduce_mean %x {axes = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

// Axes are normalised: no negative axes.
func.func @reduce_negative_axis(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.reduce_max' op axes entry -1 is out of range for rank 2 (expected 0 <= axes entry < 2)}}
  // expected-error @+1 {{'optc.reduce_max' op failed to infer returned types}}
  %0 = optc.reduce_max %x {axes = array<i64: -1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @reduce_axes_unsorted(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.reduce_sum' op axes must be sorted and unique, found [1, 0]}}
  // expected-error @+1 {{'optc.reduce_sum' op failed to infer returned types}}
  %0 = optc.reduce_sum %x {axes = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<f32>
  return
}

// -----

func.func @reduce_axes_duplicate(%x: tensor<4x8xi32>) {
  // expected-error @+2 {{'optc.reduce_prod' op axes must be sorted and unique, found [1, 1]}}
  // expected-error @+1 {{'optc.reduce_prod' op failed to infer returned types}}
  %0 = optc.reduce_prod %x {axes = array<i64: 1, 1>} : (tensor<4x8xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @reduce_min_wrong_result(%x: tensor<4x8xi1>) {
  // expected-error @+2 {{'optc.reduce_min' op inferred type(s) 'tensor<4x1xi1>' are incompatible with return type(s) of operation 'tensor<4xi1>'}}
  // expected-error @+1 {{'optc.reduce_min' op failed to infer returned types}}
  %0 = optc.reduce_min %x {axes = array<i64: 1>, keep_dims = true} : (tensor<4x8xi1>) -> tensor<4xi1>
  return
}

// -----

func.func @arg_max_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.arg_max' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.arg_max' op failed to infer returned types}}
  %0 = optc.arg_max %x {axis = 2 : i64} : (tensor<4x8xf32>) -> tensor<4xi64>
  return
}

// -----

func.func @arg_min_empty_axis(%x: tensor<4x0xf32>) {
  // expected-error @+2 {{'optc.arg_min' op cannot take an index along axis 1 of size 0}}
  // expected-error @+1 {{'optc.arg_min' op failed to infer returned types}}
  %0 = optc.arg_min %x {axis = 1 : i64} : (tensor<4x0xf32>) -> tensor<4xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Softmax and normalisations
//===----------------------------------------------------------------------===//

func.func @softmax_axis_out_of_range(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{'optc.softmax' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  %0 = optc.softmax %x {axis = 2 : i64} : tensor<2x10xf32>
  return
}

// -----

func.func @log_softmax_negative_axis(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{'optc.log_softmax' op axis -1 is out of range for rank 2 (expected 0 <= axis < 2)}}
  %0 = optc.log_softmax %x {axis = -1 : i64} : tensor<2x10xf32>
  return
}

// -----

func.func @layer_norm_axis_out_of_range(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+2 {{'optc.layer_norm' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.layer_norm' op failed to infer returned types}}
  %0 = optc.layer_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_scale_rank(%x: tensor<2x8xf32>, %s: tensor<2x8xf32>) {
  // expected-error @+2 {{'optc.layer_norm' op scale of shape 2x8 has a higher rank than the normalised shape 8}}
  // expected-error @+1 {{'optc.layer_norm' op failed to infer returned types}}
  %0 = optc.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'optc.layer_norm' op bias of shape 4 does not broadcast to the normalised shape 8}}
  // expected-error @+1 {{'optc.layer_norm' op failed to infer returned types}}
  %0 = optc.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @rms_norm_scale_shape(%x: tensor<2x3x8xf16>, %s: tensor<2x8xf16>) {
  // expected-error @+2 {{'optc.rms_norm' op scale of shape 2x8 does not broadcast to the normalised shape 3x8}}
  // expected-error @+1 {{'optc.rms_norm' op failed to infer returned types}}
  %0 = optc.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-06 : f64} : (tensor<2x3x8xf16>, tensor<2x8xf16>) -> tensor<2x3x8xf16>
  return
}

// -----

func.func @batch_norm_negative_epsilon(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>) {
  // expected-error @+2 {{'optc.batch_norm' op epsilon must be a non-negative number}}
  // expected-error @+1 {{'optc.batch_norm' op failed to infer returned types}}
  %0 = optc.batch_norm %x, %c, %c, %c, %c {epsilon = -1.0e-05 : f64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @batch_norm_input_rank(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+2 {{'optc.batch_norm' op input must be N x C x ... (rank >= 2), found 4}}
  // expected-error @+1 {{'optc.batch_norm' op failed to infer returned types}}
  %0 = optc.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-05 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_mean_shape(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>, %m: tensor<8xf32>) {
  // expected-error @+2 {{'optc.batch_norm' op mean has 8 values but the input has 4 channels}}
  // expected-error @+1 {{'optc.batch_norm' op failed to infer returned types}}
  %0 = optc.batch_norm %x, %c, %c, %m, %c {epsilon = 1.0e-05 : f64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

// Per-channel parameters are 1-D even when they would broadcast.
func.func @group_norm_scale_rank(%x: tensor<1x4x2x2xf32>, %s: tensor<1x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'optc.group_norm' op scale must be 1-D with one value per channel, found shape 1x4}}
  // expected-error @+1 {{'optc.group_norm' op failed to infer returned types}}
  %0 = optc.group_norm %x, %s, %b {epsilon = 1.0e-05 : f64, num_groups = 2 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @group_norm_zero_groups(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>) {
  // expected-error @+2 {{'optc.group_norm' op num_groups must be positive, found 0}}
  // expected-error @+1 {{'optc.group_norm' op failed to infer returned types}}
  %0 = optc.group_norm %x, %c, %c {epsilon = 1.0e-05 : f64, num_groups = 0 : i64} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @group_norm_groups_do_not_divide(%x: tensor<1x6x2x2xf32>, %c: tensor<6xf32>) {
  // expected-error @+2 {{'optc.group_norm' op channels (6) are not divisible by num_groups (4)}}
  // expected-error @+1 {{'optc.group_norm' op failed to infer returned types}}
  %0 = optc.group_norm %x, %c, %c {epsilon = 1.0e-05 : f64, num_groups = 4 : i64} : (tensor<1x6x2x2xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x2x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// reshape, transpose
//===----------------------------------------------------------------------===//

func.func @reshape_two_computed(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'optc.reshape' op shape -1x-1 has more than one -1 (computed) dimension}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return
}

// -----

func.func @reshape_negative_size(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'optc.reshape' op shape has size -2 at 1 (expected a size >= 0, or -1 for a computed size)}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: 2, -2>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  return
}

// -----

func.func @reshape_not_integral(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'optc.reshape' op cannot reshape 2x3x4 (24 elements) to 5x-1: the computed dimension would not be integral}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: 5, -1>} : (tensor<2x3x4xf32>) -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_element_count(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'optc.reshape' op cannot reshape 2x3x4 (24 elements) to 5x5 (25 elements)}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: 5, 5>} : (tensor<2x3x4xf32>) -> tensor<5x5xf32>
  return
}

// -----

func.func @transpose_permutation_size(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'optc.transpose' op permutation has 2 entries but the input has rank 3}}
  // expected-error @+1 {{'optc.transpose' op failed to infer returned types}}
  %0 = optc.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'optc.transpose' op permutation [0, 2, 2] is not a permutation of 0..2}}
  // expected-error @+1 {{'optc.transpose' op failed to infer returned types}}
  %0 = optc.transpose %x {permutation = array<i64: 0, 2, 2>} : (tensor<2x3x4xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// concat, split
//===----------------------------------------------------------------------===//

func.func @concat_no_inputs() {
  // expected-error @+2 {{'optc.concat' op concat needs at least one input}}
  // expected-error @+1 {{'optc.concat' op failed to infer returned types}}
  %0 = optc.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.concat' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.concat' op failed to infer returned types}}
  %0 = optc.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank_differs(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'optc.concat' op input 1 has rank 1, expected 2}}
  // expected-error @+1 {{'optc.concat' op failed to infer returned types}}
  %0 = optc.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_other_dimension_differs(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+2 {{'optc.concat' op input 1 has shape 2x5, which differs from input 0 of shape 2x3 in dimension 1 (only the concatenation axis 0 may differ)}}
  // expected-error @+1 {{'optc.concat' op failed to infer returned types}}
  %0 = optc.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @split_axis_out_of_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.split' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.split' op failed to infer returned types}}
  %0:2 = optc.split %x {axis = 2 : i64, sizes = array<i64: 4, 4>} : (tensor<4x8xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>)
  return
}

// -----

func.func @split_no_sizes(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.split' op split needs at least one size}}
  // expected-error @+1 {{'optc.split' op failed to infer returned types}}
  optc.split %x {axis = 1 : i64, sizes = array<i64>} : (tensor<4x8xf32>) -> ()
  return
}

// -----

func.func @split_negative_size(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.split' op split sizes must be non-negative}}
  // expected-error @+1 {{'optc.split' op failed to infer returned types}}
  %0:2 = optc.split %x {axis = 1 : i64, sizes = array<i64: 10, -2>} : (tensor<4x8xf32>) -> (tensor<4x10xf32>, tensor<4x0xf32>)
  return
}

// -----

func.func @split_sizes_sum(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.split' op split sizes add up to 7 but dimension 1 has size 8}}
  // expected-error @+1 {{'optc.split' op failed to infer returned types}}
  %0:2 = optc.split %x {axis = 1 : i64, sizes = array<i64: 3, 4>} : (tensor<4x8xf32>) -> (tensor<4x3xf32>, tensor<4x4xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

func.func @slice_attribute_sizes(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.slice' op expected 2 starts, limits and strides (one per dimension), found 2, 1 and 2}}
  // expected-error @+1 {{'optc.slice' op failed to infer returned types}}
  %0 = optc.slice %x {limits = array<i64: 4>, starts = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// Bounds are clamped, so 2:9 on a dimension of 8 has 6 elements, not 7.
func.func @slice_clamped_size(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.slice' op inferred type(s) 'tensor<4x6xf32>' are incompatible with return type(s) of operation 'tensor<4x7xf32>'}}
  // expected-error @+1 {{'optc.slice' op failed to infer returned types}}
  %0 = optc.slice %x {limits = array<i64: 4, 9>, starts = array<i64: 0, 2>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x7xf32>
  return
}

// -----

func.func @slice_zero_stride(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'optc.slice' op stride of dimension 0 is 0 (expected a non-zero value above INT64_MIN)}}
  // expected-error @+1 {{'optc.slice' op failed to infer returned types}}
  %0 = optc.slice %x {limits = array<i64: 4, 8>, starts = array<i64: 0, 0>, strides = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Sizes given at run time
//===----------------------------------------------------------------------===//

func.func @unique_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.unique' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{'optc.unique' op failed to infer returned types}}
  %0:4 = optc.unique %x {axis = 2 : i64} : (tensor<2x3xf32>) -> (tensor<2x?xf32>, tensor<?xi64>, tensor<3xi64>, tensor<?xi64>)
  return
}

// -----

func.func @nms_boxes(%b: tensor<1x6x5xf32>, %s: tensor<1x2x6xf32>, %m: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+2 {{'optc.non_max_suppression' op boxes must be batch x boxes x 4, found 1x6x5}}
  // expected-error @+1 {{'optc.non_max_suppression' op failed to infer returned types}}
  %0 = optc.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x5xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @nms_scores(%b: tensor<1x6x4xf32>, %s: tensor<1x2x5xf32>, %m: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+2 {{'optc.non_max_suppression' op boxes 1x6x4 and scores 1x2x5 disagree on batch or boxes}}
  // expected-error @+1 {{'optc.non_max_suppression' op failed to infer returned types}}
  %0 = optc.non_max_suppression %b, %s, %m, %t, %t : (tensor<1x6x4xf32>, tensor<1x2x5xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @random_dynamic() {
  // expected-error @+1 {{'optc.random_uniform' op needs a static result shape, found 'tensor<?xf32>'}}
  %0 = optc.random_uniform {high = 1.0 : f64, low = 0.0 : f64} : tensor<?xf32>
  return
}

// -----

func.func @random_empty_range() {
  // expected-error @+1 {{'optc.random_uniform' op needs low < high, found [1.000000e+00, 1.000000e+00)}}
  %0 = optc.random_uniform {high = 1.0 : f64, low = 1.0 : f64} : tensor<2xf32>
  return
}

// -----

func.func @random_int() {
  // expected-error @+1 {{'optc.random_uniform' op result #0 must be ranked tensor of floating-point values}}
  %0 = optc.random_uniform {high = 1.0 : f64, low = 0.0 : f64} : tensor<2xi32>
  return
}

// -----

func.func @shape_of_type(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.shape_of' op inferred type(s) 'tensor<2xi64>' are incompatible with return type(s) of operation 'tensor<3xi64>'}}
  // expected-error @+1 {{'optc.shape_of' op failed to infer returned types}}
  %0 = optc.shape_of %x : (tensor<2x3xf32>) -> tensor<3xi64>
  return
}

// -----

func.func @dynamic_reshape_unknown_rank(%x: tensor<2x3xf32>, %s: tensor<?xi64>) {
  // expected-error @+2 {{'optc.dynamic_reshape' op shape must be a 1-D tensor of known length, found shape ?}}
  // expected-error @+1 {{'optc.dynamic_reshape' op failed to infer returned types}}
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @dynamic_reshape_scalar(%x: tensor<2x3xf32>, %s: tensor<0xi64>) {
  // expected-error @+2 {{'optc.dynamic_reshape' op cannot reshape 2x3 (6 elements) to a 0-d tensor}}
  // expected-error @+1 {{'optc.dynamic_reshape' op failed to infer returned types}}
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<0xi64>) -> tensor<f32>
  return
}

// -----

func.func @dynamic_reshape_1d(%x: tensor<2x3xf32>, %s: tensor<1xi64>) {
  // expected-error @+2 {{'optc.dynamic_reshape' op inferred type(s) 'tensor<6xf32>' are incompatible with return type(s) of operation 'tensor<5xf32>'}}
  // expected-error @+1 {{'optc.dynamic_reshape' op failed to infer returned types}}
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<5xf32>
  return
}

// -----

func.func @dynamic_broadcast_known_size(%x: tensor<2x3xf32>, %s: tensor<2xi64>) {
  // expected-error @+2 {{'optc.dynamic_broadcast' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'optc.dynamic_broadcast' op failed to infer returned types}}
  %0 = optc.dynamic_broadcast %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dynamic_broadcast_2d_shape(%x: tensor<2x3xf32>, %s: tensor<2x1xi64>) {
  // expected-error @+2 {{'optc.dynamic_broadcast' op shape must be a 1-D tensor of known length, found shape 2x1}}
  // expected-error @+1 {{'optc.dynamic_broadcast' op failed to infer returned types}}
  %0 = optc.dynamic_broadcast %x, %s : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @range_mixed_types(%a: tensor<i64>, %b: tensor<i32>) {
  // expected-error @+2 {{'optc.range' op limit has element type i32 but start has i64; they must be the same}}
  // expected-error @+1 {{'optc.range' op failed to infer returned types}}
  %0 = optc.range %a, %b, %a : (tensor<i64>, tensor<i32>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_not_scalar(%a: tensor<i64>, %b: tensor<1xi64>) {
  // expected-error @+2 {{'optc.range' op delta must be a 0-d tensor}}
  // expected-error @+1 {{'optc.range' op failed to infer returned types}}
  %0 = optc.range %a, %a, %b : (tensor<i64>, tensor<i64>, tensor<1xi64>) -> tensor<?xi64>
  return
}

// -----

func.func @dynamic_slice_count(%x: tensor<2x3xf32>, %s: tensor<2xi64>, %t: tensor<3xi64>) {
  // expected-error @+2 {{'optc.dynamic_slice' op limits has 3 entries but the input has 2 dimensions}}
  // expected-error @+1 {{'optc.dynamic_slice' op failed to infer returned types}}
  %0 = optc.dynamic_slice %x, %s, %t, %s : (tensor<2x3xf32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @dynamic_slice_indices_type(%x: tensor<2x3xf32>, %s: tensor<2xi32>) {
  // expected-error @+1 {{'optc.dynamic_slice' op operand #1 must be ranked tensor of 64-bit signless integer values}}
  %0 = optc.dynamic_slice %x, %s, %s, %s : (tensor<2x3xf32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @dynamic_pad_value_in_edge_mode(%x: tensor<2x3xf32>, %s: tensor<2xi64>, %v: tensor<f32>) {
  // expected-error @+2 {{'optc.dynamic_pad' op takes a padding value only in constant mode, not in edge mode}}
  // expected-error @+1 {{'optc.dynamic_pad' op failed to infer returned types}}
  %0 = optc.dynamic_pad edge %x, %s, %s, %v : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @dynamic_pad_count(%x: tensor<2x3xf32>, %s: tensor<2xi64>, %t: tensor<4xi64>) {
  // expected-error @+2 {{'optc.dynamic_pad' op high has 4 entries but the input has 2 dimensions}}
  // expected-error @+1 {{'optc.dynamic_pad' op failed to infer returned types}}
  %0 = optc.dynamic_pad constant %x, %s, %t : (tensor<2x3xf32>, tensor<2xi64>, tensor<4xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @dynamic_tile_count(%x: tensor<2x3xf32>, %m: tensor<3xi64>) {
  // expected-error @+2 {{'optc.dynamic_tile' op multiples has 3 entries but the input has 2 dimensions}}
  // expected-error @+1 {{'optc.dynamic_tile' op failed to infer returned types}}
  %0 = optc.dynamic_tile %x, %m : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pad, tile
//===----------------------------------------------------------------------===//

func.func @pad_value_in_reflect_mode(%x: tensor<2x3xf32>, %v: tensor<f32>) {
  // expected-error @+2 {{'optc.pad' op takes a padding value only in constant mode, not in reflect mode}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad reflect %x, %v {high = array<i64: 1, 1>, low = array<i64: 1, 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_value_not_scalar(%x: tensor<2x3xf32>, %v: tensor<1xf32>) {
  // expected-error @+2 {{'optc.pad' op padding value must be a 0-d tensor of the input's element type}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad constant %x, %v {high = array<i64: 1, 1>, low = array<i64: 1, 1>} : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_value_element_type(%x: tensor<2x3xf32>, %v: tensor<f16>) {
  // expected-error @+2 {{'optc.pad' op padding value must be a 0-d tensor of the input's element type}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad constant %x, %v {high = array<i64: 1, 1>, low = array<i64: 1, 1>} : (tensor<2x3xf32>, tensor<f16>) -> tensor<4x5xf32>
  return
}

// -----

// Edge mode has no element to copy in an empty dimension.
func.func @pad_edge_empty_dimension(%x: tensor<0x3xf32>) {
  // expected-error @+2 {{'optc.pad' op cannot pad an empty dimension in edge mode}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad edge %x {high = array<i64: 1, 0>, low = array<i64: 1, 0>} : (tensor<0x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.pad' op expected 2 low and high pads (one per dimension), found 2 and 1}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad constant %x {high = array<i64: 1>, low = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_wrap_cannot_crop(%x: tensor<?x3xf32>) {
  // expected-error @+2 {{'optc.pad' op reflect and wrap padding cannot crop: pads of dimension 0 must be non-negative}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad wrap %x {high = array<i64: 0, 0>, low = array<i64: -1, 0>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

// Reflect pads are at most size - 1.
func.func @pad_reflect_too_large(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.pad' op dimension 1 of size 3 can take pads of at most 2 in this mode, found 1 and 3}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad reflect %x {high = array<i64: 0, 3>, low = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  return
}

// -----

// Wrap pads are at most size.
func.func @pad_wrap_too_large(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.pad' op dimension 0 of size 2 can take pads of at most 2 in this mode, found 3 and 0}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad wrap %x {high = array<i64: 0, 0>, low = array<i64: 3, 0>} : (tensor<2x3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @pad_crop_too_much(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.pad' op pads -2 and -2 crop more than the 3 elements of dimension 1}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad constant %x {high = array<i64: 0, -2>, low = array<i64: 0, -2>} : (tensor<2x3xf32>) -> tensor<2x0xf32>
  return
}

// -----

func.func @tile_count(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.tile' op expected 2 multiples (one per dimension), found 3}}
  // expected-error @+1 {{'optc.tile' op failed to infer returned types}}
  %0 = optc.tile %x {multiples = array<i64: 1, 2, 3>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @tile_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.tile' op multiples must be non-negative}}
  // expected-error @+1 {{'optc.tile' op failed to infer returned types}}
  %0 = optc.tile %x {multiples = array<i64: 1, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

func.func @gather_axis_out_of_range(%x: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'optc.gather' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.gather' op failed to infer returned types}}
  %0 = optc.gather %x, %i {axis = 2 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{'optc.gather_elements' op indices have rank 1 but data has rank 2; they must be equal}}
  // expected-error @+1 {{'optc.gather_elements' op failed to infer returned types}}
  %0 = optc.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_elements_axis(%x: tensor<3x4xf32>, %i: tensor<3x2xi32>) {
  // expected-error @+2 {{'optc.gather_elements' op axis -1 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.gather_elements' op failed to infer returned types}}
  %0 = optc.gather_elements %x, %i {axis = -1 : i64} : (tensor<3x4xf32>, tensor<3x2xi32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @gather_nd_scalar_indices(%x: tensor<4x5xf32>, %i: tensor<i64>) {
  // expected-error @+2 {{'optc.gather_nd' op data and indices must have rank >= 1, found 4x5 and []}}
  // expected-error @+1 {{'optc.gather_nd' op failed to infer returned types}}
  %0 = optc.gather_nd %x, %i : (tensor<4x5xf32>, tensor<i64>) -> tensor<5xf32>
  return
}

// -----

func.func @gather_nd_dynamic_tuple(%x: tensor<4x5xf32>, %i: tensor<3x?xi64>) {
  // expected-error @+2 {{'optc.gather_nd' op the last dimension of indices (the tuple length) must be static}}
  // expected-error @+1 {{'optc.gather_nd' op failed to infer returned types}}
  %0 = optc.gather_nd %x, %i : (tensor<4x5xf32>, tensor<3x?xi64>) -> tensor<3x?xf32>
  return
}

// -----

func.func @gather_nd_batch_dims(%x: tensor<4x5xf32>, %i: tensor<4x1xi64>) {
  // expected-error @+2 {{'optc.gather_nd' op batch_dims 2 must be in [0, min(rank(data), rank(indices)))}}
  // expected-error @+1 {{'optc.gather_nd' op failed to infer returned types}}
  %0 = optc.gather_nd %x, %i {batch_dims = 2 : i64} : (tensor<4x5xf32>, tensor<4x1xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_nd_tuple_too_long(%x: tensor<4x5xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+2 {{'optc.gather_nd' op index tuples of length 3 after 0 batch dimensions do not fit data of rank 2}}
  // expected-error @+1 {{'optc.gather_nd' op failed to infer returned types}}
  %0 = optc.gather_nd %x, %i : (tensor<4x5xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_batch_dimension_differs(%x: tensor<4x5x6xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+2 {{'optc.gather_nd' op batch dimension 0 differs: data 4, indices 3}}
  // expected-error @+1 {{'optc.gather_nd' op failed to infer returned types}}
  %0 = optc.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<4x5x6xf32>, tensor<3x1xi64>) -> tensor<3x6xf32>
  return
}

// -----

func.func @scatter_elements_rank(%x: tensor<3x3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) {
  // expected-error @+2 {{'optc.scatter_elements' op indices have rank 1 but data has rank 2; they must be equal}}
  // expected-error @+1 {{'optc.scatter_elements' op failed to infer returned types}}
  %0 = optc.scatter_elements add %x, %i, %u {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @scatter_elements_axis(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.scatter_elements' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.scatter_elements' op failed to infer returned types}}
  %0 = optc.scatter_elements none %x, %i, %u {axis = 2 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @scatter_elements_updates_shape(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x2xf32>) {
  // expected-error @+2 {{'optc.scatter_elements' op updates of shape 2x2 differ from indices of shape 2x3}}
  // expected-error @+1 {{'optc.scatter_elements' op failed to infer returned types}}
  %0 = optc.scatter_elements max %x, %i, %u {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x2xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @scatter_nd_tuple_too_long(%x: tensor<8xf32>, %i: tensor<4x2xi64>, %u: tensor<4xf32>) {
  // expected-error @+2 {{'optc.scatter_nd' op index tuples of length 2 after 0 batch dimensions do not fit data of rank 1}}
  // expected-error @+1 {{'optc.scatter_nd' op failed to infer returned types}}
  %0 = optc.scatter_nd none %x, %i, %u : (tensor<8xf32>, tensor<4x2xi64>, tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @scatter_nd_updates_shape(%x: tensor<8x2xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) {
  // expected-error @+2 {{'optc.scatter_nd' op updates must have shape 4x2 (indices.shape[:-1] + data.shape[q:]), found 4}}
  // expected-error @+1 {{'optc.scatter_nd' op failed to infer returned types}}
  %0 = optc.scatter_nd add %x, %i, %u : (tensor<8x2xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8x2xf32>
  return
}

// -----

func.func @scatter_nd_updates_element_type(%x: tensor<8xf32>, %i: tensor<4x1xi64>, %u: tensor<4xi32>) {
  // expected-error @+2 {{'optc.scatter_nd' op updates has element type i32 but data has f32; they must be the same}}
  // expected-error @+1 {{'optc.scatter_nd' op failed to infer returned types}}
  %0 = optc.scatter_nd none %x, %i, %u : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xi32>) -> tensor<8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Sizes that overflow int64 are errors, not wrapped shapes
//===----------------------------------------------------------------------===//

// dilation * (kernel - 1) = 2^63.
func.func @pool_window_overflow(%x: tensor<1x1x8xf32>) {
  // expected-error @+2 {{'optc.max_pool' op spatial dimension 0: window or padded size overflows int64}}
  // expected-error @+1 {{'optc.max_pool' op failed to infer returned types}}
  %0 = optc.max_pool %x {dilations = array<i64: 4611686018427387904>, kernel_shape = array<i64: 3>, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x1x8xf32>) -> tensor<1x1x1xf32>
  return
}

// -----

// stride * (size - 1) = 2^24 * (2^40 - 1), from an input within the
// limits per tensor.
func.func @conv_transpose_result_overflow(%x: tensor<1x1x1099511627776xf32>, %w: tensor<1x1x1xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op spatial dimension 0 of the result overflows int64}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1>, groups = 1 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 16777216>} : (tensor<1x1x1099511627776xf32>, tensor<1x1x1xf32>) -> tensor<1x1x?xf32>
  return
}

// -----

// 2^32 * 2^32 elements.
func.func @reshape_count_overflow(%x: tensor<1xf32>) {
  // expected-error @+2 {{'optc.reshape' op shape 4294967296x4294967296 has more elements than int64 can count}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: 4294967296, 4294967296>} : (tensor<1xf32>) -> tensor<?x?xf32>
  return
}

// -----

// 7 * 7905747460161236407 wraps to exactly 1 (mod 2^64): without the check a
// 1-element tensor would reshape to this huge shape.
func.func @reshape_count_wraps_to_input_count(%x: tensor<1xf32>) {
  // expected-error @+2 {{'optc.reshape' op shape 7x7905747460161236407 has more elements than int64 can count}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: 7, 7905747460161236407>} : (tensor<1xf32>) -> tensor<?x?xf32>
  return
}

// -----

// -stride is not representable.
func.func @slice_stride_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+2 {{'optc.slice' op stride of dimension 0 is -9223372036854775808 (expected a non-zero value above INT64_MIN)}}
  // expected-error @+1 {{'optc.slice' op failed to infer returned types}}
  %0 = optc.slice %x {limits = array<i64: -1>, starts = array<i64: 3>, strides = array<i64: -9223372036854775808>} : (tensor<4xf32>) -> tensor<1xf32>
  return
}

// -----

// 2 + (2^63 - 1).
func.func @pad_overflow(%x: tensor<2xf32>) {
  // expected-error @+2 {{'optc.pad' op pads of dimension 0 overflow int64}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad constant %x {high = array<i64: 9223372036854775807>, low = array<i64: 0>} : (tensor<2xf32>) -> tensor<?xf32>
  return
}

// -----

// 2^40 * 2^23.
func.func @tile_overflow(%x: tensor<1099511627776xi8>) {
  // expected-error @+2 {{'optc.tile' op dimension 0 of the result overflows int64}}
  // expected-error @+1 {{'optc.tile' op failed to infer returned types}}
  %0 = optc.tile %x {multiples = array<i64: 8388608>} : (tensor<1099511627776xi8>) -> tensor<?xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// fusion, yield
//===----------------------------------------------------------------------===//

// The generic form can give the body another number of arguments.
func.func @fusion_argument_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'optc.fusion' op body has 2 arguments but the op has 1 operands; they must correspond}}
  %0 = "optc.fusion"(%x) ({
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    "optc.yield"(%a) : (tensor<4xf32>) -> ()
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_argument_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'optc.fusion' op body argument 0 has type 'tensor<4xf16>' but operand 0 has type 'tensor<4xf32>'}}
  %0 = "optc.fusion"(%x) ({
  ^bb0(%a: tensor<4xf16>):
    %e = "optc.cast"(%a) : (tensor<4xf16>) -> tensor<4xf32>
    "optc.yield"(%e) : (tensor<4xf32>) -> ()
  }) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A terminator other than optc.yield.
func.func @fusion_not_ending_with_yield(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'optc.fusion' op body must end with optc.yield}}
  %0 = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
    ub.unreachable
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_yield_count(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'optc.fusion' op yields 1 values but has 2 results}}
  %0:2 = optc.fusion (%a = %x : tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
    %e = optc.exp %a : tensor<4xf32>
    optc.yield %e : tensor<4xf32>
  }
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @fusion_yield_type(%x: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{'optc.fusion' op yielded value 0 has type 'tensor<4xf32>' but result 0 has type 'tensor<4xi1>'}}
  %0 = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xi1> {
    optc.yield %a : tensor<4xf32>
  }
  return %0 : tensor<4xi1>
}

// -----

func.func @fusion_empty_body(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'optc.fusion' op expects a non-empty block}}
  %0 = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_no_region() {
  // expected-error @+1 {{'optc.fusion' op region #0 ('body') failed to verify constraint: region with 1 blocks}}
  "optc.fusion"() ({}) : () -> ()
  return
}

// -----

// The region is isolated from above.
func.func @fusion_uses_outer_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = optc.fusion () -> tensor<4xf32> {
    // expected-error @+1 {{'optc.exp' op using value defined outside the region}}
    %e = optc.exp %x : tensor<4xf32>
    optc.yield %e : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @yield_outside_fusion(%x: tensor<4xf32>) {
  // expected-error @+1 {{'optc.yield' op expects parent op 'optc.fusion'}}
  optc.yield %x : tensor<4xf32>
}

// -----

// Per-channel parameters agree with each other when the input's channel
// count is unknown.
func.func @batch_norm_params_disagree(%x: tensor<1x?x4x4xf32>, %s: tensor<64xf32>, %b: tensor<32xf32>) {
  // expected-error @+2 {{'optc.batch_norm' op bias has 32 values but scale has 64 channels}}
  // expected-error @+1 {{'optc.batch_norm' op failed to infer returned types}}
  %0 = optc.batch_norm %x, %s, %b, %s, %s {epsilon = 1.0e-05 : f64} : (tensor<1x?x4x4xf32>, tensor<64xf32>, tensor<32xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x?x4x4xf32>
  return
}

// -----

// The group count divides the channel count known from the parameters.
func.func @group_norm_groups_vs_param_channels(%x: tensor<2x?x4xf32>, %s: tensor<32xf32>) {
  // expected-error @+2 {{'optc.group_norm' op channels (32) are not divisible by num_groups (5)}}
  // expected-error @+1 {{'optc.group_norm' op failed to infer returned types}}
  %0 = optc.group_norm %x, %s, %s {num_groups = 5 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x?x4xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x?x4xf32>
  return
}

// -----

// scale and bias must broadcast to one normalised shape even when the
// input does not know it.
func.func @layer_norm_params_disagree(%x: tensor<2x?xf32>, %s: tensor<768xf32>, %b: tensor<512xf32>) {
  // expected-error @+2 {{'optc.layer_norm' op bias of shape 512 does not broadcast to the normalised shape 768}}
  // expected-error @+1 {{'optc.layer_norm' op failed to infer returned types}}
  %0 = optc.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x?xf32>, tensor<768xf32>, tensor<512xf32>) -> tensor<2x?xf32>
  return
}

// -----

func.func @layer_norm_negative_epsilon(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+2 {{'optc.layer_norm' op epsilon must be a non-negative number}}
  // expected-error @+1 {{'optc.layer_norm' op failed to infer returned types}}
  %0 = optc.layer_norm %x, %s {axis = 1 : i64, epsilon = -1.0 : f64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @rms_norm_nan_epsilon(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+2 {{'optc.rms_norm' op epsilon must be a non-negative number}}
  // expected-error @+1 {{'optc.rms_norm' op failed to infer returned types}}
  %0 = optc.rms_norm %x, %s {axis = 1 : i64, epsilon = 0x7FF8000000000000 : f64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @group_norm_negative_epsilon(%x: tensor<2x4x3xf32>, %s: tensor<4xf32>) {
  // expected-error @+2 {{'optc.group_norm' op epsilon must be a non-negative number}}
  // expected-error @+1 {{'optc.group_norm' op failed to infer returned types}}
  %0 = optc.group_norm %x, %s, %s {num_groups = 2 : i64, epsilon = -1.0e-05 : f64} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

// The broadcast target is static: the dynamic marker is not a size.
func.func @broadcast_target_dynamic_marker(%x: tensor<3xf32>) {
  // expected-error @+2 {{'optc.broadcast' op target shape has size -9223372036854775808 at 0 (expected a size >= 0)}}
  // expected-error @+1 {{'optc.broadcast' op failed to infer returned types}}
  %0 = optc.broadcast %x {shape = array<i64: -9223372036854775808, 3>} : (tensor<3xf32>) -> tensor<?x3xf32>
  return
}

// -----

// The message names the operand that fixed the clashing size.
func.func @select_names_the_clashing_operand(%c: tensor<1xi1>, %a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'optc.select' op shapes 3 and 4 are not broadcast-compatible: dimension 0 of the result would be both 3 and 4}}
  // expected-error @+1 {{'optc.select' op failed to infer returned types}}
  %0 = optc.select %c, %a, %b : (tensor<1xi1>, tensor<3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_names_the_input_that_fixed_the_size(%a: tensor<?x3xf32>, %b: tensor<2x3xf32>, %c: tensor<4x3xf32>) {
  // expected-error @+2 {{'optc.concat' op input 2 has shape 4x3, which differs from input 1 of shape 2x3 in dimension 0 (only the concatenation axis 1 may differ)}}
  // expected-error @+1 {{'optc.concat' op failed to infer returned types}}
  %0 = optc.concat %a, %b, %c {axis = 1 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<?x9xf32>
  return
}

// -----

func.func @reshape_computed_dimension_of_zero(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'optc.reshape' op cannot compute the -1 dimension of 0x-1: the other sizes multiply to 0}}
  // expected-error @+1 {{'optc.reshape' op failed to infer returned types}}
  %0 = optc.reshape %x {shape = array<i64: 0, -1>} : (tensor<2x3xf32>) -> tensor<0x?xf32>
  return
}

// -----

func.func @scatter_nd_scalar_data(%d: tensor<f32>, %i: tensor<1x1xi64>, %u: tensor<1xf32>) {
  // expected-error @+2 {{'optc.scatter_nd' op data and indices must have rank >= 1, found [] and 1x1}}
  // expected-error @+1 {{'optc.scatter_nd' op failed to infer returned types}}
  %0 = optc.scatter_nd none %d, %i, %u : (tensor<f32>, tensor<1x1xi64>, tensor<1xf32>) -> tensor<f32>
  return
}

// -----

// A dense_resource blob must hold exactly the tensor's bytes.
func.func @resource_too_short() {
  // expected-error @+1 {{'optc.constant' op dense_resource 'short' holds 2 bytes but 'tensor<4xf16>' needs 8}}
  %0 = optc.constant dense_resource<short> : tensor<4xf16>
  return
}

{-#
  dialect_resources: {
    builtin: {
      short: "0x040000000000"
    }
  }
#-}

// -----

func.func @sparse_constant() {
  // expected-error @+1 {{'optc.constant' op value must be a dense<...> or dense_resource<...> attribute}}
  %0 = optc.constant sparse<[[0]], [1.0]> : tensor<4xf32>
  return
}

// -----

func.func @cast_saturate_on_wide_float(%x: tensor<4xf64>) {
  // expected-error @+1 {{'optc.cast' op 'saturate = false' only applies to casts to float formats of 8 bits or fewer, not to 'f32'}}
  %0 = optc.cast %x {saturate = false} : tensor<4xf64> -> tensor<4xf32>
  return
}

// -----

func.func @gather_elements_indices_larger_than_data(%x: tensor<3x4xf32>, %i: tensor<5x2xi64>) {
  // expected-error @+2 {{'optc.gather_elements' op indices of shape 5x2 are larger than the data of shape 3x4 in dimension 0, which is not the axis}}
  // expected-error @+1 {{'optc.gather_elements' op failed to infer returned types}}
  %0 = optc.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5x2xf32>
  return
}

// -----

func.func @scatter_elements_indices_larger_than_data(%x: tensor<3x4xf32>, %i: tensor<2x5xi64>, %u: tensor<2x5xf32>) {
  // expected-error @+2 {{'optc.scatter_elements' op indices of shape 2x5 are larger than the data of shape 3x4 in dimension 1, which is not the axis}}
  // expected-error @+1 {{'optc.scatter_elements' op failed to infer returned types}}
  %0 = optc.scatter_elements none %x, %i, %u {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2x5xi64>, tensor<2x5xf32>) -> tensor<3x4xf32>
  return
}

// -----

// Operands within the limits per tensor cannot overflow the concatenated
// size; this one is beyond them.
func.func @concat_size_overflow(%a: tensor<9223372036854775000xi8>, %b: tensor<1000xi8>) {
  // expected-error @+1 {{'optc.concat' op operand #0 has type 'tensor<9223372036854775000xi8>', which exceeds optc's limit of 2^40 elements per tensor (a dimension of size 0 counts as 1)}}
  %0 = optc.concat %a, %b {axis = 0 : i64} : (tensor<9223372036854775000xi8>, tensor<1000xi8>) -> tensor<?xi8>
  return
}

// -----

func.func @split_sizes_overflow(%x: tensor<?xf32>) {
  // expected-error @+2 {{'optc.split' op split sizes [9223372036854775807, 9223372036854775807, 2] overflow int64}}
  // expected-error @+1 {{'optc.split' op failed to infer returned types}}
  %0:3 = optc.split %x {axis = 0 : i64, sizes = array<i64: 9223372036854775807, 9223372036854775807, 2>} : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @conv_transpose_pad_overflow(%x: tensor<1x1x4xf32>, %w: tensor<1x1x2xf32>) {
  // expected-error @+2 {{'optc.conv_transpose' op spatial dimension 0 of the result overflows int64}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, padding = array<i64: 9223372036854775807, 9223372036854775807>, output_padding = array<i64: 0>, groups = 1 : i64} : (tensor<1x1x4xf32>, tensor<1x1x2xf32>) -> tensor<1x1x?xf32>
  return
}

// -----

func.func @conv_transpose_channel_overflow(%x: tensor<1x?x4xi8>, %w: tensor<1x1099511627776x1xi8>) {
  // expected-error @+2 {{'optc.conv_transpose' op output channels (1099511627776 x 8388608 groups) overflow int64}}
  // expected-error @+1 {{'optc.conv_transpose' op failed to infer returned types}}
  %0 = optc.conv_transpose %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, padding = array<i64: 0, 0>, output_padding = array<i64: 0>, groups = 8388608 : i64} : (tensor<1x?x4xi8>, tensor<1x1099511627776x1xi8>) -> tensor<1x?x4xi8>
  return
}

// -----

func.func @pad_min_crop(%x: tensor<5xf32>) {
  // expected-error @+2 {{'optc.pad' op pads -9223372036854775808 and 9223372036854775807 crop more than the 5 elements of dimension 0}}
  // expected-error @+1 {{'optc.pad' op failed to infer returned types}}
  %0 = optc.pad constant %x {low = array<i64: -9223372036854775808>, high = array<i64: 9223372036854775807>} : (tensor<5xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @resource_without_data() {
  // expected-error @+1 {{'optc.constant' op dense_resource 'missing' has no data}}
  %0 = optc.constant dense_resource<missing> : tensor<4xf16>
  return
}

// -----

func.func @cum_sum_axis_out_of_range(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{'optc.cum_sum' op axis 2 is out of range for rank 2 (expected 0 <= axis < 2)}}
  %0 = optc.cum_sum %x {axis = 2 : i64} : tensor<2x5xf32>
  return
}

// -----

func.func @cum_prod_axis_out_of_range(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{'optc.cum_prod' op axis -1 is out of range for rank 2 (expected 0 <= axis < 2)}}
  %0 = optc.cum_prod %x {axis = -1 : i64} : tensor<2x5xf32>
  return
}

// -----

func.func @top_k_too_many(%x: tensor<2x5xf32>) {
  // expected-error @+2 {{'optc.top_k' op k = 6 must be in [0, 5] for the axis}}
  // expected-error @+1 {{'optc.top_k' op failed to infer returned types}}
  %v, %i = optc.top_k %x {axis = 1 : i64, k = 6 : i64} : (tensor<2x5xf32>) -> (tensor<2x6xf32>, tensor<2x6xi64>)
  return
}

// -----

func.func @top_k_axis(%x: tensor<2x5xf32>) {
  // expected-error @+2 {{'optc.top_k' op axis 3 is out of range for rank 2 (expected 0 <= axis < 2)}}
  // expected-error @+1 {{'optc.top_k' op failed to infer returned types}}
  %v, %i = optc.top_k %x {axis = 3 : i64, k = 1 : i64} : (tensor<2x5xf32>) -> (tensor<2x1xf32>, tensor<2x1xi64>)
  return
}

// -----

func.func @bitcast_widths(%x: tensor<4xf32>) {
  // expected-error @+1 {{'optc.bitcast' op element types must have the same width, found 'f32' (32 bits) and 'f16' (16 bits)}}
  %0 = optc.bitcast %x : tensor<4xf32> -> tensor<4xf16>
  return
}

// -----

func.func @bitcast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'optc.bitcast' op all non-scalar operands/results must have the same shape and base type}}
  %0 = optc.bitcast %x : tensor<4xf32> -> tensor<2xi32>
  return
}
