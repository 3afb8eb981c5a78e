"""Charts rendered once per distinct spec (issue 18: the 08:00 digest burst).

At 08:00 every subscription of a workspace asks for the same digest chart: the same daily
series of the same metric over the same days, with the same labels. ``ChartCache.render``
keys a ``ChartSpec`` by everything that is drawn — the title and subtitle (they carry the
days and the language), the metric, the language, every (day, value) of the current and the
previous series, the target and forecast lines, the currency — so two subscriptions share a
picture exactly when their pictures would be identical, and new data (a value changed, a day
added) is a new key and a new render. Nothing is rendered ahead of time: a cached picture is
always the picture of the data the digest was built from at send time.

- **Once**: the first caller of a key renders it; callers of the same key meanwhile wait for
  that render (single flight, thread-safe: digests are built in worker threads). A failed
  render is not cached (the next caller tries again).
- **Off the event loop, off the GIL**: matplotlib is CPU-bound and holds the GIL most of the
  time; rendered in a thread of the bot's process it slows the event loop that answers the
  chats. With ``processes=1`` the renders run in a one-worker process pool (``spawn``: no
  fork of a process with threads), the calling thread only waits for the PNG bytes.
- **Over a frame**: the default ``draw`` is ``bot.chart_templates.render_daily`` — the
  burst's charts share their frame (titles, date axis, legend: most of the text), drawn once
  per layout; each chart draws only its values over it (a third of a whole render's time).
- Bounded: the last ``size`` pictures (LRU).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot.chart_templates import render_daily
from bot.charts import ChartSpec
from bot.worker_pool import WorkerPool

log = logging.getLogger(__name__)

DEFAULT_SIZE = 512


def _points(points: Any) -> tuple[tuple[str, Any], ...] | None:
    if points is None:
        return None
    return tuple((d.isoformat(), None if v is None else float(v)) for d, v in points)


def spec_key(spec: ChartSpec) -> str:
    """What makes two charts the same picture: every input that is drawn."""
    parts = (spec.title, spec.subtitle, spec.metric.key, spec.lang, _points(spec.current),
             _points(spec.previous), spec.target, spec.target_label,
             _points(spec.forecast), spec.currency)
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


#: How much lower the render processes run than the bot (``os.nice``): when the machine is
#: busy, answering a chat comes before drawing a digest's chart.
RENDER_NICENESS = 5


def _lower_priority(niceness: int) -> None:
    """The render process's initializer: below the bot's priority (where the OS lets us)."""
    import contextlib
    import os

    with contextlib.suppress(AttributeError, OSError):
        os.nice(niceness)


def _warm() -> bool:
    """Run in the worker at start: matplotlib imported, fonts loaded, before the burst."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    return True


def _raise(exc: BaseException) -> bytes:
    raise exc


class ChartCache:
    """``render(spec) -> PNG``: each distinct spec rendered once (see the module docstring).

    ``processes``: 0 renders in the calling thread; 1 (or more) in a process pool, run
    ``niceness`` below the bot (``RENDER_NICENESS``).
    ``renders`` and ``hits`` count what happened (tests, the burst benchmark)."""

    def __init__(self, *, processes: int = 0, size: int = DEFAULT_SIZE,
                 draw: Callable[[ChartSpec], bytes] = render_daily,
                 niceness: int = RENDER_NICENESS) -> None:
        self.processes = processes
        self.niceness = niceness
        self.size = size
        self.draw = draw
        self.renders = 0
        self.hits = 0
        self.render_s = 0.0  # seconds from each render's submission to its picture (summed)
        self._lock = threading.Lock()
        self._done: OrderedDict[str, bytes] = OrderedDict()
        self._pending: dict[str, Future[bytes]] = {}
        self._pool = WorkerPool(max(1, processes), "charts", _lower_priority, (niceness,))

    # -- the pool ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the render process now (it imports matplotlib: a second or two) rather than
        at the first chart of the burst. Nothing to do with ``processes=0``."""
        if self.processes > 0:
            self._executor().submit(_warm)

    def close(self) -> None:
        self._pool.close()

    def _executor(self) -> ProcessPoolExecutor:
        return self._pool.executor()

    # -- rendering -----------------------------------------------------------------------------
    def submit(self, spec: ChartSpec) -> Future[bytes]:
        """The spec's PNG as a future, without waiting: a cached picture (done), the render
        in flight for the same key, or a new render queued to the process pool. The caller's
        thread is free at once (the burst's digest threads build the next digests while the
        render process draws); ``processes=0`` renders here and returns it done."""
        key = spec_key(spec)
        with self._lock:
            png = self._done.get(key)
            if png is not None:
                self._done.move_to_end(key)
                self.hits += 1
                done: Future[bytes] = Future()
                done.set_result(png)
                return done
            waiting = self._pending.get(key)
            if waiting is not None:
                self.hits += 1
                return waiting
            mine: Future[bytes] = Future()
            self._pending[key] = mine
            self.renders += 1
        if self.processes <= 0:
            self._finish(key, mine, time.perf_counter(), lambda: self.draw(spec))
            return mine
        self._queue(key, mine, spec, time.perf_counter(), retry=True)
        return mine

    def _queue(self, key: str, mine: Future[bytes], spec: ChartSpec, started: float, *,
               retry: bool) -> None:
        pool = self._executor()
        try:
            inner = pool.submit(self.draw, spec)
        except (BrokenProcessPool, RuntimeError) as exc:  # broken or shut down: say so
            self._finish(key, mine, started, functools.partial(_raise, exc))
            return

        def landed(f: Future[bytes]) -> None:
            exc = f.exception()
            if isinstance(exc, BrokenProcessPool) and retry:  # the worker died: a new one
                self._pool.died(pool)
                self._queue(key, mine, spec, started, retry=False)
                return
            self._finish(key, mine, started, f.result)

        inner.add_done_callback(landed)

    def _finish(self, key: str, mine: Future[bytes], started: float,
                produce: Callable[[], bytes]) -> None:
        """Settle ``mine`` with what ``produce`` gives (cached) or raises (not cached)."""
        try:
            png = produce()
        except BaseException as exc:
            with self._lock:
                self._pending.pop(key, None)
            mine.set_exception(exc)
            return
        with self._lock:
            self.render_s += time.perf_counter() - started
            self._pending.pop(key, None)
            self._done[key] = png
            while len(self._done) > self.size:
                self._done.popitem(last=False)
        mine.set_result(png)

    def render(self, spec: ChartSpec) -> bytes:
        """The spec's PNG, waiting for it (``submit``)."""
        return self.submit(spec).result()
