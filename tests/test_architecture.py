"""The layers are a contract (pyproject.toml, docs/architecture.md): the gateway above the
conversation core, the core above the store and the knowledge engine; nothing imports upwards."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_DIR

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layers_are_kept():
    result = lint_imports(PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copytree(PROJECT_DIR / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", tmp_path)
    (tmp_path / "bot" / "store" / "shortcut.py").write_text("from bot.core.router import Router\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0 and "bot.store.shortcut -> bot.core.router" in result.stdout
