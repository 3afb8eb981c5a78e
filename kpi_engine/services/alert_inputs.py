"""One alert tick: read what every rule needs with a fixed handful of statements, evaluate
the rules (``kpi_engine.domain.alerts``, pure), and write the new states, the goals' outcomes, the
alert log and the outbox messages in one transaction.

The number of statements does not grow with workspaces, rules or goals: workspaces,
channels, team rules, settings, snoozes, states, chat links, goals, recent goal events (one
each); one streaming read of the recent days of every series (``daily_window``: the last
complete day and the five weeks before it for the rules, the 28-day trend for the goals);
at most two more when some goal started before those days or some channel has been silent
longer; then the writes. Every value is computed from that window by the formulas of SPEC §3
(``formulas.compute`` on ``formulas.Terms``), so a rule's number is the number ``/kpi`` gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from kpi_engine.domain import alert_chart
from kpi_engine.domain.alerts import (
    AlertEvent,
    Rule,
    State,
    StateKey,
    TickResult,
    WorkspaceData,
    evaluate,
    last_complete,
    spans_for,
)
from kpi_engine.domain.formulas import Needs, Terms, needs_for
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.tick_due import next_due
from kpi_engine.services import alert_explain
from kpi_engine.services import goal_signals as gs
from kpi_engine.storage import alert_state as st
from kpi_engine.storage import tick_marks as tm
from kpi_engine.storage.alert_store import (
    AlertSettings,
    active_snoozes,
    all_settings,
    rules_for,
    team_rules,
    utc,
)
from kpi_engine.storage.daily_window import fetch_window
from kpi_engine.storage.outbox import Message, deliver_at, enqueue, event_ref
from kpi_engine.storage.sources import provisional_in
from kpi_engine.storage.store import Store

STALE_LOOKBACK = timedelta(days=90)

Chat = st.Chat


@dataclass(frozen=True)
class Rendered:
    """An alert in words (``bot/alert_views.py``): a title, body lines, a one-line summary."""

    title: str
    body: str
    summary: str


Render = Callable[[AlertEvent], Rendered]


@dataclass
class Queued:
    """An alert the tick found, its words and the chats it goes to."""

    event: AlertEvent
    rendered: Rendered
    chats: list[Chat]
    not_before: dict[Chat, datetime] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        obs = self.event.observation
        return {"rule": obs.kind, "rule_key": self.event.rule.key, "metric": obs.metric,
                "channel": obs.channel, "state": self.event.state,
                "repeat": self.event.repeat, "value": obs.value, "baseline": obs.baseline,
                "change_pct": None if obs.change_pct is None else round(obs.change_pct, 2),
                "workspace": self.event.workspace.slug,
                "text": "\n".join(x for x in (self.rendered.title, self.rendered.body) if x),
                "chats": [{"platform": p, "chat_id": c,
                           "not_before": self.not_before[(p, c)].isoformat()}
                          for p, c in self.chats]}


# -- reading --------------------------------------------------------------------------------------


def _needs(rules: Iterable[Rule], today: date) -> Needs:
    needs = Needs()
    for rule in rules:
        if rule.metric is not None:
            for span in spans_for(rule, today):
                needs_for(METRICS[rule.metric], span, needs)
    return needs


# -- the tick -------------------------------------------------------------------------------------

@dataclass
class TickInputs:
    data: list[WorkspaceData]
    states: dict[StateKey, State]
    settings: dict[int, AlertSettings]
    snoozes: dict[Chat, datetime]
    chats: dict[int, list[Chat]]  # workspace → chats linked to it (chat-level links)
    settled: list[Any] = field(default_factory=list)  # goals reached / missed at this tick


def load_inputs(conn: Connection, now: datetime, workspace_ids: Sequence[int] | None = None,
                *, goals: bool = True) -> TickInputs:
    """Everything the rules of these workspaces (None: all) look at."""
    workspaces = st.workspaces(conn, workspace_ids)
    channels = st.channels_by_workspace(conn, workspace_ids)
    team = team_rules(conn, workspace_ids)
    settings = all_settings(conn, workspace_ids)
    snoozes = active_snoozes(conn, now)
    states = st.states(conn, workspace_ids)
    chats = st.linked_chats(conn, workspace_ids)

    today = {ws.id: utc(now).astimezone(ZoneInfo(ws.timezone)).date() for ws in workspaces}
    rules = {ws.id: rules_for(settings.get(ws.id, AlertSettings()), team.get(ws.id, []))
             for ws in workspaces}
    data = [WorkspaceData(ws, today[ws.id], channels.get(ws.id, []), Terms(),
                          rules=rules[ws.id]) for ws in workspaces]
    inputs = TickInputs(data, states, settings, snoozes, chats)
    if not workspaces:
        return inputs
    goal_rows, events = gs.load_goals(conn, now, workspace_ids) if goals else ({}, {})
    active = [x for x in goal_rows.values() if x.status == "active"]

    # one read of the recent days of every series the rules and goals need
    needs = {item.workspace.id: _needs(item.rules, item.today) for item in data}
    counters = {m for n in needs.values() for m, _, _ in n.sums}
    gauges = {m for n in needs.values() for m, _ in n.lasts}
    firsts = [s for n in needs.values() for _, s, _ in n.sums]
    firsts += [d for n in needs.values() for _, d in n.lasts]
    goal_counters, goal_gauges = gs.stored_parts(active)
    counters |= goal_counters
    gauges |= goal_gauges
    if active:
        firsts += [today[x.workspace_id] - timedelta(days=gs.SERIES_DAYS - 1) for x in active
                   if x.workspace_id in today]
    stale_days = max((int(r.value) for rs in rules.values() for r in rs if r.kind == "stale"),
                     default=None)
    lo = min(firsts, default=min(today.values()))
    hi = max(today.values())
    any_from = None if stale_days is None else min(today.values()) - timedelta(days=stale_days)
    window = fetch_window(conn, lo, hi, counters=counters, gauges=gauges,
                          gauge_start=lo, any_from=any_from,
                          workspace_ids=workspace_ids)
    for item in data:
        ids = [ch.id for ch in item.channels]
        item.terms = window.terms(item.workspace.id, ids, needs[item.workspace.id])
    if any_from is not None:
        last = dict(window.last_seen)
        silent = [ch for item in data for ch in item.channels
                  if last.get(ch.id, any_from - timedelta(days=1)) < any_from]
        last.update(st.silent_since(conn, silent, any_from, any_from - STALE_LOOKBACK))
        for item in data:
            item.last_days = {ch.id: last[ch.id] for ch in item.channels if ch.id in last}
    if goal_rows:
        older = gs.older_sums(conn, active, window.counters_from)
        signals, inputs.settled = gs.signals(goal_rows, events, today, channels, window,
                                             older, now)
        for item in data:
            item.goals = signals.get(item.workspace.id, [])
    return inputs


def recipients(event: AlertEvent, linked: list[Chat]) -> list[Chat]:
    """A team rule's alerts go to the chat it was added in, a goal's to the goal's chat;
    the rest (and those, when that chat is no longer linked) to every linked chat."""
    obs = event.observation
    own: Chat | None = None
    if event.rule.platform and event.rule.chat_id:
        own = (event.rule.platform, event.rule.chat_id)
    elif obs.goal is not None and obs.goal.platform and obs.goal.chat_id:
        own = (obs.goal.platform, obs.goal.chat_id)
    if own is not None and own in linked:
        return [own]
    return list(dict.fromkeys(linked))


def outbox_key(event: AlertEvent, chat: Chat) -> str:
    return (f"a:{event.workspace.id}:{event.rule.key}:{event.subject}:{event.seq}:"
            f"{chat[0]}:{chat[1]}")[:200]


#: Beyond this many due workspaces the tick reads all of them (no list of ids in the
#: statements: the day turned for most).
MAX_LISTED = 5_000


def run_tick(store: Store, now: datetime, render: Render, *,
             workspace_ids: Sequence[int] | None = None, dry_run: bool = False,
             goals: bool = True) -> list[Queued]:
    """Evaluate the rules at ``now``; unless ``dry_run``, write the goals reached or missed,
    the states, the log and the outbox rows in one transaction. Returns what was found (and
    queued).

    Without ``workspace_ids`` (and unless ``dry_run``) only the workspaces with a write
    since their last evaluation or a time-driven change due are evaluated
    (``storage.tick_marks``, ``domain.tick_due``); the others would give the same verdicts."""
    now = utc(now)
    marked = not dry_run and goals  # a full evaluation: the marks may say so
    with store.begin() as conn:
        versions: dict[int, int] = {}
        if marked and workspace_ids is None:
            versions = tm.due(conn, now)
            if not versions:
                return []
            workspace_ids = list(versions) if len(versions) <= MAX_LISTED else None
        elif marked and workspace_ids is not None:
            versions = {ws: v for ws, (v, _) in tm.marks(conn, workspace_ids).items()}
            versions.update({ws: versions.get(ws, 0) for ws in workspace_ids})
        inputs = load_inputs(conn, now, workspace_ids, goals=goals)
        wait_for_final(conn, inputs)
        result = evaluate(inputs.data, inputs.states, now)
        alert_explain.annotate(result.events, inputs.data)  # drivers from the terms read
        queued = _queue(inputs, result, now, render)
        if not dry_run:
            if inputs.settled:
                gs.settle(conn, inputs.settled, now)
            write(conn, result, queued, now)
        if marked:
            tm.record(conn, _seen(inputs, result, versions, now), now)
    return queued


def _seen(inputs: TickInputs, result: TickResult, versions: dict[int, int], now: datetime
          ) -> list[tuple[int, int, datetime]]:
    """(workspace, version evaluated, next due moment) of the evaluated workspaces."""
    states: dict[int, list[tuple[str, str, State]]] = {}
    for (ws, key, subject), state in {**inputs.states, **result.states}.items():
        states.setdefault(ws, []).append((key, subject, state))
    changed = {ws for ws, _, _ in result.states} | {e.workspace.id for e in result.events}
    changed |= {goal.workspace_id for goal, *_ in inputs.settled}
    return [(item.workspace.id, versions[item.workspace.id],
             next_due(item, states.get(item.workspace.id, []), now,
                      changed=item.workspace.id in changed))
            for item in inputs.data if item.workspace.id in versions]


def wait_for_final(conn: Connection, inputs: TickInputs) -> None:
    """Drop rules wait for final data (SPEC §10): a drop rule whose last complete period
    holds a day a data source still revises (``provisional_days``) of the channels it looks
    at (its channel, else the own channels) is left out of this tick; its state is kept, so
    it is evaluated once the day is final. One statement for every workspace."""
    spans = {(id(data), rule.key): last_complete(rule.period, data.today)
             for data in inputs.data for rule in data.rules if rule.kind == "drop"}
    if not spans:
        return
    marked = provisional_in(conn, [data.workspace.id for data in inputs.data],
                            min(s.start for s in spans.values()),
                            max(s.end for s in spans.values()))
    if not marked:
        return
    for data in inputs.data:
        own = [c for c in data.channels if not c.is_competitor]
        waiting = []
        for rule in data.rules:
            if rule.kind != "drop":
                continue
            span = spans[(id(data), rule.key)]
            looked = ([c for c in data.channels if c.name == rule.channel]
                      or [c for c in own if c.platform == rule.channel]) if rule.channel else own
            if any((c.id, d) in marked for c in looked
                   for d in (span.start + timedelta(days=i)
                             for i in range((span.end - span.start).days + 1))):
                waiting.append(rule)
        if waiting:
            data.rules = [r for r in data.rules if r not in waiting]


def _queue(inputs: TickInputs, result: TickResult, now: datetime, render: Render
           ) -> list[Queued]:
    out = []
    for event in result.events:
        ws = event.workspace
        chats = recipients(event, inputs.chats.get(ws.id, []))
        settings = inputs.settings.get(ws.id, AlertSettings())
        when = {chat: deliver_at(now, ws.timezone, settings, inputs.snoozes.get(chat))
                for chat in chats}
        out.append(Queued(event, render(event), chats, when))
    return out


def write(conn: Connection, result: TickResult, queued: list[Queued], now: datetime) -> None:
    """States, the alert log and the outbox messages (same transaction as the caller's)."""
    st.write_states(conn, result.states, now)
    if not queued:
        return
    st.log_alerts(conn, [
        {"workspace_id": q.event.workspace.id, "rule_key": q.event.rule.key,
         "subject": q.event.subject, "kind": q.event.observation.kind,
         "metric": q.event.observation.metric, "channel": q.event.observation.channel,
         "state": q.event.state, "seq": q.event.seq, "summary": q.rendered.summary[:500],
         "at": now} for q in queued])
    enqueue(conn, [Message(outbox_key(q.event, chat), q.event.workspace.id, "alert", chat[0],
                           chat[1], q.event.workspace.language, q.rendered.title,
                           q.rendered.body, q.not_before[chat],
                           actions=event_ref(q.event.rule.key, q.event.subject, q.event.seq),
                           chart_spec=chart_spec(q.event))
                   for q in queued for chat in q.chats], now)


def chart_spec(event: AlertEvent) -> str:
    """What a firing drop alert's chart draws, stored with its outbox row (drawn at
    delivery: ``domain/alert_chart.py``); "" for every other alert."""
    if event.state != "firing":
        return ""
    chart = alert_chart.for_observation(event.observation)
    return chart.to_json() if chart is not None else ""
