"""Test configuration: float64 everywhere, as in the library; a quick end for pytest-xdist workers."""
import gc
import os

import jax

jax.config.update("jax_enable_x64", True)


def pytest_sessionfinish(session, exitstatus):
    """In a pytest-xdist worker (``make test``): collect garbage now, then freeze what survives.

    Once a worker has reported that it finished (pytest-xdist does so right after this hook), execnet gives it
    5 s to end and then sends it a SIGINT.  pytest's unraisable-exception plugin runs two full garbage
    collections in that window; over the heap a worker builds in half the suite (JAX traces and compiled
    programs, ~10^6 objects) on a loaded machine they took longer, and the SIGINT landed in a Python gc callback
    (JAX's ``_xla_gc_callback``, a ``WeakKeyDictionary`` callback): a spurious ``KeyboardInterrupt`` traceback,
    reported as a PytestUnraisableExceptionWarning, at the end of ``make test``.  Collecting here, before the
    worker reports, and moving the survivors to the permanent generation (``gc.freeze``) makes the later
    passes cost next to nothing.  Unraisable exceptions of this collection are still reported by pytest.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        gc.collect()
        gc.freeze()
