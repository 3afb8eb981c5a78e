"""Ports: what the engine needs from the outside world, as small protocols.

``Source`` is a data connector (Meta, TikTok, YouTube, GA4 …): it fetches the snapshot
values a platform reports for a range of days, as ``SnapshotRow``s that go through the one
validation and write of every way in. Connectors live in ``adapters/sources/``; their test
double is ``adapters.sources.fake.FakeSource``.

``SnapshotTerms`` is what an answer reads: the sums and latest levels a question's formulas
need, per channel (``kpi_engine.storage.store.Store`` serves it with one SQL statement;
``tests/fakes.py`` has an in-memory one, so a chat handler can be tested without a database).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, runtime_checkable

from kpi_engine.domain.formulas import Needs, Terms
from kpi_engine.domain.model import SnapshotRow


@runtime_checkable
class Source(Protocol):
    """A data platform's connector."""

    #: The platform it reads (``instagram``, ``tiktok`` …), as channels name it.
    platform: str

    def fetch(self, handle: str, first: date, last: date) -> Sequence[SnapshotRow]:
        """The values of the channel ``handle`` for the days ``first`` … ``last`` (both
        included). Raises on a failure the caller may retry (network, rate limit)."""
        ...


@runtime_checkable
class SnapshotTerms(Protocol):
    """The snapshot terms of a question."""

    def snapshot_terms(self, workspace_id: int, channel_ids: Sequence[int], needs: Needs,
                       campaign: str | None = None) -> Terms:
        """Every term of ``needs`` for each channel of ``channel_ids``: each sum term per
        (channel, campaign), and each latest level (the last day on or before the term's day
        with a value, per channel and campaign, added up per channel)."""
        ...
