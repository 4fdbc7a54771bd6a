"""Special-function throughput: jaxem (jit, batched) vs baselines measured in the same run.

Workload A (real-frequency Mie): psi_l'/psi_l(m x) for N spheres, x ~ 10 or 100 (+-5 %),
  m = 1.5 + 0.01i (+-5 %), l_max = Wiscombe. Baseline: miepython's numba kernel _D_calc_nb (Lentz +
  downward recurrence) in a numba-compiled loop over the spheres. Two jaxem kernels: the public
  log_derivative_psi (Lentz start, order axis last) and the Mie scans' log_derivative_psi_columns
  (Debye-estimated start without a continued fraction, order axis first; "cols" columns).
Workload B (imaginary-frequency Casimir): log I_{l+1/2}(x), log K_{l+1/2}(x) for l <= l_max on a grid of
  x in [1e-2, 1e3]. Baseline: scipy.special.ive / kve on the same (x, l) grid (vectorised C; it returns
  0/inf where the scaled values leave the float64 range, which jaxem's log forms avoid).
Compile time is reported separately; run times are best of 3 after a warm-up.
Usage: .venv/bin/python benchmarks/special.py [--quick]
"""
import argparse
import time

import numpy as np


def _best(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    import jax
    import jax.numpy as jnp
    import numba
    import scipy.special as sps
    from miepython.mie_jit import _D_calc_nb
    jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
    import jaxem  # noqa: F401
    from jaxem.special import log_derivative_psi, log_modified_bessel_i, log_modified_bessel_k

    @numba.njit(cache=False)
    def d_loop(m, x, n):
        out = np.empty((len(x), n), np.complex128)
        for i in range(len(x)):
            out[i] = _D_calc_nb(m[i], x[i], n)
        return out

    rng = np.random.default_rng(1)
    n_sph = 10_000 if args.quick else 100_000
    print(f"jax {jax.__version__} backend {jax.default_backend()}")
    print("A: D_l(m x), N spheres")
    from jaxem.special.spherical import log_derivative_psi_columns

    print(f"{'x':>6} {'l_max':>6} {'N':>7} {'compile s':>10} {'jaxem s':>9} {'numba s':>9} {'ratio':>7} "
          f"{'max rel diff':>13} {'cols s':>8} {'ratio cols':>10} {'cols rel diff':>13}")
    for x0 in (10.0, 100.0):
        x = x0 * rng.uniform(0.95, 1.05, n_sph)
        m = (1.5 * rng.uniform(0.95, 1.05, n_sph) + 0.01j).astype(np.complex128)
        l_max = int(np.ceil(x.max() + 4.05 * x.max() ** (1 / 3) + 2))
        z = jnp.asarray(m * x)
        f = jax.jit(lambda z: log_derivative_psi(z, l_max))
        t0 = time.perf_counter()
        fc = f.lower(z).compile()
        t_c = time.perf_counter() - t0
        fc(z).block_until_ready()
        t_j = _best(lambda: fc(z).block_until_ready())
        d_loop(m[:2], x[:2], l_max + 1)
        t_n = _best(lambda: d_loop(m, x, l_max + 1))
        ref = d_loop(m, x, l_max + 1)[:, :-1]  # miepython returns D_1..D_{N-1} and a trailing 0
        got = np.asarray(fc(z))[:, 1:]
        rel = np.max(np.abs(got - ref) / np.abs(ref))
        fcols = jax.jit(lambda z: log_derivative_psi_columns((z,), l_max)[0]).lower(z).compile()
        fcols(z).block_until_ready()
        t_cols = _best(lambda: fcols(z).block_until_ready())
        rel_cols = np.max(np.abs(np.asarray(fcols(z)).T - ref) / np.abs(ref))
        print(f"{x0:6.0f} {l_max:6d} {n_sph:7d} {t_c:10.2f} {t_j:9.3f} {t_n:9.3f} {t_n / t_j:7.2f} {rel:13.1e} "
              f"{t_cols:8.3f} {t_n / t_cols:10.2f} {rel_cols:13.1e}")
    print("B: log I_{l+1/2}(x) and log K_{l+1/2}(x), x grid on [1e-2, 1e3]")
    print(f"{'l_max':>6} {'n_x':>6} {'compile s':>10} {'jaxem s':>9} {'scipy s':>9} {'ratio':>7} {'scipy finite %':>15}")
    for l_max, n_x in ((100, 2000), (1000, 500), (10000, 50)):
        x = np.logspace(-2, 3, n_x)
        xj = jnp.asarray(x)
        g = jax.jit(lambda x: (log_modified_bessel_i(x, l_max), log_modified_bessel_k(x, l_max)))
        t0 = time.perf_counter()
        gc = g.lower(xj).compile()
        t_c = time.perf_counter() - t0
        jax.block_until_ready(gc(xj))
        t_j = _best(lambda: jax.block_until_ready(gc(xj)))
        nu = np.arange(l_max + 1) + 0.5

        def scipy_run():
            with np.errstate(all="ignore"):
                return (np.log(sps.ive(nu, x[:, None])) + x[:, None], np.log(sps.kve(nu, x[:, None])) - x[:, None])

        t_s = _best(scipy_run, repeat=1 if l_max >= 10000 else 3)
        li_s, lk_s = scipy_run()
        fin = np.mean(np.isfinite(li_s) & np.isfinite(lk_s)) * 100
        print(f"{l_max:6d} {n_x:6d} {t_c:10.2f} {t_j:9.3f} {t_s:9.3f} {t_s / t_j:7.2f} {fin:15.1f}")
    print("ratio = baseline time / jaxem time (> 1: jaxem faster); run times exclude compilation.")


if __name__ == "__main__":
    main()
