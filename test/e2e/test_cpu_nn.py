"""End-to-end tests of the structured NN ops on the CPU: convolution,
pooling, normalisations, gathers, padding, tiling, splits, index reductions
and scans, against onnxruntime."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import check, make_model, random

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64


def const(name, value):
    return numpy_helper.from_array(np.asarray(value), name)


@pytest.mark.parametrize("x_shape,w_shape,attrs", [
    ([1, 3, 10, 10], [8, 3, 3, 3], dict(pads=[1, 1, 1, 1])),
    # ResNet-sized (upstream's im2col was wrong from 20x20 on).
    ([1, 16, 20, 20], [16, 16, 3, 3], dict(pads=[1, 1, 1, 1])),
    ([1, 64, 56, 56], [64, 64, 3, 3], dict(pads=[1, 1, 1, 1])),
    ([2, 4, 9, 11], [6, 4, 3, 2], dict(strides=[2, 1], dilations=[1, 2])),
    # Depthwise (a weighted sum of windows), strided, at MobileNet sizes.
    ([1, 8, 7, 7], [8, 1, 3, 3], dict(group=8, pads=[1, 1, 1, 1])),
    ([1, 32, 29, 29], [32, 1, 3, 3],
     dict(group=32, pads=[1, 1, 1, 1], strides=[2, 2])),
    ([2, 6, 9, 9], [6, 1, 5, 5], dict(group=6, pads=[2, 2, 2, 2])),
    # Pointwise: no im2col at batch 1; strided and batched ones copy.
    ([1, 24, 14, 14], [40, 24, 1, 1], {}),
    ([1, 16, 14, 14], [32, 16, 1, 1], dict(strides=[2, 2])),
    ([3, 16, 5, 5], [8, 16, 1, 1], {}),
    # A 7x7 stride-2 stem over 3 channels, odd sizes everywhere.
    ([1, 3, 45, 45], [16, 3, 7, 7], dict(pads=[3, 3, 3, 3], strides=[2, 2])),
    ([1, 6, 8, 8], [4, 3, 1, 1], dict(group=2)),
    ([2, 3, 20], [5, 3, 4], dict(strides=[3], pads=[2, 1])),
    ([1, 2, 5, 6, 4], [3, 2, 2, 3, 2], dict(pads=[0, 1, 1, 1, 0, 0])),
])
def test_conv(optc, tmp_path, x_shape, w_shape, attrs):
    w = random(w_shape, np.float32, 1)
    b = random([w_shape[0]], np.float32, 2)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], **attrs)
    model = make_model([node], [("x", F32, x_shape)], [("y", F32, None)],
                       [const("w", w), const("b", b)])
    # Sums of up to 576 products in another order than onnxruntime's.
    check(optc, tmp_path, model, {"x": random(x_shape, np.float32, 3)},
          rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("op,attrs", [
    ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
    ("MaxPool", dict(kernel_shape=[2, 2], ceil_mode=1, strides=[2, 2])),
    ("MaxPool", dict(kernel_shape=[3, 3], dilations=[2, 2])),
    ("AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])),
    ("AveragePool", dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         count_include_pad=1)),
    ("AveragePool", dict(kernel_shape=[2, 2], ceil_mode=1, strides=[2, 2])),
    ("LpPool", dict(kernel_shape=[2, 2], p=2)),
    ("GlobalAveragePool", {}),
    ("GlobalMaxPool", {}),
])
def test_pool(optc, tmp_path, op, attrs):
    model = make_model([helper.make_node(op, ["x"], ["y"], **attrs)],
                       [("x", F32, [2, 3, 9, 9])], [("y", F32, None)],
                       opset=18)
    check(optc, tmp_path, model, {"x": random([2, 3, 9, 9], np.float32, 4)},
          rtol=1e-5, atol=1e-6)


def test_normalisations(optc, tmp_path):
    c = 6
    inits = [const("g", random([16], np.float32, 1)),
             const("beta", random([16], np.float32, 2)),
             const("s", random([c], np.float32, 3)),
             const("bb", random([c], np.float32, 4)),
             const("m", random([c], np.float32, 5)),
             const("v", np.abs(random([c], np.float32, 6)) + 0.5)]
    model = make_model(
        [helper.make_node("LayerNormalization", ["t", "g", "beta"], ["ln"],
                          axis=-1, epsilon=1e-5),
         helper.make_node("BatchNormalization", ["x", "s", "bb", "m", "v"],
                          ["bn"], epsilon=1e-3),
         helper.make_node("InstanceNormalization", ["x", "s", "bb"], ["inorm"]),
         helper.make_node("GroupNormalization", ["x", "s", "bb"], ["gn"],
                          num_groups=3)],
        [("t", F32, [2, 5, 16]), ("x", F32, [2, c, 4, 4])],
        [("ln", F32, [2, 5, 16]), ("bn", F32, [2, c, 4, 4]),
         ("inorm", F32, [2, c, 4, 4]), ("gn", F32, [2, c, 4, 4])], inits,
        opset=21)
    check(optc, tmp_path, model, {"t": random([2, 5, 16], np.float32, 7),
                                  "x": random([2, c, 4, 4], np.float32, 8)},
          rtol=1e-4, atol=1e-5)


def test_gathers(optc, tmp_path):
    model = make_model(
        [helper.make_node("Gather", ["data", "idx"], ["g"], axis=1),
         helper.make_node("GatherElements", ["data", "eidx"], ["ge"], axis=0)],
        [("data", F32, [3, 5, 2]), ("idx", I64, [2, 2]),
         ("eidx", I64, [2, 5, 2])],
        [("g", F32, [3, 2, 2, 2]), ("ge", F32, [2, 5, 2])])
    feeds = {"data": random([3, 5, 2], np.float32, 9),
             "idx": np.array([[0, -1], [4, 2]], np.int64),
             "eidx": np.random.default_rng(3).integers(-3, 3, (2, 5, 2))}
    check(optc, tmp_path, model, feeds)


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge", "wrap"])
def test_pad(optc, tmp_path, mode):
    # Constant and edge padding may crop (negative pads); reflect and wrap
    # may not.
    crop = -1 if mode in ("constant", "edge") else 0
    pads = const("pads", np.array([1, 2, 0, 2, crop, 1], np.int64))
    inputs = ["x", "pads"]
    inits = [pads]
    if mode == "constant":
        inits.append(const("v", np.array(1.5, np.float32)))
        inputs.append("v")
    model = make_model([helper.make_node("Pad", inputs, ["y"], mode=mode)],
                       [("x", F32, [3, 4, 5])], [("y", F32, None)], inits,
                       opset=19)
    check(optc, tmp_path, model, {"x": random([3, 4, 5], np.float32, 10)})


def test_tile_split_argmax_cumsum(optc, tmp_path):
    model = make_model(
        [helper.make_node("Tile", ["x", "reps"], ["t"]),
         helper.make_node("Split", ["x", "sizes"], ["s0", "s1"], axis=1),
         helper.make_node("ArgMax", ["x"], ["amax"], axis=1, keepdims=1),
         helper.make_node("ArgMin", ["x"], ["amin"], axis=0, keepdims=0,
                          select_last_index=1),
         helper.make_node("CumSum", ["x", "axis"], ["cs"]),
         helper.make_node("CumSum", ["x", "axis"], ["csr"], exclusive=1,
                          reverse=1)],
        [("x", F32, [3, 7])],
        [("t", F32, [6, 7]), ("s0", F32, [3, 3]), ("s1", F32, [3, 4]),
         ("amax", I64, [3, 1]), ("amin", I64, [7]), ("cs", F32, [3, 7]),
         ("csr", F32, [3, 7])],
        [const("reps", np.array([2, 1], np.int64)),
         const("sizes", np.array([3, 4], np.int64)),
         const("axis", np.array(1, np.int64))], opset=18)
    x = np.round(random([3, 7], np.float32, 11) * 2) / 2  # ties
    check(optc, tmp_path, model, {"x": x}, rtol=1e-6)


# Up to 2^16 positions the diagonal offsets are a constant table; beyond,
# they are computed at run time (a model with a 2^31-row Trilu once made
# the compiler allocate tens of GiB building the table).
@pytest.mark.parametrize("rows,cols", [(5, 7), (300, 260)])
def test_trilu_and_eye_like(optc, tmp_path, rows, cols):
    model = make_model(
        [helper.make_node("Trilu", ["x"], ["upper"]),
         helper.make_node("Trilu", ["x", "k"], ["lower"], upper=0),
         helper.make_node("Trilu", ["x", "kk"], ["lower_kk"], upper=0),
         # EyeLike takes a matrix: the first of x's.
         helper.make_node("Gather", ["x", "zero"], ["x0"], axis=0),
         helper.make_node("EyeLike", ["x0"], ["eye"], k=-2, dtype=I64)],
        [("x", F32, [2, rows, cols]), ("kk", I64, [])],
        [("upper", F32, [2, rows, cols]), ("lower", F32, [2, rows, cols]),
         ("lower_kk", F32, [2, rows, cols]), ("eye", I64, [rows, cols])],
        [const("k", np.array(3, np.int64)),
         const("zero", np.array(0, np.int64))], opset=18)
    x = random([2, rows, cols], np.float32, 12)
    check(optc, tmp_path, model, {"x": x, "kk": np.array(-4, np.int64)})


# Positions along an axis longer than a fold are computed at run time.
@pytest.mark.parametrize("length", [9, 70000])
def test_hardmax_and_one_hot_positions(optc, tmp_path, length):
    model = make_model(
        [helper.make_node("Hardmax", ["x"], ["h"], axis=1),
         helper.make_node("OneHot", ["i", "depth", "values"], ["o"], axis=0)],
        [("x", F32, [2, length]), ("i", I64, [3])],
        [("h", F32, [2, length]), ("o", F32, [length, 3])],
        [const("depth", np.array(length, np.int64)),
         const("values", np.array([-1, 2], np.float32))], opset=18)
    x = random([2, length], np.float32, 13)
    i = np.array([0, length - 1, -2], np.int64)
    check(optc, tmp_path, model, {"x": x, "i": i})


# A causal mask of 300 x 300 (more than a fold) is computed at run time.
def test_causal_attention_long(optc, tmp_path):
    shape = [1, 2, 300, 8]
    model = make_model(
        [helper.make_node("Attention", ["q", "k", "v"], ["y"], is_causal=1)],
        [("q", F32, shape), ("k", F32, shape), ("v", F32, shape)],
        [("y", F32, shape)], opset=23)
    model.ir_version = 10
    feeds = {n: random(shape, np.float32, 14 + i) for i, n in enumerate("qkv")}
    check(optc, tmp_path, model, feeds, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("reduction", ["none", "add", "max"])
def test_scatter_and_gather_nd(optc, tmp_path, reduction):
    model = make_model(
        [helper.make_node("ScatterElements", ["data", "idx", "upd"], ["se"],
                          axis=1, reduction=reduction),
         helper.make_node("ScatterND", ["data", "nidx", "rows"], ["snd"],
                          reduction=reduction),
         helper.make_node("GatherND", ["data", "nidx"], ["gnd"])],
        [("data", F32, [4, 5]), ("idx", I64, [4, 2]), ("upd", F32, [4, 2]),
         ("nidx", I64, [2, 1]), ("rows", F32, [2, 5])],
        [("se", F32, [4, 5]), ("snd", F32, [4, 5]), ("gnd", F32, [2, 5])],
        opset=18)
    feeds = {"data": random([4, 5], np.float32, 12),
             "idx": np.array([[0, 4], [1, -1], [2, 3], [-5, 0]], np.int64),
             "upd": random([4, 2], np.float32, 13),
             "nidx": np.array([[3], [-4]], np.int64),
             "rows": random([2, 5], np.float32, 14)}
    check(optc, tmp_path, model, feeds)


@pytest.mark.parametrize("x_shape,w_shape,attrs", [
    ([1, 2, 4, 4], [2, 3, 3, 3], dict(strides=[2, 2], pads=[1, 1, 1, 1],
                                      output_padding=[1, 1])),
    ([1, 4, 5], [4, 2, 3], dict(group=2, dilations=[2])),
])
def test_conv_transpose(optc, tmp_path, x_shape, w_shape, attrs):
    model = make_model([helper.make_node("ConvTranspose", ["x", "w"], ["y"],
                                         **attrs)],
                       [("x", F32, x_shape)], [("y", F32, None)],
                       [const("w", random(w_shape, np.float32, 15))])
    check(optc, tmp_path, model, {"x": random(x_shape, np.float32, 16)},
          rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("image,block,attrs", [
    ([5, 5], [2, 2], {}),
    ([6, 7], [3, 2], dict(strides=[2, 2], pads=[1, 0, 1, 2], dilations=[1, 2])),
    ([4, 3, 5], [2, 1, 3], dict(strides=[1, 2, 1])),
])
def test_col2im(optc, tmp_path, image, block, attrs):
    """Col2Im against onnxruntime: the transposed convolution with one-hot
    weights, remainders as output padding."""
    n = len(image)
    strides = attrs.get("strides", [1] * n)
    dilations = attrs.get("dilations", [1] * n)
    pads = attrs.get("pads", [0] * 2 * n)
    blocks = int(np.prod([(image[d] + pads[d] + pads[n + d] - dilations[d] * (block[d] - 1) - 1)
                          // strides[d] + 1 for d in range(n)]))
    channels = 2 * int(np.prod(block))
    model = make_model([helper.make_node("Col2Im", ["x", "image", "block"], ["y"], **attrs)],
                       [("x", F32, [1, channels, blocks])], [("y", F32, None)],
                       [const("image", np.array(image, np.int64)),
                        const("block", np.array(block, np.int64))], opset=18)
    check(optc, tmp_path, model, {"x": random([1, channels, blocks], np.float32, 17)},
          rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("largest", [1, 0])
def test_top_k(optc, tmp_path, largest):
    model = make_model(
        [helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=1,
                          largest=largest)],
        [("x", F32, [3, 9])], [("v", F32, [3, 4]), ("i", I64, [3, 4])],
        [const("k", np.array([4], np.int64))])
    x = np.round(random([3, 9], np.float32, 17) * 2) / 2  # with ties
    check(optc, tmp_path, model, {"x": x})


def test_fused_chains(optc, tmp_path):
    """Chains that --optc-fuse-elementwise makes one kernel, and values that
    stay shared: conv -> batch norm -> relu -> residual add -> relu, a
    linear layer with an erf GELU, and x * sigmoid(x) reading x twice."""
    c = 8
    inits = [const("w", random([c, c, 3, 3], np.float32, 1) * 0.2),
             const("s", random([c], np.float32, 2)),
             const("bb", random([c], np.float32, 3)),
             const("m", random([c], np.float32, 4)),
             const("v", np.abs(random([c], np.float32, 5)) + 0.5),
             const("lw", random([20, 24], np.float32, 6) * 0.3),
             const("lb", random([24], np.float32, 7)),
             const("half", np.float32(0.5)), const("one", np.float32(1.0)),
             const("rt2", np.float32(np.sqrt(2.0)))]
    node = helper.make_node
    model = make_model(
        [node("Conv", ["x", "w"], ["cv"], pads=[1, 1, 1, 1]),
         node("BatchNormalization", ["cv", "s", "bb", "m", "v"], ["bn"]),
         node("Relu", ["bn"], ["r1"]),
         node("Add", ["r1", "x"], ["res"]),
         node("Relu", ["res"], ["y"]),
         node("MatMul", ["t", "lw"], ["mm"]),
         node("Add", ["mm", "lb"], ["h"]),
         node("Div", ["h", "rt2"], ["hd"]),
         node("Erf", ["hd"], ["he"]),
         node("Add", ["he", "one"], ["hp"]),
         node("Mul", ["h", "hp"], ["hm"]),
         node("Mul", ["hm", "half"], ["gelu"]),
         node("Sigmoid", ["gelu"], ["sg"]),
         node("Mul", ["gelu", "sg"], ["swish"])],
        [("x", F32, [1, c, 10, 10]), ("t", F32, [3, 20])],
        [("y", F32, None), ("swish", F32, None)], inits)
    check(optc, tmp_path, model,
          {"x": random([1, c, 10, 10], np.float32, 8),
           "t": random([3, 20], np.float32, 9)}, rtol=1e-4, atol=1e-5)
