"""PEMC spheres at high temperature: PFA with polarisation mixing, dipole limits, critical angles
(pemc-casimir.md §2.5, §2.7, §2.8).

Two perfect electromagnetic conductors with duality angles theta_1, theta_2 interact through
delta = theta_1 - theta_2 only; the force changes sign at critical angles delta_crit that depend
on the regime.  Energies are F_T / (k_B T), forces -dF_T/dL / (k_B T) by autodiff.
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from jaxem._checks import check_finite, check_positive

__all__ = [
    "re_li3_unit_circle",
    "pemc_pfa_free_energy_ht",
    "pemc_dipole_dipole_free_energy_ht",
    "pemc_dipole_plane_free_energy_ht",
    "CRITICAL_ANGLE_PFA_HT",
    "CRITICAL_ANGLE_DIPOLE_DIPOLE_HT",
    "CRITICAL_ANGLE_DIPOLE_PLANE",
]

_ZETA3 = 1.2020569031595942


def _bernoulli_coefficients(n_terms: int):
    from scipy.special import bernoulli

    B = bernoulli(2 * n_terms)
    return np.array([abs(B[2 * n]) / (2 * n * math.factorial(2 * n + 1) * (2 * n + 2))
                     for n in range(1, n_terms + 1)])


_CL_COEFFS = _bernoulli_coefficients(24)


def re_li3_unit_circle(phi):
    """Re Li_3(e^{i phi}) = sum_k cos(k phi)/k^3 for real phi (any value; 2 pi periodic, even).

    Integrated Clausen expansion about 0: zeta(3) - 3 phi^2/4 + (phi^2/2) log|phi|
    - sum_n |B_2n| phi^{2n+2} / (2n (2n+1)! (2n+2)), converging geometrically for |phi| <= pi
    (24 terms: < 1e-15).  Differentiable, NaN-free at phi = 0 (pemc-casimir.md §2.5, 11.10).
    """
    phi = jnp.asarray(phi, dtype=jnp.float64)
    p = jnp.abs(jnp.mod(phi + jnp.pi, 2 * jnp.pi) - jnp.pi)  # reduce to [0, pi]
    zero = p == 0
    p_safe = jnp.where(zero, 1.0, p)
    log_term = jnp.where(zero, 0.0, 0.5 * p_safe**2 * jnp.log(p_safe))
    p2 = p * p
    series = jnp.zeros_like(p)
    power = p2
    for c in _CL_COEFFS:
        power = power * p2
        series = series + c * power
    return _ZETA3 - 0.75 * p2 + log_term - series


def pemc_pfa_free_energy_ht(L, R_eff, delta):
    """PFA high-temperature free energy of two PEMC objects, F_T/(k_B T) = -(R_eff/4L) Re Li_3(e^{2i delta}).

    pemc-casimir.md §2.5 (11.10); delta = theta_1 - theta_2 [rad]; L [m], R_eff [m] (sphere--plane:
    R_eff = R).  The force changes sign at delta = 0.923319 pi/4.
    """
    check_positive("L", L)
    check_positive("R_eff", R_eff)
    check_finite("delta", delta)
    return -(R_eff / (4.0 * L)) * re_li3_unit_circle(2.0 * jnp.asarray(delta, dtype=jnp.float64))


def pemc_dipole_dipole_free_energy_ht(L, R1, R2, delta):
    """Large-distance (dipole--dipole) high-T free energy of PEMC spheres, F_T/(k_B T).

    -(3/8)(R1 R2/Lc^2)^3 [1 + 9 cos 2 delta], Lc = L + R1 + R2 (pemc-casimir.md §2.7, 11.25 corrected).
    """
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2)
    check_finite("delta", delta)
    Lc = L + R1 + R2
    return -0.375 * (R1 * R2 / Lc**2) ** 3 * (1.0 + 9.0 * jnp.cos(2.0 * jnp.asarray(delta, dtype=jnp.float64)))


def pemc_dipole_plane_free_energy_ht(L, R, delta):
    """Large-distance (dipole--plane) high-T free energy of a PEMC sphere and plane, F_T/(k_B T).

    -(3/8)(R/Lc)^3 cos 2 delta, Lc = L + R (pemc-casimir.md §2.7, 11.28).
    """
    check_positive("L", L)
    check_positive("R", R)
    check_finite("delta", delta)
    return -0.375 * (R / (L + R)) ** 3 * jnp.cos(2.0 * jnp.asarray(delta, dtype=jnp.float64))


#: delta where Re Li_3(e^{2 i delta}) = 0 (PFA, high T), 0.923319 pi/4 (pemc-casimir.md 11.11).
CRITICAL_ANGLE_PFA_HT = 0.7251728
#: pi/4 + arcsin(1/9)/2 = 1.0708819 pi/4 (dipole--dipole, high T, 11.26).
CRITICAL_ANGLE_DIPOLE_DIPOLE_HT = math.pi / 4 + 0.5 * math.asin(1.0 / 9.0)
#: pi/4 (dipole--plane, all temperatures, 11.28).
CRITICAL_ANGLE_DIPOLE_PLANE = math.pi / 4
