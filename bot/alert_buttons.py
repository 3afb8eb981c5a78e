"""The buttons under an alert (SPEC §7): view the chart, snooze a day, 👍 / 👎.

A press carries ``<outbox id>:<action>`` (``bot.reply.alert_buttons``); the outbox row is the
stored token. It is checked like a command: the row must be an alert sent to *this* chat (a
press copied to another chat, or made up, is refused), the chat must be linked and the
user's role must allow the equivalent command. "Lihat grafik" runs ``/grafik`` (viewer),
"Senyapkan 1 hari" runs ``/senyap 1 hari`` (editor), so their rules and replies are the
commands' own; a vote needs a linked chat (viewer) and is recorded once per user and event.
After a 👎, a rule whose alerts are mostly not useful gets a proposal to loosen it, queued
through the outbox to the rule's chat; the rule itself is never changed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.alert_commands import describe
from bot.i18n import translate
from bot.reply import ACTIONS, Reply, Request
from bot.router import Router, error_reply
from kpi_engine.domain.alerts import Rule
from kpi_engine.storage import alert_feedback, alert_store, outbox
from kpi_engine.storage.alert_feedback import RuleFeedback

log = logging.getLogger(__name__)

MESSAGES: dict[str, tuple[str, str]] = {
    "invalid": ("Tombol ini tidak berlaku di chat ini. Pakai tombol di bawah alert yang "
                "dikirim ke chat ini, atau ketik /alert.",
                "This button is not valid in this chat. Use the buttons under an alert sent "
                "to this chat, or type /alert."),
    "voted_u": ("Terima kasih: alert ini dicatat berguna.",
                "Thanks: this alert is recorded as useful."),
    "voted_d": ("Terima kasih: alert ini dicatat tidak berguna.",
                "Thanks: this alert is recorded as not useful."),
    "same": ("Pilihan Anda untuk alert ini sudah tercatat.",
             "Your choice for this alert is already recorded."),
    "propose_title": ("Usul: longgarkan aturan alert {id}", "Proposal: loosen alert rule {id}"),
    "propose_body": ("Dalam 30 hari, {bad} dari {rated} alert aturan ini dinilai tidak "
                     "berguna (dipicu {fired} kali). Aturan sekarang: {rule}.\n"
                     "Usul: {proposal}. Aturan tidak diubah otomatis; untuk mengubahnya: "
                     "/alert hapus {id}, lalu /alert {command}.",
                     "In 30 days, {bad} of {rated} rated alerts of this rule were marked not "
                     "useful (fired {fired} times). The rule now: {rule}.\n"
                     "Proposal: {proposal}. The rule is not changed automatically; to change "
                     "it: /alert remove {id}, then /alert {command}."),
}


def _m(key: str, lang: str, **params: object) -> str:
    return translate(MESSAGES, key, lang, **params)


def parse_token(token: str) -> tuple[int, str] | None:
    """``"<row id>:<action>"`` → (row id, action); None when it is not one."""
    head, _, action = token.partition(":")
    if not head.isdigit() or action not in ACTIONS or len(head) > 18:
        return None
    return int(head), action


def press(router: Router, request: Request, token: str) -> Reply:
    """Answer a button press (``request.text`` is ignored); never raises."""
    lang = request.lang or router.default_language
    try:
        parsed = parse_token(token)
        row = outbox.sent_alert(router.store.engine, parsed[0]) if parsed else None
        if parsed is None or row is None or (row.platform, row.chat_id) != (
                request.platform, request.chat_id):
            log.info("button refused: %r from %s:%s", token[:40], request.platform,
                     request.chat_id)
            return Reply(body=[_m("invalid", lang)], intent="button", error="button_invalid",
                         lang=lang)
        lang = row.lang
        action = parsed[1]
        if action == "s":
            return router.handle(replace(request, text="/senyap 1 hari"))
        if action == "c":
            return router.handle(replace(request, text=_chart_text(router, row)))
        if not router.allows(request, "alert"):  # not linked: the router's own refusal
            return router.handle(replace(request, text="/alert"))
        now = request.now or router.clock()
        value = alert_feedback.USEFUL if action == "u" else alert_feedback.NOT_USEFUL
        changed = alert_feedback.vote(router.store, row.workspace_id, row.rule_key,
                                      row.subject, row.seq, request.platform,
                                      request.user_id or request.chat_id, value, now)
        if changed and value == alert_feedback.NOT_USEFUL:
            propose(router, row.workspace_id, row.rule_key, now)
        return Reply(body=[_m(f"voted_{action}" if changed else "same", lang)],
                     intent="button", lang=lang, data={"vote": value, "changed": changed})
    except Exception:
        log.exception("button press failed (platform=%s)", request.platform)
        return error_reply("internal_error", lang)


def _chart_text(router: Router, row: outbox.Sent) -> str:
    metric = alert_feedback.alert_metric(router.store, row.workspace_id, row.rule_key,
                                         row.subject, row.seq) or "reach"
    return f"/grafik {metric} 30 hari terakhir"


def looser(rule: Rule) -> Rule:
    """A looser version of ``rule``: a threshold 20 % further out, a drop 1.5 × as deep."""
    if rule.kind == "threshold":
        factor = 0.8 if rule.op == "<" else 1.2
        return replace(rule, value=round(rule.value * factor, 4))
    return replace(rule, value=round(rule.value * 1.5, 1))


def propose(router: Router, workspace_id: int, rule_key: str, now: datetime) -> bool:
    """Queue a proposal to loosen ``rule_key`` when its votes call for one (at most one a
    month per rule: the outbox key). Team rules only; True when one was queued."""
    stats = alert_feedback.rule_feedback(router.store, workspace_id, now).get(
        rule_key, RuleFeedback())
    if not stats.wants_looser() or not rule_key.startswith("r"):
        return False
    rules, _settings = alert_store.list_rules(router.store, workspace_id)
    rule = next((r for r in rules if r.key == rule_key), None)
    if rule is None or not rule.platform:
        return False
    ws = router.store.workspace_by_id(workspace_id)
    lang = ws.language if ws is not None else router.default_language
    currency = ws.currency if ws is not None else "IDR"
    new = looser(rule)
    command = (f"{rule.metric} {rule.op} {new.value:g}" if rule.kind == "threshold"
               else f"{rule.metric} turun {new.value:g}%")
    message = outbox.Message(
        f"p:{workspace_id}:{rule_key}:{now:%Y-%m}", workspace_id, "notice", rule.platform,
        rule.chat_id, lang, _m("propose_title", lang, id=rule.id),
        _m("propose_body", lang, bad=stats.not_useful, rated=stats.rated, fired=stats.fired,
           rule=describe(rule, lang, currency), proposal=describe(new, lang, currency),
           id=rule.id, command=command), now)
    with router.store.begin() as conn:
        outbox.enqueue(conn, [message], now)
    return True
