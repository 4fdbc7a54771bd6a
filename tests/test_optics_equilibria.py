"""Equilibria, stiffness, rotation angle and focal distance (jaxem.optics.equilibria).

Checks: roots really are stable zeros of the force, implicit (custom_root) derivatives against finite
differences of re-solved equilibria, and the qualitative statements of Schoger, Dissertation (Augsburg 2024),
Ch. 6 (Figs. 6.1, 6.2, 6.4).
"""
from __future__ import annotations

import numpy as np
import pytest

import jax
import jax.numpy as jnp

from jaxem.optics import equilibria as EQ
from jaxem.optics import forces as F

UM = 1e-6
LAM = 1.064 * UM
NS = 1.518
NW = 1.3246
NPS = 1.5694
R_SMALL = 0.45 * UM
LMAX = 14
NQ = 48
SMAX = 20
STATIC = dict(l_max=LMAX, n_quad=NQ, s_max=SMAX)


def _beam(**kw):
    from jaxem.optics.beams import FocusedBeam
    base = dict(numerical_aperture=1.4, filling=0.8, ell=0, helicity=1, interface_distance=3 * UM)
    base.update(kw)
    return FocusedBeam(LAM, n_immersion=NS, n_medium=NW, **base)


def _qz(beam, radius, z, rho=0.0, phi=0.0, **kw):
    pos = np.array([rho * np.cos(phi), rho * np.sin(phi), z])
    return float(F.optical_force_efficiency(beam, radius, NPS, pos, **kw).z)


def test_axial_equilibrium_is_a_stable_zero():
    beam = _beam()
    z_eq = float(EQ.axial_equilibrium(beam, R_SMALL, NPS, **STATIC))
    assert np.isfinite(z_eq) and abs(z_eq) < 1 * UM
    assert abs(_qz(beam, R_SMALL, z_eq, **STATIC)) < 1e-12
    h = 1e-9
    assert _qz(beam, R_SMALL, z_eq - h, **STATIC) > 0 > _qz(beam, R_SMALL, z_eq + h, **STATIC)


@pytest.mark.slow
def test_trap_stiffness_at_the_axial_trap():
    beam = _beam()
    z_eq = float(EQ.axial_equilibrium(beam, R_SMALL, NPS, **STATIC))
    # stiffness at the trap: restoring, rotationally symmetric (ell = 0, A_ast = 0); the circular polarisation
    # adds an antisymmetric (curl, spin-to-orbit) part k_xy = -k_yx with sign -sigma (Q_phi > 0 for sigma = +1)
    k = np.asarray(EQ.trap_stiffness(beam, R_SMALL, NPS, np.array([0.0, 0.0, z_eq]), 0.01, **STATIC))
    assert k[0, 0] > 0 and k[2, 2] > 0
    assert abs(k[0, 0] - k[1, 1]) < 1e-10 * k[0, 0]
    assert abs(k[0, 1] + k[1, 0]) < 1e-10 * k[0, 0] and k[1, 0] > 0
    assert np.max(np.abs(k[2, :2])) + np.max(np.abs(k[:2, 2])) < 1e-10 * k[0, 0]


def test_axial_equilibrium_radius_derivative_by_implicit_function_theorem():
    beam = _beam()
    solve = lambda r: EQ.axial_equilibrium(beam, r, NPS, **STATIC)  # noqa: E731
    # forward mode (cheaper to compile); reverse mode is exercised by the astigmatism test (slow)
    g = float(jax.jvp(solve, (R_SMALL,), (1.0,))[1])
    h = 1e-11
    fd = (float(solve(R_SMALL + h)) - float(solve(R_SMALL - h))) / (2 * h)
    assert abs(g - fd) < 1e-6 * abs(g), (g, fd)


def test_no_equilibrium_gives_nan_and_bad_input_raises():
    beam = _beam()
    # a window without a sign change of Q_z (far below the focus, pushed upward everywhere)
    z = EQ.axial_equilibrium(beam, R_SMALL, NPS, z_bracket=(-2.0 * UM, -1.5 * UM), **STATIC)
    assert np.isnan(float(z))
    with pytest.raises(ValueError, match="radius"):
        EQ.axial_equilibrium(beam, 0.0, NPS, **STATIC)
    with pytest.raises(ValueError, match="position"):
        EQ.trap_stiffness(beam, 1 * UM, NPS, np.array([0.0, 0.0, -2.5 * UM]), 0.01, **STATIC)
    with pytest.raises(ValueError, match="convention"):
        EQ.paraxial_focal_distance(beam, 1 * UM, NPS, 2 * UM, convention="other", **STATIC)
    with pytest.raises(ValueError, match="height"):
        EQ.paraxial_focal_distance(beam, 1 * UM, NPS, -1 * UM, **STATIC)
    with pytest.raises(ValueError, match="rho"):
        EQ.rotation_angle(beam, 1 * UM, NPS, 0.0, **STATIC)


@pytest.mark.slow
def test_vmap_over_radii_equals_loop():
    beam = _beam()
    radii = jnp.asarray([0.40, 0.45, 0.50]) * UM
    mapped = np.asarray(jax.vmap(lambda r: EQ.axial_equilibrium(beam, r, NPS, **STATIC))(radii))
    loop = np.array([float(EQ.axial_equilibrium(beam, float(r), NPS, **STATIC)) for r in radii])
    np.testing.assert_allclose(mapped, loop, rtol=1e-13)
    # the same root from an explicit bracket around it
    z_eq = loop[1]
    z_b = float(EQ.axial_equilibrium(beam, float(radii[1]), NPS, z_bracket=(z_eq - 0.2 * UM, z_eq + 0.3 * UM),
                                     **STATIC))
    assert abs(z_b - z_eq) < 1e-15


@pytest.mark.slow
def test_paraxial_focal_distance_touching_condition_and_conventions():
    beam = _beam()
    d = 2 * UM
    big_l = float(EQ.paraxial_focal_distance(beam, R_SMALL, NPS, d, **STATIC))
    n_ratio = NW / NS
    l0 = big_l - d / n_ratio
    assert 0 < l0 < 2 * UM
    # the touching sphere (z = R - L0, interface at -L0) feels no axial force and is axially stable
    touching = _beam(interface_distance=l0)
    z = R_SMALL - l0
    assert abs(_qz(touching, R_SMALL, z, **STATIC)) < 1e-10
    paraxial = float(EQ.paraxial_focal_distance(beam, R_SMALL, NPS, d, convention="paraxial", **STATIC))
    assert abs((big_l - paraxial) - d * (1 / n_ratio - n_ratio)) < 1e-15


@pytest.mark.slow
def test_rotation_angle_is_self_consistent_with_astigmatism():
    beam = _beam(ell=1, filling=1.0, interface_distance=0.0, astigmatism=0.25, astigmatism_angle=0.4)
    rho = 0.1 * UM
    alpha = float(EQ.rotation_angle(beam, R_SMALL, NPS, rho, **STATIC))
    assert np.isfinite(alpha)
    z_eq = float(EQ.axial_equilibrium(beam, R_SMALL, NPS, rho=rho, phi=alpha, **STATIC))
    pos = np.array([rho * np.cos(alpha), rho * np.sin(alpha), z_eq])
    q = F.optical_force_efficiency(beam, R_SMALL, NPS, pos, **STATIC)
    assert abs(float(q.z)) < 1e-12
    assert abs(alpha - np.arctan(float(q.phi) / abs(float(q.rho)))) < 1e-10
    # derivative w.r.t. the astigmatism amplitude (custom_root through the 2-D solve) vs central differences

    def alpha_of(a_ast):
        b = _beam(ell=1, filling=1.0, interface_distance=0.0, astigmatism=a_ast, astigmatism_angle=0.4)
        return EQ.rotation_angle(b, R_SMALL, NPS, rho, **STATIC)

    g = float(jax.grad(alpha_of)(0.25))
    h = 1e-5
    fd = (float(alpha_of(0.25 + h)) - float(alpha_of(0.25 - h))) / (2 * h)
    assert abs(g - fd) < 1e-6 * abs(g), (g, fd)


@pytest.mark.slow
def test_rotation_angle_is_nan_when_the_self_consistent_solve_does_not_converge():
    """Bead A of Schoger Table 7.2 (R = 1.503 um, L = 5.8 um, A_ast = 0.245, phi_ast = 0.37) in the modes ell = -8..8
    (one compiled solve: the charge is traced). The 2-D Newton solve used to return angles like -3218 deg for some
    |ell| >= 4; now every result is NaN or a converged angle in [-90, 90] deg, and each converged one is checked
    independently: the public axial_equilibrium at phi_R = alpha and the force there give arctan(Q_phi/|Q_rho|) = alpha
    (to 1e-8 rad) with Q_z = 0."""
    from jaxem.optics.beams import FocusedBeam

    ells = np.arange(-8, 9)
    gam = np.maximum(1.0, np.sqrt(np.abs(ells) / 2.0) * NS / 1.4)
    rho = (0.02 + 0.005 * np.abs(ells)) * UM
    radius = 1.503 * UM
    kw = dict(l_max=16, n_quad=48, s_max=12)
    zb = (-1.5 * UM, 2.5 * UM)

    def beam_of(e, g):
        return FocusedBeam(LAM, 1.4, NS, NW, g, ell=e, ell_max=8, interface_distance=5.8 * UM, astigmatism=0.245,
                           astigmatism_angle=0.37)

    def alpha_of(e, g, r):
        return EQ.rotation_angle(beam_of(e, g), radius, NPS, r, z_bracket=zb, n_grid=16, **kw)

    alpha = np.asarray(jax.jit(jax.vmap(alpha_of))(jnp.asarray(ells), jnp.asarray(gam), jnp.asarray(rho)))
    ok = np.isfinite(alpha)
    assert np.all(np.abs(alpha[ok]) <= np.pi / 2), np.degrees(alpha)
    assert 0 < np.sum(~ok) < 5 and np.all(ok[np.abs(ells) <= 3]), np.degrees(alpha)

    def check(e, g, r, a):
        b = beam_of(e, g)
        z = EQ.axial_equilibrium(b, radius, NPS, rho=r, phi=a, z_bracket=zb, n_grid=16, **kw)
        q = F.optical_force_efficiency(b, radius, NPS, jnp.stack([r * jnp.cos(a), r * jnp.sin(a), z]), **kw)
        return jnp.arctan2(q.phi, jnp.abs(q.rho)), q.z

    a2, qz = jax.jit(jax.vmap(check))(*(jnp.asarray(v[ok]) for v in (ells, gam, rho, alpha)))
    np.testing.assert_allclose(np.asarray(a2), alpha[ok], rtol=0, atol=1e-8)
    assert np.max(np.abs(np.asarray(qz))) < 1e-10


# ---------------------------------------------------------------------------------------------
# qualitative statements of the dissertation (Figs. 6.1, 6.2, 6.4), MD geometry: coverslip on, L = 0

def _md_beam(ell, gamma, **kw):
    return _beam(ell=ell, filling=gamma, interface_distance=0.0, **kw)


@pytest.mark.slow
def test_three_radial_equilibria_for_large_sphere_and_ell_8():
    """R = 1.5 um, ell = 8, z = 0, gamma in the window 2.6-3.0: axis (stable), unstable, stable ring."""
    beam = _md_beam(8, 2.8)
    res = EQ.radial_equilibria(beam, 1.5 * UM, NPS, 0.0, 2.5 * UM, 50, l_max=23, n_quad=64, s_max=0)
    count = int(res.count)
    rho = np.asarray(res.rho)[:count]
    stable = np.asarray(res.stable)[:count]
    assert count == 3, (rho, stable)
    assert rho[0] == 0 and list(stable) == [True, False, True]
    assert 0 < rho[1] < rho[2] < 2.5 * UM


@pytest.mark.slow
def test_ring_radius_derivatives_by_implicit_function_theorem():
    """d rho_ring / dR and d rho_ring / d gamma of the stable ring (R = 0.5 um, ell = 4, gamma = 1.533) by
    jax.grad through the bracketed root (custom_root) = central differences (h = 1e-4 relative) to 1e-6."""
    def ring_radius(radius, gamma):
        res = EQ.radial_equilibria(_md_beam(4, gamma), radius, NPS, 0.0, 2.0 * UM, 40, l_max=LMAX, n_quad=NQ,
                                   s_max=0)
        return res.rho, res.stable, res.count

    r0, g0 = 0.5 * UM, 1.533
    rho, stable, count = ring_radius(r0, g0)
    stable = np.asarray(stable)[:int(count)]
    assert int(count) == 2 and list(stable) == [False, True], (rho, stable)
    k = 1
    grads = jax.grad(lambda r, g: ring_radius(r, g)[0][k], argnums=(0, 1))(r0, g0)
    h_r, h_g = 1e-4 * r0, 1e-4 * g0
    fd = ((ring_radius(r0 + h_r, g0)[0][k] - ring_radius(r0 - h_r, g0)[0][k]) / (2 * h_r),
          (ring_radius(r0, g0 + h_g)[0][k] - ring_radius(r0, g0 - h_g)[0][k]) / (2 * h_g))
    for got, want in zip(grads, fd):
        assert abs(float(got) / float(want) - 1.0) < 1e-6, (grads, fd)
    assert float(grads[0]) < 0 < float(grads[1])      # a larger bead sits closer in; a wider ring for larger gamma


@pytest.mark.slow
def test_ring_orbit_sense_follows_ell():
    """R = 0.5 um, ell = +-4 (gamma = 1.533, z = 0): stable rings with sign(Q_phi) = sign(ell); the ring is
    smaller when sigma ell < 0 (spin-orbit coupling)."""
    radius = 0.5 * UM
    rings = {}
    for ell in (4, -4):
        beam = _md_beam(ell, 1.533)
        res = EQ.radial_equilibria(beam, radius, NPS, 0.0, 2.0 * UM, 40, l_max=LMAX, n_quad=NQ, s_max=0)
        count = int(res.count)
        rho = np.asarray(res.rho)[1:count]
        stable = np.asarray(res.stable)[1:count]
        assert np.any(stable), (ell, rho)
        ring = rho[stable][0]
        q = F.optical_force_efficiency(beam, radius, NPS, np.array([ring, 0.0, 0.0]), l_max=LMAX, n_quad=NQ,
                                       s_max=0)
        assert np.sign(float(q.phi)) == np.sign(ell)
        rings[ell] = ring
    assert rings[-4] < rings[4]


@pytest.mark.slow
def test_rotation_angle_smaller_for_antiparallel_spin_and_orbit():
    """R = 1.5 um, rho = 0.01 um, sigma = +1: |alpha(ell = -1)| < |alpha(ell = +1)|."""
    alphas = {}
    for ell in (1, -1):
        beam = _md_beam(ell, 1.0)
        alphas[ell] = float(EQ.rotation_angle(beam, 1.5 * UM, NPS, 0.01 * UM, l_max=23, n_quad=64, s_max=0))
    assert np.all(np.isfinite(list(alphas.values())))
    assert abs(alphas[-1]) < abs(alphas[1]), alphas


@pytest.mark.slow
def test_rotation_angle_oscillates_with_period_lambda_over_4n():
    """ell = 1, gamma = 1, rho = 0.01 um: alpha(R) on R = 1.0-2.6 um oscillates with period 0.17 +- 0.01 um
    (= lambda0/(4n), the round trip 4R through the bead; like extrema are one period apart)."""
    beam = _md_beam(1, 1.0)
    radii = np.linspace(1.0, 2.6, 81) * UM
    solve = jax.jit(jax.vmap(lambda r: EQ.rotation_angle(beam, r, NPS, 0.01 * UM, l_max=34, n_quad=64, s_max=0,
                                                         n_grid=40)))
    alpha = np.asarray(solve(jnp.asarray(radii)))
    assert np.all(np.isfinite(alpha))
    d = np.diff(alpha)
    turn = np.where(np.sign(d[:-1]) != np.sign(d[1:]))[0] + 1
    step = radii[1] - radii[0]

    def vertex(i):      # parabolic refinement of the extremum at grid index i
        y0, y1, y2 = alpha[i - 1], alpha[i], alpha[i + 1]
        den = y0 - 2 * y1 + y2
        return radii[i] + (0.5 * (y0 - y2) / den if den != 0 else 0.0) * step

    maxima = [vertex(i) for i in turn if d[i - 1] > 0]
    minima = [vertex(i) for i in turn if d[i - 1] < 0]
    assert len(maxima) >= 4 and len(minima) >= 4, (maxima, minima)
    # period of alpha(R) = spacing of like extrema (maxima to maxima, minima to minima)
    period = 0.5 * (np.mean(np.diff(maxima)) + np.mean(np.diff(minima))) / UM
    assert abs(period - 0.17) < 0.01, (period, np.array(maxima) / UM, np.array(minima) / UM)
