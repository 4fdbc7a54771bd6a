"""First contact with the command line and the sweeps: TOML defaults, versioned and self-healing chunks, one
output folder per ``--set`` point, the overlap region of the Casimir–Polder plot, lazy task modules, the
package metadata.  All cheap (no physics kernel is compiled)."""
import ast
import contextlib
import io
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from jaxem.cli import main
from jaxem.sweeps import ConfigError, Output, Param, default_output_dir, load_config, register_task, toml_value
from jaxem.sweeps.registry import TASKS, discover_tasks

ROOT = Path(__file__).resolve().parents[1]


@register_task("_test_first_contact", "double a list (test only)", params={
    "values": Param("floats", [1.0, 2.0], "inputs"),
    "scale": Param(float, 1.0, "factor"),
    "chunk_size": Param(int, 1, "points per chunk", minimum=1),
})
def _double(params, out):
    x = np.asarray(params["values"])
    res = out.sweep("d", lambda b: {"y": params["scale"] * 2.0 * b["x"]}, {"x": x}, chunk_size=params["chunk_size"])
    out.write_arrays("doubled", x=x, y=res["y"])


def teardown_module(module):
    TASKS.pop("_test_first_contact", None)


def _tasks_output(*argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["tasks", *argv]) == 0
    return buf.getvalue()


# -- jaxem tasks: defaults as TOML ------------------------------------------------------------------------
def test_toml_value():
    assert toml_value(False) == "false" and toml_value(True) == "true"
    assert toml_value("a \"b\"") == '"a \\"b\\""'
    assert toml_value([1.0, 2.5e-7]) == "[1.0, 2.5e-07]" and toml_value(["x", "y"]) == '["x", "y"]'
    assert toml_value(float("inf")) == "inf" and toml_value(3) == "3"
    for v in (False, "µm \\ path", [1e-9, 3.0], 1e300, -0.0, ["a", "b"], 12):
        assert tomllib.loads(f"v = {toml_value(v)}")["v"] == v


def test_tasks_prints_every_task_as_a_config_file():
    """``jaxem tasks NAME`` is a valid config: task = NAME and [params] holding every default, read back equal."""
    tasks = discover_tasks()
    assert {line.split(":")[0] for line in _tasks_output().splitlines()} == set(tasks)
    for name, task in tasks.items():
        data = tomllib.loads(_tasks_output(name))      # Python reprs (False, 'x') would not parse
        defaults = {k: p.default for k, p in task.params.items() if p.default is not None}
        assert data == {"task": name, "params": defaults}, name


def test_tasks_unknown_name_is_an_error(capsys):
    assert main(["tasks", "no_such_task"]) == 2
    assert "unknown task 'no_such_task'" in capsys.readouterr().err


# -- chunk key: the jaxem version ------------------------------------------------------------------------
def test_chunks_of_another_jaxem_version_are_not_reused(tmp_path, monkeypatch, capsys):
    from jaxem import _version

    calls = []

    def fn(b):
        calls.append(len(b["x"]))
        return {"y": b["x"] + 1.0}

    x = np.arange(4.0)
    out = Output(tmp_path, task="t", params={}, quiet=True)
    out.sweep("s", fn, {"x": x}, chunk_size=2)
    assert json.loads((out.sweep_dirs["s"] / "manifest.json").read_text())["jaxem_version"] == _version.__version__
    Output(tmp_path, task="t", params={}, quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    assert len(calls) == 2                                   # same version: resumed
    monkeypatch.setattr(_version, "__version__", "99.0.0")
    res = Output(tmp_path, task="t", params={}).sweep("s", fn, {"x": x}, chunk_size=2)
    assert len(calls) == 4                                   # another version: recomputed
    np.testing.assert_array_equal(res["y"], x + 1.0)
    assert (out.sweep_dirs["s"] / "chunk_00000.npz").exists()  # in a folder of its own: the old chunks are kept
    err = capsys.readouterr().err
    assert "jaxem 99.0.0" in err and "not reused" in err and "recomputing all chunks" in err


# -- damaged chunk files ------------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong_length"])
def test_damaged_chunk_is_detected_warned_and_recomputed(tmp_path, damage):
    calls = []

    def fn(b):
        calls.append(b["x"].copy())
        return {"y": 3.0 * b["x"]}

    x = np.arange(6.0)
    out = Output(tmp_path, task="t", quiet=True)
    out.sweep("s", fn, {"x": x}, chunk_size=2)
    chunk = out.sweep_dirs["s"] / "chunk_00001.npz"            # <out>/s.chunks/<key of the inputs>/
    data = chunk.read_bytes()
    if damage == "garbage":
        chunk.write_bytes(b"not a zip file at all")
    elif damage == "truncated":
        chunk.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        chunk.write_bytes(b"")
    else:
        np.savez(chunk, y=np.zeros(5))
    calls.clear()
    with pytest.warns(RuntimeWarning, match="damaged chunk file .*chunk_00001"):
        res = Output(tmp_path, task="t", quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], 3.0 * x)
    assert len(calls) == 1 and list(calls[0]) == [2.0, 3.0]     # only the damaged chunk was recomputed
    calls.clear()
    Output(tmp_path, task="t", quiet=True).sweep("s", fn, {"x": x}, chunk_size=2)
    assert not calls                                            # and written back whole


@pytest.mark.parametrize("manifest", ["missing", "garbage"])
def test_chunks_with_a_lost_or_damaged_manifest_are_recomputed(tmp_path, capsys, manifest):
    calls = []

    def fn(b):
        calls.append(1)
        return {"y": -b["x"]}

    x = np.arange(4.0)
    out = Output(tmp_path, task="t", quiet=True)
    out.sweep("s", fn, {"x": x}, chunk_size=2)
    path = out.sweep_dirs["s"] / "manifest.json"
    path.unlink() if manifest == "missing" else path.write_text("{not json")
    res = Output(tmp_path, task="t").sweep("s", fn, {"x": x}, chunk_size=2)
    assert len(calls) == 4                                      # the chunks' inputs are unknown: recomputed
    np.testing.assert_array_equal(res["y"], -x)
    err = capsys.readouterr().err
    assert ("without a manifest" if manifest == "missing" else "unreadable manifest") in err


# -- chunk_size <= 0 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["casimir_sphere_plate", "casimir_ht_sphere_plate", "pemc_sign_switch",
                                  "random_light_loss_map", "_test_first_contact"])
def test_chunk_size_below_one_in_a_config_names_the_key(tmp_path, task):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'task = "{task}"\n[params]\nchunk_size = 0\n')
    with pytest.raises(ConfigError, match="'chunk_size' must be >= 1"):
        load_config(cfg)


@pytest.mark.parametrize("chunk_size", [0, -3, 2.5])
def test_sweep_chunk_size_must_be_a_positive_int(tmp_path, chunk_size):
    with pytest.raises(ValueError, match="chunk_size"):
        Output(tmp_path, quiet=True).sweep("s", lambda b: b, {"x": np.zeros(3)}, chunk_size=chunk_size)


# -- default output folder and --set ----------------------------------------------------------------------------
def test_default_output_folder_follows_the_overrides():
    base = default_output_dir("configs/default.toml")
    assert base == Path("results/default")
    a = default_output_dir("configs/default.toml", {"n_wavelengths": 7})
    b = default_output_dir("configs/default.toml", {"n_wavelengths": 9})
    c = default_output_dir("configs/default.toml", {"radius": 1e-7, "mode": "a b/c"})
    assert a.parent == base.parent and a.name.startswith("default-n_wavelengths=7-") and a != b
    assert "/" not in c.name and " " not in c.name and c.name.startswith("default-mode=")
    assert default_output_dir("x.toml", {"s": 1.0}) == default_output_dir("x.toml", {"s": 1.0})


def test_sequential_set_scan_keeps_every_point(tmp_path, monkeypatch):
    cfg = tmp_path / "scan.toml"
    cfg.write_text('task = "_test_first_contact"\n')
    monkeypatch.chdir(tmp_path)
    for scale in ("2", "3", "2.0"):
        assert main(["run", str(cfg), "--quiet", "--no-cache", "--set", f"scale={scale}"]) == 0
    assert main(["run", str(cfg), "--quiet", "--no-cache"]) == 0
    folders = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert len(folders) == 3 and "scan" in folders          # scale=2 and scale=2.0 are the same point
    for name in folders:
        rec = json.loads((tmp_path / "results" / name / "run.json").read_text())
        with np.load(tmp_path / "results" / name / "doubled.npz") as d:
            np.testing.assert_allclose(d["y"], 2.0 * rec["params"]["scale"] * np.array([1.0, 2.0]))
    assert "--set" in _help_of_run() and "hash" in _help_of_run()


def _help_of_run():
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit):
        main(["run", "--help"])
    return " ".join(buf.getvalue().split())


# -- the Casimir–Polder plot marks the overlap region --------------------------------------------------------------
def test_casimir_polder_plot_marks_overlapping_spheres():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jaxem.sweeps.nanosphere_tasks import mark_overlap

    fig, ax = plt.subplots()
    patch = mark_overlap(ax, 1e-9, 100e-9, scale=1e6)
    x0, x1 = patch.get_x(), patch.get_x() + patch.get_width()      # a Rectangle in data x
    assert np.isclose(x0, 1e-3) and np.isclose(x1, 0.2)
    assert "overlap" in patch.get_label() and "2R" in patch.get_label()
    assert mark_overlap(ax, 300e-9, 100e-9) is None              # nothing to shade when r_min >= 2R
    plt.close(fig)
    source = (ROOT / "jaxem" / "sweeps" / "nanosphere_tasks.py").read_text()
    body = source.split("def nanospheres_casimir_polder")[1].split("\n@register_task")[0]
    assert body.count("mark_overlap(ax, r[0], R") == 2           # both panels of casimir_polder.png


# -- lazy task modules ---------------------------------------------------------------------------------------------
def test_task_modules_import_no_kernels_at_module_level():
    """The registry metadata (jaxem tasks) needs no JAX: task modules import kernels inside their functions."""
    paths = sorted((ROOT / "jaxem" / "sweeps").glob("*_tasks.py"))
    # a sibling task module is allowed: it is checked here too
    allowed = {"__future__", "math", "numpy", "jaxem.sweeps.registry", "registry"} | {
        f"jaxem.sweeps.{p.stem}" for p in paths}
    for path in paths:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = {node.module or ""}
            else:
                continue
            assert names <= allowed, (path.name, names)


def test_tasks_command_imports_no_jax_and_no_kernel():
    """``jaxem tasks`` stays fast: ``import jaxem`` is lazy and the registry needs no JAX (a fresh process)."""
    import subprocess
    import sys

    script = ("import contextlib, io, sys\n"
              "from jaxem.cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    assert main(['tasks']) == 0 and main(['tasks', 'casimir_sphere_plate']) == 0\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jaxlib', 'equinox', 'scipy')))\n"
              "print(sorted(m for m in sys.modules if m.startswith('jaxem.') and not m.startswith('jaxem.sweeps')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    heavy, kernels = done.stdout.splitlines()[-2:]
    assert heavy == "['jaxlib', 'jaxlib.version']"             # the deadlock guard reads jaxlib's version only
    assert kernels == "['jaxem._runtime', 'jaxem._version', 'jaxem.cli']"


# -- package metadata ----------------------------------------------------------------------------------------------
def test_pyproject_uses_a_current_license_field():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["project"]["license"] == "MIT"                  # SPDX expression (PEP 639), not a table
    req = [r for r in data["build-system"]["requires"] if r.startswith("setuptools")]
    assert req and int(req[0].split(">=")[1].split(".")[0]) >= 77   # the first setuptools reading it
    assert not any(c.startswith("License ::") for c in data["project"].get("classifiers", []))


# -- make test: no KeyboardInterrupt at the end --------------------------------------------------------------------
def test_xdist_worker_collects_and_freezes_before_it_reports(monkeypatch):
    """tests/conftest.py: a worker's heap is collected and frozen before it reports finished (execnet's 5 s)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_conftest_copy", ROOT / "tests" / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    calls = []
    monkeypatch.setattr(conftest.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(conftest.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    conftest.pytest_sessionfinish(None, 0)
    assert calls == []                                          # a plain pytest run: nothing to do
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    conftest.pytest_sessionfinish(None, 0)
    assert calls == ["collect", "freeze"]
