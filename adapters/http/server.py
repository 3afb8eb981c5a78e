"""``kpibot serve``: one process, one HTTP server (aiohttp) on ``KPIBOT_HTTP_HOST``/``PORT``.

Each chat platform is a ``Platform`` of ``adapters/chat/`` (``adapters/chat/platform.py``:
the protocol and the registry that finds them): it may add routes to the one HTTP server
(Telegram webhook, Slack events), starts and stops with the process, and sends replies to a
chat for the outbox, whose dispatcher gets each platform's delivery rules from the registry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.chat.platform import Platform, configured_platforms, delivery_policies
from adapters.http.api import READINESS_KEY, setup_api
from adapters.http.oauth import setup_oauth
from adapters.http.observability import http_metrics, metrics
from bot.bootstrap import App

log = logging.getLogger(__name__)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_web_app(app: App, platforms: list[Platform],
                  extra: list[Callable[[web.Application], None]] | None = None
                  ) -> web.Application:
    web_app = web.Application(client_max_size=20 * 1024 * 1024, middlewares=[http_metrics()])
    web_app.router.add_get("/healthz", healthz)
    setup_api(web_app, app, platforms)  # /api/v1, /readyz, /metrics
    setup_oauth(web_app, app)  # /oauth/callback of `kpibot source add --oauth`
    for platform in platforms:
        web_app.add_routes(platform.routes())
    for hook in extra or []:
        hook(web_app)
    return web_app


async def serve(app: App, *, stop: asyncio.Event | None = None,
                on_started: Callable[[int], Awaitable[None]] | None = None) -> None:
    """Start the HTTP server and every configured platform; run until ``stop`` is set
    (or SIGINT/SIGTERM)."""
    platforms = configured_platforms(app)
    web_app = build_web_app(app, platforms)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.http_host, app.settings.http_port)
    await site.start()
    port = _bound_port(runner)
    log.info("HTTP server on %s:%s; platforms: %s", app.settings.http_host, port,
             ", ".join(p.name for p in platforms) or "none")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    started: list[Platform] = []
    scheduler = None
    try:
        for platform in platforms:
            await platform.start()
            started.append(platform)
        from bot.runtime.scheduler import Scheduler  # alerts, digests and the outbox dispatcher
        from bot.runtime.supervision import Health
        from kpi_engine.services import delivery

        registry = metrics()
        registry.outbox_backlog_from(lambda: delivery.pending(app.engine))
        registry.watch_jobs(("dispatcher", "alerts", "digests", "digest", "leader"))
        health = Health(on_change=registry.job_changed)  # failing jobs: /readyz, /metrics
        web_app[READINESS_KEY].jobs = health.checks
        scheduler = Scheduler(app, {p.name: p for p in started}, health=health,
                              policies=delivery_policies(),
                              on_fired=registry.alert_fired, on_failed=registry.outbox_failed)
        registry.leader_from(lambda: scheduler is not None and scheduler.leading)
        await scheduler.start()
        web_app[READINESS_KEY].started = True
        if on_started is not None:
            await on_started(port)
        await stop.wait()
    finally:
        if scheduler is not None:
            try:
                await scheduler.close()
            except Exception:
                log.exception("stopping the scheduler failed")
        for platform in reversed(started):
            try:
                await platform.stop()
            except Exception:
                log.exception("stopping %s failed", platform.name)
        await runner.cleanup()


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return 0
