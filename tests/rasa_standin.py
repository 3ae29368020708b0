"""A stand-in for the Rasa server's gateway channel (bot/rasa_server/channel.py), answering with replies
recorded from our real assistant (tests/fixtures/rasa_replies.json), for fast gateway tests. It can
be taken down and brought back. The real Rasa server is exercised in tests/test_end_to_end.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import web

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "rasa_replies.json").read_text())


class RasaStandIn:
    def __init__(self) -> None:
        self.received: list[dict] = []
        self.down = False
        self.slow = False

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/gateway/webhook", self._webhook)
        return app

    async def _webhook(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503, text="Rasa is restarting")
        if self.slow:
            await asyncio.sleep(5)
        body = await request.json()
        self.received.append(body)
        recorded = RECORDED.get(body["message"], RECORDED["*"])
        messages = [{"recipient_id": body["sender"], **reply} for reply in recorded["replies"]]
        return web.json_response(
            {"intent": recorded["intent"], "messages": messages, "handoff": recorded.get("handoff")}
        )
