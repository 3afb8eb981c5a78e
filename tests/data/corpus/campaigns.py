"""Campaigns as campaign owners ask about them: a known campaign with or without
"kampanye"/"campaign", with a metric, channel and period; ROI questions ("kampanye mana yang
paling untung" ranks every campaign by ROI, never a campaign named "mana"); an unknown
campaign in a sentence is never a filter but a clarification. Known campaigns: ramadan,
harbolnas, back to school, gajian, imlek (tests/data/corpus/__init__.py)."""

from __future__ import annotations

from tests.data.corpus import (
    LAST_7_DAYS,
    LAST_30_DAYS,
    LAST_MONTH,
    LAST_WEEK,
    LAST_YEAR,
    NO_PERIOD,
    THIS_MONTH,
    THIS_WEEK,
    THIS_YEAR,
    YESTERDAY,
    Case,
)

CASES: list[Case] = [
    # a known campaign with "kampanye" / "campaign"
    ("revenue kampanye gajian bln ini", {"command": "kpi", "metric": "revenue", "campaign": "gajian", **THIS_MONTH}),
    ("brp konversi kampanye gajian", {"command": "kpi", "metric": "conversions", "campaign": "gajian", **NO_PERIOD}),
    ("klik kampanye harbolnas mgg ini", {"command": "kpi", "metric": "clicks", "campaign": "harbolnas", **THIS_WEEK}),
    ("reach ig kampanye ramadan bln lalu", {"command": "kpi", "metric": "reach", "channel": "instagram", "campaign": "ramadan", **LAST_MONTH}),
    ("spend campaign gajian kmrn", {"command": "kpi", "metric": "spend", "campaign": "gajian", **YESTERDAY}),
    ("omzet kampanye imlek thn ini", {"command": "kpi", "metric": "revenue", "campaign": "imlek", **THIS_YEAR}),
    ("impresi kampanye back to school", {"command": "kpi", "metric": "impressions", "campaign": "back to school"}),
    ("kampanye gajian revenue nya brp", {"command": "kpi", "metric": "revenue", "campaign": "gajian"}),
    ("campaign harbolnas ctr fb", {"command": "kpi", "metric": "ctr", "channel": "facebook", "campaign": "harbolnas"}),
    ("kampanye ramadan kmrn konversinya brp", {"command": "kpi", "metric": "conversions", "campaign": "ramadan", **YESTERDAY}),
    ("brp klik dr kampanye imlek", {"command": "kpi", "metric": "clicks", "campaign": "imlek"}),
    ("Kampanye Gajian: revenue bulan ini?", {"command": "kpi", "metric": "revenue", "campaign": "gajian", **THIS_MONTH}),
    ("biaya iklan kampanye harbolnas tt", {"command": "kpi", "metric": "spend", "channel": "tiktok", "campaign": "harbolnas"}),
    ("views yt campaign back to school mgg lalu", {"command": "kpi", "metric": "views", "channel": "youtube", "campaign": "back to school", **LAST_WEEK}),
    ("cpc kampanye gajian bln lalu", {"command": "kpi", "metric": "cpc", "campaign": "gajian", **LAST_MONTH}),
    ("roas kampanye ramadan thn lalu", {"command": "kpi", "metric": "roas", "campaign": "ramadan", **LAST_YEAR}),
    # a known campaign named alone
    ("revenue gajian bln ini", {"command": "kpi", "metric": "revenue", "campaign": "gajian", **THIS_MONTH}),
    ("gajian konversi brp", {"command": "kpi", "metric": "conversions", "campaign": "gajian"}),
    ("klik harbolnas kmrn", {"command": "kpi", "metric": "clicks", "campaign": "harbolnas", **YESTERDAY}),
    ("reach ramadan ig", {"command": "kpi", "metric": "reach", "channel": "instagram", "campaign": "ramadan"}),
    ("spend imlek", {"command": "kpi", "metric": "spend", "campaign": "imlek"}),
    ("konversi back to school bln lalu", {"command": "kpi", "metric": "conversions", "campaign": "back to school", **LAST_MONTH}),
    ("harbolnas revenue tt mgg ini", {"command": "kpi", "metric": "revenue", "channel": "tiktok", "campaign": "harbolnas", **THIS_WEEK}),
    ("Gajian spend FB kemarin", {"command": "kpi", "metric": "spend", "channel": "facebook", "campaign": "gajian", **YESTERDAY}),
    ("ctr gajian 7 hari terakhir", {"command": "kpi", "metric": "ctr", "campaign": "gajian", **LAST_7_DAYS}),
    ("impresi ramadan 30 hr terakhir", {"command": "kpi", "metric": "impressions", "campaign": "ramadan", **LAST_30_DAYS}),
    # how is a campaign doing: no metric
    ("gimana kampanye gajian?", {"command": "kpi", "metric": None, "campaign": "gajian"}),
    ("kampanye harbolnas gmn hasilnya", {"command": "kpi", "metric": None, "campaign": "harbolnas"}),
    ("hasil campaign imlek gimana ya", {"command": "kpi", "metric": None, "campaign": "imlek"}),
    ("performa kampanye back to school bln lalu", {"command": "kpi", "metric": None, "campaign": "back to school", **LAST_MONTH}),
    ("how is the gajian campaign doing", {"command": "kpi", "metric": None, "campaign": "gajian", "lang": "en"}),
    # ROI of one campaign or all
    ("roi gajian bln lalu", {"command": "roi", "campaign": "gajian", **LAST_MONTH}),
    ("roi kampanye harbolnas", {"command": "roi", "campaign": "harbolnas", **NO_PERIOD}),
    ("roi imlek thn ini", {"command": "roi", "campaign": "imlek", **THIS_YEAR}),
    ("roi back to school", {"command": "roi", "campaign": "back to school"}),
    ("roi semua kampanye bln ini", {"command": "roi", "campaign": None, **THIS_MONTH}),
    ("roi mgg lalu", {"command": "roi", "campaign": None, **LAST_WEEK}),
    ("berapa roi kampanye gajian bln lalu", {"command": "kpi", "metric": "roi", "campaign": "gajian", **LAST_MONTH}),
    # a campaign's ROI with no period: its whole run, as "roi kampanye harbolnas" (/roi)
    ("brp roi ramadan", {"command": "roi", "metric": "roi", "campaign": "ramadan"}),
    ("roi campaign gajian dong", {"command": "roi", "campaign": "gajian"}),
    # "kampanye mana yang paling untung": /roi over all campaigns (issue 12); since issue 15
    # the campaigns ranked by ROI
    ("kampanye mana yang paling untung?", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None, **NO_PERIOD}),
    ("kampanye mana yg paling untung bln lalu", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None, **LAST_MONTH}),
    ("campaign mana yang paling untung mgg ini", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None, **THIS_WEEK}),
    ("kampanye mana paling untung thn ini", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None, **THIS_YEAR}),
    ("kampanye apa yang paling untung bulan ini", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None, **THIS_MONTH}),
    ("which campaign is the most profitable", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None, "lang": "en"}),
    ("kampanye mana sih yang paling untung?", {"command": "rank", "rank_by": "campaign", "metric": "roi", "campaign": None}),
    # an unknown campaign in a sentence: a clarification, never a filter (issue 12)
    ("revenue kampanye lebaran bln lalu", {"campaign": None, "unclear": "lebaran", "unclear_kind": "campaign", "metric": "revenue", **LAST_MONTH}),
    ("konversi campaign 11.11 bln ini", {"campaign": None, "unclear": "11.11", "unclear_kind": "campaign", **THIS_MONTH}),
    ("roi kampanye flashsale", {"campaign": None, "unclear": "flashsale", "unclear_kind": "campaign"}),
    ("klik kampanye payday mgg lalu", {"campaign": None, "unclear": "payday", "unclear_kind": "campaign", **LAST_WEEK}),
    ("gimana kampanye natal?", {"campaign": None, "unclear": "natal", "unclear_kind": "campaign"}),
    ("spend campaign kemerdekaan", {"campaign": None, "unclear": "kemerdekaan", "unclear_kind": "campaign"}),
    ("reach ig kampanye valentine bln lalu", {"campaign": None, "unclear": "valentine", "unclear_kind": "campaign", **LAST_MONTH}),
    ("revenue from the blackfriday campaign", {"campaign": None, "unclear": "blackfriday", "unclear_kind": "campaign"}),
    ("kampanye ultah brp revenue nya", {"campaign": None, "unclear": "ultah", "unclear_kind": "campaign"}),
    ("konversi kampanye 12.12 kmrn", {"campaign": None, "unclear": "12.12", "unclear_kind": "campaign", **YESTERDAY}),
    # English
    ("revenue of the ramadan campaign last year", {"command": "kpi", "metric": "revenue", "campaign": "ramadan", **LAST_YEAR}),
    ("gajian campaign clicks this week", {"command": "kpi", "metric": "clicks", "campaign": "gajian", "lang": "en", **THIS_WEEK}),
    ("conversions from harbolnas yesterday", {"command": "kpi", "metric": "conversions", "campaign": "harbolnas", **YESTERDAY}),
    ("back to school campaign spend last month", {"command": "kpi", "metric": "spend", "campaign": "back to school", **LAST_MONTH}),
    ("imlek campaign impressions this year", {"command": "kpi", "metric": "impressions", "campaign": "imlek", **THIS_YEAR}),
    ("roi harbolnas last month", {"command": "roi", "campaign": "harbolnas", "lang": "en", **LAST_MONTH}),
    # no campaign: the whole workspace
    ("revenue bln ini semua kampanye", {"command": "kpi", "metric": "revenue", "campaign": None, **THIS_MONTH}),
    ("total spend iklan bln lalu", {"command": "kpi", "metric": "spend", "campaign": None, **LAST_MONTH}),
    ("omzet dr kampanye gajian kmrn", {"command": "kpi", "metric": "revenue", "campaign": "gajian", **YESTERDAY}),
    ("kampanye gajian mgg ini gmn hasilnya", {"command": "kpi", "metric": None, "campaign": "gajian", **THIS_WEEK}),
    ("roi iklan bln lalu", {"command": "roi", "campaign": None, **LAST_MONTH}),
    ("reach ig pas harbolnas", {"command": "kpi", "metric": "reach", "channel": "instagram", "campaign": "harbolnas"}),
]
