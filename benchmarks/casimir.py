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
      sum (issue #17: static l_window = window_width(l_max), and the per-element l_window="auto"), compile
      and run time apart, for the given R/L.
  --proof [10,100,500,1000] [--distance 1e-6] [--no-accuracy] [--no-cache-run] [--timeout S]: the issue #17
      table, gold Drude
      sphere-plane at 300 K: energy, force and force gradient from one call (jaxem.casimir_energy_and_force) in a
      fresh process: sizes (N, M, l_max, frequencies), one-off time (process start to result, cold compilation
      cache), compile+import time (one-off minus a warm call in the same process), warm time, peak memory of the
      process, accuracy against a run at 1.5x truncation (eta = 1.5, 1.5x frequencies); then the one-off time of a
      second fresh process with JAX's persistent compilation cache filled by the first. With JAXEM_PEERS pointing
      to ../shared/peers (set up by ../shared/peers/setup.sh, which creates ../shared-peers-venv; another venv:
      JAXEM_PEERS_PYTHON) the fastest published code (caspwn, calculate("forcegradient")) runs on the same case
      right after, in its own fresh process, and the ratios are printed; otherwise its published times. R/L = 500
      and 1000 take long (l_max = 6000 / 12000).
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
    """Sphere kernel (one frequency, gold Drude, K = xi L/c = 1) with every l summed vs the windowed sums.

    Sizes from default_truncation(R/L); "window": the static W = window_width(l_max) (None: the window would
    not save and is skipped); "auto": the per-element windows of l_window="auto" (what the engine uses from
    free_energy.WINDOW_MIN_LMAX on). Compile time (lower + compile) and warm run time (min of ``repeats``) apart; the
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
        for key, w in (("full", None), ("window", W), ("auto", "auto")):
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
        for key in ("window", "auto"):
            if key not in fns:
                line += "; window_width(l_max) = None (W would cover every l: full sum)"
                continue
            dev = np.max(np.abs(outs[key] - outs["full"])) / np.max(np.abs(outs["full"]))
            line += (f"; {key} compile {comp[key]:.1f} s run {min(runs[key]):.3f} s, "
                     f"speed-up {min(runs['full']) / min(runs[key]):.2f}x, max|diff|/max|K| = {dev:.1e}")
        print(line + f"; load average {os.getloadavg()[0]:.1f}", flush=True)


# ------------------------------------------------------------------------------------------------------------
# issue #17 proof table: one-off runs (energy, force, force gradient from one call) against the fastest code

#: published whole-process times [s] of the fastest code (caspwn, numba, 2 cores) quoted in issue #17
#: (sphere-plane, 300 K, L = 1 um: PEC energy + force; R/L = 500: gold Drude, R = 50 um, L = 100 nm, all three)
PEER_PUBLISHED_S = {10: "16 (PEC, E+F)", 50: "16 (PEC, E+F)", 100: "36-43 (PEC, E+F)",
                    500: "98 idle, 381 loaded (gold, L = 100 nm, E+F+F')"}

_CHILD = r'''
import sys, time, json, math
t_start = float(sys.argv[1])
rho, L, T, eta_ref = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
cache, one_off_only = sys.argv[6], sys.argv[7] == "1"
import jax
jax.config.update("jax_enable_x64", True)
import jaxem
if cache:
    from jaxem._runtime import enable_compilation_cache
    enable_compilation_cache(cache)
gold = jaxem.Drude.gold()
g = jaxem.SpherePlane(radius=rho * L, distance=L, sphere=gold, plane=gold)
vals = jaxem.casimir_energy_and_force(g, T, force_gradient=True)
vals = [float(v) for v in vals]
t_first = time.time()
import resource
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(first=vals, t_one_off=t_first - t_start, rss=rss)), flush=True)
if one_off_only:
    sys.exit(0)
t0 = time.perf_counter()
jax.block_until_ready(jaxem.casimir_energy_and_force(g, T, force_gradient=True))
warm = time.perf_counter() - t0
out = dict(warm=warm)
if eta_ref > 0:
    sized = jaxem.PlaneWave().sized_for(g, T, order=2)
    ref = jaxem.PlaneWave(eta=eta_ref).sized_for(g, T, order=2)
    ref = jaxem.PlaneWave(truncation=ref.truncation, n_frequencies=int(math.ceil(eta_ref * sized.n_frequencies)))
    out["ref"] = [float(v) for v in jaxem.casimir_energy_and_force(g, T, force_gradient=True, engine=ref)]
    out["ref_sizes"] = list(ref.truncation) + [ref.n_frequencies]
out["sizes"] = list(jaxem.PlaneWave().sized_for(g, T, order=2).truncation) + [
    jaxem.PlaneWave().sized_for(g, T, order=2).n_frequencies]
print(json.dumps(out), flush=True)
'''

_PEER = r'''
import sys, time, json
t_start = float(sys.argv[1])
rho, L, T = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
from caspwn import plane_sphere_system
from caspwn.materials import gold_drude, vacuum
s = plane_sphere_system(T=T, L=L, R=rho * L, mat_sphere=gold_drude, mat_plane=gold_drude, mat_medium=vacuum)
s.calculate("forcegradient")
import resource
print(json.dumps(dict(vals=[float(v) for v in s.result[:3]], t=time.time() - t_start, N=s.N, M=s.M, lmax=s.lmax,
                      rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)), flush=True)
'''


def _run_child(argv, env=None, timeout=None):
    """Run a fresh Python process; (list of JSON lines it printed, wall time [s] start -> exit)."""
    import json
    import subprocess
    t0 = time.time()
    proc = subprocess.run(argv(t0), capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.time() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    return lines, wall


def _peer_python():
    """(python, PYTHONPATH) of the fastest published code when JAXEM_PEERS points to it, else None."""
    import os
    peers = os.environ.get("JAXEM_PEERS")
    if not peers:
        return None
    root = os.path.abspath(os.path.join(peers, "caspwn"))
    venv = os.environ.get("JAXEM_PEERS_PYTHON") or os.path.join(os.path.dirname(os.path.abspath(peers)), "..",
                                                               "shared-peers-venv", "bin", "python")
    venv = os.path.abspath(venv)
    if not (os.path.isdir(root) and os.path.exists(venv)):
        print(f"# JAXEM_PEERS={peers}: no caspwn/ or no {venv} (run ../shared/peers/setup.sh); published times only")
        return None
    return venv, root


def proof_case(rho, L=1e-6, T=300.0, accuracy=True, peer=None, timeout=None, cache=True):
    """One row of the issue #17 table: gold Drude sphere-plane, energy + force + force gradient from one call.

    jaxem in a fresh process (start -> exit of a process whose only work is that call: ``t_one_off``; then,
    in the same process, a warm call and the 1.5x truncation run), with JAX's persistent compilation cache in a
    fresh folder; with ``cache`` a second fresh process then runs the call again with that cache filled (as the
    command line does; the peer's numba cache is warm too). The peer (caspwn ``calculate("forcegradient")``) in a
    fresh process of its own venv, right after. Peak memory: each process's ru_maxrss.
    """
    import tempfile
    import os
    import sys
    from _memory import fmt
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(here), os.environ.get("PYTHONPATH", "")]))
    folder = tempfile.mkdtemp(prefix="jaxem-xla-")
    lines, wall = _run_child(lambda t0: [sys.executable, "-c", _CHILD, repr(t0), repr(rho), repr(L), repr(T),
                                         repr(1.5 if accuracy else 0.0), folder, "0"], env=env, timeout=timeout)
    first, rest = lines[0], lines[1]
    N, M, l_max, n_freq = rest["sizes"]
    one_off = first["t_one_off"]
    compile_s = max(one_off - rest["warm"], 0.0)
    line = (f"R/L={rho:g} L={L * 1e6:g}um: N={N} M={M} l_max={l_max} freq={n_freq}  one-off process "
            f"{one_off:6.1f}s (start to result; compile+import {compile_s:5.1f}s) warm {rest['warm']:7.2f}s "
            f"peak rss {fmt(first['rss'])}")
    vals = first["first"]
    if "ref" in rest:
        acc = [abs(v / r - 1) for v, r in zip(vals, rest["ref"])]
        line += f"  vs 1.5x {tuple(rest['ref_sizes'])}: energy {acc[0]:.1e} force {acc[1]:.1e} gradient {acc[2]:.1e}"
    print(line, flush=True)
    cached = None
    if cache:
        clines, _ = _run_child(lambda t0: [sys.executable, "-c", _CHILD, repr(t0), repr(rho), repr(L), repr(T),
                                           "0", folder, "1"], env=env, timeout=timeout)
        cached = clines[0]["t_one_off"]
        print(f"    one-off process with the persistent compilation cache filled: {cached:6.1f}s "
              f"(|values / first run - 1| <= {max(abs(a / b - 1) for a, b in zip(clines[0]['first'], vals)):.0e})",
              flush=True)
    if peer is not None:
        python, root = peer
        penv = dict(os.environ, PYTHONPATH=root)
        plines, pwall = _run_child(lambda t0: [python, "-c", _PEER, repr(t0), repr(rho), repr(L), repr(T)],
                                   env=penv, timeout=timeout)
        p = plines[0]
        agree = [abs(v / r - 1) for v, r in zip(vals, p["vals"])]
        print(f"    caspwn: N={p['N']} M={p['M']} l_max={p['lmax']}  process {pwall:6.1f}s peak rss {fmt(p['rss'])}; "
              f"jaxem/caspwn one-off time {one_off / pwall:.2f}x"
              + (f" (cache filled: {cached / pwall:.2f}x)" if cached is not None else "") + "; "
              f"|jaxem/caspwn - 1|: energy {agree[0]:.1e} force {agree[1]:.1e} gradient {agree[2]:.1e}", flush=True)
    else:
        print(f"    caspwn not run (JAXEM_PEERS unset); published: {PEER_PUBLISHED_S.get(int(rho), '-')} s",
              flush=True)


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
    ap.add_argument("--proof", nargs="?", const="10,100,500,1000", default=None,
                    help="only the issue #17 table (gold Drude sphere-plane, 300 K, energy + force + force gradient "
                         "from one call, fresh processes) at these comma-separated R/L; the fastest code too when "
                         "JAXEM_PEERS is set")
    ap.add_argument("--distance", type=float, default=1e-6, help="L [m] of the --proof rows")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per process of the --proof rows")
    ap.add_argument("--no-cache-run", action="store_true",
                    help="--proof: skip the second process that runs with the compilation cache filled")
    args = ap.parse_args()
    if args.proof:
        from _timing import load
        print(f"# {load()}", flush=True)
        peer = _peer_python()
        for rho in (float(r) for r in args.proof.split(",")):
            proof_case(rho, L=args.distance, accuracy=not args.no_accuracy, peer=peer, timeout=args.timeout,
                       cache=not args.no_cache_run)
        print(f"# {load()}", flush=True)
        return
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
