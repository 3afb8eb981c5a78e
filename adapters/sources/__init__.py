"""Data sources: the connectors that fetch snapshot values from the platforms themselves
(Meta for Instagram and Facebook, TikTok, YouTube, GA4), so a team need not type them with
``/catat`` or upload a file.

Each connector is one module here that implements the engine's ``Source`` port
(``kpi_engine/domain/ports.py``): ``fetch(handle, first, last)`` returns ``SnapshotRow``s, which go
through the same validation and write as every other way in. A connector knows its
platform's API, paging and rate limits; it computes no KPI.

No connector exists yet. ``fake.py`` is the port's test double, ``FakeSource``: canned rows
and an observable record of what was fetched, for tests of whatever runs the sources.
"""
