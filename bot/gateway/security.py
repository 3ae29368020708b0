"""Headers every response carries, so a browser holds the pages to what they are: our own scripts
only (customer text is never markup, and this is the second line of that), no framing by other
sites, no guessing content types, no full URLs leaking to other sites; staff pages never cached,
and no server versions told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Product pictures may be the shop's own https URLs; styles allow the start page's inline sheet.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' https: data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


# The server says what it is, not which versions of what it runs on.
SERVER = "supportdesk"
# Staff pages and exports hold customers' words and addresses: never kept by a browser or a proxy.
PRIVATE_PREFIX = "/inbox"


def known_hosts_only(hosts: frozenset[str]) -> Callable:
    """A middleware refusing requests (HTTP and WebSocket) that name a host the gateway does not
    answer to: a page on another site cannot reach it by pointing its own name at this address."""

    @web.middleware
    async def known_host(request: web.Request, handler: Handler) -> web.StreamResponse:
        name = urlsplit(f"//{request.host}").hostname if request.host else None
        if name not in hosts:
            raise web.HTTPMisdirectedRequest(
                text=f"this gateway does not answer to the host {name!r}: "
                "add it to SUPPORTDESK_ALLOWED_HOSTS to serve it"
            )
        return await handler(request)

    return known_host


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = SERVER
    if request.path.startswith(PRIVATE_PREFIX):
        response.headers["Cache-Control"] = "no-store"


def setup_security_headers(app: web.Application) -> None:
    app.on_response_prepare.append(add_security_headers)
