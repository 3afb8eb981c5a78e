"""The YouTube connector against tests/google_standin.py (127.0.0.1:0); hand-computed values."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.sources.google import RATE_RETRY_AFTER
from adapters.sources.youtube import YouTubeApi, YouTubeSource, make_source
from config.settings import Settings
from kpi_engine.domain.ports import Source, SourceAccount, SourceError
from tests.google_standin import (
    BAD_REQUEST,
    FORBIDDEN,
    QUOTA_EXCEEDED,
    RATE_LIMITED,
    SERVER_ERROR,
    UNAUTHENTICATED,
    USER_RATE_LIMITED,
    Channel,
    GoogleStandin,
    Video,
    at,
)

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 3, tzinfo=UTC)
TOKEN = "ya29.SECRETyoutube0001"
REFRESH = "1//SECRETrefresh0001"
CLIENT_ID = "123-abc.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-secret-xyz"
FIRST = TODAY - timedelta(days=99)  # 100 days: two Analytics requests (90 + 10)


@pytest.fixture
def g() -> Any:
    with GoogleStandin(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as standin:
        # Analytics lags: the last two days have no row yet
        daily = {FIRST + timedelta(days=i): {"views": 1000 + i, "likes": 50,
                                             "comments": i % 5, "shares": 3}
                 for i in range(98)}
        videos = [Video(f"vid{i:08d}", at(TODAY - timedelta(days=i), 1), f"Video {i}",
                        "#promo #jakarta" if i % 2 else "", views=100 * (i + 1),
                        likes=None if i == 5 else i, comments=2)
                  for i in range(130)]
        channel = Channel("UCabcdefghij", 12340, daily, videos)
        standin.channels[TOKEN] = channel
        standin.refresh_tokens[REFRESH] = channel.id
        yield standin


def source(g: GoogleStandin, **kw: Any) -> YouTubeSource:
    return YouTubeSource(YouTubeApi(g.url, token_url=g.token_url, retry_delay=0),
                         clock=lambda: NOW, **kw)


def account(token: str = TOKEN, refresh: str = REFRESH) -> SourceAccount:
    return SourceAccount("youtube", "UCabcdefghij", "", access_token=token,
                         refresh_token=refresh)


def test_the_port_and_settings(g: GoogleStandin) -> None:
    assert isinstance(YouTubeSource(), Source) and YouTubeSource.refetch_days == 3
    made = make_source("youtube", Settings(youtube_api_url=g.url, google_token_url=g.token_url,
                                           google_client_id="c",
                                           google_client_secret=SecretStr("s")))
    assert made.api.http.base_url == g.url and made.api.analytics_url == g.url
    assert made.api.token_url == g.token_url and made.client_secret == "s"
    default = make_source("youtube", Settings())
    assert default.api.http.base_url == "https://www.googleapis.com"
    assert default.api.analytics_url == "https://youtubeanalytics.googleapis.com"
    assert default.api.token_url == "https://oauth2.googleapis.com/token"


def test_every_metric_by_hand(g: GoogleStandin) -> None:
    batch = source(g).fetch(account(), FIRST, TODAY)
    got: dict[str, dict[date, float]] = {}
    for r in batch.snapshots:
        got.setdefault(r.metric, {})[r.day] = r.value
        assert (r.platform, r.handle, r.campaign) == ("youtube", "", "")
    assert set(got) == {"views", "likes", "comments", "shares", "subscribers"}
    assert sum(got["views"].values()) == 98 * 1000 + 97 * 98 // 2  # Σ(1000 + i), i = 0…97
    assert sum(got["comments"].values()) == 19 * 10 + 3  # 19 rounds of 0…4, then 0+1+2
    assert sum(got["likes"].values()) == 4900 and sum(got["shares"].values()) == 294
    assert max(got["views"]) == TODAY - timedelta(days=2)  # the lagging days are absent
    assert got["subscribers"] == {TODAY: 12340}  # a level for the reading day only
    # videos published since FIRST − 28 days (TODAY − 127): 128 of the 130
    assert len(batch.posts) == 128 and {p.format for p in batch.posts} == {"video"}
    post = {p.post_id: p for p in batch.posts}["vid00000003"]
    assert post.permalink == "https://www.youtube.com/watch?v=vid00000003"
    assert post.hashtags == ("promo", "jakarta") and post.published_at == at(TODAY - timedelta(
        days=3), 1)
    values = {(m.post_id, m.metric): m.value for m in batch.post_metrics}
    assert sum(v for (p, k), v in values.items() if k == "views") == 100 * 128 * 129 // 2
    # likes hidden on video 5: no likes value for it (not a zero)
    assert ("vid00000005", "likes") not in values
    assert sum(v for (p, k), v in values.items() if k == "likes") == 127 * 128 // 2 - 5
    assert sum(v for (p, k), v in values.items() if k == "comments") == 256
    assert {m.day for m in batch.post_metrics} == {TODAY}
    # 2 reports + 1 channel + 3 playlist pages (50, 50, then the old one) + 3 video batches
    assert batch.requests == len(g.calls) == 9
    assert [len(c.params["id"].split(",")) for c in g.requests_to("/videos")] == [50, 50, 28]
    assert {c.token for c in g.calls} == {TOKEN}
    assert batch.provisional_from == TODAY - timedelta(days=2)


def test_a_past_range_has_no_lifetime_values(g: GoogleStandin) -> None:
    last = TODAY - timedelta(days=40)
    batch = source(g).fetch(account(), last - timedelta(days=6), last)
    assert {r.metric for r in batch.snapshots} == {"views", "likes", "comments", "shares"}
    assert len(batch.snapshots) == 7 * 4 and not batch.post_metrics
    # published from last − 34 … last: 35 videos, none after last
    assert len(batch.posts) == 35
    assert all(p.published_at.date() <= last for p in batch.posts)


def test_a_revised_day(g: GoogleStandin) -> None:
    src = source(g)
    day = TODAY - timedelta(days=3)
    before = {r.day: r.value for r in src.fetch(account(), day, TODAY).snapshots
              if r.metric == "views"}
    g.channels[TOKEN].daily[day]["views"] = 9999
    g.channels[TOKEN].daily[TODAY - timedelta(days=1)] = {"views": 7, "likes": 1,
                                                          "comments": 0, "shares": 0}
    after = {r.day: r.value for r in src.fetch(account(), day, TODAY).snapshots
             if r.metric == "views"}
    assert before[day] == 1096 and after[day] == 9999
    assert after[TODAY - timedelta(days=1)] == 7 and TODAY - timedelta(days=1) not in before


@pytest.mark.parametrize(("status", "body", "kind", "wait"), [
    (403, QUOTA_EXCEEDED, "quota", None),
    (403, RATE_LIMITED, "rate_limited", RATE_RETRY_AFTER),
    (403, USER_RATE_LIMITED, "rate_limited", RATE_RETRY_AFTER),
    (403, FORBIDDEN, "permission", None),
    (401, UNAUTHENTICATED, "auth_expired", None),
    (400, BAD_REQUEST, "bad_request", None),
])
def test_each_error_is_its_kind(g: GoogleStandin, status: int, body: Any, kind: str,
                                wait: float | None) -> None:
    g.fail_next("/v2/reports", status, body)
    with pytest.raises(SourceError) as err:
        source(g).fetch(account(), TODAY, TODAY)
    assert err.value.kind == kind and err.value.retry_after == wait
    assert f"Google HTTP {status}" in err.value.message
    assert "<a" not in err.value.message and "</a>" not in err.value.message
    if kind == "permission":
        assert "allow both YouTube scopes" in err.value.message


def test_an_expired_token_and_no_channel(g: GoogleStandin) -> None:
    g.expired.add(TOKEN)
    with pytest.raises(SourceError) as err:
        source(g).fetch(account(), TODAY, TODAY)
    assert err.value.kind == "auth_expired" and TOKEN not in err.value.message
    g.expired.clear()
    g.channels[TOKEN].videos.clear()
    g.fail_next("/youtube/v3/channels", 200, {"kind": "youtube#channelListResponse",
                                              "items": []})
    with pytest.raises(SourceError) as none:
        source(g).fetch(account(), TODAY, TODAY)
    assert none.value.kind == "permission" and "no YouTube channel" in none.value.message


def test_a_5xx_mid_backfill_is_retried_once_then_server(g: GoogleStandin) -> None:
    clean = source(g).fetch(account(), FIRST, TODAY)
    g.calls.clear()
    g.fail_next("/youtube/v3/videos", 503, SERVER_ERROR, skip=1)  # the second batch
    retried = source(g).fetch(account(), FIRST, TODAY)
    assert retried.requests == clean.requests + 1
    assert (retried.snapshots, retried.posts, retried.post_metrics) == (
        clean.snapshots, clean.posts, clean.post_metrics)
    g.fail_next("/v2/reports", 503, SERVER_ERROR, skip=1, times=2)  # the second 90 days
    with pytest.raises(SourceError) as err:
        source(g).fetch(account(), FIRST, TODAY)
    assert err.value.kind == "server" and "503" in err.value.message


def test_refresh_and_the_testing_app_hint(g: GoogleStandin,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    src = source(g, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    fresh = src.refresh(account(token="ya29.old"))
    assert fresh.access_token.startswith("ya29.new") and fresh.refresh_token == REFRESH
    assert fresh.expires_at == NOW + timedelta(seconds=3599)
    assert src.fetch(fresh, TODAY, TODAY).snapshots  # the new access token works
    form = g.requests_to("/token")[-1].params
    assert form == {"grant_type": "refresh_token", "client_id": CLIENT_ID}
    g.expired_refresh.add(REFRESH)  # seven days in a consent screen still in Testing
    with pytest.raises(SourceError) as expired:
        src.refresh(account())
    assert expired.value.kind == "auth_expired" and "invalid_grant" in expired.value.message
    assert "7 days" in expired.value.message and "Testing" in expired.value.message
    with pytest.raises(SourceError) as wrong:
        source(g, client_id=CLIENT_ID, client_secret="GOCSPX-wrong").refresh(account())
    assert wrong.value.kind == "permission"
    with pytest.raises(SourceError) as unset:
        source(g).refresh(account())
    assert unset.value.kind == "bad_request"
    assert "KPIBOT_GOOGLE_CLIENT_SECRET" in unset.value.message
    for text in (caplog.text, str(expired.value), str(wrong.value), str(unset.value)):
        for secret in (TOKEN, REFRESH, CLIENT_SECRET, "GOCSPX-wrong", fresh.access_token):
            assert secret not in text
    assert "HTTP Request: POST" in caplog.text and "HTTP Request: GET" in caplog.text


def test_unknown_columns_are_skipped_and_counted(g: GoogleStandin,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    g.fail_next("/v2/reports", 200, {
        "kind": "youtubeAnalytics#resultTable",
        "columnHeaders": [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"},
                          {"name": "views", "columnType": "METRIC", "dataType": "INTEGER"},
                          {"name": "estimatedMinutesWatched", "columnType": "METRIC",
                           "dataType": "INTEGER"}],
        "rows": [[TODAY.isoformat(), 321, 999], ["not a day", 1, 1], [TODAY.isoformat(), 5]]})
    src = source(g)
    with caplog.at_level(logging.WARNING, logger="adapters.sources.youtube"):
        batch = src.fetch(account(), TODAY, TODAY)
    daily = {r.metric: r.value for r in batch.snapshots}
    assert daily == {"views": 321, "subscribers": 12340}  # no guess at minutes watched
    assert src.skipped == {"metric:estimatedMinutesWatched": 1, "daily:bad_date": 1,
                           "daily:bad_row": 1}
    assert "skipped 3 values" in caplog.text


def test_a_hidden_subscriber_count_is_no_level(g: GoogleStandin) -> None:
    g.channels[TOKEN].hidden = True
    batch = source(g).fetch(account(), TODAY - timedelta(days=3), TODAY)
    assert "subscribers" not in {r.metric for r in batch.snapshots}  # no 0, no guess
    assert {r.metric for r in batch.snapshots} == {"views", "likes", "comments", "shares"}
