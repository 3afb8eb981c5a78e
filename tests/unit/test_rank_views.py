"""Rankings without a database (issue 15): the words that shape a ranking question, the
campaign split of fetched terms, and the reply's text and ``rank`` JSON for rankings built by
hand."""

from __future__ import annotations

from datetime import date

from bot import question_shapes as shapes
from bot.rank_views import TEXT_ROWS, rank_data, rank_reply
from kpi_engine.domain.formulas import ChannelSets, Span, Terms, compute
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.periods import Period
from kpi_engine.services.rankings import Ranking, RankRow, campaign_rankable

WEEK = Period(date(2026, 11, 9), date(2026, 11, 15), "minggu lalu")


def test_top_n_and_where_it_is() -> None:
    assert shapes.top_n("top 3 hari engagement") == (3, 0, 5)
    assert shapes.top_n("5 kanal terbaik bln lalu") == (5, 0, 15)
    assert shapes.top_n("/rank reach day last week top 99999")[0] == 99999  # type: ignore[index]
    assert shapes.top_n("reach 30 hari terakhir") is None
    assert shapes.top_n("top post ig") is None


def test_the_direction_words() -> None:
    assert shapes.rank_direction("kanal mana yang paling bagus") == "best"
    assert shapes.rank_direction("worst performing channel") == "worst"
    assert shapes.rank_direction("kanal mana cpc paling murah") == "low"
    assert shapes.rank_direction("kampanye mana paling boros") == "high"
    assert shapes.rank_direction("hari apa reach paling tinggi") == "high"
    assert shapes.rank_direction("which campaign had the lowest cpc") == "low"
    assert shapes.rank_direction("kanal mana yg paling jelek") == "worst"


def test_what_a_ranking_command_ranks() -> None:
    assert shapes.take_rank_key("reach kanal minggu lalu")[0] == "channel"
    assert shapes.take_rank_key("roi kampanye bulan lalu")[0] == "campaign"
    assert shapes.take_rank_key("reach hari minggu lalu")[0] == "day"
    assert shapes.take_rank_key("reach hari ini")[0] is None  # a period
    assert shapes.take_rank_key("reach 30 hari terakhir")[0] is None
    assert shapes.take_rank_key("roi kampanye ramadan", ["ramadan"])[0] is None  # a filter
    _, text = shapes.take_rank_key("roi kampanye bulan lalu")
    assert len(text) == len("roi kampanye bulan lalu") and "kampanye" not in text


def test_ranking_shapes_keep_the_metric_between_their_words() -> None:
    by, text = shapes.take_ranking("kampanye dengan konversi terbanyak bulan lalu")
    assert by == "campaign" and "konversi" in text and "terbanyak" not in text
    by, text = shapes.take_ranking("lowest ctr channel this month")
    assert by == "channel" and "ctr" in text and "channel" not in text


def test_terms_of_one_campaign() -> None:
    terms = Terms()
    term = ("revenue", date(2026, 11, 9), date(2026, 11, 15))
    spend = ("spend", date(2026, 11, 9), date(2026, 11, 15))
    terms.add_sum(1, "ramadan", term, 400.0)
    terms.add_sum(2, "ramadan", term, 300.0)
    terms.add_sum(1, "", term, 1000.0)
    terms.add_sum(1, "ramadan", spend, 100.0)
    terms.add_sum(2, "ramadan", spend, 200.0)
    assert terms.campaigns([1, 2]) == ["", "ramadan"] and terms.campaigns([2]) == ["ramadan"]
    ramadan = terms.only_campaign("ramadan")
    assert ramadan.sum(term, [1, 2]) == 700.0 and terms.sum(term, [1, 2]) == 1700.0
    roi = compute(METRICS["roi"], Span(*term[1:]), ramadan, ChannelSets((1, 2)))
    assert roi.value is not None and abs(roi.value - 100 * 400 / 300) < 1e-9
    assert terms.only_campaign("").sum(term, [1]) == 1000.0


def test_which_metrics_rank_by_campaign() -> None:
    assert campaign_rankable(METRICS["revenue"]) and campaign_rankable(METRICS["roi"])
    assert campaign_rankable(METRICS["ctr"])
    for key in ("followers", "engagement_rate", "share_of_voice", "follower_growth",
                "competitor_mentions"):
        assert not campaign_rankable(METRICS[key]), key


def channels() -> Ranking:
    rows = [RankRow("instagram:@rival", 1000.0, competitor=True), RankRow("tiktok", 520.0),
            RankRow("youtube", None)]
    return Ranking("reach", "channel", "desc", rows, WEEK, keys=3, valued=2)


def test_the_reply_lists_best_first_and_marks_the_competitor() -> None:
    reply = rank_reply(channels(), "id")
    assert reply.title == "Peringkat kanal · Jangkauan · minggu lalu (9–15 Nov 2026)"
    assert reply.body == ["Urutan: terbaik dulu (nilai tertinggi di atas).",
                          "1. instagram:@rival (pesaing): 1.000", "2. tiktok: 520",
                          "– youtube: belum ada data"]
    en = rank_reply(channels(), "en", defaulted=True)
    assert en.body[0].startswith("No metric named, so ranked by Reach.")
    assert en.body[2] == "1. instagram:@rival (competitor): 1.000"


def test_the_json_is_the_rank_shape() -> None:
    data = rank_data(channels())
    assert (data["metric"], data["by"], data["order"]) == ("reach", "channel", "desc")
    assert data["rows"] == [{"key": "instagram:@rival", "value": 1000.0, "competitor": True},
                            {"key": "tiktok", "value": 520.0, "competitor": False},
                            {"key": "youtube", "value": None, "competitor": False}]
    assert data["period"] == {"label": "minggu lalu", "start": "2026-11-09",
                              "end": "2026-11-15"}


def test_cheapest_first_says_it_is_the_best() -> None:
    r = Ranking("cpc", "channel", "asc", [RankRow("instagram", 1.0), RankRow("tiktok", 4.3)],
                WEEK, keys=2, valued=2)
    assert rank_reply(r, "id").body[0] == "Urutan: terbaik dulu (nilai terendah di atas)."
    worst = Ranking("cpc", "channel", "desc", list(reversed(r.rows)), WEEK, keys=2, valued=2)
    assert rank_reply(worst, "en").body[0] == "Order: worst first (highest value on top)."


def test_a_long_period_lists_a_month_and_says_how_many_more() -> None:
    days = [RankRow(date(2026, 1, 1).replace(day=1 + i % 28, month=1 + i // 28).isoformat(),
                    float(100 - i)) for i in range(40)]
    r = Ranking("reach", "day", "desc", days, WEEK, keys=40, valued=40)
    body = rank_reply(r, "id").body
    assert len([b for b in body if b[:1].isdigit()]) == TEXT_ROWS
    assert body[-1].startswith(f"… dan {40 - TEXT_ROWS} hari lainnya")
    assert len(rank_data(r)["rows"]) == 40  # the JSON keeps every key


def test_a_cut_beyond_the_keys_and_an_empty_period() -> None:
    r = Ranking("reach", "channel", "desc", channels().rows, WEEK, keys=3, top=99999,
                valued=2)
    assert rank_reply(r, "id").body[-1] == \
        "Hanya ada 3 kanal di periode ini; semuanya ditampilkan."
    week = Period(WEEK.start, WEEK.end, "last week")
    empty = Ranking("reach", "day", "desc", [RankRow("2026-11-09", None)], week, keys=1)
    reply = rank_reply(empty, "en")
    assert reply.body == ["There is no Reach data for last week (9–15 Nov 2026) yet, so "
                          "there is nothing to rank."]
    assert reply.data["reason"] == "no_data"
