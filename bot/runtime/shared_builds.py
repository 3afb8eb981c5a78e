"""Work that several callers ask for at once, done once (issue 18: the 08:00 burst).

At 08:00 each workspace's subscribers ask for the same digest: the same workspace, kind,
day and language, and (once they have had one) the same alerts window. ``SharedBuilds``
builds it once for all of them: the first caller of a key builds, callers of the same key
meanwhile wait for that build (single flight, thread-safe), callers within ``ttl`` seconds
after it get the result. A failed build is not kept (the next caller builds again).

The time to live is short (the burst's span: a digest built a minute ago reads the data of
a minute ago), and bounded to the last ``size`` keys.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

V = TypeVar("V")


class SharedBuilds(Generic[V]):
    def __init__(self, ttl: float, *, size: int = 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self.builds = 0
        self.shared = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Future[V]]] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        """``build()``'s result for ``key``: built now, or shared (see the module)."""
        now = self.clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and (not found[1].done() or now - found[0] <= self.ttl):
                self.shared += 1
                self._entries.move_to_end(key)
                waiting: Future[V] | None = found[1]
            else:
                waiting = None
                mine: Future[V] = Future()
                self._entries[key] = (now, mine)
                self._entries.move_to_end(key)
                self.builds += 1
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        if waiting is not None:
            return waiting.result()
        try:
            value = build()
        except BaseException as exc:
            with self._lock:
                if self._entries.get(key, (0.0, None))[1] is mine:
                    del self._entries[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            if key in self._entries and self._entries[key][1] is mine:
                self._entries[key] = (self.clock(), mine)  # its time to live from now
        mine.set_result(value)
        return value
