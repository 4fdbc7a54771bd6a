"""jaxem.TweezerPair: the two-tweezer set-up as one object, equal to the keyword form, differentiable."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem

R_A = np.array([0.0, 0.0, 0.0])
R_B = np.array([1.2e-6, 0.0, 0.0])


def test_setup_equals_keywords_and_defaults():
    kw = dict(radius=120e-9, temperature=0.0, intensity_b=5e9, n_matsubara=32)
    by_kw = jaxem.nanosphere_potentials(R_A, R_B, 0.3, **kw)
    by_setup = jaxem.nanosphere_potentials(R_A, R_B, 0.3, setup=jaxem.TweezerPair(**kw))
    np.testing.assert_array_equal(np.asarray(by_kw), np.asarray(by_setup))
    default = jaxem.nanosphere_potentials(R_A, R_B, 0.3)
    np.testing.assert_array_equal(np.asarray(default),
                                  np.asarray(jaxem.nanosphere_potentials(R_A, R_B, 0.3, setup=jaxem.TweezerPair())))
    f_kw = jaxem.nanosphere_forces(R_A, R_B, 0.3, **kw)
    f_setup = jaxem.nanosphere_forces(R_A, R_B, 0.3, setup=jaxem.TweezerPair(**kw))
    for a, b in zip(f_kw, f_setup):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_gradient_in_a_setup_field_matches_differences():
    def u(radius):
        return jaxem.pair_potential(R_A, R_B, 0.0, setup=jaxem.TweezerPair(radius=radius, temperature=0.0))

    g = float(jax.grad(u)(100e-9))
    h = 1e-12
    fd = (float(u(100e-9 + h)) - float(u(100e-9 - h))) / (2 * h)
    assert g == pytest.approx(fd, rel=1e-6)
    assert np.all(np.isfinite(np.asarray(jax.vmap(u)(jnp.array([90e-9, 110e-9])))))


@pytest.mark.parametrize("call, name", [
    (lambda: jaxem.TweezerPair(radius=-1e-7), "radius"),
    (lambda: jaxem.TweezerPair(wavelength=0.0), "wavelength"),
    (lambda: jaxem.TweezerPair(profile="top-hat"), "profile"),
    (lambda: jaxem.TweezerPair(material="silica"), "material"),
    (lambda: jaxem.nanosphere_potentials(R_A, R_B, 0.0, setup=jaxem.TweezerPair(), radius=1e-7), "setup"),
    (lambda: jaxem.nanosphere_potentials(R_A, R_B, 0.0, setup={"radius": 1e-7}), "setup"),
])
def test_bad_setups_name_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
