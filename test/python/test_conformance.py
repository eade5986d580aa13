"""The ONNX conformance runner (test/onnx/conformance.py): statuses, failure
kinds, the expectation list, reports, and ONNX's comparison rules."""
import importlib.util
import json
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNNER = ROOT / "test" / "onnx" / "conformance.py"

spec = importlib.util.spec_from_file_location("conformance", RUNNER)
conformance = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conformance)


def write_case(data, name, op, x, y, **attrs):
    """A node test as ONNX lays them out: model.onnx, test_data_set_0/*.pb."""
    folder = data / name
    (folder / "test_data_set_0").mkdir(parents=True)
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(y.shape))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    onnx.save(model, str(folder / "model.onnx"))
    for kind, value in (("input", x), ("output", y)):
        tensor = numpy_helper.from_array(value, "x" if kind == "input" else "y")
        (folder / "test_data_set_0" / f"{kind}_0.pb").write_bytes(tensor.SerializeToString())


@pytest.fixture
def suite(tmp_path):
    """Four node tests: two correct, one whose expected output is wrong (the
    runner must notice), one with an op optc does not have."""
    data = tmp_path / "data"
    data.mkdir()
    (data / ".onnx-version").write_text(onnx.__version__)
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    write_case(data, "test_abs", "Abs", x, np.abs(x))
    write_case(data, "test_relu", "Relu", x, np.maximum(x, 0))
    wrong = np.negative(x)
    wrong[1, 2] += 0.5
    write_case(data, "test_neg_wrong", "Neg", x, wrong)
    write_case(data, "test_image_decoder", "ImageDecoder", x, x)
    return tmp_path


def run(suite, optc, *args, expected=None):
    cmd = [sys.executable, str(RUNNER), "--optc", str(optc), "--data", str(suite / "data"),
           "--report", str(suite / "report.json"), "--docs", str(suite / "conformance.md"),
           "--junit", str(suite / "junit.xml"), "--jobs", "2", *args]
    if expected is not None:
        (suite / "expected.txt").write_text("# comment\n" + "".join(f"{n}\n" for n in expected))
        cmd += ["--expected", str(suite / "expected.txt")]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_statuses_reports_and_docs(suite, optc):
    r = run(suite, optc, expected=["test_abs"])
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[-1] == "2 passed, 2 failed, 0 skipped"
    # One status per test.
    for name in ("test_abs", "test_relu", "test_neg_wrong", "test_image_decoder"):
        assert sum(1 for l in lines if l.startswith("[") and f" {name}" in l) == 1
    assert "test_relu" in next(l for l in lines if "expectation list does not name" in l)

    report = json.loads((suite / "report.json").read_text())
    tests = report["tests"]
    assert tests["test_abs"]["status"] == "pass" and tests["test_abs"]["op"] == "Abs"
    assert tests["test_neg_wrong"]["kind"] == "wrong result"
    assert "1 of 12 elements differ; at [1, 2]" in tests["test_neg_wrong"]["detail"]
    assert tests["test_image_decoder"]["kind"] == "unsupported op"
    assert report["totals"] == {"passed": 2, "failed": 2, "skipped": 0}

    # Known failures are skipped in JUnit terms; nothing is a failure.
    junit = ET.parse(suite / "junit.xml").getroot()
    assert junit.get("tests") == "4" and junit.get("failures") == "0"
    assert junit.get("skipped") == "2"

    docs = (suite / "conformance.md").read_text()
    assert "**2 of 4 pass (50.0%)**" in docs
    assert "| Neg | 1 | 0 | wrong result 1 |" in docs
    assert "### unsupported op (1)" in docs and "test_image_decoder" in docs


def test_regression_fails_the_run(suite, optc):
    r = run(suite, optc, expected=["test_abs", "test_neg_wrong"])
    assert r.returncode == 1
    assert "test_neg_wrong" in r.stdout and "<< REGRESSION" in r.stdout
    junit = ET.parse(suite / "junit.xml").getroot()
    assert junit.get("failures") == "1"


def test_filter_runs_a_subset_and_leaves_docs_alone(suite, optc):
    r = run(suite, optc, "--filter", "abs|relu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "2 passed, 0 failed, 0 skipped"
    assert not (suite / "conformance.md").exists()


def test_update_expected_lists_the_passes(suite, optc):
    (suite / "expected.txt").write_text("")
    r = run(suite, optc, "--update-expected", "--expected", str(suite / "expected.txt"))
    assert r.returncode == 0, r.stderr
    names = [l for l in (suite / "expected.txt").read_text().splitlines() if not l.startswith("#")]
    assert names == ["test_abs", "test_relu"]


def test_a_crashing_compiler_is_a_crash_and_fails(suite, tmp_path):
    fake = tmp_path / "optc"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(0o755)
    r = run(suite, fake, "--filter", "abs")
    assert r.returncode == 1
    report = json.loads((suite / "report.json").read_text())
    assert report["tests"]["test_abs"]["kind"] == "crash"
    assert "SIGSEGV" in report["tests"]["test_abs"]["detail"]


def test_bad_flags(suite, optc, tmp_path):
    r = run(suite, optc, "--filter", "(")
    assert r.returncode == 2 and "--filter" in r.stderr
    r = run(suite, tmp_path / "no-such-optc")
    assert r.returncode == 2 and "not an executable" in r.stderr
    r = run(suite, optc, "--filter", "nothing-matches")
    assert r.returncode == 2 and "no test matches" in r.stderr
    r = run(suite, optc, expected=["test_does_not_exist"])
    assert r.returncode == 2 and "do not exist" in r.stderr


def fails(got, want, rtol=1e-3, atol=1e-7):
    try:
        conformance.compare("y", got, want, rtol, atol)
    except conformance.Failure as failure:
        return failure.detail
    return None


def test_compare_follows_onnx_rules():
    want = np.array([1.0, 2.0, np.nan], dtype=np.float32)
    assert fails(want.copy(), want) is None  # NaN equals NaN
    assert fails(want * (1 + 5e-4), want) is None  # within rtol
    assert "elements differ" in fails(want * (1 + 2e-3), want)
    assert "shape [1, 3]" in fails(want.reshape(1, 3), want)
    assert "dtype float64" in fails(want.astype(np.float64), want)
    # Integers are exact, however large.
    big = np.array([10**9], dtype=np.int64)
    assert "elements differ" in fails(big + 1, big)
    # bfloat16 gets two ULPs, as ONNX's runner gives it; and a bfloat16 that
    # was saved as raw 2-byte records is viewed as bfloat16.
    b = np.array([1.0, 3.0], dtype=ml_dtypes.bfloat16)
    assert fails(np.array([1.0078125, 3.0], dtype=ml_dtypes.bfloat16), b) is None
    assert fails(b.view("V2"), b) is None
    assert "elements differ" in fails(np.array([1.03125, 3.0], dtype=ml_dtypes.bfloat16), b)
    strings = np.array(["a", "b"], dtype=object)
    assert "elements differ" in fails(np.array(["a", "c"], dtype=object), strings)


def test_inputs_that_decide_shapes_are_fixed(tmp_path, optc):
    """A Reshape whose shape is an input: optc names it, the runner compiles
    with it fixed (--input-value), and the report says so."""
    data = tmp_path / "data"
    folder = data / "test_reshape_input"
    (folder / "test_data_set_0").mkdir(parents=True)
    (data / ".onnx-version").write_text(onnx.__version__)
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6]),
         helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)]),
              str(folder / "model.onnx"))
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    for name, value in (("input_0", x), ("input_1", np.array([4, 3], np.int64)),
                        ("output_0", x.reshape(4, 3))):
        (folder / "test_data_set_0" / f"{name}.pb").write_bytes(
            numpy_helper.from_array(value).SerializeToString())
    r = run(tmp_path, optc)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pass  test_reshape_input  (fixed: shape)" in r.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["tests"]["test_reshape_input"]["fixed_inputs"] == ["shape"]
    docs = (tmp_path / "conformance.md").read_text()
    assert "1 of the passes have outputs whose shapes depend on input values" in docs
    assert "| test_reshape_input | Reshape | shape |" in docs
