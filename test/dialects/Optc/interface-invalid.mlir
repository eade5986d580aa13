// RUN: optc-opt %s -split-input-file -verify-diagnostics

// What #optc.interface and #optc.port reject: what the runtime cannot
// exchange or look up.

// A dimension unknown at compile time.
// expected-error @+1 {{port 'x' has dimension 1 unknown; a compiled model's shapes are static}}
module attributes {optc.interface = #optc.interface<inputs = ["x" : 2x?xf32], outputs = []>} {
}

// -----

// An element type without a runtime dtype: a float format...
// expected-error @+1 {{port 'q' has element type 'f8E3M4', which the runtime cannot exchange (floats, bool or 2- to 64-bit integers)}}
module attributes {optc.interface = #optc.interface<inputs = [], outputs = ["q" : 4xf8E3M4]>} {
}

// -----

// ... an integer width...
// expected-error @+1 {{port 'n' has element type 'i3', which the runtime cannot exchange}}
module attributes {optc.interface = #optc.interface<inputs = ["n" : i3], outputs = []>} {
}

// -----

// ... or no scalar at all.
// expected-error @+1 {{port 'i' has element type 'index', which the runtime cannot exchange}}
module attributes {test.port = #optc.port<"i" : 2xindex>} {
}

// -----

// expected-error @+1 {{port 't' has element type 'tensor<2xf32>', which the runtime cannot exchange}}
module attributes {test.port = #optc.port<"t" : tensor<2xf32>>} {
}

// -----

// Two inputs of one name: callers pass inputs by name.
// expected-error @+1 {{two inputs are named 'x'; input names must be unique}}
module attributes {optc.interface = #optc.interface<inputs = ["x" : 2xf32, "x" : 3xf32], outputs = []>} {
}

// -----

// The syntax: both lists, in this order.
// expected-error @+1 {{expected 'inputs'}}
module attributes {optc.interface = #optc.interface<outputs = ["y" : f32]>} {
}

// -----

// expected-error @+1 {{expected ','}}
module attributes {optc.interface = #optc.interface<inputs = ["x" : f32]>} {
}

// -----

// A port's name is a string.
// expected-error @+1 {{expected string}}
module attributes {optc.interface = #optc.interface<inputs = [x : f32], outputs = []>} {
}
