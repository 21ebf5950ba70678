"""Run `rasa` with its HTTP API token taken from HOTLINE_RASA_TOKEN instead of the command line.

Run with the Rasa environment's Python (bot/engine/processes.py does), with the arguments of `rasa`:

    HOTLINE_RASA_TOKEN=... .venv-rasa/bin/python scripts/rasa_with_token.py run --enable-api ...

`rasa run --auth-token TOKEN` would show the token to every user of the machine (`ps` lists
command lines); this adds the option inside the process, where only its owner can see it.

Before Rasa starts, bot/engine/rasa_patches.py makes four of Rasa 3.6.21's per-turn steps cheaper
(same answers, same stored events; version-guarded, logged; HOTLINE_RASA_PATCHES=none turns them off).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    token = os.environ.pop("HOTLINE_RASA_TOKEN", "")
    if not token:
        sys.exit("HOTLINE_RASA_TOKEN is not set: Rasa's HTTP API would be open to anyone who reaches it.")
    root = str(Path(__file__).resolve().parent.parent)  # for bot.engine.rasa_patches
    if root not in sys.path:
        sys.path.append(root)
    from bot.engine import rasa_patches

    rasa_patches.configure_logging()
    rasa_patches.apply()
    from rasa.__main__ import main

    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    sys.exit(main())
