"""The meaning rules of SPEC §3.1 on every surface, against values computed by hand.

Every expected figure is computed in the test from ``ROWS`` (``total`` and ``level`` below
read the raw rows), never taken from the engine. Fixture week: current = Mon 2026-11-16 ..
Sun 11-22, previous = 11-09 .. 11-15.

Channels: instagram, tiktok, youtube (subscribers, no followers), facebook and linkedin
(own, new this week: no data before 11-16; linkedin records no audience), and one
competitor, instagram:@rival. Campaigns: ``promo`` (instagram) and ``brand`` (tiktok) have
spend; ``affiliate`` (tiktok) has revenue and no spend; tiktok ``promo`` has spend 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import App
from bot.digest_views import render_digest
from kpi_engine.domain.alerts import Rule, WorkspaceData, observe_threshold
from kpi_engine.domain.formulas import ChannelSets, Needs, Span, compute, needs_for
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import answers, series
from kpi_engine.services.digests import build_digest
from kpi_engine.storage.daily_window import fetch_window
from kpi_engine.storage.store import Store
from tests.conftest import Conversation

D = date
CUR = Span(D(2026, 11, 16), D(2026, 11, 22))
PREV = Span(D(2026, 11, 9), D(2026, 11, 15))
WEEK = PeriodQuery(Period(CUR.start, CUR.end, "minggu ini"),
                   Period(PREV.start, PREV.end, "minggu lalu"))
RIVAL = "instagram:@rival"
ENGAGEMENT = ("likes", "comments", "shares", "saves")


def row(day: date, channel: str, metric: str, value: float, campaign: str = "") -> SnapshotRow:
    platform, _, handle = channel.partition(":")
    return SnapshotRow(day, platform, handle, metric, value, campaign,
                       competitor=channel == RIVAL)


ROWS = [
    # audiences (gauges): youtube's subscribers are from September, long before the week
    row(D(2026, 11, 1), "instagram", "followers", 1000),
    row(D(2026, 11, 20), "instagram", "followers", 1200),
    row(D(2026, 11, 5), "tiktok", "followers", 500),
    row(D(2026, 9, 1), "youtube", "subscribers", 300),
    row(D(2026, 11, 20), "facebook", "followers", 700),
    row(D(2026, 11, 1), RIVAL, "followers", 9000),
    # posts and engagement
    row(D(2026, 11, 16), "instagram", "posts", 2),
    row(D(2026, 11, 18), "instagram", "posts", 1),
    row(D(2026, 11, 16), "instagram", "likes", 60),
    row(D(2026, 11, 17), "instagram", "comments", 9),
    row(D(2026, 11, 17), "tiktok", "posts", 2),
    row(D(2026, 11, 17), "tiktok", "likes", 30),
    row(D(2026, 11, 19), "tiktok", "shares", 5),
    row(D(2026, 11, 18), "youtube", "posts", 1),
    row(D(2026, 11, 18), "youtube", "likes", 6),
    row(D(2026, 11, 20), "facebook", "posts", 1),
    row(D(2026, 11, 20), "facebook", "likes", 50),
    row(D(2026, 11, 19), "linkedin", "posts", 1),
    row(D(2026, 11, 19), "linkedin", "likes", 100),  # no audience: left out of ER
    row(D(2026, 11, 16), RIVAL, "posts", 4),
    row(D(2026, 11, 16), RIVAL, "likes", 900),
    # last week: instagram posted, tiktok had likes but no posts
    row(D(2026, 11, 10), "instagram", "posts", 2),
    row(D(2026, 11, 10), "instagram", "likes", 40),
    row(D(2026, 11, 12), "tiktok", "likes", 10),
    # reach: facebook is new this week
    row(D(2026, 11, 16), "instagram", "reach", 1000),
    row(D(2026, 11, 10), "instagram", "reach", 800),
    row(D(2026, 11, 17), "tiktok", "reach", 200),
    row(D(2026, 11, 11), "tiktok", "reach", 250),
    row(D(2026, 11, 20), "facebook", "reach", 300),
    # paid and organic
    row(D(2026, 11, 16), "instagram", "spend", 1000, "promo"),
    row(D(2026, 11, 16), "instagram", "clicks", 50, "promo"),
    row(D(2026, 11, 16), "instagram", "impressions", 20000, "promo"),
    row(D(2026, 11, 16), "instagram", "revenue", 4000, "promo"),
    row(D(2026, 11, 17), "instagram", "clicks", 30),
    row(D(2026, 11, 17), "instagram", "impressions", 5000),
    row(D(2026, 11, 17), "instagram", "revenue", 2000),
    row(D(2026, 11, 18), "tiktok", "spend", 500, "brand"),
    row(D(2026, 11, 18), "tiktok", "clicks", 20, "brand"),
    row(D(2026, 11, 18), "tiktok", "impressions", 8000, "brand"),
    row(D(2026, 11, 18), "tiktok", "revenue", 600, "brand"),
    row(D(2026, 11, 19), "tiktok", "revenue", 700, "affiliate"),
    row(D(2026, 11, 19), "tiktok", "spend", 0, "promo"),
    row(D(2026, 11, 19), "tiktok", "clicks", 10, "promo"),
    # mentions: only instagram has a competitor
    row(D(2026, 11, 16), "instagram", "mentions", 40),
    row(D(2026, 11, 10), "instagram", "mentions", 30),
    row(D(2026, 11, 17), "tiktok", "mentions", 25),
    row(D(2026, 11, 18), "youtube", "mentions", 5),
    row(D(2026, 11, 16), RIVAL, "mentions", 60),
    row(D(2026, 11, 10), RIVAL, "mentions", 90),
]

OWN = ("instagram", "tiktok", "youtube", "facebook", "linkedin")


def total(metric: str, channels: Iterable[str], span: Span,
          campaigns: Iterable[str] | None = None) -> float:
    """Σ of the raw rows of ``metric`` over ``span`` (optionally some campaigns only)."""
    chans, camps = set(channels), None if campaigns is None else set(campaigns)
    return sum(r.value for r in ROWS if r.metric == metric and span.start <= r.day <= span.end
               and (f"{r.platform}:{r.handle}" if r.handle else r.platform) in chans
               and (camps is None or r.campaign in camps))


def level(metric: str, channel: str, day: date) -> float | None:
    """A gauge by hand: the channel's last value on or before ``day``."""
    found = [r for r in ROWS if r.metric == metric and r.day <= day
             and (f"{r.platform}:{r.handle}" if r.handle else r.platform) == channel]
    return max(found, key=lambda r: r.day).value if found else None


def er_by_hand(channels: Iterable[str], span: Span) -> float | None:
    """100 × Σ engagement_c / Σ posts_c × audience_c over channels with posts and audience."""
    num = den = 0.0
    for c in channels:
        posts = total("posts", [c], span)
        audience = level("followers", c, span.end) or level("subscribers", c, span.end)
        if posts and audience:
            num += sum(total(m, [c], span) for m in ENGAGEMENT)
            den += posts * audience
    return 100 * num / den if den else None


@pytest.fixture
def ws(store: Store) -> int:
    workspace = store.ensure_workspace("meaning")
    store.write_snapshots(workspace.id, ROWS)
    return workspace.id


def ask(store: Store, ws: int, metric: str, channel: str | None = None,
        campaign: str | None = None) -> answers.KpiAnswer:
    return answers.kpi(store, ws, store.channels(ws), metric, WEEK, channel, campaign)


# -- engagement rate per post, by audience --------------------------------------------------

def test_engagement_rate_is_per_post_by_audience_channel_by_channel(store: Store,
                                                                     ws: int) -> None:
    a = ask(store, ws, "engagement_rate")
    expected = er_by_hand(OWN, CUR)
    # by hand: (69 + 35 + 6 + 50) / (3·1200 + 2·500 + 1·300 + 1·700); linkedin has no audience
    assert expected == pytest.approx(100 * 160 / 5600)
    assert a.value == pytest.approx(expected)
    assert a.previous_value == pytest.approx(er_by_hand(OWN, PREV))  # instagram alone
    assert ask(store, ws, "engagement_rate", "tiktok").value == pytest.approx(
        er_by_hand(["tiktok"], CUR))
    yt = ask(store, ws, "engagement_rate", "youtube")  # subscribers stand in for followers
    assert yt.value == pytest.approx(100 * 6 / (1 * 300))


def test_engagement_rate_without_posts_suggests_err(store: Store, ws: int) -> None:
    a = ask(store, ws, "engagement_rate", "tiktok")
    assert a.previous_value is None and a.prior.reason == "no_posts"
    none = ask(store, ws, "engagement_rate", "linkedin")  # posts but no audience
    assert none.value is None and none.reason == "no_audience"


def test_engagement_per_follower_keeps_the_old_period_total(store: Store, ws: int) -> None:
    a = ask(store, ws, "engagement_per_follower", "instagram")
    assert a.value == pytest.approx(100 * (60 + 9) / 1200)
    assert METRICS["engagement_per_follower"] is not None
    from kpi_engine.domain.metrics import resolve

    assert resolve("interaksi per pengikut").key == "engagement_per_follower"  # type: ignore[union-attr]
    assert resolve("engagement per follower").key == "engagement_per_follower"  # type: ignore[union-attr]


# -- paid-only cost ratios -------------------------------------------------------------------

PAID = ("promo", "brand")  # the pairs with spend > 0 (tiktok promo has spend 0)


def test_cost_ratios_take_both_terms_from_paid_pairs(store: Store, ws: int) -> None:
    spend = total("spend", OWN, CUR, PAID)
    revenue = total("revenue", ["instagram"], CUR, ["promo"]) + \
        total("revenue", ["tiktok"], CUR, ["brand"])
    clicks = total("clicks", ["instagram"], CUR, ["promo"]) + \
        total("clicks", ["tiktok"], CUR, ["brand"])
    impressions = total("impressions", ["instagram"], CUR, ["promo"]) + \
        total("impressions", ["tiktok"], CUR, ["brand"])
    assert ask(store, ws, "cpc").value == pytest.approx(spend / clicks)  # 1500 / 70
    assert ask(store, ws, "cpm").value == pytest.approx(1000 * spend / impressions)
    assert ask(store, ws, "roas").value == pytest.approx(revenue / spend)
    roi = ask(store, ws, "roi")
    assert roi.value == pytest.approx(100 * (revenue - spend) / spend)
    assert roi.paid_campaigns == ("brand", "promo")
    # asked alone, revenue and clicks still count everything (organic and affiliate too)
    assert ask(store, ws, "revenue").value == total("revenue", OWN, CUR)
    assert ask(store, ws, "clicks").value == total("clicks", OWN, CUR)
    tiktok = ask(store, ws, "cpc", "tiktok")
    assert tiktok.value == pytest.approx(500 / 20) and tiktok.paid_campaigns == ("brand",)


def test_cost_ratio_without_spend_says_so(store: Store, ws: int) -> None:
    a = ask(store, ws, "roi", "youtube")
    assert a.value is None and a.reason == "no_spend"


# -- share of voice --------------------------------------------------------------------------

def test_share_of_voice_is_one_number_everywhere(store: Store, ws: int) -> None:
    own, rival = total("mentions", ["instagram"], CUR), total("mentions", [RIVAL], CUR)
    expected = 100 * own / (own + rival)
    assert ask(store, ws, "share_of_voice", "instagram").value == pytest.approx(expected)
    assert ask(store, ws, "share_of_voice").value == pytest.approx(expected)  # summary scope
    summary = answers.summary(store, ws, store.channels(ws), WEEK)
    by_key = {x.metric.key: x for _, items in summary.sections for x in items}
    assert by_key["share_of_voice"].value == pytest.approx(expected)
    c = answers.compare(store, ws, store.channels(ws), "share_of_voice", WEEK)
    rows = {(r.channel.name if r.channel else None): r.answer for r in c.rows}
    assert rows["instagram"].value == pytest.approx(expected)
    assert rows[RIVAL].value == pytest.approx(100 * rival / (own + rival))
    assert rows[None].value == pytest.approx(expected)
    for name in ("tiktok", "youtube"):
        assert rows[name].value is None and rows[name].reason == "no_competitor"
    tiktok = ask(store, ws, "share_of_voice", "tiktok")
    assert tiktok.value is None and tiktok.reason == "no_competitor"
    assert ask(store, ws, "share_of_voice", RIVAL).value == pytest.approx(rows[RIVAL].value)


# -- like-for-like totals --------------------------------------------------------------------

def test_new_channels_are_left_out_of_the_change(store: Store, ws: int) -> None:
    reach = ask(store, ws, "reach")
    assert reach.value == total("reach", OWN, CUR)  # the value still counts facebook
    assert reach.left_out == ("facebook",)
    kept = total("reach", ["instagram", "tiktok"], CUR)
    before = total("reach", ["instagram", "tiktok"], PREV)
    assert reach.change_pct == pytest.approx(100 * (kept - before) / before)
    followers = ask(store, ws, "followers")
    assert followers.left_out == ("facebook",)
    assert followers.change_pct == pytest.approx(100 * (1200 + 500 - 1500) / 1500)
    er = ask(store, ws, "engagement_rate")
    assert set(er.left_out) == {"facebook", "linkedin"}
    assert er.change_points == pytest.approx(
        er_by_hand(["instagram", "tiktok", "youtube"], CUR) - er_by_hand(OWN, PREV))  # type: ignore[operator]
    assert ask(store, ws, "reach", "instagram").left_out == ()  # one channel: nothing to do


def test_compare_total_line_is_like_for_like(store: Store, ws: int) -> None:
    c = answers.compare(store, ws, store.channels(ws), "reach", WEEK)
    total_row = next(r.answer for r in c.rows if r.channel is None)
    assert total_row.left_out == ("facebook",)
    before = total("reach", ["instagram", "tiktok"], PREV)
    assert total_row.change_pct == pytest.approx(
        100 * (total("reach", ["instagram", "tiktok"], CUR) - before) / before)


# -- gauges: one look-back rule -------------------------------------------------------------

def test_gauges_look_back_without_limit_everywhere(store: Store, ws: int) -> None:
    a = ask(store, ws, "subscribers")
    assert a.value == 300 and a.as_of == "2026-09-01"
    needs = needs_for(METRICS["subscribers"], CUR)
    with store.connect() as conn:
        window = fetch_window(conn, CUR.start, CUR.end, counters=[], gauges=["subscribers"],
                              gauge_start=CUR.start)
        points = series.daily_series(conn, ws, answers.resolve_scope(
            store.channels(ws), "youtube").sets, "subscribers", CUR.start, CUR.end)
    yt = next(c for c in store.channels(ws) if c.platform == "youtube")
    value = compute(METRICS["subscribers"], CUR, window.terms(ws, [yt.id], needs),
                    ChannelSets((yt.id,)))
    assert (value.value, value.as_of) == (300, D(2026, 9, 1))
    assert [v for _, v in points] == [300] * 7


# -- charts: points on the same definitions as the headline ---------------------------------

def test_chart_points_follow_the_same_rules(store: Store, ws: int) -> None:
    chans = store.channels(ws)
    er = series.chart_data(store, ws, chans, "engagement_rate", WEEK)
    assert dict(er.current) == {d: er_by_hand(OWN, Span(d, d))
                                for d in (CUR.start + timedelta(days=i) for i in range(7))}
    assert dict(er.current)[D(2026, 11, 18)] == pytest.approx(100 * 6 / (1 * 1000 + 1 * 300))
    cpc = dict(series.chart_data(store, ws, chans, "cpc", WEEK).current)
    assert cpc[D(2026, 11, 16)] == pytest.approx(1000 / 50)
    assert cpc[D(2026, 11, 17)] is None  # organic clicks only that day
    assert cpc[D(2026, 11, 18)] == pytest.approx(500 / 20)
    sov = dict(series.chart_data(store, ws, chans, "share_of_voice", WEEK).current)
    assert sov[D(2026, 11, 16)] == pytest.approx(100 * 40 / (40 + 60))
    assert all(v is None for v in dict(series.chart_data(store, ws, chans, "share_of_voice",
                                                         WEEK, "tiktok").current).values())


# -- alerts and digests ----------------------------------------------------------------------

def test_alert_inputs_give_the_kpi_numbers(store: Store, ws: int) -> None:
    chans = store.channels(ws)
    keys = ("engagement_rate", "cpc", "roi", "share_of_voice", "followers")
    needs = Needs()
    for k in keys:
        needs_for(METRICS[k], CUR, needs)
    with store.connect() as conn:
        window = fetch_window(conn, CUR.start, CUR.end,
                              counters={m for m, _, _ in needs.sums},
                              gauges={m for m, _ in needs.lasts}, gauge_start=CUR.start)
    terms = window.terms(ws, [c.id for c in chans], needs)
    sets = answers.resolve_scope(chans, None).sets
    assert compute(METRICS["engagement_rate"], CUR, terms, sets).value == pytest.approx(
        er_by_hand(OWN, CUR))
    assert compute(METRICS["cpc"], CUR, terms, sets).value == pytest.approx(1500 / 70)
    own, rival = total("mentions", ["instagram"], CUR), total("mentions", [RIVAL], CUR)
    assert compute(METRICS["share_of_voice"], CUR, terms, sets).value == pytest.approx(
        100 * own / (own + rival))
    for k in keys:
        assert compute(METRICS[k], CUR, terms, sets).value == pytest.approx(
            ask(store, ws, k).value)


def test_threshold_alert_on_engagement_rate_uses_per_post(store: Store, ws: int) -> None:
    chans = store.channels(ws)
    ws_obj = next(w for w in store.workspaces() if w.id == ws)
    day = Span(D(2026, 11, 18), D(2026, 11, 18))
    needs = needs_for(METRICS["engagement_rate"], day)
    with store.connect() as conn:
        window = fetch_window(conn, day.start, day.end, counters={m for m, _, _ in needs.sums},
                              gauges={m for m, _ in needs.lasts}, gauge_start=day.start)
    data = WorkspaceData(ws_obj, D(2026, 11, 19), chans,
                         window.terms(ws, [c.id for c in chans], needs))
    rule = Rule(key="t", kind="threshold", metric="engagement_rate", op="<", value=1.0)
    (obs,) = observe_threshold(rule, data)
    assert obs.value == pytest.approx(er_by_hand(OWN, day))  # 100·6 / (1000 + 300)
    assert obs.firing is True  # 0,46 % < 1 %


def test_digest_numbers_are_like_for_like(app: App) -> None:
    ws = app.store.ensure_workspace("meaning")
    app.store.write_snapshots(ws.id, ROWS)
    now = datetime(2026, 11, 23, 8, tzinfo=ZoneInfo("Asia/Jakarta"))
    digest = build_digest(app.store, ws, "daily", D(2026, 11, 23), now)
    week = {row[0].metric.key: row[1] for _, rows in digest.sections for row in rows}
    assert week["engagement_rate"].value == pytest.approx(er_by_hand(OWN, CUR))
    assert week["reach"].left_out == ("facebook",)
    before = total("reach", ["instagram", "tiktok"], PREV)
    assert week["reach"].change_pct == pytest.approx(
        100 * (total("reach", ["instagram", "tiktok"], CUR) - before) / before)
    assert week["roi"].value == pytest.approx(100 * (4600 - 1500) / 1500)
    metrics = {m["metric"]: m for m in digest.as_json()["metrics"]}
    assert metrics["reach"]["periods"][1]["left_out"] == ["facebook"]
    # tiktok's followers were last recorded on 5 Nov: the digest says so, like /kpi
    assert metrics["followers"]["periods"][1]["as_of"] == "2026-11-05"
    assert week["followers"].value == level("followers", "instagram", CUR.end) + \
        level("followers", "tiktok", CUR.end) + level("followers", "facebook", CUR.end)  # type: ignore[operator]
    text = render_digest(digest, chart=False).reply.text
    assert "tercatat 5 Nov 2026" in text and "facebook" in text
    assert "Hanya kampanye berbayar: brand, promo." in text


# -- replies ---------------------------------------------------------------------------------

def test_replies_name_paid_campaigns_left_out_channels_and_reasons(app: App) -> None:
    ws = app.store.ensure_workspace("meaning")
    app.store.write_snapshots(ws.id, ROWS)
    now = datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Jakarta"))

    def ask_json(text: str, lang: str = "id") -> dict[str, object]:
        reply = Conversation(app, now, workspace="meaning", lang=lang).reply(text)
        return {"text": reply.text, **reply.data}

    cpc = ask_json("/kpi cpc minggu ini")
    assert cpc["paid_campaigns"] == ["brand", "promo"]
    assert "brand, promo" in str(cpc["text"])
    reach = ask_json("/kpi reach minggu ini")
    assert reach["left_out"] == ["facebook"] and "facebook" in str(reach["text"])
    sov = ask_json("/kpi sov tiktok minggu ini")
    assert sov["value"] is None and sov["reason"] == "no_competitor"
    assert "pesaing" in str(sov["text"])
    er = ask_json("/kpi er linkedin minggu ini", "en")
    assert er["reason"] == "no_audience" and "err" in str(er["text"])
    roi = ask_json("/roi minggu ini")
    assert roi["organic_revenue"] == pytest.approx(total("revenue", OWN, CUR) - 4600)
    assert roi["paid_revenue"] == pytest.approx(4600)
    assert "organik" in str(roi["text"])
