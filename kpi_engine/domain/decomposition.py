"""Splitting a change into its parts (issue 15, ``/kenapa``): pure arithmetic, no I/O.

A ratio over several parts (channels, campaigns) is ``R = Σ N_i / Σ D_i = Σ w_i · r_i`` with
``w_i = D_i / Σ D`` (the part's weight) and ``r_i = N_i / D_i`` (its own rate). Its change
splits exactly, with midpoint averages ``w̄_i = (w0_i + w1_i) / 2`` and ``r̄_i = (r0_i + r1_i) / 2``:

    R1 − R0 = Σ w̄_i · Δr_i  (rate effect)  +  Σ r̄_i · Δw_i  (mix effect)

because ``w1·r1 − w0·r0 = w̄·Δr + r̄·Δw`` holds term by term. A part present in one period only
has weight 0 in the other; its rate there is taken equal to its rate where it exists, so its
whole part of the change is mix (it moved weight, it did not change a rate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sides:
    """One part's ratio sides in one period: numerator and denominator (before scaling)."""

    numerator: float
    denominator: float


@dataclass(frozen=True)
class PartEffect:
    key: str
    rate_effect: float
    mix_effect: float

    @property
    def change(self) -> float:
        return self.rate_effect + self.mix_effect


@dataclass(frozen=True)
class RatioSplit:
    before: float  # R0 (scaled)
    after: float  # R1 (scaled)
    parts: tuple[PartEffect, ...]

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def rate_effect(self) -> float:
        return sum(p.rate_effect for p in self.parts)

    @property
    def mix_effect(self) -> float:
        return sum(p.mix_effect for p in self.parts)


def split_ratio(before: Mapping[str, Sides], after: Mapping[str, Sides],
                scale: float = 1.0) -> RatioSplit | None:
    """The rate and mix effects of each part; None when either period has no denominator.
    Parts with a zero denominator in a period are absent from that period."""
    b = {k: s for k, s in before.items() if s.denominator}
    a = {k: s for k, s in after.items() if s.denominator}
    den0, den1 = sum(s.denominator for s in b.values()), sum(s.denominator for s in a.values())
    if not den0 or not den1:
        return None
    parts: list[PartEffect] = []
    for key in sorted(set(b) | set(a)):
        w0 = b[key].denominator / den0 if key in b else 0.0
        w1 = a[key].denominator / den1 if key in a else 0.0
        r0 = scale * b[key].numerator / b[key].denominator if key in b else None
        r1 = scale * a[key].numerator / a[key].denominator if key in a else None
        r0 = r1 if r0 is None else r0
        r1 = r0 if r1 is None else r1
        assert r0 is not None and r1 is not None
        parts.append(PartEffect(key, (w0 + w1) / 2 * (r1 - r0), (r0 + r1) / 2 * (w1 - w0)))
    total0 = scale * sum(s.numerator for s in b.values()) / den0
    total1 = scale * sum(s.numerator for s in a.values()) / den1
    return RatioSplit(total0, total1, tuple(parts))


def share_pct(part: float, whole: float) -> float | None:
    """A part's share of a change, in percent (signed: a part moving against the whole is
    negative); None when the whole did not change."""
    if not whole:
        return None
    return 100.0 * part / whole


def largest_first(keys: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Parts by absolute change, largest first (ties by key, so the order is stable)."""
    return sorted(keys, key=lambda kv: (-abs(kv[1]), kv[0]))
