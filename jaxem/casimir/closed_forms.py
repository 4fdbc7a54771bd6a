"""Exact zero-frequency (high-temperature) Casimir results for spheres (casimir-spheres.md §2.6-2.9,
pemc-casimir.md §2.8).

All functions return the dimensionless f (or a round-trip part f^(r) = tr M^r / r, or a trace
tr M^r) of F_T = -(k_B T / 2) f: positive f = attraction.  Geometry enters through the conformal
distance y = (Lc^2 - R1^2 - R2^2)/(2 R1 R2) (Lc = L + R1 + R2; sphere--plane y = 1 + L/R) and
the radius ratios alpha_+ = R2/R1, alpha_- = R1/R2 (casimir-spheres.md §1); pass R2 = jnp.inf
for the plane.  Lattice sums over multipoles / round trips use a static number of terms
``n_terms`` (Z^n_terms below double precision needs n_terms ~ 37/mu, mu = arccosh y); the
default is computed from concrete inputs.
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from jaxem._checks import check_int, check_positive, is_concrete

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
    "rational_model_ratio",
    "RATIONAL_MODEL_TABLE_9_3",
    "RATIONAL_MODEL_TABLE_11_1",
]

_ZETA3 = 1.2020569031595942
_LOG_GLAISHER = 0.2487544770337843  # log A, Glaisher-Kinkelin constant A = 1.2824271291...


def _geometry(L, R1, R2):
    """(y - 1, y, z, alpha_+, alpha_-, plane) with y - 1 free of cancellation."""
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    L = jnp.asarray(L, dtype=jnp.float64)
    R1 = jnp.asarray(R1, dtype=jnp.float64)
    plane = is_concrete(R2) and bool(np.all(np.isinf(np.asarray(R2))))
    if plane:
        ym1 = L / R1
        return ym1, 1.0 + ym1, None, None, None, True
    R2 = jnp.asarray(R2, dtype=jnp.float64)
    ym1 = L * (L + 2.0 * R1 + 2.0 * R2) / (2.0 * R1 * R2)
    Lc = L + R1 + R2
    return ym1, 1.0 + ym1, Lc * Lc / (R1 * R2), R2 / R1, R1 / R2, False


def conformal_distance(L, R1, R2):
    """Conformal distance y and geometry parameter u of two spheres (sphere--plane: R2 = inf).

    Arguments: L surface distance [m], R1, R2 radii [m].
    Returns: (y, u), y = 1 + x + u x^2/2 (x = L/R_eff), u = R1 R2/(R1+R2)^2 (0 for a plane).
    casimir-spheres.md §1 (9.16, 9.17).
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
    """Scalar Dirichlet spheres at high temperature: f_sc = -sum_{l>=0} (2l+1) log(1 - Z^{2l+1}).

    Exact, conformally invariant (depends on y only), casimir-spheres.md §2.6 (9.22).
    Arguments: L [m], R1, R2 [m] (R2 = inf: plane); n_terms static number of multipoles.
    Returns: f_sc (F_T = -(k_B T/2) f_sc).
    """
    ym1 = _geometry(L, R1, R2)[0]
    n = _default_terms(ym1, n_terms)
    mu, Z = _mu_Z(ym1)
    l = jnp.arange(n, dtype=jnp.float64)
    return -jnp.sum((2 * l + 1) * jnp.log1p(-jnp.exp(-mu[..., None] * (2 * l + 1))), axis=-1)


def dirichlet_short_distance(mu, n_max: int = 3):
    """Short-distance (mu -> 0) expansion of f_sc to order mu^{2 n_max} (casimir-spheres.md §2.6, D.4).

    f_sc = zeta(3)/(2 mu^2) - log(mu)/12 - 1/12 + log A - log(2)/6
           - sum_n ((2n+1)/(2n)) B_2n B_2n+2 (2^{2n+1} - 1) mu^{2n}/(2n+2)!.
    Arguments: mu = arccosh(y) > 0; n_max static (<= 6).
    """
    from scipy.special import bernoulli

    B = bernoulli(2 * n_max + 2)
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
    """Monopole correction Delta = f_DvD - f_sc of Drude spheres in vacuum (casimir-spheres.md §2.7).

    Sphere--sphere (9.59): Delta = -log[(1 + D_e^(1))(1 + D_e^(2)) - D_o^2] with
    D_e = ((1-g^2)/g) sum_l (Z g)^{2l+1}/(1-Z^{2l+1}), D_o^2 = ((1-g_+^2)(1-g_-^2)/(g_+g_-)) S_0^2;
    sphere--plane (9.62): Delta = log(1-Z) - log[1 - sum_{l>=1}(1-Z^2)(1-Z^{2l})Z^{2l+1}/(1-Z^{2l+1})].
    Arguments: L [m], R1, R2 [m] (R2 = inf: plane); n_terms static.
    Returns: Delta (dimensionless, < 0).
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
    """Drude spheres in vacuum (DvD) at high temperature, exact for any radii: f = f_sc + Delta.

    casimir-spheres.md §2.7 (9.59), sphere--plane (9.62).  Arguments as drude_monopole_term.
    Returns: f_DvD (F_T = -(k_B T/2) f).
    """
    return dirichlet_free_energy_ht(L, R1, R2, n_terms=n_terms) + drude_monopole_term(L, R1, R2, n_terms=n_terms)


def drude_capacitance_matrix(L, R1, R2, *, n_terms=None):
    """Maxwell capacitance coefficients (c11, c22, c12) of two conducting spheres [m] (4 pi eps0 = 1).

    casimir-spheres.md §2.7 (9.56, labels corrected E9): c11 = R1[1 + sum_n 1/(U_n + (R1/R2)U_{n-1})],
    c22 likewise, c12 = -sqrt(R1 R2) D_o; Delta = -log(det C/(R1 R2)).
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
    """Single round trip f^(1) = tr M(0) at high temperature, exact (casimir-spheres.md §2.6-2.8).

    model: 'dirichlet' (9.80) y/(2(y^2-1)); 'drude' (9.87) f_sc^(1) + 1/z - sum 1/(2y + alpha);
    'ded' (dielectric in electrolyte, 9.79; u = 0: 9.82); 'pec' = drude + ded (11.31);
    'pec_pmc' (11.34; u = 0: 11.35) -- the trace of the PEC--PMC cross term, so that a PEMC pair has
    tr M = cos^2(delta) tr M_pec - sin^2(delta) tr M_pec_pmc (11.30).
    Arguments: L [m], R1, R2 [m] (R2 = inf: plane).
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
    """Single round trip tr M(0) of two PEMC spheres, duality-angle difference delta [rad] (11.30).

    tr M = cos^2(delta) tr M_PEC-PEC - sin^2(delta) tr M_PEC-PMC (pemc-casimir.md §2.8).
    """
    c2, s2 = jnp.cos(delta) ** 2, jnp.sin(delta) ** 2
    return c2 * single_round_trip_ht(L, R1, R2, "pec") - s2 * single_round_trip_ht(L, R1, R2, "pec_pmc")


def sphere_plane_double_round_trip_ht(L, R, model: str, delta=0.0):
    """Sphere--plane double round trip tr M^2(0), exact (casimir-spheres.md 9.83; pemc-casimir.md 11.38-39).

    model: 'ded' (2 f^(2) of 9.83), 'pec' (tr M^2_PEC-PEC), 'pec_pmc' (the cross term of 11.39), or
    'pemc': cos^2(2 delta) tr M^2_PEC-PEC - sin^2(2 delta) tr M^2_PEC-PMC (delta [rad]).
    Arguments: L [m], R sphere radius [m].  Returns tr M^2 (f^(2) = tr M^2 / 2).
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


#: Table 9.3 (casimir-spheres.md §2.9, corrected orientation: nu in the numerator).
RATIONAL_MODEL_TABLE_9_3 = {
    ("ded", 2): ((0.004618, 0.09639), (0.004415, 0.08397)),
    ("drude", 2): ((0.011495, 0.19868), (0.011359, 0.16728)),
    ("ded", 4): ((0.000889, 0.02990, 0.02991, 0.08200), (0.000878, 0.02132, 0.05374, 0.05394)),
    ("drude", 4): ((0.031645, 0.08542, 0.08542, 0.16187), (0.029993, 0.10121, 0.10122, 0.10122)),
}
#: Table 11.1 (pemc-casimir.md §2.8), keyed by delta / (pi/6): 0, 1, 2, 3 = 0, pi/6, pi/3, pi/2.
RATIONAL_MODEL_TABLE_11_1 = {
    0: ((0.01148, 0.18511), (0.01103, 0.16069)),
    1: ((0.00020, 0.07213), (0.08928, 0.00021)),
    2: ((0.17655, 0.25447), (0.20505, 0.20505)),
    3: ((0.00468, 0.21056), (0.23221, 0.00471)),
}


def rational_model_ratio(y, nu, mu):
    """Rational model phi(y) = prod_k (e^{y-1} - 1 + nu_k)/(e^{y-1} - 1 + mu_k) of f/f^(1).

    casimir-spheres.md §2.9 (9.89 corrected, Table 9.3), pemc-casimir.md (11.37, Table 11.1):
    f ~ f^(1) phi; phi -> 1 (y -> inf), -> prod nu/mu ~ zeta(3) (y -> 1).
    Arguments: y conformal distance; nu, mu the table rows (sequences).
    """
    e = jnp.expm1(jnp.asarray(y, dtype=jnp.float64) - 1.0)
    out = jnp.ones_like(e)
    for n_k, m_k in zip(nu, mu):
        out = out * (e + n_k) / (e + m_k)
    return out
