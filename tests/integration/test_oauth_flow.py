"""``kpibot source add PLATFORM --oauth`` end to end through the real HTTP server (SPEC §10).

``kpibot serve``'s web app (``adapters/http/server.build_web_app``) runs on a loopback socket
of port 0 in a thread; the CLI command (``adapters/cli/sources.cmd_source``, parsed by the
real parser) prints the platform's authorization URL and, unless ``--no-wait``, waits for
the outcome in the database; the test plays the browser: it GETs that URL on the stand-in
(tests/{meta,tiktok,google}_standin.py), which answers a 302 to the callback with ``code``
and ``state``, and follows it to ``/oauth/callback``. Then: the source is stored with its
tokens sealed and the expiry the platform gave; a replayed, unknown or expired state, a
cancelled consent and a refused code each get a 400 page and store nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine, func, select

from adapters.cli.kpibot import _parser
from adapters.cli.sources import cmd_source
from adapters.http.server import build_web_app
from adapters.sources import connectors
from adapters.sources.meta import Graph
from adapters.sources.oauth import GoogleFlow, MetaFlow, TikTokFlow
from bot.bootstrap import App, bootstrap
from config.settings import Settings
from kpi_engine.domain.ports import SourceError
from kpi_engine.services.secrets import Secrets, new_key
from kpi_engine.storage import schema as t
from kpi_engine.storage import schema_sources as ss
from kpi_engine.storage.schema_oauth import oauth_states
from kpi_engine.storage.sources import SourceStore
from tests.google_standin import Channel, GoogleStandin, Property
from tests.meta_standin import IgAccount, MetaStandin, Page
from tests.tiktok_standin import Business, TikTokStandin

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
KEY = new_key()
IG = "17841400000000001"
PAGE = "104000000000001"
TT_OPEN_ID = "_000abc"
ADVERTISER = "7100000000000000009"
YT_CHANNEL = "UCabcdefghijklmnopqrstu1"


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    app: App
    redirect: str
    clock: Clock
    meta: MetaStandin
    tiktok: TikTokStandin
    google: GoogleStandin
    engine: Engine

    def cli(self, *argv: str) -> tuple[int, str, str]:
        args = _parser().parse_args(["source", "add", *argv])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cmd_source(self.app, args)
        return code, out.getvalue(), err.getvalue()

    def start(self, platform: str, account: str, *extra: str) -> str:
        """``source add … --oauth --no-wait``: the authorization URL it printed."""
        code, out, err = self.cli(platform, "--workspace", "toko", "--account", account,
                                  "--oauth", "--no-wait", *extra)
        assert code == 0, err
        return authorize_url(out)

    def sources(self) -> list[Any]:
        return SourceStore(self.app.store).all()

    def flows(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(oauth_states)).all())


def authorize_url(printed: str) -> str:
    found = re.search(r"^(http://\S+)$", printed, re.MULTILINE)
    assert found, printed
    return found.group(1)


def browse(url: str) -> httpx.Response:
    """The browser: open the platform's page, which redirects to the callback; follow it."""
    first = httpx.get(url, follow_redirects=False)
    assert first.status_code == 302, (first.status_code, first.text)
    return httpx.get(first.headers["location"], follow_redirects=False)


@contextlib.contextmanager
def serving(engine: Engine, clock: Clock, meta: MetaStandin, tiktok: TikTokStandin,
            google: GoogleStandin) -> Iterator[Rig]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    redirect = f"http://127.0.0.1:{port}/oauth/callback"
    settings = Settings(
        _env_file=None, secret_key=KEY, language="en", oauth_redirect_url=redirect,  # type: ignore[call-arg]
        meta_api_url=meta.url, meta_dialog_url=meta.url, meta_app_id=meta.app_id,
        meta_app_secret=meta.app_secret, tiktok_api_url=tiktok.url,
        tiktok_auth_url=tiktok.url + "/v2/auth/authorize/",
        tiktok_ads_auth_url=tiktok.url + "/portal/auth", tiktok_app_id=tiktok.app_id,
        tiktok_app_secret=tiktok.app_secret, google_auth_url=google.url + "/o/oauth2/v2/auth",
        google_token_url=google.token_url, youtube_api_url=google.url,
        ga4_api_url=google.url, google_client_id=google.client_id,
        google_client_secret=google.client_secret)
    app = bootstrap(settings, engine=engine, check_schema=False, clock=clock,
                    sources=connectors(settings))
    app.store.ensure_workspace("toko")
    for standin in (meta, tiktok, google):
        standin.redirect_uris.add(redirect)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(build_web_app(app, []), access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield Rig(app, redirect, clock, meta, tiktok, google, engine)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def rig(db_engine: Engine) -> Iterator[Rig]:
    with MetaStandin() as meta, TikTokStandin() as tiktok, GoogleStandin() as google:
        meta.ig[IG] = IgAccount(IG, followers_count=1200)
        meta.pages[PAGE] = Page(PAGE)
        tiktok.businesses[TT_OPEN_ID] = Business(TT_OPEN_ID)
        tiktok.login_open_id = TT_OPEN_ID
        tiktok.login_advertisers = ["7100000000000000001", ADVERTISER]
        google.login_channel = YT_CHANNEL
        google.channels["seed-token"] = Channel(YT_CHANNEL, subscribers=10)
        with serving(db_engine, Clock(), meta, tiktok, google) as r:
            yield r


def opened(sealed: str) -> str:
    return Secrets(KEY).open(sealed)


# -- Meta ----------------------------------------------------------------------------------


def test_instagram_oauth_through_serve_stores_a_long_lived_token(rig: Rig) -> None:
    """The CLI waits; the browser signs in; the callback stores the long-lived token."""
    result: dict[str, Any] = {}
    out = io.StringIO()

    def run() -> None:
        args = _parser().parse_args(["source", "add", "instagram", "--workspace", "toko",
                                     "--account", IG, "--oauth", "--wait", "30"])
        result["code"] = cmd_source(rig.app, args)

    with contextlib.redirect_stdout(out):
        cli = threading.Thread(target=run)
        cli.start()
        deadline = time.monotonic() + 10
        while "http://" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        url = authorize_url(out.getvalue())
        query = parse_qs(urlsplit(url).query)
        assert urlsplit(url).path == "/v24.0/dialog/oauth"
        assert query["client_id"] == [rig.meta.app_id]
        assert query["redirect_uri"] == [rig.redirect]
        assert query["response_type"] == ["code"]
        assert "instagram_manage_insights" in query["scope"][0].split(",")
        state = query["state"][0]
        assert len(state) >= 40  # token_urlsafe(32)
        page = browse(url)
        cli.join(timeout=20)
    assert page.status_code == 200, page.text
    assert "Connected" in page.text and "Source #1" in page.text
    assert result["code"] == 0
    printed = out.getvalue()
    assert "Source 1 added: instagram account " + IG in printed
    assert "token until 2027-01-31" in printed  # 5,183,944 s after NOW
    [rec] = rig.sources()
    token = opened(rec.access_sealed)
    assert token.startswith("EAAlong") and token in rig.meta.tokens
    assert token not in rec.access_sealed and rec.refresh_sealed == ""
    assert rec.expires_at == NOW + timedelta(seconds=5183944)
    # the calls Meta saw: the dialog, the code for a short-lived token (the same
    # redirect_uri), then that token for a long-lived one
    exchanges = rig.meta.requests_to("/oauth/access_token")
    assert [c.params.get("grant_type") for c in exchanges] == [None, "fb_exchange_token"]
    assert exchanges[0].params["redirect_uri"] == rig.redirect
    assert all(not c.token_in_url for c in exchanges)
    # nothing clear in the database: no token, no state
    with rig.engine.connect() as conn:
        stored = conn.execute(select(ss.sources.c.access_token)).scalar_one()
        flows = conn.execute(select(oauth_states)).all()
    assert token not in stored
    assert [(f.source_id, f.error, f.used_at) for f in flows] == [(1, "", NOW)]
    assert state not in repr(flows)
    # the token works: a sync reads the account with it
    synced = rig.app.sources.sync(rec.id, now=NOW)
    assert synced.error_kind == "" and synced.requests > 0


def test_a_replayed_unknown_or_missing_state_is_refused_and_stores_nothing(rig: Rig) -> None:
    url = rig.start("instagram", IG)
    first = httpx.get(url, follow_redirects=False)
    callback = first.headers["location"]
    assert browse_callback(callback).status_code == 200
    assert len(rig.sources()) == 1
    exchanges = len(rig.meta.requests_to("/oauth/access_token"))
    again = browse_callback(callback)  # the same state (and code) a second time
    assert again.status_code == 400
    assert "already used" in again.text and "Nothing more was stored" in again.text
    parts = urlsplit(callback)
    code = parse_qs(parts.query)["code"][0]
    forged = httpx.get(f"{rig.redirect}?code={code}&state=not-the-state")
    assert forged.status_code == 400 and "unknown" in forged.text
    bare = httpx.get(f"{rig.redirect}?code={code}")
    assert bare.status_code == 400 and "unknown" in bare.text
    # no second exchange was tried, nothing more stored, and the page leaks nothing
    assert len(rig.meta.requests_to("/oauth/access_token")) == exchanges
    assert len(rig.sources()) == 1
    for page in (again, forged, bare):
        assert code not in page.text and "Traceback" not in page.text
        assert page.headers["Cache-Control"] == "no-store"


def browse_callback(location: str) -> httpx.Response:
    return httpx.get(location, follow_redirects=False)


def test_an_expired_state_is_refused_and_the_code_is_not_traded(rig: Rig) -> None:
    url = rig.start("instagram", IG)
    rig.clock.now = NOW + timedelta(minutes=10, seconds=1)
    page = browse(url)
    assert page.status_code == 400 and "expired" in page.text
    assert rig.sources() == []
    assert rig.meta.requests_to("/oauth/access_token") == []
    [flow] = rig.flows()
    assert flow.used_at is None and flow.source_id is None
    # a new link works (the stale row does not stand in the way)
    assert browse(rig.start("instagram", IG)).status_code == 200
    assert len(rig.sources()) == 1


def test_a_cancelled_consent_or_a_refused_code_stores_nothing(rig: Rig) -> None:
    rig.meta.deny_next()
    page = browse(rig.start("instagram", IG))
    assert page.status_code == 400
    assert "did not grant access" in page.text and "user_denied" in page.text
    # Meta refuses a code older than 10 minutes: its error is said, nothing stored
    rig.meta.code_ttl = 0.0
    page = browse(rig.start("instagram", IG))
    assert page.status_code == 400
    assert "This authorization code has expired" in page.text
    assert rig.sources() == []
    errors = [f.error for f in rig.flows()]
    assert len(errors) == 2 and all(errors)
    # the CLI that waits for such a flow says it and fails
    rig.meta.code_ttl = 600.0
    rig.meta.deny_next()
    result: dict[str, Any] = {}
    out, err = io.StringIO(), io.StringIO()

    def run() -> None:
        args = _parser().parse_args(["source", "add", "instagram", "--workspace", "toko",
                                     "--account", IG, "--oauth", "--wait", "20"])
        result["code"] = cmd_source(rig.app, args)

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        cli = threading.Thread(target=run)
        cli.start()
        deadline = time.monotonic() + 10
        while "http://" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        browse(authorize_url(out.getvalue()))
        cli.join(timeout=20)
    assert result["code"] == 1 and "did not grant access" in err.getvalue()


def test_meta_code_errors_are_the_documented_ones(rig: Rig) -> None:
    """Another redirect_uri than the dialog's, a used code, a wrong secret: Meta's errors."""
    first = httpx.get(rig.start("instagram", IG), follow_redirects=False)
    code = parse_qs(urlsplit(first.headers["location"]).query)["code"][0]
    flow = MetaFlow("instagram", app_id=rig.meta.app_id, app_secret=rig.meta.app_secret,
                    graph=Graph(rig.meta.url, retry_delay=0))
    with pytest.raises(SourceError) as mismatch:
        flow.exchange({"code": code}, "https://elsewhere.example/cb", IG, NOW)
    assert "redirect_uri is identical" in mismatch.value.message
    assert code not in mismatch.value.message
    flow.exchange({"code": code}, rig.redirect, IG, NOW)
    with pytest.raises(SourceError) as used:
        flow.exchange({"code": code}, rig.redirect, IG, NOW)
    assert "has been used" in used.value.message
    wrong = MetaFlow("instagram", app_id=rig.meta.app_id, app_secret="nope",
                     graph=Graph(rig.meta.url, retry_delay=0))
    with pytest.raises(SourceError) as secret:
        wrong.exchange({"code": "x"}, rig.redirect, IG, NOW)
    assert "Error validating client secret" in secret.value.message


def test_facebook_oauth_stores_the_pages_own_token(rig: Rig) -> None:
    page = browse(rig.start("facebook", PAGE))
    assert page.status_code == 200, page.text
    [rec] = rig.sources()
    token = opened(rec.access_sealed)
    assert token.startswith("EAAPage") and token.endswith(PAGE)
    assert rec.expires_at is None  # a Page token from a long-lived user token


# -- TikTok --------------------------------------------------------------------------------


def test_tiktok_oauth_stores_access_and_refresh_tokens(rig: Rig) -> None:
    url = rig.start("tiktok", TT_OPEN_ID)
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/v2/auth/authorize/"
    assert query["client_key"] == [rig.tiktok.app_id] and query["response_type"] == ["code"]
    page = browse(url)
    assert page.status_code == 200, page.text
    [rec] = rig.sources()
    access, refresh = opened(rec.access_sealed), opened(rec.refresh_sealed)
    assert access.startswith("act.code") and refresh.startswith("rft.code")
    assert rec.expires_at == NOW + timedelta(seconds=86400)
    [call] = rig.tiktok.requests_to("/tt_user/oauth2/token/")
    assert call.params["grant_type"] == "authorization_code"
    assert call.params["redirect_uri"] == rig.redirect
    # the connector's refresh rotates the stored refresh token
    fresh = rig.app.sources.connectors["tiktok"].refresh(
        rig.app.sources._account(rec))
    assert fresh.refresh_token != refresh and refresh not in rig.tiktok.refresh_tokens


def test_tiktok_signed_in_as_another_account_is_refused(rig: Rig) -> None:
    rig.tiktok.login_open_id = "_999other"
    page = browse(rig.start("tiktok", TT_OPEN_ID))
    assert page.status_code == 400 and "is not --account" in page.text
    assert rig.sources() == []


def test_tiktok_ads_oauth_uses_the_advertiser_auth_code(rig: Rig) -> None:
    url = rig.start("tiktok_ads", ADVERTISER)
    assert urlsplit(url).path == "/portal/auth"
    first = httpx.get(url, follow_redirects=False)
    assert "auth_code=" in first.headers["location"]
    page = browse_callback(first.headers["location"])
    assert page.status_code == 200, page.text
    [rec] = rig.sources()
    assert opened(rec.access_sealed).startswith("adv.token") and rec.expires_at is None
    # a second advertiser on the same channel clashes before any URL (its keys are the
    # first one's); on its own channel, one the signed-in user did not authorize is refused
    code, _, err = rig.cli("tiktok_ads", "--workspace", "toko", "--account",
                           "7100000000000000777", "--oauth", "--no-wait")
    assert code == 1 and "--channel" in err
    page = browse(rig.start("tiktok_ads", "7100000000000000777", "--channel",
                            "tiktok_ads:@second"))
    assert page.status_code == 400 and "not among the authorized" in page.text
    assert len(rig.sources()) == 1


# -- Google --------------------------------------------------------------------------------


def test_youtube_oauth_asks_offline_consent_and_stores_the_refresh_token(rig: Rig) -> None:
    url = rig.start("youtube", YT_CHANNEL)
    query = parse_qs(urlsplit(url).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert "https://www.googleapis.com/auth/yt-analytics.readonly" in query["scope"][0]
    page = browse(url)
    assert page.status_code == 200, page.text
    [rec] = rig.sources()
    access, refresh = opened(rec.access_sealed), opened(rec.refresh_sealed)
    assert access.startswith("ya29.code") and refresh.startswith("1//0g")
    assert rig.google.refresh_tokens[refresh] == YT_CHANNEL
    assert rec.expires_at == NOW + timedelta(seconds=3599)
    # the refresh token renews the access token at the token endpoint
    fresh = rig.app.sources.connectors["youtube"].refresh(
        rig.app.sources._account(rec))
    assert fresh.access_token.startswith("ya29.new") and fresh.refresh_token == refresh


def test_google_refuses_a_used_code_and_nothing_is_stored(rig: Rig) -> None:
    first = httpx.get(rig.start("youtube", YT_CHANNEL), follow_redirects=False)
    code = parse_qs(urlsplit(first.headers["location"]).query)["code"][0]
    answer = httpx.post(rig.google.token_url, data={
        "grant_type": "authorization_code", "code": code, "client_id": rig.google.client_id,
        "client_secret": rig.google.client_secret, "redirect_uri": rig.redirect})
    assert answer.status_code == 200  # someone else traded the code first
    page = browse_callback(first.headers["location"])
    assert page.status_code == 400
    assert "invalid_grant" in page.text and "Bad Request" in page.text
    assert rig.sources() == []


def test_oauth_refusals_before_any_url(rig: Rig, db_engine: Engine) -> None:
    code, _, err = rig.cli("myspace", "--workspace", "toko", "--account", "123", "--oauth")
    assert code == 1 and "Unknown platform 'myspace'" in err
    code, _, err = rig.cli("instagram", "--workspace", "toko", "--account", IG, "--oauth",
                           "--token", "x")
    assert code == 2 and "not several" in err
    browse(rig.start("instagram", IG))
    code, _, err = rig.cli("instagram", "--workspace", "toko", "--account", IG, "--oauth",
                           "--no-wait")
    assert code == 1 and "already connected" in err
    rig.app.settings.oauth_redirect_url = None
    code, _, err = rig.cli("facebook", "--workspace", "toko", "--account", PAGE, "--oauth",
                           "--no-wait")
    assert code == 1 and "KPIBOT_OAUTH_REDIRECT_URL is not set" in err
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(oauth_states)).scalar_one() == 1


def test_the_wait_times_out_and_stores_nothing(rig: Rig) -> None:
    code, out, err = rig.cli("instagram", "--workspace", "toko", "--account", IG, "--oauth",
                             "--wait", "0.3")
    assert code == 1 and "no sign-in arrived in time" in err
    assert rig.sources() == []
    assert "http://" in out  # the URL was printed before the wait


# -- GA4: a service account key ------------------------------------------------------------

SA_EMAIL = "kpibot-reader@kpibot-test.iam.gserviceaccount.com"
PROPERTY = "345678901"


def _rsa() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _key_file(path: Path, private: str) -> Path:
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "kpibot-test",
        "private_key_id": "0123456789abcdef", "private_key": private,
        "client_email": SA_EMAIL, "client_id": "100000000000000000001",
        "token_uri": "https://oauth2.googleapis.com/token"}))
    return path


def test_ga4_service_account_key_is_checked_sealed_and_synced(rig: Rig, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture
                                                             ) -> None:
    private, public = _rsa()
    rig.google.service_accounts[SA_EMAIL] = public
    day = date(2026, 12, 1)
    rig.google.properties[PROPERTY] = Property(PROPERTY, {SA_EMAIL}, {
        (day, "instagram.com"): (120, 3, "250000"), (day, "l.instagram.com"): (5, 0, "0"),
        (day, "google"): (900, 9, "1")})
    # a key signed by another private key for the same account: the stand-in's signature
    # check refuses the JWT, so nothing is stored
    other, _ = _rsa()
    caplog.set_level(logging.DEBUG)
    code, out, err = rig.cli("ga4", "--workspace", "toko", "--account", PROPERTY,
                             "--service-account", str(_key_file(tmp_path / "bad.json", other)))
    assert code == 1 and "not accepted" in err and "Invalid JWT Signature" in err
    assert rig.sources() == []
    # the real key: a token is minted with it (google-auth signs, the stand-in verifies)
    good = _key_file(tmp_path / "key.json", private)
    code, out, err = rig.cli("ga4", "--workspace", "toko", "--account", PROPERTY,
                             "--service-account", str(good))
    assert code == 0, err
    assert f"read as {SA_EMAIL}" in out
    grants = [c for c in rig.google.requests_to("/token")
              if c.params.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert len(grants) == 2
    [rec] = rig.sources()
    stored = json.loads(opened(rec.access_sealed))
    assert stored["private_key"] == private and stored["client_email"] == SA_EMAIL
    marker = private.splitlines()[1]
    with rig.engine.connect() as conn:
        sealed = conn.execute(select(ss.sources.c.access_token)).scalar_one()
    assert marker not in sealed and SA_EMAIL not in sealed
    for text_out in (out, err, caplog.text):
        assert marker not in text_out and "PRIVATE KEY" not in text_out
    synced = rig.app.sources.sync(rec.id, now=NOW)
    assert synced.error_kind == "", synced.error
    snap, chan = t.snapshots.c, t.channels.c
    with rig.engine.connect() as conn:
        values = dict(conn.execute(select(snap.metric, snap.value).join(
            t.channels, chan.id == snap.channel_id).where(
            chan.platform == "instagram", snap.day == day)).all())
    # 120 + 5 sessions of the two Instagram sources (google is left out), under the visits
    # metric of the catalogue (its name is the GA4 connector's business)
    assert [v for m, v in values.items() if "visit" in m] == [125.0], values


def test_service_account_refusals(rig: Rig, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-key.json"
    bad.write_text('{"type": "authorized_user", "refresh_token": "1//secret"}')
    code, out, err = rig.cli("ga4", "--workspace", "toko", "--account", PROPERTY,
                             "--service-account", str(bad))
    assert "1//secret" not in out
    assert code == 1 and "not a service account JSON key" in err and "1//secret" not in err
    code, _, err = rig.cli("ga4", "--workspace", "toko", "--account", PROPERTY,
                           "--service-account", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in err
    code, _, err = rig.cli("youtube", "--workspace", "toko", "--account", YT_CHANNEL,
                           "--service-account", str(bad))
    assert code == 2 and "is for ga4" in err
    assert rig.sources() == []


def test_ga4_oauth_stores_a_user_sign_in_that_the_connector_renews(rig: Rig) -> None:
    user = "marketing@toko.example"
    rig.google.login_email = user
    day = date(2026, 12, 1)
    rig.google.properties[PROPERTY] = Property(PROPERTY, {user}, {
        (day, "tiktok.com"): (40, 1, "0")})
    url = rig.start("ga4", PROPERTY)
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["https://www.googleapis.com/auth/analytics.readonly"]
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    page = browse(url)
    assert page.status_code == 200, page.text
    [rec] = rig.sources()
    stored = json.loads(opened(rec.access_sealed))
    assert stored["type"] == "authorized_user" and stored["refresh_token"].startswith("1//0g")
    assert "client_secret" not in stored and rec.expires_at is None
    synced = rig.app.sources.sync(rec.id, now=NOW)
    assert synced.error_kind == "", synced.error
    renewals = [c for c in rig.google.requests_to("/token")
                if c.params.get("grant_type") == "refresh_token"]
    assert len(renewals) == 1  # google-auth renewed the access token with the refresh token
    assert renewals[0].params["client_id"] == rig.google.client_id


def test_tiktok_and_google_code_errors_are_the_documented_ones(rig: Rig) -> None:
    # TikTok: an expired code (older than 10 minutes) is 40110, said on the page
    rig.tiktok.code_ttl = 0.0
    page = browse(rig.start("tiktok", TT_OPEN_ID))
    assert page.status_code == 400 and "40110" in page.text and "has expired" in page.text
    rig.tiktok.code_ttl = 600.0
    # TikTok: another redirect_uri than the authorize request's is 40002
    first = httpx.get(rig.start("tiktok", TT_OPEN_ID), follow_redirects=False)
    code = parse_qs(urlsplit(first.headers["location"]).query)["code"][0]
    flow = TikTokFlow("tiktok", app_id=rig.tiktok.app_id, app_secret=rig.tiktok.app_secret,
                      api_url=rig.tiktok.url)
    with pytest.raises(SourceError) as mismatch:
        flow.exchange({"code": code}, "https://elsewhere.example/cb", TT_OPEN_ID, NOW)
    assert "40002" in mismatch.value.message and code not in mismatch.value.message
    wrong = TikTokFlow("tiktok", app_id=rig.tiktok.app_id, app_secret="nope",
                       api_url=rig.tiktok.url)
    with pytest.raises(SourceError) as secret:
        wrong.exchange({"code": code}, rig.redirect, TT_OPEN_ID, NOW)
    assert "40101" in secret.value.message
    # Google: a malformed code, and another redirect_uri than the consent's
    first = httpx.get(rig.start("youtube", YT_CHANNEL), follow_redirects=False)
    code = parse_qs(urlsplit(first.headers["location"]).query)["code"][0]
    google = GoogleFlow("youtube", client_id=rig.google.client_id,
                        client_secret=rig.google.client_secret,
                        token_url=rig.google.token_url)
    with pytest.raises(SourceError) as malformed:
        google.exchange({"code": "4/nonsense"}, rig.redirect, YT_CHANNEL, NOW)
    assert "invalid_grant" in malformed.value.message
    assert "Malformed auth code" in malformed.value.message
    with pytest.raises(SourceError) as elsewhere:
        google.exchange({"code": code}, "https://elsewhere.example/cb", YT_CHANNEL, NOW)
    assert "redirect_uri_mismatch" in elsewhere.value.message
    # the authorize pages refuse a redirect URI the app does not have registered
    for standin_url in (rig.meta.url + "/v24.0/dialog/oauth?client_id=" + rig.meta.app_id,
                        rig.google.url + "/o/oauth2/v2/auth?response_type=code&client_id="
                        + rig.google.client_id):
        refused = httpx.get(standin_url + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"
                            "&state=x", follow_redirects=False)
        assert refused.status_code == 400 and "location" not in refused.headers
    assert rig.sources() == []
