"""Optical forces and torques (jaxem.optics.forces): generic multipole formula, MDSA+ closed forms, sphere
T-matrices, limits, symmetries, autodiff.

Oracles: direct Maxwell-stress-tensor integration (tests/optics_stress.py), miepython (plane-wave radiation
pressure), the explicit chiral T-matrix for the kappa sign of Schoger Eq. (5.24) written here with SciPy, the dipole (Rayleigh) force with the
Debye-Wolf focal field, and converged regression values.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.constants as sc
import scipy.special as sp

import jax
import jax.numpy as jnp

import optics_stress as ost
from jaxem.optics import forces as F

LAM = 1.064e-6
NS = 1.518
NW = 1.3246
NPS = 1.5694
K0 = 2 * np.pi / LAM
KW = NW * K0


def _random_coeffs(rng, L, scale=1.0):
    e = np.zeros((L + 1, 2 * L + 3), complex)
    f = np.zeros_like(e)
    for l in range(1, L + 1):
        for m in range(-l, l + 1):
            e[l, m + L + 1] = scale * (rng.normal() + 1j * rng.normal())
            f[l, m + L + 1] = scale * (rng.normal() + 1j * rng.normal())
    return e, f


def _cplx(rng, n, scale):
    return scale * (rng.normal(size=n) + 1j * rng.normal(size=n))


# ---------------------------------------------------------------------------------------------
# generic formula vs Maxwell stress tensor

def test_multipole_force_and_torque_match_stress_tensor():
    rng = np.random.default_rng(7)
    L = 6
    e, f = _random_coeffs(rng, L)
    n = L - 1
    a, b, tem, tme = _cplx(rng, n, 0.5), _cplx(rng, n, 0.5), _cplx(rng, n, 0.3), _cplx(rng, n, 0.3)
    pad = lambda v: np.concatenate([[0], v, [0]])  # noqa: E731
    a_lm = -(pad(a)[:, None] * e + pad(tem)[:, None] * f)
    b_lm = -(pad(tme)[:, None] * e + pad(b)[:, None] * f)
    force_ref, torque_ref = ost.multipole_stress(e, f, a_lm, b_lm, KW, NW, r0=1.3e-6, n_theta=40, n_phi=80)
    got = F.multipole_force(e, f, a, b, KW, t_em=tem, t_me=tme, n_medium=NW)
    tau = F.multipole_torque(e, f, a, b, KW, t_em=tem, t_me=tme, n_medium=NW)
    err_f = np.max(np.abs(np.asarray(got.total) - force_ref)) / np.max(np.abs(force_ref))
    err_t = np.max(np.abs(np.asarray(tau) - torque_ref)) / np.max(np.abs(torque_ref))
    assert err_f < 1e-8, err_f
    assert err_t < 1e-8, err_t
    np.testing.assert_allclose(np.asarray(got.scat + got.ext), np.asarray(got.total), rtol=1e-14)


def test_plane_wave_expansion_convention():
    """(e, f) of the circular plane wave resum to E0 (x + i sigma y)/sqrt2 e^{iKz} with the oracle's VSH."""
    pts = np.array([[1e-7, 2e-7, -1.5e-7], [3e-7, -1e-7, 2e-7], [0.0, 0.0, 4e-7]])
    for sigma in (1, -1):
        e, f = ost.plane_wave_coefficients(30, sigma)
        E, _ = ost.multipole_fields([(e, f, "reg")], KW, pts, NW)
        ref = np.exp(1j * KW * pts[:, 2])[:, None] * np.array([1, 1j * sigma, 0]) / np.sqrt(2)
        assert np.max(np.abs(E - ref)) < 1e-12


@pytest.mark.parametrize("sigma", [1, -1])
def test_plane_wave_radiation_pressure_matches_miepython(sigma):
    import miepython

    l_max = LMAX_P          # >= Wiscombe's cut for all three spheres; shared with the focused-beam tests
    assert F.default_lmax(_PlaneBeam(), 0.75e-6) <= l_max
    for radius, n in ((0.3e-6, 1.5694), (0.75e-6, 1.5694), (0.5e-6, 2.1)):
        x = KW * radius
        a, b = F.helicity_coefficients(radius, n, LAM, NW, l_max, sigma)
        e, f = ost.plane_wave_coefficients(l_max + 1, sigma)
        force = F.multipole_force(e, f, a, b, KW, n_medium=NW)
        intensity = NW * sc.epsilon_0 * sc.c / 2          # |E0| = 1 V/m
        q_pr = np.asarray(force.total)[2] / (NW * intensity / sc.c) / (np.pi * radius ** 2)
        qext, qsca, _, g = miepython.efficiencies_mx(n / NW, x)
        ref = qext - g * qsca
        assert abs(q_pr - ref) < 1e-8 * abs(ref), (radius, n, q_pr, ref)
        assert np.max(np.abs(np.asarray(force.total)[:2])) < 1e-12 * abs(np.asarray(force.total)[2])


class _PlaneBeam:
    wavelength = LAM
    n_medium = NW


def test_plane_wave_spin_torque_needs_absorption():
    """Spin torque of a circular plane wave: zero on a lossless sphere, sigma-signed on an absorbing one."""
    radius = 0.5e-6
    l_max = LMAX_P
    for sigma in (1, -1):
        e, f = ost.plane_wave_coefficients(l_max + 1, sigma)
        a, b = F.helicity_coefficients(radius, NPS, LAM, NW, l_max, sigma)
        tau = np.asarray(F.multipole_torque(e, f, a, b, KW, n_medium=NW))
        scale = sc.epsilon_0 * NW ** 2 / KW ** 3
        assert np.max(np.abs(tau)) / scale < 1e-12
        a, b = F.helicity_coefficients(radius, NPS + 0.05j, LAM, NW, l_max, sigma)
        tau = np.asarray(F.multipole_torque(e, f, a, b, KW, n_medium=NW))
        assert np.sign(tau[2]) == sigma and abs(tau[2]) / scale > 1.0
        # absorbed power / omega times sigma: tau_z = sigma C_abs I/omega (angular momentum sigma hbar/photon)
        import miepython
        qext, qsca, _, _ = miepython.efficiencies_mx((NPS + 0.05j) / NW, KW * radius)
        intensity = NW * sc.epsilon_0 * sc.c / 2
        ref = sigma * (qext - qsca) * np.pi * radius ** 2 * intensity / (sc.c * K0)
        assert abs(tau[2] - ref) < 1e-8 * abs(ref)


# ---------------------------------------------------------------------------------------------
# closed forms (Eqs. 5.28-5.33) vs the generic formula, for arbitrary G

@pytest.mark.parametrize("sigma,ell", [(1, 0), (-1, 2), (1, -3)])
def test_closed_forms_equal_generic_formula(sigma, ell):
    rng = np.random.default_rng(11 + ell)
    L = 7
    H, _ = _random_coeffs(rng, L)
    l = np.arange(L + 1)[:, None]
    m = np.arange(-L - 1, L + 2)[None, :]
    f = (1j ** np.mod(l + m - sigma - ell, 4)) * np.sqrt(2 * np.pi * (2 * l + 1)) * H
    e = sigma * f
    a, b = _cplx(rng, L - 1, 0.5), _cplx(rng, L - 1, 0.5)
    gen = F.multipole_force(e, f, a, b, KW, n_medium=NW)
    q_gen_s = np.asarray(gen.scat) * sc.c / NW        # P = 1 W
    q_gen_e = np.asarray(gen.ext) * sc.c / NW
    pad = lambda v: jnp.asarray(np.concatenate([[0], v, [0]]))  # noqa: E731
    hs = F._strip_phases(jnp.asarray(f))
    s, x = jax.jit(F._closed_form_sums, static_argnums=3)(hs, pad(a), pad(b), sigma)
    p = np.pi * sc.epsilon_0 * sc.c / (4 * NW * K0 ** 2)
    scale = np.max(np.abs(q_gen_s)) + np.max(np.abs(q_gen_e))
    assert np.max(np.abs(np.asarray(s) * p - q_gen_s)) < 1e-12 * scale
    assert np.max(np.abs(np.asarray(x) * p - q_gen_e)) < 1e-12 * scale


# ---------------------------------------------------------------------------------------------
# chiral T-matrix: mapping of the foundation's Lindell convention to Eq. (5.24)

def _riccati(l, z):
    j = sp.spherical_jn(l, z)
    jp = sp.spherical_jn(l, z, derivative=True)
    return z * j, j + z * jp


def _riccati_xi(l, x):
    h = sp.spherical_jn(l, x) + 1j * sp.spherical_yn(l, x)
    hp = sp.spherical_jn(l, x, True) + 1j * sp.spherical_yn(l, x, True)
    return x * h, h + x * hp


def _explicit_chiral_t(x, n, kappa, nw, l):
    """Chiral T_l from the Beltrami-wave boundary problem (n_+- = n +- kappa, eta_r = n_w/n), written
    independently: T = -[[eta S xi - xi', D xi], [eta D xi, S xi - eta xi']]^-1
    [[psi' - eta S psi, -D psi], [-eta D psi, eta psi' - S psi]], S, D = (D_+ +- D_-)/2, D_+- = psi'/psi(m_+- x)."""
    eta = nw / n
    dp = [(lambda p: p[1] / p[0])(_riccati(l, (n + s * kappa) / nw * x)) for s in (1, -1)]
    S, D = 0.5 * (dp[0] + dp[1]), 0.5 * (dp[0] - dp[1])
    psi, dpsi = _riccati(l, x)
    xi, dxi = _riccati_xi(l, x)
    lhs = np.array([[eta * S * xi - dxi, D * xi], [eta * D * xi, S * xi - eta * dxi]])
    rhs = np.array([[dpsi - eta * S * psi, -D * psi], [-eta * D * psi, eta * dpsi - S * psi]])
    return -np.linalg.solve(lhs, rhs)


def test_chiral_t_matrix_matches_explicit_form_and_kappa_sign():
    x, kappa = 3.7, 0.05 * NW
    radius = x / KW
    l_max = LMAX_P
    t = [np.asarray(v) for v in F.sphere_t_matrix(radius, NPS, LAM, NW, l_max, chirality=kappa)]
    for l in range(1, l_max + 1):
        ref = _explicit_chiral_t(x, NPS, kappa, NW, l)
        got = np.array([[t[0][l - 1], t[1][l - 1]], [t[2][l - 1], t[3][l - 1]]])
        assert np.max(np.abs(got - ref)) < 1e-12 * max(1e-3, np.max(np.abs(ref))), (l, got, ref)
        # reciprocity and unitarity (lossless n_+-)
        assert abs(got[0, 1] - got[1, 0]) < 1e-14
        assert np.max(np.abs(got + got.conj().T - 2 * got.conj().T @ got)) < 1e-14


def test_chiral_limit_kappa_to_zero():
    radius, l_max = 0.45e-6, LMAX_P
    iso = np.asarray(F.helicity_coefficients(radius, NPS + 0.01j, LAM, NW, l_max, 1))
    # the chiral (bi-isotropic) path at kappa -> 0 joins Bohren-Huffman continuously
    chiral0 = F.helicity_coefficients(radius, NPS + 0.01j, LAM, NW, l_max, 1, chirality=1e-14)
    assert np.max(np.abs(np.asarray(chiral0) - iso)) < 1e-12
    for kappa in (1e-4, 1e-6):
        for sigma in (1, -1):
            c = np.asarray(F.helicity_coefficients(radius, NPS + 0.01j, LAM, NW, l_max, sigma, chirality=kappa))
            iso_s = np.asarray(F.helicity_coefficients(radius, NPS + 0.01j, LAM, NW, l_max, sigma))
            d = np.max(np.abs(c - iso_s))
            assert 1e-3 * kappa < d < 100 * kappa


def test_bad_input_raises():
    e, f = ost.plane_wave_coefficients(4, 1)
    with pytest.raises(ValueError, match="e must have shape"):
        F.multipole_force(e[:, :-1], f, np.zeros(3), np.zeros(3), KW)
    with pytest.raises(ValueError, match="k"):
        F.multipole_force(e, f, np.zeros(3), np.zeros(3), -1.0)
    with pytest.raises(ValueError, match="orders"):
        F.multipole_force(e, f, np.zeros(6), np.zeros(6), KW)
    with pytest.raises(ValueError, match="radius"):
        F.sphere_t_matrix(0.0, NPS, LAM, NW, 5)
    with pytest.raises(ValueError, match="helicity"):
        F.helicity_coefficients(1e-6, NPS, LAM, NW, 5, 0)


# ---------------------------------------------------------------------------------------------
# focused beams (jaxem.optics.beams / beam_shape)

UM = 1e-6
R_P = 0.45 * UM
POS_P = np.array([0.25 * UM * np.cos(0.7), 0.25 * UM * np.sin(0.7), 0.15 * UM])
LMAX_P = 14
CASES = {
    "P1": dict(numerical_aperture=1.2, filling=1.3, ell=2, helicity=-1, interface_distance=4 * UM,
               astigmatism=0.25, astigmatism_angle=0.4),
    "P2": dict(numerical_aperture=1.4, filling=0.8, ell=0, helicity=1, interface_distance=3 * UM),
    "P3": dict(numerical_aperture=1.4, filling=2.5, ell=-3, helicity=1, interface_distance=5 * UM,
               astigmatism=0.3, astigmatism_angle=1.0),
}
# converged regression values (A_ell, Q_scat (rho, phi, z), Q_ext (rho, phi, z)) of an independent NumPy
# prototype (1600 theta nodes, |s| <= 25), tolerance 1e-8 absolute
REGRESSION = {
    "P1": (0.69156509, (-0.01391032, -0.02879777, -0.11016968), (0.03187380, 0.06429830, 0.09657669)),
    "P2": (0.60198925, (-0.09125687, -0.02376030, -0.40550265), (-0.04609336, 0.01453038, 0.38460929)),
    "P3": (5.80597425, (-0.01207454, 0.01175832, -0.02573798), (0.03186568, -0.00872058, 0.02439746)),
}
# shared static sizes (one compilation serves many tests): converged for every P-case position used here
NQ = 48
SMAX = 20


def _beam(name, **over):
    from jaxem.optics.beams import FocusedBeam
    kw = dict(CASES[name])
    kw.update(over)
    return FocusedBeam(LAM, n_immersion=NS, n_medium=NW, **kw)


def _qvec(q):
    return np.array([q.rho, q.phi, q.z], dtype=float)


def _eff(beam, position, radius=R_P, n=NPS, **kw):
    kw.setdefault("l_max", LMAX_P)
    kw.setdefault("n_quad", NQ)
    kw.setdefault("s_max", SMAX)
    return F.optical_force_efficiency(beam, radius, n, position, **kw)


@pytest.mark.parametrize("name", ["P1", "P2", "P3"])
def test_regression_values(name):
    beam = _beam(name)
    q = _eff(beam, POS_P)          # converged: the default rules (56-72 nodes, S = 17-18) agree to 1e-16
    a_ell, q_scat, q_ext = REGRESSION[name]
    assert abs(float(beam.A_ell) - a_ell) < 1e-8
    assert np.max(np.abs(np.array([q.rho_scat, q.phi_scat, q.z_scat]) - q_scat)) < 1e-8
    assert np.max(np.abs(np.array([q.rho_ext, q.phi_ext, q.z_ext]) - q_ext)) < 1e-8
    np.testing.assert_allclose(_qvec(q), np.add(q_scat, q_ext), atol=2e-8)


def _p1_closed_and_coefficients():
    from jaxem.optics.beam_shape import beam_shape_coefficients
    beam = _beam("P1")
    q = _eff(beam, POS_P)
    closed = np.array([q.x, q.y, q.z])
    e, f = beam_shape_coefficients(beam, POS_P, LMAX_P + 1, n_quad=NQ, s_max=SMAX)
    a, b = F.helicity_coefficients(R_P, NPS, LAM, NW, LMAX_P, beam.helicity)
    return beam, closed, np.asarray(e), np.asarray(f), np.asarray(a), np.asarray(b)


def test_closed_forms_equal_generic_formula_for_focused_beam():
    """Closed forms (5.28)-(5.33) = generic App. C formula fed with the beam's own coefficients."""
    _, closed, e, f, a, b = _p1_closed_and_coefficients()
    gen = np.asarray(F.multipole_force(e, f, a, b, KW, n_medium=NW).total) * sc.c / NW      # P = 1 W
    assert np.max(np.abs(gen - closed)) < 1e-8 * np.max(np.abs(closed))


@pytest.mark.slow
def test_closed_forms_equal_stress_tensor_of_debye_wolf_field():
    """Closed forms = stress tensor of (direct Debye-Wolf incident field + scattered multipoles)."""
    from jaxem.optics.beams import focal_field
    beam, closed, e, f, a, b = _p1_closed_and_coefficients()
    r0 = 1.25 * R_P
    field = jax.jit(jax.vmap(lambda r: focal_field(beam, r, n_quad=NQ, s_max=SMAX)))

    def incident(points):
        E, H = field(jnp.asarray(points + POS_P))
        return np.asarray(E), np.asarray(H)

    pad = lambda v: np.concatenate([[0], v, [0]])  # noqa: E731
    a_lm, b_lm = -pad(a)[:, None] * e, -pad(b)[:, None] * f
    force, _ = ost.multipole_stress(e, f, a_lm, b_lm, KW, NW, r0, n_theta=44, n_phi=88, incident=incident)
    mst = force * sc.c / NW
    assert np.max(np.abs(mst - closed)) < 1e-8 * np.max(np.abs(closed)), (mst, closed)


def _dipole_q(beam, position, radius):
    """Rayleigh force F_i = (eps0 n_w^2/2) Re[alpha sum_j E_j d_i E_j*], alpha = 6 pi i a_1/K_w^3, as Q."""
    from jaxem.optics.beams import focal_field
    fe = lambda r: focal_field(beam, r, n_quad=NQ, s_max=SMAX)[0]  # noqa: E731
    dE, E = jax.jacfwd(lambda r: (fe(r), fe(r)), has_aux=True)(jnp.asarray(position))
    E, dE = np.asarray(E), np.asarray(dE)                            # dE[j, i] = d E_j / d x_i
    a, _ = F.helicity_coefficients(radius, NPS, LAM, NW, LMAX_P, beam.helicity)
    alpha = 6j * np.pi * complex(a[0]) / KW ** 3
    force = sc.epsilon_0 * NW ** 2 / 2 * np.real(alpha * np.einsum("j,ji->i", E, np.conj(dE)))
    return force * sc.c / NW


@pytest.mark.parametrize("name", ["P2", pytest.param("P1", marks=pytest.mark.slow)])
def test_dipole_limit(name):
    """Small spheres: Q -> Rayleigh dipole force with the Debye-Wolf field; the deviation is the O(x^2)
    (magnetic-dipole / quadrupole) correction: x9 from R = 10 to 30 nm."""
    beam = _beam(name)
    rel = {}
    for radius in (10e-9, 30e-9):
        # P1: default rules (Wiscombe l_max, quadrature_order, astigmatism cut); P2: the shared static sizes
        q = F.optical_force_efficiency(beam, radius, NPS, POS_P) if name == "P1" else _eff(beam, POS_P, radius)
        got = np.array([q.x, q.y, q.z])
        ref = _dipole_q(beam, POS_P, radius)
        big = np.abs(got) > 1e-3 * np.max(np.abs(got))
        rel[radius] = np.abs(got - ref)[big] / np.abs(got)[big]
        norm_rel = np.max(np.abs(got - ref)) / np.max(np.abs(got))
        assert norm_rel < (0.005 if radius < 20e-9 else 0.02), (radius, norm_rel)
    assert np.all(rel[10e-9] < 0.005), rel
    ratio = rel[30e-9] / rel[10e-9]
    assert np.all((ratio > 7.0) & (ratio < 11.0)), ratio          # (30/10)^2 = 9
    if name == "P2":
        assert np.all(rel[30e-9] < 0.02), rel


# ---------------------------------------------------------------------------------------------
# symmetries: helicity, rotation about the axis, mirror y -> -y, phi_ast + pi, lossless torque

@pytest.mark.slow
def test_force_astigmatism_cut_is_converged():
    """The force's default Jacobi-Anger cut (J_{S+1}(A~max) < 1e-10, looser than the fields' 1e-17) changes
    Q by < 1e-13 relative against S + 8 terms, for a strongly astigmatic beam (A_ast = 1 wave, gamma = 0.8,
    ell = 8) off the axis; and the cut really is looser than the fields' (S = 21 vs 29)."""
    from jaxem.optics.beams import FocusedBeam, _FORCE_S_TOL, _astig_order
    beam = FocusedBeam(LAM, 1.4, NS, NW, 0.8, ell=8, helicity=1, interface_distance=5.6e-6, astigmatism=1.0,
                       astigmatism_angle=0.41)
    s_force, s_field = _astig_order(beam, None, _FORCE_S_TOL), _astig_order(beam, None)
    assert (s_force, s_field) == (21, 29)
    pos = np.array([0.6e-6 * np.cos(0.7), 0.6e-6 * np.sin(0.7), 0.4e-6])
    kw = dict(l_max=12, n_quad=64)
    got = F.optical_force_efficiency(beam, 0.5e-6, NPS, pos, **kw)
    ref = F.optical_force_efficiency(beam, 0.5e-6, NPS, pos, s_max=s_force + 8, **kw)
    got, ref = np.array([got.x, got.y, got.z]), np.array([ref.x, ref.y, ref.z])
    assert np.max(np.abs(got - ref)) < 1e-13 * np.max(np.abs(ref)), (got, ref)


def test_axis_has_no_transverse_force():
    for name in ("P1", "P2"):
        beam = _beam(name)
        q = _eff(beam, np.array([0.0, 0.0, 0.15 * UM]))
        assert abs(float(q.rho)) < 1e-12 and abs(float(q.phi)) < 1e-12, (name, q)
        assert abs(float(q.z)) > 1e-3


def test_no_phi_dependence_without_astigmatism_and_phi_ast_pi_invariance():
    beam = _beam("P2")
    rho, z = 0.25 * UM, 0.15 * UM
    ref = _qvec(_eff(beam, np.array([rho, 0.0, z])))
    for phi in (0.7, 2.0, -2.9):
        got = _qvec(_eff(beam, np.array([rho * np.cos(phi), rho * np.sin(phi), z])))
        assert np.max(np.abs(got - ref)) < 1e-12
    beam = _beam("P1")
    ref = _qvec(_eff(beam, POS_P))
    assert np.max(np.abs(ref - _qvec(_eff(_beam("P1", astigmatism_angle=0.4 + np.pi), POS_P)))) < 1e-12
    # inversion symmetry of the astigmatic beam in the plane: phi_R -> phi_R + pi
    assert np.max(np.abs(ref - _qvec(_eff(beam, POS_P * np.array([-1, -1, 1]))))) < 1e-12
    # but astigmatism does make Q depend on phi_R
    other = _qvec(_eff(beam, np.array([0.25 * UM, 0.0, 0.15 * UM])))
    assert np.max(np.abs(other - ref)) > 1e-4


def test_mirror_symmetry_flips_only_q_phi():
    kappa = 0.02
    beam = _beam("P1")
    mirror = _beam("P1", helicity=1, ell=-2, astigmatism_angle=-0.4)
    pos_m = POS_P * np.array([1, -1, 1])
    q = _qvec(_eff(beam, POS_P, chirality=kappa))
    qm = _qvec(_eff(mirror, pos_m, chirality=-kappa))
    assert np.max(np.abs(qm * np.array([1, -1, 1]) - q)) < 1e-12
    assert abs(q[1]) > 1e-3


def test_spin_torque():
    beam = _beam("P1")
    kw = dict(l_max=LMAX_P, n_quad=NQ, s_max=SMAX)
    tau = np.asarray(F.optical_torque_efficiency(beam, R_P, NPS, POS_P, **kw))
    assert np.max(np.abs(tau)) < 1e-12
    tau = np.asarray(F.optical_torque_efficiency(beam, R_P, NPS, POS_P, chirality=0.03, **kw))
    assert np.max(np.abs(tau)) < 1e-12                   # lossless chiral sphere, helicity beam
    # absorbing sphere on the axis of the MDSA beam: closed form -4p sum m(2l+1)[|a|^2+|b|^2-Re(a+b)]|G|^2
    from jaxem.optics.beam_shape import beam_shape_coefficients
    beam = _beam("P2")
    n_abs = NPS + 0.05j
    on_axis = np.array([0.0, 0.0, 0.1 * UM])
    tau = np.asarray(F.optical_torque_efficiency(beam, R_P, n_abs, on_axis, **kw))
    _, f = beam_shape_coefficients(beam, on_axis, LMAX_P + 1, n_quad=NQ, s_max=SMAX)
    h = np.asarray(F._strip_phases(jnp.asarray(f)))
    a, b = (np.asarray(v) for v in F.helicity_coefficients(R_P, n_abs, LAM, NW, LMAX_P, beam.helicity))
    L = LMAX_P + 1
    l = np.arange(1, LMAX_P + 1)
    m = np.arange(-L - 1, L + 2)
    w = (2 * l + 1) * (np.abs(a) ** 2 + np.abs(b) ** 2 - np.real(a + b))
    p = np.pi * sc.epsilon_0 * sc.c / (4 * NW * K0 ** 2)
    closed = -4 * p * np.sum(w[:, None] * m[None, :] * np.abs(h[1:L]) ** 2)
    assert abs(tau[2] - closed) < 1e-10 * abs(closed)
    assert abs(tau[2]) > 1e-4 and np.max(np.abs(tau[:2])) < 1e-12
    assert np.sign(tau[2]) == beam.helicity                 # spin angular momentum sigma hbar absorbed (ell = 0)


def test_chirality_continuity():
    beam = _beam("P1")
    iso = _qvec(_eff(beam, POS_P))
    tiny = _qvec(_eff(beam, POS_P, chirality=1e-14))        # chiral T-matrix path
    assert np.max(np.abs(tiny - iso)) < 1e-13
    d1 = np.max(np.abs(_qvec(_eff(beam, POS_P, chirality=1e-5)) - iso))
    d2 = np.max(np.abs(_qvec(_eff(beam, POS_P, chirality=2e-5)) - iso))
    assert 0 < d1 < 1e-3 and abs(d2 / d1 - 2.0) < 1e-2      # linear onset, no jump at kappa = 0


# ---------------------------------------------------------------------------------------------
# autodiff, jit, vmap

def test_stiffness_matches_central_differences():
    from jaxem.optics.equilibria import trap_stiffness
    beam = _beam("P1")
    power = 0.05
    k = np.asarray(trap_stiffness(beam, R_P, NPS, POS_P, power, l_max=LMAX_P, n_quad=NQ, s_max=SMAX))
    h = 2e-11
    fd = np.zeros((3, 3))
    for j in range(3):
        d = np.zeros(3)
        d[j] = h
        fp = np.asarray(F.optical_force(beam, R_P, NPS, POS_P + d, power, l_max=LMAX_P, n_quad=NQ, s_max=SMAX))
        fm = np.asarray(F.optical_force(beam, R_P, NPS, POS_P - d, power, l_max=LMAX_P, n_quad=NQ, s_max=SMAX))
        fd[:, j] = -(fp - fm) / (2 * h)
    assert np.max(np.abs(k - fd)) < 1e-6 * np.max(np.abs(k)), (k, fd)
    # on the axis (phi_R undefined): finite, restoring, and equal to central differences
    axis = np.array([0.0, 0.0, 0.15 * UM])
    k_axis = np.asarray(trap_stiffness(beam, R_P, NPS, axis, power, l_max=LMAX_P, n_quad=NQ, s_max=SMAX))
    assert np.all(np.isfinite(k_axis))
    d = np.array([h, 0.0, 0.0])
    fp = np.asarray(F.optical_force(beam, R_P, NPS, axis + d, power, l_max=LMAX_P, n_quad=NQ, s_max=SMAX))
    fm = np.asarray(F.optical_force(beam, R_P, NPS, axis - d, power, l_max=LMAX_P, n_quad=NQ, s_max=SMAX))
    assert np.max(np.abs(k_axis[:, 0] + (fp - fm) / (2 * h))) < 1e-6 * np.max(np.abs(k_axis))


@pytest.mark.slow
def test_parameter_derivatives_match_central_differences():
    """dQ/d(R, L, A_ast, gamma, n, kappa, lambda0, NA) by jacfwd (beam rebuilt from traced values) vs central
    differences; kappa = 0.01 takes the chiral T-matrix path in both."""
    from jaxem.optics.beams import FocusedBeam
    base = CASES["P1"]
    p0 = np.array([R_P, base["interface_distance"], base["astigmatism"], base["filling"], NPS, 0.01, LAM,
                   base["numerical_aperture"]])

    def q_of(p):
        beam = FocusedBeam(p[6], p[7], NS, NW, p[3], ell=base["ell"], helicity=base["helicity"],
                           interface_distance=p[1], astigmatism=p[2], astigmatism_angle=base["astigmatism_angle"])
        q = F.optical_force_efficiency(beam, p[0], p[4], POS_P, chirality=p[5], l_max=LMAX_P, n_quad=NQ,
                                       s_max=SMAX)
        return jnp.stack([q.rho, q.phi, q.z])

    jac = np.asarray(jax.jit(jax.jacfwd(q_of))(jnp.asarray(p0)))
    steps = np.array([2e-11, 2e-10, 2e-6, 2e-6, 2e-6, 2e-6, 5e-14, 2e-6])
    for j in range(len(p0)):
        d = np.zeros(len(p0))
        d[j] = steps[j]
        fd = (np.asarray(q_of(p0 + d)) - np.asarray(q_of(p0 - d))) / (2 * steps[j])
        assert np.max(np.abs(jac[:, j] - fd)) < 1e-6 * np.max(np.abs(jac[:, j])), (j, jac[:, j], fd)


@pytest.mark.slow
def test_vmap_jit_and_axis_gradients():
    beam = _beam("P1")
    kw = dict(l_max=LMAX_P, n_quad=NQ, s_max=SMAX)
    positions = np.array([POS_P, [0.0, 0.0, 0.1 * UM], [-0.3 * UM, 0.1 * UM, -0.2 * UM]])
    fn = lambda r: _qvec_j(F.optical_force_efficiency(beam, R_P, NPS, r, **kw))  # noqa: E731
    mapped = np.asarray(jax.vmap(fn)(jnp.asarray(positions)))
    loop = np.array([_qvec(F.optical_force_efficiency(beam, R_P, NPS, r, **kw)) for r in positions])
    np.testing.assert_allclose(mapped, loop, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.asarray(jax.jit(fn)(jnp.asarray(POS_P))), loop[0], rtol=1e-13, atol=1e-16)
    # gradients on the axis (phi_R undefined there): finite, and dQ_rho/dx = dQ_x/dx
    full = lambda r: jnp.concatenate([fn(r), jnp.stack([  # noqa: E731
        F.optical_force_efficiency(beam, R_P, NPS, r, **kw).x, F.optical_force_efficiency(beam, R_P, NPS, r, **kw).y])])
    jac = np.asarray(jax.jit(jax.jacfwd(full))(jnp.asarray(positions[1])))
    assert np.all(np.isfinite(jac))
    assert abs(jac[0, 0] - jac[3, 0]) < 1e-12 * abs(jac[3, 0])
    g = np.asarray(jax.grad(lambda r: F.optical_force_efficiency(beam, R_P, NPS, r, **kw).rho)(
        jnp.asarray(positions[1])))
    assert np.all(np.isfinite(g))


def _qvec_j(q):
    return jnp.stack([q.rho, q.phi, q.z])


def test_focused_bad_input_raises():
    beam = _beam("P2")
    with pytest.raises(ValueError, match="radius"):
        F.optical_force_efficiency(beam, -1e-6, NPS, POS_P)
    with pytest.raises(ValueError, match="position"):
        F.optical_force_efficiency(beam, 1e-6, NPS, np.array([0.0, 0.0, -2.5 * UM]))   # z - R < -L = -3 um
    with pytest.raises(ValueError, match="position"):
        F.optical_force_efficiency(beam, 1e-6, NPS, np.array([0.0, 0.0]))
    with pytest.raises(ValueError, match="power"):
        F.optical_force(beam, 1e-6, NPS, POS_P, 0.0)
    with pytest.raises(ValueError, match="l_max"):
        jax.jit(lambda r: F.optical_force_efficiency(beam, r, NPS, POS_P).z)(1e-6)
