"""Issue 15: the drop rule's math, with numbers worked by hand."""

from datetime import date

import pytest

from kpi_engine.domain.alerts import Span, drop_verdict, previous_spans, scaled_mad


def test_daily_baseline_is_the_same_weekday_of_previous_weeks() -> None:
    sunday = date(2026, 11, 29)
    spans = previous_spans("day", Span(sunday, sunday), 3)
    assert [s.start for s in spans] == [date(2026, 11, 22), date(2026, 11, 15), date(2026, 11, 8)]
    assert all(s.start == s.end and s.start.weekday() == 6 for s in spans)


def test_scaled_mad_by_hand() -> None:
    # median 10; |dev| = 2, 0, 1, 5 -> median 1.5; x 1.4826 = 2.2239
    assert scaled_mad([8, 10, 11, 15]) == pytest.approx(2.2239)


def test_fall_must_be_pct_and_beyond_k_mads() -> None:
    base = [8.0, 10.0, 11.0, 15.0]  # median 10.5, |dev| 2.5 .5 .5 4.5 -> 1.5 -> MAD 2.2239
    v = drop_verdict(7.0, base, 500, pct=20, k=1, min_volume=100)
    assert v.firing is True and v.median == 10.5 and v.change_pct == pytest.approx(-33.333, 1e-3)
    # k = 3: 3.5 below the median is not beyond 3 x 2.2239 = 6.67
    assert drop_verdict(7.0, base, 500, pct=20, k=3, min_volume=100).firing is False
    assert drop_verdict(3.5, base, 500, pct=20, k=3, min_volume=100).firing is True
    # beyond the MADs but not 20 % below: 9.0 is -14 %
    assert drop_verdict(9.0, [10.0] * 4, 500, pct=20, k=3, min_volume=100).firing is False


def test_direction_min_volume_and_too_little_history() -> None:
    base = [10.0, 10.0, 10.0, 10.0]  # MAD 0
    assert drop_verdict(15.0, base, 500, pct=20, k=3, min_volume=100).firing is False
    assert drop_verdict(15.0, base, 500, pct=20, k=3, min_volume=100, direction="rise").firing
    assert drop_verdict(5.0, base, 500, pct=20, k=3, min_volume=100, direction="both").firing
    assert not drop_verdict(5.0, base, 500, pct=20, k=3, min_volume=100, direction="rise").firing
    low = drop_verdict(1.0, base, 99, pct=20, k=3, min_volume=100)
    assert low.firing is False and low.guard
    assert drop_verdict(1.0, [10.0], 500, pct=20, k=3, min_volume=100, min_history=3).firing is None
    assert drop_verdict(None, base, 500, pct=20, k=3, min_volume=100).firing is None
    with pytest.raises(ValueError):
        drop_verdict(1.0, base, 500, pct=20, k=3, min_volume=100, direction="sideways")
