"""Modified spherical Bessel functions for imaginary frequencies, log-scaled so nothing overflows.

I_{l+1/2}(x) and K_{l+1/2}(x) for real x > 0 (x = K R, the size parameter at imaginary frequency) span hundreds of
thousands of decades over l <= 1e4, 1e-4 <= x <= 1e4, so they are returned as logarithms.

Algorithms (as in the plane-wave code of B. Spreng et al., J. Chem. Phys. 153, 024115 (2020)):
- s_l = K_{l+3/2}/K_{l+1/2}: upward recurrence s_l = 1/s_{l-1} + (2l+1)/x from s_0 = 1 + 1/x
  (stable: every term positive, errors damped);
- log K_{l+1/2} = log K_{1/2} + sum of log s (compensated summation) for l < 1000, and the Debye
  uniform expansion (DLMF 10.41, U_1..U_6, error < 1e-16 relative) for l >= 1000;
- rho_l = I_{l+3/2}/I_{l+1/2}: downward recurrence from a Lentz continued fraction (shared with the
  spherical family, jaxem/special/_recurrence.py);
- log I_{l+1/2} from the Wronskian I_nu K_{nu+1} + I_{nu+1} K_nu = 1/x:
  log I = -log x - log K - log(s + rho);
- {I, x} = (l+1)/x + rho_l and {K, x} = (l+1)/x - s_l (ratio forms of Schoger, Dissertation (Augsburg 2024), Eq. (4.14)).
Derivatives are custom_jvp rules: d log I/dx = {I, x} - 1/(2x), d{I, z}/dz = 1 + l(l+1)/z^2 - {I, z}^2
(likewise for K), so grad and jacfwd of any order are exact; l is static.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from numpy.polynomial import polynomial as _P

from jaxem import _checks
from jaxem.special._recurrence import downward_ratios, kahan_cumsum

__all__ = [
    "log_modified_bessel_i",
    "log_modified_bessel_k",
    "modified_log_derivative_i",
    "modified_log_derivative_k",
    "modified_spherical_i",
    "modified_spherical_k",
]

# orders l >= _DEBYE_L use the Debye expansion for log K (caspwn uses nu >= 1000 as well)
_DEBYE_L = 1000
_DEBYE_TERMS = 6


def _debye_u_coefficients(n_terms):
    """Power-series coefficients (in p) of the Debye polynomials U_0..U_n (DLMF 10.41.10)."""
    us = [np.array([1.0])]
    one_minus_5t2 = np.array([1.0, 0.0, -5.0])
    p2_1mp2 = np.array([0.0, 0.0, 0.5, 0.0, -0.5])     # p^2 (1 - p^2)/2
    for _ in range(n_terms):
        u = us[-1]
        a = _P.polymul(p2_1mp2, _P.polyder(u))
        b = _P.polyint(_P.polymul(one_minus_5t2, u)) / 8.0
        n = max(len(a), len(b))
        us.append(np.pad(a, (0, n - len(a))) + np.pad(b, (0, n - len(b))))
    return us


_U = _debye_u_coefficients(_DEBYE_TERMS)


def _check_x(x, l_max):
    l_max = _checks.check_int("l_max", l_max, minimum=0)
    _checks.check_finite("x", x)
    _checks.check_positive("x", x)
    x = jnp.asarray(x)
    if jnp.iscomplexobj(x):
        raise ValueError(f"x must be real, got complex dtype {x.dtype}")
    return x.astype(jnp.float64), l_max


def _debye_log_k(x, nu):
    """log K_nu(x) from the Debye expansion (nu >= 1000), x broadcast against nu."""
    z = x / nu
    sq = jnp.sqrt(1.0 + z * z)
    p = 1.0 / sq
    # eta = sqrt(1+z^2) + log(z/(1+sqrt(1+z^2))), written with log1p so small and large z keep digits
    eta = sq + jnp.log(z) - jnp.log1p(sq)
    # Horner in 1/nu:  sum_k (-1)^k U_k(p)/nu^k
    acc = jnp.zeros_like(p)
    for k in range(_DEBYE_TERMS, 0, -1):
        acc = (acc + ((-1) ** k) * jnp.polyval(jnp.asarray(_U[k][::-1]), p)) / nu
    return (0.5 * jnp.log(jnp.pi / (2.0 * nu)) - nu * eta - 0.5 * jnp.log(sq) + jnp.log1p(acc))


def _k_ratios(x, n):
    """s_l = K_{l+3/2}(x)/K_{l+1/2}(x) for l = 0..n-1 (upward, stable)."""
    s0 = 1.0 + 1.0 / x
    if n == 1:
        return s0[..., None]

    def step(s, l):
        s_next = 1.0 / s + (2 * l + 1) / x
        return s_next, s_next

    _, ss = jax.lax.scan(step, s0, jnp.arange(1, n, dtype=jnp.float64))
    return jnp.concatenate([s0[..., None], jnp.moveaxis(ss, 0, -1)], axis=-1)


def _log_k_from_ratios(x, s, l_max):
    """log K_{l+1/2}(x), l = 0..l_max, given s_l for l = 0..l_max-1."""
    log_k_half = 0.5 * jnp.log(jnp.pi / (2.0 * x)) - x
    n_rec = min(l_max, _DEBYE_L - 1)
    parts = [log_k_half[..., None]]
    if n_rec >= 1:
        parts.append(log_k_half[..., None] + kahan_cumsum(jnp.log(s[..., :n_rec])))
    if l_max >= _DEBYE_L:
        nu = jnp.arange(_DEBYE_L, l_max + 1, dtype=jnp.float64) + 0.5
        parts.append(_debye_log_k(x[..., None], nu))
    return jnp.concatenate(parts, axis=-1)


def _modified_core(x, l_max):
    """(log I_{l+1/2}, log K_{l+1/2}, s_l, rho_l) for l = 0..l_max at real x > 0."""
    s = _k_ratios(x, l_max + 1)
    rho = 1.0 / downward_ratios(x, l_max + 1, -1.0)          # I_{l+3/2}/I_{l+1/2}
    log_k = _log_k_from_ratios(x, s, l_max)
    log_i = -jnp.log(x)[..., None] - log_k - jnp.log(s + rho)
    return log_i, log_k, s, rho


def _orders(l_max):
    return jnp.arange(l_max + 1, dtype=jnp.float64)


def _bracket_ode_jvp(fn, l_max, primals, tangents):
    # u = sqrt(z) I_{l+1/2}(z) (or K) solves u'' = (1 + l(l+1)/z^2) u  =>  {.}' = 1 + l(l+1)/z^2 - {.}^2
    (z,), (dz,) = primals, tangents
    d = fn(z, l_max)
    l = _orders(l_max)
    zl = z[..., None]
    return d, (1.0 + l * (l + 1) / (zl * zl) - d * d) * dz[..., None]


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _modified_log_derivative_i(z, l_max):
    t = downward_ratios(z, l_max + 1, -1.0)                 # I_{l-1/2}/I_{l+1/2}, l = 1..l_max+1
    return (_orders(l_max) + 1) / z[..., None] + 1.0 / t


_modified_log_derivative_i.defjvp(functools.partial(_bracket_ode_jvp, _modified_log_derivative_i))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _modified_log_derivative_k(x, l_max):
    return (_orders(l_max) + 1) / x[..., None] - _k_ratios(x, l_max + 1)


_modified_log_derivative_k.defjvp(functools.partial(_bracket_ode_jvp, _modified_log_derivative_k))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _log_modified_bessel_i(x, l_max):
    return _modified_core(x, l_max)[0]


@_log_modified_bessel_i.defjvp
def _log_modified_bessel_i_jvp(l_max, primals, tangents):
    (x,), (dx,) = primals, tangents
    deriv = _modified_log_derivative_i(x, l_max) - 0.5 / x[..., None]
    return _log_modified_bessel_i(x, l_max), deriv * dx[..., None]


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _log_modified_bessel_k(x, l_max):
    s = _k_ratios(x, max(l_max, 1))
    return _log_k_from_ratios(x, s, l_max)


@_log_modified_bessel_k.defjvp
def _log_modified_bessel_k_jvp(l_max, primals, tangents):
    (x,), (dx,) = primals, tangents
    deriv = _modified_log_derivative_k(x, l_max) - 0.5 / x[..., None]
    return _log_modified_bessel_k(x, l_max), deriv * dx[..., None]


def log_modified_bessel_i(x, l_max: int):
    """Natural log of the modified Bessel function of the first kind, log I_{l+1/2}(x), l = 0..l_max (dimensionless).

    Arguments:
        x: real argument x > 0 (dimensionless, e.g. x = xi n R/c), any shape.
        l_max: highest order (static int >= 0).
    Returns:
        float64 array x.shape + (l_max+1,). Never overflows (l <= 1e4, 1e-300 <= x <= 1e5 tested).
        Accuracy: |error of log I| <= 1e-12 max(1, |log I|) (the log of a value beyond 1e+-308 is
        itself only known to relative float64 precision).

    Source: DLMF 10.29 (recurrences), 10.28.2 (Wronskian), 10.41 (Debye expansion); Schoger, Dissertation (Augsburg 2024),
    App. A.1.
    """
    x, l_max = _check_x(x, l_max)
    return _log_modified_bessel_i_jit(x, l_max)


def log_modified_bessel_k(x, l_max: int):
    """Natural log of the modified Bessel function of the second kind, log K_{l+1/2}(x), l = 0..l_max (dimensionless).

    Arguments:
        x: real argument x > 0 (dimensionless), any shape.
        l_max: highest order (static int >= 0).
    Returns:
        float64 array x.shape + (l_max+1,), accuracy as for log_modified_bessel_i.

    Source: DLMF 10.29 (upward recurrence), 10.41 (Debye expansion, l >= 1000); Schoger, Dissertation (Augsburg 2024), App. A.1.
    """
    x, l_max = _check_x(x, l_max)
    return _log_modified_bessel_k_jit(x, l_max)


def modified_log_derivative_i(z, l_max: int):
    """Bracket {I, z} = d/dz log(sqrt(z) I_{l+1/2}(z)) = I_{l-1/2}(z)/I_{l+1/2}(z) - l/z, l = 0..l_max (units of 1/z).

    The log-derivative of the modified Riccati-Bessel function z i_l(z); {I, z}_0 = coth z.

    Arguments:
        z: argument with Re z > 0 (e.g. m x for a sphere of refractive index m at imaginary
            frequency), real or complex, any shape.
        l_max: highest order (static int >= 0).
    Returns:
        array z.shape + (l_max+1,); real for real z, complex128 for complex z.

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.14), in the ratio form I_{l-1/2}/I_{l+1/2} - l/z (DLMF 10.29.2).
    """
    l_max = _checks.check_int("l_max", l_max, minimum=0)
    _checks.check_finite("z", z)
    z = jnp.asarray(z)
    if _checks.is_concrete(z) and np.any(np.real(np.asarray(z)) <= 0):
        raise ValueError(f"z must have Re z > 0, got {z!r}")
    if not jnp.iscomplexobj(z):
        z = z.astype(jnp.float64)
    return _modified_log_derivative_i_jit(z, l_max)


def modified_log_derivative_k(x, l_max: int):
    """Bracket {K, x} = d/dx log(sqrt(x) K_{l+1/2}(x)) = -K_{l-1/2}(x)/K_{l+1/2}(x) - l/x, l = 0..l_max (units of 1/x).

    {K, x}_0 = -1 exactly.

    Arguments:
        x: real argument x > 0 (dimensionless), any shape.
        l_max: highest order (static int >= 0).
    Returns:
        float64 array x.shape + (l_max+1,).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.14), in the ratio form -K_{l-1/2}/K_{l+1/2} - l/x (DLMF 10.29.2).
    """
    x, l_max = _check_x(x, l_max)
    return _modified_log_derivative_k_jit(x, l_max)


def modified_spherical_i(x, l_max: int):
    """Modified spherical Bessel function of the first kind i_l(x) = sqrt(pi/(2x)) I_{l+1/2}(x) (dimensionless).

    Same normalisation as scipy.special.spherical_in. Overflows to inf where i_l > 1e308 (use
    log_modified_bessel_i there).

    Arguments:
        x: real argument x > 0, any shape.  l_max: highest order (static int >= 0).
    Returns:
        float64 array x.shape + (l_max+1,).

    Source: DLMF 10.47.7; continuation j_l(ix) = i^l i_l(x) as in Schoger, Dissertation (Augsburg 2024), Eq. (4.4)
    (corrected: the printed prefactor and phase are wrong).
    """
    x, l_max = _check_x(x, l_max)
    return _modified_spherical_jit(x, l_max, True)


def modified_spherical_k(x, l_max: int):
    """Modified spherical Bessel function of the second kind k_l(x) = sqrt(pi/(2x)) K_{l+1/2}(x) (dimensionless).

    Same normalisation as scipy.special.spherical_kn; k_0(x) = (pi/2) e^{-x}/x and
    h_l^(1)(ix) = -(2/pi) i^{-l} k_l(x) (some texts use sqrt(2/(pi x)) K_{l+1/2} instead).

    Arguments:
        x: real argument x > 0, any shape.  l_max: highest order (static int >= 0).
    Returns:
        float64 array x.shape + (l_max+1,).

    Source: DLMF 10.47.9; continuation of h_l^(1) as in Schoger, Dissertation (Augsburg 2024),
    Eq. (4.7) (corrected: the printed prefactor and phase are wrong).
    """
    x, l_max = _check_x(x, l_max)
    return _modified_spherical_jit(x, l_max, False)


# one compiled kernel per (shape, l_max) for eager calls; inlined under an outer transformation
_log_modified_bessel_i_jit = jax.jit(_log_modified_bessel_i, static_argnums=1)
_log_modified_bessel_k_jit = jax.jit(_log_modified_bessel_k, static_argnums=1)
_modified_log_derivative_i_jit = jax.jit(_modified_log_derivative_i, static_argnums=1)
_modified_log_derivative_k_jit = jax.jit(_modified_log_derivative_k, static_argnums=1)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _modified_spherical_jit(x, l_max, first_kind):
    log_f = _log_modified_bessel_i(x, l_max) if first_kind else _log_modified_bessel_k(x, l_max)
    return jnp.exp(0.5 * jnp.log(jnp.pi / (2.0 * x))[..., None] + log_f)
