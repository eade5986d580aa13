"""The ONNX conformance runner (test/onnx/conformance.py) and its allow-list
of shape inputs (test/onnx/shape_inputs.py): statuses, failure kinds, the
expectation list, reports, and ONNX's comparison rules."""
import importlib.util
import json
import os
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
SUMMARIZE = ROOT / "scripts" / "summarize-results.py"

spec = importlib.util.spec_from_file_location("conformance", RUNNER)
conformance = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conformance)
shape_inputs = conformance.shape_inputs


def write_test(data, name, nodes, inputs, outputs, opset=21):
    """A node test as ONNX lays them out: model.onnx, test_data_set_0/*.pb.
    `inputs` and `outputs` are (name, array) pairs."""
    folder = data / name
    (folder / "test_data_set_0").mkdir(parents=True)
    info = helper.make_tensor_value_info
    dtype = helper.np_dtype_to_tensor_dtype
    graph = helper.make_graph(
        nodes, name,
        [info(n, dtype(v.dtype), list(v.shape)) for n, v in inputs],
        [info(n, dtype(v.dtype), list(v.shape)) for n, v in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, str(folder / "model.onnx"))
    for kind, values in (("input", inputs), ("output", outputs)):
        for i, (n, v) in enumerate(values):
            (folder / "test_data_set_0" / f"{kind}_{i}.pb").write_bytes(
                numpy_helper.from_array(v, n).SerializeToString())


def write_case(data, name, op, x, y, **attrs):
    write_test(data, name, [helper.make_node(op, ["x"], ["y"], **attrs)], [("x", x)], [("y", y)])


def new_data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / ".onnx-version").write_text(onnx.__version__)
    return data


X = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)


@pytest.fixture
def suite(tmp_path):
    """Four node tests: two correct, one whose expected output is wrong (the
    runner must notice), one with an op optc does not have."""
    data = new_data(tmp_path)
    write_case(data, "test_abs", "Abs", X, np.abs(X))
    write_case(data, "test_relu", "Relu", X, np.maximum(X, 0))
    wrong = np.negative(X)
    wrong[1, 2] += 0.5
    write_case(data, "test_neg_wrong", "Neg", X, wrong)
    write_case(data, "test_image_decoder", "ImageDecoder", X, X)
    return tmp_path


@pytest.fixture
def shapes(tmp_path):
    """Tests with inputs that decide shapes: a Reshape (its shape on the
    allow-list), a ConstantOfShape (its only input on it: the test folds),
    a Slice with two inputs on it, and an Abs (nothing on it)."""
    data = new_data(tmp_path)
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    shape = np.array([4, 3], np.int64)
    write_test(data, "test_reshape_input", [helper.make_node("Reshape", ["x", "shape"], ["y"])],
               [("x", x), ("shape", shape)], [("y", x.reshape(4, 3))])
    write_test(data, "test_constant_of_shape_input",
               [helper.make_node("ConstantOfShape", ["shape"], ["y"])],
               [("shape", shape)], [("y", np.zeros((4, 3), np.float32))])
    starts, ends = np.array([0, 1], np.int64), np.array([2, 4], np.int64)
    write_test(data, "test_slice_inputs",
               [helper.make_node("Slice", ["x", "starts", "ends"], ["y"])],
               [("x", x), ("starts", starts), ("ends", ends)], [("y", x[0:2, 1:4])])
    write_case(data, "test_abs", "Abs", X, np.abs(X))
    return tmp_path


def run(suite, optc, *args, expected=None):
    """Runs the runner on suite/data; `expected` is a list of expectation
    lines (`NAME STATUS`)."""
    cmd = [sys.executable, str(RUNNER), "--optc", str(optc), "--data", str(suite / "data"),
           "--report", str(suite / "report.json"), "--docs", str(suite / "conformance.md"),
           "--junit", str(suite / "junit.xml"), "--jobs", "2", *args]
    if expected is not None:
        (suite / "expected.txt").write_text("# comment\n" + "".join(f"{l}\n" for l in expected))
        cmd += ["--expected", str(suite / "expected.txt")]
    # Without the sanitizer runtime scripts/sanitize.sh preloads into Python
    # for the extension module: the runner loads none, and in the fake
    # compilers below it would turn a deadly signal into an exit status.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def report_tests(suite):
    return json.loads((suite / "report.json").read_text())["tests"]


def summarize(suite):
    r = subprocess.run([sys.executable, str(SUMMARIZE), f"onnx={suite / 'junit.xml'}=0"],
                       capture_output=True, text=True)
    return r.stdout.splitlines()


def test_statuses_reports_and_docs(suite, optc):
    r = run(suite, optc, "--update-docs",
            expected=["test_abs  passes", "test_image_decoder  fails"])
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    # Known failures are expected failures, never "skipped".
    assert lines[-1] == "2 passed, 0 failed, 0 skipped, 2 expected failures, 0 folded"
    # One status per test.
    for name in ("test_abs", "test_relu", "test_neg_wrong", "test_image_decoder"):
        assert sum(1 for l in lines if l.startswith("[") and f" {name}" in l) == 1
    assert any(l.endswith("] xfail test_image_decoder  [unsupported op] "
                          "node '' (#0, op ImageDecoder, domain ai.onnx, opset 21): "
                          "optc does not support this op") for l in lines), r.stdout
    assert "test_relu" in next(l for l in lines if "better than the expectation list" in l)

    report = json.loads((suite / "report.json").read_text())
    tests = report["tests"]
    assert tests["test_abs"]["status"] == "passes" and tests["test_abs"]["op"] == "Abs"
    assert tests["test_abs"]["fixed_inputs"] == []
    assert tests["test_neg_wrong"]["kind"] == "wrong result"
    assert "1 of 12 elements differ; at [1, 2]" in tests["test_neg_wrong"]["detail"]
    assert tests["test_image_decoder"]["kind"] == "unsupported op"
    assert report["totals"] == {"passed": 2, "failed": 0, "skipped": 0,
                                "expected_failures": 2, "folded": 0}
    assert report["figures"] == {"tests": 4, "backend_protocol": 2, "shape_specialised": 2,
                                 "folded": 0, "fails": 2}
    assert "seconds" not in json.dumps(report)

    # Expected failures are pytest-style xfails in JUnit terms, and
    # summarize-results.py counts them as such.
    junit = ET.parse(suite / "junit.xml").getroot()
    assert junit.get("tests") == "4" and junit.get("failures") == "0"
    skipped = junit.findall("testcase/skipped")
    assert len(skipped) == 2 and all(s.get("type") == "xfail" for s in skipped)
    assert all(s.get("message").startswith("expected failure: ") for s in skipped)
    assert summarize(suite)[-1] == "2 passed, 0 failed, 0 skipped, 2 expected failures"

    docs = (suite / "conformance.md").read_text()
    assert ("**2 of 4 (50.0%) pass under the ONNX backend protocol; 2 of 4 (50.0%) with "
            "shape inputs specialised; 0 fold to constants.**") in docs
    assert "| Neg | 1 | 0 | 0 | 0 | wrong result 1 |" in docs
    assert "### unsupported op (1)" in docs and "test_image_decoder" in docs


def test_without_a_list_every_failure_fails(suite, optc):
    r = run(suite, optc)
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1] == "2 passed, 2 failed, 0 skipped, 0 expected failures, 0 folded"
    assert ET.parse(suite / "junit.xml").getroot().get("failures") == "2"


def test_regression_fails_the_run(suite, optc):
    r = run(suite, optc, expected=["test_abs  passes", "test_neg_wrong  passes"])
    assert r.returncode == 1
    assert "test_neg_wrong" in r.stdout and "<< REGRESSION: listed as passes" in r.stdout
    junit = ET.parse(suite / "junit.xml").getroot()
    assert junit.get("failures") == "1"
    assert summarize(suite)[-1] == "2 passed, 1 failed, 0 skipped, 1 expected failures"


def test_filter_runs_a_subset_and_writes_no_docs(suite, optc):
    r = run(suite, optc, "--filter", "abs|relu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "2 passed, 0 failed, 0 skipped, 0 expected failures, 0 folded"
    assert not (suite / "conformance.md").exists()
    # Tracked files are written only on request, and only by a full run.
    r = run(suite, optc, "--filter", "abs|relu", "--update-docs")
    assert r.returncode == 2 and "--update-docs needs an unfiltered run" in r.stderr


def test_update_expected_records_statuses(suite, optc):
    (suite / "expected.txt").write_text("")
    r = run(suite, optc, "--update-expected", "--expected", str(suite / "expected.txt"))
    assert r.returncode == 0, r.stderr
    lines = [l for l in (suite / "expected.txt").read_text().splitlines()
             if not l.startswith("#")]
    assert lines == ["test_abs  passes", "test_image_decoder  fails",
                     "test_neg_wrong  fails", "test_relu  passes"]


def test_a_crashing_compiler_is_a_crash_and_fails(suite, tmp_path):
    fake = tmp_path / "optc"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(0o755)
    r = run(suite, fake, "--filter", "abs", expected=["test_abs  fails"])
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
    r = run(suite, optc, expected=["test_does_not_exist  passes"])
    assert r.returncode == 2 and "do not exist" in r.stderr
    r = run(suite, optc, expected=["test_abs"])
    assert r.returncode == 2 and "expected `NAME STATUS`" in r.stderr
    r = run(suite, optc, expected=["test_abs  shape-specialised"])
    assert r.returncode == 2 and "names its fixed inputs" in r.stderr


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


# --- The allow-list ----------------------------------------------------------

def test_allow_list_names_inputs_of_the_schemas(monkeypatch):
    assert shape_inputs.check() == []
    # A typo fails: an input no version of the op has, an op that does not exist.
    monkeypatch.setitem(shape_inputs.SHAPE_INPUTS, ("", "Reshape"), ("shape", "shapes"))
    monkeypatch.setitem(shape_inputs.SHAPE_INPUTS, ("", "Reshap"), ("shape",))
    problems = shape_inputs.check()
    assert any(p.startswith("ai.onnx.Reshape: no input 'shapes'") for p in problems)
    assert "ai.onnx.Reshap: no such op" in problems
    r = subprocess.run([sys.executable, str(RUNNER.parent / "shape_inputs.py")])
    assert r.returncode == 0


def model_of(nodes, inputs, opset=21):
    """A model whose inputs are float or int64 tensors of unknown shape."""
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, TensorProto.INT64 if n != "x" else TensorProto.FLOAT,
                                       None) for n in inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_fixable_inputs_follow_the_graph():
    node = helper.make_node
    # Directly, and by position in the op's schema for the model's opset.
    assert shape_inputs.fixable_inputs(model_of([node("Reshape", ["x", "s"], ["y"])],
                                                ["x", "s"])) == ["s"]
    assert shape_inputs.fixable_inputs(model_of([node("Split", ["x", "s"], ["y"])],
                                                ["x", "s"])) == ["s"]
    # Before opset 13, Split's second input did not exist (split was an attribute).
    assert shape_inputs.fixable_inputs(model_of([node("Split", ["x", "s"], ["y"])],
                                                ["x", "s"], opset=11)) == []
    # Through shape arithmetic (Cast, Concat, Add), not through Shape.
    nodes = [node("Cast", ["a"], ["a64"], to=TensorProto.INT64),
             node("Shape", ["x"], ["xs"]),
             node("Add", ["b", "xs"], ["b2"]),
             node("Concat", ["a64", "b2"], ["s"], axis=0),
             node("Reshape", ["x", "s"], ["y"])]
    assert shape_inputs.fixable_inputs(model_of(nodes, ["x", "a", "b"])) == ["a", "b"]
    # Data inputs are never fixable, whatever feeds what.
    assert shape_inputs.fixable_inputs(model_of([node("Abs", ["x"], ["y"])], ["x"])) == []
    # Through a subgraph: a Loop body's Reshape whose shape is an outer input,
    # and a body input bound to the Loop's inputs.
    body = helper.make_graph(
        [node("Reshape", ["v", "outer"], ["r"]), node("Identity", ["c"], ["c2"]),
         node("Unsqueeze", ["v", "carried"], ["v2"])], "body",
        [helper.make_tensor_value_info(n, TensorProto.INT64, None) for n in ("i", "c", "carried")],
        [helper.make_tensor_value_info(n, TensorProto.INT64, None) for n in ("c2", "carried", "r")])
    loop = node("Loop", ["m", "", "axes"], ["last", "y"], body=body)
    assert shape_inputs.fixable_inputs(model_of([loop], ["x", "m", "outer", "axes", "v"])) \
        == ["axes", "m", "outer"]


def test_only_allow_listed_inputs_are_fixed(shapes, tmp_path):
    """optc's error names inputs to fix; the runner does not listen. A fake
    optc that always asks for every input gets only the allow-listed ones."""
    log = tmp_path / "optc.log"
    fake = tmp_path / "optc"
    fake.write_text("#!/bin/sh\n"
                    f"echo \"$@\" >> {log}\n"
                    "echo \"error: output 'y' has dimensions unknown at compile time: 0; they "
                    "depend on the values of inputs 'x', 'shape': fix them with --input-value "
                    "x=FILE --input-value shape=FILE\" >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    r = run(shapes, fake, "--filter", "reshape|abs",
            expected=["test_abs  fails", "test_reshape_input  fails"])
    assert r.returncode == 0, r.stdout + r.stderr
    calls = log.read_text().splitlines()
    assert not any("--input-value x=" in c for c in calls)
    assert any("--input-value shape=" in c for c in calls)
    tests = report_tests(shapes)
    assert tests["test_abs"]["fixed_inputs"] == []
    assert tests["test_reshape_input"]["fixed_inputs"] == ["shape"]
    assert tests["test_reshape_input"]["kind"] == "dynamic shape"
    assert r.stdout.splitlines()[-1] == "0 passed, 0 failed, 0 skipped, 2 expected failures, 0 folded"


def test_shape_inputs_are_specialised_and_folds_reported(shapes, optc):
    """A Reshape's shape is fixed (shape-specialised), a ConstantOfShape
    whose only input is fixed is folded, not passed, and the three figures
    say so."""
    r = run(shapes, optc, "--update-docs",
            expected=["test_abs  passes", "test_constant_of_shape_input  folded",
                      "test_reshape_input  shape-specialised: shape",
                      "test_slice_inputs  shape-specialised: ends, starts"])
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "spec  test_reshape_input  (fixed: shape)" in r.stdout
    assert "fold  test_constant_of_shape_input  (fixed: shape)" in r.stdout
    assert any(l.startswith("1 of 4 (25.0%) pass under the ONNX backend protocol; 3 of 4 "
                            "(75.0%) with shape inputs specialised; 1 fold to constants (")
               for l in lines), r.stdout
    assert lines[-1] == "3 passed, 0 failed, 0 skipped, 0 expected failures, 1 folded"
    tests = report_tests(shapes)
    assert tests["test_reshape_input"]["status"] == "shape-specialised"
    assert tests["test_reshape_input"]["fixed_inputs"] == ["shape"]
    assert tests["test_reshape_input"]["backend_failure"].startswith("dynamic shape: ")
    assert tests["test_constant_of_shape_input"]["status"] == "folded"
    assert tests["test_slice_inputs"]["fixed_inputs"] == ["ends", "starts"]
    junit = ET.parse(shapes / "junit.xml").getroot()
    assert summarize(shapes)[0].strip() == \
        "onnx     4 passed (1 folded), 0 failed, 0 skipped, 0 expected failures"
    assert junit.get("failures") == "0"
    docs = (shapes / "conformance.md").read_text()
    assert "## Passes with shape inputs specialised (2)" in docs
    assert "| test_reshape_input | Reshape | shape | dynamic shape |" in docs
    assert "## Folded (1)" in docs
    assert "| test_constant_of_shape_input | ConstantOfShape | shape | dynamic shape |" in docs


@pytest.mark.parametrize("listed, complaint", [
    ("passes", "listed as passes, now passes with ends, starts fixed"),
    ("shape-specialised: starts", "needs ends fixed too (listed: starts)"),
])
def test_more_fixed_inputs_is_a_regression(shapes, optc, listed, complaint):
    r = run(shapes, optc, "--filter", "slice", expected=[f"test_slice_inputs  {listed}"])
    assert r.returncode == 1
    assert f"<< REGRESSION: {complaint}" in r.stdout
    assert r.stdout.splitlines()[-1] == "0 passed, 1 failed, 0 skipped, 0 expected failures, 0 folded"


def test_fewer_fixed_inputs_is_reported(shapes, optc):
    r = run(shapes, optc, "--filter", "reshape|constant",
            expected=["test_reshape_input  folded", "test_constant_of_shape_input  fails"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(better than listed: listed as folded, now passes with shape fixed)" in r.stdout
    assert "tighten it with --update-expected" in r.stdout


def test_reports_are_the_same_run_to_run(shapes, optc):
    """Also where optc's output changes from run to run: a Bernoulli without
    a seed draws differently every time."""
    p = np.full(64, 0.5, np.float32)
    draws = (np.arange(64) % 2).astype(np.float32)
    write_test(shapes / "data", "test_bernoulli_unseeded",
               [helper.make_node("Bernoulli", ["x"], ["y"])], [("x", p)], [("y", draws)])
    copies = []
    for _ in range(2):
        r = run(shapes, optc, "--update-docs", expected=["test_bernoulli_unseeded  fails"])
        assert r.returncode == 0, r.stdout + r.stderr
        copies.append(((shapes / "report.json").read_bytes(),
                       (shapes / "conformance.md").read_bytes()))
    assert copies[0] == copies[1]
    assert report_tests(shapes)["test_bernoulli_unseeded"]["detail"] == \
        "output 'y': differs from the expected output (random draws without a seed, " \
        "which differ from run to run)"
    assert b"/tmp" not in copies[0][0] and str(shapes).encode() not in copies[0][0]
