"""The tests' layout (issue 14): ``tests/unit/`` has no database, ``tests/integration/`` uses
real SQLite and PostgreSQL, ``tests/e2e/`` drives real clients and processes. Nothing is left
at the top of ``tests/`` where nobody would know which kind it is."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
KINDS = ("unit", "integration", "e2e")
#: Imports that mean a database: the driver, the engine's storage floor, the composition root.
DB_MODULES = ("sqlalchemy", "psycopg", "sqlite3", "kpi_engine.storage", "bot.bootstrap")
#: The fixtures of ``tests/conftest.py`` that open a database.
DB_FIXTURES = frozenset({"db_engine", "store", "app", "pg_engine", "pg_schema", "sqlite_url"})


def database_uses(source: str) -> list[str]:
    """What in a test module's source opens a database: imports and fixture arguments."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [f"fixture {a.arg} in {node.name}" for a in node.args.args
                      if a.arg in DB_FIXTURES and node.name.startswith("test")]
            continue
        else:
            continue
        found += [f"import {n}" for n in names
                  if any(n == m or n.startswith(m + ".") for m in DB_MODULES)]
    return found


def test_no_test_module_left_at_the_top() -> None:
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []


def test_every_kind_has_its_folder() -> None:
    for kind in KINDS:
        assert (TESTS / kind / "__init__.py").is_file(), kind
        assert list((TESTS / kind).glob("test_*.py")), kind


def test_unit_tests_open_no_database() -> None:
    offenders = {p.name: uses for p in sorted((TESTS / "unit").glob("test_*.py"))
                 if (uses := database_uses(p.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_the_check_sees_a_database() -> None:
    """The check can fail: a module that imports the store or takes a DB fixture is caught."""
    assert database_uses("from kpi_engine.storage.store import Store\n") == [
        "import kpi_engine.storage.store"]
    assert database_uses("import sqlalchemy as sa\n") == ["import sqlalchemy"]
    assert database_uses("def test_x(store):\n    pass\n") == ["fixture store in test_x"]
    assert database_uses("from kpi_engine.domain import periods\n") == []
