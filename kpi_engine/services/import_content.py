"""Content rows of import files (SPEC §11): a ``post_id`` column makes a row a post row, a
``segment`` column an audience row, in the long and the wide shape.

- long: ``date, channel, metric, value, post_id [, published_at, format, caption,
  permalink] [, competitor]`` or ``date, channel, metric, value, segment [, competitor]``
- wide: ``date, channel, post_id, …, <metric>, <metric> …`` or ``date, channel, segment,
  followers``

``date`` is the day the lifetime values were read (posts) or the day of the audience gauge.
Values pass the same rules as snapshots (``kpi_engine.domain.validation``: whole counts, no
negatives, at most 10^12, no day after today); a bad row raises :class:`ContentProblem`
with its row index and the importer rejects the whole file, as for snapshots.
Rows are checked one by one (content files are small: posts, not days × metrics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kpi_engine.domain import content as dc
from kpi_engine.domain import import_values as iv
from kpi_engine.domain import validation
from kpi_engine.domain.metrics import normalize, resolve

#: Header names of the content columns (normalized) → field.
CONTENT_FIELDS: dict[str, str] = {
    "post_id": "post_id", "post id": "post_id", "id postingan": "post_id", "id_post": "post_id",
    "published_at": "published_at", "published at": "published_at", "terbit": "published_at",
    "waktu terbit": "published_at", "format": "format", "caption": "caption",
    "keterangan": "caption", "permalink": "permalink", "link": "permalink", "tautan": "permalink",
    "url": "permalink", "segment": "segment", "segmen": "segment",
}
_POST_FIELDS = ("published_at", "format", "caption", "permalink")
_FIELD_WORDS = {"published_at": ("waktu terbit", "publishing time"), "format": ("format", "format"),
                "caption": ("caption", "caption"), "permalink": ("tautan", "link")}
#: Audience rows are gauges of followers (or subscribers) per bucket.
SEGMENT_METRICS = ("followers", "subscribers")


class ContentProblem(Exception):
    """A bad cell: ``code`` (of ``content.TEXTS``, ``validation.TEXTS`` or the importer's),
    ``row`` (index of the data row), ``column`` (as written in the header)."""

    def __init__(self, code: str, *, row: int | None, column: str | None = None,
                 variant: str = "", **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.row = row
        self.column = column
        self.variant = variant
        self.params = params


@dataclass
class ParsedContent:
    posts: list[dc.PostRow] = field(default_factory=list)
    post_metrics: list[dc.PostMetricRow] = field(default_factory=list)
    segments: list[dc.SegmentRow] = field(default_factory=list)
    lines: int = 0


def is_content_header(header: list[str]) -> bool:
    """Does the header have a ``post_id`` or ``segment`` column?"""
    return any(CONTENT_FIELDS.get(normalize(h)) in ("post_id", "segment") for h in header)


def parse_content(header: list[str], columns: list[Any], *, base_fields: dict[str, str],
                  typed: bool, indonesian: bool, today: date | None,
                  timezone: str = "Asia/Jakarta") -> ParsedContent:
    """The content rows of a table (columns of cells, data rows only)."""
    fields: dict[str, int] = {}
    metrics: list[tuple[int, str]] = []
    for pos, raw in enumerate(header):
        name = normalize(raw)
        if not name:
            continue
        found = CONTENT_FIELDS.get(name) or base_fields.get(name)
        if found is None:
            known = resolve(name)
            if known is None or not known.stored:
                code, _ = iv.check_metric(raw)
                raise ContentProblem(code, row=None, column=raw, **iv.metric_details(code, raw))
            found = f"metric:{known.key}"
        if found in fields:
            raise ContentProblem("duplicate_header", row=None, column=raw,
                                 other=header[fields[found]], meaning=(found, found))
        fields[found] = pos
        if found.startswith("metric:"):
            metrics.append((pos, found[7:]))
    for required in ("date", "channel"):
        if required not in fields:
            raise ContentProblem("missing_column", row=None, column=required, word=required)
    long = "metric" in fields or "value" in fields
    if long and not ("metric" in fields and "value" in fields):
        missing = "value" if "metric" in fields else "metric"
        raise ContentProblem("missing_column", row=None, column=missing, word=missing)
    if long and metrics:
        raise ContentProblem("unknown_column", row=None, column=header[metrics[0][0]])
    if not long and not metrics:
        raise ContentProblem("missing_column", row=None, column="metric", variant="metrics")
    decimal_comma = indonesian or iv.has_decimal_comma(
        [columns[p] for p in ([fields["value"]] if long else [p for p, _ in metrics])])

    def cell(row: int, name: str) -> Any:
        pos = fields.get(name)
        return "" if pos is None else columns[pos][row]

    def column_name(name: str) -> str:
        return header[fields[name]] if name in fields else name

    n = len(columns[0]) if columns else 0
    out = ParsedContent()
    posts: dict[tuple[str, str, str], tuple[int, dc.PostRow]] = {}
    seen: dict[tuple[Any, ...], int] = {}
    flags: dict[tuple[str, str], tuple[int, bool]] = {}
    for row in range(n):
        if all(iv.is_blank(col[row]) for col in columns):
            continue
        out.lines += 1

        def check(name: str, result: tuple[str, object], _row: int = row) -> Any:
            code, value = result
            if code:
                raise ContentProblem(code, row=_row, column=column_name(name),
                                     variant=name if code == "missing_value" else "",
                                     value=validation.shown(iv.cell_text(cell(_row, name))),
                                     today=today.isoformat() if today else "")
            return value

        day: date = check("date", iv.check_day(cell(row, "date"), today))
        platform, handle = check("channel", iv.check_channel(cell(row, "channel")))
        flag = check("competitor", iv.check_flag(cell(row, "competitor")))
        if flag is not None:
            other = flags.setdefault((platform, handle), (row, flag))
            if other[1] != flag:
                raise ContentProblem("bad_competitor", row=row, column=column_name("competitor"),
                                     variant="conflict", other_row=other[0],
                                     channel=f"{platform}:{handle}" if handle else platform,
                                     flag=flag)
        post_id = iv.cell_text(cell(row, "post_id"))
        segment_text = iv.cell_text(cell(row, "segment"))
        if post_id and segment_text:
            raise ContentProblem("post_and_segment", row=row, column=column_name("segment"))
        if not post_id and not segment_text:
            name = "post_id" if "post_id" in fields else "segment"
            raise ContentProblem("missing_value", row=row, column=column_name(name))
        values: list[tuple[str, str, float]] = []  # (column, metric, value)
        cells = ([(fields["value"], cell(row, "metric"))] if long
                 else [(p, k) for p, k in metrics])
        for pos, metric_cell in cells:
            key = check("metric", iv.check_metric(metric_cell)) if long else metric_cell
            raw = columns[pos][row]
            if iv.is_blank(raw):
                if long:
                    raise ContentProblem("missing_value", row=row, column=header[pos],
                                         variant="value")
                continue
            number = _number(raw, decimal_comma)
            if number is None:
                raise ContentProblem("bad_number", row=row, column=header[pos],
                                     variant="comma" if decimal_comma else "dot",
                                     value=iv.cell_text(raw))
            values.append((header[pos], key, number))
        if not values:
            continue
        if post_id:
            if problem := dc.post_id_problem(post_id):
                raise ContentProblem(problem, row=row, column=column_name("post_id"),
                                     value=validation.shown(post_id))
            post = _post(row, platform, handle, post_id, flag, cell, column_name, timezone,
                         today)
            key3 = (platform, handle, post_id)
            first = posts.get(key3)
            if first is None:
                posts[key3] = (row, post)
            elif first[1] != post:
                what = next(f for f in ("published_at", "format", "caption", "permalink")
                            if getattr(first[1], f) != getattr(post, f))
                raise ContentProblem("post_conflict", row=row, column=column_name(what),
                                     value=post_id, field=_FIELD_WORDS[what],
                                     other_row=first[0])
            published_day = dc.local_slot(post.published_at, timezone)[0]
            if day < published_day:
                raise ContentProblem("read_before_published", row=row,
                                     column=column_name("date"), value=day.isoformat(),
                                     published=published_day.isoformat())
            for col, metric, number in values:
                if problem := dc.post_value_problem(metric, number):
                    raise ContentProblem(problem, row=row, column=col, metric=metric,
                                         value=_shown_number(number))
                dup: tuple[Any, ...] = ("post", platform, handle, post_id, day, metric)
                if dup in seen:
                    raise ContentProblem("duplicate_row", row=row, other_row=seen[dup],
                                         day=day.isoformat(), metric=metric,
                                         channel=f"{platform}:{handle}" if handle else platform,
                                         campaign="")
                seen[dup] = row
                out.post_metrics.append(dc.PostMetricRow(platform, handle, post_id, day, metric,
                                                         validation.stored_value(metric, number)))
        else:
            parsed = dc.parse_segment(segment_text)
            if parsed is None:
                raise ContentProblem("bad_segment", row=row, column=column_name("segment"),
                                     value=validation.shown(segment_text))
            for col, metric, number in values:
                if metric not in SEGMENT_METRICS:
                    raise ContentProblem("segment_metric", row=row, column=col, value=metric)
                if problem := validation.value_problem(metric, number):
                    raise ContentProblem(problem, row=row, column=col, metric=metric,
                                         value=_shown_number(number))
                dup_segment: tuple[Any, ...] = ("segment", platform, handle, parsed, day)
                if dup_segment in seen:
                    raise ContentProblem("duplicate_row", row=row, other_row=seen[dup_segment],
                                         day=day.isoformat(), metric=f"{metric} {segment_text}",
                                         channel=f"{platform}:{handle}" if handle else platform,
                                         campaign="")
                seen[dup_segment] = row
                out.segments.append(dc.SegmentRow(day, platform, handle, parsed[0], parsed[1],
                                                  validation.stored_value(metric, number), flag))
    if out.lines == 0:
        raise ContentProblem("no_rows", row=None)
    if not out.post_metrics and not out.segments:
        raise ContentProblem("no_rows", row=None, variant="values")
    out.posts = [p for _, p in posts.values()]
    return out


def _post(row: int, platform: str, handle: str, post_id: str, flag: bool | None, cell: Any,
          column_name: Any, timezone: str, today: date | None) -> dc.PostRow:
    raw = cell(row, "published_at")
    if iv.is_blank(raw):
        raise ContentProblem("missing_value", row=row, column=column_name("published_at"))
    published = dc.parse_published_at(raw, timezone)
    if published is None:
        raise ContentProblem("bad_published_at", row=row, column=column_name("published_at"),
                             value=validation.shown(iv.cell_text(raw)))
    if today is not None and dc.local_slot(published, timezone)[0] > today:
        raise ContentProblem("future_published_at", row=row,
                             column=column_name("published_at"),
                             value=validation.shown(iv.cell_text(raw)))
    fmt = dc.parse_format(iv.cell_text(cell(row, "format")))
    if fmt is None:
        raise ContentProblem("bad_format", row=row, column=column_name("format"),
                             value=validation.shown(iv.cell_text(cell(row, "format"))))
    caption_cell = cell(row, "caption")
    caption = "" if caption_cell is None else str(caption_cell).strip()
    if code := dc.caption_problem(caption):
        raise ContentProblem(code, row=row, column=column_name("caption"))
    permalink = iv.cell_text(cell(row, "permalink"))
    if code := dc.permalink_problem(permalink):
        raise ContentProblem(code, row=row, column=column_name("permalink"),
                             value=validation.shown(permalink))
    return dc.PostRow(platform=platform, handle=handle, post_id=post_id, published_at=published,
                      format=fmt, caption=caption, permalink=permalink, competitor=flag)


def _number(raw: Any, decimal_comma: bool) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(float(raw)) else None
    if isinstance(raw, datetime):
        return None
    return iv.parse_number(str(raw), decimal_comma=decimal_comma)


def _shown_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
