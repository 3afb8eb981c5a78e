"""The explanation a drop alert carries (issue 15): the two largest contributors to the fall,
from the terms the tick has already read (no statement of its own, nothing rendered here).

The current span is the rule's (yesterday, or last week); the previous one is the most recent
of the rule's own baseline spans (``alerts.previous_spans``), so the explanation needs no
day the tick did not fetch. A rule on one channel is explained by campaign; a rule on the
own channels together, by channel.
"""

from __future__ import annotations

from collections.abc import Iterable

from kpi_engine.domain.alerts import AlertEvent, Observation, WorkspaceData, previous_spans
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services.explain import Contribution, Explanation, explain_terms

#: ``Observation.detail`` key of a firing drop alert's explanation.
DETAIL_KEY = "explanation"


def explain_drop(data: WorkspaceData, obs: Observation) -> Explanation | None:
    """The explanation of a drop observation, or None (no span, nothing to explain)."""
    if obs.kind != "drop" or obs.metric is None or obs.span is None:
        return None
    rule = obs.rule
    before = previous_spans(rule.period, obs.span, max(1, rule.periods))
    if not before:
        return None
    prev = max(before, key=lambda s: s.start)
    pq = PeriodQuery(Period(obs.span.start, obs.span.end, ""), Period(prev.start, prev.end, ""))
    rivals = [c for c in data.channels if c.is_competitor]
    if obs.channel is None:
        main = [c for c in data.channels if not c.is_competitor]
    else:
        main = [c for c in data.channels if c.name == obs.channel] or \
            [c for c in data.channels if c.platform == obs.channel and not c.is_competitor]
    if not main:
        return None
    found = explain_terms(METRICS[obs.metric], pq, data.terms, main,
                          [r for r in rivals if r not in main], obs.channel, None)
    return None if found.reason is not None else found


def drivers(e: Explanation, n: int = 2) -> list[Contribution]:
    """The ``n`` rows that pulled the metric down the most: by channel when several channels
    moved it, else by campaign (one channel with untagged data only: none, since the channel
    itself is no explanation of its own fall)."""
    change = e.change or 0.0
    pulling = [c for c in e.contributions if c.change * change > 0]
    channels = [c for c in pulling if c.by == "channel"]
    if len({c.key for c in e.contributions if c.by == "channel"}) > 1:
        return channels[:n]
    return [c for c in pulling if c.by == "campaign"][:n]


def annotate(events: Iterable[AlertEvent], data: Iterable[WorkspaceData]) -> None:
    """Put its explanation on each firing drop alert (``obs.detail[DETAIL_KEY]``)."""
    by_ws = {d.workspace.id: d for d in data}
    for event in events:
        obs = event.observation
        if obs.kind != "drop" or event.state != "firing" or event.workspace.id not in by_ws:
            continue
        found = explain_drop(by_ws[event.workspace.id], obs)
        if found is not None and drivers(found):
            obs.detail[DETAIL_KEY] = found
