"""The GA4 connector against tests/google_standin.py (127.0.0.1:0); hand-computed values.

The service account's RSA key is made here, per test session, with ``cryptography``; no key
is committed. The stand-in checks the JWT's signature with its public half.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.sources.ga4 import GA4Source, make_source, social_platform
from adapters.sources.google import HOURLY_RETRY_AFTER
from config.settings import Settings
from kpi_engine.domain.ports import Source, SourceAccount, SourceError
from tests.google_standin import (
    GA4_DAILY_EXHAUSTED,
    GA4_HOURLY_EXHAUSTED,
    SERVER_ERROR,
    GoogleStandin,
    Property,
)

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 3, tzinfo=UTC)
FIRST = TODAY - timedelta(days=9)
EMAIL = "kpibot-reader@kpibot-test.iam.gserviceaccount.com"
PROPERTY = "345678901"
#: per day: source → (sessions, key events, revenue as GA4 sends it)
SOURCES = {"instagram.com": (100, 2, "150000.5"), "l.instagram.com": (10, 1, "0"),
           "ig": (5, 0, "0"), "m.facebook.com": (40, 1, "50000"),
           "lm.facebook.com": (2, 0, "0"), "tiktok.com": (7, 0, "0"),
           "www.linkedin.com": (3, 0, "0"), "google": (500, 9, "900000"),
           "(direct)": (300, 4, "400000")}


@pytest.fixture(scope="module")
def keypair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def key_json(private: str, email: str = EMAIL) -> str:
    return json.dumps({"type": "service_account", "project_id": "kpibot-test",
                       "private_key_id": "0123456789abcdef", "private_key": private,
                       "client_email": email, "client_id": "100000000000000000001",
                       "token_uri": "https://oauth2.googleapis.com/token"})


@pytest.fixture
def g(keypair: tuple[str, str]) -> Any:
    with GoogleStandin() as standin:
        standin.service_accounts[EMAIL] = keypair[1]
        prop = Property(PROPERTY, {EMAIL})
        for i in range(10):
            day = FIRST + timedelta(days=i)
            for name, (sessions, events, revenue) in SOURCES.items():
                prop.rows[(day, name)] = (sessions + (i if name == "instagram.com" else 0),
                                          events, revenue)
        standin.properties[PROPERTY] = prop
        yield standin


def source(g: GoogleStandin, **kw: Any) -> GA4Source:
    return GA4Source(g.url, token_url=g.token_url, retry_delay=0, clock=lambda: NOW, **kw)


def account(key: str, prop: str = PROPERTY) -> SourceAccount:
    return SourceAccount("ga4", prop, "", access_token=key)


def test_the_port_and_settings(g: GoogleStandin) -> None:
    assert isinstance(GA4Source(), Source) and GA4Source.refetch_days == 3
    made = make_source("ga4", Settings(ga4_api_url=g.url, google_token_url=g.token_url))
    assert made.http.base_url == g.url and made.token_url == g.token_url
    default = make_source("ga4", Settings())
    assert default.http.base_url == "https://analyticsdata.googleapis.com"
    assert default.token_url is None  # the key's own token_uri


def test_source_names_map_to_social_channels() -> None:
    assert [social_platform(s) for s in ("instagram.com", "L.Instagram.com", "ig",
                                         "m.facebook.com", "www.facebook.com", "fb",
                                         "tiktok.com", "m.youtube.com", "lnkd.in", "t.co")] == [
        "instagram", "instagram", "instagram", "facebook", "facebook", "facebook", "tiktok",
        "youtube", "linkedin", "x"]
    for unknown in ("google", "(direct)", "bing", "newsletter", "(not set)", "igloo.com",
                    "instagram.com.evil.example"):
        assert social_platform(unknown) is None


def test_every_metric_by_hand_with_paging(g: GoogleStandin, keypair: tuple[str, str],
                                          caplog: pytest.LogCaptureFixture) -> None:
    src = source(g, page_rows=25)
    with caplog.at_level(logging.INFO, logger="adapters.sources.ga4"):
        batch = src.fetch(account(key_json(keypair[0])), FIRST, TODAY)
    assert "skipped 20 rows" in caplog.text and "(direct), google" in caplog.text
    cell = {(r.day, r.platform, r.metric): r.value for r in batch.snapshots}
    assert {r.handle for r in batch.snapshots} == {""}
    assert {p for (d, p, m) in cell} == {"instagram", "facebook", "tiktok", "linkedin"}
    assert {m for (d, p, m) in cell} == {"website_visits", "conversions", "revenue"}
    # instagram.com (100 + i) + l.instagram.com 10 + ig 5, per day
    assert cell[(FIRST, "instagram", "website_visits")] == 115
    assert cell[(TODAY, "instagram", "website_visits")] == 124
    ig = [v for (d, p, m), v in cell.items() if p == "instagram" and m == "website_visits"]
    assert sum(ig) == 10 * 115 + 45
    assert sum(v for (d, p, m), v in cell.items() if p == "instagram" and m == "conversions"
               ) == 30
    assert sum(v for (d, p, m), v in cell.items() if p == "instagram" and m == "revenue"
               ) == 1500005.0
    assert cell[(TODAY, "facebook", "website_visits")] == 42
    assert sum(v for (d, p, m), v in cell.items() if p == "facebook" and m == "revenue"
               ) == 500000
    assert cell[(TODAY, "linkedin", "website_visits")] == 3  # "www." is dropped
    # google and (direct) are not social: counted and skipped, never guessed
    assert src.skipped == {"source:google": 10, "source:(direct)": 10}
    assert all(v != 500 and v != 300 for v in cell.values())
    # 90 rows in pages of 25: 25, 25, 25, 15; and one token request before them
    reports = g.requests_to(":runReport")
    assert [c.params["offset"] for c in reports] == [0, 25, 50, 75]
    assert all(c.params["returnPropertyQuota"] is True for c in reports)
    assert batch.requests == len(g.calls) == 5 and g.calls[0].path == "/token"
    assert src.last_quota[PROPERTY]["tokensPerDay"] == {"consumed": 40, "remaining": 199960}
    assert batch.provisional_from == TODAY - timedelta(days=2)
    assert src.currency == {PROPERTY: "IDR"}
    # the token is kept while it is valid: a second fetch asks for none
    again = src.fetch(account(key_json(keypair[0])), TODAY, TODAY)
    assert again.requests == 1 and len(g.requests_to("/token")) == 1


def test_a_revised_day(g: GoogleStandin, keypair: tuple[str, str]) -> None:
    src = source(g)
    key = key_json(keypair[0])
    day = TODAY - timedelta(days=1)
    before = src.fetch(account(key), day, TODAY)
    g.properties[PROPERTY].rows[(day, "instagram.com")] = (250, 5, "1000")
    after = src.fetch(account(key), day, TODAY)
    visits = {r.day: r.value for r in after.snapshots
              if r.platform == "instagram" and r.metric == "website_visits"}
    old = {r.day: r.value for r in before.snapshots
           if r.platform == "instagram" and r.metric == "website_visits"}
    assert old[day] == 123 and visits[day] == 265 and visits[TODAY] == 124


def test_quota_is_per_property(g: GoogleStandin, keypair: tuple[str, str]) -> None:
    key = key_json(keypair[0])
    small = g.properties[PROPERTY]
    small.tokens_per_day = 30  # three pages of 10 tokens
    other = Property("999000111", {EMAIL}, dict(small.rows))
    g.properties[other.id] = other
    src = source(g, page_rows=25)
    with pytest.raises(SourceError) as err:
        src.fetch(account(key), FIRST, TODAY)
    assert err.value.kind == "quota" and PROPERTY in err.value.message
    assert len(g.requests_to(":runReport")) == 3  # it stopped before the fourth page
    # the other property still has its own quota
    assert len(src.fetch(account(key, other.id), FIRST, TODAY).snapshots) == 120
    # and the property's own 429 when our count did not see it coming
    with pytest.raises(SourceError) as exhausted:
        source(g).fetch(account(key), TODAY, TODAY)
    assert exhausted.value.kind == "quota" and "RESOURCE_EXHAUSTED" in exhausted.value.message


@pytest.mark.parametrize(("body", "kind", "wait"), [
    (GA4_DAILY_EXHAUSTED, "quota", None),
    (GA4_HOURLY_EXHAUSTED, "rate_limited", HOURLY_RETRY_AFTER),
])
def test_the_429s(g: GoogleStandin, keypair: tuple[str, str], body: Any, kind: str,
                  wait: float | None) -> None:
    g.fail_next(":runReport", 429, body)
    with pytest.raises(SourceError) as err:
        source(g).fetch(account(key_json(keypair[0])), TODAY, TODAY)
    assert err.value.kind == kind and err.value.retry_after == wait


def test_permission_and_bad_input(g: GoogleStandin, keypair: tuple[str, str]) -> None:
    key = key_json(keypair[0])
    g.properties["111"] = Property("111", {"someone-else@x.iam.gserviceaccount.com"})
    with pytest.raises(SourceError) as err:
        source(g).fetch(account(key, "111"), TODAY, TODAY)
    assert err.value.kind == "permission" and "sufficient permissions" in err.value.message
    assert "as Viewer" in err.value.message
    with pytest.raises(SourceError) as bad_id:
        source(g).fetch(account(key, "UA-12345-1"), TODAY, TODAY)
    assert bad_id.value.kind == "bad_request" and "property id" in bad_id.value.message
    assert len(source(g).fetch(account(key, f"properties/{PROPERTY}"), TODAY, TODAY
                               ).snapshots) == 12
    with pytest.raises(SourceError) as not_key:
        source(g).fetch(account("ya29.a-plain-token"), TODAY, TODAY)
    assert not_key.value.kind == "bad_request" and "service account" in not_key.value.message
    broken = json.dumps({**json.loads(key), "private_key": "-----BEGIN PRIVATE KEY-----\nnope"})
    with pytest.raises(SourceError) as unusable:
        source(g).fetch(account(broken), TODAY, TODAY)
    assert unusable.value.kind == "bad_request" and "nope" not in unusable.value.message


def test_a_key_google_refuses(g: GoogleStandin, keypair: tuple[str, str],
                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    with pytest.raises(SourceError) as err:  # signed with a key Google does not know
        source(g).refresh(account(key_json(other)))
    assert err.value.kind == "auth_expired" and "invalid_grant" in err.value.message
    assert "make a new key" in err.value.message
    fine = account(key_json(keypair[0]))
    assert source(g).refresh(fine) == fine  # a good key: a token, the account unchanged
    body = key_json(keypair[0]).split("PRIVATE KEY-----")[1][:60]
    for text in (caplog.text, str(err.value)):
        assert "PRIVATE KEY" not in text and body not in text
        for token in g.sa_tokens:
            assert token not in text


def test_a_5xx_mid_backfill(g: GoogleStandin, keypair: tuple[str, str],
                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = key_json(keypair[0])
    clean = source(g, page_rows=25).fetch(account(key), FIRST, TODAY)
    g.fail_next(":runReport", 503, SERVER_ERROR, skip=2)  # the third page, once
    retried = source(g, page_rows=25).fetch(account(key), FIRST, TODAY)
    assert retried.snapshots == clean.snapshots and retried.requests == clean.requests + 1
    g.fail_next(":runReport", 503, SERVER_ERROR, skip=2, times=2)
    with pytest.raises(SourceError) as err:
        source(g, page_rows=25).fetch(account(key), FIRST, TODAY)
    assert err.value.kind == "server"
    for token in g.sa_tokens:
        assert token not in caplog.text and token not in err.value.message


def test_the_other_row_is_skipped_and_said(g: GoogleStandin, keypair: tuple[str, str],
                                           caplog: pytest.LogCaptureFixture) -> None:
    day = TODAY.strftime("%Y%m%d")
    g.fail_next(":runReport", 200, {
        "dimensionHeaders": [{"name": "date"}, {"name": "sessionSource"}],
        "metricHeaders": [{"name": "sessions", "type": "TYPE_INTEGER"},
                          {"name": "keyEvents", "type": "TYPE_INTEGER"},
                          {"name": "totalRevenue", "type": "TYPE_CURRENCY"}],
        "rows": [{"dimensionValues": [{"value": day}, {"value": "ig"}],
                  "metricValues": [{"value": "8"}, {"value": "1"}, {"value": "99.5"}]},
                 {"dimensionValues": [{"value": day}, {"value": "(other)"}],
                  "metricValues": [{"value": "700"}, {"value": "3"}, {"value": "10"}]}],
        "rowCount": 2, "metadata": {"currencyCode": "USD", "dataLossFromOtherRow": True}})
    src = source(g)
    with caplog.at_level(logging.WARNING, logger="adapters.sources.ga4"):
        batch = src.fetch(account(key_json(keypair[0])), TODAY, TODAY)
    assert {(r.platform, r.metric): r.value for r in batch.snapshots} == {
        ("instagram", "website_visits"): 8, ("instagram", "conversions"): 1,
        ("instagram", "revenue"): 99.5}
    assert src.skipped == {"source:(other)": 1} and src.currency == {PROPERTY: "USD"}
    assert "'(other)'" in caplog.text


def test_a_revoked_access_token_is_dropped_and_renewed(g: GoogleStandin,
                                                       keypair: tuple[str, str]) -> None:
    src = source(g)
    key = key_json(keypair[0])
    assert src.fetch(account(key), TODAY, TODAY).snapshots
    g.sa_tokens.clear()  # Google no longer knows the access token it gave
    with pytest.raises(SourceError) as err:
        src.fetch(account(key), TODAY, TODAY)
    assert err.value.kind == "auth_expired" and "UNAUTHENTICATED" in err.value.message
    again = src.fetch(account(key), TODAY, TODAY)  # a new token from the key, by itself
    assert len(again.snapshots) == 12 and again.requests == 2
    assert len(g.requests_to("/token")) == 2
