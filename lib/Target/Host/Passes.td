//===- Passes.td - host program passes -------------------------*- tablegen -*-===//
//
// Passes that build the host program around the kernels (DESIGN.md stage
// 9): what the compiled library tells the runtime about its inputs and
// outputs, the memory plan, and the exported entry points.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_TARGET_HOST_PASSES_TD
#define OPTC_TARGET_HOST_PASSES_TD

include "mlir/Pass/PassBase.td"

def OptcRecordInterface : Pass<"optc-record-interface", "::mlir::ModuleOp"> {
  let summary = "Records the model's inputs and outputs for the runtime";
  let description = [{
    Reads the signature of `@main` in the optc dialect (tensor types and
    `optc.name` attributes) and stores it as the module attribute
    `optc.interface`, an `#optc.interface` with one port (name, element
    type, static shape) per input and output, e.g.
    `#optc.interface<inputs = ["x" : 2x16xf32], outputs = ["y" : 2xi64]>`.
    Later passes change the signature (memrefs, out-parameters, pointers);
    this keeps what users see: the generated header and the library's
    metadata (`--optc-host-entry`) are written from it. A dimension
    unknown at compile time (named by its ONNX name from `optc.dim_names`
    when there is one), an element type the runtime cannot exchange, or
    two inputs of one name, is an error naming the input or output and,
    for an unknown input dimension, the `--input-shape` flag that pins it.
  }];
}

def OptcUniqueKernelResults
    : Pass<"optc-unique-kernel-results", "::mlir::ModuleOp"> {
  let summary = "Makes a kernel return each value once";
  let description = [{
    A kernel can return one tensor as several results: the pieces of a
    split that are all empty become one `tensor.empty` after CSE, and two
    equal computations one. Such a kernel returns the value once and its
    callers use that result in each place. Besides saving a copy, this is
    what bufferisation needs: `buffer-results-to-out-params` fails on a
    function that returns one buffer twice.
  }];
}

def OptcHoistKernelBuffers
    : Pass<"optc-hoist-kernel-buffers", "::mlir::ModuleOp"> {
  let summary = "Makes kernels' temporary buffers arguments the caller allocates";
  let description = [{
    A kernel's own temporaries (the padded input and the im2col matrix of a
    convolution, ...) are `memref.alloc`s in the kernel: a malloc and a free
    on every run. Each one of a static shape at the kernel's top level
    becomes a trailing argument of the kernel, and every caller allocates it
    just before the call, at the top level of its body, where
    `--optc-plan-memory` places it in the arena. Buffers allocated inside
    loops stay in the kernel (iterations of a parallel loop may each need
    their own), as do those of kernels whose address is taken.

    Example: `func.func private @k(%a: memref<4xf32>) { %t = memref.alloc()
    : memref<8xf32> ... }` called as `call @k(%x)` becomes `@k(%a, %t)`
    called as `%t = memref.alloc() : memref<8xf32>; call @k(%x, %t)`.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def OptcPlanMemory : Pass<"optc-plan-memory", "::mlir::ModuleOp"> {
  let summary = "Places the host program's buffers in one arena";
  let description = [{
    After bufferisation and `buffer-results-to-out-params`, every
    statically sized `memref.alloc` at the top level of `@main` gets an
    offset in one arena: a new last argument of `@main`, which the runtime
    allocates per run from its arena pool. Buffers whose lifetimes (from the
    allocation to the last use of the buffer or of any view of it) do not
    overlap share memory; offsets are chosen greedily, largest buffer first,
    at the lowest address that fits, each aligned to 64 bytes. A kernel
    marked `optc.in_place` (elementwise: each output element is written
    after the same input element is read) may write its output over an
    input whose lifetime ends at that kernel.

    First, in every function: a result computed in a buffer of its own
    and copied into its out-parameter at the end is computed in the
    out-parameter directly, when nothing else uses the out-parameter.

    The arena's size becomes the module attribute `optc.arena_size`.
    Allocations the plan cannot place (sizes unknown at compile time, or
    inside loops and branches) stay heap allocations.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def OptcExternalizeWeights
    : Pass<"optc-externalize-weights", "::mlir::ModuleOp"> {
  let summary = "Moves the host program's weights into a side file";
  let description = [{
    After bufferisation, the constants `@main` reads (`memref.get_global`
    of constant globals of at least `min-bytes`) are the model's weights.
    When they total at least `limit` bytes (or with `force`), they leave
    the library: each gets a 64-byte-aligned offset in one blob, `@main`
    gets a new last argument (the blob, mapped from the side file at load)
    and reads them through `memref.view`s of it, and the globals go.

    The module keeps what the driver writes to the side file: the attribute
    `optc.weights` (an array of `[offset, elements]` pairs), and
    `optc.weights_size` and `optc.weights_id` (a 64-bit FNV-1a hash of the
    bytes, in hex), which the library checks the file against at load.

    Weights that stay in the library (below the limit, or smaller than
    `min-bytes`) become one-dimensional globals, each use an
    `memref.expand_shape` of it: the LLVM translation makes a global of
    rank r nested arrays with one uniqued constant per innermost row, which
    cost a second of compile time and tens of MB of memory per megabyte of
    convolution weights; a flat global is one raw constant.
  }];
  let options = [
    Option<"limit", "limit", "int64_t", "64 << 20",
           "Total weight bytes from which weights go to a side file">,
    Option<"force", "force", "bool", "false",
           "Move the weights to a side file whatever their size">,
    Option<"minBytes", "min-bytes", "int64_t", "256",
           "Constants smaller than this stay in the library">,
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def OptcHostEntry : Pass<"optc-host-entry", "::mlir::ModuleOp"> {
  let summary = "Adds the descriptor and entry points a compiled library exports";
  let description = [{
    Runs on the LLVM dialect, after `@main` was converted with bare-pointer
    arguments. Adds:

    - `optc_entry(void **buffers)`, which calls `@main` with the pointers
      of every input, output and the arena, in that order;
    - the metadata text (the target options of this pass, `optc.arena_size`,
      the side file of weights, and one line per port of `optc.interface`,
      `input <name> <dtype> <dims>` with the name percent-encoded) and the
      descriptor `optc_model_descriptor` the runtime reads (see
      runtime_support.h and runtime/src/model.c);
    - `<name>_load(const char *weights_path, optc_model **model)`, which
      programs call through the generated header.
  }];
  let options = [
    Option<"modelName", "name", "std::string", "\"model\"",
           "The model's name: a C identifier, prefix of the exported loader">,
    Option<"triple", "triple", "std::string", "\"\"",
           "The target triple, recorded in the metadata">,
    Option<"cpu", "cpu", "std::string", "\"\"",
           "The target CPU, recorded in the metadata">,
    Option<"features", "features", "std::string", "\"\"",
           "Comma-separated CPU features the code needs, checked at load">,
    Option<"weightsFile", "weights-file", "std::string", "\"\"",
           "The side file's name (beside the library), when the module has "
           "external weights">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // OPTC_TARGET_HOST_PASSES_TD
