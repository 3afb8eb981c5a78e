"""/alert and /senyap (/snooze); /langganan and /berhenti are in ``bot.digest_commands``.

- ``/alert`` (``/alert daftar``, ``/alert list``) lists the rules: the defaults every
  workspace has (engagement-rate drop, stale data, goals) and the team's own.
- Editors add and remove rules: ``/alert er < 2%``, ``/alert cpc > 5000 instagram``,
  ``/alert reach turun 30%`` (a drop against the median of the 4 weeks before; ``harian``:
  yesterday against the same weekday of the 4 weeks before), ``/alert reach naik 30%`` (a
  rise), with the rule's own options (``bot.drop_options``: ``toleransi 2``, ``min 1000``,
  ``arah turun|naik|dua-arah``, ``n=6``); ``/alert ubah 3 toleransi 2 min 500``
  (``/alert edit 3 …``) changes them and says old → new;
  ``/alert hapus 3`` (``/alert remove 3``); ``/alert hapus drop`` turns a default off,
  ``/alert aktifkan drop`` (``/alert on drop``) on again; ``/alert tenang 22:00-06:00``
  (``/alert quiet``) sets the quiet hours (``off``: none).
- ``/senyap 2 jam`` (``/snooze 2 hours``) defers this chat's alerts; ``/senyap off`` ends it.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

from bot import command_names as names
from bot import drop_options as do
from bot import formatting as fmt
from bot.i18n import Phrasebook
from bot.numbers import parse_number
from bot.reply import Reply
from bot.router import OPERATOR_PLATFORMS, Command, Context, Router
from kpi_engine.domain.alerts import (
    DEFAULT_K,
    DEFAULT_KEYS,
    DEFAULT_MIN_VOLUME,
    DEFAULT_PERIODS,
    K_RANGE,
    PERIODS_RANGE,
    Rule,
)
from kpi_engine.domain.metrics import METRICS, Unit, suggest
from kpi_engine.domain.model import Role
from kpi_engine.services import alert_rules

MESSAGES: dict[str, tuple[str, str]] = {
    "list_title": ("Aturan alert · {name}", "Alert rules · {name}"),
    "defaults": ("Bawaan (untuk semua kanal sendiri):", "Defaults (all own channels):"),
    "team": ("Buatan tim:", "Added by the team:"),
    "none": ("  belum ada — contoh: /alert er < 2%", "  none yet — e.g. /alert er < 2%"),
    "off": (" (nonaktif)", " (off)"),
    "d_drop": ("drop — engagement rate minggu lalu turun ≥20% dari median 4 minggu "
               "sebelumnya (per kanal dan total){options}",
               "drop — last week's engagement rate ≥20% below the median of the 4 weeks "
               "before (per channel and in total){options}"),
    "d_stale": ("stale — tidak ada data dari sebuah kanal selama 3 hari",
                "stale — no data from a channel for 3 days"),
    "d_goal": ("target — target tercapai, tidak sesuai jalur (maks. seminggu sekali), terlewat",
               "goal — goal reached, off track (at most weekly), missed"),
    "quiet": ("Jam tenang: {start}–{end} ({tz}); alert menunggu sampai jam tenang usai.",
              "Quiet hours: {start}–{end} ({tz}); alerts wait until they end."),
    "no_quiet": ("Tanpa jam tenang.", "No quiet hours."),
    "snoozed": ("Chat ini disenyapkan sampai {until}.", "This chat is snoozed until {until}."),
    "list_help": ("Tambah: /alert er < 2% · /alert cpc > 5000 instagram · /alert reach turun "
                  "30% harian toleransi 2 min 1000 · ubah: /alert ubah 3 toleransi 2 · "
                  "hapus: /alert hapus 3",
                  "Add: /alert er < 2% · /alert cpc > 5000 instagram · /alert reach drop 30% "
                  "daily tolerance 2 min 1000 · change: /alert edit 3 tolerance 2 · "
                  "remove: /alert remove 3"),
    "usage": ("Format: /alert metrik < nilai [kanal], /alert metrik > nilai [kanal], "
              "/alert metrik turun 30% [kanal] [harian] [toleransi 2] [min 1000] "
              "[arah turun|naik|dua-arah] [n=6], /alert ubah NOMOR toleransi 2, "
              "/alert hapus NOMOR. Contoh: /alert er < 2%",
              "Usage: /alert metric < value [channel], /alert metric > value [channel], "
              "/alert metric drop 30% [channel] [daily] [tolerance 2] [min 1000] "
              "[direction drop|rise|both] [n=6], /alert edit NUMBER tolerance 2, "
              "/alert remove NUMBER. Example: /alert er < 2%"),
    "needs_editor": ("Menambah, mengubah atau menghapus alert butuh peran editor. Peran Anda: "
                     "{role}.",
                     "Adding, changing or removing alerts needs the editor role. Your role: "
                     "{role}."),
    "unknown_metric": ("Metrik \"{word}\" tidak dikenal{hint}. {usage}",
                       "Unknown metric \"{word}\"{hint}. {usage}"),
    "did_you_mean": (" (maksud Anda: {suggestion}?)", " (did you mean: {suggestion}?)"),
    "unknown_channel": ("Kanal \"{name}\" tidak ada di workspace ini. Kanal yang ada: {known}.",
                        "There is no channel \"{name}\" in this workspace. Channels: {known}."),
    "bad_value": ("\"{value}\" bukan angka yang valid. Contoh: 2%, 5000, 5rb, 1,5 jt.",
                  "\"{value}\" is not a valid number. Examples: 2%, 5000, 5k, 1.5m."),
    "percent_only": ("{metric} bukan metrik persen; tulis angkanya tanpa %.",
                     "{metric} is not a percentage; give the number without %."),
    "bad_drop": ("Persentase turun/naik harus antara 1% dan 99%, mis. /alert reach turun 30%.",
                 "The drop (or rise) must be between 1% and 99%, e.g. /alert reach drop 30%."),
    # a drop rule's own options (bot.drop_options)
    "bad_k": ("Toleransi \"{word}\" tidak bisa dipakai: isi angka {lo} sampai {hi} (bawaan "
              "{default}; makin besar, makin jarang alert). Contoh: toleransi 2. Belum ada "
              "yang diubah.",
              "Tolerance \"{word}\" cannot be used: give a number from {lo} to {hi} (default "
              "{default}; the larger, the fewer alerts). Example: tolerance 2. Nothing was "
              "changed."),
    "bad_min": ("Volume minimal \"{word}\" tidak bisa dipakai: isi angka 0 atau lebih (bawaan "
                "{default}). Contoh: min 1000. Belum ada yang diubah.",
                "Minimum volume \"{word}\" cannot be used: give a number of 0 or more "
                "(default {default}). Example: min 1000. Nothing was changed."),
    "bad_periods": ("Jumlah minggu pembanding \"{word}\" tidak bisa dipakai: isi {lo} sampai "
                    "{hi} (bawaan {default}). Contoh: n=6. Belum ada yang diubah.",
                    "History of \"{word}\" weeks cannot be used: give {lo} to {hi} (default "
                    "{default}). Example: n=6. Nothing was changed."),
    "bad_direction": ("Arah \"{word}\" tidak dikenal: pilih arah turun, arah naik, atau arah "
                      "dua-arah. Belum ada yang diubah.",
                      "Unknown direction \"{word}\": choose direction drop, rise or both. "
                      "Nothing was changed."),
    "sensitivity": ("\"{word}\" bisa dibaca dua arah, jadi tidak saya tebak. Pakai toleransi "
                    "N: angka besar = butuh perubahan lebih besar (alert lebih jarang), angka "
                    "kecil = lebih peka. Bawaan {default}; contoh: toleransi 2. Belum ada yang "
                    "diubah.",
                    "\"{word}\" can be read both ways, so I won't guess. Use tolerance N: a "
                    "larger number needs a bigger change (fewer alerts), a smaller one is more "
                    "sensitive. Default {default}; e.g. tolerance 2. Nothing was changed."),
    "twice": ("\"{word}\" disebut dua kali; tulis sekali saja. Belum ada yang diubah.",
              "\"{word}\" is given twice; give it once. Nothing was changed."),
    "no_value": ("\"{word}\" butuh nilai, mis. toleransi 2, min 1000, arah naik, n=6. Belum "
                 "ada yang diubah.",
                 "\"{word}\" needs a value, e.g. tolerance 2, min 1000, direction rise, n=6. "
                 "Nothing was changed."),
    "drop_extra": ("Kata \"{word}\" tidak saya pahami, jadi alert belum dibuat atau diubah. "
                   "Yang bisa ditulis: kanal (mis. {example}), harian/mingguan, toleransi 2, "
                   "min 1000, arah turun|naik|dua-arah, n=6.",
                   "I don't understand \"{word}\", so no alert was made or changed. What may "
                   "be written: a channel (e.g. {example}), daily/weekly, tolerance 2, "
                   "min 1000, direction drop|rise|both, n=6."),
    "drop_only": ("Toleransi, arah, min dan n hanya untuk alert turun/naik (mis. /alert reach "
                  "turun 20% toleransi 2); alert batas (< atau >) tidak memakainya. Belum ada "
                  "yang diubah.",
                  "Tolerance, direction, min and n are for drop/rise alerts only (e.g. /alert "
                  "reach drop 20% tolerance 2); a threshold alert (< or >) has none. Nothing "
                  "was changed."),
    "edit_usage": ("Format: /alert ubah NOMOR [toleransi 2] [min 1000] [arah turun|naik|"
                   "dua-arah] [n=6] [25%] [harian|mingguan]. Nomornya ada di /alert.",
                   "Usage: /alert edit NUMBER [tolerance 2] [min 1000] [direction drop|rise|"
                   "both] [n=6] [25%] [daily|weekly]. The numbers are in /alert."),
    "edit_default": ("Alert bawaan tidak bisa diubah. Buat aturan sendiri (mis. /alert er turun "
                     "20% toleransi 2), lalu matikan yang bawaan: /alert hapus drop.",
                     "A default alert cannot be changed. Add your own (e.g. /alert er drop 20% "
                     "tolerance 2), then turn the default off: /alert remove drop."),
    "edited": ("Alert #{id} diubah: {changes}. Sekarang: {rule}.",
               "Alert #{id} changed: {changes}. Now: {rule}."),
    "unchanged": ("Alert #{id} tidak berubah: {rule}.", "Alert #{id} is unchanged: {rule}."),
    "o_pct": ("batas", "limit"),
    "o_direction": ("arah", "direction"),
    "o_k": ("toleransi", "tolerance"),
    "o_min_volume": ("min", "min"),
    "o_periods": ("n", "n"),
    "o_period": ("periode", "period"),
    "dir_drop": ("turun", "drop"),
    "dir_rise": ("naik", "rise"),
    "dir_both": ("dua-arah", "both"),
    "period_day": ("harian", "daily"),
    "period_week": ("mingguan", "weekly"),
    "change_drop": ("turun", "down"),
    "change_rise": ("naik", "up"),
    "change_both": ("turun atau naik", "down or up"),
    "vs_week": ("vs median {n} minggu sebelumnya", "vs the median of the {n} weeks before"),
    "vs_day": ("vs median hari yang sama {n} minggu sebelumnya",
               "vs the median of the same weekday in the {n} weeks before"),
    "opts": ("toleransi {k} · min {min}", "tolerance {k} · min {min}"),
    "added": ("Alert #{id} ditambahkan: {rule}. Dicek tiap 5 menit; {when}.",
              "Alert #{id} added: {rule}. Checked every 5 minutes; {when}."),
    "when_day": ("nilai yang dinilai adalah hari kemarin", "it looks at yesterday's value"),
    "when_drop_day": ("yang dinilai hari kemarin", "it looks at yesterday"),
    "when_drop_week": ("yang dinilai minggu lalu (Senin–Minggu)",
                       "it looks at last week (Monday–Sunday)"),
    "removed": ("Alert #{id} dihapus: {rule}.", "Alert #{id} removed: {rule}."),
    "no_rule": ("Tidak ada alert #{id}. Lihat daftarnya: /alert",
                "There is no alert #{id}. See the list: /alert"),
    "default_off": ("Alert bawaan \"{rule}\" dimatikan. Nyalakan lagi: /alert aktifkan {rule}",
                    "Default alert \"{rule}\" turned off. Turn it on again: /alert on {rule}"),
    "default_on": ("Alert bawaan \"{rule}\" aktif.", "Default alert \"{rule}\" is on."),
    "quiet_set": ("Jam tenang: {start}–{end}. Alert di jam itu dikirim saat jam tenang usai.",
                  "Quiet hours: {start}–{end}. Alerts in them are sent when they end."),
    "quiet_off": ("Jam tenang dimatikan: alert dikirim kapan saja.",
                  "Quiet hours off: alerts go out at any time."),
    "quiet_usage": ("Format: /alert tenang 21:00-07:00 (atau: /alert tenang off).",
                    "Usage: /alert quiet 21:00-07:00 (or: /alert quiet off)."),
    "op_below": ("di bawah", "below"),
    "op_above": ("di atas", "above"),
    "drop_rule": ("{metric} {scope} {change} ≥{pct} · {period}, {vs} · {options}",
                  "{metric} {scope} {change} ≥{pct} · {period}, {vs} · {options}"),
    "weeks": ("minggu", "weeks"),
    "days": ("hari", "days"),
    "all_own": ("semua kanal sendiri", "all own channels"),
    "votes": (" — 30 hari: dipicu {fired}, 👍 {useful}, 👎 {bad}",
              " — 30 days: fired {fired}, 👍 {useful}, 👎 {bad}"),
    # snooze
    "snooze_usage": ("Format: /senyap 2 jam (atau 30 menit, 1 hari); /senyap off untuk "
                     "mengakhiri.",
                     "Usage: /snooze 2 hours (or 30 minutes, 1 day); /snooze off to end it."),
    "snooze_set": ("Alert di chat ini disenyapkan sampai {until}. Alert yang muncul tetap "
                   "dikirim setelahnya, tidak ada yang hilang.",
                   "Alerts in this chat are snoozed until {until}. Alerts that come up are "
                   "sent afterwards; nothing is lost."),
    "snooze_off": ("Senyap diakhiri: alert dikirim lagi seperti biasa.",
                   "Snooze ended: alerts are sent as usual again."),
    "snooze_none": ("Chat ini tidak sedang disenyapkan. {usage}",
                    "This chat is not snoozed. {usage}"),
    "snooze_max": ("Senyap bisa 1 menit sampai paling lama 7 hari. Contoh: /senyap 2 jam.",
                   "A snooze lasts from 1 minute to at most 7 days. Example: /snooze 2 hours."),
    "bad_id": ("Nomor alert \"{id}\" tidak valid: nomor alert adalah angka 1 sampai {max}. "
               "Lihat nomornya: /alert",
               "\"{id}\" is not a valid alert number: alert numbers are 1 to {max}. See the "
               "numbers: /alert"),
    "extra_words": ("Kata \"{word}\" tidak saya pahami, jadi alert belum dibuat. Setelah nilai "
                    "hanya boleh nama kanal (mis. {example}). {usage}",
                    "I don't understand \"{word}\", so no alert was made. After the value "
                    "only a channel name may follow (e.g. {example}). {usage}"),
}

DEFAULT_NAMES = {"drop": "drop", "turun": "drop", "stale": "stale", "basi": "stale",
                 "target": "goal", "goal": "goal", "goals": "goal"}
_OPS = [("<=", "<"), (">=", ">"), ("<", "<"), (">", ">"), ("di bawah", "<"), ("dibawah", "<"),
        ("kurang dari", "<"), ("below", "<"), ("under", "<"), ("di atas", ">"),
        ("diatas", ">"), ("lebih dari", ">"), ("above", ">"), ("over", ">")]
_OP_RE = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w, _ in _OPS) + r")(?![\w])|[<>]=?",
                    re.IGNORECASE)
_DROP_RE = re.compile(r"\b(turun|drop|drops|falls?|anjlok)\b\s*(?:≥|>=)?\s*([\d.,]+)\s*%",
                      re.IGNORECASE)
#: A change rule's verb anywhere (``/alert tambah turun er 20%``, ``/alert reach naik 30%``):
#: ``bot.drop_options`` reads the rest.
_VERB_RE = re.compile(r"(?<![\w=-])(" + "|".join(sorted(do.VERBS, key=len, reverse=True))
                      + r")(?![\w=-])", re.IGNORECASE)
#: Words of "add" a drop rule may start with: ``/alert tambah turun er 20%``.
_ADD_WORDS = frozenset({"tambah", "tambahkan", "add", "new", "baru", "buat",
                        # "… untuk semua kanal sendiri", "… for all own channels"
                        "semua", "all", "total", "sendiri", "own", "channels", "kanal",
                        # "alert kalau engagement turun 20%", "alert me if reach drops 30%"
                        "kalau", "kalo", "klo", "jika", "bila", "apabila", "ketika", "saat",
                        "if", "when", "whenever", "me", "tolong", "please", "dong", "ya",
                        "bikin", "bikinin", "pasang", "set"})
_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_DURATION_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([a-z]*)$")
_UNITS = {
    **dict.fromkeys(("menit", "mnt", "m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("", "jam", "j", "h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("hari", "d", "day", "days"), "days"),
}
MAX_SNOOZE = timedelta(days=7)
MIN_SNOOZE = timedelta(minutes=1)
MAX_RULE_ID = 2**31 - 1  # the database's integer
#: Words that may join a threshold and its channel: "/alert cpc > 5000 di instagram".
_LINK_WORDS = frozenset({"di", "on", "in", "untuk", "for", "kanal", "channel", "akun"})


_BOOK = Phrasebook(MESSAGES)
_m, _say, _refuse = _BOOK.text, _BOOK.say, _BOOK.refuse


def after_command(text: str) -> str:
    """The text after the command word (``/alert@KpiBot er < 2%`` → ``er < 2%``)."""
    body = text.strip()
    parts = body.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


# -- /alert ----------------------------------------------------------------------------------

def options_text(rule: Rule, lang: str) -> str:
    """A drop rule's spread factor and minimum volume: ``toleransi 3 · min 1.000``."""
    return _m("opts", lang, k=fmt.number(rule.k), min=fmt.number(rule.min_volume))


def _pct(value: float) -> str:
    return fmt.percent(value, 0) if value == int(value) else fmt.number(value) + "%"


def describe(rule: Rule, lang: str, currency: str = "IDR") -> str:
    """A rule in a few words: ``er semua kanal sendiri di bawah 2%``; a drop rule with its
    options: ``Jangkauan instagram turun ≥30% · harian, vs median hari yang sama 4 minggu
    sebelumnya · toleransi 3 · min 100``."""
    if rule.default:
        extra = f", {options_text(rule, lang)}" if rule.kind == "drop" else ""
        return _m(f"d_{rule.key}", lang, options=extra)
    assert rule.metric is not None
    metric = METRICS[rule.metric]
    scope = rule.channel or _m("all_own", lang)
    if rule.kind == "drop":
        vs = _m("vs_day" if rule.period == "day" else "vs_week", lang, n=rule.periods)
        return _m("drop_rule", lang, metric=metric.label(lang), scope=scope,
                  change=_m(f"change_{rule.direction}", lang), pct=_pct(rule.value),
                  period=_m(f"period_{rule.period}", lang), vs=vs,
                  options=options_text(rule, lang))
    side = _m("op_below" if rule.op == "<" else "op_above", lang)
    limit = (fmt.number(rule.value) + "%" if metric.unit is Unit.PERCENT
             else fmt.metric_value(metric, rule.value, currency))
    return f"{metric.label(lang)} {scope} {side} {limit}"


def alert_command(ctx: Context) -> Reply:
    """List, add and remove alert rules; set quiet hours."""
    rest = after_command(ctx.request.text)
    words = rest.lower().split()
    head = words[0] if words else ""
    if head in ("", "daftar", "list", "ls"):
        return _list(ctx)
    if not ctx.role.allows(Role.EDITOR):
        return _refuse(ctx, "needs_editor", role=ctx.role.value)
    if head in ("hapus", "remove", "delete", "del", "off", "matikan"):
        return _remove(ctx, words[1:])
    if head in ("aktifkan", "on", "nyalakan", "enable"):
        return _enable(ctx, words[1:])
    if head in ("tenang", "quiet"):
        return _quiet(ctx, words[1:])
    if head in ("ubah", "edit", "change", "atur", "ganti"):
        return _edit(ctx, rest.split()[1:])
    return _add(ctx, rest)


def _list(ctx: Context) -> Reply:
    lang, ws = ctx.lang, ctx.workspace
    rules, settings = alert_rules.list_rules(ctx.store, ws.id)
    feedback = alert_rules.rule_feedback(ctx.store, ws.id, ctx.now)

    def votes(rule: Rule) -> str:
        f = feedback.get(rule.key, alert_rules.RuleFeedback())
        return _m("votes", lang, fired=f.fired, useful=f.useful, bad=f.not_useful)

    body = [_m("defaults", lang)]
    for rule in rules:
        if rule.default:
            off = _m("off", lang) if rule.key in settings.disabled else ""
            body.append(f"  • {describe(rule, lang)}{off}{votes(rule)}")
    body += ["", _m("team", lang)]
    team = [r for r in rules if not r.default]
    body += [f"  #{r.id} {describe(r, lang, ws.currency)}{votes(r)}" for r in team
             ] or [_m("none", lang)]
    body.append("")
    if settings.quiet_start and settings.quiet_end:
        body.append(_m("quiet", lang, start=settings.quiet_start.strftime("%H:%M"),
                       end=settings.quiet_end.strftime("%H:%M"), tz=ws.timezone))
    else:
        body.append(_m("no_quiet", lang))
    until = alert_rules.snoozed_until(ctx.store, ctx.request.platform, ctx.request.chat_id,
                                      ctx.now)
    if until is not None:
        body.append(_m("snoozed", lang, until=_local(ctx, until)))
    return Reply(title=_m("list_title", lang, name=ws.name), body=body,
                 footer=_m("list_help", lang), intent="alert_list", lang=lang,
                 data={"rules": [{**rule_data(r),
                                  "enabled": r.key not in settings.disabled,
                                  "feedback": vars(feedback.get(
                                      r.key, alert_rules.RuleFeedback()))}
                                 for r in rules]})


def _local(ctx: Context, when: object) -> str:
    from datetime import datetime

    assert isinstance(when, datetime)
    local = when.astimezone(ctx.now.tzinfo)
    return f"{fmt.day(local.date(), ctx.lang)} {local:%H:%M}"


def _remove(ctx: Context, args: list[str]) -> Reply:
    if not args:
        return _refuse(ctx, "usage")
    word = args[0].lstrip("#")
    if word in DEFAULT_NAMES:
        key = DEFAULT_NAMES[word]
        alert_rules.set_default_enabled(ctx.store, ctx.workspace.id, key, False, ctx.now)
        return _say(ctx, "default_off", "alert_removed", rule=key)
    if not (word.isascii() and word.isdigit()):
        return _refuse(ctx, "usage")
    if not 1 <= int(word) <= MAX_RULE_ID:
        return _refuse(ctx, "bad_id", id=fmt.excerpt(word), max=fmt.number(MAX_RULE_ID))
    removed = alert_rules.remove_rule(ctx.store, ctx.workspace.id, int(word))
    if removed is None:
        return _refuse(ctx, "no_rule", id=word)
    return _say(ctx, "removed", "alert_removed", id=removed.id,
                rule=describe(removed, ctx.lang, ctx.workspace.currency))


def _enable(ctx: Context, args: list[str]) -> Reply:
    key = DEFAULT_NAMES.get(args[0]) if args else None
    if key is None or key not in DEFAULT_KEYS:
        return _refuse(ctx, "usage")
    alert_rules.set_default_enabled(ctx.store, ctx.workspace.id, key, True, ctx.now)
    return _say(ctx, "default_on", "alert_added", rule=key)


def read_time(text: str) -> time | None:
    match = _TIME_RE.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _quiet(ctx: Context, args: list[str]) -> Reply:
    joined = " ".join(args)
    if joined in ("off", "mati", "tidak", "none"):
        alert_rules.set_quiet_hours(ctx.store, ctx.workspace.id, None, None, ctx.now)
        return _say(ctx, "quiet_off", "alert_quiet")
    parts = re.split(r"\s*(?:-|–|sampai|to|s\.d\.)\s*", joined)
    times = [read_time(p) for p in parts if p]
    if len(times) != 2 or None in times or times[0] == times[1]:
        return _refuse(ctx, "quiet_usage")
    start, end = times
    assert start is not None and end is not None
    alert_rules.set_quiet_hours(ctx.store, ctx.workspace.id, start, end, ctx.now)
    return _say(ctx, "quiet_set", "alert_quiet", start=start.strftime("%H:%M"),
                end=end.strftime("%H:%M"))


def _add(ctx: Context, rest: str) -> Reply:
    lang, p = ctx.lang, ctx.parsed
    usage = _m("usage", lang)
    if p.metric is None:
        word = p.unknown_metric or (rest.split()[0] if rest.split() else "")
        if not word:
            return _refuse(ctx, "usage")
        key = p.suggestion or suggest(word)
        hint = _m("did_you_mean", lang, suggestion=key) if key else ""
        return _refuse(ctx, "unknown_metric", word=word, hint=hint, usage=usage)
    if p.unknown_channel:
        known = ", ".join(c.name for c in ctx.channels) or "–"
        return _refuse(ctx, "unknown_channel", name=p.unknown_channel, known=known)
    channel = p.channel
    if channel is not None and not any(c.name == channel or c.platform == channel
                                       for c in ctx.channels):
        known = ", ".join(c.name for c in ctx.channels) or "–"
        return _refuse(ctx, "unknown_channel", name=channel, known=known)
    metric = METRICS[p.metric]
    operator = ctx.request.platform in OPERATOR_PLATFORMS
    platform = "" if operator else ctx.request.platform
    chat_id = "" if operator else ctx.request.chat_id
    if _DROP_RE.search(rest) or _VERB_RE.search(rest):
        read = do.read(rest)
        if isinstance(read, do.OptionError):
            return _option_error(ctx, read)
        if read.verb is not None and read.pct is not None:
            stray = _stray_word(ctx, do.leftover(p.args, read.used), _ADD_WORDS)
            if stray is not None:
                return _drop_extra(ctx, stray)
            period = read.period or "week"
            rule = alert_rules.add_rule(
                ctx.store, ctx.workspace.id, kind="drop", metric=metric.key, value=read.pct,
                channel=channel, op="<", period=period,
                periods=read.periods or DEFAULT_PERIODS, repeat=_repeat(period),
                k=DEFAULT_K if read.k is None else read.k,
                direction=read.chosen_direction or "drop", min_volume=read.min_volume,
                now=ctx.now, created_by=ctx.request.user_name or ctx.request.user_id,
                platform=platform, chat_id=chat_id)
            return _added(ctx, rule, _m(f"when_drop_{period}", lang))
    found = _OP_RE.search(rest)
    if not found:
        return _refuse(ctx, "usage")
    op = dict(_OPS).get(found.group(0).lower(), found.group(0)[0])
    after = rest[found.end():].strip().split()
    if not after:
        return _refuse(ctx, "usage")
    typed, used = after[0], 1
    if len(after) > 1 and parse_number(after[1]) is None and after[1].lower() in (
            "rb", "ribu", "jt", "juta", "k", "m", "%"):
        typed, used = after[0] + after[1], 2
    stray = _stray_word(ctx, after[used:])
    if stray is not None and ":" in stray:  # platform:handle, not one of ours
        known = ", ".join(c.name for c in ctx.channels) or "–"
        return _refuse(ctx, "unknown_channel", name=stray, known=known)
    if stray is not None and _is_option(stray):  # "/alert er < 2% toleransi 2"
        return _refuse(ctx, "drop_only")
    if stray is not None:
        example = next((c.name for c in ctx.channels if not c.is_competitor), "instagram")
        return _refuse(ctx, "extra_words", word=fmt.excerpt(stray), example=example,
                       usage=_m("usage", lang))
    if channel is None:  # a channel named after the value that the parser did not read
        typed_after = {w.lower().strip(",.") for w in after[used:]}
        channel = next((c.name for c in ctx.channels if c.name.lower() in typed_after), None)
    percent = typed.endswith("%")
    value = parse_number(typed.rstrip("%"))
    if value is None:
        return _refuse(ctx, "bad_value", value=typed)
    if percent and metric.unit is not Unit.PERCENT:
        return _refuse(ctx, "percent_only", metric=metric.label(lang))
    rule = alert_rules.add_rule(
        ctx.store, ctx.workspace.id, kind="threshold", metric=metric.key, value=value,
        channel=channel, op=op, period="day", now=ctx.now,
        created_by=ctx.request.user_name or ctx.request.user_id, platform=platform,
            chat_id=chat_id)
    return _added(ctx, rule, _m("when_day", lang))


def _stray_word(ctx: Context, words: list[str], also: frozenset[str] = frozenset()
                ) -> str | None:
    """The first word after a threshold's value that names no channel (``bogus`` in
    ``/alert reach < 5 bogus``): never dropped in silence."""
    from kpi_engine.domain.model import PLATFORM_ALIASES

    known = set(_LINK_WORDS) | also
    for alias in PLATFORM_ALIASES:
        known.update(alias.split())
    for c in ctx.channels:
        known.update({c.name.lower(), c.platform.lower(), c.handle.lower(),
                      c.handle.lower().lstrip("@")})
    for word in words:
        if word.lower().strip(",.") not in known:
            return word
    return None


def rule_data(rule: Rule) -> dict[str, object]:
    """A rule in ``ask --json``; a drop rule with its options."""
    data: dict[str, object] = {"id": rule.id, "key": rule.key, "kind": rule.kind,
                               "metric": rule.metric, "channel": rule.channel, "op": rule.op,
                               "value": rule.value}
    if rule.kind == "drop":
        data.update(period=rule.period, periods=rule.periods, k=rule.k,
                    direction=rule.direction, min_volume=rule.min_volume)
    return data


def _added(ctx: Context, rule: Rule, when: str) -> Reply:
    reply = _say(ctx, "added", "alert_added", id=rule.id,
                 rule=describe(rule, ctx.lang, ctx.workspace.currency), when=when)
    reply.data = {k: v for k, v in rule_data(rule).items() if k != "key"}
    return reply


# -- a drop rule's options: /alert ubah N … ---------------------------------------------------

def _repeat(period: str) -> timedelta:
    return timedelta(days=1 if period == "day" else 7)


def _is_option(word: str) -> bool:
    key, eq, _ = word.lower().partition("=")
    return key in (do.K_WORDS | do.MIN_WORDS | do.PERIODS_WORDS | do.DIRECTION_WORDS
                   | do.SENSITIVITY_WORDS) and (bool(eq) or key != "k")  # "5 k" is 5000


def _option_error(ctx: Context, error: do.OptionError) -> Reply:
    word = fmt.excerpt(error.word)
    if error.code == "bad_k":
        return _refuse(ctx, "bad_k", word=word, lo=fmt.number(K_RANGE[0]),
                       hi=fmt.number(K_RANGE[1]), default=fmt.number(DEFAULT_K))
    if error.code == "bad_min":
        return _refuse(ctx, "bad_min", word=word, default=fmt.number(DEFAULT_MIN_VOLUME))
    if error.code == "bad_periods":
        return _refuse(ctx, "bad_periods", word=word, lo=PERIODS_RANGE[0],
                       hi=PERIODS_RANGE[1], default=DEFAULT_PERIODS)
    if error.code == "sensitivity":
        return _refuse(ctx, "sensitivity", word=word, default=fmt.number(DEFAULT_K))
    if error.code == "bad_drop":
        return _refuse(ctx, "bad_drop")
    return _refuse(ctx, error.code, word=word)  # bad_direction, twice, no_value


def _drop_extra(ctx: Context, stray: str) -> Reply:
    example = next((c.name for c in ctx.channels if not c.is_competitor), "instagram")
    return _refuse(ctx, "drop_extra", word=fmt.excerpt(stray), example=example)


def _option_value(rule: Rule, key: str, lang: str) -> str:
    if key == "value":
        return _pct(rule.value)
    if key == "direction":
        return _m(f"dir_{rule.direction}", lang)
    if key == "k":
        return fmt.number(rule.k)
    if key == "min_volume":
        return fmt.number(rule.min_volume)
    if key == "periods":
        return str(rule.periods)
    return _m(f"period_{rule.period}", lang)


def _edit(ctx: Context, args: list[str]) -> Reply:
    """``/alert ubah 3 toleransi 2 min 500``: a team drop rule's options, old → new."""
    if not args:
        return _refuse(ctx, "edit_usage")
    word = args[0].lstrip("#").lower()
    if word in DEFAULT_NAMES:
        return _refuse(ctx, "edit_default")
    if not (word.isascii() and word.isdigit()):
        return _refuse(ctx, "edit_usage")
    if not 1 <= int(word) <= MAX_RULE_ID:
        return _refuse(ctx, "bad_id", id=fmt.excerpt(word), max=fmt.number(MAX_RULE_ID))
    read = do.read(" ".join(args[1:]))
    if isinstance(read, do.OptionError):
        return _option_error(ctx, read)
    stray = do.leftover(do.words_of(" ".join(args[1:])), read.used)
    if stray:
        return _drop_extra(ctx, stray[0])
    changes = read.options
    if not changes:
        return _refuse(ctx, "edit_usage")
    rules, _ = alert_rules.list_rules(ctx.store, ctx.workspace.id)
    current = next((r for r in rules if r.id == int(word)), None)
    if current is None:
        return _refuse(ctx, "no_rule", id=word)
    if current.kind != "drop":
        return _refuse(ctx, "drop_only")
    if "period" in changes:
        changes["repeat_minutes"] = int(_repeat(str(changes["period"])).total_seconds() // 60)
    done = alert_rules.set_rule_options(ctx.store, ctx.workspace.id, current.id or 0,
                                        **changes)
    if done is None:  # removed in between
        return _refuse(ctx, "no_rule", id=word)
    before, after = done
    lang = ctx.lang
    parts = [f"{_m('o_' + ('pct' if key == 'value' else key), lang)} "
             f"{_option_value(before, key, lang)} → {_option_value(after, key, lang)}"
             for key in ("value", "direction", "k", "min_volume", "periods", "period")
             if key in changes and _option_value(before, key, lang)
             != _option_value(after, key, lang)]
    text = describe(after, lang, ctx.workspace.currency)
    if not parts:
        reply = _say(ctx, "unchanged", "alert_edited", id=after.id, rule=text)
    else:
        reply = _say(ctx, "edited", "alert_edited", id=after.id, changes=", ".join(parts),
                     rule=text)
    reply.data = {"id": after.id, "before": rule_data(before), "after": rule_data(after)}
    return reply


# -- /senyap ---------------------------------------------------------------------------------

def snooze_command(ctx: Context) -> Reply:
    """Snooze this chat's alerts for a while: they are deferred, not dropped."""
    rest = after_command(ctx.request.text).lower()
    usage = _m("snooze_usage", ctx.lang)
    req = ctx.request
    if rest in ("off", "mati", "batal", "stop", "selesai", "cancel", "end"):
        alert_rules.snooze_chat(ctx.store, ctx.workspace.id, req.platform, req.chat_id, None,
                                ctx.now)
        return _say(ctx, "snooze_off", "snooze")
    if not rest:
        until = alert_rules.snoozed_until(ctx.store, req.platform, req.chat_id, ctx.now)
        if until is None:
            return _say(ctx, "snooze_none", "snooze", usage=usage)
        return _say(ctx, "snoozed", "snooze", until=_local(ctx, until))
    match = _DURATION_RE.match(rest.strip())
    unit = _UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        return _refuse(ctx, "snooze_usage")
    amount = parse_number(match.group(1)) or 0.0
    if amount <= 0:
        return _refuse(ctx, "snooze_usage")
    # compared before building the span: 99999999999 hours is beyond ``timedelta``
    if amount > MAX_SNOOZE / timedelta(**{unit: 1}):
        return _refuse(ctx, "snooze_max")
    span = timedelta(**{unit: amount})
    if span < MIN_SNOOZE:
        return _refuse(ctx, "snooze_max")
    until = ctx.now + span
    alert_rules.snooze_chat(ctx.store, ctx.workspace.id, req.platform, req.chat_id, until,
                            ctx.now)
    reply = _say(ctx, "snooze_set", "snooze", until=_local(ctx, until))
    reply.data = {"until": until.isoformat()}
    return reply


def register_alerts(router: Router) -> None:
    """Register /alert and /senyap (/langganan and /berhenti: ``bot.digest_commands``)."""
    V, E = Role.VIEWER, Role.EDITOR
    router.register(Command(names.ALERT, V, alert_command,
                            "aturan alert: /alert er < 2%, /alert reach turun 30% harian "
                            "toleransi 2 min 1000, /alert ubah 3 arah naik, /alert hapus 3",
                            "alert rules: /alert er < 2%, /alert reach drop 30% daily "
                            "tolerance 2 min 1000, /alert edit 3 direction rise, "
                            "/alert remove 3"))
    router.register(Command(names.SNOOZE, E, snooze_command,
                            "tunda alert di chat ini: /senyap 2 jam",
                            "defer alerts in this chat: /snooze 2 hours"))
