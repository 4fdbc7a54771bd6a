"""Regression tests for the CPU deadlock of jaxlib 0.10.x (batched LAPACK kernels blocking their own pool).

jaxlib 0.10.0 - 0.11.0 split batched LU / Cholesky / triangular solves into chunks on XLA's intra-op pool and
block on a counter while running on a thread of that same pool: two such kernels in flight at once (a force
gradient's independent solves, two host devices) can occupy every thread and wait forever (0 % CPU).  Each
test runs fresh Python processes under a timeout, so a hang fails the test instead of wedging the suite.
On jaxlib 0.10.2 the force gradient hung in 3 of 4 fresh processes.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings

import pytest

from jaxem._runtime import JaxlibDeadlockWarning, jaxlib_can_deadlock, warn_if_deadlocking_jaxlib

# The gold sphere (R = 10 um) above a gold plate at L = 1 um, 300 K: the force gradient of the issue.  The first
# process traces, exports and compiles it (persistent compilation cache in a temporary folder); the next four
# deserialize the same program and load the compiled executable from the cache, side by side, so each fresh
# process costs seconds, not the 20 s of tracing and compiling, while running exactly the same LAPACK kernels.
_FORCE_GRADIENT = textwrap.dedent("""
    import sys
    import jax, jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_compilation_cache_dir", sys.argv[2])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    program = sys.argv[3]
    if sys.argv[1] == "export":
        import jaxem
        gold = jaxem.Drude.gold()
        geometry = lambda L: jaxem.SpherePlane(radius=10e-6, distance=L, sphere=gold, plane=gold)
        engine = jaxem.PlaneWave().sized_for(geometry(1e-6), 300.0)   # sizes fixed: L is traced below
        fn = jax.jit(lambda L: jaxem.casimir_force_gradient(geometry(L), 300.0, engine=engine))
        exported = jax.export.export(fn)(jax.ShapeDtypeStruct((), jnp.float64))
        with open(program, "wb") as f:
            f.write(exported.serialize())
    else:
        # a deserialized program lowers no linalg op, and jaxlib 0.9.2 fills in its LAPACK function
        # pointers only when one is lowered: without this call the LAPACK kernels segfault
        jax.block_until_ready(jnp.linalg.slogdet(jnp.eye(2)))
        with open(program, "rb") as f:
            exported = jax.export.deserialize(bytearray(f.read()))
    print(repr(float(exported.call(1e-6))))
""")

# A batch of symmetric positive-definite matrices sharded over two forced host devices; each of the 10
# repetitions runs 8 rounds of a Cholesky and an LU of the whole batch on both devices at once (on jaxlib
# 0.10.2 this hung in 6 of 6 fresh processes, 3 s each on 0.9.2).
_SHARDED_FACTORISATIONS = textwrap.dedent("""
    import numpy as np
    import jax, jax.numpy as jnp
    from jax.sharding import NamedSharding, PartitionSpec
    jax.config.update("jax_enable_x64", True)
    assert len(jax.devices()) == 2, jax.devices()
    mesh = jax.make_mesh((2,), ("batch",))
    rng = np.random.default_rng(0)
    n = 64
    a = rng.normal(size=(128, n, n))
    spd = a @ a.transpose(0, 2, 1) + n * np.eye(n)
    x = jax.device_put(spd, NamedSharding(mesh, PartitionSpec("batch")))

    @jax.jit
    def factorise(s):
        def round_(carry, _):
            ld_chol, ld_lu, shift = carry
            m = s + shift[:, None, None] * jnp.eye(n)
            chol = jnp.linalg.cholesky(m)
            lu, _, _ = jax.lax.linalg.lu(m + 0.0 * ld_chol[:, None, None])
            return (2.0 * jnp.sum(jnp.log(jnp.diagonal(chol, axis1=-2, axis2=-1)), -1),
                    jnp.sum(jnp.log(jnp.abs(jnp.diagonal(lu, axis1=-2, axis2=-1))), -1),
                    shift * 0.5), None
        z = jnp.zeros(s.shape[0])
        (ld_chol, ld_lu, _), _ = jax.lax.scan(round_, (z, z, z + 1e-3), None, length=8)
        return ld_chol, ld_lu

    ref = np.linalg.slogdet(spd + 2 ** -7 * 1e-3 * np.eye(n))[1]
    for _ in range(10):
        ld_chol, ld_lu = jax.block_until_ready(factorise(x))
        assert np.allclose(ld_chol, ref, rtol=1e-12, atol=0), "Cholesky log det"
        assert np.allclose(ld_lu, ref, rtol=1e-12, atol=0), "LU log det"
    print("ok")
""")

# jaxem.casimir_force_gradient(SpherePlane(radius=10e-6, distance=1e-6, sphere=gold, plane=gold), 300.0,
# engine=ProximityForce()) [N/m] (Lifshitz + PFA; not recomputed here: its compilation would double the test's time)
_PFA_FORCE_GRADIENT = 6.177783792012766e-08


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_PLATFORMS")}
    env["JAX_PLATFORMS"] = "cpu"
    env.update(extra)
    return env


def _run_all(jobs, timeout, env):
    """Run fresh processes (script, args) side by side, each under ``timeout`` s; their last output lines."""
    procs = [subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for script, args in jobs]
    lines = []
    try:
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                pytest.fail(f"no result within {timeout} s: the process hung (the batched-LAPACK deadlock of "
                            "jaxlib 0.10.x?)")
            assert proc.returncode == 0, err[-3000:]
            lines.append(out.strip().splitlines()[-1])
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    return lines


def _run(script, args, timeout, env):
    return _run_all([(script, args)], timeout, env)[0]


def test_force_gradient_completes_in_five_fresh_processes(tmp_path):
    # 5 fresh processes, each under a timeout; all five give the same force gradient [N/m], attractive
    # force growing towards the plate (dF/dL > 0), within 10 % of the PFA value (R/L = 10: beyond-PFA ~ 4 %)
    cache, program = str(tmp_path / "cache"), str(tmp_path / "force_gradient.jaxexport")
    values = [float(_run(_FORCE_GRADIENT, ["export", cache, program], 240, _env()))]
    values += [float(v) for v in _run_all([(_FORCE_GRADIENT, ["load", cache, program])] * 4, 120, _env())]
    assert len(set(values)) == 1, values
    assert values[0] > 0 and abs(values[0] / _PFA_FORCE_GRADIENT - 1) < 0.1, values[0]


def test_sharded_factorisations_on_two_host_devices(tmp_path):
    # batched Cholesky and LU factorisations sharded over 2 forced host devices, 10 repetitions, log dets
    # against numpy to 1e-12
    env = _env(XLA_FLAGS="--xla_force_host_platform_device_count=2")
    assert _run(_SHARDED_FACTORISATIONS, [], 90, env) == "ok"


def test_import_warns_on_deadlocking_jaxlib():
    # the known range is [0.10.0, 0.11.1); the running (pinned) jaxlib is outside it, so importing is silent
    assert jaxlib_can_deadlock("0.10.0") and jaxlib_can_deadlock("0.10.2") and jaxlib_can_deadlock("0.11.0")
    assert not any(jaxlib_can_deadlock(v) for v in ("0.9.2", "0.9.0.1", "0.11.1", "0.12.0.1", "1.0"))
    with pytest.warns(JaxlibDeadlockWarning, match="0.10.2 can hang forever"):
        assert warn_if_deadlocking_jaxlib("0.10.2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not warn_if_deadlocking_jaxlib("0.9.2")
    import jaxlib

    assert not jaxlib_can_deadlock(jaxlib.__version__), f"the pinned jaxlib {jaxlib.__version__} can deadlock"
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", "import jaxem"],
                         capture_output=True, text=True, timeout=120, env=_env())
    assert out.returncode == 0, out.stderr[-2000:]
