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
                user: str = "U0VIEWER", key: str = "b1", **kw: Any) -> tuple[int, str]:
    payload = {"type": "block_actions", "team": {"id": TEAM_ID}, "api_app_id": "A0KPI",
               "user": {"id": user, "username": "sari", "team_id": TEAM_ID},
               "channel": {"id": channel}, "container": {"type": "message"},
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
