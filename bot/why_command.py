"""/kenapa (/why, /mengapa): what drove a metric's change against the previous period.

"kenapa engagement tiktok turun bulan lalu?", "why did reach drop last week" and
``/kenapa er instagram minggu ini`` are the same request. One plain sentence first, then the
channels and campaigns that moved it, largest first, each with its share of the change; for
a ratio the rate and mix effects. No data, no previous data or no change: a clear reply and
never a made-up driver.
"""

from __future__ import annotations

from bot import command_names as names
from bot.i18n import translate
from bot.question_parts import (
    channel_error,
    metric_or_error,
    period_or_error,
    unknown_channel_reply,
)
from bot.reply import Reply
from bot.router import Command, Context, Router
from bot.why_views import WHY_MESSAGES, why_reply
from kpi_engine.domain.model import Role
from kpi_engine.services import answers
from kpi_engine.services import explain as ex


def why(ctx: Context) -> Reply:
    """What drove a metric's change: /kenapa metric [channel] [period]."""
    p = ctx.parsed
    metric = metric_or_error(ctx, lambda lang: Reply(
        body=[translate(WHY_MESSAGES, "why_needs_metric", lang)], intent="error",
        error="why_needs_metric", lang=lang, ephemeral=True))
    if isinstance(metric, Reply):
        return metric
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    try:
        e = ex.explain(ctx.store, ctx.workspace.id, ctx.channels, metric, pq, p.channel,
                       p.campaign)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    return why_reply(e, ctx.lang, ctx.workspace.currency, asked=p.asked_change)


def register_why(router: Router) -> None:
    """Register /kenapa (/why)."""
    router.register(Command(names.WHY, Role.VIEWER, why,
                            "apa penyebab perubahan: /kenapa engagement tiktok bulan lalu",
                            "what drove a change: /why engagement tiktok last month",
                            quick=True))
