"""Beam-shape (multipole) coefficients (e_lm, f_lm) of a focused, aberrated Laguerre-Gaussian beam.

Contract (read by :mod:`jaxem.optics.forces`):

* Expansion.  About the sphere centre R (position measured from the paraxial focus, +z = propagation
  direction, medium index n_w, K_w = n_w 2 pi/lambda0), with r' = r - R and time dependence e^{-i omega t},

      E_inc(r) = sum_{l>=1} sum_{|m|<=l} [ e_lm N^reg_lm(r') + f_lm M^reg_lm(r') ],
      H_inc(r) = -i (n_w/Z0) sum [ e_lm M^reg_lm(r') + f_lm N^reg_lm(r') ]   (H = curl E/(i omega mu0)),

  M^reg_lm = j_l(K_w r') X_lm(r'^), N^reg_lm = curl M^reg_lm / K_w, X_lm = L Y_l^m/sqrt(l(l+1)),
  L = -i r x grad, Y_l^m with the Condon-Shortley phase (as scipy.special.sph_harm_y), i.e.
  X_lm = [c+_lm Y_l^{m+1} (x - iy)/2 + c-_lm Y_l^{m-1} (x + iy)/2 + m Y_l^m z] / sqrt(l(l+1)),
  c+-_lm = sqrt((l -+ m)(l +- m + 1)).  Same functions as Schoger, Dissertation (Augsburg 2024), Ch. 3.
* Units / normalisation.  e_lm, f_lm in V/m for a beam carrying P = 1 W into the sample (the power
  transmitted through the coverslip interface; for another power P multiply by sqrt(P / 1 W)).
* Helicity.  The beam is a helicity eigenstate: f_lm = sigma e_lm exactly (sigma = beam.helicity = +-1).
* Layout.  Arrays of shape (l_max+1, 2 l_max+3), complex128: row = l (row 0 is zero), column = m + l_max + 1,
  so m runs over -(l_max+1) .. l_max+1; entries with |m| > l (in particular the first and last column) are 0.
* Closed form (Schoger Eq. (5.22), corrected): with M = m - sigma - ell,

      f_lm = sigma e_lm = C0 i^{l+M} sqrt(2 pi (2l+1)) e^{-i M phi_R} G_lm(R),

  G_lm the reduced beam-shape integral of Eq. (5.23) (T(theta) restored, cos(theta_w) in the z phase),
  C0 = -i|C0| with |C0| > 0 fixed by P = 1 W: |C0|^2 = 4 gamma^2 Z0 K^2/(pi n_s A_ell) [V^2/m^2]
  (K = n_s 2 pi/lambda0 on the glass side, A_ell = beam.A_ell, Z0 = mu0 c).  The phase e^{iKf} of Schoger's
  C0 = -i E0 K f e^{iKf} is dropped (a global phase).  phi_R = atan2(y, x); the product e^{-iM phi_R} G is
  smooth on the axis and is computed as such (exact gradients at rho = 0).
* Efficiencies: with these coefficients Schoger's p = gamma^2/(A_ell N) (Eq. (5.28)) becomes
  p/|C0|^2 = pi eps0 c/(4 n_w K0^2), K0 = 2 pi/lambda0.
"""
from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxem import _checks
from jaxem.optics.beams import (_astig_order, _azimuthal, _azimuthal_reach, _check_point, _power_order,
                                _resolve_n_quad, _spectrum)
from jaxem.special.bessel_integer import _bessel_jn
from jaxem.special.wigner import _wigner

__all__ = ["beam_shape_coefficients"]


def beam_shape_coefficients(beam, position, l_max: int, *, n_quad=None, reach=None, s_max=None):
    """Multipole coefficients (e_lm, f_lm) [V/m, for 1 W] of the focused beam about a sphere centred at position.

    One Gauss-Legendre quadrature in u = cos(theta_w) per (l, m) of
    f_lm = C0 i^l sqrt(2pi(2l+1)) int sin(theta) dtheta sqrt(cos theta) T (sqrt2 gamma sin theta)^|ell|
    e^{-gamma^2 sin^2 theta} e^{i Psi_gw + i K_w z_R cos theta_w} d^l_{m,sigma}(theta_w) Phi_{m-sigma-ell}(theta),
    Phi_M = (1/2pi) int dphi e^{-iM phi} e^{i k_perp . R_perp} e^{i Psi_ast} = i^M e^{-iM phi_R} g_m(theta)
    (Jacobi-Anger, |s| <= S), e_lm = sigma f_lm.  Layout and conventions: module docstring.
    Arguments:
        beam: FocusedBeam.
        position: sphere centre (x, y, z) [m] relative to the paraxial focus (3-vector; vmap for many).
        l_max: highest multipole order (static Python int >= 1).
        n_quad: static node count (default :func:`jaxem.optics.beams.quadrature_order` with this l_max at
            the position; required when the position or the beam is traced, unless ``reach`` is given).
        reach: concrete bound [m] on |z| and rho used by the default rule when the position is traced.
        s_max: static Jacobi-Anger cut for the astigmatism (default: J_{S+1}(A~max) < 1e-17; A_ast <= 1 wave
            assumed when A_ast is traced).
    Returns:
        (e, f): complex128 arrays (l_max+1, 2 l_max+3); [l, m + l_max + 1]; zero for l = 0 and |m| > l.
    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (5.15)-(5.23), (C.10)-(C.21); corrected:
        X*_lm in the projection (C.14), 1/sqrt(8 pi) in (5.16), sqrt(2pi(2l+1)) and the phase i^{m-sigma-ell}
        in (5.17)/(5.22), sin^2 in A~ (5.18), J_s(A~(theta)) (C.21), T(theta) and cos(theta_w) in the
        z phase of (5.23).
    """
    _checks.require_x64()
    l_max = _checks.check_int("l_max", l_max, minimum=1)
    position = _check_point("position", position)
    n_quad = _resolve_n_quad(beam, n_quad, l_max, position, reach)
    return _bsc_kernel(beam, position, l_max, n_quad, _power_order(beam), _astig_order(beam, s_max))


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _bsc_kernel(beam, position, l_max, n_quad, n_power, s_order):
    sigma = beam.helicity
    u, sw, weight, a_tilde = _spectrum(beam, n_quad, n_power)
    m = np.arange(-l_max, l_max + 1)
    phi = _azimuthal(beam, sw, a_tilde, (position[0], position[1]), m - sigma, s_order)  # M = m - sigma - ell
    zk = beam.k_medium * position[2] * u
    wz = weight * (jnp.cos(zk) + 1j * jnp.sin(zk))
    d = _wigner(jnp.arccos(u), l_max, sigma)                                                   # (nq, l+1, 2l+1)
    g = jnp.einsum("k,klm,mk->lm", wz, d, phi)
    l = np.arange(l_max + 1)
    pref = np.sqrt(2.0 * math.pi * (2 * l + 1)) * (1j) ** (l % 4)
    pref[0] = 0.0
    f = jnp.asarray(pref)[:, None] * g
    f = jnp.pad(f, ((0, 0), (1, 1)))
    return sigma * f, f


# ---------------------------------------------------------------------------------------------
# tables at a fixed distance rho from the axis (equilibrium searches along z and in phi_R)

class _BscTable(NamedTuple):
    """The parts of :func:`_bsc_kernel` that do not depend on z and phi_R at a fixed distance rho from the axis.

    u: (nq,) nodes u = cos(theta_w); weight: (nq,) complex pupil weights; d: (nq, l_max+1, 2 l_max+1) Wigner
    d^l_{m,sigma}(theta_w); bessel: (2N+1, nq) J_n(k_perp rho), n = -N..N; sw, a_tilde: (nq,) sin(theta_w) and the
    astigmatic amplitude; b0: (nq, l_max+1, 2 l_max+1) complex weight_k d_klm Phi_mk(rho, phi_R = 0), so that on
    the line phi_R = 0 the coefficients are one matrix product over the nodes, g(z) = e^{i K_w z u} . b0.
    Source: no formula (a factorisation of Schoger, Dissertation (Augsburg 2024), Eq. (5.23), see
    :func:`beam_shape_coefficients`).
    """

    u: Any
    weight: Any
    d: Any
    bessel: Any
    sw: Any
    a_tilde: Any
    b0: Any


def _bsc_table(beam, rho, l_max, n_quad, n_power, s_order):
    """:class:`_BscTable` of ``beam`` at distance rho [m] from the axis (static l_max, n_quad, n_power, s_order)."""
    sigma = beam.helicity
    u, sw, weight, a_tilde = _spectrum(beam, n_quad, n_power)
    offsets = np.arange(-l_max, l_max + 1) - sigma
    n_needed = _azimuthal_reach(beam, offsets, s_order)
    # J_n(k_perp rho) e^{-i n phi_r} = F_n(k_perp, x, -y): at phi_r = 0 the cylindrical waves are real J_n
    bessel = _bessel_jn(beam.k_medium * sw * rho, n_needed).T                               # (2N+1, nq)
    d = _wigner(jnp.arccos(u), l_max, sigma)                                                # (nq, l+1, 2l+1)
    phi0 = _azimuthal(beam, sw, a_tilde, None, offsets, s_order, waves=bessel.astype(jnp.complex128))
    b0 = (weight[:, None] * phi0.T)[:, None, :] * d
    return _BscTable(u, weight, d, bessel, sw, a_tilde, b0)


def _bsc_finish(g, l_max):
    l = np.arange(l_max + 1)
    pref = np.sqrt(2.0 * math.pi * (2 * l + 1)) * (1j) ** (l % 4)
    pref[0] = 0.0
    f = jnp.asarray(pref)[:, None] * g
    pad = [(0, 0)] * (f.ndim - 1) + [(1, 1)]
    return jnp.pad(f, pad)


def _bsc_f_axis_line(beam, table, z, l_max):
    """f_lm (layout of :func:`beam_shape_coefficients`) at (rho, phi_R = 0, z) from a table; z any shape (...)."""
    zk = beam.k_medium * jnp.asarray(z)[..., None] * table.u
    ez = jax.lax.complex(jnp.cos(zk), jnp.sin(zk))                                          # (..., nq)
    g = jnp.tensordot(ez, table.b0, axes=1)
    return _bsc_finish(g, l_max)


def _bsc_f_at(beam, table, z, phi, l_max, s_order):
    """f_lm at (rho cos phi, rho sin phi, z) from a table (scalar z, phi [rad])."""
    sigma = beam.helicity
    offsets = np.arange(-l_max, l_max + 1) - sigma
    n_needed = (table.bessel.shape[0] - 1) // 2
    n = np.arange(-n_needed, n_needed + 1, dtype=np.float64)
    ang = -n * phi
    waves = table.bessel * jax.lax.complex(jnp.cos(ang), jnp.sin(ang))[:, None]
    phi_m = _azimuthal(beam, table.sw, table.a_tilde, None, offsets, s_order, waves=waves)  # (2l+1, nq)
    zk = beam.k_medium * z * table.u
    x = phi_m * (table.weight * jax.lax.complex(jnp.cos(zk), jnp.sin(zk)))[None, :]     # (2l+1, nq)
    g = jax.lax.complex(jnp.einsum("klm,mk->lm", table.d, jnp.real(x)),
                        jnp.einsum("klm,mk->lm", table.d, jnp.imag(x)))
    return _bsc_finish(g, l_max)
