"""/peringkat (/rank, /urutan, /ranking): channels, campaigns or days ranked by one metric.

"hari apa reach ig paling tinggi minggu lalu?", "channel mana yang paling bagus bulan ini?",
"kampanye mana yang paling untung?", "top 3 hari engagement tiktok bulan ini" and
``/peringkat cpc kanal bulan lalu terendah`` are the same request: a metric (engagement when
none is named, and the reply says so), what is ranked (``kanal``, ``kampanye``, ``hari``;
channels when nothing says), a period, a direction and a cut.
"""

from __future__ import annotations

from bot import command_names as names
from bot.i18n import translate
from bot.question_parts import channel_error, period_or_error, unknown_channel_reply
from bot.rank_views import RANK_MESSAGES, rank_reply
from bot.reply import Reply
from bot.router import Command, Context, Router, unknown_metric_reply
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Role
from kpi_engine.services import answers, rankings

#: The metric ranked when none is named (SPEC §5 names no default for rankings).
DEFAULT_METRIC = "engagement"


def rank(ctx: Context) -> Reply:
    """A ranking: /peringkat metric [kanal|kampanye|hari] [period] [top N] [terendah]."""
    p, lang = ctx.parsed, ctx.lang
    if p.metric is None and p.unknown_metric:
        return unknown_metric_reply(p, lang)
    stray = next((a for a in p.args if any(ch.isdigit() for ch in a)), None)
    if stray is not None:  # "/peringkat reach kanal 5": never dropped, never guessed
        text = translate(RANK_MESSAGES, "rank_stray_number", lang, value=stray)
        return Reply(body=[text], intent="error", error="rank_unclear", lang=lang,
                     ephemeral=True, data={"unclear": stray})
    metric = p.metric or DEFAULT_METRIC
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    by = p.rank_by or "channel"
    if by == "campaign" and p.campaign:  # one campaign named: its channels are ranked
        by = "channel"
    try:
        ranking = rankings.rank(ctx.store, ctx.workspace.id, ctx.channels, metric, pq, by,
                                channel=p.channel, campaign=p.campaign,
                                direction=p.rank_dir or "best", top=p.top)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    except rankings.NotByCampaign:
        text = translate(RANK_MESSAGES, "rank_not_by_campaign", lang,
                         metric=METRICS[metric].label(lang), metric_key=metric)
        return Reply(body=[text], intent="error", error="rank_not_by_campaign", lang=lang,
                     ephemeral=True, data={"metric": metric, "by": "campaign"})
    return rank_reply(ranking, lang, ctx.workspace.currency, defaulted=p.metric is None)


def register_rank(router: Router) -> None:
    """Register /peringkat (/rank)."""
    router.register(Command(names.RANK, Role.VIEWER, rank,
                            "peringkat kanal, kampanye atau hari: /peringkat reach hari "
                            "minggu lalu, /peringkat roi kampanye, /peringkat cpc kanal "
                            "terendah",
                            "channels, campaigns or days ranked: /rank reach day last week, "
                            "/rank roi campaign, /rank cpc channel lowest",
                            quick=True))
