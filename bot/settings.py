"""Every setting of supportdesk, read once from the environment (prefix ``SUPPORTDESK_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """A setting in the environment is invalid; the message names the variable."""


class Settings(BaseSettings):
    """Where things live and which ports the three processes listen on."""

    model_config = SettingsConfigDict(env_prefix="SUPPORTDESK_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
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
    embedding_model: str = "all-MiniLM-L6-v2"
    # Adapt the encoder to the FAQ's own phrasings when building the index.
    tune_encoder: bool = True
    rasa_bin: Path = PROJECT_DIR / ".venv-rasa" / "bin" / "rasa"

    @property
    def tracker_db(self) -> Path:
        return self.data_dir / "rasa-tracker.db"

    @property
    def supportdesk_db(self) -> Path:
        return self.data_dir / "supportdesk.db"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def child_environment(self) -> dict[str, str]:
        """Variables the Rasa server needs to resolve endpoints.yml, and that children inherit."""
        return {
            "RASA_TELEMETRY_ENABLED": "false",
            "SUPPORTDESK_HOST": self.host,
            "SUPPORTDESK_GATEWAY_PORT": str(self.gateway_port),
            "SUPPORTDESK_RASA_PORT": str(self.rasa_port),
            "SUPPORTDESK_ACTIONS_PORT": str(self.actions_port),
            "SUPPORTDESK_KNOWLEDGE_DIR": str(self.knowledge_dir),
            "SUPPORTDESK_DATA_DIR": str(self.data_dir),
            "SUPPORTDESK_MODELS_DIR": str(self.models_dir),
            "SUPPORTDESK_INDEX_DIR": str(self.index_dir),
            "SUPPORTDESK_EMBEDDING_MODEL": self.embedding_model,
            "SUPPORTDESK_TUNE_ENCODER": str(self.tune_encoder).lower(),
            "SUPPORTDESK_TRACKER_DB": str(self.tracker_db),
            # rasa-sdk's action server listens on SANIC_HOST (all interfaces if unset).
            "SANIC_HOST": self.host,
        }


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's errors into one message naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "?"
            lines.append(f"SUPPORTDESK_{field.upper()}: {problem['msg']} (got {problem.get('input')!r})")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
