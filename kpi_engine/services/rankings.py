"""Rankings (SPEC §9 ``rank``): a metric per channel, best first. The values are the
engine's own per-channel answers (``answers.compare``); no new math here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Channel
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.domain.ranking import rank_order, ranked
from kpi_engine.services import answers
from kpi_engine.storage.store import Store


@dataclass(frozen=True)
class RankRow:
    key: str
    value: float | None
    competitor: bool = False


@dataclass(frozen=True)
class Ranking:
    metric: str
    by: str
    order: str
    rows: list[RankRow]


def by_channel(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
               pq: PeriodQuery, *, worst: bool = False, top: int | None = None,
               campaign: str | None = None) -> Ranking:
    """Every channel (competitors marked) ranked by ``metric_key`` over ``pq``."""
    metric = METRICS[metric_key]
    comparison = answers.compare(store, workspace_id, channels, metric_key, pq, campaign)
    found = {r.channel.name: (r.answer.value, r.channel.is_competitor)
             for r in comparison.rows if r.channel is not None}
    order = rank_order(metric.higher_is_better, worst)
    rows = [RankRow(k, v, found[k][1])
            for k, v in ranked([(k, v[0]) for k, v in found.items()], order, top)]
    return Ranking(metric_key, "channel", order, rows)
