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
