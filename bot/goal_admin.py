"""/roi and /peran (/role): a campaign's return, and who may set goals in a chat.

- ``/roi [campaign] [period]``: ROI, ROAS, CPC, spend and revenue of one campaign or of all
  (one statement: ``answers.kpis``). A campaign without a period covers its whole run (its
  first to its last day with data); without either, the default period (``minggu ini``).
- ``/peran @user editor`` (``/role``): an admin gives a user of this chat a role. Telegram
  users are named by ``@username`` (found among the users the bot has seen in this chat) or
  by their numeric id; Slack users by their mention ``<@U123ABC>``. ``/peran`` alone lists
  the roles in this chat.
"""

from __future__ import annotations

from typing import Any

from bot import command_names as names
from bot import formatting as fmt
from bot import views
from bot.goal_commands import command_body
from bot.i18n import t, translate
from bot.linking import ROLE_NAMES
from bot.mentions import USER_MENTION
from bot.question_parts import channel_error, period_or_error
from bot.reply import Reply
from bot.router import OPERATOR_PLATFORMS, Command, Context, Router, error_reply
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Role
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.services import answers, linking
from kpi_engine.services.workspaces import campaign_span

ADMIN_MESSAGES: dict[str, tuple[str, str]] = {
    "roi_title": ("ROI · {scope} · {period}", "ROI · {scope} · {period}"),
    "roi_run": ("sepanjang kampanye", "whole campaign"),
    "roi_unknown_campaign": ("Kampanye \"{name}\" tidak ada. Kampanye yang ada: {known}.",
                             "There is no campaign \"{name}\". Campaigns: {known}."),
    "roi_no_data": ("Kampanye \"{name}\" belum punya data.",
                    "The campaign \"{name}\" has no data yet."),
    "roi_revenue_split": ("Pendapatan dari kampanye berbayar: {paid} · organik (tanpa biaya "
                          "iklan): {organic}",
                          "Revenue from paid campaigns: {paid} · organic (no ad spend): "
                          "{organic}"),
    "roi_campaigns": ("Per kampanye: /roi {first} · kampanye: {names}",
                      "By campaign: /roi {first} · campaigns: {names}"),
    "none": ("belum ada", "none yet"),
    "role_usage": ("Format: /peran @pengguna viewer|editor|admin. Contoh: /peran @budi editor",
                   "Usage: /role @user viewer|editor|admin. Example: /role @budi editor"),
    "role_operator": ("Peran diatur per chat. Dari CLI: kpibot link --workspace W --platform "
                      "telegram --chat ID --user ID --role editor",
                      "Roles are set per chat. From the CLI: kpibot link --workspace W "
                      "--platform telegram --chat ID --user ID --role editor"),
    "role_unknown_user": ("Saya belum pernah melihat @{name} di chat ini. Minta dia mengirim "
                          "pesan ke bot di sini (misalnya /bantuan), lalu coba lagi.",
                          "I haven't seen @{name} in this chat yet. Ask them to send the bot "
                          "a message here (e.g. /help), then try again."),
    "role_self": ("Anda tidak bisa mengubah peran Anda sendiri; minta admin lain.",
                  "You can't change your own role; ask another admin."),
    "role_set": ("Peran {user} di chat ini sekarang {role}.",
                 "{user}'s role in this chat is now {role}."),
    "role_shadowed": ("Catatan: semua anggota chat ini sudah {role}, jadi peran pribadi yang "
                      "lebih rendah tidak berpengaruh.",
                      "Note: everyone in this chat is already {role}, so a lower personal "
                      "role has no effect."),
    "role_list_title": ("Peran di chat ini", "Roles in this chat"),
    "role_chat": ("Semua anggota: {role}", "Everyone: {role}"),
    "role_user": ("{user}: {role}", "{user}: {role}"),
    "role_footer": ("Ubah: /peran @pengguna editor", "Change: /role @user editor"),
}

ROI_METRICS = ("roi", "roas", "cpc", "spend", "revenue")
ROLE_WORDS: dict[str, Role] = {
    "viewer": Role.VIEWER, "penonton": Role.VIEWER, "pembaca": Role.VIEWER,
    "editor": Role.EDITOR, "penyunting": Role.EDITOR,
    "admin": Role.ADMIN, "administrator": Role.ADMIN,
}


def _msg(key: str, lang: str, **params: object) -> str:
    return translate(ADMIN_MESSAGES, key, lang, **params)


def _error(key: str, lang: str, **params: object) -> Reply:
    return Reply(body=[_msg(key, lang, **params)], intent="error", error=key, lang=lang,
                 ephemeral=True)


# ----------------------------------------------------------------------------- /roi

def roi(ctx: Context) -> Reply:
    """ROI, ROAS, CPC, spend and revenue of a campaign or of all."""
    p, lang = ctx.parsed, ctx.lang
    campaign = p.campaign
    if campaign is not None:
        known = {c.lower(): c for c in ctx.campaigns}
        if campaign.lower() not in known:
            return _error("roi_unknown_campaign", lang, name=campaign,
                          known=", ".join(ctx.campaigns) or _msg("none", lang))
        campaign = known[campaign.lower()]
    bad = channel_error(ctx)
    if bad:
        return bad
    whole_run = campaign is not None and p.period is None and p.period_error is None
    if whole_run:
        assert campaign is not None
        span = campaign_span(ctx.store, ctx.workspace.id, campaign)
        if span is None:
            return _error("roi_no_data", lang, name=campaign)
        end = min(span[1], ctx.today)
        run = Period(span[0], end, _msg("roi_run", lang))
        length = (end - span[0]).days + 1
        before = Period(span[0].fromordinal(span[0].toordinal() - length),
                        span[0].fromordinal(span[0].toordinal() - 1))
        pq: PeriodQuery | Reply = PeriodQuery(run, before)
    else:
        pq = period_or_error(ctx)
    if isinstance(pq, Reply):
        return pq
    try:
        found = answers.kpis(ctx.store, ctx.workspace.id, ctx.channels, list(ROI_METRICS), pq,
                             p.channel, campaign)
    except answers.UnknownChannel as exc:
        return error_reply("unknown_channel", lang, name=exc.name,
                           known=", ".join(exc.known) or t("no_channels", lang))
    return _roi_reply(ctx, found, pq, campaign, whole_run)


def _roi_reply(ctx: Context, found: list[answers.KpiAnswer], pq: PeriodQuery,
               campaign: str | None, whole_run: bool) -> Reply:
    lang, currency = ctx.lang, ctx.workspace.currency
    scope = views.scope_label(found[0].scope_label, campaign, lang)
    body = []
    data: dict[str, Any] = {"campaign": campaign, "channel": found[0].scope_label,
                            "period": {"label": pq.current.label,
                                       "start": pq.current.start.isoformat(),
                                       "end": pq.current.end.isoformat()}}
    for a in found:
        line = f"{a.metric.label(lang)}: {views.value_text(a.metric, a.value, currency, lang)}"
        move = "" if whole_run or a.value is None else views.trend(a.metric, a, lang)
        if move:
            line += f"  {move}"
        body.append(line)
        data[a.metric.key] = None if a.value is None else round(a.value, 4)
    # SPEC §3.1: ROI, ROAS and CPC count the paid (channel, campaign) pairs only; the revenue
    # without spend is organic and shown apart
    by_key = {a.metric.key: a for a in found}
    paid = by_key["roas"].current.numerator
    total = by_key["revenue"].value
    organic = None if total is None else total - (paid or 0.0)
    if total is not None:
        revenue = METRICS["revenue"]
        body.append(_msg("roi_revenue_split", lang,
                         paid=views.value_text(revenue, paid or 0.0, currency, lang),
                         organic=views.value_text(revenue, organic, currency, lang)))
    campaigns = by_key["roi"].paid_campaigns or by_key["roas"].paid_campaigns
    if campaigns:
        body.append(views.meaning("paid_scope", lang,
                                  names=views.campaign_names(campaigns, lang)))
    data["paid_revenue"] = None if paid is None else round(paid, 4)
    data["organic_revenue"] = None if organic is None else round(organic, 4)
    data["paid_campaigns"] = list(campaigns)
    data["metrics"] = [views.kpi_data(a) for a in found]
    if whole_run:
        data["previous"] = None
        footer = ""
    else:
        footer = t("vs", lang, period=fmt.day_range(pq.previous.start, pq.previous.end, lang))
    if campaign is None and ctx.campaigns:
        footer = "\n".join(x for x in (footer, _msg(
            "roi_campaigns", lang, first=ctx.campaigns[0], names=", ".join(ctx.campaigns))) if x)
    title = _msg("roi_title", lang, scope=scope, period=views.period_label(pq.current, lang))
    return Reply(title=title, body=body, footer=footer, intent="roi", data=data, lang=lang)


# ----------------------------------------------------------------------------- /peran

def _chat_role(ctx: Context) -> Role | None:
    req = ctx.request
    return next((link.role for link in linking.chat_roles(ctx.store, ctx.workspace.id,
                                                           req.platform, req.chat_id)
                 if not link.user_id), None)


def role(ctx: Context) -> Reply:
    """Give a user of this chat a role (admins only)."""
    req, lang = ctx.request, ctx.lang
    if req.platform in OPERATOR_PLATFORMS:
        return _error("role_operator", lang)
    words = command_body(ctx).split()
    if not words:
        return _role_list(ctx)
    wanted = [ROLE_WORDS[w.lower()] for w in words if w.lower() in ROLE_WORDS]
    people = [w for w in words if w.lower() not in ROLE_WORDS]
    if len(wanted) != 1 or len(people) != 1:
        return _error("role_usage", lang)
    who = people[0]
    slack = USER_MENTION.fullmatch(who)
    if slack is not None:
        user_id, shown = slack["id"], f"<@{slack['id']}>"
    elif who.isdigit():
        user_id, shown = who, who
    else:
        name = who.lstrip("@")
        found = linking.find_user(ctx.store, req.platform, req.chat_id, name)
        if found is None:
            return _error("role_unknown_user", lang, name=name)
        user_id, shown = found, "@" + name.lower()
    if user_id == req.user_id:
        return _error("role_self", lang)
    new_role = wanted[0]
    linking.link(ctx.store, ctx.workspace.id, req.platform, req.chat_id, new_role, user_id=user_id)
    body = [_msg("role_set", lang, user=shown, role=_role_name(new_role, lang))]
    chat_role = _chat_role(ctx)
    if chat_role is not None and chat_role.rank > new_role.rank:
        body.append(_msg("role_shadowed", lang, role=_role_name(chat_role, lang)))
    return Reply(body=body, intent="role", lang=lang,
                 data={"user_id": user_id, "role": new_role.value, "platform": req.platform,
                       "chat_id": req.chat_id})


def _role_name(r: Role, lang: str) -> str:
    return ROLE_NAMES[r][1 if lang == "en" else 0]


def _role_list(ctx: Context) -> Reply:
    req, lang = ctx.request, ctx.lang
    names = linking.user_names(ctx.store, req.platform, req.chat_id)
    body: list[str] = []
    users: list[dict[str, str]] = []
    for link in linking.chat_roles(ctx.store, ctx.workspace.id, req.platform, req.chat_id):
        r = link.role
        if not link.user_id:
            body.insert(0, _msg("role_chat", lang, role=_role_name(r, lang)))
            continue
        shown = "@" + names[link.user_id] if names.get(link.user_id) else link.user_id
        body.append(_msg("role_user", lang, user=shown, role=_role_name(r, lang)))
        users.append({"user_id": link.user_id, "role": r.value})
    return Reply(title=_msg("role_list_title", lang), body=body,
                 footer=_msg("role_footer", lang), intent="role", lang=lang,
                 data={"users": users})


def register_goal_admin(router: Router) -> None:
    router.register(Command(names.ROI, Role.VIEWER, roi,
                            "ROI, ROAS, CPC, biaya dan pendapatan: /roi ramadan",
                            "ROI, ROAS, CPC, spend and revenue: /roi ramadan"))
    router.register(Command(names.ROLE, Role.ADMIN, role,
                            "atur peran di chat ini: /peran @budi editor",
                            "set roles in this chat: /role @budi editor"))
