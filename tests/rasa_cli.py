"""Running the Rasa CLI (in the Python 3.10 runtime) from the tests."""

from __future__ import annotations

import os
import subprocess

from bot.settings import PROJECT_DIR, Settings


def rasa(settings: Settings, *arguments: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(settings.rasa_bin), *arguments],
        cwd=PROJECT_DIR,
        env={**os.environ, **settings.child_environment()},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
