"""The words of /peringkat (/rank): a numbered list, best first (or as asked), each key's value
in the metric's unit; competitors marked, a day named with its weekday, the untagged rows of a
campaign ranking shown apart, and a plain sentence for an empty period or a cut the period
cannot fill."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from bot import formatting as fmt
from bot import views
from bot.i18n import t, translate
from bot.reply import Reply
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.ranking import best_first
from kpi_engine.services.rankings import Ranking, RankRow

#: Rows a reply lists when no "top N" is asked (the JSON always has every key).
TEXT_ROWS = 31

RANK_MESSAGES: dict[str, tuple[str, str]] = {
    "head_channel": ("Peringkat kanal", "Channel ranking"),
    "head_campaign": ("Peringkat kampanye", "Campaign ranking"),
    "head_day": ("Peringkat hari", "Day ranking"),
    "unit_channel": ("kanal", "channels"),
    "unit_campaign": ("kampanye", "campaigns"),
    "unit_day": ("hari", "days"),
    "order": ("Urutan: {quality} dulu ({highlow} di atas).",
              "Order: {quality} first ({highlow} on top)."),
    "best": ("terbaik", "best"), "worst": ("terburuk", "worst"),
    "desc": ("nilai tertinggi", "highest value"), "asc": ("nilai terendah", "lowest value"),
    "defaulted": ("Metrik tidak disebut, jadi diperingkat menurut {metric}. Metrik lain, "
                  "misalnya: /peringkat reach kanal bulan ini",
                  "No metric named, so ranked by {metric}. Another metric, for example: "
                  "/rank reach channel this month"),
    "empty": ("Belum ada data {metric} untuk {period}, jadi belum ada yang bisa diperingkat.",
              "There is no {metric} data for {period} yet, so there is nothing to rank."),
    "empty_campaign": ("Belum ada data {metric} yang ditandai kampanye untuk {period}, jadi "
                       "belum ada kampanye yang bisa diperingkat.",
                       "No {metric} data tagged with a campaign for {period} yet, so there is "
                       "no campaign to rank."),
    "all_shown": ("Hanya ada {n} {unit} di periode ini; semuanya ditampilkan.",
                  "There are only {n} {unit} in this period; all are shown."),
    "bad_top": ("\"top {top}\" tidak bisa dipakai; semuanya ditampilkan.",
                "\"top {top}\" cannot be used; all are shown."),
    "more": ("… dan {n} {unit} lainnya (minta \"top N\" untuk melihat lebih banyak).",
             "… and {n} more {unit} (ask for \"top N\" to see more)."),
    "no_value_days": ("{n} hari tanpa data tidak diperingkat.",
                      "{n} days without data are not ranked."),
    "untagged": ("Tanpa kampanye (tidak diperingkat): {value}",
                 "Untagged (not ranked): {value}"),
    "as_of": ("per {day}", "as of {day}"),
    "rank_needs_metric": (
        "Sebutkan metriknya, misalnya: /peringkat reach kanal bulan ini",
        "Name the metric, for example: /rank reach channel this month"),
    "rank_stray_number": (
        "Angka \"{value}\" tidak saya pahami di sini. Untuk membatasi jumlah baris, tulis "
        "\"top {value}\"; untuk periode, misalnya: minggu lalu, Oktober 2026, 1-15 Nov.",
        "I didn't understand the number \"{value}\" here. To limit the rows, write "
        "\"top {value}\"; for a period, e.g.: last week, October 2026, 1-15 Nov."),
    "rank_not_by_campaign": (
        "{metric} tidak punya nilai per kampanye (kampanye tidak punya pengikut atau "
        "postingan sendiri). Coba per kanal: /peringkat {metric_key} kanal, atau per hari: "
        "/peringkat {metric_key} hari.",
        "{metric} has no value per campaign (a campaign has no followers or posts of its "
        "own). Try by channel: /rank {metric_key} channel, or by day: /rank {metric_key} day."),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(RANK_MESSAGES, key, lang, **params)


def key_label(r: Ranking, row: RankRow, lang: str) -> str:
    """A channel (competitors marked), a campaign, or a day with its weekday."""
    if r.by == "day":
        day = date.fromisoformat(row.key)
        return format_date(day, "EEEE, d MMM yyyy", locale=fmt.LOCALE if lang == "id"
                           else "en_GB")
    if row.competitor:
        return f"{row.key} ({t('competitor_tag', lang)})"
    return row.key


def title(r: Ranking, lang: str) -> str:
    metric = METRICS[r.metric]
    parts = [_m(f"head_{r.by}", lang), metric.label(lang)]
    if r.by != "channel" or r.scope_label:
        parts.append(views.scope_label(r.scope_label, r.campaign, lang))
    elif r.campaign:
        parts.append(t("campaign", lang, name=r.campaign))
    parts.append(views.period_label(r.period, lang))
    return " · ".join(parts)


def rank_data(r: Ranking, *, defaulted: bool = False) -> dict[str, Any]:
    """The ``rank`` shape of SPEC §9, plus what the reply says about it."""
    def rnd(v: float | None) -> float | None:
        return None if v is None else round(float(v), 4)

    rows: list[dict[str, Any]] = []
    for row in r.rows:
        item: dict[str, Any] = {"key": row.key, "value": rnd(row.value)}
        if r.by == "channel":
            item["competitor"] = row.competitor
        rows.append(item)
    data: dict[str, Any] = {
        "metric": r.metric, "by": r.by, "order": r.order, "rows": rows,
        "period": {"label": r.period.label, "start": r.period.start.isoformat(),
                   "end": r.period.end.isoformat()},
        "top": r.top, "keys": r.keys, "channel": r.scope_label, "campaign": r.campaign,
        "metric_defaulted": defaulted,
    }
    if r.by == "campaign":
        data["untagged"] = rnd(r.untagged)
    if r.empty:
        data["reason"] = "no_data"
    return data


def rank_reply(r: Ranking, lang: str, currency: str = "IDR", *,
               defaulted: bool = False) -> Reply:
    metric = METRICS[r.metric]
    data = rank_data(r, defaulted=defaulted)
    body: list[str] = []
    if defaulted:
        body.append(_m("defaulted", lang, metric=metric.label(lang)))
    unit = _m(f"unit_{r.by}", lang)
    if r.empty:
        key = "empty_campaign" if r.by == "campaign" else "empty"
        body.append(_m(key, lang, metric=metric.label(lang),
                       period=views.period_label(r.period, lang)))
        reasons = {row.reason for row in r.rows if row.reason}
        for reason in sorted(reasons & {"no_posts", "no_audience", "no_spend"}):
            body.append(views.meaning(reason, lang, metric=metric.label(lang)))
        if r.by == "campaign" and r.untagged is not None:
            body.append(_m("untagged", lang, value=views.value_text(metric, r.untagged,
                                                                    currency, lang)))
        return Reply(title=title(r, lang), body=body, intent="rank", data=data, lang=lang)
    quality = "best" if best_first(metric.higher_is_better, r.order) else "worst"
    body.append(_m("order", lang, quality=_m(quality, lang), highlow=_m(r.order, lang)))
    valued = [row for row in r.rows if row.value is not None]
    empty = [row for row in r.rows if row.value is None]
    shown = valued if r.top is not None else valued[:TEXT_ROWS]
    for i, row in enumerate(shown, 1):
        line = f"{i}. {key_label(r, row, lang)}: " \
               f"{views.value_text(metric, row.value, currency, lang)}"
        if row.as_of is not None:
            line += f" ({_m('as_of', lang, day=fmt.day(row.as_of, lang))})"
        body.append(line)
    if len(shown) < len(valued):
        body.append(_m("more", lang, n=len(valued) - len(shown), unit=unit))
    if r.by == "day":
        if empty:
            body.append(_m("no_value_days", lang, n=len(empty)))
    else:
        for row in empty:
            note = views.meaning(f"{row.reason}_short", lang) if row.reason else \
                t("no_data_short", lang)
            body.append(f"– {key_label(r, row, lang)}: {note}")
    if r.top is not None and r.top < 1:
        body.append(_m("bad_top", lang, top=r.top))
    elif r.top is not None and r.top >= r.keys:
        body.append(_m("all_shown", lang, n=r.keys, unit=unit))
    if r.by == "campaign" and r.untagged is not None:
        body.append(_m("untagged", lang, value=views.value_text(metric, r.untagged, currency,
                                                                lang)))
    return Reply(title=title(r, lang), body=body, intent="rank", data=data, lang=lang)
