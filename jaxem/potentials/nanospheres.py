"""Radiative potentials between two optically trapped nanospheres (seed 000): trap, optical binding,
thermal Casimir–Polder, drives in arbitrary single-mode states, forces and bound states.

Conventions (nanosphere-potentials.md §1, §2.6, fixed for the library):
- e^{-i omega t}; tweezer field E(r) complex amplitude, E_phys = Re[E e^{-i omega t}], intensity
  I = c eps0 |E|^2/2. Tweezers propagate along z with Jones vectors (j_x, j_y) (normalised here; the
  intensity carries the power); sphere A sees E_A = |E_A| e_A, sphere B sees E_B = |E_B| e_B e^{i dphi}.
- Flat tweezer profile (the paper's assumption): the trap potential is a constant "plateau" and only the
  Green tensor depends on the positions.
- Polarizability at the drive: real (lossless, as in the paper), SI alpha [F m^2]; the convenience
  functions take the dimensionless alpha~ = alpha/(4 pi eps0 R^3) (default: fused silica at 1064 nm, n = 1.4496).
- Potential "seen by" each sphere (Eqs. 28–30): U_A = U_trap,A + U_OB,A + U_CP, U_B likewise with
  dphi -> -dphi in U_OB. Forces F_A = -grad_{r_A} U_A, F_B = -grad_{r_B} U_B (autodiff); they are
  non-reciprocal unless dphi in {0, pi}, where U_A = U_B = u(r) is the pair potential (not U_A + U_B).
- Drive state: every single-mode state enters only through <a^dagger a> (spec §2.6–2.8): pass the
  coherent-equivalent intensity, e.g. :func:`drive_intensity` of :func:`mean_photon_number_cat`.

Kernels broadcast over positions r_a, r_b (..., 3) and phases dphi (...), and work under jit, vmap, grad.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_finite, check_int, check_nonnegative, check_positive, is_concrete
from ..constants import c, eps0, hbar
from ..green import green_tensor
from ..materials import LorentzOscillators, Material
from ..polarizability import SILICA_INDEX_1064NM
from .casimir_polder import _cp_thermal, _cp_zero

__all__ = [
    "SEED000_WAVELENGTH",
    "SEED000_INTENSITY",
    "SEED000_RADIUS",
    "trap_potential",
    "optical_binding_potentials",
    "optical_binding_near_field_law",
    "optical_binding_far_field_law",
    "nanosphere_potentials",
    "nanosphere_forces",
    "nanosphere_potentials_and_forces",
    "pair_potential",
    "potentials_vs_separation",
    "potential_minima",
    "bound_states",
    "mean_photon_number_squeezed_vacuum",
    "mean_photon_number_cat",
    "drive_intensity",
    "squeezing_parameter",
    "squeezing_parameter_paper",
    "squeezing_in_db",
]

#: drive (vacuum) wavelength of seed 000 [m]
SEED000_WAVELENGTH = 1064e-9
#: tweezer intensity of seed 000, 1e-2 W/µm^2 [W/m^2]
SEED000_INTENSITY = 1e10
#: sphere radius of seed 000 [m]
SEED000_RADIUS = 100e-9

_ALPHA_TILDE_SILICA = float((SILICA_INDEX_1064NM**2 - 1) / (SILICA_INDEX_1064NM**2 + 2))


# ---------------------------------------------------------------------------------------------------------
# validation helpers (public boundary only; no-ops on tracers)
# ---------------------------------------------------------------------------------------------------------
def _check_real(name, value):
    check_finite(name, value)
    if is_concrete(value) and np.iscomplexobj(np.asarray(value)):
        raise ValueError(f"{name} must be real (the lossless polarizability at the drive), got {value!r}")


def _jones(name, jones):
    check_finite(name, jones)
    if is_concrete(jones):
        arr = np.asarray(jones)
        if arr.shape[-1:] != (2,):
            raise ValueError(f"{name} must be a Jones vector (j_x, j_y), shape (..., 2), got shape {arr.shape}")
        if np.any(np.linalg.norm(arr, axis=-1) == 0):
            raise ValueError(f"{name} must not be the zero vector")
    return jnp.asarray(jones, jnp.complex128)


def _check_positions(r_a, r_b):
    check_finite("r_a", r_a)
    check_finite("r_b", r_b)
    if is_concrete((r_a, r_b)):
        a, b = np.asarray(r_a, float), np.asarray(r_b, float)
        if a.shape[-1:] != (3,) or b.shape[-1:] != (3,):
            raise ValueError(f"r_a and r_b must be positions of shape (..., 3), got {a.shape} and {b.shape}")
        if np.any(np.linalg.norm(a - b, axis=-1) == 0):
            raise ValueError("r_a and r_b must differ (coincident spheres: the dipole interaction is singular)")


def _unit_field(jones):
    """3-vector polarisation (j_x, j_y, 0)/|j| of a tweezer propagating along z."""
    e = jnp.concatenate([jones, jnp.zeros(jones.shape[:-1] + (1,), jnp.complex128)], axis=-1)
    return e / jnp.sqrt(jnp.sum(jnp.abs(e) ** 2, axis=-1, keepdims=True))


# ---------------------------------------------------------------------------------------------------------
# trap and optical binding
# ---------------------------------------------------------------------------------------------------------
def trap_potential(intensity, alpha):
    """Tweezer (gradient-force) potential U_trap = -(1/4) alpha |E|^2 = -alpha I/(2 c eps0) [J].

    Arguments: intensity -- I [W/m^2] (>= 0); alpha -- real polarizability at the drive [F m^2].
    Returns U_trap [J] (the constant plateau of the flat-profile model; -4076.35 K for R = 100 nm,
    n = 1.4496, I = 1e-2 W/µm^2). nanosphere-potentials.md §2.6, seed 000 Eqs. 28/B9.
    """
    check_nonnegative("intensity", intensity)
    _check_real("alpha", alpha)
    return -jnp.asarray(alpha, jnp.float64) * jnp.asarray(intensity, jnp.float64) / (2.0 * c * eps0)


def _ob_single(r_a, r_b, dphi, alpha_a, alpha_b, i_a, i_b, k, e_a, e_b):
    g = green_tensor(r_a, r_b, k)
    amplitudes = 2.0 * jnp.sqrt(i_a * i_b) / (c * eps0)  # |E_A| |E_B|
    pre = -0.5 * (k**2 / eps0) * alpha_a * alpha_b * amplitudes  # mu0 omega^2 = k^2/eps0
    # G(r_B, r_A) = G(r_A, r_B)^T (reciprocity)
    u_a = pre * jnp.real(jnp.exp(1j * dphi) * (jnp.conj(e_a) @ g @ e_b))
    u_b = pre * jnp.real(jnp.exp(-1j * dphi) * (jnp.conj(e_b) @ g.T @ e_a))
    return u_a, u_b


_ob_vectorized = jax.jit(jnp.vectorize(_ob_single, signature="(3),(3),(),(),(),(),(),(),(3),(3)->(),()"))


def _check_drive(dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength):
    """Boundary checks shared by the binding potentials and their asymptotic laws."""
    check_finite("dphi", dphi)
    _check_real("alpha_a", alpha_a)
    _check_real("alpha_b", alpha_b)
    check_nonnegative("intensity_a", intensity_a)
    check_nonnegative("intensity_b", intensity_b)
    check_positive("wavelength", wavelength)


def optical_binding_potentials(r_a, r_b, dphi, alpha_a, alpha_b, intensity_a, intensity_b,
                               wavelength=SEED000_WAVELENGTH, jones_a=(0.0, 1.0), jones_b=(0.0, 1.0)):
    """Optical-binding potentials (U_OB,A, U_OB,B) [J] seen by spheres A and B (flat tweezer fields).

    U_OB,A = -(1/2) mu0 omega0^2 alpha_A alpha_B Re{E_A* . G0(r_A, r_B) . E_B},
    U_OB,B = -(1/2) mu0 omega0^2 alpha_A alpha_B Re{E_B* . G0(r_B, r_A) . E_A},
    E_A = |E_A| e_A, E_B = |E_B| e_B e^{i dphi}, |E|^2 = 2I/(c eps0). For linear polarisations
    U_OB,B(dphi) = U_OB,A(-dphi); the forces are non-conservative unless dphi in {0, pi}.

    Arguments:
        r_a, r_b: sphere positions [m], shape (..., 3) (must differ).
        dphi: relative optical phase of tweezer B with respect to A [rad] (...).
        alpha_a, alpha_b: real polarizabilities at the drive [F m^2].
        intensity_a, intensity_b: tweezer intensities [W/m^2] (>= 0).
        wavelength: vacuum drive wavelength [m] (default 1064 nm).
        jones_a, jones_b: Jones vectors (j_x, j_y) of the tweezers (complex, non-zero; default y-polarised).
    Returns: (U_A, U_B) [J], broadcast shape. nanosphere-potentials.md §2.6, seed 000 Eqs. 29–30, C7.
    """
    _check_positions(r_a, r_b)
    _check_drive(dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength)
    e_a = _unit_field(_jones("jones_a", jones_a))
    e_b = _unit_field(_jones("jones_b", jones_b))
    k = 2.0 * jnp.pi / jnp.asarray(wavelength, jnp.float64)
    f64 = lambda v: jnp.asarray(v, jnp.float64)  # noqa: E731
    return _ob_vectorized(f64(r_a), f64(r_b), f64(dphi), f64(alpha_a), f64(alpha_b), f64(intensity_a),
                          f64(intensity_b), k, e_a, e_b)


def _law_args(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength):
    check_positive("r", r)
    _check_drive(dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength)
    r, dphi, alpha_a, alpha_b, i_a, i_b, lam = (jnp.asarray(v, jnp.float64) for v in
                                                 (r, dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength))
    scale = jnp.sqrt(i_a * i_b) * alpha_a * alpha_b / (4.0 * jnp.pi * eps0**2 * c)
    return r, dphi, scale, 2.0 * jnp.pi / lam


def optical_binding_near_field_law(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b,
                                   wavelength=SEED000_WAVELENGTH):
    """Near-field (k0 r << 1) optical binding seen by A, parallel polarisations perpendicular to the axis [J]:

    U_OB,A ≈ sqrt(I_A I_B) alpha_A alpha_B cos(dphi)/(4 pi eps0^2 c r^3)
           = (4 pi sqrt(I_A I_B)/c) R^3 (R/r)^3 alpha~^2 cos(dphi)  (repulsive for dphi = 0).
    Arguments as :func:`optical_binding_potentials` with r = |r_A - r_B| [m]. Seed 000 Eq. 39, spec §2.6.
    """
    r, dphi, scale, _ = _law_args(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength)
    return scale * jnp.cos(dphi) / r**3


def optical_binding_far_field_law(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b,
                                  wavelength=SEED000_WAVELENGTH):
    """Far-field (k0 r >> 1) optical binding seen by A, parallel polarisations perpendicular to the axis [J]:

    U_OB,A ≈ -sqrt(I_A I_B) alpha_A alpha_B k0^2 cos(k0 r + dphi)/(4 pi eps0^2 c r)
    (sphere B: dphi -> -dphi, the "±" of Eq. 40). Seed 000 Eq. 40 with erratum E14, spec §2.6.
    """
    r, dphi, scale, k = _law_args(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength)
    return -scale * k**2 * jnp.cos(k * r + dphi) / r


# ---------------------------------------------------------------------------------------------------------
# total potentials, forces, pair potential
# ---------------------------------------------------------------------------------------------------------
def _scene(radius, alpha_tilde, intensity_a, intensity_b, jones_a, jones_b, wavelength, temperature, material,
           n_matsubara):
    """Validate the physical set-up once and pack it as a pytree of arrays (traced, so no recompiles)."""
    for name, value in (("radius", radius), ("alpha_tilde", alpha_tilde), ("intensity_a", intensity_a),
                        ("intensity_b", intensity_b), ("wavelength", wavelength), ("temperature", temperature)):
        if value is not None and np.ndim(value) != 0:
            raise ValueError(f"{name} must be a scalar (vmap over it for a sweep), got shape {np.shape(value)}")
    check_positive("radius", radius)
    alpha_tilde = _ALPHA_TILDE_SILICA if alpha_tilde is None else alpha_tilde
    _check_real("alpha_tilde", alpha_tilde)
    check_nonnegative("intensity_a", intensity_a)
    intensity_b = intensity_a if intensity_b is None else intensity_b
    check_nonnegative("intensity_b", intensity_b)
    check_positive("wavelength", wavelength)
    check_nonnegative("temperature", temperature)
    material = LorentzOscillators.silica() if material is None else material
    if not isinstance(material, Material):
        raise ValueError(f"material must be a jaxem.materials model, got {material!r}")
    check_int("n_matsubara", n_matsubara, minimum=1)
    f64 = lambda v: jnp.asarray(v, jnp.float64)  # noqa: E731
    radius = f64(radius)
    scene = {
        "alpha": 4.0 * jnp.pi * eps0 * radius**3 * f64(alpha_tilde),
        "radius": radius,
        "intensity_a": f64(intensity_a),
        "intensity_b": f64(intensity_b),
        "e_a": _unit_field(_jones("jones_a", jones_a)),
        "e_b": _unit_field(_jones("jones_b", jones_b)),
        "k": 2.0 * jnp.pi / f64(wavelength),
        "temperature": f64(temperature),
        "material": material,
    }
    zero_temperature = bool(is_concrete(temperature) and np.all(np.asarray(temperature) == 0))
    return scene, zero_temperature


def _cp_of_distance(r, scene, n_matsubara, zero_temperature):
    R, mat = scene["radius"], scene["material"]
    if zero_temperature:
        return _cp_zero(r, R, mat, R, mat, n_nodes=256)
    return _cp_thermal(r, scene["temperature"], R, mat, R, mat, n_matsubara=n_matsubara)


def _optical_single(r_a, r_b, dphi, scene, include_trap):
    """Trap + optical binding (U_A, U_B) of one configuration [J]."""
    alpha = scene["alpha"]
    u_a, u_b = _ob_single(r_a, r_b, dphi, alpha, alpha, scene["intensity_a"], scene["intensity_b"], scene["k"],
                          scene["e_a"], scene["e_b"])
    if include_trap:
        u_a = u_a - alpha * scene["intensity_a"] / (2.0 * c * eps0)
        u_b = u_b - alpha * scene["intensity_b"] / (2.0 * c * eps0)
    return u_a, u_b


def _potentials_single(r_a, r_b, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature):
    u_a, u_b = _optical_single(r_a, r_b, dphi, scene, include_trap)
    if include_cp:
        d = r_a - r_b
        u_cp = _cp_of_distance(jnp.sqrt(jnp.sum(d * d)), scene, n_matsubara, zero_temperature)
        u_a, u_b = u_a + u_cp, u_b + u_cp
    return u_a, u_b


_STATIC = ("n_matsubara", "include_trap", "include_cp", "zero_temperature")


@functools.partial(jax.jit, static_argnames=_STATIC)
def _potentials(r_a, r_b, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature):
    fn = lambda a, b, p: _potentials_single(a, b, p, scene, n_matsubara, include_trap, include_cp,  # noqa: E731
                                            zero_temperature)
    return jnp.vectorize(fn, signature="(3),(3),()->(),()")(r_a, r_b, dphi)


@functools.partial(jax.jit, static_argnames=_STATIC)
def _potentials_and_forces(r_a, r_b, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature):
    def single(a, b, p):
        # flat tweezer profile: U_A, U_B depend on the positions only through d = r_A - r_B, so one forward
        # pass and two reverse sweeps give grad_A U_A = dU_A/dd and grad_B U_B = -dU_B/dd (cheap optical part)
        d = a - b
        optical = lambda x: _optical_single(x, jnp.zeros(3), p, scene, include_trap)  # noqa: E731
        (u_a, u_b), pullback = jax.vjp(optical, d)
        one, zero = jnp.ones_like(u_a), jnp.zeros_like(u_a)
        (g_a,) = pullback((one, zero))
        (g_b,) = pullback((zero, one))
        if include_cp:
            # the CP energy depends on |d| only: one scalar reverse sweep gives dU_CP/dr
            r = jnp.sqrt(jnp.sum(d * d))
            u_cp, cp_pullback = jax.vjp(lambda x: _cp_of_distance(x, scene, n_matsubara, zero_temperature), r)
            (du_cp,) = cp_pullback(jnp.ones_like(u_cp))
            u_a, u_b = u_a + u_cp, u_b + u_cp
            g_a, g_b = g_a + du_cp * d / r, g_b + du_cp * d / r
        return u_a, u_b, -g_a, g_b

    return jnp.vectorize(single, signature="(3),(3),()->(),(),(3),(3)")(r_a, r_b, dphi)


_DOC_KW = """
    Keyword arguments (the set-up; defaults reproduce seed 000, Figs. 4–6):
        radius: sphere radius R [m] (both spheres; default 100 nm).
        alpha_tilde: real alpha~ = alpha/(4 pi eps0 R^3) at the drive (default fused silica at 1064 nm,
            n = 1.4496: 0.2685318; the Drude–Lorentz model gives Re alpha~ = 0.28215).
        intensity_a, intensity_b: tweezer (coherent-equivalent) intensities [W/m^2] (default 1e10 = 1e-2 W/µm^2;
            intensity_b defaults to intensity_a).
        jones_a, jones_b: Jones vectors (j_x, j_y) of the tweezers (default (0, 1): "yy").
        wavelength: vacuum drive wavelength [m] (default 1064 nm).
        temperature: T [K] for the Casimir–Polder term (>= 0; 0 uses the zero-temperature integral).
        material: ``jaxem.materials`` model for alpha(i xi) in the CP term (default silica Drude–Lorentz, Eq. 35).
        n_matsubara: Matsubara terms summed exactly (static; Euler–Maclaurin tail beyond).
        include_trap, include_casimir_polder: switch the trap plateau / the CP term on or off.
"""


def _prepare(r_a, r_b, dphi, kwargs):
    _check_positions(r_a, r_b)
    check_finite("dphi", dphi)
    flags = {"n_matsubara": check_int("n_matsubara", kwargs.pop("n_matsubara", 64), minimum=1),
             "include_trap": bool(kwargs.pop("include_trap", True)),
             "include_cp": bool(kwargs.pop("include_casimir_polder", True))}
    allowed = {"radius", "alpha_tilde", "intensity_a", "intensity_b", "jones_a", "jones_b", "wavelength",
               "temperature", "material"}
    unknown = set(kwargs) - allowed
    if unknown:
        raise ValueError(f"unknown keyword argument(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    scene, zero_t = _scene(kwargs.get("radius", SEED000_RADIUS), kwargs.get("alpha_tilde"),
                           kwargs.get("intensity_a", SEED000_INTENSITY), kwargs.get("intensity_b"),
                           kwargs.get("jones_a", (0.0, 1.0)), kwargs.get("jones_b", (0.0, 1.0)),
                           kwargs.get("wavelength", SEED000_WAVELENGTH), kwargs.get("temperature", 300.0),
                           kwargs.get("material"), flags["n_matsubara"])
    f64 = lambda v: jnp.asarray(v, jnp.float64)  # noqa: E731
    return f64(r_a), f64(r_b), f64(dphi), scene, dict(flags, zero_temperature=zero_t)


def nanosphere_potentials(r_a, r_b, dphi, **kwargs):
    """Total potentials (U_A, U_B) [J] seen by spheres A and B: trap + optical binding + Casimir–Polder.

    U_A = U_trap,A + U_OB,A(dphi) + U_CP, U_B = U_trap,B + U_OB,B(dphi) + U_CP (U_OB,B(dphi) = U_OB,A(-dphi)
    for linear polarisations). Arguments: r_a, r_b -- positions [m] (..., 3), distinct; dphi -- relative
    phase of tweezer B [rad] (...). Returns (U_A, U_B) [J], broadcast shape.
    nanosphere-potentials.md §2.9 (total), §2.6 (trap, binding), §2.4 (CP).
    """
    r_a, r_b, dphi, scene, flags = _prepare(r_a, r_b, dphi, dict(kwargs))
    return _potentials(r_a, r_b, dphi, scene, **flags)


def nanosphere_forces(r_a, r_b, dphi, **kwargs):
    """Forces (F_A, F_B) [N] on spheres A and B with fixed tweezer fields, by autodiff.

    F_A = -grad_{r_A} U_A, F_B = -grad_{r_B} U_B (nanosphere-potentials.md §2.9); F_A + F_B != 0 unless
    dphi in {0, pi} (non-reciprocal optical binding). Arguments and keywords as :func:`nanosphere_potentials`.
    Returns two arrays of shape (..., 3).
    """
    return nanosphere_potentials_and_forces(r_a, r_b, dphi, **kwargs)[2:]


def nanosphere_potentials_and_forces(r_a, r_b, dphi, **kwargs):
    """(U_A, U_B, F_A, F_B): total potentials [J] and forces [N] of both spheres in one pass (autodiff).

    Same as :func:`nanosphere_potentials` and :func:`nanosphere_forces` together, sharing one forward
    evaluation (the efficient call for large grids). Returns shapes (...), (...), (..., 3), (..., 3).
    """
    r_a, r_b, dphi, scene, flags = _prepare(r_a, r_b, dphi, dict(kwargs))
    return _potentials_and_forces(r_a, r_b, dphi, scene, **flags)


def pair_potential(r_a, r_b, dphi=0.0, **kwargs):
    """Pair potential u(r) = U_A = U_B [J] of the conservative configurations dphi in {0, pi}.

    The forces F_A = -grad_A u, F_B = -grad_B u derive from W(r_A, r_B) = u(|r_A - r_B|); summing U_A + U_B
    would double them (nanosphere-potentials.md §2.9, erratum E18). For linear, identical polarisations
    U_A = U_B exactly at dphi in {0, pi}. Raises ValueError for other dphi (no pair potential exists).
    """
    check_finite("dphi", dphi)
    if is_concrete(dphi) and np.any(np.abs(np.sin(np.asarray(dphi, float))) > 1e-12):
        raise ValueError(f"dphi must be 0 or pi (mod 2 pi) for a pair potential (forces are non-conservative "
                         f"otherwise), got {dphi!r}")
    return nanosphere_potentials(r_a, r_b, dphi, **kwargs)[0]


def _on_x_axis(separation):
    s = jnp.asarray(separation, jnp.float64)
    zeros = jnp.zeros_like(s)
    return jnp.stack([zeros, zeros, zeros], axis=-1), jnp.stack([s, zeros, zeros], axis=-1)


def potentials_vs_separation(separation, dphi, **kwargs):
    """(U_A, U_B) [J] with A at the origin and B at (s, 0, 0): the geometry of seed 000 Figs. 4 and 6.

    Arguments: separation -- s [m] (> 0, ...); dphi [rad] (...); keywords as :func:`nanosphere_potentials`.
    """
    check_positive("separation", separation)
    r_a, r_b = _on_x_axis(separation)
    return nanosphere_potentials(r_a, r_b, dphi, **kwargs)


# ---------------------------------------------------------------------------------------------------------
# equilibria and bound states (Fig. 6)
# ---------------------------------------------------------------------------------------------------------
@functools.partial(jax.jit, static_argnames=_STATIC + ("max_minima", "n_bisection"))
def _minima(s_grid, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature, max_minima, n_bisection):
    def pots(s):
        a, b = _on_x_axis(s)
        return _potentials_single(a, b, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature)

    slope = jax.vmap(jax.jacfwd(lambda s: jnp.stack(pots(s))))  # (M,) -> (M, 2): dU_A/ds, dU_B/ds

    d = slope(s_grid)
    bracket = (d[:-1] < 0) & (d[1:] >= 0)  # dU/ds crosses 0 upwards: a local minimum in [s_i, s_i+1]
    # only the (at most max_minima) bracketing intervals of each sphere are refined
    idx = jnp.stack([jnp.nonzero(bracket[:, col], size=max_minima, fill_value=0)[0] for col in (0, 1)], axis=-1)
    valid = jnp.arange(max_minima)[:, None] < jnp.sum(bracket, axis=0)[None, :]
    lo, hi = s_grid[idx], s_grid[idx + 1]  # (max_minima, 2)

    def step(_, lohi):
        lo, hi = lohi
        mid = 0.5 * (lo + hi)
        both = slope(mid.reshape(-1)).reshape(max_minima, 2, 2)  # [i, column of mid, which potential]
        descending = jnp.stack([both[:, 0, 0], both[:, 1, 1]], axis=-1) < 0
        return jnp.where(descending, mid, lo), jnp.where(descending, hi, mid)

    lo, hi = jax.lax.fori_loop(0, n_bisection, step, (lo, hi))
    pos = jnp.where(valid, 0.5 * (lo + hi), jnp.nan)
    return pos[:, 0], pos[:, 1]


def potential_minima(separations, dphi, *, max_minima: int = 8, n_bisection: int = 60, **kwargs):
    """Separations [m] of the local minima of U_A(s) and of U_B(s) on the x axis (A at 0, B at s).

    Minima are bracketed on the grid ``separations`` by upward zero crossings of dU/ds (autodiff) and
    refined by bisection. Arguments: separations -- increasing 1-D grid [m] (> 0, static length);
    dphi -- relative phase [rad] (scalar; vmap for a phase scan); max_minima -- static output size;
    keywords as :func:`nanosphere_potentials`. Returns (minima_A, minima_B), each shape (max_minima,),
    ascending, NaN-padded. nanosphere-potentials.md §2.9, §3 (Fig. 6c).
    """
    check_positive("separations", separations)
    if is_concrete(separations):
        arr = np.asarray(separations, float)
        if arr.ndim != 1 or arr.size < 2 or np.any(np.diff(arr) <= 0):
            raise ValueError("separations must be a strictly increasing 1-D grid with at least 2 points")
    max_minima = check_int("max_minima", max_minima, minimum=1)
    n_bisection = check_int("n_bisection", n_bisection, minimum=0)
    s = jnp.asarray(separations, jnp.float64)
    r_a, r_b, dphi, scene, flags = _prepare(np.zeros(3), np.array([1.0, 0.0, 0.0]), dphi, dict(kwargs))
    return _minima(s, dphi, scene, max_minima=max_minima, n_bisection=n_bisection, **flags)


def bound_states(separations, dphi, *, tolerance=1e-12, max_minima: int = 8, **kwargs):
    """Separations [m] where BOTH spheres sit in a potential minimum (a stable bound pair), NaN-padded.

    A minimum s* of U_A counts when U_B has a minimum within ``tolerance`` [m] of it. Bound states exist
    only at dphi = 0 and pi (mod 2 pi): elsewhere the minima of U_A move with -dphi and those of U_B with
    +dphi (nanosphere-potentials.md §2.9, §4.B.3; seed 000 Fig. 6c). Arguments as :func:`potential_minima`.
    Returns shape (max_minima,).
    """
    check_nonnegative("tolerance", tolerance)
    m_a, m_b = potential_minima(separations, dphi, max_minima=max_minima, **kwargs)
    close = jnp.abs(m_a[:, None] - m_b[None, :]) <= tolerance
    common = jnp.any(close, axis=1)
    keep = jnp.where(common, m_a, jnp.nan)
    return jnp.sort(keep)  # NaN sort last


# ---------------------------------------------------------------------------------------------------------
# drives in single-mode quantum states (squeezed vacuum, cat states)
# ---------------------------------------------------------------------------------------------------------
def mean_photon_number_squeezed_vacuum(r):
    """Mean photon number <a^dagger a> = sinh^2 r of a single-mode squeezed vacuum (squeezing parameter r >= 0).

    nanosphere-potentials.md §2.7 (seed 000 Eqs. 31–32).
    """
    check_nonnegative("r", r)
    return jnp.sinh(jnp.asarray(r, jnp.float64)) ** 2


def mean_photon_number_cat(beta, theta):
    """Mean photon number of the cat state N(|beta> + e^{i theta}|-beta>), corrected (erratum E11):

    <a^dagger a> = |beta|^2 (1 - e^{-2|beta|^2} cos theta)/(1 + e^{-2|beta|^2} cos theta),
    N = [2 + 2 e^{-2|beta|^2} cos theta]^{-1/2}. Even cat (theta = 0): |beta|^2 tanh|beta|^2; odd (pi):
    |beta|^2 coth|beta|^2. The printed N^2 (1 - cos theta) factor drops the overlap <beta|-beta>.
    Arguments: beta -- coherent amplitude (complex allowed); theta -- relative phase [rad].
    nanosphere-potentials.md §2.8.
    """
    check_finite("beta", beta)
    check_finite("theta", theta)
    if is_concrete((beta, theta)):
        b2 = np.abs(np.asarray(beta)) ** 2
        if np.any((b2 == 0) | (1 + np.exp(-2 * b2) * np.cos(np.asarray(theta, float)) <= 0)):
            raise ValueError("beta: the odd cat state (theta = pi) with beta = 0 does not exist (zero norm)")
    b2 = jnp.abs(jnp.asarray(beta)) ** 2
    overlap = jnp.exp(-2.0 * b2) * jnp.cos(jnp.asarray(theta, jnp.float64))
    return b2 * (1.0 - overlap) / (1.0 + overlap)


def drive_intensity(mean_photon_number, wavelength, mode_volume):
    """Coherent-equivalent intensity I = <n> hbar omega0 c / V [W/m^2] of a single-mode drive.

    Every single-mode state (coherent, squeezed, cat, mixtures) produces the potentials of a coherent
    drive with this intensity (nanosphere-potentials.md §2.6–2.8). Arguments: mean_photon_number (>= 0),
    wavelength [m] (> 0), mode_volume V [m^3] (> 0).
    """
    check_nonnegative("mean_photon_number", mean_photon_number)
    check_positive("wavelength", wavelength)
    check_positive("mode_volume", mode_volume)
    omega0 = 2.0 * jnp.pi * c / jnp.asarray(wavelength, jnp.float64)
    return jnp.asarray(mean_photon_number, jnp.float64) * hbar * omega0 * c / jnp.asarray(mode_volume, jnp.float64)


def squeezing_parameter(intensity, wavelength, mode_volume):
    """Squeezing parameter r of a squeezed vacuum matching a coherent drive of intensity I in mode volume V.

    sinh^2 r = I V/(hbar omega0 c) (equal mean photon number; dimensionless). r = 3.380 for V = lambda0^3,
    10.19 for V = 1e-12 m^3 at I = 1e-2 W/µm^2, 1064 nm. nanosphere-potentials.md §2.7 (erratum E12).
    """
    check_nonnegative("intensity", intensity)
    check_positive("wavelength", wavelength)
    check_positive("mode_volume", mode_volume)
    n = intensity / (hbar * 2.0 * jnp.pi * c / jnp.asarray(wavelength, jnp.float64) * c) * jnp.asarray(
        mode_volume, jnp.float64)
    return jnp.arcsinh(jnp.sqrt(n))


def squeezing_parameter_paper(intensity, wavelength):
    """The paper's squeezing parameter: sinh^2 r = (2 pi)^4 I/(hbar omega0 c) with SI numbers (r = 27.68, 240.5 dB
    at 1e-2 W/µm^2, 1064 nm). Not dimensionless (an implicit 1 m^3 normalisation volume, erratum E12);
    for reproduction only — use :func:`squeezing_parameter`. nanosphere-potentials.md §2.7.
    """
    check_nonnegative("intensity", intensity)
    check_positive("wavelength", wavelength)
    omega0 = 2.0 * jnp.pi * c / jnp.asarray(wavelength, jnp.float64)
    return jnp.arcsinh(jnp.sqrt((2.0 * jnp.pi) ** 4 * jnp.asarray(intensity, jnp.float64) / (hbar * omega0 * c)))


def squeezing_in_db(r):
    """Squeezing in decibels, 20 r log10(e), of a squeezing parameter r."""
    check_nonnegative("r", r)
    return 20.0 * jnp.asarray(r, jnp.float64) * np.log10(np.e)


for _fn in (nanosphere_potentials, nanosphere_forces, nanosphere_potentials_and_forces, pair_potential,
            potentials_vs_separation):
    _fn.__doc__ += _DOC_KW
del _fn
