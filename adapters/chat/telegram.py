"""Telegram (python-telegram-bot v22): thin handlers that hand text to the shared router and
render its ``Reply`` as Telegram HTML.

- ``build_application`` is the one factory of the PTB ``Application``: the Bot API URL
  (``KPIBOT_TELEGRAM_API_URL``), ``AIORateLimiter`` (a 429 waits its ``retry_after`` and is
  retried), updates processed concurrently but in order within a chat, one message handler,
  one global error handler.
- ``TelegramPlatform`` plugs into ``kpibot serve`` (``adapters/http/server.py``): long polling by
  default; with ``KPIBOT_TELEGRAM_WEBHOOK_URL`` a webhook route on the one HTTP server that
  refuses a wrong or missing ``X-Telegram-Bot-Api-Secret-Token`` with 403.
- In groups only messages addressed to the bot are handled: commands, mentions, replies.
- Replies longer than 4096 characters are split on line boundaries, every part valid HTML;
  a chart is sent with ``sendPhoto`` and a caption of at most 1024 characters (an alert's
  keyboard on the photo when the caption is its whole text). After a button press that did
  something, the alert's keyboard shows it (``editMessageReplyMarkup``).
- The bot token never reaches a log line: ``protect_token`` redacts it in PTB's and httpx'
  loggers, and the error handler logs a redacted trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import logging
import re
import secrets
import traceback
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from aiohttp import web

from adapters.chat.platform import PlatformKind, answer_later, answer_now
from bot.alert_buttons import press
from bot.i18n import t
from bot.parsing import COMMANDS
from bot.reply import Button, Reply, Request, marked, parse_buttons
from bot.runtime.delivery import Failure, Limits, SendWindow, outbox_sending, retry_after_of
from kpi_engine.services.guards import first_sighting
from kpi_engine.services.ingest import CHAT_MAX_BYTES

if TYPE_CHECKING:
    from telegram import Bot, BotCommand, Message, Update
    from telegram.ext import Application, ContextTypes

    from bot.bootstrap import App
    from bot.router import Router

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
#: A reply slower than this shows "typing…" (repeated while the answer is being made).
TYPING_AFTER = 0.4
TYPING_EVERY = 4.5
POLL_TIMEOUT = 10  # seconds of long polling per getUpdates
MAX_RETRIES = 3  # a 429 is waited out and retried this many times
WEBHOOK_PATH = "/telegram/webhook"
#: Telegram keeps an undelivered update for 24 hours: an ``update_id`` is remembered as long.
UPDATE_KEEP = timedelta(hours=25)
SIGHTING_WAIT = 3.0  # seconds the check may wait on a busy database before the update runs
CHAT_TYPES = {"private": "private", "group": "group", "supergroup": "group",
              "channel": "channel"}
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_T = TypeVar("_T")


# -- rendering --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    text: str  # plain
    bold: bool = False

    @property
    def html(self) -> str:
        escaped = html.escape(self.text, quote=False)
        return f"<b>{escaped}</b>" if self.bold and escaped else escaped


def _lines(reply: Reply) -> list[_Line]:
    lines = [_Line(reply.title, bold=True)] if reply.title else []
    lines += [_Line(line) for line in reply.body]
    if reply.footer:
        lines.append(_Line(reply.footer))
    out: list[_Line] = []
    for line in lines:  # a body item may hold several lines
        out += [_Line(part, line.bold) for part in line.text.split("\n")]
    return out


def _cut(line: _Line, limit: int) -> Iterator[_Line]:
    """A line whose HTML is longer than ``limit``, cut into pieces that fit."""
    piece = ""
    budget = limit - (7 if line.bold else 0)  # <b></b>
    size = 0
    for ch in line.text:
        width = len(html.escape(ch, quote=False))
        if size + width > budget:
            yield _Line(piece, line.bold)
            piece, size = "", 0
        piece += ch
        size += width
    if piece:
        yield _Line(piece, line.bold)


def split_html(reply: Reply, limit: int = MAX_TEXT, first_limit: int | None = None) -> list[str]:
    """The reply as Telegram HTML in parts of at most ``limit`` characters (the first part at
    most ``first_limit``), cut on line boundaries; each part is valid HTML on its own."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    cap = first_limit or limit
    for line in _lines(reply):
        pieces = [line] if len(line.html) <= min(cap, limit) else list(_cut(line, min(cap, limit)))
        for piece in pieces:
            text = piece.html
            extra = len(text) + (1 if current else 0)
            if current and size + extra > cap:
                parts.append("\n".join(current))
                current, size, cap = [], 0, limit
                extra = len(text)
            current.append(text)
            size += extra
    if current:
        parts.append("\n".join(current))
    return [p for p in parts if p.strip()] or ([] if reply.chart else ["…"])


async def send_reply(bot: Bot, chat_id: int | str, reply: Reply,
                     reply_to: int | None = None) -> None:
    """Deliver a ``Reply``: a photo with its caption when it has a chart, then text parts."""
    from telegram import InputFile, LinkPreviewOptions, ReplyParameters
    from telegram.constants import ParseMode

    target = _chat_id(chat_id)
    params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    if reply.chart:
        parts = split_html(reply, MAX_TEXT, first_limit=MAX_CAPTION)
        caption = parts.pop(0) if parts else None
        await bot.send_photo(target, InputFile(reply.chart, filename="grafik.png"),
                             caption=caption, parse_mode=ParseMode.HTML, reply_parameters=params,
                             reply_markup=None if parts else keyboard(reply))
        params = None
    else:
        parts = split_html(reply)
    preview = LinkPreviewOptions(is_disabled=True)
    for i, part in enumerate(parts):
        markup = keyboard(reply) if i == len(parts) - 1 else None
        await bot.send_message(target, part, parse_mode=ParseMode.HTML,
                               link_preview_options=preview, reply_parameters=params,
                               reply_markup=markup)
        params = None


def caption_fits(reply: Reply) -> bool:
    """Whether the whole text of ``reply`` fits in one photo caption (1024 characters)."""
    return len(split_html(reply, MAX_TEXT, first_limit=MAX_CAPTION)) <= 1


#: The prefix of an alert button's ``callback_data`` (≤ 64 bytes with the token).
BUTTON_PREFIX = "kb:"


def keyboard(reply: Reply) -> Any:
    """An alert's buttons as an inline keyboard (two rows of two); None without buttons."""
    if not reply.buttons:
        return None
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    keys = [InlineKeyboardButton(b.label, callback_data=BUTTON_PREFIX + b.token)
            for b in reply.buttons]
    return InlineKeyboardMarkup([keys[i:i + 2] for i in range(0, len(keys), 2)])


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press on an alert's button: answered at once (``answerCallbackQuery``), then the
    press is checked and run like a command (``bot.alert_buttons``) and its reply sent."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()  # at once: Telegram shows a spinner until it is answered
    message = query.message
    if message is None or not query.data:
        return
    app: App = context.bot_data["kpibot"]
    chat = message.chat
    request = Request(text="", platform="telegram", chat_id=str(chat.id),
                      user_id=str(query.from_user.id), user_name=query.from_user.username or "",
                      chat_type=CHAT_TYPES.get(chat.type, "group"))
    token = query.data.removeprefix(BUTTON_PREFIX)
    reply = await asyncio.to_thread(press, app.router, request, token)
    await mark_pressed(context.bot, message, reply)
    await send_reply(context.bot, chat.id, reply,
                     reply_to=message.message_id if chat.type != "private" else None)


def pressed_buttons(message: Any) -> list[Button]:
    """The alert buttons of a message the bot sent (its inline keyboard read back)."""
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", None) or ()
    return parse_buttons([(b.text, str(b.callback_data).removeprefix(BUTTON_PREFIX))
                          for row in rows for b in row
                          if str(b.callback_data or "").startswith(BUTTON_PREFIX)])


async def mark_pressed(bot: Bot, message: Any, reply: Reply) -> None:
    """After a press that did something, the message's keyboard shows it
    (``editMessageReplyMarkup``); a failure here is logged and the answer still goes."""
    mark = reply.data.get("mark")
    current = pressed_buttons(message)
    if not isinstance(mark, dict) or not current:
        return
    after = marked(current, str(mark["action"]), str(mark["label"]))
    if after == current:
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id,
            reply_markup=keyboard(Reply(buttons=after)))
    except Exception as exc:  # "message is not modified", a message too old to edit
        log.info("telegram: the pressed alert's buttons were not updated: %s",
                 redact(str(exc), bot.token))


def _chat_id(chat_id: int | str) -> int | str:
    """Numeric ids as int (the rate limiter treats string ids as channels)."""
    if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
        return int(chat_id)
    return chat_id


# -- reading messages -------------------------------------------------------------------------

def addressed(message: Message, bot: Bot) -> bool:
    """In a private chat, always; in a group, a command (not another bot's), a mention of the
    bot, or a reply to one of the bot's messages."""
    from telegram import MessageEntity

    if message.chat.type == "private":
        return True
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.from_user is not None \
            and reply_to.from_user.id == bot.id:
        return True
    name = (bot.username or "").lower()
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, text in entities.items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, _, target = text.partition("@")
            return not target or target.lower() == name
        if entity.type == MessageEntity.MENTION and text[1:].lower() == name:
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user \
                and entity.user.id == bot.id:
            return True
    return False


def strip_mention(text: str, username: str | None) -> str:
    """``@kpi_bot berapa reach?`` → ``berapa reach?`` (``/kpi@kpi_bot`` is the parser's)."""
    if not username:
        return text.strip()
    return re.sub(rf"(?<![\w/])@{re.escape(username)}\b[:,]?", " ", text,
                  flags=re.IGNORECASE).strip()


def wants_file(text: str) -> bool:
    """Is this ``/impor`` (``/import``, ``impor``)?"""
    head = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    word = head.lstrip("/").split("@", 1)[0].lower()
    return COMMANDS.get(word) == "import"


# -- handlers ---------------------------------------------------------------------------------

async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand the message to the router and send its reply."""
    message, bot = update.message, context.bot
    if message is None or message.from_user is None or not addressed(message, bot):
        return
    app: App = context.bot_data["kpibot"]
    text = strip_mention(message.text or message.caption or "", bot.username)
    document = message.document
    if document is None and message.reply_to_message is not None and wants_file(text):
        document = message.reply_to_message.document
    if document is not None and not text and message.chat.type == "private":
        text = "/impor"  # a file sent on its own in a private chat is an import
    user, chat = message.from_user, message.chat
    request = Request(text=text, platform="telegram", chat_id=str(chat.id),
                      user_id=str(user.id), user_name=user.username or "",
                      chat_type=CHAT_TYPES.get(chat.type, "group"))
    if document is not None and wants_file(text):
        fields: dict[str, Any] = {"attachment_name": document.file_name or "file",
                                  "attachment_size": document.file_size}
        small = document.file_size is None or document.file_size <= CHAT_MAX_BYTES
        # only editors' files are fetched: the router refuses the others without them
        if small and await asyncio.to_thread(app.router.allows, request, "import"):
            file = await document.get_file()
            fields["attachment"] = bytes(await file.download_as_bytearray())
        request = replace(request, **fields)
    reply = answer_now(app, request)  # a quick question is answered right here
    if reply is None:
        reply = await with_typing(bot, chat.id, answer_later(app, request))
    await send_reply(bot, chat.id, reply,
                     reply_to=message.message_id if chat.type != "private" else None)


async def with_typing(bot: Bot, chat_id: int, work: Awaitable[_T]) -> _T:
    """Await ``work``; when it is slow, show "typing…" until it is done."""
    from telegram.constants import ChatAction

    task = asyncio.ensure_future(work)
    wait = TYPING_AFTER
    while True:
        done, _ = await asyncio.wait({task}, timeout=wait)
        if done:
            return task.result()
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except Exception as exc:  # "typing…" is a courtesy, never a failure
            log.debug("sendChatAction failed: %s", type(exc).__name__)
        wait = TYPING_EVERY


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error (the token redacted) and apologise in the chat, never with a trace."""
    from telegram import Update
    from telegram.error import NetworkError

    error = context.error
    token = context.bot.token
    if update is None and isinstance(error, NetworkError):  # polling hiccup; PTB retries
        log.warning("Telegram network error: %s", redact(str(error), token))
        return
    trace = "".join(traceback.format_exception(error)) if error else "unknown error"
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("Telegram update %s failed: %s", update_id, redact(trace, token))
    if isinstance(update, Update) and update.effective_chat is not None:
        app: App | None = context.bot_data.get("kpibot")
        lang = app.settings.language if app else "id"
        try:
            await context.bot.send_message(update.effective_chat.id, t("internal_error", lang))
        except Exception as exc:
            log.warning("could not send the apology: %s", redact(str(exc), token))


# -- the token stays out of logs --------------------------------------------------------------

def redact(text: str, token: str) -> str:
    if not token:
        return text
    text = text.replace(token, "<token>")
    secret = token.partition(":")[2]
    return text.replace(secret, "<token>") if len(secret) >= 8 else text


class TokenFilter(logging.Filter):
    """Replaces the bot token in a record's message and trace (httpx logs request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.token)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.token)
        return True


def protect_token(token: str) -> None:
    """Install ``TokenFilter`` on the loggers that could see the token (idempotent)."""
    names = {"httpx", "httpcore", "telegram", "aiohttp", __name__, "adapters", "bot"}
    names |= {name for name in logging.root.manager.loggerDict
              if name.startswith(("telegram", "httpx", "httpcore", "aiohttp"))}
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) and f.token == token for f in logger.filters):
            logger.addFilter(TokenFilter(token))


# -- the Application --------------------------------------------------------------------------

def _per_chat_processor(max_concurrent: int) -> Any:
    from telegram import Update
    from telegram.ext import BaseUpdateProcessor

    class PerChatUpdates(BaseUpdateProcessor):
        """Updates run concurrently, but one chat's updates run in the order they came."""

        def __init__(self, limit: int) -> None:
            super().__init__(limit)
            self._locks: dict[int, asyncio.Lock] = {}

        async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
            chat = update.effective_chat if isinstance(update, Update) else None
            if chat is None:
                await coroutine
                return
            lock = self._locks.setdefault(chat.id, asyncio.Lock())
            try:
                async with lock:
                    await coroutine
            finally:
                if not lock.locked() and self._locks.get(chat.id) is lock:
                    del self._locks[chat.id]

        async def initialize(self) -> None:
            """Nothing to set up."""

        async def shutdown(self) -> None:
            """Nothing to free."""

    return PerChatUpdates(max_concurrent)


#: The Bot API methods that post a message: what Telegram's ~30 messages/s counts.
POSTING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup",
                     "copyMessage", "forwardMessage"})


def counting_limiter(window: SendWindow, **kwargs: Any) -> Any:
    """PTB's ``AIORateLimiter`` that also records, in ``window``, every message this bot
    posts outside the outbox (its replies to chats): the outbox's ``Pacer`` reads the same
    window, so replies and digests together stay under Telegram's overall limit."""
    from telegram.ext import AIORateLimiter

    class CountingLimiter(AIORateLimiter):
        async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any],
                                  endpoint: str, data: dict[str, Any],
                                  rate_limit_args: int | None) -> Any:
            if endpoint not in POSTING or outbox_sending.get():
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            entry = window.started()
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            finally:
                window.finished(entry)

    return CountingLimiter(**kwargs)


def build_application(app: App, *, token: str | None = None, api_url: str | None = None,
                      webhook: bool = False, max_concurrent: int = 8, pool_size: int = 32,
                      overall_max_rate: float = 30, max_retries: int = MAX_RETRIES,
                      window: SendWindow | None = None) -> Application:
    """The PTB ``Application`` of KPI Bot. ``overall_max_rate`` is Telegram's ~30 messages/s
    (0: no overall limit, e.g. against a local stand-in); group limits stay on. ``window``:
    where the bot's replies are counted for the outbox (``counting_limiter``)."""
    from telegram.ext import (
        AIORateLimiter,
        ApplicationBuilder,
        CallbackQueryHandler,
        MessageHandler,
        filters,
    )

    from adapters.chat.telegram_http import AiohttpRequest

    settings = app.settings
    secret = token or (settings.telegram_token.get_secret_value()
                       if settings.telegram_token else "")
    if not secret:
        raise ValueError("KPIBOT_TELEGRAM_TOKEN is not set")
    protect_token(secret)
    builder: Any = ApplicationBuilder().token(secret)  # its generic type changes below
    # the Bot API server's root; the ``…/bot`` form is accepted too (SPEC §9 settings)
    url = (api_url if api_url is not None else settings.telegram_api_url or ""
           ).rstrip("/").removesuffix("/bot")
    if url:
        builder = builder.base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")
    builder = (builder
               .rate_limiter(counting_limiter(window, overall_max_rate=overall_max_rate,
                                              max_retries=max_retries)
                             if window is not None else
                             AIORateLimiter(overall_max_rate=overall_max_rate,
                                            max_retries=max_retries))
               .concurrent_updates(_per_chat_processor(max_concurrent))
               .request(AiohttpRequest(pool_size=pool_size, pool_timeout=10))
               .get_updates_request(AiohttpRequest(pool_size=1)))
    if webhook:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["kpibot"] = app
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & (filters.TEXT | filters.Document.ALL), on_message))
    application.add_handler(CallbackQueryHandler(on_button, pattern=f"^{BUTTON_PREFIX}"))
    application.add_error_handler(on_error)
    return application


def command_menu(router: Router, lang: str) -> list[BotCommand]:
    """Every command under its Indonesian and its English name (``lang``'s first), with
    descriptions in ``lang``: what ``setMyCommands`` shows in the "/" menu."""
    from telegram import BotCommand

    en = lang == "en"
    primary, secondary = [], []
    for cmd in router.commands.values():
        names = (cmd.en_name, cmd.id_name) if en else (cmd.id_name, cmd.en_name)
        description = (cmd.help_en if en else cmd.help_id)[:256] or cmd.name
        primary.append((names[0], description))
        secondary.append((names[1], description))
    menu: dict[str, str] = {}
    for name, description in primary + secondary:
        if _COMMAND_NAME.match(name) and name not in menu:
            menu[name] = description
    return [BotCommand(name, description) for name, description in list(menu.items())[:100]]


class TelegramPlatform:
    """Telegram as a platform of ``kpibot serve``."""

    name = "telegram"

    def __init__(self, app: App, *, application: Application | None = None,
                 poll_timeout: int = POLL_TIMEOUT) -> None:
        self.app = app
        settings = app.settings
        self.webhook_url = settings.telegram_webhook_url or None
        configured = settings.telegram_webhook_secret
        self.secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
        self.poll_timeout = poll_timeout
        #: the bot's messages in the last second, replies and outbox (``Pacer``)
        self.send_window = SendWindow()
        self.application = application or build_application(
            app, webhook=self.webhook_url is not None, window=self.send_window)

    def routes(self) -> list[web.RouteDef]:
        if self.webhook_url is None:
            return []
        path = urlparse(self.webhook_url).path or WEBHOOK_PATH
        return [web.post(path, self._webhook)]

    async def start(self) -> None:
        application = self.application
        try:
            await application.initialize()  # getMe: a rejected token fails here
        except BaseException:
            await application.bot.shutdown()  # close its HTTP sessions; the CLI explains
            raise
        await self._set_commands()
        allowed = ["message", "callback_query"]
        if self.webhook_url is not None:
            await application.bot.set_webhook(self.webhook_url, secret_token=self.secret,
                                              allowed_updates=allowed)
            await application.start()
            log.info("Telegram: webhook mode (%s)", urlparse(self.webhook_url).path)
            return
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=self.poll_timeout,
                                                allowed_updates=allowed)
        await application.start()
        log.info("Telegram: polling as @%s", application.bot.username)

    async def stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def send(self, chat_id: str, reply: Reply) -> None:
        await send_reply(self.application.bot, chat_id, reply)

    def caption_fits(self, reply: Reply) -> bool:
        """Whether ``reply`` goes out as one photo, its whole text the caption (≤ 1024)."""
        return caption_fits(reply)

    async def _set_commands(self) -> None:
        bot, router = self.application.bot, self.app.router
        try:
            await bot.set_my_commands(command_menu(router, "id"))
            await bot.set_my_commands(command_menu(router, "en"), language_code="en")
        except Exception as exc:  # the menu is a convenience; the bot works without it
            log.warning("setMyCommands failed: %s", redact(str(exc), bot.token))

    async def _first_sighting(self, update_id: int) -> bool:
        """In the database, so replicas and restarts agree (the bot's id in the key: one
        database may serve several bots). When the database can't say, the update runs."""
        bot_id = self.application.bot.token.partition(":")[0]
        try:
            return await asyncio.wait_for(asyncio.to_thread(
                first_sighting, self.app.store, f"telegram:{bot_id}:{update_id}",
                datetime.now(UTC), UPDATE_KEEP), SIGHTING_WAIT)
        except Exception as exc:
            log.warning("Telegram: could not check for a repeated update: %s",
                        type(exc).__name__)
            return True

    async def _webhook(self, request: web.Request) -> web.Response:
        """Telegram's POST: the secret header must match, else 403 and nothing happens."""
        from telegram import Update

        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, self.application.bot)
        except Exception:
            return web.Response(status=400, text="bad update")
        if update is not None and not await self._first_sighting(update.update_id):
            log.info("Telegram: update %s was delivered again; not run twice", update.update_id)
            return web.Response(text="ok")
        with contextlib.suppress(asyncio.QueueFull):
            await self.application.update_queue.put(update)
        return web.Response(text="ok")


# -- delivery rules and the registry ---------------------------------------------------------

#: Errors that no retry will fix (the chat is gone, the bot was removed or blocked).
PERMANENT_ERRORS = frozenset({"Forbidden", "BadRequest", "ChatMigrated"})
#: How fast the outbox may send there: Telegram's 30 messages/s less one, kept for the
#: replies to chats. The replies are counted too (``send_window``): the outbox's sends and
#: the replies of the last second together stay at 29, a second reply in the same second
#: still goes out at once.
LIMITS = Limits(per_second=29.0, chat_interval=1.05, group_per_minute=20)


@dataclass(frozen=True)
class TelegramPolicy:
    """Telegram's limits (about 30 messages/s overall, 1/s per chat, 20/min per group) and
    its errors: ``RetryAfter`` is a rate limit, ``PERMANENT_ERRORS`` need no retry."""

    limits: Limits = LIMITS

    def classify(self, exc: BaseException) -> Failure:
        retry_after = retry_after_of(exc)
        permanent = type(exc).__name__ in PERMANENT_ERRORS and retry_after is None
        return Failure(retry_after, permanent)


PLATFORM = PlatformKind(name="telegram", enabled=lambda s: s.telegram_enabled,
                        make=TelegramPlatform, policy=TelegramPolicy())
