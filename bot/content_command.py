"""/konten (/posts): the period's posts ranked by a metric (SPEC §11).

``/konten [metric] [channel] [period] [top N]``; "konten apa yang paling bagus minggu ini?",
"top post ig bulan ini" and "postingan terbaik kmrn" are the same request. Each post shows
its rank, format, publishing day, channel, value, a caption excerpt and its link on a line
of its own. Lines are plain text: the adapters escape them for Telegram HTML and Slack
mrkdwn, and the link is a bare URL (never ``<url|label>`` built from a caption).
"""

from __future__ import annotations

import re
from datetime import date

from bot import formatting as fmt
from bot import views
from bot.commands import channel_error, period_or_error, unknown_channel_reply
from bot.i18n import translate
from bot.reply import Reply
from bot.router import Command, Context, Router, unknown_metric_reply
from kpi_engine.domain import content as dc
from kpi_engine.domain.model import Role
from kpi_engine.domain.periods import Period
from kpi_engine.services import answers
from kpi_engine.services import content as content_service

CONTENT_MESSAGES: dict[str, tuple[str, str]] = {
    "content_title": ("Konten terbaik · {metric} · {scope} · {period}",
                      "Top posts · {metric} · {scope} · {period}"),
    "content_none": (
        "Belum ada postingan yang terbit pada {period} dengan data {metric}. "
        "Impor postingan (kolom post_id) atau coba periode lain, misalnya: /konten bulan lalu",
        "No posts published in {period} with {metric} data. Import posts (a post_id "
        "column) or try another period, for example: /posts last month"),
    "content_bad_metric": (
        "Postingan diurutkan menurut engagement, reach, views, likes, comments, shares atau "
        "saves, bukan {metric}. Contoh: /konten reach instagram bulan ini",
        "Posts are ranked by engagement, reach, views, likes, comments, shares or saves, "
        "not {metric}. Example: /posts reach instagram this month"),
    "content_footer": ("Nilai seumur postingan per {day}; postingan yang terbit di periode ini.",
                       "Lifetime values as of {day}; posts published in the period."),
    "content_no_link": ("(tanpa tautan)", "(no link)"),
}

FORMAT_LABELS: dict[str, tuple[str, str]] = {
    "feed": ("Feed", "Feed"), "reel": ("Reel", "Reel"), "carousel": ("Carousel", "Carousel"),
    "story": ("Story", "Story"), "video": ("Video", "Video"), "short": ("Short", "Short"),
}

#: "top 5", "5 teratas", "5 terbaik", "best 3".
_TOP_N = re.compile(r"(?<!\w)(?:top|best|teratas)\s*(\d{1,3})(?!\w)|(?<!\w)(\d{1,3})\s*"
                    r"(?:teratas|terbaik|top|best)(?!\w)", re.IGNORECASE)
CAPTION_EXCERPT = 60


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(CONTENT_MESSAGES, key, lang, **params)


def top_n(text: str) -> int | None:
    """The N of "top N" in ``text``, or None."""
    match = _TOP_N.search(text)
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def format_label(fmt_key: str, lang: str) -> str:
    pair = FORMAT_LABELS.get(fmt_key)
    return (pair[0] if lang == "id" else pair[1]) if pair else fmt_key


def posts_reply(ranking: content_service.PostRanking, lang: str, period: Period,
                today: date | None = None) -> Reply:
    metric_label = views.metric_name(ranking.metric, lang)
    period_text = views.period_label(period, lang)
    rows = [{"post_id": r.post.post_id, "channel": r.channel,
             "published_at": r.post.published_at.isoformat(), "format": r.post.format,
             "permalink": r.post.permalink, "value": r.post.value} for r in ranking.rows]
    data = {"metric": ranking.metric,
            "period": {"start": ranking.start.isoformat(), "end": ranking.end.isoformat()},
            "channel": ranking.scope_label, "rows": rows}
    if not ranking.rows:
        return Reply(body=[_msg("content_none", lang, period=period_text, metric=metric_label)],
                     intent="posts", data=data, lang=lang)
    body: list[str] = []
    for i, r in enumerate(ranking.rows, 1):
        p = r.post
        body.append(f"{i}. {format_label(p.format, lang)} · {fmt.day(p.published_day, lang)}"
                    f" · {r.channel} — {fmt.number(p.value)} {metric_label.lower()}")
        caption = fmt.excerpt(p.caption, CAPTION_EXCERPT)
        if caption:
            body.append(f"   “{caption}”")
        body.append(f"   {p.permalink or _msg('content_no_link', lang)}")
    title = _msg("content_title", lang, metric=metric_label,
                 scope=views.scope_label(ranking.scope_label, None, lang), period=period_text)
    return Reply(title=title, body=body,
                 footer=_msg("content_footer", lang,
                             day=fmt.day(min(ranking.end, today or ranking.end), lang)),
                 intent="posts", data=data, lang=lang)


def content(ctx: Context) -> Reply:
    """/konten [metric] [channel] [period] [top N]."""
    p = ctx.parsed
    metric = p.metric
    if metric in (None, "posts", "engagement_rate", "engagement_rate_reach") and \
            not p.unknown_metric:
        metric = "engagement"  # "top post ig": posts ranked by engagement
    if metric is None:
        return unknown_metric_reply(p, ctx.lang)
    if metric not in dc.RANKABLE:
        return Reply(body=[_msg("content_bad_metric", ctx.lang,
                                metric=views.metric_name(metric, ctx.lang))],
                     intent="error", error="content_bad_metric", lang=ctx.lang, ephemeral=True)
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    period = pq.current
    try:
        ranking = content_service.top_posts(ctx.store, ctx.workspace.id, ctx.channels, metric,
                                            period.start, period.end, p.channel,
                                            top_n(ctx.request.text))
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    return posts_reply(ranking, ctx.lang, period, ctx.today)


def make_content() -> Command:
    return Command("content", "konten", "posts", Role.VIEWER, content,
                   "postingan terbaik: /konten engagement instagram bulan ini top 5",
                   "top posts: /posts engagement instagram this month top 5", quick=True)


def register_content(router: Router) -> None:
    """Register /konten (/posts)."""
    router.register(make_content())
