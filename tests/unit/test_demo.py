"""The demo brand: deterministic, plausible and internally consistent every day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from statistics import median

import pytest

from kpi_engine.domain.metrics import STORED_METRICS
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.demo import (
    CAMPAIGNS,
    COMPETITOR_HANDLE,
    DEMO_NAME,
    DEMO_SLUG,
    campaign_window,
    demo_rows,
    engagement_dip_week,
)

TODAY = date(2026, 5, 14)  # a Thursday
# One `today` on every weekday, so week-aligned features (the dip) are checked for all.
TODAYS = [TODAY + timedelta(days=i) for i in range(7)]

ChannelDay = tuple[date, str, str]  # day, platform, handle
ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves")


@pytest.fixture(scope="module")
def rows() -> list[SnapshotRow]:
    return demo_rows(TODAY)


def organic(rows: list[SnapshotRow]) -> dict[ChannelDay, dict[str, float]]:
    out: dict[ChannelDay, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if r.campaign == "":
            out[(r.day, r.platform, r.handle)][r.metric] = r.value
    return out


def paid(rows: list[SnapshotRow]) -> dict[tuple[ChannelDay, str], dict[str, float]]:
    out: dict[tuple[ChannelDay, str], dict[str, float]] = defaultdict(dict)
    for r in rows:
        if r.campaign:
            out[((r.day, r.platform, r.handle), r.campaign)][r.metric] = r.value
    return out


def channel_totals(rows: list[SnapshotRow]) -> dict[ChannelDay, dict[str, float]]:
    """Counters summed over organic and campaign rows, per channel and day."""
    out: dict[ChannelDay, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        out[(r.day, r.platform, r.handle)][r.metric] += r.value
    return out


def weekly_own_engagement(rows: list[SnapshotRow]) -> dict[date, float]:
    """Own channels' engagement per calendar week (keyed by its Monday)."""
    weeks: dict[date, float] = defaultdict(float)
    for r in rows:
        if not r.competitor and r.metric in ENGAGEMENT_PARTS:
            weeks[r.day - timedelta(days=r.day.weekday())] += r.value
    return weeks


# --- API and determinism ---------------------------------------------------------------------

def test_constants() -> None:
    assert DEMO_SLUG == "demo"
    assert DEMO_NAME
    assert len(CAMPAIGNS) == 2
    assert all(c == c.lower() and c.isidentifier() for c in CAMPAIGNS)


def test_deterministic(rows: list[SnapshotRow]) -> None:
    assert demo_rows(TODAY) == rows
    assert demo_rows(TODAY + timedelta(days=1)) != rows


def test_a_week_later_is_the_same_data_shifted() -> None:
    week = timedelta(days=7)
    shifted = [r._replace(day=r.day + week) for r in demo_rows(TODAY)]
    assert demo_rows(TODAY + week) == shifted


def test_shorter_window_is_the_tail_of_the_longer(rows: list[SnapshotRow]) -> None:
    short = demo_rows(TODAY, days=30)
    start = TODAY - timedelta(days=29)
    assert sorted(short) == sorted(r for r in rows if r.day >= start)


@pytest.mark.parametrize("days", [1, 30, 180])
def test_date_range(days: int) -> None:
    for today in (TODAY, TODAY + timedelta(days=1)):
        got = {r.day for r in demo_rows(today, days)}
        assert got == {today - timedelta(days=i) for i in range(days)}


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError):
        demo_rows(TODAY, days=0)


def test_size_seeds_fast(rows: list[SnapshotRow]) -> None:
    assert 9_000 <= len(rows) <= 15_000


# --- shape ---------------------------------------------------------------------------------

def test_only_stored_metrics_and_whole_non_negative_values(rows: list[SnapshotRow]) -> None:
    assert {r.metric for r in rows} <= STORED_METRICS
    for r in rows:
        assert isinstance(r.value, int) and not isinstance(r.value, bool), r
        assert r.value >= 0, r


def test_no_duplicate_keys(rows: list[SnapshotRow]) -> None:
    keys = [(r.day, r.platform, r.handle, r.metric, r.campaign) for r in rows]
    assert len(keys) == len(set(keys))


def test_channels_and_competitor_flag(rows: list[SnapshotRow]) -> None:
    channels = {(r.platform, r.handle, r.competitor) for r in rows}
    assert channels == {("instagram", "", False), ("tiktok", "", False), ("youtube", "", False),
                        ("instagram", COMPETITOR_HANDLE, True)}
    competitor = [r for r in rows if r.competitor]
    assert {r.metric for r in competitor} == {"followers", "mentions", "reach", "likes",
                                              "comments"}
    assert all(r.campaign == "" for r in competitor)


def test_every_channel_reports_every_day(rows: list[SnapshotRow]) -> None:
    per_channel: dict[tuple[str, str], set[tuple[date, str]]] = defaultdict(set)
    for r in rows:
        if r.campaign == "":
            per_channel[(r.platform, r.handle)].add((r.day, r.metric))
    for (platform, handle), day_metrics in per_channel.items():
        metrics = {m for _, m in day_metrics}
        assert len(day_metrics) == 180 * len(metrics), (platform, handle)
        if not handle:
            assert {"reach", "impressions", "views", "likes", "comments", "shares", "posts",
                    "mentions", "website_visits"} <= metrics
        if platform in ("instagram", "tiktok") and not handle:
            assert {"followers", "saves", "profile_visits", "csat_responses",
                    "csat_satisfied", "issues_opened", "issues_resolved",
                    "testimonials"} <= metrics
    assert "subscribers" in {m for _, m in per_channel[("youtube", "")]}


# --- daily consistency -------------------------------------------------------------------------

def test_organic_funnel_is_consistent(rows: list[SnapshotRow]) -> None:
    for key, v in organic(rows).items():
        reach = v["reach"]
        if "impressions" in v:
            assert reach <= v["impressions"], key
        parts = [v[m] for m in ENGAGEMENT_PARTS if m in v]
        assert all(p < reach / 5 for p in parts), key  # each part well below reach
        assert sum(parts) < reach, key
        assert v["comments"] < v["likes"], key
        if key[2]:  # competitor: no more
            continue
        assert 0 <= v["posts"] <= 3, key
        if key[1] == "instagram":
            assert v["views"] <= v["impressions"], key
        if "clicks" in v:
            assert v["conversions"] <= v["clicks"] <= v["impressions"], key
            assert 45_000 * v["conversions"] <= v["revenue"] <= 120_000 * v["conversions"]


def test_campaign_rows_are_consistent(rows: list[SnapshotRow]) -> None:
    per_campaign_day: dict[tuple[date, str], float] = defaultdict(float)
    for (key, campaign), v in paid(rows).items():
        assert set(v) == {"impressions", "clicks", "spend", "conversions", "revenue"}
        assert v["conversions"] <= v["clicks"] <= v["impressions"], (key, campaign)
        assert 45_000 * v["conversions"] <= v["revenue"] <= 120_000 * v["conversions"]
        cpm = 1000 * v["spend"] / v["impressions"]
        assert 5_000 <= cpm <= 40_000, (key, campaign, cpm)
        per_campaign_day[(key[0], campaign)] += v["spend"]
    for day_campaign, spend in per_campaign_day.items():
        assert 300_000 <= spend <= 2_500_000, day_campaign


def test_channel_totals_are_consistent(rows: list[SnapshotRow]) -> None:
    """Summed over organic and campaign rows, the channel's day still makes sense."""
    for key, v in channel_totals(rows).items():
        if "clicks" in v:
            assert v["clicks"] <= v["impressions"], key
            assert v["conversions"] <= v["clicks"], key
        if "impressions" in v:
            assert v["reach"] <= v["impressions"], key


def test_satisfaction_is_consistent(rows: list[SnapshotRow]) -> None:
    seen = 0
    for key, v in organic(rows).items():
        if "csat_responses" not in v:
            continue
        seen += 1
        assert 0 < v["csat_satisfied"] <= v["csat_responses"], key
        assert v["issues_resolved"] <= v["issues_opened"], key
    assert seen == 2 * 180
    responses = sum(r.value for r in rows if r.metric == "csat_responses")
    satisfied = sum(r.value for r in rows if r.metric == "csat_satisfied")
    assert 0.8 <= satisfied / responses <= 0.95


def test_gauges_move_gently_and_grow(rows: list[SnapshotRow]) -> None:
    series: dict[tuple[str, str, str], list[tuple[date, float]]] = defaultdict(list)
    for r in rows:
        if r.metric in ("followers", "subscribers"):
            series[(r.platform, r.handle, r.metric)].append((r.day, r.value))
    assert set(series) == {("instagram", "", "followers"), ("tiktok", "", "followers"),
                           ("youtube", "", "subscribers"),
                           ("instagram", COMPETITOR_HANDLE, "followers")}
    growth: dict[tuple[str, str, str], float] = {}
    for key, points in series.items():
        levels = [v for _, v in sorted(points)]
        assert len(levels) == 180
        changes = [b - a for a, b in pairwise(levels)]
        assert all(abs(c) <= 0.01 * a for c, a in zip(changes, levels, strict=False)), key
        assert sum(c > 0 for c in changes) > 0.8 * len(changes), key  # mostly growth
        assert any(c < 0 for c in changes), key  # occasional small dips
        growth[key] = levels[-1] / levels[0] - 1
    levels_today = {key: max(points)[1] for key, points in series.items()}
    assert 35_000 <= levels_today[("instagram", "", "followers")] <= 50_000
    assert 20_000 <= levels_today[("tiktok", "", "followers")] <= 30_000
    assert 6_000 <= levels_today[("youtube", "", "subscribers")] <= 10_000
    assert growth[("tiktok", "", "followers")] > growth[("instagram", "", "followers")] > 0


# --- campaigns, rhythm, the dip ------------------------------------------------------------

def test_both_campaigns_present_one_ongoing(rows: list[SnapshotRow]) -> None:
    days: dict[str, set[date]] = defaultdict(set)
    for r in rows:
        if r.campaign:
            days[r.campaign].add(r.day)
    assert set(days) == set(CAMPAIGNS)
    earlier, ongoing = CAMPAIGNS
    last_week = {TODAY - timedelta(days=i) for i in range(7)}
    assert last_week <= days[ongoing]  # "minggu ini" has campaign numbers
    assert max(days[earlier]) < min(days[ongoing])
    assert max(days[earlier]) < TODAY - timedelta(days=60)
    for slug in CAMPAIGNS:
        first, last = campaign_window(slug, TODAY)
        assert days[slug] == {first + timedelta(days=i) for i in range((last - first).days + 1)}
    assert campaign_window(ongoing, TODAY)[1] == TODAY
    with pytest.raises(KeyError):
        campaign_window("lebaran", TODAY)


def test_campaign_impressions_count_in_the_channel(rows: list[SnapshotRow]) -> None:
    day = TODAY
    ig = [r for r in rows if r.day == day and r.platform == "instagram" and not r.handle
          and r.metric == "impressions"]
    assert {r.campaign for r in ig} == {"", CAMPAIGNS[1]}


def test_weekends_are_busier(rows: list[SnapshotRow]) -> None:
    by_weekday: dict[int, list[float]] = defaultdict(list)
    for key, v in channel_totals(rows).items():
        if key[1] == "tiktok":
            by_weekday[key[0].weekday()].append(v["views"])
    mean = {wd: sum(vs) / len(vs) for wd, vs in by_weekday.items()}
    assert min(mean[5], mean[6]) > max(mean[0], mean[1], mean[2])


def test_share_of_voice_is_plausible(rows: list[SnapshotRow]) -> None:
    # SPEC §3.1: against the competitors on the same platform — the rival is on instagram
    own = sum(r.value for r in rows if r.metric == "mentions" and not r.competitor
              and r.platform == "instagram")
    rival = sum(r.value for r in rows if r.metric == "mentions" and r.competitor)
    assert 0.2 <= own / (own + rival) <= 0.6
    # at least one own platform has no competitor: its share of voice has no value
    rival_platforms = {r.platform for r in rows if r.competitor}
    assert {r.platform for r in rows if not r.competitor} - rival_platforms


def test_engagement_rate_per_post_is_a_few_percent(rows: list[SnapshotRow]) -> None:
    """SPEC §3.1 over the last 28 days, by hand: engagement / (posts × audience at the end)."""
    start, end = TODAY - timedelta(days=27), TODAY
    num = den = 0.0
    for platform in ("instagram", "tiktok", "youtube"):
        mine = [r for r in rows if r.platform == platform and not r.handle]
        posts = sum(r.value for r in mine if r.metric == "posts" and start <= r.day <= end)
        engagement = sum(r.value for r in mine if r.metric in ENGAGEMENT_PARTS
                         and start <= r.day <= end)
        audience = max((r for r in mine if r.metric in ("followers", "subscribers")
                        and r.day <= end), key=lambda r: r.day).value
        er = 100 * engagement / (posts * audience)
        assert 0.3 <= er <= 8.0, (platform, er)
        num, den = num + engagement, den + posts * audience
    assert 0.5 <= 100 * num / den <= 5.0


def test_paid_and_organic_revenue_both_present(rows: list[SnapshotRow]) -> None:
    week = [r for r in rows if r.metric == "revenue" and r.day > TODAY - timedelta(days=7)]
    assert sum(r.value for r in week if r.campaign) > 0  # the ongoing campaign
    assert sum(r.value for r in week if not r.campaign) > 0  # organic (untagged)
    spend = {(r.platform, r.campaign) for r in rows if r.metric == "spend" and r.value > 0}
    assert spend and all(c for _, c in spend)  # only tagged campaigns spend


def test_paid_campaign_pays_off(rows: list[SnapshotRow]) -> None:
    for slug in CAMPAIGNS:
        spend = sum(r.value for r in rows if r.campaign == slug and r.metric == "spend")
        revenue = sum(r.value for r in rows if r.campaign == slug and r.metric == "revenue")
        assert 1.0 <= revenue / spend <= 4.0, slug  # ROAS


@pytest.mark.parametrize("today", TODAYS, ids=lambda d: d.strftime("%a"))
def test_engagement_dip_week(today: date) -> None:
    weeks = weekly_own_engagement(demo_rows(today))
    mondays = sorted(weeks)[1:-1]  # whole weeks only
    dips = []
    for i in range(4, len(mondays)):
        before = median(weeks[m] for m in mondays[i - 4:i])
        if weeks[mondays[i]] <= 0.75 * before:
            dips.append(mondays[i])
    monday, sunday = engagement_dip_week(today)
    assert dips == [monday]  # exactly one, the documented week
    assert sunday == monday + timedelta(days=6)
    this_monday = today - timedelta(days=today.weekday())
    assert monday < this_monday  # not in the current week
    assert monday >= today - timedelta(days=35)  # recent
    # and it recovers: the week after is back near its usual level
    after = weeks[monday + timedelta(days=7)]
    assert after >= 0.9 * median(weeks[monday - timedelta(days=7 * k)] for k in (1, 2, 3, 4))


def test_campaign_plans_match_the_public_list() -> None:
    windows = [campaign_window(slug, TODAY) for slug in CAMPAIGNS]
    assert windows == sorted(windows)  # CAMPAIGNS is in running order
