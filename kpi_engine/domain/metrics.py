"""The metric catalogue of SPEC §3: every key, its aliases, kind, unit, direction and category.

A metric's *kind* decides how its value over a period is computed (see ``kpi_engine.domain.formulas``):

- ``counter``: the sum of the daily values in the period;
- ``gauge``: the last value recorded on or before the period's end;
- ``ratio``: ``scale × Σnumerator / Σdenominator``, each side computed by its own kind;
- ``gauge_delta``: a difference of gauge levels (follower growth).

Derived metrics (``engagement``, every ratio, the gauge deltas) are never stored: they are
computed from the stored ones. ``competitor_mentions`` is stored *and* derived: its value is
the mentions of the competitor channels plus any snapshots stored under its own key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz, process


class Kind(StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    RATIO = "ratio"
    GAUGE_DELTA = "gauge_delta"


class Unit(StrEnum):
    COUNT = "count"
    PEOPLE = "people"
    VISITS = "visits"
    CURRENCY = "currency"
    PERCENT = "percent"
    MULTIPLE = "multiple"  # roas: revenue per unit of spend


class Category(StrEnum):
    REACH = "reach"
    ENGAGEMENT = "engagement"
    CONVERSION = "conversion"
    SATISFACTION = "satisfaction"


@dataclass(frozen=True)
class Metric:
    key: str
    kind: Kind
    unit: Unit
    aliases: tuple[str, ...] = ()
    higher_is_better: bool | None = True  # None: neither (competitor_mentions)
    categories: tuple[Category, ...] = ()
    # counter (derived): the stored counters it sums
    parts: tuple[str, ...] = ()
    # ratio: numerator and denominator metric keys (each computed by its own kind), the scale;
    # numerator_minus: a metric subtracted from the numerator (roi: revenue − spend)
    numerator: str | None = None
    denominator: str | None = None
    numerator_minus: str | None = None
    scale: float = 1.0
    # SPEC §3.1: how a ratio is computed when it is not a plain Σnumerator / Σdenominator:
    # ``per_post`` (engagement rate: per post, by audience, channel by channel), ``paid``
    # (cost ratios: both terms from the paid (channel, campaign) pairs only), ``voice``
    # (share of voice: against the competitors on the same platforms)
    formula: str = ""
    label_id: str = ""
    label_en: str = ""
    stored: bool = field(default=True)

    @property
    def is_ratio(self) -> bool:
        return self.kind is Kind.RATIO

    @property
    def is_percent(self) -> bool:
        return self.unit is Unit.PERCENT

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


R, E, C, S = Category.REACH, Category.ENGAGEMENT, Category.CONVERSION, Category.SATISFACTION


def _m(key: str, kind: Kind, unit: Unit, aliases: tuple[str, ...], label_id: str, label_en: str,
       **kw: object) -> Metric:
    stored = kind in (Kind.COUNTER, Kind.GAUGE) and not kw.get("parts")
    return Metric(key=key, kind=kind, unit=unit, aliases=aliases, label_id=label_id,
                  label_en=label_en, stored=stored, **kw)  # type: ignore[arg-type]


CATALOGUE: tuple[Metric, ...] = (
    _m("followers", Kind.GAUGE, Unit.COUNT, ("pengikut", "fans", "follower", "jumlah pengikut"),
       "Pengikut", "Followers", categories=(R,)),
    _m("subscribers", Kind.GAUGE, Unit.COUNT, ("subscriber", "pelanggan youtube", "subs"),
       "Subscriber", "Subscribers", categories=(R,)),
    _m("reach", Kind.COUNTER, Unit.PEOPLE, ("jangkauan",), "Jangkauan", "Reach",
       categories=(R,)),
    _m("impressions", Kind.COUNTER, Unit.COUNT, ("impresi", "tayangan iklan", "impression"),
       "Impresi", "Impressions", categories=(R,)),
    _m("views", Kind.COUNTER, Unit.COUNT, ("penayangan", "tontonan", "view", "tayangan"),
       "Penayangan", "Views", categories=(R,)),
    _m("website_visits", Kind.COUNTER, Unit.VISITS,
       ("traffic", "trafik", "kunjungan situs", "lalu lintas web", "website visits",
        "kunjungan website", "web traffic", "website traffic", "traffic website",
        "trafik website", "website trafik", "traffic web", "trafik web", "kunjungan web",
        "visit website", "website visit", "pengunjung website", "pengunjung web"),
       "Kunjungan situs", "Website visits", categories=(R,)),
    # Instagram's "website clicks" (taps on the profile's link, SPEC §10): a count of taps on
    # one channel, not visits to the site (those are GA4's sessions, website_visits)
    _m("website_clicks", Kind.COUNTER, Unit.COUNT,
       ("klik website", "klik situs web", "website clicks", "website click",
        "klik link bio", "klik tautan bio", "klik link profil", "klik tautan profil",
        "ketukan tautan", "ketukan tautan eksternal", "link taps", "klik ke website"),
       "Klik situs web", "Website clicks"),
    _m("profile_visits", Kind.COUNTER, Unit.VISITS, ("kunjungan profil", "profile visits"),
       "Kunjungan profil", "Profile visits", categories=(E,)),
    _m("posts", Kind.COUNTER, Unit.COUNT, ("postingan", "konten", "unggahan", "post"),
       "Postingan", "Posts"),
    _m("likes", Kind.COUNTER, Unit.COUNT, ("suka", "like"), "Suka", "Likes", categories=(E,)),
    _m("comments", Kind.COUNTER, Unit.COUNT, ("komentar", "comment", "komen"), "Komentar", "Comments",
       categories=(E,)),
    _m("shares", Kind.COUNTER, Unit.COUNT, ("bagikan", "dibagikan", "share"), "Dibagikan",
       "Shares", categories=(E,)),
    _m("saves", Kind.COUNTER, Unit.COUNT, ("simpan", "disimpan", "save"), "Disimpan", "Saves"),
    _m("mentions", Kind.COUNTER, Unit.COUNT, ("sebutan", "mention"), "Sebutan", "Mentions",
       categories=(E,)),
    _m("engagement", Kind.COUNTER, Unit.COUNT, ("interaksi", "keterlibatan"), "Engagement",
       "Engagement", categories=(E,), parts=("likes", "comments", "shares", "saves")),
    _m("engagement_rate", Kind.RATIO, Unit.PERCENT,
       ("er", "tingkat engagement", "engagement rate"), "Engagement rate", "Engagement rate",
       categories=(E,), numerator="engagement", denominator="posts", scale=100.0,
       formula="per_post"),
    _m("engagement_per_follower", Kind.RATIO, Unit.PERCENT,
       ("interaksi per pengikut", "engagement per follower", "engagement per pengikut"),
       "Interaksi per pengikut", "Engagement per follower",
       numerator="engagement", denominator="followers", scale=100.0),
    _m("engagement_rate_reach", Kind.RATIO, Unit.PERCENT,
       ("err", "engagement rate by reach", "er by reach", "engagement by reach",
        "er per reach", "engagement rate per reach", "er berdasarkan reach",
        "er dari reach", "engagement rate reach", "er reach", "engagement rate dari reach",
        "tingkat engagement per jangkauan", "er per jangkauan"),
       "Engagement rate (reach)", "Engagement rate by reach",
       numerator="engagement", denominator="reach", scale=100.0),
    _m("virality_rate", Kind.RATIO, Unit.PERCENT, ("viralitas", "virality rate"),
       "Tingkat viralitas", "Virality rate",
       numerator="shares", denominator="impressions", scale=100.0),
    _m("follower_growth", Kind.GAUGE_DELTA, Unit.COUNT,
       ("pertumbuhan pengikut", "follower baru", "follower growth", "new followers",
        "pengikut baru", "followers baru", "followers growth", "pertumbuhan followers",
        "growth followers", "growth follower", "penambahan followers", "penambahan pengikut",
        "kenaikan followers", "kenaikan pengikut", "tambahan followers", "net followers"),
       "Pertumbuhan pengikut", "Follower growth"),
    _m("follower_growth_rate", Kind.GAUGE_DELTA, Unit.PERCENT,
       ("laju pertumbuhan pengikut", "follower growth rate"),
       "Laju pertumbuhan pengikut", "Follower growth rate", scale=100.0),
    _m("clicks", Kind.COUNTER, Unit.COUNT, ("klik", "click"), "Klik", "Clicks",
       categories=(C,)),
    _m("conversions", Kind.COUNTER, Unit.COUNT,
       ("konversi", "pembelian", "pendaftaran", "conversion"), "Konversi", "Conversions",
       categories=(C,)),
    _m("revenue", Kind.COUNTER, Unit.CURRENCY, ("pendapatan", "penjualan", "omzet", "omset", "sales"),
       "Pendapatan", "Revenue", categories=(C,)),
    _m("spend", Kind.COUNTER, Unit.CURRENCY,
       ("biaya", "belanja iklan", "anggaran terpakai", "ad spend"), "Biaya iklan", "Spend",
       higher_is_better=False),
    _m("ctr", Kind.RATIO, Unit.PERCENT, ("click through rate", "click-through rate"),
       "CTR", "CTR", categories=(C,), numerator="clicks", denominator="impressions",
       scale=100.0),
    _m("conversion_rate", Kind.RATIO, Unit.PERCENT,
       ("tingkat konversi", "cr", "conversion rate"), "Tingkat konversi", "Conversion rate",
       categories=(C,), numerator="conversions", denominator="clicks", scale=100.0),
    _m("cpc", Kind.RATIO, Unit.CURRENCY, ("cost per click", "biaya per klik", "biaya iklan per klik"), "CPC", "CPC",
       categories=(C,), numerator="spend", denominator="clicks", higher_is_better=False,
       formula="paid"),
    _m("cpm", Kind.RATIO, Unit.CURRENCY, ("biaya per seribu tayangan", "cost per mille"),
       "CPM", "CPM", numerator="spend", denominator="impressions", scale=1000.0,
       higher_is_better=False, formula="paid"),
    _m("roi", Kind.RATIO, Unit.PERCENT, ("laba atas investasi", "return on investment"),
       "ROI", "ROI", categories=(C,), numerator="revenue", numerator_minus="spend",
       denominator="spend", scale=100.0, formula="paid"),
    _m("roas", Kind.RATIO, Unit.MULTIPLE, ("return on ad spend",), "ROAS", "ROAS",
       numerator="revenue", denominator="spend", formula="paid"),
    _m("csat_responses", Kind.COUNTER, Unit.COUNT, ("respons survei", "survey responses"),
       "Respons survei", "Survey responses"),
    _m("csat_satisfied", Kind.COUNTER, Unit.COUNT, ("puas", "satisfied"), "Responden puas",
       "Satisfied responses"),
    _m("csat", Kind.RATIO, Unit.PERCENT,
       ("kepuasan pelanggan", "customer satisfaction", "kepuasan"), "Kepuasan pelanggan",
       "Customer satisfaction", categories=(S,), numerator="csat_satisfied",
       denominator="csat_responses", scale=100.0),
    _m("issues_opened", Kind.COUNTER, Unit.COUNT, ("keluhan masuk", "keluhan", "issues opened"),
       "Keluhan masuk", "Issues opened", higher_is_better=False),
    _m("issues_resolved", Kind.COUNTER, Unit.COUNT,
       ("keluhan selesai", "masalah terselesaikan", "issues resolved"), "Keluhan selesai",
       "Issues resolved", categories=(S,)),
    _m("resolution_rate", Kind.RATIO, Unit.PERCENT,
       ("tingkat penyelesaian", "resolution rate"), "Tingkat penyelesaian", "Resolution rate",
       categories=(S,), numerator="issues_resolved", denominator="issues_opened", scale=100.0),
    _m("testimonials", Kind.COUNTER, Unit.COUNT, ("testimoni", "ulasan", "testimonial", "review",
                                                  "reviews"),
       "Testimoni", "Testimonials", categories=(S,)),
    _m("competitor_mentions", Kind.COUNTER, Unit.COUNT, ("sebutan pesaing", "competitor mentions"),
       "Sebutan pesaing", "Competitor mentions", higher_is_better=None),
    _m("share_of_voice", Kind.RATIO, Unit.PERCENT, ("sov", "pangsa suara", "share of voice"),
       "Share of voice", "Share of voice", categories=(R,), numerator="mentions",
       denominator="mentions+competitor_mentions", scale=100.0, formula="voice"),
)

METRICS: dict[str, Metric] = {m.key: m for m in CATALOGUE}

#: The order of the categories and of their metrics in a summary (SPEC §3 "Categories").
CATEGORY_METRICS: dict[Category, tuple[str, ...]] = {
    Category.REACH: ("followers", "subscribers", "reach", "impressions", "views",
                     "website_visits", "share_of_voice"),
    Category.ENGAGEMENT: ("engagement", "engagement_rate", "likes", "comments", "shares",
                          "mentions", "profile_visits"),
    Category.CONVERSION: ("clicks", "ctr", "conversions", "conversion_rate", "revenue", "cpc",
                          "roi"),
    Category.SATISFACTION: ("csat", "issues_resolved", "resolution_rate", "testimonials"),
}

CATEGORY_LABELS: dict[Category, tuple[str, str]] = {
    Category.REACH: ("Jangkauan", "Reach"),
    Category.ENGAGEMENT: ("Engagement", "Engagement"),
    Category.CONVERSION: ("Konversi", "Conversion"),
    Category.SATISFACTION: ("Kepuasan pelanggan", "Customer satisfaction"),
}

#: Stored metrics: the keys a snapshot may carry.
STORED_METRICS: frozenset[str] = frozenset(m.key for m in CATALOGUE if m.stored)


def normalize(text: str) -> str:
    """Lower-case, strip accents, fold ``_``/``-`` and runs of spaces to one space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def _build_alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for m in CATALOGUE:
        for name in (m.key, *m.aliases):
            norm = normalize(name)
            if norm in index and index[norm] != m.key:
                raise RuntimeError(f"alias {name!r} names both {index[norm]} and {m.key}")
            index[norm] = m.key
    return index


#: normalized key or alias → metric key
ALIASES: dict[str, str] = _build_alias_index()


def resolve(name: str) -> Metric | None:
    """The metric a key or alias names (case-, accent-, ``_``/space-insensitive), or None."""
    key = ALIASES.get(normalize(name))
    return METRICS[key] if key else None


def suggest(name: str, cutoff: float = 0.6) -> str | None:
    """The metric key closest to a misspelt name ("rech" → "reach"), or None. rapidfuzz's
    ratio (``cutoff`` as a 0–1 share) finds ``folowers``, ``jangkuan``, ``pengikt``."""
    norm = normalize(name)
    if not norm:
        return None
    match = process.extractOne(norm, list(ALIASES), scorer=fuzz.ratio,
                               score_cutoff=100 * cutoff)
    return ALIASES[match[0]] if match else None


def category_of(key: str) -> Category | None:
    for cat, keys in CATEGORY_METRICS.items():
        if key in keys:
            return cat
    return None
