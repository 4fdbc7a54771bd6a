"""One "auto" rule for the batch sizes of jaxem's sequential maps (frequency sums, distance groups), per backend.

A ``jax.lax.map`` runs its body once per element; on a CPU that is the fastest schedule for jaxem's kernels
(batches of 4-64 points were measured 1.0-2.8x slower per point than one at a time on XLA CPU, jaxlib 0.9.2),
on a GPU it leaves the device mostly idle (one small LU per launch).  :func:`auto_batch_size` returns None
(one at a time) on CPU and on accelerators as many elements as fit a fixed share of the device memory (at
most 256), :func:`batched_map` applies it.  :func:`bucket_size` rounds a group size up to a power of two, so
that batches of different sizes share one compiled program (padding is cheap next to a recompilation).
"""
from __future__ import annotations

import jax

__all__ = ["auto_batch_size", "batched_map", "bucket_size", "device_memory_bytes"]

#: share of the device memory one vmapped batch may use (the rest: inputs, kernels, XLA temporaries)
ACCELERATOR_MEMORY_SHARE = 0.125
#: the largest batch on an accelerator (beyond this, launch overhead is negligible)
ACCELERATOR_MAX_BATCH = 256
#: assumed device memory [bytes] when the backend does not report it
_FALLBACK_MEMORY = 16 * 2**30


def device_memory_bytes(backend=None):
    """Memory [bytes] of the first device of ``backend``: ``memory_stats()['bytes_limit']`` where reported.

    Arguments:
        backend: JAX backend name ("cpu", "gpu", "tpu") or None for ``jax.default_backend()``.
    Returns:
        int bytes (16 GiB when the device does not report its memory).

    Source: no formula (reads the runtime's device statistics).
    """
    try:
        dev = jax.devices(backend)[0]
        stats = dev.memory_stats() or {}
        return int(stats.get("bytes_limit", _FALLBACK_MEMORY))
    except Exception:  # noqa: BLE001 -- a backend without statistics
        return _FALLBACK_MEMORY


def auto_batch_size(n, bytes_per_item, backend=None):
    """Elements vmapped together in a sequential map of n elements: None on CPU, memory-bound on accelerators.

    Arguments:
        n: number of elements mapped (static int).
        bytes_per_item: working set [bytes] of one element's body (an estimate; static).
        backend: JAX backend name or None for ``jax.default_backend()``.
    Returns:
        None (CPU, or n <= 1: one element at a time, exactly ``jax.lax.map(f, xs)``) or an int in [1, n]:
        min(n, 256, 1/8 of the device memory / bytes_per_item).

    Source: no formula (a measured CPU default; the accelerator share is a conservative choice).
    """
    backend = jax.default_backend() if backend is None else backend
    n = int(n)
    if backend == "cpu" or n <= 1:
        return None
    budget = ACCELERATOR_MEMORY_SHARE * device_memory_bytes(backend)
    fit = int(budget // max(int(bytes_per_item), 1))
    return max(1, min(n, ACCELERATOR_MAX_BATCH, fit))


def batched_map(fn, xs, bytes_per_item, backend=None):
    """``jax.lax.map(fn, xs)`` with :func:`auto_batch_size` elements vmapped together.

    Arguments:
        fn: traceable function of one element of xs.
        xs: array or pytree of arrays with a common leading axis n.
        bytes_per_item: working set [bytes] of one call of fn (static estimate).
        backend: JAX backend name or None for ``jax.default_backend()``.
    Returns:
        fn mapped over the leading axis of xs (as ``jax.lax.map``).

    Source: no formula.
    """
    n = jax.tree_util.tree_leaves(xs)[0].shape[0]
    bs = auto_batch_size(n, bytes_per_item, backend)
    if bs is None or bs <= 1:
        return jax.lax.map(fn, xs)
    return jax.lax.map(fn, xs, batch_size=bs)


def bucket_size(n):
    """The smallest power of two >= n: group sizes padded to it share one compiled program.

    Arguments:
        n: a size (int >= 1).
    Returns:
        int, a power of two >= n.

    Source: no formula.
    """
    n = max(int(n), 1)
    return 1 << (n - 1).bit_length()
