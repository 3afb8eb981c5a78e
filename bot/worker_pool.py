"""A process pool started on first use and replaced when its worker dies (``spawn``: no fork
of a process with threads). Used by the chart renderer (``bot/chart_cache.py``) and the
digest builder (``bot/runtime/digest_builder.py``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


def _watch_parent(parent: int, initializer: Callable[..., object], *args: Any) -> None:
    """In the worker: run ``initializer(*args)``, then exit when the bot's process is gone
    (``kill -9`` of a leader: its workers would live on, the digest builder holding a
    database connection)."""
    import os
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="kpibot-parent-watch", daemon=True).start()
    initializer(*args)


class WorkerPool:
    def __init__(self, workers: int, name: str, initializer: Callable[..., object],
                 initargs: tuple[Any, ...]) -> None:
        self.workers = workers
        self.name = name
        self.initializer = initializer
        self.initargs = initargs
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                import multiprocessing
                import os

                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent,
                    initargs=(os.getpid(), self.initializer, *self.initargs))
            return self._pool

    def died(self, pool: ProcessPoolExecutor) -> None:
        """``pool`` broke (its worker was killed, ran out of memory): the next ``executor``
        starts a new one (once, however many of its futures report it)."""
        with self._lock:
            if self._pool is pool:
                log.warning("%s: the worker process died; starting a new one", self.name)
                self._pool = None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
