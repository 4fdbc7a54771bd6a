"""Windowed l sum of the plane-wave sphere kernel (issue #17, item 1) against the full sum.

The windowed kernel sums, per matrix element (k_out, k_in, phi), only the W orders around the saddle
of log|r_l| + (l+1/2) arccosh z (plus l = 1), seeding the angular recurrence with Gegenbauer's integral
(jaxem.special.angular_scaled.scaled_pi_at). Independent reference: the full sum over l = 1..l_max of
the same kernel (l_window=None, unchanged code path). Tolerances: <= 1e-12 relative per element of the
amplitudes S_pp'(Theta) (measured <= 2.1e-13 at R/L = 100 and 1.9e-14 at R/L = 10), log det <= 1e-12
relative, derivatives wrt xi, L and R (forward mode at R/L = 10, reverse mode at R/L = 100, slow) <= 1e-10
relative. A window that is too narrow (W = 250 at
l_max = 1200) is shown to fail the per-element check (~1e-7), so the check can fail.

Adaptive windows (l_window="auto", what the engine uses from l_max >= WINDOW_MIN_LMAX): each element sums its own
window [lo, hi] found from its envelope (bisection), without pruning (log_scale None) <= 1e-12 relative per element
(measured <= 2.5e-13 at R/L = 100); in the kernel, elements whose bound in the round trip is below AUTO_ATOL
(1e-25) are 0, checked through the m-blocks and log det (<= 1e-12), derivatives and free energies at 300 K
(PEC, Drude, plasma, dielectric at R/L = 10 and 100: <= 1e-9, slow). The real m-blocks (pairs i <= j,
cosine/sine transforms over [0, pi]) are checked against the complex all-m DFT of the full grid.
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


def _check_derivatives(rho, N, M, l_max, reverse, window=None):
    """Derivatives in (xi, L, R) through the windowed sum (static W = window_width(l_max), or "auto") vs the full sum."""
    p = jnp.array([0.8, 1.0, rho])
    gf = _grad_log_det(rho, N, M, l_max, None, p, reverse)
    gw = _grad_log_det(rho, N, M, l_max, window_width(l_max) if window is None else window, p, reverse)
    assert np.all(np.isfinite(gw)) and np.all(gf != 0)
    np.testing.assert_allclose(gw, gf, rtol=1e-10)      # measured 9e-15 (forward, R/L = 10)


@pytest.mark.slow
def test_forward_derivatives_agree():
    # R/L = 10 with l_max raised to 400 (W = 334): forward mode through the window and the seeds
    _check_derivatives(10.0, 10, 7, 400, reverse=False)


@pytest.mark.slow
def test_gradients_agree():
    _check_derivatives(100.0, 12, 9, 1200, reverse=True)


@pytest.mark.slow
def test_engine_windows_large_spheres_only(monkeypatch):
    """The free-energy engine passes l_window = "auto" (per-element windows) for l_max >= WINDOW_MIN_LMAX and the
    full sum below; the log det it then computes equals the full sum (<= 1e-12)."""
    from jaxem.casimir import free_energy as fe
    from jaxem.casimir import planewave as pw

    assert fe._l_window(fe.WINDOW_MIN_LMAX - 1) is None
    assert fe._l_window(6000) == "auto"
    assert window_width(6000) == 1247
    seen = []
    real = pw.sphere_plane_log_det

    def spy(*args, **kw):
        seen.append(kw["l_window"])
        return real(*args, **kw)

    monkeypatch.setattr(pw, "sphere_plane_log_det", spy)
    sizes = (10, 9, 1200, 0)                         # R/L = 100 l_max (window_width(1200) = 567), a coarse grid
    args = (0.5 * c / L, L, 100 * L, np.inf, Drude.gold(), Drude.gold(), None, sizes, True)
    monkeypatch.setattr(fe, "WINDOW_MIN_LMAX", 1201)
    full = float(fe._log_det(*args))
    monkeypatch.setattr(fe, "WINDOW_MIN_LMAX", 1200)
    win = float(fe._log_det(*args))
    assert seen == [None, "auto"]
    assert abs(win / full - 1) < 1e-12, (win, full)


# ----------------------------------------------------------------------------------------------
# adaptive windows (l_window="auto"): one window per element from its own saddle and edges

@pytest.mark.parametrize("name", [
    "PEC", pytest.param("Drude", marks=pytest.mark.slow), pytest.param("dielectric", marks=pytest.mark.slow)])
@pytest.mark.parametrize("rho, l_max, N, M, Ks", [
    (10.0, 120, 26, 17, (0.1, 2.0, 10.0)),                # the default l_max of R/L = 10
    pytest.param(10.0, 400, 26, 17, (0.1, 10.0), marks=pytest.mark.slow),
    (100.0, 1200, 30, 21, (0.05, 0.8, 5.0, 12.0)),
])
def test_auto_window_amplitudes_match_full_sum(name, rho, l_max, N, M, Ks):
    # without log_scale nothing is pruned: every element <= 1e-12 relative to the full sum (measured <= 2.5e-13)
    for K in Ks:
        full = _amplitudes(rho, K, name, l_max, None, N, M)
        auto = _amplitudes(rho, K, name, l_max, "auto", N, M)
        err = _max_rel(auto, full)
        assert err <= 1e-12, (name, rho, K, err)


@pytest.mark.slow
def test_auto_window_polarisation_mixing():
    full = _amplitudes(100.0, 0.8, "PEMC", 1200, None, 30, 21)
    auto = _amplitudes(100.0, 0.8, "PEMC", 1200, "auto", 30, 21)
    assert _max_rel(auto, full) <= 1e-12


def test_real_kernel_matches_complex_dft():
    """The real m-blocks (pairs i <= j, cosine/sine transforms over [0, pi]) equal the complex all-m DFT of the
    full (k_out, k_in, phi) grid after the diag(1, i) similarity (odd and even M, both signs)."""
    from jaxem.casimir.planewave import sphere_kernel_imag
    mat = Drude.gold()
    for N, M, sign in ((9, 7, 1.0), (8, 8, -1.0)):
        f = jax.jit(lambda xi, mixing: sphere_kernel_imag(xi, 20 * L, mat, length=L, N=N, M=M, l_max=240,
                                                          mixing=mixing, sign=sign)[0], static_argnums=1)
        real = np.asarray(f(0.7 * c / L, False))
        cplx = np.asarray(f(0.7 * c / L, True))[: M // 2 + 1]
        ref = np.block([[cplx[:, :N, :N].real, -cplx[:, :N, N:].imag], [cplx[:, N:, :N].imag, cplx[:, N:, N:].real]])
        assert real.shape == ref.shape
        assert np.max(np.abs(real - ref)) <= 1e-14 * np.max(np.abs(ref))


@pytest.mark.parametrize("name", ["Drude", pytest.param("PEC", marks=pytest.mark.slow),
                                  pytest.param("dielectric", marks=pytest.mark.slow)])
def test_auto_kernel_and_log_det_unchanged(name):
    """Kernel with pruning (elements bounded below AUTO_ATOL in the round trip are 0): m-blocks within 1e-12 of the
    largest entry of the full sum (measured 4e-13: the rounding of the sums), log det <= 1e-12 relative."""
    from jaxem.casimir.planewave import sphere_kernel_imag
    mat = MATERIALS[name]
    rho, N, M, l_max = 100.0, 30, 21, 1200
    fk = jax.jit(lambda xi, W=None: sphere_kernel_imag(xi, rho * L, mat, length=L, N=N, M=M, l_max=l_max,
                                                        l_window=W)[0], static_argnums=1)
    f = jax.jit(lambda xi, W=None: sphere_plane_log_det(xi, L, rho * L, mat, mat, N=N, M=M, l_max=l_max,
                                                         l_window=W), static_argnums=1)
    for K in (0.05, 3.0):
        xi = K * c / L
        kf, ka = np.asarray(fk(xi)), np.asarray(fk(xi, "auto"))
        assert np.max(np.abs(ka - kf)) <= 1e-12 * np.max(np.abs(kf)), (name, K)
        full, auto = float(f(xi)), float(f(xi, "auto"))
        assert abs(auto / full - 1) <= 1e-12, (name, K, full, auto)


@pytest.mark.slow
def test_auto_sphere_sphere_log_det_unchanged():
    mat = Drude.gold()
    N, M, l1, l2 = 24, 17, 1200, 600
    xi = 0.8 * c / L
    f = jax.jit(lambda xi, w1=None, w2=None: sphere_sphere_log_det(
        xi, L, 100 * L, 50 * L, mat, mat, N=N, M=M, l_max1=l1, l_max2=l2, l_window1=w1, l_window2=w2),
        static_argnums=(1, 2))
    full, auto = float(f(xi)), float(f(xi, "auto", "auto"))
    assert abs(auto / full - 1) <= 1e-12


def test_auto_forward_derivatives_agree():
    _check_derivatives(10.0, 10, 7, 400, reverse=False, window="auto")


@pytest.mark.slow
def test_auto_gradients_agree():
    _check_derivatives(100.0, 12, 9, 1200, reverse=True, window="auto")


def test_auto_window_rejects_unknown_mode():
    with pytest.raises(ValueError):
        _amplitudes(10.0, 1.0, "PEC", 120, "narrow", 8, 5)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["PEC", "Drude", "plasma", "dielectric"])
def test_free_energy_unchanged_by_auto_window(monkeypatch, name):
    """Free energy at 300 K (PlaneWave engine, coarse k grid) with every l summed and with l_window="auto":
    <= 1e-9 relative at R/L = 10 and 100 (the engine's window switch moved by monkeypatching WINDOW_MIN_LMAX)."""
    import math

    from helpers import geometry
    from jaxem import PlaneWave, casimir_free_energy
    from jaxem.casimir import free_energy as fe
    from jaxem.materials import Plasma

    mat = {"PEC": PerfectConductor(), "Drude": Drude.gold(), "plasma": Plasma.gold(),
           "dielectric": Dielectric(4.0)}[name]
    for rho, trunc in ((10.0, (10, 9, 120)), (100.0, (10, 9, 1200))):
        g = geometry(L, rho * L, math.inf, mat)
        out = {}
        for key, switch in (("full", 10**9), ("auto", 1)):
            monkeypatch.setattr(fe, "WINDOW_MIN_LMAX", switch)
            jax.clear_caches()                  # the engine's jit caches do not see the switch
            out[key] = float(casimir_free_energy(g, 300.0, engine=PlaneWave(truncation=trunc)))
        assert abs(out["auto"] / out["full"] - 1) <= 1e-9, (name, rho, out)
