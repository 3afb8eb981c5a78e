"""Join codes (SPEC §8): an admin creates a one-time code; another chat redeems it and is
linked to the workspace.

A code is valid for 24 hours and can be redeemed once: the redeeming ``UPDATE`` only matches
an unused, unexpired code, so two chats racing for the same code cannot both win. Marking
the code used and linking the chat happen in one transaction. Time is injected (``now``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from kpi_engine.domain.model import Role, Workspace
from kpi_engine.storage import schema as t
from kpi_engine.storage.store import Store

CODE_TTL = timedelta(hours=24)
#: No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


@dataclass(frozen=True)
class JoinCode:
    code: str
    workspace_id: int
    role: Role
    expires_at: datetime


class JoinCodeError(Exception):
    """Why a code cannot be redeemed: ``code`` is "unknown", "expired" or "used"."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def normalize_code(text: str) -> str:
    """``"k7q2-m4xp "`` → ``"K7Q2M4XP"``: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _utc(when: datetime) -> datetime:
    """Aware UTC (SQLite hands back naive datetimes, which are UTC here)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def create_join_code(store: Store, workspace_id: int, *, now: datetime, created_by: str = "",
                     role: Role = Role.VIEWER, ttl: timedelta = CODE_TTL) -> JoinCode:
    """A fresh one-time code for ``workspace_id``, valid for ``ttl`` from ``now``."""
    now = _utc(now)
    expires = now + ttl
    for _ in range(5):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with store.begin() as conn:
                conn.execute(insert(t.join_codes).values(
                    code=code, workspace_id=workspace_id, role=role.value,
                    created_by=created_by[:64], created_at=now, expires_at=expires))
        except IntegrityError:  # pragma: no cover - a collision in 31⁸ codes
            continue
        return JoinCode(code, workspace_id, role, expires)
    raise RuntimeError("could not create a unique join code")


def peek_join_code(store: Store, code: str) -> JoinCode | None:
    """The code as stored (used or not), or None when there is no such code."""
    c = t.join_codes.c
    with store.connect() as conn:
        row = conn.execute(select(c.code, c.workspace_id, c.role, c.expires_at)
                           .where(c.code == normalize_code(code))).first()
    if row is None:
        return None
    return JoinCode(row.code, row.workspace_id, Role(row.role), _utc(row.expires_at))


def redeem_join_code(store: Store, code: str, platform: str, chat_id: str, *,
                     now: datetime) -> tuple[Workspace, Role]:
    """Use ``code`` once: link the chat to its workspace with its role (viewer).

    Raises :class:`JoinCodeError` ("unknown", "expired", "used"); nothing changes then.
    """
    now = _utc(now)
    key = normalize_code(code)
    c = t.join_codes.c
    with store.begin() as conn:
        claimed = conn.execute(
            update(t.join_codes)
            .where(and_(c.code == key, c.used_at.is_(None), c.expires_at > now))
            .values(used_at=now))
        if claimed.rowcount != 1:
            raise JoinCodeError(_why_not(conn, key, now))
        row = conn.execute(select(c.workspace_id, c.role).where(c.code == key)).one()
        role = Role(row.role)
        _link(conn, row.workspace_id, platform, chat_id, role, now)
    workspace = store.workspace_by_id(row.workspace_id)
    if workspace is None:  # pragma: no cover - the foreign key cascades
        raise JoinCodeError("unknown")
    return workspace, role


def _why_not(conn: Connection, key: str, now: datetime) -> str:
    c = t.join_codes.c
    row = conn.execute(select(c.used_at, c.expires_at).where(c.code == key)).first()
    if row is None:
        return "unknown"
    if row.used_at is not None:
        return "used"
    return "expired"


def _link(conn: Connection, workspace_id: int, platform: str, chat_id: str, role: Role,
          now: datetime) -> None:
    """The chat's own link (user ``""``), inside the redeeming transaction."""
    c = t.chat_links.c
    found = conn.execute(select(c.id).where(and_(
        c.platform == platform, c.chat_id == chat_id, c.user_id == ""))).first()
    if found:
        conn.execute(update(t.chat_links).where(c.id == found.id)
                     .values(workspace_id=workspace_id, role=role.value))
    else:
        conn.execute(insert(t.chat_links).values(
            workspace_id=workspace_id, platform=platform, chat_id=chat_id, user_id="",
            role=role.value, created_at=now))
