"""Casimir round trip at imaginary frequency in the plane-wave basis (sphere–plane, sphere–sphere).

Sources: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024) (cited below as "Schoger"), Secs. 4.1.2 and 8.2, Eqs. (4.25)-(4.29), (8.6)-(8.9);
the plane-wave method of B. Spreng, P. A. Maia Neto and G.-L. Ingold, J. Chem. Phys. 153, 024115 (2020)
and its code caspwn (github.com/sprengjamin/caspwn).

Method, the caspwn recipe made static-shaped:

* lengths are measured in units of the surface-to-surface distance L; K = xi n_m(i xi) L / c,
  rho_j = R_j / L, transverse wave numbers k (in 1/L);
* the k integral is discretised by a Nystrom rule with nodes k_i = cot^2(t_i/2), t_i = pi i/(N+1)
  (Fejer's second rule in cos t), the azimuth by M equispaced angles; the kernel depends on
  phi_out - phi_in only, so a discrete Fourier transform in phi splits the round trip into M
  independent m-blocks of size 2N x 2N (TM, TE);
* the kernel is symmetrised with sqrt(k_i w_i k_j w_j)/(M K sqrt(kappa_i kappa_j));
* sphere amplitudes S (Schoger Eq. (4.27)) are summed over l = 1..l_max in log space: each term
  is exp(log|r_l| + (l+1/2) arccosh z - translation) times the scaled angular functions of
  ``jaxem.special.angular_scaled`` (never overflows; the translation factor e^{-kappa (R + L/2)}
  is folded into each term);
* windowed sum (static ``l_window`` = W, :func:`window_width`): per matrix element only the W orders
  [l0, l0 + W) around the saddle of log|r_l| + (l+1/2) arccosh z are summed (plus the exact l = 1 term);
  the angular functions at l0 come from Gegenbauer's integral (:func:`jaxem.special.angular_scaled.scaled_pi_at`),
  so the cost per element is O(W) ~ O(sqrt(l_max)) instead of O(l_max);
* adaptive window (``l_window="auto"``, what the engine uses from l_max >= free_energy.WINDOW_MIN_LMAX,
  :func:`_adaptive_sum`): each element sums its own window, found by bisection on its envelope (width
  ~17 sigma at its own saddle, not at the largest one); elements are sorted by width and summed in chunks
  that stop at their widest element, and elements below AUTO_ATOL in the round trip are set to 0 (the
  caspwn code skips such k pairs as well), so the cost is the sum of the needed widths;
* without polarisation mixing the m-blocks come from the pairs i <= j and phi in [0, pi] by cosine and
  sine transforms (:func:`_kernel_real_pairs`; no full (k, k', phi) grid, no FFT);
* polarisation conversion by the A, B, C, D coefficients (Schoger Eq. (4.29), stable caspwn form);
* log det(1 - M) = sum_m log det(1 - M^(m)).

Distance-independent kernels. The sphere kernel on a node grid fixed in physical units (nodes
u_i/length) carries only the translation to the sphere's surface, e^{-(kappa + kappa') R}; the gap
enters as diagonal factors e^{-kappa_i L} (sphere–plane: E S E, sphere–sphere: (E S_2 E)(E S_1 E)
with E = e^{-kappa L/2}). :func:`sphere_plane_log_det_batch` / :func:`sphere_sphere_log_det_batch`
thus evaluate many gaps per kernel (the free-energy batch route); with length = L they are exactly the
single-gap functions :func:`sphere_plane_log_det` / :func:`sphere_sphere_log_det`.

Plates. Isotropic plates reflect diagonally (:func:`fresnel_imag`); PEMC and bi-isotropic plates
mix TM and TE: :func:`plate_reflection_imag` gives the 2x2 Fresnel matrix per k (Schoger Eqs. (4.34),
(B.11)), applied to the outgoing polarisation of the sphere kernel (complex
all-m route). Conventions checked by duality (PEMC(theta) sphere and plate = PEC–PEC) and against
the static multipole engine (zero_frequency) for bi-isotropic plates at xi -> 0.

All kernels are pure functions of arrays with static sizes (N, M, l_max) and differentiate with
autodiff (forces are derivatives of the free energy).
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from jaxem.constants import c as _C
from jaxem.materials import PEMC, BiIsotropic
from jaxem.special.angular_scaled import _gegenbauer_pi_pair, arccosh_from_zm1, scaled_angular_step
from jaxem.casimir.logdet import log_det_one_minus, log_det_one_minus_gap, log_det_one_minus_lu_fast
from jaxem.mie.plates import _medium_eps_mu, fresnel_imag, plate_reflection_imag
from jaxem.special.polylog import polylog2
from jaxem.special.quadrature import nystrom_nodes
from jaxem.special._recurrence import vary_like

__all__ = [
    "plane_plane_log_det_density",
    "plane_plane_pfa_density",
    "sphere_plane_log_det",
    "sphere_sphere_log_det",
    "sphere_plane_log_det_batch",
    "sphere_sphere_log_det_batch",
    "sphere_kernel_imag",
    "default_truncation",
    "window_width",
]


def default_truncation(rho: float, eta: float = 1.0):
    """Static sizes (N, M, l_max) for a sphere of radius R = rho L (caspwn defaults scaled by eta).

    N = 5.6 eta sqrt(max(rho, 20)), M = 5.1 eta sqrt(rho) (made odd), l_max = 12 eta rho,
    with floors M >= 9, l_max >= 12 so that large distances stay accurate.

    Arguments:
        rho: R/L (float, concrete).
        eta: accuracy knob (1 is ~1e-6 relative; larger is more accurate).
    Returns:
        (N, M, l_max) Python ints.

    Source: the defaults of the caspwn code (Spreng et al., J. Chem. Phys. 153, 024115 (2020)).
    """
    rho = float(rho)

    def up(v):   # ceil, robust to rounding in R/L (100e-6/1e-6 = 100.00000000000001)
        return int(math.ceil(v - 1e-9))

    # below R/L ~ 20 the k-grid, not the multipoles, limits the accuracy (N = 18 at R/L = 10: 6e-6;
    # N = 25: < 1e-7), hence the floor of the N rule at R/L = 20 (caspwn floors all rules at 50)
    n = up(5.6 * eta * math.sqrt(max(rho, 20.0)))
    m = max(up(5.1 * eta * math.sqrt(rho)), up(9 * eta))
    m += 1 - m % 2
    l_max = max(up(12 * eta * rho), up(12 * eta))
    return n, m, l_max


def window_width(l_max: int, rtol: float = 1e-16, x_max: float | None = None):
    """Static width W of the l-window of the sphere amplitudes (None: sum every l, the window would not save).

    The summand of Schoger Eq. (4.27) at imaginary frequency behaves like exp(log|r_l| + (l+1/2) a) with
    log|r_l| ~ 2 sqrt(nu^2 + x^2) - 2 nu arcsinh(nu/x) (nu = l + 1/2, x = K R/L; uniform Debye asymptotics
    of I_nu(x)/K_nu(x)), whose curvature -2/sqrt(nu^2 + x^2) makes it a Gaussian in l of variance
    sigma^2 = sqrt(nu^2 + x^2)/2 <= sqrt(l_max^2 + x_max^2)/2 around its saddle. Terms below rtol of the
    peak lie outside +- sqrt(2 ln(1/rtol)) sigma; W covers both sides with a 10 % margin plus 16 orders
    (the saddle is located on a grid of stride W/32 and the angular prefactors shift it by O(1)).
    Validated against the full sum (tests/test_casimir_window.py): <= 1e-12 per element.

    Arguments:
        l_max: truncation of the full sum (static int).
        rtol: relative size of the dropped terms (default 1e-16).
        x_max: largest size parameter K R/L = xi R n/c of the frequencies summed (default l_max, i.e.
            xi R/c <= l_max; larger x widens the window).
    Returns:
        W (Python int) < l_max - 1, or None when W would cover (nearly) every l.

    Source: uniform asymptotics of the modified Bessel functions, NIST DLMF 10.41.3-10.41.4; the
    saddle-point width of the plane-wave amplitude sum of Spreng et al., J. Chem. Phys. 153, 024115 (2020).
    """
    l_max = int(l_max)
    if not 0.0 < float(rtol) < 1.0:
        raise ValueError(f"rtol must lie in (0, 1), got {rtol}")
    x = float(l_max if x_max is None else x_max)
    sigma = math.sqrt(math.sqrt(float(l_max) ** 2 + x * x) / 2.0)
    w = int(math.ceil(2.0 * 1.1 * math.sqrt(2.0 * math.log(1.0 / float(rtol))) * sigma + 16))
    return w if w < l_max - 1 else None


# ----------------------------------------------------------------------------------------------
# plane–plane (Lifshitz) and the PFA integrand

def _plane_plane_modes(xi, L, plate1, plate2, medium, n_k):
    """k nodes (in 1/L), weights, kappa L and r1 r2 products per polarisation, at one xi > 0."""
    k, w = nystrom_nodes(n_k)
    k = jnp.asarray(k) / L
    w = jnp.asarray(w) / L
    eps_m, mu_m = _medium_eps_mu(medium, xi)
    K = xi * jnp.sqrt(eps_m * mu_m) / _C
    kappa = jnp.sqrt(k * k + K * K)
    r1 = fresnel_imag(xi, k, plate1, medium)
    r2 = fresnel_imag(xi, k, plate2, medium)
    return k, w, kappa, (r1[0] * r2[0], r1[1] * r2[1])


def plane_plane_log_det_density(xi, L, plate1, plate2, medium=None, n_k=80):
    """Lifshitz integrand: int d^2k/(2pi)^2 sum_p log(1 - r_p1 r_p2 e^{-2 kappa L}) [1/m^2] at i xi.

    The free energy per area is k_B T sum'_n of this.

    Arguments:
        xi: imaginary frequency [rad/s] (> 0).
        L: plate separation [m].
        plate1, plate2: materials.
        medium: material between the plates (vacuum if None).
        n_k: quadrature size (static).
    Returns:
        float, [1/m^2].

    Source: the Lifshitz formula in scattering form, Lambrecht, Maia Neto & Reynaud, New J. Phys. 8,
    243 (2006); Schoger, Dissertation (Augsburg 2024), Eq. (2.25).
    """
    k, w, kappa, rr = _plane_plane_modes(xi, L, plate1, plate2, medium, n_k)
    e = jnp.exp(-2.0 * kappa * L)
    integrand = sum(jnp.log1p(-r * e) for r in rr)
    return jnp.sum(w * k * integrand) / (2.0 * jnp.pi)


def plane_plane_pfa_density(xi, L, plate1, plate2, medium=None, n_k=80):
    """PFA weight at i xi: int_L^inf dL' (Lifshitz integrand)(L') [1/m], for sphere energies 2 pi R_eff x this.

    Uses int_L^inf log(1 - r e^{-2 kappa L'}) dL' = -Li_2(r e^{-2 kappa L})/(2 kappa).

    Arguments:
        xi, L, plate1, plate2, medium, n_k: as for :func:`plane_plane_log_det_density`.
    Returns:
        float [1/m]; E_PFA(xi) = 2 pi R_eff * this.

    Source: the proximity force approximation, Schoger, Dissertation (Augsburg 2024), Eqs. (10.38)-(10.40) (without mixing).
    """
    k, w, kappa, rr = _plane_plane_modes(xi, L, plate1, plate2, medium, n_k)
    e = jnp.exp(-2.0 * kappa * L)
    integrand = sum(-polylog2(r * e) / (2.0 * kappa) for r in rr)
    return jnp.sum(w * k * integrand) / (2.0 * jnp.pi)


# ----------------------------------------------------------------------------------------------
# sphere kernel

def _mie_log(xi, radius, material, medium, l_max):
    from jaxem.mie import reflection_matrix_imag
    return reflection_matrix_imag(xi, radius, material, l_max, medium)


def _has_mixing(material) -> bool:
    return isinstance(material, (PEMC, BiIsotropic))


def _abcd(K, k_out, k_in, kap_out, kap_in, cos_phi, sin_phi):
    """Polarisation-conversion coefficients A, B, C, D (Schoger Eq. (4.29), in the stable form of caspwn)."""
    ki, kj = k_in, k_out
    kai, kaj = kap_in, kap_out
    K2 = K * K
    dn = ki * ki * kj * kj * (1 + cos_phi**2) + K2 * (ki * ki + kj * kj) + 2 * ki * kj * kai * kaj * cos_phi
    ok = dn > 1e-300 * (1.0 + K2 * K2)
    dns = jnp.where(ok, dn, 1.0)
    A = (K2 * (ki * ki + kj * kj) * cos_phi + 2 * ki * ki * kj * kj * cos_phi
         + ki * kj * kai * kaj * (1 + cos_phi**2)) / dns
    B = K2 * ki * kj * sin_phi**2 / dns
    C = -K * sin_phi * (kaj * ki * ki + kai * ki * kj * cos_phi) / dns
    D = K * sin_phi * (kai * kj * kj + kaj * ki * kj * cos_phi) / dns
    # the only zero of dn at K > 0 is exact backscattering (phi = pi, k_in = k_out): A = -1
    A = jnp.where(ok, A, -1.0)
    B = jnp.where(ok, B, 0.0)
    C = jnp.where(ok, C, 0.0)
    D = jnp.where(ok, D, 0.0)
    return A, B, C, D


def _sphere_amplitudes(K, rho, shift, k_out, k_in, kap_out, kap_in, cos_half_sq, log_abs, phase, mixing,
                       l_window=None, log_scale=None):
    """Scaled amplitudes S_pp'(Theta) e^{-(kappa_out + kappa_in) (rho + shift)} (Schoger Eq. (4.27)).

    Returns (S_TMTM, S_TETE, S_TMTE, S_TETM) with the translation factor included; arrays of the
    broadcast shape of the inputs. cos_half_sq = cos^2(phi/2) (exact at phi = pi).
    l_window: static W (< l_max - 1) sums l = 1 and the W orders [l0, l0 + W) around each entry's
    saddle (see :func:`window_width`); None sums every l; "auto" chooses the window per element
    (:func:`_adaptive_sum`), and with ``log_scale`` sets elements below AUTO_ATOL in the round trip to 0.
    """
    l_max = log_abs.shape[0]
    # z - 1 = (k_i - k_j)^2/(kappa_i kappa_j + K^2 + k_i k_j) + 2 k_i k_j cos^2(phi/2)/K^2 >= 0
    zm1 = (k_out - k_in) ** 2 / (kap_out * kap_in + K * K + k_out * k_in) \
        + 2.0 * k_out * k_in * cos_half_sq / (K * K)
    z = 1.0 + zm1
    a = arccosh_from_zm1(zm1)
    e1 = jnp.exp(-a)
    trans = (kap_out + kap_in) * (rho + shift)

    ls = jnp.arange(1, l_max + 1, dtype=jnp.float64)
    # per-l scale: the largest entry, so that the per-entry factors are <= 1
    base = jnp.max(log_abs.reshape(l_max, 4), axis=-1)
    base_safe = jnp.where(jnp.isfinite(base), base, -jnp.inf)
    rel = jnp.where(jnp.isfinite(log_abs), jnp.exp(log_abs - jnp.where(jnp.isfinite(base), base, 0.0)[:, None, None]), 0.0)
    coeff = phase * rel                                         # r_l / e^{base_l}
    sign_w = (-1.0) ** ls * (2 * ls + 1) / (ls * (ls + 1))      # (-1)^l (2l+1)/(l(l+1))
    alpha = coeff * sign_w[:, None, None]
    if not mixing:
        alpha = jnp.real(alpha)
    # entries [[EE, EM], [ME, MM]]
    a_ee, a_em, a_me, a_mm = alpha[:, 0, 0], alpha[:, 0, 1], alpha[:, 1, 0], alpha[:, 1, 1]

    dtype = jnp.complex128 if mixing else jnp.float64
    zeros = jnp.zeros(jnp.broadcast_shapes(zm1.shape, trans.shape), dtype=dtype)
    p0 = jnp.zeros(zm1.shape)
    p1 = jnp.exp(-1.5 * a)
    t1 = z * p1

    def term(l, p, t, b, aee, aem, ame, amm):
        expo = b + (l + 0.5) * a - trans
        E = jnp.exp(jnp.where(jnp.isfinite(b), expo, -jnp.inf))
        s_tmtm = E * (aee * t - amm * p)
        s_tete = E * (amm * t - aee * p)
        if mixing:
            s_tmte = E * (aem * t + ame * p)
            s_tetm = E * (ame * t + aem * p)
        else:
            s_tmte = s_tetm = None
        return s_tmtm, s_tete, s_tmte, s_tetm

    def add(acc, new):
        return tuple(x if y is None else x + y for x, y in zip(acc, new))

    acc0 = (zeros, zeros, zeros, zeros)
    acc0 = add(acc0, term(1.0, p1, t1, base_safe[0], a_ee[0], a_em[0], a_me[0], a_mm[0]))
    if isinstance(l_window, str):
        if l_window != "auto":
            raise ValueError(f"l_window must be None, an int or 'auto', got {l_window!r}")
        if l_max < 2:
            return acc0
        rest, keep = _adaptive_sum(zm1, z, a, e1, trans, ls, base_safe, (a_ee, a_em, a_me, a_mm), mixing,
                                   log_scale)
        return tuple(jnp.where(keep, x + y, 0.0) for x, y in zip(acc0, rest))
    if l_window is not None and int(l_window) < l_max - 1:
        return _windowed_sum(int(l_window), zm1, z, a, e1, trans, ls, base_safe,
                             (a_ee, a_em, a_me, a_mm), mixing, term, add, acc0)

    def body(carry, xs):
        pc, acc = carry
        l, b, aee, aem, ame, amm = xs
        pc, (p, t) = scaled_angular_step(pc, l, z, e1)
        acc = add(acc, term(l, p, t, b, aee, aem, ame, amm))
        return (pc, acc), None

    if l_max > 1:
        xs = (ls[1:], base_safe[1:], a_ee[1:], a_em[1:], a_me[1:], a_mm[1:])
        # carry varying over shard_map mesh axes like the inputs (no-op outside shard_map)
        (_, acc), _ = jax.lax.scan(body, vary_like(((p1, p0), acc0), z, a, trans, xs), xs)
    else:
        acc = acc0
    return acc


def _windowed_sum(W, zm1, z, a, e1, trans, ls, base_safe, alphas, mixing, term, add, acc0):
    """The l >= 2 part of :func:`_sphere_amplitudes` over the W orders [l0, l0 + W) of each entry.

    l0 (integer, not differentiated: the dropped terms are below the tolerance of the window) centres
    the window on the largest of log|r_l| + (l+1/2) a + 3/2 log l (the scaled summand's envelope; the
    angular functions grow like l^{1/2..3/2}), taken on a static grid of stride W/32 (robust where the
    TM and TE magnitudes cross); the recurrence is seeded at l0 - 1, l0 - 2 by Gegenbauer's integral
    (``scaled_pi_at``). Per step, the per-l columns are gathered per entry (scalar gathers; a step costs
    ~1.5x a step of the full sum, measured at R/L = 200).
    """
    l_max = ls.shape[0]
    stride = max(1, W // 32)
    grid = np.arange(1, l_max + 1, stride)                             # static sample orders
    env = jnp.where(jnp.isfinite(base_safe), base_safe, -1e300) + 1.5 * jnp.log(ls)
    a_s = jax.lax.stop_gradient(a)

    def best(carry, xs):                    # running argmax over the grid (no (entries, grid) array)
        top, l_top = carry
        lg, eg = xs
        val = eg + (lg + 0.5) * a_s
        up = val > top
        return (jnp.where(up, val, top), jnp.where(up, lg, l_top)), None

    init = vary_like((jnp.full(a.shape, -jnp.inf), jnp.ones(a.shape)), a)
    (_, l_c), _ = jax.lax.scan(best, init, (jnp.asarray(grid, dtype=jnp.float64), env[grid - 1]))
    l0 = jnp.clip(l_c.astype(jnp.int32) - W // 2, 2, l_max - W + 1)
    l0 = jnp.broadcast_to(l0, jnp.broadcast_shapes(l0.shape, trans.shape))
    l0f = l0.astype(jnp.float64)
    pc0 = _gegenbauer_pi_pair(zm1, l0f - 1.0)                       # (p_{l0-1}, p_{l0-2})
    # per-l columns (log scale, Mie coefficients); gathering all W rows at once would be a (W, entries)
    # array per column: too large
    a_ee, a_em, a_me, a_mm = alphas
    cols = [base_safe] + ([a_ee, a_em, a_me, a_mm] if mixing else [a_ee, a_mm])

    def body(carry, j):
        pc, acc = carry
        idx = l0 + j - 1
        l = l0f + j.astype(jnp.float64)
        b, *al = (jnp.take(col, idx, mode="clip") for col in cols)
        pc, (p, t) = scaled_angular_step(pc, l, z, e1)
        if mixing:
            new = term(l, p, t, b, *al)
        else:
            new = term(l, p, t, b, al[0], None, None, al[1])
        return (pc, add(acc, new)), None

    (_, acc), _ = jax.lax.scan(body, vary_like((pc0, acc0), z, a, trans), jnp.arange(W))
    return acc


#: adaptive l-window (``l_window="auto"``, :func:`_adaptive_sum`): per element, orders whose envelope lies more
#: than _AUTO_DROP below the element's largest term are dropped (ln 1e16 = 36.8, plus a margin for the
#: envelope's l^{3/2} proxy of the angular prefactors), with _AUTO_PAD orders added beyond each located edge
_AUTO_DROP = 36.8 + 6.0
_AUTO_PAD = 4
#: elements per chunk (one recurrence step of a chunk stays in cache) and recurrence steps per skippable block
_AUTO_CHUNK = 1024
_AUTO_BLOCK = 16
_AUTO_GROUP = 16
#: windows that would start below this order start at l = 2 instead (the exact p_1, p_0: cheaper than the
#: 40-node Gegenbauer seed, which costs about this many recurrence steps per element)
_AUTO_SEED_FROM = 96
#: kernel elements bounded (times the smallest gap factor e^{-(kappa + kappa')/2}) below this are set to 0
AUTO_ATOL = 1e-25


def _adaptive_sum(zm1, z, a, e1, trans, ls, base_safe, alphas, mixing, log_scale=None, atol=AUTO_ATOL):
    """The l >= 2 part of :func:`_sphere_amplitudes` over a window of l chosen per element (static shapes).

    Per element (all choices are integers, not differentiated): the envelope
    f(l) = log max|r_l| + 3/2 log l + (l+1/2) a (the scaled summand's bound) is maximised (a grid of
    stride l_max/64, then bisection on the sign of f(l+1) - f(l)); the window [lo, hi] holds every l with
    f(l) >= max f - _AUTO_DROP (bisection on each side, the envelope being unimodal), plus _AUTO_PAD orders.
    Its width is thus ~ 17 sigma with sigma^2 = sqrt(nu^2 + x^2)/2 at the element's own saddle (instead of
    the static width of the largest saddle, :func:`window_width`). Windows starting below _AUTO_SEED_FROM
    start at l = 2; the others are seeded at lo - 1, lo - 2 by Gegenbauer's integral.
    With ``log_scale`` (per element, broadcastable: log of the factor that multiplies the amplitude in the
    round trip), elements whose bound exp(max f - trans + log_scale) (times the window length) lies below
    ``atol`` are set to 0 (no l is summed).
    The elements are sorted by (seeded, width) and processed in chunks of _AUTO_CHUNK; a chunk runs the
    recurrence in blocks of _AUTO_BLOCK steps up to its largest width (lax.cond skips the other blocks),
    so the cost is ~ sum over the elements of their widths. Chunks and blocks are rematerialised in
    reverse mode (memory ~ one chunk). Under vmap the conds become selects (every block runs).

    Returns (s_tmtm, s_tete, s_tmte, s_tetm) of the l >= 2 terms, with a mask ``keep`` (False: pruned).
    """
    shape = jnp.broadcast_shapes(zm1.shape, z.shape, a.shape, trans.shape)
    n = int(np.prod(shape)) if len(shape) else 1
    l_max = ls.shape[0]

    def flat(x):
        return jnp.broadcast_to(x, shape).reshape(n)

    zm1f, zf, af, e1f, trf = (flat(x) for x in (zm1, z, a, e1, trans))
    a_s = jax.lax.stop_gradient(af)
    env = jax.lax.stop_gradient(jnp.where(jnp.isfinite(base_safe), base_safe, -1e300) + 1.5 * jnp.log(ls))

    def f_at(l):                                      # envelope at integer orders l (per element)
        return jnp.take(env, jnp.clip(l, 1, l_max) - 1) + (l.astype(jnp.float64) + 0.5) * a_s

    # peak: coarse grid, then bisection on the sign of the envelope's increment within +- one stride
    stride = max(1, l_max // 64)
    grid = np.arange(1, l_max + 1, stride)

    def best(carry, xs):
        top, l_top = carry
        lg, eg = xs
        val = eg + (lg.astype(jnp.float64) + 0.5) * a_s
        up = val > top
        return (jnp.where(up, val, top), jnp.where(up, lg, l_top)), None

    init = vary_like((jnp.full((n,), -jnp.inf), jnp.ones((n,), jnp.int32)), af)
    (_, l_g), _ = jax.lax.scan(best, init, (jnp.asarray(grid, dtype=jnp.int32), env[grid - 1]))
    lo_b = jnp.clip(l_g - stride, 1, l_max)
    hi_b = jnp.clip(l_g + stride, 1, l_max)
    # (bisections as fori_loops: unrolled, their gathers dominate the compile time)
    def peak_step(_, bounds):
        lo_b, hi_b = bounds
        mid = (lo_b + hi_b) // 2
        up = (f_at(jnp.minimum(mid + 1, l_max)) > f_at(mid)) & (mid < l_max)
        return jnp.where(up, mid + 1, lo_b), jnp.where(up, hi_b, mid)

    lo_b, hi_b = jax.lax.fori_loop(0, int(math.ceil(math.log2(2 * stride + 2))) + 1, peak_step, (lo_b, hi_b))
    f_g, f_b = f_at(l_g), f_at(lo_b)
    l_c = jnp.where(f_b >= f_g, lo_b, l_g)
    f_c = jnp.maximum(f_b, f_g)
    thr = f_c - _AUTO_DROP
    n_bis = int(math.ceil(math.log2(l_max + 1))) + 1
    def edge_step(_, bounds):        # right edge: largest l >= l_c, left edge: smallest l <= l_c with f(l) >= thr
        r_lo, r_hi, l_lo, l_hi = bounds
        mid = (r_lo + r_hi + 1) // 2
        ok = f_at(mid) >= thr
        r_lo, r_hi = jnp.where(ok, mid, r_lo), jnp.where(ok, r_hi, mid - 1)
        mid = (l_lo + l_hi) // 2
        ok = f_at(mid) >= thr
        return r_lo, r_hi, jnp.where(ok, l_lo, mid + 1), jnp.where(ok, mid, l_hi)

    right, _, _, left = jax.lax.fori_loop(0, n_bis, edge_step,
                                          (l_c, jnp.full_like(l_c, l_max), jnp.ones_like(l_c), l_c))
    lo = jnp.maximum(left - _AUTO_PAD, 2)
    hi = jnp.minimum(right + _AUTO_PAD, l_max)
    seeded = lo >= _AUTO_SEED_FROM
    lo = jnp.where(seeded, lo, 2)
    width = jnp.maximum(hi - lo + 1, 0)
    keep = jnp.ones((n,), dtype=bool)
    if log_scale is not None:
        bound = (f_c - jax.lax.stop_gradient(trf) + jax.lax.stop_gradient(flat(log_scale))
                 + jnp.log(2.0 * width + 2.0) + jnp.log(l_c + 1.0) + 5.0)
        keep = bound > math.log(atol)
        width = jnp.where(keep, width, 0)
        seeded = seeded & keep
        lo = jnp.where(keep, lo, 2)

    key = width + seeded.astype(jnp.int32) * (l_max + 1)
    perm = jnp.argsort(key)
    B = min(_AUTO_CHUNK, n)
    n_chunks = -(-n // B)
    n_pad = n_chunks * B
    perm_p = jnp.concatenate([perm, jnp.full((n_pad - n,), perm[0], perm.dtype)]) if n_pad > n else perm
    pad_mask = np.arange(n_pad) < n
    width_p = jnp.where(pad_mask, width[perm_p], 0)
    xs = tuple(x[perm_p].reshape(n_chunks, B) for x in (zm1f, zf, af, e1f, trf, lo, seeded)) \
        + (width_p.reshape(n_chunks, B),)

    a_ee, a_em, a_me, a_mm = alphas
    cols = [base_safe] + ([a_ee, a_em, a_me, a_mm] if mixing else [a_ee, a_mm])
    dtype = jnp.complex128 if mixing else jnp.float64
    n_groups = -(-(l_max - 1) // (_AUTO_BLOCK * _AUTO_GROUP))

    def chunk(x):
        zm1c, zc, ac, e1c, trc, loc, seedc, wc = x
        n_c = jnp.max(wc)
        lof = loc.astype(jnp.float64)
        zero = jnp.zeros_like(ac)
        pc0 = jax.lax.cond(jnp.any(seedc), lambda: _gegenbauer_pi_pair(zm1c, lof - 1.0),
                           lambda: (jnp.exp(-1.5 * ac), zero))
        acc0 = tuple(jnp.zeros(ac.shape, dtype) for _ in range(4 if mixing else 2))

        def step(carry, j):
            pc, acc = carry
            l = lof + j.astype(jnp.float64)
            idx = loc + j - 1
            b, *al = (jnp.take(col, idx, mode="clip") for col in cols)
            b = jnp.where(idx < l_max, b, -jnp.inf)
            pc, (p, t) = scaled_angular_step(pc, l, zc, e1c)
            E = jnp.exp(jnp.where(jnp.isfinite(b), b + (l + 0.5) * ac - trc, -jnp.inf))
            if mixing:
                aee, aem, ame, amm = al
                new = (E * (aee * t - amm * p), E * (amm * t - aee * p),
                       E * (aem * t + ame * p), E * (ame * t + aem * p))
            else:
                aee, amm = al
                new = (E * (aee * t - amm * p), E * (amm * t - aee * p))
            return (pc, tuple(u + v for u, v in zip(acc, new))), None

        def run(carry, jb):
            carry, _ = jax.lax.scan(step, carry, jb * _AUTO_BLOCK + jnp.arange(_AUTO_BLOCK, dtype=jnp.int32))
            return carry

        run = jax.checkpoint(run)

        def block(carry, jb):
            return jax.lax.cond(jb * _AUTO_BLOCK < n_c, run, lambda c, _: c, carry, jb), None

        def group(carry, jg):        # _AUTO_GROUP blocks, skipped at once beyond the chunk's width
            def blocks(c):
                c, _ = jax.lax.scan(block, c, jg * _AUTO_GROUP + jnp.arange(_AUTO_GROUP, dtype=jnp.int32))
                return c
            return jax.lax.cond(jg * _AUTO_GROUP * _AUTO_BLOCK < n_c, blocks, lambda c: c, carry), None

        (_, acc), _ = jax.lax.scan(group, vary_like((pc0, acc0), zc, ac, trc),
                                   jnp.arange(n_groups, dtype=jnp.int32))
        return acc

    def chunk_or_zero(x):             # chunks of pruned elements only (width 0) cost nothing
        zeros = vary_like(tuple(jnp.zeros(x[0].shape, dtype) for _ in range(4 if mixing else 2)), *x)
        return jax.lax.cond(jnp.max(x[-1]) > 0, chunk, lambda _: zeros, x)

    out = jax.lax.map(jax.checkpoint(chunk_or_zero), xs)
    inv = jnp.zeros((n,), perm.dtype).at[perm].set(jnp.arange(n, dtype=perm.dtype))   # (no second sort)
    out = tuple(o.reshape(n_pad)[:n][inv] for o in out)
    if not mixing:
        out = out + (jnp.zeros((n,), dtype), jnp.zeros((n,), dtype))
    return tuple(o.reshape(shape) for o in out), keep.reshape(shape)


def _kernel_real_pairs(K, k, w, kap, M, iu, ju, pair, s_tmtm, s_tete, sign):
    """m-blocks of :func:`_sphere_kernel` without polarisation mixing, from the pairs i <= j and phi in [0, pi].

    The conserving parts (A, B terms) are even in phi, the converting parts (C, D) odd, so the phi-DFT of
    the full circle is a cosine resp. sine transform over [0, pi] (one matrix product per part, weights
    1, 2, ..., 2 (, 1)); swapping k_out and k_in maps A, B -> A, B and C, D -> -D, -C, so the entries
    i > j follow from the pairs. Equal to the full-grid rfft form (tests/test_casimir_window.py).
    """
    N = k.shape[0]
    half = M // 2 + 1
    phis = 2.0 * np.pi * np.arange(half) / M
    ko, ki, kao, kai = k[iu][:, None], k[ju][:, None], kap[iu][:, None], kap[ju][:, None]
    A, B, C, D = _abcd(K, ko, ki, kao, kai, jnp.asarray(np.cos(phis))[None, :], jnp.asarray(np.sin(phis))[None, :])
    C, D = sign * C, sign * D
    # Schoger Eq. (4.26), p: TM = 1, TE = 2
    tm_tm = A * s_tmtm + B * s_tete
    te_te = A * s_tete + B * s_tmtm
    te_tm = -(C * s_tmtm + D * s_tete)
    tm_te = C * s_tete + D * s_tmtm
    c_h = np.full(half, 2.0)
    c_h[0] = 1.0
    if M % 2 == 0:
        c_h[-1] = 1.0
    mphi = np.outer(phis, np.arange(half))
    cosm, sinm = jnp.asarray(c_h[:, None] * np.cos(mphi)), jnp.asarray(c_h[:, None] * np.sin(mphi))
    norm = jnp.sqrt(ko * w[iu][:, None] * ki * w[ju][:, None]) / (M * K * jnp.sqrt(kao * kai))
    r00 = (norm * tm_tm) @ cosm                  # (pairs, m): rfft real part of the even parts
    r11 = (norm * te_te) @ cosm
    r01 = (norm * tm_te) @ sinm                  # -imag of the rfft of the odd part
    r10 = -((norm * te_tm) @ sinm)               # +imag
    upper = jnp.asarray(np.arange(N)[:, None] <= np.arange(N)[None, :])
    b00, b11, b01, b10 = (jnp.moveaxis(r[pair], -1, 0) for r in (r00, r11, r01, r10))
    b01, b10 = jnp.where(upper, b01, -b10), jnp.where(upper, b10, -b01)
    mats = jnp.concatenate([jnp.concatenate([b00, b01], axis=2), jnp.concatenate([b10, b11], axis=2)], axis=1)
    weights = np.full(half, 2.0)
    weights[0] = 1.0
    if M % 2 == 0:
        weights[-1] = 1.0
    return mats, jnp.asarray(weights)


def _sphere_kernel(K, rho, shift, k, w, M, log_abs, phase, mixing, sign, l_window=None, gap_share=0.5):
    """Symmetrised reflection kernel of one sphere on the (k, phi) grid, Fourier-transformed in phi.

    Returns the m-blocks, shape (M, 2N, 2N) complex, rows = outgoing (TM then TE), cols = incoming.
    sign = +1 for a sphere reflecting -z -> +z (sphere 1), -1 for the mirrored sphere 2 (sign of
    the polarisation-converting terms, as in caspwn).
    """
    N = k.shape[0]
    kap = jnp.sqrt(k * k + K * K)
    half = M // 2 + 1
    phis = 2.0 * jnp.pi * jnp.arange(M) / M
    cos_half_sq_h = jnp.cos(phis[:half] / 2) ** 2
    k_out, k_in = k[:, None, None], k[None, :, None]
    kap_out, kap_in = kap[:, None, None], kap[None, :, None]
    # the amplitudes are symmetric in (k_out, k_in): evaluate the N(N+1)/2 pairs i <= j only
    iu, ju = np.triu_indices(N)
    pair = np.zeros((N, N), dtype=np.int64)
    pair[iu, ju] = np.arange(iu.size)
    pair[ju, iu] = np.arange(iu.size)
    log_scale = None
    if isinstance(l_window, str):
        # bound of the factors that multiply S in the round trip: symmetrisation (norm below), |A..D| <= 1 with
        # the two polarisation terms, the smallest gap factor e^{-gap_share (kappa + kappa') L/length}, L >= length
        lk = jax.lax.stop_gradient(0.5 * jnp.log(k * w) - 0.5 * jnp.log(kap) - gap_share * kap)
        log_scale = (lk[iu] + lk[ju] - jnp.log(M * jax.lax.stop_gradient(K)) + math.log(4.0))[:, None]
    S = _sphere_amplitudes(K, rho, shift, k[iu][:, None], k[ju][:, None], kap[iu][:, None], kap[ju][:, None],
                           cos_half_sq_h[None, :], log_abs, phase, mixing, l_window, log_scale)
    if not mixing:
        return _kernel_real_pairs(K, k, w, kap, M, iu, ju, pair, S[0], S[1], sign)
    # amplitudes depend on cos(phi) only: extend from [0, pi] to the full circle
    idx = np.minimum(np.arange(M), M - np.arange(M))
    S = tuple(s[pair][..., idx] for s in S)
    s_tmtm, s_tete, s_tmte, s_tetm = S
    A, B, C, D = _abcd(K, k_out, k_in, kap_out, kap_in, jnp.cos(phis), jnp.sin(phis))
    C, D = sign * C, sign * D
    # Schoger Eq. (4.26), p: TM = 1, TE = 2
    tm_tm = A * s_tmtm + B * s_tete
    te_te = A * s_tete + B * s_tmtm
    te_tm = -(C * s_tmtm + D * s_tete)
    tm_te = C * s_tete + D * s_tmtm
    if mixing:
        tm_tm = tm_tm + C * s_tetm - D * s_tmte
        te_te = te_te - C * s_tmte + D * s_tetm
        te_tm = te_tm + A * s_tetm - B * s_tmte
        tm_te = tm_te + A * s_tmte - B * s_tetm
    norm = jnp.sqrt(k[:, None] * w[:, None] * k[None, :] * w[None, :]) / (M * K * jnp.sqrt(kap[:, None] * kap[None, :]))
    blocks = jnp.stack([jnp.stack([tm_tm, tm_te], 0), jnp.stack([te_tm, te_te], 0)], 0)  # (2,2,N,N,M)
    blocks = blocks * norm[None, None, :, :, None]
    # circulant in phi_out - phi_in: the DFT diagonalises it into m-blocks
    if mixing:
        fb = jnp.fft.fft(blocks, axis=-1)                              # (2,2,N,N,M), all m
        return jnp.transpose(fb, (4, 0, 2, 1, 3)).reshape(M, 2 * N, 2 * N), None
    # No mixing: polarisation-conserving parts are even in phi, converting parts odd, so the DFT
    # is real resp. imaginary; the similarity diag(1, i) (TM, TE) makes every block real, and
    # block -m = P (block m) P with P = diag(1, -1): keep m = 0..M//2 with weights 1, 2, 2, ...
    fb = jnp.fft.rfft(blocks, axis=-1)                                 # (2,2,N,N,M//2+1)
    real = jnp.stack([jnp.stack([fb[0, 0].real, -fb[0, 1].imag], 0),
                      jnp.stack([fb[1, 0].imag, fb[1, 1].real], 0)], 0)
    mats = jnp.transpose(real, (4, 0, 2, 1, 3)).reshape(-1, 2 * N, 2 * N)
    weights = np.full(M // 2 + 1, 2.0)
    weights[0] = 1.0
    if M % 2 == 0:
        weights[-1] = 1.0
    return mats, jnp.asarray(weights)


def _sum_blocks(mat, weights):
    vals = _log_det_blocks(mat)
    return jnp.sum(vals) if weights is None else jnp.sum(weights * vals)


def _log_det_blocks(mat):
    """log|det(1 - M^(m))| for a stack of m-blocks (pivots' distance from 1 without cancellation)."""
    return jax.vmap(log_det_one_minus)(mat).real


def _sum_blocks_fast(mat, matT, weights):
    vals = jax.vmap(log_det_one_minus_lu_fast)(mat, matT)
    return jnp.sum(vals) if weights is None else jnp.sum(weights * vals)


# ----------------------------------------------------------------------------------------------
# round trips: distance-independent kernels shared by a batch of distances

def sphere_kernel_imag(xi, R, sphere, medium=None, *, length, N, M, l_max, mixing=None, sign=1.0, l_window=None,
                       gap_share=0.5):
    """Distance-independent reflection kernel of a sphere on a k grid in units of ``length``.

    The Nystrom nodes k_i = u_i/length (u_i from :func:`nystrom_nodes`) and the azimuthal grid are
    fixed in physical units, so the kernel -- amplitudes S (Schoger Eq. (4.27)), polarisation
    conversion (4.29), symmetrisation and phi-DFT -- depends on xi, R and the material only; it
    carries the translation e^{-(kappa_out + kappa_in) R} from the sphere's centre to its surface.
    A gap L is applied afterwards as the diagonal factors e^{-kappa_i L} (see
    :func:`sphere_plane_log_det_batch`), so a batch of distances shares one kernel per frequency.
    Arguments:
        xi [rad/s] (> 0), R [m]; sphere: material; medium: host (vacuum if None);
        length: node scale [m] (the smallest gap of the batch is the natural choice);
        N, M, l_max: static truncation; mixing: static flag (default: sphere mixes polarisations);
        sign: +1 for a sphere reflecting -z -> +z, -1 for the mirrored sphere (sphere 2);
        l_window: static window width W of the l sum per element (:func:`window_width`; None: every l;
            "auto": a window per element, :func:`_adaptive_sum`, and elements whose bound times
            e^{-gap_share (kappa_i + kappa_j)} lies below AUTO_ATOL are set to 0);
        gap_share: static share of the gap applied to each side of this kernel in the round trip (1 for
            sphere–plane, 0.5 for sphere–sphere; gaps L >= length), only used by the "auto" pruning.
    Returns:
        (blocks, weights, kappa_length): m-blocks (n_m, 2N, 2N) (real for mixing=False after the
        diag(1, i) similarity, with m-weights; complex for all M blocks and weights None),
        and kappa_i * length, shape (N,).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.26)-(4.29); discretisation of Spreng et al., J. Chem. Phys. 153,
    024115 (2020).
    """
    xi = jnp.asarray(xi, dtype=jnp.float64)
    eps_m, mu_m = _medium_eps_mu(medium, xi)
    K = xi * jnp.sqrt(eps_m * mu_m) * length / _C
    kn, wn = nystrom_nodes(N)
    k, w = jnp.asarray(kn), jnp.asarray(wn)
    if mixing is None:
        mixing = _has_mixing(sphere)
    log_abs, phase = _mie_log(xi, R, sphere, medium, l_max)
    blocks, weights = _sphere_kernel(K, R / length, 0.0, k, w, M, log_abs, phase, bool(mixing), sign,
                                     l_window if l_window is None or isinstance(l_window, str) else int(l_window),
                                     float(gap_share))
    return blocks, weights, jnp.sqrt(k * k + K * K)


def _inner_map(fn, L, inner):
    """fn over the distances L (n,), vmapped in groups of ``inner`` (bounded memory)."""
    if inner is None or inner >= L.shape[0]:
        return jax.vmap(fn)(L)
    return jax.lax.map(fn, L, batch_size=int(inner))


def sphere_plane_log_det_batch(xi, L, R, sphere, plate, medium=None, *, N, M, l_max, length=None,
                               inner=None, fast=True, l_window=None):
    """log det(1 - M(i xi)) of the sphere–plane round trip for a batch of gaps sharing one kernel.

    M = R_plate E S E with S the distance-independent sphere kernel (:func:`sphere_kernel_imag`,
    nodes in units of ``length``), E = diag(e^{-kappa_i L}) and R_plate the plate's Fresnel matrix
    (:func:`plate_reflection_imag`: diagonal for isotropic plates, 2x2 per k with polarisation
    mixing for PEMC and bi-isotropic plates). With length = L this is exactly the single-distance
    discretisation of :func:`sphere_plane_log_det` (nodes in units of the gap);
    for L > length the same physical nodes are used (accuracy: see casimir_free_energy).
    Arguments:
        xi [rad/s] (> 0); L: gaps [m], shape (n,); R [m]; sphere, plate, medium: materials;
        N, M, l_max: static truncation; length: node scale [m] (default min(L));
        inner: static number of gaps vmapped together (memory bound; None: all);
        fast: static, True uses the permutation-free LU (same pivot numerics), False logdet.log_det_one_minus;
        l_window: static window of the sphere's l sum (:func:`window_width`; None: every l; "auto": a window
            per element, elements negligible for every gap L >= length set to 0, :func:`sphere_kernel_imag`).
    Returns:
        (n,) array of log det(1 - M).

    Source: the plane-wave round trip of Schoger, Dissertation (Augsburg 2024), Eqs. (8.6)-(8.9), discretised as in Spreng
    et al., J. Chem. Phys. 153, 024115 (2020).
    """
    xi = jnp.asarray(xi, dtype=jnp.float64)
    L = jnp.asarray(L, dtype=jnp.float64)
    length = jnp.min(L) if length is None else jnp.asarray(length, dtype=jnp.float64)
    plate_mixing = _has_mixing(plate)
    mixing = _has_mixing(sphere) or plate_mixing
    blocks, weights, kap = sphere_kernel_imag(xi, R, sphere, medium, length=length, N=N, M=M, l_max=l_max,
                                              mixing=mixing, sign=1.0, l_window=l_window, gap_share=1.0)
    kn, _ = nystrom_nodes(N)
    Rp = plate_reflection_imag(xi, jnp.asarray(kn) / length, plate, medium)      # (N, 2, 2)
    if plate_mixing:
        # rows (p, i): R_pq(k_i) acts on the outgoing polarisation of the sphere kernel
        b = blocks.reshape(-1, 2, N, 2 * N)
        blocks = jnp.einsum("ipq,mqic->mpic", Rp.astype(blocks.dtype), b).reshape(-1, 2 * N, 2 * N)
    else:
        # (for mixing spheres the similarity diag(1, i) commutes with the diagonal plate reflection)
        r = jnp.concatenate([Rp[:, 0, 0], Rp[:, 1, 1]]).real
        blocks = r[None, :, None] * blocks
    blocks_t = jnp.swapaxes(blocks, -1, -2)

    kap2 = jnp.concatenate([kap, kap])

    def one(Lj):
        if fast:
            # gap derivatives (force, force gradient) in closed form from one LU and one solve per block
            vals = log_det_one_minus_gap(blocks, blocks_t, kap2, Lj / length)
            return jnp.sum(vals) if weights is None else jnp.sum(weights * vals)
        e2 = jnp.exp(-kap2 * (Lj / length))
        return _sum_blocks(blocks * (e2[:, None] * e2[None, :]), weights)

    return _inner_map(one, L, inner)


def sphere_sphere_log_det_batch(xi, L, R1, R2, sphere1, sphere2, medium=None, *, N, M, l_max1, l_max2,
                                length=None, inner=None, fast=True, l_window1=None, l_window2=None):
    """log det(1 - M(i xi)) of the sphere–sphere round trip M = T R_2 T R_1 for a batch of gaps.

    The two sphere kernels (translation to their surfaces included) are distance independent; the
    gap enters as E = diag(e^{-kappa_i L/2}) on both sides of each: M = (E S_2 E)(E S_1 E) (the
    caspwn split of the gap).

    Arguments:
        as for :func:`sphere_plane_log_det_batch`, with radii R1, R2, materials sphere1, sphere2 and
        truncations l_max1, l_max2 (windows l_window1, l_window2, see :func:`window_width`).
    Returns:
        (n,) array of log det(1 - M).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.6)-(8.9).
    """
    xi = jnp.asarray(xi, dtype=jnp.float64)
    L = jnp.asarray(L, dtype=jnp.float64)
    length = jnp.min(L) if length is None else jnp.asarray(length, dtype=jnp.float64)
    mixing = _has_mixing(sphere1) or _has_mixing(sphere2)
    b1, weights, kap = sphere_kernel_imag(xi, R1, sphere1, medium, length=length, N=N, M=M, l_max=l_max1,
                                          mixing=mixing, sign=1.0, l_window=l_window1)
    b2, _, _ = sphere_kernel_imag(xi, R2, sphere2, medium, length=length, N=N, M=M, l_max=l_max2,
                                  mixing=mixing, sign=-1.0, l_window=l_window2)
    b1t, b2t = jnp.swapaxes(b1, -1, -2), jnp.swapaxes(b2, -1, -2)

    def one(Lj):
        e = jnp.exp(-kap * (0.5 * Lj / length))
        e2 = jnp.concatenate([e, e])
        scale = e2[:, None] * e2[None, :]
        mat = jnp.einsum("mij,mjk->mik", b2 * scale, b1 * scale)
        if fast:
            mat_t = jnp.einsum("mij,mjk->mik", b1t * scale, b2t * scale)
            return _sum_blocks_fast(mat, mat_t, weights)
        return _sum_blocks(mat, weights)

    return _inner_map(one, L, inner)


def sphere_plane_log_det(xi, L, R, sphere, plate, medium=None, *, N, M, l_max, l_window=None):
    """log det(1 - M(i xi)) of the sphere–plane round trip (dimensionless, < 0 when attractive).

    Arguments:
        xi: imaginary frequency [rad/s] (> 0; a tiny value gives the n = 0 limit).
        L: surface-to-surface distance [m]; R: sphere radius [m].
        sphere, plate: jaxem materials (the plate may be PEMC or bi-isotropic: 2x2 Fresnel matrix
            per k, :func:`plate_reflection_imag`); medium: host (vacuum if None).
        N, M, l_max: static truncation (see :func:`default_truncation`); l_window: static window of
            the l sum (:func:`window_width`; None: every l).
    Returns:
        float, sum_m log det(1 - M^(m)), nodes in units of L (:func:`sphere_plane_log_det_batch`
        with length = L).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.6)-(8.9).
    """
    L = jnp.asarray(L, dtype=jnp.float64)
    return sphere_plane_log_det_batch(xi, L[None], R, sphere, plate, medium, N=N, M=M, l_max=l_max,
                                      length=L, fast=False, l_window=l_window)[0]


def sphere_sphere_log_det(xi, L, R1, R2, sphere1, sphere2, medium=None, *, N, M, l_max1, l_max2,
                          l_window1=None, l_window2=None):
    """log det(1 - M(i xi)) of the sphere–sphere round trip M = T R_2 T R_1 (plane-wave basis).

    Each sphere kernel carries half of the gap: e^{-(kappa + kappa')(R_j + L/2)} (caspwn split).
    Arguments:
        xi [rad/s] (> 0), L [m] surface distance, R1, R2 [m] radii, sphere1, sphere2 materials,
        medium host (vacuum if None); N, M, l_max1, l_max2 static truncation; l_window1, l_window2
        static windows of the l sums (:func:`window_width`; None: every l).
    Returns:
        float, sum_m log det(1 - M^(m)); nodes in units of L.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.6)-(8.9).
    """
    L = jnp.asarray(L, dtype=jnp.float64)
    return sphere_sphere_log_det_batch(xi, L[None], R1, R2, sphere1, sphere2, medium, N=N, M=M,
                                       l_max1=l_max1, l_max2=l_max2, length=L, fast=False,
                                       l_window1=l_window1, l_window2=l_window2)[0]
