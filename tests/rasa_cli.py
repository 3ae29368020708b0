"""Running the Rasa CLI, or a Python script, in the Python 3.10 runtime from the tests."""

from __future__ import annotations

import os
import subprocess

from bot.settings import PROJECT_DIR, Settings


def rasa(settings: Settings, *arguments: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return _in_rasa_runtime(settings, [str(settings.rasa_bin), *arguments], None, timeout)


def rasa_python(
    settings: Settings, *arguments: str, stdin: str | None = None, timeout: float = 900
) -> subprocess.CompletedProcess:
    """`python ARGUMENTS` in the Rasa runtime, in the project folder, with the project's settings."""
    return _in_rasa_runtime(
        settings, [str(settings.rasa_bin.with_name("python")), *arguments], stdin, timeout
    )


def _in_rasa_runtime(
    settings: Settings, command: list[str], stdin: str | None, timeout: float
) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **settings.child_environment()},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
