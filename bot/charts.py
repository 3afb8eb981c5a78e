"""The shared chart renderer: a daily series → a small PNG (Telegram, Slack, digests, goals).

``render_chart(ChartSpec(...))`` draws the period's daily values as a line with markers (gaps
where a day has no value), the previous period faded behind it (its i-th day beside the
current i-th day), a dashed target line and a dotted forecast when given, with Indonesian
(or English) labels and numbers: ``12,3 rb``, ``Rp1,2 jt``, ``3,2%``, dates ``16 Nov``.

matplotlib is imported inside ``render_chart`` (not at start-up) and used through
``matplotlib.figure.Figure`` with the Agg canvas, never pyplot: no global state, so renders
may run in several threads at once.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import get_currency_symbol

from bot import formatting as fmt
from bot.i18n import translate
from kpi_engine.domain.metrics import Kind, Metric, Unit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_MESSAGES: dict[str, tuple[str, str]] = {
    "previous": ("periode sebelumnya ({period})", "previous period ({period})"),
    "no_data": ("belum ada data", "no data yet"),
    "target": ("target", "target"),
    "forecast": ("perkiraan", "forecast"),
    "date": ("Tanggal", "Date"),
}

#: 1000 × 560 px
WIDTH_IN, HEIGHT_IN, DPI = 10.0, 5.6, 100

COLOR_CURRENT = "#1f6feb"
COLOR_PREVIOUS = "#9aa4b2"
COLOR_TARGET = "#d1495b"
COLOR_FORECAST = "#e8900c"
COLOR_TEXT = "#1f2328"
COLOR_MUTED = "#656d76"
COLOR_GRID = "#e6e8eb"

Points = Sequence[tuple[date, float | None]]


@dataclass
class ChartSpec:
    """What to draw. ``previous`` keeps its own days and is aligned by day index."""

    title: str
    subtitle: str
    metric: Metric
    lang: str
    current: Points
    previous: Points | None = None
    target: float | None = None
    target_label: str | None = None
    forecast: Sequence[tuple[date, float]] | None = None
    currency: str = "IDR"


def _m(key: str, lang: str, **params: Any) -> str:
    return translate(CHART_MESSAGES, key, lang, **params)


def _decimals(value: float) -> int:
    """The fewest decimals (0–2) that show ``value`` exactly: ``3`` → 0, ``2.5`` → 1."""
    for n in (0, 1):
        if abs(value - round(value, n)) < 1e-9 * max(1.0, abs(value)):
            return n
    return 2


def axis_number(metric: Metric, value: float, currency: str = "IDR") -> str:
    """An axis label the Indonesian way, short: ``12,3 rb``, ``Rp1,2 jt``, ``3,2%``."""
    if not math.isfinite(value):
        return ""
    if abs(value) < 1e-9:
        value = 0.0
    if metric.unit is Unit.PERCENT:
        return fmt.percent(value, _decimals(value))
    if metric.unit is Unit.MULTIPLE:
        return fmt.number(value, _decimals(value)) + "×"
    short = fmt.compact(value) if abs(value) >= 1000 else fmt.number(value, _decimals(value))
    if metric.unit is Unit.CURRENCY:
        symbol = "Rp" if currency == "IDR" else get_currency_symbol(currency, locale=fmt.LOCALE)
        sign = "-" if short.startswith("-") else ""
        return sign + symbol + short.removeprefix("-")
    return short


def _locale(lang: str) -> str:
    return "en_GB" if lang == "en" else fmt.LOCALE


def axis_day(d: date, lang: str, *, with_year: bool = False) -> str:
    """``16 Nov``; ``Okt 2026`` for month ticks of a long chart."""
    return format_date(d, "MMM yyyy" if with_year else "d MMM", locale=_locale(lang))


def _ticks(first: date, count: int) -> tuple[list[int], bool]:
    """Which day indexes get a date label, and whether labels are months (long charts)."""
    all_days = [(i, first + timedelta(days=i)) for i in range(count)]
    if count <= 16:
        return [i for i, _ in all_days], False
    if count <= 63:
        picked = [i for i, d in all_days if d.weekday() == 0]  # Mondays
    elif count <= 130:
        picked = [i for i, d in all_days if d.day in (1, 15)]
    elif count <= 400:
        picked = [i for i, d in all_days if d.day == 1]
    else:
        picked = [i for i, d in all_days if d.day == 1 and d.month in (1, 4, 7, 10)]
        return (picked or [0]), True
    return (picked if len(picked) >= 2 else [0, count - 1]), False


def _values(points: Points) -> list[float]:
    return [math.nan if v is None else float(v) for _, v in points]


def render_chart(spec: ChartSpec) -> bytes:
    """The chart as PNG bytes (1000 × 560 px)."""
    return _png(chart_figure(spec))


def chart_figure(spec: ChartSpec) -> Figure:
    """The chart as a matplotlib ``Figure`` on an Agg canvas (``render_chart`` saves it)."""
    fig = _figure(HEIGHT_IN)
    # fixed margins, not a layout engine: a third of the render time saved
    fig.subplots_adjust(left=0.105, right=0.95, top=0.865, bottom=0.165)
    ax = _axes(fig)
    _draw_series(ax, spec)
    _titles(fig, spec.title, spec.subtitle, HEIGHT_IN)
    if ax.get_legend_handles_labels()[0]:
        fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=4, frameon=False,
                   fontsize=9)
    return fig


#: A figure of two stacked panels: 1000 × 840 px.
PANELS_HEIGHT_IN = 8.4


def render_panels(title: str, subtitle: str, specs: Sequence[ChartSpec]) -> bytes:
    """Several daily series of the same days stacked (``/grafik posts``: posts per day above,
    engagement per post below), each with its previous period faded; PNG bytes."""
    return _png(panels_figure(title, subtitle, specs))


def panels_figure(title: str, subtitle: str, specs: Sequence[ChartSpec]) -> Figure:
    fig = _figure(PANELS_HEIGHT_IN)
    fig.subplots_adjust(left=0.105, right=0.95, top=0.87, bottom=0.08, hspace=0.5)
    for i, spec in enumerate(specs, 1):
        ax = _axes(fig, len(specs), i)
        _draw_series(ax, spec)
        ax.set_title(spec.title, loc="left", fontsize=11, color=COLOR_TEXT)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", frameon=False, fontsize=8)
    _titles(fig, title, subtitle, PANELS_HEIGHT_IN)
    return fig


@dataclass
class Bar:
    """One bar: its label, its value now and (faded beside it) before."""

    label: str
    value: float
    previous: float | None = None


@dataclass
class BarGroup:
    """One panel of bars (a dimension: cities, age groups, genders)."""

    title: str
    bars: Sequence[Bar]


def render_bars(title: str, subtitle: str, groups: Sequence[BarGroup], lang: str,
                previous_label: str, current_label: str | None = None) -> bytes:
    """Horizontal bars per group (largest first, top down), the previous value faded
    beside each; PNG bytes (1000 × 560 px)."""
    return _png(bars_figure(title, subtitle, groups, lang, previous_label, current_label))


def bars_figure(title: str, subtitle: str, groups: Sequence[BarGroup], lang: str,
                previous_label: str, current_label: str | None = None) -> Figure:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = _figure(HEIGHT_IN)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.8, bottom=0.14, wspace=0.55)
    shown = [g for g in groups if g.bars] or [BarGroup("", [])]
    for i, group in enumerate(shown):
        ax = fig.add_subplot(1, len(shown), i + 1)
        _style(ax, grid="x")
        labels = [b.label for b in group.bars][::-1]
        now = [b.value for b in group.bars][::-1]
        before = [math.nan if b.previous is None else b.previous for b in group.bars][::-1]
        ys = list(range(len(labels)))
        if any(not math.isnan(v) for v in before):
            ax.barh([y - 0.2 for y in ys], before, height=0.38, color=COLOR_PREVIOUS,
                    alpha=0.55, label=previous_label if i == 0 else None, zorder=2)
        ax.barh([y + 0.2 for y in ys], now, height=0.38, color=COLOR_CURRENT, zorder=3,
                label=current_label if i == 0 and current_label else None)
        ax.set_yticks(ys, labels)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: fmt.compact(v) if abs(v) >= 1000 else fmt.number(v, _decimals(v))))
        ax.set_title(group.title, loc="left", fontsize=11, color=COLOR_TEXT)
        if not group.bars:
            ax.set_xticks([])
            ax.text(0.5, 0.5, _m("no_data", lang), transform=ax.transAxes, ha="center",
                    va="center", fontsize=16, color=COLOR_MUTED)
    _titles(fig, title, subtitle, HEIGHT_IN)
    handles = [h for ax in fig.axes for h in ax.get_legend_handles_labels()[0]]
    if handles:
        fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False,
                   fontsize=9)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _figure(height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _style(ax: Any, grid: str = "y") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#c9ced4")
    ax.tick_params(colors=COLOR_MUTED, labelsize=9)
    ax.grid(axis=grid, color=COLOR_GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _axes(fig: Figure, rows: int = 1, index: int = 1) -> Any:
    ax = fig.add_subplot(rows, 1, index)
    _style(ax)
    return ax


def _titles(fig: Figure, title: str, subtitle: str, height: float) -> None:
    """The title and subtitle at the top left, the same distance from the edge at any height."""
    top = 1 - 0.14 / height
    fig.text(0.012, top, title, fontsize=14, fontweight="bold", color=COLOR_TEXT,
             va="top", ha="left")
    fig.text(0.012, top - 0.336 / height, subtitle, fontsize=10, color=COLOR_MUTED,
             va="top", ha="left")


def _draw_series(ax: Any, spec: ChartSpec) -> None:
    """One metric's current and previous daily series (target, forecast) on ``ax``."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    lang, metric = spec.lang, spec.metric
    current = spec.current
    previous = spec.previous or []
    forecast = spec.forecast or []
    origin = next((pts[0][0] for pts in (current, forecast, previous) if pts), None)

    def x(d: date) -> int:
        assert origin is not None
        return (d - origin).days

    has_data = any(v is not None for _, v in current)
    span = len(current) or len(previous)
    drawn: list[float] = []
    # markers keep a day between two gaps visible
    marker = 6.0 if span <= 3 else 4.0 if span <= 45 else 2.5 if span <= 120 else 1.5
    if previous and span:
        prev = previous[:span]
        prev_values = _values(prev)
        ax.plot(range(len(prev)), prev_values, color=COLOR_PREVIOUS, alpha=0.7, linewidth=1.5,
                marker="o", markersize=marker * 0.6, zorder=2,
                label=_m("previous", lang, period=fmt.day_range(previous[0][0],
                                                                previous[-1][0], lang)))
        drawn += [v for v in prev_values if not math.isnan(v)]
    if current:
        values = _values(current)
        xs = [x(d) for d, _ in current]
        ax.plot(xs, values, color=COLOR_CURRENT, linewidth=2.2, marker="o", markersize=marker,
                zorder=4,
                label=fmt.day_range(current[0][0], current[-1][0], lang) if has_data else None)
        drawn += [v for v in values if not math.isnan(v)]
        last = next(((xi, v) for xi, v in zip(reversed(xs), reversed(values), strict=True)
                     if not math.isnan(v)), None)
        if last is not None:
            ax.annotate(fmt.metric_value(metric, last[1], spec.currency, short=True), last,
                        textcoords="offset points", xytext=(6, 6), fontsize=9,
                        color=COLOR_CURRENT, fontweight="bold", zorder=5)
    if forecast:
        ax.plot([x(d) for d, _ in forecast], _values(forecast), color=COLOR_FORECAST,
                linewidth=2.0, linestyle=":", zorder=3, label=_m("forecast", lang))
        drawn += [v for _, v in forecast if math.isfinite(v)]
    if spec.target is not None:
        label = spec.target_label or _m("target", lang)
        ax.axhline(spec.target, color=COLOR_TARGET, linewidth=1.4, linestyle="--", zorder=3,
                   label=f"{label}: {axis_number(metric, spec.target, spec.currency)}")
        drawn.append(spec.target)

    count = 1 + max([x(d) for d, _ in (*current, *forecast)] + [min(len(previous), span) - 1, 0])
    if origin is not None:
        ax.set_xlim(-0.5, count - 0.5)
        idx, months = _ticks(origin, count)
        ax.set_xticks(idx, [axis_day(origin + timedelta(days=i), lang, with_year=months)
                            for i in idx])
    else:
        ax.set_xticks([])
    if drawn:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos: axis_number(metric, v, spec.currency)))
        if metric.kind is Kind.COUNTER and min(drawn) >= 0:
            ax.set_ylim(bottom=0, top=max(max(drawn) * 1.08, 1.0))
    else:
        ax.set_yticks([])
    if not has_data:
        ax.text(0.5, 0.5, _m("no_data", lang), transform=ax.transAxes, ha="center",
                va="center", fontsize=16, color=COLOR_MUTED)

    ax.set_xlabel(_m("date", lang), color=COLOR_MUTED, fontsize=9)
    unit = {Unit.PERCENT: " (%)", Unit.CURRENCY: f" ({spec.currency})"}.get(metric.unit, "")
    ax.set_ylabel(metric.label(lang) + unit, color=COLOR_MUTED, fontsize=9)
