"""Quadrature rules: static node/weight tables computed once in float64 numpy, cached and read-only.

Gauss-Legendre on [-1, 1]; the Nystrom rule on [0, inf) (k = cot^2(t/2) with Fejer's second rule in
cos t); the one-sided exponential map u = exp(t - beta e^{-t}) with the trapezoidal rule in t on [0, inf).
Use them at trace time and cast at use (``jnp.asarray(w)``).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import scipy.special

from jaxem import _checks

__all__ = ["gauss_legendre", "nystrom_nodes", "exp_map_nodes"]


@functools.lru_cache(maxsize=None)
def _gauss_legendre_cached(n: int):
    # scipy's Golub-Welsch/Newton nodes: nodes to ~1 ulp, weights to ~3e-14 relative (n = 20, vs mpmath)
    nodes, weights = scipy.special.roots_legendre(n)
    nodes = np.asarray(nodes, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    nodes = np.ascontiguousarray(nodes)
    weights = np.ascontiguousarray(weights)
    nodes.flags.writeable = False
    weights.flags.writeable = False
    return nodes, weights


def gauss_legendre(n: int):
    """Gauss-Legendre nodes and weights on [-1, 1] (dimensionless; exact for polynomials of degree <= 2n - 1).

    A static table (numpy, read-only, cached per n): use it at trace time, e.g.
    ``x, w = gauss_legendre(64); jnp.sum(w * f(jnp.asarray(x)))``.

    Arguments:
        n: number of nodes (Python int >= 1).
    Returns:
        (nodes, weights): float64 numpy arrays of shape (n,), nodes ascending, sum(weights) = 2.

    Source: scipy.special.roots_legendre (Golub-Welsch); no physics formula.
    """
    n = _checks.check_int("n", n, minimum=1)
    return _gauss_legendre_cached(n)


@functools.lru_cache(maxsize=None)
def _fejer2(n: int):
    theta = np.pi * np.arange(1, n + 1) / (n + 1)
    j = np.arange(1, (n + 1) // 2 + 1)
    s = np.sin(np.outer(theta, 2 * j - 1)) / (2 * j - 1)
    w = 4.0 * np.sin(theta) / (n + 1) * s.sum(axis=1)
    return theta, w


@functools.lru_cache(maxsize=None)
def nystrom_nodes(n: int):
    """Nodes k_i and weights w_i for int_0^inf f(k) dk ~ sum_i w_i f(k_i) (units of k, dimensionless here).

    k_i = cot^2(t_i/2), t_i = pi i/(n+1) (a Fourier-Chebyshev map), with Fejer's second rule in
    cos t; converges exponentially for integrands decaying like e^{-c k}.

    Arguments:
        n: number of nodes (static int >= 1).
    Returns:
        (k, w): float64 numpy arrays of shape (n,), k descending.

    Source: the k-quadrature of the plane-wave Casimir code, B. Spreng et al., J. Chem. Phys. 153,
    024115 (2020); no physics formula.
    """
    theta, w_x = _fejer2(int(n))
    # int_0^pi g(t) dt = int_{-1}^{1} g(arccos x)/sqrt(1-x^2) dx, g = f(k(t)) |dk/dt|
    half = theta / 2.0
    k = 1.0 / np.tan(half) ** 2
    dk_dt = np.cos(half) / np.sin(half) ** 3
    w = w_x / np.sin(theta) * dk_dt
    k.flags.writeable = False
    w.flags.writeable = False
    return k, w


def _exp_map_inverse(v, beta):
    """t with t - beta e^{-t} = v (monotone; bisection in numpy)."""
    lo, hi = v - 1.0, abs(v) + 1.0 + beta     # phi(t) <= t and phi(|v| + 1 + beta) > v
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid - beta * math.exp(-mid) < v:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@functools.lru_cache(maxsize=None)
def exp_map_nodes(step=0.2, beta=0.3, u_min=1e-9, u_max=60.0):
    """Nodes u_j and weights w_j for int_0^inf g(u) du (dimensionless u), g smooth in log u and ~ e^{-u} at large u.

    u = exp(t - beta e^{-t}), trapezoidal rule in t with the given step on [t(u_min), t(u_max)]
    (the first node has the trapezoidal half weight plus u_min for int_0^{u_min} g ~ u_min g(u_min));
    n = ceil((t(u_max) - t(u_min))/step) + 1 nodes.

    Arguments:
        step: trapezoidal step in t (> 0).
        beta: strength of the double-exponential term (>= 0).
        u_min, u_max: integration range kept (0 < u_min < u_max).
    Returns:
        (u, w): float64 numpy arrays (read-only), u ascending.

    Source: the double-exponential idea of Ooura & Mori, J. Comput. Appl. Math. 38, 353 (1991),
    here one-sided; no physics formula.
    """
    step, beta = float(step), float(beta)
    if not (step > 0 and math.isfinite(step)):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    if not (beta >= 0 and 0 < u_min < u_max):
        raise ValueError("need beta >= 0 and 0 < u_min < u_max")
    t0 = _exp_map_inverse(math.log(u_min), beta)
    t1 = _exp_map_inverse(math.log(u_max), beta)
    n = int(math.ceil((t1 - t0) / step - 1e-12)) + 1
    t = t0 + step * np.arange(n)
    u = np.exp(t - beta * np.exp(-t))
    w = step * u * (1.0 + beta * np.exp(-t))
    w[0] = 0.5 * w[0] + u[0]
    u.flags.writeable = False
    w.flags.writeable = False
    return u, w
