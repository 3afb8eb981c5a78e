"""The Meta connectors against tests/meta_standin.py (a real HTTP server on 127.0.0.1:0).

Every expected number below is worked out by hand from the stand-in's rows, written next to
the assertion; nothing reaches a real platform."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.cli import main
from adapters.sources.meta import (
    DEFAULT_RETRY_AFTER,
    FacebookPageSource,
    Graph,
    InstagramSource,
    MetaAdsSource,
    MetaSource,
    make_source,
)
from bot.bootstrap import bootstrap
from bot.reply import Request
from config.settings import Settings
from kpi_engine.domain.ports import Source, SourceAccount, SourceBatch, SourceError
from kpi_engine.services.ingest import write_content
from kpi_engine.storage.store import Store
from tests.meta_standin import AdAccount, AdRow, IgAccount, Media, MetaStandin, Page, PagePost

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
TOKEN = "EAAGsecretTOKEN123456789"
FIRST = TODAY - timedelta(days=34)  # 35 days: two Instagram chunks (30 + 5)


def clock() -> datetime:
    return NOW


@pytest.fixture
def meta() -> Any:
    with MetaStandin() as standin:
        standin.add_token(TOKEN)
        yield standin


def ig_account() -> IgAccount:
    """35 days: reach 100+i, views 300+2i, profile_views i % 7, website_clicks 3 (i = 0 on
    FIRST); 4 posts; demographics."""
    daily = {FIRST + timedelta(days=i): {"reach": 100 + i, "views": 300 + 2 * i,
                                         "profile_views": i % 7, "website_clicks": 3}
             for i in range(35)}
    noon = datetime(TODAY.year, TODAY.month, TODAY.day, 5, tzinfo=UTC)
    media = [
        Media("m1", noon - timedelta(days=1), "IMAGE", "FEED", "Promo #Sale #diskon",
              {"reach": 900, "likes": 80, "comments": 12, "shares": 5, "saved": 7,
               "views": 1500}, like_count=80, comments_count=12),
        Media("m2", noon - timedelta(days=3), "VIDEO", "REELS", "reel",
              {"reach": 5000, "likes": 400, "comments": 30, "shares": 60, "saved": 44,
               "views": 12000}),
        Media("m3", noon - timedelta(days=10), "CAROUSEL_ALBUM", "FEED", "album",
              {"reach": 700, "likes": 50, "comments": 4, "shares": 1, "saved": 9,
               "views": 1100}),
        Media("m4", noon - timedelta(days=20), "IMAGE", "FEED", "old", no_insights=True,
              like_count=15, comments_count=2),
    ]
    demographics = {"city": {"Jakarta, Jakarta": 5200, "Bandung, West Java": 1800,
                             "Surabaya, East Java": 900},
                    "age": {"18-24": 3100, "25-34": 4200, "65+": 80},
                    "gender": {"F": 6100, "M": 3900, "U": 250}}
    return IgAccount("17841400000000001", "brand", 10_480, daily, media, demographics)


def ig_source(meta: MetaStandin, **kw: Any) -> InstagramSource:
    return InstagramSource(Graph(meta.url, retry_delay=0), clock=clock, **kw)


def account(platform: str = "instagram", account_id: str = "17841400000000001",
            token: str = TOKEN) -> SourceAccount:
    return SourceAccount(platform, account_id, "", access_token=token)


def by_metric(batch: SourceBatch) -> dict[str, dict[date, float]]:
    found: dict[str, dict[date, float]] = {}
    for r in batch.snapshots:
        found.setdefault(r.metric, {})[r.day] = r.value
    return found


def test_sources_meet_the_port() -> None:
    for cls in (InstagramSource, FacebookPageSource, MetaAdsSource):
        assert isinstance(cls(), Source)
    assert (InstagramSource.refetch_days, FacebookPageSource.refetch_days,
            MetaAdsSource.refetch_days) == (3, 3, 28)


def test_settings_choose_the_server_and_version(meta: MetaStandin) -> None:
    settings = Settings(meta_api_url=meta.url + "/", meta_api_version="v24.0",
                        meta_app_id="1234567890",
                        meta_app_secret=SecretStr("app-secret-xyz"))
    source = make_source("instagram", settings, clock=clock)
    assert isinstance(source, InstagramSource)
    assert source.graph.http.base_url == meta.url and source.app_secret == "app-secret-xyz"
    assert Settings().meta_api_url is None and MetaSource().graph.http.base_url == (
        "https://graph.facebook.com")
    with pytest.raises(ValueError):
        Settings(meta_api_url="graph.facebook.com")


def test_instagram_every_metric_mapped(meta: MetaStandin) -> None:
    meta.ig["17841400000000001"] = ig_account()
    source = ig_source(meta)
    batch = source.fetch(account(), FIRST, TODAY)
    got = by_metric(batch)
    assert set(got) == {"reach", "views", "profile_visits", "website_clicks", "followers"}
    # reach: Σ(100+i) for i = 0…34 = 3500 + 595 = 4095, over two time-series chunks
    assert len(got["reach"]) == 35 and sum(got["reach"].values()) == 4095
    assert got["reach"][FIRST] == 100 and got["reach"][TODAY] == 134
    # views: Σ(300+2i) = 10500 + 1190 = 11690; one total_value request per day
    assert sum(got["views"].values()) == 11690 and got["views"][TODAY] == 368
    # profile_views i % 7 over 35 days: five weeks of 0+1+…+6 = 105
    assert sum(got["profile_visits"].values()) == 105
    # profile link taps are website_clicks, never website_visits (GA4's sessions, issue 17)
    assert sum(got["website_clicks"].values()) == 105  # 35 × 3
    # the follower level is read now: written for the reading day only
    assert got["followers"] == {TODAY: 10_480}

    posts = {p.post_id: p for p in batch.posts}
    assert {k: p.format for k, p in posts.items()} == {
        "m1": "feed", "m2": "reel", "m3": "carousel", "m4": "feed"}
    assert posts["m1"].hashtags == ("sale", "diskon")
    assert posts["m1"].published_at == datetime(2026, 11, 29, 5, tzinfo=UTC)
    assert posts["m1"].permalink == "https://www.instagram.com/p/m1/"
    values = {(m.post_id, m.metric): m.value for m in batch.post_metrics}
    assert {m.day for m in batch.post_metrics} == {TODAY}
    assert values[("m2", "saves")] == 44 and values[("m2", "views")] == 12000
    assert values[("m1", "reach")] == 900 and values[("m3", "shares")] == 1
    # engagement of m2 as the engine will add it: 400 + 30 + 60 + 44 = 534
    assert sum(values[("m2", k)] for k in ("likes", "comments", "shares", "saves")) == 534
    # m4 has no insights ("not enough viewers"): the listing's counts, nothing made up
    assert {k: v for (p, k), v in values.items() if p == "m4"} == {"likes": 15, "comments": 2}
    assert source.skipped == {"post:no_insights": 1}

    segments = {(s.dimension, s.bucket): s.value for s in batch.segments}
    assert segments == {("city", "Jakarta"): 5200, ("city", "Bandung"): 1800,
                        ("city", "Surabaya"): 900, ("age", "18-24"): 3100,
                        ("age", "25-34"): 4200, ("age", "65+"): 80,
                        ("gender", "female"): 6100, ("gender", "male"): 3900,
                        ("gender", "unknown"): 250}
    assert {s.day for s in batch.segments} == {TODAY}
    # 2 reach chunks + 35 daily totals + 1 profile + 1 media page + 4 post insights
    # + 3 demographics = 46, all counted, all with the token in the header only
    assert batch.requests == len(meta.calls) == 46
    assert not any(c.token_in_url for c in meta.calls)
    assert {c.token for c in meta.calls} == {TOKEN}
    assert batch.provisional_from == TODAY - timedelta(days=2)


def test_a_past_range_gets_no_values_read_today(meta: MetaStandin) -> None:
    """A value read now is not the value of ten days ago: no followers, post totals or
    audience for a range that ends before today; posts are still listed."""
    meta.ig["17841400000000001"] = ig_account()
    batch = ig_source(meta).fetch(account(), FIRST, TODAY - timedelta(days=10))
    assert "followers" not in by_metric(batch)
    assert batch.post_metrics == [] and batch.segments == []
    assert {p.post_id for p in batch.posts} == {"m3", "m4"}  # published by then
    assert not meta.requests_to("/m3/insights")


def test_media_paging_follows_cursors_without_the_token_link(meta: MetaStandin) -> None:
    acct = ig_account()
    start = datetime(2026, 11, 28, 12, tzinfo=UTC)
    acct.media = [Media(f"p{i:03d}", start - timedelta(hours=2 * i),
                        insights={"likes": i, "reach": 10 * i}) for i in range(250)]
    meta.ig[acct.id] = acct
    batch = ig_source(meta).fetch(account(), TODAY - timedelta(days=2), TODAY)
    assert len(batch.posts) == 250 == len({p.post_id for p in batch.posts})
    listing = meta.requests_to("/media")
    assert len(listing) == 3  # 100 + 100 + 50; the last page has cursors but no next
    assert [c.params.get("after") is None for c in listing] == [True, False, False]
    # the next links carry access_token=EAAtokenInNextLink: never requested
    assert {c.token for c in meta.calls} == {TOKEN}
    likes = sum(m.value for m in batch.post_metrics if m.metric == "likes")
    assert likes == sum(range(250)) == 31125


def test_a_post_window_stops_paging(meta: MetaStandin) -> None:
    """Newest first: the listing stops at the first post older than first − 28 days, or
    34 days before the reading day when that is earlier (domain/sources.lifetime_cutoff)."""
    acct = ig_account()
    start = datetime(2026, 11, 29, 12, tzinfo=UTC)
    acct.media = [Media(f"q{i:03d}", start - timedelta(days=i), insights={"likes": 1})
                  for i in range(300)]
    meta.ig[acct.id] = acct
    batch = ig_source(meta).fetch(account(), TODAY - timedelta(days=2), TODAY)
    # first − 28 = Nov 28 − 28 = Oct 31; the reading day (Nov 30) − 34 = Oct 27 is earlier:
    # published on or after Oct 27: Nov 29 … Oct 27 is 34 posts
    assert len(batch.posts) == 34 and len(meta.requests_to("/media")) == 1
    assert min(p.published_at for p in batch.posts).date() == date(2026, 10, 27)
    # a window that ends before the reading day has no reading day: first − 28 only
    older = ig_source(meta).fetch(account(), TODAY - timedelta(days=9), TODAY - timedelta(
        days=3))
    assert not older.post_metrics and not older.segments
    assert "followers" not in {r.metric for r in older.snapshots}
    # Nov 21 − 28 = Oct 24: Nov 27 (the window's last day) … Oct 24 is 35 posts
    assert len(older.posts) == 35


def test_unknown_metrics_are_skipped_and_counted(meta: MetaStandin,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    meta.ig["17841400000000001"] = ig_account()
    meta.fail_next("/m1/insights", 200, body={"data": [
        {"name": "reach", "period": "lifetime", "values": [{"value": 901}]},
        {"name": "total_interactions", "period": "lifetime", "values": [{"value": 104}]},
        {"name": "ig_reels_avg_watch_time", "period": "lifetime", "values": [{"value": 9}]}]})
    source = ig_source(meta)
    with caplog.at_level(logging.WARNING, logger="adapters.sources.meta"):
        batch = source.fetch(account(), TODAY, TODAY)
    m1 = {m.metric: m.value for m in batch.post_metrics if m.post_id == "m1"}
    assert m1 == {"reach": 901}  # no guess at what total_interactions would be
    assert source.skipped["metric:total_interactions"] == 1
    assert source.skipped["metric:ig_reels_avg_watch_time"] == 1
    assert "skipped 3 values" in caplog.text  # the two metrics and m4 without insights


def rate_headers(**usage: Any) -> dict[str, str]:
    return {name: json.dumps(value) for name, value in usage.items()}


ERRORS = [
    # (match, status, code, subcode, headers, kind, retry_after)
    ("/insights", 400, 190, 463, {}, "auth_expired", None),
    ("/insights", 403, 10, None, {}, "permission", None),
    ("/media", 403, 200, None, {}, "permission", None),
    ("/insights", 400, 4, None, rate_headers(**{"X-App-Usage": {"call_count": 100,
                                                               "total_cputime": 9,
                                                               "total_time": 12}}),
     "rate_limited", DEFAULT_RETRY_AFTER),
    ("/insights", 400, 17, None, rate_headers(**{"X-Business-Use-Case-Usage": {
        "17841400000000001": [{"type": "instagram", "call_count": 100, "total_cputime": 20,
                               "total_time": 30, "estimated_time_to_regain_access": 7}]}}),
     "rate_limited", 420.0),
    ("/insights", 400, 32, None, rate_headers(**{"X-Business-Use-Case-Usage": {
        "1": [{"type": "pages", "estimated_time_to_regain_access": 0}]}}),
     "rate_limited", DEFAULT_RETRY_AFTER),
    ("/insights", 500, 1, None, {}, "server", None),
    ("/insights", 400, 2, None, {}, "server", None),
    ("/insights", 400, 100, 33, {}, "bad_request", None),
]


@pytest.mark.parametrize(("match", "status", "code", "subcode", "headers", "kind", "wait"),
                         ERRORS)
def test_each_error_is_its_kind(meta: MetaStandin, match: str, status: int, code: int,
                                subcode: int | None, headers: dict[str, str], kind: str,
                                wait: float | None) -> None:
    meta.ig["17841400000000001"] = ig_account()
    meta.fail_next(match, status, code=code, subcode=subcode, headers=headers,
                   message=f"(#{code}) Meta says no", times=2)
    with pytest.raises(SourceError) as err:
        ig_source(meta).fetch(account(), TODAY - timedelta(days=2), TODAY)
    assert err.value.kind == kind
    assert err.value.retry_after == wait
    assert f"Meta error {code}" in err.value.message and "fbtrace_id" in err.value.message


def test_ads_rate_limit_waits_for_the_longest_header(meta: MetaStandin) -> None:
    meta.ads["555"] = AdAccount("555")
    meta.fail_next("/act_555/insights", 400, code=80004,
                   message="(#80004) There have been too many calls to this ad-account.",
                   headers=rate_headers(**{
                       "X-Business-Use-Case-Usage": {"555": [{
                           "type": "ads_insights", "call_count": 95, "total_cputime": 30,
                           "total_time": 40, "estimated_time_to_regain_access": 3}]},
                       "X-Ad-Account-Usage": {"acc_id_util_pct": 100,
                                              "reset_time_duration": 240,
                                              "ads_api_access_tier": "standard_access"}}))
    with pytest.raises(SourceError) as err:
        MetaAdsSource(Graph(meta.url, retry_delay=0), clock=clock).fetch(
            account("meta_ads", "555"), TODAY, TODAY)
    assert err.value.kind == "rate_limited" and err.value.retry_after == 240.0  # > 3 × 60


def test_a_real_expired_and_a_missing_permission(meta: MetaStandin) -> None:
    """The stand-in's own checks (not queued failures): an expired token, a scope missing."""
    meta.ig["17841400000000001"] = ig_account()
    meta.expired.add("EAAold")
    with pytest.raises(SourceError) as err:
        ig_source(meta).fetch(account(token="EAAold"), TODAY, TODAY)
    assert err.value.kind == "auth_expired" and "reconnect" in err.value.message
    meta.add_token("EAAnoinsights", missing={"instagram_manage_insights"})
    with pytest.raises(SourceError) as err:
        ig_source(meta).fetch(account(token="EAAnoinsights"), TODAY, TODAY)
    assert err.value.kind == "permission"
    with pytest.raises(SourceError) as err:
        ig_source(meta).fetch(account(account_id="999"), TODAY, TODAY)
    assert err.value.kind == "bad_request"
    with pytest.raises(SourceError) as err:
        ig_source(meta).fetch(account(token=""), TODAY, TODAY)
    assert err.value.kind == "auth_expired"


def test_a_5xx_mid_backfill_is_retried_once(meta: MetaStandin) -> None:
    meta.ig["17841400000000001"] = ig_account()
    clean = ig_source(meta).fetch(account(), FIRST, TODAY)
    meta.calls.clear()
    meta.fail_next("/insights", 500, code=1, message="An unknown error has occurred.",
                   after=12)  # the 13th insights request of the backfill fails once
    again = ig_source(meta).fetch(account(), FIRST, TODAY)
    assert sorted(again.snapshots) == sorted(clean.snapshots)
    assert again.requests == clean.requests + 1
    assert [c.status for c in meta.calls].count(500) == 1


def test_a_lasting_5xx_mid_backfill_fails_and_the_next_sync_gets_it_all(
        meta: MetaStandin) -> None:
    meta.ig["17841400000000001"] = ig_account()
    meta.fail_next("/insights", 502, body="html", after=12, times=2)
    with pytest.raises(SourceError) as err:
        ig_source(meta).fetch(account(), FIRST, TODAY)
    assert err.value.kind == "server" and "502" in err.value.message
    batch = ig_source(meta).fetch(account(), FIRST, TODAY)  # the server is back
    assert sum(by_metric(batch)["reach"].values()) == 4095


def test_a_revised_day_returns_the_new_value(meta: MetaStandin) -> None:
    acct = ig_account()
    meta.ig[acct.id] = acct
    source = ig_source(meta)
    first = source.fetch(account(), TODAY - timedelta(days=2), TODAY)
    yesterday = TODAY - timedelta(days=1)
    assert by_metric(first)["reach"][yesterday] == 133
    acct.daily[yesterday]["reach"] = 171  # Meta finished counting yesterday (48 h lag)
    acct.daily[yesterday]["views"] = 999
    again = source.fetch(account(), TODAY - timedelta(days=2), TODAY)
    assert by_metric(again)["reach"][yesterday] == 171
    assert by_metric(again)["views"][yesterday] == 999
    assert again.provisional_from == TODAY - timedelta(days=2) <= yesterday


def test_the_token_is_never_in_errors_or_logs(meta: MetaStandin,
                                              caplog: pytest.LogCaptureFixture) -> None:
    meta.ig["17841400000000001"] = ig_account()
    meta.expired.add(TOKEN)
    caplog.set_level(logging.DEBUG)  # httpx logs every request line at INFO
    with pytest.raises(SourceError) as expired:
        ig_source(meta).fetch(account(), TODAY, TODAY)
    meta.expired.clear()
    # a (hypothetical) error body that echoes the token and a URL holding it
    meta.fail_next("/insights", 400, code=100,
                   message=f"(#100) bad token {TOKEN} in https://x/?access_token={TOKEN}&a=1")
    with pytest.raises(SourceError) as echoed:
        ig_source(meta).fetch(account(), TODAY, TODAY)
    source = ig_source(meta, app_id="1234567890", app_secret="app-secret-xyz")
    meta.fail_next("/oauth/access_token", 400, code=1, message="Error validating client "
                                                             "secret app-secret-xyz")
    with pytest.raises(SourceError) as refresh:
        source.refresh(account())
    ok = source.fetch(account(), TODAY, TODAY)  # the successful path logs too
    assert ok.requests > 0
    texts = [str(expired.value), expired.value.message, str(echoed.value),
             echoed.value.message, str(refresh.value), caplog.text]
    assert "HTTP Request: GET" in caplog.text  # httpx did log: the lines were looked at
    for text in texts:
        assert TOKEN not in text and "app-secret-xyz" not in text
    assert "bad token ***" in echoed.value.message
    assert "access_token=***" in echoed.value.message


def test_refresh_exchanges_for_a_long_lived_token(meta: MetaStandin) -> None:
    meta.ig["17841400000000001"] = ig_account()
    source = ig_source(meta, app_id="1234567890", app_secret="app-secret-xyz")
    fresh = source.refresh(account())
    assert fresh.access_token.startswith("EAAlong") and fresh.access_token != TOKEN
    assert fresh.expires_at == NOW + timedelta(seconds=5183944)  # ~60 days
    (call,) = meta.requests_to("/oauth/access_token")
    assert call.method == "POST" and not call.token_in_url
    assert call.params["grant_type"] == "fb_exchange_token"
    assert source.fetch(fresh, TODAY, TODAY).snapshots  # the new token works

    meta.expired.add(TOKEN)
    with pytest.raises(SourceError) as err:
        source.refresh(account())
    assert err.value.kind == "auth_expired"
    with pytest.raises(SourceError) as err:
        ig_source(meta).refresh(account())  # no app id/secret configured
    assert err.value.kind == "bad_request" and "KPIBOT_META_APP_SECRET" in err.value.message


def test_facebook_page(meta: MetaStandin) -> None:
    days = [TODAY - timedelta(days=i) for i in range(5)]
    page = Page("104000000000001", daily={
        d: {"page_impressions_unique": 1000 + i, "page_media_view": 2000 + 10 * i,
            "page_follows": 8000 - i} for i, d in enumerate(days)})
    page.posts = [PagePost("104000000000001_1", datetime(2026, 11, 29, 9, tzinfo=UTC),
                           "Halo #promo", reactions=120, comments=14, shares=6),
                  PagePost("104000000000001_2", datetime(2026, 11, 27, 9, tzinfo=UTC),
                           "tanpa share", reactions=30, comments=2)]
    meta.pages[page.id] = page
    source = FacebookPageSource(Graph(meta.url, retry_delay=0), clock=clock)
    batch = source.fetch(account("facebook", page.id), days[-1], TODAY)
    got = by_metric(batch)
    assert sum(got["reach"].values()) == 5010  # 1000+…+1004
    assert sum(got["views"].values()) == 10100  # 2000+2010+…+2040
    assert got["followers"] == {d: 8000 - i for i, d in enumerate(days)}  # a daily level
    values = {(m.post_id, m.metric): m.value for m in batch.post_metrics}
    assert values == {("104000000000001_1", "likes"): 120,
                      ("104000000000001_1", "comments"): 14,
                      ("104000000000001_1", "shares"): 6,
                      ("104000000000001_2", "likes"): 30,
                      ("104000000000001_2", "comments"): 2,
                      ("104000000000001_2", "shares"): 0}
    assert {p.post_id: p.hashtags for p in batch.posts}["104000000000001_1"] == ("promo",)
    assert batch.requests == 2  # one insights request for 5 days, one posts page

    meta.add_token("EAAnopages", missing={"pages_read_engagement"})
    with pytest.raises(SourceError) as err:
        source.fetch(account("facebook", page.id, "EAAnopages"), TODAY, TODAY)
    assert err.value.kind == "permission"


def ad_rows(days: int, campaigns: int) -> list[AdRow]:
    rows = []
    for d in range(days):
        for c in range(campaigns):
            rows.append(AdRow(TODAY - timedelta(days=d), f"23850{c:03d}", f"Kampanye {c}",
                              spend=f"{10 + c}.25", impressions=1000 + d, clicks=20 + c,
                              actions={"omni_purchase": 2, "purchase": 2,
                                       "offsite_conversion.fb_pixel_purchase": 2,
                                       "link_click": 20 + c},
                              action_values={"omni_purchase": "150000.50",
                                             "purchase": "150000.50"}))
    return rows


def test_meta_ads_per_campaign(meta: MetaStandin) -> None:
    acct = AdAccount("555", ad_rows(40, 20))  # 800 rows over two chunks (31 + 9 days)
    acct.rows.append(AdRow(TODAY, "99", "Kampanye 0", "1.00", 10, 1))  # a renamed twin
    meta.ads["555"] = acct
    source = MetaAdsSource(Graph(meta.url, retry_delay=0), clock=clock)
    batch = source.fetch(account("meta_ads", "act_555"), TODAY - timedelta(days=39), TODAY)
    cell = {(r.day, r.campaign, r.metric): r.value for r in batch.snapshots}
    # campaign 3 today: spend 13.25, impressions 1000, clicks 23, omni_purchase only
    assert cell[(TODAY, "Kampanye 3", "spend")] == 13.25
    assert cell[(TODAY, "Kampanye 3", "impressions")] == 1000
    assert cell[(TODAY, "Kampanye 3", "clicks")] == 23
    assert cell[(TODAY, "Kampanye 3", "conversions")] == 2  # not 2 + 2 + 2
    assert cell[(TODAY, "Kampanye 3", "revenue")] == 150000.50
    # two campaigns named "Kampanye 0" today add up (the store would keep only one)
    assert cell[(TODAY, "Kampanye 0", "spend")] == 10.25 + 1.00
    assert cell[(TODAY, "Kampanye 0", "impressions")] == 1010
    # 40 days × Σ(10.25 + c) for c = 0…19 = 40 × (205 + 190) = 15,800, plus the twin's 1.00
    assert sum(v for (d, c, m), v in cell.items() if m == "spend") == pytest.approx(15801.0)
    assert {r.platform for r in batch.snapshots} == {"meta_ads"}
    # chunk 1: 31 days × 20 = 620 rows + twin = 621 → 2 pages of 500; chunk 2: 180 → 1
    assert batch.requests == 3
    assert [c.params.get("after") is not None for c in meta.calls] == [False, True, False]
    assert batch.provisional_from == TODAY - timedelta(days=27)


def test_a_fetched_batch_is_written_and_answered(store: Store,
                                                 meta: MetaStandin,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The import path (Store upsert + services.ingest.write_content) into a real database,
    read back with ``kpibot ask --json`` (SQLite: the CLI on the file; PostgreSQL: the same
    router in process); a second fetch after Meta revised a day replaces the value."""
    acct = ig_account()
    meta.ig[acct.id] = acct
    ws = store.ensure_workspace("acme")
    source = ig_source(meta)

    def sync() -> None:
        batch = source.fetch(account(), TODAY - timedelta(days=6), TODAY)
        store.write_snapshots(ws.id, batch.snapshots)
        write_content(store, ws.id, "Asia/Jakarta", batch.posts, batch.post_metrics,
                      batch.segments)

    def ask(text: str) -> dict[str, Any]:
        if store.dialect != "sqlite":
            app = bootstrap(Settings(), engine=store.engine, check_schema=False)
            return app.router.handle(Request(text=text, platform="cli", workspace="acme",
                                             now=NOW)).as_json()
        capsys.readouterr()
        url = store.engine.url.render_as_string(hide_password=False)
        assert main(["--db", url, "ask", text, "--json", "--workspace", "acme", "--now",
                     NOW.isoformat()]) == 0
        return json.loads(capsys.readouterr().out)

    sync()
    # the last 7 days are i = 28…34: Σ(100+i) = 700 + 217 = 917
    reach = ask("/kpi reach instagram 7 hari terakhir")
    assert reach["value"] == 917, reach
    assert ask("/kpi followers instagram")["value"] == 10_480
    acct.daily[TODAY - timedelta(days=1)]["reach"] = 173  # was 133: +40
    sync()
    assert ask("/kpi reach instagram 7 hari terakhir")["value"] == 957
