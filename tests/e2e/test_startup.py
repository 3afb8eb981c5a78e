"""Start-up failures (issue 13, item 2): each gives one clear line, no traceback, and no
secret in any output — stdout, stderr, text and JSON logs, ``--help``. A real ``kpibot``
subprocess runs against the Telegram stand-in (loopback only)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.telegram_standin import BotApiStandin

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAHsecretPart_abcdefghijklmnopqrstu"
OTHER_TOKEN = "987654321:AAHsomeoneElse_abcdefghijklmnopqr"
SLACK_BOT = "xoxb-1111-2222-SlackBotSecretValue"
SLACK_SIGNING = "8f3a0c1b2d4e5f60718293a4b5c6d7e8"
SLACK_APP = "xapp-1-A111-2222-SlackAppSecretValue"
WEBHOOK_SECRET = "Webhook_Secret-Value_0123456789"
DB_PASSWORD = "Db-Pa55word-Secret"
CLOSED = "http://127.0.0.1:9"  # discard port: nothing listens, nothing leaves the machine


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    return {**env, "PYTHONPATH": str(ROOT), "KPIBOT_HTTP_PORT": "0",
            "KPIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
            "KPIBOT_SLACK_SIGNING_SECRET": SLACK_SIGNING, "KPIBOT_SLACK_API_URL": CLOSED,
            "KPIBOT_LOG_LEVEL": "INFO", **extra}


async def kpibot(env: dict[str, str], *args: str, cwd: Path, timeout: float = 60) -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


def secrets_in(text: str, env: dict[str, str], api_token: str = "") -> list[str]:
    """Every configured secret (and a Telegram token's secret half) found in ``text``."""
    found = []
    values = [env.get(k, "") for k in ("KPIBOT_TELEGRAM_TOKEN", "KPIBOT_SLACK_BOT_TOKEN",
                                       "KPIBOT_SLACK_SIGNING_SECRET", "KPIBOT_SLACK_APP_TOKEN",
                                       "KPIBOT_TELEGRAM_WEBHOOK_SECRET")]
    values += [TOKEN, TOKEN.partition(":")[2], OTHER_TOKEN.partition(":")[2], DB_PASSWORD,
               api_token]
    for value in values:
        if value and value in text:
            found.append(value)
    return found


def one_clear_line(run: Run, *words: str) -> str:
    """The run failed with exactly one ``kpibot …`` line holding ``words``; no traceback."""
    assert run.code != 0, run.text
    assert "Traceback" not in run.text and 'File "' not in run.text, run.text[-3000:]
    lines = [line for line in run.err.splitlines()
             if line.startswith("kpibot") or '"level": "CRITICAL"' in line]
    assert len(lines) == 1, run.text[-3000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    api = BotApiStandin(OTHER_TOKEN)  # knows another bot: our token is rejected
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def our_standin() -> AsyncIterator[BotApiStandin]:
    api = BotApiStandin(TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_rejected_telegram_token_is_one_line_without_the_token(
        tmp_path: Path, standin: BotApiStandin, log_format: str) -> None:
    env = base_env(tmp_path, KPIBOT_TELEGRAM_TOKEN=TOKEN, KPIBOT_TELEGRAM_API_URL=standin.url,
                   KPIBOT_SLACK_BOT_TOKEN=SLACK_BOT, KPIBOT_LOG_FORMAT=log_format)
    api_token = await _api_token(env, tmp_path)
    run = await kpibot(env, "serve", cwd=tmp_path)
    one_clear_line(run, "rejected the bot token", "KPIBOT_TELEGRAM_TOKEN")
    assert secrets_in(run.text, env, api_token) == []


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["/wrong", "/api/bot"])
async def test_a_wrong_telegram_api_url_is_one_line_without_the_token(
        tmp_path: Path, our_standin: BotApiStandin, suffix: str) -> None:
    env = base_env(tmp_path, KPIBOT_TELEGRAM_TOKEN=TOKEN,
                   KPIBOT_TELEGRAM_API_URL=our_standin.url + suffix)
    run = await kpibot(env, "serve", cwd=tmp_path)
    one_clear_line(run, "KPIBOT_TELEGRAM_API_URL")
    assert secrets_in(run.text, env) == []


@pytest.mark.slow
async def test_an_unreachable_telegram_api_is_one_line(tmp_path: Path) -> None:
    env = base_env(tmp_path, KPIBOT_TELEGRAM_TOKEN=TOKEN, KPIBOT_TELEGRAM_API_URL=CLOSED,
                   KPIBOT_LOG_FORMAT="json")
    run = await kpibot(env, "serve", cwd=tmp_path)
    one_clear_line(run, "cannot reach the Telegram Bot API at http://127.0.0.1:9")
    assert secrets_in(run.text, env) == []


async def test_a_malformed_webhook_secret_is_refused_as_a_setting(tmp_path: Path) -> None:
    bad = "not a valid secret: " + WEBHOOK_SECRET
    env = base_env(tmp_path, KPIBOT_TELEGRAM_TOKEN=TOKEN, KPIBOT_TELEGRAM_API_URL=CLOSED,
                   KPIBOT_TELEGRAM_WEBHOOK_URL="https://bot.example/telegram",
                   KPIBOT_TELEGRAM_WEBHOOK_SECRET=bad)
    run = await kpibot(env, "serve", cwd=tmp_path)
    one_clear_line(run, "KPIBOT_TELEGRAM_WEBHOOK_SECRET", "A–Z")
    assert secrets_in(run.text, env) == [] and bad not in run.text


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://kpibot:{DB_PASSWORD}@127.0.0.1:notaport/kpibot",
    f"postgres ql://kpibot:{DB_PASSWORD}@127.0.0.1/kpibot",
    f"mysqlx://kpibot:{DB_PASSWORD}@127.0.0.1/kpibot"])
async def test_a_malformed_database_url_is_one_line_without_the_password(
        tmp_path: Path, url: str) -> None:
    env = base_env(tmp_path, KPIBOT_DATABASE_URL=url, KPIBOT_TELEGRAM_TOKEN=TOKEN)
    for command in ("serve", "migrate"):
        run = await kpibot(env, command, cwd=tmp_path)
        one_clear_line(run, "KPIBOT_DATABASE_URL")
        assert secrets_in(run.text, env) == []
    run = await kpibot(base_env(tmp_path), "--db", url, "ask", "/kpi", cwd=tmp_path)
    one_clear_line(run, "KPIBOT_DATABASE_URL")
    assert DB_PASSWORD not in run.text


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_migrate_on_an_unreachable_database_is_one_line(tmp_path: Path,
                                                              log_format: str) -> None:
    url = f"postgresql+psycopg://kpibot:{DB_PASSWORD}@127.0.0.1:1/kpibot?connect_timeout=3"
    env = base_env(tmp_path, KPIBOT_DATABASE_URL=url, KPIBOT_TELEGRAM_TOKEN=TOKEN,
                   KPIBOT_LOG_FORMAT=log_format)
    for command in ("migrate", "serve"):
        run = await kpibot(env, command, cwd=tmp_path)
        one_clear_line(run, "cannot open the postgresql database at 127.0.0.1:1",
                       "KPIBOT_DATABASE_URL")
        assert secrets_in(run.text, env) == []


async def test_help_shows_no_secret(tmp_path: Path) -> None:
    env = base_env(tmp_path, KPIBOT_TELEGRAM_TOKEN=TOKEN, KPIBOT_SLACK_BOT_TOKEN=SLACK_BOT,
                   KPIBOT_SLACK_APP_TOKEN=SLACK_APP, KPIBOT_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
                   KPIBOT_DATABASE_URL=f"postgresql+psycopg://kpibot:{DB_PASSWORD}@h/kpibot")
    for args in (["--help"], ["serve", "--help"], ["import", "--help"], ["link", "--help"]):
        run = await kpibot(env, *args, cwd=tmp_path)
        assert run.code == 0 and "usage: kpibot" in run.out
        assert secrets_in(run.text, env) == []


@pytest.mark.parametrize("form", ["", "/", "/bot", "/bot/"])
async def test_the_telegram_api_url_takes_the_root_and_the_bot_form(
        tmp_path: Path, our_standin: BotApiStandin, form: str) -> None:
    """SPEC §9: ``KPIBOT_TELEGRAM_API_URL`` is the server root; ``…/bot`` works too."""
    from adapters.chat.telegram import build_application
    from bot.bootstrap import bootstrap
    from config.settings import load_settings

    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'k.db'}",
                             telegram_token=TOKEN, telegram_api_url=our_standin.url + form)
    assert settings.telegram_api_url == our_standin.url
    app = bootstrap(settings)
    application = build_application(app, api_url=our_standin.url + form)
    try:
        await application.initialize()  # getMe through the stand-in
        assert application.bot.username == our_standin.bot_user["username"]
    finally:
        await application.shutdown()
        app.close()


async def _api_token(env: dict[str, str], cwd: Path) -> str:
    run = await kpibot(env, "token", "create", "--workspace", "w", cwd=cwd)
    assert run.code == 0, run.text
    return run.out.strip().splitlines()[-1]
