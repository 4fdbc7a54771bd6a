"""Bead fit from rotation angles (jaxem.optics.fits): chi^2 of Eq. (7.2) with its gradient, the four-parameter MDSA+
fit (grid scan over R, optimistix Levenberg-Marquardt, autodiff Hessian) and, in the same run, the dissertation's
approach, a gradient-free minimiser (scipy Nelder-Mead) over the same jitted chi^2.

Case: a bead-A-like polystyrene sphere (n = 1.5694) in water (1.3246), lambda0 = 1.064 um, NA 1.4 oil objective
(n_s = 1.518), sigma = +1, synthetic angles at the MDSA+ parameters of Table 7.2 (R = 1.503 um, L = 5.8 um,
A_ast = 0.245, phi_ast = 0.37 rad) plus Gaussian noise 0.5 deg; modes ell = -M..M (default 15 modes), 4 rounds each,
rho_eq = 0.03 um, filling gamma(ell) = max(1, sqrt(|ell|/2) n_s/NA). Fits start at the nominal radius 1.50 um,
L = 5 um, A_ast = 0.2, phi_ast = 0.5 rad, bounds R 1.42-1.58 um, L 3-8 um, A_ast 0.05-0.45, phi_ast -0.3-1.3 rad.

  (a) chi^2 and its gradient in (R, L, A_ast, phi_ast), one jitted call (jax.value_and_grad): compile, warm run;
  (b) fit_bead with the four free parameters: first call (compilation of scan, optimiser loop and Hessian
      included) and a second call (compiled); steps, chi^2, errors;
  (c) scipy.optimize.minimize(method="Nelder-Mead") over the jitted chi^2 (no derivatives; the variables scaled
      to the bounds), from the same start (the best radius of the scan of (b), as the gradient polish gets): wall
      time, chi^2 calls, result; ratio = Nelder-Mead time / compiled fit time of (b);
  (d) --batch N: N synthetic data sets fitted in one vmapped call (GPU scale test; default off on CPU).

The charge ell and the filling are traced (FocusedBeam(..., ell_max=...)): one compiled solve, vmapped over the
modes, serves all of them, so the compile time does not grow with the number of modes. The load average is printed
at the start and the end (wall clock on a shared machine).

Modes without an axial trap or whose self-consistent angle did not converge (rotation_angle returns NaN; with
astigmatism this happens for some |ell| >= 4) stay in (a) (the cost is the same; chi^2 is then NaN) and are left
out of the fits; --fit-modes N fits only the N converged modes nearest ell = 0.

Usage: .venv/bin/python benchmarks/optical_fit.py [--modes 15] [--rounds 4] [--repeats 5] [--fit-modes 0]
       [--nm-maxfev 4000] [--batch 0] [--chi2-only]
--chi2-only runs (a) alone (a baseline from another checkout: PYTHONPATH=that/checkout with this script).
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np

from _timing import load, median_time

UM = 1e-6
LAM, NA, N_S, N_W, N_P = 1.064 * UM, 1.4, 1.518, 1.3246, 1.5694
TRUTH = dict(radius=1.503 * UM, interface_distance=5.8 * UM, astigmatism=0.245, astigmatism_angle=0.37)
FREE = ("radius", "interface_distance", "astigmatism", "astigmatism_angle")
START = dict(radius=1.50 * UM, interface_distance=5.0 * UM, astigmatism=0.2, astigmatism_angle=0.5)
BOUNDS = dict(radius=(1.42 * UM, 1.58 * UM), interface_distance=(3.0 * UM, 8.0 * UM), astigmatism=(0.05, 0.45),
              astigmatism_angle=(-0.3, 1.3))


def _modes(n_modes):
    lo = -(n_modes // 2)
    return list(range(lo, lo + n_modes))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--modes", type=int, default=15, help="number of modes ell (centred on 0), default 15")
    ap.add_argument("--rounds", type=int, default=4, help="rounds per mode, default 4")
    ap.add_argument("--repeats", type=int, default=5, help="warm repetitions of (a) (median)")
    ap.add_argument("--batch", type=int, default=0, help="(d): data sets fitted in one vmapped call")
    ap.add_argument("--nm-maxfev", type=int, default=4000, help="(c): largest number of chi^2 calls")
    ap.add_argument("--fit-modes", type=int, default=0, help="(b)-(d) on this many modes with a converged angle, "
                    "nearest ell = 0 first (default 0: all of them)")
    ap.add_argument("--chi2-only", action="store_true", help="run (a) only (chi^2 and gradient)")
    args = ap.parse_args(argv)

    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
    import scipy.optimize as so

    import jaxem
    from jaxem.optics import FocusedBeam

    print(f"jaxem {jaxem.__version__} ({os.path.dirname(jaxem.__file__)}), jax {jax.__version__}, devices "
          f"{jax.devices()}, {os.cpu_count()} CPU cores; {load()}", flush=True)
    beam = FocusedBeam(LAM, NA, N_S, N_W, 1.0, helicity=1)
    ells = np.repeat(_modes(args.modes), args.rounds)
    design = dict(ell=ells, rho_eq=np.full(ells.size, 0.03 * UM),
                  filling=np.array([max(1.0, math.sqrt(abs(e) / 2) * N_S / NA) for e in ells]))
    t0 = time.perf_counter()
    exact = np.asarray(jaxem.model_rotation_angles(TRUTH, design, beam, N_P))
    t_data = time.perf_counter() - t0
    # modes whose self-consistent angle exists and converged (rotation_angle is NaN otherwise)
    ok = np.isfinite(exact)
    bad = sorted(set(ells[~ok].tolist()))
    print(f"synthetic data: {args.modes} modes x {args.rounds} rounds ({ells.size} angles), made in {t_data:.1f} s "
          f"(compile included); no trap or unconverged angle for ell = {bad}; {load()}", flush=True)
    sigma = math.radians(0.5)
    rng = np.random.default_rng(0)
    noise = sigma * rng.standard_normal(exact.size)
    full = dict(design, alpha=np.where(ok, exact, 0.0) + noise, alpha_err=np.full(exact.size, sigma))
    good = sorted((int(e) for e in np.unique(ells) if e not in bad), key=lambda e: (abs(e), e))
    good = good[:args.fit_modes] if args.fit_modes else good
    keep = np.isin(ells, good)
    data = {k: v[keep] for k, v in full.items()}
    exact = exact[keep]
    n_modes = len(good)
    print(f"(b)-(d) fit {n_modes} modes (ell = {sorted(good)}) x {args.rounds} rounds = {exact.size} angles",
          flush=True)
    # static sizes shared by (a), (b), (c) (as fit_bead resolves them from the bounds): Wiscombe at the upper
    # radius bound, the quadrature rule at the largest L, the astigmatism cut at the largest A_ast
    from jaxem.optics.beams import _astig_order, quadrature_order
    from jaxem.optics.forces import default_lmax
    import equinox as eqx
    l_max = default_lmax(beam, BOUNDS["radius"][1])
    n_quad = quadrature_order(FocusedBeam(LAM, NA, N_S, N_W, float(np.max(design["filling"])),
                                          ell=int(np.max(np.abs(design["ell"]))), helicity=1,
                                          interface_distance=BOUNDS["interface_distance"][1]),
                              l_max + 1, z=3 * LAM, rho=0.03 * UM)
    s_max = _astig_order(eqx.tree_at(lambda b: b.astigmatism, beam, np.float64(BOUNDS["astigmatism"][1])), None)
    sizes = dict(l_max=l_max, n_quad=n_quad, s_max=s_max)
    print(f"sizes: l_max = {l_max}, n_quad = {n_quad}, s_max = {s_max}, n_grid = 48", flush=True)
    scale = np.array([UM, UM, 1.0, 1.0])

    def chi2_on(d):
        def chi2_of(p):
            return jaxem.rotation_angle_chi2({k: p[i] * scale[i] for i, k in enumerate(FREE)}, d, beam, N_P,
                                             **sizes)
        return chi2_of

    chi2_of = chi2_on(data)

    # (a) chi^2 and gradient
    p0 = jnp.asarray([START[k] / scale[i] for i, k in enumerate(FREE)])
    vg = jax.jit(jax.value_and_grad(chi2_on(full)))
    t0 = time.perf_counter()
    jax.block_until_ready(vg(p0))
    t_vg_compile = time.perf_counter() - t0
    t_vg, t_vg_min = median_time(lambda: jax.block_until_ready(vg(p0)), args.repeats)
    print(f"(a) chi^2 + gradient, {args.modes} modes x {args.rounds} rounds: first call {t_vg_compile:.1f} s "
          f"(compile), warm {t_vg:.3f} s median, {t_vg_min:.3f} s min of {args.repeats} (target <= 1 s); {load()}",
          flush=True)
    if args.chi2_only:
        print(f"done; {load()}")
        return

    # (b) the four-parameter fit
    kw = dict(free=FREE, start=START, bounds=BOUNDS, **sizes)
    t0 = time.perf_counter()
    fit = jaxem.fit_bead(data, beam, N_P, **kw)
    t_fit_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit = jaxem.fit_bead(data, beam, N_P, **kw)
    t_fit = time.perf_counter() - t0
    print(f"(b) four-parameter fit: first call {t_fit_first:.1f} s (compile included), compiled {t_fit:.2f} s "
          f"(target <= 60 s); {fit.steps} Levenberg-Marquardt steps, converged {fit.converged}, chi^2 (7.2) "
          f"{fit.chi2:.3f}, chi^2/dof {fit.reduced_chi2:.3f}; {load()}", flush=True)
    for k in FREE:
        s = scale[FREE.index(k)]
        print(f"    {k:>18s} = {fit.values[k] / s:.5f} +- {fit.errors[k] / s:.5f} (truth {TRUTH[k] / s:.5f})")
    if len(fit.alternatives) > 1:
        print("    other radius minima of the scan: " + ", ".join(f"{a['radius'] / UM:.4f} um (+{a['delta_chi2']:.2f})"
                                                               for a in fit.alternatives[1:]))

    # (c) Nelder-Mead over the jitted chi^2, same start (the best scan radius), variables scaled to the bounds
    lo = np.array([BOUNDS[k][0] for k in FREE]) / scale
    hi = np.array([BOUNDS[k][1] for k in FREE]) / scale
    best_r = fit.alternatives[0]["radius"] / UM if fit.alternatives else START["radius"] / UM
    x_start = np.array([best_r] + [START[k] / scale[i] for i, k in enumerate(FREE) if k != "radius"])
    chi2_j = jax.jit(chi2_of)
    t0 = time.perf_counter()
    float(chi2_j(jnp.asarray(x_start)))
    t_c_compile = time.perf_counter() - t0
    calls = [0]

    def f(v):
        calls[0] += 1
        return float(chi2_j(jnp.asarray(lo + (hi - lo) * v)))

    v0 = (x_start - lo) / (hi - lo)
    t0 = time.perf_counter()
    res = so.minimize(f, v0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * 4,
                      options=dict(xatol=1e-7, fatol=1e-10, maxfev=args.nm_maxfev))
    t_nm = time.perf_counter() - t0
    x_nm = lo + (hi - lo) * res.x
    x_lm = np.array([fit.values[k] / scale[i] for i, k in enumerate(FREE)])
    print(f"(c) Nelder-Mead: {t_nm:.1f} s, {calls[0]} chi^2 calls, success {res.success}, chi^2 (7.2) {res.fun:.4f} vs {fit.chi2:.4f}, "
          f"max |x_NM - x_LM|/error = "
          f"{np.max(np.abs(x_nm - x_lm) * scale / np.array([fit.errors[k] for k in FREE])):.2g}"
          f" (chi^2 alone compiled in {t_c_compile:.1f} s); ratio Nelder-Mead / compiled fit = {t_nm / t_fit:.1f}; "
          f"{load()}", flush=True)

    # (d) many data sets in one vmapped call
    if args.batch:
        noisy = exact + sigma * np.random.default_rng(1).standard_normal((args.batch, exact.size))
        batch = dict(data, alpha=noisy)
        t0 = time.perf_counter()
        fits = jaxem.fit_bead(batch, beam, N_P, **kw)
        t_b = time.perf_counter() - t0
        r = fits.values["radius"]
        print(f"(d) {args.batch} fits in one vmapped call: {t_b:.1f} s (compile included); converged "
              f"{int(np.sum(fits.converged))}; std(R) {np.std(r) / UM * 1e3:.3f} nm vs mean error "
              f"{np.mean(fits.errors['radius']) / UM * 1e3:.3f} nm; {load()}", flush=True)
    print(f"done; {load()}")


if __name__ == "__main__":
    main()
