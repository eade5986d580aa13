// RUN: optc-opt %s --optc-record-interface -split-input-file -verify-diagnostics | FileCheck %s

// The signature as the runtime reads it: names percent-encoded, dtypes with
// their signedness, "scalar" for rank 0.
// CHECK: module attributes {optc.interface = ["input x f32 2,16", "input ids%20in u8 7", "input flag bool scalar", "output y/z i64 2"]}
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

// Element types the runtime cannot exchange.
module {
  // expected-error @+1 {{input 'q' has type 'tensor<4xf8E4M3FN>', which the runtime cannot exchange}}
  func.func @main(%q: tensor<4xf8E4M3FN> {optc.name = "q"}) -> (tensor<4xf8E4M3FN> {optc.name = "r"}) {
    return %q : tensor<4xf8E4M3FN>
  }
}

// -----

// expected-error @+1 {{the module has no @main function to compile}}
module {
  func.func @other() {
    return
  }
}
