"""The code stays as STYLE.md asks: linted and formatted with ruff."""

from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_DIR

PATHS = ["bot", "actions", "rasa_sdk_plugins", "tests"]


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments, *PATHS],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_finds_nothing():
    result = ruff("check")
    assert result.returncode == 0, result.stdout


def test_code_is_formatted():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout
