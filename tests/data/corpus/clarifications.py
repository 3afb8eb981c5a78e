"""Words the bot does not understand: never dropped in silence. A typo of a metric, channel,
campaign or period, or an unknown word in such a position, is reported (``unclear``, as
typed, lower case), with its kind and, when one is close, the closest reading
(``suggestion``); what it stands for stays empty, so no default is answered with
confidence. An impossible period is a ``period_error``."""

from __future__ import annotations

from tests.data.corpus import (
    LAST_MONTH,
    LAST_WEEK,
    THIS_MONTH,
    THIS_WEEK,
    YESTERDAY,
    Case,
)


def metric_typo(typed: str, key: str) -> dict[str, object]:
    return {"metric": None, "unclear": typed, "unclear_kind": "metric", "suggestion": key}


def channel_typo(typed: str, channel: str) -> dict[str, object]:
    return {"channel": None, "unclear": typed, "unclear_kind": "channel", "suggestion": channel}


def campaign_typo(typed: str, campaign: str) -> dict[str, object]:
    return {"campaign": None, "unclear": typed, "unclear_kind": "campaign",
            "suggestion": campaign}


def period_typo(typed: str, phrase: str) -> dict[str, object]:
    return {"period": None, "unclear": typed, "unclear_kind": "period", "suggestion": phrase}


CASES: list[Case] = [
    # misspelt metrics (the rech, folowers, jangkuan, pengikt and their cousins)
    ("berapa rech ig bln lalu", {**metric_typo("rech", "reach"), "channel": "instagram", **LAST_MONTH}),
    ("rech tt mgg ini", {**metric_typo("rech", "reach"), "channel": "tiktok", **THIS_WEEK}),
    ("folowers tt mgg ini", {**metric_typo("folowers", "followers"), "channel": "tiktok", **THIS_WEEK}),
    ("brp folowers ig skrg", {**metric_typo("folowers", "followers"), "channel": "instagram"}),
    ("jangkuan ig kmrn", {**metric_typo("jangkuan", "reach"), "channel": "instagram", **YESTERDAY}),
    ("jangkuan tiktok bulan ini brp", {**metric_typo("jangkuan", "reach"), "channel": "tiktok", **THIS_MONTH}),
    ("pengikt ig brp", {**metric_typo("pengikt", "followers"), "channel": "instagram"}),
    ("brp pengikt tiktok bln lalu", {**metric_typo("pengikt", "followers"), "channel": "tiktok", **LAST_MONTH}),
    ("engagment tt bln ini", {**metric_typo("engagment", "engagement"), "channel": "tiktok", **THIS_MONTH}),
    ("enggagement ig mgg lalu", {**metric_typo("enggagement", "engagement"), "channel": "instagram", **LAST_WEEK}),
    ("engagemnt fb kmrn", {**metric_typo("engagemnt", "engagement"), "channel": "facebook", **YESTERDAY}),
    ("impresion fb mgg lalu", {**metric_typo("impresion", "impressions"), "channel": "facebook", **LAST_WEEK}),
    ("konversii bln ini brp", {**metric_typo("konversii", "conversions"), **THIS_MONTH}),
    ("konvrsi website mgg ini", {**metric_typo("konvrsi", "conversions"), "channel": "website", **THIS_WEEK}),
    ("revenu bln lalu", {**metric_typo("revenu", "revenue"), **LAST_MONTH}),
    ("revnue toko online kmrn", {**metric_typo("revnue", "revenue"), "channel": "toko online", **YESTERDAY}),
    ("pendapatn bln ini", {**metric_typo("pendapatn", "revenue"), **THIS_MONTH}),
    ("subcribers yt bln ini", {**metric_typo("subcribers", "subscribers"), "channel": "youtube", **THIS_MONTH}),
    ("subscibers youtube", {**metric_typo("subscibers", "subscribers"), "channel": "youtube"}),
    ("follwers ig", {**metric_typo("follwers", "followers"), "channel": "instagram"}),
    ("followrs tiktok kmrn", {**metric_typo("followrs", "followers"), "channel": "tiktok", **YESTERDAY}),
    ("folower tt brp", {**metric_typo("folower", "followers"), "channel": "tiktok"}),
    ("pengikit ig mgg ini", {**metric_typo("pengikit", "followers"), "channel": "instagram", **THIS_WEEK}),
    ("komentr ig mgg lalu", {**metric_typo("komentr", "comments"), "channel": "instagram", **LAST_WEEK}),
    ("jangkaun tt bln lalu", {**metric_typo("jangkaun", "reach"), "channel": "tiktok", **LAST_MONTH}),
    ("impresii ig kmrn", {**metric_typo("impresii", "impressions"), "channel": "instagram", **YESTERDAY}),
    ("omzett bln ini brp", {**metric_typo("omzett", "revenue"), **THIS_MONTH}),
    ("viewss yt kmrn", {**metric_typo("viewss", "views"), "channel": "youtube", **YESTERDAY}),
    ("testimonni bln ini", {**metric_typo("testimonni", "testimonials"), **THIS_MONTH}),
    ("kepuasn pelanggan bln lalu", {"metric": None, "unclear_kind": "metric", "suggestion": "csat", **LAST_MONTH}),
    ("engagemen rate ig", {"metric": None, "unclear_kind": "metric", "suggestion": "engagement_rate", "channel": "instagram"}),
    ("Rech IG minggu ini??", {**metric_typo("rech", "reach"), "channel": "instagram", **THIS_WEEK}),
    ("how many folowers on ig", {**metric_typo("folowers", "followers"), "channel": "instagram", "lang": "en"}),
    ("instagram rech last week", {**metric_typo("rech", "reach"), "channel": "instagram", **LAST_WEEK}),
    ("engagment rate this month", {"metric": None, "unclear_kind": "metric", "suggestion": "engagement_rate", **THIS_MONTH}),
    # a metric word the catalogue does not have
    ("brp gmv toko online bln lalu", {"metric": None, "unclear": "gmv", "unclear_kind": "metric", "channel": "toko online", **LAST_MONTH}),
    ("aov bln ini brp", {"metric": None, "unclear": "aov", "unclear_kind": "metric", **THIS_MONTH}),
    ("berapa cac mgg lalu", {"metric": None, "unclear": "cac", "unclear_kind": "metric", **LAST_WEEK}),
    ("brp gmv ig kmrn", {"metric": None, "unclear": "gmv", "unclear_kind": "metric", "channel": "instagram", **YESTERDAY}),
    # misspelt channels
    ("reach instgram bln ini", {**channel_typo("instgram", "instagram"), "metric": "reach", **THIS_MONTH}),
    ("followers instgram brp", {**channel_typo("instgram", "instagram"), "metric": "followers"}),
    ("followers tiktk", {**channel_typo("tiktk", "tiktok"), "metric": "followers"}),
    ("views tiktk mgg lalu", {**channel_typo("tiktk", "tiktok"), "metric": "views", **LAST_WEEK}),
    ("views youtbe kmrn", {**channel_typo("youtbe", "youtube"), "metric": "views", **YESTERDAY}),
    ("reach instagarm", {**channel_typo("instagarm", "instagram"), "metric": "reach"}),
    ("likes insatgram mgg ini", {**channel_typo("insatgram", "instagram"), "metric": "likes", **THIS_WEEK}),
    ("followers facebok", {**channel_typo("facebok", "facebook"), "metric": "followers"}),
    ("reach fcebook bln lalu", {**channel_typo("fcebook", "facebook"), "metric": "reach", **LAST_MONTH}),
    ("impressions linkdin", {**channel_typo("linkdin", "linkedin"), "metric": "impressions"}),
    ("views yotube bln ini", {**channel_typo("yotube", "youtube"), "metric": "views", **THIS_MONTH}),
    ("subscribers youtub", {**channel_typo("youtub", "youtube"), "metric": "subscribers"}),
    ("klik webiste kmrn", {**channel_typo("webiste", "website"), "metric": "clicks", **YESTERDAY}),
    ("revenue toko onlen bln ini", {"channel": None, "unclear_kind": "channel", "suggestion": "toko online", "metric": "revenue", **THIS_MONTH}),
    ("Followers Instgram this month", {**channel_typo("instgram", "instagram"), "metric": "followers", **THIS_MONTH}),
    # a channel the workspace does not have
    ("reach snapchat bln ini", {"channel": None, "unclear": "snapchat", "unclear_kind": "channel", "metric": "reach", **THIS_MONTH}),
    ("followers threads brp", {"channel": None, "unclear": "threads", "unclear_kind": "channel", "metric": "followers"}),
    ("reach pinterest mgg lalu", {"channel": None, "unclear": "pinterest", "unclear_kind": "channel", "metric": "reach", **LAST_WEEK}),
    ("revenue di shopee bln lalu", {"channel": None, "unclear": "shopee", "unclear_kind": "channel", "metric": "revenue", **LAST_MONTH}),
    ("followers @tehsebelah bln ini", {"channel": None, "unclear": "@tehsebelah", "unclear_kind": "channel", "metric": "followers", **THIS_MONTH}),
    ("followers @kopirivall", {"channel": None, "unclear": "@kopirivall", "unclear_kind": "channel", "metric": "followers"}),
    ("likes di snapchat kmrn", {"channel": None, "unclear": "snapchat", "unclear_kind": "channel", "metric": "likes", **YESTERDAY}),
    # misspelt campaigns
    ("revenue kampanye gajan", {**campaign_typo("gajan", "gajian"), "metric": "revenue"}),
    ("roi kampanye harbolnaz", campaign_typo("harbolnaz", "harbolnas")),
    ("konversi kampanye ramdan bln lalu", {**campaign_typo("ramdan", "ramadan"), "metric": "conversions", **LAST_MONTH}),
    ("revenue campaign gajain bln ini", {**campaign_typo("gajain", "gajian"), "metric": "revenue", **THIS_MONTH}),
    ("gimana kampanye harbolnass", campaign_typo("harbolnass", "harbolnas")),
    ("klik kampanye imlk mgg ini", {**campaign_typo("imlk", "imlek"), "metric": "clicks", **THIS_WEEK}),
    ("spend kampanye back to scool", {"campaign": None, "unclear_kind": "campaign", "suggestion": "back to school", "metric": "spend"}),
    ("ctr kampanye gajiaan kmrn", {**campaign_typo("gajiaan", "gajian"), "metric": "ctr", **YESTERDAY}),
    # misspelt periods
    ("reach ig mingu lalu", {"period": None, "unclear_kind": "period", "suggestion": "minggu lalu", "metric": "reach"}),
    ("followers bulan lalau", {"period": None, "unclear_kind": "period", "suggestion": "bulan lalu", "metric": "followers"}),
    ("reach kemarn", {**period_typo("kemarn", "kemarin"), "metric": "reach"}),
    ("likes tt kmarin", {**period_typo("kmarin", "kemarin"), "metric": "likes", "channel": "tiktok"}),
    ("reach ig 30 hari terakir", {"period": None, "unclear_kind": "period", "suggestion": "30 hari terakhir", "metric": "reach"}),
    ("views yt tahun lalau", {"period": None, "unclear_kind": "period", "suggestion": "tahun lalu", "metric": "views"}),
    ("reach minggu lalo", {"period": None, "unclear_kind": "period", "suggestion": "minggu lalu", "metric": "reach"}),
    ("reach ig novembr", {"period": None, "unclear": "novembr", "unclear_kind": "period", "metric": "reach"}),
    ("revenue oktber", {"period": None, "unclear": "oktber", "unclear_kind": "period", "metric": "revenue"}),
    ("followers ig kemarim", {**period_typo("kemarim", "kemarin"), "metric": "followers"}),
    ("engagement ig bulan inii", {"period": None, "unclear_kind": "period", "suggestion": "bulan ini", "metric": "engagement"}),
    ("reach last mont", {"period": None, "unclear_kind": "period", "suggestion": "last month", "metric": "reach"}),
    ("followers yesterdy", {"period": None, "unclear": "yesterdy", "unclear_kind": "period", "metric": "followers"}),
    # impossible periods
    ("reach ig 31 nov", {"metric": "reach", "period": None, "period_error": "invalid"}),
    ("reach 20-10 nov", {"metric": "reach", "period": None, "period_error": "invalid"}),
    ("followers 0 hari terakhir", {"metric": "followers", "period": None, "period_error": "invalid"}),
    ("revenue 31 feb", {"metric": "revenue", "period": None, "period_error": "invalid"}),
    # slash commands with a word that is not understood
    ("/kpi pengikt ig", {"command": "kpi", **metric_typo("pengikt", "followers"), "channel": "instagram"}),
    ("/grafik rech tt bln ini", {"command": "chart", **metric_typo("rech", "reach"), "channel": "tiktok", **THIS_MONTH}),
    ("/bandingkan folowers bln ini", {"command": "compare", **metric_typo("folowers", "followers"), **THIS_MONTH}),
    ("/catat ig jangkuan 5000 kmrn", {"command": "record", **metric_typo("jangkuan", "reach"), "channel": "instagram", **YESTERDAY}),
    ("/kpi reach instgram", {"command": "kpi", **channel_typo("instgram", "instagram"), "metric": "reach"}),
    ("/kpi followers tiktk mgg ini", {"command": "kpi", **channel_typo("tiktk", "tiktok"), "metric": "followers", **THIS_WEEK}),
    ("/kpi reach ig kemarn", {"command": "kpi", **period_typo("kemarn", "kemarin"), "metric": "reach", "channel": "instagram"}),
    ("/grafik engagment ig 30 hr terakhir", {"command": "chart", **metric_typo("engagment", "engagement"), "channel": "instagram"}),
    # more words that are not understood
    ("folloers ig bln ini", {**metric_typo("folloers", "followers"), "channel": "instagram", **THIS_MONTH}),
    ("engagemet tt mgg lalu", {**metric_typo("engagemet", "engagement"), "channel": "tiktok", **LAST_WEEK}),
    ("reach tiktook", {**channel_typo("tiktook", "tiktok"), "metric": "reach"}),
    ("views youtobe bln lalu", {**channel_typo("youtobe", "youtube"), "metric": "views", **LAST_MONTH}),
    ("brp nps bln ini", {"metric": None, "unclear": "nps", "unclear_kind": "metric", **THIS_MONTH}),
    ("rach ig bln ini", {**metric_typo("rach", "reach"), "channel": "instagram", **THIS_MONTH}),
    ("folowes tt", {**metric_typo("folowes", "followers"), "channel": "tiktok"}),
    ("reach instagrm", {**channel_typo("instagrm", "instagram"), "metric": "reach"}),
    ("revenue kampanye gajiann", {**campaign_typo("gajiann", "gajian"), "metric": "revenue"}),
    ("reach ig bulam lalu", {"period": None, "unclear_kind": "period", "suggestion": "bulan lalu", "metric": "reach"}),
]
