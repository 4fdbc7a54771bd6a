"""The two-body set-ups of Casimir physics: whether the second body is a plane, decided once.

A plane is a sphere of infinite radius: R2 = inf (``math.inf`` or ``jnp.inf``), a concrete number. A traced
R2 (under ``jax.jit``/``grad``) is a sphere radius.
"""
from __future__ import annotations

import numpy as np

from jaxem._checks import check_positive, is_concrete

__all__ = ["is_plane"]


def is_plane(R2, name: str = "R2") -> bool:
    """True when the second body is a plane (every entry of a concrete ``R2`` is +inf).

    Arguments:
        R2: radius of the second body [m] (> 0) or inf for a plane; scalar or array; may be traced.
        name: the parameter's name in error messages.
    Returns:
        bool (False for a traced R2).
    Raises:
        ValueError: R2 not > 0, or a batch mixing finite radii and planes (one call is one geometry kind).
    """
    check_positive(name, R2, allow_inf=True)
    if not is_concrete(R2):
        return False
    inf = np.isinf(np.asarray(R2, dtype=float))
    if inf.any() and not inf.all():
        raise ValueError(f"{name} must be all finite or all inf (a plane) in one call, got {R2!r}")
    return bool(inf.all())
