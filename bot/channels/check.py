"""``./supportdesk check-channels``: which channels are configured, and whether their credentials
work, asked of each platform with its own library (nothing is sent to a customer)."""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass

import httpx

from bot.channels import email, slack, twilio_whatsapp, whatsapp
from bot.settings import Settings


@dataclass(frozen=True)
class Check:
    channel: str
    configured: bool
    works: bool = False
    detail: str = ""


async def check_channels(settings: Settings) -> list[Check]:
    return [
        await _whatsapp(settings),
        await _twilio(settings),
        await _slack(settings),
        await _email(settings),
    ]


def _webhook(settings: Settings, path: str) -> str:
    if settings.public_url:
        return f"; register the webhook {settings.public_url.rstrip('/')}{path}"
    return "; set SUPPORTDESK_PUBLIC_URL to the gateway's public address to register its webhook"


async def _whatsapp(settings: Settings) -> Check:
    if not settings.whatsapp_enabled:
        return Check("WhatsApp (Cloud API)", False, detail="set SUPPORTDESK_WHATSAPP_PHONE_ID and the rest")
    async with httpx.AsyncClient(timeout=15.0) as session:
        try:
            number = await whatsapp.client(settings, session).get_business_phone_number()
        except Exception as problem:  # pywa's errors, or the network's: the message says which
            return Check("WhatsApp (Cloud API)", True, False, f"the Graph API refused: {problem}")
    webhook = _webhook(settings, whatsapp.WEBHOOK_PATH)
    return Check(
        "WhatsApp (Cloud API)", True, True, f"{number.verified_name}, {number.display_phone_number}{webhook}"
    )


async def _twilio(settings: Settings) -> Check:
    if not settings.twilio_enabled:
        return Check("WhatsApp (Twilio)", False, detail="set SUPPORTDESK_TWILIO_ACCOUNT_SID and the rest")
    client = twilio_whatsapp.client(settings)
    try:
        account = await client.api.v2010.accounts(settings.twilio_account_sid).fetch_async()
    except Exception as problem:
        return Check("WhatsApp (Twilio)", True, False, f"Twilio refused: {problem}")
    finally:
        await client.http_client.close()
    webhook = _webhook(settings, twilio_whatsapp.WEBHOOK_PATH)
    return Check(
        "WhatsApp (Twilio)",
        True,
        account.status == "active",
        f"account {account.friendly_name!r} is {account.status}{webhook}",
    )


async def _slack(settings: Settings) -> Check:
    if not settings.slack_enabled:
        return Check(
            "Slack", False, detail="set SUPPORTDESK_SLACK_BOT_TOKEN and a signing secret or app token"
        )
    client = slack.web_client(settings)
    try:
        who = await client.auth_test()
        if settings.slack_app_token:
            await client.apps_connections_open(app_token=settings.slack_app_token)
    except Exception as problem:
        return Check("Slack", True, False, f"Slack refused: {problem}")
    way = (
        "Socket Mode"
        if settings.slack_app_token
        else "the Events API" + _webhook(settings, slack.EVENTS_PATH)
    )
    return Check("Slack", True, True, f"bot {who.get('user')!r} in {who.get('team')!r}, by {way}")


async def _email(settings: Settings) -> Check:
    if not settings.smtp_host:
        return Check(
            "E-mail follow-up (SMTP)", False, detail="set SUPPORTDESK_SMTP_HOST and SUPPORTDESK_SMTP_FROM"
        )
    try:
        await asyncio.to_thread(_smtp_hello, settings)
    except (smtplib.SMTPException, OSError) as problem:
        return Check(
            "E-mail follow-up (SMTP)", True, False, f"{settings.smtp_host}:{settings.smtp_port}: {problem!r}"
        )
    return Check(
        "E-mail follow-up (SMTP)",
        True,
        True,
        f"{settings.smtp_host}:{settings.smtp_port}, from {settings.smtp_from}",
    )


def _smtp_hello(settings: Settings) -> None:
    """Connect, greet and sign in as the outbox would; send nothing."""
    with email.connect(settings) as server:
        server.noop()


def report(checks: list[Check]) -> tuple[str, int]:
    """The checks as lines for a person, and the exit status: 1 when a configured channel fails."""
    lines = []
    for check in checks:
        state = "works" if check.works else ("BROKEN" if check.configured else "not configured")
        lines.append(f"{check.channel}: {state}: {check.detail}")
    lines.append("The website chat needs no setup: it is always on.")
    return "\n".join(lines), int(any(check.configured and not check.works for check in checks))
