"""com.microsoft MatMulNBits (onnxruntime-genai's int4 LLM format) against
onnxruntime: 2-, 4- and 8-bit codes, packed and float zero points, the
default zero point, K not a multiple of the block, bias, g_idx (act-order)
and weights computed at run time."""
import subprocess

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import run_optc


def pack_rows(codes, bits):
    """Codes [rows, count] as onnxruntime packs them: each row a bit
    stream, low bits first, padded to a whole byte."""
    rows, count = codes.shape
    per = 8 // bits
    padded = -(-count // per) * per
    full = np.zeros((rows, padded), np.uint8)
    full[:, :count] = codes
    full = full.reshape(rows, -1, per)
    out = np.zeros(full.shape[:2], np.uint8)
    for j in range(per):
        out |= full[:, :, j] << (j * bits)
    return out


def nbits_model(k, n, bits, block, zero="codes", bias=False, g_idx=None,
                runtime_b=False, m=3, seed=0, accuracy_level=None):
    rng = np.random.default_rng(seed)
    blocks = -(-k // block)
    codes = rng.integers(0, 2 ** bits, (n, blocks * block)).astype(np.uint8)
    codes[:, k:] = 0
    b = pack_rows(codes, bits).reshape(n, blocks, block * bits // 8)
    scales = rng.uniform(0.01, 0.1, (n * blocks,)).astype(np.float32)
    inits = [numpy_helper.from_array(scales, "scales")]
    inputs = ["A", "B", "scales"]
    graph_inputs = [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])]
    feeds = {"A": rng.standard_normal((m, k)).astype(np.float32)}
    if runtime_b:
        graph_inputs.append(helper.make_tensor_value_info("B", TensorProto.UINT8,
                                                          list(b.shape)))
        feeds["B"] = b
    else:
        inits.append(numpy_helper.from_array(b, "B"))
    if zero == "codes":
        zp = rng.integers(0, 2 ** bits, (n, blocks)).astype(np.uint8)
        inits.append(numpy_helper.from_array(pack_rows(zp, bits).reshape(-1),
                                             "zero_points"))
        inputs.append("zero_points")
    elif zero == "float":
        zp = rng.uniform(0, 2 ** bits - 1, (n * blocks,)).astype(np.float32)
        inits.append(numpy_helper.from_array(zp, "zero_points"))
        inputs.append("zero_points")
    if g_idx is not None:
        inputs += [""] * (4 - len(inputs)) + ["g_idx"]
        inits.append(numpy_helper.from_array(g_idx.astype(np.int32), "g_idx"))
    if bias:
        inputs += [""] * (5 - len(inputs)) + ["bias"]
        inits.append(numpy_helper.from_array(
            rng.standard_normal(n).astype(np.float32), "bias"))
    levels = {} if accuracy_level is None else {"accuracy_level": accuracy_level}
    node = helper.make_node("MatMulNBits", inputs, ["Y"], domain="com.microsoft",
                            K=k, N=n, bits=bits, block_size=block, **levels)
    graph = helper.make_graph(
        [node], "nbits", graph_inputs,
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 21), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 10
    return model, feeds


CASES = {
    "int4-zp": dict(k=128, n=24, bits=4, block=32),
    "int4-default-zp": dict(k=128, n=24, bits=4, block=32, zero=None),
    "int4-float-zp": dict(k=128, n=24, bits=4, block=32, zero="float"),
    "int4-k-padded-bias": dict(k=100, n=16, bits=4, block=32, bias=True),
    "int4-gemv": dict(k=256, n=64, bits=4, block=128, m=1),
    "int8": dict(k=64, n=16, bits=8, block=16),
    "int2": dict(k=64, n=16, bits=2, block=32),
    "int4-runtime-b": dict(k=64, n=16, bits=4, block=16, runtime_b=True),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_matmul_nbits_against_onnxruntime(optc, tmp_path, case):
    model, feeds = nbits_model(**case)
    onnx.checker.check_model(model)
    want, = ort.InferenceSession(model.SerializeToString(),
                                 providers=["CPUExecutionProvider"]).run(None, feeds)
    ours, = run_optc(optc, tmp_path, model, feeds)
    np.testing.assert_allclose(ours, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("block", [32, 128])
def test_matmul_nbits_int8_activations(optc, tmp_path, block):
    """accuracy_level 4 lets both runtimes quantize A to int8 per block:
    optc (VNNI where the CPU has it, f32 otherwise) stays as close to the
    exact product as onnxruntime does."""
    model, feeds = nbits_model(k=512, n=48, bits=4, block=block, m=2,
                               accuracy_level=4)
    ir = subprocess.run([str(optc), "-", "--emit-after=import", "-o", "-"],
                        input=model.SerializeToString(), capture_output=True)
    assert b"int8_activations" in ir.stdout, ir.stderr.decode()[-2000:]
    exact_model, _ = nbits_model(k=512, n=48, bits=4, block=block, m=2,
                                 accuracy_level=0)
    exact, = ort.InferenceSession(exact_model.SerializeToString(),
                                  providers=["CPUExecutionProvider"]).run(None, feeds)
    theirs, = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"]).run(None, feeds)
    ours, = run_optc(optc, tmp_path, model, feeds)
    scale = np.abs(exact).max()
    their_error = np.abs(theirs - exact).max() / scale
    our_error = np.abs(ours - exact).max() / scale
    assert our_error < max(2 * their_error, 1e-3), (our_error, their_error)


def test_matmul_nbits_g_idx(optc, tmp_path):
    """act-order: column k of B has the scale and zero point of group
    g_idx[k] (the operator's definition; onnxruntime 1.31's CPU kernel
    disagrees with it even for g_idx = k // block_size, so the reference
    here is NumPy)."""
    k, n, block = 64, 16, 16
    groups = np.random.default_rng(7).permutation(np.arange(k) // block)
    model, feeds = nbits_model(k, n, 4, block, g_idx=groups)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    b = inits["B"].reshape(n, -1)
    codes = np.stack([b & 15, b >> 4], -1).reshape(n, k).astype(np.float32)
    scales = inits["scales"].reshape(n, -1)
    zb = inits["zero_points"].reshape(n, -1)
    zero = np.stack([zb & 15, zb >> 4], -1).reshape(n, -1).astype(np.float32)
    w = (codes - zero[:, groups]) * scales[:, groups]
    ours, = run_optc(optc, tmp_path, model, feeds)
    np.testing.assert_allclose(ours, feeds["A"] @ w.T, rtol=1e-5, atol=1e-5)
    # The trivial order is the blocked layout itself.
    trivial, _ = nbits_model(k, n, 4, block, g_idx=np.arange(k) // block)
    plain, _ = nbits_model(k, n, 4, block)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, = run_optc(optc, tmp_path / "a", trivial, feeds)
    b, = run_optc(optc, tmp_path / "b", plain, feeds)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_matmul_nbits_bad_attributes(optc, tmp_path):
    model, _ = nbits_model(k=64, n=16, bits=4, block=16)
    for attr in model.graph.node[0].attribute:
        if attr.name == "bits":
            attr.i = 3
    path = tmp_path / "bad.onnx"
    onnx.save(model, path)
    r = subprocess.run([str(optc), str(path), "-o", str(tmp_path / "bad.so")],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "MatMulNBits" in r.stderr and "bits must be 2, 4 or 8" in r.stderr
    assert not (tmp_path / "bad.so").exists()
