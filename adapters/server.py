"""``kpibot serve``: one process, one HTTP server (aiohttp) on ``KPIBOT_HTTP_HOST``/``PORT``.

Each chat platform is a ``Platform`` (``adapters/telegram.py``, ``adapters/slack.py``, …):
it may add routes to the one HTTP server (Telegram webhook, Slack events), starts and stops
with the process, and sends replies to a chat for the outbox. Adding a platform is one new
file that implements this protocol, plus one line in ``configured_platforms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiohttp import web

from bot.bootstrap import App
from bot.reply import Reply, Request

log = logging.getLogger(__name__)


class Platform(Protocol):
    """A chat platform adapter: thin, it hands text to the router and renders the ``Reply``."""

    name: str

    def routes(self) -> list[web.RouteDef]:
        """HTTP routes this platform serves on the one HTTP server (may be empty)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver a reply to a chat (alerts and digests use this through the outbox)."""
        ...


async def answer(app: App, request: Request) -> Reply:
    """Run the (synchronous, database-bound) router off the event loop."""
    return await asyncio.to_thread(app.router.handle, request)


def configured_platforms(app: App) -> list[Platform]:
    """The platforms whose tokens are set (SPEC §9 settings)."""
    platforms: list[Platform] = []
    if app.settings.telegram_enabled:
        from adapters.telegram import TelegramPlatform

        platforms.append(TelegramPlatform(app))
    if app.settings.slack_enabled:
        from adapters.slack import SlackPlatform

        platforms.append(SlackPlatform(app))
    return platforms


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_web_app(app: App, platforms: list[Platform],
                  extra: list[Callable[[web.Application], None]] | None = None
                  ) -> web.Application:
    web_app = web.Application(client_max_size=20 * 1024 * 1024)
    web_app.router.add_get("/healthz", healthz)
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
    try:
        for platform in platforms:
            await platform.start()
            started.append(platform)
        if on_started is not None:
            await on_started(port)
        await stop.wait()
    finally:
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
