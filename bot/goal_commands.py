"""/target (/goal): set, list, show, change and cancel SMART goals (SPEC §6).

- ``/target`` lists the active goals (``/target semua``: all of them); ``/target 3`` shows
  one with its chart; ``/target hapus 3`` (``/goal delete 3``) cancels it; ``/target ubah 3
  60rb`` / ``/target ubah 3 31 Des`` (``/goal edit``) changes its value or deadline.
- Anything else sets a goal: ``/target followers +20% instagram 3 bulan``, ``/target
  conversions 500 kampanye ramadan 31 Mar``, "set a goal of 50k followers on tiktok by end of
  year". The text is read here, not by the period parser: the deadline
  (``kpi_engine.domain.deadlines``), the value (``50000``, ``50rb``, ``1,5 jt``, ``50k``, ``4%``,
  ``+20%``, ``+5000``) and ``kampanye X`` are cut out first, and what is left goes through
  ``bot.parsing.parse_text`` for the metric and the channel.

Viewers may list and look; only editors and admins set, change or cancel goals.
``/roi`` and ``/peran`` are ``bot.goal_admin`` (bootstrap registers them after ``/target``);
``goal_line`` gives ``/grafik`` its goal line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot import command_names as names
from bot import goal_views as gv
from bot.i18n import t, translate
from bot.mentions import drop_mentions
from bot.parsing import parse_text
from bot.reply import Reply
from bot.router import Command, Context, Router, error_reply
from bot.vocabulary import COMMANDS
from kpi_engine.domain.deadlines import Deadline, DeadlineError, find_deadline
from kpi_engine.domain.goal_math import Shape
from kpi_engine.domain.goal_model import GoalError, GoalRequest
from kpi_engine.domain.metrics import METRICS, Metric, Unit
from kpi_engine.domain.model import Role
from kpi_engine.services import goals as goal_service
from kpi_engine.services.answers import UnknownChannel
from kpi_engine.services.goals import Progress, track

COMMAND_MESSAGES: dict[str, tuple[str, str]] = {
    "usage": ("Format: /target metrik nilai [kanal] tenggat. Contoh: /target followers +20% "
              "instagram 3 bulan · /target reach 1 jt bulan ini · /target er 4% tiktok akhir "
              "kuartal · /target conversions 500 kampanye ramadan 31 Mar",
              "Usage: /goal metric value [channel] deadline. Examples: /goal followers +20% "
              "instagram 3 months · /goal reach 1m this month · /goal er 4% tiktok end of "
              "quarter · /goal conversions 500 campaign ramadan 31 Mar"),
    "needs_metric": ("Target butuh satu metrik (S di SMART). {usage}",
                     "A goal needs one metric (the S in SMART). {usage}"),
    "needs_value": ("Target butuh angka (M di SMART): 50000, 50rb, 1,5 jt, 4%, +20% atau "
                    "+5000. {usage}",
                    "A goal needs a number (the M in SMART): 50000, 50k, 1.5m, 4%, +20% or "
                    "+5000. {usage}"),
    "needs_deadline": ("Target butuh tenggat waktu (T di SMART): 3 bulan, 6 minggu, 31 Des, "
                       "2027-03-31 atau akhir kuartal. Contoh: /target {metric} {value} "
                       "akhir kuartal",
                       "A goal needs a deadline (the T in SMART): 3 months, 6 weeks, 31 Dec, "
                       "2027-03-31 or end of quarter. Example: /goal {metric} {value} end of "
                       "quarter"),
    "deadline_past": ("Tenggat \"{text}\" sudah lewat. Pilih hari ini atau sesudahnya.",
                      "The deadline \"{text}\" is in the past. Pick today or later."),
    "deadline_invalid": ("Tenggat \"{text}\" tidak saya kenali. Contoh: 3 bulan, 31 Des, "
                         "2027-03-31, akhir tahun.",
                         "I don't recognise the deadline \"{text}\". Examples: 3 months, "
                         "31 Dec, 2027-03-31, end of year."),
    "two_values": ("Satu angka target saja: saya membaca {values}.",
                   "One target number only: I read {values}."),
    "bad_value": ("\"{value}\" bukan angka yang valid. Contoh: 50000, 50rb, 1,5 jt, 4%, +20%.",
                  "\"{value}\" is not a valid number. Examples: 50000, 50k, 1.5m, 4%, +20%."),
    "no_baseline": ("Belum ada data {metric} · {scope} untuk menghitung {value}. Pakai angka "
                    "mutlak, misalnya: /target {metric_key} 50000 {deadline}",
                    "There is no {metric} data for {scope} to work out {value} from. Use an "
                    "absolute number, e.g. /goal {metric_key} 50000 {deadline}"),
    "bad_target": ("Targetnya harus lebih dari 0 (terbaca {target}).",
                   "The target must be above 0 (I read {target})."),
    "level_campaign": ("{metric} tidak dicatat per kampanye; buat targetnya tanpa kampanye.",
                       "{metric} is not recorded per campaign; set the goal without one."),
    "not_found": ("Tidak ada target #{id} di workspace ini. Lihat daftarnya: /target",
                  "There is no goal #{id} in this workspace. See the list: /goal"),
    "needs_id": ("Sebutkan nomor targetnya, misalnya: /target {word} 3. Nomornya ada di "
                 "/target.",
                 "Name the goal's number, e.g. /goal {word} 3. The numbers are in /goal."),
    "not_active": ("Target #{id} sudah {status}; hanya target aktif yang bisa diubah.",
                   "Goal #{id} is already {status}; only active goals can be changed."),
    "edit_nothing": ("Apa yang diubah? Contoh: /target ubah {id} 60rb · /target ubah {id} "
                     "31 Des",
                     "What should change? Examples: /goal edit {id} 60k · /goal edit {id} "
                     "31 Dec"),
    "line_target": ("target #{id}", "goal #{id}"),
    "line_daily": ("target #{id} per hari", "goal #{id} per day"),
}

LIST_WORDS = frozenset({"list", "daftar", "aktif", "active", "semua", "all"})
ALL_WORDS = frozenset({"semua", "all"})
DELETE_WORDS = frozenset({"hapus", "delete", "batal", "batalkan", "cancel", "remove", "del",
                          "hentikan", "stop"})
EDIT_WORDS = frozenset({"ubah", "edit", "change", "ganti", "update", "revisi", "perbarui"})
#: Words of a goal sentence that are no metric or channel ("set a goal of ...").
GOAL_WORDS = frozenset({
    "set", "create", "make", "add", "new", "goal", "goals", "target", "targets", "sasaran",
    "buat", "buatkan", "bikin", "pasang", "tetapkan", "atur", "tambah", "baru", "mau",
    "ingin", "want", "let's", "lets", "capai", "mencapai", "achieve", "hit", "raih", "meraih",
    "naikkan", "tingkatkan", "increase", "grow", "boost", "jadi", "menjadi", "sebesar",
    "at", "least", "minimal", "minimum", "setidaknya", "paling", "sedikit",
})

_SLASH = re.compile(r"^\s*/\S+\s*")
_CAMPAIGN = re.compile(r"(?<![\w])(?:kampanye|kampanya|campaign)\s*:?\s+", re.IGNORECASE)
_VALUE = re.compile(
    r"(?<![\w@#:/.,%])(?P<sign>[+\-−])?\s?(?:rp\.?\s?)?(?P<num>\d[\d.,]*)"
    r"(?:\s?(?P<suffix>rb|ribu|k|jt|juta|m|mio|miliar|milyar|b|bn|x|×|pp|poin|pts))?"
    r"(?P<pct>\s?%)?(?![\w%])", re.IGNORECASE)
_ID = re.compile(r"^#?(\d{1,9})$")


def _msg(code: str, lang: str, **params: object) -> str:
    return translate(COMMAND_MESSAGES, code, lang, **params)


def _error(code: str, lang: str, **params: object) -> Reply:
    return Reply(body=[_msg(code, lang, **params)], intent="error", error=f"goal_{code}",
                 lang=lang, ephemeral=True)


# ----------------------------------------------------------------------------- reading

@dataclass
class GoalText:
    """A goal as read from chat text; what is missing stays None."""

    metric: str | None = None
    channel: str | None = None
    campaign: str | None = None
    value_kind: str | None = None
    value: float | None = None
    value_text: str | None = None
    deadline: Deadline | None = None
    unknown_metric: str | None = None
    suggestion: str | None = None
    unknown_channel: str | None = None
    extra_values: list[str] = field(default_factory=list)


def _cut(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


def value_kind(metric: Metric | None, sign: str | None, pct: bool,
               number: float) -> tuple[str, float]:
    """How a typed value reads: ``+20%`` percent of the baseline, ``+5000`` an amount added
    to it, ``4%`` absolute for a percent metric (ER) and relative for the others."""
    if sign:
        return ("percent" if pct else "amount"), (-number if sign in "-−" else number)
    if pct and (metric is None or metric.unit is not Unit.PERCENT):
        return "percent", number
    return "absolute", number


def find_values(text: str) -> list[tuple[re.Match[str], float]]:
    """Every number in ``text`` with its value (``1,5 jt`` → 1 500 000)."""
    from bot.numbers import parse_number

    found = []
    for match in _VALUE.finditer(text):
        suffix = (match["suffix"] or "").lower()
        if suffix in ("x", "×", "pp", "poin", "pts"):
            suffix = ""
        number = parse_number(match["num"].rstrip(".,") + suffix)
        if number is not None:
            found.append((match, number))
    return found


def read_value(text: str, metric: Metric | None) -> tuple[str, GoalText]:
    """Cut the first value out of ``text``; further numbers are kept as ``extra_values``."""
    out = GoalText()
    values = find_values(text)
    if not values:
        return text, out
    match, number = values[0]
    out.value_kind, out.value = value_kind(metric, match["sign"], bool(match["pct"]), number)
    out.value_text = match.group().strip()
    out.extra_values = [m.group().strip() for m, _ in values[1:]]
    return _cut(text, match.start(), match.end()), out


def _take_campaign(text: str, campaigns: list[str]) -> tuple[str | None, str]:
    match = _CAMPAIGN.search(text)
    if match is None:
        return None, text
    rest = text[match.end():]
    for name in sorted(campaigns, key=len, reverse=True):
        if rest.lower().startswith(name.lower()) and (
                len(rest) == len(name) or not rest[len(name)].isalnum()):
            return name, _cut(text, match.start(), match.end() + len(name))
    word = re.match(r"[\w\-]+", rest)
    if word is None:
        return None, _cut(text, match.start(), match.end())
    return word.group().lower(), _cut(text, match.start(), match.end() + word.end())


def read_goal(text: str, today: date, *, channels: list[str], campaigns: list[str]) -> GoalText:
    """Read a goal from the text after the command word. Raises ``DeadlineError``."""
    text = drop_mentions(text)
    campaign, text = _take_campaign(text, campaigns)
    deadline = None
    hit = find_deadline(text, today)
    if hit is not None:
        deadline, text = hit[0], _cut(text, hit[1], hit[2])
    # the metric first (for how "4%" reads): from the text without its numbers
    rest_words = [w for w in _VALUE.sub(" ", text).split()
                  if w.strip(".,!?:;").lower() not in GOAL_WORDS]
    parsed = parse_text("/target " + " ".join(rest_words), today, channels=channels,
                        campaigns=campaigns)
    metric = METRICS.get(parsed.metric or "")
    _, out = read_value(text, metric)
    out.metric, out.channel, out.deadline = parsed.metric, parsed.channel, deadline
    out.campaign = campaign or parsed.campaign
    out.unknown_metric, out.suggestion = parsed.unknown_metric, parsed.suggestion
    out.unknown_channel = parsed.unknown_channel
    return out


def command_body(ctx: Context) -> str:
    """The request text without its command word (``/target@KpiBot``, ``target``)."""
    text = ctx.request.text.strip()
    slash = _SLASH.match(text)
    if slash is not None:
        return text[slash.end():]
    head, _, rest = text.partition(" ")
    if COMMANDS.get(head.strip(".,:!").lower()) == ctx.parsed.command:
        return rest.strip()
    return text


# ----------------------------------------------------------------------------- handlers

def _may_change(ctx: Context) -> Reply | None:
    if ctx.role.allows(Role.EDITOR):
        return None
    return error_reply("no_permission", ctx.lang, role=Role.EDITOR.value,
                       current=ctx.role.value)


def _deadline_error(exc: DeadlineError, lang: str) -> Reply:
    return _error("deadline_past" if exc.code == "past" else "deadline_invalid", lang,
                  text=exc.text)


def goal(ctx: Context) -> Reply:
    """/target: list, show, set, change or cancel goals."""
    body = command_body(ctx)
    words = body.split()
    if not words:
        return list_goals(ctx, everything=False)
    first = words[0].strip(".,:!").lower()
    if first in LIST_WORDS and len(words) == 1:
        return list_goals(ctx, everything=first in ALL_WORDS)
    single = _ID.match(first)
    if single and len(words) == 1:
        return show_goal(ctx, int(single.group(1)))
    if first in DELETE_WORDS or first in EDIT_WORDS:
        denied = _may_change(ctx)
        if denied:
            return denied
        number = _ID.match(words[1]) if len(words) > 1 else None
        if number is None:
            return _error("needs_id", ctx.lang, word=first)
        if first in DELETE_WORDS:
            return cancel_goal(ctx, int(number.group(1)))
        rest = body.split(None, 2)[2] if len(words) > 2 else ""
        return change_goal(ctx, int(number.group(1)), rest)
    if not ctx.request.text.lstrip().startswith("/") and _just_asking(ctx, body):
        return list_goals(ctx, everything=False)  # "how are our goals doing?"
    denied = _may_change(ctx)
    return denied or set_goal(ctx, body)


def _just_asking(ctx: Context, body: str) -> bool:
    """A sentence about goals with neither a number nor a deadline asks for the list."""
    try:
        deadline = find_deadline(body, ctx.today)
    except DeadlineError:
        return False
    return deadline is None and not find_values(body)


def _track_all(ctx: Context, everything: bool) -> list[Progress]:
    return goal_service.goals_progress(ctx.store, ctx.workspace.id, ctx.channels, ctx.today,
                                       everything=everything)


def list_goals(ctx: Context, *, everything: bool) -> Reply:
    """The active goals (or all) with progress, paces, forecast and status."""
    return gv.list_reply(_track_all(ctx, everything), ctx.workspace.currency, ctx.lang,
                         everything=everything)


def show_goal(ctx: Context, goal_id: int) -> Reply:
    """One goal with its history and chart."""
    found = goal_service.find_goal(ctx.store, ctx.workspace.id, goal_id)
    if found is None:
        return _error("not_found", ctx.lang, id=goal_id)
    progress = track(ctx.store, ctx.workspace.id, ctx.channels, found, ctx.today)
    events = goal_service.goal_history(ctx.store, ctx.workspace.id, goal_id)
    return gv.show_reply(progress, events, ctx.workspace.currency, ctx.lang)


def cancel_goal(ctx: Context, goal_id: int) -> Reply:
    found = goal_service.find_goal(ctx.store, ctx.workspace.id, goal_id)
    if found is None:
        return _error("not_found", ctx.lang, id=goal_id)
    if not found.active:
        return _error("not_active", ctx.lang, id=goal_id,
                      status=translate(gv.STATUS, found.status, ctx.lang))
    cancelled, progress = goal_service.cancel_goal(ctx.store, ctx.workspace.id, ctx.channels,
                                                   found, ctx.today, ctx.now,
                                                   by_user=ctx.request.user_id)
    return gv.cancelled_reply(cancelled, progress, ctx.workspace.currency, ctx.lang)


def change_goal(ctx: Context, goal_id: int, text: str) -> Reply:
    """A new value and/or deadline; the baseline and the history stay."""
    lang = ctx.lang
    found = goal_service.find_goal(ctx.store, ctx.workspace.id, goal_id)
    if found is None:
        return _error("not_found", lang, id=goal_id)
    try:
        hit = find_deadline(text, ctx.today)
    except DeadlineError as exc:
        return _deadline_error(exc, lang)
    if hit is not None:
        text = _cut(text, hit[1], hit[2])
    _, read = read_value(text, found.definition)
    if read.value is None and hit is None:
        return _error("edit_nothing", lang, id=goal_id)
    try:
        changed = goal_service.change_goal(ctx.store, found, ctx.today, ctx.now,
                                           value_kind=read.value_kind, value=read.value,
                                           deadline=hit[0].day if hit else None,
                                           by_user=ctx.request.user_id)
    except GoalError as exc:
        return _goal_error(ctx, exc, found.metric, found.channel, read.value_text or "")
    progress = track(ctx.store, ctx.workspace.id, ctx.channels, changed, ctx.today)
    return gv.edited_reply(found, progress, ctx.workspace.currency, lang)


def set_goal(ctx: Context, body: str) -> Reply:
    """Create a goal from ``/target metric value [channel] deadline``."""
    lang = ctx.lang
    usage = _msg("usage", lang)
    try:
        read = read_goal(body, ctx.today, channels=[c.name for c in ctx.channels],
                         campaigns=ctx.campaigns)
    except DeadlineError as exc:
        return _deadline_error(exc, lang)
    if read.metric is None:
        if read.unknown_metric and read.suggestion:
            return error_reply("unknown_metric", lang, word=read.unknown_metric,
                               suggestion=read.suggestion)
        if read.unknown_metric:
            return error_reply("unknown_metric_nosuggest", lang, word=read.unknown_metric)
        return _error("needs_metric", lang, usage=usage)
    if read.unknown_channel:
        known = ", ".join(c.name for c in ctx.channels) or t("no_channels", lang)
        return error_reply("unknown_channel", lang, name=read.unknown_channel, known=known)
    if read.value is None or read.value_kind is None:
        return _error("needs_value", lang, usage=usage)
    if read.extra_values:
        return _error("two_values", lang,
                      values=", ".join([read.value_text or "", *read.extra_values]))
    if read.deadline is None:
        return _error("needs_deadline", lang, metric=read.metric, value=read.value_text)
    request = GoalRequest(read.metric, read.value_kind, read.value, read.deadline.day,
                          read.channel, read.campaign, start=read.deadline.period_start)
    req = ctx.request
    try:
        created, plan = goal_service.set_goal(
            ctx.store, ctx.workspace.id, ctx.channels, request,
            ctx.today, ctx.now, owner_id=req.user_id, owner_name=req.user_name,
            platform=req.platform, chat_id=req.chat_id)
    except GoalError as exc:
        return _goal_error(ctx, exc, read.metric, read.channel, read.value_text or "",
                           read.deadline.phrase, read.campaign)
    except UnknownChannel as exc:
        known = ", ".join(exc.known) or t("no_channels", lang)
        return error_reply("unknown_channel", lang, name=exc.name, known=known)
    progress = track(ctx.store, ctx.workspace.id, ctx.channels, created, ctx.today)
    return gv.created_reply(created, plan, progress, ctx.workspace.currency, lang)


def _goal_error(ctx: Context, exc: GoalError, metric_key: str, channel: str | None,
                value_text: str, deadline: str = "3 bulan", campaign: str | None = None
                ) -> Reply:
    lang = ctx.lang
    metric = METRICS[metric_key]
    if exc.code == "no_baseline":
        return _error("no_baseline", lang, metric=metric.label(lang), metric_key=metric.key,
                      scope=gv.scope(channel, campaign, lang), value=value_text,
                      deadline=deadline)
    if exc.code == "bad_target":
        target = float(exc.params.get("target", 0.0))  # type: ignore[arg-type]
        return _error("bad_target", lang, target=gv.value(metric, target, "IDR", lang))
    if exc.code == "level_campaign":
        return _error("level_campaign", lang, metric=metric.label(lang))
    if exc.code == "not_active":
        return _error("not_active", lang, id="?", status=str(exc.params.get("status")))
    return _error("deadline_past", lang, text=deadline)


# ----------------------------------------------------------------------------- charts

def goal_line(ctx: Context, metric_key: str, channel: str | None
              ) -> tuple[float, str | None, None] | None:
    """The target line of ``/grafik``: an active goal on the same metric, channel and
    campaign. A level's or ratio's target is drawn as is; a total's as the daily average it
    needs over its window (the chart shows daily values)."""
    found = goal_service.goals_on(ctx.store, ctx.workspace.id, metric_key, channel,
                                  ctx.parsed.campaign)
    if not found:
        return None
    g = found[0]
    if g.shape is Shape.TOTAL:
        days = (g.deadline - g.start).days + 1
        return g.target / days, _msg("line_daily", ctx.lang, id=g.id), None
    return g.target, _msg("line_target", ctx.lang, id=g.id), None


def register_goals(router: Router) -> None:
    """Register /target (/goal) (/roi and /peran: ``bot.goal_admin``). ``goal_line`` (below) is what
    bootstrap hands to ``register_charts`` so /grafik draws a goal's target line."""
    router.register(Command(
        names.GOAL, Role.VIEWER, goal,
        "target SMART: /target followers +20% instagram 3 bulan · /target (daftar) · "
        "/target 3 · /target ubah 3 60rb · /target hapus 3",
        "SMART goals: /goal followers +20% instagram 3 months · /goal (list) · /goal 3 · "
        "/goal edit 3 60k · /goal delete 3"))
