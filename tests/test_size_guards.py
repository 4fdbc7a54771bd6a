"""Problem-size guards (jaxem._memory) and the automatic low-temperature method of the Casimir free energy.

* the examples of issue #15 raise a ValueError naming the parameter, quickly and before tracing;
* the analytic memory estimates agree with XLA's compiled memory plan within a stated factor;
* the low-temperature method (T = 0 integral + correction, jaxem.thermal.low_temperature_nodes) agrees with
  the Matsubara sum where both are feasible, and "auto" switches to it at very low T.
"""
from __future__ import annotations

import math
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem
from jaxem import _memory
from jaxem import thermal as fs
from jaxem.constants import c, hbar, k_B

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
from _memory import compiled_peak_bytes  # noqa: E402  (benchmarks/_memory.py)

EPS3 = jaxem.Dielectric(3.0)
PEC = jaxem.PerfectConductor()


def _raises_fast(fn, match, seconds=1.0):
    """fn() raises ValueError matching ``match`` within ``seconds``: no kernel is traced or compiled.  A first,
    untimed call pays the one-off costs (lazy imports, JAX's compilation of the small eager ops on the way)."""
    with pytest.raises(ValueError, match=match):
        fn()
    t = time.perf_counter()
    with pytest.raises(ValueError, match=match) as info:
        fn()
    elapsed = time.perf_counter() - t
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# the limit

def test_memory_limit_sources(monkeypatch):
    monkeypatch.delenv(_memory.ENV_VAR, raising=False)
    phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert _memory.memory_limit() == pytest.approx(0.5 * phys)           # CPU default: half the RAM
    assert _memory.memory_limit("8GB") == 8e9
    assert _memory.memory_limit(2**20) == 2**20
    monkeypatch.setenv(_memory.ENV_VAR, "512MiB")
    assert _memory.memory_limit() == 512 * 2**20
    assert _memory.memory_limit("1GB") == 1e9                            # the keyword wins
    monkeypatch.setenv(_memory.ENV_VAR, "inf")
    assert _memory.memory_limit() == math.inf
    assert _memory.parse_bytes(0) == math.inf
    with pytest.raises(ValueError, match="memory_limit"):
        _memory.parse_bytes("eight gigs")
    with pytest.raises(ValueError, match="memory_limit"):
        jaxem.PlaneWave(memory_limit="lots")


def test_check_memory_message():
    msg = _raises_fast(lambda: _memory.check_memory("radius", 2e9, what="N = 3", way_out="a lower eta",
                                                    limit="1GB"), "radius")
    assert "2 GB" in msg and "1 GB" in msg and "a lower eta" in msg and _memory.ENV_VAR in msg
    assert _memory.check_memory("radius", 1e8, what="", way_out="", limit="1GB") == 1e8


# ---------------------------------------------------------------------------------------------
# the examples of issue #15

def test_very_low_temperature_matsubara_refused_fast():
    g = jaxem.SpherePlane(radius=10e-6, distance=1e-6, sphere=jaxem.Drude.gold(), plane=jaxem.Drude.gold())
    msg = _raises_fast(lambda: jaxem.casimir_free_energy(g, 0.01, engine=jaxem.PlaneWave(frequencies="matsubara")),
                       "temperature")
    assert "251,751 Matsubara" in msg and "low_temperature" in msg and "1,350 Padé" in msg


def test_mie_radius_in_metres_refused_fast():
    x = 2 * np.pi * 1.0 / 633e-9          # R = 1 m at 633 nm: l_max ~ 1e7
    msg = _raises_fast(lambda: jaxem.mie_efficiencies(x, 1.5 + 0.01j), r"^x: ")
    assert "multipole orders" in msg and "units" in msg
    _raises_fast(lambda: jaxem.mie_coefficients(1.0, 1.5, l_max=2_000_000), "^l_max: ")
    msg = _raises_fast(lambda: jaxem.mie_efficiencies(np.full(10**6, 50.0), 1.5, memory_limit="100MB"), "^x: ")
    assert "1,000,000 spheres" in msg and "smaller batch" in msg


def test_casimir_force_two_dielectric_spheres_refused_fast():
    """Two eps = 3 spheres at R/L = 100, n = 0 force: ~1.9 GB by the estimate (the issue's 13.5 GB was the
    multipole route of the time); both routes refuse under a lower limit, before tracing."""
    g = jaxem.SphereSphere(radius1=100e-6, radius2=100e-6, distance=1e-6, sphere1=EPS3, sphere2=EPS3)
    msg = _raises_fast(lambda: jaxem.casimir_force(g, 300.0, engine=jaxem.ZeroFrequency(memory_limit="1GB")),
                       "^radius: ")
    assert "N = 111, M = 117" in msg and "derivative order 1" in msg and "lower eta" in msg
    msg = _raises_fast(lambda: jaxem.casimir_force(g, 300.0, engine=jaxem.Multipole(memory_limit="2GB")),
                       "^radius: ")
    assert "l_max = 1005, m_max = 72" in msg and "StaticPlaneWave" in msg


def test_planewave_reverse_mode_refused_fast():
    """An eager jax.grad of the energy stores the multipole scan: the estimate says so and names the way out."""
    gold = jaxem.Drude.gold()
    engine = jaxem.PlaneWave(memory_limit="50MB")
    f = lambda R: jaxem.casimir_free_energy(  # noqa: E731
        jaxem.SpherePlane(radius=R, distance=1e-6, sphere=gold, plane=gold), 300.0, engine=engine)
    msg = _raises_fast(lambda: jax.grad(f)(30e-6), "reverse-mode")
    assert "forward mode" in msg


# ---------------------------------------------------------------------------------------------
# estimates vs XLA's memory plan

def test_mie_estimate_matches_memory_plan():
    """Forward: 32 B per order and sphere, within a factor 1.5 of XLA's plan."""
    from jaxem.mie import real

    for l_max, n in ((2000, 8),):
        args = real._canonical(jnp.full((n,), 0.9 * l_max), jnp.full((n,), 1.5 + 0.01j), 1.0)
        measured = compiled_peak_bytes(lambda *a: real._efficiencies(*a, l_max), *args)
        estimate = n * l_max * real._ORDER_BYTES
        assert 1 / 1.5 < estimate / measured < 1.5, (l_max, n, estimate, measured)


@pytest.mark.slow
def test_casimir_estimates_match_memory_plan():
    """Plane-wave energy, forward force and checkpointed reverse grad; zero-frequency plane-wave and multipole
    routes (energy and force): each estimate within a factor 2.5 of XLA's compiled plan (measured 1.0-1.7)."""
    from jaxem.casimir import free_energy as fe
    from jaxem.casimir import multipole as mp
    from jaxem.casimir import zero_frequency as zf
    from jaxem.casimir.static_planewave import ht_planewave_truncation
    from jaxem.casimir.static_planewave_driver import static_planewave_memory_bytes

    def close(est, meas):
        assert 1 / 2.5 < est / meas < 2.5, (est, meas)

    gold = jaxem.Drude.gold()
    L, R = 1e-6, 10e-6
    sizes, nf = fe.planewave_sizes(L, R, math.inf, 300.0)
    sizes = sizes[:3] + (sizes[2],)
    kw = dict(R1=R, R2=R, m1=gold, m2=gold, medium=None, sizes=sizes, plane=True, n_freq=nf, method="matsubara",
              n_t0=(None, None), screened=False)
    energy = lambda d: fe._free_energy_point(d, 300.0, **kw)  # noqa: E731
    close(fe.planewave_memory_bytes(sizes, nf + 1), compiled_peak_bytes(energy, L))
    close(fe.planewave_memory_bytes(sizes, nf + 1, order=1), compiled_peak_bytes(jax.jacfwd(energy), L))
    close(fe.planewave_memory_bytes(sizes, nf + 1, reverse=True), compiled_peak_bytes(jax.grad(energy), L))

    R = 20e-6
    N, M = ht_planewave_truncation(L, R, R, 10.0)
    term = lambda d: zf.zero_frequency_term(d, R, R, EPS3, EPS3, method="planewave", n_k=N, n_phi=M)  # noqa: E731
    close(static_planewave_memory_bytes(N, M, ("rat", "rat"), 1), compiled_peak_bytes(term, L))
    close(static_planewave_memory_bytes(N, M, ("rat", "rat"), 1, order=1), compiled_peak_bytes(jax.jacfwd(term), L))

    R = 8e-6
    l1, l2, mm = mp.ht_truncation(L, R, R, 10.0)
    term = lambda d: zf.zero_frequency_term(d, R, R, EPS3, EPS3, method="multipole",  # noqa: E731
                                            l_max=(l1, l2), m_max=mm)
    close(mp.multipole_memory_bytes(l1, l2, mm, 1), compiled_peak_bytes(term, L))
    close(mp.multipole_memory_bytes(l1, l2, mm, 1, order=1), compiled_peak_bytes(jax.jacfwd(term), L))


# ---------------------------------------------------------------------------------------------
# the low-temperature method

def _model(u):
    """A Casimir-like summand in u = 2 xi L/c: e^{-u} decay, a sqrt(u) term (Drude-like) and u^2 log u (the
    continuum's), non-analytic at u = 0."""
    u = np.asarray(u, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ulog = np.where(u > 0, u * u * np.log(u), 0.0)
    return np.exp(-u) / (1.0 + np.sqrt(u)) + ulog * np.exp(-u)


@pytest.mark.parametrize("T", [30.0, 3.0, 0.3])
def test_low_temperature_nodes_match_matsubara_sum(T):
    """sum'_n f(xi_n) of the model summand, 126 nodes against the direct sum of up to 10^6 terms: <= 2e-9
    relative (the T = 0 rule contributes most; a jump f(0) != f(0+) is the caller's n = 0 term)."""
    L = 1e-6
    h = 2 * np.pi * k_B * T / hbar
    n = np.arange(1, int(60 * c / (2 * L * h)) + 2)
    exact = 0.5 * _model(0.0) + np.sum(_model(2 * n * h * L / c))
    xi, w = fs.low_temperature_nodes(T, L)
    low = 0.5 * _model(0.0) + np.sum(np.asarray(w) * _model(2 * np.asarray(xi) * L / c))
    assert abs(low / exact - 1) < 2e-9, (T, low, exact)
    assert xi.shape == (fs.low_temperature_count(),) == (126,)


def test_auto_switches_at_very_low_temperature():
    """At 0.01 K "auto" takes the low-temperature method: 126 + 1 frequencies instead of 251,751."""
    from jaxem.casimir import free_energy as fe

    gold = jaxem.Drude.gold()
    g = jaxem.SpherePlane(radius=10e-6, distance=1e-6, sphere=gold, plane=gold)
    e = jaxem.PlaneWave().sized_for(g, 0.01)
    assert (e.frequencies, e.n_frequencies) == ("low_temperature", fs.LOW_T_EXACT)
    assert fe._n_nodes(e.n_frequencies, e.frequencies, (None, None)) == 127
    assert jaxem.PlaneWave().sized_for(g, 300.0).frequencies == "matsubara"
    assert fe.frequency_plan(1e-6, 10.0, "matsubara") == ("matsubara", 252)
    assert fe.frequency_plan(1e-6, 10.0) == ("psd", 43)                  # 43 Padé <= 0.6 x 252 (PSD_SWITCH)
    assert fe.frequency_plan(1e-6, 1.0)[0] == "low_temperature"        # 2,518 > LOW_T_SWITCH
    assert fe.frequency_plan(1e-6, 0.01, "psd") == ("psd", 1350)


@pytest.mark.slow
@pytest.mark.parametrize("material", ["pec", "gold_drude", "gold_plasma"])
def test_low_temperature_free_energy_matches_matsubara(material):
    """Sphere-plane, R/L = 2, L = 1 um, T = 5 K: the low-temperature method against the Matsubara sum at
    rtol = 1e-10 (1,700 frequencies), <= 2e-7 relative (the T = 0 rule's accuracy); the entropy (autodiff in T)
    agrees to 1e-3 relative of its scale; and at 0.01 K "auto" (127 frequencies) runs faster than the 5 K
    Matsubara sum (1,700), load-independent."""
    mat = {"pec": PEC, "gold_drude": jaxem.Drude.gold(), "gold_plasma": jaxem.Plasma.gold()}[material]
    g = jaxem.SpherePlane(radius=2e-6, distance=1e-6, sphere=mat, plane=mat)
    T = 5.0
    low = jaxem.casimir_free_energy(g, T, engine=jaxem.PlaneWave(frequencies="low_temperature"))
    ref = jaxem.casimir_free_energy(g, T, engine=jaxem.PlaneWave(frequencies="matsubara", rtol=1e-10))
    assert abs(float(low / ref) - 1) < 2e-7, (float(low), float(ref))
    s_low = jaxem.casimir_entropy(g, T, engine=jaxem.PlaneWave(frequencies="low_temperature"))
    s_ref = jaxem.casimir_entropy(g, T, engine=jaxem.PlaneWave(frequencies="matsubara", rtol=1e-10))
    assert abs(float(s_low - s_ref)) < 1e-3 * abs(float(ref)) / T, (float(s_low), float(s_ref))
    jaxem.casimir_free_energy(g, 0.02).block_until_ready()                 # compiled (same static sizes)
    t = time.perf_counter()
    jaxem.casimir_free_energy(g, 0.01).block_until_ready()
    t_low = time.perf_counter() - t
    t = time.perf_counter()
    jaxem.casimir_free_energy(g, T, engine=jaxem.PlaneWave(frequencies="matsubara", rtol=1e-10)).block_until_ready()
    assert t_low < time.perf_counter() - t            # 127 frequencies at 0.01 K against 1,700 at 5 K
