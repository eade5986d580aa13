"""A generator per op: each draws one case (shapes, dtype, attributes,
values) from a Draw. GENERATORS maps the op's test name to it.

Types: those onnxruntime's CPU provider (1.31, opset 21) has kernels for,
found by creating a session per op and type. "bf16 via f32": onnxruntime
has no bf16 kernel, the case runs in bf16 in optc and onnxruntime's f32
result, rounded to bf16 by its Cast, is the reference (what optc's narrow
arithmetic promises: computing through f32).

  Add Sub Mul Div              f32 f16, all 8 integer widths; bf16 via f32
  Pow                          f32 f16 i32 i64 (exponent: same, f32, i32, i64); bf16 via f32
  Max Min Where                f32 f16 i8 i32 i64 u8; bf16 via f32
  Equal Less Greater           f32 f16 i8 i16 i32 i64 u8 (Equal: bool); bf16 via f32
  Sigmoid Tanh Exp Log Sqrt
  Erf Gelu LeakyRelu           f32 f16; bf16 via f32
  Relu / Abs / Neg             + i8 i32 / + all integers / + signed integers
  Clip                         f32 f16 i8 i32 i64 u8 u32 u64; bf16 via f32
  Cast                         every pair of f32 f16 bf16 f64 i8 i16 i32 i64 u8 bool
  MatMul Einsum                f32 f16 i32 i64; bf16 via f32
  Gemm Conv ConvTranspose AveragePool GlobalAveragePool BatchNormalization
  Softmax LogSoftmax           f32 f16; bf16 via f32
  LayerNormalization           f32 f16 bf16
  ReduceSum ReduceMean         f32 f16 i32 i64; bf16 via f32
  ReduceMax ReduceMin ArgMax
  TopK                         f32 f16 i8 i32 i64 u8; bf16 via f32
  CumSum                       f32 f16 i32 i64; bf16 via f32
  MaxPool                      f32 f16 i8 u8; bf16 via f32
  Transpose Reshape Concat Split Slice Gather Squeeze Unsqueeze
                               f32 f16 bf16 i8 i16 i32 i64 u8 bool
  Expand Tile                  the same, bf16 via f32
  Pad                          f32 f16 i8 i32 i64 u8 (constant mode: bool); bf16 via f32
  Resize                       nearest: f32 f16 i8 u8 i32, linear: f32 f16; bf16 via f32
"""
import math

import numpy as np
from onnx import helper

from .core import (FLOATS, INTS, Case, Custom, Draw, Exact, Output, Sum, Ulp,
                   eps, np_dtype, onnx_type, ulp)


class Builder:
    """Collects one case's nodes, inputs, constants and outputs."""

    def __init__(self, draw):
        self.d = draw
        self.nodes, self.inputs, self.consts, self.outputs = [], {}, {}, []
        self.params, self.ref, self.mag, self.mag_attrs = {}, "native", set(), {}

    def input(self, name, value, term=False):
        self.inputs[name] = np.asarray(value)
        if term:
            self.mag.add(name)
        return name

    def const(self, name, value, term=False):
        self.consts[name] = np.asarray(value)
        if term:
            self.mag.add(name)
        return name

    def operand(self, name, value, p_const=0.5, term=False):
        """An input or (with probability p_const) a constant: optc has
        other code paths for constant operands (folded layouts, packed
        weights)."""
        if self.d.chance(p_const):
            self.params.setdefault("constant operands", []).append(name)
            return self.const(name, value, term)
        return self.input(name, value, term)

    def node(self, op, inputs, outputs, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, **attrs))
        for k, v in attrs.items():
            self.params.setdefault(k, v if not isinstance(v, bytes) else v.decode())

    def output(self, name, dtype, tol=None):
        self.outputs.append(Output(name, dtype, tol))


def pick_dtype(b, native, via_f32=()):
    """A type among those onnxruntime implements the op for (`native`)
    and those optc runs with onnxruntime's f32 reference (`via_f32`); f32
    three times as often as any other."""
    options = list(native) + list(via_f32)
    weights = [3 if t == "f32" else 1 for t in options]
    t = b.d.choice(options, weights)
    if t in via_f32:
        b.ref = "f32"
    b.params["dtype"] = t
    return t


ALL_INTS = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")


def int_range(t, kind="add"):
    """A value range of integer type t where the op cannot overflow
    (ONNX leaves signed overflow undefined): half the range for sums,
    the square root for products."""
    info = np.iinfo(np_dtype(t))
    lo, hi = int(info.min), int(info.max)
    if kind == "add":
        return (lo // 2, hi // 2) if lo < 0 else (0, hi // 2)
    if kind == "mul":
        r = int(math.isqrt(hi)) // 2
        return (-r, r) if lo < 0 else (0, r)
    return lo, hi


def values(b, shape, t, lo=-4.0, hi=4.0, **kw):
    if t in INTS and (lo, hi) == (-4.0, 4.0):
        lo, hi = int_range(t, "add")
    return b.d.values(shape, t, lo, hi, **kw)


def out_shape(b, max_rank=4, min_rank=0, max_elements=6000):
    return b.d.shape(b.d.integer(min_rank, max_rank), max_elements)


# ------------------------------------------------------------ elementwise

def binary_arith(op):
    natives = ("f32", "f16") + ALL_INTS

    def gen(b):
        t = pick_dtype(b, natives, ("bf16",))
        shape = out_shape(b)
        sa, sb = b.d.broadcast_to(shape), b.d.broadcast_to(shape)
        if t in INTS:
            lo, hi = int_range(t, "mul" if op == "Mul" else "add")
            x = b.d.values(sa, t, lo, hi)
            y = b.d.values(sb, t, lo, hi, nonzero=op == "Div")
        else:
            x = values(b, sa, t, special=0.05)
            y = values(b, sb, t, special=0.05)
        b.operand("a", x, p_const=0.15)
        b.operand("b", y, p_const=0.15)
        b.node(op, ["a", "b"], ["y"])
        # IEEE +-*/ are correctly rounded; f16/bf16 through f32 too (24
        # bits >= 2 * 11 + 2: rounding twice is innocuous).
        b.output("y", t, Exact())
    return gen


def gen_pow(b):
    t = pick_dtype(b, ("f32", "f16", "i32", "i64"), ("bf16",))
    shape = out_shape(b)
    sa, sb = b.d.broadcast_to(shape), b.d.broadcast_to(shape)
    if t in INTS:
        x = b.d.values(sa, t, -6, 6)
        et = b.d.choice([t, "i64", "i32"])
        y = b.d.values(sb, et, 0, 5)
    else:
        et = b.d.choice([t, t, "f32", "i64"])
        if b.d.chance(0.5):
            x = b.d.values(sa, t, 0.05, 8.0)
            y = b.d.values(sb, et, -3, 3, integral=et in INTS)
        else:  # negative bases: integral exponents
            x = b.d.values(sa, t, -4.0, 4.0, special=0.03)
            y = b.d.values(sb, et, -3, 4, integral=True)
    b.params["exponent type"] = et
    b.operand("a", x, p_const=0.1)
    b.operand("b", y, p_const=0.3)
    b.node("Pow", ["a", "b"], ["y"])
    if t in INTS:
        b.output("y", t, Exact())
        return

    def tol(case, want, name):
        # exp(y * log x): an error of eps in log x is one of |y log x| eps
        # in the relative result; 4 ULP for the rest.
        x = case.inputs.get("a", case.consts.get("a")).astype(np.float64)
        y = case.inputs.get("b", case.consts.get("b")).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            k = np.abs(y * np.log(np.abs(x)))
            k = np.where(np.isfinite(k), k, 0)
            return 4 * ulp(want, name) + 2 * eps(name) * k * np.abs(want)
    b.output("y", t, Custom(tol, "4 ULP + 2*eps*|y*log|x||*|result|"))


def variadic_minmax(op):
    def gen(b):
        t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8"), ("bf16",))
        shape = out_shape(b)
        n = b.d.choice([1, 2, 2, 2, 3])
        names = []
        for i in range(n):
            s = b.d.broadcast_to(shape)
            v = b.d.values(s, t, -50, 50, special=0.05, integral=b.d.chance(0.3))
            names.append(b.operand(f"x{i}", v, p_const=0.1))
        b.node(op, names, ["y"])
        b.output("y", t, Exact())
    return gen


def gen_where(b):
    t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8"), ("bf16",))
    shape = out_shape(b)
    b.operand("c", b.d.values(b.d.broadcast_to(shape), "bool"), p_const=0.1)
    b.operand("x", values(b, b.d.broadcast_to(shape), t, special=0.05), p_const=0.1)
    b.operand("z", values(b, b.d.broadcast_to(shape), t, special=0.05), p_const=0.1)
    b.node("Where", ["c", "x", "z"], ["y"])
    b.output("y", t, Exact())


def compare_op(op):
    def gen(b):
        types = ("f32", "f16", "i8", "i16", "i32", "i64", "u8") + (("bool",) if op == "Equal" else ())
        t = pick_dtype(b, types, ("bf16",))
        shape = out_shape(b)
        # Integral values in a small range: many equal pairs.
        x = b.d.values(b.d.broadcast_to(shape), t, -3, 3, integral=True, special=0.05)
        y = b.d.values(b.d.broadcast_to(shape), t, -3, 3, integral=True, special=0.05)
        b.operand("a", x, p_const=0.1)
        b.operand("b", y, p_const=0.1)
        b.node(op, ["a", "b"], ["y"])
        b.output("y", "bool", Exact())
    return gen


# Unary float functions: (types, value range, tolerance).
# Sigmoid, Tanh, Erf: bounded by 1, computed by formulas whose absolute
# error is eps; Gelu's is eps * |x| (x * Phi(x)): their scale.
def _abs_input(case):
    return np.abs(case.inputs["x"].astype(np.float64))


UNARY = {
    "Relu": (("f32", "f16", "i8", "i32"), ("bf16",), (-4, 4), Exact()),
    "Sigmoid": (("f32", "f16"), ("bf16",), (-30, 30), Ulp(4, 1.0)),
    "Tanh": (("f32", "f16"), ("bf16",), (-12, 12), Ulp(4, 1.0)),
    "Exp": (("f32", "f16"), ("bf16",), (-20, 20), Ulp(4)),
    "Log": (("f32", "f16"), ("bf16",), (1e-3, 1e3), Ulp(4)),
    "Sqrt": (("f32", "f16"), ("bf16",), (0, 1e3), Exact()),
    "Erf": (("f32", "f16"), ("bf16",), (-5, 5), Ulp(4, 1.0)),
    "Gelu": (("f32", "f16"), ("bf16",), (-10, 10), Ulp(4, _abs_input)),
    "LeakyRelu": (("f32", "f16"), ("bf16",), (-8, 8), Ulp(1)),
    "Abs": (("f32", "f16") + ALL_INTS, ("bf16",), None, Exact()),
    "Neg": (("f32", "f16", "i8", "i16", "i32", "i64"), ("bf16",), None, Exact()),
}


def unary(op):
    natives, via, rng, tol = UNARY[op]

    def gen(b):
        t = pick_dtype(b, natives, via)
        shape = out_shape(b)
        if t in INTS:
            lo, hi = int_range(t, "all")
            if op in ("Neg", "Abs") and lo < 0:
                lo += 1  # -MIN overflows
            x = b.d.values(shape, t, lo, hi)
        elif op == "Log":
            # log-uniform over the range, and 0 (-inf), 1 (0) sometimes
            x = np.exp(b.d.rng.uniform(math.log(rng[0]), math.log(rng[1]), shape))
            x = np.where(b.d.rng.random(shape) < 0.05, b.d.choice([0.0, 1.0]), x)
            x = x.astype(np_dtype(t))
        else:
            lo, hi = rng or (-100.0, 100.0)
            x = b.d.values(shape, t, lo, hi, special=0.05)
        b.input("x", x)
        attrs = {}
        if op == "LeakyRelu":
            attrs["alpha"] = b.d.choice([0.01, 0.2, 1.5, -0.3])
        if op == "Gelu" and b.d.chance(0.5):
            attrs["approximate"] = "tanh"
        b.node(op, ["x"], ["y"], **attrs)
        b.output("y", t, tol)
    return gen


def gen_clip(b):
    t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8", "u32", "u64"), ("bf16",))
    shape = out_shape(b)
    b.input("x", values(b, shape, t, -10, 10) if t not in INTS
            else b.d.values(shape, t, -100, 100))
    names = ["x"]
    lo = b.d.values([], t, -5, 5, integral=b.d.chance(0.5))
    hi = b.d.values([], t, -5, 5, integral=b.d.chance(0.5))
    if b.d.chance(0.95) and lo > hi:
        lo, hi = hi, lo  # min > max: everything becomes max (ONNX)
    which = b.d.choice(["both", "min", "max", "none"], [5, 2, 2, 1])
    for name, v, used in (("lo", lo, which in ("both", "min")), ("hi", hi, which in ("both", "max"))):
        if used:
            names.append(b.operand(name, v, p_const=0.6))
        elif name == "lo" and which == "max":
            names.append("")
    b.params["bounds"] = which
    b.node("Clip", names, ["y"])
    b.output("y", t, Exact())


CAST_TYPES = ("f32", "f16", "bf16", "f64", "i8", "i16", "i32", "i64", "u8", "bool")


def gen_cast(b):
    src = b.d.choice(CAST_TYPES, [3 if t == "f32" else 1 for t in CAST_TYPES])
    dst = b.d.choice([t for t in CAST_TYPES if t != src])
    b.params["from"], b.params["to"] = src, dst
    b.params["dtype"] = src
    shape = out_shape(b)
    if src in FLOATS and dst in INTS:
        # Only values the target holds (others are undefined); fractions
        # truncate towards zero.
        info = np.iinfo(np_dtype(dst))
        lo, hi = max(float(info.min), -3e4), min(float(info.max), 3e4)
        x = b.d.values(shape, src, lo, hi)
        t = np.trunc(x.astype(np.float64))
        x = np.where((t < info.min) | (t > info.max), np.zeros_like(x), x)
    elif src in FLOATS:
        x = b.d.values(shape, src, -7e4, 7e4, special=0.2)
        if b.d.chance(0.5):
            x = b.d.values(shape, src, -3, 3, special=0.2)
    elif src in INTS and dst in INTS:
        info = np.iinfo(np_dtype(dst))
        x = b.d.values(shape, src, max(int(info.min), -2 ** 40), min(int(info.max), 2 ** 40))
    else:
        x = b.d.values(shape, src, -2 ** 20, 2 ** 20) if src in INTS else b.d.values(shape, src)
    b.input("x", x)
    b.node("Cast", ["x"], ["y"], to=onnx_type(dst))
    b.output("y", dst, Exact())


# ---------------------------------------------------------- contractions

def gen_matmul(b):
    t = pick_dtype(b, ("f32", "f16", "i32", "i64"), ("bf16",))
    m, k, n = b.d.size(), b.d.size(), b.d.size()
    batch = b.d.shape(b.d.integer(0, 2), max_elements=16, limit=7)
    while m * k * max(n, 1) * max(math.prod(batch), 1) > 40000:
        m, k, n = max(1, m // 2), max(1, k // 2), max(1, n // 2)
    sa = b.d.broadcast_to(batch) + [m, k]
    sb = b.d.broadcast_to(batch) + [k, n]
    if b.d.chance(0.15):
        sa = [k]
    elif b.d.chance(0.15):
        sb = [k]
    lo, hi = (-9, 9) if t in INTS else (-2, 2)
    b.operand("a", b.d.values(sa, t, lo, hi), p_const=0.1, term=t in FLOATS)
    b.operand("b", b.d.values(sb, t, lo, hi), p_const=0.4, term=t in FLOATS)
    b.node("MatMul", ["a", "b"], ["y"])
    b.params["M,K,N"] = (m, k, n)
    b.output("y", t, Exact() if t in INTS else Sum(k))


def gen_gemm(b):
    t = pick_dtype(b, ("f32", "f16"), ("bf16",))
    m, k, n = b.d.size(), b.d.size(), b.d.size()
    while m * k * n > 40000:
        m, k, n = max(1, m // 2), max(1, k // 2), max(1, n // 2)
    ta, tb = b.d.choice([0, 1]), b.d.choice([0, 1])
    alpha = b.d.choice([1.0, 1.0, 0.5, -1.25, 2.0, 0.0])
    beta = b.d.choice([1.0, 1.0, 0.5, -2.0, 0.0])
    b.operand("a", b.d.values([k, m] if ta else [m, k], t, -2, 2), p_const=0.1, term=True)
    b.operand("b", b.d.values([n, k] if tb else [k, n], t, -2, 2), p_const=0.5, term=True)
    inputs = ["a", "b"]
    c_shape = b.d.choice([None, [], [n], [1, n], [m, 1], [m, n], [1, 1]])
    if c_shape is not None:
        inputs.append(b.operand("c", b.d.values(c_shape, t, -2, 2), p_const=0.5, term=True))
    b.params["C"] = c_shape
    b.params["M,K,N"] = (m, k, n)
    b.node("Gemm", inputs, ["y"], transA=ta, transB=tb, alpha=alpha, beta=beta)
    b.mag_attrs.update(alpha=abs(alpha), beta=abs(beta))
    b.output("y", t, Sum(k + 1))


EINSUM = ["ij,jk->ik", "bij,bjk->bik", "i,i->", "ij->ji", "bhqd,bhkd->bhqk", "ij->i",
          "i,j->ij", "ij,ij->ij", "ijk->kji", "ij,kj->ik", "...ij,...jk->...ik", "bij->bi",
          "ijk,ik->ij", "ij->"]


def gen_einsum(b):
    t = pick_dtype(b, ("f32", "f16", "i32", "i64"), ("bf16",))
    eq = b.d.choice(EINSUM)
    ins, out = eq.split("->")
    specs = [s.replace("...", "") for s in ins.split(",")]
    d = {c: b.d.size(limit=31) for c in set("".join(specs))}
    for c in "bh":
        if c in d:
            d[c] = b.d.size(limit=5)
    lead = b.d.shape(b.d.integer(0, 2), limit=5) if "..." in eq else []
    leads = [lead, b.d.broadcast_to(lead, keep_rank=True)]
    while max(math.prod(lead) * math.prod(d[c] for c in s) for s in specs) > 20000:
        big = max(d, key=d.get)
        d[big] = max(1, d[big] // 2)
    lo, hi = (-9, 9) if t in INTS else (-2, 2)
    names = []
    for i, spec in enumerate(specs):
        shape = (leads[i] if "..." in eq else []) + [d[c] for c in spec]
        names.append(b.operand(f"x{i}", b.d.values(shape, t, lo, hi), p_const=0.2,
                               term=t in FLOATS))
    contracted = set("".join(specs)) - set(out)
    k = math.prod(d[c] for c in contracted) if contracted else 1
    b.node("Einsum", names, ["y"], equation=eq)
    b.output("y", t, Exact() if t in INTS else Sum(k))


def _conv_geometry(b, rank, transpose=False):
    """Spatial sizes, kernel, strides, dilations, pads (or auto_pad)."""
    kernel = [b.d.choice([1, 2, 3, 3, 5]) for _ in range(rank)]
    dil = [b.d.choice([1, 1, 1, 2, 3]) for _ in range(rank)]
    strides = [b.d.choice([1, 1, 2, 3]) for _ in range(rank)]
    spatial = []
    for i in range(rank):
        eff = (kernel[i] - 1) * dil[i] + 1
        lim = 31 if rank == 2 else 61
        spatial.append(max(b.d.size(limit=lim), 1 if transpose else eff))
    attrs = dict(kernel_shape=kernel, strides=strides, dilations=dil)
    mode = b.d.choice(["pads", "pads", "none", "SAME_UPPER", "SAME_LOWER", "VALID"])
    if mode == "pads":
        pads = [b.d.integer(0, min(3, (kernel[i % rank] - 1) * dil[i % rank] + 0))
                for i in range(2 * rank)]
        attrs["pads"] = pads
    elif mode != "none":
        attrs["auto_pad"] = mode
        if mode.startswith("SAME"):
            # onnxruntime: "Dilation not supported for AutoPadType::SAME_*"
            attrs["dilations"] = [1] * rank
    return spatial, attrs


def gen_conv(b):
    t = pick_dtype(b, ("f32", "f16"), ("bf16",))
    rank = b.d.choice([1, 2, 2, 2, 3], [2, 5, 0, 0, 1])
    spatial, attrs = _conv_geometry(b, rank)
    kind = b.d.choice(["plain", "grouped", "depthwise", "pointwise"], [4, 1, 2, 1])
    n = b.d.choice([1, 1, 2, 3])
    if kind == "depthwise":
        g = b.d.choice([1, 2, 3, 5, 8, 16, 17])
        cin, cout = g, g * b.d.choice([1, 1, 2])
    elif kind == "grouped":
        g = b.d.choice([2, 3, 4])
        cin, cout = g * b.d.choice([1, 2, 3]), g * b.d.choice([1, 2, 5])
    else:
        g = 1
        cin, cout = b.d.size(limit=31), b.d.size(limit=31)
    if kind == "pointwise":
        attrs["kernel_shape"] = [1] * rank
        attrs.pop("pads", None)
        attrs["dilations"] = [1] * rank
    if math.prod(spatial) * cin * n > 30000:
        spatial = [min(s, 13) for s in spatial]
        cin = min(cin, g * 3)
    attrs["group"] = g
    x = b.d.values([n, cin] + spatial, t, -2, 2)
    w = b.d.values([cout, cin // g] + attrs["kernel_shape"], t, -1, 1)
    b.input("x", x, term=True)
    b.operand("w", w, p_const=0.8, term=True)
    names = ["x", "w"]
    if b.d.chance(0.6):
        names.append(b.operand("bias", b.d.values([cout], t, -1, 1), p_const=0.8, term=True))
    b.params["kind"] = kind
    b.node("Conv", names, ["y"], **attrs)
    b.output("y", t, Sum(cin // g * math.prod(attrs["kernel_shape"]) + 1))


def gen_conv_transpose(b):
    t = pick_dtype(b, ("f32", "f16"), ("bf16",))
    rank = b.d.choice([1, 2, 2])
    spatial, attrs = _conv_geometry(b, rank, transpose=True)
    spatial = [min(s, 17) for s in spatial]
    if "auto_pad" in attrs and attrs["auto_pad"] != "VALID":
        attrs.pop("auto_pad")
    g = b.d.choice([1, 1, 1, 2, 3])
    cin, cout = g * b.d.choice([1, 2, 3, 5]), g * b.d.choice([1, 2, 4])
    n = b.d.choice([1, 2])
    if b.d.chance(0.3):
        attrs["output_padding"] = [b.d.integer(0, s - 1) for s in attrs["strides"]]
    if "pads" in attrs:
        # Every output size positive: trim the pads.
        for i in range(rank):
            full = (attrs["strides"][i] * (spatial[i] - 1) + (attrs["kernel_shape"][i] - 1)
                    * attrs["dilations"][i] + 1 + attrs.get("output_padding", [0] * rank)[i])
            while attrs["pads"][i] + attrs["pads"][i + rank] >= full:
                j = i if attrs["pads"][i] else i + rank
                attrs["pads"][j] -= 1
    attrs["group"] = g
    b.input("x", b.d.values([n, cin] + spatial, t, -2, 2), term=True)
    b.operand("w", b.d.values([cin, cout // g] + attrs["kernel_shape"], t, -1, 1),
              p_const=0.8, term=True)
    names = ["x", "w"]
    if b.d.chance(0.5):
        names.append(b.operand("bias", b.d.values([cout], t, -1, 1), p_const=0.8, term=True))
    b.node("ConvTranspose", names, ["y"], **attrs)
    b.output("y", t, Sum(cin // g * math.prod(attrs["kernel_shape"]) + 1))


# --------------------------------------------------------------- pooling

def _pool_geometry(b, rank, count_pads=False):
    kernel = [b.d.choice([1, 2, 3, 3, 4]) for _ in range(rank)]
    strides = [b.d.choice([1, 1, 2, 3]) for _ in range(rank)]
    dil = [b.d.choice([1, 1, 1, 2]) for _ in range(rank)]
    spatial = [max(b.d.size(limit=31 if rank > 1 else 127), (k - 1) * d + 1)
               for k, d in zip(kernel, dil)]
    attrs = dict(kernel_shape=kernel, strides=strides, dilations=dil)
    mode = b.d.choice(["pads", "none", "SAME_UPPER", "SAME_LOWER", "VALID"], [4, 2, 1, 1, 1])
    if b.d.chance(0.3) and not mode.startswith("SAME"):
        # (onnxruntime's pools refuse or miscompute ceil_mode with SAME
        # padding, where ONNX's output size does not depend on it.)
        attrs["ceil_mode"] = 1
    if mode == "pads":
        # ONNX: each pad smaller than the kernel's extent.
        attrs["pads"] = [b.d.integer(0, min(2, k - 1)) for k in kernel + kernel]
    elif mode != "none":
        attrs["auto_pad"] = mode
        if mode.startswith("SAME"):
            # onnxruntime's pools pad SAME as if the dilation were 1 (its
            # output has ceil((in - (k - 1) * (d - 1)) / stride) elements,
            # not ceil(in / stride)), where its Conv refuses the dilation;
            # and they refuse strides larger than the kernel ("padding
            # values must be non-negative").
            attrs["dilations"] = [1] * rank
            attrs["strides"] = [min(s, k) for s, k in zip(strides, kernel)]
    return spatial, attrs


def gen_maxpool(b):
    t = pick_dtype(b, ("f32", "f16", "i8", "u8"), ("bf16",))
    rank = b.d.choice([1, 2, 2, 3], [2, 5, 0, 1])
    spatial, attrs = _pool_geometry(b, rank)
    shape = [b.d.choice([1, 2]), b.d.size(limit=17)] + spatial
    while math.prod(shape) > 20000:
        shape[1] = max(1, shape[1] // 2)
        shape[2:] = [max(s // 2, (k - 1) * d + 1) for s, k, d in
                     zip(shape[2:], attrs["kernel_shape"], attrs["dilations"])]
    b.input("x", values(b, shape, t, -50, 50, special=0.05) if t not in INTS
            else b.d.values(shape, t, -128, 255))
    outs = ["y"]
    if t in FLOATS and b.d.chance(0.3) and rank <= 2 and all(d == 1 for d in attrs["dilations"]):
        outs.append("i")
    b.node("MaxPool", ["x"], outs, **attrs)
    b.output("y", t, Exact())
    if len(outs) == 2:
        b.output("i", "i64", Exact())


def gen_avgpool(b):
    t = pick_dtype(b, ("f32", "f16"), ("bf16",))
    rank = b.d.choice([1, 2, 2, 3], [2, 5, 0, 1])
    spatial, attrs = _pool_geometry(b, rank)
    if b.d.chance(0.4):
        attrs["count_include_pad"] = 1
    shape = [b.d.choice([1, 2]), b.d.size(limit=17)] + spatial
    while math.prod(shape) > 20000:
        shape[1] = max(1, shape[1] // 2)
        shape[2:] = [max(s // 2, (k - 1) * d + 1) for s, k, d in
                     zip(shape[2:], attrs["kernel_shape"], attrs["dilations"])]
    b.input("x", b.d.values(shape, t, -4, 4), term=True)
    b.node("AveragePool", ["x"], ["y"], **attrs)
    b.output("y", t, Sum(math.prod(attrs["kernel_shape"])))


def gen_global_avgpool(b):
    t = pick_dtype(b, ("f32", "f16"), ("bf16",))
    rank = b.d.choice([1, 2, 3])
    shape = [b.d.choice([1, 2, 3]), b.d.size(limit=31)] + b.d.shape(rank, 4000)
    b.input("x", b.d.values(shape, t, -4, 4), term=True)
    b.node("GlobalAveragePool", ["x"], ["y"])
    b.output("y", t, Sum(math.prod(shape[2:])))


# --------------------------------------------------------- normalisations

def gen_batchnorm(b):
    t = pick_dtype(b, ("f32", "f16"), ("bf16",))
    shape = [b.d.size(limit=7), b.d.size(limit=61)] + b.d.shape(b.d.integer(0, 2), 2000)
    c = shape[1]
    b.input("x", b.d.values(shape, t, -4, 4, special=0.02))
    names = ["x"]
    for name, lo, hi in (("scale", -2, 2), ("bias", -2, 2), ("mean", -2, 2), ("var", 0.05, 4)):
        names.append(b.operand(name, b.d.values([c], t, lo, hi), p_const=0.8))
    epsilon = b.d.choice([1e-5, 1e-3, 0.1])
    b.node("BatchNormalization", names, ["y"], epsilon=epsilon)

    def tol(case, want, name):
        # y = (x - mean) * scale / sqrt(var + epsilon) + bias, evaluated
        # by optc as x * a + (bias - mean * a): a few roundings of terms
        # as large as (|x| + |mean|) * |a| and |bias|.
        get = lambda n: np.asarray(case.inputs.get(n, case.consts.get(n)), np.float64)
        ch = [1, -1] + [1] * (len(shape) - 2)
        a = np.abs(get("scale")) / np.sqrt(get("var") + case.params["epsilon"])
        terms = ((np.abs(get("x")) + np.abs(get("mean")).reshape(ch)) * a.reshape(ch)
                 + np.abs(get("bias")).reshape(ch))
        return 4 * eps(name) * terms + 2 * ulp(want, name)
    b.output("y", t, Custom(tol, "4*eps*((|x|+|mean|)*|scale|/sqrt(var+e) + |bias|) + 2 ULP"))


def gen_layernorm(b):
    t = pick_dtype(b, ("f32", "f16", "bf16"))
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 6000)
    axis = b.d.integer(-rank, rank - 1)
    norm = shape[axis:]
    shift = b.d.choice([0.0, 0.0, 1.0, -3.0])
    b.input("x", b.d.values(shape, t, -2 + shift, 2 + shift))
    names = ["x", b.operand("scale", b.d.values(norm, t, -2, 2), p_const=0.7)]
    if b.d.chance(0.7):
        names.append(b.operand("bias", b.d.values(norm, t, -2, 2), p_const=0.7))
    epsilon = b.d.choice([1e-5, 1e-3, 0.1])
    b.node("LayerNormalization", names, ["y"], axis=axis, epsilon=epsilon)

    def tol(case, want, name):
        # x^ = (x - mu) / s, s = sqrt(var + epsilon), over K elements.
        # The mean's error is ~sqrt(K)*eps*mean|x|; the variance's
        # relative error ~2*sqrt(K)*eps*(1 + mu^2/s^2) (one-pass formulas
        # lose mu^2/s^2); so |dy| <= |scale| * (|x^| * 2*sqrt(K)*eps*(1 +
        # mu^2/s^2) + (2*eps*|x - mu| + 2*sqrt(K)*eps*mean|x|) / s) +
        # 2*eps*|bias| + 2 ULP.
        x = case.inputs["x"].astype(np.float64)
        ax = tuple(range(len(shape) + axis if axis < 0 else axis, len(shape)))
        k = math.prod(norm)
        mu = x.mean(axis=ax, keepdims=True)
        s = np.sqrt(x.var(axis=ax, keepdims=True) + case.params["epsilon"])
        xh = (x - mu) / s
        e = eps(name)
        g = np.abs(np.asarray(case.inputs.get("scale", case.consts.get("scale")), np.float64))
        bias = case.inputs.get("bias", case.consts.get("bias"))
        bias = 0 if bias is None else np.abs(np.asarray(bias, np.float64))
        r = math.sqrt(k) * e
        return (g * (np.abs(xh) * 2 * r * (1 + mu ** 2 / s ** 2)
                     + (2 * e * np.abs(x - mu) + 2 * r * np.abs(x).mean(axis=ax, keepdims=True)) / s)
                + 2 * e * bias + 2 * ulp(want, name))
    b.output("y", t, Custom(tol, "layer-norm condition bound"))


def softmax_op(op):
    def gen(b):
        t = pick_dtype(b, ("f32", "f16"), ("bf16",))
        rank = b.d.integer(1, 4)
        shape = b.d.shape(rank, 6000)
        axis = b.d.integer(-rank, rank - 1)
        b.input("x", b.d.values(shape, t, -10, 10, special=0.02))
        b.node(op, ["x"], ["y"], axis=axis)
        k = shape[axis]

        def tol(case, want, name):
            # exp(x - max) is a few ULP off plus eps*|x - max| (the
            # argument's rounding); the sum of K positive terms
            # sqrt(K)*eps relatively: softmax relative, log-softmax
            # absolute (log of the sum).
            x = case.inputs["x"].astype(np.float64)
            d = np.abs(x - x.max(axis=axis, keepdims=True))
            e = eps(name)
            if op == "Softmax":
                return (4 + 2 * d + 2 * math.sqrt(k)) * e * np.abs(want) + 2 * ulp(want, name)
            logsum = np.log(np.exp(x - x.max(axis=axis, keepdims=True)).sum(axis=axis, keepdims=True))
            return e * (2 * d + 2 * math.sqrt(k) + 4 + np.abs(logsum)) + 2 * ulp(want, name)
        b.output("y", t, Custom(tol, "softmax bound: (4 + 2|x-max| + 2*sqrt(K))*eps"))
    return gen


# ------------------------------------------------------------- reductions

def reduce_op(op):
    def gen(b):
        if op in ("ReduceSum", "ReduceMean"):
            t = pick_dtype(b, ("f32", "f16", "i32", "i64"), ("bf16",))
        else:
            t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8"), ("bf16",))
        rank = b.d.integer(1, 4)
        shape = b.d.shape(rank, 8000)
        if t in INTS:
            x = b.d.values(shape, t, -100, 100)
        else:
            x = b.d.values(shape, t, -4, 4, special=0.02 if op in ("ReduceMax", "ReduceMin") else 0)
        b.input("x", x, term=op in ("ReduceSum", "ReduceMean") and t in FLOATS)
        attrs = {}
        if b.d.chance(0.5):
            attrs["keepdims"] = b.d.choice([0, 1])
        how = b.d.choice(["axes", "axes", "axes", "none", "empty"])
        inputs = ["x"]
        if how == "axes":
            n = b.d.integer(1, rank)
            axes = sorted(b.d.rng.choice(rank, size=n, replace=False).tolist())
            axes = [a - rank if b.d.chance(0.3) else a for a in axes]
            inputs.append(b.const("axes", np.array(axes, np.int64)))
        elif how == "empty":
            inputs.append(b.const("axes", np.array([], np.int64)))
            attrs["noop_with_empty_axes"] = b.d.choice([0, 1])
        elif b.d.chance(0.3):
            attrs["noop_with_empty_axes"] = 0
        b.node(op, inputs, ["y"], **attrs)
        if how == "axes":
            k = math.prod(shape[a] for a in axes)
        elif how == "empty" and attrs["noop_with_empty_axes"]:
            k = 1
        else:
            k = math.prod(shape)
        if op in ("ReduceMax", "ReduceMin") or t in INTS:
            b.output("y", t, Exact())
        else:
            b.output("y", t, Sum(k))
    return gen


def gen_argmax(b):
    t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8"), ("bf16",))
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 8000)
    x = b.d.values(shape, t, -3 if t != "u8" else 0, 3 if b.d.chance(0.5) else 100,
                   integral=True)  # ties: which index wins
    b.input("x", x)
    attrs = dict(axis=b.d.integer(-rank, rank - 1))
    if b.d.chance(0.5):
        attrs["keepdims"] = b.d.choice([0, 1])
    if b.d.chance(0.5):
        attrs["select_last_index"] = b.d.choice([0, 1])
    op = b.d.choice(["ArgMax", "ArgMin"])
    b.params["op"] = op
    b.node(op, ["x"], ["y"], **attrs)
    b.output("y", "i64", Exact())


def gen_cumsum(b):
    t = pick_dtype(b, ("f32", "f16", "i32", "i64"), ("bf16",))
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 6000)
    axis = b.d.integer(-rank, rank - 1)
    b.input("x", b.d.values(shape, t, -100, 100) if t in INTS else b.d.values(shape, t, -4, 4),
            term=t in FLOATS)
    b.const("axis", np.array(axis, b.d.choice([np.int64, np.int32])))
    attrs = {}
    for a in ("exclusive", "reverse"):
        if b.d.chance(0.5):
            attrs[a] = b.d.choice([0, 1])
    b.params["axis"] = axis
    b.node("CumSum", ["x", "axis"], ["y"], **attrs)
    b.output("y", t, Exact() if t in INTS else Sum(shape[axis]))


def gen_topk(b):
    t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8"), ("bf16",))
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 6000)
    axis = b.d.integer(-rank, rank - 1)
    ties = b.d.chance(0.5)
    x = b.d.values(shape, t, 0 if t == "u8" else -5, 5 if ties else 100, integral=ties)
    b.input("x", x)
    k = b.d.integer(1, shape[axis]) if b.d.chance(0.7) else b.d.choice([1, shape[axis]])
    b.const("k", np.array([k], np.int64))
    attrs = dict(axis=axis)
    if b.d.chance(0.5):
        attrs["largest"] = b.d.choice([0, 1])
    attrs["sorted"] = 1
    b.node("TopK", ["x", "k"], ["v", "i"], **attrs)
    b.output("v", t, Exact())
    b.output("i", "i64", Exact())


# --------------------------------------------------------- data movement

MOVE_TYPES = ("f32", "f16", "bf16", "i8", "i16", "i32", "i64", "u8", "bool")
MOVE_TYPES_NO_BF16 = ("f32", "f16", "i8", "i16", "i32", "i64", "u8", "bool")


def _any_values(b, shape, t):
    return b.d.values(shape, t, -100, 100, special=0.05) if t in FLOATS else b.d.values(shape, t)


def gen_transpose(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(0, 5)
    shape = b.d.shape(rank, 8000)
    b.input("x", _any_values(b, shape, t))
    attrs = {}
    if rank and b.d.chance(0.85):
        attrs["perm"] = [int(p) for p in b.d.rng.permutation(rank)]
    b.node("Transpose", ["x"], ["y"], **attrs)
    b.output("y", t, Exact())


def _factor(b, n, rank):
    """A shape of `rank` dimensions whose product is n."""
    shape = [1] * rank
    if rank == 0:
        return shape
    m = n
    p = 2
    factors = []
    while p * p <= m:
        while m % p == 0:
            factors.append(p)
            m //= p
        p += 1
    if m > 1:
        factors.append(m)
    for f in factors:
        shape[b.d.integer(0, rank - 1)] *= f
    return shape


def gen_reshape(b):
    t = pick_dtype(b, MOVE_TYPES)
    shape = b.d.shape(b.d.integer(0, 4), 8000)
    n = math.prod(shape)
    rank = b.d.integer(0 if n == 1 else 1, 5)
    target = _factor(b, n, rank)
    spec = list(target)
    if rank and b.d.chance(0.5):
        spec[b.d.integer(0, rank - 1)] = -1
    for i in range(min(rank, len(shape))):
        if spec[i] == shape[i] and b.d.chance(0.3):
            spec[i] = 0  # copy the input's dimension
    b.input("x", _any_values(b, shape, t))
    b.const("shape", np.array(spec, np.int64))
    b.node("Reshape", ["x", "shape"], ["y"])
    b.output("y", t, Exact())


def gen_concat(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 3000)
    axis = b.d.integer(-rank, rank - 1)
    names = []
    for i in range(b.d.choice([1, 2, 2, 3, 4])):
        s = list(shape)
        s[axis] = b.d.size(limit=31)
        names.append(b.operand(f"x{i}", _any_values(b, s, t), p_const=0.15))
    b.node("Concat", names, ["y"], axis=axis)
    b.output("y", t, Exact())


def gen_split(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 6000)
    axis = b.d.integer(-rank, rank - 1)
    dim = shape[axis]
    b.input("x", _any_values(b, shape, t))
    inputs = ["x"]
    attrs = dict(axis=axis)
    if b.d.chance(0.5):
        n = b.d.integer(1, min(dim, 4))
        cuts = sorted(b.d.rng.choice(np.arange(1, dim), size=n - 1, replace=False).tolist()) if n > 1 else []
        sizes = np.diff([0] + cuts + [dim]).tolist()
        inputs.append(b.const("split", np.array(sizes, np.int64)))
    else:
        # chunks of ceil(dim / n), the last smaller: every chunk non-empty
        n = b.d.choice([m for m in range(1, min(dim, 4) + 1)
                        if (m - 1) * -(-dim // m) < dim])
        attrs["num_outputs"] = n
    outs = [f"y{i}" for i in range(n)]
    b.node("Split", inputs, outs, **attrs)
    for o in outs:
        b.output(o, t, Exact())


def gen_slice(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 8000)
    axes = b.d.rng.permutation(rank)[:b.d.integer(1, rank)].tolist()
    starts, ends, steps = [], [], []
    for a in axes:
        dim = shape[a]
        step = b.d.choice([1, 1, 1, 2, 3, -1, -1, -2])
        s = b.d.integer(-dim - 2, dim + 2)
        e = b.d.integer(-dim - 2, dim + 2)
        if b.d.chance(0.15):
            # (onnxruntime reads an end of INT32_MAX with a negative step
            # as "to the first element", not as ONNX's clamp to dim - 1.)
            e = b.d.choice([2 ** 62, -2 ** 62] + ([2 ** 31 - 1] if step > 0 else []))
        starts.append(s), ends.append(e), steps.append(step)
    b.input("x", _any_values(b, shape, t))
    names = ["x", b.const("starts", np.array(starts, np.int64)), b.const("ends", np.array(ends, np.int64))]
    if b.d.chance(0.85):
        names.append(b.const("axes", np.array([a - rank if b.d.chance(0.3) else a for a in axes], np.int64)))
        if b.d.chance(0.85):
            names.append(b.const("steps", np.array(steps, np.int64)))
    b.node("Slice", names, ["y"])
    b.output("y", t, Exact())


def gen_gather(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 6000)
    axis = b.d.integer(-rank, rank - 1)
    dim = shape[axis]
    irank = b.d.choice([0, 1, 1, 2])
    ishape = b.d.shape(irank, 64, limit=17)
    idx = b.d.rng.integers(-dim, dim, size=ishape).astype(b.d.choice([np.int64, np.int32]))
    b.input("x", _any_values(b, shape, t))
    b.operand("i", idx, p_const=0.3)
    b.node("Gather", ["x", "i"], ["y"], axis=axis)
    b.output("y", t, Exact())


def gen_expand(b):
    t = pick_dtype(b, MOVE_TYPES_NO_BF16, ("bf16",))
    shape = out_shape(b, max_rank=4, max_elements=6000)
    src = b.d.broadcast_to(shape)
    target = list(shape)
    # Bidirectional: the target may have 1s where the input is larger,
    # and fewer dimensions.
    for i in range(len(target)):
        j = i - (len(target) - len(src))
        if j >= 0 and src[j] != 1 and b.d.chance(0.2):
            target[i] = 1
    if target and b.d.chance(0.2):
        target = target[b.d.integer(0, len(target) - 1):]
    b.input("x", _any_values(b, src, t))
    b.const("shape", np.array(target, np.int64))
    b.node("Expand", ["x", "shape"], ["y"])
    b.output("y", t, Exact())


def gen_squeeze(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(1, 5)
    shape = b.d.shape(rank, 6000)
    ones = [i for i in range(rank) if b.d.chance(0.4)] or [b.d.integer(0, rank - 1)]
    for i in ones:
        shape[i] = 1
    b.input("x", _any_values(b, shape, t))
    names = ["x"]
    if b.d.chance(0.8):
        unit = [i for i in range(rank) if shape[i] == 1]
        axes = [a for a in unit if b.d.chance(0.6)] or unit[:1]
        axes = [a - rank if b.d.chance(0.3) else a for a in axes]
        names.append(b.const("axes", np.array(axes, np.int64)))
    b.node("Squeeze", names, ["y"])
    b.output("y", t, Exact())


def gen_unsqueeze(b):
    t = pick_dtype(b, MOVE_TYPES)
    rank = b.d.integer(0, 4)
    shape = b.d.shape(rank, 6000)
    n = b.d.integer(1, 6 - rank) if rank < 6 else 1
    out_rank = rank + n
    axes = b.d.rng.choice(out_rank, size=n, replace=False).tolist()
    axes = [a - out_rank if b.d.chance(0.3) else a for a in axes]
    b.input("x", _any_values(b, shape, t))
    b.const("axes", np.array(axes, np.int64))
    b.node("Unsqueeze", ["x", "axes"], ["y"])
    b.output("y", t, Exact())


def gen_tile(b):
    t = pick_dtype(b, MOVE_TYPES_NO_BF16, ("bf16",))
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 1500)
    reps = [b.d.choice([1, 1, 2, 3]) for _ in range(rank)]
    b.input("x", _any_values(b, shape, t))
    b.const("repeats", np.array(reps, np.int64))
    b.node("Tile", ["x", "repeats"], ["y"])
    b.output("y", t, Exact())


def gen_pad(b):
    mode = b.d.choice(["constant", "constant", "reflect", "edge", "wrap"])
    t = pick_dtype(b, ("f32", "f16", "i8", "i32", "i64", "u8") + (("bool",) if mode == "constant" else ()),
                   ("bf16",))
    rank = b.d.integer(1, 4)
    shape = b.d.shape(rank, 4000)
    axes = list(range(rank))
    if b.d.chance(0.3):
        axes = sorted(b.d.rng.permutation(rank)[:b.d.integer(1, rank)].tolist())
    pads = []
    for side in range(2):
        for a in axes:
            dim = shape[a]
            if mode == "reflect":
                p = b.d.integer(0, dim - 1)
            elif mode == "wrap":
                p = b.d.integer(0, dim)
            else:
                p = b.d.integer(-(dim // 2) if b.d.chance(0.3) else 0, 4)
            pads.append(p)
    b.input("x", _any_values(b, shape, t))
    names = ["x", b.const("pads", np.array(pads, np.int64))]
    if mode == "constant" and b.d.chance(0.6):
        names.append(b.operand("value", _any_values(b, [], t), p_const=0.7))
    if len(axes) < rank or b.d.chance(0.2):
        if len(names) == 2:
            names.append("")
        names.append(b.const("axes", np.array([a - rank if b.d.chance(0.3) else a for a in axes], np.int64)))
    b.node("Pad", names, ["y"], mode=mode)
    b.output("y", t, Exact())


def gen_resize(b):
    mode = b.d.choice(["nearest", "linear"])
    t = pick_dtype(b, ("f32", "f16", "i8", "u8", "i32") if mode == "nearest" else ("f32", "f16"),
                   ("bf16",))
    rank = b.d.choice([2, 4, 4])
    if rank == 4:
        shape = [b.d.choice([1, 2]), b.d.size(limit=7), b.d.size(limit=31), b.d.size(limit=31)]
    else:
        shape = [b.d.size(limit=31), b.d.size(limit=31)]
    lead = [1.0] * (rank - 2)
    ctm = b.d.choice(["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
                      "half_pixel_symmetric"])
    attrs = dict(mode=mode, coordinate_transformation_mode=ctm)
    if mode == "nearest":
        attrs["nearest_mode"] = b.d.choice(["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
    b.input("x", _any_values(b, shape, t) if t in INTS else b.d.values(shape, t, -4, 4))
    names = ["x", ""]
    if b.d.chance(0.5):
        if ctm == "align_corners":
            # onnxruntime's align_corners with scales maps coordinates
            # with other output lengths than ONNX's (and onnx.reference's,
            # and optc's, which agree): only sizes.
            attrs["coordinate_transformation_mode"] = "asymmetric"
        # Nearest neighbours: a coordinate within rounding of a tie (a
        # half for the round modes, an integer for floor and ceil) goes
        # either way, and onnxruntime computes coordinates in f32 where
        # onnx.reference and optc use more precision; only ratios whose
        # coordinates are exact (powers of two; 3, whose ties are exact
        # quotients).
        ratios = ([0.5, 1.0, 2.0, 3.0, 0.25, 4.0] if mode == "nearest" else
                  [0.5, 1.0, 1.5, 2.0, 3.0, 0.25, 0.6, 1.7])
        scales = lead + [b.d.choice(ratios) for _ in range(2)]
        out = [int(math.floor(s * f)) for s, f in zip(shape, scales)]
        if min(out) < 1:
            scales = lead + [2.0, 2.0]
        names += [b.const("scales", np.array(scales, np.float32))]
        if (mode == "nearest" and ctm == "half_pixel_symmetric"
                and any(n * f != int(n * f) for n, f in zip(shape, scales))):
            # Its offset, (length / 2) * (1 - floor(length * scale) /
            # (length * scale)), is then inexact and moves the (integer
            # or half) coordinates off their ties by a rounding.
            attrs["coordinate_transformation_mode"] = "half_pixel"
    else:
        if mode == "nearest":
            sizes = shape[:rank - 2] + [
                b.d.choice([n * f for f in (1, 2, 3, 4)] + [n // f for f in (2, 4) if n % f == 0])
                for n in shape[-2:]]
        else:
            sizes = shape[:rank - 2] + [b.d.size(limit=61) for _ in range(2)]
        names += ["", b.const("sizes", np.array(sizes, np.int64))]
    b.node("Resize", names, ["y"], **attrs)
    if mode == "nearest" or t in INTS:
        b.output("y", t, Exact())
        return

    def tol(case, want, name):
        # Interpolation weights come from coordinates up to the input's
        # size, computed in f32 (eps * size each); the result is a convex
        # combination of values up to max|x|.
        x = np.abs(case.inputs["x"].astype(np.float64)).max()
        return 4 * eps(name) * (1 + max(shape[-2:])) * x + 2 * ulp(want, name)
    b.output("y", t, Custom(tol, "4*eps*(1 + size)*max|x| + 2 ULP"))


GENERATORS = {
    "Add": binary_arith("Add"),
    "Sub": binary_arith("Sub"),
    "Mul": binary_arith("Mul"),
    "Div": binary_arith("Div"),
    "Pow": gen_pow,
    "Max": variadic_minmax("Max"),
    "Min": variadic_minmax("Min"),
    "Where": gen_where,
    "Equal": compare_op("Equal"),
    "Less": compare_op("Less"),
    "Greater": compare_op("Greater"),
    **{op: unary(op) for op in UNARY},
    "Clip": gen_clip,
    "Cast": gen_cast,
    "MatMul": gen_matmul,
    "Gemm": gen_gemm,
    "Einsum": gen_einsum,
    "Conv": gen_conv,
    "ConvTranspose": gen_conv_transpose,
    "MaxPool": gen_maxpool,
    "AveragePool": gen_avgpool,
    "GlobalAveragePool": gen_global_avgpool,
    "BatchNormalization": gen_batchnorm,
    "LayerNormalization": gen_layernorm,
    "Softmax": softmax_op("Softmax"),
    "LogSoftmax": softmax_op("LogSoftmax"),
    "ReduceSum": reduce_op("ReduceSum"),
    "ReduceMean": reduce_op("ReduceMean"),
    "ReduceMax": reduce_op("ReduceMax"),
    "ReduceMin": reduce_op("ReduceMin"),
    "ArgMax": gen_argmax,
    "CumSum": gen_cumsum,
    "TopK": gen_topk,
    "Transpose": gen_transpose,
    "Reshape": gen_reshape,
    "Concat": gen_concat,
    "Split": gen_split,
    "Slice": gen_slice,
    "Gather": gen_gather,
    "Expand": gen_expand,
    "Squeeze": gen_squeeze,
    "Unsqueeze": gen_unsqueeze,
    "Tile": gen_tile,
    "Pad": gen_pad,
    "Resize": gen_resize,
}


# Relative case counts: convolutions cost optc 0.3 to 12 s to compile each
# (against about 0.1 s for most cases), so they get fewer.
WEIGHTS = {"Conv": 0.4, "ConvTranspose": 0.3}


def case_counts(total):
    """Cases per op for `total` cases in all."""
    norm = sum(WEIGHTS.get(op, 1.0) for op in GENERATORS)
    return {op: max(1, round(total * WEIGHTS.get(op, 1.0) / norm)) for op in GENERATORS}


def make_case(op, index, seed):
    draw = Draw(seed, op, index)
    b = Builder(draw)
    GENERATORS[op](b)
    return Case(op=op, index=index, seed=draw.seed, nodes=b.nodes, inputs=b.inputs,
                outputs=b.outputs, consts=b.consts, params=b.params, ref=b.ref,
                mag=tuple(sorted(b.mag)) if any(isinstance(o.tol, Sum) for o in b.outputs) else (),
                mag_attrs=b.mag_attrs)
