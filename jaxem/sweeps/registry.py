"""Task registry: named, parameterised computations that a config file can run.

A task module ``jaxem/sweeps/<domain>_tasks.py`` registers functions with :func:`register_task`;
modules are discovered automatically (:func:`discover_tasks`).
"""
from __future__ import annotations

import dataclasses
import importlib
import math
import pkgutil
from typing import Any, Callable

__all__ = ["Param", "Task", "register_task", "discover_tasks", "get_task", "TASKS", "ConfigError", "toml_value"]


class ConfigError(ValueError):
    """A malformed configuration (unknown key, wrong type, missing file...); no formula: an error type."""


_TYPES = {float: "float", int: "int", str: "string", bool: "bool", "floats": "list of floats",
          "ints": "list of ints", "strings": "list of strings"}


def toml_value(value) -> str:
    """``value`` (a parameter value: bool, int, float, str or a list of them) written in TOML syntax.

    ``true``/``false`` (not Python's ``True``), quoted strings, ``[a, b]`` arrays, ``inf``/``nan``, so that
    ``key = <this>`` pastes into a config's ``[params]`` table and reads back equal.

    Arguments:
        value: the value.
    Returns:
        str, its TOML form.

    Source: none (TOML 1.0 syntax; no formula).
    """
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)           # a TOML basic string: the same escapes as JSON
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r} ({type(value).__name__})")


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a task: its type, default, help text and optional allowed values.

    Arguments:
        type: one of ``float``, ``int``, ``str``, ``bool``, ``"floats"``, ``"ints"``, ``"strings"``.
        default: default value; ``None`` makes the parameter required.
        help: help text.
        choices: allowed values (or None).
        minimum: smallest allowed value of a number (or of each entry of a list), or None.

    Source: none (bookkeeping; no formula).
    """

    type: Any
    default: Any
    help: str = ""
    choices: tuple | None = None
    minimum: float | None = None

    def __post_init__(self):
        if self.type not in _TYPES:
            raise TypeError(f"unsupported Param type {self.type!r}")

    def coerce(self, key: str, value):
        """Return ``value`` converted to this parameter's type, or raise ConfigError naming ``key``."""
        t = self.type
        want = _TYPES[t]

        def bad():
            return ConfigError(f"parameter '{key}' must be a {want}, got {value!r} ({type(value).__name__})")

        if t is bool:
            if not isinstance(value, bool):
                raise bad()
            out = value
        elif t is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad()
            out = value
        elif t is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad()
            out = float(value)
            if not math.isfinite(out):
                raise ConfigError(f"parameter '{key}' must be finite, got {value!r}")
        elif t is str:
            if not isinstance(value, str):
                raise bad()
            out = value
        else:
            item = {"floats": float, "ints": int, "strings": str}[t]
            if not isinstance(value, list):
                raise bad()
            sub = Param(item, None, minimum=self.minimum)
            out = [sub.coerce(f"{key}[{i}]", v) for i, v in enumerate(value)]
        if self.minimum is not None and t in (int, float) and out < self.minimum:
            raise ConfigError(f"parameter '{key}' must be >= {self.minimum}, got {value!r}")
        if self.choices is not None:
            vals = out if isinstance(out, list) else [out]
            for v in vals:
                if v not in self.choices:
                    raise ConfigError(f"parameter '{key}' must be one of {list(self.choices)}, got {v!r}")
        return out


@dataclasses.dataclass(frozen=True)
class Task:
    name: str
    description: str
    params: dict
    fn: Callable

    def validate(self, given: dict) -> dict:
        """Fill defaults and coerce types; ConfigError naming the first offending key."""
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            raise ConfigError(
                f"unknown parameter '{unknown[0]}' for task '{self.name}' "
                f"(allowed: {', '.join(sorted(self.params))})")
        out = {}
        for key, p in self.params.items():
            if key in given:
                out[key] = p.coerce(key, given[key])
            elif p.default is None:
                raise ConfigError(f"missing required parameter '{key}' for task '{self.name}'")
            else:
                out[key] = p.default
        return out


TASKS: dict[str, Task] = {}


def register_task(name: str, description: str, params: dict[str, Param]):
    """Decorator registering ``fn(params: dict, out: Output) -> None`` as task ``name``.

    Arguments:
        name: task name (unique).
        description: one-line description (shown by the CLI).
        params: the task's parameters, name -> :class:`Param`.
    Returns:
        the decorator (it returns ``fn`` unchanged).

    Source: none (bookkeeping; no formula).
    """

    def deco(fn):
        if name in TASKS and TASKS[name].fn is not fn:
            raise RuntimeError(f"task '{name}' registered twice")
        TASKS[name] = Task(name, description, dict(params), fn)
        return fn

    return deco


_discovered = False


def discover_tasks() -> dict[str, Task]:
    """Import every ``jaxem.sweeps.*_tasks`` module (which registers its tasks) and return the registry.

    Returns:
        dict name -> Task.

    Source: none (bookkeeping; no formula).
    """
    global _discovered
    if not _discovered:
        import pathlib

        # the task modules beside this file (no import of the package itself: it imports this module)
        for mod in sorted(pkgutil.iter_modules([str(pathlib.Path(__file__).parent)]), key=lambda m: m.name):
            if mod.name.endswith("_tasks"):
                importlib.import_module(f"jaxem.sweeps.{mod.name}")
        _discovered = True
    return TASKS


def get_task(name: str) -> Task:
    """The registered task called ``name``.

    Arguments:
        name: task name.
    Returns:
        the Task; ConfigError if there is none.

    Source: none (bookkeeping; no formula).
    """
    tasks = discover_tasks()
    if name not in tasks:
        raise ConfigError(f"unknown task '{name}' (available: {', '.join(sorted(tasks)) or 'none'})")
    return tasks[name]
