"""Every sentence the bot says, in Indonesian (default) and English."""

from __future__ import annotations

from typing import Any, Protocol

from bot.reply import Reply

MESSAGES: dict[str, tuple[str, str]] = {
    "all_channels": ("semua kanal sendiri", "all own channels"),
    "no_data": ("Belum ada data untuk periode ini.", "No data for this period yet."),
    "no_data_short": ("belum ada data", "no data yet"),
    "vs": ("dibanding {period}", "vs {period}"),
    "prev_none": ("Periode sebelumnya ({period}) belum ada data.",
                  "No data for the previous period ({period})."),
    "stale": ("Nilai terakhir tercatat {day}.", "Last value recorded {day}."),
    "points": ("poin", "pts"),
    "campaign": ("kampanye {name}", "campaign {name}"),
    "summary_title": ("Ringkasan KPI · {scope} · {period}", "KPI summary · {scope} · {period}"),
    "compare_title": ("{metric} per kanal · {period}", "{metric} by channel · {period}"),
    "total_own": ("Total kanal sendiri", "Total own channels"),
    "competitor_tag": ("pesaing", "competitor"),
    "share": ("{pct} dari total", "{pct} of total"),
    # errors
    "empty": ("Pesannya kosong. Coba: /kpi reach minggu ini, atau ketik /bantuan.",
              "The message is empty. Try: /kpi reach this week, or type /help."),
    "unknown_command": ("Perintah /{word} tidak dikenal. Ketik /bantuan untuk daftar perintah.",
                        "Unknown command /{word}. Type /help for the list of commands."),
    "not_understood": (
        "Maaf, saya belum paham. Contoh: \"berapa reach instagram minggu ini?\" atau "
        "/kpi engagement bulan lalu. Ketik /bantuan untuk semua perintah.",
        "Sorry, I didn't get that. Example: \"how much reach on instagram this week?\" or "
        "/kpi engagement last month. Type /help for every command."),
    "unknown_metric": ("Metrik \"{word}\" tidak dikenal. Maksud Anda: {suggestion}?",
                       "Unknown metric \"{word}\". Did you mean: {suggestion}?"),
    "unknown_metric_yes": ("Metrik \"{word}\" tidak dikenal. Maksud Anda: {suggestion}? "
                           "Balas \"ya\" untuk memakai itu.",
                           "Unknown metric \"{word}\". Did you mean: {suggestion}? "
                           "Reply \"yes\" to use it."),
    "unknown_metric_nosuggest": (
        "Metrik \"{word}\" tidak dikenal. Contoh metrik: reach, engagement, followers, ctr.",
        "Unknown metric \"{word}\". Metrics include: reach, engagement, followers, ctr."),
    "unknown_channel": ("Kanal \"{name}\" tidak ada di workspace ini. Kanal yang ada: {known}.",
                        "There is no channel \"{name}\" in this workspace. Channels: {known}."),
    "no_channels": ("belum ada", "none yet"),
    "period_future": ("Periode \"{text}\" belum terjadi. Coba: minggu ini, bulan lalu, "
                      "30 hari terakhir.",
                      "The period \"{text}\" hasn't happened yet. Try: this week, last month, "
                      "last 30 days."),
    "period_invalid": ("Periode \"{text}\" tidak saya kenali. Coba: minggu ini, bulan lalu, "
                       "Oktober 2026, 1-15 Nov.",
                       "I don't recognise the period \"{text}\". Try: this week, last month, "
                       "October 2026, 1-15 Nov."),
    "compare_needs_metric": ("Sebutkan metriknya, misalnya: /bandingkan reach bulan ini",
                             "Name the metric, for example: /compare reach this month"),
    "not_linked": (
        "Chat ini belum terhubung ke workspace mana pun. Minta admin tim Anda membuat kode "
        "undangan, lalu kirim /start KODE di sini (atau hubungkan lewat CLI: kpibot link).",
        "This chat is not linked to any workspace yet. Ask your team admin for an invite "
        "code, then send /start CODE here (or link it with the CLI: kpibot link)."),
    "no_permission": ("Perintah ini butuh peran {role}. Peran Anda: {current}. "
                      "Minta admin workspace untuk mengubahnya.",
                      "This command needs the {role} role. Your role: {current}. "
                      "Ask a workspace admin to change it."),
    "not_available": ("Perintah /{word} belum tersedia di versi ini. Ketik /bantuan untuk "
                      "perintah yang ada.",
                      "The /{word} command is not available in this version yet. Type /help "
                      "for the commands that are."),
    "internal_error": ("Maaf, terjadi kesalahan di sisi kami. Tim sudah dicatat; coba lagi "
                       "sebentar lagi.",
                       "Sorry, something went wrong on our side. It has been logged; please "
                       "try again shortly."),
    "database_busy": ("Database sedang sibuk (mis. ada impor besar yang sedang berjalan), "
                      "coba lagi sebentar. Permintaan ini belum mengubah apa pun.",
                      "The database is busy (e.g. a large import is running); try again in a "
                      "moment. This request has not changed anything."),
    "no_workspace": ("Workspace \"{name}\" tidak ada. Buat dengan: kpibot demo, atau kpibot "
                     "import FILE --workspace {name}.",
                     "There is no workspace \"{name}\". Create one with: kpibot demo, or "
                     "kpibot import FILE --workspace {name}."),
    # small talk, clarifications and "ya"
    "talk_thanks": ("Sama-sama! Kalau perlu angka lagi, tanya saja, misalnya: "
                    "\"reach ig bulan lalu\".",
                    "You're welcome! Ask again any time, e.g. \"instagram reach last month\"."),
    "talk_greeting": ("Halo! Saya KPI Bot. Tanyakan KPI tim Anda, misalnya: "
                      "\"berapa reach instagram minggu ini?\". Ketik /bantuan untuk semua "
                      "perintah.",
                      "Hello! I'm KPI Bot. Ask me about your team's KPIs, e.g. \"how much "
                      "reach on instagram this week?\". Type /help for every command."),
    "talk_about": ("Saya KPI Bot: saya menjawab angka KPI media sosial tim Anda dari data "
                   "workspace ini. Coba: \"engagement tiktok bulan lalu\".",
                   "I'm KPI Bot: I answer your team's social-media KPI numbers from this "
                   "workspace's data. Try: \"tiktok engagement last month\"."),
    "confirm_nothing": ("Tidak ada saran yang menunggu jawaban. Tanyakan saja, misalnya: "
                        "\"reach ig minggu ini\".",
                        "There is no suggestion waiting for an answer. Just ask, e.g. "
                        "\"instagram reach this week\"."),
    "unclear": ("Saya belum paham \"{word}\". Maksud Anda: {suggestion}? Balas \"ya\" "
                "untuk memakai itu.",
                "I didn't understand \"{word}\". Did you mean: {suggestion}? Reply \"yes\" "
                "to use it."),
    "unclear_period": ("Saya belum paham periode \"{word}\". Coba: minggu ini, bulan lalu, "
                       "7 hari terakhir, Oktober 2026.",
                       "I didn't understand the period \"{word}\". Try: this week, last "
                       "month, last 7 days, October 2026."),
    "same_thing": ("{scope} mencatat {metric}, bukan {asked}: ini jumlah {metric}-nya.",
                   "{scope} records {metric}, not {asked}: these are its {metric}."),
    "unclear_word": ("Saya belum paham \"{word}\". Yang bisa ditulis: metrik, kanal, "
                     "kampanye dan periode, misalnya \"/kpi reach instagram bulan lalu\".",
                     "I didn't understand \"{word}\". You can write a metric, a channel, a "
                     "campaign and a period, for example \"/kpi reach instagram last "
                     "month\"."),
    "unclear_number": ("Angka \"{word}\" tidak saya pahami di sini. Untuk periode, tulis "
                       "misalnya: tahun 2025, Oktober 2026, 7 hari terakhir, 1-15 Nov.",
                       "I didn't understand the number \"{word}\" here. For a period, write "
                       "for example: year 2025, October 2026, last 7 days, 1-15 Nov."),
    "unclear_channel": ("Saya belum paham \"{word}\": kanal itu tidak ada. Kanal yang ada: "
                        "{known}.",
                        "I didn't understand \"{word}\": there is no such channel. "
                        "Channels: {known}."),
    "unclear_campaign": ("Kampanye \"{word}\" tidak ada. Kampanye yang ada: {known}.",
                         "There is no campaign \"{word}\". Campaigns: {known}."),
    "unclear_metric": ("Saya belum paham \"{word}\". Contoh pertanyaan: \"berapa reach ig "
                       "bulan lalu?\"; metrik: reach, engagement, followers, ctr.",
                       "I didn't understand \"{word}\". Example: \"instagram reach last "
                       "month\"; metrics: reach, engagement, followers, ctr."),
    "no_campaigns": ("belum ada", "none yet"),
    # /catat
    "record_usage": ("Format: /catat kanal metrik nilai [tanggal]. Contoh: "
                     "/catat linkedin followers 1.250 kemarin",
                     "Usage: /record channel metric value [day]. Example: "
                     "/record linkedin followers 1250 yesterday"),
    "record_bad_value": ("Nilai \"{value}\" bukan angka yang valid. Tulis angkanya saja, tanpa "
                         "kurung atau tanda kutip. Contoh: 1.250, 3,5, 12rb, 1,2jt.",
                         "\"{value}\" is not a valid number. Write the number alone, without "
                         "brackets or quotes. Examples: 1250, 3.5, 12k, 1.2m."),
    # negative, too large, fractional counts, future days: kpi_engine.domain.validation's sentences
    "record_derived": ("{metric} dihitung otomatis dari {parts}; catat komponennya.",
                       "{metric} is computed from {parts}; record those instead."),
    "record_not_day": ("Pilih satu hari untuk dicatat (misalnya: kemarin, 2026-11-20).",
                       "Pick one day to record (for example: yesterday, 2026-11-20)."),
    "record_new_channel": ("Kanal \"{name}\" belum ada. Kanal yang dikenal: {known}. "
                           "Platform baru: instagram, tiktok, youtube, facebook, x, linkedin, "
                           "website.",
                           "There is no channel \"{name}\". Known: {known}. New platforms: "
                           "instagram, tiktok, youtube, facebook, x, linkedin, website."),
    "record_needs_channel": ("Sebutkan kanalnya. {usage}", "Name the channel. {usage}"),
    "record_ok": ("Tercatat: {metric} {channel} {day} = {value}.",
                  "Recorded: {metric} {channel} {day} = {value}."),
    "record_replaced": ("Tercatat: {metric} {channel} {day} = {value} (menggantikan {old}).",
                        "Recorded: {metric} {channel} {day} = {value} (replacing {old})."),
}


#: Parameters that may carry what the user typed: echoed as a short excerpt, never whole
#: (20,000 characters in must not make a 20,000-character reply).
ECHOED = frozenset({"word", "value", "text", "name", "code", "channel", "id", "user", "what",
                    "old", "new", "campaign", "typed", "metric", "workspace"})


def translate(table: dict[str, tuple[str, str]], key: str, lang: str = "id",
              **params: Any) -> str:
    """The message ``key`` of ``table`` in ``lang`` with ``params`` filled in. Feature modules
    keep their own tables (``GOAL_MESSAGES``…) and call this."""
    from bot.formatting import excerpt

    for name in ECHOED.intersection(params):
        if isinstance(params[name], str):
            params[name] = excerpt(params[name])
    return table[key][1 if lang == "en" else 0].format(**params)


class _HasLang(Protocol):
    lang: str


class Phrasebook:
    """A feature module's message table and the three ways its commands use it: a text, an
    answer, a refusal (an ephemeral error reply whose ``error`` is the message key)."""

    def __init__(self, table: dict[str, tuple[str, str]]) -> None:
        self.table = table

    def text(self, key: str, lang: str, **params: Any) -> str:
        return translate(self.table, key, lang, **params)

    def say(self, ctx: _HasLang, key: str, intent: str, **params: Any) -> Reply:
        return Reply(body=[self.text(key, ctx.lang, **params)], intent=intent, lang=ctx.lang)

    def refuse(self, ctx: _HasLang, key: str, **params: Any) -> Reply:
        return Reply(body=[self.text(key, ctx.lang, **params)], intent="error", error=key,
                     lang=ctx.lang, ephemeral=True)


def t(key: str, lang: str = "id", **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    return translate(MESSAGES, key, lang, **params)
