"""What a goal is (SPEC §goals): its request, the stored goal, its events and the plan shown
before it is set; pure values with their arithmetic in :mod:`kpi_engine.domain.goal_math`.
The use cases (plan, create, edit, track) are :mod:`kpi_engine.services.goals`; storage is
:mod:`kpi_engine.storage.goal_store`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kpi_engine.domain import goal_math as gm
from kpi_engine.domain.formulas import Span
from kpi_engine.domain.goal_math import Shape, Verdict
from kpi_engine.domain.metrics import METRICS, Category, Metric, category_of

ACTIVE, ACHIEVED, MISSED, CANCELLED = "active", "achieved", "missed", "cancelled"
VALUE_KINDS = ("absolute", "percent", "amount")


class GoalError(ValueError):
    """A goal that cannot be set as asked. ``code``: ``no_baseline`` (a relative value
    without history), ``bad_target`` (zero or negative), ``deadline_past``,
    ``level_campaign`` (a level is not kept per campaign), ``not_active``."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class GoalRequest:
    """A goal as asked in chat: ``value`` is read by ``value_kind`` (absolute, percent of the
    baseline, amount added to the baseline)."""

    metric: str
    value_kind: str
    value: float
    deadline: date
    channel: str | None = None
    campaign: str | None = None
    start: date | None = None  # a named period's first day ("bulan ini"); None: today


@dataclass(frozen=True)
class Goal:
    id: int
    workspace_id: int
    metric: str
    channel: str | None
    campaign: str | None
    value_kind: str
    value_input: float
    target: float
    baseline: float | None
    start: date
    deadline: date
    required_per_week: float | None
    historical_per_week: float | None
    verdict: str
    status: str
    status_at: datetime | None
    owner_id: str = ""
    owner_name: str = ""
    platform: str = ""
    chat_id: str = ""
    created_at: datetime | None = None

    @property
    def definition(self) -> Metric:
        return METRICS[self.metric]

    @property
    def shape(self) -> Shape:
        return gm.shape_of(self.definition)

    @property
    def sign(self) -> int:
        return gm.direction(self.shape, self.baseline, self.target, self.definition)

    @property
    def category(self) -> Category | None:
        return category_of(self.metric)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class GoalEvent:
    """A change of a goal, with its time: created, edited, cancelled, achieved, missed."""

    id: int
    goal_id: int
    workspace_id: int
    kind: str
    at: datetime
    day: date
    value: float | None = None
    target: float | None = None
    deadline: date | None = None
    detail: str = ""
    by_user: str = ""


@dataclass(frozen=True)
class GoalPlan:
    """A goal worked out before it is stored: its target, baseline and the verdict."""

    request: GoalRequest
    metric: str
    value_kind: str
    value: float
    start: date
    today: date  # the day it was planned
    target: float
    baseline: float | None
    baseline_span: Span
    current: float | None
    days_left: int  # the days the required pace is spread over
    required_per_week: float
    historical_per_week: float | None  # the one pace (28 days up to today), per week
    verdict: Verdict
    multiple: float | None  # the required pace as a multiple of the pace
    forecast: float | None = None  # at the pace, at the deadline
    forecast_pct: float | None = None  # on the goal's scale (see goal_math.forecast_pct)
    on_track_at_pace: bool | None = None

    @property
    def shape(self) -> Shape:
        return gm.shape_of(METRICS[self.metric])
