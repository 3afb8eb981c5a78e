"""Two channels or two campaigns side by side: "reach ig vs tiktok", "bandingin roi gajian
sama ramadan". The header names every side; each side is a metric answer of its own."""

from __future__ import annotations

from typing import Any

from bot import formatting as fmt
from bot import views
from bot.i18n import t
from bot.reply import Reply
from bot.router import Context, error_reply
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services import answers


def _channel_answers(ctx: Context, metric: str, pq: PeriodQuery
                     ) -> list[tuple[str, answers.KpiAnswer]] | Reply:
    """One answer per named channel, from the one per-channel breakdown when every name is
    one account; a platform with several own accounts is answered as its own total."""
    p = ctx.parsed
    scopes = []
    for name in p.channels:
        try:
            scopes.append(answers.resolve_scope(ctx.channels, name))
        except answers.UnknownChannel as exc:
            known = ", ".join(exc.known) or t("no_channels", ctx.lang)
            return error_reply("unknown_channel", ctx.lang, name=exc.name, known=known)
    rows: dict[int, answers.KpiAnswer] = {}
    if all(len(s.main) == 1 for s in scopes) and metric != "share_of_voice":
        comparison = answers.compare(ctx.store, ctx.workspace.id, ctx.channels, metric, pq,
                                     p.campaign)
        rows = {r.channel.id: r.answer for r in comparison.rows if r.channel is not None}
    out = []
    for name, scope in zip(p.channels, scopes, strict=True):
        found = rows.get(scope.main[0].id) if len(scope.main) == 1 else None
        if found is None:
            found = answers.kpi(ctx.store, ctx.workspace.id, ctx.channels, metric, pq, name,
                                p.campaign)
        out.append((scope.label or name, found))
    return out


def side_by_side(ctx: Context, metric: str, pq: PeriodQuery) -> Reply:
    """``metric`` for each named channel (or campaign), one line each, the header naming all."""
    p, lang, currency = ctx.parsed, ctx.lang, ctx.workspace.currency
    by = "channel" if len(p.channels) > 1 else "campaign"
    if by == "channel":
        found = _channel_answers(ctx, metric, pq)
        if isinstance(found, Reply):
            return found
        sides = found
    else:  # one question per campaign: each is its own filter of the same scope
        try:
            sides = [(c, answers.kpi(ctx.store, ctx.workspace.id, ctx.channels, metric, pq,
                                     p.channel, c)) for c in p.campaigns]
        except answers.UnknownChannel as exc:
            known = ", ".join(exc.known) or t("no_channels", lang)
            return error_reply("unknown_channel", lang, name=exc.name, known=known)
    first = sides[0][1]
    names = " vs ".join(name for name, _ in sides)
    title = f"{first.metric.label(lang)} · {names} · {views.period_label(first.period, lang)}"
    if by == "campaign" and p.channel:
        title += f" · {p.channel}"
    body: list[str] = []
    rows: list[dict[str, Any]] = []
    for name, a in sides:
        line = f"• {name}: {views.value_text(a.metric, a.value, currency, lang)}"
        move = views.trend(a.metric, a, lang) if a.value is not None else ""
        if move:
            line += f"  {move}"
        body.append(line)
        row: dict[str, Any] = {"key": name, **views.kpi_data(a)}
        if by == "channel":  # the compare shape of SPEC §9: is this side a competitor's?
            row["competitor"] = any(c.is_competitor and c.name == a.scope_label
                                    for c in ctx.channels)
        rows.append(row)
    footer = t("vs", lang, period=fmt.day_range(first.previous.start, first.previous.end,
                                                      lang))
    data = {"metric": metric, "by": by, "keys": [name for name, _ in sides],
            "period": rows[0]["period"], "rows": rows}
    return Reply(title=title, body=body, footer=footer, intent="compare", data=data, lang=lang)
