"""Radiative potentials between two optically trapped nanospheres: trap, optical binding,
thermal Casimir–Polder, drives in arbitrary single-mode states, forces and bound states.

Source: C. Jakubec, P. Solano, U. Delić and K. Sinha, "Fluctuation-induced forces on nanospheres in
external fields", Phys. Rev. A 109, 052807 (2024), arXiv:2311.10496 (cited below as "Jakubec et al.";
equation and figure numbers of the arXiv preprint).

Conventions (fixed for the library; they reproduce Jakubec et al. Eqs. (28)-(30), (39), (40), (C7)):
- e^{-i omega t}; tweezer field E(r) complex amplitude, E_phys = Re[E e^{-i omega t}], intensity
  I = c eps0 |E|^2/2. Tweezers propagate along z with Jones vectors (j_x, j_y) (normalised here; the
  intensity carries the power); sphere A sees E_A = |E_A| e_A, sphere B sees E_B = |E_B| e_B e^{i dphi}.
- Tweezer profile ``profile="flat"`` (default, the paper's assumption, reproduces Figs. 4–6): the trap
  potential is a constant "plateau" and only the Green tensor depends on the positions.
  ``profile="gaussian"`` (an option beyond the paper, which has flat tweezers only): each sphere sits in a
  paraxial Gaussian focus of waist w0 (given, or w0 = lambda/(pi NA)) centred at ``focus_a``/``focus_b``,
  field E = |E0| e u(rho, z) with u = (w0/w) e^{-rho^2/w^2} e^{i(k z + k rho^2/(2 R(z)) - arctan(z/z_R))}
  (intensity I0 (w0/w)^2 e^{-2 rho^2/w^2}, Gouy phase, wavefront curvature), so that the trap
  -(1/4) alpha |E|^2 restores and the binding carries the local field phases. Each sphere is driven by its
  own tweezer only (cross-illumination neglected, as in the paper); the scattering (radiation-pressure)
  force and the longitudinal field component O(1/(k w0)) are not included. As w0 -> inf it reduces to
  the flat model with the plane-wave phase e^{ikz}.
- Polarizability at the drive: real (lossless, as in the paper), SI alpha [F m^2]; the convenience
  functions take the dimensionless alpha~ = alpha/(4 pi eps0 R^3) (default: fused silica at 1064 nm, n = 1.4496).
- Potential "seen by" each sphere (Eqs. 28–30): U_A = U_trap,A + U_OB,A + U_CP, U_B likewise with
  dphi -> -dphi in U_OB. Forces F_A = -grad_{r_A} U_A, F_B = -grad_{r_B} U_B (autodiff); they are
  non-reciprocal unless dphi in {0, pi}, where U_A = U_B = u(r) is the pair potential (not U_A + U_B).
- Drive state: every single-mode state enters only through <a^dagger a> (derived here from Jakubec et al.
  Eqs. (22), (27), (31)-(34); checked in tests/test_nanospheres.py): pass the
  coherent-equivalent intensity, e.g. :func:`jaxem.potentials.drives.drive_intensity` of
  :func:`jaxem.potentials.drives.mean_photon_number_cat`.

Kernels broadcast over positions r_a, r_b (..., 3) and phases dphi (...), and work under jit, vmap, grad.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_finite, check_int, check_nonnegative, check_positive, check_real, is_concrete
from ..constants import c, eps0
from ..geometry import NANOSPHERE_RADIUS, TWEEZER_INTENSITY, TWEEZER_WAVELENGTH, TweezerPair
from ..green import green_tensor
from ..materials import LorentzOscillators, Material
from ..polarizabilities import SILICA_INDEX_1064NM
from .casimir_polder import _cp_thermal, _cp_zero

__all__ = [
    "trap_potential",
    "waist_from_numerical_aperture",
    "rayleigh_range",
    "gaussian_beam_amplitude",
    "gaussian_trap_potential",
    "optical_binding_potentials",
    "optical_binding_near_field_law",
    "optical_binding_far_field_law",
    "nanosphere_potentials",
    "nanosphere_forces",
    "nanosphere_potentials_and_forces",
    "nanosphere_stiffness",
    "pair_potential",
    "potentials_vs_separation",
    "potential_minima",
    "bound_states",
]


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
        return arr.astype(np.complex128)  # host array: set-up values need no device dispatch
    return jnp.asarray(jones, jnp.complex128)


def _check_positions(r_a, r_b):
    check_real("r_a", r_a)
    check_real("r_b", r_b)
    if is_concrete((r_a, r_b)):
        a, b = np.asarray(r_a, float), np.asarray(r_b, float)
        if a.shape[-1:] != (3,) or b.shape[-1:] != (3,):
            raise ValueError(f"r_a and r_b must be positions of shape (..., 3), got {a.shape} and {b.shape}")
        if np.any(np.linalg.norm(a - b, axis=-1) == 0):
            raise ValueError("r_a and r_b must differ (coincident spheres: the dipole interaction is singular)")


def _unit_field(jones):
    """3-vector polarisation (j_x, j_y, 0)/|j| of a tweezer propagating along z (NumPy for host inputs)."""
    xp = np if isinstance(jones, np.ndarray) else jnp
    e = xp.concatenate([jones, xp.zeros(jones.shape[:-1] + (1,), xp.complex128)], axis=-1)
    return e / xp.sqrt(xp.sum(xp.abs(e) ** 2, axis=-1, keepdims=True))


# ---------------------------------------------------------------------------------------------------------
# trap and optical binding
# ---------------------------------------------------------------------------------------------------------
def trap_potential(intensity, alpha):
    """Tweezer (gradient-force) potential U_trap = -(1/4) alpha |E|^2 = -alpha I/(2 c eps0) [J].

    Arguments:
        intensity: I [W/m^2] (>= 0).
        alpha: real polarizability at the drive [F m^2].
    Returns:
        U_trap [J] (the constant plateau of the flat-profile model; -4076.35 K for R = 100 nm,
        n = 1.4496, I = 1e-2 W/µm^2).

    Source: Jakubec et al., Eqs. (28), (B9).
    """
    check_nonnegative("intensity", intensity)
    _check_real("alpha", alpha)
    return -jnp.asarray(alpha, jnp.float64) * jnp.asarray(intensity, jnp.float64) / (2.0 * c * eps0)


def waist_from_numerical_aperture(numerical_aperture, wavelength=TWEEZER_WAVELENGTH):
    """Paraxial focal waist w0 = lambda/(pi NA) [m] of a Gaussian tweezer (far-field half-angle lambda/(pi w0) = NA).

    The paraxial identification is a first estimate: for NA >~ 0.7 real foci are non-paraxial (tighter
    along z than z_R = pi w0^2/lambda predicts). An option beyond Jakubec et al. (flat tweezers).

    Arguments:
        numerical_aperture: NA in (0, 1].
        wavelength: vacuum wavelength [m] (default 1064 nm).
    Returns:
        w0 [m].

    Source: paraxial Gaussian-beam optics (Saleh & Teich, Fundamentals of Photonics, Ch. 3).
    """
    check_positive("numerical_aperture", numerical_aperture)
    if is_concrete(numerical_aperture) and np.any(np.asarray(numerical_aperture, float) > 1.0):
        raise ValueError(f"numerical_aperture must be <= 1 (vacuum), got {numerical_aperture!r}")
    check_positive("wavelength", wavelength)
    return jnp.asarray(wavelength, jnp.float64) / (jnp.pi * jnp.asarray(numerical_aperture, jnp.float64))


def rayleigh_range(waist, wavelength=TWEEZER_WAVELENGTH):
    """Rayleigh range z_R = pi w0^2/lambda = k w0^2/2 [m] of a Gaussian beam.

    Arguments:
        waist: w0 [m] (> 0).
        wavelength: vacuum wavelength [m] (default 1064 nm).
    Returns:
        z_R [m].

    Source: paraxial Gaussian-beam optics (Saleh & Teich, Fundamentals of Photonics, Ch. 3).
    """
    check_positive("waist", waist)
    check_positive("wavelength", wavelength)
    return jnp.pi * jnp.asarray(waist, jnp.float64) ** 2 / jnp.asarray(wavelength, jnp.float64)


def _gaussian_amplitude_and_phase(delta, waist, k):
    """Real amplitude (w0/w) e^{-rho^2/w^2} and phase k z + k rho^2 z/(2 (z^2 + z_R^2)) - arctan(z/z_R) of the
    paraxial Gaussian beam at the displacement delta = r - focus (..., 3) from its focus (propagation +z).
    k rho^2/(2 R(z)) with 1/R(z) = z/(z^2 + z_R^2) is written without the R(0) = inf singularity."""
    x, y, z = delta[..., 0], delta[..., 1], delta[..., 2]
    rho2 = x * x + y * y
    z_r = 0.5 * k * waist**2
    spread = 1.0 + (z / z_r) ** 2  # (w(z)/w0)^2
    amplitude = jnp.exp(-rho2 / (waist**2 * spread)) / jnp.sqrt(spread)
    phase = k * z + 0.5 * k * rho2 * z / (z * z + z_r * z_r) - jnp.arctan2(z, z_r)
    return amplitude, phase


def gaussian_beam_amplitude(position, waist, wavelength=TWEEZER_WAVELENGTH, focus=(0.0, 0.0, 0.0)):
    """Dimensionless complex profile u of a paraxial Gaussian tweezer propagating along +z (e^{-i omega t}):

    u(rho, z) = (w0/w(z)) exp(-rho^2/w(z)^2) exp(i [k z + k rho^2/(2 R(z)) - arctan(z/z_R)]),
    w(z) = w0 sqrt(1 + (z/z_R)^2), R(z) = z (1 + (z_R/z)^2), z_R = pi w0^2/lambda, coordinates relative to the
    focus. The tweezer field is E = sqrt(2 I0/(c eps0)) e u (e: the transverse Jones polarisation) and the
    intensity I = I0 |u|^2 = I0 (w0/w)^2 exp(-2 rho^2/w^2). u(focus) = 1. An option beyond Jakubec et al.
    (flat tweezers).

    Arguments:
        position, focus: [m], shape (..., 3).
        waist: w0 [m] (> 0).
        wavelength: vacuum wavelength [m].
    Returns:
        u (dimensionless), complex128, shape (...).

    Source: paraxial Gaussian-beam optics (Saleh & Teich, Fundamentals of Photonics, Ch. 3).
    """
    check_real("position", position)
    check_real("focus", focus)
    check_positive("waist", waist)
    check_positive("wavelength", wavelength)
    delta = jnp.asarray(position, jnp.float64) - jnp.asarray(focus, jnp.float64)
    k = 2.0 * jnp.pi / jnp.asarray(wavelength, jnp.float64)
    amplitude, phase = _gaussian_amplitude_and_phase(delta, jnp.asarray(waist, jnp.float64), k)
    return amplitude * jnp.exp(1j * phase)


def gaussian_trap_potential(position, alpha, intensity, waist, wavelength=TWEEZER_WAVELENGTH,
                            focus=(0.0, 0.0, 0.0)):
    """Trap potential of a Gaussian tweezer U = -(1/4) alpha |E|^2 = -(alpha/(2 c eps0)) I(rho, z) [J].

    I(rho, z) = I0 (w0/w(z))^2 exp(-2 rho^2/w(z)^2) (see :func:`gaussian_beam_amplitude`); U(focus) =
    U0 = -alpha I0/(2 c eps0) (the flat plateau of :func:`trap_potential`). Stiffnesses at the focus (autodiff,
    e.g. ``jax.hessian``): k_x = k_y = 4 |U0|/w0^2, k_z = 2 |U0|/z_R^2. Gradient force only (no scattering force).

    Arguments:
        position, focus: [m], shape (..., 3).
        alpha: real polarizability at the drive [F m^2].
        intensity: focal intensity I0 [W/m^2] (>= 0).
        waist: w0 [m].
        wavelength: vacuum wavelength [m].
    Returns:
        U [J], shape (...).

    Source: Jakubec et al., Eqs. (28), (B9), with a focused (paraxial Gaussian) profile instead of their
    flat one (an option beyond the paper).
    """
    check_real("position", position)
    check_real("focus", focus)
    check_nonnegative("intensity", intensity)
    _check_real("alpha", alpha)
    check_positive("waist", waist)
    check_positive("wavelength", wavelength)
    delta = jnp.asarray(position, jnp.float64) - jnp.asarray(focus, jnp.float64)
    k = 2.0 * jnp.pi / jnp.asarray(wavelength, jnp.float64)
    amplitude, _ = _gaussian_amplitude_and_phase(delta, jnp.asarray(waist, jnp.float64), k)
    return (-jnp.asarray(alpha, jnp.float64) * jnp.asarray(intensity, jnp.float64) / (2.0 * c * eps0)
            * amplitude**2)


def _ob_single(r_a, r_b, dphi, alpha_a, alpha_b, i_a, i_b, k, e_a, e_b, u_a=None, u_b=None):
    """(U_OB,A, U_OB,B); u_a, u_b: complex profile factors of the tweezer fields at the spheres (None: flat)."""
    g = green_tensor(r_a, r_b, k)
    amplitudes = 2.0 * jnp.sqrt(i_a * i_b) / (c * eps0)  # |E_A| |E_B|
    pre = -0.5 * (k**2 / eps0) * alpha_a * alpha_b * amplitudes  # mu0 omega^2 = k^2/eps0
    phase_a, phase_b = jnp.exp(1j * dphi), jnp.exp(-1j * dphi)
    if u_a is not None:  # E_A* ... E_B carries conj(u_A) u_B; E_B* ... E_A carries conj(u_B) u_A
        phase_a = phase_a * jnp.conj(u_a) * u_b
        phase_b = phase_b * jnp.conj(u_b) * u_a
    # G(r_B, r_A) = G(r_A, r_B)^T (reciprocity)
    u_a = pre * jnp.real(phase_a * (jnp.conj(e_a) @ g @ e_b))
    u_b = pre * jnp.real(phase_b * (jnp.conj(e_b) @ g.T @ e_a))
    return u_a, u_b


_ob_vectorized = jax.jit(jnp.vectorize(_ob_single, signature="(3),(3),(),(),(),(),(),(),(3),(3)->(),()"))


def _check_drive(dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength):
    """Boundary checks shared by the binding potentials and their asymptotic laws."""
    check_real("dphi", dphi)
    _check_real("alpha_a", alpha_a)
    _check_real("alpha_b", alpha_b)
    check_nonnegative("intensity_a", intensity_a)
    check_nonnegative("intensity_b", intensity_b)
    check_positive("wavelength", wavelength)


def optical_binding_potentials(r_a, r_b, dphi, alpha_a, alpha_b, intensity_a, intensity_b,
                               wavelength=TWEEZER_WAVELENGTH, jones_a=(0.0, 1.0), jones_b=(0.0, 1.0)):
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
    Returns:
        (U_A, U_B) [J], broadcast shape.

    Source: Jakubec et al., Eqs. (29), (30) and (C7) (the names f and h in (30) are swapped relative
    to (C1); (C7) has a typo Delta for dphi), with the sign-corrected Green tensor of
    :func:`jaxem.green.green_tensor`.
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
                                   wavelength=TWEEZER_WAVELENGTH):
    """Near-field (k0 r << 1) optical binding U_OB,A [J] seen by A, parallel polarisations perpendicular to the axis:

    U_OB,A ≈ sqrt(I_A I_B) alpha_A alpha_B cos(dphi)/(4 pi eps0^2 c r^3)
           = (4 pi sqrt(I_A I_B)/c) R^3 (R/r)^3 alpha~^2 cos(dphi)  (repulsive for dphi = 0).

    Arguments:
        r: centre-to-centre distance |r_A - r_B| [m] (> 0).
        dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength: as for
            :func:`optical_binding_potentials`.
    Returns:
        U_OB,A [J], broadcast shape.

    Source: Jakubec et al., Eq. (39).
    """
    r, dphi, scale, _ = _law_args(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength)
    return scale * jnp.cos(dphi) / r**3


def optical_binding_far_field_law(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b,
                                  wavelength=TWEEZER_WAVELENGTH):
    """Far-field (k0 r >> 1) optical binding U_OB,A [J] seen by A, parallel polarisations perpendicular to the axis:

    U_OB,A ≈ -sqrt(I_A I_B) alpha_A alpha_B k0^2 cos(k0 r + dphi)/(4 pi eps0^2 c r)
    (sphere B: dphi -> -dphi, the "±" of Eq. (40)).

    Arguments:
        r: centre-to-centre distance |r_A - r_B| [m] (> 0).
        dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength: as for
            :func:`optical_binding_potentials`.
    Returns:
        U_OB,A [J], broadcast shape.

    Source: Jakubec et al., Eq. (40), with the sign of dphi fixed as in their corrected (C7) (sphere A
    sees cos(k0 r + dphi), B sees cos(k0 r - dphi)).
    """
    r, dphi, scale, k = _law_args(r, dphi, alpha_a, alpha_b, intensity_a, intensity_b, wavelength)
    return -scale * k**2 * jnp.cos(k * r + dphi) / r


# ---------------------------------------------------------------------------------------------------------
# total potentials, forces, pair potential
# ---------------------------------------------------------------------------------------------------------
def _scene(radius, alpha_tilde, intensity_a, intensity_b, jones_a, jones_b, wavelength, temperature, material,
           n_matsubara, waist=None):
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
    material = _default_material() if material is None else material
    if not isinstance(material, Material):
        raise ValueError(f"material must be a jaxem.materials model, got {material!r}")
    check_int("n_matsubara", n_matsubara, minimum=1)
    # concrete set-up values stay NumPy scalars (no eager device dispatch per call; same dtypes, so the same
    # compiled kernel serves both); traced ones (a vmap over the set-up) stay JAX
    scalars = (radius, alpha_tilde, intensity_a, intensity_b, wavelength, temperature, waist)
    xp = np if is_concrete(scalars) else jnp
    f64 = lambda v: xp.asarray(v, xp.float64)  # noqa: E731
    radius = f64(radius)
    scene = {
        "alpha": 4.0 * np.pi * eps0 * (radius * radius * radius) * f64(alpha_tilde),
        "radius": radius,
        "intensity_a": f64(intensity_a),
        "intensity_b": f64(intensity_b),
        "e_a": _unit_field(_jones("jones_a", jones_a)),
        "e_b": _unit_field(_jones("jones_b", jones_b)),
        "k": 2.0 * np.pi / f64(wavelength),
        "temperature": f64(temperature),
        "material": material,
        "waist": None if waist is None else f64(waist),
    }
    zero_temperature = bool(is_concrete(temperature) and np.all(np.asarray(temperature) == 0))
    return scene, zero_temperature


@functools.lru_cache(maxsize=1)
def _default_material():
    """Silica Drude–Lorentz (Jakubec et al., Eq. (35)), built once (materials are immutable)."""
    with jax.ensure_compile_time_eval():            # concrete even when first called under jit (no leaked tracer)
        return LorentzOscillators.silica()


def _cp_of_distance(r, scene, n_matsubara, zero_temperature):
    R, mat = scene["radius"], scene["material"]
    if zero_temperature:
        return _cp_zero(r, R, mat, R, mat, n_nodes=256)
    return _cp_thermal(r, scene["temperature"], R, mat, R, mat, n_matsubara=n_matsubara)


def _optical_single(r_a, r_b, dphi, scene, include_trap, profile="flat", f_a=None, f_b=None):
    """Trap + optical binding (U_A, U_B) of one configuration [J]; f_a, f_b: tweezer foci (Gaussian profile)."""
    alpha = scene["alpha"]
    trap_a = trap_b = 1.0
    prof_a = prof_b = None
    if profile == "gaussian":
        amp_a, ph_a = _gaussian_amplitude_and_phase(r_a - f_a, scene["waist"], scene["k"])
        amp_b, ph_b = _gaussian_amplitude_and_phase(r_b - f_b, scene["waist"], scene["k"])
        prof_a, prof_b = amp_a * jnp.exp(1j * ph_a), amp_b * jnp.exp(1j * ph_b)
        trap_a, trap_b = amp_a**2, amp_b**2
    u_a, u_b = _ob_single(r_a, r_b, dphi, alpha, alpha, scene["intensity_a"], scene["intensity_b"], scene["k"],
                          scene["e_a"], scene["e_b"], prof_a, prof_b)
    if include_trap:
        u_a = u_a - alpha * scene["intensity_a"] / (2.0 * c * eps0) * trap_a
        u_b = u_b - alpha * scene["intensity_b"] / (2.0 * c * eps0) * trap_b
    return u_a, u_b


def _potentials_single(r_a, r_b, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature,
                       profile="flat", f_a=None, f_b=None):
    u_a, u_b = _optical_single(r_a, r_b, dphi, scene, include_trap, profile, f_a, f_b)
    if include_cp:
        d = r_a - r_b
        u_cp = _cp_of_distance(jnp.sqrt(jnp.sum(d * d)), scene, n_matsubara, zero_temperature)
        u_a, u_b = u_a + u_cp, u_b + u_cp
    return u_a, u_b


_STATIC = ("n_matsubara", "include_trap", "include_cp", "zero_temperature", "profile")


@functools.partial(jax.jit, static_argnames=_STATIC)
def _potentials(r_a, r_b, dphi, f_a, f_b, scene, n_matsubara, include_trap, include_cp, zero_temperature, profile):
    fn = lambda a, b, p, fa, fb: _potentials_single(a, b, p, scene, n_matsubara, include_trap,  # noqa: E731
                                                    include_cp, zero_temperature, profile, fa, fb)
    return jnp.vectorize(fn, signature="(3),(3),(),(3),(3)->(),()")(r_a, r_b, dphi, f_a, f_b)


def _cp_value_and_slope(d, scene, n_matsubara, zero_temperature):
    """U_CP(|d|) and grad_d U_CP in one forward-mode pass (the thermal node sum has an analytic custom JVP:
    one exponential per node for both)."""
    r = jnp.sqrt(jnp.sum(d * d))
    u_cp, du_cp = jax.jvp(lambda x: _cp_of_distance(x, scene, n_matsubara, zero_temperature), (r,),
                          (jnp.ones_like(r),))
    return u_cp, du_cp * d / r


@functools.partial(jax.jit, static_argnames=_STATIC)
def _potentials_and_forces(r_a, r_b, dphi, f_a, f_b, scene, n_matsubara, include_trap, include_cp,
                           zero_temperature, profile):
    def single_gaussian(a, b, p, fa, fb):
        # the profiles depend on r_A and r_B separately (foci fixed): two reverse sweeps of one forward pass
        optical = lambda x, y: _optical_single(x, y, p, scene, include_trap, profile, fa, fb)  # noqa: E731
        (u_a, u_b), pullback = jax.vjp(optical, a, b)
        one, zero = jnp.ones_like(u_a), jnp.zeros_like(u_a)
        g_a = pullback((one, zero))[0]  # grad_A U_A
        g_b = pullback((zero, one))[1]  # grad_B U_B
        if include_cp:
            u_cp, grad_cp = _cp_value_and_slope(a - b, scene, n_matsubara, zero_temperature)
            u_a, u_b, g_a, g_b = u_a + u_cp, u_b + u_cp, g_a + grad_cp, g_b - grad_cp
        return u_a, u_b, -g_a, -g_b

    if profile == "gaussian":
        return jnp.vectorize(single_gaussian, signature="(3),(3),(),(3),(3)->(),(),(3),(3)")(r_a, r_b, dphi,
                                                                                             f_a, f_b)

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
            # the CP energy depends on |d| only: U_CP and dU_CP/dr in one forward-mode pass
            u_cp, grad_cp = _cp_value_and_slope(d, scene, n_matsubara, zero_temperature)
            u_a, u_b = u_a + u_cp, u_b + u_cp
            g_a, g_b = g_a + grad_cp, g_b + grad_cp
        return u_a, u_b, -g_a, g_b

    return jnp.vectorize(single, signature="(3),(3),()->(),(),(3),(3)")(r_a, r_b, dphi)


_DOC_KW = """
    Keyword arguments (the set-up; defaults reproduce Jakubec et al., Figs. 4–6), or ``setup=`` a
    :class:`jaxem.TweezerPair` holding them (plus focus_a, focus_b per call):
        radius: sphere radius R [m] (both spheres; default 100 nm).
        alpha_tilde: real alpha~ = alpha/(4 pi eps0 R^3) at the drive (default fused silica at 1064 nm,
            n = 1.4496: 0.2685318; the Drude–Lorentz model gives Re alpha~ = 0.28215).
        intensity_a, intensity_b: tweezer (coherent-equivalent) intensities [W/m^2] (default 1e10 = 1e-2 W/µm^2;
            intensity_b defaults to intensity_a).
        jones_a, jones_b: Jones vectors (j_x, j_y) of the tweezers (default (0, 1): "yy").
        wavelength: vacuum drive wavelength [m] (default 1064 nm).
        temperature: T [K] for the Casimir–Polder term (>= 0; 0 uses the zero-temperature integral).
        material: ``jaxem.materials`` model for alpha(i xi) in the CP term (default silica Drude–Lorentz,
            Jakubec et al. Eq. (35)).
        n_matsubara: Matsubara terms summed exactly (static; Euler–Maclaurin tail beyond).
        include_trap, include_casimir_polder: switch the trap plateau / the CP term on or off.
        profile: tweezer profile, "flat" (default, the paper's) or "gaussian" (paraxial focus, see the module
            docstring; then give exactly one of ``waist`` [m] or ``numerical_aperture`` (w0 = lambda/(pi NA))).
        focus_a, focus_b: tweezer foci [m] (..., 3) for profile="gaussian" (default: at the sphere positions,
            held fixed under differentiation, i.e. forces and stiffnesses of spheres sitting at the foci).
"""


def _profile_options(kwargs, wavelength):
    """Validate profile / waist / numerical_aperture / focus_a / focus_b; returns (profile, waist, f_a, f_b)."""
    profile = kwargs.pop("profile", "flat")
    if profile not in ("flat", "gaussian"):
        raise ValueError(f"profile must be 'flat' or 'gaussian', got {profile!r}")
    waist = kwargs.pop("waist", None)
    na = kwargs.pop("numerical_aperture", None)
    foci = kwargs.pop("focus_a", None), kwargs.pop("focus_b", None)
    if profile == "flat":
        for name, value in (("waist", waist), ("numerical_aperture", na), ("focus_a", foci[0]),
                            ("focus_b", foci[1])):
            if value is not None:
                raise ValueError(f"{name} is only used with profile='gaussian' (the default 'flat' tweezers "
                                 "have no focus)")
        return profile, None, None, None
    if (waist is None) == (na is None):
        raise ValueError("waist: profile='gaussian' needs exactly one of waist [m] or numerical_aperture")
    if waist is None:
        waist = waist_from_numerical_aperture(na, wavelength)
    else:
        check_positive("waist", waist)
    if np.ndim(waist) != 0:
        raise ValueError(f"waist must be a scalar, got shape {np.shape(waist)}")
    for name, focus in zip(("focus_a", "focus_b"), foci):
        if focus is not None:
            check_real(name, focus)
            if is_concrete(focus) and np.shape(focus)[-1:] != (3,):
                raise ValueError(f"{name} must be a position of shape (..., 3), got shape {np.shape(focus)}")
    return profile, waist, foci[0], foci[1]


def _with_setup(kwargs):
    """Expand ``setup=TweezerPair(...)`` into the keyword arguments it stands for (foci stay per call)."""
    setup = kwargs.pop("setup", None)
    if setup is None:
        return kwargs
    if not isinstance(setup, TweezerPair):
        raise ValueError(f"setup must be a jaxem.TweezerPair, got {setup!r}")
    both = sorted(set(kwargs) - {"focus_a", "focus_b"})
    if both:
        raise ValueError(f"setup: give the set-up either as jaxem.TweezerPair or as keywords, not both (got {both})")
    return {**setup.options(), **kwargs}


def _prepare(r_a, r_b, dphi, kwargs):
    kwargs = _with_setup(kwargs)
    _check_positions(r_a, r_b)
    check_real("dphi", dphi)
    flags = {"n_matsubara": check_int("n_matsubara", kwargs.pop("n_matsubara", 64), minimum=1),
             "include_trap": bool(kwargs.pop("include_trap", True)),
             "include_cp": bool(kwargs.pop("include_casimir_polder", True))}
    wavelength = kwargs.get("wavelength", TWEEZER_WAVELENGTH)
    check_positive("wavelength", wavelength)
    profile, waist, f_a, f_b = _profile_options(kwargs, wavelength)
    allowed = {"radius", "alpha_tilde", "intensity_a", "intensity_b", "jones_a", "jones_b", "wavelength",
               "temperature", "material"}
    unknown = set(kwargs) - allowed
    if unknown:
        options = allowed | {"profile", "waist", "numerical_aperture", "focus_a", "focus_b", "n_matsubara",
                             "include_trap", "include_casimir_polder"}
        raise ValueError(f"unknown keyword argument(s) {sorted(unknown)}; allowed: {sorted(options)}")
    scene, zero_t = _scene(kwargs.get("radius", NANOSPHERE_RADIUS), kwargs.get("alpha_tilde"),
                           kwargs.get("intensity_a", TWEEZER_INTENSITY), kwargs.get("intensity_b"),
                           kwargs.get("jones_a", (0.0, 1.0)), kwargs.get("jones_b", (0.0, 1.0)),
                           wavelength, kwargs.get("temperature", 300.0),
                           kwargs.get("material"), flags["n_matsubara"], waist)
    f64 = lambda v: jnp.asarray(v, jnp.float64)  # noqa: E731
    r_a, r_b = f64(r_a), f64(r_b)
    # default foci: at the spheres, held fixed under differentiation (flat profile: unused placeholders)
    hold = jax.lax.stop_gradient if profile == "gaussian" else (lambda v: v)
    f_a = hold(r_a) if f_a is None else f64(f_a)
    f_b = hold(r_b) if f_b is None else f64(f_b)
    return r_a, r_b, f64(dphi), f_a, f_b, scene, dict(flags, zero_temperature=zero_t, profile=profile)


def nanosphere_potentials(r_a, r_b, dphi, **kwargs):
    """Total potentials (U_A, U_B) [J] seen by spheres A and B: trap + optical binding + Casimir–Polder.

    U_A = U_trap,A + U_OB,A(dphi) + U_CP, U_B = U_trap,B + U_OB,B(dphi) + U_CP (U_OB,B(dphi) = U_OB,A(-dphi)
    for linear polarisations).

    Arguments:
        r_a, r_b: positions [m], shape (..., 3), distinct.
        dphi: relative phase of tweezer B [rad] (...).
        **kwargs: the set-up, see "Keyword arguments" below.
    Returns:
        (U_A, U_B) [J], broadcast shape.

    Source: Jakubec et al., Sec. IV B with Eqs. (28)-(30) (trap, binding) and the Casimir–Polder term
    of :func:`jaxem.potentials.casimir_polder.casimir_polder_potential`.
    """
    r_a, r_b, dphi, f_a, f_b, scene, flags = _prepare(r_a, r_b, dphi, dict(kwargs))
    return _potentials(r_a, r_b, dphi, f_a, f_b, scene, **flags)


def nanosphere_forces(r_a, r_b, dphi, **kwargs):
    """Forces (F_A, F_B) [N] on spheres A and B with fixed tweezer fields, by autodiff.

    F_A = -grad_{r_A} U_A, F_B = -grad_{r_B} U_B; F_A + F_B != 0 unless dphi in {0, pi}
    (non-reciprocal optical binding).

    Arguments:
        r_a, r_b, dphi, **kwargs: as for :func:`nanosphere_potentials`.
    Returns:
        (F_A, F_B) [N], two arrays of shape (..., 3).

    Source: gradients of the potentials of Jakubec et al., Sec. IV B (derived here; checked against
    central differences in tests/test_nanospheres.py).
    """
    return nanosphere_potentials_and_forces(r_a, r_b, dphi, **kwargs)[2:]


def nanosphere_potentials_and_forces(r_a, r_b, dphi, **kwargs):
    """(U_A, U_B, F_A, F_B): total potentials [J] and forces [N] of both spheres in one pass (autodiff).

    Same as :func:`nanosphere_potentials` and :func:`nanosphere_forces` together, sharing one forward
    evaluation (the efficient call for large grids).

    Arguments:
        r_a, r_b, dphi, **kwargs: as for :func:`nanosphere_potentials`.
    Returns:
        (U_A, U_B, F_A, F_B), shapes (...), (...), (..., 3), (..., 3).

    Source: see :func:`nanosphere_potentials` and :func:`nanosphere_forces`.
    """
    r_a, r_b, dphi, f_a, f_b, scene, flags = _prepare(r_a, r_b, dphi, dict(kwargs))
    return _potentials_and_forces(r_a, r_b, dphi, f_a, f_b, scene, **flags)


@functools.partial(jax.jit, static_argnames=_STATIC)
def _stiffness(r_a, r_b, dphi, f_a, f_b, scene, n_matsubara, include_trap, include_cp, zero_temperature, profile):
    def single(a, b, p, fa, fb):
        pots = lambda x, y: _potentials_single(x, y, p, scene, n_matsubara, include_trap,  # noqa: E731
                                               include_cp, zero_temperature, profile, fa, fb)
        k_a = jax.hessian(lambda x: pots(x, b)[0])(a)
        k_b = jax.hessian(lambda y: pots(a, y)[1])(b)
        return k_a, k_b

    return jnp.vectorize(single, signature="(3),(3),(),(3),(3)->(3,3),(3,3)")(r_a, r_b, dphi, f_a, f_b)


def nanosphere_stiffness(r_a, r_b, dphi, **kwargs):
    """Stiffness tensors (K_A, K_B) [N/m]: K_A = d^2 U_A/dr_A dr_A, K_B = d^2 U_B/dr_B dr_B (autodiff Hessians).

    The restoring force near r_A is F_A ≈ -K_A (r_A - r_A*) at an equilibrium r_A*; tweezer fields (and, for
    profile="gaussian", the foci) are held fixed. With the flat profile only the binding and CP terms
    contribute; with the Gaussian profile the trap adds diag(4, 4, 2 w0^2/z_R^2) |U0|/w0^2 at the focus.

    Arguments:
        r_a, r_b, dphi, **kwargs: as for :func:`nanosphere_potentials`.
    Returns:
        (K_A, K_B) [N/m], two arrays of shape (..., 3, 3).

    Source: second derivatives of the potentials of Jakubec et al., Sec. IV B (derived here; checked
    in tests/test_nanospheres.py).
    """
    r_a, r_b, dphi, f_a, f_b, scene, flags = _prepare(r_a, r_b, dphi, dict(kwargs))
    return _stiffness(r_a, r_b, dphi, f_a, f_b, scene, **flags)


def pair_potential(r_a, r_b, dphi=0.0, **kwargs):
    """Pair potential u(r) = U_A = U_B [J] of the conservative configurations dphi in {0, pi}.

    The forces F_A = -grad_A u, F_B = -grad_B u derive from W(r_A, r_B) = u(|r_A - r_B|); summing U_A + U_B
    would double them. For linear, identical polarisations U_A = U_B exactly at dphi in {0, pi}. Raises
    ValueError for other dphi (no pair potential exists).

    Arguments:
        r_a, r_b: positions [m], shape (..., 3), distinct.
        dphi: relative phase [rad], 0 or pi (mod 2 pi).
        **kwargs: as for :func:`nanosphere_potentials`.
    Returns:
        u [J], broadcast shape.

    Source: derived here (the "≈ 200 K" well of Jakubec et al., Fig. 4, is not reproduced by one
    consistent convention; the pair potential is U_A, not U_A + U_B); checked in tests/test_nanospheres.py.
    """
    check_real("dphi", dphi)
    if is_concrete(dphi) and np.any(np.abs(np.sin(np.asarray(dphi, float))) > 1e-12):
        raise ValueError(f"dphi must be 0 or pi (mod 2 pi) for a pair potential (forces are non-conservative "
                         f"otherwise), got {dphi!r}")
    return nanosphere_potentials(r_a, r_b, dphi, **kwargs)[0]


def _on_x_axis(separation):
    s = jnp.asarray(separation, jnp.float64)
    zeros = jnp.zeros_like(s)
    return jnp.stack([zeros, zeros, zeros], axis=-1), jnp.stack([s, zeros, zeros], axis=-1)


def potentials_vs_separation(separation, dphi, **kwargs):
    """(U_A, U_B) [J] with A at the origin and B at (s, 0, 0): the geometry of Jakubec et al., Figs. 4 and 6.

    Arguments:
        separation: s [m] (> 0, ...).
        dphi: relative phase [rad] (...).
        **kwargs: as for :func:`nanosphere_potentials`.
    Returns:
        (U_A, U_B) [J], broadcast shape.

    Source: Jakubec et al., Figs. 4 and 6 (see :func:`nanosphere_potentials`).
    """
    check_positive("separation", separation)
    r_a, r_b = _on_x_axis(separation)
    return nanosphere_potentials(r_a, r_b, dphi, **kwargs)


# ---------------------------------------------------------------------------------------------------------
# equilibria and bound states (Fig. 6)
# ---------------------------------------------------------------------------------------------------------
@functools.partial(jax.jit, static_argnames=_STATIC + ("max_minima", "n_bisection"))
def _minima(s_grid, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature, profile, max_minima,
            n_bisection):
    def pots(s):
        a, b = _on_x_axis(s)
        # Gaussian profile: foci at the spheres, held fixed (the slope is the force on a sphere at its focus)
        return _potentials_single(a, b, dphi, scene, n_matsubara, include_trap, include_cp, zero_temperature,
                                  profile, jax.lax.stop_gradient(a), jax.lax.stop_gradient(b))

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
    refined by bisection.

    Arguments:
        separations: increasing 1-D grid [m] (> 0, static length).
        dphi: relative phase [rad] (scalar; vmap for a phase scan).
        max_minima: static output size.
        n_bisection: bisection steps (static).
        **kwargs: as for :func:`nanosphere_potentials`.
    Returns:
        (minima_A, minima_B) [m], each shape (max_minima,), ascending, NaN-padded.

    Source: the stability analysis of Jakubec et al., Fig. 6c (derived here; checked in
    tests/test_nanospheres.py).
    """
    check_positive("separations", separations)
    if is_concrete(separations):
        arr = np.asarray(separations, float)
        if arr.ndim != 1 or arr.size < 2 or np.any(np.diff(arr) <= 0):
            raise ValueError("separations must be a strictly increasing 1-D grid with at least 2 points")
    max_minima = check_int("max_minima", max_minima, minimum=1)
    n_bisection = check_int("n_bisection", n_bisection, minimum=0)
    s = jnp.asarray(separations, jnp.float64)
    for name in ("focus_a", "focus_b"):
        if kwargs.get(name) is not None:
            raise ValueError(f"{name}: the minimum search places the tweezer foci at the spheres")
    r_a, r_b, dphi, _, _, scene, flags = _prepare(np.zeros(3), np.array([1.0, 0.0, 0.0]), dphi, dict(kwargs))
    return _minima(s, dphi, scene, max_minima=max_minima, n_bisection=n_bisection, **flags)


def bound_states(separations, dphi, *, tolerance=1e-12, max_minima: int = 8, **kwargs):
    """Separations [m] where BOTH spheres sit in a potential minimum (a stable bound pair), NaN-padded.

    A minimum s* of U_A counts when U_B has a minimum within ``tolerance`` [m] of it. Bound states exist
    only at dphi = 0 and pi (mod 2 pi): elsewhere the minima of U_A move with -dphi and those of U_B with
    +dphi.

    Arguments:
        separations, dphi, max_minima, **kwargs: as for :func:`potential_minima`.
        tolerance: matching distance of the two minima [m] (>= 0).
    Returns:
        separations [m], shape (max_minima,), NaN-padded.

    Source: Jakubec et al., Fig. 6c (derived here; checked in tests/test_nanospheres.py).
    """
    check_nonnegative("tolerance", tolerance)
    m_a, m_b = potential_minima(separations, dphi, max_minima=max_minima, **kwargs)
    close = jnp.abs(m_a[:, None] - m_b[None, :]) <= tolerance
    common = jnp.any(close, axis=1)
    keep = jnp.where(common, m_a, jnp.nan)
    return jnp.sort(keep)  # NaN sort last


for _fn in (nanosphere_potentials, nanosphere_forces, nanosphere_potentials_and_forces, nanosphere_stiffness,
            pair_potential, potentials_vs_separation):
    _fn.__doc__ += _DOC_KW
del _fn
