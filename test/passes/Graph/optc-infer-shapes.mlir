// RUN: optc-opt %s --optc-infer-shapes -split-input-file -verify-diagnostics | FileCheck %s

// Unknown sizes the rules can deduce become static, op after op, and the
// function's result type follows.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: -> tensor<2x5xf32>
// CHECK: optc.add %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: optc.exp %{{.*}} : tensor<2x3xf32>
// CHECK: optc.matmul %{{.*}} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
// CHECK: optc.cast %{{.*}} : tensor<2x5xf16> -> tensor<2x5xf32>
func.func @chain(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %w: tensor<3x5xf32>) -> tensor<?x?xf32> {
  %0 = optc.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x?xf32>
  %1 = optc.exp %0 : tensor<?x?xf32>
  %2 = optc.matmul %1, %w : (tensor<?x?xf32>, tensor<3x5xf32>) -> tensor<?x?xf32>
  %3 = optc.cast %2 : tensor<?x?xf32> -> tensor<?x?xf16>
  %4 = optc.cast %3 : tensor<?x?xf16> -> tensor<?x?xf32>
  return %4 : tensor<?x?xf32>
}

// -----

// Declared sizes are kept where the rule cannot know them (an unknown input
// dimension), and known ones are taken from the rule.
// CHECK-LABEL: func.func @keeps_declared
// CHECK: optc.reduce_sum %{{.*}} {axes = array<i64: 1>} : (tensor<?x8xf32>) -> tensor<4xf32>
// CHECK: optc.reshape %{{.*}} {shape = array<i64: -1, 4>} : (tensor<?x8xf32>) -> tensor<?x4xf32>
func.func @keeps_declared(%x: tensor<?x8xf32>) -> (tensor<4xf32>, tensor<?x?xf32>) {
  %0 = optc.reduce_sum %x {axes = array<i64: 1>} : (tensor<?x8xf32>) -> tensor<4xf32>
  %1 = optc.reshape %x {shape = array<i64: -1, 4>} : (tensor<?x8xf32>) -> tensor<?x?xf32>
  return %0, %1 : tensor<4xf32>, tensor<?x?xf32>
}

// -----

// Fusion arguments follow their operands; fusion results follow the body.
// CHECK-LABEL: func.func @fusion
// CHECK: optc.fusion (%[[A:.*]] = %{{.*}} : tensor<4x3xf32>, %{{.*}} = %{{.*}} : tensor<3xf32>) -> tensor<4x3xf32>
// CHECK: optc.sub %[[A]], %{{.*}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK: optc.yield %{{.*}} : tensor<4x3xf32>
// CHECK: optc.softmax %{{.*}} {axis = 1 : i64} : tensor<4x3xf32>
func.func @fusion(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = optc.relu %x : tensor<4x3xf32>
  %r = optc.fusion (%a = %0 : tensor<4x3xf32>, %c = %b : tensor<3xf32>) -> tensor<?x3xf32> {
    %s = optc.sub %a, %c : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    optc.yield %s : tensor<?x3xf32>
  }
  %p = optc.softmax %r {axis = 1 : i64} : tensor<?x3xf32>
  return %p : tensor<?x3xf32>
}

// -----

// A function that is called keeps its signature: refined values are cast
// back to the declared result type.
// CHECK-LABEL: func.func private @callee
// CHECK-SAME: -> tensor<?xf32>
// CHECK: %[[B:.*]] = optc.broadcast %{{.*}} {shape = array<i64: 4>} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[B]] : tensor<4xf32> to tensor<?xf32>
// CHECK: return %[[C]]
func.func private @callee(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = optc.neg %x : tensor<4xf32>
  %1 = optc.broadcast %0 {shape = array<i64: 4>} : (tensor<4xf32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}
// CHECK-LABEL: func.func @caller
func.func @caller(%x: tensor<4xf32>) -> tensor<?xf32> {
  %0 = func.call @callee(%x) : (tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Multi-result ops are refined result by result.
// CHECK-LABEL: func.func @split
// CHECK: optc.split %{{.*}} : (tensor<6x2xi64>) -> (tensor<2x2xi64>, tensor<4x2xi64>)
func.func @split(%x: tensor<6x2xi64>) -> (tensor<?x2xi64>, tensor<?x?xi64>) {
  %0:2 = optc.split %x {axis = 0 : i64, sizes = array<i64: 2, 4>} : (tensor<6x2xi64>) -> (tensor<?x2xi64>, tensor<?x?xi64>)
  return %0#0, %0#1 : tensor<?x2xi64>, tensor<?x?xi64>
}

// -----

// A declared size that contradicts what the operands now give is an error
// naming both.
func.func @contradiction(%x: tensor<4xf32>) -> tensor<5xf32> {
  %0 = optc.reshape %x {shape = array<i64: -1>} : (tensor<4xf32>) -> tensor<?xf32>
  // expected-error @+1 {{'optc.add' op result 0 is declared 'tensor<5xf32>' but its operands give 'tensor<4xf32>'}}
  %1 = optc.add %0, %0 : (tensor<?xf32>, tensor<?xf32>) -> tensor<5xf32>
  return %1 : tensor<5xf32>
}

// -----

// A shape rule broken by a refined operand is reported by the rule.
func.func @broken_rule(%x: tensor<2x3xf32>) -> tensor<5x3xf32> {
  %0 = optc.reshape %x {shape = array<i64: -1, 3>} : (tensor<2x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{'optc.broadcast' op cannot broadcast shape 2x3 to 5x3: input dimension 0 is 2, expected 1 or 5}}
  %1 = optc.broadcast %0 {shape = array<i64: 5, 3>} : (tensor<?x3xf32>) -> tensor<5x3xf32>
  return %1 : tensor<5x3xf32>
}

// -----

// A refined size beyond optc's limits per tensor is refused where it is
// inferred (the verifier runs once per stage, after later passes).
func.func @beyond_the_limits(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'optc.tile' op result #0 has type 'tensor<2199023255552x3xf32>', which exceeds optc's limit of 2^40 elements per tensor (a dimension of size 0 counts as 1)}}
  %0 = optc.tile %x {multiples = array<i64: 1099511627776, 1>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Users of other dialects keep the type they had, through a tensor.cast.
// CHECK-LABEL: func.func @foreign_users
// CHECK: %[[N:.*]] = optc.neg %{{.*}} : tensor<4xf32>
// CHECK: %[[R:.*]] = optc.reshape %[[N]] {shape = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<4xf32> to tensor<?xf32>
// CHECK: arith.addf %[[C]], %[[C]] : tensor<?xf32>
// CHECK: optc.exp %[[R]] : tensor<4xf32>
func.func @foreign_users(%x: tensor<4xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %n = optc.neg %x : tensor<4xf32>
  %r = optc.reshape %n {shape = array<i64: -1>} : (tensor<4xf32>) -> tensor<?xf32>
  %a = arith.addf %r, %r : tensor<?xf32>
  %e = optc.exp %r : tensor<?xf32>
  return %a, %e : tensor<?xf32>, tensor<?xf32>
}

// -----

// Optc ops inside other ops' regions are refined; the region's terminator
// sees the old type.
// CHECK-LABEL: func.func @nested
// CHECK: scf.if
// CHECK: %[[R:.*]] = optc.reshape %{{.*}} : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<6xf32> to tensor<?xf32>
// CHECK: scf.yield %[[C]] : tensor<?xf32>
func.func @nested(%c: i1, %x: tensor<2x3xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %0 = scf.if %c -> tensor<?xf32> {
    %r = optc.reshape %x {shape = array<i64: -1>} : (tensor<2x3xf32>) -> tensor<?xf32>
    scf.yield %r : tensor<?xf32>
  } else {
    scf.yield %y : tensor<?xf32>
  }
  return %0 : tensor<?xf32>
}
