"""/peringkat (/rank) on real SQLite and PostgreSQL (issue 15): channels (a competitor marked),
campaigns (ROI, revenue, conversions, CPC), days; best first, reversed, top N; a gauge and a
ratio; an empty period; a misspelt word asked back. Every figure is computed by hand from the
rows below (today is Sunday 2026-11-22; "minggu lalu" is Mon 9 .. Sun 15 Nov)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.bootstrap import App
from bot.reply import Reply, Request
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import rankings
from kpi_engine.storage.store import Store

D = date
NOW = datetime(2026, 11, 22, 12, 0)
LAST_WEEK = PeriodQuery(Period(D(2026, 11, 9), D(2026, 11, 15), "minggu lalu"),
                        Period(D(2026, 11, 2), D(2026, 11, 8), "minggu sebelumnya"))
RIVAL = "instagram:@rival"


def row(day: int, channel: str, metric: str, value: float, campaign: str = "") -> SnapshotRow:
    platform, _, handle = channel.partition(":")
    return SnapshotRow(D(2026, 11, day), platform, handle, metric, value, campaign,
                       competitor=handle == "@rival")


ROWS = [
    # reach: instagram 100 + 300 + 50 = 450; tiktok 200 + 320 = 520; youtube 40; the rival
    # 1000. Own channels by day: 10 Nov 100, 11 Nov 200, 12 Nov 300 + 40 = 340, 13 Nov 320,
    # 14 Nov 50; 9 and 15 Nov have no row.
    row(10, "instagram", "reach", 100), row(12, "instagram", "reach", 300, "ramadan"),
    row(14, "instagram", "reach", 50),
    row(11, "tiktok", "reach", 200), row(13, "tiktok", "reach", 320),
    row(12, "youtube", "reach", 40),
    row(12, RIVAL, "reach", 1000),
    # money: ramadan spends 100 (ig) + 200 (tiktok) for 400 + 300 revenue → ROI 100 × (700 −
    # 300) / 300 = 133,33 %; gajian 50 for 200 → 300 %; harbolnas 400 for 200 → −50 %;
    # promo has revenue 80 and no spend → no ROI; untagged (organic) revenue 1.000.
    row(12, "instagram", "spend", 100, "ramadan"), row(12, "instagram", "revenue", 400, "ramadan"),
    row(13, "tiktok", "spend", 200, "ramadan"), row(13, "tiktok", "revenue", 300, "ramadan"),
    row(11, "instagram", "spend", 50, "gajian"), row(11, "instagram", "revenue", 200, "gajian"),
    row(14, "tiktok", "spend", 400, "harbolnas"), row(14, "tiktok", "revenue", 200, "harbolnas"),
    row(14, "youtube", "revenue", 80, "promo"),
    row(10, "instagram", "revenue", 1000),
    # conversions: ramadan 5 + 3 = 8, gajian 12, harbolnas 1; untagged 20
    row(12, "instagram", "conversions", 5, "ramadan"),
    row(13, "tiktok", "conversions", 3, "ramadan"),
    row(11, "instagram", "conversions", 12, "gajian"),
    row(14, "tiktok", "conversions", 1, "harbolnas"),
    row(10, "instagram", "conversions", 20),
    # clicks: ig ramadan 50, gajian 100, organic 1.000 (no spend: out of CPC); tiktok ramadan
    # 40, harbolnas 100. CPC (paid only): ig (100 + 50) / (50 + 100) = 1,0; tiktok (200 + 400)
    # / (40 + 100) = 4,2857; youtube and the rival have no spend. By campaign: gajian 50/100 =
    # 0,5; ramadan 300/90 = 3,3333; harbolnas 400/100 = 4,0.
    row(12, "instagram", "clicks", 50, "ramadan"), row(11, "instagram", "clicks", 100, "gajian"),
    row(10, "instagram", "clicks", 1000),
    row(13, "tiktok", "clicks", 40, "ramadan"), row(14, "tiktok", "clicks", 100, "harbolnas"),
    # impressions: CTR = Σclicks / Σimpressions, never a mean of daily rates: ig 1.150 /
    # 10.500 = 10,952381 %; tiktok 140 / (1.000 + 3.000) = 3,5 % (the daily mean would be 3,67)
    row(10, "instagram", "impressions", 10000), row(12, "instagram", "impressions", 500),
    row(13, "tiktok", "impressions", 1000), row(14, "tiktok", "impressions", 3000),
    # followers (gauge): ig 1.000 on 8 Nov then 1.100 on 13 Nov (1.200 on 20 Nov is after the
    # week); tiktok 900 on 15 Nov; youtube 50 on 1 Nov (older than the week); rival 5.000.
    # Own level by day: 9–12 Nov 1.000 + 50 = 1.050; 13–14 Nov 1.150; 15 Nov 2.050.
    SnapshotRow(D(2026, 11, 8), "instagram", "", "followers", 1000),
    row(13, "instagram", "followers", 1100), row(20, "instagram", "followers", 1200),
    row(15, "tiktok", "followers", 900),
    SnapshotRow(D(2026, 11, 1), "youtube", "", "followers", 50),
    row(14, RIVAL, "followers", 5000),
    # engagement = likes + comments: ig 30 + 5 = 35, tiktok 70, the rival 40, youtube none
    row(11, "instagram", "likes", 30), row(13, "instagram", "comments", 5),
    row(12, "tiktok", "likes", 70), row(12, RIVAL, "likes", 40),
]


@pytest.fixture
def ws(store: Store) -> int:
    workspace = store.ensure_workspace("demo")
    store.write_snapshots(workspace.id, ROWS)
    return workspace.id


def ranking(store: Store, ws: int, metric: str, by: str = "channel",
            **kw: object) -> rankings.Ranking:
    return rankings.rank(store, ws, store.channels(ws), metric, LAST_WEEK, by, **kw)  # type: ignore[arg-type]


def pairs(r: rankings.Ranking) -> list[tuple[str, float | None]]:
    return [(x.key, None if x.value is None else round(x.value, 6)) for x in r.rows]


def ask(app: App, text: str, lang: str | None = None) -> Reply:
    return app.router.handle(Request(text=text, platform="cli", workspace="demo", now=NOW,
                                     lang=lang))


# --- the engine -------------------------------------------------------------------------------

def test_channels_best_first_with_the_competitor_marked(store: Store, ws: int) -> None:
    r = ranking(store, ws, "reach")
    assert (r.by, r.order, r.keys) == ("channel", "desc", 4)
    assert pairs(r) == [(RIVAL, 1000), ("tiktok", 520), ("instagram", 450), ("youtube", 40)]
    assert [x.competitor for x in r.rows] == [True, False, False, False]


def test_worst_reverses_and_top_cuts(store: Store, ws: int) -> None:
    worst = ranking(store, ws, "reach", direction="worst")
    assert worst.order == "asc"
    assert pairs(worst) == [("youtube", 40), ("instagram", 450), ("tiktok", 520), (RIVAL, 1000)]
    top = ranking(store, ws, "reach", top=2)
    assert pairs(top) == [(RIVAL, 1000), ("tiktok", 520)] and top.keys == 4


def test_cheapest_cpc_ranks_first_paid_pairs_only(store: Store, ws: int) -> None:
    r = ranking(store, ws, "cpc")
    assert r.order == "asc"  # CPC: down is better
    assert pairs(r) == [("instagram", 1.0), ("tiktok", round(600 / 140, 6)),
                        (RIVAL, None), ("youtube", None)]
    assert ranking(store, ws, "cpc", direction="low").order == "asc"  # "paling murah"
    worst = ranking(store, ws, "cpc", direction="worst")
    assert pairs(worst)[:2] == [("tiktok", round(600 / 140, 6)), ("instagram", 1.0)]
    assert ranking(store, ws, "cpc", direction="high").order == "desc"  # "paling mahal"


def test_a_ratio_is_its_sums_never_a_mean_of_days(store: Store, ws: int) -> None:
    r = ranking(store, ws, "ctr")
    assert pairs(r) == [("instagram", round(100 * 1150 / 10500, 6)), ("tiktok", 3.5),
                        (RIVAL, None), ("youtube", None)]


def test_a_gauge_ranks_each_channels_last_level(store: Store, ws: int) -> None:
    r = ranking(store, ws, "followers")
    assert pairs(r) == [(RIVAL, 5000), ("instagram", 1100), ("tiktok", 900), ("youtube", 50)]
    youtube = r.rows[-1]
    assert youtube.as_of == D(2026, 11, 1)  # older than the week: the reply says so
    assert all(x.as_of is None for x in r.rows[:-1])


def test_campaigns_by_roi_revenue_and_conversions(store: Store, ws: int) -> None:
    roi = ranking(store, ws, "roi", "campaign")
    assert pairs(roi) == [("gajian", 300.0), ("ramadan", round(100 * 400 / 300, 6)),
                          ("harbolnas", -50.0), ("promo", None)]
    assert roi.rows[-1].reason == "no_spend"
    revenue = ranking(store, ws, "revenue", "campaign")
    # the tie of gajian and harbolnas (200 each) goes by name; untagged is shown apart
    assert pairs(revenue) == [("ramadan", 700), ("gajian", 200), ("harbolnas", 200),
                              ("promo", 80)]
    assert revenue.untagged == 1000
    conversions = ranking(store, ws, "conversions", "campaign", direction="worst")
    assert pairs(conversions) == [("harbolnas", 1), ("ramadan", 8), ("gajian", 12)]
    assert conversions.untagged == 20
    cpc = ranking(store, ws, "cpc", "campaign")
    assert pairs(cpc) == [("gajian", 0.5), ("ramadan", round(300 / 90, 6)), ("harbolnas", 4.0)]


def test_campaigns_of_one_channel(store: Store, ws: int) -> None:
    r = ranking(store, ws, "revenue", "campaign", channel="tiktok")
    assert pairs(r) == [("ramadan", 300), ("harbolnas", 200)]
    assert r.scope_label == "tiktok" and r.untagged is None


def test_a_gauge_has_no_campaign_ranking(store: Store, ws: int) -> None:
    for metric in ("followers", "engagement_rate", "share_of_voice"):
        with pytest.raises(rankings.NotByCampaign):
            ranking(store, ws, metric, "campaign")


def test_days_counter_and_gauge(store: Store, ws: int) -> None:
    r = ranking(store, ws, "reach", "day")
    assert pairs(r) == [("2026-11-12", 340), ("2026-11-13", 320), ("2026-11-11", 200),
                        ("2026-11-10", 100), ("2026-11-14", 50),
                        ("2026-11-09", None), ("2026-11-15", None)]
    assert (r.keys, r.valued) == (7, 5)
    ig = ranking(store, ws, "reach", "day", channel="instagram", top=3)
    assert pairs(ig) == [("2026-11-12", 300), ("2026-11-10", 100), ("2026-11-14", 50)]
    followers = ranking(store, ws, "followers", "day", top=3)
    assert pairs(followers) == [("2026-11-15", 2050), ("2026-11-13", 1150),
                                ("2026-11-14", 1150)]
    lowest = ranking(store, ws, "followers", "day", direction="low", top=2)
    assert pairs(lowest) == [("2026-11-09", 1050), ("2026-11-10", 1050)]


def test_days_of_a_campaign(store: Store, ws: int) -> None:
    r = ranking(store, ws, "reach", "day", campaign="ramadan")
    assert pairs(r)[0] == ("2026-11-12", 300) and r.valued == 1


def test_an_empty_period_ranks_nothing(store: Store, ws: int) -> None:
    october = PeriodQuery(Period(D(2026, 10, 1), D(2026, 10, 31), "bulan lalu"),
                          Period(D(2026, 9, 1), D(2026, 9, 30), ""))
    for by in rankings.BY:
        r = rankings.rank(store, ws, store.channels(ws), "reach", october, by)
        assert r.empty, by
        assert all(x.value is None for x in r.rows)


# --- in chat ----------------------------------------------------------------------------------

def test_which_day_was_highest_answers_the_days(app: App, ws: int) -> None:
    reply = ask(app, "hari apa reach ig paling tinggi minggu lalu?")
    assert reply.intent == "rank" and reply.error is None
    assert reply.title == "Peringkat hari · Jangkauan · instagram · minggu lalu (9–15 Nov 2026)"
    assert reply.body[1:4] == ["1. Kamis, 12 Nov 2026: 300", "2. Selasa, 10 Nov 2026: 100",
                               "3. Sabtu, 14 Nov 2026: 50"]
    assert reply.body[4] == "4 hari tanpa data tidak diperingkat."
    out = reply.as_json()
    assert out["intent"] == "rank" and out["by"] == "day" and out["order"] == "desc"
    assert out["metric"] == "reach" and out["channel"] == "instagram"
    assert out["period"] == {"label": "minggu lalu", "start": "2026-11-09",
                             "end": "2026-11-15"}
    assert out["rows"][:3] == [{"key": "2026-11-12", "value": 300.0},
                               {"key": "2026-11-10", "value": 100.0},
                               {"key": "2026-11-14", "value": 50.0}]
    assert len(out["rows"]) == 7 and out["rows"][3]["value"] is None
    assert out["text"] == reply.text


def test_which_channel_is_best_names_the_metric_it_ranked_by(app: App, ws: int) -> None:
    reply = ask(app, "channel mana yang paling bagus minggu lalu?")
    assert reply.intent == "rank" and reply.data["metric"] == "engagement"
    assert reply.data["metric_defaulted"] is True
    assert "diperingkat menurut Engagement" in reply.body[0]
    assert [(r["key"], r["value"], r["competitor"]) for r in reply.data["rows"]] == [
        ("tiktok", 70.0, False), (RIVAL, 40.0, True), ("instagram", 35.0, False),
        ("youtube", None, False)]
    assert f"2. {RIVAL} (pesaing): 40" in reply.body
    assert "– youtube: belum ada data" in reply.body


def test_worst_performing_channel_in_english(app: App, ws: int) -> None:
    reply = ask(app, "worst performing channel last week")
    assert reply.lang == "en" and reply.data["order"] == "asc"
    assert reply.title == "Channel ranking · Engagement · last week (9–15 Nov 2026)"
    assert "Order: worst first (lowest value on top)." in reply.body
    assert [r["key"] for r in reply.data["rows"]] == ["instagram", RIVAL, "tiktok", "youtube"]
    assert f"2. {RIVAL} (competitor): 40" in reply.body


def test_which_campaign_is_most_profitable_ranks_roi(app: App, ws: int) -> None:
    reply = ask(app, "kampanye mana yang paling untung minggu lalu?")
    assert (reply.intent, reply.data["by"], reply.data["metric"]) == ("rank", "campaign", "roi")
    assert [(r["key"], r["value"]) for r in reply.data["rows"]] == [
        ("gajian", 300.0), ("ramadan", 133.3333), ("harbolnas", -50.0), ("promo", None)]
    assert reply.body[1:4] == ["1. gajian: 300,0%", "2. ramadan: 133,3%",
                               "3. harbolnas: -50,0%"]
    assert "– promo: belum ada biaya iklan" in reply.body
    assert "mana" not in reply.text.lower().split()


def test_campaign_with_most_conversions_shows_untagged_apart(app: App, ws: int) -> None:
    reply = ask(app, "campaign with most conversions last week")
    assert [(r["key"], r["value"]) for r in reply.data["rows"]] == [
        ("gajian", 12.0), ("ramadan", 8.0), ("harbolnas", 1.0)]
    assert reply.data["untagged"] == 20.0
    assert "Untagged (not ranked): 20" in reply.body


def test_cheapest_cpc_channel_last_week(app: App, ws: int) -> None:
    reply = ask(app, "kanal mana cpc paling murah mgg lalu")
    assert reply.data["order"] == "asc"
    assert [r["key"] for r in reply.data["rows"]][:2] == ["instagram", "tiktok"]
    assert reply.body[1:3] == ["1. instagram: Rp1", "2. tiktok: Rp4"]
    assert "Urutan: terbaik dulu (nilai terendah di atas)." in reply.body


def test_top_n_days_and_a_cut_beyond_the_keys(app: App, ws: int) -> None:
    three = ask(app, "top 3 hari reach minggu lalu")
    assert [r["key"] for r in three.data["rows"]] == ["2026-11-12", "2026-11-13", "2026-11-11"]
    assert three.data["top"] == 3 and three.data["keys"] == 7
    five = ask(app, "/peringkat reach kanal minggu lalu top 5")
    assert len(five.data["rows"]) == 4
    assert "Hanya ada 4 kanal di periode ini; semuanya ditampilkan." in five.body
    huge = ask(app, "/rank reach day last week top 99999")
    assert len(huge.data["rows"]) == 7 and huge.data["top"] == 99999
    assert "There are only 7 days in this period; all are shown." in huge.body


def test_slash_forms_and_aliases_agree(app: App, ws: int) -> None:
    a = ask(app, "/peringkat roi kampanye minggu lalu").data["rows"]
    b = ask(app, "/rank roi campaign last week").data["rows"]
    c = ask(app, "/urutan roi kampanye minggu lalu").data["rows"]
    d = ask(app, "ranking roi per kampanye minggu lalu").data["rows"]
    assert a == b == c == d and a[0] == {"key": "gajian", "value": 300.0}


def test_a_gauge_by_channel_says_from_which_day(app: App, ws: int) -> None:
    reply = ask(app, "/peringkat followers kanal minggu lalu")
    assert reply.body[-1] == "4. youtube: 50 (per 1 Nov 2026)"


def test_a_gauge_by_campaign_is_refused_with_a_hint(app: App, ws: int) -> None:
    reply = ask(app, "/peringkat followers kampanye minggu lalu")
    assert reply.error == "rank_not_by_campaign" and "rows" not in reply.data
    assert "/peringkat followers kanal" in reply.text
    en = ask(app, "/rank followers campaign last week")
    assert en.text.startswith("Followers has no value per campaign")


def test_an_empty_period_is_said_plainly(app: App, ws: int) -> None:
    reply = ask(app, "/peringkat reach kanal bulan lalu")
    assert reply.intent == "rank" and reply.data["reason"] == "no_data"
    assert reply.body == ["Belum ada data Jangkauan untuk bulan lalu (1–31 Okt 2026), jadi "
                          "belum ada yang bisa diperingkat."]
    en = ask(app, "/rank revenue campaign last month")
    assert en.body == ["No Revenue data tagged with a campaign for last month (1–31 Oct "
                       "2026) yet, so there is no campaign to rank."]


def test_a_misspelt_word_is_asked_back_never_ranked(app: App, ws: int) -> None:
    channel = ask(app, "kanal mana yg reach paling tinggi minggu lalu instgram")
    assert channel.error == "unclear" and "rows" not in channel.data
    assert '"instgram"' in channel.text and "instagram" in channel.text
    metric = ask(app, "/peringkat rech kanal minggu lalu")
    assert metric.error == "unknown_metric" and metric.data["suggestion"] == "reach"
    period = ask(app, "hari apa reach ig paling tinggi mingu lalu")
    assert period.error == "unclear" and period.data["suggestion"] == "minggu lalu"
    number = ask(app, "/peringkat reach kanal 2099")
    assert number.error == "rank_unclear" and '"top 2099"' in number.text
