"""The alert tick evaluates only the workspaces with a write since their last evaluation or
a time-driven change due (issue 18: ``storage/tick_marks.py``, ``domain/tick_due.py``), and
fires exactly what a tick evaluating every workspace fires, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event, select

from bot.alert_views import render
from kpi_engine.domain.goal_model import GoalRequest
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.domain.tick_due import next_midnight
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.goals import create_goal
from kpi_engine.storage import alert_store
from kpi_engine.storage.db import make_engine, migrate
from kpi_engine.storage.goal_store import GoalStore
from kpi_engine.storage.schema_ticks import tick_marks
from kpi_engine.storage.store import Store

JAKARTA = ZoneInfo("Asia/Jakarta")
START = date(2026, 11, 9)  # a Monday: the simulation runs two weeks from here
DAYS = 14


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JAKARTA)


def evaluated(store: Store) -> dict[str, datetime | None]:
    """Workspace slug → when a tick last evaluated it."""
    from kpi_engine.storage import schema as t

    with store.connect() as conn:
        rows = conn.execute(select(t.workspaces.c.slug, tick_marks.c.evaluated_at).join(
            tick_marks, tick_marks.c.workspace_id == t.workspaces.c.id)).all()
    return {r[0]: r[1] for r in rows}


def small_rows(day: date, days: int = 10, value: float = 1000.0) -> list[SnapshotRow]:
    return [SnapshotRow(day - timedelta(days=i), "instagram", "", m, value)
            for i in range(days) for m in ("reach", "likes")]


def test_an_unchanged_workspace_is_skipped(store: Store) -> None:
    ids = {}
    for slug in ("a", "b", "c"):
        ws = store.ensure_workspace(slug)
        store.write_snapshots(ws.id, small_rows(START))
        ids[slug] = ws.id
    t0 = local(START, 9, 5)
    run_tick(store, t0, render)
    assert set(evaluated(store).values()) == {t0}  # never evaluated before: all three

    t1 = t0 + timedelta(hours=1)
    run_tick(store, t1, render)
    assert set(evaluated(store).values()) == {t0}  # nothing new, nothing due: none

    t2 = t1 + timedelta(hours=1)  # new data in b
    store.write_snapshots(ids["b"], [SnapshotRow(START, "instagram", "", "reach", 5.0)])
    run_tick(store, t2, render)
    assert evaluated(store) == {"a": t0, "b": t2, "c": t0}

    t3 = t2 + timedelta(hours=1)  # a team rule in c, a goal in a
    alert_store.add_rule(store, ids["c"], kind="threshold", metric="reach", value=1.0,
                         op="<", now=t3)
    create_goal(store, GoalStore(store), ids["a"], store.channels(ids["a"]),
                GoalRequest("reach", "absolute", 50_000, START + timedelta(days=20)),
                START, t3)
    run_tick(store, t3, render)
    assert evaluated(store) == {"a": t3, "b": t2, "c": t3}

    t4 = next_midnight("Asia/Jakarta", t3)  # the day turned: every workspace looks again
    assert t4 == local(START + timedelta(days=1)).astimezone(UTC)
    run_tick(store, t4 - timedelta(seconds=1), render)
    assert evaluated(store) == {"a": t3, "b": t2, "c": t3}
    run_tick(store, t4, render)
    assert set(evaluated(store).values()) == {t4}


def test_changed_drop_options_are_judged_on_the_next_tick(store: Store) -> None:
    """``/alert ubah N toleransi 2`` changes what the rule fires on: the workspace must be
    evaluated on the next tick, not at its next midnight."""
    ws = store.ensure_workspace("a")
    store.write_snapshots(ws.id, small_rows(START))
    t0 = local(START, 9)
    rule = alert_store.add_rule(store, ws.id, kind="drop", metric="reach", value=20.0,
                                now=t0)
    run_tick(store, t0, render)
    t1 = t0 + timedelta(hours=1)
    run_tick(store, t1, render)
    assert evaluated(store) == {"a": t0}  # nothing changed
    assert alert_store.set_rule_options(store, ws.id, rule.id or 0, k=2.0) is not None
    t2 = t1 + timedelta(hours=1)
    run_tick(store, t2, render)
    assert evaluated(store) == {"a": t2}


def test_a_clock_set_back_and_an_explicit_workspace_are_evaluated(store: Store) -> None:
    ws = store.ensure_workspace("a")
    store.write_snapshots(ws.id, small_rows(START))
    t0 = local(START, 9)
    run_tick(store, t0, render)
    earlier = t0 - timedelta(hours=2)
    run_tick(store, earlier, render)
    assert evaluated(store) == {"a": earlier}
    later = earlier + timedelta(minutes=5)
    run_tick(store, later, render, workspace_ids=[ws.id])  # ``kpibot alerts --workspace``
    assert evaluated(store) == {"a": later}
    run_tick(store, later + timedelta(minutes=5), render, dry_run=True)  # marks untouched
    assert evaluated(store) == {"a": later}


def _setup(store: Store) -> dict[str, Any]:
    """Three workspaces: the demo brand (its last two weeks arrive day by day during the
    run; tiktok stops sending for four days; a team rule repeating every 6 hours; a goal
    whose deadline falls in the run), a quiet one whose data stopped (stale, repeating
    daily) and one that never changes."""
    rows = [r for r in demo_rows(START + timedelta(days=DAYS))
            if not (r.platform == "tiktok" and START + timedelta(days=3) <= r.day
                    <= START + timedelta(days=6))]
    demo = store.ensure_workspace("demo")
    store.write_snapshots(demo.id, [r for r in rows if r.day < START])
    store.link_chat(demo.id, "telegram", "100", Role.ADMIN)
    alert_store.add_rule(store, demo.id, kind="threshold", metric="reach", value=10**9,
                         op="<", now=local(START), repeat=timedelta(hours=6),
                         platform="telegram", chat_id="100")
    create_goal(store, GoalStore(store), demo.id, store.channels(demo.id),
                GoalRequest("reach", "absolute", 10**9, START + timedelta(days=5)),
                START - timedelta(days=1), local(START) - timedelta(minutes=5),
                platform="telegram", chat_id="100")
    quiet = store.ensure_workspace("quiet")
    store.write_snapshots(quiet.id, small_rows(START - timedelta(days=2)))
    still = store.ensure_workspace("still")
    store.write_snapshots(still.id, small_rows(START + timedelta(days=DAYS)))
    return {"demo": demo.id, "rows": rows}


def _run(store: Store, setup: dict[str, Any], marked: bool) -> list[tuple[Any, ...]]:
    ids = None if marked else [w.id for w in store.workspaces()]
    out = []
    for d in range(DAYS):
        day = START + timedelta(days=d)
        moments = [local(day)] + [local(day, h, 17) for h in range(1, 24, 2)]
        for now in moments:
            if now == local(day, 11, 17):  # yesterday's numbers arrive
                store.write_snapshots(setup["demo"], [r for r in setup["rows"]
                                                      if r.day == day - timedelta(days=1)])
            for q in run_tick(store, now, render, workspace_ids=ids):
                out.append((now, q.event.workspace.slug, q.event.rule.key, q.event.subject,
                            q.event.state, q.event.seq, q.event.repeat))
    return out


def test_marked_ticks_fire_exactly_what_evaluating_everything_fires(
        store: Store, tmp_path: Path) -> None:
    full = Store(make_engine(f"sqlite:///{tmp_path / 'full.db'}"))
    migrate(full.engine)
    marked = _run(store, _setup(store), marked=True)
    every = _run(full, _setup(full), marked=False)
    assert marked == every
    kinds = {(slug, key, state, repeat) for _, slug, key, _, state, _, repeat in marked}
    # each time-driven case happened: a repeat by interval, stale data by the day turning
    # (and its daily repeat), a goal missed at its deadline, and a resolution
    assert any(slug == "demo" and key.startswith("r") and state == "firing" and repeat
               for slug, key, state, repeat in kinds)
    assert ("quiet", "stale", "firing", False) in kinds
    assert ("quiet", "stale", "firing", True) in kinds
    assert ("demo", "stale", "resolved", False) in kinds
    assert any(key == "goal" and subject.endswith(":missed")
               for _, _, key, subject, *_ in marked)
    assert not any(slug == "still" for _, slug, *_ in marked)
    # and the marked run did skip: the unchanged workspace was last looked at when the
    # day last turned, not at the last tick
    last_midnight = local(START + timedelta(days=DAYS - 1))
    assert evaluated(store)["still"] == last_midnight
    assert evaluated(full)["still"] == local(START + timedelta(days=DAYS - 1), 23, 17)
    full.engine.dispose()


def test_statements_do_not_grow_with_workspaces(db_engine: Engine) -> None:
    store = Store(db_engine)
    counts = []
    for size in (4, 20):
        made = []
        for i in range(size):
            ws = store.ensure_workspace(f"s{size}-{i}")
            store.write_snapshots(ws.id, small_rows(START))
            made.append(ws.id)
        now = local(START, 9, size)
        run_tick(store, now, render)  # every workspace once
        for ws_id in made[:2]:
            store.write_snapshots(ws_id, [SnapshotRow(START, "instagram", "", "reach", 7.0)])
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(db_engine, "before_cursor_execute", count)
        try:
            run_tick(store, now + timedelta(minutes=1), render)
        finally:
            event.remove(db_engine, "before_cursor_execute", count)
        counts.append(statements)
        assert evaluated(store)[f"s{size}-0"] == now + timedelta(minutes=1)
        assert evaluated(store)[f"s{size}-2"] == now
    assert counts[0] == counts[1] and counts[0] > 0


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "America/New_York", "Pacific/Chatham"])
def test_next_midnight_is_the_next_local_day(zone: str) -> None:
    tz = ZoneInfo(zone)
    now = datetime(2026, 3, 8, 12, 0, tzinfo=tz)
    found = next_midnight(zone, now.astimezone(UTC))
    assert found.astimezone(tz) == datetime(2026, 3, 9, 0, 0, tzinfo=tz)
    just = next_midnight(zone, (found - timedelta(microseconds=1)))
    assert just == found
