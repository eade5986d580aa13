"""End-to-end tests of the 8-bit and narrower element types on the CPU:
Cast to and from every 8-bit float format, f4E2M1FN and 2- and 4-bit
integers, compared with ml_dtypes (the reference of ONNX's own tests) over
every code of the narrow type and over every float16 value, NaNs,
infinities, subnormals, ties and out-of-range values included. Inputs and
outputs travel as .npy files holding ml_dtypes arrays, one element per
byte."""
import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from harness import make_model, run_optc

# The references cast NaN and infinity, which numpy warns about.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

FLOATS = {
    TensorProto.FLOAT8E4M3FN: ml_dtypes.float8_e4m3fn,
    TensorProto.FLOAT8E4M3FNUZ: ml_dtypes.float8_e4m3fnuz,
    TensorProto.FLOAT8E5M2: ml_dtypes.float8_e5m2,
    TensorProto.FLOAT8E5M2FNUZ: ml_dtypes.float8_e5m2fnuz,
    TensorProto.FLOAT4E2M1: ml_dtypes.float4_e2m1fn,
}
INTEGERS = {
    TensorProto.INT4: ml_dtypes.int4, TensorProto.UINT4: ml_dtypes.uint4,
    TensorProto.INT2: ml_dtypes.int2, TensorProto.UINT2: ml_dtypes.uint2,
}


def cast_model(source, target, n, saturate=None):
    attrs = {} if saturate is None else {"saturate": saturate}
    return make_model([helper.make_node("Cast", ["x"], ["y"], to=target, **attrs)],
                      [("x", source, [n])], [("y", target, [n])], opset=21)


def float_inputs():
    """Every float16 value as f32, plus f32 values between them: ties and
    values just around them, beyond f16's range, and f32 subnormals."""
    halves = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)
    rng = np.random.default_rng(0)
    scattered = (rng.standard_normal(4096) * np.exp2(rng.integers(-20, 20, 4096))).astype(np.float32)
    extra = np.array([1e30, -1e30, 3e38, 1e-40, -1e-45, 464.0, 470.0, 6.5, 7.0], np.float32)
    near = np.concatenate([np.nextafter(halves, np.inf), np.nextafter(halves, -np.inf)])
    return np.concatenate([halves, near.astype(np.float32), scattered, extra])


# Cast's saturate applies to the 8-bit float formats; f4E2M1FN, which has
# neither infinity nor NaN, always saturates.
@pytest.mark.parametrize("target,saturate",
                         [(t, s) for t in FLOATS for s in (1, 0) if t != TensorProto.FLOAT4E2M1 or s],
                         ids=lambda v: TensorProto.DataType.Name(v) if v > 1 else f"saturate{v}")
def test_cast_float_to_narrow_float(optc, tmp_path, target, saturate):
    dtype = FLOATS[target]
    x = float_inputs()
    (got,) = run_optc(optc, tmp_path, cast_model(TensorProto.FLOAT, target, x.size, saturate), {"x": x})
    got = got.view(dtype)
    want = onnx.numpy_helper.saturate_cast(x, dtype) if saturate else x.astype(dtype)
    if target == TensorProto.FLOAT4E2M1:
        want = x.astype(dtype)
    bad = ~((got.astype(np.float64) == want.astype(np.float64))
            | (np.isnan(got.astype(np.float64)) & np.isnan(want.astype(np.float64))))
    assert not bad.any(), (f"{int(bad.sum())} of {x.size} differ, e.g. {x[bad][:4]} -> "
                           f"{got[bad][:4]}, expected {want[bad][:4]}")


@pytest.mark.parametrize("source", list(FLOATS), ids=lambda t: TensorProto.DataType.Name(t))
def test_cast_every_narrow_float_code_to_float(optc, tmp_path, source):
    dtype = FLOATS[source]
    bits = 4 if source == TensorProto.FLOAT4E2M1 else 8
    x = np.arange(1 << bits, dtype=np.uint8).view(dtype)
    for target, wide in ((TensorProto.FLOAT, np.float32), (TensorProto.FLOAT16, np.float16)):
        (got,) = run_optc(optc, tmp_path, cast_model(source, target, x.size), {"x": x})
        want = x.astype(wide)
        assert got.dtype == wide
        np.testing.assert_array_equal(got, want)  # NaN == NaN here
        zeros = want == 0
        np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


@pytest.mark.parametrize("target", list(INTEGERS), ids=lambda t: TensorProto.DataType.Name(t))
def test_narrow_integers_wrap_and_round_trip(optc, tmp_path, target):
    dtype = INTEGERS[target]
    x = np.arange(-20, 21, dtype=np.float32)
    (got,) = run_optc(optc, tmp_path, cast_model(TensorProto.FLOAT, target, x.size), {"x": x})
    np.testing.assert_array_equal(got.view(dtype).astype(np.int64), x.astype(dtype).astype(np.int64))
    # Every code back to int8 and float.
    codes = np.arange(1 << (4 if target in (TensorProto.INT4, TensorProto.UINT4) else 2),
                      dtype=np.uint8).view(dtype)
    for wide_type, wide in ((TensorProto.INT8, np.int8), (TensorProto.FLOAT, np.float32)):
        if wide_type == TensorProto.INT8 and target in (TensorProto.UINT4, TensorProto.UINT2):
            wide_type, wide = TensorProto.UINT8, np.uint8
        (got,) = run_optc(optc, tmp_path, cast_model(target, wide_type, codes.size), {"x": codes})
        np.testing.assert_array_equal(got, codes.astype(wide))


def test_quantize_to_float8_and_back(optc, tmp_path):
    """QuantizeLinear to f8E4M3FN saturates; DequantizeLinear scales back."""
    x = np.array([0.0, 1.0, -3.5, 100.0, 1000.0, -1e6, 0.01], np.float32)
    scale = onnx.numpy_helper.from_array(np.array(2.0, np.float32), "s")
    zero = helper.make_tensor("z", TensorProto.FLOAT8E4M3FN, [], [0.0])
    model = make_model(
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]),
         helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])],
        [("x", TensorProto.FLOAT, [7])], [("y", TensorProto.FLOAT, [7])],
        initializers=[scale, zero], opset=21)
    (got,) = run_optc(optc, tmp_path, model, {"x": x})
    want = onnx.numpy_helper.saturate_cast(x / 2, ml_dtypes.float8_e4m3fn).astype(np.float32) * 2
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("saturate", [1, 0])
@pytest.mark.parametrize("round_mode", ["up", "down", "nearest"])
def test_cast_to_e8m0_follows_onnx_rounding(optc, tmp_path, round_mode, saturate):
    """f8E8M0FNU keeps the exponent; ONNX's round_mode and saturate decide
    what the fraction and the largest exponent do."""
    x = float_inputs()
    model = make_model(
        [helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT8E8M0,
                          round_mode=round_mode, saturate=saturate)],
        [("x", TensorProto.FLOAT, [x.size])], [("y", TensorProto.FLOAT8E8M0, [x.size])],
        opset=24)
    (got,) = run_optc(optc, tmp_path, model, {"x": x})
    want = onnx.numpy_helper.to_float8e8m0(x, saturate=bool(saturate), round_mode=round_mode)
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))
    # And every code back to float.
    codes = np.arange(256, dtype=np.uint8).view(ml_dtypes.float8_e8m0fnu)
    back = make_model([helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT)],
                      [("x", TensorProto.FLOAT8E8M0, [256])], [("y", TensorProto.FLOAT, [256])],
                      opset=24)
    (got,) = run_optc(optc, tmp_path, back, {"x": codes})
    np.testing.assert_array_equal(got, codes.astype(np.float32))


def test_optc_run_summarises_narrow_outputs(optc, tmp_path):
    """optc run's summary line decodes narrow outputs (not NaN)."""
    import subprocess
    x = np.array([-9, -1, 0.4, 7, 300], np.float32)
    # int4 wraps: -9 is 7 and 300 is -4.
    for target, line in ((TensorProto.INT4, "i4[5]  min -4  max 7"),
                         (TensorProto.FLOAT8E4M3FN, "f8e4m3fn[5]  min -9  max 288")):
        model = cast_model(TensorProto.FLOAT, target, 5)
        onnx.save(model, tmp_path / "m.onnx")
        np.save(tmp_path / "x.npy", x)
        r = subprocess.run([optc, "run", tmp_path / "m.onnx", "--input", f"x={tmp_path / 'x.npy'}"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert line in r.stdout, r.stdout
