"""One leader per database, for ``kpibot serve`` (``bot/runtime/scheduler.py``): several
processes on one PostgreSQL database run the scheduler and the outbox dispatcher once. The
leader holds a session advisory lock (``pg_try_advisory_lock``, keyed by the lock's name and
the schema) on a dedicated connection; PostgreSQL releases it when that process or its
connection dies. SQLite runs one process: it always leads.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)


class LeaderLock:
    """One leader per database: a PostgreSQL session advisory lock held on its own
    connection (released by PostgreSQL when the process or its connection dies)."""

    def __init__(self, engine: Engine, name: str = "kpibot-scheduler") -> None:
        self.engine = engine
        self.name = name
        self._conn: Connection | None = None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        if not self.shared:
            return True
        if self._conn is not None:
            return self.held()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(conn.execute(text(
                "SELECT pg_try_advisory_lock(hashtext(:name || ':' || current_schema()))"),
                {"name": self.name}).scalar())
        except Exception:
            conn.close()
            raise
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def held(self) -> bool:
        if not self.shared:
            return True
        if self._conn is None:
            return False
        try:
            return bool(self._conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid()")).scalar())
        except Exception:
            log.warning("leader lock: its connection is gone")
            self._drop()
            return False

    def release(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(Exception):
            self._conn.execute(text(
                "SELECT pg_advisory_unlock(hashtext(:name || ':' || current_schema()))"),
                {"name": self.name})
        self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.invalidate()
                self._conn.close()
        self._conn = None
