"""The dashboard over real HTTP against the running application and its database: sign-in,
sessions, CSRF, roles, the queue, the ticket page's actions and the statistics."""

from __future__ import annotations

import pytest

from tests.conftest import Resident, ticket_code_in
from tests.staff import Staff
from tests.unit.test_dashboard import dispatcher  # noqa: F401  (helpers and fixtures shared with the unit tests)

pytestmark = pytest.mark.stack


# -- access -----------------------------------------------------------------------------------


# -- the queue --------------------------------------------------------------------------------


# -- working a ticket -------------------------------------------------------------------------


def test_reply_reaches_the_residents_web_chat(app, dispatcher: Staff, resident: Resident) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
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
