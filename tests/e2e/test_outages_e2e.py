"""Outages (R10) end to end: residents through the web chat and Telegram (stand-in), the real
Rasa and action server, dispatchers through the dashboard, on the shared test database."""

from __future__ import annotations

import random
import string
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels.relay import Relay
from bot.config import get_settings
from bot.core.conversation.chat_links import remember_chat
from bot.core.db import make_engine, session_scope
from bot.core.models import Category, Outage, Priority
from bot.core.outages.desk import declare_outage, restore_outage
from bot.core.outages.register import OutageRequest
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket, get_ticket_by_code, utcnow
from tests.browser import browser  # noqa: F401  (fixture)
from tests.conftest import POSTGRES_URL, Resident, ticket_code_in
from tests.harness import RunningApp, wait_until
from tests.staff import Staff, hidden, new_account
from tests.telegram_standin import BotApiStandIn, group_app

pytestmark = pytest.mark.stack
GROUP = -100888


def new_estate() -> str:
    """An estate of its own per test; letters only, so that "…3号楼" stays the building."""
    return "枫林苑" + "".join(random.choices(string.ascii_lowercase, k=6))


def declare(
    estate: str, *, hours: float = 6, planned: bool = False, starts_in: timedelta = -timedelta(minutes=30)
) -> int:
    now = utcnow()
    request = OutageRequest(
        [estate], now + starts_in, now + starts_in + timedelta(hours=hours), "主管线爆裂", planned=planned
    )
    with session_scope() as session:
        return declare_outage(session, request, "dispatcher-test", now, get_settings()).outage.id


def outages_of(estate: str) -> list[Outage]:
    with session_scope() as session:
        return [o for o in session.scalars(select(Outage)) if estate in o.estates]


def texts(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies)


@pytest.fixture(scope="module")
def outage_app(stack, bot_api: BotApiStandIn) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    app = group_app(f"http://127.0.0.1:{stack.rasa_port}", bot_api, GROUP, outage_check_every_seconds=0.5)
    yield app
    app.stop()


def test_no_heat_inside_an_outage_is_answered_with_the_notice_and_linked(outage_app: RunningApp) -> None:
    estate = new_estate()
    outage_id = declare(estate)
    resident = Resident(outage_app.base_url)
    resident.say("我家暖气不热")
    asked = resident.say(f"{estate}3号楼2单元301")
    assert "主管线爆裂" in texts(asked) and "别的问题" in texts(asked)  # the notice, then the question
    done = resident.press(asked, "就是暖气不热")
    assert "停热" in texts(done)
    with session_scope() as session:
        ticket = get_ticket_by_code(session, ticket_code_in(done))
        assert ticket is not None and ticket.outage_id == outage_id
        assert (
            ticket.resolve_due_at is None and ticket.onsite_due_at is None and ticket.next_due_at is None
        )  # no R2 clock
        assert ticket.group_posted_at is not None  # no dispatch of its own


def test_the_earlier_address_of_the_chat_is_enough(outage_app: RunningApp) -> None:
    estate = new_estate()
    resident = Resident(outage_app.base_url)
    pseudonym = Relay(outage_app.settings).sender_ref("web", resident.sender)  # what tickets keep of the chat
    with session_scope() as session:  # the same chat reported from this flat last week
        draft = TicketDraft(category=Category.REPORT_REPAIR, description="阀门坏了", channel="web", language="zh",
                            address=Address(estate, "5", "1", "202"), phone="+8613812345678", sender_ref=pseudonym)  # fmt: skip
        create_ticket(session, draft, get_settings(), now=utcnow() - timedelta(days=7))
    declare(estate)
    replies = resident.say("暖气又不热了")
    assert "主管线爆裂" in texts(replies) and "别的问题" in texts(replies)


def test_something_else_goes_on_with_the_normal_intake(outage_app: RunningApp) -> None:
    estate = new_estate()
    declare(estate)
    resident = Resident(outage_app.base_url)
    asked = resident.say(f"暖气不热,{estate}3号楼2单元301")
    assert "别的问题" in texts(asked)
    other = resident.press(asked, "是别的问题")
    assert "请说说您遇到的问题" in texts(other)
    assert "电话" in resident.say_text("卫生间的暖气阀门拧不动了")  # the intake goes on: the phone is next


def test_a_leak_inside_the_outage_is_a_normal_urgent_ticket(outage_app: RunningApp) -> None:
    estate = new_estate()
    declare(estate)
    resident = Resident(outage_app.base_url)
    first = resident.say_text(f"暖气片漏水了,水流了一地,{estate}3号楼2单元301")
    assert "阀门" in first and "主管线爆裂" not in first  # safety advice (R1), not the outage
    resident.say("13812345678")
    callback = resident.say("随时都可以")
    summary = callback if any(r.get("buttons") for r in callback) else resident.say("不需要")
    done = resident.press(summary, "确认")
    with session_scope() as session:
        ticket = get_ticket_by_code(session, ticket_code_in(done))
        assert ticket is not None and ticket.category is Category.REPORT_LEAK and ticket.priority is Priority.URGENT
        assert ticket.outage_id is None and ticket.onsite_due_at is not None


def test_a_resident_elsewhere_gets_the_normal_intake(outage_app: RunningApp) -> None:
    declare(new_estate())
    resident = Resident(outage_app.base_url)
    replies = resident.say_text(f"暖气不热,{new_estate()}3号楼2单元301")
    assert "主管线爆裂" not in replies and "电话" in replies


def test_planned_works_reach_telegram_residents_two_days_ahead_and_restoration_too(
    outage_app: RunningApp, bot_api: BotApiStandIn
) -> None:
    estate = new_estate()
    chat_id = 7_700_000 + uuid.uuid4().int % 100_000
    with session_scope() as session:
        sender = f"telegram:{uuid.uuid4().hex[:12]}"
        remember_chat(session, "telegram", sender, str(chat_id), utcnow(), get_settings().resolved_secret_key())
        draft = TicketDraft(category=Category.REPORT_REPAIR, description="阀门坏了", channel="telegram", language="zh",
                            address=Address(estate, "3", "2", "301"), phone="+8613812345678", sender_ref=sender)  # fmt: skip
        create_ticket(session, draft, get_settings(), now=utcnow() - timedelta(days=20))
    far = declare(estate, planned=True, starts_in=timedelta(days=2, hours=1), hours=30)
    time.sleep(2)
    assert bot_api.texts_to(chat_id) == []  # more than two days ahead: not yet
    with session_scope() as session:  # two days before it starts
        outage = session.get(Outage, far)
        outage.start_at, outage.end_at = utcnow() + timedelta(days=2), utcnow() + timedelta(days=3, hours=6)
    announced = bot_api.wait_for(chat_id, 1)
    assert "主管线爆裂" in announced[0]["text"] and "暂停供热" in announced[0]["text"]
    with session_scope() as session:
        restore_outage(session, far, "dispatcher-test", utcnow(), get_settings())
    told = bot_api.wait_for(chat_id, 2)
    assert "恢复供热" in told[1]["text"]
    time.sleep(2)
    assert len(bot_api.texts_to(chat_id)) == 2  # each once


def test_three_no_heat_reports_raise_a_possible_outage_in_the_group(
    outage_app: RunningApp, bot_api: BotApiStandIn
) -> None:
    estate = new_estate()
    with session_scope() as session:
        for n in range(3):
            draft = TicketDraft(category=Category.REPORT_REPAIR, subcategory="no_heat", description="暖气不热", channel="web",
                                language="zh", address=Address(estate, str(n + 1), "1", "101"), phone="+8613812345678")  # fmt: skip
            create_ticket(session, draft, get_settings())

    def suspected() -> list[str]:
        return [t for t in bot_api.texts_to(GROUP) if estate in t and "可能发生停热" in t]

    wait_until(suspected, 20, "the suspected outage to reach the group", every=0.2)


def test_a_dispatcher_drafts_edits_and_declares_on_the_dashboard_and_the_feed_shows_it(outage_app: RunningApp) -> None:
    estate = new_estate()
    staff = Staff(outage_app.base_url, new_account("dispatcher"))
    now = utcnow().astimezone(outage_app.settings.tz)  # the form takes the utility's local time
    form = {"area": estate, "start": f"{now - timedelta(minutes=10):%Y-%m-%dT%H:%M}",
            "end": f"{now + timedelta(hours=5):%Y-%m-%dT%H:%M}", "reason": "换热站故障", "step": "draft"}  # fmt: skip
    backwards = staff.post("/dashboard/outages", **{**form, "end": form["start"], "start": form["end"]})
    assert backwards.status_code == 400 and "结束时间必须晚于开始时间" in backwards.text
    draft = staff.post("/dashboard/outages", **form)
    assert draft.status_code == 200 and "换热站故障" in draft.text and "notice_zh" in draft.text
    assert outages_of(estate) == []  # a draft writes nothing
    edited = {**form, "step": "", "notice_zh": f"{estate}换热站故障,今晚恢复。", "notice_en": "Heating stops tonight."}
    declared = staff.post("/dashboard/outages", **edited)
    assert declared.status_code in (200, 303)
    feed = httpx.get(f"{outage_app.base_url}/api/outages").json()["outages"]
    mine = [o for o in feed if o["estates"] == [estate]]
    assert (
        len(mine) == 1 and mine[0]["notice"]["zh"] == f"{estate}换热站故障,今晚恢复。" and mine[0]["state"] == "active"
    )
    page = staff.get("/dashboard/outages").text
    assert estate in page and hidden(page, "csrf")
    stats = staff.get("/dashboard/stats").text
    assert "停热 Outages (R10)" in stats and 'id="outages"' in stats
    with session_scope() as session:
        restore_outage(session, mine[0]["id"], "dispatcher-test", utcnow(), get_settings())


def test_the_web_chat_shows_the_outage_banner_when_a_resident_types_an_estate_in_it(
    outage_app: RunningApp,
    browser,  # noqa: F811  (the fixture)
) -> None:  # type: ignore[no-untyped-def]
    estate = new_estate()
    outage_id = declare(estate)
    page = browser.new_context().new_page()
    page.goto(outage_app.base_url)
    page.wait_for_selector(".msg.bot")  # greeted; the feed was fetched at load
    page.fill("#text", "你好,我想问问")
    page.click("#send")
    page.wait_for_timeout(500)
    assert page.inner_text("#outages") == ""  # nothing typed names an estate in an outage
    page.fill("#text", f"我家在{estate.upper()} 3号楼,暖气怎么不热了")  # any case, any spacing
    page.click("#send")
    page.wait_for_selector(f"#outages p[data-outage='{outage_id}']")
    assert "主管线爆裂" in page.inner_text("#outages")
    with session_scope() as session:
        restore_outage(session, outage_id, "dispatcher-test", utcnow(), get_settings())


def test_on_postgresql_no_heat_in_an_outage_is_linked_and_a_leak_there_is_urgent(postgres_app) -> None:  # type: ignore[no-untyped-def]
    """The same flows with the application, its action server and its jobs on PostgreSQL."""
    estate = new_estate()
    engine = make_engine(POSTGRES_URL)
    try:
        with Session(engine) as session:
            now = utcnow()
            request = OutageRequest([estate], now - timedelta(minutes=30), now + timedelta(hours=6), "主管线爆裂")
            outage_id = declare_outage(session, request, "dispatcher-test", now, get_settings()).outage.id
            session.commit()
        linked = Resident(postgres_app.base_url)
        asked = linked.say(f"暖气不热,{estate}3号楼2单元301")
        assert "主管线爆裂" in texts(asked)
        code = ticket_code_in(linked.press(asked, "就是暖气不热"))
        leaking = Resident(postgres_app.base_url)
        assert "阀门" in leaking.say_text(f"暖气片漏水了,{estate}5号楼1单元101")
        leaking.say("13812345678")
        leak_code = ticket_code_in(leaking.press(leaking.say("随时"), "确认"))
        with Session(engine) as session:
            assert get_ticket_by_code(session, code).outage_id == outage_id  # type: ignore[union-attr]
            leak = get_ticket_by_code(session, leak_code)
            assert leak is not None and leak.outage_id is None and leak.priority is Priority.URGENT
    finally:
        engine.dispose()


def test_no_heat_told_in_english_inside_an_outage_gets_the_notice_in_english(outage_app: RunningApp) -> None:
    estate = new_estate()
    declare(estate)
    resident = Resident(outage_app.base_url)
    asked = texts(resident.say(f"My heating stopped, I live at {estate} building 5 unit 1 room 201"))
    assert "something else" in asked.lower(), asked  # the outage's notice and question, in English
    assert "30 minutes" not in asked and "30分钟" not in asked  # no repair clock promised
