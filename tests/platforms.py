"""Fake platform servers on loopback that record what they were sent (real HTTP: the real client
libraries are pointed at them), and webhook payloads in the shapes the platforms document."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time

from aiohttp import web
from aiohttp.test_utils import TestServer

PHONE_ID = "106540352242922"
WABA_ID = "102290129340398"
APP_SECRET = "whatsapp-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-0123456789"
CUSTOMER_NUMBER = "447700900123"


class FakeGraphApi:
    """The Graph API's messages endpoint: records each message sent, answers with a new wamid;
    ``fail_next`` makes the next requests fail (a 500, or Meta's error of the given code)."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.paths: list[str] = []
        self._failures: list[tuple[int, int]] = []
        self._ids = itertools.count(1)
        self.server: TestServer | None = None

    def fail_next(self, times: int = 1, status: int = 500, code: int = 131000) -> None:
        self._failures += [(status, code)] * times

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return f"http://127.0.0.1:{self.server.port}"

    async def close(self) -> None:
        await self.server.close()

    async def _messages(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer whatsapp-token"
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


class FakeTwilio:
    """Twilio's Messages resource: records each message created (its form), answers with a SID."""

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self._ids = itertools.count(1)
        self.server: TestServer | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return f"http://127.0.0.1:{self.server.port}"

    async def close(self) -> None:
        await self.server.close()

    async def _create(self, request: web.Request) -> web.Response:
        assert request.match_info["account"] == TWILIO_SID and request.headers["Authorization"].startswith(
            "Basic "
        )
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
