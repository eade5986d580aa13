#!/usr/bin/env python3
"""Runs ONNX node tests through the CPU backend: for each test directory,
`optc run model.onnx` on every test_data_set_* (inputs as .pb), outputs
compared with the expected .pb at ONNX's tolerances (rtol 1e-3, atol 1e-7).

A development sweep until issue 7's conformance runner: prints one status
per test with --verbose, and a summary by failure kind.

usage: cpu_sweep.py OPTC NODE_TEST_DIR [--filter REGEX] [--jobs N] [--verbose]
"""
import argparse
import concurrent.futures
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def run_test(optc, test_dir):
    model = test_dir / "model.onnx"
    if not model.exists():
        return "no model", ""
    proto = onnx.load(str(model), load_external_data=False)
    inputs = [i.name for i in proto.graph.input
              if i.name not in {t.name for t in proto.graph.initializer}]
    outputs = [o.name for o in proto.graph.output]
    with tempfile.TemporaryDirectory() as tmp:
        lib = pathlib.Path(tmp) / "m.so"
        shapes = []
        datasets = sorted(test_dir.glob("test_data_set_*"))
        if not datasets:
            return "no data", ""
        # Pin input shapes from the first data set.
        first = datasets[0]
        for i, name in enumerate(inputs):
            pb = first / f"input_{i}.pb"
            if pb.exists():
                t = onnx.TensorProto()
                t.ParseFromString(pb.read_bytes())
                dims = "x".join(str(d) for d in t.dims) if t.dims else ""
                if dims:
                    shapes += ["--input-shape", f"{name}={dims}"]
        try:
            c = subprocess.run([optc, str(model), "-o", str(lib)] + shapes,
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return "compile timeout", ""
        if c.returncode != 0:
            kind = "crash" if c.returncode < 0 else "compile error"
            msg = c.stderr.strip().splitlines()
            first_error = next((l for l in msg if "error" in l), msg[0] if msg else "")
            return kind, first_error[:200]
        for ds in datasets:
            args = [optc, "run", str(lib), "--output-dir", str(pathlib.Path(tmp) / "out")]
            for i, name in enumerate(inputs):
                args += ["--input", f"{name}={ds / f'input_{i}.pb'}"]
            try:
                r = subprocess.run(args, capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired:
                return "run timeout", ""
            if r.returncode != 0:
                kind = "crash" if r.returncode < 0 else "runtime error"
                return kind, r.stderr.strip()[:200]
            for i, name in enumerate(outputs):
                want = numpy_helper.to_array(onnx.load_tensor(str(ds / f"output_{i}.pb")))
                safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
                if not safe or safe[0] == ".":
                    safe = "output" + safe
                got = np.load(pathlib.Path(tmp) / "out" / f"{safe}.npy")
                if got.dtype.kind == "V":  # bfloat16 has no numpy code
                    got = got.view(want.dtype)
                if got.shape != want.shape:
                    return "wrong result", f"{name}: shape {got.shape} vs {want.shape}"
                # ml_dtypes floats (bfloat16, float8_*) have kind "V".
                if want.dtype.kind in "fc" or "float" in want.dtype.name:
                    ok = np.allclose(got.astype(np.float64), want.astype(np.float64),
                                     rtol=1e-3, atol=1e-7, equal_nan=True)
                else:
                    ok = np.array_equal(got, want)
                if not ok:
                    return "wrong result", f"{name}: max diff {np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))}"
    return "pass", ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("optc")
    parser.add_argument("node_dir")
    parser.add_argument("--filter", default="")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    tests = sorted(p for p in pathlib.Path(args.node_dir).iterdir()
                   if p.is_dir() and re.search(args.filter, p.name))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        def guarded(test):
            try:
                return run_test(args.optc, test)
            except Exception as error:  # a harness problem, reported as such
                return "harness error", str(error)[:200]
        for test, (status, detail) in zip(tests, pool.map(guarded, tests)):
            results[test.name] = (status, detail)
            if args.verbose:
                print(f"{status:15} {test.name} {detail}", flush=True)
    kinds = {}
    for status, _ in results.values():
        kinds[status] = kinds.get(status, 0) + 1
    passed = kinds.get("pass", 0)
    print(", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    print(f"{passed} of {len(results)} node tests pass on the CPU "
          f"({100.0 * passed / max(len(results), 1):.1f}%)")


if __name__ == "__main__":
    sys.exit(main())
