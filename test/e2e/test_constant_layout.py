"""End-to-end tests of layout changes of constant weights, folded at compile
time (transposes, slices, splits; reshapes read through): Gemm with
transB = 1 as PyTorch exports nn.Linear, MatMul after a Transpose, a
convolution weight transposed to OIHW, a bidirectional LSTM, against
onnxruntime. The weights are large enough to be dense_resource blobs."""
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import ONNX_TYPE, check, make_model, random

F32 = TensorProto.FLOAT


def const(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


def graph_ops(optc, tmp_path, model):
    """The optc ops left after the graph stage, one name per op."""
    path = tmp_path / "graph.onnx"
    onnx.save(model, path)
    result = subprocess.run([str(optc), str(path), "--emit-after=graph"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    body = result.stdout.split("{-#")[0]
    return [word for word in body.split() if word.startswith("optc.")]


@pytest.mark.parametrize("m,k,n,attrs", [
    # A CNN+LSTM text recogniser's classifier: 8210 classes of 1024.
    (1, 1024, 8210, dict(transB=1)),
    (3, 96, 130, dict(transB=1)),
    (5, 64, 33, dict(transB=1, alpha=0.5, beta=2.0)),
    (7, 40, 24, dict(transA=1, transB=1)),
    (4, 48, 20, dict(transA=1, transB=1, alpha=-1.5, beta=0.25)),
    (6, 32, 72, dict(transB=1, beta=0.0)),
])
def test_gemm_constant_b(optc, tmp_path, m, k, n, attrs):
    a_shape = [k, m] if attrs.get("transA") else [m, k]
    b = (random([n, k], np.float32, 1) / np.sqrt(k)).astype(np.float32)
    c = random([n], np.float32, 2)
    model = make_model(
        [helper.make_node("Gemm", ["A", "B", "C"], ["Y"], **attrs)],
        [("A", F32, a_shape)], [("Y", F32, [m, n])],
        [const("B", b), const("C", c)])
    ops = graph_ops(optc, tmp_path, model)
    # Only A's transpose (an input) is left for run time.
    assert ops.count("optc.transpose") == (1 if attrs.get("transA") else 0)
    check(optc, tmp_path, model, {"A": random(a_shape, np.float32, 3)},
          rtol=1e-4, atol=1e-5)


def test_gemm_constant_b_and_c_2d(optc, tmp_path):
    # C broadcast from [1, N] and from [M, 1].
    b = random([50, 70], np.float32, 1) / 8
    model = make_model(
        [helper.make_node("Gemm", ["A", "B", "C"], ["Y"], transB=1),
         helper.make_node("Gemm", ["A", "B", "D"], ["Z"], transB=1,
                          alpha=2.0)],
        [("A", F32, [3, 70])], [("Y", F32, [3, 50]), ("Z", F32, [3, 50])],
        [const("B", b), const("C", random([1, 50], np.float32, 2)),
         const("D", random([3, 1], np.float32, 4))])
    assert "optc.transpose" not in graph_ops(optc, tmp_path, model)
    check(optc, tmp_path, model, {"A": random([3, 70], np.float32, 3)},
          rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_matmul_transposed_constant(optc, tmp_path, dtype):
    w = random([96, 64], dtype, 1) / 8
    model = make_model(
        [helper.make_node("Transpose", ["W"], ["WT"], perm=[1, 0]),
         helper.make_node("MatMul", ["X", "WT"], ["Y"])],
        [("X", ONNX_TYPE[np.dtype(dtype)], [2, 5, 64])],
        [("Y", ONNX_TYPE[np.dtype(dtype)], [2, 5, 96])], [const("W", w)])
    assert "optc.transpose" not in graph_ops(optc, tmp_path, model)
    tol = 2e-3 if dtype == np.float16 else 1e-5
    check(optc, tmp_path, model, {"X": random([2, 5, 64], dtype, 3)},
          rtol=tol, atol=tol)


def test_matmul_integer_transposed_constant(optc, tmp_path):
    # One-byte elements.
    w = random([24, 40], np.int8, 1)
    model = make_model(
        [helper.make_node("Transpose", ["W"], ["WT"], perm=[1, 0]),
         helper.make_node("MatMulInteger", ["X", "WT"], ["Y"])],
        [("X", TensorProto.INT8, [3, 40])], [("Y", TensorProto.INT32, [3, 24])],
        [const("W", w)])
    assert "optc.transpose" not in graph_ops(optc, tmp_path, model)
    check(optc, tmp_path, model, {"X": random([3, 40], np.int8, 3)})


def test_reshaped_and_transposed_constants(optc, tmp_path):
    # Flatten, Reshape and Unsqueeze of a weight, then transposes through
    # them; the plain reshape of a weight stays a view.
    w = random([48, 4, 8], np.float32, 1) / 6
    v = random([32, 48], np.float32, 2) / 6
    model = make_model(
        [helper.make_node("Flatten", ["W"], ["WF"], axis=1),
         helper.make_node("Transpose", ["WF"], ["WT"], perm=[1, 0]),
         helper.make_node("MatMul", ["X", "WT"], ["Y"]),
         helper.make_node("Unsqueeze", ["V", "axes"], ["VU"]),
         helper.make_node("Transpose", ["VU"], ["VT"], perm=[0, 2, 1]),
         helper.make_node("MatMul", ["H", "VT"], ["Z"]),
         helper.make_node("Reshape", ["V", "shape"], ["VR"]),
         helper.make_node("Add", ["VR", "R"], ["S"])],
        [("X", F32, [4, 32]), ("H", F32, [2, 4, 48]), ("R", F32, [6, 256])],
        [("Y", F32, [4, 48]), ("Z", F32, [2, 4, 32]), ("S", F32, [6, 256])],
        [const("W", w), const("V", v), const("axes", np.array([0])),
         const("shape", np.array([6, 256]))])
    assert "optc.transpose" not in graph_ops(optc, tmp_path, model)
    check(optc, tmp_path, model,
          {"X": random([4, 32], np.float32, 3),
           "H": random([2, 4, 48], np.float32, 4),
           "R": random([6, 256], np.float32, 5)}, rtol=1e-5, atol=1e-5)


def test_conv_transposed_weight(optc, tmp_path):
    # A weight stored HWIO (as TensorFlow converters leave it).
    w = random([3, 3, 16, 24], np.float32, 1) / 12
    model = make_model(
        [helper.make_node("Transpose", ["W"], ["WT"], perm=[3, 2, 0, 1]),
         helper.make_node("Conv", ["X", "WT"], ["Y"], pads=[1, 1, 1, 1])],
        [("X", F32, [1, 16, 12, 12])], [("Y", F32, [1, 24, 12, 12])],
        [const("W", w)])
    assert "optc.transpose" not in graph_ops(optc, tmp_path, model)
    check(optc, tmp_path, model, {"X": random([1, 16, 12, 12], np.float32, 3)},
          rtol=1e-5, atol=1e-5)


def test_split_and_slice_constants(optc, tmp_path):
    # A fused QKV weight split in three, and a strided reversed slice.
    w = random([64, 96], np.float32, 1) / 8
    model = make_model(
        [helper.make_node("Split", ["W"], ["Q", "K", "V"], axis=1,
                          num_outputs=3),
         helper.make_node("MatMul", ["X", "Q"], ["A"]),
         helper.make_node("MatMul", ["X", "K"], ["B"]),
         helper.make_node("MatMul", ["X", "V"], ["C"]),
         helper.make_node("Slice", ["W", "starts", "ends", "axes", "steps"],
                          ["S"]),
         helper.make_node("MatMul", ["X", "S"], ["D"])],
        [("X", F32, [3, 64])],
        [("A", F32, [3, 32]), ("B", F32, [3, 32]), ("C", F32, [3, 32]),
         ("D", F32, [3, 48])],
        [const("W", w), const("starts", np.array([-1])),
         const("ends", np.array([-100])), const("axes", np.array([1])),
         const("steps", np.array([-2]))], opset=18)
    ops = graph_ops(optc, tmp_path, model)
    assert "optc.split" not in ops and "optc.slice" not in ops
    check(optc, tmp_path, model, {"X": random([3, 64], np.float32, 3)},
          rtol=1e-5, atol=1e-5)


def test_bidirectional_lstm(optc, tmp_path):
    hidden, size = 32, 20
    w = random([2, 4 * hidden, size], np.float32, 1) / 4
    r = random([2, 4 * hidden, hidden], np.float32, 2) / 4
    b = random([2, 8 * hidden], np.float32, 3) / 4
    model = make_model(
        [helper.make_node("LSTM", ["X", "W", "R", "B"], ["Y", "H", "C"],
                          hidden_size=hidden, direction="bidirectional")],
        [("X", F32, [7, 2, size])],
        [("Y", F32, [7, 2, 2, hidden]), ("H", F32, [2, 2, hidden]),
         ("C", F32, [2, 2, hidden])],
        [const("W", w), const("R", r), const("B", b)])
    # Every weight's slice and transpose is folded; what is left works on
    # the data inside the time loops.
    ops = graph_ops(optc, tmp_path, model)
    assert "optc.transpose" not in ops
    check(optc, tmp_path, model, {"X": random([7, 2, size], np.float32, 4)},
          rtol=1e-4, atol=1e-5)
