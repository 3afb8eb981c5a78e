"""Alert votes in the database (SQLite and PostgreSQL): one per user and event, replaced when
changed; the per-rule counts against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from kpi_engine.storage import alert_feedback as fb
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.store import Store

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def _workspace(store: Store) -> int:
    return store.ensure_workspace("fb").id


def _fired(store: Store, ws: int, rule: str, seq: int, at: datetime) -> None:
    with store.begin() as conn:
        conn.execute(insert(a.alert_log).values(
            workspace_id=ws, rule_key=rule, subject="*", kind="threshold", metric="reach",
            channel=None, state="firing", seq=seq, summary="", at=at))


def test_votes_are_idempotent_and_counted_per_event(store: Store) -> None:
    ws = _workspace(store)
    for seq in (1, 2, 3, 4):
        _fired(store, ws, "r1", seq, NOW - timedelta(days=seq))
    _fired(store, ws, "r1", 9, NOW - timedelta(days=40))  # outside the 30 days
    v = fb.vote
    assert v(store, ws, "r1", "*", 1, "telegram", "a", fb.USEFUL, NOW)
    assert not v(store, ws, "r1", "*", 1, "telegram", "a", fb.USEFUL, NOW)  # again: once
    assert v(store, ws, "r1", "*", 1, "telegram", "a", fb.NOT_USEFUL, NOW)  # replaced
    assert v(store, ws, "r1", "*", 1, "telegram", "b", fb.NOT_USEFUL, NOW)
    # event 1: a -1, b -1 → not useful; event 2: a +1, b -1 → a tie, neither
    v(store, ws, "r1", "*", 2, "telegram", "a", fb.USEFUL, NOW)
    v(store, ws, "r1", "*", 2, "telegram", "b", fb.NOT_USEFUL, NOW)
    # event 3: +1 → useful
    v(store, ws, "r1", "*", 3, "slack", "U1", fb.USEFUL, NOW)
    got = fb.rule_feedback(store, ws, NOW)["r1"]
    assert (got.fired, got.useful, got.not_useful) == (4, 1, 1)
    assert not got.wants_looser()
    # two more not-useful events: 3 of 4 rated → a proposal is due
    v(store, ws, "r1", "*", 4, "telegram", "a", fb.NOT_USEFUL, NOW)
    v(store, ws, "r1", "*", 5, "telegram", "a", fb.NOT_USEFUL, NOW)
    got = fb.rule_feedback(store, ws, NOW)["r1"]
    assert (got.useful, got.not_useful, got.rated) == (1, 3, 4) and got.wants_looser()
    # votes older than the window do not count
    later = fb.rule_feedback(store, ws, NOW + timedelta(days=31))
    assert "r1" not in later


def test_three_not_useful_of_six_rated_is_not_enough() -> None:
    assert not fb.RuleFeedback(fired=6, useful=3, not_useful=3).wants_looser()  # 50 %: no
    assert fb.RuleFeedback(fired=5, useful=2, not_useful=3).wants_looser()
    assert not fb.RuleFeedback(fired=2, useful=0, not_useful=2).wants_looser()  # < 3
