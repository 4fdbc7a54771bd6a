"""Zero-frequency Casimir term in the plane-wave basis (jaxem.casimir.static_planewave, the engine
StaticPlaneWave of the face casimir_zero_frequency_term) against the exact static multipole engine (Multipole),
exact closed forms (casimir-spheres.md §2.4-2.6, Eq. 9.59, 9.22), mpmath sums and limits.  Tolerances are
stated per test."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem
from helpers import geometry, zero_frequency_force
from jaxem import Multipole, StaticPlaneWave, ZeroFrequency, casimir_zero_frequency_term
from jaxem.casimir import closed_forms as cf
from jaxem.casimir import round_trip_traces
from jaxem.casimir.static_planewave import scaled_basis_sum
from jaxem.mie.plates import plasma_plane_te_reflection
from jaxem.materials import PEMC, BiIsotropic, Dielectric, Dirichlet, Drude, PerfectConductor, Plasma
from reference import mp_log_even_poisson, mp_plasma_sphere_te_coefficient, mp_scaled_basis_sum

INF = jnp.inf
DRUDE = Drude(1.37e16, 5.3e13)
PEC = PerfectConductor()


def _rel(a, b):
    return abs(float(a) / float(b) - 1.0)


# --- the scaled l-sums e^{-chi} S_b(chi) vs mpmath (30 digits), rel 1e-13 -------------------------

@pytest.mark.parametrize("name,a", [("dv", None), ("de", None), ("dir", None), ("rat", 0.2), ("rat", 0.75),
                                    ("rat", 0.01)])
def test_scaled_basis_sums_vs_mpmath(name, a):
    for chi in (1e-3, 0.7, 1.99, 2.01, 12.0, 29.9, 30.1, 47.0, 300.0, 1e4):
        ref = mp_scaled_basis_sum(name, chi, a)
        assert _rel(scaled_basis_sum(name, jnp.asarray(chi), a), ref) <= 1e-13


def test_basis_sum_derivative_finite_at_zero():
    for name, a in [("dv", None), ("de", None), ("dir", None), ("rat", 0.3)]:
        g = jax.grad(lambda x: scaled_basis_sum(name, x, a))(0.0)  # noqa: B023
        assert np.isfinite(float(g))


# --- plane wave vs multipole (exact to ~1e-11 at eta = 16 for R/L = 10) ----------------------------

_SLOW = pytest.mark.slow
CASES = [
    ("drude", DRUDE, DRUDE, None, ()),
    ("pec", PEC, PEC, None, ()),
    ("dielectric", Dielectric(4.0), Dielectric(4.0), None, ()),
    ("dielectric-pec", Dielectric(4.0), PEC, None, (_SLOW,)),
    ("magnetodielectric", Dielectric(4.0, 2.0), Dielectric(3.0, 1.5), None, (_SLOW,)),
    ("dirichlet", Dirichlet(), Dirichlet(), None, ()),
    ("pemc", PEMC(0.3), PEMC(1.1), None, ()),
    ("ded", Dielectric(3.0), Dielectric(5.0), DRUDE, (_SLOW,)),
]


def _params(cases):
    return [pytest.param(*c[:4], marks=c[4], id=c[0]) for c in cases]


@pytest.mark.parametrize("name,m1,m2,medium", _params(CASES))
def test_sphere_plane_vs_multipole_R_over_L_10(name, m1, m2, medium):
    # planewave eta = 16 (<~1e-12 here) vs multipole eta = 14 (<~1e-12 sphere--plane): rel 1e-10
    g = geometry(0.1, 1.0, INF, m1, m2, medium=medium)
    ref = casimir_zero_frequency_term(g, engine=Multipole(eta=14))
    pw = casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=16))
    assert _rel(pw, ref) <= 1e-10


@pytest.mark.parametrize("name,m1,m2,medium", _params(CASES[:2] + [CASES[2][:4] + ((_SLOW,),)] + CASES[5:7]))
def test_sphere_sphere_unequal_vs_multipole_R_over_L_10(name, m1, m2, medium):
    # R1/L = 10, R2/L = 5; planewave eta = 16 vs multipole eta = 14 (<~5e-11): rel 1e-9
    g = geometry(0.1, 1.0, 0.5, m1, m2, medium=medium)
    ref = casimir_zero_frequency_term(g, engine=Multipole(eta=14))
    pw = casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=16))
    assert _rel(pw, ref) <= 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("name,m1,m2,medium", [c[:4] for c in (CASES[1], CASES[2], CASES[6])],
                         ids=["pec", "dielectric", "pemc"])
def test_vs_multipole_R_over_L_30(name, m1, m2, medium):
    # sphere--plane and unequal spheres (R2 = R1/2) at R1/L = 30; rel 1e-9
    L = 1.0 / 30
    for R2 in (INF, 0.5):
        g = geometry(L, 1.0, R2, m1, m2, medium=medium)
        ref = casimir_zero_frequency_term(g, engine=Multipole(eta=14))
        pw = casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=16))
        assert _rel(pw, ref) <= 1e-9


def test_traces_vs_multipole_and_closed_forms():
    # single and double round trips, rel 1e-10 (PEC), and the PEMC single round trip (11.33)
    g = geometry(0.1, 1.0, INF, PEC, PEC)
    tr = round_trip_traces(g, 2, engine=StaticPlaneWave(eta=18))
    ref = round_trip_traces(g, 2, engine=Multipole(eta=16))
    np.testing.assert_allclose(np.asarray(tr), np.asarray(ref), rtol=1e-10)
    assert _rel(tr[0], cf.single_round_trip_ht(0.1, 1.0, INF, "pec")) <= 1e-10
    delta = np.pi / 8
    tr = round_trip_traces(geometry(0.1, 1.0, INF, PEMC(0.1 + delta), PEMC(0.1)), 1, engine=StaticPlaneWave(eta=18))
    assert _rel(tr[0], cf.pemc_single_round_trip_ht(0.1, 1.0, INF, delta)) <= 1e-10
    # tabulated sums: plasma sphere and chiral + Tellegen sphere facing a PEC plane, rel 1e-10
    for m1 in (Plasma(4.5e9), BiIsotropic(2.0, 1.0, 0.1, 0.2)):          # omega_p R / c = 15
        g = geometry(0.1, 1.0, INF, m1, PEC)
        tr = round_trip_traces(g, 3, engine=StaticPlaneWave(eta=16))
        ref = round_trip_traces(g, 3, engine=Multipole(eta=16))
        np.testing.assert_allclose(np.asarray(tr), np.asarray(ref), rtol=1e-10)


# --- exact closed forms at large R/L -------------------------------------------------------------

def test_drude_and_dirichlet_vs_exact_R_over_L_100():
    # default route ("auto" -> plane wave); eta = 16: rel 1e-10 (measured ~1e-11)
    L, R = 0.01, 1.0
    f = -2 * casimir_zero_frequency_term(geometry(L, R, INF, DRUDE, DRUDE), engine=ZeroFrequency(eta=16))
    assert _rel(f, cf.drude_free_energy_ht(L, R, INF)) <= 1e-10
    f = -2 * casimir_zero_frequency_term(geometry(L, R, INF, Dirichlet(), Dirichlet()), engine=ZeroFrequency(eta=16))
    assert _rel(f, cf.dirichlet_free_energy_ht(L, R, INF)) <= 1e-10


def test_drude_equal_spheres_vs_exact_R_over_L_100():
    L, R = 0.01, 1.0
    f = -2 * casimir_zero_frequency_term(geometry(L, R, R, DRUDE, DRUDE), engine=ZeroFrequency(eta=14))
    assert _rel(f, cf.drude_free_energy_ht(L, R, R)) <= 1e-9


@pytest.mark.slow
def test_drude_and_dirichlet_vs_exact_R_over_L_1000():
    # eta = 12: N = 263, M = 245 (measured 1.7e-9 both); rel 1e-8; 20-60 s on the loaded 2-core box
    L, R = 1e-3, 1.0
    f = -2 * casimir_zero_frequency_term(geometry(L, R, INF, DRUDE, DRUDE), engine=ZeroFrequency(eta=12))
    assert _rel(f, cf.drude_free_energy_ht(L, R, INF)) <= 1e-8
    f = -2 * casimir_zero_frequency_term(geometry(L, R, INF, Dirichlet(), Dirichlet()), engine=ZeroFrequency(eta=12))
    assert _rel(f, cf.dirichlet_free_energy_ht(L, R, INF)) <= 1e-8


# --- plasma plane (k-dependent TE at xi = 0) ------------------------------------------------------

def test_plasma_plane_limits():
    L, R = 0.1, 1.0   # [m]; omega_p L / c = 1e6 (-> PEC plane), 1e-9 (-> Drude plane)
    kw = StaticPlaneWave(eta=12)

    def f(plane, engine=kw):
        return casimir_zero_frequency_term(geometry(L, R, INF, PEC, plane), engine=engine)

    pec = f(PEC)
    drude_plane = f(DRUDE)
    hi = f(Plasma(3e15))
    lo = f(Plasma(3e-3))
    assert _rel(hi, pec) <= 1e-5                   # r_TE + 1 ~ 2 k c / omega_p, k ~ 1/L
    assert _rel(lo, drude_plane) <= 1e-12
    mid = f(Plasma(3e9))   # omega_p L / c = 1
    assert float(pec) < float(mid) < float(drude_plane)
    assert float(plasma_plane_te_reflection(jnp.asarray(2.0), jnp.asarray(1.5))) == pytest.approx(
        (2.0 - 2.5) / (2.0 + 2.5), rel=1e-15)
    # "auto" routes a plasma plane to the plane-wave route; the multipole route still refuses it
    assert _rel(f(Plasma(3e9), ZeroFrequency(eta=12)), mid) <= 1e-14
    with pytest.raises(NotImplementedError):
        f(Plasma(3e9), Multipole())


# --- autodiff, vmap, routing ----------------------------------------------------------------------

def test_force_is_central_difference_of_free_energy():
    # rel 1e-7 (central difference h = 1e-6 L... truncation error ~(h/L)^2)
    L, R, h = 0.05, 1.0, 1e-6
    kw = StaticPlaneWave(n_k=40, n_phi=31)
    for m1, m2, R2 in [(Dielectric(4.0), PEC, INF), (PEMC(0.4), PEMC(0.0), 0.5)]:
        force = zero_frequency_force(geometry(L, R, R2, m1, m2), kw)
        fd = -(casimir_zero_frequency_term(geometry(L + h, R, R2, m1, m2), engine=kw)
               - casimir_zero_frequency_term(geometry(L - h, R, R2, m1, m2), engine=kw)) / (2 * h)
        assert _rel(force, fd) <= 1e-7


@pytest.mark.slow
def test_default_route_force_matches_multipole():
    # "auto" sizes the plane-wave route for the force as well (R/L = 20); rel 1e-7 vs multipole
    g = geometry(0.05, 1.0, INF, PEC, PEC)
    pw = zero_frequency_force(g, ZeroFrequency(eta=12))
    mp = zero_frequency_force(g, Multipole(eta=12))
    assert float(pw) < 0.0 and _rel(pw, mp) <= 1e-7


def test_vmap_over_L_and_theta_equals_loop():
    Ls = jnp.array([0.04, 0.05, 0.07])
    # sizes n_k, n_phi fixed once from the smallest gap (eta = 10)
    kw = StaticPlaneWave(eta=10.0).sized_for(geometry(0.04, 1.0, INF, PEMC(0.0), PEMC(0.2)))

    def F(L, R1, R2, t1, t2=0.2):
        return casimir_zero_frequency_term(geometry(L, R1, R2, PEMC(t1), PEMC(t2)), engine=kw)

    f = jax.jit(jax.vmap(lambda L, t: F(L, 1.0, INF, t)))
    ts = jnp.array([0.0, 0.5, 1.2])
    batch = f(Ls, ts)
    loop = [F(float(L), 1.0, INF, float(t)) for L, t in zip(Ls, ts)]
    np.testing.assert_allclose(np.asarray(batch), np.asarray(loop), rtol=1e-12)
    g = jax.grad(lambda t: F(0.05, 1.0, INF, t))(0.7)
    e = lambda t: float(F(0.05, 1.0, INF, t))  # noqa: E731
    assert _rel(g, (e(0.7 + 1e-6) - e(0.7 - 1e-6)) / 2e-6) <= 1e-6
    # d/dR under jit (radius traced), rel 1e-6 vs central difference
    fr = jax.jit(jax.grad(lambda R: F(0.05, R, INF, 0.3)))
    e = lambda R: float(F(0.05, R, INF, 0.3))  # noqa: E731
    assert _rel(fr(1.0), (e(1.0 + 1e-6) - e(1.0 - 1e-6)) / 2e-6) <= 1e-6
    # d/dR2 of a second sphere (traced R2), rel 1e-6
    f2 = jax.jit(jax.grad(lambda R2: F(0.05, 1.0, R2, 0.3)))
    e = lambda R2: float(F(0.05, 1.0, R2, 0.3))  # noqa: E731
    assert _rel(f2(0.5), (e(0.5 + 1e-6) - e(0.5 - 1e-6)) / 2e-6) <= 1e-6


def test_pemc_delta_sweep_equals_single_calls():
    # shared-kernel sweep over delta (sphere--sphere and PEMC plane) vs the general route, rel 1e-12;
    # vmapped over L under jit
    # (a geometry whose PEMC duality angles are arrays is a sweep over delta = theta_1 - theta_2)
    kw = StaticPlaneWave(n_k=40, n_phi=31)
    ds = jnp.array([0.0, 0.4, np.pi / 4, np.pi / 2])
    for R2 in (INF, 0.7):
        sweep = casimir_zero_frequency_term(geometry(0.1, 1.0, R2, PEMC(ds), PEMC(0.0)), engine=kw)
        single = [casimir_zero_frequency_term(geometry(0.1, 1.0, R2, PEMC(float(d)), PEMC(0.0)), engine=kw)
                  for d in ds]
        np.testing.assert_allclose(np.asarray(sweep), np.asarray(single), rtol=1e-12)
    Ls = jnp.array([0.1, 0.2])
    grid = jax.jit(jax.vmap(lambda L: casimir_zero_frequency_term(geometry(L, 1.0, 0.7, PEMC(ds), PEMC(0.0)),
                                                                  engine=kw)))(Ls)
    np.testing.assert_allclose(np.asarray(grid[0]), np.asarray(sweep), rtol=1e-12)


def test_routing_and_bad_input():
    # ZeroFrequency ("auto"): multipole below AUTO_PLANEWAVE_RHO
    a = casimir_zero_frequency_term(geometry(0.5, 1.0, INF, PEC, PEC))
    assert a == casimir_zero_frequency_term(geometry(0.5, 1.0, INF, PEC, PEC), engine=Multipole())
    bi = BiIsotropic(2.0, 1.0, 0.1, 0.2)
    assert np.isfinite(float(casimir_zero_frequency_term(geometry(0.1, 1.0, INF, bi, PEC),
                                                         engine=ZeroFrequency(eta=4))))
    # the engine must be a zero-frequency one (the former method="fast" error)
    for bad in ("fast", jaxem.PlaneWave()):
        with pytest.raises(ValueError, match="engine"):
            casimir_zero_frequency_term(geometry(0.1, 1.0, INF, PEC, PEC), engine=bad)
    with pytest.raises(ValueError, match="material2"):
        casimir_zero_frequency_term(geometry(0.1, 1.0, INF, Plasma(1e15), Plasma(1e15), medium=DRUDE),
                                    engine=StaticPlaneWave())
    with pytest.raises(ValueError, match="distance"):
        casimir_zero_frequency_term(geometry(-0.1, 1.0, INF, PEC, PEC), engine=StaticPlaneWave())
    with pytest.raises(ValueError, match="Dirichlet"):
        casimir_zero_frequency_term(geometry(0.1, 1.0, INF, Dirichlet(), PEC), engine=StaticPlaneWave())


@pytest.mark.slow
def test_pemc_pfa_critical_angle_from_the_planewave_route():
    # sphere--plane, roots of the autodiff force in delta at R/L = 100, 200, 400 (plane-wave route,
    # eta = 8); linear Richardson in x = L/R of the last two -> 0.923319 pi/4 (pemc-casimir.md §2.10).
    # Measured 0.9233218 (3e-6); the multipole route's R/L = 10, 20 extrapolation reaches only 2e-3.
    import numpy as np
    from scipy.optimize import brentq

    from jaxem.materials import PEMC

    roots = []
    for RL in (100.0, 200.0, 400.0):
        L = 1.0 / RL
        # plane-wave sizes n_k, n_phi of eta = 8, fixed for the root search
        engine = StaticPlaneWave(eta=8).sized_for(geometry(L, 1.0, np.inf, PEMC(0.0), PEMC(0.0)))
        force = lambda d: float(zero_frequency_force(geometry(L, 1.0, np.inf, PEMC(d), PEMC(0.0)),  # noqa: E731
                                                     engine))
        roots.append(brentq(force, 0.70, 0.74, xtol=1e-10) / (np.pi / 4))
    assert roots[0] > roots[1] > roots[2] > 0.923319          # approached from above
    assert abs((2 * roots[2] - roots[1]) - 0.923319) <= 2e-5


def test_distance_sweep_shares_kernels_and_equals_single_calls():
    # a concrete array of distances with StaticPlaneWave: kernels built once per group (L <= 2 L_min), each
    # distance a diagonal rescaling + LU; equals single plane-wave calls (their own grids) to <= 1e-8 at
    # eta = 10 (measured 1.4e-10 .. 8e-9 for Drude, PEC, PEMC, dielectric sphere--plane and sphere--sphere)
    import numpy as np

    from jaxem.materials import PEMC, Drude, PerfectConductor

    Ls = np.array([0.1, 0.07, 0.05, 0.13])          # unsorted; two groups (0.05..0.1, 0.13)
    engine = StaticPlaneWave()
    for m1, m2, R2 in [(Drude(1.37e16, 5.3e13), PerfectConductor(), np.inf), (PEMC(0.3), PEMC(1.0), 1.5)]:
        batch = np.asarray(casimir_zero_frequency_term(geometry(Ls, 1.0, R2, m1, m2), engine=engine))
        single = np.array([float(casimir_zero_frequency_term(geometry(L, 1.0, R2, m1, m2), engine=engine))
                           for L in Ls])
        assert np.max(np.abs(batch / single - 1)) <= 1e-8
    pec = PerfectConductor()
    with pytest.raises(ValueError, match="distance"):
        casimir_zero_frequency_term(geometry(np.array([0.1, -0.1]), 1.0, np.inf, pec, pec), engine=engine)
    with pytest.raises(ValueError, match="group_spread"):
        casimir_zero_frequency_term(geometry(np.array([0.1]), 1.0, np.inf, pec, pec),
                                    engine=StaticPlaneWave(group_spread=0.5))


def test_distance_core_force_by_autodiff():
    # d/d ell of the shared-kernel core vs a central difference (grid held fixed): 1e-7
    import jax
    import jax.numpy as jnp

    from jaxem.casimir.static_planewave import planewave_ht_distances_core

    kw = dict(N=20, M=15, names1=("dv", "de"), names2=(), channels=(0, 1), mixing=False, plasma_plane=False)
    args = (jnp.asarray(10.0), jnp.zeros(()))
    c = (jnp.diag(jnp.array([1.0, 0.0])), jnp.diag(jnp.array([0.0, 1.0])))
    p = (jnp.zeros(()), jnp.zeros(()))
    plane = jnp.diag(jnp.array([1.0, -1.0]))
    f = lambda e: planewave_ht_distances_core(*args, jnp.reshape(e, (1,)), c, p, (), (), plane,  # noqa: E731
                                              jnp.zeros(()), **kw)[0]
    g = float(jax.grad(f)(1.3))
    h = 1e-5
    fd = (float(f(1.3 + h)) - float(f(1.3 - h))) / (2 * h)
    assert abs(g / fd - 1) <= 1e-7


# --- plasma spheres (tabulated TE l-sum) ----------------------------------------------------------

def test_plasma_sphere_te_coefficients_vs_bessel_ratio():
    # vs mpmath Bessel ratios I_{l+3/2}/I_{l+1/2}(w), rel 1e-12
    from jaxem.casimir.static_planewave import plasma_sphere_te_coefficients

    for w in (0.01, 3.0, 200.0, 2e4):
        f = np.asarray(plasma_sphere_te_coefficients(w, 300))
        for l in (1, 7, 60, 300):
            ref = mp_plasma_sphere_te_coefficient(l, w)
            assert abs(f[l - 1] / ref - 1.0) <= 1e-12


@pytest.mark.slow  # 25-70 s; the default suite keeps under 15 min (make test-slow runs it)
def test_plasma_scaled_sum_vs_direct_long_double_sum():
    # series (chi < 30) and panel interpolation (chi >= 30) vs the full l-sum with long-double
    # Poisson weights, rel 1e-12 for chi = 0.5 .. 1e5
    from jaxem.casimir.static_planewave import _log_even_poisson, plasma_sphere_te_coefficients

    # the long-double Poisson weights themselves vs mpmath (absolute error of the log <= 1e-12)
    for ll, c in [(1, 0.5), (7, 30.0), (600, 1234.5), (24000, 5e4), (49000, 9.9e4)]:
        ref = mp_log_even_poisson(ll, c)
        assert abs(float(_log_even_poisson(np.array([ll]), np.array([c]))[0] - ref)) <= 1e-12
    chis = np.array([0.5, 5.0, 29.9, 30.1, 47.0, 300.0, 1234.5, 4999.0, 2e4, 9.9e4])
    l = np.arange(1, 60001)
    for w in (3.0, 2000.0):
        f = np.asarray(plasma_sphere_te_coefficients(w, l.size))
        ref = np.array([np.sum(f * np.exp(_log_even_poisson(l, c))) for c in chis])
        got = np.asarray(scaled_basis_sum(("plasma", 1e5), jnp.asarray(chis), w))
        np.testing.assert_allclose(got, ref, rtol=1e-12)
    # differentiable in chi and w, finite everywhere
    g = jax.grad(lambda c, w: scaled_basis_sum(("plasma", 1e5), c, w), argnums=(0, 1))
    for c in (0.0, 10.0, 100.0, 5e4):
        assert all(np.isfinite(float(x)) for x in g(c, 50.0))


@pytest.mark.parametrize("m2,medium", [(PEC, None), (DRUDE, None), ("sphere", None), (PEC, Dielectric(2.0)), (PEC, DRUDE)])
def test_plasma_sphere_vs_multipole(m2, medium):
    # plasma sphere (omega_p R/c = 15) vs the multipole engine (Mie TE coefficient via Bessel
    # functions), eta = 14 in both, R/L = 10, also in an insulating medium and an electrolyte: rel 1e-9
    P = Plasma(4.5e12)
    R, L = 1e-3, 1e-4
    R2, mat2 = (0.7e-3, Plasma(9e12)) if m2 == "sphere" else (INF, m2)
    g = geometry(L, R, R2, P, mat2, medium=medium)
    pw = casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=14))
    mp = casimir_zero_frequency_term(g, engine=Multipole(eta=14))
    assert float(pw) < 0.0 and _rel(pw, mp) <= 1e-9


def test_plasma_sphere_and_plane_limits_and_force():
    # omega_p -> inf: PEC sphere and plane (TE deviations ~ c/(omega_p L)); omega_p -> 0: Drude
    # (TE term ~ (omega_p R/c)^2 = 1e-8); in between, strictly between the two
    R, L = 1e-4, 1e-5
    kw = StaticPlaneWave(eta=10)

    def F(m, engine=kw, distance=L):
        return casimir_zero_frequency_term(geometry(distance, R, INF, m, m), engine=engine)

    pec = F(PEC)
    drude = F(DRUDE)
    hi = F(Plasma(3e19))
    lo = F(Plasma(3e8))
    gold = F(Plasma(1.37e16))
    hi10 = F(Plasma(3e18))
    assert _rel(hi, pec) <= 3e-6                    # c/(omega_p L) = 1e-6
    assert 8.0 <= _rel(hi10, pec) / _rel(hi, pec) <= 12.0     # deviation ~ 1/omega_p
    assert _rel(lo, drude) <= 1e-7
    assert float(pec) < float(gold) < float(drude)
    assert _rel(gold, pec) > 1e-3 and _rel(gold, drude) > 0.3       # gold: c/omega_p = 22 nm << L
    # ZeroFrequency ("auto") takes the plane-wave route (the multipole route cannot do a plasma plane)
    assert _rel(F(Plasma(1.37e16), ZeroFrequency()), gold) <= 1e-14
    # force = -dF/dL by autodiff vs central difference, rel 1e-6 (traced L: table size from n_phi)
    kw = StaticPlaneWave(eta=10.0).sized_for(geometry(L, R, INF, PEC, PEC))
    P = Plasma(1.37e16)
    force = zero_frequency_force(geometry(L, R, INF, P, P), kw)
    h = 1e-6 * L
    fd = -(F(P, kw, L + h) - F(P, kw, L - h)) / (2 * h)
    assert float(force) < 0.0 and _rel(force, fd) <= 1e-6
    # d/d omega_p (material parameter traced), rel 1e-6
    g = jax.grad(lambda wp: F(Plasma(wp), kw))(1.37e16)
    e = lambda wp: float(F(Plasma(wp), kw))  # noqa: E731
    assert _rel(g, (e(1.37e16 * (1 + 1e-6)) - e(1.37e16 * (1 - 1e-6))) / (2.74e10)) <= 1e-6


@pytest.mark.slow
def test_sweeps_batched_with_vmap_equal_sequential_and_plasma_distances():
    # batch_size > 1 (the accelerator default: vmapped chunks inside lax.map) equals the sequential
    # CPU default to rel 1e-12; the distance sweep also covers plasma spheres (vs single calls, 1e-8)
    from jaxem.casimir.static_planewave import _map, resolve_batch_size

    # "auto" is resolved by the library's one rule (jaxem._batching) when the map runs; on CPU: lax.map
    assert resolve_batch_size("auto") == "auto" and resolve_batch_size(None) is None and resolve_batch_size(3) == 3
    xs = jnp.linspace(0.0, 1.0, 7)
    np.testing.assert_array_equal(_map(jnp.sin, xs, "auto", 8), jax.lax.map(jnp.sin, xs))
    for bad in (0, -2, 1.5, "fast"):
        with pytest.raises(ValueError, match="batch_size"):
            casimir_zero_frequency_term(geometry(0.1, 1.0, 0.7, PEMC(jnp.array([0.0])), PEMC(0.0)),
                                        engine=StaticPlaneWave(n_k=10, n_phi=9, batch_size=bad))
        with pytest.raises(ValueError, match="batch_size"):
            casimir_zero_frequency_term(geometry(np.array([1e-6]), 2e-5, INF, PEC, PEC),
                                        engine=StaticPlaneWave(batch_size=bad))
    ds = jnp.linspace(0.0, np.pi / 2, 7)
    sweep = geometry(0.1, 1.0, 0.7, PEMC(ds), PEMC(0.0))
    a = casimir_zero_frequency_term(sweep, engine=StaticPlaneWave(n_k=30, n_phi=21, batch_size=1))
    b = casimir_zero_frequency_term(sweep, engine=StaticPlaneWave(n_k=30, n_phi=21, batch_size=3))
    np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-12)
    P = Plasma(1.37e16)
    Ls = np.array([1e-6, 1.3e-6, 1.9e-6])
    seq = casimir_zero_frequency_term(geometry(Ls, 2e-5, INF, P, P), engine=StaticPlaneWave(n_k=40, n_phi=31,
                                                                                            batch_size=1))
    vec = casimir_zero_frequency_term(geometry(Ls, 2e-5, INF, P, P), engine=StaticPlaneWave(n_k=40, n_phi=31,
                                                                                            batch_size=2))
    np.testing.assert_allclose(vec, seq, rtol=1e-12)
    single = [float(casimir_zero_frequency_term(geometry(L, 2e-5, INF, P, P), engine=StaticPlaneWave(n_k=40, n_phi=31)))
              for L in Ls]
    np.testing.assert_allclose(seq, single, rtol=1e-8)


@pytest.mark.parametrize("m1,m2,R2", [
    ((0.1, 0.2), PEC, INF), ((0.1, 0.2), (-0.2, 0.1), INF), ((0.1, 0.2), (-0.2, 0.1), 0.7),
    ((0.1, 0.2), PEMC(0.3), INF),
    ((0.0, 0.2), PEC, INF), ((0.0, 0.2), (0.0, -0.3), 0.7), ((0.0, 0.2), (0.0, 0.1), INF),   # chiral: real form
    ((0.1, 0.0), PEMC(0.3), INF), ((0.1, 0.0), (0.2, 0.0), 0.7),                          # Tellegen: real
    ((0.0, 0.2), PEMC(0.3), INF), ((0.1, 0.2), (0.2, 0.1), 0.7)])                         # phases differ: complex
def test_bi_isotropic_sphere_vs_multipole(m1, m2, R2):
    # bi-isotropic sphere (X(l) tabulated; (Tellegen chi, chirality kappa)) facing a PEC plane, a
    # bi-isotropic plane (2x2 Fresnel matrix), a bi-isotropic sphere, a PEMC plane; real forms (bodies
    # sharing the off-diagonal phase) and complex ones: eta = 14, R/L = 10, rel 1e-11
    bi = BiIsotropic(2.0, 1.0, *m1)
    m2 = BiIsotropic(3.0, 1.5, *m2) if isinstance(m2, tuple) else m2
    g = geometry(0.1, 1.0, R2, bi, m2)
    pw = casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=14))
    mp = casimir_zero_frequency_term(g, engine=Multipole(eta=14))
    assert float(pw) < 0.0 and _rel(pw, mp) <= 1e-11


@pytest.mark.slow  # 25-70 s; the default suite keeps under 15 min (make test-slow runs it)
def test_bi_isotropic_planewave_force_and_auto_route():
    # autodiff force vs central difference (rel 1e-6), d/dkappa vs central difference (rel 1e-6);
    # "auto" now takes the plane-wave route at R/L >= 5 for bi-isotropic spheres
    kw = StaticPlaneWave(n_k=40, n_phi=31)
    bi = lambda k: BiIsotropic(2.0, 1.0, 0.1, k)  # noqa: E731

    def F(L, k, engine=kw):
        return casimir_zero_frequency_term(geometry(L, 1.0, INF, bi(k), PEC), engine=engine)

    L, h = 0.05, 1e-7
    force = zero_frequency_force(geometry(L, 1.0, INF, bi(0.2), PEC), kw)
    e = lambda L, k: float(F(L, k))  # noqa: E731
    assert _rel(force, -(e(L + h, 0.2) - e(L - h, 0.2)) / (2 * h)) <= 1e-6
    g = jax.grad(lambda k: F(L, k))(0.2)
    assert _rel(g, (e(L, 0.2 + 1e-6) - e(L, 0.2 - 1e-6)) / 2e-6) <= 1e-6
    a = F(0.1, 0.2, ZeroFrequency())
    assert a == F(0.1, 0.2, StaticPlaneWave())


def test_bi_isotropic_real_form_is_taken_when_phases_agree():
    # static choice of the similarity diag(1, e^{i phi}): one bi-isotropic body (any chi, kappa) facing
    # a diagonal one -> its own phase; chiral pair -> pi/2; chiral vs PEMC -> None (complex)
    from jaxem.casimir.static_planewave_driver import _realify_mode

    both, chiral = BiIsotropic(2.0, 1.0, 0.1, 0.2), BiIsotropic(2.0, 1.0, 0.0, 0.2)
    assert _realify_mode(both, PEC, None) is not None
    assert _realify_mode(chiral, BiIsotropic(3.0, 1.0, 0.0, -0.1), None) == pytest.approx(np.pi / 2)
    assert _realify_mode(chiral, PEMC(0.3), None) is None
    assert _realify_mode(PEC, PEC, None) is None


@pytest.mark.slow  # 25-70 s; the default suite keeps under 15 min (make test-slow runs it)
def test_casimir_ht_sphere_plate_config_runs_and_matches_single_calls(tmp_path):
    # the shipped config on a coarse grid (5 distances, R/L = 75..750): F equals single calls (rel 1e-8),
    # Drude -> 1 and PEC -> 2 in units of the TM-only PFA as R/L grows, plasma in between, force < 0
    import json
    from pathlib import Path

    from jaxem.cli import main
    from jaxem.materials import material_from_name

    cfg = Path(__file__).parent.parent / "configs" / "casimir_ht_plasma_vs_drude.toml"
    assert main(["run", str(cfg), "--out", str(tmp_path), "--quiet", "--set", "n_points=5",
                 "--set", "chunk_size=3"]) == 0
    assert json.loads((tmp_path / "run.json").read_text())["params"]["n_points"] == 5
    assert (tmp_path / "casimir_ht.png").stat().st_size > 1000
    with np.load(tmp_path / "casimir_ht.npz") as d:
        L = d["distance"]
        gold_plasma = material_from_name("gold_plasma")
        single = float(casimir_zero_frequency_term(geometry(L[2], 150e-6, INF, gold_plasma, gold_plasma)))
        assert _rel(d["F_over_kT_gold_plasma"][2], single) <= 1e-8
        assert 0.98 < d["ratio_gold_drude"][0] < 1.0 and 1.95 < d["ratio_pec"][0] < 2.0
        assert np.all(d["ratio_gold_drude"] < d["ratio_gold_plasma"]) and np.all(d["ratio_gold_plasma"] < d["ratio_pec"])
        assert np.all(d["force_over_kT_gold_plasma"] < 0)


def test_vmap_over_tabulated_material_parameters_equals_loop():
    # traced kappa (bi-isotropic: complex route, phase unknown) and traced omega_p (plasma table built
    # from a traced w): jit(vmap) equals single concrete calls, rel 1e-12
    kw = StaticPlaneWave(n_k=40, n_phi=31)
    F = lambda m1, m2: casimir_zero_frequency_term(geometry(0.05, 1.0, INF, m1, m2), engine=kw)  # noqa: E731
    ks = jnp.array([0.0, 0.1, 0.2])
    f = jax.jit(jax.vmap(lambda k: F(BiIsotropic(2.0, 1.0, 0.1, k), PEC)))
    loop = [F(BiIsotropic(2.0, 1.0, 0.1, float(k)), PEC) for k in ks]
    np.testing.assert_allclose(np.asarray(f(ks)), np.asarray(loop), rtol=1e-12)
    wps = jnp.array([1e9, 3e9, 1e10])
    g = jax.jit(jax.vmap(lambda w: F(Plasma(w), Plasma(w))))
    loop = [F(Plasma(float(w)), Plasma(float(w))) for w in wps]
    np.testing.assert_allclose(np.asarray(g(wps)), np.asarray(loop), rtol=1e-12)
