"""API tokens (SPEC §9.2) for the entry points: ``kpibot token`` (create, list, revoke), the
HTTP API's authentication (``authenticate``) and the log redaction (``TOKEN_PATTERN``). The
table is ``storage/tokens.py``'s; a token's secret is shown once and only its hash is kept."""

from __future__ import annotations

from kpi_engine.domain.model import Workspace
from kpi_engine.storage.store import Store
from kpi_engine.storage.tokens import TOKEN_PATTERN, ApiToken, ApiTokens, NewToken

__all__ = ["TOKEN_PATTERN", "ApiToken", "ApiTokens", "NewToken", "authenticate",
           "create_token", "revoke_token", "revoke_workspace_tokens", "workspace_tokens"]


def authenticate(store: Store, secret: str) -> tuple[ApiToken, Workspace] | None:
    """The active token whose secret is exactly ``secret``, and the workspace it opens;
    None for an unknown, malformed or revoked token, or one whose workspace is gone."""
    token = ApiTokens(store).lookup(secret)
    if token is None:
        return None
    ws = store.workspace_by_id(token.workspace_id)
    return (token, ws) if ws is not None else None


def create_token(store: Store, workspace_id: int, *, name: str = "") -> NewToken:
    """A new token for the workspace; its ``secret`` is returned once and never stored."""
    return ApiTokens(store).create(workspace_id, name=name)


def workspace_tokens(store: Store, workspace_id: int) -> list[ApiToken]:
    """The workspace's tokens, revoked ones too, oldest first (no secret)."""
    return ApiTokens(store).for_workspace(workspace_id)


def revoke_token(store: Store, token_id: int) -> bool:
    """Revoke one token; False when there is no such active token."""
    return ApiTokens(store).revoke(token_id)


def revoke_workspace_tokens(store: Store, workspace_id: int) -> int:
    """Revoke every active token of the workspace; how many."""
    return ApiTokens(store).revoke_workspace(workspace_id)
