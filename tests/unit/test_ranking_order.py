import pytest

from kpi_engine.domain.ranking import rank_order, ranked


def test_best_first_follows_better_direction() -> None:
    assert rank_order(True) == "desc"
    assert rank_order(False) == "asc"  # the cheapest CPC first
    assert rank_order(True, worst=True) == "asc"
    assert rank_order(False, worst=True) == "desc"


def test_ranked_sorts_ties_by_key_empty_last_and_cuts_top() -> None:
    rows = [("tiktok", 2.0), ("ig", None), ("fb", 5.0), ("yt", 2.0)]
    assert ranked(rows, "desc") == [("fb", 5.0), ("tiktok", 2.0), ("yt", 2.0), ("ig", None)]
    assert ranked(rows, "asc") == [("tiktok", 2.0), ("yt", 2.0), ("fb", 5.0), ("ig", None)]
    assert ranked(rows, "desc", top=2) == [("fb", 5.0), ("tiktok", 2.0)]


def test_the_direction_asked_gives_the_order() -> None:
    from kpi_engine.domain.ranking import best_first, order_for

    assert order_for(True) == "desc" and order_for(False) == "asc"
    assert order_for(True, "worst") == "asc" and order_for(False, "worst") == "desc"
    # values named themselves: "cpc paling murah" is the lowest first, "paling mahal" highest
    assert order_for(False, "low") == "asc" and order_for(False, "high") == "desc"
    assert order_for(True, "low") == "asc" and order_for(None, "best") == "desc"
    assert best_first(False, "asc") and not best_first(False, "desc")
    assert best_first(None, "desc")
    with pytest.raises(ValueError):
        order_for(True, "sideways")
