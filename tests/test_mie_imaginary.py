"""Tests of jaxem.mie.imaginary: sphere reflection matrices at imaginary frequency.

Independent references:
- scattering.md §4 validation numbers (items 4-8, 10, 18, 19), computed there with mpmath;
- the boundary-value system of scattering.md §2.6.4 solved in mpmath (40 digits);
- mpmath Bessel functions I_{l+1/2} (mpmath.besseli) and K_{l+1/2} (exact finite sum) at
  l up to 1e4 and x from 1e-4 to 1e4;
- miepython Bohren-Huffman a_l, b_l via the continuation x = -i w (scattering.md §2.7);
- duality covariance R_PEMC(theta) = D(theta) R_PEC D(theta)^T (scattering.md §1.7);
- the Rayleigh limit (4.51)-(4.54).
The mpmath and scipy reference functions live in tests/reference.py.
"""
import math

import jax
import jax.numpy as jnp
import miepython
import numpy as np
import pytest
from jax.test_util import check_grads

import jaxem  # noqa: F401  (x64)
from jaxem.constants import c as C_LIGHT
from jaxem.materials import PEMC, BiIsotropic, Dielectric, Drude, PerfectConductor
from jaxem.mie import (pemc_reflection_imag, perfect_conductor_reflection_imag,
                       reflection_coefficients_imag, reflection_matrix_imag,
                       reflection_matrix_imag_factored, size_parameter_imag)
from jaxem.mie.imaginary import _bessel_pieces, _pemc_q, _q_matrix, _relative_indices
from reference import (bvp_reflection, mp_isotropic_r, mp_pec_r, mp_reduced_inputs,
                       scipy_real_frequency_inputs)


def to_r(log_abs, phase):
    return np.asarray(phase) * np.exp(np.asarray(log_abs))


# spec values, scattering.md §4 (x, eps, mu, chi, kappa, {l: [[EE, EM], [ME, MM]]})
SPEC_CASES = {
    "chiral_item4": (0.7, 3.0, 1.5, 0.0, 0.3, {
        1: [[-0.08673513516, -0.008720977072j], [0.008720977072j, -0.02268347218]],
        2: [[0.00250486174, 0.0002816845017j], [-0.0002816845017j, 0.0007978011893]]}),
    "tellegen_item5": (0.7, 2.5, 1.7, 0.4, 0.0, {
        1: [[-0.07099742454, 0.01808933311], [0.01808933311, -0.03481875833]],
        2: [[0.002076081603, -0.0004829108478], [-0.0004829108478, 0.001110259908]]}),
    "general_item6": (1.0, 3.0, 1.4, 0.5, 0.3, {
        1: [[-0.2571176006, 0.07352045513 - 0.02339977095j],
            [0.07352045513 + 0.02339977095j, -0.02185214423]],
        2: [[0.01513970212, -0.003897231338 + 0.001686282947j],
            [-0.003897231338 - 0.001686282947j, 0.002668561837]]}),
    "dielectric_item7": (1.0, 4.0, 1.0, 0.0, 0.0, {
        1: [[-0.3471537951, 0], [0, 0.06248917492]],
        2: [[0.01977512689, 0], [0, -0.001898454271]],
        3: [[-0.0005168997821, 0], [0, 3.083506257e-5]]}),
}


def assert_matrix_close(got, want, rtol):
    want = np.asarray(want, dtype=complex)
    scale = np.max(np.abs(want))
    np.testing.assert_allclose(got, want, rtol=0, atol=rtol * scale)
    nz = np.abs(want) > 0
    np.testing.assert_allclose(got[nz], want[nz], rtol=rtol)


# ---------------------------------------------------------------------------------------------
# the algebra of (4.11)-(4.16) alone (mpmath brackets; independent of jaxem.special)

@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_algebra_matches_spec_values(case):
    x, eps, mu, chi, kappa, want = SPEC_CASES[case]
    l_max = max(want)
    m = _relative_indices(eps, mu, chi, kappa)
    ref = mp_reduced_inputs(x, m, l_max)
    q = np.asarray(_q_matrix(jnp.asarray(x + 0j), *(jnp.asarray(ref[k]) for k in ("g", "h", "gL", "gR")),
                             m, l_max))
    r = q * ref["c"][:, None, None]
    for l, mat in want.items():
        assert_matrix_close(r[l - 1], mat, rtol=2e-9)   # spec prints 10 digits


@pytest.mark.parametrize("eps,mu,chi,kappa", [(3.0, 1.5, 0.0, 0.3), (2.5, 1.7, 0.4, 0.0),
                                              (3.0, 1.4, 0.5, 0.3), (1.2, 1.0, 0.2, 1.5)])
def test_algebra_matches_boundary_value_oracle(eps, mu, chi, kappa):
    # the last case has m_L < 0 (kappa > sqrt(eps mu - chi^2)): exercises the parity branch
    x, l_max = 0.9, 3
    m = _relative_indices(eps, mu, chi, kappa)
    ref = mp_reduced_inputs(x, m, l_max)
    q = np.asarray(_q_matrix(jnp.asarray(x + 0j), *(jnp.asarray(ref[k]) for k in ("g", "h", "gL", "gR")),
                             m, l_max))
    r = q * ref["c"][:, None, None]
    for l in range(1, l_max + 1):
        assert_matrix_close(r[l - 1], bvp_reflection(1j * x, l, eps, mu, chi, kappa), rtol=1e-12)


def test_real_frequency_continuation_matches_miepython():
    # r^EE(x = -i w) = Bohren-Huffman a_l(w), r^MM = b_l (scattering.md §2.7, item 3)
    w, n_rel, l_max = 5.213, 1.55, 8
    m = _relative_indices(n_rel**2, 1.0, 0.0, 0.0)
    ref = scipy_real_frequency_inputs(w, m, l_max)
    q = np.asarray(_q_matrix(jnp.asarray(-1j * w), *(jnp.asarray(ref[k]) for k in ("g", "h", "gL", "gR")),
                             m, l_max))
    r = q * ref["c"][:, None, None]
    a, b = miepython.an_bn(n_rel, w, l_max)
    np.testing.assert_allclose(r[:, 0, 0], a, rtol=1e-10)
    np.testing.assert_allclose(r[:, 1, 1], b, rtol=1e-10)
    assert r[0, 0, 0] == pytest.approx(0.03436203651 + 0.1821573138j, rel=1e-9)
    assert r[0, 1, 1] == pytest.approx(0.2004061281 + 0.4003042742j, rel=1e-9)
    # real-frequency chiral sphere, item 9: eps = 2.25, kappa = 0.05, w = 2.3
    m = _relative_indices(2.25, 1.0, 0.0, 0.05)
    ref = scipy_real_frequency_inputs(2.3, m, 1)
    q = np.asarray(_q_matrix(jnp.asarray(-2.3j), *(jnp.asarray(ref[k]) for k in ("g", "h", "gL", "gR")), m, 1))
    r = q[0] * ref["c"][0]
    want = [[0.542787784 - 0.486726495j, -(0.0517569108 - 0.0926700961j)],
            [0.0517569108 - 0.0926700961j, 0.891971659 - 0.291704806j]]
    assert_matrix_close(r, want, rtol=3e-9)


def test_general_formula_reduces_to_pemc_for_any_interior():
    # (4.16) with m_+ + m_- = 0, m_+ m_- = tan^2 theta gives (4.17)/(4.18) for ANY m_L, m_R
    x, l_max, theta = 0.8, 3, 0.3
    t = math.tan(theta)
    mL, mR = 1.7 + 0.2j, 2.9 - 0.1j
    mm, mpl = 1j * t, -1j * t
    m = dict(m_L=jnp.asarray(mL), m_R=jnp.asarray(mR), m_minus=jnp.asarray(mm), m_plus=jnp.asarray(mpl),
             d_L=jnp.asarray(mm * mL - 1), d_R=jnp.asarray(mpl * mR - 1),
             e_L=jnp.asarray(mm * mL - mpl * mR), e_R=jnp.asarray(mm * mR - mpl * mL))
    ref = mp_reduced_inputs(x, m, l_max)
    q = np.asarray(_q_matrix(jnp.asarray(x + 0j), *(jnp.asarray(ref[k]) for k in ("g", "h", "gL", "gR")),
                             m, l_max))
    l = np.arange(1, l_max + 1)
    a = ((l + 1) + x * ref["g"]) / (l - x * ref["h"])
    np.testing.assert_allclose(q, np.asarray(_pemc_q(jnp.asarray(a.real), jnp.asarray(theta))), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# full kernels.  Compilation dominates the run time, so the tests share a few signatures:
# general kernel (scalar x, l_max = 3), PEC / PEMC (x of shape (4,), l_max = 6), large l
# (x of shape (4,), l_max = 1e4), physical interface (scalar xi, l_max = 6).

L_SMALL = 3
L_PEC = 6
X4 = np.array([1e-3, 0.5, 3.0, 40.0])


@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_spec_values(case):
    x, eps, mu, chi, kappa, want = SPEC_CASES[case]
    r = to_r(*reflection_coefficients_imag(x, eps, mu, chi, kappa, l_max=L_SMALL))
    for l, mat in want.items():
        assert_matrix_close(r[l - 1], mat, rtol=2e-9)   # spec prints 10 digits
    # same through the physical interface (chi, kappa frequency independent; vacuum host)
    xi = 3e14
    r2 = to_r(*reflection_matrix_imag(xi, x * C_LIGHT / xi, BiIsotropic(eps, mu, chi, kappa), L_SMALL))
    np.testing.assert_allclose(r2, r, rtol=1e-12, atol=1e-15)


def test_bvp_oracle_full_kernel():
    # second case: m_L < 0 (kappa > sqrt(eps mu - chi^2)), the parity branch of {I, m x}
    for eps, mu, chi, kappa in [(3.0, 1.4, 0.5, 0.3), (1.2, 1.0, 0.2, 1.5)]:
        for x in (0.05, 2.5):
            r = to_r(*reflection_coefficients_imag(x, eps, mu, chi, kappa, l_max=L_SMALL))
            for l in (1, 3):
                assert_matrix_close(r[l - 1], bvp_reflection(1j * x, l, eps, mu, chi, kappa), rtol=1e-10)


def test_pec_and_pemc_spec_values():
    x = np.array([1.0, 0.5, 1.7, 3.0])
    r = to_r(*perfect_conductor_reflection_imag(x, l_max=L_PEC))
    np.testing.assert_allclose(r[0, :3, 0, 0], [-0.731509349822, 0.0381839938168, -0.000952955859705],
                               rtol=1e-10)
    np.testing.assert_allclose(r[0, :3, 1, 1], [0.5, -0.0277897213522, 0.000739452774956], rtol=1e-10)
    assert np.all(r[:, :, 0, 1] == 0) and np.all(r[:, :, 1, 0] == 0)
    # closed form r_1^MM = e^x (x cosh x - sinh x)/(1 + x)
    np.testing.assert_allclose(r[:, 0, 1, 1], np.exp(x) * (x * np.cosh(x) - np.sinh(x)) / (1 + x), rtol=1e-13)
    # PEMC theta = 0.3, item 10 (printed to 8 digits: tolerance half a unit of the last digit)
    r = to_r(*pemc_reflection_imag(x, 0.3, l_max=L_PEC))
    np.testing.assert_allclose([r[1, 0, 0, 0], r[1, 0, 1, 1], r[1, 0, 1, 0], r[1, 0, 0, 1]],
                               [-0.07118451, 0.035648576, 0.036544223, 0.036544223], rtol=3e-8)
    want = {1: [-89.821739, 83.063493, 59.138576], 2: [26.306211, -23.089569, -16.896736],
            5: [-0.038267725, 0.032975374, 0.024370013]}
    c, s = math.cos(0.3), math.sin(0.3)
    for l, (ee, mm, mix) in want.items():
        got = r[3, l - 1]
        np.testing.assert_allclose([got[0, 0], got[1, 1], got[1, 0], got[0, 1]], [ee, mm, mix, mix], rtol=3e-8)
        # and to 1e-12 against mpmath: (4.17), corrected (4.18) with the PEC closed forms
        log_ee, log_mm = mp_pec_r(3.0, l)
        a, b = (-1) ** l * math.exp(log_ee), (-1) ** (l + 1) * math.exp(log_mm)
        np.testing.assert_allclose([got[0, 0], got[1, 1], got[1, 0]],
                                   [c * c * a + s * s * b, s * s * a + c * c * b, c * s * (b - a)], rtol=1e-12)


def test_duality_rotation():
    # R_PEMC(theta) = D(theta) R_PEC D(theta)^T at all x (scattering.md §1.7); PMC = PEC with E <-> M
    pec = to_r(*perfect_conductor_reflection_imag(X4, l_max=L_PEC))
    for theta in (0.0, 0.3, np.pi / 4, 1.2, np.pi / 2):
        D = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
        pemc = to_r(*pemc_reflection_imag(X4, theta, l_max=L_PEC))
        rotated = D @ pec @ D.T
        scale = np.max(np.abs(rotated), axis=(-1, -2), keepdims=True)
        np.testing.assert_allclose(pemc / scale, rotated / scale, atol=1e-13)
        if theta == 0.0:
            np.testing.assert_allclose(pemc, pec, rtol=1e-14)
        if theta == np.pi / 2:
            np.testing.assert_allclose(pemc[..., 0, 0], pec[..., 1, 1], rtol=1e-13)
            np.testing.assert_allclose(pemc[..., 1, 1], pec[..., 0, 0], rtol=1e-13)
    # the physical interface dispatches PerfectConductor / PEMC materials to the closed forms
    xi = 3e14
    for material, want in ((PerfectConductor(), pec[2]),
                           (PEMC(0.3), to_r(*pemc_reflection_imag(X4, 0.3, l_max=L_PEC))[2])):
        got = to_r(*reflection_matrix_imag(xi, X4[2] * C_LIGHT / xi, material, L_PEC))
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300)


def test_pec_mpmath_large_l():
    # l up to 1e4, x from 1e-4 to 1e4: log|r^EE|, log|r^MM| against mpmath (1e-12 relative in the
    # log, at least 1e-9 absolute, i.e. |r| to ~1e-9 relative although |r| spans 1e+-78000)
    xs = np.array([1e-4, 1.0, 100.0, 1e4])
    log_abs, phase = (np.asarray(a) for a in perfect_conductor_reflection_imag(xs, l_max=10000))
    for i, x in enumerate(xs):
        for l in (1, 37, 1000, 10000):
            ref_ee, ref_mm = mp_pec_r(x, l)
            assert log_abs[i, l - 1, 0, 0] == pytest.approx(ref_ee, rel=1e-12, abs=1e-9)
            assert log_abs[i, l - 1, 1, 1] == pytest.approx(ref_mm, rel=1e-12, abs=1e-9)
            assert phase[i, l - 1, 0, 0] == (-1) ** l and phase[i, l - 1, 1, 1] == (-1) ** (l + 1)
    assert np.all(np.isfinite(log_abs[..., 0, 0])) and np.all(np.isfinite(log_abs[..., 1, 1]))
    # large sphere (scattering.md §2.9, (4.31)-(4.35) with theta = 0): r_l = (-1)^l (e^Psi/2) r_p (1 + rho_p/x
    # + O(x^-2)), r_TM = 1, r_TE = -1, rho_TM = c + Lambda^2/(1+Lambda^2)^{3/2}, rho_TE = c; at x = 1e4
    x = xs[3]
    for l in (100, 7071, 10000):
        lam = (l + 0.5) / x
        s0 = math.sqrt(1 + lam * lam)
        psi = 2 * x * (s0 - lam * math.asinh(lam))
        c = 1 / (4 * s0) - 5 * lam**2 / (12 * s0**3)
        assert log_abs[3, l - 1, 0, 0] == pytest.approx(psi - math.log(2) + math.log1p((c + lam**2 / s0**3) / x),
                                                        abs=1e-8 * abs(psi) + 1e-7)
        assert log_abs[3, l - 1, 1, 1] == pytest.approx(psi - math.log(2) + math.log1p(c / x),
                                                        abs=1e-8 * abs(psi) + 1e-7)


def double_factorial_log(n):
    return sum(math.log(k) for k in range(n, 0, -2))


def log_c0(x, l):
    """log |C_l^(0)(x)| = log(x^{2l+1}/((2l+1)!!(2l-1)!!)) (4.48)."""
    return (2 * l + 1) * math.log(x) - double_factorial_log(2 * l + 1) - double_factorial_log(2 * l - 1)


@pytest.mark.parametrize("eps", [1e4, 2.25])
def test_drude_and_dielectric_mpmath_large_l(eps):
    # eps = 1e4: a Drude metal at imaginary frequency (eps(i xi) >> 1); 2.25: glass.  The magnetic
    # coefficient of a non-magnetic sphere has exactly cancelling leading terms at small x: it is
    # the hardest entry (checked at x = 1e-4, l = 1e4).
    xs = np.array([1e-4, 1.0, 100.0, 1e4])
    log_abs, phase = (np.asarray(a) for a in reflection_coefficients_imag(xs, eps, l_max=10000))
    for i, x in enumerate(xs):
        for l in (1, 1000, 10000):
            lee, see, lmm, smm = mp_isotropic_r(x, l, eps)
            assert log_abs[i, l - 1, 0, 0] == pytest.approx(lee, rel=1e-12, abs=1e-9)
            assert log_abs[i, l - 1, 1, 1] == pytest.approx(lmm, rel=1e-12, abs=1e-8)
            assert phase[i, l - 1, 0, 0].real == float(see) and phase[i, l - 1, 1, 1].real == float(smm)
    assert np.all(np.isinf(log_abs[..., 0, 1])) and np.all(phase[..., 0, 1] == 0)
    # (4.51), (4.57), (4.63): at x = 1e-4 (x^2/l << 1) r_l/(C_l^(0) (l+1)/l) = l(eps-1)/(l eps + l + 1)
    for l in (1, 1000, 10000):
        X = (-1) ** l * phase[0, l - 1, 0, 0].real * math.exp(log_abs[0, l - 1, 0, 0] - log_c0(1e-4, l)) * l / (l + 1)
        assert X == pytest.approx(l * (eps - 1) / (l * eps + l + 1), rel=1e-7)


def test_rayleigh_limit():
    # r_l = C_l^(0)(x) ((l+1)/l) X_{p,p'}(l) + O(x^{2l+2}) (4.51); X from item 18
    x = 1e-4

    def X(r):
        l = np.arange(1, r.shape[0] + 1)
        c0 = (-1.0) ** l * np.exp([log_c0(x, k) for k in l]) * (l + 1) / l
        return r / c0[:, None, None]

    rd = to_r(*reflection_coefficients_imag(x, 4.0, l_max=L_SMALL))
    np.testing.assert_allclose(X(rd)[:2, 0, 0].real, [0.5, 0.54545455], rtol=1e-7)
    # item 19: dipole r_1^EE ~ -(2/3) x^3 (eps-1)/(eps+2)
    assert rd[0, 0, 0].real == pytest.approx(-2 / 3 * x**3 * (4.0 - 1) / (4.0 + 2), rel=1e-7)
    Xb = X(to_r(*reflection_coefficients_imag(x, 3.0, 1.4, 0.5, 0.3, l_max=L_SMALL)))
    np.testing.assert_allclose(Xb[:, 0, 0].real, [0.3877551, 0.42958301, 0.44562488], rtol=1e-7)
    np.testing.assert_allclose(Xb[:, 1, 1].real, [0.099639855, 0.11487018, 0.12111261], rtol=1e-7)
    assert Xb[0, 0, 1] == pytest.approx(-0.090036014 + 0.054021608j, rel=1e-7)
    # item 17: C_l -> C_l^(0) (4.48); ({I,x} - (l+1)/x)/x -> 1/(2l+3), ({K,x} + l/x)/x -> -1/(2l-1)
    xs = 1e-5
    log_scale, _ = reflection_matrix_imag_factored(3e14, xs * C_LIGHT / 3e14, Drude(1.3e16, 5e13), L_PEC)
    np.testing.assert_allclose(np.asarray(log_scale), [log_c0(xs, k) for k in range(1, L_PEC + 1)],
                               rtol=0, atol=1e-9)
    _, g, h, _ = _bessel_pieces(jnp.asarray(xs), [], L_PEC)
    l = np.arange(1, L_PEC + 1)
    np.testing.assert_allclose(np.asarray(g) / xs, 1 / (2 * l + 3), rtol=1e-9)
    # (l = 1: K_{1/2}/K_{3/2} = x/(1+x) exactly, so the correction is O(x) there)
    np.testing.assert_allclose(np.asarray(h) / xs, -1 / (2 * l - 1), rtol=2e-5)
    # item 19: PEC r_1^MM/r_1^EE -> -1/2, r_1^MM = x^3/3
    r = to_r(*perfect_conductor_reflection_imag(np.array([x, 1.0, 1.0, 1.0]), l_max=L_PEC))[0, 0]
    assert r[1, 1].real / r[0, 0].real == pytest.approx(-0.5, rel=1e-7)
    assert r[1, 1].real == pytest.approx(x**3 / 3, rel=1e-7)


def test_physical_interface_drude_medium_and_zero_frequency():
    gold = Drude.gold()
    xi, radius = 2.4678e14, 1e-6
    x = xi * radius / C_LIGHT
    got = reflection_matrix_imag(xi, radius, gold, L_PEC)
    want = reflection_coefficients_imag(np.full(4, x), np.full(4, float(gold.epsilon_imaginary_frequency(xi))), l_max=L_PEC)
    np.testing.assert_allclose(got[0], want[0][0], rtol=1e-13)
    np.testing.assert_array_equal(got[1], want[1][0])
    # host medium (eps_s = 2.5 in eps_m = 1.8, item 18): x = xi n_m R / c, relative eps
    xr = 1e-4
    radius_m = xr * C_LIGHT / (xi * math.sqrt(1.8))
    assert float(size_parameter_imag(xi, radius_m, Dielectric(1.8))) == pytest.approx(xr, rel=1e-14)
    r = to_r(*reflection_matrix_imag(xi, radius_m, Dielectric(2.5), L_PEC, medium=Dielectric(1.8)))
    X = r[:2, 0, 0].real / np.array([-math.exp(log_c0(xr, 1)) * 2, math.exp(log_c0(xr, 2)) * 1.5])
    np.testing.assert_allclose(X, [0.1147541, 0.13461538], rtol=1e-6)
    # xi = 0: r = 0 (log_abs = -inf), no NaN in values or gradients
    la, ph = reflection_matrix_imag(0.0, radius, gold, L_PEC)
    assert np.all(np.isneginf(la)) and not np.any(np.isnan(ph))
    # small but positive x (1e-13): finite, no NaN
    la, ph = reflection_matrix_imag(1e8, 1e-14 * C_LIGHT / 1e8, gold, L_PEC)
    assert np.all(np.isfinite(la[:, 0, 0])) and not np.any(np.isnan(ph))


def central_difference(f, x0, h):
    return (np.asarray(f(x0 + h)) - np.asarray(f(x0 - h))) / (2 * h)


def test_gradients_vs_central_differences():
    # forward mode, log form: d log|r^EE|, d log|r^MM| w.r.t. omega_p, gamma, radius and xi of a
    # Drude sphere against central differences (relative 1e-6; step 1e-4 relative)
    base = dict(wp=1.3e16, gm=5e13, radius=0.8e-6, xi=3e14)

    def f(p):
        la, _ = reflection_matrix_imag(p["xi"], p["radius"], Drude(p["wp"], p["gm"]), L_PEC)
        return jnp.concatenate([la[:, 0, 0], la[:, 1, 1]])

    jac = jax.jacfwd(f)(base)
    for k, v in base.items():
        fd = central_difference(lambda t: f({**base, k: t}), v, 1e-4 * v)
        np.testing.assert_allclose(np.asarray(jac[k]) * v, fd * v, rtol=1e-6, atol=1e-9)
    # xi = 0 (r = 0, log_abs = -inf): derivatives finite, never NaN
    jac0 = jax.jacfwd(f)({**base, "xi": 0.0})
    assert all(np.all(np.isfinite(np.asarray(v))) for v in jac0.values())

    # reverse mode, factored form, general bi-isotropic sphere: d(log_scale, q) w.r.t. eps, mu, chi,
    # kappa, radius at kappa = 0, where r^EM vanishes but d q^EM/d kappa does not
    base = dict(eps=3.0, mu=1.2, chi=0.1, kappa=0.0, radius=1e-6)

    def g(p):
        ls, q = reflection_matrix_imag_factored(3e14, p["radius"], BiIsotropic(p["eps"], p["mu"], p["chi"],
                                                                               p["kappa"]), L_SMALL)
        return jnp.concatenate([ls, q.real.reshape(-1), q.imag.reshape(-1)])

    jac = jax.jacrev(g)(base)
    for k, v in base.items():
        h = 1e-6 * (v if v else 1.0)
        fd = central_difference(lambda t: g({**base, k: t}), v, h)
        scale = v if v else 1.0
        np.testing.assert_allclose(np.asarray(jac[k]) * scale, fd * scale, rtol=1e-6, atol=1e-8)
    d_qem_d_kappa = np.asarray(jac["kappa"])[L_SMALL + 4 * L_SMALL + 1]   # Im q^EM at l = 1
    assert abs(d_qem_d_kappa) > 1e-3


@pytest.mark.slow
def test_stiffness_second_derivative_and_check_grads():
    # jacfwd twice (a stiffness-type second derivative) and jax's check_grads to order 2
    def f(radius_um):
        ls, q = reflection_matrix_imag_factored(3e14, radius_um * 1e-6, Drude.gold(), 4)
        return ls[1] + q[1, 0, 0].real

    d2 = jax.jacfwd(jax.jacfwd(f))(0.8)
    d1 = jax.jacfwd(f)
    fd = (float(d1(0.8 + 1e-4)) - float(d1(0.8 - 1e-4))) / 2e-4
    assert float(d2) == pytest.approx(fd, rel=1e-6)

    def h(wp, gm, radius_um):
        ls, q = reflection_matrix_imag_factored(3e14, radius_um * 1e-6, Drude(wp * 1e16, gm * 1e13), 4)
        return jnp.concatenate([ls / 100, q.real.reshape(-1)])

    check_grads(h, (1.3, 5.0, 0.8), order=2, modes=("fwd", "rev"), eps=1e-4, rtol=1e-5)


def test_vmap_jit_and_batching():
    batched = reflection_coefficients_imag(X4, 2.5, l_max=L_PEC)
    for i, x in enumerate(X4):
        one = reflection_coefficients_imag(np.full(4, x), 2.5, l_max=L_PEC)
        np.testing.assert_allclose(batched[0][i], one[0][0], rtol=1e-14)
    wps = jnp.array([1e16, 1.4e16])
    vm = jax.vmap(lambda wp: reflection_matrix_imag(3e14, 1e-6, Drude(wp, 5e13), L_PEC))(wps)
    for i, wp in enumerate(wps):
        one = reflection_matrix_imag(3e14, 1e-6, Drude(float(wp), 5e13), L_PEC)
        np.testing.assert_allclose(vm[0][i], one[0], rtol=1e-14)
    jitted = jax.jit(lambda xi, r: reflection_matrix_imag(xi, r, Drude.gold(), L_PEC))(3e14, 1e-6)
    eager = reflection_matrix_imag(3e14, 1e-6, Drude.gold(), L_PEC)
    np.testing.assert_allclose(jitted[0], eager[0], rtol=1e-14)


@pytest.mark.parametrize("call,name", [
    (lambda: reflection_matrix_imag(-1.0, 1e-6, Drude.gold(), 5), "xi"),
    (lambda: reflection_matrix_imag(1e14, -1e-6, Drude.gold(), 5), "radius"),
    (lambda: reflection_matrix_imag(1e14, 1e-6, Drude.gold(), 0), "l_max"),
    (lambda: reflection_matrix_imag(1e14, 1e-6, Drude.gold(), 5.0), "l_max"),
    (lambda: reflection_matrix_imag(1e14, 1e-6, "gold", 5), "material"),
    (lambda: reflection_matrix_imag(1e14, 1e-6, Drude.gold(), 5, medium=PerfectConductor()), "medium"),
    (lambda: reflection_matrix_imag(1e14, 1e-6, Drude.gold(), 5, medium=BiIsotropic(2.0, 1.0, 0.0, 0.1)),
     "medium"),
    (lambda: reflection_coefficients_imag(-0.1, 2.0, l_max=3), "x"),
    (lambda: reflection_coefficients_imag(0.1, -2.0, l_max=3), "eps_rel"),
    (lambda: reflection_coefficients_imag(0.1, 2.0, float("nan"), l_max=3), "mu_rel"),
    (lambda: pemc_reflection_imag(0.1, float("inf"), l_max=3), "theta"),
    (lambda: reflection_coefficients_imag(0.1, 2.0, 1.0, 1.5, 0.0, l_max=3), "chi_rel"),
    (lambda: perfect_conductor_reflection_imag(float("nan"), l_max=3), "x"),
])
def test_bad_input_raises(call, name):
    with pytest.raises(ValueError, match=name):
        call()
