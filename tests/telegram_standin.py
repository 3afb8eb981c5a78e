"""A small Telegram Bot API stand-in for tests and benchmarks (aiohttp, 127.0.0.1, port 0).

It implements what KPI Bot uses — ``getMe``, ``getUpdates`` (long polling), ``sendMessage``,
``sendPhoto``, ``sendDocument``, ``getFile`` and the file download, ``setMyCommands``,
``setWebhook``, ``deleteWebhook``, ``sendChatAction``, ``answerCallbackQuery``,
``editMessageReplyMarkup`` (a sent message's inline keyboard replaced; "message is not
modified" when it is the same, "message to edit not found" for a message it never sent;
``messages`` keeps what each sent message looks like now) — and answers like the real API:
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``;
HTML ``parse_mode`` is parsed (bad HTML is a 400 "can't parse entities"), text and caption
lengths are checked after parsing (4096 / 1024), command names and webhook secrets are
validated. Every call is recorded in ``calls``. Tests inject updates (delivered through
``getUpdates``, or POSTed to the webhook with its secret when one is set) and can make a
chosen method answer with an error (``fail_next("sendMessage", 429, retry_after=1)``).
With ``limits=Limits()`` it enforces Telegram's flood limits like the real API: a message
(``sendMessage``, ``sendPhoto``, ``sendDocument``) beyond 30 in the last second overall, or
within a second of the previous one to the same chat, is answered 429 with ``retry_after``;
``too_many`` counts them and ``accepted`` holds the time of every message let through.

``StandinProcess`` runs it in a child process (benchmarks: its own core and GIL).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

BOT_ID = 5_000_000_001
BOT_USERNAME = "kpi_test_bot"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
         "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
         "del": "strikethrough", "code": "code", "pre": "pre", "a": "text_link",
         "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote"}
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z-]*)(?:\s[^<>]*)?>")


@dataclass(frozen=True)
class Limits:
    """Telegram's flood limits, as the stand-in enforces them (``BotApiStandin(limits=…)``)."""

    per_second: int = 30  # messages in any one second, all chats together
    chat_interval: float = 1.0  # seconds between two messages to one chat
    retry_after: int = 1


#: The methods that post a message (what the flood limits count).
LIMITED = frozenset({"sendmessage", "sendphoto", "senddocument"})


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        self.status = status
        self.description = description
        self.retry_after = retry_after
        super().__init__(description)


@dataclass
class Call:
    """One request the bot made: method, decoded params, uploaded files, the answer."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    at: float = 0.0  # time.perf_counter() when answered
    result: Any = None  # what the stand-in answered (the message sent …)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset → (plain text, entities); raises ApiError like the real API."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self.stack: list[tuple[str, int, dict[str, Any]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag "
                                f"\"{tag}\" at byte offset {len(self.text)}")
        self.stack.append((tag, utf16_len(self.text), dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            expected = self.stack[-1][0] if self.stack else ""
            raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag at byte "
                                f"offset {len(self.text)}, expected \"</{expected}>\", "
                                f"found \"</{tag}>\"")
        name, start, attrs = self.stack.pop()
        length = utf16_len(self.text) - start
        if length:
            entity: dict[str, Any] = {"type": _TAGS[name], "offset": start, "length": length}
            if name == "a":
                entity["url"] = attrs.get("href") or ""
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Validate Telegram HTML: only its tags, balanced, ``<`` and ``&`` escaped."""
    for i, ch in enumerate(markup):
        if ch == "<" and not _TAG.match(markup, i):
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag at "
                                f"byte offset {i}")
        if ch == "&" and not _ENTITY.match(markup, i):
            raise ApiError(400, f"Bad Request: can't parse entities: Character '&' is reserved "
                                f"and must be escaped at byte offset {i}")
    parser = _TelegramHtml()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        raise ApiError(400, "Bad Request: can't parse entities: Can't find end tag "
                            f"corresponding to start tag \"{parser.stack[-1][0]}\"")
    return parser.text, sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


def command_entities(text: str, field_name: str = "entities") -> dict[str, Any]:
    """The entities Telegram attaches to a user's text: a leading bot command, @mentions."""
    entities = []
    match = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if match:
        entities.append({"type": "bot_command", "offset": 0, "length": match.end()})
    for m in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{3,32}", text):
        entities.append({"type": "mention", "offset": utf16_len(text[:m.start()]),
                         "length": utf16_len(m.group())})
    return {field_name: entities} if entities else {}


class BotApiStandin:
    """``async with BotApiStandin(token) as api: ...``; ``api.url`` is the API base URL."""

    def __init__(self, token: str, *, username: str = BOT_USERNAME,
                 bot_id: int = BOT_ID, limits: Limits | None = None) -> None:
        self.token = token
        self.limits = limits
        self.too_many = 0  # messages refused with 429 by ``limits``
        self.accepted: list[float] = []  # time.perf_counter() of each message let through
        self._recent: deque[float] = deque()
        self._last_sent: dict[str, float] = {}
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "KPI Bot",
                         "username": username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []  # not yet confirmed by getUpdates' offset
        self.callback_queries: dict[str, bool] = {}  # press id → answered
        self.files: dict[str, tuple[bytes, str]] = {}  # file_id → (data, file_path)
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}  # (scope, lang) → list
        self.webhook: dict[str, Any] | None = None
        self.url = ""
        self._failures: dict[str, list[ApiError]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, id) → message now
        self._cond: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._session: ClientSession | None = None
        self._closing = False
        self._tasks: set[asyncio.Future[None]] = set()

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> str:
        self._loop = asyncio.get_running_loop()
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self._closing = True  # wake pending long polls: the server closes at once
        if self._cond is not None:
            await self._notify()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiStandin:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what tests do ------------------------------------------------------------------
    def fail_next(self, method: str, status: int = 429, *, retry_after: int | None = None,
                  description: str | None = None, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer with this error instead."""
        if description is None:
            description = (f"Too Many Requests: retry after {retry_after}" if status == 429
                           else "Bad Request: simulated failure")
        self._failures.setdefault(method.lower(), []).extend(
            ApiError(status, description, retry_after) for _ in range(times))

    def add_file(self, data: bytes, name: str) -> dict[str, Any]:
        """Store a file as if a user had uploaded it; returns the ``Document`` dict."""
        n = next(self._file_ids)
        file_id = f"BQACAgIAAxkB{n:06d}"
        self.files[file_id] = (data, f"documents/file_{n}{_suffix(name)}")
        return {"file_id": file_id, "file_unique_id": f"AgAD{n:06d}", "file_name": name,
                "mime_type": "text/csv" if name.endswith(".csv") else
                "application/octet-stream", "file_size": len(data)}

    def add_chat(self, chat_id: int, chat_type: str | None = None,
                 username: str = "tester") -> dict[str, Any]:
        """A chat the bot knows (a user who started it, a group it is in)."""
        kind = chat_type or ("private" if chat_id > 0 else "supergroup")
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat.update(first_name=username, username=username)
        else:
            chat["title"] = f"Group {chat_id}"
        self._chats[chat_id] = chat
        return chat

    def message(self, chat_id: int, text: str = "", *, user_id: int | None = None,
                username: str = "tester", chat_type: str | None = None,
                document: dict[str, Any] | None = None, reply_to_bot: bool = False,
                language_code: str = "id") -> dict[str, Any]:
        """A user's message as an update (not yet delivered: pass it to ``inject``, which
        numbers it)."""
        chat = self.add_chat(chat_id, chat_type, username)
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 777)
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
            "from": {"id": uid, "is_bot": False, "first_name": username, "username": username,
                     "language_code": language_code}}
        if document is not None:
            msg["document"] = document
            if text:
                msg["caption"] = text
                msg.update(command_entities(text, "caption_entities"))
        else:
            msg["text"] = text
            msg.update(command_entities(text))
        if reply_to_bot:
            msg["reply_to_message"] = {"message_id": next(self._message_ids),
                                       "date": int(time.time()), "chat": chat,
                                       "from": self.bot_user, "text": "…"}
        return {"message": msg}

    def inject(self, *updates: dict[str, Any]) -> None:
        """Queue updates (thread-safe): getUpdates returns them, or the webhook gets them."""
        assert self._loop is not None, "start() first"
        self._loop.call_soon_threadsafe(self._push, list(updates))

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        """Successful calls of ``method`` (to ``chat_id``)."""
        return [c for c in list(self.calls) if c.method == method and c.status == 200
                and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.sent("sendMessage", chat_id)]

    async def wait_for(self, method: str = "sendMessage", count: int = 1, *,
                       chat_id: int | None = None, timeout: float = 10.0) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` were answered."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.sent(method, chat_id)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout}s for {count}× {method} (chat {chat_id}); got "
                    f"{len(found)}; calls: {[(c.method, c.status) for c in self.calls][-20:]}")
            await asyncio.sleep(0.01)

    # -- the API ------------------------------------------------------------------------
    def _push(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            update["update_id"] = next(self._update_ids)
            self.updates.append(update)
        if self._cond is not None:
            task = asyncio.ensure_future(self._notify())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(method, params, files)
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            queued = self._failures.get(method.lower())
            if queued:
                raise queued.pop(0)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            if self.limits is not None and method.lower() in LIMITED:
                self._admit(params)
            result = await handler(params, files)
            call.result = result
            body: dict[str, Any] = {"ok": True, "result": result}
        except ApiError as exc:
            call.status = exc.status
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
        call.at = time.perf_counter()
        return web.json_response(body, status=call.status)

    def _admit(self, params: dict[str, Any]) -> None:
        """Telegram's flood limits: 429 with ``retry_after`` beyond them (``limits``)."""
        assert self.limits is not None
        chat = str(params.get("chat_id"))
        now = time.perf_counter()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.limits.per_second or \
                now - self._last_sent.get(chat, -1e9) < self.limits.chat_interval:
            self.too_many += 1
            wait = self.limits.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        self._recent.append(now)
        self._last_sent[chat] = now
        self.accepted.append(now)

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        call = Call("download", {"path": path})
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            call.status = 401
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        for data, file_path in self.files.values():
            if file_path == path:
                call.at = time.perf_counter()
                return web.Response(body=data, content_type="application/octet-stream")
        call.status = 404
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    async def _m_getme(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self.bot_user

    async def _m_getupdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        assert self._cond is not None
        if not self.updates and timeout > 0:
            async with self._cond:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._cond.wait_for(lambda: bool(self.updates) or self._closing),
                        timeout)
        return self.updates[:limit]

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat = self._chat(params)
        text, entities = self._formatted(params, "text", "parse_mode")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        return self._bot_message(chat, text=text, **({"entities": entities} if entities else {}),
                                 **({"reply_markup": markup} if markup else {}))

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        """An inline keyboard, checked like the Bot API (callback_data 1–64 bytes)."""
        markup = params.get("reply_markup")
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the "
                                        "inline keyboard")
        return dict(markup)

    def press(self, message: dict[str, Any], data: str, *, user_id: int | None = None,
              username: str = "tester", chat_id: int | None = None) -> dict[str, Any]:
        """A user's press on a button of ``message`` (a message the bot sent) as an update;
        ``chat_id`` puts the same press in another chat (a copied or forged press)."""
        chat = message["chat"] if chat_id is None else self.add_chat(chat_id)
        uid = user_id if user_id is not None else (chat["id"] if chat["id"] > 0 else 777)
        query_id = str(next(self._message_ids) + 10_000_000)
        self.callback_queries[query_id] = False
        return {"callback_query": {
            "id": query_id, "chat_instance": f"ci{chat['id']}", "data": data,
            "from": {"id": uid, "is_bot": False, "first_name": username, "username": username},
            "message": {**message, "chat": chat}}}

    async def _m_answercallbackquery(self, params: dict[str, Any], files: dict[str, bytes]
                                     ) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if self.callback_queries.get(query_id, True):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                "or query ID is invalid")
        self.callback_queries[query_id] = True
        return True

    async def _m_sendphoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat = self._chat(params)
        data = files.get("photo")
        if data is None and not params.get("photo"):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption, entities = self._formatted(params, "caption", "parse_mode")
        if len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        n = next(self._file_ids)
        photo = [{"file_id": f"AgACAgIAAxkB{n:06d}", "file_unique_id": f"AQAD{n:06d}",
                  "width": 1280, "height": 720, "file_size": len(data or b"")}]
        extra: dict[str, Any] = {"caption": caption} if caption else {}
        if entities:
            extra["caption_entities"] = entities
        markup = self._markup(params)
        if markup:
            extra["reply_markup"] = markup
        return self._bot_message(chat, photo=photo, **extra)

    async def _m_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, bytes]
                                        ) -> Any:
        chat = self._chat(params)
        key = (int(chat["id"]), int(params.get("message_id") or 0))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = self._markup(params)
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same as a current "
                                "content and reply markup of the message")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return dict(message)

    async def _m_senddocument(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        chat = self._chat(params)
        data = files.get("document")
        if data is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption, _ = self._formatted(params, "caption", "parse_mode")
        if len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        document = self.add_file(data, str(params.get("_filename_document", "file")))
        return self._bot_message(chat, document=document,
                                 **({"caption": caption} if caption else {}))

    async def _m_getfile(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        data, path = self.files[file_id]
        if len(data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": "u" + file_id[-6:],
                "file_size": len(data), "file_path": path}

    async def _m_setmycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100")
        for cmd in commands:
            if not _COMMAND_NAME.match(str(cmd.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        scope = params.get("scope") or {"type": "default"}
        self.commands[(scope.get("type", "default"), str(params.get("language_code") or ""))] = \
            commands
        return True

    async def _m_setwebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if not url:
            return await self._m_deletewebhook(params, files)
        self.webhook = {"url": url, "secret_token": secret}
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.ensure_future(self._deliver())
        return True

    async def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        return True

    async def _m_sendchataction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self._chat(params)
        if params.get("action") not in {"typing", "upload_photo", "upload_document",
                                        "record_video", "upload_video", "choose_sticker",
                                        "find_location", "record_voice", "upload_voice",
                                        "record_video_note", "upload_video_note"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    # -- helpers ------------------------------------------------------------------------
    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            chat_id = int(params.get("chat_id", ""))
        except ValueError:
            raise ApiError(400, "Bad Request: chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _formatted(self, params: dict[str, Any], key: str,
                   mode_key: str) -> tuple[str, list[dict[str, Any]]]:
        raw = str(params.get(key) or "")
        if str(params.get(mode_key) or "").upper() == "HTML":
            return parse_html(raw)
        return raw, []

    def _bot_message(self, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        message = {"message_id": next(self._message_ids), "from": self.bot_user, "chat": chat,
                   "date": int(time.time()), **content}
        self.messages[(int(chat["id"]), int(message["message_id"]))] = dict(message)
        return message

    async def _deliver(self) -> None:
        """Webhook mode: POST each update with the secret header; retry until a 2xx."""
        self._session = self._session or ClientSession(timeout=ClientTimeout(total=10))
        while self.webhook is not None:
            if not self.updates:
                assert self._cond is not None
                async with self._cond:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cond.wait_for(lambda: bool(self.updates)),
                                               1.0)
                continue
            update, hook = self.updates[0], self.webhook
            headers = {"Content-Type": "application/json"}
            if hook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(hook["secret_token"])
            try:
                async with self._session.post(hook["url"], data=json.dumps(update),
                                              headers=headers) as resp:
                    ok = 200 <= resp.status < 300
                    self.calls.append(Call("webhook", {"update_id": update["update_id"]},
                                           status=resp.status, at=time.perf_counter()))
            except Exception:
                ok = False
            if ok:
                self.updates.pop(0)
            else:
                await asyncio.sleep(0.2)


def _suffix(name: str) -> str:
    return name[name.rfind("."):] if "." in name else ""


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """PTB sends form fields (complex values JSON-encoded) and multipart for uploads."""
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params = await request.json()
        return params, files
    if request.method == "POST" and request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
                params[f"_filename_{key}"] = value.filename
            else:
                params[key] = _decode(str(value))
    for key, value in request.query.items():
        params.setdefault(key, _decode(value))
    # a file sent as attach://name
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            files[key] = files.pop(value.removeprefix("attach://"), b"")
    return params, files


def _decode(value: str) -> Any:
    if value[:1] in "[{" or value in ("true", "false"):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


class StandinProcess:
    """The stand-in in a child process (benchmarks: it gets its own core and GIL).

    ``inject([(chat_id, text), ...])`` queues updates; ``wait(count)`` blocks until ``count``
    sendMessage calls were answered and returns the ``time.perf_counter()`` of the last one
    (the same clock in both processes on Linux) and their texts."""

    def __init__(self, token: str, chats: list[int]) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_child, args=(child, token, chats), daemon=True,
                                    name="telegram-standin")
        self.url = ""

    def start(self) -> str:
        self._process.start()
        self.url = self._conn.recv()
        return self.url

    def inject(self, messages: list[tuple[int, str]]) -> None:
        self._conn.send(("inject", messages))

    def wait(self, count: int, since: int = 0,
             timeout: float = 120.0) -> tuple[float, list[str]]:
        """Block until ``count`` sendMessage calls in all; (time of the last of calls
        ``since``..``count``, their texts)."""
        self._conn.send(("wait", count, since, timeout))
        result = self._conn.recv()
        if isinstance(result, str):
            raise AssertionError(result)
        return result

    def stop(self) -> None:
        self._conn.send(("stop",))
        self._process.join(10)


def _child(conn: Any, token: str, chats: list[int]) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with BotApiStandin(token) as api:
            for chat in chats:
                api.add_chat(chat)
            conn.send(api.url)
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "stop":
                    return
                if command[0] == "inject":
                    api.inject(*(api.message(chat, text) for chat, text in command[1]))
                elif command[0] == "wait":
                    _, count, since, timeout = command
                    try:
                        sent = await api.wait_for("sendMessage", count, timeout=timeout)
                    except AssertionError as exc:
                        conn.send(str(exc))
                        continue
                    sent = sent[since:count]
                    conn.send((max(c.at for c in sent),
                               [str(c.params.get("text", "")) for c in sent]))

    asyncio.run(main())
