"""The scheduler of ``kpibot serve``: digest jobs at local times (DST-safe), a missed digest
sent once after a restart, jobs rebuilt from the database, one leader per PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from bot.bootstrap import App, bootstrap
from bot.reply import Reply
from bot.runtime.delivery import Limits
from bot.runtime.scheduler import Scheduler, last_fire, missed_fire, trigger_for
from config.settings import Settings
from kpi_engine.domain.model import Role
from kpi_engine.storage import alert_store
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.alert_store import Subscription
from kpi_engine.storage.leader import LeaderLock, LeaderLockMisconfigured
from kpi_engine.storage.outbox import Message, enqueue

JAKARTA = ZoneInfo("Asia/Jakarta")
BERLIN = ZoneInfo("Europe/Berlin")
FAST = {"telegram": Limits(per_second=None, chat_interval=0.05)}


@dataclass
class FakePlatform:
    name: str = "telegram"
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.sent.append((chat_id, reply))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def sub(kind: str = "daily", hour: int = 8, minute: int = 0, weekday: int | None = None,
        last_day: date | None = None) -> Subscription:
    return Subscription(1, 1, "telegram", "1", kind, weekday, hour, minute, last_day=last_day)


def test_missed_fire_is_the_last_one_when_its_day_has_no_digest() -> None:
    day = date(2026, 11, 23)
    at_0930 = datetime(2026, 11, 23, 9, 30, tzinfo=JAKARTA)
    assert missed_fire(sub(), "Asia/Jakarta", at_0930) == datetime(2026, 11, 23, 8, 0,
                                                                   tzinfo=JAKARTA)
    assert missed_fire(sub(last_day=day), "Asia/Jakarta", at_0930) is None
    assert missed_fire(sub(), "Asia/Jakarta", at_0930 + timedelta(hours=20)) is None  # grace
    monday = missed_fire(sub("weekly", 9, 0, weekday=0), "Asia/Jakarta",
                         datetime(2026, 11, 25, 8, 0, tzinfo=JAKARTA))
    assert monday is None  # Monday 09:00 is two days ago: beyond the grace
    assert missed_fire(sub("weekly", 9, 0, weekday=0), "Asia/Jakarta",
                       datetime(2026, 11, 23, 10, 0, tzinfo=JAKARTA)) == \
        datetime(2026, 11, 23, 9, 0, tzinfo=JAKARTA)


def test_digest_times_stay_local_across_daylight_saving() -> None:
    trigger = trigger_for(sub(hour=8), "Europe/Berlin")
    fire = trigger.get_next_fire_time(None, datetime(2026, 3, 26, tzinfo=UTC))
    hours = []
    for _ in range(6):
        hours.append((fire.astimezone(BERLIN).hour, fire.astimezone(UTC).hour))
        fire = trigger.get_next_fire_time(fire, fire)
    assert [h for h, _ in hours] == [8] * 6  # 08:00 in Berlin, every day
    assert {u for _, u in hours} == {7, 6}  # which is 07:00 UTC, then 06:00 UTC


@pytest.fixture
def app(db_engine: Engine) -> App:
    return bootstrap(Settings(), engine=db_engine, check_schema=False)


async def test_repeated_hour_fires_twice_but_sends_one_digest(app: App) -> None:
    ws = app.store.ensure_workspace("berlin", timezone="Europe/Berlin")
    app.store.link_chat(ws.id, "telegram", "1", Role.ADMIN)
    s = alert_store.subscribe(app.store, ws.id, "telegram", "1", "daily", 2, 30,
                              datetime(2026, 10, 1, tzinfo=UTC))
    trigger = trigger_for(s, ws.timezone)
    first = trigger.get_next_fire_time(None, datetime(2026, 10, 24, 12, tzinfo=UTC))
    second = trigger.get_next_fire_time(first, first)
    assert first.date() == second.date() == date(2026, 10, 25)
    # 02:30 CEST, then 02:30 CET: APScheduler fires twice
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    clock = Clock(first)
    scheduler = Scheduler(app, {}, clock=clock)
    assert await scheduler.run_digest(s.id)
    clock.now = second
    assert not await scheduler.run_digest(s.id)
    next_day = last_fire(trigger, datetime(2026, 10, 26, 3, tzinfo=UTC))
    assert next_day is not None
    clock.now = next_day
    assert await scheduler.run_digest(s.id)  # the next day's
    with app.store.connect() as conn:
        keys = list(conn.execute(select(a.outbox.c.key).where(
            a.outbox.c.kind == "digest").order_by(a.outbox.c.id)).scalars())
    assert [k for k in keys if k.endswith(":text")] == [
        f"d:{s.id}:2026-10-25:text", f"d:{s.id}:2026-10-26:text"]


async def test_a_restart_after_the_time_sends_the_missed_digest_once(app: App) -> None:
    from kpi_engine.services.seed import seed_demo

    missed = datetime.now(JAKARTA) - timedelta(minutes=10)
    ws, _ = seed_demo(app.store, missed.date())  # data: the digest has numbers and a chart
    app.store.link_chat(ws.id, "telegram", "77", Role.ADMIN)
    s = alert_store.subscribe(app.store, ws.id, "telegram", "77", "daily", missed.hour,
                              missed.minute, datetime.now(UTC))
    platform = FakePlatform()
    scheduler = Scheduler(app, {"telegram": platform}, leader_retry=0.2)
    scheduler.dispatcher.pacers["telegram"].limits = FAST["telegram"]
    await scheduler.start()
    try:
        assert scheduler.leading
        job = scheduler.scheduler.get_job(f"digest:{s.id}")
        assert job is not None and job.coalesce
        deadline = time.monotonic() + 20
        digests = [r for _, r in platform.sent if r.intent == "digest"]
        while len(digests) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            digests = [r for _, r in platform.sent if r.intent == "digest"]
        assert len(digests) == 2  # the text, then the chart
        assert "Ringkasan harian" in digests[0].title and digests[0].chart is None
        assert (digests[1].chart or b"")[:4] == b"\x89PNG"
        next_run = scheduler.scheduler.get_job(f"digest:{s.id}").next_run_time
        assert timedelta(hours=23) < next_run - datetime.now(UTC) <= timedelta(hours=24)
    finally:
        await scheduler.stop()
    again = Scheduler(app, {"telegram": platform})
    await again.start()
    try:
        await asyncio.sleep(1.5)
    finally:
        await again.stop()
    with app.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(a.outbox).where(
            a.outbox.c.kind == "digest")).scalar() == 2
    assert len([r for _, r in platform.sent if r.intent == "digest"]) == 2


async def test_jobs_are_rebuilt_from_the_subscriptions(app: App) -> None:
    ws = app.store.ensure_workspace("jobs")
    now = datetime(2026, 11, 23, 3, tzinfo=UTC)
    one = alert_store.subscribe(app.store, ws.id, "telegram", "1", "daily", 8, 0, now)
    scheduler = Scheduler(app, {}, clock=lambda: now)
    await scheduler.start()
    try:
        ids = {j.id for j in scheduler.scheduler.get_jobs()}
        assert ids == {"alerts:tick", "digests:sync", "sources:sync", f"digest:{one.id}"}
        two = alert_store.subscribe(app.store, ws.id, "telegram", "2", "weekly", 9, 0, now,
                                    weekday=0)
        alert_store.subscribe(app.store, ws.id, "telegram", "1", "daily", 18, 15, now)
        await scheduler.sync_jobs()
        job = scheduler.scheduler.get_job(f"digest:{one.id}")
        assert "hour='18'" in str(job.trigger) and "minute='15'" in str(job.trigger)
        assert scheduler.scheduler.get_job(f"digest:{two.id}") is not None
        alert_store.unsubscribe(app.store, "telegram", "1")
        await scheduler.sync_jobs()
        assert scheduler.scheduler.get_job(f"digest:{one.id}") is None
    finally:
        await scheduler.stop()


async def test_the_alert_tick_queues_and_wakes_the_dispatcher(app: App) -> None:
    from kpi_engine.services.demo import engagement_dip_week
    from kpi_engine.services.seed import seed_demo

    today = date(2026, 11, 22)
    ws, _ = seed_demo(app.store, today)
    app.store.link_chat(ws.id, "telegram", "5", Role.VIEWER)
    monday = engagement_dip_week(today)[1] + timedelta(days=1)
    clock = Clock(datetime(monday.year, monday.month, monday.day, 9, tzinfo=JAKARTA))
    platform = FakePlatform()
    fired: list[str] = []
    scheduler = Scheduler(app, {"telegram": platform}, clock=clock, on_fired=fired.append)
    scheduler.dispatcher.pacers["telegram"].limits = FAST["telegram"]
    # four drops: youtube's ER per post is by subscribers (SPEC §3.1) and the dip hit it too
    assert await scheduler.alert_tick() == 4
    assert fired == ["drop"] * 4  # what /metrics counts as alerts fired
    await scheduler.dispatcher.drain()
    texts = [r for _, r in platform.sent if r.chart is None]
    assert [r.title.split(" · ")[-1] for r in texts] == [
        "instagram", "tiktok", "youtube", "semua kanal sendiri"]
    # issue 15: the scheduler's dispatcher draws each drop's chart; this platform takes no
    # caption, so each chart goes just before its text
    charts = [r for _, r in platform.sent if r.chart is not None]
    assert [r.title for r in charts] == [r.title for r in texts]
    assert all(r.chart.startswith(b"\x89PNG") for r in charts if r.chart)
    assert [r.chart is not None for _, r in platform.sent] == [True, False] * 4


# -- one leader per PostgreSQL -------------------------------------------------------------------

@pytest.mark.postgres
def test_leader_lock_is_held_by_one_session(db_engine: Engine) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    first, second = LeaderLock(db_engine), LeaderLock(db_engine)
    assert first.try_acquire() and first.held()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def _direct_url(engine: Engine, database: str | None = None) -> str:
    """The test database's URL straight to PostgreSQL, in the test schema (as
    ``KPIBOT_DATABASE_DIRECT_URL`` would be), or to another ``database``."""
    from tests.conftest import PG_URL

    assert PG_URL is not None
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    url = make_url(PG_URL).set(query={"options": f"-csearch_path={schema}"})
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
def test_the_direct_url_lock_is_the_same_lock_as_the_pooled_one(db_engine: Engine) -> None:
    """A replica with KPIBOT_DATABASE_DIRECT_URL and one without take the same lock (a rolling
    change of the setting never makes two leaders); the lock's session has TCP keepalives."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    direct = LeaderLock(db_engine, direct_url=_direct_url(db_engine))
    pooled = LeaderLock(db_engine)
    try:
        assert direct.try_acquire() and direct.held()
        assert not pooled.try_acquire()
        assert direct._conn is not None
        assert direct._conn.execute(text("SHOW tcp_keepalives_idle")).scalar() == "5"
        assert direct._conn.execute(text(
            "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        )).scalar() == "kpibot-leader"  # its own connection, not one of the pool's
        direct.release()
        assert not direct.held()
        assert pooled.try_acquire()
        assert not direct.try_acquire()
    finally:
        direct.close()
        pooled.close()


@pytest.mark.postgres
def test_a_direct_url_to_another_database_is_refused(db_engine: Engine) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    wrong = LeaderLock(db_engine, direct_url=_direct_url(db_engine, database="postgres"))
    try:
        with pytest.raises(LeaderLockMisconfigured, match="another database"):
            wrong.try_acquire()
        assert not wrong.held()
    finally:
        wrong.close()


@pytest.mark.postgres
def test_prepare_threshold_none_in_the_url_turns_server_side_preparing_off(
        db_engine: Engine) -> None:
    """Behind PgBouncer < 1.21 in transaction mode (docs/deploy.md §5)."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from kpi_engine.storage.db import make_engine

    for query, expected in (("none", None), ("3", 3), (None, 5)):
        url = make_url(_direct_url(db_engine))
        if query is not None:
            url = url.update_query_dict({"prepare_threshold": query})
        engine = make_engine(url.render_as_string(hide_password=False))
        try:
            with engine.connect() as conn:
                assert conn.connection.dbapi_connection.prepare_threshold == expected  # type: ignore[union-attr]
                for _ in range(8):  # past psycopg's threshold of 5
                    conn.execute(text("SELECT 1 + :n"), {"n": 1})
                prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements"))
                assert (prepared.scalar() == 0) == (expected is None)
        finally:
            engine.dispose()
    with pytest.raises(ValueError, match="prepare_threshold"):
        make_engine("postgresql+psycopg://u:p@h/db?prepare_threshold=sometimes")


def test_the_direct_url_setting() -> None:
    assert Settings(database_direct_url="").database_direct_url is None
    assert Settings().database_direct_url is None
    url = "postgresql+psycopg://u:pw@db:5432/kpibot"
    assert Settings(database_direct_url=url).database_direct_url == url
    with pytest.raises(ValueError, match="is not a database URL"):
        Settings(database_direct_url="no url at all")
    from adapters.http.observability import configured_secrets

    assert "pw" in configured_secrets(Settings(database_direct_url=url))  # redacted in logs


@pytest.mark.postgres
@pytest.mark.parametrize("first_ends", ["commit", "dies"])
def test_a_digest_day_is_marked_once_when_two_leaders_race(db_engine: Engine,
                                                           first_ends: str) -> None:
    """The old leader queues a digest (its transaction open) while the new one runs the same
    subscription's missed digest: the new one waits on the row; when the old one commits it
    finds the day done (queued once), when the old one died (rolled back) it queues it."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    import threading

    from kpi_engine.storage.alert_state import mark_digest_day

    store = bootstrap(Settings(), engine=db_engine, check_schema=False).store
    ws = store.ensure_workspace("race")
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    sub_id = alert_store.subscribe(store, ws.id, "telegram", "1", "daily", 8, 0, now).id
    day = date(2026, 11, 23)
    second: list[bool] = []

    def new_leader() -> None:
        with db_engine.begin() as conn:
            second.append(mark_digest_day(conn, sub_id, day, now))

    conn = db_engine.connect()
    tx = conn.begin()
    try:
        assert mark_digest_day(conn, sub_id, day, now)
        other = threading.Thread(target=new_leader)
        other.start()
        other.join(0.5)
        assert other.is_alive()  # it waits for the old leader's transaction
        if first_ends == "commit":
            tx.commit()
        else:
            tx.rollback()
    finally:
        conn.close()
    other.join(10)
    assert second == [first_ends == "dies"]
    with db_engine.connect() as c:
        assert c.execute(select(a.subscriptions.c.last_day)).scalar() == day


@pytest.mark.postgres
async def test_two_schedulers_on_postgres_send_once_and_fail_over(db_engine: Engine) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    apps = [bootstrap(Settings(), engine=db_engine, check_schema=False) for _ in range(2)]
    ws = apps[0].store.ensure_workspace("ha")
    platforms = [FakePlatform(), FakePlatform()]
    schedulers = [Scheduler(app, {"telegram": p}, leader_retry=0.2)
                  for app, p in zip(apps, platforms, strict=True)]
    for s in schedulers:
        s.dispatcher.pacers["telegram"].limits = FAST["telegram"]
        s.dispatcher.poll = 0.1
        await s.start()

    def put(keys: range) -> None:
        with apps[0].store.begin() as conn:
            enqueue(conn, [Message(f"m{i}", ws.id, "alert", "telegram", f"c{i % 5}", "id",
                                   f"m{i}", "", datetime.now(UTC)) for i in keys],
                    datetime.now(UTC))

    async def delivered(count: int) -> list[str]:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            texts = [r.title for p in platforms for _, r in p.sent]
            if len(texts) >= count:
                await asyncio.sleep(0.5)  # a second sender would show up now
                return [r.title for p in platforms for _, r in p.sent]
            await asyncio.sleep(0.05)
        raise AssertionError("not delivered")

    try:
        assert [s.leading for s in schedulers].count(True) == 1
        leader = 0 if schedulers[0].leading else 1
        put(range(20))
        texts = await delivered(20)
        assert sorted(texts) == sorted(f"m{i}" for i in range(20))
        assert len(platforms[1 - leader].sent) == 0
        await schedulers[leader].stop()
        deadline = time.monotonic() + 10
        while not schedulers[1 - leader].leading and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert schedulers[1 - leader].leading
        put(range(20, 25))
        texts = await delivered(25)
        assert sorted(texts) == sorted(f"m{i}" for i in range(25))
        assert len(platforms[1 - leader].sent) == 5
    finally:
        for s in schedulers:
            await s.stop()
