"""The gateway application: ``create_app(settings)`` builds it, ``run(settings)`` serves it.

Each resource is opened by a cleanup context and closed if and only if it was opened.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import aiohttp_jinja2
import httpx
import jinja2
from aiohttp import web

from bot.channels import slack as slack_channel
from bot.channels import twilio_whatsapp as twilio_channel
from bot.channels import whatsapp as whatsapp_channel
from bot.channels.email import SmtpSender
from bot.core.assistant import RasaClient
from bot.core.availability import StaffHours
from bot.core.channels import Capabilities, Channels
from bot.core.outbox import EMAIL, ByEmail, Queued, Sender, Sending
from bot.core.router import Router
from bot.gateway import chat, slack, twilio_whatsapp, whatsapp
from bot.gateway.auth import staff_auth
from bot.gateway.errors import store_errors
from bot.gateway.hub import Hub
from bot.gateway.keys import (
    AUDIT,
    CHANNEL_EVENTS,
    CHANNELS,
    CONVERSATIONS,
    CREDENTIALS,
    ENGINE,
    HTTP_CLIENT,
    HUB,
    INBOUND,
    KNOWLEDGE,
    MEDIA,
    OUTBOX,
    ROUTER,
    SENDING,
    SETTINGS,
    SIGN_IN_THROTTLE,
    SLACK,
    STAFF,
    TWILIO,
    VISITOR_TOKENS,
    WHATSAPP,
)
from bot.gateway.routes import setup_routes
from bot.gateway.security import known_hosts_only, setup_security_headers
from bot.gateway.throttle import SignInThrottle
from bot.gateway.visitors import VisitorTokens
from bot.gateway.webhooks import Inbound
from bot.gateway.widget import setup_widget_cors
from bot.knowledge.indexes import shop_knowledge
from bot.settings import Settings
from bot.store.audit import Audit
from bot.store.conversations import Conversations
from bot.store.credentials import Credentials
from bot.store.database import create_engine, migrate, session_factory
from bot.store.media import MediaFiles
from bot.store.outbox import ChannelEvents, Outbox
from bot.store.staff import Staff

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")


# Made on first start, for the channel "api": what the README's example uses.
DEFAULT_CREDENTIAL = "api"


def channel_token(settings: Settings) -> str:
    """The bearer token channels use on /api: SUPPORTDESK_CHANNEL_TOKEN, or one generated once and
    kept in the data directory (readable by the owner only)."""
    return settings.channel_token or _kept_secret(settings.channel_token_file)


def visitor_secret(settings: Settings) -> str:
    """The key the web chat's conversation tokens are signed with: SUPPORTDESK_VISITOR_SECRET, or
    one generated once into the data directory (so tokens outlive a restart)."""
    return settings.visitor_secret or _kept_secret(settings.visitor_secret_file)


def _kept_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()


async def _store(app: web.Application) -> AsyncIterator[None]:
    engine = create_engine(app[SETTINGS].store_url)
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        app[ENGINE] = engine
        app[CONVERSATIONS] = Conversations(sessions)
        app[STAFF] = Staff(sessions)
        app[AUDIT] = Audit(sessions)
        app[CREDENTIALS] = Credentials(sessions)
        app[OUTBOX] = Outbox(sessions)
        app[CHANNEL_EVENTS] = ChannelEvents(sessions)
        app[MEDIA] = MediaFiles(app[SETTINGS].media_dir)
        # The default credential, for the README's example and a shop's first integration.
        await app[CREDENTIALS].ensure(DEFAULT_CREDENTIAL, DEFAULT_CREDENTIAL, channel_token(app[SETTINGS]))
        app[SIGN_IN_THROTTLE] = SignInThrottle()
        app[VISITOR_TOKENS] = VisitorTokens(visitor_secret(app[SETTINGS]))
        yield
    finally:
        await engine.dispose()


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    """One client session for talking to Rasa and the action server, closed on shutdown."""
    async with aiohttp.ClientSession() as session:
        app[HTTP_CLIENT] = session
        yield


async def _sweep(router: Router, hub: Hub, every_seconds: float = 60) -> None:
    """Every minute: close the conversations gone quiet (so the inbox and exports show them closed),
    and staff connections whose sign-in ended."""
    while True:
        await asyncio.sleep(every_seconds)
        await hub.close_expired(datetime.now(UTC))
        try:
            await router.close_idle()
        except Exception:  # a database hiccup must not stop the closing for good
            log.exception("closing idle conversations failed")


async def _platforms(app: web.Application) -> AsyncIterator[None]:
    """The clients of the platforms configured, closed on shutdown."""
    settings = app[SETTINGS]
    whatsapp_http = httpx.AsyncClient(timeout=15.0) if settings.whatsapp_enabled else None
    if whatsapp_http is not None:
        app[WHATSAPP] = whatsapp_channel.client(settings, whatsapp_http)
    if settings.twilio_enabled:
        app[TWILIO] = twilio_channel.client(settings)
    if settings.slack_enabled:
        app[SLACK] = slack_channel.web_client(settings, app[HTTP_CLIENT])
    try:
        yield
    finally:
        if whatsapp_http is not None:
            await whatsapp_http.aclose()
        if TWILIO in app:
            await app[TWILIO].http_client.close()


def _channels(app: web.Application, hub: Hub) -> Sending:
    """The channels the core delivers to, and the outbox worker sending on the platforms' ones."""
    settings = app[SETTINGS]
    senders: dict[str, Sender] = {}
    # Each platform configured: its name, what it can show, its parts, whether it has threads.
    platforms: list[tuple[str, Capabilities, Callable[[dict[str, Any]], list[dict[str, Any]]], bool]] = []
    if WHATSAPP in app:
        senders[whatsapp_channel.CHANNEL] = whatsapp_channel.WhatsAppSender(app[WHATSAPP])
        parts = partial(
            whatsapp_channel.parts,
            public_url=settings.public_url,
            template_language=settings.whatsapp_template_language,
        )
        platforms.append((whatsapp_channel.CHANNEL, whatsapp_channel.capabilities(settings), parts, False))
    if TWILIO in app:
        status_url = settings.public_url and settings.public_url.rstrip("/") + twilio_channel.STATUS_PATH
        senders[twilio_channel.CHANNEL] = twilio_channel.TwilioSender(
            app[TWILIO], settings.twilio_whatsapp_from, status_url
        )
        platforms.append((twilio_channel.CHANNEL, twilio_channel.CAPABILITIES, twilio_channel.parts, False))
    if SLACK in app:
        senders[slack_channel.CHANNEL] = slack_channel.SlackSender(app[SLACK])
        parts = partial(slack_channel.parts, public_url=settings.public_url)
        platforms.append((slack_channel.CHANNEL, slack_channel.CAPABILITIES, parts, True))
    if settings.smtp_host:
        senders[EMAIL] = SmtpSender(settings, app[KNOWLEDGE].shop.name)
    sending = Sending(app[OUTBOX], hub, senders)
    app[CHANNELS] = Channels({chat.CHANNEL: chat.WebChat(hub)})
    for name, capabilities, parts, threaded in platforms:
        queued = Queued(
            name, capabilities, parts, app[OUTBOX], app[CONVERSATIONS], sending, threaded=threaded
        )
        app[CHANNELS].add(name, queued)
    return sending


def _router(
    clock: Callable[[], datetime] | None, hours: StaffHours | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def router(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        hub = Hub()
        app[HUB] = hub
        app[SENDING] = _channels(app, hub)
        app[ROUTER] = Router(
            app[CONVERSATIONS],
            RasaClient(
                app[HTTP_CLIENT], settings.rasa_url, settings.rasa_timeout_seconds, settings.assistant_secret
            ),
            hub,
            app[KNOWLEDGE].shop,
            settings.max_message_chars,
            settings.messages_per_minute,
            **({"clock": clock} if clock else {}),
            hours=hours,
            idle_close=timedelta(minutes=settings.idle_close_minutes),
            channels=app[CHANNELS],
            email=ByEmail(app[OUTBOX], app[SENDING]) if settings.smtp_host else None,
        )
        app[INBOUND] = Inbound(app[CHANNEL_EVENTS])
        if WHATSAPP in app:
            app[INBOUND].add(
                whatsapp_channel.CHANNEL,
                whatsapp.handler(app[WHATSAPP], app[ROUTER], app[SENDING], app[MEDIA]),
            )
        if SLACK in app:
            app[INBOUND].add(
                slack_channel.CHANNEL,
                slack.handler(
                    app[ROUTER], app[SLACK], app[HTTP_CLIENT], settings.slack_bot_token, app[MEDIA]
                ),
            )
        if TWILIO in app:
            app[INBOUND].add(
                twilio_channel.CHANNEL,
                twilio_whatsapp.handler(app[ROUTER], app[SENDING], app[HTTP_CLIENT], settings, app[MEDIA]),
            )
        workers = [asyncio.create_task(_sweep(app[ROUTER], hub)), asyncio.create_task(app[SENDING].run())]
        await app[INBOUND].resume()
        yield
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await app[INBOUND].close()
        await app[ROUTER].close()
        await hub.close()

    return router


def create_app(
    settings: Settings, clock: Callable[[], datetime] | None = None, hours: StaffHours | None = None
) -> web.Application:
    """The gateway for ``settings``; ``clock`` and ``hours`` (the support schedule) replace the
    real time and store.yml's schedule, for tests."""
    app = web.Application(
        client_max_size=64 * 1024,
        middlewares=[known_hosts_only(settings.hosts_answered), store_errors, staff_auth],
    )
    app[SETTINGS] = settings
    app[KNOWLEDGE] = shop_knowledge(settings)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True),
        context_processors=[aiohttp_jinja2.request_processor],
    )
    app.cleanup_ctx.extend([_store, _http_client, _platforms, _router(clock, hours), slack.socket_mode])
    setup_routes(app)
    setup_security_headers(app)
    setup_widget_cors(app)
    return app


def run(settings: Settings) -> None:
    web.run_app(create_app(settings), host=settings.host, port=settings.gateway_port, print=None)
