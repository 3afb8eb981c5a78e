"""The console chat: the same router, commands and sentences as Telegram and Slack, in a
terminal. ``/impor PATH`` imports a local file.

``ConsolePlatform`` is the console as a ``Platform`` (``adapters/chat/platform.py``): it
serves no routes and prints what it is sent. It declares no ``PLATFORM``, so
``kpibot serve`` never starts it: ``kpibot chat`` runs it (``run_console``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.alert_buttons import press
from bot.bootstrap import App
from bot.reply import Button, Reply, Request, marked

if TYPE_CHECKING:
    from aiohttp import web

PROMPT = "anda> "
EXIT_WORDS = {"keluar", "exit", "quit", "/keluar", "/exit", "/quit"}
BANNER = (
    "KPI Bot — konsol (workspace: {ws}). Tanya apa saja, misalnya:\n"
    "  /kpi reach minggu ini\n"
    "  berapa engagement instagram bulan lalu?\n"
    "  /ringkasan bulan ini   ·   /bandingkan followers   ·   /bantuan\n"
    "Ketik 'keluar' untuk berhenti."
)


CHART_DIR = Path("kpibot-charts")
CHART_SAVED = ("Grafik disimpan: {path}", "Chart saved: {path}")
CHART_NOT_SAVED = ("Grafik tidak dapat disimpan: {error}", "Could not save the chart: {error}")


#: Control characters a name from an import may carry (ANSI escapes recolour, move or clear
#: the terminal): shown as ``\x1b``-style text. Newlines and tabs stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but newline and tab escaped (``\x1b[31m`` is
    printed as those characters, never interpreted by the terminal)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def render(reply: Reply) -> str:
    """The reply as text; an alert's buttons as numbered choices (type the number)."""
    text = terminal_safe(reply.text)
    if reply.buttons:
        text += "\n" + "   ".join(f"[{i}] {b.label}" for i, b in enumerate(reply.buttons, 1))
    return text


def save_chart(reply: Reply, folder: Path = CHART_DIR) -> str:
    """Write the reply's PNG to ``folder/<timestamp>-<metric>.png``; the line to print."""
    en = reply.lang == "en"
    assert reply.chart is not None
    metric = re.sub(r"[^a-z0-9_]+", "-", str(reply.data.get("metric") or "chart").lower())
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path, n = folder / f"{stamp}-{metric}.png", 1
        while path.exists():
            n += 1
            path = folder / f"{stamp}-{metric}-{n}.png"
        path.write_bytes(reply.chart)
    except OSError as exc:
        return CHART_NOT_SAVED[en].format(error=exc.strerror or exc)
    return CHART_SAVED[en].format(path=path)


class ConsolePlatform:
    """The terminal as a chat platform: a reply "sent" to it is printed (with its chart
    saved under ``CHART_DIR``)."""

    name = "console"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.choices: list[str] = []  # the press tokens of the last alert shown, by number
        self.chat_id = ""  # the chat the last alert was sent to (its presses come from it)
        self.buttons: list[Button] = []

    def mark(self, reply: Reply) -> None:
        """After a press that did something, the alert's choices again, showing it."""
        mark = reply.data.get("mark")
        if not isinstance(mark, dict) or not self.buttons:
            return
        after = marked(self.buttons, str(mark["action"]), str(mark["label"]))
        if after != self.buttons:
            self.buttons = after
            self.choices = [b.token for b in after]
            print("   ".join(f"[{i}] {b.label}" for i, b in enumerate(after, 1)),
                  file=self.out)
            print(file=self.out)

    def routes(self) -> list[web.RouteDef]:
        return []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, chat_id: str, reply: Reply) -> None:
        if reply.buttons:
            self.chat_id = chat_id
        self.show(reply)

    def show(self, reply: Reply) -> None:
        if reply.buttons:
            self.buttons = list(reply.buttons)
            self.choices = [b.token for b in reply.buttons]
        print(render(reply), file=self.out)
        if reply.chart:
            print(save_chart(reply), file=self.out)
        print(file=self.out)


def run_console(app: App, *, workspace: str | None = None, now: datetime | None = None,
                lang: str | None = None, stdin: TextIO | None = None,
                stdout: TextIO | None = None) -> int:
    """Read lines, answer each; ends on EOF, Ctrl-C or 'keluar'."""
    inp = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = inp.isatty()
    ws = workspace or next((w.slug for w in app.store.workspaces()), "demo")
    console = ConsolePlatform(out)
    print(BANNER.format(ws=ws), file=out)
    while True:
        if interactive:
            out.write(PROMPT)
            out.flush()
        try:
            line = inp.readline()
        except KeyboardInterrupt:
            print(file=out)
            return 0
        if not line:
            return 0
        text = line.strip()
        if text.lower() in EXIT_WORDS:
            return 0
        if not text:
            continue
        request = _request(text, ws, now, lang)
        if text.isdigit() and 1 <= int(text) <= len(console.choices):  # a numbered choice
            request = replace(request, chat_id=console.chat_id)
            pressed = press(app.router, request, console.choices[int(text) - 1])
            console.show(pressed)
            console.mark(pressed)
            continue
        console.show(app.router.handle(request))


def _request(text: str, workspace: str, now: datetime | None, lang: str | None) -> Request:
    """``/impor PATH`` (``/import PATH``) attaches the local file."""
    head, _, rest = text.partition(" ")
    if head.lower() in ("/impor", "/import") and rest.strip():
        path = Path(rest.strip()).expanduser()
        data = path.read_bytes() if path.is_file() else None
        return Request(text=head, platform="console", workspace=workspace, now=now, lang=lang,
                       attachment=data, attachment_name=path.name)
    return Request(text=text, platform="console", workspace=workspace, now=now, lang=lang)
