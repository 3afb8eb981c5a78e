"""Digests built in a process of their own (issue 18: the 08:00 burst).

Building a digest is Python work (a dozen reads, the sections, the text): in a thread of
the bot it holds the bot's GIL, and at 08:00 every chat's ``/kpi`` waits behind it. So the
leader builds them in a one-worker process pool (``spawn``: no fork of a process with
threads), with its own engine on the same database: the bot's threads only wait for the
result. The worker returns the digest as text and what its chart draws (``Built``); the
picture is the render process's (``bot/chart_cache.py``).

``DigestBuilder.build`` is called from the scheduler's digest thread. A database the worker
cannot open by URL (SQLite in memory) is built in that thread, as before. A worker that
died is replaced once per build.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from bot.charts import ChartSpec
from bot.worker_pool import WorkerPool
from kpi_engine.services.digests import Digest, DigestText, Subscription

log = logging.getLogger(__name__)

#: How much lower the worker runs than the bot (``os.nice``): chats first.
BUILD_NICENESS = 2


@dataclass(frozen=True)
class Built:
    """A digest rendered to text, and what its chart draws."""

    lang: str
    text: DigestText
    spec: ChartSpec | None
    now: datetime


def digest_text(digest: Digest, *, chart: bool = True,
                draw: Callable[[ChartSpec], bytes] | None = None) -> DigestText:
    """``bot/digest_views.py``'s rendering, as ``services.digests.send_digest`` takes it
    (``chart=False``: the text and the chart's caption, no picture)."""
    from bot.digest_views import render_digest

    view = render_digest(digest, chart=chart, draw=draw)
    reply = view.reply
    return DigestText(reply.title, "\n".join(reply.body), reply.footer, view.chart,
                      view.chart_caption)


def build_here(store: Any, sub: Subscription, day: date, now: datetime) -> Built | None:
    """``sub``'s digest for ``day`` as text and chart spec (None: the workspace is gone)."""
    from bot.digest_views import digest_chart
    from kpi_engine.services import digests

    with store.reading():
        digest = digests.digest_to_send(store, sub, day, now)
    if digest is None:
        return None
    spec, _ = digest_chart(digest)
    return Built(digest.lang, digest_text(digest, chart=False), spec, now)


_store: Any = None  # the worker's


def _start_worker(url: str, connect_args: dict[str, Any], niceness: int) -> None:
    import contextlib
    import os

    from bot.bootstrap import open_store

    global _store
    with contextlib.suppress(AttributeError, OSError):
        os.nice(niceness)
    _store = (open_store(url) if url.startswith("sqlite") else
              open_store(url, pool_size=1, max_overflow=2, connect_args=connect_args))


def _build_in_worker(sub: Subscription, day: date, now: datetime) -> Built | None:
    return build_here(_store, sub, day, now)


def _warm() -> bool:
    import bot.digest_views  # noqa: F401  (the imports, before 08:00)

    return True


def worker_url(engine: Engine) -> str | None:
    """The URL a worker process opens the same database with (None: it cannot)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


class DigestBuilder:
    """``build(store, sub, day, now)``: in the worker process when there is one."""

    def __init__(self, engine: Engine, *, processes: int = 1,
                 niceness: int = BUILD_NICENESS) -> None:
        self.url = worker_url(engine) if processes > 0 else None
        # make_engine's connect_args (a schema's search path: the tests, the benchmarks)
        self.connect_args = dict(getattr(engine, "kpibot_connect_args", {}))
        self.processes = processes
        self.niceness = niceness
        self._pool = WorkerPool(max(1, processes), "digests", _start_worker,
                                (self.url, self.connect_args, niceness))

    def start(self) -> None:
        if self.url is not None:
            self._executor().submit(_warm)

    def close(self) -> None:
        self._pool.close()

    def _executor(self) -> ProcessPoolExecutor:
        return self._pool.executor()

    def build(self, store: Any, sub: Subscription, day: date, now: datetime) -> Built | None:
        if self.url is None:
            return build_here(store, sub, day, now)
        pool = self._executor()
        try:
            return pool.submit(_build_in_worker, sub, day, now).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): a new one
            self._pool.died(pool)
            return self._executor().submit(_build_in_worker, sub, day, now).result()
