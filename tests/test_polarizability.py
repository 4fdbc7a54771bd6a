"""Dipole polarizabilities (jaxem/polarizability.py) against the spec's numbers, exact identities and miepython.

References: nanosphere-potentials.md §2.2 and §4.B.5 (silica Drude–Lorentz, Malitson index, alpha~ values).
"""
import jax
import jax.numpy as jnp
import miepython
import numpy as np
import pytest

import jaxem  # noqa: F401
from jaxem.constants import c, eps0, matsubara_frequency
from jaxem.materials import Dielectric, LorentzOscillators
from jaxem.polarizabilities import (SILICA_INDEX_1064NM, clausius_mossotti, mie_polarizabilities, polarizability,
                                  polarizability_imag, radiative_correction, reduced_polarizability,
                                  sphere_polarizability)

SILICA = LorentzOscillators.silica()
R = 100e-9
OMEGA0 = 2 * np.pi * c / 1064e-9


def test_silica_static_and_matsubara_values():
    # spec §2.2: alpha~(i xi_n), n = 0..3 at 300 K, 7 significant digits -> rtol 2e-7
    xi = matsubara_frequency(np.arange(4), 300.0)
    got = np.asarray(reduced_polarizability(polarizability_imag(xi, R, SILICA), R))
    ref = np.array([0.4951101, 0.3370919, 0.3000558, 0.2899683])
    assert np.allclose(got, ref, rtol=2e-7, atol=0)
    assert np.isclose(float(SILICA.epsilon_imaginary_frequency(0.0)), 3.941889, rtol=2e-7)


def test_drive_frequency_values():
    # spec §2.2: DL model at 1064 nm alpha~ = 0.282152 + 0.004011 i; Malitson n = 1.4496 -> 0.2685318
    a_dl = complex(clausius_mossotti(SILICA.epsilon(OMEGA0)))
    assert abs(a_dl.real - 0.282152) < 1e-6 and abs(a_dl.imag - 0.004011) < 1e-6
    a_m = float(clausius_mossotti(SILICA_INDEX_1064NM**2))
    assert abs(a_m - 0.2685318) < 1e-7
    alpha = complex(polarizability(OMEGA0, R, SILICA))
    assert np.isclose(alpha, 4 * np.pi * eps0 * R**3 * a_dl, rtol=1e-14)
    assert np.isclose(float(sphere_polarizability(R, SILICA_INDEX_1064NM**2)), 4 * np.pi * eps0 * R**3 * a_m,
                      rtol=1e-14)


def test_clausius_mossotti_limits():
    # eps = 1: no polarizability; eps -> inf: alpha~ -> 1 (perfect conductor); dtype follows eps
    assert float(clausius_mossotti(1.0)) == 0.0
    assert abs(float(clausius_mossotti(1e12)) - 1) < 1e-11
    assert jnp.iscomplexobj(clausius_mossotti(2.0 + 0.1j))
    assert clausius_mossotti(2.0).dtype == jnp.float64


def test_metal_at_zero_frequency_is_a_perfect_conductor_not_nan():
    """eps = +inf (Drude/plasma metal at xi = 0, PEC) gives alpha~ = 1 with a zero derivative (was NaN), so the
    Casimir-Polder energy of two gold nanospheres at 300 K is finite and agrees with PEC spheres (gold's
    eps(i xi_n) >> 1 at every Matsubara frequency that matters at r = 1 um: measured 0.86 %) and with plasma
    gold (same n = 0 term) to 1e-3."""
    from jaxem.materials import Drude, PerfectConductor, Plasma
    assert float(clausius_mossotti(jnp.inf)) == 1.0
    assert float(jax.grad(lambda e: clausius_mossotti(e))(jnp.inf)) == 0.0
    assert np.isfinite(float(jax.grad(lambda e: clausius_mossotti(e))(3.0)))
    args = (1e-6, 300.0, 50e-9)
    u_gold = float(jaxem.casimir_polder_potential(*args, Drude.gold()))
    u_pec = float(jaxem.casimir_polder_potential(*args, PerfectConductor()))
    u_plasma = float(jaxem.casimir_polder_potential(*args, Plasma.gold()))
    assert np.isfinite(u_gold) and u_gold < 0
    assert abs(u_gold / u_pec - 1) < 0.02, (u_gold, u_pec)
    assert abs(u_gold / u_plasma - 1) < 1e-3, (u_gold, u_plasma)
    g = float(jax.grad(lambda r: jaxem.casimir_polder_potential(r, 300.0, 50e-9, Drude.gold()))(1e-6))
    assert np.isfinite(g) and g > 0                              # attractive: U rises with r


def test_radiative_correction_optical_theorem():
    # lossless sphere: Im(1/alpha_eff) = -k^3/(6 pi eps0) exactly (tolerance 1e-12 relative);
    # |alpha|^2 changes by 0.14 % at R = 100 nm, 1064 nm (spec §2.2)
    alpha = float(sphere_polarizability(R, SILICA_INDEX_1064NM**2))
    k = OMEGA0 / c
    eff = complex(radiative_correction(alpha, k))
    assert np.isclose((1 / eff).imag, -k**3 / (6 * np.pi * eps0), rtol=1e-12)
    assert np.isclose((1 / eff).real, 1 / alpha, rtol=1e-12)
    assert abs(abs(eff) ** 2 / alpha**2 - 1 + 0.00136) < 1e-4
    corrected = complex(polarizability(OMEGA0, R, Dielectric(SILICA_INDEX_1064NM**2), with_radiative_correction=True))
    assert np.isclose(corrected, eff, rtol=1e-14)


def test_mie_polarizability_matches_miepython():
    # independent library: miepython uses e^{+i omega t} (m = n - i k), so a_1(BH) = conj(a_1(miepython, conj m))
    m = 1.4496 + 0.01j
    k = OMEGA0 / c
    alpha_e, alpha_m = mie_polarizabilities(OMEGA0, R, Dielectric(m**2))
    a, b = miepython.coefficients(np.conj(m), k * R, n_pole=1)
    a1, b1 = np.conj(np.atleast_1d(a)[0]), np.conj(np.atleast_1d(b)[0])
    assert np.isclose(complex(alpha_e), 6j * np.pi * eps0 * a1 / k**3, rtol=1e-10)
    assert np.isclose(complex(alpha_m), 6j * np.pi * b1 / k**3, rtol=1e-10)


def test_mie_polarizability_limits():
    k = OMEGA0 / c
    # lossless: unitarity Im(1/alpha_e) = -k^3/(6 pi eps0) exactly, rtol 1e-9
    alpha_e, _ = mie_polarizabilities(OMEGA0, R, Dielectric(SILICA_INDEX_1064NM**2))
    assert np.isclose((1 / complex(alpha_e)).imag, -k**3 / (6 * np.pi * eps0), rtol=1e-9)
    # Rayleigh limit (k R = 6e-4): alpha_e -> CM (relative O((kR)^2) ~ 1e-6), alpha_m -> (2 pi/15)(m^2-1) k^2 R^5
    small = 1e-10
    eps = 2.25
    alpha_e, alpha_m = mie_polarizabilities(OMEGA0, small, Dielectric(eps))
    assert np.isclose(complex(alpha_e), float(sphere_polarizability(small, eps)), rtol=1e-5)
    assert np.isclose(complex(alpha_m).real, 2 * np.pi / 15 * (eps - 1) * k**2 * small**5, rtol=1e-5)


def test_grad_jit_vmap():
    f = lambda xi: polarizability_imag(xi, R, SILICA)  # noqa: E731
    xi0, h = 3e15, 1e9
    fd = (f(xi0 + h) - f(xi0 - h)) / (2 * h)
    assert np.isclose(jax.jit(jax.grad(f))(xi0), fd, rtol=1e-7)  # central differences, tolerance 1e-7
    xs = jnp.array([0.0, 1e14, 1e16])
    assert np.allclose(jax.vmap(f)(xs), np.array([f(x) for x in xs]), rtol=1e-15)
    assert np.allclose(jax.jit(f)(xs), f(xs), rtol=1e-15)
    # radius derivative: d alpha/dR = 3 alpha/R
    g = jax.jit(jax.grad(lambda rr: polarizability_imag(1e15, rr, SILICA)))(R)
    assert np.isclose(g, 3 * f(1e15) / R, rtol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="radius"):
        sphere_polarizability(-1e-9, 2.0)
    with pytest.raises(ValueError, match="eps"):
        clausius_mossotti(np.nan)
    with pytest.raises(ValueError, match="k"):
        radiative_correction(1e-32, 0.0)
    with pytest.raises(ValueError, match="omega"):
        polarizability(-1.0, R, SILICA)
    with pytest.raises(ValueError, match="radius"):
        mie_polarizabilities(OMEGA0, 0.0, SILICA)
    with pytest.raises(ValueError, match="xi"):
        polarizability_imag(-1.0, R, SILICA)
