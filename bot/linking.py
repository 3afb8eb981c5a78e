"""Linking in chat (SPEC §8): ``/undang`` (``/invite``) gives an admin a one-time join code;
``/start KODE`` or ``/gabung KODE`` (``/join``) in another chat links that chat as viewer.

``/start`` and ``/gabung`` are served in unlinked chats too (``needs_link=False``); an
unlinked chat that sends anything else learns nothing about any workspace.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import command_names as names
from bot import formatting as fmt
from bot.i18n import translate
from bot.reply import Reply
from bot.router import Command, Context, Handler, Router, error_reply
from kpi_engine.domain.model import Role
from kpi_engine.services import linking

MESSAGES: dict[str, tuple[str, str]] = {
    "invite_title": ("Kode undangan · {workspace}", "Invite code · {workspace}"),
    "invite_code": ("Kode: {code}", "Code: {code}"),
    "invite_how": (
        "Di chat yang ingin dihubungkan, kirim: /start {code} (atau /gabung {code}). Chat itu "
        "akan bisa bertanya sebagai viewer.",
        "In the chat you want to link, send: /start {code} (or /join {code}). That chat will "
        "be able to ask as a viewer."),
    "invite_expiry": ("Sekali pakai, berlaku {hours} jam (sampai {until}).",
                      "Single use, valid for {hours} hours (until {until})."),
    "join_usage": ("Kirim kode undangan dari admin tim Anda: /start KODE atau /gabung KODE. "
                   "Admin membuat kode dengan /undang.",
                   "Send the invite code from your team admin: /start CODE or /join CODE. "
                   "Admins create a code with /invite."),
    "join_ok": ("Chat ini sekarang terhubung ke workspace {workspace} sebagai {role}. "
                "Coba: /kpi reach minggu ini, atau ketik /bantuan.",
                "This chat is now linked to workspace {workspace} as {role}. "
                "Try: /kpi reach this week, or type /help."),
    "join_unknown": ("Kode \"{code}\" tidak dikenal. Periksa ketikannya, atau minta kode baru "
                     "ke admin (/undang).",
                     "The code \"{code}\" is not known. Check the spelling, or ask your admin "
                     "for a new code (/invite)."),
    "join_expired": ("Kode \"{code}\" sudah kedaluwarsa (berlaku 24 jam). Minta kode baru ke "
                     "admin (/undang).",
                     "The code \"{code}\" has expired (codes last 24 hours). Ask your admin "
                     "for a new code (/invite)."),
    "join_used": ("Kode \"{code}\" sudah dipakai. Setiap kode hanya berlaku sekali; minta kode "
                  "baru ke admin (/undang).",
                  "The code \"{code}\" has already been used. Each code works once; ask your "
                  "admin for a new code (/invite)."),
    "join_already": ("Chat ini sudah terhubung ke workspace {workspace}. Kodenya tidak dipakai.",
                     "This chat is already linked to workspace {workspace}. The code was not "
                     "used."),
    "join_wait": (
        "Terlalu banyak kode yang salah dari chat ini ({attempts} dalam {window} menit). "
        "Coba lagi dalam {minutes} menit, atau minta kode baru ke admin (/undang).",
        "Too many wrong codes from this chat ({attempts} in {window} minutes). Try again in "
        "{minutes} minutes, or ask your admin for a new code (/invite)."),
    "join_switch_admin": (
        "Chat ini sudah terhubung ke workspace lain. Hanya admin yang bisa memindahkannya.",
        "This chat is already linked to another workspace. Only an admin can move it."),
}

ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.VIEWER: ("viewer (hanya bertanya)", "viewer (ask only)"),
    Role.EDITOR: ("editor", "editor"),
    Role.ADMIN: ("admin", "admin"),
}


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(MESSAGES, key, lang, **params)


def _error(key: str, lang: str, **params: object) -> Reply:
    return Reply(body=[_msg(key, lang, **params)], intent="error", error=key, lang=lang,
                 ephemeral=True)


def invite(ctx: Context) -> Reply:
    """Create a one-time join code for this workspace (admins only)."""
    lang, ws = ctx.lang, ctx.workspace
    code = linking.invite(ctx.store, ws.id, now=ctx.now,
                          created_by=ctx.request.user_id or ctx.request.user_name)
    local = code.expires_at.astimezone(ZoneInfo(ws.timezone))
    until = f"{fmt.day(local.date(), lang)} {local:%H.%M}"
    hours = int(linking.CODE_TTL.total_seconds() // 3600)
    return Reply(
        title=_msg("invite_title", lang, workspace=ws.name),
        body=[_msg("invite_code", lang, code=code.code), _msg("invite_how", lang, code=code.code)],
        footer=_msg("invite_expiry", lang, hours=hours, until=until),
        intent="invite", lang=lang,
        data={"code": code.code, "workspace": ws.slug, "role": code.role.value,
              "expires_at": code.expires_at.isoformat()})


def join(ctx: Context) -> Reply:
    """Redeem a join code: link this chat to the code's workspace as viewer."""
    lang, req = ctx.lang, ctx.request
    if not ctx.parsed.args:
        if ctx.workspace.id == 0:
            return error_reply("not_linked", lang)
        return _error("join_usage", lang)
    linked = ctx.workspace.id != 0
    done = linking.join(ctx.store, req.platform, req.chat_id, "".join(ctx.parsed.args),
                        now=ctx.now, linked_to=ctx.workspace.id if linked else None,
                        may_move=linked and ctx.role.allows(Role.ADMIN))
    if isinstance(done, linking.JoinRefused):
        if done.reason == "wait":
            return _error("join_wait", lang, attempts=linking.JOIN_ATTEMPTS,
                          minutes=done.wait_minutes,
                          window=int(linking.JOIN_WINDOW.total_seconds() // 60))
        if done.reason == "already":
            return _error("join_already", lang, workspace=ctx.workspace.name)
        return _error(f"join_{done.reason}", lang, code=done.code)
    return Reply(body=[_msg("join_ok", lang, workspace=done.workspace.name,
                            role=ROLE_NAMES[done.role][lang == "en"])],
                 intent="join", lang=lang,
                 data={"workspace": done.workspace.slug, "role": done.role.value})


def _start_with_code(previous: Handler | None) -> Handler:
    def start(ctx: Context) -> Reply:
        """``/start KODE`` joins; a bare ``/start`` is the foundation's welcome."""
        if ctx.parsed.args:
            return join(ctx)
        if previous is not None:
            return previous(ctx)
        return join(ctx)

    return start


def register_linking(router: Router) -> None:
    """``/undang`` (``/invite``), ``/gabung`` (``/join``) and ``/start KODE``.

    Register after the foundation: ``/start`` keeps its welcome when no code is given."""
    router.register(Command(names.INVITE, Role.ADMIN, invite,
                            "buat kode undangan sekali pakai (admin)",
                            "create a one-time invite code (admin)"))
    router.register(Command(names.JOIN, Role.VIEWER, join,
                            "hubungkan chat ini dengan kode: /gabung KODE",
                            "link this chat with a code: /join CODE", needs_link=False))
    previous = router.commands.get("start")
    router.register(Command(
        names.START, Role.VIEWER,
        _start_with_code(previous.handler if previous else None),
        previous.help_id if previous else "mulai, atau gabung dengan kode: /start KODE",
        previous.help_en if previous else "start, or join with a code: /start CODE",
        needs_link=False))
