"""Data sources in the rest of the bot, on SQLite and PostgreSQL: migration 0011_sources (from 0006, through the migrations between),
"sementara" in /kpi and ``provisional: true`` in its JSON, drop alerts waiting for final
data, /sumber for admins, and ``kpibot source`` run in-process with a fake connector."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from adapters.sources.fake import FakeSource
from bot.bootstrap import App
from bot.reply import Request
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.services.alert_inputs import load_inputs, wait_for_final
from kpi_engine.services.secrets import Secrets, new_key
from kpi_engine.services.sources import SourceService
from kpi_engine.storage import schema_sources
from kpi_engine.storage.db import _alembic_config, make_engine, migrate
from kpi_engine.storage.schema import metadata
from kpi_engine.storage.store import Store
from tests.conftest import PG_URL

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
YESTERDAY = date(2026, 11, 19)
TABLES = {"sources", "provisional_days", "source_syncs"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (not migrated)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("KPIBOT_TEST_POSTGRES_URL is not set")
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_migration_0011_sources_goes_up_from_0006_and_matches_the_schema(fresh_engine: Engine) -> None:
    cfg = _alembic_config(fresh_engine)
    with fresh_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006_buttons_alert_actions")
        conn.execute(text("INSERT INTO workspaces (slug, name, timezone, language, currency, "
                          "created_at) VALUES ('toko', 'Toko', 'Asia/Jakarta', 'id', 'IDR', "
                          "'2026-11-01 00:00:00')"))
    assert not TABLES & set(inspect(fresh_engine).get_table_names())
    migrate(fresh_engine)
    assert set(inspect(fresh_engine).get_table_names()) >= TABLES
    assert schema_sources.sources.metadata is metadata
    with fresh_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, metadata)
                 if any(name in str(d) for name in TABLES)]
        assert diffs == []
        assert conn.execute(text("SELECT slug FROM workspaces")).scalar_one() == "toko"
    with fresh_engine.begin() as conn:  # and down again
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_buttons_alert_actions")
    assert not TABLES & set(inspect(fresh_engine).get_table_names())


def _synced(store: Store, *, provisional: bool, now: datetime = NOW
            ) -> tuple[SourceService, int]:
    """Workspace 'demo' with instagram reach (100 + n on the n-th day of November) from a
    synced fake source, through the day before ``now``; the last 3 days provisional when
    asked."""
    ws = store.ensure_workspace("demo")
    yesterday = (now + timedelta(hours=7)).date() - timedelta(days=1)
    rows = [SnapshotRow(date(2026, 11, d), "instagram", "", "reach", 100.0 + d)
            for d in range(1, yesterday.day + 1)]
    rows += [r._replace(metric="likes") for r in rows] + [
        r._replace(metric="posts", value=1.0) for r in rows]
    fake = FakeSource(rows=rows, today=yesterday if provisional else None)
    service = SourceService(store, {"instagram": fake}, Secrets(new_key()))
    sid = service.add(ws.id, "instagram", "1784", token="tok-secret", now=now).id
    service.sync(sid, now=now, since=date(2026, 11, 1))
    return service, ws.id


def test_an_answer_about_provisional_days_says_sementara(app: App) -> None:
    _synced(app.store, provisional=True)

    def ask(text_: str, lang: str | None = None) -> dict[str, object]:
        reply = app.router.handle(Request(text=text_, platform="cli", now=NOW,
                                          workspace="demo", lang=lang))
        return reply.as_json()

    this_month = ask("/kpi reach instagram bulan ini")
    # 1 … 19 November: Σ(100 + d) = 1900 + 190 = 2090
    assert "2.090" in str(this_month["text"])
    assert "sementara" in str(this_month["text"])
    assert this_month["provisional"] is True
    assert this_month["provisional_days"] == ["2026-11-17", "2026-11-18", "2026-11-19"]
    english = ask("/kpi reach instagram this month", lang="en")
    assert "provisional" in str(english["text"])
    early = ask("/kpi reach instagram 1-10 november")
    assert "provisional" not in early and "sementara" not in str(early["text"])


def test_no_provisional_key_when_the_source_says_final(app: App) -> None:
    _synced(app.store, provisional=False)
    reply = app.router.handle(Request(text="/kpi reach bulan ini", platform="cli", now=NOW,
                                      workspace="demo"))
    assert "provisional" not in reply.as_json() and "sementara" not in reply.text


def test_drop_alerts_wait_for_final_data(store: Store) -> None:
    # Monday 23 November: the default drop rule looks at last week, 16–22 November, whose
    # last 3 days are provisional
    monday = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    service, wid = _synced(store, provisional=True, now=monday)
    with store.begin() as conn:
        inputs = load_inputs(conn, monday, [wid], goals=False)
        before = [r.key for r in inputs.data[0].rules]
        wait_for_final(conn, inputs)
        after = [r.key for r in inputs.data[0].rules]
    assert "drop" in before and "drop" not in after
    assert [k for k in before if k != "drop"] == after  # the other rules still run
    # final: the drop rule runs again
    fake = service.connectors["instagram"]
    assert isinstance(fake, FakeSource)
    fake.today = None
    service.sync(service.all()[0].id, now=monday)
    with store.begin() as conn:
        inputs = load_inputs(conn, monday, [wid], goals=False)
        wait_for_final(conn, inputs)
        assert "drop" in [r.key for r in inputs.data[0].rules]


def test_sumber_shows_admins_the_sources_and_schedules_a_sync(app: App) -> None:
    service, wid = _synced(app.store, provisional=False)
    app.store.link_chat(wid, "telegram", "100", Role.ADMIN)
    app.store.link_chat(wid, "telegram", "200", Role.VIEWER)

    def say(text_: str, chat: str) -> str:
        return app.router.handle(Request(text=text_, platform="telegram", chat_id=chat,
                                         user_id="u1", now=NOW)).text

    shown = say("/sumber", "100")
    assert "#1 instagram (instagram, akun 1784)" in shown
    assert "sinkron terakhir: 2026-11-20 10:00, 57 baris ditulis" in shown
    assert "sinkron berikutnya: 2026-11-21 0" in shown  # 01:00–05:00 Jakarta
    assert "tok-secret" not in shown
    assert "admin" in say("/sumber", "200").lower()  # a viewer is refused
    assert "dijadwalkan" in say("/sumber sync", "100")
    assert [s.id for s in service.sources.due(NOW)] == [1]
    english = app.router.handle(Request(text="/sources", platform="telegram", chat_id="100",
                                        now=NOW, lang="en")).text
    assert "last sync" in english


def test_the_cli_adds_lists_syncs_and_removes_with_a_connector(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from adapters import sources as registry
    from adapters.cli.kpibot import main

    rows = [SnapshotRow(YESTERDAY - timedelta(days=n), "instagram", "@toko", "reach", 10.0 + n)
            for n in range(100)]
    fake = FakeSource(rows=rows)
    monkeypatch.setitem(registry.FACTORIES, "instagram", lambda _settings: fake)
    monkeypatch.delitem(registry.FACTORIES, "tiktok")  # a platform with no connector
    monkeypatch.setenv("KPIBOT_SECRET_KEY", new_key())
    base = ["--db", sqlite_url]
    assert main([*base, "demo", "--no-chat", "--now", "2026-11-20T10:00"]) == 0
    capsys.readouterr()
    assert main([*base, "source", "add", "instagram", "--workspace", "demo", "--account",
                 "1784", "--token", "tok-secret-1", "--channel", "instagram:@toko"]) == 0
    assert "Source 1 added" in capsys.readouterr().out
    assert main([*base, "source", "sync", "--now", "2026-11-20T10:00+07:00"]) == 0
    out = capsys.readouterr().out
    assert "source 1 instagram:@toko: 2026-08-22…2026-11-19 90 rows written (90 changed)" in out
    assert main([*base, "source", "sync", "1", "--now", "2026-11-20T10:00+07:00"]) == 0
    assert "3 rows written (0 changed)" in capsys.readouterr().out
    assert main([*base, "source", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["channel"] == "instagram:@toko" and listed[0]["last_rows"] == 3
    assert "tok-secret" not in json.dumps(listed)
    assert main([*base, "source", "add", "tiktok", "--workspace", "demo", "--account", "9",
                 "--token", "x1"]) == 1
    assert "no connector for tiktok yet" in capsys.readouterr().err.lower().replace(
        "belum ada konektor untuk tiktok", "no connector for tiktok yet")
    assert main([*base, "source", "remove", "1"]) == 0
    assert main([*base, "source", "remove", "1"]) == 1
    assert "#1" in capsys.readouterr().err
