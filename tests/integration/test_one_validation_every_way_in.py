"""Issue 14: one validation of a snapshot for every way in. The same out-of-range value
(5×10^12 followers: over ``validation.MAX_VALUE``) sent through ``/catat`` (the router),
a file import (``parse_import``, which ``kpibot import``, ``/impor`` and the API's upload
use) and the HTTP API (a batch and an upload) is refused with the same domain code and the
same sentence, and nothing is written, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.engine import Engine

from adapters.http.server import build_web_app
from bot.bootstrap import bootstrap
from bot.commands import RECORD_ERRORS
from config.settings import Settings
from kpi_engine.domain import validation
from kpi_engine.services.importer import ImportFileError, parse_import
from kpi_engine.services.seed import seed_demo
from kpi_engine.services.tokens import ApiTokens
from tests.conftest import Conversation

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TYPED = "5000000000000"  # 5×10^12
CSV = f"date,channel,metric,value\n2026-11-21,instagram,followers,{TYPED}\n"


def test_the_value_is_out_of_range_by_the_one_rule() -> None:
    assert validation.MAX_VALUE < 5e12
    assert validation.value_problem("followers", 5e12) == "too_large_value"
    assert validation.value_problem("followers", validation.MAX_VALUE) is None


async def test_catat_file_import_and_http_api_give_the_same_refusal(db_engine: Engine) -> None:
    app = bootstrap(Settings(), engine=db_engine, check_schema=False, clock=lambda: NOW)
    seed_demo(app.store, NOW.date())
    before = app.store.count_snapshots()
    code = "too_large_value"
    sentence = {lang: validation.sentence(code, lang, value=TYPED, metric="followers")
                for lang in ("id", "en")}

    # /catat, through the router
    chat = Conversation(app, NOW)
    for lang in ("id", "en"):
        reply = chat.reply(f"/catat instagram followers {TYPED}", lang=lang)
        assert reply.intent == "error" and reply.error == RECORD_ERRORS[code], reply.text
        assert reply.text == sentence[lang]

    # a file import
    with pytest.raises(ImportFileError) as caught:
        parse_import(CSV.encode(), "kpi.csv", today=NOW.date())
    assert (caught.value.code, caught.value.line, caught.value.column) == (code, 2, "value")

    # the HTTP API: a batch and an upload
    ws = app.store.workspace("demo")
    assert ws is not None
    token = ApiTokens(app.store).create(ws.id).secret
    runner = web.AppRunner(build_web_app(app, []))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            for lang in ("id", "en"):
                async with http.post(f"/api/v1/snapshots?lang={lang}", headers=headers, json={
                        "rows": [{"date": "2026-11-21", "channel": "instagram",
                                  "metric": "followers", "value": 5 * 10**12}]}) as r:
                    status, body = r.status, await r.json()
                assert status == 422, body
                [error] = body["errors"]
                assert (error["field"], error["code"]) == ("value", code)
                assert error["reason"] == sentence[lang]
            form = aiohttp.FormData()
            form.add_field("file", io.BytesIO(CSV.encode()), filename="kpi.csv")
            async with http.post("/api/v1/imports", headers=headers, data=form) as r:
                status, body = r.status, await r.json()
            assert status == 422, body
            assert (body["error"], body["line"], body["column"]) == (code, 2, "value")
            assert body["written"] == 0
    finally:
        await runner.cleanup()
    assert app.store.count_snapshots() == before
