"""/sumber (/sources), for admins: each data source of the workspace with its last and next
sync, the rows written, the token's expiry and the last error in plain words;
``/sumber sync`` asks for a sync of every source now (the scheduler of ``kpibot serve`` runs
it within a minute; ``kpibot source sync`` runs it at once)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import command_names as names
from bot.alert_commands import after_command
from bot.i18n import translate
from bot.reply import Reply
from bot.router import Command, Context, Router
from kpi_engine.domain.model import Role
from kpi_engine.domain.sources import SourceRecord
from kpi_engine.services.sources import SourceService

SOURCE_MESSAGES: dict[str, tuple[str, str]] = {
    "src_title": ("Sumber data", "Data sources"),
    "src_none": ("Belum ada sumber data. Admin server menambahkannya dengan `kpibot source add "
                 "instagram --workspace {ws} --account ID --token TOKEN` (docs/sources.md).",
                 "No data source yet. The server's admin adds one with `kpibot source add "
                 "instagram --workspace {ws} --account ID --token TOKEN` (docs/sources.md)."),
    "src_line": ("#{id} {channel} ({platform}, akun {account})",
                 "#{id} {channel} ({platform}, account {account})"),
    "src_last": ("  sinkron terakhir: {when}, {rows} baris ditulis",
                 "  last sync: {when}, {rows} rows written"),
    "src_never": ("  belum pernah sinkron", "  never synced yet"),
    "src_next": ("  sinkron berikutnya: {when}", "  next sync: {when}"),
    "src_expires": ("  token berlaku sampai {when}", "  token valid until {when}"),
    "src_error": ("  galat terakhir: {what}", "  last error: {what}"),
    "src_sync": ("Sinkron {count} sumber data dijadwalkan sekarang; `kpibot serve` "
                 "menjalankannya dalam satu menit. Lihat hasilnya dengan /sumber.",
                 "A sync of {count} data source(s) is scheduled now; `kpibot serve` runs it "
                 "within a minute. See the result with /sources."),
    "src_usage": ("Pakai /sumber untuk daftar, /sumber sync untuk sinkron sekarang.",
                  "Use /sources for the list, /sources sync to sync now."),
    # the last error, in plain words
    "err_auth_expired": ("token kedaluwarsa atau dicabut; hubungkan ulang sumbernya",
                         "the token expired or was revoked; reconnect the source"),
    "err_permission": ("izin kurang pada token/aplikasi", "a permission is missing"),
    "err_rate_limited": ("dibatasi platform (rate limit); dilanjutkan otomatis",
                         "rate-limited by the platform; resumes by itself"),
    "err_quota": ("kuota harian habis; dilanjutkan malam ini",
                  "daily quota used up; resumes tonight"),
    "err_server": ("server platform bermasalah; dicoba lagi dalam satu jam",
                   "the platform's server failed; tried again within an hour"),
    "err_bad_request": ("platform menolak permintaan (ID akun?)",
                        "the platform refused the request (account id?)"),
    "err_invalid": ("data dari platform ditolak pemeriksaan impor",
                    "the platform's data failed the import checks"),
    "err_crash": ("sinkron terhenti di tengah; dilanjutkan dari hari terakhir yang tersimpan",
                  "the sync stopped midway; it resumes from the last day saved"),
    "err_no_connector": ("konektor platform ini belum tersedia",
                         "there is no connector for this platform yet"),
    "err_clash": ("tidak disinkron: sumber lain sudah mengisi metrik yang sama di kanal ini; "
                  "hapus salah satu atau tambahkan lagi dengan --channel lain",
                  "not synced: another source already fills the same metrics on this "
                  "channel; remove one, or add it again with another --channel"),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(SOURCE_MESSAGES, key, lang, **params)


def _when(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def source_lines(rec: SourceRecord, lang: str, timezone: str) -> list[str]:
    """What /sumber says of one source."""
    lines = [_m("src_line", lang, id=rec.id, channel=rec.channel, platform=rec.platform,
                account=rec.account_id)]
    if rec.last_sync_at is None:
        lines.append(_m("src_never", lang))
    else:
        lines.append(_m("src_last", lang, when=_when(rec.last_sync_at, timezone),
                        rows=f"{rec.last_rows:,}".replace(",", "." if lang == "id" else ",")))
    if rec.next_sync_at is not None:
        lines.append(_m("src_next", lang, when=_when(rec.next_sync_at, timezone)))
    if rec.expires_at is not None:
        lines.append(_m("src_expires", lang, when=_when(rec.expires_at, timezone)))
    if rec.last_error_kind:
        key = f"err_{rec.last_error_kind}"
        what = _m(key, lang) if key in SOURCE_MESSAGES else rec.last_error_kind
        if rec.last_error and rec.last_error_kind not in ("crash",):
            what = f"{what} ({rec.last_error})"
        lines.append(_m("src_error", lang, what=what))
    return lines


def register_sources(router: Router, service: SourceService) -> None:
    """Register /sumber (/sources), admins only."""

    def sources(ctx: Context) -> Reply:
        lang, ws = ctx.lang, ctx.workspace
        words = after_command(ctx.request.text).lower().split()
        found = service.all(ws.id)
        if not found and (not words or words[0] in ("sync", "sinkron", "sinkronkan")):
            return Reply(body=[_m("src_none", lang, ws=ws.slug)], intent="sources", lang=lang,
                         data={"sources": []})
        if words and words[0] in ("sync", "sinkron", "sinkronkan"):
            for rec in found:
                service.sources.set_next(rec.id, ctx.now)
            return Reply(body=[_m("src_sync", lang, count=len(found))], intent="sources",
                         lang=lang, data={"scheduled": [r.id for r in found]})
        if words:
            return Reply(body=[_m("src_usage", lang)], intent="error", error="sources_usage",
                         lang=lang, ephemeral=True)
        body: list[str] = []
        for rec in found:
            body += source_lines(rec, lang, ws.timezone)
        return Reply(title=_m("src_title", lang), body=body, intent="sources", lang=lang,
                     data={"sources": [{"id": r.id, "platform": r.platform,
                                        "channel": r.channel, "last_rows": r.last_rows,
                                        "last_error_kind": r.last_error_kind}
                                       for r in found]})

    router.register(Command(names.SOURCES, Role.ADMIN, sources,
                            "sumber data (admin): /sumber, /sumber sync",
                            "data sources (admins): /sources, /sources sync"))
