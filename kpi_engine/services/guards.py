"""The request guards the chat adapters run before any command: a replayed Telegram update
or Slack request / event is seen once (``first_sighting``). Stored by ``storage/guards.py``."""

from __future__ import annotations

from kpi_engine.storage.guards import first_sighting

__all__ = ["first_sighting"]
