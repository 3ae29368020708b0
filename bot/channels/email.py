"""E-mail follow-up over SMTP (Python's smtplib, in a worker thread): a staff reply to a customer
who left their address because nobody could answer live."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from bot.core.outbox import SendFailed
from bot.settings import Settings


class SmtpSender:
    def __init__(self, settings: Settings, shop_name: str):
        self._settings = settings
        self._shop = shop_name

    def compose(self, recipient: str, part: dict[str, Any]) -> EmailMessage:
        """The e-mail for one staff reply (EmailMessage refuses line breaks in its headers)."""
        message = EmailMessage()
        message["From"] = formataddr((self._shop, self._settings.smtp_from))
        message["To"] = recipient
        message["Subject"] = f"Your question to {self._shop}"
        message["Message-ID"] = make_msgid(domain=self._settings.smtp_from.rpartition("@")[2] or None)
        message.set_content(
            f"Hello,\n\n{part['text']}\n\n{part.get('agent') or 'The team'}, {self._shop}\n\n"
            "You asked us to write to this address because nobody could answer in the chat at the time. "
            "Reply to this e-mail, or write to us in the chat again."
        )
        return message

    async def send(self, recipient: str, part: dict[str, Any]) -> str | None:
        message = self.compose(recipient, part)
        try:
            await asyncio.to_thread(self._deliver, message)
        except smtplib.SMTPRecipientsRefused:
            raise SendFailed(f"the mail server refused the address {recipient}", permanent=True) from None
        except smtplib.SMTPAuthenticationError as refused:
            raise SendFailed(
                f"the mail server refused the sign-in: {refused.smtp_error!r}", permanent=True
            ) from None
        except smtplib.SMTPResponseException as refused:
            reason = f"the mail server answered {refused.smtp_code} {refused.smtp_error!r}"
            raise SendFailed(reason, permanent=refused.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as trouble:
            raise SendFailed(f"the mail server could not be reached: {trouble!r}") from None
        return message["Message-ID"]

    def _deliver(self, message: EmailMessage) -> None:
        with connect(self._settings) as server:
            server.send_message(message)


def connect(settings: Settings) -> smtplib.SMTP:
    """A connection to the mail server, secured and signed in as the settings say (blocking)."""
    if settings.smtp_security == "tls":
        context = ssl.create_default_context()
        server = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=15, context=context)
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15)
    try:
        server.ehlo()
        if settings.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        server.close()
        raise
    return server
