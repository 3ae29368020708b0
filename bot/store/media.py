"""Pictures, voice notes and files customers send, kept in the data folder for staff (the
assistant cannot read them): each under the SHA-256 of its bytes, so the same file is kept once."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

# WhatsApp's own limit for documents is 100 MB; a small shop's disk need not take more than this.
MAX_BYTES = 25 * 1024 * 1024
NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")
# Shown in the inbox as pictures; anything else is downloaded, never rendered by the browser.
PICTURES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


class MediaTooLarge(ValueError):
    pass


class MediaFiles:
    def __init__(self, folder: Path):
        self._folder = folder

    def keep(self, data: bytes, mime_type: str | None) -> str:
        """Keep a file; returns the name it is kept under."""
        if len(data) > MAX_BYTES:
            raise MediaTooLarge(f"the file is {len(data)} bytes, more than the {MAX_BYTES} kept")
        extension = mimetypes.guess_extension((mime_type or "").split(";")[0].strip()) or ""
        name = hashlib.sha256(data).hexdigest() + extension.lower()
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / name
        if not path.exists():
            partial = path.with_suffix(path.suffix + ".part")
            partial.write_bytes(data)
            partial.replace(path)
        return name

    def path(self, name: str) -> Path | None:
        """Where a kept file is, for a name ``keep`` gave (any other name is nobody's file)."""
        if not NAME.match(name):
            return None
        path = self._folder / name
        return path if path.is_file() else None
