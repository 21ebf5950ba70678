"""The admins' whole loop in a real browser: a message the live model is unsure of is
annotated in the inbox, a model is trained from the page, evaluated against the live one,
activated with a click while another resident keeps chatting, and the same message is then
understood in the chat."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.core.db import session_scope
from bot.core.tickets.intake import utcnow
from bot.teaching.activation import roll_back
from bot.teaching.training import latest_run
from tests.browser import browser, sign_in  # noqa: F401  (fixture)
from tests.conftest import Resident
from tests.e2e.test_dashboard_browser import say
from tests.staff import PASSWORD, new_account
from tests.unsure import unsure_message

pytestmark = pytest.mark.stack


def wait_until_finished(page, section: str, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Reload the page as an admin would until the background run is no longer running (the page
    also refreshes itself; reloading here keeps the test independent of that timer)."""
    deadline = time.monotonic() + seconds
    while page.locator(f"{section} .state-running").count() and time.monotonic() < deadline:
        time.sleep(3)
        page.reload()
    assert not page.locator(f"{section} .state-running").count(), f"{section} still running"


def test_admin_teaches_the_bot_a_message_from_the_browser(stack, app, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    rasa_url = f"http://127.0.0.1:{stack.rasa_port}"
    message = unsure_message(rasa_url)
    chat = browser.new_context().new_page()
    chat.goto(app.base_url)
    chat.wait_for_selector(".msg.bot")
    before = say(chat, message)
    assert "地址" not in before  # not taken for a repair report yet

    admin = browser.new_context().new_page()
    sign_in(admin, app.base_url, new_account("admin"), PASSWORD)
    admin.goto(f"{app.base_url}/dashboard/nlu/inbox")
    row = admin.locator("tr", has_text=message)
    row.locator("select[name=intent]").select_option("report_repair")
    row.locator("button[type=submit]").click()
    assert "Added to report_repair" in admin.inner_text(".done")

    admin.goto(f"{app.base_url}/dashboard/nlu/models")
    admin.click("#training button[type=submit]")
    wait_until_finished(admin, "#training", 20 * 60)
    assert "succeeded" in admin.inner_text("#training"), admin.inner_text("#training")
    with session_scope() as session:  # this test's run: other test runs may train into models/ too
        run = latest_run(session)
        assert run is not None
        candidate = Path(run.model_path)
    name = candidate.relative_to(candidate.parent.parent).as_posix()

    admin.goto(f"{app.base_url}/dashboard/nlu/evaluate")
    admin.select_option("select[name=model]", name)
    admin.click("form.step button[type=submit]")
    wait_until_finished(admin, "#evaluation", 10 * 60)
    assert "succeeded" in admin.inner_text("#evaluation")
    assert admin.locator("svg.confusion").count() == 2 and "macro-F1" in admin.inner_text("table.evaluation")

    other = Resident(app.base_url)
    answered: list[int] = []
    talker = threading.Thread(
        target=lambda: [answered.append(len(other.say(t))) for t in ["你好", "暖气费多少钱一平米", "谢谢"]]
    )
    admin.goto(f"{app.base_url}/dashboard/nlu/models")
    talker.start()
    try:
        admin.locator(f'tr[data-model="{name}"] button[type=submit]').click()
        assert "Now serving" in admin.inner_text(".done")
        talker.join(120)
        assert answered and all(answered) and len(answered) == 3  # the parallel conversation lost nothing
        chat.reload()
        chat.wait_for_selector(".msg.bot")
        after = say(chat, message)
        assert "地址" in after or "address" in after.lower(), after  # now a repair report: the address is asked
    finally:
        with session_scope() as session:
            roll_back(session, rasa_url, "test-cleanup", utcnow())
        candidate.unlink()
