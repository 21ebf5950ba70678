"""Residents' text is untrusted: a corpus of XSS payloads goes in through the web chat and the
database fields a resident fills, and the dashboard shows it as text that never runs."""

from __future__ import annotations

import pytest

from tests.browser import browser, sign_in  # noqa: F401  (fixture)
from tests.conftest import Resident, ticket_code_in
from tests.staff import Staff, new_account
from tests.unit.test_dashboard_xss import assert_shown_as_text  # noqa: F401  (helpers and fixtures shared with the unit tests)

pytestmark = pytest.mark.stack


def test_payload_typed_into_the_web_chat_is_escaped(app, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    # Markup of the common tags never reaches the dashboard (bot/core/text/markup.py drops it);
    # a tag outside that list does, and must show as text.
    payload = "<details open ontoggle=window.__xss=1>"
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    summary = resident.say(f"下午 {payload}")  # the callback time is taken as written
    code = ticket_code_in(resident.press(summary, "确认提交"))
    page = Staff(app.base_url, new_account()).get(f"/dashboard/tickets/{code}").text
    assert_shown_as_text(page, payload)
