"""Mie angular functions pi_l(mu), tau_l(mu) (Bohren-Huffman convention).

pi_l(cos theta) = P_l^1(cos theta)/sin theta and tau_l(cos theta) = d P_l^1(cos theta)/d theta with
P_l^1 WITHOUT the Condon-Shortley phase (so pi_1 = 1, tau_1 = mu, pi_2 = 3 mu); pi_0 = tau_0 = 0.
In terms of scipy.special.lpmv (which includes the (-1)^m phase): pi_l = -lpmv(1, l, mu)/sin theta.
"""
from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from jaxem import _checks

__all__ = ["angular_functions"]


def angular_functions(mu, l_max: int):
    """Mie angular functions (pi_l(mu), tau_l(mu)) for l = 0..l_max, mu = cos(theta) (dimensionless).

    Upward recurrence, stable for |mu| <= 1 and polynomial in mu, so ordinary autodiff through the
    scan is exact:
        pi_l = ((2l-1) mu pi_{l-1} - l pi_{l-2})/(l-1),   tau_l = l mu pi_l - (l+1) pi_{l-1}.

    Arguments:
        mu: cos(theta) (dimensionless), any shape; real (complex is accepted, e.g. for
            continuation to |mu| > 1, where the functions grow like mu^l).
        l_max: highest order (static int >= 0).
    Returns:
        (pi, tau), each mu.shape + (l_max+1,); pi_0 = tau_0 = 0, pi_1 = 1, tau_1 = mu.

    Source: Bohren & Huffman, Absorption and Scattering of Light by Small Particles (1983),
    Eqs. (4.46)-(4.47); Schoger, Dissertation (Augsburg 2024), Eqs. (4.28), (A.5).
    """
    l_max = _checks.check_int("l_max", l_max, minimum=0)
    _checks.check_finite("mu", mu)
    mu = jnp.asarray(mu)
    if not jnp.issubdtype(mu.dtype, jnp.inexact):
        mu = mu.astype(jnp.float64)
    zeros = jnp.zeros_like(mu)
    ones = jnp.ones_like(mu)
    if l_max == 0:
        return zeros[..., None], zeros[..., None]
    if l_max == 1:
        return jnp.stack([zeros, ones], -1), jnp.stack([zeros, mu], -1)

    def step(carry, l):
        pi_prev, pi_prev2 = carry
        pi_l = ((2 * l - 1) * mu * pi_prev - l * pi_prev2) / (l - 1)
        tau_l = l * mu * pi_l - (l + 1) * pi_prev
        return (pi_l, pi_prev), (pi_l, tau_l)

    ls = jnp.arange(2, l_max + 1, dtype=jnp.float64)
    _, (pis, taus) = lax.scan(step, (ones, zeros), ls)
    pi = jnp.concatenate([zeros[None], ones[None], pis], axis=0)
    tau = jnp.concatenate([zeros[None], mu[None], taus], axis=0)
    return jnp.moveaxis(pi, 0, -1), jnp.moveaxis(tau, 0, -1)
