"""The floors of the packages, read from the source (``ast``): which module imports which.

Two users: ``tests/test_floors.py`` checks that there is no import circle and no private
name imported across modules, and the docs build (``docs/hooks.py``) draws the graph as
``figures/floors.svg`` for the Design page, so the picture cannot go stale.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")
def modules() -> dict[str, pathlib.Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = modules()


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """Imports under ``if TYPE_CHECKING:`` (for annotations; never run)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                skipped.update(ast.walk(child))
    return skipped


def imports(name: str) -> list[tuple[str, str | None]]:
    """``(module, imported name or None)`` for every import in module ``name`` that is run
    (at import time or inside a function), resolved against the packages."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    found.append((f"{base}.{alias.name}", None))
                else:
                    found.append((base, alias.name))
    return found


def graph() -> dict[str, set[str]]:
    return {name: {target for target, _ in imports(name) if target in MODULES} - {name}
            for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def dot_source() -> str:
    """The import graph as DOT: one box per module, an arrow from each module to what it
    imports, each package (``autograd``, ``autograd.rules``, ``nn``) in a frame."""
    edges = graph()
    packages: dict[str, list[str]] = {}
    for name in sorted(edges):
        package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
        packages.setdefault(package, []).append(name)
    lines = ["digraph floors {", "  rankdir=BT; node [shape=box, fontname=Helvetica, "
             "fontsize=10]; edge [color=gray40, arrowsize=0.6];"]
    for i, (package, names) in enumerate(sorted(packages.items())):
        lines.append(f'  subgraph cluster_{i} {{ label="{package}"; fontname=Helvetica;')
        lines += [f'    "{n}" [label="{n.rpartition(".")[2] if n != package else "__init__"}"];'
                  for n in names]
        lines.append("  }")
    lines += [f'  "{a}" -> "{b}";' for a in sorted(edges) for b in sorted(edges[a])]
    return "\n".join(lines + ["}"]) + "\n"


def svg() -> bytes:
    """The import graph drawn as SVG, by the package's own layout (autograd.layout)."""
    from autograd.layout import layout

    return layout(dot_source(), "svg")
