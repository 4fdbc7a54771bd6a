"""Free-space Green tensors (jaxem/green.py) against independent closed forms and identities.

References: nanosphere-potentials.md §2.1 (sign-corrected (C1), eigenvalue form, imaginary-frequency
propagator), §4.B.1 (Tr[Re G Im G] numbers), random-light.md §2.1 (magnetic part, 6x6 layout).
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem  # noqa: F401  (enables x64)
from jaxem.green import dipole_propagator_imag, green_tensor, green_tensor_em, green_tensor_magnetic

R1 = np.array([0.3, -0.2, 0.5])
R2 = np.array([-0.4, 0.9, 0.1])


def _seed000_c1(r1, r2, k):
    """Printed (C1) with its sign corrected, written in the eigen-decomposed form of §2.1 (numpy)."""
    d = np.asarray(r1, float) - np.asarray(r2, float)
    r = np.linalg.norm(d)
    rh = d / r
    x = k * r
    pre = np.exp(1j * x) / (4 * np.pi * k**2 * r**3)
    return pre * (-(1 - 1j * x - x**2) * np.eye(3) + (3 - 3j * x - x**2) * np.outer(rh, rh))


@pytest.mark.parametrize("k", [0.7, 5.0, 2.0 + 0.3j])
def test_matches_sign_corrected_c1(k):
    # tolerance 1e-13 relative: two algebraically equal forms
    g = np.asarray(green_tensor(R1, R2, k))
    ref = _seed000_c1(R1, R2, k)
    assert np.allclose(g, ref, rtol=1e-13, atol=1e-15 * np.abs(ref).max())


def test_eigenvalues_perpendicular_and_parallel():
    # G_perp = -e^{ix}(1 - ix - x^2)/(4 pi k^2 r^3) (twice), G_par = 2 e^{ix}(1 - ix)/(4 pi k^2 r^3)
    k, s = 1.3, 2.1
    x = k * s
    g = np.asarray(green_tensor(np.zeros(3), np.array([s, 0.0, 0.0]), k))
    pre = np.exp(1j * x) / (4 * np.pi * k**2 * s**3)
    assert np.isclose(g[0, 0], 2 * pre * (1 - 1j * x), rtol=1e-13)
    assert np.isclose(g[1, 1], -pre * (1 - 1j * x - x**2), rtol=1e-13)
    assert np.isclose(g[2, 2], g[1, 1], rtol=1e-14)
    assert np.allclose(g - np.diag(np.diag(g)), 0.0, atol=1e-16)


def test_reciprocity_and_symmetry():
    for k in (0.9, 3.0 + 0.1j):
        g12 = np.asarray(green_tensor(R1, R2, k))
        g21 = np.asarray(green_tensor(R2, R1, k))
        assert np.allclose(g12, g21.T, rtol=1e-14, atol=0)  # G(r1, r2) = G(r2, r1)^T
        assert np.allclose(g12, g12.T, rtol=1e-14, atol=0)  # free space: symmetric
        m12 = np.asarray(green_tensor_magnetic(R1, R2, k))
        m21 = np.asarray(green_tensor_magnetic(R2, R1, k))
        assert np.allclose(m12, -m12.T, atol=1e-16)  # antisymmetric
        assert np.allclose(m12, -m21, atol=1e-16)  # odd under exchange
        assert np.allclose(m12, m21.T, atol=1e-16)  # hence reciprocal


@pytest.mark.parametrize("k", [1.0, 40.0])
def test_imaginary_part_coincidence_limit(k):
    # Im G(r, r) = k/(6 pi) 1 (erratum E8); Im G(r, r + d) = k/(6 pi)(1 + O((kd)^2)); at kd = 1e-3 the
    # O((kd)^2) term is ~1e-7 and cancellation in the closed form costs ~1e-10: tolerance 1e-6 relative
    d = 1e-3 / k
    g = np.asarray(green_tensor(np.zeros(3), np.array([d, 0.0, 0.0]) * 0.6 + np.array([0, d, 0]) * 0.8, k))
    assert np.allclose(g.imag, k / (6 * np.pi) * np.eye(3), rtol=0, atol=1e-6 * k / (6 * np.pi))


def _split(f):
    """Real 18-vector (re, im) of a complex 3x3 function of the first position."""
    return lambda r: jnp.concatenate([jnp.real(f(r)).ravel(), jnp.imag(f(r)).ravel()])


@pytest.mark.parametrize("k", [1.2 + 0.25j])  # complex k (absorbing host) covers the real case
def test_helmholtz_and_transversality_away_from_source(k):
    # (nabla^2 + k^2) G = 0 and nabla . G = 0 for r1 != r2, autodiff Laplacian; tolerance 1e-10 relative
    f = lambda r: green_tensor(r, R2, k)  # noqa: E731
    hess = jax.jit(jax.jacfwd(jax.jacfwd(_split(f))))(jnp.asarray(R1))  # (18, 3, 3)
    lap = jnp.trace(hess, axis1=1, axis2=2)
    lap = np.asarray(lap[:9] + 1j * lap[9:]).reshape(3, 3)
    g = np.asarray(f(R1))
    assert np.allclose(lap + k**2 * g, 0.0, atol=1e-10 * np.abs(k**2 * g).max())
    jac = jax.jacfwd(_split(f))(jnp.asarray(R1))  # (18, 3): d G_ij / d r_l
    jac = np.asarray(jac[:9] + 1j * jac[9:]).reshape(3, 3, 3)
    div = np.einsum("iji->j", jac)  # sum_i d_i G_ij
    assert np.allclose(div, 0.0, atol=1e-11 * np.abs(k * g).max())


def test_magnetic_part_is_curl_of_electric():
    # G_M = (1/k) curl_1 G_E, column by column (random-light.md §2.1); autodiff curl, tolerance 1e-12
    k = 2.3
    f = lambda r: green_tensor(r, R2, k)  # noqa: E731
    jac = jax.jacfwd(_split(f))(jnp.asarray(R1))
    jac = np.asarray(jac[:9] + 1j * jac[9:]).reshape(3, 3, 3)  # [i, j, l] = d_l G_ij
    eps = np.zeros((3, 3, 3))
    eps[0, 1, 2] = eps[1, 2, 0] = eps[2, 0, 1] = 1
    eps[0, 2, 1] = eps[2, 1, 0] = eps[1, 0, 2] = -1
    curl = np.einsum("mli,ijl->mj", eps, jac) / k  # (curl G)_mj = eps_mli d_l G_ij
    gm = np.asarray(green_tensor_magnetic(R1, R2, k))
    assert np.allclose(curl, gm, rtol=1e-12, atol=1e-13 * np.abs(gm).max())


def test_em_tensor_layout():
    k = 1.1
    g6 = np.asarray(green_tensor_em(R1, R2, k))
    ge = np.asarray(green_tensor(R1, R2, k))
    gm = np.asarray(green_tensor_magnetic(R1, R2, k))
    assert g6.shape == (6, 6)
    assert np.allclose(g6[:3, :3], ge) and np.allclose(g6[3:, 3:], ge)
    assert np.allclose(g6[:3, 3:], 1j * gm) and np.allclose(g6[3:, :3], -1j * gm)
    # Onsager reciprocity of the mixed E/H tensor (H is odd under time reversal):
    # G6(r1, r2) = P G6(r2, r1)^T P with P = diag(1_3, -1_3)
    P = np.diag([1.0, 1, 1, -1, -1, -1])
    assert np.allclose(g6, P @ np.asarray(green_tensor_em(R2, R1, k)).T @ P, atol=1e-16)


@pytest.mark.parametrize("x, ref", [(0.3, 2.9325529512e-02), (2.0, -1.8381997732e-04), (7.0, 1.1985864219e-04)])
def test_trace_re_im_matches_spec_numbers(x, ref):
    # nanosphere-potentials.md §4.B.1: Tr[Re G0 Im G0] (k = 1) to 10 digits
    g = np.asarray(green_tensor(np.zeros(3), np.array([0.0, 0.0, x]), 1.0))
    assert np.isclose(np.trace(g.real @ g.imag), ref, rtol=2e-10)
    # and the closed bracket of (26), corrected (E3): 16 pi^2 k^4 r^6 Tr[Re G Im G]
    bracket = np.sin(2 * x) * (3 - 5 * x**2 + x**4) + np.cos(2 * x) * (-6 * x + 2 * x**3)
    assert np.isclose(bracket / (16 * np.pi**2 * x**6), ref, rtol=2e-10)


def test_static_limit_is_dipole_field():
    # mu0 omega^2 G p -> (3 r^(r^.p) - p)/(4 pi eps0 r^3) as k -> 0; k^2 G at k r = 1e-6: tolerance 1e-10
    from jaxem.constants import eps0

    s = np.array([0.2, -0.5, 0.4])
    r = np.linalg.norm(s)
    rh = s / r
    p = np.array([1.0, 2.0, -0.5])
    k = 1e-6 / r
    field = (k**2 / eps0) * np.asarray(green_tensor(s, np.zeros(3), k)) @ p
    ref = (3 * rh * (rh @ p) - p) / (4 * np.pi * eps0 * r**3)
    assert np.allclose(field.real, ref, rtol=1e-10)


@pytest.mark.parametrize("kappa", [0.0, 0.4, 3.0])
def test_imaginary_frequency_propagator(kappa):
    s = R1 - R2
    r = np.linalg.norm(s)
    rh = s / r
    t = np.asarray(dipole_propagator_imag(R1, R2, kappa))
    u = kappa * r
    ref = np.exp(-u) / (4 * np.pi * r**3) * ((3 + 3 * u + u**2) * np.outer(rh, rh) - (1 + u + u**2) * np.eye(3))
    assert np.allclose(t, ref, rtol=1e-14, atol=0)
    if kappa > 0:
        # analytic continuation: equals k^2 G(k) at k = i kappa (real), tolerance 1e-13
        g = np.asarray(green_tensor(R1, R2, 1j * kappa))
        assert np.allclose((1j * kappa) ** 2 * g, t, rtol=1e-13, atol=1e-16)
    # Tr[T^2] = e^{-2u} P(u)/(8 pi^2 r^6), P = 3 + 6u + 5u^2 + 2u^3 + u^4 (§2.1)
    P = 3 + 6 * u + 5 * u**2 + 2 * u**3 + u**4
    assert np.isclose(np.trace(t @ t), np.exp(-2 * u) * P / (8 * np.pi**2 * r**6), rtol=1e-13)


def test_vmap_equals_loop_and_jit_equals_eager():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5, 3))
    b = rng.normal(size=(5, 3))
    k = 1.9
    batched = np.asarray(jax.vmap(green_tensor, (0, 0, None))(a, b, k))
    loop = np.stack([np.asarray(green_tensor(a[i], b[i], k)) for i in range(5)])
    assert np.allclose(batched, loop, rtol=1e-14, atol=0)
    jitted = np.asarray(jax.jit(dipole_propagator_imag)(a[0], b[0], 0.7))
    assert np.allclose(jitted, np.asarray(dipole_propagator_imag(a[0], b[0], 0.7)), rtol=1e-14, atol=0)


def test_gradient_finite_difference():
    # d/dx of Re G_xy vs central differences (h = 1e-6), tolerance 1e-7 relative
    k = 1.4
    f = jax.jit(lambda x: jnp.real(green_tensor(jnp.array([x, 0.3, -0.2]), jnp.zeros(3), k)[0, 1]))
    x0, h = 0.8, 1e-6
    fd = (f(x0 + h) - f(x0 - h)) / (2 * h)
    assert np.isclose(jax.jit(jax.grad(f))(x0), fd, rtol=1e-7)


@pytest.mark.parametrize("fn", [green_tensor, green_tensor_magnetic, green_tensor_em, dipole_propagator_imag])
def test_bad_input(fn):
    with pytest.raises(ValueError, match="r1 and r2"):
        fn(R1, R1, 1.0)
    with pytest.raises(ValueError, match="r1"):
        fn(np.array([np.nan, 0, 0]), R2, 1.0)
    with pytest.raises(ValueError, match="r2"):
        fn(R1, np.array([0, np.inf, 0]), 1.0)
