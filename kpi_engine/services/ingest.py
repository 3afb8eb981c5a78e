"""Import a file into a workspace: parse all rows, then write them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kpi_engine.domain.content import PostMetricRow, PostRow, SegmentRow
from kpi_engine.domain.model import WriteResult
from kpi_engine.services.importer import parse_import
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store

#: Files sent in chat; the CLI allows larger ones.
CHAT_MAX_BYTES = 10 * 1024 * 1024
CLI_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    result: WriteResult
    shape: str
    lines: int


def import_bytes(store: Store, workspace_id: int, data: bytes, filename: str, *,
                 today: date, max_bytes: int = CHAT_MAX_BYTES) -> ImportResult:
    """All rows or none: a bad row raises ``ImportFileError`` before anything is written.

    ``today`` is the workspace's local today (a row of a later day refuses the file)."""
    workspace = store.workspace_by_id(workspace_id)
    timezone = workspace.timezone if workspace else "Asia/Jakarta"
    parsed = parse_import(data, filename, max_bytes=max_bytes, today=today, timezone=timezone)
    if parsed.posts or parsed.post_metrics or parsed.segments:
        result = write_content(store, workspace_id, timezone, parsed.posts,
                               parsed.post_metrics, parsed.segments)
    else:
        result = store.write_snapshots(workspace_id, parsed.rows)
    return ImportResult(result, parsed.shape, parsed.lines)


def write_content(store: Store, workspace_id: int, timezone: str, posts: Sequence[PostRow],
                  post_metrics: Sequence[PostMetricRow],
                  segments: Sequence[SegmentRow]) -> WriteResult:
    """Posts, their lifetime values and audience buckets in one transaction (all or none):
    the values written and replaced, added up."""
    content = ContentStore(store)
    with store.begin() as conn:
        a = content.write_posts(workspace_id, timezone, posts, post_metrics, conn)
        b = content.write_segments(workspace_id, segments, conn)
    return WriteResult(written=a.written + b.written, replaced=a.replaced + b.replaced)
