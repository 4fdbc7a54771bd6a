"""Tests of jaxem.materials: response functions at real and imaginary frequency.

Independent references: closed forms, the seed-000 silica numbers of nanosphere-potentials.md
§2.2, and the Kramers-Kronig relation eps(i xi) - 1 = (2/pi) int_0^inf w Im eps(w)/(w^2 + xi^2) dw
evaluated by quadrature in log(omega) (ties the real-frequency and imaginary-frequency code paths).
"""
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxem  # noqa: F401  (x64)
from jaxem.constants import ev_to_rad_per_s, matsubara_frequency
from jaxem.materials import (PEMC, BiIsotropic, Dielectric, Drude, LorentzOscillators, Material,
                             PerfectConductor, Plasma, TabulatedEpsilon, material_from_name)
from reference import polystyrene_epsilon_imag, water_epsilon_imag


def kramers_kronig_imag(material, xi):
    """eps(i xi) from Im eps(omega) on the real axis: trapezoid rule in u = log(omega).

    The integrand omega^2 Im eps/(omega^2 + xi^2) is analytic in u and decays at both ends, so
    the trapezoid rule converges exponentially (spacing 1e-4 in u, resonance widths >= 0.1).
    """
    u = np.linspace(0.0, np.log(1e24), 240001)   # omega from 1 to 1e24 rad/s
    w = np.exp(u)
    im_eps = np.imag(np.asarray(material.epsilon(w)))
    integrand = w * w * im_eps / (w * w + xi * xi)
    return 1.0 + 2.0 / np.pi * np.trapezoid(integrand, u)


def test_silica_seed000_numbers():
    # nanosphere-potentials.md §2.2: eps(0) = 3.941889, alpha~(i xi_n) at 300 K, eps at 1064 nm
    silica = LorentzOscillators.silica()
    assert float(silica.epsilon_imaginary_frequency(0.0)) == pytest.approx(3.941889, rel=2e-7)
    xi = matsubara_frequency(np.arange(4), 300.0)
    eps = np.asarray(silica.epsilon_imaginary_frequency(xi))
    alpha = (eps - 1) / (eps + 2)
    np.testing.assert_allclose(alpha, [0.4951101, 0.3370919, 0.3000558, 0.2899683], rtol=3e-7)
    eps_drive = complex(silica.epsilon(1.770349e15))
    assert eps_drive.real == pytest.approx(2.179025, rel=1e-6)
    assert eps_drive.imag == pytest.approx(0.023351, rel=5e-5)


def test_lorentz_from_strengths():
    m = LorentzOscillators.from_strengths(1.5, [0.8, 2.0], [1e14, 2e16])
    assert float(m.epsilon_imaginary_frequency(0.0)) == pytest.approx(1.5 + 0.8 + 2.0, rel=1e-14)
    xi = 3e15
    want = 1.5 + 0.8 / (1 + (xi / 1e14) ** 2) + 2.0 / (1 + (xi / 2e16) ** 2)
    assert float(m.epsilon_imaginary_frequency(xi)) == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("material", [Drude(1.0e16, 3.0e14), LorentzOscillators.silica()])
def test_kramers_kronig(material):
    # real-frequency Im eps determines eps(i xi); tolerance 1e-9 relative (quadrature accuracy)
    for xi in (3e13, 2.4678e14, 5e15, 1e17):
        assert float(material.epsilon_imaginary_frequency(xi)) == pytest.approx(kramers_kronig_imag(material, xi), rel=1e-9)


def test_drude_closed_forms_and_limits():
    wp, g = 1.3e16, 5e13
    d = Drude(wp, g)
    xi = np.array([1e12, 1e14, 1e16])
    np.testing.assert_allclose(d.epsilon_imaginary_frequency(xi), 1 + wp**2 / (xi * (xi + g)), rtol=1e-14)
    w = np.array([1e14, 1e15, 3e16])
    np.testing.assert_allclose(d.epsilon(w), 1 - wp**2 / (w * (w + 1j * g)), rtol=1e-14)
    # plasma = Drude with gamma = 0 (exactly)
    p = Plasma(wp)
    np.testing.assert_allclose(p.epsilon_imaginary_frequency(xi), Drude(wp, 0.0).epsilon_imaginary_frequency(xi), rtol=1e-15)
    np.testing.assert_allclose(p.epsilon(w), (1 - wp**2 / w**2).astype(complex), rtol=1e-15)
    # xi = 0: metals reflect perfectly at dc; +inf, no NaN, finite gradient
    assert np.isinf(float(d.epsilon_imaginary_frequency(0.0)))
    assert np.isinf(float(p.epsilon_imaginary_frequency(0.0)))
    grad = jax.grad(lambda wp_: Drude(wp_, g).epsilon_imaginary_frequency(0.0))(wp)
    assert np.isfinite(float(grad))
    eps0 = complex(d.epsilon(0.0))
    assert not np.isnan(eps0.real) and not np.isnan(eps0.imag)
    # gold: 9 eV, 35 meV
    gold = Drude.gold()
    assert float(gold.omega_p) == pytest.approx(9 * 1.602176634e-19 / 1.054571817e-34, rel=1e-9)
    assert float(gold.gamma) == pytest.approx(ev_to_rad_per_s(0.035), rel=1e-15)
    assert float(Plasma.gold().omega_p) == float(gold.omega_p)


def test_non_magnetic_defaults_and_bi_isotropic():
    for m in (Drude.gold(), LorentzOscillators.silica(), Dielectric(2.25)):
        np.testing.assert_array_equal(m.mu_imaginary_frequency(np.array([1e14, 2e14])), [1.0, 1.0])
        np.testing.assert_array_equal(m.chi_imaginary_frequency(1e14), 0.0)
        np.testing.assert_array_equal(m.kappa(1e14), 0.0)
    b = BiIsotropic(3.0, 1.5, 0.2, 0.3)
    xi = np.array([1e13, 1e15])
    np.testing.assert_array_equal(b.epsilon_imaginary_frequency(xi), [3.0, 3.0])
    np.testing.assert_array_equal(b.mu_imaginary_frequency(xi), [1.5, 1.5])
    np.testing.assert_array_equal(b.chi_imaginary_frequency(xi), [0.2, 0.2])
    np.testing.assert_array_equal(b.kappa_imaginary_frequency(xi), [0.3, 0.3])
    assert complex(b.kappa(1e15)) == 0.3
    d = Dielectric(2.0, 1.7)
    assert float(d.refractive_index_imaginary_frequency(1e14)) == pytest.approx(np.sqrt(3.4), rel=1e-15)
    assert complex(Dielectric(2.0 + 0.1j).epsilon(1e15)) == 2.0 + 0.1j
    for m in (PerfectConductor(), PEMC(0.3)):
        assert np.isinf(float(m.epsilon_imaginary_frequency(1e14)))
        assert isinstance(m, Material)
    assert np.isinf(float(PEMC(0.3).chi_imaginary_frequency(1e14)))
    assert PEMC(0.3).kind == "pemc" and PerfectConductor().kind == "perfect_conductor"


def test_tabulated_loglog_interpolation(tmp_path):
    drude = Drude(1.0e16, 3.0e14)
    xi_tab = np.logspace(12, 18, 121)
    table = np.column_stack([xi_tab, np.asarray(drude.epsilon_imaginary_frequency(xi_tab))])
    path = tmp_path / "eps.txt"
    np.savetxt(path, table[::-1], header="xi [rad/s]  eps(i xi)")  # unsorted on purpose
    tab = TabulatedEpsilon.from_file(path)
    np.testing.assert_allclose(tab.epsilon_imaginary_frequency(xi_tab[1:-1]), table[1:-1, 1], rtol=1e-13)
    # between nodes: log-log linear interpolation of a smooth function, step 0.05 decades
    mid = np.sqrt(xi_tab[:-1] * xi_tab[1:])
    np.testing.assert_allclose(tab.epsilon_imaginary_frequency(mid), drude.epsilon_imaginary_frequency(mid), rtol=2e-3)
    # clamped outside the table; no NaN value or gradient at xi = 0
    assert float(tab.epsilon_imaginary_frequency(0.0)) == pytest.approx(table[0, 1], rel=1e-13)
    assert np.isfinite(float(jax.grad(lambda x: tab.epsilon_imaginary_frequency(x))(0.0)))
    jit_val = jax.jit(lambda m, x: m.epsilon_imaginary_frequency(x))(tab, mid[:5])
    np.testing.assert_allclose(jit_val, tab.epsilon_imaginary_frequency(mid[:5]), rtol=1e-15)
    with pytest.raises(NotImplementedError):
        tab.epsilon(1e15)
    assert isinstance(material_from_name("tabulated", path=str(path)), TabulatedEpsilon)


def test_tabulated_bad_files(tmp_path):
    with pytest.raises(ValueError, match="path"):
        TabulatedEpsilon.from_file(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 3\n4 5 6\n")
    with pytest.raises(ValueError, match="2 columns"):
        TabulatedEpsilon.from_file(bad)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    with pytest.raises(ValueError, match="path"):
        TabulatedEpsilon.from_file(junk)
    neg = tmp_path / "neg.txt"
    neg.write_text("1e14 2.0\n2e14 -1.0\n")
    with pytest.raises(ValueError, match="eps"):
        TabulatedEpsilon.from_file(neg)


def test_grads_wrt_material_parameters():
    # autodiff vs central differences (jax check_grads, fwd and rev; order 2 for Drude and plasma)
    xi = jnp.array([3e13, 1e15, 2e16])
    w = jnp.array([1e15, 5e15])  # between the silica resonances (smooth for finite differences)
    # parameters in units of 1e16 rad/s / 1e13 rad/s so that the finite-difference step is sane
    # (jit: check_grads evaluates each function many times; compiled calls are much faster)
    check_grads(jax.jit(lambda wp, g: Drude(wp * 1e16, g * 1e13).epsilon_imaginary_frequency(xi) / 1e3), (1.2, 4.0), order=2,
                modes=("fwd", "rev"), eps=1e-5, rtol=1e-6)
    check_grads(jax.jit(lambda wp: Plasma(wp * 1e16).epsilon_imaginary_frequency(xi)), (1.2,), order=2, eps=1e-5, rtol=1e-6)

    def lorentz(p):
        m = LorentzOscillators(p[0], p[1:3] * 1e16, p[3:5] * 1e16, p[5:7] * 1e15)
        return jnp.concatenate([m.epsilon_imaginary_frequency(xi), jnp.abs(m.epsilon(w))])

    # (order 1 here: second order over 7 parameters costs ~10 s of compilation)
    check_grads(jax.jit(lorentz), (jnp.array([1.2, 0.0175, 2.96, 0.0132, 2.72, 0.0428, 8.09]),), order=1,
                eps=1e-5, rtol=1e-5)
    # filter_grad through the module (the pytree itself)
    g = eqx.filter_grad(lambda m: jnp.sum(m.epsilon_imaginary_frequency(xi)))(Drude(1.2e16, 4e13))
    wp, gm = 1.2e16, 4e13
    np.testing.assert_allclose(float(g.omega_p), float(jnp.sum(2 * wp / (xi * (xi + gm)))), rtol=1e-13)


def test_vmap_and_jit_over_materials():
    omega_p = jnp.array([1e16, 1.3e16, 2e16])
    gamma = jnp.array([1e13, 5e13, 1e14])
    batch = jax.vmap(Drude)(omega_p, gamma)
    xi = jnp.array([1e14, 1e15])
    got = jax.vmap(lambda m: m.epsilon_imaginary_frequency(xi))(batch)
    loop = np.stack([np.asarray(Drude(a, b).epsilon_imaginary_frequency(xi)) for a, b in zip(omega_p, gamma)])
    np.testing.assert_allclose(got, loop, rtol=1e-15)
    f = jax.jit(lambda m, x: m.epsilon(x))
    silica = LorentzOscillators.silica()
    w = jnp.linspace(1e13, 5e16, 7)
    np.testing.assert_allclose(f(silica, w), silica.epsilon(w), rtol=1e-14)


def test_material_from_name():
    assert isinstance(material_from_name("gold"), Drude)
    assert isinstance(material_from_name("silica"), LorentzOscillators)
    assert isinstance(material_from_name("pec"), PerfectConductor)
    assert float(material_from_name("pmc").theta) == pytest.approx(np.pi / 2)
    m = material_from_name("drude", omega_p=1e16, gamma=1e13)
    assert float(m.gamma) == 1e13
    b = material_from_name("chiral", eps=3.0, mu=1.5, kappa=0.3)
    assert float(b.chirality) == 0.3 and float(b.tellegen) == 0.0
    assert float(material_from_name("dielectric", eps=2.0).epsilon_imaginary_frequency(1.0)) == 2.0
    with pytest.raises(ValueError, match="unknown material"):
        material_from_name("unobtainium")
    with pytest.raises(ValueError, match="bad parameters"):
        material_from_name("drude", omega_p=1e16)
    with pytest.raises(ValueError, match="omega_p"):
        material_from_name("drude", omega_p=-1.0, gamma=1e13)


@pytest.mark.parametrize("build,name", [
    (lambda: Drude(-1e16, 1e13), "omega_p"),
    (lambda: Drude(1e16, -1.0), "gamma"),
    (lambda: Drude(float("nan"), 1.0), "omega_p"),
    (lambda: Plasma(0.0), "omega_p"),
    (lambda: LorentzOscillators(1.0, [1e14], [0.0], [1e13]), "resonances"),
    (lambda: LorentzOscillators(1.0, [1e14, 1e15], [1e14], [1e13, 1e13]), "resonances"),
    (lambda: LorentzOscillators(-1.0, [1e14], [1e14], [1e13]), "eps_inf"),
    (lambda: Dielectric(-2.0), "eps"),
    (lambda: Dielectric(2.0 - 0.1j), "eps"),
    (lambda: Dielectric(2.0, mu=0.0), "mu"),
    (lambda: PEMC(2.0), "theta"),
    (lambda: PEMC(-0.1), "theta"),
    (lambda: BiIsotropic(2.0, 1.0, 1.5, 0.0), "chi"),
    (lambda: BiIsotropic(2.0, 1.0, 0.0, float("inf")), "kappa"),
    (lambda: Drude.gold().epsilon_imaginary_frequency(-1.0), "xi"),
    (lambda: Drude.gold().epsilon(float("nan")), "omega"),
    (lambda: Dielectric(2.0 + 0.1j).epsilon_imaginary_frequency(1e14), "eps"),
])
def test_bad_input_raises(build, name):
    with pytest.raises(ValueError, match=name):
        build()


# ----------------------------------------------------------------------------------------------
# polystyrene and water oscillator models (Casimir engine II, dielectric models)

def test_polystyrene_and_water_epsilon_imag():
    from jaxem.materials import LorentzOscillators
    ps, water = LorentzOscillators.polystyrene(), LorentzOscillators.water()
    xi = np.concatenate([[0.0], np.logspace(8, 18, 41)])
    e_ps, e_w = np.asarray(ps.epsilon_imaginary_frequency(xi)), np.asarray(water.epsilon_imaginary_frequency(xi))
    assert np.all(e_ps > 1) and np.all(e_w > 1)
    assert np.all(np.diff(e_ps) <= 0) and np.all(np.diff(e_w) < 0)        # decreasing in xi
    # static values: 1 + sum of strengths (measured: polystyrene 2.4-2.6, water 78.4 at 25 C)
    assert e_ps[0] == pytest.approx(2.3666, rel=1e-12)
    assert e_w[0] == pytest.approx(78.7403, rel=1e-6)
    # the published formulas, Debye terms exact (the overdamped-oscillator form differs by < 1e-12)
    # (CODATA 2018 eV -> rad/s here; jaxem.constants agrees to 2e-10)
    np.testing.assert_allclose(e_ps, [polystyrene_epsilon_imag(x) for x in xi], rtol=1e-9)
    np.testing.assert_allclose(e_w, [water_epsilon_imag(x) for x in xi], rtol=1e-9)
    # optical window (xi = 1 eV, between IR and UV bands): close to n^2 (water 1.78, polystyrene
    # model 1 + sum C_UV = 2.30), and the Debye plateau has dropped out at the first Matsubara frequency
    xi1 = 1.519267e15
    assert 1.75 < float(water.epsilon_imaginary_frequency(xi1)) < 1.90
    assert 2.2 < float(ps.epsilon_imaginary_frequency(xi1)) < 2.35
    assert float(water.epsilon_imaginary_frequency(2.47e14)) < 2.2
    # real frequency: lossless polystyrene (undamped), water absorbing with Im eps > 0
    assert float(np.imag(water.epsilon(3e15))) > 0 and float(np.imag(ps.epsilon(3e15))) == 0.0


def test_polystyrene_and_water_by_name():
    for name in ("polystyrene", "water"):
        m = material_from_name(name)
        ref = getattr(LorentzOscillators, name)()
        assert float(m.epsilon_imaginary_frequency(1e14)) == float(ref.epsilon_imaginary_frequency(1e14))
