"""The chat platforms: one small ``Platform`` protocol and the registry that finds them.

A platform (``telegram.py``, ``slack.py`` …, one module in ``adapters/chat/``) is thin: it
hands text to the one router (``answer``) and renders the ``Reply``. It may add routes to the
one HTTP server (Telegram webhook, Slack events), starts and stops with ``kpibot serve``, and
sends replies to a chat for the outbox. Its delivery rules (rate limits, which errors are a
rate limit and which are permanent) are its ``policy``, a ``bot.runtime.delivery``
``DeliveryPolicy``: the dispatcher gets them from here and names no platform.

Adding a platform is one new module here that ends with ``PLATFORM = PlatformKind(...)``,
plus its settings (``config/settings.py``): ``kinds()`` finds every module of this package
that declares one, so the server, the bootstrap and the dispatcher need no edit.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from adapters.http.observability import observe_answer
from bot.bootstrap import App
from bot.reply import Reply, Request
from bot.runtime.delivery import DeliveryPolicy
from config.settings import Settings


class PlatformConfigError(RuntimeError):
    """A platform's settings are incomplete or contradictory; the message says which."""


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


@dataclass(frozen=True)
class PlatformKind:
    """What the registry knows of a platform before it runs: its ``name`` (``Request.platform``
    and the outbox's), whether the settings turn it on, how to make it for an ``App``, its
    delivery ``policy`` and its ``mention`` syntax (how a message names a user: the bot's own
    mention is dropped from the text, the others are kept for commands like ``/peran``)."""

    name: str
    enabled: Callable[[Settings], bool]
    make: Callable[[App], Platform]
    policy: DeliveryPolicy
    mention: re.Pattern[str] | None = None


def kinds() -> list[PlatformKind]:
    """Every platform of this package (the modules that declare ``PLATFORM``), by name."""
    package = importlib.import_module(__package__ or "adapters.chat")
    found: dict[str, PlatformKind] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        kind = getattr(module, "PLATFORM", None)
        if isinstance(kind, PlatformKind):
            found[kind.name] = kind
    return [found[name] for name in sorted(found)]


def configured_platforms(app: App) -> list[Platform]:
    """The platforms whose settings turn them on (SPEC §9 settings)."""
    return [kind.make(app) for kind in kinds() if kind.enabled(app.settings)]


def delivery_policies() -> dict[str, DeliveryPolicy]:
    """Each platform's delivery rules by name, for the outbox dispatcher."""
    return {kind.name: kind.policy for kind in kinds()}


def answer_now(app: App, request: Request) -> Reply | None:
    """The reply, made here on the event loop, when the router finds it quick: a read-only
    command on the in-process database (``Router.handle_quick``); else ``None``. A thread
    hop costs more than such an answer (the GIL passes back and forth between the loop and
    the worker), so this keeps cheap questions fast under load."""
    started = time.perf_counter()
    reply = app.router.handle_quick(request)
    if reply is not None:
        observe_answer(request, reply, time.perf_counter() - started)
    return reply


async def answer_later(app: App, request: Request) -> Reply:
    """Run the (synchronous, database-bound) router off the event loop; count and log it."""
    started = time.perf_counter()
    reply = await asyncio.to_thread(app.router.handle, request)
    observe_answer(request, reply, time.perf_counter() - started)
    return reply


async def answer(app: App, request: Request) -> Reply:
    """The router's reply: on the loop when quick (``answer_now``), else off it."""
    reply = answer_now(app, request)
    return reply if reply is not None else await answer_later(app, request)
