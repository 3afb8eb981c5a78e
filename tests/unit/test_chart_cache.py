"""``bot/chart_cache.py``: a chart is rendered once per distinct picture (issue 18)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.chart_cache import ChartCache, spec_key
from bot.charts import ChartSpec
from kpi_engine.domain.metrics import METRICS

START = date(2026, 11, 16)


def spec(values: tuple[float | None, ...] = (1200.0, 1350.0, None, 990.0), *,
         lang: str = "id", metric: str = "reach", title: str = "Jangkauan harian") -> ChartSpec:
    current = [(START + timedelta(days=i), v) for i, v in enumerate(values)]
    previous = [(START - timedelta(days=7 - i), 1000.0 + i) for i in range(len(values))]
    return ChartSpec(title=title, subtitle="semua kanal sendiri", metric=METRICS[metric],
                     lang=lang, current=current, previous=previous)


class Drawer:
    """A stand-in renderer that counts its calls; the picture names its data."""

    def __init__(self, pause: float = 0.0) -> None:
        self.calls = 0
        self.pause = pause
        self._lock = threading.Lock()

    def __call__(self, s: ChartSpec) -> bytes:
        with self._lock:
            self.calls += 1
        time.sleep(self.pause)
        return repr((s.title, s.lang, s.metric.key, list(s.current))).encode()


def test_the_same_spec_is_rendered_once() -> None:
    draw = Drawer()
    cache = ChartCache(draw=draw)
    first = cache.render(spec())
    again = cache.render(spec())  # an equal spec built afresh (another subscription)
    assert first == again and draw.calls == 1
    assert (cache.renders, cache.hits) == (1, 1)


@pytest.mark.parametrize("other", [
    spec((1200.0, 1351.0, None, 990.0)),  # one value changed: new data, new picture
    spec((1200.0, 1350.0, 0.0, 990.0)),  # a missing day now has a value
    spec((1200.0, 1350.0, None, 990.0, 1000.0)),  # a day more
    spec(lang="en"),
    spec(metric="impressions"),
    spec(title="Daily reach"),
])
def test_anything_drawn_that_differs_is_another_render(other: ChartSpec) -> None:
    draw = Drawer()
    cache = ChartCache(draw=draw)
    assert cache.render(spec()) != cache.render(other)
    assert draw.calls == 2 and spec_key(spec()) != spec_key(other)


def test_currency_and_previous_period_are_part_of_the_key() -> None:
    base = spec()
    assert spec_key(base) != spec_key(replace(base, currency="USD"))
    assert spec_key(base) != spec_key(replace(base, previous=None))
    assert spec_key(base) != spec_key(replace(base, target=1000.0))


def test_concurrent_callers_of_one_spec_share_one_render() -> None:
    draw = Drawer(pause=0.2)
    cache = ChartCache(draw=draw)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(cache.render(spec())))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert draw.calls == 1 and len(set(results)) == 1 and len(results) == 8
    assert (cache.renders, cache.hits) == (1, 7)


def test_a_failed_render_is_not_cached() -> None:
    calls = []

    def flaky(s: ChartSpec) -> bytes:
        calls.append(s)
        if len(calls) == 1:
            raise RuntimeError("font cache busy")
        return b"png"

    cache = ChartCache(draw=flaky)
    with pytest.raises(RuntimeError):
        cache.render(spec())
    assert cache.render(spec()) == b"png" and len(calls) == 2


def test_the_cache_keeps_the_last_pictures_only() -> None:
    draw = Drawer()
    cache = ChartCache(draw=draw, size=2)
    for v in (1.0, 2.0, 3.0):
        cache.render(spec((v,)))
    cache.render(spec((3.0,)))  # kept
    cache.render(spec((1.0,)))  # evicted: drawn again
    assert draw.calls == 4


def test_rendered_in_a_process_the_picture_is_the_real_chart() -> None:
    from bot.chart_templates import render_daily
    from bot.charts import render_chart
    from tests.unit.test_chart_templates import differing

    cache = ChartCache(processes=1)
    try:
        cache.start()
        png = cache.render(spec())
        assert png[:4] == b"\x89PNG" and cache.render(spec()) == png
        assert cache.renders == 1
        assert png == render_daily(spec())  # the same picture as drawn here
        assert differing(png, render_chart(spec())) <= 20  # the whole chart's
    finally:
        cache.close()


def slow_draw(s: ChartSpec) -> bytes:
    """In the render process: a render that takes a while."""
    time.sleep(0.5)
    return s.title.encode()


def dying_draw(s: ChartSpec) -> bytes:
    """In the render process: the first call kills its process (out of memory, kill -9);
    ``s.title`` names the marker file that says it happened."""
    import os
    from pathlib import Path

    marker = Path(s.title)
    if not marker.exists():
        marker.write_text("died")
        os._exit(1)
    return b"drawn after the death"


def test_submit_hands_back_a_future_at_once_and_shares_it() -> None:
    """The burst's digest threads do not wait for the render process: ``submit`` returns
    while the picture is being drawn, a second submit of the same spec gets the same
    future (one render), and a submit after it is done gets the picture at once."""
    cache = ChartCache(processes=1, draw=slow_draw)
    try:
        cache.start()
        started = time.perf_counter()
        first = cache.submit(spec())
        second = cache.submit(spec())
        assert time.perf_counter() - started < 0.4 and not first.done()
        assert second is first
        assert first.result(30) == b"Jangkauan harian"
        later = cache.submit(spec())
        assert later.done() and later.result() == b"Jangkauan harian"
        assert (cache.renders, cache.hits) == (1, 2)
    finally:
        cache.close()


def test_a_dead_render_process_is_replaced_and_the_render_done(tmp_path: object) -> None:
    from pathlib import Path

    marker = Path(str(tmp_path)) / "died"
    cache = ChartCache(processes=1, draw=dying_draw)
    try:
        assert cache.submit(spec(title=str(marker))).result(60) == b"drawn after the death"
        assert marker.exists()  # it did die once
        assert cache.render(spec(title=str(marker))) == b"drawn after the death"
        assert cache.renders == 1
    finally:
        cache.close()
