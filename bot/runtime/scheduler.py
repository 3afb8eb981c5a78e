"""The scheduler inside ``kpibot serve`` (APScheduler 3.11 ``AsyncIOScheduler``).

- **Leader**: several ``kpibot serve`` processes on one PostgreSQL database run the scheduler
  and the outbox dispatcher once: the process holding the leader lock
  (``kpi_engine/storage/leader.py``: a PostgreSQL advisory lock on its own connection) leads; the others retry every few seconds and
  take over when the leader's connection goes. SQLite runs one process: it always leads.
- **Jobs** (explicit ids, ``replace_existing``), rebuilt from the database when the leader
  starts and re-synced every minute (a ``/langganan`` handled by another process is picked
  up): ``alerts:tick`` every 5 minutes; ``sources:sync`` every minute runs the data sources
  that are due (each source's nightly slot, spread between 01:00 and 05:00 workspace time by
  ``kpi_engine/domain/sources.next_nightly``; a resume after a rate limit; ``/sumber sync``); ``digest:<id>`` per subscription at its local time
  (``CronTrigger`` in the workspace's timezone: DST-safe). ``coalesce`` and
  ``misfire_grace_time``: a restart after the time sends the missed digest once — at
  (re)build a job whose last fire time has no digest yet gets that time as its next run.
- **Supervised** (``bot/runtime/supervision.py``): a job that fails (the database locked or gone)
  is logged once with its cause and retried with backoff by a one-off ``retry:<job>`` job,
  instead of waiting for its next turn (tomorrow, for a digest); the dispatcher retries
  by itself. Failing jobs show in ``/readyz`` and ``/metrics``.
- **The 08:00 burst** (issue 18; ``run_digest`` has the steps): digests are built in a pool of
  their own (``DIGEST_THREADS``), never in the default executor that the chats, the dispatcher's claims
  and the update checks use, so 2,000 digests due at once do not queue ahead of a ``/kpi``.
  Their charts go through one ``ChartCache`` (``bot/chart_cache.py``): a chart that several
  subscriptions share is rendered once, in a render process (``RENDER_PROCESSES``) so that
  matplotlib does not hold the bot's GIL. A digest whose whole text fits the platform's
  caption (``Sender.caption_fits``) is queued as one message, the chart with the text.
- A digest is for the local day of its fire time; ``digests.queue_digest`` refuses a day
  already done, so a double fire (the repeated hour when clocks go back) or two processes
  never send it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.alert_charts import AlertCharts
from bot.alert_views import render
from bot.bootstrap import App
from bot.chart_cache import ChartCache
from bot.reply import Reply
from bot.runtime.delivery import DeliveryPolicy, Sender
from bot.runtime.digest_builder import Built, DigestBuilder
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.shared_builds import SharedBuilds
from bot.runtime.supervision import Health, JobHealth
from kpi_engine.services import digests
from kpi_engine.services.alert_tick import run_alert_tick
from kpi_engine.services.delivery import LeaderLock
from kpi_engine.services.digests import DigestText, Subscription

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TICK_SECONDS = 300
SYNC_SECONDS = 60
SOURCES_SECONDS = 60
LEADER_RETRY_SECONDS = 10.0
MISFIRE_GRACE = timedelta(hours=12)
#: Threads that build digests (their own pool: see the module docstring). One: the builds
#: are Python (they hold the GIL), shared by a workspace's subscribers; measured in
#: bench/burst.py, a second thread made the burst no shorter and the chats' answers slower.
DIGEST_THREADS = 1
#: Processes that build digests (0: in the digest thread; ``bot/runtime/digest_builder.py``).
DIGEST_PROCESSES = 1
#: How long a built digest serves the workspace's other subscribers (``SharedBuilds``).
DIGEST_SHARE_SECONDS = 60.0
#: Threads that queue built digests (one transaction each) once their chart is drawn (one
#: keeps up with 30 messages/s).
QUEUE_THREADS = 1
#: Processes that render the digests' charts (0: in the digest threads).
RENDER_PROCESSES = 1


def trigger_for(sub: Subscription, timezone: str) -> Any:
    from apscheduler.triggers.cron import CronTrigger

    tz = ZoneInfo(timezone)
    if sub.kind == "weekly":
        return CronTrigger(day_of_week=WEEKDAYS[sub.weekday or 0], hour=sub.hour,
                           minute=sub.minute, timezone=tz)
    return CronTrigger(hour=sub.hour, minute=sub.minute, timezone=tz)


def last_fire(trigger: Any, now: datetime) -> datetime | None:
    """The trigger's latest fire time at or before ``now`` (within 8 days)."""
    now = now.astimezone(UTC)  # compared in UTC: an aware local time ignores its fold
    fire = trigger.get_next_fire_time(None, now - timedelta(days=8))
    last = None
    while fire is not None and fire.astimezone(UTC) <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire)
    return last


def missed_fire(sub: Subscription, timezone: str, now: datetime,
                grace: timedelta = MISFIRE_GRACE) -> datetime | None:
    """The fire time a restart missed: the last one, when its day has no digest yet and it
    is within the grace time."""
    fire = last_fire(trigger_for(sub, timezone), now)
    if fire is None or now.astimezone(UTC) - fire.astimezone(UTC) > grace:
        return None
    day = fire.astimezone(ZoneInfo(timezone)).date()
    if sub.last_day is not None and sub.last_day >= day:
        return None
    return fire


@dataclass
class _Staged:
    """A digest built and rendered to text, its chart on its way (``run_digest``)."""

    sub: Subscription
    day: date
    now: datetime
    lang: str
    text: DigestText
    chart: Future[bytes] | None


class Scheduler:
    """Leader election, the APScheduler jobs and the dispatcher of one ``kpibot serve``."""

    def __init__(self, app: App, platforms: Mapping[str, Sender], *,
                 clock: Callable[[], datetime] | None = None, tick_seconds: float = TICK_SECONDS,
                 sync_seconds: float = SYNC_SECONDS,
                 leader_retry: float = LEADER_RETRY_SECONDS,
                 misfire_grace: timedelta = MISFIRE_GRACE,
                 dispatcher: Dispatcher | None = None,
                 policies: Mapping[str, DeliveryPolicy] | None = None,
                 on_fired: Callable[[str], None] | None = None,
                 on_failed: Callable[[str], None] | None = None,
                 health: Health | None = None, charts: ChartCache | None = None) -> None:
        """``on_fired(kind)`` is told of every alert that starts (or repeats) firing and
        ``on_failed(platform)`` of every failed delivery attempt (``serve`` counts them for
        ``/metrics``). ``policies``: each platform's delivery rules, for the dispatcher.
        ``charts``: where digest charts are rendered (default: a ``ChartCache`` with
        ``RENDER_PROCESSES`` render processes, started when this process leads)."""
        self.app = app
        self.clock = clock or app.router.clock  # the app's clock (tests fix it)
        self.tick_seconds = tick_seconds
        self.sync_seconds = sync_seconds
        self.leader_retry = leader_retry
        self.misfire_grace = misfire_grace
        # its own connection, straight to PostgreSQL (KPIBOT_DATABASE_DIRECT_URL) when set
        self.lock = LeaderLock(app.engine,
                               direct_url=getattr(app.settings, "database_direct_url", None))
        self.health = health or Health()
        # it runs only while this process leads: then it is the database's sole dispatcher
        self.dispatcher = dispatcher or Dispatcher(app.engine, platforms, clock=self.clock,
                                                   policies=policies, sole=True, on_failed=on_failed,
                                                   health=self.health.job("dispatcher"),
                                                   charts=AlertCharts(app.store).draw)
        self.on_fired = on_fired
        self.charts = charts or ChartCache(processes=RENDER_PROCESSES)
        self._pools: dict[str, ThreadPoolExecutor] = {}  # "digest" (builds), "queue"
        self.builds: SharedBuilds[Built | None] = SharedBuilds(DIGEST_SHARE_SECONDS)
        self.digest_builder = DigestBuilder(app.engine, processes=DIGEST_PROCESSES)
        self.leading = False
        self.scheduler: Any = None
        self._signatures: dict[str, tuple[Any, ...]] = {}
        self._stop = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._dispatch_stop: asyncio.Event | None = None
        self._dispatch_task: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._stop.clear()
        await self._try_lead()
        self._loop_task = asyncio.create_task(self._watch(), name="kpibot-leader")

    async def stop(self) -> None:
        self._stop.set()
        if self._loop_task is not None:
            await self._loop_task
            self._loop_task = None
        await self._step_down()
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        self._pools.clear()
        await asyncio.to_thread(self.charts.close)
        await asyncio.to_thread(self.digest_builder.close)

    async def _watch(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.leader_retry)
            if self._stop.is_set():
                return
            if self.leading:
                held = await asyncio.to_thread(self.lock.held)
                if not held:
                    log.warning("scheduler: lost the leader lock; standing by")
                    await self._step_down()
                elif self._dispatch_task is not None and self._dispatch_task.done():
                    self._restart_dispatcher()
            else:
                await self._try_lead()

    def _restart_dispatcher(self) -> None:
        """The dispatcher's loop ended while leading (it should not): say why, start it
        again."""
        assert self._dispatch_task is not None and self._dispatch_stop is not None
        error = (None if self._dispatch_task.cancelled() else
                 self._dispatch_task.exception())
        self.health.job("dispatcher").failed(error or RuntimeError("the dispatcher stopped"),
                                             "its loop ended")
        self._dispatch_task = asyncio.create_task(self.dispatcher.run(self._dispatch_stop),
                                                  name="kpibot-dispatcher")

    async def _try_lead(self) -> None:
        leader = self.health.job("leader")
        try:
            got = await asyncio.to_thread(self.lock.try_acquire)
        except Exception as exc:
            leader.failed(exc, "asking for the leader lock")  # retried every few seconds
            return
        leader.ok()
        if got and not self.leading:
            await self._lead()
        elif not got:
            log.info("scheduler: another process leads; standing by")

    async def _lead(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        self.leading = True
        self.charts.start()  # the render process imports matplotlib now, not at 08:00
        self.digest_builder.start()
        self.scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={
            "coalesce": True, "max_instances": 1,
            "misfire_grace_time": int(self.misfire_grace.total_seconds())})
        self._signatures = {}
        self.scheduler.add_job(self.alert_tick, IntervalTrigger(seconds=self.tick_seconds),
                               id="alerts:tick", name="alert rules", replace_existing=True,
                               next_run_time=datetime.now(UTC))
        self.scheduler.add_job(self.sync_jobs, IntervalTrigger(seconds=self.sync_seconds),
                               id="digests:sync", name="digest jobs from the database",
                               replace_existing=True)
        self.scheduler.add_job(self.sync_sources, IntervalTrigger(seconds=SOURCES_SECONDS),
                               id="sources:sync", name="data sources that are due",
                               replace_existing=True)
        await self.sync_jobs()
        self.scheduler.start()
        self._dispatch_stop = asyncio.Event()
        self._dispatch_task = asyncio.create_task(self.dispatcher.run(self._dispatch_stop),
                                                  name="kpibot-dispatcher")
        log.info("scheduler: leading (%d digest job(s), alert tick every %ss)",
                 len(self._signatures), self.tick_seconds)

    async def _step_down(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None
        if self._dispatch_stop is not None:
            self._dispatch_stop.set()
        if self._dispatch_task is not None:
            with contextlib.suppress(Exception):
                await self._dispatch_task
        self._dispatch_task = self._dispatch_stop = None
        self.leading = False
        await asyncio.to_thread(self.lock.release)

    async def close(self) -> None:
        """``stop``, then close the leader lock's own engine."""
        await self.stop()
        await asyncio.to_thread(self.lock.close)

    # -- jobs ----------------------------------------------------------------------------------
    def _retry(self, job: JobHealth, exc: Exception, work: Callable[..., Any],
               *args: Any) -> None:
        """Log the failure (once a streak) and run ``work`` again after the backoff."""
        from apscheduler.triggers.date import DateTrigger

        delay = job.failed(exc)
        if self.scheduler is None:
            return
        self.scheduler.add_job(work, DateTrigger(datetime.now(UTC) + timedelta(seconds=delay)),
                               args=list(args), id=f"retry:{job.name}",
                               name=f"retry of {job.name}", replace_existing=True)

    async def alert_tick(self) -> int:
        """Evaluate every alert rule and queue what fires."""
        job = self.health.job("alerts:tick")
        try:
            queued = await asyncio.to_thread(run_alert_tick, self.app.store, self.clock(),
                                             render)
        except Exception as exc:
            self._retry(job, exc, self.alert_tick)
            return 0
        job.ok()
        if queued:
            log.info("alerts: %d event(s) queued", len(queued))
            if self.on_fired is not None:
                for q in queued:
                    if q.event.state == "firing":
                        self.on_fired(q.event.observation.kind)
            self.dispatcher.wake()
        return len(queued)

    async def sync_sources(self) -> int:
        """Sync every data source whose time has come (leader only: this job exists only
        while leading). Returns how many were synced."""
        job = self.health.job("sources:sync")
        service = getattr(self.app, "sources", None)
        if service is None:
            return 0
        try:
            done = await asyncio.to_thread(service.sync_due, self.clock())
        except Exception as exc:
            self._retry(job, exc, self.sync_sources)
            return 0
        job.ok()
        if done:
            log.info("sources: %d synced, %d rows", len(done), sum(r.rows for r in done))
            self.dispatcher.wake()  # a failure's notice to the admins
        return len(done)

    async def sync_jobs(self) -> None:
        """Digest jobs = the subscriptions in the database (added, changed, removed)."""
        job = self.health.job("digests:sync")
        try:
            subs = await asyncio.to_thread(digests.subscriptions, self.app.store)
            zones = {ws.id: ws.timezone for ws in
                     await asyncio.to_thread(self.app.store.workspaces)}
        except Exception as exc:
            self._retry(job, exc, self.sync_jobs)
            return
        job.ok()
        wanted: dict[str, tuple[Subscription, str]] = {
            f"digest:{s.id}": (s, zones.get(s.workspace_id, "Asia/Jakarta")) for s in subs}
        for job_id in list(self._signatures):
            if job_id not in wanted:
                with contextlib.suppress(Exception):
                    self.scheduler.remove_job(job_id)
                del self._signatures[job_id]
        now = self.clock()
        for job_id, (sub, zone) in wanted.items():
            signature = (sub.kind, sub.weekday, sub.hour, sub.minute, zone)
            if self._signatures.get(job_id) == signature:
                continue
            kwargs: dict[str, Any] = {}
            missed = missed_fire(sub, zone, now, self.misfire_grace)
            if missed is not None:
                kwargs["next_run_time"] = missed
                log.info("digest %s: missed %s; sending it now", job_id, missed.isoformat())
            self.scheduler.add_job(self.run_digest, trigger_for(sub, zone), args=[sub.id],
                                   id=job_id, name=f"{sub.kind} digest to {sub.platform}:"
                                   f"{sub.chat_id}", replace_existing=True, **kwargs)
            self._signatures[job_id] = signature

    async def run_digest(self, sub_id: int) -> bool:
        """Build, render and queue one subscription's digest for the day of its last fire
        time; False when there is nothing to send (already sent, or gone).

        Three steps, so that no thread waits for a picture: the digest is built in the
        digest pool and its chart handed to the ``ChartCache`` (a future); this coroutine
        awaits the picture on the event loop; the queueing transaction runs in a pool of its
        own (``QUEUE_THREADS``), so queueing a digest whose chart is ready never waits
        behind the builds of the rest of the burst."""
        job = self.health.job(f"digest:{sub_id}", "digest")
        loop = asyncio.get_running_loop()
        try:
            staged = await loop.run_in_executor(  # now: when it starts
                self._pool("digest", DIGEST_THREADS), lambda: self._build(sub_id, self.clock()))
            done = False
            if staged is not None:
                if staged.chart is not None:
                    png = await asyncio.wrap_future(staged.chart)
                    staged = replace(staged, text=replace(staged.text, chart_png=png))
                done = await loop.run_in_executor(
                    self._pool("queue", QUEUE_THREADS), lambda: self._queue(staged))
        except Exception as exc:  # retried: its next turn would be tomorrow
            self._retry(job, exc, self.run_digest, sub_id)
            return False
        job.ok()
        if done:
            self.dispatcher.wake()
        return done

    def _pool(self, name: str, threads: int) -> ThreadPoolExecutor:
        pool = self._pools.get(name)
        if pool is None:
            pool = self._pools[name] = ThreadPoolExecutor(
                threads, thread_name_prefix=f"kpibot-{name}")
        return pool

    def _build(self, sub_id: int, now: datetime) -> _Staged | None:
        """The digest due now, its text, and its chart on its way (None: nothing due).
        Subscribers of one workspace with the same kind, language and alerts window share
        one build (``self.builds``); the stamp is the build's (``now`` of the digest that
        is sent: the next digest's alerts start there, none falls between two)."""
        store = self.app.store
        with store.reading():  # one connection for the build's reads
            found = digests.digest_for(store, sub_id)
            if found is None:
                return None
            sub, ws = found
            fire = last_fire(trigger_for(sub, ws.timezone), now)
            if fire is None:
                return None
            day = fire.astimezone(ZoneInfo(ws.timezone)).date()
            if sub.last_day is not None and sub.last_day >= day:
                return None
            key = (sub.workspace_id, sub.kind, day, sub.lang or ws.language, sub.last_at)
            built = self.builds.get(key, lambda: self._built(sub, day, now))
        if built is None:
            return None
        return _Staged(sub, day, built.now, built.lang, built.text,
                       None if built.spec is None else self.charts.submit(built.spec))

    def _built(self, sub: Subscription, day: date, now: datetime) -> Built | None:
        return self.digest_builder.build(self.app.store, sub, day, now)

    def _queue(self, staged: _Staged) -> bool:
        return digests.queue_text(self.app.store, staged.sub, staged.day, staged.now,
                                  staged.lang, staged.text, self._one_message)

    def _one_message(self, platform: str, text: DigestText) -> bool:
        """Whether the platform takes this digest as one message (``caption_fits``)."""
        fits = getattr(self.dispatcher.platforms.get(platform), "caption_fits", None)
        return fits is not None and bool(fits(as_reply(text)))


def as_reply(text: DigestText) -> Reply:
    """The reply the dispatcher will send for a one-message digest (``dispatcher.as_reply``
    of its outbox row)."""
    return Reply(title=text.title, body=text.body.split("\n") if text.body else [],
                 footer=text.footer, intent="digest", chart=text.chart_png)

