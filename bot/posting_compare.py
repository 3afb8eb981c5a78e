"""``/bandingkan posts`` from the posts themselves (SPEC §11): per channel, competitors
included and marked, how many posts were published in the period and their engagement per
post, beside the previous period. "berapa kali pesaing posting bulan ini" and "frekuensi
posting kompetitor" ask the same. Without any post rows in either period the comparison
comes from the daily ``posts`` counts as before (``bot.commands.compare``)."""

from __future__ import annotations

from typing import Any

from bot import formatting as fmt
from bot import views
from bot.i18n import t, translate
from bot.reply import Reply
from bot.router import Context
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services import content as content_service

POSTING_MESSAGES: dict[str, tuple[str, str]] = {
    "posting_title": ("Frekuensi posting per kanal · {period}",
                      "Posting frequency by channel · {period}"),
    "posting_line": ("{name}: {posts} postingan{posts_change} · {per_post} engagement per "
                     "postingan{per_post_change}",
                     "{name}: {posts} posts{posts_change} · {per_post} engagement per "
                     "post{per_post_change}"),
    "posting_line_none": ("{name}: {posts} postingan{posts_change} · engagement per "
                          "postingan belum ada",
                          "{name}: {posts} posts{posts_change} · no engagement per post yet"),
    "posting_footer": ("Dibanding {period}. Engagement seumur postingan per akhir tiap "
                       "periode; postingan yang terbit di periode itu.",
                       "Vs {period}. Lifetime engagement as of each period's end; posts "
                       "published in that period."),
    "posting_unknown": ("{name}: postingan belum diimpor", "{name}: no posts imported"),
    "posting_left_out": ("Belum ada postingan tersimpan untuk {names}: jumlahnya tidak "
                         "diketahui dan tidak dihitung di total. Impor postingannya "
                         "(kolom post_id).",
                         "No posts are stored for {names}: their count is unknown and not "
                         "in the total. Import their posts (a post_id column)."),
    "posting_no_competitor": (
        "Postingan pesaing belum diketahui: impor postingan mereka (kolom post_id).",
        "Competitors' posts are not known yet: import their posts (a post_id column)."),
}


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(POSTING_MESSAGES, key, lang, **params)


def _change(value: float | None) -> str:
    return f" ({fmt.signed_percent(value)})" if value is not None else ""


def _rnd(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def posting_reply(ctx: Context, pq: PeriodQuery) -> Reply | None:
    """The posting comparison, or None when no channel has posts in either period."""
    lang = ctx.lang
    cur, prev = pq.current, pq.previous
    c = content_service.posting_comparison(ctx.store, ctx.workspace.id, ctx.channels,
                                           cur.start, cur.end, prev.start, prev.end)
    if not c.known:
        return None
    body: list[str] = []
    rows: list[dict[str, Any]] = []
    for r in c.rows:
        if r.channel is None:
            name = "Σ " + t("total_own", lang)
            body.append("")
        else:
            name = "• " + r.channel.name
            if r.channel.is_competitor:
                name += f" ({t('competitor_tag', lang)})"
        if not r.known:
            body.append(_msg("posting_unknown", lang, name=name))
            rows.append({"channel": r.channel.name if r.channel else None,
                         "competitor": bool(r.channel and r.channel.is_competitor),
                         "posts": None, "engagement": None, "engagement_per_post": None,
                         "previous": None, "posts_known": False})
            continue
        per_post = r.current.per_post
        body.append(_msg(
            "posting_line" if per_post is not None else "posting_line_none", lang, name=name,
            posts=fmt.number(r.current.posts), posts_change=_change(r.posts_change_pct),
            per_post=fmt.number(per_post or 0.0, 1),
            per_post_change=_change(r.per_post_change_pct)))
        rows.append({
            "channel": r.channel.name if r.channel else None,
            "competitor": bool(r.channel and r.channel.is_competitor),
            "posts": r.current.posts, "engagement": r.current.engagement,
            "engagement_per_post": _rnd(per_post),
            "previous": {"posts": r.previous.posts, "engagement": r.previous.engagement,
                         "engagement_per_post": _rnd(r.previous.per_post)},
            "posts_change_pct": r.posts_change_pct,
            "engagement_per_post_change_pct": r.per_post_change_pct, "posts_known": True})
    footer = _msg("posting_footer", lang, period=fmt.day_range(prev.start, prev.end, lang))
    own_unknown = [ch.name for ch in c.without_posts if not ch.is_competitor]
    if own_unknown:
        footer += " " + _msg("posting_left_out", lang, names=", ".join(own_unknown))
    if any(ch.is_competitor for ch in c.without_posts):
        footer += " " + _msg("posting_no_competitor", lang)
    data = {"metric": "posts", "source": "posts",
            "period": {"label": cur.label, "start": cur.start.isoformat(),
                       "end": cur.end.isoformat()},
            "previous": {"label": prev.label, "start": prev.start.isoformat(),
                         "end": prev.end.isoformat()},
            "rows": rows}
    return Reply(title=_msg("posting_title", lang, period=views.period_label(cur, lang)),
                 body=body, footer=footer, intent="compare", data=data, lang=lang)
