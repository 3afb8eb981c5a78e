"""The phrases every goal message shares (``/target``, the goal list, goal alerts, the
digest's goal lines), so a percentage always says what it is a percentage of (issue 11):

- progress: "3% dari target tercapai" (a total), "40% dari kenaikan yang ditargetkan" (a
  growth goal: of the way from the baseline to the target), "55% dari batas terpakai" (a
  budget);
- forecast: "perkiraan 72% dari target pada tenggat";
- the judgement: on / off track, or why not yet ("belum bisa dinilai: baru 3 hari").

The basis names come from ``goal_math.progress_basis``: ``target``, ``cap``, ``rise``,
``fall``.
"""

from __future__ import annotations

from datetime import date

from bot import formatting as fmt
from bot.i18n import translate

PHRASES: dict[str, tuple[str, str]] = {
    "progress_target": ("{pct} dari target tercapai", "{pct} of the target reached"),
    "progress_cap": ("{pct} dari batas terpakai", "{pct} of the cap used"),
    "progress_rise": ("{pct} dari kenaikan yang ditargetkan", "{pct} of the targeted rise"),
    "progress_fall": ("{pct} dari penurunan yang ditargetkan", "{pct} of the targeted fall"),
    "forecast_target": ("perkiraan {pct} dari target pada tenggat",
                        "forecast {pct} of the target by the deadline"),
    "forecast_cap": ("perkiraan {pct} dari batas terpakai pada tenggat",
                     "forecast {pct} of the cap used by the deadline"),
    "forecast_rise": ("perkiraan {pct} dari kenaikan yang ditargetkan pada tenggat",
                      "forecast {pct} of the targeted rise by the deadline"),
    "forecast_fall": ("perkiraan {pct} dari penurunan yang ditargetkan pada tenggat",
                      "forecast {pct} of the targeted fall by the deadline"),
    "below_rise": ("masih di bawah titik awal", "still below the starting point"),
    "below_fall": ("masih di atas titik awal", "still above the starting point"),
    "forecast_below_rise": ("perkiraan di bawah titik awal pada tenggat",
                            "forecast below the starting point by the deadline"),
    "forecast_below_fall": ("perkiraan di atas titik awal pada tenggat",
                            "forecast above the starting point by the deadline"),
    "no_progress": ("progres belum ada (belum ada data)", "no progress yet (no data)"),
    "no_forecast": ("belum ada perkiraan", "no forecast yet"),
    "on_track": ("🟢 sesuai jalur", "🟢 on track"),
    "off_track": ("🔴 tidak sesuai jalur", "🔴 off track"),
    "unknown": ("⚪ belum bisa diprakirakan: belum ada 7 hari data dalam 28 hari terakhir, atau "
                "data terakhir lebih dari seminggu lalu",
                "⚪ no forecast yet: not 7 days of data in the last 28 days, or the last data is "
                "over a week old"),
    "too_early": ("⏳ belum bisa dinilai: baru {days} hari (dinilai setelah {after} hari)",
                  "⏳ too early to judge: {days} of {after} days run"),
    "not_started": ("⏳ belum dimulai (mulai {start})", "⏳ not started yet (starts {start})"),
    "rule": ("sesuai jalur: perkiraan ≥ 90%", "on track: forecast ≥ 90%"),
}


def phrase(key: str, lang: str, **params: object) -> str:
    return translate(PHRASES, key, lang, **params)


def _basis(basis: str) -> str:
    return basis if basis in ("target", "cap", "rise", "fall") else "target"


def progress_text(pct: float | None, basis: str, lang: str) -> str:
    """``3% dari target tercapai``; a sentence saying there is none yet without a value."""
    if pct is None:
        return phrase("no_progress", lang)
    if pct < 0 and basis in ("rise", "fall"):  # moved away from the target
        return phrase("below_" + basis, lang)
    return phrase("progress_" + _basis(basis), lang, pct=fmt.percent(pct, 0))


def forecast_text(pct: float | None, basis: str, lang: str) -> str:
    """``perkiraan 72% dari target pada tenggat``."""
    if pct is None:
        return phrase("no_forecast", lang)
    if pct < 0 and basis in ("rise", "fall"):
        return phrase("forecast_below_" + basis, lang)
    return phrase("forecast_" + _basis(basis), lang, pct=fmt.percent(pct, 0))


def judgement_text(status: str, lang: str, *, days_run: int = 0, judge_after: int = 1,
                   start: date | None = None) -> str:
    """On / off track, or why it is not judged yet."""
    if status == "too_early":
        return phrase("too_early", lang, days=days_run, after=judge_after)
    if status == "not_started":
        return phrase("not_started", lang, start=fmt.day(start, lang) if start else "–")
    if status in ("on_track", "off_track", "unknown"):
        return phrase(status, lang)
    return status


def track_status(active: bool, on_track: bool | None, days_run: int, judge_after: int) -> str:
    """The judgement of an active goal from a signal's fields (``goals.Progress.status``)."""
    if not active:
        return ""
    if days_run == 0:
        return "not_started"
    if days_run < judge_after:
        return "too_early"
    if on_track is None:
        return "unknown"
    return "on_track" if on_track else "off_track"
