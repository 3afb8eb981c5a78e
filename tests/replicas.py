"""Two real ``kpibot serve`` replicas on one PostgreSQL schema, in Telegram webhook mode, for
the failover test (``tests/e2e/test_failover.py``) and benchmark (``bench/failover.py``).

- ``seed``: workspaces with a fortnight of data, one linked Telegram chat per digest, and a
  daily digest subscription per chat at the current local minute: every one is due now,
  so the leader's start sends them all (the scheduler's missed-digest rule: no test clock);
  and an alert rule per workspace that fires at the leader's first tick.
- ``Cluster``: the processes (``python -m adapters.cli serve``), their logs, who leads, a
  webhook POST to either one (what a load balancer in front does), ``kill -9``.
- ``hold_lock``: the test process takes the leader lock first, so both replicas boot as
  standbys and the burst starts only when it lets go (both are up by then).
- ``deliveries``: each digest row of the outbox and how often the stand-in accepted it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import ClientSession, ClientTimeout
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.storage import alert_store
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.store import Store
from tests.telegram_standin import BotApiStandin, Call

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAHfailover-Token_abcdefghijklmnopqrst"
SECRET = "failover-webhook-secret"
TZ = "Asia/Jakarta"
LEADING = "scheduler: leading"
STANDING_BY = "another process leads; standing by"
FIRST_CHAT = 700_000_001
ASK_CHAT = 699_999_999  # the chat whose questions go to either replica's webhook
SLACK_TOKEN = "xoxb-failover-test-token"
SLACK_SECRET = "failover-slack-signing-secret"
SLACK_CHANNEL = "C0FAILOVER"  # a Slack channel linked like ASK_CHAT


def schema_url(base: str, schema: str) -> str:
    """``base`` (a PostgreSQL URL) with the search path set to ``schema``."""
    return make_url(base).set(query={"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def current_schema(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()")).scalar())


def seed(store: Store, digests: int, *, workspaces: int = 4, alerts: bool = True,
         now: datetime | None = None) -> list[int]:
    """``digests`` daily subscriptions (one chat each) due at the current local minute, over
    ``workspaces`` workspaces with 14 days of data, and (``alerts``) a threshold rule per
    workspace that fires at the first tick (an alert to each of its chats); returns the chat
    ids. ``ASK_CHAT`` and ``SLACK_CHANNEL`` are linked to a workspace of their own."""
    now = now or datetime.now(UTC)
    local = now.astimezone(ZoneInfo(TZ))
    days = [local.date() - timedelta(days=d) for d in range(1, 15)]
    spaces = []
    for w in range(workspaces):
        ws = store.ensure_workspace(f"agency{w}", name=f"Agency {w}", timezone=TZ)
        rows = [SnapshotRow(day, "instagram", "", metric, float(1000 + 37 * i + 11 * w))
                for i, day in enumerate(days) for metric in ("reach", "likes", "followers")]
        store.write_snapshots(ws.id, rows)
        spaces.append(ws)
        if alerts:  # fires at the leader's first tick, to every chat of the workspace
            alert_store.add_rule(store, ws.id, kind="threshold", metric="reach", value=0.0,
                                 op=">", now=now)
            # no quiet hours: from 21:00 to 07:00 in Jakarta the default ones would hold every
            # alert until morning, and a test run in the evening would wait for them in vain
            alert_store.set_quiet_hours(store, ws.id, None, None, now)
    from kpi_engine.services import linking

    ask = store.ensure_workspace("askers", name="Askers", timezone=TZ)  # no rules, no digests
    store.write_snapshots(ask.id, [SnapshotRow(day, "instagram", "", "reach", 500.0)
                                   for day in days])
    linking.link(store, ask.id, "telegram", str(ASK_CHAT), Role.VIEWER)
    linking.link(store, ask.id, "slack", SLACK_CHANNEL, Role.VIEWER)
    chats = []
    for n in range(digests):
        ws = spaces[n % workspaces]
        chat = FIRST_CHAT + n
        linking.link(store, ws.id, "telegram", str(chat), Role.VIEWER)
        alert_store.subscribe(store, ws.id, "telegram", str(chat), "daily", local.hour,
                              local.minute, now)
        chats.append(chat)
    return chats


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0
    led_at: float | None = None  # time.perf_counter() when its "leading" line was seen

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    @property
    def leading(self) -> bool:
        return LEADING in self.text()


@dataclass
class Cluster:
    """Replicas of ``kpibot serve`` on ``database_url`` talking to the stand-in at ``api``."""

    database_url: str
    api: str
    workdir: Path
    direct_url: str | None = None
    slack_api: str | None = None  # the Slack stand-in's API URL: Slack over HTTP events too
    replicas: list[Replica] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
        env = {**base, "PYTHONPATH": str(ROOT), "KPIBOT_DATABASE_URL": self.database_url,
               "KPIBOT_HTTP_HOST": "127.0.0.1", "KPIBOT_HTTP_PORT": "0",
               "KPIBOT_LOG_LEVEL": "INFO", "KPIBOT_TELEGRAM_TOKEN": TOKEN,
               "KPIBOT_TELEGRAM_API_URL": self.api,
               # the load balancer's address: Telegram would post there (setWebhook once)
               "KPIBOT_TELEGRAM_WEBHOOK_URL": "https://kpi.example.invalid/telegram/webhook",
               "KPIBOT_TELEGRAM_WEBHOOK_SECRET": SECRET}
        if self.direct_url:
            env["KPIBOT_DATABASE_DIRECT_URL"] = self.direct_url
        if self.slack_api:
            env.update(KPIBOT_SLACK_BOT_TOKEN=SLACK_TOKEN, KPIBOT_SLACK_SIGNING_SECRET=SLACK_SECRET,
                       KPIBOT_SLACK_API_URL=self.slack_api)
        return env

    def start(self, name: str) -> Replica:
        log = self.workdir / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"],
                                       cwd=self.workdir, env=self.env(), stdout=out,
                                       stderr=out)
        replica = Replica(name, process, log)
        self.replicas.append(replica)
        return replica

    async def booted(self, replica: Replica, *, timeout: float = 60.0) -> None:
        """Wait until it serves HTTP and has asked for the lock (leading or standing by)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = replica.text()
            found = re.search(r"HTTP server on [\d.]+:(\d+)", log)
            if found and (LEADING in log or STANDING_BY in log):
                replica.port = int(found.group(1))
                return
            if replica.process.poll() is not None:
                raise AssertionError(f"{replica.name} exited:\n{log[-3000:]}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"{replica.name} did not start:\n{replica.text()[-3000:]}")

    async def leader(self, *, among: list[Replica] | None = None,
                     timeout: float = 30.0) -> Replica:
        """The first of ``among`` (default: all alive) to log that it leads."""
        candidates = among or [r for r in self.replicas if r.process.poll() is None]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in candidates:
                if r.leading:
                    r.led_at = time.perf_counter()
                    return r
            await asyncio.sleep(0.02)
        raise AssertionError("no replica leads:\n" + "\n".join(
            f"--- {r.name}\n{r.text()[-2000:]}" for r in candidates))

    @staticmethod
    def kill(replica: Replica) -> float:
        """``kill -9``; returns the ``time.perf_counter()`` of the signal."""
        at = time.perf_counter()
        os.kill(replica.process.pid, signal.SIGKILL)
        replica.process.wait(10)
        return at

    def stop(self) -> None:
        for r in self.replicas:
            if r.process.poll() is None:
                r.process.terminate()
        for r in self.replicas:
            try:
                r.process.wait(20)
            except subprocess.TimeoutExpired:
                r.process.kill()
                r.process.wait(10)


async def leads(replica: Replica) -> bool:
    """What the replica's ``/metrics`` says: ``kpibot_leader`` 1 (leads) or 0."""
    async with ClientSession(timeout=ClientTimeout(total=30)) as session, session.get(
            f"http://127.0.0.1:{replica.port}/metrics") as response:
        body = await response.text()
    found = re.search(r"^kpibot_leader (\S+)$", body, re.M)
    assert found is not None, "no kpibot_leader in /metrics"
    return float(found.group(1)) == 1.0


async def post_update(replica: Replica, update: dict[str, Any]) -> int:
    """POST a Telegram update to one replica's webhook (a load balancer's pick)."""
    async with ClientSession(timeout=ClientTimeout(total=30)) as session, session.post(
            f"http://127.0.0.1:{replica.port}/telegram/webhook", data=json.dumps(update),
            headers={"Content-Type": "application/json",
                     "X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
        return response.status


async def slack_event(replica: Replica, event: dict[str, Any], event_id: str) -> int:
    """POST a signed Slack event to one replica's ``/slack/events``."""
    from slack_sdk.signature import SignatureVerifier

    body = json.dumps({"token": "legacy", "team_id": "T0KPI", "api_app_id": "A0KPI",
                       "event": event, "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()),
                       "authorizations": [{"team_id": "T0KPI", "user_id": "UKPIBOT",
                                           "is_bot": True}]})
    ts = str(int(time.time()))
    signature = SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or "",
               "Content-Type": "application/json"}
    async with ClientSession(timeout=ClientTimeout(total=30)) as session, session.post(
            f"http://127.0.0.1:{replica.port}/slack/events", data=body.encode(),
            headers=headers) as response:
        return response.status


def mention(text: str, n: int) -> dict[str, Any]:
    return {"type": "app_mention", "user": "U0VIEWER", "channel": SLACK_CHANNEL,
            "text": f"<@UKPIBOT> {text}", "ts": f"1790000000.{n:06d}"}


_update_ids = iter(range(10_000_000, 20_000_000))


def question(api: BotApiStandin, chat: int, words: str) -> dict[str, Any]:
    update = api.message(chat, words)
    update["update_id"] = next(_update_ids)
    return update


def hold_lock(engine: Engine) -> Any:
    """Take the scheduler's leader lock from this process (both replicas boot standing by);
    returns the lock (``release()`` it to let them lead)."""
    from kpi_engine.storage.leader import LeaderLock

    lock = LeaderLock(engine)
    assert lock.try_acquire()
    return lock


DIGEST_METHODS = ("sendMessage", "sendPhoto")


def digest_calls(api: BotApiStandin, chats: set[int]) -> list[Call]:
    return [c for c in list(api.calls) if c.status == 200 and c.method in DIGEST_METHODS
            and int(c.params.get("chat_id", 0)) in chats]


@dataclass(frozen=True)
class Row:
    key: str
    chat: int
    method: str
    title: str
    status: str
    attempts: int
    last_error: str
    claimed_by: str
    sent_at: datetime | None


def outbox_rows(engine: Engine) -> list[Row]:
    """The Telegram rows of the outbox, in queue order."""
    o = a.outbox.c
    with engine.connect() as conn:
        found = conn.execute(select(o.key, o.chat_id, o.chart_id, o.chart_spec, o.title,
                                    o.status, o.attempts, o.last_error, o.claimed_by,
                                    o.sent_at).where(o.platform == "telegram")
                             .order_by(o.id)).all()
    return [Row(r.key, int(r.chat_id), "sendPhoto" if r.chart_id is not None else
                "any" if r.chart_spec else "sendMessage", r.title, r.status, int(r.attempts),
                r.last_error or "", r.claimed_by or "", r.sent_at) for r in found]


def deliveries(rows: list[Row], calls: list[Call]) -> dict[str, int]:
    """How often the stand-in accepted each outbox row (by chat, method and title: one chat's
    rows differ in these)."""
    out = {}
    for row in rows:
        out[row.key] = sum(
            1 for c in calls if int(c.params.get("chat_id", 0)) == row.chat
            and row.method in (c.method, "any")
            and row.title in str(c.params.get("text") or c.params.get("caption") or ""))
    return out
