"""The handlers of the foundation's commands: /kpi, /ringkasan, /bandingkan, /catat,
/bantuan, /start. Each is a small function from a ``Context`` to a ``Reply``."""

from __future__ import annotations

from datetime import date

from bot import command_names as names
from bot import formatting as fmt
from bot import views
from bot.i18n import t
from bot.numbers import as_typed, is_bare, parse_number
from bot.posting_compare import posting_reply
from bot.question_parts import (  # noqa: F401  (re-exported: older imports)
    RECORD_ERRORS,
    channel_error,
    metric_or_error,
    period_or_error,
    refused,
    unknown_channel_reply,
)
from bot.reply import Reply
from bot.router import Command, Context, Router, error_reply, unknown_metric_reply
from bot.side_by_side import side_by_side
from kpi_engine.domain import validation
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import PLATFORMS, Role, SnapshotRow, parse_channel_name
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services import answers, coverage
from kpi_engine.services.workspaces import campaign_span


def kpi(ctx: Context) -> Reply:
    """One metric over a period, or the summary by category when no metric is named."""
    p = ctx.parsed
    if p.metric is None and p.unknown_metric:
        return unknown_metric_reply(p, ctx.lang)
    if p.metric is None:
        return summary(ctx)
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    try:
        answer = answers.kpi(ctx.store, ctx.workspace.id, ctx.channels, p.metric, pq,
                             p.channel, p.campaign)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    named = _same_thing(ctx, answer, pq)
    reply = views.kpi_reply(named or answer, ctx.lang, ctx.workspace.currency)
    if named is not None:  # "followers yt": YouTube counts subscribers
        reply.body.append(t("same_thing", ctx.lang, scope=named.scope_label or p.channel,
                            asked=METRICS[p.metric].label(ctx.lang).lower(),
                            metric=METRICS[named.metric.key].label(ctx.lang).lower()))
        reply.data["asked_metric"] = p.metric
    partial_note(ctx, reply, (named or answer).metric.key, pq)
    if p.campaign and p.period is None and answer.value is None:
        campaign_hint(ctx, reply, p.campaign)
    return provisional_note(ctx, reply, p.channel, pq.current.start, pq.current.end)


CAMPAIGN_RUN = ("Data kampanye {name} ada pada {run}; tanyakan dengan periodenya, misalnya "
                "\"{example}\".",
                "Campaign {name} has data on {run}; ask with its period, for example "
                "\"{example}\".")


def campaign_hint(ctx: Context, reply: Reply, campaign: str) -> None:
    """A campaign asked about with no period ("revenue kampanye ramadan") and no data in the
    default week: the reply says when the campaign has data, and how to ask for it."""
    span = campaign_span(ctx.store, ctx.workspace.id, campaign)
    if span is None:
        return
    first, last = span[0], min(span[1], ctx.today)
    example = f"{ctx.request.text.strip()} {first.isoformat()}..{last.isoformat()}"
    reply.body.append(CAMPAIGN_RUN[1 if ctx.lang == "en" else 0].format(
        name=campaign, run=fmt.day_range(first, last, ctx.lang), example=example))
    reply.data["campaign_run"] = {"start": first.isoformat(), "end": last.isoformat()}


PARTIAL = ("Catatan: datanya baru ada sejak {since}, jadi {which} ({range}) hanya tercakup "
           "{covered} dari {days} hari{tail}",
           "Note: the data begins on {since}, so {which} ({range}) has data for only "
           "{covered} of its {days} days{tail}")
_UNEVEN = ("; perubahannya bukan perbandingan setara.", "; the change is not like for like.")
_WHICH = {"current": ("periode ini", "this period"),
          "previous": ("periode pembanding", "the period compared with")}


def partial_note(ctx: Context, reply: Reply, metric: str, pq: PeriodQuery) -> None:
    """A counter over a period its data covers only in part ("reach ig Q3" against a Q2
    whose data begins in June) says so, and its JSON carries ``partial``."""
    scope = answers.resolve_scope(ctx.channels, ctx.parsed.channel)
    current, previous = coverage.partial(ctx.store, ctx.workspace.id, scope.main, metric, pq)
    found = [(k, x) for k, x in (("current", current), ("previous", previous)) if x]
    if not found or reply.data.get("value") is None:
        return
    en = 1 if ctx.lang == "en" else 0
    for which, part in found:
        reply.body.append(PARTIAL[en].format(
            since=fmt.day_range(part.since, part.since, ctx.lang), which=_WHICH[which][en],
            range=fmt.day_range(part.period.start, part.period.end, ctx.lang),
            covered=part.covered, days=part.days,
            tail=_UNEVEN[en] if reply.data.get("change_pct") is not None else "."))
    reply.data["partial"] = [{"period": which, "since": part.since.isoformat(),
                              "days_covered": part.covered, "days": part.days}
                             for which, part in found]


#: Metrics that are the same thing under each platform's own name: YouTube's subscribers are
#: the followers of the other platforms (SPEC §3.1 counts them as one audience).
SAME_THING = {"followers": "subscribers", "subscribers": "followers"}


def _same_thing(ctx: Context, answer: answers.KpiAnswer, pq: PeriodQuery
                ) -> answers.KpiAnswer | None:
    """The answer under the other name when the asked one has no data at all in the scope
    and the other has ("followers yt", "subscribers ig"); None otherwise."""
    p = ctx.parsed
    other = SAME_THING.get(p.metric or "")
    if other is None or answer.value is not None or answer.previous_value is not None:
        return None
    alt = answers.kpi(ctx.store, ctx.workspace.id, ctx.channels, other, pq, p.channel,
                      p.campaign)
    return alt if alt.value is not None or alt.previous_value is not None else None


PROVISIONAL = ("Catatan: data {days} masih sementara (platform sumbernya masih bisa "
               "merevisinya).",
               "Note: the data of {days} is provisional (its source platform may still revise "
               "it).")


def provisional_note(ctx: Context, reply: Reply, channel: str | None, first: date,
                     last: date) -> Reply:
    """A reply about days a data source still revises says so ("sementara"; SPEC §10), and
    its JSON carries ``provisional: true`` and the days."""
    scope = answers.resolve_scope(ctx.channels, channel)
    days = ctx.store.provisional_days(ctx.workspace.id, [c.id for c in scope.main], first,
                                      min(last, ctx.today))
    if not days:
        return reply
    shown = ", ".join(d.isoformat() for d in days[:7]) + (" …" if len(days) > 7 else "")
    reply.body.append(PROVISIONAL[1 if ctx.lang == "en" else 0].format(days=shown))
    reply.data["provisional"] = True
    reply.data["provisional_days"] = [d.isoformat() for d in days]
    return reply


def summary(ctx: Context) -> Reply:
    """Every category's key metrics over a period."""
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    try:
        s = answers.summary(ctx.store, ctx.workspace.id, ctx.channels, pq, ctx.parsed.channel,
                            ctx.parsed.campaign)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    return views.summary_reply(s, ctx.lang, ctx.workspace.currency)


def compare(ctx: Context) -> Reply:
    """One metric per channel, competitors included."""
    metric = metric_or_error(ctx, lambda lang: error_reply("compare_needs_metric", lang))
    if isinstance(metric, Reply):
        return metric
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    if len(ctx.parsed.channels) > 1 or len(ctx.parsed.campaigns) > 1:
        return side_by_side(ctx, metric, pq)  # "reach ig vs tiktok", "roi gajian sama ramadan"
    if metric == "posts" and not ctx.parsed.campaign:  # posts carry no campaign
        posting = posting_reply(ctx, pq)  # from the posts themselves, competitors' too
        if posting is not None:
            return posting
    c = answers.compare(ctx.store, ctx.workspace.id, ctx.channels, metric, pq,
                        ctx.parsed.campaign)
    reply = views.compare_reply(c, ctx.lang, ctx.workspace.currency)
    if ctx.parsed.campaign:  # "revenue per kanal kampanye gajian": the header says so
        reply.title += " · " + t("campaign", ctx.lang, name=ctx.parsed.campaign)
        reply.data["campaign"] = ctx.parsed.campaign
    return reply


def record(ctx: Context) -> Reply:
    """Write one snapshot: /catat channel metric value [day]."""
    p, lang = ctx.parsed, ctx.lang
    usage = t("record_usage", lang)
    key = metric_or_error(ctx, lambda lang: error_reply("record_usage", lang))
    if isinstance(key, Reply):
        return key
    metric = METRICS[key]
    if not metric.stored:
        parts = " + ".join(metric.parts) if metric.parts else ", ".join(
            x for x in (metric.numerator, metric.denominator) if x)
        return error_reply("record_derived", lang, metric=metric.key, parts=parts or "…")
    name = p.channel or p.unknown_channel
    if not name:
        return error_reply("record_needs_channel", lang, usage=usage)
    platform, handle = parse_channel_name(name)
    known = {(c.platform, c.handle): c for c in ctx.channels}
    if (platform, handle) not in known and (handle or platform not in PLATFORMS):
        names = ", ".join(c.name for c in ctx.channels) or t("no_channels", lang)
        return error_reply("record_new_channel", lang, name=name, known=names)
    if p.period_error is not None:  # "2099-01-01", "besok": its words stay in p.args
        pq_or_error = period_or_error(ctx)
        assert isinstance(pq_or_error, Reply)
        return pq_or_error
    if not 1 <= len(p.args) <= 2:  # "41.250", or a number and its unit word: "1,5 jt"
        return error_reply("record_usage", lang)
    words = [as_typed(ctx.request.text, arg) for arg in p.args]
    typed = " ".join(words)
    value = parse_number(" ".join(p.args))
    if value is None or not all(is_bare(w, a) for w, a in zip(words, p.args, strict=True)):
        return error_reply("record_bad_value", lang, value=validation.shown(typed))
    code = validation.value_problem(metric.key, value)
    if code:
        return refused(code, lang, value=validation.shown(typed), metric=metric.key)
    value = validation.stored_value(metric.key, value)
    day: date = ctx.today
    if p.period is not None:
        if p.period.current.start != p.period.current.end:
            return error_reply("record_not_day", lang)
        day = p.period.current.start
    if code := validation.day_problem(day, ctx.today):
        return refused(code, lang, value=day.isoformat(), today=ctx.today.isoformat())
    campaign = p.campaign or ""
    if code := validation.name_problem(campaign):
        return refused(code, lang, value=validation.shown(campaign), length=len(campaign))
    existing = known.get((platform, handle))
    old = None
    if existing is not None:
        old = ctx.store.snapshot_value(ctx.workspace.id, existing.id, metric.key, day, campaign)
    ctx.store.write_snapshots(ctx.workspace.id, [SnapshotRow(
        day=day, platform=platform, handle=handle, metric=metric.key, value=value,
        campaign=campaign)])
    channel_name = f"{platform}:{handle}" if handle else platform
    shown = fmt.metric_value(metric, value, ctx.workspace.currency)
    params = {"metric": metric.label(lang), "channel": channel_name,
              "day": fmt.day(day, lang), "value": shown}
    if old is not None:
        text = t("record_replaced", lang, old=fmt.metric_value(metric, old), **params)
    else:
        text = t("record_ok", lang, **params)
    return Reply(body=[text], intent="record", lang=lang, data={
        "metric": metric.key, "channel": channel_name, "day": day.isoformat(), "value": value,
        "campaign": campaign or None, "replaced": old is not None})


HELP_INTRO = (
    "KPI Bot menjawab pertanyaan KPI media sosial tim Anda. Tanya dengan perintah atau "
    "kalimat biasa, misalnya \"berapa engagement instagram bulan lalu?\".",
    "KPI Bot answers your team's social-media KPI questions. Ask with a command or a plain "
    "sentence, e.g. \"how many clicks last week?\".",
)
HELP_OUTRO = (
    "Periode: hari ini, kemarin, minggu ini, minggu lalu, bulan ini, bulan lalu, kuartal ini, "
    "tahun ini, 30 hari terakhir, akhir pekan lalu, Oktober 2026, Q3 2026, 1-15 Nov, "
    "sejak 1 Nov.\n"
    "Metrik: reach, impressions, views, followers, engagement, er, likes, comments, shares, "
    "saves, mentions, clicks, ctr, conversions, revenue, spend, cpc, cpm, roi, roas, csat, "
    "share_of_voice, …",
    "Periods: today, yesterday, this week, last week, this month, last month, this quarter, "
    "this year, last 30 days, last weekend, October 2026, Q3 2026, 1-15 Nov, since Nov 1.\n"
    "Metrics: reach, impressions, views, followers, engagement, er, likes, comments, shares, "
    "saves, mentions, clicks, ctr, conversions, revenue, spend, cpc, cpm, roi, roas, csat, "
    "share_of_voice, …",
)


def make_help(router: Router) -> Command:
    def help_(ctx: Context) -> Reply:
        """The commands that exist, in the chat's language."""
        en = ctx.lang == "en"
        lines = [HELP_INTRO[en], ""]
        for cmd in router.commands.values():
            name = cmd.en_name if en else cmd.id_name
            other = cmd.id_name if en else cmd.en_name
            alias = f" (/{other})" if other != name else ""
            lines.append(f"/{name}{alias} — {cmd.help_en if en else cmd.help_id}")
        lines += ["", HELP_OUTRO[en]]
        return Reply(title="KPI Bot", body=lines, intent="help", lang=ctx.lang)

    return Command(names.HELP, Role.VIEWER, help_,
                   "daftar perintah ini", "this list of commands", needs_link=False,
                   quick=True)


def make_start(help_command: Command) -> Command:
    def start(ctx: Context) -> Reply:
        """Welcome: the help in a linked chat, how to get linked in an unlinked one."""
        if ctx.workspace.id == 0:
            return error_reply("not_linked", ctx.lang)
        reply = help_command.handler(ctx)
        reply.intent = "start"
        return reply

    return Command(names.START, Role.VIEWER, start,
                   "mulai dan lihat bantuan", "start and see the help", needs_link=False)


def register_foundation(router: Router) -> None:
    """Register the commands of the foundation on ``router``."""
    V, E = Role.VIEWER, Role.EDITOR
    router.register(Command(names.KPI, V, kpi,
                            "satu metrik: /kpi reach instagram minggu ini",
                            "one metric: /kpi reach instagram this week", quick=True))
    router.register(Command(names.SUMMARY, V, summary,
                            "semua kategori: /ringkasan bulan ini",
                            "every category: /summary this month", quick=True))
    router.register(Command(names.COMPARE, V, compare,
                            "per kanal, termasuk pesaing: /bandingkan reach bulan lalu",
                            "by channel, competitors included: /compare reach last month",
                            quick=True))
    router.register(Command(names.RECORD, E, record,
                            "catat satu angka: /catat linkedin followers 1.250 kemarin",
                            "record one number: /record linkedin followers 1250 yesterday"))
    help_command = make_help(router)
    router.register(help_command)
    router.register(make_start(help_command))
