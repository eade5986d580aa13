"""Models stamped with opsets 1 to 6, and exporters' quirks, compiled and
run by optc and compared with a reference.

onnxruntime runs few ops before opset 7 (Reshape-1, Pad-2, Slice-1,
Softmax-1, Sum-6, Clip-6, the experimental ImageScaler, Crop, ... of opsets
1 to 9); for those it runs the model itself. For the others the reference
is onnxruntime running the model that onnx's version converter makes of it
at opset 7 (`converted`), or, where the converter has no adapter (Pad-1,
Split-1, Cast-1, Tile-1, LpPool-1, the logical and comparison ops, LSTM) or
mishandles the case (it rejects a broadcast `axis` it should accept), the
same computation written by hand with opset-7+ ops (`twin`).
"""
import numpy as np
import onnx
import onnx.version_converter
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from harness import random, run_optc

F32 = TensorProto.FLOAT
I64 = TensorProto.INT64
BOOL = TensorProto.BOOL


def legacy_model(nodes, inputs, outputs, opset, initializers=(), ir=3,
                 value_info=(), imports=None):
    """A model as old exporters wrote it: no checker (the checker of the
    pinned onnx no longer knows some of these ops)."""
    def info(name, elem_type, shape):
        return helper.make_tensor_value_info(name, elem_type, shape)
    graph = helper.make_graph(nodes, "legacy", [info(*i) for i in inputs],
                              [info(*o) for o in outputs],
                              initializer=list(initializers),
                              value_info=[info(*v) for v in value_info])
    model = helper.make_model(
        graph, opset_imports=imports or [helper.make_opsetid("", opset)])
    model.ir_version = ir
    return model


def ort_run(model, feeds):
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def converted(model):
    return onnx.version_converter.convert_version(model, 7)


def compare(optc, tmp_path, model, feeds, reference_model=None,
            reference_feeds=None, rtol=1e-5, atol=1e-6, extra=()):
    """optc on `model` against onnxruntime on `reference_model` (default:
    the model itself)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    feeds = {k: np.asarray(v) for k, v in feeds.items()}
    ours = run_optc(optc, tmp_path, model, feeds, extra)
    theirs = ort_run(reference_model or model,
                     feeds if reference_feeds is None else reference_feeds)
    assert len(ours) == len(theirs)
    for output, got, want in zip(model.graph.output, ours, theirs):
        assert got.shape == want.shape, f"{output.name}: {got.shape} vs {want.shape}"
        assert got.dtype == want.dtype, f"{output.name}: {got.dtype} vs {want.dtype}"
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol,
                                   err_msg=output.name)


A = random((2, 3, 4, 5), np.float32, seed=1, low=0.5, high=2.0)


# --- Legacy broadcasting of the binary ops --------------------------------

@pytest.mark.parametrize("opset", [1, 6])
@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div"])
def test_binary_broadcast_along_axis(optc, tmp_path, op, opset):
    # B's dimensions line up with A's from `axis`: B[3, 4] along A's 1, 2.
    b = random((3, 4), np.float32, seed=2, low=0.5, high=2.0)
    model = legacy_model(
        [helper.make_node(op, ["a", "b"], ["y"], broadcast=1, axis=1)],
        [("a", F32, [2, 3, 4, 5]), ("b", F32, [3, 4])],
        [("y", F32, [2, 3, 4, 5])], opset)
    twin = legacy_model(
        [helper.make_node("Unsqueeze", ["b"], ["b3"], axes=[2]),
         helper.make_node(op, ["a", "b3"], ["y"])],
        [("a", F32, [2, 3, 4, 5]), ("b", F32, [3, 4])],
        [("y", F32, [2, 3, 4, 5])], 7)
    compare(optc, tmp_path, model, {"a": A, "b": b}, twin)


@pytest.mark.parametrize("b_shape", [[5], [4, 5], [1, 1], []])
def test_binary_broadcast_trailing(optc, tmp_path, b_shape):
    # Without axis B lines up with A's last dimensions; a one-element B is a
    # scalar. consumed_inputs (opset 1) is ignored.
    b = random(tuple(b_shape), np.float32, seed=3, low=0.5, high=2.0)
    model = legacy_model(
        [helper.make_node("Add", ["a", "b"], ["y"], broadcast=1,
                          consumed_inputs=[0, 0])],
        [("a", F32, [2, 3, 4, 5]), ("b", F32, b_shape)],
        [("y", F32, [2, 3, 4, 5])], 1)
    compare(optc, tmp_path, model, {"a": A, "b": b}, converted(model))


def test_binary_same_shape(optc, tmp_path):
    b = random((2, 3, 4, 5), np.float32, seed=4)
    model = legacy_model([helper.make_node("Mul", ["a", "b"], ["y"])],
                         [("a", F32, [2, 3, 4, 5]), ("b", F32, [2, 3, 4, 5])],
                         [("y", F32, [2, 3, 4, 5])], 6)
    compare(optc, tmp_path, model, {"a": A, "b": b}, converted(model))


def test_pow_along_axis(optc, tmp_path):
    b = random((2,), np.float32, seed=5, low=0.5, high=2.0)
    model = legacy_model(
        [helper.make_node("Pow", ["a", "b"], ["y"], broadcast=1, axis=0)],
        [("a", F32, [2, 3, 4, 5]), ("b", F32, [2])],
        [("y", F32, [2, 3, 4, 5])], 1)
    twin = legacy_model(
        [helper.make_node("Unsqueeze", ["b"], ["b4"], axes=[1, 2, 3]),
         helper.make_node("Pow", ["a", "b4"], ["y"])],
        [("a", F32, [2, 3, 4, 5]), ("b", F32, [2])],
        [("y", F32, [2, 3, 4, 5])], 7)
    compare(optc, tmp_path, model, {"a": A, "b": b}, twin)


@pytest.mark.parametrize("op", ["Equal", "Greater", "Less"])
def test_comparison_along_axis(optc, tmp_path, op):
    a = np.random.default_rng(6).integers(0, 3, (2, 3, 4)).astype(np.int64)
    b = np.random.default_rng(7).integers(0, 3, (3,)).astype(np.int64)
    model = legacy_model(
        [helper.make_node(op, ["a", "b"], ["y"], broadcast=1, axis=1)],
        [("a", I64, [2, 3, 4]), ("b", I64, [3])], [("y", BOOL, [2, 3, 4])], 1)
    twin = legacy_model(
        [helper.make_node("Unsqueeze", ["b"], ["b2"], axes=[1]),
         helper.make_node(op, ["a", "b2"], ["y"])],
        [("a", I64, [2, 3, 4]), ("b", I64, [3])], [("y", BOOL, [2, 3, 4])], 9)
    compare(optc, tmp_path, model, {"a": a, "b": b}, twin)


@pytest.mark.parametrize("op", ["And", "Or", "Xor"])
def test_logic_broadcast(optc, tmp_path, op):
    a = np.random.default_rng(8).integers(0, 2, (2, 3)).astype(bool)
    b = np.random.default_rng(9).integers(0, 2, (2,)).astype(bool)
    model = legacy_model(
        [helper.make_node(op, ["a", "b"], ["y"], broadcast=1, axis=0)],
        [("a", BOOL, [2, 3]), ("b", BOOL, [2])], [("y", BOOL, [2, 3])], 1)
    twin = legacy_model(
        [helper.make_node("Unsqueeze", ["b"], ["b2"], axes=[1]),
         helper.make_node(op, ["a", "b2"], ["y"])],
        [("a", BOOL, [2, 3]), ("b", BOOL, [2])], [("y", BOOL, [2, 3])], 7)
    compare(optc, tmp_path, model, {"a": a, "b": b}, twin)


@pytest.mark.parametrize("op", ["Sum", "Max", "Min", "Mean"])
def test_variadic_before_8(optc, tmp_path, op):
    # Sum-6 and friends: inputs of one shape; onnxruntime runs them.
    x = random((2, 3), np.float32, seed=10)
    z = random((2, 3), np.float32, seed=11)
    model = legacy_model([helper.make_node(op, ["x", "z", "x"], ["y"])],
                         [("x", F32, [2, 3]), ("z", F32, [2, 3])],
                         [("y", F32, [2, 3])], 6)
    compare(optc, tmp_path, model, {"x": x, "z": z})


# --- Normalisation, dropout, Gemm, PRelu ---------------------------------

BN_INPUTS = [("x", F32, [2, 3, 4, 5]), ("s", F32, [3]), ("b", F32, [3]),
             ("m", F32, [3]), ("v", F32, [3])]


def bn_feeds(shape=(3,)):
    return {"x": A, "s": random(shape, np.float32, seed=12),
            "b": random(shape, np.float32, seed=13),
            "m": random(shape, np.float32, seed=14),
            "v": random(shape, np.float32, seed=15, low=0.5, high=2.0)}


@pytest.mark.parametrize("opset,attrs", [
    (6, dict(is_test=1, epsilon=1e-3)),
    (1, dict(is_test=1, consumed_inputs=[0, 0, 0, 1, 1])),
    # is_test = 0 asked for training; the version converter drops it and
    # onnxruntime normalises with the given statistics.
    (6, dict()),
])
def test_batch_norm_before_7(optc, tmp_path, opset, attrs):
    # Exporters name the statistics outputs even in inference (opset 7
    # allows only one or five outputs: the reference has Y alone).
    def model(outputs):
        return legacy_model(
            [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                              outputs, **attrs)],
            BN_INPUTS, [("y", F32, [2, 3, 4, 5])], opset)
    compare(optc, tmp_path, model(["y", "mean", "var"]), bn_feeds(),
            converted(model(["y"])), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("opset", [6, 7])
def test_batch_norm_not_spatial(optc, tmp_path, opset):
    # spatial = 0: statistics per element of a sample ([C, H, W]).
    inputs = [("x", F32, [2, 3, 4, 5])] + [
        (n, F32, [3, 4, 5]) for n in ("s", "b", "m", "v")]
    model = legacy_model(
        [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                          ["y"], spatial=0,
                          **(dict(is_test=1) if opset < 7 else {}))],
        inputs, [("y", F32, [2, 3, 4, 5])], opset)
    reference = converted(model) if opset < 7 else model
    compare(optc, tmp_path, model, bn_feeds((3, 4, 5)), reference, rtol=1e-4,
            atol=1e-5)


@pytest.mark.parametrize("opset,attrs", [(1, dict(is_test=1)), (6, dict()),
                                         (6, dict(is_test=1, ratio=0.7))])
def test_dropout_before_7(optc, tmp_path, opset, attrs):
    model = legacy_model(
        [helper.make_node("Dropout", ["x"], ["y"], **attrs)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 4, 5])], opset)
    compare(optc, tmp_path, model, {"x": A}, converted(model))


def test_dropout_mask_has_input_type_before_10(optc, tmp_path):
    # Dropout-7's mask is of the input's type (bool from opset 10). Every
    # element is kept; onnxruntime fills this mask with zeros instead, so
    # only its type is compared.
    model = legacy_model(
        [helper.make_node("Dropout", ["x"], ["y", "mask"], is_test=1)],
        [("x", F32, [2, 3, 4, 5])],
        [("y", F32, [2, 3, 4, 5]), ("mask", F32, [2, 3, 4, 5])], 6)
    y, mask = run_optc(optc, tmp_path, model, {"x": A})
    np.testing.assert_array_equal(y, A)
    assert mask.dtype == np.float32 and (mask == 1).all()
    ref_mask = ort_run(converted(model), {"x": A})[1]
    assert ref_mask.dtype == mask.dtype


@pytest.mark.parametrize("opset,c_shape", [(6, [4]), (1, [3, 4]), (6, [])])
def test_gemm_before_7(optc, tmp_path, opset, c_shape):
    model = legacy_model(
        [helper.make_node("Gemm", ["a", "b", "c"], ["y"], broadcast=1,
                          alpha=0.5, beta=2.0, transB=1)],
        [("a", F32, [3, 5]), ("b", F32, [4, 5]), ("c", F32, c_shape)],
        [("y", F32, [3, 4])], opset)
    feeds = {"a": random((3, 5), np.float32, seed=16),
             "b": random((4, 5), np.float32, seed=17),
             "c": random(tuple(c_shape), np.float32, seed=18)}
    compare(optc, tmp_path, model, feeds, converted(model))


@pytest.mark.parametrize("opset", [1, 6])
def test_prelu_before_7(optc, tmp_path, opset):
    model = legacy_model(
        [helper.make_node("PRelu", ["x", "slope"], ["y"])],
        [("x", F32, [2, 3, 4, 5]), ("slope", F32, [3, 1, 1])],
        [("y", F32, [2, 3, 4, 5])], opset)
    feeds = {"x": A - 1.2, "slope": random((3, 1, 1), np.float32, seed=19)}
    compare(optc, tmp_path, model, feeds, converted(model))


@pytest.mark.parametrize("op,attrs", [
    ("Elu", dict(alpha=0.5)), ("LeakyRelu", dict(alpha=0.2)),
    ("Selu", dict()), ("HardSigmoid", dict(alpha=0.3)),
    ("Relu", dict()), ("Sigmoid", dict()), ("Tanh", dict()),
    ("Neg", dict()), ("Abs", dict()), ("Exp", dict())])
def test_unary_with_consumed_inputs(optc, tmp_path, op, attrs):
    model = legacy_model(
        [helper.make_node(op, ["x"], ["y"], consumed_inputs=[0], **attrs)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 4, 5])], 1)
    twin = legacy_model([helper.make_node(op, ["x"], ["y"], **attrs)],
                        [("x", F32, [2, 3, 4, 5])],
                        [("y", F32, [2, 3, 4, 5])], 7)
    compare(optc, tmp_path, model, {"x": A - 1.2}, twin, rtol=2e-5)


def test_clip_before_11(optc, tmp_path):
    model = legacy_model(
        [helper.make_node("Clip", ["x"], ["y"], min=0.8, max=1.5)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 4, 5])], 6)
    compare(optc, tmp_path, model, {"x": A})


# --- Shapes: Reshape, Concat, Pad, Slice, Split, Tile, Cast ---------------

def test_reshape_1(optc, tmp_path):
    model = legacy_model(
        [helper.make_node("Reshape", ["x"], ["y"], shape=[0, -1, 5])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 12, 5])], 1)
    compare(optc, tmp_path, model, {"x": A})


@pytest.mark.parametrize("opset", [1, 3])
def test_concat_default_axis(optc, tmp_path, opset):
    model = legacy_model(
        [helper.make_node("Concat", ["x", "x"], ["y"])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 6, 4, 5])], opset)
    compare(optc, tmp_path, model, {"x": A}, converted(model))


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_pad_1_and_2(optc, tmp_path, mode):
    pads = [0, 1, 2, 0, 0, 2, 1, 0]
    old = legacy_model(
        [helper.make_node("Pad", ["x"], ["y"], paddings=pads, mode=mode,
                          value=1.5)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 6, 7, 5])], 1)
    pad2 = legacy_model(
        [helper.make_node("Pad", ["x"], ["y"], pads=pads, mode=mode,
                          value=1.5)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 6, 7, 5])], 2)
    compare(optc, tmp_path / "1", old, {"x": A}, pad2)
    compare(optc, tmp_path / "2", pad2, {"x": A})


def test_slice_1(optc, tmp_path):
    model = legacy_model(
        [helper.make_node("Slice", ["x"], ["y"], starts=[1, -3], ends=[3, 100],
                          axes=[1, 3])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 2, 4, 3])], 1)
    compare(optc, tmp_path, model, {"x": A})


@pytest.mark.parametrize("as_input", [False, True])
def test_split_1(optc, tmp_path, as_input):
    if as_input:
        node = helper.make_node("Split", ["x", "sizes"], ["p", "q"], axis=1)
        inits = [numpy_helper.from_array(np.array([1, 2], np.int64), "sizes")]
    else:
        node = helper.make_node("Split", ["x"], ["p", "q"], axis=1,
                                split=[1, 2])
        inits = []
    model = legacy_model([node], [("x", F32, [2, 3, 4, 5])],
                         [("p", F32, [2, 1, 4, 5]), ("q", F32, [2, 2, 4, 5])],
                         1, initializers=inits, ir=4)
    twin = legacy_model(
        [helper.make_node("Split", ["x"], ["p", "q"], axis=1, split=[1, 2])],
        [("x", F32, [2, 3, 4, 5])],
        [("p", F32, [2, 1, 4, 5]), ("q", F32, [2, 2, 4, 5])], 7)
    compare(optc, tmp_path, model, {"x": A}, twin)


def test_tile_1(optc, tmp_path):
    inits = [numpy_helper.from_array(np.array(3, np.int64), "tiles"),
             numpy_helper.from_array(np.array(2, np.int64), "axis")]
    model = legacy_model(
        [helper.make_node("Tile", ["x", "tiles", "axis"], ["y"])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 12, 5])], 1,
        initializers=inits, ir=4)
    twin = legacy_model(
        [helper.make_node("Tile", ["x", "repeats"], ["y"])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 12, 5])], 7,
        initializers=[numpy_helper.from_array(
            np.array([1, 1, 3, 1], np.int64), "repeats")], ir=4)
    compare(optc, tmp_path, model, {"x": A}, twin)


@pytest.mark.parametrize("to,code,dtype", [("INT32", TensorProto.INT32, np.int32),
                                           ("double", TensorProto.DOUBLE, np.float64)])
def test_cast_1_names_the_type(optc, tmp_path, to, code, dtype):
    model = legacy_model([helper.make_node("Cast", ["x"], ["y"], to=to)],
                         [("x", F32, [2, 3, 4, 5])], [("y", code, [2, 3, 4, 5])],
                         1)
    twin = legacy_model([helper.make_node("Cast", ["x"], ["y"], to=code)],
                        [("x", F32, [2, 3, 4, 5])], [("y", code, [2, 3, 4, 5])],
                        7)
    compare(optc, tmp_path, model, {"x": A * 10}, twin)


# --- Pooling, resampling, softmax, recurrences ----------------------------

def test_average_pool_1(optc, tmp_path):
    model = legacy_model(
        [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[2, 2],
                          pads=[1, 1, 1, 1], strides=[2, 2])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 3, 3])], 1)
    compare(optc, tmp_path, model, {"x": A}, converted(model))


def test_lp_pool_1_float_p(optc, tmp_path):
    old = legacy_model(
        [helper.make_node("LpPool", ["x"], ["y"], kernel_shape=[2, 2], p=3.0),
         helper.make_node("GlobalLpPool", ["x"], ["g"], p=2.0)],
        [("x", F32, [2, 3, 4, 5])],
        [("y", F32, [2, 3, 3, 4]), ("g", F32, [2, 3, 1, 1])], 1)
    twin = legacy_model(
        [helper.make_node("LpPool", ["x"], ["y"], kernel_shape=[2, 2], p=3),
         helper.make_node("GlobalLpPool", ["x"], ["g"], p=2)],
        [("x", F32, [2, 3, 4, 5])],
        [("y", F32, [2, 3, 3, 4]), ("g", F32, [2, 3, 1, 1])], 7)
    compare(optc, tmp_path, old, {"x": A}, twin, rtol=1e-5)


@pytest.mark.parametrize("mode,mode7", [("nearest", "nearest"),
                                        ("bilinear", "linear")])
def test_upsample_1(optc, tmp_path, mode, mode7):
    # The version converter keeps "bilinear", which Upsample-7 calls
    # "linear".
    model = legacy_model(
        [helper.make_node("Upsample", ["x"], ["y"], height_scale=2.0,
                          width_scale=3.0, mode=mode)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 8, 15])], 1)
    twin = legacy_model(
        [helper.make_node("Upsample", ["x"], ["y"], mode=mode7,
                          scales=[1.0, 1.0, 2.0, 3.0])],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 8, 15])], 7)
    compare(optc, tmp_path, model, {"x": A}, twin)


def test_upsample_7_and_9(optc, tmp_path):
    # The scales as an attribute (7), then as an input (9).
    seven = legacy_model(
        [helper.make_node("Upsample", ["x"], ["y"], scales=[1.0, 1.0, 2.0, 2.0],
                          mode="linear")],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 8, 10])], 7)
    compare(optc, tmp_path / "7", seven, {"x": A})
    nine = legacy_model(
        [helper.make_node("Upsample", ["x", "scales"], ["y"], mode="nearest")],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 8, 10])], 9,
        initializers=[numpy_helper.from_array(
            np.array([1, 1, 2, 2], np.float32), "scales")], ir=4)
    compare(optc, tmp_path / "9", nine, {"x": A})


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax", "Hardmax"])
def test_softmax_1(optc, tmp_path, op):
    model = legacy_model([helper.make_node(op, ["x"], ["y"], axis=2)],
                         [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 4, 5])],
                         1)
    compare(optc, tmp_path, model, {"x": A})


def test_flatten_and_transpose_1(optc, tmp_path):
    model = legacy_model(
        [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 1, 3]),
         helper.make_node("Flatten", ["t"], ["y"], axis=2)],
        [("x", F32, [2, 3, 4, 5])], [("y", F32, [8, 15])], 1)
    twin = legacy_model(model.graph.node, [("x", F32, [2, 3, 4, 5])],
                        [("y", F32, [8, 15])], 7)
    compare(optc, tmp_path, model, {"x": A}, twin)


@pytest.mark.parametrize("op,opset", [("LSTM", 1), ("GRU", 3), ("GRU", 1),
                                      ("RNN", 1)])
def test_recurrent_before_7(optc, tmp_path, op, opset):
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    hidden, inputs = 3, 4
    feeds = {"x": random((5, 2, inputs), np.float32, seed=20),
             "w": random((1, gates * hidden, inputs), np.float32, seed=21),
             "r": random((1, gates * hidden, hidden), np.float32, seed=22)}
    outputs = [("y", F32, [5, 1, 2, hidden]), ("h", F32, [1, 2, hidden])]
    model = legacy_model(
        [helper.make_node(op, ["x", "w", "r"], ["y", "h"],
                          hidden_size=hidden, output_sequence=1)],
        [("x", F32, [5, 2, inputs]), ("w", F32, [1, gates * hidden, inputs]),
         ("r", F32, [1, gates * hidden, hidden])], outputs, opset)
    twin = legacy_model(
        [helper.make_node(op, ["x", "w", "r"], ["y", "h"],
                          hidden_size=hidden)],
        [("x", F32, [5, 2, inputs]), ("w", F32, [1, gates * hidden, inputs]),
         ("r", F32, [1, gates * hidden, hidden])], outputs, 7)
    compare(optc, tmp_path, model, feeds, twin, rtol=1e-5, atol=1e-6)


# --- Experimental ops of opsets 1 to 9 (onnxruntime runs them) ------------

@pytest.mark.parametrize("opset", [1, 8])
@pytest.mark.parametrize("op,attrs", [
    ("ImageScaler", dict(scale=0.5, bias=[1.0, -2.0, 3.0])),
    ("Scale", dict(scale=3.0)),
    ("Affine", dict(alpha=2.0, beta=-1.0)),
    ("ScaledTanh", dict(alpha=2.0, beta=0.5)),
    ("ParametricSoftplus", dict(alpha=2.0, beta=0.5)),
    ("ThresholdedRelu", dict(alpha=1.2)),
    ("MeanVarianceNormalization", dict()),
    ("MeanVarianceNormalization", dict(across_channels=1)),
    ("MeanVarianceNormalization", dict(normalize_variance=0)),
])
def test_experimental_ops(optc, tmp_path, op, attrs, opset):
    model = legacy_model([helper.make_node(op, ["x"], ["y"], **attrs)],
                         [("x", F32, [2, 3, 4, 5])], [("y", F32, [2, 3, 4, 5])],
                         opset)
    compare(optc, tmp_path, model, {"x": A - 1.2}, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("attrs,shape", [
    (dict(border=[1, 0, 2, 1]), [2, 3, 3, 2]),
    (dict(border=[1, 2, 0, 0], scale=[2, 3]), [2, 3, 2, 3])])
def test_crop(optc, tmp_path, attrs, shape):
    model = legacy_model([helper.make_node("Crop", ["x"], ["y"], **attrs)],
                         [("x", F32, [2, 3, 4, 5])], [("y", F32, shape)], 6)
    compare(optc, tmp_path, model, {"x": A})


# --- Exporters' quirks ----------------------------------------------------

X = random((2, 3), np.float32, seed=30)


def quirk_model(nodes, inputs, outputs, value_info=(), initializers=(),
                imports=None, ir=8, opset=13):
    return legacy_model(nodes, inputs, outputs, opset, initializers, ir,
                        value_info, imports)


def test_unknown_dimensions_written_as_minus_one_or_zero(optc, tmp_path):
    # -1 in an input is an unknown size (pinned here with --input-shape);
    # -1 and 0 in value_info and the outputs are not checked against sizes.
    model = quirk_model(
        [helper.make_node("Relu", ["x"], ["t"]),
         helper.make_node("Neg", ["t"], ["y"])],
        [("x", F32, [-1, 3])], [("y", F32, [0, -1])],
        value_info=[("t", F32, [0, 3])])
    compare(optc, tmp_path, model, {"x": X}, extra=["--input-shape", "x=2x3"])


@pytest.mark.parametrize("versions", [(13, 13), (13, 11), (11, 13)])
def test_default_domain_imported_twice(optc, tmp_path, versions):
    # "" and "ai.onnx" both imported; with two versions the last counts,
    # as in onnxruntime (Softmax flattens to 2-D before 13).
    x = random((2, 3, 4), np.float32, seed=31)
    model = quirk_model(
        [helper.make_node("Softmax", ["x"], ["y"])], [("x", F32, [2, 3, 4])],
        [("y", F32, [2, 3, 4])],
        imports=[helper.make_opsetid("", versions[0]),
                 helper.make_opsetid("ai.onnx", versions[1])])
    compare(optc, tmp_path, model, {"x": x})


def initializer_input_model(ir):
    w = numpy_helper.from_array(np.array([1.0, 2.0, 3.0], np.float32), "w")
    return quirk_model([helper.make_node("Mul", ["x", "w"], ["y"])],
                       [("x", F32, [2, 3]), ("w", F32, [3])],
                       [("y", F32, [2, 3])], initializers=[w], ir=ir)


@pytest.mark.parametrize("ir", [3, 8])
def test_initializer_that_is_an_input_defaults_to_its_value(optc, tmp_path, ir):
    # onnxruntime, too, runs the model without it.
    compare(optc, tmp_path, initializer_input_model(ir), {"x": X})


def test_initializer_input_overridden(optc, tmp_path):
    w = np.array([-1.0, 0.5, 4.0], np.float32)
    model = initializer_input_model(8)
    compare(optc, tmp_path, model, {"x": X, "w": w},
            extra=["--initializer-input", "w"])
    compare(optc, tmp_path / "all", model, {"x": X, "w": w},
            extra=["--initializer-input", "*"])


def test_initializer_input_from_python():
    # compile(initializer_inputs=...) is --initializer-input.
    import optc
    model = initializer_input_model(8)
    w = np.array([-1.0, 0.5, 4.0], np.float32)
    want = ort_run(model, {"x": X, "w": w})[0]
    for names in (["w"], ["*"]):
        got = optc.compile(model, initializer_inputs=names)(X, w)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
    # Without it, w is a constant and the model takes x alone.
    np.testing.assert_allclose(np.asarray(optc.compile(model)(X)),
                               ort_run(model, {"x": X})[0], rtol=1e-6)
    with pytest.raises(TypeError, match="list of names"):
        optc.compile(model, initializer_inputs="w")
    with pytest.raises(optc.CompileError, match="initializer-input"):
        optc.compile(model, initializer_inputs=["nope"])


def test_unused_input(optc, tmp_path):
    model = quirk_model([helper.make_node("Relu", ["x"], ["y"])],
                        [("x", F32, [2, 3]), ("unused", I64, [4])],
                        [("y", F32, [2, 3])])
    compare(optc, tmp_path, model, {"x": X, "unused": np.arange(4)})


def test_empty_names(optc, tmp_path):
    # Nodes and the graph without names; an optional output left unnamed.
    model = quirk_model(
        [helper.make_node("Dropout", ["x"], ["t", ""], name=""),
         helper.make_node("Relu", ["t"], ["y"], name="")],
        [("x", F32, [2, 3])], [("y", F32, [2, 3])])
    model.graph.name = ""
    compare(optc, tmp_path, model, {"x": X - 0.5})


def test_duplicate_value_info(optc, tmp_path):
    model = quirk_model(
        [helper.make_node("Relu", ["x"], ["t"]),
         helper.make_node("Neg", ["t"], ["y"])],
        [("x", F32, [2, 3])], [("y", F32, [2, 3])],
        value_info=[("t", F32, [2, 3]), ("t", F32, [2, 3]),
                    ("t", F32, [-1, 3])])
    compare(optc, tmp_path, model, {"x": X - 0.5})
