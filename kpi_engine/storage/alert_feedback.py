"""Votes on alerts (the 👍 / 👎 buttons) and what they add up to per rule.

One vote per user per alert event: pressing 👍 twice counts once, changing the vote replaces
it (``INSERT … ON CONFLICT DO UPDATE``). A rule whose events are mostly not useful gets a
proposal to loosen it, queued through the outbox to the rule's chat; it is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.alert_store import utc
from kpi_engine.storage.outbox import _insert
from kpi_engine.storage.store import Store

USEFUL, NOT_USEFUL = 1, -1
WINDOW = timedelta(days=30)
MIN_NOT_USEFUL = 3  # events, in WINDOW, rated mostly not useful …
SHARE = 0.5  # … and more than this share of the rated events


@dataclass(frozen=True)
class RuleFeedback:
    """A rule's alerts in a window: events fired, events rated mostly useful / not useful."""

    fired: int = 0
    useful: int = 0
    not_useful: int = 0

    @property
    def rated(self) -> int:
        return self.useful + self.not_useful

    def wants_looser(self) -> bool:
        return self.not_useful >= MIN_NOT_USEFUL and self.not_useful > SHARE * self.rated


def vote(store: Store, workspace_id: int, rule_key: str, subject: str, seq: int,
         platform: str, user_id: str, value: int, now: datetime) -> bool:
    """Record a user's vote on an event; True when it changed something."""
    f = a.alert_feedback.c
    with store.begin() as conn:
        before = conn.execute(select(f.vote).where(and_(
            f.workspace_id == workspace_id, f.rule_key == rule_key, f.subject == subject,
            f.seq == seq, f.platform == platform, f.user_id == user_id))).scalar_one_or_none()
        ins = _insert(conn, a.alert_feedback).values(
            workspace_id=workspace_id, rule_key=rule_key, subject=subject, seq=seq,
            platform=platform, user_id=user_id, vote=value, at=utc(now))
        conn.execute(ins.on_conflict_do_update(
            index_elements=["workspace_id", "rule_key", "subject", "seq", "platform",
                            "user_id"],
            set_={"vote": ins.excluded.vote, "at": ins.excluded.at}))
    return before != value


def rule_feedback(store: Store, workspace_id: int, now: datetime,
                  window: timedelta = WINDOW) -> dict[str, RuleFeedback]:
    """Per rule key, over ``window`` before ``now``: events fired, and events whose votes
    are mostly 👍 (useful) or mostly 👎 (not useful); a tie counts as neither."""
    f, log = a.alert_feedback.c, a.alert_log.c
    since = utc(now) - window
    with store.connect() as conn:
        fired: dict[str, int] = dict(conn.execute(
            select(log.rule_key, func.count()).where(and_(
                log.workspace_id == workspace_id, log.state == "firing", log.at >= since))
            .group_by(log.rule_key)).all())
        sums = conn.execute(
            select(f.rule_key, f.subject, f.seq, func.sum(f.vote)).where(and_(
                f.workspace_id == workspace_id, f.at >= since))
            .group_by(f.rule_key, f.subject, f.seq)).all()
    useful: dict[str, int] = {}
    bad: dict[str, int] = {}
    for rule_key, _subject, _seq, total in sums:
        if total > 0:
            useful[rule_key] = useful.get(rule_key, 0) + 1
        elif total < 0:
            bad[rule_key] = bad.get(rule_key, 0) + 1
    keys = set(fired) | set(useful) | set(bad)
    return {k: RuleFeedback(int(fired.get(k, 0)), useful.get(k, 0), bad.get(k, 0))
            for k in keys}


def alert_subject(store: Store, workspace_id: int, rule_key: str, subject: str,
                  seq: int) -> tuple[str | None, str | None]:
    """The metric and channel of one sent alert (its alert log row); (None, None) without
    one. The channel is None for the own channels together."""
    log_ = a.alert_log.c
    with store.connect() as conn:
        found = conn.execute(select(log_.metric, log_.channel).where(and_(
            log_.workspace_id == workspace_id, log_.rule_key == rule_key,
            log_.subject == subject, log_.seq == seq))).first()
    if found is None:
        return None, None
    return (str(found.metric) if found.metric else None,
            str(found.channel) if found.channel else None)
