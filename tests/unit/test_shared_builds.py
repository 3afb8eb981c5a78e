"""``bot/runtime/shared_builds.py``: a workspace's digest is built once for its subscribers
of the burst (issue 18)."""

from __future__ import annotations

import threading
import time

import pytest

from bot.runtime.shared_builds import SharedBuilds


def test_callers_at_once_share_one_build() -> None:
    calls: list[int] = []

    def build() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "digest"

    shared: SharedBuilds[str] = SharedBuilds(60)
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(shared.get(("ws", 1), build)))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["digest"] * 6 and len(calls) == 1
    assert (shared.builds, shared.shared) == (1, 5)


def test_a_result_lives_ttl_seconds_after_its_build() -> None:
    now = [100.0]
    n = iter(range(10))
    shared: SharedBuilds[int] = SharedBuilds(60, clock=lambda: now[0])
    assert shared.get("k", lambda: next(n)) == 0
    now[0] = 159.0
    assert shared.get("k", lambda: next(n)) == 0  # within a minute: the same
    assert shared.get("other", lambda: next(n)) == 1  # another key: its own build
    now[0] = 161.0
    assert shared.get("k", lambda: next(n)) == 2  # older than that: built again


def test_a_failed_build_is_not_kept() -> None:
    shared: SharedBuilds[str] = SharedBuilds(60)

    def failing() -> str:
        raise RuntimeError("database is locked")

    with pytest.raises(RuntimeError):
        shared.get("k", failing)
    assert shared.get("k", lambda: "built") == "built"


def test_bounded_to_the_last_keys() -> None:
    shared: SharedBuilds[int] = SharedBuilds(60, size=2)
    for key in ("a", "b", "c"):
        shared.get(key, lambda: 1)
    assert shared.get("a", lambda: 2) == 2  # "a" was dropped: built again
