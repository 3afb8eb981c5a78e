"""/grafik (/chart): a metric's daily series over a period as a PNG, with a caption that
states the number and its change (the same text as /kpi).

``/grafik reach instagram 30 hari terakhir`` and "grafik followers tiktok bulan ini" are the
same request. ``chart_reply`` is the building block other features reuse (a goal's chart
with its target line and forecast). Rendering runs in the caller's thread: the adapters
call the router off their event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bot import command_names as names
from bot import views
from bot.charts import ChartSpec, render_chart
from bot.i18n import translate
from bot.post_charts import post_chart_reply
from bot.question_parts import (
    channel_error,
    metric_or_error,
    period_or_error,
    unknown_channel_reply,
)
from bot.reply import Reply
from bot.router import Command, Context, Router
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Role
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services import answers, series

CHART_COMMAND_MESSAGES: dict[str, tuple[str, str]] = {
    "chart_needs_metric": (
        "Sebutkan metriknya, misalnya: /grafik reach instagram 30 hari terakhir",
        "Name the metric, for example: /chart reach instagram last 30 days"),
}

#: A goal line for a chart, when the goals feature knows one: (target, label, forecast).
GoalLine = tuple[float, str | None, Sequence[tuple[date, float]] | None]
GoalLookup = Callable[[Context, str, str | None], GoalLine | None]


def _error(code: str, lang: str) -> Reply:
    return Reply(body=[translate(CHART_COMMAND_MESSAGES, code, lang)], intent="error",
                 error=code, lang=lang, ephemeral=True)


def chart_reply(ctx: Context, metric_key: str, channel: str | None, campaign: str | None,
                pq: PeriodQuery, target: float | None = None, target_label: str | None = None,
                forecast: Sequence[tuple[date, float]] | None = None) -> Reply:
    """The chart of ``metric_key`` over ``pq`` (previous period faded, optional target and
    forecast lines) with the /kpi text as its caption; an unknown channel gets a clear
    reply and no chart."""
    lang, currency = ctx.lang, ctx.workspace.currency
    try:
        answer = answers.kpi(ctx.store, ctx.workspace.id, ctx.channels, metric_key, pq,
                             channel, campaign)
        data = series.chart_data(ctx.store, ctx.workspace.id, ctx.channels, metric_key, pq,
                                 channel, campaign)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    metric = METRICS[metric_key]
    spec = ChartSpec(
        title=f"{metric.label(lang)} · {views.scope_label(data.scope_label, campaign, lang)}",
        subtitle=views.period_label(pq.current, lang), metric=metric, lang=lang,
        current=data.current, previous=data.previous, target=target,
        target_label=target_label, forecast=forecast, currency=currency)
    reply = views.kpi_reply(answer, lang, currency)
    reply.chart = render_chart(spec)
    reply.intent = "chart"
    reply.data["series"] = {"current": _points(data.current),
                            "previous": _points(data.previous)}
    if target is not None:
        reply.data["target"] = target
    return reply


def _points(points: series.Series) -> list[list[Any]]:
    return [[d.isoformat(), None if v is None else round(v, 4)] for d, v in points]


def make_chart(goal_line: GoalLookup | None = None) -> Command:
    def chart(ctx: Context) -> Reply:
        """The daily chart of one metric: /grafik metric [channel] [period]."""
        p = ctx.parsed
        metric = metric_or_error(ctx, lambda lang: _error("chart_needs_metric", lang))
        if isinstance(metric, Reply):
            return metric
        pq = period_or_error(ctx)
        if isinstance(pq, Reply):
            return pq
        bad = channel_error(ctx)
        if bad:
            return bad
        line = goal_line(ctx, metric, p.channel) if goal_line else None
        if metric == "posts" and line is None and not p.campaign:
            try:  # from the posts themselves: per day, and engagement per post
                posts = post_chart_reply(ctx, p.channel, pq)
            except answers.UnknownChannel as exc:
                return unknown_channel_reply(ctx, exc)
            if posts is not None:
                return posts
        if line is None:
            return chart_reply(ctx, metric, p.channel, p.campaign, pq)
        target, label, forecast = line
        return chart_reply(ctx, metric, p.channel, p.campaign, pq, target, label, forecast)

    return Command(names.CHART, Role.VIEWER, chart,
                   "grafik harian: /grafik followers instagram 30 hari terakhir",
                   "daily chart: /chart followers instagram last 30 days")


def register_charts(router: Router, goal_line: GoalLookup | None = None) -> None:
    """Register /grafik (/chart). ``goal_line`` (from the goals feature) gives the target
    line of the chat's goal for a metric and channel, when one exists."""
    router.register(make_chart(goal_line))
