"""/audiens (/audience): a channel's audience by city, age group and gender, the largest
buckets with their share and change over the period (SPEC §11)."""

from __future__ import annotations

from bot import formatting as fmt
from bot import views
from bot.commands import channel_error, period_or_error, unknown_channel_reply
from bot.i18n import translate
from bot.reply import Reply
from bot.router import Command, Context, Router
from kpi_engine.domain.model import Role
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
    data = {"channel": answer.scope_label,
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
    return Reply(title=_msg("audience_title", lang, scope=scope,
                            period=views.period_label(period, lang)),
                 body=body, footer=_msg("audience_footer", lang, day=fmt.day(end, lang),
                                        start=fmt.day(period.start, lang)),
                 intent="audience", data=data, lang=lang)


def make_audience() -> Command:
    return Command("audience", "audiens", "audience", Role.VIEWER, audience,
                   "audiens per kota, usia, gender: /audiens instagram bulan ini",
                   "audience by city, age, gender: /audience instagram this month", quick=True)


def register_audience(router: Router) -> None:
    """Register /audiens (/audience)."""
    router.register(make_audience())
