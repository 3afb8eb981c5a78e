"""The first ten minutes (issue 13, item 11), through the real ``kpibot`` command: the demo is
seeded once and left alone unless ``--reset``; ``/bantuan``'s ``/catat`` example overwrites
no demo value; a mistyped ``--workspace`` never creates a second brand (SPEC §9); the
console shows no Alembic lines before its banner; charts go to a folder git ignores."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-22T10:00:00+07:00"


def kpibot(db: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    return subprocess.run([sys.executable, "-m", "adapters.cli", "--db", f"sqlite:///{db}",
                           *args], capture_output=True, text=True, input=stdin, timeout=120,
                          env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
                          cwd=cwd or db.parent)


def snapshots(db: Path) -> dict[tuple[object, ...], float]:
    with sqlite3.connect(db) as conn:
        return {(platform, handle, metric, day, campaign): value for platform, handle, metric,
                day, campaign, value in conn.execute(
                    "SELECT c.platform, c.handle, s.metric, s.day, s.campaign, s.value "
                    "FROM snapshots s JOIN channels c ON c.id = s.channel_id")}


def workspaces(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT slug FROM workspaces ORDER BY id")]


@pytest.mark.slow
def test_make_run_seeds_the_demo_once_and_keeps_what_was_recorded(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    first = kpibot(db, "run", stdin="/keluar\n")  # `make run` without a chat token
    assert first.returncode == 0, first.stderr
    assert "snapshot ditulis" in first.stdout
    seeded = snapshots(db)
    assert len(seeded) > 1000
    # the user records a value over a demo one ...
    key = next(k for k in seeded if k[:3] == ("instagram", "", "followers"))
    day = str(key[3])
    done = kpibot(db, "ask", f"/catat instagram followers 123 {day}", "--workspace", "demo",
                  "--now", NOW)
    assert done.returncode == 0, done.stderr
    assert snapshots(db)[key] == 123
    # ... and the next `make run` leaves it there, and says how to start over
    again = kpibot(db, "run", stdin="/keluar\n")
    assert again.returncode == 0, again.stderr
    assert "sudah ada; datanya tidak diubah" in again.stdout and "--reset" in again.stdout
    assert snapshots(db)[key] == 123
    assert "snapshot ditulis" not in again.stdout
    # no Alembic (or any log) line before the console's banner
    banner_at = again.stdout.find("anda>") if "anda>" in again.stdout else len(again.stdout)
    assert "alembic" not in again.stdout[:banner_at] + again.stderr
    assert "alembic" not in first.stdout + first.stderr
    assert first.stderr.strip() == "" and again.stderr.strip() == ""
    # `kpibot demo --reset` seeds it again
    reset = kpibot(db, "demo", "--no-chat", "--reset")
    assert reset.returncode == 0 and "snapshot ditulis" in reset.stdout
    assert snapshots(db)[key] == seeded[key]


def test_the_help_examples_for_recording_overwrite_no_demo_value(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    assert kpibot(db, "demo", "--no-chat", "--now", NOW).returncode == 0
    before = snapshots(db)
    for lang in ("id", "en"):
        help_text = kpibot(db, "ask", "/bantuan", "--lang", lang, "--now", NOW).stdout
        examples = re.findall(r": (/(?:catat|record) [^\n]+?)\s*$", help_text, re.M)
        assert examples, help_text
        for example in examples:
            done = kpibot(db, "ask", example, "--workspace", "demo", "--lang", lang,
                          "--now", NOW)
            assert done.returncode == 0, done.stderr
        after = snapshots(db)
        changed = {k for k in before if after.get(k) != before[k]}
        assert changed == set(), f"{examples} overwrote {sorted(changed)[:3]}"
        assert len(after) > len(before)  # the example did write (a new value)


def test_import_and_link_create_a_workspace_only_when_none_exists_or_asked(
        tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    csv = tmp_path / "data.csv"
    csv.write_text("date,channel,metric,value\n2026-11-01,instagram,reach,1200\n")
    assert kpibot(db, "import", str(csv), "--workspace", "demo").returncode == 0  # the first
    assert workspaces(db) == ["demo"]
    typo = kpibot(db, "import", str(csv), "--workspace", "demp")
    assert typo.returncode == 1
    assert typo.stderr.strip() == ("kpibot: there is no workspace 'demp'. Existing: demo. "
                                   "Check the name, or add --create to make a new workspace "
                                   "'demp'.")
    link = kpibot(db, "link", "--workspace", "demp", "--platform", "telegram", "--chat", "5")
    assert link.returncode == 1 and "Existing: demo" in link.stderr
    assert workspaces(db) == ["demo"]  # nothing was made, nothing written
    assert len(snapshots(db)) == 1
    made = kpibot(db, "import", str(csv), "--workspace", "acme", "--create")
    assert made.returncode == 0 and "workspace 'acme'" in made.stdout
    linked = kpibot(db, "link", "--workspace", "brand3", "--create", "--platform", "slack",
                    "--chat", "C1")
    assert linked.returncode == 0, linked.stderr
    assert workspaces(db) == ["demo", "acme", "brand3"]


def test_console_charts_go_to_a_folder_git_ignores() -> None:
    from adapters.chat.console import CHART_DIR

    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert f"{CHART_DIR.as_posix().rstrip('/')}/" in ignored
    assert str(CHART_DIR) in (ROOT / "README.md").read_text()


def test_pytest_prints_no_line_per_skip() -> None:
    """``make test`` ends in a short summary: skip reasons are not listed one per line."""
    import tomllib

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]["addopts"]
    flags = re.search(r"-r(\w+)", options)
    assert flags is not None and not set(flags.group(1)) & set("asA")
