"""The SQL of ``schema_oauth.oauth_states``: the OAuth code flows in progress.

A state is looked up by its SHA-256 only (the clear ``state`` lives in the authorization URL
and the browser, never in the database), and is claimed once: :meth:`OAuthStates.claim` is
one ``UPDATE … WHERE used_at IS NULL AND expires_at > now``, so two callbacks racing with the
same state (a replay, a double click) cannot both pass, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from kpi_engine.storage.schema_oauth import oauth_states
from kpi_engine.storage.store import Store

#: An ended or expired flow is deleted this long after its expiry.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class PendingFlow:
    id: int
    workspace_id: int
    platform: str
    account_id: str
    channel: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    source_id: int | None
    error: str


def _pending(row: Any) -> PendingFlow:
    m = row._mapping
    return PendingFlow(id=m["id"], workspace_id=m["workspace_id"], platform=m["platform"],
                       account_id=m["account_id"], channel=m["channel"],
                       created_at=m["created_at"], expires_at=m["expires_at"],
                       used_at=m["used_at"], source_id=m["source_id"], error=m["error"])


class OAuthStates:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, state_hash: str, workspace_id: int, platform: str, account_id: str,
               channel: str, now: datetime, expires_at: datetime) -> PendingFlow:
        with self.store.begin() as conn:
            # flows that ended or expired over a day ago are of no use to anyone
            conn.execute(delete(oauth_states).where(
                oauth_states.c.expires_at < now - KEEP))
            new = conn.execute(insert(oauth_states).values(
                state_hash=state_hash, workspace_id=workspace_id, platform=platform,
                account_id=account_id, channel=channel, created_at=now,
                expires_at=expires_at))
            flow_id = int(new.inserted_primary_key[0])  # type: ignore[index]
        found = self.get(flow_id)
        assert found is not None
        return found

    def get(self, flow_id: int) -> PendingFlow | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(oauth_states).where(oauth_states.c.id == flow_id)).first()
        return _pending(row) if row is not None else None

    def by_hash(self, state_hash: str) -> PendingFlow | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(oauth_states).where(
                oauth_states.c.state_hash == state_hash)).first()
        return _pending(row) if row is not None else None

    def claim(self, state_hash: str, now: datetime) -> tuple[PendingFlow | None, str]:
        """Use the state once: (the flow, "") when it was unused and unexpired, else
        (the flow or None, "unknown" | "expired" | "used"); nothing changes then."""
        c = oauth_states.c
        with self.store.begin() as conn:
            done = conn.execute(update(oauth_states).where(and_(
                c.state_hash == state_hash, c.used_at.is_(None), c.expires_at > now)
            ).values(used_at=now))
            claimed = done.rowcount == 1
        found = self.by_hash(state_hash)
        if claimed:
            return found, ""
        if found is None:
            return None, "unknown"
        return found, "used" if found.used_at is not None else "expired"

    def finish(self, flow_id: int, *, source_id: int | None = None, error: str = "") -> None:
        with self.store.begin() as conn:
            conn.execute(update(oauth_states).where(oauth_states.c.id == flow_id).values(
                source_id=source_id, error=error[:500]))
