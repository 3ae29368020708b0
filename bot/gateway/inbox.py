"""The staff inbox: sign in, the queue, a conversation (claim, reply, notes, hand back), search,
transcripts and export. Pages are rendered with autoescaping; live updates come over /inbox/ws."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime
from hmac import compare_digest

import aiohttp_jinja2
from aiohttp import WSMsgType, web

from bot.core.views import conversation_view, staff_view
from bot.gateway.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    login_csrf,
    require_admin,
    set_session_cookie,
    signed_in,
)
from bot.gateway.hub import StaffSocket
from bot.gateway.inputs import BadInput, moment, row_id
from bot.gateway.keys import (
    AUDIT,
    CONVERSATIONS,
    CREDENTIALS,
    HUB,
    KNOWLEDGE,
    MEDIA,
    OUTBOX,
    ROUTER,
    SETTINGS,
    SIGN_IN_THROTTLE,
    STAFF,
)
from bot.gateway.throttle import sign_in_keys
from bot.handoff import REASONS, Event, Status
from bot.store.conversations import SearchFilters, Transcript
from bot.store.credentials import CredentialError
from bot.store.media import PICTURES
from bot.store.staff import ROLES, StaffError


def _context(request: web.Request, **values) -> dict:
    staff = signed_in(request)
    return {"staff": staff.user, "csrf": staff.csrf_token, "shop": request.app[KNOWLEDGE].shop, **values}


def _conversation_id(request: web.Request) -> int:
    conversation_id = row_id(request.match_info["conversation"])
    if conversation_id is None:
        raise web.HTTPNotFound(text="no such conversation")
    return conversation_id


def _safe_next(target: str | None) -> str:
    # Only a path inside the inbox: never an open redirect to another site.
    return target if target and target.startswith("/inbox") and not target.startswith("//") else "/inbox"


# --- signing in and out -------------------------------------------------------------------------


def _login(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    response = web.Response(status=status, content_type="text/html")
    token = login_csrf(request, response, request.app[SETTINGS].secure_cookies)
    response.text = aiohttp_jinja2.render_string(
        "login.html",
        request,
        {
            "csrf": token,
            "next": _safe_next(request.query.get("next")),
            "error": error,
            "shop": request.app[KNOWLEDGE].shop,
        },
    )
    return response


async def login_page(request: web.Request) -> web.Response:
    return _login(request)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not compare_digest(str(form.get("csrf_token", "")), expected):
        return _login(request, "Your sign-in form expired or was not sent from this page. Try again.", 403)
    settings = request.app[SETTINGS]
    email = str(form.get("email", "")).strip().lower()
    throttle, audit = request.app[SIGN_IN_THROTTLE], request.app[AUDIT]
    keys = sign_in_keys(email, request.remote)
    if (wait := throttle.wait(keys)) > 0:
        await audit.record("sign-in throttled", email, request.remote)
        seconds = math.ceil(wait)
        return _login(request, f"Too many failed sign-ins. Try again in {seconds} seconds.", 429)
    user = await request.app[STAFF].authenticate(email, str(form.get("password", "")))
    if user is None:
        throttle.failed(keys)
        await audit.record("sign-in failed", email, request.remote)
        return _login(request, "Wrong email or password.", 401)
    throttle.succeeded(keys)
    await audit.record("sign-in", user.email, request.remote, user.id)
    token, _ = await request.app[STAFF].sign_in(user, settings.session_hours)
    response = web.HTTPFound(_safe_next(str(form.get("next", ""))))
    set_session_cookie(response, token, settings.secure_cookies, settings.session_hours)
    response.del_cookie(LOGIN_COOKIE, path="/inbox")
    raise response


async def logout(request: web.Request) -> web.Response:
    await _audit(request, "sign-out")
    await request.app[STAFF].sign_out(request.cookies[SESSION_COOKIE])
    await request.app[HUB].sign_out(signed_in(request).session)
    response = web.HTTPFound("/inbox/login")
    response.del_cookie(SESSION_COOKIE, path="/inbox")
    raise response


# --- the queue and a conversation ---------------------------------------------------------------


async def queue_data(request: web.Request) -> dict:
    staff = signed_in(request)
    conversations = request.app[CONVERSATIONS]
    waiting = [conversation_view(c, h) for c, h in await conversations.queue()]
    mine = [conversation_view(c) for c in await conversations.assigned_to(staff.user.id)]
    return {"waiting": waiting, "mine": mine}


@aiohttp_jinja2.template("queue.html")
async def queue(request: web.Request) -> dict:
    return _context(request, **await queue_data(request), online=request.app[HUB].staff_online)


async def queue_json(request: web.Request) -> web.Response:
    return web.json_response(await queue_data(request))


@aiohttp_jinja2.template("conversation.html")
async def conversation(request: web.Request) -> dict:
    transcript = await request.app[CONVERSATIONS].transcript(_conversation_id(request))
    handoff = transcript.handoffs[-1] if transcript.handoffs else None
    deliveries = await request.app[OUTBOX].deliveries([m.id for m in transcript.messages])
    return _context(
        request,
        conversation=conversation_view(transcript.conversation, handoff),
        messages=[staff_view(m) | {"delivery": deliveries.get(m.id)} for m in transcript.messages],
        window=await request.app[ROUTER].reply_window(transcript.conversation),
        pictures=PICTURES,
        notes=transcript.notes,
        ratings=transcript.ratings,
        mine=transcript.conversation.assignee_id == signed_in(request).user.id,
    )


async def _staff_event(request: web.Request, event: Event) -> web.Response:
    conversation_id = _conversation_id(request)
    await request.app[ROUTER].staff_event(conversation_id, event, signed_in(request).user)
    await _audit(request, event.value, conversation_id)
    raise web.HTTPFound(f"/inbox/conversations/{conversation_id}")


async def claim(request: web.Request) -> web.Response:
    return await _staff_event(request, Event.CLAIM)


async def release(request: web.Request) -> web.Response:
    return await _staff_event(request, Event.RELEASE)


async def resolve(request: web.Request) -> web.Response:
    return await _staff_event(request, Event.RESOLVE)


async def _text(request: web.Request) -> str:
    text = str((await request.post()).get("text", "")).strip()
    if not text:
        raise web.HTTPBadRequest(text="the text is empty")
    if len(text) > request.app[SETTINGS].max_message_chars:
        raise web.HTTPRequestEntityTooLarge(
            max_size=request.app[SETTINGS].max_message_chars, actual_size=len(text)
        )
    return text


async def reply(request: web.Request) -> web.Response:
    conversation_id = _conversation_id(request)
    text = await _text(request)
    await request.app[ROUTER].staff_reply(conversation_id, signed_in(request).user, text)
    await _audit(request, "reply", conversation_id)
    raise web.HTTPFound(f"/inbox/conversations/{conversation_id}")


async def send_template(request: web.Request) -> web.Response:
    """Outside the platform's reply window: its approved template, asking the customer to write."""
    conversation_id = _conversation_id(request)
    await request.app[ROUTER].staff_template(conversation_id, signed_in(request).user)
    await _audit(request, "template", conversation_id)
    raise web.HTTPFound(f"/inbox/conversations/{conversation_id}")


async def media(request: web.Request) -> web.StreamResponse:
    """A picture or file a customer sent, for staff: pictures shown, anything else downloaded."""
    message = await request.app[CONVERSATIONS].message(row_id(request.match_info["message"]) or 0)
    attachment = (message.payload.get("attachment") or {}) if message is not None else {}
    path = request.app[MEDIA].path(str(attachment.get("stored") or ""))
    if path is None:
        raise web.HTTPNotFound(text="no such file")
    mime_type = str(attachment.get("mime_type") or "").split(";")[0].strip()
    if mime_type in PICTURES:
        return web.FileResponse(path, headers={"Content-Type": mime_type})
    filename = f"message-{message.id}{path.suffix}"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


async def add_note(request: web.Request) -> web.Response:
    staff = signed_in(request)
    conversation_id = _conversation_id(request)
    text = await _text(request)
    await request.app[CONVERSATIONS].add_note(conversation_id, staff.user.id, text)
    await _audit(request, "note", conversation_id)
    raise web.HTTPFound(f"/inbox/conversations/{conversation_id}")


# --- search, transcripts, export ----------------------------------------------------------------


def filters_from(query) -> SearchFilters:
    def date(name: str) -> datetime | None:
        value = query.get(name)
        if not value:
            return None
        try:
            return moment(name, value)
        except BadInput as problem:
            raise web.HTTPBadRequest(text=str(problem)) from None

    def number(name: str) -> int | None:
        value = query.get(name)
        if not value:
            return None
        if value not in {"1", "2", "3", "4", "5"}:
            raise web.HTTPBadRequest(text=f"{name} must be 1 to 5")
        return int(value)

    status = query.get("status") or None
    if status and status not in {s.value for s in Status}:
        raise web.HTTPBadRequest(text=f"status must be one of {', '.join(s.value for s in Status)}")
    escalated = {"yes": True, "no": False}.get(query.get("escalated", ""))
    return SearchFilters(
        channel=query.get("channel") or None,
        status=status,
        escalated=escalated,
        rating=number("rating"),
        intent=query.get("intent") or None,
        text=query.get("text") or None,
        since=date("since"),
        until=date("until"),
    )


@aiohttp_jinja2.template("search.html")
async def search(request: web.Request) -> dict:
    found = await request.app[CONVERSATIONS].search(filters_from(request.query))
    return _context(
        request,
        results=[conversation_view(c) for c in found],
        query=dict(request.query),
        statuses=[s.value for s in Status],
        export_query=request.query_string,
    )


def _transcript_record(transcript: Transcript) -> dict:
    return {
        "conversation": conversation_view(transcript.conversation),
        "messages": [staff_view(m) for m in transcript.messages],
        "handoffs": [
            {
                "reason": REASONS.get(h.reason, h.reason),
                "summary": h.summary,
                "requested_at": h.requested_at.isoformat(),
                "claimed_at": h.claimed_at and h.claimed_at.isoformat(),
                "resolved_at": h.resolved_at and h.resolved_at.isoformat(),
            }
            for h in transcript.handoffs
        ],
        "notes": [{"text": n.text, "at": n.created_at.isoformat()} for n in transcript.notes],
        "ratings": [r.score for r in transcript.ratings],
    }


async def export(request: web.Request) -> web.Response:
    """Matching transcripts as JSON (everything) or CSV (one row per message)."""
    require_admin(request)
    conversations = request.app[CONVERSATIONS]
    found = await conversations.search(filters_from(request.query), limit=10_000)
    transcripts = await conversations.transcripts([c.id for c in found])
    await _audit(
        request, "export", detail=f"{request.match_info['format']}: {len(transcripts)} conversations"
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if request.match_info["format"] == "json":
        body = json.dumps([_transcript_record(t) for t in transcripts], indent=2)
        return web.Response(
            text=body,
            content_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="transcripts-{stamp}.json"'},
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["conversation", "channel", "customer", "status", "message", "sender", "at", "intent", "text"]
    )
    for transcript in transcripts:
        c = transcript.conversation
        for m in transcript.messages:
            row = [c.id, c.channel, c.customer.external_id, c.status, m.id, m.sender,
                   m.created_at.isoformat(), m.intent or "", m.text]  # fmt: skip
            writer.writerow([_csv_safe(str(cell)) for cell in row])
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="transcripts-{stamp}.csv"'},
    )


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection): every
    # cell, since customers choose their ids on some channels as well as their words.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- staff accounts (admins) -------------------------------------------------------------------


async def staff_page(request: web.Request) -> web.Response:
    require_admin(request)
    return await _staff_page(request, None, 200)


async def add_staff(request: web.Request) -> web.Response:
    require_admin(request)
    form = await request.post()
    try:
        await request.app[STAFF].create(
            str(form.get("email", "")), str(form.get("name", "")), str(form.get("role", "")),
            str(form.get("password", "")),
        )  # fmt: skip
    except StaffError as problem:
        return await _staff_page(request, str(problem), 400)
    await _audit(request, "staff added", detail=f"{form.get('email', '')} as {form.get('role', '')}")
    raise web.HTTPFound("/inbox/staff")


async def change_staff(request: web.Request) -> web.Response:
    """An admin changes a staff member's role or access: that person's sign-ins and live
    connections end at once."""
    require_admin(request)
    form = await request.post()
    email, role = str(form.get("email", "")), str(form.get("role", ""))
    active = form.get("active") == "yes"
    try:
        user = await request.app[STAFF].change(email, role, active)
    except StaffError as problem:
        return await _staff_page(request, str(problem), 400)
    await request.app[HUB].staff_changed(user.id)
    await _audit(
        request, "staff changed", detail=f"{user.email} as {role}, {'active' if active else 'no access'}"
    )
    raise web.HTTPFound("/inbox/staff")


async def unlock_sign_in(request: web.Request) -> web.Response:
    """An admin lets a staff member whose sign-in is slowed down try again at once."""
    require_admin(request)
    email = str((await request.post()).get("email", "")).strip().lower()
    request.app[SIGN_IN_THROTTLE].unlock(email)
    await _audit(request, "sign-in unlocked", detail=email)
    return await _staff_page(request, None, 200)


async def _staff_page(request: web.Request, error: str | None, status: int) -> web.Response:
    context = _context(
        request,
        members=await request.app[STAFF].all(),
        roles=ROLES,
        error=error,
        locked=request.app[SIGN_IN_THROTTLE].locked_accounts(),
    )
    return aiohttp_jinja2.render_template("staff.html", request, context, status=status)


async def credentials_page(request: web.Request) -> web.Response:
    require_admin(request)
    return await _credentials_page(request)


async def make_credential(request: web.Request) -> web.Response:
    """An admin makes a credential for an integration; its token is shown this once."""
    require_admin(request)
    form = await request.post()
    name, channel = str(form.get("name", "")), str(form.get("channel", ""))
    try:
        token = await request.app[CREDENTIALS].create(name, channel)
    except CredentialError as problem:
        return await _credentials_page(request, error=str(problem), status=400)
    await _audit(request, "credential made", detail=f"{name} for {channel}")
    return await _credentials_page(request, made=(name.strip().lower(), token))


async def revoke_credential(request: web.Request) -> web.Response:
    require_admin(request)
    name = str((await request.post()).get("name", ""))
    try:
        await request.app[CREDENTIALS].revoke(name)
    except CredentialError as problem:
        return await _credentials_page(request, error=str(problem), status=400)
    await _audit(request, "credential revoked", detail=name)
    return await _credentials_page(request)


async def _credentials_page(
    request: web.Request, error: str | None = None, status: int = 200, made: tuple[str, str] | None = None
) -> web.Response:
    context = _context(request, credentials=await request.app[CREDENTIALS].active(), error=error, made=made)
    return aiohttp_jinja2.render_template("credentials.html", request, context, status=status)


async def audit_page(request: web.Request) -> web.Response:
    require_admin(request)
    context = _context(request, events=await request.app[AUDIT].recent())
    return aiohttp_jinja2.render_template("audit.html", request, context)


async def _audit(
    request: web.Request, action: str, conversation_id: int | None = None, detail: str = ""
) -> None:
    """Record what the signed-in staff member does, from where."""
    user = signed_in(request).user
    await request.app[AUDIT].record(action, user.email, request.remote, user.id, conversation_id, detail)


# --- live updates --------------------------------------------------------------------------------


async def live(request: web.Request) -> web.WebSocketResponse:
    staff = signed_in(request)
    hub = request.app[HUB]
    ws = web.WebSocketResponse(heartbeat=hub.HEARTBEAT)
    await ws.prepare(request)
    hub.add_staff(ws, StaffSocket(staff.user.id, staff.session, staff.expires_at))
    try:
        async for frame in ws:
            if frame.type == WSMsgType.ERROR:
                break
    finally:
        hub.remove_staff(ws)
    return ws
