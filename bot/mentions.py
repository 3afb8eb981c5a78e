"""How a message names a chat user: Slack's markup ``<@U123ABC>`` or ``<@U123ABC|name>``,
declared once. The Slack adapter drops only the bot's own mention and keeps the others, so
``/peran <@U123ABC> editor`` reaches the router with the user in it; questions and goals
drop the mentions that are left (``bot/parsing.py``, ``bot/goal_commands.py``), and
``/peran`` reads its user from one (``bot/goal_admin.py``). Telegram users are named by
their numeric id, so Telegram needs no markup here.
"""

from __future__ import annotations

import re

USER_MENTION = re.compile(r"<@(?P<id>[A-Za-z0-9]+)(?:\|(?P<name>[^>]*))?>")


def drop_mentions(text: str) -> str:
    """The text with every user mention replaced by a space."""
    return USER_MENTION.sub(" ", text)
