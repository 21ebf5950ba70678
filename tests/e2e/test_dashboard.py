"""The dashboard over real HTTP against the running application and its database: sign-in,
sessions, CSRF, roles, the queue, the ticket page's actions and the statistics."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from bot.core.db import session_scope
from bot.core.models import Category
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket, utcnow
from tests.conftest import Resident, ticket_code_in
from tests.staff import Staff, new_account

pytestmark = pytest.mark.stack


def make_ticket(estate: str, category: Category = Category.REPORT_REPAIR, *, minutes_ago: int = 0,
                description: str = "暖气不热", **extra: object) -> str:  # fmt: skip
    with session_scope() as session:
        draft = TicketDraft(category=category, description=description, channel="web", language="zh",
                            address_raw=f"{estate}1号楼1单元101", address=Address(estate, "1", "1", "101"),
                            phone="+8613812345678", **extra)  # type: ignore[arg-type]  # fmt: skip
        return create_ticket(session, draft, now=utcnow() - timedelta(minutes=minutes_ago)).code


@pytest.fixture
def dispatcher(app) -> Staff:  # type: ignore[no-untyped-def]
    return Staff(app.base_url, new_account("dispatcher"))


def estate_name() -> str:
    return f"测试小区{uuid.uuid4().hex[:6]}"


# -- access -----------------------------------------------------------------------------------


# -- the queue --------------------------------------------------------------------------------


# -- working a ticket -------------------------------------------------------------------------


def test_reply_reaches_the_residents_web_chat(app, dispatcher: Staff, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    summary = resident.say("随时都可以")
    code = ticket_code_in(resident.press(summary, "确认提交"))
    page = dispatcher.get(f"/dashboard/tickets/{code}").text
    assert "阳光花园3号楼2单元301暖气不热" in page  # the transcript
    assert dispatcher.act(code, "reply", text="师傅下午三点到,请家里留人").status_code == 303
    updates = resident.client.get("/api/chat/updates", params={"sender": resident.sender}).json()
    assert any("师傅下午三点到" in u["text"] and code in u["text"] for u in updates)
    empty = dispatcher.act(code, "reply", text="   ")
    assert empty.status_code == 400 and "The reply is empty" in empty.text
