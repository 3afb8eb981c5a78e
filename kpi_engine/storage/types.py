"""The column types that decide how a moment and a day are stored, so no query checks the
dialect for it (issue 14):

- ``UTCDateTime``: a moment, stored in UTC (PostgreSQL ``timestamptz``; SQLite the text
  ``YYYY-MM-DD HH:MM:SS.ffffff`` of the UTC wall time, as before), always read back aware in
  UTC (SQLite hands back naive values, which are UTC here). A naive moment given is UTC.
- ``ISODate``: a calendar day (PostgreSQL ``date``; SQLite the ISO text ``YYYY-MM-DD``),
  read back as a ``date``.

``bind_day`` and ``bind_moment`` give the value a raw statement (``text()``, driver SQL)
passes for a day or a moment, by the same types: the stored format lives here only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, Date, DateTime, Dialect
from sqlalchemy.types import TypeDecorator


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return _utc(value) if isinstance(value, datetime) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a value written by hand on SQLite
            value = datetime.fromisoformat(value)
        return _utc(value)


class ISODate(TypeDecorator[date]):
    impl = Date
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.date() if isinstance(value, datetime) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, datetime):
            return value.date()
        return date.fromisoformat(str(value)[:10])


@lru_cache(maxsize=8)
def _processor(kind: type[TypeDecorator[Any]], dialect: Dialect) -> Any:
    return kind().dialect_impl(dialect).bind_processor(dialect)


@lru_cache(maxsize=8)
def day_binder(dialect: Dialect) -> Callable[[date], Any]:
    """The function that gives a day as a raw statement passes it on ``dialect`` (the stored
    format of ``ISODate``), for a loop over many rows. On SQLite that is the ISO text, which
    ``date.isoformat`` gives directly (checked here against the type's own processor):
    going through the type's processor chain per value cost 2.5 s of a 1,000,000-row import."""
    proc = _processor(ISODate, dialect)
    if proc is None:
        return _same
    probe = date(2026, 1, 2)
    if proc(probe) == probe.isoformat():
        return date.isoformat
    return cast(Callable[[date], Any], proc)


def _same(day: date) -> Any:
    return day


def bind_day(conn: Connection | Dialect, day: date) -> Any:
    """``day`` as a raw statement passes it (the stored format of ``ISODate``)."""
    return day_binder(conn.dialect if isinstance(conn, Connection) else conn)(day)


def bind_moment(conn: Connection | Dialect, when: datetime) -> Any:
    """``when`` as a raw statement passes it (the stored format of ``UTCDateTime``)."""
    dialect = conn.dialect if isinstance(conn, Connection) else conn
    proc = _processor(UTCDateTime, dialect)
    return proc(when) if proc is not None else _utc(when)
