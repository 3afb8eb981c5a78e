"""The chart a drop alert carries (issue 15), as a small spec stored with the outbox row.

The outbox keeps no picture for an alert: it keeps what to draw (the metric, the channel,
the rule's span and period, its baseline) and the dispatcher draws it when it delivers
(``bot/alert_charts.py``), so a queued alert costs a few hundred bytes, not a PNG.

What is drawn: the metric's daily values from the first of the rule's baseline periods to
the end of the span that fired (a daily rule with N = 4: the day and the same weekday of
the four weeks before, 29 days), and the baseline as a dashed line. A weekly rule's baseline
is a week's value; for a counter (reach, engagement) the line is that median spread over the
week's 7 days, so it sits on the scale of the daily values; a ratio or a level is drawn as
it is.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta

from kpi_engine.domain.alerts import Observation
from kpi_engine.domain.metrics import METRICS, Kind

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class AlertChart:
    metric: str
    channel: str | None  # a channel name; None: the own channels together
    period: str  # day | week: the rule's period
    start: date  # the span that fired
    end: date
    periods: int  # N: the baseline's periods
    baseline: float | None  # the rule's median

    def window(self) -> tuple[date, date]:
        """The days drawn: the earliest baseline period's first day to the span's end."""
        return self.start - WEEK * max(1, self.periods), self.end

    def baseline_line(self) -> float | None:
        """The dashed line: the baseline on the scale of a day's value."""
        if self.baseline is None or not math.isfinite(self.baseline):
            return None
        days = (self.end - self.start).days + 1
        if days > 1 and METRICS[self.metric].kind is Kind.COUNTER:
            return self.baseline / days
        return self.baseline

    def to_json(self) -> str:
        return json.dumps({"m": self.metric, "ch": self.channel, "p": self.period,
                           "s": self.start.isoformat(), "e": self.end.isoformat(),
                           "n": self.periods, "b": self.baseline},
                          separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> AlertChart:
        """Raises ``ValueError`` for a spec that is not one (a metric no longer known)."""
        try:
            raw = json.loads(text)
            metric = str(raw["m"])
            if metric not in METRICS:
                raise ValueError(f"unknown metric {metric!r}")
            channel = raw.get("ch")
            base = raw.get("b")
            return cls(metric, None if channel is None else str(channel), str(raw["p"]),
                       date.fromisoformat(raw["s"]), date.fromisoformat(raw["e"]),
                       int(raw["n"]), None if base is None else float(base))
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a chart spec: {exc}") from exc


def for_observation(obs: Observation) -> AlertChart | None:
    """The chart of a drop observation (None: not a drop, or no span to draw)."""
    if obs.kind != "drop" or obs.metric is None or obs.span is None \
            or obs.metric not in METRICS:
        return None
    return AlertChart(obs.metric, obs.channel, obs.rule.period, obs.span.start, obs.span.end,
                      max(1, obs.rule.periods), obs.baseline)
