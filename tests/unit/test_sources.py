"""The ``Source`` port (``kpi_engine/domain/ports.py``) and its test double (``FakeSource``)."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.sources.fake import FakeSource
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import Source

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
    got = source.fetch("@toko", D1, D2)
    assert got == [rows[0], rows[1]]
    assert sum(r.value for r in got) == 1200.0 + 1350.0
    assert source.fetch("@toko", D3, D3) == [rows[2]]
    assert source.fetch("@nobody", D1, D3) == []
    assert fake.fetched == [("@toko", D1, D2), ("@toko", D3, D3), ("@nobody", D1, D3)]


def test_the_fake_raises_its_queued_errors_first() -> None:
    fake = FakeSource(rows=[SnapshotRow(D1, "instagram", "@toko", "reach", 1.0)])
    fake.errors.append(TimeoutError("rate limited"))
    with pytest.raises(TimeoutError):
        fake.fetch("@toko", D1, D1)
    assert fake.fetch("@toko", D1, D1) == fake.rows
    assert len(fake.fetched) == 2
