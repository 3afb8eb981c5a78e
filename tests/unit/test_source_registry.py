"""The connector registry (``adapters/sources/__init__.py``): every platform of SPEC §10 has a
connector, the registry names each one's module exactly as that module's ``SOURCES`` does,
and no connector module is imported until a source of it is used."""

from __future__ import annotations

import importlib
import subprocess
import sys

from adapters import sources
from config.settings import Settings
from kpi_engine.domain.ports import Source

SPEC_PLATFORMS = {"instagram", "facebook", "meta_ads", "tiktok", "tiktok_ads", "youtube", "ga4"}


def test_every_platform_of_the_spec_has_its_module_as_the_module_says() -> None:
    assert set(sources.MODULES) == SPEC_PLATFORMS == set(sources.FACTORIES)
    for module in set(sources.MODULES.values()):
        mod = importlib.import_module(f"adapters.sources.{module}")
        assert {p for p, m in sources.MODULES.items() if m == module} == set(mod.SOURCES)


def test_connectors_are_built_on_first_use_and_kept() -> None:
    built = sources.connectors(Settings())
    assert "ga4" in built and "snapchat" not in built and len(built) == 7
    youtube = built["youtube"]
    assert isinstance(youtube, Source) and youtube.platform == "youtube"
    assert built["youtube"] is youtube
    assert sorted(built) == sorted(SPEC_PLATFORMS)


def test_starting_kpibot_imports_no_connector_module() -> None:
    code = ("import sys; from adapters.sources import connectors; from config.settings import "
            "Settings; c = connectors(Settings()); assert 'instagram' in c; "
            "print(sorted(m for m in sys.modules if m.startswith('adapters.sources.')"
            " or m.startswith('google.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "[]"
