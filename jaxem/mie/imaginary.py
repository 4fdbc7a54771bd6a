"""Sphere reflection matrices at imaginary frequency, log-safe, for Casimir.

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024), Sec. 4.1 (cited below as "Schoger, Dissertation (Augsburg 2024)").

Convention (Schoger, Dissertation (Augsburg 2024), Eq. (4.10)): the field scattered by a sphere of radius R from a
regular incident multipole field with coefficients (e_lm, f_lm) (electric N, magnetic M) is

    (a_lm, b_lm)^T = - [[r^EE, i r^EM], [-i r^ME, r^MM]] (e_lm, f_lm)^T,

and the 2x2 matrix returned per multipole order l = 1..l_max is [[r^EE, r^EM], [r^ME, r^MM]].
The multipole matrix element of the reflection operator is <l,m,P'|R|l,m,P> = -i^{P'-P} r^{(P',P)}
(4.19). At imaginary frequency i xi the size parameter is x = K R, K = xi n_m(i xi)/c with n_m
the refractive index of the host medium.

Log-safe form. r_l = C_l q_l with C_l = (-1)^l (pi/2) I_{l+1/2}(x)/K_{l+1/2}(x) (4.15), which
over- or underflows (C_l ~ e^{2x} for x >> l, ~ x^{2l+1}/((2l+1)!!(2l-1)!!) for x << l), and
q_l = O(1) a rational function of the log-derivative brackets {I,x}, {K,x}, {I, m x} (4.11),
(4.12), (4.16). Every function returns either (log_abs, phase) with r = phase * exp(log_abs)
(phase complex of unit modulus; +-1 for real entries; 0 with log_abs = -inf where an entry
vanishes identically, e.g. the mixing entries of isotropic spheres), or, for the ``*_factored``
variant, (log_scale, q) with r_l = (-1)^l exp(log_scale_l) q_l, which keeps derivatives of
vanishing entries (e.g. d r^EM / d kappa at kappa = 0) that the (log_abs, phase) form cannot carry.

Small-x accuracy. The brackets are written as {I,z} = (l+1)/z + I_{l+3/2}(z)/I_{l+1/2}(z) and
{K,z} = -l/z - K_{l-1/2}(z)/K_{l+1/2}(z), and the leading (l+1)/x terms of (4.12) are combined
analytically (e.g. m_- m_L - 1 = (mu - 1) - chi^2/eps + i chi s/eps - kappa m_-, s = sqrt(eps mu
- chi^2)), so that the magnetic coefficient of a non-magnetic sphere, whose leading terms cancel
exactly, keeps full relative accuracy down to x = 1e-4 and up to l = 1e4.

Truncation rule (recommended). A single sphere needs l_max ~ x + 4 x^{1/3} + 2 for its own
coefficients to have decayed (|r_l| falls like (e x/2l)^{2l} for l >> x). For the Casimir
interaction at surface distance L the round trip limits the orders instead: use
l_max = ceil(eta R/L) per sphere with eta = 8-14 (the plane-wave code of B. Spreng et al.,
J. Chem. Phys. 153, 024115 (2020) uses eta = 12; measured errors per eta: docs/accuracy.md), and
never fewer than ~ x + 4 x^{1/3} + 2 at the largest Matsubara frequency used.

The static limit xi = 0 (x = 0) has r_l = 0 in this normalisation; the functions return
log_abs = -inf there (no NaN); the finite zero-frequency physics (Schoger, Dissertation
(Augsburg 2024), Eqs. (4.51), (9.4)) lives in jaxem.mie.static and jaxem.casimir.
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from jaxem import special as sp
from jaxem._checks import check_finite, check_int, check_nonnegative, check_positive, check_real, is_concrete
from jaxem.constants import c as _SPEED_OF_LIGHT
from jaxem.materials import PEMC, BiIsotropic, Material, PerfectConductor

__all__ = [
    "reflection_matrix_imag",
    "reflection_matrix_imag_factored",
    "reflection_coefficients_imag",
    "perfect_conductor_reflection_imag",
    "pemc_reflection_imag",
    "size_parameter_imag",
]

_LOG_HALF_PI = math.log(math.pi / 2)


# ----------------------------------------------------------------------------------------------
# building blocks (exterior: real x > 0; interior: real m x != 0 of either sign)

def _bessel_pieces(x, interior, l_max):
    """Reduced brackets of the exterior (x > 0, real) and of the interior arguments (real, != 0).

    Returns log|C_l|, g_l(x), h_l(x) and the list of g_l(z) for z in ``interior``, l = 1..l_max:
      g_l(z) = {I,z} - (l+1)/z = I_{l+3/2}(z)/I_{l+1/2}(z) = 1/({I,z}_{l+1} + (l+1)/z),
      h_l(x) = {K,x} + l/x = -K_{l-1/2}(x)/K_{l+1/2}(x) = -1/s_{l-1},
      s_l = K_{l+3/2}/K_{l+1/2} = (l+1)/x - {K,x}_l,
      log|C_l| = log(pi/2) + log I_{l+1/2} - log K_{l+1/2}
               = log(pi/2) - log x - 2 log K_{l+1/2} - log(s_l + g_l)   (Wronskian),
    (Schoger, Dissertation (Augsburg 2024), Eqs. (4.14)-(4.15)). Every expression adds like-signed terms, so the small-x
    cancellation of {I,x} - (l+1)/x, {K,x} + l/x never happens. {I,z} is odd in z (z i_l(z) has
    parity (-1)^{l+1}): a negative interior argument (negative-index helicity mode, kappa >
    sqrt(eps mu - chi^2)) is mapped to -z. All arguments share one continued-fraction evaluation.
    """
    zs = jnp.stack([x] + [jnp.abs(z) for z in interior], axis=0)
    p = jnp.arange(2, l_max + 2, dtype=jnp.float64)                          # l + 1
    bracket_i = sp.modified_log_derivative_i(zs, l_max + 1)[..., 2:]          # orders 2..l_max+1
    g_all = 1.0 / (bracket_i + p / zs[..., None])
    g = g_all[0]
    g_int = [jnp.where((z < 0)[..., None], -gz, gz) for z, gz in zip(interior, g_all[1:])]
    log_k = sp.log_modified_bessel_k(x, l_max)[..., 1:]                       # orders 1..l_max
    orders = jnp.arange(0, l_max + 1, dtype=jnp.float64)
    s_all = (orders + 1.0) / x[..., None] - sp.modified_log_derivative_k(x, l_max)   # l = 0..l_max
    h = -1.0 / s_all[..., :-1]
    log_c = _LOG_HALF_PI - jnp.log(x)[..., None] - 2.0 * log_k - jnp.log(s_all[..., 1:] + g)
    return log_c, g, h, g_int


def _relative_indices(eps, mu, chi, kappa):
    """Helicity indices m_{L,R}, impedance factors m_-+ and their exact combinations.

    All arguments relative to the host (eps/eps_m, mu/mu_m, chi/n_m, kappa/n_m).
    Schoger, Dissertation (Augsburg 2024), Eqs. (1.10), (4.9) and (4.13), corrected (the printed imaginary part of
    m_-+ is quadratic in alpha + beta; it must be linear): m_{L,R} = s -+ kappa, s = sqrt(eps mu - chi^2),
    m_-+ = (s +- i chi)/eps. Differences that cancel for isotropic spheres are returned in closed
    form (d_L = m_- m_L - 1, d_R = m_+ m_R - 1, e_L = m_- m_L - m_+ m_R, e_R = m_- m_R - m_+ m_L).
    """
    eps, mu, chi, kappa = (jnp.asarray(v).astype(jnp.complex128) for v in (eps, mu, chi, kappa))
    s = jnp.sqrt(eps * mu - chi * chi)
    m_L, m_R = s - kappa, s + kappa
    m_minus, m_plus = (s + 1j * chi) / eps, (s - 1j * chi) / eps
    common = (mu - 1.0) - chi * chi / eps
    d_L = common + 1j * chi * s / eps - kappa * m_minus
    d_R = common - 1j * chi * s / eps + kappa * m_plus
    e_L = 2.0 * s / eps * (1j * chi - kappa)
    e_R = 2.0 * s / eps * (1j * chi + kappa)
    return dict(m_L=m_L, m_R=m_R, m_minus=m_minus, m_plus=m_plus, d_L=d_L, d_R=d_R, e_L=e_L, e_R=e_R)


def _q_matrix(x, g, h, g_L, g_R, m, l_max):
    """q_l = r_l / C_l, shape (..., l_max, 2, 2), from the reduced brackets (Schoger, Eqs. (4.11), (4.12), (4.16)).

    All auxiliary functions are multiplied by x (q is homogeneous of degree 0 in them), so no
    1/x appears. Works for complex x (x = -i w gives the real-frequency coefficients). Corrected:
    the printed "m_T" of (4.12) is m_- for the L and m_+ for the R helicity (derived here from the
    boundary-value problem; checked in tests/test_mie_imaginary.py).
    """
    l = jnp.arange(1, l_max + 1, dtype=jnp.float64)
    p = l + 1.0
    x = jnp.asarray(x)[..., None]
    mm, mp = m["m_minus"][..., None], m["m_plus"][..., None]
    mL, mR = m["m_L"][..., None], m["m_R"][..., None]
    A_L = p * (1.0 - mm / mL) + x * (g - mm * g_L)
    A_R = p * (1.0 - mp / mR) + x * (g - mp * g_R)
    B_L = p * (m["d_L"][..., None] / mL) + x * (mm * g - g_L)
    B_R = p * (m["d_R"][..., None] / mR) + x * (mp * g - g_R)
    V_L = l + p * mm / mL + x * (mm * g_L - h)
    V_R = l + p * mp / mR + x * (mp * g_R - h)
    W_L = mm * l + p / mL + x * (g_L - mm * h)
    W_R = mp * l + p / mR + x * (g_R - mp * h)
    den = W_R * V_L + W_L * V_R
    q_ee = (W_R * A_L + W_L * A_R) / den
    q_mm = (V_R * B_L + V_L * B_R) / den
    i_minus_k = (2.0 * l + 1.0) + x * (g - h)                      # x ({I,x} - {K,x})
    mLR = mL * mR
    q_me = 1j * i_minus_k * (p * m["e_L"][..., None] / mLR + x * (mm * g_R - mp * g_L)) / den
    q_em = 1j * i_minus_k * (p * m["e_R"][..., None] / mLR + x * (mm * g_L - mp * g_R)) / den
    return jnp.stack([jnp.stack([q_ee, q_em], -1), jnp.stack([q_me, q_mm], -1)], -2)


def _pec_ratio(x, g, h, l_max):
    """a_l = -{I,x}/{K,x} = ((l+1) + x g)/(l - x h) > 0 (PEC: r^EE = C_l a_l, r^MM = -C_l)."""
    l = jnp.arange(1, l_max + 1, dtype=jnp.float64)
    x = jnp.asarray(x)[..., None]
    return ((l + 1.0) + x * g) / (l - x * h)


def _pemc_q(a, theta):
    """q = D(theta) diag(a, -1) D(theta)^T (Schoger, Eqs. (4.17)-(4.18); the printed (4.18) has the wrong overall sign)."""
    c, s = jnp.cos(theta)[..., None], jnp.sin(theta)[..., None]
    q_ee = c * c * a - s * s
    q_mm = s * s * a - c * c
    q_mix = -c * s * (a + 1.0)
    q = jnp.stack([jnp.stack([q_ee, q_mix], -1), jnp.stack([q_mix, q_mm], -1)], -2)
    return q.astype(jnp.complex128)


def _to_log_form(log_c, q, x_positive):
    """(log|r|, phase) from r_l = (-1)^l e^{log_c} q; entries with q = 0 get (-inf, 0) without NaN."""
    l_max = q.shape[-3]
    sign = jnp.where(jnp.arange(1, l_max + 1) % 2 == 0, 1.0, -1.0)[:, None, None]
    mag = jnp.abs(q)
    zero = mag == 0
    safe_mag = jnp.where(zero, 1.0, mag)
    safe_q = jnp.where(zero, 1.0, q)
    log_abs = jnp.where(zero, -jnp.inf, log_c[..., None, None] + jnp.log(safe_mag))
    phase = jnp.where(zero, 0.0, sign * safe_q / safe_mag)
    log_abs = jnp.where(x_positive[..., None, None, None], log_abs, -jnp.inf)
    return log_abs, phase


def _safe_x(x):
    x = jnp.asarray(x, dtype=jnp.float64)
    positive = x > 0
    return jnp.where(positive, x, 1.0), positive


# ----------------------------------------------------------------------------------------------
# dimensionless kernels (jit-compiled, static l_max)

def _general_factored(x, eps, mu, chi, kappa, l_max, isotropic):
    xs, positive = _safe_x(x)
    m = _relative_indices(eps, mu, chi, kappa)
    m = {k: jnp.broadcast_to(v, xs.shape) for k, v in m.items()}
    # m_{L,R} are real for real eps, mu, chi, kappa with chi^2 < eps mu (checked at the boundary)
    interior = [jnp.real(m["m_L"]) * xs] if isotropic else [jnp.real(m["m_L"]) * xs, jnp.real(m["m_R"]) * xs]
    log_c, g, h, g_int = _bessel_pieces(xs, interior, l_max)
    g_L, g_R = g_int[0], g_int[-1]
    q = _q_matrix(xs, g, h, g_L, g_R, m, l_max)
    return log_c, q, positive


def _pemc_factored(x, theta, l_max):
    xs, positive = _safe_x(x)
    log_c, g, h, _ = _bessel_pieces(xs, [], l_max)
    theta = jnp.broadcast_to(jnp.asarray(theta, dtype=jnp.float64), xs.shape)
    return log_c, _pemc_q(_pec_ratio(xs, g, h, l_max), theta), positive


def _pec_factored(x, l_max):
    xs, positive = _safe_x(x)
    log_c, g, h, _ = _bessel_pieces(xs, [], l_max)
    a = _pec_ratio(xs, g, h, l_max)
    zero = jnp.zeros_like(a)
    q = jnp.stack([jnp.stack([a, zero], -1), jnp.stack([zero, -jnp.ones_like(a)], -1)], -2)
    return log_c, q.astype(jnp.complex128), positive


def _general_log(x, eps, mu, chi, kappa, l_max, isotropic):
    log_c, q, positive = _general_factored(x, eps, mu, chi, kappa, l_max, isotropic)
    return _to_log_form(log_c, q, positive)


_general_log_jit = jax.jit(_general_log, static_argnames=("l_max", "isotropic"))
_pec_log_jit = jax.jit(lambda x, l_max: _to_log_form(*_pec_factored(x, l_max)), static_argnames=("l_max",))
_pemc_log_jit = jax.jit(lambda x, theta, l_max: _to_log_form(*_pemc_factored(x, theta, l_max)),
                        static_argnames=("l_max",))


def _check_x(x):
    check_nonnegative("x", x)


def reflection_coefficients_imag(x, eps_rel, mu_rel=1.0, chi_rel=0.0, kappa_rel=0.0, l_max=None):
    """Reflection matrices r_l (dimensionless, log form) of a bi-isotropic sphere at imaginary frequency, l = 1..l_max.

    Arguments:
        x: size parameter K R = xi n_m R / c (dimensionless, >= 0; any shape, broadcast with
            the material parameters).
        eps_rel, mu_rel: permittivity and permeability relative to the host, at i xi (real > 0).
        chi_rel, kappa_rel: Tellegen and chirality parameters divided by the host index n_m
            (Lindell convention alpha = chi - i kappa, beta = chi + i kappa).
        l_max: largest multipole order (static int >= 1).
    Returns:
        (log_abs, phase), each of shape x.shape + (l_max, 2, 2), entries [[EE, EM], [ME, MM]],
        r = phase * exp(log_abs).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.10)-(4.16); corrected: the relative impedances (4.13)
    (imaginary part linear, not quadratic, in the Tellegen parameter) and the helicity assignment
    L <-> m_-, R <-> m_+ in (4.12) (checked against the boundary-value problem in
    tests/test_mie_imaginary.py).
    """
    l_max = check_int("l_max", l_max, minimum=1)
    _check_x(x)
    for name, val in (("eps_rel", eps_rel), ("mu_rel", mu_rel)):
        check_positive(name, val)
    for name, val in (("chi_rel", chi_rel), ("kappa_rel", kappa_rel)):
        check_finite(name, val)
    if is_concrete((eps_rel, mu_rel, chi_rel)) and bool(
            jnp.any(jnp.asarray(chi_rel) ** 2 >= jnp.asarray(eps_rel) * jnp.asarray(mu_rel))):
        raise ValueError("chi_rel must satisfy chi_rel^2 < eps_rel mu_rel (real helicity indices)")
    isotropic = (is_concrete((chi_rel, kappa_rel))
                 and not jnp.any(jnp.asarray(chi_rel) != 0) and not jnp.any(jnp.asarray(kappa_rel) != 0))
    x, eps_rel, mu_rel, chi_rel, kappa_rel = jnp.broadcast_arrays(
        *(jnp.asarray(v, dtype=jnp.float64) for v in (x, eps_rel, mu_rel, chi_rel, kappa_rel)))
    return _general_log_jit(x, eps_rel, mu_rel, chi_rel, kappa_rel, l_max=l_max, isotropic=isotropic)


def perfect_conductor_reflection_imag(x, l_max):
    """Reflection matrices r_l (dimensionless, log form) of a perfectly conducting sphere at imaginary frequency.

    r^EE = -C_l {I,x}/{K,x}, r^MM = -C_l, no mixing.

    Arguments:
        x: size parameter K R (>= 0, any shape).
        l_max: largest multipole order (static int >= 1).
    Returns:
        (log_abs, phase), each x.shape + (l_max, 2, 2); mixing entries have log_abs = -inf.

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.17) at theta = 0.
    """
    l_max = check_int("l_max", l_max, minimum=1)
    _check_x(x)
    return _pec_log_jit(jnp.asarray(x, dtype=jnp.float64), l_max=l_max)


def pemc_reflection_imag(x, theta, l_max):
    """Reflection matrices r_l (dimensionless, log form) of a PEMC sphere with duality angle theta, imaginary frequency.

    R_PEMC(theta) = D(theta) R_PEC D(theta)^T, D = [[cos, sin], [-sin, cos]].

    Arguments:
        x: size parameter K R (>= 0, any shape).
        theta: duality angle [rad] (0 = PEC, pi/2 = PMC).
        l_max: largest multipole order (static int >= 1).
    Returns:
        (log_abs, phase), each x.shape + (l_max, 2, 2).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.17)-(4.18) and the duality rotation (4.56); the printed mixing
    coefficient (4.18) has the wrong overall sign (fixed by duality covariance).
    """
    l_max = check_int("l_max", l_max, minimum=1)
    _check_x(x)
    check_real("theta", theta)
    x, theta = jnp.broadcast_arrays(jnp.asarray(x, dtype=jnp.float64), jnp.asarray(theta, dtype=jnp.float64))
    return _pemc_log_jit(x, theta, l_max=l_max)


# ----------------------------------------------------------------------------------------------
# physical interface: frequency, radius, material, host medium

def _check_medium(medium):
    if medium is None:
        return
    if not isinstance(medium, Material):
        raise ValueError(f"medium must be a jaxem.materials.Material or None, got {type(medium).__name__}")
    if isinstance(medium, (PerfectConductor, PEMC, BiIsotropic)):
        raise ValueError(f"medium must be an isotropic penetrable material, got {type(medium).__name__}")


def size_parameter_imag(xi, radius, medium=None):
    """Size parameter x = K R = xi n_m(i xi) R / c (dimensionless) of a sphere at imaginary frequency i xi.

    Arguments:
        xi: imaginary frequency [rad/s] (>= 0).
        radius: sphere radius R [m] (> 0).
        medium: host material (vacuum if None).
    Returns:
        x (dimensionless), broadcast shape of xi and radius.

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.5).
    """
    check_nonnegative("xi", xi)
    check_positive("radius", radius)
    _check_medium(medium)
    return _size_parameter(jnp.asarray(xi, dtype=jnp.float64), jnp.asarray(radius, dtype=jnp.float64), medium)


def _size_parameter(xi, radius, medium):
    if medium is None:
        return xi * radius / _SPEED_OF_LIGHT
    return xi * medium.refractive_index_imaginary_frequency(xi) * radius / _SPEED_OF_LIGHT


def _factored(xi, radius, material, medium, l_max):
    positive_xi = xi > 0
    xi_s = jnp.where(positive_xi, xi, 1.0)   # Drude eps(i 0) = inf: keep the dead branch finite
    x = jnp.where(positive_xi, _size_parameter(xi_s, radius, medium), 0.0)
    if isinstance(material, PerfectConductor):
        return _pec_factored(x, l_max)
    if isinstance(material, PEMC):
        return _pemc_factored(x, material.theta, l_max)
    if medium is None:
        eps_m = mu_m = jnp.ones_like(xi_s)
    else:
        eps_m, mu_m = medium.epsilon_imaginary_frequency(xi_s), medium.mu_imaginary_frequency(xi_s)
    n_m = jnp.sqrt(eps_m * mu_m)
    eps = material.epsilon_imaginary_frequency(xi_s) / eps_m
    mu = material.mu_imaginary_frequency(xi_s) / mu_m
    chi = material.chi_imaginary_frequency(xi_s) / n_m
    kappa = material.kappa_imaginary_frequency(xi_s) / n_m
    isotropic = not isinstance(material, BiIsotropic)
    return _general_factored(x, eps, mu, chi, kappa, l_max, isotropic)


def _matrix_log(xi, radius, material, medium, l_max):
    return _to_log_form(*_factored(xi, radius, material, medium, l_max))


def _matrix_factored(xi, radius, material, medium, l_max):
    log_c, q, positive = _factored(xi, radius, material, medium, l_max)
    return jnp.where(positive[..., None], log_c, -jnp.inf), q


_matrix_log_jit = jax.jit(_matrix_log, static_argnames=("l_max",))
_matrix_factored_jit = jax.jit(_matrix_factored, static_argnames=("l_max",))


def _check_physical(xi, radius, material, l_max, medium):
    l_max = check_int("l_max", l_max, minimum=1)
    check_nonnegative("xi", xi)
    check_positive("radius", radius)
    if not isinstance(material, Material):
        raise ValueError(f"material must be a jaxem.materials.Material, got {type(material).__name__}")
    _check_medium(medium)
    return l_max, jnp.asarray(xi, dtype=jnp.float64), jnp.asarray(radius, dtype=jnp.float64)


def reflection_matrix_imag(xi, radius, material, l_max, medium=None):
    """Reflection matrices r_l (dimensionless) of a sphere at imaginary frequency i xi, l = 1..l_max, in log form.

    Arguments:
        xi: imaginary frequency [rad/s] (>= 0; xi = 0 gives r = 0, log_abs = -inf).
        radius: sphere radius [m] (> 0).
        material: any jaxem.materials.Material (PerfectConductor and PEMC use closed forms).
        l_max: largest multipole order (static int >= 1); see the module docstring for the
            recommended truncation.
        medium: host material (isotropic; vacuum if None).
    Returns:
        (log_abs, phase), each xi.shape + (l_max, 2, 2), entries [[r^EE, r^EM], [r^ME, r^MM]]
        in the convention of the module docstring; r = phase * exp(log_abs) never overflows.
        phase is complex (unit modulus, +-1 for real entries, 0 where r vanishes identically).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.10)-(4.17), with the corrections listed under
    :func:`reflection_coefficients_imag` and :func:`pemc_reflection_imag`.
    """
    l_max, xi, radius = _check_physical(xi, radius, material, l_max, medium)
    return _matrix_log_jit(xi, radius, material, medium, l_max=l_max)


def reflection_matrix_imag_factored(xi, radius, material, l_max, medium=None):
    """Reflection matrices (dimensionless) as r_l = (-1)^l exp(log_scale_l) q_l, at imaginary frequency i xi.

    log_scale_l = log((pi/2) I_{l+1/2}(x)/K_{l+1/2}(x)) carries the whole dynamic range; q_l
    (complex, O(1)) is smooth in every parameter, also where an entry of r vanishes (use this
    form to differentiate mixing entries at zero chirality / Tellegen parameter).

    Arguments:
        xi, radius, material, l_max, medium: as for :func:`reflection_matrix_imag`.
    Returns:
        (log_scale, q): shapes xi.shape + (l_max,) and xi.shape + (l_max, 2, 2).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.10)-(4.17), C_l of Eq. (4.15) factored out.
    """
    l_max, xi, radius = _check_physical(xi, radius, material, l_max, medium)
    return _matrix_factored_jit(xi, radius, material, medium, l_max=l_max)
