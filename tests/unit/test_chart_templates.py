"""``bot/chart_templates.py``: a digest chart drawn over a cached frame is the picture
``render_chart`` draws whole (pixel by pixel), and one chart's values never show in the next."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PIL import Image, ImageChops

from bot import chart_templates
from bot.chart_templates import covered, render_daily
from bot.charts import ChartSpec, render_chart
from kpi_engine.domain.metrics import METRICS

START = date(2026, 11, 18)


def spec(values: Sequence[float | None], previous: Sequence[float | None] | None = None, *,
         lang: str = "id", metric: str = "reach", days: int | None = None) -> ChartSpec:
    n = days or len(values)
    current = [(START + timedelta(days=i), v) for i, v in enumerate(values[:n])]
    prev = None if previous is None else [
        (START - timedelta(days=len(previous) - i), v) for i, v in enumerate(previous)]
    title = "Jangkauan harian · 18–24 Nov 2026" if lang == "id" else "Daily reach · 18–24 Nov"
    return ChartSpec(title=title, subtitle="semua kanal sendiri · dibanding 11–17 Nov 2026",
                     metric=METRICS[metric], lang=lang, current=current, previous=prev)


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def differing(a: bytes, b: bytes, threshold: int = 60) -> int:
    """Pixels whose colour differs by more than ``threshold`` (of 255) in a channel: where
    two overlapping strokes are drawn in another order, a handful; a misplaced label or
    value, hundreds."""
    diff = ImageChops.difference(pixels(a), pixels(b)).point(
        lambda x: 255 if x > threshold else 0)
    counts = diff.convert("L").histogram()
    return sum(counts) - counts[0]


WEEK = [1200.0, 1350.0, 990.0, 1410.0, 1600.0, 1580.0, 1720.0]
BEFORE = [1000.0, 1100.0, 1050.0, 980.0, 1200.0, 1300.0, 1250.0]
CASES = {
    "a week against the week before": spec(WEEK, BEFORE),
    "a day without data": spec([1200.0, None, 990.0, 1410.0, None, 1580.0, 1720.0], BEFORE),
    "no previous period": spec(WEEK),
    "millions": spec([v * 10_000 for v in WEEK], [v * 9_000 for v in BEFORE]),
    "zeros and small numbers": spec([0.0, 1.0, 0.0, 2.0, 3.0, 0.0, 1.0], [0.0] * 7),
    "English": spec(WEEK, BEFORE, lang="en"),
    "a month": spec([1000.0 + 13 * i for i in range(30)], [900.0 + 11 * i for i in range(30)]),
    "the last day empty": spec([*WEEK[:6], None], BEFORE),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_the_framed_chart_is_the_whole_chart(case: str) -> None:
    chart_templates._frames.clear()
    s = CASES[case]
    assert covered(s)
    render_daily(s)  # the frame is made from this one
    framed = render_daily(s)  # and this one is drawn over it
    assert pixels(framed).size == (1000, 560)
    assert differing(framed, render_chart(s)) <= 20


def test_one_charts_values_never_show_in_the_next() -> None:
    """The frame is shared by every chart of a layout: values, y ticks, the last value's
    label of one chart are gone when the next one is drawn."""
    chart_templates._frames.clear()
    first, other = spec(WEEK, BEFORE), spec([v * 7 for v in WEEK], [v * 3 for v in BEFORE])
    a = render_daily(first)
    b = render_daily(other)
    assert len(chart_templates._frames) == 1  # the same frame
    assert differing(a, b) > 500  # another picture
    assert differing(b, render_chart(other)) <= 20
    assert render_daily(first) == a  # and back: exactly the first picture


def test_what_the_frame_does_not_cover_is_rendered_whole() -> None:
    chart_templates._frames.clear()
    base = spec(WEEK, BEFORE)
    for s in (replace(base, target=2000.0),  # a target line
              replace(base, forecast=[(START + timedelta(days=7), 1800.0)]),
              spec([None] * 7, BEFORE),  # no data yet
              spec([-3.0, 1.0, 2.0, 0.5, 1.0, 1.5, 2.0], metric="engagement_rate")):
        assert not covered(s)
        assert render_daily(s) == render_chart(s)
    assert chart_templates._frames == {}


def test_the_frames_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    chart_templates._frames.clear()
    monkeypatch.setattr(chart_templates, "SIZE", 2)
    for lang, metric in (("id", "reach"), ("en", "reach"), ("id", "views")):
        render_daily(spec(WEEK, BEFORE, lang=lang, metric=metric))
    assert len(chart_templates._frames) == 2
