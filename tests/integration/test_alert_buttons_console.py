"""Alert buttons on the console: numbered choices under an alert delivered by the outbox."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from adapters.chat.console import ConsolePlatform
from bot.alert_buttons import press
from bot.bootstrap import App
from bot.reply import Request
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.storage import alert_feedback, outbox

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


async def test_console_shows_numbered_choices_and_takes_a_vote(app: App) -> None:
    ws = app.store.ensure_workspace("w").id
    with app.store.begin() as conn:
        outbox.enqueue(conn, [outbox.Message("a:1", ws, "alert", "console", "term", "id",
                                             "Alert: reach", "Reach di atas 1", NOW,
                                             actions=outbox.event_ref("r1", "*", 1))], NOW)
    out = io.StringIO()
    console = ConsolePlatform(out)
    stats = await Dispatcher(app.engine, {"console": console}, clock=lambda: NOW).drain(10)
    assert stats.sent == 1
    assert "[1] Lihat grafik   [2] Senyapkan 1 hari   [3] 👍 berguna   [4] 👎 tidak berguna" \
        in out.getvalue()
    request = Request(text="3", platform="console", chat_id=console.chat_id, workspace="w",
                      now=NOW)
    reply = press(app.router, request, console.choices[2])
    assert reply.error is None and "berguna" in reply.text
    assert alert_feedback.rule_feedback(app.store, ws, NOW)["r1"].useful == 1
    # the same choice from another chat id is refused
    other = press(app.router, Request(text="3", platform="console", chat_id="x",
                                      workspace="w", now=NOW), console.choices[2])
    assert other.error == "button_invalid"


async def test_console_choices_show_what_a_press_did(app: App) -> None:
    ws = app.store.ensure_workspace("w").id
    with app.store.begin() as conn:
        outbox.enqueue(conn, [outbox.Message("a:1", ws, "alert", "console", "term", "id",
                                             "Alert: reach", "Reach di atas 1", NOW,
                                             actions=outbox.event_ref("r1", "*", 1))], NOW)
    out = io.StringIO()
    console = ConsolePlatform(out)
    await Dispatcher(app.engine, {"console": console}, clock=lambda: NOW).drain(10)
    request = Request(text="4", platform="console", chat_id=console.chat_id, workspace="w",
                      now=NOW)
    reply = press(app.router, request, console.choices[3])
    console.mark(reply)
    assert out.getvalue().rstrip().endswith("[1] Lihat grafik   [2] Senyapkan 1 hari   "
                                            "[3] 👎 dicatat")
    # the merged choice still votes: pressing it again is "already recorded"
    again = press(app.router, request, console.choices[2])
    assert "sudah tercatat" in again.text
    assert alert_feedback.rule_feedback(app.store, ws, NOW)["r1"].not_useful == 1
