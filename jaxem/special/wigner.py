"""Wigner small-d functions d^l_{m,sigma}(beta) with second index sigma = +-1, for all l <= l_max, |m| <= l.

Convention: d^l_{m',m}(beta) = <l m'| exp(-i beta J_y) |l m> (Varshalovich; Edmonds), e.g.
d^1_{1,1} = (1 + cos beta)/2, d^1_{1,0} = -sin(beta)/sqrt(2), d^1_{0,sigma} = sigma sin(beta)/sqrt(2).

Algorithm: for every column m, the stable upward three-term recurrence in l (Schoger, Dissertation
(Augsburg 2024), Eq. (5.30): the identity behind G'_{l,m}; Varshalovich 4.8.1)

    cos(beta) d^l_{m s} = a_l d^{l+1}_{m s} + (m s/(l(l+1))) d^l_{m s} + b_l d^{l-1}_{m s},
    a_l = sqrt(((l+1)^2 - m^2)((l+1)^2 - s^2))/((l+1)(2l+1)),  b_l = sqrt((l^2 - m^2)(l^2 - s^2))/(l(2l+1)),

started at l0 = max(|m|, 1) from the closed forms
d^j_{j,s} = (-1)^{j-s} sqrt(C(2j, j+s)) cos^{j+s}(beta/2) sin^{j-s}(beta/2),
d^j_{-j,s} = sqrt(C(2j, j-s)) cos^{j-s}(beta/2) sin^{j+s}(beta/2) (built by a product over j, no powers
of possibly-zero numbers).  The explicit Wigner sum loses accuracy at large l; the recurrence does not
(<= 4e-14 absolute against mpmath up to l = 100, tests/test_special_optics.py; cos(beta) enters as
1 - 2 sin^2(beta/2) or -1 + 2 cos^2(beta/2), otherwise its rounding near beta = 0, pi grows like l^2).

The derivative is a ``custom_jvp`` rule, d/dbeta d^l_{m s} = [c+_{lm} d^l_{m+1,s} - c-_{lm} d^l_{m-1,s}]/2,
c+-_{lm} = sqrt((l -+ m)(l +- m + 1)), from the same output array.
"""
from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jaxem import _checks

__all__ = ["wigner_d_sigma"]


@functools.lru_cache(maxsize=None)
def _tables(l_max: int, sigma: int):
    """Static recurrence tables (numpy, read-only): rows l = 1..l_max-1 produce d^{l+1}."""
    m = np.arange(-l_max, l_max + 1, dtype=np.float64)
    am = np.abs(m)
    rows = max(l_max - 1, 0)
    inv_a = np.zeros((rows, m.size))
    b = np.zeros((rows, m.size))
    c = np.zeros((rows, m.size))
    start = np.zeros((rows, m.size), dtype=bool)
    grow = np.zeros((rows, m.size), dtype=bool)
    for i, l in enumerate(range(1, l_max)):
        a = np.sqrt(np.maximum(((l + 1) ** 2 - m ** 2) * ((l + 1) ** 2 - 1), 0.0)) / ((l + 1) * (2 * l + 1))
        grow[i] = am <= l                    # d^{l+1} by the recurrence (d^l already started)
        start[i] = am == l + 1               # d^{l+1} is the first nonzero entry of this column
        inv_a[i] = np.where(grow[i], 1.0 / np.where(a > 0, a, 1.0), 0.0)
        b[i] = np.sqrt(np.maximum((l * l - m ** 2) * (l * l - 1), 0.0)) / (l * (2 * l + 1))
        c[i] = sigma * m / (l * (l + 1))
    # start values d^j_{+-j, sigma} = prefactor_j * (cos(b/2) sin(b/2))^(j-1) * (base of j = 1), j >= 1
    ratio_pos = np.ones(l_max + 1)
    ratio_neg = np.ones(l_max + 1)
    for j in range(1, l_max):
        ratio_pos[j + 1] = -math.sqrt(math.comb(2 * j + 2, j + 1 + sigma) / math.comb(2 * j, j + sigma))
        ratio_neg[j + 1] = math.sqrt(math.comb(2 * j + 2, j + 1 - sigma) / math.comb(2 * j, j - sigma))
    out = dict(inv_a=inv_a, b=b, c=c, start=start, grow=grow,
               ratio_pos=ratio_pos[2:], ratio_neg=ratio_neg[2:])
    for v in out.values():
        v.flags.writeable = False
    return out


def _wigner_primal(beta, l_max: int, sigma: int):
    t = _tables(l_max, sigma)
    width = 2 * l_max + 1
    ch, sh = jnp.cos(0.5 * beta), jnp.sin(0.5 * beta)
    cb, sb = jnp.cos(beta), jnp.sin(beta)
    # j = 1: d^1_{1,s} = cos^2 (s = 1) or sin^2 (s = -1); d^1_{-1,s} the other one
    pos1 = ch * ch if sigma == 1 else sh * sh
    neg1 = sh * sh if sigma == 1 else ch * ch
    batch = beta.shape
    if l_max >= 2:
        cs = (ch * sh)[..., None]
        pos = jnp.concatenate([pos1[..., None], pos1[..., None] * jnp.cumprod(cs * t["ratio_pos"], axis=-1)],
                              axis=-1)
        neg = jnp.concatenate([neg1[..., None], neg1[..., None] * jnp.cumprod(cs * t["ratio_neg"], axis=-1)],
                              axis=-1)
    else:
        pos, neg = pos1[..., None], neg1[..., None]
    # start[m] for the column m (index m + l_max): m > 0 -> pos[m-1], m < 0 -> neg[|m|-1]
    start_vals = jnp.concatenate([neg[..., ::-1], jnp.zeros(batch + (1,)), pos], axis=-1)
    d0 = jnp.zeros(batch + (width,))
    centre = l_max
    d1 = d0.at[..., centre].set(sigma * sb / math.sqrt(2.0))
    d1 = d1.at[..., centre - 1].set(start_vals[..., centre - 1])
    d1 = d1.at[..., centre + 1].set(start_vals[..., centre + 1])
    if l_max < 2:
        rows = [d0, d1][: l_max + 1]
        return jnp.stack(rows, axis=-2)

    # cos(beta) = 1 - 2 sin^2(beta/2) = -1 + 2 cos^2(beta/2): the rounding of cos(beta) near beta = 0, pi
    # (1e-16 absolute) would otherwise enter every step coherently and grow like l^2 (1e-13 at l = 100)
    upper = (cb >= 0)[..., None]
    dev = jnp.where(cb >= 0, -2.0 * sh * sh, 2.0 * ch * ch)[..., None]

    def step(carry, tab):
        d_prev, d_cur = carry
        inv_a, b, c_plus, c_minus, start, grow = tab
        lead = jnp.where(upper, c_plus, c_minus)
        rec = (lead * d_cur - b * d_prev + dev * inv_a * d_cur)
        d_next = jnp.where(grow, rec, jnp.where(start, start_vals, 0.0))
        return (d_cur, d_next), d_next

    tabs = (jnp.asarray(t["inv_a"]), jnp.asarray(t["b"] * t["inv_a"]), jnp.asarray((1.0 - t["c"]) * t["inv_a"]),
            jnp.asarray((-1.0 - t["c"]) * t["inv_a"]), jnp.asarray(t["start"]), jnp.asarray(t["grow"]))
    _, rest = lax.scan(step, (d0, d1), tabs)
    rest = jnp.moveaxis(rest, 0, -2)
    return jnp.concatenate([d0[..., None, :], d1[..., None, :], rest], axis=-2)


@functools.lru_cache(maxsize=None)
def _ladder(l_max: int):
    l = np.arange(l_max + 1, dtype=np.float64)[:, None]
    m = np.arange(-l_max, l_max + 1, dtype=np.float64)[None, :]
    ok = np.abs(m) <= l
    cp = np.where(ok, np.sqrt(np.maximum((l - m) * (l + m + 1), 0.0)), 0.0)
    cm = np.where(ok, np.sqrt(np.maximum((l + m) * (l - m + 1), 0.0)), 0.0)
    cp.flags.writeable = False
    cm.flags.writeable = False
    return cp, cm


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _wigner(beta, l_max, sigma):
    return _wigner_primal(beta, l_max, sigma)


@_wigner.defjvp
def _wigner_jvp(l_max, sigma, primals, tangents):
    (beta,), (dbeta,) = primals, tangents
    d = _wigner(beta, l_max, sigma)
    cp, cm = _ladder(l_max)
    pad = jnp.zeros(d.shape[:-1] + (1,), d.dtype)
    up = jnp.concatenate([d[..., 1:], pad], axis=-1)      # d^l_{m+1, s}
    down = jnp.concatenate([pad, d[..., :-1]], axis=-1)   # d^l_{m-1, s}
    deriv = 0.5 * (jnp.asarray(cp) * up - jnp.asarray(cm) * down)
    return d, deriv * dbeta[..., None, None]


_wigner_jit = jax.jit(_wigner, static_argnums=(1, 2))


def wigner_d_sigma(beta, l_max: int, sigma: int):
    """Wigner small-d functions d^l_{m,sigma}(beta) (dimensionless) for sigma = +-1, l = 0..l_max, |m| <= l.

    Arguments:
        beta: rotation angle [rad], real, any shape (e.g. the polar angle theta_w of a plane wave).
        l_max: highest degree l (static Python int >= 0).
        sigma: second index, +1 or -1 (static; the helicity of a circularly polarised wave).
    Returns:
        float64 array beta.shape + (l_max+1, 2 l_max+1); entry [..., l, m + l_max] = d^l_{m,sigma}(beta),
        zero for |m| > l and for l = 0.
    Source: upward l-recurrence of Schoger, Dissertation (Augsburg 2024), Eq. (5.30) (the cos(beta)
        identity behind G'_{l,m}; printed correctly) with the closed-form starting values
        d^j_{+-j,sigma}; Varshalovich et al., Quantum Theory of Angular Momentum (1988), Sec. 4.8.
        Projection identity used with it: X*_{lm} . eps_sigma = sqrt((2l+1)/(8 pi)) d^l_{m,sigma}
        e^{-i(m - sigma) phi} (Schoger Eq. (5.16), printed with 4 pi instead of 8 pi).
    """
    _checks.require_x64()
    l_max = _checks.check_int("l_max", l_max, minimum=0)
    _checks.check_choice("sigma", sigma, (1, -1))
    _checks.check_finite("beta", beta)
    beta = jnp.asarray(beta, dtype=jnp.float64)
    return _wigner_jit(beta, l_max, int(sigma))
