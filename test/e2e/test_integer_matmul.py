"""8-bit integer products: ONNX MatMulInteger becomes optc.integer_matmul,
which the CPU runs on the runtime's 8-bit kernel (optc_igemm_i32, AVX-512
VNNI where the CPU has it); the results are exact integers, so they must
equal onnxruntime's. Also a model made by onnxruntime's quantize_dynamic
(DynamicQuantizeLinear + MatMulInteger), compared with onnxruntime."""
import subprocess

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import run_optc

DTYPES = {"u8": (np.uint8, TensorProto.UINT8), "s8": (np.int8, TensorProto.INT8)}


def integer_model(a_shape, b_shape, a_type, b_type, a_zero, b_zero, b_const):
    """Y = MatMulInteger(A, B[, AZ, BZ]); B an initializer when b_const."""
    (a_np, a_proto), (b_np, b_proto) = DTYPES[a_type], DTYPES[b_type]
    rng = np.random.default_rng(sum(a_shape) + 7 * sum(b_shape))
    inits, inputs = [], [helper.make_tensor_value_info("A", a_proto, a_shape)]
    b = rng.integers(np.iinfo(b_np).min, np.iinfo(b_np).max + 1, b_shape,
                     dtype=np.int64).astype(b_np)
    feeds = {"A": rng.integers(np.iinfo(a_np).min, np.iinfo(a_np).max + 1, a_shape,
                               dtype=np.int64).astype(a_np)}
    if b_const:
        inits.append(numpy_helper.from_array(b, "B"))
    else:
        inputs.append(helper.make_tensor_value_info("B", b_proto, b_shape))
        feeds["B"] = b
    names = ["A", "B"]
    for name, zero, np_type, count in [("AZ", a_zero, a_np, a_shape[-2]),
                                       ("BZ", b_zero, b_np, b_shape[-1])]:
        if zero is None:
            names.append("")
            continue
        shape = [] if zero == "one" else [count]
        value = rng.integers(np.iinfo(np_type).min, np.iinfo(np_type).max + 1,
                             shape, dtype=np.int64).astype(np_type)
        inits.append(numpy_helper.from_array(np.array(value, np_type), name))
        names.append(name)
    while names and names[-1] == "":
        names.pop()
    out = list(a_shape[:-1]) + [b_shape[-1]]
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", names, ["Y"])], "g", inputs,
        [helper.make_tensor_value_info("Y", TensorProto.INT32, out)],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model, feeds


def onnxruntime_outputs(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def quantize_qdq(model, x, tmp_path, per_channel=False):
    """`model` through onnxruntime's quantize_static in the QDQ format,
    calibrated on the one input x; saved as tmp_path/qdq.onnx."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                          quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.items = [{"x": x}]

        def get_next(self):
            return self.items.pop() if self.items else None

    float_path, quant_path = tmp_path / "float.onnx", tmp_path / "qdq.onnx"
    onnx.save(model, float_path)
    quantize_static(str(float_path), str(quant_path), Reader(),
                    quant_format=QuantFormat.QDQ, per_channel=per_channel)
    return onnx.load(quant_path)


def calls_of(optc, tmp_path, model, kernel):
    path = tmp_path / "calls.onnx"
    onnx.save(model, path)
    llvm = subprocess.run([str(optc), str(path), "--emit=llvm", "-o", "-"],
                          capture_output=True, text=True, check=True).stdout
    return llvm.count(f"call void @{kernel}(")


# onnxruntime's MatMulInteger takes u8 or s8 A with u8 or s8 B; its zero
# point of A must be one value, of B one or one a column.
@pytest.mark.parametrize("a_type,b_type", [("u8", "s8"), ("u8", "u8"), ("s8", "s8"),
                                           ("s8", "u8")])
@pytest.mark.parametrize("zeros", [(None, None), ("one", "one"), ("one", "each")])
def test_matmul_integer_equals_onnxruntime(optc, tmp_path, a_type, b_type, zeros):
    model, feeds = integer_model([2, 5, 70], [70, 37], a_type, b_type, *zeros,
                                 b_const=True)
    assert calls_of(optc, tmp_path, model, "optc_igemm_i32") == 1
    got, = run_optc(optc, tmp_path, model, feeds)
    want, = onnxruntime_outputs(model, feeds)
    np.testing.assert_array_equal(got, want)


def test_matmul_integer_runtime_b_and_rows(optc, tmp_path):
    # B an input; A 2-D with a zero point a row (onnx.reference's rule;
    # onnxruntime accepts only one): checked against NumPy.
    model, feeds = integer_model([9, 64], [64, 33], "u8", "s8", "each", "each",
                                 b_const=False)
    assert calls_of(optc, tmp_path, model, "optc_igemm_i32") == 1
    got, = run_optc(optc, tmp_path, model, feeds)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    a = feeds["A"].astype(np.int64) - inits["AZ"].astype(np.int64)[:, None]
    b = feeds["B"].astype(np.int64) - inits["BZ"].astype(np.int64)[None, :]
    np.testing.assert_array_equal(got, a @ b)


def test_quantize_dynamic_mlp_against_onnxruntime(optc, tmp_path):
    """A float MLP through onnxruntime's quantize_dynamic: DynamicQuantizeLinear
    of the activations, MatMulInteger with the int8 weights, rescaled to
    float; optc's integer products are exact, so it agrees with onnxruntime
    up to float rounding of the rescaling."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    rng = np.random.default_rng(3)
    w1 = (rng.standard_normal((96, 128)) / 10).astype(np.float32)
    w2 = (rng.standard_normal((128, 48)) / 10).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "W2"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 96])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 48])],
        initializer=[numpy_helper.from_array(w1, "W1"),
                     numpy_helper.from_array(w2, "W2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    float_path, quant_path = tmp_path / "float.onnx", tmp_path / "dynamic.onnx"
    onnx.save(model, float_path)
    quantize_dynamic(str(float_path), str(quant_path), weight_type=QuantType.QInt8)
    quantized = onnx.load(quant_path)
    assert "MatMulInteger" in {n.op_type for n in quantized.graph.node}
    assert calls_of(optc, tmp_path, quantized, "optc_igemm_i32") == 2
    x = rng.standard_normal((8, 96)).astype(np.float32)
    got, = run_optc(optc, tmp_path, quantized, {"x": x})
    want, = onnxruntime_outputs(quantized, {"x": x})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("per_channel", [False, True])
def test_quantize_static_qdq_mlp_against_the_reference(optc, tmp_path, per_channel):
    """A float MLP through onnxruntime's quantize_static (QDQ format):
    DequantizeLinear -> MatMul pairs become integer products of the codes,
    rescaled once. onnx.reference computes the same products in float from
    the dequantized values (onnxruntime fuses the QDQ pairs into kernels
    that requantize, a different approximation)."""
    from onnx.reference import ReferenceEvaluator
    rng = np.random.default_rng(5)
    w1 = (rng.standard_normal((64, 96)) / 8).astype(np.float32)
    w2 = (rng.standard_normal((96, 32)) / 8).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "W2"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [16, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [16, 32])],
        initializer=[numpy_helper.from_array(w1, "W1"),
                     numpy_helper.from_array(w2, "W2")])
    # Opset 21: onnx.reference implements DequantizeLinear from 19 on.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    x = rng.standard_normal((16, 64)).astype(np.float32)
    quantized = quantize_qdq(model, x, tmp_path, per_channel=per_channel)
    assert "DequantizeLinear" in {n.op_type for n in quantized.graph.node}
    assert calls_of(optc, tmp_path, quantized, "optc_igemm_i32") == 2
    got, = run_optc(optc, tmp_path, quantized, {"x": x})
    want, = ReferenceEvaluator(quantized).run(None, {"x": x})
    # The second product's input is requantized: a float rounding of the
    # first product's rescaling may move a code by one step there.
    step = float(np.abs(want).max()) / 64
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=step)


@pytest.mark.parametrize("code_type,zero", [(TensorProto.UINT8, 131), (TensorProto.INT8, -7),
                                            (TensorProto.INT8, None)])
@pytest.mark.parametrize("per_axis", [False, True])
def test_quantize_dequantize_round_trip_is_exact(optc, tmp_path, code_type, zero,
                                                 per_axis):
    """QuantizeLinear -> DequantizeLinear on activations becomes the pair's
    float arithmetic fused into the neighbouring kernel (--optc-fold-qdq);
    it must equal onnx.reference bit for bit: ties (x / s = k + 0.5 round to
    even), values past either end of the codes (saturated) and -0. For
    infinities and NaN onnx.reference casts to int32 first (undefined in C,
    INT_MIN here), so those are checked against docs/low-precision.md's
    table instead: +inf and -inf saturate, NaN is code 0."""
    from onnx.reference import ReferenceEvaluator
    rng = np.random.default_rng(11)
    channels = 4
    scale = np.array([0.05, 0.25, 1.0, 0.125], np.float32) if per_axis \
        else np.array(0.05, np.float32)
    s = scale if per_axis else np.full(channels, scale)
    ties = (np.arange(-300, 300) + 0.5).astype(np.float32)
    sweep = np.concatenate([ties[:, None] * s[None, :],
                            rng.standard_normal((400, channels)).astype(np.float32) * 20,
                            np.array([[np.inf, -np.inf, -0.0, np.nan]] * 1, np.float32)])
    x = sweep.astype(np.float32)
    np_type = np.uint8 if code_type == TensorProto.UINT8 else np.int8
    inits = [numpy_helper.from_array(scale, "s")]
    q_inputs = ["x", "s"]
    if zero is not None:
        zeros = np.full(channels, zero, np_type) if per_axis else np.array(zero, np_type)
        inits.append(numpy_helper.from_array(zeros, "z"))
        q_inputs.append("z")
    else:
        inits.append(numpy_helper.from_array(
            np.zeros(channels, np_type) if per_axis else np.array(0, np_type), "z0"))
    axis = {"axis": 1} if per_axis else {}
    nodes = [helper.make_node("QuantizeLinear", q_inputs if zero is not None
                              else ["x", "s", "z0"], ["q"], **axis),
             helper.make_node("DequantizeLinear", ["q", "s"] + (["z"] if zero is not None
                                                                else ["z0"]), ["d"], **axis),
             helper.make_node("Relu", ["d"], ["y"])]
    graph = helper.make_graph(
        nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, x.shape)],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    got, = run_optc(optc, tmp_path, model, {"x": x})
    finite = x.copy()
    finite[-1] = 0
    want, = ReferenceEvaluator(model).run(None, {"x": finite})
    np.testing.assert_array_equal(got[:-1].view(np.uint32), want[:-1].view(np.uint32))
    lo, hi = np.iinfo(np_type).min, np.iinfo(np_type).max
    z = 0 if zero is None else zero
    specials = (np.array([hi, lo, z, 0], np.float32) - z) * s  # inf, -inf, -0, NaN
    np.testing.assert_array_equal(got[-1], np.maximum(specials, 0))


def test_quantize_static_qdq_conv_net_against_the_reference(optc, tmp_path):
    """A small conv net (Conv -> BatchNormalization -> Relu twice, a
    residual Add) through onnxruntime's quantize_static in the QDQ format:
    the weights' DequantizeLinear fold to f32 constants and the activations'
    QuantizeLinear -> DequantizeLinear pairs fuse into the convolutions as
    float arithmetic (no quantize or dequantize kernel is left); outputs
    agree with onnx.reference."""
    from onnx.reference import ReferenceEvaluator
    rng = np.random.default_rng(9)

    def conv(name, inp, out, cin, cout, group=1):
        w = (rng.standard_normal((cout, cin // group, 3, 3)) / 4).astype(np.float32)
        b = rng.standard_normal(cout).astype(np.float32) / 10
        return ([helper.make_node("Conv", [inp, name + "_w", name + "_b"], [out],
                                  pads=[1, 1, 1, 1], group=group)],
                [numpy_helper.from_array(w, name + "_w"),
                 numpy_helper.from_array(b, name + "_b")])

    n1, i1 = conv("c1", "x", "h1", 8, 16)
    n2, i2 = conv("c2", "r1", "h2", 16, 16, group=16)
    nodes = n1 + [helper.make_node("Relu", ["h1"], ["r1"])] + n2 + [
        helper.make_node("Add", ["h2", "r1"], ["y"])]
    graph = helper.make_graph(
        nodes, "convnet",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 12, 12])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 12, 12])],
        initializer=i1 + i2)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    x = rng.standard_normal((1, 8, 12, 12)).astype(np.float32)
    quantized = quantize_qdq(model, x, tmp_path)
    quant_path = tmp_path / "qdq.onnx"
    assert "QuantizeLinear" in {n.op_type for n in quantized.graph.node}
    llvm = subprocess.run([str(optc), str(quant_path), "--emit-after=linalg", "-o", "-"],
                          capture_output=True, text=True, check=True).stdout
    kernels = [line for line in llvm.splitlines() if "func.func private @k" in line]
    assert kernels and not any("quantize" in k for k in kernels), kernels
    got, = run_optc(optc, tmp_path, quantized, {"x": x})
    want, = ReferenceEvaluator(quantized).run(None, {"x": x})
    # The output is requantized: a float rounding of a convolution's sum
    # may move a code by one step.
    step = float(np.abs(want).max()) / 100
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=step)
    assert np.mean(got == want) > 0.95
