"""End-to-end tests of CPU code generation, one family of ops at a time:
each compiles a small model with optc, runs it, and compares with
onnxruntime."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import ml_dtypes

from harness import ONNX_TYPE, check, make_model, random, run_optc

F32 = TensorProto.FLOAT


def unary_model(op, dtype, shape, **attrs):
    t = ONNX_TYPE[np.dtype(dtype)]
    return make_model([helper.make_node(op, ["x"], ["y"], **attrs)],
                      [("x", t, shape)], [("y", t, shape)])


@pytest.mark.parametrize("op", [
    "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Tan", "Atan", "Sinh",
    "Cosh", "Tanh", "Asinh", "Erf", "Sigmoid", "Softplus", "Floor", "Ceil",
    "Round", "Neg", "Abs", "Sign", "Relu"])
def test_float_unary(optc, tmp_path, op):
    x = random((4, 37), np.float32, seed=1)
    if op in ("Log", "Sqrt"):
        x = np.abs(x) + 0.1
    check(optc, tmp_path, unary_model(op, np.float32, [4, 37]), {"x": x},
          rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float16])
@pytest.mark.parametrize("op", ["Exp", "Tanh", "Sigmoid", "Abs", "Relu"])
def test_other_float_types(optc, tmp_path, op, dtype):
    x = random((3, 16), dtype, seed=2)
    tol = 2e-3 if dtype == np.float16 else 1e-12
    check(optc, tmp_path, unary_model(op, dtype, [3, 16]), {"x": x},
          rtol=tol, atol=tol)


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min",
                                "Pow"])
def test_float_binary_broadcast(optc, tmp_path, op):
    model = make_model([helper.make_node(op, ["a", "b"], ["y"])],
                       [("a", F32, [2, 3, 8]), ("b", F32, [3, 1])],
                       [("y", F32, [2, 3, 8])])
    a = random((2, 3, 8), np.float32, seed=3, low=0.5, high=2.0)
    b = random((3, 1), np.float32, seed=4, low=0.5, high=2.0)
    check(optc, tmp_path, model, {"a": a, "b": b}, rtol=1e-6)


# onnxruntime has no int16 Max/Min kernel to compare with.
@pytest.mark.parametrize("op,dtype", [
    (op, dtype)
    for op in ["Add", "Sub", "Mul", "Div", "Max", "Min"]
    for dtype in [np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64,
                  np.int16]
    if not (dtype == np.int16 and op in ("Max", "Min"))])
def test_integer_binary(optc, tmp_path, op, dtype):
    t = ONNX_TYPE[np.dtype(dtype)]
    model = make_model([helper.make_node(op, ["a", "b"], ["y"])],
                       [("a", t, [5, 7]), ("b", t, [7])], [("y", t, [5, 7])])
    a = random((5, 7), dtype, seed=5)
    b = random((7,), dtype, seed=6)
    if op == "Div":
        b[b == 0] = 3
    check(optc, tmp_path, model, {"a": a, "b": b})


# ONNX requires fmod=1 for floats.
@pytest.mark.parametrize("fmod,dtype", [(0, np.int32), (1, np.int32),
                                        (1, np.float32)])
def test_mod(optc, tmp_path, fmod, dtype):
    t = ONNX_TYPE[np.dtype(dtype)]
    model = make_model([helper.make_node("Mod", ["a", "b"], ["y"], fmod=fmod)],
                       [("a", t, [16]), ("b", t, [16])], [("y", t, [16])])
    a = np.arange(-8, 8).astype(dtype) * 3
    b = np.array([5, -5, 3, -3] * 4, dtype=dtype)
    check(optc, tmp_path, model, {"a": a, "b": b})


@pytest.mark.parametrize("op", ["Equal", "Less", "LessOrEqual", "Greater",
                                "GreaterOrEqual"])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.uint8])
def test_compare(optc, tmp_path, op, dtype):
    t = ONNX_TYPE[np.dtype(dtype)]
    model = make_model([helper.make_node(op, ["a", "b"], ["y"])],
                       [("a", t, [4, 6]), ("b", t, [4, 6])],
                       [("y", TensorProto.BOOL, [4, 6])])
    a = random((4, 6), dtype, seed=7)
    b = a.copy()
    b[::2] = random((2, 6), dtype, seed=8)
    check(optc, tmp_path, model, {"a": a, "b": b})


def test_logic_and_where(optc, tmp_path):
    B = TensorProto.BOOL
    model = make_model(
        [helper.make_node("And", ["p", "q"], ["a"]),
         helper.make_node("Or", ["p", "q"], ["o"]),
         helper.make_node("Xor", ["p", "q"], ["x"]),
         helper.make_node("Not", ["p"], ["n"]),
         helper.make_node("Where", ["p", "u", "v"], ["w"])],
        [("p", B, [3, 5]), ("q", B, [5]), ("u", F32, [3, 5]), ("v", F32, [1])],
        [("a", B, [3, 5]), ("o", B, [3, 5]), ("x", B, [3, 5]), ("n", B, [3, 5]),
         ("w", F32, [3, 5])])
    feeds = {"p": random((3, 5), np.bool_, 1), "q": random((5,), np.bool_, 2),
             "u": random((3, 5), np.float32, 3),
             "v": np.array([7.5], np.float32)}
    check(optc, tmp_path, model, feeds)


@pytest.mark.parametrize("source,target", [
    (np.float32, np.int32), (np.float32, np.uint8), (np.float32, np.float16),
    (np.float32, np.float64), (np.float16, np.float32), (np.int64, np.float32),
    (np.uint8, np.int64), (np.int32, np.int8), (np.float32, np.bool_),
    (np.bool_, np.float32), (np.int8, np.uint16)])
def test_cast(optc, tmp_path, source, target):
    model = make_model(
        [helper.make_node("Cast", ["x"], ["y"], to=ONNX_TYPE[np.dtype(target)])],
        [("x", ONNX_TYPE[np.dtype(source)], [24])],
        [("y", ONNX_TYPE[np.dtype(target)], [24])])
    x = random((24,), source, seed=9, low=0, high=100)
    if source == np.float32:
        x[::3] = 0
    check(optc, tmp_path, model, {"x": x}, rtol=1e-3)


# Sizes the register tiles divide, and sizes they do not (197 is prime; the
# remainders are split off and take shorter vectors), threaded and not.
@pytest.mark.parametrize("m,k,n", [(1, 16, 10), (7, 13, 5), (64, 128, 96),
                                   (37, 53, 29), (256, 64, 512),
                                   (197, 64, 197), (130, 40, 300)])
def test_matmul(optc, tmp_path, m, k, n):
    model = make_model([helper.make_node("MatMul", ["a", "b"], ["y"])],
                       [("a", F32, [m, k]), ("b", F32, [k, n])],
                       [("y", F32, [m, n])])
    feeds = {"a": random((m, k), np.float32, 10),
             "b": random((k, n), np.float32, 11)}
    check(optc, tmp_path, model, feeds, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("a_shape,b_shape,y_shape", [
    ([3, 4, 5], [3, 5, 6], [3, 4, 6]), ([2, 1, 4, 5], [3, 5, 2], [2, 3, 4, 2]),
    ([2, 3, 197, 64], [2, 3, 64, 197], [2, 3, 197, 197]),
    ([5], [5, 3], [3]), ([4, 5], [5], [4]), ([2, 4, 5], [5, 8], [2, 4, 8])])
def test_batched_matmul(optc, tmp_path, a_shape, b_shape, y_shape):
    model = make_model([helper.make_node("MatMul", ["a", "b"], ["y"])],
                       [("a", F32, a_shape), ("b", F32, b_shape)],
                       [("y", F32, y_shape)])
    feeds = {"a": random(a_shape, np.float32, 12),
             "b": random(b_shape, np.float32, 13)}
    check(optc, tmp_path, model, feeds, rtol=1e-4, atol=1e-5)


def test_integer_matmul(optc, tmp_path):
    I = TensorProto.INT32
    model = make_model([helper.make_node("MatMul", ["a", "b"], ["y"])],
                       [("a", I, [6, 9]), ("b", I, [9, 4])], [("y", I, [6, 4])])
    check(optc, tmp_path, model, {"a": random((6, 9), np.int32, 14),
                                  "b": random((9, 4), np.int32, 15)})


def test_gemm_mlp_with_weights(optc, tmp_path):
    rng = np.random.default_rng(16)
    w = numpy_helper.from_array(rng.standard_normal((32, 64)).astype(np.float32), "w")
    bias = numpy_helper.from_array(rng.standard_normal(64).astype(np.float32), "bias")
    model = make_model(
        [helper.make_node("Gemm", ["x", "w", "bias"], ["h"]),
         helper.make_node("Relu", ["h"], ["r"]),
         helper.make_node("Softmax", ["r"], ["y"], axis=-1)],
        [("x", F32, [8, 32])], [("y", F32, [8, 64])], [w, bias])
    check(optc, tmp_path, model, {"x": random((8, 32), np.float32, 17)},
          rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMean", "ReduceMax",
                                "ReduceMin", "ReduceProd"])
@pytest.mark.parametrize("axes,keepdims", [([1], 1), ([0, 2], 0), ([2], 0),
                                           (None, 1)])
def test_reductions(optc, tmp_path, op, axes, keepdims):
    x = random((3, 4, 10), np.float32, 18, low=0.5, high=1.5)
    inputs = ["x"]
    inits = []
    if axes is not None:
        inits.append(numpy_helper.from_array(np.array(axes, np.int64), "axes"))
        inputs.append("axes")
    shape = list(x.shape)
    for a in (axes if axes is not None else range(3)):
        shape[a] = 1
    if not keepdims:
        shape = [s for i, s in enumerate(shape)
                 if i not in (axes if axes is not None else range(3))]
    opset = 18
    model = make_model([helper.make_node(op, inputs, ["y"], keepdims=keepdims)],
                       [("x", F32, [3, 4, 10])], [("y", F32, shape)], inits,
                       opset=opset)
    check(optc, tmp_path, model, {"x": x}, rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_integer_reductions(optc, tmp_path, dtype):
    t = ONNX_TYPE[np.dtype(dtype)]
    model = make_model(
        [helper.make_node("ReduceMax", ["x"], ["mx"], axes=[1], keepdims=0),
         helper.make_node("ReduceMin", ["x"], ["mn"], axes=[1], keepdims=0),
         helper.make_node("ReduceSum", ["x"], ["s"], axes=[0], keepdims=1)],
        [("x", t, [4, 9])], [("mx", t, [4]), ("mn", t, [4]), ("s", t, [1, 9])],
        opset=12)
    check(optc, tmp_path, model, {"x": random((4, 9), dtype, 19)})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("shape", [[3, 5, 7], [2, 3, 197]])
def test_softmax(optc, tmp_path, op, axis, shape):
    model = make_model([helper.make_node(op, ["x"], ["y"], axis=axis)],
                       [("x", F32, shape)], [("y", F32, shape)])
    x = random(shape, np.float32, 20, low=-30, high=30)
    check(optc, tmp_path, model, {"x": x}, rtol=1e-5, atol=1e-6)


def test_shapes_transpose_concat_slice(optc, tmp_path):
    starts = numpy_helper.from_array(np.array([5, 0], np.int64), "starts")
    ends = numpy_helper.from_array(np.array([0, 6], np.int64), "ends")
    axes = numpy_helper.from_array(np.array([0, 2], np.int64), "axes")
    steps = numpy_helper.from_array(np.array([-2, 3], np.int64), "steps")
    shape = numpy_helper.from_array(np.array([4, -1], np.int64), "shape")
    model = make_model(
        [helper.make_node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
         helper.make_node("Concat", ["x", "x"], ["c"], axis=1),
         helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"],
                          ["s"]),
         helper.make_node("Reshape", ["x", "shape"], ["r"]),
         helper.make_node("Expand", ["v", "shape2"], ["e"])],
        [("x", F32, [6, 4, 6]), ("v", F32, [4, 1])],
        [("t", F32, [6, 6, 4]), ("c", F32, [6, 8, 6]), ("s", F32, [3, 4, 2]),
         ("r", F32, [4, 36]), ("e", F32, [2, 4, 5])],
        [starts, ends, axes, steps, shape,
         numpy_helper.from_array(np.array([2, 4, 5], np.int64), "shape2")])
    check(optc, tmp_path, model, {"x": random((6, 4, 6), np.float32, 21),
                                  "v": random((4, 1), np.float32, 22)})


def test_large_elementwise_runs_threaded(optc, tmp_path):
    # Large enough to take the thread-pool path of the schedule.
    model = make_model([helper.make_node("Add", ["a", "b"], ["s"]),
                        helper.make_node("Tanh", ["s"], ["y"])],
                       [("a", F32, [512, 300]), ("b", F32, [300])],
                       [("y", F32, [512, 300])])
    check(optc, tmp_path, model, {"a": random((512, 300), np.float32, 23),
                                  "b": random((300,), np.float32, 24)},
          rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float16])
def test_half_precision_softmax_matmul_sum(optc, tmp_path, dtype):
    """16-bit floats accumulate in f32 and round once, like onnxruntime."""
    t = ONNX_TYPE[np.dtype(dtype)]
    model = make_model(
        [helper.make_node("MatMul", ["a", "b"], ["m"]),
         helper.make_node("Softmax", ["m"], ["s"], axis=-1),
         helper.make_node("ReduceSum", ["m"], ["r"], axes=[1], keepdims=0)],
        [("a", t, [8, 64]), ("b", t, [64, 32])],
        [("s", t, [8, 32]), ("r", t, [8])], opset=12)
    feeds = {"a": random((8, 64), dtype, 30, -1, 1),
             "b": random((64, 32), dtype, 31, -1, 1)}
    check(optc, tmp_path, model, feeds, rtol=2e-3, atol=2e-3)


def test_bfloat16(optc, tmp_path):
    """bf16 in and out: rounding to nearest even, arithmetic through f32."""
    BF16 = TensorProto.BFLOAT16
    model = make_model(
        [helper.make_node("Cast", ["x"], ["b"], to=BF16),
         helper.make_node("Cast", ["b"], ["y"], to=TensorProto.FLOAT)],
        [("x", F32, [64])], [("b", BF16, [64]), ("y", F32, [64])])
    x = random((64,), np.float32, 40, -100, 100)
    x[:4] = [np.inf, -np.inf, 1.0 + 2.0**-8, 1.0 + 3 * 2.0**-8]  # ties
    # onnxruntime's CPU provider has no bf16 Cast: ml_dtypes is the
    # reference (round to nearest even).
    b, y = run_optc(optc, tmp_path, model, {"x": x})
    want = x.astype(ml_dtypes.bfloat16)
    assert b.dtype == ml_dtypes.bfloat16
    np.testing.assert_array_equal(b.view(np.uint16), want.view(np.uint16))
    np.testing.assert_array_equal(y, want.astype(np.float32))


def run_in(optc, folder, model):
    folder.mkdir()
    return run_optc(optc, folder, model, {})


def random_model(op, shape, **attrs):
    return make_model([helper.make_node(op, [], ["y"], shape=shape, **attrs)], [],
                      [("y", F32, shape)], opset=22)


def test_random_uniform_and_normal(optc, tmp_path):
    """Draws lie in [low, high) with the right moments; a seed repeats them
    from run to run, no seed gives new ones each run; RandomNormal's two
    uniform draws are independent (its moments would be off otherwise)."""
    shape = [100, 100]
    seeded = random_model("RandomUniform", shape, low=-2.0, high=3.0, seed=5.0)
    (a,) = run_in(optc, tmp_path / "a", seeded)
    (b,) = run_in(optc, tmp_path / "b", seeded)
    np.testing.assert_array_equal(a, b)
    assert a.min() >= -2.0 and a.max() < 3.0
    assert abs(a.mean() - 0.5) < 0.05 and abs(a.var() - 25 / 12) < 0.1
    assert len(np.unique(a)) > 9900
    unseeded = random_model("RandomUniform", shape)
    (c,) = run_in(optc, tmp_path / "c", unseeded)
    (d,) = run_in(optc, tmp_path / "d", unseeded)
    assert not np.array_equal(c, d) and 0 <= c.min() and c.max() < 1
    (n,) = run_in(optc, tmp_path / "n",
                  random_model("RandomNormal", shape, mean=1.0, scale=2.0, seed=3.0))
    assert abs(n.mean() - 1.0) < 0.06 and abs(n.std() - 2.0) < 0.06
    # The fraction within one standard deviation of a normal distribution.
    assert abs(np.mean(np.abs(n - 1.0) < 2.0) - 0.6827) < 0.02


def test_bernoulli_frequencies(optc, tmp_path):
    p = np.linspace(0, 1, 11, dtype=np.float32).repeat(2000).reshape(11, 2000)
    model = make_model([helper.make_node("Bernoulli", ["p"], ["y"], seed=1.0)],
                       [("p", F32, [11, 2000])], [("y", F32, [11, 2000])], opset=22)
    (y,) = run_optc(optc, tmp_path, model, {"p": p})
    assert set(np.unique(y)) <= {0.0, 1.0}
    np.testing.assert_allclose(y.mean(axis=1), p[:, 0], atol=0.04)
