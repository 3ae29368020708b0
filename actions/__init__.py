"""Rasa custom actions. Each maps the tracker to a call into ``bot`` and back to events."""
