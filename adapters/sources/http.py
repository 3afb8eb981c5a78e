"""The thin JSON-over-HTTP client every connector shares (httpx, synchronous).

- one ``httpx.Client`` per connector with explicit timeouts;
- every request counted (``requests``), so a fetch can say how many it made;
- secrets never leave in a message: ``scrub`` replaces each known secret and any
  ``access_token=…``-style query value with ``***``, and every exception raised here passes
  through it. Connectors put tokens in headers or form bodies, never in a URL, so httpx's own
  ``HTTP Request: GET …`` log line holds none either;
- a network failure or a 5xx is retried ``retries`` times after ``retry_delay`` seconds, then
  raised as ``SourceError("server")``. A 4xx is returned to the connector, which knows what
  its platform's error body means.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from kpi_engine.domain.ports import SourceError

#: Query or form fields that hold a secret, wherever they appear in a text.
_SECRET_FIELDS = re.compile(
    r"((?:access_token|client_secret|fb_exchange_token|refresh_token|code|appsecret_proof)=)"
    r"[^&\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
DEFAULT_TIMEOUT = 30.0


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret of ``secrets`` and every token-looking field masked."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _SECRET_FIELDS.sub(r"\1***", text)
    return _BEARER.sub(r"\1***", text)


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (lower-case names), the JSON body (None if not JSON)."""

    status: int
    headers: Mapping[str, str]
    body: Any


class JsonHttp:
    """GET/POST JSON against one base URL; counts requests; retries 5xx and network errors."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT, retries: int = 1,
                 retry_delay: float = 2.0, transport: httpx.BaseTransport | None = None,
                 user_agent: str = "kpibot-source/1") -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.retry_delay = retry_delay
        self.requests = 0
        self._client = httpx.Client(
            base_url=self.base_url, transport=transport, follow_redirects=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": user_agent, "Accept": "application/json"})

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                data: Mapping[str, Any] | None = None, json_body: Any = None,
                headers: Mapping[str, str] | None = None,
                secrets: Iterable[str] = ()) -> Answer:
        """The answer of ``method path``; a 4xx is returned, a 5xx or network failure that
        outlives the retries raises ``SourceError("server")`` with a scrubbed message."""
        secrets = tuple(secrets)
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                response = self._client.request(method, path, params=params, data=data,
                                                json=json_body, headers=headers)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                if attempt <= self.retries:
                    self._pause()
                    continue
                raise SourceError("server", scrub(f"{self.base_url}: {problem}", secrets)
                                  ) from None
            answer = Answer(response.status_code,
                            {k.lower(): v for k, v in response.headers.items()},
                            _json(response))
            if answer.status >= 500 and attempt <= self.retries:
                self._pause()
                continue
            if answer.status >= 500 and not isinstance(answer.body, dict):
                raise SourceError("server", f"{self.base_url} answered HTTP {answer.status}")
            return answer

    def _pause(self) -> None:
        if self.retry_delay > 0:
            time.sleep(self.retry_delay)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None
