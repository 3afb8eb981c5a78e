"""Health of the engine's own parts, for the readiness checks of every entry point."""

from __future__ import annotations

from sqlalchemy import Engine

from kpi_engine.storage import db


def ping(engine: Engine) -> None:
    """One round trip to the database; raises what the driver raises when it is down."""
    db.ping(engine)
