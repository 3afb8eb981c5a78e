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
