"""What the generators of every family share: the Builder of a case, the
choice of its type, value ranges and result shapes."""
import math

import numpy as np
from onnx import helper

from .core import INTS, Output, np_dtype


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
