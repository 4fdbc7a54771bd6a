"""Spherical Bessel, Hankel and Riccati-Bessel functions of complex argument, and their ratios.

Conventions (Bohren & Huffman 1983, Sec. 4.4; Schoger, Dissertation (Augsburg 2024), Sec. 3.2):
psi_l(z) = z j_l(z),  xi_l(z) = z h_l^(1)(z),
h_l^(1) = j_l + i y_l (outgoing wave for e^{-i omega t}).  All functions take a static int
``l_max`` and an argument z of any shape (real or complex) and return orders l = 0..l_max on a new
last axis: shape z.shape + (l_max + 1,).

Algorithms (stable for every complex z; Bessel ratios by continued fractions, Lentz, Appl. Opt. 15, 668 (1976)):
- j_l: ratios j_{l-1}/j_l by the downward recurrence from a Lentz continued fraction; j_l is
  rebuilt from j_0 by these ratios, except in the oscillatory region l <= |Re z| near the real axis
  (|Im z| < 1) where the ratio route is ill-conditioned at zeros of j_l and the upward recurrence
  is stable (error growth <= e^{2|Im z|}).
- h^(1)_l (Im z >= 0) or h^(2)_l (Im z < 0): upward recurrence (the dominant solution there);
  the other Hankel function and y_l follow from j_l without cancellation.
- Everything is carried exponentially scaled (j, y by e^{-|Im z|}, h^(1) by e^{Im z}) and with
  power-of-two renormalised mantissas; psi_l/xi_l and the log-derivatives are built from ratios of
  consecutive orders, so they never overflow.
- XLA's branchy complex division is avoided in the Lentz and ratio loops (_recurrence.reciprocal);
  the upward j, h recurrences keep true division (its single rounding matters over 1e4 orders).
Derivatives with respect to z are ``custom_jvp`` rules from the analytic identities
f_l' = (l f_{l-1} - (l+1) f_{l+1})/(2l+1), D' = l(l+1)/z^2 - 1 - D^2 and (psi/xi)' = -i/xi^2,
so ``grad`` / ``jacfwd`` (any order) are exact and cheap; l is static and never differentiated.
Values are carried as mantissa x 2^exponent x e^{-+|Im z|} inside the recurrences, so j, y, h come
back wherever they are representable, also for |Im z| > 700 and l >> |z|. Measured accuracy:
docs/accuracy.md ("Spherical Bessel functions").
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

from jaxem import _checks
from jaxem.special._recurrence import downward_ratios, log_derivative_psi_downward, reciprocal

__all__ = [
    "spherical_jn",
    "spherical_yn",
    "spherical_hankel1",
    "riccati_bessel",
    "log_derivative_psi",
    "log_derivative_xi",
    "ratio_psi_xi",
]

_CPLX = jnp.complex128
_NEG_I_INF = complex(0.0, -float("inf"))


# ---------------------------------------------------------------------------------------------
# validation (public boundary)

def _check_args(z, l_max):
    l_max = _checks.check_int("l_max", l_max, minimum=0)
    _checks.check_finite("z", z)
    z = jnp.asarray(z)
    if not (jnp.issubdtype(z.dtype, jnp.floating) or jnp.issubdtype(z.dtype, jnp.complexfloating)):
        z = z.astype(jnp.float64)
    elif z.dtype == jnp.float32:
        z = z.astype(jnp.float64)
    elif z.dtype == jnp.complex64:
        z = z.astype(_CPLX)
    return z, l_max


def _orders(l_max, dtype=jnp.float64):
    return jnp.arange(l_max + 1, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# scaled cores (not differentiated; custom_jvp rules live on the public functions)

def _scaled_sin_cos(z):
    """sin z e^{-|Im z|}, cos z e^{-|Im z|}: bounded for every z, accurate at small |z|.

    Written with real functions: sin(a+ib) = sin a cosh b + i cos a sinh b, and
    cosh b e^{-|b|} = (1+E)/2, sinh b e^{-|b|} = sgn(b)(1-E)/2 with E = e^{-2|b|} (expm1 keeps
    the digits of sinh at small b).
    """
    a, b = jnp.real(z), jnp.imag(z)
    e = jnp.exp(-2.0 * jnp.abs(b))
    ch = 0.5 * (1.0 + e)
    sh = -0.5 * jnp.sign(b) * jnp.expm1(-2.0 * jnp.abs(b))
    sa, ca = jnp.sin(a), jnp.cos(a)
    return lax.complex(sa * ch, ca * sh), lax.complex(ca * ch, -sa * sh)


def _cis(a):
    """e^{i a} for real a (real sin/cos: cheaper to compile than complex exp)."""
    return lax.complex(jnp.cos(a), jnp.sin(a))


# Mantissas are renormalised by an exact power of two whenever they leave [2^-500, 2^500]; the
# exponent travels alongside, so values re-entering the float64 range after 1e4 orders survive.
_RENORM_BITS = 500.0


def _renormalise(value, partner, exponent):
    """Rescale (value, partner) by 2^-k so |value| ~ 1 when it drifts out of range; exponent += k."""
    mag = jnp.abs(value)
    drift = (mag > 2.0**_RENORM_BITS) | ((mag < 2.0**-_RENORM_BITS) & (mag > 0))
    k = jnp.where(drift, jnp.round(jnp.log2(jnp.where(mag > 0, mag, 1.0))), 0.0)
    f = jnp.exp2(-k)
    return value * f, partner * f, exponent + k


def _j_mantissa(z, L):
    """j_l(z) = m_l 2^{e_l} e^{|Im z|} for l = 0..L (z != 0), with r_l = j_{l-1}/j_l and the
    upward-region mask."""
    absa, absb = jnp.abs(jnp.real(z)), jnp.abs(jnp.imag(z))
    sin_s, cos_s = _scaled_sin_cos(z)
    j0 = sin_s / z
    zero_exp = jnp.zeros(z.shape + (1,))
    if L == 0:
        return j0[..., None], zero_exp, None, None
    jm1 = cos_s / z
    ratios = downward_ratios(z, L, 1.0)            # j_{l-1}/j_l, l = 1..L
    ls = jnp.arange(1, L + 1, dtype=jnp.float64)
    upward = (absb < 1.0)[..., None] & (ls <= absa[..., None])

    def step(carry, xs):
        j_prev, j_prev2, e = carry
        l, r, up_mask = xs
        # true division: the extra rounding of (2l-1) * (1/z) accumulates over 1e4 oscillatory orders
        up = ((2 * l - 1) / z) * j_prev - j_prev2
        down = j_prev * reciprocal(r)
        j_l = jnp.where(up_mask, up, down)
        j_l, j_prev, e = _renormalise(j_l, j_prev, e)
        return (j_l, j_prev, e), (j_l, e)

    init = (j0, jm1, jnp.zeros(z.shape))
    _, (js, es) = lax.scan(step, init, (ls, jnp.moveaxis(ratios, -1, 0), jnp.moveaxis(upward, -1, 0)))
    mant = jnp.concatenate([j0[..., None], jnp.moveaxis(js, 0, -1)], axis=-1)
    expo = jnp.concatenate([zero_exp, jnp.moveaxis(es, 0, -1)], axis=-1)
    return mant, expo, ratios, upward


def _h_upper_mantissa(w, L):
    """h^(1)_l(w) = m_l 2^{e_l} e^{-Im w} for Im w >= 0 by upward recurrence (dominant), l = 0..L."""
    e = _cis(jnp.real(w))
    inv_w = reciprocal(w)
    h0 = -1j * e * inv_w
    h1 = -(w + 1j) * e * inv_w * inv_w
    zero_exp = jnp.zeros(w.shape)
    if L == 0:
        return h0[..., None], zero_exp[..., None]
    if L == 1:
        return jnp.stack([h0, h1], -1), jnp.stack([zero_exp, zero_exp], -1)

    def step(carry, l):
        h_prev, h_prev2, ex = carry
        h_l = ((2 * l - 1) / w) * h_prev - h_prev2
        h_l, h_prev, ex = _renormalise(h_l, h_prev, ex)
        return (h_l, h_prev, ex), (h_l, ex)

    ls = jnp.arange(2, L + 1, dtype=jnp.float64)
    _, (hs, es) = lax.scan(step, (h1, h0, zero_exp), ls)
    mant = jnp.concatenate([h0[..., None], h1[..., None], jnp.moveaxis(hs, 0, -1)], axis=-1)
    expo = jnp.concatenate([zero_exp[..., None], zero_exp[..., None], jnp.moveaxis(es, 0, -1)], axis=-1)
    return mant, expo


def _apply_scale(v, t):
    """v e^{t} (t real, possibly beyond +-709) without spurious overflow or 0 * inf = nan.

    Two half-steps (v = 1e-300, t = 800 gives 1e47 where e^{800} alone overflows), applied to the
    real and imaginary parts separately so that an exactly-zero part stays zero.
    """
    half = jnp.exp(0.5 * t)

    def part(x):
        return jnp.where(x == 0, 0.0, (x * half) * half)

    if jnp.iscomplexobj(v):
        return lax.complex(part(jnp.real(v)), part(jnp.imag(v)))
    return part(v)


def _times_i(v, sign):
    """sign * i * v as a component swap (i * inf must not produce nan)."""
    return lax.complex(-sign * jnp.imag(v), sign * jnp.real(v))


def _spherical_core(z, L):
    """j_l, y_l, h_l^(1) for l = 0..L, plus what the ratio functions reuse.

    Returns (j, y, h, psi_0/xi_0, r, upward, h_low) with r_l = j_{l-1}/j_l, the upward-region mask
    and h_low = h^(1) e^{-|Im z|} (used for Im z < 0 only).
    """
    z = z.astype(_CPLX)
    is_zero = z == 0
    zs = jnp.where(is_zero, 1.0 + 0j, z)
    b = jnp.imag(zs)[..., None]
    upper = b >= 0
    j_m, j_e, ratios, upward = _j_mantissa(zs, L)
    w = jnp.where(jnp.imag(zs) >= 0, zs, jnp.conj(zs))
    h_m, h_e = _h_upper_mantissa(w, L)
    h_m = jnp.where(upper, h_m, jnp.conj(h_m))        # h^(1) (b >= 0) or h^(2) (b < 0)
    ln2 = jnp.log(2.0)
    j = _apply_scale(j_m, j_e * ln2 + jnp.abs(b))
    big_h = _apply_scale(h_m, h_e * ln2 - jnp.abs(b))
    # b >= 0: h1 = H, y = i (j - H);  b < 0: H = h2, h1 = 2 j - H, y = -i (j - H)
    h = jnp.where(upper, big_h, 2.0 * j - big_h)
    y = _times_i(j - big_h, jnp.where(upper, 1.0, -1.0))
    # real argument: y and Im h are exactly Im of the upward Hankel recurrence
    real_arg = b == 0
    y = jnp.where(real_arg, jnp.imag(big_h) + 0j, y)
    h = jnp.where(real_arg, lax.complex(jnp.real(j), jnp.imag(big_h)), h)
    # h^(1) e^{-|b|} for b < 0, finite where h itself overflows: its consecutive ratios feed _xi_ratios
    h_low = 2.0 * _apply_scale(j_m, j_e * ln2) - _apply_scale(h_m, h_e * ln2 - 2.0 * jnp.abs(b))
    # psi_0/xi_0 from the unrenormalised l = 0 values (j~ = j e^{-|b|}, H~ = H e^{|b|}):
    # h1~_0 = H~_0 (b >= 0) or 2 j~_0 - H~_0 e^{-2|b|} (b < 0); ratio scale e^{|b| + b}
    b0 = b[..., 0]
    h1_0 = jnp.where(b0 >= 0, h_m[..., 0], 2.0 * j_m[..., 0] - h_m[..., 0] * jnp.exp(-2.0 * jnp.abs(b0)))
    r0 = _apply_scale(j_m[..., 0] / h1_0, jnp.abs(b0) + b0)
    # z = 0: j_l(0) = delta_{l0}; y, h infinite; psi_0/xi_0 = 0
    delta = (jnp.arange(L + 1) == 0).astype(_CPLX)
    zero = is_zero[..., None]
    j = jnp.where(zero, delta, j)
    y = jnp.where(zero, -jnp.inf + 0j, y)
    h = jnp.where(zero, _NEG_I_INF, h)
    r0 = jnp.where(is_zero, 0.0, r0)
    return j, y, h, r0, ratios, upward, h_low


def _as_real_if(x, real):
    return jnp.real(x) if real else x


def _recurrence_derivative(f_ext):
    """f_l' = (l f_{l-1} - (l+1) f_{l+1})/(2l+1) for l = 0..L-1 from f_0..f_L (regular at z = 0)."""
    L = f_ext.shape[-1] - 1
    l = jnp.arange(L, dtype=jnp.float64)
    f_prev = jnp.concatenate([jnp.zeros_like(f_ext[..., :1]), f_ext[..., : L - 1]], axis=-1)
    return (l * f_prev - (l + 1) * f_ext[..., 1:]) / (2 * l + 1)


# ---------------------------------------------------------------------------------------------
# spherical Bessel and Hankel functions

@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _spherical_jn(z, l_max):
    return _as_real_if(_spherical_core(z, l_max)[0], not jnp.iscomplexobj(z))


@_spherical_jn.defjvp
def _spherical_jn_jvp(l_max, primals, tangents):
    (z,), (dz,) = primals, tangents
    f = _spherical_jn(z, l_max + 1)
    return f[..., :-1], _recurrence_derivative(f) * dz[..., None]


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _spherical_yn(z, l_max):
    return _as_real_if(_spherical_core(z, l_max)[1], not jnp.iscomplexobj(z))


@_spherical_yn.defjvp
def _spherical_yn_jvp(l_max, primals, tangents):
    (z,), (dz,) = primals, tangents
    f = _spherical_yn(z, l_max + 1)
    return f[..., :-1], _recurrence_derivative(f) * dz[..., None]


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _spherical_hankel1(z, l_max):
    return _spherical_core(z, l_max)[2]


@_spherical_hankel1.defjvp
def _spherical_hankel1_jvp(l_max, primals, tangents):
    (z,), (dz,) = primals, tangents
    f = _spherical_hankel1(z, l_max + 1)
    return f[..., :-1], _recurrence_derivative(f) * dz[..., None]


def spherical_jn(z, l_max: int):
    """Spherical Bessel functions of the first kind j_l(z), l = 0..l_max (dimensionless).

    Arguments:
        z: argument (dimensionless, e.g. k r or m k R), real or complex, any shape.
        l_max: highest order (static int >= 0).
    Returns:
        array z.shape + (l_max+1,); real for real z, complex128 for complex z. j_l(0) = delta_{l0}.

    Source: DLMF 10.47 (definition), 10.51 (recurrences).
    """
    z, l_max = _check_args(z, l_max)
    return _spherical_jn_jit(z, l_max)


def spherical_yn(z, l_max: int):
    """Spherical Bessel functions of the second kind y_l(z), l = 0..l_max (dimensionless; singular at z = 0).

    Arguments:
        z: argument (dimensionless), real or complex, any shape; z != 0.
        l_max: highest order (static int >= 0).
    Returns:
        array z.shape + (l_max+1,); real for real z. Overflows to -inf only where |y_l| > 1e308.

    Source: DLMF 10.47 (definition), 10.51 (recurrences).
    """
    z, l_max = _check_args(z, l_max)
    return _spherical_yn_jit(z, l_max)


def spherical_hankel1(z, l_max: int):
    """Outgoing spherical Hankel functions h_l^(1)(z) = j_l(z) + i y_l(z), l = 0..l_max (dimensionless).

    Arguments:
        z: argument (dimensionless), real or complex, any shape; z != 0.
        l_max: highest order (static int >= 0).
    Returns:
        complex128 array z.shape + (l_max+1,) (outgoing for time dependence e^{-i omega t}).

    Source: DLMF 10.47; convention of Schoger, Dissertation (Augsburg 2024), Sec. 3.2.
    """
    z, l_max = _check_args(z, l_max)
    return _spherical_hankel1_jit(z, l_max)


def riccati_bessel(z, l_max: int):
    """Riccati-Bessel functions psi_l(z) = z j_l(z) and xi_l(z) = z h_l^(1)(z), l = 0..l_max (dimensionless).

    Arguments:
        z: argument (dimensionless size parameter), real or complex, any shape.
        l_max: highest order (static int >= 0).
    Returns:
        (psi, xi), each z.shape + (l_max+1,); psi real for real z, xi complex128.
        For Mie coefficients prefer the overflow-free ratios log_derivative_psi,
        log_derivative_xi and ratio_psi_xi.

    Source: Bohren & Huffman, Absorption and Scattering of Light by Small Particles (1983), Sec. 4.4.
    """
    z, l_max = _check_args(z, l_max)
    zl = z[..., None]
    return _riccati_jit(z, l_max)


# ---------------------------------------------------------------------------------------------
# ratios used by Mie theory

def _log_derivative_psi_primal(z, l_max):
    zc = z.astype(_CPLX)
    zs = jnp.where(zc == 0, 1.0 + 0j, zc)
    r = downward_ratios(zs, l_max + 1, 1.0)        # r_n = j_{n-1}/j_n, n = 1..l_max+1
    l = _orders(l_max)
    # D_l = psi_l'/psi_l = (l+1)/z - j_{l+1}/j_l
    d = (l + 1) / zs[..., None] - 1.0 / r
    return jnp.where((zc == 0)[..., None], jnp.inf + 0j, d)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _log_derivative_psi(z, l_max):
    return _as_real_if(_log_derivative_psi_primal(z, l_max), not jnp.iscomplexobj(z))


def _riccati_ode_jvp(fn, l_max, primals, tangents):
    # psi_l and xi_l both solve u'' = (l(l+1)/z^2 - 1) u, so D = u'/u obeys D' = l(l+1)/z^2 - 1 - D^2
    (z,), (dz,) = primals, tangents
    d = fn(z, l_max)
    l = _orders(l_max)
    zl = z[..., None]
    return d, (l * (l + 1) / (zl * zl) - 1.0 - d * d) * dz[..., None]


_log_derivative_psi.defjvp(functools.partial(_riccati_ode_jvp, _log_derivative_psi))


def log_derivative_psi(z, l_max: int):
    """Logarithmic derivative D_l(z) = psi_l'(z)/psi_l(z) of the Riccati-Bessel function, l = 0..l_max (units of 1/z).

    Downward recurrence D_{l-1} = l/z - 1/(D_l + l/z) started from a Lentz continued fraction, so it
    is valid for absorbing spheres (z = m x with large Im m, x up to 1e4 and beyond) where psi_l
    itself overflows.

    Arguments:
        z: argument (dimensionless, typically m x), real or complex, any shape; z != 0.
        l_max: highest order (static int >= 0).
    Returns:
        array z.shape + (l_max+1,); real for real z (poles at zeros of psi_l), else complex128.

    Source: Bohren & Huffman (1983), Sec. 4.8 (downward recurrence); Wiscombe, Appl. Opt. 19,
    1505 (1980); Lentz, Appl. Opt. 15, 668 (1976) (continued-fraction start).
    """
    z, l_max = _check_args(z, l_max)
    return _log_derivative_psi_jit(z, l_max)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def log_derivative_psi_columns(zs, l_max):
    """D_n(z) = psi_n'(z)/psi_n(z) for n = 1..l_max, order axis FIRST: shape (l_max,) + z.shape.

    The kernel the Mie scans consume: the same quantity as
    :func:`log_derivative_psi` without the l = 0 entry, laid out for ``lax.scan`` over orders, from
    the downward recurrence of :func:`jaxem.special._recurrence.log_derivative_psi_downward`
    (Debye-estimated start instead of a Lentz continued fraction; real z in real arithmetic).
    zs: a tuple of arguments (e.g. (x, m x)), computed in one loop; returns a tuple.
    Pure and traceable (l_max static); derivative by the Riccati ODE D' = n(n+1)/z^2 - 1 - D^2.
    No argument checks (internal): z != 0, finite.
    """
    return tuple(log_derivative_psi_downward(tuple(zs), l_max))


@log_derivative_psi_columns.defjvp
def _log_derivative_psi_columns_jvp(l_max, primals, tangents):
    (zs,), (dzs,) = primals, tangents
    ds = log_derivative_psi_columns(zs, l_max)
    out = []
    for z, d, dz in zip(zs, ds, dzs):
        n = jnp.arange(1, l_max + 1, dtype=jnp.float64).reshape((l_max,) + (1,) * jnp.ndim(z))
        inv_z = 1.0 / z
        out.append((n * (n + 1.0) * (inv_z * inv_z) - 1.0 - d * d) * dz)
    return ds, tuple(out)


def _xi_ratios(zs, h_low, L):
    """q_l = xi_{l-1}/xi_l for l = 1..L (zs != 0).

    Im z >= 0: xi is the dominant solution and q obeys the stable upward recurrence
    q_{l+1} = 1/((2l+1)/z - q_l), which never overflows (unlike xi itself at small z).
    Im z < 0: xi = z(2 j - h^(2)) is not dominant for l < |z|; q comes from the ratios of
    h_low = h^(1) e^{-|Im z|} where these are finite, and from the (then stable, l > |z|) upward
    recurrence past their overflow.
    """
    upper = jnp.imag(zs) >= 0
    num, den = h_low[..., :-1], h_low[..., 1:]
    q_arr = num / jnp.where(den != 0, den, 1.0)
    arr_ok = jnp.isfinite(num) & jnp.isfinite(den) & (den != 0) & ~upper[..., None]
    q1 = 1j * zs / (zs + 1j)
    inv_z = reciprocal(zs)

    def step(q_prev, xs):
        l, qa, ok = xs
        q_l = jnp.where(ok, qa, reciprocal((2 * l - 1) * inv_z - q_prev))
        return q_l, q_l

    ls = jnp.arange(1, L + 1, dtype=jnp.float64)
    # l = 1 enters with q_0 chosen so that the recurrence returns q1: 1/(1/z - q_0) = q1
    q0 = 1.0 / zs - 1.0 / q1
    _, qs = lax.scan(step, q0, (ls, jnp.moveaxis(q_arr, -1, 0), jnp.moveaxis(arr_ok, -1, 0)))
    return jnp.moveaxis(qs, 0, -1)


def _log_derivative_xi_primal(z, l_max):
    zc = z.astype(_CPLX)
    zs = jnp.where(zc == 0, 1.0 + 0j, zc)
    d0 = jnp.full(zs.shape + (1,), 1j, _CPLX)
    if l_max == 0:
        return d0
    q = _xi_ratios(zs, _spherical_core(zs, l_max)[6], l_max)
    l = jnp.arange(1, l_max + 1, dtype=jnp.float64)
    d = jnp.concatenate([d0, q - l / zs[..., None]], axis=-1)
    return jnp.where((zc == 0)[..., None] & (_orders(l_max) > 0), jnp.inf + 0j, d)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _log_derivative_xi(z, l_max):
    return _log_derivative_xi_primal(z, l_max)


_log_derivative_xi.defjvp(functools.partial(_riccati_ode_jvp, _log_derivative_xi))


def log_derivative_xi(z, l_max: int):
    """Logarithmic derivative xi_l'(z)/xi_l(z) of the outgoing Riccati-Hankel function, l = 0..l_max (units of 1/z).

    Arguments:
        z: argument (dimensionless size parameter in the host medium), real or complex, any shape;
            z != 0.
        l_max: highest order (static int >= 0).
    Returns:
        complex128 array z.shape + (l_max+1,); l = 0 entry is exactly i.

    Source: upward recurrence of the ratios xi_{l-1}/xi_l (DLMF 10.51); at real frequency
    {K, x} -> i xi_l'(w)/xi_l(w) (Schoger, Dissertation (Augsburg 2024), Sec. 4.1).
    """
    z, l_max = _check_args(z, l_max)
    return _log_derivative_xi_jit(z, l_max)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _ratio_psi_xi(z, l_max):
    zc = z.astype(_CPLX)
    is_zero = zc == 0
    zs = jnp.where(is_zero, 1.0 + 0j, zc)
    j, _, h, r0, r, upward, h_low = _spherical_core(zs, l_max)
    ok = jnp.isfinite(h) & (h != 0)
    direct = jnp.where(ok, j / jnp.where(ok, h, 1.0), 0.0)
    direct = jnp.concatenate([r0[..., None], direct[..., 1:]], axis=-1)
    if l_max == 0:
        return jnp.where(is_zero[..., None], 0.0, direct)
    # Outside the oscillatory region the ratio is carried as a product of the stable ratios,
    # R_l = R_{l-1} (xi_{l-1}/xi_l)/(psi_{l-1}/psi_l): no overflow of xi, no underflow of psi.
    q = _xi_ratios(zs, h_low, l_max)

    def step(r_prev, xs):
        d, qi, ri, up = xs
        r_l = jnp.where(up, d, r_prev * qi * reciprocal(ri))
        return r_l, r_l

    xs = tuple(jnp.moveaxis(a_, -1, 0) for a_ in (direct[..., 1:], q, r, upward))
    _, rs = lax.scan(step, direct[..., 0], xs)
    ratio = jnp.concatenate([direct[..., :1], jnp.moveaxis(rs, 0, -1)], axis=-1)
    return jnp.where(is_zero[..., None], 0.0, ratio)


@_ratio_psi_xi.defjvp
def _ratio_psi_xi_jvp(l_max, primals, tangents):
    # Wronskian psi xi' - psi' xi = i  =>  (psi/xi)' = -i/xi^2
    (z,), (dz,) = primals, tangents
    ratio = _ratio_psi_xi(z, l_max)
    xi = z[..., None] * _spherical_hankel1(z, l_max)
    ok = jnp.isfinite(xi) & (xi != 0)
    inv = 1.0 / jnp.where(ok, xi, 1.0)
    deriv = jnp.where(ok, -1j * inv * inv, 0.0)
    # z = 0: xi_0(0) = -i gives (psi_0/xi_0)' = i; xi_l(0) is infinite for l >= 1 (derivative 0)
    at_zero = (z == 0)[..., None]
    deriv = jnp.where(at_zero, jnp.where(_orders(l_max) == 0, 1j, 0.0), deriv)
    return ratio, deriv * dz[..., None]


def ratio_psi_xi(z, l_max: int):
    """Ratio psi_l(z)/xi_l(z) = j_l(z)/h_l^(1)(z) of Riccati-Bessel functions, l = 0..l_max (dimensionless).

    Computed from exponentially scaled functions, so it neither overflows nor underflows where the
    ratio itself is representable (|psi_l/xi_l| ~ (z/2)^{2l+1}/((2l+1)!!)^2 for l >> |z|).

    Arguments:
        z: argument (dimensionless size parameter), real or complex, any shape.
        l_max: highest order (static int >= 0).
    Returns:
        complex128 array z.shape + (l_max+1,); 0 at z = 0.

    Source: at real frequency the Mie prefactor C_l of Schoger, Dissertation (Augsburg 2024), Eq. (4.15), becomes
    -psi_l(w)/xi_l(w) (Sec. 4.1); derivative from the Wronskian psi xi' - psi' xi = i (DLMF 10.50).
    """
    z, l_max = _check_args(z, l_max)
    return _ratio_psi_xi_jit(z, l_max)


# Eager calls dispatch one compiled kernel per (shape, dtype, l_max); under an outer jit/vmap/grad
# these nested jits are inlined.
_spherical_jn_jit = jax.jit(_spherical_jn, static_argnums=1)
_spherical_yn_jit = jax.jit(_spherical_yn, static_argnums=1)
_spherical_hankel1_jit = jax.jit(_spherical_hankel1, static_argnums=1)
_log_derivative_psi_jit = jax.jit(_log_derivative_psi, static_argnums=1)
_log_derivative_xi_jit = jax.jit(_log_derivative_xi, static_argnums=1)
_ratio_psi_xi_jit = jax.jit(_ratio_psi_xi, static_argnums=1)


@functools.partial(jax.jit, static_argnums=1)
def _riccati_jit(z, l_max):
    zl = z[..., None]
    return zl * _spherical_jn(z, l_max), zl * _spherical_hankel1(z, l_max)
