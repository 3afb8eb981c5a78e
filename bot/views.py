"""Answers of the engine → ``Reply`` (text in the user's language, data for ``--json``)."""

from __future__ import annotations

from typing import Any

from bot import formatting as fmt
from bot.i18n import t, translate
from bot.reply import Reply
from kpi_engine.domain.metrics import CATEGORY_LABELS, METRICS, Metric
from kpi_engine.domain.periods import Period
from kpi_engine.services.answers import Comparison, KpiAnswer, Summary

#: What a reply says about the meaning rules of SPEC §3.1 (why a value is missing, which paid
#: campaigns a cost ratio covers, which channels a like-for-like change leaves out).
MEANING_MESSAGES: dict[str, tuple[str, str]] = {
    "no_posts": ("Belum ada postingan di periode ini, jadi engagement rate (per postingan) belum "
                 "bisa dihitung. Coba: /kpi err (engagement per jangkauan).",
                 "No posts in this period, so the engagement rate (per post) has no value. "
                 "Try: /kpi err (engagement by reach)."),
    "no_audience": ("Belum ada data pengikut atau subscriber untuk kanal yang memposting, jadi "
                    "engagement rate belum bisa dihitung. Coba: /kpi err.",
                    "No followers or subscribers recorded for the channels that posted, so the "
                    "engagement rate has no value. Try: /kpi err."),
    "no_competitor": ("Belum ada kanal pesaing yang dilacak di {scope}, jadi share of voice "
                      "belum bisa dihitung. Tambahkan pesaing lewat /impor (kolom competitor).",
                      "No competitor channel is tracked on {scope}, so there is no share of "
                      "voice. Add one with /import (competitor column)."),
    "no_spend": ("Belum ada biaya iklan di periode ini, jadi {metric} belum bisa dihitung.",
                 "No ad spend in this period, so {metric} has no value."),
    "paid_scope": ("Hanya kampanye berbayar: {names}.", "Paid campaigns only: {names}."),
    "untagged": ("tanpa kampanye", "untagged"),
    "left_out": ("Perubahan dihitung tanpa kanal yang belum punya data periode lalu: {names}.",
                 "Change computed without channels that had no data last period: {names}."),
    "left_out_short": ("tanpa {names}", "without {names}"),
    "no_competitor_short": ("belum ada pesaing dilacak", "no competitor tracked"),
    "no_posts_short": ("belum ada postingan; coba err", "no posts; try err"),
    "no_audience_short": ("belum ada data pengikut", "no follower data"),
    "no_spend_short": ("belum ada biaya iklan", "no ad spend"),
}


def meaning(key: str, lang: str, **params: object) -> str:
    return translate(MEANING_MESSAGES, key, lang, **params)


def campaign_names(campaigns: tuple[str, ...], lang: str) -> str:
    """The paid campaigns of a cost ratio, untagged spend named as such."""
    return ", ".join(c or meaning("untagged", lang) for c in campaigns)


def no_value_text(a: KpiAnswer, lang: str) -> str:
    """Why there is no value, with a hint (SPEC §3.1), or the plain "no data"."""
    reason = a.reason
    if reason in ("no_posts", "no_audience"):
        return meaning(reason, lang)
    if reason == "no_competitor":
        return meaning(reason, lang, scope=a.scope_label or t("all_channels", lang))
    if reason == "no_spend":
        return meaning(reason, lang, metric=a.metric.label(lang))
    return t("no_data", lang)


def notes(a: KpiAnswer, lang: str) -> list[str]:
    """The lines that say what a value covers: its paid campaigns, the channels left out."""
    out = []
    if a.paid_campaigns and a.value is not None:
        out.append(meaning("paid_scope", lang, names=campaign_names(a.paid_campaigns, lang)))
    if a.left_out and a.change is not None:
        out.append(meaning("left_out", lang, names=", ".join(a.left_out)))
    return out


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
    delta = answer.change  # like for like: over the channels with data in both periods
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
        "reason": a.reason,
        "paid_campaigns": list(a.paid_campaigns),
        "left_out": list(a.left_out),
    }


def kpi_reply(a: KpiAnswer, lang: str, currency: str = "IDR") -> Reply:
    m = a.metric
    title = f"{m.label(lang)} · {scope_label(a.scope_label, a.campaign, lang)} · " \
            f"{period_label(a.period, lang)}"
    body: list[str] = []
    if a.value is None:
        body.append(no_value_text(a, lang))
    else:
        body.append(value_text(m, a.value, currency, lang))
        move = trend(m, a, lang)
        if move:
            body.append(move)
    body.extend(notes(a, lang))
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


#: The audience under each platform's name (SPEC §3.1): a scope that records one of them
#: shows no "no data" line for the other.
_AUDIENCE_TWIN = {"followers": "subscribers", "subscribers": "followers"}


def summary_reply(s: Summary, lang: str, currency: str = "IDR") -> Reply:
    title = t("summary_title", lang, scope=scope_label(s.scope_label, None, lang),
              period=period_label(s.period, lang))
    body: list[str] = []
    data: list[dict[str, Any]] = []
    present = {a.metric.key for _, found in s.sections for a in found
               if a.value is not None or a.previous_value is not None}
    for cat, answers in s.sections:
        label = CATEGORY_LABELS[cat][1 if lang == "en" else 0]
        body.append("")
        body.append(f"■ {label}")
        for a in answers:
            if a.metric.key not in present and _AUDIENCE_TWIN.get(a.metric.key) in present:
                data.append({"category": cat.value, **kpi_data(a)})
                continue  # TikTok has no subscribers, YouTube no followers: not "no data"
            line = f"  {a.metric.label(lang)}: {value_text(a.metric, a.value, currency, lang)}"
            move = trend(a.metric, a, lang) if a.value is not None else ""
            if move:
                line += f"  {move}"
                if a.left_out:
                    line += " (" + meaning("left_out_short", lang,
                                           names=", ".join(a.left_out)) + ")"
            if a.value is None and a.reason:
                line += " (" + meaning(f"{a.reason}_short", lang) + ")"
            if a.paid_campaigns and a.value is not None:
                line += " · " + meaning("paid_scope", lang,
                                        names=campaign_names(a.paid_campaigns, lang))
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
        if a.value is None and a.reason:
            line += " (" + meaning(f"{a.reason}_short", lang) + ")"
        body.append(line)
        if r.channel is None:
            body.extend(notes(a, lang))
        rows.append({"channel": r.channel.name if r.channel else None,
                     "competitor": bool(r.channel and r.channel.is_competitor),
                     "share_pct": None if r.share_pct is None else round(r.share_pct, 2),
                     **{k: v for k, v in kpi_data(a).items() if k != "channel"}})
    footer = t("vs", lang, period=fmt.day_range(c.previous.start, c.previous.end, lang))
    return Reply(title=title, body=body, footer=footer, intent="compare",
                 data={"metric": m.key, "rows": rows}, lang=lang)


def metric_name(key: str, lang: str) -> str:
    return METRICS[key].label(lang)
