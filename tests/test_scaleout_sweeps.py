"""Sweeps sharded over several devices (``jaxem run --devices``) and several processes (``--distributed``) give
the single-device results; bad device options are one-line errors naming the option.  Devices are forced host
devices (``XLA_FLAGS`` must be set before JAX is imported: subprocesses), processes are local ones with a
coordinator on 127.0.0.1; every subprocess has a timeout."""
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from jaxem._runtime import wait_processes
from jaxem.cli import main

ROOT = Path(__file__).resolve().parents[1]

# a driver: registers a cheap task with a traceable sweep (jax.jit) and one that is not (numpy inside), then
# runs the command line once per argument list given as JSON in argv[1]
_DRIVER = textwrap.dedent("""
    import json, sys
    import numpy as np
    from jaxem.sweeps import Param, register_task

    @register_task("_scaleout_poly", "two small sweeps (test only)", params={"n": Param(int, 7, "points")})
    def _poly(params, out):
        import jax
        import jax.numpy as jnp

        x = np.linspace(0.1, 2.0, params["n"])
        traced = out.sweep("traced", jax.jit(lambda b: {"y": jnp.sin(b["x"]) * jnp.exp(b["x"]),
                                                         "m": jnp.outer(b["x"], jnp.arange(3.0))}),
                           {"x": x}, chunk_size=3)
        untraced = out.sweep("untraced", lambda b: {"y": np.cos(np.asarray(b["x"])) ** 2}, {"x": x}, chunk_size=3)
        out.write_arrays("poly", x=x, y=traced["y"], m=traced["m"], c=untraced["y"])

    from jaxem.cli import main

    for argv in json.loads(sys.argv[1]):
        code = main(argv)
        if code:
            sys.exit(code)
""")


def _driver(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(_DRIVER)
    cfg = tmp_path / "poly.toml"
    cfg.write_text('task = "_scaleout_poly"\n')
    return script, cfg


def _spawn(script, runs, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    env.pop("XLA_FLAGS", None) if "XLA_FLAGS" not in (env_extra or {}) else None
    return subprocess.Popen([sys.executable, str(script), json.dumps(runs)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(procs, timeout):
    done = wait_processes(procs, timeout)
    for code, err in done:
        assert code == 0, err[-3000:]
    return [err for _, err in done]


def _same_npz(a, b, rtol=1e-12):
    with np.load(a) as da, np.load(b) as db:
        assert sorted(da.files) == sorted(db.files)
        for k in da.files:
            if da[k].dtype.kind in "fc":
                np.testing.assert_allclose(da[k], db[k], rtol=rtol, atol=0, err_msg=k)
            else:
                assert np.array_equal(da[k], db[k]), k


def test_two_host_devices_give_the_single_device_results(tmp_path):
    """``--devices 2`` (forced host devices) against ``--devices 1``: the Mie spectrum of configs/default.toml
    (a jitted vmap, 9 points padded to 10) and a sweep whose function cannot be traced (run per share)."""
    script, cfg = _driver(tmp_path)
    mie = [str(ROOT / "configs" / "default.toml"), "--set", "n_wavelengths=9", "--no-cache"]
    runs = [["run", *mie, "--out", str(tmp_path / "mie2"), "--devices", "2"],
            ["run", *mie, "--out", str(tmp_path / "mie1"), "--devices", "1"],
            ["run", str(cfg), "--no-cache", "--out", str(tmp_path / "poly2"), "--devices", "all"],
            ["run", str(cfg), "--no-cache", "--out", str(tmp_path / "poly1")]]
    (err,) = _finish([_spawn(script, runs, {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"})], 240)
    sharded = [line for line in err.splitlines() if "on 2 devices" in line]
    kinds = sorted((line.split("] ")[1].split(":")[0], "not traceable" in line) for line in sharded)
    # the jitted sweeps ran as jax.jit over the mesh; the untraceable one fell back to calling fn
    assert kinds == [("spectrum", False), ("traced", False), ("traced", False), ("traced", False),
                     ("untraced", True), ("untraced", True), ("untraced", True)], err
    _same_npz(tmp_path / "mie2" / "spectrum.npz", tmp_path / "mie1" / "spectrum.npz")
    _same_npz(tmp_path / "poly2" / "poly.npz", tmp_path / "poly1" / "poly.npz")
    rec = json.loads((tmp_path / "mie2" / "run.json").read_text())
    assert rec["devices"] == {"count": 2, "processes": 1, "platform": "cpu"}


@pytest.mark.parametrize("argv, needle", [
    (["--devices", "0"], "--devices must be 'all' or an integer >= 1"),
    (["--devices", "two"], "--devices must be 'all' or an integer >= 1"),
    (["--devices", "64"], "--devices 64: this process has only"),
    (["--coordinator", "127.0.0.1:1234"], "need --distributed"),
    (["--distributed", "--coordinator", "127.0.0.1:1234"], "also needs --num-processes, --process-id"),
    (["--distributed", "--coordinator", "127.0.0.1:1", "--num-processes", "2", "--process-id", "2"],
     "--process-id must lie in 0 .. 1"),
    (["--distributed", "--coordinator", "127.0.0.1:1", "--num-processes", "0", "--process-id", "0"],
     "--num-processes must be an integer >= 1, got 0"),
    (["--distributed", "--coordinator", "localhost", "--num-processes", "2", "--process-id", "0"],
     "--coordinator must be HOST:PORT"),
])
def test_bad_device_options_are_one_line_errors(tmp_path, capsys, argv, needle):
    cfg = tmp_path / "c.toml"
    cfg.write_text('task = "mie_spectrum"\n')
    assert main(["run", str(cfg), "--out", str(tmp_path / "o"), "--no-cache", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_distributed_without_a_cluster_names_the_option(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "OMPI_", "PMI_"))}
    done = subprocess.run([sys.executable, "-m", "jaxem.cli", "run", str(ROOT / "configs" / "default.toml"),
                           "--out", str(tmp_path / "o"), "--distributed"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "--coordinator HOST:PORT" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_give_the_single_process_results_and_resume(tmp_path):
    """Two local processes (one CPU device each, coordinator on 127.0.0.1) against one process; then a lost
    chunk: the resubmitted two-process job recomputes it alone."""
    script, cfg = _driver(tmp_path)
    _finish([_spawn(script, [["run", str(cfg), "--no-cache", "--out", str(tmp_path / "one")]])], 180)

    def job(port):
        dist = ["--distributed", "--coordinator", f"127.0.0.1:{port}", "--num-processes", "2"]
        return _finish([_spawn(script, [["run", str(cfg), "--no-cache", "--out", str(tmp_path / "two"), *dist,
                                         "--process-id", str(i)]]) for i in range(2)], 240)

    errs = job(_free_port())
    assert "on 2 devices of 2 processes" in errs[0] and not errs[1].count("[jaxem")   # process 0 reports
    _same_npz(tmp_path / "two" / "poly.npz", tmp_path / "one" / "poly.npz")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["poly.npz", "run.json", "traced.chunks",
                                                                    "untraced.chunks"]
    (cdir,) = [p for p in (tmp_path / "two" / "traced.chunks").iterdir()]
    assert sorted(p.name for p in cdir.iterdir()) == ["chunk_00000.npz", "chunk_00001.npz", "chunk_00002.npz",
                                                      "manifest.json"]
    (cdir / "chunk_00001.npz").unlink()                           # the job died before this chunk
    errs = job(_free_port())
    assert "traced: resumed 2 finished chunk(s)" in errs[0] and "traced: chunk 2/3" in errs[0]
    assert "untraced: resumed 3 finished chunk(s)" in errs[0]
    _same_npz(tmp_path / "two" / "poly.npz", tmp_path / "one" / "poly.npz")


# -- the Casimir and nanosphere tasks shard like the others -----------------------------------------------------
_TRACE_CASES = [
    pytest.param("casimir_sphere_plate", {"n_points": 2, "distance_min": 2e-6},
                 marks=pytest.mark.slow),         # tracing the force gradient: ~55 s on the loaded 2-core box
    ("casimir_ht_sphere_plate", {"n_points": 3, "materials": ["pec", "gold_drude"], "eta": 2.0}),
    ("pemc_sign_switch", {"n_x": 2, "n_delta": 2, "eta": 2.0}),
    ("nanospheres_fig4", {"n_points": 5}),
    ("nanospheres_fig5", {"n_grid": 3, "polarisations": ["yy"]}),
    ("nanospheres_fig6", {"n_points": 5, "n_phases_map": 2}),
    ("nanospheres_casimir_polder", {"n_points": 4, "temperatures": [300.0]}),
    ("nanospheres_casimir_polder", {"n_points": 4, "temperatures": [0.0]}),
    ("nanospheres_stiffness", {"n_points": 3}),
]


class _Traced(Exception):
    pass


def _case(c):
    return tuple(c.values) if hasattr(c, "values") else c


@pytest.mark.parametrize("task, params", _TRACE_CASES,
                         ids=[f"{_case(c)[0]}-{i}" for i, c in enumerate(_TRACE_CASES)])
def test_casimir_and_nanosphere_chunk_functions_trace(tmp_path, task, params):
    """The first sweep of each task has a chunk function that ``jax.jit`` can trace (what ``--devices`` shards;
    an untraceable one would fall back to one device): traced abstractly on its first chunk, nothing compiled."""
    import jax

    from jaxem.sweeps import Output, get_task

    t = get_task(task)
    checked = []

    class Probe(Output):
        def sweep(self, name, fn, inputs, chunk_size=256):
            chunk = {k: np.asarray(v)[:min(chunk_size, len(v))] for k, v in inputs.items()}
            shapes = jax.eval_shape(fn, chunk)
            assert all(s.shape[:1] == next(iter(chunk.values())).shape[:1] for s in shapes.values()), shapes
            checked.append(name)
            raise _Traced

    with pytest.raises(_Traced):
        t.fn(t.validate(params), Probe(tmp_path, task=task, quiet=True))
    assert len(checked) == 1


@pytest.mark.slow
def test_casimir_and_nanosphere_tasks_on_two_devices_give_the_single_device_results(tmp_path):
    """``--devices 2`` (forced host devices) against ``--devices 1`` for every Casimir and nanosphere task on
    tiny grids: every sweep is sharded (jax.jit over the mesh, no fallback) and the result files agree to 1e-12."""
    script, _ = _driver(tmp_path)
    runs, names = [], []
    for i, (task, params) in enumerate(map(_case, _TRACE_CASES)):
        cfg = tmp_path / f"c{i}.toml"
        cfg.write_text(f'task = "{task}"\n')
        sets = [a for k, v in params.items() for a in ("--set", f"{k}={json.dumps(v)}")]
        for d in ("2", "1"):
            runs.append(["run", str(cfg), "--no-cache", "--out", str(tmp_path / f"c{i}-{d}"), "--devices", d, *sets])
        names.append(i)
    (err,) = _finish([_spawn(script, runs, {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"})], 1500)
    assert "not traceable" not in err, err
    assert err.count("on 2 devices") >= len(_TRACE_CASES), err
    for i in names:
        (npz,) = [p.name for p in (tmp_path / f"c{i}-1").glob("*.npz")]
        _same_npz(tmp_path / f"c{i}-2" / npz, tmp_path / f"c{i}-1" / npz)


def test_wait_processes_returns_codes_and_kills_stragglers():
    ok = subprocess.Popen([sys.executable, "-c", "import sys; sys.stderr.write('e'); sys.exit(3)"],
                          stderr=subprocess.PIPE, text=True)
    assert wait_processes([ok], 60) == [(3, "e")]
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stderr=subprocess.PIPE, text=True)
    with pytest.raises(subprocess.TimeoutExpired):
        wait_processes([slow], 0.5)
    assert slow.poll() is not None                               # killed, not left running
