"""The documentation site builds offline with ``mkdocs build --strict`` and covers the public API.

1. The whole site (mkdocs.yml, docs/, the API reference generated from the docstrings by mkdocstrings) builds
   with ``--strict``: a broken link, a link to a missing anchor, an unresolved cross-reference in a page or a
   docstring, or a docstring griffe cannot parse fails here.
2. Every name in the ``__all__`` of each module the API pages render (``::: jaxem.xxx`` in docs/api/*.md) has
   its entry (an HTML anchor ``id="jaxem.xxx.name"``) in the built site.
3. The strictness is real: a page linking a missing anchor, or a missing API object, fails the same build
   settings.
4. The griffe extension that renders the docstring house format does what it says.
"""
from __future__ import annotations

import importlib
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"


def _require_docs_tools():
    """The docs tools are pinned in the test extra (CI installs it): their absence is a failure, not a skip."""
    try:
        import mkdocs  # noqa: F401
        import mkdocstrings  # noqa: F401
        import yaml
    except ImportError as err:  # pragma: no cover - only in an environment without the test extra
        pytest.fail(f"{err}: install the docs tools with pip install -e '.[test]' (or '.[docs]')")
    return yaml


def _mkdocs_build(config: pathlib.Path, site: pathlib.Path, cwd: pathlib.Path = ROOT):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _require_docs_tools()
    out = tmp_path_factory.mktemp("site")
    proc = _mkdocs_build(CONFIG, out)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    warnings = [line for line in log.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert not warnings, "mkdocs warnings:\n" + "\n".join(warnings)
    return out


def test_site_builds_strict(site):
    for page in ("index.html", "getting-started.html", "accuracy.html", "performance.html", "api/jaxem.html"):
        assert (site / page).is_file(), page


def _rendered_modules() -> list[str]:
    mods = []
    for page in sorted((ROOT / "docs" / "api").glob("*.md")):
        mods += re.findall(r"^:::\s+(jaxem[\w.]*)\s*$", page.read_text(encoding="utf-8"), re.MULTILINE)
    return mods


def test_api_reference_covers_every_public_name(site):
    ids = set()
    for page in site.rglob("*.html"):
        ids |= set(re.findall(r'id="(jaxem[\w.]*)"', page.read_text(encoding="utf-8")))
    modules = _rendered_modules()
    assert "jaxem" in modules and "jaxem.casimir" in modules and "jaxem.optics" in modules
    missing = []
    for name in modules:
        module = importlib.import_module(name)
        for member in getattr(module, "__all__", []):
            if f"{name}.{member}" not in ids:
                missing.append(f"{name}.{member}")
    assert not missing, ("names in __all__ without an entry in the API reference (is the import visible to "
                         "static analysis?):\n" + "\n".join(missing))


def test_strict_build_fails_on_a_missing_anchor(tmp_path):
    """The validation settings of mkdocs.yml turn a link to a missing anchor into a failed build."""
    yaml = _require_docs_tools()
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [there](other.md#no-such-section).\n", encoding="utf-8")
    (docs / "other.md").write_text("# Other\n\n## A section\n", encoding="utf-8")
    small = {key: config[key] for key in ("site_name", "strict", "use_directory_urls", "markdown_extensions",
                                          "validation")}
    small.update(docs_dir=str(docs), plugins=["autorefs"], nav=["index.md", "other.md"])
    cfg = tmp_path / "mkdocs.yml"
    cfg.write_text(yaml.safe_dump(small), encoding="utf-8")
    proc = _mkdocs_build(cfg, tmp_path / "site", cwd=tmp_path)
    assert proc.returncode != 0
    assert "no-such-section" in proc.stdout + proc.stderr

    (docs / "index.md").write_text("# Home\n\nSee [`x`][jaxem.no_such_name].\n", encoding="utf-8")
    proc = _mkdocs_build(cfg, tmp_path / "site", cwd=tmp_path)
    assert proc.returncode != 0
    assert "jaxem.no_such_name" in proc.stdout + proc.stderr


def test_house_style_docstrings():
    _require_docs_tools()
    import griffe
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        from griffe_house_style import house_style
    finally:
        sys.path.remove(str(ROOT / "docs" / "_ext"))
    module = griffe.Module("m")
    func = griffe.Function("f", parent=module)
    text = ("Summary [J].\n\nThe trace Tr[a b] [m^3] of a_l a*_{l+1} + b_l b*_{l+1}; see :func:`g` and "
            ":class:`jaxem.SpherePlane`.\n\nArguments:\n    x: size\n       parameter.\n    **kwargs: more.\n"
            "Returns:\n    y [m].\n\nSource: a paper, Eq. (1).\n\nKeyword arguments:\n    radius: R [m]\n"
            "        (default 100 nm).\n    n: terms.")
    out = house_style(func, text)
    assert "\n\nReturns:" in out                                  # a blank line: griffe reads a section
    assert "        parameter." in out                            # continuation indented as griffe expects
    assert "**kwargs: more." in out                               # argument names left as written
    assert "Tr[a b] &#91;m^3]" in out and "a&#42;_{l+1}" in out   # no reference link, no emphasis
    assert '<autoref identifier="jaxem.SpherePlane" optional><code>jaxem.SpherePlane</code></autoref>' in out
    assert "**Source:** a paper" in out
    assert "- **radius**: R [m]\n  (default 100 nm).\n- **n**: terms." in out   # an indented list -> a list
