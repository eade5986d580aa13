"""End-to-end tests of the com.microsoft contrib ops (the ones onnxruntime's
quantisation and transformer optimisation tools write into models), against
onnxruntime's CPU kernels.

Tolerances: elementwise activations differ from onnxruntime's MLAS kernels
(erf, tanh, logistic) by a few ULP; normalisations, products and attention
sum in another order (and the layer norms compute the variance in two
passes where onnxruntime uses E[x^2] - E[x]^2), so they compare at about
1e-5 relative to the output's scale. Quantised products are exact in the
integers; their float outputs round the same products of the same scales,
so they are compared to a few ULP. Weights quantised to int8 stay within 7
bits, as onnxruntime's quantiser writes them for u8s8 products (AVX2's
vpmaddubsw saturates the pair sums otherwise)."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import check, random

F32 = TensorProto.FLOAT
I32 = TensorProto.INT32
I64 = TensorProto.INT64
U8 = TensorProto.UINT8
I8 = TensorProto.INT8
MS = "com.microsoft"

TYPE = {np.dtype(np.float32): F32, np.dtype(np.float16): TensorProto.FLOAT16,
        np.dtype(np.int32): I32,
        np.dtype(np.int64): I64, np.dtype(np.uint8): U8,
        np.dtype(np.int8): I8}


def ms_model(nodes, feeds, outputs, initializers=(), opset=17,
             out_type=F32):
    """A model of `nodes` with inputs typed after `feeds` (name -> array),
    float outputs of unknown shape and the com.microsoft opset."""
    inputs = [helper.make_tensor_value_info(n, TYPE[v.dtype], v.shape)
              for n, v in feeds.items()]
    outs = [helper.make_tensor_value_info(n, out_type, None)
            for n in outputs]
    graph = helper.make_graph(
        nodes, "test", inputs, outs,
        initializer=[numpy_helper.from_array(v, n)
                     for n, v in dict(initializers).items()])
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset), helper.make_opsetid(MS, 1)])
    model.ir_version = 8
    return model


def ms_check(optc, tmp_path, node, feeds, outputs=("y",), initializers=(),
             opset=17, out_type=F32, **tol):
    model = ms_model([node], feeds, list(outputs), initializers, opset,
                     out_type)
    check(optc, tmp_path, model, feeds, **tol)


def rand(shape, seed, low=-2.0, high=2.0):
    return random(shape, np.float32, seed, low, high)


# Activations ----------------------------------------------------------------

@pytest.mark.parametrize("op,inputs,attrs", [
    ("Gelu", ["x"], {}),
    ("BiasGelu", ["x", "b"], {}),
    ("FastGelu", ["x"], {}),
    ("FastGelu", ["x", "b"], {}),
    ("QuickGelu", ["x"], {}),
    ("QuickGelu", ["x"], dict(alpha=1.0)),
])
def test_gelu_family(optc, tmp_path, op, inputs, attrs):
    feeds = {"x": rand([2, 5, 16], 1, -6, 6), "b": rand([16], 2)}
    feeds = {k: feeds[k] for k in inputs}
    node = helper.make_node(op, inputs, ["y"], domain=MS, **attrs)
    # erf, tanh and the logistic function of MLAS and optc: a few ULP.
    ms_check(optc, tmp_path, node, feeds, rtol=1e-5, atol=1e-6)


# Normalisations -------------------------------------------------------------

@pytest.mark.parametrize("shape,skip_shape,inputs,outputs", [
    ([2, 6, 32], [2, 6, 32], ["x", "s", "g", "beta", "bias"],
     ["y", "mean", "inv", "sum"]),
    ([2, 6, 32], [1, 6, 32], ["x", "s", "g"], ["y"]),
    ([2, 6, 32], [6, 32], ["x", "s", "g", "beta"], ["y", "", "", "sum"]),
    ([7, 32], [7, 32], ["x", "s", "g", "", "bias"], ["y", "", "inv"]),
])
def test_skip_layer_norm(optc, tmp_path, shape, skip_shape, inputs, outputs):
    feeds = {"x": rand(shape, 1), "s": rand(skip_shape, 2)}
    inits = {"g": rand([32], 3), "beta": rand([32], 4), "bias": rand([32], 5)}
    inits = {k: v for k, v in inits.items() if k in inputs}
    node = helper.make_node("SkipLayerNormalization", inputs, outputs,
                            domain=MS, epsilon=1e-5)
    # onnxruntime's one-pass variance (E[x^2] - mean^2) against two passes.
    ms_check(optc, tmp_path, node, feeds, [o for o in outputs if o], inits,
             rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("inputs,outputs", [
    (["x", "s", "g", "bias"], ["y", "", "inv", "sum"]),
    (["x", "s", "g"], ["y"]),
])
def test_skip_simplified_layer_norm(optc, tmp_path, inputs, outputs):
    feeds = {"x": rand([2, 5, 24], 1), "s": rand([2, 5, 24], 2)}
    inits = {"g": rand([24], 3), "bias": rand([24], 4)}
    inits = {k: v for k, v in inits.items() if k in inputs}
    node = helper.make_node("SkipSimplifiedLayerNormalization", inputs,
                            outputs, domain=MS)
    ms_check(optc, tmp_path, node, feeds, [o for o in outputs if o], inits,
             rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op,inputs,outputs", [
    ("SkipLayerNormalization", ["x", "s", "g", "beta", "bias"],
     ["y", "", "", "sum"]),
    ("SkipSimplifiedLayerNormalization", ["x", "s", "g"], ["y"]),
    ("FastGelu", ["x", "bias"], ["y"]),
    ("QuickGelu", ["x"], ["y"]),
])
def test_float16(optc, tmp_path, op, inputs, outputs):
    # Normalisations sum and normalise in f32 and round once, like
    # onnxruntime (bit-exact here); the GELUs differ by one f16 ULP at most.
    h = np.float16
    feeds = {"x": rand([2, 5, 16], 1, -3, 3).astype(h),
             "s": rand([2, 5, 16], 2, -3, 3).astype(h)}
    inits = {"g": rand([16], 3).astype(h), "beta": rand([16], 4).astype(h),
             "bias": rand([16], 5).astype(h)}
    feeds = {k: v for k, v in feeds.items() if k in inputs}
    inits = {k: v for k, v in inits.items() if k in inputs}
    node = helper.make_node(op, inputs, outputs, domain=MS)
    ms_check(optc, tmp_path, node, feeds, [o for o in outputs if o], inits,
             out_type=TensorProto.FLOAT16, rtol=1e-3, atol=1e-3)


def test_simplified_layer_norm(optc, tmp_path):
    # onnxruntime's SimplifiedLayerNormalization lives in the ai.onnx domain.
    node = helper.make_node("SimplifiedLayerNormalization", ["x", "g"],
                            ["y", "inv"], axis=-1, epsilon=1e-6)
    ms_check(optc, tmp_path, node, {"x": rand([3, 4, 40], 1)}, ["y", "inv"],
             {"g": rand([40], 2)}, rtol=1e-5, atol=1e-5)


def test_contrib_layer_norm(optc, tmp_path):
    # The contrib LayerNormalization: ai.onnx before opset 17 (onnxruntime's
    # schema of version 1), read by the ONNX converter.
    node = helper.make_node("LayerNormalization", ["x", "g", "b"],
                            ["y", "mean", "inv"], axis=-1, epsilon=1e-5)
    ms_check(optc, tmp_path, node, {"x": rand([2, 6, 48], 1)},
             ["y", "mean", "inv"], {"g": rand([48], 2), "b": rand([48], 3)},
             opset=13, rtol=1e-4, atol=1e-5)


# Products and convolution ---------------------------------------------------

@pytest.mark.parametrize("a_shape,b_shape,attrs", [
    ([5, 7], [7, 3], {}),
    ([5, 7], [7, 3], dict(alpha=0.125)),
    ([7, 5], [3, 7], dict(transA=1, transB=1, alpha=2.0)),
    ([2, 4, 5, 7], [2, 4, 7, 6], dict(alpha=0.5)),
    ([2, 4, 7, 5], [4, 6, 7], dict(transA=1, transB=1)),
    ([3, 4, 5, 7], [4, 7, 6], {}),
    # transBatch: [x, b..., y] read as [b..., x, y] (onnxruntime's).
    ([5, 2, 4, 7], [2, 4, 7, 6], dict(transBatchA=1)),
    ([7, 2, 4, 5], [2, 4, 7, 6], dict(transBatchA=1, transA=1)),
    ([2, 4, 5, 7], [7, 2, 4, 6], dict(transBatchB=1)),
    ([2, 4, 5, 7], [6, 2, 4, 7], dict(transBatchB=1, transB=1, alpha=3.0)),
])
def test_fused_matmul(optc, tmp_path, a_shape, b_shape, attrs):
    # TransposeMatMul is onnxruntime's older name of the same kernel.
    op = "TransposeMatMul" if attrs.get("alpha") == 2.0 else "FusedMatMul"
    node = helper.make_node(op, ["a", "b"], ["y"], domain=MS, **attrs)
    feeds = {"a": rand(a_shape, 1), "b": rand(b_shape, 2)}
    ms_check(optc, tmp_path, node, feeds, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("activation,params,with_z", [
    (None, None, False),
    ("Relu", None, True),
    ("Tanh", None, False),
    ("Sigmoid", None, True),
    ("LeakyRelu", [0.1], False),
    ("Clip", [-0.5, 1.5], True),
    ("HardSigmoid", [0.2, 0.5], False),
])
def test_fused_conv(optc, tmp_path, activation, params, with_z):
    attrs = dict(pads=[1, 1, 1, 1], strides=[2, 1])
    if activation:
        attrs["activation"] = activation
    if params:
        attrs["activation_params"] = params
    inputs = ["x", "w", "b"] + (["z"] if with_z else [])
    node = helper.make_node("FusedConv", inputs, ["y"], domain=MS, **attrs)
    feeds = {"x": rand([1, 4, 9, 8], 1)}
    if with_z:
        feeds["z"] = rand([1, 6, 5, 8], 4)
    inits = {"w": rand([6, 4, 3, 3], 2, -0.5, 0.5), "b": rand([6], 3)}
    # Sums of 36 products in another order than MLAS.
    ms_check(optc, tmp_path, node, feeds, initializers=inits, rtol=1e-5,
             atol=1e-5)


def test_gather_nd(optc, tmp_path):
    node = helper.make_node("GatherND", ["x", "i"], ["y"], domain=MS)
    idx = np.array([[[0, 1], [2, 0]], [[1, 3], [-1, 2]]], np.int64)
    ms_check(optc, tmp_path, node, {"x": rand([3, 4, 5], 1)},
             initializers={"i": idx}, rtol=0, atol=0)


# Attention ------------------------------------------------------------------

B, S, D_IN, HEADS = 2, 5, 16, 2


def attention_feeds(hidden=(16, 16, 16), seed=0):
    feeds = {"x": rand([B, S, D_IN], seed + 1, -1, 1)}
    inits = {"w": rand([D_IN, sum(hidden)], seed + 2, -0.5, 0.5),
             "bias": rand([sum(hidden)], seed + 3, -0.5, 0.5)}
    return feeds, inits


@pytest.mark.parametrize("case", [
    "plain", "end", "end_start", "raw2d", "raw3d", "unidirectional",
    "unidirectional_mask", "attention_bias", "scale", "v_hidden", "past",
    "past_unidirectional",
])
def test_attention(optc, tmp_path, case):
    hidden = (16, 16, 8) if case == "v_hidden" else (16, 16, 16)
    feeds, inits = attention_feeds(hidden)
    inputs = ["x", "w", "bias"]
    outputs = ["y"]
    attrs = dict(num_heads=HEADS)
    past_len = 3 if case.startswith("past") else 0
    total = S + past_len
    rng = np.random.default_rng(7)
    if case == "end":
        inputs.append("mask")
        feeds["mask"] = np.array([3, 5], np.int32)
    elif case == "end_start":
        inputs.append("mask")
        feeds["mask"] = np.array([4, 5, 1, 0], np.int32)
    elif case in ("raw2d", "unidirectional_mask"):
        inputs.append("mask")
        feeds["mask"] = (rng.random([B, total]) < 0.7).astype(np.int32)
        feeds["mask"][:, 0] = 1
    elif case == "raw3d":
        inputs.append("mask")
        feeds["mask"] = (rng.random([B, S, total]) < 0.7).astype(np.int32)
        feeds["mask"][..., 0] = 1
    if case.startswith("unidirectional") or case == "past_unidirectional":
        attrs["unidirectional"] = 1
    if case == "attention_bias":
        inputs += ["", "", "ab"]
        feeds["ab"] = rand([1, HEADS, S, total], 9)
    if case == "scale":
        attrs["scale"] = 0.3
    if case == "v_hidden":
        attrs["qkv_hidden_sizes"] = list(hidden)
    if case.startswith("past"):
        inputs += [""] * (4 - len(inputs)) + ["past"]
        feeds["past"] = rand([2, B, HEADS, past_len, 8], 11, -1, 1)
        outputs.append("present")
    node = helper.make_node("Attention", inputs, outputs, domain=MS, **attrs)
    ms_check(optc, tmp_path, node, feeds, outputs, inits, rtol=1e-5,
             atol=1e-5)


@pytest.mark.parametrize("per_column,zero_points,mask,past", [
    (False, True, False, False),
    (True, True, True, False),
    (False, False, False, True),
])
def test_qattention(optc, tmp_path, per_column, zero_points, mask, past):
    rng = np.random.default_rng(3)
    d = 16
    feeds = {"x": rng.integers(0, 256, [B, S, D_IN], dtype=np.uint8)}
    inits = {"w": rng.integers(-64, 64, [D_IN, 3 * d], dtype=np.int8),
             "bias": rand([3 * d], 1, -0.5, 0.5),
             "xs": np.array(0.01, np.float32),
             "ws": (rand([3 * d], 2, 0.001, 0.004) if per_column
                    else np.array(0.003, np.float32))}
    inputs = ["x", "w", "bias", "xs", "ws", "", "", ""]
    if mask:
        inputs[5] = "mask"
        feeds["mask"] = np.array([5, 2], np.int32)
    if zero_points:
        inputs[6:8] = ["xz", "wz"]
        inits["xz"] = np.array(128, np.uint8)
        inits["wz"] = np.array(3, np.int8)
    outputs = ["y"]
    if past:
        inputs.append("past")
        feeds["past"] = rand([2, B, HEADS, 4, d // HEADS], 5, -1, 1)
        outputs.append("present")
    node = helper.make_node("QAttention", inputs, outputs, domain=MS,
                            num_heads=HEADS, unidirectional=int(past))
    ms_check(optc, tmp_path, node, feeds, outputs, inits, rtol=1e-5,
             atol=1e-5)


@pytest.mark.parametrize("rank,ids,attrs", [
    (3, "offset", {}),
    (3, "full", dict(interleaved=1)),
    (4, "full", {}),
    (4, "offset", dict(interleaved=1)),
    (3, "full", dict(num_heads=2, rotary_embedding_dim=8)),
])
def test_rotary_embedding(optc, tmp_path, rank, ids, attrs):
    heads, head, seq, max_len = 2, 16, 6, 20
    rot = attrs.get("rotary_embedding_dim", head)
    shape = [B, seq, heads * head] if rank == 3 else [B, heads, seq, head]
    angles = np.outer(np.arange(max_len), 1.0 / 10000 ** (
        np.arange(0, rot, 2) / rot)).astype(np.float32)
    inits = {"cos": np.cos(angles), "sin": np.sin(angles)}
    if ids == "offset":
        inits["pid"] = np.array([4], np.int64)
    else:
        inits["pid"] = np.random.default_rng(1).integers(
            0, max_len, [B, seq]).astype(np.int64)
    node = helper.make_node("RotaryEmbedding", ["x", "pid", "cos", "sin"],
                            ["y"], domain=MS, **attrs)
    ms_check(optc, tmp_path, node, {"x": rand(shape, 1)}, initializers=inits,
             rtol=1e-5, atol=1e-6)


# Quantised products ---------------------------------------------------------

@pytest.mark.parametrize("a_type,b_type,per_column,zero_points,bias", [
    (np.uint8, np.int8, False, True, True),
    (np.uint8, np.int8, True, True, False),
    (np.uint8, np.uint8, True, False, True),
    (np.int8, np.int8, False, False, False),
])
def test_matmul_integer_to_float(optc, tmp_path, a_type, b_type, per_column,
                                 zero_points, bias):
    rng = np.random.default_rng(5)
    lo = {np.uint8: (0, 256), np.int8: (-128, 128)}
    a = rng.integers(*lo[a_type], [2, 3, 12], dtype=a_type)
    b = rng.integers(*((0, 256) if b_type == np.uint8 else (-64, 64)),
                     [12, 10], dtype=b_type)
    inits = {"b": b, "as": np.array(0.02, np.float32),
             "bs": (rand([10], 1, 0.001, 0.01) if per_column
                    else np.array(0.005, np.float32))}
    inputs = ["a", "b", "as", "bs", "", "", ""]
    if zero_points:
        inputs[4:6] = ["az", "bz"]
        inits["az"] = np.array(7, a_type)
        inits["bz"] = (rng.integers(-3, 4, [10]).astype(b_type) if per_column
                       else np.array(2, b_type))
    if bias:
        inputs[6] = "bias"
        inits["bias"] = rand([10], 2)
    while not inputs[-1]:
        inputs.pop()
    node = helper.make_node("MatMulIntegerToFloat", inputs, ["y"], domain=MS)
    # Exact integer sums, one rounding of acc * scale (+ bias).
    ms_check(optc, tmp_path, node, {"a": a}, initializers=inits, rtol=1e-6,
             atol=1e-6)


@pytest.mark.parametrize("b_type,per_column,zero_point,bias,low,high", [
    (np.int8, False, False, True, -2, 3),
    (np.int8, True, True, False, -2, 3),
    (np.uint8, False, True, True, -1, 4),
    (np.uint8, True, False, False, 0.5, 4),   # all positive: zp 0
    (np.int8, False, True, True, -3, -1),     # all negative: zp 255
])
def test_dynamic_quantize_matmul(optc, tmp_path, b_type, per_column,
                                 zero_point, bias, low, high):
    rng = np.random.default_rng(6)
    b = rng.integers(*((0, 256) if b_type == np.uint8 else (-64, 64)),
                     [16, 12], dtype=b_type)
    inits = {"b": b, "bs": (rand([12], 1, 0.001, 0.01) if per_column
                            else np.array(0.004, np.float32))}
    inputs = ["a", "b", "bs", "", ""]
    if zero_point:
        inputs[3] = "bz"
        inits["bz"] = np.array(5, b_type)
    if bias:
        inputs[4] = "bias"
        inits["bias"] = rand([12], 2)
    while not inputs[-1]:
        inputs.pop()
    node = helper.make_node("DynamicQuantizeMatMul", inputs, ["y"],
                            domain=MS)
    # A is quantised exactly as onnxruntime does (same uint8 values), so the
    # integer products agree; the float output rounds acc * (a_scale *
    # b_scale) + bias like onnxruntime.
    ms_check(optc, tmp_path, node, {"a": rand([3, 4, 16], 3, low, high)},
             initializers=inits, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("batch,seq,past,case", [
    (2, 4, 0, "prompt"),
    (2, 4, 0, "packed"),
    (2, 1, 3, "decode"),
    (1, 4, 3, "decode"),           # several new tokens need batch 1
    (1, 4, 3, "window"),
    (2, 4, 0, "window"),
    (2, 4, 0, "softcap"),
    (2, 1, 3, "smooth"),
    (1, 3, 3, "head_sink"),
    (1, 4, 2, "rotary"),
    (2, 4, 0, "rotary_interleaved"),
    (1, 4, 0, "attention_bias"),
    (2, 4, 0, "bidirectional"),
    # seq x total over 2^16: the causal mask is computed at run time.
    (1, 300, 0, "prompt"),
    (1, 300, 0, "window"),
])
def test_group_query_attention(optc, tmp_path, batch, seq, past, case):
    # onnxruntime's rotary kernel wants head sizes that are multiples of 16.
    heads, kv_heads = 4, 2
    head = 16 if case.startswith("rotary") else 8
    total = past + seq
    feeds = {"q": rand([batch, seq, heads * head], 1, -1, 1)}
    inits = {"seqlens": np.full([batch], total - 1, np.int32),
             "total": np.array(total, np.int32)}
    inputs = ["q", "k", "v", "", "", "seqlens", "total"]
    attrs = dict(num_heads=heads, kv_num_heads=kv_heads)
    if case == "packed":
        feeds["q"] = rand([batch, seq, (heads + 2 * kv_heads) * head], 1,
                          -1, 1)
        inputs[1:3] = ["", ""]
    else:
        feeds["k"] = rand([batch, seq, kv_heads * head], 2, -1, 1)
        feeds["v"] = rand([batch, seq, kv_heads * head], 3, -1, 1)
    if past:
        inputs[3:5] = ["pk", "pv"]
        feeds["pk"] = rand([batch, kv_heads, past, head], 4, -1, 1)
        feeds["pv"] = rand([batch, kv_heads, past, head], 5, -1, 1)
    if case == "window":
        attrs["local_window_size"] = 2
    if case == "softcap":
        attrs["softcap"] = 1.5
        feeds["q"] = feeds["q"] * 4
    if case == "smooth":
        attrs["smooth_softmax"] = 1
    if case == "head_sink":
        inputs += ["", "", "", "", "sink"]
        inits["sink"] = rand([heads], 6)
    if case.startswith("rotary"):
        attrs["do_rotary"] = 1
        attrs["rotary_interleaved"] = int(case.endswith("interleaved"))
        angles = np.outer(np.arange(16), 1.0 / 10000 ** (
            np.arange(0, head, 2) / head)).astype(np.float32)
        inputs += ["cos", "sin"]
        inits["cos"], inits["sin"] = np.cos(angles), np.sin(angles)
    if case == "attention_bias":
        inputs += ["", "", "", "ab"]
        feeds["ab"] = rand([batch, 1, seq, total], 7)
    if case == "bidirectional":
        attrs["causal"] = 0
    outputs = ["y", "present_k", "present_v"]
    node = helper.make_node("GroupQueryAttention", inputs, outputs,
                            domain=MS, **attrs)
    ms_check(optc, tmp_path, node, feeds, outputs, inits, rtol=1e-5,
             atol=1e-5)


def quantize_weights(w, signed, per_channel, rng):
    """[dirs, K, 4H] float weights as onnxruntime's dynamic quantiser writes
    them: int8 symmetric in 7 bits (zero point 0) or uint8 with one zero
    point per direction; scales per direction or per column."""
    axes = (1,) if per_channel else (1, 2)
    span = np.abs(w).max(axis=axes, keepdims=True) + 1e-6
    if signed:
        scale = (span / 63).astype(np.float32)
        q = np.clip(np.round(w / scale), -64, 63).astype(np.int8)
        zp = np.zeros(scale.shape, np.int8)
    else:
        scale = (2 * span / 255).astype(np.float32)
        zp = np.full(scale.shape, 128, np.uint8)
        q = np.clip(np.round(w / scale) + 128, 0, 255).astype(np.uint8)
    shape = (w.shape[0], w.shape[2]) if per_channel else (w.shape[0],)
    return q, scale.reshape(shape), zp.reshape(shape)


@pytest.mark.parametrize("direction,batch,signed,per_channel,extras", [
    ("forward", 1, True, False, ()),
    ("forward", 3, True, True, ("bias", "initial")),
    ("reverse", 2, False, False, ("bias",)),
    ("bidirectional", 2, True, True, ("bias", "initial", "peepholes")),
    ("forward", 2, False, True, ("clip", "input_forget")),
])
def test_dynamic_quantize_lstm(optc, tmp_path, direction, batch, signed,
                               per_channel, extras):
    import onnxruntime as ort
    from harness import run_optc
    rng = np.random.default_rng(8)
    dirs = 2 if direction == "bidirectional" else 1
    seq, inp, hidden = 5, 6, 8
    w, ws, wz = quantize_weights(
        rng.uniform(-0.6, 0.6, [dirs, inp, 4 * hidden]), signed, per_channel,
        rng)
    r, rs, rz = quantize_weights(
        rng.uniform(-0.6, 0.6, [dirs, hidden, 4 * hidden]), signed,
        per_channel, rng)
    inits = {"w": w, "r": r, "ws": ws, "wz": wz, "rs": rs, "rz": rz}
    inputs = ["x", "w", "r", "", "", "", "", "", "ws", "wz", "rs", "rz"]
    feeds = {"x": rand([seq, batch, inp], 1, -2, 2)}
    attrs = dict(hidden_size=hidden, direction=direction)
    if "bias" in extras:
        inputs[3] = "b"
        inits["b"] = rand([dirs, 8 * hidden], 2, -0.5, 0.5)
    if "initial" in extras:
        inputs[5:7] = ["h0", "c0"]
        feeds["h0"] = rand([dirs, batch, hidden], 3, -1, 1)
        feeds["c0"] = rand([dirs, batch, hidden], 4, -1, 1)
    if "peepholes" in extras:
        inputs[7] = "p"
        inits["p"] = rand([dirs, 3 * hidden], 5, -0.5, 0.5)
    if "clip" in extras:
        attrs["clip"] = 1.5
    if "input_forget" in extras:
        attrs["input_forget"] = 1
    node = helper.make_node("DynamicQuantizeLSTM", inputs, ["y", "yh", "yc"],
                            domain=MS, **attrs)
    model = ms_model([node], feeds, ["y", "yh", "yc"], inits)
    ours = run_optc(optc, tmp_path, model, feeds)
    # One thread: onnxruntime quantises H per thread's rows of the batch
    # otherwise, optc over the whole batch.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    theirs = session.run(None, feeds)
    for name, got, want in zip(["y", "yh", "yc"], ours, theirs):
        assert got.shape == want.shape, name
        # The same uint8 quantisation of X and of every H (the integer
        # products agree); MLAS's and optc's sigmoid and tanh differ by a few
        # ULP (measured: 2.4e-7 at most). Such a difference could move an
        # element of H across a rounding boundary of its quantisation, one
        # step (scale_h * scale_r, about 1e-4 here) in one product; these
        # inputs do not, so the tolerance stays at the ULP level.
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6,
                                   err_msg=name)


def qlinear_check(optc, tmp_path, node, feeds, inits, want, dtype):
    """optc equals `want` (ONNX's DequantizeLinear, the float op and
    QuantizeLinear, in NumPy's f32) exactly, and onnxruntime's kernel (its
    own fixed-point or table arithmetic) within one step."""
    import onnxruntime as ort
    from harness import run_optc
    model = ms_model([node], feeds, ["y"], inits, 17, TYPE[np.dtype(dtype)])
    got, = run_optc(optc, tmp_path, model, feeds)
    np.testing.assert_array_equal(got, want)
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    theirs, = session.run(None, feeds)
    assert np.abs(got.astype(np.int64) - theirs.astype(np.int64)).max() <= 1


def requantized(value, scale, zero, dtype):
    info = np.iinfo(dtype)
    q = np.rint(value.astype(np.float32) / np.float32(scale)) + zero
    return np.clip(q, info.min, info.max).astype(dtype)


@pytest.mark.parametrize("op", ["QLinearAdd", "QLinearMul"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8])
def test_qlinear_binary(optc, tmp_path, op, dtype):
    # onnxruntime's QOperator format: C = Q(DQ(A) op DQ(B)), B broadcast.
    rng = np.random.default_rng(8)
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max + 1, [2, 3, 8], dtype=dtype)
    b = rng.integers(info.min, info.max + 1, [8], dtype=dtype)
    zero = 3 if dtype == np.int8 else 128
    scales = {"as": 0.05, "bs": 0.02, "cs": 0.1 if op == "QLinearAdd" else 0.3}
    inits = {name: np.array(v, np.float32) for name, v in scales.items()}
    for name in ("az", "bz", "cz"):
        inits[name] = np.array(zero, dtype)
    node = helper.make_node(op, ["a", "as", "az", "b", "bs", "bz", "cs", "cz"],
                            ["y"], domain=MS)
    da = (a.astype(np.float32) - zero) * np.float32(scales["as"])
    db = (b.astype(np.float32) - zero) * np.float32(scales["bs"])
    value = da + db if op == "QLinearAdd" else da * db
    qlinear_check(optc, tmp_path, node, {"a": a, "b": b}, inits,
                  requantized(value, scales["cs"], zero, dtype), dtype)


@pytest.mark.parametrize("opset,axis", [(13, -1), (12, 1)])
def test_qlinear_softmax(optc, tmp_path, opset, axis):
    rng = np.random.default_rng(9)
    x = rng.integers(0, 256, [2, 4, 6], dtype=np.uint8)
    inits = {"xs": np.array(0.05, np.float32), "xz": np.array(128, np.uint8),
             "ys": np.array(1 / 256, np.float32), "yz": np.array(0, np.uint8)}
    node = helper.make_node("QLinearSoftmax", ["x", "xs", "xz", "ys", "yz"], ["y"],
                            domain=MS, opset=opset, axis=axis)
    dx = (x.astype(np.float32) - 128) * np.float32(0.05)
    rows = dx.reshape(2, 24) if opset < 13 else dx  # before 13: flattened at 1
    e = np.exp(rows - rows.max(axis=-1, keepdims=True))
    softmax = (e / e.sum(axis=-1, keepdims=True)).reshape(x.shape)
    model_want = requantized(softmax, 1 / 256, 0, np.uint8)
    model = ms_model([node], {"x": x}, ["y"], inits, 17, U8)
    from harness import run_optc
    got, = run_optc(optc, tmp_path, model, {"x": x})
    # exp and the division round differently from NumPy's: one step.
    assert np.abs(got.astype(np.int64) - model_want.astype(np.int64)).max() <= 1
    import onnxruntime as ort
    theirs, = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"]).run(
                                       None, {"x": x})
    assert np.abs(got.astype(np.int64) - theirs.astype(np.int64)).max() <= 1
