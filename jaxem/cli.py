"""Command line: ``jaxem run configs/<name>.toml [--out DIR] [--set key=value ...] [--devices all|N] [--distributed]``,
``jaxem tasks``."""
from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _parser():
    p = argparse.ArgumentParser(prog="jaxem", description="Optical and Casimir forces on spheres (JAX).")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run the task of a config file")
    r.add_argument("config", help="path to a TOML config (task = ..., [params])")
    r.add_argument("--out", default=None,
                   help="output folder (default: results/<config name>; with --set, "
                        "results/<config name>-<key=value,...>-<8-digit hash of the overrides>, so that each point "
                        "of a --set scan keeps its own folder)")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter (TOML value syntax); repeatable")
    r.add_argument("--quiet", action="store_true", help="no progress lines and no progress bar")
    r.add_argument("--progress", action="store_true",
                   help="show the progress bar of each sweep even when stderr is not a terminal (a log file, "
                        "a batch job); by default it is shown on a terminal only; --quiet wins")
    r.add_argument("--cache-dir", default=None,
                   help="persistent compilation cache (default: $JAXEM_CACHE_DIR or ~/.cache/jaxem/xla)")
    r.add_argument("--no-cache", action="store_true", help="do not use the persistent compilation cache")
    r.add_argument("--devices", default=None, metavar="all|N",
                   help="shard each sweep chunk over all or the first N local devices (default 1); with "
                        "--distributed, per process (default all)")
    r.add_argument("--distributed", action="store_true",
                   help="join a multi-process job (jax.distributed: Slurm / Open MPI detected, or the three "
                        "options below); chunks are sharded over the devices of every process, process 0 "
                        "writes the files")
    r.add_argument("--coordinator", default=None, metavar="HOST:PORT",
                   help="with --distributed: address of process 0's coordination service")
    r.add_argument("--num-processes", type=int, default=None, metavar="N",
                   help="with --distributed: number of processes")
    r.add_argument("--process-id", type=int, default=None, metavar="I",
                   help="with --distributed: this process's index, 0 .. N-1")
    t = sub.add_parser("tasks", help="list the tasks and their parameters")
    t.add_argument("name", nargs="?",
                   help="show one task's parameters and defaults, printed as a config file (TOML)")
    return p


def _tasks(name) -> int:
    """``jaxem tasks [name]``: the registry's metadata only (no JAX, no kernels are imported for it)."""
    from jaxem.sweeps.registry import discover_tasks, get_task, toml_value

    if not name:
        tasks = discover_tasks()
        for key in sorted(tasks):
            print(f"{key}: {tasks[key].description}")
        return 0
    task = get_task(name)
    print(f"# {task.name}: {task.description}")
    print(f"task = {toml_value(task.name)}")
    print()
    print("[params]")
    for key, p in task.params.items():
        comment = p.help + (f" (one of {', '.join(toml_value(c) for c in p.choices)})" if p.choices else "")
        if p.default is None:
            print(f"# {key} = ...   # required; {comment}")
        else:
            print(f"{key} = {toml_value(p.default)}   # {comment}")
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "tasks":
        from jaxem.sweeps.registry import ConfigError

        try:
            return _tasks(args.name)
        except ConfigError as exc:
            print(f"jaxem: {exc}", file=sys.stderr)
            return 2
    from jaxem._runtime import (enable_compilation_cache, parse_devices, quiet_slow_compile_alarm,
                                start_distributed, sweep_devices)

    quiet_slow_compile_alarm()
    import jax

    jax.config.update("jax_enable_x64", True)  # the command line is an application: it owns the JAX config
    if args.command == "run" and not args.no_cache:
        enable_compilation_cache(args.cache_dir)  # a second run (or a resumed one) does not recompile
    from jaxem.sweeps import ConfigError, parse_override, run_config

    try:
        if not args.distributed and (args.coordinator or args.num_processes is not None
                                     or args.process_id is not None):
            raise ValueError("--coordinator, --num-processes and --process-id need --distributed")
        count = parse_devices(args.devices if args.devices or not args.distributed else "all")
        if args.distributed:  # before JAX touches a device
            start_distributed(args.coordinator, args.num_processes, args.process_id)
        devices = sweep_devices(count, distributed=args.distributed)
        overrides = dict(parse_override(s) for s in args.set)
        out = run_config(args.config, args.out, overrides, quiet=args.quiet, devices=devices,
                         progress=True if args.progress else None)
        if jax.process_index() == 0:
            print(f"results written to {out}")
        return 0
    except ConfigError as exc:
        print(f"jaxem: config error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad physical input raised by a kernel's boundary checks
        print(f"jaxem: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jaxem: interrupted; finished chunks are kept and a rerun resumes", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
