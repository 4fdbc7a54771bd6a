"""Timing helpers shared by the benchmark scripts (wall clock on a possibly shared machine).

``load()`` is the line printed at the start and the end of a run; ``median_time`` times warm repetitions.
"""
from __future__ import annotations

import os
import time

import numpy as np


def load() -> str:
    """The 1/5/15-minute load averages as one line ("load average a b c")."""
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def median_time(fn, repeats):
    """(median, min) wall time [s] of ``repeats`` calls of fn() (fn blocks until its result is ready)."""
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), float(np.min(ts))
