"""A compiled model allocates nothing after its first run: kernels' own
temporaries (a convolution's padded input and im2col matrix) live in the
arena with every other intermediate (--optc-hoist-kernel-buffers), so a run
takes no page faults. Before, a detection CNN at 736 x 736 malloc'ed and
freed about 546 MB per run and spent 62% of its time in page faults."""
import os
import resource

import numpy as np
import pytest
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import optc


def cnn(size):
    rng = np.random.default_rng(0)
    nodes, inits = [], []

    def conv(x, cin, cout, k, stride, name):
        inits.append(numpy_helper.from_array(
            (rng.standard_normal((cout, cin, k, k)) * 0.1).astype(np.float32), name + "_w"))
        nodes.append(helper.make_node("Conv", [x, name + "_w"], [name], kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[k // 2] * 4))
        nodes.append(helper.make_node("Relu", [name], [name + "_r"]))
        return name + "_r"

    x = conv("x", 3, 16, 3, 2, "c1")
    x = conv(x, 16, 32, 3, 2, "c2")
    x = conv(x, 32, 32, 3, 1, "c3")
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["y"]))
    graph = helper.make_graph(
        nodes, "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32, 1, 1])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def faults_per_run(fn, runs=5):
    fn()
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(runs):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / runs


# ASan's allocator keeps freed memory in quarantine, so the interpreter's
# own allocations around a run touch fresh pages.
@pytest.mark.skipif(bool(os.environ.get("OPTC_SANITIZED")),
                    reason="page faults are not the model's under the ASan allocator")
def test_runs_take_no_page_faults():
    proto = cnn(320)
    model = optc.compile(proto)
    x = np.random.default_rng(1).standard_normal((1, 3, 320, 320)).astype(np.float32)
    want = ort.InferenceSession(proto.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(model(x), want, rtol=1e-4, atol=1e-5)
    # The kernels' temporaries here are 7 MB a run (the im2col matrices):
    # thousands of faults if they were malloc'ed; a handful of the
    # interpreter's own at most.
    assert faults_per_run(lambda: model(x)) <= 4


def test_kernels_keep_no_top_level_buffers(build_dir, tmp_path):
    import subprocess
    path = tmp_path / "cnn.onnx"
    path.write_bytes(cnn(64).SerializeToString())
    ir = subprocess.run([str(build_dir / "bin" / "optc"), str(path), "--emit-after=bufferized"],
                        capture_output=True, text=True, check=True).stdout
    # Every remaining allocation is inside a loop (indented deeper than a
    # kernel's top level).
    for line in ir.splitlines():
        if "memref.alloc(" in line:
            assert len(line) - len(line.lstrip()) > 4, line
