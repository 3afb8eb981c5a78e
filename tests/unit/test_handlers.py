"""A chat handler tested without a database: the real ``/kpi`` handler (parsing → answer
service → view) over ``tests.fakes.InMemorySnapshots``, values computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from bot import commands
from bot.parsing import parse_text
from bot.reply import Reply, Request
from bot.router import Context
from kpi_engine.domain.model import Channel, Role, SnapshotRow, Workspace
from tests.fakes import InMemorySnapshots

TODAY = date(2026, 12, 2)  # a Wednesday: "minggu lalu" is Mon 23 – Sun 29 Nov
WS = Workspace(1, "demo", "Demo")
CHANNELS = [Channel(1, 1, "instagram"), Channel(2, 1, "tiktok"),
            Channel(3, 1, "instagram", "@rival", True)]


def snapshots() -> InMemorySnapshots:
    fake = InMemorySnapshots(CHANNELS)
    for i in range(14):  # 1 Dec back to 18 Nov
        day = TODAY - timedelta(days=i + 1)
        fake.add([SnapshotRow(day, "instagram", "", "reach", 1000 + i),
                  SnapshotRow(day, "tiktok", "", "reach", 500),
                  SnapshotRow(day, "instagram", "@rival", "reach", 9999)])
    fake.add([SnapshotRow(date(2026, 11, 20), "instagram", "", "followers", 4000),
              SnapshotRow(date(2026, 11, 28), "instagram", "", "followers", 4200)])
    return fake


def ask(fake: InMemorySnapshots, text: str, lang: str = "id") -> Reply:
    parsed = parse_text(text, TODAY, channels=[c.name for c in CHANNELS])
    ctx = Context(Request(text, "console"), WS, Role.VIEWER, lang,
                  datetime(2026, 12, 2, 3, 0, tzinfo=UTC), TODAY, CHANNELS, [], parsed,
                  cast(Any, fake))  # Context.store: only its SnapshotTerms port is read
    return commands.kpi(ctx)


def test_kpi_handler_adds_our_channels_by_hand() -> None:
    fake = snapshots()
    reply = ask(fake, "/kpi reach minggu lalu")
    # instagram Σ(1000+i) for i = 2..8 (29 → 23 Nov) = 7,035; tiktok 7 × 500 = 3,500.
    # Previous week 16–22 Nov holds 18–22 Nov only: 5,055 + 2,500 = 7,555; 10,535 / 7,555 − 1.
    assert reply.body == ["10.535", "🟢 ▲ +39,4%"]
    assert fake.asked[-1] == (1, (1, 2), None)  # the competitor is not asked for


def test_slang_question_reads_the_channel() -> None:
    fake = snapshots()
    reply = ask(fake, "brp reach ig minggu lalu?")
    assert reply.body == ["7.035", "🟢 ▲ +39,2%"]  # 7,035 / 5,055 − 1
    assert fake.asked[-1] == (1, (1,), None)


def test_a_gauge_is_the_last_level() -> None:
    reply = ask(snapshots(), "/kpi followers ig minggu lalu")
    assert reply.body[0] == "4.200"  # the level of 28 Nov, the last on or before 29 Nov


def test_no_rows_says_so() -> None:
    reply = ask(InMemorySnapshots(CHANNELS), "/kpi reach minggu lalu")
    assert reply.body == ["Belum ada data untuk periode ini."]
