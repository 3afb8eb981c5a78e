"""Digests (SPEC §7): what a subscribed chat gets at its local time.

- **daily**: yesterday and the week to date (Monday to yesterday; on a Monday that is the whole
  of last week), each against its previous period, for the key metrics of every category;
- **weekly** (Mondays): last week against the week before;
- both: the active goals with progress and pace, the alerts since the last digest, and the
  data of one chart (the daily reach of the digest's span against the span before it).

``build_digest`` reads; the words and the chart image are made in ``bot/digest_views.py``;
``queue_digest`` writes the messages to the outbox with the subscription's ``last_day`` in
one transaction, keyed by (subscription, local day): never twice for the same day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from kpi_engine.domain.formulas import Span
from kpi_engine.domain.metrics import Category
from kpi_engine.domain.model import Workspace
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import answers
from kpi_engine.services.goals import track
from kpi_engine.services.series import Series, daily_series_many
from kpi_engine.storage import alert_state as st
from kpi_engine.storage import alert_store
from kpi_engine.storage.alert_store import Subscription, utc
from kpi_engine.storage.goal_store import GoalStore
from kpi_engine.storage.outbox import Message, add_chart, enqueue
from kpi_engine.storage.posts import ContentStore, TopPost
from kpi_engine.storage.store import Store

#: The key metrics of each category in a digest (a subset of the summary's).
DIGEST_METRICS: dict[Category, tuple[str, ...]] = {
    Category.REACH: ("followers", "reach", "impressions", "website_visits"),
    Category.ENGAGEMENT: ("engagement", "engagement_rate", "mentions"),
    Category.CONVERSION: ("clicks", "conversions", "revenue", "roi"),
    Category.SATISFACTION: ("csat", "issues_resolved"),
}
CHART_METRICS = ("reach", "views", "engagement", "website_visits")
ALERTS_SHOWN = 10
DAY = timedelta(days=1)


@dataclass(frozen=True)
class AlertLine:
    at: datetime
    kind: str
    state: str
    summary: str


@dataclass(frozen=True)
class GoalLine:
    goal_id: int
    metric: str
    channel: str | None
    target: float
    deadline: date
    current: float | None
    progress_pct: float | None
    required_per_week: float | None
    recent_per_week: float | None
    forecast: float | None
    on_track: bool | None
    #: what progress_pct and forecast_pct are percentages of (goal_math.progress_basis)
    basis: str = "target"
    forecast_pct: float | None = None
    status: str = ""  # on_track, off_track, unknown, too_early, not_started
    days_run: int = 0
    judge_after: int = 1


@dataclass
class Digest:
    workspace: Workspace
    kind: str  # daily | weekly
    day: date  # the local day it is for (the day it is sent)
    periods: list[PeriodQuery]  # daily: yesterday, week to date; weekly: last week
    sections: list[tuple[Category, list[list[answers.KpiAnswer]]]]  # per metric, per period
    lang: str = "id"
    goals: list[GoalLine] = field(default_factory=list)
    alerts: list[AlertLine] = field(default_factory=list)
    alerts_since: datetime | None = None
    chart_metric: str | None = None
    chart: tuple[Series, Series] | None = None  # current span, the span before
    #: daily: the own post published yesterday with the most engagement (its channel's
    #: name, the post), as ``/konten kemarin`` ranks them; None when none was published
    best_post: tuple[str, TopPost] | None = None

    @property
    def has_data(self) -> bool:
        return any(x.value is not None for _, rows in self.sections for r in rows for x in r)

    def as_json(self) -> dict[str, Any]:
        def kpi(x: answers.KpiAnswer) -> dict[str, Any]:
            return {"value": x.value, "previous": x.previous_value,
                    "change_pct": None if x.change_pct is None else round(x.change_pct, 2),
                    "left_out": list(x.left_out), "reason": x.reason, "as_of": x.as_of}

        return {
            "kind": self.kind, "day": self.day.isoformat(), "lang": self.lang,
            "periods": [{"label": p.current.label, "start": p.current.start.isoformat(),
                         "end": p.current.end.isoformat(),
                         "previous": {"start": p.previous.start.isoformat(),
                                      "end": p.previous.end.isoformat()}}
                        for p in self.periods],
            "metrics": [{"category": cat.value, "metric": row[0].metric.key,
                         "periods": [kpi(x) for x in row]}
                        for cat, rows in self.sections for row in rows],
            "goals": [g.__dict__ | {"deadline": g.deadline.isoformat()} for g in self.goals],
            "alerts": [{"at": x.at.isoformat(), "kind": x.kind, "state": x.state,
                        "summary": x.summary} for x in self.alerts],
            "chart_metric": self.chart_metric,
            "best_post": None if self.best_post is None else {
                "channel": self.best_post[0], "post_id": self.best_post[1].post_id,
                "published_at": self.best_post[1].published_at.isoformat(),
                "format": self.best_post[1].format, "permalink": self.best_post[1].permalink,
                "metric": "engagement", "value": self.best_post[1].value},
        }


def digest_periods(kind: str, day: date, lang: str = "id") -> list[PeriodQuery]:
    """The periods a digest sent on ``day`` covers (complete days only)."""
    en = lang == "en"
    yesterday = day - DAY
    monday = yesterday - timedelta(days=yesterday.weekday())
    last_week = PeriodQuery(Period(monday, monday + 6 * DAY, "last week" if en else
                                   "minggu lalu"),
                            Period(monday - 7 * DAY, monday - DAY))
    if kind == "weekly":
        this_monday = day - timedelta(days=day.weekday())
        start = this_monday - 7 * DAY
        return [PeriodQuery(Period(start, start + 6 * DAY, "last week" if en else "minggu lalu"),
                            Period(start - 7 * DAY, start - DAY))]
    days = (yesterday - monday).days
    wtd = PeriodQuery(Period(monday, yesterday, "week to date" if en else
                             "minggu ini s.d. kemarin"),
                      Period(monday - 7 * DAY, monday - 7 * DAY + days * DAY))
    return [PeriodQuery(Period(yesterday, yesterday, "yesterday" if en else "kemarin"),
                        Period(yesterday - DAY, yesterday - DAY)),
            last_week if yesterday.weekday() == 6 else wtd]


def build_digest(store: Store, workspace: Workspace, kind: str, day: date, now: datetime, *,
                 lang: str | None = None, alerts_since: datetime | None = None) -> Digest:
    """Everything a digest says, read from the store. Alerts are those since
    ``alerts_since`` (the subscription's last digest; default: a day or a week before
    ``now``)."""
    lang = lang or workspace.language
    channels = store.channels(workspace.id)
    periods = digest_periods(kind, day, lang)
    keys = [k for cat in DIGEST_METRICS for k in DIGEST_METRICS[cat]]
    per_period = [answers.kpis(store, workspace.id, channels, keys, pq) for pq in periods]
    by_key = {k: [found[i] for found in per_period] for i, k in enumerate(keys)}
    sections = [(cat, [by_key[k] for k in DIGEST_METRICS[cat]
                       if any(x.value is not None for x in by_key[k])])
                for cat in DIGEST_METRICS]
    sections = [(cat, rows) for cat, rows in sections if rows]
    digest = Digest(workspace, kind, day, periods, sections, lang)
    digest.goals = _goals(store, workspace, day)
    since = utc(alerts_since or (now - (7 * DAY if kind == "weekly" else DAY)))
    digest.alerts_since = since
    digest.alerts = _alerts(store, workspace.id, since, utc(now))
    _chart(store, workspace, digest, channels)
    if kind == "daily":
        digest.best_post = _best_post(store, workspace, day - DAY, channels)
    return digest


def _best_post(store: Store, workspace: Workspace, day: date, channels: list[Any]
               ) -> tuple[str, TopPost] | None:
    """The own post published on ``day`` with the most lifetime engagement read by then."""
    found = ContentStore(store).top_posts(workspace.id, day, day, "engagement", 1)
    if not found:
        return None
    names = {c.id: c.name for c in channels}
    return names.get(found[0].channel_id, "?"), found[0]


def _goals(store: Store, workspace: Workspace, day: date) -> list[GoalLine]:
    out = []
    channels = store.channels(workspace.id)
    for goal in GoalStore(store).list_goals(workspace.id):
        if day < goal.start:
            continue
        try:
            p = track(store, workspace.id, channels, goal, day)
        except answers.UnknownChannel:
            continue
        out.append(GoalLine(goal.id, goal.metric, goal.channel, goal.target, goal.deadline,
                            p.current, p.progress_pct, p.required_per_week,
                            p.recent_per_week, p.forecast, p.on_track, p.basis,
                            p.forecast_pct, p.status, p.days_run, p.judge_after))
    return out


def _alerts(store: Store, workspace_id: int, since: datetime, until: datetime
            ) -> list[AlertLine]:
    with store.connect() as conn:
        return [AlertLine(*row) for row in st.logged_alerts(conn, workspace_id, since, until)]


def _chart(store: Store, workspace: Workspace, digest: Digest, channels: list[Any]) -> None:
    span = digest.periods[-1]
    if digest.kind == "daily":  # the last seven days, against the seven before
        end = digest.day - DAY
        span = PeriodQuery(Period(end - 6 * DAY, end), Period(end - 13 * DAY, end - 7 * DAY))
    scope = answers.resolve_scope(channels, None)
    spans = [Span(span.current.start, span.current.end),
             Span(span.previous.start, span.previous.end)]
    with store.connect() as conn:
        for metric in CHART_METRICS:
            cur, prev = daily_series_many(conn, workspace.id, scope.sets, metric, spans)
            if any(v is not None for _, v in cur):
                digest.chart_metric = metric
                digest.chart = (cur, prev)
                return


# -- queueing ----------------------------------------------------------------------------------

def digest_key(sub: Subscription, day: date, part: str) -> str:
    return f"d:{sub.id}:{day.isoformat()}:{part}"


def queue_digest(store: Store, sub: Subscription, day: date, now: datetime, *,
                 lang: str, title: str, body: str, footer: str = "",
                 chart_png: bytes | None = None, chart_caption: str = "",
                 one_message: bool = False) -> bool:
    """Queue a subscription's digest for its local ``day`` and mark the day done — one
    transaction. False when that day's digest was already queued.

    ``one_message``: the chart with the whole text as its caption (one message; the caller
    knows the text fits the platform's caption). Otherwise the text, then the chart (two
    messages: Telegram wants a second between two messages to one chat)."""
    stamp = utc(now)
    with store.begin() as conn:
        if not st.mark_digest_day(conn, sub.id, day, stamp):
            return False
        if one_message and chart_png:
            enqueue(conn, [Message(digest_key(sub, day, "text"), sub.workspace_id, "digest",
                                   sub.platform, sub.chat_id, lang, title, body, stamp,
                                   footer, chart_id=add_chart(conn, chart_png, stamp))],
                    stamp)
            return True
        messages = [Message(digest_key(sub, day, "text"), sub.workspace_id, "digest",
                            sub.platform, sub.chat_id, lang, title, body, stamp, footer)]
        if chart_png:
            chart_id = add_chart(conn, chart_png, stamp)
            messages.append(Message(digest_key(sub, day, "chart"), sub.workspace_id, "digest",
                                    sub.platform, sub.chat_id, lang, chart_caption, "", stamp,
                                    chart_id=chart_id))
        enqueue(conn, messages, stamp)
    return True


# -- the one way a subscription's digest is sent ----------------------------------------------

@dataclass(frozen=True)
class DigestText:
    """A digest in words, as ``bot/digest_views.py`` renders it."""

    title: str
    body: str
    footer: str = ""
    chart_png: bytes | None = None
    chart_caption: str = ""


RenderDigest = Callable[[Digest], DigestText]
#: Whether a rendered digest goes to ``platform`` as one message (the chart with the whole
#: text as its caption): the platform's ``caption_fits``, asked by the scheduler.
OneMessage = Callable[[str, DigestText], bool]


def subscriptions(store: Store) -> list[Subscription]:
    """Every digest subscription (the scheduler's jobs)."""
    return alert_store.subscriptions(store)


# -- a chat's subscriptions (``/langganan``, ``/berhenti``) -------------------------------------

def chat_subscriptions(store: Store, platform: str, chat_id: str) -> list[Subscription]:
    """This chat's digest subscriptions, oldest first."""
    return alert_store.subscriptions(store, platform=platform, chat_id=chat_id)


def subscribe(store: Store, workspace_id: int, platform: str, chat_id: str, kind: str,
              at: time, now: datetime, *, weekday: int | None = None,
              lang: str | None = None, created_by: str = "") -> Subscription:
    """Subscribe the chat to the ``daily`` or ``weekly`` digest at local time ``at`` (weekly:
    on ``weekday``, 0 = Monday); subscribing again to the same kind changes its time."""
    if kind not in ("daily", "weekly"):
        raise ValueError(f"unknown digest kind {kind!r}")
    return alert_store.subscribe(store, workspace_id, platform, chat_id, kind, at.hour,
                                 at.minute, now, weekday=weekday, lang=lang,
                                 created_by=created_by)


def unsubscribe(store: Store, platform: str, chat_id: str, kind: str | None = None
                ) -> list[Subscription]:
    """Stop the chat's digests (of ``kind``, or all); the stopped ones."""
    return alert_store.unsubscribe(store, platform, chat_id, kind)


def digest_for(store: Store, sub_id: int) -> tuple[Subscription, Workspace] | None:
    """The subscription and its workspace; None when either is gone."""
    sub = alert_store.subscription(store, sub_id)
    if sub is None:
        return None
    ws = store.workspace_by_id(sub.workspace_id)
    return None if ws is None else (sub, ws)


def digest_to_send(store: Store, sub: Subscription, day: date, now: datetime
                   ) -> Digest | None:
    """``sub``'s digest for its local ``day``, in its language (None: the workspace is
    gone)."""
    ws = store.workspace_by_id(sub.workspace_id)
    if ws is None:
        return None
    lang = sub.lang or ws.language
    return build_digest(store, ws, sub.kind, day, now, lang=lang, alerts_since=sub.last_at)


def queue_text(store: Store, sub: Subscription, day: date, now: datetime, lang: str,
               text: DigestText, one_message: OneMessage | None = None) -> bool:
    """Queue a rendered digest (``queue_digest``; False: that day was done already)."""
    return queue_digest(store, sub, day, now, lang=lang, title=text.title, body=text.body,
                        footer=text.footer, chart_png=text.chart_png,
                        chart_caption=text.chart_caption,
                        one_message=bool(text.chart_png) and one_message is not None
                        and one_message(sub.platform, text))


def send_digest(store: Store, sub: Subscription, day: date, now: datetime,
                render: RenderDigest, one_message: OneMessage | None = None) -> bool:
    """Build, render and queue ``sub``'s digest for its local ``day`` (False: that day was
    done already, or the workspace is gone). ``one_message``: see ``OneMessage`` (None: the
    text and the chart always go as two messages)."""
    digest = digest_to_send(store, sub, day, now)
    if digest is None:
        return False
    return queue_text(store, sub, day, now, digest.lang, render(digest), one_message)
