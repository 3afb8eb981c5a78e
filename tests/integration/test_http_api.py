"""The HTTP API through a real HTTP client (aiohttp) against the running server on 127.0.0.1,
on SQLite and PostgreSQL: batches, imports, the KPI question, tokens, the OpenAPI document
and ``/readyz``."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from adapters.cli import main
from adapters.http.api import READINESS_KEY
from adapters.http.api_rows import MAX_ROWS
from adapters.http.openapi import openapi_document
from adapters.http.server import build_web_app
from bot.bootstrap import App
from bot.reply import Reply, Request
from kpi_engine.storage.schema_tokens import api_tokens
from kpi_engine.storage.tokens import ApiTokens

NOW = "2026-11-22T10:00:00+07:00"  # a Sunday in Jakarta
TODAY = date(2026, 11, 22)


@dataclass
class Api:
    app: App
    web_app: web.Application
    http: aiohttp.ClientSession

    def token(self, slug: str, language: str = "id") -> str:
        ws = self.app.store.ensure_workspace(slug, language=language)
        return ApiTokens(self.app.store).create(ws.id).secret

    async def call(self, method: str, path: str, token: str | None = None,
                   **kw: Any) -> tuple[int, Any]:
        headers = kw.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http.request(method, path, headers=headers, **kw) as r:
            return r.status, await r.json()

    def count(self, slug: str) -> int:
        ws = self.app.store.workspace(slug)
        return self.app.store.count_snapshots(ws.id) if ws else 0


async def start(web_app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def api(app: App) -> AsyncIterator[Api]:
    web_app = build_web_app(app, [])
    runner, base = await start(web_app)
    async with aiohttp.ClientSession(base_url=base) as http:
        yield Api(app, web_app, http)
    await runner.cleanup()


def week_of_reach(channel: str = "instagram", base: int = 1000) -> list[dict[str, Any]]:
    return [{"date": (TODAY - timedelta(days=d)).isoformat(), "channel": channel,
             "metric": "reach", "value": base + d} for d in range(7)]


async def test_good_batch_is_written(api: Api) -> None:
    token = api.token("acme")
    rows = [
        {"date": "2026-11-21", "channel": "Instagram", "metric": "reach", "value": 12345},
        {"date": "20/11/2026", "channel": "ig", "metric": "jangkauan", "value": "1000.0"},
        {"date": "2026-11-21", "channel": "instagram:@Rival", "metric": "followers",
         "value": 50210, "competitor": "ya"},
        {"date": "2026-11-21", "channel": "tiktok", "metric": "spend", "value": 1.5e6,
         "campaign": "gajian", "competitor": None},
    ]
    status, body = await api.call("POST", "/api/v1/snapshots", token, json={"rows": rows})
    assert status == 200, body
    assert body == {"workspace": "acme", "rows": 4, "written": 4, "inserted": 4,
                    "replaced": 0}
    store = api.app.store
    ws = store.workspace("acme")
    assert ws is not None and store.count_snapshots(ws.id) == 4
    channels = {c.name: c for c in store.channels(ws.id)}
    assert set(channels) == {"instagram", "instagram:@rival", "tiktok"}
    assert channels["instagram:@rival"].is_competitor
    assert store.snapshot_value(ws.id, channels["instagram"].id, "reach",
                                date(2026, 11, 20)) == 1000  # reach is whole (SPEC §3.1)
    assert store.snapshot_value(ws.id, channels["tiktok"].id, "spend", date(2026, 11, 21),
                                "gajian") == 1.5e6
    assert store.campaigns(ws.id) == ["gajian"]
    # a bare JSON array is a batch too
    status, body = await api.call("POST", "/api/v1/snapshots", token, json=week_of_reach())
    assert status == 200 and body["written"] == 7 and body["replaced"] == 2  # 20 and 21 Nov


async def test_bad_rows_write_nothing_and_every_problem_is_listed(api: Api) -> None:
    token = api.token("acme")
    rows: list[Any] = [
        {"date": "2026-11-20", "channel": "instagram", "metric": "reach", "value": 100},
        {"date": "2026-11-31", "channel": "instagram", "metric": "reach", "value": 1},
        {"date": "2026-11-20", "channel": "instagram", "metric": "rech", "value": -5},
        {"date": "2026-11-20", "channel": "tiktok", "metric": "likes", "value": 3},
        {"date": "2026-11-20", "channel": "instagram", "metric": "engagement", "value": 7},
        {"date": "2026-11-19", "channel": "youtube", "metric": "views", "value": "12,5"},
        {"date": "2026-11-20", "channel": "instagram", "metric": "reach", "value": 200},
        "not a row",
        {"date": "2026-11-18", "channel": "x", "metric": "likes", "value": 1, "extra": 1},
        {"channel": "x", "metric": "likes", "value": 1, "competitor": "maybe"},
    ]
    status, body = await api.call("POST", "/api/v1/snapshots", token, json=rows)
    assert status == 422, body
    assert body["error"] == "invalid_rows" and body["written"] == 0
    problems = {(e["index"], e["field"], e["code"]) for e in body["errors"]}
    assert problems == {
        (1, "date", "bad_date"),
        (2, "metric", "unknown_metric"), (2, "value", "negative"),
        (4, "metric", "derived_metric"),
        (5, "value", "bad_number"),
        (6, None, "duplicate_row"),
        (7, None, "bad_row"),
        (8, "extra", "unknown_field"),
        (9, "date", "missing_value"), (9, "competitor", "bad_competitor"),
    }
    assert body["invalid_rows"] == 8
    assert [e["index"] for e in body["errors"]] == sorted(e["index"] for e in body["errors"])
    by_code = {e["code"]: e for e in body["errors"]}
    assert "maksud Anda: reach" in by_code["unknown_metric"]["reason"]
    assert "negatif" in by_code["negative"]["reason"]
    assert "likes, comments, shares, saves" in by_code["derived_metric"]["reason"]
    assert by_code["duplicate_row"]["other_index"] == 0
    assert all(e["reason"] and "Tidak ada data yang disimpan" not in e["reason"]
               for e in body["errors"])
    assert api.count("acme") == 0  # nothing written, not even the good rows
    ws = api.app.store.workspace("acme")
    assert ws is not None and api.app.store.channels(ws.id) == []

    status, body = await api.call("POST", "/api/v1/snapshots?lang=en", token, json=rows[:3])
    assert status == 422
    reasons = " ".join(e["reason"] for e in body["errors"])
    assert "did you mean: reach" in reasons and "negative" in reasons
    assert body["message"].startswith("2 row(s)")


async def test_replayed_batch_replaces_and_totals_stay(api: Api) -> None:
    token = api.token("acme")
    rows = week_of_reach() + week_of_reach("tiktok", 500)
    params = {"metric": "reach", "period": "minggu ini", "now": NOW}

    status, first = await api.call("POST", "/api/v1/snapshots", token, json=rows)
    assert status == 200 and first["inserted"] == 14 and first["replaced"] == 0
    status, before = await api.call("GET", "/api/v1/kpi", token, params=params)
    assert status == 200, before
    # Monday 16 .. Sunday 22 November: days 0..6 back from today
    assert before["value"] == sum(1000 + d for d in range(7)) + sum(500 + d for d in range(7))

    status, again = await api.call("POST", "/api/v1/snapshots", token, json=rows)
    assert status == 200
    assert again == {"workspace": "acme", "rows": 14, "written": 14, "inserted": 0,
                     "replaced": 14}
    status, after = await api.call("GET", "/api/v1/kpi", token, params=params)
    assert after == before
    assert api.count("acme") == 14

    changed = [dict(r, value=r["value"] + 10) for r in rows[:2]]
    status, body = await api.call("POST", "/api/v1/snapshots", token, json=changed)
    assert body["replaced"] == 2
    status, later = await api.call("GET", "/api/v1/kpi", token, params=params)
    assert later["value"] == before["value"] + 20


def ask_json(app: App, text: str, workspace: str) -> dict[str, Any]:
    """What ``kpibot ask TEXT --json --workspace W --now NOW`` prints (cmd_ask)."""
    from datetime import datetime

    reply: Reply = app.router.handle(Request(text=text, platform="cli", workspace=workspace,
                                             now=datetime.fromisoformat(NOW)))
    return reply.as_json()


async def test_kpi_is_the_json_of_ask(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    token = api.token("acme")
    rows = week_of_reach() + week_of_reach("tiktok", 500) + [
        {"date": (TODAY - timedelta(days=d)).isoformat(), "channel": "instagram",
         "metric": m, "value": v} for d in range(14) for m, v in
        (("likes", 40 + d), ("comments", 5), ("followers", 10_000 + 10 * d))]
    assert (await api.call("POST", "/api/v1/snapshots", token, json=rows))[0] == 200
    cases = [
        ({"metric": "reach", "period": "minggu ini"}, "/kpi reach minggu ini"),
        ({"metric": "engagement", "channel": "instagram", "period": "minggu lalu"},
         "/kpi engagement instagram minggu lalu"),
        ({"metric": "er", "channel": "ig", "period": "7 hari terakhir"},
         "/kpi er ig 7 hari terakhir"),
        ({"metric": "followers"}, "/kpi followers"),
        ({}, "/kpi"),
    ]
    for params, text in cases:
        status, body = await api.call("GET", "/api/v1/kpi", token,
                                      params={**params, "now": NOW})
        assert status == 200, body
        assert body == ask_json(api.app, text, "acme"), text
    status, body = await api.call("GET", "/api/v1/kpi", token,
                                  params={"metric": "reach", "now": NOW, "lang": "en"})
    assert status == 200 and "Reach" in body["text"] and "this week" in body["text"]

    if api.app.store.dialect == "sqlite":  # the real CLI on the same database file
        url = api.app.engine.url.render_as_string(hide_password=False)
        capsys.readouterr()
        assert main(["--db", url, "ask", "/kpi reach minggu ini", "--json", "--now", NOW,
                     "--workspace", "acme"]) == 0
        import json

        cli = json.loads(capsys.readouterr().out)
        status, body = await api.call("GET", "/api/v1/kpi", token,
                                      params={"metric": "reach", "period": "minggu ini",
                                              "now": NOW})
        assert body == cli


async def test_kpi_errors_keep_the_json_of_ask(api: Api) -> None:
    token = api.token("acme")
    status, body = await api.call("GET", "/api/v1/kpi", token,
                                  params={"metric": "rech", "now": NOW})
    assert status == 422
    assert body == ask_json(api.app, "/kpi rech", "acme")
    assert body["intent"] == "error" and body["error"] == "unknown_metric"
    status, body = await api.call("GET", "/api/v1/kpi", token,
                                  params={"metric": "reach", "now": "kemarin"})
    assert status == 400 and body["error"] == "bad_param"
    status, body = await api.call("GET", "/api/v1/kpi", token, params={"metric": "r" * 101})
    assert status == 400 and body["error"] == "bad_param"


async def test_wrong_token_is_401(api: Api) -> None:
    good = api.token("acme")
    rows = week_of_reach()
    tokens = ApiTokens(api.app.store)
    revoked = tokens.create(api.app.store.ensure_workspace("acme").id)
    assert tokens.revoke(revoked.token.id)
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    for headers in ({}, {"Authorization": good}, {"Authorization": f"Basic {good}"},
                    {"Authorization": "Bearer "}, {"Authorization": f"Bearer {wrong}"},
                    {"Authorization": "Bearer kpi_00000000_" + "x" * 43},
                    {"Authorization": f"Bearer {revoked.secret}"}):
        for method, path, kw in (("POST", "/api/v1/snapshots", {"json": rows}),
                                 ("GET", "/api/v1/kpi", {"params": {"metric": "reach"}}),
                                 ("POST", "/api/v1/imports", {"data": b"x"})):
            async with api.http.request(method, path, headers=headers, **kw) as r:
                assert r.status == 401, (headers, path)
                assert r.headers["WWW-Authenticate"].startswith("Bearer")
                assert (await r.json())["error"] == "unauthorized"
    assert api.count("acme") == 0
    status, _ = await api.call("POST", "/api/v1/snapshots", good, json=rows)
    assert status == 200


async def test_another_workspaces_token_is_404(api: Api) -> None:
    acme = api.token("acme")
    other = api.token("globex")
    rows = week_of_reach()
    assert (await api.call("POST", "/api/v1/snapshots?workspace=acme", acme, json=rows))[0] \
        == 200
    for path, kw in (("/api/v1/snapshots?workspace=acme", {"json": rows}),
                     ("/api/v1/imports?workspace=acme", {"data": b"x"})):
        status, body = await api.call("POST", path, other, **kw)
        assert status == 404 and body["error"] == "not_found", body
    status, body = await api.call("GET", "/api/v1/kpi", other,
                                  params={"workspace": "acme", "metric": "reach"})
    assert status == 404
    # a workspace that does not exist: the very same answer (nothing is revealed)
    status, missing = await api.call("GET", "/api/v1/kpi", other,
                                     params={"workspace": "nobody", "metric": "reach"})
    assert status == 404 and missing["error"] == body["error"]
    # globex's own data stays its own: its token writes to globex, reads globex
    assert (await api.call("POST", "/api/v1/snapshots", other,
                           json=week_of_reach(base=1)))[0] == 200
    assert api.count("acme") == 7 and api.count("globex") == 7
    _, mine = await api.call("GET", "/api/v1/kpi", other,
                             params={"metric": "reach", "now": NOW})
    assert mine["value"] == sum(1 + d for d in range(7))


async def test_batch_limits_and_malformed_bodies(api: Api) -> None:
    token = api.token("acme")
    too_many = [{"date": "2026-11-01", "channel": f"c{i}", "metric": "reach", "value": 1}
                for i in range(MAX_ROWS + 1)]
    status, body = await api.call("POST", "/api/v1/snapshots", token, json=too_many)
    assert status == 413 and body["error"] == "too_many_rows"
    status, body = await api.call("POST", "/api/v1/snapshots", token,
                                  json=too_many[:MAX_ROWS])
    assert status == 200 and body["written"] == MAX_ROWS
    for data, code in ((b"{not json", "bad_json"), (b'{"rows": 5}', "bad_batch"),
                       (b'"text"', "bad_batch"), (b"[]", "empty_batch")):
        status, body = await api.call("POST", "/api/v1/snapshots", token, data=data,
                                      headers={"Content-Type": "application/json"})
        assert status == 400 and body["error"] == code


async def test_concurrent_batches_creating_the_same_channels(api: Api) -> None:
    token = api.token("acme")
    batches = [[{"date": (TODAY - timedelta(days=d)).isoformat(), "channel": ch,
                 "metric": "reach", "value": 1} for ch in ("instagram", "tiktok", "youtube")]
               for d in range(6)]
    results = await asyncio.gather(*(api.call("POST", "/api/v1/snapshots", token, json=b)
                                     for b in batches))
    assert [s for s, _ in results] == [200] * 6
    ws = api.app.store.workspace("acme")
    assert ws is not None and len(api.app.store.channels(ws.id)) == 3
    assert api.count("acme") == 18


async def test_import_upload(api: Api) -> None:
    token = api.token("acme")
    csv = "date,channel,metric,value\n2026-11-20,instagram,reach,100\n" \
          "2026-11-21,instagram,reach,200\n"
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(csv.encode()), filename="kpi.csv",
                   content_type="text/csv")
    status, body = await api.call("POST", "/api/v1/imports", token, data=form)
    assert status == 200, body
    assert body == {"workspace": "acme", "shape": "long", "lines": 2, "written": 2,
                    "inserted": 2, "replaced": 0}
    bad = "date,channel,metric,value\n2026-11-22,instagram,reach,5\n2026-11-23,instagram,reach,x\n"
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO(bad.encode()), filename="bad.csv")
    status, body = await api.call("POST", "/api/v1/imports?lang=en", token, data=form)
    assert status == 422 and body["line"] == 3 and body["column"] == "value"
    assert "Line 3" in body["message"] and body["written"] == 0
    assert api.count("acme") == 2
    form = aiohttp.FormData()
    form.add_field("note", "no file here")
    status, body = await api.call("POST", "/api/v1/imports", token, data=form)
    assert status == 400 and body["error"] == "no_file"


# --------------------------------------------------------------------------- OpenAPI


def conforms(schema: dict[str, Any], value: Any, doc: dict[str, Any], at: str = "$") -> None:
    """A small JSON Schema check (the keywords the document uses); raises on a mismatch."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        conforms(doc["components"]["schemas"][name], value, doc, at)
        return
    if "oneOf" in schema:
        fits = 0
        for option in schema["oneOf"]:
            try:
                conforms(option, value, doc, at)
                fits += 1
            except AssertionError:
                pass
        assert fits == 1, f"{at}: matches {fits} of oneOf"
        return
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else kinds
        checks = {"object": lambda v: isinstance(v, dict),
                  "array": lambda v: isinstance(v, list),
                  "string": lambda v: isinstance(v, str),
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
                  "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
                  "boolean": lambda v: isinstance(v, bool),
                  "null": lambda v: v is None}
        assert any(checks[n](value) for n in names), f"{at}: {value!r} is not {kinds}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if "const" in schema:
        assert value == schema["const"], f"{at}: {value!r} != {schema['const']!r}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{at}: {key} is missing"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(props), f"{at}: extra {set(value) - set(props)}"
        for key, sub in props.items():
            if key in value:
                conforms(sub, value[key], doc, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            conforms(schema["items"], item, doc, f"{at}[{i}]")


def response_schema(doc: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    response = doc["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


async def test_openapi_document_matches_routes_and_responses(api: Api) -> None:
    async with api.http.get("/api/v1/openapi.json") as r:  # no token needed
        assert r.status == 200
        doc = await r.json()
    assert doc == openapi_document() and doc["openapi"].startswith("3.1")
    served = {(res.canonical, route.method.lower()) for res in api.web_app.router.resources()
              for route in res if route.method != "HEAD"}
    documented = {(p, m) for p, ops in doc["paths"].items() for m in ops}
    ours = {(p, m) for p, m in served if p.startswith("/api/") or p in
            ("/healthz", "/readyz", "/metrics")}
    assert ours == documented

    token = api.token("acme")
    rows = week_of_reach()
    conforms(doc["components"]["schemas"]["SnapshotBatch"], rows, doc)
    conforms(doc["components"]["schemas"]["SnapshotBatch"], {"rows": rows}, doc)
    checks: list[tuple[str, str, int, Any]] = []
    status, body = await api.call("POST", "/api/v1/snapshots", token, json=rows)
    checks.append(("/api/v1/snapshots", "post", status, body))
    bad = [dict(rows[0], value=-1), dict(rows[1], metric="rech")]
    status, body = await api.call("POST", "/api/v1/snapshots", token, json=bad)
    checks.append(("/api/v1/snapshots", "post", status, body))
    status, body = await api.call("POST", "/api/v1/snapshots", "kpi_nope", json=rows)
    checks.append(("/api/v1/snapshots", "post", status, body))
    for params in ({"metric": "reach", "now": NOW}, {"metric": "rech"}):
        status, body = await api.call("GET", "/api/v1/kpi", token, params=params)
        checks.append(("/api/v1/kpi", "get", status, body))
    form = aiohttp.FormData()
    form.add_field("file", b"date,channel,metric,value\n2026-11-20,x,likes,1\n",
                   filename="a.csv")
    status, body = await api.call("POST", "/api/v1/imports", token, data=form)
    checks.append(("/api/v1/imports", "post", status, body))
    for path in ("/healthz", "/readyz"):
        status, body = await api.call("GET", path)
        checks.append((path, "get", status, body))
    assert {c[2] for c in checks} == {200, 401, 422}
    for path, method, status, body in checks:
        conforms(response_schema(doc, path, method, status), body, doc, f"{path} {status}")


# --------------------------------------------------------------------------- readiness


class FakePlatform:
    name = "fakechat"

    def __init__(self) -> None:
        self.connected = True

    def routes(self) -> list[web.RouteDef]:
        return []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, reply: Reply) -> None: ...


async def test_readyz_checks_the_database_and_the_platforms(app: App) -> None:
    platform = FakePlatform()
    web_app = build_web_app(app, [platform])
    runner, base = await start(web_app)
    try:
        async with aiohttp.ClientSession(base_url=base) as http:
            async def ready() -> tuple[int, Any]:
                async with http.get("/readyz") as r:
                    return r.status, await r.json()

            assert await ready() == (503, {"status": "not_ready", "checks": {
                "database": "ok", "fakechat": "starting"}})
            web_app[READINESS_KEY].started = True
            assert await ready() == (200, {"status": "ready", "checks": {
                "database": "ok", "fakechat": "ok"}})
            platform.connected = False
            status, body = await ready()
            assert status == 503 and body["checks"]["fakechat"] == "disconnected"
            async with http.get("/healthz") as r:
                assert r.status == 200  # the process is up all the same
    finally:
        await runner.cleanup()


async def test_readyz_without_a_database(app: App) -> None:
    from kpi_engine.storage.db import make_engine

    broken = App(app.settings, make_engine("postgresql+psycopg://kpibot:secret@127.0.0.1:1/x",
                                           connect_args={"connect_timeout": 2}),
                 app.store, app.router)
    runner, base = await start(build_web_app(broken, []))
    try:
        async with aiohttp.ClientSession(base_url=base) as http, http.get("/readyz") as r:
            body = await r.json()
            assert r.status == 503 and body["checks"]["database"].startswith("unreachable")
            assert "secret" not in str(body)
    finally:
        await runner.cleanup()
        broken.engine.dispose()


# --------------------------------------------------------------------------- tokens


def test_tokens_are_stored_hashed_and_revocable(app: App) -> None:
    store = app.store
    acme = store.ensure_workspace("acme")
    tokens = ApiTokens(store)
    new = tokens.create(acme.id, name="n8n")
    assert new.secret.startswith(f"kpi_{new.token.prefix}_") and len(new.secret) == 56
    with store.connect() as conn:
        row = conn.execute(select(api_tokens)).one()
    assert new.secret not in str(tuple(row))
    assert row.secret_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    found = tokens.lookup(new.secret)
    assert found is not None and found.workspace_id == acme.id and found.name == "n8n"
    assert tokens.lookup(new.secret + "x") is None and tokens.lookup("") is None
    second = tokens.create(acme.id)
    assert second.secret != new.secret
    assert tokens.revoke(new.token.id) and not tokens.revoke(new.token.id)
    assert tokens.lookup(new.secret) is None and tokens.lookup(second.secret) is not None
    assert tokens.revoke_workspace(acme.id) == 1 and tokens.lookup(second.secret) is None
    assert [t.active for t in tokens.for_workspace(acme.id)] == [False, False]


def test_token_cli(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "token", "create", "--workspace", "acme",
                 "--name", "cron"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    secret = out[-1]
    assert "shown once" in out[0] and secret.startswith("kpi_")
    from bot.bootstrap import bootstrap
    from config.settings import Settings

    app = bootstrap(Settings(database_url=sqlite_url))
    try:
        token = ApiTokens(app.store).lookup(secret)
        assert token is not None
        assert main(["--db", sqlite_url, "token", "list", "--workspace", "acme"]) == 0
        listed = capsys.readouterr().out
        assert f"{token.id}\tkpi_{token.prefix}_…\tactive\tcron" in listed
        assert secret not in listed
        assert main(["--db", sqlite_url, "token", "revoke"]) == 2
        assert main(["--db", sqlite_url, "token", "revoke", str(token.id)]) == 0
        assert ApiTokens(app.store).lookup(secret) is None
        assert main(["--db", sqlite_url, "token", "revoke", str(token.id)]) == 1
        assert main(["--db", sqlite_url, "token", "create", "--workspace", "acme"]) == 0
        again = capsys.readouterr().out.strip().splitlines()[-1]
        assert main(["--db", sqlite_url, "token", "revoke", "--workspace", "acme"]) == 0
        assert "1 token(s)" in capsys.readouterr().out
        assert ApiTokens(app.store).lookup(again) is None
        assert main(["--db", sqlite_url, "token", "list", "--workspace", "nope"]) == 1
    finally:
        app.close()


# --------------------------------------------------------------------------- content (SPEC §11)


async def test_posts_and_segments_are_written_by_the_import_rules(api: Api) -> None:
    from kpi_engine.storage.posts import ContentStore

    token = api.token("acme")
    posts = [
        {"date": "2026-11-21", "channel": "instagram", "post_id": "P1",
         "published_at": "2026-11-20T19:30:00+07:00", "format": "reel",
         "caption": "Promo #Gajian", "permalink": "https://instagram.com/p/P1",
         "likes": 120, "comments": 8, "shares": 2, "saves": 10, "reach": 4000},
        {"date": "2026-11-21", "channel": "instagram", "post_id": 77,
         "published_at": "2026-11-21T08:00", "format": "feed", "likes": "40"},
    ]
    status, body = await api.call("POST", "/api/v1/posts", token, json={"rows": posts})
    assert status == 200, body
    assert body == {"workspace": "acme", "rows": 2, "posts": 2, "written": 6, "inserted": 6,
                    "replaced": 0}
    ws = api.app.store.workspace("acme")
    assert ws is not None
    content = ContentStore(api.app.store)
    top = content.top_posts(ws.id, date(2026, 11, 16), TODAY)
    assert [(p.post_id, p.value, p.format) for p in top] == [("P1", 140.0, "reel"),
                                                              ("77", 40.0, "feed")]
    status, body = await api.call("POST", "/api/v1/posts", token, json=posts[:1])
    assert status == 200 and (body["written"], body["replaced"]) == (5, 5)

    segments = [{"date": "2026-11-21", "channel": "instagram", "segment": "city:Jakarta",
                 "followers": 700},
                {"date": "2026-11-21", "channel": "instagram", "segment": "city:Surabaya",
                 "followers": 300}]
    status, body = await api.call("POST", "/api/v1/segments", token, json=segments)
    assert status == 200 and body["written"] == 2, body
    got = [(b.bucket, b.share_pct) for b in content.audience(ws.id, TODAY, TODAY)]
    assert got == [("Jakarta", 70.0), ("Surabaya", 30.0)]


@pytest.mark.parametrize("path, row, code, field, words", [
    ("/api/v1/posts", {"date": "2026-11-21", "channel": "instagram", "post_id": "X",
                       "published_at": "2026-11-20T10:00", "likes": 1.5},
     "fraction", "likes", "likes dihitung dalam bilangan bulat"),
    ("/api/v1/posts", {"date": "2030-01-02", "channel": "instagram", "post_id": "X",
                       "published_at": "2026-11-20T10:00", "likes": 1},
     "future_day", "date", "belum terjadi"),
    ("/api/v1/posts", {"date": "2026-11-21", "channel": "instagram", "post_id": "X",
                       "published_at": "2026-11-20T10:00", "likes": 1, "spend": 3},
     "unknown_field", "spend", "kolom 'spend' tidak dikenal"),
    ("/api/v1/segments", {"date": "2026-11-21", "channel": "instagram", "segment": "planet:Mars",
                          "followers": 1}, "bad_segment", "segment", "segmen 'planet:Mars'"),
    ("/api/v1/segments", {"date": "2026-11-21", "channel": "instagram", "segment": "age:18-24",
                          "followers": -4}, "negative", "followers", "negatif"),
])
async def test_bad_content_rows_write_nothing(api: Api, path: str, row: dict[str, Any],
                                              code: str, field: str, words: str) -> None:
    from kpi_engine.storage.posts import ContentStore

    token = api.token("acme")
    good = ({"date": "2026-11-21", "channel": "instagram", "post_id": "OK",
             "published_at": "2026-11-20T10:00", "likes": 1} if "posts" in path else
            {"date": "2026-11-21", "channel": "instagram", "segment": "city:Jakarta",
             "followers": 5})
    status, body = await api.call("POST", path, token, json=[good, row])
    assert status == 422, body
    assert body["written"] == 0 and body["errors"][0]["index"] == 1
    assert (body["errors"][0]["code"], body["errors"][0]["field"]) == (code, field)
    assert words.lower() in body["message"].lower()
    assert body["message"].endswith("Tidak ada data yang disimpan.")
    status, en = await api.call("POST", path, token, json=[good, row], params={"lang": "en"})
    assert status == 422 and en["message"].endswith("Nothing was saved.")
    ws = api.app.store.workspace("acme")
    assert ws is not None
    content = ContentStore(api.app.store)
    assert content.count_posts(ws.id) == 0
    assert content.audience(ws.id, TODAY, TODAY) == []
    doc = openapi_document()
    conforms(response_schema(doc, path, "post", 422), body, doc, path)
    conforms(doc["components"]["schemas"]["PostBatch" if "posts" in path else "SegmentBatch"],
             [good], doc)
