"""Normalisations, softmax and reductions of f16 and bf16 data compute in
f32: inputs across the whole f16 range against float64 formulas, the
result rounded to the output type as ONNX defines it.

In f16, (x - mean)^2 overflows once |x - mean| > 256, and a sum of squares
or exponentials overflows long before the norm or the log-sum does: each
case below failed (inf, NaN or a collapsed row) before these ops computed
their statistics in f32."""
import numpy as np
import pytest
from ml_dtypes import bfloat16, finfo
from onnx import TensorProto, helper

import optc

TYPES = {"float16": (np.float16, TensorProto.FLOAT16),
         "bfloat16": (bfloat16, TensorProto.BFLOAT16)}


def ulp_of(values, dtype):
    """The spacing of `dtype` at each value's magnitude."""
    a = np.abs(values.astype(np.float64))
    info = finfo(dtype)
    exp = np.floor(np.log2(np.maximum(a, float(info.tiny))))
    return np.exp2(exp - info.nmant)


def compile_node(op, inputs, outputs, attrs=None, opset=23, initializers=()):
    node = helper.make_node(op, [n for n, _, _ in inputs], [n for n, _, _ in outputs],
                            **(attrs or {}))
    graph = helper.make_graph(
        [node], op.lower(),
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=10)
    return optc.compile(model)


def wide_rows(dtype, rows, cols, seed):
    """Rows spanning the type's range: a large common offset, spreads far
    beyond 256, and one row of small values."""
    rng = np.random.default_rng(seed)
    limit = 6e4
    offsets = rng.uniform(-limit / 2, limit / 2, (rows, 1))
    spreads = np.exp(rng.uniform(np.log(1.0), np.log(limit / 2), (rows, 1)))
    x = offsets + spreads * rng.uniform(-1, 1, (rows, cols))
    x[0] = rng.uniform(-1, 1, cols) * 1e-2
    return np.clip(x, -limit, limit).astype(dtype)


def assert_close(got, want, dtype, ulps):
    got = np.asarray(got).astype(np.float64)
    want = np.asarray(want).astype(np.float64)
    assert np.all(np.isfinite(got)), f"non-finite results: {got[~np.isfinite(got)][:5]}"
    err = np.abs(got - want) / ulp_of(want, dtype)
    k = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() <= ulps, f"{err.max():.2f} ULP at {k}: {got[k]} vs {want[k]}"


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_layer_normalization(type_name):
    dtype, proto = TYPES[type_name]
    rows, cols = 16, 96
    x = wide_rows(dtype, rows, cols, 0)
    scale = np.linspace(0.5, 2, cols).astype(dtype)
    bias = np.linspace(-1, 1, cols).astype(dtype)
    model = compile_node("LayerNormalization",
                         [("x", proto, [rows, cols]), ("s", proto, [cols]), ("b", proto, [cols])],
                         [("y", proto, [rows, cols])], {"axis": -1, "epsilon": 1e-5})
    x64 = x.astype(np.float64)
    d = x64 - x64.mean(-1, keepdims=True)
    norm = (d / np.sqrt((d * d).mean(-1, keepdims=True) + 1e-5)).astype(dtype)
    # ONNX's function body: normalised in the stash type, rounded, then
    # scaled and shifted in the data type.
    want = (norm * scale).astype(dtype) + bias
    assert_close(model(x, scale, bias), want.astype(dtype), dtype, 1.0)


@pytest.mark.parametrize("type_name", sorted(TYPES))
def test_rms_normalization(type_name):
    dtype, proto = TYPES[type_name]
    rows, cols = 16, 64
    x = wide_rows(dtype, rows, cols, 1)
    scale = np.linspace(0.5, 2, cols).astype(dtype)
    model = compile_node("RMSNormalization", [("x", proto, [rows, cols]), ("s", proto, [cols])],
                         [("y", proto, [rows, cols])], {"axis": -1, "epsilon": 1e-6})
    x64 = x.astype(np.float64)
    norm = (x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + 1e-6)).astype(dtype)
    assert_close(model(x, scale), (norm * scale).astype(dtype), dtype, 1.0)


@pytest.mark.parametrize("op", ["GroupNormalization", "InstanceNormalization"])
def test_group_and_instance_normalization_f16(op):
    dtype, proto = np.float16, TensorProto.FLOAT16
    n, c, hw = 2, 4, 48
    x = wide_rows(dtype, n * c, hw, 2).reshape(n, c, hw)
    scale = np.array([0.5, 1, 1.5, 2], dtype)
    bias = np.array([-1, 0, 1, 2], dtype)
    groups = 2 if op == "GroupNormalization" else c
    attrs = {"epsilon": 1e-5}
    if op == "GroupNormalization":
        attrs["num_groups"] = groups
    model = compile_node(op, [("x", proto, [n, c, hw]), ("s", proto, [c]), ("b", proto, [c])],
                         [("y", proto, [n, c, hw])], attrs, opset=21)
    g = x.astype(np.float64).reshape(n, groups, -1)
    d = g - g.mean(-1, keepdims=True)
    norm = (d / np.sqrt((d * d).mean(-1, keepdims=True) + 1e-5)).reshape(n, c, hw).astype(dtype)
    want = (norm * scale[:, None]).astype(dtype) + bias[:, None]
    assert_close(model(x, scale, bias), want.astype(dtype), dtype, 1.0)


@pytest.mark.parametrize("type_name", sorted(TYPES))
@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax(type_name, op):
    dtype, proto = TYPES[type_name]
    rows, cols = 16, 80
    x = wide_rows(dtype, rows, cols, 3)
    model = compile_node(op, [("x", proto, [rows, cols])], [("y", proto, [rows, cols])],
                         {"axis": -1})
    x64 = x.astype(np.float64)
    shifted = x64 - x64.max(-1, keepdims=True)
    logsum = np.log(np.exp(shifted).sum(-1, keepdims=True))
    want = shifted - logsum if op == "LogSoftmax" else np.exp(shifted - logsum)
    got = np.asarray(model(x)).astype(np.float64)
    if op == "Softmax":
        # Probabilities: within an ULP of 1 absolutely (tiny ones may round
        # to 0 as float64's do).
        assert np.all(np.isfinite(got))
        assert np.abs(got - want).max() <= float(finfo(dtype).eps)
    else:
        # log(sum) is an f32 value near log(1) = 0: the largest element's
        # -log(1 + tiny) keeps an absolute error of an f32 ULP at 1, not a
        # relative one (onnxruntime's and any f32 log-softmax's bound).
        got_tol = np.abs(got - want) - 2.0**-24
        assert np.all(np.isfinite(got))
        assert np.all(got_tol <= ulp_of(want.astype(dtype), dtype)), \
            f"max error {np.abs(got - want).max()}"


@pytest.mark.parametrize("type_name", sorted(TYPES))
@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMean", "ReduceL2", "ReduceSumSquare",
                                "ReduceLogSumExp", "ReduceL1", "ReduceLogSum"])
def test_reductions(type_name, op):
    dtype, proto = TYPES[type_name]
    rows, cols = 8, 200
    rng = np.random.default_rng(4)
    # Magnitudes up to the f16 range where the result is representable:
    # squares of 300..3000 overflow f16, their norm does not.
    if op in ("ReduceL2", "ReduceSumSquare"):
        x = rng.uniform(-3000 if op == "ReduceL2" else -12, 3000 if op == "ReduceL2" else 12,
                        (rows, cols))
    elif op == "ReduceLogSumExp":
        x = rng.uniform(-100, 100, (rows, cols))
    elif op == "ReduceLogSum":
        x = rng.uniform(300, 600, (rows, cols))
    else:
        x = rng.uniform(-300, 320, (rows, cols))
    x = x.astype(dtype)
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    node = helper.make_node(op, ["x", "axes"], ["y"], keepdims=1)
    graph = helper.make_graph([node], "r", [helper.make_tensor_value_info("x", proto, [rows, cols])],
                              [helper.make_tensor_value_info("y", proto, [rows, 1])], [axes])
    model = optc.compile(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=10))
    x64 = x.astype(np.float64)
    want = {"ReduceSum": lambda: x64.sum(1, keepdims=True),
            "ReduceMean": lambda: x64.mean(1, keepdims=True),
            "ReduceL2": lambda: np.sqrt((x64 * x64).sum(1, keepdims=True)),
            "ReduceSumSquare": lambda: (x64 * x64).sum(1, keepdims=True),
            "ReduceLogSumExp": lambda: np.log(np.exp(x64).sum(1, keepdims=True)),
            "ReduceL1": lambda: np.abs(x64).sum(1, keepdims=True),
            "ReduceLogSum": lambda: np.log(x64.sum(1, keepdims=True))}[op]()
    assert_close(model(x), want.astype(dtype), dtype, 1.0)
