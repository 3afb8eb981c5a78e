"""/konten (/posts): the period's posts ranked by a metric (SPEC §11).

``/konten [metric] [channel] [period] [top N]``; "konten apa yang paling bagus minggu ini?",
"top post ig bulan ini" and "postingan terbaik kmrn" are the same request. Each post shows
its rank, format, publishing day, channel, value, a caption excerpt and its link on a line
of its own. Lines are plain text: the adapters escape them for Telegram HTML and Slack
mrkdwn, and the link is a bare URL (never ``<url|label>`` built from a caption).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from bot import command_names as names
from bot import formatting as fmt
from bot import question_shapes as shapes
from bot import views
from bot.i18n import translate
from bot.parsing import parse_text
from bot.question_parts import channel_error, period_or_error, unknown_channel_reply
from bot.reply import Reply
from bot.router import Command, Context, Router, unknown_metric_reply
from kpi_engine.domain import content as dc
from kpi_engine.domain.model import Role
from kpi_engine.domain.periods import Period, PeriodQuery, parse_period
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
    "content_bad_top": (
        "Jumlah postingan \"top {n}\" tidak bisa dipakai: tulis 1 sampai {max}. "
        "Contoh: /konten top 5",
        "\"top {n}\" cannot be used: write a number from 1 to {max}. Example: /posts top 5"),
    "content_only": ("Hanya {total} postingan yang terbit pada periode ini; semuanya "
                     "ditampilkan (diminta {n}).",
                     "Only {total} posts were published in the period; all are shown "
                     "({n} asked)."),
    "content_capped": ("Paling banyak {max} postingan ditampilkan (diminta {n}); {total} "
                       "postingan terbit pada periode ini.",
                       "At most {max} posts are shown ({n} asked); {total} posts were "
                       "published in the period."),
    "format_title": ("Engagement per postingan menurut format · {scope} · {period}",
                     "Engagement per post by format · {scope} · {period}"),
    "time_title": ("Jam posting terbaik (engagement per postingan) · {scope} · {period}",
                   "Best posting times (engagement per post) · {scope} · {period}"),
    "hashtag_title": ("Hashtag terbaik (engagement per postingan) · {scope} · {period}",
                      "Best hashtags (engagement per post) · {scope} · {period}"),
    "group_line": ("{rank}. {name}: {per_post} per postingan ({posts} postingan)",
                   "{rank}. {name}: {per_post} per post ({posts} posts)"),
    "group_none": ("Belum ada postingan yang terbit pada {period}.",
                   "No posts published in {period}."),
    "not_enough": (
        "Belum cukup data: perlu minimal {minimum} postingan per {unit} pada {period}. "
        "Coba periode yang lebih panjang, misalnya: 90 hari terakhir",
        "Not enough data yet: at least {minimum} posts per {unit} are needed in {period}. "
        "Try a longer period, for example: last 90 days"),
    "unit_time": ("hari dan jam", "weekday and hour"),
    "unit_hashtag": ("hashtag", "hashtag"),
    "thin_footer": ("{n} slot dengan kurang dari {minimum} postingan tidak diurutkan.",
                    "{n} slots with fewer than {minimum} posts are not ranked."),
    "group_footer": ("Nilai seumur postingan per {day}.", "Lifetime values as of {day}."),
}

WEEKDAYS = (("Senin", "Monday"), ("Selasa", "Tuesday"), ("Rabu", "Wednesday"),
            ("Kamis", "Thursday"), ("Jumat", "Friday"), ("Sabtu", "Saturday"),
            ("Minggu", "Sunday"))

#: ``/konten format``, ``/konten jam``, ``/konten hashtag``: the first argument word.
VIEW_WORDS: dict[str, str] = {
    "format": "format", "formats": "format", "jam": "time", "waktu": "time", "time": "time",
    "times": "time", "hashtag": "hashtag", "hashtags": "hashtag", "tagar": "hashtag",
}

FORMAT_LABELS: dict[str, tuple[str, str]] = {
    "feed": ("Feed", "Feed"), "reel": ("Reel", "Reel"), "carousel": ("Carousel", "Carousel"),
    "story": ("Story", "Story"), "video": ("Video", "Video"), "short": ("Short", "Short"),
}

#: "top 5", "5 teratas", "5 terbaik", "best 3".
_TOP_N = re.compile(r"(?<!\w)(?:top|best|teratas)\s*([-−]?\d+)(?![\w./:-])|(?<![\w./:-])(\d+)\s*"
                    r"(?:teratas|terbaik|top|best)(?!\w)", re.IGNORECASE)
CAPTION_EXCERPT = 60


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(CONTENT_MESSAGES, key, lang, **params)


def top_n(text: str) -> int | None:
    """The N of "top N" in ``text``, or None."""
    match = _TOP_N.search(text)
    if match is None:
        return None
    return int((match.group(1) or match.group(2)).replace("−", "-"))


def without_top_n(ctx: Context) -> Context:
    """``ctx`` read again without its "top N": in "/konten top 5 minggu lalu" the 5 is the
    number of posts, not "5 minggu lalu" (five weeks ago)."""
    match = _TOP_N.search(ctx.request.text)
    if match is None:
        return ctx
    text = ctx.request.text[:match.start()] + " " + ctx.request.text[match.end():]
    parsed = parse_text(text, ctx.today, channels=[c.name for c in ctx.channels],
                        campaigns=ctx.campaigns)
    return replace(ctx, parsed=replace(ctx.parsed, period=parsed.period,
                                       period_error=parsed.period_error))


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
            "channel": ranking.scope_label, "rows": rows, "total": ranking.total,
            "requested": ranking.requested}
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
    footer = _msg("content_footer", lang,
                  day=fmt.day(min(ranking.end, today or ranking.end), lang))
    asked = ranking.requested
    if asked is not None and asked > len(ranking.rows):  # "top 99999": say what is shown
        key = "content_only" if ranking.total <= len(ranking.rows) else "content_capped"
        footer += " " + _msg(key, lang, total=fmt.number(ranking.total), n=fmt.number(asked),
                             max=content_service.MAX_TOP)
    return Reply(title=title, body=body, footer=footer, intent="posts", data=data, lang=lang)


def view_of(ctx: Context) -> str | None:
    """The view asked for: the first argument of ``/konten`` or the sentence's shape."""
    first = ctx.request.text.split()[1:2] if ctx.request.text.lstrip().startswith("/") else []
    if first and first[0].lower() in VIEW_WORDS:
        return VIEW_WORDS[first[0].lower()]
    return shapes.content_view(ctx.request.text)


def _group_name(view: str, key: object, lang: str) -> str:
    if view == "format":
        return format_label(str(key), lang)
    if view == "time" and isinstance(key, tuple):
        weekday, hour = key
        return f"{WEEKDAYS[weekday][0 if lang == 'id' else 1]} {hour:02d}:00–{hour:02d}:59"
    return f"#{key}"


def groups_reply(answer: content_service.GroupAnswer, lang: str, period: Period,
                 today: date) -> Reply:
    period_text = views.period_label(period, lang)
    rows: list[dict[str, object]] = []
    for g in answer.rows:
        row: dict[str, object] = {"posts": g.posts, "engagement": g.engagement,
                                  "per_post": None if g.per_post is None
                                  else round(g.per_post, 4)}
        if answer.view == "time" and isinstance(g.key, tuple):
            row.update(weekday=g.key[0], hour=g.key[1])
        else:
            row[answer.view] = g.key
        rows.append(row)
    data = {"view": answer.view, "metric": "engagement",
            "period": {"start": answer.start.isoformat(), "end": answer.end.isoformat()},
            "channel": answer.scope_label, "minimum_posts": answer.minimum, "rows": rows}
    intent = {"format": "content_format", "time": "posting_time",
              "hashtag": "hashtags"}[answer.view]
    if not answer.rows:
        if answer.view == "format" or (answer.view == "time" and not answer.thin):
            text = _msg("group_none", lang, period=period_text)
        else:
            text = _msg("not_enough", lang, minimum=answer.minimum, period=period_text,
                        unit=_msg(f"unit_{answer.view}", lang))
        return Reply(body=[text], intent=intent, data=data, lang=lang)
    body = [_msg("group_line", lang, rank=i, name=_group_name(answer.view, g.key, lang),
                 per_post=fmt.number(g.per_post or 0.0, 1), posts=fmt.number(g.posts))
            for i, g in enumerate(answer.rows[:10], 1)]
    footer = _msg("group_footer", lang, day=fmt.day(min(answer.end, today), lang))
    if answer.thin:
        footer += " " + _msg("thin_footer", lang, n=answer.thin, minimum=answer.minimum)
    title = _msg(f"{answer.view}_title", lang,
                 scope=views.scope_label(answer.scope_label, None, lang), period=period_text)
    return Reply(title=title, body=body, footer=footer, intent=intent, data=data, lang=lang)


def content(ctx: Context) -> Reply:
    """/konten [metric] [channel] [period] [top N]; /konten format | jam | hashtag."""
    p = ctx.parsed
    view = view_of(ctx)
    if view is not None:
        return _groups(ctx, view)
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
    asked = top_n(ctx.request.text)
    if asked is not None and asked < 1:  # "/konten top 0"
        return Reply(body=[_msg("content_bad_top", ctx.lang, n=asked,
                                max=content_service.MAX_TOP)],
                     intent="error", error="content_bad_top", lang=ctx.lang, ephemeral=True)
    ctx = without_top_n(ctx)
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    period = pq.current
    try:
        ranking = content_service.top_posts(ctx.store, ctx.workspace.id, ctx.channels, metric,
                                            period.start, period.end, p.channel, asked)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    return posts_reply(ranking, ctx.lang, period, ctx.today)


def _groups(ctx: Context, view: str) -> Reply:
    if ctx.parsed.period is None and ctx.parsed.period_error is None and view != "format":
        # a slot or a hashtag needs several posts: without a period, the last 90 days
        pq: PeriodQuery | Reply = parse_period(
            "90 hari terakhir" if ctx.lang == "id" else "last 90 days", ctx.today, ctx.lang)
    else:
        pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    period = pq.current
    reader = {"format": content_service.by_format, "time": content_service.posting_time,
              "hashtag": content_service.hashtags}[view]
    try:
        answer = reader(ctx.store, ctx.workspace.id, ctx.channels, period.start, period.end,
                        ctx.parsed.channel)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    named = shapes.formats_named(ctx.request.text) if view == "format" else []
    if len(named) > 1:  # "reel vs feed": those formats only
        answer = replace(answer, rows=[g for g in answer.rows if g.key in named])
    return groups_reply(answer, ctx.lang, period, ctx.today)


def make_content() -> Command:
    return Command(names.CONTENT, Role.VIEWER, content,
                   "postingan terbaik: /konten engagement instagram bulan ini top 5",
                   "top posts: /posts engagement instagram this month top 5", quick=True)


def register_content(router: Router) -> None:
    """Register /konten (/posts)."""
    router.register(make_content())
