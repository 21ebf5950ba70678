"""Anyone who knows a ticket's code may ask how it is going (anonymous reporters have nothing
else), so the answer names only category, status and dates: never the address, the phone, the
resident's words or who handles it, and asking never changes the ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.db import session_scope
from bot.core.models import Alert, Ticket, TicketEvent, TicketStatus
from bot.core.tickets.intake import get_ticket_by_code
from bot.core.tickets.workflow import change_status
from tests.conftest import Resident
from tests.e2e.test_conversations import confirm

pytestmark = pytest.mark.stack

# What the reporter gave; none of it may reach another chat.
SECRETS = ["13912348765", "8765", "阳光花园", "Sunshine", "3号楼", "2单元", "301", "水流了一地", "暖气片", "radiator"]


def ticket_total() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count(Ticket.id))) or 0


def state_of(code: str) -> tuple:  # type: ignore[type-arg]
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None
        events = session.scalar(select(func.count(TicketEvent.id)).where(TicketEvent.ticket_id == ticket.id))
        return ticket.status, ticket.priority, ticket.owner, ticket.updated_at, ticket.followup_state, events


def test_another_resident_learns_only_category_status_and_dates(resident: Resident, app) -> None:  # type: ignore[no-untyped-def]
    resident.say("阳光花园3号楼2单元301暖气片漏水了,水流了一地")
    resident.say("13912348765")
    code = confirm(resident, resident.say("下午都在家"), "确认提交")
    before = state_of(code)

    stranger = Resident(app.base_url)
    answers = {
        "zh": stranger.say_text(f"{code} 怎么样了"),
        "en": stranger.say_text(f"status of {code}"),
    }
    assert code in answers["zh"] and "漏水" in answers["zh"] and "已登记" in answers["zh"]
    assert code in answers["en"] and "leak" in answers["en"] and "registered" in answers["en"]
    for language, answer in answers.items():
        leaked = [secret for secret in SECRETS if secret.lower() in answer.lower()]
        assert leaked == [], f"{language}: {answer!r} reveals {leaked}"
    assert state_of(code) == before


def test_a_code_written_straight_against_chinese_words_or_full_width_is_found(resident: Resident, app) -> None:  # type: ignore[no-untyped-def]
    resident.say("阳光花园3号楼2单元301暖气片漏水了,水流了一地")
    resident.say("13912348765")
    code = confirm(resident, resident.say("随时"), "确认提交")
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in "HL-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
    for asked in (f"{code}怎么样了", f"我的工单{code}现在到哪一步了", f"{full_width}怎么样了"):
        answer = Resident(app.base_url).say_text(asked)
        assert code in answer and "已登记" in answer, (asked, answer)
    assert "没有找到" in Resident(app.base_url).say_text("HL-ZZZZZZ怎么样了")


def test_a_resident_asking_when_someone_comes_learns_the_next_promise_and_whether_it_is_late(
    resident: Resident,
) -> None:
    """Asked "还有多久能来人" without a code, the bot gives this chat's tickets, each with the next
    thing promised and by when (R2: a call within 30 minutes, then a crew on site); a promise not
    kept is owned up to."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13912348765")
    code = confirm(resident, resident.say("随时"), "确认提交")

    for asked in ("还有多久能来人", "我刚才报的怎么样了"):
        answer = resident.say_text(asked)
        assert code in answer and "工作人员与您电话联系不晚于" in answer, (asked, answer)

    with session_scope() as session:
        filed = get_ticket_by_code(session, code)
        assert filed is not None
        change_status(session, filed, TicketStatus.ACKNOWLEDGED, "wang", datetime.now(UTC))
    assert "工作人员到达现场不晚于" in resident.say_text("师傅什么时候到")

    with session_scope() as session:
        filed = get_ticket_by_code(session, code)
        assert filed is not None
        filed.onsite_due_at = datetime.now(UTC) - timedelta(minutes=5)
    late = resident.say_text("how long until someone comes")
    assert code in late and "was due by" in late and "We are sorry" in late


def additions_to(code: str) -> tuple[list[str], list[str]]:
    """The resident's additions logged on the ticket, and the kinds of its open alerts."""
    with session_scope() as session:
        filed = get_ticket_by_code(session, code)
        assert filed is not None
        added = [event.detail["text"] for event in filed.events if event.kind == "resident_added"]
        alerts = session.scalars(select(Alert.kind).where(Alert.ticket_id == filed.id)).all()
        return added, list(alerts)


def test_news_for_ones_own_ticket_goes_on_that_ticket_and_alerts_the_dispatchers(resident: Resident, app) -> None:  # type: ignore[no-untyped-def]
    resident.say("阳光花园3号楼2单元301暖气片漏水了")
    resident.say("13912348765")
    code = confirm(resident, resident.say("随时"), "确认提交")
    tickets_before = ticket_total()

    worse = resident.say_text(f"{code} 水越来越大了,快来人")
    assert "阀门" in worse  # the safety advice again (R1)
    assert f"已记到工单 {code}" in worse and "地址" not in worse, worse  # no second intake
    more = resident.say_text(f"{code} 补充一下,楼下邻居家也渗水了")
    assert f"已记到工单 {code}" in more, more
    assert ticket_total() == tickets_before
    added, alerts = additions_to(code)
    assert added == [f"{code} 水越来越大了,快来人", f"{code} 补充一下,楼下邻居家也渗水了"]
    assert alerts.count("resident_added") == 2

    # A stranger who has the code does not speak for the resident: their words are a report of
    # their own (or a status question), never added to this ticket.
    stranger = Resident(app.base_url)
    assert "已记到工单" not in stranger.say_text(f"{code} 水越来越大了")
    assert additions_to(code)[0] == added


def test_a_cancellation_or_more_news_after_the_ticket_reaches_it_without_a_code(resident: Resident) -> None:
    """After the receipt, "不用来了,帮我取消吧" or "补充一下…" must reach a dispatcher, or the crew
    comes for nothing, or without knowing what matters."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13912348765")
    code = confirm(resident, resident.say("随时"), "确认提交")
    more = resident.say_text("补充一下,家里有个80岁的老人")
    assert f"已记到工单 {code}" in more, more
    cancel = resident.say_text("不好意思,刚才暖气又热了,不用来了,帮我取消吧")
    assert f"取消的请求已记到工单 {code}" in cancel, cancel
    added, alerts = additions_to(code)
    assert added == ["补充一下,家里有个80岁的老人", "不好意思,刚才暖气又热了,不用来了,帮我取消吧"]
    assert alerts.count("resident_added") == 2


def test_solved_and_thanks_for_ones_own_ticket_reaches_its_dispatchers(resident: Resident) -> None:
    """ "HL-… 已经好了,谢谢,不用来了" is no mere thanks: the crew must hear it."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13912348765")
    code = confirm(resident, resident.say("随时"), "确认提交")
    answer = resident.say_text(f"{code} 已经好了,谢谢,不用来了")
    assert f"工单 {code}" in answer and "已经解决" in answer, answer
    added, alerts = additions_to(code)
    assert added == [f"{code} 已经好了,谢谢,不用来了"] and alerts.count("resident_added") == 1


def test_a_mistyped_code_is_told_so(resident: Resident) -> None:
    answer = resident.say_text("HL-12345 查询")
    assert "HL-12345" in answer and "6 位" in answer and "帮不上" not in answer, answer
