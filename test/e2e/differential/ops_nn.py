"""Generators of the contractions (MatMul, Gemm, Einsum, Conv,
ConvTranspose), the poolings, the normalisations and softmax."""
import math

import numpy as np

from .core import FLOATS, INTS, Custom, Exact, Sum, eps, ulp
from .ops_common import pick_dtype, values


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
    d = {c: b.d.size(limit=31) for c in sorted(set("".join(specs)))}
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
