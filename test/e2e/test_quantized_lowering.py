"""The CPU lowering of packed quantized tensors (#optc.quant), bit-exact
against optc.formats (the numerics library, itself checked against
ml_dtypes and onnx.reference in test/python/test_formats.py).

Each case compiles a small MLIR program that quantizes an input into packed
codes and dequantizes it again, dequantizes codes packed at compile time
(optc.pack of a constant, folded) and codes packed at run time (optc.pack
of a computed tensor), over blocks that do not divide their dimension, in
every code format, with scales of every scale type."""
import subprocess

import numpy as np
import pytest

from optc import formats

# (MLIR code type, optc.formats name, bits)
CODES = [
    ("i4", "int4", 4), ("ui4", "uint4", 4), ("i2", "int2", 2),
    ("i3", "int3", 3), ("ui5", "uint5", 5), ("i7", "int7", 7),
    ("ui1", "uint1", 1), ("i8", "int8", 8), ("ui8", "uint8", 8),
    ("f4E2M1FN", "f4e2m1", 4), ("f6E2M3FN", "f6e2m3", 6),
    ("f6E3M2FN", "f6e3m2", 6), ("f8E4M3FN", "f8e4m3fn", 8),
    ("f8E5M2", "f8e5m2", 8),
]
# (MLIR scale type, optc.formats name, numpy storage of its codes)
SCALES = {
    "f32": ("f32", np.float32), "f16": ("f16", np.float16),
    "bf16": ("bf16", np.uint16), "f8E8M0FNU": ("e8m0", np.uint8),
    "f8E4M3FN": ("f8e4m3fn", np.uint8),
}


def hex_dense(raw):
    return 'dense<"0x' + np.ascontiguousarray(raw).tobytes().hex().upper() + '">'


def codes_dense(codes, bits):
    """Codes as a dense<...> literal: hex holds one code a byte, except for
    1-bit elements, which MLIR's hex packs; those are written out."""
    return f"dense<{codes.tolist()}>" if bits == 1 else hex_dense(codes)


def scale_codes(scale_type, values):
    """The stored scales of `values` (f32) in `scale_type`, and their f32."""
    name, storage = SCALES[scale_type]
    if scale_type == "f32":
        raw = values.astype(np.float32)
        return raw, raw
    if scale_type == "f16":
        raw = values.astype(np.float16)
        return raw, raw.astype(np.float32)
    if scale_type == "f8E8M0FNU":
        raw = formats.encode_scale(values)
    else:
        raw = formats.encode(name, values)
    return raw.astype(storage), formats.decode(name, raw)


def block_scale(scales, block, shape):
    """Each element's scale: its block's, repeated over the block."""
    full = scales
    for axis, b in enumerate(block):
        full = np.repeat(full, b, axis=axis)
    return full[tuple(slice(0, n) for n in shape)]


CASES = [(c, s) for c in CODES for s in ["f32", "f8E8M0FNU"]] + [
    (CODES[0], "f16"), (CODES[1], "bf16"), (CODES[3], "f16"),
    (CODES[9], "f8E4M3FN"), (CODES[12], "bf16"),
]


@pytest.mark.parametrize("code,scale_type", CASES,
                         ids=[f"{c[0]}-{s}" for c, s in CASES])
def test_quantize_dequantize_bit_exact(optc, tmp_path, code, scale_type):
    mlir_type, name, bits = code
    is_int = name.startswith(("int", "uint"))
    shape, block = (3, 5, 37), (1, 2, 16)
    scale_shape = tuple(-(-n // b) for n, b in zip(shape, block))
    rng = np.random.default_rng(bits * 7 + len(scale_type))
    x = (rng.standard_normal(shape) * 4).astype(np.float32)
    if not is_int:
        x.flat[:6] = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0]
    wanted = rng.uniform(0.05, 2.0, scale_shape).astype(np.float32)
    stored, scales = scale_codes(scale_type, wanted)
    nvfp4 = scale_type == "f8E4M3FN"
    tensor_scale = np.float32(0.37)
    zero = None
    if is_int:
        lo, hi = (0, 2 ** bits - 1) if name.startswith("uint") else (
            -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        zero = rng.integers(lo, hi + 1, scale_shape).astype(np.float32)
    # Codes computed at run time, by a cast that wraps (optc has no plain
    # 1-bit integers but i1, the bools).
    computed = rng.integers(-128, 128, shape).astype(np.int8) \
        if is_int and bits > 1 else None
    const_codes = rng.integers(0, 2 ** bits, shape).astype(np.uint8)

    quant = (f"#optc.quant<block = [{', '.join(map(str, block))}], "
             f"scale = {scale_type}"
             + (", zero_point" if zero is not None else "")
             + (", tensor_scale" if nvfp4 else "") + ">")
    dims = "x".join(map(str, shape))
    sdims = "x".join(map(str, scale_shape))
    qt = f"tensor<{dims}x{mlir_type}, {quant}>"
    plain = f"tensor<{dims}x{mlir_type}>"
    st = f"tensor<{sdims}x{scale_type}>"
    zt = f"tensor<{sdims}x{mlir_type}>"
    ft = f"tensor<{dims}xf32>"
    extra_types, extra_operands = [st], "%s"
    if zero is not None:
        zero_codes = formats.encode(name, zero)
        extra_types.append(zt)
        extra_operands += " zero_points %z"
    if nvfp4:
        extra_types.append("tensor<f32>")
        extra_operands += " tensor_scale %t"
    consts = [f"  %s = optc.constant {hex_dense(stored)} : {st}"]
    if zero is not None:
        consts.append(f"  %z = optc.constant {codes_dense(zero_codes, bits)} : {zt}")
    if nvfp4:
        consts.append(f"  %t = optc.constant dense<{float(tensor_scale)!r}> : tensor<f32>")
    consts.append(f"  %c = optc.constant {codes_dense(const_codes, bits)} : {plain}")
    operand_types = ", ".join(extra_types)
    body = "\n".join(consts) + f"""
  %q = optc.quantize %x, {extra_operands} : ({ft}, {operand_types}) -> {qt}
  %d = optc.dequantize %q, {extra_operands} : ({qt}, {operand_types}) -> {ft}
  %pc = optc.pack %c : {plain} -> {qt}
  %dc = optc.dequantize %pc, {extra_operands} : ({qt}, {operand_types}) -> {ft}
"""
    outputs, types = ["%d", "%dc"], [ft, ft]
    inputs = [f"%x: {ft}"]
    if computed is not None:
        inputs.append(f"%i: tensor<{dims}xi8>")
        body += f"""  %ci = optc.cast %i : tensor<{dims}xi8> -> {plain}
  %pi = optc.pack %ci : {plain} -> {qt}
  %di = optc.dequantize %pi, {extra_operands} : ({qt}, {operand_types}) -> {ft}
"""
        outputs.append("%di")
        types.append(ft)
    program = (f"func.func @main({', '.join(inputs)}) -> ({', '.join(types)}) {{\n"
               + body + f"  return {', '.join(outputs)} : {', '.join(types)}\n}}\n")
    (tmp_path / "q.mlir").write_text(program)
    np.save(tmp_path / "x.npy", x)
    args = [str(optc), "run", str(tmp_path / "q.mlir"), "--output-dir",
            str(tmp_path / "out"), "--input", f"input0={tmp_path / 'x.npy'}"]
    if computed is not None:
        np.save(tmp_path / "i.npy", computed)
        args += ["--input", f"input1={tmp_path / 'i.npy'}"]
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + program

    # The reference: formats::quantize's arithmetic, in f32.
    s = block_scale(scales, block, shape)
    if nvfp4:
        s = (s * tensor_scale).astype(np.float32)
    z = block_scale(formats.decode(name, zero_codes), block, shape) \
        if zero is not None else np.float32(0)

    def dequantize(codes):
        return ((formats.decode(name, codes) - z) * s).astype(np.float32)

    with np.errstate(invalid="ignore", divide="ignore"):
        if is_int:
            codes = formats.encode(name, np.rint(x / s) + z)
        else:
            codes = formats.encode(name, x / s)
    expected = [dequantize(codes), dequantize(const_codes & (2 ** bits - 1))]
    if computed is not None:
        expected.append(dequantize(computed.view(np.uint8) & (2 ** bits - 1)))
    for index, want in enumerate(expected):
        got = np.load(tmp_path / "out" / f"output{index}.npy")
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32),
                                      err_msg=f"output {index}")
