"""Storage of alert rules, alert settings, snoozes (setting one: ``outbox.snooze_chat``, which
also defers what is queued) and digest subscriptions.

The default rules (``alerts.DEFAULT_RULES``) are not rows: every workspace has them unless
its ``alert_settings.disabled`` names them. Team rules are rows of ``alert_rules``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from kpi_engine.domain.alerts import (
    DEFAULT_K,
    DEFAULT_KEYS,
    DEFAULT_MIN_VOLUME,
    DEFAULT_PERIODS,
    DEFAULT_RULES,
    DIRECTIONS,
    K_RANGE,
    MAX_MIN_VOLUME,
    PERIODS_RANGE,
    Rule,
)
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.store import Store
from kpi_engine.storage.tick_marks import touch

DEFAULT_QUIET = (time(21, 0), time(7, 0))


def utc(when: datetime) -> datetime:
    """Aware UTC (SQLite hands back naive datetimes, which are UTC here)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class AlertSettings:
    quiet_start: time | None = DEFAULT_QUIET[0]  # None: no quiet hours
    quiet_end: time | None = DEFAULT_QUIET[1]
    disabled: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Subscription:
    id: int
    workspace_id: int
    platform: str
    chat_id: str
    kind: str  # daily | weekly
    weekday: int | None  # weekly: 0 = Monday
    hour: int
    minute: int
    lang: str | None = None
    last_day: date | None = None
    last_at: datetime | None = None
    updated_at: datetime | None = None


# -- rules ------------------------------------------------------------------------------------

def rule_from_row(row: Any) -> Rule:
    """A stored rule; a drop rule with its own options (a NULL ``min_volume``: the default)."""
    return Rule(key=f"r{row.id}", kind=row.kind, metric=row.metric, channel=row.channel,
                op=row.op, value=float(row.value), period=row.period, periods=int(row.periods),
                repeat=timedelta(minutes=int(row.repeat_minutes)), id=int(row.id),
                k=float(row.k), direction=row.direction,
                min_volume=(DEFAULT_MIN_VOLUME if row.min_volume is None
                            else float(row.min_volume)),
                platform=row.platform, chat_id=row.chat_id, created_by=row.created_by)


def team_rules(conn: Connection, workspace_ids: Iterable[int] | None = None
               ) -> dict[int, list[Rule]]:
    """Team rules per workspace (one statement)."""
    q = select(a.alert_rules).order_by(a.alert_rules.c.id)
    if workspace_ids is not None:
        q = q.where(a.alert_rules.c.workspace_id.in_(list(workspace_ids)))
    out: dict[int, list[Rule]] = {}
    for row in conn.execute(q):
        out.setdefault(int(row.workspace_id), []).append(rule_from_row(row))
    return out


def all_settings(conn: Connection, workspace_ids: Iterable[int] | None = None
                 ) -> dict[int, AlertSettings]:
    q = select(a.alert_settings)
    if workspace_ids is not None:
        q = q.where(a.alert_settings.c.workspace_id.in_(list(workspace_ids)))
    return {int(r.workspace_id): _settings(r) for r in conn.execute(q)}


def _settings(row: Any) -> AlertSettings:
    start = time.fromisoformat(row.quiet_start) if row.quiet_start else None
    end = time.fromisoformat(row.quiet_end) if row.quiet_end else None
    disabled = frozenset(k for k in row.disabled.split(",") if k)
    return AlertSettings(start, end, disabled)


def rules_for(settings: AlertSettings, team: list[Rule]) -> list[Rule]:
    """The rules a workspace runs: its enabled defaults, then its team rules."""
    return [r for r in DEFAULT_RULES if r.key not in settings.disabled] + team


def settings(store: Store, workspace_id: int) -> AlertSettings:
    with store.connect() as conn:
        return all_settings(conn, [workspace_id]).get(workspace_id, AlertSettings())


def list_rules(store: Store, workspace_id: int) -> tuple[list[Rule], AlertSettings]:
    """(the workspace's rules — defaults first, disabled ones included —, its settings)."""
    with store.connect() as conn:
        team = team_rules(conn, [workspace_id]).get(workspace_id, [])
        found = all_settings(conn, [workspace_id]).get(workspace_id, AlertSettings())
    return [*DEFAULT_RULES, *team], found


def add_rule(store: Store, workspace_id: int, *, kind: str, metric: str, value: float,
             now: datetime, channel: str | None = None, op: str = "<", period: str = "day",
             periods: int = DEFAULT_PERIODS, repeat: timedelta = timedelta(hours=24),
             platform: str = "", chat_id: str = "", created_by: str = "",
             k: float = DEFAULT_K, direction: str = "drop", min_volume: float | None = None
             ) -> Rule:
    """Add a team rule; ``k``, ``direction`` and ``min_volume`` (None: the default) are a
    drop rule's own options."""
    _check_options(k=k, direction=direction, min_volume=min_volume, periods=periods)
    with store.begin() as conn:
        new_id = conn.execute(insert(a.alert_rules).values(
            workspace_id=workspace_id, kind=kind, metric=metric, channel=channel, op=op,
            value=value, period=period, periods=periods, k=k, direction=direction,
            min_volume=min_volume,
            repeat_minutes=int(repeat.total_seconds() // 60), platform=platform,
            chat_id=chat_id, created_by=created_by, created_at=utc(now))
        ).inserted_primary_key
        assert new_id is not None
        touch(conn, [workspace_id])
        row = conn.execute(select(a.alert_rules).where(a.alert_rules.c.id == new_id[0])).one()
    return rule_from_row(row)


#: The options ``set_rule_options`` may change (the columns of ``alert_rules``).
OPTION_COLUMNS = ("value", "k", "direction", "min_volume", "periods", "period",
                  "repeat_minutes")


def _check_options(**values: Any) -> None:
    """The storage's own guard (the chat checks first, with a reply): nothing out of range
    is written whatever the entry point."""
    k, direction = values.get("k"), values.get("direction")
    if k is not None and not K_RANGE[0] <= k <= K_RANGE[1]:
        raise ValueError(f"k {k!r} outside {K_RANGE}")
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"direction {direction!r}")
    volume, periods = values.get("min_volume"), values.get("periods")
    if volume is not None and not 0 <= volume <= MAX_MIN_VOLUME:
        raise ValueError(f"min_volume {volume!r}")
    if periods is not None and not PERIODS_RANGE[0] <= periods <= PERIODS_RANGE[1]:
        raise ValueError(f"periods {periods!r} outside {PERIODS_RANGE}")


def set_rule_options(store: Store, workspace_id: int, rule_id: int, **changes: Any
                     ) -> tuple[Rule, Rule] | None:
    """Change a drop rule's options (``OPTION_COLUMNS``); (before, after), or None when the
    workspace has no such rule. Its alert state is kept: the next tick judges the rule with
    its new options (and resolves it once if it no longer holds)."""
    unknown = set(changes) - set(OPTION_COLUMNS)
    if unknown:
        raise ValueError(f"not an option: {sorted(unknown)}")
    _check_options(**changes)
    r = a.alert_rules.c
    where = and_(r.id == rule_id, r.workspace_id == workspace_id)
    with store.begin() as conn:
        row = conn.execute(select(a.alert_rules).where(where)).first()
        if row is None:
            return None
        if changes:
            conn.execute(update(a.alert_rules).where(where).values(**changes))
            touch(conn, [workspace_id])  # the next tick judges the rule with its new options
        after = conn.execute(select(a.alert_rules).where(where)).one()
    return rule_from_row(row), rule_from_row(after)


def remove_rule(store: Store, workspace_id: int, rule_id: int) -> Rule | None:
    """Delete a team rule (and its state); None when the workspace has no such rule."""
    r = a.alert_rules.c
    with store.begin() as conn:
        row = conn.execute(select(a.alert_rules).where(
            and_(r.id == rule_id, r.workspace_id == workspace_id))).first()
        if row is None:
            return None
        conn.execute(delete(a.alert_rules).where(r.id == rule_id))
        touch(conn, [workspace_id])
        conn.execute(delete(a.alert_state).where(and_(
            a.alert_state.c.workspace_id == workspace_id,
            a.alert_state.c.rule_key == f"r{rule_id}")))
    return rule_from_row(row)


def _save_settings(conn: Connection, workspace_id: int, now: datetime, **values: Any) -> None:
    found = conn.execute(select(a.alert_settings.c.workspace_id).where(
        a.alert_settings.c.workspace_id == workspace_id)).first()
    if found:
        conn.execute(update(a.alert_settings).where(
            a.alert_settings.c.workspace_id == workspace_id).values(updated_at=utc(now),
                                                                    **values))
    else:
        conn.execute(insert(a.alert_settings).values(workspace_id=workspace_id,
                                                     updated_at=utc(now), **values))


def set_default_enabled(store: Store, workspace_id: int, key: str, enabled: bool,
                        now: datetime) -> None:
    if key not in DEFAULT_KEYS:
        raise KeyError(key)
    with store.begin() as conn:
        current = all_settings(conn, [workspace_id]).get(workspace_id, AlertSettings())
        disabled = set(current.disabled)
        (disabled.discard if enabled else disabled.add)(key)
        _save_settings(conn, workspace_id, now, disabled=",".join(sorted(disabled)))
        touch(conn, [workspace_id])
        if not enabled:  # start afresh when it is turned on again
            conn.execute(delete(a.alert_state).where(and_(
                a.alert_state.c.workspace_id == workspace_id,
                a.alert_state.c.rule_key == key)))


def set_quiet_hours(store: Store, workspace_id: int, start: time | None, end: time | None,
                    now: datetime) -> None:
    with store.begin() as conn:
        _save_settings(conn, workspace_id, now,
                       quiet_start=start.strftime("%H:%M") if start else "",
                       quiet_end=end.strftime("%H:%M") if end else "")


# -- snoozes ----------------------------------------------------------------------------------

def active_snoozes(conn: Connection, now: datetime) -> dict[tuple[str, str], datetime]:
    s = a.alert_snoozes.c
    rows = conn.execute(select(s.platform, s.chat_id, s.until).where(s.until > utc(now)))
    return {(r.platform, r.chat_id): utc(r.until) for r in rows}


def snoozed_until(store: Store, platform: str, chat_id: str, now: datetime) -> datetime | None:
    with store.connect() as conn:
        return active_snoozes(conn, now).get((platform, chat_id))


# -- subscriptions ----------------------------------------------------------------------------

def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=int(row.id), workspace_id=int(row.workspace_id), platform=row.platform,
        chat_id=row.chat_id, kind=row.kind, weekday=row.weekday, hour=int(row.hour),
        minute=int(row.minute), lang=row.lang, last_day=as_date(row.last_day),
        last_at=utc(row.last_at) if row.last_at else None,
        updated_at=utc(row.updated_at) if row.updated_at else None)


def subscribe(store: Store, workspace_id: int, platform: str, chat_id: str, kind: str,
              hour: int, minute: int, now: datetime, *, weekday: int | None = None,
              lang: str | None = None, created_by: str = "") -> Subscription:
    """Create or change the chat's daily or weekly subscription."""
    s = a.subscriptions.c
    with store.begin() as conn:
        found = conn.execute(select(s.id).where(and_(
            s.platform == platform, s.chat_id == chat_id, s.kind == kind))).first()
        values = {"workspace_id": workspace_id, "weekday": weekday, "hour": hour,
                  "minute": minute, "lang": lang, "updated_at": utc(now)}
        if found:
            conn.execute(update(a.subscriptions).where(s.id == found.id).values(**values))
            sub_id = found.id
        else:
            sub_id = conn.execute(insert(a.subscriptions).values(
                platform=platform, chat_id=chat_id, kind=kind, created_by=created_by,
                created_at=utc(now), **values)).inserted_primary_key[0]  # type: ignore[index]
        row = conn.execute(select(a.subscriptions).where(s.id == sub_id)).one()
    return _subscription(row)


def unsubscribe(store: Store, platform: str, chat_id: str, kind: str | None = None
                ) -> list[Subscription]:
    """Remove the chat's subscriptions (of ``kind``, or all); returns the removed ones."""
    s = a.subscriptions.c
    cond = and_(s.platform == platform, s.chat_id == chat_id)
    if kind is not None:
        cond = and_(cond, s.kind == kind)
    with store.begin() as conn:
        rows = [_subscription(r) for r in conn.execute(select(a.subscriptions).where(cond))]
        conn.execute(delete(a.subscriptions).where(cond))
    return rows


def subscriptions(store: Store, *, workspace_id: int | None = None,
                  platform: str | None = None, chat_id: str | None = None
                  ) -> list[Subscription]:
    s = a.subscriptions.c
    q = select(a.subscriptions).order_by(s.id)
    if workspace_id is not None:
        q = q.where(s.workspace_id == workspace_id)
    if platform is not None:
        q = q.where(s.platform == platform)
    if chat_id is not None:
        q = q.where(s.chat_id == chat_id)
    with store.connect() as conn:
        return [_subscription(r) for r in conn.execute(q)]


def subscription(store: Store, sub_id: int) -> Subscription | None:
    with store.connect() as conn:
        row = conn.execute(select(a.subscriptions).where(a.subscriptions.c.id == sub_id)).first()
    return _subscription(row) if row else None
