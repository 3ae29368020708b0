"""The real action server process: it loads the shop before it says it is up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.processes import Supervisor, services
from tests.test_end_to_end import settings_on_free_ports

pytestmark = pytest.mark.e2e


def test_the_action_server_is_up_only_once_the_shop_is_loaded(tmp_path):
    settings = settings_on_free_ports(tmp_path)
    (action_server,) = [s for s in services(settings, Path("no-model")) if s.name == "action server"]
    supervisor = Supervisor(settings, [action_server], tmp_path / "logs")
    supervisor.start()  # returns when its health check answers
    try:
        log = (tmp_path / "logs" / "action-server.log").read_text()
        knowledge = load_knowledge(settings.knowledge_dir)
        assert "shop loaded: " in log and f" FAQ phrasings, {len(knowledge.catalog)} products" in log
    finally:
        supervisor.stop()
