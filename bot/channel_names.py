"""Which channels a message names: platform words, custom channels and handles
(``@kopirival``, ``kopirival``, ``instagram:@kopirival``), one or several side by side."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.parsed_text import ParsedText
from bot.tokens import Hit, Token
from kpi_engine.domain.model import PLATFORM_ALIASES, PLATFORMS, parse_channel_name

_HANDLE = re.compile(r"(?:(?P<platform>[a-z][a-z ]*):)?(?P<at>@?)(?P<handle>[\w.]+)")


def handle_channel(platform: str | None, handle: str, channels: Sequence[str]) -> str | None:
    """The known channel whose handle this is (on ``platform`` when given)."""
    bare = handle.lstrip("@").lower()
    for name in channels:
        if ":" not in name:
            continue
        plat, hand = parse_channel_name(name)
        if hand.lstrip("@") == bare and (platform is None or plat == platform):
            return name
    return f"{platform}:@{bare}" if platform else None


def take_handles(tokens: list[Token]) -> list[tuple[int, str | None, str]]:
    """Every ``@handle`` / ``platform:@handle``: (token index, platform or None, handle)."""
    found: list[tuple[int, str | None, str]] = []
    for t, tok in enumerate(tokens):
        match = _HANDLE.fullmatch(tok.clean.lower())
        if match is None or not (match["at"] or match["platform"]):
            continue
        platform = PLATFORM_ALIASES.get(match["platform"]) if match["platform"] else None
        if match["platform"] and platform is None:
            continue  # "re:reach", "catatan:" — no platform
        tok.used = True
        found.append((t, platform, match["handle"]))
    return found


def read_channels(result: ParsedText, tokens: list[Token], hits: list[Hit],
                   handles: list[tuple[int, str | None, str]], channels: Sequence[str]) -> None:
    """The channel(s) named: platforms, custom channels and handles (``@kopirival``,
    ``kopirival``, ``instagram:@kopirival``). A handle next to a platform is that platform's
    account ("followers kopirival tiktok"); names joined by vs/sama/dan stand side by side."""
    index = {id(tok): t for t, tok in enumerate(tokens)}
    items: list[tuple[int, str, str | None, str]] = []  # (token, kind, platform, value)
    for hit in hits:
        if hit.kind in ("platform", "channel", "handle"):
            at = index[id(hit.tokens[0])]
            if hit.kind == "handle":
                items.append((at, "handle", None, hit.value))
            else:
                items.append((at, "name", None, hit.value))
    for at, platform, handle in handles:
        items.append((at, "handle", platform, handle))
    items.sort(key=lambda item: item[0])
    named: list[str] = []
    group: list[tuple[int, str, str | None, str]] = []

    def close() -> None:
        names = [v for _, k, _, v in group if k == "name"]
        found = [(p, h) for _, k, p, h in group if k == "handle"]
        if len(found) == 1:
            plat = found[0][0] or next((n for n in names if n in PLATFORMS), None)
            known = handle_channel(plat, found[0][1], channels)
            if known is None:
                result.unknown_channel = result.unknown_channel or "@" + found[0][1]
            else:
                names = [n for n in names if n != plat]
                named.append(known)
        else:
            for plat, handle in found:
                known = handle_channel(plat, handle, channels)
                if known is None:
                    result.unknown_channel = result.unknown_channel or "@" + handle
                else:
                    named.append(known)
        named.extend(names)
        group.clear()

    for item in items:
        if group and any((tok.words and tok.words[0] in _SIDE_BY_SIDE) or tok.raw.endswith(",")
                         for tok in tokens[group[-1][0]:item[0]]):
            close()
        group.append(item)
    close()
    named = list(dict.fromkeys(named))
    implied = result.channel  # "pelanggan youtube" left its channel here
    if named:
        result.channel = named[0]
    else:
        result.channel = implied
    if len(named) > 1:
        result.channels = named
    for hit in hits:
        if hit.kind in ("platform", "channel", "handle"):
            for tok in hit.tokens:
                tok.extra = False


#: Words that put two channels or campaigns side by side.
_SIDE_BY_SIDE = frozenset({"vs", "versus", "sama", "dan", "atau", "and", "or", "&", "dengan",
                           "lawan", "with", "v", "dibanding", "dibandingkan", "against"})
