"""The accelerator benchmark of issue #16 §5: one call on a borrowed GPU (H100/H200), under 8 minutes in all.

Workloads (float64 throughout), each timed as compile (first call minus second) and run (second call), points/s:
  mie          Mie efficiencies of 10^6 spheres (x = 1-20, m = 1.5 + 0.01i with jitter; one static l_max)
  nanospheres  the two-nanosphere potentials (U_A, U_B) on a 10^6-point (separation, phase) grid
  casimir      Casimir free energy sphere-plane, gold Drude, R = 10 um, 64 distances L = 0.5-5 um (R/L <= 20),
               300 K (PlaneWave), and the n = 0 term of the same batch (ZeroFrequency)
  pemc         the (L, delta) grid of equal PEMC spheres, 32 x 32 points, n = 0 term (plane-wave route), L/R_eff in
               (0.1, 1), one jitted lax.map whose batch follows the library's auto rule (benchmarks/casimir_ht.py)
  random_light the Fig. 2a map of random light, 40 x 40 (Q, Delta Q) points, 200 lines x 1000 distances, 2 restarts
               (optimal_spectrum_map in chunks of 64 points per call on a CPU, 256 elsewhere, the last one padded)
  tweezers     optical force efficiency Q_z of issue #13 §5: 10^4 positions (100 x 100 (rho, z)) x 32 radii
               R = 0.3-2.5 um, one l_max (of the largest radius) for the batch, MDSA+ beam as in
               benchmarks/optical_forces.py; radii one jitted call each (same program), positions vmapped in
               chunks
  *_batches    mie, pemc and random_light again on a subset at batch sizes 1 / 16 / 64 / 256 (points vmapped
               together in the lax.map, or points per call): one compile and one run each
The CPU baseline of each workload runs the same code on a subset in a fresh ``JAX_PLATFORMS=cpu`` process (so
batch sizes follow the CPU rule) and gives the ratio CPU time / GPU time per point; it is skipped when the
default backend already is the CPU, or when the time budget is short.

Every workload is wrapped (an error is printed and the next one runs) and a global budget (``--budget``,
default 420 s of the 8 minutes) skips the remaining workloads when it is spent (a batch sweep stops at the
batch size that would overrun it; tweezers, last, extrapolates the radii it cannot run), so the run ends within
about 8 minutes whatever the card.  Estimate for an H100, where compiles dominate (a guess: nothing has run on a
GPU yet), CPU baselines included: mie 30 s, nanospheres 25 s, casimir 120 s, pemc 50 s, random_light 60 s, the
three batch sweeps 150 s (11 compiles; random_light's batch 256 reuses the map's program), tweezers 60 s: about
500 s, so on a slow card the budget cuts the tail (the last batch sizes, tweezers) and the table says so.
Output: a Markdown table on stdout, and ``$OUT/gpu_benchmark.md`` plus ``$OUT/gpu_benchmark.json`` when ``$OUT``
is set.

Usage:
  .venv/bin/python benchmarks/gpu.py            # on the GPU machine (pip install "jaxem[cuda12]")
  .venv/bin/python benchmarks/gpu.py --quick    # tiny sizes: a CPU smoke test (< 1 min on an idle 2-core CPU)
  options: --only mie,casimir  --budget 420  --no-cpu-baseline  --batches 1,16,64,256
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import traceback

import numpy as np

UM = 1e-6
_T_START = time.perf_counter()


def _load():
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _block(tree):
    import jax
    return jax.block_until_ready(tree)


def _twice(fn):
    """(compile_s, run_s, value): first call (compiles) and second call (warm) of fn()."""
    t0 = time.perf_counter()
    _block(fn())
    t1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = _block(fn())
    t2 = time.perf_counter() - t0
    return max(t1 - t2, 0.0), t2, out


def _chunked(fn, arrays, chunk):
    """(compile_s, run_s, outputs) of fn over ``arrays`` in chunks of ``chunk`` points (the last one padded, so one
    program serves every call): the first chunk once (compiles), then every chunk, dispatched before blocking."""
    import jax.numpy as jnp

    n = arrays[0].size
    n_chunks = -(-n // chunk)
    parts = [np.resize(np.asarray(a), n_chunks * chunk).reshape(n_chunks, chunk) for a in arrays]
    t0 = time.perf_counter()
    _block(fn(*(jnp.asarray(p[0]) for p in parts)))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    outs = _block([fn(*(jnp.asarray(p[i]) for p in parts)) for i in range(n_chunks)])
    run = time.perf_counter() - t0
    return max(first - run / n_chunks, 0.0), run, np.concatenate([np.asarray(o) for o in outs])[:n]


# ------------------------------------------------------------------------------------------------- workloads
# each returns dict(points, compile_s, run_s[, note]); n scales the size (the CPU baseline passes a subset)

def w_mie(n, x_max=20.0, batch=None):
    import jax
    import jax.numpy as jnp
    from jaxem.mie import mie_efficiencies, wiscombe_lmax

    rng = np.random.default_rng(0)
    x = rng.uniform(1.0, x_max, n)
    m = (1.5 + 0.05 * rng.uniform(-1, 1, n)) + 0.01j
    l_max = wiscombe_lmax(x_max)
    if batch is None:
        batch = 512 if jax.default_backend() == "cpu" else min(n, 2**17)

    @jax.jit
    def run(x, mr, mi):
        def one(v):
            q = mie_efficiencies(v[0], v[1] + 1j * v[2], l_max)
            return jnp.stack([q.q_ext, q.q_sca, q.q_back, q.g])
        return jax.lax.map(one, jnp.stack([x, mr, mi], -1), batch_size=min(batch, n) if batch > 1 else None)

    args = (jnp.asarray(x), jnp.asarray(m.real), jnp.asarray(m.imag))
    c, r, out = _twice(lambda: run(*args))
    assert np.all(np.isfinite(np.asarray(out)))
    return dict(points=n, compile_s=c, run_s=r, note=f"l_max {l_max}, lax.map batch {min(batch, n)}")


def w_nanospheres(n):
    import jax
    import jax.numpy as jnp
    import jaxem

    side = max(1, int(round(math.sqrt(n))))
    s, p = (a.ravel() for a in np.meshgrid(np.linspace(0.25e-6, 3.5e-6, side), np.linspace(0, 2 * np.pi, side)))
    silica = jaxem.LorentzOscillators.silica()
    chunk = 4096 if jax.default_backend() == "cpu" else 2**18
    chunk = min(chunk, s.size)
    pad = (-s.size) % chunk
    s = np.concatenate([s, np.full(pad, s[-1])]).reshape(-1, chunk)
    p = np.concatenate([p, np.full(pad, p[-1])]).reshape(-1, chunk)

    @jax.jit
    def run(s, p):
        z = jnp.zeros_like(s)
        return jaxem.nanosphere_potentials(jnp.stack([z, z, z], -1), jnp.stack([s, z, z], -1), p,
                                           radius=100e-9, material=silica)

    sj, pj = jnp.asarray(s), jnp.asarray(p)
    c, r, out = _twice(lambda: [run(sj[i], pj[i]) for i in range(sj.shape[0])])
    assert all(np.all(np.isfinite(np.asarray(o[0]))) for o in out)
    return dict(points=side * side, compile_s=c, run_s=r, note=f"{sj.shape[0]} jitted calls of {chunk} points")


def w_casimir(n, quick=False):
    import jax.numpy as jnp
    import jaxem

    gold = jaxem.Drude.gold()
    R = 2e-6 if quick else 10e-6
    L = jnp.asarray(np.geomspace(0.5 * UM if not quick else 1.0 * UM, 5 * UM, n))
    geom = jaxem.SpherePlane(radius=R, distance=L, sphere=gold, plane=gold)
    c, r, out = _twice(lambda: jaxem.casimir_free_energy(geom, 300.0))
    assert np.all(np.isfinite(np.asarray(out)))
    c0, r0, out0 = _twice(lambda: jaxem.casimir_zero_frequency_term(geom))
    assert np.all(np.isfinite(np.asarray(out0)))
    return dict(points=n, compile_s=c, run_s=r, extra=dict(n0_compile_s=c0, n0_run_s=r0),
                note=f"R = {R / UM:g} um, L = {float(L[0]) / UM:g}-{float(L[-1]) / UM:g} um, 300 K; n = 0 term: "
                     f"compile {c0:.1f} s, run {r0:.3f} s")


def w_pemc(n_side, quick=False, batch=None):
    import jax
    from casimir_ht import pemc_pair        # the benchmark's set-up: equal spheres PEMC(delta), PEMC(0)
    from jaxem import StaticPlaneWave, casimir_zero_frequency_term
    from jaxem._batching import auto_batch_size

    R, eta = 1.0, (4.0 if quick else 8.0)
    x_lo = 0.5 if quick else 0.1
    Ls = np.linspace(x_lo * R / 2, R / 2, n_side)                 # L / R_eff in (x_lo, 1)
    LL, DD = (a.ravel() for a in np.meshgrid(Ls, np.linspace(0.0, np.pi / 2, n_side)))
    engine = StaticPlaneWave(eta=eta).sized_for(pemc_pair(float(Ls.min()), R, 0.0))   # sizes of the smallest gap
    N, M = engine.n_k, engine.n_phi
    if batch is None:                       # the library's rule: one at a time on a CPU, memory-bound elsewhere
        batch = auto_batch_size(LL.size, bytes_per_item=8 * 16 * M * (2 * N) ** 2) or 1
    batch = min(batch, LL.size)
    point = lambda L, d: casimir_zero_frequency_term(pemc_pair(L, R, d), engine=engine)  # noqa: E731
    run = jax.jit(lambda L, d: jax.lax.map(lambda a: point(*a), (L, d), batch_size=batch if batch > 1 else None))
    c, r, out = _twice(lambda: run(LL, DD))
    assert np.all(np.isfinite(np.asarray(out)))
    return dict(points=LL.size, compile_s=c, run_s=r,
                note=f"{n_side} x {n_side}, L/R_eff {x_lo:g}-1, N = {N}, M = {M}, lax.map batch {batch}")


def w_random_light(n_q, n_dq, n_lines=200, n_distances=1000, restarts=2, batch=None):
    import jax
    from jaxem.potentials.spectrum import optimal_spectrum_map

    qq, dd = (a.ravel() for a in np.meshgrid(np.geomspace(1.0, 1000.0, n_q), np.linspace(0.0, 5.0, n_dq),
                                             indexing="ij"))
    if batch is None:                       # 256 on an accelerator: the program of the batch-256 sweep row
        batch = 64 if jax.default_backend() == "cpu" else 256
    batch = min(batch, qq.size)
    def fn(q, d):
        return optimal_spectrum_map(q, d, n_lines, n_distances, n_restarts=restarts)["normalized_loss"]

    c, r, out = _chunked(fn, (qq, dd), batch)
    padded = " (the last one padded)" if qq.size % batch else ""
    assert np.all(np.isfinite(out))
    return dict(points=qq.size, compile_s=c, run_s=r,
                note=f"{n_q} x {n_dq}, {n_lines} lines x {n_distances} distances, {restarts} restarts, "
                     f"{-(-qq.size // batch)} calls of {batch} points{padded}")


def w_tweezers(n_pos, n_radii, quick=False, deadline=None):
    import jax
    import jax.numpy as jnp
    from jaxem.optics import FocusedBeam, quadrature_order
    from jaxem.optics import forces as F
    from jaxem.optics.beams import _FORCE_S_TOL, _astig_order

    beam = FocusedBeam(1.064 * UM, 1.4, 1.518, 1.3246, filling=2.1, ell=4, helicity=1, interface_distance=5.6 * UM,
                       astigmatism=0.254, astigmatism_angle=0.41)
    radii = np.linspace(0.3 * UM, (0.6 if quick else 2.5) * UM, n_radii)
    l_max = F.default_lmax(beam, float(radii[-1]))
    side = max(1, int(round(math.sqrt(n_pos))))
    rho, zz = np.meshgrid(np.linspace(0.0, 2.0 * UM, side), np.linspace(-1.0 * UM, 2.0 * UM, side), indexing="ij")
    pos = jnp.asarray(np.stack([rho.ravel(), np.zeros(rho.size), zz.ravel()], -1))
    n_quad = quadrature_order(beam, l_max + 1, z=2.0 * UM, rho=2.0 * UM)
    s_max = _astig_order(beam, None, _FORCE_S_TOL)
    batch = 64 if jax.default_backend() == "cpu" else 1024

    @jax.jit
    def run(R, pos):
        one = lambda r: F.optical_force_efficiency(beam, R, 1.5694, r, l_max=l_max, n_quad=n_quad,  # noqa: E731
                                                   s_max=s_max).z
        return jax.lax.map(one, pos, batch_size=min(batch, pos.shape[0]))

    c, r_first, _ = _twice(lambda: run(float(radii[0]), pos))
    t0 = time.perf_counter()
    done = 0
    for R in radii:
        if deadline is not None and time.perf_counter() > deadline:
            break
        out = np.asarray(run(float(R), pos))
        assert np.all(np.isfinite(out))
        done += 1
    r = (time.perf_counter() - t0) * n_radii / max(done, 1)
    note = (f"l_max {l_max}, n_quad {n_quad}, s_max {s_max}, {side * side} positions x {n_radii} radii, "
            f"lax.map batch {min(batch, side * side)}")
    if done < n_radii:
        note += f"; budget: {done} of {n_radii} radii run, time extrapolated"
    return dict(points=side * side * n_radii, compile_s=c, run_s=r, note=note)


# in order of priority (the budget skips the tail); tweezers last: it extrapolates what the budget cuts
WORKLOADS = ("mie", "nanospheres", "casimir", "pemc", "random_light", "mie_batches", "pemc_batches",
             "random_light_batches", "tweezers")
FULL = dict(mie=dict(n=10**6), nanospheres=dict(n=10**6), casimir=dict(n=64), pemc=dict(n_side=32),
            random_light=dict(n_q=40, n_dq=40), tweezers=dict(n_pos=10**4, n_radii=32))
_RL_QUICK = dict(n_lines=20, n_distances=50, restarts=1)
QUICK = dict(mie=dict(n=2000, x_max=5.0), nanospheres=dict(n=4096), casimir=dict(n=4), pemc=dict(n_side=3),
             random_light=dict(n_q=4, n_dq=4, **_RL_QUICK), tweezers=dict(n_pos=16, n_radii=2))
# CPU baselines: subsets that take seconds on a CPU (per-point rates compared)
CPU_SUBSET = dict(mie=dict(n=20000), nanospheres=dict(n=65536), casimir=dict(n=4), pemc=dict(n_side=8),
                  random_light=dict(n_q=2, n_dq=4), tweezers=dict(n_pos=64, n_radii=1))
# batch-size sweeps: the workload on a subset, once per batch size (a compile and a run each)
BATCH_SUBSET = dict(mie=dict(n=2**12), pemc=dict(n_side=16), random_light=dict(n_q=16, n_dq=16))
BATCH_QUICK = dict(mie=dict(n=64, x_max=3.0), pemc=dict(n_side=2), random_light=QUICK["random_light"])
BATCHES, BATCHES_QUICK = (1, 16, 64, 256), (16,)


def _call(name, kw, quick, deadline=None):
    if name == "mie":
        return w_mie(**kw)
    if name == "nanospheres":
        return w_nanospheres(**kw)
    if name == "casimir":
        return w_casimir(**kw, quick=quick)
    if name == "pemc":
        return w_pemc(**kw, quick=quick)
    if name == "random_light":
        return w_random_light(**kw)
    if name == "tweezers":
        return w_tweezers(**kw, quick=quick, deadline=deadline)
    raise KeyError(name)


def _batch_sweep(base, kw, batches, quick, deadline, cpu_rate=None):
    """Rows of ``base`` at each batch size (stops before the deadline); the CPU rate is the base workload's."""
    rows = []
    for b in batches:
        if time.perf_counter() > deadline:
            rows.append(dict(name=f"{base}, batch {b}", skipped="skipped: budget spent"))
            continue
        try:
            res = dict(_call(base, dict(kw, batch=b), quick), name=f"{base}, batch {b}")
        except Exception as e:  # noqa: BLE001 -- e.g. out of memory at one size: the other sizes still run
            traceback.print_exc()
            rows.append(dict(name=f"{base}, batch {b}", error=f"{type(e).__name__}: {str(e)[:200]}".replace("|", "/")))
            continue
        res["points_per_s"] = res["points"] / max(res["run_s"], 1e-12)
        if cpu_rate:
            res["cpu_points_per_s"] = cpu_rate
        print(f"{res['name']}: {res['points']} points, compile {res['compile_s']:.1f} s, run {res['run_s']:.3f} s, "
              f"{res['points_per_s']:.3g} points/s; {_load()}", flush=True)
        rows.append(res)
    return rows


def _cpu_baseline(name, quick, timeout):
    """Per-point run time [s] of the workload's subset on the CPU backend, in a fresh process (or None)."""
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    cmd = [sys.executable, os.path.abspath(__file__), "--cpu-baseline", name] + (["--quick"] if quick else [])
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        print(f"  CPU baseline of {name}: no result within {timeout:.0f} s", flush=True)
        return None
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("BASELINE ")]
    if not lines:
        print(f"  CPU baseline of {name} failed:\n{out.stderr[-1500:]}", flush=True)
        return None
    return json.loads(lines[-1][len("BASELINE "):])


def _table(rows, header):
    lines = [header, "",
             "| workload | points | compile [s] | run [s] | points/s | CPU points/s | GPU/CPU speed-up | notes |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "error" in r or "skipped" in r:
            lines.append(f"| {r['name']} | | | | | | | {r.get('error') or r.get('skipped')} |")
            continue
        cpu = r.get("cpu_points_per_s")
        ratio = f"{r['points_per_s'] / cpu:.1f}x" if cpu else "-"
        lines.append(f"| {r['name']} | {r['points']} | {r['compile_s']:.1f} | {r['run_s']:.3f} | "
                     f"{r['points_per_s']:.3g} | {f'{cpu:.3g}' if cpu else '-'} | {ratio} | {r.get('note', '')} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (CPU smoke test, < 1 min)")
    ap.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads (default: all)")
    ap.add_argument("--batches", default=None, help="batch sizes of the *_batches sweeps (default 1,16,64,256; "
                    "--quick: 16)")
    ap.add_argument("--budget", type=float, default=420.0, help="seconds for everything (default 420)")
    ap.add_argument("--no-cpu-baseline", action="store_true", help="skip the CPU baselines")
    ap.add_argument("--cpu-baseline", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    import jax
    jax.config.update("jax_enable_x64", True)

    if args.cpu_baseline:                         # child process: one subset on the CPU, per-point rate
        kw = (QUICK if args.quick else CPU_SUBSET)[args.cpu_baseline]
        res = _call(args.cpu_baseline, kw, args.quick)
        print("BASELINE " + json.dumps(dict(res, points_per_s=res["points"] / max(res["run_s"], 1e-12))))
        return 0

    import jaxem
    deadline = _T_START + args.budget
    dev = jax.devices()[0]
    backend = jax.default_backend()
    head = (f"jaxem {jaxem.__version__}, jax {jax.__version__}, backend {backend}, device {dev.device_kind} "
            f"({len(jax.devices())} x), {os.cpu_count()} CPU cores; {'quick' if args.quick else 'full'} sizes; "
            f"{_load()}")
    print(head, flush=True)
    sizes = QUICK if args.quick else FULL
    # rough seconds a workload needs at least (compiles); skipped when less budget is left
    need = dict(mie=20, nanospheres=20, casimir=60, pemc=40, random_light=30, tweezers=60, mie_batches=30,
                pemc_batches=60, random_light_batches=30)
    if args.quick:
        need = {k: 5 for k in need}
    batches = (tuple(int(b) for b in args.batches.split(",")) if args.batches
               else BATCHES_QUICK if args.quick else BATCHES)
    rows, cpu_rates = [], {}
    names = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(names) - set(WORKLOADS))
    if unknown:
        ap.error(f"--only: unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    for name in names:
        left = deadline - time.perf_counter()
        if left < need.get(name, 30):
            rows.append(dict(name=name, skipped=f"skipped: {left:.0f} s of the budget left"))
            print(f"{name}: skipped ({left:.0f} s left)", flush=True)
            continue
        try:
            if name.endswith("_batches"):
                base = name[: -len("_batches")]
                kw = (BATCH_QUICK if args.quick else BATCH_SUBSET)[base]
                rows += _batch_sweep(base, kw, batches, args.quick, deadline - 30, cpu_rates.get(base))
                continue
            res = _call(name, sizes[name], args.quick, deadline=deadline - 30)
            res["name"] = name
            res["points_per_s"] = res["points"] / max(res["run_s"], 1e-12)
            print(f"{name}: {res['points']} points, compile {res['compile_s']:.1f} s, run {res['run_s']:.3f} s, "
                  f"{res['points_per_s']:.3g} points/s; {res.get('note', '')}; {_load()}", flush=True)
            left = deadline - time.perf_counter()
            if backend != "cpu" and not args.no_cpu_baseline and left > 90:
                base = _cpu_baseline(name, args.quick, timeout=min(120.0, left - 60))
                if base:
                    res["cpu_points_per_s"] = cpu_rates[name] = base["points_per_s"]
                    res["cpu_points"] = base["points"]
                    print(f"  CPU baseline: {base['points']} points, {base['points_per_s']:.3g} points/s -> "
                          f"speed-up {res['points_per_s'] / base['points_per_s']:.1f}x", flush=True)
            rows.append(res)
        except Exception as e:  # noqa: BLE001 -- one failure must not stop the others
            traceback.print_exc()
            rows.append(dict(name=name, error=f"{type(e).__name__}: {str(e)[:200]}".replace("|", "/")))
            print(f"{name}: FAILED ({type(e).__name__}); going on", flush=True)
    total = time.perf_counter() - _T_START
    md = _table(rows, f"# jaxem GPU benchmark\n\n{head}\n\nTotal wall time {total:.0f} s (budget {args.budget:.0f} s). "
                      "Rows \"name, batch b\": the workload on a subset with b points vmapped together (or per call); "
                      "their CPU column is the workload's CPU baseline (the CPU's own batch rule).")
    print(md, flush=True)
    out_dir = os.environ.get("OUT")
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "gpu_benchmark.md"), "w") as f:
            f.write(md)
        with open(os.path.join(out_dir, "gpu_benchmark.json"), "w") as f:
            json.dump(dict(header=head, total_s=total, rows=rows), f, indent=1, default=str)
        print(f"wrote {out_dir}/gpu_benchmark.md and .json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
