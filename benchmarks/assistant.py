"""The whole assistant (Rasa server, action server, gateway) on free loopback ports with a fresh
data directory, for the benchmarks that talk to it as a channel would."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.processes import Supervisor, free_port, services
from bot.settings import Settings, load_settings
from bot.training import ensure_model


@dataclass(frozen=True)
class Running:
    settings: Settings
    supervisor: Supervisor
    token: str  # the channel token the gateway wrote for API channels

    @property
    def url(self) -> str:
        return self.settings.gateway_url


@contextmanager
def running_assistant(**overrides: object) -> Iterator[Running]:
    """Start the three processes (training first if the model is out of date); stop them after."""
    data = Path(tempfile.mkdtemp(prefix="supportdesk-bench-"))
    settings = load_settings(
        data_dir=data, gateway_port=free_port(), rasa_port=free_port(), actions_port=free_port(), **overrides
    )
    supervisor = Supervisor(settings, services(settings, ensure_model(settings)), data / "logs")
    supervisor.start()
    try:
        yield Running(settings, supervisor, settings.channel_token_file.read_text().strip())
    finally:
        supervisor.stop()
