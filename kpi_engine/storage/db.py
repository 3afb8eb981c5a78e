"""Database engine creation and schema migrations (SQLite default, PostgreSQL for teams)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_TIMEOUT = 30.0  # seconds
MIGRATE_LOCK = 0x6B7062_6F74  # "kpbot": the advisory lock key held while migrating


class SchemaOutOfDate(RuntimeError):
    """The database is behind the code's schema: run ``kpibot migrate``."""


#: PostgreSQL connections kept open per process, and how many more it may open at a peak.
POOL_SIZE = 16
POOL_OVERFLOW = 8


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``, with SQLite tuned for a bot (WAL, foreign keys, busy timeout)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # how long a write waits for another process's lock: ``?timeout=SECONDS`` in the
        # URL (default 30); after it the write fails and the caller retries
        timeout = float(parsed.query.get("timeout", SQLITE_TIMEOUT))  # type: ignore[arg-type]
        kwargs.setdefault("connect_args", {"timeout": timeout})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, timeout))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # every thread of ``kpibot serve`` that reads or writes (the chats' answers, the outbox's
    # I/O, the digest and queue pools, the sources) may hold a connection at once: beyond the
    # pool, each checkout opened a new PostgreSQL session and closed it after use (measured
    # in the 08:00 burst: a backend started every few seconds, a fork and a login each)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    if "prepare_threshold" in parsed.query and parsed.get_backend_name() == "postgresql":
        # psycopg prepares a statement on the server after 5 runs; behind PgBouncer < 1.21 in
        # transaction mode the next run may land on another server session ("prepared
        # statement does not exist"). ``?prepare_threshold=none`` turns that off, a number
        # sets it (docs/deploy.md §5). psycopg itself takes no string for it.
        raw = str(parsed.query["prepare_threshold"]).strip().lower()
        if raw in ("", "none", "off"):
            threshold: int | None = None
        elif raw.isdigit():
            threshold = int(raw)
        else:
            raise ValueError("prepare_threshold in the database URL must be a number or 'none'")
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}),
                                  "prepare_threshold": threshold}
        url = parsed.difference_update_query(["prepare_threshold"]).render_as_string(
            hide_password=False)
    engine = create_engine(url, **kwargs)
    # what another process needs to open the same database the same way (the digest builder)
    engine.kpibot_connect_args = dict(kwargs.get("connect_args", {}))  # type: ignore[attr-defined]
    return engine


def ping(engine: Engine) -> None:
    """One round trip to the database (``SELECT 1``); raises what the driver raises."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _sqlite_pragmas(timeout: float, dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    cur.close()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates '%': URL-encoded passwords/options must be escaped
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision(engine: Engine) -> str | None:
    """The code's schema revision(s): ``0003`` or, while feature branches are unmerged,
    ``0002a+0002b`` (Alembic heads, upgraded together)."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_alembic_config(engine)).get_heads()
    return "+".join(sorted(heads)) or None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return "+".join(sorted(heads)) or None


def migrate(engine: Engine) -> str | None:
    """Upgrade the schema to the latest revision(s); returns it."""
    from alembic import command

    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # several replicas migrating at start: one runs, the others wait and find it done
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    head = head_revision(engine)
    log.info("database schema at revision %s", head)
    return head


def ensure_schema(engine: Engine) -> None:
    """SQLite migrates itself on first use; other databases must be at head (``kpibot migrate``)."""
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return
    if engine.dialect.name == "sqlite":
        migrate(engine)
        return
    if current is None and not inspect(engine).get_table_names():
        raise SchemaOutOfDate("the database is empty: run `kpibot migrate` first")
    raise SchemaOutOfDate(
        f"the database schema is at {current}, the code needs {head}: run `kpibot migrate`"
    )


class ServerRunning(RuntimeError):
    """Another ``kpibot serve`` has this SQLite file (its pid in ``pid``, when known)."""

    def __init__(self, database: str, pid: str) -> None:
        super().__init__(database)
        self.database = database
        self.pid = pid


class SqliteServerLock:
    """One ``kpibot serve`` per SQLite file: an exclusive ``flock`` on ``<file>.serve.lock``,
    held while the process lives (the kernel drops it when the process dies, even by
    ``kill -9``). Two servers on one file would both lead the scheduler and both deliver
    the outbox; PostgreSQL, with its leader lock, is the way to run several."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.path = Path(database).expanduser().with_name(Path(database).name + ".serve.lock")
        self._file: Any = None

    @classmethod
    def for_url(cls, url: str) -> SqliteServerLock | None:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        return cls(str(parsed.database))

    def acquire(self) -> None:
        import fcntl
        import os

        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            pid = handle.read().strip()
            handle.close()
            raise ServerRunning(self.database, pid) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock; the file stays (harmless)
            self._file = None
