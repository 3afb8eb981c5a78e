"""Alerts in words, Indonesian (default) and English: what happened, by how much, against
what, and what it means for a goal on the same metric. ``render(event)`` is what
``kpi_engine.services.alert_inputs.run_tick`` calls before queueing."""

from __future__ import annotations

from babel.dates import format_date

from bot import formatting as fmt
from bot import goal_phrases as gp
from bot.i18n import translate
from bot.why_views import drop_alert_lines
from kpi_engine.domain.alerts import AlertEvent, GoalSignal, Observation
from kpi_engine.domain.metrics import METRICS, Unit
from kpi_engine.services.alert_inputs import Rendered

MESSAGES: dict[str, tuple[str, str]] = {
    "all_own": ("semua kanal sendiri", "all own channels"),
    "still": (" (masih berlangsung)", " (still ongoing)"),
    "last_week": ("Minggu lalu", "Last week"),
    "yesterday": ("Kemarin", "Yesterday"),
    # drop
    "drop_title": ("⚠️ {metric} turun {pct} · {scope}", "⚠️ {metric} down {pct} · {scope}"),
    "rise_title": ("⚠️ {metric} naik {pct} · {scope}", "⚠️ {metric} up {pct} · {scope}"),
    "drop_body": ("{when} ({dates}): {value}, median {n} {unit} sebelumnya {median}{points}. "
                  "Batas alert: {change} ≥{limit}.",
                  "{when} ({dates}): {value}, against a median of {median} over the {n} "
                  "{unit} before{points}. Alert when {change} ≥{limit}."),
    "drop_ok_title": ("✅ Pulih: {metric} · {scope}", "✅ Resolved: {metric} · {scope}"),
    "drop_ok_body": ("{when} ({dates}): {value}, median {median}: tidak lagi {change} "
                     "≥{limit}.",
                     "{when} ({dates}): {value}, median {median}: no longer {change} "
                     "≥{limit}."),
    # a rule's direction (alert_rules.direction)
    "change_drop": ("turun", "down"),
    "change_rise": ("naik", "up"),
    "change_both": ("turun atau naik", "down or up"),
    "weeks": ("minggu", "weeks"),
    "days": ("hari", "days"),
    # threshold
    "below": ("di bawah", "below"),
    "above": ("di atas", "above"),
    "thr_title": ("⚠️ {metric} · {scope} {side} {limit}",
                  "⚠️ {metric} · {scope} {side} {limit}"),
    "thr_body": ("{when} ({dates}): {value}, {diff} {side} batas {limit}.",
                 "{when} ({dates}): {value}, {diff} {side} the limit of {limit}."),
    "thr_ok_title": ("✅ Pulih: {metric} · {scope}", "✅ Resolved: {metric} · {scope}"),
    "thr_ok_body": ("{when} ({dates}): {value}, tidak lagi {side} batas {limit}.",
                    "{when} ({dates}): {value}, no longer {side} the limit of {limit}."),
    # stale
    "stale_title": ("⚠️ Data {channel} tidak masuk", "⚠️ No new data for {channel}"),
    "stale_body": ("Snapshot terakhir {day}: {gap} hari penuh tanpa data (batas {days} hari). "
                   "Impor file (/impor) atau catat (/catat) untuk melanjutkan.",
                   "Last snapshot {day}: {gap} full days without data (limit {days} days). "
                   "Import a file (/import) or record (/record) to catch up."),
    "stale_ok_title": ("✅ Pulih: data {channel} masuk lagi", "✅ Resolved: {channel} has data "
                       "again"),
    "stale_ok_body": ("Snapshot terbaru: {day}.", "Latest snapshot: {day}."),
    # goals
    "goal_name": ("{metric} · {scope}", "{metric} · {scope}"),
    "reached_title": ("🎯 Target tercapai: {goal}", "🎯 Goal reached: {goal}"),
    "reached_body": ("Nilai {value} dari target {target}, tenggat {deadline}.",
                     "Value {value} against a target of {target}, deadline {deadline}."),
    "missed_title": ("❌ Target terlewat: {goal}", "❌ Goal missed: {goal}"),
    "missed_body": ("Tenggat {deadline} lewat: {value} dari target {target}{pct}.",
                    "The deadline {deadline} passed: {value} against a target of "
                    "{target}{pct}."),
    "off_title": ("⚠️ Target tidak sesuai jalur: {goal}", "⚠️ Goal off track: {goal}"),
    "off_body": ("Target {target}, tenggat {deadline}: {share} ({forecast}; {rule}). "
                 "Sekarang: {progress}.",
                 "Target {target}, deadline {deadline}: {share} ({forecast}; {rule}). "
                 "Now: {progress}."),
    "on_title": ("✅ Target kembali sesuai jalur: {goal}", "✅ Goal back on track: {goal}"),
    "on_body": ("Target {target}, tenggat {deadline}: {share} ({forecast}). "
                "Sekarang: {progress}.",
                "Target {target}, deadline {deadline}: {share} ({forecast}). "
                "Now: {progress}."),
    "goal_note": ("Target #{id} ({target}, tenggat {deadline}): {progress}, "
                  "{share} — {verdict}.",
                  "Goal #{id} ({target}, deadline {deadline}): {progress}, "
                  "{share} — {verdict}."),
    "of_target": ("; {progress}", "; {progress}"),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(MESSAGES, key, lang, **params)


def _value(metric: str | None, value: float | None, currency: str, lang: str) -> str:
    if value is None or metric is None:
        return "–"
    return fmt.metric_value(METRICS[metric], value, currency)


def _scope(channel: str | None, lang: str) -> str:
    return channel or _m("all_own", lang)


def _pct(value: float | None) -> str:
    return "–" if value is None else fmt.percent(value, 0 if abs(value) >= 10 else 1)


def render(event: AlertEvent) -> Rendered:
    """The alert's title, body and one-line summary in the workspace's language."""
    ws = event.workspace
    lang = ws.language
    obs = event.observation
    kind = obs.kind
    if kind == "drop":
        title, body = _drop(event, obs, lang, ws.currency)
    elif kind == "threshold":
        title, body = _threshold(event, obs, lang, ws.currency)
    elif kind == "stale":
        title, body = _stale(event, obs, lang)
    else:
        title, body = _goal(event, obs, lang, ws.currency)
    if event.repeat:
        title += _m("still", lang)
    notes = [_goal_note(g, lang, ws.currency) for g in event.goals]
    body = "\n".join([body, *notes])
    return Rendered(title, body, title.lstrip("⚠️✅🎯❌ ").strip())


def _when(obs: Observation, lang: str) -> tuple[str, str]:
    assert obs.span is not None
    week = obs.span.start != obs.span.end
    return (_m("last_week" if week else "yesterday", lang),
            fmt.day_range(obs.span.start, obs.span.end, lang))


def _drop(event: AlertEvent, obs: Observation, lang: str, currency: str) -> tuple[str, str]:
    assert obs.metric is not None
    metric = METRICS[obs.metric]
    when, dates = _when(obs, lang)
    value = _value(obs.metric, obs.value, currency, lang)
    median = _value(obs.metric, obs.baseline, currency, lang)
    limit = fmt.percent(obs.rule.value, 0)
    scope = _scope(obs.channel, lang)
    change = _m(f"change_{obs.rule.direction}", lang)
    if event.state == "resolved":
        return (_m("drop_ok_title", lang, metric=metric.label(lang), scope=scope),
                _m("drop_ok_body", lang, when=when, dates=dates, value=value, median=median,
                   change=change, limit=limit))
    points = ""
    if metric.unit is Unit.PERCENT and obs.value is not None and obs.baseline is not None:
        points = f" ({fmt.points(obs.value - obs.baseline)} {'pts' if lang == 'en' else 'poin'})"
    assert obs.span is not None
    # a daily rule compares with the same weekday of the weeks before: "median 4 hari
    # Senin" ("hari": Sunday is "Minggu", the word for weeks), "the 4 Mondays"
    weekday = format_date(obs.span.start, "EEEE", locale=lang)
    unit = (_m("weeks", lang) if obs.detail.get("period") == "week"
            else f"{weekday}s" if lang == "en" else f"hari {weekday}")
    rose = (obs.change_pct or 0.0) > 0
    return (_m("rise_title" if rose else "drop_title", lang, metric=metric.label(lang),
               scope=scope, pct=_pct(abs(obs.change_pct or 0.0))),
            "\n".join([_m("drop_body", lang, when=when, dates=dates, value=value,
                          median=median, n=obs.detail.get("periods", 4), unit=unit,
                          points=points, change=change, limit=limit),
                       *drop_alert_lines(obs.detail, lang, currency)]))


def _threshold(event: AlertEvent, obs: Observation, lang: str, currency: str
               ) -> tuple[str, str]:
    assert obs.metric is not None
    metric = METRICS[obs.metric]
    when, dates = _when(obs, lang)
    side = _m("below" if obs.rule.op == "<" else "above", lang)
    limit = _value(obs.metric, obs.baseline, currency, lang)
    value = _value(obs.metric, obs.value, currency, lang)
    scope = _scope(obs.channel, lang)
    if event.state == "resolved":
        return (_m("thr_ok_title", lang, metric=metric.label(lang), scope=scope),
                _m("thr_ok_body", lang, when=when, dates=dates, value=value, side=side,
                   limit=limit))
    diff = _pct(abs(obs.change_pct)) if obs.change_pct is not None else ""
    if metric.unit is Unit.PERCENT and obs.value is not None and obs.baseline is not None:
        pts = fmt.number(abs(obs.value - obs.baseline), 2)
        diff = f"{pts} {'pts' if lang == 'en' else 'poin'}"
    return (_m("thr_title", lang, metric=metric.label(lang), scope=scope, side=side,
               limit=limit),
            _m("thr_body", lang, when=when, dates=dates, value=value, diff=diff, side=side,
               limit=limit))


def _stale(event: AlertEvent, obs: Observation, lang: str) -> tuple[str, str]:
    channel = obs.channel or "?"
    last = obs.detail.get("last_day")
    day = fmt.day(last, lang) if last else "–"
    if event.state == "resolved":
        return (_m("stale_ok_title", lang, channel=channel), _m("stale_ok_body", lang, day=day))
    return (_m("stale_title", lang, channel=channel),
            _m("stale_body", lang, day=day, gap=int(obs.value or 0),
               days=obs.detail.get("days", 3)))


def _goal_name(g: GoalSignal, lang: str) -> str:
    return _m("goal_name", lang, metric=METRICS[g.metric].label(lang),
              scope=_scope(g.channel, lang))


def _goal(event: AlertEvent, obs: Observation, lang: str, currency: str) -> tuple[str, str]:
    g = obs.goal
    assert g is not None
    name = _goal_name(g, lang)
    target = _value(g.metric, g.target, currency, lang)
    deadline = fmt.day(g.deadline, lang)
    if obs.kind == "goal_reached":
        return (_m("reached_title", lang, goal=name),
                _m("reached_body", lang, value=_value(g.metric, obs.value, currency, lang),
                   target=target, deadline=deadline))
    if obs.kind == "goal_missed":
        pct = ""
        if g.progress_pct is not None:
            pct = _m("of_target", lang, progress=gp.progress_text(g.progress_pct, g.basis,
                                                                  lang))
        return (_m("missed_title", lang, goal=name),
                _m("missed_body", lang, value=_value(g.metric, obs.value, currency, lang),
                   target=target, deadline=deadline, pct=pct))
    # both percentages on the goal's own scale, each saying what it is a percentage of
    share = gp.forecast_text(g.forecast_pct, g.basis, lang)
    forecast = _value(g.metric, g.forecast, currency, lang)
    progress = gp.progress_text(g.progress_pct, g.basis, lang)
    if event.state == "resolved":
        return (_m("on_title", lang, goal=name),
                _m("on_body", lang, deadline=deadline, forecast=forecast, share=share,
                   target=target, progress=progress))
    return (_m("off_title", lang, goal=name),
            _m("off_body", lang, deadline=deadline, forecast=forecast, share=share,
               target=target, progress=progress, rule=gp.phrase("rule", lang)))


def _goal_note(g: GoalSignal, lang: str, currency: str) -> str:
    status = gp.track_status(g.status == "active", g.on_track, g.days_run, g.judge_after)
    verdict = gp.judgement_text(status, lang, days_run=g.days_run, judge_after=g.judge_after,
                                start=g.start)
    return _m("goal_note", lang, id=g.goal_id, target=_value(g.metric, g.target, currency, lang),
              deadline=fmt.day(g.deadline, lang),
              progress=gp.progress_text(g.progress_pct, g.basis, lang),
              share=gp.forecast_text(g.forecast_pct, g.basis, lang), verdict=verdict)
