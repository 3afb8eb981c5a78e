"""What the bot says about goals: the sentences (Indonesian and English), the replies of
``/target`` (created, list, one goal with its chart, edited, cancelled) and their data for
``ask --json`` (intent ``goal``)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from bot import formatting as fmt
from bot import goal_phrases as gp
from bot.charts import ChartSpec, render_chart
from bot.i18n import translate
from bot.reply import Reply
from kpi_engine.domain.goal_math import Shape, direction, is_ceiling, progress_basis
from kpi_engine.domain.goal_model import Goal, GoalEvent, GoalPlan
from kpi_engine.domain.metrics import CATEGORY_LABELS, METRICS, Metric, Unit
from kpi_engine.services.goals import Progress

GOAL_MESSAGES: dict[str, tuple[str, str]] = {
    # the goal in one sentence
    "all_channels": ("semua kanal", "all channels"),
    "campaign": ("kampanye {name}", "campaign {name}"),
    "total": ("{metric} · {scope}: total {target} dari {start} sampai {deadline}",
              "{metric} · {scope}: {target} in total from {start} to {deadline}"),
    "ceiling": ("{metric} · {scope}: paling banyak {target} dari {start} sampai {deadline}",
                "{metric} · {scope}: at most {target} from {start} to {deadline}"),
    "growth": ("{metric} · {scope}: dari {baseline} menjadi {target} paling lambat {deadline}",
               "{metric} · {scope}: from {baseline} to {target} by {deadline}"),
    "floor": ("{metric} · {scope}: minimal {target} sampai {deadline} (sekarang {baseline})",
              "{metric} · {scope}: at least {target} until {deadline} (now {baseline})"),
    "cap": ("{metric} · {scope}: paling tinggi {target} sampai {deadline} (sekarang {baseline})",
            "{metric} · {scope}: at most {target} until {deadline} (now {baseline})"),
    "growth_new": ("{metric} · {scope}: mencapai {target} paling lambat {deadline}",
                   "{metric} · {scope}: reach {target} by {deadline}"),
    "relative_total": (" ({change} dibanding {baseline} pada {span})",
                       " ({change} on {baseline} in {span})"),
    "relative": (" ({change})", " ({change})"),
    "category": ("Kategori: {category}.", "Category: {category}."),
    # paces and verdicts
    "per_week": ("{pace}/minggu", "{pace}/week"),
    "points": ("poin", "pts"),
    "pace": ("Laju yang dibutuhkan: {required} · laju 28 hari terakhir: {historical}.",
             "Required pace: {required} · last 28 days: {historical}."),
    "pace_met": ("Laju 28 hari terakhir: {historical}.", "Last 28 days: {historical}."),
    "pace_no_history": ("Laju yang dibutuhkan: {required} · belum ada 7 hari data dalam 28 "
                        "hari terakhir.",
                        "Required pace: {required} · not 7 days of data in the last 28 days "
                        "yet."),
    "budget_pace": ("Sisa anggaran: paling banyak {required} · 28 hari terakhir: {historical}.",
                    "Budget left: at most {required} · last 28 days: {historical}."),
    "at_pace": ("Dengan laju 28 hari terakhir: {forecast} ({value}; {rule}).",
                "At the pace of the last 28 days: {forecast} ({value}; {rule})."),
    "status_now": ("Status: {status}.", "Status: {status}."),
    "v_met": ("✅ Realistis: target ini sudah tercapai saat ini.",
              "✅ Realistic: this target is already met today."),
    "v_realistic": ("✅ Realistis: butuh {multiple}× laju 28 hari terakhir.",
                    "✅ Realistic: needs {multiple}× the pace of the last 28 days."),
    "v_ambitious": ("💪 Ambisius: butuh {multiple}× laju 28 hari terakhir.",
                    "💪 Ambitious: needs {multiple}× the pace of the last 28 days."),
    "v_unrealistic": ("⚠️ Tidak realistis: butuh {multiple}× laju 28 hari terakhir.",
                      "⚠️ Unrealistic: needs {multiple}× the pace of the last 28 days."),
    "v_wrong_way": ("⚠️ Tidak realistis: 28 hari terakhir {metric} bergerak ke arah "
                    "sebaliknya atau datar.",
                    "⚠️ Unrealistic: over the last 28 days {metric} moved the other way or "
                    "stayed flat."),
    "v_no_history": ("ℹ️ Belum ada riwayat data untuk menilai target ini; progres dihitung "
                     "begitu data masuk.",
                     "ℹ️ No history yet to judge this goal; progress counts as soon as data "
                     "comes in."),
    "vb_realistic": ("✅ Realistis: laju belanja 28 hari terakhir {multiple}× dari batas.",
                     "✅ Realistic: the last 28 days' spending runs at {multiple}× the cap."),
    "vb_ambitious": ("💪 Ambisius: harus {multiple}× lebih hemat dari laju 28 hari terakhir.",
                     "💪 Ambitious: must run {multiple}× leaner than the last 28 days."),
    "vb_unrealistic": ("⚠️ Tidak realistis: harus {multiple}× lebih hemat dari laju 28 hari "
                       "terakhir.",
                       "⚠️ Unrealistic: must run {multiple}× leaner than the last 28 days."),
    "vb_over": ("⚠️ Tidak realistis: batasnya sudah terlampaui.",
                "⚠️ Unrealistic: the cap is already exceeded."),
    # replies
    "created": ("🎯 Target #{id} dibuat", "🎯 Goal #{id} set"),
    "created_footer": ("Lihat progres: /target {id} · semua target: /target",
                       "Progress: /goal {id} · all goals: /goal"),
    "list_title": ("🎯 Target aktif ({count})", "🎯 Active goals ({count})"),
    "list_all_title": ("🎯 Semua target ({count})", "🎯 All goals ({count})"),
    "list_empty": ("Belum ada target aktif. Buat satu: /target followers +20% instagram 3 bulan",
                   "No active goals yet. Set one: /goal followers +20% instagram 3 months"),
    "list_footer": ("Detail dan grafik: /target NOMOR · batalkan: /target hapus NOMOR",
                    "Details and chart: /goal NUMBER · cancel: /goal delete NUMBER"),
    "list_head": ("#{id} {metric} · {scope} → {target} · tenggat {deadline}",
                  "#{id} {metric} · {scope} → {target} · due {deadline}"),
    "list_line": ("   {status} · {progress} · butuh {required}, laju 28 hari terakhir "
                  "{recent} · {forecast}",
                  "   {status} · {progress} · needs {required}, last 28 days {recent} · "
                  "{forecast}"),
    "list_closed": ("   {status} · {progress}", "   {status} · {progress}"),
    "show_title": ("🎯 Target #{id}", "🎯 Goal #{id}"),
    "show_now": ("Sekarang: {current} · {progress}", "Now: {current} · {progress}"),
    "show_nothing": ("Sekarang: belum ada data.", "Now: no data yet."),
    "show_as_of": (" (data sampai {day})", " (data to {day})"),
    "show_gauge_from": (" (per {day})", " (as of {day})"),
    "show_pace": ("Laju: butuh {required}, 28 hari terakhir {recent}.",
                  "Pace: needs {required}, last 28 days {recent}."),
    "show_forecast": ("Tenggat {deadline} ({days} hari lagi): {forecast}{value} · {status}",
                      "Deadline {deadline} ({days} days left): {forecast}{value} · {status}"),
    "show_closed": ("Status: {status} ({day}).", "Status: {status} ({day})."),
    "show_verdict": ("Penilaian awal: {verdict}.", "Verdict when set: {verdict}."),
    "show_history": ("Riwayat: {events}", "History: {events}"),
    "show_footer": ("Ubah: /target ubah {id} NILAI atau TENGGAT · batalkan: /target hapus {id}",
                    "Change: /goal edit {id} VALUE or DEADLINE · cancel: /goal delete {id}"),
    "edited": ("✏️ Target #{id} diubah: {changes}. Baseline tetap {baseline}.",
               "✏️ Goal #{id} changed: {changes}. The baseline stays {baseline}."),
    "edited_target": ("target {old} → {new}", "target {old} → {new}"),
    "edited_deadline": ("tenggat {old} → {new}", "deadline {old} → {new}"),
    "edited_same": ("tidak ada yang berubah", "nothing changed"),
    "cancelled": ("🚫 Target #{id} dibatalkan: {sentence}.",
                  "🚫 Goal #{id} cancelled: {sentence}."),
    "none": ("–", "–"),
    "no_baseline": ("belum ada data", "no data yet"),
}

STATUS: dict[str, tuple[str, str]] = {
    "active": ("aktif", "active"),
    "achieved": ("🏆 tercapai", "🏆 achieved"),
    "missed": ("❌ tidak tercapai", "❌ missed"),
    "cancelled": ("🚫 dibatalkan", "🚫 cancelled"),
}
VERDICTS: dict[str, tuple[str, str]] = {
    "realistic": ("realistis", "realistic"),
    "ambitious": ("ambisius", "ambitious"),
    "unrealistic": ("tidak realistis", "unrealistic"),
    "no_history": ("belum ada riwayat", "no history yet"),
}
EVENTS: dict[str, tuple[str, str]] = {
    "created": ("dibuat", "set"), "edited": ("diubah", "changed"),
    "cancelled": ("dibatalkan", "cancelled"), "achieved": ("tercapai", "achieved"),
    "missed": ("tidak tercapai", "missed"),
}


def msg(key: str, lang: str, **params: object) -> str:
    return translate(GOAL_MESSAGES, key, lang, **params)


def _pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    return translate(table, key, lang) if key in table else key


# ----------------------------------------------------------------------------- numbers

def value(metric: Metric, number: float | None, currency: str, lang: str) -> str:
    if number is None or not math.isfinite(number):
        return msg("no_baseline", lang)
    return fmt.metric_value(metric, number, currency)


def signed(metric: Metric, number: float, currency: str, lang: str) -> str:
    """``+651``, ``−1,2 jt``, ``+0,2 poin``: a change in the metric's unit."""
    sign = "+" if number > 0 else ("−" if number < 0 else "")
    size = abs(number)
    if metric.unit is Unit.PERCENT:
        return f"{sign}{fmt.number(size, 2 if 0 < size < 0.1 else 1)} {msg('points', lang)}"
    if metric.unit is Unit.CURRENCY:
        return sign + fmt.metric_value(metric, size, currency, short=True)
    if metric.unit is Unit.MULTIPLE:
        return f"{sign}{fmt.number(size, 2)}×"
    if size >= 10_000:
        return sign + fmt.compact(size)
    return sign + fmt.number(size, 0 if size >= 10 or size == 0 else 1)


def pace(metric: Metric, per_week: float | None, currency: str, lang: str) -> str:
    if per_week is None:
        return msg("none", lang)
    return msg("per_week", lang, pace=signed(metric, per_week, currency, lang))


def scope(goal_channel: str | None, campaign: str | None, lang: str) -> str:
    text = goal_channel or msg("all_channels", lang)
    if campaign:
        text += " · " + msg("campaign", lang, name=campaign)
    return text


def change_text(metric: Metric, kind: str, number: float, currency: str, lang: str) -> str:
    if kind == "percent":
        return ("+" if number >= 0 else "−") + fmt.percent(abs(number))
    return signed(metric, number, currency, lang)


# ----------------------------------------------------------------------------- sentences

def baseline_span(goal: Goal | GoalPlan, created: date | None = None) -> tuple[date, date]:
    """The days a total goal's baseline was taken from: the same number of days just before
    the start, or ending on the day it was set when it starts later (SPEC §3.1). ``created``:
    the local day it was set (from its ``created`` event; else the UTC day of creation)."""
    if isinstance(goal, GoalPlan):
        return goal.baseline_span.start, goal.baseline_span.end
    length = (goal.deadline - goal.start).days + 1
    if created is None and goal.created_at is not None:
        created = goal.created_at.date()
    last = goal.start - timedelta(days=1)
    if created is not None and created < goal.start:
        last = created
    return last - timedelta(days=length - 1), last


def sentence(goal: Goal | GoalPlan, deadline: date, channel: str | None,
             campaign: str | None, currency: str, lang: str, *,
             created: date | None = None) -> str:
    """The goal in one sentence (without the final full stop)."""
    metric = METRICS[goal.metric]
    kind = goal.value_kind
    number = goal.value_input if isinstance(goal, Goal) else goal.value
    params: dict[str, Any] = {
        "metric": metric.label(lang), "scope": scope(channel, campaign, lang),
        "target": value(metric, goal.target, currency, lang),
        "baseline": value(metric, goal.baseline, currency, lang),
        "start": fmt.day(goal.start, lang), "deadline": fmt.day(deadline, lang)}
    if goal.shape is Shape.TOTAL:
        text = msg("ceiling" if is_ceiling(metric) else "total", lang, **params)
        if kind != "absolute" and goal.baseline is not None:
            first, last = baseline_span(goal, created)
            text += msg("relative_total", lang, change=change_text(metric, kind, number,
                                                                  currency, lang),
                        baseline=params["baseline"], span=fmt.day_range(first, last, lang))
        return text
    if goal.baseline is None:
        return msg("growth_new", lang, **params)
    sign = direction(goal.shape, goal.baseline, goal.target, metric)
    if (goal.target - goal.baseline) * sign <= 0:  # already there: a level to hold
        return msg("floor" if sign > 0 else "cap", lang, **params)
    text = msg("growth", lang, **params)
    if kind != "absolute":
        text += msg("relative", lang, change=change_text(metric, kind, number, currency, lang))
    return text


def category_line(metric_key: str, lang: str) -> str | None:
    from kpi_engine.domain.metrics import category_of

    cat = category_of(metric_key)
    if cat is None:
        return None
    return msg("category", lang, category=CATEGORY_LABELS[cat][1 if lang == "en" else 0])


def verdict_lines(plan: GoalPlan, currency: str, lang: str) -> list[str]:
    """The pace line and the plain verdict of a goal just set."""
    metric = METRICS[plan.metric]
    required = pace(metric, plan.required_per_week, currency, lang)
    historical = pace(metric, plan.historical_per_week, currency, lang)
    if is_ceiling(metric):
        lines = [msg("budget_pace", lang, historical=historical, required=msg(
            "per_week", lang, pace=value(metric, plan.required_per_week, currency, lang)))]
        if plan.verdict.value == "no_history":
            return [*lines, msg("v_no_history", lang)]
        if plan.multiple is None or math.isinf(plan.multiple):
            return [*lines, msg("vb_over", lang)]
        return [*lines, msg("vb_" + plan.verdict.value, lang,
                            multiple=fmt.number(plan.multiple, 1))]
    if plan.multiple == 0:
        met = [msg("pace_met", lang, historical=historical)] if plan.historical_per_week \
            is not None else []
        return [*met, msg("v_met", lang)]
    if plan.historical_per_week is None:
        lines = [msg("pace_no_history", lang, required=required)]
    else:
        lines = [msg("pace", lang, required=required, historical=historical)]
    if plan.verdict.value == "no_history" or plan.multiple is None:
        return [*lines, msg("v_no_history", lang)]
    if math.isinf(plan.multiple):
        return [*lines, msg("v_wrong_way", lang, metric=metric.label(lang))]
    lines.append(msg("v_" + plan.verdict.value, lang, multiple=fmt.number(plan.multiple, 1)))
    return lines


def at_pace_line(plan: GoalPlan, currency: str, lang: str) -> str | None:
    """Where the goal ends up at the pace the verdict used: the same forecast, on the same
    scale, as the off-track judgement."""
    if plan.forecast is None or plan.forecast_pct is None:
        return None
    metric = METRICS[plan.metric]
    sign = direction(plan.shape, plan.baseline, plan.target, metric)
    basis = progress_basis(plan.shape, plan.baseline, plan.target, sign, is_ceiling(metric))
    return msg("at_pace", lang, forecast=gp.forecast_text(plan.forecast_pct, basis, lang),
               value=value(metric, plan.forecast, currency, lang), rule=gp.phrase("rule", lang))


# ----------------------------------------------------------------------------- replies

def _rnd(number: float | None, digits: int = 4) -> float | None:
    if number is None or not math.isfinite(number):
        return None
    return round(number, digits)


def goal_data(p: Progress) -> dict[str, Any]:
    """The fields of ``ask --json`` for one goal."""
    g = p.goal
    category = g.category
    return {
        "id": g.id, "metric": g.metric, "channel": g.channel, "campaign": g.campaign,
        "target": _rnd(g.target), "baseline": _rnd(g.baseline), "current": _rnd(p.current),
        "progress_pct": _rnd(p.progress_pct, 2), "progress_of": p.basis,
        "required_per_week": _rnd(p.required_per_week),
        "historical_per_week": _rnd(g.historical_per_week),  # the pace when it was set
        "recent_per_week": _rnd(p.recent_per_week), "pace_per_week": _rnd(p.recent_per_week),
        "forecast": _rnd(p.forecast), "forecast_pct": _rnd(p.forecast_pct, 2),
        "status": p.status, "state": g.status, "on_track": p.on_track,
        "days_run": p.days_run, "judged_after_days": p.judge_after,
        "deadline": g.deadline.isoformat(), "start": g.start.isoformat(),
        "days_left": p.days_left, "as_of": p.as_of.isoformat() if p.as_of else None,
        "value_kind": g.value_kind, "value": g.value_input, "verdict": g.verdict or None,
        "shape": g.shape.value, "category": category.value if category else None,
    }


def created_reply(goal: Goal, plan: GoalPlan, progress: Progress, currency: str,
                  lang: str) -> Reply:
    body = [sentence(plan, goal.deadline, goal.channel, goal.campaign, currency, lang) + "."]
    cat = category_line(goal.metric, lang)
    if cat:
        body.append(cat)
    body += verdict_lines(plan, currency, lang)
    at_pace = at_pace_line(plan, currency, lang)
    if at_pace:
        body.append(at_pace)
    body.append(msg("status_now", lang, status=_status(progress, lang)))
    data = goal_data(progress)
    data.update(created=True, required_per_week=_rnd(plan.required_per_week),
                historical_per_week=_rnd(plan.historical_per_week),
                multiple=_rnd(plan.multiple, 2), verdict=plan.verdict.value)
    return Reply(title=msg("created", lang, id=goal.id), body=body,
                 footer=msg("created_footer", lang, id=goal.id), intent="goal", data=data,
                 lang=lang)


def _status(p: Progress, lang: str) -> str:
    if p.goal.active:
        return gp.judgement_text(p.status, lang, days_run=p.days_run,
                                 judge_after=p.judge_after, start=p.goal.start)
    return _pick(STATUS, p.status, lang)


def _progress(p: Progress, lang: str) -> str:
    return gp.progress_text(p.progress_pct, p.basis, lang)


def _forecast(p: Progress, lang: str) -> str:
    return gp.forecast_text(p.forecast_pct, p.basis, lang)


def list_reply(items: list[Progress], currency: str, lang: str, *, everything: bool) -> Reply:
    if not items:
        return Reply(body=[msg("list_empty", lang)], intent="goal", data={"goals": []},
                     lang=lang)
    body: list[str] = []
    for p in items:
        g, metric = p.goal, p.goal.definition
        body.append(msg("list_head", lang, id=g.id, metric=metric.label(lang),
                        scope=scope(g.channel, g.campaign, lang),
                        target=value(metric, g.target, currency, lang),
                        deadline=fmt.day(g.deadline, lang)))
        if not g.active:
            body.append(msg("list_closed", lang, status=_status(p, lang),
                            progress=_progress(p, lang)))
            continue
        body.append(msg("list_line", lang, status=_status(p, lang), progress=_progress(p, lang),
                        required=pace(metric, p.required_per_week, currency, lang),
                        recent=pace(metric, p.recent_per_week, currency, lang),
                        forecast=_forecast(p, lang)))
    title = msg("list_all_title" if everything else "list_title", lang, count=len(items))
    return Reply(title=title, body=body, footer=msg("list_footer", lang), intent="goal",
                 data={"goals": [goal_data(p) for p in items]}, lang=lang)


def show_reply(p: Progress, events: list[GoalEvent], currency: str, lang: str, *,
               chart: bool = True) -> Reply:
    g, metric = p.goal, p.goal.definition
    created = next((e.day for e in events if e.kind == "created"), None)
    body = [sentence(g, g.deadline, g.channel, g.campaign, currency, lang,
                     created=created) + "."]
    cat = category_line(g.metric, lang)
    if cat:
        body.append(cat)
    body.append(_now_line(p, currency, lang))
    if g.active:
        body.append(msg("show_pace", lang,
                        required=pace(metric, p.required_per_week, currency, lang),
                        recent=pace(metric, p.recent_per_week, currency, lang)))
        body.append(_forecast_line(p, currency, lang))
    else:
        closing = [e.day for e in events if e.kind == g.status]
        day = closing[-1] if closing else g.deadline
        body.append(msg("show_closed", lang, status=_status(p, lang), day=fmt.day(day, lang)))
    if g.verdict:
        body.append(msg("show_verdict", lang, verdict=_pick(VERDICTS, g.verdict, lang)))
    if events:
        body.append(msg("show_history", lang, events=" · ".join(
            _event_text(e, metric, currency, lang) for e in events)))
    reply = Reply(title=msg("show_title", lang, id=g.id), body=body,
                  footer=msg("show_footer", lang, id=g.id) if g.active else "",
                  intent="goal", data=goal_data(p), lang=lang)
    if chart:
        reply.chart = goal_chart(p, currency, lang)
    return reply


def _now_line(p: Progress, currency: str, lang: str) -> str:
    """``Sekarang: 21.000 · 42% dari target tercapai (data sampai 21 Nov 2026)``; a level
    older than the goal's start says from which day it is (SPEC §3)."""
    metric = p.goal.definition
    if p.current is None:
        return msg("show_nothing", lang)
    now = msg("show_now", lang, current=value(metric, p.current, currency, lang),
              progress=_progress(p, lang))
    if p.gauge_from is not None and p.current is not None:
        now += msg("show_gauge_from", lang, day=fmt.day(p.gauge_from, lang))
    elif p.as_of is not None and p.current is not None and p.as_of < p.today:
        now += msg("show_as_of", lang, day=fmt.day(p.as_of, lang))
    return now


def _forecast_line(p: Progress, currency: str, lang: str) -> str:
    g, metric = p.goal, p.goal.definition
    return msg("show_forecast", lang, deadline=fmt.day(g.deadline, lang), days=p.days_left,
               forecast=_forecast(p, lang),
               value=f" ({value(metric, p.forecast, currency, lang)})" if p.forecast is not None
               else "", status=_status(p, lang))


def _event_text(e: GoalEvent, metric: Metric, currency: str, lang: str) -> str:
    """``diubah 23 Nov 2026 (→ 15.340, 31 Jan 2027)``: an edit says what the goal became."""
    text = f"{_pick(EVENTS, e.kind, lang)} {fmt.day(e.day, lang)}"
    if e.kind == "edited":
        parts = [value(metric, e.target, currency, lang)] if e.target is not None else []
        if e.deadline is not None:
            parts.append(fmt.day(e.deadline, lang))
        text += f" (→ {', '.join(parts)})" if parts else ""
    return text


def goal_chart(p: Progress, currency: str, lang: str) -> bytes:
    """The goal's chart: its series (a total's running sum), the target line and the
    forecast to the deadline."""
    g, metric = p.goal, p.goal.definition
    points = p.chart_series()
    title = f"#{g.id} {metric.label(lang)} · {scope(g.channel, g.campaign, lang)}"
    subtitle = sentence(g, g.deadline, g.channel, g.campaign, currency, lang)
    return render_chart(ChartSpec(
        title=title, subtitle=subtitle, metric=metric, lang=lang, current=points,
        target=g.target, forecast=list(p.forecast_line) or None, currency=currency))


def edited_reply(old: Goal, new: Progress, currency: str, lang: str) -> Reply:
    g, metric = new.goal, new.goal.definition
    changes = []
    if old.target != g.target:
        changes.append(msg("edited_target", lang, old=value(metric, old.target, currency, lang),
                           new=value(metric, g.target, currency, lang)))
    if old.deadline != g.deadline:
        changes.append(msg("edited_deadline", lang, old=fmt.day(old.deadline, lang),
                           new=fmt.day(g.deadline, lang)))
    text = msg("edited", lang, id=g.id, changes=", ".join(changes) or msg("edited_same", lang),
               baseline=value(metric, g.baseline, currency, lang))
    body = [text, sentence(g, g.deadline, g.channel, g.campaign, currency, lang) + ".",
            msg("show_pace", lang, required=pace(metric, new.required_per_week, currency, lang),
                recent=pace(metric, new.recent_per_week, currency, lang)),
            _forecast_line(new, currency, lang)]
    data = goal_data(new)
    data.update(edited=True, previous_target=_rnd(old.target),
                previous_deadline=old.deadline.isoformat())
    return Reply(body=body, intent="goal", data=data, lang=lang)


def cancelled_reply(goal: Goal, progress: Progress, currency: str, lang: str) -> Reply:
    text = msg("cancelled", lang, id=goal.id,
               sentence=sentence(goal, goal.deadline, goal.channel, goal.campaign, currency,
                                 lang))
    return Reply(body=[text], intent="goal", data=goal_data(progress), lang=lang)
