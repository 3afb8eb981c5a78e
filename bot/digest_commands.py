"""/langganan (/subscribe) and /berhenti (/unsubscribe): digests for this chat.

Admins subscribe a chat: ``/langganan harian 08:00`` (``/subscribe daily 08:00``),
``/langganan mingguan senin 09:00`` (``/subscribe weekly monday 09:00``), at the workspace's
local time; ``/langganan`` lists this chat's subscriptions; ``/berhenti`` (``/unsubscribe``,
optionally ``harian``/``mingguan``) stops them. The scheduler picks changes up within a
minute (``bot.runtime.scheduler``).
"""

from __future__ import annotations

from datetime import time

from bot import command_names as names
from bot.alert_commands import after_command, read_time
from bot.i18n import Phrasebook
from bot.reply import Reply
from bot.router import OPERATOR_PLATFORMS, Command, Context, Router
from kpi_engine.domain.model import Role
from kpi_engine.services import digests
from kpi_engine.services.digests import Subscription

MESSAGES: dict[str, tuple[str, str]] = {
    "needs_admin": ("Mengatur langganan ringkasan butuh peran admin. Peran Anda: {role}.",
                    "Managing digest subscriptions needs the admin role. Your role: {role}."),
    "sub_usage": ("Format: /langganan harian 08:00 atau /langganan mingguan senin 09:00.",
                  "Usage: /subscribe daily 08:00 or /subscribe weekly monday 09:00."),
    "sub_chat_only": ("Langganan ringkasan dikirim ke chat Telegram atau Slack; jalankan "
                      "perintah ini di chat tujuan.",
                      "Digests are delivered to a Telegram or Slack chat; run this command "
                      "in that chat."),
    "sub_daily": ("Ringkasan harian tiap hari pukul {time} ({tz}).",
                  "Daily digest every day at {time} ({tz})."),
    "sub_weekly": ("Ringkasan mingguan tiap {day} pukul {time} ({tz}).",
                   "Weekly digest every {day} at {time} ({tz})."),
    "sub_set": ("Berlangganan. {what} Berhenti: /berhenti",
                "Subscribed. {what} Stop: /unsubscribe"),
    "sub_list": ("Langganan chat ini:", "This chat's subscriptions:"),
    "sub_none": ("Chat ini belum berlangganan ringkasan. {usage}",
                 "This chat has no digest subscription. {usage}"),
    "unsub_done": ("Langganan dihentikan: {what}.", "Unsubscribed: {what}."),
    "unsub_none": ("Chat ini tidak berlangganan ringkasan.", "This chat has no digest "
                   "subscription."),
    "daily": ("harian", "daily"),
    "weekly": ("mingguan", "weekly"),
    "bad_time": ("Jam \"{text}\" tidak valid. Contoh: 08:00, 7.30, 18:15.",
                 "\"{text}\" is not a valid time. Examples: 08:00, 7.30, 18:15."),
}

WEEKDAY_WORDS = {
    **dict.fromkeys(("senin", "monday", "mon", "sen"), 0),
    **dict.fromkeys(("selasa", "tuesday", "tue", "sel"), 1),
    **dict.fromkeys(("rabu", "wednesday", "wed", "rab"), 2),
    **dict.fromkeys(("kamis", "thursday", "thu", "kam"), 3),
    **dict.fromkeys(("jumat", "jum'at", "friday", "fri", "jum"), 4),
    **dict.fromkeys(("sabtu", "saturday", "sat", "sab"), 5),
    **dict.fromkeys(("minggu", "ahad", "sunday", "sun", "min"), 6),
}
DAY_NAMES = (("Senin", "Monday"), ("Selasa", "Tuesday"), ("Rabu", "Wednesday"),
             ("Kamis", "Thursday"), ("Jumat", "Friday"), ("Sabtu", "Saturday"),
             ("Minggu", "Sunday"))


_BOOK = Phrasebook(MESSAGES)
_m, _say, _refuse = _BOOK.text, _BOOK.say, _BOOK.refuse


def _describe_sub(sub: Subscription, lang: str, tz: str) -> str:
    at = f"{sub.hour:02d}:{sub.minute:02d}"
    if sub.kind == "weekly":
        return _m("sub_weekly", lang, day=DAY_NAMES[sub.weekday or 0][lang == "en"], time=at,
                  tz=tz)
    return _m("sub_daily", lang, time=at, tz=tz)


def subscribe_command(ctx: Context) -> Reply:
    """Subscribe this chat to the daily or weekly digest (admins), or list."""
    lang, req = ctx.lang, ctx.request
    words = after_command(req.text).lower().split()
    tz = ctx.workspace.timezone
    if not words:
        subs = digests.chat_subscriptions(ctx.store, req.platform, req.chat_id)
        if not subs:
            return _say(ctx, "sub_none", "subscribe", usage=_m("sub_usage", lang))
        return Reply(body=[_m("sub_list", lang)] + [f"  • {_describe_sub(s, lang, tz)}"
                                                     for s in subs],
                     intent="subscribe", lang=lang)
    if not ctx.role.allows(Role.ADMIN):
        return _refuse(ctx, "needs_admin", role=ctx.role.value)
    if req.platform in OPERATOR_PLATFORMS or not req.chat_id:
        return _refuse(ctx, "sub_chat_only")
    kind_word, *args = words
    if kind_word in ("harian", "daily", "hari", "day"):
        kind, weekday = "daily", None
    elif kind_word in ("mingguan", "weekly", "week", "minggu"):
        kind, weekday = "weekly", 0
        if args and args[0] in WEEKDAY_WORDS:
            weekday = WEEKDAY_WORDS[args.pop(0)]
    else:
        return _refuse(ctx, "sub_usage")
    args = [a for a in args if a not in ("jam", "pukul", "at", "pkl")]
    at = time(8, 0) if kind == "daily" else time(9, 0)
    if args:
        parsed = read_time(args[0])
        if parsed is None:
            return _refuse(ctx, "bad_time", text=args[0])
        at = parsed
    sub = digests.subscribe(ctx.store, ctx.workspace.id, req.platform, req.chat_id, kind, at,
                            ctx.now, weekday=weekday, lang=req.lang,
                            created_by=req.user_name or req.user_id)
    reply = _say(ctx, "sub_set", "subscribe", what=_describe_sub(sub, lang, tz))
    reply.data = {"id": sub.id, "kind": kind, "weekday": weekday,
                  "time": f"{at.hour:02d}:{at.minute:02d}", "timezone": tz}
    return reply


def unsubscribe_command(ctx: Context) -> Reply:
    """Stop this chat's digests (all, or ``harian``/``mingguan``)."""
    lang, req = ctx.lang, ctx.request
    if not ctx.role.allows(Role.ADMIN):
        return _refuse(ctx, "needs_admin", role=ctx.role.value)
    words = after_command(req.text).lower().split()
    kind = None
    if words and words[0] in ("harian", "daily"):
        kind = "daily"
    elif words and words[0] in ("mingguan", "weekly"):
        kind = "weekly"
    removed = digests.unsubscribe(ctx.store, req.platform, req.chat_id, kind)
    if not removed:
        return _say(ctx, "unsub_none", "unsubscribe")
    what = ", ".join(_m(s.kind, lang) for s in removed)
    return _say(ctx, "unsub_done", "unsubscribe", what=what)


def register_digests(router: Router) -> None:
    """Register /langganan and /berhenti on ``router``."""
    V = Role.VIEWER
    router.register(Command(names.SUBSCRIBE, V, subscribe_command,
                            "ringkasan terjadwal: /langganan harian 08:00",
                            "scheduled digest: /subscribe daily 08:00"))
    router.register(Command(names.UNSUBSCRIBE, V, unsubscribe_command,
                            "berhenti berlangganan ringkasan", "stop the digests"))
