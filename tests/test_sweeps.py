"""Config validation, CLI errors, output records and resumable sweeps (no physics)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from jaxem.cli import main
from jaxem.sweeps import ConfigError, Output, Param, load_config, register_task
from jaxem.sweeps.registry import TASKS


@register_task("_test_square", "square a list (test only)", params={
    "values": Param("floats", [1.0, 2.0, 3.0], "inputs"),
    "scale": Param(float, 1.0, "factor"),
    "mode": Param(str, "a", "mode", choices=("a", "b")),
    "n": Param(int, 2, "count"),
})
def _square(params, out):
    x = np.asarray(params["values"])
    res = out.sweep("sq", lambda b: {"y": params["scale"] * b["x"] ** 2}, {"x": x}, chunk_size=2)
    out.write_arrays("squares", x=x, y=res["y"])


def _write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_valid_config_fills_defaults(tmp_path):
    task, params = load_config(_write(tmp_path, 'task = "_test_square"\n[params]\nscale = 2\n'))
    assert task.name == "_test_square"
    assert params == {"values": [1.0, 2.0, 3.0], "scale": 2.0, "mode": "a", "n": 2}


@pytest.mark.parametrize("body, needle", [
    ('task = "_test_square"\n[params]\nscael = 2\n', "'scael'"),
    ('task = "_test_square"\n[params]\nscale = "big"\n', "'scale'"),
    ('task = "_test_square"\n[params]\nn = 2.5\n', "'n'"),
    ('task = "_test_square"\n[params]\nvalues = [1.0, "x"]\n', "'values[1]'"),
    ('task = "_test_square"\n[params]\nmode = "c"\n', "'mode'"),
    ('task = "_test_square"\nparms = 1\n', "'parms'"),
    ('task = "nope"\n', "unknown task 'nope'"),
    ('[params]\nscale = 1\n', "missing key 'task'"),
    ('task = "_test_square"\n[params\n', "not valid TOML"),
])
def test_malformed_config_names_the_key(tmp_path, body, needle):
    with pytest.raises(ConfigError) as exc:
        load_config(_write(tmp_path, body))
    assert needle in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")


def test_cli_error_is_one_line_without_traceback(tmp_path, capsys):
    cfg = _write(tmp_path, 'task = "_test_square"\n[params]\nscael = 2\n')
    assert main(["run", str(cfg), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "config error" in err and "'scael'" in err and "Traceback" not in err


def test_cli_subprocess_missing_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "jaxem.cli", "run", str(tmp_path / "x.toml")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "not found" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_run_writes_record_and_arrays(tmp_path):
    cfg = _write(tmp_path, 'task = "_test_square"\n[params]\nscale = 3\n')
    out = tmp_path / "o"
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--set", "values=[1.0, 4.0]"]) == 0
    rec = json.loads((out / "run.json").read_text())
    assert rec["task"] == "_test_square" and rec["params"]["scale"] == 3.0 and "finished" in rec
    with np.load(out / "squares.npz") as d:
        np.testing.assert_allclose(d["y"], [3.0, 48.0], rtol=0, atol=0)
        assert json.loads(str(d["_params_json"]))["values"] == [1.0, 4.0]


def test_sweep_resumes_after_interruption(tmp_path):
    calls = []

    def fn(batch):
        calls.append(batch["x"].copy())
        if len(calls) == 3:
            raise KeyboardInterrupt  # simulated interruption during the third chunk
        return {"y": batch["x"] * 10.0}

    x = np.arange(7.0)
    out = Output(tmp_path, task="t", params={"a": 1}, quiet=True)
    with pytest.raises(KeyboardInterrupt):
        out.sweep("s", fn, {"x": x}, chunk_size=2)
    assert len(list((tmp_path / "s.chunks").glob("*/chunk_*.npz"))) == 2  # in s.chunks/<key>/
    calls.clear()
    res = Output(tmp_path, task="t", params={"a": 1}, quiet=True).sweep(
        "s", lambda b: (calls.append(b["x"]), {"y": b["x"] * 10.0})[1], {"x": x}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], x * 10.0)
    assert len(calls) == 2  # only chunks 3 and 4 recomputed
    assert all(c.shape == (2,) for c in calls)  # the last chunk is padded to one compiled shape

    # different parameters: nothing stale is reused
    calls.clear()
    Output(tmp_path, task="t", params={"a": 2}, quiet=True).sweep(
        "s", lambda b: (calls.append(b["x"]), {"y": b["x"]})[1], {"x": x}, chunk_size=2)
    assert len(calls) == 4


def test_sweep_rejects_ragged_inputs(tmp_path):
    out = Output(tmp_path, quiet=True)
    with pytest.raises(ValueError, match="leading axis"):
        out.sweep("s", lambda b: b, {"x": np.zeros(3), "y": np.zeros(4)})


def teardown_module(module):
    TASKS.pop("_test_square", None)


def test_every_shipped_config_validates():
    """Each configs/*.toml names a registered task and only known, well-typed parameters."""
    from pathlib import Path

    configs = sorted((Path(__file__).parent.parent / "configs").glob("*.toml"))
    assert any(p.name == "default.toml" for p in configs)
    for path in configs:
        task, params = load_config(path)
        assert task.name and isinstance(params, dict), path


def test_default_config_runs_end_to_end(tmp_path):
    """`make run`'s config on a coarse grid: npz with parameters, png, run record."""
    from pathlib import Path

    cfg = Path(__file__).parent.parent / "configs" / "default.toml"
    assert main(["run", str(cfg), "--out", str(tmp_path), "--quiet",
                 "--set", "n_wavelengths=11"]) == 0
    assert (tmp_path / "spectrum.png").stat().st_size > 1000
    rec = json.loads((tmp_path / "run.json").read_text())
    assert rec["params"]["n_wavelengths"] == 11 and "finished" in rec


def test_only_process_zero_writes(tmp_path, monkeypatch):
    """In a distributed run every process runs the task; processes other than 0 compute but write nothing."""
    import jax

    monkeypatch.setattr(jax, "process_index", lambda: 1)
    monkeypatch.setattr(jax, "process_count", lambda: 1)   # no peers to exchange chunks with in this test
    out = Output(tmp_path / "o", task="t", params={"a": 1}, devices=jax.local_devices()[:1])
    assert not out.is_writer and out.quiet
    res = out.sweep("s", lambda b: {"y": 2.0 * b["x"]}, {"x": np.arange(3.0)}, chunk_size=2)
    np.testing.assert_array_equal(res["y"], [0.0, 2.0, 4.0])
    out.write_arrays("r", y=res["y"])
    out.write_text("t.txt", "x")
    out.finish()
    assert not (tmp_path / "o").exists()
