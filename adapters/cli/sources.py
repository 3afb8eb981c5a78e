"""``kpibot source add|list|sync|remove`` (SPEC §10) and ``kpibot secret-key``.

``add`` takes the credential one of three ways:

- ``--token TOKEN`` (and ``--refresh-token``, ``--expires``): a token made by hand;
- ``--oauth``: the authorization-code flow (``kpi_engine/services/oauth.py``): it prints the
  platform's sign-in URL, the platform sends the browser back to ``/oauth/callback`` of
  ``kpibot serve`` (``KPIBOT_OAUTH_REDIRECT_URL``), which stores the source; this command
  waits for that outcome in the database (``--wait SECONDS``, or ``--no-wait``), so it may
  run on another machine than the server as long as both use the same database;
- ``--service-account KEY.json`` (GA4): a Google service account's JSON key, checked by
  getting a token with it (``--no-check`` skips that) and stored whole.

Every credential is sealed with ``KPIBOT_SECRET_KEY`` before it is stored and is never
printed again; ``list`` shows the channel, the sync state and the expiry, never a token.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kpi_engine.domain.ports import SourceAccount, SourceError
from kpi_engine.domain.sources import SourceRecord
from kpi_engine.services.oauth import OAuthProblem
from kpi_engine.services.secrets import SecretsError, new_key
from kpi_engine.services.sources import SourceProblem, SyncResult

if TYPE_CHECKING:
    from bot.bootstrap import App


def add_parsers(sub: Any) -> None:
    src = sub.add_parser("source", help="data sources (connectors): add, list, sync, remove")
    ss = src.add_subparsers(dest="source_command", metavar="ACTION", required=True)
    a = ss.add_parser("add", help="connect a platform account to a workspace")
    a.add_argument("platform", metavar="PLATFORM",
                   help="instagram, facebook, meta_ads, tiktok, tiktok_ads, youtube, ga4")
    a.add_argument("--workspace", metavar="W", required=True)
    a.add_argument("--account", metavar="ID", required=True,
                   help="the platform's account / page / ad account / property id")
    a.add_argument("--token", metavar="TOKEN", default="",
                   help="access token (stored encrypted)")
    a.add_argument("--refresh-token", metavar="TOKEN", default="")
    a.add_argument("--expires", metavar="ISO", help="when the access token expires")
    a.add_argument("--channel", metavar="NAME",
                   help="the channel it fills (default: the platform's name)")
    a.add_argument("--oauth", action="store_true",
                   help="sign in through the platform's page; `kpibot serve` receives the "
                        "callback at KPIBOT_OAUTH_REDIRECT_URL")
    a.add_argument("--wait", metavar="SECONDS", type=float, default=600.0,
                   help="--oauth: how long to wait for the sign-in (default 600)")
    a.add_argument("--no-wait", action="store_true",
                   help="--oauth: print the sign-in URL and return")
    a.add_argument("--service-account", metavar="FILE",
                   help="ga4: the service account's JSON key file (stored encrypted)")
    a.add_argument("--no-check", action="store_true",
                   help="--service-account: store the key without getting a token first")
    ls = ss.add_parser("list", help="the sources, their last and next sync")
    ls.add_argument("--workspace", metavar="W")
    ls.add_argument("--json", action="store_true")
    sy = ss.add_parser("sync", help="sync one source (or all) now; prints rows per source")
    sy.add_argument("id", nargs="?", type=int, metavar="ID")
    sy.add_argument("--since", metavar="DAY", help="backfill from this day (YYYY-MM-DD)")
    sy.add_argument("--now", metavar="ISO", help="fix the clock")
    rm = ss.add_parser("remove", help="disconnect a source (its data stays)")
    rm.add_argument("id", type=int, metavar="ID")
    sub.add_parser("secret-key", help="print a new KPIBOT_SECRET_KEY (a Fernet key)")


def cmd_secret_key(_app: App | None, _args: argparse.Namespace) -> int:
    print(new_key())
    return 0


def _moment(text: str | None, flag: str) -> datetime | None:
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"kpibot: {flag} {text!r} is not an ISO-8601 date or time") from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _as_json(rec: SourceRecord, slug: str) -> dict[str, Any]:
    def iso(v: datetime | date | None) -> str | None:
        return v.isoformat() if v is not None else None

    return {"id": rec.id, "workspace": slug, "platform": rec.platform,
            "account": rec.account_id, "channel": rec.channel,
            "expires_at": iso(rec.expires_at), "last_sync_at": iso(rec.last_sync_at),
            "last_rows": rec.last_rows, "last_error_kind": rec.last_error_kind or None,
            "last_error": rec.last_error or None, "next_sync_at": iso(rec.next_sync_at),
            "cursor_day": iso(rec.cursor_day)}


def cmd_source(app: App, args: argparse.Namespace) -> int:
    service = app.sources
    lang = app.settings.language
    now = _moment(getattr(args, "now", None), "--now") or app.router.clock()
    try:
        if args.source_command == "add":
            ways = [w for w, given in (("--token", args.token), ("--oauth", args.oauth),
                                       ("--service-account", args.service_account)) if given]
            if len(ways) > 1:
                print(f"kpibot: give one of {', '.join(ways)}, not several", file=sys.stderr)
                return 2
            ws = app.store.workspace(args.workspace)
            if ws is None:
                print(f"kpibot: no workspace '{args.workspace}'", file=sys.stderr)
                return 1
            if args.oauth:
                return _add_oauth(app, args, ws.id, now)
            if args.service_account:
                return _add_service_account(app, args, ws.id, ws.slug, now)
            rec = service.add(ws.id, args.platform, args.account, token=args.token, now=now,
                              refresh_token=args.refresh_token,
                              expires_at=_moment(args.expires, "--expires"),
                              channel=args.channel)
            print(f"Source {rec.id} added: {rec.platform} account {rec.account_id} → channel "
                  f"{rec.channel} of workspace '{ws.slug}' (token stored encrypted). The first "
                  f"sync backfills 90 days: `kpibot source sync {rec.id}`, or the scheduler "
                  "of `kpibot serve` tonight.")
            return 0
        if args.source_command == "list":
            slugs = {w.id: w.slug for w in app.store.workspaces()}
            wid = None
            if args.workspace:
                ws = app.store.workspace(args.workspace)
                if ws is None:
                    print(f"kpibot: no workspace '{args.workspace}'", file=sys.stderr)
                    return 1
                wid = ws.id
            found = service.all(wid)
            if args.json:
                print(json.dumps([_as_json(r, slugs.get(r.workspace_id, "")) for r in found],
                                 ensure_ascii=False))
                return 0
            if not found:
                print("No data sources. Add one with `kpibot source add PLATFORM --workspace W "
                      "--account ID --token TOKEN`.")
            tz = ZoneInfo(app.settings.timezone)
            for r in found:
                last = (f"last sync {r.last_sync_at.astimezone(tz):%Y-%m-%d %H:%M}, "
                        f"{r.last_rows} rows" if r.last_sync_at else "never synced")
                nxt = (f"next {r.next_sync_at.astimezone(tz):%Y-%m-%d %H:%M}"
                       if r.next_sync_at else "no sync planned")
                err = f"\terror: {r.last_error_kind}" if r.last_error_kind else ""
                exp = (f"\ttoken until {r.expires_at.astimezone(tz):%Y-%m-%d}"
                       if r.expires_at else "")
                print(f"{r.id}\t{slugs.get(r.workspace_id, '')}\t{r.platform}\t{r.account_id}"
                      f"\t{r.channel}\t{last}\t{nxt}{exp}{err}")
            return 0
        if args.source_command == "sync":
            since = None
            if args.since:
                try:
                    since = date.fromisoformat(args.since)
                except ValueError:
                    print(f"kpibot: --since {args.since!r} is not a day (YYYY-MM-DD)",
                          file=sys.stderr)
                    return 2
            ids = [args.id] if args.id is not None else [r.id for r in service.all()]
            failed = False
            for sid in ids:
                result = service.sync(sid, now=now, since=since)
                print(_sync_line(result))
                failed = failed or bool(result.error_kind)
            return 1 if failed else 0
        rec = service.remove(args.id)
        print(f"Source {rec.id} ({rec.platform} {rec.account_id} → {rec.channel}) removed; "
              "its data stays.")
        return 0
    except (SourceProblem, SecretsError, OAuthProblem) as exc:
        print(f"kpibot: {exc.message(lang)}", file=sys.stderr)
        return 1


#: How often ``add --oauth`` looks for the callback's outcome.
POLL_SECONDS = 0.5
#: A service account key is a small JSON file; a bigger one is not one.
MAX_KEY_BYTES = 64 * 1024


def _add_oauth(app: App, args: argparse.Namespace, workspace_id: int, now: datetime) -> int:
    from adapters.http.oauth import service_for

    oauth = service_for(app)
    started = oauth.start(workspace_id, args.platform, args.account, now=now,
                          channel=args.channel)
    tz = ZoneInfo(app.settings.timezone)
    print(f"Open this address in a browser signed in to the {args.platform.strip().lower()} "
          f"account, and accept (it works once, until "
          f"{started.expires_at.astimezone(tz):%H:%M}):")
    print(started.url, flush=True)
    if args.no_wait:
        print("The platform sends the browser back to `kpibot serve` at "
              f"{oauth.redirect_uri}, which stores the source; `kpibot source list` shows it.")
        return 0
    print(f"Waiting for the sign-in (kpibot serve must answer at {oauth.redirect_uri}) …",
          flush=True)
    left = (started.expires_at - now).total_seconds()
    deadline = time.monotonic() + max(0.0, min(args.wait, left))
    while True:
        flow = oauth.status(started.flow_id)
        if flow is not None and flow.source_id is not None:
            rec = app.sources.get(flow.source_id)
            expiry = (f", token until {rec.expires_at.astimezone(tz):%Y-%m-%d}"
                      if rec.expires_at else "")
            print(f"Source {rec.id} added: {rec.platform} account {rec.account_id} → channel "
                  f"{rec.channel} (token stored encrypted{expiry}). The first sync backfills "
                  f"90 days: `kpibot source sync {rec.id}`, or the scheduler of `kpibot serve` "
                  "tonight.")
            return 0
        if flow is not None and flow.error:
            print(f"kpibot: {flow.error}", file=sys.stderr)
            return 1
        if time.monotonic() >= deadline:
            print("kpibot: no sign-in arrived in time; nothing was stored. Run the command "
                  "again (is `kpibot serve` running, and is KPIBOT_OAUTH_REDIRECT_URL its "
                  "address as registered in the platform's app?)", file=sys.stderr)
            return 1
        time.sleep(POLL_SECONDS)


def _add_service_account(app: App, args: argparse.Namespace, workspace_id: int, slug: str,
                         now: datetime) -> int:
    """``--service-account KEY.json`` for GA4: the key is read, checked and stored sealed;
    no message holds any part of it but the service account's e-mail."""
    service = app.sources
    platform = args.platform.strip().lower()
    if platform != "ga4":
        print("kpibot: --service-account is for ga4 (a Google Analytics 4 property); "
              f"{platform} takes --token or --oauth", file=sys.stderr)
        return 2
    service.check(platform, args.account, args.channel, workspace_id=workspace_id)
    try:
        with open(args.service_account, "rb") as f:
            raw = f.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        print(f"kpibot: cannot read --service-account {args.service_account!r}: "
              f"{exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 1
    info = None
    if len(raw) <= MAX_KEY_BYTES:
        try:
            info = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            info = None
    if not (isinstance(info, dict) and info.get("type") == "service_account"
            and info.get("client_email") and info.get("private_key")):
        print("kpibot: --service-account is not a service account JSON key (Google Cloud → "
              "IAM → Service accounts → the account → Keys → Add key → JSON)", file=sys.stderr)
        return 1
    key = json.dumps(info, separators=(",", ":"))
    email = str(info["client_email"])
    if not args.no_check:
        connector = service.connectors[platform]
        try:
            connector.refresh(SourceAccount(platform, args.account.strip(), "",
                                            access_token=key))
        except SourceError as exc:
            print(f"kpibot: the key was not accepted, nothing stored: {exc.message}",
                  file=sys.stderr)
            return 1
    rec = service.add(workspace_id, platform, args.account, token=key, now=now,
                      channel=args.channel)
    print(f"Source {rec.id} added: ga4 property {rec.account_id} → channel {rec.channel} of "
          f"workspace '{slug}', read as {email} (key stored encrypted). Add that e-mail to "
          "the property as Viewer (GA4 Admin → Property access management) if not yet done; "
          f"the first sync: `kpibot source sync {rec.id}`.")
    return 0


def _sync_line(r: SyncResult) -> str:
    span = f" {r.span[0].isoformat()}…{r.span[1].isoformat()}" if r.span else ""
    line = (f"source {r.source_id} {r.channel}:{span} {r.rows} rows written ({r.changed} "
            f"changed), {r.requests} requests")
    if r.error_kind:
        line += f"; stopped: {r.error_kind}: {r.error}"
        if r.next_sync_at:
            line += f" (resumes {r.next_sync_at.isoformat(timespec='minutes')})"
    return line
