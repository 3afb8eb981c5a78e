"""The TikTok connectors against tests/tiktok_standin.py (127.0.0.1:0); hand-computed values."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.sources.tiktok import (
    RATE_RETRY_AFTER,
    TikTokAdsSource,
    TikTokApi,
    TikTokSource,
    make_source,
)
from config.settings import Settings
from kpi_engine.domain.ports import Source, SourceAccount, SourceError
from tests.tiktok_standin import Business, CampaignDay, TikTokStandin, Video, at

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 3, tzinfo=UTC)
TOKEN = "act.SECRETtiktok0001"
REFRESH = "rft.SECRETrefresh0001"
FIRST = TODAY - timedelta(days=39)  # 40 days: two requests (30 + 10)


@pytest.fixture
def tt() -> Any:
    with TikTokStandin() as standin:
        standin.tokens.add(TOKEN)
        standin.refresh_tokens.add(REFRESH)
        daily = {FIRST + timedelta(days=i): {"followers_count": 5000 + 10 * i,
                                             "video_views": 2000 + i, "likes": 100,
                                             "comments": i % 4, "shares": 7,
                                             "profile_views": 30}
                 for i in range(40)}
        videos = [Video(f"73{i:05d}", at(TODAY - timedelta(days=i)), f"video {i} #fyp",
                        {"reach": 1000 * (i + 1), "video_views": 1500 * (i + 1),
                         "likes": 90 + i, "comments": 9, "shares": 4})
                  for i in range(45)]
        standin.businesses["biz1"] = Business("biz1", daily, videos)
        yield standin


def source(tt: TikTokStandin, cls: type = TikTokSource, **kw: Any) -> Any:
    return cls(TikTokApi(tt.url, retry_delay=0), clock=lambda: NOW, **kw)


def account(platform: str = "tiktok", account_id: str = "biz1", token: str = TOKEN,
            refresh: str = REFRESH) -> SourceAccount:
    return SourceAccount(platform, account_id, "", access_token=token, refresh_token=refresh)


def test_the_port_and_settings(tt: TikTokStandin) -> None:
    assert isinstance(TikTokSource(), Source) and isinstance(TikTokAdsSource(), Source)
    assert TikTokSource.refetch_days == TikTokAdsSource.refetch_days == 7
    made = make_source("tiktok", Settings(tiktok_api_url=tt.url, tiktok_app_id="7",
                                          tiktok_app_secret=SecretStr("s")))
    assert made.api.http.base_url == tt.url and made.app_secret == "s"


def test_business_account_every_metric(tt: TikTokStandin) -> None:
    batch = source(tt).fetch(account(), FIRST, TODAY)
    got: dict[str, dict[date, float]] = {}
    for r in batch.snapshots:
        got.setdefault(r.metric, {})[r.day] = r.value
    assert set(got) == {"followers", "views", "likes", "comments", "shares", "profile_visits"}
    assert got["followers"][TODAY] == 5390 and got["followers"][FIRST] == 5000  # daily level
    assert sum(got["views"].values()) == 80000 + 780  # Σ(2000 + i), i = 0…39
    assert sum(got["comments"].values()) == 60  # ten rounds of 0+1+2+3
    assert sum(got["likes"].values()) == 4000 and len(got["shares"]) == 40
    # videos: published on or after FIRST − 28 days, i.e. all 45 (the last is 44 days old)
    assert len(batch.posts) == 45 and {p.format for p in batch.posts} == {"video"}
    values = {(m.post_id, m.metric): m.value for m in batch.post_metrics}
    assert values[("7300002", "reach")] == 3000 and values[("7300002", "views")] == 4500
    assert sum(v for (p, k), v in values.items() if k == "likes") == 45 * 90 + 990
    assert {m.day for m in batch.post_metrics} == {TODAY}
    # 2 daily requests + 3 video pages (20 + 20 + 5)
    assert batch.requests == len(tt.calls) == 5
    assert {c.token for c in tt.calls} == {TOKEN}
    assert batch.provisional_from == TODAY - timedelta(days=6)


def test_a_revised_day(tt: TikTokStandin) -> None:
    src = source(tt)
    tt.businesses["biz1"].daily[TODAY - timedelta(days=3)]["video_views"] = 9999
    batch = src.fetch(account(), TODAY - timedelta(days=6), TODAY)
    views = {r.day: r.value for r in batch.snapshots if r.metric == "views"}
    assert views[TODAY - timedelta(days=3)] == 9999


def test_ads_per_campaign_with_paging(tt: TikTokStandin) -> None:
    rows = [CampaignDay(TODAY - timedelta(days=d), f"17{c:02d}", f"Promo {c}", f"{c}.50",
                        1000, 10 + c, c % 3) for d in range(35) for c in range(40)]
    tt.ads["adv9"] = rows
    tt.tokens.add("act.ads")
    batch = source(tt, TikTokAdsSource).fetch(account("tiktok_ads", "adv9", "act.ads"),
                                              TODAY - timedelta(days=34), TODAY)
    cell = {(r.day, r.campaign, r.metric): r.value for r in batch.snapshots}
    assert cell[(TODAY, "Promo 7", "spend")] == 7.5
    assert cell[(TODAY, "Promo 7", "clicks")] == 17
    assert cell[(TODAY, "Promo 7", "conversions")] == 1
    # Σ spend: 35 days × Σ(c + 0.5) for c = 0…39 = 35 × (780 + 20) = 28,000
    assert sum(v for (d, c, m), v in cell.items() if m == "spend") == 28000
    # chunk 1 (30 days × 40 = 1200 rows) is two pages of 1000; chunk 2 (5 days) one
    assert batch.requests == 3
    assert "revenue" not in {r.metric for r in batch.snapshots}


@pytest.mark.parametrize(("code", "message", "kind", "wait"), [
    (40102, "Access token has expired", "auth_expired", None),
    (40105, "Access token is incorrect or has been revoked", "auth_expired", None),
    (40001, "No permission to operate", "permission", None),
    (40100, "Requests made too frequently (QPM)", "rate_limited", RATE_RETRY_AFTER),
    (40100, "Daily request limit (QPD) reached", "quota", None),
    (50000, "System error", "server", None),
    (40002, "Invalid parameter", "bad_request", None),
])
def test_each_error_is_its_kind(tt: TikTokStandin, code: int, message: str, kind: str,
                                wait: float | None) -> None:
    tt.fail_next("/business/get/", code, message)
    with pytest.raises(SourceError) as err:
        source(tt).fetch(account(), TODAY, TODAY)
    assert err.value.kind == kind and err.value.retry_after == wait
    assert f"TikTok error {code}" in err.value.message


def test_a_5xx_is_retried_once_then_server(tt: TikTokStandin) -> None:
    tt.fail_next("/business/get/", 50000, status=503)
    # the 503, its retry, and 2 video pages (29 videos published since today − 28 days)
    assert source(tt).fetch(account(), TODAY, TODAY).requests == 4
    tt.fail_next("/business/get/", 50000, status=503, times=2)
    with pytest.raises(SourceError) as err:
        source(tt).fetch(account(), TODAY, TODAY)
    assert err.value.kind == "server"


def test_refresh_rotates_the_refresh_token(tt: TikTokStandin,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    src = source(tt, app_id="7000000000000000001", app_secret="tt-secret-abc")
    fresh = src.refresh(account())
    assert fresh.access_token.startswith("act.new") and fresh.refresh_token != REFRESH
    assert fresh.expires_at == NOW + timedelta(days=1)
    assert src.fetch(fresh, TODAY, TODAY).snapshots  # the new access token works
    with pytest.raises(SourceError) as spent:  # the old refresh token is spent
        src.refresh(account())
    assert spent.value.kind == "auth_expired"
    again = src.refresh(fresh)  # the new one works, and rotates again
    assert again.refresh_token not in (REFRESH, fresh.refresh_token)
    with pytest.raises(SourceError) as err:
        source(tt).refresh(account())
    assert err.value.kind == "bad_request" and "KPIBOT_TIKTOK_APP_SECRET" in err.value.message
    for text in (caplog.text, str(spent.value), str(err.value)):
        for secret in (TOKEN, REFRESH, "tt-secret-abc", fresh.refresh_token):
            assert secret not in text
    assert "HTTP Request: POST" in caplog.text
