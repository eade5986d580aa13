"""Differential, property-based test of the most used ops against
onnxruntime: random shapes (sizes 1, primes, powers of two; broadcasting),
types (f32, f16, bf16, the integers) and attribute values, drawn from a
seeded stream per (seed, op, case index), so every case is reproducible
alone. Cases are batched: one model holds many cases (each with its own
inputs and outputs), compiled once by optc and run once by optc and by
onnxruntime; a batch that fails to compile is bisected to its failing
cases. The comparison rules are in differential/core.py, the generators
in differential/ops.py.

    OPTC_DIFF_CASES   cases in all (default 4000), spread over the ops
                      (fewer for the convolutions, slow to compile)
    OPTC_DIFF_SEED    master seed (default 20240614)
    OPTC_DIFF_ONLY    Op:index[,Op:index...] or Op: only those cases
    OPTC_DIFF_BATCH   cases per compiled model (default 12)
    OPTC_DIFF_JOBS    batches compiled at once (default 2)

Every failure names the op, the seed and the case index, the case's
shapes, types and attributes, and the command that reruns exactly it.
optc bugs the test found are listed in BUGS. The cases an open bug covers
run as strict expected failures in test_bug (a fix makes them pass and
fails the run until the entry is marked fixed), never skipped; add
--runxfail to see their differences. A fixed bug stays listed: its cases,
and its pinned one, must pass in test_bug (a regression test).
"""
import concurrent.futures
import dataclasses
import math

import numpy as np
import onnx
import pytest

from differential import core, ops

OPS = list(ops.GENERATORS)


@dataclasses.dataclass
class KnownBug:
    """An optc bug: `matches(case)` says whether a drawn case of one of
    `ops` (None: any) hits it. Its expected-failure test runs the drawn
    cases it covers and the first case of `pinned_op` under the default
    seed that it covers, so that it fails (until the fix) whatever the
    case count."""
    name: str
    reason: str
    matches: object
    pinned_op: str
    ops: tuple = None
    fixed: bool = False

    def covers(self, case):
        return (self.ops is None or case.op in self.ops) and self.matches(case)


def _output_shapes(case):
    """The case's output shapes by ONNX shape inference."""
    model = onnx.shape_inference.infer_shapes(core.optc_model([case]))
    return [[d.dim_value for d in o.type.tensor_type.shape.dim] for o in model.graph.output]


def _bf16_remainder_of_one(case):
    shapes = [list(v.shape) for v in {**case.inputs, **case.consts}.values()]
    return case.params.get("dtype") == "bf16" and any(
        d % 8 == 1 and d > 1 for shape in shapes + _output_shapes(case) for d in shape)


def _pow_special_case(case):
    """Pow(+-0, +-0) (1 in IEEE and onnxruntime), Pow(-0, odd y < 0) (-inf)."""
    if case.params.get("dtype") not in core.FLOATS:
        return False
    a = {**case.inputs, **case.consts}["a"].astype(np.float64)
    b = {**case.inputs, **case.consts}["b"].astype(np.float64)
    a, b = np.broadcast_arrays(a, b)
    return bool(np.any((a == 0) & (b == 0))
                or np.any((a == 0) & np.signbit(a) & (b < 0) & (np.mod(b, 2) == 1)))


def _slice_before_the_start(case):
    """A negative step from a start below -dim to an end below -dim: ONNX
    clamps the start to 0 and the end to -1 (one element)."""
    x = case.inputs["x"]
    c = case.consts
    steps = c.get("steps", np.ones_like(c["starts"]))
    axes = c.get("axes", np.arange(len(c["starts"])))
    for a, s, e, k in zip(axes, c["starts"], c["ends"], steps):
        dim = x.shape[a]
        if k < 0 and s < -dim and e < -dim:
            return True
    return False


def _pytorch_half_pixel_to_one(case):
    """pytorch_half_pixel resizing a dimension to 1 by scales whose product
    with the input length is not exactly 1, where (0 + 0.5) / scale - 0.5
    picks another input position than ONNX's 0."""
    if case.params.get("coordinate_transformation_mode") != "pytorch_half_pixel":
        return False
    out = _output_shapes(case)[0]
    scales = case.consts.get("scales")
    if scales is None:  # given sizes, optc maps to 0
        return False
    for d in (-2, -1):
        n, m = case.inputs["x"].shape[d], out[d]
        scale = float(np.float32(scales[d]))
        if m != 1 or n == 1 or n * scale == 1:  # n * scale = 1 exactly: optc maps to 0
            continue
        x = min(max(0.5 / scale - 0.5, 0.0), n - 1)
        mode = case.params.get("nearest_mode", "round_prefer_floor")
        if case.params["mode"] == "nearest":
            x = {"round_prefer_floor": math.ceil(x - 0.5), "round_prefer_ceil": math.floor(x + 0.5),
                 "floor": math.floor(x), "ceil": math.ceil(x)}[mode]
        if x != 0:
            return True
    return False


BUGS = [
    KnownBug(
        "scalar-inputs",
        "optc bug: CompiledModel.__call__ (python/optc/runtime.py) passes "
        "np.ascontiguousarray(value), which makes a rank-0 input 1-D, and the run is "
        "refused: \"input 0 ('a') has shape [1]; the model expects []\"",
        lambda case: any(v.ndim == 0 for v in case.inputs.values()), "Add", fixed=True),
    KnownBug(
        "bf16-remainder-crash",
        "optc bug: bf16 kernels whose vector loops leave one element over (a dimension "
        "of 9, 17, 25, ...: Relu of bf16[9]; Add, Div, Gemm, ReduceMin, Transpose) "
        "crash LLVM's instruction selection: \"LLVM ERROR: Do not know how to soft "
        "promote this operator's operand!\"", _bf16_remainder_of_one, "Add",
        fixed=True),
    KnownBug(
        "abs-int-nd-vector",
        "optc bug: Abs of integers over an n-D vector tile (i32[2,1], i8[3,1], "
        "i32[3,5,3,3]) fails in stage 'llvm': \"failed to legalize operation "
        "'math.absi' that was explicitly marked illegal\" (vector<3x1xi8>)",
        lambda case: case.params.get("dtype") in core.INTS and case.inputs["x"].ndim >= 2,
        "Abs", ops=("Abs",), fixed=True),
    KnownBug(
        "cast-f64-to-bf16-link",
        "optc bug: Cast from f64 to bf16 does not link: \"undefined reference to "
        "`__truncdfbf2'\" (a compiler-rt builtin the library does not get)",
        lambda case: case.params.get("from") == "f64" and case.params.get("to") == "bf16",
        "Cast", ops=("Cast",), fixed=True),
    KnownBug(
        "pow-ieee-special-cases",
        "optc bug: Pow(0, 0) and Pow(-0, 0) are NaN, not 1 (so are Pow(NaN, 0) and "
        "Pow(1, NaN)); Pow(-0, y) for odd negative integers y is +inf, not -inf "
        "(IEEE pow, onnxruntime, NumPy)", _pow_special_case, "Pow", ops=("Pow",),
        fixed=True),
    KnownBug(
        "slice-negative-step-clamp",
        "optc bug: Slice with a negative step and start and end both below -dim gives "
        "no element; ONNX clamps the start to 0 and the end to -1, one element "
        "(onnxruntime; onnx.reference, like NumPy, agrees with optc): x of shape [3, 1], "
        "starts=[-3], ends=[-3], axes=[1], steps=[-1] is [3, 1], optc makes it [3, 0]",
        _slice_before_the_start, "Slice", ops=("Slice",), fixed=True),
    KnownBug(
        "resize-pytorch-half-pixel-to-one",
        "optc bug: Resize by scales with coordinate_transformation_mode="
        "pytorch_half_pixel and an output length of 1 that is floor(length * scale) < "
        "length * scale maps with (x + 0.5) / scale - 0.5; ONNX says x_original = 0 "
        "there (onnxruntime does; optc does given sizes or length * scale = 1): "
        "x = arange(15) as [3, 5], scales [0.5, 2], linear: optc gives [2.5, 2.75, ...], "
        "onnxruntime [0, 0.25, ...]",
        _pytorch_half_pixel_to_one, "Resize", ops=("Resize",), fixed=True),
]


def indices(op):
    count = ops.case_counts(core.total_cases())[op]
    selected = core.only()
    if selected is None:
        return range(count)
    chosen = selected.get(op, set())
    return range(count) if chosen is None else sorted(chosen)


def selected_ops():
    selected = core.only()
    return OPS if selected is None else [op for op in OPS if op in selected]


def first_bug(case):
    """The first bug of BUGS, open or fixed, that covers the case."""
    for bug in BUGS:
        if bug.covers(case):
            return bug
    return None


def known_bug(case):
    """The open bug that covers the case, if any (test_differential leaves
    its cases to test_bug)."""
    bug = first_bug(case)
    return bug if bug is not None and not bug.fixed else None


def run_cases(optc, cases, bisect=True):
    """Every case through optc and onnxruntime, in batches; the failures
    as messages. Without `bisect`, a batch that does not compile or run
    fails as a whole, and mismatches are not confirmed alone."""
    size = core.batch_size()
    batches = [cases[i:i + size] for i in range(0, len(cases), size)]
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max(1, core.jobs())) as pool:
        for result in pool.map(lambda batch: core.check_batch(
                optc, batch, confirm=bisect, bisect=bisect), batches):
            failures += result
    failures.sort(key=lambda f: f[0].index)
    return [core.format_failure(case, message) for case, message in failures]


def report(op, count, failures):
    shown = failures[:20]
    more = len(failures) - len(shown)
    return (f"{len(failures)} of {count} cases ({op}) differ from onnxruntime:\n\n"
            + "\n\n".join(shown) + (f"\n\n... and {more} more" if more else ""))


@pytest.mark.parametrize("op", selected_ops())
def test_differential(optc, optc_api, op):
    seed = core.master_seed()
    cases = [ops.make_case(op, i, seed) for i in indices(op)]
    cases = [c for c in cases if known_bug(c) is None]
    failures = run_cases(core.Optc(optc, optc_api), cases)
    if failures:
        pytest.fail(report(op, len(cases), failures), pytrace=False)


def _bug_params():
    return [pytest.param(bug, id=bug.name,
                         marks=() if bug.fixed else
                         pytest.mark.xfail(strict=True, reason=bug.reason))
            for bug in BUGS
            if set(bug.ops or [bug.pinned_op]) & set(selected_ops())]


@pytest.mark.parametrize("bug", _bug_params())
def test_bug(optc, optc_api, bug):
    """The drawn cases a bug covers, and its pinned one: they fail until
    the bug is fixed, and pass from then on."""
    seed = core.master_seed()
    cases = [c for op in selected_ops() if bug.ops is None or op in bug.ops
             for c in (ops.make_case(op, i, seed) for i in indices(op))
             if bug.covers(c) and first_bug(c) is bug]
    for i in range(10000):
        case = ops.make_case(bug.pinned_op, i, core.DEFAULT_SEED)
        if first_bug(case) is bug:  # not one an earlier bug covers
            if not any(c.op == case.op and c.index == i and c.seed == case.seed
                       for c in cases):
                cases.append(case)
            break
    else:
        pytest.fail(f"no case of {bug.pinned_op} shows {bug.name}")
    failures = run_cases(core.Optc(optc, optc_api), cases, bisect=False)
    if failures:
        pytest.fail(report(bug.name, len(cases), failures), pytrace=False)
