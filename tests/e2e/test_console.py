"""The console chat (adapters/chat/console.py) on the demo workspace, as `kpibot demo` opens it."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.chat.console import run_console
from adapters.cli import main
from bot.bootstrap import App
from kpi_engine.services.seed import seed_demo

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_console_answers_lines_until_exit(app: App) -> None:
    seed_demo(app.store, NOW.date())
    out = io.StringIO()
    lines = "/kpi reach minggu ini\n\nberapa followers tiktok?\n/kpi rech\nkeluar\n/kpi reach\n"
    assert run_console(app, workspace="demo", now=NOW, stdin=io.StringIO(lines),
                       stdout=out) == 0
    text = out.getvalue()
    assert "Jangkauan · semua kanal sendiri · minggu ini" in text
    assert "Pengikut · tiktok" in text
    assert "Maksud Anda: reach?" in text
    assert text.count("Jangkauan ·") == 1  # nothing after 'keluar'


def test_demo_command_opens_console_on_stdin(tmp_path: Path) -> None:
    """`kpibot demo` as a real process: seeds, then answers what is typed."""
    exe = Path(sys.executable).with_name("kpibot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "adapters.cli"]
    done = subprocess.run(
        [*cmd, "--db", f"sqlite:///{tmp_path / 'd.db'}", "demo", "--now",
         "2026-11-22T09:00:00+07:00"],
        input="/kpi followers instagram\n/bantuan\n", capture_output=True, text=True,
        timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Workspace 'demo' (Kopi Nusantara)" in done.stdout
    assert "Pengikut · instagram" in done.stdout
    assert "/ringkasan (/summary)" in done.stdout
    assert "Traceback" not in done.stderr


def test_postgres_schema_missing_is_a_clear_error(capsys: object) -> None:
    import os

    import pytest

    url = os.environ.get("KPIBOT_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("KPIBOT_TEST_POSTGRES_URL is not set")
    from sqlalchemy import text

    from kpi_engine.storage.db import make_engine

    schema = "t_unmigrated"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in url else "?"
        scoped = f"{url}{sep}options=-csearch_path%3D{schema}"
        assert main(["--db", scoped, "ask", "/kpi reach"]) == 2
        err = capsys.readouterr().err  # type: ignore[attr-defined]
        assert "kpibot migrate" in err
        assert main(["--db", scoped, "migrate"]) == 0
        assert main(["--db", scoped, "ask", "/kpi reach"]) == 0
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def test_placeholder_secret_is_refused(monkeypatch: object, capsys: object) -> None:
    monkeypatch.setenv("KPIBOT_TELEGRAM_TOKEN", "changeme")  # type: ignore[attr-defined]
    assert main(["--db", "sqlite:///:memory:", "migrate"]) == 2
    assert "KPIBOT_TELEGRAM_TOKEN" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_serve_with_incomplete_slack_settings_is_a_clear_error(
        tmp_path: Path, monkeypatch: object, capsys: object) -> None:
    monkeypatch.setenv("KPIBOT_SLACK_BOT_TOKEN", "xoxb-test-only")  # type: ignore[attr-defined]
    monkeypatch.delenv("KPIBOT_SLACK_SIGNING_SECRET", raising=False)  # type: ignore[attr-defined]
    monkeypatch.delenv("KPIBOT_SLACK_APP_TOKEN", raising=False)  # type: ignore[attr-defined]
    monkeypatch.setenv("KPIBOT_HTTP_PORT", "0")  # type: ignore[attr-defined]
    assert main(["--db", f"sqlite:///{tmp_path / 's.db'}", "serve"]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "KPIBOT_SLACK_SIGNING_SECRET" in err and "Traceback" not in err
    assert "xoxb-test-only" not in err


def test_console_ya_accepts_the_suggestion(app: App) -> None:
    """Issue 12: after "Maksud Anda: reach?", "ya" answers reach; the number is the seed's."""
    from kpi_engine.services.demo import demo_rows

    seed_demo(app.store, NOW.date())
    out = io.StringIO()
    lines = "rech ig minggu ini\nya\nmakasih\nkeluar\n"
    assert run_console(app, workspace="demo", now=NOW, stdin=io.StringIO(lines),
                       stdout=out) == 0
    text = out.getvalue()
    assert "Maksud Anda: reach?" in text
    week = sum(r.value for r in demo_rows(NOW.date()) if r.metric == "reach"
               and r.platform == "instagram" and not r.handle and r.day.isoformat() >= "2026-11-16")
    assert "Jangkauan · instagram · minggu ini" in text
    assert f"{round(week):,}".replace(",", ".") in text
    assert "Sama-sama" in text


async def test_the_console_is_a_platform_that_prints_what_it_is_sent() -> None:
    import io

    from adapters.chat.console import ConsolePlatform
    from adapters.chat.platform import Platform, kinds
    from bot.reply import Reply

    out = io.StringIO()
    console: Platform = ConsolePlatform(out)
    assert console.routes() == []
    await console.start()
    await console.send("local", Reply(title="Reach", body=["12.345"]))
    await console.stop()
    assert "Reach" in out.getvalue() and "12.345" in out.getvalue()
    assert "console" not in [k.name for k in kinds()]  # kpibot serve never starts it
