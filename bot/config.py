"""Settings of the hotline, read from the environment or a `.env` file."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Turn '48h', '90m', '30s', '2d' or a number of seconds into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)):
        return timedelta(seconds=value)
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"Duration {value!r} is not understood; write e.g. '48h', '1m' or '30s'.")
    number, unit = match.groups()
    return timedelta(seconds=float(number) * _UNIT_SECONDS[(unit or "s").lower()])


class Settings(BaseSettings):
    """Everything an operator can change without touching code."""

    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'hotline.db'}"
    data_dir: Path = PROJECT_ROOT / "var"
    company_name: str = "淄博热力"
    company_name_en: str = "Zibo Heating"
    agent_id: str = "001"
    hotline_phone: str = "0533-12345"
    gas_emergency_number: str = "119"
    timezone: str = "Asia/Shanghai"
    followup_after: timedelta = timedelta(hours=48)
    # Follow-ups are only pushed inside this local daytime window (quiet hours at night).
    followup_window: str = "08:00-21:00"
    followup_reminder_after: timedelta = timedelta(hours=24)
    billing_file: Path = PROJECT_ROOT / "billing.yml"

    rasa_port: int = 5005
    action_port: int = 5055
    # Where Rasa and the action server listen. Loopback: nothing outside this machine reaches
    # them; 0.0.0.0 (or one address) only when they run on other hosts than the application.
    rasa_interface: str = "127.0.0.1"
    action_interface: str = "127.0.0.1"
    # Shared secrets of those two servers (Rasa's HTTP API, the action server's webhook). Unset:
    # derived from the secret key, so hosts sharing HOTLINE_SECRET_KEY agree without more setup.
    rasa_token: str | None = None
    action_token: str | None = None
    # Where the application finds Rasa; `hotline up` points it at the Rasa server it starts.
    rasa_url: str = "http://127.0.0.1:5005"
    # Opt-in scaling: several Rasa servers sharing one Redis tracker and lock store,
    # comma-separated; each resident is routed to one of them. Empty: only `rasa_url`.
    rasa_urls: str = ""
    rasa_timeout_seconds: float = 6.0
    host: str = "127.0.0.1"
    port: int = 8000
    # Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated
    # addresses, "*" for any). None by default: the client is the connecting address, which a
    # made-up header cannot change (the web chat's pace per address counts on it). Behind nginx
    # on this machine: 127.0.0.1.
    trusted_proxies: str = ""
    retry_pending_every_seconds: float = 30.0
    followup_check_every_seconds: float = 30.0
    sla_check_every_seconds: float = 60.0
    max_message_chars: int = 1000
    # A leak report that names its place is filed after this many minutes without an answer,
    # even if the resident never confirms it (bot/core/tickets/unfinished.py, R1).
    unfinished_leak_minutes: int = Field(default=10, ge=1)
    # Sites besides this one that may show the web chat in a frame (the company's website):
    # space-separated origins, e.g. "https://www.example-heating.cn". None by default.
    chat_frame_ancestors: str = ""
    # Web chat (bot/channels/web.py): request bodies past this many bytes are refused unread;
    # messages a minute per chat and per client address (0: no limit), over which a message is
    # kept and answered a little later, and far over which the client is told to resend.
    # Generous per address, as residents behind one carrier's NAT share one.
    max_request_bytes: int = Field(default=64 * 1024, gt=0)
    chat_messages_per_minute: int = Field(default=20, ge=0)
    chat_client_messages_per_minute: int = Field(default=120, ge=0)
    secret_key: str | None = None
    # The dispatchers' dashboard.
    dashboard_idle_minutes: int = 30
    login_max_failures: int = 5  # within login_lockout_minutes, per account and client address
    login_lockout_minutes: int = 15
    # Secure cookies: None decides by the request (HTTPS, or X-Forwarded-Proto behind a proxy).
    secure_cookies: bool | None = None
    # Logging of the application process (`hotline up` / `serve`); identifiers never go to logs.
    log_level: str = "INFO"
    # Residents' photos: files named by their content's hash under this directory.
    attachments_dir: Path | None = None  # default: <data_dir>/attachments (var/attachments)
    attachment_max_bytes: int = 10 * 1024 * 1024
    # Where Rasa keeps conversations (endpoints.yml); default: a SQLite file in data_dir.
    rasa_tracker_url: str | None = None
    # What admins change from the dashboard: the domain, the rules, the answers of their intents.
    domain_file: Path = PROJECT_ROOT / "domain.yml"
    rules_file: Path = PROJECT_ROOT / "data" / "rules.yml"
    answers_file: Path = PROJECT_ROOT / "answers.yml"
    # Outages (R10): estate names and their variants; when N no-heat reports from one place
    # within a window suggest an undeclared outage; when linked residents are asked again.
    estates_file: Path = PROJECT_ROOT / "estates.yml"
    outage_suspect_reports: int = 3
    outage_suspect_window: timedelta = timedelta(minutes=30)
    outage_recheck_after: timedelta = timedelta(hours=24)
    outage_check_every_seconds: float = 60.0
    # Where the NLU inbox writes annotated examples (the training data Rasa reads).
    nlu_data_dir: Path = PROJECT_ROOT / "data" / "nlu"

    # Telegram (read without the HOTLINE_ prefix, as Telegram's own tools name them).
    telegram_bot_token: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(default="https://api.telegram.org/bot", validation_alias="TELEGRAM_API_BASE_URL")
    # Where files are downloaded from; by default derived from the API base URL (a local Bot
    # API server serves both), so the two can never point at different servers by mistake.
    telegram_api_file_url: str | None = Field(default=None, validation_alias="TELEGRAM_API_FILE_URL")
    telegram_webhook_url: str | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_dispatcher_chat_id: int | None = Field(default=None, validation_alias="TELEGRAM_DISPATCHER_CHAT_ID")
    # Telegram user ids allowed to press the dispatchers' buttons, comma-separated.
    telegram_dispatcher_ids: str = Field(default="", validation_alias="TELEGRAM_DISPATCHER_IDS")
    telegram_poll_timeout: int = 20
    telegram_push_every_seconds: float = 5.0
    # Telegram allows about one message per second to one private chat (PTB's limiter does not
    # cover that); tests set it low.
    telegram_chat_interval_seconds: float = 1.0

    @field_validator("followup_after", "followup_reminder_after", "outage_suspect_window", "outage_recheck_after", mode="before")  # fmt: skip
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)  # type: ignore[arg-type]

    @property
    def dispatcher_ids(self) -> set[int]:
        return {int(part) for part in self.telegram_dispatcher_ids.replace(" ", "").split(",") if part}

    @property
    def tracker_url(self) -> str:
        return self.rasa_tracker_url or f"sqlite:///{self.data_dir.resolve() / 'rasa-trackers.db'}"

    @property
    def attachments_path(self) -> Path:
        return self.attachments_dir or self.data_dir / "attachments"

    @property
    def telegram_file_url(self) -> str:
        """The Bot API's file URL: `.../bot` becomes `.../file/bot`, as on api.telegram.org."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        base = self.telegram_api_base_url.rstrip("/")
        if not base.endswith("/bot"):
            raise ValueError("TELEGRAM_API_BASE_URL does not end in '/bot'; set TELEGRAM_API_FILE_URL as well.")
        return base[: -len("/bot")] + "/file/bot"

    @property
    def rasa_servers(self) -> list[str]:
        """The Rasa servers the application talks to: `rasa_urls` if set, else `rasa_url`."""
        return [url.strip() for url in self.rasa_urls.split(",") if url.strip()] or [self.rasa_url]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_secret_key(self) -> str:
        """Return the configured key, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            _create_private_file(key_file, secrets.token_hex(32))
        return key_file.read_text().strip()

    def resolved_rasa_token(self) -> str:
        """The token of Rasa's HTTP API (`rasa run --auth-token`)."""
        return self.rasa_token or derive_token(self.resolved_secret_key(), "rasa-http-api")

    def resolved_action_token(self) -> str:
        """The secret Rasa sends to the action server (endpoints.yml, `action_endpoint.token`)."""
        return self.action_token or derive_token(self.resolved_secret_key(), "action-server")


def derive_token(secret_key: str, label: str) -> str:
    """A token for one internal service, the same on every host with the same secret key.

    The HMAC key is itself derived (as bot/core/conversation/handles.py does for its key), so no token can equal
    a resident's pseudonym, which is an HMAC under the secret key itself (bot/channels/relay.py).
    """
    key = hashlib.sha256(("internal-service-token:" + secret_key).encode()).digest()
    return hmac.new(key, label.encode(), hashlib.sha256).hexdigest()


def _create_private_file(path: Path, content: str) -> None:
    """Create `path` readable by its owner only, complete or not at all.

    mkstemp makes the file 0600 from the start (a chmod afterwards leaves a moment in which
    others may open it), and the hard link publishes it whole: a process starting at the same
    moment never reads a half-written key. If another process won the race, its file stays.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(content)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (tests clear the cache to change them)."""
    return Settings()
