"""Trapping equilibria, trap stiffness, rotation angle and paraxial focal distance of spheres in focused beams.

Outer loops around the MDSA+ efficiencies of :mod:`jaxem.optics.forces` (Schoger, Dissertation
(Augsburg 2024), Sec. 6.1-6.2 and Ch. 7):

* :func:`axial_equilibrium`: z_eq with Q_z(z_eq) = 0 and dQ_z/dz < 0 (stable), from a static grid scan and
  an Illinois (regula falsi) refinement in one loop, wrapped in ``jax.lax.custom_root`` so that derivatives
  with respect to every beam/sphere parameter come from the implicit function theorem
  (dz/dp = -(dQ_z/dp)/(dQ_z/dz)). Derivative-free refinement on purpose: the compiled program then holds a
  single copy of the force kernel (compilation, not evaluation, dominates one solve); convergence is
  superlinear and stops at |bracket| <= 1e-13 lambda0.
* :func:`radial_equilibria`: zeros of Q_rho(rho) at fixed z (the axis always included), with stability.
* :func:`trap_stiffness`: -dF_i/dx_j [N/m] by forward-mode autodiff.
* :func:`rotation_angle`: alpha of Eq. (6.3) with z_eq (and, with astigmatism, phi_R = alpha) solved
  self-consistently.
* :func:`paraxial_focal_distance`: L = L0 + d/N of Eq. (6.4) ("touch the coverslip, then raise by d").

Shapes are static: grid sizes and iteration caps are Python ints; results are fixed-size arrays (NaN
where an equilibrium does not exist). Everything is jit/vmap-able; l_max must be passed explicitly when
the radius is traced (see :func:`jaxem.optics.forces.default_lmax`).
"""
from __future__ import annotations

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxem import _checks
from jaxem.optics import forces as _forces

__all__ = [
    "RadialEquilibria",
    "axial_equilibrium",
    "radial_equilibria",
    "trap_stiffness",
    "rotation_angle",
    "paraxial_focal_distance",
]

_MAX_ITER = 60


# ---------------------------------------------------------------------------------------------
# scalar root machinery

def _position(rho, phi, z):
    rho, phi, z = (jnp.asarray(v, jnp.float64) for v in (rho, phi, z))
    return jnp.stack([rho * jnp.cos(phi), rho * jnp.sin(phi), z], axis=-1)


def _illinois_step(fun, a, b, fa, fb):
    """One Illinois (modified regula falsi) step on the bracket (a, b), fa fb <= 0; returns the new bracket."""
    den = fb - fa
    c = jnp.where(den != 0, b - fb * (b - a) / jnp.where(den != 0, den, 1.0), 0.5 * (a + b))
    fc = fun(c)
    flip = jnp.sign(fc) * jnp.sign(fb) < 0
    a_n = jnp.where(flip, b, a)
    fa_n = jnp.where(flip, fb, 0.5 * fa)
    return a_n, c, fa_n, fc


def _illinois(fun, a, b, fa, fb, tol):
    """Root of fun in a sign-changing bracket by the Illinois method (superlinear, derivative-free).

    Returns the last iterate. Not differentiated (lax.custom_root supplies the derivatives).
    """
    def cond(state):
        k, a, b, _, fb = state
        return (k < _MAX_ITER) & (jnp.abs(b - a) > tol) & (fb != 0)

    def body(state):
        k, a, b, fa, fb = state
        return (k + 1,) + _illinois_step(fun, a, b, fa, fb)

    return lax.while_loop(cond, body, (0, a, b, fa, fb))[2]


def _bracketed_root(fun, lo, hi, f_lo, f_hi, tol):
    """Root of fun between lo and hi, with implicit-function-theorem derivatives (lax.custom_root)."""
    lo, hi, f_lo, f_hi = (lax.stop_gradient(v) for v in (lo, hi, f_lo, f_hi))

    def solve(f, x0):
        return _illinois(f, lo, hi, f_lo, f_hi, tol)

    return lax.custom_root(fun, 0.5 * (lo + hi), solve, _scalar_tangent_solve)


def _scalar_tangent_solve(g, y):
    return y / g(jnp.ones_like(y))


def _scan_root(fun, grid, reference, tol):
    """Stable root (fun goes + -> -) nearest ``reference``: grid scan and Illinois refinement in ONE loop.

    Each iteration evaluates fun once (first at the grid points, then at Illinois points), so the compiled
    program holds a single copy of fun (compilation time dominates one equilibrium solve). NaN if the grid
    shows no + -> - sign change.
    """
    n = grid.shape[0]

    def cond(state):
        k, _, a, b, _, fb, done = state
        return ~done

    def body(state):
        k, qs, a, b, fa, fb, _ = state
        scanning = k < n
        den = fb - fa
        c = jnp.where(den != 0, b - fb * (b - a) / jnp.where(den != 0, den, 1.0), 0.5 * (a + b))
        x = jnp.where(scanning, grid[jnp.minimum(k, n - 1)], c)
        fx = fun(x)
        qs = jnp.where(scanning, qs.at[jnp.minimum(k, n - 1)].set(fx), qs)
        # Illinois update (used after the scan)
        flip = jnp.sign(fx) * jnp.sign(fb) < 0
        a_r = jnp.where(flip, b, a)
        fa_r = jnp.where(flip, fb, 0.5 * fa)
        # bracket from the finished scan
        i, found = _stable_crossing(grid, qs, reference)
        last = k == n - 1
        a_n = jnp.where(last, grid[i], jnp.where(scanning, a, a_r))
        b_n = jnp.where(last, grid[i + 1], jnp.where(scanning, b, x))
        fa_n = jnp.where(last, qs[i], jnp.where(scanning, fa, fa_r))
        fb_n = jnp.where(last, qs[i + 1], jnp.where(scanning, fb, fx))
        converged = (~scanning) & ((jnp.abs(b_n - a_n) <= tol) | (fb_n == 0) | (k >= n + _MAX_ITER))
        done = (last & ~found) | converged
        return k + 1, qs, a_n, b_n, fa_n, fb_n, done

    zero = jnp.zeros((), grid.dtype)
    state = (0, jnp.zeros_like(grid), zero, zero, zero, zero, jnp.asarray(False))
    _, qs, _, b, _, _, _ = lax.while_loop(cond, body, state)
    _, found = _stable_crossing(grid, qs, reference)
    return jnp.where(found, b, jnp.nan)


def _scanned_root(fun, grid, reference, tol):
    """:func:`_scan_root` with implicit-function-theorem derivatives (lax.custom_root)."""
    grid, reference = lax.stop_gradient(grid), lax.stop_gradient(reference)

    def solve(f, x0):
        return _scan_root(f, grid, reference, tol)

    return lax.custom_root(fun, grid[0], solve, _scalar_tangent_solve)


def _stable_crossing(grid, values, reference):
    """Index of the interval [grid_i, grid_i+1] with values going + -> - nearest to ``reference``.

    Returns (index, found).
    """
    down = (values[:-1] > 0) & (values[1:] <= 0)
    mid = 0.5 * (grid[:-1] + grid[1:])
    dist = jnp.where(down, jnp.abs(mid - reference), jnp.inf)
    i = jnp.argmin(dist)
    return i, jnp.any(down)


# ---------------------------------------------------------------------------------------------
# efficiencies as closures

def _sphere(beam, radius, n_sphere, chirality, l_max, chiral):
    """Helicity-effective (a_l, b_l): computed once per solve, outside the position loops."""
    return _forces._sphere_ab_jit(radius, n_sphere, chirality, beam.wavelength, beam.n_medium, l_max=l_max,
                                  chiral=chiral, sigma=beam.helicity)


def _efficiency(beam, ab, position, l_max, quad):
    n_quad, s_max = quad
    _, f = _forces._beam_shape_jit(beam, position, l_max=l_max + 1, n_quad=n_quad, s_max=s_max)
    return _forces._assemble_jit(f, ab[0], ab[1], position, beam.wavelength, beam.n_medium, sigma=beam.helicity)


def _prepare(beam, radius, n_sphere, chirality, l_max, n_quad, s_max, z_extent, rho_extent, position=None,
             quad_beam=None):
    """Boundary checks, static choices (l_max, chiral, (n_quad, s_max)) and canonical (array) arguments.

    z_extent, rho_extent: concrete bounds on |z| and rho [m] of every position the solver may visit (None
    if traced: then n_quad must be given). quad_beam: concrete beam used for the quadrature rule.
    """
    l_max = _forces._check_inputs(beam, radius, n_sphere, position, chirality, l_max)
    quad = _forces._resolve_quadrature(beam if quad_beam is None else quad_beam, l_max, n_quad, s_max,
                                       z_extent, rho_extent)
    chiral = not _forces._is_static_zero(chirality)
    return (_forces._canonical_beam(beam), jnp.asarray(radius, jnp.float64),
            jnp.asarray(n_sphere, jnp.complex128), jnp.asarray(chirality, jnp.complex128), l_max, chiral, quad)


def _prepare_window(beam, radius, n_sphere, chirality, l_max, n_quad, s_max, rho, z_bracket, n_grid):
    """:func:`_prepare` for a solve over the axial window (z_bracket, n_grid checked) at distance rho from the axis;
    returns (the prepared tuple, n_grid)."""
    if z_bracket is not None:
        _checks.check_finite("z_bracket", z_bracket)
    prepared = _prepare(beam, radius, n_sphere, chirality, l_max, n_quad, s_max, _window_extent(beam, z_bracket),
                        _concrete_float(rho))
    return prepared, _checks.check_int("n_grid", n_grid, minimum=2)


def _concrete_float(value):
    return float(np.max(np.abs(np.asarray(value, float)))) if _checks.is_concrete(value) else None


def _window_extent(beam, z_bracket):
    """Bound on |z| over the axial scan window (None if it cannot be known statically)."""
    if z_bracket is None:
        lam = _concrete_float(beam.wavelength)
        return None if lam is None else 3.0 * lam
    vals = [_concrete_float(v) for v in z_bracket]
    return None if None in vals else max(vals)


def _window(beam, z_bracket):
    """(z_lo, z_hi, reference) [m] as float64 arrays: the bracket (reference = its centre) or the default
    -2 lambda0 .. 3 lambda0 (reference = the paraxial focus). Arrays in both cases: one compilation."""
    if z_bracket is None:
        lam = jnp.asarray(beam.wavelength, jnp.float64)
        return -2.0 * lam, 3.0 * lam, jnp.zeros((), jnp.float64)
    lo, hi = (jnp.asarray(v, jnp.float64) for v in z_bracket)
    return lo, hi, 0.5 * (lo + hi)


def _coverslip_floor(beam, radius, lo):
    """Raise the window's lower end so that the sphere never cuts the coverslip (z - R >= -L for L > 0)."""
    if not beam.interface:
        return lo
    big_l = jnp.asarray(beam.interface_distance, jnp.float64)
    lam = jnp.asarray(beam.wavelength, jnp.float64)
    return jnp.maximum(lo, jnp.where(big_l > 0, radius - big_l + 1e-6 * lam, lo))


def _axial_kernel(beam, radius, n_sphere, chirality, rho, phi, window, l_max, chiral, quad, n_grid,
                  beam_of_z=None):
    """Stable axial root z_eq (NaN if none in the window); beam_of_z(z) optionally makes the beam z-dependent."""
    lo, hi, ref = window
    if beam_of_z is None:
        lo = _coverslip_floor(beam, radius, lo)
    else:
        hi = jnp.minimum(hi, radius)        # L = R - z >= 0
    hi = jnp.maximum(hi, lo)                # an empty window scans one point: no sign change, NaN

    ab = _sphere(beam, radius, n_sphere, chirality, l_max, chiral)

    def qz(z):
        b = beam if beam_of_z is None else beam_of_z(z)
        return _efficiency(b, ab, _position(rho, phi, z), l_max, quad).z

    zs = lo + (hi - lo) * jnp.linspace(0.0, 1.0, n_grid)
    tol = 1e-13 * jnp.asarray(beam.wavelength, jnp.float64)
    return _scanned_root(qz, zs, ref, tol)


_axial_jit = jax.jit(_axial_kernel, static_argnames=("l_max", "chiral", "quad", "n_grid"))


def axial_equilibrium(beam, radius, n_sphere, rho=0.0, phi=0.0, z_bracket=None, *, chirality=0.0,
                      l_max=None, n_grid=48, n_quad=None, s_max=None):
    """Stable axial equilibrium z_eq [m] (Q_z = 0, Q_z decreasing) of a sphere at fixed (rho, phi).

    Arguments:
        beam: :class:`jaxem.optics.beams.FocusedBeam`.
        radius: sphere radius R [m] (> 0).
        n_sphere: refractive index of the sphere (complex allowed).
        rho, phi: transverse position of the centre [m], [rad] (relative to the paraxial focus).
        z_bracket: optional (z_lo, z_hi) [m] search interval; default -2 lambda0 .. 3 lambda0 (restricted to
            z >= R - L when the coverslip is on and L > 0), root nearest the paraxial focus z = 0; with a
            bracket, the stable root nearest its centre.
        chirality: Pasteur parameter kappa (Schoger Eq. (5.24) sign).
        l_max: multipole cut (static); None = Wiscombe at concrete R.
        n_grid: static number of scan points (the spacing must resolve the zeros of Q_z).
        n_quad, s_max: static beam-shape quadrature size and astigmatism cut (default: the rules of
            jaxem.optics.beams for the whole scan window; n_quad is required when rho or the bracket is traced).
    Returns:
        float64 scalar z_eq [m]; NaN when Q_z has no + -> - sign change in the window (no axial trap).
        Derivatives (jax.grad/jvp in any beam or sphere parameter) follow from the implicit function
        theorem, dz_eq/dp = -(dQ_z/dp)/(dQ_z/dz).
    Source:
        Schoger, Dissertation (Augsburg 2024), Sec. 6.1, Eq. (6.1) (equilibrium and stability conditions),
        with the MDSA+ efficiencies of Eqs. (5.28)-(5.33) (corrected as in jaxem.optics.forces).
    """
    _checks.check_finite("rho", rho)
    _checks.check_finite("phi", phi)
    (beam_c, radius, n_sphere, chirality, l_max, chiral, quad), n_grid = _prepare_window(
        beam, radius, n_sphere, chirality, l_max, n_quad, s_max, rho, z_bracket, n_grid)
    return _axial_jit(beam_c, radius, n_sphere, chirality, jnp.asarray(rho, jnp.float64),
                      jnp.asarray(phi, jnp.float64), _window(beam_c, z_bracket), l_max=l_max, chiral=chiral,
                      quad=quad, n_grid=n_grid)


# ---------------------------------------------------------------------------------------------
# radial equilibria

class RadialEquilibria(NamedTuple):
    """Radial equilibria at fixed z: entry 0 is the axis (rho = 0), then zeros of Q_rho by increasing rho.

    Attributes:
        rho: (n_grid,) distances from the axis [m], NaN padding after ``count`` entries.
        stable: (n_grid,) bool, Q_rho goes from + to - (for the axis: Q_rho < 0 just off the axis).
        count: number of equilibria found (int array), the axis included.
    Source: no formula (container for :func:`radial_equilibria`).
    """

    rho: jax.Array
    stable: jax.Array
    count: jax.Array


def _radial_kernel(beam, radius, n_sphere, chirality, z, phi, rho_max, l_max, chiral, quad, n_grid):
    ab = _sphere(beam, radius, n_sphere, chirality, l_max, chiral)

    def qr(rho):
        return _efficiency(beam, ab, _position(rho, phi, z), l_max, quad).rho

    rhos = rho_max * jnp.arange(1, n_grid + 1, dtype=jnp.float64) / n_grid
    q = jax.vmap(qr)(lax.stop_gradient(rhos))
    change = jnp.sign(q[:-1]) * jnp.sign(q[1:]) < 0
    stable = change & (q[:-1] > 0)
    tol = 1e-13 * jnp.asarray(beam.wavelength, jnp.float64)

    def one(lo, hi, f_lo, f_hi, ok):
        # a dummy bracket with a sign change keeps the masked solves finite
        f_lo = jnp.where(ok, f_lo, 1.0)
        f_hi = jnp.where(ok, f_hi, -1.0)
        return _bracketed_root(qr, lo, hi, f_lo, f_hi, tol)

    roots = jax.vmap(one)(rhos[:-1], rhos[1:], q[:-1], q[1:], change)
    # compact the found roots to the front (stable order by rho)
    order = jnp.argsort(jnp.where(change, jnp.arange(n_grid - 1), n_grid))
    roots = jnp.where(change, roots, jnp.nan)[order]
    stable = stable[order]
    rho = jnp.concatenate([jnp.zeros(1), roots])
    stab = jnp.concatenate([(q[0] < 0)[None], stable])
    return RadialEquilibria(rho, stab, 1 + jnp.sum(change))


_radial_jit = jax.jit(_radial_kernel, static_argnames=("l_max", "chiral", "quad", "n_grid"))


def radial_equilibria(beam, radius, n_sphere, z, rho_max, n_grid, *, phi=0.0, chirality=0.0, l_max=None,
                      n_quad=None, s_max=None) -> RadialEquilibria:
    """Radial equilibria rho_eq [m] (Q_rho = 0) at fixed height z and their radial stability.

    Arguments:
        beam: :class:`jaxem.optics.beams.FocusedBeam`.
        radius: sphere radius R [m]; n_sphere: refractive index (complex allowed).
        z: height of the sphere centre above the paraxial focus [m].
        rho_max: largest distance from the axis scanned [m] (> 0).
        n_grid: static number of scan points rho_max k/n_grid, k = 1..n_grid.
        phi: azimuth of the scan line [rad] (matters only with astigmatism).
        chirality, l_max, n_quad, s_max: as in :func:`axial_equilibrium`.
    Returns:
        RadialEquilibria(rho (n_grid,), stable (n_grid,), count): entry 0 is the axis (always an
        equilibrium, Q_rho(0) = 0; stable when Q_rho < 0 at the first grid point), then the refined
        sign changes of Q_rho by increasing rho (stable: Q_rho goes from + to -), NaN-padded.
        Off-axis equilibria with Q_phi != 0 are stable orbits, not rest points.
    Source:
        Schoger, Dissertation (Augsburg 2024), Sec. 6.1, Eq. (6.1) and Figs. 6.1-6.2 (zero-force curves),
        with the MDSA+ efficiencies of Eqs. (5.28)-(5.33) (corrected as in jaxem.optics.forces).
    """
    _checks.check_positive("rho_max", rho_max)
    _checks.check_finite("z", z)
    _checks.check_finite("phi", phi)
    beam_c, radius, n_sphere, chirality, l_max, chiral, quad = _prepare(
        beam, radius, n_sphere, chirality, l_max, n_quad, s_max, _concrete_float(z), _concrete_float(rho_max),
        position=jnp.asarray([0.0, 0.0, z]) if _checks.is_concrete(z) else None)
    n_grid = _checks.check_int("n_grid", n_grid, minimum=2)
    return _radial_jit(beam_c, radius, n_sphere, chirality, jnp.asarray(z, jnp.float64),
                       jnp.asarray(phi, jnp.float64), jnp.asarray(rho_max, jnp.float64), l_max=l_max,
                       chiral=chiral, quad=quad, n_grid=n_grid)


# ---------------------------------------------------------------------------------------------
# stiffness

def _force_kernel(beam, radius, n_sphere, chirality, position, power, l_max, chiral, quad):
    q = _efficiency(beam, _sphere(beam, radius, n_sphere, chirality, l_max, chiral), position, l_max, quad)
    scale = jnp.asarray(beam.n_medium, jnp.float64) * power / _forces._C
    return scale * jnp.stack([q.x, q.y, q.z])


def _stiffness_kernel(beam, radius, n_sphere, chirality, position, power, l_max, chiral, quad):
    jac = jax.jacfwd(lambda r: _force_kernel(beam, radius, n_sphere, chirality, r, power, l_max, chiral,
                                             quad))(position)
    return -jac


_stiffness_jit = jax.jit(_stiffness_kernel, static_argnames=("l_max", "chiral", "quad"))


def trap_stiffness(beam, radius, n_sphere, position, power, *, chirality=0.0, l_max=None, n_quad=None,
                   s_max=None):
    """Trap stiffness matrix k_ij = -dF_i/dx_j [N/m] (Cartesian) at a sphere position.

    Arguments:
        beam: :class:`jaxem.optics.beams.FocusedBeam`.
        radius: sphere radius R [m]; n_sphere: refractive index (complex allowed).
        position: (x, y, z) [m] relative to the paraxial focus (usually an equilibrium).
        power: beam power P [W] in the sample (> 0).
        chirality, l_max, n_quad, s_max: as in :func:`jaxem.optics.forces.optical_force_efficiency`.
    Returns:
        float64 (3, 3) array; at a stable equilibrium k_zz > 0 and, on the axis, k_xx = k_yy = k_rho > 0
        (k_rho = -(n_w P/c) dQ_rho/drho). Off-diagonal entries carry the non-conservative (curl) part.
    Source:
        Schoger, Dissertation (Augsburg 2024), Sec. 6.1 (stability conditions of Eq. (6.1)); derivatives of
        the MDSA+ force of Eqs. (5.28)-(5.33) by forward-mode autodiff.
    """
    beam_c, radius, n_sphere, chirality, l_max, chiral, quad = _prepare(
        beam, radius, n_sphere, chirality, l_max, n_quad, s_max, *_forces._extent(position), position=position)
    _checks.check_positive("power", power)
    return _stiffness_jit(beam_c, radius, n_sphere, chirality, jnp.asarray(position, jnp.float64),
                          jnp.asarray(power, jnp.float64), l_max=l_max, chiral=chiral, quad=quad)


# ---------------------------------------------------------------------------------------------
# rotation angle (Eq. 6.3)

def _rotation_kernel(beam, radius, n_sphere, chirality, rho, window, l_max, chiral, quad, n_grid,
                     n_newton):
    z0 = _axial_kernel(beam, radius, n_sphere, chirality, rho, jnp.zeros(()), window, l_max, chiral,
                       quad, n_grid)

    ab = _sphere(beam, radius, n_sphere, chirality, l_max, chiral)

    def eff(v):
        return _efficiency(beam, ab, _position(rho, v[1], v[0]), l_max, quad)

    z_start = jnp.where(jnp.isfinite(z0), z0, 0.0)
    return _self_consistent_angle(eff, z0, jnp.isfinite(z0), eff(jnp.stack([z_start, 0.0])),
                                  jnp.asarray(beam.wavelength, jnp.float64), n_newton)


def _self_consistent_angle(eff, z0, found, q0, lam, n_newton, eff_jac=None):
    """phi_R = alpha with Q_z(rho, phi_R, z) = 0 by damped Newton on v = (z, phi_R) from (z0, alpha at z0).

    eff(v): efficiencies at (rho, phi_R = v[1], z = v[0]); z0: axial root at phi_R = 0 (start), found: whether it
    exists; q0: efficiencies at (rho, 0, z0) (start angle; not differentiated); lam: wavelength [m]. Returns alpha
    [rad] (NaN if not found or not converged) with implicit-function-theorem derivatives (lax.custom_root).
    eff_jac(v), optional: (q, dq) with q = eff(v) and dq its derivatives d/dz, d/dphi_R (the efficiency fields with
    a leading axis of 2), used by the Newton steps instead of forward-mode autodiff of eff (a caller that has the
    derivatives of the beam-shape coefficients in closed form saves the tangents through the quadrature; the
    derivatives of the result still come from eff through custom_root).
    """
    def residual_of(q, v):
        alpha = jnp.arctan2(q.phi, jnp.abs(q.rho))
        return jnp.stack([q.z, v[1] - alpha])

    def residual(v):
        return residual_of(eff(v), v)

    def value_and_jacobian(f, v):
        if eff_jac is None:
            def value_twice(x):
                y = f(x)
                return y, y

            return jax.jacfwd(value_twice, has_aux=True)(v)[::-1]     # one primal evaluation for both
        q, dq = eff_jac(v)
        fv, cols = jax.vmap(lambda dqi, dvi: jax.jvp(residual_of, (q, v), (dqi, dvi)))(dq, jnp.eye(2))
        return fv[0], cols.T

    cap = jnp.stack([_NEWTON_CAP_Z * lam, jnp.asarray(_NEWTON_CAP_PHI)])

    step_tol = jnp.stack([1e-13 * lam, jnp.asarray(1e-13)])

    def solve(f, v0):
        def cond(state):
            k, _, d = state
            return (k < n_newton) & jnp.any(jnp.abs(d) > step_tol)

        def step(state):
            k, v, _ = state

            fv, jac = value_and_jacobian(f, v)
            d = jnp.linalg.solve(jac, fv)
            # damped Newton: the step is shortened (direction kept) to at most lambda0/8 in z and 0.25 rad in
            # phi_R, so a far start does not jump out of the trap's basin; stops once the step is at rounding level
            shrink = jnp.min(jnp.where(jnp.abs(d) > cap, cap / jnp.where(jnp.abs(d) > cap, jnp.abs(d), 1.0), 1.0))
            return k + 1, v - shrink * d, d

        _, v, d = lax.while_loop(cond, step, (0, v0, jnp.full_like(v0, jnp.inf)))
        # converged: the last Newton step at rounding level (the residuals are then ~ J d) and |alpha| <= pi/2;
        # otherwise NaN (no extra force evaluation in the compiled program)
        converged = jnp.all(jnp.abs(d) <= _ROTATION_TOL * jnp.stack([lam, jnp.ones_like(lam)])) & \
            (jnp.abs(v[1]) <= 0.5 * jnp.pi)
        return jnp.where(converged, v, jnp.nan)

    def tangent_solve(g, y):
        return jnp.linalg.solve(jax.jacfwd(g)(y), y)

    z_start = jnp.where(found, z0, 0.0)
    v0 = lax.stop_gradient(jnp.stack([z_start, jnp.arctan2(q0.phi, jnp.abs(q0.rho))]))
    v = lax.custom_root(residual, v0, solve, tangent_solve)
    return jnp.where(found, v[1], jnp.nan)


_NEWTON_CAP_Z = 0.125        # damped Newton of rotation_angle: largest z step [lambda0]
_NEWTON_CAP_PHI = 0.25        # ... and largest phi_R step [rad]
_ROTATION_TOL = 1e-9          # last Newton step accepted as converged: <= 1e-9 lambda0 in z, 1e-9 rad in phi_R

_rotation_jit = jax.jit(_rotation_kernel, static_argnames=("l_max", "chiral", "quad", "n_grid", "n_newton"))


def rotation_angle(beam, radius, n_sphere, rho, *, z_bracket=None, chirality=0.0, l_max=None, n_grid=48,
                   n_newton=8, n_quad=None, s_max=None):
    """Rotation angle alpha [rad] of a sphere held at distance rho from the axis by a transverse drag force.

    Arguments:
        beam: :class:`jaxem.optics.beams.FocusedBeam`.
        radius: sphere radius R [m]; n_sphere: refractive index (complex allowed).
        rho: measured displacement rho_eq from the axis [m] (> 0; the dissertation evaluates at 0.01 um).
        z_bracket, n_grid: axial search (see :func:`axial_equilibrium`).
        chirality, l_max, n_quad, s_max: as in :func:`axial_equilibrium`.
        n_newton: static cap on the (damped) Newton steps on (z, phi_R) after the axial scan (steps capped at
            lambda0/8 in z and 0.25 rad in phi_R; the loop stops earlier once a step is below 1e-13).
    Returns:
        float64 scalar alpha = arctan(Q_phi/|Q_rho|) evaluated at (rho, phi_R = alpha, z_eq) with
        Q_z(rho, alpha, z_eq) = 0 solved together with phi_R = alpha (self-consistent with astigmatism;
        without it the cylindrical Q's do not depend on phi_R). NaN if there is no axial equilibrium, and NaN
        when the Newton solve has not converged after n_newton steps (last step above 1e-9 lambda0 in z or
        1e-9 rad in phi_R; with astigmatism and |ell| >~ 4 the self-consistent angle may not exist near the
        axial start): never an angle outside [-pi/2, pi/2]. Derivatives come from the implicit function
        theorem (lax.custom_root).
    Source:
        Schoger, Dissertation (Augsburg 2024), Eq. (6.3) (F + F_S x^ = 0 gives tan alpha = -F_phi/F_rho) and
        Sec. 7.2; MDSA+ efficiencies of Eqs. (5.28)-(5.33) (corrected as in jaxem.optics.forces).
    """
    _checks.check_positive("rho", rho)
    (beam_c, radius, n_sphere, chirality, l_max, chiral, quad), n_grid = _prepare_window(
        beam, radius, n_sphere, chirality, l_max, n_quad, s_max, rho, z_bracket, n_grid)
    n_newton = _checks.check_int("n_newton", n_newton, minimum=1)
    return _rotation_jit(beam_c, radius, n_sphere, chirality, jnp.asarray(rho, jnp.float64),
                         _window(beam_c, z_bracket), l_max=l_max, chiral=chiral, quad=quad, n_grid=n_grid,
                         n_newton=n_newton)


# ---------------------------------------------------------------------------------------------
# paraxial focal distance (Eq. 6.4)

def _set_interface(beam, big_l):
    return eqx.tree_at(lambda b: b.interface_distance, beam, big_l)


def _focal_kernel(beam, radius, n_sphere, chirality, height, l_max, chiral, quad, n_grid, convention):
    def beam_of_z(z):
        return _set_interface(beam, radius - z)

    # the touching sphere: the interface at z = -L passes through the sphere's lowest point z - R
    z_eq = _axial_kernel(beam, radius, n_sphere, chirality, jnp.zeros(()), jnp.zeros(()), _window(beam, None),
                         l_max, chiral, quad, n_grid, beam_of_z=beam_of_z)
    l0 = radius - z_eq
    n_ratio = jnp.asarray(beam.n_medium, jnp.float64) / jnp.asarray(beam.n_immersion, jnp.float64)
    shift = height / n_ratio if convention == "schoger" else height * n_ratio
    return l0 + shift


_focal_jit = jax.jit(_focal_kernel, static_argnames=("l_max", "chiral", "quad", "n_grid", "convention"))


def paraxial_focal_distance(beam, radius, n_sphere, height, *, convention="schoger", chirality=0.0, l_max=None,
                            n_grid=48, n_quad=None, s_max=None):
    """Interface-to-paraxial-focus distance L [m] after touching the coverslip and raising the objective by d.

    Arguments:
        beam: :class:`jaxem.optics.beams.FocusedBeam` (its interface_distance is ignored and solved for).
        radius: sphere radius R [m]; n_sphere: refractive index (complex allowed).
        height: objective displacement d [m] (>= 0) after the touching configuration.
        convention: "schoger" (L = L0 + d/N, Schoger Eq. (6.4)) or "paraxial" (L = L0 + N d, the focal shift
            of paraxial optics for an objective displacement d), N = n_w/n_s.
        chirality, l_max, n_grid, n_quad, s_max: as in :func:`axial_equilibrium` (the default n_quad covers
            L up to R + 2 lambda0, the largest L of the scan).
    Returns:
        float64 scalar L [m]. L0 = R - z_eq solves Q_z(0, 0, z_eq; L = R - z_eq) = 0 (stable root,
        z_eq <= R, nearest the focus), i.e. the trapped sphere touches the interface. NaN if no trap exists.
    Source:
        Schoger, Dissertation (Augsburg 2024), Eq. (6.4) and Sec. 6.2; the dissertation's relation L = L0 + d/N is the
        default; the alternative convention is offered because paraxial optics gives N d.
    """
    _checks.check_nonnegative("height", height)
    _checks.check_choice("convention", convention, ("schoger", "paraxial"))
    lam, big_r = _concrete_float(beam.wavelength), _concrete_float(radius)
    quad_beam = None
    if lam is not None and big_r is not None and n_quad is None:
        quad_beam = eqx.tree_at(lambda b: b.interface_distance, beam, np.float64(big_r + 2.0 * lam))
    beam_c, radius, n_sphere, chirality, l_max, chiral, quad = _prepare(
        beam, radius, n_sphere, chirality, l_max, n_quad, s_max, None if lam is None else 2.0 * lam, 0.0,
        quad_beam=quad_beam)
    n_grid = _checks.check_int("n_grid", n_grid, minimum=2)
    return _focal_jit(beam_c, radius, n_sphere, chirality, jnp.asarray(height, jnp.float64), l_max=l_max,
                      chiral=chiral, quad=quad, n_grid=n_grid, convention=convention)
