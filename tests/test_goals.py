"""Goals of SPEC §6: baseline, target, progress, paces, forecast, verdict and status changes,
on SQLite and PostgreSQL. Every expected number is worked out by hand in the comments.

The data (``_seed``), for the 91 days 2026-08-24 (day i = 0) .. 2026-11-22 (i = 90, a Sunday):

- reach (a counter) on instagram: 1 000 every day, but none on 2026-11-22 (today);
- followers (a gauge) on tiktok: 10 000 + 20·i, so 11 800 today;
- impressions 10 000 and clicks 100 + i every day on youtube: the daily CTR is 1 + 0.01·i %.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from kpi_engine import goal_math as gm
from kpi_engine.goal_store import GoalStore, campaign_span
from kpi_engine.goals import (
    GoalError,
    GoalRequest,
    create_goal,
    edit_goal,
    evaluate_goals,
    plan_goal,
    track,
)
from kpi_engine.metrics import METRICS
from kpi_engine.model import SnapshotRow
from kpi_engine.store import Store

TODAY = date(2026, 11, 22)
FIRST = date(2026, 8, 24)
NOW = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)


def _seed(store: Store) -> int:
    ws = store.ensure_workspace("acme")
    rows = []
    for i in range(91):
        day = FIRST + timedelta(days=i)
        if day < TODAY:
            rows.append(SnapshotRow(day, "instagram", "", "reach", 1000.0))
        rows.append(SnapshotRow(day, "tiktok", "", "followers", 10_000.0 + 20 * i))
        rows.append(SnapshotRow(day, "youtube", "", "impressions", 10_000.0))
        rows.append(SnapshotRow(day, "youtube", "", "clicks", 100.0 + i))
    store.write_snapshots(ws.id, rows)
    return ws.id


def _create(store: Store, ws: int, request: GoalRequest, today: date = TODAY):
    return create_goal(store, GoalStore(store), ws, store.channels(ws), request, today, NOW,
                       owner_id="u1", platform="telegram", chat_id="100")


# ---------------------------------------------------------------------------- pure math

def test_least_squares_by_hand() -> None:
    # mean x 1, mean y 2; Sxx = 2; Sxy = (−1)(−1) + 0 + (1)(0) = 1 → slope 0.5, intercept 1.5
    assert gm.least_squares([(0, 1), (1, 3), (2, 2)]) == (1.5, 0.5)
    assert gm.least_squares([(0, 1)]) is None
    assert gm.least_squares([(1, 1), (1, 2)]) is None


def test_counter_rate_is_the_slope_of_the_cumulative_sum() -> None:
    d = date(2026, 1, 1)
    series = [(d, None), (d + timedelta(1), 2.0), (d + timedelta(2), None),
              (d + timedelta(3), 4.0)]
    # from the first day with data, gaps as 0: cumulative 2, 2, 6 at x 0, 1, 2 → slope 2
    assert gm.counter_rate(series) == pytest.approx(2.0)


@pytest.mark.parametrize(("required", "historical", "sign", "verdict", "multiple"), [
    (150.0, 100.0, 1, "realistic", 1.5),
    (151.0, 100.0, 1, "ambitious", 1.51),
    (300.0, 100.0, 1, "ambitious", 3.0),
    (310.0, 100.0, 1, "unrealistic", 3.1),
    (100.0, -5.0, 1, "unrealistic", math.inf),
    (0.0, 100.0, 1, "realistic", 0.0),
    (100.0, None, 1, "no_history", None),
    (-30.0, -10.0, -1, "ambitious", 3.0),  # a CPC to bring down 3× faster than it fell
])
def test_verdict(required: float, historical: float | None, sign: int, verdict: str,
                 multiple: float | None) -> None:
    got, times = gm.verdict(required, historical, sign)
    assert got.value == verdict
    assert times == (pytest.approx(multiple) if multiple not in (None, math.inf) else multiple)


def test_progress_formulas() -> None:
    assert gm.progress_pct(gm.Shape.TOTAL, 21_000, 30_000, 50_000) == pytest.approx(42.0)
    assert gm.progress_pct(gm.Shape.LEVEL, 12_980, 11_800, 14_160) == pytest.approx(50.0)
    # a floor already met at creation (ER 5 % aiming at "at least 4 %"): 100 % while met
    assert gm.progress_pct(gm.Shape.RATIO, 5.5, 5.0, 4.0) == 100.0
    assert gm.progress_pct(gm.Shape.RATIO, 3.0, 5.0, 4.0) == pytest.approx(75.0)
    # no baseline: current / target
    assert gm.progress_pct(gm.Shape.LEVEL, 500, None, 5000) == pytest.approx(10.0)
    assert gm.progress_pct(gm.Shape.LEVEL, None, 1, 2) is None


# ---------------------------------------------------------------------- a counter goal

def test_counter_goal_by_hand(store: Store) -> None:
    ws = _seed(store)
    # "reach 50000 bulan ini": the month's total, start 1 Nov, deadline 30 Nov
    goal, plan = _create(store, ws, GoalRequest("reach", "absolute", 50_000, date(2026, 11, 30),
                                                "instagram", start=date(2026, 11, 1)))
    # baseline: the 30 days before the start, 2–31 Oct: 30 × 1 000
    assert plan.baseline == 30_000
    assert plan.baseline_span.start == date(2026, 10, 2)
    # current: 1–21 Nov (nothing today) = 21 000; the last day with data is 21 Nov, so 9 days
    # are left (22–30 Nov): 7 × (50 000 − 21 000) / 9
    assert plan.current == 21_000
    assert plan.required_per_week == pytest.approx(7 * 29_000 / 9)
    # history: 90 days (24 Aug – 21 Nov) of 1 000 → 7 000 a week; 22 555.6 / 7 000 = 3.22
    assert plan.historical_per_week == pytest.approx(7_000)
    assert plan.verdict.value == "unrealistic"
    assert plan.multiple == pytest.approx(7 * 29_000 / 9 / 7_000)

    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert p.current == 21_000
    assert p.progress_pct == pytest.approx(42.0)
    assert p.as_of == date(2026, 11, 21)
    # forecast: 21 000 + 1 000/day (the slope of the cumulative sum) × 9 days = 30 000
    assert p.forecast == pytest.approx(30_000)
    assert p.recent_per_week == pytest.approx(7_000)
    assert p.on_track is False  # 30 000 < 90 % of 50 000
    assert p.status == "off_track"
    assert p.forecast_line[0] == (date(2026, 11, 21), 21_000)


@pytest.mark.parametrize(("kind", "value", "target"), [
    ("percent", 20.0, 36_000.0),  # +20 % of the 30 000 of 2–31 Oct
    ("amount", 5_000.0, 35_000.0),  # +5 000
    ("absolute", 28_000.0, 28_000.0),
])
def test_relative_counter_targets_build_on_the_same_length_before(store: Store, kind: str,
                                                                   value: float,
                                                                   target: float) -> None:
    ws = _seed(store)
    goal, _ = _create(store, ws, GoalRequest("reach", kind, value, date(2026, 11, 30),
                                             "instagram", start=date(2026, 11, 1)))
    assert goal.target == pytest.approx(target)
    p = track(store, ws, store.channels(ws), goal, TODAY)
    # forecast 30 000 against 90 % of the target
    assert p.on_track is (0.9 * target <= 30_000)


# ------------------------------------------------------------------------ a gauge goal

def test_gauge_goal_by_hand(store: Store) -> None:
    ws = _seed(store)
    goal, plan = _create(store, ws, GoalRequest("followers", "percent", 20, date(2026, 12, 31),
                                                "tiktok"))
    # baseline: the level today, 10 000 + 20 × 90; target 1.2 × 11 800
    assert plan.baseline == 11_800
    assert goal.target == pytest.approx(14_160)
    # required: 2 360 over the 39 days after today (23 Nov – 31 Dec), per week
    assert plan.required_per_week == pytest.approx(7 * 2_360 / 39)
    # history: the level rose 20 a day → 140 a week; 423.6 / 140 = 3.03 → unrealistic
    assert plan.historical_per_week == pytest.approx(140)
    assert plan.verdict.value == "unrealistic"
    assert plan.multiple == pytest.approx(7 * 2_360 / 39 / 140)

    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert p.progress_pct == pytest.approx(0.0)
    # forecast: the 28-day line (slope 20) at 31 Dec = 11 800 + 20 × 39 = 12 580
    assert p.forecast == pytest.approx(12_580)
    # its progress is 780 / 2 360 = 33 % of the growth: off track
    assert p.on_track is False
    assert p.recent_per_week == pytest.approx(140)

    # a jump tomorrow to 12 980: half way (1 180 of 2 360)
    store.write_snapshots(ws, [SnapshotRow(TODAY + timedelta(1), "tiktok", "", "followers",
                                           12_980.0)])
    later = track(store, ws, store.channels(ws), goal, TODAY + timedelta(1))
    assert later.progress_pct == pytest.approx(50.0)
    assert later.required_per_week == pytest.approx(7 * 1_180 / 38)


def test_absolute_gauge_goal_starts_at_zero_progress(store: Store) -> None:
    ws = _seed(store)
    goal, plan = _create(store, ws, GoalRequest("followers", "absolute", 12_800,
                                                date(2026, 12, 31), "tiktok"))
    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert (plan.baseline, p.progress_pct) == (11_800, 0.0)
    # 1 000 to go over 39 days: 179.5 a week, 1.28 × the historical 140 → realistic
    assert plan.verdict.value == "realistic"
    # forecast 12 580: 78 % of the growth → off track (below 90 %)
    assert p.on_track is False


# ------------------------------------------------------------------------ a ratio goal

def test_ratio_goal_by_hand(store: Store) -> None:
    ws = _seed(store)
    goal, plan = _create(store, ws, GoalRequest("ctr", "absolute", 2.0, date(2026, 12, 31),
                                                "youtube"))
    # baseline: CTR of the 40 days before today (13 Oct – 21 Nov, i = 50..89):
    # Σclicks = 40 × 100 + (50 + 89) × 40 / 2 = 6 780; Σimpressions = 400 000 → 1.695 %
    assert plan.baseline == pytest.approx(1.695)
    # required at creation: from the baseline, 0.305 points over 39 days, per week
    assert plan.required_per_week == pytest.approx(7 * 0.305 / 39)
    # history: the daily CTR rose 0.01 points a day → 0.07 a week; 0.0547 / 0.07 = 0.78
    assert plan.historical_per_week == pytest.approx(0.07)
    assert plan.verdict.value == "realistic"

    p = track(store, ws, store.channels(ws), goal, TODAY)
    # the ratio since the start (today, i = 90): 190 / 10 000 = 1.9 %
    assert p.current == pytest.approx(1.9)
    assert p.progress_pct == pytest.approx(100 * 0.205 / 0.305)
    assert p.required_per_week == pytest.approx(7 * 0.1 / 39)
    # forecast: the daily CTR line 1 + 0.01·i at 31 Dec (i = 129) = 2.29 %
    assert p.forecast == pytest.approx(2.29)
    assert p.on_track is True


def test_engagement_rate_goal_is_on_an_average_day(store: Store) -> None:
    ws = store.ensure_workspace("er").id
    rows = []
    for i in range(40):
        day = TODAY - timedelta(days=i)
        rows += [SnapshotRow(day, "instagram", "", "likes", 100.0),
                 SnapshotRow(day, "instagram", "", "followers", 10_000.0)]
    store.write_snapshots(ws, rows)
    plan = plan_goal(store, ws, store.channels(ws),
                     GoalRequest("engagement_rate", "absolute", 2.0, date(2026, 12, 1)), TODAY)
    # 100 likes a day on 10 000 followers: 1 % a day (over 10 days SPEC §3 would say 10 %)
    assert plan.baseline == pytest.approx(1.0)
    assert plan.current == pytest.approx(1.0)


# ------------------------------------------------------------- no history, refusals

def test_goal_on_a_channel_with_no_history(store: Store) -> None:
    ws = _seed(store)
    goal, plan = _create(store, ws, GoalRequest("followers", "absolute", 5_000,
                                                date(2027, 2, 21), "linkedin"))
    assert plan.baseline is None and plan.historical_per_week is None
    assert plan.verdict.value == "no_history"
    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert (p.current, p.progress_pct, p.forecast, p.status) == (None, None, None, "unknown")
    # the first number counts from 0
    store.write_snapshots(ws, [SnapshotRow(TODAY, "linkedin", "", "followers", 500.0)])
    assert track(store, ws, store.channels(ws), goal, TODAY).progress_pct == pytest.approx(10)
    with pytest.raises(GoalError) as info:
        plan_goal(store, ws, store.channels(ws),
                  GoalRequest("followers", "percent", 20, date(2027, 2, 21), "x"), TODAY)
    assert info.value.code == "no_baseline"


@pytest.mark.parametrize(("request_", "code"), [
    (GoalRequest("reach", "absolute", 0, date(2026, 12, 31)), "bad_target"),
    (GoalRequest("followers", "amount", -20_000, date(2026, 12, 31), "tiktok"), "bad_target"),
    (GoalRequest("reach", "absolute", 10, date(2026, 11, 1)), "deadline_past"),
    (GoalRequest("followers", "absolute", 10, date(2026, 12, 31), None, "ramadan"),
     "level_campaign"),
])
def test_refused_goals(store: Store, request_: GoalRequest, code: str) -> None:
    ws = _seed(store)
    with pytest.raises(GoalError) as info:
        plan_goal(store, ws, store.channels(ws), request_, TODAY)
    assert info.value.code == code


def test_follower_growth_reads_as_followers_plus(store: Store) -> None:
    ws = _seed(store)
    plan = plan_goal(store, ws, store.channels(ws),
                     GoalRequest("follower_growth", "absolute", 1_000, date(2026, 12, 31),
                                 "tiktok"), TODAY)
    assert (plan.metric, plan.value_kind, plan.target) == ("followers", "amount", 12_800)


# ------------------------------------------------------------- storage, edits, events

def test_editing_keeps_the_original_baseline_and_history(store: Store) -> None:
    ws = _seed(store)
    goal, _ = _create(store, ws, GoalRequest("followers", "percent", 20, date(2026, 12, 31),
                                             "tiktok"))
    # the level moves on; an edit a day later reads +30 % against the original 11 800
    store.write_snapshots(ws, [SnapshotRow(TODAY + timedelta(1), "tiktok", "", "followers",
                                           12_500.0)])
    goals = GoalStore(store)
    changed = edit_goal(goals, goal, TODAY + timedelta(1), NOW + timedelta(days=1),
                        value_kind="percent", value=30, deadline=date(2027, 1, 31),
                        by_user="u2")
    assert changed.baseline == 11_800 and changed.start == TODAY
    assert changed.target == pytest.approx(15_340)
    assert changed.deadline == date(2027, 1, 31)
    again = goals.get(ws, goal.id)
    assert again == changed
    events = goals.events(ws, goal_id=goal.id)
    assert [e.kind for e in events] == ["created", "edited"]
    assert events[1].by_user == "u2" and events[1].target == pytest.approx(15_340)
    assert "14160 -> 15340" in events[1].detail and "2027-01-31" in events[1].detail
    assert events[1].at == NOW + timedelta(days=1)


def test_evaluate_records_achieved_once(store: Store) -> None:
    ws = _seed(store)
    goal, _ = _create(store, ws, GoalRequest("followers", "absolute", 12_000,
                                             date(2026, 12, 31), "tiktok"))
    assert evaluate_goals(store, ws, TODAY, NOW) == []  # 11 800 < 12 000
    store.write_snapshots(ws, [SnapshotRow(TODAY + timedelta(2), "tiktok", "", "followers",
                                           12_050.0)])
    at = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    events = evaluate_goals(store, ws, TODAY + timedelta(2), at)
    assert [(e.goal_id, e.kind, e.at, e.day, e.value) for e in events] == [
        (goal.id, "achieved", at, date(2026, 11, 24), 12_050.0)]
    assert evaluate_goals(store, ws, TODAY + timedelta(3), at) == []
    stored = GoalStore(store).get(ws, goal.id)
    assert stored is not None and stored.status == "achieved" and stored.status_at == at
    assert GoalStore(store).list_goals(ws) == []
    assert [e.kind for e in GoalStore(store).events(ws, kinds=["achieved"])] == ["achieved"]


def test_evaluate_records_missed_after_the_deadline(store: Store) -> None:
    ws = _seed(store)
    total, _ = _create(store, ws, GoalRequest("reach", "absolute", 50_000, date(2026, 11, 30),
                                              "instagram", start=date(2026, 11, 1)))
    ratio, _ = _create(store, ws, GoalRequest("ctr", "absolute", 1.8, date(2026, 11, 30),
                                              "youtube"))
    # CTR since the start is 1.9 % ≥ 1.8 %, but a ratio is judged at its deadline
    assert evaluate_goals(store, ws, date(2026, 11, 30), NOW) == []
    events = evaluate_goals(store, ws, date(2026, 12, 1), NOW)
    kinds = {e.goal_id: e.kind for e in events}
    assert kinds == {total.id: "missed", ratio.id: "achieved"}
    # the total is measured to its deadline: 21 000 (no reach after 21 Nov)
    assert next(e for e in events if e.goal_id == total.id).value == 21_000


def test_budget_is_judged_at_the_deadline(store: Store) -> None:
    ws = store.ensure_workspace("ads").id
    store.write_snapshots(ws, [SnapshotRow(TODAY - timedelta(days=i), "instagram", "",
                                           "spend", 100.0) for i in range(10)])
    goal, plan = _create(store, ws, GoalRequest("spend", "absolute", 1_000, date(2026, 11, 30)))
    # 100 already today; 900 may be spent over 8 days: 787.5 a week; history 700 a week over
    # the 9 days with data → 0.89 of the allowed pace: realistic
    assert plan.required_per_week == pytest.approx(7 * 900 / 8)
    assert plan.historical_per_week == pytest.approx(700)
    assert plan.verdict.value == "realistic"
    assert evaluate_goals(store, ws, date(2026, 11, 30), NOW) == []
    assert [e.kind for e in evaluate_goals(store, ws, date(2026, 12, 1), NOW)] == ["achieved"]
    assert GoalStore(store).get(ws, goal.id).status == "achieved"  # type: ignore[union-attr]


def test_goals_of_other_workspaces_stay_apart(store: Store) -> None:
    ws = _seed(store)
    goal, _ = _create(store, ws, GoalRequest("reach", "absolute", 1, date(2026, 12, 31)))
    other = store.ensure_workspace("other").id
    assert GoalStore(store).get(other, goal.id) is None
    assert GoalStore(store).list_goals(other) == []


def test_users_seen_in_a_chat(store: Store) -> None:
    store.remember_user("telegram", "100", "42", "@Budi", NOW)
    store.remember_user("telegram", "100", "42", "budi_new", NOW + timedelta(1))
    store.remember_user("telegram", "200", "43", "sari", NOW)
    assert store.find_user("telegram", "100", "@BUDI_NEW") == "42"
    assert store.find_user("telegram", "100", "budi") is None
    assert store.find_user("telegram", "100", "sari") is None  # another chat
    assert store.user_names("telegram", "100") == {"42": "budi_new"}


def test_campaign_span(store: Store) -> None:
    ws = store.ensure_workspace("c").id
    store.write_snapshots(ws, [SnapshotRow(date(2026, 3, d), "instagram", "", "spend", 1.0,
                                           "ramadan") for d in (5, 1, 20)])
    assert campaign_span(store, ws, "ramadan") == (date(2026, 3, 1), date(2026, 3, 20))
    assert campaign_span(store, ws, "gajian") is None


def test_every_goal_metric_has_a_shape() -> None:
    for metric in METRICS.values():
        if metric.kind.value != "gauge_delta":
            assert gm.shape_of(metric) in gm.Shape
