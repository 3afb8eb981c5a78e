"""/kenapa on real SQLite and PostgreSQL (issue 15): every figure computed by hand below."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.bootstrap import App
from bot.reply import Request
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import explain as ex
from kpi_engine.storage.store import Store

D = date
WEEK = PeriodQuery(Period(D(2026, 11, 16), D(2026, 11, 22), "minggu ini"),
                   Period(D(2026, 11, 9), D(2026, 11, 15), "minggu lalu"))
NOW = datetime(2026, 11, 22, 12, 0)


def row(day: date, channel: str, metric: str, value: float, campaign: str = "") -> SnapshotRow:
    platform, _, handle = channel.partition(":")
    return SnapshotRow(day, platform, handle, metric, value, campaign,
                       competitor=handle == "@rival")


CUR, PREV = D(2026, 11, 17), D(2026, 11, 10)
ROWS = [
    # reach: ig 300 → 50 untagged + 150 ramadan; tiktok 100 → 400; youtube 50 → 50;
    # own total 450 → 650 (+200); the rival's 10 → 9.999 is never part of it
    row(PREV, "instagram", "reach", 300), row(CUR, "instagram", "reach", 50),
    row(CUR, "instagram", "reach", 150, "ramadan"),
    row(PREV, "tiktok", "reach", 100), row(CUR, "tiktok", "reach", 400),
    row(PREV, "youtube", "reach", 50), row(CUR, "youtube", "reach", 50),
    row(PREV, "instagram:@rival", "reach", 10), row(CUR, "instagram:@rival", "reach", 9999),
    # ctr: ig 20/1000 → 30/1000; tiktok 10/1000 → 30/3000; youtube 10/1000 → (none)
    row(PREV, "instagram", "clicks", 20), row(PREV, "instagram", "impressions", 1000),
    row(CUR, "instagram", "clicks", 30), row(CUR, "instagram", "impressions", 1000),
    row(PREV, "tiktok", "clicks", 10), row(PREV, "tiktok", "impressions", 1000),
    row(CUR, "tiktok", "clicks", 30), row(CUR, "tiktok", "impressions", 3000),
    row(PREV, "youtube", "clicks", 10), row(PREV, "youtube", "impressions", 1000),
    # followers (gauge): ig 1000 → 1100, tiktok 500 → 450: 1500 → 1550
    row(D(2026, 11, 15), "instagram", "followers", 1000),
    row(D(2026, 11, 22), "instagram", "followers", 1100),
    row(D(2026, 11, 15), "tiktok", "followers", 500),
    row(D(2026, 11, 22), "tiktok", "followers", 450),
    # saves only this week: no previous data
    row(CUR, "instagram", "saves", 7),
]


@pytest.fixture
def ws(store: Store) -> int:
    workspace = store.ensure_workspace("demo")
    store.write_snapshots(workspace.id, ROWS)
    return workspace.id


def why(store: Store, ws: int, metric: str, channel: str | None = None) -> ex.Explanation:
    return ex.explain(store, ws, store.channels(ws), metric, WEEK, channel)


def rows(e: ex.Explanation, by: str) -> list[tuple[str, float, float | None]]:
    return [(c.key, round(c.change, 6), None if c.share_of_change_pct is None
             else round(c.share_of_change_pct, 4)) for c in e.contributions if c.by == by]


def test_counter_by_channel_and_campaign_without_the_competitor(store: Store, ws: int) -> None:
    e = why(store, ws, "reach")
    assert (e.answer.value, e.answer.previous_value, e.change) == (650, 450, 200)
    assert rows(e, "channel") == [("tiktok", 300, 150.0), ("instagram", -100, -50.0),
                                  ("youtube", 0, 0.0)]
    assert rows(e, "campaign") == [("ramadan", 150, 75.0), ("", 50, 25.0)]
    assert all("rival" not in c.key for c in e.contributions)
    assert e.rate_effect is None


def test_ratio_rate_and_mix_add_up_to_the_change(store: Store, ws: int) -> None:
    e = why(store, ws, "ctr")
    assert e.answer.previous_value == pytest.approx(40 / 30)
    assert e.answer.value == pytest.approx(1.5)
    assert e.change == pytest.approx(1 / 6)
    # tiktok all mix (+5/12), youtube gone (−1/3, mix), instagram 7/24 rate − 5/24 mix
    assert rows(e, "channel") == [("tiktok", round(5 / 12, 6), 250.0),
                                  ("youtube", round(-1 / 3, 6), -200.0),
                                  ("instagram", round(1 / 12, 6), 50.0)]
    assert e.rate_effect == pytest.approx(7 / 24)
    assert e.mix_effect == pytest.approx(-3 / 24)
    assert e.rate_effect + e.mix_effect == pytest.approx(e.change, abs=1e-12)
    ig = next(c for c in e.contributions if c.key == "instagram")
    assert (ig.rate_effect, ig.mix_effect) == (pytest.approx(7 / 24), pytest.approx(-5 / 24))
    assert rows(e, "campaign") == []  # untagged only: no campaign split


def test_gauge_by_channel(store: Store, ws: int) -> None:
    e = why(store, ws, "followers")
    assert (e.answer.value, e.answer.previous_value, e.change) == (1550, 1500, 50)
    assert rows(e, "channel") == [("instagram", 100, 200.0), ("tiktok", -50, -100.0)]


def test_nothing_to_explain_is_said_plainly(store: Store, ws: int) -> None:
    assert why(store, ws, "saves").reason == ex.NO_PREVIOUS
    assert why(store, ws, "comments").reason == ex.NO_DATA
    none = why(store, ws, "reach", "youtube")
    assert none.reason == ex.NO_CHANGE and none.contributions == []


def test_chat_reply_and_json_shape(app: App, ws: int) -> None:
    reply = app.router.handle(Request(text="kenapa reach naik minggu ini?", platform="cli",
                                      workspace="demo", now=NOW))
    assert reply.intent == "explain"
    assert reply.body[0] == ("Jangkauan naik 200 (+44,4%), terutama dari tiktok: +300, 150% dari "
                             "kenaikan.")
    en = app.router.handle(Request(text="why did ctr rise this week", platform="cli",
                                   workspace="demo", now=NOW))
    assert en.body[0] == ("CTR rose 0,2 pts (+12,5%), mostly from tiktok: +0,4 pts, 250% of "
                          "the rise."), en.body[0]
    d = reply.data
    assert d["metric"] == "reach" and d["value"] == 650 and d["change"] == 200
    assert d["previous"]["value"] == 450  # type: ignore[index]
    assert d["contributions"][0] == {  # type: ignore[index]
        "by": "channel", "key": "tiktok", "value": 400.0, "previous": 100.0, "change": 300.0,
        "share_of_change_pct": 150.0}
    ratio = app.router.handle(Request(text="/why ctr", platform="cli", workspace="demo",
                                      now=NOW)).data
    assert ratio["rate_effect"] + ratio["mix_effect"] == pytest.approx(  # type: ignore[operator]
        ratio["change"], abs=1e-3)


def test_no_previous_data_reply_names_no_driver(app: App, ws: int) -> None:
    reply = app.router.handle(Request(text="/kenapa saves", platform="cli", workspace="demo",
                                      now=NOW))
    assert "Belum ada data periode sebelumnya" in reply.text
    assert reply.data["contributions"] == []
    missing = app.router.handle(Request(text="/kenapa", platform="cli", workspace="demo",
                                        now=NOW))
    assert missing.error == "why_needs_metric"


def test_a_drop_alert_names_its_two_largest_contributors(store: Store) -> None:
    """ER (per post) drops on instagram only: 200 → 40 likes a day on 1.000 followers and a
    post a day, tiktok steady at 400. Week 2–8 Nov: 100 × (1.400 + 2.800) / 14.000 = 30%;
    week 9–15 Nov: 100 × (280 + 2.800) / 14.000 = 22% (−26,7%). By channel: instagram
    20% → 4% at weight ½ both weeks: rate effect −8 points, all of the change."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from bot.alert_views import render
    from kpi_engine.services.alert_explain import DETAIL_KEY, drivers
    from kpi_engine.services.alert_inputs import run_tick

    ws = store.ensure_workspace("erdrop")
    today = D(2026, 11, 22)
    rows = []
    for i in range(61):
        day = today - timedelta(days=60 - i)
        for platform, likes in (("instagram", 200), ("tiktok", 400)):
            if platform == "instagram" and day >= D(2026, 11, 9):
                likes = 40
            rows += [SnapshotRow(day, platform, "", "likes", likes),
                     SnapshotRow(day, platform, "", "followers", 1000.0),
                     SnapshotRow(day, platform, "", "posts", 1.0)]
    store.write_snapshots(ws.id, rows)
    now = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Jakarta"))
    found = run_tick(store, now, render, dry_run=True)
    total = next(q for q in found if q.event.rule.key == "drop" and q.event.subject == "*")
    e = total.event.observation.detail[DETAIL_KEY]
    assert (e.answer.previous_value, e.answer.value) == (pytest.approx(30), pytest.approx(22))
    top = drivers(e)
    assert [(c.key, round(c.change, 6), round(c.share_of_change_pct, 4)) for c in top] == [
        ("instagram", -8.0, 100.0)]
    assert e.rate_effect == pytest.approx(-8) and e.mix_effect == pytest.approx(0)
    text = total.as_json()["text"]
    assert ("Dibanding 2–8 Nov 2026: Engagement rate turun 8,0 poin (−26,7%), terutama dari "
            "instagram: −8,0 poin, 100% dari penurunan. Penyumbang terbesar: instagram "
            "−8,0 poin (100%).") in text, text
    # the instagram rule is one channel: nothing to split by campaign, no driver invented
    ig = next(q for q in found if q.event.rule.key == "drop" and q.event.subject == "instagram")
    assert "Penyumbang" not in ig.as_json()["text"]


def test_a_word_not_understood_is_asked_back_not_dropped(app: App, ws: int) -> None:
    """A misspelt channel or an unknown handle gets the closest reading, never an
    explanation of all channels (the same clarification as /kpi)."""
    typo = app.router.handle(Request(text="knp reach tiktk turun minggu ini?", platform="cli",
                                     workspace="demo", now=NOW))
    assert typo.intent == "error" and typo.error == "unclear", typo.text
    assert "tiktok" in typo.text
    handle = app.router.handle(Request(text="kenapa reach kopinusantara turun minggu ini",
                                       platform="cli", workspace="demo", now=NOW))
    assert handle.intent == "error" and handle.error == "unclear_channel", handle.text
