"""``FakeSource``: the ``Source`` port's test double, with observable state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kpi_engine.domain.model import SnapshotRow


@dataclass
class FakeSource:
    """Serves the ``rows`` it was given (those of the asked channel and days); records every
    call in ``fetched``; raises the queued ``errors`` first, one per call."""

    platform: str = "instagram"
    rows: list[SnapshotRow] = field(default_factory=list)
    fetched: list[tuple[str, date, date]] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)

    def add(self, rows: Iterable[SnapshotRow]) -> None:
        self.rows.extend(rows)

    def fetch(self, handle: str, first: date, last: date) -> list[SnapshotRow]:
        self.fetched.append((handle, first, last))
        if self.errors:
            raise self.errors.pop(0)
        return [r for r in self.rows if r.platform == self.platform and r.handle == handle
                and first <= r.day <= last]


if TYPE_CHECKING:  # mypy checks the double against the port
    from kpi_engine.domain.ports import Source

    _: Source = FakeSource()
