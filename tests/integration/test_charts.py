"""The chart renderer (bot.charts), /grafik through the real router, and the console saving
charts to files."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from adapters.chat.console import run_console
from bot.bootstrap import App
from bot.chart_command import chart_reply
from bot.charts import ChartSpec, axis_day, axis_number, chart_figure, render_chart
from bot.parsing import parse_text
from bot.reply import Reply, Request
from bot.router import Context
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Role
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.seed import seed_demo
from tests.conftest import Conversation

PNG = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 11, 22)  # a Sunday
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
WEEK = [TODAY - timedelta(days=6 - i) for i in range(7)]


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG)
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def spec(metric: str = "reach", values: list[float | None] | None = None, lang: str = "id",
         **kw: object) -> ChartSpec:
    values = values if values is not None else [12_000, 13_500, None, 12_800, 14_100, 15_000,
                                                15_400]
    current = list(zip(WEEK[: len(values)], values, strict=True))
    return ChartSpec(title="Jangkauan · semua kanal sendiri", subtitle="minggu ini",
                     metric=METRICS[metric], lang=lang, current=current, **kw)  # type: ignore[arg-type]


def texts(fig: object) -> list[str]:
    ax = fig.axes[0]  # type: ignore[attr-defined]
    return [t.get_text() for t in ax.texts]


def legend(fig: object) -> list[str]:
    return [t.get_text() for t in fig.legends[0].get_texts()]  # type: ignore[attr-defined]


# --- numbers and dates ----------------------------------------------------------------------

def test_axis_numbers_are_indonesian() -> None:
    assert axis_number(METRICS["reach"], 12_345) == "12,3 rb"
    assert axis_number(METRICS["reach"], 12_000) == "12 rb"
    assert axis_number(METRICS["reach"], 2_500_000) == "2,5 jt"
    assert axis_number(METRICS["reach"], 250) == "250"
    assert axis_number(METRICS["follower_growth"], -2_500) == "-2,5 rb"
    assert axis_number(METRICS["revenue"], 1_200_000) == "Rp1,2 jt"
    assert axis_number(METRICS["revenue"], 750_000) == "Rp750 rb"
    assert axis_number(METRICS["revenue"], 0) == "Rp0"
    assert axis_number(METRICS["engagement_rate"], 3.2) == "3,2%"
    assert axis_number(METRICS["engagement_rate"], 3.0) == "3%"
    assert axis_number(METRICS["ctr"], 0.25) == "0,25%"
    assert axis_number(METRICS["roas"], 2.5) == "2,5×"
    assert axis_day(date(2026, 11, 16), "id") == "16 Nov"
    assert axis_day(date(2026, 10, 5), "id") == "5 Okt"
    assert axis_day(date(2026, 12, 1), "id", with_year=True) == "Des 2026"


# --- the renderer ---------------------------------------------------------------------------

def test_png_has_the_expected_size() -> None:
    png = render_chart(spec(previous=list(zip(WEEK, [11_000.0] * 7, strict=True))))
    assert decode(png).size == (1000, 560)


def test_figure_shows_series_previous_and_indonesian_ticks() -> None:
    prev_days = [d - timedelta(days=7) for d in WEEK]
    fig = chart_figure(spec(previous=list(zip(prev_days, [11_000.0] * 7, strict=True))))
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    current, previous = lines["16–22 Nov 2026"], lines["periode sebelumnya (9–15 Nov 2026)"]
    ydata = np.asarray(current.get_ydata(), dtype=float)
    assert len(ydata) == 7 and np.isnan(ydata[2])  # a gap on the day without data
    alpha = previous.get_alpha()
    assert alpha is not None and alpha < 1  # faded
    assert np.asarray(previous.get_xdata()).tolist() == list(range(7))  # aligned by day index
    assert ax.get_xticklabels()[0].get_text() == "16 Nov"
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "0" in ticks and any(t.endswith(" rb") and "," not in t for t in ticks)
    assert ax.yaxis.get_major_formatter()(12_300, 0) == "12,3 rb"
    assert legend(fig) == ["periode sebelumnya (9–15 Nov 2026)", "16–22 Nov 2026"]
    assert "15,4 rb" in texts(fig)  # the last value, labelled


def test_all_none_says_no_data_in_both_languages() -> None:
    for lang, message in (("id", "belum ada data"), ("en", "no data yet")):
        s = spec(values=[None] * 7, lang=lang)
        assert message in texts(chart_figure(s))
        assert decode(render_chart(s)).size == (1000, 560)
    assert "belum ada data" not in texts(chart_figure(spec()))


def test_target_and_forecast_lines() -> None:
    forecast = [(TODAY + timedelta(days=i), 3.5 + 0.1 * i) for i in range(8)]
    s = spec("engagement_rate", [3.1, 3.3, None, 2.9, 3.2, 3.4, 3.5], target=4.5,
             target_label="Target #3", forecast=forecast)
    fig = chart_figure(s)
    ax = fig.axes[0]
    styles = {line.get_label(): line.get_linestyle() for line in ax.get_lines()}
    assert styles["Target #3: 4,5%"] == "--"
    assert styles["perkiraan"] == ":"
    assert ax.get_xlim()[1] >= 6 + 7  # the forecast runs past the period
    assert ax.yaxis.get_major_formatter()(3.2, 0) == "3,2%"
    assert decode(render_chart(s)).size == (1000, 560)


def test_one_point_and_currency() -> None:
    s = ChartSpec("Pendapatan · semua kanal sendiri", "hari ini", METRICS["revenue"], "id",
                  [(TODAY, 1_234_567.0)], [(TODAY - timedelta(days=1), 1_000_000.0)])
    fig = chart_figure(s)
    assert fig.axes[0].yaxis.get_major_formatter()(1_000_000, 0) == "Rp1 jt"
    assert "Rp1,2 jt" in texts(fig)
    assert decode(render_chart(s)).size == (1000, 560)


def test_a_longer_previous_period_is_clipped_to_the_current_days() -> None:
    october = [(date(2026, 10, 1) + timedelta(days=i), float(i)) for i in range(30)]
    august = [(date(2026, 8, 1) + timedelta(days=i), float(i)) for i in range(31)]
    ax = chart_figure(ChartSpec("x", "y", METRICS["reach"], "id", october, august)).axes[0]
    assert ax.get_xlim() == (-0.5, 29.5)
    assert max(len(line.get_xdata()) for line in ax.get_lines()) == 30  # type: ignore[arg-type]


def test_long_chart_and_empty_chart() -> None:
    days = [TODAY - timedelta(days=364 - i) for i in range(365)]
    s = ChartSpec("Pengikut", "tahun", METRICS["followers"], "en",
                  [(d, 1000.0 + i) for i, d in enumerate(days)])
    labels = [t.get_text() for t in chart_figure(s).axes[0].get_xticklabels()]
    assert 6 <= len(labels) <= 13 and all(label.startswith("1 ") for label in labels)
    assert decode(render_chart(ChartSpec("x", "y", METRICS["reach"], "id", []))).size == (
        1000, 560)


def test_renders_in_several_threads_at_once() -> None:
    specs = [spec(values=[float(i + j) for j in range(7)]) for i in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        pngs = list(pool.map(render_chart, specs))
    assert all(decode(p).size == (1000, 560) for p in pngs)
    assert len(set(pngs)) == len(pngs)


# --- /grafik through the router -------------------------------------------------------------

@pytest.fixture
def bot(app: App) -> Conversation:
    seed_demo(app.store, TODAY)
    return Conversation(app, now=NOW)


def demo_sum(metric: str, start: date, end: date) -> float:
    return sum(r.value for r in demo_rows(TODAY) if r.metric == metric and not r.handle
               and start <= r.day <= end)


def test_grafik_reach_this_week(bot: Conversation) -> None:
    reply = bot.reply("/grafik reach minggu ini")
    assert reply.intent == "chart" and reply.error is None
    assert reply.chart is not None and decode(reply.chart).size == (1000, 560)
    total = demo_sum("reach", WEEK[0], TODAY)
    assert f"{int(total):,}".replace(",", ".") in reply.text  # "123.456"
    assert "Jangkauan" in reply.title and "minggu ini" in reply.title
    assert "%" in reply.text  # the change against last week
    points = reply.data["series"]["current"]
    assert [p[0] for p in points] == [d.isoformat() for d in WEEK]
    assert [p[1] for p in points] == [demo_sum("reach", d, d) for d in WEEK]
    assert len(reply.data["series"]["previous"]) == 7


def test_sentence_and_english(bot: Conversation) -> None:
    reply = bot.reply("grafik followers tiktok 30 hari terakhir")
    assert reply.intent == "chart" and reply.chart is not None
    last = next(r.value for r in demo_rows(TODAY) if r.metric == "followers"
                and r.platform == "tiktok" and not r.handle and r.day == TODAY)
    assert reply.data["series"]["current"][-1] == [TODAY.isoformat(), last]
    assert len(reply.data["series"]["current"]) == 30
    assert f"{int(last):,}".replace(",", ".") in reply.text
    en = bot.reply("/chart views youtube last 30 days")
    assert en.intent == "chart" and en.lang == "en" and en.chart is not None
    assert "Views · youtube" in en.title


@pytest.mark.parametrize(("text", "error", "hint"), [
    ("/grafik", "chart_needs_metric", "/grafik reach"),
    ("/grafik minggu ini", "chart_needs_metric", "/grafik reach"),
    ("/chart", "chart_needs_metric", "/chart reach"),
    ("/grafik rech minggu ini", "unknown_metric", "reach?"),
    ("/grafik reach snapchat", "unknown_channel", "instagram, tiktok, youtube"),
    ("/grafik reach instagram:@siapa", "unknown_channel", "instagram:@kopirival"),
    ("/grafik reach tahun depan", "period_future", "tahun depan"),
])
def test_bad_requests_get_a_clear_reply_and_no_chart(bot: Conversation, text: str, error: str,
                                                     hint: str) -> None:
    reply = bot.reply(text)
    assert reply.intent == "error" and reply.error == error, reply.text
    assert reply.chart is None
    assert hint in reply.text


def test_chart_reply_with_a_goal_line(bot: Conversation) -> None:
    store = bot.app.store
    ws = store.workspace("demo")
    assert ws is not None
    request = Request(text="", platform="cli")
    ctx = Context(request, ws, Role.VIEWER, "id", NOW, TODAY, store.channels(ws.id),
                  store.campaigns(ws.id), parse_text("", TODAY), store)
    pq = PeriodQuery(Period(TODAY - timedelta(days=27), TODAY, "28 hari terakhir"),
                     Period(TODAY - timedelta(days=55), TODAY - timedelta(days=28)))
    forecast = [(TODAY + timedelta(days=i), 43_000.0 + 20 * i) for i in range(40)]
    reply = chart_reply(ctx, "followers", "instagram", None, pq, target=45_000,
                        target_label="Target Q4", forecast=forecast)
    assert isinstance(reply, Reply) and reply.intent == "chart"
    assert reply.chart is not None and decode(reply.chart).size == (1000, 560)
    assert reply.data["target"] == 45_000
    bad = chart_reply(ctx, "followers", "snapchat", None, pq)
    assert bad.error == "unknown_channel" and bad.chart is None


# --- the console ----------------------------------------------------------------------------

def test_console_saves_the_chart(bot: Conversation, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    stdin = io.StringIO("/grafik reach minggu ini\n/grafik\n/kpi reach\nkeluar\n")
    assert run_console(bot.app, workspace="demo", now=NOW, stdin=stdin, stdout=out) == 0
    saved = [line for line in out.getvalue().splitlines() if line.startswith("Grafik disimpan: ")]
    assert len(saved) == 1  # only the chart reply has a chart
    path = tmp_path / saved[0].removeprefix("Grafik disimpan: ")
    assert path.parent.name == "kpibot-charts" and path.name.endswith("-reach.png")
    assert decode(path.read_bytes()).size == (1000, 560)

    out = io.StringIO()
    stdin = io.StringIO("/chart reach this week\n/chart reach this week\n")
    assert run_console(bot.app, workspace="demo", now=NOW, lang="en", stdin=stdin,
                       stdout=out) == 0
    saved = [line for line in out.getvalue().splitlines() if line.startswith("Chart saved: ")]
    assert len(saved) == 2 and saved[0] != saved[1]  # never overwritten
    assert len(list((tmp_path / "kpibot-charts").glob("*.png"))) == 3


def test_bars_draw_each_bucket_now_and_before() -> None:
    """render_bars: per group, the current bars are the values given (largest at the top),
    the faded ones the values before; a missing previous value draws no faded bar."""
    from bot.charts import Bar, BarGroup, bars_figure, render_bars

    groups = [BarGroup("Kota teratas", [Bar("Jakarta", 660, 600), Bar("Bandung", 340, 400)]),
              BarGroup("Gender", [Bar("perempuan", 550), Bar("laki-laki", 450)])]
    fig = bars_figure("Audiens · instagram", "minggu lalu", groups, "id", "sebelum 2 Nov",
                      "per 8 Nov")
    city, gender = fig.axes
    widths = sorted(round(p.get_width()) for p in city.patches)
    assert widths == [340, 400, 600, 660]
    assert [t.get_text() for t in city.get_yticklabels()] == ["Bandung", "Jakarta"]
    assert sorted(round(p.get_width()) for p in gender.patches
                  if not np.isnan(p.get_width())) == [450, 550]
    assert legend(fig) == ["sebelum 2 Nov", "per 8 Nov"]
    assert decode(render_bars("A", "b", groups, "id", "x")).size == (1000, 560)


def test_panels_draw_each_series_on_its_own_axis() -> None:
    from bot.charts import panels_figure, render_panels

    posts = spec("posts", [0, 1, 0, 1, 0, 0, 0])
    per_post = spec("posts", [None, 120, None, 60, None, None, None])
    fig = panels_figure("Postingan · instagram", "minggu lalu", [posts, per_post])
    top, bottom = fig.axes
    assert list(top.lines[0].get_ydata()) == [0, 1, 0, 1, 0, 0, 0]
    drawn = bottom.lines[0].get_ydata()
    assert [None if np.isnan(v) else v for v in drawn] == [None, 120, None, 60, None, None,
                                                         None]
    assert decode(render_panels("A", "b", [posts, per_post])).size == (1000, 840)
