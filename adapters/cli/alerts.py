"""``kpibot alerts`` and ``kpibot digest`` (SPEC §9)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from adapters.chat.console import terminal_safe
from bot.bootstrap import App


def _now(app: App, text: str | None, timezone: str) -> datetime:
    """``--now``: ISO-8601; without an offset it is the workspace's local time."""
    if not text:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"kpibot: --now {text!r} is not an ISO-8601 date or time") from None
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(timezone))


def alerts(app: App, args: argparse.Namespace) -> int:
    """Evaluate every rule now (or at ``--now``); queue what fires unless ``--dry-run``."""
    from bot.alert_views import render
    from kpi_engine.services.alert_tick import run_alert_tick

    ids = None
    timezone = app.settings.timezone
    if args.workspace:
        ws = app.store.workspace(args.workspace)
        if ws is None:
            print(f"kpibot: no workspace '{args.workspace}'", file=sys.stderr)
            return 1
        ids, timezone = [ws.id], ws.timezone
    found = run_alert_tick(app.store, _now(app, args.now, timezone), render,
                           workspace_ids=ids, dry_run=args.dry_run)
    if args.json:
        print(json.dumps([q.as_json() for q in found], ensure_ascii=False))
        return 0
    for q in found:
        chats = ", ".join(f"{p}:{c}" for p, c in q.chats) or "(no linked chat)"
        print(terminal_safe(f"[{q.event.state}] {q.rendered.title}\n{q.rendered.body}\n"
                            f"→ {chats}\n"))
    verb = "found" if args.dry_run else "queued"
    print(f"{len(found)} alert event(s) {verb}.")
    return 0


def digest(app: App, args: argparse.Namespace) -> int:
    """Build and print a digest (nothing is queued)."""
    from bot.digest_views import render_digest
    from kpi_engine.services.digests import build_digest

    ws = app.store.workspace(args.workspace) if args.workspace else next(
        iter(app.store.workspaces()), None)
    if ws is None:
        print(f"kpibot: no workspace '{args.workspace or ''}'", file=sys.stderr)
        return 1
    now = _now(app, args.now, ws.timezone)
    day = now.astimezone(ZoneInfo(ws.timezone)).date()
    built = build_digest(app.store, ws, args.kind, day, now, lang=args.lang)
    view = render_digest(built, chart=not args.json)
    if args.json:
        out = {"intent": "digest", "workspace": ws.slug, **built.as_json(),
               "chart_caption": view.chart_caption, "text": view.reply.text}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(terminal_safe(view.reply.text))
    if view.chart:
        print(f"({view.chart_caption}: PNG, {len(view.chart):,} bytes)")
    return 0
