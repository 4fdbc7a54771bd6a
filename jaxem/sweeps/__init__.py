"""Sweeps: config files, the task registry, output folders and resumable chunked evaluation."""
from .config import load_config, parse_override
from .output import Output
from .registry import ConfigError, Param, discover_tasks, get_task, register_task

__all__ = ["ConfigError", "Output", "Param", "discover_tasks", "get_task", "load_config",
           "parse_override", "register_task", "run_config"]


def run_config(path, out_dir=None, overrides: dict | None = None, quiet: bool = False):
    """Run the task of a config file; return the output folder (a Path).

    Arguments:
        path: the TOML config file.
        out_dir: output folder (default ``results/<config name>``).
        overrides: parameters replacing those of the file.
        quiet: suppress progress lines.
    Returns:
        the output folder (a Path).

    Source: none (bookkeeping; no formula).
    """
    from pathlib import Path

    task, params = load_config(path, overrides)
    out_dir = Path(out_dir) if out_dir is not None else Path("results") / Path(path).stem
    out = Output(out_dir, task=task.name, params=params, config=str(path), quiet=quiet)
    task.fn(params, out)
    out.finish()
    return out.dir
