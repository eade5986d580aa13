"""optc.quantization_report: a model compiled in f32 and with a
--quantize policy, run on the same seeded inputs; per output the largest
and mean relative error and, for [batch, classes] outputs, the top-1
agreement."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper


def classifier(batch=16, features=64, hidden=96, classes=10):
    rng = np.random.default_rng(4)
    w1 = (rng.standard_normal((features, hidden)) / 8).astype(np.float32)
    w2 = (rng.standard_normal((hidden, classes)) / 8).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]),
             helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "w2"], ["logits"]),
             helper.make_node("ReduceMax", ["logits"], ["peak"], keepdims=0)]
    graph = helper.make_graph(
        nodes, "classifier",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, features])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, classes]),
         helper.make_tensor_value_info("peak", TensorProto.FLOAT, [])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             ir_version=8)


def test_report_rows_and_table(optc_api):
    report = optc_api.quantization_report(classifier(), "int8", runs=3, seed=1)
    assert [row.name for row in report.rows] == ["logits", "peak"]
    logits, peak = report.rows
    assert 0 < logits.mean_relative <= logits.max_relative < 0.05
    assert logits.top1_agreement is not None and logits.top1_agreement >= 0.9
    assert peak.top1_agreement is None  # a scalar is not a classifier's output
    text = str(report)
    assert "--quantize=int8 against f32, 3 seeded run(s)" in text
    assert "| logits" in text and "%" in text


def test_fewer_bits_cost_more(optc_api):
    eight = optc_api.quantization_report(classifier(), "int8").rows[0]
    two = optc_api.quantization_report(classifier(), "int2-g32").rows[0]
    assert two.mean_relative > 4 * eight.mean_relative
    assert two.max_relative > eight.max_relative


def test_given_inputs_are_used_once(optc_api):
    x = np.random.default_rng(2).standard_normal((16, 64)).astype(np.float32)
    report = optc_api.quantization_report(classifier(), "mxfp4", inputs={"x": x})
    assert report.runs == 1
    again = optc_api.quantization_report(classifier(), "mxfp4", inputs={"x": x})
    assert report.rows == again.rows


def test_bad_policies(optc_api):
    with pytest.raises(ValueError, match="needs a policy"):
        optc_api.quantization_report(classifier(), "")
    with pytest.raises(optc_api.CompileError, match="int9"):
        optc_api.quantization_report(classifier(), "int9")
    with pytest.raises(TypeError, match="second argument"):
        optc_api.quantization_report(classifier(), "int8", quantize="int4")
