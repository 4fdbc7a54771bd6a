"""Zero-frequency (high-temperature) Casimir engine vs exact results (casimir-spheres.md §2.5-2.9,
pemc-casimir.md §2.5-2.8), through the face: casimir_zero_frequency_term, jaxem.casimir.round_trip_traces and
the high-temperature force casimir_force / k_B T with the zero-frequency engines.  Tolerances are stated per
test."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import brentq

from helpers import geometry, zero_frequency_force
from jaxem import Multipole, ZeroFrequency, casimir_zero_frequency_term
from jaxem.casimir import closed_forms as cf
from jaxem.casimir import round_trip_traces
from jaxem.casimir.pemc import (
    CRITICAL_ANGLE_DIPOLE_DIPOLE_HT,
    CRITICAL_ANGLE_PFA_HT,
    pemc_dipole_dipole_free_energy_ht,
    pemc_dipole_plane_free_energy_ht,
    pemc_pfa_free_energy_ht,
)
from jaxem.special import re_li3_unit_circle
from jaxem.mie.plates import static_plane_reflection
from jaxem.mie.static import static_reflection
from jaxem.materials import PEMC, BiIsotropic, Dielectric, Dirichlet, Drude, PerfectConductor, Plasma
from reference import mp_re_polylog_unit_circle

INF = jnp.inf
DRUDE = Drude(1.37e16, 5.3e13)
PEC = PerfectConductor()


def _rel(a, b):
    return abs(float(a) / float(b) - 1.0)


# --- engine vs exact closed forms, R/L = 10 (eta = 14: <= 1e-10) -------------------------------

@pytest.mark.parametrize("R2", [INF, 1.0, pytest.param(2.0, marks=pytest.mark.slow)])
def test_dirichlet_and_drude_vs_exact_at_R_over_L_10(R2):
    L, R1 = 0.1, 1.0
    f_dir = -2 * casimir_zero_frequency_term(geometry(L, R1, R2, Dirichlet(), Dirichlet()),
                                             engine=ZeroFrequency(eta=14))
    assert _rel(f_dir, cf.dirichlet_free_energy_ht(L, R1, R2)) <= 1e-10
    f_dvd = -2 * casimir_zero_frequency_term(geometry(L, R1, R2, DRUDE, DRUDE), engine=ZeroFrequency(eta=14))
    assert _rel(f_dvd, cf.drude_free_energy_ht(L, R1, R2)) <= 1e-10


@pytest.mark.slow
@pytest.mark.parametrize("R2", [INF, 1.0])
def test_drude_vs_exact_at_R_over_L_100(R2):
    L, R1 = 0.01, 1.0
    f = -2 * casimir_zero_frequency_term(geometry(L, R1, R2, DRUDE, PEC), engine=ZeroFrequency(eta=14))
    assert _rel(f, cf.drude_free_energy_ht(L, R1, R2)) <= 1e-10


@pytest.mark.slow
def test_published_table_values():
    # casimir-spheres.md §4.B: f_DvD(y = 2, u = 0) = 0.0843964695152; f_ded(y = 1.1, u = 0) = 1.76877057880
    zf = ZeroFrequency(eta=14)
    assert _rel(-2 * casimir_zero_frequency_term(geometry(1.0, 1.0, INF, DRUDE, DRUDE), engine=zf),
                0.0843964695152) <= 1e-10
    ded = -2 * casimir_zero_frequency_term(geometry(0.1, 1.0, INF, Dielectric(4.0), Dielectric(2.0), medium=DRUDE),
                                           engine=zf)
    assert _rel(ded, 1.76877057880) <= 1e-10


@pytest.mark.parametrize("model,mats,medium", [
    ("drude", (DRUDE, DRUDE), None),
    ("ded", (Dielectric(3.0), Dielectric(5.0)), DRUDE),
    ("pec", (PEC, PEC), None),
])
def test_single_round_trip_vs_closed_forms(model, mats, medium):
    # (9.79), (9.87), (11.32): equal, unequal spheres and sphere--plane; rel 1e-9
    for L, R1, R2 in [(0.5, 1.0, 1.0), (0.6, 1.0, 2.0), (0.5, 1.0, INF)]:
        tr = round_trip_traces(geometry(L, R1, R2, *mats, medium=medium), 1, engine=ZeroFrequency(eta=14))
        assert _rel(tr[0], cf.single_round_trip_ht(L, R1, R2, model)) <= 1e-9


def test_pemc_single_and_double_round_trips():
    # PEC-PMC cross term (11.34) and PEMC sphere--plane double round trip (11.38-11.39); rel 1e-9
    zf = ZeroFrequency(eta=14)
    tr = round_trip_traces(geometry(0.6, 1.0, 2.0, PEMC(0.0), PEMC(np.pi / 2)), 1, engine=zf)
    assert _rel(tr[0], -cf.single_round_trip_ht(0.6, 1.0, 2.0, "pec_pmc")) <= 1e-9
    delta = np.pi / 8
    tr = round_trip_traces(geometry(1.0, 1.0, INF, PEMC(0.1 + delta), PEMC(0.1)), 2, engine=zf)
    assert _rel(tr[0], cf.pemc_single_round_trip_ht(1.0, 1.0, INF, delta)) <= 1e-9
    assert _rel(tr[1], cf.sphere_plane_double_round_trip_ht(1.0, 1.0, "pemc", delta)) <= 1e-9
    # ded sphere--plane double round trip (9.83): f^(2)(y = 1.2) = 0.0257572514135
    tr = round_trip_traces(geometry(0.2, 1.0, INF, Dielectric(3.0), Dielectric(3.0), medium=DRUDE), 2, engine=zf)
    assert _rel(tr[1] / 2, 0.0257572514135) <= 1e-9


def test_closed_forms_vs_spec_numbers():
    # casimir-spheres.md §4.B (u = 1/4, y = 1.01) and capacitances; rel 1e-10
    L = -2.0 + np.sqrt(4.0 + 2 * 0.01)  # R1 = R2 = 1 -> y = 1.01
    assert _rel(cf.dirichlet_free_energy_ht(L, 1.0, 1.0), 30.3144737574) <= 1e-10
    assert _rel(cf.drude_monopole_term(L, 1.0, 1.0), -1.0010499769) <= 1e-9
    c11, c22, c12 = cf.drude_capacitance_matrix(0.3, 1.0, 2.0)
    np.testing.assert_allclose([c11, c22, c12], [1.46957437, 2.64578042, -0.94152267], rtol=1e-8)
    assert _rel(-np.log((c11 * c22 - c12**2) / 2.0), cf.drude_monopole_term(0.3, 1.0, 2.0)) <= 1e-12
    mu = np.arccosh(1.001)
    assert _rel(cf.dirichlet_short_distance(mu), 300.873156908) <= 1e-11
    assert _rel(cf.single_round_trip_ht(0.1, 1.0, INF, "pec"), 3.82035232421946) <= 1e-12
    # Table 9.3 / 11.1 limits prod nu/mu (spec checks): 1.2007 (ded), 1.19897 (PEMC delta = 0)
    nu, m = cf.RATIONAL_MODEL_TABLE_11_1[0]
    assert _rel(cf.rational_model_ratio(1.0, nu, m), 1.19897) <= 1e-5
    assert _rel(cf.rational_model_ratio(1.1, *cf.RATIONAL_MODEL_TABLE_11_1[1]), 0.911716) <= 1e-5


def test_re_li3_vs_mpmath_and_pfa_table():
    for phi in (0.0, 0.4, 1.3, 2.5, np.pi, 5.0):
        ref = mp_re_polylog_unit_circle(3, phi)
        assert abs(float(re_li3_unit_circle(phi)) - ref) <= 1e-13
    z3 = 1.2020569031595942
    for d, ratio in [(np.pi / 6, 1 / 3), (np.pi / 4, -3 / 32), (np.pi / 3, -4 / 9), (np.pi / 2, -3 / 4)]:
        assert abs(float(re_li3_unit_circle(2 * d)) / z3 - ratio) <= 1e-13
    root = brentq(lambda d: float(re_li3_unit_circle(2 * d)), 0.6, 0.8, xtol=1e-14)
    assert abs(root / (np.pi / 4) - 0.923319) <= 1e-6 and abs(root - CRITICAL_ANGLE_PFA_HT) <= 1e-6
    # Table 11.1 limit (11.36): F/F^(1) -> Re Li3(e^{2i delta})/cos(2 delta) = zeta(3) {1, 2/3, 8/9, 3/4}
    for d, ratio in [(0.0, 1.0), (np.pi / 6, 2 / 3), (np.pi / 3, 8 / 9), (np.pi / 2, 3 / 4)]:
        assert abs(float(re_li3_unit_circle(2 * d)) / np.cos(2 * d) / z3 - ratio) <= 1e-13


# --- PEMC physics -------------------------------------------------------------------------------

def test_pemc_depends_on_delta_only_and_is_symmetric():
    l_max, m_max = (30, 40), 12
    engine = lambda R1, R2: Multipole(l_max=l_max if R1 < R2 else l_max[::-1], m_max=m_max)  # noqa: E731
    f = lambda t1, t2, R1, R2: float(casimir_zero_frequency_term(  # noqa: E731
        geometry(0.4, R1, R2, PEMC(t1), PEMC(t2)), engine=engine(R1, R2)))
    a = f(0.5, 0.2, 1.0, 2.0)
    assert abs(f(0.9, 0.6, 1.0, 2.0) / a - 1) <= 1e-12          # same delta
    assert abs(f(0.2, 0.5, 2.0, 1.0) / a - 1) <= 1e-12          # spheres exchanged
    assert abs(f(0.0, 0.0, 1.0, 2.0) / float(casimir_zero_frequency_term(  # delta = 0 is PEC--PEC
        geometry(0.4, 1.0, 2.0, PEC, PEC), engine=engine(1.0, 2.0))) - 1) <= 1e-12


def test_pemc_dipole_limits_and_critical_angles():
    # dipole--dipole: -(3/8)(R1R2/Lc^2)^3 [1 + 9 cos 2 delta] at L = 60 R, rel 2e-3 (O(rho^2) corrections)
    L, lm = 60.0, Multipole(l_max=(5, 5), m_max=3)
    for d in (0.0, 0.5, np.pi / 2):
        F = casimir_zero_frequency_term(geometry(L, 1.0, 1.0, PEMC(d), PEMC(0.0)), engine=lm)
        assert _rel(F, pemc_dipole_dipole_free_energy_ht(L, 1.0, 1.0, d)) <= 2e-3
        Fp = casimir_zero_frequency_term(geometry(L, 1.0, INF, PEMC(d), PEMC(0.0)), engine=lm)
        assert _rel(Fp, pemc_dipole_plane_free_energy_ht(L, 1.0, d)) <= 2e-2
    # critical angles by root finding on the autodiff force of the full engine
    force = lambda d, R2: float(zero_frequency_force(geometry(L, 1.0, R2, PEMC(d), PEMC(0.0)), lm))  # noqa: E731
    dd = brentq(lambda d: force(d, 1.0), 0.7, 0.95, xtol=1e-10)
    assert abs(dd - CRITICAL_ANGLE_DIPOLE_DIPOLE_HT) <= 2e-4 * np.pi / 4     # 1.0708819 pi/4
    dp = brentq(lambda d: force(d, INF), 0.6, 0.95, xtol=1e-10)
    assert abs(dp - np.pi / 4) <= 1e-4 * np.pi / 4


@pytest.mark.slow
def test_pemc_pfa_critical_angle_by_richardson():
    # sphere--plane at R/L = 10, 20: delta_c(x) linear in x; Richardson -> 0.923319 pi/4 within 2e-3
    roots = []
    for RL in (10.0, 20.0):
        L = 1.0 / RL
        # the multipole truncation of eta = 8: l_max = (l1, 1), m_max from the geometry
        engine = Multipole(eta=8).sized_for(geometry(L, 1.0, INF, PEMC(0.0), PEMC(0.0)))
        roots.append(brentq(lambda d: float(zero_frequency_force(geometry(L, 1.0, INF, PEMC(d), PEMC(0.0)),
                                                                 engine)), 0.6, 0.85, xtol=1e-8))
    extrapolated = 2 * roots[1] - roots[0]
    assert abs(extrapolated / (np.pi / 4) - 0.923319) <= 2e-3


def test_pemc_rational_model_table_11_1():
    # engine f/f^(1) vs the Table 11.1 model at y - 1 = 0.5 (sphere--plane); model max dev 5.1e-3
    L = 0.5
    for k, d in enumerate((0.0, np.pi / 6, np.pi / 3, np.pi / 2)):
        F = casimir_zero_frequency_term(geometry(L, 1.0, INF, PEMC(d), PEMC(0.0)), engine=Multipole(l_max=(60, 1),
                                                                                                    m_max=20))
        ratio = -2 * float(F) / float(cf.pemc_single_round_trip_ht(L, 1.0, INF, d))
        assert abs(ratio / float(cf.rational_model_ratio(1.5, *cf.RATIONAL_MODEL_TABLE_11_1[k])) - 1) <= 6e-3


def test_pfa_limit_of_exact_results():
    # Scalar PFA F = -zeta(3) R/(8L) (one polarisation = half the PEC/PEMC(delta=0) PFA value):
    # F/F_PFA - 1 = (4x/zeta(3)) [-(1/24) log(2x) + zeta(3)/24 + log A - 1/12 - log(2)/6] + O(x^2)
    # (casimir-spheres.md §2.6 x-expansion, u = 0); checked to 0.05 x^2.
    z3 = 1.2020569031595942
    for x in (1e-2, 1e-3, 1e-4):
        F = -0.5 * float(cf.dirichlet_free_energy_ht(x, 1.0, INF))
        F_pfa = 0.5 * float(pemc_pfa_free_energy_ht(x, 1.0, 0.0))
        slope = (4 * x / z3) * (-np.log(2 * x) / 24 + z3 / 24 + 0.0498966136)
        assert abs((F / F_pfa - 1) - slope) <= 0.05 * x * x


# --- autodiff, vmap, jit ----------------------------------------------------------------------

def test_force_autodiff_vs_central_differences():
    kw = Multipole(l_max=(20, 20), m_max=8)
    for mats in [(DRUDE, PEC), (PEMC(0.3), PEMC(1.1))]:
        F = lambda L: casimir_zero_frequency_term(geometry(L, 1.0, 1.5, *mats), engine=kw)  # noqa: E731
        h = 1e-5
        fd = -(float(F(1.0 + h)) - float(F(1.0 - h))) / (2 * h)
        ad = float(zero_frequency_force(geometry(1.0, 1.0, 1.5, *mats), kw))
        assert abs(ad / fd - 1) <= 1e-7
    # derivative in the duality angle, radius and permittivity; stiffness by jacfwd(grad): finite
    kp = Multipole(l_max=(30, 1), m_max=10)  # shared with the vmap test (one compilation)
    pemc = lambda t: casimir_zero_frequency_term(geometry(0.5, 1.0, INF, PEMC(t), PEMC(0.2)), engine=kp)  # noqa: E731
    g = jax.grad(pemc)(0.7)
    h = 1e-5
    fd = (float(pemc(0.7 + h)) - float(pemc(0.7 - h))) / (2 * h)
    assert abs(float(g) / fd - 1) <= 1e-7
    k = jax.jacfwd(jax.grad(lambda L: casimir_zero_frequency_term(geometry(L, 1.0, 1.5, DRUDE, DRUDE), engine=kw)))(1.0)
    assert np.isfinite(float(k)) and float(k) < 0  # attractive force grows as L shrinks
    ge = jax.grad(lambda e: casimir_zero_frequency_term(geometry(1.0, 1.0, 1.5, Dielectric(e), Dielectric(e)),
                                                        engine=kw))(4.0)
    assert np.isfinite(float(ge)) and float(ge) < 0


def test_vmap_over_L_and_delta_equals_loop_and_jit():
    kw = Multipole(l_max=(30, 1), m_max=10)
    Ls = jnp.array([0.3, 0.5, 0.8])
    ds = jnp.array([0.0, 0.6, 1.2])
    fn = lambda L, d: casimir_zero_frequency_term(geometry(L, 1.0, INF, PEMC(d), PEMC(0.0)), engine=kw)  # noqa: E731
    vm = jax.vmap(fn)(Ls, ds)
    loop = np.array([float(fn(float(L), float(d))) for L, d in zip(Ls, ds)])
    np.testing.assert_allclose(np.asarray(vm), loop, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(fn))(Ls, ds)), loop, rtol=1e-13)


def test_static_reflection_limits():
    l = np.arange(1, 6)
    # dielectric (4.57): eps = 4: X(1) = 0.5, X(2) = 0.54545455
    X = static_reflection(Dielectric(4.0), 2)
    np.testing.assert_allclose(np.asarray(X[:, 0, 0]), [0.5, 0.54545455], rtol=1e-8)
    # bi-isotropic with chi = kappa = 0 equals the isotropic magneto-dielectric; PEMC(0) = PEC
    Xb = static_reflection(BiIsotropic(3.0, 2.0), 5)
    Xd = static_reflection(Dielectric(3.0, 2.0), 5)
    np.testing.assert_allclose(np.asarray(Xb).real, np.asarray(Xd), atol=1e-14)
    np.testing.assert_allclose(np.asarray(static_reflection(PEMC(0.0), 5)), np.asarray(static_reflection(PEC, 5)), atol=1e-15)
    # plasma TE -> PEC value -l/(l+1) for omega_p R / c -> inf, -> 0 for -> 0
    big = static_reflection(Plasma(1e20), 5, radius=1e-3)[:, 1, 1]
    np.testing.assert_allclose(np.asarray(big), -l / (l + 1) * (1 - (2 * l + 1) / 3.3e8), rtol=1e-5)
    # PEMC plane: R(theta) = D diag(1, -1) D^T, R^2 = 1
    R = np.asarray(static_plane_reflection(PEMC(0.4)))
    np.testing.assert_allclose(R @ R, np.eye(2), atol=1e-15)


def test_bad_input():
    with pytest.raises(ValueError, match="distance"):
        casimir_zero_frequency_term(geometry(0.0, 1.0, 1.0, PEC, PEC))
    with pytest.raises(ValueError, match="radius1"):
        casimir_zero_frequency_term(geometry(1.0, -1.0, 1.0, PEC, PEC))
    with pytest.raises(ValueError, match="radius2"):
        casimir_zero_frequency_term(geometry(1.0, 1.0, np.nan, PEC, PEC))
    with pytest.raises(ValueError, match="theta"):
        PEMC(np.nan)
    with pytest.raises(ValueError, match="delta"):
        pemc_pfa_free_energy_ht(1.0, 1.0, np.inf)
    with pytest.raises(ValueError, match="material"):
        casimir_zero_frequency_term(geometry(1.0, 1.0, 1.0, "gold", PEC))
    with pytest.raises(ValueError, match="l_max"):
        casimir_zero_frequency_term(geometry(1.0, 1.0, 1.0, PEC, PEC), engine=Multipole(l_max=2.5))
