"""API tokens (SPEC §9.2) for the entry points: ``kpibot token``, the HTTP API's
authentication and the log redaction. The table is ``storage/tokens.py``'s."""

from __future__ import annotations

from kpi_engine.storage.tokens import TOKEN_PATTERN, ApiToken, ApiTokens, NewToken

__all__ = ["TOKEN_PATTERN", "ApiToken", "ApiTokens", "NewToken"]
