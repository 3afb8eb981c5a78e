"""The rate/mix split of a ratio's change is exact (issue 15), checked on numbers by hand."""

from __future__ import annotations

import pytest

from kpi_engine.domain.decomposition import Sides, largest_first, share_pct, split_ratio


def test_rate_and_mix_add_up_exactly_with_a_channel_in_one_period_only() -> None:
    # before: a 20/1000, b 10/1000, c 10/1000 (c gone after); after: a 30/1000, b 30/3000
    before = {"a": Sides(20, 1000), "b": Sides(10, 1000), "c": Sides(10, 1000)}
    after = {"a": Sides(30, 1000), "b": Sides(30, 3000)}
    split = split_ratio(before, after, scale=100)
    assert split is not None
    assert split.before == pytest.approx(40 / 30)  # 1,333…%
    assert split.after == pytest.approx(1.5)
    parts = {p.key: p for p in split.parts}
    # a: w 1/3 → 1/4, r 2 → 3: rate (1/3+1/4)/2 × 1 = 7/24; mix 2,5 × (1/4 − 1/3) = −5/24
    assert parts["a"].rate_effect == pytest.approx(7 / 24)
    assert parts["a"].mix_effect == pytest.approx(-5 / 24)
    # b: r 1 → 1, w 1/3 → 3/4: all mix, 1 × 5/12
    assert parts["b"].rate_effect == pytest.approx(0)
    assert parts["b"].mix_effect == pytest.approx(5 / 12)
    # c: only before (r 1, w 1/3 → 0): all mix, −1/3
    assert parts["c"].rate_effect == 0
    assert parts["c"].mix_effect == pytest.approx(-1 / 3)
    assert split.rate_effect == pytest.approx(7 / 24)
    assert split.mix_effect == pytest.approx(-3 / 24)
    assert split.rate_effect + split.mix_effect == pytest.approx(split.change, abs=1e-12)
    assert sum(p.change for p in split.parts) == pytest.approx(1.5 - 40 / 30, abs=1e-12)


def test_a_channel_new_in_the_second_period_is_pure_mix() -> None:
    split = split_ratio({"a": Sides(5, 100)}, {"a": Sides(5, 100), "n": Sides(30, 100)})
    assert split is not None
    n = next(p for p in split.parts if p.key == "n")
    assert n.rate_effect == 0 and n.mix_effect == pytest.approx(0.3 * 0.5)
    assert split.change == pytest.approx(0.175 - 0.05)
    assert split.rate_effect + split.mix_effect == pytest.approx(split.change, abs=1e-12)


def test_no_denominator_in_a_period_gives_no_split() -> None:
    assert split_ratio({}, {"a": Sides(1, 2)}) is None
    assert split_ratio({"a": Sides(1, 0)}, {"a": Sides(1, 2)}) is None


def test_shares_and_order() -> None:
    assert share_pct(-1400, -2300) == pytest.approx(60.869565, rel=1e-6)
    assert share_pct(5, 0) is None
    assert largest_first([("x", 1.0), ("y", -3.0), ("z", 2.0), ("a", 2.0)]) == [
        ("y", -3.0), ("a", 2.0), ("z", 2.0), ("x", 1.0)]
