"""Electromagnetic response of materials at real and imaginary frequency (equinox modules).

Every material is an :class:`equinox.Module` (a pytree: its parameters are differentiable and
vmappable) with four methods

* ``epsilon(omega)``, ``mu(omega)``: relative permittivity / permeability at real angular
  frequency ``omega`` [rad/s], complex, time dependence ``e^{-i omega t}`` so that ``Im eps > 0``
  means absorption;
* ``epsilon_imaginary_frequency(xi)``, ``mu_imaginary_frequency(xi)``: the same response functions at imaginary frequency
  ``omega = i xi`` (``xi >= 0`` [rad/s]); real by causality;

and, for bi-isotropic media (T. Schoger, "Optical and dispersion forces experienced by spherical
objects", Dissertation, Universität Augsburg (2024), Eq. (1.7); Lindell convention
``alpha = chi - i kappa``, ``beta = chi + i kappa``), the Tellegen and chirality parameters
``chi(omega)``, ``kappa(omega)``, ``chi_imaginary_frequency(xi)``, ``kappa_imaginary_frequency(xi)`` (zero for every other
material).

Perfect reflectors (:class:`PerfectConductor`, :class:`PEMC`) are limits in which the general Mie
formulas are 0/0; downstream code dispatches on their type (``isinstance`` or the class attribute
``kind``) to closed forms. Their ``epsilon`` etc. return ``inf`` (the limit ``q -> inf`` of
Schoger, Dissertation (Augsburg 2024), Eq. (1.6)).

Constructors validate concrete inputs (``ValueError`` naming the parameter); inside ``jit`` /
``vmap`` the checks are skipped. :func:`material_from_name` builds a material from a config
name and keyword parameters.
"""
from __future__ import annotations

import os
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from jaxem._checks import (check_finite, check_nonnegative, check_positive,
                           is_concrete)
from jaxem.constants import ev_to_rad_per_s

__all__ = [
    "Dirichlet",
    "Material",
    "Dielectric",
    "Drude",
    "Plasma",
    "LorentzOscillators",
    "PerfectConductor",
    "PEMC",
    "BiIsotropic",
    "TabulatedEpsilon",
    "material_from_name",
    "MATERIAL_NAMES",
]


def _real_array(x):
    return jnp.asarray(x, dtype=jnp.float64)


def _scalar_param(name, value, *, positive=False, nonnegative=False):
    """Validate a real scalar-or-array material parameter and return it as a float64 array."""
    if is_concrete(value):
        arr = np.asarray(value)
        if np.iscomplexobj(arr):
            raise ValueError(f"{name} must be real, got {value!r}")
        if positive:
            check_positive(name, value)
        elif nonnegative:
            check_nonnegative(name, value)
        else:
            check_finite(name, value)
    return _real_array(value)


def _omega_in(omega):
    check_finite("omega", omega)
    return jnp.asarray(omega, dtype=jnp.float64)


def _xi_in(xi):
    check_nonnegative("xi", xi)
    return jnp.asarray(xi, dtype=jnp.float64)


class Material(eqx.Module):
    """Base class: a non-magnetic, non-bi-isotropic medium. Subclasses override what differs.

    Source: none (an interface; no formula).
    """

    kind: ClassVar[str] = "material"

    def epsilon(self, omega):
        """Relative permittivity eps(omega) at real angular frequency omega [rad/s] (complex)."""
        raise NotImplementedError

    def epsilon_imaginary_frequency(self, xi):
        """Relative permittivity eps(i xi) at imaginary frequency i xi, xi [rad/s] (real)."""
        raise NotImplementedError

    def mu(self, omega):
        """Relative permeability mu(omega) at real angular frequency omega [rad/s] (complex)."""
        omega = _omega_in(omega)
        return jnp.ones_like(omega, dtype=jnp.complex128)

    def mu_imaginary_frequency(self, xi):
        """Relative permeability mu(i xi) at imaginary frequency i xi, xi [rad/s] (real)."""
        xi = _xi_in(xi)
        return jnp.ones_like(xi)

    def chi(self, omega):
        """Tellegen (non-reciprocal) parameter chi(omega), dimensionless (Schoger, Eq. (1.7), Lindell convention)."""
        omega = _omega_in(omega)
        return jnp.zeros_like(omega, dtype=jnp.complex128)

    def kappa(self, omega):
        """Chirality parameter kappa(omega), dimensionless (Schoger, Eq. (1.7), Lindell convention)."""
        omega = _omega_in(omega)
        return jnp.zeros_like(omega, dtype=jnp.complex128)

    def chi_imaginary_frequency(self, xi):
        """Tellegen parameter chi(i xi) at imaginary frequency (real)."""
        xi = _xi_in(xi)
        return jnp.zeros_like(xi)

    def kappa_imaginary_frequency(self, xi):
        """Chirality parameter kappa(i xi) at imaginary frequency (real)."""
        xi = _xi_in(xi)
        return jnp.zeros_like(xi)

    def refractive_index_imaginary_frequency(self, xi):
        """Refractive index n(i xi) = sqrt(eps(i xi) mu(i xi)) at imaginary frequency (real)."""
        return jnp.sqrt(self.epsilon_imaginary_frequency(xi) * self.mu_imaginary_frequency(xi))


class Dielectric(Material):
    """Non-dispersive medium with constant relative permittivity eps and permeability mu (dimensionless).

    Arguments:
        eps: relative permittivity (real > 0; complex with Im >= 0 allowed for real-frequency
            optics, but a frequency-independent loss has no causal continuation, so
            ``epsilon_imaginary_frequency`` then raises ``ValueError``).
        mu: relative permeability (same rules), default 1.

    Source: none (constant response; no formula).
    """

    permittivity: jax.Array
    permeability: jax.Array
    kind: ClassVar[str] = "dielectric"

    def __init__(self, eps, mu=1.0):
        self.permittivity = _constant_response("eps", eps)
        self.permeability = _constant_response("mu", mu)

    def epsilon(self, omega):
        omega = _omega_in(omega)
        return jnp.broadcast_to(self.permittivity.astype(jnp.complex128), omega.shape)

    def mu(self, omega):
        omega = _omega_in(omega)
        return jnp.broadcast_to(self.permeability.astype(jnp.complex128), omega.shape)

    def epsilon_imaginary_frequency(self, xi):
        xi = _xi_in(xi)
        return jnp.broadcast_to(_real_part_for_imag("eps", self.permittivity), xi.shape)

    def mu_imaginary_frequency(self, xi):
        xi = _xi_in(xi)
        return jnp.broadcast_to(_real_part_for_imag("mu", self.permeability), xi.shape)


def _constant_response(name, value):
    """A constant eps or mu: real positive, or complex with positive real part and Im >= 0."""
    if is_concrete(value):
        arr = np.asarray(value)
        check_finite(name, value)
        if np.iscomplexobj(arr):
            if np.any(arr.imag < 0):
                raise ValueError(f"{name} must have Im >= 0 (absorbing, e^{{-i omega t}}), got {value!r}")
        elif np.any(arr <= 0):
            raise ValueError(f"{name} must be > 0, got {value!r}")
    arr = jnp.asarray(value)
    if jnp.iscomplexobj(arr):
        return arr.astype(jnp.complex128)
    return arr.astype(jnp.float64)


def _real_part_for_imag(name, value):
    if jnp.iscomplexobj(value):
        if is_concrete(value) and np.any(np.asarray(value).imag != 0):
            raise ValueError(
                f"{name} is complex: a frequency-independent loss has no causal value at imaginary "
                f"frequency; use a dispersive model (Drude, LorentzOscillators, TabulatedEpsilon)")
        return jnp.real(value)
    return value


class Drude(Material):
    """Drude metal, relative permittivity eps(omega) = 1 - omega_p^2 / (omega (omega + i gamma)) (dimensionless).

    At imaginary frequency eps(i xi) = 1 + omega_p^2 / (xi (xi + gamma)); it is +inf at xi = 0
    (finite dc conductivity eps0 omega_p^2/gamma).

    Arguments:
        omega_p: plasma frequency [rad/s] (> 0).
        gamma: relaxation rate [rad/s] (>= 0; gamma = 0 is the plasma model).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.1) (the dc conductivity quoted after it lacks a power of omega_p).
    """

    omega_p: jax.Array
    gamma: jax.Array
    kind: ClassVar[str] = "drude"

    def __init__(self, omega_p, gamma):
        self.omega_p = _scalar_param("omega_p", omega_p, positive=True)
        self.gamma = _scalar_param("gamma", gamma, nonnegative=True)

    @classmethod
    def gold(cls):
        """Gold: omega_p = 9 eV, gamma = 35 meV (converted to rad/s)."""
        return cls(ev_to_rad_per_s(9.0), ev_to_rad_per_s(0.035))

    def epsilon(self, omega):
        omega = _omega_in(omega)
        nonzero = omega != 0
        w = jnp.where(nonzero, omega, 1.0)
        eps = 1.0 - self.omega_p**2 / (w * (w + 1j * self.gamma))
        # the dc pole: i*inf (or -inf for gamma = 0); never NaN
        pole = jnp.where(self.gamma > 0, jax.lax.complex(0.0, jnp.inf), jax.lax.complex(-jnp.inf, 0.0))
        return jnp.where(nonzero, eps, pole)

    def epsilon_imaginary_frequency(self, xi):
        xi = _xi_in(xi)
        positive = xi > 0
        s = jnp.where(positive, xi, 1.0)
        return jnp.where(positive, 1.0 + self.omega_p**2 / (s * (s + self.gamma)), jnp.inf)


class Plasma(Material):
    """Plasma (lossless Drude) metal, eps(omega) = 1 - omega_p^2/omega^2, eps(i xi) = 1 + omega_p^2/xi^2 (dimensionless).

    Arguments:
        omega_p: plasma frequency [rad/s] (> 0).

    Source: the gamma -> 0 limit of the Drude model, Schoger, Dissertation (Augsburg 2024), Eq. (9.1).
    """

    omega_p: jax.Array
    kind: ClassVar[str] = "plasma"

    def __init__(self, omega_p):
        self.omega_p = _scalar_param("omega_p", omega_p, positive=True)

    @classmethod
    def gold(cls):
        """Gold in the plasma model: omega_p = 9 eV (converted to rad/s)."""
        return cls(ev_to_rad_per_s(9.0))

    def epsilon(self, omega):
        omega = _omega_in(omega)
        nonzero = omega != 0
        w = jnp.where(nonzero, omega, 1.0)
        return jnp.where(nonzero, (1.0 - self.omega_p**2 / w**2) + 0j, jax.lax.complex(-jnp.inf, 0.0))

    def epsilon_imaginary_frequency(self, xi):
        xi = _xi_in(xi)
        positive = xi > 0
        s = jnp.where(positive, xi, 1.0)
        return jnp.where(positive, 1.0 + self.omega_p**2 / s**2, jnp.inf)


#: water at 25 C, IR and UV oscillators (hbar omega_j [eV], c_j, hbar gamma_j [eV]) of Fiedler et al.,
#: J. Phys. Chem. B 124, 3103 (2020); the two Debye terms are in LorentzOscillators.water()
_WATER_FIEDLER_2020 = (
    (8.46e-4, 2.59e-1, 3.92e-4), (4.19e-3, 1.04, 7.43e-3), (2.12e-2, 1.62, 2.60e-2),
    (6.25e-2, 5.55e-1, 3.98e-2), (8.49e-2, 2.38e-1, 2.99e-2), (2.04e-1, 1.34e-2, 8.43e-3),
    (4.18e-1, 7.17e-2, 3.41e-2),
    (8.34, 4.47e-2, 0.75), (9.50, 3.27e-2, 1.12), (10.41, 4.66e-2, 1.26), (11.67, 6.67e-2, 1.58),
    (12.95, 7.42e-2, 1.65), (14.13, 9.30e-2, 1.86), (15.50, 7.79e-2, 2.22), (17.17, 7.9e-2, 2.7),
    (18.89, 4.18e-2, 2.82), (21.45, 1.07e-1, 6.87), (30.06, 1.33e-1, 18.28), (49.45, 5.66e-2, 36.28),
)


class LorentzOscillators(Material):
    """Sum of Lorentz oscillators, eps(omega) = eps_inf + sum_j omega_pj^2/(omega_j^2 - omega^2 - i gamma_j omega) (dimensionless).

    At imaginary frequency eps(i xi) = eps_inf + sum_j omega_pj^2/(omega_j^2 + xi^2 + gamma_j xi)
    (real, decreasing).

    Arguments:
        eps_inf: high-frequency permittivity (> 0).
        strengths: oscillator plasma frequencies omega_pj [rad/s], shape (n,) (>= 0).
        resonances: resonance (transverse) frequencies omega_j [rad/s], shape (n,) (> 0).
        dampings: damping rates gamma_j [rad/s], shape (n,) (>= 0).

    Source: the Drude-Lorentz model of Jakubec, Solano, Delić & Sinha, Phys. Rev. A 109, 052807 (2024) (arXiv:2311.10496), Eq. (35).
    """

    eps_inf: jax.Array
    strengths: jax.Array
    resonances: jax.Array
    dampings: jax.Array
    kind: ClassVar[str] = "lorentz"

    def __init__(self, eps_inf, strengths, resonances, dampings):
        self.eps_inf = _scalar_param("eps_inf", eps_inf, positive=True)
        self.strengths = jnp.atleast_1d(_scalar_param("strengths", strengths, nonnegative=True))
        self.resonances = jnp.atleast_1d(_scalar_param("resonances", resonances, positive=True))
        self.dampings = jnp.atleast_1d(_scalar_param("dampings", dampings, nonnegative=True))
        n = self.strengths.shape[-1]
        for name, arr in (("resonances", self.resonances), ("dampings", self.dampings)):
            if arr.shape[-1] != n:
                raise ValueError(f"{name} must have one entry per oscillator ({n}), got shape {arr.shape}")

    @classmethod
    def from_strengths(cls, eps_inf, delta_eps, resonances, dampings=None):
        """Oscillators with dimensionless strengths C_j (Ninham-Parsegian form).

        eps(i xi) = eps_inf + sum_j C_j / (1 + gamma_j xi/omega_j^2 + xi^2/omega_j^2), i.e.
        omega_pj = sqrt(C_j) omega_j. resonances omega_j and dampings gamma_j in rad/s
        (dampings default to 0).
        """
        delta_eps = jnp.atleast_1d(_scalar_param("delta_eps", delta_eps, nonnegative=True))
        resonances = jnp.atleast_1d(_scalar_param("resonances", resonances, positive=True))
        if dampings is None:
            dampings = jnp.zeros_like(resonances)
        return cls(eps_inf, jnp.sqrt(delta_eps) * resonances, resonances, dampings)

    @classmethod
    def silica(cls):
        """Silica, two oscillators of Jakubec et al., PRA 109, 052807 (2024), Eq. (35) (rad/s, where the paper writes Hz; eps(0) = 3.941889)."""
        return cls(1.0, [1.75e14, 2.96e16], [1.32e14, 2.72e16], [4.28e13, 8.09e15])

    @classmethod
    def polystyrene(cls):
        """Polystyrene, eight-oscillator Ninham–Parsegian model (van Zwol & Palasantzas, PRA 81, 062502 (2010), set 1).

        eps(i xi) = 1 + sum_j C_j/(1 + (xi/omega_j)^2), undamped, with
        C_j = 1.21e-2, 2.19e-2, 1.79e-2, 3.06e-2, 3.03e-1, 6.23e-1, 3.25e-1, 3.31e-2 and
        hbar omega_j = 1.00e-3, 1.32e-2, 3.88, 1.31e-1, 5.99, 10.2, 18.8, 51.5 eV (converted to rad/s
        here). eps(0) = 1 + sum C_j = 2.3666; optical window (xi ~ 1 eV) eps ~ 2.28.
        """
        c_j = [1.21e-2, 2.19e-2, 1.79e-2, 3.06e-2, 3.03e-1, 6.23e-1, 3.25e-1, 3.31e-2]
        w_ev = np.array([1.00e-3, 1.32e-2, 3.88e+0, 1.31e-1, 5.99e+0, 1.02e+1, 1.88e+1, 5.15e+1])
        return cls.from_strengths(1.0, c_j, ev_to_rad_per_s(w_ev))

    #: damping [rad/s] of the overdamped oscillators standing in for Debye relaxations (see water())
    DEBYE_DAMPING: ClassVar[float] = 1e26

    @classmethod
    def water(cls):
        """Liquid water at 25 C: 2 Debye relaxations + 7 IR + 12 UV damped oscillators.

        Fiedler, Bostrom, Persson, Brevik, Corkery, Buhmann, Parsons, J. Phys. Chem. B 124, 3103 (2020)
        (arXiv:1912.08118), parameters in eV:
        eps(i xi) = 1 + sum_i d_i/(1 + xi tau_i) + sum_j c_j omega_j^2/(omega_j^2 + gamma_j xi + xi^2),
        Debye (d_i, hbar/tau_i) = (0.47, 6.84e-6), (72.62, 7.98e-5); IR and UV (hbar omega_j, c_j,
        hbar gamma_j) as tabulated in :data:`_WATER_FIEDLER_2020`. eps(0) = 78.74 (the measured 78.4),
        optical window eps(i xi ~ 1 eV) ~ 1.81 (n^2 = 1.78).

        A Debye term d/(1 + xi tau) is represented exactly in form by an overdamped oscillator
        d omega_0^2/(omega_0^2 + gamma xi + xi^2) with gamma = DEBYE_DAMPING = 1e26 rad/s and
        omega_0^2 = gamma/tau: on the imaginary axis the two differ by < d/(gamma tau) ~ 1e-13
        (absolute); at real frequency the oscillator adds a spurious absorption < 3e-6 near
        omega_0 ~ 3e18 rad/s (keV), far above the model's range (100 eV).
        """
        rows = np.asarray(_WATER_FIEDLER_2020)
        w = ev_to_rad_per_s(rows[:, 0])
        g = ev_to_rad_per_s(rows[:, 2])
        d, inv_tau = np.array([0.47, 72.62]), ev_to_rad_per_s(np.array([6.84e-6, 7.98e-5]))
        gamma_d = np.full(2, cls.DEBYE_DAMPING)
        w0_d = np.sqrt(gamma_d * inv_tau)
        strengths = np.concatenate([np.sqrt(d) * w0_d, np.sqrt(rows[:, 1]) * w])
        return cls(1.0, strengths, np.concatenate([w0_d, w]), np.concatenate([gamma_d, g]))

    def epsilon(self, omega):
        omega = _omega_in(omega)[..., None]
        terms = self.strengths**2 / (self.resonances**2 - omega**2 - 1j * self.dampings * omega)
        return self.eps_inf + jnp.sum(terms, axis=-1)

    def epsilon_imaginary_frequency(self, xi):
        xi = _xi_in(xi)[..., None]
        terms = self.strengths**2 / (self.resonances**2 + xi**2 + self.dampings * xi)
        return self.eps_inf + jnp.sum(terms, axis=-1)


class PerfectConductor(Material):
    """Perfect electric conductor (PEC): relative permittivity eps = inf. Reflection uses closed forms.

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (4.17) at duality angle theta = 0.
    """

    kind: ClassVar[str] = "perfect_conductor"

    def epsilon(self, omega):
        omega = _omega_in(omega)
        return jnp.full(omega.shape, jnp.inf, dtype=jnp.float64).astype(jnp.complex128)

    def epsilon_imaginary_frequency(self, xi):
        xi = _xi_in(xi)
        return jnp.full(xi.shape, jnp.inf, dtype=jnp.float64)


class Dirichlet(Material):
    """A scalar field with Dirichlet boundary conditions (static reflection X(l) = 1): a model body, not an electromagnetic material.

    Its static reflection is X(l) = 1 for every l >= 0, the monopole included; the Casimir engines take it
    for both bodies (exact sphere-sphere and sphere-plane results).  It has no permittivity.

    Source: Bimonte & Emig, Phys. Rev. Lett. 109, 160403 (2012); Schoger, Dissertation (Augsburg 2024), Sec. 9.2.
    """

    kind: ClassVar[str] = "dirichlet"

    def epsilon(self, omega):
        raise ValueError("material: a Dirichlet scalar body has no permittivity")

    def epsilon_imaginary_frequency(self, xi):
        raise ValueError("material: a Dirichlet scalar body has no permittivity")


class PEMC(Material):
    """Perfect electromagnetic conductor with duality angle theta [rad] (eps, mu, chi infinite).

    theta = 0 is a PEC, theta = pi/2 a PMC. It is the limit alpha = beta = q, eps = q cot(theta),
    mu = q tan(theta), q -> inf; ``epsilon``, ``mu``, ``chi`` therefore return inf and
    ``kappa`` returns 0. Reflection uses closed forms.

    Arguments:
        theta: duality angle [rad], in [0, pi/2].

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (1.6); reflection Eqs. (4.17)-(4.18), the printed mixing
    coefficient (4.18) with its overall sign corrected.
    """

    theta: jax.Array
    kind: ClassVar[str] = "pemc"

    def __init__(self, theta):
        if is_concrete(theta):
            check_finite("theta", theta)
            arr = np.asarray(theta)
            if np.iscomplexobj(arr) or np.any(arr < 0) or np.any(arr > np.pi / 2 + 1e-12):
                raise ValueError(f"theta must be real and in [0, pi/2], got {theta!r}")
        self.theta = _real_array(theta)

    def _inf(self, z, dtype):
        return jnp.full(jnp.shape(z), jnp.inf, dtype=jnp.float64).astype(dtype)

    def epsilon(self, omega):
        return self._inf(_omega_in(omega), jnp.complex128)

    def mu(self, omega):
        return self._inf(_omega_in(omega), jnp.complex128)

    def chi(self, omega):
        return self._inf(_omega_in(omega), jnp.complex128)

    def epsilon_imaginary_frequency(self, xi):
        return self._inf(_xi_in(xi), jnp.float64)

    def mu_imaginary_frequency(self, xi):
        return self._inf(_xi_in(xi), jnp.float64)

    def chi_imaginary_frequency(self, xi):
        return self._inf(_xi_in(xi), jnp.float64)


class BiIsotropic(Material):
    """Non-dispersive bi-isotropic medium (dimensionless eps, mu, chi, kappa): D = eps0 eps E + (alpha/c) H, B = (beta/c) E + mu0 mu H.

    Lindell convention: alpha = chi - i kappa, beta = chi + i kappa, with chi the Tellegen
    (non-reciprocal) and kappa the chirality parameter; refractive indices of the two helicity
    modes n_{L,R} = sqrt(eps mu - chi^2) -+ kappa. The parameters are taken as frequency
    independent, so the same (real) values hold at imaginary frequency.

    Arguments:
        eps: relative permittivity (> 0).
        mu: relative permeability (> 0).
        chi: Tellegen parameter (real, chi^2 < eps mu).
        kappa: chirality parameter (real).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (1.7), (1.10); I. V. Lindell et al., Electromagnetic Waves in
    Chiral and Bi-isotropic Media (Artech House 1994). (Ch. 5 of the dissertation uses the opposite
    sign of kappa.)
    """

    permittivity: jax.Array
    permeability: jax.Array
    tellegen: jax.Array
    chirality: jax.Array
    kind: ClassVar[str] = "bi_isotropic"

    def __init__(self, eps, mu=1.0, chi=0.0, kappa=0.0):
        self.permittivity = _scalar_param("eps", eps, positive=True)
        self.permeability = _scalar_param("mu", mu, positive=True)
        self.tellegen = _scalar_param("chi", chi)
        self.chirality = _scalar_param("kappa", kappa)
        if is_concrete((eps, mu, chi)):
            if np.any(np.asarray(chi) ** 2 >= np.asarray(eps) * np.asarray(mu)):
                raise ValueError(f"chi must satisfy chi^2 < eps mu, got chi={chi!r}, eps={eps!r}, mu={mu!r}")

    def epsilon(self, omega):
        omega = _omega_in(omega)
        return jnp.broadcast_to(self.permittivity + 0j, omega.shape)

    def mu(self, omega):
        omega = _omega_in(omega)
        return jnp.broadcast_to(self.permeability + 0j, omega.shape)

    def chi(self, omega):
        omega = _omega_in(omega)
        return jnp.broadcast_to(self.tellegen + 0j, omega.shape)

    def kappa(self, omega):
        omega = _omega_in(omega)
        return jnp.broadcast_to(self.chirality + 0j, omega.shape)

    def epsilon_imaginary_frequency(self, xi):
        return jnp.broadcast_to(self.permittivity, _xi_in(xi).shape)

    def mu_imaginary_frequency(self, xi):
        return jnp.broadcast_to(self.permeability, _xi_in(xi).shape)

    def chi_imaginary_frequency(self, xi):
        return jnp.broadcast_to(self.tellegen, _xi_in(xi).shape)

    def kappa_imaginary_frequency(self, xi):
        return jnp.broadcast_to(self.chirality, _xi_in(xi).shape)


class TabulatedEpsilon(Material):
    """Relative permittivity eps(i xi) (dimensionless) tabulated on the imaginary axis, interpolated linearly in log-log.

    Outside the table the end values are held constant (document your table's range). The table
    does not determine eps at real frequency: ``epsilon(omega)`` raises ``NotImplementedError``.

    Arguments:
        xi: imaginary frequencies [rad/s], shape (n,), n >= 2, > 0, strictly increasing
            (:meth:`from_file` sorts the rows of a file).
        eps: eps(i xi) at those frequencies (> 0, real).

    Source: none (interpolation of user data; no formula).
    """

    log_xi: jax.Array
    log_eps: jax.Array
    kind: ClassVar[str] = "tabulated"

    def __init__(self, xi, eps):
        if is_concrete((xi, eps)):
            check_positive("xi", xi)
            if np.iscomplexobj(np.asarray(eps)):
                raise ValueError("eps must be real (eps(i xi) is real by causality)")
            check_positive("eps", eps)
            xi_np, eps_np = np.asarray(xi, dtype=np.float64), np.asarray(eps, dtype=np.float64)
            if xi_np.ndim != 1 or xi_np.size < 2:
                raise ValueError(f"xi must be 1-D with at least 2 frequencies, got shape {xi_np.shape}")
            if eps_np.shape != xi_np.shape:
                raise ValueError(f"eps must have one value per frequency xi, shape {xi_np.shape}, "
                                 f"got shape {eps_np.shape}")
            if np.any(np.diff(xi_np) <= 0):
                raise ValueError("xi must be strictly increasing (a decreasing or repeated frequency usually means "
                                 "the columns were paired wrongly; sort the (xi, eps) pairs by xi), got "
                                 f"{xi_np!r}")
            self.log_xi = jnp.asarray(np.log(xi_np))
            self.log_eps = jnp.asarray(np.log(eps_np))
        else:
            self.log_xi = jnp.log(jnp.asarray(xi, dtype=jnp.float64))
            self.log_eps = jnp.log(jnp.asarray(eps, dtype=jnp.float64))

    @classmethod
    def from_file(cls, path):
        """Load a two-column text file (xi [rad/s], eps(i xi)), rows in any order; '#' starts a comment."""
        path = os.fspath(path)
        try:
            data = np.loadtxt(path, dtype=np.float64, comments="#", ndmin=2)
        except (OSError, ValueError) as err:
            raise ValueError(f"path: cannot read a 2-column table of eps(i xi) from {path!r}: {err}") from None
        if data.ndim != 2 or data.shape[1] != 2:
            raise ValueError(f"path: {path!r} must have exactly 2 columns (xi [rad/s], eps), got shape {data.shape}")
        data = data[np.argsort(data[:, 0], kind="stable")]  # rows are (xi, eps) records: any row order
        return cls(data[:, 0], data[:, 1])

    def epsilon(self, omega):
        raise NotImplementedError("TabulatedEpsilon holds eps(i xi) only; eps(omega) is not determined by it")

    def epsilon_imaginary_frequency(self, xi):
        xi = _xi_in(xi)
        positive = xi > 0
        # log(0) = -inf would give NaN gradients; below the table the value is clamped anyway
        s = jnp.where(positive, xi, jnp.exp(self.log_xi[0]))
        return jnp.exp(jnp.interp(jnp.log(s), self.log_xi, self.log_eps))


def _pemc_pmc():
    return PEMC(np.pi / 2)


_FACTORIES = {
    "vacuum": lambda: Dielectric(1.0),
    "dielectric": Dielectric,
    "drude": Drude,
    "plasma": Plasma,
    "gold": Drude.gold,
    "gold_drude": Drude.gold,
    "gold_plasma": Plasma.gold,
    "lorentz": LorentzOscillators,
    "silica": LorentzOscillators.silica,
    "polystyrene": LorentzOscillators.polystyrene,
    "water": LorentzOscillators.water,
    "perfect_conductor": PerfectConductor,
    "pec": PerfectConductor,
    "dirichlet": Dirichlet,
    "pmc": _pemc_pmc,
    "pemc": PEMC,
    "bi_isotropic": BiIsotropic,
    "chiral": lambda eps, mu=1.0, kappa=0.0: BiIsotropic(eps, mu, 0.0, kappa),
    "tellegen": lambda eps, mu=1.0, chi=0.0: BiIsotropic(eps, mu, chi, 0.0),
    "tabulated": lambda path: TabulatedEpsilon.from_file(path),
}

#: names accepted by :func:`material_from_name`
MATERIAL_NAMES = tuple(sorted(_FACTORIES))


def material_from_name(name: str, **params) -> Material:
    """The material (a :class:`Material`) called ``name`` (config layer), built from keyword parameters in SI units.

    Names: vacuum, dielectric(eps, mu=1), drude(omega_p, gamma), plasma(omega_p), gold /
    gold_drude (omega_p = 9 eV, gamma = 35 meV), gold_plasma, lorentz(eps_inf, strengths,
    resonances, dampings), silica (Jakubec et al., PRA 109, 052807 (2024), Eq. (35)), polystyrene
    (van Zwol-Palasantzas 2010), water (Fiedler et al. 2020, Debye terms included),
    perfect_conductor / pec, pmc, pemc(theta), bi_isotropic(eps, mu, chi, kappa), chiral(eps, mu,
    kappa), tellegen(eps, mu, chi), tabulated(path), dirichlet (the scalar model body).
    Frequencies in rad/s.

    Arguments:
        name: material name (case-insensitive), one of MATERIAL_NAMES.
        **params: the keyword parameters of that material.
    Returns:
        the Material instance.
    Raises:
        ValueError: unknown material name, or unknown / missing / invalid parameter.

    Source: none (a lookup table; no formula). Model sources are in the class docstrings.
    """
    if not isinstance(name, str) or name.lower() not in _FACTORIES:
        raise ValueError(f"name: unknown material {name!r}; known materials: {', '.join(MATERIAL_NAMES)}")
    factory = _FACTORIES[name.lower()]
    try:
        return factory(**params)
    except TypeError as err:
        raise ValueError(f"material {name!r}: bad parameters {sorted(params)}: {err}") from None
