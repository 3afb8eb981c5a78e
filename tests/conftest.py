"""Shared fixtures: a migrated database on SQLite and (when ``KPIBOT_TEST_POSTGRES_URL`` is
set, always in CI) PostgreSQL; the store; a ``testbot`` that talks to the real router."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from bot.bootstrap import App, bootstrap
from bot.reply import Reply, Request
from config.settings import Settings
from kpi_engine.storage.db import make_engine, migrate
from kpi_engine.storage.store import Store

PG_URL = os.environ.get("KPIBOT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str | None]:
    """A private PostgreSQL schema for this test session (parallel runs don't collide)."""
    if not PG_URL:
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_schema: str | None) -> Iterator[Engine | None]:
    if not PG_URL or not pg_schema:
        yield None
        return
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={pg_schema}"})
    migrate(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    """Empty every table the migrations created (feature modules add their own)."""
    names = ", ".join(n for n in inspect(engine).get_table_names() if n != "alembic_version")
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_engine(request: pytest.FixtureRequest, tmp_path: Path,
              pg_engine: Engine | None) -> Iterator[Engine]:
    """A migrated, empty database: SQLite in a temp file, or the PostgreSQL test schema."""
    if request.param == "postgres":
        if pg_engine is None:
            pytest.skip("KPIBOT_TEST_POSTGRES_URL is not set")
        _truncate(pg_engine)
        yield pg_engine
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'kpibot.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(db_engine: Engine) -> Store:
    return Store(db_engine)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kpibot.db'}"


@dataclass
class Conversation:
    """Talk to the real router as a chat would: ``bot.ask("/kpi reach minggu ini")``."""

    app: App
    now: datetime
    platform: str = "cli"
    chat_id: str = ""
    user_id: str = ""
    workspace: str | None = "demo"
    lang: str | None = None

    def reply(self, text: str, **kw: object) -> Reply:
        fields = {"platform": self.platform, "chat_id": self.chat_id, "user_id": self.user_id,
                  "now": self.now, "workspace": self.workspace, "lang": self.lang}
        fields.update(kw)
        return self.app.router.handle(Request(text=text, **fields))  # type: ignore[arg-type]

    def ask(self, text: str, **kw: object) -> str:
        return self.reply(text, **kw).text


@pytest.fixture
def app(db_engine: Engine) -> App:
    """The real composition root on the test database (no dispose: the engine is shared)."""
    return bootstrap(Settings(), engine=db_engine, check_schema=False)
