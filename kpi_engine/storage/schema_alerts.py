"""Tables of alerts, digests and the outbox (SPEC §7) on the shared ``metadata``.

- ``alert_rules``: the rules a team added (``/alert er < 2%``), a drop rule with its own
  options (``k``, ``direction``, ``min_volume``, ``periods``); the default rules (drop,
  stale data, goals) are not rows: every workspace has them unless ``alert_settings.disabled``
  names them.
- ``alert_settings``: per workspace quiet hours and disabled default rules.
- ``alert_snoozes``: ``/senyap 2 jam`` per chat.
- ``alert_state``: one row per (workspace, rule, subject): firing or not, since when, when
  last announced, and ``seq`` (how many messages it has produced, part of the outbox keys).
- ``alert_log``: every alert event (firing, resolved) with its text: digests list them.
- ``subscriptions``: digest subscriptions (daily / weekly) per chat, with the last local day
  a digest was queued for.
- ``outbox`` (+ ``outbox_charts``): every message to a chat, written in the same transaction
  as the state change that caused it; the dispatcher sends it. ``key`` is unique: nothing is
  queued twice.

All timestamps are UTC (SQLite hands them back naive).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import ISODate, UTCDateTime

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("kind", String(16), nullable=False),  # threshold | drop
    Column("metric", String(64), nullable=False),
    Column("channel", String(200), nullable=True),  # a channel name; NULL: own channels
    Column("op", String(2), nullable=False, server_default="<"),  # threshold: < or >
    Column("value", Double, nullable=False),  # threshold value, or the drop in percent
    Column("period", String(8), nullable=False, server_default="day"),  # day | week
    Column("periods", Integer, nullable=False, server_default="4"),  # drop: N periods
    # drop: the rule's own options (0007_drop_options); the defaults are today's behaviour
    Column("k", Double, nullable=False, server_default="3"),  # x the scaled MAD
    Column("direction", String(8), nullable=False, server_default="drop"),  # drop|rise|both
    Column("min_volume", Double, nullable=True),  # NULL: alerts.DEFAULT_MIN_VOLUME
    Column("repeat_minutes", Integer, nullable=False, server_default="1440"),
    # the chat it was added in: its alerts go there
    Column("platform", String(32), nullable=False, server_default=""),
    Column("chat_id", String(64), nullable=False, server_default=""),
    Column("created_by", String(100), nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_alert_rules_workspace", alert_rules.c.workspace_id)

alert_settings = Table(
    "alert_settings",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           primary_key=True),
    Column("quiet_start", String(5), nullable=False, server_default="21:00"),
    Column("quiet_end", String(5), nullable=False, server_default="07:00"),
    Column("disabled", String(100), nullable=False, server_default=""),  # "drop,stale"
    Column("updated_at", UTCDateTime(), nullable=False),
)

alert_snoozes = Table(
    "alert_snoozes",
    metadata,
    Column("platform", String(32), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("until", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("platform", "chat_id", name="pk_alert_snoozes"),
)

alert_state = Table(
    "alert_state",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("rule_key", String(32), nullable=False),  # drop | stale | goal | r<id>
    Column("subject", String(200), nullable=False),  # channel name, "*" (total), goal id
    Column("firing", Boolean, nullable=False),
    Column("seq", Integer, nullable=False, server_default="0"),
    Column("since", UTCDateTime(), nullable=True),
    Column("last_notified_at", UTCDateTime(), nullable=True),
    Column("last_value", Double, nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "rule_key", "subject", name="pk_alert_state"),
)

alert_log = Table(
    "alert_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("rule_key", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # drop | threshold | stale | goal_*
    Column("metric", String(64), nullable=True),
    Column("channel", String(200), nullable=True),
    Column("state", String(10), nullable=False),  # firing | resolved
    Column("seq", Integer, nullable=False),
    Column("summary", String(500), nullable=False, server_default=""),
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("workspace_id", "rule_key", "subject", "seq", name="uq_alert_log_event"),
)
Index("ix_alert_log_workspace_at", alert_log.c.workspace_id, alert_log.c.at)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("platform", String(32), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # daily | weekly
    Column("weekday", Integer, nullable=True),  # weekly: 0 = Monday
    Column("hour", Integer, nullable=False),
    Column("minute", Integer, nullable=False),
    Column("lang", String(8), nullable=True),  # NULL: the workspace's language
    Column("created_by", String(100), nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_day", ISODate(), nullable=True),  # local day of the last digest queued
    Column("last_at", UTCDateTime(), nullable=True),
    UniqueConstraint("platform", "chat_id", "kind", name="uq_subscriptions_chat_kind"),
)
Index("ix_subscriptions_workspace", subscriptions.c.workspace_id)

outbox_charts = Table(
    "outbox_charts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("png", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("kind", String(16), nullable=False),  # alert | digest | notice
    Column("platform", String(32), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("lang", String(8), nullable=False, server_default="id"),
    Column("title", String(500), nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("footer", String(500), nullable=False, server_default=""),
    Column("chart_id", Integer, ForeignKey("outbox_charts.id", ondelete="SET NULL"),
           nullable=True),
    # an alert's buttons: "rule_key\tsubject\tseq" of its event ("" : no buttons)
    Column("actions", String(300), nullable=False, server_default=""),
    # an alert's chart, drawn at delivery (JSON: metric, channel, span, baseline; "": none)
    # and whether its picture already went out (a retry then sends only the text)
    Column("chart_spec", String(500), nullable=False, server_default=""),
    Column("chart_sent", Boolean, nullable=False, server_default=false()),
    # pending → sending (claimed) → sent; or back to pending (retry), or parked
    Column("status", String(10), nullable=False, server_default="pending"),
    Column("not_before", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(500), nullable=False, server_default=""),
    Column("claimed_by", String(64), nullable=False, server_default=""),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    UniqueConstraint("key", name="uq_outbox_key"),
)
Index("ix_outbox_due", outbox.c.status, outbox.c.not_before)
Index("ix_outbox_chat", outbox.c.platform, outbox.c.chat_id, outbox.c.id)
Index("ix_outbox_workspace_kind", outbox.c.workspace_id, outbox.c.kind, outbox.c.created_at)


#: One vote per user per alert event (the 👍 / 👎 buttons): pressing again replaces it.
alert_feedback = Table(
    "alert_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("rule_key", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("platform", String(32), nullable=False),
    Column("user_id", String(100), nullable=False),
    Column("vote", Integer, nullable=False),  # 1 useful, -1 not useful
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("workspace_id", "rule_key", "subject", "seq", "platform", "user_id",
                     name="uq_alert_feedback_vote"),
)
Index("ix_alert_feedback_rule", alert_feedback.c.workspace_id, alert_feedback.c.rule_key,
      alert_feedback.c.at)
