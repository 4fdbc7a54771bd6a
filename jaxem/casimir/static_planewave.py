"""Zero-frequency (n = 0) Casimir round trip in the plane-wave basis: fast at large R/L.

At xi = 0 the plane-wave matrix element of a sphere is exact and needs no multipole sum for the
important materials (Schoger, Dissertation (Augsburg 2024), Eqs. (9.4)-(9.7), the xi -> 0 limit (4.59)-(4.60)
of the sphere amplitudes):

    <k_i, p_i| R |k_j, p_j> = (2 pi R / k_i) sum_l X_{p_i p_j}(l) chi^{2l} / (2l)!,
    chi = 2 R sqrt(k_i k_j) cos((phi_i - phi_j)/2),   kappa = k,

and at K = 0 the polarisation-conversion coefficients of Schoger Eq. (4.29) are A = 1,
B = C = D = 0 (the K^2 and K terms vanish; A's numerator and denominator both equal
k_i^2 k_j^2 (1 + cos phi)^2), so polarisations mix only through X itself.  Every static X(l) used
here is a combination of four scalar "basis" sums S_b(chi) = sum_l f_b(l) chi^{2l}/(2l)!:

    'dv'  f = 1 (l >= 1)            S = cosh chi - 1                        (Drude/PEC TM, 9.6)
    'de'  f = -l/(l+1)              S = -[cosh chi - 2 sinh chi/chi + 2 (cosh chi - 1)/chi^2]  (9.7)
    'dir' f = 1 (l >= 0)            S = cosh chi                            (Dirichlet scalar)
    'rat' f = l/(l+a), 0 < a        S = (cosh chi - 1) - a h_a(chi),
          h_a(chi) = sum_{l>=1} chi^{2l}/((l+a)(2l)!) = 2 int_0^1 x^{2a-1} (cosh(chi x) - 1) dx
          (from 1/(l+a) = int_0^1 t^{l+a-1} dt, t = x^2); a dielectric sphere is
          X_TM = c l/(l+a), c = (e-1)/(e+1), a = 1/(e+1), e = eps_s/eps_m (Eq. 4.57).
    PEC: X = diag(f_dv, f_de); PEMC(theta): X = D(theta) diag(f_dv, f_de) D(theta)^T (4.55)-(4.56).

A plasma sphere (TM: 'dv') has a TE coefficient f(l) = -q w h_l/(2l + 1 + w h_l), h_l a ratio of
modified Bessel functions of w = omega_p R/c, with no closed-form sum: the basis ('plasma', chi_cap)
sums it exactly at Chebyshev nodes (panels in log sqrt chi; each node over its Poisson window of l)
and interpolates (:func:`_plasma_scaled`; measured accuracy: docs/accuracy.md).

X(l) = sum_b C_b f_b(l) with constant 2x2 matrices C_b, so the kernel is sum_b C_b (x) K_b.

Discretisation (lengths in units of L, k in 1/L): Nystrom nodes k_i, weights w_i of
``jaxem.special.nystrom_nodes`` (k = cot^2(t/2), Fejer 2 in cos t), M (odd) equispaced azimuths.  The
round trip is symmetrised with sqrt(k_i w_i / k_j w_j) and the 2 pi R/k_i cancels the measure
k dk dphi/(2 pi)^2, so one sphere's element is

    K_b(i, j; phi) = (rho/M) sqrt(w_i w_j) exp(chi - (k_i + k_j)(rho + s)) [e^{-chi} S_b(chi)],

rho = R/L, s = 1 (sphere--plane: centre-to-plane distance L + R) or s = 1/2 (sphere--sphere, each
sphere carries half of the gap).  chi - (k_i + k_j)(rho + s) <= -(k_i + k_j) s, and every
e^{-chi} S_b is evaluated in scaled form (expm1 / a Taylor series where the closed form cancels),
so nothing overflows at R/L = 10^4.  The kernel depends on cos(phi_i - phi_j) only: a cosine
transform over the azimuth gives real m-blocks (N x N per polarisation), block -m = block m.

    sphere--plane:  M^(m) = (R_plane(k) (x) 1) K^(m),   sphere--sphere: M^(m) = K_2^(m) K_1^(m),
    F/(k_B T) = (1/2) sum_m log det(1 - M^(m)) (weights 1 for m = 0, 2 for m >= 1),

per polarisation channel when nothing mixes (one N x N determinant per channel and m), as
2N x 2N blocks for PEMC.  The plane reflects with the static Fresnel matrix of
``jaxem.mie.plates.static_plane_reflection``; a plasma plane's TE coefficient is k-dependent at
xi = 0, r_TE(k) = (k - sqrt(k^2 + w^2))/(k + sqrt(k^2 + w^2)) = -w^2/(k + sqrt(k^2 + w^2))^2,
w = omega_p L / c (TM: 1), which this basis handles exactly.

PEMC bodies: :func:`pemc_duality_sweep` evaluates many delta = theta_1 - theta_2 at once,
computing the Dv / de kernels (and their products) once per geometry and rotating them per delta.

Cost: O(N^2 M) kernel evaluations and (M+1)/2 factorisations of size N per channel (2N with
mixing): Cholesky of the symmetric similar form for sphere--plane without mixing, LU otherwise;
N, M ~ sqrt(R/L) (see :func:`ht_planewave_truncation`), against O(m_max l_max^3), l_max ~ R/L, of the
multipole engine.

Which basis terms describe each material, and the call of these kernels, are in
:mod:`jaxem.casimir.static_planewave_driver`; the route is chosen in :mod:`jaxem.casimir.zero_frequency`.

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024) (cited as "Schoger"), Eqs. (9.3)-(9.7) (zero-frequency plane-wave round trip),
(4.29) at K = 0, (4.55)-(4.57) (static X(l)) and (11.29) (PEMC static reflection).  The 'rat' and tabulated
sums, the scaled forms, the m-block discretisation and the duality-angle factorisation are derived here;
checked in tests/test_casimir_ht_planewave.py (against mpmath and the static multipole engine).
"""
from __future__ import annotations

import functools
import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from jaxem._batching import batched_map
from jaxem.casimir.logdet import log_det_one_minus, round_trip_traces
from jaxem.special.quadrature import nystrom_nodes
from jaxem.geometry import is_plane
from jaxem.mie.plates import plasma_plane_te_reflection

__all__ = [
    "BASIS_SUMS",
    "scaled_basis_sum",
    "ht_planewave_truncation",
    "planewave_ht_core",
    "pemc_duality_sweep",
    "plasma_sphere_te_coefficients",
    "tabulated_l_max",
]

#: the scalar l-sums available in closed form (see the module docstring); a plasma sphere's TE sum is
#: the tabulated basis ("plasma", chi_cap)
BASIS_SUMS = ("dv", "de", "dir", "rat")

# ----------------------------------------------------------------------------------------------
# scaled basis sums e^{-chi} S_b(chi)

_DE_SWITCH = 2.0       # Taylor series of the 'de' sum below this chi (closed form cancels)
_DE_TERMS = 16         # chi^{2l}/(2l)! at chi = 2, l = 16: 3e-26
_RAT_SWITCH = 30.0     # 'rat': power series below, graded quadrature above
_RAT_TERMS = 64        # 30^{2l}/(2l)! e^{-30} at l = 64: < 1e-30
# graded Gauss-Legendre panels in y = chi (1 - x) (the decay variable of the integrand e^{-y})
_RAT_PANELS = (0.0, 0.5, 1.25, 2.25, 3.5, 5.0, 7.0, 9.5, 12.5, 16.0, 20.0, 25.0, 31.0, 38.0, 46.0)
_RAT_NODES = 10


@functools.lru_cache(maxsize=None)
def _rat_quadrature():
    x, w = np.polynomial.legendre.leggauss(_RAT_NODES)
    lo = np.asarray(_RAT_PANELS[:-1])
    hi = np.asarray(_RAT_PANELS[1:])
    return lo, hi, 0.5 * (x + 1.0), 0.5 * w


def _inv_factorial_even(n_terms):
    l = np.arange(1, n_terms + 1)
    from scipy.special import gammaln
    return l.astype(float), np.exp(-gammaln(2 * l + 1.0))


def _horner(coeffs, u):
    """sum_{l=1}^{n} coeffs[l-1] u^l (coeffs traced or static)."""
    acc = jnp.zeros_like(u)
    for i in range(coeffs.shape[0] - 1, -1, -1):
        acc = (acc + coeffs[i]) * u
    return acc


def _dv_scaled(chi):
    """e^{-chi} (cosh chi - 1) = (1 - e^{-chi})^2 / 2, exact for all chi >= 0."""
    return 0.5 * jnp.expm1(-chi) ** 2


def _dir_scaled(chi):
    """e^{-chi} cosh chi."""
    return 0.5 * (1.0 + jnp.exp(-2.0 * chi))


def _de_scaled(chi):
    """e^{-chi} sum_{l>=1} (-l/(l+1)) chi^{2l}/(2l)! (Eq. 9.7), Taylor series for small chi."""
    small = chi < _DE_SWITCH
    cs = jnp.where(small, chi, 0.0)
    l, inv_f = _inv_factorial_even(_DE_TERMS)
    series = -_horner(jnp.asarray(l / (l + 1.0) * inv_f), cs * cs) * jnp.exp(-cs)
    cb = jnp.where(small, _DE_SWITCH, chi)
    e2 = jnp.exp(-2.0 * cb)
    closed = -(0.5 * (1.0 + e2) - (1.0 - e2) / cb + jnp.expm1(-cb) ** 2 / (cb * cb))
    return jnp.where(small, series, closed)


def _rat_scaled(chi, a):
    """e^{-chi} sum_{l>=1} l/(l+a) chi^{2l}/(2l)!, a > 0 (dielectric sphere, Eq. 4.57).

    chi < 30: power series (all terms positive); chi >= 30: (cosh chi - 1) e^{-chi} - a h_a with
    h_a e^{-chi} = (2/chi) int_0^chi (1 - y/chi)^{2a-1} [(e^{-y} + e^{y-2chi})/2 - e^{-chi}] dy on
    graded Gauss-Legendre panels (y > 46 contributes < e^{-46} relative).
    """
    a = jnp.asarray(a, dtype=jnp.float64)
    small = chi < _RAT_SWITCH
    cs = jnp.where(small, chi, 0.0)
    l, inv_f = _inv_factorial_even(_RAT_TERMS)
    coeffs = jnp.asarray(l * inv_f) / (jnp.asarray(l) + a)
    series = _horner(coeffs, cs * cs) * jnp.exp(-cs)
    cb = jnp.where(small, _RAT_SWITCH, chi)[..., None, None]
    lo, hi, x, w = _rat_quadrature()
    lo_c = jnp.minimum(jnp.asarray(lo)[:, None], cb)
    hi_c = jnp.minimum(jnp.asarray(hi)[:, None], cb)
    width = hi_c - lo_c
    y = lo_c + width * jnp.asarray(x)[None, :]
    frac = jnp.clip(y / cb, 0.0, 1.0 - 1e-16)
    integrand = jnp.exp((2.0 * a - 1.0) * jnp.log1p(-frac)) * (
        0.5 * (jnp.exp(-y) + jnp.exp(y - 2.0 * cb)) - jnp.exp(-cb))
    h = (2.0 / cb[..., 0, 0]) * jnp.sum(width * jnp.asarray(w)[None, :] * integrand, axis=(-2, -1))
    large = _dv_scaled(cb[..., 0, 0]) - a * h
    return jnp.where(small, series, large)


# 'plasma' (TE of a plasma sphere, no closed form): series below _RAT_SWITCH, above it piecewise
# Chebyshev interpolation in log sqrt(chi) of exact windowed l-sums at the nodes
_PLASMA_PANEL = 0.2     # panel width in log u (geometric panels: the sums vary on scale ~ u)
_PLASMA_NODES = 16      # Chebyshev nodes per panel (measured interpolation error <~ 1e-12)
_PLASMA_SIGMAS = 9.0    # the l-window at a node: chi/2 +- 4.5 sqrt(chi) (Poisson weights in 2l)


def plasma_sphere_te_coefficients(w, l_max: int):
    """Static TE coefficient of a plasma sphere, f(l) = X_TE(l) (dimensionless), l = 1..l_max.

    f(l) = -q w h_l / (2l + 1 + w h_l), q = l/(l+1), h_l = I_{l+3/2}(w)/I_{l+1/2}(w), w = omega_p R/c
    (the xi -> 0 limit of the TE Mie coefficient, as jaxem.mie.static; -> -q (PEC) as w -> inf,
    -> 0 (Drude) as w -> 0), with h_l from :func:`jaxem.special.modified.log_modified_bessel_i`.

    Arguments:
        w: omega_p R / c > 0 (dimensionless; may be traced).
        l_max: number of coefficients (static int).
    Returns:
        float64 array (l_max,): f(1), ..., f(l_max).

    Source: the xi -> 0 limit of the TE Mie coefficient at imaginary frequency (Schoger, Dissertation
    (Augsburg 2024), Eqs. (4.11)-(4.15)) for eps = omega_p^2/xi^2, derived here; checked against mpmath in
    tests/test_casimir_ht_planewave.py.
    """
    from jaxem.special.modified import log_modified_bessel_i

    w = jnp.asarray(w, dtype=jnp.float64)
    log_i = log_modified_bessel_i(w, l_max + 1)                 # l = 0..l_max+1
    h = jnp.exp(log_i[2:] - log_i[1:-1])                         # I_{l+3/2}/I_{l+1/2}, l = 1..l_max
    l = jnp.arange(1, l_max + 1, dtype=jnp.float64)
    q = l / (l + 1.0)
    return -q * w * h / (2.0 * l + 1.0 + w * h)


def _log_even_poisson(l, chi):
    """log(e^{-chi} chi^{2l}/(2l)!) for integer l >= 1, chi > 0, in numpy long double (static tables).

    The three terms are ~1e6 at chi ~ 1e5 and cancel: float64 would leave ~1e-10 absolute error in the
    log, long double (x86: 64-bit mantissa) ~1e-13.  (2l)! by Stirling's series for 2l >= 20.
    """
    n = (2 * np.asarray(l)).astype(np.longdouble)
    chi = np.asarray(chi).astype(np.longdouble)
    big = n >= 20
    nb = np.where(big, n, np.longdouble(20))
    half_log_2pi = np.longdouble(0.91893853320467274178032973640561764)
    stirling = ((nb + np.longdouble(0.5)) * np.log(nb) - nb + half_log_2pi + 1 / (12 * nb) - 1 / (360 * nb ** 3)
                + 1 / (1260 * nb ** 5) - 1 / (1680 * nb ** 7))
    small_tab = np.array([math.lgamma(k + 1.0) for k in range(20)], dtype=np.longdouble)
    lfact = np.where(big, stirling, small_tab[np.minimum(n, 19).astype(np.int64)])
    return np.asarray(n * np.log(chi) - lfact - chi, dtype=np.float64)


@functools.lru_cache(maxsize=None)
def _plasma_tables(chi_cap: float):
    """Static layout of a tabulated sum ('plasma', 'tab'): panel nodes in log u (u = sqrt chi), their
    l-windows and long-double Poisson weights, the node-values -> Chebyshev-coefficients transform."""
    v0 = math.log(math.sqrt(_RAT_SWITCH) - 0.5)
    n_panels = max(1, int(math.ceil((0.5 * math.log(chi_cap) - v0) / _PLASMA_PANEL)) + 1)
    n = _PLASMA_NODES
    x = np.cos(np.pi * (2 * np.arange(n) + 1) / (2 * n))             # first-kind Chebyshev nodes
    a = v0 + _PLASMA_PANEL * np.arange(n_panels)
    v = a[:, None] + 0.5 * _PLASMA_PANEL * (x[None, :] + 1.0)          # (P, n), v = log u
    chi = np.exp(2.0 * v).ravel()
    width = int(math.ceil(_PLASMA_SIGMAS * math.sqrt(chi.max()))) + 40
    start = np.maximum(1, np.floor(chi / 2 - 0.5 * _PLASMA_SIGMAS * np.sqrt(chi)) - 5).astype(np.int64)
    l_max = int(start.max()) + width
    # node values -> Chebyshev coefficients: c_k = (2 - [k=0])/n sum_j v_j T_k(x_j)
    T = np.cos(np.outer(np.arange(n), np.arccos(x)))                   # (k, j)
    to_coef = (np.where(np.arange(n) == 0, 1.0, 2.0)[:, None] / n) * T
    idx = start[:, None] + np.arange(width)[None, :]                   # (n_nodes, width), l values
    valid = idx <= l_max
    idx = np.minimum(idx, l_max)
    logp = _log_even_poisson(idx, chi[:, None])
    weights = np.where(valid & (logp > -745.0), np.exp(np.maximum(logp, -745.0)), 0.0)
    return v0, n_panels, idx, weights, l_max, to_coef


def tabulated_l_max(chi_cap: float) -> int:
    """Length l_max of the coefficient vector f(1..l_max) a tabulated basis sum with this chi_cap reads.

    Arguments:
        chi_cap: largest kernel argument chi (dimensionless) the table covers.
    Returns:
        Python int l_max.

    Source: no formula (the l-windows of the tabulated sums, see :func:`scaled_basis_sum`).
    """
    return max(_plasma_tables(float(chi_cap))[4], _RAT_TERMS)


def _plasma_scaled(chi, w, chi_cap: float):
    """e^{-chi} sum_{l>=1} f(l) chi^{2l}/(2l)! with f of :func:`plasma_sphere_te_coefficients`."""
    return _tabulated_scaled(chi, plasma_sphere_te_coefficients(w, tabulated_l_max(chi_cap)), chi_cap)


def _tabulated_scaled(chi, f, chi_cap: float):
    """e^{-chi} sum_{l>=1} f(l) chi^{2l}/(2l)! for any coefficients f(1..l_max) (real or complex,
    smooth in l; l_max = :func:`tabulated_l_max`).

    chi < 30: power series (64 terms).  30 <= chi <= chi_cap: per panel (width 0.2 in log sqrt chi)
    a 16-term Chebyshev series of the exact sums at the panel's nodes, each summed over its window
    chi/2 +- 4.5 sqrt(chi) of l (Poisson weights in 2l: outside < 1e-17).  chi > chi_cap is clamped:
    the kernel weight exp(chi - (k_i + k_j)(rho + s)) <= e^{-50} there
    (jaxem.casimir.static_planewave_driver._plasma_chi_cap).
    """
    v0, n_panels, idx, weights, l_max, to_coef = _plasma_tables(float(chi_cap))
    # series part
    small = chi < _RAT_SWITCH
    cs = jnp.where(small, chi, 0.0)
    l, inv_f = _inv_factorial_even(_RAT_TERMS)
    series = _horner(f[:_RAT_TERMS] * jnp.asarray(inv_f), cs * cs) * jnp.exp(-cs)
    # node values: exact windowed sums (static windows and weights, traced f)
    node_vals = jnp.sum(jnp.asarray(weights) * f[jnp.asarray(idx - 1)], axis=-1)    # (n_nodes,)
    coef = node_vals.reshape(n_panels, _PLASMA_NODES) @ jnp.asarray(to_coef.T)     # (P, n)
    # evaluate: panel index and local variable
    v = 0.5 * jnp.log(jnp.clip(jnp.where(small, _RAT_SWITCH, chi), _RAT_SWITCH, chi_cap))
    pos = (v - v0) / _PLASMA_PANEL
    p = jnp.clip(jnp.floor(pos), 0, n_panels - 1).astype(jnp.int32)
    x = jnp.clip(2.0 * (pos - p) - 1.0, -1.0, 1.0)
    c = coef[p]                                                                      # (..., n)
    b1 = jnp.zeros_like(x)
    b2 = jnp.zeros_like(x)
    for k in range(_PLASMA_NODES - 1, 0, -1):                                       # Clenshaw
        b1, b2 = 2.0 * x * b1 - b2 + c[..., k], b1
    interp = x * b1 - b2 + c[..., 0]
    return jnp.where(small, series, interp)


def scaled_basis_sum(name: str, chi, a=None):
    """e^{-chi} S_b(chi) (dimensionless) of a basis l-sum S_b = sum_l f_b(l) chi^{2l}/(2l)! (module docstring).

    Arguments:
        name: 'dv' (f = 1, l >= 1), 'de' (f = -l/(l+1)), 'dir' (f = 1, l >= 0), 'rat' (f = l/(l+a));
            ('plasma', chi_cap): f of :func:`plasma_sphere_te_coefficients` with a = omega_p R/c;
            ('tab', chi_cap): f = a, an array f(1..tabulated_l_max(chi_cap)) (real or complex).
        chi: array >= 0 (dimensionless).  a: the parameter of the sum.
    Returns:
        float64 (complex128 for complex 'tab' coefficients) array, shape of chi; differentiable
        (no NaN derivative at chi = 0).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.6), (9.7) ('dv', 'de'), (4.57) and (4.59) ('rat');
    the integral form of 'rat', the scaled forms and the tabulated sums are derived here; checked against
    mpmath in tests/test_casimir_ht_planewave.py.
    """
    chi = jnp.asarray(chi, dtype=jnp.float64)
    if name == "dv":
        return _dv_scaled(chi)
    if name == "de":
        return _de_scaled(chi)
    if name == "dir":
        return _dir_scaled(chi)
    if name == "rat":
        return _rat_scaled(chi, a)
    if isinstance(name, tuple) and name[0] == "plasma":
        return _plasma_scaled(chi, a, name[1])
    if isinstance(name, tuple) and name[0] == "tab":
        return _tabulated_scaled(chi, a, name[1])
    raise ValueError(f"name must be one of {BASIS_SUMS!r}, got {name!r}")


# ----------------------------------------------------------------------------------------------
# truncation

#: N = ceil(N_0 + eta max(N_MIN, 1 + C_N sqrt(rho))), M = ceil(C_M sqrt(eta max(rho, 1))) + 4 (made odd)
N_0, C_N, C_M, N_MIN = 4.0, 0.65, 2.2, 3.4
SPHERES_N_FACTOR, SPHERES_M_FACTOR = 1.4, 1.6

#: the Nystrom nodes are scaled, k -> k_scale k (in 1/L): sphere--plane kernels decay like
#: e^{-2k}, sphere--sphere ones like e^{-k} (half gap each)
K_SCALE_PLANE, K_SCALE_SPHERES = 1.0, 3.0


def ht_planewave_truncation(L, R1, R2, eta: float = 10.0):
    """Static sizes (N, M) of the zero-frequency plane-wave engine: N k-nodes, M azimuths (odd).

    N = ceil(4 + eta max(3.4, 1 + 0.65 sqrt(rho))), M = ceil(2.2 sqrt(eta max(rho, 1))) + 4 made odd,
    rho = max_j R_j / min L (sphere--sphere: N x 1.4, M x 1.6 and nodes k -> 3k, because each
    sphere kernel decays only like e^{-k}).  The kernel is concentrated on
    |sqrt k_i - sqrt k_j| ~ 1/sqrt(rho) and |phi| ~ 1/sqrt(rho k), hence sqrt(rho) sizes.  eta is the
    accuracy knob of the multipole engine's rule and gives comparable accuracy (measured relative
    error of F vs the exact Drude result, Schoger Eq. (9.59), R/L = 1..1000; table in docs/accuracy.md,
    "Casimir truncation"): eta = 10: <~ 2e-8, 14: <~ 2e-10, 18: <~ 3e-12.  Evaluated on concrete
    numbers (the largest R over the smallest L of arrays) so that a sweep compiles once.

    Arguments:
        L: surface distance [m] (scalar or array).
        R1, R2: radii [m] (R2 = inf for a plane).
        eta: accuracy knob (> 0, dimensionless).
    Returns:
        (N, M) Python ints.

    Source: derived here (sqrt(R/L) scaling of the kernel width); constants fitted to the exact results of
    Schoger, Dissertation (Augsburg 2024), Eqs. (9.22), (9.59); checked in tests/test_casimir_ht_planewave.py.
    """
    L = np.asarray(L, dtype=float)
    R1 = np.asarray(R1, dtype=float)
    R2 = np.asarray(R2, dtype=float)
    plane = is_plane(R2)
    r = float(np.max(R1))
    if not plane:
        r = max(r, float(np.max(R2)))
    rho = r / float(np.min(L))
    n = N_0 + eta * max(N_MIN, 1.0 + C_N * math.sqrt(rho))
    if not plane:
        n *= SPHERES_N_FACTOR     # e^{-k} decay (half gap per sphere): wider k range
    n = int(math.ceil(n - 1e-9))
    m = C_M * math.sqrt(eta * max(rho, 1.0))
    if not plane:
        m *= SPHERES_M_FACTOR     # and narrower azimuthal peaks at the larger k
    m = int(math.ceil(m - 1e-9)) + 4
    m += 1 - m % 2
    return n, m


# ----------------------------------------------------------------------------------------------
# kernels

@functools.lru_cache(maxsize=None)
def _tables(N: int, M: int, k_scale: float = 1.0):
    """Static tables: nodes, weights, pair indices (i <= j), azimuths on [0, pi], cosine transform."""
    k, w = nystrom_nodes(N)
    k, w = k_scale * k, k_scale * w
    iu, ju = np.triu_indices(N)
    pair = np.zeros((N, N), dtype=np.int64)
    pair[iu, ju] = np.arange(iu.size)
    pair[ju, iu] = np.arange(iu.size)
    half = M // 2 + 1                       # phi_j = 2 pi j / M, j = 0..(M-1)/2 (M odd)
    j = np.arange(half)
    m = np.arange(half)
    cos_half = np.cos(np.pi * j / M)        # cos(phi_j / 2) > 0
    # block_m = sum over all M azimuths of K(phi) cos(m phi) (K even in phi)
    ct = np.where(j[:, None] == 0, 1.0, 2.0) * np.cos(2 * np.pi * np.outer(j, m) / M)
    return k, w, iu, ju, pair, cos_half, ct


def _basis_blocks(names, params, rho, shift, N, M, k_scale):
    """m-blocks of each basis kernel K_b, shape (n_basis, (M+1)/2, N, N), real."""
    k, w, iu, ju, pair, cos_half, ct = _tables(N, M, k_scale)
    ki, kj = k[iu], k[ju]
    sq = np.sqrt(ki * kj)
    pref = np.sqrt(w[iu] * w[ju])
    chi = 2.0 * rho * jnp.asarray(sq)[:, None] * jnp.asarray(cos_half)[None, :]      # (P, half)
    expo = chi - jnp.asarray(ki + kj)[:, None] * (rho + shift)
    common = (rho / M) * jnp.asarray(pref)[:, None] * jnp.exp(expo)
    out = []
    for name, a in zip(names, params):
        vals = common * scaled_basis_sum(name, chi, a)
        blocks = vals @ jnp.asarray(ct)                                              # (P, n_m)
        out.append(jnp.transpose(blocks[pair], (2, 0, 1)))                           # (n_m, N, N)
    return jnp.stack(out)


def _sphere_kernel(names, coeffs, params, rho, shift, N, M, channels, mixing, k_scale):
    """Sphere kernel m-blocks: mixing -> (n_m, 2N, 2N); else (n_channels, n_m, N, N)."""
    B = _basis_blocks(names, params, rho, shift, N, M, k_scale)          # (b, n_m, N, N)
    C = jnp.stack(coeffs)                                        # (b, 2, 2)
    if mixing:
        K = jnp.einsum("bpq,bmij->mpiqj", C, B)
        n_m = K.shape[0]
        return K.reshape(n_m, 2 * N, 2 * N)
    return jnp.stack([jnp.einsum("b,bmij->mij", C[:, c, c], B) for c in channels])


def _round_trip_setup(rho1, rho2, coeffs1, params1, coeffs2, params2, plane, plasma_w, *, N, M, names1, names2,
                      channels, mixing, plasma_plane, k_scale):
    """(sphere_plane, k, K1, other): sphere 1's kernel blocks and the plane's (N, 2, 2) Fresnel matrices
    (sphere--plane) or sphere 2's kernel blocks (two spheres), on the k-grid in units of L."""
    sphere_plane = len(names2) == 0
    shift = 1.0 if sphere_plane else 0.5
    if k_scale is None:
        k_scale = K_SCALE_PLANE if sphere_plane else K_SCALE_SPHERES
    k = jnp.asarray(_tables(N, M, k_scale)[0])
    K1 = _sphere_kernel(names1, coeffs1, params1, rho1, shift, N, M, channels, mixing, k_scale)
    if sphere_plane:
        other = jnp.broadcast_to(plane, (N, 2, 2))
        if plasma_plane:
            other = other.at[:, 1, 1].set(plasma_plane_te_reflection(k, plasma_w))
    else:
        other = _sphere_kernel(names2, coeffs2, params2, rho2, shift, N, M, channels, mixing, k_scale)
    return sphere_plane, k, K1, other


def _symmetric_route(setup, mixing):
    """Static: are the round-trip blocks returned symmetric (1 - M positive definite: Cholesky)?

    Sphere--plane without polarisation mixing: channel c's block R_c D2 K_c (R_c = diag r_c(k)) is
    similar to sgn(r_c) V K_c V, V = diag(sqrt(|r_c| d2)), a real symmetric matrix.  The static
    Fresnel coefficient of a channel has one sign for all k (constant; a plasma plane's TE
    r(k) < 0), so this is exact; its eigenvalues are those of the round trip, < 1 for passive
    bodies, so 1 - M is positive definite.
    """
    return bool(setup[0]) and not mixing


def _round_trip_blocks(setup, d2, *, N, M, channels, mixing, plasma_plane=False):
    """Round-trip m-blocks stacked as (n_stack * n_m, d, d): M = R_p D2 K1 (sphere--plane) or
    K2 D2 K1 D2 (two spheres), D2 = diag(d2) over the k-nodes (d2 = None: no rescaling).
    Sphere--plane without mixing: the symmetric similar form of :func:`_symmetric_route`."""
    sphere_plane, k, K1, other = setup
    n_m = M // 2 + 1
    if d2 is not None and mixing:
        d2 = jnp.concatenate([d2, d2])                                    # (TM, TE) x k rows
    if sphere_plane:
        rp = other
        if d2 is not None and mixing:
            K1 = d2[:, None] * K1                                         # D2 K1: rows scaled
        if mixing:
            # (R_plane (x) 1) K: row (p, i) -> sum_r R_pr(k_i) K[(r, i), .]
            mats = jnp.einsum("ipr,mrix->mpix", rp, K1.reshape(n_m, 2, N, 2 * N)).reshape(n_m, 2 * N, 2 * N)
        else:
            out = []
            for n, c in enumerate(channels):
                v = jnp.ones((N,)) if d2 is None else jnp.sqrt(d2)
                if plasma_plane and c == 1:
                    # r_TE(k) < 0 varies with k: V = sqrt(-r d2), sign -1
                    v = jnp.sqrt(-rp[:, 1, 1]) * v
                    out.append(-(v[:, None] * K1[n] * v[None, :]))
                else:
                    out.append(rp[0, c, c] * (v[:, None] * K1[n] * v[None, :]))
            return jnp.stack(out).reshape((-1, N, N))
    else:
        K2 = other
        if d2 is not None:
            K1, K2 = K1 * d2, K2 * d2                                     # K D2: columns scaled
        mats = K2 @ K1
    return mats.reshape((-1,) + mats.shape[-2:])


def _block_weights(M, n_stack):
    """Weights of the stacked m-blocks: 1 for m = 0, 2 for m > 0 (blocks m and -m are equal)."""
    wm = np.full(M // 2 + 1, 2.0)
    wm[0] = 1.0
    return jnp.asarray(np.tile(wm, n_stack))


@partial(jax.jit, static_argnames=("N", "M", "names1", "names2", "channels", "mixing", "plasma_plane",
                                   "r_max", "k_scale"))
def planewave_ht_core(rho1, rho2, coeffs1, params1, coeffs2, params2, plane, plasma_w, *, N, M, names1,
                      names2, channels, mixing, plasma_plane, r_max=0, k_scale=None):
    """2 F_0/(k_B T) = sum_m w_m log det(1 - M^(m)) (r_max = 0) or the traces sum_m w_m tr (M^(m))^r (dimensionless).

    The traces are returned for r = 1..r_max when r_max > 0.

    Arguments (lengths in units of L):
        rho1, rho2: R_j / L (rho2 ignored for a plane: ``names2`` empty).
        coeffs_j, params_j: tuples of the 2x2 matrices C_b and poles a_b of sphere j's basis sums
            ``names_j`` (static tuple of BASIS_SUMS names).
        plane: (2, 2) static Fresnel matrix of the plane (sphere--plane).
        plasma_w: omega_p L / c of a plasma plane (its TE entry is replaced by
            :func:`plasma_plane_te_reflection`) when ``plasma_plane``.
        N, M: static sizes; channels: polarisations kept when nothing mixes (0 = TM, 1 = TE);
        mixing: 2N x 2N blocks.
    Returns:
        float64 scalar (r_max = 0) or array (r_max,).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.2), (9.2)-(9.7), discretised as in the module
    docstring (derived here; checked in tests/test_casimir_ht_planewave.py).
    """
    setup = _round_trip_setup(rho1, rho2, coeffs1, params1, coeffs2, params2, plane, plasma_w, N=N, M=M,
                              names1=names1, names2=names2, channels=channels, mixing=mixing,
                              plasma_plane=plasma_plane, k_scale=k_scale)
    flat = _round_trip_blocks(setup, None, N=N, M=M, channels=channels, mixing=mixing, plasma_plane=plasma_plane)
    weights = _block_weights(M, flat.shape[0] // (M // 2 + 1))
    sym = _symmetric_route(setup, mixing)
    if r_max == 0:
        return jnp.sum(weights * log_det_one_minus(flat, hermitian=sym, positive_definite=sym))
    return jnp.sum(weights[:, None] * jnp.real(round_trip_traces(flat, r_max)), axis=0)


# ----------------------------------------------------------------------------------------------
# PEMC sweeps over the duality-angle difference: kernels shared between angles

def resolve_batch_size(batch_size):
    """The batch size to use: "auto" (kept: the library's one rule, :func:`jaxem._batching.auto_batch_size`, decides
    per backend and working set when the map runs), None or an int >= 1 as given.

    Arguments:
        batch_size: "auto", None or an int >= 1 (anything else: ValueError).
    Returns:
        "auto", None or a Python int >= 1.

    Source: no formula.
    """
    if isinstance(batch_size, str) and batch_size == "auto":
        return "auto"
    if batch_size is None:
        return None
    from jaxem._checks import check_int

    return check_int("batch_size", batch_size, minimum=1)


def _map(fn, xs, batch_size, bytes_per_item):
    """jax.lax.map of fn over xs, batch_size points vmapped together (None or 1: one at a time; "auto": the
    library's rule for this backend and a working set of bytes_per_item per point, jaxem._batching.batched_map)."""
    if isinstance(batch_size, str):
        return batched_map(fn, xs, bytes_per_item)
    n = xs.shape[0]
    if batch_size is None or int(batch_size) <= 1 or n <= 1:
        return jax.lax.map(fn, xs)
    return jax.lax.map(fn, xs, batch_size=min(int(batch_size), n))


@partial(jax.jit, static_argnames=("N", "M", "plane", "batch_size"))
def _pemc_delta_core(rho1, rho2, deltas, *, N, M, plane, batch_size=None):
    """F_0/(k_B T) at each delta of ``deltas`` (lengths in units of L; see :func:`pemc_duality_sweep`)."""
    shift = 1.0 if plane else 0.5
    k_scale = K_SCALE_PLANE if plane else K_SCALE_SPHERES
    none = (jnp.zeros(()), jnp.zeros(()))
    A1, B1 = _basis_blocks(("dv", "de"), none, rho1, shift, N, M, k_scale)     # (n_m, N, N) each
    if plane:
        # PEMC plane: Lambda_2 = diag(1, -1) (the l -> inf limit of diag(f_dv, f_de))
        AA, AB, BA, BB = A1, B1, -A1, -B1
    else:
        A2, B2 = _basis_blocks(("dv", "de"), none, rho2, shift, N, M, k_scale)
        AA, AB, BA, BB = A2 @ A1, A2 @ B1, B2 @ A1, B2 @ B1
    wm = _block_weights(M, 1)

    def one(delta):
        c, s = jnp.cos(delta), jnp.sin(delta)
        top = jnp.concatenate([c * c * AA + s * s * AB, c * s * (AB - AA)], axis=-1)
        bot = jnp.concatenate([c * s * (BB - BA), s * s * BA + c * c * BB], axis=-1)
        mats = jnp.concatenate([top, bot], axis=-2)                                 # (n_m, 2N, 2N)
        return 0.5 * jnp.sum(wm * log_det_one_minus(mats))

    # working set of one angle: the (n_m, 2N, 2N) real blocks and their LU workspace
    return _map(one, deltas, batch_size, 4 * M * (2 * N) ** 2 * 8)


def pemc_duality_sweep(L, R1, R2, deltas, *, eta: float = 10.0, n_k=None, n_phi=None, batch_size="auto"):
    """The n = 0 term F_0/(k_B T) (dimensionless) of two PEMC bodies for many delta = theta_1 - theta_2 at once.

    Internal engine of :func:`jaxem.casimir_zero_frequency_term` for PEMC bodies whose duality angles are
    arrays.  The n = 0 free energy depends on delta only (Schoger, Dissertation (Augsburg 2024), Sec. 11.3).
    With X_j = D(theta_j) diag(f_dv, f_de) D(theta_j)^T the round trip is similar to
    Lambda_2 Q Lambda_1 Q^T, Q = D(theta_2)^T D(theta_1) = [[cos delta, sin delta], [-sin delta, cos delta]],
    Lambda_j = diag(K_dv, K_de) of sphere j (a plane: diag(1, -1)), so that

        M(delta) = [[A2 (c^2 A1 + s^2 B1), c s A2 (B1 - A1)], [c s B2 (B1 - A1), B2 (s^2 A1 + c^2 B1)]]

    with A_j = K_dv, B_j = K_de: the kernels and the four products A2 A1, A2 B1, B2 A1, B2 B1 are
    computed once per geometry; each delta costs one 2N x 2N LU per m-block.

    Arguments:
        L: vacuum gap [m].
        R1, R2: radii [m] (R2 = jnp.inf: PEMC plane).
        deltas: array of delta = theta_1 - theta_2 [rad].
        eta: accuracy (sizes from :func:`ht_planewave_truncation` unless n_k, n_phi given).
        n_k, n_phi: static plane-wave sizes or None.
        batch_size: angles vmapped together (static int; "auto": the library's rule per backend,
            :func:`jaxem._batching.auto_batch_size`).
    Returns:
        float64 array, shape of deltas: F / (k_B T) (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.4)-(9.7), (4.55)-(4.56) (PEMC static X(l)),
    (4.34) (PEMC plane) and (11.29); the factorisation into delta-independent products is derived here;
    checked against single calls in tests/test_casimir_ht_planewave.py.
    """
    from jaxem._checks import check_positive, is_concrete

    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    plane = is_plane(R2)
    if n_k is None or n_phi is None:
        if not is_concrete((L, R1, R2)):
            raise ValueError("n_k, n_phi must be given when L, R1, R2 are traced")
        N, M = ht_planewave_truncation(L, R1, R2, eta)
        n_k = N if n_k is None else n_k
        n_phi = M if n_phi is None else n_phi
    n_phi = int(n_phi) + 1 - int(n_phi) % 2
    L = jnp.asarray(L, dtype=jnp.float64)
    rho1 = jnp.asarray(R1, dtype=jnp.float64) / L
    rho2 = jnp.zeros(()) if plane else jnp.asarray(R2, dtype=jnp.float64) / L
    deltas = jnp.asarray(deltas, dtype=jnp.float64)
    bs = resolve_batch_size(batch_size)
    out = _pemc_delta_core(rho1, rho2, deltas.reshape(-1), N=int(n_k), M=n_phi, plane=plane, batch_size=bs)
    return out.reshape(deltas.shape)


# ----------------------------------------------------------------------------------------------
# sweeps over the distance: kernels shared between distances

@partial(jax.jit, static_argnames=("N", "M", "names1", "names2", "channels", "mixing", "plasma_plane", "k_scale",
                                   "batch_size"))
def planewave_ht_distances_core(rho1, rho2, ells, coeffs1, params1, coeffs2, params2, plane, plasma_w, *, N, M,
                                names1, names2, channels, mixing, plasma_plane, k_scale=None, batch_size=None):
    """sum_m w_m log det(1 - M^(m)) (dimensionless) at the distances ells * L_ref, kernels built once at L_ref.

    Lengths are in units of the reference gap L_ref (rho_j = R_j / L_ref, plasma_w = omega_p L_ref/c).
    At xi = 0 a sphere kernel depends on the gap only through its translation factor: in units of
    L_ref, K_j(ell) = D K_j(1) D with D = diag(e^{-k_i (ell - 1)}) (sphere--plane; e^{-k_i (ell-1)/2}
    per sphere for two spheres), so that det(1 - R_p K(ell)) = det(1 - R_p D^2 K(1)) and
    det(1 - K_2 K_1) = det(1 - K_2 D^2 K_1 D^2) (similarity by D).  Each distance then costs a row
    scaling (and, for two spheres, one product) plus the LU factorisations: the k-grid is that of
    L_ref, so keep ells in [1, ~2] (the grid resolves e^{-2 k L} for every L >= L_ref; accuracy in
    :func:`jaxem.casimir.zero_frequency.zero_frequency_distances`).

    Arguments:
        ells: gaps in units of L_ref (>= 1).
        batch_size: distances vmapped together (static int, None or "auto": jaxem._batching.batched_map).
        others: as :func:`planewave_ht_core`.
    Returns:
        float64 array of ells' shape: sum_m w_m log det(1 - M^(m)) = 2 F_0/(k_B T) (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (8.8) (diagonal translation factor); the similarity
    is derived here; checked in tests/test_casimir_ht_planewave.py.
    """
    setup = _round_trip_setup(rho1, rho2, coeffs1, params1, coeffs2, params2, plane, plasma_w, N=N, M=M,
                              names1=names1, names2=names2, channels=channels, mixing=mixing,
                              plasma_plane=plasma_plane, k_scale=k_scale)
    sphere_plane, k = setup[0], setup[1]
    weights = _block_weights(M, 1 if mixing else len(channels))
    sym = _symmetric_route(setup, mixing)

    def one(ell):
        d2 = jnp.exp(-2.0 * k * (ell - 1.0) / (1.0 if sphere_plane else 2.0))
        flat = _round_trip_blocks(setup, d2, N=N, M=M, channels=channels, mixing=mixing, plasma_plane=plasma_plane)
        return jnp.sum(weights * log_det_one_minus(flat, hermitian=sym, positive_definite=sym))

    ells = jnp.asarray(ells, jnp.float64)
    # working set of one distance: the m-blocks of every channel (complex when mixing) and their LU workspace
    nbytes = 4 * M * len(channels) * (2 * N) ** 2 * (16 if mixing else 8)
    return _map(one, ells.reshape(-1), batch_size, nbytes).reshape(ells.shape)
