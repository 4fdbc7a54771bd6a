"""Tests of jaxem.casimir.logdet: log det(1 - M) and round-trip traces (casimir-spheres.md §2.1)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxem.casimir.logdet import log_det_one_minus, round_trip_traces
from reference import mp_log_det_one_minus


def _random_contraction(rng, n, scale, complex_=False):
    """Random n x n matrix with Frobenius norm `scale` (spectral radius < 1 for scale < 1)."""
    a = rng.standard_normal((n, n))
    if complex_:
        a = a + 1j * rng.standard_normal((n, n))
    return scale * a / np.linalg.norm(a)


@pytest.mark.parametrize("scale", [0.9, 0.3, 0.06])
def test_dense_route_matches_numpy(scale):
    rng = np.random.default_rng(1)
    M = _random_contraction(rng, 12, scale)
    ref = np.linalg.slogdet(np.eye(12) - M)[1]
    got = float(log_det_one_minus(M))
    assert abs(got - ref) <= 1e-12 * max(1.0, abs(ref))


@pytest.mark.parametrize("scale", [0.04, 1e-3, 1e-9, 1e-30])
@pytest.mark.parametrize("hermitian", [False, True])
def test_tiny_operator_full_relative_precision(scale, hermitian):
    # Where the factorisation loses digits (|log det| ~ ||M|| << 1), compare with mpmath: rel 1e-13.
    rng = np.random.default_rng(2)
    M = _random_contraction(rng, 8, scale)
    M = M + scale * np.eye(8) / 4  # make tr M clearly nonzero
    if hermitian:
        M = 0.5 * (M + M.T)
    ref = mp_log_det_one_minus(M)
    got = float(log_det_one_minus(M, hermitian=hermitian))
    assert abs(got - ref) <= 1e-13 * abs(ref)


def test_complex_matrix_matches_mpmath():
    rng = np.random.default_rng(3)
    for scale in (0.7, 0.01):
        M = _random_contraction(rng, 6, scale, complex_=True)
        ref = mp_log_det_one_minus(M)
        assert abs(float(log_det_one_minus(M)) - ref) <= 1e-12 * abs(ref)


def test_hermitian_cholesky_route_and_lu_fallback():
    rng = np.random.default_rng(4)
    N = rng.standard_normal((10, 10))
    N = 0.9 * N / np.linalg.norm(N, 2)
    M_pd = N @ N.T  # eigenvalues in [0, 0.81]: 1 - M positive definite
    ref = np.linalg.slogdet(np.eye(10) - M_pd)[1]
    assert abs(float(log_det_one_minus(M_pd, hermitian=True)) - ref) <= 1e-12 * abs(ref)
    # Not positive definite (eigenvalue of M above 1): falls back to LU, log|det|.
    M_bad = 1.5 * M_pd / np.linalg.norm(M_pd, 2)
    ref_bad = np.linalg.slogdet(np.eye(10) - M_bad)[1]
    assert abs(float(log_det_one_minus(M_bad, hermitian=True)) - ref_bad) <= 1e-11 * abs(ref_bad)
    # Complex Hermitian
    Z = rng.standard_normal((6, 6)) + 1j * rng.standard_normal((6, 6))
    H = 0.5 * (Z @ Z.conj().T) / np.linalg.norm(Z, 2) ** 2
    ref_h = np.linalg.slogdet(np.eye(6) - H)[1]
    assert abs(float(log_det_one_minus(H, hermitian=True)) - ref_h) <= 1e-12 * abs(ref_h)


def test_round_trip_traces_match_matrix_powers():
    rng = np.random.default_rng(5)
    for complex_ in (False, True):
        M = _random_contraction(rng, 7, 2.0, complex_)
        tr = np.asarray(round_trip_traces(M, 7))
        ref = np.array([np.trace(np.linalg.matrix_power(M, r)) for r in range(1, 8)])
        np.testing.assert_allclose(tr, ref, rtol=1e-12, atol=1e-14 * np.max(np.abs(ref)))
    assert round_trip_traces(np.eye(3), 1).shape == (1,)


def test_mercator_identity_traces_vs_log_det():
    # log det(1 - M) = -sum_r tr M^r / r (Eq. 8.2) for a contraction: 60 terms at ||M|| = 0.5.
    rng = np.random.default_rng(6)
    M = _random_contraction(rng, 5, 0.5)
    tr = np.asarray(round_trip_traces(M, 60))
    series = -np.sum(tr / np.arange(1, 61))
    assert abs(series - float(log_det_one_minus(M))) <= 1e-14 * 5


@pytest.mark.parametrize("scale", [0.5, 0.02])
@pytest.mark.parametrize("hermitian", [False, True])
def test_gradient_vs_closed_form_and_central_differences(scale, hermitian):
    rng = np.random.default_rng(7)
    N = _random_contraction(rng, 6, np.sqrt(scale))
    M0 = jnp.asarray(N @ N.T)
    # d log det(1-M) / dM = -(1-M)^{-T}: closed form, rel 1e-10
    g = jax.grad(lambda M: log_det_one_minus(M, hermitian=hermitian))(M0)
    ref = -np.linalg.inv(np.eye(6) - np.asarray(M0)).T
    if hermitian:  # symmetric perturbations only are meaningful; compare the symmetric part
        g, ref = 0.5 * (g + g.T), 0.5 * (ref + ref.T)
    np.testing.assert_allclose(np.asarray(g), ref, rtol=1e-10, atol=1e-12)
    # along a symmetric direction vs central differences, h = 1e-5: rel 1e-7
    D = jnp.asarray(rng.standard_normal((6, 6)))
    D = D + D.T
    f = lambda t: log_det_one_minus(M0 + t * D, hermitian=hermitian)  # noqa: E731
    h = 1e-5
    fd = (f(h) - f(-h)) / (2 * h)
    ad = jax.grad(f)(0.0)
    assert abs(ad - fd) <= 1e-7 * abs(fd)
    # second derivative: jacfwd(grad) vs closed form -tr((1-M)^-1 D (1-M)^-1 D)
    d2 = jax.jacfwd(jax.grad(f))(0.0)
    Ainv = np.linalg.inv(np.eye(6) - np.asarray(M0))
    ref2 = -np.trace(Ainv @ np.asarray(D) @ Ainv @ np.asarray(D))
    assert abs(d2 - ref2) <= 1e-9 * abs(ref2)


def test_no_nan_gradient_at_zero_and_at_threshold():
    for hermitian in (False, True):
        g0 = jax.jit(jax.grad(lambda M: log_det_one_minus(M, hermitian=hermitian)))(jnp.zeros((4, 4)))
        np.testing.assert_allclose(np.asarray(g0), -np.eye(4), atol=1e-15)
        H0 = jax.jit(jax.hessian(lambda M: log_det_one_minus(M, hermitian=hermitian)))(jnp.zeros((3, 3)))
        assert np.all(np.isfinite(np.asarray(H0)))
    # pivoted case (permutation != identity): |det(1 - M)| of a swap-like matrix vs numpy, rel 1e-13
    M = np.array([[1.0, 0.3, 0.0], [0.2, 1.0, 0.1], [0.0, 0.4, 0.5]])
    ref = np.linalg.slogdet(np.eye(3) - M)[1]
    assert abs(float(log_det_one_minus(M)) - ref) <= 1e-13 * abs(ref)


def test_vmap_jit_batch_axes():
    rng = np.random.default_rng(8)
    Ms = np.stack([_random_contraction(rng, 5, s) for s in (0.8, 0.3, 0.01, 1e-6)])
    loop = np.array([float(log_det_one_minus(M)) for M in Ms])
    vm = np.asarray(jax.vmap(log_det_one_minus)(Ms))
    jt = np.asarray(jax.jit(log_det_one_minus)(Ms))  # leading batch axis handled internally
    np.testing.assert_allclose(vm, loop, rtol=1e-14)
    np.testing.assert_allclose(jt, loop, rtol=1e-14)
    tr_loop = np.stack([np.asarray(round_trip_traces(M, 3)) for M in Ms])
    np.testing.assert_allclose(np.asarray(jax.jit(round_trip_traces, static_argnums=1)(Ms, 3)), tr_loop, rtol=1e-14)


def test_bad_input():
    with pytest.raises(ValueError, match="M"):
        log_det_one_minus(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="M"):
        round_trip_traces(np.zeros(3), 2)
    with pytest.raises(ValueError, match="r_max"):
        round_trip_traces(np.zeros((3, 3)), 0)
    with pytest.raises(ValueError, match="r_max"):
        round_trip_traces(np.zeros((3, 3)), 2.0)


# ------------------------------------------------------------------------------------------------
# log det(1 - E B E), E = diag(e^{-kappa s}): closed-form derivatives in the gap s

def _gap_case(complex_, scale, n=10, blocks=3, seed=5):
    rng = np.random.default_rng(seed)
    B = np.stack([_random_contraction(rng, n, scale, complex_) for _ in range(blocks)])
    kappa = rng.uniform(0.5, 2.0, n)
    return jnp.asarray(B), jnp.asarray(kappa)


def _gap_reference(B, kappa, s):
    """Independent route: slogdet of 1 - E B E (JAX's LU derivative rules)."""
    e = jnp.exp(-kappa * s)
    K = B * (e[:, None] * e[None, :])
    n = B.shape[-1]
    return jnp.sum(jnp.linalg.slogdet(jnp.eye(n) - K)[1])


@pytest.mark.parametrize("complex_", [False, pytest.param(True, marks=pytest.mark.slow)])
@pytest.mark.parametrize("s", [0.3, 6.0])
def test_gap_derivatives_match_lu_derivatives(complex_, s):
    # value, d/ds, d^2/ds^2 (jacfwd twice, grad of grad) and d^3/ds^3 against slogdet: rel 1e-11
    # (the value in the small-K regime uses the two-term series of log_det_one_minus_lu_fast: rel 1e-8 there)
    from jaxem.casimir.logdet import log_det_one_minus_gap

    B, kappa = _gap_case(complex_, 0.8)
    BT = jnp.swapaxes(B, -1, -2)
    new = lambda s_: jnp.sum(log_det_one_minus_gap(B, BT, kappa, s_))  # noqa: E731
    ref = lambda s_: _gap_reference(B, kappa, s_)  # noqa: E731
    small = float(jnp.max(jnp.sum(jnp.abs(B * jnp.exp(-kappa[:, None] * s - kappa[None, :] * s)) ** 2, (-1, -2))))
    tol0 = 1e-8 if small < 1e-8 else 1e-12
    assert abs(float(new(s)) - float(ref(s))) <= tol0 * abs(float(ref(s)))
    for d_new, d_ref in [(jax.grad(new), jax.grad(ref)),
                         (jax.jacfwd(jax.jacfwd(new)), jax.jacfwd(jax.jacfwd(ref))),
                         (jax.grad(jax.grad(new)), jax.grad(jax.grad(ref))),
                         (jax.jacfwd(jax.jacfwd(jax.jacfwd(new))), jax.jacfwd(jax.jacfwd(jax.jacfwd(ref))))]:
        a, b = float(jax.jit(d_new)(s)), float(jax.jit(d_ref)(s))     # whole programs: compiled once each
        assert abs(a - b) <= 1e-11 * abs(b), (a, b)


@pytest.mark.parametrize("complex_", [pytest.param(False, marks=pytest.mark.slow), True])
def test_gap_mixed_derivatives_in_kernel_and_kappa(complex_):
    # tangents of B and kappa (derivatives in R, T, material parameters) and mixed d^2/(ds dkappa): rel 1e-11
    from jaxem.casimir.logdet import log_det_one_minus_gap

    B, kappa = _gap_case(complex_, 0.7)
    new = lambda B_, k_, s_: jnp.sum(log_det_one_minus_gap(B_, jnp.swapaxes(B_, -1, -2), k_, s_))  # noqa: E731
    for argnums in (0, 1, 2):
        a = jax.jit(jax.grad(new, argnums=argnums))(B, kappa, 0.7)
        b = jax.jit(jax.grad(_gap_reference, argnums=argnums))(B, kappa, 0.7)
        assert float(jnp.max(jnp.abs(a - b))) <= 1e-11 * float(jnp.max(jnp.abs(b)))
    a = jax.jit(jax.jacfwd(jax.grad(new, argnums=2), argnums=1))(B, kappa, 0.7)
    b = jax.jit(jax.jacfwd(jax.grad(_gap_reference, argnums=2), argnums=1))(B, kappa, 0.7)
    assert float(jnp.max(jnp.abs(a - b))) <= 1e-11 * float(jnp.max(jnp.abs(b)))


def test_gap_slope_has_full_relative_precision_for_tiny_kernels():
    # far apart, log det ~ -tr K: the slope 2 tr(kappa (1 - K)^{-1} K) is formed without 1 - (1 - K)^{-1}
    # cancellation; against the leading terms 2 sum kappa_i (K + K^2 + K^3)_ii: rel 1e-12
    from jaxem.casimir.logdet import log_det_one_minus_gap

    B, kappa = _gap_case(False, 1e-4, blocks=1)
    s = 3.0
    slope = float(jax.grad(lambda s_: jnp.sum(log_det_one_minus_gap(B, jnp.swapaxes(B, -1, -2), kappa, s_)))(s))
    e = np.exp(-np.asarray(kappa) * s)
    K = np.asarray(B[0]) * np.outer(e, e)
    expected = 2 * np.sum(np.asarray(kappa) * np.diagonal(K + K @ K + K @ K @ K))
    assert abs(slope - expected) <= 1e-12 * abs(expected)
