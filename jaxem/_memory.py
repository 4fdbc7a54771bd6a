"""Problem-size guards: the memory limit, and the check every size-dependent kernel makes before tracing.

A kernel whose arrays grow with its inputs (the Casimir engines with R/L and 1/T, Mie with the size
parameter x) estimates its peak memory analytically from its static sizes (elements x bytes, times the
factor reverse-mode autodiff adds when the call is inside an eager ``jax.grad``) and calls
:func:`check_memory` before it traces anything.  Above the limit it raises a ``ValueError`` that names the
parameter, the estimate, the limit and the way out, instead of allocating until the kernel kills the process.

The limit, in this order:

1. a ``memory_limit`` keyword where the kernel has one (the Casimir engines' field, ``mie_efficiencies``);
2. the environment variable ``JAXEM_MEMORY_LIMIT`` (bytes, or with a unit: ``"8GB"``, ``"512MiB"``;
   ``"inf"`` or ``"0"`` switches the guard off), read at each call;
3. by default half of the physical memory on a CPU (``os.sysconf``), the device's ``bytes_limit`` on an
   accelerator (:func:`jaxem._batching.device_memory_bytes`).

Importing this module changes nothing global.
"""
from __future__ import annotations

import math
import os
import re

import jax

__all__ = [
    "ENV_VAR",
    "CPU_SHARE",
    "memory_limit",
    "parse_bytes",
    "format_bytes",
    "check_memory",
    "check_count",
    "reverse_mode",
    "autodiff_orders",
]

#: the environment variable that overrides the default limit
ENV_VAR = "JAXEM_MEMORY_LIMIT"
#: share of the physical memory a CPU run may use by default
CPU_SHARE = 0.5

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_bytes(text) -> float:
    """A memory size in bytes from a number or a string such as ``"8GB"``, ``"512 MiB"``, ``"1.5e9"``, ``"inf"``.

    Arguments:
        text: int, float or str (units b, kB, MB, GB, TB (powers of 10), KiB, MiB, GiB, TiB; case-insensitive).
    Returns:
        float bytes (``inf`` for "inf", "none", "off" or 0: no limit).

    Source: no formula.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        s = str(text).strip().lower()
        if s in ("inf", "none", "off", "unlimited"):
            return math.inf
        m = re.fullmatch(r"([0-9.]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)", s)
        if m is None or m.group(2) not in _UNITS:
            raise ValueError(f"memory_limit must be a number of bytes or a size like '8GB', got {text!r}")
        value = float(m.group(1)) * _UNITS[m.group(2)]
    if not value >= 0:
        raise ValueError(f"memory_limit must be >= 0 bytes, got {text!r}")
    return math.inf if value == 0 else value


def _physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):      # not a POSIX system
        return 16.0 * 2**30


def memory_limit(limit=None) -> float:
    """The memory [bytes] one jaxem call may plan to use: ``limit``, else ``$JAXEM_MEMORY_LIMIT``, else the default.

    Arguments:
        limit: None, a number of bytes or a size string (see :func:`parse_bytes`).
    Returns:
        float bytes (``inf``: no guard).  Default: :data:`CPU_SHARE` of the physical memory on a CPU, the
        device's ``bytes_limit`` on an accelerator.

    Source: no formula.
    """
    if limit is not None:
        return parse_bytes(limit)
    env = os.environ.get(ENV_VAR)
    if env:
        return parse_bytes(env)
    if jax.default_backend() == "cpu":
        return CPU_SHARE * _physical_memory()
    from jaxem._batching import device_memory_bytes

    return float(device_memory_bytes())


def format_bytes(n) -> str:
    """``n`` bytes as a short human-readable string (``"13.5 GB"``)."""
    n = float(n)
    if not math.isfinite(n):
        return "unlimited"
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def check_memory(parameter: str, nbytes, *, what: str, way_out: str, limit=None):
    """Raise ``ValueError`` when the estimated peak memory ``nbytes`` of a call exceeds the limit.

    Call it before tracing, with the analytic estimate of the kernel (sizes x bytes, reverse-mode factor
    included).

    Arguments:
        parameter: the input that set the size (named first in the message, e.g. "temperature", "x").
        nbytes: estimated peak memory [bytes].
        what: the sizes behind the estimate, in words (e.g. "N = 56, M = 51, l_max = 1200, 9 frequencies").
        way_out: what the user can do (e.g. "a lower eta; a smaller batch").
        limit: None or an explicit limit (see :func:`memory_limit`).
    Returns:
        ``nbytes``.

    Source: no formula.
    """
    cap = memory_limit(limit)
    if nbytes > cap:
        raise ValueError(f"{parameter}: this call needs about {format_bytes(nbytes)} of memory ({what}), more "
                         f"than the limit {format_bytes(cap)} (set by the memory_limit keyword or ${ENV_VAR}; "
                         f"default half of the machine's memory or the device's). Way out: {way_out}")
    return nbytes


def check_count(parameter: str, count: int, maximum: int, *, what: str, way_out: str):
    """Raise ``ValueError`` when a work count (frequencies, multipole orders) exceeds its documented maximum.

    Arguments:
        parameter: the input that set the count.
        count: the count asked for.
        maximum: the largest count allowed.
        what: what is counted, in words.
        way_out: what the user can do.
    Returns:
        ``count``.

    Source: no formula.
    """
    if count > maximum:
        raise ValueError(f"{parameter}: this call needs {count:,} {what}, more than the maximum {maximum:,}. "
                         f"Way out: {way_out}")
    return count


def autodiff_orders(*values):
    """(forward order, reverse) of the autodiff being traced through ``values``: the number of nested forward-mode
    layers (``jax.jvp``, ``jax.jacfwd``; each at least doubles the working set) and whether reverse mode
    (``jax.grad``) stores residuals.  Eager transformations only; under ``jax.jit`` nothing is known: (0, False).

    Arguments:
        values: pytrees of inputs (numbers, arrays, tracers).
    Returns:
        (int, bool).

    Source: no formula (inspects the tracer types).
    """
    order, reverse = 0, False
    for leaf in jax.tree_util.tree_leaves(values):
        depth = 0
        while isinstance(leaf, jax.core.Tracer):
            name = type(leaf).__name__
            if "Linearize" in name:
                reverse = True
            elif "JVP" in name:
                depth += 1
            inner = getattr(leaf, "primal", None)
            if inner is None:
                inner = getattr(leaf, "val", None)
            if inner is None:
                break
            leaf = inner
        order = max(order, depth)
    return order, reverse


def reverse_mode(*values) -> bool:
    """True when some input is being differentiated in reverse mode (an eager ``jax.grad`` / ``jax.vjp``), so that
    the residuals of the forward pass are stored: the memory estimate then adds them.

    Arguments:
        values: pytrees of inputs (numbers, arrays, tracers).
    Returns:
        bool.

    Source: no formula (inspects the tracer types: ``jax.grad`` traces with linearize tracers).
    """
    return autodiff_orders(*values)[1]
