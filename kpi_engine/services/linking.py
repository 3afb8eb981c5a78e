"""Who may see which workspace (SPEC §8): linking chats and users, roles, join codes and
the join-attempt guard. The chat commands (``/undang``, ``/gabung``, ``/start KODE``,
``/peran``), the router's access check and ``kpibot link`` call these; the SQL is
``storage/linking.py``'s (join codes), ``storage/guards.py``'s (attempts) and the store's
(chat links, users seen in chats).

- ``invite``: a one-time code for a workspace (24 hours, viewer).
- ``join``: redeem a code for a chat. At most ``JOIN_ATTEMPTS`` wrong codes per chat per
  ``JOIN_WINDOW``; a chat linked already keeps its link for a code of the same workspace,
  and only an admin may move it to another one. The outcome says which; nothing changes
  unless it is ``Joined``.
- ``link``: link a chat, or one user in it, with a role (``kpibot link``, ``/peran``).
- ``access``: the workspace a chat sees and the user's role; ``chat_roles`` the links of one
  chat; ``remember_user`` / ``find_user`` / ``user_names``: who is who in a chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kpi_engine.domain.model import Role, Workspace
from kpi_engine.storage import guards, linking
from kpi_engine.storage.linking import CODE_TTL, JoinCode, JoinCodeError, normalize_code
from kpi_engine.storage.store import Store

__all__ = ["CODE_TTL", "JOIN_ATTEMPTS", "JOIN_WINDOW", "ChatRole", "JoinCode", "JoinRefused",
           "Joined", "access", "chat_roles", "find_user", "invite", "join", "knows_user",
           "link", "normalize_code", "remember_user", "user_names"]

JOIN_ATTEMPTS = guards.JOIN_ATTEMPTS
JOIN_WINDOW = guards.JOIN_WINDOW
#: The longest code text read from a message (a code is 8 characters; the rest is noise).
CODE_MAX = 40


# -- join codes ---------------------------------------------------------------------------------

def invite(store: Store, workspace_id: int, *, now: datetime, created_by: str = "") -> JoinCode:
    """A fresh one-time viewer code for the workspace, valid ``CODE_TTL`` from ``now``."""
    return linking.create_join_code(store, workspace_id, now=now, created_by=created_by)


@dataclass(frozen=True)
class Joined:
    """The chat is linked now: to ``workspace`` with ``role``."""

    workspace: Workspace
    role: Role


@dataclass(frozen=True)
class JoinRefused:
    """Why a code was not used (nothing changed): ``reason`` is ``wait`` (too many wrong
    codes: ``wait`` is how long), ``already`` (this chat is linked to the code's workspace),
    ``switch_admin`` (linked elsewhere, and only an admin may move it), or the code's own
    ``unknown`` / ``expired`` / ``used`` (each counts as a wrong attempt)."""

    reason: str
    code: str
    wait: timedelta | None = None

    @property
    def wait_minutes(self) -> int:
        """The wait rounded up to whole minutes (at least 1)."""
        seconds = int(self.wait.total_seconds()) if self.wait else 0
        return max(1, -(-seconds // 60))


def join(store: Store, platform: str, chat_id: str, code_text: str, *, now: datetime,
         linked_to: int | None = None, may_move: bool = False) -> Joined | JoinRefused:
    """Redeem the code typed in ``code_text`` for this chat.

    ``linked_to``: the workspace the chat is linked to now (None: not linked);
    ``may_move``: the asker is an admin there, so the chat may move to another workspace."""
    code = normalize_code(code_text)[:CODE_MAX]
    wait = guards.join_wait(store, platform, chat_id, now)
    if wait is not None:  # guessing codes: at most JOIN_ATTEMPTS wrong ones per window
        return JoinRefused("wait", code, wait)
    if linked_to is not None:
        found = linking.peek_join_code(store, code)
        if found is not None and found.workspace_id == linked_to:
            return JoinRefused("already", code)
        if found is not None and not may_move:
            return JoinRefused("switch_admin", code)
    try:
        workspace, role = linking.redeem_join_code(store, code, platform, chat_id, now=now)
    except JoinCodeError as exc:
        guards.record_wrong_join(store, platform, chat_id, now)
        return JoinRefused(exc.code, code)
    return Joined(workspace, role)


# -- links and roles ----------------------------------------------------------------------------

def link(store: Store, workspace_id: int, platform: str, chat_id: str, role: Role, *,
         user_id: str = "") -> None:
    """Link a chat (``user_id`` empty) or one user in it to a workspace with ``role``; linking
    again changes the role (or moves the chat)."""
    store.link_chat(workspace_id, platform, chat_id, role, user_id=user_id)


def access(store: Store, platform: str, chat_id: str,
           user_id: str = "") -> tuple[Workspace, Role] | None:
    """The workspace a chat sees and the user's role in it (None: the chat is not linked).
    A user's own link in the chat can raise the chat's role, never lower it."""
    return store.chat_access(platform, chat_id, user_id)


@dataclass(frozen=True)
class ChatRole:
    """One link of a chat: the chat's own (``user_id`` empty) or one user's."""

    user_id: str
    role: Role


def chat_roles(store: Store, workspace_id: int, platform: str, chat_id: str) -> list[ChatRole]:
    """The links of this chat in the workspace, in the order they were made."""
    return [ChatRole(row["user_id"], Role(row["role"])) for row in store.links(workspace_id)
            if (row["platform"], row["chat_id"]) == (platform, chat_id)]


# -- who is who in a chat -----------------------------------------------------------------------

def knows_user(store: Store, platform: str, chat_id: str, user_id: str, user_name: str,
               now: datetime) -> bool:
    """Would ``remember_user`` write nothing (seen lately under this name)? Memory only."""
    return store.knows_user(platform, chat_id, user_id, user_name, now)


def remember_user(store: Store, platform: str, chat_id: str, user_id: str, user_name: str,
                  now: datetime) -> None:
    """Note that ``user_id`` spoke in this chat as ``user_name`` (for ``/peran @name``)."""
    store.remember_user(platform, chat_id, user_id, user_name, now)


def find_user(store: Store, platform: str, chat_id: str, user_name: str) -> str | None:
    """The id of the user last seen in this chat as ``user_name`` (``@`` optional)."""
    return store.find_user(platform, chat_id, user_name)


def user_names(store: Store, platform: str, chat_id: str) -> dict[str, str]:
    """user id → name of the users seen in this chat."""
    return store.user_names(platform, chat_id)
