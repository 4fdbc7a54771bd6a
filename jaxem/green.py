"""Free-space dyadic Green tensors: 3x3 electric, magnetic (curl) part, 6x6 electromagnetic,
and the imaginary-frequency dipole propagator (regular at xi = 0).

One implementation serves every module (nanosphere potentials, random light, Casimir-Polder).
Normalisation: curl curl G - k^2 G = delta(r1 - r2) 1. Time dependence e^{-i omega t}; k is the
wavenumber in the host medium and may be complex (absorbing host, Im k > 0).

Sources: C. Jakubec, P. Solano, U. Delić and K. Sinha, "Fluctuation-induced forces on nanospheres
in external fields", Phys. Rev. A 109, 052807 (2024) (arXiv:2311.10496), App. C; A. Muster and
L. S. Froufe-Pérez, "Pure many-body interactions in colloidal systems by artificial random light
fields", arXiv:2510.03503 (2025), Eqs. (10)-(12) and App. A.

All kernels take single (unbatched) 3-vectors; use ``jax.vmap`` for batches.
"""
from __future__ import annotations

import jax.numpy as jnp

from ._checks import check_nonnegative, check_nonzero, check_real, check_shape, is_concrete

__all__ = [
    "green_tensor",
    "green_tensor_magnetic",
    "green_tensor_em",
    "dipole_propagator_imag",
]


def _separation(r1, r2):
    d = jnp.asarray(r1, dtype=jnp.float64) - jnp.asarray(r2, dtype=jnp.float64)
    r = jnp.sqrt(jnp.sum(d * d))
    return d / r, r


def _check_points(r1, r2):
    check_real("r1", r1)
    check_real("r2", r2)
    check_shape("r1", r1, (3,), batch=False)   # one pair of points: vmap for batches
    check_shape("r2", r2, (3,), batch=False)
    if is_concrete((r1, r2)):
        import numpy as np

        if np.allclose(np.asarray(r1, float), np.asarray(r2, float), rtol=0.0, atol=0.0):
            raise ValueError("r1 and r2 must differ (the free Green tensor is singular at r1 == r2)")


def green_tensor(r1, r2, k):
    """Electric dyadic Green tensor G_E(r1, r2; k) [1/m], a complex 3x3 matrix.

    G_E = e^{ikr}/(4 pi r) [(1 + i/x - 1/x^2) 1 + (-1 - 3i/x + 3/x^2) r^ r^],  x = k r,
    r^ = (r1 - r2)/r. The field of a dipole p at r2 is E(r1) = mu0 omega^2 G_E p (vacuum host).

    Arguments:
        r1, r2: positions [m], shape (3,), distinct.
        k: host wavenumber [1/m] (complex allowed; finite, nonzero).
    Returns:
        complex128 array (3, 3) [1/m].

    Source: Muster & Froufe-Pérez, arXiv:2510.03503 (2025), Eq. (10); Jakubec, Solano, Delić & Sinha, Phys. Rev. A 109, 052807 (2024), Eq. (C1) with its overall sign
    corrected (the printed sign contradicts their Eqs. (30) and (C7)).
    """
    _check_points(r1, r2)
    check_nonzero("k", k)
    rhat, r = _separation(r1, r2)
    k = jnp.asarray(k, dtype=jnp.complex128)
    x = k * r
    g = jnp.exp(1j * x) / (4.0 * jnp.pi * r)
    a = 1.0 + 1j / x - 1.0 / x**2
    b = -1.0 - 3j / x + 3.0 / x**2
    return g * (a * jnp.eye(3) + b * jnp.outer(rhat, rhat))


def _cross_matrix(v):
    """[v x]_{ij} = -eps_{ijk} v_k, i.e. [v x] w = v x w."""
    z = jnp.zeros_like(v[0])
    return jnp.array([[z, -v[2], v[1]], [v[2], z, -v[0]], [-v[1], v[0], z]])


def green_tensor_magnetic(r1, r2, k):
    """Magnetic (curl) Green tensor G_M = curl G_E / k [1/m], antisymmetric complex 3x3.

    G_M = e^{ikr}/(4 pi r) (i k r - 1)/(k r) [r^ x],  r^ = (r1 - r2)/r. Flips sign under r1 <-> r2.

    Arguments:
        r1, r2: positions [m], shape (3,), distinct.
        k: host wavenumber [1/m] (complex allowed).
    Returns:
        complex128 array (3, 3) [1/m].

    Source: Muster & Froufe-Pérez, arXiv:2510.03503 (2025), Eq. (11).
    """
    _check_points(r1, r2)
    check_nonzero("k", k)
    rhat, r = _separation(r1, r2)
    k = jnp.asarray(k, dtype=jnp.complex128)
    x = k * r
    g = jnp.exp(1j * x) / (4.0 * jnp.pi * r)
    return g * (1j * x - 1.0) / x * _cross_matrix(rhat).astype(jnp.complex128)


def green_tensor_em(r1, r2, k):
    """6x6 electromagnetic Green tensor [[G_E, i G_M], [-i G_M, G_E]] [1/m].

    Acts on (E, H)-type 6-vectors; used with alpha = diag(alpha_e 1_3, alpha_m 1_3).

    Arguments:
        r1, r2: positions [m], shape (3,), distinct.
        k: host wavenumber [1/m] (complex allowed).
    Returns:
        complex128 array (6, 6) [1/m].

    Source: Muster & Froufe-Pérez, arXiv:2510.03503 (2025), Eq. (12).
    """
    ge = green_tensor(r1, r2, k)
    gm = green_tensor_magnetic(r1, r2, k)
    top = jnp.concatenate([ge, 1j * gm], axis=1)
    bottom = jnp.concatenate([-1j * gm, ge], axis=1)
    return jnp.concatenate([top, bottom], axis=0)


def dipole_propagator_imag(r1, r2, kappa):
    """Regular imaginary-frequency dipole propagator k^2 G_E(r1, r2; k) at k = i kappa [1/m^3], real 3x3.

    (i kappa)^2 G = -kappa^2 G = e^{-u}/(4 pi r^3) [(3 + 3u + u^2) r^ r^ - (1 + u + u^2) 1],  u = kappa r,
    finite at kappa = 0 (the static dipole tensor). The SI propagator is
    T = mu0 (i xi)^2 G = (this) / epsilon0 with kappa = xi/c.

    Arguments:
        r1, r2: positions [m], shape (3,), distinct.
        kappa: imaginary wavenumber xi/c [1/m] (>= 0).
    Returns:
        float64 array (3, 3) [1/m^3].

    Source: derived here (the corrected Green tensor of Jakubec et al., Eq. (C1), at k = i kappa);
    checked in tests/test_green.py.
    """
    _check_points(r1, r2)
    check_nonnegative("kappa", kappa)
    rhat, r = _separation(r1, r2)
    u = jnp.asarray(kappa, dtype=jnp.float64) * r
    pre = jnp.exp(-u) / (4.0 * jnp.pi * r**3)
    return pre * ((3.0 + 3.0 * u + u**2) * jnp.outer(rhat, rhat) - (1.0 + u + u**2) * jnp.eye(3))
