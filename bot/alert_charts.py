"""A drop alert's chart, drawn when the outbox delivers the alert (issue 15).

The outbox row holds a small spec (``kpi_engine/domain/alert_chart.py``); ``AlertCharts``
reads the daily series it names (``services/series.py``, the statement behind /grafik) and
draws it with the shared renderer (``bot/charts.py``): the rule's channel only, from the first
baseline period to the day (or week) that fired, the baseline as a dashed line. The
dispatcher calls it in a worker thread and sends the alert without its chart when it fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import views
from bot.charts import ChartSpec, render_chart
from bot.i18n import translate
from kpi_engine.domain.alert_chart import AlertChart
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import series
from kpi_engine.services.workspaces import Store

MESSAGES: dict[str, tuple[str, str]] = {
    "subtitle": ("Alert penurunan · {days}", "Drop alert · {days}"),
    "baseline": ("median {n} {unit} sebelumnya", "median of the previous {n} {unit}"),
    "baseline_week": ("median {n} minggu sebelumnya ÷ 7", "median of the previous {n} weeks ÷ 7"),
    "unit_day": ("hari yang sama", "same weekdays"),
    "unit_week": ("minggu", "weeks"),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(MESSAGES, key, lang, **params)


@dataclass(frozen=True)
class Drawn:
    """The picture and the values it was drawn from (tests compare those, not pixels)."""

    png: bytes
    current: list[tuple[date, float | None]]
    baseline: float | None


@dataclass(frozen=True)
class AlertCharts:
    """``draw(workspace_id, spec, lang)``: what the dispatcher's ``charts`` hook calls."""

    store: Store

    def drawn(self, workspace_id: int, spec_text: str, lang: str) -> Drawn:
        spec = AlertChart.from_json(spec_text)
        ws = self.store.workspace_by_id(workspace_id)
        if ws is None:
            raise LookupError(f"workspace {workspace_id} is gone")
        start, end = spec.window()
        span = (end - start).days + 1
        current = Period(start, end, "")
        previous = Period(date.fromordinal(start.toordinal() - span),
                          date.fromordinal(start.toordinal() - 1), "")
        data = series.chart_data(self.store, workspace_id, self.store.channels(workspace_id),
                                 spec.metric, PeriodQuery(current, previous), spec.channel)
        metric = METRICS[spec.metric]
        line = spec.baseline_line()
        if spec.period == "week" and line != spec.baseline:
            label = _m("baseline_week", lang, n=spec.periods)
        else:
            label = _m("baseline", lang, n=spec.periods,
                       unit=_m("unit_week" if spec.period == "week" else "unit_day", lang))
        chart = ChartSpec(
            title=f"{metric.label(lang)} · {views.scope_label(data.scope_label, None, lang)}",
            subtitle=_m("subtitle", lang, days=views.period_label(current, lang)),
            metric=metric, lang=lang, current=data.current, target=line, target_label=label,
            currency=ws.currency)
        return Drawn(render_chart(chart), list(data.current), line)

    def draw(self, workspace_id: int, spec_text: str, lang: str) -> bytes:
        return self.drawn(workspace_id, spec_text, lang).png
