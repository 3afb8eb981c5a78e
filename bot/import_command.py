"""``/impor`` (``/import``): a CSV or XLSX sent in chat becomes snapshots, all rows or none.

The adapter puts the file in ``Request.attachment`` (and its name in ``attachment_name``);
a file the adapter refused to download because it is too large arrives with only
``attachment_size``. The import itself is the CLI's: ``kpi_engine.services.ingest.import_bytes``.
"""

from __future__ import annotations

from bot import command_names as names
from bot.i18n import translate
from bot.reply import Reply
from bot.router import Command, Context, Router
from kpi_engine.domain.model import Role
from kpi_engine.services.importer import ImportFileError
from kpi_engine.services.ingest import CHAT_MAX_BYTES, import_bytes

MESSAGES: dict[str, tuple[str, str]] = {
    "import_usage": (
        "Kirim file CSV atau Excel (.xlsx) dengan keterangan /impor. Kolom: date, channel, "
        "metric, value (format panjang) atau date, channel lalu satu kolom per metrik (format "
        "lebar). Maksimum {limit} MB.",
        "Send a CSV or Excel (.xlsx) file with the caption /import. Columns: date, channel, "
        "metric, value (long format) or date, channel and one column per metric (wide format). "
        "At most {limit} MB."),
    "import_ok": ("{written} baris ditulis ({inserted} baru, {replaced} menggantikan nilai "
                  "lama) ke workspace {workspace}.",
                  "{written} rows written ({inserted} new, {replaced} replaced) into "
                  "workspace {workspace}."),
    "import_failed": ("Impor {name} gagal.", "Import of {name} failed."),
}


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(MESSAGES, key, lang, **params)


def _failed(name: str, error: ImportFileError, lang: str) -> Reply:
    return Reply(title=_msg("import_failed", lang, name=name), body=[error.message(lang)],
                 intent="error", error="import_failed", lang=lang,
                 data={"import_error": error.code, "line": error.line, "column": error.column})


def import_file(ctx: Context) -> Reply:
    """Import the attached CSV/XLSX into this workspace (editors)."""
    req, lang = ctx.request, ctx.lang
    name = req.attachment_name or "file"
    limit_mb = CHAT_MAX_BYTES // 2**20
    if req.attachment is None:
        size = req.attachment_size
        if size is not None and size > CHAT_MAX_BYTES:
            too_large = ImportFileError("too_large", size=_mb(size), limit=limit_mb)
            return _failed(name, too_large, lang)
        return Reply(body=[_msg("import_usage", lang, limit=limit_mb)], intent="error",
                     error="import_usage", lang=lang, ephemeral=True)
    try:
        done = import_bytes(ctx.store, ctx.workspace.id, req.attachment, name,
                            today=ctx.today, max_bytes=CHAT_MAX_BYTES)
    except ImportFileError as exc:
        return _failed(name, exc, lang)
    r = done.result
    return Reply(body=[_msg("import_ok", lang, written=r.written, inserted=r.inserted,
                            replaced=r.replaced, workspace=ctx.workspace.name)],
                 intent="import", lang=lang,
                 data={"written": r.written, "inserted": r.inserted, "replaced": r.replaced,
                       "shape": done.shape, "lines": done.lines, "file": name})


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f}".removesuffix(".0")  # as the importer writes it


def register_import(router: Router) -> None:
    """``/impor`` (``/import``): editors import a CSV/XLSX sent with the command."""
    router.register(Command(names.IMPORT, Role.EDITOR, import_file,
                            "impor file CSV/XLSX yang dikirim dengan perintah ini",
                            "import the CSV/XLSX file sent with this command"))
