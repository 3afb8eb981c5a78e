"""Plain domain objects shared by the engine, the importer and the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"viewer": 1, "editor": 2, "admin": 3}[self.value]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


#: Known platforms and the words people use for them (normalized, lower case).
PLATFORM_ALIASES: dict[str, str] = {
    "instagram": "instagram", "ig": "instagram", "insta": "instagram",
    "tiktok": "tiktok", "tik tok": "tiktok", "tt": "tiktok",
    "youtube": "youtube", "yt": "youtube", "you tube": "youtube",
    "facebook": "facebook", "fb": "facebook",
    "x": "x", "twitter": "x",
    "linkedin": "linkedin", "linked in": "linkedin",
    "website": "website", "web": "website", "situs": "website", "situs web": "website",
}
PLATFORMS: tuple[str, ...] = ("instagram", "tiktok", "youtube", "facebook", "x", "linkedin",
                              "website")


@dataclass(frozen=True)
class Workspace:
    id: int
    slug: str
    name: str
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    currency: str = "IDR"


@dataclass(frozen=True)
class Channel:
    id: int
    workspace_id: int
    platform: str
    handle: str = ""
    is_competitor: bool = False

    @property
    def name(self) -> str:
        """``instagram`` or ``instagram:@rival``: the name users and files use."""
        return f"{self.platform}:{self.handle}" if self.handle else self.platform


class SnapshotRow(NamedTuple):
    """One value to write: the key is (channel platform+handle, metric, day, campaign)."""

    day: date
    platform: str
    handle: str
    metric: str
    value: float
    campaign: str = ""
    competitor: bool | None = None  # None: leave the channel's flag as it is


@dataclass(frozen=True)
class WriteResult:
    written: int  # distinct keys stored by this write (new + replaced)
    replaced: int  # of those, keys that already had a value

    @property
    def inserted(self) -> int:
        return self.written - self.replaced


def parse_channel_name(text: str) -> tuple[str, str]:
    """``"Instagram:@Rival"`` → ``("instagram", "@rival")``; ``"ig"`` → ``("instagram", "")``.

    Unknown platform names are kept as custom channel names (lower case).
    """
    raw = text.strip()
    platform, _, handle = raw.partition(":")
    platform = " ".join(platform.lower().split())
    platform = PLATFORM_ALIASES.get(platform, platform)
    return platform, handle.strip().lower()
