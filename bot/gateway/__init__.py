"""The gateway every channel talks to (aiohttp)."""
