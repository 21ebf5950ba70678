"""Residents' text is untrusted: a corpus of XSS payloads goes in through the web chat and the
database fields a resident fills, and the dashboard shows it as text that never runs."""

from __future__ import annotations

import pytest
from markupsafe import escape

from bot.config import get_settings
from bot.core.db import session_scope
from bot.core.models import Category, ChatMessage
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket, utcnow
from tests.browser import browser, sign_in  # noqa: F401  (fixture)
from tests.staff import PASSWORD, Staff, new_account

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    '"><svg onload=window.__xss=1>',
    "'><body onload=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "<iframe src=javascript:window.__xss=1></iframe>",
    '<a href="javascript:window.__xss=1">点我</a>',
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "{{ 7*7 }}{% raw %}${7*7}",
    "<details open ontoggle=window.__xss=1>",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
]


def seed(payload: str) -> str:
    """A ticket whose every resident-written field carries the payload, with a transcript."""
    sender = f"web:xss-{abs(hash(payload))}"
    with session_scope() as session:
        draft = TicketDraft(category=Category.REPORT_REPAIR, description=f"暖气不热 {payload}", channel="web",
                            language="zh", address_raw=f"阳光花园{payload}", address=Address(f"小区{payload}", "1", "1", "1"),
                            phone="+8613812345678", callback_window=payload, sender_ref=sender)  # fmt: skip
        code = create_ticket(session, draft, get_settings()).code
        session.add(ChatMessage(channel="web", sender=sender, direction="in", text=payload, created_at=utcnow()))
    return code


def assert_shown_as_text(html: str, payload: str) -> None:
    assert payload not in html or "<" not in payload and '"' not in payload and "'" not in payload
    assert str(escape(payload)) in html


@pytest.fixture(scope="module")
def seeded() -> dict[str, str]:
    return {payload: seed(payload) for payload in PAYLOADS}


def test_payloads_are_escaped_on_every_page(app, seeded: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    desk = Staff(app.base_url, new_account())
    for payload, code in seeded.items():
        desk.act(code, "note", note=payload)  # staff text is escaped the same way
        page = desk.get(f"/dashboard/tickets/{code}")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert_shown_as_text(page.text, payload)
        assert page.text.count(str(escape(payload))) >= 4  # description, address, callback, transcript, note
        rows = desk.get("/dashboard/queue/rows", q=code).json()["rows"]
        assert_shown_as_text(rows, payload)


def test_nothing_runs_in_a_real_browser(app, browser, seeded: dict[str, str]) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    username = new_account()
    page = browser.new_context().new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, app.base_url, username, PASSWORD)
    page.wait_for_selector("#queue")
    for payload, code in seeded.items():
        page.goto(f"{app.base_url}/dashboard/tickets/{code}")
        assert payload in page.inner_text("#description")  # shown, literally, as text
        assert page.evaluate("window.__xss") is None
    page.goto(f"{app.base_url}/dashboard/?q=xss")
    page.goto(f"{app.base_url}/dashboard/")
    assert page.evaluate("window.__xss") is None and not dialogs
