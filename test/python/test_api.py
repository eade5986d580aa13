"""The Python lowering API (optc package): importing models, lowering them
stage by stage, running pass pipelines, errors as exceptions, threads."""
import pathlib
import threading

import numpy as np
import pytest
import onnx
from onnx import TensorProto, helper, numpy_helper


def mlp_model():
    w = numpy_helper.from_array(np.ones((4, 3), np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]),
             helper.make_node("Relu", ["h"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             ir_version=8)


def test_import_from_path_bytes_and_proto(optc_api, tmp_path):
    model = mlp_model()
    path = tmp_path / "mlp.onnx"
    path.write_bytes(model.SerializeToString())
    for source in (path, str(path), model.SerializeToString(), model):
        module = optc_api.import_onnx(source, input_shapes={"x": [2, 4]})
        assert module.stage == "import"
        text = str(module)
        assert "optc.matmul" in text and "tensor<2x4xf32>" in text


def test_every_stage(optc_api):
    assert optc_api.stages == ["import", "graph", "fusion", "linalg", "vector",
                               "bufferized", "llvm"]
    module = optc_api.import_onnx(mlp_model(), input_shapes={"x": [2, 4]})
    marks = {"graph": "optc.matmul", "fusion": "optc.fusion",
             "linalg": "linalg.matmul", "vector": "vector.contract",
             "bufferized": "memref", "llvm": "llvm.func"}
    for stage in optc_api.stages[1:]:
        module.lower(until=stage)
        assert module.stage == stage
        assert marks[stage] in str(module), stage
    # Lowering to where it is already does nothing; backwards is an error.
    module.lower(until="llvm")
    with pytest.raises(ValueError, match="already lowered past 'graph'"):
        module.lower(until="graph")
    with pytest.raises(ValueError, match="not a stage; the stages are: import"):
        module.lower(until="codegen")


def test_run_passes(optc_api):
    module = optc_api.parse(
        "func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
        "  %0 = optc.exp %x : tensor<4xf32>\n"
        "  %1 = optc.exp %x : tensor<4xf32>\n"
        "  %2 = optc.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n"
        "  return %2 : tensor<4xf32>\n}\n")
    module.run_passes("builtin.module(cse)")
    assert str(module).count("optc.exp") == 1
    module.run_passes("optc-form-regions, canonicalize")
    assert "optc.fusion" in str(module)
    with pytest.raises(optc_api.CompileError, match="no-such-pass"):
        module.run_passes("builtin.module(no-such-pass)")


def test_errors_are_exceptions(optc_api, tmp_path):
    with pytest.raises(optc_api.CompileError, match="not a valid ONNX model"):
        optc_api.import_onnx(b"not a model")
    truncated = tmp_path / "cut.onnx"
    truncated.write_bytes(mlp_model().SerializeToString()[:40])
    with pytest.raises(optc_api.CompileError, match="cut.onnx"):
        optc_api.import_onnx(truncated)
    with pytest.raises(optc_api.CompileError, match="cannot read the model"):
        optc_api.import_onnx(tmp_path / "missing.onnx")
    with pytest.raises(TypeError, match="takes a path, bytes or an onnx.ModelProto"):
        optc_api.import_onnx(42)
    with pytest.raises(optc_api.CompileError, match="error"):
        optc_api.parse("func.func @f( {")
    # A symbolic dimension left unknown: lowering names it.
    module = optc_api.import_onnx(mlp_model())
    with pytest.raises(optc_api.CompileError) as error:
        module.lower(until="llvm")
    assert "error" in str(error.value)
    assert issubclass(optc_api.CompileError, RuntimeError)


def test_narrow_types_are_ml_dtypes_arrays(optc_api):
    """8-bit floats and 4-bit integers go in and come out as ml_dtypes
    arrays, one element per byte."""
    import ml_dtypes
    graph = helper.make_graph(
        [helper.make_node("Cast", ["x"], ["q"], to=TensorProto.FLOAT8E4M3FN),
         helper.make_node("Cast", ["n"], ["m"], to=TensorProto.FLOAT)], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("n", TensorProto.INT4, [3])],
        [helper.make_tensor_value_info("q", TensorProto.FLOAT8E4M3FN, [4]),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, [3])])
    net = optc_api.compile(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]))
    assert net.inputs[1].dtype == np.dtype(ml_dtypes.int4)
    assert net.outputs[0].dtype == np.dtype(ml_dtypes.float8_e4m3fn)
    x = np.array([0.1, 1000.0, -3.3, np.nan], np.float32)
    q, m = net(x, np.array([-8, -1, 7], ml_dtypes.int4))
    np.testing.assert_array_equal(q.astype(np.float32),
                                  onnx.numpy_helper.saturate_cast(x, ml_dtypes.float8_e4m3fn)
                                  .astype(np.float32))
    np.testing.assert_array_equal(m, [-8.0, -1.0, 7.0])


def test_modules_lower_concurrently(optc_api):
    results, errors = [], []

    def work(batch):
        try:
            module = optc_api.import_onnx(mlp_model(), input_shapes={"x": [batch, 4]})
            module.lower(until="bufferized")
            results.append((batch, str(module)))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(b,)) for b in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(b for b, _ in results) == list(range(1, 7))
    for batch, text in results:
        assert f"memref<{batch}x4xf32>" in text


def test_docs_examples(optc_api):
    """Every python block of docs/python.md runs."""
    import pathlib
    import re
    text = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), {})


def conv_model():
    w = numpy_helper.from_array(
        np.random.default_rng(1).standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"]),
             helper.make_node("ReduceMean", ["y"], ["m"], keepdims=0)]
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("m", TensorProto.FLOAT, None)], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             ir_version=8)


def reference(model, feeds):
    import onnxruntime as ort
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def test_compile_and_run_against_onnxruntime(optc_api, tmp_path):
    x = np.random.default_rng(2).standard_normal((2, 4)).astype(np.float32)
    mlp = optc_api.compile(mlp_model(), input_shapes={"x": [2, 4]})
    assert [s.name for s in mlp.inputs] == ["x"]
    assert mlp.inputs[0].dtype == np.float32 and mlp.inputs[0].shape == (2, 4)
    assert mlp.outputs[0].shape == (2, 3)
    np.testing.assert_allclose(mlp(x), reference(mlp_model(), {"x": x})[0], rtol=1e-6)
    np.testing.assert_allclose(mlp(x=x), mlp(x), rtol=0)

    path = tmp_path / "conv.onnx"
    path.write_bytes(conv_model().SerializeToString())
    conv = optc_api.compile(path, opt_level=3, name="net")
    xc = np.random.default_rng(3).standard_normal((1, 3, 8, 8)).astype(np.float32)
    y, m = conv(xc)
    want = reference(conv_model(), {"x": xc})
    np.testing.assert_allclose(y, want[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m, want[1], rtol=1e-4, atol=1e-6)


def test_save_and_load(optc_api, tmp_path):
    x = np.random.default_rng(4).standard_normal((1, 3, 8, 8)).astype(np.float32)
    for weights in ("embed", "file"):
        model = optc_api.compile(conv_model(), name="conv", weights=weights)
        want = model(x)
        saved = model.save(tmp_path / weights)
        files = sorted(p.name for p in (tmp_path / weights).iterdir())
        assert files == (["conv.h", "conv.so"] if weights == "embed"
                         else ["conv.h", "conv.so", "conv.weights"])
        del model
        loaded = optc_api.load(saved)
        for got, expected in zip(loaded(x), want):
            np.testing.assert_array_equal(got, expected)


def test_load_truncated_library(optc_api, tmp_path):
    # dlopen would map it and raise SIGBUS; load refuses it first.
    saved = optc_api.compile(conv_model(), name="conv").save(tmp_path / "whole")
    whole = pathlib.Path(saved).read_bytes()
    for size in (0, 63, 2000, len(whole) // 2, len(whole) - 1):
        cut = tmp_path / f"cut{size}.so"
        cut.write_bytes(whole[:size])
        with pytest.raises(optc_api.RunError, match="is not a whole library"):
            optc_api.load(cut)
    optc_api.load(saved)


def test_run_errors(optc_api, tmp_path):
    model = optc_api.compile(mlp_model(), input_shapes={"x": [2, 4]})
    with pytest.raises(optc_api.RunError, match=r"has shape \[3,4\]; the model expects \[2,4\]"):
        model(np.zeros((3, 4), np.float32))
    with pytest.raises(optc_api.RunError, match="has dtype f64; the model expects f32"):
        model(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="takes 1 inputs, not 2"):
        model(np.zeros((2, 4), np.float32), np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="no input 'z'"):
        model(z=np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="missing inputs: x"):
        model()
    with pytest.raises(TypeError, match="dtype object"):
        model(np.zeros((2, 4), object))
    with pytest.raises(TypeError, match="unknown compile options: bogus"):
        optc_api.compile(mlp_model(), bogus=1)
    with pytest.raises(optc_api.CompileError, match="dimensions unknown at compile time"):
        optc_api.compile(mlp_model())
    with pytest.raises(optc_api.CompileError, match="not a valid ONNX model"):
        optc_api.compile(b"junk")
    with pytest.raises(optc_api.CompileError, match="--target=tpu is not available"):
        optc_api.compile(mlp_model(), target="tpu", input_shapes={"x": [2, 4]})
    with pytest.raises(optc_api.RunError, match="cannot open .*missing.so.: No such file"):
        optc_api.load(tmp_path / "missing.so")


def test_concurrent_runs_and_compiles(optc_api):
    model = optc_api.compile(conv_model())
    rng = np.random.default_rng(5)
    inputs = [rng.standard_normal((1, 3, 8, 8)).astype(np.float32) for _ in range(8)]
    expected = [model(x) for x in inputs]
    failures = []

    def run(i):
        for _ in range(20):
            got = model(inputs[i])
            if not all(np.array_equal(a, b) for a, b in zip(got, expected[i])):
                failures.append(i)

    def build():
        compiled = optc_api.compile(mlp_model(), input_shapes={"x": [1, 4]})
        if compiled.outputs[0].shape != (1, 3):
            failures.append("compile")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


@pytest.mark.parametrize("name", ["mlp_b1", "layer_norm_128x768", "softmax_12x128x128",
                                  "elementwise_chain_1m"])
def test_benchmark_models_against_onnxruntime(optc_api, name):
    """Models of the benchmark set, compiled from ModelProtos."""
    import pathlib
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))
    try:
        import models
    finally:
        sys.path.pop(0)
    model = models.MODELS[name][0]()
    model.ir_version = min(model.ir_version, 8)
    compiled = optc_api.compile(model)
    rng = np.random.default_rng(6)
    feeds = {s.name: rng.standard_normal(s.shape).astype(s.dtype) for s in compiled.inputs}
    got = compiled(**feeds)
    got = got if isinstance(got, tuple) else (got,)
    for a, b in zip(got, reference(model, feeds)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("step", ["lower", "compile"])
def test_gil_released_while_compiling(optc_api, step):
    """Python code keeps running in another thread while the compiler works:
    the longest pause of a loop in the main thread stays far below the time
    the compiler ran (holding the GIL would pause the loop that long)."""
    import time
    spans = []

    def work():
        module = optc_api.import_onnx(conv_model())
        start = time.perf_counter()
        if step == "lower":
            module.lower(until="llvm")
        else:
            optc_api.compile(conv_model(), opt_level=3)
        spans.append(time.perf_counter() - start)

    thread = threading.Thread(target=work)
    thread.start()
    longest, last = 0.0, time.perf_counter()
    while thread.is_alive():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    thread.join()
    assert spans and spans[0] > 0.05, "the compiler ran too briefly to tell"
    assert longest < spans[0] / 2, (longest, spans[0])


def test_time_passes_and_fast_math_options(optc_api, capfd):
    # time_passes prints MLIR's timing report of every stage and pass to
    # stderr, as optc --time-passes does; fast_math is accepted and changes
    # nothing for a model without math functions.
    mlp = optc_api.compile(mlp_model(), input_shapes={"x": [2, 4]}, time_passes=True,
                           fast_math=True)
    report = capfd.readouterr().err
    assert "Execution time report" in report
    for stage in ("import", "stage 'graph'", "stage 'linalg'", "stage 'llvm'"):
        assert stage in report
    assert "OptcCPUExpandMath" in report
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(mlp(x), reference(mlp_model(), {"x": x})[0], rtol=1e-6)
    optc_api.compile(mlp_model(), input_shapes={"x": [2, 4]})
    assert "Execution time report" not in capfd.readouterr().err
