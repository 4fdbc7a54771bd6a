"""Zero-frequency closed forms and PEMC results vs the full engine (casimir-spheres.md §2.6-2.8,
App. D-E; pemc-casimir.md §2.6, §2.9).  Tolerances are stated per test.

The multipole engine is called with its truncation fixed from the geometry (Multipole(eta).sized_for:
l_max, m_max): that pins the exact static multipole route, whose accuracy is documented.
"""
import math

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest

import jaxem
from helpers import geometry
from jaxem import Multipole, casimir_zero_frequency_term
from jaxem.casimir import closed_forms as cf
from jaxem.casimir import pemc as pm
from jaxem.casimir import round_trip_traces
from jaxem.materials import PEMC, Dielectric, Dirichlet, Drude
from jaxem.special import clausen_cl2
from reference import mp_clausen_cl2, mp_re_polylog_unit_circle, mp_sphere_plane_triple_round_trip

INF = jnp.inf
DRUDE = Drude(1.37e16, 5.3e13)
Z3 = 1.2020569031595942
GAMMA1 = 0.5772156649015329 + math.log(2.0)


def _f_engine(L, R1, R2, m1, m2, eta=14, medium=None):
    """f = -2 F/(k_B T) of the multipole engine (truncation l_max, m_max of eta)."""
    g = geometry(L, R1, R2, m1, m2, medium=medium)
    return -2.0 * float(casimir_zero_frequency_term(g, engine=Multipole(eta=eta).sized_for(g)))


def _traces(L, R1, R2, m1, m2, r_max, eta=14, medium=None):
    g = geometry(L, R1, R2, m1, m2, medium=medium)
    return np.asarray(round_trip_traces(g, r_max, engine=Multipole(eta=eta).sized_for(g)))


def _rel(a, b):
    return abs(float(a) / float(b) - 1.0)


def _geometry_for(mu, u):
    """(L, R1, R2) with arccosh(y) = mu and size parameter u (R1 = 1)."""
    ym1 = math.cosh(mu) - 1.0
    if u == 0:
        return ym1, 1.0, INF
    a = (1 - 2 * u + math.sqrt(1 - 4 * u)) / (2 * u)
    x = 2 * ym1 / (1 + math.sqrt(1 + 2 * u * ym1))  # root of y - 1 = x + u x^2 / 2
    return x * a / (1 + a), 1.0, a


# --- triple round trip (App. E) -------------------------------------------------------------------

def test_triple_round_trip_vs_spec_numbers_and_mpmath():
    # casimir-spheres.md §4.B: tr M^3 (E.18) at y = 1.02, 1.2, 2, 5; mpmath (40 digits) of E.18 elsewhere
    for y, ref in [(1.02, 0.693655729178), (1.2, 5.98593057379e-3), (2.0, 9.32674915774e-6),
                   (5.0, 1.37811099e-9)]:
        assert _rel(cf.sphere_plane_triple_round_trip_ht(y - 1.0, 1.0), ref) <= 1e-8
    for y in (1.0001, 1.005, 1.05, 1.0799, 1.0801, 1.3, 3.0, 30.0):
        assert _rel(cf.sphere_plane_triple_round_trip_ht(y - 1.0, 1.0), mp_sphere_plane_triple_round_trip(y)) <= 1e-12
    # large distance: tr M^3 -> (5/4) a^9, a = 1/(2y) (series leading coefficient)
    y = 1e3
    assert _rel(cf.sphere_plane_triple_round_trip_ht(y - 1.0, 1.0), 1.25 / (2 * y) ** 9) <= 2e-5
    # the Clausen function used for Im Li_2 on the unit circle
    for phi in (0.3, 2.0, 3.1, 4.0, -1.0, 7.5):
        assert abs(float(clausen_cl2(phi)) - mp_clausen_cl2(phi)) <= 3e-15
    # scalar part I_0 = tr M_sc^3 = 3 f_sc^(3) = T_3/(2(T_3^2 - 1)) (E.5)
    mu = np.arccosh(1.3)
    assert _rel(cf.sphere_plane_triple_round_trip_ht(0.3, 1.0, "dirichlet"),
                np.cosh(3 * mu) / (2 * np.sinh(3 * mu) ** 2)) <= 1e-13


@pytest.mark.parametrize("L,eta", [(0.1, 20), (0.2, 14), (1.0, 14)])
def test_triple_round_trip_vs_engine_traces(L, eta):
    # sphere--plane, dielectrics in an electrolyte (X = -l/(l+1), r_p = -1) and Dirichlet; rel 1e-10
    tr = _traces(L, 1.0, INF, Dielectric(3.0), Dielectric(2.0), 3, eta=eta, medium=DRUDE)
    assert _rel(tr[2], cf.sphere_plane_triple_round_trip_ht(L, 1.0, "ded")) <= 1e-10
    tr = _traces(L, 1.0, INF, Dirichlet(), Dirichlet(), 3, eta=eta)
    assert _rel(tr[2], cf.sphere_plane_triple_round_trip_ht(L, 1.0, "dirichlet")) <= 1e-10


def test_triple_round_trip_autodiff_jit_vmap():
    fn = lambda L: cf.sphere_plane_triple_round_trip_ht(L, 1.0)  # noqa: E731
    Ls = jnp.array([0.03, 0.0799, 0.0801, 0.5, 4.0])   # both sides of the closed-form/series switch
    loop = np.array([float(fn(float(L))) for L in Ls])
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(fn))(Ls)), loop, rtol=1e-13)
    g = jax.vmap(jax.grad(fn))(Ls)
    h = 1e-6
    fd = np.array([(float(fn(float(L) + h)) - float(fn(float(L) - h))) / (2 * h) for L in Ls])
    np.testing.assert_allclose(np.asarray(g), fd, rtol=1e-6)


def test_ded_round_trip_approximations_vs_engine_and_spec():
    # casimir-spheres.md §4.B: f_rmax/f_exact at y - 1 = 0.1 / 1: r_max = 1: 0.9362 / 0.9935,
    # r_max = 2: 0.9918 / 0.99993, r_max = 3: 0.9986 / 0.999999; (9.85)/exact: 1.0527 / 1.0358 (4 digits)
    refs = {0.1: (0.9362, 0.9918, 0.9986, 1.0527), 1.0: (0.9935, 0.99993, 0.999999, 1.0358)}
    for L, ref in refs.items():
        f = _f_engine(L, 1.0, INF, Dielectric(3.0), Dielectric(2.0), eta=14 if L < 1 else 10, medium=DRUDE)
        for r_max in (1, 2, 3):
            approx = cf.ded_sphere_plane_round_trip_approximation_ht(L, 1.0, r_max)
            assert abs(float(approx) / f - ref[r_max - 1]) <= 6e-5
        improved = cf.ded_sphere_plane_round_trip_approximation_ht(L, 1.0, improved=True)
        assert abs(float(improved) / f - ref[3]) <= 6e-5


# --- short-distance expansions (Sec. 9.2-9.3.4, App. D, Table 9.2) ------------------------------------

def test_short_distance_coefficients_table_9_2():
    l2 = math.log(2.0)
    eps, dlt = cf.drude_short_distance_coefficients(jnp.array([0.0, 0.25]))
    np.testing.assert_allclose(np.asarray(eps[0]), [1, 1, 1], atol=1e-14)
    np.testing.assert_allclose(np.asarray(dlt[0]), [0, 1 / 12, 107 / 360], atol=1e-14)
    np.testing.assert_allclose(np.asarray(eps[1]), [l2, (l2 - 1 / 8) / 2, (l2 - 47 / 128) / 3], atol=1e-14)
    np.testing.assert_allclose(np.asarray(dlt[1]), [l2**2, (l2**2 - l2 / 12) / 2,
                                                    (l2**2 - 83 / 320 * l2 - 5 / 384) / 3], atol=1e-14)
    # intermediate u (casimir-spheres.md §2.7, 6 digits)
    table = {0.04: ((0.958425, 0.843927, 0.455945), (0.067694, 0.181413, 0.390590)),
             0.1: ((0.890386, 0.630993, -0.005082), (0.176111, 0.282974, 0.289809)),
             0.2: ((0.762954, 0.363493, -0.031399), (0.373981, 0.294901, -0.026114))}
    for u, (e_ref, d_ref) in table.items():
        e, d = cf.drude_short_distance_coefficients(u)
        np.testing.assert_allclose(np.asarray(e), e_ref, atol=1.5e-6)
        np.testing.assert_allclose(np.asarray(d), d_ref, atol=1.5e-6)
    us = jnp.array([0.04, 0.1, 0.2])
    e_v, d_v = jax.jit(jax.vmap(cf.drude_short_distance_coefficients))(us)
    np.testing.assert_allclose(np.asarray(e_v[1]), np.asarray(cf.drude_short_distance_coefficients(0.1)[0]), rtol=1e-13)
    # beta(delta, u) vmaps over both arguments
    b = jax.vmap(pm.pemc_beyond_pfa_coefficient)(jnp.array([0.0, 0.5]), jnp.array([0.0, 0.25]))
    np.testing.assert_allclose(np.asarray(b), [float(pm.pemc_beyond_pfa_coefficient(0.0, 0.0)),
                                               float(pm.pemc_beyond_pfa_coefficient(0.5, 0.25))], rtol=1e-14)
    with pytest.raises(ValueError, match="u"):
        cf.drude_short_distance_coefficients(0.3)


def test_monopole_expansion_u0_equals_bimonte_emig():
    # (9.69)-(9.70) with gamma_2..gamma_4: an independent algebraic form of the u = 0 expansion
    g1 = GAMMA1
    g2 = g1 + 1 / 12
    g3 = (5 * g2**2 - 3 * g1**2 - 107 / 120 * g1) / 2
    g4 = 5 * g2 - 3 * g1 - 107 / 240
    for L in (0.01, 0.05, 0.2):
        mu = math.acosh(1 + L)
        lm = math.log(mu)
        be = -(math.log(g1 - lm) + (-g2 + lm) / (-g1 + lm) * mu**2 / 6
               - (g3 - g4 * lm + lm**2) / (-g1 + lm) ** 2 * mu**4 / 180)
        assert abs(float(cf.drude_monopole_short_distance(L, 1.0, INF, expanded=True)) - be) <= 1e-14


@pytest.mark.parametrize("u", [0.0, 0.04, 0.1, 0.25])
def test_monopole_expansion_error_order_vs_exact(u):
    # exact Delta (9.59/9.62) minus (9.67) at order n: O(mu^{2n+2}) up to logs; fitted exponent
    # between mu = 0.1 and 0.05 within 0.35 of 2n + 2; spec value at u = 0.1, mu = 0.1: 1.26e-3, 6.7e-8, 1.2e-10
    errs = {}
    for mu in (0.1, 0.05):
        L, R1, R2 = _geometry_for(mu, u)
        exact = float(cf.drude_monopole_term(L, R1, R2))
        errs[mu] = [exact - float(cf.drude_monopole_short_distance(L, R1, R2, order=n)) for n in (0, 1, 2)]
    for n in (0, 1, 2):
        p = math.log(abs(errs[0.1][n] / errs[0.05][n])) / math.log(2.0)
        assert abs(p - (2 * n + 2)) <= 0.35, (n, p)
    if u == 0.1:
        np.testing.assert_allclose(np.abs(errs[0.1]), [1.26e-3, 6.7e-8, 1.2e-10], rtol=0.05)


@pytest.mark.parametrize("R2", [2.0, pytest.param(INF, marks=pytest.mark.slow),
                                pytest.param(1.0, marks=pytest.mark.slow)])
def test_drude_short_distance_expansion_vs_engine(R2):
    # full engine (Drude, eta = 14, ~1e-12) at R/L = 10 and 20: the error of the order-n expansion
    # shrinks like mu^{2n+2} (fitted exponent within 0.35); R2 = 2 R1 is u = 2/9 (general size ratio)
    errs, mus = [], []
    for RL in (10.0, 20.0):
        L = 1.0 / RL
        f = _f_engine(L, 1.0, R2, DRUDE, DRUDE, eta=14)
        assert _rel(f, cf.drude_free_energy_ht(L, 1.0, R2)) <= 1e-10
        y, _ = cf.conformal_distance(L, 1.0, R2)
        mus.append(math.acosh(float(y)))
        errs.append([f - float(cf.short_distance_expansion_ht(L, 1.0, R2, "drude", order=n)) for n in (0, 1, 2)])
    for n in (0, 1, 2):
        p = math.log(abs(errs[0][n] / errs[1][n])) / math.log(mus[0] / mus[1])
        assert abs(p - (2 * n + 2)) <= 0.35, (n, p)
    assert abs(errs[1][2]) <= 5e-7


def test_dirichlet_and_ded_short_distance_vs_exact():
    # Dirichlet (D.4) is u-independent: order n error O(mu^{2n+2}) (fitted exponent within 0.2)
    errs = {}
    for mu in (0.4, 0.2):
        L, R1, R2 = _geometry_for(mu, 0.1)
        exact = float(cf.dirichlet_free_energy_ht(L, R1, R2))
        errs[mu] = [exact - float(cf.short_distance_expansion_ht(L, R1, R2, "dirichlet", order=n)) for n in (0, 1)]
    for n in (0, 1):
        assert abs(math.log2(errs[0.4][n] / errs[0.2][n]) - (2 * n + 2)) <= 0.2
    # ded: only the leading term zeta(3)/(4(y-1)) is in the spec; its relative error shrinks
    # (engine, sphere--plane, R/L = 10 -> 20)
    rel = []
    for L in (0.1, 0.05):
        f = _f_engine(L, 1.0, INF, Dielectric(3.0), Dielectric(2.0), eta=10, medium=DRUDE)
        rel.append(abs(float(cf.short_distance_expansion_ht(L, 1.0, INF, "ded", order=0)) / f - 1))
    assert rel[1] < rel[0] / 1.4  # O(x log x) relative: the next (log) term is not in the spec
    with pytest.raises(ValueError, match="order"):
        cf.short_distance_expansion_ht(0.1, 1.0, INF, "ded", order=1)


def test_short_distance_expansion_differentiable_at_equal_radii():
    g = jax.grad(lambda R2: cf.drude_monopole_short_distance(0.05, 1.0, R2))(1.0)
    h = 1e-6
    fd = (float(cf.drude_monopole_short_distance(0.05, 1.0, 1.0 + h))
          - float(cf.drude_monopole_short_distance(0.05, 1.0, 1.0 - h))) / (2 * h)
    assert np.isfinite(float(g)) and abs(float(g) - fd) <= 1e-7
    gl = jax.grad(lambda L: cf.short_distance_expansion_ht(L, 1.0, 2.0, "drude"))(0.05)
    fdl = (float(cf.short_distance_expansion_ht(0.05 + h, 1.0, 2.0, "drude"))
           - float(cf.short_distance_expansion_ht(0.05 - h, 1.0, 2.0, "drude"))) / (2 * h)
    assert abs(float(gl) / fdl - 1) <= 1e-6


# --- PEMC: beyond-PFA coefficient (T = 0) ------------------------------------------------------------

def test_beyond_pfa_coefficient_spec_values():
    pi = math.pi
    # pemc-casimir.md §4 rows 13-16
    assert abs(float(pm.pemc_beyond_pfa_coefficient(0.0, 0.0)) - (1 / 3 - 20 / pi**2)) <= 1e-14
    # (the spec's decimal "-1.69315" is off in the 5th digit: 1/3 - 20/pi^2 = -1.6930903)
    assert abs(float(pm.pemc_beyond_pfa_coefficient(0.0, 0.0)) + 1.6930903) <= 1e-7
    assert abs(float(pm.pemc_beyond_pfa_coefficient(pi / 2, 0.25)) - (1 / 3 - 0.25 - 80 / (7 * pi**2))) <= 1e-14
    # beta_diff = (3/4)(beta - 1/3 + u) = -Re Li2 / Re Li4 (mpmath)
    for d in (0.2, 0.7, 1.3):
        bd = 0.75 * (float(pm.pemc_beyond_pfa_coefficient(d, 0.1)) - 1 / 3 + 0.1)
        ref = -mp_re_polylog_unit_circle(2, 2 * d) / mp_re_polylog_unit_circle(4, 2 * d)
        assert abs(bd / ref - 1) <= 1e-13
    # Delta E = beta x E_PFA; at the T = 0 critical angle E_PFA = 0 and Delta E = -0.0083292 hbar c / L
    from jaxem.constants import c, hbar
    L, Reff = 1e-7, 2e-6
    for d, u in [(0.3, 0.0), (1.1, 0.25)]:
        lhs = float(pm.pemc_beyond_pfa_energy_correction_t0(L, d, u))
        rhs = float(pm.pemc_beyond_pfa_coefficient(d, u)) * (L / Reff) * float(pm.pemc_pfa_energy_t0(L, Reff, d))
        assert abs(lhs / rhs - 1) <= 1e-13
    d_crit = pi / 2 * (1 - math.sqrt(1 - math.sqrt(8 / 15)))
    assert abs(d_crit / (pi / 4) - 0.961341) <= 1e-6
    assert abs(float(pm.pemc_pfa_energy_t0(L, Reff, d_crit))) <= 1e-12 * abs(float(pm.pemc_pfa_energy_t0(L, Reff, 0)))
    for u in (0.0, 0.25):
        dE = float(pm.pemc_beyond_pfa_energy_correction_t0(L, d_crit, u)) * L / (hbar * c)
        assert abs(dE - pi / 36 * (1 - math.sqrt(6 / 5))) <= 1e-14 and abs(dE + 0.0083292) <= 1e-7
    # Casimir and Boyer PFA limits; pi-periodic, delta -> pi - delta symmetric
    assert _rel(pm.pemc_pfa_energy_t0(L, Reff, 0.0), -pi**3 * hbar * c * Reff / (720 * L**2)) <= 1e-14
    assert _rel(pm.pemc_pfa_energy_t0(L, Reff, pi / 2), 7 * pi**3 * hbar * c * Reff / (5760 * L**2)) <= 1e-14
    assert _rel(pm.pemc_beyond_pfa_coefficient(0.4 + pi, 0.1), pm.pemc_beyond_pfa_coefficient(pi - 0.4, 0.1)) <= 1e-14


# --- PEMC: duality-angle sum rule (pemc-casimir.md §2.9) ---------------------------------------------

def test_sum_rule_pfa_and_dipole_closed_forms():
    # PFA (11.10): int_0^{pi/2} F_PFA d delta = 0 at high T (tanh-sinh quadrature; 1e-12 of the scale,
    # the integrand has a delta^2 log delta point at 0)
    integral = mpmath.quad(lambda t: float(pm.pemc_pfa_free_energy_ht(0.01, 1.0, float(t))),
                           [0, math.pi / 4, math.pi / 2])
    assert abs(float(integral)) <= 1e-12 * abs(float(pm.pemc_pfa_free_energy_ht(0.01, 1.0, 0.0)))
    x, w = np.polynomial.legendre.leggauss(40)
    d = (x + 1) * math.pi / 4
    # dipole--dipole (11.40): T = 0 -> -(7 hbar c/4 Lc^2) rho^6; high T -> (k_B T/Lc) I_dd; direct
    # delta-integral of -dF/dL of (11.25) by autodiff
    from jaxem.constants import c, hbar, k_B
    L, R1, R2 = 3e-6, 1e-6, 2e-6
    Lc = L + R1 + R2
    rho6 = (R1 * R2 / Lc**2) ** 3
    assert _rel(pm.pemc_sum_rule_dipole_dipole(L, R1, R2, 0.0), -7 * hbar * c / (4 * Lc**2) * rho6) <= 1e-13
    T = 1e5 * hbar * c / (k_B * Lc)  # nu = 2 pi 1e5
    assert _rel(pm.pemc_sum_rule_dipole_dipole(L, R1, R2, T) * Lc / (k_B * T),
                pm.pemc_sum_rule_dipole_dipole_ht(L, R1, R2)) <= 1e-12
    force = jax.grad(lambda l, dd: -pm.pemc_dipole_dipole_free_energy_ht(l, 1.0, 2.0, dd))
    direct = sum(wi * float(force(3.0, di)) for wi, di in zip(w, d)) * math.pi / 4 * (3.0 + 1.0 + 2.0)  # Lc
    assert _rel(direct, pm.pemc_sum_rule_dipole_dipole_ht(3.0, 1.0, 2.0)) <= 1e-13
    # finite T (11.40) equals nu sum'_n of the per-frequency dipole channels; spot value g(nu) at nu = 1
    nu = 1.0
    Tn = nu * hbar * c / (2 * math.pi * Lc * k_B)
    g = nu / math.sinh(nu)
    br = 18 * g * math.cosh(nu) + 18 * g**2 + 14 * g**3 * math.cosh(nu) + 2 * g**4 * (2 * math.cosh(nu) ** 2 + 1)
    assert _rel(pm.pemc_sum_rule_dipole_dipole(L, R1, R2, Tn), -hbar * c / (32 * Lc**2) * rho6 * br) <= 1e-13


def test_sum_rule_round_trip_identities_on_engine_traces():
    # int_0^{pi/2} tr M(delta) d delta = (pi/4)(P - Q) (spheres; 0 for the sphere--plane) and
    # int tr M^2 d delta = (pi/4)(A - B) (sphere--plane); trapezoid, 16 intervals (exact); rel 1e-11
    n = 16
    ds = np.linspace(0, np.pi / 2, n + 1)
    w = np.full(n + 1, np.pi / 2 / n)
    w[[0, -1]] /= 2
    tr = np.array([_traces(0.5, 1.0, 2.0, PEMC(d), PEMC(0.0), 1) for d in ds])
    P, Q = cf.single_round_trip_ht(0.5, 1.0, 2.0, "pec"), cf.single_round_trip_ht(0.5, 1.0, 2.0, "pec_pmc")
    assert _rel(np.sum(w * tr[:, 0]), np.pi / 4 * (P - Q)) <= 1e-11
    tr = np.array([_traces(1.0, 1.0, INF, PEMC(d), PEMC(0.0), 2) for d in ds])
    assert abs(np.sum(w * tr[:, 0])) <= 1e-14 * np.max(np.abs(tr[:, 0]))
    A = cf.sphere_plane_double_round_trip_ht(1.0, 1.0, "pec")
    B = cf.sphere_plane_double_round_trip_ht(1.0, 1.0, "pec_pmc")
    assert _rel(np.sum(w * tr[:, 1]), np.pi / 4 * (A - B)) <= 1e-11


def test_sum_rule_engine_large_distance():
    # equal spheres, L = 10 R (y = 71): engine I vs the leading round trip (error O(y^-3): 1/y^3 bound)
    # and the dipole limit -9 pi/(64 y^3) (within 2 %)
    L = 10.0
    y = float(cf.conformal_distance(L, 1.0, 1.0)[0])
    I = float(pm.pemc_sum_rule_ht(L, 1.0, 1.0, eta=14))
    assert _rel(I, pm.pemc_sum_rule_leading_round_trip_ht(L, 1.0, 1.0)) <= 1.0 / y**3
    assert abs(I * y**3 / (-9 * math.pi / 64) - 1) <= 0.02


@pytest.mark.slow
def test_sum_rule_engine_intermediate_distance_and_plane():
    # y = 11.5 (equal spheres, L = 3R): leading round trip within 1/y^3 (measured 2.8e-4)
    L = 3.0
    y = float(cf.conformal_distance(L, 1.0, 1.0)[0])
    I = pm.pemc_sum_rule_ht(L, 1.0, 1.0, eta=14)
    assert _rel(I, pm.pemc_sum_rule_leading_round_trip_ht(L, 1.0, 1.0)) <= 1 / y**3
    # sphere--plane, y = 3: the double round trip (11.38) gives I up to O(tr M^3)
    I = float(pm.pemc_sum_rule_ht(2.0, 1.0, INF, eta=14))
    I2 = float(pm.pemc_sum_rule_leading_round_trip_ht(2.0, 1.0, INF))
    assert _rel(I, I2) <= 3.0 / 3.0**3


@pytest.mark.slow
@pytest.mark.parametrize("delta", [0.0, math.pi / 2])
def test_beyond_pfa_coefficient_vs_zero_temperature_engine(delta):
    # beta is a T = 0 coefficient (pemc-casimir.md §2.6); the full T = 0 engine (plane-wave basis,
    # xi-integral) for equal PEMC spheres at R/L = 10, 20, 40 (x = L/R_eff = 0.2, 0.1, 0.05).
    # (E/E_PFA - 1)/x = beta + gamma sqrt(x) + kappa x (next order ~x^{3/2}, §2.6), solved from the
    # three points: beta(0, 1/4) = -1.943 -> -1.905, beta(pi/2, 1/4) = -1.075 -> -1.093 (measured);
    # tolerance 3 %.  526 s (delta = 0) and 604 s (pi/2) on the 2-core machine at load ~7 (R/L = 40 dominates).
    R = 1e-6
    xs, hs = [], []
    for RL in (10.0, 20.0, 40.0):
        L = R / RL
        x = 2 * L / R
        E = float(jaxem.casimir_free_energy(geometry(L, R, R, PEMC(delta), PEMC(0.0)), 0.0))
        hs.append((E / float(pm.pemc_pfa_energy_t0(L, R / 2, delta)) - 1) / x)
        xs.append(x)
    xs = np.array(xs)
    beta_fit = np.linalg.solve(np.stack([np.ones(3), np.sqrt(xs), xs], 1), np.array(hs))[0]
    assert abs(beta_fit / float(pm.pemc_beyond_pfa_coefficient(delta, 0.25)) - 1) <= 0.03
