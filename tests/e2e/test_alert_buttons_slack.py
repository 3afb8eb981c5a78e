"""Alert buttons end to end on Slack: the alert goes out through the outbox dispatcher with a
Block Kit actions block (real slack-sdk client → Web API stand-in); a signed ``block_actions``
press reaches the real Bolt app, is acknowledged, checked, recorded and answered through
its response_url."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from bot.alert_views import render
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.domain.model import Role
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.storage import alert_store
from kpi_engine.storage import schema_alerts as a
from tests.e2e import test_slack as base
from tests.e2e.test_slack import LINKED, NOW, UNLINKED, Slack
from tests.slack_standin import TEAM_ID

slack = base.slack  # the fixtures of the Slack tests
standin = base.standin


async def deliver(slack: Slack) -> dict[str, Any]:
    app = slack.app
    ws = app.store.workspaces()[0]
    alert_store.add_rule(app.store, ws.id, kind="threshold", metric="reach", value=1, op=">",
                         now=NOW - timedelta(days=1), platform="slack", chat_id=LINKED)
    assert run_tick(app.store, NOW, render)
    stats = await Dispatcher(app.engine, {"slack": slack.platform}, clock=lambda: NOW,
                             limits={"slack": Limits(per_second=None, chat_interval=0)}
                             ).drain(timeout=30)
    assert stats.sent >= 1
    posts = [c for c in slack.standin.delivered() if "kpibot_alert" in str(c.params)]
    assert posts
    blocks = posts[-1].params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {e["text"]["text"]: e for e in blocks[-1]["elements"]}


async def press(slack: Slack, button: dict[str, Any], *, channel: str = LINKED,
                user: str = "U0VIEWER", key: str = "b1", message: dict[str, Any] | None = None,
                username: str = "sari", **kw: Any) -> tuple[int, str]:
    """A signed ``block_actions`` press; with ``message`` (the pressed message, as Slack
    sends it: its ``ts`` and ``blocks``) the container names it, as Slack's does."""
    container: dict[str, Any] = {"type": "message"}
    if message is not None:
        container.update(message_ts=message["ts"], channel_id=channel)
    payload = {"type": "block_actions", "team": {"id": TEAM_ID}, "api_app_id": "A0KPI",
               "user": {"id": user, "username": username, "team_id": TEAM_ID},
               "channel": {"id": channel}, "container": container,
               **({"message": message} if message is not None else {}),
               "trigger_id": "1.2.3", "response_url": slack.standin.response_url(key),
               "actions": [{**button, "block_id": "kpibot_alert", "type": "button",
                            "action_ts": "1"}]}
    body = urlencode({"payload": json.dumps(payload)})
    return await slack.post(body, "application/x-www-form-urlencoded", **kw)


async def answer(slack: Slack, key: str) -> str:
    calls = await slack.standin.wait_for(
        lambda: [c for c in slack.standin.calls_to("response") if c.key == key], timeout=20)
    return str(calls[0].params.get("text"))


def votes(slack: Slack) -> list[tuple[str, int]]:
    f = a.alert_feedback.c
    with slack.app.engine.connect() as conn:
        return [(r.user_id, r.vote) for r in conn.execute(select(f.user_id, f.vote))]


async def test_slack_alert_buttons(slack: Slack) -> None:
    buttons = await deliver(slack)
    assert list(buttons) == ["Lihat grafik", "Senyapkan 1 hari", "👍 berguna",
                             "👎 tidak berguna"]
    status, _ = await press(slack, buttons["👍 berguna"], key="v1")
    assert status == 200  # acknowledged
    assert "berguna" in await answer(slack, "v1")
    assert votes(slack) == [("U0VIEWER", 1)]
    # the viewer's snooze is refused politely (the /senyap rule)
    await press(slack, buttons["Senyapkan 1 hari"], key="s1")
    assert "editor" in (await answer(slack, "s1")).lower()
    assert alert_store.snoozed_until(slack.app.store, "slack", LINKED, NOW) is None
    # copied to another channel: refused, nothing recorded
    await press(slack, buttons["👎 tidak berguna"], channel=UNLINKED, key="x1")
    assert "tidak berlaku" in await answer(slack, "x1")
    assert votes(slack) == [("U0VIEWER", 1)]
    # a bad signature: 401 from Bolt, nothing runs
    status, _ = await press(slack, buttons["👎 tidak berguna"], key="x2", secret="wrong")
    assert status == 401 and votes(slack) == [("U0VIEWER", 1)]


def alert_post(slack: Slack) -> dict[str, Any]:
    """The alert message as the stand-in holds it now (its ``ts``, text and blocks)."""
    [(key, message)] = [(k, m) for k, m in slack.standin.messages.items()
                        if any(b.get("block_id") == "kpibot_alert" for b in m["blocks"])]
    assert key[0] == LINKED
    return dict(message)


def labels(message: dict[str, Any]) -> list[str]:
    actions = next(b for b in message["blocks"] if b.get("block_id") == "kpibot_alert")
    return [e["text"]["text"] for e in actions["elements"]]


async def test_the_buttons_show_what_a_press_did(slack: Slack) -> None:
    """issue 15: a vote or a snooze updates the alert's buttons (``chat.update`` of the
    pressed message); the answer still goes to the one who pressed."""
    buttons = await deliver(slack)
    message = alert_post(slack)
    await press(slack, buttons["👍 berguna"], key="v1", message=message)
    assert "berguna" in await answer(slack, "v1")
    [update] = await slack.standin.wait_calls("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (LINKED, message["ts"])
    now = alert_post(slack)
    assert labels(now) == ["Lihat grafik", "Senyapkan 1 hari", "👍 dicatat"]
    assert now["blocks"][:-1] == message["blocks"][:-1]  # the alert's text is unchanged
    # an editor snoozes from the updated message: until when, and by whom
    ws = slack.app.store.workspaces()[0]
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.EDITOR, user_id="U0EDITOR")
    snooze = next(e for e in now["blocks"][-1]["elements"] if e["value"].endswith(":s"))
    await press(slack, snooze, user="U0EDITOR", username="ana", key="s1", message=now)
    assert "disenyapkan" in await answer(slack, "s1")
    await slack.standin.wait_calls("chat.update", 2)
    assert labels(alert_post(slack)) == [
        "Lihat grafik", "🔕 disenyapkan s/d 23 Nov 15:00 oleh @ana", "👍 dicatat"]
    # a refused press (another channel) updates nothing
    await press(slack, buttons["👎 tidak berguna"], channel=UNLINKED, key="x1",
                message=alert_post(slack))
    assert "tidak berlaku" in await answer(slack, "x1")
    assert len(slack.standin.calls_to("chat.update")) == 2
