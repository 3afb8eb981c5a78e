"""The buttons of a pressed alert (``bot.reply.marked``) and the chart spec of a drop alert
(``kpi_engine/domain/alert_chart.py``): pure, no database."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reply import BUTTON_TEXT_MAX, Button, alert_buttons, marked, parse_buttons
from kpi_engine.domain.alert_chart import AlertChart


def labels(buttons: list[Button]) -> list[str]:
    return [b.label for b in buttons]


def test_a_vote_replaces_both_vote_buttons_and_keeps_the_others() -> None:
    start = alert_buttons(42, "id")
    after = marked(start, "u", "👍 dicatat")
    assert labels(after) == ["Lihat grafik", "Senyapkan 1 hari", "👍 dicatat"]
    assert [b.token for b in after] == ["42:c", "42:s", "42:u"]
    changed = marked(after, "d", "👎 dicatat")
    assert labels(changed) == ["Lihat grafik", "Senyapkan 1 hari", "👎 dicatat"]
    assert changed[-1].token == "42:d"


def test_a_snooze_relabels_its_button_and_a_later_vote_keeps_it() -> None:
    snoozed = marked(alert_buttons(7, "en"), "s", "🔕 snoozed until 3 Dec 16:00 by @ana")
    assert labels(snoozed) == ["View chart", "🔕 snoozed until 3 Dec 16:00 by @ana",
                               "👍 useful", "👎 not useful"]
    both = marked(snoozed, "u", "👍 recorded")
    assert labels(both) == ["View chart", "🔕 snoozed until 3 Dec 16:00 by @ana",
                            "👍 recorded"]
    assert marked(both, "c", "") == both  # the chart button changes nothing


def test_a_long_label_is_clipped_to_the_platform_limit() -> None:
    long = marked(alert_buttons(1, "id"), "s", "🔕 disenyapkan s/d 3 Des 16:00 oleh @" + "a" * 90)
    assert len(long[1].label) == BUTTON_TEXT_MAX and long[1].label.endswith("…")


def test_buttons_read_back_keep_only_alert_tokens() -> None:
    read = parse_buttons([("Lihat grafik", "5:c"), ("x", "nope"), ("y", "5:z"),
                          ("👍 dicatat", "5:u")])
    assert [(b.action, b.token) for b in read] == [("c", "5:c"), ("u", "5:u")]


def test_a_chart_spec_round_trips_and_refuses_a_bad_one() -> None:
    spec = AlertChart("reach", "instagram", "week", date(2026, 11, 2), date(2026, 11, 8), 4,
                      7000.0)
    assert AlertChart.from_json(spec.to_json()) == spec
    assert spec.window() == (date(2026, 10, 5), date(2026, 11, 8))
    assert spec.baseline_line() == 1000.0  # a week's counter, per day
    ratio = AlertChart("engagement_rate", None, "week", date(2026, 11, 2), date(2026, 11, 8),
                       4, 1.5)
    assert ratio.baseline_line() == 1.5  # a ratio is drawn as it is
    day = AlertChart("reach", None, "day", date(2026, 11, 8), date(2026, 11, 8), 4, 900.0)
    assert day.baseline_line() == 900.0 and day.window()[0] == date(2026, 10, 11)
    for bad in ("", "{}", '{"m":"nope","p":"day","s":"2026-11-01","e":"2026-11-01","n":4}',
                '{"m":"reach","p":"day","s":"x","e":"2026-11-01","n":4}'):
        with pytest.raises(ValueError):
            AlertChart.from_json(bad)
