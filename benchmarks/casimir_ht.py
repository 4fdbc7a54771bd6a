"""Benchmark: zero-frequency (high-temperature) Casimir free energy, jaxem vs a NumPy/SciPy baseline.

Run:  .venv/bin/python benchmarks/casimir_ht.py [--full]
Prints, per workload: matrix size (l_max), number of determinants (m-blocks x channels), accuracy
against the exact closed form (Drude) or a run at higher truncation (PEC, PEMC), jaxem compile time
and run time (separately), and the baseline (same static multipole formula in NumPy/SciPy,
scipy.linalg.cholesky / slogdet per m-block, measured in the same run) as a ratio.
R/L = 100 (l_max ~ 1e3, ~30 s on 2 cores) and 1000 (l_max ~ 1e4 per block, hours) are only run with
--full: the multipole basis is O(m_max l_max^3).

Every workload calls the Casimir face, jaxem.casimir_zero_frequency_term(geometry, engine=...).
Plane-wave route (engine jaxem.StaticPlaneWave, jaxem.casimir.static_planewave): sphere--plane R/L = 10, 100, 1000
(Drude, PEC, plasma sphere and plane; a chiral + Tellegen sphere facing a PEC plane) with N (k nodes), M (azimuths), number of determinants, accuracy
(Drude: exact 9.59; PEC, plasma: eta + 4 run), compile and run time, and ratios against the published figures for the same workloads
(numba plane-wave code 0.09 / 0.12 / 2.0 s, C code 0.43 / 1.15 / 38.8 s at ~1e-6, other machines);
equal PEMC spheres at L/R_eff = 0.1 and 1 (published PEMC code ~270 s at 0.1; fastest equal-PEC-sphere
code 0.11 s at 0.1); a jitted vmap over 10^3 (L, delta) points vs single calls.
Options: --full (adds the multipole route at R/L = 100, 1000), --quick (plane wave only, no R/L = 1000,
fewer PEMC points, a 10 x 10 batch), --multipole (the original multipole section only), --memory (peak memory
only: jaxem's analytic estimates against XLA's compiled memory plan for the n = 0 energy and force of two
eps = 3 spheres on both routes, and the reverse-mode jax.grad of the plane-wave free energy with and without
the per-frequency jax.checkpoint, compile and run time apart).
Every line states peak memory: "mem" is XLA's compiled plan of that call (arguments + outputs + temporaries,
benchmarks/_memory.py); the process's peak resident set is printed at the end.
"""
from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg as sla
from scipy.special import gammaln
jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
from jaxem import Multipole, SpherePlane, SphereSphere, StaticPlaneWave, casimir_zero_frequency_term
from jaxem.casimir import closed_forms as cf
from jaxem.materials import PEMC, BiIsotropic, Dielectric, Drude, PerfectConductor, Plasma
from _memory import compiled_peak_bytes, fmt, process_peak_bytes

DRUDE = Drude(1.37e16, 5.3e13)
PEC = PerfectConductor()
PLASMA = Plasma(3e10)      # R = 1 m (the benchmark's unit): penetration depth c/omega_p = R/100
BIISO = BiIsotropic(2.0, 1.0, 0.1, 0.2)   # chiral + Tellegen sphere (tabulated X(l), real form vs a PEC plane)


def plate(L, R, mat, mat2=None):
    """Sphere of radius R (material mat) facing a plane (mat2, default mat), L between the surfaces."""
    return SpherePlane(radius=R, distance=L, sphere=mat, plane=mat if mat2 is None else mat2)


def pemc_pair(L, R, delta):
    """Equal spheres PEMC(delta) and PEMC(0) (the n = 0 term depends on delta = theta_1 - theta_2 only)."""
    return SphereSphere(radius1=R, radius2=R, distance=L, sphere1=PEMC(delta), sphere2=PEMC(0.0))


def numpy_baseline(L, R, X_tm, X_te, l_max, m_max):
    """Sphere--plane, static multipole formula (casimir-spheres.md §2.5) with NumPy/SciPy."""
    total = 0.0
    z = R / (2 * (L + R))
    for m in range(m_max + 1):
        l = np.arange(max(m, 1), l_max + 1, dtype=float)
        lg = gammaln(l[:, None] + l[None, :] + 1) - 0.5 * (gammaln(l - m + 1) + gammaln(l + m + 1))[:, None] \
            - 0.5 * (gammaln(l - m + 1) + gammaln(l + m + 1))[None, :]
        B = np.exp((l[:, None] + l[None, :] + 1) * np.log(z) + lg)
        for X, rp in ((X_tm, 1.0), (X_te, -1.0)):
            if X is None:
                continue
            x = X(l)
            s = np.sign(x[0]) * rp
            N = np.sqrt(np.abs(x))[:, None] * B * np.sqrt(np.abs(x))[None, :]
            c = sla.cholesky(np.eye(len(l)) - s * N, lower=True)
            total += (1 if m == 0 else 2) * 2 * np.sum(np.log(np.diag(c)))
    return 0.5 * total


def timed(fn, *args, repeat=3, **kw):
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(*args, **kw))
    first = time.perf_counter() - t0
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        jax.block_until_ready(fn(*args, **kw))
        runs.append(time.perf_counter() - t0)
    run = min(runs)
    return out, first - run, run


def sphere_plane(RL, mat, name, eta=10.0):
    L, R = 1.0 / RL, 1.0
    g = plate(L, R, mat)
    engine = Multipole(eta=eta).sized_for(g)          # l_max = (l1, 1): the plane needs none
    l1, mm = engine.l_max[0], engine.m_max
    F, compile_s, run_s = timed(casimir_zero_frequency_term, g, engine=engine)
    if name == "drude":
        ref = -0.5 * float(cf.drude_free_energy_ht(L, R, jnp.inf))
        n_det = mm + 1
    else:
        ref = float(casimir_zero_frequency_term(g, engine=Multipole(eta=eta + 4).sized_for(g)))
        n_det = 2 * (mm + 1)
    x_te = (lambda l: -l / (l + 1)) if name == "pec" else None
    t0 = time.perf_counter()
    Fb = numpy_baseline(L, R, lambda l: np.ones_like(l), x_te, l1, mm)
    base_s = time.perf_counter() - t0
    mem = compiled_peak_bytes(lambda d: casimir_zero_frequency_term(plate(d, R, mat), engine=engine), L)
    print(f"sphere-plane {name:5s} R/L={RL:6.0f}: l_max={l1:5d} m_max={mm:4d} dets={n_det:5d} mem={fmt(mem)} "
          f"rel.err={abs(float(F) / ref - 1):.1e} compile={compile_s:6.2f}s run={run_s:8.4f}s "
          f"numpy={base_s:8.4f}s (|dF|/F={abs(Fb / float(F) - 1):.0e}) speed-up={base_s / run_s:6.1f}x",
          flush=True)


def pemc_equal_spheres(x, delta, eta=10.0):
    R = 1.0
    L = x * R / 2  # L / R_eff = x, R_eff = R/2
    g = pemc_pair(L, R, delta)
    engine = Multipole(eta=eta).sized_for(g)
    l1, mm = engine.l_max[0], engine.m_max
    F, compile_s, run_s = timed(casimir_zero_frequency_term, g, engine=engine)
    ref = float(casimir_zero_frequency_term(g, engine=Multipole(eta=eta + 4).sized_for(g)))
    print(f"equal PEMC spheres L/R_eff={x:4.1f} delta={delta / np.pi:5.3f}pi: size={2 * l1:5d} dets={mm + 1:4d} "
          f"rel.err={abs(float(F) / ref - 1):.1e} compile={compile_s:6.2f}s run={run_s:8.4f}s", flush=True)


def batched_sweep(n_side=32):
    """(L, delta) grid of n_side^2 points (~10^3), equal PEMC spheres, vmap vs a loop of single calls."""
    R = 1.0
    Ls = jnp.linspace(0.5, 2.0, n_side)
    ds = jnp.linspace(0.0, np.pi / 2, n_side)
    LL, DD = (a.ravel() for a in jnp.meshgrid(Ls, ds))
    engine = Multipole(eta=8.0).sized_for(pemc_pair(float(Ls.min()), R, 0.0))   # sizes of the smallest gap
    l1, mm = engine.l_max[0], engine.m_max
    point = lambda L, d: casimir_zero_frequency_term(pemc_pair(L, R, d), engine=engine)  # noqa: E731
    fn = jax.jit(jax.vmap(point))
    out, compile_s, run_s = timed(fn, LL, DD, repeat=1)
    single = jax.jit(point)
    jax.block_until_ready(single(LL[0], DD[0]))
    n_loop = 20
    t0 = time.perf_counter()
    for i in range(n_loop):
        jax.block_until_ready(single(LL[i], DD[i]))
    per_point_loop = (time.perf_counter() - t0) / n_loop
    per_point_batch = run_s / LL.size
    err = np.max(np.abs(np.asarray(out[:n_loop]) - np.array([float(single(LL[i], DD[i])) for i in range(n_loop)])))
    print(f"batched sweep {LL.size} points (equal PEMC spheres, l_max={l1}, m_max={mm}): compile={compile_s:.2f}s "
          f"run={run_s:.3f}s -> {per_point_batch * 1e3:.3f} ms/point vs single jitted calls "
          f"{per_point_loop * 1e3:.3f} ms/point ({per_point_loop / per_point_batch:.1f}x); max|batch-loop|={err:.1e}",
          flush=True)


PUBLISHED = {10: (0.09, 0.43), 100: (0.12, 1.15), 1000: (2.0, 38.8)}   # (numba, C) seconds, sphere--plane


def planewave_sphere_plane(RL, mat, name, eta=10.0, mat2=None):
    L, R = 1.0 / RL, 1.0
    g = plate(L, R, mat, mat2)
    engine = StaticPlaneWave(eta=eta).sized_for(g)
    N, M = engine.n_k, engine.n_phi
    F, compile_s, run_s = timed(casimir_zero_frequency_term, g, engine=engine)
    if name == "drude":
        ref = -0.5 * float(cf.drude_free_energy_ht(L, R, jnp.inf))
        n_det = M // 2 + 1
    else:
        ref = float(casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=eta + 4)))
        n_det = 2 * (M // 2 + 1) if name != "biiso" else M // 2 + 1     # biiso: blocks of size 2N
    numba, c_code = PUBLISHED[RL]
    mem = compiled_peak_bytes(lambda d: casimir_zero_frequency_term(plate(d, R, mat, mat2), engine=engine), L)
    print(f"planewave sphere-plane {name:5s} R/L={RL:5d}: N={N:4d} M={M:4d} dets={n_det:4d} of size {2 * N if name == 'biiso' else N} mem={fmt(mem)} "
          f"rel.err={abs(float(F) / ref - 1):.1e} compile={compile_s:6.2f}s run={run_s:7.3f}s "
          f"(run/numba={run_s / numba:5.2f}, run/C={run_s / c_code:6.3f})", flush=True)


def planewave_pemc_equal_spheres(x, delta, eta=10.0):
    R = 1.0
    L = x * R / 2  # L / R_eff = x
    g = pemc_pair(L, R, delta)
    engine = StaticPlaneWave(eta=eta).sized_for(g)
    N, M = engine.n_k, engine.n_phi
    F, compile_s, run_s = timed(casimir_zero_frequency_term, g, engine=engine)
    ref = float(casimir_zero_frequency_term(g, engine=StaticPlaneWave(eta=eta + 4)))
    print(f"planewave equal PEMC spheres L/R_eff={x:4.1f} delta={delta / np.pi:5.3f}pi: size={2 * N:4d} "
          f"dets={M // 2 + 1:4d} rel.err={abs(float(F) / ref - 1):.1e} compile={compile_s:6.2f}s "
          f"run={run_s:7.4f}s (published PEMC code ~270 s at 0.1; PEC spheres 0.11 s)", flush=True)


def planewave_batched_sweep(n_side=32, x_range=(0.1, 1.0), eta=8.0):
    """n_side^2 (L, delta) points, equal PEMC spheres (plane-wave route), in one jitted call.

    The batch is a jax.lax.map (sequential inside one compiled program): on the XLA CPU runtime a
    vmapped batch of LU factorisations was measured ~3x slower per point than the same LUs one at
    a time (memory traffic of the stacked (points x m-blocks) matrices).  Compared with single
    jitted calls and with plain calls of the public function (Python-level: materials, checks).
    """
    R = 1.0
    Ls = jnp.linspace(x_range[0] * R / 2, x_range[1] * R / 2, n_side)
    ds = jnp.linspace(0.0, np.pi / 2, n_side)
    LL, DD = (a.ravel() for a in jnp.meshgrid(Ls, ds))
    engine = StaticPlaneWave(eta=eta).sized_for(pemc_pair(float(Ls.min()), R, 0.0))   # sizes of the smallest gap
    N, M = engine.n_k, engine.n_phi
    point = lambda L, d: casimir_zero_frequency_term(pemc_pair(L, R, d), engine=engine)  # noqa: E731
    fn = jax.jit(lambda Ls, ds: jax.lax.map(lambda a: point(*a), (Ls, ds)))
    out, compile_s, run_s = timed(fn, LL, DD, repeat=1)
    fv = jax.jit(jax.vmap(point))
    n_v = min(100, LL.size)
    _, _, run_v = timed(fv, LL[:n_v], DD[:n_v], repeat=1)
    single = jax.jit(point)
    jax.block_until_ready(single(LL[0], DD[0]))
    n_loop = 10
    t0 = time.perf_counter()
    for i in range(n_loop):
        jax.block_until_ready(single(LL[i], DD[i]))
    per_point_loop = (time.perf_counter() - t0) / n_loop
    jax.block_until_ready(point(float(LL[-1]), float(DD[-1])))   # compile the un-nested kernel first
    t0 = time.perf_counter()
    for i in range(n_loop):
        jax.block_until_ready(point(float(LL[i]), float(DD[i])))
    per_point_public = (time.perf_counter() - t0) / n_loop
    per_point_batch = run_s / LL.size
    err = np.max(np.abs(np.asarray(out[:n_loop]) - np.array([float(single(LL[i], DD[i])) for i in range(n_loop)])))
    # shared kernels: per L the Dv / de kernels and their products once, then one LU per delta
    # (the face's duality-angle sweep: sphere 1 is PEMC(ds), an array of angles)
    fs = jax.jit(lambda Ls: jax.lax.map(
        lambda L: casimir_zero_frequency_term(pemc_pair(L, R, ds), engine=engine), Ls))
    out_s, compile_sh, run_sh = timed(fs, Ls, repeat=1)
    err_sh = np.max(np.abs(np.asarray(out_s).T.ravel() - np.asarray(out)) / np.abs(np.asarray(out)))
    print(f"planewave shared-kernel sweep (PEMC(deltas) geometry, {n_side} L x {n_side} delta): "
          f"compile={compile_sh:.2f}s run={run_sh:.3f}s -> {run_sh / LL.size * 1e3:.2f} ms/point "
          f"({per_point_loop / (run_sh / LL.size):.1f}x single jitted calls, "
          f"{per_point_public / (run_sh / LL.size):.1f}x public-function calls); max rel. diff {err_sh:.1e}",
          flush=True)
    print(f"planewave batched sweep {LL.size} points (equal PEMC spheres, L/R_eff in {x_range}, N={N}, M={M}): "
          f"compile={compile_s:.2f}s run={run_s:.3f}s -> {per_point_batch * 1e3:.2f} ms/point (lax.map); "
          f"vmap {run_v / n_v * 1e3:.2f} ms/point; single jitted calls {per_point_loop * 1e3:.2f} ms/point "
          f"({per_point_loop / per_point_batch:.1f}x); public-function calls {per_point_public * 1e3:.2f} ms/point "
          f"({per_point_public / per_point_batch:.1f}x); max|batch-loop|={err:.1e}", flush=True)


def planewave_distance_sweep(RL, material, name, n_points=100):
    """100 sphere--plane distances L in [R/RL, 2R/RL] in one call (kernels shared, one group) vs single
    jitted plane-wave calls with the same sizes (compiled once) and vs calls of the public function.
    The batch is the face with an array of distances and an unsized StaticPlaneWave engine (the
    shared-kernel path: each group on the grid of its smallest gap)."""
    R = 1.0
    Ls = np.linspace(R / RL, 2 * R / RL, n_points)
    t0 = time.perf_counter()
    casimir_zero_frequency_term(plate(Ls, R, material), engine=StaticPlaneWave())
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    batch = np.asarray(casimir_zero_frequency_term(plate(Ls, R, material), engine=StaticPlaneWave()))
    per_batch = (time.perf_counter() - t0) / n_points
    engine = StaticPlaneWave().sized_for(plate(Ls[0], R, material))
    N, M = engine.n_k, engine.n_phi
    single = jax.jit(lambda L: casimir_zero_frequency_term(plate(L, R, material), engine=engine))
    float(single(Ls[0]))
    n = 10 if RL < 1000 else 3
    t0 = time.perf_counter()
    vals = [float(single(L)) for L in Ls[:n]]
    per_single = (time.perf_counter() - t0) / n
    public = lambda L: float(casimir_zero_frequency_term(plate(float(L), R, material), engine=engine))  # noqa: E731
    public(Ls[-1])      # compile the un-nested kernel first (else its compilation lands in the timing)
    t0 = time.perf_counter()
    for L in Ls[:n]:
        public(L)
    per_public = (time.perf_counter() - t0) / n
    diff = np.max(np.abs(batch[:n] / np.array(vals) - 1))
    print(f"planewave distance sweep {name:5s} R/L={RL:4d}-{2 * RL:4d}: {n_points} points N={N} M={M} "
          f"compile={first - per_batch * n_points:.2f}s batch={per_batch * 1e3:.2f} ms/point; single jitted "
          f"{per_single * 1e3:.2f} ms ({per_single / per_batch:.1f}x), public calls {per_public * 1e3:.2f} ms "
          f"({per_public / per_batch:.1f}x); max|batch/single-1|={diff:.1e}", flush=True)


def memory_section():
    """Estimates vs XLA's plan (n = 0 energy and force, two eps = 3 spheres; both routes), and the checkpointed
    reverse-mode grad of the plane-wave free energy (gold sphere--plane, 300 K) against the plain one."""
    from jaxem import thermal as fs
    from jaxem.casimir import free_energy as fe
    from jaxem.casimir import multipole as mp
    from jaxem.casimir import zero_frequency as zf
    from jaxem.casimir.static_planewave import ht_planewave_truncation
    from jaxem.casimir.static_planewave_driver import static_planewave_memory_bytes

    eps3 = Dielectric(3.0)
    L = 1.0
    for RL in (20.0, 40.0):
        N, M = ht_planewave_truncation(L, RL, RL, 10.0)
        term = lambda d: zf.zero_frequency_term(d, RL, RL, eps3, eps3, method="planewave", n_k=N, n_phi=M)  # noqa: E731
        for order, fn in ((0, term), (1, jax.jacfwd(term))):
            est = static_planewave_memory_bytes(N, M, ("rat", "rat"), 1, order=order)
            print(f"memory n=0 plane-wave eps=3 spheres R/L={RL:4.0f} N={N} M={M} {'force ' if order else 'energy'}: "
                  f"estimate {fmt(est)} XLA plan {fmt(compiled_peak_bytes(fn, L))}", flush=True)
    for RL in (4.0, 8.0):
        l1, l2, mm = mp.ht_truncation(L, RL, RL, 10.0)
        term = lambda d: zf.zero_frequency_term(d, RL, RL, eps3, eps3, method="multipole",  # noqa: E731
                                                l_max=(l1, l2), m_max=mm)
        for order, fn in ((0, term), (1, jax.jacfwd(term))):
            est = mp.multipole_memory_bytes(l1, l2, mm, 1, order=order)
            print(f"memory n=0 multipole eps=3 spheres R/L={RL:3.0f} l_max={l1} m_max={mm} "
                  f"{'force ' if order else 'energy'}: "
                  f"estimate {fmt(est)} XLA plan {fmt(compiled_peak_bytes(fn, L))}", flush=True)
    gold = Drude.gold()
    Lm = 1e-6
    for RL in (10.0, 30.0):
        R = RL * Lm
        sizes, nf = fe.planewave_sizes(Lm, R, jnp.inf, 300.0)
        sizes = sizes[:3] + (sizes[2],)
        for ckpt in (False, True):
            def energy(d, T, ckpt=ckpt, R=R, sizes=sizes, nf=nf):
                f = lambda xi: fe._log_det(xi, d, R, R, gold, gold, None, sizes, True)  # noqa: E731
                f = jax.checkpoint(f) if ckpt else f
                return fs.thermal_sum(f, T, nf, "matsubara", static_xi=fe.STATIC_XI_FRACTION * 3e8 / (d + R))
            grad = jax.jit(jax.grad(energy))
            t0 = time.perf_counter()
            compiled = grad.lower(Lm, 300.0).compile()
            compile_s = time.perf_counter() - t0
            _, _, run_s = timed(compiled, Lm, 300.0)
            est = fe.planewave_memory_bytes(sizes, nf + 1, reverse=True, checkpointed=ckpt)
            print(f"memory jax.grad plane-wave free energy gold R/L={RL:3.0f} {sizes} {nf + 1} freq "
                  f"{'checkpointed' if ckpt else 'plain       '}: "
                  f"XLA plan {fmt(compiled_peak_bytes(jax.grad(energy), Lm, 300.0))} "
                  f"(estimate {fmt(est)}) compile={compile_s:6.1f}s run={run_s:7.3f}s", flush=True)


def main():
    if "--memory" in sys.argv:
        memory_section()
        print(f"process peak RSS {fmt(process_peak_bytes())}")
        return
    full = "--full" in sys.argv
    quick = "--quick" in sys.argv
    multipole_only = "--multipole" in sys.argv
    if not multipole_only:
        for RL in ((10, 100) if quick else (10, 100, 1000)):
            planewave_sphere_plane(RL, DRUDE, "drude")
            planewave_sphere_plane(RL, PEC, "pec")
            planewave_sphere_plane(RL, PLASMA, "plasm")
            planewave_sphere_plane(RL, BIISO, "biiso", mat2=PEC)
        deltas = (0.0, np.pi / 3) if quick else (0.0, np.pi / 6, np.pi / 3, np.pi / 2)
        for x in (0.1, 1.0):
            for d in deltas:
                planewave_pemc_equal_spheres(x, d)
        for RL in ((10, 100) if quick else (10, 100, 1000)):
            planewave_distance_sweep(RL, DRUDE, "drude")
            planewave_distance_sweep(RL, PEC, "pec")
        planewave_batched_sweep(10 if quick else 32)
        if quick:
            print(f"process peak RSS {fmt(process_peak_bytes())}")
            return
    for RL in ((10, 30, 100, 1000) if full else (10, 30)):
        sphere_plane(RL, DRUDE, "drude")
        sphere_plane(RL, PEC, "pec")
    for x in (1.0, 0.1):
        for d in (0.0, np.pi / 6, np.pi / 3, np.pi / 2):
            pemc_equal_spheres(x, d)
    batched_sweep()
    print(f"process peak RSS {fmt(process_peak_bytes())}")


if __name__ == "__main__":
    main()
