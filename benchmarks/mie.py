"""Mie efficiencies throughput: jaxem (jit + vmap) vs miepython, measured in the same run.

For x = 10, 100, 1000 (m = 1.5 + 0.01i, +-5 % jitter in x and Re m so every sphere differs) this
prints, per sphere: jaxem compile time (separately), jaxem run time over 10^5 spheres (evaluated in
one jitted call: lax.map over vmapped batches of 512 spheres), and miepython's time on its
fastest path, measured here: the numba backend (MIEPYTHON_USE_JIT=1, `efficiencies_mx`) after a
warm-up call, and also the pure-numpy backend. miepython is timed on fewer spheres and its time is
extrapolated per sphere (stated in the output). Ratios > 1 mean jaxem is faster.

Fairness notes (printed with the table):
- Threads: miepython-numba is single-threaded. XLA's CPU backend runs these loop bodies on one thread
  as well: the "jaxem cpu" column is process CPU time per sphere, and cpu ~ wall shows that no second
  core is used (measured: XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
  changes nothing). No XLA_FLAGS are set here.
- Orders: jaxem's l_max is static per compiled call, so every sphere of a row uses Wiscombe's l_max of
  the LARGEST x of the row (x0 * 1.05); miepython uses each sphere's own Wiscombe n_stop. The table
  prints both (mean n_stop over the row), i.e. jaxem does ~5 % more orders at x = 1000.
- Load: the timings are wall-clock on a possibly shared machine; the ratio is measured in one run.

Usage: .venv/bin/python benchmarks/mie.py [--n 100000] [--quick]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

_MIEPY_SNIPPET = r"""
import os, sys, time, json
import numpy as np
os.environ["MIEPYTHON_USE_JIT"] = sys.argv[1]
import miepython
x = np.load(sys.argv[2]); m = np.load(sys.argv[3])
miepython.efficiencies_mx(np.conj(m[:2]), x[:2])  # warm-up (numba compilation)
t0 = time.perf_counter()
q = miepython.efficiencies_mx(np.conj(m), x)
dt = time.perf_counter() - t0
np.save(sys.argv[4], np.stack(q))
print(json.dumps({"seconds": dt, "n": int(len(x))}))
"""


def _miepython_time(x, m, use_jit: bool, tmpdir: str):
    """Time miepython in a subprocess (its backend is fixed at import time)."""
    import json

    xs, ms, qs = (os.path.join(tmpdir, f) for f in ("x.npy", "m.npy", "q.npy"))
    np.save(xs, x)
    np.save(ms, m)
    res = subprocess.run([sys.executable, "-c", _MIEPY_SNIPPET, "1" if use_jit else "0", xs, ms, qs],
                         capture_output=True, text=True, check=True)
    info = json.loads(res.stdout.strip().splitlines()[-1])
    return info["seconds"] / info["n"], np.load(qs)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000, help="spheres per size parameter for jaxem")
    parser.add_argument("--quick", action="store_true", help="fewer spheres (smoke test)")
    args = parser.parse_args(argv)

    import tempfile

    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
    import jaxem  # noqa: F401
    from jaxem.mie import mie_efficiencies, wiscombe_lmax

    n_jax = 2000 if args.quick else args.n
    print(f"jaxem {jaxem.__version__}, jax {jax.__version__}, backend {jax.default_backend()}, "
          f"{os.cpu_count()} CPU cores")
    print(f"{'x':>6} {'l_max':>6} {'n_stop':>7} {'compile s':>10} {'jaxem us/sphere':>16} {'jaxem cpu':>10} "
          f"{'miepython-numba':>16} {'miepython-numpy':>16} {'ratio numba':>12} {'ratio numpy':>12} "
          f"{'max rel diff':>13}")
    rng = np.random.default_rng(0)
    for x0 in (10.0, 100.0, 1000.0):
        x = x0 * rng.uniform(0.95, 1.05, n_jax)
        m = 1.5 * rng.uniform(0.95, 1.05, n_jax) + 0.01j
        l_max = wiscombe_lmax(x)
        n_stop = np.mean([wiscombe_lmax(v) for v in x[:2000]])   # miepython's per-sphere order count
        # lax.map over batches of 512 spheres: the scan carries stay in L1/L2 cache while the per-iteration
        # loop overhead is amortised; measured (CPU time, 2-core Xeon): 512 ~5-25 % faster than 256, 1024
        # slower (the (l_max, batch) D arrays leave L2)
        batch = min(n_jax, 512)

        def one(xm, l_max=l_max):
            q = mie_efficiencies(xm[0], xm[1], l_max)
            return jnp.stack([q.q_ext, q.q_sca, q.q_back, q.g])

        @jax.jit
        def run(xr, mr, mi):
            return jax.lax.map(lambda v: one((v[0], v[1] + 1j * v[2])), jnp.stack([xr, mr, mi], -1),
                               batch_size=batch)

        args_j = (jnp.asarray(x), jnp.asarray(m.real), jnp.asarray(m.imag))
        t0 = time.perf_counter()
        compiled = run.lower(*args_j).compile()
        t_compile = time.perf_counter() - t0
        compiled(*args_j).block_until_ready()  # warm-up run
        t0, c0 = time.perf_counter(), time.process_time()
        q_jax = np.asarray(compiled(*args_j).block_until_ready())
        t_jax = (time.perf_counter() - t0) / n_jax
        c_jax = (time.process_time() - c0) / n_jax

        n_mp_numba = min(n_jax, {10.0: 20000, 100.0: 5000, 1000.0: 1000}[x0] // (10 if args.quick else 1))
        n_mp_numpy = min(n_jax, {10.0: 2000, 100.0: 300, 1000.0: 40}[x0] // (4 if args.quick else 1))
        with tempfile.TemporaryDirectory() as tmp:
            t_numba, q_mp = _miepython_time(x[:n_mp_numba], m[:n_mp_numba], True, tmp)
            t_numpy, _ = _miepython_time(x[:n_mp_numpy], m[:n_mp_numpy], False, tmp)
        k = n_mp_numba
        rel = np.max(np.abs(q_jax[:k, :2].T - q_mp[:2]) / np.abs(q_mp[:2]))
        print(f"{x0:6.0f} {l_max:6d} {n_stop:7.1f} {t_compile:10.2f} {t_jax * 1e6:16.2f} {c_jax * 1e6:10.2f} "
              f"{t_numba * 1e6:16.2f} {t_numpy * 1e6:16.2f} {t_numba / t_jax:12.2f} {t_numpy / t_jax:12.2f} "
              f"{rel:13.1e}")
        sys.stdout.flush()
    print(f"jaxem: {n_jax} spheres per x in one jitted call (run time excludes compilation). miepython: "
          "numba backend on 20000/5000/1000 and numpy backend on 2000/300/40 spheres (x = 10/100/1000), "
          "time extrapolated per sphere. ratio = miepython time / jaxem time per sphere (> 1: jaxem faster). "
          "max rel diff: Q_ext, Q_sca of jaxem vs miepython on the common spheres. jaxem cpu: process CPU "
          "time per sphere (~ wall: one thread, like miepython-numba). l_max: jaxem's static order count "
          "(Wiscombe at the row's largest x); n_stop: miepython's mean per-sphere Wiscombe count.")


if __name__ == "__main__":
    main()
