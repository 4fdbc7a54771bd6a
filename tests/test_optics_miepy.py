"""Peer test: jaxem's focused-beam force against MiePy 1.1.0 (generalized Mie theory, its own VSH expansion of an
angular spectrum and its own force formula).

The beam is jaxem's no-interface limit (interface=False, n_immersion = n_medium): an aplanatic LG_{0,ell}
angular spectrum sqrt(cos theta) (sqrt2 gamma sin theta)^|ell| e^{-gamma^2 sin^2 theta} e^{i ell phi} with the
helicity polarisation eps_sigma = e^{i sigma phi}(theta^ + i sigma phi^)/sqrt2, truncated at sin theta = NA/n_w
(T. Schoger, Dissertation, Universität Augsburg (2024), Eqs. (5.2)-(5.10) with n_s = n_w). It is handed to MiePy
as a custom ``miepy.sources.beam`` subclass (MiePy has no aplanatic LG beam of its own; the adapter lives in
tests/optics_miepy_beam.py, shared with benchmarks/optical_forces.py):

* MiePy evaluates the far-field amplitude at directions theta' in [pi - theta_c, pi] and builds the field from
  plane waves travelling along -r^(theta', phi') = r^(pi - theta', phi' + pi); ``angular_spectrum`` returns the
  (theta', phi') components of jaxem's polarisation vector for that propagation direction.
* MiePy's beam power is P_miepy = E0^2 (1/2Z0) int |E_inf|^2 dOmega, without the medium index; the power
  carried in the medium is n_w P_miepy. ``E0`` is overridden by an exact (Gauss-Legendre) evaluation of that
  integral (MiePy's own uses a 20 x 40 trapezoid grid), so the remaining difference is MiePy's trapezoidal
  VSH projection of the angular spectrum (``integral_project_source_far``, sampling x 2 sampling points,
  O(h^2)); ``structure`` is overridden only to pass ``sampling`` to it (MiePy's default is 20).
* Q = F c/(n_w P), P = n_w P_miepy.

Errors are quoted relative to the largest |Q| of the positions. Measured: ell = 1, sigma = +1 (|Q| <= 0.09):
|dQ|/max|Q| = (5.4e-5, 3.8e-5, 7.5e-5) at sampling 120 (absolute <= 7.2e-6); ell = -2, sigma = -1 (max|Q| = 0.041):
4.8e-4 / 1.2e-4 at sampling 60 / 120 (ratio 4.07, MiePy's h^2 trapezoid error), and the Richardson extrapolation
(4 Q_120 - Q_60)/3 agrees with jaxem to 2.7e-6 (absolute 1e-7).
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.constants as sc

miepy = pytest.importorskip("miepy")

from jaxem.optics import FocusedBeam  # noqa: E402
from jaxem.optics import forces as F  # noqa: E402
from optics_miepy_beam import aplanatic_lg_beam  # noqa: E402

UM = 1e-6
LAM = 1.064 * UM
NW = 1.3246
NPS = 1.5694
NA = 1.2
GAMMA = 1.0
RADIUS = 0.5 * UM
LMAX_JAXEM = 11            # Wiscombe's cut at x = 3.9: |a_11|, |b_11| < 1e-9 (sphere orders; beam to 12)
LMAX_MIEPY = 12            # MiePy pairs a_l with the incident l+1 only up to its lmax: one order more
POSITIONS = np.array([[0.3, 0.2, 0.4], [-0.5, 0.1, -0.2], [0.0, 0.0, 0.3]]) * UM


AplanaticLG = aplanatic_lg_beam(miepy, NA, NW, GAMMA)


def miepy_efficiencies(ell, helicity, sampling, positions=POSITIONS):
    """Q = F c/(n_w P) (Cartesian, one row per position) from MiePy, P = n_w P_miepy = n_w x 1 W."""
    src = AplanaticLG(ell, helicity, sampling)
    cluster = miepy.sphere_cluster(position=positions, radius=RADIUS, material=miepy.constant_material(index=NPS),
                                   medium=miepy.constant_material(index=NW), source=src, wavelength=LAM,
                                   lmax=LMAX_MIEPY, interactions=False)
    return np.asarray(cluster.force()) * sc.c / (NW * NW * src.power)


def jaxem_efficiencies(ell, helicity, positions=POSITIONS):
    beam = FocusedBeam(LAM, NA, NW, NW, GAMMA, ell=ell, helicity=helicity, interface=False)
    rows = []
    for p in positions:
        q = F.optical_force_efficiency(beam, RADIUS, NPS, p, l_max=LMAX_JAXEM)
        rows.append([float(q.x), float(q.y), float(q.z)])
    return np.array(rows)


def test_focused_vortex_force_matches_miepy():
    """Three positions (two off axis), ell = 1, sigma = +1: agreement to MiePy's quadrature accuracy (< 1e-4)."""
    q_m = miepy_efficiencies(1, 1, sampling=120)
    q_j = jaxem_efficiencies(1, 1)
    scale = np.max(np.linalg.norm(q_j, axis=1))
    err = np.linalg.norm(q_m - q_j, axis=1) / scale
    assert np.all(np.linalg.norm(q_j, axis=1) > 1e-2)
    assert np.max(err) < 1e-4, (err, q_m, q_j)
    # on the axis the transverse force vanishes in both (ell = 1 beam is rotationally symmetric there)
    assert np.max(np.abs(q_m[2, :2])) < 1e-4 * abs(q_m[2, 2])


@pytest.mark.slow
def test_miepy_quadrature_error_extrapolates_to_jaxem():
    """MiePy at sampling 60 and 120 (error ~ h^2): the Richardson extrapolation agrees with jaxem to ~1e-6;
    second beam ell = -2, sigma = -1."""
    q_j = jaxem_efficiencies(-2, -1, POSITIONS[:2])
    q_60 = miepy_efficiencies(-2, -1, 60, POSITIONS[:2])
    q_120 = miepy_efficiencies(-2, -1, 120, POSITIONS[:2])
    scale = np.max(np.linalg.norm(q_j, axis=1))
    e_60 = np.linalg.norm(q_60 - q_j, axis=1) / scale
    e_120 = np.linalg.norm(q_120 - q_j, axis=1) / scale
    rich = (4 * q_120 - q_60) / 3
    e_rich = np.linalg.norm(rich - q_j, axis=1) / scale
    # measured: e_60 = (4.8e-4, 1.4e-4), e_120 = (1.2e-4, 3.5e-5) (ratio 4.07), e_rich = (2.7e-6, 8e-7)
    assert np.all(e_120 < 2e-4), e_120
    assert np.all(e_60 > 3.5 * e_120) and np.all(e_60 < 4.5 * e_120), (e_60, e_120)
    assert np.all(e_rich < 0.05 * e_120) and np.all(e_rich < 1e-5), (e_rich, e_120)
