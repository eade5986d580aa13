"""Generators of the elementwise ops: arithmetic, Pow, Max/Min, Where,
comparisons, the unary functions, Clip and Cast."""
import math

import numpy as np

from .core import FLOATS, INTS, Custom, Exact, Ulp, eps, np_dtype, onnx_type, ulp
from .ops_common import ALL_INTS, int_range, out_shape, pick_dtype, values


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
