"""The rules of a data-source sync (SPEC §10), pure: which days to fetch in which windows,
when the nightly sync of a source runs, and what to do on each kind of ``SourceError``.

``kpi_engine/services/sources.py`` runs them against the database and a connector; these
functions take every moment and day as arguments (no clock, no I/O).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: SPEC §10's PLATFORM list (``kpibot source add PLATFORM``).
PLATFORMS: tuple[str, ...] = ("instagram", "facebook", "meta_ads", "tiktok", "tiktok_ads",
                              "youtube", "ga4")
#: A first sync fetches this many days back (yesterday included).
BACKFILL_DAYS = 90
#: Days per fetch: a crash or a rate limit loses at most one window's work.
WINDOW_DAYS = 7
#: A token that expires within this is refreshed before a sync; an admin is told when the
#: refresh fails (once per expiry).
EXPIRY_WARNING = timedelta(days=7)
#: A 5xx is retried this many times within one sync (waits 1, 2, 4 s), then recorded.
SERVER_RETRIES = 3
#: Nightly syncs start between 01:00 and 05:00 workspace time.
NIGHT_START = time(1, 0)
NIGHT_MINUTES = 4 * 60
#: A rate limit without a Retry-After waits this long; a recorded 5xx this long.
DEFAULT_RETRY_AFTER = timedelta(minutes=15)
SERVER_RETRY_LATER = timedelta(hours=1)


Window = tuple[date, date]


def fetch_range(last: date, cursor: date | None, since: date | None,
                refetch_days: int, provisional: date | None = None) -> Window | None:
    """The days a sync fetches, through ``last`` (the workspace's yesterday): from ``since``
    when given, else from the resume ``cursor`` (the first day not fetched yet), else a
    backfill of :data:`BACKFILL_DAYS`; always at least the last ``refetch_days`` (the days the
    platform still revises) and every day still marked provisional (from ``provisional``,
    the earliest), until the platform says it is final. None when there is nothing to
    fetch."""
    if since is not None:
        first = since
    elif cursor is not None:
        first = cursor
    else:
        first = last - timedelta(days=BACKFILL_DAYS - 1)
    if refetch_days > 0:
        first = min(first, last - timedelta(days=refetch_days - 1))
    if provisional is not None:
        first = min(first, provisional)
    return None if first > last else (first, last)


def windows(span: Window, size: int = WINDOW_DAYS) -> list[Window]:
    """``span`` cut into consecutive windows of ``size`` days, oldest first (the last one
    may be shorter): together they cover every day exactly once."""
    if size < 1:
        raise ValueError("a window has at least one day")
    first, last = span
    out: list[Window] = []
    while first <= last:
        end = min(last, first + timedelta(days=size - 1))
        out.append((first, end))
        first = end + timedelta(days=1)
    return out


def advance_cursor(cursor: date | None, window: Window) -> date | None:
    """The resume cursor after ``window`` was written: the day after it when the window
    starts at or before the cursor (so every day before the new cursor was fetched), else
    unchanged (a ``--since`` later than the cursor must not jump over the gap)."""
    first, last = window
    if cursor is None or first <= cursor:
        return last + timedelta(days=1)
    return cursor


def provisional_split(window: Window, provisional_from: date | None
                      ) -> tuple[list[date], list[date]]:
    """(final days, provisional days) of ``window``: days on or after ``provisional_from``
    are provisional."""
    first, last = window
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if provisional_from is None:
        return days, []
    return [d for d in days if d < provisional_from], [d for d in days if d >= provisional_from]


#: A post published this many days before a fetch's first day still gets its lifetime values
#: read (its numbers keep moving for about four weeks).
POST_WINDOW_DAYS = 28
#: ... and at least this many days before the reading day, whatever the fetch's first day:
#: a sync's last window is 1 to WINDOW_DAYS days long, so without this floor the posts that
#: get the reading day's values would depend on how the sync cut its span into windows (and
#: a second sync right after the first would add readings the first one did not write).
LIFETIME_DAYS = POST_WINDOW_DAYS + WINDOW_DAYS - 1


def reading_day(last: date, now: datetime) -> date | None:
    """The day values read at ``now`` (a post's lifetime totals, a follower level, the
    audience) are labelled with: ``last`` when ``last`` is today somewhere on Earth (local
    dates run from UTC-12 to UTC+14), else None: a value read now is not an earlier day's.
    So a sync's earlier windows (which end before the workspace's yesterday) get none."""
    moment = now.astimezone(UTC)
    earliest = (moment - timedelta(hours=12)).date()
    latest = (moment + timedelta(hours=14)).date()
    return last if earliest <= last <= latest else None


def lifetime_cutoff(first: date, reading: date | None) -> date:
    """The oldest publication day whose posts a fetch from ``first`` lists and reads:
    :data:`POST_WINDOW_DAYS` before ``first``, and when there is a reading day at least
    :data:`LIFETIME_DAYS` before it."""
    cutoff = first - timedelta(days=POST_WINDOW_DAYS)
    if reading is None:
        return cutoff
    return min(cutoff, reading - timedelta(days=LIFETIME_DAYS))


def night_offset(source_id: int) -> int:
    """Minutes after 01:00 of a source's nightly sync: spread over four hours, the same
    every night (a CRC of the id, not Python's salted ``hash``)."""
    return zlib.crc32(f"source:{source_id}".encode()) % NIGHT_MINUTES


def next_nightly(source_id: int, after: datetime, timezone: str) -> datetime:
    """The first nightly slot of ``source_id`` strictly after ``after``, in UTC (the slot is
    a local wall time; ``ZoneInfo`` resolves a DST gap or fold)."""
    tz = ZoneInfo(timezone)
    local = after.astimezone(tz)
    offset = night_offset(source_id)
    for days in (0, 1, 2):
        day = local.date() + timedelta(days=days)
        slot = datetime.combine(day, NIGHT_START, tz) + timedelta(minutes=offset)
        slot = slot.astimezone(UTC)
        if slot > after.astimezone(UTC):
            return slot
    raise AssertionError("unreachable: a slot exists within two days")


@dataclass(frozen=True)
class Decision:
    """What a sync does after a ``SourceError``: ``retry`` the window after ``wait`` seconds,
    ``refresh`` the token then retry once, or ``stop`` (the cursor stays; the next sync is at
    ``next_sync_at``); ``notify``: the workspace's admins are told (once per failure)."""

    action: str  # retry | refresh | stop
    wait: float = 0.0
    next_sync_at: datetime | None = None
    notify: bool = False


def decide(kind: str, *, attempt: int, refreshed: bool, now: datetime, nightly: datetime,
           retry_after: float | None = None) -> Decision:
    """The error policy. ``attempt``: how many times this window already failed with a server
    error; ``refreshed``: whether this sync already refreshed the token; ``nightly``: the
    source's next nightly slot.

    - ``rate_limited``: stop, resume where it stopped after ``retry_after`` (15 min default);
    - ``quota``: stop, resume at the next nightly slot (the quota is daily); admins told;
    - ``server``: retry with backoff (1, 2, 4 s) :data:`SERVER_RETRIES` times, then stop and
      try again in an hour;
    - ``auth_expired``: refresh the token once and retry; refused again: stop, admins told
      (they must reconnect);
    - ``permission``, ``bad_request`` and anything else: stop, admins told.
    """
    if kind == "rate_limited":
        wait = timedelta(seconds=retry_after) if retry_after else DEFAULT_RETRY_AFTER
        return Decision("stop", next_sync_at=now + wait)
    if kind == "quota":
        return Decision("stop", next_sync_at=nightly, notify=True)
    if kind == "server":
        if attempt < SERVER_RETRIES:
            return Decision("retry", wait=float(2 ** attempt))
        return Decision("stop", next_sync_at=now + SERVER_RETRY_LATER)
    if kind == "auth_expired" and not refreshed:
        return Decision("refresh")
    return Decision("stop", next_sync_at=nightly, notify=True)


def needs_refresh(expires_at: datetime | None, now: datetime) -> bool:
    """Refresh before syncing: the token expires within :data:`EXPIRY_WARNING`."""
    return expires_at is not None and expires_at - now <= EXPIRY_WARNING


def expiry_warning_due(expires_at: datetime | None, notified_at: datetime | None,
                       now: datetime) -> bool:
    """Tell the admins that the token expires soon: within a week of ``expires_at`` and not
    yet told for this expiry (told before the week began means another expiry)."""
    if expires_at is None or expires_at - now > EXPIRY_WARNING:
        return False
    return notified_at is None or notified_at < expires_at - EXPIRY_WARNING


@dataclass(frozen=True)
class SourceRecord:
    """A stored source. The tokens are as stored: sealed (encrypted), never the clear text."""

    id: int
    workspace_id: int
    platform: str
    account_id: str
    channel_platform: str
    channel_handle: str
    access_sealed: str
    refresh_sealed: str
    expires_at: datetime | None
    created_at: datetime
    last_sync_at: datetime | None = None
    last_rows: int = 0
    last_error_kind: str = ""
    last_error: str = ""
    next_sync_at: datetime | None = None
    cursor_day: date | None = None
    notified_error_kind: str = ""
    notified_error_at: datetime | None = None
    notified_expiry_at: datetime | None = None

    @property
    def channel(self) -> str:
        """The channel's name as chat and import write it (``instagram``, ``instagram:@toko``)."""
        return (f"{self.channel_platform}:{self.channel_handle}" if self.channel_handle
                else self.channel_platform)


# ------------------------------------------------------------------ which keys a source fills

#: The daily metrics each platform's connector writes on the source's own channel (SPEC §10's
#: "what it fills"; tests/unit/test_source_fills.py keeps this equal to each connector's
#: metric tables). Instagram's profile link taps are ``website_clicks``; ``website_visits``
#: (sessions on the team's website) come from GA4 only.
FILLS: dict[str, frozenset[str]] = {
    "instagram": frozenset({"reach", "views", "profile_visits", "website_clicks", "followers"}),
    "facebook": frozenset({"reach", "views", "followers"}),
    "meta_ads": frozenset({"spend", "impressions", "clicks", "conversions", "revenue"}),
    "tiktok": frozenset({"followers", "views", "likes", "comments", "shares",
                         "profile_visits"}),
    "tiktok_ads": frozenset({"spend", "impressions", "clicks", "conversions"}),
    "youtube": frozenset({"views", "likes", "comments", "shares", "subscribers"}),
}
#: GA4 writes on the social channels its session sources map to (SPEC §10: "by source
#: (social channel)"), not on a channel of its own: these metrics, on each of these platforms
#: (``adapters/sources/ga4.SOCIAL_SOURCES``' platforms), with the source's channel handle.
GA4_FILLS: frozenset[str] = frozenset({"website_visits", "conversions", "revenue"})
GA4_PLATFORMS: tuple[str, ...] = ("instagram", "facebook", "tiktok", "youtube", "linkedin", "x")

#: (channel platform, channel handle, metric): one daily value key of a workspace, less the
#: day and campaign (a channel's total adds up its campaigns, so two sources filling one
#: metric of one channel would be summed even on different campaigns).
FillKey = tuple[str, str, str]


def filled_keys(platform: str, channel_platform: str, channel_handle: str
                ) -> frozenset[FillKey]:
    """The (channel, metric) keys a source of ``platform`` writes when its channel is
    ``channel_platform``/``channel_handle`` (``--channel``)."""
    if platform == "ga4":
        return frozenset((p, channel_handle, m) for p in GA4_PLATFORMS for m in GA4_FILLS)
    return frozenset((channel_platform, channel_handle, m) for m in FILLS.get(platform, ()))


def clashes(new: frozenset[FillKey], others: dict[int, frozenset[FillKey]]
            ) -> list[tuple[int, FillKey]]:
    """(source id, key) for every key of ``new`` that another source already fills, sorted:
    SPEC §10 says which metric each source fills, so one metric of one channel comes from
    one source; a second one would overwrite or be added to the first one's values."""
    return sorted((sid, key) for sid, keys in others.items() for key in new & keys)
