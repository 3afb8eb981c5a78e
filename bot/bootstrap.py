"""The one composition root: settings → database → store → router with its commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.alert_commands import register_alerts
from bot.audience_command import register_audience
from bot.chart_command import register_charts
from bot.commands import register_foundation
from bot.content_command import register_content
from bot.digest_commands import register_digests
from bot.goal_admin import register_goal_admin
from bot.goal_commands import goal_line, register_goals
from bot.import_command import register_import
from bot.linking import register_linking
from bot.rank_command import register_rank
from bot.router import Router
from bot.why_command import register_why
from config.settings import Settings, load_settings
from kpi_engine.storage.db import ensure_schema, make_engine
from kpi_engine.storage.store import Store


@dataclass
class App:
    settings: Settings
    engine: Engine
    store: Store
    router: Router

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, engine: Engine | None = None,
              clock: Callable[[], datetime] | None = None, check_schema: bool = True) -> App:
    """Wire the real parts (or the ones given: tests pass their own engine and clock).
    SQLite migrates itself; other databases must be migrated (``kpibot migrate``)."""
    settings = settings or load_settings()
    engine = engine or make_engine(settings.database_url)
    if check_schema:
        ensure_schema(engine)
    store = Store(engine)
    router = Router(store, clock=clock, default_language=settings.language)
    register_foundation(router)
    register_charts(router, goal_line)
    register_import(router)
    register_linking(router)
    register_goals(router)
    register_goal_admin(router)
    register_alerts(router)
    register_digests(router)
    register_why(router)
    register_rank(router)
    register_content(router)
    register_audience(router)
    return App(settings, engine, store, router)
