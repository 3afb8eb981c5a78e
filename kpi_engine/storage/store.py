"""Storage of workspaces, channels, campaigns, snapshots and chat links (SQLAlchemy Core).

Every write is idempotent: the same snapshot key written again replaces its value, and
channels/campaigns are created on first sight. Bulk writes are batched ``executemany``
upserts (``INSERT … ON CONFLICT … DO UPDATE``) on SQLite; on PostgreSQL ``COPY`` into a
staging table and one upsert from it (``storage/pg_copy.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kpi_engine.domain.formulas import Needs, Terms
from kpi_engine.domain.model import Channel, Role, SnapshotRow, Workspace, WriteResult
from kpi_engine.domain.snapshot_columns import SnapshotColumns
from kpi_engine.storage import coverage, schema_sources
from kpi_engine.storage import schema as t
from kpi_engine.storage.pg_copy import copy_snapshots
from kpi_engine.storage.terms import fetch_terms
from kpi_engine.storage.tick_marks import touch
from kpi_engine.storage.types import bind_moment, day_binder

BATCH = 5000
_CHANNEL_KEY = itemgetter(1, 2)  # SnapshotRow → (platform, handle)
_CAMPAIGN = itemgetter(5)  # SnapshotRow → campaign


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """The one gateway to the database for the engine's services."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # (platform, chat, user) → (name, when written): spares a read per chat message
        self._seen_users: dict[tuple[str, str, str], tuple[str, datetime]] = {}
        self._statements: dict[str, Any] = {}
        self._reading: ContextVar[Connection | None] = ContextVar(f"store_reading_{id(self)}",
                                                                  default=None)
        # the provisional days read with the last channels_and_campaigns of this context
        self._provisional: ContextVar[tuple[int, frozenset[tuple[int, date]]] | None] = \
            ContextVar(f"store_provisional_{id(self)}", default=None)

    @property
    def in_process(self) -> bool:
        """Is the database in this process (SQLite)? A read then costs no network round trip,
        and in WAL mode it never waits for a writer."""
        return self.dialect == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def snapshot_terms(self, workspace_id: int, channel_ids: Sequence[int], needs: Needs,
                       campaign: str | None = None) -> Terms:
        """The ``SnapshotTerms`` port: one statement (``storage.terms.fetch_terms``)."""
        with self.connect() as conn:
            return fetch_terms(conn, workspace_id, channel_ids, needs, campaign)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        shared = self._reading.get()
        if shared is not None:  # inside ``reading()``: its connection
            yield shared
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One connection for every ``connect()`` inside: the reads of one chat answer check
        a connection out of the pool once instead of three times. For reads only (writes
        go through ``begin()``, which keeps its own connection and transaction)."""
        if self._reading.get() is not None:
            yield
            return
        with self.engine.connect() as conn:
            token = self._reading.set(conn)
            try:
                yield
            finally:
                self._reading.reset(token)

    # -- workspaces ---------------------------------------------------------------------
    def workspace(self, slug: str) -> Workspace | None:
        with self.connect() as conn:
            row = conn.execute(select(t.workspaces).where(t.workspaces.c.slug == slug)).first()
        return _workspace(row) if row else None

    def workspace_by_id(self, workspace_id: int) -> Workspace | None:
        with self.connect() as conn:
            row = conn.execute(
                select(t.workspaces).where(t.workspaces.c.id == workspace_id)
            ).first()
        return _workspace(row) if row else None

    def workspaces(self) -> list[Workspace]:
        with self.connect() as conn:
            rows = conn.execute(select(t.workspaces).order_by(t.workspaces.c.id)).all()
        return [_workspace(r) for r in rows]

    def ensure_workspace(self, slug: str, *, name: str | None = None,
                         timezone: str = "Asia/Jakarta", language: str = "id",
                         currency: str = "IDR") -> Workspace:
        """The workspace ``slug``, created with these settings when it does not exist."""
        found = self.workspace(slug)
        if found:
            return found
        with self.begin() as conn:
            conn.execute(insert(t.workspaces).values(
                slug=slug, name=name or slug, timezone=timezone, language=language,
                currency=currency, created_at=utcnow()))
        created = self.workspace(slug)
        assert created is not None
        return created

    def set_workspace_language(self, workspace_id: int, language: str) -> None:
        with self.begin() as conn:
            conn.execute(update(t.workspaces).where(t.workspaces.c.id == workspace_id)
                         .values(language=language))

    # -- channels and campaigns ---------------------------------------------------------
    def channels(self, workspace_id: int) -> list[Channel]:
        with self.connect() as conn:
            return self._channels(conn, workspace_id)

    def _channels(self, conn: Connection, workspace_id: int) -> list[Channel]:
        rows = conn.execute(
            select(t.channels.c.id, t.channels.c.platform, t.channels.c.handle,
                   t.channels.c.is_competitor)
            .where(t.channels.c.workspace_id == workspace_id).order_by(t.channels.c.id)
        ).all()
        return [Channel(id=r.id, workspace_id=workspace_id, platform=r.platform,
                        handle=r.handle, is_competitor=bool(r.is_competitor)) for r in rows]

    def channels_and_campaigns(self, workspace_id: int) -> tuple[list[Channel], list[str]]:
        """A workspace's channels and campaign names in one round trip (every request needs
        both to understand the text). The same statement reads the workspace's provisional
        days (SPEC §10; few: a sync clears them once final), which ``provisional_days`` then
        serves without another statement in this request's context."""
        with self.connect() as conn:
            found = conn.execute(self._hot("context"), {"ws": workspace_id}).all()
        channels = sorted((Channel(id=r[0], workspace_id=workspace_id, platform=r[1],
                                   handle=r[2], is_competitor=bool(r[3]))
                           for r in found if r[0] >= 0), key=lambda c: c.id)
        marked = frozenset((-2 - r[0], date.fromisoformat(str(r[1])[:10]))
                           for r in found if r[0] <= -2)
        self._provisional.set((workspace_id, marked))
        return channels, sorted(r[1] for r in found if r[0] == -1)

    def campaigns(self, workspace_id: int) -> list[str]:
        with self.connect() as conn:
            return list(conn.execute(
                select(t.campaigns.c.name).where(t.campaigns.c.workspace_id == workspace_id)
                .order_by(t.campaigns.c.name)).scalars())

    def ensure_channels(self, conn: Connection, workspace_id: int,
                        wanted: dict[tuple[str, str], bool | None]) -> dict[tuple[str, str], int]:
        """Channel ids for (platform, handle) keys, creating missing channels and updating the
        competitor flag where ``wanted`` gives one."""
        existing = {(c.platform, c.handle): c for c in self._channels(conn, workspace_id)}
        now = utcnow()
        missing = [k for k in wanted if k not in existing]
        if missing:  # another writer may create the same channel now: it is then reused
            conn.execute(self._insert_ignore(t.channels), [
                {"workspace_id": workspace_id, "platform": p, "handle": h,
                 "is_competitor": bool(wanted[(p, h)]), "created_at": now}
                for p, h in missing])
        flagged = False
        for key, flag in wanted.items():
            ch = existing.get(key)
            if ch is not None and flag is not None and ch.is_competitor != flag:
                flagged = True
                conn.execute(update(t.channels).where(t.channels.c.id == ch.id)
                             .values(is_competitor=flag))
        if missing:
            existing = {(c.platform, c.handle): c for c in self._channels(conn, workspace_id)}
        if missing or flagged:  # a rule's channels changed: the alert tick looks again
            touch(conn, [workspace_id])
        return {k: existing[k].id for k in wanted}

    def _ensure_campaigns(self, conn: Connection, workspace_id: int, names: set[str]) -> None:
        names.discard("")
        if not names:
            return
        have = set(conn.execute(
            select(t.campaigns.c.name).where(t.campaigns.c.workspace_id == workspace_id)
        ).scalars())
        new = sorted(names - have)
        if new:
            now = utcnow()
            conn.execute(self._insert_ignore(t.campaigns), [
                {"workspace_id": workspace_id, "name": n, "created_at": now} for n in new])

    def _hot(self, name: str) -> Any:
        """The statements every chat request runs, built once (with bound parameters) instead
        of on every call: building a ``select()`` costs more than executing it from cache."""
        found = self._statements.get(name)
        if found is None:
            if name == "access":
                c, w = t.chat_links.c, t.workspaces
                found = select(c.user_id, c.role, w).join(w, w.c.id == c.workspace_id).where(
                    c.platform == bindparam("platform"), c.chat_id == bindparam("chat_id"),
                    or_(c.user_id == "", c.user_id == bindparam("user_id")))
            else:
                ch, cp = t.channels.c, t.campaigns.c
                pd = schema_sources.provisional_days.c
                found = union_all(
                    select(ch.id, ch.platform, ch.handle, ch.is_competitor).where(
                        ch.workspace_id == bindparam("ws")),
                    select(literal(-1), cp.name, literal(""), literal(False)).where(
                        cp.workspace_id == bindparam("ws")),
                    select(literal(-2) - pd.channel_id, cast(pd.day, String(10)),
                           literal(""), literal(False)).where(
                        pd.workspace_id == bindparam("ws")))
            self._statements[name] = found
        return found

    def _insert_ignore(self, table: Table) -> Any:
        """``INSERT … ON CONFLICT DO NOTHING`` in this database's dialect."""
        if self.dialect == "postgresql":
            return pg_insert(table).on_conflict_do_nothing()
        if self.dialect == "sqlite":
            return sqlite_insert(table).on_conflict_do_nothing()
        return insert(table)

    # -- snapshots ----------------------------------------------------------------------
    def write_snapshots(self, workspace_id: int, rows: Sequence[SnapshotRow],
                        conn: Connection | None = None) -> WriteResult:
        """Upsert ``rows`` all-or-nothing in one transaction; counts new and replaced keys.

        Rows with the same key inside ``rows`` collapse to the last one.
        """
        if conn is None:
            with self.begin() as own:
                return self.write_snapshots(workspace_id, rows, own)
        if not rows:
            return WriteResult(written=0, replaced=0)
        # the channels in the order first seen, each with its last flag given (None: none)
        wanted: dict[tuple[str, str], bool | None]
        if isinstance(rows, SnapshotColumns):  # an import file's: from the distinct values
            wanted = rows.channels_in_order()
            campaigns = {rows.campaigns[i] for i in rows.used("campaign").tolist()}
        else:
            flags = {(r.platform, r.handle): r.competitor for r in rows
                     if r.competitor is not None}
            wanted = {key: flags.get(key) for key in dict.fromkeys(map(_CHANNEL_KEY, rows))}
            campaigns = set(map(_CAMPAIGN, rows))
        ids = self.ensure_channels(conn, workspace_id, wanted)
        self._ensure_campaigns(conn, workspace_id, campaigns)
        touch(conn, [workspace_id])  # the alert tick evaluates this workspace next time
        if self.dialect == "postgresql":  # COPY (straight in, or staged then one upsert)
            return copy_snapshots(conn, workspace_id, rows, ids, utcnow())

        to_db = day_binder(self.engine.dialect)
        deduped: dict[tuple[str, int, date, str], float] = {}
        for r in rows:
            deduped[(r.metric, ids[(r.platform, r.handle)], r.day, r.campaign)] = r.value
        metrics = sorted({k[0] for k in deduped})
        channel_ids = sorted({k[1] for k in deduped})
        lo = min(k[2] for k in deduped)
        hi = max(k[2] for k in deduped)
        before = self._count(conn, workspace_id, metrics, channel_ids, lo, hi)
        stamp = self._stamp_param(utcnow())
        sql = self._upsert_sql()
        params: list[tuple[Any, ...]] = []
        for (metric, cid, day, campaign), value in deduped.items():
            params.append((workspace_id, metric, cid, to_db(day), campaign, value, stamp))
            if len(params) >= BATCH:
                conn.exec_driver_sql(sql, params)
                params = []
        if params:
            conn.exec_driver_sql(sql, params)
        after = self._count(conn, workspace_id, metrics, channel_ids, lo, hi)
        written = len(deduped)
        return WriteResult(written=written, replaced=written - (after - before))

    def _count(self, conn: Connection, workspace_id: int, metrics: list[str],
               channel_ids: list[int], lo: date, hi: date) -> int:
        s = t.snapshots.c
        return int(conn.execute(
            select(func.count()).select_from(t.snapshots).where(and_(
                s.workspace_id == workspace_id, s.metric.in_(metrics),
                s.channel_id.in_(channel_ids), s.day >= lo, s.day <= hi))
        ).scalar_one())

    def _upsert_sql(self) -> str:
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * 7)
        return (
            "INSERT INTO snapshots (workspace_id, metric, channel_id, day, campaign, value,"
            f" updated_at) VALUES ({marks})"
            " ON CONFLICT (workspace_id, metric, channel_id, day, campaign)"
            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
            # an unchanged value keeps its row, as on PostgreSQL (storage/pg_copy.py)
            " WHERE snapshots.value IS NOT excluded.value"
        )

    def _stamp_param(self, when: datetime) -> Any:
        return bind_moment(self.engine.dialect, when)

    def snapshot_value(self, workspace_id: int, channel_id: int, metric: str, day: date,
                       campaign: str = "") -> float | None:
        s = t.snapshots.c
        with self.connect() as conn:
            return conn.execute(select(s.value).where(and_(
                s.workspace_id == workspace_id, s.channel_id == channel_id, s.metric == metric,
                s.day == day, s.campaign == campaign))).scalar_one_or_none()

    def provisional_days(self, workspace_id: int, channel_ids: Sequence[int], first: date,
                         last: date, *, fresh: bool = False) -> list[date]:
        """The days of these channels a data source marked provisional (SPEC §10), between
        ``first`` and ``last``: an answer about them says "sementara"."""
        if not channel_ids:
            return []
        seen = self._provisional.get()
        if not fresh and seen is not None and seen[0] == workspace_id:  # this request's read
            return sorted({d for c, d in seen[1] if c in channel_ids and first <= d <= last})
        p = schema_sources.provisional_days.c
        with self.connect() as conn:
            return sorted(set(conn.execute(select(p.day).where(and_(
                p.workspace_id == workspace_id, p.channel_id.in_(list(channel_ids)),
                p.day >= first, p.day <= last))).scalars()))

    def first_day(self, workspace_id: int, channel_ids: Sequence[int],
                  metrics: Sequence[str]) -> date | None:
        """The first day any of ``metrics`` has a snapshot on any of the channels (one index
        seek per metric and channel): where the data of a question's scope begins."""
        with self.connect() as conn:
            return coverage.first_day(conn, workspace_id, channel_ids, metrics)

    def count_snapshots(self, workspace_id: int | None = None) -> int:
        q = select(func.count()).select_from(t.snapshots)
        if workspace_id is not None:
            q = q.where(t.snapshots.c.workspace_id == workspace_id)
        with self.connect() as conn:
            return int(conn.execute(q).scalar_one())

    # -- chat links ---------------------------------------------------------------------
    def link_chat(self, workspace_id: int, platform: str, chat_id: str, role: Role,
                  user_id: str = "") -> None:
        """Link a chat (or one user in it) to a workspace with a role; linking again updates."""
        c = t.chat_links.c
        with self.begin() as conn:
            found = conn.execute(select(c.id).where(and_(
                c.platform == platform, c.chat_id == chat_id, c.user_id == user_id))).first()
            if found:
                conn.execute(update(t.chat_links).where(c.id == found.id).values(
                    workspace_id=workspace_id, role=role.value))
            else:
                conn.execute(insert(t.chat_links).values(
                    workspace_id=workspace_id, platform=platform, chat_id=chat_id,
                    user_id=user_id, role=role.value, created_at=utcnow()))

    def chat_access(self, platform: str, chat_id: str,
                    user_id: str = "") -> tuple[Workspace, Role] | None:
        """The workspace a chat sees and the user's role in it, or None when not linked.

        The chat's own link decides the workspace; a user link in the same chat can raise the
        role. A user link alone (a direct message linked per user) also grants access.
        """
        with self.connect() as conn:
            rows = conn.execute(self._hot("access"), {"platform": platform, "chat_id": chat_id,
                                                      "user_id": user_id}).all()
        if not rows:
            return None
        chat_row = next((r for r in rows if r.user_id == ""), rows[0])
        roles = [Role(r.role) for r in rows if r.id == chat_row.id]
        return _workspace(chat_row), max(roles, key=lambda r: r.rank)

    def links(self, workspace_id: int) -> list[dict[str, str]]:
        c = t.chat_links.c
        with self.connect() as conn:
            rows = conn.execute(select(c.platform, c.chat_id, c.user_id, c.role)
                                .where(c.workspace_id == workspace_id).order_by(c.id)).all()
        return [dict(r._mapping) for r in rows]


    # -- users seen in chats ------------------------------------------------------------
    def knows_user(self, platform: str, chat_id: str, user_id: str, user_name: str,
                   now: datetime) -> bool:
        """Would ``remember_user`` skip the database (seen under this name in the last day
        by this process, or no user at all)? Memory only."""
        if not user_id:
            return True
        known = self._seen_users.get((platform, chat_id, user_id))
        return known is not None and known[0] == _user_name(user_name) \
            and now - known[1] < timedelta(days=1)

    def remember_user(self, platform: str, chat_id: str, user_id: str, user_name: str,
                      now: datetime) -> None:
        """Note that ``user_id`` (known as ``user_name``) spoke in this chat, so that
        ``/peran @name`` can find them. Writes only when the name is new or changed, or the
        last sighting is more than a day old."""
        if self.knows_user(platform, chat_id, user_id, user_name, now):
            return  # written recently by this process: no database visit
        name = _user_name(user_name)
        memo_key = (platform, chat_id, user_id)
        if len(self._seen_users) > 10_000:
            self._seen_users.clear()
        self._seen_users[memo_key] = (name, now)
        c = t.chat_users.c
        key = and_(c.platform == platform, c.chat_id == chat_id, c.user_id == user_id)
        with self.begin() as conn:
            found = conn.execute(select(c.user_name, c.last_seen).where(key)).first()
            if found is None:
                conn.execute(self._insert_ignore(t.chat_users).values(
                    platform=platform, chat_id=chat_id, user_id=user_id, user_name=name,
                    last_seen=now))
                return
            seen = found.last_seen
            if seen is not None and seen.tzinfo is None:
                seen = seen.replace(tzinfo=UTC)
            if (name or found.user_name) == found.user_name and seen is not None \
                    and now - seen < timedelta(days=1):
                return
            conn.execute(update(t.chat_users).where(key).values(
                user_name=name or found.user_name, last_seen=now))

    def find_user(self, platform: str, chat_id: str, user_name: str) -> str | None:
        """The id of the user last seen in this chat under ``user_name`` (``@`` optional)."""
        c = t.chat_users.c
        name = user_name.strip().lstrip("@").lower()
        if not name:
            return None
        with self.connect() as conn:
            row = conn.execute(select(c.user_id).where(and_(
                c.platform == platform, c.chat_id == chat_id, c.user_name == name))
                .order_by(c.last_seen.desc())).first()
        return row.user_id if row else None

    def user_names(self, platform: str, chat_id: str) -> dict[str, str]:
        """user id → user name of the users seen in this chat."""
        c = t.chat_users.c
        with self.connect() as conn:
            rows = conn.execute(select(c.user_id, c.user_name).where(and_(
                c.platform == platform, c.chat_id == chat_id))).all()
        return {r.user_id: r.user_name for r in rows}


def _workspace(row: Any) -> Workspace:
    return Workspace(id=row.id, slug=row.slug, name=row.name, timezone=row.timezone,
                     language=row.language, currency=row.currency)


def _user_name(typed: str) -> str:
    """A user name as ``chat_users`` keeps it: no ``@``, lower case, at most 100 characters."""
    return typed.strip().lstrip("@").lower()[:100]
