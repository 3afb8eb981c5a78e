"""The alert tick's change marks (``schema_ticks.tick_marks``): which workspaces a tick must
evaluate. One statement each, in the caller's transaction.

- ``touch``: a write that can change a rule's verdict raises the workspace's ``version``
  (every way in calls it from storage: ``Store.write_snapshots`` and ``ensure_channels``,
  ``alert_store`` rule and default-rule changes, ``GoalStore``).
- ``due``: the workspaces to evaluate at ``now`` with the version they are at — changed since
  their last evaluation, due by time, never evaluated, or evaluated "later" than ``now``
  (a clock set back) — in one statement that does not grow with the others.
- ``record``: after a tick, the version each evaluated workspace was seen at and its next due
  moment (a write that landed meanwhile keeps ``version > seen``: evaluated next tick).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from kpi_engine.storage import schema as t
from kpi_engine.storage.schema_ticks import tick_marks


def utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _insert(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(tick_marks)


def touch(conn: Connection, workspace_ids: Iterable[int]) -> None:
    """Mark these workspaces changed (in the writer's transaction)."""
    ids = sorted(set(workspace_ids))
    if not ids:
        return
    ins = _insert(conn)
    conn.execute(ins.on_conflict_do_update(
        index_elements=["workspace_id"],
        set_={"version": tick_marks.c.version + 1}),
        [{"workspace_id": ws, "version": 1, "seen": 0} for ws in ids])


def due(conn: Connection, now: datetime) -> dict[int, int]:
    """Workspace id → the version it is at, for the workspaces a tick at ``now`` evaluates."""
    w, m = t.workspaces.c, tick_marks.c
    stamp = utc(now)
    q = (select(w.id, m.version)
         .select_from(t.workspaces.outerjoin(tick_marks, m.workspace_id == w.id))
         .where(or_(m.workspace_id.is_(None), m.version > m.seen, m.due_at.is_(None),
                    m.due_at <= stamp, m.evaluated_at.is_(None), m.evaluated_at > stamp))
         .order_by(w.id))
    return {int(r[0]): int(r[1] or 0) for r in conn.execute(q).all()}


def record(conn: Connection, seen: Sequence[tuple[int, int, datetime]], now: datetime) -> None:
    """(workspace, version seen, next due moment) of the workspaces a tick evaluated."""
    if not seen:
        return
    ins = _insert(conn)
    conn.execute(ins.on_conflict_do_update(
        index_elements=["workspace_id"],
        set_={"seen": ins.excluded.seen, "due_at": ins.excluded.due_at,
              "evaluated_at": ins.excluded.evaluated_at}),
        [{"workspace_id": ws, "version": version, "seen": version, "due_at": at,
          "evaluated_at": now} for ws, version, at in seen])


def marks(conn: Connection, workspace_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Workspace → (version, seen), for tests and the CLI."""
    m = tick_marks.c
    rows = conn.execute(select(m.workspace_id, m.version, m.seen).where(and_(
        m.workspace_id.in_(list(workspace_ids))))).all()
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}
