"""``import jaxem`` is lazy (PEP 562): it imports neither JAX nor a kernel module, and each public name comes from
its home module (``jaxem._HOMES``) the first time it is used, with the same object and the same float64
semantics as an eager import.  The fresh-process cases run in subprocesses (this session has imported everything).
"""
import importlib
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

import jaxem

ROOT = pathlib.Path(__file__).resolve().parents[1]
SUBPACKAGES = {"casimir", "constants", "geometry", "green", "materials", "mie", "optics", "polarizabilities",
               "potentials", "special", "sweeps", "thermal"}


def _fresh(script: str) -> str:
    """Run ``script`` in a fresh CPU-only interpreter (JAX's configuration untouched); its stdout."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAX_ENABLE_X64", "XLA_FLAGS")}
    env["JAX_PLATFORMS"] = "cpu"
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _undefined(homes: dict) -> list[str]:
    """The names of ``homes`` that their home module does not define (or does not list in its ``__all__``)."""
    bad = []
    for name, home in homes.items():
        module = importlib.import_module(f"jaxem.{home}")
        if not hasattr(module, name) or name not in getattr(module, "__all__", [name]):
            bad.append(f"{name} ({home})")
    return bad


# -- the map ---------------------------------------------------------------------------------------------------
def test_all_is_the_map_plus_version():
    assert jaxem.__all__ == [*jaxem._HOMES, "__version__"]
    assert len(set(jaxem.__all__)) == len(jaxem.__all__)
    assert {"Float64Required", "casimir_force", "mie_efficiencies", "fit_bead", "BeadFit"} <= set(jaxem.__all__)


def test_every_home_module_defines_its_names():
    assert _undefined(jaxem._HOMES) == []
    # the check fails where it should: a name its home does not define, a name its home does not export
    assert _undefined({"casimir_force": "materials", "Float64Required": "_checks"}) == ["casimir_force (materials)"]
    assert _undefined({"require_x64": "_checks", "_X64_LINE": "_checks"}) == ["_X64_LINE (_checks)"]


@pytest.mark.parametrize("name", list(jaxem._HOMES))
def test_name_is_the_object_of_its_home_module(name):
    home = importlib.import_module(f"jaxem.{jaxem._HOMES[name]}")
    assert getattr(jaxem, name) is getattr(home, name)


def test_star_import_and_from_import():
    namespace = {}
    exec("from jaxem import *", namespace)                      # noqa: S102 - resolves every name of __all__
    assert set(jaxem.__all__) <= set(namespace)
    assert namespace["casimir_force"] is importlib.import_module("jaxem.casimir").casimir_force
    from jaxem import fit_table
    assert fit_table is importlib.import_module("jaxem.optics.fits").fit_table


def test_unknown_attribute_is_the_usual_attribute_error():
    with pytest.raises(AttributeError, match=r"^module 'jaxem' has no attribute 'no_such_name'$"):
        jaxem.no_such_name
    assert not hasattr(jaxem, "__wrapped__") and not hasattr(jaxem, "Casimir_Force")
    with pytest.raises(ImportError, match="cannot import name 'no_such_name' from 'jaxem'"):
        from jaxem import no_such_name  # noqa: F401


def test_a_missing_dependency_inside_a_subpackage_is_not_masked(monkeypatch):
    def broken(name, package=None):
        raise ModuleNotFoundError("No module named 'some_dependency'", name="some_dependency")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="some_dependency"):
        jaxem.__getattr__("a_subpackage")


# -- a fresh process ---------------------------------------------------------------------------------------------
def test_import_jaxem_imports_no_jax_and_no_kernel():
    out = _fresh("""
        import sys
        import jaxem
        from jaxem import _version
        assert jaxem.__version__ == _version.__version__
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("jax", "jaxem", "numpy", "scipy", "equinox")))
        names = dir(jaxem)
        print(sorted(m for m in sys.modules if m.startswith("jaxem")))
        print(sorted(set(names)))
    """).splitlines()
    assert eval(out[0]) == ["jaxem", "jaxem._runtime", "jaxem._version"]
    assert eval(out[1]) == ["jaxem", "jaxem._runtime", "jaxem._version"]      # dir() imports nothing either
    listed = set(eval(out[2]))
    assert set(jaxem.__all__) <= listed and SUBPACKAGES <= listed


def test_first_use_imports_the_home_module_only_and_keeps_the_x64_semantics():
    """A name imported while 32-bit mode is on works in 64-bit mode enabled afterwards, and refuses 32-bit mode, as
    an eagerly imported one does; touching every name switches nothing on."""
    out = _fresh("""
        import sys
        import jax
        import jaxem
        drude = jaxem.Drude
        print("jaxem.materials" in sys.modules, "jaxem.casimir" in sys.modules)
        try:
            drude.gold()
            print("no error")
        except jaxem.Float64Required:
            print("Float64Required")
        for name in jaxem.__all__:
            getattr(jaxem, name)
        assert not jax.config.jax_enable_x64, "a lazy import switched x64 on"
        jax.config.update("jax_enable_x64", True)
        print(drude.gold().omega_p.dtype, jaxem.casimir.Multipole is jaxem.Multipole)
    """).splitlines()
    assert out[0] == "True False"                 # the home module of Drude, not the rest
    assert out[1] == "Float64Required"
    assert out[2] == "float64 True"


def test_import_still_warns_about_a_deadlocking_jaxlib():
    out = _fresh("""
        import warnings
        import jaxlib
        jaxlib.__version__ = "0.10.2"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import jaxem
        print([w.category.__name__ for w in caught])
    """)
    assert "JaxlibDeadlockWarning" in out


# -- the documentation reads the map -----------------------------------------------------------------------------
def test_docs_extension_documents_the_lazy_names_as_aliases():
    griffe = pytest.importorskip("griffe")
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        house = importlib.import_module("griffe_house_style")
    finally:
        sys.path.remove(str(ROOT / "docs" / "_ext"))
    pkg = griffe.load("jaxem", search_paths=[str(ROOT)], extensions=griffe.load_extensions(house.HouseStyle()))
    assert [e for e in pkg.exports] == jaxem.__all__
    for name, home in jaxem._HOMES.items():
        obj = getattr(jaxem, name)
        target = pkg[name].final_target
        assert target.path == f"{obj.__module__}.{obj.__qualname__}", name
    assert pkg["fit_bead"].target_path == "jaxem.optics.fit_bead"
