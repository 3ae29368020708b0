"""Every URL the gateway serves."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.channels import slack as slack_channel
from bot.channels import twilio_whatsapp as twilio_channel
from bot.channels import whatsapp as whatsapp_channel
from bot.gateway import api, chat, inbox, slack, twilio_whatsapp, views, whatsapp, widget
from bot.gateway.keys import SETTINGS
from bot.knowledge.catalog import IMAGES_URL

STATIC = Path(__file__).with_name("static")


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", chat.demo, name="index")
    app.router.add_get("/health", views.health, name="health")
    app.router.add_static("/static", STATIC, name="static")
    # The shop's own product pictures (knowledge/images/), which product cards show.
    images = app[SETTINGS].knowledge_dir / "images"
    if images.is_dir():
        app.router.add_static(IMAGES_URL.rstrip("/"), images, name="product-images")
    # Channels
    app.router.add_post("/api/messages", api.post_message, name="api-messages")
    app.router.add_get("/api/conversations/{conversation}/messages", api.conversation_messages)
    app.router.add_get("/api/openapi.json", api.openapi, name="openapi")
    # The platforms' webhooks (README: "WhatsApp")
    # (/channels/whatsapp/webhook, /channels/slack/events and /interactions,
    # /channels/twilio/webhook and /status: the platforms' modules hold them, for check-channels)
    app.router.add_get(whatsapp_channel.WEBHOOK_PATH, whatsapp.verify, name="whatsapp-webhook")
    app.router.add_post(whatsapp_channel.WEBHOOK_PATH, whatsapp.receive)
    app.router.add_post(slack_channel.EVENTS_PATH, slack.events, name="slack-events")
    app.router.add_post(slack_channel.INTERACTIONS_PATH, slack.interactions)
    app.router.add_post(twilio_channel.WEBHOOK_PATH, twilio_whatsapp.receive, name="twilio-webhook")
    app.router.add_post(twilio_channel.STATUS_PATH, twilio_whatsapp.status)
    # The web chat (customers): the widget a shop's pages embed, and the chat as a page of its own
    app.router.add_get("/chat", chat.page, name="chat")
    app.router.add_get("/widget/v1/supportdesk.js", widget.script, name="widget")
    app.router.add_post("/widget/v1/session", widget.session)
    app.router.add_get("/widget/v1/ws", widget.socket, name="widget-socket")
    app.router.add_get("/widget/v1/messages", widget.poll)
    app.router.add_post("/widget/v1/messages", widget.post)
    app.router.add_route("OPTIONS", "/widget/v1/{endpoint:session|messages}", widget.preflight)
    # The staff inbox
    app.router.add_get("/inbox/login", inbox.login_page, name="login")
    app.router.add_post("/inbox/login", inbox.login)
    app.router.add_post("/inbox/logout", inbox.logout, name="logout")
    app.router.add_get("/inbox", inbox.queue, name="inbox")
    app.router.add_get("/inbox/queue.json", inbox.queue_json)
    app.router.add_get("/inbox/ws", inbox.live, name="inbox-socket")
    app.router.add_get("/inbox/conversations/{conversation}", inbox.conversation, name="conversation")
    app.router.add_post("/inbox/conversations/{conversation}/claim", inbox.claim)
    app.router.add_post("/inbox/conversations/{conversation}/release", inbox.release)
    app.router.add_post("/inbox/conversations/{conversation}/resolve", inbox.resolve)
    app.router.add_post("/inbox/conversations/{conversation}/reply", inbox.reply)
    app.router.add_post("/inbox/conversations/{conversation}/template", inbox.send_template)
    app.router.add_post("/inbox/conversations/{conversation}/notes", inbox.add_note)
    app.router.add_get("/inbox/media/{message}", inbox.media, name="media")
    app.router.add_get("/inbox/search", inbox.search, name="search")
    app.router.add_get("/inbox/export.{format:json|csv}", inbox.export, name="export")
    app.router.add_get("/inbox/staff", inbox.staff_page, name="staff")
    app.router.add_post("/inbox/staff", inbox.add_staff)
    app.router.add_post("/inbox/staff/change", inbox.change_staff)
    app.router.add_post("/inbox/staff/unlock", inbox.unlock_sign_in)
    app.router.add_get("/inbox/audit", inbox.audit_page, name="audit")
    app.router.add_get("/inbox/credentials", inbox.credentials_page, name="credentials")
    app.router.add_post("/inbox/credentials", inbox.make_credential)
    app.router.add_post("/inbox/credentials/revoke", inbox.revoke_credential)
