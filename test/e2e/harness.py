"""Compiles ONNX models with optc, runs them with `optc run`, and compares
the outputs with onnxruntime's, computed in the same test."""
import pathlib
import subprocess

import ml_dtypes
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

OPSET = 17


def make_model(nodes, inputs, outputs, initializers=(), opset=OPSET):
    """A model from nodes and (name, elem_type, shape) inputs/outputs; an
    output shape of None is filled in by ONNX shape inference."""
    def info(name, elem_type, shape):
        if shape is None:
            return helper.make_tensor_value_info(name, elem_type, [])
        return helper.make_tensor_value_info(name, elem_type, shape)
    graph = helper.make_graph(
        nodes, "test", [info(*i) for i in inputs],
        [info(*o) for o in outputs], initializer=list(initializers))
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    unknown = {n for n, _, s in outputs if s is None}
    if unknown:
        for output in model.graph.output:
            if output.name in unknown:
                output.type.tensor_type.ClearField("shape")
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        types = {v.name: v.type for v in inferred.graph.value_info}
        types.update({v.name: v.type for v in inferred.graph.output})
        for output in model.graph.output:
            if output.name in unknown:
                output.type.CopyFrom(types[output.name])
    onnx.checker.check_model(model)
    return model


def run_optc(optc, tmp_path, model, feeds, extra=()):
    """Runs `model` through `optc run`; returns its outputs in order."""
    tmp_path = pathlib.Path(tmp_path)
    path = tmp_path / "model.onnx"
    onnx.save(model, path)
    args = [str(optc), "run", str(path), "--output-dir", str(tmp_path / "out")]
    for name, value in feeds.items():
        np.save(tmp_path / f"{name}.npy", value)
        args += ["--input", f"{name}={tmp_path / (name + '.npy')}"]
    result = subprocess.run(args + list(extra), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    outputs = []
    for o in model.graph.output:
        value = np.load(tmp_path / "out" / f"{o.name}.npy")
        # bfloat16 has no numpy type code; 1-byte records (ml_dtypes' 8-bit
        # and narrower types) are left for the test to view.
        if value.dtype.kind == "V" and value.dtype.itemsize == 2:
            value = value.view(ml_dtypes.bfloat16)
        outputs.append(value)
    return outputs


def reference(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def check(optc, tmp_path, model, feeds, rtol=1e-5, atol=1e-6, extra=()):
    """optc's outputs equal onnxruntime's: exactly for integers and bools,
    within tolerance for floats."""
    ours = run_optc(optc, tmp_path, model, feeds, extra)
    theirs = reference(model, feeds)
    assert len(ours) == len(theirs)
    for name, got, want in zip([o.name for o in model.graph.output], ours,
                               theirs):
        assert got.dtype == want.dtype, f"{name}: {got.dtype} vs {want.dtype}"
        assert got.shape == want.shape, f"{name}: {got.shape} vs {want.shape}"
        if np.issubdtype(want.dtype, np.floating) or want.dtype == ml_dtypes.bfloat16:
            got, want = got.astype(np.float64), want.astype(np.float64)
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol,
                                       err_msg=name)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)


def random(shape, dtype, seed=0, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -100), min(info.max, 100)
        return rng.integers(lo, hi, size=shape, dtype=dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


ONNX_TYPE = {np.dtype(k): v for k, v in {
    np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
    np.float16: TensorProto.FLOAT16, np.int8: TensorProto.INT8,
    np.uint8: TensorProto.UINT8, np.int16: TensorProto.INT16,
    np.uint16: TensorProto.UINT16, np.int32: TensorProto.INT32,
    np.uint32: TensorProto.UINT32, np.int64: TensorProto.INT64,
    np.uint64: TensorProto.UINT64, np.bool_: TensorProto.BOOL}.items()}
