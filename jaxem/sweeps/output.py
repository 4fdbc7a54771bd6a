"""Output folder of a run: arrays, plots, a run record, and resumable chunked sweeps."""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

__all__ = ["Output"]


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def _atomic_write_bytes(path: Path, write):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Output:
    """The folder a task writes into, with a ``run.json`` record of task, parameters and files.

    Arguments:
        directory: output folder (created).
        task: task name.
        params: validated parameters.
        config: path of the config file (recorded).
        quiet: suppress progress lines.

    Source: none (bookkeeping; no formula).
    """

    def __init__(self, directory, task: str = "", params: dict | None = None, config: str | None = None,
                 quiet: bool = False):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.task = task
        self.params = dict(params or {})
        self.quiet = quiet
        self.files: list[str] = []
        self._record = {
            "task": task,
            "config": config,
            "params": _jsonable(self.params),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self._write_record()

    # -- bookkeeping ---------------------------------------------------------------------------
    def _write_record(self, **extra):
        from jaxem._version import __version__

        rec = dict(self._record, jaxem_version=__version__, files=sorted(set(self.files)), **extra)
        data = json.dumps(rec, indent=2, sort_keys=False).encode()
        _atomic_write_bytes(self.dir / "run.json", lambda fh: fh.write(data))

    def log(self, message: str) -> None:
        """Print a progress line on stderr."""
        if not self.quiet:
            print(f"[jaxem {self.task}] {message}", file=sys.stderr, flush=True)

    def finish(self, **summary) -> None:
        """Record completion (and an optional summary of scalar results) in run.json."""
        self._record["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if summary:
            self._record["summary"] = _jsonable(summary)
        self._write_record()

    # -- writers -------------------------------------------------------------------------------
    def write_arrays(self, name: str, **arrays) -> Path:
        """Save arrays to ``<dir>/<name>.npz`` (with the parameters as JSON inside) and return the path."""
        path = self.dir / f"{name}.npz"
        arrays = {k: np.asarray(v) for k, v in arrays.items()}
        arrays["_params_json"] = np.asarray(json.dumps(_jsonable(self.params)))
        _atomic_write_bytes(path, lambda fh: np.savez(fh, **arrays))
        self.files.append(path.name)
        self._write_record()
        self.log(f"wrote {path}")
        return path

    def savefig(self, fig, filename: str, **kwargs) -> Path:
        """Save a matplotlib figure to ``<dir>/<filename>`` and close it."""
        import matplotlib.pyplot as plt

        path = self.dir / filename
        kwargs.setdefault("dpi", 150)
        kwargs.setdefault("bbox_inches", "tight")
        fig.savefig(path, **kwargs)
        plt.close(fig)
        self.files.append(path.name)
        self._write_record()
        self.log(f"wrote {path}")
        return path

    # -- resumable sweeps ----------------------------------------------------------------------
    def sweep(self, name: str, fn, inputs: dict, chunk_size: int = 256) -> dict:
        """Evaluate ``fn`` over the points of ``inputs`` in chunks, writing each chunk as it finishes.

        Arguments: name -- sweep name (folder ``<dir>/<name>.chunks``); fn -- function of a dict of
        arrays with a leading batch axis returning a dict of arrays with the same leading axis
        (typically a jitted ``vmap``); inputs -- dict of arrays sharing the leading axis N;
        chunk_size -- points per chunk, an int >= 1 (the last chunk is padded, so ``fn`` compiles once).
        Returns the dict of outputs concatenated over all N points. A rerun with the same inputs,
        parameters and jaxem version loads finished chunks instead of recomputing them; different inputs,
        parameters or version start afresh (and say so).  A damaged chunk file (a killed disk, a copy cut
        short) is reported with a warning and recomputed.
        """
        from jaxem import _version
        from jaxem._checks import check_int

        version = _version.__version__
        chunk_size = check_int("chunk_size", chunk_size, minimum=1)
        inputs = {k: np.asarray(v) for k, v in inputs.items()}
        sizes = {v.shape[0] if v.ndim else None for v in inputs.values()}
        if len(sizes) != 1 or None in sizes:
            raise ValueError("sweep inputs must share a leading axis")
        n = sizes.pop()
        if n == 0:
            raise ValueError("sweep inputs are empty")
        chunk_size = min(chunk_size, n)
        digest = hashlib.sha256()
        digest.update(json.dumps([self.task, name, chunk_size, _jsonable(self.params), version],
                                 sort_keys=True, default=str).encode())
        for k in sorted(inputs):
            digest.update(k.encode())
            digest.update(np.ascontiguousarray(inputs[k]).tobytes())
        key = digest.hexdigest()[:16]

        cdir = self.dir / f"{name}.chunks"
        cdir.mkdir(exist_ok=True)
        manifest = cdir / "manifest.json"
        old = _read_manifest(manifest)
        stale = None
        if old is None:
            if any(cdir.glob("chunk_*.npz")):
                stale = "chunks without a manifest (their inputs are unknown)"
        elif not old:
            stale = f"unreadable manifest {manifest}"
        elif old.get("key") != key:
            old_version = old.get("jaxem_version")
            if old_version != version:
                by = f"jaxem {old_version}" if old_version else "an earlier jaxem (no version recorded)"
                stale = (f"the finished chunks were computed by {by}, this is jaxem {version}: results of "
                         "another version are not reused")
            else:
                stale = "inputs changed since the last run"
        if stale:
            self.log(f"{name}: {stale}; recomputing all chunks")
            for f in cdir.glob("chunk_*.npz"):
                f.unlink()
        n_chunks = -(-n // chunk_size)
        record = json.dumps({"key": key, "n_points": n, "chunk_size": chunk_size, "n_chunks": n_chunks,
                             "jaxem_version": version}).encode()
        _atomic_write_bytes(manifest, lambda fh: fh.write(record))
        parts = []
        t_start = time.perf_counter()
        resumed = 0
        for i in range(n_chunks):
            lo, hi = i * chunk_size, min((i + 1) * chunk_size, n)
            path = cdir / f"chunk_{i:05d}.npz"
            if path.exists():
                part = _load_chunk(path, hi - lo)
                if part is not None:
                    parts.append(part)
                    resumed += 1
                    continue
            batch = {}
            for k, v in inputs.items():
                b = v[lo:hi]
                if hi - lo < chunk_size:  # pad with the last point: one compiled shape
                    pad = np.repeat(b[-1:], chunk_size - (hi - lo), axis=0)
                    b = np.concatenate([b, pad], axis=0)
                batch[k] = b
            t0 = time.perf_counter()
            result = fn(batch)
            result = {k: np.asarray(v)[: hi - lo] for k, v in result.items()}
            _atomic_write_bytes(path, lambda fh: np.savez(fh, **result))
            parts.append(result)
            self.log(f"{name}: chunk {i + 1}/{n_chunks} (points {lo}-{hi - 1}) in "
                     f"{time.perf_counter() - t0:.2f} s")
        if resumed:
            self.log(f"{name}: resumed {resumed} finished chunk(s) from {cdir}")
        self.log(f"{name}: {n} points in {time.perf_counter() - t_start:.2f} s")
        return {k: np.concatenate([p[k] for p in parts], axis=0) for k in parts[0]}


def _read_manifest(path: Path):
    """The manifest of a sweep's chunk folder: None if absent, {} if unreadable, else its dict."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _load_chunk(path: Path, n_points: int):
    """The arrays of a finished chunk, or None (after a warning, the file removed) when it is damaged: not a
    readable .npz, empty, or holding arrays whose leading axis is not the chunk's ``n_points``."""
    import warnings
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as data:
            part = {k: data[k] for k in data.files}
        if not part or any(v.ndim == 0 or v.shape[0] != n_points for v in part.values()):
            raise ValueError(f"expected arrays of {n_points} points, got shapes "
                             f"{ {k: v.shape for k, v in part.items()} }")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        warnings.warn(f"damaged chunk file {path} ({type(exc).__name__}: {exc}); recomputing it",
                      RuntimeWarning, stacklevel=3)
        try:
            path.unlink()
        except OSError:
            pass
        return None
    return part
