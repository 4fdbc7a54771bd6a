"""Sweeps: config files, the task registry, output folders and resumable chunked evaluation."""
from .config import load_config, parse_override
from .output import Output
from .registry import ConfigError, Param, discover_tasks, get_task, register_task, toml_value

__all__ = ["ConfigError", "Output", "Param", "default_output_dir", "discover_tasks", "get_task", "load_config",
           "parse_override", "register_task", "run_config", "toml_value"]


def default_output_dir(path, overrides: dict | None = None):
    """The default output folder of a run: ``results/<config name>``, or with overrides
    ``results/<config name>-<key=value,...>-<hash>``, so that each point of a ``--set`` scan keeps its own folder.

    The readable part lists the overridden keys and values (sorted, characters other than letters, digits and
    ``._+-=,`` replaced by ``_``, cut at 48 characters); the 8-hex-digit hash of the exact overrides keeps
    folders distinct where that text is ambiguous or cut.

    Arguments:
        path: the TOML config file.
        overrides: the overridden parameters, name -> value (as validated: ``x=1`` and ``x=1.0`` of a float
            parameter give the same folder), or None.
    Returns:
        the folder (a Path, relative to the working directory).

    Source: none (bookkeeping; no formula).
    """
    import hashlib
    import json
    import re
    from pathlib import Path

    folder = Path("results") / Path(path).stem
    if not overrides:
        return folder
    items = sorted(overrides.items())
    text = ",".join(f"{k}={toml_value(v) if isinstance(v, (bool, int, float, str, list)) else v}" for k, v in items)
    text = re.sub(r"[^A-Za-z0-9._+=,-]", "_", text)[:48]
    digest = hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return folder.with_name(f"{folder.name}-{text}-{digest}")


def run_config(path, out_dir=None, overrides: dict | None = None, quiet: bool = False, devices=None,
               progress: bool | None = None):
    """Run the task of a config file; return the output folder (a Path).

    Arguments:
        path: the TOML config file.
        out_dir: output folder (default :func:`default_output_dir`: ``results/<config name>``, with overrides
            ``results/<config name>-<key=value,...>-<hash>``).
        overrides: parameters replacing those of the file.
        quiet: suppress progress lines and bars.
        devices: None (one device), or the JAX devices each sweep chunk is sharded over (see
            :class:`Output`; ``jaxem._runtime.sweep_devices`` picks them as ``--devices`` does).
        progress: the sweeps' progress bars: None on a terminal only, True always, False never (see
            :class:`Output`).
    Returns:
        the output folder (a Path).

    Source: none (bookkeeping; no formula).
    """
    from pathlib import Path

    task, params = load_config(path, overrides)
    if out_dir is None:
        out_dir = default_output_dir(path, {k: params[k] for k in (overrides or {})})
    out_dir = Path(out_dir)
    out = Output(out_dir, task=task.name, params=params, config=str(path), quiet=quiet, devices=devices,
                 progress=progress)
    task.fn(params, out)
    out.finish()
    return out.dir
