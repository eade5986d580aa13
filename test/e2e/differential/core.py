"""The machinery of the differential test (test/e2e/test_differential.py):
cases, the random draws they are made of, batching many cases into one
model, running it through optc and onnxruntime, and the comparison rules.

A case is one node (or a few) with its own inputs and outputs. Cases are
drawn from a generator per op (differential/ops.py) with a random stream
that depends only on (master seed, op, case index), so case i of an op is
the same whatever the case count, batch size or other cases around it.
"""
import dataclasses
import math
import os
import subprocess
import tempfile
import time
import zlib

import ml_dtypes
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OPSET = 21
IR_VERSION = 10

# name: (NumPy dtype, ONNX element type)
DTYPES = {
    "f32": (np.dtype(np.float32), TensorProto.FLOAT),
    "f16": (np.dtype(np.float16), TensorProto.FLOAT16),
    "bf16": (np.dtype(ml_dtypes.bfloat16), TensorProto.BFLOAT16),
    "f64": (np.dtype(np.float64), TensorProto.DOUBLE),
    "i8": (np.dtype(np.int8), TensorProto.INT8),
    "i16": (np.dtype(np.int16), TensorProto.INT16),
    "i32": (np.dtype(np.int32), TensorProto.INT32),
    "i64": (np.dtype(np.int64), TensorProto.INT64),
    "u8": (np.dtype(np.uint8), TensorProto.UINT8),
    "u16": (np.dtype(np.uint16), TensorProto.UINT16),
    "u32": (np.dtype(np.uint32), TensorProto.UINT32),
    "u64": (np.dtype(np.uint64), TensorProto.UINT64),
    "bool": (np.dtype(np.bool_), TensorProto.BOOL),
}
FLOATS = ("f32", "f16", "bf16", "f64")
INTS = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")
# Significand bits (without the implicit one) and the smallest normal.
_MANTISSA = {"f32": (23, 2.0 ** -126), "f16": (10, 2.0 ** -14),
             "bf16": (7, 2.0 ** -126), "f64": (52, 2.0 ** -1022)}


def np_dtype(name):
    return DTYPES[name][0]


def onnx_type(name):
    return DTYPES[name][1]


def dtype_name(dtype):
    dtype = np.dtype(dtype)
    for name, (d, _) in DTYPES.items():
        if d == dtype:
            return name
    raise KeyError(dtype)


def eps(name):
    """The distance from 1 to the next larger number of the type."""
    return 2.0 ** -_MANTISSA[name][0]


def ulp(x, name):
    """The spacing of the type's numbers at |x| (float64 in, float64 out);
    below the smallest normal, the subnormal spacing."""
    bits, tiny = _MANTISSA[name]
    a = np.maximum(np.abs(np.asarray(x, np.float64)), tiny)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.floor(np.log2(np.where(np.isfinite(a), a, 1.0)))
    return np.exp2(e - bits)


# ---------------------------------------------------------------- settings

DEFAULT_SEED = 20240614
DEFAULT_CASES = 4000


def master_seed():
    return int(os.environ.get("OPTC_DIFF_SEED", DEFAULT_SEED))


def total_cases():
    return int(os.environ.get("OPTC_DIFF_CASES", DEFAULT_CASES))


def batch_size():
    return int(os.environ.get("OPTC_DIFF_BATCH", 12))


def jobs():
    return int(os.environ.get("OPTC_DIFF_JOBS", 2))


def only():
    """OPTC_DIFF_ONLY=Op:3,Op:7,Other (an op alone: all its cases): a dict
    op -> set of case indices, or None for all of them; None if unset."""
    spec = os.environ.get("OPTC_DIFF_ONLY", "").strip()
    if not spec:
        return None
    selected = {}
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        op, _, index = item.partition(":")
        if not index:
            selected[op] = None
        elif selected.get(op, set()) is not None:
            selected.setdefault(op, set()).add(int(index))
    return selected


def rerun_hint(op, index):
    return (f"OPTC_DIFF_SEED={master_seed()} OPTC_DIFF_ONLY={op}:{index} "
            "OPTC_BUILD_DIR=$PWD/build .venv/bin/python -m pytest -q "
            "test/e2e/test_differential.py")


# ------------------------------------------------------------------ draws

class Draw:
    """The random stream of one case, with the draws generators share."""

    # Sizes: 1 (broadcasting, degenerate loops) often, primes (no vector
    # width divides them) and a few powers of two (exact vector widths).
    SIZES = [1, 1, 1, 2, 3, 5, 7, 13, 17, 31, 61, 127, 4, 8, 16, 64]
    SIZE_WEIGHTS = [6, 0, 0, 5, 5, 5, 5, 3, 3, 2, 1, 1, 2, 2, 2, 1]

    def __init__(self, seed, op, index):
        self.seed = (seed, zlib.crc32(op.encode()), index)
        self.rng = np.random.default_rng(list(self.seed))

    # plain draws
    def choice(self, options, p=None):
        if p is not None:
            p = np.asarray(p, np.float64)
            p = p / p.sum()
        return options[int(self.rng.choice(len(options), p=p))]

    def integer(self, lo, hi):
        """An integer in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))

    def chance(self, p):
        return bool(self.rng.random() < p)

    def uniform(self, lo, hi):
        return float(self.rng.uniform(lo, hi))

    def size(self, limit=127):
        sizes = [s for s in self.SIZES if s <= limit] or [1]
        weights = [w for s, w in zip(self.SIZES, self.SIZE_WEIGHTS) if s <= limit]
        return self.choice(sizes, weights if sum(weights) else None)

    def shape(self, rank, max_elements=6000, limit=127):
        """A shape of `rank` dimensions from the size distribution, its
        element count at most max_elements (the largest dimensions are
        drawn again, smaller, until it fits)."""
        shape = [self.size(limit) for _ in range(rank)]
        while shape and math.prod(shape) > max_elements:
            i = int(np.argmax(shape))
            shape[i] = self.size(max(1, shape[i] // 2))
        return shape

    def broadcast_to(self, shape, keep_rank=False):
        """An operand shape that broadcasts to `shape`: leading dimensions
        dropped, others set to 1."""
        rank = len(shape)
        r = rank if keep_rank or not self.chance(0.35) else self.integer(0, rank)
        sub = list(shape[rank - r:])
        for i in range(len(sub)):
            if self.chance(0.3):
                sub[i] = 1
        return sub

    # values
    def values(self, shape, dtype, lo=-4.0, hi=4.0, special=0.0, nonzero=False,
               integral=False):
        """Random values of `dtype` in [lo, hi] (clipped to the type's
        range); with probability `special` per element a special value of
        the float types (+-0, +-tiny, +-large inside [lo, hi] when it covers
        them); `integral` rounds floats to integers (ties, exact results)."""
        dtype = np.dtype(np_dtype(dtype)) if isinstance(dtype, str) else np.dtype(dtype)
        name = dtype_name(dtype)
        if name == "bool":
            return self.rng.random(shape) < 0.5
        if name in INTS:
            info = np.iinfo(dtype)
            a = max(int(math.ceil(lo)), int(info.min))
            b = min(int(math.floor(hi)), int(info.max), 2 ** 62)
            v = self.rng.integers(a, b + 1, size=shape, dtype=np.int64)
            if nonzero:
                v[v == 0] = 1 if b >= 1 else -1
            return v.astype(dtype)
        v = np.array(self.rng.uniform(lo, hi, size=shape))
        if integral:
            v = np.array(np.round(v))
        if special and v.size:
            mask = self.rng.random(shape) < special
            if mask.any():
                cands = [0.0, -0.0]
                if lo <= 0 <= hi:
                    cands += [1e-30 if name != "f16" else 3e-7, -1e-30 if name != "f16" else -3e-7]
                big = min(hi, 6e4 if name == "f16" else 1e6)
                if big > 10:
                    cands += [big, -big if lo <= -big else lo]
                if lo > 0:
                    cands = [c for c in cands if c >= lo] or [lo]
                pick = self.rng.integers(0, len(cands), size=int(mask.sum()))
                v[mask] = np.asarray(cands)[pick]
        if nonzero:
            v[v == 0] = 0.5
        with np.errstate(over="ignore"):  # large values may become inf
            return np.asarray(np.asarray(v, np.float64).astype(dtype))


# ------------------------------------------------------------------ cases

@dataclasses.dataclass
class Output:
    name: str
    dtype: str          # a DTYPES key
    tol: object = None  # a tolerance (below); None: exact


@dataclasses.dataclass
class Case:
    """One case: nodes over local names; `inputs` are fed at run time,
    `consts` are initializers (the operands that decide shapes, weights);
    `ref` is "native" (onnxruntime runs the node as it is) or "f32"
    (onnxruntime has no kernel for the type: it runs the node on f32
    copies, cast from and rounded back to the type by its own Cast);
    `mag` lists the float inputs and constants whose absolute values give
    the magnitude Sum tolerances need (see Sum), `mag_attrs` attribute
    values for that copy (|alpha|, ...)."""
    op: str
    index: int
    seed: tuple
    nodes: list
    inputs: dict
    outputs: list
    consts: dict = dataclasses.field(default_factory=dict)
    params: dict = dataclasses.field(default_factory=dict)
    ref: str = "native"
    mag: tuple = ()
    mag_attrs: dict = dataclasses.field(default_factory=dict)

    def describe(self):
        parts = [f"{n}: {dtype_name(v.dtype)}{list(v.shape)}" for n, v in self.inputs.items()]
        parts += [f"{n} (constant): {dtype_name(v.dtype)}{list(v.shape)}"
                  + (f" = {v.tolist()}" if v.size <= 8 else "")
                  for n, v in self.consts.items()]
        text = ", ".join(parts)
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return (f"inputs {text}; {params}" + ("" if self.ref == "native" else
                f"; reference: onnxruntime in f32, rounded to the type"))


# ------------------------------------------------------------- tolerances
#
# The rules, written once. `want` is onnxruntime's result and `got` optc's,
# both as float64; `name` is the output's type; an element passes when
# |got - want| <= allowed, or both are the same non-finite value (NaN
# equals NaN, inf equals inf of the same sign).
#
# - Exact: data movement, selection, comparisons, integer arithmetic, and
#   the IEEE operations that are correctly rounded in the output type
#   where both round once (f32 +, -, *, /, sqrt, max, ...).
# - Ulp(n, scale): elementwise functions computed by two different
#   approximations. Each is a few ULP from the true value (docs/accuracy.md
#   measures optc's and onnxruntime's: at most ~5 ULP apart for the ones
#   tested here), so n ULP of the result; `scale` adds n * eps * scale
#   absolutely, for functions whose usual formulas lose relative accuracy
#   where the result is much smaller than an intermediate (onnxruntime's
#   sigmoid and gelu at large negative x are exact only to eps * 1 and
#   eps * |x|, see docs/accuracy.md's onnxruntime table), and for narrow
#   types computed through f32 and rounded (scale 0: the ULP rule covers
#   one rounding).
# - Sum(K): a result that sums K products (matmul, conv, reductions,
#   pooling, scans) in an order optc chooses. Each implementation's error
#   is at most ~K * u * M in the worst case and ~sqrt(K) * u * M in the
#   typical one, M = the same sum over the absolute values of the terms
#   (computed by onnxruntime, in f32, on |inputs|), u the accumulation
#   type's eps; the bound is 2 * sqrt(K) * eps * M + 2 ULP of the result,
#   eps that of the output type (an f16/bf16 kernel may accumulate in its
#   own type). The probabilistic sqrt(K) rather than K keeps the test
#   sharp: 2*sqrt(K)*eps*M is more than 4 standard deviations of the
#   difference of two independent roundings per term.
# - Custom(fn): Pow, normalisations, softmax, linear Resize:
#   fn(case, want, type) derives the bound from the formula's condition
#   (see the generator, in differential/ops.py).
# Never widen a rule to make a case pass: a case outside it is a finding
# (optc's, onnxruntime's, or the generator's; see BUGS in the test).


class Exact:
    def allowed(self, case, want, name, mag):
        return np.zeros_like(want)

    def __repr__(self):
        return "exact"


class Ulp:
    def __init__(self, n, scale=0.0):
        self.n, self.scale = n, scale

    def allowed(self, case, want, name, mag):
        scale = self.scale(case) if callable(self.scale) else self.scale
        return self.n * (ulp(want, name) + eps(name) * np.abs(scale))

    def __repr__(self):
        return f"{self.n} ULP" + (" + scaled eps" if callable(self.scale) or self.scale else "")


class Sum:
    needs_mag = True

    def __init__(self, k):
        self.k = max(int(k), 1)

    def allowed(self, case, want, name, mag):
        return 2 * math.sqrt(self.k) * eps(name) * mag + 2 * ulp(want, name)

    def __repr__(self):
        return f"sum of {self.k} terms: 2*sqrt(K)*eps*sum|terms| + 2 ULP"


class Custom:
    def __init__(self, fn, text):
        self.fn, self.text = fn, text

    def allowed(self, case, want, name, mag):
        return self.fn(case, want, name)

    def __repr__(self):
        return self.text


def compare(case, out, got, want, mag):
    """None if optc's `got` matches onnxruntime's `want` for this output,
    else a message."""
    name = out.dtype
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} vs onnxruntime's {want.dtype}"
    if got.shape != want.shape:
        return f"shape {list(got.shape)} vs onnxruntime's {list(want.shape)}"
    if got.size == 0:
        return None
    if name not in FLOATS:
        bad = got != want
        if not bad.any():
            return None
        return _describe_bad(case, bad, got, want, None)
    g, w = got.astype(np.float64), want.astype(np.float64)
    tol = out.tol or Exact()
    allowed = np.broadcast_to(tol.allowed(case, w, name, None if mag is None else
                                          mag.astype(np.float64)), w.shape)
    finite = np.isfinite(w) & np.isfinite(g)
    with np.errstate(invalid="ignore"):
        ok = np.where(finite, np.abs(g - w) <= allowed,
                      (np.isnan(g) & np.isnan(w)) | (g == w))
    if ok.all():
        return None
    return _describe_bad(case, ~ok, g, w, allowed, tol)


def _describe_bad(case, bad, got, want, allowed, tol=None):
    count = int(bad.sum())
    if allowed is not None:
        with np.errstate(invalid="ignore"):
            excess = np.where(bad, np.abs(got - want) - allowed, -np.inf)
        excess = np.where(np.isnan(excess), np.inf, excess)
        at = np.unravel_index(int(np.argmax(excess)), bad.shape) if bad.ndim else ()
    else:
        at = np.unravel_index(int(np.argmax(bad)), bad.shape) if bad.ndim else ()
    text = (f"{count} of {bad.size} elements differ; worst at {[int(i) for i in at]}: "
            f"optc {got[at].item()!r}, onnxruntime {want[at].item()!r}")
    if allowed is not None and np.isfinite(allowed[at]):
        text += f", allowed difference {float(allowed[at]):.3g} ({tol!r})"
    return text


# ---------------------------------------------------------------- batches

def _prefix(case):
    return f"{case.op}_{case.index}_{case.seed[0]}_"


def _rename(node, mapping):
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    del copy.input[:]
    copy.input.extend([mapping(n) if n else "" for n in node.input])
    del copy.output[:]
    copy.output.extend([mapping(n) if n else "" for n in node.output])
    return copy


def _value_info(name, dtype):
    # No shape: optc and onnxruntime infer the output shapes, compared below.
    return helper.make_tensor_value_info(name, onnx_type(dtype), None)


def optc_model(cases):
    """One model holding every case: their own inputs, constants, outputs."""
    nodes, inputs, outputs, inits = [], [], [], []
    for case in cases:
        p = _prefix(case)
        nodes += [_rename(n, lambda s: p + s) for n in case.nodes]
        inputs += [helper.make_tensor_value_info(p + n, onnx_type(dtype_name(v.dtype)),
                                                 list(v.shape))
                   for n, v in case.inputs.items()]
        inits += [_tensor(p + n, v) for n, v in case.consts.items()]
        outputs += [_value_info(p + o.name, o.dtype) for o in case.outputs]
    return _model(nodes, inputs, outputs, inits)


def _tensor(name, value):
    value = np.asarray(value)
    if value.dtype == ml_dtypes.bfloat16:
        t = helper.make_tensor(name, TensorProto.BFLOAT16, value.shape,
                               value.view(np.uint16).flatten().tobytes(), raw=True)
        return t
    return numpy_helper.from_array(value, name)


def _model(nodes, inputs, outputs, inits):
    graph = helper.make_graph(nodes, "differential", inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    return model


def reference_model(cases):
    """The model onnxruntime runs: each case as optc gets it, or (ref
    "f32") through f32 casts; plus, for cases with Sum tolerances, a copy
    in f32 on the absolute values of the terms, output `<name>__mag`.
    onnxruntime's Python API has no bf16 arrays: bf16 inputs come in as
    f32 and are cast (exactly) to bf16, bf16 outputs go out cast (exactly)
    to f32, output `<name>__f32`."""
    nodes, inputs, outputs, inits = [], [], [], []
    F32, BF16 = TensorProto.FLOAT, TensorProto.BFLOAT16
    for case in cases:
        p = _prefix(case)
        for n, v in case.inputs.items():
            if v.dtype == ml_dtypes.bfloat16:
                inputs.append(helper.make_tensor_value_info(p + n + "__in", F32, list(v.shape)))
                nodes.append(helper.make_node("Cast", [p + n + "__in"], [p + n], to=BF16))
            else:
                inputs.append(helper.make_tensor_value_info(
                    p + n, onnx_type(dtype_name(v.dtype)), list(v.shape)))
        for o in case.outputs:
            if o.dtype == "bf16":
                nodes.append(helper.make_node("Cast", [p + o.name], [p + o.name + "__f32"], to=F32))
                outputs.append(_value_info(p + o.name + "__f32", "f32"))
            else:
                outputs.append(_value_info(p + o.name, o.dtype))
        if case.ref == "native":
            nodes += [_rename(n, lambda s: p + s) for n in case.nodes]
            inits += [_tensor(p + n, v) for n, v in case.consts.items()]
        else:
            narrow = {n for n, v in {**case.inputs, **case.consts}.items()
                      if dtype_name(v.dtype) in ("f16", "bf16")}
            for n in case.inputs:
                if n in narrow:
                    nodes.append(helper.make_node("Cast", [p + n], [p + n + "__x32"], to=F32))
            for n, v in case.consts.items():
                if n in narrow:
                    inits.append(_tensor(p + n + "__x32", v.astype(np.float32)))
                else:
                    inits.append(_tensor(p + n, v))
            casts = {o.name: o.dtype for o in case.outputs if o.dtype in ("f16", "bf16")}

            def mapping(s, p=p, narrow=narrow, casts=casts):
                return p + s + ("__x32" if s in narrow or s in casts else "")
            nodes += [_rename(n, mapping) for n in case.nodes]
            for o, d in casts.items():
                nodes.append(helper.make_node("Cast", [p + o + "__x32"], [p + o], to=onnx_type(d)))
        if case.mag:
            q = p + "mag_"
            for n, v in case.inputs.items():
                if n in case.mag:
                    inputs.append(helper.make_tensor_value_info(q + n, F32, list(v.shape)))
            for n, v in case.consts.items():
                if dtype_name(v.dtype) in FLOATS:
                    v = v.astype(np.float32)
                    v = np.abs(v) if n in case.mag else v
                inits.append(_tensor(q + n, v))

            def mapping(s, p=p, q=q, case=case):
                # Inputs that are not terms (indices, conditions) are shared.
                return p + s if s in case.inputs and s not in case.mag else q + s
            for node in case.nodes:
                copy = _rename(node, mapping)
                for a in copy.attribute:
                    if a.name in case.mag_attrs:
                        a.f = case.mag_attrs[a.name]
                nodes.append(copy)
            for o in case.outputs:
                if o.dtype in FLOATS:
                    outputs.append(_value_info(q + o.name, "f32"))
    return _model(nodes, inputs, outputs, inits)


def reference_feeds(cases):
    feeds = {}
    for case in cases:
        p = _prefix(case)
        for n, v in case.inputs.items():
            if v.dtype == ml_dtypes.bfloat16:
                feeds[p + n + "__in"] = v.astype(np.float32)
            else:
                feeds[p + n] = v
            if n in case.mag:
                feeds[p + "mag_" + n] = np.asarray(np.abs(v.astype(np.float32)))
    return feeds


def run_reference(cases):
    model = reference_model(cases)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    # Plain kernels, one per node: no fusions, and no cast pairs removed
    # (the f32 reference rounds through them).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = {}
    for name, value in zip(names, session.run(None, reference_feeds(cases))):
        if name.endswith("__f32"):
            name, value = name[:-5], value.astype(ml_dtypes.bfloat16)
        results[name] = value
    return results


class OptcError(Exception):
    """optc refused or crashed compiling, or the compiled model's run
    failed."""


class Optc:
    """Compiles with the `optc` command (a crash of the compiler is a
    finding, not the end of the test session) and runs the library with
    the optc Python package."""

    def __init__(self, binary, package):
        self.binary, self.package = str(binary), package

    # Someone relinking optc while the test runs: "Permission denied" on
    # the binary, "file too short" loading; wait and retry.
    def _compile(self, source, library):
        for attempt in range(30):
            try:
                return subprocess.run([self.binary, source, "-o", library],
                                      capture_output=True, text=True)
            except PermissionError:
                time.sleep(2)
        raise OptcError(f"{self.binary} stays unusable (permission denied)")

    def _load(self, library):
        for attempt in range(30):
            try:
                return self.package.load(library)
            except self.package.RunError as error:
                if "file too short" not in str(error) or attempt == 29:
                    raise OptcError(f"optc's library does not load: {error}") from None
                time.sleep(2)

    def run(self, cases):
        model = optc_model(cases)
        with tempfile.TemporaryDirectory(prefix="optc-diff-") as work:
            source = os.path.join(work, "model.onnx")
            library = os.path.join(work, "model.so")
            onnx.save(model, source)
            result = self._compile(source, library)
            if result.returncode != 0:
                what = ("crashed (signal %d)" % -result.returncode if result.returncode < 0
                        else "compile error")
                raise OptcError(f"optc {what}: {result.stderr.strip()}")
            compiled = self._load(library)
            feeds = {}
            for case in cases:
                p = _prefix(case)
                feeds.update({p + n: v for n, v in case.inputs.items()})
            try:
                results = compiled(**feeds)
            except self.package.RunError as error:
                raise OptcError(f"optc run error: {error}") from None
            if not isinstance(results, tuple):
                results = (results,)
            names = [o.name for o in compiled.outputs]
            del compiled
        return dict(zip(names, results))


def check_batch(optc, cases, confirm=True, bisect=True):
    """Runs the cases as one model through both; returns a list of
    (case, message). A batch that fails to compile or run (either side) is
    split in halves until the failing cases stand alone."""
    try:
        want = run_reference(cases)
    except Exception as error:  # noqa: BLE001 - any refusal is a finding
        if len(cases) > 1 and bisect:
            return _split(optc, cases, confirm)
        return [(case, "onnxruntime refused the case (a generator bug?): "
                 + _first_lines(error)) for case in cases]
    try:
        got = optc.run(cases)
    except OptcError as error:
        if len(cases) > 1 and bisect:
            return _split(optc, cases, confirm)
        return [(case, _first_lines(error)) for case in cases]
    failures = []
    for case in cases:
        p = _prefix(case)
        messages = []
        for out in case.outputs:
            if p + out.name not in got:
                messages.append(f"output {out.name}: missing from optc's outputs")
                continue
            mag = want.get(p + "mag_" + out.name)
            message = compare(case, out, got[p + out.name], want[p + out.name], mag)
            if message:
                messages.append(f"output {out.name}: {message}")
        if messages:
            failures.append((case, "; ".join(messages)))
    if confirm and len(cases) > 1 and failures:
        # Is it the case, or the batch around it?
        confirmed = []
        for case, message in failures:
            alone = check_batch(optc, [case], confirm=False)
            confirmed.append((case, message + (" (also when compiled alone)" if alone
                                               else " (only in a batch: compiled alone it passes)")))
        failures = confirmed
    return failures


def _split(optc, cases, confirm):
    half = len(cases) // 2
    return check_batch(optc, cases[:half], confirm) + check_batch(optc, cases[half:], confirm)


def _first_lines(error, n=6):
    lines = str(error).strip().splitlines()
    return "\n    ".join(lines[:n]) + ("\n    ..." if len(lines) > n else "")


def format_failure(case, message):
    return (f"{case.op} case {case.index} (seed {master_seed()}): {message}\n"
            f"  {case.describe()}\n"
            f"  rerun: {rerun_hint(case.op, case.index)}")
