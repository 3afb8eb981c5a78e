"""/audiens (/audience): a channel's audience by city, age group and gender, the largest
buckets with their share and change over the period (SPEC §11)."""

from __future__ import annotations

import re
from typing import Any

from bot import command_names as names
from bot import formatting as fmt
from bot import views
from bot.i18n import translate
from bot.parsing import parse_text
from bot.post_charts import audience_chart
from bot.question_parts import channel_error, period_or_error, unknown_channel_reply
from bot.reply import Reply
from bot.router import Command, Context, Router
from kpi_engine.domain.model import Role
from kpi_engine.domain.periods import default_period
from kpi_engine.services import answers
from kpi_engine.services import content as content_service

AUDIENCE_MESSAGES: dict[str, tuple[str, str]] = {
    "audience_title": ("Audiens · {scope} · {period}", "Audience · {scope} · {period}"),
    "audience_none": (
        "Belum ada data audiens untuk {scope} sampai {day}. Impor file dengan kolom segment "
        "(city:Jakarta, age:18-24, gender:female).",
        "No audience data for {scope} up to {day}. Import a file with a segment column "
        "(city:Jakarta, age:18-24, gender:female)."),
    "dim_city": ("Kota teratas", "Top cities"),
    "dim_age": ("Usia", "Age groups"),
    "dim_gender": ("Gender", "Gender"),
    "no_change": ("belum ada pembanding", "no earlier value"),
    "segment_title": ("{metric} · {scope} · {bucket} · {period}",
                      "{metric} · {scope} · {bucket} · {period}"),
    "segment_other_metric": (
        "\"{word}\" adalah segmen audiens ({dimension}); data per segmen hanya ada untuk "
        "followers. Coba: followers {scope} {word}, atau /audiens {scope}",
        "\"{word}\" is an audience segment ({dimension}); segment data exists for followers "
        "only. Try: followers {scope} {word}, or /audience {scope}"),
    "dimension_city": ("kota", "city"), "dimension_age": ("usia", "age"),
    "dimension_gender": ("gender", "gender"),
    "audience_footer": ("Nilai terakhir per {day}; perubahan dibanding sebelum {start}.",
                        "Latest values as of {day}; change from before {start}."),
}
GENDERS = {"female": ("perempuan", "female"), "male": ("laki-laki", "male"),
           "other": ("lainnya", "other"), "unknown": ("tidak diketahui", "unknown")}
TOP_BUCKETS = {"city": 5, "age": 7, "gender": 4}


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(AUDIENCE_MESSAGES, key, lang, **params)


def bucket_label(dimension: str, bucket: str, lang: str) -> str:
    if dimension == "gender" and bucket in GENDERS:
        return GENDERS[bucket][0 if lang == "id" else 1]
    return bucket


def bucket_line(b: content_service.AudienceBucket, lang: str, channel: str | None = None) -> str:
    share = f" ({fmt.percent(b.share_pct)})" if b.share_pct is not None else ""
    change = (fmt.signed_percent(b.change_pct) if b.change_pct is not None
              else _msg("no_change", lang))
    who = f"{channel} · " if channel else ""
    return f"• {who}{bucket_label(b.dimension, b.bucket, lang)}: {fmt.number(b.value)}" \
           f"{share}, {change}"


def audience(ctx: Context) -> Reply:
    """/audiens [channel] [period]."""
    pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    bad = channel_error(ctx)
    if bad:
        return bad
    period, lang = pq.current, ctx.lang
    end = min(period.end, ctx.today)
    try:
        answer = content_service.audience(ctx.store, ctx.workspace.id, ctx.channels,
                                          period.start, end, ctx.parsed.channel)
    except answers.UnknownChannel as exc:
        return unknown_channel_reply(ctx, exc)
    scope = views.scope_label(answer.scope_label, None, lang)
    data: dict[str, Any] = {"channel": answer.scope_label,
            "period": {"start": period.start.isoformat(), "end": end.isoformat()},
            "rows": [{"channel": name, "dimension": b.dimension, "bucket": b.bucket,
                      "value": b.value, "share_pct": b.share_pct, "change_pct": b.change_pct}
                     for name, b in answer.rows]}
    if not answer.rows:
        return Reply(body=[_msg("audience_none", lang, scope=scope, day=fmt.day(end, lang))],
                     intent="audience", data=data, lang=lang)
    channels = sorted({name for name, _ in answer.rows})
    body: list[str] = []
    for channel in channels:
        if len(channels) > 1:
            body.append(f"{channel}:")
        for dim in ("city", "age", "gender"):
            buckets = [b for n, b in answer.rows if n == channel and b.dimension == dim]
            if not buckets:
                continue
            body.append(_msg(f"dim_{dim}", lang))
            body += [bucket_line(b, lang) for b in buckets[:TOP_BUCKETS[dim]]]
    charted = answer.scope_label if answer.scope_label in channels else channels[0]
    png, drawn = audience_chart(
        answer.rows, charted, lang, views.period_label(period, lang),
        fmt.day(period.start, lang), fmt.day(end, lang), TOP_BUCKETS, lambda dim: _msg(f"dim_{dim}", lang),
        bucket_label)
    data["chart"] = {"channel": charted, "bars": drawn}
    return Reply(title=_msg("audience_title", lang, scope=scope,
                            period=views.period_label(period, lang)),
                 body=body, footer=_msg("audience_footer", lang, day=fmt.day(end, lang),
                                        start=fmt.day(period.start, lang)),
                 intent="audience", data=data, lang=lang, chart=png)


#: The metrics an audience bucket splits: followers (YouTube: subscribers).
SEGMENT_METRICS = frozenset({"followers", "subscribers"})
_GENDER_WORDS = {"perempuan": "female", "wanita": "female", "cewek": "female",
                 "female": "female", "women": "female", "laki": "male", "pria": "male",
                 "cowok": "male", "male": "male", "men": "male"}


def _candidates(ctx: Context) -> list[str]:
    p = ctx.parsed
    words: list[str] = []
    if p.unclear:
        words.append(p.unclear)
        words += p.unclear.split()
    if p.campaign and p.campaign not in ctx.campaigns:
        words.append(p.campaign)
    words += [" ".join(p.args)] if len(p.args) > 1 else []
    words += p.args
    return [w for w in dict.fromkeys(words) if w]


def segment_reader(ctx: Context) -> Reply | None:
    """A metric question that names an audience bucket ("followers ig jakarta", "followers
    ig perempuan"): that bucket's value, share and change; another metric with a bucket gets
    told so (the word is never silently dropped). None: no bucket named."""
    candidates = _candidates(ctx)
    if not candidates:
        return None
    lang = ctx.lang
    for word in candidates:
        # the question without the bucket word: its period ("jakarta bulan lalu")
        rest = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", ctx.request.text, flags=re.I)
        reread = parse_text(rest, ctx.today, channels=[c.name for c in ctx.channels],
                            campaigns=ctx.campaigns)
        if reread.period_error is not None:
            continue
        pq = reread.period or ctx.parsed.period or default_period(ctx.today, lang)
        period = pq.current
        end = min(period.end, ctx.today)
        try:
            answer = content_service.audience(ctx.store, ctx.workspace.id, ctx.channels,
                                              period.start, end, ctx.parsed.channel)
        except answers.UnknownChannel:
            return None
        found = content_service.find_bucket(answer, _GENDER_WORDS.get(word.lower(), word))
        if not found:
            continue
        scope = answer.scope_label or ""
        metric = ctx.parsed.metric
        if metric is not None and metric not in SEGMENT_METRICS:
            dim = found[0][1].dimension
            return Reply(body=[_msg("segment_other_metric", lang, word=word,
                                    dimension=_msg(f"dimension_{dim}", lang),
                                    scope=scope or "instagram")],
                         intent="error", error="segment_metric", lang=lang, ephemeral=True,
                         data={"segment": {"dimension": dim, "bucket": found[0][1].bucket}})
        bucket = found[0][1]
        title = _msg("segment_title", lang, metric=views.metric_name(metric or "followers", lang),
                     scope=views.scope_label(answer.scope_label, None, lang),
                     bucket=bucket_label(bucket.dimension, bucket.bucket, lang),
                     period=views.period_label(period, lang))
        body = [bucket_line(b, lang, name if len(found) > 1 else None) for name, b in found]
        return Reply(title=title, body=body,
                     footer=_msg("audience_footer", lang, day=fmt.day(end, lang),
                                 start=fmt.day(period.start, lang)),
                     intent="audience", lang=lang,
                     data={"channel": answer.scope_label,
                           "segment": {"dimension": bucket.dimension, "bucket": bucket.bucket},
                           "period": {"start": period.start.isoformat(),
                                      "end": end.isoformat()},
                           "rows": [{"channel": n, "dimension": b.dimension,
                                     "bucket": b.bucket, "value": b.value,
                                     "share_pct": b.share_pct, "change_pct": b.change_pct}
                                    for n, b in found]})
    return None


def make_audience() -> Command:
    return Command(names.AUDIENCE, Role.VIEWER, audience,
                   "audiens per kota, usia, gender: /audiens instagram bulan ini",
                   "audience by city, age, gender: /audience instagram this month")


def register_audience(router: Router) -> None:
    """Register /audiens (/audience)."""
    router.register(make_audience())
    router.metric_readers.append(segment_reader)
