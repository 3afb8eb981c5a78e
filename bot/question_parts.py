"""The parts of a question that several command modules check the same way: its metric, its
period, its channel, and a refused value. New command modules import these from here (not
from ``bot.commands``, which holds the foundation's handlers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import t
from bot.reply import Reply
from bot.router import Context, error_reply, unknown_metric_reply
from kpi_engine.domain import validation
from kpi_engine.domain.periods import PeriodQuery, default_period
from kpi_engine.services import answers

#: The validation codes of a value /catat refuses → the reply's error code.
RECORD_ERRORS = {"negative": "record_negative", "too_large_value": "record_absurd",
                 "fraction": "record_fraction", "not_finite": "record_bad_value",
                 "future_day": "period_future", "name_control": "record_bad_name",
                 "name_too_long": "record_bad_name"}


def metric_or_error(ctx: Context, missing: Callable[[str], Reply]) -> str | Reply:
    """The metric the text names; for an unknown word the closest metric as a hint; with
    no metric at all ``missing(lang)`` (the command's own usage line)."""
    p = ctx.parsed
    if p.metric is not None:
        return p.metric
    if p.unknown_metric:
        return unknown_metric_reply(p, ctx.lang)
    return missing(ctx.lang)


def period_or_error(ctx: Context) -> PeriodQuery | Reply:
    p = ctx.parsed
    if p.period_error is not None:
        code = "period_future" if p.period_error.code == "future" else "period_invalid"
        return error_reply(code, ctx.lang, text=p.period_error.text)
    return p.period or default_period(ctx.today, ctx.lang)


def channel_error(ctx: Context) -> Reply | None:
    p = ctx.parsed
    if p.unknown_channel:
        known = ", ".join(c.name for c in ctx.channels) or t("no_channels", ctx.lang)
        return error_reply("unknown_channel", ctx.lang, name=p.unknown_channel, known=known)
    return None


def refused(code: str, lang: str, **params: Any) -> Reply:
    """A value, day or name /catat may not store: the sentence every way in shares."""
    return Reply(body=[validation.sentence(code, lang, **params)], intent="error",
                 error=RECORD_ERRORS.get(code, "record_bad_value"), lang=lang, ephemeral=True)


def unknown_channel_reply(ctx: Context, exc: answers.UnknownChannel) -> Reply:
    known = ", ".join(exc.known) or t("no_channels", ctx.lang)
    return error_reply("unknown_channel", ctx.lang, name=exc.name, known=known)
