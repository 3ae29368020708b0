"""Starting the three processes (Rasa server, action server, gateway), and stopping them together."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
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


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for tests and benchmarks that start the assistant)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


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
    """Runs the services as child processes; stopping it stops every one it started. A service
    that dies is started again (the gateway queues customers for staff meanwhile), up to
    ``MAX_RESTARTS`` times in ``RESTART_WINDOW`` seconds."""

    MAX_RESTARTS = 5
    RESTART_WINDOW = 600.0

    def __init__(self, settings: Settings, wanted: list[Service], log_dir: Path):
        if settings.assistant_secret is None:
            settings = settings.model_copy(update={"assistant_secret": secrets.token_urlsafe(32)})
        self._settings = settings
        self._wanted = wanted
        self._log_dir = log_dir
        self._children: dict[str, tuple[Service, subprocess.Popen]] = {}
        self._restarts: list[float] = []
        self._stopping = threading.Event()

    def _spawn(self, service: Service) -> subprocess.Popen:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        log = (self._log_dir / f"{service.name.replace(' ', '-').lower()}.log").open("a")
        # A session of its own: Ctrl-C reaches only us, and we stop the children in order.
        child = subprocess.Popen(
            service.command,
            cwd=PROJECT_DIR,
            env={**os.environ, **self._settings.child_environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._children[service.name] = (service, child)
        return child

    def _await_healthy(
        self, service: Service, child: subprocess.Popen, deadline: float, timeout: float
    ) -> None:
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

    def start(self, timeout: float = 180) -> None:
        """Start every service and wait until each answers its health check."""
        check_ports_free(self._settings.host, self._wanted)
        started = [(service, self._spawn(service)) for service in self._wanted]
        deadline = time.monotonic() + timeout
        for service, child in started:
            self._await_healthy(service, child, deadline, timeout)

    def start_service(self, name: str, timeout: float = 180) -> None:
        """Start one (stopped) service again and wait until it is healthy."""
        service = next(service for service in self._wanted if service.name == name)
        child = self._spawn(service)
        self._await_healthy(service, child, time.monotonic() + timeout, timeout)

    def pids(self) -> dict[str, int]:
        """The process id of each running service."""
        return {name: child.pid for name, (_, child) in self._children.items()}

    def stop_service(self, name: str) -> None:
        service, child = self._children.pop(name)
        _terminate([child])

    def wait(self) -> int:
        """Block until stopped, restarting a service that dies; gives up (returning its exit
        code) when services keep dying."""
        while not self._stopping.is_set():
            for service, child in list(self._children.values()):
                if child.poll() is None or self._stopping.is_set():
                    continue
                now = time.monotonic()
                self._restarts = [t for t in self._restarts if now - t < self.RESTART_WINDOW] + [now]
                print(
                    f"supportdesk: the {service.name} stopped (exit {child.returncode}); see {self._log_dir}",
                    file=sys.stderr,
                )
                if len(self._restarts) > self.MAX_RESTARTS:
                    print("supportdesk: services keep stopping; giving up", file=sys.stderr)
                    return child.returncode or 1
                print(f"supportdesk: starting the {service.name} again", file=sys.stderr)
                _kill_leftovers(child)
                self._spawn(service)
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        """Stop every service (and a ``wait`` running in another thread: it restarts nothing more)."""
        self._stopping.set()
        _terminate([child for _, child in reversed(list(self._children.values()))])
        self._children.clear()


def _kill_leftovers(child: subprocess.Popen) -> None:
    """A service that died may leave processes of its own behind (Sanic's worker, holding the
    port): the whole process group goes before the service is started again."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)


def _terminate(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # The whole process group (each service has its own session): Sanic's worker
            # processes would otherwise outlive their killed parent.
            _kill_leftovers(child)
            child.wait()
