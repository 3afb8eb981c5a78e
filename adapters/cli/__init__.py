"""The ``kpibot`` command (``kpibot = "adapters.cli:main"``, or ``python -m adapters.cli``):
``kpibot.py`` reads the arguments and runs each subcommand (SPEC §9), ``alerts.py`` the
``alerts`` and ``digest`` subcommands, ``startup.py`` the first lines a start prints."""

from adapters.cli.kpibot import main

__all__ = ["main"]
