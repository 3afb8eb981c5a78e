"""A deterministic demo brand: half a year of plausible KPI data for a Jakarta coffee brand.

``demo_rows(today)`` returns the snapshots of *Kopi Nusantara* for the ``days`` days ending at
``today`` (inclusive): its own Instagram, TikTok and YouTube channels and one competitor
account, ``instagram:@kopirival``. The numbers are made up but internally consistent every day
(reach ≤ impressions, comments < likes, clicks ≤ impressions, conversions ≤ clicks, satisfied ≤
responses, resolved ≤ opened, ...), so every ratio of SPEC §3 has a sensible value.

Shape of the data:

- a weekly rhythm (people scroll more at weekends), a gentle growth trend and daily noise;
- followers / subscribers are gauges: levels that move by small daily net changes;
- organic rows carry campaign ``""``; two paid campaigns add rows tagged with their slug
  (impressions, clicks, spend, conversions, revenue) for the same channel and day: ``ramadan``
  earlier in the window and ``gajian`` (payday sale) running up to and including ``today``;
- one week of lower engagement (an algorithm change cut organic engagement by about a third):
  the calendar week (Monday–Sunday) that started two weeks before this week's Monday, see
  :func:`engagement_dip_week`. The alerts feature can find it.

Determinism: every value depends only on the day's *offset* from ``today`` (its own seeded
``random.Random``) and on the weekday. The same ``today`` always gives the same rows; a
``today`` a week later gives the same values shifted by seven days; a shorter ``days`` gives
the tail of the longer window (gauge levels are anchored at ``today`` and walked backwards).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from kpi_engine.domain.model import SnapshotRow

DEMO_SLUG = "demo"
DEMO_NAME = "Kopi Nusantara"
#: Campaign slugs, in the order they ran: ``ramadan`` (earlier), ``gajian`` (ongoing).
CAMPAIGNS: tuple[str, ...] = ("ramadan", "gajian")
OWN_PLATFORMS: tuple[str, ...] = ("instagram", "tiktok", "youtube")
COMPETITOR_PLATFORM = "instagram"
COMPETITOR_HANDLE = "@kopirival"

_SEED = "kpi-bot-demo-kopi-nusantara-v1"

#: Monday..Sunday multipliers of the day's activity: weekends are busier.
_WEEKDAY_FACTOR: tuple[float, ...] = (0.93, 0.95, 0.98, 1.0, 1.07, 1.16, 1.11)
#: Growth: activity ``offset`` days ago is ``1 − _TREND × offset`` of today's.
_TREND = 0.001
#: The dip week: engagement (and, less, reach) of the own channels is multiplied by these.
_DIP_WEEKS_AGO = 2
_DIP_ENGAGEMENT = 0.66
_DIP_REACH = 0.85


@dataclass(frozen=True)
class _Placement:
    """One channel of a campaign: its daily budget and the auction it buys in."""

    platform: str
    spend: tuple[int, int]  # IDR per day
    cpm: tuple[int, int]  # IDR per 1000 impressions
    ctr: tuple[float, float]  # clicks / impressions
    cvr: tuple[float, float]  # conversions / clicks


@dataclass(frozen=True)
class _Campaign:
    slug: str
    first_offset: int  # days before today of its first day
    last_offset: int  # days before today of its last day (0: runs through today)
    aov: tuple[int, int]  # average order value, IDR
    placements: tuple[_Placement, ...]

    def runs(self, offset: int) -> bool:
        return self.last_offset <= offset <= self.first_offset


_CAMPAIGN_PLANS: tuple[_Campaign, ...] = (
    _Campaign(
        "ramadan", first_offset=140, last_offset=111, aov=(65_000, 110_000),
        placements=(
            _Placement("instagram", (500_000, 900_000), (18_000, 28_000), (0.009, 0.016),
                       (0.025, 0.045)),
            _Placement("tiktok", (500_000, 1_000_000), (9_000, 16_000), (0.007, 0.013),
                       (0.020, 0.040)),
            _Placement("youtube", (200_000, 400_000), (12_000, 22_000), (0.004, 0.008),
                       (0.015, 0.030)),
        ),
    ),
    _Campaign(
        "gajian", first_offset=20, last_offset=0, aov=(45_000, 85_000),
        placements=(
            _Placement("instagram", (400_000, 800_000), (18_000, 28_000), (0.010, 0.018),
                       (0.030, 0.055)),
            _Placement("tiktok", (500_000, 1_100_000), (9_000, 16_000), (0.008, 0.015),
                       (0.030, 0.050)),
        ),
    ),
)


@dataclass(frozen=True)
class _Audience:
    """A channel's gauge: its level today and its usual net daily change."""

    metric: str  # followers | subscribers
    today: int
    net_per_day: float
    dip_chance: float  # chance of a day with a small net loss
    max_loss: int


_AUDIENCE: dict[str, _Audience] = {
    "instagram": _Audience("followers", 42_380, 22.0, 0.06, 25),
    "tiktok": _Audience("followers", 26_150, 38.0, 0.05, 40),
    "youtube": _Audience("subscribers", 8_240, 5.0, 0.08, 6),
}
_COMPETITOR_AUDIENCE = _Audience("followers", 57_900, 14.0, 0.07, 30)

#: The day's base activity today: reach (instagram), views (tiktok), impressions (youtube).
_BASE_ACTIVITY: dict[str, int] = {"instagram": 9_000, "tiktok": 22_000, "youtube": 14_000}


def campaign_window(slug: str, today: date) -> tuple[date, date]:
    """First and last day of a demo campaign for a given ``today`` (may start before the window)."""
    for plan in _CAMPAIGN_PLANS:
        if plan.slug == slug:
            return today - timedelta(days=plan.first_offset), today - timedelta(
                days=plan.last_offset)
    raise KeyError(slug)


def engagement_dip_week(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week with the engagement dip: two weeks before this week."""
    monday = today - timedelta(days=today.weekday() + 7 * _DIP_WEEKS_AGO)
    return monday, monday + timedelta(days=6)


def demo_rows(today: date, days: int = 180) -> list[SnapshotRow]:
    """All snapshots of the demo brand for the ``days`` days ending at ``today``, by day."""
    if days < 1:
        raise ValueError("days must be at least 1")
    rows: list[SnapshotRow] = []
    for platform in OWN_PLATFORMS:
        rows.extend(_own_channel(platform, today, days))
    rows.extend(_competitor(today, days))
    rows.sort(key=lambda r: r.day)  # stable: keeps channel and metric order within a day
    return rows


# --- helpers -------------------------------------------------------------------------------

def _rng(channel: str, offset: int) -> random.Random:
    # A string seed is hashed with SHA-512 by random.seed: stable across runs and machines.
    return random.Random(f"{_SEED}:{channel}:{offset}")


def _noise(rng: random.Random, sigma: float = 0.08) -> float:
    return min(1.3, max(0.75, rng.gauss(1.0, sigma)))


def _between(rng: random.Random, span: tuple[float, float]) -> float:
    return rng.uniform(span[0], span[1])


def _n(x: float) -> int:
    """A count: rounded, never negative."""
    return max(0, round(x))


def _in_dip(today: date, day: date) -> bool:
    start, end = engagement_dip_week(today)
    return start <= day <= end


def _activity(rng: random.Random, day: date, offset: int) -> float:
    return _WEEKDAY_FACTOR[day.weekday()] * (1.0 - _TREND * offset) * _noise(rng)


def _net_change(rng: random.Random, audience: _Audience, day: date, offset: int,
                boost: float) -> int:
    """The gauge's net change on one day: mostly growth, now and then a small loss."""
    if rng.random() < audience.dip_chance:
        return -rng.randint(1, audience.max_loss)
    net = audience.net_per_day * _WEEKDAY_FACTOR[day.weekday()] * (1.0 - _TREND * offset)
    return round(net * _noise(rng, 0.25) + boost)


def _gauge_rows(levels_net: list[tuple[date, int]], audience: _Audience, platform: str,
                handle: str, competitor: bool) -> list[SnapshotRow]:
    """Gauge rows from (day, net change that day), newest first: walk back from today's level."""
    rows: list[SnapshotRow] = []
    level = audience.today
    for day, net in levels_net:
        rows.append(SnapshotRow(day, platform, handle, audience.metric, max(0, level), "",
                                competitor))
        level -= net  # the level at the end of the day before
    return rows


# --- own channels --------------------------------------------------------------------------

def _paid(rng: random.Random, plan: _Campaign, placement: _Placement,
          offset: int) -> dict[str, int]:
    """One campaign-day on one channel: spend buys impressions, some click, some buy."""
    ramp = min(1.0, 0.6 + 0.15 * (plan.first_offset - offset))  # the first days warm up
    spend = round(_between(rng, placement.spend) * ramp)
    spend = max(placement.spend[0] // 2, spend)
    impressions = _n(1000 * spend / _between(rng, placement.cpm))
    clicks = min(impressions, _n(impressions * _between(rng, placement.ctr)))
    conversions = min(clicks, _n(clicks * _between(rng, placement.cvr)))
    revenue = round(conversions * _between(rng, plan.aov))
    return {"impressions": impressions, "clicks": clicks, "spend": spend,
            "conversions": conversions, "revenue": revenue}


def _posts(rng: random.Random, platform: str, day: date) -> int:
    weekend = day.weekday() >= 5
    if platform == "youtube":  # a video on Thursdays, often one more on Saturdays
        return int(day.weekday() == 3 or (day.weekday() == 5 and rng.random() < 0.5))
    if platform == "tiktok":
        return rng.choice((1, 2, 2, 3) if weekend else (0, 1, 1, 2, 2))
    return rng.choice((1, 2, 2, 3) if weekend else (0, 1, 1, 1, 2))


def _content(rng: random.Random, platform: str, base: float, engagement: float,
             posts: int) -> dict[str, int]:
    """The organic funnel of one day: impressions ≥ reach > engagement parts."""
    base *= 0.9 + 0.05 * posts
    if platform == "instagram":
        reach = base
        impressions = reach * rng.uniform(1.35, 1.6)
        views = reach * rng.uniform(0.6, 0.9)  # reels plays
        likes = reach * rng.uniform(0.035, 0.045) * engagement
        comments = likes * rng.uniform(0.04, 0.07)
        shares = likes * rng.uniform(0.08, 0.14)
        saves = likes * rng.uniform(0.10, 0.18)
        profile_visits = reach * rng.uniform(0.025, 0.035)
    elif platform == "tiktok":
        views = base
        impressions = views * rng.uniform(1.05, 1.2)
        reach = views * rng.uniform(0.6, 0.8)
        likes = views * rng.uniform(0.045, 0.065) * engagement
        comments = likes * rng.uniform(0.02, 0.045)
        shares = likes * rng.uniform(0.05, 0.10)
        saves = likes * rng.uniform(0.04, 0.08)
        profile_visits = views * rng.uniform(0.008, 0.014)
    else:  # youtube: thumbnail impressions → views → unique viewers
        impressions = base
        views = impressions * rng.uniform(0.045, 0.07)
        reach = views * rng.uniform(0.7, 0.85)
        likes = views * rng.uniform(0.035, 0.05) * engagement
        comments = likes * rng.uniform(0.05, 0.10)
        shares = likes * rng.uniform(0.05, 0.10)
        saves = profile_visits = -1.0  # not reported
    values = {"posts": posts, "reach": _n(reach), "impressions": _n(impressions),
              "views": _n(views), "likes": _n(likes), "comments": _n(comments),
              "shares": _n(shares), "saves": _n(saves), "profile_visits": _n(profile_visits)}
    if platform == "youtube":
        del values["saves"], values["profile_visits"]
    return values


def _commerce(rng: random.Random, platform: str, content: dict[str, int],
              paid_clicks: int) -> dict[str, int]:
    """Organic link clicks and sales, and the website traffic a channel sends."""
    if platform == "youtube":
        return {"website_visits": _n(content["views"] * rng.uniform(0.01, 0.02)
                                     + paid_clicks * rng.uniform(0.7, 0.85))}
    if platform == "instagram":  # link in bio → the web shop
        clicks = _n(content["profile_visits"] * rng.uniform(0.3, 0.45))
        visits = clicks * rng.uniform(0.6, 0.8)
    else:  # TikTok Shop: bought in the app; only a few go to the website
        clicks = _n(content["views"] * rng.uniform(0.006, 0.01))
        visits = content["profile_visits"] * rng.uniform(0.05, 0.1)
    conversions = min(clicks, _n(clicks * rng.uniform(0.02, 0.05)))
    out = {"website_visits": _n(visits + paid_clicks * rng.uniform(0.7, 0.85)),
           "clicks": clicks, "conversions": conversions,
           "revenue": round(conversions * rng.uniform(45_000, 95_000))}
    if platform == "instagram":  # the link-in-bio taps, as Instagram reports them (issue 17)
        out["website_clicks"] = clicks
    return out


def _satisfaction(rng: random.Random, platform: str, campaign_days: bool) -> dict[str, int]:
    """Survey answers, complaints (all resolved the same day or left in a small backlog)."""
    responses = rng.randint(8, 22) if platform == "instagram" else rng.randint(6, 18)
    share_satisfied = min(0.98, max(0.7, rng.gauss(0.88, 0.03)))
    satisfied = sum(rng.random() < share_satisfied for _ in range(responses))
    opened = rng.randint(1, 7) if platform == "instagram" else rng.randint(2, 9)
    if campaign_days:  # more orders, more complaints
        opened += rng.randint(0, 3)
    resolved = sum(rng.random() < 0.9 for _ in range(opened))
    testimonials = rng.randint(0, 5) if platform == "instagram" else rng.randint(1, 6)
    return {"csat_responses": responses, "csat_satisfied": satisfied,
            "issues_opened": opened, "issues_resolved": resolved, "testimonials": testimonials}


def _own_channel(platform: str, today: date, days: int) -> list[SnapshotRow]:
    audience = _AUDIENCE[platform]
    rows: list[SnapshotRow] = []
    net_changes: list[tuple[date, int]] = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        rng = _rng(platform, offset)
        dip = _in_dip(today, day)

        paid_clicks = 0
        for plan in _CAMPAIGN_PLANS:
            for placement in plan.placements:
                if placement.platform == platform and plan.runs(offset):
                    paid = _paid(rng, plan, placement, offset)
                    paid_clicks += paid["clicks"]
                    rows.extend(SnapshotRow(day, platform, "", metric, value, plan.slug, False)
                                for metric, value in paid.items())

        base = _BASE_ACTIVITY[platform] * _activity(rng, day, offset)
        if dip:
            base *= _DIP_REACH
        engagement = _DIP_ENGAGEMENT / _DIP_REACH if dip else 1.0
        values = _content(rng, platform, base, engagement, _posts(rng, platform, day))
        values.update(_commerce(rng, platform, values, paid_clicks))
        mentions = {"instagram": (25, 55), "tiktok": (35, 80), "youtube": (2, 8)}[platform]
        values["mentions"] = _n(rng.randint(*mentions) * _WEEKDAY_FACTOR[day.weekday()]
                                * (1.15 if paid_clicks else 1.0))
        if platform != "youtube":
            values.update(_satisfaction(rng, platform, paid_clicks > 0))
        rows.extend(SnapshotRow(day, platform, "", metric, value, "", False)
                    for metric, value in values.items())

        boost = 0.02 * paid_clicks
        net = _net_change(rng, audience, day, offset, boost)
        net_changes.append((day, round(net * 0.4) if dip else net))
    rows.extend(_gauge_rows(net_changes, audience, platform, "", False))
    return rows


# --- competitor ----------------------------------------------------------------------------

def _competitor(today: date, days: int) -> list[SnapshotRow]:
    """``instagram:@kopirival``: a bigger, slower-growing rival; what public tools can see."""
    rows: list[SnapshotRow] = []
    net_changes: list[tuple[date, int]] = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        rng = _rng("competitor", offset)
        reach = 15_000 * _WEEKDAY_FACTOR[day.weekday()] * (1.0 - 0.0007 * offset) * _noise(rng)
        likes = reach * rng.uniform(0.028, 0.038)
        values = {"reach": _n(reach), "likes": _n(likes),
                  "comments": _n(likes * rng.uniform(0.03, 0.06)),
                  "mentions": _n(rng.randint(55, 105) * _WEEKDAY_FACTOR[day.weekday()])}
        rows.extend(SnapshotRow(day, COMPETITOR_PLATFORM, COMPETITOR_HANDLE, metric, value, "",
                                True) for metric, value in values.items())
        net_changes.append((day, _net_change(rng, _COMPETITOR_AUDIENCE, day, offset, 0.0)))
    rows.extend(_gauge_rows(net_changes, _COMPETITOR_AUDIENCE, COMPETITOR_PLATFORM,
                            COMPETITOR_HANDLE, True))
    return rows
