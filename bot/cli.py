"""``python -m bot``: run everything, train, or serve one part (what ./supportdesk calls)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.knowledge import KnowledgeError
from bot.knowledge.encoder import EncoderError
from bot.processes import StartupError, Supervisor, services
from bot.settings import SettingsError, load_settings
from bot.training import TrainingError, ensure_model


def _run(settings) -> int:
    # Loading the encoder's libraries takes seconds: only the commands that need them pay for it.
    from bot.knowledge.indexes import build_indexes, report_skipped, shop_knowledge

    knowledge = shop_knowledge(settings)  # bad content fails here, before anything starts
    report_skipped(knowledge)
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
        token_file = settings.channel_token_file
        print(
            f"\nsupportdesk is running.\n"
            f"  demo shop:    {settings.gateway_url}/  (the chat widget in its corner; alone: /chat)\n"
            f"  staff inbox:  {settings.gateway_url}/inbox  (first admin: ./supportdesk admin)\n"
            f"  chat (API):   curl -s -X POST {settings.gateway_url}/api/messages "
            f"-H 'Content-Type: application/json' -H \"Authorization: Bearer $(cat {token_file})\" "
            f"-d '{{\"channel\": \"api\", \"customer_id\": \"me\", \"text\": \"hi\"}}'\n"
            f"{_platforms(settings)}"
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


def _platforms(settings) -> str:
    """The platform channels configured, with where their webhooks are (``check-channels`` says
    whether their credentials work)."""
    from bot.channels import slack, twilio_whatsapp, whatsapp

    base = (settings.public_url or settings.gateway_url).rstrip("/")
    on = [
        (settings.whatsapp_enabled, "WhatsApp", base + whatsapp.WEBHOOK_PATH),
        (settings.twilio_enabled, "Twilio", base + twilio_whatsapp.WEBHOOK_PATH),
        (
            settings.slack_enabled,
            "Slack",
            "Socket Mode" if settings.slack_app_token else base + slack.EVENTS_PATH,
        ),
        (bool(settings.smtp_host), "e-mail", f"through {settings.smtp_host}"),
    ]
    return "".join(f"  {name + ':':<13} {where}\n" for enabled, name, where in on if enabled)


def _create_staff(settings, email: str, name: str, role: str) -> int:
    """Create a staff account; the password comes from SUPPORTDESK_NEW_PASSWORD or is asked twice."""
    import asyncio
    import getpass
    import os

    from bot.store.database import create_engine, migrate, session_factory
    from bot.store.staff import Staff, StaffError

    password = os.environ.get("SUPPORTDESK_NEW_PASSWORD")
    if password is None:
        password = getpass.getpass(f"Password for {email}: ")
        if getpass.getpass("Again: ") != password:
            print("supportdesk: the passwords differ; nothing was created", file=sys.stderr)
            return 1

    async def create() -> None:
        engine = create_engine(settings.store_url)
        try:
            await migrate(engine)
            await Staff(session_factory(engine)).create(email, name, role, password)
        finally:
            await engine.dispose()

    try:
        asyncio.run(create())
    except StaffError as problem:
        print(f"supportdesk: {problem}", file=sys.stderr)
        return 1
    print(f"supportdesk: {role} {email} created; sign in at {settings.gateway_url}/inbox")
    return 0


def _credentials(settings, change) -> int:
    """Run ``change`` on the store's channel credentials; CredentialError becomes a message."""
    from bot.store.credentials import CredentialError, Credentials
    from bot.store.database import create_engine, migrate, session_factory

    async def run() -> str | None:
        engine = create_engine(settings.store_url)
        try:
            await migrate(engine)
            return await change(Credentials(session_factory(engine)))
        finally:
            await engine.dispose()

    try:
        said = asyncio.run(run())
    except CredentialError as problem:
        print(f"supportdesk: {problem}", file=sys.stderr)
        return 1
    if said:
        print(said)
    return 0


def keep_private() -> None:
    """What supportdesk writes from here on (the store, tokens, logs, indexes, by this process and
    the ones it starts) is the running user's alone: it holds customers' words and addresses."""
    os.umask(0o077)


def _private_folder(folder: Path) -> None:
    """The data folder, its store and logs closed to other users, including what an earlier
    version (or another umask) left readable."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for path in [*folder.glob("*.db*"), folder / "channel-token", *folder.glob("logs/*")]:
        if path.is_file():
            path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="train if needed, then start Rasa, the action server and the gateway")
    commands.add_parser("train", help="train the Rasa model if the training data changed")
    commands.add_parser("gateway", help="serve only the gateway")
    for command, role in (("admin", "admin"), ("agent", "agent")):
        create = commands.add_parser(command, help=f"create a staff account with the {role} role")
        create.add_argument("--email", required=True)
        create.add_argument("--name", required=True)
    credential = commands.add_parser("credential", help="make a channel API credential for an integration")
    credential.add_argument("--name", required=True, help="the integration, e.g. telegram-bridge")
    credential.add_argument("--channel", required=True, help="the one channel it may use, e.g. slack")
    commands.add_parser("check-channels", help="say which channels are configured and whether they work")
    revoke = commands.add_parser("revoke-credential", help="revoke a channel API credential")
    revoke.add_argument("--name", required=True)
    arguments = parser.parse_args(argv)
    keep_private()
    try:
        settings = load_settings()
        _private_folder(settings.data_dir)
        if arguments.command == "run":
            return _run(settings)
        if arguments.command in ("admin", "agent"):
            return _create_staff(settings, arguments.email, arguments.name, arguments.command)
        if arguments.command == "credential":
            return _credentials(settings, lambda store: store.create(arguments.name, arguments.channel))
        if arguments.command == "revoke-credential":

            async def revoke(store) -> str:
                await store.revoke(arguments.name)
                return f"supportdesk: the credential {arguments.name} is revoked"

            return _credentials(settings, revoke)
        if arguments.command == "check-channels":
            from bot.channels.check import check_channels, report

            text, status = report(asyncio.run(check_channels(settings)))
            print(text)
            return status
        if arguments.command == "train":
            print(ensure_model(settings))
            return 0
        from bot.gateway.app import run

        run(settings)
        return 0
    except (SettingsError, KnowledgeError, EncoderError, TrainingError, StartupError) as error:
        print(f"supportdesk: {error}", file=sys.stderr)
        return 1
