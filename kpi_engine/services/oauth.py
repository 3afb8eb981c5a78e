"""The OAuth authorization-code flow of ``kpibot source add PLATFORM --oauth`` (SPEC §10).

1. :meth:`OAuthService.start` (the CLI): checks the source as ``add`` would (platform,
   connector, account id, channel, secret key, not yet connected), makes a ``state`` with
   ``secrets.token_urlsafe(32)``, stores only its SHA-256 with the workspace, platform,
   account and channel and an expiry of :data:`STATE_TTL`, and returns the platform's
   authorization URL (the flow's ``authorize_url``) for the admin to open.
2. The platform sends the browser to ``KPIBOT_OAUTH_REDIRECT_URL`` (``/oauth/callback`` of
   ``kpibot serve``) with ``code`` (TikTok Ads: ``auth_code``) and ``state``;
   :meth:`OAuthService.complete` claims the state once (unknown, expired or already used:
   refused, nothing stored), trades the code for tokens (the flow's ``exchange``: Meta's
   long-lived token, TikTok's access + refresh token, Google's refresh token) and stores the
   source through ``SourceService.add`` (tokens sealed). The outcome — the source id, or a
   safe error text — is written on the flow's row.
3. The CLI polls that row (:meth:`OAuthService.status`) until it has an outcome: the CLI and
   the server share nothing but the database, so they may run on different machines.

The engine knows no platform: the flows come from the composition root
(``adapters/sources/oauth.flows(settings)``). No token, code or state is logged or put in
a message; the refusals are :class:`OAuthProblem` with a text per language.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from kpi_engine.domain.ports import SourceError
from kpi_engine.domain.sources import SourceRecord
from kpi_engine.services.secrets import SecretsError
from kpi_engine.services.sources import SourceProblem, SourceService
from kpi_engine.storage.oauth_states import OAuthStates, PendingFlow

log = logging.getLogger(__name__)

#: How long an authorization URL's state is accepted (the platforms' codes live about as
#: long: Meta's and TikTok's 10 minutes).
STATE_TTL = timedelta(minutes=10)

MESSAGES: dict[str, tuple[str, str]] = {
    "no_flow": ("{platform} belum bisa dihubungkan lewat --oauth. {hint}",
                "{platform} cannot be connected with --oauth. {hint}"),
    "no_redirect": ("KPIBOT_OAUTH_REDIRECT_URL belum diatur: isi dengan alamat publik "
                    "`kpibot serve` ditambah /oauth/callback (mis. "
                    "https://bot.contoh.id/oauth/callback) dan daftarkan alamat yang sama di "
                    "aplikasi platform (docs/sources.md).",
                    "KPIBOT_OAUTH_REDIRECT_URL is not set: set it to the public address of "
                    "`kpibot serve` plus /oauth/callback (e.g. "
                    "https://bot.example.com/oauth/callback) and register the same URL in "
                    "the platform's app (docs/sources.md)."),
    "not_ready": ("{platform}: {hint}", "{platform}: {hint}"),
    "unknown_state": ("Tautan masuk ini tidak dikenal (parameter state tidak cocok). Tidak "
                      "ada yang disimpan. Mulai lagi dengan `kpibot source add … --oauth`.",
                      "This sign-in link is unknown (the state parameter does not match). "
                      "Nothing was stored. Start again with `kpibot source add … --oauth`."),
    "expired_state": ("Tautan masuk ini sudah kedaluwarsa (berlaku 10 menit). Tidak ada yang "
                      "disimpan. Mulai lagi dengan `kpibot source add … --oauth`.",
                      "This sign-in link has expired (it lasts 10 minutes). Nothing was "
                      "stored. Start again with `kpibot source add … --oauth`."),
    "used_state": ("Tautan masuk ini sudah dipakai (hanya berlaku sekali). Tidak ada yang "
                   "disimpan lagi. Lihat `kpibot source list`.",
                   "This sign-in link was already used (it works once). Nothing more was "
                   "stored. See `kpibot source list`."),
    "denied": ("{platform} tidak memberi akses ({reason}). Tidak ada yang disimpan; coba lagi "
               "dan setujui izin yang diminta.",
               "{platform} did not grant access ({reason}). Nothing was stored; try again and "
               "accept the permissions asked for."),
    "no_code": ("Jawaban {platform} tidak membawa kode otorisasi. Tidak ada yang disimpan.",
                "{platform}'s answer holds no authorization code. Nothing was stored."),
    "exchange": ("{platform} menolak kode otorisasi: {reason}. Tidak ada yang disimpan.",
                 "{platform} refused the authorization code: {reason}. Nothing was stored."),
    "not_stored": ("Sumber tidak disimpan: {reason}", "The source was not stored: {reason}"),
}


class OAuthProblem(Exception):
    """Why a flow cannot start or complete; ``message(lang)`` says it (no secret in it)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str) -> str:
        texts = MESSAGES[self.code]
        return (texts[1] if lang == "en" else texts[0]).format(**self.params)


@dataclass(frozen=True)
class Grant:
    """What a code was traded for: the token to store, the refresh token (``""``: none) and
    when the access token expires (None: it does not, or the platform did not say)."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None


class OAuthFlow(Protocol):
    """One platform's authorization-code flow (``adapters/sources/oauth.py``)."""

    platform: str

    def problem(self) -> str:
        """Why the flow cannot run (app id or secret missing …), ``""`` when it can."""
        ...

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        ...

    def exchange(self, params: Mapping[str, str], redirect_uri: str, account_id: str,
                 now: datetime) -> Grant:
        """Trade the callback's ``code`` for tokens; ``SourceError`` when refused."""
        ...


@dataclass(frozen=True)
class Started:
    flow_id: int
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class Completed:
    """The callback's outcome: the stored source, or the problem (nothing stored)."""

    source: SourceRecord | None = None
    problem: OAuthProblem | None = None


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


class OAuthService:
    def __init__(self, sources: SourceService, flows: Mapping[str, OAuthFlow],
                 redirect_uri: str | None) -> None:
        self.sources = sources
        self.flows = flows
        self.redirect_uri = (redirect_uri or "").strip()
        self.states = OAuthStates(sources.store)

    def start(self, workspace_id: int, platform: str, account_id: str, *, now: datetime,
              channel: str | None = None) -> Started:
        """A new flow: its id (for :meth:`status`) and the URL the admin opens."""
        platform, account_id, _, _ = self.sources.check(platform, account_id, channel,
                                                        workspace_id=workspace_id)
        flow = self.flows.get(platform)
        if flow is None:
            hint = ("A GA4 property is read with a service account: `--service-account "
                    "KEY.json`." if platform == "ga4" else "Use --token TOKEN.")
            raise OAuthProblem("no_flow", platform=platform, hint=hint)
        if not self.redirect_uri:
            raise OAuthProblem("no_redirect")
        missing = flow.problem()
        if missing:
            raise OAuthProblem("not_ready", platform=platform, hint=missing)
        state = secrets.token_urlsafe(32)
        pending = self.states.create(state_hash(state), workspace_id, platform, account_id,
                                     channel or "", now, now + STATE_TTL)
        log.info("oauth flow %d started: %s account of workspace %d", pending.id, platform,
                 workspace_id)
        return Started(pending.id, flow.authorize_url(state, self.redirect_uri),
                       pending.expires_at)

    def status(self, flow_id: int) -> PendingFlow | None:
        return self.states.get(flow_id)

    def complete(self, params: Mapping[str, str], *, now: datetime) -> Completed:
        """The callback: ``params`` is its query (``state``, ``code`` or ``auth_code``, or
        ``error``). Nothing is stored unless the state is claimed and the code accepted."""
        state = params.get("state") or ""
        if not state:
            return Completed(problem=OAuthProblem("unknown_state"))
        pending, refused = self.states.claim(state_hash(state), now)
        if pending is None or refused:
            log.info("oauth callback refused: %s state", refused or "unknown")
            return Completed(problem=OAuthProblem(f"{refused or 'unknown'}_state"))
        outcome = self._complete(pending, params, now)
        if isinstance(outcome, OAuthProblem):
            self.states.finish(pending.id, error=outcome.message("en"))
            log.info("oauth flow %d: not completed (%s)", pending.id, outcome.code)
            return Completed(problem=outcome)
        self.states.finish(pending.id, source_id=outcome.id)
        log.info("oauth flow %d: source %d stored", pending.id, outcome.id)
        return Completed(source=outcome)

    def _complete(self, pending: PendingFlow, params: Mapping[str, str], now: datetime
                  ) -> SourceRecord | OAuthProblem:
        platform = pending.platform
        if params.get("error") or params.get("error_code"):
            reason = " ".join(str(params.get(k) or "") for k in
                              ("error", "error_reason", "error_description")).strip()
            return OAuthProblem("denied", platform=platform,
                                reason=_safe(reason or "access_denied"))
        if not (params.get("code") or params.get("auth_code")):
            return OAuthProblem("no_code", platform=platform)
        flow = self.flows.get(platform)
        if flow is None:
            return OAuthProblem("no_flow", platform=platform, hint="Use --token TOKEN.")
        try:
            grant = flow.exchange(params, self.redirect_uri, pending.account_id, now)
        except SourceError as exc:
            return OAuthProblem("exchange", platform=platform, reason=_safe(exc.message))
        try:
            return self.sources.add(pending.workspace_id, platform, pending.account_id,
                                    token=grant.access_token, now=now,
                                    refresh_token=grant.refresh_token,
                                    expires_at=grant.expires_at,
                                    channel=pending.channel or None)
        except (SourceProblem, SecretsError) as exc:
            return OAuthProblem("not_stored", reason=exc.message("en"))


def _safe(text: str) -> str:
    """A platform's words for a page or a message: one line, at most 300 characters."""
    return " ".join(text.split())[:300]
