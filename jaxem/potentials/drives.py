"""Drives of the tweezer mode in single-mode quantum states: squeezed vacuum and Schrödinger cat states.

Every single-mode drive state enters the radiative pair potentials only through its mean photon number
<a^dagger a> (derived here from Jakubec et al. Eqs. (22), (27), (31)-(34); checked in
tests/test_nanospheres.py): pass the coherent-equivalent intensity :func:`drive_intensity` of
:func:`mean_photon_number_cat` or :func:`mean_photon_number_squeezed_vacuum` to
:func:`jaxem.nanosphere_potentials`.

Source: C. Jakubec, P. Solano, U. Delić and K. Sinha, "Fluctuation-induced forces on nanospheres in external
fields", Phys. Rev. A 109, 052807 (2024), arXiv:2311.10496 (equation numbers of the arXiv preprint).
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from .._checks import check_finite, check_nonnegative, check_positive, check_real, is_concrete
from ..constants import c, hbar

__all__ = [
    "mean_photon_number_squeezed_vacuum",
    "mean_photon_number_cat",
    "drive_intensity",
    "squeezing_parameter",
    "squeezing_parameter_paper",
    "squeezing_in_db",
]


def mean_photon_number_squeezed_vacuum(r):
    """Mean photon number <a^dagger a> = sinh^2 r (dimensionless) of a single-mode squeezed vacuum.

    Arguments:
        r: squeezing parameter (>= 0).
    Returns:
        sinh^2 r.

    Source: Jakubec et al., Eqs. (31)-(32).
    """
    check_nonnegative("r", r)
    return jnp.sinh(jnp.asarray(r, jnp.float64)) ** 2


def mean_photon_number_cat(beta, theta):
    """Mean photon number (dimensionless) of the cat state N(|beta> + e^{i theta}|-beta>):

    <a^dagger a> = |beta|^2 (1 - e^{-2|beta|^2} cos theta)/(1 + e^{-2|beta|^2} cos theta),
    N = [2 + 2 e^{-2|beta|^2} cos theta]^{-1/2}. Even cat (theta = 0): |beta|^2 tanh|beta|^2; odd (pi):
    |beta|^2 coth|beta|^2.

    Arguments:
        beta: coherent amplitude (complex allowed).
        theta: relative phase [rad].
    Returns:
        <a^dagger a>, float64.

    Source: Jakubec et al., Sec. III E, corrected: their factor N^2 (1 - cos theta) drops the overlap
    <beta|-beta> = e^{-2|beta|^2} and N has the wrong exponent (checked against a Fock-space sum in
    tests/test_nanospheres.py).
    """
    check_finite("beta", beta)
    check_real("theta", theta)
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
    drive with this intensity.

    Arguments:
        mean_photon_number: <n> (>= 0).
        wavelength: vacuum wavelength [m] (> 0).
        mode_volume: V [m^3] (> 0).
    Returns:
        I [W/m^2].

    Source: derived here from Jakubec et al., Eqs. (22), (27), (31)-(34) (the potentials depend on a
    single-mode state only through <a^dagger a>); checked in tests/test_nanospheres.py.
    """
    check_nonnegative("mean_photon_number", mean_photon_number)
    check_positive("wavelength", wavelength)
    check_positive("mode_volume", mode_volume)
    omega0 = 2.0 * jnp.pi * c / jnp.asarray(wavelength, jnp.float64)
    return jnp.asarray(mean_photon_number, jnp.float64) * hbar * omega0 * c / jnp.asarray(mode_volume, jnp.float64)


def squeezing_parameter(intensity, wavelength, mode_volume):
    """Squeezing parameter r (dimensionless) of a squeezed vacuum matching a coherent drive of intensity I in mode volume V.

    sinh^2 r = I V/(hbar omega0 c) (equal mean photon number). r = 3.380 for V = lambda0^3,
    10.19 for V = 1e-12 m^3 at I = 1e-2 W/µm^2, 1064 nm.

    Arguments:
        intensity: I [W/m^2] (>= 0).
        wavelength: vacuum wavelength [m] (> 0).
        mode_volume: V [m^3] (> 0).
    Returns:
        r (dimensionless).

    Source: Jakubec et al., Sec. III D, corrected: their criterion is not dimensionless (an implicit
    1 m^3 normalisation volume); here with a physical mode volume (derived here; checked in
    tests/test_nanospheres.py).
    """
    check_nonnegative("intensity", intensity)
    check_positive("wavelength", wavelength)
    check_positive("mode_volume", mode_volume)
    n = intensity / (hbar * 2.0 * jnp.pi * c / jnp.asarray(wavelength, jnp.float64) * c) * jnp.asarray(
        mode_volume, jnp.float64)
    return jnp.arcsinh(jnp.sqrt(n))


def squeezing_parameter_paper(intensity, wavelength):
    """The paper's squeezing parameter r: sinh^2 r = (2 pi)^4 I/(hbar omega0 c) with SI numbers (r = 27.68, 240.5 dB
    at 1e-2 W/µm^2, 1064 nm).

    Not dimensionless (an implicit 1 m^3 normalisation volume); for reproduction only — use
    :func:`squeezing_parameter`.

    Arguments:
        intensity: I [W/m^2] (>= 0).
        wavelength: vacuum wavelength [m] (> 0).
    Returns:
        r.

    Source: Jakubec et al., Sec. III D, as printed.
    """
    check_nonnegative("intensity", intensity)
    check_positive("wavelength", wavelength)
    omega0 = 2.0 * jnp.pi * c / jnp.asarray(wavelength, jnp.float64)
    return jnp.arcsinh(jnp.sqrt((2.0 * jnp.pi) ** 4 * jnp.asarray(intensity, jnp.float64) / (hbar * omega0 * c)))


def squeezing_in_db(r):
    """Squeezing in decibels [dB], 20 r log10(e), of a squeezing parameter r.

    Arguments:
        r: squeezing parameter (>= 0).
    Returns:
        squeezing [dB].

    Source: the usual definition 10 log10(e^{2r}); no further formula.
    """
    check_nonnegative("r", r)
    return 20.0 * jnp.asarray(r, jnp.float64) * np.log10(np.e)

