"""Zero-frequency (high-temperature) Casimir free energy of two spheres or a sphere and a plane.

At the Matsubara frequency xi = 0 the round-trip operator is exact and cheap in the multipole
basis: the static reflection of a sphere is a 2x2 matrix X(l) per multipole order (polarisations
TM, TE; scattering.md §2.10, casimir-spheres.md §2.3) and translation reduces to the (R/L)-power
coefficients of the static multipole formula (casimir-spheres.md §2.5):

    sphere--sphere:  M^(m) = (A ⊗ 1) X_2 (A^T ⊗ 1) X_1,
        A_{l l'} = rho_1^{l+1/2} rho_2^{l'+1/2} (l+l')! / sqrt((l-m)!(l+m)!(l'-m)!(l'+m)!),
        rho_j = R_j / (L + R_1 + R_2);
    sphere--plane:   M^(m) = (B ⊗ R_plane) X,
        B_{l l'} = (R/2(L+R))^{l+l'+1} (l+l')! / sqrt((l-m)!(l+m)!(l'-m)!(l'+m)!),

and F / (k_B T) = (1/2) sum_{m=-inf}^{inf} log det(1 - M^(m)) (the n = 0 term of the Matsubara sum
with its weight 1/2; casimir-spheres.md §2.1, Eq. 9.2: F_T = -(k_B T/2) f).  Blocks m and -m are
equal, so the sum is the m = 0 block plus twice the m >= 1 blocks.  Channels that do not mix
(isotropic spheres) are symmetrised, 1 - s N N^T with N = sqrt|X_1| A sqrt|X_2|, and factorised by
Cholesky; blocks with polarisation mixing by pivoted LU (jaxem.casimir.logdet).

Truncation (static sizes): l_j,max = ceil(eta R_j / L) + 4 multipoles per sphere (never more
than needed at large distance) and m_max = the number of m-blocks,
see :func:`ht_truncation`.  Measured relative error of F (Drude, vs the exact 9.59, at R/L = 10
sphere--plane / equal spheres and at L = R equal spheres): eta = 6: 3e-6..8e-6, 8: 1e-7..2e-7,
10: 2e-9..1.2e-8, 12: 5e-11..8e-10, 14: 1e-12..5e-11, 18: <= 2e-13.

Plane-wave route (``method="planewave"``, jaxem.casimir.static_planewave): at xi = 0 the plane-wave
reflection element of a sphere is a closed-form l-sum (cosh chi - 1, the 'de' sum of Eq. 9.7,
cosh chi, and an integral representation for dielectric X = c l/(l+a)), so the cost is
O(N^2 M + M N^3) with N, M ~ sqrt(R/L) instead of O(m_max l_max^3), l_max ~ R/L.  Supported: Drude,
PEC, dielectric / Lorentz / magnetodielectric spheres (also in an electrolyte), PEMC(theta) at any
delta, Dirichlet, plasma spheres (also in a medium) and bi-isotropic (chiral, Tellegen) spheres (their
l-sums have no closed form and are tabulated exactly at Chebyshev nodes:
``static_planewave._tabulated_scaled``); planes of all these, and plasma planes (k-dependent static TE
coefficient, only here).  A plasma plane in an electrolyte is supported by neither route.
Truncation (``static_planewave.ht_planewave_truncation``, same eta): N = ceil(4 + eta
max(3.4, 1 + 0.65 sqrt(rho))) k-nodes, M = ceil(2.2 sqrt(eta max(rho, 1))) + 4 azimuths (odd),
rho = max R_j / L; sphere--sphere N x 1.4, M x 1.6.  Measured relative error of F (Drude vs
the exact 9.59):

    sphere--plane  R/L:   1        3        10       30       100      300      1000
        eta = 8        7.5e-9   3.4e-9   1.9e-9   1.5e-8   2.9e-8   1.1e-7   3.0e-7
        eta = 10       3.8e-10  2.0e-10  6.3e-11  6.8e-10  4.5e-9   1.1e-8   2.1e-8
        eta = 12       1.1e-10  5.4e-11  5.4e-11  1.4e-10  3.2e-10  7.8e-10  1.7e-9
        eta = 14       4.4e-12  2.1e-12  4.3e-13  8.8e-12  5.8e-11  9.2e-11  1.7e-10
        eta = 18       7e-14    4e-14    9e-14    5.0e-13  1.6e-12  2.8e-12  -
    equal spheres  R/L = 10 / 30 / 100: eta = 10: 5.6e-10 / 1.2e-9 / 1.1e-8;
        eta = 14: 2.6e-12 / 2.9e-11 / 6.8e-11; eta = 18: 9e-14 / 5e-13 / 1.2e-12.

PEC, dielectric (eps = 4), Dirichlet, PEMC (theta_1 != theta_2), ded agree with the multipole route
to <= 1e-10 at R/L = 10, plasma spheres (facing PEC, Drude planes or a plasma sphere) to <= 1e-9 and
bi-isotropic spheres and planes to <= 1e-11 at eta = 14 (tests/test_casimir_ht_planewave.py).
``method="auto"`` (the default) takes the plane-wave route when max(R_j)/L >= AUTO_PLANEWAVE_RHO = 5
(measured crossover of the run times at eta = 10: the plane wave is ~1.3-2x faster at R/L = 5, ~8x at
10, ~300x at 20), for plasma planes, and when the materials allow it and neither l_max nor m_max is
given; the multipole route otherwise (large distances / small spheres, where it needs only a few
multipoles, and traced L without sizes).
"""
from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from jaxem._checks import check_choice, check_finite, check_int, check_positive, is_concrete
from jaxem.geometry import is_plane
from jaxem.casimir.logdet import log_det_one_minus, round_trip_traces

__all__ = [
    "DIRICHLET",
    "DEFAULT_ETA",
    "METHODS",
    "AUTO_PLANEWAVE_RHO",
    "static_reflection",
    "static_plane_reflection",
    "ht_truncation",
    "casimir_free_energy_ht",
    "casimir_force_ht",
    "casimir_free_energy_ht_distances",
    "round_trip_traces_ht",
]

#: Pseudo-material: a scalar field with Dirichlet boundary conditions (X(l) = 1 for all l >= 0,
#: including the monopole; casimir-spheres.md §2.4, §2.6).  Use for both objects.
DIRICHLET = "dirichlet"

#: Default truncation parameter eta of l_max = eta R / L (relative error ~1e-9, see README).
DEFAULT_ETA = 10.0

_CONDUCTING = ("drude", "plasma", "perfect_conductor")
_MIXING = ("pemc", "bi_isotropic")


# ----------------------------------------------------------------------------------------------
# static (xi = 0) reflection of spheres and planes

def _kind(material):
    if isinstance(material, str):
        if material != DIRICHLET:
            raise ValueError(f"material must be a jaxem material or {DIRICHLET!r}, got {material!r}")
        return DIRICHLET
    kind = getattr(material, "kind", None)
    if kind is None:
        raise ValueError(f"material must be a jaxem material or {DIRICHLET!r}, got {material!r}")
    return kind


def _static_eps(material):
    """(eps(0), infinite) of a material at zero frequency; infinite for conductors."""
    kind = _kind(material)
    if kind in _CONDUCTING:
        return None, True
    if kind in _MIXING or kind == DIRICHLET:
        raise ValueError(f"no static permittivity for {kind!r}")
    return jnp.asarray(material.epsilon_imag(0.0), dtype=jnp.float64), False


def _static_mu(material):
    kind = _kind(material)
    if kind in ("drude", "plasma", "perfect_conductor"):
        return jnp.asarray(1.0)
    return jnp.asarray(material.mu_imag(0.0), dtype=jnp.float64)


def _permittivity_ratio(sphere, medium):
    """lim_{xi->0} eps_s/eps_m as (ratio, kind): kind 'finite', 'inf' (ratio -> inf), 'zero'."""
    eps_s, inf_s = _static_eps(sphere)
    if medium is None:
        eps_m, inf_m = jnp.asarray(1.0), False
    else:
        eps_m, inf_m = _static_eps(medium)
    if not inf_m:
        if inf_s:
            return None, "inf"
        return eps_s / eps_m, "finite"
    mk, sk = _kind(medium), _kind(sphere)
    if mk != "drude":
        raise ValueError(f"medium must be a dielectric or a Drude electrolyte at zero frequency, got {mk!r}")
    if not inf_s:
        return None, "zero"
    if sk == "drude":
        # both conduct: eps ~ omega_p^2/(xi gamma), the ratio of dc conductivities.
        return (sphere.omega_p**2 / sphere.gamma) / (medium.omega_p**2 / medium.gamma), "finite"
    return None, "inf"  # plasma / PEC sphere dominates a 1/xi medium


def _x_tm(q, sphere, medium):
    """X_TM,TM(l) of an isotropic sphere, q = l/(l+1) (Eq. 4.57 and its conducting limits)."""
    ratio, how = _permittivity_ratio(sphere, medium)
    if how == "inf":
        return jnp.ones_like(q)
    if how == "zero":
        return -q
    # l (e - 1)/(l e + l + 1) = q (e - 1)/(q e + 1)
    return q * (ratio - 1.0) / (q * ratio + 1.0)


def _x_te(l, q, sphere, medium, radius):
    """X_TE,TE(l) of an isotropic sphere (duality of Eq. 4.57; plasma and PEC limits)."""
    from jaxem.constants import c

    kind = _kind(sphere)
    if kind == "perfect_conductor":
        return -q
    if kind == "plasma":
        if radius is None:
            raise ValueError("radius must be given for the zero-frequency TE reflection of a plasma sphere")
        from jaxem.special.modified import log_modified_bessel_i

        w = sphere.omega_p * radius / c  # n x -> omega_p R / c as xi -> 0
        l_max = l.shape[-1]
        log_i = log_modified_bessel_i(w, l_max + 1)
        h = jnp.exp(log_i[..., 2:] - log_i[..., 1:-1])  # I_{l+3/2}/I_{l+1/2}, l = 1..l_max
        # B_l/W_l with {I,w} = (l+1)/w + h: no cancellation (scattering.md §2.10 bracket form)
        return -q * w * h / (2.0 * l + 1.0 + w * h)
    mu_s = _static_mu(sphere)
    mu_m = jnp.asarray(1.0) if medium is None else _static_mu(medium)
    ratio = mu_s / mu_m
    return q * (ratio - 1.0) / (q * ratio + 1.0)


def _bi_isotropic_x(q, material, medium):
    """X(l) of a bi-isotropic sphere, corrected Eqs. (4.52)-(4.54) in terms of q = l/(l+1)."""
    from jaxem.mie.imaginary import _relative_indices

    eps_m = jnp.asarray(1.0) if medium is None else _static_eps(medium)[0]
    mu_m = jnp.asarray(1.0) if medium is None else _static_mu(medium)
    n_m = jnp.sqrt(eps_m * mu_m)
    eps = material.epsilon_imag(0.0) / eps_m
    mu = material.mu_imag(0.0) / mu_m
    chi = material.chi_imag(0.0) / n_m
    kap = material.kappa_imag(0.0) / n_m
    m = _relative_indices(eps, mu, chi, kap)
    mL, mR, mm, mp = m["m_L"], m["m_R"], m["m_minus"], m["m_plus"]
    qc = q.astype(jnp.complex128)
    D = (1 / mL + mm * qc) * (mp / mR + qc) + (1 / mR + mp * qc) * (mm / mL + qc)
    x_tm = qc * ((1 - mm / mL) * (1 / mR + mp * qc) + (1 - mp / mR) * (1 / mL + mm * qc)) / D
    x_te = qc * ((mm - 1 / mL) * (mp / mR + qc) + (mp - 1 / mR) * (mm / mL + qc)) / D
    x_tm_te = 1j * qc * (1 + qc) * (mm / mL - mp / mR) / D
    x_te_tm = 1j * qc * (1 + qc) * (mm / mR - mp / mL) / D
    return jnp.stack([jnp.stack([x_tm, x_tm_te], -1), jnp.stack([x_te_tm, x_te], -1)], -2)


def _pemc_x(q, theta):
    """X(l) = D(theta) diag(1, -q) D(-theta) (pemc-casimir.md §1.6, Eq. 4.55/4.56)."""
    c, s = jnp.cos(theta), jnp.sin(theta)
    x_tm = c * c - s * s * q
    x_te = s * s - c * c * q
    x_mix = -s * c * (1.0 + q)
    return jnp.stack([jnp.stack([x_tm, x_mix], -1), jnp.stack([x_mix, x_te], -1)], -2)


def _static_x(material, l_max: int, medium, radius, l_min: int = 1):
    """X(l) for l = l_min..l_max, shape (n, 2, 2); (TM, TE) order."""
    kind = _kind(material)
    l = jnp.arange(l_min, l_max + 1, dtype=jnp.float64)
    q = l / (l + 1.0)
    if kind == DIRICHLET:
        one = jnp.ones_like(l)
        zero = jnp.zeros_like(l)
        return jnp.stack([jnp.stack([one, zero], -1), jnp.stack([zero, zero], -1)], -2)
    if kind == "pemc":
        if medium is not None and _kind(medium) in _CONDUCTING:
            raise ValueError("medium: a PEMC sphere in a conducting medium is not supported")
        return _pemc_x(q, jnp.asarray(material.theta, dtype=jnp.float64))
    if kind == "bi_isotropic":
        if medium is not None and _kind(medium) in _CONDUCTING:
            raise ValueError("medium: a bi-isotropic sphere in a conducting medium is not supported")
        return _bi_isotropic_x(q, material, medium)
    x_tm = _x_tm(q, material, medium)
    x_te = _x_te(l, q, material, medium, radius)
    zero = jnp.zeros_like(x_tm)
    return jnp.stack([jnp.stack([x_tm, zero], -1), jnp.stack([zero, x_te], -1)], -2)


def static_reflection(material, l_max: int, *, radius=None, medium=None):
    """Zero-frequency reflection matrices X(l) of a sphere, l = 1..l_max (static Mie coefficients).

    r_l^(P,P') -> C_l^(0)(x) ((l+1)/l) X_{p,p'}(l) as xi -> 0 (scattering.md §2.10, Eq. 4.51).
    Arguments:
        material: jaxem material (Dielectric, LorentzOscillators, Drude, Plasma, PerfectConductor,
            PEMC, BiIsotropic).
        l_max: highest multipole order (static int >= 1).
        radius: sphere radius [m]; needed only for Plasma (TE penetration, omega_p R / c).
        medium: host material (vacuum if None); a Drude medium is an electrolyte (eps_m -> inf).
    Returns:
        array (l_max, 2, 2), entries [[X_TM,TM, X_TM,TE], [X_TE,TM, X_TE,TE]]; float64, complex128
        for bi-isotropic spheres.
    Implements scattering.md §2.10 (4.52)-(4.57) (corrected), pemc-casimir.md §1.6 (4.55), Table 9.1.
    """
    l_max = check_int("l_max", l_max, minimum=1)
    if radius is not None:
        check_positive("radius", radius)
    return _static_x(material, l_max, medium, radius)


def static_plane_reflection(material, *, medium=None):
    """Zero-frequency Fresnel matrix of a plane, [[r_TM,TM, r_TM,TE], [r_TE,TM, r_TE,TE]].

    The l -> inf limit of X(l) (scattering.md (4.63)); PEMC: R(theta) = D(theta) diag(1,-1) D(-theta)
    (pemc-casimir.md §1.5, Eq. 4.34).  A plasma plane is not supported (its TE coefficient depends
    on the transverse wave number at xi = 0).
    Arguments:
        material: jaxem material or DIRICHLET.  medium: host material (vacuum if None).
    Returns:
        (2, 2) array (float64; complex128 for bi-isotropic).
    """
    kind = _kind(material)
    if kind == "plasma":
        raise NotImplementedError("material: the zero-frequency TE reflection of a plasma plane is k-dependent")
    if kind == DIRICHLET:
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


# ----------------------------------------------------------------------------------------------
# translation (static multipole formula, casimir-spheres.md §2.5)

def _log_factorial_kernel(l, lp, m):
    """log[(l+l')! / sqrt((l-m)!(l+m)!(l'-m)!(l'+m)!)] and the mask l, l' >= |m|."""
    valid = (l >= m) & (lp >= m)
    lm = jnp.where(l >= m, l - m, 0.0)
    lpm = jnp.where(lp >= m, lp - m, 0.0)
    lg = gammaln(l + lp + 1.0) - 0.5 * (gammaln(lm + 1.0) + gammaln(l + m + 1.0)
                                        + gammaln(lpm + 1.0) + gammaln(lp + m + 1.0))
    return lg, valid


def _translation_sphere_sphere(log_rho1, log_rho2, m, l1, l2, l0):
    l = jnp.arange(l0, l1 + 1, dtype=jnp.float64)[:, None]
    lp = jnp.arange(l0, l2 + 1, dtype=jnp.float64)[None, :]
    lg, valid = _log_factorial_kernel(l, lp, m)
    log_a = (l + 0.5) * log_rho1 + (lp + 0.5) * log_rho2 + lg
    return jnp.where(valid, jnp.exp(jnp.where(valid, log_a, 0.0)), 0.0)


def _translation_sphere_plane(log_z, m, l1, l0):
    l = jnp.arange(l0, l1 + 1, dtype=jnp.float64)[:, None]
    lp = l.T
    lg, valid = _log_factorial_kernel(l, lp, m)
    log_b = (l + lp + 1.0) * log_z + lg
    return jnp.where(valid, jnp.exp(jnp.where(valid, log_b, 0.0)), 0.0)


def _signed_sqrt(x):
    """(sqrt|x|, sign x) with a NaN-free derivative at x = 0."""
    zero = x == 0
    root = jnp.where(zero, 0.0, jnp.sqrt(jnp.where(zero, 1.0, jnp.abs(x))))
    return root, jnp.sign(x)


def _block_operators(m, geom, X1, X2, Rp, sizes, mode):
    """Matrix whose log det(1 - .) is the block-m contribution, and a flag 'hermitian'."""
    l1, l2, l0 = sizes
    if mode[0] == "plane":
        B = _translation_sphere_plane(geom[0], m, l1, l0)
        if mode[1] == "scalar":
            # Channel c of X (diagonal), plane coefficient Rp[c, c]: r_p s sqrt|X| B sqrt|X|.
            c = mode[2]
            root, sign = _signed_sqrt(X1[:, c, c])
            # the plane's full coefficient (not only its sign: |r_p| < 1 for a dielectric plane)
            s = sign[0] * Rp[c, c]
            return s * root[:, None] * B * root[None, :]
        # mixing: M[(a,p),(b,q)] = B_ab (Rp X_b)_pq
        RX = jnp.einsum("pr,brq->bpq", Rp, X1)
        M = jnp.einsum("ab,bpq->apbq", B, RX)
        n = M.shape[0]
        return M.reshape(2 * n, 2 * n)
    A = _translation_sphere_sphere(geom[0], geom[1], m, l1, l2, l0)
    if mode[1] == "scalar":
        c = mode[2]
        r1, s1 = _signed_sqrt(X1[:, c, c])
        r2, s2 = _signed_sqrt(X2[:, c, c])
        N = r1[:, None] * A * r2[None, :]
        s = s1[0] * s2[0]
        # det(1 - s N N^T) = det(1 - s N^T N): factorise in the smaller space (Sylvester).
        return s * (N @ N.T) if l1 <= l2 else s * (N.T @ N)
    G = jnp.einsum("ac,cpq,bc->apbq", A, X2, A)
    M = jnp.einsum("apbr,brq->apbq", G, X1)
    n = M.shape[0]
    return M.reshape(2 * n, 2 * n)


@partial(jax.jit, static_argnames=("sizes", "m_max", "modes", "r_max"))
def _ht_core(geom, X1, X2, Rp, *, sizes, m_max, modes, r_max):
    """Sum over m of the channel log dets (r_max = 0) or traces tr M^r (r_max > 0)."""
    ms = jnp.arange(m_max + 1, dtype=jnp.float64)
    weights = jnp.where(ms == 0, 1.0, 2.0)

    # scalar channels are the symmetric forms s sqrt|X| B sqrt|X| and s N N^T, 1 - K positive definite:
    # Cholesky; polarisation mixing: LU
    sym = all(mode[1] == "scalar" for mode in modes)

    def per_block(m):
        # all channels of a block share one shape: one batched LAPACK call factorises them
        Ks = jnp.stack([_block_operators(m, geom, X1, X2, Rp, sizes, mode) for mode in modes])
        if r_max == 0:
            return jnp.sum(log_det_one_minus(Ks, hermitian=sym, positive_definite=sym))
        return jnp.sum(jnp.real(round_trip_traces(Ks, r_max)), axis=0)

    vals = jax.vmap(per_block)(ms)
    if r_max == 0:
        return jnp.sum(weights * vals)
    return jnp.sum(weights[:, None] * vals, axis=0)


# ----------------------------------------------------------------------------------------------
# plane-wave route (jaxem.casimir.static_planewave)

METHODS = ("auto", "multipole", "planewave")

#: "auto" uses the plane-wave route from this max(R_j)/L on (measured crossover, module docstring)
AUTO_PLANEWAVE_RHO = 5.0


def _diag(c):
    return jnp.array([[1.0, 0.0], [0.0, 0.0]]) if c == 0 else jnp.array([[0.0, 0.0], [0.0, 1.0]])


def _rational_term(ratio, channel):
    """X = q (e-1)/(q e+1) = c l/(l+a), c = (e-1)/(e+1), a = 1/(e+1): ('rat', c * diag, a)."""
    ratio = jnp.asarray(ratio, dtype=jnp.float64)
    return "rat", (ratio - 1.0) / (ratio + 1.0) * _diag(channel), 1.0 / (ratio + 1.0)


def _planewave_terms(material, medium):
    """Sphere X(l) = sum_b C_b f_b(l) as (names, coeffs, params); None if not expressible."""
    kind = _kind(material)
    if kind == DIRICHLET:
        return ("dir",), (_diag(0),), (None,)
    if kind == "pemc":
        if medium is not None and _kind(medium) in _CONDUCTING:
            raise ValueError("medium: a PEMC sphere in a conducting medium is not supported")
        th = jnp.asarray(material.theta, dtype=jnp.float64)
        c, s = jnp.cos(th), jnp.sin(th)
        c_dv = jnp.stack([jnp.stack([c * c, -s * c]), jnp.stack([-s * c, s * s])])
        c_de = jnp.stack([jnp.stack([s * s, s * c]), jnp.stack([s * c, c * c])])
        return ("dv", "de"), (c_dv, c_de), (None, None)
    if kind == "bi_isotropic":
        # the four entries X_pq(l) (complex, rational in l/(l+1)) as tabulated sums, filled in by
        # _planewave_run (_fill_tabulated_terms) once the static table size is known
        return ("biiso",), (None,), (None,)
    if kind == "plasma":
        # TM: perfect reflector at xi = 0 ('dv'; also in an electrolyte, whose 1/xi permittivity the
        # plasma's 1/xi^2 dominates: _permittivity_ratio 'inf'); TE: the tabulated 'plasma' sum
        # (independent of the medium: mu = 1, n x -> omega_p R / c, as _x_te), whose static size
        # (chi_cap) and parameter w = omega_p R / c are filled in by _planewave_run
        return ("dv", "plasma"), (_diag(0), _diag(1)), (None, None)
    names, coeffs, params = [], [], []
    ratio, how = _permittivity_ratio(material, medium)
    if how == "inf":
        names.append("dv"), coeffs.append(_diag(0)), params.append(None)
    elif how == "zero":
        names.append("de"), coeffs.append(_diag(0)), params.append(None)
    else:
        n, cf, a = _rational_term(ratio, 0)
        names.append(n), coeffs.append(cf), params.append(a)
    if kind == "perfect_conductor":
        names.append("de"), coeffs.append(_diag(1)), params.append(None)
    elif kind != "drude" and _has_te(material, medium):
        mu_m = jnp.asarray(1.0) if medium is None else _static_mu(medium)
        n, cf, a = _rational_term(_static_mu(material) / mu_m, 1)
        names.append(n), coeffs.append(cf), params.append(a)
    return tuple(names), tuple(coeffs), tuple(params)


def _planewave_plane(material, medium):
    """(2x2 Fresnel matrix, plasma omega_p or None, channels it reflects); None if unsupported."""
    kind = _kind(material)
    if kind == "plasma":
        if medium is not None and _kind(medium) in _CONDUCTING:
            return None
        return jnp.array([[1.0, 0.0], [0.0, -1.0]]), material.omega_p, (0, 1)
    rp = static_plane_reflection(material, medium=medium)
    if kind == DIRICHLET:
        chans = (0,)
    elif kind in ("pemc", "perfect_conductor"):
        chans = (0, 1)
    elif kind == "drude" or not _has_te(material, medium):
        chans = (0,)
    else:
        chans = (0, 1)
    return rp, None, chans


def _planewave_supported(material1, material2, medium, plane):
    try:
        t1 = _planewave_terms(material1, medium)
        t2 = _planewave_plane(material2, medium) if plane else _planewave_terms(material2, medium)
    except ValueError:
        return False
    return t1 is not None and t2 is not None


def _choose_method(method, L, R1, R2, material1, material2, medium, l_max, m_max, n_k=None, n_phi=None):
    """Resolve method="auto" (static): plane wave for max R_j/L >= AUTO_PLANEWAVE_RHO when supported
    (or when the plane-wave sizes n_k, n_phi are given, e.g. for traced L)."""
    check_choice("method", method, METHODS)
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    plane = is_plane(R2)
    if method != "auto":
        return method
    if l_max is not None or m_max is not None:
        return "multipole"
    if not _planewave_supported(material1, material2, medium, plane):
        return "multipole"
    if plane and _kind(material2) == "plasma":
        return "planewave"
    if n_k is not None and n_phi is not None:
        return "planewave"
    if not is_concrete((L, R1, R2)):
        return "multipole"
    r = float(np.max(np.asarray(R1, dtype=float)))
    if not plane:
        r = max(r, float(np.max(np.asarray(R2, dtype=float))))
    return "planewave" if r / float(np.min(np.asarray(L, dtype=float))) >= AUTO_PLANEWAVE_RHO else "multipole"


def _planewave_run(L, R1, R2, material1, material2, medium, n_k, n_phi, eta, r_max, ells=None, batch_size=None):
    """Validate, build the static description and run :func:`planewave_ht_core`."""
    from jaxem.casimir.static_planewave import ht_planewave_truncation, planewave_ht_core
    from jaxem.constants import c as c_light

    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    check_finite("eta", eta)
    kind1, kind2 = _kind(material1), _kind(material2)
    if (kind1 == DIRICHLET) != (kind2 == DIRICHLET):
        raise ValueError("material1, material2: Dirichlet must be used for both objects")
    # a traced R2 is a sphere radius (a plane is R2 = inf, a concrete number)
    plane = is_plane(R2)
    t1 = _planewave_terms(material1, medium)
    if t1 is None:
        raise ValueError(f"material1: {kind1!r} spheres are not supported by the plane-wave route "
                         "(use method='multipole')")
    if plane:
        t2 = _planewave_plane(material2, medium)
    else:
        t2 = _planewave_terms(material2, medium)
    if t2 is None:
        raise ValueError(f"material2: {kind2!r} is not supported by the plane-wave route "
                         "(use method='multipole')")
    if n_k is None or n_phi is None:
        if not is_concrete((L, R1, R2)):
            raise ValueError("n_k, n_phi must be given (static ints) when L, R1, R2 are traced; "
                             "use ht_planewave_truncation on the concrete sweep range")
        N, M = ht_planewave_truncation(L, R1, R2, eta)
        N = N if n_k is None else n_k
        M = M if n_phi is None else n_phi
    else:
        N, M = n_k, n_phi
    N = check_int("n_k", N, minimum=1)
    M = check_int("n_phi", M, minimum=1)
    M += 1 - M % 2
    # bi-isotropic 2x2 matrices at xi = 0 are Hermitian with real diagonals and an l-independent
    # off-diagonal phase (chirality: pi/2, Tellegen and PEMC: 0).  When all bodies share that phase
    # (mod pi), the similarity diag(1, e^{i phi}) in polarisation space makes the round trip real:
    # real LU, 4x fewer flops than complex.  Different phases or traced parameters: complex.
    realify = _realify_mode(material1, material2, medium)
    tabulated = ("plasma", "biiso")
    if any(n in t1[0] for n in tabulated) or (not plane and any(n in t2[0] for n in tabulated)):
        t1, t2 = _fill_tabulated_terms(t1, t2, material1, material2, medium, L, R1, R2, plane, M, realify)
    if realify is not None and plane:
        t2 = (_realified(jnp.asarray(t2[0]), realify),) + tuple(t2[1:])
    L = jnp.asarray(L, dtype=jnp.float64)
    rho1 = jnp.asarray(R1, dtype=jnp.float64) / L
    names1, coeffs1, params1 = t1
    mixing = kind1 in _MIXING or kind2 in _MIXING
    zeros = jnp.zeros((2, 2))
    if plane:
        rp, omega_p, chans2 = t2
        names2, coeffs2, params2 = (), (), ()
        rho2 = jnp.zeros(())
        plasma = omega_p is not None
        plasma_w = (omega_p * L / c_light) if plasma else jnp.zeros(())
    else:
        names2, coeffs2, params2 = t2
        rho2 = jnp.asarray(R2, dtype=jnp.float64) / L
        rp, plasma, plasma_w = zeros, False, jnp.zeros(())
        chans2 = tuple(c for c in (0, 1) if any(_channel_of(n, cf, c) for n, cf in zip(names2, coeffs2)))
    chans1 = tuple(c for c in (0, 1) if any(_channel_of(n, cf, c) for n, cf in zip(names1, coeffs1)))
    channels = tuple(c for c in (0, 1) if c in chans1 and c in chans2) if not mixing else (0, 1)
    if not channels and ells is None:
        return jnp.zeros(()) if r_max == 0 else jnp.zeros((r_max,))
    params1 = tuple(jnp.zeros(()) if p is None else p for p in params1)
    params2 = tuple(jnp.zeros(()) if p is None else p for p in params2)
    rp = jnp.asarray(rp)
    rp = rp.astype(jnp.complex128 if jnp.iscomplexobj(rp) else jnp.float64)    # bi-isotropic plane: complex
    if ells is not None:   # distances ells * L sharing the kernels built at L (casimir_free_energy_ht_distances)
        from jaxem.casimir.static_planewave import planewave_ht_distances_core

        if not channels:
            return jnp.zeros(jnp.shape(ells))
        return planewave_ht_distances_core(rho1, rho2, ells, coeffs1, params1, coeffs2, params2,
                                           rp, jnp.asarray(plasma_w, jnp.float64), N=N,
                                           M=M, names1=names1, names2=names2, channels=channels, mixing=mixing,
                                           plasma_plane=plasma, batch_size=batch_size)
    return planewave_ht_core(rho1, rho2, coeffs1, params1, coeffs2, params2, rp,
                             jnp.asarray(plasma_w, jnp.float64), N=N, M=M, names1=names1, names2=names2,
                             channels=channels, mixing=mixing, plasma_plane=plasma, r_max=r_max)


def _offdiagonal_phase(material, medium):
    """Static phase phi (mod pi) of the off-diagonal entries of a body's 2x2 matrix at xi = 0: None if
    diagonal; 'complex' if unknown (traced parameters).  Bi-isotropic X(l) has X_10 = conj(X_01)
    with an l-independent phase (chirality: pi/2, Tellegen: 0, both: in between); PEMC: 0."""
    kind = _kind(material)
    if kind == "pemc":
        return 0.0
    if kind != "bi_isotropic":
        return None
    X = _bi_isotropic_x(jnp.asarray([0.5]), material, medium)
    if not is_concrete(X):                 # traced material or medium parameters
        return "complex"
    x01 = complex(np.asarray(X)[0, 0, 1])
    if abs(x01) == 0.0:
        return None
    return float(np.angle(x01) % np.pi)


def _realify_mode(material1, material2, medium):
    """Phase phi of the similarity diag(1, e^{i phi}) that makes every body's 2x2 matrix real (see
    _planewave_run), or None (no bi-isotropic body, or no common phase: complex round trip)."""
    if "bi_isotropic" not in (_kind(material1), _kind(material2)):
        return None
    phases = [p for p in (_offdiagonal_phase(material1, medium), _offdiagonal_phase(material2, medium))
              if p is not None]
    if not phases:
        return 0.0
    if "complex" in phases:
        return None
    d = abs(phases[0] - phases[-1]) % np.pi
    return phases[0] if min(d, np.pi - d) <= 1e-12 else None


def _realified(X, phi):
    """diag(1, e^{i phi}) X diag(1, e^{-i phi}) of (..., 2, 2) matrices, real part (the imaginary part
    vanishes for the phase of _realify_mode)."""
    e = np.exp(1j * phi)
    return jnp.real(X * jnp.array([[1.0, np.conj(e)], [e, 1.0]]))


def _plasma_chi_cap(L, R1, R2, plane, n_phi):
    """Static bound chi_cap of the plane-wave kernel argument that matters (tabulated sums' range).

    chi = 2 rho sqrt(k_i k_j) cos(phi/2) <= rho (k_i + k_j) and the kernel weight is
    exp(chi - (k_i + k_j)(rho + s)) <= e^{-(k_i + k_j) s}: beyond chi_cap = 50 rho / s it is < e^{-50}
    (s = 1 sphere--plane, 1/2 two spheres).  rho = max R / min L from concrete values; for traced
    lengths the bound implied by n_phi through the truncation rule with eta >= 1,
    rho <= ((n_phi - 4)/(2.2 f))^2 (f = 1.6 for two spheres).
    """
    from jaxem.casimir.static_planewave import C_M, SPHERES_M_FACTOR

    shift = 1.0 if plane else 0.5
    if is_concrete((L, R1, R2)):
        r = float(np.max(np.asarray(R1, dtype=float)))
        if not plane:
            r = max(r, float(np.max(np.asarray(R2, dtype=float))))
        rho = r / float(np.min(np.asarray(L, dtype=float)))
    else:
        f = 1.0 if plane else SPHERES_M_FACTOR
        rho = max(1.0, (max(n_phi - 4, 1) / (C_M * f)) ** 2)
    # one significant digit, rounded up: nearby geometries share the static table (one compile)
    cap = max(100.0, 50.0 * rho / shift)
    e = 10.0 ** math.floor(math.log10(cap))
    return float(math.ceil(cap / e) * e)


def _fill_tabulated_terms(t1, t2, material1, material2, medium, L, R1, R2, plane, n_phi, realify=None):
    """Replace the placeholders of the tabulated sums (static_planewave._tabulated_scaled):
    'plasma' -> ('plasma', chi_cap) with w = omega_p R_j / c; 'biiso' -> four ('tab', chi_cap)
    terms, C = E_pq and f = X_pq(l), l = 1..tabulated_l_max(chi_cap)."""
    from jaxem.casimir.static_planewave import tabulated_l_max
    from jaxem.constants import c as c_light

    cap = _plasma_chi_cap(L, R1, R2, plane, n_phi)

    def fill(t, material, R):
        names, coeffs, params = t
        out_n, out_c, out_p = [], [], []
        for n, cf, p in zip(names, coeffs, params):
            if n == "plasma":
                w = jnp.asarray(material.omega_p, dtype=jnp.float64) * jnp.asarray(R, dtype=jnp.float64) / c_light
                out_n.append(("plasma", cap)), out_c.append(cf), out_p.append(w)
            elif n == "biiso":
                l = jnp.arange(1, tabulated_l_max(cap) + 1, dtype=jnp.float64)
                X = _bi_isotropic_x(l / (l + 1.0), material, medium)              # (l, 2, 2) complex
                if realify is not None:
                    X = _realified(X, realify)
                for a in (0, 1):
                    for b in (0, 1):
                        E = jnp.zeros((2, 2)).at[a, b].set(1.0)
                        out_n.append(("tab", cap)), out_c.append(E), out_p.append(X[:, a, b])
            else:
                out_n.append(n), out_c.append(cf), out_p.append(p)
        return tuple(out_n), tuple(out_c), tuple(out_p)

    return fill(t1, material1, R1), (t2 if plane else fill(t2, material2, R2))


def _channel_of(name, coeff, c):
    """Static: does basis term (name, C_b) act on polarisation channel c (C_b[c, c] may be nonzero)?"""
    if name == "dir":
        return c == 0
    if is_concrete(coeff):
        return bool(np.asarray(coeff)[c, c] != 0)
    return True


# ----------------------------------------------------------------------------------------------
# public API

def ht_truncation(L, R1, R2, eta: float = DEFAULT_ETA):
    """Static truncation (l1_max, l2_max, m_max) of the zero-frequency multipole engine.

    l_j,max = ceil(eta R_j / L) + 4 (per sphere; the plane needs none) and
    m_max = ceil(3 sqrt(eta R_eff / L)) + 4, capped by the smaller l_max: in the PFA regime only
    |m| <~ sqrt(R_eff / L) contribute (transverse wave numbers ~1/L over a lateral patch
    ~sqrt(R_eff L)); the factor 3 keeps the m-truncation error below 1e-11 (measured at R/L = 10,
    40; factor 2 gives ~1e-8).  Evaluated on concrete
    numbers (the largest over arrays), so that vmap / grad over L, R reuse one compiled kernel.
    Arguments:
        L: surface-to-surface distance [m]; R1, R2: radii [m] (R2 = inf for a plane).
        eta: accuracy parameter (8: ~2e-7, 10: ~1e-8, 14: ~5e-11 relative; module docstring table).
    Returns:
        (l1_max, l2_max, m_max) Python ints (l2_max = 0 for a plane).
    casimir-spheres.md §2.5 (truncation), §3.
    """
    L = np.asarray(L, dtype=float)
    R1 = np.asarray(R1, dtype=float)
    R2 = np.asarray(R2, dtype=float)
    Lmin = float(np.min(L))
    r1 = float(np.max(R1))
    l1 = int(math.ceil(eta * r1 / Lmin)) + 4
    if is_plane(R2):
        m_max = int(math.ceil(3.0 * math.sqrt(eta * r1 / Lmin))) + 4
        return l1, 0, min(l1, m_max)
    r2 = float(np.max(R2))
    l2 = int(math.ceil(eta * r2 / Lmin)) + 4
    m_max = int(math.ceil(3.0 * math.sqrt(eta * (r1 * r2 / (r1 + r2)) / Lmin))) + 4
    return l1, l2, min(l1, l2, m_max)


def _has_te(material, medium):
    """Static: can the sphere/plane reflect TE at xi = 0 (else the channel is skipped)?"""
    kind = _kind(material)
    if kind in ("perfect_conductor", "plasma"):
        return True
    if kind == "drude":
        return False
    mu_s = material.mu_imag(0.0)
    mu_m = 1.0 if medium is None or _kind(medium) in _CONDUCTING else medium.mu_imag(0.0)
    if is_concrete((mu_s, mu_m)):
        return bool(np.any(np.asarray(mu_s) != np.asarray(mu_m)))
    return True


def _modes(kind1, kind2, plane, mixing, has_te=(True, True)):
    if kind1 == DIRICHLET or kind2 == DIRICHLET:
        if kind1 != kind2:
            raise ValueError("material1, material2: Dirichlet must be used for both objects")
        return ((("plane" if plane else "sphere"), "scalar", 0),)
    geo = "plane" if plane else "sphere"
    if mixing:
        return ((geo, "mixing", None),)
    modes = [(geo, "scalar", 0)]
    if all(has_te):
        modes.append((geo, "scalar", 1))
    return tuple(modes)


def _prepare(L, R1, R2, material1, material2, medium, l_max, m_max, eta):
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    check_finite("eta", eta)
    kind1, kind2 = _kind(material1), _kind(material2)
    plane = is_plane(R2)
    if l_max is None:
        if not is_concrete((L, R1, R2)):
            raise ValueError("l_max must be given (static int or (l1, l2)) when L, R1, R2 are traced; "
                             "use ht_truncation on the concrete sweep range")
        l1, l2, mm = ht_truncation(L, R1, R2, eta)
    else:
        if isinstance(l_max, tuple):
            l1, l2 = (check_int("l_max", v, minimum=0) for v in l_max)
            l1 = max(l1, 1)
        else:
            l1 = l2 = check_int("l_max", l_max, minimum=1)
        if plane:
            l2 = 0
        mm = min(l1, l2) if not plane else l1
        if m_max is None and is_concrete((L, R1, R2)):
            mm = min(mm, ht_truncation(L, R1, R2, eta)[2])
    if m_max is not None:
        mm = check_int("m_max", m_max, minimum=0)
    mixing = kind1 in _MIXING or (kind2 in _MIXING)
    l0 = 0 if kind1 == DIRICHLET else 1
    if kind1 == DIRICHLET:
        mm = min(mm, l1 if plane else min(l1, l2))
    has_te = (True, True) if (mixing or kind1 == DIRICHLET) else (
        _has_te(material1, medium), _has_te(material2, medium))
    modes = _modes(kind1, kind2, plane, mixing, has_te)
    L = jnp.asarray(L, dtype=jnp.float64)
    R1 = jnp.asarray(R1, dtype=jnp.float64)
    X1 = _static_x(material1, l1, medium, R1, l_min=l0)
    if plane:
        Rp = static_plane_reflection(material2, medium=medium)
        X2 = jnp.zeros((1, 2, 2), dtype=X1.dtype)
        log_z = jnp.log(R1) - jnp.log(2.0 * (L + R1))
        geom = (log_z, log_z)
        sizes = (l1, 0, l0)
    else:
        R2 = jnp.asarray(R2, dtype=jnp.float64)
        X2 = _static_x(material2, l2, medium, R2, l_min=l0)
        Rp = jnp.zeros((2, 2))
        cL = L + R1 + R2
        geom = (jnp.log(R1) - jnp.log(cL), jnp.log(R2) - jnp.log(cL))
        sizes = (l1, l2, l0)
    if mixing:
        dtype = jnp.result_type(X1.dtype, X2.dtype, Rp.dtype)
        X1, X2, Rp = X1.astype(dtype), X2.astype(dtype), Rp.astype(dtype)
    return geom, X1, X2, Rp, sizes, mm, modes


def casimir_free_energy_ht(L, R1, R2, material1, material2, *, medium=None, l_max=None, m_max=None,
                           eta: float = DEFAULT_ETA, method: str = "auto", n_k=None, n_phi=None):
    """High-temperature Casimir free energy F/(k_B T) of two spheres or a sphere and a plane.

    The n = 0 Matsubara term (1/2) tr log(1 - M(0)) = -f/2 (casimir-spheres.md §2.1, §2.4, Eq. 9.2),
    the full free energy at temperatures where k_B T >> hbar c / L; negative = attractive.
    Arguments:
        L: surface-to-surface distance [m] (> 0).
        R1: radius of sphere 1 [m].  R2: radius of sphere 2 [m], jnp.inf for a plane.
        material1, material2: jaxem materials (Drude: TM only; Plasma; PerfectConductor: TM + TE;
            Dielectric / LorentzOscillators; PEMC(theta); BiIsotropic) or DIRICHLET (scalar, both).
        medium: host material (vacuum if None); Drude = electrolyte (eps_m -> inf, "ded").
        l_max: static int or (l1, l2) multipole truncation; default ht_truncation(L, R1, R2, eta).
        m_max: static number of m-blocks (default as ht_truncation).
        eta: accuracy parameter of the default truncation (both routes).
        method: "multipole" (static multipole formula, every material except a plasma plane),
            "planewave" (jaxem.casimir.static_planewave: every material; the only route for a
            plasma plane, in vacuum or an insulating medium), or
            "auto": plane wave for max(R_j)/L >= AUTO_PLANEWAVE_RHO (and for plasma planes) when
            supported and no l_max / m_max is given, multipole otherwise.
        n_k, n_phi: static plane-wave sizes (k nodes, azimuths); default ht_planewave_truncation.
    Returns:
        float64 F / (k_B T) (dimensionless).
    Implements casimir-spheres.md §2.3-2.5 (static multipole formula; plane-wave route §2.4,
    Eqs. 9.4-9.7), pemc-casimir.md §1.6, §2.8.
    """
    if _choose_method(method, L, R1, R2, material1, material2, medium, l_max, m_max, n_k, n_phi) == "planewave":
        return 0.5 * _planewave_run(L, R1, R2, material1, material2, medium, n_k, n_phi, eta, 0)
    geom, X1, X2, Rp, sizes, mm, modes = _prepare(L, R1, R2, material1, material2, medium, l_max, m_max, eta)
    logdet = _ht_core(geom, X1, X2, Rp, sizes=sizes, m_max=mm, modes=modes, r_max=0)
    return 0.5 * logdet


def casimir_force_ht(L, R1, R2, material1, material2, **kwargs):
    """High-temperature Casimir force -dF/dL / (k_B T) [1/m] (positive = repulsive).

    Autodiff derivative of :func:`casimir_free_energy_ht` (casimir-spheres.md §2.1, Eq. 8.5);
    same arguments (method, eta, l_max / m_max, n_k / n_phi).  Pass l_max (multipole route) or
    n_k and n_phi (plane-wave route) explicitly when L is traced.
    """
    check_positive("L", L)
    method = _choose_method(kwargs.get("method", "auto"), L, R1, R2, material1, material2,
                            kwargs.get("medium"), kwargs.get("l_max"), kwargs.get("m_max"),
                            kwargs.get("n_k"), kwargs.get("n_phi"))
    kwargs["method"] = method
    if method == "planewave":
        if (kwargs.get("n_k") is None or kwargs.get("n_phi") is None) and is_concrete((L, R1, R2)):
            from jaxem.casimir.static_planewave import ht_planewave_truncation
            N, M = ht_planewave_truncation(L, R1, R2, kwargs.pop("eta", DEFAULT_ETA))
            kwargs["n_k"] = kwargs.get("n_k") if kwargs.get("n_k") is not None else N
            kwargs["n_phi"] = kwargs.get("n_phi") if kwargs.get("n_phi") is not None else M
    elif kwargs.get("l_max") is None and is_concrete((L, R1, R2)):
        eta = kwargs.pop("eta", DEFAULT_ETA)
        l1, l2, mm = ht_truncation(L, R1, R2, eta)
        kwargs["l_max"] = (l1, max(l2, 1))
        kwargs.setdefault("m_max", mm)
    L = jnp.asarray(L, dtype=jnp.float64)
    fn = lambda d: casimir_free_energy_ht(d, R1, R2, material1, material2, **kwargs)  # noqa: E731
    grad = jnp.vectorize(jax.grad(fn)) if L.ndim else jax.grad(fn)
    return -grad(L)


def round_trip_traces_ht(L, R1, R2, material1, material2, r_max: int, *, medium=None, l_max=None,
                         m_max=None, eta: float = DEFAULT_ETA, method: str = "auto", n_k=None, n_phi=None):
    """Zero-frequency round-trip traces tr M^r(0), r = 1..r_max, summed over all m-blocks.

    f^(r) = tr M^r / r is the r-round-trip part of f = -2 F/(k_B T) (casimir-spheres.md §2.1, Eq. 9.2).
    Arguments as :func:`casimir_free_energy_ht`; r_max static int >= 1.
    Returns:
        float64 array (r_max,), entry r-1 = tr M^r(0) (real part; PEMC traces are real).
        In the plane-wave route (method as :func:`casimir_free_energy_ht`) the traces are
        sum_m w_m tr (M^(m))^r of the discretised m-blocks.
    """
    r_max = check_int("r_max", r_max, minimum=1)
    if _choose_method(method, L, R1, R2, material1, material2, medium, l_max, m_max, n_k, n_phi) == "planewave":
        return _planewave_run(L, R1, R2, material1, material2, medium, n_k, n_phi, eta, r_max)
    geom, X1, X2, Rp, sizes, mm, modes = _prepare(L, R1, R2, material1, material2, medium, l_max, m_max, eta)
    return _ht_core(geom, X1, X2, Rp, sizes=sizes, m_max=mm, modes=modes, r_max=r_max)


def casimir_free_energy_ht_distances(L, R1, R2, material1, material2, *, medium=None, eta: float = DEFAULT_ETA,
                                     group_spread: float = 2.0, n_k=None, n_phi=None, batch_size="auto"):
    """F/(k_B T) of the n = 0 term at many distances, the plane-wave kernels shared between them.

    The distances are sorted and split into groups with L <= group_spread * (the group's smallest L);
    each group builds its sphere kernels once on the k-grid of its smallest gap, and every distance
    then costs a diagonal rescaling (the translation factor e^{-k L}) and its LU factorisations
    (:func:`jaxem.casimir.static_planewave.planewave_ht_distances_core`).  Use it for sweeps over the
    distance at R/L >~ 5, where the plane-wave route is the right one (``method="auto"``).
    Arguments:
        L: 1-D array of surface distances [m] (concrete, > 0); R1, R2 [m] (R2 = inf: plane);
        material1, material2, medium: as :func:`casimir_free_energy_ht` (materials of the plane-wave
            route: Drude, PEC, dielectric, PEMC, Dirichlet spheres; those planes and plasma planes).
        eta: accuracy (plane-wave sizes of each group's smallest gap); group_spread >= 1 (1: every
            distance on its own grid, as single calls); n_k, n_phi: fixed sizes for all groups.
        batch_size: distances vmapped together (static int; "auto":
            :func:`jaxem.casimir.static_planewave.default_batch_size`, 1 on CPU, 64 on accelerators).
    Returns:
        float64 array of L's shape; agrees with single calls to ~1e-9 at eta = 10 and group_spread = 2
        (tests/test_casimir_ht_planewave.py).  Differentiable in L (the grid is held fixed).
    """
    L_arr = np.asarray(L, dtype=float)
    if L_arr.ndim != 1 or L_arr.size == 0:
        raise ValueError(f"L must be a non-empty 1-D array of distances, got shape {L_arr.shape}")
    check_positive("L", L_arr)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    spread = float(group_spread)
    if not (spread >= 1.0 and math.isfinite(spread)):
        raise ValueError(f"group_spread must be a finite number >= 1, got {group_spread!r}")
    plane = is_plane(R2)
    if not _planewave_supported(material1, material2, medium, plane):
        raise ValueError("material1, material2: not supported by the plane-wave route "
                         "(a plasma plane in an electrolyte); use casimir_free_energy_ht")
    from jaxem.casimir.static_planewave import resolve_batch_size

    bs = resolve_batch_size(batch_size)
    order = np.argsort(L_arr)
    out = np.empty(L_arr.size)
    start = 0
    while start < L_arr.size:
        L_ref = L_arr[order[start]]
        stop = start
        while stop < L_arr.size and L_arr[order[stop]] <= spread * L_ref * (1 + 1e-12):
            stop += 1
        idx = order[start:stop]
        ells = jnp.asarray(L_arr[idx] / L_ref)
        vals = _planewave_run(L_ref, R1, R2, material1, material2, medium, n_k, n_phi, eta, 0, ells=ells,
                              batch_size=bs)
        out[idx] = 0.5 * np.asarray(vals)
        start = stop
    return out
