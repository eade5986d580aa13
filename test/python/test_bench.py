"""A smoke run of the benchmark harness: it builds a model, compiles and
runs it with both runtimes, prints its table and writes its JSON. Speed is
not checked here (benchmarks are not timed tests)."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_bench_harness_runs(optc, tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--optc", str(optc),
         "--quick", "--models", "mlp_b1,matmul_1024", "--threads", "1",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ort/optc" in result.stdout
    assert "geomean ort/optc at 1 thread(s)" in result.stdout
    report = json.loads(next(tmp_path.glob("bench-*.json")).read_text())
    rows = {row["model"]: row for row in report["rows"]}
    assert rows["mlp_b1"]["agree"] and rows["matmul_1024"]["agree"]
    assert rows["matmul_1024"]["gflops"] > 0


def test_bench_rejects_unknown_models(optc, tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--optc", str(optc),
         "--models", "no_such_model", "--out", str(tmp_path)],
        capture_output=True, text=True)
    assert result.returncode != 0
    assert "unknown model(s) no_such_model" in result.stderr
