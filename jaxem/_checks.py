"""Input validation at the public API boundary (one home for every check).

Each check raises ``ValueError`` naming the offending parameter, *before* any tracing.
Inside ``jax.jit`` / ``vmap`` / ``grad`` the arguments are tracers whose values are unknown;
the checks then do nothing and the kernels propagate NaN for illegal values (documented in the
README, "Bad input").
"""
from __future__ import annotations

import numbers

import jax
import numpy as np

__all__ = [
    "Float64Required",
    "require_x64",
    "is_concrete",
    "check_positive",
    "check_nonnegative",
    "check_finite",
    "check_int",
    "check_choice",
]


class Float64Required(RuntimeError):
    """A jaxem kernel was called while JAX runs in 32-bit mode (no formula: an error type)."""


_X64_LINE = 'jax.config.update("jax_enable_x64", True)'


def require_x64():
    """Raise :class:`Float64Required` unless JAX's 64-bit mode is on.

    jaxem computes in float64 (complex128 inside) and never switches the mode itself: importing it leaves
    the user's JAX configuration as it was.
    """
    if not jax.config.jax_enable_x64:
        raise Float64Required(
            "jaxem computes in float64, but JAX runs in 32-bit mode: add the line\n"
            f"    import jax; {_X64_LINE}\n"
            "at the start of your script (before creating arrays or jaxem materials)")


def is_concrete(value) -> bool:
    """True when ``value`` holds concrete numbers (not a JAX tracer anywhere inside)."""
    leaves = jax.tree_util.tree_leaves(value)
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in leaves)


def _as_array(value):
    return np.asarray(value)


def check_finite(name: str, value):
    """Raise ``ValueError`` if any entry of ``value`` is NaN or infinite."""
    require_x64()
    if not is_concrete(value):
        return value
    arr = _as_array(value)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_positive(name: str, value, *, allow_inf: bool = False):
    """Raise ``ValueError`` unless every entry of ``value`` is real, finite and > 0.

    ``allow_inf=True`` admits ``+inf`` (e.g. a plane as a sphere of infinite radius).
    """
    require_x64()
    if not is_concrete(value):
        return value
    arr = _as_array(value)
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real, got {value!r}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not be NaN, got {value!r}")
    ok = arr > 0
    if not allow_inf:
        ok = ok & np.isfinite(arr)
    if not np.all(ok):
        raise ValueError(f"{name} must be > 0{' (or inf)' if allow_inf else ''} and finite, got {value!r}")
    return value


def check_nonnegative(name: str, value):
    """Raise ``ValueError`` unless every entry of ``value`` is real, finite and >= 0."""
    require_x64()
    if not is_concrete(value):
        return value
    arr = _as_array(value)
    if np.iscomplexobj(arr) or not np.all(np.isfinite(arr)) or not np.all(arr >= 0):
        raise ValueError(f"{name} must be real, finite and >= 0, got {value!r}")
    return value


def check_int(name: str, value, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int (a static size); raise ``ValueError`` if it is not one."""
    require_x64()
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be a Python int (a static size), got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_choice(name: str, value, choices):
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    require_x64()
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)!r}, got {value!r}")
    return value
