"""The OAuth flows' table (migration 0012_oauth_states) and its single-use claim, on SQLite
and PostgreSQL; and ``OAuthService`` with a fake flow (no HTTP): the state is random, only
its hash is kept, it is accepted once and for 10 minutes, and a refusal stores nothing."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from adapters.sources.fake import FakeSource
from kpi_engine.domain.ports import SourceError
from kpi_engine.services.oauth import STATE_TTL, Grant, OAuthService, state_hash
from kpi_engine.services.secrets import Secrets, new_key
from kpi_engine.services.sources import SourceService
from kpi_engine.storage.db import _alembic_config, migrate
from kpi_engine.storage.oauth_states import OAuthStates
from kpi_engine.storage.schema import metadata
from kpi_engine.storage.schema_oauth import oauth_states
from kpi_engine.storage.store import Store
from tests.integration.test_sources_app import fresh_engine  # noqa: F401  (a fixture)

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
KEY = new_key()


def test_migration_0012_goes_up_from_0011_and_matches_the_schema(
        fresh_engine: Engine) -> None:  # noqa: F811
    cfg = _alembic_config(fresh_engine)
    with fresh_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0011_sources")
    assert "oauth_states" not in inspect(fresh_engine).get_table_names()
    migrate(fresh_engine)
    with fresh_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert [d for d in compare_metadata(ctx, metadata) if "oauth_states" in str(d)] == []
    with fresh_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011_sources")
    assert "oauth_states" not in inspect(fresh_engine).get_table_names()


def test_a_state_is_claimed_once(store: Store) -> None:
    ws = store.ensure_workspace("toko")
    states = OAuthStates(store)
    flow = states.create("h1", ws.id, "instagram", "1784", "", NOW, NOW + STATE_TTL)
    states.create("h2", ws.id, "instagram", "1785", "", NOW, NOW + STATE_TTL)
    assert states.claim("nope", NOW) == (None, "unknown")
    got, why = states.claim("h1", NOW + timedelta(minutes=9))
    assert why == "" and got is not None and got.id == flow.id
    assert got.used_at == NOW + timedelta(minutes=9)
    assert states.claim("h1", NOW + timedelta(minutes=9))[1] == "used"
    assert states.claim("h2", NOW + STATE_TTL)[1] == "expired"  # the expiry is exclusive
    assert states.claim("h2", NOW + STATE_TTL - timedelta(seconds=1))[1] == ""


def test_racing_callbacks_claim_a_state_once(store: Store) -> None:
    ws = store.ensure_workspace("toko")
    states = OAuthStates(store)
    states.create("race", ws.id, "instagram", "1784", "", NOW, NOW + STATE_TTL)
    results: list[str] = []
    gate = threading.Barrier(4)

    def claim() -> None:
        gate.wait()
        results.append(states.claim("race", NOW)[1])

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["", "used", "used", "used"]


class FakeFlow:
    platform = "instagram"

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.refuse = ""

    def problem(self) -> str:
        return ""

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        return f"https://sign.in/?state={state}&redirect_uri={redirect_uri}"

    def exchange(self, params: Mapping[str, str], redirect_uri: str, account_id: str,
                 now: datetime) -> Grant:
        self.codes.append(params["code"])
        if self.refuse:
            raise SourceError("bad_request", self.refuse)
        return Grant("long-lived-secret", "", now + timedelta(days=60))


def _service(store: Store) -> tuple[OAuthService, FakeFlow]:
    sources = SourceService(store, {"instagram": FakeSource()}, Secrets(KEY))
    flow = FakeFlow()
    return OAuthService(sources, {"instagram": flow}, "https://bot.example/oauth/callback"), flow


def test_the_service_keeps_only_the_hash_and_stores_the_grant_sealed(store: Store,
                                                                    db_engine: Engine) -> None:
    ws = store.ensure_workspace("toko")
    service, flow = _service(store)
    started = service.start(ws.id, "instagram", "1784", now=NOW, channel="instagram:@toko")
    state = parse_qs(urlsplit(started.url).query)["state"][0]
    other = service.start(ws.id, "instagram", "1785", now=NOW)
    assert parse_qs(urlsplit(other.url).query)["state"][0] != state
    assert started.expires_at == NOW + timedelta(minutes=10)
    with db_engine.connect() as conn:
        rows = conn.execute(select(oauth_states)).all()
        dump = repr(rows)
    assert state not in dump and state_hash(state) in dump
    done = service.complete({"state": state, "code": "c-1"}, now=NOW + timedelta(minutes=1))
    assert done.problem is None and done.source is not None
    rec = done.source
    assert (rec.account_id, rec.channel, rec.expires_at) == (
        "1784", "instagram:@toko", NOW + timedelta(minutes=1, days=60))
    assert "long-lived-secret" not in rec.access_sealed
    assert Secrets(KEY).open(rec.access_sealed) == "long-lived-secret"
    flow_row = service.status(started.flow_id)
    assert flow_row is not None and flow_row.source_id == rec.id
    again = service.complete({"state": state, "code": "c-1"}, now=NOW + timedelta(minutes=2))
    assert again.problem is not None and again.problem.code == "used_state"
    assert flow.codes == ["c-1"]  # the replay never reached the platform
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sources")).scalar_one() == 1


def test_a_refused_code_is_recorded_and_stores_nothing(store: Store) -> None:
    ws = store.ensure_workspace("toko")
    service, flow = _service(store)
    flow.refuse = "code exchange: Meta error 100/36007: This authorization code has expired."
    started = service.start(ws.id, "instagram", "1784", now=NOW)
    state = parse_qs(urlsplit(started.url).query)["state"][0]
    done = service.complete({"state": state, "code": "c"}, now=NOW)
    assert done.problem is not None and done.problem.code == "exchange"
    assert "has expired" in done.problem.message("en")
    assert "kode otorisasi" in done.problem.message("id")
    row = service.status(started.flow_id)
    assert row is not None and row.source_id is None and "has expired" in row.error
    assert service.sources.all() == []
    denied = service.start(ws.id, "instagram", "1784", now=NOW)
    state = parse_qs(urlsplit(denied.url).query)["state"][0]
    done = service.complete({"state": state, "error": "access_denied",
                             "error_reason": "user_denied"}, now=NOW)
    assert done.problem is not None and done.problem.code == "denied"
    assert flow.codes == ["c"] and service.sources.all() == []
