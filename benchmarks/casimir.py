"""Benchmark of the Casimir engine II (plane-wave round trip, Matsubara / T = 0 sums).

Prints, in one run, for sphere–plane (perfect conductor and Drude gold, R/L = 10, 50, 100, at
300 K and T = 0) and sphere–sphere (10/10 um and 10/20 um, L = 1 um, 300 K):
  compile time (first call minus second), run time of a compiled call, matrix sizes, number of
  determinants (m-blocks x frequencies), relative accuracy against a run at higher truncation
  (eta = 1.5), and the ratio to the reference timings quoted in issue #6 (fastest plane-wave code,
  numba, 2 cores); and, measured in the same run, the per-point time of a batch of distances
  against single-point calls (baseline) as a ratio.

Usage: python benchmarks/casimir.py [--quick] [--no-accuracy] [--batch N] [--ratios 10,50,100]
                                    [--temperatures 300,0] [--no-sphere-sphere]
  --quick: R/L = 10 only and the sphere–sphere cases skipped (minutes instead of tens of minutes).
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import jaxem  # noqa: F401
from jaxem.casimir.free_energy import casimir_free_energy, casimir_sizes
from jaxem.materials import Drude, PerfectConductor

# issue #6, fastest code (numba, plane-wave), 2 cores, ~1e-6 relative accuracy, T = 300 K
REFERENCE_S = {("sp", 10): 1.2, ("sp", 50): 1.2, ("sp", 100): 5.2, ("ss", "10/10"): 5.2, ("ss", "10/20"): 6.3}
# reference C code (multipole), perfect conductors, 300 K
REFERENCE_MULTIPOLE_S = {10: 33.0, 50: 173.0, 100: 614.0}


def _timed(fn):
    t = time.perf_counter()
    v = float(np.asarray(fn()))
    return v, time.perf_counter() - t


def run_case(label, L, R1, R2, T, material, accuracy, ref=None, ref_multipole=None):
    sizes, n_freq = casimir_sizes(L, R1, R2, T)
    fn = lambda eta=1.0: casimir_free_energy(L, R1, R2, T, material, eta=eta)  # noqa: E731
    v1, t1 = _timed(fn)
    v2, t2 = _timed(fn)
    n_m = sizes[1] // 2 + 1
    n_det = n_m * (n_freq + 1 if T > 0 else 40)
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


def batch_case(n_batch):
    """Per-point time of one jitted batch of distances vs single-point calls (same sizes)."""
    R, T, gold = 10e-6, 300.0, Drude.gold()
    Ls = np.linspace(1e-6, 2e-6, n_batch)
    sizes, n_freq = casimir_sizes(Ls.min(), R, math.inf, T)
    kw = dict(truncation=sizes[:3], n_frequencies=n_freq)
    single = lambda L: casimir_free_energy(L, R, math.inf, T, gold, **kw)  # noqa: E731
    _timed(lambda: single(Ls[0]))
    n_single = min(3, n_batch)
    t_single = sum(_timed(lambda: single(L))[1] for L in Ls[:n_single]) / n_single
    batch = lambda: casimir_free_energy(Ls, R, math.inf, T, gold, chunk_size=n_batch, **kw).sum()  # noqa: E731
    _, t_b1 = _timed(batch)
    _, t_b2 = _timed(batch)
    print(f"batch of {n_batch} distances (gold, R = 10 um, L = 1-2 um, 300 K): single {t_single:.2f} s/point, "
          f"batch {t_b2 / n_batch:.2f} s/point (compile {max(t_b1 - t_b2, 0):.1f} s); "
          f"speed-up per point = {t_single / (t_b2 / n_batch):.2f}x", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-accuracy", action="store_true")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--ratios", type=str, default="", help="comma-separated R/L values (overrides --quick)")
    ap.add_argument("--temperatures", type=str, default="300,0", help="comma-separated temperatures [K]")
    ap.add_argument("--no-sphere-sphere", action="store_true")
    args = ap.parse_args()
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
    batch_case(args.batch)


if __name__ == "__main__":
    main()
