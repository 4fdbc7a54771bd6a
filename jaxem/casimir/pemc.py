"""PEMC spheres: PFA with polarisation mixing, dipole limits, critical angles, beyond-PFA
coefficient and the duality-angle sum rule.

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024) (cited below as "Schoger"), Ch. 11; T. Schoger and G.-L. Ingold,
"Switching the sign of the Casimir force between two PEMC spheres", arXiv:2401.14738 (2024).

Two perfect electromagnetic conductors with duality angles theta_1, theta_2 interact through
delta = theta_1 - theta_2 only; the force changes sign at critical angles delta_crit that depend
on the regime.  Energies are F_T / (k_B T), forces -dF_T/dL / (k_B T) by autodiff.
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

import jax

from jaxem._checks import check_finite, check_int, check_nonnegative, check_positive, is_concrete
from jaxem.geometry import is_plane
from jaxem.special.polylog import re_li3_unit_circle

__all__ = [
    "pemc_pfa_free_energy_ht",
    "pemc_dipole_dipole_free_energy_ht",
    "pemc_dipole_plane_free_energy_ht",
    "CRITICAL_ANGLE_PFA_HT",
    "CRITICAL_ANGLE_DIPOLE_DIPOLE_HT",
    "CRITICAL_ANGLE_DIPOLE_PLANE",
    "pemc_pfa_energy_t0",
    "pemc_beyond_pfa_coefficient",
    "pemc_beyond_pfa_energy_correction_t0",
    "pemc_sum_rule_ht",
    "pemc_sum_rule_dipole_dipole",
    "pemc_sum_rule_dipole_dipole_ht",
    "pemc_sum_rule_leading_round_trip_ht",
]

def pemc_pfa_free_energy_ht(L, R_eff, delta):
    """PFA high-temperature free energy of two PEMC objects, dimensionless F_T/(k_B T) = -(R_eff/4L) Re Li_3(e^{2i delta}).

    The force changes sign at delta = 0.923319 pi/4.

    Arguments:
        L: surface distance [m].
        R_eff: effective radius [m] (sphere--plane: R_eff = R).
        delta: theta_1 - theta_2 [rad].
    Returns:
        F_T/(k_B T).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (11.10)-(11.11).
    """
    check_positive("L", L)
    check_positive("R_eff", R_eff)
    check_finite("delta", delta)
    return -(R_eff / (4.0 * L)) * re_li3_unit_circle(2.0 * jnp.asarray(delta, dtype=jnp.float64))


def pemc_dipole_dipole_free_energy_ht(L, R1, R2, delta):
    """Large-distance (dipole--dipole) high-T free energy of PEMC spheres, dimensionless F_T/(k_B T).

    -(3/8)(R1 R2/Lc^2)^3 [1 + 9 cos 2 delta], Lc = L + R1 + R2.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m].
        delta: duality-angle difference [rad].
    Returns:
        F_T/(k_B T).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (11.25), corrected prefactor 3/8 (printed 2/8; the PEC limit
    -15/4 k_B T (R1 R2)^3/Lc^6 fixes it).
    """
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2)
    check_finite("delta", delta)
    Lc = L + R1 + R2
    return -0.375 * (R1 * R2 / Lc**2) ** 3 * (1.0 + 9.0 * jnp.cos(2.0 * jnp.asarray(delta, dtype=jnp.float64)))


def pemc_dipole_plane_free_energy_ht(L, R, delta):
    """Large-distance (dipole--plane) high-T free energy of a PEMC sphere and plane, dimensionless F_T/(k_B T).

    -(3/8)(R/Lc)^3 cos 2 delta, Lc = L + R.

    Arguments:
        L: surface distance [m].
        R: sphere radius [m].
        delta: duality-angle difference [rad].
    Returns:
        F_T/(k_B T).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (11.28).
    """
    check_positive("L", L)
    check_positive("R", R)
    check_finite("delta", delta)
    return -0.375 * (R / (L + R)) ** 3 * jnp.cos(2.0 * jnp.asarray(delta, dtype=jnp.float64))


#: delta where Re Li_3(e^{2 i delta}) = 0 (PFA, high T), 0.923319 pi/4 (Schoger Eq. (11.11)).
CRITICAL_ANGLE_PFA_HT = 0.7251728
#: pi/4 + arcsin(1/9)/2 = 1.0708819 pi/4 (dipole--dipole, high T, Schoger Eq. (11.26)).
CRITICAL_ANGLE_DIPOLE_DIPOLE_HT = math.pi / 4 + 0.5 * math.asin(1.0 / 9.0)
#: pi/4 (dipole--plane, all temperatures, Schoger Eq. (11.28)).
CRITICAL_ANGLE_DIPOLE_PLANE = math.pi / 4


# ----------------------------------------------------------------------------------------------
# beyond PFA at T = 0 (Schoger Sec. 11.1.2)

def _delta_product(delta):
    """p = d (pi - d), d = delta mod pi (results depend on e^{2 i delta}: pi periodic, even)."""
    d = jnp.mod(jnp.asarray(delta, dtype=jnp.float64), jnp.pi)
    return d * (jnp.pi - d)


def pemc_pfa_energy_t0(L, R_eff, delta):
    """Zero-temperature PFA energy E_PFA [J] of two PEMC objects.

    E_PFA = -(hbar c R_eff/(720 pi L^2)) [pi^4 - 30 p^2], p = delta (pi - delta), delta = theta_1 - theta_2
    reduced mod pi: -(hbar c/(8 pi x L)) Re Li_4(e^{2 i delta}), x = L/R_eff.  delta = 0: Casimir
    -pi^3 hbar c R_eff/(720 L^2); delta = pi/2: Boyer +7 pi^3 hbar c R_eff/(5760 L^2).

    Arguments:
        L: surface distance [m].
        R_eff: effective radius [m] (sphere--plane: R).
        delta: duality-angle difference [rad].
    Returns:
        E_PFA [J].

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (11.4)-(11.5) (the text after (11.5) drops the cube of pi in the
    Casimir and Boyer limits).
    """
    from jaxem.constants import c, hbar

    check_positive("L", L)
    check_positive("R_eff", R_eff)
    check_finite("delta", delta)
    p = _delta_product(delta)
    return -(hbar * c * R_eff / (720.0 * math.pi * L**2)) * (math.pi**4 - 30.0 * p * p)


def pemc_beyond_pfa_coefficient(delta, u):
    """First correction beta (dimensionless) to the PFA at T = 0 for PEMC spheres: E = E_PFA [1 + beta x + o(x)], x = L/R_eff.

    beta(delta, u) = (4/3) beta_diff + 1/3 - u,
    beta_diff = -Re Li_2(e^{2 i delta}) / Re Li_4(e^{2 i delta}) = -15 (pi^2 - 6p)/(pi^4 - 30 p^2),
    p = delta (pi - delta).
    delta = 0: 1/3 - u - 20/pi^2 (sphere--plane -1.69315); delta = pi/2: 1/3 - u - 80/(7 pi^2).
    This is the zero-temperature coefficient: no linear coefficient is known for the high-temperature
    (n = 0) term, whose expansion at delta = 0 is non-analytic (x log x).
    beta diverges at the T = 0 critical angle 0.961341 pi/4, where E_PFA = 0; use
    pemc_beyond_pfa_energy_correction_t0 there.

    Arguments:
        delta: theta_1 - theta_2 [rad].
        u: R1 R2/(R1 + R2)^2 in [0, 1/4].
    Returns:
        beta (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (11.14)-(11.21), corrected: the diffraction energy (11.16) is
    hbar c Re Li_2/(8 pi L), not /(16 pi L), and beta_diff(pi/2) = -60/(7 pi^2), not 4/(7 pi^2)
    (the PEC value -15/pi^2 of the literature fixes the prefactor).
    """
    check_finite("delta", delta)
    if is_concrete(u):
        arr = np.asarray(u, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 0.25):
            raise ValueError(f"u must be in [0, 1/4], got {u!r}")
    p = _delta_product(delta)
    beta_diff = -15.0 * (math.pi**2 - 6.0 * p) / (math.pi**4 - 30.0 * p * p)
    return 4.0 / 3.0 * beta_diff + 1.0 / 3.0 - jnp.asarray(u, dtype=jnp.float64)


def pemc_beyond_pfa_energy_correction_t0(L, delta, u):
    """Beyond-PFA energy Delta E = E - E_PFA [J] to leading order at T = 0.

    Delta E = (hbar c/(720 pi L)) [20 (pi^2 - 6p) - ((1 - 3u)/3)(pi^4 - 30 p^2)], p = delta (pi - delta)
    (= E_diff + E_geo = beta x E_PFA; finite at the critical angle, where it equals
    (pi/36)(1 - sqrt(6/5)) hbar c/L = -0.0083292 hbar c/L for every u). Independent of R_eff at
    this order.

    Arguments:
        L: surface distance [m].
        delta: duality-angle difference [rad].
        u: R1 R2/(R1 + R2)^2 in [0, 1/4].
    Returns:
        Delta E [J].

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (11.14)-(11.21) with the corrections of
    :func:`pemc_beyond_pfa_coefficient`.
    """
    from jaxem.constants import c, hbar

    check_positive("L", L)
    check_finite("delta", delta)
    p = _delta_product(delta)
    u = jnp.asarray(u, dtype=jnp.float64)
    return (hbar * c / (720.0 * math.pi * L)) * (20.0 * (math.pi**2 - 6.0 * p)
                                                  - (1.0 - 3.0 * u) / 3.0 * (math.pi**4 - 30.0 * p * p))


# ----------------------------------------------------------------------------------------------
# duality-angle sum rule (Schoger Sec. 11.4)

def pemc_sum_rule_dipole_dipole(L, R1, R2, T):
    """Duality-angle integral int_0^{pi/2} d delta F_dip-dip(delta) [N rad] of two PEMC spheres at temperature T.

    = -(hbar c/(32 Lc^2)) (R1 R2/Lc^2)^3 [18 g cosh nu + 18 g^2 + 14 g^3 cosh nu + 2 g^4 (2 cosh^2 nu + 1)],
    g = nu/sinh nu, nu = 2 pi Lc k_B T/(hbar c), Lc = L + R1 + R2 (force F = -dF/dL, > 0 repulsive).
    T = 0: -(7 hbar c/(4 Lc^2))(R1 R2/Lc^2)^3; T -> inf: -(9 pi/8)(k_B T/Lc)(R1 R2/Lc^2)^3.  Nonzero:
    the plate sum rule int F d delta = 0 (Rode et al. 2018), which holds in the PFA at every T, fails
    at large distance.

    Arguments:
        L: surface distance [m].
        R1, R2: finite radii [m].
        T: temperature [K] (>= 0).
    Returns:
        the integral [N rad].

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (11.40).
    """
    from jaxem.constants import c, hbar, k_B

    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2)
    check_nonnegative("T", T)
    Lc = L + R1 + R2
    nu = 2.0 * math.pi * Lc * k_B * jnp.asarray(T, dtype=jnp.float64) / (hbar * c)
    small = nu < 1e-4
    nu_s = jnp.where(small, 1.0, nu)
    e = jnp.exp(-nu_s)
    g = jnp.where(small, 1.0 - nu**2 / 6.0, 2.0 * nu_s * e / (-jnp.expm1(-2.0 * nu_s)))  # nu/sinh nu
    gc = jnp.where(small, 1.0 + nu**2 / 3.0, nu_s / jnp.tanh(nu_s))                    # g cosh nu
    bracket = 18.0 * gc + 18.0 * g**2 + 14.0 * g**2 * gc + 2.0 * (2.0 * gc**2 * g**2 + g**4)
    return -(hbar * c / (32.0 * Lc**2)) * (R1 * R2 / Lc**2) ** 3 * bracket


def pemc_sum_rule_dipole_dipole_ht(L, R1, R2):
    """High-temperature sum-rule integral I = (Lc/k_B T) int_0^{pi/2} d delta F_T(delta) (dimensionless), dipole limit.

    I = -(9 pi/8)(R1 R2/Lc^2)^3 -> -9 pi/(64 y^3) at large distance.  Sphere--plane (R2 = inf): 0
    (the dipole--plane energy is proportional to cos 2 delta).

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
    Returns:
        I (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (11.41) from (11.25), with the integration range [0, pi/2] (the
    printed [0, pi] would give -9 pi/32, not the quoted -9 pi/64).
    """
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    if is_plane(R2):
        return jnp.zeros_like(jnp.asarray(L, dtype=jnp.float64))
    Lc = L + R1 + R2
    return -(9.0 * math.pi / 8.0) * (R1 * R2 / Lc**2) ** 3


def pemc_sum_rule_leading_round_trip_ht(L, R1, R2):
    """Sum-rule integral I = (Lc/k_B T) int_0^{pi/2} d delta F_T(delta) (dimensionless) in its leading round trip, exact.

    Spheres: the single round trip tr M = cos^2 delta P - sin^2 delta Q integrates to
    (pi/4)(P - Q), P = tr M_PEC-PEC, Q = tr M_PEC-PMC, so I^(1) = Lc d/dL [(pi/8)(P - Q)].
    Sphere--plane (R2 = inf): P = Q, the single round trip drops out, and the double round
    trip gives int tr M^2 d delta = (pi/4)(A - B), so I^(2) = Lc d/dL [(pi/16)(A - B)].
    The error is the next round trip: relative O(y^-3) at large distance. Derivatives by autodiff.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
    Returns:
        I (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (11.30)-(11.39) and (11.41) (the delta integration derived here;
    checked in tests/test_casimir_closed_forms.py).
    """
    from jaxem.casimir import closed_forms as cf

    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    plane = is_plane(R2)
    if plane:
        def g(d):
            return (math.pi / 16.0) * (cf.sphere_plane_double_round_trip_ht(d, R1, "pec")
                                       - cf.sphere_plane_double_round_trip_ht(d, R1, "pec_pmc"))
        Lc = L + R1
    else:
        def g(d):
            return (math.pi / 8.0) * (cf.single_round_trip_ht(d, R1, R2, "pec")
                                      - cf.single_round_trip_ht(d, R1, R2, "pec_pmc"))
        Lc = L + R1 + R2
    L = jnp.asarray(L, dtype=jnp.float64)
    grad = jnp.vectorize(jax.grad(g)) if L.ndim else jax.grad(g)
    return Lc * grad(L)


def pemc_sum_rule_ht(L, R1, R2, *, n_delta: int = 16, eta: float | None = None, l_max=None, m_max=None):
    """Duality-angle sum-rule integral I (dimensionless) of the full zero-frequency engine.

    I(L) = (Lc/(k_B T)) int_0^{pi/2} d delta F_T(delta),  F_T = -dF_T/dL the high-temperature force
    between a PEMC(delta) and a PEMC(0) sphere (or plane, R2 = inf), Lc = L + R1 + R2 (L + R1).
    The plate sum rule (Rode et al.) says I = 0; it holds in the PFA (I/I_scale -> 0 as L -> 0) and
    fails beyond: I y^3 -> -9 pi/64 at large distance for spheres, while for the sphere--plane I -> 0
    at both ends.  F_T(delta) contains only cos(2 k delta), k <= r, from the r-th round trip, and is
    even about 0 and pi/2, so the trapezoid rule with n_delta intervals on [0, pi/2] is exact for
    k < 2 n_delta (default 16: round trips to r = 31).  The force is the autodiff derivative of the
    delta-integrated energy.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        n_delta: static number of trapezoid intervals.
        eta, l_max, m_max: as for jaxem.casimir.zero_frequency.zero_frequency_term (multipole engine; truncation
            from ht_truncation on concrete inputs).
    Returns:
        I (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (11.41) and Fig. 11.8 (range [0, pi/2]); plate sum rule of
    Rode et al. (2018).
    """
    from jaxem.casimir.zero_frequency import DEFAULT_ETA, zero_frequency_term, ht_truncation
    from jaxem.materials import PEMC

    n_delta = check_int("n_delta", n_delta, minimum=1)
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    plane = is_plane(R2)
    if l_max is None:
        if not is_concrete((L, R1, R2)):
            raise ValueError("l_max must be given (static) when L, R1, R2 are traced")
        l1, l2, mm = ht_truncation(L, R1, R2, DEFAULT_ETA if eta is None else eta)
        l_max = (l1, max(l2, 1))
        m_max = mm if m_max is None else m_max
    deltas = jnp.linspace(0.0, math.pi / 2.0, n_delta + 1)
    weights = jnp.full(n_delta + 1, (math.pi / 2.0) / n_delta).at[0].multiply(0.5).at[-1].multiply(0.5)

    def integrated_energy(d):
        per = jax.vmap(lambda t: zero_frequency_term(d, R1, R2, PEMC(t), PEMC(0.0), l_max=l_max,
                                                        m_max=m_max))(deltas)
        return jnp.sum(weights * per)

    L = jnp.asarray(L, dtype=jnp.float64)
    Lc = L + R1 if plane else L + R1 + R2
    grad = jnp.vectorize(jax.grad(integrated_energy)) if L.ndim else jax.grad(integrated_energy)
    return -Lc * grad(L)
