"""Input validation at the public API boundary (one home for every check).

Each check raises ``ValueError`` naming the offending parameter, *before* any tracing.
Inside ``jax.jit`` / ``vmap`` / ``grad`` the arguments are tracers whose values are unknown;
the checks then do nothing and the kernels propagate NaN for illegal values (documented in the
docs/conventions.md, "Bad input").
"""
from __future__ import annotations

import numbers
import sys

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
    "check_real",
    "check_nonzero",
    "check_range",
    "check_scalar",
    "check_shape",
    "check_broadcast",
    "check_bool",
    "check_material",
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


def _known_value(leaf):
    """The concrete numbers behind one leaf, or None.  Eager ``jax.grad``/``jax.jvp``/``jax.jacfwd``/
    ``jax.hessian`` trace with known primal values (``.primal``) and eager ``jax.vmap`` with the whole batch
    (``.val``); under ``jax.jit`` (or ``lax.scan``...) only abstract shapes exist."""
    while isinstance(leaf, jax.core.Tracer):
        inner = getattr(leaf, "primal", None)
        if inner is None:
            inner = getattr(leaf, "val", None)
        if inner is None:
            return None
        leaf = inner
    try:
        arr = np.asarray(leaf)
    except Exception:                  # an abstract jaxpr variable, not numbers
        return None
    return arr if arr.dtype.kind in "biufc" else None


def known_values(value):
    """``value`` (a pytree) with every JAX tracer replaced by the concrete NumPy values it carries, or None.

    This is how static sizes (truncation orders, quadrature sizes) are chosen inside a user's first eager
    ``jax.grad``, ``jax.jacfwd``, ``jax.hessian`` or ``jax.vmap``: from the point being differentiated, or
    from the hardest point of the batch being mapped.  Under ``jax.jit`` the values do not exist yet and the
    result is None (the caller then asks for explicit sizes, e.g. ``engine.sized_for(...)``).

    Arguments:
        value: any pytree of numbers, arrays and tracers.
    Returns:
        the same pytree with NumPy arrays for leaves, or None when some leaf has no concrete value.
    Source: no formula (reads the primal/batched values of JAX's JVP, linearize and batching tracers).
    """
    leaves, tree = jax.tree_util.tree_flatten(value)
    known = [_known_value(leaf) if isinstance(leaf, jax.core.Tracer) else leaf for leaf in leaves]
    if any(k is None for k, leaf in zip(known, leaves) if isinstance(leaf, jax.core.Tracer)):
        return None
    return jax.tree_util.tree_unflatten(tree, known)


def _as_array(name: str, value):
    """``value`` as a NumPy array of numbers; ``ValueError`` naming ``name`` for strings, None, objects or
    ragged nested lists (which NumPy would turn into a TypeError deep inside a kernel)."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if arr.dtype.kind not in "biufc":
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
    return arr


def _shape(name: str, value) -> tuple:
    """The shape of ``value`` (a number, array, nested list or tracer); static, so known under tracing too."""
    if hasattr(value, "shape"):
        return tuple(value.shape)
    if is_concrete(value):
        return _as_array(name, value).shape
    import jax.numpy as jnp

    return jnp.shape(jnp.asarray(value))


def check_finite(name: str, value):
    """Raise ``ValueError`` unless ``value`` holds numbers (real or complex), none NaN or infinite."""
    require_x64()
    if not is_concrete(value):
        return value
    arr = _as_array(name, value)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_real(name: str, value):
    """Raise ``ValueError`` unless ``value`` holds real, finite numbers (a complex dtype is refused even with
    a zero imaginary part: it would be dropped silently)."""
    require_x64()
    if not is_concrete(value):
        return value
    if not np.all(np.isfinite(_real_array(name, value))):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _real_array(name: str, value):
    """``value`` as a real NumPy array; ``ValueError`` naming ``name`` for a complex dtype or non-numbers."""
    arr = _as_array(name, value)
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real, got {value!r}")
    return arr


def check_nonzero(name: str, value):
    """Raise ``ValueError`` unless every entry of ``value`` is finite and != 0 (real or complex)."""
    check_finite(name, value)
    if is_concrete(value) and np.any(_as_array(name, value) == 0):
        raise ValueError(f"{name} must be nonzero, got {value!r}")
    return value


def check_range(name: str, value, low=None, high=None, *, closed: bool = False):
    """Raise ``ValueError`` unless every entry of ``value`` is real, finite and in (low, high).

    ``closed=True`` admits the end points, [low, high]; ``None`` leaves that side open.
    """
    check_real(name, value)
    if not is_concrete(value):
        return value
    arr = _as_array(name, value)
    ok = np.ones(arr.shape, dtype=bool)
    if low is not None:
        ok &= (arr >= low) if closed else (arr > low)
    if high is not None:
        ok &= (arr <= high) if closed else (arr < high)
    if not np.all(ok):
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"[{lo}, {hi}]" if closed else f"({lo}, {hi})"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


def check_positive(name: str, value, *, allow_inf: bool = False):
    """Raise ``ValueError`` unless every entry of ``value`` is real, finite and > 0.

    ``allow_inf=True`` admits ``+inf`` (e.g. a plane as a sphere of infinite radius).
    """
    require_x64()
    if not is_concrete(value):
        return value
    arr = _real_array(name, value)
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
    arr = _as_array(name, value)
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


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a bool (a static switch); raise ``ValueError`` otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_scalar(name: str, value):
    """Raise ``ValueError`` unless ``value`` is a single number (shape ()); shapes are static, so the check
    also holds for traced values (inside ``vmap`` a batched scalar is a scalar)."""
    require_x64()
    shape = _shape(name, value)
    if shape != ():
        raise ValueError(f"{name} must be a scalar (vmap over it for a sweep), got shape {shape}")
    return value


def check_shape(name: str, value, trailing: tuple, *, batch: bool = True):
    """Raise ``ValueError`` unless ``value`` has shape ``trailing`` (``batch=False``) or ``(..., *trailing)``.

    ``trailing`` entries may be None (any length).  Shapes are static: the check also holds for tracers.
    """
    require_x64()
    shape = _shape(name, value)
    n = len(trailing)
    ok = len(shape) >= n if batch else len(shape) == n
    ok = ok and all(t is None or s == t for s, t in zip(shape[len(shape) - n:], trailing))
    if not ok:
        want = ", ".join("n" if t is None else str(t) for t in trailing)
        want = f"(..., {want})" if batch else f"({want}{',' if n == 1 else ''})"
        raise ValueError(f"{name} must have shape {want}, got shape {shape}")
    return value


def check_broadcast(**arrays):
    """Raise ``ValueError`` naming the arguments unless their shapes broadcast together; return the shape."""
    require_x64()
    shapes = {k: _shape(k, v) for k, v in arrays.items()}
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{k} {s}" for k, s in shapes.items())
        raise ValueError(f"{', '.join(shapes)} must broadcast together, got shapes {listed}") from None


def check_material(name: str, value, *, allow_none: bool = False):
    """Raise ``ValueError`` unless ``value`` is a jaxem material (:class:`jaxem.materials.Material`)."""
    # no import of jaxem.materials (a higher layer): a Material instance implies the module is loaded
    materials = sys.modules.get("jaxem.materials")
    if value is None and allow_none:
        return value
    if materials is None or not isinstance(value, materials.Material):
        raise ValueError(f"{name} must be a jaxem material (e.g. jaxem.Drude.gold(), "
                         f"jaxem.material_from_name('silica')), got {value!r}")
    return value
