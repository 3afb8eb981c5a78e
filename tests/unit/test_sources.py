"""The ``Source`` port (``kpi_engine/domain/ports.py``) and its test double (``FakeSource``)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.sources.fake import FakeSource
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import Source, SourceAccount, SourceError

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def test_the_fake_satisfies_the_port_and_serves_only_the_asked_channel_and_days() -> None:
    rows = [SnapshotRow(D1, "instagram", "@toko", "reach", 1200.0),
            SnapshotRow(D2, "instagram", "@toko", "reach", 1350.0),
            SnapshotRow(D3, "instagram", "@toko", "reach", 990.0),
            SnapshotRow(D2, "instagram", "@rival", "reach", 5000.0),
            SnapshotRow(D2, "tiktok", "@toko", "views", 70.0)]
    fake = FakeSource(platform="instagram", rows=rows)
    assert isinstance(fake, Source)  # mypy checks the signatures (adapters/sources/fake.py)
    source: Source = fake
    toko = SourceAccount("instagram", "17841400000000001", "@toko")
    got = list(source.fetch(toko, D1, D2).snapshots)
    assert got == [rows[0], rows[1]]
    assert sum(r.value for r in got) == 1200.0 + 1350.0
    assert list(source.fetch(toko, D3, D3).snapshots) == [rows[2]]
    nobody = SourceAccount("instagram", "1", "@nobody")
    assert list(source.fetch(nobody, D1, D3).snapshots) == []
    assert fake.fetched == [("@toko", D1, D2), ("@toko", D3, D3), ("@nobody", D1, D3)]


def test_the_fake_raises_its_queued_errors_first() -> None:
    fake = FakeSource(rows=[SnapshotRow(D1, "instagram", "@toko", "reach", 1.0)])
    fake.errors.append(SourceError("rate_limited", "too many calls", retry_after=60))
    toko = SourceAccount("instagram", "1", "@toko")
    with pytest.raises(SourceError) as failed:
        fake.fetch(toko, D1, D1)
    assert failed.value.kind == "rate_limited" and failed.value.retry_after == 60
    assert list(fake.fetch(toko, D1, D1).snapshots) == fake.rows
    assert len(fake.fetched) == 2


def test_the_fake_marks_recent_days_provisional_and_refreshes() -> None:
    fake = FakeSource(refetch_days=3, today=D3)
    toko = SourceAccount("instagram", "1", "@toko", access_token="t")
    assert fake.fetch(toko, D1, D3).provisional_from == date(2026, 11, 1)
    assert fake.refresh(toko).access_token == "t+"
    assert fake.refreshed == ["1"]


def test_a_source_error_kind_is_one_of_the_documented_ones() -> None:
    with pytest.raises(ValueError):
        SourceError("oops", "x")
