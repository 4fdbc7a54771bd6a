"""Convergence of the Casimir free energy F, the force -F' and the force gradient -F'' versus truncation (issue #17).

Sphere–plane, L = 1 um, T = 300 K, perfect conductor and Drude gold, R/L = 10 and 100 (``--ratios``). For each
case the script evaluates the per-frequency terms k_B T w_n d^k/dL^k log det(1 - M(i xi_n)), k = 0, 1, 2, of the
plane-wave engine (the same terms jaxem.casimir_free_energy / casimir_force / casimir_force_gradient sum; nested
forward-mode autodiff, one compiled program per size) and prints:

* versus the number of Matsubara frequencies: |X(n) / X(n_ref) - 1| for X = F, F', F'' at the counts of the
  energy's rule (rtol 1e-6: jaxem.thermal.matsubara_count, order 0), of the force's and the force gradient's rule
  (orders 1, 2; jaxem.thermal.derivative_rtol) and a few more, at eta = 1. A Matsubara sum truncated at n is the
  partial sum of the same terms, so one run at n_ref gives the whole column;
* versus the spatial sizes that limit the derivatives (N, M): those of the energy's rule
  (jaxem.casimir.planewave.default_truncation, eta = 1) and of the force's and the force gradient's
  (jaxem.casimir.free_energy.DERIVATIVE_M_FACTOR, DERIVATIVE_N_FACTOR), against N_ref = 1.5 N, M_ref = 2 M + 1;
* versus N and l_max (eta = 1.25 against 1, M = M_ref; at R/L = 10 only by default: costly at 100);
* the public defaults: F, F', F'' each at the sizes of its own order (what casimir_free_energy, casimir_force and
  casimir_force_gradient use) and, as before issue #17, all at the energy's sizes, against the reference (N_ref,
  M_ref, l_max at eta = 1, --n-ref frequencies); partial sums of the (N, M) rows, no extra run.

Usage: python benchmarks/casimir_convergence.py [--ratios 10,100] [--materials pec,gold] [--n-ref 20]
                                                [--eta 1.25] [--eta-ratios 10]
Prints markdown tables (pasted into docs/accuracy.md, "Convergence of energy, force and force gradient"), the
sizes, the wall time of each run (compile included) and the load average.
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import jax
jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
import jax.numpy as jnp

import jaxem
from jaxem import thermal as fs
from jaxem.casimir import free_energy as fe
from jaxem.constants import c as C, k_B

from _timing import load


def frequency_terms(geometry, T, sizes, n_freq, fixed_grid=True):
    """(3, n_freq + 1) array: k_B T w_n d^k/dL^k log det(1 - M(i xi_n)) [J/m^k], k = 0, 1, 2, n = 0..n_freq
    (n = 0 at the engine's static stand-in xi_0, weight 1/2), for a sphere–plane geometry, jitted.

    ``fixed_grid`` (the route of casimir_force / casimir_force_gradient, free_energy._derivative_batch): the k-node
    grid and xi_0 held at the gap's value (stop_gradient), the gap entering through the translation factors only;
    False: the grid moves with L (k-nodes in units of 1/L differentiated too), the route before issue #17."""
    L, R1, R2, m1, m2, medium = geometry.bodies()

    def terms(L_, T_):
        length = jax.lax.stop_gradient(L_) if fixed_grid else L_
        xi, w = fs.thermal_nodes(T_, n_freq, "matsubara")
        xi = jnp.concatenate([jnp.reshape(fe.STATIC_XI_FRACTION * C / (length + R1), (1,)), xi])
        w = jnp.concatenate([jnp.full((1,), 0.5), w])
        if fixed_grid:
            one = lambda x: fe._log_det_many(x, L_[None], length, R1, R2, m1, m2, medium, sizes, True, None)[0]  # noqa: E731
        else:
            one = lambda x: fe._log_det(x, L_, R1, R2, m1, m2, medium, sizes, True)  # noqa: E731
        vals = jax.lax.map(one, xi)
        return k_B * T_ * w * vals

    fn = jax.jit(fe._orders(terms, 2, "L"))
    return np.asarray(fn(jnp.asarray(L, jnp.float64), jnp.asarray(T, jnp.float64)))


def _rel(a, b):
    return " | ".join(f"{abs(x / y - 1):.1e}" for x, y in zip(a, b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratios", default="10,100")
    ap.add_argument("--materials", default="pec,gold")
    ap.add_argument("--n-ref", type=int, default=20, help="Matsubara frequencies of the reference runs")
    ap.add_argument("--eta", default="1.25", help="comma-separated eta of the N, l_max table (empty: skip)")
    ap.add_argument("--eta-ratios", default="10", help="R/L at which the N, l_max table runs (costly at 100)")
    args = ap.parse_args()
    L, T = 1e-6, 300.0
    mats = {"pec": ("PEC", jaxem.PerfectConductor()), "gold": ("gold Drude", jaxem.Drude.gold())}
    counts = [fs.matsubara_count(T, L, 1e-6, k) for k in range(3)]
    print(f"# {load()}; L = 1 um, T = 300 K; Matsubara counts of the rtol = 1e-6 rule for energy / force / force "
          f"gradient: {counts[0]} / {counts[1]} / {counts[2]}", flush=True)
    for rho in (float(r) for r in args.ratios.split(",")):
        for key in args.materials.split(","):
            name, mat = mats[key]
            g = jaxem.SpherePlane(radius=rho * L, distance=L, sphere=mat, plane=mat)
            base = [fe.planewave_sizes(L, rho * L, math.inf, T, order=k)[0] for k in range(3)]
            N, M0, l_max = base[0][0], base[0][1], base[0][2]
            m_ref, n_ref = 2 * M0 + 1, int(math.ceil(1.5 * N))

            def run(sizes, n=args.n_ref):
                t0 = time.perf_counter()
                out = frequency_terms(g, T, sizes, n)
                print(f"# {name} R/L = {rho:g}: (N, M, l_max) = {sizes[:3]}, {n} frequencies: "
                      f"{time.perf_counter() - t0:.1f} s ({load()})", flush=True)
                return out

            ref_terms = run((n_ref, m_ref, l_max, 0))
            ref = ref_terms.sum(axis=1)
            print(f"\n{name}, R/L = {rho:g}: F = {ref[0]:.10e} J, force -F' = {-ref[1]:.10e} N, force gradient "
                  f"-F'' = {-ref[2]:.10e} N/m (N = {n_ref}, M = {m_ref}, l_max = {l_max}, {args.n_ref} frequencies)\n")
            print(f"| frequencies n (N = {n_ref}, M = {m_ref}) | F | F' | F'' |\n|---|---|---|---|")
            tags = {counts[0]: " (energy rule)", counts[1]: " (force rule)", counts[2]: " (gradient rule)"}
            for n in sorted(set(counts) | {counts[0] - 2, counts[2] + 2, counts[2] + 5}):
                print(f"| {n}{tags.get(n, '')} | " + _rel(ref_terms[:, :n + 1].sum(axis=1), ref) + " |")
            print(f"\n| (N, M) ({args.n_ref} frequencies) | F | F' | F'' |\n|---|---|---|---|")
            by_m = {}
            for k, tag in enumerate(("energy", "force", "force gradient")):
                key_k = base[k][:2]
                if key_k not in by_m:
                    by_m[key_k] = run((key_k[0], key_k[1], l_max, 0))
                    print(f"| {key_k} ({tag} sizes) | " + _rel(by_m[key_k].sum(axis=1), ref) + " |", flush=True)
            if args.eta and rho in [float(r) for r in args.eta_ratios.split(",")]:
                print(f"\n| N, l_max at eta (M = {m_ref}, {args.n_ref} frequencies; against eta = 1, N = {n_ref}) | F | F' | F'' |"
                      "\n|---|---|---|---|")
                for eta in (float(e) for e in args.eta.split(",")):
                    n_e, _, l_e = fe.planewave_sizes(L, rho * L, math.inf, T, eta=eta)[0][:3]
                    print(f"| {eta:g}: N = {max(n_e, n_ref)}, l_max = {l_e} | "
                          + _rel(ref, run((max(n_e, n_ref), m_ref, l_e, 0)).sum(axis=1)) + " |", flush=True)
            # the public defaults: X^(k) at the sizes of order k (M of the order, its Matsubara count): the partial
            # sum of the M-row terms (the first n terms of a Matsubara sum do not depend on where it stops)
            print("\n| public defaults: each quantity at the sizes of its order | F | F' | F'' |\n|---|---|---|---|")
            got = [by_m[base[k][:2]][k, :counts[k] + 1].sum() for k in range(3)]
            print("| (N, M) = " + " / ".join(str(b[:2]) for b in base) + ", frequencies " + " / ".join(map(str, counts))
                  + " | " + " | ".join(f"{abs(got[k] / ref[k] - 1):.1e}" for k in range(3)) + " |")
            old = [by_m[base[0][:2]][k, :counts[0] + 1].sum() for k in range(3)]
            print(f"| before: every order at the energy's sizes (M = {base[0][1]}, {counts[0]} frequencies) | "
                  + " | ".join(f"{abs(old[k] / ref[k] - 1):.1e}" for k in range(3)) + " |", flush=True)
            print(flush=True)
    print(f"# {load()}")


if __name__ == "__main__":
    main()
