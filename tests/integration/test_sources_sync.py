"""The sync engine (``kpi_engine/services/sources.py``) with ``FakeSource`` on SQLite and
PostgreSQL: backfill and idempotence, re-fetch, provisional days, every error kind, resume
after a rate limit and after a crash, token refresh and rotation, notices told once, tokens
never stored or logged in the clear. Expected values are computed by hand from the rows."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from adapters.sources.fake import FakeSource
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.domain.ports import SourceError
from kpi_engine.domain.sources import next_nightly
from kpi_engine.services.secrets import Secrets, SecretsError, new_key
from kpi_engine.services.sources import SourceProblem, SourceService
from kpi_engine.storage import schema_alerts as sa_
from kpi_engine.storage import schema_sources as ss
from kpi_engine.storage.store import Store

# 2026-11-20 10:00 in Jakarta: the workspace's yesterday is 2026-11-19
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
YESTERDAY = date(2026, 11, 19)
TOKEN = "EAAG-secret-access-token-7f3a9c"
REFRESH = "refresh-secret-5d1e"


def day(n: int) -> date:
    """``n`` days before yesterday."""
    return YESTERDAY - timedelta(days=n)


def reach_rows(days: int = 120, handle: str = "") -> list[SnapshotRow]:
    """reach = 1000 + n on the day n days before yesterday, for ``days`` days."""
    return [SnapshotRow(day(n), "instagram", handle, "reach", 1000.0 + n) for n in range(days)]


class Setup:
    def __init__(self, store: Store, fake: FakeSource, *, key: str | None = None) -> None:
        self.store = store
        self.fake = fake
        self.ws = store.ensure_workspace("toko")
        self.slept: list[float] = []
        self.service = SourceService(store, {"instagram": fake}, Secrets(key or new_key()),
                                     sleep=self.slept.append)

    def add(self, **kw: object) -> int:
        args: dict[str, object] = {"token": TOKEN, "now": NOW, "refresh_token": REFRESH}
        args.update(kw)
        return self.service.add(self.ws.id, "instagram", "17841400000000001",
                                **args).id  # type: ignore[arg-type]

    def stored_reach(self) -> dict[date, float]:
        ch = next(c for c in self.store.channels(self.ws.id) if c.platform == "instagram")
        out = {}
        for n in range(200):
            v = self.store.snapshot_value(self.ws.id, ch.id, "reach", day(n))
            if v is not None:
                out[day(n)] = v
        return out

    def notices(self) -> list[dict[str, object]]:
        with self.store.connect() as conn:
            rows = conn.execute(select(sa_.outbox).where(sa_.outbox.c.kind == "notice")
                                .order_by(sa_.outbox.c.id)).all()
        return [dict(r._mapping) for r in rows]

    def provisional(self) -> list[date]:
        with self.store.connect() as conn:
            return sorted(conn.execute(select(ss.provisional_days.c.day)).scalars())


@pytest.fixture
def setup(store: Store) -> Setup:
    return Setup(store, FakeSource(platform="instagram", rows=reach_rows()))


def test_first_sync_backfills_90_days_in_windows_and_a_second_changes_nothing(
        setup: Setup) -> None:
    sid = setup.add()
    first = setup.service.sync(sid, now=NOW)
    # 90 days: yesterday-89 … yesterday, in 13 windows (12 of 7 days, one of 6)
    assert first.span == (day(89), YESTERDAY)
    assert first.windows == 13 and first.rows == 90 and first.changed == 90
    assert setup.fake.fetched[0] == ("", day(89), day(83))
    assert setup.fake.fetched[-1] == ("", day(5), YESTERDAY)
    stored = setup.stored_reach()
    assert len(stored) == 90 and sum(stored.values()) == sum(1000.0 + n for n in range(90))
    assert first.error_kind == "" and first.next_sync_at == next_nightly(sid, NOW,
                                                                         "Asia/Jakarta")
    # the next day: only the re-fetch window (Instagram revises 3 days) and yesterday
    second = setup.service.sync(sid, now=NOW)
    assert setup.fake.fetched[-1] == ("", day(2), YESTERDAY)
    assert second.rows == 3 and second.changed == 0
    assert setup.store.count_snapshots(setup.ws.id) == 90
    log = setup.service.sources.syncs(sid)
    assert [(r["rows"], r["changed"]) for r in log] == [(90, 90), (3, 0)]


def test_since_backfills_from_that_day(setup: Setup) -> None:
    sid = setup.add()
    done = setup.service.sync(sid, now=NOW, since=day(99))
    assert done.span == (day(99), YESTERDAY) and done.rows == 100


def test_provisional_days_are_marked_revised_and_cleared_when_final(setup: Setup) -> None:
    setup.fake.today = YESTERDAY  # the fake marks yesterday and the 2 days before
    sid = setup.add()
    setup.service.sync(sid, now=NOW, since=day(9))
    assert setup.provisional() == [day(2), day(1), YESTERDAY]
    # the platform revises day(1); a day later day(2) is final
    setup.fake.rows = [r._replace(value=r.value + 50) if r.day == day(1) else r
                       for r in setup.fake.rows]
    later = NOW + timedelta(days=1)
    setup.fake.today = YESTERDAY + timedelta(days=1)
    setup.fake.rows.append(SnapshotRow(YESTERDAY + timedelta(days=1), "instagram", "",
                                       "reach", 777.0))
    done = setup.service.sync(sid, now=later)
    assert done.span == (day(2), YESTERDAY + timedelta(days=1))  # the marked days again
    assert done.changed == 2  # day(1) revised, the new day
    assert setup.stored_reach()[day(1)] == 1001.0 + 50
    assert setup.provisional() == [day(1), YESTERDAY, YESTERDAY + timedelta(days=1)]
    # everything final
    setup.fake.today = None
    setup.service.sync(sid, now=later)
    assert setup.provisional() == []


def test_a_rate_limit_stops_and_the_next_sync_resumes_without_gaps_or_doubles(
        setup: Setup) -> None:
    sid = setup.add()
    setup.fake.fail_on[4] = SourceError("rate_limited", "too many calls", retry_after=600)
    stopped = setup.service.sync(sid, now=NOW)
    assert stopped.error_kind == "rate_limited" and stopped.windows == 3 and stopped.rows == 21
    assert stopped.next_sync_at == NOW + timedelta(seconds=600)
    rec = setup.service.get(sid)
    assert rec.cursor_day == day(89) + timedelta(days=21)
    assert rec.last_error_kind == "rate_limited" and setup.notices() == []
    assert [s.id for s in setup.service.sources.due(NOW + timedelta(seconds=599))] == []
    assert [s.id for s in setup.service.sources.due(NOW + timedelta(seconds=600))] == [sid]
    resumed = setup.service.sync(sid, now=NOW + timedelta(seconds=600))
    assert resumed.error_kind == "" and resumed.span == (day(68), YESTERDAY)
    assert resumed.rows == 69
    stored = setup.stored_reach()
    assert sorted(stored) == [day(n) for n in range(89, -1, -1)]
    assert sum(stored.values()) == sum(1000.0 + n for n in range(90))


def test_a_crash_between_windows_resumes_without_gaps_or_doubles(setup: Setup) -> None:
    sid = setup.add()
    setup.fake.fail_on[3] = RuntimeError("killed")
    with pytest.raises(RuntimeError):
        setup.service.sync(sid, now=NOW)
    assert setup.store.count_snapshots(setup.ws.id) == 14  # two windows committed
    assert setup.service.get(sid).last_error_kind == "crash"
    setup.service.sync(sid, now=NOW)
    windows = setup.fake.fetched
    assert windows[2] == windows[3] == ("", day(75), day(69))  # the lost window again
    stored = setup.stored_reach()
    assert len(stored) == 90 == setup.store.count_snapshots(setup.ws.id)
    assert sum(stored.values()) == sum(1000.0 + n for n in range(90))


def test_quota_resumes_at_the_nightly_slot_and_tells_the_admins_once(setup: Setup) -> None:
    setup.store.link_chat(setup.ws.id, "telegram", "100", Role.ADMIN)
    setup.store.link_chat(setup.ws.id, "telegram", "200", Role.VIEWER)
    sid = setup.add()
    setup.fake.errors.append(SourceError("quota", "daily quota exhausted"))
    done = setup.service.sync(sid, now=NOW)
    assert done.error_kind == "quota" and done.rows == 0
    assert done.next_sync_at == next_nightly(sid, NOW, "Asia/Jakarta")
    setup.fake.errors.append(SourceError("quota", "daily quota exhausted"))
    setup.service.sync(sid, now=NOW + timedelta(hours=1))
    told = setup.notices()
    assert [(n["platform"], n["chat_id"]) for n in told] == [("telegram", "100")]
    assert "Kuota harian instagram habis" in str(told[0]["body"])  # the workspace's language


def test_server_errors_are_retried_with_backoff_then_recorded(setup: Setup) -> None:
    sid = setup.add()
    setup.fake.errors += [SourceError("server", "HTTP 502"), SourceError("server", "HTTP 503")]
    done = setup.service.sync(sid, now=NOW, since=day(6))
    assert done.error_kind == "" and done.rows == 7 and setup.slept == [1.0, 2.0]
    setup.fake.errors += [SourceError("server", "HTTP 500")] * 4
    failed = setup.service.sync(sid, now=NOW, since=day(6))
    assert failed.error_kind == "server" and setup.slept == [1.0, 2.0, 1.0, 2.0, 4.0]
    assert failed.next_sync_at == NOW + timedelta(hours=1)
    assert setup.notices() == []  # a passing outage is not an admin's job


def test_an_expired_token_is_refreshed_once_and_the_new_one_stored_sealed(
        setup: Setup) -> None:
    setup.fake.rotates = True
    sid = setup.add()
    setup.fake.errors.append(SourceError("auth_expired", "Error validating access token"))
    done = setup.service.sync(sid, now=NOW, since=day(6))
    assert done.error_kind == "" and done.rows == 7 and setup.fake.refreshed == [
        "17841400000000001"]
    rec = setup.service.get(sid)
    assert TOKEN not in rec.access_sealed
    assert setup.service.secrets.open(rec.access_sealed) == TOKEN + "+"
    assert setup.service.secrets.open(rec.refresh_sealed) == REFRESH + "+"


def test_a_refused_refresh_tells_the_admins_once_what_to_do(setup: Setup) -> None:
    setup.store.link_chat(setup.ws.id, "slack", "C1", Role.ADMIN)
    setup.store.set_workspace_language(setup.ws.id, "en")
    sid = setup.add()
    for _ in range(2):
        setup.fake.errors += [SourceError("auth_expired", "token revoked"),
                              SourceError("auth_expired", "refresh refused")]
        done = setup.service.sync(sid, now=NOW)
        assert done.error_kind == "auth_expired"
    told = setup.notices()
    assert len(told) == 1 and told[0]["lang"] == "en"
    assert f"kpibot source remove {sid}" in str(told[0]["body"])
    assert TOKEN not in str(told[0]["body"])
    # it works again; the next failure is told again
    setup.service.sync(sid, now=NOW)
    setup.fake.errors += [SourceError("permission", "missing instagram_manage_insights")]
    setup.service.sync(sid, now=NOW)
    assert len(setup.notices()) == 2
    assert "instagram_manage_insights" in str(setup.notices()[1]["body"])


def test_a_token_near_expiry_is_refreshed_before_the_sync(setup: Setup) -> None:
    setup.fake.rotates = True
    setup.fake.expires_at = NOW + timedelta(days=60)
    sid = setup.add(expires_at=NOW + timedelta(days=3))
    setup.service.sync(sid, now=NOW, since=day(0))
    rec = setup.service.get(sid)
    assert rec.expires_at == NOW + timedelta(days=60)
    assert setup.service.secrets.open(rec.refresh_sealed) == REFRESH + "+"
    assert setup.fake.refreshed == ["17841400000000001"]
    setup.service.sync(sid, now=NOW, since=day(0))  # far from expiry now: no refresh
    assert len(setup.fake.refreshed) == 1


def test_an_expiry_that_cannot_be_refreshed_is_told_once(setup: Setup) -> None:
    setup.store.link_chat(setup.ws.id, "telegram", "100", Role.ADMIN)
    sid = setup.add(expires_at=NOW + timedelta(days=5))
    for hours in (0, 24, 48):
        setup.fake.errors.append(SourceError("auth_expired", "this token cannot be renewed"))
        done = setup.service.sync(sid, now=NOW + timedelta(hours=hours), since=day(0))
        assert done.error_kind == ""  # the token still works meanwhile
    told = setup.notices()
    assert len(told) == 1 and "2026-11-25" in str(told[0]["body"])


def test_a_bad_batch_writes_nothing_for_its_window_and_is_recorded(setup: Setup) -> None:
    setup.store.link_chat(setup.ws.id, "telegram", "100", Role.ADMIN)
    setup.fake.rows.append(SnapshotRow(day(3), "instagram", "", "followers", 10.5))
    sid = setup.add()
    done = setup.service.sync(sid, now=NOW, since=day(13))
    assert done.error_kind == "invalid" and done.windows == 1 and done.rows == 7
    assert "followers" in done.error and "10.5" in done.error
    assert setup.store.count_snapshots(setup.ws.id) == 7  # the first window only
    assert setup.service.get(sid).cursor_day == day(6)
    assert len(setup.notices()) == 1


def test_adding_a_source_is_refused_clearly(store: Store) -> None:
    fake = FakeSource()
    ws = store.ensure_workspace("toko")
    nokey = SourceService(store, {"instagram": fake}, Secrets(None))
    with pytest.raises(SecretsError) as no_key:
        nokey.add(ws.id, "instagram", "1", token=TOKEN, now=NOW)
    assert "KPIBOT_SECRET_KEY" in no_key.value.message("id")
    assert "kpibot secret-key" in no_key.value.message("en")
    service = SourceService(store, {"instagram": fake}, Secrets(new_key()))
    for platform, code in (("tiktok", "no_connector"), ("myspace", "unknown_platform")):
        with pytest.raises(SourceProblem) as refused:
            service.add(ws.id, platform, "1", token=TOKEN, now=NOW)
        assert refused.value.code == code
    with pytest.raises(SourceProblem) as refused:
        service.add(ws.id, "instagram", "1", token=TOKEN, now=NOW)
        service.add(ws.id, "instagram", "1", token=TOKEN, now=NOW)
    assert refused.value.code == "duplicate"
    assert "no connector for tiktok yet" in SourceProblem(
        "no_connector", platform="tiktok", ready="instagram").message("en").lower() \
        .replace("there is ", "")
    assert [s.account_id for s in service.all()] == ["1"]
    with pytest.raises(SecretsError):
        Secrets("not-a-fernet-key")


def test_tokens_never_reach_the_database_file_or_the_logs_in_the_clear(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from kpi_engine.storage.db import make_engine, migrate

    path = tmp_path / "secret.db"
    engine: Engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    caplog.set_level(logging.DEBUG)
    try:
        setup = Setup(Store(engine), FakeSource(rows=reach_rows(10)))
        setup.store.link_chat(setup.ws.id, "telegram", "100", Role.ADMIN)
        sid = setup.add(channel="instagram")
        setup.fake.errors += [SourceError("auth_expired", "expired"),
                              SourceError("auth_expired", "refused")]
        setup.service.sync(sid, now=NOW)
        setup.service.sync(sid, now=NOW)
        assert setup.stored_reach()
    finally:
        engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in (TOKEN, REFRESH, TOKEN + "+"):
        assert secret.encode() not in raw
        assert secret not in caplog.text
    assert "source 1: 10 rows" in caplog.text
