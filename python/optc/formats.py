"""optc's low-precision formats, bit-exact, for NumPy arrays.

The same code the compiler quantizes weights with (optc/Support/Formats.h
and BlockScaling.h):

    from optc import formats
    codes = formats.encode("f4e2m1", x)             # uint8 codes
    y = formats.decode("f4e2m1", codes)             # float32
    e = formats.encode_scale(x, round_mode="up")    # E8M0 codes, as onnx.reference
    packed = formats.pack(codes, 4)                 # two codes a byte, low nibble first
    q = formats.quantize(w, "mxfp4", axis=1)        # codes, scales, zero points
    w2 = formats.dequantize(q)

Formats: f4e2m1 f6e2m3 f6e3m2 f8e4m3fn f8e5m2 ue4m3 e8m0 f16 bf16 int<N>
uint<N>. Schemes: int<N>[-g<G>][-asym], uint<N>[-g<G>], mxfp4, mxfp6,
mxfp6e3m2, mxfp8, mxfp8e5m2, mxint8, nvfp4, bfp<M>-b<B>, bfp12, bfp16.
docs/low-precision.md has their rules.
"""
from dataclasses import dataclass

import numpy as np

from . import _optc

_f = _optc.formats

__all__ = ["Quantized", "decode", "dequantize", "encode", "encode_scale", "pack",
           "quantize", "scheme", "unpack"]


def _f32(x):
    return np.ascontiguousarray(x, dtype=np.float32)


def encode(format, x, saturate=True):
    """The codes of x (float32) in `format`: uint8, or uint16 for f16/bf16."""
    x = _f32(x)
    raw = _f.encode(format, x.tobytes(), saturate)
    dtype = np.uint16 if _f.bits(format) > 8 else np.uint8
    return np.frombuffer(raw, dtype=dtype).reshape(x.shape)


def decode(format, codes):
    """The float32 values of `codes` (uint8, or uint16 for 16-bit formats)."""
    codes = np.ascontiguousarray(codes)
    return np.frombuffer(_f.decode(format, codes.tobytes()),
                         dtype=np.float32).reshape(codes.shape)


def encode_scale(x, round_mode="up", saturate=True):
    """E8M0 codes of x as onnx.numpy_helper.to_float8e8m0 makes them."""
    x = _f32(x)
    return np.frombuffer(_f.encode_scale(x.tobytes(), round_mode, saturate),
                         dtype=np.uint8).reshape(x.shape)


def pack(codes, bits):
    """Codes of `bits` bits (one per byte) as one little-endian bit stream."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1)
    return np.frombuffer(_f.pack(codes.tobytes(), bits), dtype=np.uint8)


def unpack(packed, bits, count):
    """The first `count` codes of a packed bit stream, one per byte."""
    packed = np.ascontiguousarray(packed, dtype=np.uint8).reshape(-1)
    return np.frombuffer(_f.unpack(packed.tobytes(), bits, count), dtype=np.uint8)


def scheme(name):
    """What a scheme name stands for: element and scale formats, block."""
    return _f.scheme(name)


@dataclass
class Quantized:
    """A quantized tensor: one code per value; per block a scale (as its
    format holds it, float32), its code and a zero point; the tensor scale
    of two-level schemes. Scales are shaped [outer, blocks, inner] around
    the blocked axis."""
    scheme: str
    shape: tuple
    axis: int
    codes: np.ndarray
    scales: np.ndarray
    scale_codes: np.ndarray
    zero_points: np.ndarray
    tensor_scale: float


def quantize(x, scheme, axis=-1):
    """Quantizes x (float32) with `scheme`, blocks running along `axis`."""
    x = _f32(x)
    if x.ndim:
        axis = axis % x.ndim
    d = _f.quantize(x.tobytes(), list(x.shape), axis, scheme)
    scale_shape = tuple(d["scale_shape"])
    return Quantized(
        scheme=scheme, shape=x.shape, axis=axis,
        codes=np.frombuffer(d["codes"], dtype=np.uint8).reshape(x.shape),
        scales=np.frombuffer(d["scales"], dtype=np.float32).reshape(scale_shape),
        scale_codes=np.frombuffer(d["scale_codes"], dtype=np.uint32).reshape(scale_shape),
        zero_points=np.frombuffer(d["zero_points"], dtype=np.uint8).reshape(
            scale_shape if d["zero_points"] else (0,)),
        tensor_scale=d["tensor_scale"])


def dequantize(q):
    """The float32 values a Quantized stands for."""
    raw = _f.dequantize(q.codes.tobytes(), _f32(q.scales).tobytes(),
                        np.ascontiguousarray(q.zero_points, dtype=np.uint8).tobytes(),
                        q.tensor_scale, list(q.shape), q.axis, q.scheme)
    return np.frombuffer(raw, dtype=np.float32).reshape(q.shape)
