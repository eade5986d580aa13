"""A generator per op: each draws one case (shapes, dtype, attributes,
values) from a Draw. GENERATORS maps the op's test name to it.

Types: those onnxruntime's CPU provider (1.31, opset 21) has kernels for,
found by creating a session per op and type. "bf16 via f32": onnxruntime
has no bf16 kernel, the case runs in bf16 in optc and onnxruntime's f32
result, rounded to bf16 by its Cast, is the reference (what optc's narrow
arithmetic promises: computing through f32).

  Add Sub Mul Div              f32 f16, all 8 integer widths; bf16 via f32
  Pow                          f32 f16 i32 i64 (exponent: same, f32, i32, i64); bf16 via f32
  Max Min Where                f32 f16 i8 i32 i64 u8; bf16 via f32
  Equal Less Greater           f32 f16 i8 i16 i32 i64 u8 (Equal: bool); bf16 via f32
  Sigmoid Tanh Exp Log Sqrt
  Erf Gelu LeakyRelu           f32 f16; bf16 via f32
  Relu / Abs / Neg             + i8 i32 / + all integers / + signed integers
  Clip                         f32 f16 i8 i32 i64 u8 u32 u64; bf16 via f32
  Cast                         every pair of f32 f16 bf16 f64 i8 i16 i32 i64 u8 bool
  MatMul Einsum                f32 f16 i32 i64; bf16 via f32
  Gemm Conv ConvTranspose AveragePool GlobalAveragePool BatchNormalization
  Softmax LogSoftmax           f32 f16; bf16 via f32
  LayerNormalization           f32 f16 bf16
  ReduceSum ReduceMean         f32 f16 i32 i64; bf16 via f32
  ReduceMax ReduceMin ArgMax
  TopK                         f32 f16 i8 i32 i64 u8; bf16 via f32
  CumSum                       f32 f16 i32 i64; bf16 via f32
  MaxPool                      f32 f16 i8 u8; bf16 via f32
  Transpose Reshape Concat Split Slice Gather Squeeze Unsqueeze
                               f32 f16 bf16 i8 i16 i32 i64 u8 bool
  Expand Tile                  the same, bf16 via f32
  Pad                          f32 f16 i8 i32 i64 u8 (constant mode: bool); bf16 via f32
  Resize                       nearest: f32 f16 i8 u8 i32, linear: f32 f16; bf16 via f32

The generators are in a module per family: ops_elementwise, ops_nn
(contractions, pooling, normalisations, softmax), ops_reduce, ops_shape
(data movement), with what they share in ops_common.
"""
from .core import Case, Draw, Sum
from .ops_common import Builder
from .ops_elementwise import (UNARY, binary_arith, compare_op, gen_cast, gen_clip,
                              gen_pow, gen_where, unary, variadic_minmax)
from .ops_nn import (gen_avgpool, gen_batchnorm, gen_conv, gen_conv_transpose, gen_einsum,
                     gen_gemm, gen_global_avgpool, gen_layernorm, gen_matmul, gen_maxpool,
                     softmax_op)
from .ops_reduce import gen_argmax, gen_cumsum, gen_topk, reduce_op
from .ops_shape import (gen_concat, gen_expand, gen_gather, gen_pad, gen_reshape, gen_resize,
                        gen_slice, gen_split, gen_squeeze, gen_tile, gen_transpose,
                        gen_unsqueeze)


GENERATORS = {
    "Add": binary_arith("Add"),
    "Sub": binary_arith("Sub"),
    "Mul": binary_arith("Mul"),
    "Div": binary_arith("Div"),
    "Pow": gen_pow,
    "Max": variadic_minmax("Max"),
    "Min": variadic_minmax("Min"),
    "Where": gen_where,
    "Equal": compare_op("Equal"),
    "Less": compare_op("Less"),
    "Greater": compare_op("Greater"),
    **{op: unary(op) for op in UNARY},
    "Clip": gen_clip,
    "Cast": gen_cast,
    "MatMul": gen_matmul,
    "Gemm": gen_gemm,
    "Einsum": gen_einsum,
    "Conv": gen_conv,
    "ConvTranspose": gen_conv_transpose,
    "MaxPool": gen_maxpool,
    "AveragePool": gen_avgpool,
    "GlobalAveragePool": gen_global_avgpool,
    "BatchNormalization": gen_batchnorm,
    "LayerNormalization": gen_layernorm,
    "Softmax": softmax_op("Softmax"),
    "LogSoftmax": softmax_op("LogSoftmax"),
    "ReduceSum": reduce_op("ReduceSum"),
    "ReduceMean": reduce_op("ReduceMean"),
    "ReduceMax": reduce_op("ReduceMax"),
    "ReduceMin": reduce_op("ReduceMin"),
    "ArgMax": gen_argmax,
    "CumSum": gen_cumsum,
    "TopK": gen_topk,
    "Transpose": gen_transpose,
    "Reshape": gen_reshape,
    "Concat": gen_concat,
    "Split": gen_split,
    "Slice": gen_slice,
    "Gather": gen_gather,
    "Expand": gen_expand,
    "Squeeze": gen_squeeze,
    "Unsqueeze": gen_unsqueeze,
    "Tile": gen_tile,
    "Pad": gen_pad,
    "Resize": gen_resize,
}


# Relative case counts: convolutions cost optc 0.3 to 12 s to compile each
# (against about 0.1 s for most cases), so they get fewer.
WEIGHTS = {"Conv": 0.4, "ConvTranspose": 0.3}


def case_counts(total):
    """Cases per op for `total` cases in all."""
    norm = sum(WEIGHTS.get(op, 1.0) for op in GENERATORS)
    return {op: max(1, round(total * WEIGHTS.get(op, 1.0) / norm)) for op in GENERATORS}


def make_case(op, index, seed):
    draw = Draw(seed, op, index)
    b = Builder(draw)
    GENERATORS[op](b)
    return Case(op=op, index=index, seed=draw.seed, nodes=b.nodes, inputs=b.inputs,
                outputs=b.outputs, consts=b.consts, params=b.params, ref=b.ref,
                mag=tuple(sorted(b.mag)) if any(isinstance(o.tol, Sum) for o in b.outputs) else (),
                mag_attrs=b.mag_attrs)
