"""A drop alert's chart end to end on Slack (issue 15): a real tick on the demo's dip week;
the outbox dispatcher draws each chart at delivery and the real slack-sdk client uploads it
(``files.getUploadURLExternal`` → upload → ``files.completeUploadExternal``, the current
upload API), then posts the alert's text with its buttons (a file message cannot carry an
actions block). A text refused after its chart went is retried alone: the chart
is not uploaded twice."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.alert_charts import AlertCharts
from bot.alert_views import render
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.services.demo import engagement_dip_week
from tests.e2e import test_slack as base
from tests.e2e.test_slack import LINKED, TODAY, Slack

slack = base.slack  # the fixtures of the Slack tests
standin = base.standin

DIP_START, DIP_END = engagement_dip_week(TODAY)
TICK = datetime.combine(DIP_END + timedelta(days=1), time(9), tzinfo=ZoneInfo("Asia/Jakarta"))


async def drain(slack: Slack, at: datetime = TICK) -> Any:
    return await Dispatcher(slack.app.engine, {"slack": slack.platform}, clock=lambda: at,
                            limits={"slack": Limits(per_second=None, chat_interval=0)},
                            charts=AlertCharts(slack.app.store).draw).drain(timeout=60)


def blocks_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


async def test_a_drop_alert_uploads_its_chart_then_posts_its_text_with_buttons(
        slack: Slack) -> None:
    s = slack.standin
    assert run_tick(slack.app.store, TICK, render)
    stats = await drain(slack)
    assert stats.sent == 4 and stats.charts_failed == 0
    shares = s.calls_to("files.completeUploadExternal")
    uploads = s.calls_to("upload")
    posts = [c for c in s.delivered() if c.params.get("channel") == LINKED]
    assert len(shares) == len(uploads) == len(posts) == 4
    assert all(u.body.startswith(b"\x89PNG") for u in uploads)
    for share, post in zip(shares, posts, strict=True):
        assert share.params["channel_id"] == LINKED and share.at < post.at
        comment = str(share.params["initial_comment"])
        assert comment.startswith("*⚠️ Engagement rate turun") and comment.endswith("*")
        title = comment.strip("*")  # the chart's comment has its title in mrkdwn bold
        blocks = blocks_of(post.params)
        assert title in json.dumps(blocks, ensure_ascii=False)  # the same alert's text
        assert "median 4 minggu" in str(post.params["text"])
        assert [e["text"]["text"] for e in blocks[-1]["elements"]] == [
            "Lihat grafik", "Senyapkan 1 hari", "👍 berguna", "👎 tidak berguna"]


async def test_a_refused_text_is_retried_without_uploading_the_chart_again(
        slack: Slack) -> None:
    s = slack.standin
    assert run_tick(slack.app.store, TICK, render)
    s.fail("chat.postMessage", "internal_error")  # the first alert's text, after its chart
    first = await drain(slack)
    assert (first.sent, first.failed) == (0, 1)  # the chat's later alerts wait behind it
    assert len(s.calls_to("files.completeUploadExternal")) == 1
    later = await drain(slack, TICK + timedelta(minutes=1))  # past the backoff
    assert later.sent == 4
    assert len(s.calls_to("files.completeUploadExternal")) == 4  # one per alert, no more
    posted = [c for c in s.delivered() if c.params.get("channel") == LINKED
              and "_answered" not in c.params]
    assert len(posted) == 4
