"""Each store and conversation-core error maps to one HTTP status, for every page and endpoint
that does not answer it itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.intake import OutsideReplyWindow
from bot.handoff import ClaimFirst, NotAllowed, TransitionError
from bot.store.conversations import NotFound


@web.middleware
async def store_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except NotFound as missing:
        raise web.HTTPNotFound(text=str(missing)) from None
    except (TransitionError, ClaimFirst) as refused:
        raise web.HTTPConflict(text=str(refused)) from None
    except OutsideReplyWindow as closed:
        raise web.HTTPConflict(text=str(closed)) from None
    except NotAllowed as refused:
        raise web.HTTPForbidden(text=str(refused)) from None
