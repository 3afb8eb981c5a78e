"""Join codes: kpi_engine/storage/linking.py (one-time, 24 h, time injected) and the chat commands of
bot/linking.py (/undang, /start KODE, /gabung KODE) through the real router."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import App
from bot.reply import Reply, Request
from kpi_engine.domain.model import Role
from kpi_engine.storage.linking import (
    ALPHABET,
    CODE_LENGTH,
    JoinCodeError,
    create_join_code,
    normalize_code,
    redeem_join_code,
)
from kpi_engine.storage.store import Store

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta


def test_a_code_links_a_chat_once(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    code = create_join_code(store, ws.id, now=NOW, created_by="u1")
    assert len(code.code) == CODE_LENGTH and set(code.code) <= set(ALPHABET)
    assert code.expires_at == NOW + timedelta(hours=24) and code.role is Role.VIEWER
    assert store.chat_access("telegram", "-100") is None
    workspace, role = redeem_join_code(store, code.code.lower(), "telegram", "-100",
                                       now=NOW + timedelta(hours=23))
    assert workspace.slug == "acme" and role is Role.VIEWER
    access = store.chat_access("telegram", "-100")
    assert access is not None and access[0].id == ws.id and access[1] is Role.VIEWER
    with pytest.raises(JoinCodeError) as used:
        redeem_join_code(store, code.code, "telegram", "-200", now=NOW + timedelta(hours=1))
    assert used.value.code == "used"
    assert store.chat_access("telegram", "-200") is None


def test_expired_and_unknown_codes_change_nothing(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    code = create_join_code(store, ws.id, now=NOW)
    with pytest.raises(JoinCodeError) as expired:
        redeem_join_code(store, code.code, "slack", "C1", now=NOW + timedelta(hours=24))
    assert expired.value.code == "expired"
    with pytest.raises(JoinCodeError) as unknown:
        redeem_join_code(store, "ZZZZ2222", "slack", "C1", now=NOW)
    assert unknown.value.code == "unknown"
    assert store.chat_access("slack", "C1") is None
    # still unused: a later valid redemption is not possible after expiry either
    with pytest.raises(JoinCodeError):
        redeem_join_code(store, code.code, "slack", "C1", now=NOW + timedelta(days=3))


def test_codes_are_distinct_and_normalized(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    codes = {create_join_code(store, ws.id, now=NOW).code for _ in range(50)}
    assert len(codes) == 50
    assert normalize_code(" k7q2-m4xp ") == "K7Q2M4XP"


def test_redeeming_moves_an_existing_chat_link(store: Store) -> None:
    a = store.ensure_workspace("a")
    b = store.ensure_workspace("b")
    store.link_chat(a.id, "telegram", "7", Role.VIEWER)
    code = create_join_code(store, b.id, now=NOW)
    redeem_join_code(store, code.code, "telegram", "7", now=NOW)
    access = store.chat_access("telegram", "7")
    assert access is not None and access[0].id == b.id
    assert len(store.links(b.id)) == 1 and store.links(a.id) == []


# -- through the router -------------------------------------------------------------------------

def say(app: App, chat: str, text: str, user: str = "u1", now: datetime = NOW) -> Reply:
    return app.router.handle(Request(text=text, platform="telegram", chat_id=chat,
                                     user_id=user, now=now))


def _code(reply: Reply) -> str:
    return str(reply.data["code"])


def test_invite_and_join_in_chat(app: App) -> None:
    ws = app.store.ensure_workspace("acme", name="Acme Kopi")
    app.store.link_chat(ws.id, "telegram", "10", Role.VIEWER)
    app.store.link_chat(ws.id, "telegram", "10", Role.ADMIN, user_id="boss")
    invite = say(app, "10", "/undang", user="boss")
    assert invite.intent == "invite" and invite.data["workspace"] == "acme"
    assert _code(invite) in invite.text and "/start " + _code(invite) in invite.text
    assert "23 Nov 2026 10.00" in invite.text and "24 jam" in invite.text  # Jakarta time

    unlinked = say(app, "20", "/kpi reach")
    assert unlinked.error == "not_linked" and "Acme" not in unlinked.text
    joined = say(app, "20", f"/start {_code(invite).lower()}")
    assert joined.intent == "join" and "Acme Kopi" in joined.text and "viewer" in joined.text
    assert app.store.chat_access("telegram", "20") is not None

    again = say(app, "30", f"/gabung {_code(invite)}")
    assert again.error == "join_used" and "sudah dipakai" in again.text
    assert app.store.chat_access("telegram", "30") is None

    english = say(app, "10", "/invite", user="boss")
    assert "Code:" in english.text
    ok = say(app, "40", f"/join {_code(english)}")
    assert "now linked" in ok.text


def test_invite_is_for_admins_only(app: App) -> None:
    ws = app.store.ensure_workspace("acme")
    app.store.link_chat(ws.id, "telegram", "10", Role.EDITOR)
    reply = say(app, "10", "/undang")
    assert reply.error == "no_permission" and "code" not in reply.data
    assert say(app, "99", "/undang").error == "not_linked"  # unlinked: nothing at all


def test_expired_code_and_usage_in_chat(app: App) -> None:
    ws = app.store.ensure_workspace("acme")
    code = create_join_code(app.store, ws.id, now=NOW - timedelta(hours=25))
    reply = say(app, "50", f"/gabung {code.code}")
    assert reply.error == "join_expired" and "kedaluwarsa" in reply.text
    assert say(app, "50", "/gabung QQQQ2222").error == "join_unknown"
    assert say(app, "50", "/gabung").error == "not_linked"  # explains how to get linked
    assert say(app, "50", "/start").error == "not_linked"
    assert app.store.chat_access("telegram", "50") is None


def test_a_linked_chat_keeps_its_workspace_unless_an_admin_moves_it(app: App) -> None:
    a = app.store.ensure_workspace("a", name="Alpha")
    b = app.store.ensure_workspace("b", name="Beta")
    app.store.link_chat(a.id, "telegram", "60", Role.VIEWER)
    same = create_join_code(app.store, a.id, now=NOW)
    assert say(app, "60", f"/start {same.code}").error == "join_already"
    other = create_join_code(app.store, b.id, now=NOW)
    assert say(app, "60", f"/start {other.code}").error == "join_switch_admin"
    app.store.link_chat(a.id, "telegram", "60", Role.ADMIN, user_id="boss")
    moved = say(app, "60", f"/start {other.code}", user="boss")
    assert moved.intent == "join" and "Beta" in moved.text
    # a bare /start in a linked chat is still the welcome
    assert say(app, "60", "/start").intent == "start"
    assert say(app, "60", "/gabung").error == "join_usage"
