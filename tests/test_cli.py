"""The operator's command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.address import Address
from bot.db import session_scope
from bot.models import Category
from bot.tickets import TicketDraft, create_ticket


def hotline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=os.environ.copy(), timeout=60
    )


def test_tickets_list_json_prints_every_ticket_with_model_field_names() -> None:
    with session_scope() as session:
        code = create_ticket(
            session,
            TicketDraft(
                category=Category.REPORT_REPAIR,
                description="室温只有15度",
                channel="terminal",
                language="zh",
                address=Address("阳光花园", "3", "2", "301"),
                phone="+8613812345678",
            ),
        ).code
    result = hotline("tickets", "list", "--json")
    assert result.returncode == 0, result.stderr
    tickets = {t["code"]: t for t in json.loads(result.stdout)}
    assert tickets[code]["category"] == "report_repair"
    assert tickets[code]["description"] == "室温只有15度"
    assert tickets[code]["estate"] == "阳光花园" and tickets[code]["status"] == "new"
    assert "followup_due_at" in tickets[code]


def test_unknown_command_is_refused() -> None:
    result = hotline("tickets", "delete")
    assert result.returncode == 2 and "invalid choice" in result.stderr
