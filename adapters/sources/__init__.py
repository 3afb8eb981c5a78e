"""Data sources: the connectors that fetch values from the platforms themselves (Meta for
Instagram, Facebook and Meta Ads, TikTok, YouTube, GA4), so a team need not type them with
``/catat`` or upload a file (SPEC §10, docs/sources.md).

Each connector is one module here that implements the engine's ``Source`` port
(``kpi_engine/domain/ports.py``) and registers a factory below: platform → ``factory(settings)``.
The composition root (``adapters/cli/kpibot.py``) builds ``connectors(settings)`` and hands
the mapping to the engine (``kpi_engine/services/sources.SourceService``) and the bot; the
engine never imports a connector. A platform without a factory is refused clearly by
``kpibot source add`` ("there is no connector for tiktok yet").

``fake.py`` is the port's test double, ``FakeSource``.
"""

from __future__ import annotations

from collections.abc import Callable

from config.settings import Settings
from kpi_engine.domain.ports import Source

#: platform → factory(settings). A connector module adds its platforms here.
FACTORIES: dict[str, Callable[[Settings], Source]] = {}


def connectors(settings: Settings) -> dict[str, Source]:
    """A connector per platform that has one, built from the settings (base URLs)."""
    return {platform: make(settings) for platform, make in sorted(FACTORIES.items())}
