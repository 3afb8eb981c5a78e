"""Import a file into a workspace: parse all rows, then write them in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from kpi_engine.domain import content as dc
from kpi_engine.domain import validation
from kpi_engine.domain.content import PostMetricRow, PostRow, SegmentRow
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import SnapshotRow, WriteResult
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


# --------------------------------------------------------------------------- fetched batches


@dataclass(frozen=True)
class BatchProblem:
    """Why a fetched batch (a data source's) is refused: the first bad row, in the words of
    import (``domain/validation.py``, ``domain/content.py``)."""

    code: str
    what: str    # which row: "instagram 2026-11-03 reach"
    params: dict[str, object]

    def message(self, lang: str) -> str:
        if self.code in _BATCH_TEXTS:
            r, h = _BATCH_TEXTS[self.code][2:] if lang == "en" else _BATCH_TEXTS[self.code][:2]
            r, h = r.format(**self.params), h.format(**self.params)
        else:
            r, h = dc.reason(self.code, lang, **self.params)
        return f"{self.what}: {r} {h}"


_BATCH_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "unknown_metric": ("metrik '{value}' tidak dikenal atau dihitung dari metrik lain.",
                       "Sumber data hanya boleh mengisi metrik yang disimpan (SPEC §3).",
                       "the metric '{value}' is unknown or computed from other metrics.",
                       "A data source may only fill stored metrics (SPEC §3)."),
}


def check_batch(snapshots: Sequence[SnapshotRow], posts: Sequence[PostRow],
                post_metrics: Sequence[PostMetricRow], segments: Sequence[SegmentRow], *,
                today: date) -> BatchProblem | None:
    """The import rules for rows a connector made (already typed): a known, stored metric;
    whole counts, bounds, no day after the workspace's local ``today``; names of at most 100
    plain characters; post ids, links and captions as import takes them. None: all good."""
    for r in snapshots:
        what = f"{r.platform}:{r.handle} {r.day.isoformat()} {r.metric}"
        metric = METRICS.get(r.metric)
        if metric is None or not metric.stored:
            return BatchProblem("unknown_metric", what,
                                {"value": validation.shown(r.metric), "metric": r.metric})
        problem = (validation.value_problem(r.metric, r.value)
                   or validation.day_problem(r.day, today))
        if problem:
            return BatchProblem(problem, what, {"value": validation.shown(
                r.day.isoformat() if problem == "future_day" else r.value),
                "metric": r.metric, "today": today.isoformat()})
        for name in (r.handle, r.campaign):
            bad = validation.name_problem(name)
            if bad:
                return BatchProblem(bad, what, {"value": validation.shown(name),
                                                "length": len(name)})
    for p in posts:
        what = f"{p.platform}:{p.handle} post {validation.shown(p.post_id)}"
        bad = (dc.post_id_problem(p.post_id) or dc.permalink_problem(p.permalink)
               or dc.caption_problem(p.caption) or validation.name_problem(p.handle))
        if bad:
            return BatchProblem(bad, what, {"value": validation.shown(p.post_id),
                                            "length": len(p.handle)})
    for m in post_metrics:
        what = f"{m.platform}:{m.handle} post {validation.shown(m.post_id)} {m.metric}"
        bad = dc.post_value_problem(m.metric, m.value) or validation.day_problem(m.day, today)
        if bad:
            return BatchProblem(bad, what, {"value": validation.shown(
                m.day.isoformat() if bad == "future_day" else m.value),
                "metric": m.metric, "today": today.isoformat()})
    for s in segments:
        what = f"{s.platform}:{s.handle} {s.day.isoformat()} {s.dimension}:{s.bucket}"
        bad = (validation.value_problem("followers", s.value)
               or validation.day_problem(s.day, today) or validation.name_problem(s.bucket))
        if bad:
            return BatchProblem(bad, what, {"value": validation.shown(
                s.day.isoformat() if bad == "future_day" else s.value),
                "metric": "followers", "today": today.isoformat(), "length": len(s.bucket)})
    return None


def write_batch(store: Store, workspace_id: int, timezone: str, snapshots: Sequence[SnapshotRow],
                posts: Sequence[PostRow], post_metrics: Sequence[PostMetricRow],
                segments: Sequence[SegmentRow], conn: Connection) -> WriteResult:
    """Snapshots and content through the same upserts as import, inside ``conn``'s
    transaction (the caller commits them with its own bookkeeping)."""
    content = ContentStore(store)
    a = store.write_snapshots(workspace_id, snapshots, conn)
    b = content.write_posts(workspace_id, timezone, posts, post_metrics, conn)
    c = content.write_segments(workspace_id, segments, conn)
    return WriteResult(written=a.written + b.written + c.written,
                       replaced=a.replaced + b.replaced + c.replaced)
