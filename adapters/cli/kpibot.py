"""The ``kpibot`` command line (SPEC §9): a stable contract for scripts and operators."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from config.settings import CHAT_PLATFORMS, Settings, load_settings
from kpi_engine.domain.model import Role, Workspace
from kpi_engine.services import linking, workspaces
from kpi_engine.storage.db import SchemaOutOfDate
from kpi_engine.storage.store import Store

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bot.bootstrap import App

log = logging.getLogger("kpibot")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kpibot",
        description="KPI Bot: social-media KPIs in chat (Telegram, Slack, console).",
        epilog="Settings come from KPIBOT_* environment variables or a .env file; "
               "see README.md.")
    p.add_argument("--db", metavar="URL",
                   help="SQLAlchemy database URL (default: KPIBOT_DATABASE_URL, "
                        "else sqlite:///kpibot.db)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    d = sub.add_parser("demo", help="seed the deterministic workspace 'demo', then open the "
                                    "console chat")
    d.add_argument("--no-chat", action="store_true", help="seed only")
    d.add_argument("--reset", action="store_true",
                   help="seed again over an existing demo (replaces what was recorded there)")
    d.add_argument("--now", metavar="ISO", help="fix the clock (the demo data ends that day)")

    c = sub.add_parser("chat", help="console chat: the same commands and sentences as "
                                    "Telegram/Slack")
    c.add_argument("--workspace", metavar="W")
    c.add_argument("--now", metavar="ISO", help="fix the clock")
    c.add_argument("--lang", choices=["id", "en"])

    a = sub.add_parser("ask", help="one request; without TEXT, one request per stdin line")
    a.add_argument("text", nargs="?", metavar="TEXT")
    a.add_argument("--workspace", metavar="W")
    a.add_argument("--now", metavar="ISO", help="fix the clock (ISO-8601; no offset: the "
                                                "workspace's local time)")
    a.add_argument("--lang", choices=["id", "en"])
    a.add_argument("--json", action="store_true", help="one JSON object per request")

    i = sub.add_parser("import", help="import a CSV or XLSX file; all rows or none")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--workspace", metavar="W", default="demo")
    i.add_argument("--create", action="store_true",
                   help="create workspace W when it does not exist")
    i.add_argument("--lang", choices=["id", "en"])

    ln = sub.add_parser("link", help="let a chat (or one user in it) see a workspace")
    ln.add_argument("--workspace", metavar="W", required=True)
    ln.add_argument("--platform", choices=CHAT_PLATFORMS, required=True)
    ln.add_argument("--chat", metavar="ID", required=True)
    ln.add_argument("--user", metavar="ID", default="")
    ln.add_argument("--role", choices=[r.value for r in Role], default="viewer")
    ln.add_argument("--create", action="store_true",
                    help="create workspace W when it does not exist")

    al = sub.add_parser("alerts", help="evaluate the alert rules now, queue what fires")
    al.add_argument("--workspace", metavar="W")
    al.add_argument("--now", metavar="ISO", help="fix the clock (no offset: local time)")
    al.add_argument("--json", action="store_true", help="the events as one JSON array")
    al.add_argument("--dry-run", action="store_true", help="show, queue nothing")
    dg = sub.add_parser("digest", help="build (and print) a digest")
    dg.add_argument("--workspace", metavar="W")
    dg.add_argument("--now", metavar="ISO", help="fix the clock (no offset: local time)")
    dg.add_argument("--json", action="store_true", help="one JSON object")
    dg.add_argument("--kind", choices=["daily", "weekly"], default="daily")
    dg.add_argument("--lang", choices=["id", "en"])

    tk = sub.add_parser("token", help="HTTP API tokens of a workspace: create, list, revoke")
    tks = tk.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    tc = tks.add_parser("create", help="a new token (printed once; only its hash is stored)")
    tc.add_argument("--workspace", metavar="W", required=True)
    tc.add_argument("--name", default="", help="what the token is for (e.g. n8n)")
    tks.add_parser("list", help="the tokens of a workspace").add_argument(
        "--workspace", metavar="W", required=True)
    tr = tks.add_parser("revoke", help="revoke token ID, or every token of --workspace W")
    tr.add_argument("id", nargs="?", type=int, metavar="ID")
    tr.add_argument("--workspace", metavar="W")
    from adapters.cli.sources import add_parsers

    add_parsers(sub)
    sub.add_parser("migrate", help="database schema to the latest version")
    sub.add_parser("serve", help="Telegram, Slack, HTTP API and scheduler, as configured")
    sub.add_parser("run", help="serve when a chat token is set, else demo + console chat")
    return p


def _now(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"kpibot: --now {text!r} is not an ISO-8601 date or time") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(database_url=args.db)
    except ValidationError as exc:
        problems = "; ".join(f"KPIBOT_{'_'.join(str(x) for x in e['loc']).upper()}: {e['msg']}"
                             for e in exc.errors())
        print(f"kpibot: bad setting: {problems}", file=sys.stderr)
        return 2
    # one-shot commands stay quiet unless KPIBOT_LOG_LEVEL asks otherwise; serve logs INFO
    serving = args.command == "serve" or (args.command == "run" and settings.chat_enabled)
    level = settings.log_level if "KPIBOT_LOG_LEVEL" in os.environ or serving else "WARNING"
    from adapters.http.observability import configure_logging

    configure_logging(settings, level=level)  # text or JSON lines; secrets redacted
    from adapters.cli.startup import report

    try:
        if args.command == "migrate":
            return cmd_migrate(settings)
        if args.command == "secret-key":
            from adapters.cli.sources import cmd_secret_key

            return cmd_secret_key(None, args)
        app: App | StoreOnly
        if args.command in STORE_ONLY:
            app = StoreOnly.open(settings)
        else:
            from adapters.sources import connectors
            from bot.bootstrap import bootstrap

            app = bootstrap(settings, check_schema=True, sources=connectors(settings))
    except SchemaOutOfDate as exc:
        print(f"kpibot: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # one clear line, no traceback, no secret (adapters/cli/startup.py)
        report(exc, settings, args.command)
        return 2
    try:
        return COMMANDS[args.command](app, args)  # type: ignore[arg-type]
    except Exception as exc:
        report(exc, settings, args.command)
        return 2 if args.command in ("serve", "run") else 1
    finally:
        app.close()


@dataclass
class StoreOnly:
    """What ``kpibot import`` needs: the store (the schema checked), no router, chat or
    data-source code. Loading the whole bot took about 0.3 s of a 500,000-row import."""

    settings: Settings
    engine: Engine
    store: Store

    @classmethod
    def open(cls, settings: Settings) -> StoreOnly:
        from kpi_engine.storage.db import ensure_schema, make_engine

        engine = make_engine(settings.database_url)
        try:
            ensure_schema(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(settings, engine, Store(engine))

    def close(self) -> None:
        self.engine.dispose()


#: The commands that run on :class:`StoreOnly`.
STORE_ONLY = frozenset({"import"})


def cmd_migrate(settings: Settings) -> int:
    from kpi_engine.storage.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    try:
        head = migrate(engine)
    finally:
        engine.dispose()
    print(f"schema at revision {head}")
    return 0


def cmd_demo(app: App, args: argparse.Namespace) -> int:
    """Seed the demo workspace once; later runs (``make run``) leave it and what was
    recorded in it alone, unless ``--reset``."""
    from kpi_engine.services.seed import DEMO_SLUG, seed_demo

    now = _now(args.now)
    existing = app.store.workspace(DEMO_SLUG)
    if existing is not None and not args.reset:
        print(f"Workspace '{existing.slug}' ({existing.name}) sudah ada; datanya tidak diubah. "
              "Isi ulang data demo dengan `kpibot demo --reset` (menimpa nilai yang dicatat "
              "di sana).")
    else:
        tz = ZoneInfo(app.settings.timezone)
        today = (now.astimezone(tz) if now and now.tzinfo else (now or datetime.now(tz))).date()
        ws, result = seed_demo(app.store, today, timezone=app.settings.timezone,
                               language=app.settings.language)
        print(f"Workspace '{ws.slug}' ({ws.name}): {result.written} snapshot ditulis "
              f"({result.replaced} menggantikan nilai lama), data sampai {today.isoformat()}.")
        existing = ws
    ws = existing
    if args.no_chat:
        return 0
    from adapters.chat.console import run_console

    return run_console(app, workspace=ws.slug, now=now)


def cmd_chat(app: App, args: argparse.Namespace) -> int:
    from adapters.chat.console import run_console

    return run_console(app, workspace=args.workspace, now=_now(args.now), lang=args.lang)


def cmd_ask(app: App, args: argparse.Namespace) -> int:
    from bot.reply import Request

    now = _now(args.now)
    texts = [args.text] if args.text is not None else [line.rstrip("\n") for line in sys.stdin]
    for text in texts:
        reply = app.router.handle(Request(text=text, platform="cli", now=now, lang=args.lang,
                                          workspace=args.workspace))
        if args.json:
            print(json.dumps(reply.as_json(), ensure_ascii=False))
        else:
            from adapters.chat.console import render  # control characters escaped

            print(render(reply))
            if len(texts) > 1:
                print()
    return 0


def cmd_import(app: App | StoreOnly, args: argparse.Namespace) -> int:
    from kpi_engine.domain.validation import local_today
    from kpi_engine.services.importer import ImportFileError
    from kpi_engine.services.ingest import CLI_MAX_BYTES, import_bytes

    path = Path(args.file)
    if not path.is_file():
        print(f"kpibot: file not found: {path}", file=sys.stderr)
        return 2
    ws = _workspace(app, args.workspace, create=args.create)
    if ws is None:
        return 1
    lang = args.lang or ws.language
    if path.stat().st_size > CLI_MAX_BYTES:
        print(f"kpibot: {path.name} is larger than {CLI_MAX_BYTES // 2**20} MB; split it",
              file=sys.stderr)
        return 1
    try:
        done = import_bytes(app.store, ws.id, path.read_bytes(), path.name,
                            today=local_today(_clock(app), ws.timezone),
                            max_bytes=CLI_MAX_BYTES)
    except ImportFileError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    r = done.result
    if lang == "en":
        print(f"{r.written} rows written ({r.inserted} new, {r.replaced} replaced) into "
              f"workspace '{ws.slug}'.")
    else:
        print(f"{r.written} baris ditulis ({r.inserted} baru, {r.replaced} menggantikan nilai "
              f"lama) ke workspace '{ws.slug}'.")
    return 0


def _clock(app: App | StoreOnly) -> datetime:
    """The time now: the router's clock (tests fix it), else the system's."""
    router = getattr(app, "router", None)
    return router.clock() if router is not None else datetime.now(UTC)


def _workspace(app: App | StoreOnly, slug: str, *, create: bool) -> Workspace | None:
    """Workspace ``slug``; a missing one is created only when the database has none yet or
    ``--create`` is given (SPEC §9: a typo never makes a second brand). Else None, and
    the existing workspaces are named on stderr."""
    found = workspaces.find_workspace(app.store, slug)
    if found is not None:
        return found
    existing = [ws.slug for ws in workspaces.all_workspaces(app.store)]
    if existing and not create:
        names = ", ".join(existing[:20]) + (", …" if len(existing) > 20 else "")
        print(f"kpibot: there is no workspace '{slug}'. Existing: {names}. Check the name, "
              f"or add --create to make a new workspace '{slug}'.", file=sys.stderr)
        return None
    return workspaces.ensure_workspace(app.store, slug, timezone=app.settings.timezone,
                                       language=app.settings.language)


def cmd_link(app: App, args: argparse.Namespace) -> int:
    ws = _workspace(app, args.workspace, create=args.create)
    if ws is None:
        return 1
    linking.link(app.store, ws.id, args.platform, args.chat, Role(args.role), user_id=args.user)
    who = f"user {args.user} in " if args.user else ""
    print(f"Linked {who}{args.platform} chat {args.chat} to workspace '{ws.slug}' as "
          f"{args.role}.")
    return 0


def cmd_token(app: App, args: argparse.Namespace) -> int:
    from kpi_engine.services import tokens

    ws = workspaces.find_workspace(app.store, args.workspace) if args.workspace else None
    if args.token_command == "create":
        ws = ws or workspaces.ensure_workspace(app.store, args.workspace,
                                               timezone=app.settings.timezone,
                                               language=app.settings.language)
        new = tokens.create_token(app.store, ws.id, name=args.name)
        print(f"Token {new.token.id} for workspace '{ws.slug}' (shown once; keep it secret):")
        print(new.secret)
        return 0
    if args.workspace and ws is None:
        print(f"kpibot: no workspace '{args.workspace}'", file=sys.stderr)
        return 1
    if args.token_command == "list":
        assert ws is not None
        for tok in tokens.workspace_tokens(app.store, ws.id):
            state = f"revoked {tok.revoked_at:%Y-%m-%d}" if tok.revoked_at else "active"
            print(f"{tok.id}\tkpi_{tok.prefix}_…\t{state}\t{tok.name}")
        return 0
    if (args.id is None) == (ws is None):
        print("kpibot: token revoke needs a token ID or --workspace W (not both)",
              file=sys.stderr)
        return 2
    if ws is not None:
        revoked = tokens.revoke_workspace_tokens(app.store, ws.id)
        print(f"{revoked} token(s) of workspace '{ws.slug}' revoked.")
        return 0
    if not tokens.revoke_token(app.store, args.id):
        print(f"kpibot: no active token {args.id}", file=sys.stderr)
        return 1
    print(f"Token {args.id} revoked.")
    return 0


def cmd_alerts(app: App, args: argparse.Namespace) -> int:
    from adapters.cli.alerts import alerts

    return alerts(app, args)


def cmd_digest(app: App, args: argparse.Namespace) -> int:
    from adapters.cli.alerts import digest

    return digest(app, args)


def cmd_serve(app: App, _args: argparse.Namespace) -> int:
    import asyncio

    from adapters.chat.platform import PlatformConfigError
    from adapters.http.server import serve
    from kpi_engine.storage.db import ServerRunning, SqliteServerLock

    lock = SqliteServerLock.for_url(app.settings.database_url)
    try:
        if lock is not None:
            lock.acquire()
    except ServerRunning as exc:
        pid = f" (pid {exc.pid})" if exc.pid else ""
        print(f"kpibot serve: another kpibot serve{pid} is already running on the SQLite "
              f"database {exc.database}. One SQLite file takes one server: stop the other "
              "one, or use PostgreSQL to run several (docs/deploy.md).", file=sys.stderr)
        return 2
    if not app.settings.chat_enabled:
        log.warning("no chat platform is configured (KPIBOT_TELEGRAM_TOKEN, "
                    "KPIBOT_SLACK_BOT_TOKEN): serving HTTP only")
    try:
        asyncio.run(serve(app))
    except PlatformConfigError as exc:
        print(f"kpibot serve: {exc}", file=sys.stderr)
        return 2
    finally:
        if lock is not None:
            lock.release()
    return 0


def cmd_source(app: App, args: argparse.Namespace) -> int:
    from adapters.cli.sources import cmd_source as run

    return run(app, args)


def cmd_run(app: App, args: argparse.Namespace) -> int:
    if app.settings.chat_enabled:
        return cmd_serve(app, args)
    args.no_chat = False
    args.now = None
    args.reset = False  # the demo is seeded once; what a user recorded in it stays
    return cmd_demo(app, args)


COMMANDS = {
    "demo": cmd_demo, "chat": cmd_chat, "ask": cmd_ask, "import": cmd_import,
    "link": cmd_link, "serve": cmd_serve, "run": cmd_run, "token": cmd_token,
    "alerts": cmd_alerts, "digest": cmd_digest, "source": cmd_source,
}

