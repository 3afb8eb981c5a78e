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
- ``http.py``: the thin httpx client they share (timeouts, request count, secrets scrubbed);
- ``fake.py``: the port's test double, ``FakeSource``: canned rows and an observable record
  of what was fetched, for tests of whatever runs the sources.

Their stand-ins (local HTTP servers in the documented shapes) are ``tests/meta_standin.py``
and ``tests/tiktok_standin.py``.

Each registers its platforms below: platform → ``factory(settings)``. The composition root
(``adapters/cli/kpibot.py``) builds ``connectors(settings)`` and hands the mapping to the engine
(``kpi_engine/services/sources.SourceService``) and the bot; the engine never imports a
connector. A platform without a factory is refused clearly by ``kpibot source add``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from adapters.sources import meta, tiktok
from config.settings import Settings
from kpi_engine.domain.ports import Source

#: platform → factory(settings), one per platform of SPEC §10 that has a connector.
FACTORIES: dict[str, Callable[[Settings], Source]] = {
    **{platform: functools.partial(meta.make_source, platform) for platform in meta.SOURCES},
    **{platform: functools.partial(tiktok.make_source, platform) for platform in tiktok.SOURCES},
}


def connectors(settings: Settings) -> dict[str, Source]:
    """A connector per platform that has one, built from the settings (base URLs)."""
    return {platform: make(settings) for platform, make in sorted(FACTORIES.items())}
