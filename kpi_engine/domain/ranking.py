"""Ordering of ranked keys (SPEC §9 ``rank``): best first by the metric's ``better``
direction; keys with no value go last, whatever the order."""

from __future__ import annotations

from collections.abc import Sequence


def rank_order(higher_is_better: bool | None, worst: bool = False) -> str:
    """``desc`` when the largest value ranks first, ``asc`` when the smallest does."""
    best_desc = higher_is_better is not False
    return "asc" if best_desc == worst else "desc"


#: How a ranking is asked for: the best first (the metric's ``better`` direction), the worst
#: first, or the values themselves, highest or lowest first ("cpc paling murah").
DIRECTIONS = ("best", "worst", "high", "low")


def order_for(higher_is_better: bool | None, direction: str = "best") -> str:
    """The value order of a ranking asked in ``direction`` (one of ``DIRECTIONS``): ``high``
    is always ``desc`` and ``low`` ``asc``; ``best``/``worst`` follow ``rank_order``."""
    if direction == "high":
        return "desc"
    if direction == "low":
        return "asc"
    if direction not in ("best", "worst"):
        raise ValueError(f"unknown ranking direction: {direction!r}")
    return rank_order(higher_is_better, worst=direction == "worst")


def best_first(higher_is_better: bool | None, order: str) -> bool:
    """Does ``order`` put the best value first? (A metric without a better direction, like
    competitor mentions, ranks its largest first as "best".)"""
    return order == rank_order(higher_is_better)


def ranked(rows: Sequence[tuple[str, float | None]], order: str,
           top: int | None = None) -> list[tuple[str, float | None]]:
    """``rows`` sorted by value in ``order`` (ties by key), empty values last, cut to ``top``."""
    valued = [r for r in rows if r[1] is not None]
    empty = sorted((r for r in rows if r[1] is None), key=lambda r: r[0])
    sign = -1.0 if order == "desc" else 1.0
    valued.sort(key=lambda r: (sign * float(r[1] or 0.0), r[0]))
    out = valued + empty
    return out[:top] if top is not None and top > 0 else out
