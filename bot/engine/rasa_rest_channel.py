"""Rasa's REST channel, taking JSON only (credentials.yml names this class instead of `rest:`).

Runs inside Rasa's process (Rasa's Python 3.10 environment), like bot/engine/rasa_patches.py.
Rasa's own REST channel reads the body as JSON whatever its Content-Type, so any web page open
in a browser on this machine could drive a conversation with a "simple" cross-site request
(Content-Type: text/plain needs no CORS preflight) and send Rasa commands ("/affirm") that the
application never lets through. A request that says it is JSON needs a preflight, which Rasa
(no CORS origins configured) never grants. The application, the benchmarks and the tests all
send application/json; the webhook's path stays /webhooks/rest/webhook.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request


class JsonOnlyRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Any) -> Any:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def json_only(request: Request) -> Any:
            if request.method == "POST" and request.content_type.split(";")[0].strip().lower() != "application/json":
                return response.json({"error": "Send the message as application/json."}, status=415)
            return None

        return blueprint
