// RUN: optc-opt %s --optc-record-interface -split-input-file -verify-diagnostics | FileCheck %s

// The signature as users of the library see it: names as they are, element
// types with their signedness, no dimensions for rank 0.
// CHECK: module attributes {optc.interface = #optc.interface<inputs = ["x" : 2x16xf32, "ids in" : 7xui8, "flag" : i1], outputs = ["y/z" : 2xi64]>}
module {
  func.func @main(%x: tensor<2x16xf32> {optc.name = "x"}, %ids: tensor<7xui8> {optc.name = "ids in"}, %flag: tensor<i1> {optc.name = "flag"}) -> (tensor<2xi64> {optc.name = "y/z"}) {
    %0 = optc.constant dense<1> : tensor<2xi64>
    return %0 : tensor<2xi64>
  }
}

// -----

// A dimension unknown at compile time is named, with the flag that pins it.
module {
  // expected-error @+1 {{input 'x' has dimensions unknown at compile time: 0 ('batch'), 2; compiling needs static shapes: pin them with --input-shape, e.g. --input-shape x=1x3x1}}
  func.func @main(%x: tensor<?x3x?xf32> {optc.name = "x", optc.dim_names = ["batch", "", ""]}) -> (tensor<?x3x?xf32> {optc.name = "y"}) {
    return %x : tensor<?x3x?xf32>
  }
}

// -----

// Output sizes that input values decide: the error names those inputs (the
// shape of a reshape, inside a fusion region, and the bounds of a range;
// not the reshaped data) and the flag that fixes them.
module {
  // expected-error @+1 {{output 'y' has dimensions unknown at compile time: 0, 1; they depend on the values of inputs 'shape', 'n': fix them with --input-value shape=FILE --input-value n=FILE}}
  func.func @main(%x: tensor<2x3xf32> {optc.name = "x"}, %shape: tensor<2xi64> {optc.name = "shape"}, %n: tensor<i64> {optc.name = "n"}) -> (tensor<?x?xf32> {optc.name = "y"}, tensor<?xi64> {optc.name = "r"}) {
    %y = optc.fusion (%a = %x : tensor<2x3xf32>, %s = %shape : tensor<2xi64>) -> tensor<?x?xf32> {
      %t = optc.dynamic_reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
      optc.yield %t : tensor<?x?xf32>
    }
    %zero = optc.constant dense<0> : tensor<i64>
    %one = optc.constant dense<1> : tensor<i64>
    %r = optc.range %zero, %n, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    return %y, %r : tensor<?x?xf32>, tensor<?xi64>
  }
}

// -----

// Sizes read by shape_of are not values: the sliced data 'x' is not named,
// even when the shape_of sits in the fusion that yields the bounds.
module {
  // expected-error @+1 {{output 'y' has dimensions unknown at compile time: 0; they depend on the value of input 'n': fix it with --input-value n=FILE}}
  func.func @main(%x: tensor<8xf32> {optc.name = "x"}, %n: tensor<1xi64> {optc.name = "n"}) -> (tensor<?xf32> {optc.name = "y"}) {
    %limits = optc.fusion (%a = %x : tensor<8xf32>, %b = %n : tensor<1xi64>) -> tensor<1xi64> {
      %s = optc.shape_of %a : (tensor<8xf32>) -> tensor<1xi64>
      %l = optc.sub %s, %b : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
      optc.yield %l : tensor<1xi64>
    }
    %zero = optc.constant dense<0> : tensor<1xi64>
    %one = optc.constant dense<1> : tensor<1xi64>
    %y = optc.dynamic_slice %x, %zero, %limits, %one : (tensor<8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
    return %y : tensor<?xf32>
  }
}

// -----

// A loop that grows a value: how many times it runs is what its condition
// reads from outside (the trip count 'n'); the grown data 'x' is carried
// but does not decide that, so it is not named.
module {
  // expected-error @+1 {{output 'y' has dimensions unknown at compile time: 0; they depend on the value of input 'n': fix it with --input-value n=FILE}}
  func.func @main(%x: tensor<1xf32> {optc.name = "x"}, %n: tensor<i64> {optc.name = "n"}) -> (tensor<?xf32> {optc.name = "y"}) {
    %zero = optc.constant dense<0> : tensor<i64>
    %one = optc.constant dense<1> : tensor<i64>
    %init = tensor.cast %x : tensor<1xf32> to tensor<?xf32>
    %r:2 = scf.while (%i = %zero, %acc = %init) : (tensor<i64>, tensor<?xf32>) -> (tensor<i64>, tensor<?xf32>) {
      %lt = optc.compare lt, %i, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
      %go = tensor.extract %lt[] : tensor<i1>
      scf.condition(%go) %i, %acc : tensor<i64>, tensor<?xf32>
    } do {
    ^bb0(%i: tensor<i64>, %acc: tensor<?xf32>):
      %next = optc.add %i, %one : (tensor<i64>, tensor<i64>) -> tensor<i64>
      %grown = optc.concat %acc, %x {axis = 0 : i64} : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
      scf.yield %next, %grown : tensor<i64>, tensor<?xf32>
    }
    return %r#1 : tensor<?xf32>
  }
}

// -----

// Sizes that follow from data cannot be fixed by any flag: the error says so.
module {
  // expected-error @+1 {{output 'i' has dimensions unknown at compile time: 1; they depend on the input data (through optc.non_zero), which a compiled model must know ahead of time}}
  func.func @main(%x: tensor<4xf32> {optc.name = "x"}) -> (tensor<1x?xi64> {optc.name = "i"}) {
    %i = optc.non_zero %x : (tensor<4xf32>) -> tensor<1x?xi64>
    return %i : tensor<1x?xi64>
  }
}

// -----

// Element types the runtime cannot exchange.
module {
  // expected-error @+1 {{input 'q' has type 'tensor<4xf8E3M4>', which the runtime cannot exchange (tensors of floats, bool or 2- to 64-bit integers)}}
  func.func @main(%q: tensor<4xf8E3M4> {optc.name = "q"}) -> (tensor<4xf8E3M4> {optc.name = "r"}) {
    return %q : tensor<4xf8E3M4>
  }
}

// -----

// The 8-bit and narrower types are exchanged one per byte.
// CHECK: module attributes {optc.interface = #optc.interface<inputs = ["a" : 4xf8E4M3FN, "b" : 4xf8E5M2FNUZ, "c" : 2xi4, "d" : 2xui2, "e" : 3xf4E2M1FN], outputs = ["r" : 4xf8E4M3FNUZ]>}
module {
  func.func @main(%a: tensor<4xf8E4M3FN> {optc.name = "a"}, %b: tensor<4xf8E5M2FNUZ> {optc.name = "b"}, %c: tensor<2xi4> {optc.name = "c"}, %d: tensor<2xui2> {optc.name = "d"}, %e: tensor<3xf4E2M1FN> {optc.name = "e"}) -> (tensor<4xf8E4M3FNUZ> {optc.name = "r"}) {
    %0 = optc.constant dense<1.0> : tensor<4xf8E4M3FNUZ>
    return %0 : tensor<4xf8E4M3FNUZ>
  }
}

// -----

// Unnamed inputs and outputs are named by their position; an output may
// share an input's name (ONNX passes an input through so).
// CHECK: module attributes {optc.interface = #optc.interface<inputs = ["input0" : 3xf32, "x" : 3xf32], outputs = ["x" : 3xf32, "output1" : 3xf32]>}
module {
  func.func @main(%a: tensor<3xf32>, %x: tensor<3xf32> {optc.name = "x"}) -> (tensor<3xf32> {optc.name = "x"}, tensor<3xf32>) {
    return %x, %a : tensor<3xf32>, tensor<3xf32>
  }
}

// -----

// Callers pass inputs by name: two inputs of one name are an error.
module {
  // expected-error @+1 {{two inputs are named 'x'; input names must be unique}}
  func.func @main(%a: tensor<3xf32> {optc.name = "x"}, %b: tensor<3xf32> {optc.name = "x"}) -> (tensor<3xf32> {optc.name = "y"}) {
    return %a : tensor<3xf32>
  }
}

// -----

// expected-error @+1 {{the module has no @main function to compile}}
module {
  func.func @other() {
    return
  }
}
