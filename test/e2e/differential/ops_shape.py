"""Generators of the data-movement ops: Transpose, Reshape, Concat, Split,
Slice, Gather, Expand, Squeeze, Unsqueeze, Tile, Pad, Resize."""
import math

import numpy as np

from .core import FLOATS, INTS, Custom, Exact, eps, ulp
from .ops_common import out_shape, pick_dtype


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
