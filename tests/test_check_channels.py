"""``./supportdesk check-channels`` run as the command it is, against the fake platforms and the
test mail server: a working configuration, and a broken one, each channel saying why."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from bot.settings import PROJECT_DIR
from tests.mailbox import SHOP_ADDRESS
from tests.platforms import (
    APP_SECRET,
    PHONE_ID,
    SLACK_BOT_TOKEN,
    SLACK_SECRET,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    VERIFY_TOKEN,
    FakeGraphApi,
    FakeSlack,
    FakeTwilio,
    serving,
)


@pytest.fixture
async def platforms():
    async with (
        serving(FakeGraphApi()) as graph,
        serving(FakeTwilio()) as twilio,
        serving(FakeSlack()) as slack,
    ):
        yield graph, twilio, slack


def configuration(tmp_path, platforms, mailbox, **changed: str) -> dict[str, str]:
    graph, twilio, slack = platforms
    variables = {
        "SUPPORTDESK_DATA_DIR": str(tmp_path),
        "SUPPORTDESK_PUBLIC_URL": "https://support.alderandpine.example",
        "SUPPORTDESK_WHATSAPP_PHONE_ID": PHONE_ID,
        "SUPPORTDESK_WHATSAPP_TOKEN": "whatsapp-token",
        "SUPPORTDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "SUPPORTDESK_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "SUPPORTDESK_WHATSAPP_API_URL": graph.url,
        "SUPPORTDESK_TWILIO_ACCOUNT_SID": TWILIO_SID,
        "SUPPORTDESK_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "SUPPORTDESK_TWILIO_WHATSAPP_FROM": TWILIO_FROM,
        "SUPPORTDESK_TWILIO_API_URL": twilio.url,
        "SUPPORTDESK_SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
        "SUPPORTDESK_SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SUPPORTDESK_SLACK_API_URL": slack.api,
        "SUPPORTDESK_SMTP_HOST": "127.0.0.1",
        "SUPPORTDESK_SMTP_PORT": str(mailbox.port),
        "SUPPORTDESK_SMTP_FROM": SHOP_ADDRESS,
        "SUPPORTDESK_SMTP_SECURITY": "none",
    }
    return variables | changed


async def check_channels(variables: dict[str, str]) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")} | variables
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "check-channels",
        cwd=PROJECT_DIR,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode, output.decode()


async def test_a_working_configuration_is_reported_working(tmp_path, platforms, mailbox):
    status, output = await check_channels(configuration(tmp_path, platforms, mailbox))
    assert status == 0, output
    assert "WhatsApp (Cloud API): works: Alder & Pine, +1 555-000-1111" in output
    assert "register the webhook https://support.alderandpine.example/channels/whatsapp/webhook" in output
    assert "WhatsApp (Twilio): works: account 'Alder & Pine' is active" in output
    assert "Slack: works: bot 'supportdesk' in 'Alder & Pine', by the Events API" in output
    assert f"E-mail follow-up (SMTP): works: 127.0.0.1:{mailbox.port}" in output


async def test_a_broken_configuration_says_what_is_wrong_with_each_channel(tmp_path, platforms, mailbox):
    broken = configuration(
        tmp_path,
        platforms,
        mailbox,
        SUPPORTDESK_WHATSAPP_TOKEN="expired-token",
        SUPPORTDESK_TWILIO_AUTH_TOKEN="wrong-token",
        SUPPORTDESK_SLACK_BOT_TOKEN="xoxb-revoked",
        SUPPORTDESK_SMTP_PORT="1",  # nothing listens there
    )
    status, output = await check_channels(broken)
    assert status == 1
    assert "WhatsApp (Cloud API): BROKEN" in output and "Invalid OAuth access token" in output
    assert "WhatsApp (Twilio): BROKEN" in output and "Authenticate" in output
    assert "Slack: BROKEN" in output and "invalid_auth" in output
    assert "E-mail follow-up (SMTP): BROKEN" in output and "Connection refused" in output


async def test_nothing_configured_is_no_failure(tmp_path):
    status, output = await check_channels({"SUPPORTDESK_DATA_DIR": str(tmp_path)})
    assert status == 0 and output.count("not configured") == 4


async def test_half_a_channels_settings_is_refused_naming_what_is_missing(tmp_path):
    status, output = await check_channels(
        {"SUPPORTDESK_DATA_DIR": str(tmp_path), "SUPPORTDESK_WHATSAPP_PHONE_ID": PHONE_ID}
    )
    assert status == 1
    missing = "SUPPORTDESK_WHATSAPP_TOKEN, SUPPORTDESK_WHATSAPP_APP_SECRET, SUPPORTDESK_WHATSAPP_VERIFY_TOKEN"
    assert f"{missing} missing" in output
