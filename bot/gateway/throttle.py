"""Slowing down password guessing at the inbox's sign-in, per account and per client address.

After FREE_FAILURES failed sign-ins for an account (FREE_FROM_ADDRESS from one address, which
several people may share), each further attempt has to wait twice as long as the one before
(1 s, 2 s, 4 s, ... at most MAX_WAIT), counted from the last failure, and the password is not
even checked while it waits. The count is forgotten MAX_WAIT after the last failure, so a lock
an attacker causes releases itself after minutes, and an admin can clear an account's at once.
It lives in the gateway's memory: one gateway process, as `./supportdesk run` starts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

FREE_FAILURES = 5
FREE_FROM_ADDRESS = 20
MAX_WAIT = 15 * 60.0


def sign_in_keys(email: str, address: str | None) -> tuple[str, ...]:
    """What failures are counted against: the account, and where the attempts come from."""
    return (f"account:{email.strip().lower()}", f"address:{address or 'unknown'}")


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key: (failures, time of the last)

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before another attempt with these keys is checked (0: now)."""
        now = self._clock()
        longest = 0.0
        for key in keys:
            failures, last = self._failures.get(key, (0, now))
            if now - last >= MAX_WAIT:
                self._failures.pop(key, None)
                continue
            free = FREE_FROM_ADDRESS if key.startswith("address:") else FREE_FAILURES
            if failures >= free:
                delay = min(2.0 ** (failures - free), MAX_WAIT)
                longest = max(longest, last + delay - now)
        return max(longest, 0.0)

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            failures, last = self._failures.get(key, (0, now))
            self._failures[key] = (0 if now - last >= MAX_WAIT else failures) + 1, now

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)

    def unlock(self, email: str) -> None:
        """An admin clears an account's failures: its owner may try again at once."""
        self._failures.pop(sign_in_keys(email, None)[0], None)

    def locked_accounts(self) -> dict[str, int]:
        """Accounts waiting now, with the seconds left (for admins)."""
        waiting = {}
        for key in list(self._failures):
            if key.startswith("account:") and (left := self.wait([key])) > 0:
                waiting[key.removeprefix("account:")] = math.ceil(left)
        return waiting
