"""Ports: what the engine needs from the outside world, as small protocols.

``Source`` is a data connector (Meta, TikTok, YouTube, GA4 …): for an account
(``SourceAccount``: platform, account id, channel handle, credentials) and a range of days it
returns a ``SourceBatch`` (snapshots, posts, post metrics, audience segments, and from which day
the values are still provisional), or raises ``SourceError`` with one of a few kinds the sync
knows how to handle (expired token, missing permission, rate limit, quota, server error). The
batch goes through the one validation and write of every way in. Connectors live in
``adapters/sources/``; their test double is ``adapters.sources.fake.FakeSource``.

``SnapshotTerms`` is what an answer reads: the sums and latest levels a question's formulas
need, per channel (``kpi_engine.storage.store.Store`` serves it with one SQL statement;
``tests/fakes.py`` has an in-memory one, so a chat handler can be tested without a database).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from kpi_engine.domain.content import PostMetricRow, PostRow, SegmentRow
from kpi_engine.domain.formulas import Needs, Terms
from kpi_engine.domain.model import SnapshotRow


@dataclass(frozen=True)
class SourceAccount:
    """The account a connector reads, and the credentials it reads it with (decrypted, in
    memory only: never logged, never shown)."""

    platform: str            # instagram, facebook, meta_ads, tiktok, tiktok_ads, youtube, ga4
    account_id: str          # the platform's id of the account / page / ad account / property
    handle: str              # the channel's handle the rows are written to ("" = own channel)
    access_token: str = ""
    refresh_token: str = ""
    expires_at: datetime | None = None   # aware UTC; None when the platform says nothing


@dataclass(frozen=True)
class SourceBatch:
    """What one fetch of a range of days returned. Days on or after ``provisional_from`` are
    not final yet (the platform still revises them)."""

    snapshots: Sequence[SnapshotRow] = ()
    posts: Sequence[PostRow] = ()
    post_metrics: Sequence[PostMetricRow] = ()
    segments: Sequence[SegmentRow] = ()
    provisional_from: date | None = None
    requests: int = 0                    # HTTP requests this fetch made (for the figures)


class SourceError(Exception):
    """A fetch that failed in a way the platform told us. ``kind`` is one of
    ``auth_expired`` (token expired or revoked: an admin must reconnect), ``permission``
    (a scope/permission is missing), ``rate_limited`` (retry after ``retry_after`` seconds),
    ``quota`` (daily quota exhausted: resume tomorrow), ``server`` (5xx / network: retry),
    ``bad_request`` (our request or the account id is wrong). ``message`` is safe to show
    (it never holds a token)."""

    KINDS = ("auth_expired", "permission", "rate_limited", "quota", "server", "bad_request")

    def __init__(self, kind: str, message: str, *, retry_after: float | None = None) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown SourceError kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


@runtime_checkable
class Source(Protocol):
    """A data platform's connector: knows its API, paging, rate limits; computes no KPI."""

    #: The platform it reads (``instagram`` …, as in SPEC §10's PLATFORM list).
    platform: str
    #: How many of the most recent days the platform still revises (SPEC §10: Instagram 3,
    #: Meta Ads 28, TikTok 7, YouTube and GA4 3): a sync re-fetches them every time.
    refetch_days: int

    def fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        """The values of ``account`` for the days ``first`` … ``last`` (both included), in
        the account's channel (``account.platform`` / ``account.handle``). Raises
        ``SourceError`` on a failure the platform reported."""
        ...

    def refresh(self, account: SourceAccount) -> SourceAccount:
        """The account with fresh credentials (a new access token and expiry; a new refresh
        token where the platform rotates it, as TikTok does). Raises ``SourceError``
        (``auth_expired``) when the platform refuses."""
        ...


@runtime_checkable
class FirstDay(Protocol):
    """Where the data of a question's scope begins."""

    def first_day(self, workspace_id: int, channel_ids: Sequence[int],
                  metrics: Sequence[str]) -> date | None:
        """The first day any of ``metrics`` has a snapshot on any of the channels."""
        ...


class SnapshotTerms(Protocol):
    """The snapshot terms of a question."""

    def snapshot_terms(self, workspace_id: int, channel_ids: Sequence[int], needs: Needs,
                       campaign: str | None = None) -> Terms:
        """Every term of ``needs`` for each channel of ``channel_ids``: each sum term per
        (channel, campaign), and each latest level (the last day on or before the term's day
        with a value, per channel and campaign, added up per channel)."""
        ...
