"""Seed the deterministic demo workspace."""

from __future__ import annotations

from datetime import date

from kpi_engine.domain.model import Workspace, WriteResult
from kpi_engine.services.demo import DEMO_NAME, DEMO_SLUG, demo_rows
from kpi_engine.services.demo_content import demo_content
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store


def seed_demo(store: Store, today: date, *, timezone: str = "Asia/Jakarta",
              language: str = "id") -> tuple[Workspace, WriteResult]:
    """Create (or refresh) the ``demo`` workspace with 180 days of data ending ``today``:
    snapshots, posts with their lifetime readings, audience buckets (one transaction).
    Returns the snapshots written."""
    ws = store.ensure_workspace(DEMO_SLUG, name=DEMO_NAME, timezone=timezone,
                                language=language)
    rows = demo_rows(today)
    posts, readings, segments = demo_content(today, rows=rows)
    content = ContentStore(store)
    with store.begin() as conn:
        result = store.write_snapshots(ws.id, rows, conn)
        content.write_posts(ws.id, ws.timezone, posts, readings, conn)
        content.write_segments(ws.id, segments, conn)
    return ws, result
