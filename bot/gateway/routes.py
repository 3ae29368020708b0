"""Every URL the gateway serves."""

from __future__ import annotations

from aiohttp import web

from bot.gateway import views


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/", views.index, name="index")
    app.router.add_get("/health", views.health, name="health")
