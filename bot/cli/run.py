"""`hotline up`, `serve` and `chat`: run the bot, or only the application, or chat in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from bot.cli.logs import configure_logging
from bot.config import get_settings


def cmd_up(args: argparse.Namespace) -> int:
    """Train if needed, migrate, start Rasa and the action server, then serve the web chat."""
    from bot.engine.processes import Stack, train_if_changed
    from bot.migrate import upgrade
    from bot.runtime import create_app, run_server, serve

    settings = get_settings()
    configure_logging(settings.log_level)
    # SIGTERM (systemd, docker stop, kill) must stop Rasa and the action server too, as Ctrl-C
    # does; by default it would end this process at once and leave them running.
    signal.signal(signal.SIGTERM, _interrupt)
    if not args.no_train:
        train_if_changed()
    upgrade()
    stack = Stack(rasa_port=settings.rasa_port, action_port=settings.action_port)
    # `up` starts exactly one Rasa server, so a HOTLINE_RASA_URLS meant for `serve` does not apply.
    settings = settings.model_copy(update={"rasa_url": stack.rasa_url, "rasa_urls": ""})
    try:
        print("Starting the action server and the Rasa server (about a minute)...", flush=True)
        stack.start()
        banner = (
            f"\nThe hotline is running.\n"
            f"  Web chat:      http://{settings.host}:{settings.port}/\n"
            f"  Chat API:      POST http://{settings.host}:{settings.port}/api/chat\n"
            f"  Terminal chat: .venv/bin/hotline chat   (in another terminal)\n"
            f"  Logs:          var/logs/\n"
            f"Press Ctrl-C to stop everything.\n"
        )
        run_server(serve(create_app(settings), settings, banner))
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping...", flush=True)
        stack.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve only the application (Rasa and the action server run elsewhere)."""
    from bot.runtime import create_app, run_server, serve

    settings = get_settings()
    configure_logging(settings.log_level)
    run_server(serve(create_app(settings), settings, f"Serving http://{settings.host}:{settings.port}/"))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the bot in the terminal, as a resident would."""
    from bot.channels.terminal import run_terminal_chat

    return asyncio.run(run_terminal_chat(get_settings(), sys.stdin, sys.stdout, chat_id=args.as_name))


def add_commands(commands: argparse._SubParsersAction) -> None:
    up = commands.add_parser("up", help="run everything: Rasa, actions, web chat")
    up.add_argument("--no-train", action="store_true", help="use the existing model as it is")
    up.set_defaults(func=cmd_up)
    commands.add_parser("serve", help="run only the web application").set_defaults(func=cmd_serve)
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--as", dest="as_name", help="conversation id (default: your user name)")
    chat.set_defaults(func=cmd_chat)
