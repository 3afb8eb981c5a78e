"""The persistent outbox: every alert and digest message to a chat, queued in the same
transaction as the state change that caused it, then delivered by the dispatcher
(``bot/runtime/dispatcher.py``).

A row's life: ``pending`` → ``sending`` (claimed by one dispatcher, committed before the send)
→ ``sent`` (committed right after the platform accepted it). A failure puts it back to
``pending`` with a backoff (a 429's ``retry_after`` honoured); after ``max_attempts`` failures,
or at once for a permanent refusal (the bot was removed from the chat), it is ``parked`` and
the workspace's admins are told, in the same transaction.

- ``key`` is unique (``INSERT … ON CONFLICT DO NOTHING``): the same alert or digest is never
  queued twice, even by two processes racing.
- Per chat, rows go out in the order they were queued: a row is claimed only when no earlier
  row of its chat is being sent, due or retrying.
- A process killed between claim and mark-sent leaves rows ``sending``; the next dispatcher
  (a new leader: ``bot/runtime/scheduler.py``) puts them back once (``release``: attempts + 1,
  ``last_error`` "interrupted while sending"), so nothing is lost. The one window no outbox
  can close is a kill after the platform accepted a message and before ``sent`` is committed
  (one HTTP round trip and one commit): that message is sent once more, since Telegram and
  Slack take no idempotency key. The dispatcher keeps the window that short: its outbox
  writes have threads of their own (not queued behind digest rendering), and just before a
  send it checks the row is still its own (``still_claimed``), so a leader that lost its lock
  without dying never sends a row the new leader put back.
- Alerts are deferred, never dropped, by quiet hours and snoozes: ``not_before``.
- A drop alert keeps its chart as a spec (``chart_spec``), drawn at delivery; when the chart
  goes as its own message before the text, ``mark_chart_sent`` records it first, so a retry
  (a failed text, a dispatcher killed between the two) sends only the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, or_, select, update

from kpi_engine.storage import schema as t
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.alert_store import AlertSettings, utc
from kpi_engine.storage.store import Store

PENDING, SENDING, SENT, PARKED = "pending", "sending", "sent", "parked"
MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=15)


@dataclass(frozen=True)
class Message:
    """One message to queue."""

    key: str
    workspace_id: int
    kind: str  # alert | digest | notice
    platform: str
    chat_id: str
    lang: str
    title: str
    body: str
    not_before: datetime
    footer: str = ""
    chart_id: int | None = None
    actions: str = ""  # an alert's buttons: its event, ``event_ref`` (empty: none)
    chart_spec: str = ""  # an alert's chart, drawn at delivery (JSON; empty: none)


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending."""

    id: int
    key: str
    workspace_id: int
    kind: str
    platform: str
    chat_id: str
    lang: str
    title: str
    body: str
    footer: str
    chart: bytes | None
    attempts: int
    actions: str = ""
    chart_spec: str = ""  # a chart to draw at delivery (empty: none)
    chart_sent: bool = False  # its picture went out already: send only the text


# -- when ---------------------------------------------------------------------------------------

def quiet_end(local: datetime, start: time, end: time) -> datetime | None:
    """The end of the quiet hours ``local`` falls in (a local datetime), or None."""
    now = local.time()
    if start == end:
        return None
    if start < end:  # 12:00–13:00
        inside = start <= now < end
        day = local.date()
    else:  # 21:00–07:00, over midnight
        inside = now >= start or now < end
        day = local.date() + timedelta(days=1) if now >= start else local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=local.tzinfo)


def deliver_at(now: datetime, timezone: str, settings: AlertSettings,
               snooze_until: datetime | None = None) -> datetime:
    """When an alert queued at ``now`` may go out: after a snooze, outside quiet hours."""
    at = utc(now)
    if snooze_until is not None and utc(snooze_until) > at:
        at = utc(snooze_until)
    if settings.quiet_start is not None and settings.quiet_end is not None:
        local = at.astimezone(ZoneInfo(timezone))
        end = quiet_end(local, settings.quiet_start, settings.quiet_end)
        if end is not None:
            at = utc(end)
    return at


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … at most 15 minutes."""
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_CAP)


# -- queueing -------------------------------------------------------------------------------------

def _insert(conn: Connection, table: Any) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def add_chart(conn: Connection, png: bytes, now: datetime) -> int:
    new = conn.execute(a.outbox_charts.insert().values(png=png, created_at=utc(now)))
    return int(new.inserted_primary_key[0])  # type: ignore[index]


def enqueue(conn: Connection, messages: Sequence[Message], now: datetime) -> None:
    """Queue messages (one statement); a key already queued is left as it is."""
    if not messages:
        return
    stamp = utc(now)
    rows = [{"key": m.key, "workspace_id": m.workspace_id, "kind": m.kind,
             "platform": m.platform, "chat_id": m.chat_id, "lang": m.lang,
             "title": m.title[:500], "body": m.body, "footer": m.footer[:500],
             "chart_id": m.chart_id, "actions": m.actions[:300],
             "chart_spec": m.chart_spec if len(m.chart_spec) <= 500 else "",
             "status": PENDING, "not_before": utc(m.not_before),
             "attempts": 0, "last_error": "", "claimed_by": "", "created_at": stamp}
            for m in messages]
    conn.execute(_insert(conn, a.outbox).on_conflict_do_nothing(index_elements=["key"]), rows)


def defer_chat(conn: Connection, platform: str, chat_id: str, until: datetime,
               now: datetime) -> int:
    """Alerts waiting for a chat wait until ``until`` (a snooze); returns how many."""
    o = a.outbox.c
    done = conn.execute(update(a.outbox).where(and_(
        o.platform == platform, o.chat_id == chat_id, o.kind == "alert",
        o.status == PENDING, o.not_before < utc(until))).values(not_before=utc(until)))
    return int(done.rowcount or 0)


def event_ref(rule_key: str, subject: str, seq: int) -> str:
    """What an alert row stores in ``actions``: the event its buttons act on."""
    return f"{rule_key}\t{subject}\t{seq}"


def parse_ref(actions: str) -> tuple[str, str, int] | None:
    parts = actions.split("\t")
    if len(parts) != 3 or not parts[2].lstrip("-").isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


@dataclass(frozen=True)
class Sent:
    """A delivered alert row, as a button press finds it."""

    id: int
    workspace_id: int
    platform: str
    chat_id: str
    lang: str
    rule_key: str
    subject: str
    seq: int
    chart_spec: str = ""
    created_at: datetime | None = None


def sent_alert(engine: Engine, row_id: int) -> Sent | None:
    """The alert row ``row_id`` with buttons (None: no such row, or no buttons)."""
    o = a.outbox.c
    with engine.connect() as conn:
        r = conn.execute(select(o.id, o.workspace_id, o.platform, o.chat_id, o.lang,
                                o.actions, o.chart_spec, o.created_at).where(and_(o.id == row_id, o.kind == "alert"))
                         ).first()
    ref = parse_ref(r.actions or "") if r is not None else None
    if r is None or ref is None:
        return None
    return Sent(int(r.id), int(r.workspace_id), r.platform, r.chat_id, r.lang, *ref,
                chart_spec=r.chart_spec or "", created_at=utc(r.created_at))


# -- the dispatcher's side --------------------------------------------------------------------

def claim(engine: Engine, owner: str, now: datetime, *, limit: int = 100,
          lease: timedelta = timedelta(minutes=2), platforms: Sequence[str] | None = None
          ) -> list[Claimed]:
    """Claim up to ``limit`` due rows, at most one per chat (the earliest)."""
    o = a.outbox
    p = o.alias("p")
    stamp = utc(now)
    earlier = select(p.c.id).where(and_(
        p.c.platform == o.c.platform, p.c.chat_id == o.c.chat_id, p.c.id < o.c.id,
        or_(p.c.status == SENDING,
            and_(p.c.status == PENDING, or_(p.c.not_before <= stamp, p.c.attempts > 0)))))
    q = (select(o.c.id).where(and_(o.c.status == PENDING, o.c.not_before <= stamp,
                                   ~exists(earlier)))
         .order_by(o.c.id).limit(limit))
    if platforms is not None:
        q = q.where(o.c.platform.in_(list(platforms)))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True, of=o)
        ids = [int(i) for i in conn.execute(q).scalars()]
        if not ids:
            return []
        conn.execute(update(o).where(and_(o.c.id.in_(ids), o.c.status == PENDING)).values(
            status=SENDING, claimed_by=owner, claimed_until=stamp + lease))
        rows = conn.execute(
            select(o, a.outbox_charts.c.png)
            .select_from(o.outerjoin(a.outbox_charts, o.c.chart_id == a.outbox_charts.c.id))
            .where(and_(o.c.id.in_(ids), o.c.status == SENDING, o.c.claimed_by == owner))
            .order_by(o.c.id)).all()
    return [Claimed(int(r.id), r.key, int(r.workspace_id), r.kind, r.platform, r.chat_id,
                    r.lang, r.title, r.body, r.footer, r.png, int(r.attempts), r.actions or "",
                    r.chart_spec or "", bool(r.chart_sent))
            for r in rows]


def still_claimed(engine: Engine, row_id: int, owner: str) -> bool:
    """Whether ``owner`` still holds the row (just before its send): a new leader puts back
    every row left ``sending`` when it starts, so a dispatcher that lost the lead without
    dying (its lock's connection dropped) must not send those too."""
    o = a.outbox.c
    with engine.connect() as conn:
        return conn.execute(select(o.id).where(and_(
            o.id == row_id, o.claimed_by == owner, o.status == SENDING))).first() is not None


def mark_chart_sent(engine: Engine, row_id: int, owner: str) -> bool:
    """The picture of a two-part alert (chart, then its text) went out: a retry of the row
    (a failed text, a crash) sends only the text."""
    o = a.outbox.c
    with engine.begin() as conn:
        done = conn.execute(update(a.outbox).where(and_(
            o.id == row_id, o.claimed_by == owner, o.status == SENDING)).values(
            chart_sent=True))
    return bool(done.rowcount)


def mark_sent(engine: Engine, row_id: int, owner: str, now: datetime) -> bool:
    o = a.outbox.c
    with engine.begin() as conn:
        done = conn.execute(update(a.outbox).where(and_(
            o.id == row_id, o.claimed_by == owner, o.status == SENDING)).values(
            status=SENT, sent_at=utc(now), claimed_until=None))
    return bool(done.rowcount)


NoticeText = Callable[[Claimed, str, str], tuple[str, str]]


def fail(engine: Engine, row: Claimed, owner: str, now: datetime, error: str, *,
         retry_after: float | None = None, permanent: bool = False,
         max_attempts: int = MAX_ATTEMPTS, notice: NoticeText | None = None) -> str:
    """Record a failed send. A rate limit (``retry_after``) waits that long and does not count
    as an attempt; other failures back off; after ``max_attempts`` (or a ``permanent``
    refusal) the row is parked and the admins are told. Returns the row's new status."""
    o = a.outbox.c
    stamp = utc(now)
    rate_limited = retry_after is not None and not permanent
    attempts = row.attempts + (0 if rate_limited else 1)
    mine = and_(o.id == row.id, o.claimed_by == owner, o.status == SENDING)
    with engine.begin() as conn:
        if permanent or attempts >= max_attempts:
            done = conn.execute(update(a.outbox).where(mine).values(
                status=PARKED, attempts=attempts, last_error=error[:500], claimed_until=None))
            if done.rowcount and notice is not None and row.kind != "notice":
                _tell_admins(conn, row, attempts, error, stamp, notice)
            return PARKED
        delay = backoff(attempts) if not rate_limited else timedelta(0)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        conn.execute(update(a.outbox).where(mine).values(
            status=PENDING, attempts=attempts, last_error=error[:500], claimed_until=None,
            not_before=stamp + delay))
    return PENDING


def _tell_admins(conn: Connection, row: Claimed, attempts: int, error: str, now: datetime,
                 notice: NoticeText) -> None:
    c = t.chat_links.c
    admins = conn.execute(select(c.platform, c.chat_id).distinct().where(and_(
        c.workspace_id == row.workspace_id, c.role == "admin"))).all()
    lang = conn.execute(select(t.workspaces.c.language).where(
        t.workspaces.c.id == row.workspace_id)).scalar_one_or_none() or "id"
    title, body = notice(row, lang, error)
    messages = [Message(f"n:{row.id}:{p}:{chat}", row.workspace_id, "notice", p, chat, lang,
                        title, body, now)
                for p, chat in admins if (p, chat) != (row.platform, row.chat_id)]
    enqueue(conn, messages, now)


def release(engine: Engine, now: datetime, *, owner: str | None = None,
            expired_only: bool = False) -> int:
    """Put ``sending`` rows back to ``pending`` (a dispatcher died mid-send): all of them
    (at a new leader's start), those not claimed by ``owner``, or only expired leases.
    Each counts as an attempt, so a message that crashes the sender cannot loop forever."""
    o = a.outbox.c
    cond = o.status == SENDING
    if expired_only:
        cond = and_(cond, o.claimed_until < utc(now))
    if owner is not None:
        cond = and_(cond, o.claimed_by != owner)
    with engine.begin() as conn:
        done = conn.execute(update(a.outbox).where(cond).values(
            status=PENDING, attempts=o.attempts + 1, claimed_until=None,
            last_error="interrupted while sending"))
    return int(done.rowcount or 0)


def next_due(engine: Engine, platforms: Sequence[str] | None = None) -> datetime | None:
    """The earliest ``not_before`` of a pending row (the dispatcher sleeps until then)."""
    o = a.outbox.c
    q = select(func.min(o.not_before)).where(o.status == PENDING)
    if platforms is not None:
        q = q.where(o.platform.in_(list(platforms)))
    with engine.connect() as conn:
        found = conn.execute(q).scalar_one_or_none()
    return utc(found) if found is not None else None


def counts(engine: Engine) -> dict[str, int]:
    o = a.outbox.c
    with engine.connect() as conn:
        return {s: int(n) for s, n in conn.execute(
            select(o.status, func.count()).group_by(o.status))}


def snooze_chat(store: Store, workspace_id: int, platform: str, chat_id: str,
                until: datetime | None, now: datetime) -> int:
    """Snooze a chat's alerts until ``until`` (None: end the snooze). Alerts already queued
    for the chat wait too; returns how many were deferred."""
    s = a.alert_snoozes.c
    with store.begin() as conn:
        conn.execute(delete(a.alert_snoozes).where(and_(s.platform == platform,
                                                        s.chat_id == chat_id)))
        if until is None:
            return 0
        conn.execute(insert(a.alert_snoozes).values(platform=platform, chat_id=chat_id,
                                                    workspace_id=workspace_id, until=utc(until)))
        return defer_chat(conn, platform, chat_id, utc(until), utc(now))
