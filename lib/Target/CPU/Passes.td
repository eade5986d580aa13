//===- Passes.td - CPU code generation passes ------------------*- tablegen -*-===//
//
// Passes of CPU code generation (DESIGN.md stage 8): scheduling kernels
// (tiling for threads and vectors, vectorisation), then turning their
// parallel loops into calls of the runtime's thread pool.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_TARGET_CPU_PASSES_TD
#define OPTC_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def OptcCPUTileAndVectorize
    : Pass<"optc-cpu-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tiles kernels for threads and vector registers, and vectorises";
  let description = [{
    Schedules every linalg operation of a kernel (a function marked
    `optc.kernel`) in two levels of tiling, both with upstream tiling:

    1. An `scf.forall` over tiles of the parallel dimensions, which the
       thread pool runs (`--optc-cpu-outline-parallel`). Operations smaller
       than `min-parallel-work` iterations stay serial.
    2. `scf.for` loops over tiles the size of a few vector registers, each
       then vectorised by `linalg::vectorize`.

    Matrix products (any linalg op with a contraction structure) walk a
    long `k` in slices of 256 (so the slice of the right-hand side a thread
    block uses stays in L2), and take a
    register tile of `mr x nr` accumulators (fewer rows, more columns
    when M is small: up to 16 vectors for one row) with a `k` step of 1, whose
    `vector.contract` lowers to outer products (FMAs). Other operations tile
    their innermost dimension to a multiple of the vector length.

    An elementwise op reading a matrix product's only result (an
    epilogue: bias, normalisation, activation) is tiled with the product's
    thread blocks, and the product and the fill of its accumulator are
    fused into each block (upstream tile-and-fuse): each block computes the
    product, then its epilogue while it is in cache, in one parallel loop.

    A loop its tile does not divide is first split (`linalg::splitOp`) into
    the part the tile divides and the remainder, each scheduled on its own,
    so every tile is full and static: no masks, no partial tiles. Register
    tiles along N are two vectors, one, or the whole of a shorter remainder,
    since lane counts that are not a multiple of the vector length make LLVM
    shuffle. An operation that cannot be
    vectorised (a gather through `tensor.extract`) keeps its tiling and
    becomes scalar loops after bufferisation.

    The tile sizes come from a schedule computed here from the loop sizes
    and the vector width; a tuned schedule can replace it per kernel.

    Nothing here fails a compile: an operation whose schedule cannot be
    applied in full still runs, serially, untiled or as scalar code. With
    `remarks` (`optc --vectorize-remarks`) each such fallback is a remark
    at the operation, and each kernel with fallbacks gets a remark counting
    them by kind (unsplit remainders, serial, untiled, scalar). They are
    not MLIR pass statistics: Debian's LLVM is built with NDEBUG, where
    statistics count nothing.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", "256",
           "Width of the target's vector registers in bits">,
    Option<"minParallelWork", "min-parallel-work", "int64_t", "32768",
           "Iterations below which an operation runs on one thread">,
    Option<"remarks", "remarks", "bool", "false",
           "Emit a remark at every operation whose schedule could not be "
           "applied in full (it then runs serially, untiled or as scalar code)">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
    "::mlir::tensor::TensorDialect", "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect"
  ];
}

def OptcCPULowerVectors
    : Pass<"optc-cpu-lower-vectors", "::mlir::ModuleOp"> {
  let summary = "Lowers vector operations to what the LLVM lowering takes";
  let description = [{
    After bufferisation: hoists loop-invariant transfers (the accumulators
    of matrix products stay in registers across the `k` loop), lowers
    `vector.contract` to outer products, multi-reductions, transposes,
    broadcasts and shape casts to 1-D operations, and transfers to loads and
    stores (a read of every s-th element, s up to 8, becomes one contiguous
    load of the span and a shuffle instead of a load per element). Math
    functions are left to `--optc-cpu-expand-math`.
  }];
  let dependentDialects = [
    "::mlir::vector::VectorDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"
  ];
}

def OptcCPUExpandMath : Pass<"optc-cpu-expand-math", "::mlir::ModuleOp"> {
  let summary = "Replaces math functions by code that vectorises";
  let description = [{
    Runs after `--optc-cpu-lower-vectors`, on 1-D vectors. By default every
    replacement is accurate over the function's whole domain
    (docs/accuracy.md measures each against float64 and onnxruntime):

    - `math.sin`, `math.cos`, `math.tan` on f32 vectors: the argument is
      reduced by pi/2 in three f32 parts with FMAs, then minimax
      polynomials on [-pi/4, pi/4]; lanes beyond |x| = 2^17, infinities
      and NaNs go to libm, in a branch taken only when a vector has one;
    - `math.sinh`, `math.cosh`, `math.asinh`, `math.acosh`, `math.atanh`
      (f32 and f64): formulas through `exp`, `expm1`, `log` and `log1p`
      that neither overflow before the result does nor cancel;
    - MLIR's polynomial approximations of exp, expm1, log, log1p, log2,
      tanh, erf, erfc, atan, asin and acos.

    Whatever math is left becomes a libm call per element in the LLVM
    lowering. With `fast-math`, MLIR's approximations are used as they are
    (sin and cos included, accurate only near the origin), and the
    hyperbolic functions keep `math-expand-ops`' textbook forms.

    Example: `math.asinh %x : vector<8xf32>` becomes `math.log1p`,
    `math.sqrt` and `math.log` of |x|, selected by magnitude, with the sign
    of `%x` copied back.
  }];
  let options = [
    Option<"fastMath", "fast-math", "bool", "false",
           "Use MLIR's cheaper approximations as they are">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"
  ];
}

def OptcCPUOutlineParallel
    : Pass<"optc-cpu-outline-parallel", "::mlir::ModuleOp"> {
  let summary = "Runs scf.forall loops on the runtime's thread pool";
  let description = [{
    After bufferisation, every outermost `scf.forall` becomes a call of the
    runtime's `optc_parallel_for(n, body, context)`: its body moves into a
    new function `body(begin, end, context)` that runs iterations
    `[begin, end)` of the linearised iteration space, and the values it
    uses from outside travel in a stack-allocated context struct of their
    LLVM representations. Small constants are copied into the body instead.

    The struct packing uses `builtin.unrealized_conversion_cast` between a
    value and its LLVM type; the casts cancel out when the module is
    converted to the LLVM dialect.
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect", "::mlir::scf::SCFDialect",
    "::mlir::func::FuncDialect", "::mlir::arith::ArithDialect"
  ];
}

def OptcCPULegalizeBF16 : Pass<"optc-cpu-legalize-bf16", "::mlir::ModuleOp"> {
  let summary = "Makes emulated bf16 code round per op, and its selects lowerable";
  let description = [{
    Runs after `arith-emulate-unsupported-floats`, which computes each bf16
    op in f32 between an `arith.extf` and an `arith.truncf`, and before
    `arith-expand`. Two things:

    - The emulation marks those casts `contract`, which lets
      `extf(truncf(x))` fold to `x`: a bf16 multiply feeding an add would
      then skip its rounding to bf16, and results differ from native bf16
      (and from onnxruntime and ONNX's function bodies). The flag is
      cleared, so every bf16 op rounds (as exactly as native bf16: f32
      holds 2 * 8 + 2 bits).
    - LLVM's x86 instruction selection soft-promotes bf16, and aborts
      ("Do not know how to soft promote this operator's operand") on a
      `select` of bf16 vectors whose width it must widen first (9, 17, 25,
      ... elements: the remainder of a vector loop). A select moves bits:
      its bf16 operands are bitcast to i16, selected, and bitcast back.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def OptcCPUInlineHelpers : Pass<"optc-cpu-inline-helpers", "::mlir::ModuleOp"> {
  let summary = "Inlines helper functions whose arguments have no bare-pointer form";
  let description = [{
    The LLVM lowering passes memrefs to functions as bare pointers, which
    needs static shapes. Bufferisation's ownership-based deallocation calls
    a helper, `@dealloc_helper`, with memrefs of unknown size (the buffers a
    loop may or may not own); such a call cannot be lowered. Private
    functions that are not kernels and take a memref of unknown shape are
    inlined at their calls and erased. Kernels (`optc.kernel`) are never
    inlined: they are outlined on purpose.
  }];
}

def OptcCPULegalizeEmptyBuffers
    : Pass<"optc-cpu-legalize-empty-buffers", "::mlir::ModuleOp"> {
  let summary = "Passes buffers with no elements as memref<0xT>";
  let description = [{
    A function argument like `memref<3x0x5xf32>` has no bare-pointer form in
    the LLVM lowering (its identity strides are not canonical). Such
    arguments become `memref<0xT>`; callers pass a `memref.reinterpret_cast`
    of their buffer and the callee casts it back to the original shape.
    The buffers hold nothing, so no data moves; kernels with such operands
    still run (a reduction over an empty axis fills its result).
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def OptcCPULowerCopies : Pass<"optc-cpu-lower-copies", "::mlir::ModuleOp"> {
  let summary = "Turns copies between strided buffers into loops LLVM vectorises";
  let description = [{
    Bufferisation writes `memref.copy` where a tensor is inserted into a
    slice of another: the interior of a padded image, a piece of a
    concatenation. Between contiguous buffers a copy is one `memcpy`; between
    strided views the LLVM lowering calls a generic element-by-element
    routine, which computes every address from the descriptor. This pass
    rewrites those copies (static shapes) as `linalg.copy`, which the loop
    lowering turns into a loop nest over the shape whose innermost loop has
    unit stride in both buffers when their rows are contiguous: LLVM's loop
    vectoriser then makes it vector loads and stores. Copies of 32768
    elements or more become an `scf.forall` over their first dimension of
    more than one element (each iteration copying its slice), which
    `--optc-cpu-outline-parallel` hands to the thread pool.

    Example: `memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32,
    strided<[10, 1], offset: 11>>` becomes `linalg.copy ins(%a : ...)
    outs(%b : ...)`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect"];
}

def OptcCPULowerMicroKernels
    : Pass<"optc-cpu-lower-micro-kernels", "::mlir::ModuleOp"> {
  let summary = "Calls the runtime's micro-kernels for the ops marked for them";
  let description = [{
    A `linalg.generic` on buffers with `library_call = "optc_qmatmul_f32"`
    (made by the lowering of `optc.quantized_matmul`) becomes a call of the
    runtime's micro-kernel of that name (runtime/src/qmatmul.c), which
    multiplies by the packed weights without expanding them; one with
    `library_call = "optc_igemm_i32"` (from `optc.integer_matmul`, its
    parameters in `optc.igemm`) a call of the 8-bit integer product
    (runtime/src/igemm.c). The call
    passes the buffers' addresses and the sizes and parameters of
    `optc.qmatmul`; its tables of values (`code_values` of float codes,
    `scale_values` of 8-bit scales) become private constant globals, one
    per distinct table. A buffer that is not one contiguous row-major run
    (a strided view) keeps the generic, whose loops compute the same
    numbers.

    Example: `linalg.generic {library_call = "optc_qmatmul_f32", ...}
    ins(%x, %w, %s : ...) outs(%y : ...)` becomes `func.call
    @optc_qmatmul_f32(%xp, %wp, %sp, %zero, %yp, %m, %n, %k, %bits, %signed,
    %block, %int8_activations, %code_values, %scale_kind, %scale_values,
    %tensor_scale)`, the pointers as i64 (0 for none).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def OptcCPULowerAsserts : Pass<"optc-cpu-lower-asserts", "::mlir::ModuleOp"> {
  let summary = "Turns run-time checks into errors the runtime reports";
  let description = [{
    The importer guards values known only at run time (axes given as
    inputs, ...) with `cf.assert`. Upstream lowers a failed assert to
    `abort()`, which would kill the program that loaded the model. Here each
    assert becomes a call of the runtime's `optc_report_error(message)` when
    its condition is false; the run continues on safe values and
    `optc_model_run` returns an error status with the message, leaving the
    outputs untouched. The module attribute `optc.run_time_checks` tells the
    host entry to record this in the metadata (`checks 1`), so that the
    runtime computes into staging buffers and copies results out only on
    success.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // OPTC_TARGET_CPU_PASSES_TD
