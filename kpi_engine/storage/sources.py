"""Data sources' SQL (``schema_sources``): the sources, their sync bookkeeping, the
provisional days of a channel, the sync log, and the notices to a workspace's admins.

Tokens arrive here sealed (``kpi_engine/services/secrets.py``) and leave sealed: this module
never sees a clear token.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, tuple_, update

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.sources import SourceRecord
from kpi_engine.storage import schema as t
from kpi_engine.storage import schema_sources as ss
from kpi_engine.storage.outbox import Message, enqueue
from kpi_engine.storage.store import Store

_FIELDS = ("id", "workspace_id", "platform", "account_id", "channel_platform",
           "channel_handle", "access_token", "refresh_token", "expires_at", "created_at",
           "last_sync_at", "last_rows", "last_error_kind", "last_error", "next_sync_at",
           "cursor_day", "notified_error_kind", "notified_error_at", "notified_expiry_at")


def _record(row: Any) -> SourceRecord:
    m = row._mapping
    return SourceRecord(
        id=m["id"], workspace_id=m["workspace_id"], platform=m["platform"],
        account_id=m["account_id"], channel_platform=m["channel_platform"],
        channel_handle=m["channel_handle"], access_sealed=m["access_token"],
        refresh_sealed=m["refresh_token"], expires_at=m["expires_at"],
        created_at=m["created_at"], last_sync_at=m["last_sync_at"],
        last_rows=int(m["last_rows"] or 0), last_error_kind=m["last_error_kind"],
        last_error=m["last_error"], next_sync_at=m["next_sync_at"], cursor_day=m["cursor_day"],
        notified_error_kind=m["notified_error_kind"], notified_error_at=m["notified_error_at"],
        notified_expiry_at=m["notified_expiry_at"])


def provisional_in(conn: Connection, workspace_ids: Sequence[int], first: date, last: date
                   ) -> set[tuple[int, date]]:
    """(channel id, day) of every provisional day of these workspaces between ``first``
    and ``last``, in one statement."""
    if not workspace_ids:
        return set()
    p = ss.provisional_days.c
    return {(r.channel_id, r.day) for r in conn.execute(select(p.channel_id, p.day).where(and_(
        p.workspace_id.in_(list(workspace_ids)), p.day >= first, p.day <= last))).all()}


class SourceStore:
    """The sources of every workspace, on the ``Store``'s engine."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- the sources ---------------------------------------------------------------------
    def add(self, workspace_id: int, platform: str, account_id: str, channel_platform: str,
            channel_handle: str, access_sealed: str, refresh_sealed: str,
            expires_at: datetime | None, now: datetime,
            next_sync_at: datetime | None) -> SourceRecord | None:
        """A new source; None when the workspace already has this platform's account."""
        s = ss.sources.c
        with self.store.begin() as conn:
            found = conn.execute(select(s.id).where(and_(
                s.workspace_id == workspace_id, s.platform == platform,
                s.account_id == account_id))).first()
            if found is not None:
                return None
            new = conn.execute(insert(ss.sources).values(
                workspace_id=workspace_id, platform=platform, account_id=account_id,
                channel_platform=channel_platform, channel_handle=channel_handle,
                access_token=access_sealed, refresh_token=refresh_sealed,
                expires_at=expires_at, created_at=now, next_sync_at=next_sync_at))
            source_id = int(new.inserted_primary_key[0])  # type: ignore[index]
        got = self.get(source_id)
        assert got is not None
        return got

    def get(self, source_id: int) -> SourceRecord | None:
        with self.store.connect() as conn:
            row = conn.execute(select(ss.sources).where(ss.sources.c.id == source_id)).first()
        return _record(row) if row else None

    def all(self, workspace_id: int | None = None) -> list[SourceRecord]:
        q = select(ss.sources).order_by(ss.sources.c.id)
        if workspace_id is not None:
            q = q.where(ss.sources.c.workspace_id == workspace_id)
        with self.store.connect() as conn:
            return [_record(r) for r in conn.execute(q).all()]

    def due(self, now: datetime) -> list[SourceRecord]:
        """Sources whose next sync is at or before ``now``, the longest waiting first."""
        s = ss.sources.c
        q = (select(ss.sources).where(and_(s.next_sync_at.is_not(None), s.next_sync_at <= now))
             .order_by(s.next_sync_at, s.id))
        with self.store.connect() as conn:
            return [_record(r) for r in conn.execute(q).all()]

    def remove(self, source_id: int) -> bool:
        with self.store.begin() as conn:
            done = conn.execute(delete(ss.sources).where(ss.sources.c.id == source_id))
        return bool(done.rowcount)

    def save_tokens(self, source_id: int, access_sealed: str, refresh_sealed: str,
                    expires_at: datetime | None) -> None:
        with self.store.begin() as conn:
            conn.execute(update(ss.sources).where(ss.sources.c.id == source_id).values(
                access_token=access_sealed, refresh_token=refresh_sealed,
                expires_at=expires_at))

    def set_next(self, source_id: int, next_sync_at: datetime | None) -> None:
        with self.store.begin() as conn:
            conn.execute(update(ss.sources).where(ss.sources.c.id == source_id)
                         .values(next_sync_at=next_sync_at))

    # -- one window of a sync, in the caller's transaction -------------------------------
    def changed_values(self, conn: Connection, workspace_id: int,
                       rows: Sequence[SnapshotRow]) -> int:
        """How many of ``rows`` would change a stored value (new keys included): read before
        the upsert, so a second sync of the same values counts 0."""
        if not rows:
            return 0
        channels = {(c.platform, c.handle): c.id
                    for c in self.store._channels(conn, workspace_id)}
        wanted: dict[tuple[str, int, date, str], float] = {}
        new = 0
        for r in rows:
            cid = channels.get((r.platform, r.handle))
            if cid is None:
                new += 1
                continue
            wanted[(r.metric, cid, r.day, r.campaign)] = r.value
        if not wanted:
            return new
        sn = t.snapshots.c
        days = [k[2] for k in wanted]
        found = conn.execute(select(sn.metric, sn.channel_id, sn.day, sn.campaign, sn.value)
                             .where(and_(sn.workspace_id == workspace_id,
                                         sn.metric.in_(sorted({k[0] for k in wanted})),
                                         sn.channel_id.in_(sorted({k[1] for k in wanted})),
                                         sn.day >= min(days), sn.day <= max(days)))).all()
        stored = {(r.metric, r.channel_id, r.day, r.campaign): r.value for r in found}
        return new + sum(1 for k, v in wanted.items() if stored.get(k) != v)

    def mark_days(self, conn: Connection, workspace_id: int, source_id: int,
                  channel: tuple[str, str], final: Sequence[date],
                  provisional: Sequence[date]) -> None:
        """Days of ``channel`` this window said are still provisional are marked; those it
        said are final lose their mark."""
        ids = self.store.ensure_channels(conn, workspace_id, {channel: None})
        cid = ids[channel]
        p = ss.provisional_days.c
        touched = [*final, *provisional]
        if touched:
            conn.execute(delete(ss.provisional_days).where(and_(
                p.workspace_id == workspace_id, p.channel_id == cid,
                p.day >= min(touched), p.day <= max(touched))))
        if provisional:
            conn.execute(insert(ss.provisional_days), [
                {"workspace_id": workspace_id, "channel_id": cid, "day": d,
                 "source_id": source_id} for d in sorted(set(provisional))])

    def set_cursor(self, conn: Connection, source_id: int, cursor: date | None) -> None:
        conn.execute(update(ss.sources).where(ss.sources.c.id == source_id)
                     .values(cursor_day=cursor))

    # -- after a sync --------------------------------------------------------------------
    def finish(self, source_id: int, *, started: datetime, finished: datetime,
               span: tuple[date, date] | None, rows: int, changed: int, requests: int,
               error_kind: str, error: str, next_sync_at: datetime | None,
               clear_notice: bool) -> None:
        """Record a sync: the source's last-sync fields and one log row. ``clear_notice``
        (a sync without error) lets the next failure be told again."""
        values: dict[str, Any] = {
            "last_sync_at": finished, "last_rows": rows, "last_error_kind": error_kind,
            "last_error": error[:500], "next_sync_at": next_sync_at}
        if clear_notice:
            values.update(notified_error_kind="", notified_error_at=None)
        with self.store.begin() as conn:
            conn.execute(update(ss.sources).where(ss.sources.c.id == source_id).values(**values))
            conn.execute(insert(ss.source_syncs).values(
                source_id=source_id, started_at=started, finished_at=finished,
                first_day=span[0] if span else None, last_day=span[1] if span else None,
                rows=rows, changed=changed, requests=requests, error_kind=error_kind,
                error=error[:500]))

    def syncs(self, source_id: int) -> list[dict[str, Any]]:
        c = ss.source_syncs.c
        with self.store.connect() as conn:
            rows = conn.execute(select(ss.source_syncs).where(c.source_id == source_id)
                                .order_by(c.id)).all()
        return [dict(r._mapping) for r in rows]

    # -- provisional days ----------------------------------------------------------------
    def provisional_days(self, workspace_id: int, channel_ids: Sequence[int], first: date,
                         last: date) -> list[date]:
        """The provisional days of these channels between ``first`` and ``last``."""
        return self.store.provisional_days(workspace_id, channel_ids, first, last, fresh=True)

    def earliest_provisional(self, source_id: int) -> date | None:
        """The first day this source marked provisional (a sync fetches it again)."""
        p = ss.provisional_days.c
        with self.store.connect() as conn:
            found = conn.execute(select(func.min(p.day)).where(p.source_id == source_id)
                                 ).scalar_one_or_none()
        if found is None or isinstance(found, date):
            return found
        return date.fromisoformat(str(found)[:10])

    def provisional_keys(self, workspace_id: int, keys: Sequence[tuple[int, date]]
                         ) -> set[tuple[int, date]]:
        """Of (channel id, day) pairs, those that are provisional."""
        if not keys:
            return set()
        p = ss.provisional_days.c
        with self.store.connect() as conn:
            rows = conn.execute(select(p.channel_id, p.day).where(and_(
                p.workspace_id == workspace_id,
                tuple_(p.channel_id, p.day).in_(list(keys))))).all()
        return {(r.channel_id, r.day) for r in rows}

    def count_provisional(self, workspace_id: int) -> int:
        with self.store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ss.provisional_days)
                                    .where(ss.provisional_days.c.workspace_id == workspace_id)
                                    ).scalar_one())

    # -- notices to the admins -------------------------------------------------------------
    def notify_admins(self, source_id: int, workspace_id: int, key: str,
                      text: dict[str, tuple[str, str]], now: datetime, *,
                      error_kind: str | None = None, expiry: bool = False) -> int:
        """Queue a notice (title, body per language of ``text``) to each admin chat of the
        workspace, in the workspace's language, and note that it was told (the error kind,
        or the expiry), in one transaction. Returns the chats told."""
        c = t.chat_links.c
        with self.store.begin() as conn:
            admins = conn.execute(select(c.platform, c.chat_id).distinct().where(and_(
                c.workspace_id == workspace_id, c.role == "admin"))).all()
            lang = conn.execute(select(t.workspaces.c.language).where(
                t.workspaces.c.id == workspace_id)).scalar_one_or_none() or "id"
            title, body = text.get(lang) or text["id"]
            enqueue(conn, [Message(f"{key}:{p}:{chat}", workspace_id, "notice", p, chat, lang,
                                   title, body, now) for p, chat in admins], now)
            values: dict[str, Any] = {}
            if error_kind is not None:
                values.update(notified_error_kind=error_kind, notified_error_at=now)
            if expiry:
                values.update(notified_expiry_at=now)
            if values:
                conn.execute(update(ss.sources).where(ss.sources.c.id == source_id)
                             .values(**values))
        return len(admins)
