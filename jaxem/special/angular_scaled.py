"""Exponentially scaled angular functions pi_l, tau_l at z = -cos(Theta) >= 1 (imaginary frequency).

At imaginary frequency the scattering angle of the plane-wave sphere amplitudes is complex,
cos(Theta) = -z with z >= 1 (Schoger, Dissertation (Augsburg 2024), Eq. (4.25)), where pi_l and tau_l grow like
e^{(l+1/2) arccosh z}. The scaled functions

    p_l(z) = e^{-(l+1/2) a} pi_l(z),   t_l(z) = e^{-(l+1/2) a} tau_l(z),   a = arccosh z,

are O(l^{1/2}) at most and never overflow; the Mie amplitude sums combine the exponent
(l+1/2) a with the log of the Mie coefficient before exponentiating (the scaling of the plane-wave
code of B. Spreng et al., J. Chem. Phys. 153, 024115 (2020)).

At a single large order l (the start of a window of the plane-wave sum) the scaled p_l is obtained
without the recurrence from l = 1 by Gegenbauer's integral (see :func:`scaled_pi_at`).

This module is the one home for them (the unscaled real-angle functions live in
``jaxem.special.angular``).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from jaxem._checks import check_int, check_nonnegative
from jaxem.special.quadrature import gauss_legendre

__all__ = ["scaled_angular_functions", "arccosh_from_zm1", "scaled_angular_step", "scaled_pi_at"]

# scaled_pi_at: the integrand is cut where n q sin^2(t/2) = _SEED_CUT (tail < e^-60 of the peak) and
# the [0, T] integral done with the positive half of a 2 * _SEED_NODES Gauss-Legendre rule (even integrand);
# the sharpest profile, exp(-2.5 _SEED_CUT s^2) (s = t/T at T = pi), needs 40: <= 4e-13 against mpmath for
# l <= 1500, d in [0, 1e10] (32 nodes: 2e-9; 48 and 56 nodes agree with 40)
_SEED_CUT = 60.0
_SEED_NODES = 40


def arccosh_from_zm1(z_minus_one):
    """arccosh(1 + d) for d = z - 1 >= 0 (dimensionless), accurate for tiny d, NaN-free (also its gradient) at d = 0.

    Arguments:
        z_minus_one: z - 1 (>= 0), any shape.
    Returns:
        a = arccosh z >= 0.

    Source: the identity arccosh(1 + d) = log1p(d + sqrt(d (d + 2))).
    """
    d = jnp.asarray(z_minus_one, dtype=jnp.float64)
    pos = d > 0
    ds = jnp.where(pos, d, 1.0)   # double-where: sqrt'(0) = inf would poison the gradient
    a = jnp.log1p(ds + jnp.sqrt(ds * (ds + 2.0)))
    return jnp.where(pos, a, 0.0)


def scaled_angular_step(carry, l, z, e1):
    """One upward step of the scaled recurrence; carry = (p_{l-1}, p_{l-2}) -> (p_l, t_l).

    The recurrence pi_l = [(2l-1) z pi_{l-1} - l pi_{l-2}]/(l-1) (Schoger, Dissertation (Augsburg
    2024), Eq. (A.5)) is stable upward for z >= 1; scaled by e^{-(l+1/2) a}, each older term picks up one factor e1 = e^{-a}.
    tau_l = l z pi_l - (l+1) pi_{l-1}. Valid for l >= 2 (pass l as a float, a scalar or one order per entry).
    """
    p1, p2 = carry
    ze1 = z * e1
    p = ((2.0 * l - 1.0) * ze1 * p1 - l * e1 * e1 * p2) / (l - 1.0)
    t = l * z * p - (l + 1.0) * e1 * p1
    return (p, p1), (p, t)


def scaled_pi_at(z_minus_one, l, n_nodes=_SEED_NODES):
    """Scaled angular function p_l = e^{-(l+1/2) a} pi_l(z) at one (traced) order l per entry, z = 1 + d >= 1.

    pi_l(z) = P_l'(z) = C^{3/2}_{l-1}(z) has Gegenbauer's integral (DLMF 18.10.4 with lambda = 3/2)

        pi_l(z) = l (l+1)/pi * int_0^pi (z + s cos t)^{l-1} sin^2 t dt,   s = sqrt(z^2 - 1) = sinh a.

    With (z + s cos t) e^{-a} = c0 - q sin^2(t/2), c0 = (z + s) e^{-a} (= 1 up to rounding, kept so that
    the scale matches the recurrence's factors e1 = e^{-a}) and q = 1 - e^{-2a}, the integrand
    (c0 - q sin^2(t/2))^{l-1} sin^2 t is positive and peaked at t = 0 with width ~ (l q)^{-1/2}: no
    cancellation. It is cut at sin^2(T/2) = min(1, 60/((l-1) q)) (the tail is < e^{-60}) and integrated by
    Gauss-Legendre on [0, T] (static node count). Accuracy: <= 4e-13 relative to mpmath for l <= 1500
    and d in [0, 1e10] (~ l eps from the rounding of the scale factor, as for the recurrence of
    :func:`scaled_angular_functions`, which near z = 1 is itself off by up to 2e-11 at l = 1500; tests/test_special.py).
    Cost: O(n_nodes) per entry, independent of l.

    Arguments:
        z_minus_one: d = z - 1 >= 0 (dimensionless), any shape.
        l: order(s) >= 0 (float or int array broadcastable with d; not differentiated).
        n_nodes: static number of quadrature nodes (default 40).
    Returns:
        p_l, the broadcast shape of d and l (p_0 = 0, p_1 = e^{-3a/2}).

    Source: Gegenbauer's integral, NIST DLMF Eq. 18.10.4 (C^{3/2}_{l-1} = P_l'); scaling as in
    :func:`scaled_angular_functions` (Schoger, Dissertation (Augsburg 2024), Eq. (4.28)).
    """
    return _gegenbauer_pi_pair(z_minus_one, l, n_nodes)[0]


def _gegenbauer_pi_pair(z_minus_one, l, n_nodes=_SEED_NODES):
    """(p_l, p_{l-1}) of :func:`scaled_pi_at` from one set of nodes (the integrands differ by one factor)."""
    d = jnp.asarray(z_minus_one, dtype=jnp.float64)
    l = jax.lax.stop_gradient(jnp.asarray(l, dtype=jnp.float64))
    a = arccosh_from_zm1(d)
    e1 = jnp.exp(-a)
    pos = d > 0
    ds = jnp.where(pos, d, 1.0)
    s = jnp.where(pos, jnp.sqrt(ds * (ds + 2.0)), 0.0)
    # c0 - 1 is 0 in exact arithmetic: it only carries rounding, so it is not differentiated
    c0m1 = jax.lax.stop_gradient((1.0 + d + s) * e1 - 1.0)
    q = -jnp.expm1(-2.0 * a)
    m = jnp.maximum(l - 1.0, 0.0)                    # exponent of p_l; p_{l-1} has max(l - 2, 0)
    m_lo = jnp.maximum(l - 2.0, 0.0)
    mq = jax.lax.stop_gradient(m * q)
    u_cut = jnp.minimum(1.0, _SEED_CUT / jnp.maximum(mq, _SEED_CUT))
    T = 2.0 * jnp.arcsin(jnp.sqrt(u_cut))                   # a choice of rule: no gradient (mq is stopped)
    x, w = gauss_legendre(2 * int(n_nodes))
    x, w = jnp.asarray(x[n_nodes:]), jnp.asarray(w[n_nodes:])
    u = jnp.sin(0.5 * T[..., None] * x) ** 2                 # sin^2(t/2); sin^2 t = 4 u (1 - u)
    f = 1.0 + c0m1[..., None] - q[..., None] * u
    lo = jnp.exp(m_lo[..., None] * jnp.log1p(c0m1[..., None] - q[..., None] * u)) * (4.0 * u * (1.0 - u))
    hi = lo * jnp.where(l[..., None] >= 2.0, f, 1.0)
    scale = jnp.exp(-1.5 * a) / jnp.pi * T
    p_hi = l * (l + 1.0) * scale * jnp.sum(w * hi, axis=-1)
    p_lo = (l - 1.0) * l * scale * jnp.sum(w * lo, axis=-1)
    return p_hi, p_lo


def _scaled_angular(z_minus_one, l_max):
    d = jnp.asarray(z_minus_one, dtype=jnp.float64)
    z = 1.0 + d
    a = arccosh_from_zm1(d)
    e1 = jnp.exp(-a)
    p1 = jnp.exp(-1.5 * a)                    # pi_1 = 1
    t1 = z * p1                               # tau_1 = z
    p0 = jnp.zeros_like(z)

    def body(carry, l):
        return scaled_angular_step(carry, l, z, e1)

    ls = jnp.arange(2, l_max + 1, dtype=jnp.float64)
    _, (ps, ts) = jax.lax.scan(body, (p1, p0), ls)
    p = jnp.concatenate([p0[None], p1[None], ps], axis=0)
    t = jnp.concatenate([p0[None], t1[None], ts], axis=0)
    return jnp.moveaxis(p, 0, -1), jnp.moveaxis(t, 0, -1)


_scaled_angular_jit = jax.jit(_scaled_angular, static_argnames=("l_max",))


def scaled_angular_functions(z_minus_one, l_max):
    """Scaled angular functions e^{-(l+1/2) arccosh z} (pi_l(z), tau_l(z)) for l = 0..l_max, z >= 1 (dimensionless).

    Arguments:
        z_minus_one: z - 1 >= 0 where z = -cos(Theta) (dimensionless, any shape); passing z - 1
            instead of z keeps full accuracy near backscattering z = 1.
        l_max: largest order (static int >= 1).
    Returns:
        (p, t), each of shape z.shape + (l_max + 1,); p_0 = t_0 = 0.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (4.28), (A.5); exponential scaling as in
    B. Spreng et al., J. Chem. Phys. 153, 024115 (2020).
    """
    l_max = check_int("l_max", l_max, minimum=1)
    check_nonnegative("z_minus_one", z_minus_one)
    return _scaled_angular_jit(z_minus_one, l_max=l_max)
