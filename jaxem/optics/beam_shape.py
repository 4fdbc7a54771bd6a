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

    u: (nq,) nodes u = cos(theta_w); weight: (nq,) complex pupil weights; d: (2 l_max+1, l_max+1, nq) Wigner
    d^l_{m,sigma}(theta_w) (m-major: the contraction over the nodes is a batched matrix product); bessel: (2N+1, nq)
    J_n(k_perp rho), n = -N..N; sw, a_tilde: (nq,) sin(theta_w) and the astigmatic amplitude; b0: (2 l_max+1,
    l_max+1, nq) complex weight_k d_klm Phi_mk(rho, phi_R = 0), so that on the line phi_R = 0 the coefficients
    are one matrix product over the nodes, g(z) = b0 . e^{i K_w z u};
    block: (2 l_max+1 + 4S, nq) real J_n(k_perp rho) for the orders n = M - 2s of the traced charge (M = m - sigma
    - ell, |s| <= S), the window that :func:`_bsc_f_at` reads (None for a static ell).
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
    block: Any = None


def _bsc_table(beam, rho, l_max, n_quad, n_power, s_order, d=None):
    """:class:`_BscTable` of ``beam`` at distance rho [m] from the axis (static l_max, n_quad, n_power, s_order).

    d: optional Wigner d at the nodes in the table's layout (2 l_max+1, l_max+1, nq) (it depends on the aperture
    and the medium only: tables of several modes can share it)."""
    sigma = beam.helicity
    u, sw, weight, a_tilde = _spectrum(beam, n_quad, n_power)
    offsets = np.arange(-l_max, l_max + 1) - sigma
    n_needed = _azimuthal_reach(beam, offsets, s_order)
    # J_n(k_perp rho) e^{-i n phi_r} = F_n(k_perp, x, -y): at phi_r = 0 the cylindrical waves are real J_n
    bessel = _bessel_jn(beam.k_medium * sw * rho, n_needed).T                               # (2N+1, nq)
    block = None
    if beam.ell_traced is not None:
        # rows n = offsets[0] - ell - 2S .. offsets[-1] - ell + 2S of the J_n table (one dynamic slice per table)
        start = int(offsets[0]) - 2 * s_order + n_needed - beam.ell_traced
        block = jax.lax.dynamic_slice_in_dim(bessel, start, offsets.size + 4 * s_order, axis=0)
        p0 = _azimuthal_rotated(beam, a_tilde, block, 0.0, offsets, s_order, derivative=False, node_factor=weight)
    else:
        p0 = weight[None, :] * _azimuthal(beam, sw, a_tilde, None, offsets, s_order,
                                          waves=bessel.astype(jnp.complex128))
    if d is None:
        d = jnp.transpose(_wigner(jnp.arccos(u), l_max, sigma), (2, 1, 0))                 # (2l+1, l+1, nq)
    return _BscTable(u, weight, d, bessel, sw, a_tilde, d * p0[:, None, :], block)


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
    return _bsc_finish(jnp.einsum("...k,mlk->...lm", ez, table.b0), l_max)


def _contract_nodes(table, x, l_max):
    """g_lm = sum_k d_klm x_mk for complex x (..., 2l+1, nq) (leading axes batched): one real batched matrix
    product over the nodes, m-major (d is real: the real and imaginary parts of x are columns of it).
    Source: no formula (the node sum of Schoger, Dissertation (Augsburg 2024), Eq. (5.23), see
    :func:`beam_shape_coefficients`)."""
    lead = x.shape[:-2]
    n_m, n_k = x.shape[-2:]
    cols = jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1).reshape((-1, n_m, n_k, 2))     # (B, M, nq, 2)
    cols = jnp.transpose(cols, (1, 2, 0, 3)).reshape((n_m, n_k, -1))                      # (M, nq, 2B)
    g = jnp.einsum("mlk,mkc->mlc", table.d, cols)                                         # (M, l+1, 2B)
    g = g.reshape(g.shape[:2] + (-1, 2))
    g = jnp.transpose(jax.lax.complex(g[..., 0], g[..., 1]), (2, 1, 0))                   # (B, l+1, M)
    return g.reshape(lead + g.shape[1:])


def _azimuthal_rotated(beam, a_tilde, block, phi, offsets, s_order, derivative=True, node_factor=None):
    """Phi_M(u_k) at (rho, phi_R = phi) and dPhi_M/dphi from the real J_n window of a table (traced ell).

    Phi_M(phi) = sum_s i^{M-s} J_s(A~) e^{-2is phi_ast} J_{M-2s}(k_perp rho) e^{-i(M-2s) phi}
               = i^M e^{-iM phi} sum_s [i^{-s} J_s(A~) e^{-2is(phi_ast - phi)}] J_{M-2s}(k_perp rho),
    the same Jacobi-Anger sum as :func:`jaxem.optics.beams._azimuthal` with the phi dependence moved onto the
    (nS, nq) coefficients, so the sum over s multiplies complex coefficients by the real J_n (half the work of
    complex cylindrical waves, and the window is sliced once per table); dPhi/dphi = -iM Phi + i^M e^{-iM phi}
    sum_s 2is [...] J_{M-2s}. a_tilde, block: those of :class:`_BscTable`; node_factor: optional (nq,) complex
    factor c_k applied inside the sum. Returns (c Phi, c dPhi/dphi), each (len(offsets), nq), M = offsets - ell
    (derivative=False: c Phi only).
    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (5.18)-(5.21), (C.18)-(C.21).
    """
    s = np.arange(-s_order, s_order + 1)
    n_m = offsets.size
    js = _bessel_jn(a_tilde, s_order)                                                     # (nq, nS)
    ang = -2.0 * s * (beam.astigmatism_angle - phi)
    rot = jax.lax.complex(jnp.cos(ang), jnp.sin(ang))
    coef = (js * rot * jnp.asarray((-1j) ** (s % 4))).T                                    # (nS, nq)
    if node_factor is not None:
        coef = coef * node_factor[None, :]
    c_re, c_im = jnp.real(coef), jnp.imag(coef)
    sv = jnp.asarray(s, jnp.float64)[:, None]
    cols = jnp.stack([c_re, c_im] + ([sv * c_re, sv * c_im] if derivative else []), axis=0)  # (C, nS, nq)

    def term(j, acc):
        # s = j - S: rows 4S - 2j .. of the block hold J_{M - 2s}
        w = jax.lax.dynamic_slice_in_dim(block, 4 * s_order - 2 * j, n_m, axis=0)           # (nM, nq) real
        return acc + jax.lax.dynamic_index_in_dim(cols, j, axis=1, keepdims=False)[:, None, :] * w[None]

    # a loop over s, not an unrolled sum: its result is materialised once (XLA would otherwise fuse the whole sum
    # into every consumer, e.g. once per l of the contraction or per z of the axial scan)
    acc = jax.lax.fori_loop(0, s.size, term, jnp.zeros((cols.shape[0], n_m, block.shape[-1]), jnp.float64))
    order = jnp.asarray(offsets, jnp.float64) - beam.ell_traced                             # M
    i_pow = jnp.asarray((1j) ** (offsets % 4)) * jnp.asarray([1.0, 1j, -1.0, -1j])[jnp.mod(-beam.ell_traced, 4)]
    pa = -order * phi
    phase = (i_pow * jax.lax.complex(jnp.cos(pa), jnp.sin(pa)))[:, None]                  # i^M e^{-iM phi}
    phi_m = phase * jax.lax.complex(acc[0], acc[1])
    if not derivative:
        return phi_m
    dphi_m = (-1j) * order[:, None] * phi_m + 2j * phase * jax.lax.complex(acc[2], acc[3])
    return phi_m, dphi_m


def _bsc_f_at(beam, table, z, phi, l_max, s_order, derivatives=False):
    """f_lm at (rho cos phi, rho sin phi, z) from a table (scalar z, phi [rad]).

    derivatives=True: (3, ...) stack of f_lm, df_lm/dz and df_lm/dphi, exact derivatives of the same quadrature; with
    a traced ell (table.block) in closed form (d/dz multiplies node k by i K_w u_k, d/dphi the cylindrical wave of
    order n by -i n; one contraction over the nodes for all three), otherwise by forward mode.
    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (5.15)-(5.23) (see :func:`beam_shape_coefficients`).
    """
    sigma = beam.helicity
    offsets = np.arange(-l_max, l_max + 1) - sigma
    zk = beam.k_medium * z * table.u
    pw = table.weight * jax.lax.complex(jnp.cos(zk), jnp.sin(zk))                         # (nq,)
    if table.block is not None:
        if not derivatives:
            x = _azimuthal_rotated(beam, table.a_tilde, table.block, phi, offsets, s_order, derivative=False,
                                   node_factor=pw)
            return _bsc_finish(_contract_nodes(table, x, l_max), l_max)
        x, dphi = _azimuthal_rotated(beam, table.a_tilde, table.block, phi, offsets, s_order, node_factor=pw)
        dz = x * (1j * beam.k_medium * table.u)[None, :]
        return _bsc_finish(_contract_nodes(table, jnp.stack([x, dz, dphi]), l_max), l_max)
    if derivatives:
        # static ell (no real J_n window in the table): the derivatives by forward mode
        def f_of(v):
            return _bsc_f_at(beam, table, v[0], v[1], l_max, s_order)

        v = jnp.stack([jnp.asarray(z, jnp.float64), jnp.asarray(phi, jnp.float64)])
        f, df = jax.vmap(lambda t: jax.jvp(f_of, (v,), (t,)))(jnp.eye(2))
        return jnp.concatenate([f[:1], df], axis=0)
    n_needed = (table.bessel.shape[0] - 1) // 2
    n = np.arange(-n_needed, n_needed + 1, dtype=np.float64)
    ang = -n * phi
    waves = table.bessel * jax.lax.complex(jnp.cos(ang), jnp.sin(ang))[:, None]
    phi_m = _azimuthal(beam, table.sw, table.a_tilde, None, offsets, s_order, waves=waves)       # (2l+1, nq)
    return _bsc_finish(_contract_nodes(table, phi_m * pw[None, :], l_max), l_max)
