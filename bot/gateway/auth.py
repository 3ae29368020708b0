"""Staff sign-in for the inbox: session cookies, CSRF tokens on every change, roles."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from hmac import compare_digest
from urllib.parse import urlsplit

from aiohttp import web

from bot.store.staff import SignedIn

SESSION_COOKIE = "sd_session"
LOGIN_COOKIE = "sd_login"  # double-submit CSRF token for the sign-in form itself
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC = frozenset({"/inbox/login"})

STAFF_MEMBER = web.RequestKey("staff", SignedIn)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def signed_in(request: web.Request) -> SignedIn:
    return request[STAFF_MEMBER]


def require_admin(request: web.Request) -> SignedIn:
    staff = signed_in(request)
    if staff.user.role != "admin":
        raise web.HTTPForbidden(text="only an admin can do this")
    return staff


async def submitted_csrf(request: web.Request) -> str | None:
    if token := request.headers.get("X-CSRF-Token"):
        return token
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return (await request.post()).get("csrf_token")
    return None


def same_origin(request: web.Request) -> bool:
    """The browser says the request comes from this very site (or says nothing, as curl does)."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


@web.middleware
async def staff_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    from bot.gateway.keys import STAFF  # keys imports the router, which must not import this back

    if not request.path.startswith("/inbox") or request.path in PUBLIC:
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    staff = await request.app[STAFF].signed_in(token) if token else None
    if staff is None:
        if request.method == "GET" and request.headers.get("Upgrade", "").lower() != "websocket":
            raise web.HTTPFound(f"/inbox/login?next={request.rel_url.path}")
        raise web.HTTPUnauthorized(text="sign in first")
    if not same_origin(request):
        raise web.HTTPForbidden(text="request from another site refused")
    if request.method not in SAFE_METHODS:
        sent = await submitted_csrf(request)
        if not sent or not compare_digest(sent, staff.csrf_token):
            raise web.HTTPForbidden(text="missing or wrong CSRF token: reload the page and try again")
    request[STAFF_MEMBER] = staff
    return await handler(request)


def set_session_cookie(response: web.StreamResponse, token: str, secure: bool, hours: float) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        secure=secure,
        samesite="Strict",
        path="/inbox",
        max_age=int(hours * 3600),
    )


def login_csrf(request: web.Request, response: web.StreamResponse, secure: bool) -> str:
    """The token the sign-in form carries, matched against a cookie of the same value."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, secure=secure, samesite="Strict", path="/inbox")
    return token
