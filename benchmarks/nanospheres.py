"""Two trapped nanospheres: total potential and force of both spheres on an (r, dphi) grid.

jaxem (public API, jitted and vectorised: ``nanosphere_potentials_and_forces``, autodiff forces) against a
straightforward NumPy implementation of the same physics and the same algorithm, measured in the same run:
trap plateau + optical binding through the 3x3 free Green tensor (yy polarisation, separation along x) +
thermal Casimir–Polder (64 Matsubara terms, the same 128-node Euler–Maclaurin tail, silica Drude–Lorentz).

Two NumPy baselines of the same algorithm (same nodes, same weights, same sums):
  "NumPy analytic": the CP force from the same analytic derivative jaxem's custom JVP uses
      (d/dr of e^{-2u}P(u)/r^6 node by node, evaluated in the same pass as the energy); the (cheap)
      optical-binding force by central differences. This is the headline ratio (the stricter one).
  "NumPy central differences": every force by central differences (two more potential evaluations).
A third baseline uses the "straightforward" method of the spec (§3): the plain Matsubara sum to N = 2048
without the tail (same accuracy at these distances), forces analytic as above; that ratio measures
algorithm + implementation.
Both sides run in chunks of points (NumPy: memory, the node axis makes every point ~200 evaluations wide;
jaxem: 4096-point calls keep the autodiff residuals in cache; its CP node loop never builds that axis).
NumPy is timed on fewer points and extrapolated per point (stated in the output); the results are compared
on those points. Compile time is reported separately from run time. Ratios > 1 mean jaxem is faster.

Usage: .venv/bin/python benchmarks/nanospheres.py [--n 1000000] [--numpy-n 32768] [--chunk 4096] [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy import constants as sc

LAM, R, I0, T = 1064e-9, 100e-9, 1e10, 300.0
N_MATS, N_TAIL, DECADES = 64, 128, 7.0
C, EPS0, HBAR, K_B = sc.c, sc.epsilon_0, sc.hbar, sc.k


def numpy_optical(s, dphi):
    """Trap + optical binding (U_A, U_B) [J] for A at 0, B at (s, 0, 0), yy tweezers (full 3x3 Green tensor)."""
    k = 2 * np.pi / LAM
    a_t = (1.4496**2 - 1) / (1.4496**2 + 2)
    alpha = 4 * np.pi * EPS0 * R**3 * a_t
    # r^ = (r_A - r_B)/r = -x^
    rhat = np.stack([-np.ones_like(s), np.zeros_like(s), np.zeros_like(s)], -1)
    x = k * s
    g = np.exp(1j * x) / (4 * np.pi * s)
    G = g[:, None, None] * ((1 + 1j / x - 1 / x**2)[:, None, None] * np.eye(3)
                            + (-1 - 3j / x + 3 / x**2)[:, None, None] * rhat[:, :, None] * rhat[:, None, :])
    e = np.array([0.0, 1.0, 0.0])
    amp = 2 * I0 / (C * EPS0)
    pre = -0.5 * (k**2 / EPS0) * alpha**2 * amp
    m_ab = np.einsum("i,nij,j->n", e, G, e)
    m_ba = np.einsum("i,nji,j->n", e, G, e)
    trap = -alpha * I0 / (2 * C * EPS0)
    return trap + pre * np.real(np.exp(1j * dphi) * m_ab), trap + pre * np.real(np.exp(-1j * dphi) * m_ba)


_WP = np.array([1.75e14, 2.96e16])
_WT = np.array([1.32e14, 2.72e16])
_GAM = np.array([4.28e13, 8.09e15])


def _f(xi, r, derivative):
    """Summand f(xi, r) = alpha(i xi)^2 e^{-2u} P(u)/(8 pi^2 eps0^2 r^6), u = xi r/c, and (optionally) df/dr."""
    eps = 1 + np.sum(_WP**2 / (_WT**2 + xi[..., None] ** 2 + _GAM * xi[..., None]), axis=-1)
    a = 4 * np.pi * EPS0 * R**3 * (eps - 1) / (eps + 2)
    u = xi * r / C
    e = np.exp(-2 * u)
    pre = a * a / (8 * np.pi**2 * EPS0**2 * r**6)
    f = pre * e * (3 + 6 * u + 5 * u**2 + 2 * u**3 + u**4)
    if not derivative:
        return f
    # d/dr [e^{-2u} P(u)] = (xi/c) e^{-2u} (P' - 2P) = -(xi/c) 2u (1 + 2u + u^3) e^{-2u}
    return f, pre * (-2 * u * (1 + 2 * u + u**3) * e) * (xi / C) - 6 * f / r


def numpy_cp(s, plain_terms=None, derivative=False):
    """U_CP [J] (and dU_CP/dr if derivative) at distances s: the same algorithm as jaxem (64 terms + the
    128-node Euler–Maclaurin tail; f'(xi_N) by a central difference in xi), or (plain_terms = int) the plain
    Matsubara sum n < plain_terms without tail."""
    xi1 = 2 * np.pi * K_B * T / HBAR
    r = s[:, None]
    nd = 2 if derivative else 1

    def F(xi, rr):  # always a tuple (f,) or (f, df/dr)
        out = _f(xi, rr, derivative)
        return out if derivative else (out,)

    if plain_terms is not None:
        n = np.arange(plain_terms)
        w = np.where(n == 0, 0.5, 1.0)
        sums = [v @ w for v in F(xi1 * n[None, :], r)]
    else:
        n = np.arange(N_MATS)
        head = [v @ np.where(n == 0, 0.5, 1.0) for v in F(xi1 * n[None, :], r)]
        xg, wg = np.polynomial.legendre.leggauss(N_TAIL)
        span = DECADES * np.log(10)
        sn, wn = 0.5 * span * (xg + 1), 0.5 * span * wg
        xi_n = xi1 * N_MATS
        xi = xi_n * np.exp(sn)[None, :]
        integral = [(v * xi) @ wn / xi1 for v in F(xi, r)]
        h = 1e-6 * xi_n
        f_n = F(np.full_like(s, xi_n), s)
        f_p = F(np.full_like(s, xi_n + h), s)
        f_m = F(np.full_like(s, xi_n - h), s)
        sums = [head[i] + integral[i] + 0.5 * f_n[i] - xi1 * (f_p[i] - f_m[i]) / (2 * h) / 12 for i in range(nd)]
    return tuple(-K_B * T * v for v in sums) if derivative else -K_B * T * sums[0]


def numpy_potentials(s, dphi, plain_terms=None):
    """(U_A, U_B) [J] for A at 0, B at (s, 0, 0), yy tweezers: plain NumPy, vectorised over points."""
    u_a, u_b = numpy_optical(s, dphi)
    cp = numpy_cp(s, plain_terms)
    return u_a + cp, u_b + cp


def numpy_all_central(s, dphi, plain_terms=None):
    """(U_A, U_B, F_A,x, F_B,x): every force by central differences (h = 0.1 pm)."""
    ua, ub = numpy_potentials(s, dphi, plain_terms)
    h = 1e-13
    ua_p, ub_p = numpy_potentials(s + h, dphi, plain_terms)
    ua_m, ub_m = numpy_potentials(s - h, dphi, plain_terms)
    # F_A,x = -dU_A/dx_A = +dU_A/ds; F_B,x = -dU_B/ds
    return ua, ub, (ua_p - ua_m) / (2 * h), -(ub_p - ub_m) / (2 * h)


def numpy_all(s, dphi, plain_terms=None):
    """(U_A, U_B, F_A,x, F_B,x): CP energy and force in one pass (analytic d/dr, as jaxem's custom JVP);
    optical-binding forces by central differences of the optical part."""
    ua, ub = numpy_optical(s, dphi)
    cp, dcp = numpy_cp(s, plain_terms, derivative=True)
    h = 1e-13
    ua_p, ub_p = numpy_optical(s + h, dphi)
    ua_m, ub_m = numpy_optical(s - h, dphi)
    return ua + cp, ub + cp, (ua_p - ua_m) / (2 * h) + dcp, -(ub_p - ub_m) / (2 * h) - dcp


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="grid points for jaxem (1000 x 1000 (r, dphi))")
    parser.add_argument("--numpy-n", type=int, default=32768, help="points timed for NumPy (extrapolated)")
    parser.add_argument("--chunk", type=int, default=4096, help="points per jitted call (cache-sized is fastest)")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.numpy_n, args.chunk = 8192, 4096, 4096

    import jax
    jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
    import jaxem
    from jaxem.potentials.nanospheres import nanosphere_potentials_and_forces

    print(f"jaxem {jaxem.__version__}, jax {jax.__version__}, backend {jax.default_backend()}, "
          f"{os.cpu_count()} CPU cores")
    side = int(round(np.sqrt(args.n)))
    s_grid = np.linspace(0.25e-6, 3.5e-6, side)
    phi_grid = np.linspace(0, 2 * np.pi, max(1, args.n // side))
    S, P = (a.ravel() for a in np.meshgrid(s_grid, phi_grid))
    n = S.size
    chunk = min(args.chunk, n)
    pad = (-n) % chunk
    S_p = np.concatenate([S, np.full(pad, S[-1])])
    P_p = np.concatenate([P, np.full(pad, P[-1])])

    def jaxem_chunk(s, p):
        zeros = np.zeros_like(s)
        r_a = np.stack([zeros, zeros, zeros], -1)
        r_b = np.stack([s, zeros, zeros], -1)
        ua, ub, fa, fb = nanosphere_potentials_and_forces(r_a, r_b, p)
        return jax.block_until_ready((ua, ub, fa[..., 0], fb[..., 0]))

    t0 = time.perf_counter()
    jaxem_chunk(S_p[:chunk], P_p[:chunk])
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    jaxem_chunk(S_p[:chunk], P_p[:chunk])
    t_one = time.perf_counter() - t0
    compile_s = t_first - t_one

    t0 = time.perf_counter()
    out = [jaxem_chunk(S_p[i:i + chunk], P_p[i:i + chunk]) for i in range(0, S_p.size, chunk)]
    t_jax = time.perf_counter() - t0
    res_jax = [np.concatenate([np.asarray(o[j]) for o in out])[:n] for j in range(4)]

    # NumPy baselines on an evenly spread subset, in chunks of 4096 points (memory)
    idx = np.linspace(0, n - 1, min(args.numpy_n, n)).astype(int)

    def run_numpy(fn, points, chunk_np, *extra):
        t0 = time.perf_counter()
        parts = [fn(S[points[i:i + chunk_np]], P[points[i:i + chunk_np]], *extra)
                 for i in range(0, points.size, chunk_np)]
        return time.perf_counter() - t0, [np.concatenate([p[j] for p in parts]) for j in range(4)]

    def agreement(res_np, points):
        rel_u = max(np.max(np.abs(res_jax[j][points] - res_np[j]) / np.abs(res_np[j])) for j in (0, 1))
        scale_f = max(np.max(np.abs(res_np[2])), np.max(np.abs(res_np[3])))
        rel_f = max(np.max(np.abs(res_jax[j][points] - res_np[j])) for j in (2, 3)) / scale_f
        return rel_u, rel_f

    t_np, res_np = run_numpy(numpy_all, idx, 4096)
    t_np_cd, res_np_cd = run_numpy(numpy_all_central, idx, 4096)

    per_jax = t_jax / n
    per_np, per_np_cd = t_np / idx.size, t_np_cd / idx.size
    print(f"grid: {side} separations x {phi_grid.size} phases = {n} points; outputs U_A, U_B, F_A, F_B "
          f"(trap + optical binding + Casimir-Polder, {N_MATS} Matsubara terms + {N_TAIL}-node tail)")
    print(f"jaxem compile time                 : {compile_s:8.2f} s (first chunk of {chunk}, excluded below)")
    print(f"jaxem run time, {n} points       : {t_jax:8.2f} s = {per_jax * 1e6:8.3f} us/point")
    print(f"NumPy analytic, {idx.size} points (extrap.): {t_np:8.2f} s = {per_np * 1e6:8.3f} us/point "
          f"-> {per_np * n:8.1f} s for {n}")
    print(f"ratio NumPy/jaxem (same algorithm, analytic CP force) : {per_np / per_jax:8.1f}x")
    rel_u, rel_f = agreement(res_np, idx)
    print(f"  agreement: max rel diff U {rel_u:.1e}; forces {rel_f:.1e} of max |F|")
    print(f"NumPy central differences, {idx.size} points: {per_np_cd * 1e6:8.3f} us/point; "
          f"ratio NumPy-cd/jaxem {per_np_cd / per_jax:8.1f}x")
    rel_u, rel_f = agreement(res_np_cd, idx)
    print(f"  agreement: max rel diff U {rel_u:.1e}; forces (autodiff vs central differences) "
          f"{rel_f:.1e} of max |F|")

    # third baseline: the "straightforward" plain Matsubara sum (spec §3 default N = 2048, no tail)
    idx2 = idx[:: max(1, idx.size // 2048)]
    t_plain, res_plain = run_numpy(numpy_all, idx2, 256, 2048)
    per_plain = t_plain / idx2.size
    rel_u, rel_f = agreement(res_plain, idx2)
    print(f"NumPy plain sum N = 2048, {idx2.size} points (extrap.): {per_plain * 1e6:8.1f} us/point; "
          f"ratio NumPy-plain/jaxem {per_plain / per_jax:8.1f}x; max rel diff U {rel_u:.1e}, F {rel_f:.1e}")

if __name__ == "__main__":
    main()
