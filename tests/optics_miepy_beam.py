"""Peer adapter: jaxem's aplanatic LG_{0,ell} beam without coverslip as a MiePy 1.1.0 ``miepy.sources.beam``.

One home for the adapter used by tests/test_optics_miepy.py and benchmarks/optical_forces.py (d). MiePy has no
aplanatic LG beam of its own; this class hands it the angular spectrum sqrt(cos theta) (sqrt2 gamma sin theta)^|ell|
e^{-gamma^2 sin^2 theta} e^{i ell phi} with the helicity polarisation eps_sigma, truncated at sin theta = NA/n_w
(T. Schoger, Dissertation, Universität Augsburg (2024), Eqs. (5.2)-(5.10) with n_s = n_w):

* MiePy evaluates the far-field amplitude at directions theta' in [pi - theta_c, pi] and builds the field from
  plane waves travelling along -r^(theta', phi') = r^(pi - theta', phi' + pi); ``angular_spectrum`` returns the
  (theta', phi') components of jaxem's polarisation vector for that propagation direction.
* MiePy's beam power is P_miepy = E0^2 (1/2Z0) int |E_inf|^2 dOmega, without the medium index; ``E0`` is an exact
  (Gauss-Legendre) evaluation of that integral (MiePy's own uses a 20 x 40 trapezoid grid); ``structure`` is
  overridden only to pass ``sampling`` to MiePy's VSH projection (its default is 20).
"""
from __future__ import annotations

import numpy as np


def aplanatic_lg_beam(miepy, na, n_w, gamma):
    """The beam class for numerical aperture ``na``, medium index ``n_w`` and filling ``gamma``.

    The class is built around the imported ``miepy`` module (an optional dependency); instances take
    (ell, helicity, sampling, power=1.0).
    """
    theta0 = float(np.arcsin(na / n_w))

    class AplanaticLG(miepy.sources.beam):
        """Aplanatic, circularly polarised LG_{0,ell} angular spectrum (jaxem's interface=False beam)."""

        def __init__(self, ell, helicity, sampling, power=1.0):
            super().__init__(power=power, theta_max=theta0)
            self.theta0 = theta0
            self.ell, self.sigma, self.sampling = ell, helicity, sampling

        def pupil(self, th):
            s = np.sin(th)
            return np.sqrt(np.cos(th)) * (np.sqrt(2.0) * gamma * s) ** abs(self.ell) * np.exp(-(gamma * s) ** 2)

        def angular_spectrum(self, theta, phi, k):
            theta, phi = np.asarray(theta, float), np.asarray(phi, float)
            th = np.pi - theta                   # polar angle of the propagation direction
            ph = phi + np.pi
            inside = th <= theta0 * (1 + 1e-12)
            a = np.where(inside, self.pupil(np.clip(th, 0.0, theta0)), 0.0) * np.exp(1j * self.ell * ph)
            c, s, sg = np.cos(th)[..., None], np.sin(th)[..., None], self.sigma
            e_p = np.array([1.0, 1j * sg, 0.0]) / np.sqrt(2)
            e_m = np.array([1.0, -1j * sg, 0.0]) / np.sqrt(2)
            e_z = np.array([0.0, 0.0, 1.0])
            vec = (0.5 * (1 + c) * e_p - 0.5 * (1 - c) * np.exp(2j * sg * ph)[..., None] * e_m
                   - s / np.sqrt(2) * np.exp(1j * sg * ph)[..., None] * e_z) * a[..., None]
            t_hat = np.stack([np.cos(theta) * np.cos(phi), np.cos(theta) * np.sin(phi), -np.sin(theta)], -1)
            p_hat = np.stack([-np.sin(phi), np.cos(phi), np.zeros_like(phi)], -1)
            return np.array([np.sum(vec * t_hat, -1), np.sum(vec * p_hat, -1)])

        def theta_cutoff(self, k, cutoff=1e-6, tol=None):
            return theta0

        def E0(self, k):
            x, w = np.polynomial.legendre.leggauss(200)
            th = 0.5 * theta0 * (x + 1)
            # |eps_sigma| = 1: P_miepy = E0^2 (1/2Z0) 2 pi int sin(theta) |pupil|^2 dtheta
            p = 0.5 / miepy.constants.Z0 * 2 * np.pi * np.sum(0.5 * theta0 * w * np.sin(th) * self.pupil(th) ** 2)
            return np.sqrt(self.power / p)

        def structure(self, position, k, lmax):
            position = np.asarray(position)
            if k != self.k_stored or lmax != self.lmax_stored:
                self.k_stored, self.lmax_stored = k, lmax
                self.p_src_func = miepy.vsh.decomposition.integral_project_source_far(
                    self, k, lmax, sampling=self.sampling, theta_0=np.pi - theta0)
            p = np.empty([position.shape[0], 2, miepy.vsh.lmax_to_rmax(lmax)], dtype=complex)
            for i in range(position.shape[0]):
                p[i] = self.p_src_func(position[i] - self.center)
            return p

    return AplanaticLG
