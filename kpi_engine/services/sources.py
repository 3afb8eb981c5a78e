"""Data sources (SPEC §10): add, list, remove and sync a workspace's connected accounts.

The engine imports no connector: the composition root passes a mapping platform →
``Source`` (``adapters/sources/__init__.py``'s ``connectors(settings)``). A sync

- fetches in windows of :data:`~kpi_engine.domain.sources.WINDOW_DAYS` days from the resume
  cursor (a first sync backfills 90 days; ``since`` backfills from that day), always the
  platform's ``refetch_days`` again, through the workspace's yesterday;
- checks each window's rows with the import rules (``services/ingest.check_batch``) and
  writes them through the same upserts (``ingest.write_batch``) together with the window's
  provisional marks and the new cursor, in one transaction: a crash between windows resumes
  at the first window not committed (no gap; a window fetched twice only rewrites the same
  values); a bad batch writes nothing and is recorded;
- follows ``domain/sources.decide`` on a ``SourceError`` (rate limit: resume after it;
  quota: tomorrow; 5xx: retried with backoff; expired token: one refresh), refreshes a token
  that expires within 7 days first (storing a rotated refresh token), and tells the
  workspace's admins once per failure, and once per expiry, through the outbox.

Tokens are sealed with ``services/secrets.Secrets`` before they are stored and opened only to
build the ``SourceAccount`` of a fetch; no message or log line holds one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from kpi_engine.domain import sources as rules
from kpi_engine.domain import validation
from kpi_engine.domain.model import SnapshotRow, parse_channel_name
from kpi_engine.domain.ports import Source, SourceAccount, SourceBatch, SourceError
from kpi_engine.domain.sources import SourceRecord, Window
from kpi_engine.services.ingest import check_batch, write_batch
from kpi_engine.services.secrets import Secrets, SecretsError
from kpi_engine.storage.sources import SourceStore
from kpi_engine.storage.store import Store

log = logging.getLogger(__name__)

MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_platform": ("Platform '{platform}' tidak dikenal. Pilih salah satu: {platforms}.",
                         "Unknown platform '{platform}'. Choose one of: {platforms}."),
    "no_connector": ("Belum ada konektor untuk {platform}. Yang sudah ada: {ready}. Isi data "
                     "{platform} lewat impor atau API sementara ini.",
                     "There is no connector for {platform} yet. Available: {ready}. Feed "
                     "{platform} by import or the API meanwhile."),
    "no_token": ("Token akses belum diberikan. Tambahkan --token TOKEN, atau --oauth untuk "
                 "masuk lewat browser (docs/sources.md).",
                 "No access token given. Add --token TOKEN, or --oauth to sign in through a "
                 "browser (docs/sources.md)."),
    "bad_account": ("ID akun '{account}' tidak valid: tulis ID akun platform tanpa spasi "
                    "(maksimum 200 karakter).",
                    "The account id '{account}' is not valid: write the platform's account id "
                    "without spaces (at most 200 characters)."),
    "bad_channel": ("Nama kanal '{channel}' tidak valid: {reason}",
                    "The channel name '{channel}' is not valid: {reason}"),
    "duplicate": ("Akun {platform} {account} sudah terhubung ke workspace ini (sumber "
                  "#{id}).",
                  "The {platform} account {account} is already connected to this workspace "
                  "(source #{id})."),
    "clash": ("Sumber {platform} ini akan mengisi {metrics} di kanal {channel}, yang sudah "
              "diisi sumber #{id} ({other}); nilainya akan saling menimpa atau terjumlah. "
              "Pilih kanal lain dengan --channel (mis. --channel {platform}:@akun), atau "
              "hapus sumber #{id} dulu.",
              "This {platform} source would fill {metrics} on the channel {channel}, which "
              "source #{id} ({other}) already fills; the values would overwrite or add up to "
              "each other. Choose another channel with --channel (e.g. --channel "
              "{platform}:@account), or remove source #{id} first."),
    "no_source": ("Tidak ada sumber data #{id}. Lihat daftarnya dengan `kpibot source list`.",
                  "There is no data source #{id}. See them with `kpibot source list`."),
}

#: The notices to admins: (title, body) per language; {channel}, {platform}, {id},
#: {message}, {expires}.
NOTICES: dict[str, dict[str, tuple[str, str]]] = {
    "auth_expired": {
        "id": ("Sumber data {channel}: token kedaluwarsa",
               "Token {platform} untuk {channel} kedaluwarsa atau dicabut, jadi data tidak "
               "masuk lagi ({message}). Hubungkan ulang: `kpibot source remove {id}`, lalu "
               "`kpibot source add {platform} … --oauth` (atau `--token TOKEN_BARU`)."),
        "en": ("Data source {channel}: token expired",
               "The {platform} token of {channel} expired or was revoked, so no data comes in "
               "({message}). Reconnect: `kpibot source remove {id}`, then `kpibot source add "
               "{platform} … --oauth` (or `--token NEW_TOKEN`)."),
    },
    "permission": {
        "id": ("Sumber data {channel}: izin kurang",
               "{platform} menolak membaca {channel}: izin kurang ({message}). Berikan izin "
               "yang disebut di docs/sources.md pada aplikasi/token itu, lalu `/sumber sync`."),
        "en": ("Data source {channel}: permission missing",
               "{platform} refused to read {channel}: a permission is missing ({message}). "
               "Grant the permissions docs/sources.md lists to that app/token, then "
               "`/sources sync`."),
    },
    "quota": {
        "id": ("Sumber data {channel}: kuota harian habis",
               "Kuota harian {platform} habis ({message}). Sinkron dilanjutkan otomatis malam "
               "ini dari hari yang belum terambil; tidak ada yang perlu dilakukan kecuali ini "
               "terjadi setiap hari (kurangi sumber pada akun yang sama)."),
        "en": ("Data source {channel}: daily quota used up",
               "The {platform} daily quota is used up ({message}). The sync resumes by itself "
               "tonight from the first day not fetched; nothing to do unless this happens "
               "every day (fewer sources on the same account)."),
    },
    "bad_request": {
        "id": ("Sumber data {channel}: permintaan ditolak",
               "{platform} menolak permintaan untuk {channel} ({message}). Periksa ID akun "
               "sumber #{id} (`kpibot source list`); bila salah, hapus dan tambahkan lagi."),
        "en": ("Data source {channel}: request refused",
               "{platform} refused the request for {channel} ({message}). Check the account "
               "id of source #{id} (`kpibot source list`); if it is wrong, remove and add it "
               "again."),
    },
    "invalid": {
        "id": ("Sumber data {channel}: data ditolak",
               "Data dari {platform} untuk {channel} tidak lolos pemeriksaan impor, jadi hari-"
               "hari itu tidak disimpan: {message} Sinkron dicoba lagi malam ini."),
        "en": ("Data source {channel}: data refused",
               "The data {platform} sent for {channel} failed the import checks, so those days "
               "were not saved: {message} The sync is tried again tonight."),
    },
    "expiry": {
        "id": ("Sumber data {channel}: token segera kedaluwarsa",
               "Token {platform} untuk {channel} kedaluwarsa pada {expires} dan tidak bisa "
               "diperbarui otomatis. Hubungkan ulang sebelum tanggal itu (`kpibot source remove "
               "{id}`, lalu `kpibot source add {platform} … --oauth` atau `--token "
               "TOKEN_BARU`)."),
        "en": ("Data source {channel}: token expires soon",
               "The {platform} token of {channel} expires on {expires} and cannot be renewed "
               "by itself. Reconnect before then (`kpibot source remove {id}`, then `kpibot "
               "source add {platform} … --oauth` or `--token NEW_TOKEN`)."),
    },
}


class SourceProblem(Exception):
    """Why a source cannot be added, found or synced; ``message(lang)`` says it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str) -> str:
        texts = MESSAGES[self.code]
        return (texts[1] if lang == "en" else texts[0]).format(**self.params)


@dataclass(frozen=True)
class SyncResult:
    """One sync of one source: ``rows`` written (new and rewritten), of which ``changed``
    changed a stored value; ``error_kind`` "" when it completed."""

    source_id: int
    channel: str
    rows: int = 0
    changed: int = 0
    requests: int = 0
    windows: int = 0
    span: Window | None = None
    error_kind: str = ""
    error: str = ""
    next_sync_at: datetime | None = None


@dataclass
class _Totals:
    rows: int = 0
    changed: int = 0
    requests: int = 0
    windows: int = 0

    def result(self, rec: SourceRecord, span: Window, *, next_sync_at: datetime,
               error_kind: str = "", error: str = "") -> SyncResult:
        return SyncResult(rec.id, rec.channel, self.rows, self.changed, self.requests,
                          self.windows, span, error_kind, error, next_sync_at)


class _Stop(Exception):
    def __init__(self, kind: str, message: str, decision: rules.Decision) -> None:
        super().__init__(kind)
        self.kind = kind
        self.message = message
        self.decision = decision


class SourceService:
    """What the CLI, ``/sumber`` and the scheduler call."""

    def __init__(self, store: Store, connectors: Mapping[str, Source], secrets: Secrets, *,
                 sleep: Callable[[float], None] = time.sleep,
                 window_days: int = rules.WINDOW_DAYS) -> None:
        self.store = store
        self.sources = SourceStore(store)
        self.connectors = connectors
        self.secrets = secrets
        self.sleep = sleep
        self.window_days = window_days

    # -- add, list, remove -----------------------------------------------------------------
    def check(self, platform: str, account_id: str, channel: str | None = None, *,
              workspace_id: int | None = None, token: str | None = None
              ) -> tuple[str, str, str, str]:
        """What ``add`` checks before a token is at hand (``kpibot source add --oauth``
        checks it before it hands out an authorization URL): (platform, account id, channel
        platform, channel handle), or ``SourceProblem`` / ``SecretsError``. With
        ``workspace_id``, an account already connected there, or one whose (channel,
        metric) keys another source fills, is refused too; with
        ``token``, an empty one."""
        platform = platform.strip().lower()
        if platform not in rules.PLATFORMS:
            raise SourceProblem("unknown_platform", platform=validation.shown(platform),
                                platforms=", ".join(rules.PLATFORMS))
        if platform not in self.connectors:
            raise SourceProblem("no_connector", platform=platform,
                                ready=", ".join(sorted(self.connectors)) or "-")
        account_id = account_id.strip()
        if (not account_id or len(account_id) > 200 or any(c.isspace() for c in account_id)
                or validation.name_problem(account_id[:100])):
            raise SourceProblem("bad_account", account=validation.shown(account_id))
        if token is not None and not token.strip():
            raise SourceProblem("no_token")
        if not self.secrets.ready:
            raise SecretsError("no_key")
        channel_platform, handle = parse_channel_name(channel or platform)
        for name in (channel_platform, handle):
            bad = validation.name_problem(name)
            if bad or not channel_platform:
                reason = (validation.reason(bad, "en", value=validation.shown(name),
                                            length=len(name))[0] if bad else "empty")
                raise SourceProblem("bad_channel", channel=validation.shown(channel or ""),
                                    reason=reason)
        if workspace_id is not None:
            existing = next((s for s in self.sources.all(workspace_id)
                             if s.platform == platform and s.account_id == account_id), None)
            if existing is not None:
                raise SourceProblem("duplicate", platform=platform, account=account_id,
                                    id=existing.id)
            clash = self._clash(workspace_id, platform, channel_platform, handle)
            if clash is not None:  # refused before an authorization URL is handed out
                raise clash[0]
        return platform, account_id, channel_platform, handle

    def add(self, workspace_id: int, platform: str, account_id: str, *, token: str,
            now: datetime, refresh_token: str = "", expires_at: datetime | None = None,
            channel: str | None = None) -> SourceRecord:
        """Connect an account. Refused (``SourceProblem`` or ``SecretsError``, nothing
        stored) for an unknown platform, one without a connector, no token, no secret key,
        a bad account id or channel name, or an account already connected."""
        platform, account_id, channel_platform, handle = self.check(platform, account_id,
                                                                    channel, token=token)
        workspace = self.store.workspace_by_id(workspace_id)
        assert workspace is not None
        for existing in self.sources.all(workspace_id):
            if existing.platform == platform and existing.account_id == account_id:
                raise SourceProblem("duplicate", platform=platform, account=account_id,
                                    id=existing.id)
        clash = self._clash(workspace_id, platform, channel_platform, handle)
        if clash is not None:
            raise clash[0]
        added = self.sources.add(
            workspace_id, platform, account_id, channel_platform, handle,
            self.secrets.seal(token.strip()), self.secrets.seal(refresh_token.strip()),
            expires_at, now, next_sync_at=now)
        if added is None:
            existing = next(s for s in self.sources.all(workspace_id)
                            if s.platform == platform and s.account_id == account_id)
            raise SourceProblem("duplicate", platform=platform, account=account_id,
                                id=existing.id)
        log.info("source %d added: %s account of workspace %d", added.id, platform,
                 workspace_id)
        return added

    def _clash(self, workspace_id: int, platform: str, channel_platform: str, handle: str,
               source_id: int | None = None) -> tuple[SourceProblem, int] | None:
        """Why a source of ``platform`` on this channel may not fill it, and the id of the
        (oldest) other source of the workspace (other than ``source_id``) that already fills
        one of its (channel, metric) keys (``domain/sources.clashes``); None when none
        does."""
        records = {s.id: s for s in self.sources.all(workspace_id) if s.id != source_id}
        others = {i: rules.filled_keys(s.platform, s.channel_platform, s.channel_handle)
                  for i, s in records.items()}
        found = rules.clashes(rules.filled_keys(platform, channel_platform, handle), others)
        if not found:
            return None
        first_id = found[0][0]
        keys = [key for sid, key in found if sid == first_id]
        other = records[first_id]
        channel = f"{keys[0][0]}:{keys[0][1]}" if keys[0][1] else keys[0][0]
        return SourceProblem("clash", platform=platform, channel=channel, id=first_id,
                             other=other.platform,
                             metrics=", ".join(sorted({k[2] for k in keys if k[:2] ==
                                                       keys[0][:2]}))), first_id

    def all(self, workspace_id: int | None = None) -> list[SourceRecord]:
        return self.sources.all(workspace_id)

    def get(self, source_id: int) -> SourceRecord:
        found = self.sources.get(source_id)
        if found is None:
            raise SourceProblem("no_source", id=source_id)
        return found

    def remove(self, source_id: int) -> SourceRecord:
        found = self.get(source_id)
        self.sources.remove(source_id)
        return found

    # -- syncs -----------------------------------------------------------------------------
    def sync_due(self, now: datetime) -> list[SyncResult]:
        """Every source whose next sync is due (the scheduler's nightly job): one failing
        source does not stop the others."""
        done = []
        for rec in self.sources.due(now):
            try:
                done.append(self.sync(rec.id, now=now))
            except Exception as exc:  # recorded by sync; the others still run
                log.warning("source %d: sync failed (%s)", rec.id, type(exc).__name__)
        return done

    def sync(self, source_id: int, *, now: datetime, since: date | None = None) -> SyncResult:
        rec = self.get(source_id)
        workspace = self.store.workspace_by_id(rec.workspace_id)
        assert workspace is not None
        tz = workspace.timezone
        nightly = rules.next_nightly(rec.id, now, tz)
        connector = self.connectors.get(rec.platform)
        if connector is None:
            missing = SourceProblem("no_connector", platform=rec.platform,
                                    ready=", ".join(sorted(self.connectors)) or "-")
            return self._record(rec, now, SyncResult(
                rec.id, rec.channel, error_kind="no_connector", error=missing.message("en"),
                next_sync_at=nightly))
        clash = self._clash(rec.workspace_id, rec.platform, rec.channel_platform,
                            rec.channel_handle, source_id=rec.id)
        if clash is not None and clash[1] < rec.id:  # the older source keeps the keys
            return self._record(rec, now, SyncResult(
                rec.id, rec.channel, error_kind="clash", error=clash[0].message("en"),
                next_sync_at=nightly))
        account = self._account(rec)
        account, refreshed = self._refresh_early(rec, connector, account, now)
        yesterday = validation.local_today(now, tz) - timedelta(days=1)
        span = rules.fetch_range(yesterday, rec.cursor_day, since, connector.refetch_days,
                                 self.sources.earliest_provisional(rec.id))
        if span is None:
            return self._record(rec, now, SyncResult(rec.id, rec.channel,
                                                     next_sync_at=nightly))
        today = validation.local_today(now, tz)
        cursor = rec.cursor_day
        totals = _Totals()
        try:
            for window in rules.windows(span, self.window_days):
                batch, account, refreshed, requests = self._fetch(
                    rec, connector, account, window, refreshed, now, nightly)
                totals.requests += requests
                batch = _in_channel(batch, rec)
                problem = check_batch(batch.snapshots, batch.posts, batch.post_metrics,
                                      batch.segments, today=today)
                if problem is not None:
                    raise _Stop("invalid", problem.message(workspace.language),
                                rules.Decision("stop", next_sync_at=nightly, notify=True))
                cursor = rules.advance_cursor(cursor, window)
                changed, written = self._write(rec, workspace.timezone, batch, window, cursor)
                totals.rows += written
                totals.changed += changed
                totals.windows += 1
        except _Stop as stop:
            result = totals.result(rec, span, error_kind=stop.kind, error=stop.message[:500],
                                   next_sync_at=stop.decision.next_sync_at or nightly)
            if stop.decision.notify and rec.notified_error_kind != stop.kind:
                self._notify(rec, stop.kind, stop.message, now)
            return self._record(rec, now, result, clear_notice=False)
        except Exception as exc:  # a crash: what was committed stays, the rest resumes later
            self._record(rec, now, totals.result(
                rec, span, error_kind="crash", error=type(exc).__name__,
                next_sync_at=now + rules.SERVER_RETRY_LATER), clear_notice=False)
            raise
        return self._record(rec, now, totals.result(rec, span, next_sync_at=nightly))

    def _account(self, rec: SourceRecord) -> SourceAccount:
        return SourceAccount(rec.platform, rec.account_id, rec.channel_handle,
                             access_token=self.secrets.open(rec.access_sealed),
                             refresh_token=self.secrets.open(rec.refresh_sealed),
                             expires_at=rec.expires_at)

    def _save(self, rec: SourceRecord, account: SourceAccount) -> None:
        """A refreshed account's tokens, sealed (a platform that rotates the refresh token
        gives a new one; one that does not keeps the old)."""
        self.sources.save_tokens(rec.id, self.secrets.seal(account.access_token),
                                 self.secrets.seal(account.refresh_token),
                                 account.expires_at)

    def _refresh_early(self, rec: SourceRecord, connector: Source, account: SourceAccount,
                       now: datetime) -> tuple[SourceAccount, bool]:
        """Refresh a token that expires within a week; when the platform refuses, tell the
        admins once for this expiry and sync with the token while it lasts."""
        if not rules.needs_refresh(rec.expires_at, now):
            return account, False
        try:
            fresh = connector.refresh(account)
        except SourceError as exc:
            log.info("source %d: refresh before expiry refused (%s)", rec.id, exc.kind)
            if rules.expiry_warning_due(rec.expires_at, rec.notified_expiry_at, now):
                self._notify(rec, "expiry", exc.message, now)
            return account, False
        self._save(rec, fresh)
        return fresh, True

    def _fetch(self, rec: SourceRecord, connector: Source, account: SourceAccount,
               window: Window, refreshed: bool, now: datetime, nightly: datetime
               ) -> tuple[SourceBatch, SourceAccount, bool, int]:
        attempt = 0
        requests = 0
        while True:
            try:
                batch = connector.fetch(account, *window)
                return batch, account, refreshed, requests + batch.requests
            except SourceError as exc:
                requests += 1
                decision = rules.decide(exc.kind, attempt=attempt, refreshed=refreshed,
                                        now=now, nightly=nightly, retry_after=exc.retry_after)
                if decision.action == "retry":
                    log.info("source %d: %s, retry %d in %.0fs", rec.id, exc.kind,
                             attempt + 1, decision.wait)
                    self.sleep(decision.wait)
                    attempt += 1
                    continue
                if decision.action == "refresh":
                    refreshed = True
                    try:
                        account = connector.refresh(account)
                    except SourceError as again:
                        stop = rules.decide("auth_expired", attempt=0, refreshed=True, now=now,
                                            nightly=nightly)
                        raise _Stop("auth_expired", again.message, stop) from None
                    self._save(rec, account)
                    continue
                raise _Stop(exc.kind, exc.message, decision) from None

    def _write(self, rec: SourceRecord, timezone: str, batch: SourceBatch, window: Window,
               cursor: date | None) -> tuple[int, int]:
        """One window: its rows, its provisional marks and the new cursor, all or nothing."""
        final, provisional = rules.provisional_split(window, batch.provisional_from)
        with self.store.begin() as conn:
            changed = self.sources.changed_values(conn, rec.workspace_id, batch.snapshots)
            written = write_batch(self.store, rec.workspace_id, timezone, batch.snapshots,
                                  batch.posts, batch.post_metrics, batch.segments, conn)
            self.sources.mark_days(conn, rec.workspace_id, rec.id,
                                   (rec.channel_platform, rec.channel_handle), final,
                                   provisional)
            self.sources.set_cursor(conn, rec.id, cursor)
        return changed, written.written

    def _record(self, rec: SourceRecord, now: datetime, result: SyncResult, *,
                clear_notice: bool = True) -> SyncResult:
        self.sources.finish(rec.id, started=now, finished=now, span=result.span,
                            rows=result.rows, changed=result.changed, requests=result.requests,
                            error_kind=result.error_kind, error=result.error,
                            next_sync_at=result.next_sync_at,
                            clear_notice=clear_notice and not result.error_kind)
        log.info("source %d: %d rows (%d changed), %d requests%s", rec.id, result.rows,
                 result.changed, result.requests,
                 f", stopped: {result.error_kind}" if result.error_kind else "")
        return result

    def _notify(self, rec: SourceRecord, kind: str, message: str, now: datetime) -> None:
        params = {"channel": rec.channel, "platform": rec.platform, "id": rec.id,
                  "message": message.rstrip(". "),
                  "expires": rec.expires_at.date().isoformat() if rec.expires_at else "-"}
        texts = {lang: (title.format(**params), body.format(**params))
                 for lang, (title, body) in NOTICES[kind].items()}
        expiry = kind == "expiry"
        key = (f"source:{rec.id}:expiry:{rec.expires_at.isoformat() if rec.expires_at else ''}"
               if expiry else f"source:{rec.id}:{kind}:{now.isoformat()}")
        told = self.sources.notify_admins(rec.id, rec.workspace_id, key, texts, now,
                                          error_kind=None if expiry else kind, expiry=expiry)
        log.info("source %d: %s told to %d admin chat(s)", rec.id, kind, told)

    # -- what /sumber shows --------------------------------------------------------------------
    def provisional_days(self, workspace_id: int, channel_ids: Sequence[int], first: date,
                         last: date) -> list[date]:
        return self.sources.provisional_days(workspace_id, channel_ids, first, last)


def provisional_days(store: Store, workspace_id: int, channel_ids: Sequence[int], first: date,
                     last: date) -> list[date]:
    """The provisional days of these channels in ``first`` … ``last`` (an answer says
    "sementara" when there are any)."""
    return SourceStore(store).provisional_days(workspace_id, channel_ids, first, last)


def _in_channel(batch: SourceBatch, rec: SourceRecord) -> SourceBatch:
    """Rows of the account's own channel go to the source's channel (``--channel``)."""
    own = (rec.platform, rec.channel_handle)
    target = (rec.channel_platform, rec.channel_handle)
    if own == target:
        return batch

    def moved(row: SnapshotRow) -> SnapshotRow:
        return row._replace(platform=target[0]) if (row.platform, row.handle) == own else row

    return replace(batch, snapshots=[moved(r) for r in batch.snapshots],
                   posts=[replace(p, platform=target[0]) if (p.platform, p.handle) == own
                          else p for p in batch.posts],
                   post_metrics=[replace(m, platform=target[0])
                                 if (m.platform, m.handle) == own else m
                                 for m in batch.post_metrics],
                   segments=[replace(s, platform=target[0]) if (s.platform, s.handle) == own
                             else s for s in batch.segments])
