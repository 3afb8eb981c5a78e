"""Migration 0007_drop_options on SQLite and PostgreSQL: a database at 0006 with rules in it
upgrades, and every existing rule keeps today's behaviour (k 3, direction drop, min_volume
NULL = the default 100, its own periods); going down and up again keeps the rows; a fresh
database (``ensure_schema`` on SQLite, ``migrate`` on PostgreSQL) has exactly the columns of
``schema_alerts.alert_rules``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from kpi_engine.domain.alerts import DEFAULT_MIN_VOLUME
from kpi_engine.storage import alert_store
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.db import (
    _alembic_config,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    migrate,
)
from kpi_engine.storage.schema import metadata
from kpi_engine.storage.store import Store
from kpi_engine.storage.types import bind_moment
from tests.conftest import BACKENDS, PG_URL

BEFORE = "0006_buttons_alert_actions"
AFTER = "0007_drop_options"
NEW = {"k", "direction", "min_volume"}
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def bare(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (a fresh PostgreSQL schema: not the shared test one)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
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


def _to(engine: Engine, revision: str, down: bool = False) -> None:
    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _columns(engine: Engine) -> dict[str, bool]:
    return {c["name"]: bool(c["nullable"]) for c in inspect(engine).get_columns("alert_rules")}


def test_upgrade_from_0006_keeps_rules_and_gives_them_the_defaults(bare: Engine) -> None:
    _to(bare, BEFORE)
    assert current_revision(bare) == BEFORE
    assert not NEW & set(_columns(bare))
    with bare.begin() as conn:
        now = bind_moment(conn, NOW)
        conn.execute(text(
            "INSERT INTO workspaces (slug, name, timezone, language, currency, created_at) "
            "VALUES ('old', 'Old', 'Asia/Jakarta', 'id', 'IDR', :now)"), {"now": now})
        ws = conn.execute(text("SELECT id FROM workspaces WHERE slug = 'old'")).scalar_one()
        for kind, metric, value, period, periods in (("drop", "reach", 30.0, "day", 6),
                                                     ("threshold", "cpc", 5000.0, "day", 4),
                                                     ("drop", "engagement_rate", 20.0,
                                                      "week", 4)):
            conn.execute(text(
                "INSERT INTO alert_rules (workspace_id, kind, metric, op, value, period, "
                "periods, repeat_minutes, platform, chat_id, created_by, created_at) VALUES "
                "(:ws, :kind, :metric, '<', :value, :period, :periods, 1440, 'telegram', "
                "'100', 'ana', :now)"),
                {"ws": ws, "kind": kind, "metric": metric, "value": value, "period": period,
                 "periods": periods, "now": now})
    _to(bare, "heads")
    assert current_revision(bare) == head_revision(bare)
    assert _applied(bare, AFTER)
    assert _columns(bare)["min_volume"] is True
    assert _columns(bare)["k"] is False and _columns(bare)["direction"] is False
    with bare.connect() as conn:
        raw = conn.execute(text("SELECT kind, k, direction, min_volume, periods FROM alert_rules "
                                "ORDER BY id")).all()
    assert [tuple(r) for r in raw] == [("drop", 3.0, "drop", None, 6),
                                       ("threshold", 3.0, "drop", None, 4),
                                       ("drop", 3.0, "drop", None, 4)]
    store = Store(bare)
    rules, _ = alert_store.list_rules(store, int(ws))
    team = [r for r in rules if not r.default]
    assert [(r.kind, r.metric, r.value, r.period, r.periods, r.k, r.direction, r.min_volume)
            for r in team] == [
        ("drop", "reach", 30.0, "day", 6, 3.0, "drop", DEFAULT_MIN_VOLUME),
        ("threshold", "cpc", 5000.0, "day", 4, 3.0, "drop", DEFAULT_MIN_VOLUME),
        ("drop", "engagement_rate", 20.0, "week", 4, 3.0, "drop", DEFAULT_MIN_VOLUME)]
    # an old rule takes new options, and the migration goes down and up again with its rows
    first = team[0].id
    assert first is not None
    changed = alert_store.set_rule_options(store, int(ws), first, k=2.0, min_volume=500.0)
    assert changed is not None and (changed[1].k, changed[1].min_volume) == (2.0, 500.0)
    _to(bare, BEFORE, down=True)
    assert not NEW & set(_columns(bare))
    with bare.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alert_rules")).scalar_one() == 3
    _to(bare, "heads")
    again = alert_store.list_rules(store, int(ws))[0]
    assert [(r.k, r.min_volume) for r in again if not r.default] == [(3.0, 100.0)] * 3


def test_a_fresh_database_has_exactly_the_columns_of_the_schema(bare: Engine) -> None:
    if bare.dialect.name == "sqlite":
        ensure_schema(bare)  # SQLite migrates itself on first use
    else:
        migrate(bare)  # PostgreSQL is migrated by `kpibot migrate`; ensure_schema then passes
        ensure_schema(bare)
    assert current_revision(bare) == head_revision(bare)
    assert _applied(bare, AFTER)
    assert _columns(bare) == {c.name: bool(c.nullable) for c in a.alert_rules.columns}
    with bare.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(ctx, metadata) if "alert_rules" in repr(d)]
    assert diffs == []
    # the stored defaults are the domain's: a rule inserted without options behaves as before
    store = Store(bare)
    ws = store.ensure_workspace("fresh")
    rule = alert_store.add_rule(store, ws.id, kind="drop", metric="reach", value=20.0,
                                now=NOW, period="day", repeat=timedelta(days=1))
    assert (rule.k, rule.direction, rule.min_volume, rule.periods) == (3.0, "drop", 100.0, 4)
    with bare.connect() as conn:
        assert conn.execute(text("SELECT min_volume FROM alert_rules")).scalar_one() is None


def test_the_store_refuses_options_out_of_range(bare: Engine) -> None:
    migrate(bare)
    store = Store(bare)
    ws = store.ensure_workspace("guard")
    rule = alert_store.add_rule(store, ws.id, kind="drop", metric="reach", value=20.0, now=NOW)
    assert rule.id is not None
    for bad in ({"k": 0.0}, {"k": -1.0}, {"min_volume": -5.0}, {"direction": "sideways"},
                {"periods": 1}, {"periods": 13}, {"metric": "reach"}):
        with pytest.raises(ValueError):
            alert_store.set_rule_options(store, ws.id, rule.id, **bad)
        with pytest.raises(ValueError):
            alert_store.add_rule(store, ws.id, kind="drop", metric="reach", value=20.0,
                                 now=NOW, **{k: v for k, v in bad.items() if k != "metric"}
                                 or {"k": 0.0})
    after, _ = alert_store.list_rules(store, ws.id)
    assert [(r.k, r.direction, r.min_volume, r.periods) for r in after if not r.default] == [
        (3.0, "drop", 100.0, 4)]
    assert alert_store.set_rule_options(store, ws.id, 999, k=2.0) is None


def _applied(engine: Engine, revision: str) -> bool:
    """``revision`` is the database's revision or one of its ancestors (later migrations
    may sit on top of it)."""
    from alembic.script import ScriptDirectory

    from kpi_engine.storage.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(engine))
    heads = (current_revision(engine) or "").split("+")
    return any(r.revision == revision for r in script.iterate_revisions(heads, "base"))
