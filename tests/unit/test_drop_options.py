"""bot/drop_options.py: the words of a drop rule's own options (pure; no database)."""

from __future__ import annotations

import pytest

from bot.drop_options import DropOptions, OptionError, leftover, read, words_of


def opts(text: str) -> DropOptions:
    found = read(text)
    assert isinstance(found, DropOptions), found
    return found


def test_the_example_of_the_brief() -> None:
    o = opts("tambah turun engagement_rate 20% ig harian k=2 min 1000 arah naik")
    assert (o.pct, o.verb, o.direction, o.k, o.min_volume, o.period, o.periods) == (
        20.0, "drop", "rise", 2.0, 1000.0, "day", None)
    assert o.chosen_direction == "rise"  # an explicit arah wins over the verb
    assert o.options == {"value": 20.0, "direction": "rise", "k": 2.0, "min_volume": 1000.0,
                         "period": "day"}
    assert leftover(["tambah", "turun", "20%", "harian", "k=2", "1000", "arah", "naik"],
                    o.used) == ["tambah"]


@pytest.mark.parametrize(("text", "expected"), [
    # Indonesian first
    ("reach naik 30% tiktok", {"value": 30.0, "direction": "rise"}),
    ("reach berubah 25%", {"value": 25.0, "direction": "both"}),
    ("er turun 20% arah dua-arah", {"value": 20.0, "direction": "both"}),
    ("er turun 20% arah dua arah", {"value": 20.0, "direction": "both"}),
    ("er berubah 20% dua arah", {"value": 20.0, "direction": "both"}),
    ("er turun 20% arah keduanya", {"value": 20.0, "direction": "both"}),
    ("er turun 12,5% toleransi 1,5", {"value": 12.5, "direction": "drop", "k": 1.5}),
    ("reach turun ≥ 20 % toleransi: 4", {"value": 20.0, "direction": "drop", "k": 4.0}),
    ("reach turun 20% k = 2,5", {"value": 20.0, "direction": "drop", "k": 2.5}),
    ("reach turun 20% min 1.000", {"value": 20.0, "direction": "drop", "min_volume": 1000.0}),
    ("reach turun 20% minimal 2 rb", {"value": 20.0, "direction": "drop",
                                      "min_volume": 2000.0}),
    ("reach turun 20% min volume 5 k", {"value": 20.0, "direction": "drop",
                                        "min_volume": 5000.0}),
    ("reach turun 20% min 0", {"value": 20.0, "direction": "drop", "min_volume": 0.0}),
    ("reach turun 20% periode 6", {"value": 20.0, "direction": "drop", "periods": 6}),
    ("reach turun 20% 8 minggu terakhir", {"value": 20.0, "direction": "drop", "periods": 8}),
    ("reach turun 20% mingguan", {"value": 20.0, "direction": "drop", "period": "week"}),
    ("reach turun 20% per hari", {"value": 20.0, "direction": "drop", "period": "day"}),
    ("reach turun 20% tiap minggu", {"value": 20.0, "direction": "drop", "period": "week"}),
    ("reach drops 20% every day", {"value": 20.0, "direction": "drop", "period": "day"}),
    # English
    ("reach drop 20% daily tolerance 2 min 500 direction rise n=3",
     {"value": 20.0, "direction": "rise", "k": 2.0, "min_volume": 500.0, "periods": 3,
      "period": "day"}),
    ("reach rises 40% direction both weekly", {"value": 40.0, "direction": "both",
                                               "period": "week"}),
    ("reach falls 15% 6 weeks", {"value": 15.0, "direction": "drop", "periods": 6}),
    # an edit names only what changes
    ("k=2 min 500", {"k": 2.0, "min_volume": 500.0}),
    ("25%", {"value": 25.0}),
    ("naik", {"direction": "rise"}),
    ("", {}),
])
def test_what_is_read(text: str, expected: dict[str, object]) -> None:
    assert opts(text).options == expected


@pytest.mark.parametrize(("text", "code", "word"), [
    ("turun 20% k=0", "bad_k", "0"),
    ("turun 20% k=-1", "bad_k", "-1"),
    ("turun 20% k=0,4", "bad_k", "0,4"),
    ("turun 20% toleransi 10,5", "bad_k", "10,5"),
    ("turun 20% toleransi banyak", "bad_k", "banyak"),
    ("turun 20% min -5", "bad_min", "-5"),
    ("turun 20% min banyak", "bad_min", "banyak"),
    ("turun 20% min 99999999999999", "bad_min", "99999999999999"),
    ("turun 20% arah ke-samping", "bad_direction", "ke-samping"),
    ("turun 20% direction sideways", "bad_direction", "sideways"),
    ("turun 20% n=1", "bad_periods", "1"),
    ("turun 20% n=13", "bad_periods", "13"),
    ("turun 20% periode 2,5", "bad_periods", "2,5"),
    ("turun 20% 0 minggu", "bad_periods", "0"),
    ("turun 20% kepekaan 2", "sensitivity", "kepekaan"),
    ("drop 20% sensitivity=2", "sensitivity", "sensitivity"),
    ("turun 20% k=2 toleransi 3", "twice", "toleransi"),
    ("turun 20% harian mingguan", "twice", "mingguan"),
    ("turun 20% toleransi", "no_value", "toleransi"),
    ("turun 20% arah", "no_value", "arah"),
    ("turun 0%", "bad_drop", "0%"),
    ("turun 120%", "bad_drop", "120%"),
])
def test_what_is_refused(text: str, code: str, word: str) -> None:
    assert read(text) == OptionError(code, word)


def test_the_words_read_and_the_rest() -> None:
    o = opts("Turun 20 % IG Harian Toleransi = 2 bogus")
    assert o.used == ("turun", "20", "%", "harian", "toleransi=2")
    assert words_of("K = 2  MIN: 5") == ["k=2", "min=5"]
    # each word read is spent once: a second "20%" is still to be explained
    assert leftover(["turun", "20%", "20%", "bogus"], ("turun", "20%")) == ["20%", "bogus"]
    # a channel handle with "k:" in it is not an option
    assert words_of("instagram:@kk:x") == ["instagram:@kk:x"]
