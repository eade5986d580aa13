"""Quantized ONNX models end to end: DequantizeLinear of packed weights
feeding MatMul, in the formats no CPU runtime executes (MXFP4, MXFP8,
NVFP4, FP4) against onnx.reference, and in onnxruntime's int4/int8 formats
against onnxruntime. The weights are initializers larger than the inline
limit, so they stay packed through compilation (checked in the IR)."""
import subprocess

import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import onnxruntime as ort

from harness import run_optc

FLOAT4 = ml_dtypes.float4_e2m1fn
E8M0 = ml_dtypes.float8_e8m0fnu
E4M3 = ml_dtypes.float8_e4m3fn


def model_of(nodes, inputs, outputs, initializers, opset, ir_version):
    graph = helper.make_graph(
        nodes, "q", [helper.make_tensor_value_info(*i) for i in inputs],
        [helper.make_tensor_value_info(*o) for o in outputs],
        initializer=initializers)
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version
    onnx.checker.check_model(model)
    return model


def mx_weights(rng, k, n, element, block=32):
    """Codes [k, n] of `element` and E8M0 scales, one per `block` along K."""
    codes = rng.uniform(-6, 6, (k, n)).astype(np.float32).astype(element)
    exponents = rng.integers(120, 130, (-(-k // block), n)).astype(np.uint8)
    return codes, exponents.view(E8M0)


def dequantize_matmul(codes, scales, block, zero=None, extra_nodes=(),
                      extra_inits=(), opset=24, ir_version=11):
    """Y = X . DequantizeLinear(W, S[, Z]) with blocks along K (axis 0); S
    is an initializer, or made by `extra_nodes` when `scales` is None."""
    k, n = codes.shape
    inits = [numpy_helper.from_array(codes, "W"), *extra_inits]
    if scales is not None:
        inits.append(numpy_helper.from_array(scales, "S"))
    dq_inputs = ["W", "S"]
    if zero is not None:
        inits.append(numpy_helper.from_array(zero, "Z"))
        dq_inputs.append("Z")
    nodes = [*extra_nodes,
             helper.make_node("DequantizeLinear", dq_inputs, ["Wf"], axis=0,
                              block_size=block, output_dtype=TensorProto.FLOAT)
             if opset >= 23 else
             helper.make_node("DequantizeLinear", dq_inputs, ["Wf"], axis=0,
                              block_size=block),
             helper.make_node("MatMul", ["X", "Wf"], ["Y"])]
    return model_of(nodes, [("X", TensorProto.FLOAT, [3, k])],
                    [("Y", TensorProto.FLOAT, [3, n])], inits, opset, ir_version)


def stays_packed(optc, tmp_path, model, encoding):
    """After the fusion stage the product is one optc.quantized_matmul whose
    weights are packed codes of `encoding` (constant weights [K, N] were
    transposed to [N, K] at compile time)."""
    path = tmp_path / "ir.onnx"
    onnx.save(model, path)
    ir = subprocess.run([str(optc), str(path), "--emit-after=fusion", "-o", "-"],
                        capture_output=True, text=True, check=True).stdout
    products = [l for l in ir.splitlines() if "optc.quantized_matmul" in l]
    assert any(encoding in l for l in products), ir[:3000]


def against_onnxruntime(optc, tmp_path, model, x):
    """optc against onnxruntime without graph optimisations: ORT's
    optimiser rewrites DequantizeLinear -> MatMul into kernels that also
    quantize the activations (MatMulNBits, accuracy level 4), which are
    not DequantizeLinear's numbers (off by up to 1% here)."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    want, = session.run(None, {"X": x})
    ours, = run_optc(optc, tmp_path, model, {"X": x})
    np.testing.assert_allclose(ours, want, rtol=2e-6, atol=1e-5)


def against_reference(optc, tmp_path, model, x, rtol=2e-6):
    ours, = run_optc(optc, tmp_path, model, {"X": x})
    want, = ReferenceEvaluator(model).run(None, {"X": x})
    np.testing.assert_allclose(ours, want, rtol=rtol, atol=1e-5)


@pytest.mark.parametrize("element,name", [(FLOAT4, "f4E2M1FN"),
                                          (E4M3, "f8E4M3FN")],
                         ids=["mxfp4", "mxfp8"])
def test_mx_weights_against_onnx_reference(optc, tmp_path, element, name):
    rng = np.random.default_rng(1)
    codes, scales = mx_weights(rng, 96, 24, element)
    model = dequantize_matmul(codes, scales, 32)
    stays_packed(optc, tmp_path, model,
                 f"x{name}, #optc.quant<block = [1, 32], scale = f8E8M0FNU>")
    against_reference(optc, tmp_path, model,
                      rng.standard_normal((3, 96)).astype(np.float32))


def test_nvfp4_weights_against_onnx_reference(optc, tmp_path):
    """NVFP4 in ONNX: the E4M3 block scales are themselves dequantized by
    the f32 tensor scale, blocks of 16."""
    rng = np.random.default_rng(2)
    k, n = 64, 20
    codes = rng.uniform(-6, 6, (k, n)).astype(np.float32).astype(FLOAT4)
    block_scales = rng.uniform(0.5, 400, (k // 16, n)).astype(E4M3)
    tensor_scale = np.array(0.013, np.float32)
    extra = [helper.make_node("DequantizeLinear", ["Sq", "T"], ["S"],
                              output_dtype=TensorProto.FLOAT)]
    inits = [numpy_helper.from_array(block_scales, "Sq"),
             numpy_helper.from_array(tensor_scale, "T")]
    model = dequantize_matmul(codes, None, 16, extra_nodes=extra,
                              extra_inits=inits)
    stays_packed(optc, tmp_path, model,
                 "xf4E2M1FN, #optc.quant<block = [1, 16], scale = f32>")
    # The micro-kernel sums each block before scaling it, NumPy sums the
    # scaled products: with scales up to 400 the sums differ in their last
    # bits (about 5e-6 relative).
    against_reference(optc, tmp_path, model,
                      rng.standard_normal((3, k)).astype(np.float32), rtol=2e-5)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_fp4_dequantize_bit_exact(optc, tmp_path):
    """DequantizeLinear alone: every FP4 code times every kind of E8M0
    scale, bit for bit as onnx.reference gives it (6 * 2^127 overflows to
    infinity in both)."""
    codes = np.tile(np.arange(16, dtype=np.uint8), 8).view(FLOAT4).reshape(4, 32)
    scales = np.array([[0], [127], [200], [254]], np.uint8).view(E8M0)
    node = helper.make_node("DequantizeLinear", ["C", "S"], ["Y"], axis=1,
                            block_size=32, output_dtype=TensorProto.FLOAT)
    model = model_of([node], [("C", TensorProto.FLOAT4E2M1, [4, 32]),
                              ("S", TensorProto.FLOAT8E8M0, [4, 1])],
                     [("Y", TensorProto.FLOAT, [4, 32])], [], 24, 11)
    ours, = run_optc(optc, tmp_path, model, {"C": codes, "S": scales})
    want, = ReferenceEvaluator(model).run(None, {"C": codes, "S": scales})
    np.testing.assert_array_equal(ours.view(np.uint32), want.view(np.uint32))


@pytest.mark.parametrize("signed", [True, False], ids=["int4", "uint4"])
def test_int4_blocked_weights_against_onnxruntime(optc, tmp_path, signed):
    rng = np.random.default_rng(3)
    k, n, block = 128, 16, 32
    lo, hi = (-8, 8) if signed else (0, 16)
    dtype = ml_dtypes.int4 if signed else ml_dtypes.uint4
    codes = rng.integers(lo, hi, (k, n)).astype(dtype)
    scales = rng.uniform(0.01, 0.1, (k // block, n)).astype(np.float32)
    zero = rng.integers(lo, hi, (k // block, n)).astype(dtype)
    model = dequantize_matmul(codes, scales, block, zero=zero, opset=21,
                              ir_version=10)
    encoding = "i4" if signed else "ui4"
    stays_packed(optc, tmp_path, model,
                 f"x{encoding}, #optc.quant<block = [1, 32], scale = f32, zero_point>")
    against_onnxruntime(optc, tmp_path, model,
                        rng.standard_normal((3, k)).astype(np.float32))


def test_int8_per_channel_weights_against_onnxruntime(optc, tmp_path):
    """quantize_static's weight form: int8 per output channel."""
    rng = np.random.default_rng(4)
    k, n = 64, 32
    codes = rng.integers(-127, 128, (k, n)).astype(np.int8)
    scales = rng.uniform(0.001, 0.02, n).astype(np.float32)
    nodes = [helper.make_node("DequantizeLinear", ["W", "S"], ["Wf"], axis=1),
             helper.make_node("MatMul", ["X", "Wf"], ["Y"])]
    model = model_of(nodes, [("X", TensorProto.FLOAT, [3, k])],
                     [("Y", TensorProto.FLOAT, [3, n])],
                     [numpy_helper.from_array(codes, "W"),
                      numpy_helper.from_array(scales, "S")], 13, 8)
    stays_packed(optc, tmp_path, model,
                 "32x64xi8, #optc.quant<block = [1, 64], scale = f32>")
    against_onnxruntime(optc, tmp_path, model,
                        rng.standard_normal((3, k)).astype(np.float32))
