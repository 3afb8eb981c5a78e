"""Issue 17's website-metric clash: Instagram's profile link taps and GA4's sessions from
Instagram are different numbers on the same ``instagram`` channel. Instagram fills
``website_clicks``, GA4 ``website_visits`` (SPEC §10's "what it fills"), and no two sources of
a workspace may fill the same (channel, metric): ``kpibot source add`` refuses the second one.

The first test syncs both real connectors against their stand-ins (127.0.0.1:0) into one
workspace; every expected number is worked out by hand from the stand-ins' rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.sources.fake import FakeSource
from adapters.sources.ga4 import GA4Source
from adapters.sources.meta import Graph, InstagramSource
from bot.sources_command import source_lines
from kpi_engine.domain import sources as rules
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.secrets import Secrets, new_key
from kpi_engine.services.sources import SourceProblem, SourceService
from kpi_engine.storage.store import Store
from tests.google_standin import GoogleStandin, Property
from tests.integration.test_ga4_source import EMAIL, key_json, keypair  # noqa: F401 (fixture)
from tests.meta_standin import IgAccount, MetaStandin

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta: yesterday is 29 Nov
YESTERDAY = date(2026, 11, 29)
TOKEN = "EAAGsecretTOKEN123456789"
IG_ID = "17841400000000001"
PROPERTY = "345678901"


def _ig() -> IgAccount:
    """Five days to yesterday: website_clicks 3, 5, 7, 9, 11 (oldest first)."""
    daily = {YESTERDAY - timedelta(days=4 - i): {"reach": 100, "views": 300,
                                                 "profile_views": 1, "website_clicks": 3 + 2 * i}
             for i in range(5)}
    return IgAccount(IG_ID, "brand", 1000, daily, [], {})


def test_instagram_taps_and_ga4_sessions_land_on_two_keys_of_one_channel(
        store: Store, keypair: tuple[str, str]) -> None:  # noqa: F811
    with MetaStandin() as meta, GoogleStandin() as google:
        meta.add_token(TOKEN)
        meta.ig[IG_ID] = _ig()
        google.service_accounts[EMAIL] = keypair[1]
        prop = Property(PROPERTY, {EMAIL})
        for i in range(5):  # sessions from Instagram: 40 + 10 + i on each of the five days
            day = YESTERDAY - timedelta(days=4 - i)
            prop.rows[(day, "instagram.com")] = (40 + i, 1, "1000")
            prop.rows[(day, "l.instagram.com")] = (10, 0, "0")
        google.properties[PROPERTY] = prop
        ig = InstagramSource(Graph(meta.url, retry_delay=0), clock=lambda: NOW)
        ga4 = GA4Source(google.url, token_url=google.token_url, retry_delay=0,
                        clock=lambda: NOW)
        ws = store.ensure_workspace("toko")
        service = SourceService(store, {"instagram": ig, "ga4": ga4}, Secrets(new_key()),
                                sleep=lambda s: None)
        ig_id = service.add(ws.id, "instagram", IG_ID, token=TOKEN, now=NOW).id
        ga4_id = service.add(ws.id, "ga4", PROPERTY, token=key_json(keypair[0]), now=NOW).id
        first = [service.sync(ig_id, now=NOW), service.sync(ga4_id, now=NOW)]
        assert [r.error_kind for r in first] == ["", ""]
        again = [service.sync(ig_id, now=NOW), service.sync(ga4_id, now=NOW)]
        assert [r.changed for r in again] == [0, 0] and all(r.rows for r in again)

    channel = next(c for c in store.channels(ws.id) if c.platform == "instagram")

    def values(metric: str) -> list[float | None]:
        return [store.snapshot_value(ws.id, channel.id, metric, YESTERDAY - timedelta(days=n))
                for n in (4, 3, 2, 1, 0)]

    assert values("website_clicks") == [3, 5, 7, 9, 11]  # Instagram's taps, as the stand-in
    assert values("website_visits") == [50, 51, 52, 53, 54]  # GA4: (40 + i) + 10
    # neither overwrote nor was added to the other: Σ taps 35, Σ sessions 260
    assert sum(v or 0 for v in values("website_clicks")) == 35
    assert sum(v or 0 for v in values("website_visits")) == 260


def fakes() -> dict[str, FakeSource]:
    return {p: FakeSource(platform=p, rows=[]) for p in
            ("instagram", "facebook", "meta_ads", "ga4", "tiktok", "youtube")}


def test_a_second_source_for_the_same_channel_and_metric_is_refused(store: Store) -> None:
    ws = store.ensure_workspace("toko")
    service = SourceService(store, fakes(), Secrets(new_key()))
    ga4 = service.add(ws.id, "ga4", PROPERTY, token="key", now=NOW)
    ig = service.add(ws.id, "instagram", IG_ID, token="t", now=NOW)  # distinct metrics
    service.add(ws.id, "meta_ads", "act_1", token="t", now=NOW)  # its own channel meta_ads
    # Meta Ads on the instagram channel: conversions and revenue are GA4's there
    with pytest.raises(SourceProblem) as ads:
        service.add(ws.id, "meta_ads", "act_2", token="t", now=NOW, channel="instagram")
    assert ads.value.code == "clash" and ads.value.params["id"] == ga4.id
    assert ads.value.params["metrics"] == "conversions, revenue"
    assert "--channel" in ads.value.message("id") and f"#{ga4.id}" in ads.value.message("en")
    # the --oauth flow's check, before any authorization URL, refuses the same clash
    with pytest.raises(SourceProblem) as early:
        service.check("meta_ads", "act_2", "instagram", workspace_id=ws.id)
    assert early.value.code == "clash" and early.value.params["id"] == ga4.id
    # a second Instagram account, or a Facebook Page, on the same channel as the first
    with pytest.raises(SourceProblem) as second:
        service.add(ws.id, "instagram", "17841400000000002", token="t", now=NOW)
    assert second.value.params == {"platform": "instagram", "channel": "instagram",
                                   "id": ig.id, "other": "instagram",
                                   "metrics": "followers, profile_visits, reach, views, "
                                              "website_clicks"}
    with pytest.raises(SourceProblem) as fb:
        service.add(ws.id, "facebook", "1", token="t", now=NOW, channel="instagram")
    assert fb.value.params["metrics"] == "followers, reach, views"
    # on their own channels they are accepted; refusals stored nothing
    service.add(ws.id, "instagram", "17841400000000002", token="t", now=NOW,
                channel="instagram:@toko2")
    service.add(ws.id, "facebook", "1", token="t", now=NOW)
    assert sorted(s.channel for s in service.all(ws.id)) == [
        "facebook", "ga4", "instagram", "instagram:@toko2", "meta_ads"]
    # a second GA4 property on the default handle clashes with the first on every channel
    with pytest.raises(SourceProblem) as prop2:
        service.add(ws.id, "ga4", "999", token="key", now=NOW)
    assert prop2.value.params["id"] == ga4.id


def test_a_clashing_source_stored_before_the_rule_is_not_synced(store: Store) -> None:
    """Two sources stored on one channel (as before issue 17): the older one syncs, the newer
    one is recorded as ``clash`` and writes nothing."""
    ws = store.ensure_workspace("toko")
    rows = [SnapshotRow(YESTERDAY, "instagram", "", "reach", 10.0)]
    service = SourceService(store, {"instagram": FakeSource(platform="instagram", rows=rows)},
                            Secrets(new_key()))
    older = service.add(ws.id, "instagram", IG_ID, token="t", now=NOW)
    newer = service.sources.add(ws.id, "instagram", "17841400000000002", "instagram", "",
                                service.secrets.seal("t"), service.secrets.seal(""), None,
                                NOW, next_sync_at=NOW)
    assert newer is not None
    refused = service.sync(newer.id, now=NOW)
    assert (refused.error_kind, refused.rows) == ("clash", 0)
    assert f"#{older.id}" in refused.error
    assert service.sync(older.id, now=NOW).error_kind == ""
    # /sumber says why, in the chat's language
    said = " ".join(source_lines(service.get(newer.id), "id", "Asia/Jakarta"))
    assert "tidak disinkron: sumber lain sudah mengisi metrik yang sama" in said


def test_the_fills_table_names_every_key_each_connector_writes() -> None:
    """domain/sources.FILLS is what the connectors' metric tables write (the engine cannot
    import them); GA4's channels are ga4.SOCIAL_SOURCES' platforms."""
    from adapters.sources import ga4, meta, tiktok, youtube

    written = {
        "instagram": {*meta.InstagramSource.SERIES.values(),
                      *meta.InstagramSource.TOTALS.values(), "followers"},
        "facebook": set(meta.FacebookPageSource.SERIES.values()),
        "meta_ads": {*meta.MetaAdsSource.PLAIN.values(), "conversions", "revenue"},
        "tiktok": set(tiktok.TikTokSource.DAILY.values()),
        "tiktok_ads": set(tiktok.TikTokAdsSource.METRICS.values()),
        "youtube": {*youtube.YouTubeSource.DAILY.values(), "subscribers"},
    }
    assert {p: set(v) for p, v in rules.FILLS.items()} == written
    assert set(ga4.GA4Source.METRICS.values()) == rules.GA4_FILLS
    assert set(ga4.SOCIAL_SOURCES.values()) == set(rules.GA4_PLATFORMS)
    assert set(rules.FILLS) | {"ga4"} == set(rules.PLATFORMS)
    assert "website_visits" not in rules.FILLS["instagram"]


def test_filled_keys_and_clashes_by_hand() -> None:
    ig = rules.filled_keys("instagram", "instagram", "")
    assert ("instagram", "", "website_clicks") in ig and len(ig) == 5
    ga4 = rules.filled_keys("ga4", "ga4", "")
    assert len(ga4) == 6 * 3 and ("instagram", "", "website_visits") in ga4
    assert rules.clashes(ig, {7: ga4}) == []
    ads_on_ig = rules.filled_keys("meta_ads", "instagram", "")
    assert rules.clashes(ads_on_ig, {7: ga4, 3: ig}) == [
        (7, ("instagram", "", "conversions")), (7, ("instagram", "", "revenue"))]
    # GA4 with a handle writes the channels of that handle: no clash with the team's own
    assert rules.clashes(rules.filled_keys("ga4", "ga4", "@toko2"), {7: ga4}) == []
