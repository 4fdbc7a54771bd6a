"""Exact zero-frequency (high-temperature) Casimir results for spheres: Dirichlet and Drude closed forms,
single/double/triple round trips, round-trip approximations, short-distance expansions for any size
ratio (Table 9.2) and the rational models (Tables 9.3, 11.1).

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024) (cited below as "Schoger"), Ch. 9, Sec. 11.3, App. D and E; published in
Schoger et al., Phys. Rev. Lett. 128, 230602 (2022) and SciPost Phys. Core 4, 011 (2021). The scalar
results reproduce G. Bimonte and T. Emig, Phys. Rev. Lett. 109, 160403 (2012).

All functions return the dimensionless f (or a round-trip part f^(r) = tr M^r / r, or a trace
tr M^r) of F_T = -(k_B T / 2) f: positive f = attraction.  Geometry enters through the conformal
distance y = (Lc^2 - R1^2 - R2^2)/(2 R1 R2) (Lc = L + R1 + R2; sphere--plane y = 1 + L/R) and
the radius ratios alpha_+ = R2/R1, alpha_- = R1/R2 (Schoger Eqs. (9.16)-(9.17), (9.53)); pass R2 = jnp.inf
for the plane.  Lattice sums over multipoles / round trips use a static number of terms
``n_terms`` (Z^n_terms below double precision needs n_terms ~ 37/mu, mu = arccosh y); the
default is computed from concrete inputs.
"""
from __future__ import annotations

import functools
import math

import jax.numpy as jnp
import numpy as np

from jaxem._checks import check_int, check_positive, is_concrete, require_x64
from jaxem.geometry import is_plane
from jaxem.special.polylog import LOG_GLAISHER as _LOG_GLAISHER
from jaxem.special.polylog import ZETA3 as _ZETA3
from jaxem.special.polylog import bernoulli_numbers, clausen_cl2, re_li3_unit_circle

__all__ = [
    "conformal_distance",
    "dirichlet_free_energy_ht",
    "dirichlet_short_distance",
    "drude_monopole_term",
    "drude_free_energy_ht",
    "drude_capacitance_matrix",
    "single_round_trip_ht",
    "pemc_single_round_trip_ht",
    "sphere_plane_double_round_trip_ht",
    "sphere_plane_triple_round_trip_ht",
    "ded_sphere_plane_round_trip_approximation_ht",
    "drude_short_distance_coefficients",
    "drude_monopole_short_distance",
    "short_distance_expansion_ht",
    "rational_model_ratio",
    "RATIONAL_MODEL_TABLE_9_3",
    "RATIONAL_MODEL_TABLE_11_1",
]

def _geometry(L, R1, R2):
    """(y - 1, y, z, alpha_+, alpha_-, plane) with y - 1 free of cancellation."""
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    L = jnp.asarray(L, dtype=jnp.float64)
    R1 = jnp.asarray(R1, dtype=jnp.float64)
    plane = is_plane(R2)
    if plane:
        ym1 = L / R1
        return ym1, 1.0 + ym1, None, None, None, True
    R2 = jnp.asarray(R2, dtype=jnp.float64)
    ym1 = L * (L + 2.0 * R1 + 2.0 * R2) / (2.0 * R1 * R2)
    Lc = L + R1 + R2
    return ym1, 1.0 + ym1, Lc * Lc / (R1 * R2), R2 / R1, R1 / R2, False


def conformal_distance(L, R1, R2):
    """Conformal distance y and geometry parameter u of two spheres (both dimensionless; sphere--plane: R2 = inf).

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
    Returns:
        (y, u), y = 1 + x + u x^2/2 (x = L/R_eff), u = R1 R2/(R1+R2)^2 (0 for a plane).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.4), (9.16), (9.17).
    """
    ym1, y, z, ap, am, plane = _geometry(L, R1, R2)
    if plane:
        return y, jnp.zeros_like(y)
    return y, 1.0 / (ap + am + 2.0)


def _mu_Z(ym1):
    mu = jnp.log1p(ym1 + jnp.sqrt(ym1 * (ym1 + 2.0)))
    return mu, jnp.exp(-mu)


def _default_terms(ym1, n_terms):
    if n_terms is not None:
        return check_int("n_terms", n_terms, minimum=1)
    if not is_concrete(ym1):
        return 4000
    ym1 = float(np.min(np.asarray(ym1)))
    mu = math.log1p(ym1 + math.sqrt(ym1 * (ym1 + 2.0)))
    return int(math.ceil(40.0 / mu)) + 10


def dirichlet_free_energy_ht(L, R1, R2, *, n_terms=None):
    """Scalar Dirichlet spheres at high temperature, dimensionless f_sc = -sum_{l>=0} (2l+1) log(1 - Z^{2l+1}).

    Exact, conformally invariant (depends on y only).

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        n_terms: static number of multipoles (default from concrete inputs).
    Returns:
        f_sc (F_T = -(k_B T/2) f_sc).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.22); Bimonte & Emig, Phys. Rev. Lett. 109, 160403 (2012).
    """
    ym1 = _geometry(L, R1, R2)[0]
    n = _default_terms(ym1, n_terms)
    mu, Z = _mu_Z(ym1)
    l = jnp.arange(n, dtype=jnp.float64)
    return -jnp.sum((2 * l + 1) * jnp.log1p(-jnp.exp(-mu[..., None] * (2 * l + 1))), axis=-1)


def dirichlet_short_distance(mu, n_max: int = 3):
    """Short-distance (mu -> 0) expansion of the dimensionless f_sc to order mu^{2 n_max}.

    f_sc = zeta(3)/(2 mu^2) - log(mu)/12 - 1/12 + log A - log(2)/6
           - sum_n ((2n+1)/(2n)) B_2n B_2n+2 (2^{2n+1} - 1) mu^{2n}/(2n+2)!.

    Arguments:
        mu: arccosh(y) > 0.
        n_max: static (<= 6).
    Returns:
        the approximate f_sc.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.26), (D.4) (terms to mu^4 agree with Bimonte & Emig 2012).
    """
    B = bernoulli_numbers(2 * n_max + 2)
    mu = jnp.asarray(mu, dtype=jnp.float64)
    out = _ZETA3 / (2 * mu**2) - jnp.log(mu) / 12 - 1.0 / 12 + _LOG_GLAISHER - math.log(2) / 6
    for n in range(1, n_max + 1):
        c = (2 * n + 1) / (2 * n) * B[2 * n] * B[2 * n + 2] * (2 ** (2 * n + 1) - 1) / math.factorial(2 * n + 2)
        out = out - c * mu ** (2 * n)
    return out


def _lattice(w, Z, n):
    """sum_{l=0}^{n-1} w^{2l+1} / (1 - Z^{2l+1})."""
    k = 2 * jnp.arange(n, dtype=jnp.float64) + 1
    return jnp.sum(w[..., None] ** k / (-jnp.expm1(k * jnp.log(Z)[..., None])), axis=-1)


def drude_monopole_term(L, R1, R2, *, n_terms=None):
    """Monopole correction Delta = f_DvD - f_sc (dimensionless) of Drude spheres in vacuum.

    Sphere--sphere: Delta = -log[(1 + D_e^(1))(1 + D_e^(2)) - D_o^2] with
    D_e = ((1-g^2)/g) sum_l (Z g)^{2l+1}/(1-Z^{2l+1}), D_o^2 = ((1-g_+^2)(1-g_-^2)/(g_+g_-)) S_0^2;
    sphere--plane: Delta = log(1-Z) - log[1 - sum_{l>=1}(1-Z^2)(1-Z^{2l})Z^{2l+1}/(1-Z^{2l+1})].

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        n_terms: static number of lattice terms.
    Returns:
        Delta (dimensionless, < 0).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.57)-(9.59) (the printed (9.57) lacks the factor
    (g_+ g_-)^{-1/2} of D_o; (9.59) has it) and (9.62) (sphere--plane, the Bimonte--Emig form).
    """
    ym1, y, z, ap, am, plane = _geometry(L, R1, R2)
    n = _default_terms(ym1, n_terms)
    mu, Z = _mu_Z(ym1)
    if plane:
        l = jnp.arange(1, n + 1, dtype=jnp.float64)
        Zc = Z[..., None]
        s = jnp.sum((1 - Zc**2) * (-jnp.expm1(2 * l * jnp.log(Zc))) * Zc ** (2 * l + 1)
                    / (-jnp.expm1((2 * l + 1) * jnp.log(Zc))), axis=-1)
        return jnp.log1p(-Z) - jnp.log1p(-s)
    one_m_z2 = -jnp.expm1(-2 * mu)
    terms = []
    for a in (ap, am):
        one_m_g2 = one_m_z2 / (1 + a * Z)  # 1 - g^2, no cancellation (9.58)
        g = jnp.sqrt(1 - one_m_g2)
        terms.append((one_m_g2, g))
    (p1, g1), (p2, g2) = terms
    De1 = p1 / g1 * _lattice(Z * g1, Z, n)
    De2 = p2 / g2 * _lattice(Z * g2, Z, n)
    S0 = _lattice(Z, Z, n)
    return -jnp.log((1 + De1) * (1 + De2) - p1 * p2 / (g1 * g2) * S0**2)


def drude_free_energy_ht(L, R1, R2, *, n_terms=None):
    """Drude spheres in vacuum (DvD) at high temperature, exact for any radii: dimensionless f = f_sc + Delta.

    Arguments:
        L, R1, R2, n_terms: as for :func:`drude_monopole_term`.
    Returns:
        f_DvD (F_T = -(k_B T/2) f).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.59); sphere--plane Eq. (9.62).
    """
    return dirichlet_free_energy_ht(L, R1, R2, n_terms=n_terms) + drude_monopole_term(L, R1, R2, n_terms=n_terms)


def drude_capacitance_matrix(L, R1, R2, *, n_terms=None):
    """Maxwell capacitance coefficients (c11, c22, c12) of two conducting spheres [m] (units 4 pi eps0 = 1).

    c11 = R1[1 + sum_n 1/(U_n + (R1/R2)U_{n-1})], c22 likewise, c12 = -sqrt(R1 R2) D_o;
    Delta = -log(det C/(R1 R2)).

    Arguments:
        L: surface distance [m].
        R1, R2: finite radii [m].
        n_terms: static number of lattice terms.
    Returns:
        (c11, c22, c12) [m].

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.55)-(9.56) (the labels c11, c22 of (9.56) are swapped);
    Fosco, Lombardo & Mazzitelli, Phys. Rev. D 93, 125015 (2016).
    """
    ym1, y, z, ap, am, plane = _geometry(L, R1, R2)
    if plane:
        raise ValueError("R2 must be finite for a capacitance matrix")
    n = _default_terms(ym1, n_terms)
    mu, Z = _mu_Z(ym1)
    k = jnp.arange(1, n + 1, dtype=jnp.float64)
    # U_n = sinh((n+1) mu)/sinh(mu); 1/U written with exponentials that cannot overflow
    def inv_u_plus(a):
        Zc = Z[..., None]
        num = 1 - Zc**2
        den = (1 - Zc ** (2 * k + 2)) + a[..., None] * Zc * (1 - Zc ** (2 * k))
        return jnp.sum(num * Zc**k / den, axis=-1)
    R1 = jnp.asarray(R1, dtype=jnp.float64)
    R2 = jnp.asarray(R2, dtype=jnp.float64)
    c11 = R1 * (1 + inv_u_plus(am))
    c22 = R2 * (1 + inv_u_plus(ap))
    one_m_z2 = -jnp.expm1(-2 * mu)
    S0 = _lattice(Z, Z, n)
    # D_o = sqrt(rho1 rho2) sum_{n>=0} 1/U_n = sqrt(rho1 rho2) (1 - Z^2) S0 / Z  (9.57)
    Do = jnp.sqrt(1.0 / z) * one_m_z2 * S0 / Z
    c12 = -jnp.sqrt(R1 * R2) * Do
    return c11, c22, c12


def single_round_trip_ht(L, R1, R2, model: str):
    """Single round trip f^(1) = tr M(0) (dimensionless) at high temperature, exact.

    model: 'dirichlet' y/(2(y^2-1)); 'drude' f_sc^(1) + 1/z - sum 1/(2y + alpha);
    'ded' (dielectric in electrolyte); 'pec' = drude + ded; 'pec_pmc' -- the trace of the PEC--PMC
    cross term, so that a PEMC pair has tr M = cos^2(delta) tr M_pec - sin^2(delta) tr M_pec_pmc.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        model: 'dirichlet', 'drude', 'ded', 'pec' or 'pec_pmc'.
    Returns:
        f^(1) = tr M(0).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.80) (dirichlet), (9.87) (drude), (9.79), (9.82) (ded),
    (11.30)-(11.35) (pec, pec_pmc).
    """
    if model not in ("dirichlet", "drude", "ded", "pec", "pec_pmc"):
        raise ValueError(f"model must be one of dirichlet, drude, ded, pec, pec_pmc, got {model!r}")
    ym1, y, z, ap, am, plane = _geometry(L, R1, R2)
    y2m1 = ym1 * (y + 1.0)
    fsc = y / (2.0 * y2m1)
    if model == "dirichlet":
        return fsc
    if plane:
        drude = fsc - 1.0 / (2.0 * y)
        ded = fsc + 0.5 * y * jnp.log(y2m1 / y**2)
        if model == "drude":
            return drude
        if model == "ded":
            return ded
        return drude + ded  # pec and pec_pmc coincide at u = 0 (11.35)
    drude = fsc + 1.0 / z - 1.0 / (2 * y + ap) - 1.0 / (2 * y + am)
    log_core = jnp.log(z**2 * y2m1 / (y * z + 0.5) ** 2)

    def log_sigma(a):
        q = 2 * y**2 + a * y - 1
        r = jnp.sqrt(a * z)
        return jnp.log((q + r) / (q - r))

    ded = fsc + z / 6 * log_core + sum(a ** (-1.5) * log_sigma(a) for a in (ap, am)) / (6 * jnp.sqrt(z))
    if model == "drude":
        return drude
    if model == "ded":
        return ded
    if model == "pec":
        return drude + ded
    return (y / y2m1 + (z - 2 * y) / 2 * log_core
            - sum(1.0 / (2 * y + a) - a ** (-1.5) * log_sigma(a) / (2 * jnp.sqrt(z)) for a in (ap, am)))


def pemc_single_round_trip_ht(L, R1, R2, delta):
    """Single round trip tr M(0) (dimensionless) of two PEMC spheres with duality-angle difference delta [rad].

    tr M = cos^2(delta) tr M_PEC-PEC - sin^2(delta) tr M_PEC-PMC.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        delta: |theta_1 - theta_2| [rad].
    Returns:
        tr M(0).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (11.30).
    """
    c2, s2 = jnp.cos(delta) ** 2, jnp.sin(delta) ** 2
    return c2 * single_round_trip_ht(L, R1, R2, "pec") - s2 * single_round_trip_ht(L, R1, R2, "pec_pmc")


def sphere_plane_double_round_trip_ht(L, R, model: str, delta=0.0):
    """Sphere--plane double round trip tr M^2(0) (dimensionless) at high temperature, exact.

    model: 'ded' (2 f^(2)), 'pec' (tr M^2_PEC-PEC), 'pec_pmc' (the cross term), or
    'pemc': cos^2(2 delta) tr M^2_PEC-PEC - sin^2(2 delta) tr M^2_PEC-PMC (delta [rad]).

    Arguments:
        L: surface distance [m].
        R: sphere radius [m].
        model: 'ded', 'pec', 'pec_pmc' or 'pemc'.
        delta: duality-angle difference [rad] (model 'pemc').
    Returns:
        tr M^2 (f^(2) = tr M^2 / 2).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.83) (which gives f^(2) = tr M^2/2; the factor 1/2 of the mirror
    relation is implicit in the text) and Eqs. (11.38)-(11.39).
    """
    if model not in ("ded", "pec", "pec_pmc", "pemc"):
        raise ValueError(f"model must be one of ded, pec, pec_pmc, pemc, got {model!r}")
    ym1, y = _geometry(L, R, jnp.inf)[:2]
    y2m1 = ym1 * (y + 1.0)
    a = (2 * y**2 - 1) / (4 * y**2 * y2m1)
    lg = jnp.log(y**6 * y2m1 / (y**2 - 0.25) ** 4)
    lc = jnp.log((4 * y**3 - 3 * y + 1) / (4 * y**3 - 3 * y - 1))
    if model == "ded":
        return 2 * ((2 * y**2 - 1) / (16 * y**2 * y2m1) + y**2 / 3 * lg + lc / (12 * y))
    pec = a + 1 / (4 * y**2) + 2 * y**2 / 3 * lg - 2 / (4 * y**2 - 1) + lc / (6 * y)
    cross = a + lg - 2 / (4 * y**2 - 1) + lc / (2 * y)
    if model == "pec":
        return pec
    if model == "pec_pmc":
        return cross
    return jnp.cos(2 * delta) ** 2 * pec - jnp.sin(2 * delta) ** 2 * cross


# ----------------------------------------------------------------------------------------------
# triple round trip, sphere--plane, dielectrics in an electrolyte (App. E)

def _triple_ded_series_coefficients(p_max: int):
    """c_p of tr M^3_ded = sum_p c_p a^p, a = 1/(2y) (sphere--plane; geometric expansion of Schoger Eq. (E.1); derived here).

    tr M^3 = 4 a^3 sum_sigma int_0^1 d^3t prod_j t_j [delta(t_j - 1) - 1] / (1 - a^2 S - 2 sigma a^3 P),
    S = sum t_j^2, P = t_1 t_2 t_3: expanding 1/(1 - w) and summing sigma keeps even powers j of P,
    c_{3 + 2n + 3j} += 8 C(n + j, j) 2^j <S^n P^j>, <S^n P^j> = n! [x^n] (sum_m h(2m + j) x^m/m!)^3,
    h(q) = int_0^1 dt t^{q+1} [delta(t - 1) - 1] = q / (2 (q + 2)) (endpoint delta = 1/2).
    All c_p >= 0 (no cancellation); the series converges for a < 1/2 (y > 1).
    """
    c = np.zeros(p_max + 1)
    h = lambda q: q / (2.0 * (q + 2.0))  # noqa: E731

    def binomial_convolution(f, g):  # exponential generating functions: (f g)_n = sum C(n,k) f_k g_{n-k}
        return np.array([sum(math.comb(n, k) * f[k] * g[n - k] for k in range(n + 1)) for n in range(len(f))])

    for j in range(0, p_max, 2):
        n_top = (p_max - 3 - 3 * j) // 2
        if n_top < 0:
            break
        a = np.array([h(2 * m + j) for m in range(n_top + 1)])
        s3 = binomial_convolution(binomial_convolution(a, a), a)  # <S^n P^j>
        for n in range(n_top + 1):
            c[3 + 2 * n + 3 * j] += 8.0 * float(math.comb(n + j, j)) * 2.0**j * s3[n]
    return c


_TRIPLE_SERIES_P_MAX = 400


@functools.lru_cache(maxsize=1)
def _triple_series():
    return _triple_ded_series_coefficients(_TRIPLE_SERIES_P_MAX)  # ~1 s, computed on first use

_TRIPLE_SWITCH_Y = 1.08  # series for y >= 1.08 (a <= 0.463: terms ~ 0.926^p, 400 orders), closed form below


def _triple_ded_closed_form(ym1):
    """Schoger Eq. (E.18), logs written through y - 1 (no cancellation as y -> 1)."""
    y = 1.0 + ym1
    y2 = y * y
    w = 4 * y2 - 1
    i0 = y * (4 * y2 - 3) / (2 * w**2 * ym1 * (y + 1))
    log_a = jnp.log1p(-1.0 / (4 * y2))
    log_b = jnp.log1p(-1.0 / (2 * y2))
    log_c = jnp.log(ym1) + jnp.log1p(y) - 2 * jnp.log(y)  # log(1 - 1/y^2)
    two_alpha = 2 * jnp.arcsin(1.0 / (2 * y))
    # Li_n(-e^{i phi}) = Li_n(e^{i (phi + pi)})
    li3 = lambda k: re_li3_unit_circle(k * two_alpha + jnp.pi)  # noqa: E731
    cl2 = lambda k: clausen_cl2(k * two_alpha + jnp.pi)  # noqa: E731
    re_part = li3(3) - 6 * li3(2) + 15 * li3(1) + 7.5 * _ZETA3  # -10 Li_3(-1) = +10 (3/4) zeta(3)
    im_part = cl2(3) - 4 * cl2(2) + 5 * cl2(1)
    brace = (12 * (32 * y2**2 - 12 * y2 + 1) * log_a - 12 * (24 * y2**2 - 14 * y2 + 1) * log_b
             + 3 * (16 * y2**2 - 16 * y2 + 1) * log_c - 2 * y2 * w * re_part - 12 * y2 * jnp.sqrt(w) * im_part)
    return i0 + y / (2 * w) * brace


def _triple_ded_series(y):
    a = 1.0 / (2.0 * y)
    return jnp.polyval(jnp.asarray(_triple_series()[::-1]), a)


def sphere_plane_triple_round_trip_ht(L, R, model: str = "ded"):
    """Sphere--plane triple round trip tr M^3(0) (dimensionless) at high temperature, exact.

    model 'ded' (dielectric sphere and plane in an electrolyte, static TM reflections X(l) = -l/(l+1)
    and r_p = -1): tr M^3 = I_0 + I_1 + I_2 + I_3, with a = 1/(2y), y = 1 + L/R,
    e^{2 i alpha} = (2y^2 - 1 + i sqrt(4y^2 - 1))/(2y^2); the three-round-trip part of f is
    f^(3) = tr M^3 / 3.
    model 'dirichlet': I_0 = y(4y^2 - 3)/(2(4y^2 - 1)^2 (y^2 - 1)) = tr M_sc^3 (= 3 f_sc^(3)).
    Numerics: the closed form is a difference of O(y^3) terms equal to O(y^-9), so for y >= 1.08 the
    power series in a = 1/(2y) of the integral representation (E.1) is summed instead (positive
    coefficients, computed once on first use, 400 orders, converging like (2a)^p). Measured errors:
    docs/accuracy.md.

    Arguments:
        L: surface distance [m].
        R: sphere radius [m].
        model: 'ded' or 'dirichlet'.
    Returns:
        tr M^3 (dimensionless, > 0).

    Source: Schoger, Dissertation (Augsburg 2024), App. E, Eqs. (E.1), (E.5)-(E.18) (the printed (E.18) is tr M^3, not
    f^(3)); the series form is derived here and checked against the closed form in
    tests/test_casimir_closed_forms.py.
    """
    if model not in ("ded", "dirichlet"):
        raise ValueError(f"model must be 'ded' or 'dirichlet', got {model!r}")
    ym1, y = _geometry(L, R, jnp.inf)[:2]
    if model == "dirichlet":
        return y * (4 * y**2 - 3) / (2 * (4 * y**2 - 1) ** 2 * ym1 * (y + 1.0))
    near = ym1 < _TRIPLE_SWITCH_Y - 1.0
    ym1_near = jnp.where(near, ym1, 0.25)
    y_far = jnp.where(near, _TRIPLE_SWITCH_Y, y)
    return jnp.where(near, _triple_ded_closed_form(ym1_near), _triple_ded_series(y_far))


def ded_sphere_plane_round_trip_approximation_ht(L, R, r_max: int = 3, *, improved: bool = False,
                                                 n_terms=None):
    """Round-trip approximations of the dimensionless f_ded for a sphere and a plane in an electrolyte.

    improved=False: f_ded,r_max = sum_{r=1}^{r_max} f^(r), r_max in {1, 2, 3}, from the exact
    single, double and triple round trips.
    improved=True: f_sc + sum_{r=1}^{3} (f_ded^(r) - f_sc^(r)), with the exact scalar f_sc
    and f_sc^(r) = T_r(y)/(2r(T_r^2 - 1)) = cosh(r mu)/(2r sinh^2(r mu)).

    Arguments:
        L: surface distance [m].
        R: sphere radius [m].
        r_max: static, 1, 2 or 3.
        improved: the improved approximation (9.85).
        n_terms: as for :func:`dirichlet_free_energy_ht`.
    Returns:
        the approximate f (F_T = -(k_B T/2) f).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.84), (9.85), with (9.82), (9.83), (E.18) and (9.22).
    """
    r_max = check_int("r_max", r_max, minimum=1)
    if r_max > 3:
        raise ValueError(f"r_max must be 1, 2 or 3, got {r_max}")
    parts = [single_round_trip_ht(L, R, jnp.inf, "ded"),
             sphere_plane_double_round_trip_ht(L, R, "ded") / 2.0,
             sphere_plane_triple_round_trip_ht(L, R, "ded") / 3.0]
    if not improved:
        return sum(parts[:r_max])
    ym1 = _geometry(L, R, jnp.inf)[0]
    mu = _mu_Z(ym1)[0]
    f_sc_r = [jnp.cosh(r * mu) / (2 * r * jnp.sinh(r * mu) ** 2) for r in (1, 2, 3)]
    return dirichlet_free_energy_ht(L, R, jnp.inf, n_terms=n_terms) + sum(p - s for p, s in zip(parts, f_sc_r))


# ----------------------------------------------------------------------------------------------
# short-distance expansions (Schoger Sec. 9.2-9.3.4, App. D, Table 9.2)

_EULER_GAMMA = 0.5772156649015329
_GAMMA1 = _EULER_GAMMA + math.log(2.0)


def _short_distance_coefficients_v0(v0):
    """(epsilon_n, delta_n), n = 0, 1, 2, of Schoger Eq. (9.67) from v0 = sqrt(1 - 4u)/2 (either sign)."""
    from jax.scipy.special import digamma, polygamma

    v0 = jnp.asarray(v0, dtype=jnp.float64)
    u = 0.25 - v0 * v0
    v1 = -v0 * u / 3.0
    v2 = -v0 * u * (1.0 - 12.0 * u) / 60.0
    psi0, psi1, psi2 = {}, {}, {}
    for s in (1, -1):
        arg = 1.5 + s * v0
        t1 = polygamma(1, arg)
        psi0[s] = digamma(arg) + _EULER_GAMMA
        psi1[s] = s * v1 * t1
        psi2[s] = s * v2 * t1 + 0.5 * v1**2 * polygamma(2, arg)
    Ps = (psi0, psi1, psi2)

    def phi(n, m):
        return (0.5 + v0) ** m * Ps[n][1] + (0.5 - v0) ** m * Ps[n][-1]

    def theta(n, m):
        return Ps[n][1] * Ps[m][-1] + Ps[m][1] * Ps[n][-1]

    a = 1.0 - 3.0 * u
    b = 1.0 - 15.0 * u * a
    e0 = 1.0 - u * phi(0, 0)
    d0 = 1.0 - phi(0, 1) + 0.5 * u * theta(0, 0)
    e1 = a * (1.0 - 2.0 * u * phi(0, 0)) + u * (1.0 - u - 6.0 * phi(1, 0))
    bracket = 6.0 * theta(0, 1) - (13.0 - 6.0 * u) / 12.0 * phi(0, 0) + phi(0, 1)
    d1 = ((13.0 - 30.0 * u) / 12.0 - 6.0 * phi(1, 1) + a * (u * theta(0, 0) - phi(0, 1)) + u * bracket)
    e2 = (-120.0 * u * phi(2, 0) - u * (14.0 - 22.0 * u - 73.0 * u**2) / 6.0 + b * (1.0 - 2.0 * u * phi(0, 0))
          - 10.0 * u * a**2 / 3.0 * phi(0, 0) + 20.0 * u * a / 3.0 * (1.0 - u - 6.0 * phi(1, 0)))
    d2 = (10.0 * a / 3.0 * ((13.0 - 30.0 * u) / 12.0 - 6.0 * phi(1, 1)) + 120.0 * (u * theta(0, 2) - phi(2, 1))
          - (833.0 + 120.0 * u - 2190.0 * u**2) / 360.0 * (1.0 - u * phi(0, 0))
          + u * (7.0 + 13.0 * u) / 3.0 * (2.0 - phi(0, 1)) - b * (phi(0, 1) - u * theta(0, 0))
          + 5.0 * u * a**2 / 3.0 * theta(0, 0) + 20.0 * u * a / 3.0 * bracket + 60.0 * u * theta(1, 1)
          - 5.0 * u * (13.0 - 6.0 * u) / 3.0 * phi(1, 0) + 20.0 * u * phi(1, 1)
          + 5.0 * u * (1.0 + 5.0 * u + 3.0 * u**2) / 18.0)
    return jnp.stack([e0, e1, e2], axis=-1), jnp.stack([d0, d1, d2], axis=-1)


def drude_short_distance_coefficients(u):
    """Coefficients epsilon_n(u), delta_n(u) (dimensionless), n = 0, 1, 2, of the short-distance monopole term.

    With v0 = sqrt(1 - 4u)/2, v1 = -v0 u/3, v2 = -v0 u (1 - 12u)/60, Psi_n^(+-) from the digamma
    function and its derivatives at 3/2 +- v0.  Table 9.2: u = 0: epsilon = (1, 1, 1),
    delta = (0, 1/12, 107/360); u = 1/4: epsilon_0 = log 2, delta_0 = log^2 2, ...
    Differentiable in u for u < 1/4; at u = 1/4 exactly the derivative through sqrt(1 - 4u) is
    dropped (use drude_monopole_short_distance, which works from the radii and is smooth there).

    Arguments:
        u: R1 R2/(R1 + R2)^2 in [0, 1/4] (0: sphere--plane, 1/4: equal spheres).
    Returns:
        (epsilon, delta), each of shape u.shape + (3,).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.67), App. D, Eqs. (D.10)-(D.12), (D.32), (D.34)-(D.38) and
    Table 9.2 (checked in tests/test_casimir_closed_forms.py).
    """
    require_x64()
    if is_concrete(u):
        arr = np.asarray(u, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 0.25):
            raise ValueError(f"u must be in [0, 1/4], got {u!r}")
    w = 1.0 - 4.0 * jnp.asarray(u, dtype=jnp.float64)
    pos = w > 0
    v0 = jnp.where(pos, 0.5 * jnp.sqrt(jnp.where(pos, w, 1.0)), 0.0)
    return _short_distance_coefficients_v0(v0)


def drude_monopole_short_distance(L, R1, R2, *, order: int = 2, expanded: bool = False):
    """Short-distance expansion of the Drude monopole term Delta = f_DvD - f_sc (dimensionless), any radii.

    Delta = -log[ sum_{n=0}^{order} E_n mu^{2n}/(2n+1)! ],  E_n = epsilon_n(u)(gamma_1 - log mu) + delta_n(u),
    gamma_1 = gamma_E + log 2, mu = arccosh y; expanded=True gives the re-expanded form
    -{log E_0 + (E_1/E_0) mu^2/6 + [3 E_2/E_0 - 5 E_1^2/E_0^2] mu^4/360}, truncated after mu^{2 order}.
    Error O(mu^{2 order + 2}) up to powers of log mu (measured values: docs/accuracy.md).  u = 0
    reproduces Bimonte--Emig.  The size ratio enters through v0 = (R2 - R1)/(2(R1 + R2)) (the
    coefficients are even in v0), which keeps derivatives in R1, R2 finite at R1 = R2.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        order: static in {0, 1, 2}.
        expanded: use the re-expanded form (9.68).
    Returns:
        the approximate Delta (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.67)/(D.33), (9.68), Table 9.2; u = 0: Eqs. (9.69)-(9.70)
    (Bimonte & Emig, Phys. Rev. Lett. 109, 160403 (2012)).
    """
    order = check_int("order", order, minimum=0)
    if order > 2:
        raise ValueError(f"order must be 0, 1 or 2 (the terms are known to mu^4), got {order}")
    ym1, y, z, ap, am, plane = _geometry(L, R1, R2)
    mu = _mu_Z(ym1)[0]
    if plane:
        v0 = jnp.full_like(mu, 0.5)
    else:
        R1 = jnp.asarray(R1, dtype=jnp.float64)
        R2 = jnp.asarray(R2, dtype=jnp.float64)
        v0 = (R2 - R1) / (2.0 * (R1 + R2))
    eps, dlt = _short_distance_coefficients_v0(v0)
    lg = _GAMMA1 - jnp.log(mu)
    E = [eps[..., n] * lg + dlt[..., n] for n in range(3)]
    mu2 = mu * mu
    if not expanded:
        s = E[0]
        if order >= 1:
            s = s + E[1] * mu2 / 6.0
        if order >= 2:
            s = s + E[2] * mu2**2 / 120.0
        return -jnp.log(s)
    out = jnp.log(E[0])
    if order >= 1:
        out = out + E[1] / E[0] * mu2 / 6.0
    if order >= 2:
        out = out + (3.0 * E[2] / E[0] - 5.0 * (E[1] / E[0]) ** 2) * mu2**2 / 360.0
    return -out


def short_distance_expansion_ht(L, R1, R2, model: str, *, order: int = 2):
    """Short-distance (y -> 1) expansion of the high-temperature f for any size ratio.

    model 'dirichlet': f_sc to order mu^{2 order} (conformally invariant, no u dependence);
    'drude': f_DvD = f_sc + Delta (Table 9.2 coefficients as functions of u), order <= 2,
    error O(mu^{2 order + 2}) up to logs;
    'ded': only the leading (PFA) term zeta(3)/(4(y - 1)) is known; order must be 0.
    mu = arccosh y, y = 1 + x + u x^2/2, x = L/R_eff.

    Arguments:
        L: surface distance [m].
        R1, R2: radii [m] (R2 = inf: plane).
        model: 'dirichlet', 'drude' or 'ded'.
        order: static.
    Returns:
        the approximate f (dimensionless; F_T = -(k_B T/2) f).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (D.4) (dirichlet), (9.67) (drude), (9.88) (ded).
    """
    order = check_int("order", order, minimum=0)
    if model not in ("dirichlet", "drude", "ded"):
        raise ValueError(f"model must be one of dirichlet, drude, ded, got {model!r}")
    ym1 = _geometry(L, R1, R2)[0]
    if model == "ded":
        if order != 0:
            raise ValueError("order: only the leading term (order = 0) of the ded expansion is known")
        return _ZETA3 / (4.0 * ym1)
    mu = _mu_Z(ym1)[0]
    f_sc = dirichlet_short_distance(mu, n_max=order)
    if model == "dirichlet":
        return f_sc
    return f_sc + drude_monopole_short_distance(L, R1, R2, order=order)


#: Schoger, Table 9.3, with nu in the numerator (the printed Eq. (9.89) swaps nu and mu; only this
#: orientation gives phi(1) = zeta(3)).
RATIONAL_MODEL_TABLE_9_3 = {
    ("ded", 2): ((0.004618, 0.09639), (0.004415, 0.08397)),
    ("drude", 2): ((0.011495, 0.19868), (0.011359, 0.16728)),
    ("ded", 4): ((0.000889, 0.02990, 0.02991, 0.08200), (0.000878, 0.02132, 0.05374, 0.05394)),
    ("drude", 4): ((0.031645, 0.08542, 0.08542, 0.16187), (0.029993, 0.10121, 0.10122, 0.10122)),
}
#: Schoger, Table 11.1, keyed by delta / (pi/6): 0, 1, 2, 3 = 0, pi/6, pi/3, pi/2.
RATIONAL_MODEL_TABLE_11_1 = {
    0: ((0.01148, 0.18511), (0.01103, 0.16069)),
    1: ((0.00020, 0.07213), (0.08928, 0.00021)),
    2: ((0.17655, 0.25447), (0.20505, 0.20505)),
    3: ((0.00468, 0.21056), (0.23221, 0.00471)),
}


def rational_model_ratio(y, nu, mu):
    """Rational model phi(y) = prod_k (e^{y-1} - 1 + nu_k)/(e^{y-1} - 1 + mu_k) of f/f^(1) (dimensionless).

    f ~ f^(1) phi; phi -> 1 (y -> inf), -> prod nu/mu ~ zeta(3) (y -> 1).

    Arguments:
        y: conformal distance.
        nu, mu: the table rows (sequences).
    Returns:
        phi(y).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.89) with nu and mu exchanged (so that phi(1) = zeta(3) with the
    values of Table 9.3) and Eq. (11.37) (Table 11.1).
    """
    e = jnp.expm1(jnp.asarray(y, dtype=jnp.float64) - 1.0)
    out = jnp.ones_like(e)
    for n_k, m_k in zip(nu, mu):
        out = out * (e + n_k) / (e + m_k)
    return out
