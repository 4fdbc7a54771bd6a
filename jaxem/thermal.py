"""Thermal sums over imaginary frequencies, for every caller (Casimir free energies, Casimir-Polder).

A free energy at temperature T is a primed sum over the Matsubara frequencies xi_n = 2 pi n k_B T/hbar,

    F = k_B T sum'_{n>=0} f(xi_n)   (n = 0 weighted 1/2),

and at T = 0 the integral (hbar/2 pi) int_0^inf dxi f(xi) (Lifshitz; Lambrecht, Neto & Reynaud, New J.
Phys. 8, 243 (2006), Eqs. 2-3).  This module gives each scheme once:

* Matsubara sums with a stopping rule for summands decaying like e^{-2 xi L/c}:
  n_max = ceil(log(1/rtol)/(2 tau)), tau = 2 pi k_B T L/(hbar c) (:func:`matsubara_count`);
* the Pade spectrum decomposition of the Bose function (Hu, Xu & Yan, J. Chem. Phys. 133, 101106
  (2010), [N-1/N]), which needs far fewer frequencies when 2 tau < 1 (:func:`psd_poles`,
  :func:`psd_count`: N = max(5, ceil((1 - 1.5 log10 rtol)/sqrt(2 tau))), the rule of Hartmann's
  plane-wave code, Phys. Rev. Lett. 119, 043901 (2017));
* Matsubara sums of summands decaying only algebraically (the dipole-dipole Casimir-Polder energy):
  N terms exactly plus the Euler-Maclaurin estimate of the tail (:func:`matsubara_sum`,
  :func:`matsubara_tail_nodes`);
* T = 0: xi = u c/(2L) on the one-sided exponential map u = exp(t - beta e^{-t}) with the
  trapezoidal rule in t (42 nodes; :func:`zero_temperature_nodes`), which resolves every material
  scale below c/L in log xi; measured accuracy in docs/accuracy.md;
* very low T (where the Matsubara count n_max ~ 1/T is huge): the T = 0 integral plus the low-temperature
  correction, a fixed number of nodes whatever T (:func:`low_temperature_nodes`).

Node counts are static Python ints fixed from concrete (T, L), so sweeps at a fixed count compile once.
"""
from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from jaxem._checks import check_int, check_positive
from jaxem._batching import batched_map
from jaxem.special.quadrature import exp_map_nodes, gauss_legendre, nystrom_nodes
from jaxem.constants import c as _C, hbar as _HBAR, k_B as _KB
from jaxem.constants import matsubara_frequency

__all__ = [
    "matsubara_frequency",
    "matsubara_sum",
    "matsubara_tail_nodes",
    "psd_poles",
    "matsubara_count",
    "psd_count",
    "derivative_rtol",
    "thermal_nodes",
    "thermal_sum",
    "zero_temperature_count",
    "zero_temperature_nodes",
    "zero_temperature_integral",
    "low_temperature_nodes",
    "low_temperature_count",
]


def _reduced_temperature(T, L):
    """tau = 2 pi k_B T L/(hbar c): the first Matsubara frequency in units of c/L."""
    return 2.0 * math.pi * _KB * float(T) * float(L) / (_HBAR * _C)


def derivative_rtol(rtol=1e-6, order=0):
    """The tail target of the energy's frequency rule that makes the order-th L-derivative meet ``rtol``.

    The n-th Matsubara term of the energy decays like e^{-u_n}, u_n = 2 xi_n L/c, and its k-th L-derivative like
    u_n^k e^{-u_n} (each d/dL brings a factor ~ 2 xi_n/c = u_n/L).  The energy's rule stops at u = log(1/rtol);
    the k-th derivative at u_k = log(1/rtol) + k log u_k (fixed point), i.e. at the energy's rule with
    rtol_k = rtol e^{-(u_k - log(1/rtol))}.

    Arguments:
        rtol: relative accuracy asked of the derivative (0 < rtol < 1).
        order: derivative order k (0: the energy, rtol itself).
    Returns:
        float, rtol_k <= rtol (e.g. 1e-6: 6.0e-8 for the force, 2.6e-9 for the force gradient).

    Source: derived here from the exponential decay of the Matsubara summand (Schoger, Dissertation (Augsburg
    2024), Eq. (2.25)); measured against runs with 40 frequencies in docs/accuracy.md ("Convergence of energy,
    force and force gradient").
    """
    order = check_int("order", order, minimum=0)
    check_positive("rtol", rtol)
    u0 = math.log(1.0 / rtol)
    u = u0
    for _ in range(50):
        u = u0 + order * math.log(max(u, 1.0))
    return rtol * math.exp(-(u - u0))


def matsubara_count(T, L, rtol=1e-6, order=0):
    """Number of positive Matsubara frequencies kept, n_max = ceil(log(1/rtol_k)/(2 tau)) (>= 1).

    Arguments: T [K] (> 0), L [m] (> 0, the smallest gap), rtol: relative tail target, order: L-derivative order
    the count is for (rtol_k = :func:`derivative_rtol`; 0: the energy, rtol_0 = rtol).
    """
    check_positive("T", T)
    check_positive("L", L)
    tau = _reduced_temperature(T, L)
    return max(1, int(math.ceil(math.log(1.0 / derivative_rtol(rtol, order)) / (2.0 * tau))))


def psd_count(T, L, rtol=1e-6, order=0):
    """Number of Pade poles N = max(5, ceil((1 - 1.5 log10 rtol_k)/sqrt(2 tau))) (caspwn rule; rtol_k =
    :func:`derivative_rtol` for the order-th L-derivative, rtol itself for the energy)."""
    check_positive("T", T)
    check_positive("L", L)
    tau = _reduced_temperature(T, L)
    rtol = derivative_rtol(rtol, order)
    return max(5, int(math.ceil((1.0 - 1.5 * math.log10(rtol)) / math.sqrt(2.0 * tau))))


def _tridiagonal_eigs(size: int, shift: int):
    j = np.arange(1, size)
    off = 1.0 / np.sqrt((2 * j - 1 + shift) * (2 * j + 1 + shift))
    mat = np.diag(off, 1) + np.diag(off, -1)
    ev = np.linalg.eigvalsh(mat)
    ev = ev[ev > 0]
    return np.sort(2.0 / ev)


@functools.lru_cache(maxsize=None)
def psd_poles(order: int):
    """Poles zeta_j and residues eta_j of the [N-1/N] Pade decomposition of the Bose function.

    1/(1 - e^{-x}) ~ 1/x + 1/2 + sum_{j=1}^{N} 2 eta_j x/(x^2 + zeta_j^2) (Hu, Xu, Yan 2010).
    Arguments:
        order: N (static int >= 1).
    Returns:
        (zeta, eta): float64 numpy arrays, shape (N,); zeta_j ~ 2 pi j for small j.
    """
    n = check_int("order", order, minimum=1)
    zeta = _tridiagonal_eigs(2 * n, 2)[:n]
    if n == 1:
        chi = np.zeros(0)
    else:
        chi = _tridiagonal_eigs(2 * n - 1, 4)[:n - 1]
    pref = 0.5 * n * (2 * n + 3)
    eta = np.empty(n)
    for j in range(n):
        t = pref
        for k in range(n - 1):
            t *= (chi[k] ** 2 - zeta[j] ** 2) / (zeta[k] ** 2 - zeta[j] ** 2 + (1.0 if j == k else 0.0))
        t /= zeta[n - 1] ** 2 - zeta[j] ** 2 + (1.0 if j == n - 1 else 0.0)
        eta[j] = t
    zeta.flags.writeable = False
    eta.flags.writeable = False
    return zeta, eta


def thermal_nodes(T, n_terms, method="matsubara", length=None, t0_rule=(None, None)):
    """Positive frequencies xi_j [rad/s] and weights w_j of the thermal sum (traceable in T).

    Arguments:
        T: temperature [K] (> 0; may be a tracer).
        n_terms: static number of nodes (see :func:`matsubara_count`, :func:`psd_count`); for
            "low_temperature" the number of Matsubara terms summed exactly (:func:`low_temperature_nodes`).
        method: "matsubara", "psd" or "low_temperature".
        length: the gap L [m] (only "low_temperature": scale of its T = 0 nodes; may be traced).
        t0_rule: (n_nodes, step) of the T = 0 rule used by "low_temperature" (:func:`zero_temperature_nodes`).
    Returns:
        (xi, w): arrays of shape (n_terms,).
    """
    if method == "matsubara":
        zeta = 2.0 * np.pi * np.arange(1, n_terms + 1)
        eta = np.ones(n_terms)
    elif method == "psd":
        zeta, eta = psd_poles(n_terms)
    elif method == "low_temperature":
        if length is None:
            raise ValueError("length: the low-temperature method needs the gap L (its T = 0 nodes scale with c/L)")
        return low_temperature_nodes(T, length, n_terms, *t0_rule)
    else:
        raise ValueError(f"method must be 'matsubara', 'psd' or 'low_temperature', got {method!r}")
    scale = _KB * jnp.asarray(T, dtype=jnp.float64) / _HBAR
    return jnp.asarray(zeta) * scale, jnp.asarray(eta)


def thermal_sum(f, T, n_terms, method="matsubara", static_xi=None, static_weight=0.5, bytes_per_item=2**20,
                length=None, t0_rule=(None, None)):
    """Free energy k_B T [ f(0)/2 + sum_j w_j f(xi_j) ] [J] (Schoger, Dissertation (Augsburg 2024), Eq. (2.25)); f is mapped sequentially.

    Arguments:
        f: xi [rad/s] -> float (traceable; evaluated with lax.map, one frequency at a time on CPU and
            :func:`jaxem._batching.auto_batch_size` frequencies vmapped together on accelerators; f is
            traced once).
        T: temperature [K] (> 0, may be traced).
        n_terms, method: see :func:`thermal_nodes`.
        static_xi: the (tiny) frequency standing in for the n = 0 term, evaluated in the same map;
            None drops the n = 0 term.
        static_weight: weight of the n = 0 term (1/2 by the Matsubara prime; 0 drops it).
        bytes_per_item: working set [bytes] of one call of f (static estimate for the batch size).
        length, t0_rule: see :func:`thermal_nodes` (method "low_temperature" only).
    Returns:
        free energy [J].

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (2.25); Pade decomposition: Hu, Xu & Yan, J. Chem. Phys. 133,
    101106 (2010).
    """
    xi, w = thermal_nodes(T, n_terms, method, length, t0_rule)
    if static_xi is not None:
        xi = jnp.concatenate([jnp.reshape(jnp.asarray(static_xi, jnp.float64), (1,)), xi])
        w = jnp.concatenate([jnp.full((1,), static_weight), w])
    vals = batched_map(f, xi, bytes_per_item)
    return _KB * T * jnp.sum(w * vals)


#: T = 0 rule: step h in t, map parameter beta, range of u = 2 xi L/c (special.quadrature.exp_map_nodes)
T0_STEP = 0.2
T0_BETA = 0.3
T0_U_MIN = 1e-9
T0_U_MAX = 60.0


def zero_temperature_count(n_nodes=None, step=None):
    """Number of xi-nodes of the T = 0 rule chosen by (n_nodes, step) (see zero_temperature_nodes)."""
    if n_nodes is not None and step is None:
        return check_int("n_nodes", n_nodes, minimum=1)
    return exp_map_nodes(T0_STEP if step is None else float(step), T0_BETA, T0_U_MIN, T0_U_MAX)[0].size


def zero_temperature_nodes(L, n_nodes=None, step=None):
    """Nodes xi_j [rad/s] and weights [rad/s] for int_0^inf dxi f(xi), f ~ e^{-2 xi L/c}.

    Arguments:
        L: the length setting the decay (surface distance; the smallest gap of a batch) [m] (may be
            traced).
        n_nodes: None (default): the exp-map rule (42 nodes at the default step). An int n: the
            previous Nystrom (cot^2) rule with n nodes (kept for reproducibility; accurate for
            perfect conductors only).
        step: step of the exp-map rule (default T0_STEP = 0.2; smaller is more accurate, nodes ~
            8.3/step). Giving it selects the exp-map rule even when n_nodes is given.
    Returns:
        (xi, w) arrays of shape (n,).
    """
    if n_nodes is not None and step is None:
        u, wu = nystrom_nodes(check_int("n_nodes", n_nodes, minimum=1))
    else:
        u, wu = exp_map_nodes(T0_STEP if step is None else float(step), T0_BETA, T0_U_MIN, T0_U_MAX)
    scale = 0.5 * _C / jnp.asarray(L, dtype=jnp.float64)
    return jnp.asarray(u) * scale, jnp.asarray(wu) * scale


def zero_temperature_integral(f, L, n_nodes=None, step=None, bytes_per_item=2**20):
    """Zero-temperature energy (hbar/2pi) int_0^inf dxi f(xi) [J], f mapped sequentially.

    Arguments:
        f: xi [rad/s] -> float (traceable).
        L, n_nodes, step: as for :func:`zero_temperature_nodes` (default: the exp-map rule, 42 nodes).
        bytes_per_item: working set [bytes] of one call of f (static estimate for the batch size of the
            map over nodes, :func:`jaxem._batching.auto_batch_size`).
    Returns:
        energy [J].

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (2.26).
    """
    xi, w = zero_temperature_nodes(L, n_nodes, step)
    vals = batched_map(f, xi, bytes_per_item)
    return _HBAR / (2.0 * jnp.pi) * jnp.sum(w * vals)


# ---------------------------------------------------------------------------------------------------------
# very low temperature: the T = 0 integral plus the low-temperature correction (cost independent of T)

#: Matsubara terms summed exactly by the low-temperature method (n = 1..LOW_T_EXACT - 1, n_0 = LOW_T_EXACT)
LOW_T_EXACT = 32
#: Gregory end corrections of the trapezoidal (Matsubara) sum: coefficients of the forward differences
#: Delta^k f at n_0, k = 1..4 (sum_{n>=n0}' f_n = (1/h) int + sum_k c_k Delta^k f_{n0})
_GREGORY = (-1.0 / 12.0, 1.0 / 24.0, -19.0 / 720.0, 3.0 / 160.0)
#: Gauss-Legendre panels of int_0^{xi_n0} in s = sqrt(xi/xi_n0): geometric in s down to 2^-_LOW_T_PANELS
_LOW_T_PANELS = 7
_LOW_T_PANEL_NODES = 6


@functools.lru_cache(maxsize=None)
def _low_temperature_static(n_exact: int):
    """Static parts of :func:`low_temperature_nodes`: Matsubara indices and weights, the s-nodes in [0, 1]
    and weights 2 s w_s of int_0^1 dx (x = s^2)."""
    c = _GREGORY
    gregory = np.array([-c[0] + c[1] - c[2] + c[3], c[0] - 2 * c[1] + 3 * c[2] - 4 * c[3],
                        c[1] - 3 * c[2] + 6 * c[3], c[2] - 4 * c[3], c[3]])
    n = np.arange(1, n_exact + 5, dtype=np.float64)
    wn = np.ones(n.size)
    wn[n_exact - 1:] = 0.0
    wn[n_exact - 1:] += gregory
    wn[n_exact - 1] += 0.5                      # f_{n0}/2 closing the exact part (the tail's is in the correction)
    edges = np.concatenate([[0.0], 2.0 ** -np.arange(_LOW_T_PANELS, -1, -1)])
    x, w = gauss_legendre(_LOW_T_PANEL_NODES)
    lo, hi = edges[:-1, None], edges[1:, None]
    s = (lo + 0.5 * (hi - lo) * (x + 1.0)).reshape(-1)
    ws = (0.5 * (hi - lo) * w).reshape(-1)
    return n, wn, s * s, 2.0 * s * ws


def low_temperature_count(n_exact: int = LOW_T_EXACT, n_nodes=None, step=None) -> int:
    """Number of frequencies of :func:`low_temperature_nodes` (the same at every temperature).

    Arguments:
        n_exact: Matsubara terms summed exactly (static int >= 2).
        n_nodes, step: the T = 0 rule (see :func:`zero_temperature_nodes`).
    Returns:
        int (126 with the defaults: 36 Matsubara frequencies, 48 + 42 quadrature nodes).

    Source: no formula (node bookkeeping of :func:`low_temperature_nodes`).
    """
    n, _, x, _ = _low_temperature_static(check_int("n_exact", n_exact, minimum=2))
    return n.size + x.size + zero_temperature_count(n_nodes, step)


def low_temperature_nodes(T, L, n_exact: int = LOW_T_EXACT, n_nodes=None, step=None):
    """Positive frequencies xi_j [rad/s] and weights w_j with sum'_{n>=0} f(xi_n) = f(0)/2 + sum_j w_j f(xi_j), at a
    cost independent of T: the T = 0 integral plus the low-temperature correction.

    With h = 2 pi k_B T/hbar and n_0 = n_exact, split the primed Matsubara sum at n_0 and write its tail with
    the trapezoidal rule's end correction (Gregory's form of Euler-Maclaurin, forward differences up to
    Delta^4 at n_0):

        sum'_{n>=0} f_n = f_0/2 + sum_{n=1}^{n_0-1} f_n + f_{n_0}/2 + (1/h) [int_0^inf f - int_0^{xi_{n_0}} f]
                          + sum_{k=1}^{4} c_k Delta^k f_{n_0},   c = (-1/12, 1/24, -19/720, 3/160),

    so F(T) = k_B T sum' f = E(0) + (the low-T correction), E(0) = (hbar/2 pi) int_0^inf f (the T = 0 rule of
    :func:`zero_temperature_nodes`, weights / h).  The terms near xi = 0, where f may be non-analytic (a Drude
    metal's sqrt(xi) and its TE jump f(0) != f(0+), the xi^2 log xi of the continuum), are summed exactly and
    int_0^{xi_{n_0}} f is done on geometric Gauss-Legendre panels in s = sqrt(xi/xi_{n_0}); the end correction
    is taken at xi_{n_0}, where f is smooth on the scale h, so its error falls like n_0^-5.  Weights of the
    n = 0 term are not included (the caller's static term, weight 1/2).

    Arguments:
        T: temperature [K] (> 0; may be a tracer).
        L: the gap [m] setting the T = 0 nodes (may be a tracer).
        n_exact: n_0 (static int >= 2, default LOW_T_EXACT = 32).
        n_nodes, step: the T = 0 rule (see :func:`zero_temperature_nodes`).
    Returns:
        (xi, w): arrays of shape (:func:`low_temperature_count`,) [rad/s] and dimensionless.

    Source: the Euler-Maclaurin formula in Gregory's form (e.g. Abramowitz & Stegun, Handbook of Mathematical
    Functions, Eq. 25.4.7 (trapezoidal rule), and F. B. Hildebrand, Introduction to Numerical Analysis, 2nd ed.
    (1974), Sec. 5.9 (Gregory's formula)) applied to the Matsubara sum of Schoger, Dissertation (Augsburg 2024),
    Eq. (2.25), with its T = 0 limit Eq. (2.26); the split at n_0 is derived here and checked against the
    Matsubara sum in tests/test_size_guards.py.
    """
    n, wn, x, wx = _low_temperature_static(check_int("n_exact", n_exact, minimum=2))
    h = 2.0 * jnp.pi * _KB * jnp.asarray(T, dtype=jnp.float64) / _HBAR
    xi0, w0 = zero_temperature_nodes(L, n_nodes, step)
    xi = jnp.concatenate([h * jnp.asarray(n), (h * n_exact) * jnp.asarray(x), xi0])
    w = jnp.concatenate([jnp.asarray(wn), -n_exact * jnp.asarray(wx) * jnp.ones_like(h), w0 / h])
    return xi, w


# ---------------------------------------------------------------------------------------------------------
# Matsubara sums of algebraically decaying summands: N terms + Euler-Maclaurin tail

#: Gauss-Legendre nodes in ln xi for the tail integral, and the decades it spans above xi_N
TAIL_NODES = 128
TAIL_DECADES = 7.0


def matsubara_tail_nodes(xi_1, n_terms: int):
    """Nodes and weights of a primed Matsubara sum with an Euler-Maclaurin tail.

    sum'_{n>=0} f(n xi_1) ~ sum_j w_j f(xi_j) - (xi_1/12) f'(xi_N), xi_N = n_terms xi_1 = xi[-1]:
    the terms n < n_terms exactly (n = 0 weighted 1/2), the remainder by (1/xi_1) int_{xi_N}^inf f
    + f(xi_N)/2 - (xi_1/12) f'(xi_N) with the integral on TAIL_NODES Gauss-Legendre nodes in ln xi over
    TAIL_DECADES decades (the summand must decay at least like xi^-2).
    Arguments:
        xi_1: first Matsubara frequency [rad/s] (> 0; any shape, may be traced).
        n_terms: static int >= 1.
    Returns:
        (xi, w): shape xi_1.shape + (n_terms + TAIL_NODES + 1,) [rad/s] and dimensionless.
    """
    xi_1 = jnp.asarray(xi_1, jnp.float64)[..., None]
    n = jnp.arange(n_terms, dtype=jnp.float64)
    x_gl, w_gl = gauss_legendre(TAIL_NODES)
    span = TAIL_DECADES * np.log(10.0)
    s = jnp.asarray(0.5 * span * (x_gl + 1.0))
    xi_n = xi_1 * n_terms
    xi_tail = xi_n * jnp.exp(s)
    xi = jnp.concatenate([xi_1 * n, xi_tail, xi_n], axis=-1)
    shape = xi_tail.shape[:-1]
    w = jnp.concatenate([jnp.broadcast_to(jnp.where(n == 0, 0.5, 1.0), shape + n.shape),
                         jnp.asarray(0.5 * span * w_gl) * xi_tail / xi_1,
                         jnp.full(shape + (1,), 0.5)], axis=-1)
    return xi, w


def matsubara_sum(f, xi_1, n_terms: int):
    """Primed Matsubara sum sum'_{n>=0} f(n xi_1) (n = 0 weighted 1/2) with an Euler-Maclaurin tail.

    Arguments:
        f: maps imaginary frequencies xi [rad/s] of shape xi_1.shape + (m,) to values of that shape;
            must decay at least like xi^-2.
        xi_1: first Matsubara frequency [rad/s] (> 0, any shape).
        n_terms: static int, terms summed exactly (see :func:`matsubara_tail_nodes`).
    Returns:
        array of shape xi_1.shape (multiply by k_B T for an energy).
    """
    xi, w = matsubara_tail_nodes(xi_1, n_terms)
    xi_n = xi[..., -1:]
    _, df_n = jax.jvp(f, (xi_n,), (jnp.ones_like(xi_n),))
    return jnp.sum(w * f(xi), axis=-1) - jnp.asarray(xi_1, jnp.float64) * df_n[..., 0] / 12.0
