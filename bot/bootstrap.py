"""The one composition root: settings → database → store → router with its commands."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
from bot.sources_command import register_sources
from bot.why_command import register_why
from config.settings import Settings, load_settings
from kpi_engine.domain.ports import Source
from kpi_engine.services.secrets import Secrets, SecretsError
from kpi_engine.services.sources import SourceService
from kpi_engine.storage.db import ensure_schema, make_engine
from kpi_engine.storage.store import Store


@dataclass
class App:
    settings: Settings
    engine: Engine
    store: Store
    router: Router
    #: the data sources (SPEC §10): their connectors come from the composition root
    sources: SourceService = field(default=None)  # type: ignore[assignment]

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, **engine_args: Any) -> Store:
    """A store on the database at ``url`` (no router): for a worker process of the bot that
    reads the same database (``bot/runtime/digest_builder.py``)."""
    return Store(make_engine(url, **engine_args))


def bootstrap(settings: Settings | None = None, *, engine: Engine | None = None,
              clock: Callable[[], datetime] | None = None, check_schema: bool = True,
              sources: Mapping[str, Source] | None = None) -> App:
    """Wire the real parts (or the ones given: tests pass their own engine and clock).
    SQLite migrates itself; other databases must be migrated (``kpibot migrate``).
    ``sources``: platform → connector (``adapters.sources.connectors(settings)``; the bot
    imports no adapter)."""
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
    service = SourceService(store, sources if sources is not None else {}, _secrets(settings))
    register_sources(router, service)
    return App(settings, engine, store, router, service)


def _secrets(settings: Settings) -> Secrets:
    """The token key of ``KPIBOT_SECRET_KEY``; a malformed one is said once in the log and
    treated as none (adding a source is then refused, nothing stored in the clear)."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    try:
        return Secrets(key)
    except SecretsError as exc:
        logging.getLogger(__name__).warning("KPIBOT_SECRET_KEY: %s", exc)
        return Secrets(None)
