"""Convolutions with many kernel positions (the strided 1-D convolutions
of audio front ends, large 2-D kernels) build their im2col matrix with one
generic instead of a copy per position: same results as onnxruntime, and
a compile that no longer takes minutes (it took 6-8 minutes for 256 taps;
the compile time itself is the benchmarks' business, not a test's)."""
import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import optc


def conv_model(x_shape, w_shape, **attrs):
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array((rng.standard_normal(w_shape) * 0.05).astype(np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], **attrs)
    graph = helper.make_graph([node], "conv",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


@pytest.mark.parametrize("x_shape, w_shape, attrs", [
    # The audio model's: 1x1x640 input, 258 filters of 256 taps, stride 128.
    ([1, 1, 640], [258, 1, 256], {"kernel_shape": [256], "strides": [128]}),
    ([2, 4, 300], [6, 2, 100], {"kernel_shape": [100], "strides": [3], "dilations": [2],
                                "pads": [5, 7], "group": 2}),
    ([1, 3, 40, 40], [8, 3, 9, 9], {"kernel_shape": [9, 9], "strides": [2, 1],
                                    "pads": [4, 4, 4, 4]}),
])
def test_against_onnxruntime(x_shape, w_shape, attrs):
    proto = conv_model(x_shape, w_shape, **attrs)
    x = np.random.default_rng(1).standard_normal(x_shape).astype(np.float32)
    want = ort.InferenceSession(proto.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(optc.compile(proto)(x), want, rtol=1e-4, atol=1e-5)
