"""Typed settings from ``KPIBOT_*`` environment variables or a ``.env`` file (SPEC §9)."""

from __future__ import annotations

import re

from pydantic import SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDERS = {"changeme", "change-me", "xxx", "your-token-here", "token", "secret", "todo"}
#: What Telegram accepts as a webhook's ``secret_token``.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: The chat platforms by name (``Request.platform``, ``kpibot link --platform``): each is a
#: module of ``adapters/chat/`` with its settings below (``tests/unit/test_layers.py`` checks).
CHAT_PLATFORMS = ("telegram", "slack")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KPIBOT_", env_file=".env",
                                      env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///kpibot.db"
    #: PostgreSQL straight, not through a pooler: the leader lock's own connection (a session
    #: advisory lock does not survive PgBouncer's transaction pooling). None: database_url.
    database_direct_url: str | None = None
    telegram_token: SecretStr | None = None
    telegram_api_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    # data sources (SPEC §10): Meta's Graph API (Instagram, Facebook Pages, Meta Ads)
    meta_api_url: str | None = None  # None: https://graph.facebook.com
    meta_api_version: str = "v24.0"
    meta_app_id: str | None = None
    meta_app_secret: SecretStr | None = None
    # TikTok API for Business (TikTok business account, TikTok Ads)
    tiktok_api_url: str | None = None  # None: https://business-api.tiktok.com
    tiktok_app_id: str | None = None
    tiktok_app_secret: SecretStr | None = None
    # Google: YouTube Data API v3 + YouTube Analytics API v2 (OAuth), GA4 Data API (service
    # account); the OAuth token endpoint serves both
    youtube_api_url: str | None = None  # None: https://www.googleapis.com (Data API v3)
    youtube_analytics_url: str | None = None  # None: the YouTube API URL if set, else Google's
    ga4_api_url: str | None = None  # None: https://analyticsdata.googleapis.com
    google_token_url: str | None = None  # None: https://oauth2.googleapis.com/token
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    # `kpibot source add PLATFORM --oauth` (docs/sources.md): the callback `kpibot serve`
    # serves, as the platforms' apps have it registered, and each platform's sign-in page
    oauth_redirect_url: str | None = None  # e.g. https://bot.example.com/oauth/callback
    meta_dialog_url: str | None = None  # None: https://www.facebook.com
    tiktok_auth_url: str | None = None  # None: https://www.tiktok.com/v2/auth/authorize/
    tiktok_ads_auth_url: str | None = None  # None: https://business-api.tiktok.com/portal/auth
    google_auth_url: str | None = None  # None: https://accounts.google.com/o/oauth2/v2/auth
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    log_format: str = "text"
    log_level: str = "INFO"
    #: a Fernet key (``kpibot secret-key`` prints a new one): data-source tokens are
    #: encrypted with it at rest; without it no source can be added (docs/sources.md)
    secret_key: SecretStr | None = None

    @field_validator("telegram_token", "telegram_webhook_secret", "slack_bot_token",
                     "slack_signing_secret", "slack_app_token", "meta_app_secret",
                     "tiktok_app_secret", "secret_key", "google_client_secret",
                     mode="before")
    @classmethod
    def _no_placeholders(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if value.strip().lower() in PLACEHOLDERS:
                raise ValueError("is a placeholder; set the real secret or leave it unset")
        return value

    @field_validator("telegram_webhook_secret", mode="after")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1–256 characters of A–Z, a–z, 0–9, _ and - (what "
                             "Telegram accepts), e.g. from `openssl rand -hex 32`")
        return value

    @field_validator("oauth_redirect_url", "meta_dialog_url", "tiktok_auth_url",
                     "tiktok_ads_auth_url", "google_auth_url")
    @classmethod
    def _page_url(cls, value: str | None) -> str | None:
        """A full URL kept as written: a redirect URL must match the one registered in the
        platform's app character for character (TikTok's sign-in page ends in ``/``)."""
        if value is None or not value.strip():
            return None
        url = value.strip()
        if not re.match(r"https?://[^/\s]+", url) or any(c.isspace() for c in url):
            raise ValueError("must be an http:// or https:// URL, e.g. "
                             "https://bot.example.com/oauth/callback")
        return url

    @field_validator("telegram_api_url", "slack_api_url", "meta_api_url", "tiktok_api_url")
    @classmethod
    def _api_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A base URL; for Telegram the server root, ``…/bot`` accepted too (SPEC §9)."""
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        if info.field_name == "telegram_api_url":
            url = url.removesuffix("/bot")
        if not re.match(r"https?://[^/\s]+", url):
            raise ValueError("must be an http:// or https:// URL, e.g. http://127.0.0.1:8081")
        return url

    @field_validator("database_url", "database_direct_url")
    @classmethod
    def _database_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A SQLAlchemy URL; the error never repeats it (it may hold a password)."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        if value is None or (info.field_name == "database_direct_url" and not value.strip()):
            return None

        example = ("e.g. sqlite:///kpibot.db or "
                   "postgresql+psycopg://user:password@host:5432/kpibot")
        try:
            url = make_url(value.strip())
            _ = url.port
        except (ArgumentError, ValueError):
            raise ValueError(f"is not a database URL ({example})") from None
        try:
            url.get_dialect()
        except NoSuchModuleError:
            raise ValueError(f"names an unknown kind of database '{url.drivername}' "
                             f"({example})") from None
        return value.strip()

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("must be 'id' or 'en'")
        return value

    @field_validator("log_format", "log_level")
    @classmethod
    def _log_setting(cls, value: str, info: ValidationInfo) -> str:
        allowed = (("text", "json") if info.field_name == "log_format" else
                   ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
        value = value.strip().lower() if info.field_name == "log_format" else value.strip().upper()
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        ZoneInfo(value)  # raises for an unknown zone
        return value

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def chat_enabled(self) -> bool:
        return self.telegram_enabled or self.slack_enabled


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. ``--db``) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
