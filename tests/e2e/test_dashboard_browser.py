"""A dispatcher's shift in a real browser while a resident chats in another one: sign in, the
queue updating by itself, filters, the ticket page, acknowledging, a status change, a reply that
reaches the resident's chat, and the statistics page."""

from __future__ import annotations

import re

import pytest

from tests.browser import browser, sign_in  # noqa: F401  (fixture)
from tests.staff import PASSWORD, new_account

pytestmark = pytest.mark.stack
CODE = re.compile(r"HL-[0-9A-Z]{6}")


def bot_says(chat, count_before: int, timeout: float = 20_000) -> str:  # type: ignore[no-untyped-def]
    """Wait for the bot's next message in the web chat and return the text of all new ones."""
    # A locator, not a script: the chat page's Content-Security-Policy lets no test script run there.
    chat.locator(".msg.bot").nth(count_before).wait_for(timeout=timeout)
    return "\n".join(chat.locator(".msg.bot").all_inner_texts()[count_before:])


def say(chat, text: str) -> str:  # type: ignore[no-untyped-def]
    before = chat.locator(".msg.bot").count()
    chat.fill("#text", text)
    chat.click("#send")
    return bot_says(chat, before)


def press(chat, title: str) -> str:  # type: ignore[no-untyped-def]
    before = chat.locator(".msg.bot").count()
    chat.locator(".buttons button", has_text=title).last.click()
    return bot_says(chat, before)


def test_a_dispatcher_works_a_residents_report_in_the_browser(app, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    username = new_account("dispatcher")
    desk = browser.new_context().new_page()
    dialogs: list[str] = []
    desk.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    desk.goto(f"{app.base_url}/dashboard/")
    assert "/dashboard/login" in desk.url  # not signed in yet
    sign_in(desk, app.base_url, username, "wrong-password-123")
    assert "Wrong username or password" in desk.inner_text(".error")
    sign_in(desk, app.base_url, username, PASSWORD)
    desk.wait_for_selector("#queue")
    # The dispatcher works one estate's tickets: the other tests' tickets, on this database
    # before this one, do not push the new one off the queue's first page.
    desk.goto(f"{app.base_url}/dashboard/?estate=松韵家园")
    desk.wait_for_selector("#queue")

    # A resident reports in the web chat, in a browser of their own.
    chat = browser.new_context().new_page()
    chat.goto(app.base_url)
    bot_says(chat, 0)  # the greeting
    say(chat, "松韵家园5号楼1单元202暖气不热,家里只有十几度")
    say(chat, "13912345678")
    press(chat, "随时都可以")
    receipt = press(chat, "确认提交")
    code = CODE.search(receipt).group(0)  # type: ignore[union-attr]

    # The new ticket appears in the open queue without a reload.
    desk.wait_for_selector(f'tr[data-code="{code}"]', timeout=15_000)

    # Filters: repairs keep it, leaks do not.
    desk.select_option("select[name=category]", "report_leak")
    desk.click(".filters button[type=submit]")
    assert desk.locator(f'tr[data-code="{code}"]').count() == 0
    desk.select_option("select[name=category]", "report_repair")
    desk.fill("input[name=q]", "松韵家园5号楼")
    desk.click(".filters button[type=submit]")
    desk.click(f'tr[data-code="{code}"] a')

    # The ticket page: every field, the conversation; then the dispatcher works it.
    assert "松韵家园5号楼1单元202" in desk.inner_text("#address")
    assert "+8613912345678" in desk.inner_text("#contact")
    assert "家里只有十几度" in desk.inner_text(".transcript")
    desk.click(".step-acknowledge button")
    assert "已受理" in desk.inner_text("#status") and username in desk.inner_text("#owner")
    desk.select_option(".step-status select[name=status]", "in_progress")
    desk.click(".step-status button")
    assert "处理中" in desk.inner_text("#status")
    assert "status changed" in desk.inner_text(".history")

    desk.fill(".step-reply textarea", "师傅已出发,二十分钟到")
    desk.click(".step-reply button")
    assert "Reply sent" in desk.inner_text(".done")
    chat.locator(".msg.bot", has_text="师傅已出发").first.wait_for(timeout=15_000)

    desk.click("text=统计 Statistics")
    desk.wait_for_selector("svg rect")
    assert "R2 repair" in desk.inner_text("table.sla")
    assert not dialogs
