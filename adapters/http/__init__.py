"""The one HTTP server of ``kpibot serve``: ``server.py`` (start, stop, routes of every chat
platform), ``api.py`` and ``api_rows.py`` (``/api/v1``), ``openapi.py`` (its schema),
``observability.py`` (logs, ``/metrics``, ``/readyz``)."""
