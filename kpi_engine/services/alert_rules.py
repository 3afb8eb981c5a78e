"""What the chat's alert commands and alert buttons call (``bot/alert_commands.py``,
``bot/alert_buttons.py``): a workspace's alert rules (team rules, the defaults switched on or
off, a drop rule's own options, quiet hours), a chat's snooze, and the 👍/👎 feedback on sent
alerts with the per-rule counts ``/alert`` shows. The SQL is ``storage/alert_store.py``'s,
``storage/alert_feedback.py``'s and ``storage/outbox.py``'s; handlers reach it here, never
through ``kpi_engine.storage`` (``tests/unit/test_layers.py``)."""

from __future__ import annotations

from kpi_engine.storage.alert_feedback import (
    NOT_USEFUL,
    USEFUL,
    RuleFeedback,
    alert_subject,
    rule_feedback,
    vote,
)
from kpi_engine.storage.alert_store import (
    add_rule,
    list_rules,
    remove_rule,
    set_default_enabled,
    set_quiet_hours,
    set_rule_options,
    snoozed_until,
)
from kpi_engine.storage.outbox import Message, Sent, enqueue, sent_alert, snooze_chat

__all__ = ["NOT_USEFUL", "USEFUL", "Message", "RuleFeedback", "Sent", "add_rule",
           "alert_subject", "enqueue", "list_rules", "remove_rule", "rule_feedback",
           "sent_alert", "set_default_enabled", "set_quiet_hours", "set_rule_options",
           "snooze_chat", "snoozed_until", "vote"]
