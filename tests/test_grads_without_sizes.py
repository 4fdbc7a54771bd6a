"""A user's first jax.grad / jax.vmap over any continuous argument of a public energy works without size
arguments (#15 §1): eager transforms size the kernels from the values behind the tracers (the point being
differentiated, the hardest point of a mapped batch); only jax.jit needs explicit sizes.

Each derivative is checked against central differences of the same function (relative step 1e-5; for the
Casimir engines at the sizes the gradient used, so both sides share one truncation), each vmap against a loop.
"""
from __future__ import annotations

import numpy as np
import pytest

import jax
import jax.numpy as jnp

import jaxem
from jaxem.materials import Drude, LorentzOscillators

UM = 1e-6
GOLD = Drude.gold()


def _central(f, x0, rel=1e-5):
    h = rel * abs(x0)
    return (float(f(x0 + h)) - float(f(x0 - h))) / (2 * h)


def _beam(gamma=1.0):
    return jaxem.FocusedBeam(1.064 * UM, 1.2, 1.518, 1.3246, gamma, ell=1, interface_distance=2 * UM)


CASES = {
    "mie_efficiencies x": (lambda x: jaxem.mie_efficiencies(x, 1.5 + 0.01j).q_ext, 3.0, 1e-6),
    "mie_efficiencies Re m": (lambda m: jaxem.mie_efficiencies(3.0, m + 0.01j).q_ext, 1.5, 1e-6),
    "casimir_polder_potential r": (lambda r: jaxem.casimir_polder_potential(r, 300.0, 50e-9, GOLD), 1e-6, 1e-6),
    "casimir_polder_potential T": (lambda t: jaxem.casimir_polder_potential(1e-6, t, 50e-9, GOLD), 300.0, 1e-6),
    "casimir_polder_potential radius": (
        lambda a: jaxem.casimir_polder_potential(1e-6, 300.0, a, LorentzOscillators.silica()), 50e-9, 1e-6),
    "pair_potential distance": (
        lambda d: jaxem.pair_potential(jnp.array([0.0, 0.0, 0.0]), jnp.array([d, 0.0, 0.0]), 0.0), 3 * UM, 1e-6),
    "random_light_potential r": (
        lambda r: jnp.real(jaxem.random_light_potential(r, 2 * np.pi / UM, 1e-20 + 1e-21j, 0.0)), 2 * UM, 1e-6),
    "optical_force_efficiency radius": (
        lambda a: jaxem.optical_force_efficiency(_beam(), a, 1.5694, jnp.array([0.1 * UM, 0.0, 0.2 * UM])).z,
        0.3 * UM, 1e-6),
    "optical_force_efficiency z": (
        lambda z: jaxem.optical_force_efficiency(_beam(), 0.3 * UM, 1.5694, jnp.array([0.1 * UM, 0.0, z])).z,
        0.2 * UM, 1e-6),
    "optical_force_efficiency filling": (
        lambda g: jaxem.optical_force_efficiency(_beam(g), 0.3 * UM, 1.5694, jnp.array([0.1 * UM, 0.0, 0.2 * UM])).z,
        1.0, 1e-6),
}


DEFAULT = ("casimir_polder_potential r", "pair_potential distance", "optical_force_efficiency z")


@pytest.mark.parametrize("name", [n if n in DEFAULT else pytest.param(n, marks=pytest.mark.slow) for n in CASES])
def test_grad_and_vmap_without_size_arguments(name):
    f, x0, tol = CASES[name]
    g = float(jax.grad(f)(x0))
    fd = _central(f, x0)
    assert np.isfinite(g) and abs(g / fd - 1) < tol, (g, fd)
    xs = jnp.array([x0, 1.1 * x0])                    # the second point is the harder one: sizes from it
    mapped = np.asarray(jax.vmap(f)(xs))
    loop = np.array([float(f(x)) for x in (x0, 1.1 * x0)])
    assert np.allclose(mapped, loop, rtol=1e-9, atol=0), (mapped, loop)


def test_jit_still_needs_explicit_sizes_and_says_how():
    with pytest.raises(ValueError, match="l_max"):
        jax.jit(lambda x: jaxem.mie_efficiencies(x, 1.5).q_ext)(3.0)
    geom = lambda d: jaxem.SpherePlane(radius=5 * UM, distance=d, sphere=GOLD, plane=GOLD)  # noqa: E731
    with pytest.raises(ValueError, match="sized_for"):
        jax.jit(lambda d: jaxem.casimir_zero_frequency_term(geom(d)))(1 * UM)
    # the documented way out: one sized engine for the whole sweep
    eng = jaxem.ZeroFrequency().sized_for(geom(0.5 * UM))
    out = jax.jit(lambda d: jaxem.casimir_zero_frequency_term(geom(d), engine=eng))(1 * UM)
    assert np.isfinite(float(out))


def _zero_frequency(x0, which):
    def geom(v):
        return jaxem.SpherePlane(radius=v if which == "radius" else 5 * UM,
                                 distance=v if which == "distance" else 1 * UM, sphere=GOLD, plane=GOLD)
    return geom


@pytest.mark.parametrize("which,x0", [("distance", 1 * UM), pytest.param("radius", 5 * UM, marks=pytest.mark.slow)])
def test_zero_frequency_term_grad_without_sizes(which, x0):
    geom = _zero_frequency(x0, which)
    g = float(jax.grad(lambda v: jaxem.casimir_zero_frequency_term(geom(v)))(x0))
    eng = jaxem.ZeroFrequency().sized_for(geom(x0))        # the sizes the gradient used
    fd = _central(lambda v: jaxem.casimir_zero_frequency_term(geom(v), engine=eng), x0)
    assert abs(g / fd - 1) < 1e-6, (g, fd)


@pytest.mark.slow
def test_casimir_free_energy_grads_without_sizes():
    """dF/dR, dF/dL, dF/dT of the gold sphere-plate free energy at 300 K (R/L = 5) by one jax.grad with no
    size arguments, against central differences at the same plane-wave sizes."""
    def geom(radius, distance):
        return jaxem.SpherePlane(radius=radius, distance=distance, sphere=GOLD, plane=GOLD)

    x0 = (5 * UM, 1 * UM, 300.0)
    grads = jax.grad(lambda r, d, t: jaxem.casimir_free_energy(geom(r, d), t), argnums=(0, 1, 2))(*x0)
    eng = jaxem.PlaneWave().sized_for(geom(*x0[:2]), x0[2])
    for i, g in enumerate(grads):
        def f(v, i=i):
            args = list(x0)
            args[i] = v
            return jaxem.casimir_free_energy(geom(*args[:2]), args[2], engine=eng)
        fd = _central(f, x0[i])
        assert abs(float(g) / fd - 1) < 1e-5, (i, float(g), fd)
