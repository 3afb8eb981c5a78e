"""The HTTP API, versioned under ``/api/v1``, on the one HTTP server of ``kpibot serve``.

- ``POST /api/v1/snapshots``: a JSON batch of snapshot rows (the import file's fields),
  all-or-nothing and idempotent; 422 lists every invalid row with its reason.
- ``POST /api/v1/imports``: a CSV/XLSX upload (multipart field ``file``) through the importer.
- ``GET /api/v1/kpi?metric=&channel=&period=``: the router's answer to ``/kpi …``, the same
  JSON as ``kpibot ask --json``.
- ``GET /api/v1/openapi.json`` (no token), plus ``/readyz`` and ``/metrics``.

Every ``/api/v1`` call but the schema carries ``Authorization: Bearer <token>`` (``kpibot token
create``). A missing or wrong token is a 401; a token reaches its own workspace only, and
naming another one (``?workspace=``) is a 404, exactly as for a workspace that does not exist.
Replies (``message``, row reasons) are in the workspace's language, or ``?lang=id|en``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from adapters.http.api_rows import MAX_ROWS, read_batch
from adapters.http.observability import log_request, metrics, metrics_view
from bot.bootstrap import App
from bot.i18n import translate
from bot.reply import Request
from kpi_engine.domain.model import SnapshotRow, Workspace, WriteResult
from kpi_engine.domain.validation import local_today
from kpi_engine.services import health
from kpi_engine.services.tokens import ApiToken, authenticate

if TYPE_CHECKING:
    from adapters.chat.platform import Platform

log = logging.getLogger(__name__)

API = "/api/v1"
#: ``now`` may move the clock, within reason (far years overflow the period arithmetic).
NOW_YEARS = (2000, 2100)
IMPORT_MAX_BYTES = 20 * 1024 * 1024
PARAM_MAX_CHARS = 100
#: The router serves platform "api" as a viewer of the workspace the token reaches.
API_PLATFORM = "api"

MESSAGES: dict[str, tuple[str, str]] = {
    "unauthorized": (
        "Token API tidak ada atau tidak valid. Kirim header 'Authorization: Bearer <token>'; "
        "buat token dengan `kpibot token create --workspace W`.",
        "The API token is missing or not valid. Send the header 'Authorization: Bearer "
        "<token>'; create a token with `kpibot token create --workspace W`."),
    "not_found": ("Workspace '{name}' tidak ditemukan.", "Workspace '{name}' not found."),
    "bad_json": ("Isi permintaan bukan JSON yang valid ({detail}).",
                 "The request body is not valid JSON ({detail})."),
    "bad_batch": ("Kirim array baris JSON, atau objek {{\"rows\": [...]}}.",
                  "Send a JSON array of rows, or an object {{\"rows\": [...]}}."),
    "empty_batch": ("Tidak ada baris untuk ditulis.", "There are no rows to write."),
    "too_many_rows": (
        "Terlalu banyak baris ({count}); maksimum {limit} per permintaan. Bagi menjadi "
        "beberapa permintaan.",
        "Too many rows ({count}); at most {limit} per request. Split them into several "
        "requests."),
    "invalid_rows": ("{count} baris tidak valid; tidak ada data yang disimpan.",
                     "{count} row(s) are not valid; nothing was saved."),
    "no_file": ("Kirim file CSV atau XLSX sebagai bagian multipart bernama 'file'.",
                "Send a CSV or XLSX file as the multipart part named 'file'."),
    "bad_param": ("Parameter '{name}' tidak valid: {hint}.",
                  "The parameter '{name}' is not valid: {hint}."),
    "hint_long": ("maksimum {limit} karakter", "at most {limit} characters"),
    "hint_now": ("gunakan ISO-8601, mis. 2026-11-22T10:00:00+07:00",
                 "use ISO-8601, e.g. 2026-11-22T10:00:00+07:00"),
    "hint_lang": ("gunakan id atau en", "use id or en"),
    "hint_now_range": ("tahun {low}–{high}", "a year from {low} to {high}"),
    "too_large": ("Isi permintaan terlalu besar; maksimum {limit} MB. Bagi menjadi beberapa "
                  "permintaan.",
                  "The request body is too large; at most {limit} MB. Split it into several "
                  "requests."),
    "too_deep": ("JSON terlalu dalam bersarang. Kirim array baris datar: "
                 "[{{\"date\": …, \"channel\": …, \"metric\": …, \"value\": …}}].",
                 "The JSON is nested too deeply. Send a flat array of rows: "
                 "[{{\"date\": …, \"channel\": …, \"metric\": …, \"value\": …}}]."),
}


class ApiError(Exception):
    """An API refusal: HTTP status, stable error code and the JSON body's extra fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> web.Response:
        body = {"error": self.code, "message": self.message, **self.extra}
        headers = {"WWW-Authenticate": 'Bearer realm="kpibot"'} if self.status == 401 else None
        return web.json_response(body, status=self.status, headers=headers, dumps=_dumps)


@dataclass
class Readiness:
    """What ``/readyz`` checks besides the database: the platforms, once ``serve`` started them.

    A platform may expose ``connected`` (bool); when it does, it must be true.
    """

    platforms: list[Platform] = field(default_factory=list)
    started: bool = False
    #: the failing background jobs (``bot.runtime.supervision.Health.checks``), set by ``serve``
    jobs: Callable[[], dict[str, str]] | None = None


APP_KEY = web.AppKey("kpibot_app", App)
READINESS_KEY = web.AppKey("kpibot_readiness", Readiness)
_dumps = functools.partial(json.dumps, ensure_ascii=False)
_SQLITE_WRITER = threading.Lock()
_NO_LOCK = contextlib.nullcontext()
_GC_LOCK = threading.Lock()
_gc_pauses = 0


def setup_api(web_app: web.Application, app: App, platforms: list[Platform]) -> Readiness:
    """Add ``/api/v1``, ``/readyz`` and ``/metrics`` to the web app; returns its readiness."""
    readiness = Readiness(list(platforms))
    web_app[APP_KEY] = app
    web_app[READINESS_KEY] = readiness
    web_app.router.add_post(f"{API}/snapshots", snapshots_view)
    web_app.router.add_post(f"{API}/imports", imports_view)
    web_app.router.add_post(f"{API}/posts", posts_view)
    web_app.router.add_post(f"{API}/segments", segments_view)
    web_app.router.add_get(f"{API}/kpi", kpi_view)
    web_app.router.add_get(f"{API}/openapi.json", openapi_view)
    web_app.router.add_get("/readyz", readyz)
    web_app.router.add_get("/metrics", metrics_view)
    return readiness


# --------------------------------------------------------------------------- plumbing


@dataclass
class Call:
    """One authenticated API call: the token, its workspace, the reply language."""

    app: App
    token: ApiToken
    workspace: Workspace
    lang: str
    log: dict[str, Any] = field(default_factory=dict)  # extra fields of the log line

    def text(self, key: str, **params: Any) -> str:
        return translate(MESSAGES, key, self.lang, **params)


View = Callable[[web.Request, Call], Awaitable[web.Response]]


def endpoint(command: str) -> Callable[[View], Callable[[web.Request], Awaitable[web.Response]]]:
    """Authenticate, turn ``ApiError`` into its JSON response, count and log the call."""

    def wrap(view: View) -> Callable[[web.Request], Awaitable[web.Response]]:
        @functools.wraps(view)
        async def handler(request: web.Request) -> web.Response:
            started = time.perf_counter()
            call: Call | None = None
            try:
                call = await _authorize(request)
                response = await view(request, call)
            except ApiError as exc:
                response = exc.response()
            except web.HTTPRequestEntityTooLarge:  # over the server's body limit
                lang = call.lang if call else request.app[APP_KEY].settings.language
                response = ApiError(413, "too_large", translate(
                    MESSAGES, "too_large", lang, limit=IMPORT_MAX_BYTES >> 20)).response()
            except Exception:  # logged with its trace; the client gets no trace
                log.exception("API %s failed", command)
                response = ApiError(500, "internal_error", "internal error").response()
            seconds = time.perf_counter() - started
            metrics().answered(API_PLATFORM, command, seconds)
            log_request(API_PLATFORM, call.workspace.slug if call else "", command, seconds,
                        status=response.status, **(call.log if call else {}))
            return response

        return handler

    return wrap


async def _authorize(request: web.Request) -> Call:
    app = request.app[APP_KEY]
    default_lang = _lang(request.query.get("lang")) or app.settings.language
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthorized", translate(MESSAGES, "unauthorized", default_lang))
    found = await asyncio.to_thread(_lookup, app, secret)
    if found is None:
        raise ApiError(401, "unauthorized", translate(MESSAGES, "unauthorized", default_lang))
    token, ws = found
    lang = _lang(request.query.get("lang")) or ws.language
    wanted = request.query.get("workspace")
    if wanted is not None and wanted != ws.slug:
        # the same answer as for a workspace that does not exist: no existence is revealed
        raise ApiError(404, "not_found", translate(MESSAGES, "not_found", lang,
                                                   name=wanted[:PARAM_MAX_CHARS]))
    return Call(app, token, ws, lang)


def _lookup(app: App, secret: str) -> tuple[ApiToken, Workspace] | None:
    return authenticate(app.store, secret)


def _lang(value: str | None) -> str | None:
    return value if value in ("id", "en") else None


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


# --------------------------------------------------------------------------- endpoints


@endpoint("snapshots")
async def snapshots_view(request: web.Request, call: Call) -> web.Response:
    """A JSON batch of snapshots: all rows written, or none and every problem listed."""
    body = await request.read()
    return await asyncio.to_thread(_paused_gc, _write_batch, call, body)


def _paused_gc(fn: Callable[..., web.Response], *args: Any) -> web.Response:
    """Run ``fn`` without cyclic garbage collection: a batch makes tens of thousands of
    dicts and rows (no cycles), and the collector would rescan the whole process heap again
    and again (it doubles the time). Concurrent batches share one pause."""
    global _gc_pauses
    with _GC_LOCK:
        _gc_pauses += 1
        gc.disable()
    try:
        return fn(*args)
    finally:
        with _GC_LOCK:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.enable()


def _write_batch(call: Call, body: bytes) -> web.Response:
    items = _items(call, body)
    batch = read_batch(items, today=_today(call))
    if batch.problems:
        invalid = len({p.index for p in batch.problems})
        metrics().api_rows.labels("rejected").inc(len(items))
        call.log["invalid_rows"] = invalid
        raise ApiError(422, "invalid_rows", call.text("invalid_rows", count=invalid),
                       invalid_rows=invalid, written=0,
                       errors=[p.as_json(call.lang) for p in batch.problems])
    result = _write(call, batch.rows)
    metrics().api_rows.labels("inserted").inc(result.inserted)
    metrics().api_rows.labels("replaced").inc(result.replaced)
    call.log.update(written=result.written, replaced=result.replaced)
    return _json({"workspace": call.workspace.slug, "rows": len(items),
                  "written": result.written, "inserted": result.inserted,
                  "replaced": result.replaced})


def _write(call: Call, rows: list[SnapshotRow]) -> WriteResult:
    """Write in one transaction (new channels and campaigns are created race-free)."""
    store = call.app.store
    if store.dialect != "sqlite":
        return store.write_snapshots(call.workspace.id, rows)
    with _SQLITE_WRITER:  # one writer at a time, handed over at once (SQLite's busy wait sleeps)
        return store.write_snapshots(call.workspace.id, rows)


@endpoint("posts")
async def posts_view(request: web.Request, call: Call) -> web.Response:
    """A JSON batch of post rows (SPEC §11): all written, or none and the first problem."""
    body = await request.read()
    return await asyncio.to_thread(_write_content, call, body, "posts")


@endpoint("segments")
async def segments_view(request: web.Request, call: Call) -> web.Response:
    """A JSON batch of audience buckets: all written, or none and the first problem."""
    body = await request.read()
    return await asyncio.to_thread(_write_content, call, body, "segments")


def _write_content(call: Call, body: bytes, kind: str) -> web.Response:
    from adapters.http.api_content import ContentBatchError, read_content
    from kpi_engine.services.ingest import write_content

    items = _items(call, body)
    try:
        parsed = read_content(items, kind, lang=call.lang, today=_today(call),
                              timezone=call.workspace.timezone)
    except ContentBatchError as exc:
        call.log["invalid_rows"] = 1
        raise ApiError(422, "invalid_rows", exc.text, invalid_rows=1, written=0,
                       errors=[exc.as_json()]) from None
    with _SQLITE_WRITER if call.app.store.dialect == "sqlite" else _NO_LOCK:
        result = write_content(call.app.store, call.workspace.id, call.workspace.timezone,
                               parsed.posts, parsed.post_metrics, parsed.segments)
    call.log.update(written=result.written, replaced=result.replaced)
    return _json({"workspace": call.workspace.slug, "rows": len(items),
                  "posts": len(parsed.posts), "written": result.written,
                  "inserted": result.inserted, "replaced": result.replaced})


def _items(call: Call, body: bytes) -> list[Any]:
    """The rows of a JSON batch (an array, or ``{"rows": [...]}``), or the API's 4xx."""
    try:
        payload = json.loads(body)
    except RecursionError:  # nested thousands deep: a batch is an array of flat rows
        raise ApiError(400, "too_deep", call.text("too_deep")) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_json", call.text("bad_json", detail=str(exc)[:120])) from None
    items = payload.get("rows") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise ApiError(400, "bad_batch", call.text("bad_batch"))
    if not items:
        raise ApiError(400, "empty_batch", call.text("empty_batch"))
    if len(items) > MAX_ROWS:
        raise ApiError(413, "too_many_rows", call.text("too_many_rows", count=len(items),
                                                      limit=MAX_ROWS))
    call.log["rows"] = len(items)
    return items


@endpoint("imports")
async def imports_view(request: web.Request, call: Call) -> web.Response:
    """A CSV/XLSX file (multipart part ``file``) through the same importer as ``/impor``."""
    from kpi_engine.services.importer import ImportFileError

    upload = await _read_upload(request, call)
    if upload is None:
        raise ApiError(400, "no_file", call.text("no_file"))
    data, filename = upload
    call.log["bytes"] = len(data)
    try:
        done = await asyncio.to_thread(_import, call, data, filename)
    except ImportFileError as exc:
        status = 413 if exc.code == "too_large" else 422
        raise ApiError(status, exc.code, exc.message(call.lang), line=exc.line,
                       column=exc.column, written=0) from None
    r = done.result
    call.log.update(written=r.written, replaced=r.replaced)
    return _json({"workspace": call.workspace.slug, "shape": done.shape, "lines": done.lines,
                  "written": r.written, "inserted": r.inserted, "replaced": r.replaced})


def _import(call: Call, data: bytes, filename: str) -> Any:
    from kpi_engine.services.ingest import import_bytes

    return import_bytes(call.app.store, call.workspace.id, data, filename, today=_today(call),
                        max_bytes=IMPORT_MAX_BYTES)


def _today(call: Call) -> date:
    """The workspace's local today (the app's clock): later days are refused."""
    return local_today(call.app.router.clock(), call.workspace.timezone)


async def _read_upload(request: web.Request, call: Call) -> tuple[bytes, str] | None:
    """The part named ``file`` (or the first part with a file name), read up to the limit."""
    from kpi_engine.services.importer import ImportFileError

    if not request.content_type.startswith("multipart/"):
        return None
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name != "file" and not part.filename:
            await part.release()
            continue
        data = bytearray()
        while chunk := await part.read_chunk(1 << 16):
            data += chunk
            if len(data) > IMPORT_MAX_BYTES:
                exc = ImportFileError("too_large", size=f"> {IMPORT_MAX_BYTES >> 20}",
                                      limit=IMPORT_MAX_BYTES >> 20)
                raise ApiError(413, "too_large", exc.message(call.lang), written=0)
        return bytes(data), part.filename or "upload.csv"
    return None


@endpoint("kpi")
async def kpi_view(request: web.Request, call: Call) -> web.Response:
    """``/kpi metric channel period`` through the router: the JSON of ``ask --json``."""
    q = request.query
    words = ["/kpi"]
    for name in ("metric", "channel", "period"):
        value = " ".join(q.get(name, "").split())
        if len(value) > PARAM_MAX_CHARS:
            raise ApiError(400, "bad_param", call.text(
                "bad_param", name=name, hint=call.text("hint_long", limit=PARAM_MAX_CHARS)))
        if value:
            words.append(value)
    if "lang" in q and _lang(q["lang"]) is None:
        raise ApiError(400, "bad_param", call.text("bad_param", name="lang",
                                                   hint=call.text("hint_lang")))
    now = None
    if q.get("now"):
        try:
            now = datetime.fromisoformat(q["now"])
        except ValueError:
            raise ApiError(400, "bad_param", call.text(
                "bad_param", name="now", hint=call.text("hint_now"))) from None
        low, high = NOW_YEARS
        if not low <= now.year <= high:
            raise ApiError(400, "bad_param", call.text(
                "bad_param", name="now", hint=call.text("hint_now_range", low=low, high=high)))
    req = Request(text=" ".join(words), platform=API_PLATFORM, chat_id=f"ws:{call.workspace.id}",
                  user_id=f"token:{call.token.id}", now=now, lang=_lang(q.get("lang")),
                  workspace=call.workspace.slug)
    reply = await asyncio.to_thread(call.app.router.handle, req)
    call.log.update(text=req.text, intent=reply.intent, error=reply.error)
    status = (200 if reply.error is None else 500 if reply.error == "internal_error"
              else 503 if reply.error == "database_busy" else 422)
    return _json(reply.as_json(), status)


async def openapi_view(_request: web.Request) -> web.Response:
    from adapters.http.openapi import openapi_document

    return _json(openapi_document())


# --------------------------------------------------------------------------- readiness


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and every platform is started (and connected)."""
    app = request.app[APP_KEY]
    readiness = request.app[READINESS_KEY]
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(asyncio.to_thread(_ping, app), timeout=5)
        checks["database"] = "ok"
    except Exception as exc:  # the reason's type only: a message may hold a host or user
        checks["database"] = f"unreachable ({type(exc).__name__})"
    for platform in readiness.platforms:
        if not readiness.started:
            checks[platform.name] = "starting"
        elif getattr(platform, "connected", True) is False:
            checks[platform.name] = "disconnected"
        else:
            checks[platform.name] = "ok"
    if readiness.jobs is not None:
        checks.update(readiness.jobs())
    ready = all(v == "ok" for v in checks.values())
    return _json({"status": "ready" if ready else "not_ready", "checks": checks},
                 200 if ready else 503)


def _ping(app: App) -> None:
    health.ping(app.engine)
