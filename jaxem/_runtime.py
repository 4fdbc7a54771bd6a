"""Guards about the JAX runtime jaxem runs on (checked once, at import)."""
from __future__ import annotations

import re
import warnings

# jaxlib 0.10.0 up to (not including) 0.11.1: batched CPU LAPACK kernels (getrf, potrf, trsm, ...) split
# a batch into chunks, run them on XLA's intra-op thread pool (one thread per core) and block on a counter
# while themselves running on a thread of that pool.  Two such calls in flight at once (two independent
# solves in one graph, as in a force gradient; two host devices; two Python threads) can occupy every
# thread of the pool and wait for each other forever (0 % CPU).  Upstream turned the path off again in
# 0.11.1.
DEADLOCK_RANGE = ((0, 10, 0), (0, 11, 1))
SAFE_VERSIONS = "jaxlib <= 0.9.2 or >= 0.11.1 (jaxem pins jax and jaxlib 0.9.2)"


class JaxlibDeadlockWarning(RuntimeWarning):
    """The running jaxlib can deadlock in batched CPU LAPACK kernels."""


def _version_tuple(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def jaxlib_can_deadlock(version: str) -> bool:
    """True if jaxlib ``version`` (e.g. "0.10.2") lies in the range whose CPU LAPACK kernels can deadlock."""
    lo, hi = DEADLOCK_RANGE
    return lo <= _version_tuple(version) < hi


def warn_if_deadlocking_jaxlib(version: str | None = None) -> bool:
    """Warn (JaxlibDeadlockWarning) if the running jaxlib is in the deadlocking range; True if it warned."""
    if version is None:
        import jaxlib

        version = getattr(jaxlib, "__version__", None) or jaxlib.version.__version__
    if not jaxlib_can_deadlock(version):
        return False
    warnings.warn(
        f"jaxlib {version} can hang forever on CPU: its batched LAPACK kernels (LU, Cholesky, triangular "
        "solves) wait on the thread pool they run on, so two factorisations in flight at once (a Casimir "
        "force gradient, several host devices, several Python threads) can deadlock. Install "
        f"{SAFE_VERSIONS}.",
        JaxlibDeadlockWarning,
        stacklevel=3,
    )
    return True


def default_cache_dir() -> str:
    """The folder of jaxem's persistent compilation cache: $JAXEM_CACHE_DIR, else $XDG_CACHE_HOME/jaxem/xla
    (~/.cache/jaxem/xla)."""
    import os

    explicit = os.environ.get("JAXEM_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jaxem", "xla")


def enable_compilation_cache(path: str | None = None) -> str:
    """Turn on JAX's persistent compilation cache in ``path`` (default :func:`default_cache_dir`).

    Applications (the command line, sweeps) call it so that a second process loads compiled programs
    instead of recompiling them (seconds to minutes for the Casimir kernels).  Importing jaxem never calls
    it: the cache is a global JAX setting that belongs to the application.  Returns the folder used.
    """
    import os

    import jax

    path = path or default_cache_dir()
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    # cache every program that took >= 0.5 s to compile (the default, 1 s, misses most Mie kernels)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return path


def quiet_slow_compile_alarm() -> None:
    """Silence XLA's "Very slow compile? ... file a bug" banner (a C++ ERROR log, not an error).

    XLA has no switch for the alarm alone; it is logged through the C++ logger whose threshold is read from
    TF_CPP_MIN_LOG_LEVEL when the first message is logged, so this must run before the first compilation.
    A value the user set is kept.  Python exceptions are unaffected.
    """
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def parse_devices(text: str | None) -> int | None:
    """The value of ``--devices``: None for "all", else the count (an int >= 1); ValueError naming the option.

    Arguments:
        text: "all", a positive integer as text, or None (the default: 1).
    Returns:
        None (all local devices) or the number of local devices.

    Source: none (command-line parsing; no formula).
    """
    if text is None:
        return 1
    if str(text).strip().lower() == "all":
        return None
    try:
        count = int(str(text).strip())
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"--devices must be 'all' or an integer >= 1, got {text!r}")
    return count


def start_distributed(coordinator: str | None = None, num_processes: int | None = None,
                      process_id: int | None = None) -> None:
    """Join a multi-process JAX job: ``jax.distributed.initialize`` with the explicit settings, or (none given)
    with those it detects (Slurm, Open MPI, ...).  Must run before JAX touches a device.

    Arguments:
        coordinator: "HOST:PORT" of process 0's coordination service, or None.
        num_processes: the number of processes, or None.
        process_id: this process's index (0 .. num_processes - 1), or None.
    Returns:
        None.  ValueError naming the option when the settings are incomplete or no cluster is detected.

    Source: none (JAX runtime set-up; no formula).
    """
    import jax

    explicit = {"--coordinator": coordinator, "--num-processes": num_processes, "--process-id": process_id}
    given = [k for k, v in explicit.items() if v is not None]
    if given and len(given) < 3:
        missing = [k for k in explicit if k not in given]
        raise ValueError(f"--distributed with {', '.join(given)} also needs {', '.join(missing)}")
    if given:
        if num_processes < 1:
            raise ValueError(f"--num-processes must be an integer >= 1, got {num_processes}")
        if not 0 <= process_id < num_processes:
            raise ValueError(f"--process-id must lie in 0 .. {num_processes - 1} (--num-processes "
                             f"{num_processes}), got {process_id}")
        if ":" not in coordinator:
            raise ValueError(f"--coordinator must be HOST:PORT, got {coordinator!r}")
    try:
        jax.distributed.initialize(coordinator, num_processes, process_id)
    except ValueError as exc:
        if given:
            raise ValueError(f"--distributed: {exc}") from None
        raise ValueError("--distributed found no cluster to join (no Slurm / Open MPI job detected): give "
                         "--coordinator HOST:PORT --num-processes N --process-id I") from None


def sweep_devices(count: int | None = 1, distributed: bool = False):
    """The devices a sweep shards its chunks over: the first ``count`` local devices (None: all) of this process,
    or with ``distributed`` of every process.

    Arguments:
        count: devices per process, or None for all.
        distributed: take the devices of every process of a ``jax.distributed`` job.
    Returns:
        a list of JAX devices, or None where that is this process's one device (the unsharded path).

    Source: none (JAX runtime set-up; no formula).
    """
    import jax

    local = jax.local_devices()
    if count is not None and count > len(local):
        raise ValueError(f"--devices {count}: this process has only {len(local)} {local[0].platform} "
                         f"device(s)")
    n = len(local) if count is None else count
    if not distributed or jax.process_count() == 1:
        return None if n == 1 else list(local[:n])
    chosen = []
    for p in range(jax.process_count()):
        mine = sorted((d for d in jax.devices() if d.process_index == p), key=lambda d: d.id)
        chosen.extend(mine[:n])
    return chosen


def wait_processes(procs, timeout: float):
    """Wait for local processes started with ``subprocess.Popen(..., stderr=PIPE, text=True)`` (the processes of
    a local ``--distributed`` job, the runs of a benchmark), then kill any still running (one failed, or the
    time ran out), so that none is left behind.

    Arguments:
        procs: the Popen objects.
        timeout: seconds to wait for each.
    Returns:
        list of (return code, stderr text), one per process (subprocess.TimeoutExpired when time ran out).

    Source: none (process bookkeeping; no formula).
    """
    errs = []
    try:
        for p in procs:
            _, err = p.communicate(timeout=timeout)
            errs.append((p.returncode, err))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return errs
