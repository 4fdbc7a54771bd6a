"""Optical force on a sphere in a focused, aberrated LG beam: jaxem (MDSA+ closed forms) against two baselines
measured in the same run.

Cases (polystyrene n = 1.5694 in water 1.3246, lambda0 = 1.064 um, NA 1.4 oil objective n_s = 1.518, sigma = +1):
  (a) one force, R = 1.5 um, ell = 4, full MDSA+ (coverslip at L = 5.6 um, A_ast = 0.254, phi_ast = 0.41 rad,
      gamma = 2.1), compiled and warm: the public call ``optical_force_efficiency`` (three jitted stages plus
      boundary checks) and the same call wrapped in one ``jax.jit`` (target <= 5 ms on CPU);
  (b) a 64 x 64 (rho, z) map of the same beam in one vmapped, jitted call (target <= 10 s on CPU); also with
      A_ast = 0 (MDSA), to show the cost of the astigmatic Jacobi-Anger sum;
  (c) baseline: an independent NumPy/SciPy Maxwell-stress-tensor route for the same MDSA+ force: the focal
      field on a sphere around the particle by direct 2-D angular-spectrum quadrature (u = cos theta_w
      Gauss-Legendre x uniform phi, aberration phases and T(theta) in the integrand, normalised to 1 W by the
      flux of the same angular spectrum), its multipole coefficients by projection onto vector spherical
      harmonics (scipy.special), scattered field from Bohren-Huffman Mie coefficients (scipy), total stress
      tensor integrated on a Gauss x uniform sphere grid; timed per force evaluation;
  (d) MiePy 1.1.0 (generalized Mie theory; it has no coverslip, so jaxem's no-interface beam: NA 1.2,
      n_s = n_w, gamma = 1, ell = 4) with the aplanatic LG angular spectrum as a custom ``miepy.sources.beam``
      (tests/optics_miepy_beam.py) and 120 sampling points (its VSH projection grid 120 x 240, error ~1e-4 in Q): its one-off projection
      per (k, l_max) and its time per position; the jaxem time per position for the same beam (single warm
      call and inside a vmapped batch).
Ratios = baseline time / jaxem time (> 1: jaxem faster), per force evaluation, both measured in this run.
Accuracy columns: |Q_baseline - Q_jaxem| (Q = F c/(n_w P), Cartesian, max over components). jaxem's default
quadrature is converged to ~1e-12 (tests/test_optics_beams.py), so these are the baselines' errors.

The script uses whatever ``jax.devices()`` gives (prints it); NumPy, SciPy and MiePy run on the CPU. The load
average is printed at the start and the end (timings are wall clock on a possibly shared machine).

Usage: .venv/bin/python benchmarks/optical_forces.py [--quick] [--repeats 20] [--map 64] [--no-miepy]
  --quick: 16 x 16 map, R = 0.5 um for MiePy, fewer repeats (about a minute of CPU).
"""
from __future__ import annotations

import argparse
import math
import os
import time

import sys
from pathlib import Path

import numpy as np
import scipy.constants as sc
import scipy.special as sp

from _timing import load, median_time

UM = 1e-6
LAM = 1.064 * UM
NA, N_S, N_W, N_P = 1.4, 1.518, 1.3246, 1.5694
Z0 = sc.mu_0 * sc.c
EPS0 = sc.epsilon_0
MDSA_PLUS = dict(filling=2.1, ell=4, helicity=1, interface_distance=5.6 * UM, astigmatism=0.254,
                 astigmatism_angle=0.41)
RADIUS = 1.5 * UM
POSITION = np.array([0.3 * UM * math.cos(0.7), 0.3 * UM * math.sin(0.7), 0.4 * UM])


# ---------------------------------------------------------------------------------------------
# (c) NumPy/SciPy Maxwell-stress-tensor reference (independent of jaxem)

def numpy_beam(p, n_u, n_phi):
    """Angular-spectrum nodes of the focused beam: wave vectors (n, 3) [1/m] and vector weights (n, 3) [V/m]
    such that E(r) = sum_k w_k exp(i K_k . r), normalised to P = 1 W in the sample; p: beam dict."""
    lam, na, n_s, n_w = p["wavelength"], p["numerical_aperture"], p["n_s"], p["n_w"]
    gamma, ell, sigma = p["filling"], p["ell"], p["helicity"]
    big_l, a_ast, phi_ast = p["interface_distance"], p["astigmatism"], p["astigmatism_angle"]
    k0 = 2 * np.pi / lam
    k_s, k_w, big_n = n_s * k0, n_w * k0, n_w / n_s
    u_min = math.sqrt(max(0.0, 1.0 - min(1.0, na / n_w) ** 2))
    x, wx = np.polynomial.legendre.leggauss(n_u)
    u = u_min + 0.5 * (1 - u_min) * (x + 1)                 # u = cos(theta_w)
    wu = 0.5 * (1 - u_min) * wx
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    wphi = 2 * np.pi / n_phi
    U, PHI = np.meshgrid(u, phi, indexing="ij")
    W = np.repeat(wu[:, None], n_phi, axis=1) * wphi
    sw = np.sqrt(1 - U ** 2)
    st = big_n * sw                                          # Snell: n_s sin(theta) = n_w sin(theta_w)
    ct = np.sqrt(1 - st ** 2)
    jac = big_n ** 2 * U / ct                                # sin(theta) d(theta) = jac du
    t_int = 2 * ct / (ct + big_n * U) if p["interface"] else np.ones_like(U)
    psi = big_l * (k_w * U - k_s * ct / big_n) if p["interface"] else 0.0 * U
    psi_ast = 2 * np.pi * a_ast * (st / (na / n_s)) ** 2 * np.cos(2 * (phi_ast - PHI))
    amp = (np.sqrt(ct) * t_int * (np.sqrt(2) * gamma * st) ** abs(ell) * np.exp(-(gamma * st) ** 2)
           * np.exp(1j * (ell * PHI + psi + psi_ast)))
    # helicity polarisation e^{i sigma phi}(theta_w^ + i sigma phi^)/sqrt2
    th_hat = np.stack([U * np.cos(PHI), U * np.sin(PHI), -sw], -1)
    ph_hat = np.stack([-np.sin(PHI), np.cos(PHI), np.zeros_like(PHI)], -1)
    pol = np.exp(1j * sigma * PHI)[..., None] * (th_hat + 1j * sigma * ph_hat) / np.sqrt(2)
    # power in the sample: (2 pi)^2 n_w/(2 Z0 K^2) int sin(theta) dtheta dphi |E|^2 cos(theta_w)/cos(theta)
    power = (2 * np.pi) ** 2 * n_w / (2 * Z0 * k_s ** 2) * np.sum(W * jac * np.abs(amp) ** 2 * U / ct)
    weights = (W * jac * amp / np.sqrt(power))[..., None] * pol
    kvec = k_w * np.stack([sw * np.cos(PHI), sw * np.sin(PHI), U], -1)
    return kvec.reshape(-1, 3), weights.reshape(-1, 3)


def numpy_field(kvec, weights, points, block=512):
    """E(points) (P, 3) of the angular spectrum, direct summation in blocks of points."""
    out = np.empty((points.shape[0], 3), complex)
    for i in range(0, points.shape[0], block):
        ph = np.exp(1j * (points[i:i + block] @ kvec.T))
        out[i:i + block] = ph @ weights
    return out


def _vsh_tables(l_max, th, ph):
    """Y_lm, X_lm (Cartesian), r^ x X_lm at the surface directions, for 1 <= l <= l_max, |m| <= l."""
    lm = [(l, m) for l in range(1, l_max + 1) for m in range(-l, l + 1)]
    ls = np.array([a for a, _ in lm])[:, None]
    ms = np.array([b for _, b in lm])[:, None]

    table = sp.sph_harm_y_all(l_max, l_max + 1, th, ph)       # (l, m) with negative m at negative indices

    def ylm(l, m):
        ok = np.abs(m) <= l
        return np.where(ok, table[l[:, 0], m[:, 0]], 0.0)

    y0, yp, ym = ylm(ls, ms), ylm(ls, ms + 1), ylm(ls, ms - 1)
    cp = np.sqrt(np.clip((ls - ms) * (ls + ms + 1), 0, None))
    cm = np.sqrt(np.clip((ls + ms) * (ls - ms + 1), 0, None))
    norm = np.sqrt(ls * (ls + 1))
    X = np.stack([0.5 * (cp * yp + cm * ym), 0.5j * (-cp * yp + cm * ym), ms * y0], -1) / norm[..., None]
    rhat = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)
    rxX = np.cross(rhat[None], X)
    return ls[:, 0], y0, X, rxX, rhat


def _mie_ab(x, m, l_max):
    """Bohren-Huffman a_l, b_l (l = 1..l_max) for real relative index m (scipy spherical Bessel functions)."""
    l = np.arange(1, l_max + 1)
    psi = lambda z: z * sp.spherical_jn(l, z)                                            # noqa: E731
    dpsi = lambda z: sp.spherical_jn(l, z) + z * sp.spherical_jn(l, z, derivative=True)  # noqa: E731
    h = sp.spherical_jn(l, x) + 1j * sp.spherical_yn(l, x)
    dh = (sp.spherical_jn(l, x, derivative=True) + 1j * sp.spherical_yn(l, x, derivative=True))
    xi, dxi = x * h, h + x * dh
    mx = m * x
    a = (m * psi(mx) * dpsi(x) - psi(x) * dpsi(mx)) / (m * psi(mx) * dxi - xi * dpsi(mx))
    b = (psi(mx) * dpsi(x) - m * psi(x) * dpsi(mx)) / (psi(mx) * dxi - m * xi * dpsi(mx))
    return a, b


_CACHE = {}


def _surface(l_max, n_t):
    """Position-independent surface data (cached: a map reuses it): Gauss (cos) x uniform grid with 2 n_t
    azimuths, weights and the VSH tables for l <= l_max + 1."""
    key = ("surface", l_max, n_t)
    if key not in _CACHE:
        x, wx = np.polynomial.legendre.leggauss(n_t)
        TH, PH = np.meshgrid(np.arccos(x), 2 * np.pi * np.arange(2 * n_t) / (2 * n_t), indexing="ij")
        w = (np.repeat(wx[:, None], 2 * n_t, axis=1) * (np.pi / n_t)).ravel()
        _CACHE[key] = (w,) + _vsh_tables(l_max + 1, TH.ravel(), PH.ravel())
    return _CACHE[key]


def numpy_stress_force(p, radius, n_sphere, centre, l_max, n_u=32, n_phi=32, n_theta_s=None, r_factor=1.1):
    """Q = F c/(n_w P) (Cartesian) on a sphere at ``centre`` [m] by Maxwell-stress-tensor integration.

    Grids: angular spectrum n_u (Gauss in cos theta_w) x n_phi; surface sphere of radius r_factor R with
    n_theta_s (default l_max + 2) Gauss nodes in cos x 2 n_theta_s azimuths; incident orders l <= l_max + 1.
    The angular-spectrum nodes and the VSH tables do not depend on the position and are cached.
    """
    k_w = 2 * np.pi * p["n_w"] / p["wavelength"]
    key = ("beam", tuple(sorted(p.items())), n_u, n_phi)
    if key not in _CACHE:
        _CACHE[key] = numpy_beam(p, n_u, n_phi)
    kvec, weights = _CACHE[key]
    lq = l_max + 1                                             # incident orders (the l_max/l_max+1 pairs)
    w, ls, Y, X, rxX, rhat = _surface(l_max, n_theta_s or (l_max + 2))
    r0 = r_factor * radius
    kr = k_w * r0
    # incident field on the sphere: direct angular-spectrum quadrature; H = -i sigma (n_w/Z0) E
    e_i = numpy_field(kvec, weights, centre[None, :] + r0 * rhat)
    imp = -1j * p["helicity"] * p["n_w"] / Z0
    h_i = imp * e_i
    # multipole coefficients: least squares over the three projections of E and of H (robust at zeros of j_l)
    jl = sp.spherical_jn(ls, kr)
    djl = (jl + kr * sp.spherical_jn(ls, kr, derivative=True)) / kr       # (kr j_l)'/(kr)
    rad = 1j * np.sqrt(ls * (ls + 1)) * jl / kr
    proj = lambda F, B: np.einsum("p,pc,kpc->k", w, F, B.conj())          # noqa: E731
    e_r, h_r = np.sum(e_i * rhat, -1), np.sum(h_i * rhat, -1)
    z0 = -1j * p["n_w"] / Z0                                               # H = z0 sum (e M + f N)
    y_conj = Y.conj()
    p_er, p_hr = y_conj @ (w * e_r), y_conj @ (w * h_r)
    # e: E.(r x X)* = e djl, E_r Y* = e rad, H.X* = z0 e jl ; f: E.X* = f jl, H.(r x X)* = z0 f djl, H_r Y* = z0 f rad
    num_e = djl.conj() * proj(e_i, rxX) + rad.conj() * p_er + (z0 * jl).conj() * proj(h_i, X)
    den_e = np.abs(djl) ** 2 + np.abs(rad) ** 2 + np.abs(z0 * jl) ** 2
    num_f = jl.conj() * proj(e_i, X) + (z0 * djl).conj() * proj(h_i, rxX) + (z0 * rad).conj() * p_hr
    den_f = np.abs(jl) ** 2 + np.abs(z0 * djl) ** 2 + np.abs(z0 * rad) ** 2
    e_lm, f_lm = num_e / den_e, num_f / den_f
    # scattered field (Bohren-Huffman a_l, b_l; orders l <= l_max)
    a_l, b_l = _mie_ab(k_w * radius, n_sphere / p["n_w"], lq)
    a_l[l_max:], b_l[l_max:] = 0.0, 0.0
    a_lm, b_lm = -a_l[ls - 1] * e_lm, -b_l[ls - 1] * f_lm
    hl = sp.spherical_jn(ls, kr) + 1j * sp.spherical_yn(ls, kr)
    dhl = (hl + kr * (sp.spherical_jn(ls, kr, derivative=True) + 1j * sp.spherical_yn(ls, kr, derivative=True))) / kr
    radh = 1j * np.sqrt(ls * (ls + 1)) * hl / kr
    M = hl[:, None, None] * X
    N = radh[:, None, None] * Y[..., None] * rhat[None] + dhl[:, None, None] * rxX
    e_s = np.einsum("k,kpc->pc", a_lm, N) + np.einsum("k,kpc->pc", b_lm, M)
    h_s = z0 * (np.einsum("k,kpc->pc", a_lm, M) + np.einsum("k,kpc->pc", b_lm, N))
    E, H = e_i + e_s, h_i + h_s
    eps = EPS0 * p["n_w"] ** 2
    er, hr = np.sum(E * rhat, -1), np.sum(H * rhat, -1)
    t_n = 0.5 * np.real(eps * E.conj() * er[:, None] + sc.mu_0 * H.conj() * hr[:, None]
                        - 0.5 * (eps * np.sum(np.abs(E) ** 2, -1) + sc.mu_0 * np.sum(np.abs(H) ** 2, -1))[:, None]
                        * rhat)
    force = r0 ** 2 * np.sum(w[:, None] * t_n, axis=0)
    return force * sc.c / p["n_w"]                    # P = 1 W


# ---------------------------------------------------------------------------------------------
# (d) MiePy with the aplanatic LG angular spectrum

# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="16 x 16 map, R = 0.5 um for MiePy, fewer repeats")
    ap.add_argument("--repeats", type=int, default=None, help="warm repetitions of the single force (median)")
    ap.add_argument("--map", type=int, default=None, help="map size n (n x n positions), default 64")
    ap.add_argument("--no-miepy", action="store_true", help="skip (d)")
    args = ap.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 20)
    n_map = args.map or (16 if args.quick else 64)

    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)  # jaxem computes in float64
    import jaxem
    from jaxem.optics import FocusedBeam, quadrature_order
    from jaxem.optics import forces as F
    from jaxem.optics.beams import _FORCE_S_TOL, _astig_order

    print(f"jaxem {jaxem.__version__}, jax {jax.__version__}, devices {jax.devices()}, {os.cpu_count()} CPU cores; "
          f"{load()}", flush=True)
    rows = []
    beam = FocusedBeam(LAM, NA, N_S, N_W, **MDSA_PLUS)
    l_max = F.default_lmax(beam, RADIUS)

    # (a) one force, compiled and warm
    t0 = time.perf_counter()
    q = F.optical_force_efficiency(beam, RADIUS, N_P, POSITION)
    q.z.block_until_ready()
    t_first = time.perf_counter() - t0
    q_ref = np.array([float(q.x), float(q.y), float(q.z)])
    t_pub, t_pub_min = median_time(lambda: F.optical_force_efficiency(beam, RADIUS, N_P, POSITION).z.block_until_ready(),
                                    repeats)
    n_quad = quadrature_order(beam, l_max + 1, z=abs(POSITION[2]), rho=float(np.hypot(*POSITION[:2])))
    s_max = _astig_order(beam, None, _FORCE_S_TOL)
    jitted = jax.jit(lambda r: F.optical_force_efficiency(beam, RADIUS, N_P, r, l_max=l_max, n_quad=n_quad,
                                                          s_max=s_max).z)
    pos_j = jnp.asarray(POSITION)
    t0 = time.perf_counter()
    jitted(pos_j).block_until_ready()
    t_jit_compile = time.perf_counter() - t0
    t_jit, t_jit_min = median_time(lambda: jitted(pos_j).block_until_ready(), repeats)
    print(f"(a) one force, R = 1.5 um, ell = 4, MDSA+ (l_max = {l_max}, n_quad = {n_quad}, s_max = {s_max}): "
          f"first call {t_first:.1f} s (compiles), public call {t_pub * 1e3:.2f} ms (median; min "
          f"{t_pub_min * 1e3:.2f}), one jit: compile {t_jit_compile:.1f} s, run {t_jit * 1e3:.2f} ms (median; min "
          f"{t_jit_min * 1e3:.2f}); target <= 5 ms; Q = {np.array2string(q_ref, precision=6)}", flush=True)
    rows.append(("(a) jaxem one force, public call", t_pub, None, None))
    rows.append(("(a) jaxem one force, one jit", t_jit, None, None))

    # (b) n x n map in one vmapped call
    rho = np.linspace(0.0, 2.0 * UM, n_map)
    zz = np.linspace(-1.0 * UM, 2.0 * UM, n_map)
    g_rho, g_z = np.meshgrid(rho, zz, indexing="ij")
    pos = jnp.asarray(np.stack([g_rho.ravel(), np.zeros(g_rho.size), g_z.ravel()], -1))
    for label, b in (("MDSA+", beam), ("MDSA (A_ast = 0)", FocusedBeam(LAM, NA, N_S, N_W, **dict(MDSA_PLUS, astigmatism=0.0)))):
        nq = quadrature_order(b, l_max + 1, z=2.0 * UM, rho=2.0 * UM)
        sm = _astig_order(b, None, _FORCE_S_TOL)
        fn = jax.jit(jax.vmap(lambda r, b=b, nq=nq, sm=sm: F.optical_force_efficiency(
            b, RADIUS, N_P, r, l_max=l_max, n_quad=nq, s_max=sm).z))
        t0 = time.perf_counter()
        compiled = fn.lower(pos).compile()
        t_c = time.perf_counter() - t0
        compiled(pos).block_until_ready()
        t_map, _ = median_time(lambda: compiled(pos).block_until_ready(), 2 if not args.quick else 1)
        print(f"(b) {n_map} x {n_map} map, {label} (n_quad = {nq}, s_max = {sm}): compile {t_c:.1f} s, run "
              f"{t_map:.2f} s ({t_map / pos.shape[0] * 1e3:.2f} ms/position); target <= 10 s for 64 x 64; "
              f"{load()}", flush=True)
        rows.append((f"(b) jaxem map {n_map}x{n_map} {label}, per position", t_map / pos.shape[0], None, None))
    t_map_point = rows[-2][1]

    # (c) NumPy/SciPy stress-tensor baseline, same MDSA+ force
    p_np = dict(wavelength=LAM, numerical_aperture=NA, n_s=N_S, n_w=N_W, interface=True, **MDSA_PLUS)
    t0 = time.perf_counter()
    q_np = numpy_stress_force(p_np, RADIUS, N_P, POSITION, l_max)
    t_np_first = time.perf_counter() - t0
    t_np, _ = median_time(lambda: numpy_stress_force(p_np, RADIUS, N_P, POSITION, l_max), 2 if args.quick else 3)
    err_np = float(np.max(np.abs(q_np - q_ref)))
    print(f"(c) NumPy/SciPy Maxwell stress tensor (direct angular spectrum 32 x 32, surface {l_max + 2} x "
          f"{2 * l_max + 4}, VSH projection, l <= {l_max + 1}; nodes and VSH tables cached as in a map): "
          f"{t_np:.3f} s/force (first call {t_np_first:.2f} s), |dQ| = {err_np:.1e} vs jaxem; {load()}", flush=True)
    rows.append(("(c) NumPy MST, per force", t_np, t_np / t_jit, err_np))

    # (d) MiePy at 120 sampling points, no-interface beam
    if not args.no_miepy:
        try:
            import miepy
        except ImportError as exc:                      # pragma: no cover - reported, not fatal
            print(f"(d) MiePy not available: {exc}")
        else:
            r_m = 0.5 * UM if args.quick else RADIUS
            na_m, gamma_m, ell_m = 1.2, 1.0, 4
            b_m = FocusedBeam(LAM, na_m, N_W, N_W, gamma_m, ell=ell_m, helicity=1, interface=False)
            lm = F.default_lmax(b_m, r_m)
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
            from optics_miepy_beam import aplanatic_lg_beam     # the adapter shared with tests/test_optics_miepy.py
            src = aplanatic_lg_beam(miepy, na_m, N_W, gamma_m)(ell_m, 1, 120)
            positions = np.array([[0.3, 0.2, 0.4], [-0.5, 0.1, -0.2], [0.2, -0.4, 0.1], [0.0, 0.6, 0.3]]) * UM
            t0 = time.perf_counter()
            cluster = miepy.sphere_cluster(position=positions[:1], radius=r_m, material=miepy.constant_material(index=N_P),
                                           medium=miepy.constant_material(index=N_W), source=src, wavelength=LAM,
                                           lmax=lm + 1, interactions=False)
            t_setup = time.perf_counter() - t0
            q_m, t_pos = [], []
            for p in positions:
                t0 = time.perf_counter()
                cluster.update_position(p[None, :])
                f = np.asarray(cluster.force())[0]
                t_pos.append(time.perf_counter() - t0)
                q_m.append(f * sc.c / (N_W * N_W * src.power))
            t_mp = float(np.median(t_pos[1:] if len(t_pos) > 1 else t_pos))
            q_m = np.array(q_m)
            nq_m = quadrature_order(b_m, lm + 1, z=0.6 * UM, rho=0.6 * UM)
            f_one = jax.jit(lambda r: F.optical_force_efficiency(b_m, r_m, N_P, r, l_max=lm, n_quad=nq_m, s_max=0))
            q_j = np.array([[float(v) for v in (lambda q: (q.x, q.y, q.z))(f_one(jnp.asarray(p)))] for p in positions])
            t_j1, _ = median_time(lambda: f_one(jnp.asarray(positions[0])).z.block_until_ready(), repeats)
            f_map = jax.jit(jax.vmap(lambda r: F.optical_force_efficiency(b_m, r_m, N_P, r, l_max=lm, n_quad=nq_m,
                                                                          s_max=0).z))
            f_map(pos).block_until_ready()
            t_jm, _ = median_time(lambda: f_map(pos).block_until_ready(), 1 if args.quick else 2)
            t_jm /= pos.shape[0]
            err_m = float(np.max(np.abs(q_m - q_j)))
            print(f"(d) MiePy 1.1.0, sampling 120, no-interface beam (NA {na_m}, gamma {gamma_m}, ell {ell_m}), R = "
                  f"{r_m / UM:g} um, lmax {lm + 1}: one-off projection {t_setup:.1f} s, {t_mp * 1e3:.1f} ms/position; "
                  f"jaxem (l_max {lm}, n_quad {nq_m}) {t_j1 * 1e3:.2f} ms/position single, {t_jm * 1e3:.3f} "
                  f"ms/position in a {n_map}x{n_map} batch; max |dQ| = {err_m:.1e} over {len(positions)} positions; "
                  f"{load()}", flush=True)
            rows.append(("(d) jaxem no-interface beam, single", t_j1, None, None))
            rows.append(("(d) jaxem no-interface beam, batched", t_jm, None, None))
            rows.append(("(d) MiePy s=120 per position (excl. setup)", t_mp, t_mp / t_j1, err_m))
            rows.append(("(d) MiePy s=120 setup (once per k, lmax) + 1 position", t_setup, t_setup / t_j1, err_m))
            rows.append(("(d) MiePy s=120 per position vs jaxem batched", t_mp, t_mp / t_jm, err_m))

    print()
    print(f"{'case':56s} {'time / eval':>14s} {'ratio':>10s} {'|dQ|':>9s}")
    for name, t, ratio, err in rows:
        ts = f"{t * 1e3:.3f} ms" if t < 1 else f"{t:.2f} s"
        print(f"{name:56s} {ts:>14s} {'' if ratio is None else f'{ratio:.0f}x':>10s} "
              f"{'' if err is None else f'{err:.1e}':>9s}")
    print(f"ratio = baseline time / jaxem time per evaluation ((c): vs the one-jit single force (a); (d): vs the "
          f"same-beam jaxem single call or batch). |dQ|: max |Q_baseline - Q_jaxem|. (b) map per position "
          f"{t_map_point * 1e3:.2f} ms. {load()}")


if __name__ == "__main__":
    main()
