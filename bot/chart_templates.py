"""Daily charts drawn over a cached background (issue 18: the 08:00 digest burst).

At 08:00 every workspace's digest chart has the same frame: the same title and subtitle
(the metric and the days), the same date axis, the same legend; only the values differ. Most
of a render is text (measured with cProfile: FreeType's glyph rendering and layout are two
thirds of ``canvas.draw``), and almost all of that text is the frame. So
``render_daily(spec)`` draws a frame once per layout (``layout_key``), keeps its pixels
(``copy_from_bbox``) and, for each chart of that layout, restores them and draws only what
depends on the values: the y axis (its ticks, labels, grid lines and title), the two lines and the
last value's label — matplotlib's blitting, the technique its animations use.

The picture is ``bot.charts.render_chart``'s (the same ``chart_figure`` builds the frame and
the same rules set the y range); tests/unit/test_chart_templates.py compares the two pixel
by pixel. A chart this path does not cover (a target or forecast line, no data yet, a
non-counter metric whose y range matplotlib autoscales) is rendered whole by
``render_chart``.

Thread-safe (a lock around the templates); the digest render process calls it from one
thread. The last ``SIZE`` layouts are kept.
"""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from bot import formatting as fmt
from bot.charts import DPI, ChartSpec, chart_figure, render_chart
from kpi_engine.domain.metrics import Kind

#: Layouts kept (a burst has one per chart metric, language and day).
SIZE = 16


def layout_key(spec: ChartSpec) -> tuple[Any, ...]:
    """What the frame shows: titles, metric, language, currency and the days of both series
    (they set the date axis and the legend). The values are not part of it."""
    return (spec.title, spec.subtitle, spec.metric.key, spec.lang, spec.currency,
            tuple(d for d, _ in spec.current),
            None if spec.previous is None else tuple(d for d, _ in spec.previous))


def _values(points: Any) -> list[float]:
    return [math.nan if v is None else float(v) for _, v in points]


def covered(spec: ChartSpec) -> bool:
    """Whether ``render_daily`` draws this chart from a frame (else: ``render_chart``)."""
    if spec.target is not None or spec.forecast or not spec.current:
        return False
    if spec.metric.kind is not Kind.COUNTER:
        return False
    values = _values(spec.current)
    if all(math.isnan(v) for v in values):
        return False
    drawn = [v for v in values + _values((spec.previous or [])[:len(spec.current)])
             if not math.isnan(v)]
    return min(drawn) >= 0


@dataclass
class _Frame:
    fig: Any
    ax: Any
    background: Any
    previous: Any  # the previous period's line (None without one)
    current: Any
    label: Any  # the last value's annotation

    @classmethod
    def make(cls, spec: ChartSpec) -> _Frame:
        from matplotlib.text import Annotation
        from matplotlib.ticker import MaxNLocator, NullLocator

        fig = chart_figure(spec)
        ax = fig.axes[0]
        lines = list(ax.lines)
        previous = lines[0] if len(lines) == 2 else None
        current = lines[-1]
        label = next(t for t in ax.texts if isinstance(t, Annotation))
        for artist in (*lines, label):
            artist.set_animated(True)  # not part of the frame
        # the y axis is drawn per chart: its ticks, grid and labels, and its title (placed
        # beside the widest tick label)
        ax.yaxis.set_major_locator(NullLocator())
        ax.yaxis.label.set_visible(False)
        canvas: Any = fig.canvas  # an Agg canvas (bot.charts._figure)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.yaxis.label.set_visible(True)
        return cls(fig, ax, background, previous, current, label)

    def render(self, spec: ChartSpec) -> bytes:
        """The chart of ``spec`` (same layout): the frame, then what the values draw."""
        from PIL import Image

        ax, canvas = self.ax, self.fig.canvas
        span = len(spec.current)
        origin = spec.current[0][0]
        values = _values(spec.current)
        xs = [(d - origin).days for d, _ in spec.current]
        self.current.set_data(xs, values)
        drawn = [v for v in values if not math.isnan(v)]
        if self.previous is not None:
            prev = _values((spec.previous or [])[:span])
            self.previous.set_data(range(len(prev)), prev)
            drawn += [v for v in prev if not math.isnan(v)]
        x, v = next((xi, vi) for xi, vi in zip(reversed(xs), reversed(values), strict=True)
                    if not math.isnan(vi))
        self.label.xy = (x, v)
        self.label.set_text(fmt.metric_value(spec.metric, v, spec.currency, short=True))
        ax.set_ylim(bottom=0, top=max(max(drawn) * 1.08, 1.0))  # chart_figure's rule
        canvas.restore_region(self.background)
        ax.draw_artist(ax.yaxis)
        for artist in sorted((a for a in (self.previous, self.current, self.label) if a),
                             key=lambda a: a.get_zorder()):
            ax.draw_artist(artist)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw",
                                 "RGBA", 0, 1)
        buf = io.BytesIO()
        image.save(buf, format="png", compress_level=1, dpi=(DPI, DPI))
        return buf.getvalue()


_lock = threading.Lock()
_frames: OrderedDict[tuple[Any, ...], _Frame] = OrderedDict()


def render_daily(spec: ChartSpec) -> bytes:
    """``render_chart(spec)``'s picture as PNG, from a cached frame when ``covered``."""
    if not covered(spec):
        return render_chart(spec)
    key = layout_key(spec)
    with _lock:
        frame = _frames.get(key)
        if frame is None:
            frame = _frames[key] = _Frame.make(spec)
            while len(_frames) > SIZE:
                _frames.popitem(last=False)
        else:
            _frames.move_to_end(key)
        return frame.render(spec)
