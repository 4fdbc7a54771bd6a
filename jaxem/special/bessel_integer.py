"""Integer-order Bessel functions J_n(x) of real argument, all orders -n_max..n_max at once, and the
cylindrical waves J_n(k rho) e^{i n phi} as smooth functions of Cartesian (x, y).

Algorithm: Miller's downward recurrence J_{n-1} = (2n/x) J_n - J_{n+1}, started at an order
n_start(x) = max(n_max + 1, x) + 20 + 12 x^{1/3} (above the turning point by many Airy widths, so the
admixture of Y_n has decayed below rounding at every returned order), normalised by the sum identity
J_0 + 2 sum_k J_{2k} = 1 (DLMF 10.12.4).  The start order depends on x, so the recurrence runs in a
``lax.while_loop`` (one trip count per element; no static bound on x is needed).  Values are rescaled by
2^-332 whenever they exceed 2^332, stored orders included, so orders far above x (|J_n|
down to the underflow limit) keep full relative accuracy.  For |x| < 1e-6 the two-term series
(x/2)^n/n! (1 - x^2/(4(n+1))) is exact to rounding.  Negative orders and arguments by
J_{-n} = (-1)^n J_n, J_n(-x) = (-1)^n J_n(x).

Derivatives are ``custom_jvp`` rules from J_n' = (J_{n-1} - J_{n+1})/2 and, for the cylindrical waves
F_n = J_n(k rho) e^{i n phi}, the ladder identities (d_x -+ i d_y) F_n = +-k F_{n-+1} (DLMF 10.6.1),
so jit/vmap/grad (any order) work and are exact on the axis rho = 0, where rho and phi themselves
are not differentiable.  Source: Miller's algorithm, DLMF 3.6(vi); Numerical Recipes (2007) 6.5.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxem import _checks
from jaxem.special._recurrence import vary_like

__all__ = ["bessel_jn_integer", "cylindrical_waves"]

_BIG_EXP = 332                 # rescale by the exact power 2^-332 (~1e-100): no rounding from scaling
_BIG = 2.0 ** _BIG_EXP
_SMALL_X = 1e-6


def _miller_nonneg(x, n_top: int):
    """J_0..J_{n_top}(x) for a flat float64 array x >= _SMALL_X (not differentiated).

    Two phases: a ``while_loop`` from the x-dependent start order down to n_top + 1 carries three numbers
    per element; a fixed-length ``scan`` over the returned orders n_top .. 0 emits each order once (no
    per-step write into an (elements, orders) buffer, whose cost would grow like n_top^2).  Each emitted
    value carries the count of 2^-332 rescalings applied so far; the later ones are applied at the end.
    """
    n_start = jnp.ceil(jnp.maximum(float(n_top + 1), x) + 20.0 + 12.0 * jnp.cbrt(x)).astype(jnp.int32)
    size = x.shape[0]
    stop = n_top + 1
    state0 = (n_start, jnp.zeros((size,), x.dtype), jnp.ones((size,), x.dtype),
              jnp.where(n_start % 2 == 0, 2.0, 0.0).astype(x.dtype))

    def step(n, j_hi, j, even_sum):
        """One downward step J_{n-1} = (2n/x) J_n - J_{n+1}, with exact power-of-two rescaling."""
        j_lo = (2.0 * n.astype(x.dtype) / x) * j - j_hi
        big = jnp.abs(j_lo) > _BIG
        s = jnp.where(big, 1.0 / _BIG, 1.0)
        n_new = n - 1
        weight = jnp.where(n_new == 0, 1.0, jnp.where(n_new % 2 == 0, 2.0, 0.0))
        return n_new, j * s, j_lo * s, (even_sum + weight * j_lo) * s, big

    def cond(state):
        return jnp.any(state[0] > stop)

    def body(state):
        n, j_hi, j, even_sum = state
        active = n > stop
        n_new, j_hi_new, j_new, even_new, _ = step(n, j_hi, j, even_sum)
        return (jnp.where(active, n_new, n), jnp.where(active, j_hi_new, j_hi), jnp.where(active, j_new, j),
                jnp.where(active, even_new, even_sum))

    n, j_hi, j, even_sum = lax.while_loop(cond, body, vary_like(state0, x))          # now n == n_top + 1 everywhere

    def scan_body(carry, _):
        n, j_hi, j, even_sum, count = carry
        n_new, j_hi, j_lo, even_sum, big = step(n, j_hi, j, even_sum)
        count = count + big.astype(jnp.int32)
        return (n_new, j_hi, j_lo, even_sum, count), (j_lo, count)

    carry0 = (n, j_hi, j, even_sum, jnp.zeros((size,), jnp.int32))
    (_, _, _, even_sum, total), (vals, counts) = lax.scan(scan_body, vary_like(carry0, x), None, length=n_top + 1)
    # vals[i] is J_{n_top - i} before the rescalings that came after it
    later = (total[None, :] - counts).astype(x.dtype)
    vals = vals * jnp.exp2(-float(_BIG_EXP) * later)
    return (vals[::-1] / even_sum[None, :]).T


def _jn_nonneg(x, n_top: int):
    """J_0..J_{n_top}(x) for any real float64 array x; shape x.shape + (n_top+1,)."""
    shape = x.shape
    ax = jnp.abs(x).reshape(-1)
    small = ax < _SMALL_X
    miller = _miller_nonneg(jnp.where(small, 1.0, ax), n_top)
    n = np.arange(n_top + 1, dtype=np.float64)
    pos = ax > 0
    ax_safe = jnp.where(pos, ax, 1.0)
    half = 0.5 * ax_safe
    # (x/2)^n/n! as a running product (an exp of n log(x/2) would cost |n log(x/2)| ulp)
    steps = half[:, None] / jnp.asarray(n[1:])
    series = jnp.concatenate([jnp.ones_like(half)[:, None], jnp.cumprod(steps, axis=-1)], axis=-1)
    series = series * (1.0 - (half * half)[:, None] / (n + 1.0))
    series = jnp.where(pos[:, None], series, jnp.asarray((n == 0).astype(np.float64)))
    out = jnp.where(small[:, None], series, miller)
    # J_n(-x) = (-1)^n J_n(x)
    odd = jnp.asarray((np.arange(n_top + 1) % 2 == 1))
    out = jnp.where((x.reshape(-1) < 0)[:, None] & odd, -out, out)
    return out.reshape(shape + (n_top + 1,))


def _all_orders(j_nonneg, n_max: int):
    """[J_{-n_max} .. J_{n_max}] from [J_0 .. J_{n_max}] (J_{-n} = (-1)^n J_n)."""
    sign = jnp.asarray(np.where(np.arange(n_max, 0, -1) % 2 == 1, -1.0, 1.0))
    neg = j_nonneg[..., n_max:0:-1] * sign
    return jnp.concatenate([neg, j_nonneg], axis=-1)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _bessel_jn(x, n_max):
    return _all_orders(_jn_nonneg(x, n_max), n_max)


@_bessel_jn.defjvp
def _bessel_jn_jvp(n_max, primals, tangents):
    (x,), (dx,) = primals, tangents
    ext = _bessel_jn(x, n_max + 1)                     # orders -(n_max+1) .. n_max+1
    deriv = 0.5 * (ext[..., :-2] - ext[..., 2:])        # J_n' = (J_{n-1} - J_{n+1})/2
    return ext[..., 1:-1], deriv * dx[..., None]


_bessel_jn_jit = jax.jit(_bessel_jn, static_argnums=(1,))


def bessel_jn_integer(x, n_max: int):
    """Bessel functions of the first kind J_n(x) (dimensionless) for all integer orders n = -n_max..n_max.

    Arguments:
        x: real argument (dimensionless), any shape; float64.
        n_max: highest order |n| (static Python int >= 0).
    Returns:
        float64 array x.shape + (2 n_max + 1,); entry [..., n + n_max] = J_n(x). J_n(0) = delta_{n0}.
        Relative accuracy ~1e-15 where |J_n| is not near a zero of J_n (also for |J_n| down to 1e-300),
        absolute ~1e-16 max|J| elsewhere (tests/test_special_optics.py).
    Source: Miller's downward recurrence normalised by J_0 + 2 sum J_2k = 1 (DLMF 10.12.4, 3.6(vi));
        derivative J_n' = (J_{n-1} - J_{n+1})/2 (DLMF 10.6.1).
    """
    _checks.require_x64()
    n_max = _checks.check_int("n_max", n_max, minimum=0)
    _checks.check_finite("x", x)
    x = jnp.asarray(x, dtype=jnp.float64)
    return _bessel_jn_jit(x, n_max)


def _waves_primal(k, x, y, n_max):
    rho2 = x * x + y * y
    on_axis = rho2 == 0
    rho = jnp.sqrt(jnp.where(on_axis, 1.0, rho2))
    rho = jnp.where(on_axis, 0.0, rho)
    phi = jnp.arctan2(y, jnp.where(on_axis, 1.0, x))
    j = _jn_nonneg(k * rho, n_max)                       # J_0 .. J_n_max
    arg = jnp.arange(n_max + 1, dtype=jnp.float64) * phi[..., None]
    pos = j * lax.complex(jnp.cos(arg), jnp.sin(arg))     # F_0 .. F_n_max
    # F_{-n} = J_{-n} e^{-i n phi} = (-1)^n conj(F_n) for real k, x, y: half the trigonometry
    sign = jnp.asarray(np.where(np.arange(n_max, 0, -1) % 2 == 1, -1.0, 1.0))
    return jnp.concatenate([jnp.conj(pos[..., n_max:0:-1]) * sign, pos], axis=-1)


@functools.partial(jax.custom_jvp, nondiff_argnums=(3,))
def _cylindrical_waves(k, x, y, n_max):
    return _waves_primal(k, x, y, n_max)


@_cylindrical_waves.defjvp
def _cylindrical_waves_jvp(n_max, primals, tangents):
    k, x, y = primals
    dk, dx, dy = tangents
    ext = _cylindrical_waves(k, x, y, n_max + 1)        # F_{-(n_max+1)} .. F_{n_max+1}
    f_lo, f, f_hi = ext[..., :-2], ext[..., 1:-1], ext[..., 2:]
    kk = k[..., None]
    d_x = 0.5 * kk * (f_lo - f_hi)                       # (d_x - i d_y) F_n = k F_{n-1},
    d_y = 0.5j * kk * (f_lo + f_hi)                      # (d_x + i d_y) F_n = -k F_{n+1}
    d_k = 0.5 * (lax.complex(x, y)[..., None] * f_lo - lax.complex(x, -y)[..., None] * f_hi)
    return f, d_k * dk[..., None] + d_x * dx[..., None] + d_y * dy[..., None]


_cylindrical_waves_jit = jax.jit(_cylindrical_waves, static_argnums=(3,))


def cylindrical_waves(k, x, y, n_max: int):
    """Cylindrical waves F_n = J_n(k rho) e^{i n phi} (dimensionless) for n = -n_max..n_max, smooth in (x, y).

    rho = sqrt(x^2 + y^2), phi = atan2(y, x).  Unlike J_n(k rho) and e^{i n phi} separately, F_n is an
    entire function of (k, x, y); its derivatives (custom_jvp from the ladder identities) are exact also
    on the axis rho = 0.
    Arguments:
        k: real wave number (1/length), any shape broadcasting with x, y.
        x, y: real Cartesian coordinates (length; k x dimensionless).
        n_max: highest order |n| (static Python int >= 0).
    Returns:
        complex128 array broadcast_shape + (2 n_max + 1,); entry [..., n + n_max] = F_n.
    Source: Jacobi-Anger expansion e^{i k rho cos(phi - a)} = sum_n i^n F_n(k, x, y) e^{-i n a} and the
        recurrences DLMF 10.6.1, written as (d_x -+ i d_y) F_n = +-k F_{n-+1}.
    """
    _checks.require_x64()
    n_max = _checks.check_int("n_max", n_max, minimum=0)
    k, x, y = (jnp.asarray(v, dtype=jnp.float64) for v in (k, x, y))
    k, x, y = jnp.broadcast_arrays(k, x, y)
    return _cylindrical_waves_jit(k, x, y, n_max)
