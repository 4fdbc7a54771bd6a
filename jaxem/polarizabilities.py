"""Electric (and magnetic) dipole polarizabilities of small spheres in vacuum, SI units.

Convention (C. Jakubec, P. Solano, U. Delić and K. Sinha, Phys. Rev. A 109, 052807 (2024), below
Eq. (35)): induced dipole p = alpha E, alpha [F m^2 = C m^2/V]; for a sphere of radius R,
alpha = 4 pi eps0 R^3 alpha~ with the dimensionless Clausius–Mossotti factor
alpha~ = (eps - 1)/(eps + 2). Time dependence e^{-i omega t} (Im alpha > 0 absorbs).

* Clausius–Mossotti from a material model (``jaxem.materials``: e.g. ``LorentzOscillators.silica()``,
  Jakubec et al. Eq. (35) in rad/s) at real frequency (:func:`polarizability`) and at imaginary frequency
  (:func:`polarizability_imag`, real, used by the Casimir–Polder Matsubara sum);
* a constant index (:func:`sphere_polarizability` with eps = n^2; default index of silica at 1064 nm,
  Malitson: :data:`SILICA_INDEX_1064NM`);
* the radiative (unitarity) correction (:func:`radiative_correction`);
* Mie-derived alpha_e, alpha_m from the first Mie coefficients (:func:`mie_polarizabilities`);
* Lorentzian, radiatively damped electric and magnetic dipoles (:func:`lorentz_polarizability`,
  :func:`reduced_lorentz_polarizabilities`), the model of the random-light pair potentials.

Every function broadcasts over its array arguments and works under jit, vmap and grad.
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ._checks import check_finite, check_material, check_positive, check_real, is_concrete, require_x64
from .constants import c, eps0

__all__ = [
    "SILICA_INDEX_1064NM",
    "clausius_mossotti",
    "sphere_polarizability",
    "reduced_polarizability",
    "polarizability",
    "polarizability_imag",
    "radiative_correction",
    "mie_polarizabilities",
    "lorentz_polarizability",
    "reduced_lorentz_polarizabilities",
]

#: refractive index of fused silica at 1064 nm (I. H. Malitson, J. Opt. Soc. Am. 55, 1205 (1965)), a
#: lossless drive-frequency value as assumed by Jakubec et al. (2024): eps = 2.10134, alpha~ = 0.2685318.
SILICA_INDEX_1064NM = 1.4496


def clausius_mossotti(eps):
    """Dimensionless Clausius–Mossotti factor alpha~ = (eps - 1)/(eps + 2) of a sphere in vacuum.

    Arguments:
        eps: relative permittivity (real or complex, any shape); +inf (a perfect conductor, or a Drude or
            plasma metal at xi = 0) gives the limit alpha~ = 1, with a finite (zero) derivative.
    Returns:
        alpha~ with the dtype of eps (float64 or complex128).

    Source: Jakubec et al., Phys. Rev. A 109, 052807 (2024), below Eq. (35) (Clausius–Mossotti).
    """
    require_x64()
    if is_concrete(eps) and np.any(np.isnan(np.asarray(eps))):
        raise ValueError(f"eps must not be NaN, got {eps!r}")
    eps = jnp.asarray(eps)
    eps = eps.astype(jnp.complex128) if jnp.iscomplexobj(eps) else eps.astype(jnp.float64)
    infinite = jnp.isinf(eps)
    safe = jnp.where(infinite, 0.0, eps)          # keeps inf/inf out of the value and of its derivative
    return jnp.where(infinite, 1.0, (safe - 1.0) / (safe + 2.0))


def sphere_polarizability(radius, eps):
    """Quasi-static (Clausius–Mossotti) polarizability alpha = 4 pi eps0 R^3 (eps - 1)/(eps + 2) [F m^2].

    Arguments:
        radius: R [m] (> 0).
        eps: relative permittivity (real or complex; n^2 for a constant index n).
    Returns:
        alpha [F m^2].

    Source: Jakubec et al., Phys. Rev. A 109, 052807 (2024), below Eq. (35).
    """
    check_positive("radius", radius)
    return 4.0 * jnp.pi * eps0 * jnp.asarray(radius, jnp.float64) ** 3 * clausius_mossotti(eps)


def reduced_polarizability(alpha, radius):
    """Dimensionless polarizability alpha~ = alpha/(4 pi eps0 R^3) (the Clausius–Mossotti factor for a small sphere).

    Arguments:
        alpha: polarizability [F m^2].
        radius: R [m] (> 0).
    Returns:
        alpha~ (dimensionless).

    Source: the normalisation of Jakubec et al., Phys. Rev. A 109, 052807 (2024), below Eq. (35).
    """
    check_positive("radius", radius)
    check_finite("alpha", alpha)
    return jnp.asarray(alpha) / (4.0 * jnp.pi * eps0 * jnp.asarray(radius, jnp.float64) ** 3)


def radiative_correction(alpha, k):
    """Radiatively corrected polarizability alpha/(1 - i k^3 alpha/(6 pi eps0)) [F m^2] (complex).

    Restores the optical theorem: for a lossless sphere Im(1/alpha_eff) = -k^3/(6 pi eps0) exactly.
    Optional (not used by Jakubec et al.); changes |alpha|^2 by 0.14 % at R = 100 nm, 1064 nm.

    Arguments:
        alpha: bare polarizability [F m^2].
        k: wavenumber omega/c [1/m] (> 0).
    Returns:
        alpha_eff [F m^2], complex128.

    Source: the radiative-reaction correction, B. T. Draine, Astrophys. J. 333, 848 (1988).
    """
    check_finite("alpha", alpha)
    check_positive("k", k)
    alpha = jnp.asarray(alpha, jnp.complex128)
    k = jnp.asarray(k, jnp.float64)
    return alpha / (1.0 - 1j * k**3 * alpha / (6.0 * jnp.pi * eps0))


def polarizability(omega, radius, material, *, with_radiative_correction: bool = False):
    """Clausius–Mossotti polarizability alpha(omega) = 4 pi eps0 R^3 alpha~(omega) [F m^2] (complex).

    Arguments:
        omega: real angular frequency [rad/s] (> 0).
        radius: sphere radius R [m] (> 0).
        material: a ``jaxem.materials`` model (its ``epsilon(omega)`` is used; magnetic response ignored).
        with_radiative_correction: apply :func:`radiative_correction` at k = omega/c.
    Returns:
        alpha [F m^2], complex128.

    Source: Jakubec et al., Phys. Rev. A 109, 052807 (2024), below Eq. (35).
    """
    check_positive("omega", omega)
    check_positive("radius", radius)
    check_material("material", material)
    alpha = sphere_polarizability(radius, material.epsilon(omega))
    if with_radiative_correction:
        alpha = radiative_correction(alpha, jnp.asarray(omega, jnp.float64) / c)
    return alpha


def polarizability_imag(xi, radius, material):
    """Clausius–Mossotti polarizability alpha(i xi) = 4 pi eps0 R^3 (eps(i xi) - 1)/(eps(i xi) + 2) [F m^2] (real).

    The input of the Casimir–Polder Matsubara sum.

    Arguments:
        xi: imaginary frequency [rad/s] (>= 0).
        radius: R [m] (> 0).
        material: a ``jaxem.materials`` model (``epsilon_imaginary_frequency`` is used).
    Returns:
        alpha(i xi) [F m^2], float64.

    Source: Jakubec et al., Phys. Rev. A 109, 052807 (2024), below Eq. (35), continued to imaginary
    frequency.
    """
    check_positive("radius", radius)
    check_material("material", material)
    return sphere_polarizability(radius, material.epsilon_imaginary_frequency(xi))


def mie_polarizabilities(omega, radius, material):
    """Electric [F m^2] and magnetic [m^3] dipole polarizabilities of a sphere in vacuum from its first Mie coefficients.

    alpha_e = 6 pi i eps0 a_1/k^3 [F m^2] (so that p = alpha_e E, as for :func:`polarizability`) and
    alpha_m = 6 pi i b_1/k^3 [m^3] (m = alpha_m H), k = omega/c. Exact for any size (no Rayleigh
    approximation); alpha_e -> 4 pi eps0 R^3 (eps - 1)/(eps + 2) as k R -> 0, and for a lossless sphere
    Im(1/alpha_e) = -k^3/(6 pi eps0) exactly (unitarity).

    Arguments:
        omega: angular frequency [rad/s] (> 0).
        radius: R [m] (> 0).
        material: a ``jaxem.materials`` model (``epsilon``, ``mu``).
    Returns:
        (alpha_e, alpha_m), complex128.

    Source: Muster & Froufe-Pérez, arXiv:2510.03503 (2025) (alpha = 6 pi i a_1/k^3), with Bohren & Huffman's a_1, b_1
    (via ``jaxem.mie.dipole_polarizabilities``).
    """
    from .mie import dipole_polarizabilities

    check_positive("omega", omega)
    check_positive("radius", radius)
    check_material("material", material)
    eps = material.epsilon(omega)
    mu = material.mu(omega)
    m = jnp.sqrt(eps * mu)
    alpha_e, alpha_m = dipole_polarizabilities(jnp.asarray(omega, jnp.float64) / c, radius, m, mu)
    return eps0 * alpha_e, alpha_m


# Lorentzian (radiatively damped) dipoles: the model of the random-light pair potentials
def _lorentz_unitarity(x, Q):
    """a_d = k^3 alpha_d / (6 pi) = (x/Q) / (1 - x^2 - i x/Q), x = omega/omega_d (Muster & Froufe-Pérez, arXiv:2510.03503 (2025), Eq. (3))."""
    x = jnp.asarray(x, dtype=jnp.float64)
    return (x / Q) / (1.0 - x**2 - 1j * x / Q)


def lorentz_polarizability(omega, omega_res, Q, k):
    """Lorentzian (radiatively damped, lossless) dipole polarizability alpha(omega) [m^3], complex.

    alpha = (6 pi/k^3) gamma omega / (omega_res^2 - omega^2 - i omega gamma), gamma = omega_res/Q.
    Satisfies the optical theorem k Im alpha = k^4 |alpha|^2/(6 pi).

    Arguments:
        omega: angular frequency [rad/s].
        omega_res: resonance [rad/s].
        Q: quality factor omega_res/gamma (> 0).
        k: host wavenumber at omega [1/m] (n_h omega/c). All broadcast.
    Returns:
        alpha [m^3], complex128.

    Source: A. Muster and L. S. Froufe-Pérez, arXiv:2510.03503 (2025), Eq. (3).
    """
    check_positive("omega", omega)
    check_positive("omega_res", omega_res)
    check_positive("Q", Q)
    check_positive("k", k)
    k = jnp.asarray(k, dtype=jnp.float64)
    return 6.0 * jnp.pi / k**3 * _lorentz_unitarity(jnp.asarray(omega) / omega_res, Q)


def _reduced_lorentz(omega_t, Q_e, Q_m, delta):
    k = 2.0 * jnp.pi * omega_t
    pre = 6.0 * jnp.pi / k**3
    alpha_e = pre * _lorentz_unitarity(omega_t, Q_e)
    alpha_m = pre * _lorentz_unitarity(omega_t / (1.0 + delta), Q_m)
    return alpha_e, alpha_m


def reduced_lorentz_polarizabilities(omega_t, Q_e, Q_m, delta):
    """Electric and magnetic Lorentzian polarizabilities (alpha_e, alpha_m) / lambda0^3 (dimensionless, complex).

    alpha_e/lambda0^3 = (3/(4 pi^2 Q_e)) omega~^-2 / (1 - omega~^2 - i omega~/Q_e),
    magnetic resonance at omega0_m = (1 + delta) omega0_e, quality factor Q_m.

    Arguments:
        omega_t: reduced frequency omega/omega0_e (> 0).
        Q_e, Q_m: quality factors (> 0).
        delta: detuning (omega0_m - omega0_e)/omega0_e (> -1). All broadcast.
    Returns:
        (alpha_e, alpha_m) in units of lambda0^3, lambda0 the host wavelength at omega0_e.

    Source: A. Muster and L. S. Froufe-Pérez, arXiv:2510.03503 (2025), Eqs. (5)-(6) (the magnetic one written out from their Eq. (3)).
    """
    check_positive("omega_t", omega_t)
    check_positive("Q_e", Q_e)
    check_positive("Q_m", Q_m)
    check_real("delta", delta)
    if is_concrete(delta) and np.any(np.asarray(delta) <= -1.0):
        raise ValueError(f"delta must be > -1 (omega0_m = (1 + delta) omega0_e > 0), got {delta!r}")
    return _reduced_lorentz(omega_t, Q_e, Q_m, delta)
