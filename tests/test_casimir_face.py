"""The Casimir face on geometry objects and engines (jaxem.casimir.energies, jaxem.casimir.engines).

Checks: validation at construction; the positional forms (L, R1, R2, T, materials) are rejected (the face
takes a geometry object); the zero-frequency engines agree with each other (independent routes) and their
high-temperature free energy, force and entropy are k_B T f_0, -k_B T f_0' (against central differences) and
k_B f_0; sized engines make jax.grad / jax.jit over any geometry parameter work.  That the face gives the
numbers of the former positional interface is tests/test_reference_values.py (recorded values, 1e-12).
"""
import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem
import reference_cases
from jaxem.constants import k_B

GOLD = jaxem.Drude.gold()
PEC = jaxem.PerfectConductor()


def test_geometry_validates_at_construction():
    with pytest.raises(ValueError, match="radius"):
        jaxem.SpherePlane(radius=-1e-6, distance=1e-6, sphere=GOLD, plane=GOLD)
    with pytest.raises(ValueError, match="distance"):
        jaxem.SphereSphere(radius1=1e-6, radius2=1e-6, distance=0.0, sphere1=GOLD, sphere2=GOLD)
    with pytest.raises(ValueError, match="sphere"):
        jaxem.SpherePlane(radius=1e-6, distance=1e-6, sphere="gold", plane=GOLD)
    with pytest.raises(ValueError, match="medium"):
        jaxem.SpherePlane(radius=1e-6, distance=1e-6, sphere=GOLD, plane=GOLD, medium=1.33)
    with pytest.raises(ValueError, match="geometry"):
        jaxem.casimir_zero_frequency_term((1e-6, 1e-6))
    with pytest.raises(ValueError, match="frequencies"):
        jaxem.PlaneWave(frequencies="pade")
    geom = jaxem.SpherePlane(radius=1e-6, distance=1e-6, sphere=GOLD, plane=GOLD)
    for fn in (jaxem.casimir_free_energy, jaxem.casimir_force, jaxem.casimir_force_gradient, jaxem.casimir_entropy):
        with pytest.raises(ValueError, match="unexpected arguments"):
            fn(geom, 300.0, eta=2.0)            # options belong to the engine
        with pytest.raises(ValueError, match="geometry"):
            fn(1e-6, 1e-6, math.inf, 300.0, GOLD, engine=jaxem.PlaneWave())


@pytest.mark.parametrize("name", ["casimir_free_energy", "casimir_force", "casimir_force_gradient",
                                  "casimir_entropy"])
def test_positional_form_is_rejected(name):
    # the face takes (geometry, temperature, *, engine): the former positional arguments (L, R1, R2, T,
    # material1, material2) are a ValueError, for a sphere above a plate and for two spheres
    fn = getattr(jaxem, name)
    with pytest.raises(ValueError, match="geometry"):
        fn(1e-6, 2e-6, math.inf, 300.0, GOLD, GOLD)
    with pytest.raises(ValueError, match="geometry"):
        fn(1e-6, 1e-6, 2e-6, 300.0, GOLD, PEC)


def test_zero_frequency_engines_and_high_temperature_limit():
    geom = jaxem.SpherePlane(radius=1.0, distance=0.1, sphere=GOLD, plane=GOLD)
    f_mp = float(jaxem.casimir_zero_frequency_term(geom, engine=jaxem.Multipole(eta=14.0)))
    f_pw = float(jaxem.casimir_zero_frequency_term(geom, engine=jaxem.StaticPlaneWave(eta=14.0)))
    assert f_mp == pytest.approx(f_pw, rel=1e-10)          # two independent routes (truncation error ~1e-11)
    f0 = float(jaxem.casimir_zero_frequency_term(geom))
    # the default engine takes the plane-wave route at R/L = 10 (>= 5), with the same sizes
    assert f0 == pytest.approx(float(jaxem.casimir_zero_frequency_term(geom, engine=jaxem.StaticPlaneWave())),
                               rel=1e-14)
    T = 300.0
    engine = jaxem.ZeroFrequency()
    assert float(jaxem.casimir_free_energy(geom, T, engine=engine)) == pytest.approx(k_B * T * f0, rel=1e-14)
    assert float(jaxem.casimir_entropy(geom, T, engine=engine)) == pytest.approx(-k_B * f0, rel=1e-14)
    # force: autodiff against central differences of the n = 0 term on the same (fixed) sizes, rtol 1e-7
    sized = engine.sized_for(geom)
    h = 1e-5
    term = lambda d: float(jaxem.casimir_zero_frequency_term(  # noqa: E731
        jaxem.SpherePlane(radius=1.0, distance=d, sphere=GOLD, plane=GOLD), engine=sized))
    fd = -(term(0.1 + h) - term(0.1 - h)) / (2 * h)
    assert float(jaxem.casimir_force(geom, T, engine=engine)) == pytest.approx(k_B * T * fd, rel=1e-7)
    fd2 = -(term(0.1 + h) - 2 * term(0.1) + term(0.1 - h)) / h**2
    assert float(jaxem.casimir_force_gradient(geom, T, engine=engine)) == pytest.approx(k_B * T * fd2, rel=1e-5)
    with pytest.raises(ValueError, match="temperature"):
        jaxem.casimir_free_energy(geom, 0.0, engine=engine)


def test_sized_engine_makes_grad_and_jit_work_in_any_parameter():
    # sizes fixed once from the concrete geometry: jax.grad in the radius and a jitted call over the whole
    # geometry pytree; the radius derivative against central differences (rtol 1e-6)
    geom = jaxem.SpherePlane(radius=2e-6, distance=1e-6, sphere=GOLD, plane=GOLD)
    engine = jaxem.PlaneWave().sized_for(geom, 300.0)
    assert engine.truncation is not None and engine.n_frequencies is not None

    def energy(R):
        return jaxem.casimir_free_energy(jaxem.SpherePlane(radius=R, distance=1e-6, sphere=GOLD, plane=GOLD),
                                         300.0, engine=engine)

    dR = float(jax.grad(energy)(2e-6))
    h = 1e-9
    assert dR == pytest.approx((float(energy(2e-6 + h)) - float(energy(2e-6 - h))) / (2 * h), rel=1e-6)
    jitted = jax.jit(lambda g: jaxem.casimir_free_energy(g, 300.0, engine=engine))(geom)
    assert float(jitted) == pytest.approx(float(jaxem.casimir_free_energy(geom, 300.0)), rel=1e-12)
    # zero-frequency engines: gradient in the Drude plasma frequency of the sphere is finite and exact zero
    # for the n = 0 TM term of a Drude sphere (its static response does not depend on omega_p)
    zf = jaxem.ZeroFrequency().sized_for(jaxem.SpherePlane(radius=1.0, distance=0.2, sphere=GOLD, plane=GOLD))
    g = jax.grad(lambda wp: jaxem.casimir_zero_frequency_term(
        jaxem.SpherePlane(radius=1.0, distance=0.2, sphere=jaxem.Drude(wp, GOLD.gamma), plane=GOLD), engine=zf))
    assert float(g(GOLD.omega_p)) == 0.0
    # without an engine: an eager jax.grad sizes itself from the point (the same sizes as sized_for there);
    # only jax.jit needs the sized engine
    term = lambda R, **kw: jaxem.casimir_zero_frequency_term(  # noqa: E731
        jaxem.SpherePlane(radius=R, distance=0.2, sphere=GOLD, plane=GOLD), **kw)
    zf_r = jaxem.ZeroFrequency().sized_for(jaxem.SpherePlane(radius=1.0, distance=0.2, sphere=GOLD, plane=GOLD))
    assert float(jax.grad(term)(1.0)) == pytest.approx(float(jax.grad(lambda R: term(R, engine=zf_r))(1.0)),
                                                       rel=1e-12)
    with pytest.raises(ValueError, match="sized_for"):
        jax.jit(jax.grad(term))(1.0)


def test_batch_of_distances_through_the_face():
    L = jnp.array([1e-6, 1.3e-6, 1.7e-6])
    geom = jaxem.SpherePlane(radius=5e-6, distance=L, sphere=GOLD, plane=GOLD)
    batch = np.asarray(jaxem.casimir_free_energy(geom, 300.0))
    # the values the positional interface gave for this batch (recorded before the renovation:
    # tests/reference_cases.py, "casimir_free_energy_batch")
    recorded = json.loads(reference_cases.DATA.read_text())["casimir_free_energy_batch"]
    np.testing.assert_allclose(batch, recorded, rtol=1e-13)
    zf = np.asarray(jaxem.casimir_force(jaxem.SpherePlane(radius=1.0, distance=jnp.array([0.1, 0.2]), sphere=GOLD,
                                                           plane=GOLD), 300.0, engine=jaxem.ZeroFrequency()))
    single = [float(jaxem.casimir_force(jaxem.SpherePlane(radius=1.0, distance=d, sphere=GOLD, plane=GOLD), 300.0,
                                        engine=jaxem.ZeroFrequency())) for d in (0.1, 0.2)]
    # the batch's sizes are fixed by its smallest gap (finer than the single call's at the larger gap)
    np.testing.assert_allclose(zf, single, rtol=1e-9)
