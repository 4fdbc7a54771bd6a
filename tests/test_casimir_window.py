"""Windowed l sum of the plane-wave sphere kernel (issue #17, item 1) against the full sum.

The windowed kernel sums, per matrix element (k_out, k_in, phi), only the W orders around the saddle
of log|r_l| + (l+1/2) arccosh z (plus l = 1), seeding the angular recurrence with Gegenbauer's integral
(jaxem.special.angular_scaled.scaled_pi_at). Independent reference: the full sum over l = 1..l_max of
the same kernel (l_window=None, unchanged code path). Tolerances: <= 1e-12 relative per element of the
amplitudes S_pp'(Theta) (measured <= 2.1e-13 at R/L = 100 and 1.9e-14 at R/L = 10), log det <= 1e-12
relative, derivatives wrt xi, L and R (forward mode at R/L = 10, reverse mode at R/L = 100, slow) <= 1e-10
relative. A window that is too narrow (W = 250 at
l_max = 1200) is shown to fail the per-element check (~1e-7), so the check can fail.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem  # noqa: F401  (float64 is enabled by tests/conftest.py)
from jaxem.casimir.planewave import (_mie_log, _sphere_amplitudes, sphere_plane_log_det,
                                     sphere_sphere_log_det, window_width)
from jaxem.constants import c
from jaxem.materials import PEMC, Dielectric, Drude, PerfectConductor
from jaxem.special.quadrature import nystrom_nodes

L = 1e-6
MATERIALS = {"PEC": PerfectConductor(), "Drude": Drude.gold(), "dielectric": Dielectric(4.0), "PEMC": PEMC(0.3)}


def _amplitudes(rho, K, name, l_max, W, N, M):
    """S_pp' on the upper-triangle pairs x phi in [0, pi], full (W = None) or windowed."""
    return np.asarray(_amplitudes_fn(rho, name, l_max, W, N, M)(K * c / L))


@functools.lru_cache(maxsize=None)
def _amplitudes_fn(rho, name, l_max, W, N, M):
    material = MATERIALS[name]
    kn, _ = nystrom_nodes(N)
    k = jnp.asarray(kn)
    iu, ju = np.triu_indices(N)
    phis = 2.0 * np.pi * np.arange(M // 2 + 1) / M
    ch = jnp.asarray(np.cos(phis / 2) ** 2)
    mixing = isinstance(material, PEMC)

    @jax.jit
    def run(xi):
        K = xi * L / c
        kap = jnp.sqrt(k * k + K * K)
        la, ph = _mie_log(xi, rho * L, material, None, l_max)
        S = _sphere_amplitudes(K, rho, 0.0, k[iu][:, None], k[ju][:, None], kap[iu][:, None], kap[ju][:, None],
                               ch[None, :], la, ph, mixing, W)
        return jnp.stack(S if mixing else S[:2])

    return run


def _max_rel(win, full):
    both0 = (win == 0) & (full == 0)
    return float(np.max(np.where(both0, 0.0, np.abs(win - full) / np.where(both0, 1.0, np.abs(full)))))


def test_window_width_rules():
    assert window_width(120) is None                      # R/L = 10 at eta = 1: the window would not save
    w = window_width(1200)
    assert w is not None and 400 < w < 700
    assert window_width(6000) < 6000 / 4                  # O(sqrt(l_max))
    assert window_width(1200, x_max=4000) > w             # large size parameters widen it
    assert window_width(1200, rtol=1e-12) < w


@pytest.mark.parametrize("name", [
    "PEC", pytest.param("Drude", marks=pytest.mark.slow), pytest.param("dielectric", marks=pytest.mark.slow)])
@pytest.mark.parametrize("rho, l_max, N, M, Ks", [
    (10.0, 400, 26, 17, (0.1, 2.0, 10.0)),                # l_max raised so that a window exists
    (100.0, 1200, 30, 21, (0.05, 0.8, 5.0, 12.0)),
])
def test_windowed_amplitudes_match_full_sum(name, rho, l_max, N, M, Ks):
    W = window_width(l_max)
    assert W is not None and W < l_max - 1
    for K in Ks:
        full = _amplitudes(rho, K, name, l_max, None, N, M)
        win = _amplitudes(rho, K, name, l_max, W, N, M)
        err = _max_rel(win, full)
        assert err <= 1e-12, (name, rho, K, err)


@pytest.mark.slow
def test_windowed_amplitudes_polarisation_mixing():
    full = _amplitudes(100.0, 0.8, "PEMC", 1200, None, 30, 21)
    win = _amplitudes(100.0, 0.8, "PEMC", 1200, window_width(1200), 30, 21)
    assert _max_rel(win, full) <= 1e-12


def test_too_narrow_window_is_detected():
    full = _amplitudes(100.0, 5.0, "PEC", 1200, None, 30, 21)
    win = _amplitudes(100.0, 5.0, "PEC", 1200, 250, 30, 21)
    assert _max_rel(win, full) > 1e-9


@pytest.mark.parametrize("name", [
    "Drude", pytest.param("PEC", marks=pytest.mark.slow), pytest.param("dielectric", marks=pytest.mark.slow)])
def test_log_det_unchanged(name):
    mat = MATERIALS[name]
    rho, N, M, l_max = 100.0, 30, 21, 1200
    W = window_width(l_max)
    f = jax.jit(lambda xi, W=None: sphere_plane_log_det(xi, L, rho * L, mat, mat, N=N, M=M, l_max=l_max,
                                                         l_window=W), static_argnums=1)
    for K in (0.3, 3.0):
        xi = K * c / L
        full, win = float(f(xi)), float(f(xi, W))
        assert abs(win / full - 1) <= 1e-12, (name, K, full, win)


@pytest.mark.slow
def test_sphere_sphere_log_det_unchanged():
    mat = Drude.gold()
    N, M, l1, l2 = 24, 17, 1200, 600
    W1, W2 = window_width(l1), window_width(l2)
    assert W1 is not None and W2 is not None
    xi = 0.8 * c / L
    f = jax.jit(lambda xi, w1=None, w2=None: sphere_sphere_log_det(
        xi, L, 100 * L, 50 * L, mat, mat, N=N, M=M, l_max1=l1, l_max2=l2, l_window1=w1, l_window2=w2),
        static_argnums=(1, 2))
    full, win = float(f(xi)), float(f(xi, W1, W2))
    assert abs(win / full - 1) <= 1e-12


def _grad_log_det(rho, N, M, l_max, W, p, reverse):
    """d log det / d(K, L, R) of a gold sphere-plate (K = xi L/c; L, R in um), full sum or windowed."""
    mat = Drude.gold()

    def g(p):
        xi, Lp, R = p[0] * c / L, p[1] * L, p[2] * L
        return sphere_plane_log_det(xi, Lp, R, mat, mat, N=N, M=M, l_max=l_max, l_window=W)

    return np.asarray(jax.jit(jax.grad(g) if reverse else jax.jacfwd(g))(p))


def _check_derivatives(rho, N, M, l_max, reverse):
    p = jnp.array([0.8, 1.0, rho])
    gf = _grad_log_det(rho, N, M, l_max, None, p, reverse)
    gw = _grad_log_det(rho, N, M, l_max, window_width(l_max), p, reverse)
    assert np.all(np.isfinite(gw)) and np.all(gf != 0)
    np.testing.assert_allclose(gw, gf, rtol=1e-10)      # measured 9e-15 (forward, R/L = 10)


def test_forward_derivatives_agree():
    # R/L = 10 with l_max raised to 400 (W = 334): forward mode through the window and the seeds
    _check_derivatives(10.0, 10, 7, 400, reverse=False)


@pytest.mark.slow
def test_gradients_agree():
    _check_derivatives(100.0, 12, 9, 1200, reverse=True)


def test_engine_windows_large_spheres_only(monkeypatch):
    """The free-energy engine passes l_window = window_width(l_max) for l_max >= WINDOW_MIN_LMAX and the full sum
    below (unchanged results at R/L < 250); the log det it then computes equals the full sum (<= 1e-12)."""
    from jaxem.casimir import free_energy as fe
    from jaxem.casimir import planewave as pw

    assert fe._l_window(fe.WINDOW_MIN_LMAX - 1) is None
    assert fe._l_window(6000) == window_width(6000) == 1247
    seen = []
    real = pw.sphere_plane_log_det

    def spy(*args, **kw):
        seen.append(kw["l_window"])
        return real(*args, **kw)

    monkeypatch.setattr(pw, "sphere_plane_log_det", spy)
    sizes = (10, 9, 1200, 0)                         # R/L = 100 l_max (window_width(1200) = 567), a coarse grid
    args = (0.5 * c / L, L, 100 * L, np.inf, Drude.gold(), Drude.gold(), None, sizes, True)
    full = float(fe._log_det(*args))
    monkeypatch.setattr(fe, "WINDOW_MIN_LMAX", 1000)
    win = float(fe._log_det(*args))
    assert seen == [None, 567]
    assert abs(win / full - 1) < 1e-12, (win, full)
