"""Rankings (issue 15, SPEC §5 ``/peringkat``): "kanal/kampanye/hari mana … paling …", "worst
performing channel", "campaign with most conversions", "top 3 hari …" and ``/peringkat`` /
``/rank`` / ``/urutan`` / ``/ranking``: the command is ``rank`` with what is ranked
(``rank_by``), the direction (``rank_dir``: ``best`` by the metric's better direction,
``worst`` reversed, ``high``/``low`` for the values themselves: "cpc paling murah" is the
lowest CPC first) and the cut (``top``). No metric named: ``metric`` None (the handler ranks by
engagement and says so); "paling untung" is ROI. A misspelt word is asked back."""

from __future__ import annotations

from tests.data.corpus import (
    LAST_7_DAYS,
    LAST_30_DAYS,
    LAST_MONTH,
    LAST_QUARTER,
    LAST_WEEK,
    NO_PERIOD,
    THIS_MONTH,
    THIS_QUARTER,
    THIS_WEEK,
    THIS_YEAR,
    YESTERDAY,
    Case,
)

R = {"command": "rank"}
DAY, CHANNEL, CAMPAIGN = {**R, "rank_by": "day"}, {**R, "rank_by": "channel"}, \
    {**R, "rank_by": "campaign"}

CASES: list[Case] = [
    # the sentences of issue 15
    ("hari apa reach ig paling tinggi minggu lalu?", {**DAY, "metric": "reach", "channel": "instagram", "rank_dir": "high", **LAST_WEEK, "lang": "id"}),
    ("channel mana yang paling bagus bulan ini?", {**CHANNEL, "metric": None, "rank_dir": "best", **THIS_MONTH}),
    ("worst performing channel last week", {**CHANNEL, "metric": None, "rank_dir": "worst", **LAST_WEEK, "lang": "en"}),
    ("top 3 hari engagement tiktok bulan ini", {**DAY, "metric": "engagement", "channel": "tiktok", "top": 3, **THIS_MONTH}),
    ("kampanye mana yang paling untung bln ini?", {**CAMPAIGN, "metric": "roi", "rank_dir": "best", **THIS_MONTH}),
    ("campaign with most conversions", {**CAMPAIGN, "metric": "conversions", "rank_dir": "high", **NO_PERIOD, "lang": "en"}),
    ("kanal mana cpc paling murah bln lalu", {**CHANNEL, "metric": "cpc", "rank_dir": "low", **LAST_MONTH}),
    # days
    ("hari apa yg engagement nya paling tinggi bln ini", {**DAY, "metric": "engagement", "rank_dir": "high", **THIS_MONTH}),
    ("hari apa views yt paling rendah mgg lalu", {**DAY, "metric": "views", "channel": "youtube", "rank_dir": "low", **LAST_WEEK}),
    ("brp hari terbaik reach ig bln lalu", {**DAY, "metric": "reach", "channel": "instagram", "rank_dir": "best", **LAST_MONTH}),
    ("5 hari terbaik engagement bln lalu", {**DAY, "metric": "engagement", "top": 5, **LAST_MONTH}),
    ("hari apa tiktok paling rame minggu ini", {**DAY, "metric": None, "channel": "tiktok", "rank_dir": "high", **THIS_WEEK}),
    ("best day for reach last month", {**DAY, "metric": "reach", "rank_dir": "best", **LAST_MONTH, "lang": "en"}),
    ("which day had the most likes on tiktok last week", {**DAY, "metric": "likes", "channel": "tiktok", "rank_dir": "high", **LAST_WEEK, "args": []}),
    ("worst day for engagement this month", {**DAY, "metric": "engagement", "rank_dir": "worst", **THIS_MONTH}),
    ("hari apa yg paling banyak postingan bulan lalu", {**DAY, "metric": "posts", "rank_dir": "high", **LAST_MONTH}),
    ("top 10 hari impresi thn ini", {**DAY, "metric": "impressions", "top": 10, **THIS_YEAR}),
    ("hari apa yg paling rame kmrn", {**DAY, "metric": None, "rank_dir": "high", **YESTERDAY, "args": ["paling"]}),
    # channels
    ("kanal mana yg followers nya paling banyak", {**CHANNEL, "metric": "followers", "rank_dir": "high", **NO_PERIOD}),
    ("kanal mana yang paling jelek kmrn", {**CHANNEL, "metric": None, "rank_dir": "worst", **YESTERDAY}),
    ("kanal mana yg paling sepi bulan ini", {**CHANNEL, "metric": None, "rank_dir": "low", **THIS_MONTH, "args": ["paling"]}),
    ("channel apa yang er nya paling tinggi 30 hari terakhir", {**CHANNEL, "metric": "engagement_rate", "rank_dir": "high", **LAST_30_DAYS}),
    ("which channel had the highest ctr last month", {**CHANNEL, "metric": "ctr", "rank_dir": "high", **LAST_MONTH, "lang": "en"}),
    ("which platform is the worst this week", {**CHANNEL, "metric": None, "rank_dir": "worst", **THIS_WEEK}),
    ("top 2 kanal revenue kuartal ini", {**CHANNEL, "metric": "revenue", "top": 2, **THIS_QUARTER}),
    ("3 kanal terburuk reach minggu lalu", {**CHANNEL, "metric": "reach", "rank_dir": "worst", "top": 3, **LAST_WEEK}),
    ("lowest ctr channel this month", {**CHANNEL, "metric": "ctr", "rank_dir": "low", **THIS_MONTH}),
    ("kanal mana yg cpm paling mahal bln ini", {**CHANNEL, "metric": "cpm", "rank_dir": "high", **THIS_MONTH}),
    ("kanal mana yg mentions nya paling banyak termasuk kompetitor", {**CHANNEL, "metric": "mentions", "competitors": True, "args": ["paling"]}),
    ("rank channels by reach this month", {**CHANNEL, "metric": "reach", **THIS_MONTH, "lang": "en"}),
    ("kmrn kanal mana yg paling bagus sih", {**CHANNEL, "metric": None, "rank_dir": "best", **YESTERDAY, "lang": "id"}),
    ("tolong urutkan kanal dari engagement tertinggi minggu lalu", {**CHANNEL, "metric": "engagement", "rank_dir": "high", **LAST_WEEK}),
    ("kampanye ramadan kanal mana yg paling untung", {**CHANNEL, "metric": "roi", "campaign": "ramadan"}),
    # campaigns
    ("kampanye apa yg paling banyak konversinya bln lalu", {**CAMPAIGN, "metric": "conversions", "rank_dir": "high", **LAST_MONTH}),
    ("kampanye mana yg roi nya paling rendah thn ini", {**CAMPAIGN, "metric": "roi", "rank_dir": "low", **THIS_YEAR}),
    ("campaign with the highest roas this quarter", {**CAMPAIGN, "metric": "roas", "rank_dir": "high", **THIS_QUARTER}),
    ("which campaign had the lowest cpc last month", {**CAMPAIGN, "metric": "cpc", "rank_dir": "low", **LAST_MONTH}),
    ("top campaigns by revenue this year", {**CAMPAIGN, "metric": "revenue", **THIS_YEAR, "lang": "en"}),
    ("kampanye mana yang paling boros spend nya bulan ini", {**CAMPAIGN, "metric": "spend", "rank_dir": "high", **THIS_MONTH, "args": ["paling"]}),
    ("kampanye dengan konversi terbanyak bulan lalu", {**CAMPAIGN, "metric": "conversions", "rank_dir": "high", **LAST_MONTH}),
    ("urutan kampanye berdasarkan revenue bln lalu", {**CAMPAIGN, "metric": "revenue", **LAST_MONTH, "args": []}),
    # slash commands and their aliases
    ("/peringkat reach kanal minggu lalu", {**CHANNEL, "command_word": "peringkat", "metric": "reach", **LAST_WEEK, "lang": "id"}),
    ("/peringkat roi kampanye bulan lalu", {**CAMPAIGN, "metric": "roi", **LAST_MONTH}),
    ("/peringkat kampanye roi kuartal lalu", {**CAMPAIGN, "metric": "roi", **LAST_QUARTER}),
    ("/peringkat engagement hari bulan ini top 5", {**DAY, "metric": "engagement", "top": 5, **THIS_MONTH}),
    ("/peringkat cpc kanal bln lalu terendah", {**CHANNEL, "metric": "cpc", "rank_dir": "low", **LAST_MONTH}),
    ("/rank conversions campaign last quarter", {**CAMPAIGN, "command_word": "rank", "metric": "conversions", **LAST_QUARTER, "lang": "en"}),
    ("/rank reach day last week worst", {**DAY, "metric": "reach", "rank_dir": "worst", **LAST_WEEK}),
    ("/urutan followers kanal", {**CHANNEL, "command_word": "urutan", "metric": "followers", **NO_PERIOD}),
    ("/ranking views hari 7 hari terakhir", {**DAY, "command_word": "ranking", "metric": "views", **LAST_7_DAYS}),
    ("/peringkat reach ig hari bln lalu top 3", {**DAY, "metric": "reach", "channel": "instagram", "top": 3, **LAST_MONTH}),
    ("/peringkat er kanal kmrn", {**CHANNEL, "metric": "engagement_rate", **YESTERDAY}),
    ("/peringkat roi kampanye ramadan", {**R, "rank_by": None, "metric": "roi", "campaign": "ramadan"}),
    ("/peringkat reach hari top 99999 minggu lalu", {**DAY, "top": 99999, **LAST_WEEK, "args": []}),
    ("/peringkat followers kopirival hari bln ini", {**DAY, "metric": "followers", "channel": "instagram:@kopirival", **THIS_MONTH}),
    ("peringkat followers per kanal bulan ini", {**CHANNEL, "metric": "followers", **THIS_MONTH}),
    ("ranking reach kanal mgg lalu dong", {**CHANNEL, "metric": "reach", **LAST_WEEK}),
    # a misspelt word is asked back, never dropped
    ("hari apa reach ig paling tinggi mingu lalu", {**DAY, "unclear": "mingu lalu", "unclear_kind": "period", "suggestion": "minggu lalu"}),
    ("kanal mana yg reach paling tinggi bln lalu instgram", {**CHANNEL, "unclear": "instgram", "unclear_kind": "channel", "suggestion": "instagram"}),
    ("/peringkat rech kanal", {**CHANNEL, "metric": None, "unclear": "rech", "unclear_kind": "metric", "suggestion": "reach"}),
]
