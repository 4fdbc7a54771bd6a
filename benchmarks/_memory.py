"""Peak-memory figures for the benchmarks: XLA's compiled memory plan and the process's peak resident set.

* :func:`compiled_peak_bytes` -- arguments + outputs + temporaries of one compiled program
  (``jax.jit(fn).lower(*args).compile().memory_analysis()``): what one call plans to hold at once;
* :func:`process_peak_bytes` -- the peak resident set of this process so far (``ru_maxrss``), everything
  included (Python, JAX runtime, every compiled program);
* :func:`fmt` -- a short string such as ``"412 MB"`` (jaxem._memory.format_bytes).

Usage in a benchmark: ``print(f"... peak {fmt(compiled_peak_bytes(fn, *args))}, rss {fmt(process_peak_bytes())}")``.
"""
from __future__ import annotations

import resource
import sys

import jax

from jaxem._memory import format_bytes as fmt  # noqa: F401 -- re-exported for the benchmark scripts

__all__ = ["compiled_peak_bytes", "process_peak_bytes", "fmt"]


def compiled_peak_bytes(fn, *args, **kwargs) -> int:
    """Arguments + outputs + temporaries [bytes] of ``jax.jit(fn)`` compiled for these arguments (XLA's plan).

    ``fn`` may already be jitted; static keyword arguments are closed over.
    """
    jitted = jax.jit(lambda *a: fn(*a, **kwargs))
    stats = jitted.lower(*args).compile().memory_analysis()
    if stats is None:          # a backend without the analysis
        return 0
    return int(stats.argument_size_in_bytes + stats.output_size_in_bytes + stats.temp_size_in_bytes
               - stats.alias_size_in_bytes)


def process_peak_bytes() -> int:
    """Peak resident set size [bytes] of this process so far (``getrusage``; kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)
