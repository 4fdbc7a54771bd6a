"""Polylogarithms on the real line and the unit circle, Clausen's function, Bernoulli numbers.

Li_2(x) for real x in [-1, 1]; Cl_2(phi) = Im Li_2(e^{i phi}) and Re Li_3(e^{i phi}) for real phi; exact
Bernoulli numbers.  Series coefficients are float64 numpy tables built once at import (DLMF 25.12, 25.8.8,
27.8; Lewin, "Polylogarithms and associated functions" (1981), ch. 4).  Everything is jittable and
differentiable and NaN-free at the removable points (phi = 0).
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["ZETA3", "LOG_GLAISHER", "bernoulli_numbers", "polylog2", "clausen_cl2", "re_li3_unit_circle"]

#: Apery's constant zeta(3).
ZETA3 = 1.2020569031595942
#: log A, the logarithm of the Glaisher-Kinkelin constant A = 1.2824271291...
LOG_GLAISHER = 0.2487544770337843


def bernoulli_numbers(n_max: int):
    """Exact Bernoulli numbers B_0..B_n_max (B_1 = -1/2) as floats (dimensionless; Fraction recursion).

    scipy.special.bernoulli is off by 1.7e-12 relative at B_4 (6e-14 at B_6), which limits the
    Bernoulli-series closed forms; this static table is exact to rounding.

    Arguments:
        n_max: highest index (Python int >= 0).
    Returns:
        float64 numpy array of shape (n_max + 1,).

    Source: the recursion sum_{k=0}^{m} C(m+1, k) B_k = 0 (DLMF 24.5).
    """
    from fractions import Fraction

    B = [Fraction(1)]
    for m in range(1, n_max + 1):
        B.append(-sum(math.comb(m + 1, k) * B[k] for k in range(m)) / (m + 1))
    return np.array([float(b) for b in B])


_LI2_COEFFS = np.array([1.0 / n**2 for n in range(60, 0, -1)])


def polylog2(x):
    """Dilogarithm Li_2(x) for real x in [-1, 1] (dimensionless; used by the PFA integral of the Lifshitz formula).

    Series in x for |x| <= 1/2, Euler's reflection Li_2(x) = pi^2/6 - log x log(1-x) - Li_2(1-x)
    for x > 1/2, and Li_2(x) = Li_2(x^2)/2 - Li_2(-x) for x < -1/2; ~1e-15 absolute accuracy.

    Arguments:
        x: real argument in [-1, 1], any shape.
    Returns:
        float64 array of the shape of x.

    Source: DLMF 25.12 (power series, reflection and duplication formulas).
    """
    x = jnp.asarray(x, dtype=jnp.float64)

    def series(u):   # Horner form: a polynomial, so every derivative is finite (also at u = 0)
        # a scan over the 60 coefficients, not an unrolled loop: the unrolled form made the second
        # L-derivative of the PFA (force gradient) take ~60 s to compile
        def step(acc, c):
            return acc * u + c, None

        acc, _ = jax.lax.scan(step, jnp.zeros_like(u), _LI2_COEFFS)
        return acc * u

    def pos(u):   # u in [0, 1]
        hi = u > 0.5
        us = jnp.where(hi, u, 0.0)
        one_minus = jnp.where(hi, 1.0 - us, 0.5)
        us_log = jnp.where(hi, us, 1.0)
        refl = jnp.pi**2 / 6 - jnp.log(us_log) * jnp.log(jnp.where(one_minus > 0, one_minus, 1.0)) \
            - series(one_minus)
        refl = jnp.where(one_minus > 0, refl, jnp.pi**2 / 6)
        return jnp.where(hi, refl, series(jnp.where(hi, 0.0, u)))

    neg = x < -0.5
    xn = jnp.where(neg, -x, 0.0)
    val_neg = 0.5 * pos(xn * xn) - pos(xn)
    return jnp.where(neg, val_neg, pos(jnp.where(neg, 0.0, jnp.clip(x, -0.5, 1.0))))


def _clausen_coefficients(n_terms: int):
    B = bernoulli_numbers(2 * n_terms)
    return np.array([abs(B[2 * n]) / (2 * n * math.factorial(2 * n + 1)) for n in range(1, n_terms + 1)])


_CL2_COEFFS = _clausen_coefficients(30)


def _power_series(first, x2, coeffs):
    """sum_n coeffs[n-1] first x2^n, n = 1..len(coeffs) (static coefficient table, unrolled)."""
    series = jnp.zeros_like(first)
    power = first
    for c in coeffs:
        power = power * x2
        series = series + c * power
    return series


def _times_log(x, factor):
    """factor(x) log x (or x log x for factor = x), 0 at x = 0 and NaN-free there (double where)."""
    zero = x == 0
    x_safe = jnp.where(zero, 1.0, x)
    f = factor(x_safe) if callable(factor) else x_safe
    return jnp.where(zero, 0.0, f * jnp.log(x_safe))


def _clausen_series(a):
    """a - a log a + sum_n |B_2n| a^{2n+1}/(2n (2n+1)!) = Cl_2(a), 0 <= a <= pi/2 (NaN-free at 0)."""
    log_term = _times_log(a, a)
    return a - log_term + _power_series(a, a * a, _CL2_COEFFS)


def _clausen_series_near_pi(t):
    """Cl_2(pi - t) = t log 2 - sum_n (4^n - 1)|B_2n| t^{2n+1}/(2n (2n+1)!), |t| <= pi/2 (no cancellation)."""
    t2 = t * t
    series = jnp.zeros_like(t)
    power = t
    for n, c in enumerate(_CL2_COEFFS, start=1):
        power = power * t2
        series = series + (4.0**n - 1.0) * c * power
    return t * math.log(2.0) - series


def clausen_cl2(phi):
    """Clausen function Cl_2(phi) = Im Li_2(e^{i phi}) = sum_k sin(k phi)/k^2 (dimensionless; odd, 2 pi periodic).

    Series about 0 (Bernoulli numbers) for |phi| <= pi/2 and, integrating log(2 cos(t/2)), about
    pi for pi/2 < |phi| <= pi (the series about 0 cancels there: Cl_2(pi) = 0).  Absolute error
    <~3e-15 vs mpmath.  The derivative -log|2 sin(phi/2)| is infinite at phi = 0 (a true
    singularity); the value there is 0 and NaN-free.

    Arguments:
        phi: real angle [rad], any shape.
    Returns:
        float64 array of the shape of phi.

    Source: Lewin, Polylogarithms and Associated Functions (1981), ch. 4 (Bernoulli series).
    """
    phi = jnp.asarray(phi, dtype=jnp.float64)
    p = jnp.mod(phi + jnp.pi, 2 * jnp.pi) - jnp.pi
    a = jnp.abs(p)
    low = a <= jnp.pi / 2
    val = jnp.where(low, _clausen_series(jnp.where(low, a, 0.0)),
                    _clausen_series_near_pi(jnp.where(low, 0.0, jnp.pi - a)))
    return jnp.sign(p) * val


def _bernoulli_coefficients(n_terms: int):
    B = bernoulli_numbers(2 * n_terms)  # exact (scipy's B_4 is off by 1.7e-12 relative)
    return np.array([abs(B[2 * n]) / (2 * n * math.factorial(2 * n + 1) * (2 * n + 2))
                     for n in range(1, n_terms + 1)])


_CL_COEFFS = _bernoulli_coefficients(24)


def re_li3_unit_circle(phi):
    """Re Li_3(e^{i phi}) = sum_k cos(k phi)/k^3 for real phi (dimensionless; any value, 2 pi periodic, even).

    Integrated Clausen expansion about 0: zeta(3) - 3 phi^2/4 + (phi^2/2) log|phi|
    - sum_n |B_2n| phi^{2n+2} / (2n (2n+1)! (2n+2)), converging geometrically for |phi| <= pi
    (24 terms: < 1e-15).  Differentiable and NaN-free at phi = 0 (needed by the high-temperature
    PFA of PEMC spheres, Schoger, Dissertation (Augsburg 2024), Eq. (11.10)).

    Arguments:
        phi: real angle [rad], any shape.
    Returns:
        float64 array of the shape of phi.

    Source: term-wise integration of the Clausen series (Lewin, Polylogarithms and Associated
    Functions (1981), ch. 4).
    """
    phi = jnp.asarray(phi, dtype=jnp.float64)
    p = jnp.abs(jnp.mod(phi + jnp.pi, 2 * jnp.pi) - jnp.pi)  # reduce to [0, pi]
    log_term = _times_log(p, lambda q: 0.5 * q**2)
    p2 = p * p
    return ZETA3 - 0.75 * p2 + log_term - _power_series(p2, p2, _CL_COEFFS)
