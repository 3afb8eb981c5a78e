"""One leader per database, for ``kpibot serve`` (``bot/runtime/scheduler.py``): several
processes on one PostgreSQL database run the scheduler and the outbox dispatcher once. The
leader holds a session advisory lock (``pg_try_advisory_lock``, keyed by the lock's name and
the schema) on a dedicated connection; PostgreSQL releases it when that process or its
connection dies. SQLite runs one process: it always leads.

- **The lock's connection goes direct to PostgreSQL** (``KPIBOT_DATABASE_DIRECT_URL``; the
  main URL when unset). A session advisory lock lives as long as one server session: behind
  PgBouncer in transaction mode the replicas' pooled connections share server sessions, so a
  lock taken through it could be held by a session another client uses next, or lost when
  PgBouncer recycles it. The lock is taken on its own unpooled connection (``NullPool``: one
  connection, held while leading, closed when given up).
- **A dead leader's lock is freed fast**: ``kill -9`` closes its socket and PostgreSQL ends the
  session at once; a machine that vanishes (power, network) sends nothing, so the lock's
  session sets TCP keepalives on both ends (``KEEPALIVE``: about 20 s until PostgreSQL drops
  it) and the client side a ``tcp_user_timeout``, so neither waits minutes for TCP.
- **One database**: the direct URL must reach the database the main URL does. The lock's key
  uses the main connection's schema, and the first acquire checks that both connections see
  the same ``current_database()``; a direct URL to another database would let two leaders
  run, so it is refused (``LeaderLockMisconfigured``) and the replica stands by.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

#: TCP keepalive of the lock's session (seconds): idle before the first probe, between probes,
#: probes lost before the peer counts as gone. About 20 s until a vanished leader's lock frees.
KEEPALIVE = (5, 5, 3)
#: libpq: how long sent data may stay unacknowledged before the connection counts as dead (ms).
TCP_USER_TIMEOUT_MS = 20_000
_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext(:name || ':' || :schema))"
_UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtext(:name || ':' || :schema))"


class LeaderLockMisconfigured(RuntimeError):
    """The direct URL reaches another database than the main URL."""


def lock_engine(direct_url: str) -> Engine:
    """An unpooled engine for the lock's one connection, with TCP keepalives."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    idle, interval, count = KEEPALIVE
    return create_engine(direct_url, poolclass=NullPool, connect_args={
        "keepalives": 1, "keepalives_idle": idle, "keepalives_interval": interval,
        "keepalives_count": count, "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
        "application_name": "kpibot-leader"})


class LeaderLock:
    """One leader per database: a PostgreSQL session advisory lock held on its own
    connection (released by PostgreSQL when the process or its connection dies).

    ``engine`` is the main (pooled) engine; ``direct_url`` (``KPIBOT_DATABASE_DIRECT_URL``)
    a URL straight to PostgreSQL for the lock's connection, None: the main engine's."""

    def __init__(self, engine: Engine, name: str = "kpibot-scheduler", *,
                 direct_url: str | None = None) -> None:
        self.engine = engine
        self.name = name
        self.direct_url = direct_url or None
        self._lock_engine: Engine | None = None
        self._conn: Connection | None = None
        self._schema: str | None = None
        self._database: str | None = None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _where(self) -> tuple[str, str]:
        """(database, schema) of the main engine: the lock is for that schema."""
        if self._schema is None or self._database is None:
            with self.engine.connect() as conn:
                row = conn.execute(text("SELECT current_database(), current_schema()")).one()
            self._database, self._schema = str(row[0]), str(row[1])
        return self._database, self._schema

    def _connect(self) -> Connection:
        if self.direct_url is None:
            return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if self._lock_engine is None:
            self._lock_engine = lock_engine(self.direct_url)
        return self._lock_engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def try_acquire(self) -> bool:
        if not self.shared:
            return True
        if self._conn is not None:
            return self.held()
        database, schema = self._where()
        conn = self._connect()
        try:
            idle, interval, count = KEEPALIVE
            # the server's side of the keepalive: a vanished leader's session ends in ~20 s
            conn.execute(text(
                "SELECT set_config('tcp_keepalives_idle', :idle, false),"
                " set_config('tcp_keepalives_interval', :interval, false),"
                " set_config('tcp_keepalives_count', :count, false)"),
                {"idle": str(idle), "interval": str(interval), "count": str(count)})
            if self.direct_url is not None:
                there = conn.execute(text("SELECT current_database()")).scalar()
                if there != database:
                    raise LeaderLockMisconfigured(
                        "KPIBOT_DATABASE_DIRECT_URL reaches another database than "
                        "KPIBOT_DATABASE_URL: it must be the same database, only without "
                        "the pooler")
            got = bool(conn.execute(text(_LOCK_SQL),
                                    {"name": self.name, "schema": schema}).scalar())
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
            self._conn.execute(text(_UNLOCK_SQL), {"name": self.name, "schema": self._schema})
        self._drop()

    def close(self) -> None:
        """Release the lock and close the lock's own engine (when it has one)."""
        self.release()
        if self._lock_engine is not None:
            self._lock_engine.dispose()
            self._lock_engine = None

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.invalidate()
                self._conn.close()
        self._conn = None
