"""Cases tried and held per area (issue 13 items 5-9), for the table in the issue's note.

Not a test: a probe run against one source tree, the tests of *this* tree providing the
hostile names and the stand-ins, so an older tree can be measured too::

    git archive <commit> | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old .venv/bin/python tests/edge_cases_count.py    # before
    PYTHONPATH=.        .venv/bin/python tests/edge_cases_count.py    # after

Uses only entry points both trees have (the router, the Slack/Telegram renderers, the
console loop, the HTTP server with Slack on it)."""
# ruff: noqa: E402
from __future__ import annotations

import asyncio
import io
import json
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

HERE = str(Path(__file__).resolve().parent.parent)
sys.path.insert(0, HERE)  # for tests/data/hostile_names only
from tests.data.hostile_names import CAMPAIGNS, HANDLES

sys.path.pop(0)

from bot.bootstrap import bootstrap
from bot.reply import Reply, Request
from config.settings import Settings
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage.db import make_engine, migrate

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
TODAY = NOW.date()
tally: dict[str, list[int]] = {}


def case(area: str, ok: bool) -> None:
    t = tally.setdefault(area, [0, 0])
    t[0] += 1
    t[1] += bool(ok)


tmp = tempfile.mkdtemp()
engine = make_engine(f"sqlite:///{tmp}/k.db")
migrate(engine)
app = bootstrap(Settings(), engine=engine, clock=lambda: NOW, check_schema=False)
ws, _ = seed_demo(app.store, TODAY)
rows = []
for i in range(14):
    d = TODAY - timedelta(days=i)
    rows += [SnapshotRow(d, "instagram", h, "reach", 100.0 + i) for h in HANDLES]
    for c in CAMPAIGNS:
        rows += [SnapshotRow(d, "instagram", "", m, v, c) for m, v in
                 (("spend", 1000.0), ("revenue", 3000.0), ("clicks", 30.0))]
app.store.write_snapshots(ws.id, rows)
app.store.link_chat(ws.id, "telegram", "77", Role.EDITOR)


def ask(text: str, lang: str | None = None, chat: str = "77",
        now: datetime | None = None) -> Reply:
    return app.router.handle(Request(text=text, platform="telegram", chat_id=chat,
                                     user_id=chat, lang=lang, now=now))


# -- 5. names on Slack and Telegram ---------------------------------------------------------
from adapters.chat.slack import fallback_text, render_blocks
from adapters.chat.telegram import split_html

sys.path.insert(0, HERE)
from tests.telegram_standin import parse_html

sys.path.pop(0)

names = [f"instagram:{h}" for h in HANDLES] + list(CAMPAIGNS)
commands = ["/bandingkan reach minggu ini", "/roi bulan ini", "/kpi reach snapchat:zzz",
            "/catat snapchat:zzz reach 5", "/target reach 50000 snapchat:zzz 3 bulan",
            "/alert reach < 5 snapchat:zzz"]
replies = [ask(c) for c in commands]
for reply in replies:
    mrkdwn = fallback_text(reply) + "\n" + "\n".join(
        b["text"]["text"] for b in render_blocks(reply) if b["type"] == "section")
    tg = "\n".join(parse_html(p)[0] for p in split_html(reply))
    for name in names:
        if name in reply.text and "\x1b" not in name:
            case("5 Slack text", "<" not in mrkdwn and ">" not in mrkdwn)
            case("5 Telegram HTML", name in tg)

# -- 7/9. chat limits ------------------------------------------------------------------------
refused = [("/senyap 99999999999 jam", "7 hari"), ("/senyap 99999999999999999999999 menit", "7 hari"),
           ("/senyap 0,001 menit", "1 menit"), ("/alert hapus 99999999999999999999", "1 sampai"),
           ("/alert hapus 0", "1 sampai"), ("/alert hapus ²", "Format"),
           ("/alert reach < 5 bogus", "bogus"), ("/alert reach < 5 instagram bogus", "bogus"),
           ("/alert reach < 5 snapchat:zzz", "snapchat:zzz")]
for text, word in refused:
    r = ask(text)
    case("7 chat numbers / 9 /alert words", "terjadi kesalahan" not in r.text and word in r.text
         and r.error is not None)
huge = "x" * 20_000
for text in (f"/kpi {huge}", f"/kpi reach {huge}", f"/catat instagram reach {huge}",
             f"/alert {huge} < 5", f"/alert reach < {huge}", f"/gabung {huge}",
             f"/target reach {huge} 3 bulan", f"/senyap {huge}"):
    r = ask(text)
    case("7 echo of long input", len(r.text) < 1000 and "terjadi kesalahan" not in r.text)

# a database held by another writer
busy_engine = make_engine(f"sqlite:///{tmp}/k.db")
from sqlalchemy import event

event.listen(busy_engine, "connect", lambda c, r: c.execute("PRAGMA busy_timeout=300"))
busy_app = bootstrap(Settings(), engine=busy_engine, clock=lambda: NOW, check_schema=False)
hold, release = threading.Event(), threading.Event()


def holder() -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        hold.set()
        release.wait(10)
        conn.rollback()


th = threading.Thread(target=holder)
th.start()
hold.wait(5)
for lang, words in (("id", "sibuk"), ("en", "busy")):
    r = busy_app.router.handle(Request(text="/catat instagram saves 4.321 kemarin",
                                       platform="telegram", chat_id="77", user_id="77", lang=lang))
    case("7 database busy", words in r.text)
release.set()
th.join()

# console control characters
from adapters.chat.console import run_console

out = io.StringIO()
run_console(app, workspace="demo", now=NOW,
            stdin=io.StringIO("/roi bulan ini\n/kpi reach snapchat:\x1b[31mx\n/bandingkan reach\n"),
            stdout=out)
lines = out.getvalue()
for probe in ("\x1b[31mmerah", "\x1b[31mx"):
    case("7 console control chars", probe not in lines)

# -- 8. join codes -----------------------------------------------------------------------------
wrong_answered = 0
for i in range(300):
    r = ask(f"/gabung WRONG{i:04d}", chat="9000", now=NOW + timedelta(seconds=i))
    wrong_answered += r.error == "join_unknown"
case("8 join codes (≤5 wrong answered of 300)", wrong_answered <= 5)
print("join: wrong guesses answered", wrong_answered, "of 300")


# -- 7. HTTP API, 6. replays over HTTP -------------------------------------------------------------
async def http_cases() -> None:
    import aiohttp
    from aiohttp import web
    from pydantic import SecretStr
    from slack_sdk.signature import SignatureVerifier

    from adapters.chat.slack import SlackPlatform
    from adapters.http.server import build_web_app
    from kpi_engine.storage.tokens import ApiTokens
    sys.path.insert(0, HERE)
    from tests.slack_standin import SlackStandIn
    sys.path.pop(0)
    standin = await SlackStandIn().start()
    secret = "count-signing-secret"
    sapp = bootstrap(Settings(slack_bot_token=SecretStr("xoxb-1-count"),
                              slack_signing_secret=SecretStr(secret),
                              slack_api_url=standin.api_url, http_port=0),
                     engine=engine, clock=lambda: NOW, check_schema=False)
    sapp.store.link_chat(ws.id, "slack", "C0LINK", Role.ADMIN, user_id="U0A")
    platform = SlackPlatform(sapp, interval=0.0)
    runner = web.AppRunner(build_web_app(sapp, [platform]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    await platform.start()
    base = f"http://127.0.0.1:{port}"
    token = ApiTokens(sapp.store).create(ws.id).secret
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http:
        for now in ("9999-12-31T23:59:59", "0001-01-01T00:00:00", "2101-01-01T00:00:00"):
            async with http.get(f"{base}/api/v1/kpi", params={"metric": "reach", "now": now},
                                headers=auth) as r:
                case("7 HTTP API limits", r.status == 400)
        async with http.post(f"{base}/api/v1/snapshots", data=b"[" * 100_000 + b"]" * 100_000,
                             headers={**auth, "Content-Type": "application/json"}) as r:
            case("7 HTTP API limits", r.status == 400)
        async with http.post(f"{base}/api/v1/snapshots", data=b" " * (25 * 2**20),
                             headers={**auth, "Content-Type": "application/json"}) as r:
            body = await r.text()
            case("7 HTTP API limits", r.status == 413 and body.startswith("{"))

        def signed(body: str, ts: str) -> dict[str, str]:
            sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
            return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig or "",
                    "Content-Type": "application/x-www-form-urlencoded"}

        def command(cmd: str, text: str, key: str) -> str:
            return urlencode({"team_id": "T0KPI", "channel_id": "C0LINK", "user_id": "U0A",
                              "user_name": "a", "command": cmd, "text": text,
                              "api_app_id": "A0KPI", "trigger_id": "1",
                              "response_url": standin.response_url(key)})
        ts = str(int(time.time()))
        for cmd, text, method in (("/catat", "instagram saves 4.321", "chat.postMessage"),
                                  ("/undang", "", "response")):
            body = command(cmd, text, cmd.strip("/"))
            for _ in range(2):
                async with http.post(f"{base}/slack/events", data=body, headers=signed(body, ts)):
                    pass
            await asyncio.sleep(1.0)
            case("6 replays", len([c for c in standin.calls if c.method == method]) == 1)
        for stamp in ("abc", "", "1e9", "-1", "9" * 40, " 17 "):
            h = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00",
                 "Content-Type": "application/x-www-form-urlencoded"}
            async with http.post(f"{base}/slack/events", data=b"command=/kpi", headers=h) as r:
                case("6 Slack timestamp → 401", r.status == 401)
        event = json.dumps({"team_id": "T0KPI", "api_app_id": "A0KPI", "type": "event_callback",
                            "event_id": "EvCount", "event": {
                                "type": "app_mention", "user": "U0A", "channel": "C0LINK",
                                "text": "<@UKPIBOT> reach", "ts": "1.2"}})
        before = len(standin.delivered())
        for i in range(2):
            t = str(int(time.time()) - 30 * i)
            h = {**signed(event, t), "Content-Type": "application/json",
                 **({"X-Slack-Retry-Num": "1"} if i else {})}
            async with http.post(f"{base}/slack/events", data=event, headers=h):
                pass
        await asyncio.sleep(1.0)
        case("6 replays", len(standin.delivered()) - before == 1)
    await platform.stop()
    await runner.cleanup()
    await standin.stop()

asyncio.run(http_cases())
for area, (tried, held) in sorted(tally.items()):
    print(f"{area}\t{tried}\t{held}")
