#!/usr/bin/env python3
"""Fits the polynomial coefficients of optc's accurate f32 math expansions
(lib/Target/CPU/ExpandMath.cpp) and prints them as C++ constants.

Each kernel approximates a function on a reduced interval by a polynomial
in z = r^2 whose error is nearly equal-ripple in relative terms (Lawson's
iteratively reweighted least squares, which converges to the minimax
polynomial), then rounds the coefficients to f32 and reports the largest
relative error of the rounded polynomial evaluated in float64 on a dense
grid. Rerun it and paste its output when a kernel's interval or degree
changes.

  sin(r) = r + r^3 * P(r^2)          |r| <= pi/4
  cos(r) = 1 - r^2/2 + r^4 * Q(r^2)  |r| <= pi/4
  e^r - 1 = r + r^2 * E(r)           |r| <= log(2)/2 (relative to e^r - 1)
  log(1 + f) = 2s (1 + s^2 L(s^2))   s = f / (2 + f), sqrt(1/2) <= 1 + f < sqrt(2)
  erf(x) = x S(x^2)                  |x| < 1/2
  erf(x) = H + D(x - 3/4)            1/2 <= x < 1 (H = erf(3/4) in f32)
  erfc(y) = N(y)                     0 <= y < 1/2
  erfc(y) = M(y - 1/2)               1/2 <= y < 1
  erfc(y) = T(y - 3/2)               1 <= y < 2 (erf only)
  erfc(y) = U(y - 3)                 2 <= y < 4 (erf only)
  erfc(y) = e^(-y^2) F(1/y)          1 <= y < 10.06
"""
import math

import numpy as np

GRID = 20001


def lawson(target, weight, z, degree, iterations=200, lowest=0):
    """Coefficients c[lowest..degree] of sum c_i z^i approximating target(z),
    minimising max |weight(z) * (p(z) - target(z))|."""
    basis = np.vander(z, degree + 1, increasing=True)[:, lowest:]
    lawson_w = np.full(z.size, 1.0 / z.size)
    coeffs = None
    for _ in range(iterations):
        sw = np.sqrt(lawson_w) * weight
        coeffs, *_ = np.linalg.lstsq(basis * sw[:, None], target * sw, rcond=None)
        err = np.abs(weight * (basis @ coeffs - target))
        lawson_w = lawson_w * err
        lawson_w /= lawson_w.sum()
    return coeffs


def lawson_f32(target, weight, z, degree, iterations=200):
    """lawson() with coefficients that are f32 numbers: each one, lowest
    first, is rounded and the higher ones are fitted again to what is left,
    so that rounding does not add the error a plain rounding would."""
    fixed = []
    for i in range(degree + 1):
        rest = target - sum(c * z**k for k, c in enumerate(fixed))
        coeffs = lawson(rest, weight, z, degree, iterations, lowest=i)
        fixed.append(float(np.float32(coeffs[0])))
    return np.array(fixed)


def fit_erf_small(degree=6):
    # erf(x) = x * (C + S(x^2)) on |x| < 1 (used below 1/2), where C is
    # 2/sqrt(pi) rounded to f32 and S's constant term is the rest (C alone
    # is 0.85 ULP off).
    x = np.linspace(1e-4, 1, GRID)
    z = x * x
    target = ERF(x) / x
    head = float(np.float32(2 / math.sqrt(math.pi)))
    c = lawson_f32(target - head, 1 / target, z, degree)
    return c, np.max(np.abs(x * (head + np.polyval(c[::-1], z)) / ERF(x) - 1))


def fit_erf_mid(degree=8):
    # erf(x) = H + D(x - 3/4) on 1/2 <= x < 1, H the f32 nearest erf(3/4):
    # D's constant term holds what H's rounding lost (alone, H would cost
    # 0.45 ULP), and x S(x^2) would round its large negative tail there.
    x = np.linspace(0.5, 1, GRID)
    target = ERF(x)
    head = float(np.float32(math.erf(0.75)))
    c = lawson_f32(target - head, 1 / target, x - 0.75, degree)
    return c, np.max(np.abs((head + np.polyval(c[::-1], x - 0.75)) / target - 1))


def fit_erfc_low(degree=7):
    # erfc(y) = N(y) on 0 <= y < 1/2.
    y = np.linspace(0, 0.5, GRID)
    target = ERFC(y)
    c = lawson_f32(target, 1 / target, y, degree)
    return c, np.max(np.abs(np.polyval(c[::-1], y) / target - 1))


def fit_erfc_mid(degree=7):
    # erfc(y) = M(y - 1/2) on 1/2 <= y < 1: centred, so that Horner's sum
    # cancels less than around 0.
    y = np.linspace(0.5, 1, GRID)
    target = ERFC(y)
    c = lawson_f32(target, 1 / target, y - 0.5, degree)
    return c, np.max(np.abs(np.polyval(c[::-1], y - 0.5) / target - 1))


def fit_erfc_for_erf(lo, hi, degree):
    # erfc(y) = T(y - c) on lo <= y < hi, c the middle, for erf = 1 - erfc:
    # without an exponential, whose rounding errors reach erf near y = 1.
    # The error that matters is relative to erf, and so is the one reported.
    # (One polynomial over [1, 4) would need degree 16, and its f32 Horner
    # sum would round to 0.96 ULP of erf.)
    y = np.linspace(lo, hi, GRID)
    target, centre = ERFC(y), (lo + hi) / 2
    c = lawson_f32(target, 1 / ERF(y), y - centre, degree)
    return c, np.max(np.abs((np.polyval(c[::-1], y - centre) - target) / ERF(y)))


def fit_erfc_far(degree=10):
    # erfc(y) = e^(-y^2) R(y) on 1 <= y < 10.06 (erfc underflows beyond),
    # R a polynomial in 1/y.
    y = np.linspace(1, 10.06, GRID)
    target = ERFC(y) * np.exp(y * y)
    c = lawson_f32(target, 1 / target, 1 / y, degree)
    return c, np.max(np.abs(np.polyval(c[::-1], 1 / y) / target - 1))


ERF = np.vectorize(math.erf, otypes=[np.float64])
ERFC = np.vectorize(math.erfc, otypes=[np.float64])


def fit_sin(degree=3):
    # sin(r) = r + r^3 P(r^2): P(z) = (sin(r) - r) / r^3, relative error of
    # sin weighted by r^3 / sin(r).
    r = np.linspace(1e-4, math.pi / 4, GRID)
    z = r * r
    target = (np.sin(r) - r) / r**3
    weight = r**3 / np.sin(r)
    c = lawson(target, weight, z, degree).astype(np.float32).astype(np.float64)
    approx = r + r**3 * np.polyval(c[::-1], z)
    return c, np.max(np.abs(approx / np.sin(r) - 1))


def fit_cos(degree=3):
    r = np.linspace(1e-4, math.pi / 4, GRID)
    z = r * r
    target = (np.cos(r) - 1 + z / 2) / z**2
    weight = z**2 / np.cos(r)
    c = lawson(target, weight, z, degree).astype(np.float32).astype(np.float64)
    approx = 1 - z / 2 + z**2 * np.polyval(c[::-1], z)
    return c, np.max(np.abs(approx / np.cos(r) - 1))


def fit_expm1(degree=5):
    half = math.log(2) / 2
    r = np.concatenate([np.linspace(-half, -1e-4, GRID // 2), np.linspace(1e-4, half, GRID // 2)])
    target = (np.expm1(r) - r) / r**2
    weight = r**2 / np.abs(np.expm1(r))
    c = lawson(target, weight, r, degree).astype(np.float32).astype(np.float64)
    approx = r + r**2 * np.polyval(c[::-1], r)
    return c, np.max(np.abs(approx / np.expm1(r) - 1))


def fit_log(degree=4):
    lo, hi = math.sqrt(0.5) - 1, math.sqrt(2) - 1
    f = np.linspace(lo, hi, GRID)
    f = f[np.abs(f) > 1e-4]
    s = f / (2 + f)
    z = s * s
    target = (np.arctanh(s) / s - 1) / z
    weight = z / (np.arctanh(s) / s)
    c = lawson(target, weight, z, degree).astype(np.float32).astype(np.float64)
    approx = 2 * s * (1 + z * np.polyval(c[::-1], z))
    return c, np.max(np.abs(approx / np.log1p(f) - 1))


def main():
    for name, (coeffs, err) in (("kSinP", fit_sin()), ("kCosQ", fit_cos()),
                                ("kExpE", fit_expm1()), ("kLogL", fit_log()),
                                ("kErfS", fit_erf_small()), ("kErfD", fit_erf_mid()),
                                ("kErfcLow", fit_erfc_low()),
                                ("kErfcMid", fit_erfc_mid()),
                                ("kErfcOneTwo", fit_erfc_for_erf(1, 2, 9)),
                                ("kErfcTwoFour", fit_erfc_for_erf(2, 4, 11)),
                                ("kErfcFar", fit_erfc_far())):
        values = ", ".join(f"{np.float32(v)!r}f".replace("np.float32(", "").replace(")", "")
                           for v in coeffs)
        relative = "error relative to erf" if name in ("kErfcOneTwo", "kErfcTwoFour") else "relative error"
        print(f"// max {relative} {err:.3g} ({err / 2**-24:.2f} ULP of f32)")
        print(f"static constexpr float {name}[] = {{{values}}};")


if __name__ == "__main__":
    main()
