"""Benchmark: sphere reflection matrices at imaginary frequency (jaxem.mie.reflection_matrix_imag).

Workload: a gold (Drude) sphere of radius 1 um in vacuum, the first N Matsubara frequencies at
300 K, l = 1..l_max (the per-frequency input of a sphere-sphere Casimir computation).
Baseline (same run): a vectorised NumPy/SciPy implementation of the same isotropic formulas
(4.11)-(4.12) with exponentially scaled Bessel functions scipy.special.ive/kve (no log form, so
it is restricted to orders and arguments where those do not underflow).
Prints compile time separately from run time, and the ratio baseline/jaxem.

    .venv/bin/python benchmarks/reflection_imag.py [--n-xi 256] [--l-max 60] [--repeat 5]
"""
from __future__ import annotations

import argparse
import time

import jax
import numpy as np
from scipy.special import ive, kve
jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
import jaxem  # noqa: F401
from jaxem.constants import c, matsubara_frequency
from jaxem.materials import Drude
from jaxem.mie import reflection_matrix_imag


def baseline(xi, radius, material, l_max):
    """r^EE, r^MM with SciPy's scaled Bessel functions (isotropic, vacuum host)."""
    x = xi * radius / c
    eps = np.asarray(material.epsilon_imaginary_frequency(xi))
    m = np.sqrt(eps)
    l = np.arange(1, l_max + 1)
    nu = l[None, :] + 0.5
    X = x[:, None]
    with np.errstate(all="ignore"):     # the baseline under/overflows at large l: that is the point
        iv_l, iv_lm = ive(nu, X), ive(nu - 1, X)
        kv_l, kv_lm = kve(nu, X), kve(nu - 1, X)
        bI = iv_lm / iv_l - l / X
        bK = -kv_lm / kv_l - l / X
        mX = (m * x)[:, None]
        bIm = ive(nu - 1, mX) / ive(nu, mX) - l / mX
        mp = (1.0 / m)[:, None]
        C = (-1.0) ** l * np.pi / 2 * np.exp(np.log(iv_l) - np.log(kv_l) + 2 * X)
        r_ee = C * (bI - mp * bIm) / (-bK + mp * bIm)
        r_mm = C * (mp * bI - bIm) / (-mp * bK + bIm)
        iv_m = ive(nu, mX)
        # entries where every Bessel value is a normal float64 (no under/overflow, no denormals)
        normal = ((iv_l > 1e-290) & (iv_m > 1e-290) & (kv_l < 1e290) & (np.abs(C) > 1e-290)
                  & (np.abs(C) < 1e290) & np.isfinite(r_ee) & np.isfinite(r_mm))
    return r_ee, r_mm, normal


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-xi", type=int, default=256)
    ap.add_argument("--l-max", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    gold, radius = Drude.gold(), 1e-6
    xi = np.asarray(matsubara_frequency(np.arange(1, args.n_xi + 1), 300.0))

    f = jax.jit(lambda xi_: reflection_matrix_imag(xi_, radius, gold, args.l_max))
    t0 = time.perf_counter()
    la, ph = jax.block_until_ready(f(xi))
    t_compile = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        jax.block_until_ready(f(xi))
        times.append(time.perf_counter() - t0)
    t_jax = min(times)

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        r_ee, r_mm, ok = baseline(xi, radius, gold, args.l_max)
        times.append(time.perf_counter() - t0)
    t_base = min(times)

    # compare in log space (|r| overflows float64 where the baseline cannot be evaluated anyway)
    la = np.asarray(la)
    with np.errstate(divide="ignore", invalid="ignore"):
        err = max(np.max(np.abs(la[..., 0, 0][ok] - np.log(np.abs(r_ee[ok])))),
                  np.max(np.abs(la[..., 1, 1][ok] - np.log(np.abs(r_mm[ok])))))
    print(f"workload: gold sphere R = 1 um, {args.n_xi} Matsubara frequencies (300 K), l_max = {args.l_max}, "
          f"device = {jax.devices()[0].platform}")
    print(f"jaxem compile (first call):  {t_compile * 1e3:9.1f} ms")
    print(f"jaxem run (best of {args.repeat}):      {t_jax * 1e3:9.2f} ms")
    print(f"scipy baseline (best of {args.repeat}): {t_base * 1e3:9.2f} ms")
    print(f"speed-up baseline/jaxem:     {t_base / t_jax:9.2f} x")
    print(f"max relative difference of |r| where the baseline has no under/overflow ({ok.mean():.0%} of entries): {err:.2e}")


if __name__ == "__main__":
    main()
