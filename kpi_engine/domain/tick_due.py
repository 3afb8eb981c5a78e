"""When the alert tick must look at a workspace again although nothing was written (issue 18).

A rule's verdict changes without new data only as time passes:

- the workspace's local day turns: the last complete day and week move (drop and threshold
  rules, a week boundary for weekly drops), a channel's stale gap grows, a goal starts, runs
  another day, reaches its deadline (reached / missed, off track judged anew);
- a firing rule's repeat interval ends (``step`` repeats it then);
- quiet hours and snoozes change when a message is delivered (``deliver_at``), not whether
  it fires: they make nothing due.

``next_due`` is the earliest of those moments; a workspace whose evaluation changed a state
is due at once (the tick looks again until nothing changes). Pure: no clock, no storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kpi_engine.domain.alerts import NEVER, Rule, State, WorkspaceData


def next_midnight(timezone: str, now: datetime) -> datetime:
    """The next start of a local day in ``timezone`` after ``now``, in UTC."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def _repeat(rules: dict[str, Rule], key: str, subject: str) -> timedelta | None:
    rule = rules.get(key)
    if rule is None:
        return None
    if rule.kind == "goal" and not subject.endswith(":track"):
        return None  # reached / missed: once
    return None if rule.repeat is NEVER else rule.repeat


def next_due(data: WorkspaceData, states: Iterable[tuple[str, str, State]], now: datetime,
             *, changed: bool) -> datetime:
    """The next moment the rules of ``data`` can change verdict without a write.

    ``states``: (rule key, subject, state) of this workspace after the tick."""
    if changed:
        return now
    due = next_midnight(data.workspace.timezone, now)
    rules = {r.key: r for r in data.rules}
    for key, subject, state in states:
        if not state.firing:
            continue
        repeat = _repeat(rules, key, subject)
        if repeat is None:
            continue
        if state.last_notified_at is None:
            return now
        due = min(due, state.last_notified_at + repeat)
    return due
