"""Accuracy of compiled elementwise math over the whole input range
(scripts/accuracy.py, with fewer points), and the defects that range
exposed, each pinned by a case that failed before its fix."""
import importlib.util
import math
import pathlib

import numpy as np
import pytest

import optc

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("accuracy", ROOT / "scripts" / "accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(accuracy)


def ulps(got, want):
    return accuracy.ulp_error(np.asarray(got, np.float32), np.asarray(want, np.float64))


def run(op, x, fast_math=False, attrs=None):
    x = np.asarray(x, np.float32)
    model = accuracy.model(op, attrs or {}, x.size)
    return np.asarray(optc.compile(model, fast_math=fast_math)(x))


@pytest.mark.parametrize("name", sorted(accuracy.FUNCTIONS))
def test_at_least_as_accurate_as_onnxruntime(name):
    # Every range of |x| (tiny, small, medium, large up to 1e5 and FLT_MAX,
    # and +-0, +-inf, NaN): optc's error is no larger than onnxruntime's or
    # than accuracy.BOUND_ULP, and special values come out right.
    results = accuracy.measure([name], points=4096, seed=1, progress=False)
    assert accuracy.violations(results) == []


def test_sin_cos_of_rotary_positions():
    # Positions of rotary and sinusoidal encodings: the error was 7.6e-4 at
    # |x| = 1e4 (upstream's reduction by pi/2 in one f32 constant).
    x = np.linspace(-2e4, 2e4, 40001, dtype=np.float32)
    for op, fn in (("Sin", np.sin), ("Cos", np.cos)):
        err = ulps(run(op, x), fn(x.astype(np.float64)))
        assert err.max() <= 2.0, f"{op}: {err.max()} ULP at {x[np.argmax(err)]}"


def test_sin_beyond_the_fast_reduction():
    # Lanes beyond 2^17 (and inf, NaN) go to libm, mixed with ordinary ones.
    x = np.array([1.0, 3e5, -1e30, 2.0, np.inf, 0.5, np.nan, 3.4e38] * 2, np.float32)
    got = run("Sin", x)
    with np.errstate(invalid="ignore"):
        want = np.sin(x.astype(np.float64))
    assert ulps(got, want).max() <= 1.0


def test_inverse_hyperbolic_functions_do_not_cancel():
    # asinh(x) was -inf below about -4000 (log(x + sqrt(x^2 + 1)) cancels).
    x = np.array([-1e5, -4001.0, -1e20, -3.4e38, 1e-30, -0.5], np.float32)
    got = run("Asinh", x)
    assert np.all(np.isfinite(got))
    assert ulps(got, np.arcsinh(x.astype(np.float64))).max() <= 1.0
    x = np.array([1.0, 1.0000001, 1e19, 3.4e38], np.float32)
    assert ulps(run("Acosh", x), np.arccosh(x.astype(np.float64))).max() <= 1.0
    x = np.array([1e-30, -1e-8, 0.5, -0.99999994, 1.0, -1.0], np.float32)
    with np.errstate(divide="ignore"):  # atanh(+-1) = +-inf
        want = np.arctanh(x.astype(np.float64))
    assert ulps(run("Atanh", x), want).max() <= 1.0


def test_hyperbolic_functions_overflow_where_the_result_does():
    # sinh(89.4) is finite in f32 though e^89.4 is not.
    x = np.array([89.4, -89.4, 89.5, 1e-6, -1e-6], np.float32)
    want = np.sinh(x.astype(np.float64))
    assert ulps(run("Sinh", x), want).max() <= 1.0
    assert ulps(run("Cosh", x), np.cosh(x.astype(np.float64))).max() <= 1.0


def test_exp_log_tanh_at_the_ends_of_their_ranges():
    # exp's subnormal results and log's subnormal inputs were flushed to 0
    # and -87.3; tanh(inf) was 0.9999998.
    x = np.array([-88.0, -100.0, -103.0, -104.0, 88.7, 89.0], np.float32)
    with np.errstate(over="ignore"):
        assert ulps(run("Exp", x), np.exp(x.astype(np.float64))).max() <= 1.0
    x = np.array([1e-45, 1e-40, 1.1754942e-38, 3.4e38], np.float32)
    assert ulps(run("Log", x), np.log(x.astype(np.float64))).max() <= 1.0
    got = run("Tanh", np.array([np.inf, -np.inf, 20.0, -9.0], np.float32))
    assert list(got[:3]) == [1.0, -1.0, 1.0]


def test_logistic_and_gelu_keep_small_results():
    # 1 / (1 + e^-x) underflowed to 0 from x = -88; 1 + erf(x/sqrt 2)
    # cancelled for negative x (relative error 1e-1 at x = -5).
    x = np.array([-90.0, -100.0, -20.0, -5.0], np.float32)
    want = accuracy._sigmoid(x.astype(np.float64))
    assert ulps(run("Sigmoid", x), want).max() <= 3.0
    x = np.array([-5.0, -3.0, -1.0, -0.3], np.float32)
    assert ulps(run("Gelu", x), accuracy._gelu(x.astype(np.float64))).max() <= 4.0


def test_elu_near_zero():
    # exp(x) - 1 cancelled: Elu(-1e-5) was 10^4 ULP off.
    x = np.array([-1e-5, -1e-7, -3e-3], np.float32)
    assert ulps(run("Elu", x), np.expm1(x.astype(np.float64))).max() <= 1.0


def test_fast_math_is_an_opt_in_with_its_own_error():
    # The fast approximations are the cheap ones: far less accurate for sin
    # at large arguments than the default.
    x = np.linspace(1e4, 1.1e4, 1024, dtype=np.float32)
    want = np.sin(x.astype(np.float64))
    assert ulps(run("Sin", x), want).max() <= 2.0
    assert ulps(run("Sin", x, fast_math=True), want).max() > 100.0


def test_fast_math_option_is_checked():
    with pytest.raises(TypeError):
        optc.compile(accuracy.model("Sin", {}, 4), fast_mth=True)
