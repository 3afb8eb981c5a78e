"""Workspaces and their channels, as every entry point looks them up (the router, the CLI).

``Store`` is the handle every service takes: entry points hold it as an opaque object (the
composition roots ``bot/bootstrap.py`` and ``adapters/cli`` build it) and get its type here,
never from ``kpi_engine.storage``.
"""

from __future__ import annotations

from datetime import date

from kpi_engine.domain.model import Channel, Workspace
from kpi_engine.storage import goal_store
from kpi_engine.storage.store import Store

__all__ = ["Store", "all_workspaces", "campaign_span", "channels_and_campaigns", "ensure_workspace",
           "find_workspace", "workspace_by_id"]


def find_workspace(store: Store, slug: str) -> Workspace | None:
    """The workspace named ``slug`` (case as stored), or None."""
    return store.workspace(slug)


def workspace_by_id(store: Store, workspace_id: int) -> Workspace | None:
    return store.workspace_by_id(workspace_id)


def all_workspaces(store: Store) -> list[Workspace]:
    """Every workspace, oldest first (the CLI's and console's default is the first)."""
    return store.workspaces()


def ensure_workspace(store: Store, slug: str, *, timezone: str, language: str) -> Workspace:
    """Workspace ``slug``, created with the given defaults when it does not exist yet."""
    return store.ensure_workspace(slug, timezone=timezone, language=language)


def channels_and_campaigns(store: Store, workspace_id: int) -> tuple[list[Channel], list[str]]:
    """What a question in this workspace can name: its channels and campaigns (one read)."""
    return store.channels_and_campaigns(workspace_id)


def campaign_span(store: Store, workspace_id: int, campaign: str) -> tuple[date, date] | None:
    """The first and last day the campaign has snapshots (``/roi``'s whole run), or None."""
    return goal_store.campaign_span(store, workspace_id, campaign)
