"""``FakeSource``: the ``Source`` port's test double, with observable state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import SourceAccount, SourceBatch


@dataclass
class FakeSource:
    """Serves the ``rows`` it was given (those of the asked account's channel and days);
    records every call in ``fetched`` and every refresh in ``refreshed``; raises the queued
    ``errors`` first, one per call, and the exception of ``fail_on[n]`` on the n-th fetch
    (1-based: a crash between windows). Days within ``refetch_days`` of ``today`` are
    provisional. A refresh appends ``+`` to the access token, and to the refresh token too
    when the platform ``rotates`` it (TikTok); ``expires_at`` is the refreshed expiry."""

    platform: str = "instagram"
    rows: list[SnapshotRow] = field(default_factory=list)
    refetch_days: int = 3
    today: date | None = None
    fetched: list[tuple[str, date, date]] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)
    fail_on: dict[int, Exception] = field(default_factory=dict)
    rotates: bool = False
    expires_at: datetime | None = None

    def add(self, rows: Iterable[SnapshotRow]) -> None:
        self.rows.extend(rows)

    def fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        self.fetched.append((account.handle, first, last))
        if self.errors:
            raise self.errors.pop(0)
        if len(self.fetched) in self.fail_on:
            raise self.fail_on.pop(len(self.fetched))
        rows = [r for r in self.rows if r.platform == self.platform
                and r.handle == account.handle and first <= r.day <= last]
        provisional = (self.today - timedelta(days=self.refetch_days - 1)
                       if self.today is not None else None)
        return SourceBatch(snapshots=rows, provisional_from=provisional, requests=1)

    def refresh(self, account: SourceAccount) -> SourceAccount:
        self.refreshed.append(account.account_id)
        if self.errors:
            raise self.errors.pop(0)
        return replace(account, access_token=account.access_token + "+",
                       refresh_token=account.refresh_token + ("+" if self.rotates else ""),
                       expires_at=self.expires_at or account.expires_at)


if TYPE_CHECKING:  # mypy checks the double against the port
    from kpi_engine.domain.ports import Source

    _: Source = FakeSource()
