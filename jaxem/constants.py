"""Physical constants (CODATA 2018, SI) and unit helpers: the one home for them."""
from __future__ import annotations

import scipy.constants as _sc

c = _sc.c                      # speed of light [m/s]
hbar = _sc.hbar                # reduced Planck constant [J s]
k_B = _sc.k                    # Boltzmann constant [J/K]
eps0 = _sc.epsilon_0           # vacuum permittivity [F/m]
mu0 = _sc.mu_0                 # vacuum permeability [H/m]
e = _sc.e                      # elementary charge [C]
Z0 = mu0 * c                   # vacuum impedance [Ohm]

#: angular frequency [rad/s] per eV (omega = E / hbar)
EV_TO_RAD_PER_S = _sc.e / _sc.hbar


def ev_to_rad_per_s(energy_ev):
    """Angular frequency omega = E/hbar [rad/s] of a photon energy given in eV.

    Arguments:
        energy_ev: photon energy E [eV] (any shape).
    Returns:
        omega [rad/s].

    Source: CODATA 2018 constants (scipy.constants); no formula beyond omega = E/hbar.
    """
    return energy_ev * EV_TO_RAD_PER_S


def rad_per_s_to_ev(omega):
    """Photon energy E = hbar omega [eV] of an angular frequency omega [rad/s].

    Arguments:
        omega: angular frequency [rad/s] (any shape).
    Returns:
        E [eV].

    Source: CODATA 2018 constants (scipy.constants); no formula beyond E = hbar omega.
    """
    return omega / EV_TO_RAD_PER_S


def matsubara_frequency(n, T):
    """Matsubara frequency xi_n = 2 pi n k_B T / hbar [rad/s].

    Arguments:
        n: Matsubara index (>= 0, any shape).
        T: temperature [K].
    Returns:
        xi_n [rad/s].

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (2.23).
    """
    return 2.0 * 3.141592653589793 * n * k_B * T / hbar


def thermal_wavelength(T):
    """Thermal wavelength lambda_T = hbar c / (k_B T) [m] (no factor 2 pi; 7.63 um at 300 K).

    Arguments:
        T: temperature [K] (> 0).
    Returns:
        lambda_T [m].

    Source: Schoger, Dissertation (Augsburg 2024), Ch. 9 (definition of lambda_T).
    """
    return hbar * c / (k_B * T)
