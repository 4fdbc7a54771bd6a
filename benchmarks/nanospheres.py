"""Two trapped nanospheres: total potential and force of both spheres on an (r, dphi) grid.

jaxem (public API, jitted and vectorised: ``nanosphere_potentials_and_forces``, autodiff forces) against a
straightforward NumPy implementation of the same physics and the same algorithm, measured in the same run:
trap plateau + optical binding through the 3x3 free Green tensor (yy polarisation, separation along x) +
thermal Casimir–Polder (64 Matsubara terms, the same 128-node Euler–Maclaurin tail, silica Drude–Lorentz).
NumPy has no autodiff, so its forces are central differences (two more potential evaluations per point).
Both sides run in chunks of points (memory: the Matsubara axis makes every point ~200 evaluations wide).
NumPy is timed on fewer points and extrapolated per point (stated in the output); the results are compared
on those points. Compile time is reported separately from run time. Ratios > 1 mean jaxem is faster.
A second NumPy baseline uses the "straightforward" method of the spec (§3): the plain Matsubara sum to
N = 2048 without the tail (same accuracy at these distances); that ratio measures algorithm + implementation.

Usage: .venv/bin/python benchmarks/nanospheres.py [--n 1000000] [--numpy-n 32768] [--chunk 8192] [--quick]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

LAM, R, I0, T = 1064e-9, 100e-9, 1e10, 300.0
N_MATS, N_TAIL, DECADES = 64, 128, 7.0


def numpy_potentials(s, dphi, plain_terms=None):
    """(U_A, U_B) [J] for A at 0, B at (s, 0, 0), yy tweezers: plain NumPy, vectorised over points.

    plain_terms=None: the same algorithm as jaxem (64 terms + Euler-Maclaurin tail); an int: the plain
    Matsubara sum n < plain_terms with no tail (the spec's §3 default N = 2048, converged for r >= 10 nm)."""
    from scipy import constants as sc

    c, eps0, hbar, k_B = sc.c, sc.epsilon_0, sc.hbar, sc.k
    k = 2 * np.pi / LAM
    a_t = (1.4496**2 - 1) / (1.4496**2 + 2)
    alpha = 4 * np.pi * eps0 * R**3 * a_t
    # optical binding with the full 3x3 Green tensor, r^ = (r_A - r_B)/r = -x^
    rhat = np.stack([-np.ones_like(s), np.zeros_like(s), np.zeros_like(s)], -1)
    x = k * s
    g = np.exp(1j * x) / (4 * np.pi * s)
    G = g[:, None, None] * ((1 + 1j / x - 1 / x**2)[:, None, None] * np.eye(3)
                            + (-1 - 3j / x + 3 / x**2)[:, None, None] * rhat[:, :, None] * rhat[:, None, :])
    e = np.array([0.0, 1.0, 0.0])
    amp = 2 * I0 / (c * eps0)
    pre = -0.5 * (k**2 / eps0) * alpha**2 * amp
    m_ab = np.einsum("i,nij,j->n", e, G, e)
    m_ba = np.einsum("i,nji,j->n", e, G, e)
    u_a = pre * np.real(np.exp(1j * dphi) * m_ab)
    u_b = pre * np.real(np.exp(-1j * dphi) * m_ba)
    trap = -alpha * I0 / (2 * c * eps0)

    wp = np.array([1.75e14, 2.96e16])
    wt = np.array([1.32e14, 2.72e16])
    gam = np.array([4.28e13, 8.09e15])

    def f(xi, r):
        eps = 1 + np.sum(wp**2 / (wt**2 + xi[..., None] ** 2 + gam * xi[..., None]), axis=-1)
        a = 4 * np.pi * eps0 * R**3 * (eps - 1) / (eps + 2)
        u = xi * r / c
        return a * a * np.exp(-2 * u) * (3 + 6 * u + 5 * u**2 + 2 * u**3 + u**4) / (8 * np.pi**2 * eps0**2 * r**6)

    xi1 = 2 * np.pi * k_B * T / hbar
    r = s[:, None]
    if plain_terms is not None:
        n = np.arange(plain_terms)
        cp = -k_B * T * (f(xi1 * n[None, :], r) @ np.where(n == 0, 0.5, 1.0))
        return trap + u_a + cp, trap + u_b + cp
    n = np.arange(N_MATS)
    head = f(xi1 * n[None, :], r) @ np.where(n == 0, 0.5, 1.0)
    xg, wg = np.polynomial.legendre.leggauss(N_TAIL)
    span = DECADES * np.log(10)
    sn, wn = 0.5 * span * (xg + 1), 0.5 * span * wg
    xi_n = xi1 * N_MATS
    xi = xi_n * np.exp(sn)[None, :]
    integral = (f(xi, r) * xi) @ wn / xi1
    h = 1e-6 * xi_n
    f_n = f(np.full_like(s, xi_n), s)
    df = (f(np.full_like(s, xi_n + h), s) - f(np.full_like(s, xi_n - h), s)) / (2 * h)
    cp = -k_B * T * (head + integral + 0.5 * f_n - xi1 * df / 12)
    return trap + u_a + cp, trap + u_b + cp


def numpy_all(s, dphi, plain_terms=None):
    ua, ub = numpy_potentials(s, dphi, plain_terms)
    h = 1e-13
    ua_p, ub_p = numpy_potentials(s + h, dphi, plain_terms)
    ua_m, ub_m = numpy_potentials(s - h, dphi, plain_terms)
    # F_A,x = -dU_A/dx_A = +dU_A/ds; F_B,x = -dU_B/ds
    return ua, ub, (ua_p - ua_m) / (2 * h), -(ub_p - ub_m) / (2 * h)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="grid points for jaxem (1000 x 1000 (r, dphi))")
    parser.add_argument("--numpy-n", type=int, default=32768, help="points timed for NumPy (extrapolated)")
    parser.add_argument("--chunk", type=int, default=8192, help="points per jitted call")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.numpy_n, args.chunk = 8192, 4096, 4096

    import jax

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

    # NumPy baseline on an evenly spread subset, in chunks of 4096 points (memory)
    idx = np.linspace(0, n - 1, min(args.numpy_n, n)).astype(int)
    t0 = time.perf_counter()
    parts = [numpy_all(S[idx[i:i + 4096]], P[idx[i:i + 4096]]) for i in range(0, idx.size, 4096)]
    t_np = time.perf_counter() - t0
    res_np = [np.concatenate([p[j] for p in parts]) for j in range(4)]

    per_jax = t_jax / n
    per_np = t_np / idx.size
    rel_u = max(np.max(np.abs(res_jax[j][idx] - res_np[j]) / np.abs(res_np[j])) for j in (0, 1))
    scale_f = max(np.max(np.abs(res_np[2])), np.max(np.abs(res_np[3])))
    rel_f = max(np.max(np.abs(res_jax[j][idx] - res_np[j])) for j in (2, 3)) / scale_f
    print(f"grid: {side} separations x {phi_grid.size} phases = {n} points; outputs U_A, U_B, F_A, F_B "
          f"(trap + optical binding + Casimir-Polder, {N_MATS} Matsubara terms + tail)")
    print(f"jaxem compile time                 : {compile_s:8.2f} s (first chunk of {chunk}, excluded below)")
    print(f"jaxem run time, {n} points       : {t_jax:8.2f} s = {per_jax * 1e6:8.3f} us/point")
    print(f"NumPy run time, {idx.size} points (extrap.): {t_np:8.2f} s = {per_np * 1e6:8.3f} us/point "
          f"-> {per_np * n:8.1f} s for {n}")
    print(f"ratio NumPy/jaxem (run time)       : {per_np / per_jax:8.1f}x")
    print(f"agreement: max rel diff U {rel_u:.1e}; forces (autodiff vs NumPy central differences) "
          f"{rel_f:.1e} of max |F|")

    # second baseline: the "straightforward" plain Matsubara sum (spec §3 default N = 2048, no tail)
    idx2 = idx[:: max(1, idx.size // 2048)]
    t0 = time.perf_counter()
    parts = [numpy_all(S[idx2[i:i + 256]], P[idx2[i:i + 256]], 2048) for i in range(0, idx2.size, 256)]
    t_plain = time.perf_counter() - t0
    u_plain = np.concatenate([p[0] for p in parts])
    per_plain = t_plain / idx2.size
    print(f"NumPy plain sum N = 2048, {idx2.size} points (extrap.): {per_plain * 1e6:8.1f} us/point; "
          f"ratio NumPy-plain/jaxem {per_plain / per_jax:8.1f}x; max rel diff U "
          f"{np.max(np.abs(res_jax[0][idx2] - u_plain) / np.abs(u_plain)):.1e}")


if __name__ == "__main__":
    main()
