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
    errs = []
    try:
        for p in procs:
            _, err = p.communicate(timeout=timeout)
            errs.append(err)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, err in zip(procs, errs):
        assert p.returncode == 0, err[-3000:]
    return errs


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
