"""The conversation core: a customer's message from any channel taken in (limits, storage first),
routed by who owns the conversation (the assistant or a person), handed over to staff when it
should be, and delivered back. Below the HTTP edge (bot.gateway), above the store (bot.store) and
the knowledge engine (bot.knowledge); the layers are a contract checked by import-linter
(pyproject.toml, docs/architecture.md)."""
