"""``python -m adapters.cli …``: the ``kpibot`` command (``make run`` uses it)."""

from adapters.cli.kpibot import main

raise SystemExit(main())
