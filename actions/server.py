"""The action server: rasa-sdk's app, answering only requests that carry the shared secret.

rasa-sdk has no authentication, and `python -m rasa_sdk` listens on every interface: whoever
reached it could run any action on a conversation they made up, e.g. create a ticket. Rasa sends
the secret as the query parameter `token` (endpoints.yml, `action_endpoint.token`).

    python -m actions.server --port 5055 [--interface 127.0.0.1]

The secret is HOTLINE_ACTION_TOKEN, or derived from the secret key (bot/config.py); never an
argument, since every user of the machine can read a process's command line.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.constants import DEFAULT_KEEP_ALIVE_TIMEOUT
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.utils import update_sanic_log_level
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from actions.unit_of_work import install_action_server
from bot.config import Settings, get_settings
from bot.core.process_setup import set_up_process

# `/health` only says "ok" (process managers and bot/engine/processes.py poll it); /webhook runs actions
# and /actions lists them, so they need the secret.
OPEN_PATHS = frozenset({"/health"})


def build_app(settings: Settings) -> Sanic:
    """rasa-sdk's app with every action of the `actions` package, behind the secret; the actions
    work on the database of `settings`, its engine built here once."""
    token = settings.resolved_action_token()
    if not token:
        raise ValueError("The action server needs a non-empty secret.")
    install_action_server(settings, set_up_process(settings))
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app(executor, cors_origins=None)  # only Rasa calls it, never a browser
    app.config.KEEP_ALIVE_TIMEOUT = DEFAULT_KEEP_ALIVE_TIMEOUT
    expected = token.encode()

    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = (request.args.get("token") or "").encode()
        if hmac.compare_digest(given, expected):
            return None
        return json({"error": "The action server's secret is missing or wrong."}, status=403)

    # Before rasa-sdk's own middleware, which answers every OPTIONS request with 200.
    app.on_request(require_secret, priority=100)
    return app


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m actions.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--port", type=int, default=settings.action_port)
    parser.add_argument("--interface", default=settings.action_interface, help="address to listen on")
    args = parser.parse_args(argv)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    update_sanic_log_level()  # Sanic's own loggers: errors only (LOG_LEVEL_LIBRARIES)
    app = build_app(settings)
    logging.getLogger(__name__).info("Action server listening on %s:%d", args.interface, args.port)
    # One process (rasa-sdk starts a manager and a worker); no access log, as request URLs
    # carry the secret.
    app.run(host=args.interface, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
