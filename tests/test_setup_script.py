"""scripts/setup.sh: finding the two interpreters, and saying what to install when one is missing."""

from __future__ import annotations

import subprocess

from bot.settings import PROJECT_DIR


def bash(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f"source scripts/setup.sh; {script}"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_finds_a_working_python_of_the_exact_version():
    result = bash("py=$(find_python 3.10) && $py -c 'import sys; print(sys.version_info[:2])'")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(3, 10)"


def test_a_version_that_is_not_installed_is_not_found():
    assert bash("find_python 3.99").returncode == 1


def test_a_missing_python_310_stops_setup_with_one_line_saying_what_to_install():
    result = bash("find_python() { return 1; }; setup_runtimes")
    assert result.returncode == 1
    assert result.stderr == (
        "supportdesk: Rasa 3.6 needs Python 3.10: install it (pyenv install 3.10, or your OS's python3.10) "
        "and run this again.\n"
    )
