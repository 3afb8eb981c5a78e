"""The dispatcher's overall limit counts a send until a second after its answer (issue 18):
the platform counts it on arrival, somewhere between its start and its answer."""

from __future__ import annotations

import pytest

from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Pacer


def test_a_send_answered_late_still_counts_until_a_second_after_its_answer() -> None:
    now = [100.0]
    pacer = Pacer(Limits(per_second=3, chat_interval=1.0), clock=lambda: now[0])
    entries = [pacer.started() for _ in range(3)]
    assert pacer.wait_before_send() == pytest.approx(1.0)
    now[0] = 100.4  # the three were answered 0.4 s after they started
    for entry in entries:
        pacer.finished(entry)
    now[0] = 101.2  # a second after their start, not yet a second after their answer
    assert pacer.wait_before_send() == pytest.approx(0.2)
    now[0] = 101.4
    assert pacer.wait_before_send() == 0


def test_the_window_frees_one_slot_per_answer() -> None:
    now = [100.0]
    pacer = Pacer(Limits(per_second=2, chat_interval=1.0), clock=lambda: now[0])
    first, second = pacer.started(), pacer.started()
    now[0] = 100.1
    pacer.finished(first)
    now[0] = 100.9
    pacer.finished(second)
    now[0] = 101.15  # the first's second is over, the second's is not
    assert pacer.wait_before_send() == 0
    pacer.started()
    assert pacer.wait_before_send() == pytest.approx(0.75)


def test_replies_to_chats_count_for_the_outbox_overall_limit() -> None:
    """Telegram's ~30/s is for every message of the bot: the platform records its replies in
    the window the Pacer reads, so the outbox holds back while the chats are answered."""
    from bot.runtime.delivery import SendWindow

    now = [100.0]
    window = SendWindow(lambda: now[0])
    pacer = Pacer(Limits(per_second=3, chat_interval=1.0), clock=lambda: now[0], window=window)
    pacer.finished(pacer.started())  # a digest
    for _ in range(2):  # two answers to /kpi, sent by the platform itself
        window.finished(window.started())
    assert pacer.wait_before_send() == pytest.approx(1.0)
    now[0] = 101.01
    assert pacer.wait_before_send() == 0
    alone = Pacer(Limits(per_second=3, chat_interval=1.0), clock=lambda: now[0])
    alone.finished(alone.started())
    assert alone.wait_before_send() == 0  # without the platform's window: its own sends only
