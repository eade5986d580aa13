#!/usr/bin/env python3
"""Checks the numbers of imported ONNX node tests by constant folding.

Usage: fold_check.py OPTC OPTC_OPT NODE_TEST_DIR [TEST ...]
                     [--list FILE] [--jobs N] [--json FILE] [--verbose]

Until the compiler runs models, this is how the importer's decompositions
are checked against the ONNX reference outputs: each test's inputs
(test_data_set_0) become initializers, optc imports the model with every
constant inline, and optc-opt canonicalises and infers shapes until the
results are constants, which are compared with the expected outputs
(rtol 1e-3, 1e-2 for 16-bit and narrower floats; atol 1e-4; NaN equal to
NaN). A result is:

  match      every output folded and agrees
  differ     an output folded to other numbers (a bug)
  unfolded   some op has no constant folder (float math, convolutions...)
  error      import or canonicalisation failed

Exits 1 when any test differs or errors.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np
import onnx
from onnx import numpy_helper

PIPELINE = "builtin.module(" + ",".join(["canonicalize", "optc-infer-shapes"] * 8 +
                                        ["canonicalize"]) + ")"


def model_with_constant_inputs(folder):
    model = onnx.load(os.path.join(folder, "model.onnx"))
    data = os.path.join(folder, "test_data_set_0")
    inputs = [numpy_helper.to_array(onnx.load_tensor(f))
              for f in sorted(glob.glob(os.path.join(data, "input_*.pb")))]
    outputs = [numpy_helper.to_array(onnx.load_tensor(f))
               for f in sorted(glob.glob(os.path.join(data, "output_*.pb")))]
    graph = model.graph
    if len(inputs) != len(graph.input):
        return None, None
    for info, value in zip(graph.input, inputs):
        graph.initializer.append(numpy_helper.from_array(value, info.name))
    del graph.input[:]
    return model, outputs


def parse_number(token, dtype):
    if token in ("true", "false"):
        return float(token == "true")
    if token.startswith("0x"):
        # Hex is how MLIR prints NaN, infinities and some narrow floats.
        bits = int(token, 16)
        width = dtype.itemsize
        raw = np.array([bits], dtype={1: np.uint8, 2: np.uint16, 4: np.uint32,
                                      8: np.uint64}[width])
        return float(raw.view(dtype)[0].astype(np.float64))
    return float(token)


def folded_results(text):
    """The constants the function returns, as (data, type) strings, or None
    when some returned value is not a constant."""
    ret = re.search(r'"func.return"\((.*?)\)', text)
    if not ret:
        return None
    results = []
    for name in [v.strip() for v in ret.group(1).split(",") if v.strip()]:
        m = re.search(re.escape(name) +
                      r' = "optc.constant"\(\) <\{value = dense<(.*?)> : tensor<([^>]*)>\}>',
                      text, re.S)
        if not m:
            return None
        results.append(m.group(1))
    return results


def check(optc, opt, folder):
    name = os.path.basename(folder)
    model, expected = model_with_constant_inputs(folder)
    if model is None:
        return name, "error", "inputs and test data disagree"
    with tempfile.NamedTemporaryFile(suffix=".onnx") as f:
        onnx.save(model, f.name)
        imported = subprocess.run([optc, f.name, "--emit=mlir",
                                   "--inline-constant-bytes=1000000000"],
                                  capture_output=True, text=True, timeout=120)
    if imported.returncode:
        return name, "error", imported.stderr.strip()[-300:]
    folded = subprocess.run([opt, "--pass-pipeline=" + PIPELINE, "--mlir-print-op-generic",
                             "--mlir-print-elementsattrs-with-hex-if-larger=1000000000"],
                            input=imported.stdout, capture_output=True, text=True,
                            timeout=300)
    if folded.returncode:
        return name, "error", folded.stderr.strip()[-300:]
    results = folded_results(folded.stdout)
    if results is None:
        return name, "unfolded", ""
    if len(results) != len(expected):
        return name, "error", f"{len(results)} results, {len(expected)} expected"
    for i, (data, exp) in enumerate(zip(results, expected)):
        if exp.dtype.kind not in "fiub" and exp.dtype not in (ml_dtypes.bfloat16,) and \
                "float" not in str(exp.dtype):
            return name, "unfolded", "non-numeric output"
        tokens = data.replace("[", " ").replace("]", " ").replace(",", " ").split()
        if len(tokens) == 1 and tokens[0].startswith('"0x'):
            return name, "unfolded", "hex blob"
        values = np.array([parse_number(t, exp.dtype) for t in tokens], dtype=np.float64)
        want = exp.astype(np.float64).ravel()
        if values.size == 1 and want.size != 1:
            values = np.full(want.size, values[0])
        if values.size != want.size:
            return name, "differ", f"output {i}: {values.size} values, {want.size} expected"
        # Narrow floats round every op's result (the reference rounds once).
        rtol = 1e-2 if exp.dtype.itemsize <= 2 and exp.dtype.kind not in "iub" else 1e-3
        if not np.allclose(values, want, rtol=rtol, atol=1e-4, equal_nan=True):
            bad = np.flatnonzero(~np.isclose(values, want, rtol=rtol, atol=1e-4,
                                             equal_nan=True))[:4]
            return name, "differ", (f"output {i} at {bad.tolist()}: "
                                    f"{values[bad].tolist()} vs {want[bad].tolist()}")
    return name, "match", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("optc")
    ap.add_argument("optc_opt")
    ap.add_argument("tests")
    ap.add_argument("names", nargs="*", help="tests to check (default: all)")
    ap.add_argument("--list", help="a file naming the tests to check, one per line")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--json")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    names = list(args.names)
    if args.list:
        with open(args.list) as f:
            names += [l.strip() for l in f if l.strip() and not l.startswith("#")]
    if not names:
        names = sorted(d for d in os.listdir(args.tests)
                       if os.path.isfile(os.path.join(args.tests, d, "model.onnx")))
    folders = [os.path.join(args.tests, n) for n in names]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(check, args.optc, args.optc_opt, f) for f in folders]
        for done, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            name, kind, why = fut.result()
            results[name] = {"result": kind, "detail": why}
            if kind in ("differ", "error") or (args.verbose and kind != "match"):
                print(f"{kind:9} {name}: {why}", flush=True)
            if done % 200 == 0:
                print(f"  ... {done}/{len(folders)}", file=sys.stderr, flush=True)
    counts = {k: sum(1 for r in results.values() if r["result"] == k)
              for k in ("match", "differ", "unfolded", "error")}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"counts": counts, "results": results}, f, indent=1, sort_keys=True)
    print(f"{counts['match']} of {len(results)} node tests fold and match the reference, "
          f"{counts['differ']} differ, {counts['unfolded']} do not fold, "
          f"{counts['error']} errors")
    return 1 if counts["differ"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
