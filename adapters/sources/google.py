"""What the Google connectors (:mod:`adapters.sources.youtube`, :mod:`adapters.sources.ga4`)
share: Google's error body read into ``SourceError`` kinds, and google-auth's HTTP transport
on the connectors' own counted, scrubbing httpx client.

Google APIs answer an error as ``{"error": {"code", "message", "status", "errors": [{"reason",
"domain", "message"}]}}`` (``errors`` is absent on the newer APIs such as GA4). The kinds:

- 401 / ``UNAUTHENTICATED`` / ``authError`` → ``auth_expired``;
- 403 ``quotaExceeded`` / ``dailyLimitExceeded`` (YouTube's daily units) and 429
  ``RESOURCE_EXHAUSTED`` of a daily quota (GA4's tokens per property per day) → ``quota``;
- 403 ``rateLimitExceeded`` / ``userRateLimitExceeded``, 429 of an hourly or concurrent
  limit → ``rate_limited`` (a minute, or an hour for GA4's hourly tokens);
- any other 403 / ``PERMISSION_DENIED`` → ``permission``; 5xx → ``server``; else
  ``bad_request``.

The OAuth token endpoint answers ``{"error": "invalid_grant", "error_description"}``
(:func:`token_error`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import google.auth.transport

from adapters.sources.http import Answer, JsonHttp, scrub
from kpi_engine.domain.ports import SourceError

TOKEN_URL = "https://oauth2.googleapis.com/token"
_TAG = re.compile(r"<[^>]{0,300}>")
RATE_RETRY_AFTER = 60.0
HOURLY_RETRY_AFTER = 3600.0
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
AUTH_REASONS = frozenset({"authError", "expired", "invalidCredentials"})
#: Why a YouTube refresh token stops working although nobody revoked it.
TESTING_HINT = ("connect the account again; while the Google app's OAuth consent screen is "
                "in 'Testing', Google expires refresh tokens after 7 days (publish the app "
                "to stop that)")


def google_error(answer: Answer, what: str, secrets: Sequence[str] = (), *,
                 permission_hint: str = "grant the access and reconnect") -> SourceError:
    """The ``SourceError`` of a Google API error answer (its message without HTML: YouTube
    puts links in it)."""
    body = answer.body if isinstance(answer.body, dict) else {}
    raw = body.get("error")
    error: dict[str, Any] = raw if isinstance(raw, dict) else {}
    status = str(error.get("status") or "")
    message = " ".join(_TAG.sub("", scrub(str(error.get("message") or ""), secrets)).split())
    message = message[:300]
    reasons = {str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)}
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("reason"):
            reasons.add(str(detail["reason"]))
    detail_text = f"{what}: Google HTTP {answer.status}"
    detail_text += f" {status}" if status else ""
    detail_text += f" ({', '.join(sorted(reasons))})" if reasons else ""
    detail_text += f": {message}" if message else ""
    lowered = message.lower()
    if answer.status == 401 or status == "UNAUTHENTICATED" or reasons & AUTH_REASONS:
        return SourceError("auth_expired", detail_text + " — connect the account again")
    if reasons & QUOTA_REASONS:
        return SourceError("quota", detail_text + " — the daily quota; it resumes tomorrow")
    if reasons & RATE_REASONS:
        return SourceError("rate_limited", detail_text, retry_after=RATE_RETRY_AFTER)
    if answer.status == 429 or status == "RESOURCE_EXHAUSTED":
        if "per hour" in lowered or "hourly" in lowered:
            return SourceError("rate_limited", detail_text, retry_after=HOURLY_RETRY_AFTER)
        if "concurrent" in lowered:
            return SourceError("rate_limited", detail_text, retry_after=RATE_RETRY_AFTER)
        return SourceError("quota", detail_text + " — the property's daily quota; it resumes "
                                                  "tomorrow")
    if answer.status == 403 or status == "PERMISSION_DENIED":
        return SourceError("permission", f"{detail_text} — {permission_hint}")
    if answer.status >= 500:
        return SourceError("server", detail_text)
    return SourceError("bad_request", detail_text)


def token_error(answer: Answer, what: str, secrets: Sequence[str] = (), *,
                hint: str = "connect the account again") -> SourceError:
    """The ``SourceError`` of an OAuth token endpoint's error answer."""
    body = answer.body if isinstance(answer.body, dict) else {}
    code = str(body.get("error") or "")
    text = scrub(str(body.get("error_description") or ""), secrets)[:300]
    detail = f"{what}: Google token endpoint HTTP {answer.status} {code}".rstrip()
    detail += f": {text}" if text else ""
    if code in ("invalid_grant", "invalid_token", "unauthorized_client"):
        return SourceError("auth_expired", f"{detail} — {hint}")
    if code in ("invalid_client", "access_denied", "invalid_scope"):
        return SourceError("permission", f"{detail} — check the OAuth client or service "
                                         "account")
    if answer.status >= 500:
        return SourceError("server", detail)
    return SourceError("bad_request", detail)


class _Response(google.auth.transport.Response):
    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    @property
    def status(self) -> int:
        return self._answer.status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._answer.headers

    @property
    def data(self) -> bytes:
        return json.dumps(self._answer.body).encode() if self._answer.body is not None else b""


class AuthRequest(google.auth.transport.Request):
    """google-auth's transport on a ``JsonHttp``: every token request counted and scrubbed
    like the API's own. Only the form-encoded token POSTs of google-auth go through it."""

    def __init__(self, http: JsonHttp, secrets: Sequence[str] = ()) -> None:
        self.http = http
        self.secrets = tuple(secrets)

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Mapping[str, str] | None = None, timeout: Any = None,
                 **kwargs: Any) -> _Response:
        form: dict[str, str] | None = None
        if body:
            text = body.decode() if isinstance(body, bytes) else str(body)
            form = dict(parse_qsl(text, keep_blank_values=True))
        wanted = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
        answer = self.http.request(method, url, data=form, headers=wanted,
                                   secrets=self.secrets)
        return _Response(answer)
