"""Grouping a batch of distances so that the gaps of one group share their kernels (one home for both engines).

A group holds gaps with L <= spread * L_min (its smallest gap): the quadrature grids, Mie coefficients, plate
matrices and sphere kernels are built once on the smallest gap's scale and reused, which keeps every gap of
the group within the accuracy class of a single call (spread = 1: each gap on its own grid, as single calls).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["GROUP_SPREAD", "GROUP_SPREAD_T0", "resolve_group_spread", "distance_groups", "padded_distance_groups"]

#: default largest L/L_min within a group (finite temperature), and with the legacy T = 0 Nystrom rule
GROUP_SPREAD = 2.0
GROUP_SPREAD_T0 = 1.25


def resolve_group_spread(group_spread, default=GROUP_SPREAD) -> float:
    """``group_spread`` as a float >= 1 (``default`` for None); ValueError naming it otherwise."""
    if group_spread is None:
        return float(default)
    try:
        value = float(group_spread)
    except (TypeError, ValueError):
        raise ValueError(f"group_spread must be a finite number >= 1, got {group_spread!r}") from None
    if not (math.isfinite(value) and value >= 1.0):
        raise ValueError(f"group_spread must be a finite number >= 1, got {group_spread!r}")
    return value


def distance_groups(L, spread: float, max_size: int | None = None):
    """Index arrays of the groups of a 1-D array of gaps L (concrete).

    The gaps are sorted (stable) and cut into consecutive groups with L <= spread * L_first (1e-12 relative
    slack for rounding) and at most ``max_size`` gaps each. Returns a list of int arrays indexing L, each
    ascending in L, together covering every index once.
    """
    L = np.asarray(L, dtype=float).reshape(-1)
    order = np.argsort(L, kind="stable")
    Ls = L[order]
    groups, start = [], 0
    while start < Ls.size:
        end = start + 1
        limit = spread * Ls[start] * (1.0 + 1e-12)
        while end < Ls.size and (max_size is None or end - start < max_size) and Ls[end] <= limit:
            end += 1
        groups.append(order[start:end])
        start = end
    return groups


def padded_distance_groups(L, spread: float, max_size: int):
    """(Lg, gather): the groups of :func:`distance_groups` as one (G, size) array for a vmapped evaluation.

    Short groups are padded with their smallest gap (which leaves the group's node scale unchanged);
    ``gather`` is the flat index into Lg of every input gap, so ``values.reshape(-1)[gather]`` restores
    the input order.
    """
    L = np.asarray(L, dtype=float).reshape(-1)
    groups = distance_groups(L, spread, max_size)
    size = max(g.size for g in groups)
    Lg = np.empty((len(groups), size))
    gather = np.empty(L.size, dtype=np.int64)
    for k, idx in enumerate(groups):
        Lg[k, :] = L[idx[0]]
        Lg[k, :idx.size] = L[idx]
        gather[idx] = k * size + np.arange(idx.size)
    return Lg, gather
