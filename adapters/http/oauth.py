"""``GET /oauth/callback`` on ``kpibot serve``'s HTTP server: where Meta, TikTok and Google
send the admin's browser back after ``kpibot source add PLATFORM --oauth`` (SPEC §10).

The query's ``state`` is claimed once (``kpi_engine/services/oauth.OAuthService.complete``:
unknown, expired or already used: a 400 page, nothing stored), the code is traded for tokens
on a worker thread (the platforms' token endpoints are synchronous httpx calls) and the
source is stored with its tokens sealed. The answer is a short HTML page in the bot's
language that says what happened and what to do; it never holds a token, a code, the state
or a stack trace. The CLI that started the flow sees the outcome in the database.
"""

from __future__ import annotations

import asyncio
import html
import logging

from aiohttp import web

from bot.bootstrap import App
from kpi_engine.services.oauth import Completed, OAuthService

log = logging.getLogger(__name__)

CALLBACK_PATH = "/oauth/callback"
OAUTH_APP_KEY = web.AppKey("oauth_app", App)
SERVICE_KEY = web.AppKey("oauth_service", dict)

_TEXTS = {
    "ok": ("Terhubung", "Sumber #{id} ({platform} {account} → kanal {channel}) tersimpan, "
                        "tokennya terenkripsi. Halaman ini boleh ditutup; sinkron pertama "
                        "berjalan malam ini atau dengan `kpibot source sync {id}`."),
    "ok_en": ("Connected", "Source #{id} ({platform} {account} → channel {channel}) is stored, "
                           "its token encrypted. You may close this page; the first sync runs "
                           "tonight or with `kpibot source sync {id}`."),
    "no": ("Tidak terhubung", ""),
    "no_en": ("Not connected", ""),
}


def service_for(app: App) -> OAuthService:
    """The OAuth service on the app's sources and the settings' flows (``kpibot serve`` and
    the CLI build the same one)."""
    from adapters.sources.oauth import flows

    return OAuthService(app.sources, flows(app.settings), app.settings.oauth_redirect_url)


def setup_oauth(web_app: web.Application, app: App) -> None:
    web_app[OAUTH_APP_KEY] = app
    web_app[SERVICE_KEY] = {}  # the service, built on the first callback
    web_app.router.add_get(CALLBACK_PATH, callback_view)


def _service(request: web.Request) -> OAuthService:
    holder: dict[str, OAuthService] = request.app[SERVICE_KEY]
    if "service" not in holder:  # on the first callback: the connectors' imports ~0.25 s
        holder["service"] = service_for(request.app[OAUTH_APP_KEY])
    return holder["service"]


async def callback_view(request: web.Request) -> web.Response:
    app = request.app[OAUTH_APP_KEY]
    lang = app.settings.language
    params = {k: v for k, v in request.query.items()}
    try:
        service = _service(request)
        done = await asyncio.to_thread(service.complete, params, now=app.router.clock())
    except Exception as exc:  # one safe line in the log; no trace to the browser
        log.error("oauth callback failed (%s)", type(exc).__name__)
        return _page(lang, "no", "Internal error; nothing was stored. See the server log.",
                     500)
    return _answer(done, lang)


def _answer(done: Completed, lang: str) -> web.Response:
    if done.source is not None:
        rec = done.source
        title, body = _TEXTS["ok_en" if lang == "en" else "ok"]
        return _page(lang, title, body.format(id=rec.id, platform=rec.platform,
                                              account=rec.account_id, channel=rec.channel), 200)
    assert done.problem is not None
    return _page(lang, _TEXTS["no_en" if lang == "en" else "no"][0], done.problem.message(lang),
                 400)


def _page(lang: str, title: str, body: str, status: int) -> web.Response:
    if title == "no":
        title = _TEXTS["no_en" if lang == "en" else "no"][0]
    text = (f'<!doctype html><html lang="{"en" if lang == "en" else "id"}"><head>'
            f'<meta charset="utf-8"><meta name="robots" content="noindex">'
            f"<title>KPI Bot: {html.escape(title)}</title></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p></body></html>")
    return web.Response(text=text, status=status, content_type="text/html",
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
