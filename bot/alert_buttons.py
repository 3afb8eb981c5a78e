"""The buttons under an alert (SPEC §7): view the chart, snooze a day, 👍 / 👎.

A press carries ``<outbox id>:<action>`` (``bot.reply.alert_buttons``); the outbox row is the
stored token. It is checked like a command: the row must be an alert sent to *this* chat (a
press copied to another chat, or made up, is refused), the chat must be linked and the
user's role must allow the equivalent command. "Lihat grafik" runs ``/grafik`` (viewer),
"Senyapkan 1 hari" runs ``/senyap 1 hari`` (editor), so their rules and replies are the
commands' own; a vote needs a linked chat (viewer) and is recorded once per user and event.
After a 👎, a rule whose alerts are mostly not useful gets a proposal to loosen it, queued
through the outbox to the rule's chat; the rule itself is never changed.

A press that did something says so in ``Reply.data["mark"]`` (the action and the label its
button now shows: "🔕 disenyapkan s/d 3 Des 16:00 oleh @ana", "👍 dicatat"); the adapters
redraw the message's buttons with ``bot.reply.marked``. "Lihat grafik" draws the alert's own
metric and channel. A press on an alert older than ``BUTTON_DAYS`` gets a short answer and
does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.alert_commands import describe
from bot.charts import axis_day
from bot.i18n import translate
from bot.reply import ACTIONS, Reply, Request
from bot.router import Router, error_reply
from kpi_engine.domain.alert_chart import AlertChart
from kpi_engine.domain.alerts import Rule
from kpi_engine.services import alert_rules

log = logging.getLogger(__name__)

#: How long an alert's buttons work (a press on an older alert gets "expired").
BUTTON_DAYS = 14

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
    "expired": ("Alert ini sudah lama (dikirim {day}); tombolnya tidak berlaku lagi. Ketik "
                "/alert untuk aturan sekarang.",
                "This alert is too old (sent {day}); its buttons no longer work. Type /alert "
                "for the rules now."),
    "mark_s": ("🔕 disenyapkan s/d {until}", "🔕 snoozed until {until}"),
    "mark_by": ("{mark} oleh {who}", "{mark} by {who}"),
    "mark_u": ("👍 dicatat", "👍 recorded"),
    "mark_d": ("👎 dicatat", "👎 recorded"),
    "propose_title": ("Usul: longgarkan aturan alert {id}", "Proposal: loosen alert rule {id}"),
    "propose_body": ("Dalam 30 hari, {bad} dari {rated} alert aturan ini dinilai tidak "
                     "berguna (dipicu {fired} kali). Aturan sekarang: {rule}.\n"
                     "Usul: {proposal}. Aturan tidak diubah otomatis; untuk mengubahnya: "
                     "{how}.",
                     "In 30 days, {bad} of {rated} rated alerts of this rule were marked not "
                     "useful (fired {fired} times). The rule now: {rule}.\n"
                     "Proposal: {proposal}. The rule is not changed automatically; to change "
                     "it: {how}."),
    "how_threshold": ("/alert hapus {id}, lalu /alert {command}",
                      "/alert remove {id}, then /alert {command}"),
    "how_drop": ("/alert ubah {id} {value}% (toleransi, minimum dan arahnya tetap)",
                 "/alert edit {id} {value}% (its tolerance, minimum and direction stay)"),
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
        row = alert_rules.sent_alert(router.store.engine, parsed[0]) if parsed else None
        if parsed is None or row is None or (row.platform, row.chat_id) != (
                request.platform, request.chat_id):
            log.info("button refused: %r from %s:%s", token[:40], request.platform,
                     request.chat_id)
            return Reply(body=[_m("invalid", lang)], intent="button", error="button_invalid",
                         lang=lang)
        lang = row.lang
        action = parsed[1]
        now = request.now or router.clock()
        if row.created_at is not None and now - row.created_at > timedelta(days=BUTTON_DAYS):
            sent = row.created_at.astimezone(_zone(router, row.workspace_id)).date()
            return Reply(body=[_m("expired", lang, day=axis_day(sent, lang))],
                         intent="button", error="button_expired", lang=lang)
        if action == "s":
            reply = router.handle(replace(request, text="/senyap 1 hari"))
            if reply.error is None:
                until = alert_rules.snoozed_until(router.store, request.platform,
                                                  request.chat_id, now)
                if until is not None:
                    reply.data["mark"] = {"action": "s", "label": _snooze_label(
                        router, row, request, until, lang)}
            return reply
        if action == "c":
            return router.handle(replace(request, text=_chart_text(router, row)))
        if not router.allows(request, "alert"):  # not linked: the router's own refusal
            return router.handle(replace(request, text="/alert"))
        value = alert_rules.USEFUL if action == "u" else alert_rules.NOT_USEFUL
        changed = alert_rules.vote(router.store, row.workspace_id, row.rule_key,
                                      row.subject, row.seq, request.platform,
                                      request.user_id or request.chat_id, value, now)
        if changed and value == alert_rules.NOT_USEFUL:
            propose(router, row.workspace_id, row.rule_key, now)
        return Reply(body=[_m(f"voted_{action}" if changed else "same", lang)],
                     intent="button", lang=lang,
                     data={"vote": value, "changed": changed,
                           "mark": {"action": action, "label": _m(f"mark_{action}", lang)}})
    except Exception:
        log.exception("button press failed (platform=%s)", request.platform)
        return error_reply("internal_error", lang)


def _zone(router: Router, workspace_id: int) -> ZoneInfo:
    ws = router.store.workspace_by_id(workspace_id)
    return ZoneInfo(ws.timezone if ws is not None else "Asia/Jakarta")


def _snooze_label(router: Router, row: alert_rules.Sent, request: Request, until: datetime,
                  lang: str) -> str:
    """``🔕 disenyapkan s/d 3 Des 16:00 oleh @ana``: the end in the workspace's time."""
    local = until.astimezone(_zone(router, row.workspace_id))
    mark = _m("mark_s", lang, until=f"{axis_day(local.date(), lang)} {local:%H:%M}")
    who = request.user_name.strip()
    if not who:
        return mark
    return _m("mark_by", lang, mark=mark, who=who if who.startswith("@") else f"@{who}")


def _chart_text(router: Router, row: alert_rules.Sent) -> str:
    """The /grafik of the alert: its chart spec's metric and channel (a drop alert), else
    the metric and channel of its alert log row."""
    metric: str | None = None
    channel: str | None = None
    if row.chart_spec:
        try:
            spec = AlertChart.from_json(row.chart_spec)
            metric, channel = spec.metric, spec.channel
        except ValueError:
            log.warning("alert %s: unreadable chart spec", row.id)
    if metric is None:
        metric, channel = alert_rules.alert_subject(router.store, row.workspace_id,
                                                       row.rule_key, row.subject, row.seq)
    scope = f" {channel}" if channel else ""
    return f"/grafik {metric or 'reach'}{scope} 30 hari terakhir"


def looser(rule: Rule) -> Rule:
    """A looser version of ``rule``: a threshold 20 % further out, a drop 1.5 × as deep."""
    if rule.kind == "threshold":
        factor = 0.8 if rule.op == "<" else 1.2
        return replace(rule, value=round(rule.value * factor, 4))
    return replace(rule, value=round(rule.value * 1.5, 1))


def how_to_change(rule: Rule, new: Rule, lang: str) -> str:
    """The command that turns ``rule`` into ``new``: a drop rule is edited in place (``/alert
    ubah``, so its own tolerance, minimum and direction stay); a threshold rule, which
    ``/alert ubah`` does not take, is removed and added again."""
    if rule.kind == "threshold":
        return _m("how_threshold", lang, id=rule.id,
                  command=f"{rule.metric} {rule.op} {new.value:g}")
    return _m("how_drop", lang, id=rule.id, value=f"{new.value:g}")


def propose(router: Router, workspace_id: int, rule_key: str, now: datetime) -> bool:
    """Queue a proposal to loosen ``rule_key`` when its votes call for one (at most one a
    month per rule: the outbox key). Team rules only; True when one was queued."""
    stats = alert_rules.rule_feedback(router.store, workspace_id, now).get(
        rule_key, alert_rules.RuleFeedback())
    if not stats.wants_looser() or not rule_key.startswith("r"):
        return False
    rules, _settings = alert_rules.list_rules(router.store, workspace_id)
    rule = next((r for r in rules if r.key == rule_key), None)
    if rule is None or not rule.platform:
        return False
    ws = router.store.workspace_by_id(workspace_id)
    lang = ws.language if ws is not None else router.default_language
    currency = ws.currency if ws is not None else "IDR"
    new = looser(rule)
    message = alert_rules.Message(
        f"p:{workspace_id}:{rule_key}:{now:%Y-%m}", workspace_id, "notice", rule.platform,
        rule.chat_id, lang, _m("propose_title", lang, id=rule.id),
        _m("propose_body", lang, bad=stats.not_useful, rated=stats.rated, fired=stats.fired,
           rule=describe(rule, lang, currency), proposal=describe(new, lang, currency),
           how=how_to_change(rule, new, lang)), now)
    with router.store.begin() as conn:
        alert_rules.enqueue(conn, [message], now)
    return True
