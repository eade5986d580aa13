#!/usr/bin/env python3
"""Accuracy of optc's elementwise math against float64 and onnxruntime.

Every function is compiled by optc twice (the default, and --fast-math) as
a one-node f32 model, and run by optc and by onnxruntime on the same
inputs: log-uniform magnitudes of both signs from the smallest subnormal up
to |x| = 1e5, a dense sweep of each function's own interval, and the
special values (+-0, +-inf, NaN, the largest finite float). Every result is
compared with the float64 result (NumPy, or Python's math module) rounded
to f32, in units in the last place (ULP) of that rounded reference.

Figures are the largest error over each range of |x|:
  tiny     subnormal and |x| < 2^-20   (where most functions are x or 1)
  small    2^-20 <= |x| < 1
  medium   1 <= |x| < 100
  large    100 <= |x|, up to 1e5 and FLT_MAX
  special  +-0, +-inf, NaN: as the others, and `wrong` (infinite error)
           where the result is NaN, infinite or (for odd functions) a signed
           zero and optc's is not the same
Inputs outside a function's domain (log of a negative number, ...) must give
NaN and count under their range.

usage: accuracy.py [--optc BIN] [--points N] [--functions Sin,Cos]
                   [--json FILE] [--docs FILE] [--check] [--speed]

--optc BIN measures the compiler BIN (another build's `optc`, compiled
models loaded by this package) instead of the optc package in process;
--speed also times each function on 2^20 elements, one thread, per mode.

--check exits 1 when optc's default mode is less accurate than onnxruntime
on some range (the rule: optc's error <= max(onnxruntime's, BOUND ULP), see
below), when its worst error over all ranges exceeds onnxruntime's worst,
or when it gets a special value wrong; scripts/test.sh runs the same check
through test/e2e/test_accuracy.py with fewer points.
"""
import argparse
import json
import math
import os
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

ROOT = pathlib.Path(__file__).resolve().parent.parent

# An error of up to this many ULP is not counted against optc when
# onnxruntime happens to be better (both are within a couple of roundings
# of the correctly rounded result; below that, max-ULP comparisons measure
# polynomial luck, not accuracy).
BOUND_ULP = 2.0

RANGES = ["tiny", "small", "medium", "large", "special"]


def _erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _erfc(x):
    return np.vectorize(math.erfc, otypes=[np.float64])(x)


def _softplus(x):
    # log(1 + e^x) without overflow or cancellation.
    return np.where(x > 30, x + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(np.minimum(x, 30))))


def _gelu(x):
    return 0.5 * x * _erfc(-x / math.sqrt(2.0))


def _mish(x):
    return x * np.tanh(_softplus(x))


def _sigmoid(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


def _elu(x):
    # ONNX: x for x >= 0 (so -0 stays -0), alpha (e^x - 1) below.
    return np.where(x >= 0, x, np.expm1(np.minimum(x, 0)))


def _selu(x):
    alpha, gamma = 1.67326319217681884765625, 1.05070102214813232421875
    return gamma * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


# name: (ONNX op, attributes, float64 reference, its own interval, opset)
FUNCTIONS = {
    "Sin": ("Sin", {}, np.sin, (-10, 10)),
    "Cos": ("Cos", {}, np.cos, (-10, 10)),
    "Tan": ("Tan", {}, np.tan, (-3.2, 3.2)),
    "Asin": ("Asin", {}, np.arcsin, (-1, 1)),
    "Acos": ("Acos", {}, np.arccos, (-1, 1)),
    "Atan": ("Atan", {}, np.arctan, (-20, 20)),
    "Sinh": ("Sinh", {}, np.sinh, (-90, 90)),
    "Cosh": ("Cosh", {}, np.cosh, (-90, 90)),
    "Tanh": ("Tanh", {}, np.tanh, (-10, 10)),
    "Asinh": ("Asinh", {}, np.arcsinh, (-10, 10)),
    "Acosh": ("Acosh", {}, np.arccosh, (1, 10)),
    "Atanh": ("Atanh", {}, np.arctanh, (-1, 1)),
    "Exp": ("Exp", {}, np.exp, (-104, 89)),
    "Log": ("Log", {}, np.log, (0, 10)),
    "Sqrt": ("Sqrt", {}, np.sqrt, (0, 10)),
    "Erf": ("Erf", {}, _erf, (-5, 5)),
    "Sigmoid": ("Sigmoid", {}, _sigmoid, (-20, 20)),
    "Softplus": ("Softplus", {}, _softplus, (-20, 20)),
    "Gelu": ("Gelu", {}, _gelu, (-10, 10)),
    "Mish": ("Mish", {}, _mish, (-10, 10)),
    "Elu": ("Elu", {}, _elu, (-10, 10)),
    "Selu": ("Selu", {}, _selu, (-10, 10)),
}

# Odd functions, whose f(-0) must be -0; elsewhere the sign of a zero
# result is not checked.
ODD = {"Sin", "Tan", "Asin", "Atan", "Sinh", "Tanh", "Asinh", "Atanh", "Erf"}

SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, np.finfo(np.float32).max,
                     -np.finfo(np.float32).max], dtype=np.float32)


def inputs(interval, points, seed):
    """The sweep: log-uniform magnitudes of both signs from 2^-149 to 1e5,
    the function's interval densely, and the special values last."""
    rng = np.random.default_rng(seed)
    half = points // 2
    mags = np.exp(rng.uniform(math.log(2.0 ** -149), math.log(1e5), half))
    signs = np.where(rng.integers(0, 2, half) == 0, -1.0, 1.0)
    lo, hi = interval
    dense = np.linspace(lo, hi, points - half)
    x = np.concatenate([mags * signs, dense]).astype(np.float32)
    # Exactly representable boundary points of the interval.
    x = np.concatenate([x, np.array([lo, hi, 1.0, -1.0, 2.0 ** -126, -2.0 ** -126,
                                     1e5, -1e5], dtype=np.float32), SPECIALS])
    return x


def range_of(x):
    a = np.abs(x.astype(np.float64))
    names = np.full(x.shape, "large", dtype=object)
    names[a < 100] = "medium"
    names[a < 1] = "small"
    names[a < 2.0 ** -20] = "tiny"
    names[(a == 0) | ~np.isfinite(a)] = "special"
    return names


def ulp_error(got, ref64, signed_zero=True):
    """|got - ref| in ULP of ref rounded to f32; inf where they disagree on
    NaN, infinity or sign of an exact zero."""
    got = got.astype(np.float32)
    with np.errstate(all="ignore"):
        ref = ref64.astype(np.float32)
    err = np.zeros(got.shape, dtype=np.float64)
    nan_ref, nan_got = np.isnan(ref), np.isnan(got)
    err[nan_ref != nan_got] = np.inf
    both = ~nan_ref & ~nan_got
    inf_ref, inf_got = np.isinf(ref), np.isinf(got)
    inf_case = both & (inf_ref | inf_got)
    err[inf_case & (got != ref)] = np.inf
    finite = both & ~inf_ref & ~inf_got
    a = np.abs(ref[finite]).astype(np.float64)
    # ULP of the reference's binade (subnormals: 2^-149).
    exp = np.floor(np.log2(np.maximum(a, 2.0 ** -126)))
    ulp = np.exp2(exp - 23)
    with np.errstate(all="ignore"):
        diff = np.abs(got[finite].astype(np.float64) - ref64[finite].astype(np.float64))
    # Against the float64 value (not its f32 rounding), so a correctly
    # rounded result reads at most 0.5 ULP.
    err[finite] = diff / ulp
    zero = finite.copy()
    zero[finite] = a == 0
    if signed_zero:
        err[zero & (np.signbit(got) != np.signbit(ref))] = np.inf
    return err


def model(op, attrs, n):
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], op.lower(),
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=10)


OPTC_BIN = None  # --optc: an optc executable to compile with


def compile_optc(proto, fast_math):
    import optc
    if OPTC_BIN is None:
        return optc.compile(proto, fast_math=fast_math)
    import subprocess
    import tempfile
    work = tempfile.mkdtemp(prefix="optc-accuracy-")
    path = os.path.join(work, "m.onnx")
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())
    args = [OPTC_BIN, path, "-o", os.path.join(work, "m.so")] + (["--fast-math"] if fast_math else [])
    subprocess.run(args, check=True)
    return optc.load(os.path.join(work, "m.so"))


def run_optc(proto, x, fast_math):
    return np.asarray(compile_optc(proto, fast_math)(x))


def time_per_element(fn, x, repeats=15):
    """Median nanoseconds per element of fn(x) over `repeats` calls."""
    import time
    fn(x)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(x)
        samples.append(time.perf_counter() - start)
    return 1e9 * sorted(samples)[len(samples) // 2] / x.size


def speed(names, modes):
    """{function: {mode: ns per element}} on 2^20 inputs of the function's
    own interval, one thread."""
    import onnxruntime as ort
    os.environ.setdefault("OPTC_NUM_THREADS", "1")
    results = {}
    n = 1 << 20
    for name in names:
        op, attrs, _, (lo, hi) = FUNCTIONS[name]
        x = np.linspace(lo, hi, n).astype(np.float32)
        proto = model(op, attrs, n)
        row = {}
        for mode in modes:
            compiled = compile_optc(proto, mode == "fast-math")
            row[mode] = time_per_element(compiled, x)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(proto.SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
        row["onnxruntime"] = time_per_element(lambda v: session.run(None, {"x": v}), x)
        results[name] = row
        print(f"accuracy: speed {name}: " + ", ".join(f"{k} {v:.2f} ns" for k, v in row.items()),
              flush=True)
    return results


def run_ort(proto, x):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(proto.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def measure(names, points, seed=0, with_ort=True, progress=True, modes=("optc", "fast-math")):
    """{function: {"optc": {range: ulp}, "fast-math": ..., "onnxruntime": ...}}"""
    results = {}
    for i, name in enumerate(names):
        op, attrs, reference, interval = FUNCTIONS[name]
        x = inputs(interval, points, seed)
        with np.errstate(all="ignore"):
            ref = reference(x.astype(np.float64))
        ranges = range_of(x)
        proto = model(op, attrs, x.size)
        outputs = {mode: run_optc(proto, x, mode == "fast-math") for mode in modes}
        if with_ort:
            outputs["onnxruntime"] = run_ort(proto, x)
        row = {}
        for who, got in outputs.items():
            err = ulp_error(got, ref, signed_zero=name in ODD)
            worst = {}
            for r in RANGES:
                mask = ranges == r
                if np.any(mask):
                    k = int(np.argmax(np.where(mask, err, -1)))
                    worst[r] = {"ulp": float(err[k]), "x": float(x[k]),
                                "got": float(got[k]), "want": float(ref[k])}
            row[who] = worst
        results[name] = row
        if progress:
            print(f"accuracy: [{i + 1}/{len(names)}] {name}: optc "
                  f"{fmt(max(v['ulp'] for v in row['optc'].values()))} ULP", flush=True)
    return results


def fmt(ulp):
    if ulp == math.inf:
        return "wrong"
    if ulp < 10:
        return f"{ulp:.2f}"
    if ulp < 1e4:
        return f"{ulp:.0f}"
    return f"{ulp:.1e}"


def violations(results, compare_worst=False):
    """Ranges where optc's default is worse than onnxruntime (by the rule of
    the module's docstring), or gets a special value wrong; with
    `compare_worst`, also functions whose worst error over all ranges
    exceeds onnxruntime's (--check: on the full sweep, where the worst cases
    are found; a small sample may miss both sides' worst)."""
    bad = []
    for name, row in results.items():
        for r, mine in row["optc"].items():
            theirs = row.get("onnxruntime", {}).get(r, {"ulp": 0.0})["ulp"]
            if mine["ulp"] > max(theirs, BOUND_ULP):
                bad.append(f"{name} {r}: optc {fmt(mine['ulp'])} ULP at x={mine['x']!r} "
                           f"(onnxruntime {fmt(theirs)} ULP)")
        if compare_worst and "onnxruntime" in row:
            mine = max(row["optc"].values(), key=lambda v: v["ulp"])
            theirs = max(v["ulp"] for v in row["onnxruntime"].values())
            if mine["ulp"] > theirs:
                bad.append(f"{name}: optc's worst {fmt(mine['ulp'])} ULP at "
                           f"x={mine['x']!r} exceeds onnxruntime's worst {fmt(theirs)} ULP")
    return bad


def table(results, who):
    lines = ["| function | " + " | ".join(RANGES) + " | worst at |",
             "|---|" + "---:|" * len(RANGES) + "---|"]
    for name, row in results.items():
        cells = row.get(who)
        if cells is None:
            continue
        worst = max(cells.values(), key=lambda v: v["ulp"])
        lines.append(f"| {name} | " + " | ".join(
            fmt(cells[r]["ulp"]) if r in cells else "" for r in RANGES)
            + f" | x = {worst['x']:.9g} |")
    return "\n".join(lines)


def speed_table(timings):
    if not timings:
        return "(run with --speed)"
    lines = ["| function | optc | optc --fast-math | onnxruntime |", "|---|---:|---:|---:|"]
    for name, row in timings.items():
        lines.append(f"| {name} | {row.get('optc', 0):.2f} | {row.get('fast-math', 0):.2f} | "
                     f"{row['onnxruntime']:.2f} |")
    return "\n".join(lines)


def docs(results, points, timings=None):
    return f"""# Accuracy of elementwise math

Generated by `scripts/accuracy.py --speed --docs docs/accuracy.md` ({points} inputs per
function and mode); do not edit by hand.

Every function is compiled as a one-node f32 model and run on the same
inputs by optc and by onnxruntime (CPU, one thread): log-uniform magnitudes
of both signs from the smallest subnormal up to |x| = 1e5, a dense sweep
of the function's own interval, and +-0, +-inf, NaN and +-FLT_MAX. Each
result is compared with the float64 result; a cell is the largest error in
units in the last place (ULP) of f32 over a range of |x|:

- tiny: subnormals and |x| < 2^-20; small: 2^-20 <= |x| < 1;
  medium: 1 <= |x| < 100; large: 100 <= |x|, up to 1e5 and FLT_MAX;
- special: +-0, +-inf and NaN.

A correctly rounded result is within 0.5 ULP. `wrong` also marks a NaN
where float64 has a number, or the reverse.

## optc (default)

{table(results, "optc")}

## optc --fast-math

`--fast-math` (Python: `optc.compile(..., fast_math=True)`) uses MLIR's
polynomial approximations as they are: cheaper, and accurate only near
the origin. These are their measured error bounds.

{table(results, "fast-math")}

## onnxruntime (CPU execution provider)

{table(results, "onnxruntime")}

## Cost

Nanoseconds per element on 2^20 inputs of each function's own interval,
one thread, median of 15 runs (`--speed`; this machine's timings are
noisy: compare within a row).

{speed_table(timings)}

`scripts/accuracy.py --check` fails when optc's default is less accurate
than onnxruntime on some range (more than max(onnxruntime's error,
{BOUND_ULP:g} ULP)), when a function's worst error exceeds onnxruntime's
worst, or when it gets a special value wrong; scripts/test.sh runs the
per-range check with fewer points (`test/e2e/test_accuracy.py`).
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1 << 17)
    parser.add_argument("--functions", default=",".join(FUNCTIONS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the measurements as JSON")
    parser.add_argument("--docs", help="write the markdown tables (docs/accuracy.md)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when optc is less accurate than onnxruntime")
    parser.add_argument("--optc", help="an optc executable to measure instead of the package")
    parser.add_argument("--no-fast-math", action="store_true",
                        help="measure the default mode only (for builds without --fast-math)")
    parser.add_argument("--speed", action="store_true",
                        help="also time each function per mode (ns per element, one thread)")
    args = parser.parse_args()
    global OPTC_BIN
    OPTC_BIN = args.optc
    names = [n for n in args.functions.split(",") if n]
    unknown = [n for n in names if n not in FUNCTIONS]
    if unknown:
        parser.error(f"unknown functions: {', '.join(unknown)}; known: {', '.join(FUNCTIONS)}")
    modes = ("optc",) if args.no_fast_math else ("optc", "fast-math")
    results = measure(names, args.points, args.seed, modes=modes)
    print(table(results, "optc"))
    timings = speed(names, modes) if args.speed else None
    if args.json:
        payload = {"accuracy": results, "speed": timings}
        pathlib.Path(args.json).write_text(json.dumps(payload, indent=1, sort_keys=True))
    if args.docs:
        pathlib.Path(args.docs).write_text(docs(results, args.points, timings))
    bad = violations(results, compare_worst=True)
    for line in bad:
        print(f"accuracy: {line}")
    if args.check and bad:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
