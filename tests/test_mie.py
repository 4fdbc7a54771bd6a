"""Mie scattering at real frequency (jaxem/mie/real.py) against independent references.

References: Bohren-Huffman BHMIE and Wiscombe MIEV0 published cases (scattering.md §4 item 3,
W. J. Wiscombe NCAR/TN-140 (1979)), miepython 3.3 for random (x, m), treams 0.4.7 for chiral
spheres, the spec's boundary-value oracle solved with mpmath Bessel functions (scattering.md §2.6.4),
the spec's computed real-frequency chiral numbers (§4 item 9), closed-form Rayleigh limits, the optical
theorem and energy conservation.  The mpmath and scipy references are in tests/reference.py.

Conventions: jaxem uses e^{-i omega t} (Im m > 0 absorbs, Bohren-Huffman); miepython and Wiscombe
write m = n - i k, so their m is conj(ours). miepython conjugates m back internally and returns the
Bohren-Huffman a_l, b_l (equal to ours); Wiscombe's amplitudes S1, S2 are conj(ours).
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxem  # noqa: F401  (enables x64)
from jaxem.mie import (amplitude_matrix, bi_isotropic_reflection_matrix, dipole_polarizabilities,
                       mie_coefficients, mie_efficiencies, pemc_reflection_matrix, wiscombe_lmax)
from reference import bvp_reflection, mp_mie_coefficients, scipy_pec


# ---------------------------------------------------------------------------------------------
# published cases

def test_bhmie_published_case():
    """BHMIE: m = 1.55, x = 2 pi 0.525/0.6328 (scattering.md §4 item 3); 6 published digits."""
    x = 2 * np.pi * 0.525 / 0.6328
    q = mie_efficiencies(x, 1.55, 30)
    assert abs(q.q_ext - 3.10543) < 1e-5
    assert abs(q.q_sca - 3.10543) < 1e-5
    assert abs(q.q_back - 2.92534) < 1e-5
    assert abs(q.g - 0.63314) < 1e-5
    a, b = mie_coefficients(5.213, 1.55, 30)
    np.testing.assert_allclose(a[0], 0.03436203651 + 0.1821573138j, rtol=1e-9)
    np.testing.assert_allclose(b[0], 0.2004061281 + 0.4003042742j, rtol=1e-9)


# Wiscombe MIEV0 test cases (NCAR/TN-140; as tabulated in miepython's test-suite), m in our
# convention (Im m >= 0). Entries: m, x, {quantity: published value}, absolute tolerance.
# Wiscombe's perfectly conducting cases are run as m = 1e10 i (|m| x >= 1e9: PEC to ~1e-9).
_WISCOMBE = [
    (0.75, 0.099, {"q_sca": 7.0e-6, "g": 0.001448}, 1e-6),
    (0.75, 0.101, {"q_sca": 8.0e-6, "g": 0.001507}, 1e-6),
    (0.75, 10.0, {"q_sca": 2.232265, "g": 0.896473}, 1e-6),
    (0.75, 1000.0, {"q_sca": 1.997908, "g": 0.844944}, 1e-6),
    (1.33 + 1e-5j, 1.0, {"q_sca": 0.093923, "g": 0.184517}, 1e-6),
    (1.33 + 1e-5j, 100.0, {"q_sca": 2.096594, "g": 0.868959}, 1e-6),
    (1.33 + 1e-5j, 10000.0, {"q_sca": 1.723857, "g": 0.907840}, 1e-6),
    (1.5 + 1j, 0.055, {"q_ext": 0.101491, "q_sca": 1.1e-5, "g": 0.000491}, 1e-6),
    (1.5 + 1j, 0.056, {"q_ext": 0.103347, "q_sca": 1.2e-5, "g": 0.000509}, 1e-6),
    (1.5 + 1j, 1.0, {"q_ext": 2.336321, "q_sca": 0.663454, "g": 0.192136}, 1e-6),
    (1.5 + 1j, 100.0, {"q_ext": 2.097502, "q_sca": 1.283697, "g": 0.850252}, 1e-6),
    (1.5 + 1j, 10000.0, {"q_ext": 2.004368, "q_sca": 1.236575, "g": 0.846309}, 1e-6),
    (10 + 10j, 1.0, {"q_sca": 2.049405, "g": -0.110664}, 1e-6),
    (10 + 10j, 100.0, {"q_sca": 1.836785, "g": 0.556215}, 1e-6),
    (10 + 10j, 10000.0, {"q_sca": 1.795393, "g": 0.548194}, 1e-6),
    (1e10j, 0.101, {"q_sca": 0.000348, "g": -0.397262}, 1e-6),
    (1e10j, 100.0, {"q_sca": 2.008102, "g": 0.500926}, 1e-6),
    (1e10j, 10000.0, {"q_sca": 2.000289, "g": 0.500070}, 1e-6),
    (1.5, 10.0, {"q_sca": 2.8820}, 1e-4),
    (1.5, 100.0, {"q_sca": 2.0944}, 1e-4),
    (1.5, 1000.0, {"q_sca": 2.0139}, 1e-4),
]


def _group_by_lmax(cases):
    groups = {}
    for case in cases:
        l_max = 30 if case[1] <= 10 else (150 if case[1] <= 100 else wiscombe_lmax(10000.0) + 20)
        groups.setdefault(l_max, []).append(case)
    return groups


def test_wiscombe_published_cases_up_to_x_1e4():
    """All MIEV0 cases, x = 0.055 ... 1e4, to the published digits (abs. tol. 1e-6 / 1e-4).

    Cases are batched per l_max (one compilation each); l_max exceeds Wiscombe's value, which also
    checks that orders l >> x are computed stably.
    """
    for l_max, cases in _group_by_lmax(_WISCOMBE).items():
        x = np.array([c[1] for c in cases])
        m = np.array([c[0] for c in cases], dtype=complex)
        q = mie_efficiencies(x, m, l_max)
        for i, (mi, xi, ref, tol) in enumerate(cases):
            for key, val in ref.items():
                got = float(getattr(q, key)[i])
                assert abs(got - val) <= tol, (mi, xi, key, got, val)


def test_wiscombe_amplitudes():
    """MIEV0 amplitudes S1, S2 at 0..180 deg, m = 1.5 - 1i (Wiscombe) = conj of ours, x = 1; 1e-6."""
    theta = np.deg2rad(np.arange(0, 181, 30))
    s1, s2 = amplitude_matrix(1.0, 1.5 + 1j, theta, l_max=12)
    ref1 = np.array([0.584080 + 0.190515j, 0.565702 + 0.187200j, 0.517525 + 0.178443j,
                     0.456340 + 0.167167j, 0.400212 + 0.156643j, 0.362157 + 0.149391j,
                     0.348844 + 0.146829j])
    ref2 = np.array([0.584080 + 0.190515j, 0.500161 + 0.145611j, 0.287964 + 0.041054j,
                     0.0362285 - 0.0618265j, -0.174875 - 0.122959j, -0.305682 - 0.143846j,
                     -0.348844 - 0.146829j])
    # Wiscombe's m = n - ik, e^{+i omega t}: his S = conj(ours)
    np.testing.assert_allclose(np.conj(s1), ref1, atol=1.5e-6)
    np.testing.assert_allclose(np.conj(s2), ref2, atol=1.5e-6)


# ---------------------------------------------------------------------------------------------
# miepython on random spheres

def test_against_miepython_random_spheres():
    """Coefficients and efficiencies of 16 random spheres (x in [0.05, 60], m in [0.6, 3] + i[0, 1])
    against miepython: rtol 1e-9 on Q_ext, Q_sca, g, 3e-8 on Q_back, 1e-8 on a_l, b_l (l <= Wiscombe)."""
    import miepython

    rng = np.random.default_rng(1)
    n = 16
    x = np.exp(rng.uniform(np.log(0.05), np.log(60.0), n))
    m = rng.uniform(0.6, 3.0, n) + 1j * rng.uniform(0.0, 1.0, n) * (rng.uniform(size=n) > 0.3)
    l_max = 80
    q = mie_efficiencies(x, m, l_max)
    a, b = mie_coefficients(x, m, l_max)
    for i in range(n):
        qext, qsca, qback, g = miepython.efficiencies_mx(np.conj(m[i]), x[i])
        np.testing.assert_allclose([q.q_ext[i], q.q_sca[i], q.g[i]], [qext, qsca, g], rtol=1e-9, atol=1e-13)
        # miepython's Q_back loses up to ~1e-8 at x ~ 40-50 (ours agrees with 40-digit mpmath to 1e-11,
        # see test_against_mpmath_coefficients)
        np.testing.assert_allclose(q.q_back[i], qback, rtol=3e-8, atol=1e-13)
        n_w = wiscombe_lmax(x[i])
        am, bm = miepython.coefficients(np.conj(m[i]), x[i], n_pole=n_w)
        np.testing.assert_allclose(a[i, :n_w], am, rtol=1e-8, atol=1e-14)
        np.testing.assert_allclose(b[i, :n_w], bm, rtol=1e-8, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# boundary-value oracle, spec numbers, treams

_BVP_CASES = [
    # (w, eps, mu, chi, kappa): isotropic magnetic absorbing, chiral, Tellegen, general, absorbing chiral
    (1.7, 2.5 + 0.4j, 1.3 + 0.1j, 0.0, 0.0),
    (2.3, 2.25, 1.0, 0.0, 0.05),
    (0.9, 2.5, 1.7, 0.4, 0.0),
    (1.0, 3.0, 1.4, 0.5, 0.3),
    (3.1, 4.0 + 1.0j, 1.2, 0.2 + 0.05j, 0.15 + 0.02j),
]


@pytest.mark.parametrize("w, eps, mu, chi, kappa", _BVP_CASES)
def test_bi_isotropic_matches_boundary_value_oracle(w, eps, mu, chi, kappa):
    """All four r_l, l = 1..3, equal the 40-digit solution of the 4x4 boundary-value system
    (scattering.md §2.6.4); rtol 1e-10 relative to the largest entry of each order."""
    got = np.asarray(bi_isotropic_reflection_matrix(w, eps, mu, chi, kappa, 8))
    for l in (1, 2, 3):
        ref = bvp_reflection(w, l, eps, mu, chi, kappa)
        scale = np.max(np.abs(ref))
        np.testing.assert_allclose(got[l - 1], ref, rtol=0, atol=1e-10 * scale)


def test_isotropic_limits_of_bi_isotropic_matrix():
    """chi = kappa = 0 gives diag(a_l, b_l) of mie_coefficients with m = sqrt(eps mu) (1e-13)."""
    x, eps, mu = 2.7, 3.0 + 0.2j, 1.4
    mat = bi_isotropic_reflection_matrix(x, eps, mu, 0.0, 0.0, 8)
    a, b = mie_coefficients(x, np.sqrt(eps * mu), 30, mu=mu)
    a, b = a[:8], b[:8]
    np.testing.assert_allclose(mat[:, 0, 0], a, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(mat[:, 1, 1], b, rtol=1e-12, atol=1e-16)
    assert np.max(np.abs(mat[:, 0, 1])) == 0 and np.max(np.abs(mat[:, 1, 0])) == 0


def test_real_frequency_chiral_spec_numbers():
    """scattering.md §4 item 9: eps = 2.25, alpha = -0.05i, beta = +0.05i (kappa = 0.05), w = 2.3;
    and the symmetry rules of item 2 (reciprocal: r^EM = -r^ME; Tellegen: r^EM = r^ME); 1e-9."""
    r = np.asarray(bi_isotropic_reflection_matrix(2.3, 2.25, 1.0, 0.0, 0.05, 8))
    np.testing.assert_allclose(r[0, 0, 0], 0.542787784 - 0.486726495j, atol=2e-9)
    np.testing.assert_allclose(r[0, 1, 1], 0.891971659 - 0.291704806j, atol=2e-9)
    np.testing.assert_allclose(r[0, 1, 0], 0.0517569108 - 0.0926700961j, atol=2e-9)
    np.testing.assert_allclose(r[:, 0, 1], -r[:, 1, 0], rtol=1e-13)
    t = np.asarray(bi_isotropic_reflection_matrix(1.1, 2.5, 1.7, 0.4, 0.0, 8))
    np.testing.assert_allclose(t[:, 0, 1], t[:, 1, 0], rtol=1e-13)
    assert np.min(np.abs(t[:, 0, 1])) > 0


def test_pemc_against_scipy_pec_and_bi_isotropic_limit():
    """PEC (theta = 0) equals psi'/xi', psi/xi from scipy (1e-12); PMC (pi/2) swaps E and M; a general
    PEMC angle equals the bi-isotropic formula at alpha = beta = q -> inf, eps = q cot(theta),
    eps mu - chi^2 = nu^2 fixed (scattering.md §1.2, §2.6.3), error O(1/q): 1e-6 at q = 1e8."""
    x = np.array([0.3, 1.7, 6.0])
    l_max = 12
    pec = np.asarray(pemc_reflection_matrix(x, 0.0, l_max))
    pmc = np.asarray(pemc_reflection_matrix(x, np.pi / 2, l_max))
    for i, xi in enumerate(x):
        a_ref, b_ref = scipy_pec(xi, l_max)
        np.testing.assert_allclose(pec[i, :, 0, 0], a_ref, rtol=1e-11)
        np.testing.assert_allclose(pec[i, :, 1, 1], b_ref, rtol=1e-11)
        np.testing.assert_allclose(pmc[i, :, 0, 0], b_ref, rtol=1e-11)
        np.testing.assert_allclose(pmc[i, :, 1, 1], a_ref, rtol=1e-11)
    np.testing.assert_allclose(pec[..., 0, 1], 0.0, atol=1e-300)
    theta, q, nu = 0.3, 1e8, 2.0 + 0.5j
    eps = q / np.tan(theta)
    mu = (nu ** 2 + q ** 2) / eps
    gen = np.asarray(bi_isotropic_reflection_matrix(1.7, eps, mu, q, 0.0, 8))
    pemc = np.asarray(pemc_reflection_matrix(1.7, theta, 8))
    np.testing.assert_allclose(gen, pemc, rtol=0, atol=1e-6)
    # PEMC mixing is symmetric (Tellegen-like): r^EM = r^ME (scattering.md §2.6.3)
    np.testing.assert_allclose(pemc[:, 0, 1], pemc[:, 1, 0], rtol=1e-14)


def test_large_m_approaches_perfect_conductor():
    """Bohren-Huffman a_l, b_l for m = 1e6 i approach the PEC coefficients (error O(1/|m|)): 1e-5."""
    a, b = mie_coefficients(2.0, 1e6j, 30)
    a, b = a[:8], b[:8]
    pec = np.asarray(pemc_reflection_matrix(2.0, 0.0, 8))
    np.testing.assert_allclose(a, pec[:, 0, 0], atol=1e-5)
    np.testing.assert_allclose(b, pec[:, 1, 1], atol=1e-5)


# ---------------------------------------------------------------------------------------------
# limits and identities

def test_rayleigh_limits():
    """x = 1e-3: a_1 = -(2i/3) x^3 (eps-1)/(eps+2), b_1 = -(2i/3) x^3 (mu-1)/(mu+2) for a magnetic
    sphere (eps = m^2/mu), a_2 = -(i/15) x^5 (m^2-1)/(2m^2+3), b_1 = -(i/45) x^5 (m^2-1) for mu = 1;
    next-order corrections are O(x^2): rtol 1e-5. Q_sca -> (8/3) x^4 |(m^2-1)/(m^2+2)|^2."""
    x = 1e-3
    m = 1.5 + 0.1j
    a, b = mie_coefficients(x, m, 30)
    np.testing.assert_allclose(a[0], -2j / 3 * x ** 3 * (m ** 2 - 1) / (m ** 2 + 2), rtol=1e-5)
    np.testing.assert_allclose(a[1], -1j / 15 * x ** 5 * (m ** 2 - 1) / (2 * m ** 2 + 3), rtol=1e-5)
    np.testing.assert_allclose(b[0], -1j / 45 * x ** 5 * (m ** 2 - 1), rtol=1e-5)
    mu = 2.0 + 0.3j
    eps = 3.0 + 0.5j
    a, b = mie_coefficients(x, np.sqrt(eps * mu), 30, mu=mu)
    np.testing.assert_allclose(a[0], -2j / 3 * x ** 3 * (eps - 1) / (eps + 2), rtol=1e-5)
    np.testing.assert_allclose(b[0], -2j / 3 * x ** 3 * (mu - 1) / (mu + 2), rtol=1e-5)
    q = mie_efficiencies(x, 1.5, 30)
    np.testing.assert_allclose(q.q_sca, 8 / 3 * x ** 4 * abs((1.5 ** 2 - 1) / (1.5 ** 2 + 2)) ** 2, rtol=1e-5)


def test_dipole_polarizabilities():
    """alpha_e = 6 pi i a_1/k^3, alpha_m = 6 pi i b_1/k^3 (1e-14) and the electrostatic limit
    alpha_e -> 4 pi R^3 (m^2-1)/(m^2+2) at k R = 1e-4 (rtol 1e-7)."""
    k, radius, m = 2 * np.pi * 1.33 / 1.064e-6, 300e-9, 1.59 / 1.33 + 0.01j
    ae, am = dipole_polarizabilities(k, radius, m)
    a, b = mie_coefficients(k * radius, m, 30)
    np.testing.assert_allclose(ae, 6j * np.pi * a[0] / k ** 3, rtol=1e-14)
    np.testing.assert_allclose(am, 6j * np.pi * b[0] / k ** 3, rtol=1e-14)
    ae0, _ = dipole_polarizabilities(1e4, 1e-8, m)
    np.testing.assert_allclose(ae0, 4 * np.pi * 1e-24 * (m ** 2 - 1) / (m ** 2 + 2), rtol=1e-7)


def test_optical_theorem_energy_conservation_and_angular_integrals():
    """Q_ext = (4/x^2) Re S(0) (optical theorem); lossless: Q_abs = 0 and Re a_l = |a_l|^2;
    Q_sca and g Q_sca equal (1/x^2) int (|S1|^2+|S2|^2) (1, cos) dcos over 200-point Gauss-Legendre;
    Q_back = 4 |S1(pi)|^2/x^2. All rtol 1e-11."""
    x = np.array([0.7, 4.0, 15.0, 9.0])
    m = np.array([1.5, 2.0 + 0.3j, 0.8, 1.2 + 0.01j])
    l_max = 30
    q = mie_efficiencies(x, m, l_max)
    mu_gl, w_gl = np.polynomial.legendre.leggauss(200)
    s1, s2 = amplitude_matrix(x, m, np.concatenate([[0.0, np.pi], np.arccos(mu_gl)]), l_max)
    s1_0, s2_0, s1, s2 = s1[:, :2], s2[:, :2], s1[:, 2:], s2[:, 2:]
    np.testing.assert_allclose(s1_0[:, 0], s2_0[:, 0], rtol=1e-13)
    np.testing.assert_allclose(q.q_ext, 4 / x ** 2 * np.real(s1_0[:, 0]), rtol=1e-11)
    np.testing.assert_allclose(q.q_back, 4 * np.abs(s1_0[:, 1]) ** 2 / x ** 2, rtol=1e-11)
    intensity = np.abs(s1) ** 2 + np.abs(s2) ** 2
    np.testing.assert_allclose(q.q_sca, intensity @ w_gl / x ** 2, rtol=1e-11)
    np.testing.assert_allclose(q.g * q.q_sca, intensity @ (w_gl * mu_gl) / x ** 2, rtol=1e-11)
    np.testing.assert_allclose(q.q_pr, q.q_ext - q.g * q.q_sca, rtol=1e-13)
    lossless = np.imag(m) == 0
    np.testing.assert_allclose(q.q_abs[lossless], 0.0, atol=1e-12 * np.max(q.q_ext))
    assert np.all(q.q_abs[~lossless] > 0)
    a, b = mie_coefficients(x[lossless], m[lossless], l_max)
    np.testing.assert_allclose(np.real(a), np.abs(a) ** 2, atol=1e-14)
    np.testing.assert_allclose(np.real(b), np.abs(b) ** 2, atol=1e-14)


def test_bi_isotropic_lossless_energy_conservation():
    """A lossless bi-isotropic sphere conserves energy: T = -[[r^EE, i r^EM], [-i r^ME, r^MM]] satisfies
    T + T^dagger = -2 T^dagger T per order (unitary S = 1 + 2T), tolerance 1e-12."""
    r = np.asarray(bi_isotropic_reflection_matrix(2.4, 3.0, 1.4, 0.5, 0.3, 8))
    t = -np.stack([np.stack([r[:, 0, 0], 1j * r[:, 0, 1]], -1),
                   np.stack([-1j * r[:, 1, 0], r[:, 1, 1]], -1)], -2)
    td = np.conj(np.swapaxes(t, -1, -2))
    np.testing.assert_allclose(t + td, -2 * td @ t, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# autodiff, vmap, jit

@jax.jit
def _qsum(x, mr, mi):
    q = mie_efficiencies(x, mr + 1j * mi, 12)
    return q.q_ext + 0.7 * q.q_sca + 0.3 * q.q_back + 0.5 * q.g


def test_check_grads_efficiencies():
    """jax.test_util.check_grads (reverse mode, which also checks the JVP) of a mix of efficiencies
    w.r.t. x, Re m and Im m, at a Mie-regime and a Rayleigh-regime sphere (check_grads' finite-difference
    tolerance at eps = 1e-5)."""
    check_grads(_qsum, (2.3, 1.6, 0.05), order=1, modes=("rev",), eps=1e-5, atol=1e-6, rtol=1e-4)
    check_grads(_qsum, (0.05, 1.33, 0.0), order=1, modes=("rev",), eps=1e-6, atol=1e-9, rtol=1e-4)


def test_autodiff_versus_central_differences():
    """Second derivatives (jacfwd twice, as for stiffnesses) of Q_sca, Q_ext, Q_abs w.r.t. (x, Re m, Im m)
    vs central differences of the jacobian (step 1e-5, rtol 1e-5), Hessian symmetry (1e-10);
    d|r^EM|^2/d kappa vs central differences (rtol 1e-6). First derivatives: test_check_grads_efficiencies."""

    def f(v):
        q = mie_efficiencies(v[0], v[1] + 1j * v[2], 25)
        return jnp.stack([q.q_sca, q.q_ext, q.q_abs])

    p = np.array([5.3, 1.7, 0.02])
    jac = jax.jit(jax.jacfwd(f))
    hess = np.asarray(jax.jit(jax.jacfwd(jax.jacfwd(f)))(p))
    for k in range(3):
        dp = np.zeros(3)
        dp[k] = 1e-5
        fd2 = (np.asarray(jac(p + dp)) - np.asarray(jac(p - dp))) / 2e-5
        np.testing.assert_allclose(hess[:, :, k], fd2, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(hess, np.swapaxes(hess, 1, 2), rtol=1e-10, atol=1e-12)

    @jax.jit
    def g(kappa):
        r = bi_isotropic_reflection_matrix(1.8, 2.5, 1.2, 0.1, kappa, 3)
        return jnp.sum(jnp.abs(r[:, 0, 1]) ** 2)

    d = jax.grad(g)(0.07)
    fd = (g(0.07 + 1e-6) - g(0.07 - 1e-6)) / 2e-6
    np.testing.assert_allclose(d, fd, rtol=1e-6)


def test_vmap_equals_loop_and_jit_equals_eager():
    """vmap over spheres equals a Python loop; jit equals eager; batched call equals both (1e-13)."""
    x = np.array([0.3, 2.0, 7.5, 19.0])
    m = np.array([1.3 + 0.01j, 2.0, 1.5 + 0.5j, 0.9])
    l_max = 30
    batched = mie_efficiencies(x, m, l_max)
    vm = jax.vmap(lambda xx, mm: mie_efficiencies(xx, mm, l_max))(x, m)
    jt = jax.jit(lambda xx, mm: mie_efficiencies(xx, mm, l_max))(x, m)
    loop = [mie_efficiencies(x[i], m[i], l_max) for i in range(len(x))]
    for name in batched._fields:
        ref = np.array([getattr(q, name) for q in loop])
        np.testing.assert_allclose(getattr(batched, name), ref, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(getattr(vm, name), ref, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(getattr(jt, name), ref, rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# bad input

@pytest.mark.parametrize("call, name", [
    (lambda: mie_coefficients(0.0, 1.5, 3), "x"),
    (lambda: mie_coefficients(-1.0, 1.5, 3), "x"),
    (lambda: mie_coefficients(np.nan, 1.5, 3), "x"),
    (lambda: mie_coefficients(np.inf, 1.5, 3), "x"),
    (lambda: mie_coefficients(1.0, np.nan + 0j, 3), "m"),
    (lambda: mie_coefficients(1.0, complex(1.5, np.inf), 3), "m"),
    (lambda: mie_coefficients(1.0, 1.5, 0), "l_max"),
    (lambda: mie_coefficients(1.0, 1.5, 2.5), "l_max"),
    (lambda: mie_efficiencies(np.array([1.0, -2.0]), 1.5), "x"),
    (lambda: amplitude_matrix(1.0, 1.5, np.nan), "theta"),
    (lambda: dipole_polarizabilities(-1.0, 1e-7, 1.5), "k"),
    (lambda: dipole_polarizabilities(1e6, 0.0, 1.5), "radius"),
    (lambda: bi_isotropic_reflection_matrix(1.0, 2.0, 1.0, np.nan, 0.0, 3), "chi"),
    (lambda: pemc_reflection_matrix(1.0, 0.3, 0), "l_max"),
])
def test_bad_input_raises_value_error_naming_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


def test_illegal_values_inside_jit_give_nan():
    """Under jit the checks cannot run; x <= 0 or non-finite yields NaN for that sphere only."""
    q = jax.jit(lambda x: mie_efficiencies(x, 1.5, 5))(jnp.array([-1.0, 0.0, np.nan, 1.0]))
    assert np.all(np.isnan(q.q_ext[:3])) and np.isfinite(q.q_ext[3])
    with pytest.raises(ValueError, match="l_max"):
        jax.jit(lambda x: mie_efficiencies(x, 1.5))(1.0)


@pytest.mark.parametrize("x, eps, mu, kappa", [(1.3, 2.25, 1.2, 0.05), (3.7, 4.0 + 0.3j, 1.0, -0.2 + 0.01j)])
def test_chiral_sphere_against_treams(x, eps, mu, kappa):
    """Chiral spheres vs treams 0.4.7 T-matrices, l = 1..3, all m; rtol 1e-10.

    Basis conversion (documented here): treams computes in the helicity basis with modes
    A_{lm,+-} = (N_lm +- M_lm)/sqrt(2) (pol = 1 is +), so with e = (c_+ + c_-)/sqrt(2),
    f = (c_+ - c_-)/sqrt(2) its T-matrix is T_hel = U T_par U, U = [[1, 1], [1, -1]]/sqrt(2), where
    T_par = -[[r^EE, i r^EM], [-i r^ME, r^MM]] is ours (scattering.md §2.6.1). treams writes
    D/eps0 = eps E + i kappa_t Z0 H, i.e. alpha = +i kappa_t: kappa_t = -kappa (Lindell, ours).
    Both use e^{-i omega t}; for kappa = 0 treams' T = -diag(a_l, b_l) (Bohren-Huffman).
    """
    import treams

    l_max = 3
    tm = treams.TMatrix.sphere(l_max, 1.0, x, [treams.Material(eps, mu, -kappa), treams.Material()])
    t_full = np.asarray(tm)
    basis = tm.basis
    r = np.asarray(bi_isotropic_reflection_matrix(x, eps, mu, 0.0, kappa, 8))
    u = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    for l in range(1, l_max + 1):
        t_par = -np.array([[r[l - 1, 0, 0], 1j * r[l - 1, 0, 1]], [-1j * r[l - 1, 1, 0], r[l - 1, 1, 1]]])
        t_hel = u @ t_par @ u
        for mm in range(-l, l + 1):
            idx = [int(np.flatnonzero((basis.l == l) & (basis.m == mm) & (basis.pol == p))[0]) for p in (1, 0)]
            np.testing.assert_allclose(t_full[np.ix_(idx, idx)], t_hel, rtol=1e-10, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# the default config (task mie_spectrum)

def test_default_config_mie_spectrum(tmp_path):
    """configs/default.toml (seed 004 Fig. 4a: eps = 12, a = 230 nm, water): the electric-dipole
    scattering maximum lies at the seed's lambda_0 = 1384 nm (+- 2 nm on a 1 nm grid); sigma_e =
    (6 pi/k^2)|a_1|^2 agrees with miepython (rtol 1e-9); files and parameters are written."""
    from pathlib import Path

    import miepython

    from jaxem.sweeps import run_config

    cfg = Path(__file__).resolve().parents[1] / "configs" / "default.toml"
    out = run_config(cfg, tmp_path / "run", overrides={"n_wavelengths": 1001}, quiet=True)
    data = np.load(out / "spectrum.npz")
    assert (out / "spectrum.png").stat().st_size > 10_000
    assert abs(float(data["electric_resonance_wavelength"]) - 1384e-9) <= 2e-9
    wl = data["wavelength"]
    assert wl[0] == 1200e-9 and wl[-1] == 2200e-9 and len(wl) == 1001
    n_h, radius = np.sqrt(1.77), 230e-9
    for i in (0, 500, 1000):
        k = 2 * np.pi * n_h / wl[i]
        a, b = miepython.coefficients(np.sqrt(12.0) / n_h, k * radius, n_pole=1)
        np.testing.assert_allclose(data["sigma_sca_e"][i], 6 * np.pi / k ** 2 * abs(a[0]) ** 2, rtol=1e-9)
        np.testing.assert_allclose(data["sigma_sca_m"][i], 6 * np.pi / k ** 2 * abs(b[0]) ** 2, rtol=1e-9)
    assert np.all(data["sigma_sca"] > data["sigma_sca_e"] + data["sigma_sca_m"])
    import json

    rec = json.loads((out / "run.json").read_text())
    assert rec["task"] == "mie_spectrum" and rec["params"]["radius"] == 230e-9


def test_sphere_reflection_matrix_material_wrapper():
    """Material-level wrapper: Dielectric/Drude spheres in vacuum or water reduce to mie_coefficients with
    x = omega n_h R/c, m = n/n_h; BiIsotropic in water to the kernel with eps/eps_h, mu/mu_h, chi/n_h,
    kappa/n_h; PEMC and PerfectConductor to pemc_reflection_matrix (all 1e-13). Bad material/medium:
    ValueError."""
    from jaxem.constants import c
    from jaxem.materials import PEMC, BiIsotropic, Dielectric, Drude, PerfectConductor
    from jaxem.mie import sphere_reflection_matrix

    omega = np.array([1.5e15, 2.5e15])
    radius = 200e-9
    water = Dielectric(1.77)
    r = sphere_reflection_matrix(omega, radius, Dielectric(2.25 + 0.1j), 8, medium=water)
    x = omega * np.sqrt(1.77) * radius / c
    a, b = mie_coefficients(x, np.sqrt(2.25 + 0.1j) / np.sqrt(1.77), 8)
    np.testing.assert_allclose(r[..., 0, 0], a, rtol=1e-13)
    np.testing.assert_allclose(r[..., 1, 1], b, rtol=1e-13)
    gold = Drude(1.37e16, 5.3e13)
    r = sphere_reflection_matrix(omega, radius, gold, 8)
    a, _ = mie_coefficients(omega * radius / c, np.sqrt(np.asarray(gold.epsilon(omega))), 8)
    np.testing.assert_allclose(r[..., 0, 0], a, rtol=1e-13)
    r = sphere_reflection_matrix(omega, radius, BiIsotropic(3.0, 1.4, 0.5, 0.3), 8, medium=water)
    n_h = np.sqrt(1.77)
    ref = bi_isotropic_reflection_matrix(x, 3.0 / 1.77, 1.4, 0.5 / n_h, 0.3 / n_h, 8)
    np.testing.assert_allclose(r, ref, rtol=1e-13)
    np.testing.assert_allclose(sphere_reflection_matrix(omega, radius, PEMC(0.3), 8),
                               pemc_reflection_matrix(omega * radius / c, 0.3, 8), rtol=1e-13)
    np.testing.assert_allclose(sphere_reflection_matrix(omega, radius, PerfectConductor(), 8),
                               pemc_reflection_matrix(omega * radius / c, 0.0, 8), rtol=1e-13)
    with pytest.raises(ValueError, match="material"):
        sphere_reflection_matrix(omega, radius, "gold", 4)
    with pytest.raises(ValueError, match="medium"):
        sphere_reflection_matrix(omega, radius, Dielectric(2.0), 4, medium=Dielectric(2.0 + 0.1j))
    with pytest.raises(ValueError, match="radius"):
        sphere_reflection_matrix(omega, -1.0, Dielectric(2.0), 4)


@pytest.mark.parametrize("x, m", [(42.229894174573246, 2.339495857856481 + 0.819626719119277j),
                                  (17.685457890856426, 1.8385646053149087 + 0.19132392605720028j),
                                  (0.3, 1.33), (3.0, 0.75)])
def test_against_mpmath_coefficients(x, m):
    """a_l, b_l vs 40-digit mpmath (atol 1e-13; orders to Wiscombe + 6, beyond that |a_l| < 1e-13) and
    Q_back from them (rtol 1e-10)."""
    l_max = 70
    a_ref, b_ref = mp_mie_coefficients(x, m, wiscombe_lmax(x) + 6)
    a_ref = np.pad(a_ref, (0, l_max - len(a_ref)))
    b_ref = np.pad(b_ref, (0, l_max - len(b_ref)))
    a, b = mie_coefficients(x, m, l_max)
    np.testing.assert_allclose(a, a_ref, rtol=0, atol=1e-13)
    np.testing.assert_allclose(b, b_ref, rtol=0, atol=1e-13)
    n = np.arange(1, l_max + 1)
    q_back_ref = abs(np.sum((2 * n + 1) * (-1.0) ** n * (a_ref - b_ref))) ** 2 / x ** 2
    np.testing.assert_allclose(mie_efficiencies(x, m, l_max).q_back, q_back_ref, rtol=1e-10)


def test_fused_exterior_scan_matches_special_functions():
    """The upward scan of real.py (psi/xi, psi'/xi, xi'/xi at real x) equals jaxem.special's
    ratio_psi_xi, log_derivative_xi (and ratio * log_derivative_psi) for x from 1e-3 to 300 and
    l up to 60 (rtol 1e-11; entries below 1e-290 are compared absolutely)."""
    from jaxem import special
    from jaxem.mie.real import _exterior, _psi_log_derivatives

    x = jnp.array([1e-3, 0.5, 3.0, 17.3, 42.0, 300.0])
    l_max = 60
    (dpsi,) = _psi_log_derivatives(x, [], l_max)
    r, p, dxi = (np.moveaxis(np.asarray(v), 0, -1) for v in _exterior(x, dpsi))
    r_ref = np.asarray(special.ratio_psi_xi(x, l_max))[:, 1:]
    dxi_ref = np.asarray(special.log_derivative_xi(x, l_max))[:, 1:]
    p_ref = r_ref * np.asarray(special.log_derivative_psi(x, l_max))[:, 1:]
    np.testing.assert_allclose(r, r_ref, rtol=1e-11, atol=1e-290)
    np.testing.assert_allclose(dxi, dxi_ref, rtol=1e-11)
    np.testing.assert_allclose(p, p_ref, rtol=1e-10, atol=1e-290)
