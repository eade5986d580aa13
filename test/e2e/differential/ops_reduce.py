"""Generators of the reductions: Reduce*, ArgMax/ArgMin, CumSum, TopK."""
import math

import numpy as np

from .core import FLOATS, INTS, Exact, Sum
from .ops_common import pick_dtype


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
