"""End-to-end tests of the ONNX importer through the optc command.

- Every ONNX backend node test model of the pinned onnx package is imported;
  none may crash or hang, and the number that import may not fall below the
  recorded baseline (test/onnx/import-baseline.txt; raise it as it grows).
- A corpus of malformed models must each give its specific diagnostic, exit
  status 1 and no output file.
"""
import pathlib
import json
import re
import subprocess
import sys

import onnx
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

ONNX_TESTS = ROOT / "test" / "onnx"


@pytest.fixture(scope="session")
def node_tests(build_dir):
    folder = build_dir / "onnx-node-tests"
    stamp = folder / ".onnx-version"
    if not stamp.exists() or stamp.read_text() != onnx.__version__:
        subprocess.run([sys.executable, ONNX_TESTS / "gen_node_tests.py", folder], check=True,
                       capture_output=True)
        stamp.write_text(onnx.__version__)
    return folder


def test_node_tests_import_without_crashes(optc, node_tests, build_dir):
    report = build_dir / "test-results" / "import-sweep.json"
    report.parent.mkdir(exist_ok=True)
    r = subprocess.run([sys.executable, ONNX_TESTS / "import_sweep.py", optc, node_tests,
                        "--json", report], capture_output=True, text=True, timeout=1200)
    summary = r.stdout.strip().splitlines()[-1]
    print(r.stdout)
    assert r.returncode == 0, f"crashes or timeouts:\n{r.stdout[-3000:]}\n{r.stderr[-2000:]}"
    imported = int(re.match(r"(\d+) of (\d+)", summary).group(1))
    baseline = int((ONNX_TESTS / "import-baseline.txt").read_text())
    assert imported >= baseline, f"{summary}; the baseline is {baseline}"


@pytest.fixture(scope="session")
def malformed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("malformed")
    subprocess.run([sys.executable, ONNX_TESTS / "make_malformed.py", folder], check=True,
                   capture_output=True)
    return folder


def test_malformed_models_get_their_diagnostic(optc, malformed):
    expected = json.loads((malformed / "expected.json").read_text())
    assert len(expected) >= 25
    problems = []
    for name, message in expected.items():
        out = malformed / f"{name}.mlir"
        r = subprocess.run([optc, malformed / f"{name}.onnx", "-o", out], capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 1 or message not in r.stderr or "error:" not in r.stderr:
            problems.append(f"{name}: exit {r.returncode}, expected '{message}', got: {r.stderr[-400:]}")
        if out.exists():
            problems.append(f"{name}: an output file was written")
        if "Stack dump" in r.stderr or "PLEASE submit" in r.stderr:
            problems.append(f"{name}: crashed")
    assert not problems, "\n".join(problems)


def test_external_data_is_read(optc, malformed, tmp_path):
    model = malformed / "external_ok.onnx"
    model.write_bytes((malformed / "external_ok.model").read_bytes())
    r = subprocess.run([optc, model], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "1.500000e+01]]> : tensor<4x4xf32>" in r.stdout


def test_op_stats(optc, node_tests):
    r = subprocess.run([optc, node_tests / "test_gemm_default_scalar_bias" / "model.onnx", "--op-stats"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^Gemm\s+ai\.onnx\s+\d+\s+1\s+yes$", r.stdout, re.M), r.stdout
    assert "all supported" in r.stdout
    r = subprocess.run([optc, node_tests / "test_string_concat" / "model.onnx", "--op-stats"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^StringConcat\s+ai\.onnx\s+\d+\s+1\s+no$", r.stdout, re.M), r.stdout
    assert "unsupported: StringConcat (1 nodes)" in r.stdout


def test_input_shape_pins_symbolic_dims(optc, tmp_path):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["X"], ["Y"])], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["batch", 3])])
    model = tmp_path / "m.onnx"
    model.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    r = subprocess.run([optc, model], capture_output=True, text=True)
    assert 'tensor<?x3xf32> {optc.dim_names = ["batch", ""], optc.name = "X"}' in r.stdout, r.stdout
    r = subprocess.run([optc, model, "--input-shape", "X=8x3"], capture_output=True, text=True)
    assert "tensor<8x3xf32> {optc.name = \"X\"}" in r.stdout, r.stdout
    r = subprocess.run([optc, model, "--input-shape", "X=8x4"], capture_output=True, text=True)
    assert r.returncode == 1 and "sets dimension 1 to 4 but the model fixes it to 3" in r.stderr, r.stderr
    r = subprocess.run([optc, model, "--input-shape", "Q=8x3"], capture_output=True, text=True)
    assert r.returncode == 1 and "'Q', which is not an input of the model (inputs: X)" in r.stderr, r.stderr
    r = subprocess.run([optc, model, "--input-shape", "X8x3"], capture_output=True, text=True)
    assert r.returncode == 1 and "expects NAME=DIMS" in r.stderr, r.stderr


def test_input_value_fixes_inputs_that_decide_shapes(optc, tmp_path):
    """A Reshape whose shape is an input compiles once --input-value fixes
    that input: it becomes a constant and leaves the library's inputs."""
    import numpy as np
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Reshape", ["X", "shape"], ["Y"])], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 6]),
         helper.make_tensor_value_info("shape", TensorProto.INT64, [3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    model = tmp_path / "m.onnx"
    model.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    lib = tmp_path / "m.so"
    r = subprocess.run([optc, model, "-o", lib], capture_output=True, text=True)
    assert r.returncode == 1
    assert ("output 'Y' has dimensions unknown at compile time: 0, 1, 2; they depend on the "
            "value of input 'shape': fix it with --input-value shape=FILE") in r.stderr, r.stderr

    np.save(tmp_path / "shape.npy", np.array([3, -1, 2], dtype=np.int64))
    r = subprocess.run([optc, model, "-o", lib, "--input-value", f"shape={tmp_path / 'shape.npy'}"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([optc, "run", lib, "--input", f"X={tmp_path / 'x.npy'}",
                        "--output-dir", tmp_path / "out"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "1 input, 1 output" in r.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "out" / "Y.npy"), x.reshape(3, 2, 2))

    def error(*flags):
        r = subprocess.run([optc, model, "-o", tmp_path / "bad.so", *flags],
                           capture_output=True, text=True)
        assert r.returncode == 1 and not (tmp_path / "bad.so").exists()
        return r.stderr

    np.save(tmp_path / "i32.npy", np.array([3, -1, 2], dtype=np.int32))
    assert "--input-value shape: the value is INT32 but the model declares INT64" in \
        error("--input-value", f"shape={tmp_path / 'i32.npy'}")
    np.save(tmp_path / "long.npy", np.array([3, -1, 2, 1], dtype=np.int64))
    assert "--input-value shape: the value has shape [4] but the model declares [3]" in \
        error("--input-value", f"shape={tmp_path / 'long.npy'}")
    assert "--input-value names 'Q', which is not an input of the model (inputs: X, shape)" in \
        error("--input-value", f"Q={tmp_path / 'shape.npy'}")
    assert "input 'shape' has both --input-shape and --input-value" in \
        error("--input-value", f"shape={tmp_path / 'shape.npy'}", "--input-shape", "shape=3")
    assert "--input-value expects NAME=FILE" in error("--input-value", "shape")
    assert "--input-value shape: " in error("--input-value", f"shape={tmp_path / 'missing.npy'}")


def test_folded_node_tests_match_reference(optc, optc_opt, node_tests, build_dir):
    """The importer's decompositions compute the reference's numbers: the
    listed node tests fold to constants and agree with their outputs."""
    listed = ONNX_TESTS / "fold-check-tests.txt"
    expected = [l for l in listed.read_text().splitlines() if l and not l.startswith("#")]
    report = build_dir / "test-results" / "fold-check.json"
    report.parent.mkdir(exist_ok=True)
    r = subprocess.run([sys.executable, ONNX_TESTS / "fold_check.py", optc, optc_opt,
                        node_tests, "--list", listed, "--json", report],
                       capture_output=True, text=True, timeout=1800)
    print(r.stdout[-3000:])
    assert r.returncode == 0, f"{r.stdout[-3000:]}\n{r.stderr[-2000:]}"
    results = json.loads(report.read_text())["results"]
    unfolded = [n for n in expected if results[n]["result"] != "match"]
    assert not unfolded, f"no longer fold and match: {unfolded[:20]}"
