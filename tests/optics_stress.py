"""Test oracle: optical force and torque by direct Maxwell-stress-tensor integration (NumPy/SciPy only).

Independent of jaxem: vector spherical harmonics from scipy.special (Condon-Shortley phase), fields
E = sum e N^reg + f M^reg + a N^out + b M^out, H = (1/(i omega mu0)) curl E, and the time-averaged stress
tensor integrated over a sphere of radius r0 around the particle with a Gauss-Legendre (cos theta) x
uniform (phi) product rule, which is exact for band-limited integrands.

Conventions (the ones the library documents): X_lm = L Y_lm / sqrt(l(l+1)), M = z_l(Kr) X_lm,
N = curl M / K = (1/(Kr)) [i sqrt(l(l+1)) z_l Y_lm r^ + (Kr z_l)' r^ x X_lm], z = j_l (reg) or h_l^(1)
(out); coefficient arrays in the (L+1, 2L+3) layout (row l, column m + L + 1).
"""
from __future__ import annotations

import numpy as np
import scipy.constants as sc
import scipy.special as sp

EPS0 = sc.epsilon_0
MU0 = sc.mu_0
C = sc.c


def quadrature_sphere(n_theta, n_phi):
    """Unit vectors r^ (P, 3), polar/azimuthal angles and weights of a product rule on the unit sphere."""
    x, w = np.polynomial.legendre.leggauss(n_theta)
    theta = np.arccos(x)
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    th, ph = np.meshgrid(theta, phi, indexing="ij")
    wt = np.repeat(w[:, None], n_phi, axis=1) * (2 * np.pi / n_phi)
    rhat = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=-1)
    return rhat.reshape(-1, 3), th.ravel(), ph.ravel(), wt.ravel()


def _ylm(l, m, th, ph):
    if abs(m) > l:
        return np.zeros_like(th, dtype=complex)
    return sp.sph_harm_y(l, m, th, ph)


def vsh_x(l, m, th, ph):
    """X_lm(theta, phi) as Cartesian (P, 3) complex array."""
    cp = np.sqrt(max((l - m) * (l + m + 1), 0))
    cm = np.sqrt(max((l + m) * (l - m + 1), 0))
    yp, ym, y0 = _ylm(l, m + 1, th, ph), _ylm(l, m - 1, th, ph), _ylm(l, m, th, ph)
    ex = np.array([1, 0, 0])
    ey = np.array([0, 1, 0])
    ez = np.array([0, 0, 1])
    v = (0.5 * cp * yp[:, None] * (ex - 1j * ey) + 0.5 * cm * ym[:, None] * (ex + 1j * ey)
         + m * y0[:, None] * ez)
    return v / np.sqrt(l * (l + 1))


def _radial(l, kr, kind):
    j = sp.spherical_jn(l, kr)
    jp = sp.spherical_jn(l, kr, derivative=True)
    if kind == "reg":
        return j, jp
    y = sp.spherical_yn(l, kr)
    yp = sp.spherical_yn(l, kr, derivative=True)
    return j + 1j * y, jp + 1j * yp


def vsh_mn(l, m, k, points, kind):
    """M_lm and N_lm (P, 3) at Cartesian points (P, 3) (no point at the origin)."""
    r = np.linalg.norm(points, axis=-1)
    rhat = points / r[:, None]
    th = np.arccos(np.clip(rhat[:, 2], -1, 1))
    ph = np.arctan2(rhat[:, 1], rhat[:, 0])
    x = vsh_x(l, m, th, ph)
    kr = k * r
    z, zp = _radial(l, kr, kind)
    M = z[:, None] * x
    y = _ylm(l, m, th, ph)
    dz = z + kr * zp
    N = (1j * np.sqrt(l * (l + 1)) * z * y)[:, None] * rhat + dz[:, None] * np.cross(rhat, x)
    N = N / kr[:, None]
    return M, N


def multipole_fields(coeffs, k, points, n_medium):
    """E [V/m] and H [A/m] (P, 3) of sum over (coefficient array pairs, kind).

    coeffs: list of (e, f, kind) with e, f in the (L+1, 2L+3) layout and kind 'reg' or 'out'.
    """
    E = np.zeros(points.shape, complex)
    H = np.zeros(points.shape, complex)
    for e, f, kind in coeffs:
        L = e.shape[0] - 1
        for l in range(1, L + 1):
            for m in range(-l, l + 1):
                ce, cf = e[l, m + L + 1], f[l, m + L + 1]
                if ce == 0 and cf == 0:
                    continue
                M, N = vsh_mn(l, m, k, points, kind)
                E += ce * N + cf * M
                H += ce * M + cf * N
    # H = (1/(i omega mu0)) curl E, curl M = K N, curl N = K M, K/(omega mu0) = n/(mu0 c)
    H *= -1j * n_medium / (MU0 * C)
    return E, H


def stress_force_torque(E, H, rhat, w, r0, n_medium):
    """Force [N] and torque about the origin [N m] from fields on the sphere r0 r^ (quadrature weights w)."""
    eps = EPS0 * n_medium ** 2
    er = np.sum(E * rhat, axis=-1)
    hr = np.sum(H * rhat, axis=-1)
    t_n = 0.5 * np.real(eps * np.conj(E) * er[:, None] + MU0 * np.conj(H) * hr[:, None]
                        - 0.5 * (eps * np.sum(np.abs(E) ** 2, -1) + MU0 * np.sum(np.abs(H) ** 2, -1))[:, None]
                        * rhat)
    force = r0 ** 2 * np.sum(w[:, None] * t_n, axis=0)
    torque = r0 ** 3 * np.sum(w[:, None] * np.cross(rhat, t_n), axis=0)
    return force, torque


def multipole_stress(e, f, a_lm, b_lm, k, n_medium, r0, n_theta=60, n_phi=120, incident=None):
    """Force and torque on a scatterer with scattered coefficients (a_lm, b_lm) in the incident field.

    The incident field is the regular multipole series of (e, f), or, when ``incident`` is given, the
    callable incident(points) -> (E, H) (e.g. a Debye-Wolf field evaluated directly).
    """
    rhat, _, _, w = quadrature_sphere(n_theta, n_phi)
    pts = r0 * rhat
    Es, Hs = multipole_fields([(a_lm, b_lm, "out")], k, pts, n_medium)
    if incident is None:
        Ei, Hi = multipole_fields([(e, f, "reg")], k, pts, n_medium)
    else:
        Ei, Hi = incident(pts)
        Ei, Hi = np.asarray(Ei), np.asarray(Hi)
    return stress_force_torque(Ei + Es, Hi + Hs, rhat, w, r0, n_medium)


def plane_wave_coefficients(L, sigma, e0=1.0):
    """(e, f) of E0 (x^ + i sigma y^)/sqrt2 e^{iKz}: f_{l,sigma} = i^l sqrt(2 pi (2l+1)) E0, e = sigma f."""
    e = np.zeros((L + 1, 2 * L + 3), complex)
    f = np.zeros_like(e)
    for l in range(1, L + 1):
        f[l, sigma + L + 1] = 1j ** l * np.sqrt(2 * np.pi * (2 * l + 1)) * e0
    e[:] = sigma * f
    return e, f
