"""Metrics, structured logs without secrets, and deployment: ``/metrics`` parsed by the
Prometheus text parser, the request log line, JSON logs, redaction while serving, the image's
entry command (``docker/entrypoint.sh``: migrate, then ``kpibot serve``) as a real subprocess
on SQLite and PostgreSQL, and the Docker files."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from adapters.chat.platform import answer
from adapters.http import observability
from adapters.http.observability import (
    JsonFormatter,
    Metrics,
    SecretRedactor,
    configure_logging,
    configured_secrets,
    metrics,
)
from adapters.http.server import build_web_app
from bot.bootstrap import App
from bot.reply import Request
from config.settings import Settings
from kpi_engine.storage.db import head_revision, make_engine
from kpi_engine.storage.tokens import ApiTokens
from tests.conftest import PG_URL
from tests.integration.test_http_api import start, week_of_reach

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def families(text_: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text_)}


def sample(fams: dict[str, Any], family: str, name: str, **labels: str) -> float:
    for s in fams[family].samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return float(s.value)
    return 0.0


async def test_metrics_endpoint_parses_and_counts(app: App) -> None:
    ws = app.store.ensure_workspace("acme")
    token = ApiTokens(app.store).create(ws.id).secret
    runner, base = await start(build_web_app(app, []))
    auth = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(base_url=base) as http:
            async def scrape() -> dict[str, Any]:
                async with http.get("/metrics") as r:
                    assert r.status == 200
                    assert r.headers["Content-Type"].startswith("text/plain")
                    return families(await r.text())

            before = await scrape()
            async with http.post("/api/v1/snapshots", json=week_of_reach(), headers=auth) as r:
                assert r.status == 200
            async with http.post("/api/v1/snapshots", json=[{"date": "x"}], headers=auth) as r:
                assert r.status == 422
            async with http.get("/api/v1/kpi", params={"metric": "reach"}, headers=auth) as r:
                assert r.status == 200
            reply = await answer(app, Request(text="/kpi reach", platform="cli",
                                              workspace="acme"))
            assert reply.intent == "kpi"
            metrics().alert_fired("drop", 2)
            metrics().outbox_failed("telegram")
            metrics().outbox_backlog_from(lambda: 7)
            after = await scrape()
            async with http.get("/metrics", headers={
                    "Accept": "application/openmetrics-text; version=1.0.0"}) as r:
                assert r.headers["Content-Type"].startswith("application/openmetrics-text")
                assert "kpibot_requests_total" in await r.text()
    finally:
        await runner.cleanup()

    def delta(family: str, name: str, **labels: str) -> float:
        return sample(after, family, name, **labels) - sample(before, family, name, **labels)

    assert delta("kpibot_requests", "kpibot_requests_total", platform="api") == 3
    assert delta("kpibot_requests", "kpibot_requests_total", platform="cli") == 1
    assert delta("kpibot_commands", "kpibot_commands_total", platform="api",
                 command="snapshots") == 2
    assert delta("kpibot_commands", "kpibot_commands_total", platform="cli", command="kpi") == 1
    assert after["kpibot_answer_seconds"].type == "histogram"
    assert delta("kpibot_answer_seconds", "kpibot_answer_seconds_count", platform="api") == 3
    assert sample(after, "kpibot_answer_seconds", "kpibot_answer_seconds_bucket",
                  platform="api", le="+Inf") >= 3
    assert delta("kpibot_alerts_fired", "kpibot_alerts_fired_total", rule="drop") == 2
    assert delta("kpibot_outbox_failures", "kpibot_outbox_failures_total",
                 platform="telegram") == 1
    assert sample(after, "kpibot_outbox_backlog", "kpibot_outbox_backlog") == 7
    assert delta("kpibot_api_rows", "kpibot_api_rows_total", result="inserted") == 7
    assert delta("kpibot_api_rows", "kpibot_api_rows_total", result="rejected") == 1
    assert delta("kpibot_http_requests", "kpibot_http_requests_total", method="POST",
                 route="/api/v1/snapshots", status="422") == 1
    assert "process_cpu_seconds" in after  # the process collectors
    assert not any(name.endswith("_created") for f in after.values() for name in
                   (s.name for s in f.samples))


def test_metrics_are_isolated_per_registry() -> None:
    mine = Metrics(CollectorRegistry())
    mine.answered("telegram", "kpi", 0.02)
    mine.set_outbox_backlog(3)
    fams = families(mine.render()[0].decode())
    assert sample(fams, "kpibot_requests", "kpibot_requests_total", platform="telegram") == 1
    assert sample(fams, "kpibot_outbox_backlog", "kpibot_outbox_backlog") == 3
    assert sample(fams, "kpibot_answer_seconds", "kpibot_answer_seconds_bucket",
                  platform="telegram", le="0.025") == 1


async def test_one_log_line_per_request(app: App, caplog: pytest.LogCaptureFixture) -> None:
    app.store.ensure_workspace("acme")
    caplog.set_level(logging.INFO, logger="kpibot.requests")
    await answer(app, Request(text="/kpi reach minggu ini", platform="telegram",
                              chat_id="-100123"))  # not linked: refused, still logged
    await answer(app, Request(text="/kpi reach", platform="cli", workspace="acme"))
    lines = [r for r in caplog.records if r.name == "kpibot.requests"]
    assert len(lines) == 2
    first, second = lines
    assert (first.platform, first.chat, first.command) == ("telegram", "-100123",  # type: ignore[attr-defined]
                                                           "error")
    assert first.error == "not_linked"  # type: ignore[attr-defined]
    assert (second.platform, second.chat, second.command) == ("cli", "acme", "kpi")  # type: ignore[attr-defined]
    assert isinstance(second.latency_ms, float) and second.latency_ms >= 0  # type: ignore[attr-defined]
    assert "platform=cli chat=acme command=kpi latency_ms=" in second.getMessage()


def test_json_log_format() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("kpibot.test.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("hello %s", "dunia", extra={"platform": "slack", "latency_ms": 12.5})
        try:
            raise ValueError("bad thing")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "hello dunia" and first["level"] == "WARNING"
    assert first["logger"] == "kpibot.test.json" and first["platform"] == "slack"
    assert first["latency_ms"] == 12.5 and first["ts"].endswith("+00:00")
    assert second["level"] == "ERROR" and "ValueError: bad thing" in second["exc"]


SECRETS: dict[str, Any] = {
    "telegram_token": "123456789:AAF-telegram-Token_value-0123456789ab",
    "telegram_webhook_secret": "wh-secret-a1b2c3d4e5f6",
    "slack_bot_token": "xoxb-1111-2222-slackbotTOKEN",
    "slack_signing_secret": "8f14e45fceea167a5a36dedd4bea2543",
    "slack_app_token": "xapp-1-A111-2222-appLevelToken",
}
DB_PASSWORD = "pg-Pa55word-xyz"


@pytest.fixture
def redaction() -> Iterator[None]:
    """Undo the process-wide redactor (record factory, root handler filters) afterwards."""
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
    redactor = observability._redactor
    observability._redactor = None
    for handler in logging.getLogger().handlers:
        if redactor is not None:
            handler.removeFilter(redactor)


def test_configured_secrets_are_every_secret_setting() -> None:
    settings = Settings(database_url=f"postgresql+psycopg://kpibot:{DB_PASSWORD}@db/kpibot",
                        **SECRETS)
    assert sorted(configured_secrets(settings)) == sorted([*SECRETS.values(), DB_PASSWORD])
    assert configured_secrets(Settings(database_url="sqlite:///x.db")) == []


async def test_secrets_never_reach_the_logs(app: App, caplog: pytest.LogCaptureFixture,
                                            redaction: None) -> None:
    settings = Settings(database_url=f"postgresql+psycopg://kpibot:{DB_PASSWORD}@db/kpibot",
                        **SECRETS)
    configure_logging(settings)
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    extra_handler = logging.StreamHandler(stream)
    extra_handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(extra_handler)
    serving = App(settings, app.engine, app.store, app.router)
    ws = app.store.ensure_workspace("acme")
    token = ApiTokens(app.store).create(ws.id).secret
    runner, base = await start(build_web_app(serving, []))
    try:
        async with aiohttp.ClientSession(base_url=base) as http:
            for auth in (token, token[:-2] + "zz", "kpi_0123abcd_" + "q" * 43):
                async with http.post("/api/v1/snapshots", json=week_of_reach(),
                                     headers={"Authorization": f"Bearer {auth}"}) as r:
                    assert r.status in (200, 401)
        # what libraries and our own code may log, each way a secret can travel
        logging.getLogger("httpx").info('HTTP Request: POST https://api.telegram.org/bot%s/'
                                        'getMe "HTTP/1.1 200 OK"', SECRETS["telegram_token"])
        logging.getLogger("aiohttp.access").info(f"Authorization: Bearer {token}")
        logging.getLogger("slack_bolt").warning("signing secret %(s)s, app %(a)s",
                                                {"s": SECRETS["slack_signing_secret"],
                                                 "a": SECRETS["slack_app_token"]})
        logging.getLogger("kpibot").info("database %s", settings.database_url)
        logging.getLogger("kpibot").info("header", extra={"header": SECRETS["slack_bot_token"]})
        try:
            raise RuntimeError(f"webhook secret {SECRETS['telegram_webhook_secret']} refused")
        except RuntimeError:
            logging.getLogger("telegram.ext").exception("update failed")
        logging.getLogger("kpibot").debug("api token %s", token, stack_info=True)
    finally:
        await runner.cleanup()
        root.removeHandler(extra_handler)

    everything = [caplog.text, stream.getvalue()]
    everything += [str(vars(r)) for r in caplog.records]
    assert "request platform=api chat=acme command=snapshots" in caplog.text
    for secret in [*SECRETS.values(), DB_PASSWORD, token]:
        for output in everything:
            assert secret not in output
    assert caplog.text.count("***") >= 7
    assert "https://api.telegram.org/bot***/getMe" in caplog.text
    assert "RuntimeError: webhook secret *** refused" in stream.getvalue()
    assert all(json.loads(line) for line in stream.getvalue().splitlines())


def test_redactor_leaves_ordinary_text_alone() -> None:
    redactor = SecretRedactor(["s3cr3t-value", "ab"])  # too short to be a secret: ignored
    assert redactor.redact("x s3cr3t-value y") == "x *** y"
    assert redactor.redact("about tabs") == "about tabs"
    assert redactor.redact("Authorization: Bearer abc.def-123") == "Authorization: Bearer ***"
    assert redactor.redact("chat -100123 asked /kpi reach") == "chat -100123 asked /kpi reach"


# --------------------------------------------------------------------------- the image


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None,
         ) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def clean_env(url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", KPIBOT_DATABASE_URL=url,
               KPIBOT_HTTP_HOST="127.0.0.1", KPIBOT_HTTP_PORT=str(port),
               KPIBOT_LOG_FORMAT="json", KPIBOT_LOG_LEVEL="INFO",
               KPIBOT_TELEGRAM_WEBHOOK_SECRET=SECRETS["telegram_webhook_secret"])
    return env


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'served.db'}"
        return
    if not PG_URL:
        pytest.skip("KPIBOT_TEST_POSTGRES_URL is not set")
    schema = f"serve_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def wait_until_up(proc: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            if http("GET", f"{base}/healthz")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not come up")


@pytest.mark.slow
def test_image_entry_command_migrates_then_serves(fresh_database: str, tmp_path: Path) -> None:
    url = fresh_database
    port = free_port()
    env = clean_env(url, port)
    base = f"http://127.0.0.1:{port}"
    # without the migration, `kpibot serve` refuses an empty PostgreSQL schema
    if not url.startswith("sqlite"):
        refused = subprocess.run(["sh", str(ROOT / "docker/entrypoint.sh"), "kpibot", "serve"],
                                 env={**env, "KPIBOT_MIGRATE": "0"}, cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "kpibot migrate" in refused.stderr
    # the image: ENTRYPOINT docker/entrypoint.sh, CMD kpibot serve (SQLite: the default CMD)
    args = [] if url.startswith("sqlite") else ["kpibot", "serve"]
    err = (tmp_path / "stderr.log").open("w+")
    proc = subprocess.Popen(["sh", str(ROOT / "docker/entrypoint.sh"), *args], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        wait_until_up(proc, base)
        assert http("GET", f"{base}/readyz") == (200, {"status": "ready",
                                                      "checks": {"database": "ok"}})
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                current = sorted(conn.execute(text("SELECT version_num FROM alembic_version"))
                                 .scalars())
            assert "+".join(current) == head_revision(engine) and "0002a" in current
        finally:
            engine.dispose()
        made = subprocess.run(["kpibot", "token", "create", "--workspace", "acme"], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip().splitlines()[-1]
        status, body = http("POST", f"{base}/api/v1/snapshots", week_of_reach(), token)
        assert (status, body["written"]) == (200, 7)
        now = (date(2026, 11, 22) + timedelta(hours=10)).isoformat()
        status, body = http("GET", f"{base}/api/v1/kpi?metric=reach&period=minggu%20ini"
                                   f"&now={now}", token=token)
        assert (status, body["value"]) == (200, sum(1000 + d for d in range(7)))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        out = proc.stdout.read() if proc.stdout else ""
        err.seek(0)
        logs = err.read()
        err.close()
    assert code == 0, logs
    assert "schema at revision" in out  # `kpibot migrate` ran first
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
    requests = [r for r in lines if r["logger"] == "kpibot.requests"]
    assert {(r["platform"], r["chat"], r["command"]) for r in requests} == {
        ("api", "acme", "snapshots"), ("api", "acme", "kpi")}
    assert all(isinstance(r["latency_ms"], int | float) for r in requests)
    assert token not in logs + out
    assert SECRETS["telegram_webhook_secret"] not in logs + out


def test_deployment_files() -> None:
    docker = (ROOT / "Dockerfile").read_text()
    stages = [line for line in docker.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and all("python:3.11-slim" in s for s in stages)
    deps = docker.index("COPY pyproject.toml")
    assert deps < docker.index("pip install -r") < docker.index("COPY kpi_engine")
    assert "USER kpibot" in docker and "useradd" in docker
    assert "HEALTHCHECK" in docker and "/healthz" in docker
    assert 'CMD ["kpibot", "serve"]' in docker
    assert 'ENTRYPOINT ["kpibot-entrypoint"]' in docker and "docker/entrypoint.sh" in docker
    entry = (ROOT / "docker/entrypoint.sh").read_text()
    assert entry.index("kpibot migrate") < entry.index('exec "$@"')
    assert os.access(ROOT / "docker/entrypoint.sh", os.X_OK)

    compose = (ROOT / "docker-compose.yml").read_text()
    assert "image: postgres:15" in compose and "pg_isready" in compose
    assert "pgdata:/var/lib/postgresql/data" in compose and "\nvolumes:\n  pgdata:" in compose
    assert "condition: service_healthy" in compose and "env_file: .env" in compose
    assert "postgresql+psycopg://" in compose

    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "tests"} <= set(ignored)

    example = (ROOT / ".env.example").read_text()
    documented = {line.lstrip("# ").split("=", 1)[0] for line in example.splitlines()
                  if "KPIBOT_" in line.split("=", 1)[0] and "=" in line}
    wanted = {f"KPIBOT_{name.upper()}" for name in Settings.model_fields}
    assert wanted <= documented, wanted - documented
    for line in example.splitlines():  # no value for any secret
        name, _, value = line.lstrip("# ").partition("=")
        if any(w in name for w in ("TOKEN", "SECRET", "PASSWORD")):
            assert value.strip() == "", line

    guide = (ROOT / "docs/deploy.md").read_text()
    for topic in ("BotFather", "webhook", "polling", "slack.md", "slack_manifest.yml",
                  "PostgreSQL", "load balancer", "pg_dump", ".backup", "kpibot migrate",
                  "/readyz", "KPIBOT_LOG_FORMAT=json"):
        assert topic in guide, topic
