"""Gathers and scatters with indices out of range: a run-time error naming
the node, the input and the index, outputs untouched; negative indices
wrap as ONNX says; constant indices are checked when compiling."""
import subprocess

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import optc


def model(op, inputs, out_shape, const_indices=None, **attrs):
    """data (f32), indices (i64) [, updates (f32)] -> y."""
    names = [name for name, _ in inputs]
    infos = [helper.make_tensor_value_info(name, TensorProto.INT64 if name == "indices"
                                           else TensorProto.FLOAT, shape)
             for name, shape in inputs]
    inits = []
    if const_indices is not None:
        infos = [i for i in infos if i.name != "indices"]
        inits = [numpy_helper.from_array(np.asarray(const_indices, np.int64), "indices")]
    node = helper.make_node(op, names, ["y"], name="pick", **attrs)
    graph = helper.make_graph([node], "g", infos,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
                              inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)


DATA = np.arange(15, dtype=np.float32).reshape(5, 3)

CASES = {
    # op: (inputs, output shape, attrs, good indices, bad index, bad value)
    "Gather": ([("data", [5, 3]), ("indices", [4])], [4, 3], {"axis": 0},
               [0, -1, 4, -5], [1, 5, 0, 0], 5),
    "GatherElements": ([("data", [5, 3]), ("indices", [2, 3])], [2, 3], {"axis": 0},
                       [[0, -1, 4], [-5, 2, 1]], [[0, 0, 0], [0, -6, 0]], -6),
    "GatherND": ([("data", [5, 3]), ("indices", [2, 2])], [2], {},
                 [[4, 2], [-1, -3]], [[4, 3], [0, 0]], 3),
}


def ort_run(proto, feeds):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


@pytest.mark.parametrize("op", sorted(CASES))
def test_gathers(op):
    inputs, out_shape, attrs, good, bad, value = CASES[op]
    proto = model(op, inputs, out_shape, **attrs)
    compiled = optc.compile(proto)
    good = np.asarray(good, np.int64)
    np.testing.assert_array_equal(compiled(DATA, good), ort_run(proto, {"data": DATA, "indices": good}))
    with pytest.raises(optc.RunError) as error:
        compiled(DATA, np.asarray(bad, np.int64))
    text = str(error.value)
    assert f"node 'pick' (#0 {op})" in text and "'indices'" in text
    assert f"index {value}" in text
    # The model still runs afterwards, and right.
    np.testing.assert_array_equal(compiled(DATA, good), ort_run(proto, {"data": DATA, "indices": good}))


@pytest.mark.parametrize("op", ["ScatterElements", "ScatterND"])
def test_scatters(op):
    if op == "ScatterElements":
        inputs = [("data", [5, 3]), ("indices", [1, 3]), ("updates", [1, 3])]
        good, bad, value, updates = [[-1, 0, 4]], [[0, 7, 0]], 7, np.ones((1, 3), np.float32)
        attrs = {"axis": 0}
    else:
        inputs = [("data", [5, 3]), ("indices", [2, 1]), ("updates", [2, 3])]
        good, bad, value, updates = [[-2], [0]], [[-6], [0]], -6, np.ones((2, 3), np.float32)
        attrs = {}
    proto = model(op, inputs, [5, 3], **attrs)
    compiled = optc.compile(proto)
    good = np.asarray(good, np.int64)
    want = ort_run(proto, {"data": DATA, "indices": good, "updates": updates})
    np.testing.assert_array_equal(compiled(DATA, good, updates), want)
    with pytest.raises(optc.RunError, match=f"node 'pick' \\(#0 {op}\\).*index {value}"):
        compiled(DATA, np.asarray(bad, np.int64), updates)


def test_constant_indices_are_checked_when_compiling():
    proto = model("Gather", [("data", [5, 3]), ("indices", [3])], [3, 3],
                  const_indices=[0, 2, 9], axis=0)
    with pytest.raises(optc.CompileError, match="index 9 .*element 2.*out of range \\[-5, 5\\)"):
        optc.compile(proto)


def test_failed_run_writes_no_output(tmp_path, build_dir):
    optc_bin = str(build_dir / "bin" / "optc")
    proto = model("Gather", [("data", [5, 3]), ("indices", [2])], [2, 3], axis=0)
    path = tmp_path / "m.onnx"
    path.write_bytes(proto.SerializeToString())
    np.save(tmp_path / "data.npy", DATA)
    np.save(tmp_path / "indices.npy", np.array([1, 50], np.int64))
    out = tmp_path / "out"
    run = subprocess.run([optc_bin, "run", str(path), "--input", f"data={tmp_path / 'data.npy'}",
                          "--input", f"indices={tmp_path / 'indices.npy'}", "--output-dir", str(out)],
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "node 'pick' (#0 Gather)" in run.stderr and "index 50" in run.stderr
    assert not (out / "y.npy").exists()
