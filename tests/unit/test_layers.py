"""The adapters' shape (issue 14): arrows point down (bot/ never imports adapters/, the
engine neither), and bot/runtime/ names no platform and writes no SQL. Every import counts,
a lazy one inside a function too. Import circles over the whole tree: test_import_graph."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def modules(*folders: str) -> dict[str, set[str]]:
    """Module name → the project modules it imports (anywhere in its file)."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            imported: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    imported.add(node.module)
                    imported.update(f"{node.module}.{a.name}" for a in node.names)
            found[name] = imported
    return found



def test_bot_and_the_engine_never_import_the_adapters() -> None:
    upward = {m: sorted(i for i in imported if i.split(".")[0] == "adapters")
              for m, imported in modules("bot", "kpi_engine").items()}
    assert {m: i for m, i in upward.items() if i} == {}


def test_the_runtime_names_no_platform_and_writes_no_sql() -> None:
    files = sorted((ROOT / "bot" / "runtime").glob("*.py"))
    assert {p.name for p in files} >= {"dispatcher.py", "scheduler.py", "supervision.py"}
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        assert "telegram" not in text and "slack" not in text, path.name
        assert "select " not in text and "pg_" not in text, path.name
        imported = modules("bot/runtime")[f"bot.runtime.{path.stem}"] \
            if path.stem != "__init__" else set()
        assert "sqlalchemy.text" not in imported, path.name


def test_the_settings_list_every_chat_platform_of_the_registry() -> None:
    from adapters.chat.platform import kinds
    from config.settings import CHAT_PLATFORMS

    assert sorted(k.name for k in kinds()) == sorted(CHAT_PLATFORMS)


# -- storage holds all SQL and only SQL (issue 14) ------------------------------------------------

#: What a module outside ``kpi_engine/storage`` may take from SQLAlchemy: the handle types it
#: passes down to storage functions, the driver's errors it turns into replies, and URL parsing
#: (for the startup checks and the health page). No statement construct.
SQLALCHEMY_ALLOWED = {"sqlalchemy.Engine", "sqlalchemy.Connection", "sqlalchemy.engine.make_url"}


def sqlalchemy_constructs(source: str) -> list[str]:
    """The SQLAlchemy names ``source`` imports beyond ``SQLALCHEMY_ALLOWED`` and errors."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            module = node.module or ""
            if module == "sqlalchemy.exc":
                continue
            found += [f"{module}.{a.name}" for a in node.names
                      if f"{module}.{a.name}" not in SQLALCHEMY_ALLOWED]
    return found


def test_the_sql_check_sees_statement_constructs() -> None:
    assert sqlalchemy_constructs("from sqlalchemy import select, Engine") == ["sqlalchemy.select"]
    assert sqlalchemy_constructs("def f():\n    from sqlalchemy import text\n") == \
        ["sqlalchemy.text"]
    assert sqlalchemy_constructs("import sqlalchemy as sa") == ["sqlalchemy"]
    assert sqlalchemy_constructs("from sqlalchemy.dialects.postgresql import insert") == \
        ["sqlalchemy.dialects.postgresql.insert"]
    assert sqlalchemy_constructs("from sqlalchemy import Table, Column") == \
        ["sqlalchemy.Table", "sqlalchemy.Column"]
    assert sqlalchemy_constructs(
        "from sqlalchemy import Connection, Engine\nfrom sqlalchemy.exc import OperationalError\n"
        "from sqlalchemy.engine import make_url") == []


def test_only_storage_imports_sql_constructs() -> None:
    outside = [p for folder in ("bot", "adapters", "kpi_engine", "config")
               if (ROOT / folder).is_dir() for p in sorted((ROOT / folder).rglob("*.py"))
               if not p.relative_to(ROOT).as_posix().startswith("kpi_engine/storage/")]
    assert len(outside) > 50
    found = {p.relative_to(ROOT).as_posix(): sqlalchemy_constructs(p.read_text(encoding="utf-8"))
             for p in outside}
    assert {p: names for p, names in found.items() if names} == {}


#: Entry points (adapters/, bot/runtime/) that still import kpi_engine.storage, each with why.
#: The composition roots (bot/bootstrap.py, adapters/cli/) build the engine and the stores.
STORAGE_FROM_ENTRY_POINTS: dict[str, str] = {
    "adapters.cli.kpibot": "composition root: makes the engine, migrates, the SQLite server lock",
    "adapters.cli.startup": "composition root: the startup checks of the database",
}


def test_entry_points_reach_storage_only_through_services() -> None:
    found = {m: sorted(i for i in imported if i.startswith("kpi_engine.storage"))
             for m, imported in modules("adapters", "bot/runtime").items()}
    found = {m: i for m, i in found.items() if i and m not in STORAGE_FROM_ENTRY_POINTS}
    assert found == {}


#: Modules of bot/ (besides the composition root ``bot/bootstrap.py``) allowed to import
#: kpi_engine.storage: none (the alert commands and buttons go through services.alert_rules).
STORAGE_FROM_BOT: frozenset[str] = frozenset()


def test_bot_reaches_storage_only_through_services() -> None:
    """Chat handlers and the router call kpi_engine/services; only the composition root
    builds the store (the store's type comes through ``kpi_engine.services.workspaces``)."""
    found = {m: sorted(i for i in imported if i.startswith("kpi_engine.storage"))
             for m, imported in modules("bot").items()}
    assert "bot.router" in found and "bot.bootstrap" in found
    assert found["bot.bootstrap"], "the check must see the composition root's storage import"
    found = {m: i for m, i in found.items()
             if i and m != "bot.bootstrap" and m not in STORAGE_FROM_BOT}
    assert found == {}
