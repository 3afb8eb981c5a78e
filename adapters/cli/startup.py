"""Why a ``kpibot`` command could not start (or stopped), in one clear line, without a
traceback and without any secret (issue 13, item 2).

An uncaught exception prints its traceback, and PTB's ``InvalidToken`` carries the whole
bot token in its message; the log redaction (``adapters/http/observability.py``) sees log records
only. So the CLI catches what escapes a command and reports it here: one line, naming the
setting to check, with every configured secret replaced by ``***``; in the JSON log format
the line is one JSON log record instead.
"""

from __future__ import annotations

import errno
import logging
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger("kpibot")
TELEGRAM_API = "https://api.telegram.org"


def _site(url: str | None, default: str) -> str:
    """scheme://host[:port] of a URL: never its user, password, path or query."""
    parts = urlsplit(url or default)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _database(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    try:
        url = make_url(settings.database_url)
    except Exception:
        return "the database"
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database or ':memory:'}"
    return f"the {url.get_backend_name()} database at {url.host or 'localhost'}" + (
        f":{url.port}" if url.port else "")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def explain(exc: BaseException, settings: Settings, command: str) -> str:
    """One line: what failed, why, and the setting to look at."""
    from sqlalchemy.exc import OperationalError

    where = f"kpibot {command}"
    name = type(exc).__name__
    module = type(exc).__module__
    telegram = _site(settings.telegram_api_url, TELEGRAM_API)
    api_hint = (" and that KPIBOT_TELEGRAM_API_URL is the Bot API server's root (e.g. "
                "http://127.0.0.1:8081)" if settings.telegram_api_url else "")
    if module.startswith("telegram") and name == "InvalidToken":
        return (f"{where}: the Telegram Bot API at {telegram} rejected the bot token "
                f"(KPIBOT_TELEGRAM_TOKEN). Check the token from @BotFather{api_hint}.")
    if module.startswith("telegram") and name in ("NetworkError", "TimedOut"):
        return (f"{where}: cannot reach the Telegram Bot API at {telegram} "
                f"({_first_line(exc)}). Check the network{api_hint}.")
    if module.startswith("telegram"):
        return f"{where}: Telegram refused to start the bot ({name}: {_first_line(exc)})."
    if module.startswith("slack_sdk"):
        slack = _site(settings.slack_api_url, "https://slack.com/api")
        return (f"{where}: Slack at {slack} refused to start the bot ({name}: "
                f"{_first_line(exc)}). Check KPIBOT_SLACK_BOT_TOKEN, KPIBOT_SLACK_APP_TOKEN "
                "and KPIBOT_SLACK_API_URL.")
    if isinstance(exc, OperationalError):
        reason = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
        return (f"{where}: cannot open {_database(settings)} ({reason}). Check "
                "KPIBOT_DATABASE_URL (or --db) and that the database server is running.")
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return (f"{where}: {settings.http_host}:{settings.http_port} is already in use. Set "
                "KPIBOT_HTTP_PORT to a free port, or stop the other server.")
    if isinstance(exc, OSError) and exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH):
        return f"{where}: a connection was refused ({_first_line(exc)})."
    return f"{where} failed: {name}: {_first_line(exc)}"


def report(exc: BaseException, settings: Settings, command: str) -> None:
    """Print (text logs) or log (JSON logs) :func:`explain`'s line, secrets redacted."""
    from adapters.http.observability import SecretRedactor, configured_secrets

    secrets = configured_secrets(settings)
    # a Telegram token's secret half is a secret on its own (URLs and messages cut it)
    secrets += [s.partition(":")[2] for s in secrets if ":" in s]
    line = SecretRedactor(secrets).redact(explain(exc, settings, command))
    if settings.log_format == "json":
        log.critical(line, extra={"error": type(exc).__name__})
    else:
        print(line, file=sys.stderr)
