"""Quick answers: read-only questions answered on the event loop (SQLite), everything else
handed back untouched for the thread path."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from adapters.chat.platform import answer
from bot.bootstrap import App, bootstrap
from bot.reply import Reply, Request
from config.settings import Settings
from kpi_engine.domain.model import Role
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage import schema as t
from kpi_engine.storage.db import make_engine, migrate
from kpi_engine.storage.linking import create_join_code
from tests.integration.test_engine import count_statements

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JKT)
CHAT = "-100"
EDITOR = "7"


def link(app: App) -> App:
    ws, _ = seed_demo(app.store, NOW.date())
    app.store.link_chat(ws.id, "telegram", CHAT, Role.VIEWER)
    app.store.link_chat(ws.id, "telegram", CHAT, Role.EDITOR, user_id=EDITOR)
    return app


@pytest.fixture
def linked(app: App) -> App:
    """The demo workspace linked to a group, on SQLite and on PostgreSQL."""
    return link(app)


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[App]:
    """The same on SQLite only: the quick path is the in-process database's."""
    engine = make_engine(f"sqlite:///{tmp_path / 'quick.db'}")
    migrate(engine)
    yield link(bootstrap(Settings(), engine=engine, check_schema=False))
    engine.dispose()


def request(text: str, *, user: str = EDITOR, name: str = "budi", chat: str = CHAT,
            **kw: object) -> Request:
    return Request(text=text, platform="telegram", chat_id=chat, user_id=user,
                   user_name=name, chat_type="group", now=NOW, **kw)  # type: ignore[arg-type]


def seen(app: App, user: str = EDITOR, name: str = "budi") -> None:
    """The user has spoken in the chat before (so answering needs no write)."""
    app.router.handle(request("/bantuan", user=user, name=name))


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements
            if s.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def sqlite(app: App) -> bool:
    return app.store.dialect == "sqlite"


QUICK = ["/kpi reach minggu ini", "berapa engagement instagram bulan lalu?",
         "/ringkasan bulan ini", "/bandingkan followers bulan lalu", "/bantuan",
         "/kpi reac minggu ini",  # unknown metric: the suggestion is quick too
         "/kpi reach snapchat",  # unknown channel
         "/kpi reach 31 Februari",  # a period error
         "/tidakada"]  # an unknown command


@pytest.mark.parametrize("text", QUICK)
def test_quick_answer_is_the_same_as_the_thread_answer(linked: App, text: str) -> None:
    seen(linked)
    quick = linked.router.handle_quick(request(text))
    if not sqlite(linked):  # a network database: always the thread path
        assert quick is None
        return
    assert quick is not None
    assert quick.text == linked.router.handle(request(text)).text
    assert quick.data == linked.router.handle(request(text)).data


def test_quick_answer_reads_through_one_connection(lite: App) -> None:
    seen(lite)
    checkouts: list[object] = []
    listener = lambda *_a: checkouts.append(1)  # noqa: E731
    event.listen(lite.store.engine, "checkout", listener)
    try:
        with count_statements(lite.store.engine) as statements:
            reply = lite.router.handle_quick(request("/kpi reach minggu ini"))
    finally:
        event.remove(lite.store.engine, "checkout", listener)
    assert reply is not None and reply.intent == "kpi"
    assert len(checkouts) == 1
    assert len(statements) == 3  # access, workspace context, the answer
    assert not writes(statements)


SLOW = [
    "/target followers +20% instagram 3 bulan",  # writes a goal
    "/target",  # the goal list: not marked quick
    "/grafik reach minggu ini",  # renders a chart
    "tolong grafik reach minggu ini",  # a chart asked in a sentence
    "/catat instagram followers 41.250 kemarin",  # writes a snapshot
    "/undang",  # writes a join code
    "/alert er < 2%",  # writes a rule
    "/langganan harian 08:00",  # writes a subscription
]


@pytest.mark.parametrize("text", SLOW)
def test_anything_else_is_handed_back_before_any_write(lite: App, text: str) -> None:
    seen(lite)
    with count_statements(lite.store.engine) as statements:
        assert lite.router.handle_quick(request(text)) is None
    assert not writes(statements)
    if text.startswith("/"):  # an explicit slow command is refused without a read
        assert statements == []


def test_a_new_user_goes_the_thread_path_once(lite: App) -> None:
    """The first message of a user writes who they are (``/peran @name``): not quick."""
    ask = request("/kpi reach minggu ini", user="8", name="sari")
    with count_statements(lite.store.engine) as statements:
        assert lite.router.handle_quick(ask) is None
    assert not writes(statements)
    assert lite.store.find_user("telegram", CHAT, "sari") is None
    lite.router.handle(ask)  # the thread path remembers her
    assert lite.store.find_user("telegram", CHAT, "sari") == "8"
    assert lite.router.handle_quick(ask) is not None
    renamed = request("/kpi reach minggu ini", user="8", name="sari_w")
    assert lite.router.handle_quick(renamed) is None  # a new name is a write again


def test_unlite_chats_and_files_are_not_quick(lite: App) -> None:
    ws = lite.store.workspace("demo")
    assert ws is not None
    code = create_join_code(lite.store, ws.id, now=NOW).code
    assert lite.router.handle_quick(request(f"/start {code}", chat="555")) is None
    assert lite.router.handle_quick(request("/kpi reach", chat="555")) is None
    reply = lite.router.handle(request(f"/start {code}", chat="555"))
    assert reply.error is None  # the code was still there for the thread path
    seen(lite)
    with_file = request("/kpi reach", attachment=b"date,channel\n", attachment_name="a.csv")
    assert lite.router.handle_quick(with_file) is None


def test_a_failing_quick_answer_is_an_apology(lite: App,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seen(lite)

    def broken(*_a: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(lite.store, "chat_access", broken)
    reply = lite.router.handle_quick(request("/kpi reach"))
    assert reply is not None and reply.error == "internal_error"
    assert "disk on fire" not in reply.text and "Traceback" not in reply.text


def test_knows_user_is_memory_only(linked: App) -> None:
    store = linked.store
    assert store.knows_user("telegram", CHAT, "", "x", NOW)  # no user: nothing to write
    assert not store.knows_user("telegram", CHAT, "9", "@Rina", NOW)
    store.remember_user("telegram", CHAT, "9", "@Rina", NOW)
    assert store.knows_user("telegram", CHAT, "9", "rina", NOW + timedelta(hours=23))
    assert not store.knows_user("telegram", CHAT, "9", "rina", NOW + timedelta(days=1))
    assert not store.knows_user("telegram", "-200", "9", "rina", NOW)
    with store.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(t.chat_users)).scalar_one()
    assert rows == 1


def test_answer_stays_on_the_loop_only_when_quick(linked: App,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen(linked)
    threads: dict[str, int] = {}
    handle = linked.router.handle

    def spy(req: Request) -> Reply:
        threads[req.text] = threading.get_ident()
        return handle(req)

    monkeypatch.setattr(linked.router, "handle", spy)

    async def main() -> tuple[Reply, Reply, int]:
        quick = await answer(linked, request("/kpi reach minggu ini"))
        slow = await answer(linked, request("/grafik reach minggu ini"))
        return quick, slow, threading.get_ident()

    quick, slow, loop_thread = asyncio.run(main())
    assert quick.intent == "kpi" and slow.chart is not None
    assert threads["/grafik reach minggu ini"] != loop_thread  # rendered off the loop
    if sqlite(linked):
        assert "/kpi reach minggu ini" not in threads  # answered by handle_quick, on the loop
    else:
        assert threads["/kpi reach minggu ini"] != loop_thread


def test_reading_shares_one_connection_and_nests(linked: App) -> None:
    store = linked.store
    with store.reading():
        with store.connect() as a, store.connect() as b:
            assert a is b
        with store.reading(), store.connect() as c:
            assert c is a
    with store.connect() as d, store.connect() as e:
        assert d is not e

