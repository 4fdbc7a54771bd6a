"""Three-term-recurrence machinery shared by the spherical and modified spherical Bessel families.

Both families satisfy  f_{n-1} + sigma f_{n+1} = ((2n+1)/z) f_n  (sigma = +1: j_l, y_l, h_l;
sigma = -1: the modified i_l, via I_{nu-1} - I_{nu+1} = (2 nu/z) I_nu).  The ratio
t_n = f_{n-1}/f_n of the *minimal* solution (j_l, resp. I_{l+1/2}) obeys the backward recurrence
    t_n = (2n+1)/z - sigma / t_{n+1},
which is stable downward for every complex z (Bessel ratios via continued fractions: W. J. Lentz,
Appl. Opt. 15, 668 (1976), as recommended in Schoger, Dissertation (Augsburg 2024), Sec. 4.1).
Its starting value t_N is the continued fraction itself, evaluated with the modified Lentz
algorithm in a ``lax.while_loop`` (its length grows like |z| - N when |z| > N, so a static depth
cannot serve all arguments).  These internals are not differentiated: the public
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


def vary_like(tree, *refs):
    """tree with every leaf made varying over the manual mesh axes that any of refs varies over.

    Inside ``jax.shard_map`` (``check_vma=True``) a ``lax.while_loop``/``lax.scan`` carry must have the
    same varying manual axes on entry as the body gives it back; a carry started from constants
    (``jnp.zeros(shape)``, a counter) is not varying while the body's output, computed from the inputs,
    is. Applying this to the initial carry (refs: the loop's inputs) marks such leaves varying with
    ``jax.lax.pcast(..., to="varying")``, as the JAX sharp-bits guide prescribes. Outside shard_map (or
    with ``check_vma=False``) every vma set is empty and this returns tree unchanged (no op is added).

    Arguments:
        tree: pytree of arrays (the initial carry).
        refs: arrays whose varying axes the carry must carry (the loop's inputs).
    Returns:
        tree, with leaves pcast to varying where needed.

    Source: JAX documentation, "Shard map: scan/while carries and varying manual axes"
    (https://docs.jax.dev/en/latest/notebooks/shard_map.html#scan-vma).
    """
    vma = frozenset()
    for r in jax.tree_util.tree_leaves(refs):
        vma = vma | frozenset(getattr(jax.typeof(r), "vma", frozenset()))
    if not vma:
        return tree

    def one(x):
        x = jnp.asarray(x)
        missing = tuple(sorted(vma - frozenset(getattr(jax.typeof(x), "vma", frozenset()))))
        return lax.pcast(x, missing, to="varying") if missing else x

    return jax.tree_util.tree_map(one, tree)


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
    state0 = vary_like((jnp.asarray(1, jnp.int32), f0, f0, jnp.zeros_like(f0), jnp.zeros(z.shape, bool)), z)

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

    zero = vary_like(jnp.zeros(x.shape[1:], x.dtype), x)
    _, out = lax.scan(step, (zero, zero), x)
    return jnp.moveaxis(out, 0, -1)


# ---------------------------------------------------------------------------------------------
# Lentz-free start for the spherical family (sigma = +1), used by the Mie kernels

# Required decay, in nepers, of the dominant-solution admixture between the start order and the
# highest order returned: e^-45 = 3e-20, far below float64 rounding (the Debye estimate below is
# asymptotic; the margin also covers its O(1/nu) error at small orders).
_START_NEPERS = 45.0
_START_MARGIN = 8


def _debye_phase(nu, z):
    """Phi(nu) = 2 Re[nu acosh(nu/z) - z sinh(acosh(nu/z))], the Debye estimate of log|y_nu(z)/j_nu(z)|.

    Principal branches: Re acosh >= 0, so Phi is non-decreasing in nu; its slope 2 Re acosh(nu/z) is
    the per-order decay rate of the dominant solution's admixture in the downward recurrence (0 in
    the oscillatory region nu < |z| on the real axis). Real z > 0 uses real arithmetic (cheaper).
    Returns (Phi, slope).
    """
    if not jnp.iscomplexobj(z):
        w = jnp.maximum(nu / z, 1.0)
        sh = jnp.sqrt((w - 1.0) * (w + 1.0))
        alpha = jnp.log(w + sh)
        return 2.0 * (nu * alpha - z * sh), 2.0 * alpha
    w = nu / z
    sh = jnp.sqrt(w - 1.0) * jnp.sqrt(w + 1.0)          # sinh(acosh w), principal branch
    alpha = jnp.log(w + sh)
    return 2.0 * jnp.real(nu * alpha - z * sh), 2.0 * jnp.real(alpha)


def start_order(z, n_min: int):
    """Order n_s > n_min at which the downward ratio recurrence of j_n(z) can start from j_{n_s+1} = 0.

    The truncation error of t_n = j_{n-1}/j_n at n <= n_min is ~ |j_{n_s} y_{n_min}/(y_{n_s} j_{n_min})|
    = exp(-(Phi(n_s + 1/2) - Phi(n_min + 1/2))) with Phi the Debye exponent (:func:`_debye_phase`);
    n_s solves Phi(n_s + 1/2) - Phi(n_min + 1/2) = 45 (e^-45 = 3e-20) by three Newton steps: Phi is
    convex and increasing, so every Newton iterate lies above the root (a valid, if
    conservative, start); one more evaluation adds the linear shortfall where the slope clamp held
    Newton back. Then 8 orders of margin (the Debye form is asymptotic; the margin covers its error at
    small orders). For |z| below n_min this is a few orders; near the real axis with |z| > n_min it is
    |z| - n_min + O(|z|^{1/3}) (the turning-point width); with large Im z fewer, as the decay starts
    before the turning point. Real z (> 0) or complex z, any shape; returns int32 of z's shape.
    """
    z = jnp.asarray(z)
    if not jnp.iscomplexobj(z):
        z = z.astype(jnp.float64)
        ok = jnp.isfinite(z) & (z > 0)
    else:
        z = z.astype(jnp.complex128)
        ok = jnp.isfinite(z) & (z != 0)
    # z = 0 or non-finite (NaN under jit for illegal input): any finite start (the caller's values are
    # NaN/inf there anyway); never a NaN start order, which would make the loop length undefined
    z = jnp.where(ok, z, 1.0)
    az = jnp.abs(z)
    nu_min = n_min + 0.5
    phi_min, slope_min = _debye_phase(jnp.asarray(nu_min, jnp.float64), z)
    # first iterate: the smaller of a turning-point guess |z| + 8|z|^{1/3} + 10 and the linear bound
    # nu_min + 45/Phi'(nu_min), which lies above the root by convexity (good for large Im z)
    nu = jnp.minimum(jnp.maximum(nu_min, az) + 8.0 * jnp.cbrt(az) + 10.0,
                     nu_min + _START_NEPERS / jnp.maximum(slope_min, 1e-3))
    for _ in range(3):
        phi, slope = _debye_phase(nu, z)
        nu = nu - (phi - phi_min - _START_NEPERS) / jnp.maximum(slope, 1e-3)
        nu = jnp.maximum(nu, nu_min + 1.0)
    phi, slope = _debye_phase(nu, z)
    short = jnp.maximum(phi_min + _START_NEPERS - phi, 0.0) / jnp.maximum(slope, 1e-3)
    n_s = jnp.ceil(nu + jnp.minimum(short, 1e7)) + _START_MARGIN
    return jnp.clip(n_s, n_min + 1, 2**30).astype(jnp.int32)


def log_derivative_psi_downward(zs, n_max: int):
    """D_n(z) = psi_n'(z)/psi_n(z) for n = 1..n_max, ORDER-FIRST: shape (n_max,) + z.shape.

    zs: one array z or a tuple of arrays (e.g. (x, m x): real and complex); a tuple is computed in ONE
    while loop and ONE scan over a tuple carry (loop overheads paid once), and a tuple is returned.
    Same recurrence as :func:`downward_ratios` (sigma = +1) for the ratio t_n = j_{n-1}/j_n =
    (2n+1)/z - 1/t_{n+1}, with D_n = t_n - n/z, but started without a continued fraction: at the
    order :func:`start_order` (the largest over all elements) from t = (2n+1)/z, i.e. j_{n_s+1} = 0,
    whose error has decayed below ~1e-19 by n = n_max (Wiscombe 1980's downward start, with the start
    chosen from the Debye decay rate instead of a fixed offset). Real z is computed in real
    arithmetic (then D is real, with poles at the zeros of psi_n). The while loop runs down to
    n_max + 1, the reverse ``lax.scan`` writes n_max..1; nothing is flipped or transposed. Not
    differentiable in reverse mode by itself (wrap in a custom_jvp); z != 0.
    """
    single = not isinstance(zs, (tuple, list))
    zs = (zs,) if single else tuple(zs)
    inv_zs = tuple(reciprocal(z) for z in zs)
    top = n_max + 1                                     # the scan starts from t_{n_max+1}
    n_s = jnp.max(jnp.stack([jnp.max(start_order(z, top)) for z in zs]))

    def cond(state):
        return state[0] > top

    def body(state):
        n, ts = state
        n = n - 1
        c = (2 * n + 1).astype(jnp.float64)
        return n, tuple(c * iz - reciprocal(t) for iz, t in zip(inv_zs, ts))

    c0 = (2 * n_s + 1).astype(jnp.float64)
    _, t_top = lax.while_loop(cond, body, vary_like((n_s, tuple(c0 * iz for iz in inv_zs)), zs))

    def step(ts_next, n):
        ts = tuple((2.0 * n + 1.0) * iz - reciprocal(t) for iz, t in zip(inv_zs, ts_next))
        return ts, tuple(t - n * iz for iz, t in zip(inv_zs, ts))

    ns = jnp.arange(1, n_max + 1, dtype=jnp.float64)
    out = lax.scan(step, t_top, ns, reverse=True)[1]
    return out[0] if single else out
