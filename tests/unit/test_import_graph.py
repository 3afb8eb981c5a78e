"""The import graph of the project's own packages (issue 14): no module of bot/, kpi_engine/,
adapters/ or config/ takes part in an import circle (imports inside functions and under
``TYPE_CHECKING`` count too, so a lazy import cannot hide one), and the engine imports no chat
platform, scheduler, HTTP server, bot/ or adapters/ module. Read from the source with ``ast``,
so nothing is imported to check it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "kpi_engine", "adapters", "config")
ENGINE_MUST_NOT_IMPORT = {"telegram", "slack_bolt", "slack_sdk", "apscheduler", "aiohttp",
                          "bot", "adapters"}

#: Circles in adapters/, which the house-adapters branch takes apart (issue 14: the
#: four-file circle through ``server.py``); nothing outside adapters/ may be listed here.
def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "versions" in parts:  # Alembic revisions: never imported by the code
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (``from p import m`` counts as p.m when m is a
    module)."""
    out: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.add(full if full in modules else base)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {m for m in _imports(name, path, modules) if m in modules and m != name}
            for name, path in modules.items()}


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(frozenset(component))
    return circles


def test_the_checker_sees_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [frozenset({"a", "b", "c"})]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles() -> None:
    graph = _graph()
    assert "kpi_engine.domain.formulas" in graph  # the walk found the packages
    circles = [sorted(c) for c in _circles(graph)]
    assert circles == []


def test_the_engine_imports_no_platform_and_no_outer_floor() -> None:
    wrong = []
    modules = _modules()
    for name, path in modules.items():
        if not name.startswith("kpi_engine"):
            continue
        for imported in _imports(name, path, modules):
            if imported.split(".")[0] in ENGINE_MUST_NOT_IMPORT:
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_the_domain_imports_neither_storage_nor_services_nor_sqlalchemy() -> None:
    wrong = []
    modules = _modules()
    for name, path in modules.items():
        if not name.startswith("kpi_engine.domain"):
            continue
        for imported in _imports(name, path, modules):
            top = imported.split(".")
            if top[0] == "sqlalchemy" or (top[0] == "kpi_engine" and len(top) > 1
                                           and top[1] != "domain"):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []
