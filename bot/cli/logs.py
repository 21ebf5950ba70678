"""The command line's logging: our own messages, and libraries that would log secrets kept quiet."""

from __future__ import annotations

import logging

# Libraries that log request URLs or payloads: httpx's INFO lines carry the bot token in the URL,
# PTB's DEBUG lines carry chat ids and texts. They log warnings only, whatever the level.
QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "apscheduler")


def configure_logging(level: str) -> None:
    """The application's log: our own messages (which name residents only by pseudonym)."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
