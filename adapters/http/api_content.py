"""Posts and audience segments sent as JSON (SPEC §11): ``POST /api/v1/posts`` and
``POST /api/v1/segments``.

Each row is an object with the fields of the import file's wide shape, read exactly like its
cells by ``kpi_engine.services.import_content`` (the same rules and sentences as a file:
whole counts, bounds, no day after today):

- a post: ``date`` (the day the lifetime values were read), ``channel``, ``post_id``,
  ``published_at`` (ISO date-time; without an offset: the workspace's local time),
  optionally ``format``, ``caption``, ``permalink``, ``competitor``, and any of ``reach``,
  ``views``, ``likes``, ``comments``, ``shares``, ``saves``;
- a segment: ``date``, ``channel``, ``segment`` (``city:Jakarta``, ``age:18-24``,
  ``gender:female``), ``followers`` (or ``subscribers``), optionally ``competitor``.

All rows are written in one transaction, or none: the first invalid row (its 0-based
``index``, field and reason) is a 422 and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from kpi_engine.domain.content import POST_METRICS
from kpi_engine.services import import_content
from kpi_engine.services.importer import ImportFileError, content_error

POST_FIELDS = ("date", "channel", "post_id", "published_at", "format", "caption", "permalink",
               "competitor", *POST_METRICS)
SEGMENT_FIELDS = ("date", "channel", "segment", "followers", "subscribers", "competitor")

MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_field": ("Baris #{index}: kolom '{column}' tidak dikenal. Kolom yang boleh: "
                      "{fields}. Tidak ada data yang disimpan.",
                      "Row #{index}: unknown field '{column}'. The fields are: {fields}. "
                      "Nothing was saved."),
    "bad_row": ("Baris #{index} bukan objek JSON. Tidak ada data yang disimpan.",
                "Row #{index} is not a JSON object. Nothing was saved."),
}


class ContentBatchError(Exception):
    """The first problem of a batch: ``code``, 0-based row ``index``, ``field``, ``text``."""

    def __init__(self, code: str, index: int | None, field: str | None, text: str) -> None:
        super().__init__(code)
        self.code, self.index, self.field, self.text = code, index, field, text

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "code": self.code,
                "reason": self.text}


def read_content(items: list[Any], kind: str, *, lang: str, today: Any,
                 timezone: str) -> import_content.ParsedContent:
    """The rows of a ``posts`` or ``segments`` batch; raises :class:`ContentBatchError`."""
    allowed = POST_FIELDS if kind == "posts" else SEGMENT_FIELDS
    header: list[str] = []
    for i, item in enumerate(items):
        if type(item) is not dict:
            raise ContentBatchError("bad_row", i, None, _text("bad_row", lang, index=i))
        for key in item:
            if key not in allowed:
                raise ContentBatchError("unknown_field", i, str(key), _text(
                    "unknown_field", lang, index=i, column=str(key)[:60],
                    fields=", ".join(allowed)))
            if key not in header:
                header.append(key)
    for required in ("post_id",) if kind == "posts" else ("segment",):
        if required not in header:
            header.append(required)  # every row then misses it: the file's sentence says so
    columns = [[item.get(name) if item.get(name) is not None else "" for item in items]
               for name in header]
    try:
        return import_content.parse_content(header, columns, base_fields={
            "date": "date", "channel": "channel", "competitor": "competitor"}, typed=True,
            indonesian=False, today=today, timezone=timezone)
    except import_content.ContentProblem as problem:
        error: ImportFileError = content_error(
            problem, lambda row: None if row is None else f"#{row}")
        error.line = None
        raise ContentBatchError(problem.code, problem.row, problem.column,
                                error.message(lang)) from None


def _text(key: str, lang: str, **params: Any) -> str:
    ind, eng = MESSAGES[key]
    return (eng if lang == "en" else ind).format(**params)
