"""What the bot says: one ``Reply``, rendered by each adapter for its platform."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Request:
    """One message to the bot, from any platform."""

    text: str
    platform: str  # "telegram", "slack", "console", "cli", "api"
    chat_id: str = ""
    user_id: str = ""
    user_name: str = ""  # the platform's username (Telegram @username, Slack display name)
    now: datetime | None = None  # None: the clock's now
    lang: str | None = None  # an explicit reply language (``--lang``)
    workspace: str | None = None  # operator surfaces (CLI, console) name the workspace
    chat_type: str = "private"  # "private", "group", "channel"
    attachment: bytes | None = None
    attachment_name: str | None = None
    attachment_size: int | None = None  # bytes, when known before download (a refused file)


@dataclass(frozen=True)
class Button:
    """A button under a message: ``token`` is what a press sends back (``<outbox id>:<action>``,
    the action one of ``ACTIONS``); the platform adds its own prefix."""

    action: str
    label: str
    token: str


#: An alert's buttons: view the chart, snooze a day, useful, not useful.
ACTIONS = ("c", "s", "u", "d")
_LABELS = {"c": ("Lihat grafik", "View chart"), "s": ("Senyapkan 1 hari", "Snooze 1 day"),
           "u": ("👍 berguna", "👍 useful"), "d": ("👎 tidak berguna", "👎 not useful")}


def alert_buttons(row_id: int, lang: str) -> list[Button]:
    """The buttons of the alert sent as outbox row ``row_id``, labelled in ``lang``."""
    en = lang == "en"
    return [Button(action, _LABELS[action][1 if en else 0], f"{row_id}:{action}")
            for action in ACTIONS]


#: Slack's limit on a button's text (Telegram shows about as much on a phone).
BUTTON_TEXT_MAX = 75


def marked(buttons: list[Button], action: str, label: str) -> list[Button]:
    """An alert's buttons after a press did ``action``, the button showing what was done
    (``label``: "🔕 disenyapkan s/d 3 Des 16:00 oleh @ana", "👍 dicatat"): a snooze relabels
    the snooze button; a vote puts one button in place of 👍 and 👎 (its press says the
    vote is recorded, or changes it back on the other side's label). The other buttons
    stay as they are, so a second press (a snooze, then a vote) keeps the first's label."""
    label = label if len(label) <= BUTTON_TEXT_MAX else label[:BUTTON_TEXT_MAX - 1] + "…"
    out: list[Button] = []
    voted = False
    for b in buttons:
        if action == "s" and b.action == "s":
            out.append(Button("s", label, b.token))
        elif action in ("u", "d") and b.action in ("u", "d"):
            if not voted:
                head = b.token.rpartition(":")[0]
                out.append(Button(action, label, f"{head}:{action}"))
                voted = True
        else:
            out.append(b)
    return out


def parse_buttons(pairs: list[tuple[str, str]]) -> list[Button]:
    """Buttons read back from a platform's message: (label, token) pairs; what is not an
    alert button's token is left out."""
    out = []
    for label, token in pairs:
        head, _, action = token.rpartition(":")
        if head.isdigit() and action in ACTIONS:
            out.append(Button(action, label, token))
    return out


@dataclass
class Reply:
    """A reply: a title line, body lines, a footer line; ``text`` joins them as plain text.

    ``data`` is the machine-readable answer (``ask --json``, the HTTP API); ``error`` is a
    stable error code when the request could not be served.
    """

    title: str = ""
    body: list[str] = field(default_factory=list)
    footer: str = ""
    intent: str = "kpi"
    error: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    ephemeral: bool = False
    lang: str = "id"
    chart: bytes | None = None  # a PNG, when the reply has a chart
    buttons: list[Button] = field(default_factory=list)  # an alert's buttons

    @property
    def text(self) -> str:
        parts = [self.title] if self.title else []
        parts += self.body
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"intent": self.intent}
        if self.error:
            out["error"] = self.error
        out.update(self.data)
        out["text"] = self.text
        return out


#: What a database says when another writer holds its lock past the wait (SQLite's busy
#: timeout; PostgreSQL's lock or statement timeout).
_BUSY_SIGNS = ("database is locked", "database table is locked", "lock timeout",
               "could not obtain lock", "canceling statement due to")


def failure_code(exc: BaseException) -> str:
    """The error code of a request that failed: ``database_busy`` when the database was
    held by another writer (a long import), so the user hears "try again shortly" rather
    than a generic apology; ``internal_error`` for anything else."""
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        message = str(exc.orig if exc.orig is not None else exc).lower()
        if any(sign in message for sign in _BUSY_SIGNS):
            return "database_busy"
    return "internal_error"
