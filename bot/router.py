"""One router for every platform: text → command → handler → ``Reply``.

Adapters hand a ``Request`` to ``Router.handle`` and render the ``Reply`` it returns. The
router finds the workspace the chat may see, the user's role, the reply language and the
local date, parses the text, checks permissions and calls the command's handler. No
exception ever leaves ``handle``: a failure is logged and answered with a short apology.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.command_names import CommandNames
from bot.conversation import SuggestionMemory, clarify_reply, small_talk_reply, understood
from bot.i18n import t
from bot.parsing import ParsedText, parse_text
from bot.reply import Reply, Request, failure_code
from bot.vocabulary import COMMANDS
from kpi_engine.domain.model import Channel, Role, Workspace
from kpi_engine.services import linking, workspaces
from kpi_engine.services.workspaces import Store

log = logging.getLogger(__name__)

#: Surfaces that name their workspace themselves: the operator's CLI and console (admin), and
#: the HTTP API, whose token has already chosen the workspace (read-only: viewer).
OPERATOR_PLATFORMS = frozenset({"cli", "console"})
TOKEN_PLATFORMS = frozenset({"api"})


@dataclass
class Context:
    """Everything a handler needs about the request it serves."""

    request: Request
    workspace: Workspace
    role: Role
    lang: str
    now: datetime
    today: date
    channels: list[Channel]
    campaigns: list[str]
    parsed: ParsedText
    store: Store


Handler = Callable[[Context], Reply]
#: Reads a request before its command: a reply answers it, None hands it on.
MetricReader = Callable[[Context], "Reply | None"]


@dataclass(frozen=True)
class Command:
    """A command users can call: its names (declared once, in ``bot.command_names``), the
    role it needs, its help line."""

    names: CommandNames
    role: Role
    handler: Handler
    help_id: str
    help_en: str
    needs_link: bool = True  # False: served in unlinked chats too (help, start)
    #: Answered from a few reads of the database: writes nothing, renders no chart, reads
    #: no file. On an in-process database such a command may run on the event loop.
    quick: bool = False

    @property
    def name(self) -> str:
        """The canonical name (``bot.vocabulary.COMMANDS`` values)."""
        return self.names.name

    @property
    def id_name(self) -> str:
        return self.names.id_name

    @property
    def en_name(self) -> str:
        return self.names.en_name


def error_reply(code: str, lang: str, **params: object) -> Reply:
    text = t(code, lang, **params)
    return Reply(body=[text], intent="error", error=code, lang=lang, ephemeral=True)


class Router:
    def __init__(self, store: Store, *, clock: Callable[[], datetime] | None = None,
                 default_language: str = "id") -> None:
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.default_language = default_language
        self.commands: dict[str, Command] = {}
        #: each chat's last "maksud Anda …?", accepted by a bare "ya"
        self.suggestions = SuggestionMemory()
        #: read a metric question before it is asked back or answered: a word the parser
        #: could not place may be an audience bucket ("followers ig jakarta"); a reply here
        #: answers it (reads only, so it may run on the quick path)
        self.metric_readers: list[MetricReader] = []

    def register(self, command: Command) -> None:
        self.commands[command.name] = command

    # -- entry point --------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        """Answer one request. Never raises; never puts a trace in the reply."""
        try:
            reply = self._handle(request)
            if reply is None:  # only the quick path gives up; this is not it
                raise RuntimeError("the router gave no reply")
            return reply
        except Exception as exc:
            log.exception("request failed (platform=%s chat=%s)", request.platform,
                          request.chat_id)
            lang = request.lang or self.default_language
            return error_reply(failure_code(exc), lang)

    def handle_quick(self, request: Request) -> Reply | None:
        """The answer, when it is a ``quick`` command on an in-process database (SQLite):
        a few reads, no write, no chart, nothing that could wait on a lock or the network,
        so an adapter may call this on its event loop. ``None``: anything else, to be
        answered by ``handle`` off the loop. Never raises."""
        if not self.store.in_process or request.attachment is not None:
            return None
        word = _command_word(request.text)
        if word is not None and not getattr(self.commands.get(word), "quick", False):
            return None  # an explicit slow command: not even a read here
        try:
            with self.store.reading():
                return self._handle(request, quick=True)
        except Exception as exc:
            log.exception("request failed (platform=%s chat=%s)", request.platform,
                          request.chat_id)
            return error_reply(failure_code(exc), request.lang or self.default_language)

    def _handle(self, req: Request, quick: bool = False) -> Reply | None:
        """The reply; with ``quick``, ``None`` as soon as the request turns out not to be
        quick (before any write)."""
        now = req.now or self.clock()
        access = self._access(req)
        if isinstance(access, Reply):
            return access
        if access is None:
            if quick:  # ``/start KODE`` links the chat: a write
                return None
            return self._unlinked(req, now if now.tzinfo else now.replace(tzinfo=UTC))
        workspace, role = access
        if req.platform not in OPERATOR_PLATFORMS | TOKEN_PLATFORMS and req.user_name:
            # who is who in this chat, for ``/peran @name``
            aware = now if now.tzinfo else now.replace(tzinfo=UTC)
            if quick and not linking.knows_user(self.store, req.platform, req.chat_id,
                                                req.user_id, req.user_name, aware):
                return None
            linking.remember_user(self.store, req.platform, req.chat_id, req.user_id,
                                  req.user_name, aware)
        tz = ZoneInfo(workspace.timezone)
        # a clock without an offset (``--now 2026-11-22``) is the workspace's local time
        local_now = now.astimezone(tz) if now.tzinfo else now.replace(tzinfo=tz)
        today = local_now.date()
        channels, campaigns = workspaces.channels_and_campaigns(self.store, workspace.id)
        names = [c.name for c in channels]
        parsed = parse_text(req.text, today, channels=names, campaigns=campaigns)
        lang = req.lang or parsed.lang or workspace.language or self.default_language
        key = (req.platform, req.chat_id, req.user_id, str(workspace.id))
        aware = now if now.tzinfo else now.replace(tzinfo=tz)
        if parsed.command == "confirm":  # "ya" after "maksud Anda …?"
            question = self.suggestions.peek(key, aware)
            if question is None:
                return error_reply("confirm_nothing", lang)
            answer = self._handle(replace(req, text=question), quick)
            if answer is not None:  # answered (not handed on to ``handle``): forget it
                self.suggestions.forget(key)
            return answer
        reply = self._answer(req, parsed, lang, quick, workspace, role, local_now, channels,
                             campaigns)
        if reply is not None and reply.error:
            if parsed.corrected and parsed.suggestion:
                self.suggestions.remember(key, parsed.corrected, aware)
            if not reply.data and parsed.command in CLARIFIED:
                reply.data.update(understood(parsed))  # ask --json: what was read
        return reply

    def _answer(self, req: Request, parsed: ParsedText, lang: str, quick: bool,
                workspace: Workspace, role: Role, local_now: datetime, channels: list[Channel],
                campaigns: list[str]) -> Reply | None:
        """The reply to a parsed request (``None``: not quick, with ``quick``)."""
        today = local_now.date()
        if parsed.command == "empty":
            return error_reply("empty", lang)
        if parsed.command == "smalltalk":
            return small_talk_reply(parsed, lang)
        if parsed.command == "kpi" and self.metric_readers and role.allows(Role.VIEWER):
            ctx = Context(req, workspace, role, lang, local_now, today, channels, campaigns,
                          parsed, self.store)
            for reader in self.metric_readers:
                early = reader(ctx)
                if early is not None:
                    return early
        if parsed.unclear and parsed.command in CLARIFIED and not _answered_by_handler(parsed):
            return clarify_reply(parsed, lang, [c.name for c in channels], campaigns)
        if parsed.command == "unknown":
            if parsed.command_word:
                return error_reply("unknown_command", lang, word=parsed.command_word)
            if parsed.unknown_metric:
                return unknown_metric_reply(parsed, lang)
            return error_reply("not_understood", lang)
        if parsed.text is not None:  # a command in the middle, or a sentence for /alert
            req = replace(req, text=parsed.text)
        command = self.commands.get(parsed.command)
        if command is None:
            return error_reply("not_available", lang,
                               word=parsed.command_word or parsed.command)
        if not role.allows(command.role):
            return error_reply("no_permission", lang, role=command.role.value,
                               current=role.value)
        if quick and not command.quick:
            return None
        ctx = Context(req, workspace, role, lang, local_now, today, channels, campaigns, parsed,
                      self.store)
        return command.handler(ctx)

    def allows(self, request: Request, command: str) -> bool:
        """Would this chat and user be allowed to run ``command``? Adapters ask before work
        the router would refuse anyway (downloading a file for ``import``)."""
        try:
            access = self._access(request)
        except Exception:
            log.exception("access check failed (platform=%s)", request.platform)
            return False
        found = self.commands.get(command)
        return isinstance(access, tuple) and found is not None and access[1].allows(found.role)

    def _access(self, req: Request) -> tuple[Workspace, Role] | Reply | None:
        if req.platform in TOKEN_PLATFORMS:
            ws = workspaces.find_workspace(self.store, req.workspace) if req.workspace else None
            return (ws, Role.VIEWER) if ws else None
        if req.platform in OPERATOR_PLATFORMS:
            slug = req.workspace
            if slug is None:
                found = workspaces.all_workspaces(self.store)
                if not found:
                    return error_reply("no_workspace", req.lang or self.default_language,
                                       name="demo")
                return found[0], Role.ADMIN
            ws = workspaces.find_workspace(self.store, slug)
            if ws is None:
                return error_reply("no_workspace", req.lang or self.default_language,
                                   name=slug)
            return ws, Role.ADMIN
        return linking.access(self.store, req.platform, req.chat_id, req.user_id)

    def _unlinked(self, req: Request, now: datetime) -> Reply:
        """An unlinked chat may ask for help or join with a code; it learns nothing else."""
        parsed = parse_text(req.text, now.date())
        lang = req.lang or parsed.lang or self.default_language
        if parsed.command == "smalltalk":
            return small_talk_reply(parsed, lang)
        command = self.commands.get(parsed.command)
        if command is not None and not command.needs_link:
            ctx = Context(req, _NOBODY, Role.VIEWER, lang, now, now.date(), [], [], parsed,
                          self.store)
            return command.handler(ctx)
        return error_reply("not_linked", lang)


_NOBODY = Workspace(id=0, slug="", name="")


def _command_word(text: str) -> str | None:
    """The canonical command of a text that starts with ``/command`` (``/kpi@bot`` too);
    ``None`` for a sentence or an unknown command word."""
    stripped = text.lstrip()
    if not stripped.startswith("/"):
        return None
    word = stripped[1:].split(maxsplit=1)[0] if len(stripped) > 1 else ""
    return COMMANDS.get(word.split("@", 1)[0].lower())


#: Commands whose request is answered with a question when a word is not understood.
CLARIFIED = frozenset({"kpi", "summary", "chart", "compare", "roi", "record", "why", "rank",
                       "unknown"})


def _answered_by_handler(parsed: ParsedText) -> bool:
    """A misspelt metric, or a channel the workspace lacks with no close one: the command's
    own reply says so (naming the metric's suggestion, or the channels there are)."""
    if parsed.unclear_kind == "metric":
        return bool(parsed.unknown_metric)
    return parsed.unclear_kind == "channel" and bool(parsed.unknown_channel) and \
        not parsed.suggestion


def unknown_metric_reply(parsed: ParsedText, lang: str) -> Reply:
    word = parsed.unknown_metric or ""
    if parsed.suggestion:
        # "ya" accepts the suggestion when the router remembers a corrected question
        key = "unknown_metric_yes" if parsed.corrected else "unknown_metric"
        reply = error_reply(key, lang, word=word, suggestion=parsed.suggestion)
        reply.error = "unknown_metric"
        reply.data.update(understood(parsed), unclear=parsed.unclear or word,
                          unclear_kind="metric", suggestion=parsed.suggestion)
        return reply
    reply = error_reply("unknown_metric_nosuggest", lang, word=word)
    reply.data.update(understood(parsed))
    return reply
