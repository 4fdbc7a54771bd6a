"""Three-term-recurrence machinery shared by the spherical and modified spherical Bessel families.

Both families satisfy  f_{n-1} + sigma f_{n+1} = ((2n+1)/z) f_n  (sigma = +1: j_l, y_l, h_l;
sigma = -1: the modified i_l, via I_{nu-1} - I_{nu+1} = (2 nu/z) I_nu).  The ratio
t_n = f_{n-1}/f_n of the *minimal* solution (j_l, resp. I_{l+1/2}) obeys the backward recurrence
    t_n = (2n+1)/z - sigma / t_{n+1},
which is stable downward for every complex z (scattering.md §3: ratios via continued fractions,
Lentz 1976).  Its starting value t_N is the continued fraction itself, evaluated with the
modified Lentz algorithm in a ``lax.while_loop`` (its length grows like |z| - N when |z| > N, so a
static depth cannot serve all arguments).  These internals are not differentiated: the public
functions carry ``custom_jvp`` rules built from analytic derivative identities.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

# relative step below which the Lentz iteration is converged (a few ulp of float64)
_LENTZ_TOL = 1e-16
_LENTZ_TINY = 1e-300
# safety cap only; the loop stops as soon as every element has converged (~ |z| - N + 30 steps)
_LENTZ_MAX_ITER = 1_000_000


def reciprocal(z):
    """1/z without XLA's branchy complex division (several times slower on CPU in these loops).

    Scaled by max(|Re z|, |Im z|) so it is exact to rounding over the whole float64 range; real z
    uses plain division.
    """
    if not jnp.iscomplexobj(z):
        return 1.0 / z
    re, im = jnp.real(z), jnp.imag(z)
    s = 1.0 / jnp.maximum(jnp.abs(re), jnp.abs(im))
    r, i = re * s, im * s
    d = s / (r * r + i * i)
    return jax.lax.complex(r * d, -i * d)


def lentz_ratio(z, n: int, sigma: float):
    """t_n = b_n - sigma/(b_{n+1} - sigma/(b_{n+2} - ...)), b_k = (2k+1)/z, for array z (any shape)."""
    inv_z = reciprocal(z)
    a = -sigma
    tiny = jnp.asarray(_LENTZ_TINY, dtype=z.dtype)
    f0 = (2 * n + 1) * inv_z
    f0 = jnp.where(f0 == 0, tiny, f0)
    state0 = (jnp.asarray(1, jnp.int32), f0, f0, jnp.zeros_like(f0), jnp.zeros(z.shape, bool))

    def cond(state):
        k, _, _, _, done = state
        return (k < _LENTZ_MAX_ITER) & ~jnp.all(done)

    def body(state):
        k, f, c, d, done = state
        b = (2 * (n + k) + 1) * inv_z
        d = b + a * d
        d = jnp.where(d == 0, tiny, d)
        d = reciprocal(d)
        c = b + a * reciprocal(c)
        c = jnp.where(c == 0, tiny, c)
        delta = c * d
        converged = jnp.abs(delta - 1.0) < _LENTZ_TOL
        f = jnp.where(done, f, f * delta)
        return k + 1, f, c, d, done | converged

    return lax.while_loop(cond, body, state0)[1]


def downward_ratios(z, n_max: int, sigma: float):
    """Ratios t_n = f_{n-1}/f_n of the minimal solution for n = 1..n_max, shape z.shape + (n_max,).

    f = j_l (sigma = +1) or I_{l+1/2} (sigma = -1).  Stable for every z != 0.
    """
    top = lentz_ratio(z, n_max, sigma)
    if n_max == 1:
        return top[..., None]
    inv_z = reciprocal(z)

    def step(t_next, n):
        t = (2 * n + 1) * inv_z - sigma * reciprocal(t_next)
        return t, t

    ns = jnp.arange(n_max - 1, 0, -1)
    _, ts = lax.scan(step, top, ns)
    # ts[i] belongs to n = n_max-1-i; flip to ascending n and move the order axis last
    ts = jnp.concatenate([ts[::-1], top[None]], axis=0)
    return jnp.moveaxis(ts, 0, -1)


def kahan_cumsum(terms):
    """Compensated cumulative sum along the last axis (log-products over ~1e4 orders stay at ~ulp)."""
    x = jnp.moveaxis(terms, -1, 0)

    def step(carry, v):
        s, c = carry
        y = v - c
        t = s + y
        c = (t - s) - y
        return (t, c), t

    zero = jnp.zeros(x.shape[1:], x.dtype)
    _, out = lax.scan(step, (zero, zero), x)
    return jnp.moveaxis(out, 0, -1)
