#!/usr/bin/env python3
"""ONNX conformance on the CPU: every backend node test of the pinned onnx
package, compiled by optc and run on this machine.

For each test directory (model.onnx, test_data_set_*/{input,output}_N.pb) it
compiles the model with `optc` for the CPU, runs every data set with
`optc run`, and compares every output with ONNX's backend-test rules: equal
shape, equal dtype, and values within rtol 1e-3, atol 1e-7 (a test's
data.json may document its own; bfloat16 outputs get two ULPs of relative
tolerance, as ONNX's runner gives them). Integers, booleans and strings must
be equal.

It prints one status per test and ends with `N passed, N failed, N skipped`.
It writes a JSON report, regenerates docs/conformance.md (on an unfiltered
run) and, given an expectation list, fails when a test that is expected to
pass does not, or when any test crashed or timed out; tests that pass
without being expected to are reported so that the list can be tightened.

usage: conformance.py --optc BIN [--data DIR] [--filter REGEX] [--jobs N]
                      [--report FILE] [--docs FILE | --no-docs]
                      [--expected FILE [--update-expected]] [--junit FILE]
                      [--quiet]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import numpy as np
import onnx
from onnx import numpy_helper

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COMPILE_TIMEOUT_S = 120
RUN_TIMEOUT_S = 60

# Failure kinds, in the order the report lists them, with what each means.
KINDS = {
    "unsupported op": "optc has no lowering for an op of the model",
    "unsupported type": "a value's type (strings, sequences, optionals, or an element "
                        "type the runtime cannot exchange) is not supported",
    "dynamic shape": "an output's shape depends on the data (NonZero, Unique, ...) or on "
                     "values optc cannot trace to inputs to fix; an ahead-of-time "
                     "compiled model must know it",
    "compile error": "optc rejected the model or failed while compiling it",
    "runtime error": "the compiled model reported an error when run",
    "wrong result": "an output differs from ONNX's expected output",
    "crash": "optc or the compiled model died from a signal",
    "timeout": f"compiling took over {COMPILE_TIMEOUT_S} s or a run over {RUN_TIMEOUT_S} s",
    "runner error": "this runner failed on the test (a bug here, not in optc)",
}


# --- Test data ---------------------------------------------------------------

def ensure_data(data_dir):
    """Writes the node tests of the installed onnx package to data_dir, once
    per onnx version (the wheel ships their generators, not their data)."""
    stamp = data_dir / ".onnx-version"
    if stamp.exists() and stamp.read_text() == onnx.__version__:
        return
    print(f"conformance: writing the node tests of onnx {onnx.__version__} to {data_dir}",
          flush=True)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    subprocess.run([sys.executable, str(HERE / "gen_node_tests.py"), str(data_dir)],
                   check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(onnx.__version__)


def load_proto(path):
    """A .pb of a test data set: a TensorProto, SequenceProto or OptionalProto
    as numpy (a list for a sequence, None for an empty optional)."""
    data = path.read_bytes()
    for kind in (onnx.TensorProto, onnx.SequenceProto, onnx.OptionalProto):
        proto = kind()
        try:
            proto.ParseFromString(data)
        except Exception:  # noqa: BLE001 - not this kind of proto
            continue
        if kind is onnx.TensorProto and (proto.dims or proto.data_type):
            return numpy_helper.to_array(proto)
        if kind is onnx.SequenceProto and proto.elem_type:
            return numpy_helper.to_list(proto)
        if kind is onnx.OptionalProto and proto.elem_type:
            return numpy_helper.to_optional(proto)
    raise ValueError(f"{path}: not a tensor, sequence or optional")


def test_op(model, ops_by_test, name):
    """The op a test exercises: its single node's op, or for a function's
    expanded body the op of the test it expands."""
    nodes = model.graph.node
    if len(nodes) == 1:
        node = nodes[0]
        return node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
    base = re.sub(r"_expanded(_ver\d+)?$", "", name)
    if base != name and base in ops_by_test:
        return ops_by_test[base]
    return "(graph)"


# --- One test ----------------------------------------------------------------

class Failure(Exception):
    def __init__(self, kind, detail):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def classify_compile_error(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    errors = [l for l in lines if "error:" in l] or lines or ["(no message)"]
    first = re.sub(r"^.*?error: ", "", errors[0]).strip()
    if "does not support this op" in first:
        kind = "unsupported op"
    elif ("cannot exchange" in first or "are not supported by optc" in first
          or "only tensors are supported" in first):
        kind = "unsupported type"
    elif "unknown at compile time" in first:
        kind = "dynamic shape"
    else:
        kind = "compile error"
    return kind, first[:300]


def signal_name(code):
    try:
        import signal
        return signal.Signals(-code).name
    except (ValueError, ImportError):
        return f"signal {-code}"


def compare(name, got, want, rtol, atol):
    """Raises Failure unless `got` matches `want` under ONNX's rules."""
    if got.dtype.kind == "V" and got.dtype.itemsize == want.dtype.itemsize:
        got = got.view(want.dtype)  # ml_dtypes types (bfloat16, float8) load as void
    if got.shape != want.shape:
        raise Failure("wrong result", f"output '{name}': shape {list(got.shape)}, "
                                      f"expected {list(want.shape)}")
    if got.dtype != want.dtype:
        raise Failure("wrong result", f"output '{name}': dtype {got.dtype}, expected {want.dtype}")
    if want.dtype.kind in "biuUSO":
        bad = got != want
    else:
        if want.dtype.name == "bfloat16":
            rtol = max(rtol, 2.0 ** -6)
        g = got.astype(np.complex128 if want.dtype.kind == "c" else np.float64)
        w = want.astype(g.dtype)
        bad = ~np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Failure("wrong result",
                      f"output '{name}': {int(np.count_nonzero(bad))} of {want.size} "
                      f"elements differ; at {list(where)}: {got[where]!r}, expected {want[where]!r}")


def output_file(out_dir, name):
    # `optc run --output-dir` names files after outputs, made filename-safe.
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    if not safe or safe[0] == ".":
        safe = "output" + safe
    return out_dir / f"{safe}.npy"


def compile_model(optc, model_path, lib, inputs, dataset, fixed):
    """Compiles for the shapes of `dataset`'s inputs, with the inputs named
    in `fixed` fixed to its values (--input-value). Raises Failure."""
    args = [optc, str(model_path), "-o", str(lib)]
    for i, name in enumerate(inputs):
        pb = dataset / f"input_{i}.pb"
        if name in fixed:
            args += ["--input-value", f"{name}={pb}"]
        elif pb.exists():
            # optc compiles for static shapes; node tests often leave them
            # symbolic.
            tensor = onnx.TensorProto()
            tensor.ParseFromString(pb.read_bytes())
            if tensor.dims:
                args += ["--input-shape", f"{name}={'x'.join(map(str, tensor.dims))}"]
    try:
        c = subprocess.run(args, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S,
                           cwd=model_path.parent.parent)
    except subprocess.TimeoutExpired:
        raise Failure("timeout", f"compiling took over {COMPILE_TIMEOUT_S} s")
    if c.returncode < 0:
        raise Failure("crash", f"optc died from {signal_name(c.returncode)} while compiling")
    if c.returncode != 0:
        kind, detail = classify_compile_error(c.stderr)
        failure = Failure(kind, detail)
        # optc names the inputs whose values decide unknown sizes.
        failure.inputs = re.findall(r"--input-value (\S+)=FILE", c.stderr)
        raise failure


def run_test(optc, test_dir, model, tmp_root):
    """(status, kind, detail, fixed inputs) for one test directory.

    Where output sizes depend on input values (a Reshape's shape, a
    reduction's axes), or an op needs an input as a constant (Col2Im's
    image_shape), optc's error names the inputs to fix with --input-value;
    those are fixed at compile time to each data set's values, as a user
    deploying the model would fix them, and the model is compiled once per
    data set."""
    model_path = test_dir / "model.onnx"
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = [o.name for o in model.graph.output]
    datasets = sorted(test_dir.glob("test_data_set_*"))
    if not datasets:
        raise Failure("compile error", "the test has no data sets")
    rtol, atol = 1e-3, 1e-7
    if (test_dir / "data.json").exists():
        doc = json.loads((test_dir / "data.json").read_text())
        rtol, atol = doc.get("rtol", rtol), doc.get("atol", atol)

    with tempfile.TemporaryDirectory(dir=tmp_root) as tmp:
        tmp = pathlib.Path(tmp)
        fixed = []
        lib = tmp / "model.so"
        while True:
            try:
                compile_model(optc, model_path, lib, inputs, datasets[0], fixed)
                break
            except Failure as failure:
                more = [n for n in getattr(failure, "inputs", []) if n in inputs and n not in fixed]
                if not more:
                    failure.fixed = fixed
                    raise
                fixed += more

        try:
            for n, ds in enumerate(datasets):
                run_dataset(optc, model_path, tmp, n, ds, inputs, outputs, fixed, rtol, atol)
        except Failure as failure:
            failure.fixed = fixed
            raise
    return "pass", "", "", fixed


def run_dataset(optc, model_path, tmp, n, ds, inputs, outputs, fixed, rtol, atol):
    """Runs data set `ds` (number `n`) and compares its outputs; raises
    Failure. With fixed inputs each data set has its own library."""
    lib = tmp / "model.so"
    if fixed and n > 0:
        lib = tmp / f"model{n}.so"
        compile_model(optc, model_path, lib, inputs, ds, fixed)
    out_dir = tmp / ds.name
    args = [optc, "run", str(lib), "--output-dir", str(out_dir)]
    for i, name in enumerate(inputs):
        if name not in fixed:
            args += ["--input", f"{name}={ds / f'input_{i}.pb'}"]
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failure("timeout", f"{ds.name}: running took over {RUN_TIMEOUT_S} s")
    if r.returncode < 0:
        raise Failure("crash", f"{ds.name}: the model died from {signal_name(r.returncode)}")
    if r.returncode != 0:
        message = r.stderr.strip().splitlines() or ["(no message)"]
        raise Failure("runtime error", f"{ds.name}: {message[-1][:300]}")
    for i, name in enumerate(outputs):
        expected = ds / f"output_{i}.pb"
        if not expected.exists():
            raise Failure("wrong result", f"{ds.name}: no expected value for output '{name}'")
        want = load_proto(expected)
        if not isinstance(want, np.ndarray):
            raise Failure("unsupported type", f"output '{name}' is a sequence or optional")
        got_path = output_file(out_dir, name)
        if not got_path.exists():
            raise Failure("wrong result", f"{ds.name}: the model wrote no output '{name}'")
        compare(name, np.load(got_path), want, rtol, atol)


# --- Reports -----------------------------------------------------------------

def write_junit(path, results, expected):
    suite = ET.Element("testsuite", name="onnx-conformance")
    counts = collections.Counter()
    for name, r in sorted(results.items()):
        case = ET.SubElement(suite, "testcase", classname=f"onnx.node.{r['op']}", name=name,
                             time=f"{r['seconds']:.3f}")
        counts["tests"] += 1
        if r["status"] == "pass":
            continue
        message = f"{r['kind']}: {r['detail']}"
        if is_regression(name, r, expected):
            ET.SubElement(case, "failure", message=message)
            counts["failures"] += 1
        else:
            ET.SubElement(case, "skipped", message=f"known failure: {message}")
            counts["skipped"] += 1
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("skipped", str(counts["skipped"]))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def is_regression(name, r, expected):
    """A failure CI must not accept: an expected pass that fails, any crash
    or timeout (optc must never crash or hang, whatever the test), or a
    failure of this runner itself."""
    if r["status"] == "pass":
        return False
    return r["kind"] in ("crash", "timeout", "runner error") or (expected is not None and name in expected)


def md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def write_docs(path, results, totals):
    total = len(results)
    passed = totals["passed"]
    by_kind = collections.defaultdict(list)
    by_op = collections.defaultdict(list)
    fixed = [(name, r) for name, r in sorted(results.items())
             if r["status"] == "pass" and r.get("fixed_inputs")]
    for name, r in sorted(results.items()):
        by_op[r["op"]].append((name, r))
        if r["status"] != "pass":
            by_kind[r["kind"]].append((name, r))
    lines = [
        "# ONNX conformance on the CPU",
        "",
        "<!-- Generated by scripts/conformance.sh; do not edit. -->",
        "",
        f"Every backend node test of onnx {onnx.__version__} "
        f"(`onnx/backend/test/data/node`, {total} tests), compiled by optc for this "
        "machine's CPU and run on it. Outputs are compared with ONNX's rules: equal "
        "shape and dtype, floats within rtol 1e-3 and atol 1e-7 (bfloat16: two ULPs), "
        "integers, booleans and strings equal.",
        "",
        f"**{passed} of {total} pass ({100.0 * passed / max(total, 1):.1f}%)**: "
        f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped.",
        "",
        f"{len(fixed)} of the passes have outputs whose shapes depend on input values "
        "(a Reshape's shape, a Resize's sizes, a reduction's axes, TopK's k). An "
        "ahead-of-time compiled model must know those shapes, so optc names the "
        "inputs that decide them and the runner fixes them to the test's values "
        "with `--input-value`, as a user deploying such a model does; the model is "
        "compiled once per data set. Without them, "
        f"{passed - len(fixed)} of {total} pass "
        f"({100.0 * (passed - len(fixed)) / max(total, 1):.1f}%). They are listed at "
        "the end.",
        "",
        "The tests of random ops (Bernoulli, Dropout in training mode) expect the "
        "draws of NumPy's generator, which optc's (a counter-based hash) does not "
        "reproduce: they run and fail as wrong results, except where the result "
        "does not depend on the draws (a dropout ratio of 0).",
        "",
        "Regenerate with `scripts/conformance.sh` (all tests, about 3 minutes on 2 "
        "cores). `scripts/conformance.sh --filter REGEX` runs a subset; the JSON "
        "report is `build/conformance/report.json`.",
        "",
        "## Failures by kind",
        "",
        "| kind | tests | meaning |",
        "|---|---:|---|",
    ]
    for kind, meaning in KINDS.items():
        lines.append(f"| {kind} | {len(by_kind.get(kind, []))} | {meaning} |")
    lines += ["", "## By op", "", "| op | tests | passed | failures |", "|---|---:|---:|---|"]
    for op, tests in sorted(by_op.items(), key=lambda kv: kv[0].lower()):
        ok = sum(1 for _, r in tests if r["status"] == "pass")
        kinds = collections.Counter(r["kind"] for _, r in tests if r["status"] != "pass")
        failures = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        lines.append(f"| {op} | {len(tests)} | {ok} | {failures} |")
    lines += ["", "## Every failure", ""]
    for kind in KINDS:
        tests = by_kind.get(kind, [])
        if not tests:
            continue
        lines += [f"### {kind} ({len(tests)})", "", "| test | op | reason |", "|---|---|---|"]
        for name, r in tests:
            lines.append(f"| {name} | {r['op']} | {md_escape(r['detail'])} |")
        lines.append("")
    lines += [f"## Passes with inputs fixed at compile time ({len(fixed)})", "",
              "| test | op | fixed inputs |", "|---|---|---|"]
    for name, r in fixed:
        lines.append(f"| {name} | {r['op']} | {', '.join(r['fixed_inputs'])} |")
    path.write_text("\n".join(lines).rstrip("\n") + "\n")


# --- Driver ------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--optc", required=True, help="the optc executable")
    parser.add_argument("--data", default=str(ROOT / "build" / "onnx-node-tests"),
                        help="where the node tests are written (default: build/onnx-node-tests)")
    parser.add_argument("--filter", default="", help="run the tests whose name matches REGEX")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report", default=str(ROOT / "build" / "conformance" / "report.json"))
    parser.add_argument("--docs", default=str(ROOT / "docs" / "conformance.md"),
                        help="the Markdown report an unfiltered run regenerates")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--expected", help="the list of tests expected to pass")
    parser.add_argument("--update-expected", action="store_true",
                        help="rewrite --expected with the tests that passed")
    parser.add_argument("--junit", help="also write a JUnit XML report")
    parser.add_argument("--quiet", action="store_true",
                        help="print progress every 10%% and only the failures that matter")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.update_expected and not args.expected:
        parser.error("--update-expected needs --expected FILE")
    try:
        pattern = re.compile(args.filter)
    except re.error as error:
        parser.error(f"--filter: {error}")
    optc = shutil.which(args.optc)
    if optc is None:
        parser.error(f"--optc: {args.optc} is not an executable")
    optc = str(pathlib.Path(optc).resolve())

    data_dir = pathlib.Path(args.data).resolve()
    ensure_data(data_dir)
    all_tests = sorted(p for p in data_dir.iterdir() if p.is_dir())
    tests = [p for p in all_tests if pattern.search(p.name)]
    if not tests:
        print(f"conformance: no test matches --filter {args.filter!r}", file=sys.stderr)
        return 2
    expected = None
    if args.expected and not args.update_expected:
        expected = {l.strip() for l in pathlib.Path(args.expected).read_text().splitlines()
                    if l.strip() and not l.startswith("#")}
        unknown = sorted(expected - {p.name for p in all_tests})
        if unknown:
            print(f"conformance: {args.expected} names {len(unknown)} tests that do not "
                  f"exist, e.g. {unknown[0]}", file=sys.stderr)
            return 2

    # Single-node tests first, so that expanded tests can name their op.
    ops_by_test = {}
    models = {}
    for p in tests:
        models[p.name] = onnx.load(str(p / "model.onnx"), load_external_data=False)
    for name, model in models.items():
        if len(model.graph.node) == 1:
            ops_by_test[name] = test_op(model, {}, name)
    tmp_root = pathlib.Path(tempfile.mkdtemp(prefix="optc-conformance-"))

    def one(test_dir):
        start = time.monotonic()
        fixed = []
        try:
            status, kind, detail, fixed = run_test(optc, test_dir, models[test_dir.name],
                                                   tmp_root)
        except Failure as failure:
            status, kind, detail = "fail", failure.kind, failure.detail
            fixed = getattr(failure, "fixed", [])
        except Exception as error:  # noqa: BLE001 - a harness problem, reported as such
            status, kind, detail = "fail", "runner error", repr(error)[:300]
        result = {"status": status, "kind": kind, "detail": detail,
                  "seconds": round(time.monotonic() - start, 3)}
        if fixed:
            result["fixed_inputs"] = fixed
        return test_dir.name, result

    def op_of(name):
        base = re.sub(r"_expanded(_ver\d+)?$", "", name)
        if base not in ops_by_test and base != name and (data_dir / base).is_dir():
            base_model = onnx.load(str(data_dir / base / "model.onnx"), load_external_data=False)
            ops_by_test[base] = test_op(base_model, {}, base)
        return test_op(models[name], ops_by_test, name)

    results = {}
    start = time.monotonic()
    width = len(str(len(tests)))
    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(one, t) for t in tests]
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                name, r = future.result()
                r["op"] = op_of(name)
                results[name] = r
                mark = ""
                if expected is not None:
                    if r["status"] != "pass" and name in expected:
                        mark = "  << REGRESSION"
                    elif r["status"] == "pass" and name not in expected:
                        mark = "  (newly passing)"
                if r["status"] == "pass":
                    line = f"pass  {name}"
                    if r.get("fixed_inputs"):
                        line += f"  (fixed: {', '.join(r['fixed_inputs'])})"
                else:
                    line = f"FAIL  {name}  [{r['kind']}] {r['detail']}"
                if not args.quiet or mark or is_regression(name, r, expected):
                    print(f"[{done:{width}}/{len(tests)}] {line}{mark}", flush=True)
                elif done % max(len(tests) // 10, 1) == 0:
                    print(f"[{done:{width}}/{len(tests)}] {time.monotonic() - start:.0f} s",
                          flush=True)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    elapsed = time.monotonic() - start

    passed = sum(1 for r in results.values() if r["status"] == "pass")
    totals = {"passed": passed, "failed": len(results) - passed, "skipped": 0}
    kinds = collections.Counter(r["kind"] for r in results.values() if r["status"] != "pass")
    regressions = sorted(n for n, r in results.items() if is_regression(n, r, expected))
    newly = sorted(n for n, r in results.items()
                   if expected is not None and r["status"] == "pass" and n not in expected)

    report = {
        "onnx_version": onnx.__version__,
        "filter": args.filter,
        "seconds": round(elapsed, 1),
        "totals": totals,
        "failures_by_kind": dict(sorted(kinds.items())),
        "tests": dict(sorted(results.items())),
    }
    report_path = pathlib.Path(args.report)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=1) + "\n")
    if args.junit:
        write_junit(args.junit, results, expected)
    full_run = len(tests) == len(all_tests)
    if full_run and not args.no_docs:
        write_docs(pathlib.Path(args.docs), results, totals)
    if args.update_expected:
        if not full_run:
            print("conformance: --update-expected needs an unfiltered run", file=sys.stderr)
            return 2
        pathlib.Path(args.expected).write_text(
            f"# ONNX node tests (onnx {onnx.__version__}) that pass on the CPU; CI fails when\n"
            "# one stops passing. Regenerate: scripts/conformance.sh --update-expected\n"
            + "".join(f"{n}\n" for n in sorted(results) if results[n]["status"] == "pass"))

    print()
    print("failures by kind: " + (", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k]) or "none"))
    fixed = sum(1 for r in results.values() if r["status"] == "pass" and r.get("fixed_inputs"))
    print(f"{passed} of {len(results)} node tests pass ({100.0 * passed / len(results):.1f}%; "
          f"{fixed} of them with inputs that decide shapes fixed) "
          f"in {elapsed:.0f} s with {args.jobs} jobs; report: {report_path}")
    if newly:
        print(f"{len(newly)} tests pass that the expectation list does not name "
              f"(tighten it with --update-expected): {' '.join(newly[:20])}"
              + (" ..." if len(newly) > 20 else ""))
    if regressions:
        print(f"{len(regressions)} regressions (expected to pass, or crashed or timed out): "
              + " ".join(regressions[:20]) + (" ..." if len(regressions) > 20 else ""))
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
