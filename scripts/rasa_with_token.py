"""Run `rasa` with its HTTP API token taken from HOTLINE_RASA_TOKEN instead of the command line.

Run with the Rasa environment's Python (bot/engine/processes.py does), with the arguments of `rasa`:

    HOTLINE_RASA_TOKEN=... .venv-rasa/bin/python scripts/rasa_with_token.py run --enable-api ...

`rasa run --auth-token TOKEN` would show the token to every user of the machine (`ps` lists
command lines); this adds the option inside the process, where only its owner can see it.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    token = os.environ.pop("HOTLINE_RASA_TOKEN", "")
    if not token:
        sys.exit("HOTLINE_RASA_TOKEN is not set: Rasa's HTTP API would be open to anyone who reaches it.")
    from rasa.__main__ import main

    sys.argv = ["rasa", *sys.argv[1:], "--auth-token", token]
    sys.exit(main())
