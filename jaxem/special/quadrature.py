"""Gauss-Legendre quadrature tables (static, computed once in float64 numpy and cached)."""
from __future__ import annotations

import functools

import numpy as np
import scipy.special

from jaxem import _checks

__all__ = ["gauss_legendre"]


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
    """Gauss-Legendre nodes and weights on [-1, 1] (exact for polynomials of degree <= 2n - 1).

    A static table (numpy, read-only, cached per n): use it at trace time, e.g.
    ``x, w = gauss_legendre(64); jnp.sum(w * f(jnp.asarray(x)))``.
    Arguments:
        n: number of nodes (Python int >= 1).
    Returns:
        (nodes, weights): float64 numpy arrays of shape (n,), nodes ascending, sum(weights) = 2.
    Spec: general numerical tool (scattering.md §3, angular quadratures).
    """
    n = _checks.check_int("n", n, minimum=1)
    return _gauss_legendre_cached(n)
