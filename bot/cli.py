"""``python -m bot``: run everything, train, or serve one part (what ./supportdesk calls)."""

from __future__ import annotations

import argparse
import signal
import sys

from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge.encoder import EncoderError
from bot.knowledge.engine import build_indexes
from bot.processes import StartupError, Supervisor, services
from bot.settings import SettingsError, load_settings
from bot.training import TrainingError, ensure_model


def _run(settings) -> int:
    knowledge = load_knowledge(settings.knowledge_dir)  # bad content fails here, before anything starts
    for kind in build_indexes(settings, knowledge, progress=sys.stderr.isatty()):
        print(f"supportdesk: the {kind} changed; its index was rebuilt", file=sys.stderr)
    model = ensure_model(settings)
    supervisor = Supervisor(settings, services(settings, model), settings.data_dir / "logs")

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Set both explicitly: a process started in the background by a script inherits SIGINT ignored.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print("supportdesk: starting the action server, the Rasa server and the gateway...", file=sys.stderr)
        supervisor.start()
        webhook = f"{settings.rasa_url}/webhooks/rest/webhook"
        print(
            f"\nsupportdesk is running.\n"
            f"  chat (REST):  curl -s -X POST {webhook} -H 'Content-Type: application/json' "
            f"-d '{{\"sender\": \"me\", \"message\": \"hi\"}}'\n"
            f"  gateway:      {settings.gateway_url}/\n"
            f"  logs:         {settings.data_dir / 'logs'}\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
        return supervisor.wait()
    except KeyboardInterrupt:
        print("\nsupportdesk: stopping...", file=sys.stderr)
        return 0
    finally:
        supervisor.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="train if needed, then start Rasa, the action server and the gateway")
    commands.add_parser("train", help="train the Rasa model if the training data changed")
    commands.add_parser("gateway", help="serve only the gateway")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings()
        if arguments.command == "run":
            return _run(settings)
        if arguments.command == "train":
            print(ensure_model(settings))
            return 0
        from bot.gateway.app import run

        run(settings)
        return 0
    except (SettingsError, KnowledgeError, EncoderError, TrainingError, StartupError) as error:
        print(f"supportdesk: {error}", file=sys.stderr)
        return 1
