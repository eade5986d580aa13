"""The Python lowering API (optc package): importing models, lowering them
stage by stage, running pass pipelines, errors as exceptions, threads."""
import threading

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper


def mlp_model():
    w = numpy_helper.from_array(np.ones((4, 3), np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]),
             helper.make_node("Relu", ["h"], ["y"])]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


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
