"""Batches through the Casimir face: arrays of distances, radii and PEMC duality angles in the zero-frequency
term, and the force under jit + vmap, each equal to single calls."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem
from jaxem.casimir import round_trip_traces
from jaxem.constants import k_B

PEC = jaxem.PerfectConductor()


def _plane(L, R=1.0, m1=PEC, m2=PEC):
    return jaxem.SpherePlane(radius=R, distance=L, sphere=m1, plane=m2)


@pytest.mark.slow  # 10-20 s of compilation; the batch paths are also covered by tests/test_casimir_ht_planewave.py
def test_distance_batch_equals_single_calls_each_engine():
    Ls = np.array([0.3, 0.5, 0.08])
    # multipole: the same matrices; plane wave: each group of gaps (L <= 2 L_min) shares the kernels of its
    # smallest gap, a different discretisation of the same integral (documented: ~1e-9)
    for engine, rtol in ((jaxem.Multipole(l_max=40, m_max=41), 1e-12), (jaxem.StaticPlaneWave(n_k=40, n_phi=31), 2e-9)):
        batch = np.asarray(jaxem.casimir_zero_frequency_term(_plane(Ls), engine=engine))
        single = [float(jaxem.casimir_zero_frequency_term(_plane(L), engine=engine)) for L in Ls]
        np.testing.assert_allclose(batch, single, rtol=rtol)


@pytest.mark.slow  # 10-20 s of compilation; the batch paths are also covered by tests/test_casimir_ht_planewave.py
def test_unsized_batch_uses_the_hardest_point():
    # an engine without sizes is sized once for the whole batch, from its smallest distance
    Ls = np.array([0.5, 0.1])
    batch = np.asarray(jaxem.casimir_zero_frequency_term(_plane(Ls), engine=jaxem.Multipole()))
    sized = jaxem.Multipole().sized_for(_plane(Ls))
    assert sized == jaxem.Multipole().sized_for(_plane(0.1)) != jaxem.Multipole().sized_for(_plane(0.5))
    single = [float(jaxem.casimir_zero_frequency_term(_plane(L), engine=sized)) for L in Ls]
    np.testing.assert_allclose(batch, single, rtol=1e-12)


@pytest.mark.slow  # 10-20 s of compilation; the batch paths are also covered by tests/test_casimir_ht_planewave.py
def test_radius_batch_sphere_sphere():
    R1 = np.array([1.0, 2.0])
    g = jaxem.SphereSphere(radius1=R1, radius2=0.7, distance=np.array([[0.3], [0.4]]), sphere1=PEC, sphere2=PEC)
    engine = jaxem.Multipole(l_max=30, m_max=31)
    batch = np.asarray(jaxem.casimir_zero_frequency_term(g, engine=engine))
    assert batch.shape == (2, 2)
    for i, L in enumerate((0.3, 0.4)):
        for j, r in enumerate(R1):
            one = jaxem.SphereSphere(radius1=r, radius2=0.7, distance=L, sphere1=PEC, sphere2=PEC)
            assert batch[i, j] == pytest.approx(float(jaxem.casimir_zero_frequency_term(one, engine=engine)),
                                                rel=1e-12)


def test_pemc_duality_angle_sweep_equals_single_pairs():
    deltas = np.array([0.1, 0.7, 1.5])
    engine = jaxem.StaticPlaneWave(n_k=30, n_phi=21)
    g = jaxem.SphereSphere(radius1=1.0, radius2=0.7, distance=0.3, sphere1=jaxem.PEMC(deltas),
                           sphere2=jaxem.PEMC(0.0))
    sweep = np.asarray(jaxem.casimir_zero_frequency_term(g, engine=engine))
    for d, value in zip(deltas, sweep):
        pair = jaxem.SphereSphere(radius1=1.0, radius2=0.7, distance=0.3, sphere1=jaxem.PEMC(d),
                                  sphere2=jaxem.PEMC(0.0))
        assert value == pytest.approx(float(jaxem.casimir_zero_frequency_term(pair, engine=engine)), rel=1e-10)
    # a repulsive pair (PEC facing PMC) at delta = pi/2 is positive, an attractive one negative
    assert sweep[0] < 0 < jaxem.casimir_zero_frequency_term(
        jaxem.SphereSphere(radius1=1.0, radius2=0.7, distance=0.3, sphere1=jaxem.PEMC(np.pi / 2),
                           sphere2=jaxem.PEMC(0.0)), engine=engine)


def test_zero_frequency_force_under_jit_vmap_equals_eager_and_differences():
    # regression: a traced plane radius used to turn the sphere-plane force into NaN under jit + vmap
    engine = jaxem.StaticPlaneWave(n_k=40, n_phi=31)
    Ls = jnp.array([0.2, 0.35])
    force = jax.jit(jax.vmap(lambda L: jaxem.casimir_force(_plane(L), 1.0, engine=engine) / k_B))(Ls)
    eager = [float(jaxem.casimir_force(_plane(float(L)), 1.0, engine=engine) / k_B) for L in Ls]
    np.testing.assert_allclose(np.asarray(force), eager, rtol=1e-12)
    h = 1e-5
    for L, f in zip(np.asarray(Ls), eager):
        F = lambda d: float(jaxem.casimir_zero_frequency_term(_plane(d), engine=engine))  # noqa: E731
        assert f == pytest.approx(-(F(L + h) - F(L - h)) / (2 * h), rel=1e-7)


def test_round_trip_traces_sum_to_the_log_det():
    # -2 F_0/k_BT = sum_r tr M^r / r: the traces converge to the free energy at a wide gap
    engine = jaxem.Multipole(l_max=12, m_max=13)
    g = _plane(2.0)
    traces = np.asarray(round_trip_traces(g, 12, engine=engine))
    f = -2.0 * float(jaxem.casimir_zero_frequency_term(g, engine=engine))
    assert np.sum(traces / np.arange(1, 13)) == pytest.approx(f, rel=1e-10)
    with pytest.raises(ValueError, match="geometry"):
        round_trip_traces(_plane(np.array([1.0, 2.0])), 2, engine=engine)
