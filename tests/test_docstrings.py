"""Docstrings cite public sources, never files outside the repository, and share one format.

1. No ``.py`` file under ``jaxem/`` refers to files users do not have: Markdown files (``name.md``),
   the internal physics specification ("spec", "spec §2.4", bare "§2.4" section numbers), the seed
   documents ("seed 003", "the seed's", "[seed 5.24]"), their status tags ("[T 9.2]", "[F]", "[H]",
   "[V]", "erratum E14") or ``../shared``.  Cite the published paper or dissertation instead
   (e.g. "Schoger, Dissertation (Augsburg 2024), Eq. (9.2)"); a result of our own reads
   "derived here; checked in tests/test_x.py".
2. Every public function or class (the names in ``__all__`` of ``jaxem`` and of each subpackage,
   and the public functions of a submodule listed there) has a docstring whose first line is a
   non-empty summary, with a ``Source:``/``Sources:`` section (or the words "no formula" for
   bookkeeping code), ``Arguments:`` when it takes parameters and, for functions, ``Returns:``.

"""
from __future__ import annotations

import importlib
import inspect
import pathlib
import pkgutil
import re
import types

import jaxem

ROOT = pathlib.Path(jaxem.__file__).resolve().parent

# Files under rewrite by the lead (paths relative to jaxem/); the lead empties this set when done.
PENDING: set[str] = set()

# references to material outside the repository
FORBIDDEN = [
    (re.compile(r"[\w-]+\.md\b"), "Markdown file"),
    (re.compile(r"\.\./shared"), "../shared"),
    (re.compile(r"\bspecs?\b", re.IGNORECASE), "the internal spec"),
    (re.compile(r"§\s*\d"), "spec section number (§); write DLMF sections as 'DLMF 10.47'"),
    # (a random-number ``seed`` is fine)
    (re.compile(r"\bseed(?:'s\b|s\b|\s+\d|\s+eq)", re.IGNORECASE), "seed document"),
    (re.compile(r"\[seed\b", re.IGNORECASE), "seed document"),
    (re.compile(r"\[(?:F|H|V)\]|\[T\s+[A-F]?\d"), "spec status tag"),
    (re.compile(r"\berrat(?:um|a)\s+[EF]\d"), "spec erratum label"),
]


# Markdown files that exist in the repository may be named (e.g. docs/accuracy.md)
REPO_MARKDOWN = {p.name for p in ROOT.parent.glob("*.md")} | {p.name for p in (ROOT.parent / "docs").glob("*.md")}


def _pending(path: pathlib.Path) -> bool:
    rel = path.resolve().relative_to(ROOT).as_posix()
    return any(rel == p or rel.startswith(p.rstrip("/") + "/") for p in PENDING)


def _source_files():
    return sorted(p for p in ROOT.rglob("*.py") if not _pending(p))


def test_no_references_outside_the_repository():
    hits = []
    for path in _source_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, what in FORBIDDEN:
                for m in pattern.finditer(line):
                    if what == "Markdown file" and m.group(0) in REPO_MARKDOWN:
                        continue
                    rel = path.relative_to(ROOT.parent).as_posix()
                    hits.append(f"{rel}:{lineno}: {what}: {m.group(0)!r}: {line.strip()[:100]}")
                    break
    assert not hits, "references to files outside the repository:\n" + "\n".join(hits)


def _packages():
    yield jaxem
    for info in pkgutil.walk_packages(jaxem.__path__, "jaxem."):
        if info.ispkg:
            try:
                yield importlib.import_module(info.name)
            except ImportError:      # an optional subpackage that is not importable here
                continue


def _public_objects():
    """(qualified name, object) of every public function/class to check, each once."""
    seen = {}
    for pkg in _packages():
        for name in getattr(pkg, "__all__", []):
            obj = getattr(pkg, name, None)
            if isinstance(obj, types.ModuleType) and obj.__name__.startswith("jaxem."):
                members = [(n, o) for n, o in vars(obj).items()
                           if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o))
                           and getattr(o, "__module__", None) == obj.__name__]
                for n, o in members:
                    seen.setdefault(id(o), (f"{obj.__name__}.{n}", o))
            elif inspect.isfunction(obj) or inspect.isclass(obj):
                seen.setdefault(id(obj), (f"{pkg.__name__}.{name}", obj))
    return sorted(seen.values(), key=lambda t: t[0])


def _has_parameters(obj) -> bool:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return any(p.name not in ("self", "cls") for p in sig.parameters.values())


def _problems(obj) -> list[str]:
    doc = inspect.getdoc(obj)
    if not doc:
        return ["no docstring"]
    out = []
    if not doc.splitlines()[0].strip():
        out.append("empty first line")
    if not (re.search(r"^\s*Sources?:", doc, re.MULTILINE) or re.search(r"\bno formula\b", doc, re.IGNORECASE)):
        out.append("no 'Source:' section (or 'no formula')")
    is_exception = inspect.isclass(obj) and issubclass(obj, BaseException)
    sections = ("Arguments:", "Attributes:") if inspect.isclass(obj) else ("Arguments:",)
    if _has_parameters(obj) and not is_exception and not any(s in doc for s in sections):
        out.append("no 'Arguments:' section" + (" (or 'Attributes:')" if inspect.isclass(obj) else ""))
    if not inspect.isclass(obj) and "Returns:" not in doc:
        out.append("no 'Returns:' section")
    return out


def test_public_docstrings_have_one_format():
    bad = []
    for qualname, obj in _public_objects():
        try:
            path = pathlib.Path(inspect.getsourcefile(obj))
        except TypeError:
            continue
        if _pending(path):
            continue
        for problem in _problems(obj):
            bad.append(f"{qualname} ({path.relative_to(ROOT.parent).as_posix()}): {problem}")
    assert not bad, "docstring format:\n" + "\n".join(bad)
