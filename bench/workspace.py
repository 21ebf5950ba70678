"""What every benchmark starts from: a throw-away database and its own Rasa and action servers.

Imported first by each benchmark: it points the settings at a temporary directory before
anything reads them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
os.environ.setdefault("HOTLINE_DATABASE_URL", f"sqlite:///{TMP / 'bench.db'}")
os.environ.setdefault("HOTLINE_DATA_DIR", str(TMP))

from bot.engine.processes import Stack  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from tests.harness import free_port  # noqa: E402


def start_stack() -> Stack:
    """Migrate the temporary database and start Rasa and the action server on free ports."""
    upgrade()
    stack = Stack(rasa_port=free_port(), action_port=free_port(), log_dir=TMP / "logs")
    stack.start()
    return stack
