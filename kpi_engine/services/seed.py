"""Seed the deterministic demo workspace."""

from __future__ import annotations

from datetime import date

from kpi_engine.domain.model import Workspace, WriteResult
from kpi_engine.services.demo import DEMO_NAME, DEMO_SLUG, demo_rows
from kpi_engine.storage.store import Store


def seed_demo(store: Store, today: date, *, timezone: str = "Asia/Jakarta",
              language: str = "id") -> tuple[Workspace, WriteResult]:
    """Create (or refresh) the ``demo`` workspace with 180 days of data ending ``today``."""
    ws = store.ensure_workspace(DEMO_SLUG, name=DEMO_NAME, timezone=timezone,
                                language=language)
    return ws, store.write_snapshots(ws.id, demo_rows(today))
