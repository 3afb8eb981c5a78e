"""Charts of posts and audience (SPEC §11), drawn by ``bot.charts``.

- ``/grafik posts ig bulan ini``: two panels over the period's days, the previous period
  faded behind each: the posts published per day, and their engagement per post
  (lifetime as of the period's end; no point on a day without a read post). From the posts
  themselves; a workspace without post rows keeps the daily ``posts`` counts' chart.
- ``/audiens``: bars of a channel's top cities, age groups and genders, the value before
  the period faded beside each.

The values a chart is drawn from are in the reply's ``data`` (``series``, ``bars``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import formatting as fmt
from bot import views
from bot.charts import Bar, BarGroup, ChartSpec, render_bars, render_panels
from bot.i18n import translate
from bot.reply import Reply
from bot.router import Context
from kpi_engine.domain.metrics import METRICS, Kind, Metric, Unit
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services import content as content_service

POST_CHART_MESSAGES: dict[str, tuple[str, str]] = {
    "posts_panel": ("Postingan terbit per hari", "Posts published per day"),
    "per_post_panel": ("Engagement per postingan (menurut hari terbit)",
                       "Engagement per post (by publishing day)"),
    "posts_line": ("{posts} postingan{posts_change} · {per_post} engagement per "
                   "postingan{per_post_change}",
                   "{posts} posts{posts_change} · {per_post} engagement per "
                   "post{per_post_change}"),
    "posts_line_none": ("{posts} postingan{posts_change} · engagement per postingan belum "
                        "ada", "{posts} posts{posts_change} · no engagement per post yet"),
    "posts_footer": ("dibanding {period}: {posts} postingan. Engagement seumur postingan per "
                     "akhir tiap periode.",
                     "vs {period}: {posts} posts. Lifetime engagement as of each period's "
                     "end."),
    "posts_left_out": ("Belum ada postingan tersimpan untuk {names}: tidak dihitung.",
                       "No posts are stored for {names}: not counted."),
    "audience_chart_title": ("Audiens · {channel}", "Audience · {channel}"),
    "audience_previous": ("sebelum {day}", "before {day}"),
    "audience_current": ("per {day}", "as of {day}"),
}

#: Engagement per post as a chart's unit: a count per post (not in the catalogue: it is a
#: post figure, not a metric of the daily snapshots).
PER_POST = Metric(key="engagement_per_post", kind=Kind.RATIO, unit=Unit.COUNT,
                  label_id="Engagement per postingan", label_en="Engagement per post",
                  stored=False)


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(POST_CHART_MESSAGES, key, lang, **params)


def _change(value: float | None) -> str:
    return f" ({fmt.signed_percent(value)})" if value is not None else ""


def _points(points: content_service.DaySeries) -> list[list[Any]]:
    return [[d.isoformat(), None if v is None else round(v, 4)] for d, v in points]


def post_chart_reply(ctx: Context, channel: str | None, pq: PeriodQuery) -> Reply | None:
    """The posts chart of ``channel`` (or the own channels) over ``pq``; None when no post
    of the scope was published in either period. ``answers.UnknownChannel`` propagates."""
    lang = ctx.lang
    cur, prev = pq.current, pq.previous
    c = content_service.post_chart(ctx.store, ctx.workspace.id, ctx.channels, channel,
                                   cur.start, cur.end, prev.start, prev.end)
    if not c.known:
        return None
    scope = views.scope_label(c.scope_label, None, lang)
    title = f"{METRICS['posts'].label(lang)} · {scope}"
    subtitle = views.period_label(cur, lang)
    specs = [ChartSpec(title=_msg("posts_panel", lang), subtitle="", metric=METRICS["posts"],
                       lang=lang, current=c.posts, previous=c.posts_previous),
             ChartSpec(title=_msg("per_post_panel", lang), subtitle="", metric=PER_POST,
                       lang=lang, current=c.per_post, previous=c.per_post_previous)]
    per_post = c.current.per_post
    previous_per_post = c.previous.per_post
    line = _msg("posts_line" if per_post is not None else "posts_line_none", lang,
                posts=fmt.number(c.current.posts),
                posts_change=_change(content_service.dc.change_pct(c.current.posts,
                                                                   c.previous.posts)),
                per_post=fmt.number(per_post or 0.0, 1),
                per_post_change=_change(content_service.dc.change_pct(per_post,
                                                                      previous_per_post)))
    footer = _msg("posts_footer", lang, period=fmt.day_range(prev.start, prev.end, lang),
                  posts=fmt.number(c.previous.posts))
    if c.without_posts:
        footer += " " + _msg("posts_left_out", lang, names=", ".join(c.without_posts))
    data = {"metric": "posts", "source": "posts", "channel": c.scope_label,
            "period": {"label": cur.label, "start": cur.start.isoformat(),
                       "end": cur.end.isoformat()},
            "previous": {"label": prev.label, "start": prev.start.isoformat(),
                         "end": prev.end.isoformat()},
            "value": c.current.posts, "previous_value": c.previous.posts,
            "left_out": list(c.without_posts),
            "engagement_per_post": None if per_post is None else round(per_post, 4),
            "previous_engagement_per_post": (None if previous_per_post is None
                                             else round(previous_per_post, 4)),
            "series": {"current": _points(c.posts), "previous": _points(c.posts_previous)},
            "engagement_per_post_series": {"current": _points(c.per_post),
                                           "previous": _points(c.per_post_previous)}}
    return Reply(title=f"{title} · {subtitle}", body=[line], footer=footer, intent="chart",
                 data=data, lang=lang, chart=render_panels(title, subtitle, specs))


def audience_bars(rows: Sequence[tuple[str, content_service.AudienceBucket]], channel: str,
                  top: dict[str, int]) -> list[tuple[str, list[content_service.AudienceBucket]]]:
    """The buckets a chart of ``channel`` draws: per dimension (city, age, gender) the top
    ones, largest first, as /audiens lists them."""
    out = []
    for dim in ("city", "age", "gender"):
        buckets = [b for n, b in rows if n == channel and b.dimension == dim][:top[dim]]
        if buckets:
            out.append((dim, buckets))
    return out


def audience_chart(rows: Sequence[tuple[str, content_service.AudienceBucket]], channel: str,
                   lang: str, period_text: str, start_text: str, end_text: str,
                   top: dict[str, int],
                   dim_title: Any, bucket_label: Any) -> tuple[bytes, list[dict[str, Any]]]:
    """The bars PNG of ``channel``'s audience and the values it is drawn from."""
    groups = audience_bars(rows, channel, top)
    drawn = [{"dimension": dim, "bucket": b.bucket, "value": b.value, "previous": b.previous}
             for dim, buckets in groups for b in buckets]
    png = render_bars(
        _msg("audience_chart_title", lang, channel=channel), period_text,
        [BarGroup(dim_title(dim), [Bar(bucket_label(dim, b.bucket, lang), b.value, b.previous)
                                   for b in buckets]) for dim, buckets in groups],
        lang, _msg("audience_previous", lang, day=start_text),
        _msg("audience_current", lang, day=end_text))
    return png, drawn

