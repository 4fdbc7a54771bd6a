"""Benchmark: the seed-004 Fig. 2a map (L~ over Q in [1, 1000] log x Delta Q in [0, 5]) in one jitted, chunked
call, against the paper's protocol (SciPy SLSQP loop with random starts) on a subset, in the same run.

    .venv/bin/python benchmarks/random_light.py                 # 40 x 40 map, 2 restarts, SLSQP on 2 points
    .venv/bin/python benchmarks/random_light.py --n-q 12 --n-dq 12 --slsqp-gradient finite_difference

Prints compile time separately, jaxem seconds per point, SLSQP seconds per point (per start x starts), the speed-up
ratio, and L~ of both solvers at the SLSQP points (the jaxem optimum must be <= SLSQP's).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import jax
import jax.numpy as jnp
jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
import jaxem  # noqa: F401
from jaxem.potentials.random_light import paper_pair_potential_matrix
from jaxem.potentials.spectrum import _paper_map_jit, normalized_pair_loss, optimize_line_spectrum_slsqp, pair_loss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-q", type=int, default=40)
    ap.add_argument("--n-dq", type=int, default=40)
    ap.add_argument("--restarts", type=int, default=2, help="interior-point restarts per point (random starts)")
    ap.add_argument("--chunk", type=int, default=64, help="points per jitted chunk")
    ap.add_argument("--slsqp-starts", type=int, default=2, help="SLSQP random starts per subset point")
    ap.add_argument("--slsqp-gradient", default="finite_difference", choices=("analytic", "finite_difference"),
                    help="finite_difference = the paper's protocol (default); analytic = a faster, favourable baseline")
    ap.add_argument("--slsqp-points", type=int, default=2, help="subset size (the paper's best and worst points first)")
    ap.add_argument("--save", default=None, help="optional .npz path for the map (Q, delta_Q, normalized_loss, loss)")
    args = ap.parse_args()

    nl, nd, n_iter = 200, 1000, 60
    qs = np.geomspace(1.0, 1000.0, args.n_q)
    dqs = np.linspace(0.0, 5.0, args.n_dq)
    qq, dd = (a.ravel() for a in np.meshgrid(qs, dqs, indexing="ij"))
    n = qq.size
    chunk = min(args.chunk, n)
    key = jax.random.PRNGKey(0)
    print(f"jaxem {jax.__version__} on {jax.devices()[0].platform}; map {args.n_q} x {args.n_dq} = {n} points, "
          f"N_l = {nl}, N_d = {nd}, {args.restarts} restart(s) each, chunks of {chunk}")

    # -- jaxem: compile once, then the whole map chunk by chunk --------------------------------------------
    c0 = time.process_time()
    t0 = time.perf_counter()
    compiled = _paper_map_jit.lower(jnp.asarray(qq[:chunk]), jnp.asarray(dd[:chunk]), key, nl, nd, n_iter,
                                    args.restarts).compile()
    t_compile = time.perf_counter() - t0
    lt = np.empty(n)
    loss = np.empty(n)
    spread = np.empty(n)
    c0 = time.process_time()
    t0 = time.perf_counter()
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        qc = np.resize(qq[lo:hi], chunk)  # pad the last chunk: one compiled shape
        dc = np.resize(dd[lo:hi], chunk)
        res = compiled(jnp.asarray(qc), jnp.asarray(dc), jax.random.fold_in(key, lo))
        lt[lo:hi] = np.asarray(res["normalized_loss"])[: hi - lo]
        loss[lo:hi] = np.asarray(res["loss"])[: hi - lo]
        spread[lo:hi] = np.asarray(res["restart_spread"])[: hi - lo]
    t_map = time.perf_counter() - t0
    cpu_per_point = (time.process_time() - c0) / n
    per_point = t_map / n
    print(f"jaxem: compile {t_compile:.2f} s; map {t_map:.2f} s = {1e3 * per_point:.1f} ms/point "
          f"wall, {1e3 * cpu_per_point:.1f} ms/point CPU "
          f"(incl. building the 1000 x 200 matrix); L~ in [{lt.min():.2e}, {lt.max():.3f}]")
    if args.save:
        np.savez(args.save, Q=qs, delta_Q=dqs, normalized_loss=lt.reshape(args.n_q, args.n_dq),
                 loss=loss.reshape(args.n_q, args.n_dq))
    sig = loss > 1e-8
    print(f"restart spread of L (points with L > 1e-8, i.e. above the Gram-matrix noise floor): "
          f"max {spread[sig].max():.1e}")

    # -- baseline: SLSQP loop (seed protocol) on a subset -------------------------------------------------------
    subset = [(8.78, 1.21), (2.54, 2.26)]
    rng = np.random.default_rng(1)
    while len(subset) < args.slsqp_points:
        i = rng.integers(n)
        subset.append((float(qq[i]), float(dd[i])))
    subset = subset[: args.slsqp_points]
    t_slsqp, cpu_slsqp = [], []
    one_point = jax.jit(lambda q, dq, k: _paper_map_jit(q[None], dq[None], k, nl, nd, n_iter, args.restarts))
    print(f"SLSQP ({args.slsqp_gradient} gradient, tol 1e-9, {args.slsqp_starts} random starts) vs jaxem at "
          f"{len(subset)} points:")
    for q, dq in subset:
        V = np.asarray(paper_pair_potential_matrix(q, dq, nl, nd)[0])
        c0 = time.process_time()
        c, info = optimize_line_spectrum_slsqp(V, n_starts=args.slsqp_starts, gradient=args.slsqp_gradient)
        t_point = info["seconds_per_start"] * args.slsqp_starts
        t_slsqp.append(t_point)
        cpu_slsqp.append(time.process_time() - c0)
        r = one_point(jnp.asarray(q), jnp.asarray(dq), key)
        lj = float(r["normalized_loss"][0])
        Lj = float(r["loss"][0])
        print(f"  (Q, dQ) = ({q:.3g}, {dq:.3g}): SLSQP L~ = {info['normalized_loss']:.4g} (L = {info['loss']:.4e}, "
              f"{t_point:.1f} s/point) | jaxem L~ = {lj:.4g} (L = {Lj:.4e})  -> jaxem L <= SLSQP L: "
              f"{Lj <= info['loss'] * (1 + 1e-9)}")
    t_base = float(np.mean(t_slsqp))
    c_base = float(np.mean(cpu_slsqp))
    print(f"SPEED-UP per point (CPU time, robust to a shared machine): SLSQP {c_base:.2f} s / jaxem "
          f"{cpu_per_point * 1e3:.1f} ms = {c_base / cpu_per_point:.0f}x")
    print(f"SPEED-UP per point (wall): SLSQP {t_base:.2f} s / jaxem {per_point * 1e3:.1f} ms = {t_base / per_point:.0f}x "
          f"(whole {n}-point map extrapolated: SLSQP {t_base * n / 3600:.2f} h vs jaxem {t_map + t_compile:.1f} s "
          f"incl. compile)")


if __name__ == "__main__":
    main()
