"""Benchmark of the Casimir engine II (plane-wave round trip, Matsubara / T = 0 sums).

Prints, in one run, for sphere–plane (perfect conductor and Drude gold, R/L = 10, 50, 100, at
300 K and T = 0) and sphere–sphere (10/10 um and 10/20 um, L = 1 um, 300 K):
  compile time (first call minus second), run time of a compiled call, matrix sizes, number of
  determinants (m-blocks x frequencies), relative accuracy against a run at higher truncation
  (eta = 1.5), and the ratio to the reference timings quoted in issue #6 (fastest plane-wave code,
  numba, 2 cores); measured in the same run, the per-point time of a batch of distances against
  single-point calls (baseline) as a ratio; and the cost of derivatives: force (-dF/dL) and force gradient
  (d^2F/dL^2, both by autodiff) against the energy of the same gold sphere-plate (R = 10 um, L = 1 um,
  300 K), compile and warm run time apart (targets <= 3x and <= 6x), with the process's peak memory.

Usage: python benchmarks/casimir.py [--quick] [--no-accuracy] [--batch N] [--ratios 10,50,100]
                                    [--temperatures 300,0] [--no-sphere-sphere] [--batch-only]
                                    [--derivatives-only] [--kernel-window [10,100,500]]
  --quick: R/L = 10 only and the sphere–sphere cases skipped (minutes instead of tens of minutes).
  --kernel-window: only the plane-wave sphere kernel at one frequency, full l sum against the windowed
      sum (issue #17: l_window = window_width(l_max)), compile and run time apart, for the given R/L.
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import jax
jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
from jaxem import (PlaneWave, SpherePlane, SphereSphere, casimir_force, casimir_force_gradient,
                   casimir_free_energy)
from jaxem.thermal import zero_temperature_count
from jaxem.materials import Drude, PerfectConductor

# issue #6, fastest code (numba, plane-wave), 2 cores, ~1e-6 relative accuracy, T = 300 K
REFERENCE_S = {("sp", 10): 1.2, ("sp", 50): 1.2, ("sp", 100): 5.2, ("ss", "10/10"): 5.2, ("ss", "10/20"): 6.3}
# reference C code (multipole), perfect conductors, 300 K
REFERENCE_MULTIPOLE_S = {10: 33.0, 50: 173.0, 100: 614.0}


def _timed(fn):
    t = time.perf_counter()
    v = float(np.asarray(fn()))
    return v, time.perf_counter() - t


def geometry(L, R1, R2, material):
    """Sphere (R1) facing a plane (R2 = inf) or a second sphere (R2), both of ``material``."""
    if math.isinf(R2):
        return SpherePlane(radius=R1, distance=L, sphere=material, plane=material)
    return SphereSphere(radius1=R1, radius2=R2, distance=L, sphere1=material, sphere2=material)


def run_case(label, L, R1, R2, T, material, accuracy, ref=None, ref_multipole=None):
    g = geometry(L, R1, R2, material)
    sized = PlaneWave().sized_for(g, T)
    sizes, n_freq = sized.truncation, sized.n_frequencies
    fn = lambda eta=1.0: casimir_free_energy(g, T, engine=PlaneWave(eta=eta))  # noqa: E731
    v1, t1 = _timed(fn)
    v2, t2 = _timed(fn)
    n_m = sizes[1] // 2 + 1
    n_det = n_m * (n_freq + 1 if T > 0 else zero_temperature_count())
    line = (f"{label:34s} N={sizes[0]:3d} M={sizes[1]:3d} l_max={sizes[2]:5d} dim={2 * sizes[0]:4d} "
            f"dets={n_det:5d}  F={v2: .6e} J  compile={max(t1 - t2, 0):6.1f}s run={t2:7.2f}s")
    if accuracy:
        v_ref, _ = _timed(lambda: fn(1.5))
        line += f"  rel.acc={abs(v2 / v_ref - 1):.1e}"
    if ref is not None:
        line += f"  run/numba_ref={t2 / ref:.2f}"
    if ref_multipole is not None:
        line += f"  run/C_multipole={t2 / ref_multipole:.3f}"
    print(line, flush=True)
    return t2


def batch_case(n_batch, repeats=3):
    """Per-point time of one jitted batch of distances vs single-point calls (same sizes, same run).

    The batch shares the node grid, the Mie coefficients, the plate Fresnel matrices and the sphere
    kernels of every frequency across its distances (free_energy._free_energy_group); single calls
    recompute them per point. Timings interleave single and batch calls (best of ``repeats``) so that
    a varying load affects both alike; the load average is printed.
    """
    import os
    R, T, gold = 10e-6, 300.0, Drude.gold()
    Ls = np.linspace(1e-6, 2e-6, n_batch)
    engine = PlaneWave().sized_for(geometry(Ls.min(), R, math.inf, gold), T)   # sizes of the smallest gap
    sizes = engine.truncation
    single = lambda L: casimir_free_energy(geometry(L, R, math.inf, gold), T, engine=engine)  # noqa: E731
    batch = lambda: np.asarray(casimir_free_energy(geometry(Ls, R, math.inf, gold), T, engine=engine))  # noqa: E731
    _, t_c1 = _timed(lambda: single(Ls[0]))
    t0 = time.perf_counter()
    vals = batch()
    t_cb = time.perf_counter() - t0
    picks = Ls[:: max(1, n_batch // 5)][:5]
    t_single, t_batch = [], []
    for _ in range(repeats):
        t_single.append(np.median([_timed(lambda: single(L))[1] for L in picks]))
        t0 = time.perf_counter()
        batch()
        t_batch.append(time.perf_counter() - t0)
    ts, tb = min(t_single), min(t_batch) / n_batch
    ref = np.array([float(single(L)) for L in picks])
    got = vals[:: max(1, n_batch // 5)][:5]
    dev = np.max(np.abs(got / ref - 1))
    print(f"batch of {n_batch} distances (gold, R = 10 um, L = 1-2 um, 300 K, N={sizes[0]} M={sizes[1]} "
          f"l_max={sizes[2]}): single {ts * 1e3:.1f} ms/point, batch {tb * 1e3:.2f} ms/point "
          f"(compile {max(t_cb - min(t_batch), 0):.1f} s); speed-up per point = {ts / tb:.1f}x; "
          f"max |batch/single - 1| = {dev:.1e} (first point {abs(got[0] / ref[0] - 1):.0e}); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)


def derivatives_case(repeats=5):
    """Force and force gradient against the energy: compile (first minus warm call) and warm run time."""
    import os

    from _memory import compiled_peak_bytes, fmt, process_peak_bytes

    gold = Drude.gold()
    trap = SpherePlane(radius=10e-6, distance=1e-6, sphere=gold, plane=gold)
    eng = PlaneWave().sized_for(trap, 300.0)
    rows = {}
    for name, fn in (("energy", casimir_free_energy), ("force", casimir_force),
                     ("force gradient", casimir_force_gradient)):
        _, first = _timed(lambda: fn(trap, 300.0))
        warm = min(_timed(lambda: fn(trap, 300.0))[1] for _ in range(repeats))
        rows[name] = (max(first - warm, 0.0), warm)
        plan = compiled_peak_bytes(
            lambda L: fn(SpherePlane(radius=10e-6, distance=L, sphere=gold, plane=gold), 300.0, engine=eng), 1e-6)
        print(f"gold sphere-plate R = 10 um, L = 1 um, 300 K, {name}: compile {rows[name][0]:.2f} s, warm "
              f"{warm * 1e3:.1f} ms; memory: XLA plan {fmt(plan)}, process peak so far {fmt(process_peak_bytes())}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    c0, r0 = rows["energy"]
    for name, target in (("force", 3.0), ("force gradient", 6.0)):
        c, r = rows[name]
        print(f"  {name}/energy: run {r / r0:.2f}x, compile {c / c0:.2f}x (target <= {target:g}x)", flush=True)


def kernel_window_case(ratios=(10, 100, 500), repeats=3):
    """Sphere kernel (one frequency, gold Drude, K = xi L/c = 1) with every l summed vs the windowed sum.

    Sizes from default_truncation(R/L); W = window_width(l_max) (None: the window would not save and the
    full sum is used). Compile time (lower + compile) and warm run time (min of ``repeats``) apart; the
    difference of the m-blocks is printed relative to their largest entry. Baseline (full sum) measured in
    the same run, interleaved with the windowed calls; load average printed.
    """
    import os
    from jaxem.casimir.planewave import default_truncation, sphere_kernel_imag, window_width
    from jaxem.constants import c
    gold, L = Drude.gold(), 1e-6
    xi = 1.0 * c / L
    for rho in ratios:
        N, M, l_max = default_truncation(rho)
        W = window_width(l_max)
        fns, comp = {}, {}
        for key, w in (("full", None), ("window", W)):
            if key == "window" and w is None:
                continue
            f = jax.jit(lambda x, w=w: sphere_kernel_imag(x, rho * L, gold, length=L, N=N, M=M, l_max=l_max,
                                                         l_window=w)[0])
            t0 = time.perf_counter()
            fns[key] = f.lower(xi).compile()
            comp[key] = time.perf_counter() - t0
        runs = {key: [] for key in fns}
        outs = {}
        for _ in range(repeats):
            for key, f in fns.items():
                t0 = time.perf_counter()
                outs[key] = np.asarray(jax.block_until_ready(f(xi)))
                runs[key].append(time.perf_counter() - t0)
        line = (f"sphere kernel R/L={rho} N={N} M={M} l_max={l_max} W={W}: full compile {comp['full']:.1f} s "
                f"run {min(runs['full']):.3f} s")
        if "window" in fns:
            dev = np.max(np.abs(outs["window"] - outs["full"])) / np.max(np.abs(outs["full"]))
            line += (f"; windowed compile {comp['window']:.1f} s run {min(runs['window']):.3f} s; "
                     f"speed-up {min(runs['full']) / min(runs['window']):.2f}x; max|diff|/max|K| = {dev:.1e}")
        else:
            line += "; window_width(l_max) = None (W would cover every l: full sum)"
        print(line + f"; load average {os.getloadavg()[0]:.1f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--ratios", type=str, default="", help="comma-separated R/L values (overrides --quick)")
    ap.add_argument("--temperatures", type=str, default="300,0", help="comma-separated temperatures [K]")
    ap.add_argument("--no-sphere-sphere", action="store_true")
    ap.add_argument("--batch-only", action="store_true", help="only the batch-vs-single case")
    ap.add_argument("--derivatives-only", action="store_true", help="only the force/energy cost ratios")
    ap.add_argument("--kernel-window", nargs="?", const="10,100,500", default=None,
                    help="only the full vs windowed sphere kernel, at these comma-separated R/L")
    args = ap.parse_args()
    if args.kernel_window:
        kernel_window_case(tuple(int(r) for r in args.kernel_window.split(",")))
        return
    if args.batch_only:
        batch_case(args.batch)
        return
    if args.derivatives_only:
        derivatives_case()
        return
    pec, gold = PerfectConductor(), Drude.gold()
    ratios = (10,) if args.quick else (10, 50, 100)
    if args.ratios:
        ratios = tuple(int(r) for r in args.ratios.split(","))
    L = 1e-6
    for T in (float(t) for t in args.temperatures.split(",")):
        for name, mat in (("PEC", pec), ("gold Drude", gold)):
            for rho in ratios:
                run_case(f"sphere-plane {name} R/L={rho} T={T:g}K", L, rho * L, math.inf, T, mat,
                         accuracy=not args.no_accuracy,
                         ref=REFERENCE_S.get(("sp", rho)) if T > 0 else None,
                         ref_multipole=REFERENCE_MULTIPOLE_S.get(rho) if (T > 0 and mat is pec) else None)
    if not (args.quick or args.no_sphere_sphere):
        for key, (R1, R2) in (("10/10", (10e-6, 10e-6)), ("10/20", (10e-6, 20e-6))):
            run_case(f"sphere-sphere gold {key} um L=1um 300K", 1e-6, R1, R2, 300.0, gold,
                     accuracy=not args.no_accuracy, ref=REFERENCE_S[("ss", key)])
        # issue #6: reference C code (multipole, HODLR, one MPI worker), equal PEC spheres at T = 0
        run_case("sphere-sphere PEC 100/100 um L=10um T=0", 10e-6, 100e-6, 100e-6, 0.0, PerfectConductor(),
                 accuracy=not args.no_accuracy, ref_multipole=409.0)
    batch_case(args.batch)
    derivatives_case()


if __name__ == "__main__":
    main()
