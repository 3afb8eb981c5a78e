"""Data sources: the connectors that fetch values from the platforms themselves (Meta for
Instagram, Facebook and Meta Ads, TikTok, YouTube, GA4), so a team need not type them with
``/catat`` or upload a file (SPEC §10, docs/sources.md).

Each connector is one module here that implements the engine's ``Source`` port
(``kpi_engine/domain/ports.py``): ``fetch(account, first, last)`` returns a ``SourceBatch``
(snapshots, posts, post values, audience), which goes through the same validation and write
as every other way in. A connector knows its platform's API, paging and rate limits; it
computes no KPI.

- ``meta.py``: Instagram, Facebook Page, Meta Ads (Graph API); ``SOURCES`` by platform;
- ``tiktok.py``: TikTok business account, TikTok Ads (API for Business); ``SOURCES``;
- ``youtube.py``: YouTube channel and videos (Analytics API v2 + Data API v3, OAuth);
- ``ga4.py``: Google Analytics 4 visits, key events, revenue by social source (service
  account); ``google.py``: Google's error bodies and google-auth's transport, for both;
- ``http.py``: the thin httpx client they share (timeouts, request count, secrets scrubbed);
- ``fake.py``: the port's test double, ``FakeSource``: canned rows and an observable record
  of what was fetched, for tests of whatever runs the sources.

Their stand-ins (local HTTP servers in the documented shapes) are ``tests/meta_standin.py``,
``tests/tiktok_standin.py`` and ``tests/google_standin.py``.

Each registers its platforms below: platform → ``factory(settings)``. The composition root
(``adapters/cli/kpibot.py``) builds ``connectors(settings)`` and hands the mapping to the engine
(``kpi_engine/services/sources.SourceService``) and the bot; the engine never imports a
connector. A platform without a factory is refused clearly by ``kpibot source add``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from config.settings import Settings
from kpi_engine.domain.ports import Source

#: platform (SPEC §10) → the module of this package whose ``make_source`` builds it. The
#: modules are imported when a source of theirs is first used, not when ``kpibot`` starts:
#: together with httpx and google-auth they cost about 0.25 s, which every ``kpibot ask``
#: would otherwise pay (tests/unit/test_source_registry.py keeps this equal to each
#: module's ``SOURCES``).
MODULES: dict[str, str] = {
    "instagram": "meta", "facebook": "meta", "meta_ads": "meta",
    "tiktok": "tiktok", "tiktok_ads": "tiktok", "youtube": "youtube", "ga4": "ga4",
}


def _factory(module: str, platform: str) -> Callable[[Settings], Source]:
    def make(settings: Settings) -> Source:
        built: Source = importlib.import_module(f"adapters.sources.{module}").make_source(
            platform, settings)
        return built

    return make


#: platform → factory(settings), one per platform that has a connector.
FACTORIES: dict[str, Callable[[Settings], Source]] = {
    platform: _factory(module, platform) for platform, module in MODULES.items()}


class Connectors(Mapping[str, Source]):
    """platform → connector, each built (and its module imported) on first use."""

    def __init__(self, settings: Settings, factories: Mapping[str, Callable[[Settings], Source]]
                 ) -> None:
        self._settings = settings
        self._factories = dict(factories)
        self._built: dict[str, Source] = {}

    def __getitem__(self, platform: str) -> Source:
        if platform not in self._built:
            self._built[platform] = self._factories[platform](self._settings)
        return self._built[platform]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._factories))

    def __len__(self) -> int:
        return len(self._factories)

    def __contains__(self, platform: object) -> bool:
        return platform in self._factories


def connectors(settings: Settings) -> Connectors:
    """A connector per platform that has one, built from the settings (base URLs) when a
    source of that platform is first added or synced."""
    return Connectors(settings, FACTORIES)
