"""Importing jaxem leaves JAX's configuration alone; kernels refuse 32-bit mode with a clear error.

Runs in a fresh process (the test session itself runs in 64-bit mode, conftest.py).  Every case of
tests/reference_cases.py is called in 32-bit mode: all but the plain-Python unit helpers and the exact
(numpy) Bernoulli table must raise Float64Required naming the line to add.
"""
import os
import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    import jax
    import jaxem
    assert not jax.config.jax_enable_x64, "importing jaxem switched x64 on"
    import reference_cases as rc
    jax.config.update("jax_enable_x64", True)
    cases = rc.cases()                      # materials built in 64-bit mode
    jax.config.update("jax_enable_x64", False)
    silent = []
    for name, fn in cases.items():
        try:
            fn()
            silent.append(name)
        except jaxem.Float64Required as err:
            assert 'jax.config.update("jax_enable_x64", True)' in str(err), str(err)
    try:
        jaxem.Drude.gold()
        silent.append("Drude.gold")
    except jaxem.Float64Required:
        pass
    print(",".join(sorted(silent)))
""")

# plain-Python arithmetic on Python floats (float64 whatever JAX's mode) and an exact numpy table
_DTYPE_FREE = {"bernoulli_numbers", "ev_to_rad_per_s", "matsubara_frequency", "thermal_wavelength"}


def test_import_keeps_config_and_kernels_refuse_32_bit_mode():
    env = {k: v for k, v in os.environ.items() if k not in ("JAX_ENABLE_X64", "XLA_FLAGS")}
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run([sys.executable, "-c", _SCRIPT, os.path.dirname(__file__)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    silent = set(filter(None, done.stdout.strip().splitlines()[-1].split(",")))
    assert silent == _DTYPE_FREE, silent - _DTYPE_FREE
