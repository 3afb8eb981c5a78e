"""Guards at the edges (issue 13): a request is run once, and join codes can't be guessed.

- ``first_sighting(store, key, now, keep)``: True the first time ``key`` is seen within
  ``keep``; a replayed Slack request (same signature), a retried Slack event (same
  ``event_id``) or a Telegram update delivered twice (same ``update_id``) is seen again and
  answered without running. One ``INSERT … ON CONFLICT DO NOTHING``: two replicas on one
  PostgreSQL racing for the same key cannot both win. Expired keys are taken over in
  that statement and deleted once a minute.
- ``join_wait(store, platform, chat_id, now)``: how long a chat must wait before its next
  join-code attempt (``None``: it may try now); ``record_wrong_join`` counts a wrong one.
  At most ``JOIN_ATTEMPTS`` wrong attempts per chat per ``JOIN_WINDOW``.

Time is injected (``now``); the tables are in ``kpi_engine.storage.schema_guards``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kpi_engine.storage.schema_guards import join_attempts, seen_requests
from kpi_engine.storage.store import Store

JOIN_ATTEMPTS = 5
JOIN_WINDOW = timedelta(minutes=10)
KEY_MAX = 160


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


#: Expired keys are deleted at most this often per database (housekeeping only: an expired
#: key that is still stored counts as unseen, see ``first_sighting``).
PRUNE_EVERY = timedelta(minutes=1)
_pruned: dict[int, datetime] = {}  # id(engine) → when its expired keys were last deleted


def first_sighting(store: Store, key: str, now: datetime, keep: timedelta) -> bool:
    """Remember ``key`` until ``now + keep``; False when it is already remembered. A stored
    key whose time has run out is taken over (its expiry moved on) in the same statement, so
    the answer never depends on when expired rows were last deleted."""
    now = _utc(now)
    key = key[:KEY_MAX]
    dialect = store.dialect
    insert_ = (pg_insert if dialect == "postgresql" else sqlite_insert
               if dialect == "sqlite" else None)
    values = {"key": key, "expires_at": now + keep}
    with store.begin() as conn:
        last = _pruned.get(id(store.engine))
        if last is None or now - last >= PRUNE_EVERY or now < last:
            conn.execute(delete(seen_requests).where(seen_requests.c.expires_at < now))
            _pruned[id(store.engine)] = now
        if insert_ is None:  # another database: a plain insert, a duplicate is an error
            found = conn.execute(select(seen_requests.c.expires_at).where(
                seen_requests.c.key == key)).first()
            if found is not None and _utc(found[0]) >= now:
                return False
            conn.execute(delete(seen_requests).where(seen_requests.c.key == key))
            conn.execute(insert(seen_requests).values(values))
            return True
        statement = insert_(seen_requests).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[seen_requests.c.key],
            set_={"expires_at": statement.excluded.expires_at},
            where=seen_requests.c.expires_at < now)
        added = conn.execute(statement.returning(seen_requests.c.key)).first()
        return added is not None


def join_wait(store: Store, platform: str, chat_id: str, now: datetime) -> timedelta | None:
    """``None`` when the chat may try a join code now; else how long until it may: when
    the ``JOIN_ATTEMPTS``-th newest wrong attempt in the window leaves it."""
    now = _utc(now)
    a = join_attempts.c
    with store.connect() as conn:
        row = conn.execute(
            select(a.at).where(a.platform == platform, a.chat_id == chat_id,
                               a.at > now - JOIN_WINDOW)
            .order_by(a.at.desc()).offset(JOIN_ATTEMPTS - 1).limit(1)).first()
    if row is None:
        return None
    wait = _utc(row[0]) + JOIN_WINDOW - now
    return wait if wait > timedelta(0) else None


def record_wrong_join(store: Store, platform: str, chat_id: str, now: datetime) -> None:
    """Count one wrong join-code attempt of this chat (older ones are forgotten)."""
    now = _utc(now)
    with store.begin() as conn:
        conn.execute(delete(join_attempts).where(join_attempts.c.at < now - JOIN_WINDOW))
        conn.execute(insert(join_attempts).values(platform=platform, chat_id=chat_id[:100],
                                                  at=now))
