"""A drop rule's own options, end to end: added and changed in chat (``bot.drop_options``,
``/alert … toleransi 2 min 1000 arah naik``, ``/alert ubah N …``), stored (0007), and used by
the alert tick, on SQLite and PostgreSQL. Every expectation is computed by hand from the
rows written here (the median and the scaled MAD = 1.4826 × the median absolute deviation).

The tick runs on Monday 23 Nov 2026 (yesterday: Sunday 22 Nov) and on Tuesday 24 Nov
(yesterday: Monday 23 Nov); a daily rule compares yesterday with the same weekday of the 4
weeks before."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.alert_views import render
from bot.bootstrap import App
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.services.alert_inputs import Queued, run_tick
from kpi_engine.storage import schema_alerts as a
from tests.conftest import Conversation

JAKARTA = ZoneInfo("Asia/Jakarta")
SUN, MON = date(2026, 11, 22), date(2026, 11, 23)
EDITOR, VIEWER = "100", "200"
NOW = datetime.combine(MON, time(9), tzinfo=JAKARTA)


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=JAKARTA)


def weeks_back(day: date, *values: float) -> dict[date, float]:
    """``day`` minus 4, 3, 2, 1 weeks → ``values`` (the history a daily rule reads)."""
    return {day - timedelta(weeks=4 - i): v for i, v in enumerate(values)}


@pytest.fixture
def shop(app: App) -> tuple[App, int, Conversation, Conversation]:
    ws = app.store.ensure_workspace("shop", name="Toko Kopi")
    app.store.link_chat(ws.id, "telegram", EDITOR, Role.EDITOR)
    app.store.link_chat(ws.id, "telegram", VIEWER, Role.VIEWER)
    editor = Conversation(app, NOW, platform="telegram", chat_id=EDITOR, workspace=None)
    viewer = Conversation(app, NOW, platform="telegram", chat_id=VIEWER, workspace=None)
    return app, ws.id, editor, viewer


def write(app: App, ws: int, platform: str, special: Mapping[date, float],
          normal: float = 1000.0) -> None:
    """Reach on ``platform`` for the 36 days up to Monday 23 Nov: ``normal`` a day, except
    the days in ``special``."""
    rows = [SnapshotRow(MON - timedelta(days=i), platform, "", "reach",
                        special.get(MON - timedelta(days=i), normal)) for i in range(36)]
    app.store.write_snapshots(ws, rows)


def add(chat: Conversation, text: str) -> str:
    reply = chat.reply(text)
    assert reply.intent == "alert_added", reply.text
    return f"r{reply.data['id']}"


def fired(app: App, day: date, *keys: str) -> dict[str, Queued]:
    """What the rules ``keys`` say on ``day`` at 10:00 (a dry run: no state, so a rule whose
    condition holds fires)."""
    found = run_tick(app.store, at(day), render, dry_run=True)
    out = {q.event.rule.key: q for q in found if q.event.rule.key in keys}
    assert all(q.event.state == "firing" for q in out.values())
    return out


def rows(app: App) -> list[tuple[object, ...]]:
    with app.store.connect() as conn:
        return [tuple(r) for r in conn.execute(select(a.alert_rules).order_by(
            a.alert_rules.c.id))]


def test_a_sunday_dip_normal_for_sundays_is_quiet_a_real_monday_drop_fires(shop: tuple[
        App, int, Conversation, Conversation]) -> None:
    app, ws, editor, _ = shop
    # Sundays are half a weekday; the Mondays before vary a little
    sundays = weeks_back(SUN, 500, 490, 510, 500)
    mondays = weeks_back(MON, 1000, 980, 1020, 1000)
    write(app, ws, "instagram", {**sundays, SUN: 480, **mondays, MON: 600})
    key = add(editor, "/alert reach turun 20% instagram harian")
    # Sunday 22 Nov: 480 against the median of the Sundays 500 → −4 %: quiet. (Against the
    # 4 days before it, all 1000, it would be −52 %: the weekday is what keeps it quiet.)
    assert fired(app, SUN + timedelta(days=1), key) == {}
    # Monday 23 Nov: 600 against the median of the Mondays (980, 1000, 1000, 1020) = 1000
    # → −40 %; deviations 0, 20, 20, 0 → median 10 → scaled MAD 14.826; 400 > 3 × 14.826
    alert = fired(app, MON + timedelta(days=1), key)[key]
    obs = alert.event.observation
    assert (obs.value, obs.baseline) == (600.0, 1000.0)
    assert obs.change_pct == pytest.approx(-40.0)
    assert obs.detail["mad"] == pytest.approx(1.4826 * 10)
    assert (obs.detail["k"], obs.detail["direction"], obs.detail["periods"]) == (3.0, "drop", 4)
    text = alert.as_json()["text"]
    assert "Jangkauan turun 40%" in text and "median 4 hari Senin sebelumnya 1.000" in text
    assert "Batas alert: turun ≥30%" not in text and "Batas alert: turun ≥20%" in text


def test_a_noisy_series_needs_a_bigger_fall_with_k3_than_with_k15(shop: tuple[
        App, int, Conversation, Conversation]) -> None:
    app, ws, editor, _ = shop
    # Mondays 1000, 600, 1400, 1000: median 1000; deviations 0, 400, 400, 0 → median 200
    # → scaled MAD 296.52; k 3 needs a fall beyond 889.56, k 1.5 beyond 444.78
    history = weeks_back(MON, 1000, 600, 1400, 1000)
    write(app, ws, "tiktok", {**history, MON: 500})
    strict = add(editor, "/alert reach tiktok turun 20% harian")
    loose = add(editor, "/alert reach tiktok turun 20% harian toleransi 1,5")
    # 500: −50 %, 500 below the median: beyond 444.78, not beyond 889.56
    found = fired(app, MON + timedelta(days=1), strict, loose)
    assert set(found) == {loose}
    assert found[loose].event.observation.detail["mad"] == pytest.approx(296.52)
    assert found[loose].event.observation.detail["k"] == 1.5
    # the same data on a calm series (every Monday 1000, MAD 0) fires at k 3 too
    write(app, ws, "instagram", {MON: 500})
    calm = add(editor, "/alert reach instagram turun 20% harian")
    assert set(fired(app, MON + timedelta(days=1), strict, calm)) == {calm}
    # 100: −90 %, 900 below the median: beyond 889.56, so k 3 fires as well
    write(app, ws, "tiktok", {**history, MON: 100})
    assert set(fired(app, MON + timedelta(days=1), strict, loose)) == {strict, loose}


def test_below_the_minimum_volume_a_rule_never_fires(shop: tuple[
        App, int, Conversation, Conversation]) -> None:
    app, ws, editor, _ = shop
    # Mondays 1000 each: median volume 1000; Monday 23 Nov: 100 (−90 %)
    write(app, ws, "instagram", {MON: 100})
    big = add(editor, "/alert reach instagram turun 20% harian min 5000")
    edge = add(editor, "/alert reach instagram turun 20% harian min 1001")
    equal = add(editor, "/alert reach instagram turun 20% harian minimal 1rb")
    assert set(fired(app, MON + timedelta(days=1), big, edge, equal)) == {equal}
    # even the smallest tolerance does not pass the guard
    assert "min 1.000 → 5.000" in editor.ask(f"/alert ubah {equal[1:]} min 5000 k=0,5")
    assert fired(app, MON + timedelta(days=1), big, edge, equal) == {}


def test_direction_rise_fires_on_a_jump_and_not_on_a_drop(shop: tuple[
        App, int, Conversation, Conversation]) -> None:
    app, ws, editor, _ = shop
    write(app, ws, "instagram", {MON: 2000})  # Mondays 1000; Monday 23 Nov: +100 %
    rise = add(editor, "/alert reach naik 30% instagram harian")
    drop = add(editor, "/alert reach turun 30% instagram harian")
    both = add(editor, "/alert reach turun 30% instagram harian arah dua-arah")
    also = add(editor, "/alert tambah turun reach 30% ig harian arah naik")
    found = fired(app, MON + timedelta(days=1), rise, drop, both, also)
    assert set(found) == {rise, both, also}
    obs = found[rise].event.observation
    assert (obs.value, obs.baseline, obs.change_pct) == (2000.0, 1000.0, 100.0)
    text = found[rise].as_json()["text"]
    assert "Jangkauan naik 100%" in text and "Batas alert: naik ≥30%" in text
    assert "turun" not in found[rise].rendered.title
    assert "Batas alert: turun atau naik ≥30%" in found[both].as_json()["text"]
    write(app, ws, "instagram", {MON: 300})  # −70 %
    assert set(fired(app, MON + timedelta(days=1), rise, drop, both, also)) == {drop, both}


def test_alert_ubah_round_trip(shop: tuple[App, int, Conversation, Conversation]) -> None:
    app, ws, editor, viewer = shop
    write(app, ws, "tiktok", {**weeks_back(MON, 1000, 600, 1400, 1000), MON: 500})
    key = add(editor, "/alert reach tiktok turun 20% harian")
    number = key[1:]
    assert fired(app, MON + timedelta(days=1), key) == {}  # k 3: 500 is not beyond 889.56
    reply = editor.reply(f"/alert ubah {number} toleransi 1,5 min 500")
    assert reply.intent == "alert_edited"
    assert f"Alert #{number} diubah: toleransi 3 → 1,5, min 100 → 500" in reply.text
    assert "toleransi 1,5 · min 500" in reply.text
    assert reply.data["before"]["k"] == 3.0 and reply.data["after"]["k"] == 1.5
    assert reply.data["after"]["min_volume"] == 500.0
    with app.store.connect() as conn:
        row = conn.execute(select(a.alert_rules)).one()
    assert (row.k, row.min_volume, row.direction, row.periods) == (1.5, 500.0, "drop", 4)
    assert set(fired(app, MON + timedelta(days=1), key)) == {key}  # now beyond 444.78
    listing = viewer.ask("/alert")
    assert (f"#{number} Jangkauan tiktok turun ≥20% · harian, vs median hari yang sama 4 "
            "minggu sebelumnya · toleransi 1,5 · min 500") in listing
    english = editor.reply(f"/alert edit {number} direction both n=6 weekly", lang="en")
    assert ("changed: direction drop → both, n 4 → 6, period daily → weekly"
            in english.text)
    with app.store.connect() as conn:
        row = conn.execute(select(a.alert_rules)).one()
    assert (row.direction, row.periods, row.period, row.repeat_minutes) == (
        "both", 6, "week", 7 * 24 * 60)
    assert "tidak berubah" in editor.ask(f"/alert ubah {number} n=6")
    listed = {r["key"]: r for r in viewer.reply("/alert").data["rules"]}
    assert (listed[key]["k"], listed[key]["direction"], listed[key]["periods"]) == (
        1.5, "both", 6)
    refused = viewer.reply(f"/alert ubah {number} toleransi 5")
    assert refused.error == "needs_editor"
    with app.store.connect() as conn:
        assert conn.execute(select(a.alert_rules.c.k)).scalar_one() == 1.5


BAD = [
    # (command, error code, a piece of the hint)
    ("/alert reach turun 20% k=0", "bad_k", "0,5 sampai 10"),
    ("/alert reach turun 20% k=-1", "bad_k", "toleransi 2"),
    ("/alert reach turun 20% toleransi 11", "bad_k", "bawaan 3"),
    ("/alert reach turun 20% min -5", "bad_min", "min 1000"),
    ("/alert reach turun 20% arah ke-samping", "bad_direction", "dua-arah"),
    ("/alert reach turun 20% kepekaan 2", "sensitivity", "toleransi 2"),
    ("/alert reach turun 20% n=1", "bad_periods", "2 sampai 12"),
    ("/alert reach turun 20% 13 minggu", "bad_periods", "n=6"),
    ("/alert reach turun 20% toleran 2", "drop_extra", "toleransi 2"),
    ("/alert reach turun 20% k=2 k=3", "twice", "sekali"),
    ("/alert reach turun 20% toleransi", "no_value", "toleransi 2"),
    ("/alert reach turun 0%", "bad_drop", "1% dan 99%"),
    ("/alert er < 2% toleransi 2", "drop_only", "turun 20% toleransi 2"),
    ("/alert ubah 1 toleransi 0", "bad_k", "0,5 sampai 10"),
    ("/alert ubah 1 arah miring", "bad_direction", "dua-arah"),
    ("/alert ubah 1 min -5", "bad_min", "min 1000"),
    ("/alert ubah 1 bogus", "drop_extra", "toleransi 2"),
    ("/alert ubah 1", "edit_usage", "/alert ubah NOMOR"),
    ("/alert ubah 2 toleransi 2", "drop_only", "alert batas"),
    ("/alert ubah drop toleransi 2", "edit_default", "/alert hapus drop"),
    ("/alert ubah 99 toleransi 2", "no_rule", "/alert"),
]


def test_bad_options_get_a_hint_and_change_nothing(shop: tuple[
        App, int, Conversation, Conversation]) -> None:
    app, _, editor, _ = shop
    add(editor, "/alert reach turun 20% harian min 200")
    add(editor, "/alert er < 2%")
    before = rows(app)
    for text, code, hint in BAD:
        reply = editor.reply(text)
        assert (reply.error, hint in reply.text) == (code, True), (text, reply.text)
        assert "Traceback" not in reply.text
    english = editor.reply("/alert reach drop 20% direction sideways", lang="en")
    assert english.error == "bad_direction" and "drop, rise or both" in english.text
    assert "Nothing was changed" in editor.ask("/alert edit 1 tolerance 0", lang="en")
    assert rows(app) == before
