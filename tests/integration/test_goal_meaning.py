"""Goals that mean something (issue 11), on SQLite and PostgreSQL: an ER goal on the per-post
engagement rate, nothing from the future, one pace model for the verdict and the judgement,
and every percentage in a goal message saying what it is a percentage of.

The expected numbers are computed in each test from the raw rows it writes (``_er`` below is
SPEC §3.1's formula written out by hand), never taken from the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.alert_views import render
from bot.bootstrap import App
from kpi_engine.domain.goal_model import GoalRequest
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.services.alert_inputs import load_inputs, run_tick
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.goals import create_goal, track
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage.goal_store import GoalStore
from kpi_engine.storage.store import Store
from tests.conftest import Conversation

JKT = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 22)
FIRST = TODAY - timedelta(days=59)  # day i = 0 .. 59 (today)
NOW = datetime.combine(TODAY, time(10), tzinfo=JKT)
CHAT = ("telegram", "100")
ROOT = Path(__file__).resolve().parents[2]


def _rows() -> list[SnapshotRow]:
    """Two own channels; each followers level is recorded once, on the first day (a gauge
    looks back however far: SPEC §3).

    - instagram: 10 000 followers, 2 posts a day, 200 + 2·i likes on day i;
    - tiktok: 5 000 followers, 1 post a day, 50 comments a day.

    Per post by audience, day i: 100 × (250 + 2·i) / (2 × 10 000 + 1 × 5 000) = 1 + 0.008·i %.
    """
    rows = [SnapshotRow(FIRST, "instagram", "", "followers", 10_000.0),
            SnapshotRow(FIRST, "tiktok", "", "followers", 5_000.0)]
    for i in range(60):
        day = FIRST + timedelta(days=i)
        rows += [SnapshotRow(day, "instagram", "", "posts", 2.0),
                 SnapshotRow(day, "instagram", "", "likes", 200.0 + 2 * i),
                 SnapshotRow(day, "tiktok", "", "posts", 1.0),
                 SnapshotRow(day, "tiktok", "", "comments", 50.0)]
    return rows


def _er(rows: list[SnapshotRow], first: date, last: date,
        platforms: tuple[str, ...] = ("instagram", "tiktok")) -> float:
    """SPEC §3.1 by hand: 100 × Σ_c engagement_c / Σ_c (posts_c × followers_c at ``last``)."""
    engagement = posts_x_audience = 0.0
    for p in platforms:
        mine = [r for r in rows if r.platform == p]
        posts = sum(r.value for r in mine if r.metric == "posts" and first <= r.day <= last)
        levels = sorted((r.day, r.value) for r in mine if r.metric == "followers"
                        and r.day <= last)
        if not posts or not levels:
            continue
        engagement += sum(r.value for r in mine if first <= r.day <= last
                          and r.metric in ("likes", "comments", "shares", "saves"))
        posts_x_audience += posts * levels[-1][1]
    return 100.0 * engagement / posts_x_audience


def _workspace(store: Store) -> tuple[int, list[SnapshotRow]]:
    ws = store.ensure_workspace("acme", name="Acme")
    rows = _rows()
    store.write_snapshots(ws.id, rows)
    store.link_chat(ws.id, *CHAT, Role.EDITOR)
    return ws.id, rows


# ------------------------------------------------------------- ER on the per-post value

def test_er_goal_is_on_the_per_post_engagement_rate(store: Store) -> None:
    ws, rows = _workspace(store)
    start, deadline = TODAY - timedelta(days=9), TODAY + timedelta(days=30)  # 40 days
    goal, plan = create_goal(store, GoalStore(store), ws, store.channels(ws),
                             GoalRequest("engagement_rate", "absolute", 3.0, deadline,
                                         start=start), TODAY, NOW,
                             platform=CHAT[0], chat_id=CHAT[1])
    # baseline: the 40 days before the start (i = 10..49):
    # Σ engagement 40 × 250 + 2 × Σi = 12 360 over 40 × 25 000 post-followers → 1.236 %
    baseline = _er(rows, start - timedelta(days=40), start - timedelta(days=1))
    assert baseline == pytest.approx(1.236)
    assert plan.baseline == pytest.approx(baseline)
    # current: the ER since the start (i = 50..59): 3 590 / 250 000 → 1.436 %
    current = _er(rows, start, TODAY)
    assert current == pytest.approx(1.436)
    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert p.current == pytest.approx(current)
    progress = 100 * (current - baseline) / (3.0 - baseline)
    assert p.progress_pct == pytest.approx(progress)
    assert p.basis == "rise"
    # the pace: the daily per-post ER 1 + 0.008·i rises 0.008 points a day (28 days to today)
    daily = [_er(rows, FIRST + timedelta(days=i), FIRST + timedelta(days=i)) for i in range(60)]
    slope = daily[59] - daily[58]
    assert slope == pytest.approx(0.008)
    assert p.recent_per_week == pytest.approx(7 * slope)
    assert plan.historical_per_week == pytest.approx(7 * slope)
    # it has run 10 days (judged after 7): from 1.436 % on, 30 days to the deadline
    forecast = current + slope * 30
    assert p.forecast == pytest.approx(forecast)
    forecast_pct = 100 * (forecast - baseline) / (3.0 - baseline)
    assert p.forecast_pct == pytest.approx(forecast_pct)  # 24.9 %: off track
    assert (p.days_run, p.judge_after, p.status) == (10, 7, "off_track")
    required = 7 * (3.0 - current) / 30
    assert p.required_per_week == pytest.approx(required)
    # the verdict is the same judgement: 6.5× the pace, forecast below 90 % → unrealistic
    assert (plan.forecast, plan.on_track_at_pace) == (pytest.approx(forecast), False)
    assert plan.multiple == pytest.approx(required / (7 * slope))
    assert plan.verdict.value == "unrealistic"

    # the alert tick computes the same numbers (in bulk, from its window) and says what
    # each percentage is of
    found = [q for q in run_tick(store, NOW, render, dry_run=True)
             if q.event.rule.key == "goal"]
    assert [q.event.subject for q in found] == [f"g{goal.id}:track"]
    signal = found[0].event.observation.goal
    assert signal is not None
    assert signal.current == pytest.approx(current)
    assert signal.forecast == pytest.approx(forecast)
    assert signal.forecast_pct == pytest.approx(forecast_pct)
    body = found[0].rendered.body
    assert f"perkiraan {round(forecast_pct)}% dari kenaikan yang ditargetkan pada tenggat" in body
    assert f"Sekarang: {round(progress)}% dari kenaikan yang ditargetkan" in body


# ------------------------------------------------------------- nothing from the future

def test_a_goal_that_starts_later_reads_only_days_up_to_today(store: Store) -> None:
    ws, rows = _workspace(store)
    # a row dated after today (inside the old baseline span 31 Oct – 30 Nov) must not count
    store.write_snapshots(ws, [SnapshotRow(date(2026, 11, 25), "instagram", "", "likes",
                                           1_000_000.0),
                               SnapshotRow(date(2026, 11, 25), "instagram", "", "posts", 1.0)])
    start, deadline = date(2026, 12, 1), date(2026, 12, 31)  # "bulan depan": 31 days
    goal, plan = create_goal(store, GoalStore(store), ws, store.channels(ws),
                             GoalRequest("engagement_rate", "absolute", 5.0, deadline,
                                         "instagram", start=start), TODAY, NOW,
                             platform=CHAT[0], chat_id=CHAT[1])
    # the baseline: the same 31 days, ending today (23 Oct – 22 Nov), instagram only:
    # likes 200 + 2·i for i = 29..59 over 2 posts × 10 000 followers a day
    first = TODAY - timedelta(days=30)
    assert (plan.baseline_span.start, plan.baseline_span.end) == (first, TODAY)
    baseline = _er(rows, first, TODAY, ("instagram",))
    assert baseline == pytest.approx(100 * sum(200 + 2 * i for i in range(29, 60)) / (62 * 10_000))
    assert plan.baseline == pytest.approx(baseline)
    assert plan.current is None
    # the pace and the forecast: from the baseline, the daily ER of instagram
    # (100 × (200 + 2·i) / 20 000 = 1 + 0.01·i) rising 0.01 a day over the 31 days of the window
    assert plan.historical_per_week == pytest.approx(0.07)
    assert plan.forecast == pytest.approx(baseline + 0.01 * 31)
    assert plan.required_per_week == pytest.approx(7 * (5.0 - baseline) / 31)

    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert (p.current, p.progress_pct, p.days_run, p.on_track, p.status) == (
        None, None, 0, None, "not_started")
    # no off-track alert before it starts, though its forecast is far below the target
    ticks = run_tick(store, NOW, render, dry_run=True)
    assert [q for q in ticks if q.event.rule.key == "goal"] == []
    signal_days = [datetime.combine(TODAY + timedelta(days=d), time(9), tzinfo=JKT)
                   for d in (3, 9)]  # 25 Nov: not started; 1 Dec: day 1 of 31, too early
    for now in signal_days:
        assert [q for q in run_tick(store, now, render, dry_run=True)
                if q.event.rule.key == "goal"] == []


# ------------------------------------------------------------- one pace model

@pytest.mark.parametrize("target", ["600 rb", "700 rb", "750 rb", "800 rb", "1 jt", "1,5 jt"])
def test_the_verdict_and_the_judgement_agree_the_same_minute(app: App, target: str) -> None:
    seed_demo(app.store, TODAY)
    bot = Conversation(app, NOW)
    made = bot.reply(f"/target reach {target} bulan ini")
    assert made.error is None, made.text
    listed = bot.reply("/target").data["goals"][0]
    # 1–22 Nov has run 22 days of 30 (judged after 6): judged, by the same forecast
    assert listed["status"] in ("on_track", "off_track")
    assert (made.data["verdict"] == "realistic") == (listed["status"] == "on_track")
    assert made.data["forecast"] == listed["forecast"]
    # the forecast by hand from the demo rows: the month so far + the mean daily reach of the
    # 28 days ending today × the 8 days left
    reach: dict[date, float] = {}
    for r in demo_rows(TODAY):
        if r.metric == "reach" and not r.handle and r.platform != "website":
            reach[r.day] = reach.get(r.day, 0.0) + r.value
    so_far = sum(v for d, v in reach.items() if date(2026, 11, 1) <= d <= TODAY)
    window = [reach.get(TODAY - timedelta(days=i), 0.0) for i in range(28)]
    forecast = so_far + sum(window) / 28 * 8
    assert listed["current"] == pytest.approx(so_far)
    assert listed["forecast"] == pytest.approx(forecast)
    assert listed["on_track"] is (forecast >= 0.9 * made.data["target"])


# ------------------------------------------------------------- the words of a percentage

def test_goal_messages_say_what_each_percentage_is_of(app: App) -> None:
    seed_demo(app.store, TODAY)
    bot = Conversation(app, NOW)
    made = bot.reply("/target reach 1 jt bulan ini")
    pct = made.data["progress_pct"]
    forecast_pct = made.data["forecast_pct"]
    assert forecast_pct == pytest.approx(100 * made.data["forecast"] / 1_000_000, abs=0.01)
    assert f"perkiraan {round(forecast_pct)}% dari target pada tenggat" in made.text
    shown = bot.ask(f"/target {made.data['id']}")
    assert f"{round(pct)}% dari target tercapai" in shown
    assert f"perkiraan {round(forecast_pct)}% dari target pada tenggat" in shown
    listing = bot.ask("/target")
    assert f"{round(pct)}% dari target tercapai" in listing
    english = bot.ask("/goal", lang="en")
    assert f"{round(pct)}% of the target reached" in english
    assert f"forecast {round(forecast_pct)}% of the target by the deadline" in english
    # a goal set today is not judged yet, and says so
    fresh = bot.reply("/target followers +20% instagram 3 bulan")
    assert "belum bisa dinilai: baru 1 hari (dinilai setelah 7 hari)" in fresh.text
    assert "dari kenaikan yang ditargetkan" in fresh.text
    assert "too early to judge: 1 of 7 days run" in bot.ask("/goal", lang="en")


def test_kpibot_alerts_dry_run_words_goal_alerts(tmp_path: Path) -> None:
    """``kpibot alerts --dry-run`` as an operator runs it: the off-track alert of the month's
    reach goal, and the missed alert after its deadline, each percentage with its basis."""
    url = f"sqlite:///{tmp_path / 'goals.db'}"

    def kpibot(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "adapters.cli", "--db", url, *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    kpibot("demo", "--no-chat", "--now", TODAY.isoformat())
    kpibot("link", "--workspace", "demo", "--platform", "telegram", "--chat", "100")
    now = "2026-11-22T10:00:00+07:00"
    made = json.loads(kpibot("ask", "/target reach 1 jt bulan ini", "--now", now, "--json"))
    dry = json.loads(kpibot("alerts", "--now", now, "--json", "--dry-run"))
    goal = [e for e in dry if e["rule_key"] == "goal"]
    assert len(goal) == 1, dry
    # the month so far and the forecast, by hand from the demo rows (as in the test above)
    reach: dict[date, float] = {}
    for r in demo_rows(TODAY):
        if r.metric == "reach" and not r.handle:
            reach[r.day] = reach.get(r.day, 0.0) + r.value
    so_far = sum(v for d, v in reach.items() if date(2026, 11, 1) <= d <= TODAY)
    forecast = so_far + sum(reach.get(TODAY - timedelta(days=i), 0.0) for i in range(28)) / 28 * 8
    assert made["intent"] == "goal"
    text = goal[0]["text"]
    assert f"perkiraan {round(100 * forecast / 1_000_000)}% dari target pada tenggat" in text
    assert f"Sekarang: {round(100 * so_far / 1_000_000)}% dari target tercapai" in text
    assert "sesuai jalur: perkiraan ≥ 90%" in text
    # after the deadline (no new data): missed, with how much of the target was reached
    later = json.loads(kpibot("alerts", "--now", "2026-12-01T09:00:00+07:00", "--json",
                              "--dry-run"))
    missed = [e for e in later if e["rule"] == "goal_missed"]
    assert len(missed) == 1, later
    assert f"; {round(100 * so_far / 1_000_000)}% dari target tercapai" in missed[0]["text"]


# ------------------------------------------------------------- gauges look back by one rule

def test_a_level_recorded_long_ago_is_the_goal_level_per_its_day(store: Store, app: App) -> None:
    ws, rows = _workspace(store)
    # tiktok's followers were recorded once, 59 days ago: that is its level today (SPEC §3,
    # however old), and the reply says from which day
    recorded = min(r.day for r in rows if r.platform == "tiktok" and r.metric == "followers")
    assert recorded == FIRST
    goal, plan = create_goal(store, GoalStore(store), ws, store.channels(ws),
                             GoalRequest("followers", "amount", 1_000, date(2026, 12, 31),
                                         "tiktok"), TODAY, NOW,
                             platform=CHAT[0], chat_id=CHAT[1])
    assert (plan.baseline, goal.target) == (5_000.0, 6_000.0)
    later = TODAY + timedelta(days=10)
    p = track(store, ws, store.channels(ws), goal, later)
    assert (p.current, p.gauge_from, p.progress_pct) == (5_000.0, FIRST, 0.0)
    # one recorded value gives no trend: no forecast ("unknown"), in /target and in the alert
    # tick alike, so no off-track alert
    assert (p.forecast, p.status) == (None, "unknown")
    at = datetime.combine(later, time(9), tzinfo=JKT)
    assert [q for q in run_tick(store, at, render, dry_run=True)
            if q.event.rule.key == "goal"] == []
    with store.connect() as conn:  # what the tick saw: the same level, from its window
        inputs = load_inputs(conn, at, [ws])
    signal = next(g for item in inputs.data for g in item.goals)
    assert (signal.current, signal.forecast, signal.on_track) == (5_000.0, None, None)
    bot = Conversation(app, at, workspace="acme")
    shown = bot.ask(f"/target {goal.id}")
    assert "Sekarang: 5.000 · 0% dari kenaikan yang ditargetkan (per 24 Sep 2026)" in shown


def test_next_month_total_goal_reads_the_same_days_ending_today(app: App) -> None:
    """``/target reach +20% bulan depan``: 31 days of December against 23 Oct – 22 Nov."""
    seed_demo(app.store, TODAY)
    bot = Conversation(app, NOW)
    made = bot.reply("/target reach +20% bulan depan")
    assert made.error is None, made.text
    baseline = sum(r.value for r in demo_rows(TODAY) if r.metric == "reach" and not r.handle
                   and date(2026, 10, 23) <= r.day <= TODAY)
    assert made.data["baseline"] == pytest.approx(baseline)
    assert made.data["target"] == pytest.approx(1.2 * baseline, abs=1e-3)
    assert (made.data["start"], made.data["status"]) == ("2026-12-01", "not_started")
    assert "pada 23 Okt – 22 Nov 2026" in made.text
    assert "belum dimulai (mulai 1 Des 2026)" in made.text
    shown = bot.ask(f"/target {made.data['id']}")
    assert "pada 23 Okt – 22 Nov 2026" in shown and "Sekarang: belum ada data." in shown


def test_digest_goal_lines_say_what_each_percentage_is_of(app: App) -> None:
    from bot.digest_views import render_digest
    from kpi_engine.services.digests import build_digest

    ws, _ = seed_demo(app.store, TODAY)
    bot = Conversation(app, NOW)
    made = bot.reply("/target reach 1 jt bulan ini").data
    bot.reply("/target followers +20% instagram 3 bulan")
    digest = build_digest(app.store, ws, "daily", TODAY, NOW)
    text = render_digest(digest, chart=False).reply.text
    reach_line = next(line for line in text.splitlines() if f"#{made['id']} " in line)
    assert f"({round(made['progress_pct'])}% dari target tercapai)" in reach_line
    lines = text.splitlines()
    pace = lines[lines.index(reach_line) + 1]
    assert f"perkiraan {round(made['forecast_pct'])}% dari target pada tenggat" in pace
    assert "0% dari kenaikan yang ditargetkan" in text
    assert "belum bisa dinilai: baru 1 hari" in text
    english = render_digest(build_digest(app.store, ws, "daily", TODAY, NOW, lang="en"),
                            chart=False).reply.text
    assert f"{round(made['progress_pct'])}% of the target reached" in english


def test_a_cpc_goal_counts_paid_clicks_only_in_track_and_tick(store: Store) -> None:
    ws = store.ensure_workspace("ads").id
    store.link_chat(ws, *CHAT, Role.EDITOR)
    rows = []
    for i in range(60):  # the "gajian" campaign: spend 100 + i, 10 clicks; organic: 50 clicks
        day = FIRST + timedelta(days=i)
        rows += [SnapshotRow(day, "instagram", "", "spend", 100.0 + i, "gajian"),
                 SnapshotRow(day, "instagram", "", "clicks", 10.0, "gajian"),
                 SnapshotRow(day, "instagram", "", "clicks", 50.0)]
    store.write_snapshots(ws, rows)
    start = TODAY - timedelta(days=44)  # before the tick's window: older days are summed apart
    goal, _ = create_goal(store, GoalStore(store), ws, store.channels(ws),
                          GoalRequest("cpc", "absolute", 9.0, TODAY + timedelta(days=30),
                                      start=start), TODAY, NOW,
                          platform=CHAT[0], chat_id=CHAT[1])
    # paid-only (SPEC §3.1): Σ spend / Σ paid clicks since the start (i = 15..59)
    spend = sum(100.0 + i for i in range(15, 60))
    cpc = spend / (45 * 10)
    p = track(store, ws, store.channels(ws), goal, TODAY)
    assert p.current == pytest.approx(cpc)  # 13.7, not spend / 2 700 with the organic clicks
    with store.connect() as conn:
        inputs = load_inputs(conn, NOW, [ws])
    signal = next(g for item in inputs.data for g in item.goals)
    assert signal.current == pytest.approx(cpc)
    # the daily paid CPC (100 + i) / 10 rises 0.1 a day: 30 days to the deadline
    assert p.forecast == pytest.approx(cpc + 0.1 * 30)
    assert signal.forecast == pytest.approx(cpc + 0.1 * 30)
    assert signal.on_track is p.on_track is False  # the CPC rises 0.1 a day: away from 9


def test_no_forecast_from_data_more_than_a_week_old(store: Store) -> None:
    ws = store.ensure_workspace("quiet").id
    store.link_chat(ws, *CHAT, Role.EDITOR)
    last = TODAY - timedelta(days=10)  # the import stopped ten days ago
    store.write_snapshots(ws, [SnapshotRow(last - timedelta(days=i), "instagram", "", "reach",
                                           1_000.0 + 10 * i) for i in range(60)])
    goal, _ = create_goal(store, GoalStore(store), ws, store.channels(ws),
                          GoalRequest("reach", "absolute", 100_000, TODAY + timedelta(days=20),
                                      start=TODAY - timedelta(days=40)), TODAY, NOW,
                          platform=CHAT[0], chat_id=CHAT[1])
    p = track(store, ws, store.channels(ws), goal, TODAY)
    # the total since the start still counts (days 40..10 before today: i = 0..30)
    assert p.current == pytest.approx(sum(1_000.0 + 10 * i for i in range(31)))
    assert (p.forecast, p.on_track, p.status) == (None, None, "unknown")
    with store.connect() as conn:
        signal = next(g for item in load_inputs(conn, NOW, [ws]).data for g in item.goals)
    assert signal.current == pytest.approx(p.current)
    assert (signal.forecast, signal.on_track) == (None, None)
    # a week after the last data it still forecasts: 7 days late is allowed
    week = track(store, ws, store.channels(ws), goal, last + timedelta(days=7))
    assert week.forecast is not None
