"""Supervision of the background work of ``kpibot serve`` (issue 13, item 3): the outbox
dispatcher and every scheduler job.

A failure (typically ``database is locked``: another process holds SQLite's write lock
longer than the busy timeout, or PostgreSQL restarting) must not end the work in silence.
Each piece of work has a :class:`JobHealth` in the process's :class:`Health`:

- the first failure of a streak is logged once, as an error with its cause (the traceback);
  the repeats of a streak are logged at DEBUG only, and the recovery once;
- the caller retries after :meth:`JobHealth.failed`'s delay: 1 s, 2 s, 4 s … at most
  :data:`MAX_BACKOFF` (short, so a 40 s lock delays alerts by about 40 s);
- ``/readyz`` shows every failing job (:meth:`Health.checks`) and ``/metrics`` counts the
  failures and shows whether each job is healthy (``Health.on_change``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 15.0


def backoff(failures: int) -> float:
    """Seconds to wait after the ``failures``-th failure in a row: 1, 2, 4, 8, 15, 15 …"""
    return min(FIRST_BACKOFF * 2 ** max(0, failures - 1), MAX_BACKOFF)


def cause(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__


@dataclass
class JobHealth:
    """One supervised piece of work: ``name`` (``dispatcher``, ``alerts:tick``, ``digest:3``)
    and its ``kind`` (the metrics label: ``digest`` for every digest job)."""

    name: str
    kind: str
    failures: int = 0  # in a row
    total: int = 0
    last_error: str = ""
    on_change: Callable[[JobHealth, bool], None] | None = None

    @property
    def healthy(self) -> bool:
        return self.failures == 0

    def failed(self, exc: BaseException, what: str = "") -> float:
        """Record a failure; log it (once a streak); return the seconds to wait."""
        self.failures += 1
        self.total += 1
        self.last_error = cause(exc)
        delay = backoff(self.failures)
        doing = f" ({what})" if what else ""
        if self.failures == 1:
            log.error("%s failed%s: %s; retrying in %.0f s, then with backoff until it "
                      "works", self.name, doing, self.last_error, delay, exc_info=exc)
        else:
            log.debug("%s failed again%s (%d in a row): %s; retrying in %.0f s", self.name,
                      doing, self.failures, self.last_error, delay)
        if self.on_change is not None:
            self.on_change(self, True)
        return delay

    def ok(self) -> None:
        """The work succeeded; after failures, log the recovery once."""
        if self.failures:
            log.warning("%s works again after %d failure(s) (last: %s)", self.name,
                        self.failures, self.last_error)
            self.failures = 0
            if self.on_change is not None:
                self.on_change(self, False)


@dataclass
class Health:
    """Every supervised job of the process."""

    jobs: dict[str, JobHealth] = field(default_factory=dict)
    on_change: Callable[[JobHealth, bool], None] | None = None

    def job(self, name: str, kind: str | None = None) -> JobHealth:
        found = self.jobs.get(name)
        if found is None:
            found = self.jobs[name] = JobHealth(name, kind or name.partition(":")[0],
                                                on_change=self.on_change)
        return found

    def checks(self) -> dict[str, str]:
        """``/readyz``'s view: each failing job with its streak and last error's type."""
        return {h.name: f"failing ({h.last_error.partition(':')[0]}, {h.failures}× in a row)"
                for h in self.jobs.values() if not h.healthy}
