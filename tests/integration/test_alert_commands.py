"""/alert, /senyap, /langganan, /berhenti through the real router, in both languages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from kpi_engine.domain.model import Role
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage import alert_store
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.outbox import Message, enqueue
from tests.conftest import Conversation

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JAKARTA)
EDITOR, VIEWER, ADMIN = "501", "502", "503"


@pytest.fixture
def chats(app: App) -> dict[str, Conversation]:
    ws, _ = seed_demo(app.store, date(2026, 11, 22))
    for chat, role in ((EDITOR, Role.EDITOR), (VIEWER, Role.VIEWER), (ADMIN, Role.ADMIN)):
        app.store.link_chat(ws.id, "telegram", chat, role)
    return {name: Conversation(app, NOW, platform="telegram", chat_id=chat, workspace=None)
            for name, chat in (("editor", EDITOR), ("viewer", VIEWER), ("admin", ADMIN))}


def team_rules(app: App) -> list[tuple[str, str, str | None, str, float]]:
    ws = app.store.workspace("demo")
    assert ws is not None
    rules, _ = alert_store.list_rules(app.store, ws.id)
    return [(r.kind, r.metric or "", r.channel, r.op, r.value) for r in rules if not r.default]


def test_alert_list_shows_the_defaults_in_both_languages(chats: dict[str, Conversation]) -> None:
    text = chats["viewer"].ask("/alert")
    assert "Aturan alert · Kopi Nusantara" in text and "turun ≥20%" in text
    assert "Jam tenang: 21:00–07:00" in text and "belum ada" in text
    english = chats["viewer"].ask("/alert list", lang="en")
    assert "Alert rules" in english and "no data from a channel for 3 days" in english


def test_editors_add_threshold_and_drop_rules(chats: dict[str, Conversation],
                                             app: App) -> None:
    reply = chats["editor"].reply("/alert er < 2%")
    assert reply.intent == "alert_added" and "Engagement rate semua kanal sendiri di bawah 2" \
        in reply.text
    assert "CPC instagram di atas Rp5.000" in chats["editor"].ask("/alert cpc > 5000 instagram")
    assert "di atas Rp1.500.000" in chats["editor"].ask("/alert spend di atas 1,5 jt")
    assert "turun ≥30%" in chats["editor"].ask("/alert reach turun 30%")
    # a daily drop compares with the same weekday of the 4 weeks before (not 4 days)
    assert "median hari yang sama 4 minggu sebelumnya" in chats["editor"].ask(
        "/alert reach tiktok turun 25% harian")
    assert team_rules(app) == [
        ("threshold", "engagement_rate", None, "<", 2.0),
        ("threshold", "cpc", "instagram", ">", 5000.0),
        ("threshold", "spend", None, ">", 1_500_000.0),
        ("drop", "reach", None, "<", 30.0),
        ("drop", "reach", "tiktok", "<", 25.0),
    ]
    with app.store.connect() as conn:
        row = conn.execute(select(a.alert_rules).order_by(a.alert_rules.c.id)).first()
    assert row is not None and (row.platform, row.chat_id) == ("telegram", EDITOR)
    listing = chats["viewer"].ask("/alert")
    assert "#1 Engagement rate semua kanal sendiri di bawah 2%" in listing
    assert "CPC instagram di atas Rp5.000" in listing


def test_viewers_may_not_change_alerts_and_nothing_changes(chats: dict[str, Conversation],
                                                           app: App) -> None:
    reply = chats["viewer"].reply("/alert er < 2%")
    assert reply.error == "needs_editor" and "editor" in reply.text
    assert team_rules(app) == []


def test_bad_alert_requests_get_a_hint_and_change_nothing(chats: dict[str, Conversation],
                                                          app: App) -> None:
    editor = chats["editor"]
    assert "maksud Anda: reach" in editor.ask("/alert rech < 100")
    assert "snapchat" in editor.ask("/alert reach < 100 snapchat")
    assert editor.reply("/alert reach < banyak").error == "bad_value"
    assert editor.reply("/alert reach < 10%").error == "percent_only"
    assert editor.reply("/alert reach sedikit").error == "usage"
    assert editor.reply("/alert reach turun 120%").error == "bad_drop"
    assert editor.reply("/alert hapus 99").error == "no_rule"
    assert team_rules(app) == []


def test_remove_rules_and_turn_defaults_off_and_on(chats: dict[str, Conversation],
                                                  app: App) -> None:
    editor = chats["editor"]
    editor.ask("/alert er < 2%")
    editor.ask("/alert cpc > 5000 instagram")
    assert "Alert #1 dihapus" in editor.ask("/alert hapus 1")
    assert "Alert #2 removed" in editor.ask("/alert remove 2", lang="en")
    assert team_rules(app) == []
    assert "dimatikan" in editor.ask("/alert hapus drop")
    assert "(nonaktif)" in chats["viewer"].ask("/alert")
    ws = app.store.workspace("demo")
    assert ws is not None
    assert "drop" in alert_store.settings(app.store, ws.id).disabled
    assert "aktif" in editor.ask("/alert aktifkan drop")
    assert alert_store.settings(app.store, ws.id).disabled == frozenset()
    assert "22:00–06:00" in editor.ask("/alert tenang 22:00-06:00")
    quiet = alert_store.settings(app.store, ws.id)
    assert (quiet.quiet_start, quiet.quiet_end) == (datetime(1, 1, 1, 22).time(),
                                                    datetime(1, 1, 1, 6).time())
    assert editor.reply("/alert tenang besok").error == "quiet_usage"


def test_snooze_defers_this_chats_alerts(chats: dict[str, Conversation], app: App) -> None:
    ws = app.store.workspace("demo")
    assert ws is not None
    with app.store.begin() as conn:
        enqueue(conn, [Message("x1", ws.id, "alert", "telegram", EDITOR, "id", "t", "b", NOW),
                       Message("x2", ws.id, "digest", "telegram", EDITOR, "id", "t", "b", NOW),
                       Message("x3", ws.id, "alert", "telegram", VIEWER, "id", "t", "b", NOW)],
                NOW)
    reply = chats["editor"].reply("/senyap 2 jam")
    assert reply.intent == "snooze" and "12:00" in reply.text and "tidak ada yang hilang" in \
        reply.text
    until = alert_store.snoozed_until(app.store, "telegram", EDITOR, NOW)
    assert until == NOW + timedelta(hours=2)
    with app.store.connect() as conn:
        waits = dict(conn.execute(select(a.outbox.c.key, a.outbox.c.not_before)).all())
    assert waits["x1"].replace(tzinfo=None) == (NOW + timedelta(hours=2)).astimezone(
        ZoneInfo("UTC")).replace(tzinfo=None)  # the queued alert waits for the snooze
    assert waits["x2"].replace(tzinfo=None) == NOW.astimezone(ZoneInfo("UTC")).replace(
        tzinfo=None)  # a digest does not; nor another chat's alert
    assert "snoozed until" in chats["editor"].ask("/snooze", lang="en")
    assert "30" in chats["editor"].ask("/snooze 30 minutes", lang="en")
    assert "Senyap diakhiri" in chats["editor"].ask("/senyap off")
    assert alert_store.snoozed_until(app.store, "telegram", EDITOR, NOW) is None
    assert chats["editor"].reply("/senyap lama").error == "snooze_usage"
    assert chats["editor"].reply("/senyap 9 hari").error == "snooze_max"
    assert chats["viewer"].reply("/senyap 2 jam").error == "no_permission"


def test_admins_subscribe_and_unsubscribe(chats: dict[str, Conversation], app: App) -> None:
    admin = chats["admin"]
    reply = admin.reply("/langganan harian 08:00")
    assert reply.intent == "subscribe" and "08:00" in reply.text and "Asia/Jakarta" in \
        reply.text
    assert "Monday at 09:30" in admin.ask("/subscribe weekly monday 09.30", lang="en")
    assert "Jumat pukul 16:00" in admin.ask("/langganan mingguan jumat 16:00")
    subs = alert_store.subscriptions(app.store, platform="telegram", chat_id=ADMIN)
    assert [(s.kind, s.weekday, s.hour, s.minute) for s in subs] == [
        ("daily", None, 8, 0), ("weekly", 4, 16, 0)]
    listing = chats["viewer"].ask("/langganan")
    assert "belum berlangganan" in listing  # per chat
    assert "Ringkasan harian tiap hari pukul 08:00" in admin.ask("/langganan")
    assert chats["editor"].reply("/langganan harian 07:00").error == "needs_admin"
    assert admin.reply("/langganan harian 25:00").error == "bad_time"
    assert admin.reply("/langganan bulanan").error == "sub_usage"
    assert "mingguan" in admin.ask("/berhenti mingguan")
    assert "daily" in admin.ask("/unsubscribe", lang="en")
    assert alert_store.subscriptions(app.store, platform="telegram", chat_id=ADMIN) == []
    assert "tidak berlangganan" in admin.ask("/berhenti")


def test_the_console_cannot_subscribe(app: App) -> None:
    seed_demo(app.store, date(2026, 11, 22))
    cli = Conversation(app, NOW)
    assert cli.reply("/langganan harian 08:00").error == "sub_chat_only"
    assert cli.reply("/alert er < 2%").intent == "alert_added"  # operators may add rules
