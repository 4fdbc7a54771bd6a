"""Zero-frequency (xi -> 0) reflection of spheres and planes, every material: the static Mie limit.

As xi -> 0 the Mie coefficients at imaginary frequency factor as r_l -> C_l(x) ((l+1)/l) X(l), with a
2x2 matrix X(l) per multipole order in the (TM, TE) polarisation basis that no longer depends on the
frequency: (l (eps - 1))/(l eps + l + 1) for a dielectric, 1 (TM) and -l/(l+1) (TE) for a perfect
conductor, the Bessel ratio of the penetration depth for a plasma, and the full 2x2 forms of PEMC and
bi-isotropic spheres.  A plane is the limit l -> inf (q = l/(l+1) -> 1): jaxem.mie.plates.  A Drude
medium is an electrolyte (eps_m -> inf).  Source: T. Schoger, "Optical and dispersion forces
experienced by spherical objects", Dissertation, Universität Augsburg (2024), Sec. 4.3, Eqs. (4.51)-(4.57)
(with the corrections noted below), Eq. (4.34) and Table 9.1.
"""
from __future__ import annotations

import jax.numpy as jnp

from jaxem._checks import check_int, check_positive
from jaxem.materials import Dirichlet, Material

__all__ = ["DIRICHLET", "DIRICHLET_KIND", "static_reflection"]

#: The Dirichlet scalar body (X(l) = 1 for all l >= 0, the monopole included; use it for both bodies).
DIRICHLET = Dirichlet()
DIRICHLET_KIND = Dirichlet.kind

_CONDUCTING = ("drude", "plasma", "perfect_conductor")
_MIXING = ("pemc", "bi_isotropic")


def _kind(material):
    kind = getattr(material, "kind", None)
    if not isinstance(material, Material) or kind is None:
        raise ValueError(f"material must be a jaxem material (jaxem.materials, e.g. jaxem.Dirichlet() for the "
                         f"scalar model), got {material!r}")
    return kind


def _static_eps(material):
    """(eps(0), infinite) of a material at zero frequency; infinite for conductors."""
    kind = _kind(material)
    if kind in _CONDUCTING:
        return None, True
    if kind in _MIXING or kind == DIRICHLET_KIND:
        raise ValueError(f"no static permittivity for {kind!r}")
    return jnp.asarray(material.epsilon_imaginary_frequency(0.0), dtype=jnp.float64), False


def _static_mu(material):
    kind = _kind(material)
    if kind in ("drude", "plasma", "perfect_conductor"):
        return jnp.asarray(1.0)
    return jnp.asarray(material.mu_imaginary_frequency(0.0), dtype=jnp.float64)


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
    """X_TM,TM(l) of an isotropic sphere, q = l/(l+1) (Schoger Eq. (4.57) and its conducting limits, Table 9.1)."""
    ratio, how = _permittivity_ratio(sphere, medium)
    if how == "inf":
        return jnp.ones_like(q)
    if how == "zero":
        return -q
    # l (e - 1)/(l e + l + 1) = q (e - 1)/(q e + 1)
    return q * (ratio - 1.0) / (q * ratio + 1.0)


def _x_te(l, q, sphere, medium, radius):
    """X_TE,TE(l) of an isotropic sphere (duality of Schoger Eq. (4.57); plasma and PEC limits)."""
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
        # B_l/W_l with {I,w} = (l+1)/w + h: no cancellation (the bracket form of Schoger Eq. (4.12))
        return -q * w * h / (2.0 * l + 1.0 + w * h)
    mu_s = _static_mu(sphere)
    mu_m = jnp.asarray(1.0) if medium is None else _static_mu(medium)
    ratio = mu_s / mu_m
    return q * (ratio - 1.0) / (q * ratio + 1.0)


def _bi_isotropic_x(q, material, medium):
    """X(l) of a bi-isotropic sphere, Schoger Eqs. (4.52)-(4.54) in terms of q = l/(l+1).

    Corrected: the factor (l+1) multiplies the whole bracket of (4.53), and the mixing entries (4.54)
    need a factor (2l+1)/(l+1) (without them the PEMC limit (4.55) and the l -> inf Fresnel limit
    fail; the Rayleigh limit of the full coefficients is checked in tests/test_mie_imaginary.py).
    """
    from jaxem.mie.imaginary import _relative_indices

    eps_m = jnp.asarray(1.0) if medium is None else _static_eps(medium)[0]
    mu_m = jnp.asarray(1.0) if medium is None else _static_mu(medium)
    n_m = jnp.sqrt(eps_m * mu_m)
    eps = material.epsilon_imaginary_frequency(0.0) / eps_m
    mu = material.mu_imaginary_frequency(0.0) / mu_m
    chi = material.chi_imaginary_frequency(0.0) / n_m
    kap = material.kappa_imaginary_frequency(0.0) / n_m
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
    """X(l) = D(theta) diag(1, -q) D(-theta) (Schoger Eqs. (4.55)-(4.56))."""
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
    if kind == DIRICHLET_KIND:
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
    """Zero-frequency reflection matrices X(l) (dimensionless) of a sphere, l = 1..l_max (static Mie coefficients).

    r_l^(P,P') -> C_l^(0)(x) ((l+1)/l) X_{p,p'}(l) as xi -> 0.

    Arguments:
        material: jaxem material (Dielectric, LorentzOscillators, Drude, Plasma, PerfectConductor,
            PEMC, BiIsotropic).
        l_max: highest multipole order (static int >= 1).
        radius: sphere radius [m]; needed only for Plasma (TE penetration, omega_p R / c).
        medium: host material (vacuum if None); a Drude medium is an electrolyte (eps_m -> inf).
    Returns:
        array (l_max, 2, 2), entries [[X_TM,TM, X_TM,TE], [X_TE,TM, X_TE,TE]]; float64, complex128
        for bi-isotropic spheres.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.51)-(4.57) and Table 9.1; corrected: the bracket of (4.53)
    and the factor (2l+1)/(l+1) of the mixing entries (4.54) (see :func:`_bi_isotropic_x`).
    """
    l_max = check_int("l_max", l_max, minimum=1)
    if radius is not None:
        check_positive("radius", radius)
    return _static_x(material, l_max, medium, radius)
