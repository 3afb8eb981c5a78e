"""What an alert tick and a digest read and write besides the snapshots (``services/alert_inputs.py``,
``services/digests.py``): workspaces and channels, the rules' states, the chat-level links, the
last snapshot day of silent channels, the alert log, and a subscription's digest day. One
statement each; the writes run in the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from kpi_engine.domain.alerts import State, StateKey
from kpi_engine.domain.model import Channel, Workspace
from kpi_engine.storage import schema as t
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.alert_store import as_date, utc
from kpi_engine.storage.outbox import _insert

Chat = tuple[str, str]  # (platform, chat id)


def workspaces(conn: Connection, workspace_ids: Sequence[int] | None = None) -> list[Workspace]:
    w = t.workspaces.c
    q = select(t.workspaces).order_by(w.id)
    if workspace_ids is not None:
        q = q.where(w.id.in_(list(workspace_ids)))
    return [Workspace(r.id, r.slug, r.name, r.timezone, r.language, r.currency)
            for r in conn.execute(q).all()]


def channels_by_workspace(conn: Connection, workspace_ids: Sequence[int] | None = None
                          ) -> dict[int, list[Channel]]:
    c = t.channels.c
    q = select(t.channels).order_by(c.id)
    if workspace_ids is not None:
        q = q.where(c.workspace_id.in_(list(workspace_ids)))
    channels: dict[int, list[Channel]] = defaultdict(list)
    for r in conn.execute(q).all():
        channels[int(r.workspace_id)].append(Channel(r.id, r.workspace_id, r.platform,
                                                     r.handle, bool(r.is_competitor)))
    return channels


def states(conn: Connection, workspace_ids: Sequence[int] | None = None
           ) -> dict[StateKey, State]:
    st = a.alert_state.c
    q = select(a.alert_state)
    if workspace_ids is not None:
        q = q.where(st.workspace_id.in_(list(workspace_ids)))
    return {(int(r.workspace_id), r.rule_key, r.subject): State(
        bool(r.firing), int(r.seq), utc(r.since) if r.since else None,
        utc(r.last_notified_at) if r.last_notified_at else None, r.last_value)
        for r in conn.execute(q).all()}


def linked_chats(conn: Connection, workspace_ids: Sequence[int] | None = None
                 ) -> dict[int, list[Chat]]:
    """Workspace → the chats linked to it as a whole (chat-level links), in link order."""
    ln = t.chat_links.c
    q = select(ln.workspace_id, ln.platform, ln.chat_id).where(ln.user_id == "").order_by(ln.id)
    if workspace_ids is not None:
        q = q.where(ln.workspace_id.in_(list(workspace_ids)))
    chats: dict[int, list[Chat]] = defaultdict(list)
    for r in conn.execute(q).all():
        chats[int(r.workspace_id)].append((r.platform, r.chat_id))
    return chats


def silent_since(conn: Connection, channels: Sequence[Channel], before: date,
                 lookback: date) -> dict[int, date]:
    """The last snapshot day before ``before`` of channels silent since (one statement)."""
    if not channels:
        return {}
    s = t.snapshots.c
    q = (select(s.channel_id, func.max(s.day))
         .where(s.workspace_id.in_(sorted({c.workspace_id for c in channels})),
                s.channel_id.in_([c.id for c in channels]), s.day < before, s.day >= lookback)
         .group_by(s.channel_id))
    return {int(ch): day for ch, day in
            ((ch, as_date(day)) for ch, day in conn.execute(q).all()) if day is not None}


def write_states(conn: Connection, new: dict[StateKey, State], now: datetime) -> None:
    if not new:
        return
    ins = _insert(conn, a.alert_state)
    cols = ("firing", "seq", "since", "last_notified_at", "last_value", "updated_at")
    conn.execute(ins.on_conflict_do_update(
        index_elements=["workspace_id", "rule_key", "subject"],
        set_={c: getattr(ins.excluded, c) for c in cols}), [
        {"workspace_id": ws, "rule_key": rule, "subject": subject, "firing": s.firing,
         "seq": s.seq, "since": s.since, "last_notified_at": s.last_notified_at,
         "last_value": s.last_value, "updated_at": now}
        for (ws, rule, subject), s in new.items()])


def log_alerts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Alert log rows (workspace_id, rule_key, subject, kind, metric, channel, state, seq,
    summary, at); a row already logged for its (workspace, rule, subject, seq) is kept."""
    if rows:
        conn.execute(_insert(conn, a.alert_log).on_conflict_do_nothing(
            index_elements=["workspace_id", "rule_key", "subject", "seq"]), rows)


def logged_alerts(conn: Connection, workspace_id: int, since: datetime, until: datetime
                  ) -> list[tuple[datetime, str, str, str]]:
    """(at, kind, state, summary) of the alerts logged in ``(since, until]``, in order."""
    c = a.alert_log.c
    q = select(c.at, c.kind, c.state, c.summary).where(and_(
        c.workspace_id == workspace_id, c.at > since, c.at <= until))
    return [(utc(r.at), r.kind, r.state, r.summary)
            for r in conn.execute(q.order_by(c.at, c.id)).all()]


def mark_digest_day(conn: Connection, subscription_id: int, day: date, at: datetime) -> bool:
    """Set a subscription's ``last_day`` to ``day`` unless it is there already (or later);
    False when it was."""
    s = a.subscriptions.c
    done = conn.execute(update(a.subscriptions).where(and_(
        s.id == subscription_id, (s.last_day.is_(None)) | (s.last_day < day))).values(
        last_day=day, last_at=at))
    return bool(done.rowcount)
