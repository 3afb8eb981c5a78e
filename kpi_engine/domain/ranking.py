"""Ordering of ranked keys (SPEC §9 ``rank``): best first by the metric's ``better``
direction; keys with no value go last, whatever the order."""

from __future__ import annotations

from collections.abc import Sequence


def rank_order(higher_is_better: bool | None, worst: bool = False) -> str:
    """``desc`` when the largest value ranks first, ``asc`` when the smallest does."""
    best_desc = higher_is_better is not False
    return "asc" if best_desc == worst else "desc"


def ranked(rows: Sequence[tuple[str, float | None]], order: str,
           top: int | None = None) -> list[tuple[str, float | None]]:
    """``rows`` sorted by value in ``order`` (ties by key), empty values last, cut to ``top``."""
    valued = [r for r in rows if r[1] is not None]
    empty = sorted((r for r in rows if r[1] is None), key=lambda r: r[0])
    sign = -1.0 if order == "desc" else 1.0
    valued.sort(key=lambda r: (sign * float(r[1] or 0.0), r[0]))
    out = valued + empty
    return out[:top] if top is not None and top > 0 else out
