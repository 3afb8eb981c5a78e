"""The words of /kenapa (/why) and of the explanation a drop alert carries (issue 15):
one plain sentence first ("Engagement turun 2.300 (−12,0%), terutama dari TikTok: −1.400, 61%
dari penurunan."), then the rows by channel and by campaign, and the rate and mix effects of a
ratio."""

from __future__ import annotations

from bot import formatting as fmt
from bot import views
from bot.i18n import t, translate
from bot.reply import Reply
from kpi_engine.domain.metrics import Metric, Unit
from kpi_engine.services import explain as ex
from kpi_engine.services.alert_explain import DETAIL_KEY, drivers

WHY_MESSAGES: dict[str, tuple[str, str]] = {
    "why_needs_metric": (
        "Sebutkan metriknya, misalnya: /kenapa engagement tiktok bulan lalu",
        "Name the metric, for example: /why engagement tiktok last month"),
    "why_no_data": ("Belum ada data {metric} untuk {period} maupun periode sebelumnya, jadi "
                    "belum ada yang bisa dijelaskan.",
                    "There is no {metric} data for {period} or the period before, so there is "
                    "nothing to explain yet."),
    "why_no_previous": ("{metric} {period}: {value}. Belum ada data periode sebelumnya "
                        "({prev}), jadi perubahannya belum bisa dijelaskan.",
                        "{metric} {period}: {value}. There is no data for the period before "
                        "({prev}), so the change cannot be explained yet."),
    "why_no_current": ("Belum ada data {metric} untuk {period} (sebelumnya: {value}).",
                       "There is no {metric} data for {period} yet (before: {value})."),
    "why_no_change": ("{metric} tidak berubah: {value} pada {period}, sama dengan periode "
                      "sebelumnya.",
                      "{metric} did not change: {value} in {period}, the same as the period "
                      "before."),
    "down": ("turun", "fell"), "up": ("naik", "rose"),
    "mostly": ("terutama dari", "mostly from"),
    "premise_down": ("Catatan: {metric} tidak turun, justru naik.",
                     "Note: {metric} did not fall; it rose."),
    "premise_up": ("Catatan: {metric} tidak naik, justru turun.",
                   "Note: {metric} did not rise; it fell."),
    "of_drop": ("dari penurunan", "of the drop"), "of_rise": ("dari kenaikan", "of the rise"),
    "by_channel": ("Per kanal:", "By channel:"),
    "by_campaign": ("Per kampanye:", "By campaign:"),
    "untagged": ("(tanpa kampanye)", "(untagged)"),
    "effects": ("Efek tingkat (tiap kanal): {rate} · efek bauran (bobot kanal): {mix}",
                "Rate effect (each channel's own rate): {rate} · mix effect (channel "
                "weights): {mix}"),
    "pts": ("poin", "pts"),
    "posts_split": ("Dari postingan: {posts_prev} → {posts} postingan (efek {posts_effect}), "
                    "{metric} per postingan {pp_prev} → {pp} (efek {pp_effect}); {verdict}.",
                    "From posts: {posts_prev} → {posts} posts (effect {posts_effect}), "
                    "{metric} per post {pp_prev} → {pp} (effect {pp_effect}); {verdict}."),
    "posts_drove_down": ("penurunan terutama karena lebih sedikit postingan",
                         "the drop comes mostly from fewer posts"),
    "posts_drove_up": ("kenaikan terutama karena lebih banyak postingan",
                       "the rise comes mostly from more posts"),
    "per_post_drove_down": ("penurunan terutama karena {metric} per postingan lebih rendah",
                            "the drop comes mostly from less {metric} per post"),
    "per_post_drove_up": ("kenaikan terutama karena {metric} per postingan lebih tinggi",
                          "the rise comes mostly from more {metric} per post"),
    "alert_why": ("Dibanding {prev}: {sentence} Penyumbang terbesar: {drivers}.",
                  "Against {prev}: {sentence} Largest contributors: {drivers}."),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(WHY_MESSAGES, key, lang, **params)


def amount(metric: Metric, value: float, currency: str, lang: str, *,
           signed: bool = False) -> str:
    """A change in the metric's unit: points for a percent metric, else its value."""
    if metric.unit is Unit.PERCENT:
        text = fmt.points(value) if signed else fmt.points(value).lstrip("+−±")
        return f"{text} {_m('pts', lang)}"
    shown = fmt.metric_value(metric, abs(value), currency)
    if not signed:
        return shown
    return ("+" if value > 0 else "−" if value < 0 else "±") + shown


def share_text(pct: float) -> str:
    """A share of the change: ``61%``; a part that moved against it ``−57%``."""
    return fmt.percent(pct, 0).replace("-", "−")


def key_label(c: ex.Contribution, lang: str) -> str:
    if c.by == "campaign":
        return c.key or _m("untagged", lang)
    return c.key


def sentence(e: ex.Explanation, lang: str, currency: str = "IDR") -> str:
    """"Engagement turun 2.300 (−12,0%), terutama dari TikTok: −1.400, 61% dari penurunan."""
    a, metric = e.answer, e.metric
    change = e.change or 0.0
    head = f"{metric.label(lang)} {_m('down' if change < 0 else 'up', lang)} " \
           f"{amount(metric, change, currency, lang)}"
    if a.change_pct is not None:
        head += f" ({fmt.signed_percent(a.change_pct)})"
    pulling = [c for c in e.contributions
               if c.share_of_change_pct is not None and c.change * change > 0]
    several = len([c for c in e.contributions if c.by == "channel"]) > 1
    # one channel explains nothing about itself: its campaigns do, if it has several
    top = next((c for c in pulling if c.by == ("channel" if several else "campaign")), None)
    if top is None:
        return head + "."
    share = share_text(top.share_of_change_pct or 0.0)
    return (f"{head}, {_m('mostly', lang)} {key_label(top, lang)}: "
            f"{amount(metric, top.change, currency, lang, signed=True)}, {share} "
            f"{_m('of_drop' if change < 0 else 'of_rise', lang)}.")


def posts_sentence(e: ex.Explanation, lang: str) -> str | None:
    """"Dari postingan: 10 → 8 postingan (efek −100), engagement per postingan 50,0 → 55,0
    (efek +40); penurunan terutama karena lebih sedikit postingan." None without posts."""
    s = e.posts
    if s is None:
        return None
    label = e.metric.label(lang).lower()
    direction = "down" if (e.change or 0.0) < 0 else "up"
    verdict = _m(f"{s.driver}_drove_{direction}", lang, metric=label)

    def signed(v: float) -> str:
        return ("+" if v > 0 else "−" if v < 0 else "±") + fmt.number(abs(v), 1 if
                                                                      abs(v) < 100 else 0)

    return _m("posts_split", lang, posts_prev=fmt.number(s.posts_previous),
              posts=fmt.number(s.posts), posts_effect=signed(s.posts_effect), metric=label,
              pp_prev=fmt.number(s.per_post_previous, 1), pp=fmt.number(s.per_post, 1),
              pp_effect=signed(s.per_post_effect), verdict=verdict)


def why_reply(e: ex.Explanation, lang: str, currency: str = "IDR",
              asked: str | None = None) -> Reply:
    """The explanation; ``asked`` is the change the question assumed ("down" for "kenapa
    reach turun?"): when the metric moved the other way the reply says so first."""
    a, metric = e.answer, e.metric
    title = f"{metric.label(lang)} · {views.scope_label(a.scope_label, a.campaign, lang)} · " \
            f"{views.period_label(a.period, lang)}"
    data = views.kpi_data(a)
    data.update(change=None if e.change is None else round(e.change, 4),
                contributions=[c.as_json() for c in e.contributions])
    if ex.is_ratio(metric) and e.rate_effect is not None:
        data.update(rate_effect=round(e.rate_effect, 4), mix_effect=round(e.mix_effect or 0, 4))
    if e.posts is not None:
        s = e.posts
        data["posts"] = {"value": s.posts, "previous": s.posts_previous,
                         "per_post": round(s.per_post, 4),
                         "per_post_previous": round(s.per_post_previous, 4),
                         "posts_effect": round(s.posts_effect, 4),
                         "per_post_effect": round(s.per_post_effect, 4), "driver": s.driver}
    period = views.period_label(a.period, lang)
    prev = fmt.day_range(a.previous.start, a.previous.end, lang)
    if e.reason is not None:
        if e.reason == ex.NO_DATA and a.value is None and a.previous_value is not None:
            text = _m("why_no_current", lang, metric=metric.label(lang), period=period,
                      value=views.value_text(metric, a.previous_value, currency, lang))
        elif e.reason == ex.NO_DATA:
            text = _m("why_no_data", lang, metric=metric.label(lang), period=period)
        elif e.reason == ex.NO_PREVIOUS:
            text = _m("why_no_previous", lang, metric=metric.label(lang), period=period,
                      value=views.value_text(metric, a.value, currency, lang), prev=prev)
        else:
            text = _m("why_no_change", lang, metric=metric.label(lang), period=period,
                      value=views.value_text(metric, a.value, currency, lang))
        data["reason"] = e.reason
        return Reply(title=title, body=[text], intent="explain", data=data, lang=lang)
    body = [sentence(e, lang, currency)]
    moved = "down" if (e.change or 0.0) < 0 else "up"
    if asked is not None:
        data["asked_change"] = asked
        if e.change and asked != moved:  # "kenapa reach turun?" when it rose
            body.insert(0, _m(f"premise_{asked}", lang, metric=metric.label(lang).lower()))
    by_posts = posts_sentence(e, lang)
    if by_posts:
        body.append(by_posts)
    body.append("")
    for by in ("channel", "campaign"):
        rows = [c for c in e.contributions if c.by == by]
        if not rows:
            continue
        body.append(_m(f"by_{by}", lang))
        for c in rows:
            line = f"  {key_label(c, lang)}: {views.value_text(metric, c.value, currency, lang)}"
            line += f" ← {views.value_text(metric, c.previous, currency, lang)}"
            line += f" ({amount(metric, c.change, currency, lang, signed=True)}"
            if c.share_of_change_pct is not None:
                line += f", {share_text(c.share_of_change_pct)}"
            body.append(line + ")")
    if e.rate_effect is not None:
        body.append(_m("effects", lang,
                       rate=amount(metric, e.rate_effect, currency, lang, signed=True),
                       mix=amount(metric, e.mix_effect or 0.0, currency, lang, signed=True)))
    body.extend(views.notes(a, lang))
    footer = t("vs", lang, period=prev) + \
        f": {views.value_text(metric, a.previous_value, currency, lang)}"
    return Reply(title=title, body=body, footer=footer, intent="explain", data=data,
                 lang=lang)


def drop_alert_lines(detail: dict[str, object], lang: str, currency: str = "IDR") -> list[str]:
    """The explanation lines of a firing drop alert (``alert_explain.annotate`` put it in the
    observation's detail): the sentence, then its two largest contributors."""
    e = detail.get(DETAIL_KEY)
    if not isinstance(e, ex.Explanation):
        return []
    top = drivers(e)
    if not top:
        return []
    a = e.answer
    prev = fmt.day_range(a.previous.start, a.previous.end, lang)
    parts = []
    for c in top:
        text = f"{key_label(c, lang)} {amount(e.metric, c.change, currency, lang, signed=True)}"
        if c.share_of_change_pct is not None:
            text += f" ({share_text(c.share_of_change_pct)})"
        parts.append(text)
    return [_m("alert_why", lang, prev=prev, sentence=sentence(e, lang, currency),
               drivers=", ".join(parts))]
