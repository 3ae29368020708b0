"""Starting the three processes (Rasa server, action server, gateway), and stopping them together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_DIR, Settings


class StartupError(Exception):
    """A process could not start; the message says which and what to do."""


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    setting: str  # the environment variable that moves it to another port
    command: tuple[str, ...]
    health_url: str


def services(settings: Settings, model: Path) -> list[Service]:
    python = sys.executable
    return [
        Service(
            "action server",
            settings.actions_port,
            "SUPPORTDESK_ACTIONS_PORT",
            (python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.actions_port)),
            f"{settings.actions_url}/health",
        ),
        Service(
            "Rasa server",
            settings.rasa_port,
            "SUPPORTDESK_RASA_PORT",
            (
                str(settings.rasa_bin),
                "run",
                "--model",
                str(model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--interface",
                settings.host,
                "--port",
                str(settings.rasa_port),
            ),
            f"{settings.rasa_url}/",
        ),
        Service(
            "gateway",
            settings.gateway_port,
            "SUPPORTDESK_GATEWAY_PORT",
            (python, "-m", "bot", "gateway"),
            f"{settings.gateway_url}/health",
        ),
    ]


def check_ports_free(host: str, wanted: list[Service]) -> None:
    """Fail early, naming the port and the setting that moves it, if something already listens."""
    for service in wanted:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, service.port))
            except OSError:
                raise StartupError(
                    f"port {service.port} on {host} (for the {service.name}) is already in use: stop "
                    f"whatever uses it, or choose another port with {service.setting}=<port>"
                ) from None


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Supervisor:
    """Runs the services as child processes; stopping it stops every one it started."""

    def __init__(self, settings: Settings, wanted: list[Service], log_dir: Path):
        self._settings = settings
        self._wanted = wanted
        self._log_dir = log_dir
        self._children: list[tuple[Service, subprocess.Popen]] = []

    def start(self, timeout: float = 180) -> None:
        """Start every service and wait until each answers its health check."""
        check_ports_free(self._settings.host, self._wanted)
        self._log_dir.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, **self._settings.child_environment()}
        for service in self._wanted:
            log = (self._log_dir / f"{service.name.replace(' ', '-').lower()}.log").open("w")
            # A session of its own: Ctrl-C reaches only us, and we stop the children in order.
            child = subprocess.Popen(
                service.command,
                cwd=PROJECT_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self._children.append((service, child))
        deadline = time.monotonic() + timeout
        for service, child in self._children:
            while not _healthy(service.health_url):
                if child.poll() is not None:
                    raise StartupError(
                        f"the {service.name} exited with code {child.returncode} while "
                        f"starting; see {self._log_dir} for its output"
                    )
                if time.monotonic() > deadline:
                    raise StartupError(
                        f"the {service.name} did not answer {service.health_url} within "
                        f"{timeout:.0f} s; see {self._log_dir} for its output"
                    )
                time.sleep(0.5)

    def wait(self) -> int:
        """Block until a child exits (an error: it should run until stopped); returns its code."""
        while True:
            for service, child in self._children:
                if child.poll() is not None:
                    print(
                        f"supportdesk: the {service.name} stopped (exit {child.returncode}); "
                        f"see {self._log_dir}",
                        file=sys.stderr,
                    )
                    return child.returncode or 1
            time.sleep(0.5)

    def stop(self) -> None:
        for _, child in reversed(self._children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for _, child in reversed(self._children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()
