"""optc --quantize=POLICY (and compile(quantize=...)): the weights of a
float model's matrix products are quantized at compile time with the
numerics library's scheme, exactly as optc.formats quantizes them, and the
model runs on the packed weights."""
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import optc
from optc import formats

compile_model = optc.compile  # the tests that take the `optc` fixture

K, HIDDEN, N = 128, 64, 16


def mlp(seed=0):
    """x -> MatMul(W1) -> Relu -> MatMul(W2) -> y."""
    rng = np.random.default_rng(seed)
    w1 = (rng.standard_normal((K, HIDDEN)) / np.sqrt(K)).astype(np.float32)
    w2 = (rng.standard_normal((HIDDEN, N)) / np.sqrt(HIDDEN)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "W2"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, K])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, N])],
        initializer=[numpy_helper.from_array(w1, "W1"),
                     numpy_helper.from_array(w2, "W2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model, w1, w2


def quantized(w, policy):
    """w [K, N] as optc.formats quantizes it for the policy: [N, K] in
    blocks along K, back to floats and to [K, N]."""
    return formats.dequantize(formats.quantize(w.T.copy(), policy, axis=1)).T


POLICIES = ["int8", "int4-g32", "int4-g32-asym", "uint4-g32", "int3-g16",
            "int2-g32", "mxfp4", "mxfp6", "mxfp8", "nvfp4", "bfp8-b16", "bfp12"]


@pytest.mark.parametrize("policy", POLICIES)
def test_quantize_policy_matches_the_numerics_library(tmp_path, policy):
    model, w1, w2 = mlp()
    x = np.random.default_rng(1).standard_normal((2, K)).astype(np.float32)
    compiled = optc.compile(model, quantize=policy)
    got = compiled(x)
    h = np.maximum(x @ quantized(w1, policy), 0)
    want = h @ quantized(w2, policy)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-4)
    # And it approximates the float model (its outputs correlate with the
    # float model's; 2-bit codes only loosely).
    exact = np.maximum(x @ w1, 0) @ w2
    correlation = np.corrcoef(got.ravel(), exact.ravel())[0, 1]
    assert correlation > (0.5 if policy.startswith("int2") else 0.9), correlation


def test_quantize_keeps_weights_packed(optc, tmp_path):
    model, _, _ = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    ir = subprocess.run([str(optc), str(path), "--quantize=int4-g32",
                         "--emit-after=fusion", "-o", "-"],
                        capture_output=True, text=True, check=True).stdout
    assert ir.count("optc.quantized_matmul") == 2, ir[:3000]
    assert "tensor<64x128xi4, #optc.quant<block = [1, 32], scale = f32>>" in ir


# Every policy's products run on the CPU micro-kernel (packed codes
# dequantized inside the product; MX, NVFP4 and codes that run into the
# next byte included) where the rows of codes start on bytes, as here.
ON_MICRO_KERNEL = ["int8", "int4-g32", "int3-g16", "int2-g32", "uint1-g32", "int5-g32",
                   "mxfp4", "mxfp6", "mxfp8", "nvfp4", "bfp12"]


@pytest.mark.parametrize("policy", ON_MICRO_KERNEL)
def test_quantize_policy_runs_on_the_micro_kernel(optc, tmp_path, policy):
    model, _, _ = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    llvm = subprocess.run([str(optc), str(path), f"--quantize={policy}",
                           "--emit=llvm", "-o", "-"],
                          capture_output=True, text=True, check=True).stdout
    calls = llvm.count("call void @optc_qmatmul_f32(")
    assert calls == 2, calls


@pytest.mark.parametrize("policy,message", [
    ("int4-g33x", "--quantize=int4-g33x:"),
    ("fp3", "--quantize=fp3:"),
    # -a8 where the int8 kernel cannot read the codes.
    ("int8-a8", "--quantize=int8-a8: int8 activations (-a8) run with 4-bit integer "
                "or FP4 weights only, not int8"),
    ("mxfp6-a8", "--quantize=mxfp6-a8: int8 activations (-a8) run with 4-bit "
                 "integer or FP4 weights only, not f6e2m3"),
    ("nvfp4-a8", "--quantize=nvfp4-a8: int8 activations (-a8) need blocks of 32 or "
                 "a multiple of 64, not 16"),
])
def test_quantize_rejects_unknown_policies(optc, tmp_path, policy, message):
    model, _, _ = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    r = subprocess.run([str(optc), str(path), f"--quantize={policy}", "-o",
                        str(tmp_path / "mlp.so")], capture_output=True, text=True)
    assert r.returncode != 0 and message in r.stderr, r.stderr
    assert not (tmp_path / "mlp.so").exists()


def test_quantize_rejects_a_block_that_does_not_divide_k(optc, tmp_path):
    model, _, _ = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    r = subprocess.run([str(optc), str(path), "--quantize=int4-g48", "-o",
                        str(tmp_path / "mlp.so")], capture_output=True, text=True)
    assert r.returncode != 0
    assert "weight 'W1'" in r.stderr and "not a multiple of the block of 48" in r.stderr
    assert not (tmp_path / "mlp.so").exists()


@pytest.mark.parametrize("policy", ["int4-g32", "mxfp4"])
def test_quantize_report_gives_each_weights_sqnr(optc, tmp_path, policy):
    """--quantize-report: one row per weight, its SQNR as optc.formats'
    own quantization of it gives."""
    model, w1, w2 = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    r = subprocess.run([str(optc), str(path), f"--quantize={policy}",
                        "--quantize-report", "-o", str(tmp_path / "mlp.so")],
                       capture_output=True, text=True, check=True)
    assert f"--quantize={policy}: 2 weights quantized" in r.stderr
    rows = {line.split("|")[1].strip(): float(line.split("|")[3])
            for line in r.stderr.splitlines()
            if line.startswith("| W")}
    for name, w in (("W1", w1), ("W2", w2)):
        noise = w - quantized(w, policy)
        want = 10 * np.log10((w.astype(np.float64) ** 2).sum()
                             / (noise.astype(np.float64) ** 2).sum())
        assert abs(rows[name] - want) < 0.01, (name, rows[name], want)


def test_quantize_filters_keep_weights_in_f32(optc, tmp_path):
    """--quantize-exclude (a regular expression on the weight's name) and
    --quantize-keep-ends (first and last products) keep weights f32."""
    model, _, _ = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)

    def products(*flags):
        ir = subprocess.run([str(optc), str(path), "--quantize=int4-g32", *flags,
                             "--emit-after=fusion", "-o", "-"],
                            capture_output=True, text=True, check=True).stdout
        return ir.count("optc.quantized_matmul"), ir.count("optc.matmul")

    assert products() == (2, 0)
    assert products("--quantize-exclude=^W2$") == (1, 1)
    assert products("--quantize-exclude=W") == (0, 2)
    assert products("--quantize-keep-ends") == (0, 2)


@pytest.mark.parametrize("flags,message", [
    (["--quantize-report"], "go with --quantize=POLICY"),
    (["--quantize=int8", "--quantize-exclude=(["], "is not a regular expression"),
])
def test_quantize_filter_errors(optc, tmp_path, flags, message):
    model, _, _ = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    r = subprocess.run([str(optc), str(path), *flags, "-o", str(tmp_path / "m.so")],
                       capture_output=True, text=True)
    assert r.returncode != 0 and message in r.stderr, r.stderr
    assert not (tmp_path / "m.so").exists()


@pytest.mark.parametrize("policy", ["int4-g32-a8", "uint4-g64-a8", "mxfp4-a8"])
def test_int8_activation_variants(optc, tmp_path, policy):
    """-a8 after a 4-bit integer or FP4 scheme: the products may quantize
    their activations to int8 per block of K (onnxruntime's accuracy level
    4), on the VNNI kernel where the CPU has one (FP4 codes as 2 value +
    12); the result stays within the activations' rounding of the
    weight-only policy's."""
    model, w1, w2 = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    ir = subprocess.run([str(optc), str(path), f"--quantize={policy}",
                         "--emit-after=fusion", "-o", "-"],
                        capture_output=True, text=True, check=True).stdout
    assert ir.count("int8_activations") == 2, ir[:3000]
    x = np.random.default_rng(1).standard_normal((2, K)).astype(np.float32)
    got = compile_model(model, quantize=policy)(x)
    weights_only = policy[:-len("-a8")]
    h = np.maximum(x @ quantized(w1, weights_only), 0)
    want = h @ quantized(w2, weights_only)
    np.testing.assert_allclose(got, want, rtol=0, atol=0.03 * np.abs(want).max())


def hadamard(n):
    """The orthonormal Hadamard matrix of order n (Sylvester)."""
    i = np.arange(n)
    bits = np.vectorize(lambda v: bin(v).count("1"))(i[:, None] & i[None, :])
    return (np.where(bits % 2, -1.0, 1.0) / np.sqrt(n)).astype(np.float32)


def block_rotation(k, block):
    return np.kron(np.eye(k // block, dtype=np.float32), hadamard(block))


# The rotations' blocks for W1 [128, 64] and W2 [64, 16]: the scheme's
# block, or per channel (int8) K itself, a power of two of at most 256.
@pytest.mark.parametrize("policy,blocks", [("mxfp4", (32, 32)), ("int4-g32", (32, 32)),
                                           ("nvfp4", (16, 16)), ("int8", (K, HIDDEN))])
def test_quantize_rotate_is_the_rotated_products(optc, tmp_path, policy, blocks):
    """--quantize-rotate: x W = (x H)(H W) with Hadamard blocks along K (the
    scheme's block, or for per-channel schemes the largest power of two of
    at most 128 dividing K); H W is quantized as the numerics library does,
    x H computed at run time."""
    model, w1, w2 = mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    x = np.random.default_rng(1).standard_normal((2, K)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([str(optc), "run", str(path), f"--quantize={policy}",
                        "--quantize-rotate", "--input", f"x={tmp_path / 'x.npy'}",
                        "--output-dir", str(tmp_path / "out")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = np.load(tmp_path / "out" / "y.npy")
    h1 = block_rotation(K, blocks[0])
    h2 = block_rotation(HIDDEN, blocks[1])
    h = np.maximum((x @ h1) @ quantized(h1 @ w1, policy), 0)
    want = (h @ h2) @ quantized(h2 @ w2, policy)
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3 * np.abs(want).max())


def test_quantize_rotate_smooths_outliers(optc, tmp_path):
    """Weights with a few large rows (outlier input channels): MXFP4 after
    the rotation is closer to the float model than without it."""
    rng = np.random.default_rng(8)
    w = rng.standard_normal((256, 64)).astype(np.float32) / 16
    w[rng.choice(256, 6, replace=False)] *= 40
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"])], "outliers",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 256])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 64])],
        initializer=[numpy_helper.from_array(w, "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "outliers.onnx"
    onnx.save(model, path)
    x = rng.standard_normal((8, 256)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    exact = x @ w
    errors = {}
    for flags in ([], ["--quantize-rotate"]):
        out = tmp_path / ("rot" if flags else "plain")
        subprocess.run([str(optc), "run", str(path), "--quantize=mxfp4", *flags,
                        "--input", f"x={tmp_path / 'x.npy'}", "--output-dir", str(out)],
                       check=True, capture_output=True)
        got = np.load(out / "y.npy")
        errors[bool(flags)] = np.linalg.norm(got - exact) / np.linalg.norm(exact)
    assert errors[True] < 0.8 * errors[False], errors


def test_quantize_rotate_needs_an_even_k(optc, tmp_path):
    rng = np.random.default_rng(3)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"])], "odd",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 7])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        initializer=[numpy_helper.from_array(
            rng.standard_normal((7, 4)).astype(np.float32), "W")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "odd.onnx"
    onnx.save(model, path)
    r = subprocess.run([str(optc), str(path), "--quantize=int8", "--quantize-rotate",
                        "-o", str(tmp_path / "odd.so")], capture_output=True, text=True)
    assert r.returncode != 0
    assert "--quantize-rotate: weight 'W' has K = 7" in r.stderr
    assert not (tmp_path / "odd.so").exists()
