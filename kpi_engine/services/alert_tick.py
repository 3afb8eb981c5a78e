"""The alert tick as every entry point runs it (``kpibot alerts``, the scheduler's tick): one
function, so the CLI and the scheduler cannot wire it differently. The reads, the rules and
the writes are ``alert_inputs``'s; the words come from the caller's ``render`` (``bot``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kpi_engine.services.alert_inputs import Queued, Render, run_tick
from kpi_engine.storage.store import Store


def run_alert_tick(store: Store, now: datetime, render: Render, *,
                   workspace_ids: Sequence[int] | None = None, dry_run: bool = False,
                   goals: bool = True) -> list[Queued]:
    """Evaluate every rule (of ``workspace_ids``; None: all) at ``now`` and, unless
    ``dry_run``, queue what fires in one transaction. Returns the events found."""
    return run_tick(store, now, render, workspace_ids=workspace_ids, dry_run=dry_run,
                    goals=goals)
