"""What the runtime (``bot/runtime``: the dispatcher and the scheduler) and the health page use
to deliver the outbox and to lead: the outbox's claim / sent / failed / release cycle and its
counts, and the leader lock. The SQL is ``storage/outbox.py``'s and ``storage/leader.py``'s;
entry points reach it here, never through ``kpi_engine.storage``."""

from __future__ import annotations

from sqlalchemy import Engine

from kpi_engine.storage.leader import LeaderLock
from kpi_engine.storage.outbox import (
    MAX_ATTEMPTS,
    PARKED,
    PENDING,
    Claimed,
    claim,
    counts,
    fail,
    mark_chart_sent,
    mark_sent,
    release,
    still_claimed,
)

__all__ = ["MAX_ATTEMPTS", "PARKED", "PENDING", "Claimed", "LeaderLock", "claim", "counts",
           "fail", "mark_chart_sent", "mark_sent", "pending", "release", "still_claimed"]


def pending(engine: Engine) -> int:
    """How many outbox rows wait to be sent (the health page's backlog)."""
    return counts(engine).get(PENDING, 0)
