"""Storage of posts, their lifetime metrics and audience segments (SPEC §11).

Writes are idempotent upserts, like snapshots: a post is keyed by (channel, platform post
id); its lifetime values by (post, day), one column per metric, so writing (post, day,
metric) again replaces that value and leaves the day's other metrics as they are; an audience
bucket by (channel, dimension, bucket, day).

Each read is ONE SQL statement, the same text on SQLite and PostgreSQL. A post's value of a
metric for a period is its **latest lifetime value read on or before the period's end**, and
the posts counted are those **published** in the period (local days of the workspace).
Scope: the given channels, or the workspace's own channels (competitors left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kpi_engine.domain import content as dc
from kpi_engine.domain.model import WriteResult
from kpi_engine.storage import schema_posts as sp
from kpi_engine.storage.store import Store, utcnow


@dataclass(frozen=True)
class TopPost:
    post_id: str
    channel_id: int
    published_at: datetime
    published_day: date
    format: str
    permalink: str
    caption: str
    value: float


@dataclass(frozen=True)
class GroupValue:
    """One group of posts (a format, a hashtag, a weekday × hour cell): how many posts,
    their engagement summed, and engagement per post."""

    key: Any
    posts: int
    engagement: float

    @property
    def per_post(self) -> float | None:
        return dc.per_post(self.engagement, self.posts)


@dataclass(frozen=True)
class ChannelPosting:
    """One channel's posts of one span: published, read (with a lifetime reading), and the
    read posts' engagement."""

    channel_id: int
    current: bool
    posts: int
    read: int
    engagement: float


@dataclass(frozen=True)
class DayPosting:
    """The posts published on one local day of one span, as ``ChannelPosting``."""

    day: date
    current: bool
    posts: int
    read: int
    engagement: float


@dataclass(frozen=True)
class AudienceBucket:
    channel_id: int
    dimension: str
    bucket: str
    value: float
    previous: float | None
    share_pct: float | None

    @property
    def change_pct(self) -> float | None:
        return dc.change_pct(self.value, self.previous)


def _engagement_sql(alias: str) -> str:
    parts = " + ".join(f"COALESCE({alias}.{m}, 0)" for m in dc.ENGAGEMENT_PARTS)
    return f"({parts})"


def _known_sql(metric: str, alias: str) -> str:
    if metric == "engagement":
        return "(" + " OR ".join(f"{alias}.{m} IS NOT NULL" for m in dc.ENGAGEMENT_PARTS) + ")"
    return f"{alias}.{metric} IS NOT NULL"


def _value_sql(metric: str, alias: str) -> str:
    return _engagement_sql(alias) if metric == "engagement" else f"{alias}.{metric}"


class ContentStore:
    """Posts and audience of the workspaces in ``store``'s database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.dialect = store.dialect

    # -- writes -------------------------------------------------------------------------
    def _upsert(self, table: Any) -> Any:
        return (pg_insert if self.dialect == "postgresql" else sqlite_insert)(table)

    def write_posts(self, workspace_id: int, timezone: str, posts: Sequence[dc.PostRow],
                    metrics: Sequence[dc.PostMetricRow] = (),
                    conn: Connection | None = None) -> WriteResult:
        """Upsert posts (attributes and hashtags) and their lifetime values, all or nothing.

        A metric row's post must be among ``posts`` or already stored. Returns the
        (post, day, metric) values written and, of those, how many replaced a value."""
        if conn is None:
            with self.store.begin() as own:
                return self.write_posts(workspace_id, timezone, posts, metrics, own)
        wanted: dict[tuple[str, str], bool | None] = {}
        for p in posts:
            key = (p.platform, p.handle)
            if p.competitor is not None or key not in wanted:
                wanted[key] = p.competitor if p.competitor is not None else wanted.get(key)
        for m in metrics:
            wanted.setdefault((m.platform, m.handle), None)
        ids = self.store.ensure_channels(conn, workspace_id, wanted) if wanted else {}
        now = utcnow()
        latest: dict[tuple[int, str], dc.PostRow] = {}
        for p in posts:
            latest[(ids[(p.platform, p.handle)], p.post_id)] = p
        if latest:
            rows = []
            for (cid, pid), p in latest.items():
                day, weekday, hour = dc.local_slot(p.published_at, timezone)
                rows.append({"workspace_id": workspace_id, "channel_id": cid, "post_id": pid,
                             "published_at": p.published_at, "published_day": day,
                             "published_weekday": weekday, "published_hour": hour,
                             "format": p.format, "caption": p.caption,
                             "permalink": p.permalink, "updated_at": now})
            stmt = self._upsert(sp.posts)
            stmt = stmt.on_conflict_do_update(
                index_elements=["channel_id", "post_id"],
                set_={c: stmt.excluded[c] for c in (
                    "published_at", "published_day", "published_weekday", "published_hour",
                    "format", "caption", "permalink", "updated_at")})
            conn.execute(stmt, rows)
        pk = self._post_keys(conn, workspace_id,
                             {*latest, *((ids[(m.platform, m.handle)], m.post_id)
                                         for m in metrics)})
        if latest:
            post_pks = [pk[k] for k in latest]
            for part in _chunks(post_pks):
                conn.execute(delete(sp.post_hashtags).where(sp.post_hashtags.c.post_id.in_(
                    bindparam("pks", expanding=True))), {"pks": part})
            tags = [{"post_id": pk[k], "tag": tag} for k, p in latest.items()
                    for tag in p.hashtags]
            if tags:
                conn.execute(sp.post_hashtags.insert(), tags)
        if not metrics:
            return WriteResult(written=0, replaced=0)
        values: dict[tuple[int, date], dict[str, float]] = {}
        for m in metrics:
            reading = (pk[(ids[(m.platform, m.handle)], m.post_id)], m.day)
            values.setdefault(reading, {})[m.metric] = m.value
        pm = sp.post_metrics.c
        replaced = 0
        existing = [row for part in _chunks(sorted({k[0] for k in values})) for row in
                    conn.execute(select(pm.post_id, pm.day, *(pm[m] for m in dc.POST_METRICS))
                                 .where(pm.post_id.in_(bindparam("pks", expanding=True))),
                                 {"pks": part}).all()]
        for row in existing:
            given = values.get((row.post_id, row.day))
            if given:
                replaced += sum(1 for m in given if getattr(row, m) is not None)
        stmt = self._upsert(sp.post_metrics)
        stmt = stmt.on_conflict_do_update(
            index_elements=["post_id", "day"],
            set_={**{m: func.coalesce(stmt.excluded[m], sp.post_metrics.c[m])
                     for m in dc.POST_METRICS}, "updated_at": stmt.excluded.updated_at})
        conn.execute(stmt, [{"post_id": post, "day": day, "updated_at": now,
                             **{m: given.get(m) for m in dc.POST_METRICS}}
                            for (post, day), given in values.items()])
        return WriteResult(written=sum(len(v) for v in values.values()), replaced=replaced)

    def _post_keys(self, conn: Connection, workspace_id: int,
                   keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
        if not keys:
            return {}
        p = sp.posts.c
        found: dict[tuple[int, str], int] = {}
        for part in _chunks(sorted({k[1] for k in keys})):
            rows = conn.execute(select(p.id, p.channel_id, p.post_id).where(
                p.workspace_id == workspace_id,
                p.channel_id.in_(bindparam("cids", expanding=True)),
                p.post_id.in_(bindparam("pids", expanding=True))),
                {"cids": sorted({k[0] for k in keys}), "pids": part}).all()
            found.update({(r.channel_id, r.post_id): r.id for r in rows
                          if (r.channel_id, r.post_id) in keys})
        missing = keys - found.keys()
        if missing:
            raise KeyError(f"lifetime values for unknown posts: {sorted(missing)[:3]}")
        return found

    def write_segments(self, workspace_id: int, rows: Sequence[dc.SegmentRow],
                       conn: Connection | None = None) -> WriteResult:
        """Upsert audience buckets all or nothing; the same key again replaces its value."""
        if conn is None:
            with self.store.begin() as own:
                return self.write_segments(workspace_id, rows, own)
        if not rows:
            return WriteResult(written=0, replaced=0)
        wanted: dict[tuple[str, str], bool | None] = {}
        for r in rows:
            key = (r.platform, r.handle)
            if r.competitor is not None or key not in wanted:
                wanted[key] = r.competitor if r.competitor is not None else wanted.get(key)
        ids = self.store.ensure_channels(conn, workspace_id, wanted)
        deduped: dict[tuple[int, str, str, date], float] = {}
        for r in rows:
            deduped[(ids[(r.platform, r.handle)], r.dimension, r.bucket, r.day)] = r.value
        a = sp.audience_segments.c
        days = [k[3] for k in deduped]
        have = {(r.channel_id, r.dimension, r.bucket, r.day) for r in conn.execute(
            select(a.channel_id, a.dimension, a.bucket, a.day).where(
                a.workspace_id == workspace_id,
                a.channel_id.in_(bindparam("cids", expanding=True)),
                a.day >= min(days), a.day <= max(days)),
            {"cids": sorted({k[0] for k in deduped})}).all()}
        now = utcnow()
        stmt = self._upsert(sp.audience_segments)
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace_id", "channel_id", "dimension", "bucket", "day"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at})
        conn.execute(stmt, [{"workspace_id": workspace_id, "channel_id": cid, "dimension": dim,
                             "bucket": bucket, "day": day, "value": value, "updated_at": now}
                            for (cid, dim, bucket, day), value in deduped.items()])
        return WriteResult(written=len(deduped), replaced=len(deduped.keys() & have))

    def count_posts(self, workspace_id: int) -> int:
        with self.store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(sp.posts).where(
                sp.posts.c.workspace_id == workspace_id)).scalar_one())

    # -- reads (one statement each) -----------------------------------------------------
    def _day(self, day: date) -> Any:
        return day.isoformat() if self.dialect == "sqlite" else day

    def _scope(self, channel_ids: Sequence[int] | None) -> tuple[str, dict[str, Any]]:
        if channel_ids is not None:
            return "p.channel_id IN :cids", {"cids": list(channel_ids) or [-1]}
        return ("p.channel_id IN (SELECT ch.id FROM channels ch WHERE ch.workspace_id = :ws"
                " AND ch.is_competitor = :no)", {"no": False})

    def _run(self, sql: str, params: dict[str, Any]) -> list[Any]:
        stmt = text(sql)
        if "cids" in params:
            stmt = stmt.bindparams(bindparam("cids", expanding=True))
        with self.store.connect() as conn:
            return list(conn.execute(stmt, params).all())

    def _latest_cte(self, metric: str, scope: str) -> str:
        """Per post published in [start, end] of the scope: its latest lifetime row read on or
        before ``end`` that knows ``metric``, and the metric's value there."""
        return (
            "WITH latest AS (SELECT p.id, p.post_id, p.channel_id, p.published_at,"
            " p.published_day, p.published_weekday, p.published_hour, p.format, p.permalink,"
            f" p.caption, {_value_sql(metric, 'm')} AS value"
            " FROM posts p JOIN post_metrics m ON m.post_id = p.id"
            " AND m.day = (SELECT MAX(m2.day) FROM post_metrics m2 WHERE m2.post_id = p.id"
            f" AND m2.day <= :end AND {_known_sql(metric, 'm2')})"
            f" WHERE p.workspace_id = :ws AND p.published_day >= :start"
            f" AND p.published_day <= :end AND {scope})"
        )

    def _params(self, workspace_id: int, start: date, end: date,
                extra: dict[str, Any]) -> dict[str, Any]:
        return {"ws": workspace_id, "start": self._day(start), "end": self._day(end), **extra}

    def top_posts(self, workspace_id: int, start: date, end: date, metric: str = "engagement",
                  limit: int = 10, channel_ids: Sequence[int] | None = None,
                  ascending: bool = False) -> list[TopPost]:
        """Posts published in [start, end], best first by their latest lifetime ``metric``
        read on or before ``end`` (ties: earlier post first). Posts never read are left out."""
        return self.ranked_posts(workspace_id, start, end, metric, limit, channel_ids,
                                 ascending)[0]

    def ranked_posts(self, workspace_id: int, start: date, end: date,
                     metric: str = "engagement", limit: int = 10,
                     channel_ids: Sequence[int] | None = None,
                     ascending: bool = False) -> tuple[list[TopPost], int]:
        """``top_posts`` and how many posts the ranking holds before ``limit`` (one
        statement: a window count over the same rows)."""
        if metric not in dc.RANKABLE:
            raise ValueError(f"not a post metric: {metric}")
        scope, extra = self._scope(channel_ids)
        order = "ASC" if ascending else "DESC"
        rows = self._run(
            self._latest_cte(metric, scope)
            + " SELECT post_id, channel_id, published_at, published_day, format, permalink,"
            " caption, value, COUNT(*) OVER () AS total FROM latest"
            f" ORDER BY value {order}, published_at, post_id LIMIT :limit",
            self._params(workspace_id, start, end, {**extra, "limit": int(limit)}))
        total = int(rows[0].total) if rows else 0
        return [TopPost(post_id=r.post_id, channel_id=r.channel_id,
                        published_at=_aware(r.published_at), published_day=_as_date(r.published_day),
                        format=r.format, permalink=r.permalink, caption=r.caption,
                        value=float(r.value)) for r in rows], total

    def by_format(self, workspace_id: int, start: date, end: date,
                  channel_ids: Sequence[int] | None = None) -> list[GroupValue]:
        """Per format: posts published in the period, their engagement, per post (best first)."""
        scope, extra = self._scope(channel_ids)
        rows = self._run(
            self._latest_cte("engagement", scope)
            + " SELECT format, COUNT(*) AS posts, SUM(value) AS engagement FROM latest"
            " GROUP BY format ORDER BY SUM(value) / COUNT(*) DESC, format",
            self._params(workspace_id, start, end, extra))
        return [GroupValue(r.format, int(r.posts), float(r.engagement)) for r in rows]

    def by_posting_time(self, workspace_id: int, start: date, end: date,
                        channel_ids: Sequence[int] | None = None) -> list[GroupValue]:
        """Per (weekday 0=Monday, local hour) of publishing: posts, engagement, per post."""
        scope, extra = self._scope(channel_ids)
        rows = self._run(
            self._latest_cte("engagement", scope)
            + " SELECT published_weekday AS wd, published_hour AS hr, COUNT(*) AS posts,"
            " SUM(value) AS engagement FROM latest GROUP BY published_weekday, published_hour"
            " ORDER BY SUM(value) / COUNT(*) DESC, published_weekday, published_hour",
            self._params(workspace_id, start, end, extra))
        return [GroupValue((int(r.wd), int(r.hr)), int(r.posts), float(r.engagement))
                for r in rows]

    def by_hashtag(self, workspace_id: int, start: date, end: date,
                   min_posts: int = dc.MIN_POSTS_PER_HASHTAG, limit: int = 20,
                   channel_ids: Sequence[int] | None = None) -> list[GroupValue]:
        """Per hashtag used by at least ``min_posts`` posts of the period: engagement per post."""
        scope, extra = self._scope(channel_ids)
        rows = self._run(
            self._latest_cte("engagement", scope)
            + " SELECT h.tag AS tag, COUNT(*) AS posts, SUM(l.value) AS engagement"
            " FROM latest l JOIN post_hashtags h ON h.post_id = l.id GROUP BY h.tag"
            " HAVING COUNT(*) >= :min_posts ORDER BY SUM(l.value) / COUNT(*) DESC, h.tag"
            " LIMIT :limit",
            self._params(workspace_id, start, end,
                         {**extra, "min_posts": int(min_posts), "limit": int(limit)}))
        return [GroupValue(r.tag, int(r.posts), float(r.engagement)) for r in rows]

    def channels_with_posts(self, workspace_id: int) -> set[int]:
        """The workspace's channels that have at least one post stored (one statement)."""
        rows = self._run(
            "SELECT ch.id AS id FROM channels ch WHERE ch.workspace_id = :ws AND EXISTS"
            " (SELECT 1 FROM posts p WHERE p.channel_id = ch.id)", {"ws": workspace_id})
        return {int(r.id) for r in rows}

    def posting_by_channel(self, workspace_id: int, start: date, end: date,
                           previous_start: date, previous_end: date) -> list[ChannelPosting]:
        """Per channel of the workspace (competitors included) and span (``current``: the
        posts published in [start, end], else those published in [previous_start,
        previous_end]): the posts published, how many of them have a reading, and their
        engagement as of the span's end (latest lifetime reading on or before it). One
        statement; the previous span must end before ``start``."""
        rows = self._posting("p.channel_id", workspace_id, start, end, previous_start,
                             previous_end, "", {})
        return [ChannelPosting(int(r.k), bool(r.cur), int(r.posts), int(r.read_posts),
                               float(r.engagement or 0)) for r in rows]

    def posting_by_day(self, workspace_id: int, start: date, end: date, previous_start: date,
                       previous_end: date, channel_ids: Sequence[int] | None = None
                       ) -> list[DayPosting]:
        """``posting_by_channel`` per local publishing day over the scope's channels (the
        given ones, or the own channels): a chart's posts per day and engagement per post.
        Days without a post have no row. One statement."""
        scope, extra = self._scope(channel_ids)
        rows = self._posting("p.published_day", workspace_id, start, end, previous_start,
                             previous_end, f" AND {scope}", extra)
        return [DayPosting(_as_date(r.k), bool(r.cur), int(r.posts), int(r.read_posts),
                           float(r.engagement or 0)) for r in rows]

    def _posting(self, key: str, workspace_id: int, start: date, end: date,
                 previous_start: date, previous_end: date, scope: str,
                 extra: dict[str, Any]) -> list[Any]:
        eng = _engagement_sql("m")
        is_cur = "CASE WHEN p.published_day >= :start THEN 1 ELSE 0 END"
        return self._run(
            f"SELECT {key} AS k, {is_cur} AS cur,"
            " COUNT(*) AS posts, COUNT(m.post_id) AS read_posts,"
            f" SUM(CASE WHEN m.post_id IS NULL THEN 0 ELSE {eng} END) AS engagement"
            " FROM posts p LEFT JOIN post_metrics m ON m.post_id = p.id"
            " AND m.day = (SELECT MAX(m2.day) FROM post_metrics m2 WHERE m2.post_id = p.id"
            " AND m2.day <= CASE WHEN p.published_day >= :start THEN :end ELSE :pend END"
            f" AND {_known_sql('engagement', 'm2')})"
            " WHERE p.workspace_id = :ws AND ((p.published_day >= :start"
            " AND p.published_day <= :end) OR (p.published_day >= :pstart"
            f" AND p.published_day <= :pend)){scope}"
            f" GROUP BY {key}, {is_cur} ORDER BY k, cur",
            self._params(workspace_id, start, end, {**extra,
                                                     "pstart": self._day(previous_start),
                                                     "pend": self._day(previous_end)}))

    def audience(self, workspace_id: int, start: date, end: date,
                 channel_ids: Sequence[int] | None = None) -> list[AudienceBucket]:
        """Each bucket's latest value on or before ``end`` (a gauge), its share of its
        channel's dimension, and its latest value on or before the day before ``start``
        (for the change). Largest first within each dimension."""
        scope, extra = self._scope(channel_ids)
        scope = scope.replace("p.channel_id", "a.channel_id")
        rows = self._run(
            "WITH cur AS (SELECT a.channel_id, a.dimension, a.bucket, a.value,"
            " (SELECT b.value FROM audience_segments b WHERE b.workspace_id = a.workspace_id"
            " AND b.channel_id = a.channel_id AND b.dimension = a.dimension"
            " AND b.bucket = a.bucket AND b.day < :start ORDER BY b.day DESC LIMIT 1)"
            " AS previous FROM audience_segments a WHERE a.workspace_id = :ws"
            f" AND {scope} AND a.day = (SELECT MAX(c.day) FROM audience_segments c"
            " WHERE c.workspace_id = a.workspace_id AND c.channel_id = a.channel_id"
            " AND c.dimension = a.dimension AND c.bucket = a.bucket AND c.day <= :end))"
            " SELECT channel_id, dimension, bucket, value, previous,"
            " SUM(value) OVER (PARTITION BY channel_id, dimension) AS total FROM cur"
            " ORDER BY channel_id, dimension, value DESC, bucket",
            self._params(workspace_id, start, end, extra))
        return [AudienceBucket(channel_id=r.channel_id, dimension=r.dimension, bucket=r.bucket,
                               value=float(r.value),
                               previous=None if r.previous is None else float(r.previous),
                               share_pct=dc.share_pct(float(r.value), float(r.total)))
                for r in rows]


def _chunks(values: list[Any], size: int = 5000) -> list[list[Any]]:
    """``values`` in lists of at most ``size``: an ``IN`` list stays under SQLite's limit of
    bound variables however many posts a file holds."""
    return [values[i:i + size] for i in range(0, len(values), size)] or [[]]


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
