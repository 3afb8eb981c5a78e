"""Hostile names: what an import (or a chat) may put into a channel handle, a campaign or a
workspace name, and what must reach Slack (mrkdwn) and Telegram (HTML) only as text.

Each entry is a name as stored; tests send them through every command that echoes names and
every alert kind, then read what the Slack and Telegram stand-ins received."""

from __future__ import annotations

#: Channel handles (``instagram:<handle>``), stored lower-case by the importer.
HANDLES: tuple[str, ...] = (
    "<!here>",
    "<!channel>",
    "<!everyone>",
    "<@u0boss>",
    "<https://evil.example|klik di sini>",
    "<b>tebal</b>",
    "kopi&teh",
    "&lt;!here&gt;",
)

#: Campaign names.
CAMPAIGNS: tuple[str, ...] = (
    "<!channel> promo",
    "<!here>",
    "<https://evil.example|klik di sini>",
    "<@U0BOSS> diskon",
    "<i>miring</i> & <a href=\"https://evil.example\">x</a>",
    "</b><script>alert(1)</script>",
    "\x1b[31mmerah\x1b[0m",
)

#: A workspace name (digests and join replies echo it).
WORKSPACE_NAME = "<!channel> Kopi & <Teh>"

#: What a hostile name must never become on Slack: a special mention, a user mention, a
#: channel link or a labelled link (``<…>`` in mrkdwn).
SLACK_MARKUP = ("<!", "<@", "<#", "<http", "<mailto")
