"""Typed keys for the gateway's application state."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from pywa_async import WhatsApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine
from twilio.rest import Client as TwilioClient

from bot.core.channels import Channels
from bot.core.outbox import Sending
from bot.core.router import Router
from bot.gateway.hub import Hub
from bot.gateway.throttle import SignInThrottle
from bot.gateway.visitors import VisitorTokens
from bot.gateway.webhooks import Inbound
from bot.knowledge import Knowledge
from bot.settings import Settings
from bot.store.audit import Audit
from bot.store.conversations import Conversations
from bot.store.credentials import Credentials
from bot.store.media import MediaFiles
from bot.store.outbox import ChannelEvents, Outbox
from bot.store.staff import Staff

SETTINGS = web.AppKey("settings", Settings)
KNOWLEDGE = web.AppKey("knowledge", Knowledge)
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
ENGINE = web.AppKey("engine", AsyncEngine)
CONVERSATIONS = web.AppKey("conversations", Conversations)
STAFF = web.AppKey("staff", Staff)
HUB = web.AppKey("hub", Hub)
ROUTER = web.AppKey("router", Router)
# The channels the core delivers to by name (the web chat; WhatsApp and Slack register here too).
CHANNELS = web.AppKey("channels", Channels)
CREDENTIALS = web.AppKey("credentials", Credentials)
AUDIT = web.AppKey("audit", Audit)
SIGN_IN_THROTTLE = web.AppKey("sign_in_throttle", SignInThrottle)
VISITOR_TOKENS = web.AppKey("visitor_tokens", VisitorTokens)
# What goes out on the platforms' channels, and the worker that sends it.
OUTBOX = web.AppKey("outbox", Outbox)
SENDING = web.AppKey("sending", Sending)
# What the platforms' webhooks bring, kept and then handled in the background.
CHANNEL_EVENTS = web.AppKey("channel_events", ChannelEvents)
INBOUND = web.AppKey("inbound", Inbound)
# pywa's client for the shop's WhatsApp number (only when WhatsApp is configured).
WHATSAPP = web.AppKey("whatsapp", WhatsApp)
# Twilio's REST client (only when WhatsApp through Twilio is configured).
TWILIO = web.AppKey("twilio", TwilioClient)
# Slack's Web API client (only when Slack is configured).
SLACK = web.AppKey("slack", AsyncWebClient)
# Pictures and files customers sent, kept for staff.
MEDIA = web.AppKey("media", MediaFiles)
