"""The import graph of the package: no circle, and no arrow from a lower layer to a higher one
(special -> materials/thermal/geometry -> mie/green/polarizabilities -> casimir/potentials/optics -> sweeps/cli)."""
import ast
import collections
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "jaxem"


def _graph():
    mods = {}
    for f in ROOT.rglob("*.py"):
        name = ".".join(f.relative_to(ROOT.parent).with_suffix("").parts)
        mods[name[:-9] if name.endswith(".__init__") else name] = f
    graph = collections.defaultdict(set)
    for name, f in mods.items():
        pkg = name if f.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    t = sub if sub in mods else target
                    if t in mods and t != name:
                        graph[name].add(t)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in mods and a.name != name)
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                  and node.targets[0].id == "_HOMES"):      # a lazy package's name -> home module map (PEP 562)
                graph[name].update(f"{pkg}.{home}" for home in ast.literal_eval(node.value).values())
    return mods, graph


def _layer(m):
    if m == "jaxem.constants" or (m.startswith("jaxem._") and m.count(".") == 1):   # _checks, _runtime, ...
        return 0
    for prefix, layer in (("jaxem.special", 1), ("jaxem.mie", 3), ("jaxem.casimir", 4), ("jaxem.potentials", 4),
                          ("jaxem.optics", 4), ("jaxem.sweeps", 5)):
        if m == prefix or m.startswith(prefix + "."):
            return layer
    return {"jaxem.materials": 2, "jaxem.thermal": 2, "jaxem.geometry": 2, "jaxem.green": 3,
            "jaxem.polarizabilities": 3, "jaxem.cli": 5, "jaxem": 6}[m]


def test_no_arrow_to_a_higher_layer():
    mods, graph = _graph()
    assert len(mods) > 40
    assert {"jaxem.materials", "jaxem.casimir", "jaxem.potentials.nanospheres"} <= graph["jaxem"]   # the lazy map
    assert set().union(*graph.values()) <= set(mods)
    up = sorted((a, b) for a in graph for b in graph[a] if _layer(b) > _layer(a))
    assert up == []


def test_no_import_circle():
    _, graph = _graph()
    color, cycles = {}, []

    def visit(u, stack):
        color[u] = 1
        stack.append(u)
        for v in sorted(graph[u]):
            if color.get(v) == 1:
                cycles.append(stack[stack.index(v):] + [v])
            elif not color.get(v):
                visit(v, stack)
        stack.pop()
        color[u] = 2

    for m in sorted(graph):
        if not color.get(m):
            visit(m, [])
    assert cycles == []
