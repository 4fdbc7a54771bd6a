"""Integer-order Bessel functions, cylindrical waves and Wigner d^l_{m,+-1} (jaxem.special.bessel_integer,
jaxem.special.wigner): values against scipy / mpmath, identities, derivatives, bad input."""
import math

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest
import scipy.special as sps

from jaxem.special.bessel_integer import bessel_jn_integer, cylindrical_waves
from jaxem.special.wigner import wigner_d_sigma

N_MAX = 60
X_GRID = np.concatenate([[0.0, 1e-300, 1e-20, 1e-7, 1e-6, 2e-6, 1e-3, -0.3, -7.5, -41.0],
                         np.linspace(0.01, 60.0, 601)])


@pytest.fixture(scope="module")
def bessel_table():
    return np.asarray(bessel_jn_integer(X_GRID, N_MAX))


def test_bessel_against_scipy(bessel_table):
    n = np.arange(-N_MAX, N_MAX + 1)
    ref = sps.jv(n[None, :], X_GRID[:, None])
    err = np.abs(bessel_table - ref)
    oscillatory = np.abs(n)[None, :] < np.abs(X_GRID)[:, None]
    tail = ~oscillatory & (np.abs(ref) > 1e-290)
    # scipy's own relative error in the tail is up to 1.2e-13 (measured against mpmath), hence 3e-13 here;
    # the mpmath test below holds jaxem to 1e-13
    assert np.max(err[tail] / np.abs(ref[tail])) < 3e-13
    assert np.max(err[oscillatory]) < 3e-15
    # scipy flushes to 0 below ~1e-290 (jaxem keeps J_39(1e-6) = 8.9175405383021e-293, mpmath: ...099e-293)
    assert np.max(err[np.abs(ref) <= 1e-290]) < 1e-289
    assert np.all(bessel_table[0] == (n == 0))                      # J_n(0) = delta_n0 exactly


def test_bessel_against_mpmath(bessel_table):
    mp.mp.dps = 30
    rng = np.random.default_rng(3)
    worst_rel, worst_abs = 0.0, 0.0
    for i in rng.choice(len(X_GRID), 40, replace=False).tolist() + [4, 5, 3]:
        x = X_GRID[i]
        for nn in (0, 1, -2, 7, 25, -33, 39, 60):
            ref = float(mp.besselj(nn, mp.mpf(float(x))))
            got = bessel_table[i, nn + N_MAX]
            if abs(nn) > abs(x) and ref != 0.0:
                worst_rel = max(worst_rel, abs(got - ref) / abs(ref))
            else:
                worst_abs = max(worst_abs, abs(got - ref))
    assert worst_rel < 1e-13
    assert worst_abs < 1e-15


def test_bessel_derivative():
    """jax.grad against central differences on the whole grid (x = 0 included; same compiled primal as above)."""
    w = np.random.default_rng(0).normal(size=2 * N_MAX + 1)

    def per_point(x):
        return bessel_jn_integer(x, N_MAX) @ w

    g = np.asarray(jax.grad(lambda x: jnp.sum(per_point(x)))(jnp.asarray(X_GRID)))
    h = 1e-5
    cd = (np.asarray(per_point(X_GRID + h)) - np.asarray(per_point(X_GRID - h))) / (2 * h)
    np.testing.assert_allclose(g, cd, rtol=1e-7, atol=1e-9)
    # J_n'(0) = (delta_{n,1} - delta_{n,-1})/2 exactly
    assert g[0] == pytest.approx((w[N_MAX + 1] - w[N_MAX - 1]) / 2, abs=1e-15)


def test_cylindrical_waves_values_and_axis_derivatives():
    k = 2.3
    xy = np.array([[0.4, -1.1], [-2.0, 0.3], [0.0, 0.0]])
    f = np.asarray(cylindrical_waves(k, xy[:, 0], xy[:, 1], 6))
    n = np.arange(-6, 7)
    rho, phi = np.hypot(xy[:, 0], xy[:, 1]), np.arctan2(xy[:, 1], xy[:, 0])
    ref = sps.jv(n[None, :], k * rho[:, None]) * np.exp(1j * n[None, :] * phi[:, None])
    np.testing.assert_allclose(f, ref, rtol=0, atol=1e-15)

    # d/dk, d/dx, d/dy against central differences, also on the axis rho = 0 where rho and phi are not
    # differentiable (there d/dx J_1(k rho) e^{i phi} = k/2, d/dy = i k/2)
    c = np.random.default_rng(1).normal(size=(2, 13))
    p0 = np.array([[k, 0.4, -1.1], [k, 0.0, 0.0], [1.7, -0.3, 0.2]])

    def per_point(p):
        v = cylindrical_waves(p[:, 0], p[:, 1], p[:, 2], 6)
        return jnp.real(v) @ c[0] + jnp.imag(v) @ c[1]

    g = np.asarray(jax.grad(lambda p: jnp.sum(per_point(p)))(jnp.asarray(p0)))
    h = 1e-6
    for j in range(3):
        e = np.zeros(3)
        e[j] = h
        cd = (np.asarray(per_point(p0 + e)) - np.asarray(per_point(p0 - e))) / (2 * h)
        np.testing.assert_allclose(g[:, j], cd, rtol=1e-7, atol=1e-9)
    # on the axis exactly: d/dx F_n = k/2 (delta_{n,1} - delta_{n,-1}), d/dy F_n = i k/2 (delta_{n,1} + delta_{n,-1})
    assert g[1, 1] == pytest.approx(k / 2 * (c[0, 7] - c[0, 5]), abs=1e-14)
    assert g[1, 2] == pytest.approx(k / 2 * (c[1, 7] + c[1, 5]), abs=1e-14)
    assert np.isfinite(g).all()


def _wigner_mp(j, m1, m, beta):
    """Wigner's explicit sum in 50-digit arithmetic (convention <j m1| exp(-i beta J_y) |j m>)."""
    b = mp.mpf(beta)
    c, s = mp.cos(b / 2), mp.sin(b / 2)
    pref = mp.sqrt(mp.factorial(j + m1) * mp.factorial(j - m1) * mp.factorial(j + m) * mp.factorial(j - m))
    tot = mp.mpf(0)
    for k in range(max(0, m - m1), min(j + m, j - m1) + 1):
        tot += ((-1) ** (k - m + m1) * pref / (mp.factorial(j + m - k) * mp.factorial(k) * mp.factorial(j - k - m1)
                                                * mp.factorial(k - m + m1))
                * c ** (2 * j - 2 * k + m - m1) * s ** (2 * k - m + m1))
    return float(tot)


WIGNER_L = 100
WIGNER_BETAS = np.array([1e-3, 0.05, 0.7, 1.1, 2.0, 2.9, 3.1, math.pi - 1e-4])


@pytest.fixture(scope="module")
def wigner_tables():
    return {sigma: np.asarray(wigner_d_sigma(WIGNER_BETAS, WIGNER_L, sigma)) for sigma in (1, -1)}


def test_wigner_against_mpmath(wigner_tables):
    mp.mp.dps = 50
    worst = 0.0
    for sigma, d in wigner_tables.items():
        for ib in (0, 2, 5, 7):
            beta = WIGNER_BETAS[ib]
            for l in (1, 2, 5, 33, 100):
                for m in range(-l, l + 1, 1 if l <= 5 else 11):
                    worst = max(worst, abs(d[ib, l, m + WIGNER_L] - _wigner_mp(l, m, sigma, beta)))
                assert np.all(d[ib, l, np.abs(np.arange(-WIGNER_L, WIGNER_L + 1)) > l] == 0.0)
        assert np.all(d[:, 0] == 0.0)
    assert worst < 1e-13
    # the check values of the convention
    b = WIGNER_BETAS[2]
    np.testing.assert_allclose(wigner_tables[1][2, 1, WIGNER_L - 1:WIGNER_L + 2],
                               [(1 - math.cos(b)) / 2, math.sin(b) / math.sqrt(2), (1 + math.cos(b)) / 2],
                               rtol=1e-15)


def test_wigner_identities(wigner_tables):
    """Unitarity (sum_m d^2 = 1, all l <= 100) and the cos/sin identities behind G' and G^+- (l <= 60)."""
    L = 60
    beta = WIGNER_BETAS
    l = np.arange(L + 1)[:, None]
    m = np.arange(-L, L + 1)[None, :]
    for sigma, full in wigner_tables.items():
        np.testing.assert_allclose(np.sum(full[:, 1:] ** 2, axis=-1), 1.0, atol=1e-13)
        c0 = WIGNER_L - (L + 1)
        d = full[:, :L + 2, c0:c0 + 2 * L + 3]                        # l <= L+1, |m| <= L+1
        dl, dp, dm = d[:, :L + 1, 1:-1], d[:, 1:L + 2, 1:-1], np.concatenate(
            [np.zeros_like(d[:, :1, 1:-1]), d[:, :L, 1:-1]], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            a_up = np.sqrt(np.maximum(l * (l + 2) * ((l + 1) ** 2 - m ** 2), 0)) / ((2 * l + 1) * (l + 1))
            b_dn = np.sqrt(np.maximum((l ** 2 - m ** 2) * (l ** 2 - 1), 0)) / np.maximum(l * (2 * l + 1), 1)
            c_0 = sigma * m / np.maximum(l * (l + 1), 1)
        rhs = a_up * dp + b_dn * dm + c_0 * dl
        lhs = np.cos(beta)[:, None, None] * dl
        ok = (np.abs(m) <= l) & (l >= 1)
        assert np.max(np.abs((lhs - rhs)[:, ok])) < 1e-13
        # sin(beta) d^l_{m+1,sigma} (the G^+ identity)
        up = d[:, :L + 1, 2:]                                        # d^l_{m+1}
        with np.errstate(divide="ignore", invalid="ignore"):
            k1 = -np.sqrt(np.maximum((l + m) * (l + m + 1) * (l ** 2 - 1), 0)) / np.maximum(l * (2 * l + 1), 1)
            k2 = sigma * np.sqrt(np.maximum((l - m) * (l + m + 1), 0)) / np.maximum(l * (l + 1), 1)
            k3 = np.sqrt(np.maximum((l - m) * (l - m + 1) * l * (l + 2), 0)) / ((l + 1) * (2 * l + 1))
        rhs = k1 * dm + k2 * dl + k3 * dp
        lhs = np.sin(beta)[:, None, None] * up
        assert np.max(np.abs((lhs - rhs)[:, ok])) < 1e-13
        # sin(beta) d^l_{m-1,sigma} (the G^- identity)
        down = d[:, :L + 1, :-2]                                     # d^l_{m-1}
        with np.errstate(divide="ignore", invalid="ignore"):
            k1 = np.sqrt(np.maximum((l - m) * (l - m + 1) * (l ** 2 - 1), 0)) / np.maximum(l * (2 * l + 1), 1)
            k2 = sigma * np.sqrt(np.maximum((l + m) * (l - m + 1), 0)) / np.maximum(l * (l + 1), 1)
            k3 = -np.sqrt(np.maximum((l + m) * (l + m + 1) * l * (l + 2), 0)) / ((l + 1) * (2 * l + 1))
        rhs = k1 * dm + k2 * dl + k3 * dp
        lhs = np.sin(beta)[:, None, None] * down
        assert np.max(np.abs((lhs - rhs)[:, ok])) < 1e-13


def test_wigner_derivative():
    w = np.random.default_rng(2).normal(size=(WIGNER_L + 1, 2 * WIGNER_L + 1))
    b0 = WIGNER_BETAS.copy()
    b0[0], b0[-1] = 0.0, math.pi                                  # the end points too

    def per_point(b):
        return jnp.sum(wigner_d_sigma(b, WIGNER_L, -1) * w, axis=(-1, -2))

    g = np.asarray(jax.grad(lambda b: jnp.sum(per_point(b)))(jnp.asarray(b0)))
    h = 1e-6
    cd = (np.asarray(per_point(b0 + h)) - np.asarray(per_point(b0 - h))) / (2 * h)
    np.testing.assert_allclose(g, cd, rtol=1e-6, atol=1e-6)


def test_special_bad_input():
    with pytest.raises(ValueError, match="n_max"):
        bessel_jn_integer(1.0, -1)
    with pytest.raises(ValueError, match="x"):
        bessel_jn_integer(np.nan, 3)
    with pytest.raises(ValueError, match="sigma"):
        wigner_d_sigma(0.3, 4, 0)
    with pytest.raises(ValueError, match="l_max"):
        wigner_d_sigma(0.3, 2.5, 1)
