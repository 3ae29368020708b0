"""Who a web chat visitor is: a conversation token the gateway signs, and the shop's word for its
signed-in customers.

A visitor's browser keeps the token (the widget stores it) and shows it on every request; the
gateway never trusts a visitor id it did not sign itself. A shop that knows its customer (they are
signed in to the shop) signs the customer's id with a secret it shares with the gateway, as
Chatwoot's identity validation does (``identifier_hash = HMAC-SHA256(secret, identifier)``); a
valid signature makes the conversation that customer's, on any browser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

ANONYMOUS = "visitor-"  # a visitor nobody signed: a random id, known only through its token
IDENTIFIED = "customer-"  # a shop's signed-in customer: the shop's own id for them


class IdentityRefused(Exception):
    """The shop's identity for the visitor is missing where it is required, or wrongly signed."""


@dataclass(frozen=True)
class Identity:
    """A shop's signed-in customer, as the shop's page hands it to the widget."""

    identifier: str
    name: str | None
    email: str | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VisitorTokens:
    """Signs visitor ids into conversation tokens and reads them back."""

    def __init__(self, secret: str):
        self._key = hashlib.sha256(b"supportdesk visitor token\0" + secret.encode()).digest()

    def _signature(self, visitor: str) -> str:
        return _b64(hmac.new(self._key, visitor.encode(), hashlib.sha256).digest())

    def issue(self, visitor: str) -> str:
        return f"{_b64(visitor.encode())}.{self._signature(visitor)}"

    def new_anonymous(self) -> tuple[str, str]:
        """A visitor id nobody else has, and its token."""
        visitor = ANONYMOUS + secrets.token_urlsafe(18)
        return visitor, self.issue(visitor)

    def visitor(self, token: str | None) -> str | None:
        """The visitor a token was issued for, or None for no token, or one this gateway did not sign."""
        if not token or token.count(".") != 1 or len(token) > 600:
            return None
        encoded, signature = token.split(".")
        try:
            visitor = _unb64(encoded).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        if not visitor.startswith((ANONYMOUS, IDENTIFIED)):
            return None
        # Compared as bytes: compare_digest refuses text that is not ASCII.
        return visitor if hmac.compare_digest(signature.encode(), self._signature(visitor).encode()) else None


def identity_hash(secret: str, identifier: str) -> str:
    """What the shop's server computes for its signed-in customer: HMAC-SHA256, hex."""
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def _text(value: Any, field: str, limit: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise IdentityRefused(f"identity: {field} must be text of at most {limit} characters")
    return value


def verified_identity(secret: str | None, given: Any) -> Identity:
    """The shop's signed-in customer from ``given`` ({id, name, email, hash}); raises
    IdentityRefused, naming the problem, unless the hash is the id signed with ``secret``."""
    if not isinstance(given, dict):
        raise IdentityRefused("identity must be an object: {id, name, email, hash}")
    identifier = _text(given.get("id"), "id", 150)
    signature = _text(given.get("hash"), "hash", 128)
    if identifier is None or signature is None:
        raise IdentityRefused("identity: both id and hash are needed")
    if secret is None:
        raise IdentityRefused(
            "this gateway verifies no identities: set SUPPORTDESK_WIDGET_IDENTITY_SECRET to the secret "
            "the shop's server signs its customers' ids with"
        )
    if not hmac.compare_digest(signature.lower().encode(), identity_hash(secret, identifier).encode()):
        raise IdentityRefused("identity: the hash is not this customer id signed with the shop's secret")
    return Identity(
        identifier, _text(given.get("name"), "name", 200), _text(given.get("email"), "email", 320)
    )
