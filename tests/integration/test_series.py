"""Daily series (kpi_engine.services.series) against values computed by hand, on SQLite and PostgreSQL,
and against the period engine (a day's point = the metric over that one day)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kpi_engine.domain.formulas import ChannelSets
from kpi_engine.domain.metrics import CATALOGUE
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import answers
from kpi_engine.services.answers import resolve_scope
from kpi_engine.services.seed import seed_demo
from kpi_engine.services.series import chart_data, daily_series
from kpi_engine.storage.store import Store
from tests.integration.test_engine import count_statements

D = date(2026, 11, 10)  # the span is D .. D+4 (10–14 Nov)
END = D + timedelta(days=4)
NONE5 = [None] * 5


def day(n: int) -> date:
    return D + timedelta(days=n)


def row(n: int, platform: str, metric: str, value: float, handle: str = "",
        campaign: str = "") -> SnapshotRow:
    return SnapshotRow(day(n), platform, handle, metric, value, campaign,
                       competitor=True if handle else None)


ROWS = [
    # reach, a counter with gaps; the rival's and out-of-span rows must not count
    row(0, "instagram", "reach", 100), row(2, "instagram", "reach", 50),
    row(2, "tiktok", "reach", 30), row(4, "tiktok", "reach", 0),
    row(1, "instagram", "reach", 999, "@rival"),
    row(-1, "instagram", "reach", 7), row(5, "instagram", "reach", 8),
    row(3, "instagram", "reach", 40, campaign="gajian"),
    # followers, a gauge: instagram has values before the span (the last one counts)
    row(-9, "instagram", "followers", 900), row(-5, "instagram", "followers", 1000),
    row(2, "instagram", "followers", 1010),
    row(1, "tiktok", "followers", 500), row(3, "tiktok", "followers", 490),
    row(0, "instagram", "followers", 9000, "@rival"),
    row(6, "instagram", "followers", 2000),  # after the span: never used
    # engagement parts
    row(0, "instagram", "likes", 20), row(0, "instagram", "comments", 5),
    row(1, "tiktok", "likes", 15),
    # ctr: a zero denominator (day 1), a missing one (day 2), several channels (day 4)
    row(0, "instagram", "impressions", 1000), row(0, "instagram", "clicks", 20),
    row(1, "instagram", "impressions", 0), row(1, "instagram", "clicks", 5),
    row(2, "instagram", "clicks", 3), row(3, "instagram", "impressions", 500),
    row(4, "instagram", "impressions", 300), row(4, "tiktok", "impressions", 200),
    row(4, "instagram", "clicks", 10), row(4, "tiktok", "clicks", 15),
    # mentions: own and the competitor's
    row(0, "instagram", "mentions", 30), row(0, "tiktok", "mentions", 10),
    row(0, "instagram", "mentions", 60, "@rival"), row(1, "instagram", "mentions", 20, "@rival"),
]


@pytest.fixture
def ws(store: Store) -> int:
    workspace = store.ensure_workspace("acme")
    store.write_snapshots(workspace.id, ROWS)
    return workspace.id


def series(store: Store, ws: int, metric: str, channel: str | None = None,
           campaign: str | None = None, start: date = D, end: date = END) -> list[float | None]:
    scope = resolve_scope(store.channels(ws), channel)
    with store.connect() as conn:
        points = daily_series(conn, ws, scope.sets, metric, start, end, campaign)
    assert [d for d, _ in points] == [start + timedelta(days=i)
                                      for i in range((end - start).days + 1)]
    return [v for _, v in points]


def approx(values: list[float | None]) -> list[object]:
    return [None if v is None else pytest.approx(v) for v in values]


def test_counter_sums_channels_per_day_with_gaps(store: Store, ws: int) -> None:
    assert series(store, ws, "reach") == [100, None, 80, 40, 0]
    assert series(store, ws, "reach", "tiktok") == [None, None, 30, None, 0]
    assert series(store, ws, "reach", campaign="gajian") == [None, None, None, 40, None]
    assert series(store, ws, "reach", campaign="") == [100, None, 80, None, 0]


def test_gauge_carries_forward_from_before_the_span(store: Store, ws: int) -> None:
    assert series(store, ws, "followers") == [1000, 1500, 1510, 1500, 1500]
    assert series(store, ws, "followers", "tiktok") == [None, 500, 500, 490, 490]
    assert series(store, ws, "followers", "instagram:@rival") == [9000] * 5


def test_follower_growth_is_the_daily_change_of_the_level(store: Store, ws: int) -> None:
    assert series(store, ws, "follower_growth") == [0, 500, 10, -10, 0]
    assert series(store, ws, "follower_growth", "instagram") == [0, 0, 10, 0, 0]
    assert series(store, ws, "follower_growth_rate", "instagram") == approx([0, 0, 1.0, 0, 0])
    # tiktok has no level before day 1: no growth on day 0 nor day 1 (nothing to compare)
    assert series(store, ws, "follower_growth", "tiktok") == [None, None, 0, -10, 0]


def test_ratio_by_day_from_each_sides_kind(store: Store, ws: int) -> None:
    # engagement that day / followers level that day (engagement_per_follower: the old
    # engagement rate); the engagement rate is per post (SPEC §3.1) and there are no posts
    assert series(store, ws, "engagement") == [25, 15, None, None, None]
    assert series(store, ws, "engagement_per_follower") == approx([2.5, 1.0, None, None, None])
    assert series(store, ws, "engagement_rate") == NONE5
    # zero denominator (day 1), missing denominator (2), missing numerator (3), two channels (4)
    assert series(store, ws, "ctr") == approx([2.0, None, None, None, 5.0])


def test_mentions_share_of_voice_and_competitors(store: Store, ws: int) -> None:
    assert series(store, ws, "mentions") == [40, None, None, None, None]
    assert series(store, ws, "competitor_mentions") == [60, 20, None, None, None]
    # SPEC §3.1: against the competitors on the same platforms — instagram's 30 against the
    # rival's 60; tiktok's 10 have no competitor to be compared with
    assert series(store, ws, "share_of_voice") == approx([100 * 30 / 90, None, None, None, None])
    assert series(store, ws, "share_of_voice", "tiktok") == NONE5


def test_no_channels_and_unknown_metric_days(store: Store) -> None:
    ws = store.ensure_workspace("empty").id
    with store.connect() as conn:
        assert [v for _, v in daily_series(conn, ws, ChannelSets(()), "reach", D, END)] == NONE5
    assert series(store, ws, "engagement_rate") == NONE5


def test_chart_data_is_one_statement_for_both_periods(store: Store, ws: int) -> None:
    channels = store.channels(ws)
    pq = PeriodQuery(Period(day(3), day(4), "x"), Period(day(0), day(1), "y"))
    with count_statements(store.engine) as seen:
        data = chart_data(store, ws, channels, "engagement_per_follower", pq)
    assert len(seen) == 1 and seen[0].count("GROUP BY") >= 2
    assert data.current == [(day(3), None), (day(4), None)]
    assert [v for _, v in data.previous] == approx([2.5, 1.0])
    with count_statements(store.engine) as seen:
        data = chart_data(store, ws, channels, "followers", pq, "tiktok")
    assert len(seen) == 1
    assert [v for _, v in data.current] == [490, 490]
    assert [v for _, v in data.previous] == [None, 500]
    assert data.scope_label == "tiktok"
    with pytest.raises(answers.UnknownChannel):
        chart_data(store, ws, channels, "reach", pq, "snapchat")


TODAY = date(2026, 11, 22)


def test_each_point_equals_the_metric_over_that_one_day(store: Store) -> None:
    """On the demo brand, every metric of the catalogue: the series' point for day d is
    the engine's answer for the period [d, d] (and the first day's growth needs the day
    before the span)."""
    ws, _ = seed_demo(store, TODAY)
    channels = store.channels(ws.id)
    start, end = TODAY - timedelta(days=3), TODAY
    scope = resolve_scope(channels, None)
    for metric in CATALOGUE:
        with store.connect() as conn:
            points = daily_series(conn, ws.id, scope.sets, metric.key, start, end)
        for d, value in points[::2] + points[-1:]:
            pq = PeriodQuery(Period(d, d), Period(d - timedelta(days=1), d - timedelta(days=1)))
            expected = answers.kpi(store, ws.id, channels, metric.key, pq).value
            assert expected is not None, metric.key
            assert value == pytest.approx(expected), (metric.key, d)
