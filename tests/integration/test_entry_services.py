"""The use cases entry points call (issue 14): ``services/linking.py`` (join codes behind the
join-attempt guard, links and roles) and ``services/tokens.py`` (the HTTP API's
authentication, ``kpibot token``), over real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kpi_engine.domain.model import Role
from kpi_engine.services import linking, tokens
from kpi_engine.storage.store import Store

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_join_links_once_and_says_why_not(store: Store) -> None:
    acme, other = store.ensure_workspace("acme"), store.ensure_workspace("other")
    code = linking.invite(store, acme.id, now=NOW, created_by="u1")
    done = linking.join(store, "telegram", "-1", f" {code.code[:4].lower()}-{code.code[4:]} ",
                        now=NOW)
    assert done == linking.Joined(acme, Role.VIEWER)
    assert linking.access(store, "telegram", "-1") == (acme, Role.VIEWER)
    again = linking.join(store, "telegram", "-2", code.code, now=NOW)
    assert again == linking.JoinRefused("used", code.code)
    assert linking.access(store, "telegram", "-2") is None
    # a linked chat: a code of its own workspace is not spent; another's needs an admin
    own = linking.invite(store, acme.id, now=NOW)
    assert linking.join(store, "telegram", "-1", own.code, now=NOW, linked_to=acme.id) == \
        linking.JoinRefused("already", own.code)
    move = linking.invite(store, other.id, now=NOW)
    assert linking.join(store, "telegram", "-1", move.code, now=NOW, linked_to=acme.id) == \
        linking.JoinRefused("switch_admin", move.code)
    assert linking.access(store, "telegram", "-1") == (acme, Role.VIEWER)
    moved = linking.join(store, "telegram", "-1", move.code, now=NOW, linked_to=acme.id,
                         may_move=True)
    assert moved == linking.Joined(other, Role.VIEWER)
    assert linking.join(store, "telegram", "-3", own.code, now=NOW) == \
        linking.Joined(acme, Role.VIEWER)  # "already" did not spend it


def test_wrong_codes_make_a_chat_wait(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    good = linking.invite(store, ws.id, now=NOW)
    for i in range(linking.JOIN_ATTEMPTS):
        wrong = linking.join(store, "slack", "C1", "ZZZZ2222", now=NOW + timedelta(minutes=i))
        assert isinstance(wrong, linking.JoinRefused) and wrong.reason == "unknown"
    # the 5th wrong attempt was at +4 min; the 1st leaves the 10-minute window at +10 min
    wait = linking.join(store, "slack", "C1", good.code, now=NOW + timedelta(minutes=5))
    assert isinstance(wait, linking.JoinRefused) and wait.reason == "wait"
    assert wait.wait == timedelta(minutes=5) and wait.wait_minutes == 5
    assert linking.access(store, "slack", "C1") is None  # the good code was not even tried
    assert linking.join(store, "slack", "C2", "ZZZZ2222", now=NOW) == \
        linking.JoinRefused("unknown", "ZZZZ2222")  # another chat is not held back
    late = linking.join(store, "slack", "C1", good.code, now=NOW + timedelta(minutes=10))
    assert late == linking.Joined(ws, Role.VIEWER)


def test_link_and_chat_roles(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    linking.link(store, ws.id, "slack", "C1", Role.VIEWER)
    linking.link(store, ws.id, "slack", "C1", Role.EDITOR, user_id="U2")
    linking.link(store, ws.id, "slack", "C9", Role.ADMIN)
    linking.link(store, ws.id, "slack", "C1", Role.ADMIN, user_id="U2")  # again: changes it
    assert linking.chat_roles(store, ws.id, "slack", "C1") == [
        linking.ChatRole("", Role.VIEWER), linking.ChatRole("U2", Role.ADMIN)]
    assert linking.access(store, "slack", "C1", "U2") == (ws, Role.ADMIN)
    assert linking.access(store, "slack", "C1", "U3") == (ws, Role.VIEWER)
    linking.remember_user(store, "slack", "C1", "U2", "@Budi", NOW)
    assert linking.find_user(store, "slack", "C1", "budi") == "U2"
    assert linking.user_names(store, "slack", "C1") == {"U2": "budi"}


def test_a_token_authenticates_until_revoked(store: Store) -> None:
    acme, other = store.ensure_workspace("acme"), store.ensure_workspace("other")
    first = tokens.create_token(store, acme.id, name="sheet")
    second = tokens.create_token(store, acme.id)
    tokens.create_token(store, other.id)
    found = tokens.authenticate(store, f" {first.secret}\n")
    assert found is not None and found[0].id == first.token.id and found[1] == acme
    assert tokens.authenticate(store, first.secret[:-1] + ("A" if first.secret[-1] != "A"
                                                           else "B")) is None
    assert tokens.authenticate(store, "kpi_nothing") is None
    assert [t.id for t in tokens.workspace_tokens(store, acme.id)] == [first.token.id,
                                                                     second.token.id]
    assert tokens.revoke_token(store, first.token.id) is True
    assert tokens.revoke_token(store, first.token.id) is False
    assert tokens.authenticate(store, first.secret) is None
    assert tokens.revoke_workspace_tokens(store, acme.id) == 1
    assert tokens.authenticate(store, second.secret) is None
    assert all(t.revoked_at is not None for t in tokens.workspace_tokens(store, acme.id))
