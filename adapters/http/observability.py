"""Prometheus metrics and structured, secret-free logs for ``kpibot serve``.

Metrics live in one process-wide registry, :func:`metrics`; any part of the process updates
them through its small methods (``metrics().alert_fired("drop")``,
``metrics().outbox_backlog_from(count)``, ``metrics().outbox_failed("telegram")``) and
``GET /metrics`` renders them in the Prometheus text format.

Logs: :func:`configure_logging` (called by the CLI) writes plain text, or one JSON object per
line when ``KPIBOT_LOG_FORMAT=json``, and installs a :class:`SecretRedactor` that replaces
every configured secret (chat tokens, signing secrets, the database password, API tokens,
``Bearer`` credentials) with ``***`` in every log record, whichever handler prints it. Every
answered request logs one line with its platform, chat, command and latency
(:func:`observe_answer`, :func:`log_request`).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from kpi_engine.services.tokens import TOKEN_PATTERN

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.typedefs import Middleware

    from bot.reply import Reply, Request
    from config.settings import Settings

REDACTED = "***"
REQUEST_LOG = "kpibot.requests"
#: Latency buckets (seconds) of a chat answer or an API request.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


# --------------------------------------------------------------------------- metrics


class Metrics:
    """The bot's Prometheus metrics, in their own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter("kpibot_requests", "Requests answered (chat messages and API "
                                "calls), by platform", ["platform"], registry=r)
        self.commands = Counter("kpibot_commands", "Requests answered, by platform and command "
                                "(the reply's intent; 'error' when it was refused)",
                                ["platform", "command"], registry=r)
        self.answer_seconds = Histogram("kpibot_answer_seconds", "Time to answer a request, "
                                        "by platform", ["platform"], buckets=BUCKETS,
                                        registry=r)
        self.alerts = Counter("kpibot_alerts_fired", "Alerts that started firing (or fired "
                              "again after the repeat interval), by rule type", ["rule"],
                              registry=r)
        self.outbox_backlog = Gauge("kpibot_outbox_backlog", "Messages waiting in the outbox",
                                    registry=r)
        self.outbox_failures = Counter("kpibot_outbox_failures", "Outbox deliveries that "
                                       "failed (each failed attempt), by platform",
                                       ["platform"], registry=r)
        self.http_requests = Counter("kpibot_http_requests", "HTTP requests served, by method, "
                                     "route and status", ["method", "route", "status"],
                                     registry=r)
        self.http_seconds = Histogram("kpibot_http_request_seconds", "HTTP request latency, "
                                      "by route", ["route"], buckets=BUCKETS, registry=r)
        self.job_failures = Counter("kpibot_job_failures", "Failures of the background work "
                                    "(dispatcher, alert tick, digests, leader lock), by job "
                                    "kind; each is retried with backoff", ["job"], registry=r)
        self.job_healthy = Gauge("kpibot_job_healthy", "1 when every job of the kind works, "
                                 "0 while one is failing", ["job"], registry=r)
        self.leader = Gauge("kpibot_leader", "1 while this process leads (runs the scheduler "
                            "and the outbox dispatcher), 0 while it stands by; the sum over "
                            "the replicas of one database is 1", registry=r)
        self.api_rows = Counter("kpibot_api_rows", "Snapshot rows received by the HTTP API, "
                                "by result (inserted, replaced, rejected)", ["result"],
                                registry=r)

    # -- for the request paths ---------------------------------------------------------
    def answered(self, platform: str, command: str, seconds: float) -> None:
        self.requests.labels(platform).inc()
        self.commands.labels(platform, command).inc()
        self.answer_seconds.labels(platform).observe(seconds)

    # -- for the alerts and the outbox (other modules call these) ----------------------
    def alert_fired(self, rule: str, count: int = 1) -> None:
        self.alerts.labels(rule).inc(count)

    def set_outbox_backlog(self, waiting: int) -> None:
        self.outbox_backlog.set(waiting)

    def outbox_backlog_from(self, count: Callable[[], float]) -> None:
        """Compute the backlog when scraped (e.g. a ``SELECT count(*)`` on the outbox)."""
        self.outbox_backlog.set_function(count)

    def leader_from(self, leading: Callable[[], bool]) -> None:
        """Whether this process leads, read when scraped."""
        self.leader.set_function(lambda: 1.0 if leading() else 0.0)

    def outbox_failed(self, platform: str, count: int = 1) -> None:
        self.outbox_failures.labels(platform).inc(count)

    def job_changed(self, job: Any, failed: bool) -> None:
        """Told by ``bot.runtime.supervision.Health`` when a job fails or works again."""
        if failed:
            self.job_failures.labels(job.kind).inc()
        self.job_healthy.labels(job.kind).set(0 if failed else 1)

    def watch_jobs(self, kinds: Iterable[str]) -> None:
        """Show these kinds from the start (healthy, no failures)."""
        for kind in kinds:
            self.job_failures.labels(kind)
            self.job_healthy.labels(kind).set(1)

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition (body, content type) for an ``Accept`` header: the Prometheus
        text format, or OpenMetrics when the scraper asks for it."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type


@functools.cache
def metrics() -> Metrics:
    """The process-wide metrics (created on first use, with the process collectors)."""
    from prometheus_client import (
        GCCollector,
        PlatformCollector,
        ProcessCollector,
        disable_created_metrics,
    )

    disable_created_metrics()  # no *_created series: they double the output for nothing
    m = Metrics()
    ProcessCollector(registry=m.registry)
    PlatformCollector(registry=m.registry)
    GCCollector(registry=m.registry)
    return m


async def metrics_view(request: web.Request) -> web.Response:
    from aiohttp import web

    body, content_type = metrics().render(request.headers.get("Accept"))
    return web.Response(body=body, headers={"Content-Type": content_type})


Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


def http_metrics() -> Middleware:
    """The aiohttp middleware counting every HTTP request by route (the route's pattern,
    never the raw path). A factory, so that the CLI's logging set-up needs no aiohttp."""
    from aiohttp import web

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            m = metrics()
            m.http_requests.labels(request.method, route, str(status)).inc()
            m.http_seconds.labels(route).observe(time.perf_counter() - started)

    return middleware


# --------------------------------------------------------------------------- request logs


def log_request(platform: str, chat: str, command: str, seconds: float,
                **fields: Any) -> None:
    """One log line per request: platform, chat, command and latency (plus ``fields``)."""
    latency_ms = round(seconds * 1000, 1)
    extra = {"platform": platform, "chat": chat, "command": command,
             "latency_ms": latency_ms, **fields}
    details = "".join(f" {k}={v}" for k, v in fields.items() if v is not None)
    logging.getLogger(REQUEST_LOG).info(
        "request platform=%s chat=%s command=%s latency_ms=%s%s", platform, chat or "-",
        command, latency_ms, details, extra=extra)


def observe_answer(request: Request, reply: Reply, seconds: float) -> None:
    """Metrics and the log line of one answered chat (or API) request."""
    metrics().answered(request.platform, reply.intent, seconds)
    log_request(request.platform, request.chat_id or request.workspace or "", reply.intent,
                seconds, error=reply.error)


# --------------------------------------------------------------------------- redaction


class SecretRedactor(logging.Filter):
    """Replaces secrets in a log record (message, arguments, traceback, extra strings)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.set_secrets(secrets)

    def set_secrets(self, secrets: Iterable[str]) -> None:
        # secrets shorter than 4 characters cannot be real ones: redacting them would only
        # garble the logs
        known = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        parts = [re.escape(s) for s in known]
        parts.append(TOKEN_PATTERN.pattern)
        parts.append(r"(?:(?<=Bearer )|(?<=bearer )|(?<=BEARER ))[^\s\"',;]+")
        self.pattern = re.compile("|".join(parts))

    def redact(self, text: str) -> str:
        return self.pattern.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _PLAIN.formatException(record.exc_info)
        if record.exc_text:
            redacted = self.redact(record.exc_text)
            if redacted != record.exc_text:  # the exception itself holds a secret: keep
                record.exc_info = None  # only its redacted text (formatters print exc_text)
            record.exc_text = redacted
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                record.__dict__[key] = self.redact(value)
        return True


_PLAIN = logging.Formatter()
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime",
                                                          "taskName"}
_redactor: SecretRedactor | None = None


def configured_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold: each ``SecretStr`` field and the database password."""
    from pydantic import SecretStr
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    found = [v.get_secret_value() for v in (getattr(settings, name) for name in
                                           type(settings).model_fields)
             if isinstance(v, SecretStr)]
    for url in (settings.database_url, settings.database_direct_url):
        try:
            password = make_url(url).password if url else None
        except ArgumentError:
            password = None
        if password:
            found.append(str(password))
    return found


def install_redactor(secrets: Iterable[str]) -> SecretRedactor:
    """Redact ``secrets`` from every log record made from now on in this process (through
    the log record factory, so every handler, including test capture, sees redacted text)."""
    global _redactor
    if _redactor is not None:
        _redactor.set_secrets(secrets)
        return _redactor
    redactor = SecretRedactor(secrets)
    base = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _redactor = redactor
    return redactor


# --------------------------------------------------------------------------- formatting


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Loggers of KPI Bot itself; a library's record (PTB, aiohttp, …) gets a one-line error.
OWN_LOGGERS = ("kpibot", "adapters", "bot", "kpi_engine", "config")


class BriefLibraryErrors(logging.Filter):
    """A library's log record with a traceback (PTB logs one for a Bot API server that
    answers HTML) becomes one line: its message and the exception's ``Type: first line``.
    Installed unless the level is DEBUG; KPI Bot's own records keep their tracebacks."""

    def __init__(self, redactor: SecretRedactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.name.startswith(OWN_LOGGERS):
            return True
        exc = record.exc_info[1]
        if exc is not None:
            lines = str(exc).strip().splitlines()
            reason = f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__
            record.msg = self.redactor.redact(f"{record.getMessage()} ({reason})")
            record.args = None
        record.exc_info = record.exc_text = None
        return True


def make_handler(log_format: str, stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: Settings, *, level: str | None = None,
                      stream: Any = None) -> None:
    """Log as the settings say (level, ``text`` or ``json``) with every secret redacted.

    Like ``logging.basicConfig``, it adds its handler only when the root logger has none of
    its own yet (a test runner's capture handlers stay alone); the redaction applies always.
    """
    redactor = install_redactor(configured_secrets(settings))
    root = logging.getLogger()
    for handler in root.handlers:
        if redactor not in handler.filters:
            handler.addFilter(redactor)  # extra fields are set after the record factory
    if any(not getattr(h, "_kpibot", False) for h in root.handlers):
        return
    for handler in [h for h in root.handlers if getattr(h, "_kpibot", False)]:
        root.removeHandler(handler)
    handler = make_handler(settings.log_format, stream)
    handler._kpibot = True  # type: ignore[attr-defined]
    handler.addFilter(redactor)
    level = level or settings.log_level
    if level.upper() != "DEBUG":
        handler.addFilter(BriefLibraryErrors(redactor))
    # Alembic's INFO lines ("Context impl SQLiteImpl", one per revision) are noise before
    # the console banner and in serve's log; `kpibot migrate` prints the revision itself
    # and APScheduler's two lines per job run would bury the bot's own
    for noisy in ("alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if level.upper() == "DEBUG"
                                          else logging.WARNING)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
