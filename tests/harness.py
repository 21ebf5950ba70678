"""Running the application in the test process on a real port (tests and benchmarks)."""

from __future__ import annotations

import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningApp:
    """The application served by uvicorn on a real port, in a thread of the test process."""

    def __init__(self, rasa_url: str, **settings: object) -> None:
        import uvicorn

        from bot.channels.web import create_app
        from bot.config import Settings

        defaults: dict[str, object] = {"retry_pending_every_seconds": 3600, "followup_check_every_seconds": 3600,
                                         "sla_check_every_seconds": 3600}
        self.settings = Settings(rasa_url=rasa_url, port=free_port(), **{**defaults, **settings})
        self.base_url = f"http://127.0.0.1:{self.settings.port}"
        config = uvicorn.Config(
            create_app(self.settings), host="127.0.0.1", port=self.settings.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("The application did not start.")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
