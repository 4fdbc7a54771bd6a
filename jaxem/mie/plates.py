"""Reflection of a planar half-space (a plate) at imaginary frequency: Fresnel coefficients and matrices.

One home for every plate: isotropic Fresnel coefficients at i xi, the 2x2 Fresnel matrix of PEMC and
bi-isotropic plates (polarisation mixing), and the static (xi -> 0) limits, including the k-dependent TE
coefficient of a plasma plane.  Conventions: (TM, TE) basis and signs of the plane-wave round trip (a
perfect conductor reflects diag(1, -1)).  Sources: T. Schoger, "Optical and dispersion forces experienced
by spherical objects", Dissertation, Universität Augsburg (2024): Eq. (4.34) (PEMC) and App. B.2,
Eq. (B.11) (bi-isotropic, continued here to imaginary frequency); the isotropic coefficients are the
Lifshitz ones at imaginary frequency.
"""
from __future__ import annotations

import jax.numpy as jnp

from jaxem.constants import c as _C
from jaxem.materials import PEMC, BiIsotropic, PerfectConductor
from jaxem.mie.imaginary import _relative_indices
from jaxem.mie.static import DIRICHLET_KIND, _bi_isotropic_x, _kind, _pemc_x, _x_te, _x_tm

__all__ = ["fresnel_imag", "plate_reflection_imag", "static_plane_reflection", "plasma_plane_te_reflection"]


def _medium_eps_mu(medium, xi):
    if medium is None:
        one = jnp.ones_like(xi)
        return one, one
    return medium.epsilon_imaginary_frequency(xi), medium.mu_imaginary_frequency(xi)


def fresnel_imag(xi, k, material, medium=None):
    """Fresnel reflection coefficients (r_TM, r_TE) (dimensionless) of a half-space at imaginary frequency i xi.

    r_TM = (eps kappa_m - eps_m kappa)/(eps kappa_m + eps_m kappa),
    r_TE = (mu kappa_m - mu_m kappa)/(mu kappa_m + mu_m kappa),
    kappa_m = sqrt(k^2 + eps_m mu_m xi^2/c^2), kappa = sqrt(k^2 + eps mu xi^2/c^2); perfect conductor
    r_TM = 1, r_TE = -1 (sign convention of the plane-wave round trip).

    Arguments:
        xi: imaginary frequency [rad/s] (> 0).
        k: transverse wave number [1/m] (>= 0), broadcast with xi.
        material: isotropic jaxem material of the half-space.
        medium: host material (vacuum if None).
    Returns:
        (r_TM, r_TE), real, broadcast shape.

    Source: the Lifshitz form of the Fresnel coefficients at imaginary frequency, e.g. Lambrecht,
    Maia Neto & Reynaud, New J. Phys. 8, 243 (2006); isotropic limit of Schoger, Dissertation (Augsburg 2024), Eq. (B.11).
    """
    xi = jnp.asarray(xi, dtype=jnp.float64)
    k = jnp.asarray(k, dtype=jnp.float64)
    if isinstance(material, PerfectConductor):
        one = jnp.ones(jnp.broadcast_shapes(xi.shape, k.shape))
        return one, -one
    if isinstance(material, (PEMC, BiIsotropic)):
        raise ValueError("material: PEMC / bi-isotropic plates mix polarisations; use "
                         "plate_reflection_imag (2x2 Fresnel matrix) instead of fresnel_imag")
    eps_m, mu_m = _medium_eps_mu(medium, xi)
    eps, mu = material.epsilon_imaginary_frequency(xi), material.mu_imaginary_frequency(xi)
    q = xi / _C
    kappa_m = jnp.sqrt(k * k + eps_m * mu_m * q * q)
    kappa = jnp.sqrt(k * k + eps * mu * q * q)
    r_tm = (eps * kappa_m - eps_m * kappa) / (eps * kappa_m + eps_m * kappa)
    r_te = (mu * kappa_m - mu_m * kappa) / (mu * kappa_m + mu_m * kappa)
    return r_tm, r_te


def plate_reflection_imag(xi, k, material, medium=None):
    """2x2 Fresnel matrix [[r_TM,TM, r_TM,TE], [r_TE,TM, r_TE,TE]] (dimensionless) of a half-space at i xi.

    * isotropic materials: diag(r_TM, r_TE) of :func:`fresnel_imag`;
    * PEMC(theta): R(theta) = D(theta) diag(1, -1) D(-theta) = [[cos 2theta, -sin 2theta],
      [-sin 2theta, -cos 2theta]], independent of k and xi;
    * bi-isotropic (Lindell alpha = chi - i kappa, beta = chi + i kappa): continued to imaginary
      frequency, c_0 = kappa_m/K,
      c_{L,R} = sqrt(m_{L,R}^2 K^2 + k^2)/(m_{L,R} K), numerator and denominator multiplied by K
      (no 1/K at small xi); indices relative to the host (m_{L,R} = s -+ kappa, m_-+ = (s +- i chi)/eps,
      s = sqrt(eps mu - chi^2)).
    The (TM, TE) basis and signs are those of the plane-wave round trip (perfect conductor
    diag(1, -1)); at xi -> 0 the PEMC matrix equals :func:`static_plane_reflection`.

    Arguments:
        xi: imaginary frequency [rad/s] (>= 0, scalar); k: transverse wave numbers [1/m], shape (n,).
        material: jaxem material of the half-space; medium: host (isotropic; vacuum if None).
    Returns:
        (n, 2, 2) array (float64; complex128 for bi-isotropic plates).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.34) (PEMC) and Eq. (B.11) (bi-isotropic; the extracted labels
    of the two mixing coefficients (B.8) are both r_TE,TM, the second is r_TM,TE).
    """
    xi = jnp.asarray(xi, dtype=jnp.float64)
    k = jnp.asarray(k, dtype=jnp.float64)
    if isinstance(material, PEMC):
        th = jnp.asarray(material.theta, dtype=jnp.float64)
        c2, s2 = jnp.cos(2 * th), jnp.sin(2 * th)
        R = jnp.stack([jnp.stack([c2, -s2]), jnp.stack([-s2, -c2])])
        return jnp.broadcast_to(R, k.shape + (2, 2))
    if isinstance(material, BiIsotropic):
        eps_m, mu_m = _medium_eps_mu(medium, xi)
        n_m = jnp.sqrt(eps_m * mu_m)
        m = _relative_indices(material.epsilon_imaginary_frequency(xi) / eps_m, material.mu_imaginary_frequency(xi) / mu_m,
                              material.chi_imaginary_frequency(xi) / n_m, material.kappa_imaginary_frequency(xi) / n_m)
        mL, mR, mm, mp = m["m_L"], m["m_R"], m["m_minus"], m["m_plus"]
        K = xi * n_m / _C
        c0 = jnp.sqrt(k * k + K * K).astype(jnp.complex128)
        cL = jnp.sqrt(mL * mL * K * K + k * k) / mL
        cR = jnp.sqrt(mR * mR * K * K + k * k) / mR
        D = (mm * cL + c0) * (cR + mp * c0) + (mp * cR + c0) * (cL + mm * c0)
        r_tm = ((c0 - mm * cL) * (cR + mp * c0) + (c0 - mp * cR) * (cL + mm * c0)) / D
        r_te = ((mm * c0 - cL) * (mp * cR + c0) + (mp * c0 - cR) * (mm * cL + c0)) / D
        r_te_tm = 2j * c0 * (mm * cR - mp * cL) / D
        r_tm_te = 2j * c0 * (mm * cL - mp * cR) / D
        return jnp.stack([jnp.stack([r_tm, r_tm_te], -1), jnp.stack([r_te_tm, r_te], -1)], -2)
    r_tm, r_te = fresnel_imag(xi, k, material, medium)
    zero = jnp.zeros_like(r_tm)
    return jnp.stack([jnp.stack([r_tm, zero], -1), jnp.stack([zero, r_te], -1)], -2)


def static_plane_reflection(material, *, medium=None):
    """Zero-frequency Fresnel matrix of a plane, [[r_TM,TM, r_TM,TE], [r_TE,TM, r_TE,TE]] (dimensionless).

    The l -> inf limit of the static sphere coefficients X(l); PEMC: R(theta) = D(theta) diag(1,-1)
    D(-theta).  A plasma plane is not supported (its TE coefficient depends on the transverse wave
    number at xi = 0).

    Arguments:
        material: jaxem material or DIRICHLET.  medium: host material (vacuum if None).
    Returns:
        (2, 2) array (float64; complex128 for bi-isotropic).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.63) (l -> inf limit) and Eq. (4.34) (PEMC).
    """
    kind = _kind(material)
    if kind == "plasma":
        raise NotImplementedError("material: the zero-frequency TE reflection of a plasma plane is k-dependent")
    if kind == DIRICHLET_KIND:
        return jnp.array([[1.0, 0.0], [0.0, 0.0]])
    one = jnp.ones((1,))
    if kind == "pemc":
        return _pemc_x(one, jnp.asarray(material.theta, dtype=jnp.float64))[0]
    if kind == "bi_isotropic":
        return _bi_isotropic_x(one, material, medium)[0]
    r_tm = _x_tm(one, material, medium)[0]
    r_te = _x_te(one, one, material, medium, None)[0] if kind != "perfect_conductor" else -1.0
    r_te = jnp.asarray(r_te, dtype=jnp.float64)
    return jnp.array([[1.0, 0.0], [0.0, 0.0]]) * r_tm + jnp.array([[0.0, 0.0], [0.0, 1.0]]) * r_te


def plasma_plane_te_reflection(k, w):
    """Static TE Fresnel coefficient of a plasma plane, r_TE = -w^2/(k + sqrt(k^2 + w^2))^2 (dimensionless).

    The xi -> 0 limit of (kappa_m - kappa)/(kappa_m + kappa) with kappa_m = k,
    kappa^2 = k^2 + omega_p^2/c^2: w = omega_p/c in the units of k.  Cancellation-free; -> -1
    (PEC plane) as w -> inf, 0 (Drude plane) as w -> 0.

    Arguments:
        k: transverse wave number (>= 0, any shape).
        w: plasma wave number omega_p/c in the units of k (>= 0).
    Returns:
        r_TE, broadcast shape.

    Source: the xi -> 0 limit of the Lifshitz TE coefficient (see :func:`fresnel_imag`).
    """
    return -(w * w) / (k + jnp.sqrt(k * k + w * w)) ** 2


# ----------------------------------------------------------------------------------------------
# truncation

#: N = ceil(N_0 + eta max(N_MIN, 1 + C_N sqrt(rho))), M = ceil(C_M sqrt(eta max(rho, 1))) + 4 (made odd)
N_0, C_N, C_M, N_MIN = 4.0, 0.65, 2.2, 3.4
SPHERES_N_FACTOR, SPHERES_M_FACTOR = 1.4, 1.6

#: the Nystrom nodes are scaled, k -> k_scale k (in 1/L): sphere--plane kernels decay like
#: e^{-2k}, sphere--sphere ones like e^{-k} (half gap each)
K_SCALE_PLANE, K_SCALE_SPHERES = 1.0, 3.0
