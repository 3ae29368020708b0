"""The gateway's own endpoints, through aiohttp's test client."""

from __future__ import annotations

import shutil

import pytest

from bot.gateway.app import create_app
from bot.settings import PROJECT_DIR, load_settings


@pytest.fixture
def settings(tmp_path):
    # Ports nothing listens on, so Rasa and the action server count as down.
    return load_settings(data_dir=tmp_path, rasa_port=1, actions_port=2)


async def test_health_says_the_gateway_is_up_and_which_parts_answer(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/health")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "rasa": "down", "actions": "down"}


async def test_the_start_page_says_where_to_chat_and_escapes_the_shops_text(aiohttp_client, tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PROJECT_DIR / "knowledge", knowledge)
    store = knowledge / "store.yml"
    store.write_text(
        store.read_text().replace("name: Alder & Pine Outdoor Co.", "name: <script>x</script> Shop")
    )
    client = await aiohttp_client(create_app(load_settings(data_dir=tmp_path, knowledge_dir=knowledge)))
    page = await (await client.get("/")).text()
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt; Shop support assistant" in page
    assert "http://127.0.0.1:5005/webhooks/rest/webhook" in page
    assert "173 products" in page
