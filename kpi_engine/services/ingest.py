"""Import a file into a workspace: parse all rows, then write them in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpi_engine.domain.model import WriteResult
from kpi_engine.services.importer import parse_import
from kpi_engine.storage.store import Store

#: Files sent in chat; the CLI allows larger ones.
CHAT_MAX_BYTES = 10 * 1024 * 1024
CLI_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    result: WriteResult
    shape: str
    lines: int


def import_bytes(store: Store, workspace_id: int, data: bytes, filename: str, *,
                 today: date, max_bytes: int = CHAT_MAX_BYTES) -> ImportResult:
    """All rows or none: a bad row raises ``ImportFileError`` before anything is written.

    ``today`` is the workspace's local today (a row of a later day refuses the file)."""
    parsed = parse_import(data, filename, max_bytes=max_bytes, today=today)
    result = store.write_snapshots(workspace_id, parsed.rows)
    return ImportResult(result, parsed.shape, parsed.lines)
