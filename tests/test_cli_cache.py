"""The command line's persistent compilation cache: on by default, in the folder asked for, off on request;
importing jaxem leaves JAX's cache setting alone."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, out, *extra):
    env = dict(os.environ, JAXEM_CACHE_DIR=str(tmp_path / "env_cache"))
    cmd = [sys.executable, "-m", "jaxem.cli", "run", str(ROOT / "configs" / "default.toml"), "--quiet",
           "--set", "n_wavelengths=7", "--out", str(out), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return dict(np.load(out / "spectrum.npz"))


def test_cache_used_by_command_line_and_results_unchanged(tmp_path):
    env_cache = tmp_path / "env_cache"
    first = _run(tmp_path, tmp_path / "a")                              # default folder: $JAXEM_CACHE_DIR
    entries = sorted(p.name for p in env_cache.iterdir())
    assert entries, "the first run wrote no compiled program to the cache"
    second = _run(tmp_path, tmp_path / "b", "--cache-dir", str(env_cache))  # same folder, given explicitly
    assert sorted(p.name for p in env_cache.iterdir()) == entries      # every program came from the cache
    assert set(first) == set(second)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    _run(tmp_path, tmp_path / "c", "--no-cache", "--set", "n_wavelengths=9")  # new shapes, cache off
    assert sorted(p.name for p in env_cache.iterdir()) == entries


def test_import_does_not_enable_the_cache():
    code = "import jax, jaxem; print(repr(jax.config.jax_compilation_cache_dir))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("None", "''")
