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

Each test gets one of four statuses:

  passes             under the ONNX backend protocol: the model is compiled
                     once as it is (its own input shapes; a dimension it
                     leaves symbolic takes the first data set's size), and
                     every data set is run with every input given at run time.
  shape-specialised  passes only with some inputs fixed at compile time
                     (--input-value, one compilation per data set), all of
                     them inputs that decide output shapes by the allow-list
                     of test/onnx/shape_inputs.py (a Reshape's shape, a
                     Slice's starts, TopK's K, ...); the runner fixes as few
                     of those as it can, never an input off the list, and
                     never because optc's error message asks for it.
  folded             passes only with every input fixed: the model compiles
                     to a constant. Not counted as a pass.
  fails              fails whatever is fixed; with an expectation list that
                     does not expect more, an expected failure.

It prints one status per test, the three figures (passes under the backend
protocol; passes with shape inputs specialised, those included; folded), and
ends with `N passed, N failed, N skipped, N expected failures, N folded`.
It writes a deterministic JSON report (no timings), with --update-docs the
Markdown report docs/conformance.md (an unfiltered run only), and with
--update-expected the expectation list. Against an expectation list it fails
when a test does worse than the list records (a pass that needs fixed inputs,
a specialised pass that needs more, anything that fails), or when any test
crashes or times out; tests that do better are reported so that the list can
be tightened.

usage: conformance.py --optc BIN [--data DIR] [--filter REGEX] [--jobs N]
                      [--report FILE] [--docs FILE] [--update-docs]
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
sys.path.insert(0, str(HERE))
import shape_inputs  # noqa: E402 - beside this file

COMPILE_TIMEOUT_S = 120
RUN_TIMEOUT_S = 60
# Every node test must compile within this (issue 14); a slower compile is a
# regression whatever the expectation list says. The timeout above only
# stops a runaway compile.
COMPILE_BUDGET_S = 30

# Statuses, from best to worst.
PASSES, SPECIALISED, FOLDED, FAILS = "passes", "shape-specialised", "folded", "fails"
STATUSES = (PASSES, SPECIALISED, FOLDED, FAILS)

# Failure kinds, in the order the report lists them, with what each means.
KINDS = {
    "unsupported op": "optc has no lowering for an op of the model",
    "unsupported type": "a value's type (strings, sequences, optionals, or an element "
                        "type the runtime cannot exchange) is not supported",
    "dynamic shape": "an output's shape depends on the data (NonZero, Unique, ...) or on "
                     "input values that are not shape inputs by the allow-list; an "
                     "ahead-of-time compiled model must know it",
    "compile error": "optc rejected the model or failed while compiling it",
    "runtime error": "the compiled model reported an error when run",
    "wrong result": "an output differs from ONNX's expected output",
    "crash": "optc or the compiled model died from a signal",
    "timeout": f"compiling took over {COMPILE_TIMEOUT_S} s or a run over {RUN_TIMEOUT_S} s",
    "slow compile": f"compiling took over the budget of {COMPILE_BUDGET_S} s",
    "runner error": "this runner failed on the test (a bug here, not in optc)",
}
# Kinds that fail a run whatever the expectation list says: optc must never
# crash or hang, and the runner must work.
ALWAYS_REGRESSIONS = ("crash", "timeout", "slow compile", "runner error")


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


RANDOM_OPS = ("Bernoulli", "Dropout", "Multinomial", "RandomNormal", "RandomNormalLike",
              "RandomUniform", "RandomUniformLike")


def all_nodes(graph):
    """The nodes of `graph` and of its subgraphs."""
    for node in graph.node:
        yield node
        for attr in node.attribute:
            for sub in ([attr.g] if attr.type == onnx.AttributeProto.GRAPH else []) + \
                    list(attr.graphs):
                yield from all_nodes(sub)


class Case:
    """What a test needs to be compiled and run: its model, its inputs and
    outputs, its data sets and tolerances."""

    def __init__(self, test_dir, model):
        self.model_path = test_dir / "model.onnx"
        initializers = {t.name for t in model.graph.initializer}
        graph_inputs = [i for i in model.graph.input if i.name not in initializers]
        self.inputs = [i.name for i in graph_inputs]
        self.outputs = [o.name for o in model.graph.output]
        self.datasets = sorted(test_dir.glob("test_data_set_*"))
        self.compile_seconds = []  # of each compilation, in order
        if not self.datasets:
            raise Failure("compile error", "the test has no data sets")
        # Inputs whose shape the model leaves open (a symbolic or missing
        # dimension, or no shape at all): optc compiles for static shapes, so
        # these take the first data set's shape (--input-shape).
        self.symbolic = [i.name for i in graph_inputs
                         if i.type.HasField("tensor_type")
                         and (not i.type.tensor_type.HasField("shape")
                              or any(not d.HasField("dim_value")
                                     for d in i.type.tensor_type.shape.dim))]
        # Inputs the runner may fix: those that decide output shapes by the
        # allow-list, and that every data set gives a value.
        self.fixable = [n for n in shape_inputs.fixable_inputs(model)
                        if all((ds / f"input_{self.inputs.index(n)}.pb").exists()
                               for ds in self.datasets)]
        # Random ops without a seed draw differently on every run (optc seeds
        # them from the clock, as ONNX allows).
        self.unseeded = any(node.op_type in RANDOM_OPS
                            and not any(a.name == "seed" for a in node.attribute)
                            for node in all_nodes(model.graph))
        self.rtol, self.atol = 1e-3, 1e-7
        if (test_dir / "data.json").exists():
            doc = json.loads((test_dir / "data.json").read_text())
            self.rtol, self.atol = doc.get("rtol", self.rtol), doc.get("atol", self.atol)

    def pb(self, dataset, name):
        return dataset / f"input_{self.inputs.index(name)}.pb"


def compile_model(optc, case, lib, dataset, fixed):
    """Compiles `case` to `lib`, with the inputs named in `fixed` fixed to
    `dataset`'s values (--input-value) and the model's open shapes taken from
    `dataset`. Raises Failure."""
    args = [optc, str(case.model_path), "-o", str(lib)]
    for name in case.inputs:
        pb = case.pb(dataset, name)
        if name in fixed:
            args += ["--input-value", f"{name}={pb}"]
        elif name in case.symbolic and pb.exists():
            tensor = onnx.TensorProto()
            tensor.ParseFromString(pb.read_bytes())
            args += ["--input-shape", f"{name}={'x'.join(map(str, tensor.dims))}"]
    start = time.monotonic()
    try:
        c = subprocess.run(args, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S,
                           cwd=case.model_path.parent.parent)
    except subprocess.TimeoutExpired:
        raise Failure("timeout", f"compiling took over {COMPILE_TIMEOUT_S} s")
    seconds = time.monotonic() - start
    case.compile_seconds.append(seconds)
    if c.returncode < 0:
        raise Failure("crash", f"optc died from {signal_name(c.returncode)} while compiling")
    if c.returncode != 0:
        raise Failure(*classify_compile_error(c.stderr))
    if seconds > COMPILE_BUDGET_S:
        raise Failure("slow compile", f"compiling took {seconds:.0f} s, over the budget "
                      f"of {COMPILE_BUDGET_S} s")


def run_dataset(optc, case, lib, out_dir, ds, fixed):
    """Runs data set `ds` on `lib`, every input not in `fixed` given at run
    time, and compares the outputs; raises Failure."""
    args = [optc, "run", str(lib), "--output-dir", str(out_dir)]
    for name in case.inputs:
        if name not in fixed:
            args += ["--input", f"{name}={case.pb(ds, name)}"]
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failure("timeout", f"{ds.name}: running took over {RUN_TIMEOUT_S} s")
    if r.returncode < 0:
        raise Failure("crash", f"{ds.name}: the model died from {signal_name(r.returncode)}")
    if r.returncode != 0:
        message = r.stderr.strip().splitlines() or ["(no message)"]
        raise Failure("runtime error", f"{ds.name}: {message[-1][:300]}")
    for i, name in enumerate(case.outputs):
        expected = ds / f"output_{i}.pb"
        if not expected.exists():
            raise Failure("wrong result", f"{ds.name}: no expected value for output '{name}'")
        want = load_proto(expected)
        if not isinstance(want, np.ndarray):
            raise Failure("unsupported type", f"output '{name}' is a sequence or optional")
        got_path = output_file(out_dir, name)
        if not got_path.exists():
            raise Failure("wrong result", f"{ds.name}: the model wrote no output '{name}'")
        try:
            compare(name, np.load(got_path), want, rtol=case.rtol, atol=case.atol)
        except Failure as failure:
            if not case.unseeded:
                raise
            # Which elements differ changes from run to run; the report must not.
            raise Failure(failure.kind, f"output '{name}': differs from the expected output "
                                        "(random draws without a seed, which differ from run "
                                        "to run)") from None


def attempt(optc, case, tmp, fixed):
    """Compiles and runs every data set with the inputs of `fixed` fixed;
    raises Failure. With nothing fixed this is the ONNX backend protocol:
    one compilation, every input given at run time. Fixed values differ
    between data sets, so then each data set is compiled for its own."""
    tmp = pathlib.Path(tempfile.mkdtemp(dir=tmp))
    for n, ds in enumerate(case.datasets):
        lib = tmp / (f"model{n}.so" if fixed else "model.so")
        if fixed or n == 0:
            compile_model(optc, case, lib, ds, fixed)
        run_dataset(optc, case, lib, tmp / ds.name, ds, fixed)


def run_test(optc, test_dir, model, tmp_root, compile_seconds=None):
    """The result of one test: {"status", "fixed_inputs", "kind", "detail"}
    and, where the backend protocol failed, "backend_failure"; where the
    model leaves input shapes open, "open_shapes".

    First the backend protocol. If it fails and the model has inputs that
    decide shapes (by the allow-list), it is compiled with all of those
    fixed, then with as few as suffice: each is unfixed in turn (by name)
    and stays so if the test still passes."""
    case = Case(test_dir, model)
    if compile_seconds is not None:
        # The caller reads the slowest compilation (not part of the result:
        # the report has no timings).
        compile_seconds[test_dir.name] = case.compile_seconds
    result = {"open_shapes": case.symbolic} if case.symbolic else {}

    def done(status, fixed, failure=None, prefix=""):
        return {**result, "status": status, "fixed_inputs": sorted(fixed),
                "kind": failure.kind if failure else "",
                "detail": prefix + failure.detail if failure else ""}

    with tempfile.TemporaryDirectory(dir=tmp_root) as tmp:
        try:
            attempt(optc, case, tmp, [])
            return done(PASSES, [])
        except Failure as failure:
            backend = failure
        if backend.kind in ALWAYS_REGRESSIONS or not case.fixable:
            return done(FAILS, [], backend)
        result["backend_failure"] = f"{backend.kind}: {backend.detail}"
        fixed = list(case.fixable)
        try:
            attempt(optc, case, tmp, fixed)
        except Failure as failure:
            return done(FAILS, fixed, failure)
        for name in case.fixable:
            if len(fixed) == 1:
                break  # with none fixed, it is the backend protocol that failed
            fewer = [n for n in fixed if n != name]
            try:
                attempt(optc, case, tmp, fewer)
                fixed = fewer
            except Failure as failure:
                if failure.kind in ALWAYS_REGRESSIONS:
                    return done(FAILS, fewer, failure, f"with {', '.join(fewer)} fixed: ")
    return done(FOLDED if set(fixed) == set(case.inputs) else SPECIALISED, fixed)


# --- Expectations ------------------------------------------------------------

def parse_expected(path):
    """{test: (status, fixed inputs)} from an expectation list: one test a
    line, `NAME  passes`, `NAME  shape-specialised: IN1, IN2`, `NAME  folded`
    or `NAME  fails`; `#` starts a comment. Raises ValueError."""
    expected = {}
    for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, rest = line.partition(" ")
        status, _, inputs = rest.strip().partition(":")
        status = status.strip()
        fixed = [n.strip() for n in inputs.split(",") if n.strip()]
        if status not in STATUSES or (status == SPECIALISED) != bool(fixed):
            raise ValueError(f"{path}:{number}: expected `NAME STATUS` with a status of "
                             f"{', '.join(STATUSES)} (shape-specialised names its fixed "
                             f"inputs: `shape-specialised: IN1, IN2`), not {line!r}")
        if name in expected:
            raise ValueError(f"{path}:{number}: {name} is listed twice")
        expected[name] = (status, sorted(fixed))
    return expected


def expectation_line(name, r):
    if r["status"] == SPECIALISED:
        return f"{name}  {SPECIALISED}: {', '.join(r['fixed_inputs'])}"
    return f"{name}  {r['status']}"


def describe(r):
    if r["status"] == SPECIALISED:
        return f"passes with {', '.join(r['fixed_inputs'])} fixed"
    if r["status"] == FOLDED:
        return "passes only with every input fixed (folded)"
    if r["status"] == FAILS:
        return f"fails ({r['kind']})"
    return "passes"


def judge(name, r, expected):
    """(outcome, note): outcome is "passed", "folded", "expected failure" or
    "failed"; the note says how the test did better or worse than listed.

    Without an expectation list every failure is a failure. With one, a
    test fails when it does worse than its line: a pass that now needs fixed
    inputs, a specialised pass that needs an input fixed its line does not
    name, a folded test that fails; a test not listed, or listed as fails,
    may fail (an expected failure). A crash, a timeout or a runner error
    always fails."""
    status, fixed = r["status"], set(r["fixed_inputs"])
    ok = {PASSES: "passed", SPECIALISED: "passed", FOLDED: "folded",
          FAILS: "expected failure"}[status]
    if status == FAILS and (expected is None or r["kind"] in ALWAYS_REGRESSIONS):
        return "failed", ""
    if expected is None:
        return ok, ""
    want, want_fixed = expected.get(name, (FAILS, []))
    rank = STATUSES.index
    if rank(status) > rank(want):
        return "failed", f"listed as {want}, now {describe(r)}"
    if status == SPECIALISED and want == SPECIALISED:
        more = sorted(fixed - set(want_fixed))
        if more:
            return "failed", f"needs {', '.join(more)} fixed too (listed: {', '.join(want_fixed)})"
        if fixed < set(want_fixed):
            return ok, f"needs fewer inputs fixed: {', '.join(sorted(fixed))} (listed: " \
                       f"{', '.join(want_fixed)})"
        return ok, ""
    if rank(status) < rank(want):
        return ok, f"listed as {want}, now {describe(r)}"
    return ok, ""


def figures(results):
    """The three figures, as the summary and docs/conformance.md give them."""
    count = collections.Counter(r["status"] for r in results.values())
    total = len(results)
    backend, specialised = count[PASSES], count[PASSES] + count[SPECIALISED]

    def pct(n):
        return f"{100.0 * n / max(total, 1):.1f}%"

    line = (f"{backend} of {total} ({pct(backend)}) pass under the ONNX backend protocol; "
            f"{specialised} of {total} ({pct(specialised)}) with shape inputs specialised; "
            f"{count[FOLDED]} fold to constants")
    numbers = {"tests": total, "backend_protocol": backend, "shape_specialised": specialised,
               "folded": count[FOLDED], "fails": count[FAILS]}
    return line, numbers


# --- Reports -----------------------------------------------------------------

def write_junit(path, results, outcomes, seconds):
    """One test case per test: a regression is a failure, an expected
    failure is skipped with type "xfail" (as pytest writes its xfails, which
    scripts/summarize-results.py counts as expected failures), and a folded
    test passes with a property status=folded."""
    suite = ET.Element("testsuite", name="onnx-conformance")
    counts = collections.Counter()
    for name, r in sorted(results.items()):
        case = ET.SubElement(suite, "testcase", classname=f"onnx.node.{r['op']}", name=name,
                             time=f"{seconds.get(name, 0.0):.3f}")
        properties = ET.SubElement(case, "properties")
        ET.SubElement(properties, "property", name="status", value=r["status"])
        if r["fixed_inputs"]:
            ET.SubElement(properties, "property", name="fixed_inputs",
                          value=", ".join(r["fixed_inputs"]))
        counts["tests"] += 1
        outcome, note = outcomes[name]
        message = f"{r['kind']}: {r['detail']}" if r["status"] == FAILS else describe(r)
        if outcome == "failed":
            ET.SubElement(case, "failure", message=f"{note}: {message}" if note else message)
            counts["failures"] += 1
        elif outcome == "expected failure":
            ET.SubElement(case, "skipped", type="xfail", message=f"expected failure: {message}")
            counts["skipped"] += 1
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("skipped", str(counts["skipped"]))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def write_docs(path, results, figures_line, numbers):
    total = numbers["tests"]
    by_kind = collections.defaultdict(list)
    by_op = collections.defaultdict(list)
    for name, r in sorted(results.items()):
        by_op[r["op"]].append((name, r))
        if r["status"] == FAILS:
            by_kind[r["kind"]].append((name, r))
    specialised = [(n, r) for n, r in sorted(results.items()) if r["status"] == SPECIALISED]
    folded = [(n, r) for n, r in sorted(results.items()) if r["status"] == FOLDED]
    open_shapes = sorted(n for n, r in results.items() if r.get("open_shapes"))
    lines = [
        "# ONNX conformance on the CPU",
        "",
        "<!-- Generated by scripts/conformance.sh --update-docs; do not edit. -->",
        "",
        f"Every backend node test of onnx {onnx.__version__} "
        f"(`onnx/backend/test/data/node`, {total} tests), compiled by optc for this "
        "machine's CPU and run on it. Outputs are compared with ONNX's rules: equal "
        "shape and dtype, floats within rtol 1e-3 and atol 1e-7 (bfloat16: two ULPs), "
        "integers, booleans and strings equal.",
        "",
        f"**{figures_line}.**",
        "",
        "- *Backend protocol* (ONNX's `prepare` once, then `run` with every input): "
        "each model is compiled once as it is, and every data set is run with every "
        "input given at run time. optc compiles for static shapes; the models give "
        "their inputs' shapes, and where one leaves a dimension symbolic the runner "
        "passes the first data set's shape with `--input-shape` "
        f"({len(open_shapes)} tests: {', '.join(open_shapes) or 'none'}).",
        "- *With shape inputs specialised* (the first figure's tests included): an "
        "ahead-of-time compiled model must know its output shapes, and some ops take "
        "the values that decide them as inputs (a Reshape's shape, a Resize's sizes, a "
        "reduction's axes, TopK's K). A test that fails under the backend protocol is "
        "compiled again with those inputs fixed to each data set's values "
        "(`--input-value`, one compilation per data set), as a user deploying such a "
        "model does: only inputs that feed such an operand, by the allow-list of "
        "[`test/onnx/shape_inputs.py`](../test/onnx/shape_inputs.py) derived from "
        "the ONNX schemas, and as few of them as suffice.",
        "- *Folded*: tests that pass only with every input fixed compile to a constant; "
        "they check the constant folder, not code generation, and are not counted as "
        "passes.",
        "",
        "`test/onnx/conformance-expected.txt` records each test's status and fixed "
        "inputs; CI (`scripts/test.sh`) fails when a test does worse: a pass that needs "
        "an input fixed, a specialised pass that needs more, a pass or a folded test "
        "that fails. The other failures are expected failures.",
        "",
        "The tests of random ops (Bernoulli, Dropout in training mode) expect the "
        "draws of NumPy's generator, which optc's (a counter-based hash) does not "
        "reproduce: they run and fail as wrong results, except where the result "
        "does not depend on the draws (a dropout ratio of 0). Where the op has no "
        "seed, optc draws differently on every run, so the report does not say which "
        "elements differ.",
        "",
        "Regenerate with `scripts/conformance.sh --update-docs` (all tests, about 5 "
        "minutes on 2 cores); `--update-expected` rewrites the expectation list. "
        "`scripts/conformance.sh --filter REGEX` runs a subset; the JSON report is "
        "`build/conformance/report.json`.",
        "",
        "## Failures by kind",
        "",
        "| kind | tests | meaning |",
        "|---|---:|---|",
    ]
    for kind, meaning in KINDS.items():
        lines.append(f"| {kind} | {len(by_kind.get(kind, []))} | {meaning} |")
    lines += ["", "## By op", "",
              "| op | tests | pass | shape-specialised | folded | failures |",
              "|---|---:|---:|---:|---:|---|"]
    for op, tests in sorted(by_op.items(), key=lambda kv: (kv[0].lower(), kv[0])):
        count = collections.Counter(r["status"] for _, r in tests)
        kinds = collections.Counter(r["kind"] for _, r in tests if r["status"] == FAILS)
        failures = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        lines.append(f"| {op} | {len(tests)} | {count[PASSES]} | {count[SPECIALISED]} | "
                     f"{count[FOLDED]} | {failures} |")
    lines += ["", "## Every failure", ""]
    for kind in KINDS:
        tests = by_kind.get(kind, [])
        if not tests:
            continue
        lines += [f"### {kind} ({len(tests)})", "", "| test | op | reason |", "|---|---|---|"]
        for name, r in tests:
            lines.append(f"| {name} | {r['op']} | {md_escape(r['detail'])} |")
        lines.append("")
    lines += [f"## Passes with shape inputs specialised ({len(specialised)})", "",
              "| test | op | fixed inputs | under the backend protocol |", "|---|---|---|---|"]
    for name, r in specialised:
        backend = r.get("backend_failure", "").split(":", 1)[0]
        lines.append(f"| {name} | {r['op']} | {', '.join(r['fixed_inputs'])} | {backend} |")
    lines += ["", f"## Folded ({len(folded)})", "",
              "| test | op | inputs | under the backend protocol |", "|---|---|---|---|"]
    for name, r in folded:
        backend = r.get("backend_failure", "").split(":", 1)[0]
        lines.append(f"| {name} | {r['op']} | {', '.join(r['fixed_inputs'])} | {backend} |")
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
                        help="the Markdown report --update-docs writes")
    parser.add_argument("--update-docs", action="store_true",
                        help="regenerate --docs (an unfiltered run only)")
    parser.add_argument("--expected", help="the expectation list (each test's status)")
    parser.add_argument("--update-expected", action="store_true",
                        help="rewrite --expected with this run's statuses (an unfiltered run only)")
    parser.add_argument("--junit", help="also write a JUnit XML report")
    parser.add_argument("--quiet", action="store_true",
                        help="print progress every 10%% and only the tests that matter")
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
    problems = shape_inputs.check()
    if problems:
        print("conformance: the allow-list of test/onnx/shape_inputs.py names inputs the "
              "onnx schemas do not have: " + "; ".join(problems), file=sys.stderr)
        return 2

    data_dir = pathlib.Path(args.data).resolve()
    ensure_data(data_dir)
    all_tests = sorted(p for p in data_dir.iterdir() if p.is_dir())
    tests = [p for p in all_tests if pattern.search(p.name)]
    if not tests:
        print(f"conformance: no test matches --filter {args.filter!r}", file=sys.stderr)
        return 2
    full_run = len(tests) == len(all_tests)
    for flag, wanted in (("--update-docs", args.update_docs),
                         ("--update-expected", args.update_expected)):
        if wanted and not full_run:
            print(f"conformance: {flag} needs an unfiltered run", file=sys.stderr)
            return 2
    expected = None
    if args.expected and (pathlib.Path(args.expected).exists() or not args.update_expected):
        try:
            expected = parse_expected(args.expected)
        except (OSError, ValueError) as error:
            print(f"conformance: {error}", file=sys.stderr)
            return 2
        unknown = sorted(set(expected) - {p.name for p in all_tests})
        if unknown and not args.update_expected:
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
    # Messages must not name this run's temporary files or this machine's
    # data folder: the reports are the same from run to run.
    scrub = [(re.compile(re.escape(str(tmp_root)) + r"(/[^/\s'\"]+)*"), "<tmp>"),
             (re.compile(re.escape(str(data_dir))), "<data>")]
    seconds, compile_seconds = {}, {}

    def one(test_dir):
        start = time.monotonic()
        try:
            result = run_test(optc, test_dir, models[test_dir.name], tmp_root,
                              compile_seconds)
        except Failure as failure:
            result = {"status": FAILS, "fixed_inputs": [], "kind": failure.kind,
                      "detail": failure.detail}
        except Exception as error:  # noqa: BLE001 - a harness problem, reported as such
            result = {"status": FAILS, "fixed_inputs": [], "kind": "runner error",
                      "detail": repr(error)[:300]}
        for key in ("detail", "backend_failure"):
            if key in result:
                for regex, placeholder in scrub:
                    result[key] = regex.sub(placeholder, result[key])
        seconds[test_dir.name] = time.monotonic() - start
        return test_dir.name, result

    def op_of(name):
        base = re.sub(r"_expanded(_ver\d+)?$", "", name)
        if base not in ops_by_test and base != name and (data_dir / base).is_dir():
            base_model = onnx.load(str(data_dir / base / "model.onnx"), load_external_data=False)
            ops_by_test[base] = test_op(base_model, {}, base)
        return test_op(models[name], ops_by_test, name)

    labels = {PASSES: "pass ", SPECIALISED: "spec ", FOLDED: "fold ", FAILS: "FAIL "}
    results, outcomes = {}, {}
    start = time.monotonic()
    width = len(str(len(tests)))
    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(one, t) for t in tests]
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                name, r = future.result()
                r["op"] = op_of(name)
                results[name] = r
                outcome, note = outcomes[name] = judge(name, r, expected)
                label = "xfail" if outcome == "expected failure" else labels[r["status"]]
                line = f"{label} {name}"
                if r["status"] in (SPECIALISED, FOLDED):
                    line += f"  (fixed: {', '.join(r['fixed_inputs'])})"
                elif r["status"] == FAILS:
                    line += f"  [{r['kind']}] {r['detail']}"
                mark = ""
                if outcome == "failed" and expected is not None:
                    mark = f"  << REGRESSION" + (f": {note}" if note else "")
                elif note:
                    mark = f"  (better than listed: {note})"
                if not args.quiet or mark or outcome == "failed":
                    print(f"[{done:{width}}/{len(tests)}] {line}{mark}", flush=True)
                elif done % max(len(tests) // 10, 1) == 0:
                    print(f"[{done:{width}}/{len(tests)}] {time.monotonic() - start:.0f} s",
                          flush=True)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    elapsed = time.monotonic() - start

    figures_line, numbers = figures(results)
    tally = collections.Counter(outcome for outcome, _ in outcomes.values())
    totals = {"passed": tally["passed"], "failed": tally["failed"], "skipped": 0,
              "expected_failures": tally["expected failure"], "folded": tally["folded"]}
    kinds = collections.Counter(r["kind"] for r in results.values() if r["status"] == FAILS)
    failed = sorted(n for n, (outcome, _) in outcomes.items() if outcome == "failed")
    better = sorted(n for n, (outcome, note) in outcomes.items() if outcome != "failed" and note)

    # Deterministic: sorted, no timings, no paths of this run.
    report = {
        "onnx_version": onnx.__version__,
        "filter": args.filter,
        "figures": numbers,
        "totals": totals,
        "failures_by_kind": dict(sorted(kinds.items())),
        "tests": {n: dict(sorted(results[n].items())) for n in sorted(results)},
    }
    report_path = pathlib.Path(args.report)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=1) + "\n")
    if args.junit:
        write_junit(args.junit, results, outcomes, seconds)
    if args.update_docs:
        write_docs(pathlib.Path(args.docs), results, figures_line, numbers)
    if args.update_expected:
        pathlib.Path(args.expected).write_text(
            f"# The ONNX node tests of onnx {onnx.__version__} on the CPU, one a line with its\n"
            "# status (test/onnx/conformance.py):\n"
            "#   passes                     under the ONNX backend protocol: compiled once,\n"
            "#                              every input given at run time\n"
            "#   shape-specialised: IN, ... with these inputs fixed at compile time (inputs\n"
            "#                              that decide shapes, test/onnx/shape_inputs.py)\n"
            "#   folded                     only with every input fixed: a constant\n"
            "#   fails                      an expected failure\n"
            "# CI fails when a test does worse than its line: a pass that needs fixed\n"
            "# inputs, a specialised pass that needs more, a pass or a folded test that fails.\n"
            "# Regenerate: scripts/conformance.sh --update-expected\n"
            + "".join(expectation_line(n, results[n]) + "\n" for n in sorted(results)))

    print()
    print("failures by kind: "
          + (", ".join(f"{k} {kinds[k]}" for k in KINDS if kinds[k]) or "none"))
    print(f"{figures_line} ({elapsed:.0f} s with {args.jobs} jobs; report: {report_path})")
    slowest = sorted(((max(v), n) for n, v in compile_seconds.items() if v), reverse=True)
    if slowest:
        print(f"slowest compiles (budget {COMPILE_BUDGET_S} s): "
              + ", ".join(f"{n} {t:.1f} s" for t, n in slowest[:5]))
    if better:
        print(f"{len(better)} tests do better than the expectation list says (tighten it "
              f"with --update-expected): {' '.join(better[:20])}"
              + (" ..." if len(better) > 20 else ""))
    if failed:
        what = ("regressions (worse than listed, or crashed or timed out)"
                if expected is not None else "failures")
        print(f"{len(failed)} {what}: " + " ".join(failed[:20])
              + (" ..." if len(failed) > 20 else ""))
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped, "
          f"{totals['expected_failures']} expected failures, {totals['folded']} folded")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
