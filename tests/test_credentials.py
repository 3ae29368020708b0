"""Channel API credentials: one per integration, each allowed its own channel and only that
channel's conversations; stored hashed; made and revoked by admins; none for the web chat."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.gateway.keys import CREDENTIALS, ENGINE
from bot.settings import PROJECT_DIR
from bot.store.credentials import CredentialError
from bot.store.database import session_factory
from bot.store.models import ChannelCredential
from tests.gateway_helpers import PASSWORD, TOKEN, customer_says, sign_in


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_credential_posts_to_its_own_channel_only_and_reads_only_its_conversations(gateway):
    telegram = await gateway.app[CREDENTIALS].create("telegram-bridge", "telegram")
    api_conversation = (await customer_says(gateway, "hi", customer="anna"))["conversation"]["id"]
    telegram_conversation = (
        await customer_says(gateway, "hi", customer="U123", channel="telegram", token=telegram)
    )["conversation"]["id"]

    refused = await gateway.post(
        "/api/messages",
        json={"channel": "api", "customer_id": "anna", "text": "hi"},
        headers=bearer(telegram),
    )
    assert refused.status == 403
    assert (await refused.json())[
        "error"
    ] == "the credential 'telegram-bridge' may post to the 'telegram' channel only"
    # Another channel's conversation is not there for it, however it counts.
    for conversation, token in ((api_conversation, telegram), (telegram_conversation, TOKEN)):
        response = await gateway.get(f"/api/conversations/{conversation}/messages", headers=bearer(token))
        assert response.status == 404
    mine = await gateway.get(f"/api/conversations/{telegram_conversation}/messages", headers=bearer(telegram))
    assert mine.status == 200


async def test_nobody_posts_as_a_web_chat_visitor(gateway):
    for channel in ("web",):
        response = await gateway.post(
            "/api/messages",
            json={"channel": channel, "customer_id": "x", "text": "hi"},
            headers=bearer(TOKEN),
        )
        assert response.status == 403
    for platform in ("web", "whatsapp", "twilio", "slack"):  # known by their own signed webhooks
        with pytest.raises(CredentialError, match="takes no credential"):
            await gateway.app[CREDENTIALS].create("sneaky", platform)


async def test_a_revoked_credential_is_refused_and_tokens_are_kept_only_as_hashes(gateway):
    token = await gateway.app[CREDENTIALS].create("old-app", "shopapp")
    assert (await customer_says(gateway, "hi", channel="shopapp", token=token))["replies"]
    await gateway.app[CREDENTIALS].revoke("old-app")
    response = await gateway.post(
        "/api/messages", json={"channel": "shopapp", "customer_id": "c", "text": "hi"}, headers=bearer(token)
    )
    assert response.status == 401
    async with session_factory(gateway.app[ENGINE])() as session:
        stored = " ".join(row.token_hash for row in await session.scalars(select(ChannelCredential)))
    assert token not in stored and TOKEN not in stored


async def test_admins_make_and_revoke_credentials_in_the_inbox_and_agents_cannot(gateway):
    csrf = await sign_in(gateway, "ana@alderandpine.example", PASSWORD)
    assert (await gateway.get("/inbox/credentials")).status == 403
    await gateway.post("/inbox/logout", data={"csrf_token": csrf})
    csrf = await sign_in(gateway, "owner@alderandpine.example", PASSWORD)
    made = await gateway.post(
        "/inbox/credentials", data={"csrf_token": csrf, "name": "messenger-bridge", "channel": "messenger"}
    )
    page = await made.text()
    assert made.status == 200 and "messenger-bridge" in page and "shown only now" in page
    token = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert (await customer_says(gateway, "hi", channel="messenger", token=token))["replies"]
    refused = await gateway.post(
        "/inbox/credentials", data={"csrf_token": csrf, "name": "x", "channel": "web"}
    )
    assert refused.status == 400 and "takes no credential" in await refused.text()
    revoked = await gateway.post(
        "/inbox/credentials/revoke", data={"csrf_token": csrf, "name": "messenger-bridge"}
    )
    assert revoked.status == 200 and "messenger-bridge" not in await revoked.text()


def test_the_command_line_makes_and_revokes_credentials(tmp_path):
    environment = {**os.environ, "SUPPORTDESK_DATA_DIR": str(tmp_path)}

    def command(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *arguments],
            cwd=PROJECT_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    made = command("credential", "--name", "telegram-bridge", "--channel", "telegram")
    assert made.returncode == 0, made.stderr
    assert len(made.stdout.strip()) >= 40  # the token, shown once
    again = command("credential", "--name", "telegram-bridge", "--channel", "telegram")
    assert again.returncode == 1 and "already a credential named 'telegram-bridge'" in again.stderr
    revoked = command("revoke-credential", "--name", "telegram-bridge")
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
