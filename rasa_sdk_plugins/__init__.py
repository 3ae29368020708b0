"""The action server's start-up, through rasa-sdk's plugin hook (rasa-sdk imports a package of
this name and calls ``init_hooks``): the shop's FAQ and catalog indexes are loaded before the server
accepts connections, so the first customer does not wait for the models to load (several seconds),
and the supervisor's health check passes only once the actions can answer. Sanic serves from a
worker process that rasa-sdk's logging set-up does not reach; it is set up there the same way, so
the actions' log lines are kept.

Loading takes 15-20 s on a slow 2-core machine, longer while the Rasa server starts beside it;
Sanic's worker manager gives a worker 30 s to report for duty and then shuts the server down, with
no setting to change that. Its threshold is raised here (in the main process, before the server
runs) to two minutes; the supervisor's own start-up timeout still bounds the whole start.
"""

from __future__ import annotations

import os

import pluggy
from sanic import Sanic

hookimpl = pluggy.HookimplMarker("rasa_sdk")

# In tenths of a second, as Sanic counts its worker's missed start-up checks.
WORKER_START_TENTHS = 1200


def _give_the_worker_time_to_load() -> None:
    from sanic.worker.manager import WorkerManager

    WorkerManager.THRESHOLD = max(WorkerManager.THRESHOLD, WORKER_START_TENTHS)


class LoadTheShop:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        @app.listener("before_server_start")
        async def load_the_shop(*_) -> None:
            from rasa_sdk.utils import configure_colored_logging

            from actions import shop

            configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
            shop.load()


def init_hooks(manager: pluggy.PluginManager) -> None:
    _give_the_worker_time_to_load()
    manager.register(LoadTheShop())
