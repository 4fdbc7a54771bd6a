"""Random-light pair potential of Lorentzian / Mie e+m dipoles (random-light.md §2, validation §4)."""
import numpy as np
import pytest

import jax
import jax.numpy as jnp

import jaxem  # noqa: F401  (enables x64)
from jaxem.potentials.random_light import (
    line_wavelengths,
    pair_potential_matrix,
    paper_pair_potential_matrix,
    random_light_cluster_potential,
    random_light_pair_potential_logdet,
    random_light_potential,
    random_light_potential_born,
    scattering_cross_sections,
)
from jaxem.polarizabilities import lorentz_polarizability, reduced_lorentz_polarizabilities

TWO_PI = 2.0 * np.pi


def _v(r, w, qe, qm, d, born=False):
    ae, am = reduced_lorentz_polarizabilities(w, qe, qm, d)
    f = random_light_potential_born if born else random_light_potential
    return f(r, TWO_PI * w, ae, am)


# random-light.md §4.B.2 (ln det; Born). Deltas of the paper points are Delta Q / Q exactly.
SPEC_POINTS = [
    (0.5, 1.0, 2.54, 2.54, 2.26 / 2.54, 8.2234794332e-03, 8.9399021512e-03),
    (1.0, 1.3, 2.54, 2.54, 2.26 / 2.54, 3.1980814801e-04, 3.2730063334e-04),
    (2.0, 0.8, 8.78, 8.78, 1.21 / 8.78, -6.9666028674e-06, -6.9677978380e-06),
    (0.75, 1.1, 2.2133, 5.7585, 0.2302, 1.1032932240e-03, 1.1768773587e-03),
    (3.0, 2.0, 100.0, 100.0, 0.02, 5.4745369691e-14, 5.4745369700e-14),
    (0.5, 1.0, 1000.0, 1000.0, 0.0, -4.8033636049e-03, -4.4697646824e-03),
]


@pytest.mark.parametrize("r,w,qe,qm,d,v_ref,vb_ref", SPEC_POINTS)
def test_point_values_match_spec(r, w, qe, qm, d, v_ref, vb_ref):
    # spec values printed with 11 significant digits -> rel 1e-9
    assert float(_v(r, w, qe, qm, d)) == pytest.approx(v_ref, rel=1e-9)
    assert float(_v(r, w, qe, qm, d, born=True)) == pytest.approx(vb_ref, rel=1e-9)


def test_unitary_limit_at_resonance():
    # a_e = i at omega~ = 1 for every Q: alpha_e / lambda0^3 = 3i/(4 pi^2) (spec §4.B.2 note)
    q = jnp.array([1.0, 2.54, 8.78, 1000.0])
    ae, _ = reduced_lorentz_polarizabilities(1.0, q, q, 0.3)
    np.testing.assert_allclose(np.asarray(ae), 3j / (4 * np.pi**2), rtol=1e-14)


def test_optical_theorem_lorentz():
    # k Im alpha = k^4 |alpha|^2 / (6 pi) for lossless Lorentz dipoles (seed Eq. 3), rel 1e-13
    w = jnp.linspace(0.2, 3.0, 57)[:, None]
    q = jnp.array([1.0, 2.54, 8.78, 1000.0])[None, :]
    for delta in (0.0, 0.5):
        ae, am = reduced_lorentz_polarizabilities(w, q, q, delta)
        k = TWO_PI * w
        for a in (ae, am):
            np.testing.assert_allclose(np.asarray(k * a.imag), np.asarray(k**4 * jnp.abs(a) ** 2 / (6 * np.pi)),
                                       rtol=1e-13)
    # SI form: same identity, and reduced form = SI form with lambda0 = 1 (omega0 = 2 pi c / n lambda0)
    omega0, n_h, c = 1.5e15, 1.33, 299792458.0
    omega = omega0 * np.array([0.7, 1.0, 1.4])
    k = n_h * omega / c
    a_si = lorentz_polarizability(omega, omega0, 3.0, k)
    np.testing.assert_allclose(np.asarray(k * a_si.imag), np.asarray(k**4 * jnp.abs(a_si) ** 2 / (6 * np.pi)),
                               rtol=1e-13)
    lam0 = TWO_PI * c / (n_h * omega0)
    ae, _ = reduced_lorentz_polarizabilities(omega / omega0, 3.0, 3.0, 0.0)
    np.testing.assert_allclose(np.asarray(a_si) / lam0**3, np.asarray(ae), rtol=1e-13)


def test_cross_sections_are_unitary_bounded():
    # sigma_d = 6 pi / k^2 |a_d|^2 <= 6 pi / k^2 (Lorentz: equality at resonance), rel 1e-13
    w = jnp.linspace(0.5, 2.0, 31)
    ae, am = reduced_lorentz_polarizabilities(w, 3.0, 5.0, 0.25)
    se, sm = scattering_cross_sections(TWO_PI * w, ae, am)
    bound = 6 * np.pi / (TWO_PI * w) ** 2
    assert np.all(np.asarray(se) <= np.asarray(bound) * (1 + 1e-13))
    se1, sm1 = scattering_cross_sections(TWO_PI * 1.25, *reduced_lorentz_polarizabilities(1.25, 3.0, 5.0, 0.25))
    assert float(sm1) == pytest.approx(6 * np.pi / (TWO_PI * 1.25) ** 2, rel=1e-13)


def test_appendix_b_equals_6x6_logdet_random_orientations():
    # App. B closed form vs Im ln det of the 6x6 (jaxem.green.green_tensor_em), random geometry and Lorentz
    # parameters over the paper's domain; spec §4.B.1 found 1.2e-11 -> rel 1e-9 here
    rng = np.random.default_rng(1)
    n = 200
    q = 10 ** rng.uniform(0, 3, n)
    delta = rng.uniform(0, 5, n) / q
    w = rng.uniform(0.3, 3.4, n)
    r = rng.uniform(0.5, 3.0, n)
    u = rng.normal(size=(n, 3))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    r1 = rng.normal(size=(n, 3))
    ae, am = reduced_lorentz_polarizabilities(w, q, q * rng.uniform(0.5, 2, n), delta)
    v_closed = random_light_potential(r, TWO_PI * w, ae, am)
    v_det = jax.vmap(random_light_pair_potential_logdet)(r1, r1 + r[:, None] * u, TWO_PI * w, ae, am)
    np.testing.assert_allclose(np.asarray(v_det), np.asarray(v_closed), rtol=1e-9, atol=1e-12 * np.abs(v_closed).max())


def test_electric_magnetic_exchange_invariance():
    # spec §2.3: V(0.8, 1.3; Q_e=2.2, Q_m=5.7, Delta=0.23) = -5.5967637680504e-05 either way
    ae, am = reduced_lorentz_polarizabilities(1.3, 2.2, 5.7, 0.23)
    k = TWO_PI * 1.3
    v1 = float(random_light_potential(0.8, k, ae, am))
    v2 = float(random_light_potential(0.8, k, am, ae))
    assert v1 == pytest.approx(-5.5967637680504e-05, rel=1e-10)
    assert v2 == pytest.approx(v1, rel=1e-13)


def test_born_limit_at_large_distance():
    # V - V_Born is second order in k^4 G^2 ~ r^-2 relative to V_Born: rel diff ~ 1/r^2
    rs = np.array([30.0, 100.0])
    v = np.asarray(_v(rs, 1.1, 2.54, 2.54, 0.5))
    vb = np.asarray(_v(rs, 1.1, 2.54, 2.54, 0.5, born=True))
    rel = np.abs(v - vb) / np.abs(vb)
    assert rel[1] < 3e-6
    assert rel[0] / rel[1] == pytest.approx((100 / 30) ** 2, rel=0.1)


def _cluster_numpy(pos, k, ae, am):
    """Independent NumPy build of the 6N x 6N multiple-scattering determinant (no jaxem.green)."""
    n = len(pos)
    big = np.zeros((6 * n, 6 * n), complex)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            d = pos[i] - pos[j]
            r = np.linalg.norm(d)
            h = d / r
            x = k * r
            g = np.exp(1j * x) / (4 * np.pi * r)
            ge = g * ((1 + 1j / x - 1 / x**2) * np.eye(3) + (-1 - 3j / x + 3 / x**2) * np.outer(h, h))
            cross = np.array([[0, -h[2], h[1]], [h[2], 0, -h[0]], [-h[1], h[0], 0]])
            gm = g * (1j * x - 1) / x * cross
            blk = np.block([[ge, 1j * gm], [-1j * gm, ge]])
            big[6 * i:6 * i + 6, 6 * j:6 * j + 6] = blk
    al = np.tile(np.r_[[ae] * 3, [am] * 3], n)
    return 2 * np.pi / k**3 * np.angle(np.linalg.det(np.eye(6 * n) - k**2 * big * al[None, :]))


def test_cluster_potential():
    w = 1.3
    ae, am = reduced_lorentz_polarizabilities(w, 2.54, 2.54, 0.9)
    k = TWO_PI * w
    # N = 2: total equals the pair potential, many-body part vanishes
    tot, pair, many = random_light_cluster_potential(jnp.array([[0.0, 0, 0], [0.6, 0.8, 0.0]]), k, ae, am)
    assert float(tot) == pytest.approx(float(random_light_potential(1.0, k, ae, am)), rel=1e-11)
    assert abs(float(many)) < 1e-12 * abs(float(tot))
    # N = 3: total against an independent NumPy determinant, rel 1e-11; many-body part is non-zero
    pos = np.array([[0.0, 0, 0], [1.0, 0, 0], [0.3, 0.8, 0.1]])
    tot, pair, many = random_light_cluster_potential(pos, k, ae, am)
    assert float(tot) == pytest.approx(_cluster_numpy(pos, k, complex(ae), complex(am)), rel=1e-11)
    assert abs(float(many)) > 1e-3 * abs(float(tot))
    # permutation invariance
    tot_p, _, _ = random_light_cluster_potential(pos[::-1], k, ae, am)
    assert float(tot_p) == pytest.approx(float(tot), rel=1e-12)
    # force on particle 0 from the many-body part: autodiff vs central differences (rel 1e-6)
    f = jax.jit(lambda p: random_light_cluster_potential(p, k, ae, am)[2])
    g = np.asarray(jax.grad(f)(jnp.asarray(pos)))
    h = 1e-6
    for a in range(3):
        dp = np.zeros_like(pos)
        dp[0, a] = h
        fd = (float(f(pos + dp)) - float(f(pos - dp))) / (2 * h)
        assert g[0, a] == pytest.approx(fd, rel=1e-6, abs=1e-9 * np.abs(g).max())


def test_autodiff_matches_central_differences():
    # force -dV/dr and stiffness d2V/dr2 (jacfwd twice) vs central FD, rel 1e-7 / 1e-5
    w, q, d = 1.2, 2.54, 0.8
    f = jax.jit(lambda r: _v(r, w, q, q, d))
    df = jax.jit(jax.grad(f))
    d2f = jax.jit(jax.jacfwd(jax.jacfwd(f)))
    h = 1e-5
    for r in (0.5, 1.3, 2.7):
        fd1 = (float(f(r + h)) - float(f(r - h))) / (2 * h)
        fd2 = (float(f(r + h)) - 2 * float(f(r)) + float(f(r - h))) / h**2
        assert float(df(r)) == pytest.approx(fd1, rel=1e-7)
        assert float(d2f(r)) == pytest.approx(fd2, rel=1e-4)
    # derivative of the design matrix with respect to Q and Delta Q (for the outer design)
    s = jax.jit(lambda p: jnp.sum(paper_pair_potential_matrix(p[0], p[1], 16, 20)[0] ** 2))
    g = jax.grad(s)(jnp.array([3.0, 1.5]))
    hq = 1e-6
    for i in range(2):
        e = np.eye(2)[i] * hq
        fp = float(s(jnp.array([3.0, 1.5]) + e))
        fm = float(s(jnp.array([3.0, 1.5]) - e))
        assert float(g[i]) == pytest.approx((fp - fm) / (2 * hq), rel=1e-6)


def test_vmap_jit_and_matrix_consistency():
    r = jnp.linspace(0.5, 3.0, 7)
    w = 1.0 / line_wavelengths(2.54, 2.26 / 2.54, 5)
    V = pair_potential_matrix(r, w, 2.54, 2.54, 2.26 / 2.54)
    loop = np.array([[float(_v(float(ri), float(wi), 2.54, 2.54, 2.26 / 2.54)) for wi in w] for ri in r])
    np.testing.assert_allclose(np.asarray(V), loop, rtol=1e-14)
    ae, am = reduced_lorentz_polarizabilities(w, 2.54, 2.54, 2.26 / 2.54)
    vm = jax.vmap(lambda rr: random_light_potential(rr, TWO_PI * w, ae, am))(r)
    np.testing.assert_allclose(np.asarray(vm), loop, rtol=1e-14)
    jitted = jax.jit(random_light_potential)(r[:, None], TWO_PI * w[None, :], ae[None, :], am[None, :])
    np.testing.assert_allclose(np.asarray(jitted), loop, rtol=1e-14)
    Vp, wp = paper_pair_potential_matrix(2.54, 2.26, 5, 7)
    np.testing.assert_allclose(np.asarray(Vp), np.asarray(V), rtol=1e-13)


def test_line_grid_matches_paper_rule():
    # spec §2.5 examples: (2.54, 2.26) -> [0.37351, 3.33333]; (8.78, 1.21) -> [0.73227, 1.29499]
    # (the rule gives 1/(1 + 2.26/2.54 + 2/2.54) = 0.373529: the spec's 0.37351 is rounded -> abs 3e-5)
    lam = np.asarray(line_wavelengths(2.54, 2.26 / 2.54))
    assert lam.shape == (200,)
    assert lam[0] == pytest.approx(0.37351, abs=3e-5) and lam[-1] == pytest.approx(10 / 3, abs=1e-5)
    lam = np.asarray(line_wavelengths(8.78, 1.21 / 8.78))
    assert lam[0] == pytest.approx(0.73227, abs=1e-5) and lam[-1] == pytest.approx(1.29499, abs=1e-5)
    assert np.all(np.diff(lam) > 0)


def test_bad_input_raises():
    ae, am = reduced_lorentz_polarizabilities(1.0, 2.0, 2.0, 0.1)
    with pytest.raises(ValueError, match="r "):
        random_light_potential(-1.0, 1.0, ae, am)
    with pytest.raises(ValueError, match="k "):
        random_light_potential(1.0, 0.0, ae, am)
    with pytest.raises(ValueError, match="alpha_e"):
        random_light_potential(1.0, 1.0, complex(np.nan), am)
    with pytest.raises(ValueError, match="Q_e"):
        reduced_lorentz_polarizabilities(1.0, 0.0, 2.0, 0.1)
    with pytest.raises(ValueError, match="Q"):
        line_wavelengths(-1.0, 0.1)
    with pytest.raises(ValueError, match="n_lines"):
        line_wavelengths(2.0, 0.1, 0)
    with pytest.raises(ValueError, match="delta"):
        reduced_lorentz_polarizabilities(1.0, 2.0, 2.0, np.inf)
    w = np.array([0.9, 1.1])
    with pytest.raises(ValueError, match="distances"):
        pair_potential_matrix(np.array([]), w, 2.0, 2.0, 0.1)
    with pytest.raises(ValueError, match="distances"):
        pair_potential_matrix(np.array([1.0, 0.5]), w, 2.0, 2.0, 0.1)
    with pytest.raises(ValueError, match="positions"):
        random_light_cluster_potential(np.zeros((2, 3)), 1.0, ae, am)


def test_mie_dipole_cross_sections_and_lorentz_fit():
    # eps = 12, a = 230 nm in water (seed 004 Fig. 4): jaxem.mie polarizabilities -> sigma_e, sigma_m against
    # miepython's |a_1|^2, |b_1|^2 (rel 1e-9) and spec §4.B.4 (um^2, 4 decimals)
    import miepython

    from jaxem.mie import dipole_polarizabilities
    from jaxem.potentials.random_light import fit_lorentz_to_mie

    lam = np.array([1200e-9, 1400e-9, 1700e-9, 2000e-9])
    n_h = np.sqrt(1.77)
    k = n_h * TWO_PI / lam
    m = np.sqrt(12 / 1.77)
    se, sm = (np.asarray(s) * 1e12 for s in scattering_cross_sections(k, *dipole_polarizabilities(k, 230e-9, m)))
    for i in range(4):
        a1, b1 = miepython.an_bn(m, k[i] * 230e-9, 1)
        pre = 6 * np.pi / k[i] ** 2 * 1e12
        assert se[i] == pytest.approx(pre * abs(a1[0]) ** 2, rel=1e-9)
        assert sm[i] == pytest.approx(pre * abs(b1[0]) ** 2, rel=1e-9)
    np.testing.assert_allclose(se, [0.3430, 0.4697, 0.3669, 0.2245], atol=6e-5)
    np.testing.assert_allclose(sm, [0.1547, 0.2558, 0.7255, 0.0690], atol=6e-5)
    # Lorentz fit, spec §4.B.4 first row: Q_e 2.1941, Q_m 5.5727, Delta 0.2300, lambda_0e 1317.3 nm, rms 0.0645
    # (paper: 2.2133, 5.7585, 0.2302 -- within 1%, 3%, 0.1%)
    fit = fit_lorentz_to_mie(230e-9, 12.0, 1.77, np.linspace(1200e-9, 2200e-9, 1001))
    assert fit["Q_e"] == pytest.approx(2.1941, abs=2e-4)
    assert fit["Q_m"] == pytest.approx(5.5727, abs=2e-4)
    assert fit["Delta"] == pytest.approx(0.2300, abs=1e-4)
    assert fit["lambda0_e"] == pytest.approx(1317.3e-9, abs=0.2e-9)
    assert fit["rms"] == pytest.approx(0.0645, abs=2e-4)


def test_tasks_run_small(tmp_path):
    # the Fig. 1 and Fig. 2 tasks end to end at toy sizes (files written, L~ finite and >= 0)
    from jaxem.sweeps import Output
    from jaxem.sweeps.random_light_tasks import random_light_cross_sections, random_light_loss_map

    out = Output(tmp_path / "f1", task="random_light_cross_sections", quiet=True)
    random_light_cross_sections({"Q": [2.0], "delta": [0.5], "lambda_min": 0.5, "lambda_max": 2.0,
                                 "n_points": 50}, out)
    assert (tmp_path / "f1" / "fig1_cross_sections.png").exists()
    params = {"Q_min": 2.0, "Q_max": 20.0, "n_Q": 2, "log_Q": True, "delta_Q_min": 0.5, "delta_Q_max": 2.0,
              "n_delta_Q": 2, "n_lines": 12, "n_distances": 30, "chunk_size": 4}
    out = Output(tmp_path / "f2", task="random_light_loss_map", params=params, quiet=True)
    random_light_loss_map(params, out)
    with np.load(tmp_path / "f2" / "loss_map.npz") as d:
        lt = d["normalized_loss"]
    assert lt.shape == (2, 2) and np.all(np.isfinite(lt)) and np.all(lt >= 0)
