"""Data sources: the connectors that fetch snapshot values from the platforms themselves
(Meta for Instagram and Facebook, TikTok, YouTube, GA4), so a team need not type them with
``/catat`` or upload a file.

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

Their stand-ins (local HTTP servers in the documented shapes) are ``tests/meta_standin.py``
``tests/tiktok_standin.py`` and ``tests/google_standin.py``.
"""
