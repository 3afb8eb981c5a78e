"""Engine values (SPEC §3) against values computed by hand from a small fixture.

Fixture week: current = Mon 2026-11-16 .. Sun 2026-11-22, previous = 2026-11-09 .. 11-15.
Channels: instagram and tiktok (own), instagram:@rival (competitor).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Engine, event

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import answers
from kpi_engine.storage.store import Store

D = date
WEEK = PeriodQuery(Period(D(2026, 11, 16), D(2026, 11, 22), "minggu ini"),
                   Period(D(2026, 11, 9), D(2026, 11, 15), "minggu lalu"))


def row(day: date, channel: str, metric: str, value: float, campaign: str = "") -> SnapshotRow:
    platform, _, handle = channel.partition(":")
    return SnapshotRow(day, platform, handle, metric, value, campaign,
                       competitor=handle == "@rival")


ROWS = [
    # reach (counter): own this week 100 + 50 + 10 + 5 = 165; last week 70; rival 999
    row(D(2026, 11, 16), "instagram", "reach", 100),
    row(D(2026, 11, 17), "instagram", "reach", 50),
    row(D(2026, 11, 10), "instagram", "reach", 70),
    row(D(2026, 11, 16), "tiktok", "reach", 10),
    row(D(2026, 11, 22), "tiktok", "reach", 5),
    row(D(2026, 11, 16), "instagram:@rival", "reach", 999),
    # followers (gauge): ig 1000 → 1100 (18th) → 1150 (20th); tiktok 500 since the 5th (stale)
    row(D(2026, 11, 1), "instagram", "followers", 1000),
    row(D(2026, 11, 18), "instagram", "followers", 1100),
    row(D(2026, 11, 20), "instagram", "followers", 1150),
    row(D(2026, 11, 5), "tiktok", "followers", 500),
    row(D(2026, 11, 16), "instagram:@rival", "followers", 9000),
    # engagement parts: this week ig 20 + 2 + 3 + 5, tiktok 10 → 40; last week ig 8
    row(D(2026, 11, 16), "instagram", "likes", 20),
    row(D(2026, 11, 16), "instagram", "comments", 2),
    row(D(2026, 11, 16), "instagram", "shares", 3),
    row(D(2026, 11, 16), "instagram", "saves", 5),
    row(D(2026, 11, 17), "tiktok", "likes", 10),
    row(D(2026, 11, 12), "instagram", "likes", 8),
    row(D(2026, 11, 16), "instagram:@rival", "likes", 500),
    # mentions: own 10 + 5 = 15; rival 30; 5 stored as competitor_mentions → SOV 15/50
    row(D(2026, 11, 16), "instagram", "mentions", 10),
    row(D(2026, 11, 17), "tiktok", "mentions", 5),
    row(D(2026, 11, 16), "instagram:@rival", "mentions", 30),
    row(D(2026, 11, 18), "instagram", "competitor_mentions", 5),
    # paid: two campaigns on instagram
    row(D(2026, 11, 16), "instagram", "impressions", 0),
    row(D(2026, 11, 16), "instagram", "impressions", 50000, "ramadan"),
    row(D(2026, 11, 16), "instagram", "clicks", 100, "ramadan"),
    row(D(2026, 11, 16), "instagram", "spend", 1000, "ramadan"),
    row(D(2026, 11, 16), "instagram", "revenue", 3000, "ramadan"),
    row(D(2026, 11, 17), "instagram", "spend", 500, "gajian"),
    row(D(2026, 11, 17), "instagram", "revenue", 500, "gajian"),
    # satisfaction: 8 of 10 satisfied; issues opened 0 → resolution rate has no value
    row(D(2026, 11, 19), "instagram", "csat_responses", 10),
    row(D(2026, 11, 19), "instagram", "csat_satisfied", 8),
    row(D(2026, 11, 19), "instagram", "issues_opened", 0),
    row(D(2026, 11, 19), "instagram", "issues_resolved", 2),
]


@pytest.fixture
def ws(store: Store) -> int:
    workspace = store.ensure_workspace("t")
    store.write_snapshots(workspace.id, ROWS)
    return workspace.id


def ask(store: Store, ws: int, metric: str, channel: str | None = None,
        campaign: str | None = None, pq: PeriodQuery = WEEK) -> answers.KpiAnswer:
    return answers.kpi(store, ws, store.channels(ws), metric, pq, channel, campaign)


def test_counter_sums_own_channels_only(store: Store, ws: int) -> None:
    a = ask(store, ws, "reach")
    assert a.value == 165
    assert a.previous_value == 70
    # like for like (SPEC §3.1): tiktok has no reach last week, so the change is instagram's
    assert a.left_out == ("tiktok",)
    assert a.change_pct == pytest.approx(100 * (150 - 70) / 70)
    assert a.change_points is None


def test_counter_named_channel_and_competitor(store: Store, ws: int) -> None:
    assert ask(store, ws, "reach", "instagram").value == 150
    assert ask(store, ws, "reach", "ig").value == 150
    assert ask(store, ws, "reach", "tiktok").value == 15
    assert ask(store, ws, "reach", "instagram:@rival").value == 999
    assert ask(store, ws, "reach", "@rival").value == 999


def test_gauge_takes_last_value_and_reports_stale_day(store: Store, ws: int) -> None:
    a = ask(store, ws, "followers")
    assert a.value == 1150 + 500
    assert a.previous_value == 1000 + 500
    assert a.change_pct == pytest.approx(10.0)
    assert a.as_of == "2026-11-05"  # tiktok's last value is older than the period's start
    ig = ask(store, ws, "followers", "instagram")
    assert ig.value == 1150
    assert ig.as_of is None


def test_gauge_ignores_values_after_the_period(store: Store, ws: int) -> None:
    last_week = PeriodQuery(WEEK.previous, Period(D(2026, 11, 2), D(2026, 11, 8)))
    assert ask(store, ws, "followers", "instagram", pq=last_week).value == 1000


def test_derived_counter_engagement(store: Store, ws: int) -> None:
    a = ask(store, ws, "engagement")
    assert a.value == 20 + 2 + 3 + 5 + 10
    assert a.previous_value == 8


def test_ratio_from_summed_parts_with_points(store: Store, ws: int) -> None:
    # the old engagement rate (period engagement / followers) is engagement_per_follower now
    a = ask(store, ws, "engagement_per_follower")
    assert a.value == pytest.approx(100 * 40 / 1650)
    assert a.previous_value == pytest.approx(100 * 8 / 1500)
    assert a.change_points == pytest.approx(100 * 40 / 1650 - 100 * 8 / 1500)


def test_engagement_rate_without_posts_has_no_value_and_says_why(store: Store, ws: int) -> None:
    a = ask(store, ws, "engagement_rate")  # the fixture records no posts (SPEC §3.1)
    assert a.value is None
    assert a.reason == "no_posts"


def test_ratio_zero_or_missing_denominator_has_no_value(store: Store, ws: int) -> None:
    assert ask(store, ws, "resolution_rate").value is None  # issues_opened = 0
    assert ask(store, ws, "virality_rate").value == pytest.approx(100 * 3 / 50000)
    assert ask(store, ws, "conversion_rate").value is None  # clicks but no conversions
    assert ask(store, ws, "roas").previous_value is None  # no spend last week
    a = ask(store, ws, "ctr")
    assert a.value == pytest.approx(100 * 100 / 50000)
    assert a.previous_value is None
    assert a.change_pct is None


def test_follower_growth_and_rate(store: Store, ws: int) -> None:
    g = ask(store, ws, "follower_growth")
    assert g.value == (1150 + 500) - (1000 + 500)
    r = ask(store, ws, "follower_growth_rate")
    assert r.value == pytest.approx(100 * 150 / 1500)


def test_share_of_voice_and_competitor_mentions(store: Store, ws: int) -> None:
    assert ask(store, ws, "competitor_mentions").value == 30 + 5
    sov = ask(store, ws, "share_of_voice")
    # SPEC §3.1: only instagram has a competitor, so tiktok's 5 mentions are not in it
    assert sov.value == pytest.approx(100 * 10 / (10 + 30 + 5))
    assert ask(store, ws, "share_of_voice", "instagram").value == sov.value
    tiktok = ask(store, ws, "share_of_voice", "tiktok")
    assert tiktok.value is None and tiktok.reason == "no_competitor"


def test_paid_metrics_across_and_within_campaigns(store: Store, ws: int) -> None:
    assert ask(store, ws, "spend").value == 1500
    assert ask(store, ws, "roi").value == pytest.approx(100 * (3500 - 1500) / 1500)
    assert ask(store, ws, "roas").value == pytest.approx(3500 / 1500)
    assert ask(store, ws, "cpc").value == pytest.approx(1500 / 100)
    assert ask(store, ws, "cpm").value == pytest.approx(1000 * 1500 / 50000)
    assert ask(store, ws, "roi", campaign="ramadan").value == pytest.approx(200.0)
    assert ask(store, ws, "cpc", campaign="ramadan").value == pytest.approx(10.0)
    assert ask(store, ws, "spend", campaign="gajian").value == 500


def test_csat_ratio(store: Store, ws: int) -> None:
    assert ask(store, ws, "csat").value == pytest.approx(80.0)


def test_no_data_is_none_not_zero(store: Store, ws: int) -> None:
    a = ask(store, ws, "views")
    assert a.value is None and a.previous_value is None and a.change_pct is None


def test_summary_has_four_categories(store: Store, ws: int) -> None:
    s = answers.summary(store, ws, store.channels(ws), WEEK)
    cats = [c.value for c, _ in s.sections]
    assert cats == ["reach", "engagement", "conversion", "satisfaction"]
    by_key = {a.metric.key: a for _, items in s.sections for a in items}
    assert by_key["reach"].value == 165
    assert by_key["engagement_rate"].value is None  # no posts in the fixture
    assert by_key["csat"].value == pytest.approx(80.0)


def test_compare_per_channel_with_competitor_and_total(store: Store, ws: int) -> None:
    c = answers.compare(store, ws, store.channels(ws), "reach", WEEK)
    values = {(r.channel.name if r.channel else None): r for r in c.rows}
    assert values["instagram"].answer.value == 150
    assert values["tiktok"].answer.value == 15
    assert values["instagram:@rival"].answer.value == 999
    assert values["instagram:@rival"].channel.is_competitor  # type: ignore[union-attr]
    assert values[None].answer.value == 165  # own channels only
    assert values["instagram"].share_pct == pytest.approx(100 * 150 / 165)


def test_compare_share_of_voice_splits_all_mentions(store: Store, ws: int) -> None:
    c = answers.compare(store, ws, store.channels(ws), "share_of_voice", WEEK)
    values = {(r.channel.name if r.channel else None): r.answer.value for r in c.rows}
    assert values["instagram"] == pytest.approx(100 * 10 / 45)
    assert values["instagram:@rival"] == pytest.approx(100 * 30 / 45)
    assert values["tiktok"] is None  # no competitor tracked on tiktok (SPEC §3.1)
    # the total is the summary's number: instagram's, the one platform with a competitor
    assert values[None] == pytest.approx(100 * 10 / 45)


def test_unknown_channel(store: Store, ws: int) -> None:
    with pytest.raises(answers.UnknownChannel) as err:
        ask(store, ws, "reach", "snapchat")
    assert "instagram" in err.value.known


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_c: object, _cur: object, statement: str, *_a: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_one_statement_per_question(store: Store, ws: int) -> None:
    chans = store.channels(ws)
    for run in (
        lambda: answers.kpi(store, ws, chans, "engagement_rate", WEEK),
        lambda: answers.kpi(store, ws, chans, "share_of_voice", WEEK),
        lambda: answers.summary(store, ws, chans, WEEK),
        lambda: answers.compare(store, ws, chans, "followers", WEEK),
    ):
        with count_statements(store.engine) as seen:
            run()
        assert len(seen) == 1, seen
