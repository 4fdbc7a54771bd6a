"""Exponentially scaled angular functions pi_l, tau_l at z = -cos(Theta) >= 1 (imaginary frequency).

At imaginary frequency the scattering angle of the plane-wave sphere amplitudes is complex,
cos(Theta) = -z with z >= 1 (Schoger, Dissertation (Augsburg 2024), Eq. (4.25)), where pi_l and tau_l grow like
e^{(l+1/2) arccosh z}. The scaled functions

    p_l(z) = e^{-(l+1/2) a} pi_l(z),   t_l(z) = e^{-(l+1/2) a} tau_l(z),   a = arccosh z,

are O(l^{1/2}) at most and never overflow; the Mie amplitude sums combine the exponent
(l+1/2) a with the log of the Mie coefficient before exponentiating (the scaling of the plane-wave
code of B. Spreng et al., J. Chem. Phys. 153, 024115 (2020)).

This module is the one home for them (the unscaled real-angle functions live in
``jaxem.special.angular``).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from jaxem._checks import check_int, check_nonnegative

__all__ = ["scaled_angular_functions", "arccosh_from_zm1", "scaled_angular_step"]


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
    tau_l = l z pi_l - (l+1) pi_{l-1}. Valid for l >= 2 (pass l as a float).
    """
    p1, p2 = carry
    ze1 = z * e1
    p = ((2.0 * l - 1.0) * ze1 * p1 - l * e1 * e1 * p2) / (l - 1.0)
    t = l * z * p - (l + 1.0) * e1 * p1
    return (p, p1), (p, t)


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
