"""Optical forces and spin torques on (chiral) spheres in focused, aberrated Laguerre-Gaussian beams.

MDSA+ theory (Mie-Debye with spherical aberration and astigmatism) of Schoger, Dissertation (Augsburg
2024), Ch. 5-6 and App. C, built on two layers:

* :func:`multipole_force` / :func:`multipole_torque`: the time-averaged force and spin torque for ANY
  incident multipole coefficients (e_lm, f_lm) and any per-order sphere T-matrix (a_l, b_l and optional
  helicity mixing) -- Schoger, Dissertation (Augsburg 2024), Eqs. (C.2)-(C.6); the y components of
  (C.5), (C.6) are printed with sign errors and are corrected here (checked against direct
  Maxwell-stress-tensor integration in tests/optics_stress.py).
* :func:`optical_force_efficiency`: the MDSA+ closed forms, Eqs. (5.28)-(5.33), for the helicity-sigma
  beam (f_lm = sigma e_lm), evaluated from the beam-shape coefficients of
  :func:`jaxem.optics.beam_shape.beam_shape_coefficients` (normalised to a transmitted power of 1 W).

Conventions
-----------
Time dependence e^{-i omega t}; incident field E_inc = sum_{l>=1,|m|<=l} [e_lm N^reg_lm + f_lm M^reg_lm],
scattered field sum [a_lm N^out_lm + b_lm M^out_lm] with N = curl M / K (Schoger Ch. 3). The sphere acts
per order l as

    (a_lm, b_lm) = -[[T^EE_l, T^EM_l], [T^ME_l, T^MM_l]] (e_lm, f_lm),

isotropic spheres: T^EE = a_l, T^MM = b_l (Bohren-Huffman), T^EM = T^ME = 0.

Coefficient arrays use the layout of :mod:`jaxem.optics.beam_shape`: shape (..., L+1, 2L+3), row = l
(row 0 is zero), column = m + L + 1 (so the first and last columns, |m| = L+1, are zero padding).

Chirality kappa (Pasteur parameter) follows Schoger Eq. (5.24): D = eps0 eps E + (i kappa/c) H,
B = -(i kappa/c) E + mu0 H, so the helicity-+-1 Beltrami waves inside the sphere have refractive index
n_+- = n +- kappa. (The Lindell convention of :func:`jaxem.mie.bi_isotropic_reflection_matrix`, and of
Schoger's Ch. 1, has the opposite sign: kappa_Lindell = -kappa.)

Efficiency Q = F c/(n_w P) (Ashkin), P = power transmitted into the sample; the position (x, y, z) [m] of
the sphere centre is measured from the paraxial focus, +z = propagation direction; cylindrical
components (rho, phi) use phi_R = atan2(y, x), with phi_R := 0 on the axis.

Static sizes: l_max (Wiscombe's rule by default) must be passed when the radius is traced; the beam-shape
quadrature size n_quad (default :func:`jaxem.optics.beams.quadrature_order` at the position) must be passed
when the position or the beam parameters are traced; s_max (astigmatism cut) defaults from the beam.

Bad input (radius <= 0, non-finite position or index, a sphere cutting the coverslip, l_max < 1) raises
``ValueError`` naming the parameter before tracing; under jit/vmap/grad the checks cannot see values.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import scipy.constants as _sc

from jaxem import _checks
from jaxem.mie import real as _mie

__all__ = [
    "MultipoleForce",
    "ForceEfficiency",
    "multipole_force",
    "multipole_torque",
    "sphere_t_matrix",
    "helicity_coefficients",
    "optical_force_efficiency",
    "optical_force",
    "optical_torque_efficiency",
    "default_lmax",
]

_EPS0 = _sc.epsilon_0
_C = _sc.c


# ---------------------------------------------------------------------------------------------
# coefficient layout helpers (static sizes -> numpy constants at trace time)

def _grid(L):
    """(l, m) float grids of the (L+1, 2L+3) layout and the mask of existing multipoles."""
    l = np.arange(L + 1, dtype=np.float64)[:, None]
    m = np.arange(-L - 1, L + 2, dtype=np.float64)[None, :]
    valid = (l >= 1) & (np.abs(m) <= l)
    return l, m, valid


def _sqrt0(v):
    return np.sqrt(np.clip(v, 0.0, None))


def _safe_div(num, den):
    den = np.asarray(den, dtype=np.float64)
    return np.where(den != 0, num / np.where(den != 0, den, 1.0), 0.0)


def _up(x):
    """x[l+1, m] at (l, m) (zero beyond the last row)."""
    pad = [(0, 0)] * (x.ndim - 2) + [(0, 1), (0, 0)]
    return jnp.pad(x[..., 1:, :], pad)


def _down(x):
    """x[l-1, m] at (l, m)."""
    pad = [(0, 0)] * (x.ndim - 2) + [(1, 0), (0, 0)]
    return jnp.pad(x[..., :-1, :], pad)


def _right(x):
    """x[l, m+1] at (l, m)."""
    pad = [(0, 0)] * (x.ndim - 1) + [(0, 1)]
    return jnp.pad(x[..., :, 1:], pad)


def _left(x):
    """x[l, m-1] at (l, m)."""
    pad = [(0, 0)] * (x.ndim - 1) + [(1, 0)]
    return jnp.pad(x[..., :, :-1], pad)


def _per_order(t, L):
    """Per-order array t (..., n) for l = 1..n -> (..., L+1) indexed by l (zero at l = 0 and l > n)."""
    t = jnp.asarray(t, dtype=jnp.complex128)
    n = t.shape[-1]
    if n > L:
        raise ValueError(f"sphere coefficients have {n} orders but the incident coefficients only reach "
                         f"l = {L}; pass at least as many incident orders as sphere orders")
    pad = [(0, 0)] * (t.ndim - 1) + [(1, L - n)]
    return jnp.pad(t, pad)


def _sum_lm(x):
    return jnp.sum(x, axis=(-2, -1))


# ---------------------------------------------------------------------------------------------
# generic force and torque (App. C.1)

class MultipoleForce(NamedTuple):
    """Time-averaged force [N] split into scattering (|scattered|^2) and extinction (interference) parts.

    Attributes:
        total: F = scat + ext, Cartesian (..., 3) array (x, y, z) [N].
        scat: part quadratic in the scattered coefficients [N].
        ext: interference of incident and scattered fields [N].
    Source: no formula (container for :func:`multipole_force`).
    """

    total: jax.Array
    scat: jax.Array
    ext: jax.Array


def _scattered(e, f, t_ee, t_em, t_me, t_mm):
    """Scattered coefficients a_lm, b_lm = -T (e_lm, f_lm), T per order (..., L+1)."""
    c = lambda t: t[..., :, None]  # noqa: E731
    a = -(c(t_ee) * e + c(t_em) * f)
    b = -(c(t_me) * e + c(t_mm) * f)
    return a, b


def _force_sums(e, f, a, b):
    """Dimensionless sums of Eqs. (C.2)-(C.6) (corrected): K^2/eps times (F_scat, F_ext), Cartesian."""
    L = e.shape[-2] - 1
    l, m, valid = _grid(L)
    # coefficients are written on the (l, m) of the LOWER partner of each pair
    u = _safe_div(_sqrt0(l * (l + 2) * ((l + 1) ** 2 - m ** 2) / ((2 * l + 1) * (2 * l + 3))), l + 1) * valid
    mz = _safe_div(m, l * (l + 1)) * valid
    v1 = _safe_div(_sqrt0(l * (l + 2) * (l + m + 1) * (l + m + 2) / ((2 * l + 1) * (2 * l + 3))), l + 1) * valid
    v2 = _safe_div(_sqrt0(l * (l + 2) * (l - m + 1) * (l - m + 2) / ((2 * l + 1) * (2 * l + 3))), l + 1) * valid
    cp = _safe_div(_sqrt0((l - m) * (l + m + 1)), l * (l + 1)) * valid
    cj = jnp.conj

    a_u, b_u, e_u, f_u = _up(a), _up(b), _up(e), _up(f)
    fz_scat = -_sum_lm(u * jnp.real(1j * (cj(a_u) * a + cj(b_u) * b)) + mz * jnp.real(cj(b) * a))
    fz_ext = -0.5 * _sum_lm(u * jnp.real(1j * (cj(a_u) * e + cj(b_u) * f + cj(e_u) * a + cj(f_u) * b))
                            + mz * jnp.real(cj(a) * f + cj(b) * e))

    a_pp, b_pp, e_pp, f_pp = (_right(_up(x)) for x in (a, b, e, f))   # (l+1, m+1)
    a_pm, b_pm, e_pm, f_pm = (_left(_up(x)) for x in (a, b, e, f))    # (l+1, m-1)
    a_r, b_r, e_r, f_r = (_right(x) for x in (a, b, e, f))             # (l, m+1)
    s_a1 = _sum_lm(v1 * (cj(a_pp) * a + cj(b_pp) * b))
    s_a2 = _sum_lm(v2 * (cj(a_pm) * a + cj(b_pm) * b))
    s_b = _sum_lm(cp * (cj(a) * b_r + cj(b) * a_r))
    s_p1 = _sum_lm(v1 * (cj(a_pp) * e + cj(b_pp) * f + cj(e_pp) * a + cj(f_pp) * b))
    s_p2 = _sum_lm(v2 * (cj(a_pm) * e + cj(b_pm) * f + cj(e_pm) * a + cj(f_pm) * b))
    s_c1 = _sum_lm(cp * (cj(a) * f_r + cj(b) * e_r))
    s_c2 = _sum_lm(cp * (cj(a_r) * f + cj(b_r) * e))
    fxy_scat = 0.5 * (1j * (s_a1 + cj(s_a2)) - cj(s_b))
    fxy_ext = 0.25 * (1j * (s_p1 + cj(s_p2)) - cj(s_c1) - s_c2)
    scat = jnp.stack([jnp.real(fxy_scat), jnp.imag(fxy_scat), fz_scat], axis=-1)
    ext = jnp.stack([jnp.real(fxy_ext), jnp.imag(fxy_ext), fz_ext], axis=-1)
    return scat, ext


def _torque_sums(e, f, a, b):
    """Dimensionless spin-torque sums: K^3/eps times tau (Cartesian), derived from the angular-momentum flux."""
    L = e.shape[-2] - 1
    l, m, valid = _grid(L)
    cp = _sqrt0((l - m) * (l + m + 1)) * valid
    mm = m * valid
    cj = jnp.conj
    tz = -0.5 * _sum_lm(mm * (jnp.abs(a) ** 2 + jnp.abs(b) ** 2 + jnp.real(a * cj(e) + b * cj(f))))
    a_r, b_r, e_r, f_r = (_right(x) for x in (a, b, e, f))
    txy_minus = -0.5 * _sum_lm(cp * (cj(a) * a_r + cj(b) * b_r
                                      + 0.5 * (cj(a) * e_r + cj(b) * f_r + cj(e) * a_r + cj(f) * b_r)))
    # tau_x - i tau_y = txy_minus
    return jnp.stack([jnp.real(txy_minus), -jnp.imag(txy_minus), tz], axis=-1)


def _check_coefficient_layout(e, f):
    e = jnp.asarray(e)
    f = jnp.asarray(f)
    if e.ndim < 2 or e.shape[-1] != 2 * e.shape[-2] + 1 or e.shape[-2] < 2:
        raise ValueError(f"e must have shape (..., L+1, 2L+3) with L >= 1 (beam_shape layout), got {e.shape}")
    if f.shape != e.shape:
        raise ValueError(f"f must have the shape of e {e.shape}, got {f.shape}")
    _checks.check_finite("e", e)
    _checks.check_finite("f", f)
    return e.astype(jnp.complex128), f.astype(jnp.complex128)


def _t_blocks(a, b, t_em, t_me, L):
    t_ee = _per_order(a, L)
    t_mm = _per_order(b, L)
    t_em = jnp.zeros_like(t_ee) if t_em is None else _per_order(t_em, L)
    t_me = jnp.zeros_like(t_ee) if t_me is None else _per_order(t_me, L)
    return t_ee, t_em, t_me, t_mm


def _multipole_force_kernel(e, f, t, k, n_medium):
    a_lm, b_lm = _scattered(e, f, *t)
    scat, ext = _force_sums(e, f, a_lm, b_lm)
    pref = (_EPS0 * n_medium ** 2 / k ** 2)[..., None]
    return MultipoleForce(pref * (scat + ext), pref * scat, pref * ext)


def _multipole_torque_kernel(e, f, t, k, n_medium):
    a_lm, b_lm = _scattered(e, f, *t)
    return (_EPS0 * n_medium ** 2 / k ** 3)[..., None] * _torque_sums(e, f, a_lm, b_lm)


_multipole_force_jit = jax.jit(_multipole_force_kernel)
_multipole_torque_jit = jax.jit(_multipole_torque_kernel)


def multipole_force(e, f, a, b, k, *, t_em=None, t_me=None, n_medium=1.0) -> MultipoleForce:
    """Time-averaged optical force [N] on a sphere for arbitrary incident multipole coefficients.

    Arguments:
        e, f: incident electric/magnetic multipole coefficients [V/m], complex, shape (..., L+1, 2L+3)
            (row l, column m + L + 1; row 0 and |m| > l ignored as zero), E_inc = sum e N^reg + f M^reg.
        a, b: per-order sphere coefficients T^EE_l, T^MM_l for l = 1..n (n <= L), shape (..., n)
            (Bohren-Huffman a_l, b_l for isotropic spheres). Use n <= L - 1 for the interference terms
            of order n to be complete (they pair a_n with e_{n+1}).
        k: wave number in the host medium K = n_medium omega/c [1/m].
        t_em, t_me: optional helicity-mixing blocks T^EM_l, T^ME_l (..., n) (chiral spheres), so that
            (a_lm, b_lm) = -[[a_l, T^EM_l], [T^ME_l, b_l]] (e_lm, f_lm).
        n_medium: refractive index of the (lossless) host, eps = eps0 n_medium^2.
    Returns:
        MultipoleForce(total, scat, ext), Cartesian (..., 3) arrays [N].
    Source:
        Schoger, Dissertation (Augsburg 2024), Eqs. (C.2)-(C.6) (force from the Maxwell stress tensor,
        Eq. (2.32)); corrected: the y components of (C.5) and (C.6) carry sign errors (in the -(m+1) terms
        and the last bracket); the forms used here, F_x + i F_y = (eps/2K^2)[i(A1 + A2*) - B*] and
        (eps/4K^2)[i(P1 + P2*) - C1* - C2], agree with direct stress-tensor integration.
    """
    e, f = _check_coefficient_layout(e, f)
    _checks.check_positive("k", k)
    _checks.check_positive("n_medium", n_medium)
    t = _t_blocks(a, b, t_em, t_me, e.shape[-2] - 1)
    return _multipole_force_jit(e, f, t, jnp.asarray(k, jnp.float64), jnp.asarray(n_medium, jnp.float64))


def multipole_torque(e, f, a, b, k, *, t_em=None, t_me=None, n_medium=1.0):
    """Time-averaged spin torque [N m] about the sphere centre for arbitrary incident multipole coefficients.

    Arguments:
        e, f, a, b, k, t_em, t_me, n_medium: as in :func:`multipole_force`.
    Returns:
        Cartesian (..., 3) array tau [N m]:
        tau_z = -(eps/2K^3) sum m [|a_lm|^2 + |b_lm|^2 + Re(a_lm e*_lm + b_lm f*_lm)],
        tau_x - i tau_y = -(eps/2K^3) sum c+_lm [a*_lm a_l,m+1 + b*_lm b_l,m+1
                          + (a*_lm e_l,m+1 + b*_lm f_l,m+1 + e*_lm a_l,m+1 + f*_lm b_l,m+1)/2],
        c+_lm = sqrt((l-m)(l+m+1)), (a_lm, b_lm) the scattered coefficients.
    Source:
        Not in Schoger, Dissertation (Augsburg 2024); derived from the angular-momentum flux of the
        Maxwell stress tensor (Eq. (2.32)) in the multipole conventions of its Ch. 3 / App. C; checked
        against direct surface integration of r x (T.n).
    """
    e, f = _check_coefficient_layout(e, f)
    _checks.check_positive("k", k)
    _checks.check_positive("n_medium", n_medium)
    t = _t_blocks(a, b, t_em, t_me, e.shape[-2] - 1)
    return _multipole_torque_jit(e, f, t, jnp.asarray(k, jnp.float64), jnp.asarray(n_medium, jnp.float64))


# ---------------------------------------------------------------------------------------------
# sphere response (one Mie implementation: jaxem.mie.real)

def _is_static_zero(value) -> bool:
    """True for a concrete scalar 0 (selects the isotropic Mie path; a traced kappa takes the chiral path)."""
    if not _checks.is_concrete(value):
        return False
    arr = np.asarray(value)
    return arr.ndim == 0 and arr == 0


def _t_matrix(x, m, kappa_rel, l_max, chiral: bool):
    """(T^EE, T^EM, T^ME, T^MM) per order l = 1..l_max, shape x.shape + (l_max,).

    m = n/n_w (complex), kappa_rel = kappa/n_w in the convention of Schoger Eq. (5.24).
    """
    if not chiral:
        a, b = _mie._mie_ab(x, m, jnp.ones_like(m), l_max)
        z = jnp.zeros_like(a)
        return a, z, z, b
    # Lindell (jaxem.mie) D = eps0 eps E + ((chi - i kappa_L)/c) H vs Eq. (5.24) D = ... + (i kappa/c) H:
    # kappa_L = -kappa; the foundation's matrix [[r^EE, r^EM], [r^ME, r^MM]] enters as
    # (a, b) = -[[r^EE, i r^EM], [-i r^ME, r^MM]] (e, f), hence T^EM = i r^EM, T^ME = -i r^ME.
    mat = _mie._bi_isotropic_matrix(x, m * m, jnp.ones_like(m), jnp.zeros_like(m), -kappa_rel, l_max)
    return mat[..., 0, 0], 1j * mat[..., 0, 1], -1j * mat[..., 1, 0], mat[..., 1, 1]


def _canonical_args(radius, n_sphere, chirality, wavelength, n_medium):
    """Strongly typed float64/complex128 arrays: one jit cache entry whatever Python types come in."""
    f = lambda v: jnp.asarray(v, jnp.float64)  # noqa: E731
    c = lambda v: jnp.asarray(v, jnp.complex128)  # noqa: E731
    return f(radius), c(n_sphere), c(chirality), f(wavelength), f(n_medium)


def _canonical_sphere(radius, n_sphere, chirality, wavelength, n_medium):
    radius = jnp.asarray(radius, jnp.float64)
    n_medium = jnp.real(jnp.asarray(n_medium, jnp.float64))
    x = 2.0 * jnp.pi * n_medium * radius / jnp.asarray(wavelength, jnp.float64)
    m = jnp.asarray(n_sphere, jnp.complex128) / n_medium
    kappa_rel = jnp.asarray(chirality, jnp.complex128) / n_medium
    return x, m, kappa_rel


def _check_sphere(radius, n_sphere, chirality, wavelength, n_medium, l_max):
    """Validate a sphere's parameters once; returns (l_max, chiral) with chiral static (chirality not a literal 0)."""
    _checks.check_positive("radius", radius)
    _checks.check_positive("wavelength", wavelength)
    _checks.check_positive("n_medium", n_medium)
    _checks.check_finite("n_sphere", n_sphere)
    _checks.check_finite("chirality", chirality)
    return _checks.check_int("l_max", l_max, minimum=1), not _is_static_zero(chirality)


def sphere_t_matrix(radius, n_sphere, wavelength, n_medium, l_max: int, chirality=0.0):
    """Per-order 2x2 T-matrix blocks (dimensionless) of an isotropic or chiral sphere at real frequency.

    Arguments:
        radius: sphere radius R [m] (> 0).
        n_sphere: refractive index n of the sphere (complex; Im n > 0 absorbs).
        wavelength: vacuum wavelength lambda_0 [m].
        n_medium: refractive index n_w of the (lossless) host.
        l_max: highest multipole order (static int >= 1).
        chirality: Pasteur parameter kappa (dimensionless, Schoger Eq. (5.24) sign: n_+- = n +- kappa).
            A concrete 0 uses the isotropic Bohren-Huffman coefficients; any other value (or a tracer)
            the bi-isotropic solution of :func:`jaxem.mie.bi_isotropic_reflection_matrix`.
    Returns:
        (T_EE, T_EM, T_ME, T_MM), complex128 arrays (..., l_max) for l = 1..l_max, with
        (a_lm, b_lm) = -[[T_EE, T_EM], [T_ME, T_MM]] (e_lm, f_lm); isotropic: T_EE = a_l, T_MM = b_l.
    Source:
        Schoger, Dissertation (Augsburg 2024), Eqs. (4.10)-(4.16) continued to real frequency and
        Eqs. (5.24)-(5.25); corrected: the sign of kappa in Ch. 1 (Eq. (1.5) text, n_{L,R} = n -+ kappa)
        is opposite to Eq. (5.24); this function uses Eq. (5.24) throughout (n_+ = n + kappa is the index
        of positive-helicity waves).
    """
    l_max, chiral = _check_sphere(radius, n_sphere, chirality, wavelength, n_medium, l_max)
    return _sphere_t_jit(*_canonical_args(radius, n_sphere, chirality, wavelength, n_medium), l_max=l_max,
                         chiral=chiral)


def _helicity_ab(t, sigma):
    t_ee, t_em, t_me, t_mm = t
    return t_ee + sigma * t_em, t_mm + sigma * t_me


def helicity_coefficients(radius, n_sphere, wavelength, n_medium, l_max: int, helicity: int, chirality=0.0):
    """Helicity-effective Mie coefficients a_l^(sigma), b_l^(sigma) (dimensionless) of a (chiral) sphere.

    Arguments:
        radius, n_sphere, wavelength, n_medium, l_max, chirality: as in :func:`sphere_t_matrix`.
        helicity: sigma = +1 or -1 (static) of the incident field (f_lm = sigma e_lm).
    Returns:
        (a, b), complex128 (..., l_max): a_l^(sigma) = T^EE + sigma T^EM, b_l^(sigma) = T^MM + sigma T^ME, so
        that a_lm = -a_l^(sigma) e_lm, b_lm = -b_l^(sigma) f_lm for a helicity-sigma incident field.
    Source:
        Schoger, Dissertation (Augsburg 2024), Eq. (5.25), with the kappa sign of Eq. (5.24).
    """
    sigma = _checks.check_choice("helicity", helicity, (1, -1))
    l_max, chiral = _check_sphere(radius, n_sphere, chirality, wavelength, n_medium, l_max)
    return _sphere_ab_jit(*_canonical_args(radius, n_sphere, chirality, wavelength, n_medium), l_max=l_max,
                          chiral=chiral, sigma=sigma)


# ---------------------------------------------------------------------------------------------
# MDSA+ closed forms (Eqs. 5.28-5.33)

def _axial_products(a, b, l, m, valid, s):
    """The sphere's products and the (l, m) weights shared by Q_z of :func:`_closed_form_sums` and :func:`_qz_form`:
    aa_l = a_l a*_{l+1} + b_l b*_{l+1}, ab_l = Re(a_l b*_l), apb_l = (2l+1)(a_l + b_l) (each with a trailing m axis)
    and the scattering weights cz, cs of Eq. (5.28). a, b: (..., L+1) indexed by l; l, m, valid from _grid; s: sigma.
    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (5.28)-(5.29)."""
    cj = jnp.conj
    w = 2 * l[:, 0] + 1
    a_u = jnp.pad(a[..., 1:], [(0, 0)] * (a.ndim - 1) + [(0, 1)])
    b_u = jnp.pad(b[..., 1:], [(0, 0)] * (b.ndim - 1) + [(0, 1)])
    aa = (a * cj(a_u) + b * cj(b_u))[..., :, None]
    ab = jnp.real(a * cj(b))[..., :, None]
    apb = (w * (a + b))[..., :, None]
    cz = _safe_div(_sqrt0(l * (l + 2) * (l - m + 1) * (l + m + 1)), l + 1) * valid
    cs = s * _safe_div(m * (2 * l + 1), l * (l + 1)) * valid
    return aa, ab, apb, cz, cs


def _closed_form_sums(H, a, b, sigma):
    """MDSA+ efficiency sums divided by p: (Q_scat, Q_ext) Cartesian (..., 3).

    H: beam coefficients with the l- and m-dependent phases removed, (..., L+1, 2L+3),
       H_lm = e^{-i M phi_R} G_lm (up to an (l, m)-independent factor), M = m - sigma - ell;
    a, b: helicity-effective coefficients per order (..., L+1) indexed by l (zero at l = 0 and l = L).
    The e^{-i M phi_R} factors cancel in the Cartesian combinations
    Q_x + i Q_y = e^{i phi_R} (Q_rho + i Q_phi) of Eqs. (5.31)-(5.32), which are formed here.
    """
    L = H.shape[-2] - 1
    l, m, valid = _grid(L)
    s = float(sigma)
    cj = jnp.conj
    # Wigner-d recursions for G' (cos theta_w d) and G^+- (sin theta_w d_{m+-1}), Eqs. (5.30), (5.33)
    H_u, H_d = _up(H), _down(H)
    g_prime = (_safe_div(_sqrt0(l * (l + 2) * ((l + 1) ** 2 - m ** 2)), (2 * l + 1) * (l + 1)) * H_u
               + _safe_div(_sqrt0((l ** 2 - m ** 2) * (l ** 2 - 1)), l * (2 * l + 1)) * H_d
               + s * _safe_div(m, l * (l + 1)) * H)
    g_plus = (-_safe_div(_sqrt0((l + m) * (l + m + 1) * (l ** 2 - 1)), l * (2 * l + 1)) * H_d
              + s * _safe_div(_sqrt0((l - m) * (l + m + 1)), l * (l + 1)) * H
              + _safe_div(_sqrt0((l - m) * (l - m + 1) * l * (l + 2)), (l + 1) * (2 * l + 1)) * H_u)
    g_minus = (_safe_div(_sqrt0((l - m) * (l - m + 1) * (l ** 2 - 1)), l * (2 * l + 1)) * H_d
               + s * _safe_div(_sqrt0((l + m) * (l - m + 1)), l * (l + 1)) * H
               - _safe_div(_sqrt0((l + m) * (l + m + 1) * l * (l + 2)), (l + 1) * (2 * l + 1)) * H_u)
    aa, ab, apb, cz, cs = _axial_products(a, b, l, m, valid, s)
    # scattering part, Eqs. (5.28), (5.31) with sigma restored in the a_l b_l* terms
    qz_scat = -8.0 * _sum_lm(cz * jnp.real(aa * H * cj(H_u)) + cs * ab * jnp.abs(H) ** 2)
    t1 = _safe_div(_sqrt0(l * (l + 2) * (l + m + 1) * (l + m + 2)), l + 1) * valid
    t2 = _safe_div(_sqrt0(l * (l + 2) * (l - m + 1) * (l - m + 2)), l + 1) * valid
    c_s = 2.0 * s * _safe_div((2 * l + 1) * _sqrt0((l - m) * (l + m + 1)), l * (l + 1)) * valid
    z1 = _sum_lm(t1 * aa * H * cj(_right(H_u)))
    z2 = _sum_lm(t2 * aa * H * cj(_left(H_u)))
    s_sum = _sum_lm(c_s * ab * H * cj(_right(H)))
    qxy_scat = -4.0j * (z1 - s_sum - cj(z2))
    # extinction part, Eqs. (5.29), (5.32)
    qz_ext = 4.0 * _sum_lm(valid * jnp.real(apb * H * cj(g_prime)))
    x_sum = _sum_lm(valid * apb * H * cj(_right(g_minus)))
    y_sum = _sum_lm(valid * apb * H * cj(_left(g_plus)))
    qxy_ext = -2.0j * (x_sum + cj(y_sum))
    scat = jnp.stack([jnp.real(qxy_scat), jnp.imag(qxy_scat), qz_scat], axis=-1)
    ext = jnp.stack([jnp.real(qxy_ext), jnp.imag(qxy_ext), qz_ext], axis=-1)
    return scat, ext


def _strip_phases(f):
    """H_lm = f_lm / (i^{l+m} sqrt(2 pi (2l+1))) = i^{-sigma-ell} C0 e^{-iM phi_R} G_lm (Eq. (5.22), corrected).

    The (l, m)-independent factor i^{-sigma-ell} cancels in every product of the closed forms.
    """
    L = f.shape[-2] - 1
    l = np.arange(L + 1)[:, None]
    m = np.arange(-L - 1, L + 2)[None, :]
    power = np.mod(l + m, 4)
    inv_phase = (1j ** (-power)) / np.sqrt(2 * np.pi * (2 * l + 1))
    return f * inv_phase


# ---------------------------------------------------------------------------------------------
# focused-beam efficiencies (public)

class ForceEfficiency(NamedTuple):
    """Dimensionless force efficiency Q = F c/(n_w P) of a sphere in a focused beam.

    Attributes:
        rho, phi, z: cylindrical components of the total Q (phi_R := 0 on the axis, where Q_rho = Q_x and
            Q_phi = Q_y).
        x, y: Cartesian transverse components of the total Q.
        rho_scat, phi_scat, z_scat: scattering part (quadratic in the scattered field).
        rho_ext, phi_ext, z_ext: extinction part (interference of incident and scattered fields).
    Source: no formula (container for :func:`optical_force_efficiency`).
    """

    rho: jax.Array
    phi: jax.Array
    z: jax.Array
    x: jax.Array
    y: jax.Array
    rho_scat: jax.Array
    phi_scat: jax.Array
    z_scat: jax.Array
    rho_ext: jax.Array
    phi_ext: jax.Array
    z_ext: jax.Array


def _beam_shape(beam, position, l_max, n_quad, s_max):
    from jaxem.optics.beam_shape import beam_shape_coefficients
    return beam_shape_coefficients(beam, position, l_max, n_quad=n_quad, s_max=s_max)


def _resolve_quadrature(beam, l_max, n_quad, s_max, z_extent, rho_extent):
    """Static beam-shape quadrature size and astigmatism cut, chosen at the concrete (outer) inputs.

    z_extent, rho_extent: bounds on |z| and rho [m] over which the result is used (concrete floats or None
    when the position is traced, in which case n_quad must be given).
    """
    from jaxem.optics.beams import _FORCE_S_TOL, _astig_order, quadrature_order
    if n_quad is None:
        if z_extent is None or rho_extent is None:
            raise ValueError("n_quad must be given explicitly when the position is traced (jit/vmap/grad); "
                             "e.g. n_quad=jaxem.optics.quadrature_order(beam, l_max + 1, z=z_max, rho=rho_max)")
        n_quad = quadrature_order(beam, l_max + 1, z=float(z_extent), rho=float(rho_extent))
    else:
        n_quad = _checks.check_int("n_quad", n_quad, minimum=2)
    return n_quad, _astig_order(beam, s_max, _FORCE_S_TOL)


def _extent(position):
    """(|z|, rho) bounds of a position array (concrete, or the values behind an eager grad/vmap tracer), or
    (None, None) under jit."""
    known = _checks.known_values(position)
    if known is None:
        return None, None
    p = np.asarray(known, dtype=np.float64).reshape(-1, 3)
    return float(np.max(np.abs(p[:, 2]))), float(np.max(np.hypot(p[:, 0], p[:, 1])))


def _axis_frame(position):
    """(cos phi_R, sin phi_R) with phi_R := 0 on the axis; finite gradients there (double where)."""
    x, y = position[..., 0], position[..., 1]
    on_axis = (x * x + y * y) == 0.0
    xs = jnp.where(on_axis, 1.0, x)
    ys = jnp.where(on_axis, 0.0, y)
    r = jnp.sqrt(xs * xs + ys * ys)
    return xs / r, ys / r


def _sphere_t(radius, n_sphere, chirality, wavelength, n_medium, l_max, chiral):
    x, m, kr = _canonical_sphere(radius, n_sphere, chirality, wavelength, n_medium)
    return _t_matrix(x, m, kr, l_max, chiral)


def _assemble(f, a, b, position, wavelength, n_medium, sigma):
    """ForceEfficiency from the beam's f_lm (P = 1 W) and helicity-effective a_l, b_l (l = 1..l_max)."""
    H = _strip_phases(jnp.asarray(f, jnp.complex128))
    pad = [(0, 0)] * (a.ndim - 1) + [(1, 1)]
    scat, ext = _closed_form_sums(H, jnp.pad(a, pad), jnp.pad(b, pad), sigma)
    # coefficients carry P = 1 W: p = gamma^2/(A_ell N) / |C0|^2 = pi eps0 c/(4 n_w K0^2)
    k0 = 2.0 * jnp.pi / jnp.asarray(wavelength, jnp.float64)
    p = jnp.pi * _EPS0 * _C / (4.0 * jnp.asarray(n_medium, jnp.float64) * k0 * k0)
    scat = p * scat
    ext = p * ext
    c, s = _axis_frame(position)

    def cyl(v):
        return c * v[..., 0] + s * v[..., 1], -s * v[..., 0] + c * v[..., 1], v[..., 2]

    tot = scat + ext
    rho, phi, z = cyl(tot)
    rs, ps, zs = cyl(scat)
    re, pe, ze = cyl(ext)
    return ForceEfficiency(rho, phi, z, tot[..., 0], tot[..., 1], rs, ps, zs, re, pe, ze)


def _qz_form(a, b, wavelength, n_medium, sigma, L):
    """Q_z of :func:`_assemble` as a quadratic form in H (the phase-stripped f_lm, layout (L+1, 2L+3)):

        Q_z = sum_lm Re(c_up_lm H_lm conj(H_{l+1,m})) + c_same_lm |H_lm|^2,

    the scattering (5.28) and extinction (5.29) parts of :func:`_closed_form_sums` with the Wigner-d recursion of
    G' (Eq. (5.30)) expanded (its H_{l-1,m} term re-indexed to l+1). For a fixed sphere (a, b per order l = 1..l_max)
    the coefficients are computed once; each axial evaluation is then a few products over (l, m) (scans and
    refinements along z on the axis line, where only Q_z is needed). Returns (c_up complex, c_same real).
    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (5.28)-(5.30) (as corrected in :func:`_closed_form_sums`).
    """
    pad = [(0, 0)] * (a.ndim - 1) + [(1, 1)]
    a = jnp.pad(a, pad)
    b = jnp.pad(b, pad)
    l, m, valid = _grid(L)
    s = float(sigma)
    cj = jnp.conj
    aa, ab, apb, cz, cs = _axial_products(a, b, l, m, valid, s)
    c1 = _safe_div(_sqrt0(l * (l + 2) * ((l + 1) ** 2 - m ** 2)), (2 * l + 1) * (l + 1)) * valid
    c2 = _safe_div(_sqrt0((l ** 2 - m ** 2) * (l ** 2 - 1)), l * (2 * l + 1)) * valid
    c3 = s * _safe_div(m, l * (l + 1)) * valid
    k0 = 2.0 * jnp.pi / jnp.asarray(wavelength, jnp.float64)
    p = jnp.pi * _EPS0 * _C / (4.0 * jnp.asarray(n_medium, jnp.float64) * k0 * k0)
    # Re(apb_l H_l conj(c2 H_{l-1})) summed over l = Re(conj(apb_{l+1}) c2_{l+1} H_l conj(H_{l+1}))
    c_up = p * (-8.0 * cz * aa + 4.0 * c1 * apb + 4.0 * _up(c2 * cj(apb)))
    c_same = p * (-8.0 * cs * ab + 4.0 * c3 * jnp.real(apb))
    return c_up, c_same


def _qz_of(f, form):
    """Q_z from f_lm (layout of :func:`_assemble`, P = 1 W) and :func:`_qz_form` (same number as _assemble(...).z
    to rounding). Source: Schoger, Dissertation (Augsburg 2024), Eqs. (5.28)-(5.30), see :func:`_qz_form`."""
    H = _strip_phases(jnp.asarray(f, jnp.complex128))
    c_up, c_same = form
    return _sum_lm(jnp.real(c_up * H * jnp.conj(_up(H))) + c_same * (jnp.real(H) ** 2 + jnp.imag(H) ** 2))


def _torque_assemble(e, f, t, wavelength, n_medium):
    e = jnp.asarray(e, jnp.complex128)
    f = jnp.asarray(f, jnp.complex128)
    a_lm, b_lm = _scattered(e, f, *(_per_order(v, e.shape[-2] - 1) for v in t))
    # omega tau/P with P = 1 W: omega eps/K^3 = c K0 eps0 n_w^2/(n_w K0)^3 = c eps0/(n_w K0^2)
    k0 = 2.0 * jnp.pi / jnp.asarray(wavelength, jnp.float64)
    pref = _C * _EPS0 / (jnp.asarray(n_medium, jnp.float64) * k0 * k0)
    return pref * _torque_sums(e, f, a_lm, b_lm)


# Separately jitted stages: the sphere response is cached per (l_max, chiral), the beam-shape quadrature per
# beam structure and sizes, the closed-form sums per (sigma, l_max) -- a new ell or quadrature size does not
# recompile the Mie recurrences (compilation dominates single evaluations). Under an outer jit/grad/vmap they
# are traced into one program as usual.
_sphere_t_jit = jax.jit(_sphere_t, static_argnames=("l_max", "chiral"))


def _sphere_ab_jit(radius, n_sphere, chirality, wavelength, n_medium, l_max, chiral, sigma):
    # one compiled T-matrix per (l_max, chiral) serves both helicities and the torque
    t = _sphere_t_jit(radius, n_sphere, chirality, wavelength, n_medium, l_max=l_max, chiral=chiral)
    return _helicity_ab(t, sigma)
_beam_shape_jit = jax.jit(_beam_shape, static_argnames=("l_max", "n_quad", "s_max"))
_assemble_jit = jax.jit(_assemble, static_argnames=("sigma",))
_torque_assemble_jit = jax.jit(_torque_assemble)


def _efficiency_kernel(beam, radius, n_sphere, position, chirality, l_max, chiral, n_quad, s_max):
    """ForceEfficiency (one sphere, one position): sphere response, beam shape, closed forms."""
    a, b = _sphere_ab_jit(radius, n_sphere, chirality, beam.wavelength, beam.n_medium, l_max=l_max,
                          chiral=chiral, sigma=beam.helicity)
    _, f = _beam_shape_jit(beam, position, l_max=l_max + 1, n_quad=n_quad, s_max=s_max)
    return _assemble_jit(f, a, b, position, beam.wavelength, beam.n_medium, sigma=beam.helicity)


def _torque_kernel(beam, radius, n_sphere, position, chirality, l_max, chiral, n_quad, s_max):
    t = _sphere_t_jit(radius, n_sphere, chirality, beam.wavelength, beam.n_medium, l_max=l_max, chiral=chiral)
    e, f = _beam_shape_jit(beam, position, l_max=l_max + 1, n_quad=n_quad, s_max=s_max)
    return _torque_assemble_jit(e, f, t, beam.wavelength, beam.n_medium)


def _canonical_beam(beam):
    """The beam as given: its float fields are float64 NumPy scalars or tracers (FocusedBeam converts them),
    so every parameter value shares one compilation without a conversion here (~1 ms per call saved)."""
    return beam


def default_lmax(beam, radius) -> int:
    """Multipole cut l_max (static int) from Wiscombe's rule at the size parameter x = 2 pi n_w R/lambda0.

    Arguments:
        beam: FocusedBeam (concrete wavelength and n_medium).
        radius: sphere radius R [m] (concrete; the largest entry decides).
    Returns:
        Python int l_max = x + 4 x^{1/3} + 1 (x <= 8), x + 4.05 x^{1/3} + 2 (x > 8), rounded
        (:func:`jaxem.mie.resolve_lmax`: Wiscombe's rule behind the size guards, so a radius in metres where
        micrometres were meant raises a ValueError naming ``radius``).
    Source:
        W. J. Wiscombe, Appl. Opt. 19, 1505 (1980); truncation used with Schoger, Dissertation (Augsburg
        2024), Eqs. (5.28)-(5.33) (the dissertation does not state its cut).
    """
    known = _checks.known_values((beam.wavelength, beam.n_medium, radius))   # also behind eager grad/vmap
    if known is None:
        raise ValueError("l_max must be passed explicitly when radius, wavelength or n_medium are traced "
                         "under jax.jit; e.g. l_max=default_lmax(beam, radius_max)")
    lam, n_w, radius = known
    _checks.check_positive("radius", radius)
    x = 2.0 * np.pi * float(np.max(n_w)) * np.max(np.asarray(radius, float)) / float(np.min(lam))
    return _mie.resolve_lmax(x, name="radius")


def _check_inputs(beam, radius, n_sphere, position, chirality, l_max):
    """Boundary checks (ValueError naming the parameter) and the static l_max; position None = not given."""
    _checks.check_positive("radius", radius)
    _checks.check_finite("n_sphere", n_sphere)
    _checks.check_finite("chirality", chirality)
    if position is not None:
        _check_position(beam, radius, position)
    if l_max is None:
        return default_lmax(beam, radius)
    return _checks.check_int("l_max", l_max, minimum=1)


def _check_position(beam, radius, position):
    _checks.check_finite("position", position)
    pos = jnp.asarray(position)
    if pos.shape != (3,):
        raise ValueError(f"position must be a 3-vector (x, y, z) [m] (vmap for many), got shape {pos.shape}")
    if _checks.is_concrete((position, radius, beam.interface_distance)) and getattr(beam, "interface", True):
        z = np.asarray(position, float)[..., 2]
        big_l = np.asarray(beam.interface_distance, float)
        cut = (big_l > 0) & (z - np.asarray(radius, float) < -big_l)
        if np.any(cut):
            raise ValueError(
                f"position: the sphere cuts the coverslip (z - radius < -interface_distance); got z = {z}, "
                f"radius = {radius}, interface_distance = {beam.interface_distance}")


def optical_force_efficiency(beam, radius, n_sphere, position, chirality=0.0, l_max=None, *,
                             n_quad=None, s_max=None) -> ForceEfficiency:
    """Force efficiency Q = F c/(n_w P) (dimensionless) on a sphere in a focused LG beam, MDSA+ theory.

    Arguments:
        beam: :class:`jaxem.optics.beams.FocusedBeam` (lambda0 [m], NA, n_s, n_w, gamma, L [m], A_ast
            [waves], phi_ast [rad]; ell, helicity sigma static).
        radius: sphere radius R [m] (> 0).
        n_sphere: refractive index n of the sphere (complex allowed; Im n > 0 absorbs).
        position: (x, y, z) [m] of the sphere centre relative to the paraxial focus, shape (3,).
        chirality: Pasteur parameter kappa (n_+- = n +- kappa, Schoger Eq. (5.24)); a concrete 0 uses
            the isotropic Mie coefficients, anything else (or a tracer) the chiral T-matrix.
        l_max: multipole cut (static int); None = Wiscombe's rule at x = K_w R (from the concrete values,
            also those behind an eager jax.grad/jax.vmap; pass it under jax.jit).
        n_quad: static Gauss-Legendre size of the beam-shape quadrature; default
            :func:`jaxem.optics.beams.quadrature_order` at the position for orders up to l_max + 1 (the
            largest |z| and rho of an eager vmap; required when the position is traced under jax.jit).
        s_max: static Jacobi-Anger cut for the astigmatism (default from the beam's A_ast).
    Returns:
        ForceEfficiency(rho, phi, z, x, y, rho_scat, phi_scat, z_scat, rho_ext, phi_ext, z_ext), float64
        scalars; phi_R := 0 on the axis. Absolute force F = Q n_w P/c (P = power in the sample).
    Source:
        Schoger, Dissertation (Augsburg 2024), Eqs. (5.28)-(5.33) with (5.22)-(5.27) and App. C;
        corrected: factor sigma in the a_l b_l* terms of (5.28) and (5.31) (missing in print; needed for
        sigma = -1 and mirror symmetry), complex conjugates and the second product G_{l,-m} G*_{l+1,-m-1}
        of (5.31), upper limit sin(theta_m) = min(N, NA/n_s) in (5.27), T(theta) restored and cos(theta_w)
        in the z phase of (5.23), i^M and sqrt(2 pi (2l+1)) in (5.22). The recursions (5.30), (5.33) give
        G' and G^+- from G. Helicity-effective chiral coefficients of Eq. (5.25).
    """
    l_max = _check_inputs(beam, radius, n_sphere, position, chirality, l_max)
    n_quad, s_max = _resolve_quadrature(beam, l_max, n_quad, s_max, *_extent(position))
    chiral = not _is_static_zero(chirality)
    return _efficiency_kernel(_canonical_beam(beam), jnp.asarray(radius, jnp.float64),
                              jnp.asarray(n_sphere, jnp.complex128), jnp.asarray(position, jnp.float64),
                              jnp.asarray(chirality, jnp.complex128), l_max=l_max, chiral=chiral,
                              n_quad=n_quad, s_max=s_max)


def optical_force(beam, radius, n_sphere, position, power, chirality=0.0, l_max=None, *, n_quad=None,
                  s_max=None):
    """Optical force F [N] (Cartesian x, y, z) on a sphere in a focused LG beam of power P, MDSA+ theory.

    Arguments:
        beam, radius, n_sphere, position, chirality, l_max, n_quad, s_max: as in
            :func:`optical_force_efficiency`.
        power: beam power P [W] transmitted into the sample (> 0).
    Returns:
        float64 array (3,): F = (Q_x, Q_y, Q_z) n_w P/c.
    Source:
        Schoger, Dissertation (Augsburg 2024), Eqs. (5.26)-(5.33) (Q definition after Ashkin); see
        :func:`optical_force_efficiency` for the corrections.
    """
    _checks.check_positive("power", power)
    q = optical_force_efficiency(beam, radius, n_sphere, position, chirality, l_max, n_quad=n_quad,
                                 s_max=s_max)
    scale = jnp.asarray(beam.n_medium, jnp.float64) * jnp.asarray(power, jnp.float64) / _C
    return scale * jnp.stack([q.x, q.y, q.z], axis=-1)


def optical_torque_efficiency(beam, radius, n_sphere, position, chirality=0.0, l_max=None, *, n_quad=None,
                              s_max=None):
    """Spin-torque efficiency Q_tau = omega tau/P (dimensionless, Cartesian) about the sphere centre.

    Arguments:
        beam, radius, n_sphere, position, chirality, l_max, n_quad, s_max: as in
            :func:`optical_force_efficiency`.
    Returns:
        float64 array (3,) (x, y, z); the torque is tau = Q_tau P/omega [N m], omega = 2 pi c/lambda0.
        Zero (to rounding) for lossless isotropic spheres and for lossless chiral spheres; on the axis
        Q_tau,z = -4p sum m (2l+1)[|a_l|^2 + |b_l|^2 - Re(a_l + b_l)] |G_lm|^2 (p = gamma^2/(A_ell N)).
    Source:
        Not in Schoger, Dissertation (Augsburg 2024): derived from the angular-momentum flux of the Maxwell
        stress tensor (its Eq. (2.32)) in the multipole conventions of its Ch. 3 / App. C, evaluated with
        the beam-shape coefficients of its Eq. (5.22) (corrected as in :func:`optical_force_efficiency`).
    """
    l_max = _check_inputs(beam, radius, n_sphere, position, chirality, l_max)
    n_quad, s_max = _resolve_quadrature(beam, l_max, n_quad, s_max, *_extent(position))
    chiral = not _is_static_zero(chirality)
    return _torque_kernel(_canonical_beam(beam), jnp.asarray(radius, jnp.float64),
                          jnp.asarray(n_sphere, jnp.complex128), jnp.asarray(position, jnp.float64),
                          jnp.asarray(chirality, jnp.complex128), l_max=l_max, chiral=chiral, n_quad=n_quad,
                          s_max=s_max)
