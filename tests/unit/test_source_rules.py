"""The pure rules of a data-source sync (``kpi_engine/domain/sources.py``): the days and
windows a sync fetches, the resume cursor, provisional days, the nightly spread and the error
policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kpi_engine.domain import sources as r

LAST = date(2026, 11, 19)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
NIGHT = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)


def test_a_first_sync_backfills_90_days_and_later_ones_start_at_the_cursor() -> None:
    assert r.fetch_range(LAST, None, None, 3) == (LAST - timedelta(days=89), LAST)
    assert r.fetch_range(LAST, LAST + timedelta(days=1), None, 3) == (date(2026, 11, 17), LAST)
    assert r.fetch_range(LAST, date(2026, 11, 1), None, 3) == (date(2026, 11, 1), LAST)
    # Meta Ads revises 28 days: always re-fetched
    assert r.fetch_range(LAST, LAST + timedelta(days=1), None, 28) == (date(2026, 10, 23), LAST)
    assert r.fetch_range(LAST, None, date(2026, 1, 1), 3) == (date(2026, 1, 1), LAST)
    # a day still marked provisional is fetched until the platform says it is final
    assert r.fetch_range(LAST, LAST + timedelta(days=1), None, 3,
                         date(2026, 11, 10)) == (date(2026, 11, 10), LAST)
    assert r.fetch_range(LAST, LAST + timedelta(days=1), None, 0) is None


def test_windows_cover_every_day_exactly_once() -> None:
    span = (date(2026, 8, 22), LAST)  # 90 days
    parts = r.windows(span, 7)
    assert len(parts) == 13 and parts[0] == (date(2026, 8, 22), date(2026, 8, 28))
    assert parts[-1] == (date(2026, 11, 14), LAST)
    days = [a + timedelta(days=i) for a, b in parts for i in range((b - a).days + 1)]
    assert len(days) == 90 == len(set(days))
    assert r.windows((LAST, LAST)) == [(LAST, LAST)]
    with pytest.raises(ValueError):
        r.windows(span, 0)


def test_the_cursor_never_jumps_over_a_gap() -> None:
    w = (date(2026, 11, 1), date(2026, 11, 7))
    assert r.advance_cursor(None, w) == date(2026, 11, 8)
    assert r.advance_cursor(date(2026, 11, 1), w) == date(2026, 11, 8)
    assert r.advance_cursor(date(2026, 11, 20), w) == date(2026, 11, 8)  # a --since refetch
    assert r.advance_cursor(date(2026, 10, 20), w) == date(2026, 10, 20)  # a gap before w


def test_provisional_split() -> None:
    w = (date(2026, 11, 15), date(2026, 11, 19))
    final, prov = r.provisional_split(w, date(2026, 11, 17))
    assert final == [date(2026, 11, 15), date(2026, 11, 16)]
    assert prov == [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)]
    assert r.provisional_split(w, None)[1] == []


def test_nightly_syncs_are_spread_between_01_and_05_local_and_stable() -> None:
    tz = ZoneInfo("Asia/Jakarta")
    offsets = {r.night_offset(i) for i in range(1, 101)}
    assert len(offsets) > 60 and min(offsets) >= 0 and max(offsets) < 240
    for sid in (1, 2, 50, 99):
        slot = r.next_nightly(sid, NOW, "Asia/Jakarta")
        local = slot.astimezone(tz)
        assert 1 <= local.hour < 5 and slot > NOW and slot - NOW <= timedelta(days=1)
        assert r.next_nightly(sid, NOW, "Asia/Jakarta") == slot
        assert r.next_nightly(sid, slot, "Asia/Jakarta") == slot + timedelta(days=1)


def test_the_error_policy() -> None:
    kw = {"now": NOW, "nightly": NIGHT}
    rate = r.decide("rate_limited", attempt=0, refreshed=False, retry_after=120, **kw)
    assert rate == r.Decision("stop", next_sync_at=NOW + timedelta(seconds=120))
    assert r.decide("rate_limited", attempt=0, refreshed=False, **kw).next_sync_at == \
        NOW + timedelta(minutes=15)
    assert r.decide("quota", attempt=0, refreshed=False, **kw) == r.Decision(
        "stop", next_sync_at=NIGHT, notify=True)
    assert [r.decide("server", attempt=a, refreshed=False, **kw).wait for a in range(3)] == \
        [1.0, 2.0, 4.0]
    assert r.decide("server", attempt=3, refreshed=False, **kw) == r.Decision(
        "stop", next_sync_at=NOW + timedelta(hours=1))
    assert r.decide("auth_expired", attempt=0, refreshed=False, **kw).action == "refresh"
    assert r.decide("auth_expired", attempt=0, refreshed=True, **kw).notify
    for kind in ("permission", "bad_request"):
        assert r.decide(kind, attempt=0, refreshed=False, **kw) == r.Decision(
            "stop", next_sync_at=NIGHT, notify=True)


def test_expiry() -> None:
    soon, far = NOW + timedelta(days=6), NOW + timedelta(days=30)
    assert r.needs_refresh(soon, NOW) and not r.needs_refresh(far, NOW)
    assert not r.needs_refresh(None, NOW)
    assert r.expiry_warning_due(soon, None, NOW)
    assert not r.expiry_warning_due(soon, NOW - timedelta(hours=1), NOW)  # told this week
    assert r.expiry_warning_due(soon, NOW - timedelta(days=30), NOW)  # told of an older one
    assert not r.expiry_warning_due(far, None, NOW)


def test_the_reading_day_is_last_only_when_last_is_today_somewhere_on_earth() -> None:
    """UTC-12 … UTC+14: at 23:00 UTC on 30 Nov the local dates are 30 Nov (Hawaii, 13:00)
    … 1 Dec (Kiritimati, 13:00); 29 Nov is past everywhere, so a window ending then gets no
    reading day (issue 17's bench: a sync's first window labelled values read on 1 Dec as
    29 Nov's)."""
    late = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert r.reading_day(date(2026, 11, 30), late) == date(2026, 11, 30)
    assert r.reading_day(date(2026, 12, 1), late) == date(2026, 12, 1)
    assert r.reading_day(date(2026, 11, 29), late) is None
    assert r.reading_day(date(2026, 12, 2), late) is None
    early = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 15:00 on 29 Nov in UTC-12
    assert r.reading_day(date(2026, 11, 29), early) == date(2026, 11, 29)
    assert r.reading_day(date(2026, 11, 28), early) is None
    assert r.reading_day(date(2026, 12, 1), early) is None  # 17:00 on 30 Nov in UTC+14


def test_the_posts_read_for_a_reading_day_do_not_depend_on_the_window() -> None:
    reading = date(2026, 11, 30)
    # a 1-day last window, a 7-day one, a 4-day one: all read back to 30 Nov − 34 = 27 Oct
    for first in (date(2026, 11, 30), date(2026, 11, 24), date(2026, 11, 27)):
        assert r.lifetime_cutoff(first, reading) == date(2026, 10, 27)
    # a longer fetch reads further back (28 days before its first); no reading day: 28 only
    assert r.lifetime_cutoff(date(2026, 11, 1), reading) == date(2026, 10, 4)
    assert r.lifetime_cutoff(date(2026, 11, 30), None) == date(2026, 11, 2)
    assert r.LIFETIME_DAYS == 34
