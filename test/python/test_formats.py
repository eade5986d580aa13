"""optc.formats against ml_dtypes and onnx.reference, bit for bit.

Every code of every format decodes as ml_dtypes decodes it; f32 sweeps over
every rounding tie and boundary, random values and the special values
(NaN, infinities, overflow, -0) encode as ml_dtypes casts them and as
onnx.reference's QuantizeLinear and to_float8e8m0 make them; packing is
ONNX's; the block schemes' codes and values are what QuantizeLinear and
DequantizeLinear compute from the same scales.
"""
import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from optc import formats

FLOATS = {
    "f4e2m1": ml_dtypes.float4_e2m1fn,
    "f6e2m3": ml_dtypes.float6_e2m3fn,
    "f6e3m2": ml_dtypes.float6_e3m2fn,
    "f8e4m3fn": ml_dtypes.float8_e4m3fn,
    "f8e5m2": ml_dtypes.float8_e5m2,
    "f16": np.float16,
    "bf16": ml_dtypes.bfloat16,
}
BITS = {"f4e2m1": 4, "f6e2m3": 6, "f6e3m2": 6, "f8e4m3fn": 8, "f8e5m2": 8,
        "f16": 16, "bf16": 16}
# The formats that saturate whatever they are asked (no inf, no NaN).
ALWAYS_SATURATING = {"f4e2m1", "f6e2m3", "f6e3m2"}


def codes_of(name):
    bits = BITS[name]
    return np.arange(1 << bits, dtype=np.uint16 if bits > 8 else np.uint8)


def ml_decode(name, codes):
    return codes.view(FLOATS[name]).astype(np.float32)


def ml_encode(name, x):
    dtype = FLOATS[name]
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and overflow are cases
        out = np.asarray(x, dtype=np.float32).astype(dtype)
    return out.view(np.uint16 if BITS[name] > 8 else np.uint8)


def same(a, b):
    """Equal as floats, NaN matching NaN and -0 not matching 0."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(
        a.view(np.uint32)[~np.isnan(a)], b.view(np.uint32)[~np.isnan(b)])


@pytest.mark.parametrize("name", sorted(FLOATS))
def test_every_code_decodes_as_ml_dtypes(name):
    codes = codes_of(name)
    if BITS[name] < 8:  # ml_dtypes keeps sub-byte codes in the low bits
        assert same(formats.decode(name, codes), ml_decode(name, codes.astype(np.uint8)))
    else:
        assert same(formats.decode(name, codes), ml_decode(name, codes))


def boundaries(name):
    """Every value, every midpoint of neighbours and the f32s beside them."""
    values = formats.decode(name, codes_of(name)).astype(np.float64)
    values = np.unique(np.abs(values[np.isfinite(values)]))
    mids = (values[:-1] + values[1:]) / 2
    points = np.concatenate([values, mids]).astype(np.float32)
    points = points[points.astype(np.float64) == np.concatenate([values, mids])]
    around = np.concatenate([points, np.nextafter(points, np.float32(0)),
                             np.nextafter(points, np.float32(np.inf))])
    return np.concatenate([around, -around]).astype(np.float32)


@pytest.mark.parametrize("name", sorted(FLOATS))
def test_ties_and_boundaries_round_as_ml_dtypes(name):
    x = boundaries(name)
    # ml_dtypes' cast does not saturate E4M3FN and E5M2 (nor f16/bf16).
    saturate = name in ALWAYS_SATURATING
    got = formats.encode(name, x, saturate=saturate)
    want = ml_encode(name, x)
    bad = np.nonzero(got != want)[0]
    assert bad.size == 0, [(float(x[i]), int(got[i]), int(want[i])) for i in bad[:5]]


@pytest.mark.parametrize("name", sorted(FLOATS))
def test_random_and_special_values_round_as_ml_dtypes(name):
    rng = np.random.default_rng(20261207)
    bits = rng.integers(0, 1 << 32, size=200000, dtype=np.uint64).astype(np.uint32)
    x = np.concatenate([
        bits.view(np.float32),  # every exponent, NaNs and infinities included
        rng.standard_normal(100000).astype(np.float32) * 4,
        np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1e30, -1e30,
                  np.finfo(np.float32).tiny, -np.finfo(np.float32).tiny,
                  np.float32(1e-45)], dtype=np.float32)])
    saturate = name in ALWAYS_SATURATING
    got = formats.encode(name, x, saturate=saturate)
    want = ml_encode(name, x)
    # NaNs: any NaN code of the format matches (payloads are not kept).
    nan_got = np.isnan(formats.decode(name, got))
    nan_want = np.isnan(formats.decode(name, want))
    assert np.array_equal(nan_got, nan_want)
    bad = np.nonzero((got != want) & ~nan_got)[0]
    assert bad.size == 0, [(float(x[i]), int(got[i]), int(want[i])) for i in bad[:5]]


def run_reference(node, inputs, outputs, opset):
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, t, None) for n, t, _ in inputs],
        [helper.make_tensor_value_info(n, t, None) for n, t in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(model).run(None, {n: v for n, _, v in inputs})


QUANT_OUTPUTS = {
    "f8e4m3fn": (TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn),
    "f8e5m2": (TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2),
    "f4e2m1": (TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn),
    "int8": (TensorProto.INT8, np.int8),
    "uint8": (TensorProto.UINT8, np.uint8),
    "int4": (TensorProto.INT4, ml_dtypes.int4),
    "uint4": (TensorProto.UINT4, ml_dtypes.uint4),
    "int2": (TensorProto.INT2, ml_dtypes.int2),
    "uint2": (TensorProto.UINT2, ml_dtypes.uint2),
}


@pytest.mark.parametrize("name,saturate", [(n, 1) for n in sorted(QUANT_OUTPUTS)] +
                         [("f8e4m3fn", 0), ("f8e5m2", 0)])  # saturate is float8's
def test_quantize_linear_of_onnx_reference(name, saturate):
    """QuantizeLinear with a scale of 1: the format's own rounding."""
    onnx_type, dtype = QUANT_OUTPUTS[name]
    x = np.concatenate([boundaries(name) if name in FLOATS else
                        np.arange(-300, 300, 0.25, dtype=np.float32),
                        np.array([1e9, -1e9, 0.5, 1.5, 2.5, -2.5], np.float32)])
    attrs = {"output_dtype": onnx_type}
    if name.startswith("f8"):
        attrs["saturate"] = saturate
    node = helper.make_node("QuantizeLinear", ["x", "s"], ["y"], **attrs)
    (y,) = run_reference(node, [("x", TensorProto.FLOAT, x),
                                ("s", TensorProto.FLOAT, np.float32(1))],
                         [("y", onnx_type)], 25)
    bits = np.dtype(dtype).itemsize * 8 if name in ("int8", "uint8") else \
        {"int4": 4, "uint4": 4, "int2": 2, "uint2": 2}.get(name, 8)
    want = np.asarray(y).view(np.uint8) & np.uint8((1 << bits) - 1) \
        if name not in FLOATS else np.asarray(y).view(np.uint8)
    got = formats.encode(name, x, saturate=bool(saturate))
    bad = np.nonzero(got != want)[0]
    assert bad.size == 0, [(float(x[i]), int(got[i]), int(want[i])) for i in bad[:5]]


@pytest.mark.parametrize("round_mode", ["up", "nearest", "down"])
@pytest.mark.parametrize("saturate", [True, False])
def test_e8m0_as_onnx_reference(round_mode, saturate):
    rng = np.random.default_rng(8)
    bits = rng.integers(0, 1 << 32, size=100000, dtype=np.uint64).astype(np.uint32)
    powers = np.ldexp(np.float32(1), np.arange(-149, 128)).astype(np.float32)
    x = np.concatenate([bits.view(np.float32), powers, powers * 1.5, powers * 1.25,
                        np.nextafter(powers, np.float32(np.inf)),
                        np.array([0, -0.0, np.inf, -np.inf, np.nan, 3.4e38],
                                 np.float32)])
    want = numpy_helper.to_float8e8m0(x, saturate=saturate, round_mode=round_mode)
    got = formats.encode_scale(x, round_mode=round_mode, saturate=saturate)
    assert np.array_equal(got, np.asarray(want).view(np.uint8))
    # Every code decodes as ml_dtypes' float8_e8m0fnu.
    codes = np.arange(256, dtype=np.uint8)
    assert same(formats.decode("e8m0", codes),
                codes.view(ml_dtypes.float8_e8m0fnu).astype(np.float32))


@pytest.mark.parametrize("name,onnx_type,bits", [
    ("int4", TensorProto.INT4, 4), ("uint4", TensorProto.UINT4, 4),
    ("f4e2m1", TensorProto.FLOAT4E2M1, 4), ("int2", TensorProto.INT2, 2),
    ("uint2", TensorProto.UINT2, 2)])
def test_packing_is_onnx_raw_data(name, onnx_type, bits):
    rng = np.random.default_rng(bits)
    for count in (1, 7, 64, 333):
        codes = rng.integers(0, 1 << bits, size=count).astype(np.uint8)
        values = formats.decode(name, codes)
        tensor = helper.make_tensor("t", onnx_type, [count], values)
        want = numpy_helper.to_array(tensor)  # unpacked by onnx
        raw = helper.make_tensor("t", onnx_type, [count],
                                 formats.pack(codes, bits).tobytes(), raw=True)
        assert np.array_equal(numpy_helper.to_array(raw).astype(np.float32),
                              want.astype(np.float32))
        assert np.array_equal(formats.unpack(formats.pack(codes, bits), bits, count),
                              codes)


def test_packing_six_bits():
    codes = np.array([0x3F, 0x01, 0x22, 0x15], np.uint8)
    assert formats.pack(codes, 6).tolist() == [0x7F, 0x20, 0x56]


def dequantize_reference(codes_t, codes, scale_t, scales, block, axis, zp=None,
                         zp_t=None):
    inputs = [("x", codes_t, codes), ("s", scale_t, scales)]
    names = ["x", "s"]
    if zp is not None:
        inputs.append(("z", zp_t, zp))
        names.append("z")
    node = helper.make_node("DequantizeLinear", names, ["y"], axis=axis,
                            block_size=block, output_dtype=TensorProto.FLOAT)
    (y,) = run_reference(node, inputs, [("y", TensorProto.FLOAT)], 25)
    return np.asarray(y, dtype=np.float32)


def quantize_reference(x, scale_t, scales, out_t, block, axis, zp=None, zp_t=None):
    inputs = [("x", TensorProto.FLOAT, x), ("s", scale_t, scales)]
    names = ["x", "s"]
    if zp is not None:
        inputs.append(("z", zp_t, zp))
        names.append("z")
    attrs = {"axis": axis, "block_size": block}
    if zp is None:
        attrs["output_dtype"] = out_t
    node = helper.make_node("QuantizeLinear", names, ["y"], **attrs)
    (y,) = run_reference(node, inputs, [("y", out_t)], 25)
    return np.asarray(y)


def expand(scales, shape, axis, block):
    """[outer, blocks, inner] scales in the input's rank, as ONNX wants."""
    s = list(shape)
    s[axis] = -(-shape[axis] // block)
    return scales.reshape(s)


@pytest.mark.parametrize("scheme,element,onnx_type,dtype", [
    ("mxfp4", "f4e2m1", TensorProto.FLOAT4E2M1, ml_dtypes.float4_e2m1fn),
    ("mxfp8", "f8e4m3fn", TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn),
    ("mxfp8e5m2", "f8e5m2", TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2),
])
def test_mx_matches_quantize_and_dequantize_linear(scheme, element, onnx_type, dtype):
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((6, 96)) * np.exp(rng.standard_normal((6, 1)) * 3)
         ).astype(np.float32)
    x[2, 40] = 0  # and a block of zeros
    x[3, :32] = 0
    q = formats.quantize(x, scheme, axis=1)
    scales = expand(q.scale_codes.astype(np.uint8), x.shape, 1, 32).view(
        ml_dtypes.float8_e8m0fnu)
    codes = quantize_reference(x, TensorProto.FLOAT8E8M0, scales, onnx_type, 32, 1)
    assert np.array_equal(np.asarray(codes).view(np.uint8) & 0xFF,
                          q.codes.view(np.uint8)), scheme
    y = dequantize_reference(onnx_type, q.codes.view(dtype), TensorProto.FLOAT8E8M0,
                             scales, 32, 1)
    assert same(formats.dequantize(q), y)
    # The shared exponent: the block's largest magnitude lands in the
    # element's top binade (or is clipped to its largest value).
    top = np.abs(formats.dequantize(q)).reshape(6, 3, 32).max(axis=2)
    amax = np.abs(x).reshape(6, 3, 32).max(axis=2)
    assert np.all((top == 0) == (amax == 0))


@pytest.mark.parametrize("scheme,onnx_type,dtype,axis", [
    ("int4-g32", TensorProto.INT4, ml_dtypes.int4, 0),
    ("int8", TensorProto.INT8, np.int8, 1),
    ("int2-g16", TensorProto.INT2, ml_dtypes.int2, 1),
])
def test_symmetric_integers_match_onnx(scheme, onnx_type, dtype, axis):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((64, 48)).astype(np.float32)
    q = formats.quantize(x, scheme, axis=axis)
    info = formats.scheme(scheme)
    block = info["block"] or x.shape[axis]
    scales = expand(q.scales, x.shape, axis, block)
    codes = quantize_reference(x, TensorProto.FLOAT, scales, onnx_type, block, axis)
    bits = {"int4-g32": 4, "int8": 8, "int2-g16": 2}[scheme]
    assert np.array_equal(np.asarray(codes).view(np.uint8) & ((1 << bits) - 1),
                          q.codes)
    y = dequantize_reference(onnx_type, np.asarray(codes), TensorProto.FLOAT,
                             scales, block, axis)
    assert same(formats.dequantize(q), y)


@pytest.mark.parametrize("scheme,onnx_type,dtype", [
    ("int4-g32-asym", TensorProto.UINT4, ml_dtypes.uint4),
    ("uint8", TensorProto.UINT8, np.uint8),
])
def test_zero_points_match_onnx(scheme, onnx_type, dtype):
    rng = np.random.default_rng(13)
    x = (rng.standard_normal((8, 64)) + 0.7).astype(np.float32)
    q = formats.quantize(x, scheme, axis=1)
    block = formats.scheme(scheme)["block"] or 64
    scales = expand(q.scales, x.shape, 1, block)
    zps = expand(q.zero_points, x.shape, 1, block).astype(dtype)
    codes = quantize_reference(x, TensorProto.FLOAT, scales, onnx_type, block, 1,
                               zps, onnx_type)
    assert np.array_equal(np.asarray(codes).astype(np.uint8), q.codes)
    y = dequantize_reference(onnx_type, np.asarray(codes), TensorProto.FLOAT, scales,
                             block, 1, zps, onnx_type)
    assert same(formats.dequantize(q), y)


def test_nvfp4_is_two_dequantize_linears():
    rng = np.random.default_rng(14)
    x = (rng.standard_normal((4, 64)) * 3).astype(np.float32)
    q = formats.quantize(x, "nvfp4", axis=1)
    assert q.scale_codes.max() <= 0x7E  # UE4M3: no sign, no NaN
    block_scales = expand(q.scale_codes.astype(np.uint8), x.shape, 1, 16).view(
        ml_dtypes.float8_e4m3fn)
    (scale,) = run_reference(
        helper.make_node("DequantizeLinear", ["s", "t"], ["y"]),
        [("s", TensorProto.FLOAT8E4M3FN, block_scales),
         ("t", TensorProto.FLOAT, np.float32(q.tensor_scale))],
        [("y", TensorProto.FLOAT)], 25)
    y = dequantize_reference(TensorProto.FLOAT4E2M1,
                             q.codes.view(ml_dtypes.float4_e2m1fn),
                             TensorProto.FLOAT, np.asarray(scale, np.float32), 16, 1)
    assert same(formats.dequantize(q), y)
    assert np.abs(formats.dequantize(q) - x).max() <= np.abs(x).max() / 6


def test_errors_name_what_was_wrong():
    with pytest.raises(ValueError, match="unknown quantization scheme 'int4-q32'"):
        formats.quantize(np.ones(4, np.float32), "int4-q32")
    with pytest.raises(ValueError, match="value #2 is NaN"):
        formats.quantize(np.array([1, 2, np.nan, 4], np.float32), "int8")
    with pytest.raises(ValueError, match="unknown format 'f5'"):
        formats.encode("f5", np.ones(2, np.float32))
    with pytest.raises(ValueError, match="round_mode 'sideways'"):
        formats.encode_scale(np.ones(2, np.float32), round_mode="sideways")
    with pytest.raises(ValueError, match="too short"):
        formats.unpack(np.zeros(1, np.uint8), 4, 3)
