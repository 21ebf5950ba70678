"""What every process's composition root installs once at start-up, from its Settings: the
database its own sessions use and the Branding its texts say (bot/runtime.py for the
application, bot/cli for the commands, actions/server.py for the action server).

The core reads no settings (tests/unit/test_core_settings.py keeps bot.core from calling
get_settings): everything else a rule needs comes in as a parameter.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.conversation.branding import Branding, BrandingSource, install_branding
from bot.core.db import Database, install_database


class ProcessSettings(BrandingSource, Protocol):
    """The part of the Settings (bot/config.py) a process installs."""

    database_url: str


def set_up_process(settings: ProcessSettings) -> Database:
    """Install the database and the Branding of `settings`; return the database."""
    install_branding(Branding.of(settings))
    return install_database(settings.database_url)
