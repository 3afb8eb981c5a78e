"""The Google Analytics 4 connector: website visits, key events and revenue by social channel.

``GA4Source`` (``ga4``, re-fetches 3 days)
    GA4 Data API ``POST /v1beta/properties/{id}:runReport`` with dimensions ``date`` and
    ``sessionSource``, metrics ``sessions`` (→ ``website_visits``), ``keyEvents``
    (→ ``conversions``; GA4 renamed *conversions* to *key events* in 2024) and
    ``totalRevenue`` (→ ``revenue``, in the property's currency), ``offset`` / ``limit``
    paging until ``rowCount``, ``returnPropertyQuota: true``.

    Each session source is mapped to one of the bot's social channels by its name
    (:data:`SOCIAL_SOURCES`: ``instagram.com``, ``l.instagram.com``, ``ig`` → instagram;
    ``m.facebook.com``, ``lm.facebook.com``, ``fb`` → facebook …) and the rows of one day
    and channel are added up; they are written to that platform's channel with the
    account's handle (``""``: the team's own channel). A source that is not a known social
    one (``google``, ``(direct)``, a newsletter …) is counted in ``skipped`` and left out,
    never guessed.

Auth: a service account. The account's ``access_token`` holds the service account's JSON
key (as downloaded from Google Cloud; stored encrypted like every token); google-auth signs
the JWT and gets an access token from the key's ``token_uri`` (or
``KPIBOT_GOOGLE_TOKEN_URL``), over the connector's own counted, scrubbing client, and renews
it when it expires. The service account must be a *Viewer* of the property. Or a user's
sign-in (``kpibot source add ga4 --oauth``): the ``access_token`` is then
``{"type": "authorized_user", "refresh_token": …}``, and google-auth renews the access token
with it and the OAuth client of ``KPIBOT_GOOGLE_CLIENT_ID`` / ``_SECRET``.

Quotas are per property: a 429 ``RESOURCE_EXHAUSTED`` of the daily tokens is ``quota``, of
the hourly tokens ``rate_limited`` for an hour (:func:`adapters.sources.google.google_error`);
``last_quota`` keeps the ``propertyQuota`` of the last answer per property, and a fetch
stops with ``quota`` before a page when the property has no daily tokens left.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import google.auth.credentials
import google.auth.exceptions
import google.oauth2.credentials
import httpx
from google.oauth2 import service_account

from adapters.sources.google import TOKEN_URL, AuthRequest, google_error
from adapters.sources.http import JsonHttp, scrub
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import SourceAccount, SourceBatch, SourceError

GA4_URL = "https://analyticsdata.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/analytics.readonly",)
PAGE_ROWS = 10000
log = logging.getLogger(__name__)

#: Session source names (lower case, without ``www.``) → the bot's platform.
SOCIAL_SOURCES: dict[str, str] = {
    **dict.fromkeys(("instagram.com", "l.instagram.com", "instagram", "ig"), "instagram"),
    **dict.fromkeys(("facebook.com", "m.facebook.com", "l.facebook.com", "lm.facebook.com",
                     "mbasic.facebook.com", "business.facebook.com", "facebook", "fb"),
                    "facebook"),
    **dict.fromkeys(("tiktok.com", "tiktok", "vt.tiktok.com"), "tiktok"),
    **dict.fromkeys(("youtube.com", "m.youtube.com", "youtu.be", "youtube", "yt"), "youtube"),
    **dict.fromkeys(("linkedin.com", "lnkd.in", "linkedin"), "linkedin"),
    **dict.fromkeys(("t.co", "twitter.com", "x.com", "twitter", "x"), "x"),
}


def social_platform(source: str) -> str | None:
    """The platform of a GA4 session source, or None when it is not a known social one."""
    name = source.strip().lower()
    name = name.removeprefix("www.")
    return SOCIAL_SOURCES.get(name)


class GA4Source:
    platform: str = "ga4"
    refetch_days: int = 3

    METRICS: ClassVar[dict[str, str]] = {"sessions": "website_visits",
                                         "keyEvents": "conversions", "totalRevenue": "revenue"}

    def __init__(self, base_url: str = GA4_URL, *, token_url: str | None = None,
                 page_rows: int = PAGE_ROWS, timeout: float = 30.0, retries: int = 1,
                 retry_delay: float = 2.0, transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], datetime] | None = None, client_id: str = "",
                 client_secret: str = "") -> None:
        self.http = JsonHttp(base_url, timeout=timeout, retries=retries,
                             retry_delay=retry_delay, transport=transport)
        self.token_url = token_url
        #: the OAuth client a user's sign-in (``authorized_user``) renews its token with
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_rows = page_rows
        self.clock = clock or (lambda: datetime.now(UTC))
        self.skipped: Counter[str] = Counter()
        self.last_quota: dict[str, dict[str, Any]] = {}
        #: the currency GA4 reports revenue in, per property (``metadata.currencyCode``):
        #: whoever writes the batch can check it against the workspace's currency
        self.currency: dict[str, str] = {}
        self._credentials: dict[str, google.auth.credentials.Credentials] = {}

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> GA4Source:
        secret = getattr(settings, "google_client_secret", None)
        return cls(getattr(settings, "ga4_api_url", None) or GA4_URL,
                   token_url=getattr(settings, "google_token_url", None),
                   client_id=getattr(settings, "google_client_id", None) or "",
                   client_secret=secret.get_secret_value() if secret is not None else "", **kw)

    @property
    def requests(self) -> int:
        return self.http.requests

    # -- the port

    def fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        if first > last:
            raise SourceError("bad_request", f"ga4: first day {first} is after last day {last}")
        before = self.http.requests
        prop = account.account_id.removeprefix("properties/")
        if not prop.isdigit():
            raise SourceError("bad_request", f"ga4: {account.account_id!r} is not a GA4 "
                                             "property id (digits, e.g. 123456789)")
        sums: dict[tuple[date, str, str], float] = {}
        before_skipped = sum(self.skipped.values())
        offset, total = 0, None
        while total is None or offset < total:
            self._check_quota(prop)
            body = self._report(account, prop, first, last, offset)
            quota = body.get("propertyQuota")
            if isinstance(quota, dict):
                self.last_quota[prop] = quota
            raw_meta = body.get("metadata")
            metadata: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
            if metadata.get("currencyCode"):
                self.currency[prop] = str(metadata["currencyCode"])
            if metadata.get("dataLossFromOtherRow") and offset == 0:
                log.warning("ga4 property %s: GA4 put some sources in '(other)' (too many "
                            "distinct values); their sessions are not counted", prop)
            rows = [r for r in body.get("rows") or [] if isinstance(r, dict)]
            total = int(body.get("rowCount") or 0)
            for row in rows:
                self._row(account, row, first, last, sums)
            if not rows:
                break
            offset += len(rows)
        snapshots = [SnapshotRow(day, platform, account.handle, metric, value)
                     for (day, platform, metric), value in sorted(sums.items())]
        skipped = sum(self.skipped.values()) - before_skipped
        if skipped:  # google, (direct), newsletters …: not a social channel, so not written
            log.info("ga4 property %s: skipped %d rows whose session source is no known "
                     "social channel (%s)", prop, skipped,
                     ", ".join(k.removeprefix("source:") for k, _ in
                               self.skipped.most_common(10)))
        today = self.clock().astimezone(UTC).date()
        return SourceBatch(snapshots=snapshots,
                           provisional_from=today - timedelta(days=self.refetch_days - 1),
                           requests=self.http.requests - before)

    def refresh(self, account: SourceAccount) -> SourceAccount:
        """A service account needs no stored refresh: the key mints tokens. This checks the
        key by getting a token, and returns the account as it is (the key does not expire)."""
        self._token(account)
        return account

    # -- parts

    def _check_quota(self, prop: str) -> None:
        quota = self.last_quota.get(prop) or {}
        daily = quota.get("tokensPerDay") or {}
        remaining = daily.get("remaining") if isinstance(daily, dict) else None
        if isinstance(remaining, (int, float)) and remaining <= 0:
            raise SourceError("quota", f"ga4 property {prop}: no tokens left today "
                                       f"({daily.get('consumed', '?')} used) — it resumes "
                                       "tomorrow")

    def _report(self, account: SourceAccount, prop: str, first: date, last: date,
                offset: int) -> dict[str, Any]:
        token = self._token(account)
        request = {"dateRanges": [{"startDate": first.isoformat(), "endDate": last.isoformat()}],
                   "dimensions": [{"name": "date"}, {"name": "sessionSource"}],
                   "metrics": [{"name": name} for name in self.METRICS],
                   "limit": self.page_rows, "offset": offset, "returnPropertyQuota": True}
        answer = self.http.request("POST", f"/v1beta/properties/{prop}:runReport",
                                   json_body=request,
                                   headers={"Authorization": f"Bearer {token}"},
                                   secrets=(token, account.access_token))
        if answer.status != 200 or not isinstance(answer.body, dict):
            if answer.status == 401:
                self._credentials.pop(account.access_token, None)
            raise google_error(answer, f"ga4 property {prop}", (token,), permission_hint=(
                "add the service account's e-mail to the GA4 property as Viewer (Admin → "
                "Property access management)"))
        return answer.body

    def _row(self, account: SourceAccount, row: dict[str, Any], first: date, last: date,
             sums: dict[tuple[date, str, str], float]) -> None:
        dims = [str((d or {}).get("value", "")) for d in row.get("dimensionValues") or []]
        values = [(m or {}).get("value") for m in row.get("metricValues") or []]
        if len(dims) != 2 or len(values) != len(self.METRICS):
            self.skipped["row:bad_shape"] += 1
            return
        try:
            day = datetime.strptime(dims[0], "%Y%m%d").date()
        except ValueError:
            self.skipped["row:bad_date"] += 1
            return
        if not first <= day <= last:
            return
        platform = social_platform(dims[1])
        if platform is None:
            self.skipped[f"source:{dims[1].strip().lower() or '(empty)'}"] += 1
            return
        for key, raw in zip(self.METRICS.values(), values, strict=True):
            try:
                value = float(str(raw))
            except ValueError:
                continue
            sums[(day, platform, key)] = sums.get((day, platform, key), 0.0) + value

    def _token(self, account: SourceAccount) -> str:
        key = account.access_token
        credentials = self._credentials.get(key)
        if credentials is None:
            credentials = self._credentials[key] = self._load(key)
        if not credentials.valid:
            request = AuthRequest(self.http, (key,))
            try:
                credentials.refresh(request)
            except google.auth.exceptions.RefreshError as exc:
                user = isinstance(credentials, google.oauth2.credentials.Credentials)
                raise _refresh_error(exc, key, user=user) from None
            except google.auth.exceptions.TransportError as exc:
                raise SourceError("server", scrub(f"ga4 token: {exc}", (key,))) from None
        token = credentials.token
        if not isinstance(token, str) or not token:
            raise SourceError("server", "ga4 token: Google answered no token")
        return token

    def _load(self, key: str) -> google.auth.credentials.Credentials:
        try:
            info = json.loads(key)
        except (json.JSONDecodeError, TypeError):
            info = None
        if isinstance(info, dict) and info.get("type") == "authorized_user":
            return self._user(info)
        if not isinstance(info, dict) or info.get("type") != "service_account":
            raise SourceError("bad_request", "ga4: the credential is not a service account "
                                             "JSON key (download one in Google Cloud → IAM → "
                                             "Service accounts → Keys)")
        info = dict(info)
        info["token_uri"] = self.token_url or info.get("token_uri") or TOKEN_URL
        try:
            return service_account.Credentials.from_service_account_info(
                info, scopes=list(SCOPES))
        except (ValueError, KeyError) as exc:
            problem = scrub(str(exc), (key, str(info.get("private_key", ""))))[:200]
            raise SourceError("bad_request", f"ga4: the service account key is not usable: "
                                             f"{type(exc).__name__} {problem}") from None


    def _user(self, info: Mapping[str, Any]) -> google.oauth2.credentials.Credentials:
        """A user's sign-in: its refresh token with the settings' OAuth client."""
        refresh = info.get("refresh_token")
        if not isinstance(refresh, str) or not refresh:
            raise SourceError("auth_expired", "ga4: the sign-in has no refresh token; connect "
                                              "the property again")
        if not (self.client_id and self.client_secret):
            raise SourceError("bad_request", "ga4: a signed-in property needs "
                                             "KPIBOT_GOOGLE_CLIENT_ID and "
                                             "KPIBOT_GOOGLE_CLIENT_SECRET to renew its token")
        return google.oauth2.credentials.Credentials(
            None, refresh_token=refresh, token_uri=self.token_url or TOKEN_URL,
            client_id=self.client_id, client_secret=self.client_secret, scopes=list(SCOPES))


def _refresh_error(exc: google.auth.exceptions.RefreshError, key: str, *,
                   user: bool = False) -> SourceError:
    data: Mapping[str, Any] = {}
    if len(exc.args) > 1 and isinstance(exc.args[1], Mapping):
        data = exc.args[1]
    code = str(data.get("error") or "")
    text = scrub(str(data.get("error_description") or exc.args[0] if exc.args else ""),
                 (key,))[:300]
    detail = f"ga4 token: Google token endpoint {code}: {text}".replace(" : ", ": ")
    if code == "invalid_grant" and user:
        return SourceError("auth_expired", detail + " — the sign-in was revoked or expired; "
                                                    "connect the property again (--oauth)")
    if code == "invalid_grant":
        return SourceError("auth_expired", detail + " — the service account key was deleted "
                                                    "or disabled; make a new key")
    if code in ("invalid_client", "unauthorized_client", "access_denied"):
        return SourceError("permission", detail + " — check the service account")
    return SourceError("server", detail)


SOURCES: dict[str, type[GA4Source]] = {GA4Source.platform: GA4Source}


def make_source(platform: str, settings: Any, **kw: Any) -> GA4Source:
    return SOURCES[platform].from_settings(settings, **kw)


if TYPE_CHECKING:  # mypy checks the source against the port
    from kpi_engine.domain.ports import Source

    _ga4: Source = GA4Source()
