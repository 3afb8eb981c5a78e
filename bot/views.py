"""Answers of the engine → ``Reply`` (text in the user's language, data for ``--json``)."""

from __future__ import annotations

from typing import Any

from bot import formatting as fmt
from bot.i18n import t
from bot.reply import Reply
from kpi_engine.answers import Comparison, KpiAnswer, Summary
from kpi_engine.metrics import CATEGORY_LABELS, METRICS, Metric
from kpi_engine.periods import Period


def period_label(p: Period, lang: str) -> str:
    dates = fmt.day_range(p.start, p.end, lang)
    return f"{p.label} ({dates})" if p.label and p.label != dates else dates


def scope_label(label: str | None, campaign: str | None, lang: str) -> str:
    text = label or t("all_channels", lang)
    if campaign:
        text += " · " + t("campaign", lang, name=campaign)
    return text


def trend(metric: Metric, answer: KpiAnswer, lang: str) -> str:
    """``🟢 ▲ +12,2%``: the arrow shows the movement, the colour whether it is good news."""
    change = answer.change_pct
    delta = None
    if answer.value is not None and answer.previous_value is not None:
        delta = answer.value - answer.previous_value
    if delta is None:
        return ""
    arrow = "▲" if delta > 0 else ("▼" if delta < 0 else "＝")
    if delta == 0 or metric.higher_is_better is None:
        mood = "⚪"
    else:
        mood = "🟢" if (delta > 0) == metric.higher_is_better else "🔴"
    parts = []
    pts = answer.change_points
    if pts is not None:
        parts.append(f"{fmt.points(pts)} {t('points', lang)}")
    if change is not None:
        parts.append(fmt.signed_percent(change))
    if not parts:
        return f"{mood} {arrow}"
    return f"{mood} {arrow} " + " · ".join(parts)


def value_text(metric: Metric, value: float | None, currency: str, lang: str, *,
               short: bool = False) -> str:
    if value is None:
        return t("no_data_short", lang)
    return fmt.metric_value(metric, value, currency, short=short)


def kpi_data(a: KpiAnswer) -> dict[str, Any]:
    def rnd(v: float | None, nd: int = 4) -> float | None:
        return None if v is None else round(v, nd)

    return {
        "metric": a.metric.key,
        "channel": a.scope_label,
        "campaign": a.campaign,
        "unit": a.metric.unit.value,
        "period": {"label": a.period.label, "start": a.period.start.isoformat(),
                   "end": a.period.end.isoformat()},
        "value": rnd(a.value),
        "previous": {"label": a.previous.label, "start": a.previous.start.isoformat(),
                     "end": a.previous.end.isoformat(), "value": rnd(a.previous_value)},
        "change_pct": rnd(a.change_pct, 2),
        "change_points": rnd(a.change_points, 2),
        "as_of": a.as_of,
    }


def kpi_reply(a: KpiAnswer, lang: str, currency: str = "IDR") -> Reply:
    m = a.metric
    title = f"{m.label(lang)} · {scope_label(a.scope_label, a.campaign, lang)} · " \
            f"{period_label(a.period, lang)}"
    body: list[str] = []
    if a.value is None:
        body.append(t("no_data", lang))
    else:
        body.append(value_text(m, a.value, currency, lang))
        move = trend(m, a, lang)
        if move:
            body.append(move)
    if a.as_of:
        from datetime import date

        body.append(t("stale", lang, day=fmt.day(date.fromisoformat(a.as_of), lang)))
    prev_period = fmt.day_range(a.previous.start, a.previous.end, lang)
    if a.previous_value is None:
        footer = t("prev_none", lang, period=prev_period)
    else:
        footer = t("vs", lang, period=prev_period) + \
            f": {value_text(m, a.previous_value, currency, lang)}"
    return Reply(title=title, body=body, footer=footer, intent="kpi", data=kpi_data(a),
                 lang=lang)


def summary_reply(s: Summary, lang: str, currency: str = "IDR") -> Reply:
    title = t("summary_title", lang, scope=scope_label(s.scope_label, None, lang),
              period=period_label(s.period, lang))
    body: list[str] = []
    data: list[dict[str, Any]] = []
    for cat, answers in s.sections:
        label = CATEGORY_LABELS[cat][1 if lang == "en" else 0]
        body.append("")
        body.append(f"■ {label}")
        for a in answers:
            line = f"  {a.metric.label(lang)}: {value_text(a.metric, a.value, currency, lang)}"
            move = trend(a.metric, a, lang) if a.value is not None else ""
            if move:
                line += f"  {move}"
            body.append(line)
            data.append({"category": cat.value, **kpi_data(a)})
    footer = t("vs", lang, period=fmt.day_range(s.previous.start, s.previous.end, lang))
    return Reply(title=title, body=body, footer=footer, intent="summary",
                 data={"period": {"label": s.period.label, "start": s.period.start.isoformat(),
                                  "end": s.period.end.isoformat()},
                       "previous": {"start": s.previous.start.isoformat(),
                                    "end": s.previous.end.isoformat()},
                       "metrics": data}, lang=lang)


def compare_reply(c: Comparison, lang: str, currency: str = "IDR") -> Reply:
    m = c.metric
    title = t("compare_title", lang, metric=m.label(lang), period=period_label(c.period, lang))
    body: list[str] = []
    rows: list[dict[str, Any]] = []
    for r in c.rows:
        a = r.answer
        if r.channel is None:
            name = t("total_own", lang)
            body.append("")
        else:
            name = r.channel.name
            if r.channel.is_competitor:
                name += f" ({t('competitor_tag', lang)})"
        line = f"{'•' if r.channel else 'Σ'} {name}: {value_text(m, a.value, currency, lang)}"
        if r.share_pct is not None:
            line += f" ({fmt.percent(r.share_pct)})"
        move = trend(m, a, lang) if a.value is not None else ""
        if move:
            line += f"  {move}"
        body.append(line)
        rows.append({"channel": r.channel.name if r.channel else None,
                     "competitor": bool(r.channel and r.channel.is_competitor),
                     "share_pct": None if r.share_pct is None else round(r.share_pct, 2),
                     **{k: v for k, v in kpi_data(a).items() if k != "channel"}})
    footer = t("vs", lang, period=fmt.day_range(c.previous.start, c.previous.end, lang))
    return Reply(title=title, body=body, footer=footer, intent="compare",
                 data={"metric": m.key, "rows": rows}, lang=lang)


def metric_name(key: str, lang: str) -> str:
    return METRICS[key].label(lang)
