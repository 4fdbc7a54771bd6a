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
    """Write ``path`` whole or not at all: into a temporary file of a unique name beside it, then ``os.replace``.

    Two writers of the same file (two runs sharing a folder) each replace it with a complete file; a reader
    never sees half of one."""
    import uuid

    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Output:
    """The folder a task writes into, with a ``run.json`` record of task, parameters and files.

    Layout: the task's result files (``<name>.npz``, plots) and ``run.json`` lie in the folder itself (those of
    the last run that wrote them); the chunks of a resumable sweep lie in ``<name>.chunks/<key>/``, where
    ``<key>`` hashes everything the results depend on (task, sweep name, validated parameters, inputs, chunk
    size, jaxem version), beside that folder's ``manifest.json`` (written once).  Runs of different inputs
    therefore never mix or delete each other's chunks, and runs of the same inputs share them.

    Arguments:
        directory: output folder (created).
        task: task name.
        params: validated parameters.
        config: path of the config file (recorded).
        quiet: suppress progress lines and bars.
        progress: the progress bar of a sweep (tqdm, on stderr: points done, rate, ETA; updated per finished
            chunk): None shows it when stderr is a terminal, True also when it is not (a log file), False
            never; ``quiet`` and processes other than 0 never show it.
        devices: None (evaluate each chunk as the task's function does: one device), or a sequence of JAX
            devices, possibly of several processes (``jax.distributed``): each chunk is sharded over a 1-D
            ``Mesh`` of them (padded to a multiple of their number); with several processes only process 0
            writes files.

    Source: none (bookkeeping; no formula).
    """

    def __init__(self, directory, task: str = "", params: dict | None = None, config: str | None = None,
                 quiet: bool = False, devices=None, progress: bool | None = None):
        self.dir = Path(directory)
        self.task = task
        self.params = dict(params or {})
        self.files: list[str] = []
        self.sweep_dirs: dict[str, Path] = {}   # sweep name -> its chunk folder <dir>/<name>.chunks/<key>
        self._mesh = None
        self._jit_ok = None
        self.process_index, self.process_count = 0, 1
        if devices is not None and len(devices) > 1:
            import jax
            from jax.sharding import Mesh

            self._mesh = Mesh(np.asarray(list(devices), dtype=object), ("points",))
            self.process_index, self.process_count = jax.process_index(), jax.process_count()
        elif devices is not None:
            import jax

            self.process_index, self.process_count = jax.process_index(), jax.process_count()
        self.is_writer = self.process_index == 0
        self.quiet = quiet or not self.is_writer
        self.progress = False if self.quiet else progress
        self._bar = None                      # the open progress bar of the running sweep (log lines go above it)
        if self.is_writer:
            self.dir.mkdir(parents=True, exist_ok=True)
        self._record = {
            "task": task,
            "config": config,
            "params": _jsonable(self.params),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if self._mesh is not None:
            self._record["devices"] = {"count": int(self._mesh.size), "processes": self.process_count,
                                       "platform": self._mesh.devices.flat[0].platform}
        self._write_record()

    # -- bookkeeping ---------------------------------------------------------------------------
    def _write_record(self, **extra):
        from jaxem._version import __version__

        if not self.is_writer:
            return
        rec = dict(self._record, jaxem_version=__version__, files=sorted(set(self.files)), **extra)
        data = json.dumps(rec, indent=2, sort_keys=False).encode()
        _atomic_write_bytes(self.dir / "run.json", lambda fh: fh.write(data))

    def log(self, message: str) -> None:
        """Print a progress line on stderr."""
        if self.quiet:
            return
        line = f"[jaxem {self.task}] {message}"
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr)      # above the bar, which is drawn again below
        else:
            print(line, file=sys.stderr, flush=True)

    def _progress_bar(self, name: str, total: int, done: int):
        """A tqdm bar over a sweep's ``total`` points, ``done`` of them finished before (resumed), or None when
        no bar is shown (see ``progress`` of the class)."""
        if self.progress is False:
            return None
        from tqdm import tqdm

        return tqdm(total=total, initial=done, desc=f"[jaxem {self.task}] {name}", unit="pt",
                    file=sys.stderr, disable=None if self.progress is None else False, dynamic_ncols=True,
                    mininterval=0, miniters=1, leave=True)

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
        if not self.is_writer:
            return path
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
        if not self.is_writer:
            plt.close(fig)
            return path
        kwargs.setdefault("dpi", 150)
        kwargs.setdefault("bbox_inches", "tight")
        kwargs.setdefault("format", path.suffix[1:] or "png")
        _atomic_write_bytes(path, lambda fh: fig.savefig(fh, **kwargs))
        plt.close(fig)
        self.files.append(path.name)
        self._write_record()
        self.log(f"wrote {path}")
        return path

    def write_text(self, filename: str, text: str) -> Path:
        """Save ``text`` (UTF-8) to ``<dir>/<filename>`` atomically (only process 0 of a distributed run writes)
        and return the path."""
        path = self.dir / filename
        if not self.is_writer:
            return path
        data = text.encode("utf-8")
        _atomic_write_bytes(path, lambda fh: fh.write(data))
        self.files.append(path.name)
        self._write_record()
        self.log(f"wrote {path}")
        return path

    # -- resumable sweeps ----------------------------------------------------------------------
    def sweep_key(self, name: str, inputs: dict, chunk_size: int) -> str:
        """The key (16 hex digits) of a sweep's chunk folder ``<dir>/<name>.chunks/<key>``: a hash of the task,
        the sweep name, the parameters, the inputs, the chunk size (as :meth:`sweep` clips it to the number of
        points) and the jaxem version.

        Arguments:
            name: sweep name.
            inputs: dict of arrays sharing the leading axis.
            chunk_size: points per chunk (clipped to the number of points).
        Returns:
            str, the key.

        Source: none (bookkeeping; no formula).
        """
        from jaxem import _version

        inputs = {k: np.asarray(v) for k, v in inputs.items()}
        n = next(iter(inputs.values())).shape[0]
        digest = hashlib.sha256()
        digest.update(json.dumps([self.task, name, min(int(chunk_size), n), _jsonable(self.params),
                                  _version.__version__], sort_keys=True, default=str).encode())
        for k in sorted(inputs):
            digest.update(k.encode())
            digest.update(str((inputs[k].dtype.str, inputs[k].shape)).encode())
            digest.update(np.ascontiguousarray(inputs[k]).tobytes())
        return digest.hexdigest()[:16]

    def sweep(self, name: str, fn, inputs: dict, chunk_size: int = 256) -> dict:
        """Evaluate ``fn`` over the points of ``inputs`` in chunks, writing each chunk as it finishes.

        A rerun with the same inputs, parameters and jaxem version loads finished chunks instead of computing
        them again (also when run on another number of devices); other inputs, parameters or another version
        get a chunk folder of their own (the note says why nothing is reused), the earlier chunks are kept.
        A damaged chunk file (a killed disk, a copy cut short) is reported with a warning and recomputed.
        With devices (see the class), each chunk is padded to a multiple of the devices, evaluated as
        ``jax.jit(fn)`` on inputs sharded over them (when ``fn`` cannot be traced: ``fn`` itself on one device
        of each process, each on its share of the chunk, then gathered), and the padding stripped; with
        several processes, process 0 reads the finished chunks and sends them to the others, and alone writes
        chunks and manifest.  Progress: a line per chunk and a bar over the points (resumed ones counted as done
        from the start; see ``progress`` of the class).

        Arguments:
            name: sweep name (chunks in ``<dir>/<name>.chunks/<key>/``).
            fn: function of a dict of arrays with a leading batch axis returning a dict of arrays with the
                same leading axis (typically a jitted ``vmap``).
            inputs: dict of arrays sharing the leading axis N.
            chunk_size: points per chunk, an int >= 1 (the last chunk is padded, so ``fn`` compiles once).
        Returns:
            the dict of outputs concatenated over all N points.

        Source: none (bookkeeping; no formula).
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
        key = self.sweep_key(name, inputs, chunk_size)
        n_chunks = -(-n // chunk_size)

        root = self.dir / f"{name}.chunks"
        cdir = root / key
        self.sweep_dirs[name] = cdir
        finished = {}
        if self.is_writer:
            finished = self._open_store(name, root, cdir, {
                "key": key, "task": self.task, "sweep": name, "params": _jsonable(self.params),
                "inputs": {k: [v.dtype.str, list(v.shape)] for k, v in sorted(inputs.items())},
                "n_points": n, "chunk_size": chunk_size, "n_chunks": n_chunks, "jaxem_version": version})
        if self.process_count > 1:
            finished = _share_finished(finished, n_chunks, self.is_writer)
        parts = {}
        for i, data in finished.items():
            part = _load_chunk(data, min((i + 1) * chunk_size, n) - i * chunk_size, cdir / f"chunk_{i:05d}.npz",
                               warn=self.is_writer)
            if part is not None:
                parts[i] = part
        resumed = len(parts)
        t_start = time.perf_counter()
        self._jit_ok = None
        bar = self._progress_bar(name, n, sum(min((i + 1) * chunk_size, n) - i * chunk_size for i in parts))
        if bar is not None and not bar.disable:
            self._bar = bar
        try:
            self._compute_chunks(name, fn, inputs, parts, n, chunk_size, n_chunks, cdir)
        finally:
            if bar is not None:
                bar.close()
            self._bar = None
        if resumed:
            self.log(f"{name}: resumed {resumed} finished chunk(s) from {cdir}")
        self.log(f"{name}: {n} points in {time.perf_counter() - t_start:.2f} s")
        parts = [parts[i] for i in range(n_chunks)]
        return {k: np.concatenate([p[k] for p in parts], axis=0) for k in parts[0]}

    def _compute_chunks(self, name, fn, inputs, parts, n, chunk_size, n_chunks, cdir) -> None:
        """Evaluate and write every chunk of a sweep missing from ``parts`` (filled in place), advancing the
        progress bar by each chunk's points."""
        for i in range(n_chunks):
            if i in parts:
                continue
            lo, hi = i * chunk_size, min((i + 1) * chunk_size, n)
            path = cdir / f"chunk_{i:05d}.npz"
            batch = {}
            for k, v in inputs.items():
                b = v[lo:hi]
                if hi - lo < chunk_size:  # pad with the last point: one compiled shape
                    pad = np.repeat(b[-1:], chunk_size - (hi - lo), axis=0)
                    b = np.concatenate([b, pad], axis=0)
                batch[k] = b
            t0 = time.perf_counter()
            result = self._evaluate(fn, batch, hi - lo)
            if self.is_writer:
                _atomic_write_bytes(path, lambda fh: np.savez(fh, **result))
            parts[i] = result
            self.log(f"{name}: chunk {i + 1}/{n_chunks} (points {lo}-{hi - 1}) in "
                     f"{time.perf_counter() - t0:.2f} s" + self._on())
            if self._bar is not None:
                self._bar.update(hi - lo)

    def _on(self) -> str:
        if self._mesh is None:
            return ""
        procs = f" of {self.process_count} processes" if self.process_count > 1 else ""
        if self._jit_ok:
            how = ""
        elif self.process_count > 1:
            how = " (fn not traceable: called on each process's share, then gathered)"
        else:
            how = " (fn not traceable: evaluated on one device)"
        return f" on {self._mesh.size} devices{procs}{how}"

    def _open_store(self, name: str, root: Path, cdir: Path, manifest: dict) -> dict:
        """Create (once) the chunk folder ``cdir`` and its manifest; return {chunk index: path} of the chunk
        files that may be reused (all, unless the manifest is missing or damaged)."""
        cdir.mkdir(parents=True, exist_ok=True)
        path = cdir / "manifest.json"
        old = _read_manifest(path)
        files = {int(f.stem[6:]): f for f in cdir.glob("chunk_*.npz") if f.stem[6:].isdigit()}
        files = {i: f for i, f in files.items() if i < manifest["n_chunks"]}
        stale = None
        if old is None and files:
            stale = "chunks without a manifest (their inputs are unknown)"
        elif old is not None and old.get("key") != manifest["key"]:
            stale = f"unreadable manifest {path}" if not old else f"a manifest of other inputs in {path}"
        if old != manifest:
            record = json.dumps(manifest, indent=1, sort_keys=True).encode()
            _atomic_write_bytes(path, lambda fh: fh.write(record))
        if stale:
            self.log(f"{name}: {stale}; recomputing all chunks")
            return {}
        if not files:
            why = _why_not_reused(root, cdir, manifest)
            if why:
                self.log(f"{name}: {why}; recomputing all chunks (the earlier ones are kept)")
        return files

    def _evaluate(self, fn, batch: dict, n_valid: int) -> dict:
        """``fn`` on one (padded) chunk, as numpy arrays of its first ``n_valid`` points."""
        if self._mesh is None:
            return {k: np.asarray(v)[:n_valid] for k, v in fn(batch).items()}
        import jax
        from jax.sharding import NamedSharding, PartitionSpec

        mesh = self._mesh
        size = next(iter(batch.values())).shape[0]
        padded = -(-size // mesh.size) * mesh.size
        batch = {k: np.concatenate([v, np.repeat(v[-1:], padded - size, axis=0)]) if padded > size else v
                 for k, v in batch.items()}
        if self._jit_ok is not False:
            rows = NamedSharding(mesh, PartitionSpec("points"))
            whole = NamedSharding(mesh, PartitionSpec())
            args = {k: jax.make_array_from_callback(v.shape, rows, lambda idx, v=v: v[idx]) for k, v in batch.items()}
            if self._jit_ok is None:  # first chunk: trace and compile once (every chunk has this shape)
                try:
                    lowered = jax.jit(fn, out_shardings=whole).lower(args)
                except Exception:     # fn converts tracers to numpy, branches on values, ...: not traceable
                    self._jit_ok = False
                else:
                    self._compiled = lowered.compile()
                    self._jit_ok = True
            if self._jit_ok:
                res = self._compiled(args)
                return {k: np.asarray(v)[:n_valid] for k, v in res.items()}
        # fn as it is (it cannot be traced): one device per process.  Sharding its inputs instead measured
        # 7x slower per chunk (eager ops on sharded arrays), so a single process evaluates the chunk unsharded
        # and several processes each evaluate their share, then gather the shares
        if self.process_count == 1:
            res = fn({k: v[:size] for k, v in batch.items()})
            return {k: np.asarray(v)[:n_valid] for k, v in res.items()}
        from jax.experimental import multihost_utils

        share = padded // self.process_count
        lo = self.process_index * share
        res = {k: np.asarray(v) for k, v in fn({k: v[lo:lo + share] for k, v in batch.items()}).items()}
        res = {k: np.asarray(v) for k, v in multihost_utils.process_allgather(res, tiled=True).items()}
        return {k: v[:n_valid] for k, v in res.items()}


def _why_not_reused(root: Path, cdir: Path, manifest: dict) -> str | None:
    """Why a fresh chunk folder reuses nothing: the newest other manifest of the same sweep (another version,
    other inputs), or None when there is none."""
    others = [p for p in root.glob("*/manifest.json") if p.parent != cdir]
    if (root / "manifest.json").exists():         # the layout before keyed folders
        others.append(root / "manifest.json")
    others = [p for p in others if p.exists()]
    if not others:
        return None
    newest = max(others, key=lambda p: p.stat().st_mtime)
    old = _read_manifest(newest) or {}
    version = manifest["jaxem_version"]
    old_version = old.get("jaxem_version")
    if old_version != version:
        by = f"jaxem {old_version}" if old_version else "an earlier jaxem (no version recorded)"
        return (f"the finished chunks in {newest.parent} were computed by {by}, this is jaxem {version}: results "
                "of another version are not reused")
    return f"inputs changed since the run in {newest.parent}"


def _share_finished(finished: dict, n_chunks: int, is_source: bool) -> dict:
    """Process 0's finished chunks, sent as file bytes to every process: {chunk index: bytes}."""
    from jax.experimental import multihost_utils

    blobs = [b""] * n_chunks
    if is_source:
        for i, path in finished.items():
            try:
                blobs[i] = Path(path).read_bytes()
            except OSError:
                pass
    sizes = np.asarray([len(b) for b in blobs], dtype=np.int64)
    sizes = np.asarray(multihost_utils.broadcast_one_to_all(sizes, is_source=is_source))
    total = int(sizes.sum())
    if total == 0:
        return {}
    data = np.frombuffer(b"".join(blobs), dtype=np.uint8) if is_source else np.zeros(total, np.uint8)
    data = np.asarray(multihost_utils.broadcast_one_to_all(data, is_source=is_source)).tobytes()
    out, pos = {}, 0
    for i, size in enumerate(sizes):
        if size:
            out[i] = data[pos:pos + size]
        pos += int(size)
    return out


def _read_manifest(path: Path):
    """The manifest of a sweep's chunk folder: None if absent, {} if unreadable, else its dict."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _load_chunk(source, n_points: int, path: Path, warn: bool = True):
    """The arrays of a finished chunk (``source``: its file, or its bytes), or None (after a warning) when it is
    damaged: not a readable .npz, empty, or holding arrays whose leading axis is not the chunk's ``n_points``.
    A damaged file is left in place: the recomputed chunk replaces it atomically (removing it could remove
    the good file another run has just written)."""
    import io
    import warnings
    import zipfile

    try:
        with np.load(io.BytesIO(source) if isinstance(source, bytes) else source, allow_pickle=False) as data:
            part = {k: data[k] for k in data.files}
        if not part or any(v.ndim == 0 or v.shape[0] != n_points for v in part.values()):
            raise ValueError(f"expected arrays of {n_points} points, got shapes "
                             f"{ {k: v.shape for k, v in part.items()} }")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        if warn:
            warnings.warn(f"damaged chunk file {path} ({type(exc).__name__}: {exc}); recomputing it",
                          RuntimeWarning, stacklevel=3)
        return None
    return part
