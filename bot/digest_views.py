"""A digest in words and one chart (Indonesian by default, English on request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import formatting as fmt
from bot import goal_phrases as gp
from bot import views
from bot.content_command import format_label
from bot.i18n import t, translate
from bot.reply import Reply
from kpi_engine.domain.metrics import CATEGORY_LABELS, METRICS, Unit
from kpi_engine.services.answers import KpiAnswer
from kpi_engine.services.digests import Digest, GoalLine

if TYPE_CHECKING:
    from bot.charts import ChartSpec

MESSAGES: dict[str, tuple[str, str]] = {
    "daily_title": ("📊 Ringkasan harian · {name} · {day}", "📊 Daily digest · {name} · {day}"),
    "weekly_title": ("📊 Ringkasan mingguan · {name} · {period}",
                     "📊 Weekly digest · {name} · {period}"),
    "columns": ("Kolom: {columns}", "Columns: {columns}"),
    "vs": ("{label} ({dates}, dibanding {prev})", "{label} ({dates}, vs {prev})"),
    "no_data": ("Belum ada data untuk periode ini. Impor data (/impor) atau catat (/catat).",
                "No data for this period yet. Import (/import) or record (/record) data."),
    "goals": ("🎯 Target", "🎯 Goals"),
    "goal_line": ("#{id} {metric} · {scope}: {current}, target {target} ({progress}) · "
                  "tenggat {deadline}", "#{id} {metric} · {scope}: {current}, target {target} "
                  "({progress}) · deadline {deadline}"),
    "goal_pace": ("perlu {required}/minggu, laju 4 minggu terakhir {recent}/minggu · "
                  "{forecast} · {verdict}",
                  "needs {required}/week, pace of the last 4 weeks {recent}/week · "
                  "{forecast} · {verdict}"),
    "alerts": ("🔔 Alert sejak ringkasan terakhir", "🔔 Alerts since the last digest"),
    "no_alerts": ("Tidak ada alert sejak ringkasan terakhir.",
                  "No alerts since the last digest."),
    "more_alerts": ("… dan {n} lainnya", "… and {n} more"),
    "all_own": ("semua kanal sendiri", "all own channels"),
    "chart_title": ("{metric} harian · {dates}", "Daily {metric} · {dates}"),
    "chart_sub": ("{scope} · dibanding {prev}", "{scope} · vs {prev}"),
    "footer": ("Berhenti berlangganan: /berhenti", "Unsubscribe: /unsubscribe"),
    "best_post": ("🏆 Postingan terbaik kemarin", "🏆 Yesterday's best post"),
    "best_post_line": ("{format} · {channel} — {value} engagement",
                       "{format} · {channel} — {value} engagement"),
    "no_link": ("(tanpa tautan)", "(no link)"),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(MESSAGES, key, lang, **params)


def _format_label(key: str, lang: str) -> str:
    """The /konten labels (Reel, Feed, …); a post of no known format is a post."""
    return format_label(key, lang) if key else ("Postingan" if lang == "id" else "Post")


@dataclass
class DigestView:
    reply: Reply  # the text (no chart)
    chart: bytes | None  # the PNG of the chart message
    chart_caption: str


def _cell(a: KpiAnswer, currency: str, lang: str) -> str:
    if a.value is None:
        return "–"
    if a.left_out and a.change is not None:
        return _cell_text(a, currency, lang) + "*"
    return _cell_text(a, currency, lang)


def _cell_text(a: KpiAnswer, currency: str, lang: str) -> str:
    assert a.value is not None
    text = fmt.metric_value(a.metric, a.value, currency, short=True)
    pts = a.change_points
    change = a.change_pct
    if a.metric.unit is Unit.PERCENT and pts is not None:
        arrow = "▲" if pts > 0 else ("▼" if pts < 0 else "＝")
        return f"{text} ({arrow} {fmt.points(pts)} {'pts' if lang == 'en' else 'poin'})"
    if change is None:
        return text
    arrow = "▲" if change > 0 else ("▼" if change < 0 else "＝")
    return f"{text} ({arrow} {fmt.signed_percent(change)})"


def _notes(a: KpiAnswer, lang: str) -> list[str]:
    """Under a metric's line: the paid campaigns of a cost ratio (SPEC §3.1), and the day a
    gauge's value is from when it is older than the period (SPEC §3)."""
    out = []
    if a.paid_campaigns and a.value is not None:
        out.append(views.meaning("paid_scope", lang,
                                 names=views.campaign_names(a.paid_campaigns, lang)))
    if a.as_of:
        out.append(t("stale", lang, day=fmt.day(date.fromisoformat(a.as_of), lang)))
    return out


def _per_week(metric: str, value: float | None, currency: str) -> str:
    if value is None:
        return "–"
    shown = fmt.metric_value(METRICS[metric], abs(value), currency, short=True)
    return ("+" if value >= 0 else "−") + shown


def _goal(g: GoalLine, lang: str, currency: str) -> list[str]:
    metric = METRICS[g.metric]
    current = "–" if g.current is None else fmt.metric_value(metric, g.current, currency)
    progress = gp.progress_text(g.progress_pct, g.basis, lang)
    verdict = gp.judgement_text(g.status or gp.track_status(True, g.on_track, g.days_run,
                                                            g.judge_after),
                                lang, days_run=g.days_run, judge_after=g.judge_after)
    return [
        "  " + _m("goal_line", lang, id=g.goal_id, metric=metric.label(lang),
                  scope=g.channel or _m("all_own", lang), current=current,
                  target=fmt.metric_value(metric, g.target, currency), progress=progress,
                  deadline=fmt.day(g.deadline, lang)),
        "    " + _m("goal_pace", lang, required=_per_week(g.metric, g.required_per_week,
                                                          currency),
                    recent=_per_week(g.metric, g.recent_per_week, currency),
                    forecast=gp.forecast_text(g.forecast_pct, g.basis, lang), verdict=verdict),
    ]


def digest_chart(d: Digest) -> tuple[ChartSpec | None, str]:
    """What the digest's chart draws (None without one) and its caption."""
    if d.chart is None or d.chart_metric is None:
        return None, ""
    from bot.charts import ChartSpec

    lang = d.lang
    cur, prev = d.chart
    metric = METRICS[d.chart_metric]
    caption = _m("chart_title", lang, metric=metric.label(lang),
                 dates=fmt.day_range(cur[0][0], cur[-1][0], lang))
    return ChartSpec(
        title=caption, subtitle=_m("chart_sub", lang, scope=_m("all_own", lang),
                                   prev=fmt.day_range(prev[0][0], prev[-1][0], lang)),
        metric=metric, lang=lang, current=cur, previous=prev,
        currency=d.workspace.currency), caption


def render_digest(d: Digest, *, chart: bool = True,
                  draw: Callable[[ChartSpec], bytes] | None = None) -> DigestView:
    """The digest's text, and its chart rendered to PNG (``chart=False``: skip rendering) by
    ``draw`` (default: ``bot.charts.render_chart``; the scheduler passes its ``ChartCache``)."""
    ws = d.workspace
    lang = d.lang
    currency = ws.currency
    if d.kind == "weekly":
        p = d.periods[0].current
        title = _m("weekly_title", lang, name=ws.name,
                   period=fmt.day_range(p.start, p.end, lang))
    else:
        title = _m("daily_title", lang, name=ws.name, day=fmt.day(d.day, lang))
    body = [_m("vs", lang, label=pq.current.label,
               dates=fmt.day_range(pq.current.start, pq.current.end, lang),
               prev=fmt.day_range(pq.previous.start, pq.previous.end, lang))
            for pq in d.periods]
    if not d.has_data:
        body += ["", _m("no_data", lang)]
    for cat, rows in d.sections:
        body += ["", f"■ {CATEGORY_LABELS[cat][1 if lang == 'en' else 0]}"]
        for row in rows:
            cells = " | ".join(_cell(x, currency, lang) for x in row)
            body.append(f"  {row[0].metric.label(lang)}: {cells}")
            body += ["    " + note for note in _notes(row[-1], lang)]
    left_out = sorted({c for _, rows in d.sections for row in rows for x in row
                       for c in x.left_out if x.change is not None})
    if left_out:  # like for like (SPEC §3.1): a new channel is never growth
        body += ["", "* " + views.meaning("left_out", lang, names=", ".join(left_out))]
    if d.goals:
        body += ["", _m("goals", lang)]
        for g in d.goals:
            body += _goal(g, lang, currency)
    if d.best_post is not None:  # plain text: the adapters escape caption and link
        channel, post = d.best_post
        body += ["", _m("best_post", lang),
                 "  " + _m("best_post_line", lang, format=_format_label(post.format, lang),
                           channel=channel, value=fmt.number(post.value))]
        caption = fmt.excerpt(post.caption, 60)
        if caption:
            body.append(f"  “{caption}”")
        body.append("  " + (post.permalink or _m("no_link", lang)))
    body += ["", _m("alerts", lang)]
    if not d.alerts:
        body.append("  " + _m("no_alerts", lang))
    tz = ZoneInfo(ws.timezone)
    for line in d.alerts[-10:]:
        when = line.at.astimezone(tz)
        body.append(f"  • {fmt.day(when.date(), lang)} {when:%H:%M} {line.summary}")
    if len(d.alerts) > 10:
        body.append("  " + _m("more_alerts", lang, n=len(d.alerts) - 10))
    reply = Reply(title=title, body=body, footer=_m("footer", lang), intent="digest",
                  lang=lang, data=d.as_json())
    spec, caption = digest_chart(d)
    png = None
    if chart and spec is not None:
        from bot.charts import render_chart

        png = (draw or render_chart)(spec)
    return DigestView(reply, png, caption)
