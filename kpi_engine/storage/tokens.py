"""Per-workspace API tokens for the HTTP API: created (shown once), looked up, revoked.

A token reads ``kpi_<prefix>_<secret>``: ``prefix`` (8 hex characters) is stored as is and
finds the row; the whole token is stored only as its SHA-256 hash (the secret has 256 bits
of entropy, so a plain hash is enough) and compared in constant time. A token reaches its
own workspace only; a revoked token is never accepted again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from kpi_engine.storage.schema_tokens import api_tokens
from kpi_engine.storage.store import Store

TOKEN_PREFIX = "kpi_"
#: What a token looks like (also used to redact tokens from logs).
TOKEN_PATTERN = re.compile(r"kpi_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class ApiToken:
    id: int
    workspace_id: int
    prefix: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is the only copy of the full token; show it once."""

    token: ApiToken
    secret: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


class ApiTokens:
    """The api_tokens table behind the store's engine."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, workspace_id: int, *, name: str = "",
               now: datetime | None = None) -> NewToken:
        """A new token for a workspace; the returned ``secret`` is never stored."""
        for _ in range(5):  # the prefix is unique; a clash (1 in 4 billion) draws again
            prefix = secrets.token_hex(4)
            token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
            try:
                with self.store.begin() as conn:
                    new_id = conn.execute(insert(api_tokens).values(
                        workspace_id=workspace_id, prefix=prefix, secret_hash=_hash(token),
                        name=name[:100], created_at=_now(now)).returning(api_tokens.c.id)
                    ).scalar_one()
            except IntegrityError:
                continue
            found = self.get(int(new_id))
            assert found is not None
            return NewToken(found, token)
        raise RuntimeError("could not draw a unique token prefix")

    def lookup(self, token: str) -> ApiToken | None:
        """The active token matching ``token`` exactly, or None (unknown, malformed, revoked)."""
        token = token.strip()
        if not TOKEN_PATTERN.fullmatch(token):
            return None
        prefix = token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + 8]
        c = api_tokens.c
        with self.store.connect() as conn:
            row = conn.execute(select(api_tokens).where(and_(
                c.prefix == prefix, c.revoked_at.is_(None)))).first()
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(token)):
            return None
        return _token(row)

    def get(self, token_id: int) -> ApiToken | None:
        with self.store.connect() as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        return _token(row) if row else None

    def for_workspace(self, workspace_id: int) -> list[ApiToken]:
        with self.store.connect() as conn:
            rows = conn.execute(select(api_tokens)
                                .where(api_tokens.c.workspace_id == workspace_id)
                                .order_by(api_tokens.c.id)).all()
        return [_token(r) for r in rows]

    def revoke(self, token_id: int, *, now: datetime | None = None) -> bool:
        """Revoke one token; False when there is no such active token."""
        c = api_tokens.c
        with self.store.begin() as conn:
            done = conn.execute(update(api_tokens).where(and_(
                c.id == token_id, c.revoked_at.is_(None))).values(revoked_at=_now(now)))
        return bool(done.rowcount)

    def revoke_workspace(self, workspace_id: int, *, now: datetime | None = None) -> int:
        """Revoke every active token of a workspace; returns how many."""
        c = api_tokens.c
        with self.store.begin() as conn:
            done = conn.execute(update(api_tokens).where(and_(
                c.workspace_id == workspace_id, c.revoked_at.is_(None)))
                .values(revoked_at=_now(now)))
        return int(done.rowcount)


def _token(row: object) -> ApiToken:
    r = row._mapping  # type: ignore[attr-defined]
    return ApiToken(id=r["id"], workspace_id=r["workspace_id"], prefix=r["prefix"],
                    name=r["name"], created_at=r["created_at"], revoked_at=r["revoked_at"])
