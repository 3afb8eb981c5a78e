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

from kpi_engine.domain import goal_math as gm
from kpi_engine.domain.goal_model import GoalError, GoalRequest
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.goals import create_goal, edit_goal, evaluate_goals, plan_goal, track
from kpi_engine.storage.goal_store import GoalStore, campaign_span
from kpi_engine.storage.store import Store

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


def test_the_one_pace_by_hand() -> None:
    d = date(2026, 1, 31)
    # a counter: the mean daily total from its first day with data in the 28 days ending at
    # the last day with data; gaps count as 0: days 20..31 Jan (12 days), total 2 × 60 → 10
    counter = [(d - timedelta(i), 60.0 if i in (0, 11) else None) for i in range(40)]
    assert gm.pace_per_day(gm.Shape.TOTAL, counter, d) == pytest.approx(10.0)
    # a level: the least-squares slope of the 28 days (older days ignored)
    level = [(d - timedelta(i), 500.0 - 3 * i if i < 28 else 0.0) for i in range(40)]
    assert gm.pace_per_day(gm.Shape.LEVEL, level, d) == pytest.approx(3.0)
    # fewer than 7 days of data: no pace
    assert gm.pace_per_day(gm.Shape.TOTAL, counter[:6], d) is None
    assert gm.pace_per_day(gm.Shape.TOTAL, counter, None) is None


@pytest.mark.parametrize(("start", "deadline", "after"), [
    (date(2026, 11, 1), date(2026, 11, 30), 6),  # 30 days: 20 % is 6 days, under 7
    (date(2026, 11, 22), date(2027, 2, 21), 7),  # 92 days: 7 days
    (date(2026, 11, 22), date(2026, 11, 24), 1),  # 3 days: 0.6 → 1 day
])
def test_judged_after(start: date, deadline: date, after: int) -> None:
    assert gm.judged_after(start, deadline) == after


# issue 11, one pace model: "realistic" is the off-track judgement of the forecast at the
# pace (on_track_at_pace); otherwise ambitious up to 3× the pace, unrealistic beyond
@pytest.mark.parametrize(("required", "pace", "sign", "at_pace", "verdict", "multiple"), [
    (150.0, 100.0, 1, True, "realistic", 1.5),
    (150.0, 100.0, 1, False, "ambitious", 1.5),  # was "realistic" up to 1.5×
    (300.0, 100.0, 1, False, "ambitious", 3.0),
    (310.0, 100.0, 1, False, "unrealistic", 3.1),
    (100.0, -5.0, 1, False, "unrealistic", math.inf),
    (0.0, 100.0, 1, True, "realistic", 0.0),
    (100.0, None, 1, None, "no_history", None),
    (-30.0, -10.0, -1, False, "ambitious", 3.0),  # a CPC to bring down 3× faster than it fell
])
def test_verdict(required: float, pace: float | None, sign: int, at_pace: bool | None,
                 verdict: str, multiple: float | None) -> None:
    got, times = gm.verdict(required, pace, sign, False, at_pace)
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
    # the pace: the 28 days ending 21 Nov (the last day with data) of 1 000 → 7 000 a week;
    # 22 555.6 / 7 000 = 3.22
    assert plan.historical_per_week == pytest.approx(7_000)
    assert plan.verdict.value == "unrealistic"
    assert plan.multiple == pytest.approx(7 * 29_000 / 9 / 7_000)

    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert p.current == 21_000
    assert p.progress_pct == pytest.approx(42.0)
    assert p.as_of == date(2026, 11, 21)
    # forecast: 21 000 + 1 000/day (the mean of the 28 days) × 9 days = 30 000
    assert p.forecast == pytest.approx(30_000)
    # the plan said so the same minute: 30 000 is 60 % of the target (not ≥ 90 %)
    assert (plan.forecast, plan.forecast_pct, plan.on_track_at_pace) == (
        pytest.approx(30_000), pytest.approx(60.0), False)
    assert p.forecast_pct == pytest.approx(60.0)
    assert (p.days_run, p.judge_after) == (22, 6)  # 1–22 Nov; 20 % of 30 days
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
    # the pace: the level rose 20 a day over the 28 days → 140 a week; 423.6 / 140 = 3.03
    assert plan.historical_per_week == pytest.approx(140)
    assert plan.verdict.value == "unrealistic"
    assert plan.multiple == pytest.approx(7 * 2_360 / 39 / 140)

    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert p.progress_pct == pytest.approx(0.0)
    # forecast: the 28-day line (slope 20) at 31 Dec = 11 800 + 20 × 39 = 12 580
    assert p.forecast == pytest.approx(12_580)
    # its progress is 780 / 2 360 = 33 % of the growth: off track at this pace, but a goal
    # set today is not judged yet (issue 11: 1 day run, judged after 7)
    assert p.forecast_pct == pytest.approx(100 * 780 / 2_360)
    assert plan.on_track_at_pace is False
    assert (p.on_track, p.status, p.days_run, p.judge_after) == (None, "too_early", 1, 7)
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
    # 1 000 to go over 39 days: 179.5 a week, 1.28 × the pace of 140; the forecast at that
    # pace, 12 580, is 78 % of the growth (below 90 %): one pace model (issue 11) makes this
    # "ambitious", where the old 1.5× threshold said "realistic" beside an off-track forecast
    assert plan.verdict.value == "ambitious"
    assert plan.multiple == pytest.approx(7 * 1_000 / 39 / 140)
    assert plan.forecast == pytest.approx(12_580)
    assert p.forecast_pct == pytest.approx(78.0)
    assert p.on_track is None  # set today: not judged yet


# ------------------------------------------------------------------------ a ratio goal

def test_ratio_goal_by_hand(store: Store) -> None:
    ws = _seed(store)
    goal, plan = _create(store, ws, GoalRequest("ctr", "absolute", 2.0, date(2026, 12, 31),
                                                "youtube"))
    # baseline: CTR of the 40 days before today (13 Oct – 21 Nov, i = 50..89):
    # Σclicks = 40 × 100 + (50 + 89) × 40 / 2 = 6 780; Σimpressions = 400 000 → 1.695 %
    assert plan.baseline == pytest.approx(1.695)
    # required at creation: from the baseline (a ratio goal stands at its baseline until it
    # has run 7 days), 0.305 points over 39 days, per week
    assert plan.current == pytest.approx(1.9)
    assert plan.required_per_week == pytest.approx(7 * 0.305 / 39)
    # the pace: the daily CTR rose 0.01 points a day → 0.07 a week
    assert plan.historical_per_week == pytest.approx(0.07)
    # forecast 1.695 + 0.01 × 39 = 2.085 ≥ the target: realistic (one pace model, issue 11)
    assert plan.forecast == pytest.approx(2.085)
    assert plan.verdict.value == "realistic"

    p = track(store, ws, store.channels(ws), goal, TODAY)
    # the ratio since the start (today, i = 90): 190 / 10 000 = 1.9 %
    assert p.current == pytest.approx(1.9)
    assert p.progress_pct == pytest.approx(100 * 0.205 / 0.305)
    # the same minute as the plan: from the baseline, the same forecast
    assert p.required_per_week == pytest.approx(7 * 0.305 / 39)
    assert p.forecast == pytest.approx(2.085)
    assert p.on_track is None  # set today: judged after 7 days
    # a week on (no new data): from the CTR since the start, 1.9 + 0.01 × 39 = 2.29 %
    week = track(store, ws, store.channels(ws), goal, TODAY + timedelta(days=6))
    assert week.forecast == pytest.approx(2.29)
    assert (week.days_run, week.on_track, week.status) == (7, True, "on_track")


# ------------------------------------------------------------- no history, refusals

def test_goal_on_a_channel_with_no_history(store: Store) -> None:
    ws = _seed(store)
    goal, plan = _create(store, ws, GoalRequest("followers", "absolute", 5_000,
                                                date(2027, 2, 21), "linkedin"))
    assert plan.baseline is None and plan.historical_per_week is None
    assert plan.verdict.value == "no_history"
    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert (p.current, p.progress_pct, p.forecast, p.status) == (None, None, None,
                                                                 "too_early")
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
