"""Snapshot rows sent as JSON to ``POST /api/v1/snapshots``, checked by the import rules.

Values, days and names pass ``kpi_engine.domain.validation``, the rules of every way in (whole
counts, bounds, no day after the workspace's local today, names of at most 100 plain
characters), with the same sentences as ``/catat`` and import.

A thin adapter over ``kpi_engine.domain.import_values`` (the importer's cell rules) for JSON rows:
the importer stops at a file's first error, while the API lists **every** invalid row. Each
row is an object with the long import format's fields, ``date``, ``channel``, ``metric``,
``value`` and optionally ``campaign`` and ``competitor``, read exactly like a CSV cell (dates
``2026-11-01`` or ``01/11/2026``; ``instagram`` or ``instagram:@rival``; a metric key or
alias; a JSON number, or a string with ``.`` as the decimal point; competitor yes/no,
true/false, 1/0). Reasons reuse the importer's sentences (Indonesian or English).

Distinct dates, channels and metrics are parsed once per batch, so 10,000 rows take a few
milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.i18n import translate
from kpi_engine.domain import import_values as iv
from kpi_engine.domain import validation
from kpi_engine.domain.metrics import resolve, suggest
from kpi_engine.domain.model import SnapshotRow, parse_channel_name
from kpi_engine.services.importer import ImportFileError

MAX_ROWS = 10_000
FIELDS = ("date", "channel", "metric", "value", "campaign", "competitor")
CAMPAIGN_MAX_CHARS = validation.NAME_MAX_CHARS

#: Codes whose sentence is the importer's (ImportFileError.message); the others are below.
IMPORTER_CODES = frozenset({"missing_value", "bad_date", "bad_channel", "unknown_metric",
                            "derived_metric", "bad_number", "bad_competitor"})
_DONE = ("Tidak ada data yang disimpan.", "Nothing was saved.")

MESSAGES: dict[str, tuple[str, str]] = {
    "bad_row": ("Baris ini bukan objek JSON.",
                "This row is not a JSON object."),
    "unknown_field": ("Kolom '{column}' tidak dikenal. Kolom yang boleh: date, channel, "
                      "metric, value, campaign, competitor.",
                      "Unknown field '{column}'. The fields are: date, channel, metric, "
                      "value, campaign, competitor."),
    "bad_campaign": ("Kampanye '{value}' tidak valid. Tulis nama kampanye sebagai teks, "
                     "maksimum 100 karakter.",
                     "The campaign '{value}' is not valid. Write the campaign name as text, "
                     "at most 100 characters."),
    "duplicate_row": ("Data tanggal {day}, kanal {channel}, metrik {metric}{campaign} sudah "
                      "ada di baris #{other}. Setiap kombinasi hanya boleh muncul sekali.",
                      "The date {day}, channel {channel}, metric {metric}{campaign} already "
                      "appears in row #{other}. Each combination may appear only once."),
    "competitor_conflict": ("Kanal {channel} ditandai {flag} di sini, tetapi {other_flag} di "
                            "baris #{other}. Tandai kanal yang sama dengan cara yang sama.",
                            "The channel {channel} is marked {flag} here but {other_flag} in "
                            "row #{other}. Mark each channel the same way."),
    "campaign_part": (", kampanye '{name}'", ", campaign '{name}'"),
    "competitor": ("pesaing", "a competitor"),
    "not_competitor": ("bukan pesaing", "not a competitor"),
}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row (0-based ``index`` in the batch) is refused; ``field`` may be None."""

    index: int
    field: str | None
    code: str
    variant: str = ""
    params: dict[str, Any] | None = None

    def reason(self, lang: str) -> str:
        params = dict(self.params or {})
        if self.code in validation.TEXTS:
            return validation.sentence(self.code, lang, variant=self.variant,
                                       **{"metric": "", "value": "", **params})
        if self.code in IMPORTER_CODES:
            text = ImportFileError(self.code, column=self.field, variant=self.variant,
                                   **params).message(lang)
            for done in _DONE:
                text = text.removesuffix(done).rstrip()
            return text
        for key, value in params.items():
            if isinstance(value, tuple):  # (message key, params): a translated part
                params[key] = translate(MESSAGES, value[0], lang, **value[1]) if value[0] else ""
        return translate(MESSAGES, self.code, lang, **params)

    def as_json(self, lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "field": self.field, "code": self.code,
                               "reason": self.reason(lang)}
        if self.params and "other" in self.params:
            out["other_index"] = self.params["other"]
        return out


@dataclass
class Batch:
    rows: list[SnapshotRow]
    problems: list[RowProblem]


def _text(raw: object) -> str:
    if isinstance(raw, str | int | float) and not isinstance(raw, bool):
        return iv.cell_text(raw)
    return repr(raw)


def _value(raw: object, metric: str | None) -> tuple[float, str, str]:
    """(value, code, variant); code "" when valid (``metric``: the row's, when valid)."""
    if type(raw) is int or type(raw) is float:
        value = float(raw)
        if not math.isfinite(value):
            return 0.0, "not_finite", ""
    elif iv.is_blank(raw):
        return 0.0, "missing_value", "value"
    elif isinstance(raw, str):
        parsed = iv.parse_number(raw, decimal_comma=False)
        if parsed is None:
            return 0.0, "bad_number", "dot"
        value = parsed
    else:
        return 0.0, "bad_number", "dot"
    code = validation.value_problem(metric or "", value)
    if code:
        return value, code, ""
    return validation.stored_value(metric or "", value), "", ""


def read_batch(items: list[Any], *, today: date | None = None) -> Batch:
    """Every row checked; rows are returned only when there is no problem at all.
    ``today``: the workspace's local today (later days are refused)."""
    return _Reader(today).read(items)


class _Reader:
    """Checks a batch row by row. Distinct cells are parsed once; a row of the common shape
    (the four required fields, each cell already seen valid) takes the fast path."""

    def __init__(self, today: date | None) -> None:
        self.today = today
        self.days: dict[str, date] = {}
        self.channels: dict[str, tuple[str, str]] = {}
        self.metrics: dict[str, str] = {}
        self.seen: dict[tuple[date, str, str, str, str], int] = {}
        self.flags: dict[tuple[str, str], tuple[bool, int]] = {}
        self.rows: list[SnapshotRow] = []
        self.problems: list[RowProblem] = []

    def read(self, items: list[Any]) -> Batch:
        days, channels, metrics, seen = self.days, self.channels, self.metrics, self.seen
        rows, limit, whole = self.rows, iv.MAX_VALUE, validation.is_whole_metric
        for i, item in enumerate(items):
            if type(item) is dict and len(item) == 4:
                try:
                    day = days[item["date"]]
                    platform, handle = channels[item["channel"]]
                    metric = metrics[item["metric"]]
                    value = item["value"]
                except (KeyError, TypeError):  # a new or odd cell: the full check below
                    pass
                else:
                    # (NaN and infinities fail the range test; a cached day is not future)
                    if (type(value) is int or (type(value) is float and (
                            value.is_integer() or not whole(metric)))) and 0 <= value <= limit:
                        key = (day, platform, handle, metric, "")
                        if key not in seen:
                            seen[key] = i
                            rows.append(SnapshotRow(day, platform, handle, metric,
                                                    float(value)))
                            continue
            self.check(i, item)
        return Batch(rows if not self.problems else [], self.problems)

    def cell(self, cache: dict[str, Any], raw: object, check: Any) -> tuple[str, Any]:
        """A cell's (code, parsed value); a valid string cell is remembered."""
        code, value = check(raw)
        if not code and type(raw) is str:
            cache[raw] = value
        return code, value

    def check(self, i: int, item: Any) -> None:
        """The full check of one row: every problem of it, or the row."""
        problems = self.problems
        if type(item) is not dict:
            problems.append(RowProblem(i, None, "bad_row"))
            return
        before = len(problems)
        problems.extend(RowProblem(i, str(k), "unknown_field", params={"column": str(k)[:60]})
                        for k in item if k not in FIELDS)
        raw = item.get("date")
        today = self.today
        code, day = self.cell(self.days, raw, lambda cell: iv.check_day(cell, today))
        if code:
            problems.append(RowProblem(i, "date", code, "date" if code == "missing_value"
                                       else "", {"value": _text(raw), "today": str(today)}))
        raw = item.get("channel")
        code, channel = self.cell(self.channels, raw, iv.check_channel)
        if code:
            problems.append(RowProblem(i, "channel", code, "channel" if code == "missing_value"
                                       else "", _name_params(raw, channel=True)))
        raw = item.get("metric")
        code, metric = self.cell(self.metrics, raw, iv.check_metric)
        if code:
            problems.append(_metric_problem(i, code, raw))
        raw = item.get("value")
        value, code, variant = _value(raw, metric)
        if code:
            problems.append(RowProblem(i, "value", code, variant,
                                       {"value": _text(raw), "metric": metric or ""}))
        campaign = item.get("campaign")
        if campaign is None:
            campaign = ""
        elif not isinstance(campaign, str):
            problems.append(RowProblem(i, "campaign", "bad_campaign",
                                       params={"value": validation.shown(_text(campaign))}))
        else:
            code, name = iv.check_campaign(campaign)
            campaign = str(name)
            if code:
                problems.append(RowProblem(i, "campaign", code, params=_name_params(
                    item.get("campaign"))))
        ok, flag = iv.parse_flag(item.get("competitor"))
        if not ok:
            problems.append(RowProblem(i, "competitor", "bad_competitor",
                                       params={"value": _text(item.get("competitor"))}))
        if len(problems) > before:
            return
        platform, handle = channel
        other = self.seen.setdefault((day, platform, handle, metric, campaign), i)
        if other != i:
            problems.append(RowProblem(i, None, "duplicate_row", params={
                "day": day.isoformat(), "channel": _channel_label(channel), "metric": metric,
                "other": other,
                "campaign": ("campaign_part", {"name": campaign}) if campaign else ("", {})}))
            return
        if flag is not None:
            earlier = self.flags.setdefault(channel, (flag, i))
            if earlier[0] != flag:
                problems.append(RowProblem(i, "competitor", "competitor_conflict", params={
                    "channel": _channel_label(channel), "other": earlier[1],
                    "flag": (_flag_word(flag), {}), "other_flag": (_flag_word(earlier[0]), {})}))
                return
        self.rows.append(SnapshotRow(day, platform, handle, metric, value, campaign, flag))


def _name_params(raw: object, *, channel: bool = False) -> dict[str, Any]:
    """The details of a refused channel or campaign name (a channel's: its handle)."""
    text = _text(raw)
    if isinstance(raw, str):
        text = (parse_channel_name(raw)[1] if channel else "") or raw.strip()
    return {"value": validation.shown(text), "length": len(text)}


def _metric_problem(index: int, code: str, raw: object) -> RowProblem:
    text = _text(raw)
    if code == "missing_value":
        return RowProblem(index, "metric", code, "metric", {"value": text})
    if code == "unknown_metric":
        suggestion = suggest(text) if isinstance(raw, str) else None
        return RowProblem(index, "metric", code, "suggest" if suggestion else "",
                          {"value": text, "suggestion": suggestion or ""})
    metric = resolve(text)
    formula, parts = iv.describe_derived(metric) if metric else ("", "")
    return RowProblem(index, "metric", code, "", {"value": text, "formula": formula,
                                                  "parts": parts})


def _flag_word(flag: bool) -> str:
    return "competitor" if flag else "not_competitor"


def _channel_label(channel: tuple[str, str]) -> str:
    platform, handle = channel
    return f"{platform}:{handle}" if handle else platform
