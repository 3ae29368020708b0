"""Fake platform servers on loopback that record what they were sent (real HTTP: the real client
libraries are pointed at them), and webhook payloads in the shapes the platforms document."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

# A product as the assistant's product cards carry it.
RIDGE_TENT = {
    "name": "Ridge 2 Tent",
    "price": "249.00",
    "currency": "USD",
    "image": "/images/ridge-2.jpg",
    "url": "https://shop.example/ridge-2",
}

# The smallest JPEG there is (a 1x1 white picture): what a customer's photo is in the tests.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912"
    "130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001"
    "000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400b51000020103"
    "03020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f024336272"
    "82090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475"
    "767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9"
    "cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fbd3ffd9"
)

PHONE_ID = "106540352242922"
WABA_ID = "102290129340398"
APP_SECRET = "whatsapp-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-0123456789"
CUSTOMER_NUMBER = "447700900123"


@contextlib.asynccontextmanager
async def serving(fake):
    """A fake platform server running on loopback for as long as the block lasts."""
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@contextlib.contextmanager
def in_a_thread(fake):
    """A fake platform server on loopback, served by a thread of its own (for tests that drive
    the real processes and a browser, with no event loop of their own)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=10)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


class FakePlatform:
    """A platform's API on a free loopback port (``url``), serving the routes ``routes`` adds."""

    server: TestServer | None = None
    url = ""

    def routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application()
        self.routes(app.router)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        self.url = f"http://127.0.0.1:{self.server.port}"

    async def close(self) -> None:
        await self.server.close()


class FakeGraphApi(FakePlatform):
    """The Graph API's messages endpoint: records each message sent, answers with a new wamid;
    ``fail_next`` makes the next requests fail (a 500, or Meta's error of the given code)."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.paths: list[str] = []
        # Pictures customers sent, by media id, as the Graph API hands them out.
        self.media: dict[str, bytes] = {"1479537139650973": JPEG}
        self._failures: list[tuple[int, int]] = []
        self._ids = itertools.count(1)

    async def _media_file(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        return web.Response(body=self.media[request.match_info["media"]], content_type="image/jpeg")

    def fail_next(self, times: int = 1, status: int = 500, code: int = 131000) -> None:
        self._failures += [(status, code)] * times

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/{version}/{phone}/messages", self._messages)
        router.add_get("/{version}/{phone}", self._number)
        router.add_get("/media-files/{media}", self._media_file)

    @staticmethod
    def _refused(request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") == "Bearer whatsapp-token":
            return None
        error = {
            "message": "Invalid OAuth access token.",
            "type": "OAuthException",
            "code": 190,
            "fbtrace_id": "x",
        }
        return web.json_response({"error": error}, status=401)

    async def _number(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        if request.match_info["phone"] in self.media:  # GET /{media-id}: where to download it
            media_id = request.match_info["phone"]
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.url}/media-files/{media_id}",
                    "mime_type": "image/jpeg",
                    "sha256": "unused",
                    "file_size": len(self.media[media_id]),
                    "id": media_id,
                }
            )
        return web.json_response(
            {
                "verified_name": "Alder & Pine",
                "code_verification_status": "VERIFIED",
                "display_phone_number": "+1 555-000-1111",
                "quality_rating": "GREEN",
                "platform_type": "CLOUD_API",
                "throughput": {"level": "STANDARD"},
                "id": request.match_info["phone"],
            }
        )

    async def _messages(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        self.paths.append(request.path)
        body = await request.json()
        if self._failures:
            status, code = self._failures.pop(0)
            error = {
                "message": f"(#{code}) failed",
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "x",
            }
            return web.json_response({"error": error}, status=status)
        self.sent.append(body)
        wamid = f"wamid.out-{next(self._ids)}"
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to"), "user_id": body.get("to")}],
                "messages": [{"id": wamid}],
            }
        )

    def texts(self) -> list[str]:
        """What the customer read, message by message (a text, a body with buttons, a caption)."""
        found = []
        for body in self.sent:
            if body["type"] == "text":
                found.append(body["text"]["body"])
            elif body["type"] == "interactive":
                found.append(body["interactive"]["body"]["text"])
            elif body["type"] == "image":
                found.append(body["image"].get("caption", ""))
            elif body["type"] == "template":
                found.append(f"template:{body['template']['name']}")
        return found


_wamids = itertools.count(1)


def whatsapp_update(*messages: dict, statuses: tuple[dict, ...] = (), name: str = "Maya") -> dict:
    """A webhook update as Meta sends it: messages from the customer, or statuses of ours."""
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": messages[0]["from"]}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
    }


def whatsapp_text(text: str, wamid: str | None = None, number: str = CUSTOMER_NUMBER) -> dict:
    return {
        "from": number,
        "id": wamid or f"wamid.in-{next(_wamids)}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }


def whatsapp_button_reply(payload: str, title: str, number: str = CUSTOMER_NUMBER) -> dict:
    return {
        "from": number,
        "id": f"wamid.in-{next(_wamids)}",
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": payload, "title": title}},
    }


def whatsapp_image(caption: str = "", number: str = CUSTOMER_NUMBER) -> dict:
    return {
        "from": number,
        "id": f"wamid.in-{next(_wamids)}",
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "abc", "caption": caption},
    }


def whatsapp_status(wamid: str, status: str, number: str = CUSTOMER_NUMBER, error: str | None = None) -> dict:
    report = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": number,
    }
    if error:
        report["errors"] = [
            {"code": 131026, "title": error, "message": error, "error_data": {"details": error}}
        ]
    return report


def meta_signature(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_json(update: dict, secret: str = APP_SECRET) -> tuple[bytes, dict]:
    body = json.dumps(update).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)}


TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_FROM = "whatsapp:+14155238886"


class FakeTwilio(FakePlatform):
    """Twilio's Messages resource: records each message created (its form), answers with a SID."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self._ids = itertools.count(1)

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create)
        router.add_get("/2010-04-01/Accounts/{account}.json", self._account)
        router.add_get("/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}", self._media)

    @staticmethod
    def _refused(request: web.Request) -> web.Response | None:
        expected = aiohttp.BasicAuth(TWILIO_SID, TWILIO_TOKEN).encode()
        if request.match_info["account"] == TWILIO_SID and request.headers.get("Authorization") == expected:
            return None
        return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)

    async def _media(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def _account(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        return web.json_response({"sid": TWILIO_SID, "friendly_name": "Alder & Pine", "status": "active"})

    async def _create(self, request: web.Request) -> web.Response:
        if (refused := self._refused(request)) is not None:
            return refused
        form = dict(await request.post())
        self.sent.append(form)
        sid = f"SM{next(self._ids):032d}"
        return web.json_response(
            {"sid": sid, "status": "queued", "to": form["To"], "from": form["From"], "body": form["Body"]},
            status=201,
        )


def twilio_message(text: str, sid: str, number: str = "+447700900123") -> dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message."""
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Maya",
        "SmsSid": sid,
        "WaId": number.lstrip("+"),
        "SmsStatus": "received",
        "Body": text,
        "To": TWILIO_FROM,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": f"whatsapp:{number}",
        "ApiVersion": "2010-04-01",
    }


SLACK_SECRET = "slack-signing-secret-for-tests"
SLACK_BOT_TOKEN = "xoxb-test-token"
SLACK_APP_TOKEN = "xapp-test-token"


class FakeSlack(FakePlatform):
    """Slack's Web API (chat.postMessage, apps.connections.open) and a Socket Mode server: records
    what was posted and what the app acknowledged; ``push`` sends an envelope down the socket."""

    def __init__(self) -> None:
        self.posted: list[dict] = []
        self.acks: list[str] = []
        self.sockets: list[web.WebSocketResponse] = []
        self._ts = itertools.count(1)

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/chat.postMessage", self._post_message)
        router.add_post("/api/apps.connections.open", self._open)
        router.add_post("/api/auth.test", self._auth_test)
        router.add_route("*", "/api/users.info", self._user)
        router.add_get("/files-pri/{file:.+}", self._file)
        router.add_get("/link", self._socket)

    @property
    def api(self) -> str:
        """The Web API's base address, as slack_sdk takes it."""
        return self.url + "/api/"

    async def close(self) -> None:
        for socket in self.sockets:
            await socket.close()
        await super().close()

    async def _post_message(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {SLACK_BOT_TOKEN}"
        body = await request.json()
        self.posted.append(body)
        return web.json_response(
            {"ok": True, "channel": body["channel"], "ts": f"1733140000.{next(self._ts):06d}"}
        )

    async def _file(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {SLACK_BOT_TOKEN}":
            return web.Response(status=403)
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def _user(self, request: web.Request) -> web.Response:
        user = request.query.get("user") or (await request.post()).get("user")
        return web.json_response(
            {"ok": True, "user": {"id": user, "name": "maya", "real_name": "Maya Kowalski"}}
        )

    async def _auth_test(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {SLACK_BOT_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(
            {"ok": True, "team": "Alder & Pine", "user": "supportdesk", "team_id": "T123ABC456"}
        )

    async def _open(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {SLACK_APP_TOKEN}"
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.server.port}/link"})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.acks.append(json.loads(message.data).get("envelope_id"))
        return socket

    async def push(self, envelope: dict) -> None:
        await self.sockets[-1].send_json(envelope)


def slack_event(
    text: str, event_id: str, channel: str = "D024BE91L", user: str = "U2147483697", **extra
) -> dict:
    """An Events API delivery of a direct message to the app."""
    return {
        "token": "unused",
        "team_id": "T123ABC456",
        "api_app_id": "A123ABC456",
        "event": {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"1733139900.{abs(hash(event_id)) % 999999:06d}",
            "channel_type": "im",
            "client_msg_id": f"msg-{event_id}",
            **extra,
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
    }


def slack_click(value: str, channel: str = "D024BE91L", user: str = "U2147483697") -> dict:
    """An interactivity delivery: the customer clicked one of our buttons."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "maya", "team_id": "T123ABC456"},
        "channel": {"id": channel, "name": "directmessage"},
        "container": {"type": "message", "message_ts": "1733140000.000001", "channel_id": channel},
        "message": {"type": "message", "ts": "1733140000.000001", "text": "Choose"},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "actions": [
            {
                "action_id": "choice-0",
                "block_id": "b1",
                "type": "button",
                "value": value,
                "text": {"type": "plain_text", "text": "Yes"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def slack_headers(
    body: bytes, secret: str = SLACK_SECRET, at: int | None = None, content_type: str = "application/json"
) -> dict:
    timestamp = str(at if at is not None else int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }
