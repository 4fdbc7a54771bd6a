"""Config files: TOML with ``task = "<name>"`` and a ``[params]`` table."""
from __future__ import annotations

import tomllib
from pathlib import Path

from .registry import ConfigError, get_task

__all__ = ["load_config", "parse_override"]

_TOP_KEYS = {"task", "params", "description"}


def load_config(path, overrides: dict | None = None):
    """Read and validate a config file; return ``(task, params)``.

    Raises :class:`ConfigError` (a ValueError) naming the offending key for a missing or unreadable
    file, invalid TOML, an unknown key, a wrong type or an unknown task.

    Arguments:
        path: the TOML config file.
        overrides: parameters replacing those of the file (dict or None).
    Returns:
        (task, params): the registered Task and its validated parameters.

    Source: none (bookkeeping; no formula).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file '{path}' not found")
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file '{path}' is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key '{unknown[0]}' (allowed: description, params, task)")
    if "task" not in data:
        raise ConfigError(f"{path}: missing key 'task'")
    if not isinstance(data["task"], str):
        raise ConfigError(f"{path}: key 'task' must be a string")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise ConfigError(f"{path}: key 'params' must be a table")
    params = dict(params)
    params.update(overrides or {})
    task = get_task(data["task"])
    try:
        return task, task.validate(params)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_override(text: str):
    """Parse ``key=value`` (value in TOML syntax, e.g. ``n=10``, ``radius=1e-7``, ``mode="xx"``).

    Arguments:
        text: the override, ``key=value``.
    Returns:
        (key, value), value parsed as TOML (a bare string if it is not valid TOML).

    Source: none (bookkeeping; no formula).
    """
    if "=" not in text:
        raise ConfigError(f"override '{text}' must look like key=value")
    key, value = text.split("=", 1)
    key = key.strip()
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()  # bare string
    return key, parsed
