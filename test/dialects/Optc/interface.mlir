// RUN: optc-opt %s -split-input-file | optc-opt -split-input-file | FileCheck %s
// RUN: optc-opt %s -split-input-file --mlir-print-op-generic | optc-opt -split-input-file | FileCheck %s

// #optc.interface: the inputs and outputs of a compiled model, each a port
// (name, element type, static shape written like a vector type's). It
// prints as it parses, through the generic form too. What the verifier
// rejects is in interface-invalid.mlir.

// CHECK: module attributes {optc.interface = #optc.interface<inputs = ["x" : 1x3x224x224xf32, "ids in" : 7xui8, "flag" : i1, "q\22uote\0A" : 2xf8E4M3FN], outputs = ["y/z" : 0x2xi64, "" : bf16]>}
module attributes {optc.interface = #optc.interface<inputs = ["x" : 1x3x224x224xf32, "ids in" : 7xui8, "flag" : i1, "q\"uote\n" : 2xf8E4M3FN], outputs = ["y/z" : 0x2xi64, "" : bf16]>} {
}

// -----

// A model without inputs; a port on its own.
// CHECK: module attributes {optc.interface = #optc.interface<inputs = [], outputs = ["c" : 4xi32]>, test.port = #optc.port<"p" : 2x2xi2>}
module attributes {optc.interface = #optc.interface<inputs = [], outputs = ["c" : 4xi32]>, test.port = #optc.port<"p" : 2x2xi2>} {
}
