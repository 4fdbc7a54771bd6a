"""Mie scattering of spheres at real frequency (time dependence e^{-i omega t}).

Bohren-Huffman coefficients a_l, b_l of homogeneous (optionally magnetic) spheres, efficiencies,
the amplitude matrix, Wiscombe's truncation, dipole polarizabilities, and the 2x2 (E, M)
reflection matrices per multipole order of bi-isotropic (chiral, Tellegen), PEMC and perfectly
conducting spheres.

Sources: C. F. Bohren and D. R. Huffman, "Absorption and Scattering of Light by Small Particles"
(Wiley 1983), Ch. 4; W. J. Wiscombe, Appl. Opt. 19, 1505 (1980); T. Schoger, "Optical and dispersion
forces experienced by spherical objects", Dissertation, Universität Augsburg (2024), Sec. 4.1 (bi-isotropic
and PEMC spheres, continued from imaginary to real frequency).

Every coefficient is written through Riccati-Bessel *ratios*:
    D_l(z) = psi_l'(z)/psi_l(z),  Dxi_l(x) = xi_l'(x)/xi_l(x),  R_l(x) = psi_l(x)/xi_l(x),
so nothing overflows for l >> x and the Rayleigh limit x -> 0 keeps full relative accuracy.
D_l comes from :func:`jaxem.special.log_derivative_psi` (downward recurrence from a Lentz start,
custom_jvp) for the bi-isotropic and PEMC matrices; the isotropic kernels (mie_coefficients,
mie_efficiencies) use :func:`jaxem.special.spherical.log_derivative_psi_columns`, which computes D_l(x)
in real arithmetic and D_l(mx) in one loop, order-first, from a Debye-estimated start order instead of
the Lentz continued fraction (same values to rounding; tests/test_special.py). The host-side
quantities at real x (Dxi_l, psi_l/xi_l, psi_l'/xi_l) are produced inside the one upward scan over
l that also forms a_l, b_l and accumulates the efficiency sums (no (batch, l) intermediates; see
:func:`_exterior_step`); tests check them against
:func:`jaxem.special.log_derivative_xi` and :func:`jaxem.special.ratio_psi_xi`.

Convention (Schoger, Dissertation (Augsburg 2024), Eq. (4.10)): the scattered multipole coefficients of an incident field
E_inc = sum e_lm N^reg + f_lm M^reg are
    (a_lm, b_lm) = -[[r^EE, i r^EM], [-i r^ME, r^MM]] (e_lm, f_lm),
and for isotropic spheres r^EE = a_l, r^MM = b_l (Bohren-Huffman). Matrices returned here are
[[r^EE, r^EM], [r^ME, r^MM]] per order l = 1..l_max.

Bad input: the public functions raise ``ValueError`` naming the parameter (x <= 0, non-finite x
or m, l_max < 1) before tracing. Inside ``jax.jit``/``vmap`` the values are tracers and cannot be
checked; a size parameter x <= 0 or non-finite then yields NaN in every output of that sphere,
and a non-finite m propagates NaN.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxem import _checks
from jaxem import _memory
from jaxem import constants as _const
from jaxem import special as _special
from jaxem.special import spherical as _spherical
from jaxem.special._recurrence import vary_like

__all__ = [
    "wiscombe_lmax",
    "resolve_lmax",
    "mie_coefficients",
    "MieEfficiencies",
    "mie_efficiencies",
    "amplitude_matrix",
    "dipole_polarizabilities",
    "bi_isotropic_reflection_matrix",
    "pemc_reflection_matrix",
    "sphere_reflection_matrix",
]


# ---------------------------------------------------------------------------------------------
# validation helpers (public boundary only)

def _check_size_parameter(name, x):
    _checks.check_finite(name, x)
    _checks.check_positive(name, x)
    return x


def _check_complex_finite(name, value):
    return _checks.check_finite(name, value)


def _check_sphere(x, m, mu):
    """The boundary checks of the isotropic-sphere functions: x real > 0, m and mu finite and nonzero
    (m = 0 or mu = 0 would give all-NaN coefficients), shapes that broadcast."""
    _check_size_parameter("x", x)
    _checks.check_nonzero("m", m)
    _checks.check_nonzero("mu", mu)
    _checks.check_broadcast(x=x, m=m, mu=mu)


def wiscombe_lmax(x) -> int:
    """Number of multipole orders (dimensionless int) Wiscombe's criterion needs for converged far-field sums.

    Arguments:
        x: size parameter 2 pi n_host R / lambda_0 (scalar or array, concrete values or the tracer of an
           eager jax.grad/jax.vmap, whose values are read; the largest entry decides).
    Returns:
        Python int l_max = x + 4 x^{1/3} + 1 (x <= 8), x + 4.05 x^{1/3} + 2 (8 < x < 4200),
        x + 4 x^{1/3} + 2 (x >= 4200), rounded to nearest.

    Source: W. J. Wiscombe, Appl. Opt. 19, 1505 (1980).
    """
    known = _checks.known_values(x)          # also the values behind an eager grad/vmap tracer
    if known is None:
        raise ValueError("x must be concrete to choose l_max by Wiscombe's rule; pass l_max explicitly "
                         "when calling under jax.jit (eager jax.grad/jax.vmap take it from the values)")
    x = known
    _check_size_parameter("x", x)
    xm = float(np.max(np.asarray(x, dtype=float)))
    c = xm ** (1.0 / 3.0)
    if xm <= 8.0:
        n = xm + 4.0 * c + 1.0
    elif xm < 4200.0:
        n = xm + 4.05 * c + 2.0
    else:
        n = xm + 4.0 * c + 2.0
    return max(1, int(round(n)))


#: the largest multipole order the Mie kernels accept: the log-derivative recurrences are validated for size
#: parameters x <= 1e6 (docs/mie.md; beyond, geometric optics is the right tool)
MAX_MIE_ORDER = 1_000_000
#: bytes held at once per multipole order and sphere (complex coefficients, recurrences; measured with XLA's
#: memory plan: 32 B forward, 473 B in reverse mode, which stores every order of the recurrences)
_ORDER_BYTES, _ORDER_BYTES_REVERSE = 32, 480


def resolve_lmax(x, l_max=None, n_points=None, memory_limit=None, *, name=None) -> int:
    """The multipole cut l_max (dimensionless int) of a Mie call, after the size guards, before tracing.

    Wiscombe's rule when ``l_max`` is None; then at most :data:`MAX_MIE_ORDER` orders (a larger x, e.g. a radius
    in metres where micrometres were meant, raises ValueError with the way out) and the estimated memory
    n_points x l_max x 32 bytes (480 in reverse mode) under the limit of jaxem._memory.memory_limit.

    Arguments:
        x: size parameter(s) 2 pi n_host R / lambda_0 (concrete, or behind an eager grad/vmap tracer).
        l_max: explicit cut (static int) or None.
        n_points: spheres evaluated at once (default: the size of x).
        memory_limit: bytes or a string like "8GB" (None: jaxem's default limit).
        name: the parameter named in the errors (default "x", or "l_max" when given; e.g. "radius").
    Returns:
        Python int l_max.

    Source: W. J. Wiscombe, Appl. Opt. 19, 1505 (1980) (the rule); the guards are bookkeeping (array sizes x
    bytes, measured with XLA's memory plan in tests/test_size_guards.py).
    """
    name = name or ("x" if l_max is None else "l_max")
    if l_max is None:
        known = _checks.known_values(x)
        xm = None if known is None else float(np.max(np.asarray(known, dtype=float), initial=0.0))
        if xm is not None and np.isfinite(xm) and xm > MAX_MIE_ORDER:
            l_max = int(xm)                # Wiscombe's l_max > x: refuse before evaluating the rule
        else:
            l_max = wiscombe_lmax(x)
    else:
        l_max = _checks.check_int("l_max", l_max, minimum=1)
    way = ("check the units: x = 2 pi n_host R / lambda_0 (R = 1 m at 633 nm gives x ~ 1e7: meant 1e-6 m?); "
           "size parameters beyond ~1e6 are geometric optics")
    _memory.check_count(name, l_max, MAX_MIE_ORDER, what="multipole orders (l_max)", way_out=way)
    if n_points is None:
        n_points = int(np.prod(_checks._shape("x", x)))
    reverse = _memory.reverse_mode(x)
    nbytes = max(int(n_points), 1) * l_max * (_ORDER_BYTES_REVERSE if reverse else _ORDER_BYTES)
    _memory.check_memory(name, nbytes,
                         what=f"{n_points:,} spheres x {l_max:,} orders{', reverse mode' if reverse else ''}",
                         way_out="a smaller batch (chunk the size parameters), a smaller l_max, " + way,
                         limit=memory_limit)
    return l_max


# ---------------------------------------------------------------------------------------------
# kernels (pure functions of arrays; l_max static)

def _nan_unless_positive(x, value):
    """NaN where the size parameter is not a positive finite number (documented jit behaviour)."""
    ok = jnp.isfinite(x) & (x > 0)
    ok = ok.reshape(ok.shape + (1,) * (jnp.ndim(value) - jnp.ndim(ok)))
    return jnp.where(ok, value, jnp.nan)


def _reciprocal(z):
    """1/z for complex z as conj(z)/|z|^2.

    Why: XLA's complex division on CPU is a branchy, unvectorised routine (~6x slower than this in
    the recurrences); the Mie quantities divided here stay within |z| in [1e-150, 1e150] for any
    size parameter x in [1e-30, 1e6] and order l <= 1e5, where this form is exact to rounding.
    """
    re, im = jnp.real(z), jnp.imag(z)
    s = 1.0 / (re * re + im * im)
    return lax.complex(re * s, -im * s)


def _canonical(x, *params):
    """x as float64 and params as complex128, broadcast to one shape.

    Why: the jitted kernels are then cached by (shape, l_max) only, not by the Python types of the
    arguments (a float m and a complex m share one compilation).
    """
    x = jnp.asarray(x, dtype=jnp.float64)
    params = [jnp.asarray(v, dtype=jnp.complex128) for v in params]
    shape = jnp.broadcast_shapes(x.shape, *(v.shape for v in params))
    return (jnp.broadcast_to(x, shape),) + tuple(jnp.broadcast_to(v, shape) for v in params)


def _safe_size_parameter(x):
    """x where legal, 1 elsewhere (the masked entries become NaN at the end; no NaN gradients)."""
    x = jnp.asarray(x, dtype=jnp.float64)
    return jnp.where(jnp.isfinite(x) & (x > 0), x, 1.0)


def _psi_log_derivatives(x, interior, l_max):
    """D_l(x) and D_l(z) for every interior argument z, orders 1..l_max, in ONE special-function call.

    Arguments: x real (...), interior: list of complex arrays broadcast with x.
    Returns: complex array (1 + len(interior), l_max) + x.shape (order axis second: scan layout);
    entry 0 is D_l(x). One call keeps one compiled recurrence per kernel (compile time).
    """
    z = jnp.stack([x.astype(jnp.complex128)] + [jnp.broadcast_to(v, x.shape) for v in interior])
    d = _special.log_derivative_psi(z, l_max)[..., 1:]
    return jnp.moveaxis(d, -1, 1)


def _exterior_init(x):
    """Scan carry at l = 0: (xi_0, xi_{-1}, R_0, Dxi_0); psi_l = Re xi_l at real x (xi = psi - i chi)."""
    sin_x, cos_x = jnp.sin(x), jnp.cos(x)
    xi0 = lax.complex(sin_x, -cos_x)                 # xi_0 = -i e^{ix}
    xim1 = lax.complex(cos_x, sin_x)                 # xi_{-1} = e^{ix}
    r0 = sin_x * jnp.conj(xi0)                       # psi_0/xi_0 (|xi_0| = 1)
    return (xi0, xim1, r0, jnp.full(x.shape, 1j, jnp.complex128))


def _exterior_step(carry, n, d_n, x, inv_x):
    """One order of the host-side Riccati-Bessel quantities at real size parameter x.

    Returns (new carry, (R_n, P_n, Dxi_n)) with R = psi_n/xi_n, P = psi_n'/xi_n, Dxi = xi_n'/xi_n;
    d_n = D_n(x) = psi_n'/psi_n from the downward recurrence.

    Why a hybrid: for n <= x (oscillatory region) xi_n comes from its upward recurrence (psi_n = Re xi_n
    at real x), which is stable there, and R, P are quotients of bounded numbers -- accurate even next
    to zeros of psi_n, where (psi/xi) * D would lose all digits. For n > x psi_n decays, its upward
    recurrence is unstable, and psi_n has no zeros: there R_n = R_{n-1} (psi_n/psi_{n-1})/(xi_n/xi_{n-1})
    with psi_{n-1}/psi_n = D_n + n/x (no cancellation: both terms > 0) and xi_n/xi_{n-1} = n/x - Dxi_{n-1}
    (upward, xi dominant), P_n = R_n D_n. Nothing overflows for n >> x and the Rayleigh limit x -> 0
    keeps full relative accuracy (Bohren & Huffman 1983, Sec. 4.8; Wiscombe 1980).
    One complex reciprocal serves both branches (its argument is selected first).
    """
    xi1, xi2, r_prev, dxi_prev = carry
    nx = n * inv_x
    osc = n <= x
    # upward recurrence, frozen once n > x so the unused values stay finite
    xi_n = jnp.where(osc, ((2 * n - 1) * inv_x) * xi1 - xi2, xi1)
    psi_n = jnp.real(xi_n)
    u = nx - dxi_prev                                          # xi_n/xi_{n-1}
    dxi_n = _reciprocal(u) - nx
    # selected denominator: no inf/NaN in the branch that is not taken, nor in its gradients
    inv = _reciprocal(jnp.where(osc, xi_n, (d_n + nx) * u))
    r_n = jnp.where(osc, psi_n, r_prev) * inv
    p_n = jnp.where(osc, (jnp.real(xi1) - nx * psi_n) * inv, r_n * d_n)
    return (xi_n, xi1, r_n, dxi_n), (r_n, p_n, dxi_n)


def _exterior(x, dpsi):
    """(R, P, Dxi) of :func:`_exterior_step` for all orders; dpsi order-first (L,) + x.shape."""
    inv_x = 1.0 / x
    orders = jnp.arange(1, dpsi.shape[0] + 1, dtype=jnp.float64)
    dpsi = jnp.real(dpsi)                                      # D_n(x) is real at real x

    def step(carry, inp):
        return _exterior_step(carry, inp[0], inp[1], x, inv_x)

    _, out = lax.scan(step, vary_like(_exterior_init(x), x, dpsi), (orders, dpsi))
    return out


def _mie_scan(x, m, mu, l_max, coefficients: bool):
    """One scan over l: Bohren-Huffman a_l, b_l and (on the fly) the efficiency sums.

    Returns ((a, b) order-last or None, sums) with sums = (S_ext, S_sca, S_back, S_g) where
    S_ext = sum (2l+1) Re(a+b), S_sca = sum (2l+1)(|a|^2+|b|^2), S_back = sum (2l+1)(-1)^l (a-b),
    S_g = sum l(l+2)/(l+1) Re(a_l a*_{l+1} + b_l b*_{l+1}) + sum (2l+1)/(l(l+1)) Re(a_l b*_l).
    The log-derivatives D_l(x) (real arithmetic) and D_l(mx) come order-first from
    :func:`jaxem.special.spherical.log_derivative_psi_columns`; the (batch, l) arrays of a_l, b_l are
    only formed when ``coefficients`` is set.
    """
    x = jnp.asarray(x, dtype=jnp.float64)
    m = jnp.asarray(m, dtype=jnp.complex128)
    mu = jnp.asarray(mu, dtype=jnp.complex128)
    x, m, mu = jnp.broadcast_arrays(x, m, mu)
    xs = _safe_size_parameter(x)
    inv_x = 1.0 / xs
    d_x, d_mx = _spherical.log_derivative_psi_columns((xs, m * xs), l_max)
    # zeta = relative wave impedance Z_sphere/Z_host = mu/m (Schoger Eq. (4.13), m_+ = m_- for chi = 0);
    # a = R (zeta D - Dpsi)/(zeta D - Dxi) = (zeta D R - P)/(zeta D - Dxi), b likewise (Schoger (4.11) at x = -i w)
    zeta = mu * _reciprocal(m)
    zero_c = jnp.zeros(x.shape, jnp.complex128)
    zero_r = jnp.zeros(x.shape, jnp.float64)
    sums0 = (zero_r, zero_r, zero_c, zero_r, zero_c, zero_c)

    def step(carry, inp):
        ext, (s_ext, s_sca, s_back, s_g, a_prev, b_prev) = carry
        n, d_x_n, d_in = inp
        ext, (r, p, dxi) = _exterior_step(ext, n, d_x_n, xs, inv_x)
        zd = zeta * d_in
        a = (zd * r - p) * _reciprocal(zd - dxi)
        b = (d_in * r - zeta * p) * _reciprocal(d_in - zeta * dxi)
        w = 2.0 * n + 1.0
        sign = 1.0 - 2.0 * jnp.mod(n, 2.0)
        s_ext = s_ext + w * jnp.real(a + b)
        s_sca = s_sca + w * (jnp.real(a) ** 2 + jnp.imag(a) ** 2 + jnp.real(b) ** 2 + jnp.imag(b) ** 2)
        s_back = s_back + (w * sign) * (a - b)
        # pair (l, l+1) = (n-1, n) has weight l(l+2)/(l+1) = (n-1)(n+1)/n; a_prev = b_prev = 0 at n = 1
        s_g = (s_g + ((n - 1.0) * (n + 1.0) / n) * jnp.real(a_prev * jnp.conj(a) + b_prev * jnp.conj(b))
               + (w / (n * (n + 1.0))) * jnp.real(a * jnp.conj(b)))
        return (ext, (s_ext, s_sca, s_back, s_g, a, b)), ((a, b) if coefficients else None)

    orders = jnp.arange(1, l_max + 1, dtype=jnp.float64)
    (_, sums), ab = lax.scan(step, vary_like((_exterior_init(xs), sums0), xs, d_x, d_mx), (orders, d_x, d_mx))
    if coefficients:
        ab = tuple(_nan_unless_positive(x, jnp.moveaxis(v, 0, -1)) for v in ab)
    return ab, sums[:4]


def _mie_ab(x, m, mu, l_max):
    return _mie_scan(x, m, mu, l_max, coefficients=True)[0]


_mie_ab_jit = jax.jit(_mie_ab, static_argnums=3)


def mie_coefficients(x, m, l_max: int, mu=1.0):
    """Bohren-Huffman Mie coefficients a_l (electric) and b_l (magnetic) of a homogeneous sphere (dimensionless).

    Arguments:
        x: size parameter k_host R = 2 pi n_host R / lambda_0 (real, > 0), any shape.
        m: relative refractive index n_sphere/n_host (complex; Im m > 0 absorbs), broadcast with x.
        l_max: highest multipole order (static Python int >= 1); see :func:`wiscombe_lmax`.
        mu: relative permeability mu_sphere/mu_host (default 1), broadcast with x.
    Returns:
        (a, b): complex128 arrays of shape broadcast(x, m, mu).shape + (l_max,) for l = 1..l_max,
        a_l = R_l (zeta D_l(mx) - Dpsi_l(x)) / (zeta D_l(mx) - Dxi_l(x)),
        b_l = R_l (D_l(mx) - zeta Dpsi_l(x)) / (D_l(mx) - zeta Dxi_l(x)),  zeta = mu/m
        (r^EE = a_l, r^MM = b_l in the reflection-matrix convention).

    Source: Bohren & Huffman (1983), Secs. 4.4 and 4.8 (log-derivative form), for a magnetic sphere
    the isotropic case of Schoger, Dissertation (Augsburg 2024), Eqs. (4.11)-(4.12) at x = -i w.
    """
    _check_sphere(x, m, mu)
    l_max = resolve_lmax(x, _checks.check_int("l_max", l_max, minimum=1), _points(x, m, mu))
    return _mie_ab_jit(*_canonical(x, m, mu), l_max)


class MieEfficiencies(NamedTuple):
    """Far-field efficiencies of a sphere (cross sections divided by pi R^2, dimensionless) and asymmetry g.

    Attributes: q_ext, q_sca, q_abs, q_back, q_pr (efficiencies) and g = <cos theta>.

    Source: Bohren & Huffman (1983), Secs. 4.4-4.5; Wiscombe, Appl. Opt. 19, 1505 (1980).
    """

    q_ext: jax.Array
    q_sca: jax.Array
    q_abs: jax.Array
    q_back: jax.Array
    q_pr: jax.Array
    g: jax.Array


def _efficiencies_from_ab(x, a, b):
    """Efficiencies from coefficients (Bohren & Huffman 1983, Secs. 4.4, 4.8; Wiscombe 1980)."""
    l_max = a.shape[-1]
    n = np.arange(1, l_max + 1, dtype=np.float64)
    w = 2.0 * n + 1.0
    x2 = jnp.asarray(x, dtype=jnp.float64) ** 2
    q_ext = 2.0 / x2 * jnp.sum(w * jnp.real(a + b), axis=-1)
    q_sca = 2.0 / x2 * jnp.sum(w * (jnp.abs(a) ** 2 + jnp.abs(b) ** 2), axis=-1)
    alt = w * (-1.0) ** n
    q_back = jnp.abs(jnp.sum(alt * (a - b), axis=-1)) ** 2 / x2
    c1 = n[:-1] * (n[:-1] + 2.0) / (n[:-1] + 1.0)
    c2 = w / (n * (n + 1.0))
    g_q = 4.0 / x2 * (
        jnp.sum(c1 * jnp.real(a[..., :-1] * jnp.conj(a[..., 1:]) + b[..., :-1] * jnp.conj(b[..., 1:])),
                axis=-1)
        + jnp.sum(c2 * jnp.real(a * jnp.conj(b)), axis=-1))
    # g = <cos theta>; q_sca > 0 for every sphere with m != 1 (double where keeps grad finite at m = 1)
    safe = q_sca > 0
    g = jnp.where(safe, g_q / jnp.where(safe, q_sca, 1.0), 0.0)
    return MieEfficiencies(q_ext, q_sca, q_ext - q_sca, q_back, q_ext - g_q, g)


def _efficiencies(x, m, mu, l_max):
    _, (s_ext, s_sca, s_back, s_g) = _mie_scan(x, m, mu, l_max, coefficients=False)
    x = jnp.asarray(x, jnp.float64) * jnp.ones_like(s_ext)
    xs = _safe_size_parameter(x)
    inv_x2 = jnp.where(xs == x, 1.0 / (xs * xs), jnp.nan)     # NaN for illegal x (documented)
    q_ext = 2.0 * inv_x2 * s_ext
    q_sca = 2.0 * inv_x2 * s_sca
    g_q = 4.0 * inv_x2 * s_g
    # g = <cos theta>; q_sca > 0 unless m = 1 (double where keeps the gradient finite there)
    safe = q_sca > 0
    g = jnp.where(safe, g_q / jnp.where(safe, q_sca, 1.0), 0.0)
    q_back = inv_x2 * (jnp.real(s_back) ** 2 + jnp.imag(s_back) ** 2)
    return MieEfficiencies(q_ext, q_sca, q_ext - q_sca, q_back, q_ext - g_q, g)


_efficiencies_jit = jax.jit(_efficiencies, static_argnums=3)


def _points(*arrays):
    """Number of spheres of a broadcast batch (static shapes)."""
    return int(np.prod(np.broadcast_shapes(*(_checks._shape("x", a) for a in arrays))))


def mie_efficiencies(x, m, l_max: int | None = None, mu=1.0, *, memory_limit=None) -> MieEfficiencies:
    """Extinction, scattering, absorption, backscattering and radiation-pressure efficiencies (dimensionless) and g.

    Arguments:
        x: size parameter k_host R (real, > 0), any shape.
        m: relative refractive index n_sphere/n_host (complex, Im m > 0 absorbs), broadcast with x.
        l_max: highest multipole order (static int); None = Wiscombe's rule for the largest x
               (needs concrete x; pass it explicitly under jit/vmap/grad).
        mu: relative permeability of the sphere (default 1).
        memory_limit: bytes (or "8GB") above which the call raises ValueError before tracing (default: jaxem's
            limit, half of the machine's memory or $JAXEM_MEMORY_LIMIT); l_max above MAX_MIE_ORDER = 1e6
            (x > 1e6, e.g. a radius in metres where micrometres were meant) always raises.
    Returns:
        MieEfficiencies(q_ext, q_sca, q_abs, q_back, q_pr, g), float64 arrays of the broadcast shape:
        Q_ext = (2/x^2) sum (2l+1) Re(a_l + b_l), Q_sca = (2/x^2) sum (2l+1)(|a_l|^2 + |b_l|^2),
        Q_abs = Q_ext - Q_sca, Q_back = |sum (2l+1)(-1)^l (a_l - b_l)|^2 / x^2 (Bohren-Huffman),
        g Q_sca = (4/x^2)[sum l(l+2)/(l+1) Re(a_l a*_{l+1} + b_l b*_{l+1}) + sum (2l+1)/(l(l+1)) Re(a_l b*_l)],
        Q_pr = Q_ext - g Q_sca. Cross sections: sigma = Q pi R^2.

    Source: Bohren & Huffman (1983), Secs. 4.4-4.5 and 4.8; Wiscombe, Appl. Opt. 19, 1505 (1980).
    """
    _check_sphere(x, m, mu)
    l_max = resolve_lmax(x, l_max, _points(x, m, mu), memory_limit)
    return _efficiencies_jit(*_canonical(x, m, mu), l_max)


def _amplitude(x, m, mu, cos_theta, l_max):
    a, b = _mie_ab(x, m, mu, l_max)
    pi_l, tau_l = _special.angular_functions(cos_theta, l_max)
    n = np.arange(1, l_max + 1, dtype=np.float64)
    w = (2.0 * n + 1.0) / (n * (n + 1.0))
    pi_l = pi_l[..., 1:]
    tau_l = tau_l[..., 1:]
    batch = a.shape[:-1]
    ang = pi_l.shape[:-1]
    a = (w * a).reshape(batch + (1,) * len(ang) + (l_max,))
    b = (w * b).reshape(batch + (1,) * len(ang) + (l_max,))
    s1 = jnp.sum(a * pi_l + b * tau_l, axis=-1)
    s2 = jnp.sum(a * tau_l + b * pi_l, axis=-1)
    return s1, s2


_amplitude_jit = jax.jit(_amplitude, static_argnums=4)


def amplitude_matrix(x, m, theta, l_max: int | None = None, mu=1.0):
    """Diagonal far-field amplitude-matrix elements S1(theta), S2(theta) (dimensionless) of a sphere (Bohren-Huffman).

    Arguments:
        x: size parameter k_host R (real, > 0), any shape B.
        m: relative refractive index (complex), broadcast with x.
        theta: scattering angles [rad], any shape T (0 = forward).
        l_max: highest order (static int); None = Wiscombe's rule (concrete x only).
        mu: relative permeability of the sphere (default 1).
    Returns:
        (S1, S2): complex128 arrays of shape B + T,
        S1 = sum (2l+1)/(l(l+1)) (a_l pi_l + b_l tau_l), S2 = sum (2l+1)/(l(l+1)) (a_l tau_l + b_l pi_l),
        pi_l, tau_l at cos(theta) (S_TE,TE = S1, S_TM,TM = S2 in the plane-wave notation).
        Perpendicular/parallel scattered intensities are |S1|^2, |S2|^2 (times 1/(k r)^2).

    Source: Bohren & Huffman (1983), Sec. 4.4; Schoger, Dissertation (Augsburg 2024), Eq. (4.27).
    """
    _check_sphere(x, m, mu)
    _checks.check_real("theta", theta)
    l_max = resolve_lmax(x, l_max, 4 * _points(x, m, mu) * max(int(np.prod(_checks._shape("theta", theta))), 1))
    cos_theta = jnp.cos(jnp.asarray(theta, dtype=jnp.float64))
    return _amplitude_jit(*_canonical(x, m, mu), cos_theta, l_max)


def _dipole(k, radius, m, mu):
    x = k * radius
    a, b = _mie_ab(x, m, mu, 1)
    pref = 6.0j * jnp.pi / jnp.asarray(k, jnp.float64) ** 3
    return pref * a[..., 0], pref * b[..., 0]


_dipole_jit = jax.jit(_dipole)


def dipole_polarizabilities(k, radius, m, mu=1.0):
    """Electric and magnetic dipole polarizabilities (alpha_e, alpha_m) [m^3] of a sphere from its first Mie coefficients.

    Arguments:
        k: wave number in the host medium k = n_host omega / c [1/m] (> 0).
        radius: sphere radius R [m] (> 0).
        m: relative refractive index n_sphere/n_host (complex).
        mu: relative permeability of the sphere (default 1).
    Returns:
        (alpha_e, alpha_m) [m^3], complex128: alpha_e = 6 pi i a_1/k^3, alpha_m = 6 pi i b_1/k^3
        (p = eps_0 eps_host alpha_e E, m = alpha_m H). Rayleigh limit:
        alpha_e -> 4 pi R^3 (m^2-1)/(m^2+2).

    Source: A. Muster and L. S. Froufe-Pérez, "Pure many-body interactions in colloidal systems by
    artificial random light fields", arXiv:2510.03503 (2025), Mie-fit section.
    """
    _checks.check_positive("k", k)
    _checks.check_positive("radius", radius)
    _checks.check_nonzero("m", m)
    _checks.check_nonzero("mu", mu)
    k, radius, m, mu = _canonical(k, radius, m, mu)
    return _dipole_jit(k, jnp.real(radius), m, mu)


# ---------------------------------------------------------------------------------------------
# bi-isotropic, PEMC and perfectly conducting spheres (2x2 per order)

def _bi_isotropic_matrix(x, eps, mu, chi, kappa, l_max):
    x = jnp.asarray(x, dtype=jnp.float64)
    eps, mu, chi, kappa = (jnp.asarray(v, dtype=jnp.complex128) for v in (eps, mu, chi, kappa))
    x, eps, mu, chi, kappa = jnp.broadcast_arrays(x, eps, mu, chi, kappa)
    xs = _safe_size_parameter(x)
    n0 = jnp.sqrt(eps * mu - chi * chi)
    # Schoger Eq. (1.10) and Eq. (4.13) (corrected: imaginary part linear in chi): n_{L,R} = n0 -+ kappa,
    # m_+- = sqrt(mu/eps) e^{-+ i phi_T} = (n0 -+ i chi)/eps
    m_left = n0 - kappa
    m_right = n0 + kappa
    m_plus = (n0 - 1j * chi) / eps
    m_minus = (n0 + 1j * chi) / eps
    dpsi, d_left, d_right = _psi_log_derivatives(xs, [m_left * xs, m_right * xs], l_max)
    r, p, dxi = _exterior(xs, dpsi)      # order axis first from here on
    # Schoger (4.11)-(4.16) at x = -i w with m_L' = m_-, m_R' = m_+; R A^J, R B^J written with
    # P = R Dpsi (accurate near zeros of psi)
    ra_l = p - m_minus * d_left * r
    ra_r = p - m_plus * d_right * r
    rb_l = m_minus * p - d_left * r
    rb_r = m_plus * p - d_right * r
    v_l = -dxi + m_minus * d_left
    v_r = -dxi + m_plus * d_right
    w_l = -m_minus * dxi + d_left
    w_r = -m_plus * dxi + d_right
    den = w_r * v_l + w_l * v_r
    r_ee = -(w_r * ra_l + w_l * ra_r) / den
    r_mm = -(v_r * rb_l + v_l * rb_r) / den
    # 1/xi_l^2 = i (P_l - R_l Dxi_l) (Wronskian psi xi' - psi' xi = i): no overflow for l >> x
    inv_xi2 = 1j * (p - r * dxi)
    r_me = -inv_xi2 * (m_minus * d_right - m_plus * d_left) / den
    r_em = -inv_xi2 * (m_minus * d_left - m_plus * d_right) / den
    mat = jnp.stack([jnp.stack([r_ee, r_em], axis=-1), jnp.stack([r_me, r_mm], axis=-1)], axis=-2)
    return _nan_unless_positive(x, jnp.moveaxis(mat, 0, -3))


_bi_isotropic_jit = jax.jit(_bi_isotropic_matrix, static_argnums=5)


def bi_isotropic_reflection_matrix(x, eps, mu, chi, kappa, l_max: int):
    """2x2 (E, M) reflection matrix (dimensionless) per multipole order of a bi-isotropic sphere at real frequency.

    All material parameters are relative to the isotropic, lossless host eps_h, mu_h, n_h = sqrt(eps_h mu_h).

    Arguments:
        x: size parameter k_host R = omega n_h R / c (real, > 0), any shape.
        eps: relative permittivity eps/eps_h (complex).
        mu: relative permeability mu/mu_h (complex).
        chi: relative Tellegen parameter chi/n_h (Lindell: alpha = chi - i kappa, beta = chi + i kappa
             in D = eps0 eps E + (alpha/c) H, B = (beta/c) E + mu0 mu H).
        kappa: relative chirality kappa/n_h (same convention; treams' kappa is -kappa).
        l_max: highest order (static int >= 1).
    Returns:
        complex128 array of shape broadcast.shape + (l_max, 2, 2), entries
        [[r^EE, r^EM], [r^ME, r^MM]] for l = 1..l_max in the convention
        (a_lm, b_lm) = -[[r^EE, i r^EM], [-i r^ME, r^MM]] (e_lm, f_lm), written in Riccati-Bessel form.
        Isotropic (chi = kappa = 0): diag(a_l, b_l) of Bohren-Huffman; reciprocal (chi = 0):
        r^EM = -r^ME; Tellegen-only (kappa = 0): r^EM = r^ME.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (1.7), (1.10), (4.10)-(4.16) continued to real frequency
    (x = -i w); corrected: the relative impedances (4.13) (imaginary part linear in chi) and the
    helicity assignment L <-> m_-, R <-> m_+ in (4.12) (checked in tests/test_mie.py and
    tests/test_mie_imaginary.py).
    """
    _check_size_parameter("x", x)
    for name, v in (("eps", eps), ("mu", mu), ("chi", chi), ("kappa", kappa)):
        _check_complex_finite(name, v)
    l_max = _checks.check_int("l_max", l_max, minimum=1)
    return _bi_isotropic_jit(*_canonical(x, eps, mu, chi, kappa), l_max)


def _pemc_matrix(x, theta, l_max):
    x = jnp.asarray(x, dtype=jnp.float64)
    theta = jnp.asarray(theta, dtype=jnp.float64)
    x, theta = jnp.broadcast_arrays(x, theta)
    xs = _safe_size_parameter(x)
    (dpsi,) = _psi_log_derivatives(xs, [], l_max)
    r, p, dxi = _exterior(xs, dpsi)      # order axis first from here on
    # PEC: r^EE = psi'/xi' = P/Dxi, r^MM = psi/xi = R; PEMC = D(theta) diag(PEC) D(theta)^T
    # (Schoger (4.17), (4.56); (4.18) sign-corrected; continued to real frequency)
    r_e = p / dxi
    r_m = r
    c = jnp.cos(theta)
    s = jnp.sin(theta)
    r_ee = c * c * r_e + s * s * r_m
    r_mm = s * s * r_e + c * c * r_m
    r_mix = c * s * (r_m - r_e)
    mat = jnp.stack([jnp.stack([r_ee, r_mix], axis=-1), jnp.stack([r_mix, r_mm], axis=-1)], axis=-2)
    return _nan_unless_positive(x, jnp.moveaxis(mat, 0, -3))


_pemc_jit = jax.jit(_pemc_matrix, static_argnums=2)


def pemc_reflection_matrix(x, theta, l_max: int):
    """2x2 (E, M) reflection matrix (dimensionless) per order of a perfect-electromagnetic-conductor sphere (real frequency).

    Arguments:
        x: size parameter k_host R (real, > 0), any shape.
        theta: PEMC duality angle [rad] (0 = perfect electric conductor, pi/2 = perfect magnetic
               conductor), broadcast with x.
        l_max: highest order (static int >= 1).
    Returns:
        complex128 array of shape broadcast.shape + (l_max, 2, 2), [[r^EE, r^EM], [r^ME, r^MM]]:
        D(theta) diag(r^EE_PEC, r^MM_PEC) D(theta)^T with r^EE_PEC = psi_l'(x)/xi_l'(x),
        r^MM_PEC = psi_l(x)/xi_l(x), D(theta) = [[cos, sin], [-sin, cos]].

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.17)-(4.18) and (4.56), continued to real frequency; the printed
    mixing coefficient (4.18) has the wrong overall sign (fixed by duality covariance).
    """
    _check_size_parameter("x", x)
    _checks.check_real("theta", theta)
    l_max = _checks.check_int("l_max", l_max, minimum=1)
    x, theta = _canonical(x, theta)
    return _pemc_jit(x, jnp.real(theta), l_max)


def sphere_reflection_matrix(omega, radius, material, l_max: int, medium=None):
    """2x2 (E, M) reflection matrix (dimensionless) per multipole order of a sphere of a given material at real frequency.

    Arguments:
        omega: angular frequency [rad/s] (> 0), any shape.
        radius: sphere radius [m] (> 0).
        material: a jaxem.materials module (Dielectric, Drude, Plasma, LorentzOscillators, BiIsotropic,
                  PEMC, PerfectConductor).
        l_max: highest order (static int >= 1).
        medium: host material (isotropic, lossless at omega); None = vacuum.
    Returns:
        complex128 array of shape omega.shape + (l_max, 2, 2), [[r^EE, r^EM], [r^ME, r^MM]] in the
        convention of the module docstring.

    Source: see :func:`mie_coefficients`, :func:`bi_isotropic_reflection_matrix` and
    :func:`pemc_reflection_matrix`.
    """
    from jaxem import materials as _materials

    _checks.check_positive("omega", omega)
    _checks.check_positive("radius", radius)
    l_max = _checks.check_int("l_max", l_max, minimum=1)
    _checks.check_material("material", material)
    _checks.check_material("medium", medium, allow_none=True)
    omega = jnp.asarray(omega, dtype=jnp.float64)
    if medium is None:
        eps_h = jnp.ones_like(omega, dtype=jnp.complex128)
        mu_h = jnp.ones_like(omega, dtype=jnp.complex128)
    else:
        if not isinstance(medium, _materials.Material) or getattr(medium, "kind", None) in (
                "perfect_conductor", "pemc", "bi_isotropic"):
            raise ValueError(f"medium must be an isotropic jaxem.materials module, got {medium!r}")
        eps_h = jnp.asarray(medium.epsilon(omega), jnp.complex128) * jnp.ones_like(omega)
        mu_h = jnp.asarray(medium.mu(omega), jnp.complex128) * jnp.ones_like(omega)
        if _checks.is_concrete((eps_h, mu_h)):
            if np.any(np.abs(np.imag(np.asarray(eps_h))) > 0) or np.any(np.abs(np.imag(np.asarray(mu_h))) > 0):
                raise ValueError("medium must be lossless at omega (real eps and mu), got an absorbing host")
            if np.any(np.real(np.asarray(eps_h)) <= 0) or np.any(np.real(np.asarray(mu_h)) <= 0):
                raise ValueError("medium must have eps > 0 and mu > 0 at omega")
    n_h = jnp.sqrt(jnp.real(eps_h) * jnp.real(mu_h))
    x = omega * n_h * radius / _const.c
    kind = getattr(material, "kind", None)
    if not isinstance(material, _materials.Material) or kind is None:
        raise ValueError(f"material must be a jaxem.materials module, got {material!r}")
    if kind in ("perfect_conductor", "pemc"):
        x, theta = _canonical(x, material.theta if kind == "pemc" else 0.0)
        return _pemc_jit(x, jnp.real(theta), l_max)
    eps = jnp.asarray(material.epsilon(omega), jnp.complex128) / eps_h
    mu = jnp.asarray(material.mu(omega), jnp.complex128) / mu_h
    if kind == "bi_isotropic":
        chi = jnp.asarray(material.chi(omega), jnp.complex128) / n_h
        kappa = jnp.asarray(material.kappa(omega), jnp.complex128) / n_h
        return _bi_isotropic_jit(*_canonical(x, eps, mu, chi, kappa), l_max)
    a, b = _mie_ab_jit(*_canonical(x, jnp.sqrt(eps * mu), mu), l_max)
    zeros = jnp.zeros_like(a)
    return jnp.stack([jnp.stack([a, zeros], axis=-1), jnp.stack([zeros, b], axis=-1)], axis=-2)
