"""The operator's command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.config import get_settings
from bot.core.db import session_scope
from bot.core.models import Category
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket


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
            get_settings(),
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


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`hotline tickets list --json | head -1`: the pipe closes, the command ends quietly."""
    from sqlalchemy.orm import Session

    from bot.core.db import make_engine
    from bot.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'pipe.db'}"  # its own database: 200 tickets would crowd the others' queue
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for n in range(200):  # more output than a pipe buffer holds
            create_ticket(session, TicketDraft(category=Category.COMPLAINT, description=f"投诉{n} " * 20,
                                               channel="web", language="zh"), get_settings())  # fmt: skip
    engine.dispose()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tickets", "list", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "HOTLINE_DATABASE_URL": url},
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().strip() == b"["
    process.stdout.close()  # what `head -1` does after its line
    assert process.wait(timeout=60) == 1
    assert b"Traceback" not in process.stderr.read()
