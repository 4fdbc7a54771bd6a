"""Griffe extension: render jaxem's docstring house style on the documentation site.

Used by mkdocs.yml only (mkdocstrings' python handler, ``extensions:``); the code and its docstrings are not
changed. The house format (see jaxem/casimir/*.py) is a summary line, prose, then ``Arguments:`` and
``Returns:`` sections (Google style, untyped items) and a ``Source:`` paragraph. What this adds:

- a blank line before a section header (``Returns:`` usually follows the last argument directly, and griffe
  reads a header without a blank line above it as plain text);
- continuation lines of an argument aligned under its text (fewer than 8 spaces) are accepted as such;
- ``Source:``/``Sources:`` paragraphs start with a bold label;
- Sphinx roles (``:func:`name```, ``:class:``, ``:mod:``, ``:meth:``, ``:data:``) become optional
  cross-references: a link where the named object is documented on the site, code text otherwise;
- a docstring completed at import time (``f.__doc__ += ...``, as jaxem.potentials.nanospheres does for its
  keyword arguments) is read from the imported function, not from the source alone;
- a paragraph ending in ``:`` followed by indented ``name: description`` lines (outside the sections, e.g.
  "Keyword arguments ...:") becomes a list;
- names added to a module's ``__all__`` by ``__all__.append("name")`` / ``.extend([...])`` count as exported
  (griffe reads ``__all__ = [...]`` and ``+=`` only);
- a lazily importing package (PEP 562, as jaxem/__init__.py) is documented like one with eager imports: its
  ``_HOMES = {"name": "home.module", ...}`` map becomes one alias per name (``jaxem.name`` ->
  ``jaxem.home.module.name``) and its exports are the map's names plus the literal strings of ``__all__``;
- a bracket followed by a bracket (``Tr[...] [m^3]``, a unit after a matrix) stays text instead of being read
  as a Markdown reference link (which would be a broken cross-reference under ``mkdocs build --strict``), and
  ``*`` in formulas (``a_l a*_{l+1} + b_l b*_{l+1}``) stays a star instead of starting emphasis.

Code blocks (fenced, or indented after a blank line outside a section) and code spans are left as written.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import re

import griffe

_SECTION = re.compile(r"^(Arguments|Args|Parameters|Returns|Yields|Raises|Attributes|Examples|Warns):\s*$")
_SOURCE = re.compile(r"^(Sources?):(?:\s+|$)")
_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|data|attr|obj|exc):`(~?)([^`]+)`")
_BRACKETS = re.compile(r"\](\s?)\[")
_ALL_APPEND = re.compile(r"^__all__\.(append|extend)\((.+)\)\s*$", re.MULTILINE)
_ITEM = re.compile(r"^\s*[\w*][\w*, ]*:\s")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _target(obj: griffe.Object, name: str) -> str:
    """Full path of ``name`` as seen from ``obj`` (its module's imports and members), else ``name``."""
    name = name.strip().rstrip("()")
    if name.startswith("jaxem"):
        return name
    head, _, rest = name.partition(".")
    scope = obj if obj.is_module or obj.is_class else obj.parent
    try:
        path = scope.resolve(head) if scope is not None else head
    except (griffe.NameResolutionError, AttributeError, KeyError):
        return name
    return f"{path}.{rest}" if rest else path


def _literal(text: str) -> str:
    """``] [`` and ``*`` kept as text (HTML entities), outside code spans; a leading ``* `` stays a list item."""
    def plain(t: str) -> str:
        return _BRACKETS.sub(lambda b: "]" + b.group(1) + "&#91;", t).replace("*", "&#42;")

    bullet = re.match(r"\s*\* ", text)
    head, text = (bullet.group(0), text[bullet.end():]) if bullet else ("", text)
    out, pos = [head], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(plain(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(plain(text[pos:]))
    return "".join(out)


def _roles(obj: griffe.Object, line: str) -> str:
    """Sphinx roles to optional cross-references (before code spans are looked for: roles hold backticks)."""
    def sub(m: re.Match) -> str:
        shown = m.group(2).split(".")[-1] if m.group(1) else m.group(2)
        ident = _target(obj, m.group(2))
        return f'<autoref identifier="{ident}" optional><code>{shown}</code></autoref>'

    return _ROLE.sub(sub, line)


def house_style(obj: griffe.Object, text: str) -> str:
    """The docstring ``text`` of ``obj`` rewritten for the site (see the module docstring)."""
    lines = text.split("\n")
    out: list[str] = []
    in_fence = in_code = False
    section_indent = None          # item indent inside an Arguments:/Returns: section, else None
    in_section = False
    list_indent = None             # item indent of a "...:" paragraph's indented name: description lines
    for line in lines:
        stripped = line.strip()
        prev_blank = not out or not out[-1].strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        if not stripped:
            out.append(line)
            continue
        ind = _indent(line)
        if list_indent is not None and ind < list_indent:
            list_indent = None
        if ind == 0:
            in_code = False
            in_section = False
            section_indent = None
            if _SECTION.match(line):
                if not prev_blank:
                    out.append("")
                out.append(line)
                in_section = True
                continue
            if _SOURCE.match(line):
                if not prev_blank:
                    out.append("")
                label = _SOURCE.match(line)
                out.append(f"**{label.group(1)}:** " + _literal(_roles(obj, line[label.end():])))
                continue
        elif in_section:
            if section_indent is None:
                section_indent = ind
            elif section_indent < ind < 2 * section_indent:
                line = " " * (2 * section_indent) + line.lstrip(" ")
            item = _ITEM.match(line) if ind == section_indent else None
            if item:                 # "name: description": the names (``**kwargs``) stay as written
                out.append(item.group(0) + _literal(_roles(obj, line[item.end():])))
                continue
        elif list_indent is not None or (ind >= 4 and not prev_blank and out[-1].rstrip().endswith(":")
                                         and _ITEM.match(line)):
            if list_indent is None:
                list_indent = ind
                out.append("")
            item = _ITEM.match(line) if ind == list_indent else None
            if item:                 # "name: description" -> "- **name**: description"
                name = item.group(0).strip().rstrip(":")
                out.append(f"- **{name}**: " + _literal(_roles(obj, line[item.end():])))
            else:                    # continuation of the item above
                out.append("  " + _literal(_roles(obj, line.strip())))
            continue
        elif ind >= 4 and (in_code or prev_blank):
            in_code = True          # an indented code block (formulas): keep as written
            out.append(line)
            continue
        line = _literal(_roles(obj, line))
        if line.lstrip().startswith("[") and out and out[-1].rstrip().endswith("]"):
            line = line.replace("[", "&#91;", 1)        # "]" at the end of the line above, "[" here
        out.append(line)
    return "\n".join(out)


class HouseStyle(griffe.Extension):
    """Rewrite every docstring of the loaded objects once the object tree is complete."""

    def on_module_members(self, *, node: ast.AST, mod: griffe.Module, **kwargs) -> None:  # noqa: D102
        _lazy_homes(node, mod)

    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:  # noqa: D102
        if obj.is_alias:
            return
        if obj.is_module and obj.exports is not None:
            _appended_exports(obj)
        if obj.docstring is not None:
            runtime = _runtime_docstring(obj)
            if runtime is not None and runtime.startswith(obj.docstring.value.strip()):
                obj.docstring.value = runtime
            obj.docstring.value = house_style(obj, obj.docstring.value)


_DOC_ASSIGNED: dict[str, bool] = {}


def _runtime_docstring(obj: griffe.Object) -> str | None:
    """The docstring of the imported object when its module changes ``__doc__`` at import time, else None."""
    if not (obj.is_function or obj.is_class) or obj.parent is None:
        return None
    mod = obj.module
    if mod.path not in _DOC_ASSIGNED:
        try:
            _DOC_ASSIGNED[mod.path] = re.search(r"\.__doc__\s*\+?=", mod.filepath.read_text()) is not None
        except (OSError, AttributeError):
            _DOC_ASSIGNED[mod.path] = False
    if not _DOC_ASSIGNED[mod.path]:
        return None
    try:
        target = importlib.import_module(mod.path)
        for part in obj.path[len(mod.path) + 1:].split("."):
            target = getattr(target, part)
        return inspect.getdoc(target)
    except Exception:  # noqa: BLE001 - the static docstring stays
        return None


def _appended_exports(mod: griffe.Object) -> None:
    """Add the names of ``__all__.append("x")`` / ``__all__.extend([...])`` lines to the module's exports."""
    try:
        source = "\n".join(mod.lines)
    except (OSError, ValueError):
        return
    for kind, arg in _ALL_APPEND.findall(source):
        try:
            value = ast.literal_eval(arg)
        except (ValueError, SyntaxError):
            continue
        names = [value] if kind == "append" else list(value)
        mod.exports.extend(n for n in names if isinstance(n, str) and n not in mod.exports)


def _lazy_homes(node: ast.AST, mod: griffe.Module) -> None:
    """Aliases and exports of a module whose public names are imported on first use from a ``_HOMES`` map."""
    homes = None
    for stmt in getattr(node, "body", []):
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "_HOMES"):
            homes = ast.literal_eval(stmt.value)
    if not homes:
        return
    for name, home in homes.items():
        mod.set_member(name, griffe.Alias(name, f"{mod.path}.{home}.{name}", parent=mod))
    rest = [e for e in (mod.exports or []) if isinstance(e, str) and e not in homes]
    mod.exports = list(homes) + list(dict.fromkeys(rest))
