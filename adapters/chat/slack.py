"""Slack: slash commands, app mentions and direct messages through slack-bolt's ``AsyncApp``.

As thin as the Telegram adapter: a listener acknowledges at once (Slack's 3-second rule),
hands the text to the one router (``adapters.http.server.answer``) and renders the ``Reply`` as
Block Kit — a header (metric · channel · period), a section (the number and its change), a
context line (the comparison period) and a plain-text fallback for notifications.

- HTTP mode: ``POST /slack/events`` on the one aiohttp server, every request signature-checked
  by Bolt (bad signature or a timestamp over 5 minutes old → 401, nothing runs).
  Socket Mode instead when ``KPIBOT_SLACK_APP_TOKEN`` is set.
- Slash commands are answered in the channel (``chat.postMessage``); help and errors
  ephemerally through the command's ``response_url``. A mention is answered in its thread.
- A CSV/XLSX shared in a DM (or with a mention) is imported like Telegram's ``/impor``.
- Charts are uploaded with ``files_upload_v2`` (``files.getUploadURLExternal`` → upload →
  ``files.completeUploadExternal``); the retired ``files.upload`` is never used. A drop
  alert's chart is uploaded first, its text and buttons posted after it (a file message
  carries no actions block).
- After an alert button press that did something, the pressed message's actions block shows
  it (``chat.update`` with the message's own blocks, the buttons relabelled).
- About one message per second per channel (``ChannelPacer``); a 429 waits its
  ``Retry-After`` and is retried by slack-sdk's ``AsyncRateLimitErrorRetryHandler``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.chat.platform import PlatformConfigError, PlatformKind, answer
from bot.alert_buttons import press
from bot.bootstrap import App
from bot.i18n import t, translate
from bot.mentions import USER_MENTION
from bot.parsing import COMMANDS
from bot.reply import BUTTON_TEXT_MAX, Button, Reply, Request, marked, parse_buttons
from bot.runtime.delivery import Failure, Limits, retry_after_of
from kpi_engine.services.guards import first_sighting
from kpi_engine.services.ingest import CHAT_MAX_BYTES

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SLACK_API_URL = "https://slack.com/api/"

MESSAGES: dict[str, tuple[str, str]] = {
    "chart_needs_member": (
        "Grafik tidak bisa diunggah karena saya belum ada di channel ini. Undang saya dulu "
        "(/invite @KPI Bot), lalu coba lagi.",
        "I can't upload the chart because I'm not in this channel. Invite me first "
        "(/invite @KPI Bot), then try again."),
}

#: Slack's built-in commands: an app cannot register them (the manifest would be refused).
#: Their router commands stay reachable by their other name or in a sentence ("join KODE").
RESERVED_COMMANDS = frozenset({
    "me", "status", "away", "dnd", "shrug", "remind", "msg", "feed", "who", "collapse",
    "expand", "leave", "join", "open", "search", "topic", "mute", "pro", "shortcuts",
    "invite", "archive", "kick", "remove", "rename", "active", "apps", "dm", "giphy",
})

#: Errors of ``chat.postMessage`` / uploads that mean "the bot can't post here".
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived",
                         "restricted_action"})

HEADER_MAX, SECTION_MAX, CONTEXT_MAX, TEXT_MAX = 150, 3000, 2000, 39000
#: A signed request is valid 5 minutes either side of its timestamp: its signature is kept
#: that long (and a margin), so a replay inside the window is answered and not run again.
REPLAY_KEEP = timedelta(minutes=11)
#: Slack retries an event it thinks was lost (``X-Slack-Retry-Num``) for about an hour.
EVENT_KEEP = timedelta(hours=2)
SIGHTING_WAIT = 1.5  # seconds the replay check may take before the request just runs


class SlackConfigError(PlatformConfigError):
    """Slack is on but cannot run as configured (e.g. HTTP mode without a signing secret)."""


# -- text in, Block Kit out ---------------------------------------------------------------------

_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's message markup → the words a user typed: the bot's own mention dropped (other
    users' mentions kept as ``<@U…>``, for ``/peran <@U123ABC> editor``), ``<url|label>`` →
    label, ``&amp;``/``&lt;``/``&gt;`` decoded."""

    def link(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        user = USER_MENTION.fullmatch(m.group(0))
        if user is not None:
            own = bot_user_id and user.group("id").upper() == bot_user_id.upper()
            return " " if own else f"<@{user.group('id')}>"
        if label:
            return label
        return "" if target[:1] in ("#", "!", "@") else target

    text = _LINK.sub(link, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def escape(text: str) -> str:
    """Text → mrkdwn-safe text: Slack's three control characters escaped, and the formatting
    marks (``*bold*``, ``_italic_``, ``~strike~``, `` `code` ``) made inert (``neutral``), so
    a caption or a name from an import is shown as typed, never formatted."""
    return neutral(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


#: Slack's formatting marks and the look-alikes that show them without formatting (mrkdwn
#: has no escape for them).
_INERT = {"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"}
#: A mark where Slack could read it as opening or closing formatting: at the start or end of
#: a word (next to a space, punctuation, or the line's ends). In the middle of a word
#: (``kopi_susu``, ``a*b``) Slack formats nothing, and it stays as typed; so do links.
_MARK = re.compile(r"(?:(?<=^)|(?<=[\s\W]))[*_~`]+|[*_~`]+(?=[\s\W]|$)", re.MULTILINE)
_URL = re.compile(r"https?://\S+")


def neutral(text: str) -> str:
    """``text`` with the formatting marks Slack would act on replaced by look-alikes
    (``*tebal*`` → ``∗tebal∗``); URLs and marks inside words are left as they are."""
    out: list[str] = []
    last = 0
    for url in _URL.finditer(text):
        out.append(_MARK.sub(_inert, text[last:url.start()]))
        out.append(url.group(0))
        last = url.end()
    out.append(_MARK.sub(_inert, text[last:]))
    return "".join(out)


def _inert(match: re.Match[str]) -> str:
    return "".join(_INERT[c] for c in match.group(0))


def caption(reply: Reply) -> str:
    """A chart's comment in mrkdwn: the title in ``*bold*`` (as Telegram's caption has it in
    ``<b>``), then the body and footer, all escaped."""
    lines = [f"*{escape(reply.title.strip())}*"] if reply.title.strip() else []
    lines += [escape(line) for line in reply.body]
    if reply.footer:
        lines.append(escape(reply.footer))
    return _clip("\n".join(lines).strip(), TEXT_MAX) or "…"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sections(lines: list[str], bold_first: bool) -> list[dict[str, Any]]:
    out: list[list[str]] = []
    chunk: list[str] = []
    size = 0
    for i, raw in enumerate(lines):
        line = escape(raw)
        if i == 0 and bold_first and line.strip():
            line = f"*{line.strip()}*"
        if chunk and size + len(line) + 1 > SECTION_MAX:
            out.append(chunk)
            chunk, size = [], 0
        chunk.append(_clip(line, SECTION_MAX))
        size += len(line) + 1
    if chunk:
        out.append(chunk)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(c)}}
            for c in out if "\n".join(c).strip()]


def render_blocks(reply: Reply) -> list[dict[str, Any]]:
    """The ``Reply`` as Block Kit: header = title, section(s) = body, context = footer."""
    blocks: list[dict[str, Any]] = []
    if reply.title:
        blocks.append({"type": "header", "text": {
            "type": "plain_text", "text": _clip(reply.title, HEADER_MAX), "emoji": True}})
    body = list(reply.body)
    while body and not body[0].strip():
        body.pop(0)
    blocks += _sections(body, bold_first=reply.intent == "kpi" and reply.error is None)
    if reply.footer:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _clip(escape(reply.footer), CONTEXT_MAX)}]})
    blocks = blocks[:49] if reply.buttons else blocks[:50]
    if reply.buttons:  # an alert's buttons: one actions block (``app.action(BUTTON_ACTION)``)
        blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK,
                       "elements": button_elements(reply.buttons)})
    return blocks


#: The ``block_id`` of an alert's actions block.
ACTIONS_BLOCK = "kpibot_alert"


def button_elements(buttons: Sequence[Button]) -> list[dict[str, Any]]:
    return [{"type": "button", "action_id": f"{BUTTON_PREFIX}{b.action}", "value": b.token,
             "text": {"type": "plain_text", "text": _clip(b.label, BUTTON_TEXT_MAX),
                      "emoji": True}}
            for b in buttons]


def marked_blocks(blocks: Any, mark: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A pressed alert's blocks with its actions block showing what the press did
    (``bot.reply.marked``); None when there is nothing to change."""
    if not isinstance(blocks, list):
        return None
    actions = next((b for b in blocks if isinstance(b, dict)
                    and b.get("block_id") == ACTIONS_BLOCK), None)
    if actions is None:
        return None
    current = parse_buttons([(str((e.get("text") or {}).get("text", "")), str(e.get("value", "")))
                             for e in actions.get("elements") or [] if isinstance(e, dict)])
    after = marked(current, str(mark.get("action", "")), str(mark.get("label", "")))
    if not current or after == current:
        return None
    return [{**b, "elements": button_elements(after)} if b is actions else b for b in blocks]


#: An alert button's ``action_id`` prefix; its ``value`` is the press token.
BUTTON_PREFIX = "kpibot_alert_"


def fallback_text(reply: Reply) -> str:
    """The text Slack shows in notifications and where blocks can't be shown. It is mrkdwn
    too: escaped like the blocks, so a name from an import (``<!here>``, ``<!channel>``,
    ``<@U…>``, ``<https://…|label>``) is shown as typed and never pings or links."""
    return _clip(escape(reply.text.strip()), TEXT_MAX) or "…"


#: Replies only the asker sees: help, and an admin's one-time join code.
EPHEMERAL_INTENTS = frozenset({"help", "start", "invite"})


def is_ephemeral(reply: Reply) -> bool:
    """Help, errors and join codes are shown only to the asker."""
    return reply.ephemeral or reply.error is not None or reply.intent in EPHEMERAL_INTENTS


def command_words(app: App) -> list[str]:
    """Every ``/word`` the router and the vocabulary know, as Slack would send it."""
    words = set(COMMANDS)
    for command in app.router.commands.values():
        words.update((command.id_name, command.en_name))
    return sorted(f"/{w}" for w in words)


# -- pacing ---------------------------------------------------------------------------------------

class ChannelPacer:
    """About one message per second per channel (Slack's ``chat.postMessage`` guidance).

    Each call to ``wait(channel)`` reserves the channel's next free slot and sleeps until it;
    different channels never wait for each other."""

    def __init__(self, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._next: dict[str, float] = {}

    async def wait(self, channel: str) -> None:
        now = self.clock()
        at = max(now, self._next.get(channel, now))
        self._next[channel] = at + self.interval
        if len(self._next) > 10_000:  # forget channels whose slot is in the past
            self._next = {c: n for c, n in self._next.items() if n > now}
        if at > now:
            await asyncio.sleep(at - now)


# -- the Bolt app -------------------------------------------------------------------------------

def build_client(app: App) -> AsyncWebClient:
    """The Web API client: ``KPIBOT_SLACK_API_URL`` (tests, proxies) and 429 retries."""
    s = app.settings
    assert s.slack_bot_token is not None
    base_url = s.slack_api_url or SLACK_API_URL
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=s.slack_bot_token.get_secret_value(), base_url=base_url,
        retry_handlers=[*async_default_handlers(),
                        AsyncRateLimitErrorRetryHandler(max_retry_count=3)])


def build_bolt_app(platform: SlackPlatform) -> AsyncApp:
    """The ``AsyncApp`` with its listeners: thin, ``ack()`` first, the router does the rest."""
    s = platform.app.settings
    secret = s.slack_signing_secret.get_secret_value() if s.slack_signing_secret else ""
    bolt = AsyncApp(client=platform.client, signing_secret=secret, name="kpibot",
                    logger=logging.getLogger("adapters.chat.slack.bolt"),
                    request_verification_enabled=True, process_before_response=False)
    known = "|".join(re.escape(w) for w in command_words(platform.app))

    async def slash_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond,
                            context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
        """A slash command: acknowledge, then answer in the channel (ephemeral for help and
        errors). A replay (a request whose signature was seen before) is acknowledged and
        not run again; the check comes after the ack, so no ack waits for the database."""
        await ack()
        platform.bot_user_id = context.bot_user_id or platform.bot_user_id
        if not await platform.first_signature(request.headers.get("x-slack-signature")):
            log.info("slack: a replayed command was answered and not run again")
            return
        await platform.on_command(command, respond)

    bolt.command(re.compile(rf"^(?:{known})$"))(slash_command)
    # a command added to the manifest before the router knows it: the router says so
    bolt.command(re.compile(r"^/[\w-]+$"))(slash_command)

    @bolt.action(re.compile(rf"^{BUTTON_PREFIX}"))
    async def button(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                     respond: AsyncRespond) -> None:
        """A press on an alert's button (``block_actions``; Bolt has checked the signature):
        acknowledged at once (Slack wants it within 3 s), then checked and run like a
        command (``bot.alert_buttons``); the answer goes to the channel."""
        await ack()
        await platform.on_button(body, action, respond)

    @bolt.event("app_mention")
    async def app_mention(event: dict[str, Any], body: dict[str, Any],
                          context: AsyncBoltContext) -> None:
        """``@KPI Bot berapa reach minggu ini?``: answered in the mention's thread."""
        platform.bot_user_id = context.bot_user_id or platform.bot_user_id
        if await platform.first_time(body.get("event_id")):
            await platform.on_mention(event)

    @bolt.event("message")
    async def message(event: dict[str, Any], body: dict[str, Any],
                      context: AsyncBoltContext) -> None:
        """A direct message (``message.im``) in plain sentences, or a shared CSV/XLSX to
        import; other messages are ignored."""
        platform.bot_user_id = context.bot_user_id or platform.bot_user_id
        if (event.get("channel_type") == "im"
                and event.get("subtype") in (None, "file_share")
                and not event.get("bot_id") and await platform.first_time(body.get("event_id"))):
            await platform.on_direct_message(event)

    return bolt


# -- the platform -------------------------------------------------------------------------------

class SlackPlatform:
    """Slack for ``kpibot serve`` (the ``Platform`` protocol of ``adapters.http.server``)."""

    name = "slack"

    def __init__(self, app: App, *, interval: float = 1.0, workers: int = 2) -> None:
        s = app.settings
        if s.slack_bot_token is None:
            raise SlackConfigError("KPIBOT_SLACK_BOT_TOKEN is not set")
        self.socket_mode = s.slack_app_token is not None
        if not self.socket_mode and s.slack_signing_secret is None:
            raise SlackConfigError(
                "Slack over HTTP needs KPIBOT_SLACK_SIGNING_SECRET (or set "
                "KPIBOT_SLACK_APP_TOKEN for Socket Mode)")
        self.app = app
        self.bot_user_id: str | None = None  # learned from Bolt (auth.test): its own mention
        self.client = build_client(app)
        self.pacer = ChannelPacer(interval)
        # at most ``workers`` answers are computed at once: more router threads only take the
        # GIL from the event loop, and every ack waits (bench/slack.py)
        self._workers = asyncio.Semaphore(workers)
        self.bolt = build_bolt_app(self)
        self._socket: Any = None  # AsyncSocketModeHandler, made in start()
        self._session: Any = None
        self._inflight: set[asyncio.Task[Any]] = set()

    # -- Platform ------------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [] if self.socket_mode else [web.post(EVENTS_PATH, self.events)]

    async def start(self) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession()
        self.client.session = self._session  # one connection pool for every API call
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            token = self.app.settings.slack_app_token
            assert token is not None
            self._socket = AsyncSocketModeHandler(self.bolt, token.get_secret_value(),
                                                  web_client=self.client)
            await self._socket.connect_async()
        log.info("Slack is on (%s)", "Socket Mode" if self.socket_mode else EVENTS_PATH)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=10)
        if self._session is not None:
            await self._session.close()
            self.client.session = None
            self._session = None

    async def send(self, chat_id: str, reply: Reply, *, thread_ts: str | None = None) -> None:
        """Post a reply in a channel (or thread): Block Kit, or the chart upload with the text
        as its comment. Raises ``SlackApiError`` when Slack refuses."""
        await self.pacer.wait(chat_id)
        if reply.chart:
            filename = "chart.png" if reply.lang == "en" else "grafik.png"
            await self.client.files_upload_v2(
                channel=chat_id, file=reply.chart, filename=filename,
                title=reply.title or "KPI", alt_txt=_clip(reply.title or "KPI chart", 1000),
                initial_comment=caption(reply), thread_ts=thread_ts)
            return
        await self.client.chat_postMessage(
            channel=chat_id, text=fallback_text(reply), blocks=render_blocks(reply),
            thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)

    # -- HTTP ----------------------------------------------------------------------------------
    async def events(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: Bolt verifies the signature, acks and dispatches. A
        timestamp that is not a number is refused (401) before Bolt sees it. Replays are
        answered and not run again by the listeners, after the ack: a slash command by its
        signature, an event by its ``event_id``."""
        stamp = request.headers.get("X-Slack-Request-Timestamp", "").strip()
        if not stamp.isdigit() or len(stamp) > 12:
            return web.Response(status=401, text="invalid request")
        bolt_response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    # -- listeners' work -----------------------------------------------------------------------
    async def first_signature(self, signatures: Sequence[str] | None) -> bool:
        """False for a slash command whose signature was seen before (a replay inside the
        5-minute window; Bolt has already checked that the signature is valid)."""
        signature = signatures[0] if signatures else ""
        if not signature:
            return True
        return await self._first_sighting(f"slack:sig:{signature}", REPLAY_KEEP)

    async def first_time(self, event_id: str | None) -> bool:
        """False for an event already seen (Slack retries an event it thinks was lost, with
        a new signature and ``X-Slack-Retry-Num``; the ``event_id`` stays)."""
        if not event_id:
            return True
        return await self._first_sighting(f"slack:event:{event_id}", EVENT_KEEP)

    async def _first_sighting(self, key: str, keep: timedelta) -> bool:
        """Remembered in the database, so replicas and restarts agree; when the database
        can't say, the request runs (the command's own checks still hold)."""
        try:  # within Slack's 3-second ack, even while another writer holds SQLite's lock
            return await asyncio.wait_for(asyncio.to_thread(
                first_sighting, self.app.store, key, datetime.now(UTC), keep), SIGHTING_WAIT)
        except Exception as exc:  # one line, no stack trace (like Telegram's)
            log.warning("slack: could not check for a replay: %s", type(exc).__name__)
            return True

    async def on_command(self, command: dict[str, Any], respond: AsyncRespond) -> None:
        channel = command.get("channel_id", "")
        request = Request(
            text=f"{command.get('command', '')} {plain_text(command.get('text') or '', self.bot_user_id)}".strip(),
            platform="slack", chat_id=channel, user_id=command.get("user_id", ""),
            user_name=command.get("user_name", ""), chat_type=_chat_type(channel))
        async with self._working():
            reply = await self._answer(request)
            try:
                if is_ephemeral(reply):
                    await self._respond(respond, reply, "ephemeral")
                    return
                try:
                    await self.send(channel, reply)
                except SlackApiError as exc:
                    if _error(exc) not in CANNOT_POST:
                        raise
                    # the bot isn't in this channel: the command's response_url still works
                    if reply.chart:
                        reply = _without_chart(reply)
                    await self._respond(respond, reply, "in_channel")
            except Exception:
                log.exception("slack: answering %s in %s failed", command.get("command"),
                              channel)
                await self._respond(respond, Reply(body=[t("internal_error", reply.lang)],
                                                   error="internal_error"), "ephemeral")

    async def on_button(self, body: dict[str, Any], action: dict[str, Any],
                        respond: AsyncRespond) -> None:
        channel = (body.get("channel") or {}).get("id", "")
        user = body.get("user") or {}
        request = Request(text="", platform="slack", chat_id=channel,
                          user_id=user.get("id", ""), user_name=user.get("username", ""),
                          chat_type=_chat_type(channel))
        async with self._working():
            reply = await asyncio.to_thread(press, self.app.router, request,
                                            str(action.get("value") or ""))
            await self._mark_pressed(channel, body, reply)
            try:
                if reply.chart:
                    await self.send(channel, reply)
                else:  # the answer to one press: seen by the one who pressed
                    await self._respond(respond, reply, "ephemeral")
            except Exception:
                log.exception("slack: answering a button in %s failed", channel)

    async def _mark_pressed(self, channel: str, body: dict[str, Any], reply: Reply) -> None:
        """After a press that did something, the alert's buttons show it (``chat.update``
        of the message the press came from); a failure is logged, the answer still goes."""
        mark = reply.data.get("mark")
        message = body.get("message") or {}
        ts = message.get("ts") or (body.get("container") or {}).get("message_ts")
        if not isinstance(mark, dict) or not ts:
            return
        blocks = marked_blocks(message.get("blocks"), mark)
        if blocks is None:
            return
        try:
            await self.client.chat_update(channel=channel, ts=str(ts), blocks=blocks,
                                          text=str(message.get("text") or ""))
        except Exception as exc:
            log.info("slack: the pressed alert's buttons were not updated: %s",
                     _error(exc) if isinstance(exc, SlackApiError) else type(exc).__name__)

    async def on_mention(self, event: dict[str, Any]) -> None:
        channel = event.get("channel", "")
        thread = event.get("thread_ts") or event.get("ts")
        async with self._working():
            request = await self._message_request(
                event, _chat_type(channel, event.get("channel_type")))
            reply = await self._answer(request)
            try:
                if is_ephemeral(reply):
                    await self.client.chat_postEphemeral(
                        channel=channel, user=request.user_id, text=fallback_text(reply),
                        blocks=render_blocks(reply), thread_ts=thread)
                else:
                    await self.send(channel, reply, thread_ts=thread)
            except Exception:
                log.exception("slack: answering a mention in %s failed", channel)

    async def on_direct_message(self, event: dict[str, Any]) -> None:
        channel = event.get("channel", "")
        async with self._working():
            reply = await self._answer(await self._message_request(event, "private"))
            try:
                await self.send(channel, reply)
            except Exception:
                log.exception("slack: answering a direct message in %s failed", channel)

    async def _message_request(self, event: dict[str, Any], chat_type: str) -> Request:
        """A mention or DM → ``Request``; a CSV/XLSX shared with it is an import (``/impor``
        unless the text names another command)."""
        text = plain_text(event.get("text") or "", self.bot_user_id)
        base = {"platform": "slack", "chat_id": event.get("channel", ""),
                "user_id": event.get("user", ""), "chat_type": chat_type}
        files = [f for f in event.get("files") or [] if isinstance(f, dict)]
        if not files:
            return Request(text=text, **base)
        file = files[0]
        first = text.split(maxsplit=1)[0].lstrip("/").lower() if text else ""
        if first not in COMMANDS:
            text = f"/impor {text}".strip()
        size = int(file.get("size") or 0)
        request = Request(text=text, attachment_name=str(file.get("name") or ""),
                          attachment_size=size or None, **base)
        # only editors' files are fetched: the router refuses the others without them
        if size <= CHAT_MAX_BYTES and await asyncio.to_thread(
                self.app.router.allows, request, "import"):
            request = replace(request, attachment=await self._download(file))
        return request

    async def _download(self, file: dict[str, Any]) -> bytes | None:
        """A shared file's bytes (``files:read``); the token goes to Slack's hosts only."""
        import aiohttp

        url = str(file.get("url_private_download") or file.get("url_private") or "")
        host = urlsplit(url).hostname or ""
        if host not in ("files.slack.com", urlsplit(self.client.base_url).hostname):
            log.warning("slack: not downloading a file from %s", host or "nowhere")
            return None
        headers = {"Authorization": f"Bearer {self.client.token}"}
        own = self._session is None
        session = aiohttp.ClientSession() if own else self._session
        try:
            async with session.get(url, headers=headers) as resp:
                data: bytes = await resp.content.read(CHAT_MAX_BYTES + 1)
                if resp.status != 200:
                    log.warning("slack: file download answered %s", resp.status)
                    return None
                return data
        except aiohttp.ClientError:
            log.exception("slack: file download failed")
            return None
        finally:
            if own:
                await session.close()

    async def _answer(self, request: Request) -> Reply:
        async with self._workers:
            return await answer(self.app, request)

    async def _respond(self, respond: AsyncRespond, reply: Reply, response_type: str) -> None:
        result = await respond(text=fallback_text(reply), blocks=render_blocks(reply),
                               response_type=response_type)
        if result.status_code != 200:
            log.warning("slack: response_url answered %s", result.status_code)

    def _working(self) -> _Working:
        return _Working(self._inflight)


class _Working:
    """Tracks the current task so ``stop()`` can let answers in flight finish."""

    def __init__(self, tasks: set[asyncio.Task[Any]]) -> None:
        self.tasks = tasks
        self.task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> None:
        self.task = asyncio.current_task()
        if self.task is not None:
            self.tasks.add(self.task)

    async def __aexit__(self, *exc: object) -> None:
        if self.task is not None:
            self.tasks.discard(self.task)


def _chat_type(channel: str, channel_type: str | None = None) -> str:
    if channel_type == "im" or channel.startswith("D"):
        return "private"
    return "group"


def _error(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error", ""))
    except Exception:
        return ""


def _without_chart(reply: Reply) -> Reply:
    note = translate(MESSAGES, "chart_needs_member", reply.lang)
    return Reply(title=reply.title, body=[*reply.body, "", note], footer=reply.footer,
                 intent=reply.intent, data=reply.data, lang=reply.lang)


# -- delivery rules and the registry ---------------------------------------------------------

#: ``chat.postMessage`` errors that no retry will fix (the channel is gone, the bot removed).
PERMANENT_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived",
                              "account_inactive", "msg_too_long", "no_text",
                              "restricted_action", "user_is_bot"})
#: How fast the outbox may send there.
LIMITS = Limits(per_second=None, chat_interval=1.05)


@dataclass(frozen=True)
class SlackPolicy:
    """Slack's limits (about 1 message/s per channel) and its errors: a 429 waits its
    ``Retry-After``, ``PERMANENT_ERRORS`` need no retry."""

    limits: Limits = LIMITS

    def classify(self, exc: BaseException) -> Failure:
        retry_after = retry_after_of(exc)
        error = ""
        response = getattr(exc, "response", None)
        if response is not None:
            with contextlib.suppress(Exception):
                error = str(response.get("error") or "")
        return Failure(retry_after, error in PERMANENT_ERRORS and retry_after is None)


PLATFORM = PlatformKind(name="slack", enabled=lambda s: s.slack_enabled, make=SlackPlatform,
                        policy=SlackPolicy(), mention=USER_MENTION)
