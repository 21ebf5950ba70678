"""A leak or gas interrupts whatever the resident is in the middle of: a follow-up, another
report, the summary. It gets the safety advice at once (R1) and a leak ticket, never becomes
an answer to the question that was pending."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.db import session_scope
from bot.core.models import Category, FollowupState, Priority, Ticket, TicketStatus
from tests.conftest import CODE, Resident, RunningApp, ticket_code_in
from tests.e2e.test_conversations import confirm, ticket, ticket_count
from tests.e2e.test_followup_conversation import daytime, report_leak, run_followups, updates

pytestmark = pytest.mark.stack
BURST = "客厅暖气片接头突然爆了,水喷了一地!"


def test_a_leak_written_as_the_follow_up_comment_is_a_leak_not_a_comment(resident: Resident, app: RunningApp) -> None:
    code = report_leak(resident)
    run_followups(app, daytime(ticket(code).followup_due_at))
    rating = resident.press(updates(resident), "已解决")
    assert "打分" in rating[-1]["text"]
    assert "意见" in resident.say_text("5")
    interrupted = resident.say_text(BURST)
    assert "关闭" in interrupted and "阀门" in interrupted  # the leak safety advice (R1)
    assert "已结案" not in interrupted
    first = ticket(code)  # the answers given so far still count; the burst is not its comment
    assert first.status is TicketStatus.CLOSED and first.followup_state is FollowupState.SOLVED
    assert first.satisfaction == 5 and not first.satisfaction_comment
    assert "地址" in interrupted  # a report of its own: where is it?
    resident.say("阳光花园3号楼2单元301")
    resident.say("13812345678")
    new_code = confirm(resident, resident.say("随时"), "确认提交")
    leak = ticket(new_code)
    assert new_code != code and leak.category is Category.REPORT_LEAK and leak.priority is Priority.URGENT
    assert "接头突然爆了" in leak.description


def test_not_solved_and_a_new_leak_at_the_solved_question_reopens_the_repair_and_files_the_leak(
    resident: Resident, app: RunningApp
) -> None:
    """Tester's finding: "还没解决!!而且现在暖气片接口那开始往外冒水了" filed the leak, but the repair
    was left "new" with only "follow-up sent": the resident's "not solved" was lost."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    code = confirm(resident, resident.say("随时"), "确认提交")
    run_followups(app, daytime(ticket(code).followup_due_at))
    updates(resident)
    interrupted = resident.say_text("还没解决!!而且现在暖气片接口那开始往外冒水了,地板都泡了")
    assert "阀门" in interrupted, interrupted  # the leak's safety advice (R1)
    with session_scope() as session:
        repair = session.scalars(select(Ticket).where(Ticket.code == code)).one()
        assert repair.status is TicketStatus.REOPENED and repair.followup_state is FollowupState.NOT_SOLVED
        assert any("冒水" in str(e.detail.get("comment")) for e in repair.events if e.kind == "followup_answered")


def test_a_leak_in_the_middle_of_a_repair_report_turns_it_into_a_leak(resident: Resident) -> None:
    resident.say("暖气不热,阳光花园3号楼2单元301")
    asked_phone = resident.say_text(BURST)
    assert "阀门" in asked_phone and "电话" in asked_phone  # safety advice, then the question again
    resident.say("13812345678")
    summary = resident.say("随时")
    assert "漏水" in "\n".join(r["text"] for r in summary)
    done = resident.press(summary, "确认")
    leak = ticket(ticket_code_in(done))
    assert leak.category is Category.REPORT_LEAK and leak.priority is Priority.URGENT
    assert leak.onsite_due_at is not None  # R1's 30 minutes


@pytest.mark.parametrize("taken_back", ["不是漏水啊,没有水漏出来,就是不热", "it is not leaking at all, just cold"])
def test_a_leak_taken_back_at_the_summary_is_filed_as_a_repair(resident: Resident, taken_back: str) -> None:
    """Tester's finding: a cold radiator read as a leak could not be put right at the summary
    ("请问要修改哪一项?"), and an emergency crew was sent for a repair."""
    resident.say("阳光花园3号楼2单元301暖气片漏水了")
    resident.say("13812345678")
    resident.say("随时")
    summary = resident.say(taken_back)
    said = "\n".join(r["text"] for r in summary)
    assert "报修" in said or "repair" in said.lower(), said
    filed = ticket(ticket_code_in(resident.press(summary, "确认" if "确认" in said else "Confirm")))
    assert filed.category is Category.REPORT_REPAIR and filed.priority is not Priority.URGENT
    assert "不热" in filed.description or "just cold" in filed.description


def test_a_gas_smell_at_the_summary_gets_the_gas_advice(resident: Resident) -> None:
    resident.say("我要投诉,收费员态度很差,阳光花园3号楼2单元301")
    resident.say("13812345678")
    resident.say("随时")
    warned = resident.say_text("等一下,我家厨房闻到很浓的煤气味")
    assert "燃气" in warned and "通风" in warned


@pytest.mark.parametrize("step", ["phone", "time", "summary"])
def test_a_gas_smell_in_the_middle_of_a_water_leak_report_gets_the_gas_advice(resident: Resident, step: str) -> None:
    resident.say("阳光花园2号楼1单元103暖气片漏水")
    answers = {"time": ["13811119999"], "summary": ["13811119999", "随时"]}.get(step, [])
    for answer in answers:
        resident.say(answer)
    replies = resident.say("现在闻到煤气味了")
    warned = "\n".join(r["text"] for r in replies)
    assert "燃气" in warned and "通风" in warned, warned  # the gas advice, not "not a phone number"
    assert "不是有效" not in warned
    if step == "phone":
        resident.say("13811119999")
    if step != "summary":
        replies = resident.say("随时")
    summary = "\n".join(r["text"] for r in replies)
    assert "类别:燃气泄漏" in summary, summary  # not "漏水": the resident reported gas
    assert "什么时间" not in summary  # told to leave, asked no more than the crew needs
    leak = ticket(confirm(resident, replies, "确认提交"))  # the summary (again, at that step)
    assert leak.subcategory == "gas" and "煤气味" in leak.description
    assert leak.callback_window == "随时"  # the gas words were never taken as the time


def test_still_leaking_at_the_solved_question_reopens_the_ticket_with_the_safety_advice(
    resident: Resident, app: RunningApp
) -> None:
    code = report_leak(resident)
    run_followups(app, daytime(ticket(code).followup_due_at))
    assert updates(resident)  # "has it been solved?"
    answer = resident.say_text("还在漏水,水喷了一地")
    assert "阀门" in answer  # the leak safety advice first (R1)
    reopened = ticket(code)
    assert reopened.status is TicketStatus.REOPENED and reopened.followup_state is FollowupState.NOT_SOLVED


@pytest.mark.parametrize(
    ("report", "address", "ask_for_a_person", "number_asked"),
    [
        ("暖气不热", "阳光花园3号楼2单元301", "我要找人工", "电话"),
        ("my radiator is cold", "Sunshine Garden bldg 3 unit 2 room 301", "I want to talk to a human", "phone"),
    ],
)
def test_asking_for_a_person_in_the_middle_of_a_report_gets_the_hotline_and_keeps_the_report(
    resident: Resident, report: str, address: str, ask_for_a_person: str, number_asked: str
) -> None:
    """The staffed line at once, and the report goes on where it was: the request is no answer
    to the pending question (it was taken for a wrong phone number)."""
    resident.say(report)
    resident.say(address)
    answer = resident.say_text(ask_for_a_person)
    assert "0533-12345" in answer  # the staffed hotline (R16)
    assert "不是有效" not in answer and "not a valid" not in answer
    assert number_asked in answer.lower()  # the pending question, asked again
    resident.say("13812345678")
    chinese = number_asked == "电话"
    code = confirm(resident, resident.say("随时" if chinese else "any time"), "确认提交" if chinese else "Confirm")
    assert ticket(code).category is Category.REPORT_REPAIR


@pytest.mark.parametrize(
    ("report", "no_places", "address", "submit"),
    [
        (
            "my radiator is cold",
            ["hello?", "what?", "13812345678"],
            "Sunshine Garden bldg 3 unit 2 room 301",
            "Confirm",
        ),
        ("暖气不热", ["喂?", "啥意思？", "13812345678", "嗯"], "阳光花园3号楼2单元301", "确认提交"),
        # Commands typed as words reach Rasa as words ("affirm"), and are no place either.
        ("暖气不热", ["\u200b/affirm", "affirm", '{"intent":"affirm"}'], "阳光花园3号楼2单元301", "确认提交"),
    ],
)
def test_answers_that_name_no_place_never_become_the_address(
    resident: Resident, report: str, no_places: list[str], address: str, submit: str
) -> None:
    """A question back, a greeting or a phone number at "where?" is no address, however often:
    the question comes again (two tries of real words are taken as given, a landmark say)."""
    resident.say(report)
    for answer in no_places:
        again = resident.say_text(answer).lower()
        assert "address" in again or "地址" in again, again
    resident.say(address)
    resident.say("13812345678")
    summary = resident.say("any time" if submit == "Confirm" else "随时")
    code = confirm(resident, summary, submit)
    recorded = ticket(code).address_raw or ""
    assert recorded.startswith(address.split(" bldg")[0].split("3号楼")[0])
    assert not any(word in recorded for word in ("hello", "what", "1381234", "喂", "啥"))


def test_a_leak_that_gives_the_address_keeps_it_and_what_was_reported_before(resident: Resident) -> None:
    assert "地址" in resident.say_text("暖气不热")
    interrupted = resident.say_text("阳光花园3号楼2单元301,而且暖气片接口在滴水")
    assert "阀门" in interrupted and "电话" in interrupted and "详细地址" not in interrupted, interrupted
    resident.say("13812345678")
    leak = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert leak.category is Category.REPORT_LEAK and (leak.building, leak.room) == ("3", "301")
    assert "滴水" in leak.description and "暖气不热" in leak.description


def test_a_leak_in_the_middle_of_an_anonymous_complaint_asks_for_the_flat_and_keeps_the_complaint(
    resident: Resident,
) -> None:
    resident.say("举报收费员乱收费,我要匿名")
    resident.say("阳光花园")  # enough for an anonymous complaint (R7)
    interrupted = resident.say_text("家里暖气管漏水了")
    assert "阀门" in interrupted and "房间号" in interrupted, interrupted  # the crew needs the flat
    assert "另外单独登记" in interrupted, interrupted  # the complaint is not lost
    replies = resident.say("阳光花园3号楼2单元301")
    while not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.press(replies, "不需要")  # the anonymous report's follow-up question
    leak_code, complaint_code = codes_in(resident.press(replies, "确认提交"))
    leak, complaint = ticket(leak_code), ticket(complaint_code)
    assert leak.category is Category.REPORT_LEAK and (leak.building, leak.unit, leak.room) == ("3", "2", "301")
    assert leak.phone is None and "乱收费" not in leak.description  # not in the crew's work order
    assert complaint.category is Category.COMPLAINT and "乱收费" in complaint.description
    assert complaint.anonymous and complaint.phone is None and complaint.room is None


def test_a_leak_in_the_middle_of_a_named_complaint_files_both(resident: Resident) -> None:
    resident.say("投诉你们师傅态度差")
    resident.say("阳光花园3号楼2单元301")
    assert "另外单独登记" in resident.say_text("哎呀不好了 暖气管子漏水了 水流了一地")
    resident.say("13812345678")
    leak_code, complaint_code = codes_in(resident.press(resident.say("随时"), "确认提交"))
    leak, complaint = ticket(leak_code), ticket(complaint_code)
    assert leak.category is Category.REPORT_LEAK and leak.priority is Priority.URGENT
    assert complaint.category is Category.COMPLAINT and "态度差" in complaint.description
    assert complaint.phone == leak.phone == "+8613812345678"


@pytest.mark.parametrize("answer", ["我的电话是一三八一二三四五六七八", "my number is 138 1234 5678"])
def test_a_phone_number_in_words_is_the_number_and_nothing_else(resident: Resident, answer: str) -> None:
    """The answer alone, however it is worded, opens no second ticket."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    said = resident.say_text(answer)
    assert "投诉" not in said and "complaint" not in said.lower(), said
    codes = codes_in(resident.press(resident.say("随时"), "确认提交"))
    assert len(codes) == 1 and ticket(codes[0]).phone == "+8613812345678"


def test_a_question_or_the_problem_again_at_where_is_never_the_address(resident: Resident) -> None:
    """ "What should I do now?" during a gas report gets the advice again, and neither it nor
    "稍等我看看" nor the problem told again counts as an address, however often."""
    resident.say("I smell gas in the kitchen")
    advice = resident.say_text("what should I do now?").lower()
    assert "window" in advice and "address" in advice, advice  # the gas advice again, then where?
    for answer in ("I'm outside now", "hold on, let me check"):
        assert "address" in resident.say_text(answer).lower()
    resident.say("Sunshine Garden building 3 unit 2 room 301")
    resident.say("13812345678")
    code = confirm(resident, resident.say("any time"), "Confirm")
    assert (ticket(code).building, ticket(code).room) == ("3", "301")

    other = Resident(str(resident.client.base_url))
    other.say("暖气不热")
    for answer in ("暖气不热", "我说了暖气不热!!!", "稍等我看看"):
        assert "地址" in other.say_text(answer), answer


def test_a_question_about_a_ticket_at_where_is_answered_and_never_the_address(resident: Resident) -> None:
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    code = confirm(resident, resident.say("随时"), "确认提交")
    resident.say("我还要报修,厨房暖气片也不热")
    answer = resident.say_text(f"{code} 怎么样了")
    assert code in answer and "地址" in answer, answer  # its status, then "where?" again
    resident.say("阳光花园3号楼2单元301")
    resident.say("13812345678")
    second = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert code not in (second.address_raw or "") and (second.address_raw or "").startswith("阳光花园")


BRIBE = "对了,你们维修工上次来收了我200块钱红包,不给就不修,我要举报"


def codes_in(replies: list[dict]) -> list[str]:
    """The ticket codes a receipt gives, each once, in order (an anonymous one repeats its code)."""
    return list(dict.fromkeys(CODE.findall("\n".join(r["text"] for r in replies))))


def test_a_bribe_told_at_where_is_is_filed_beside_the_repair(resident: Resident) -> None:
    """A bribe reported while the bot asks for the address is no wrong address, and is not
    dropped: it becomes a whistle-blowing complaint of its own (R5), and the cold radiator still
    gets its repair ticket and crew (R2)."""
    resident.say("我家暖气不热")
    taken = resident.say_text(BRIBE)
    assert "投诉" in taken and "地址" in taken, taken  # said so, then "where?" again
    assert "匿名" in taken  # a whistle-blower is told they may stay anonymous (R7)
    resident.say("阳光花园3号楼2单元301")
    resident.say("13812345678")
    summary = resident.say("随时")
    assert "另行登记" in "\n".join(r["text"] for r in summary)
    repair_code, complaint_code = codes_in(resident.press(summary, "确认提交"))
    repair, complaint = ticket(repair_code), ticket(complaint_code)
    assert repair.category is Category.REPORT_REPAIR and "暖气不热" in repair.description
    assert repair.contact_due_at is not None  # R2's clock runs
    assert complaint.category is Category.COMPLAINT and complaint.subcategory == "whistleblowing"
    assert "红包" in complaint.description and complaint.room == "301" and complaint.phone == "+8613812345678"


@pytest.mark.parametrize("step", ["phone", "summary"])
def test_another_fault_told_in_the_middle_of_a_report_is_added_to_it(resident: Resident, step: str) -> None:
    """ "Also the kitchen radiator is cold" at the phone question or at the summary is neither a
    wrong number nor an unknown field: it goes into the report, and the question comes again."""
    resident.say("Sunshine Garden building 3 unit 2 room 301, the living room radiator is cold")
    if step == "summary":
        resident.say("13812345678")
        resident.say("any time")
    replies = resident.say("and also the kitchen radiator has been completely cold since yesterday")
    added = "\n".join(r["text"] for r in replies).lower()
    assert "added" in added and "not a valid" not in added and "which" not in added, added
    if step == "phone":
        assert "phone" in added
        resident.say("13812345678")
        replies = resident.say("any time")
    filed = ticket(confirm(resident, replies, "Confirm"))  # the summary (again, at that step)
    assert filed.category is Category.REPORT_REPAIR
    assert "living room" in filed.description and "kitchen" in filed.description


def test_a_bribe_told_at_the_phone_question_with_do_not_name_me_files_both_anonymously(
    resident: Resident,
) -> None:
    """Report plus "别说是我举报的" in the middle of a repair: the complaint beside the repair, both
    anonymous (R7); no phone is asked for or kept, and the complaint keeps no flat."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    taken = resident.say_text("对了,上次来的维修工收了我200块红包才肯修,别说是我举报的")
    assert "投诉" in taken and "匿名" in taken, taken
    assert "电话" not in taken.split("匿名")[-1], taken  # the phone is not asked for
    replies = resident.say("不用回访")
    repair_code, complaint_code = codes_in(resident.press(replies, "确认提交"))
    repair, complaint = ticket(repair_code), ticket(complaint_code)
    assert repair.category is Category.REPORT_REPAIR and repair.anonymous and not repair.phone
    assert complaint.category is Category.COMPLAINT and complaint.subcategory == "whistleblowing"
    assert complaint.anonymous and not complaint.phone and complaint.room is None
    assert "红包" in complaint.description


def test_the_summary_shows_an_anonymous_set_aside_complaint_as_its_ticket_keeps_it(resident: Resident) -> None:
    """The complaint set aside beside an anonymous report names the resident and their flat: the
    summary shows it without them, as the complaint's ticket will keep it (R7)."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("维修工收了我200块红包才肯修,我是301的王秀英,别说是我举报的")
    replies = resident.say("不用回访")
    [set_aside] = [line for r in replies for line in r["text"].splitlines() if line.startswith("另行登记的投诉")]
    assert "红包" in set_aside and "王秀英" not in set_aside and "301" not in set_aside, set_aside
    complaint = ticket(codes_in(resident.press(replies, "确认提交"))[1])
    assert "王秀英" not in complaint.description and "301" not in complaint.description


def test_a_bribe_told_with_the_phone_number_is_filed_beside_the_report(resident: Resident) -> None:
    """The number and a complaint in one answer: the number is taken and the complaint set aside
    as its own ticket, never dropped; "别说是我举报的" beside a number keeps them named to us and
    secret from the accused (the whistle-blower is told so)."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    taken = resident.say_text("维修工收了我200块红包才肯修,电话13812345678,别说是我举报的")
    assert "投诉" in taken and "保密" in taken and "联系您" in taken, taken  # then the time is asked
    repair_code, complaint_code = codes_in(resident.press(resident.say("随时"), "确认提交"))
    repair, complaint = ticket(repair_code), ticket(complaint_code)
    assert repair.phone == complaint.phone == "+8613812345678" and not complaint.anonymous
    assert complaint.subcategory == "whistleblowing" and "红包" in complaint.description
    assert "红包" not in repair.description  # the crew's ticket does not carry the accusation


def test_a_leak_taken_back_becomes_a_repair(resident: Resident) -> None:
    """ "不对,不是漏水,是暖气不热" after a leak report: a repair (no 30-minute crew sent for
    nothing, R1/R2), with both messages in its description."""
    resident.say("阳光花园3号楼2单元301暖气片漏水了")
    taken_back = resident.say_text("不对不对,不是漏水,是暖气不热")
    assert "报修" in taken_back and "电话" in taken_back, taken_back
    resident.say("13812345678")
    filed = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert filed.category is Category.REPORT_REPAIR and filed.priority is not Priority.URGENT
    assert "不是漏水" in filed.description


@pytest.mark.parametrize("answer", ["yes submit it", "please submit it"])
def test_yes_submit_it_at_the_summary_files_the_report_with_its_phone(resident: Resident, answer: str) -> None:
    """A confirmation in words is a confirmation: never read as a request for anonymity, which
    would drop the phone and file a report nobody can call back."""
    resident.say("Sunshine Garden building 3 unit 2 room 301, the bedroom radiator is cold")
    resident.say("13812345678")
    resident.say("any time")
    receipt = resident.say(answer)
    filed = ticket(ticket_code_in(receipt))
    assert not filed.anonymous and filed.phone == "+8613812345678"


def test_small_talk_at_where_is_never_becomes_the_address(resident: Resident) -> None:
    """Questions and small talk at "where?" are asked again about, however often: neither kept in
    the address nor taken as given (a place the parser does not know is, on the second try)."""
    resident.say("暖气不热")
    for chat in ("电费怎么交", "你是机器人吗", "今天天气怎么样"):
        assert "地址" in resident.say_text(chat), chat
    resident.say("阳光花园3号楼2单元301")
    resident.say("13812345678")
    filed = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert (filed.estate, filed.building, filed.room) == ("阳光花园", "3", "301")
    assert "机器人" not in (filed.address_raw or "") and "电费" not in (filed.address_raw or "")
    assert "机器人" not in filed.description and "天气" not in filed.description


def test_who_and_when_told_at_the_follow_up_question_of_an_anonymous_report_are_kept(resident: Resident) -> None:
    """For a whistle-blower the who and when are the evidence: typed at the yes/no question about
    a follow-up, they join the description instead of being asked away."""
    resident.say("我要匿名举报,你们有个维修师傅上门收了我200块红包才肯修")
    asked = resident.say_text("阳光花园")
    assert "回访" in asked, asked
    added = resident.say_text("上周三来的,姓王的师傅")
    assert "补充" in added and "回访" in added, added
    filed = ticket(confirm(resident, resident.say("不需要"), "确认提交"))
    assert filed.anonymous and "姓王的师傅" in filed.description and "红包" in filed.description


def test_an_elderly_residents_spoken_report_keeps_estate_phone_and_time_apart(resident: Resident) -> None:
    """Voice-to-text without punctuation, numbers in Chinese words: the estate named in passing is
    the estate, the phone is the phone, and the phone said again is never the call-back time."""
    first = resident.say_text(
        "喂你好我是阳光花园的老住户我家暖气一点都不热老伴身体不好你们赶紧派人来看看吧"
        "我住三号楼二单元六零二电话一三九一二三四五六七八"
    )
    assert "小区" not in first, first  # the estate is known: not asked for
    again = resident.say_text("一三九一二三四五六七八")
    assert "时间" in again, again  # the time is asked again, not filled with the number
    filed = ticket(confirm(resident, resident.say("啥时候都行我们老两口都在家"), "确认提交"))
    assert (filed.estate, filed.building, filed.unit, filed.room) == ("阳光花园", "3", "2", "602")
    assert filed.phone == "+8613912345678" and "一三九" not in (filed.callback_window or "")


@pytest.mark.parametrize(
    ("opening", "over", "cancel"),
    [
        (["Sunshine Garden building 7 unit 1 room 101, my radiator is cold"],
         "oh wait, thanks, it's fixed now, my husband opened the valve", "Cancel"),
        (["阳光花园7号楼1单元101暖气不热"], "哦,谢谢,现在好了,刚才阀门没开", "取消"),
        (["暖气漏水了", "翠湖苑1号楼1单元101"], "不好意思看错了不是漏水是空调滴水", "取消"),  # not ours after all
        (["阳光花园3号楼2单元301暖气不热", "我要匿名"], "刚刚暖气热了 不用来了", "取消"),  # at "follow up?"
        # Testers' findings, where the time is asked: "已解决" was set aside as a complaint.
        (["暖气片接头漏水了", "阳光花园3号楼2单元301", "13812345678"], "已解决", "取消"),
        (["my radiator is cold", "Sunshine Garden 3-2-301", "13812345678"], "solved already", "Cancel"),
    ],
)  # fmt: skip
def test_a_report_that_is_over_in_its_middle_can_be_dropped_with_one_press(
    resident: Resident, opening: list[str], over: str, cancel: str
) -> None:
    """Solved, or an appliance's after all, where the phone or the follow-up choice is asked: no
    "not a valid phone number" loop, the resident is offered to drop the report."""
    for message in opening:
        resident.say(message)
    replies = resident.say(over)
    said = "\n".join(r["text"] for r in replies)
    assert "not a valid" not in said and "不是有效" not in said, said
    assert "核对" not in said and "check these" not in said.lower(), said  # not "no follow-up" either
    assert "投诉" not in said and "complaint" not in said.lower(), said
    before = ticket_count()
    done = "\n".join(r["text"] for r in resident.press(replies, cancel))
    assert cancel.lower() in done.lower(), done
    assert ticket_count() == before


def test_a_time_typed_at_the_summary_changes_the_call_back_time(resident: Resident) -> None:
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    resident.say("上午")
    replies = resident.say("随时")
    assert "已改为" in "\n".join(r["text"] for r in replies)
    filed = ticket(confirm(resident, replies, "确认提交"))  # the summary again, with the new time
    assert filed.callback_window == "随时"


def test_as_soon_as_possible_is_a_call_back_time(resident: Resident) -> None:
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    filed = ticket(confirm(resident, resident.say("越快越好"), "确认提交"))
    assert filed.callback_window == "越快越好"


def test_a_complaint_told_where_the_call_back_time_is_asked_is_no_time(resident: Resident) -> None:
    """Any words may be a time, so the time question took a complaint for one; now it is a
    complaint of its own, and the time is asked again."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    taken = resident.say_text("还有,你们客服态度太差了,我要投诉")
    assert "投诉" in taken and "时间" in taken, taken
    repair_code, complaint_code = codes_in(resident.press(resident.say("下午"), "确认提交"))
    repair, complaint = ticket(repair_code), ticket(complaint_code)
    assert repair.category is Category.REPORT_REPAIR and repair.callback_window == "下午"
    assert complaint.category is Category.COMPLAINT and "态度太差" in complaint.description


def test_a_billing_question_at_the_summary_is_answered_and_ok_send_submits(resident: Resident) -> None:
    resident.say("Sunshine Garden building 8 unit 1 room 101, the radiator is cold")
    resident.say("13888889999")
    resident.say("any time")
    answered = resident.say_text("by the way, how much is the heating per square metre?")
    assert "22.5" in answered and "which detail" not in answered.lower(), answered
    receipt = resident.say("ok send")
    assert ticket(ticket_code_in(receipt)).category is Category.REPORT_REPAIR


def test_a_complaint_told_during_a_leak_report_is_filed_on_its_own_and_the_leak_stays_urgent(
    resident: Resident,
) -> None:
    resident.say("阳光花园3号楼2单元301暖气片漏水了")
    taken = resident.say_text("the meter reader said he can lower my bill if I pay him 500 cash")
    assert "complaint" in taken.lower() or "投诉" in taken, taken
    resident.say("13812345678")
    leak_code, complaint_code = codes_in(resident.press(resident.say("随时"), "确认提交"))
    leak, complaint = ticket(leak_code), ticket(complaint_code)
    assert leak.category is Category.REPORT_LEAK and leak.priority is Priority.URGENT
    assert "500" not in leak.description  # the accusation is not in the ticket the crew reads
    assert complaint.category is Category.COMPLAINT and complaint.subcategory == "whistleblowing"


def test_the_address_said_wrong_at_the_summary_is_asked_again_whatever_the_model_thinks(resident: Resident) -> None:
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    resident.say("随时")
    asked = resident.say_text("地址说错了")
    assert "地址" in asked and "哪一项" not in asked, asked
    filed = ticket(confirm(resident, resident.say("阳光花园3号楼2单元302"), "确认提交"))
    assert filed.room == "302"


def test_a_billing_question_where_the_phone_is_asked_is_answered_and_the_phone_asked_again(
    resident: Resident,
) -> None:
    resident.say("暖气不热")
    resident.say("阳光花园3号楼2单元301")
    answered = resident.say_text("对了,采暖费多少钱一平米")
    assert "22.5" in answered and "不是有效" not in answered and "电话" in answered, answered
    resident.say("13812345678")
    repair = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert repair.phone == "+8613812345678" and "采暖费" not in repair.description


def test_a_phone_number_given_where_the_flat_is_asked_is_kept_and_not_asked_again(resident: Resident) -> None:
    resident.say("暖气不热")
    resident.say("我住在幸福家园7号楼")
    noted = resident.say_text("我不会弄那个手机号码是我儿子的13698765432")
    assert "13698765432" in noted and "电话" in noted, noted
    asked = resident.say_text("2单元601")
    assert "什么时间" in asked and "请留下您的联系电话" not in asked, asked
    filed = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert filed.phone == "+8613698765432" and (filed.building, filed.unit, filed.room) == ("7", "2", "601")


@pytest.mark.parametrize(
    ("opening", "change", "became", "address", "time", "submit"),
    [
        ("我要投诉", "算了不投诉了,就是想报修,暖气不热", Category.REPORT_REPAIR, "阳光花园3号楼2单元301", "上午", "确认提交"),
        (
            "I want to complain", "actually no complaint, I just need someone to fix my cold radiator",
            Category.REPORT_REPAIR, "Sunshine Garden bldg 3 unit 2 room 301", "morning", "Confirm",
        ),
        (
            "暖气不热", "算了,其实是想投诉,你们维修工上次来了不修还骂人", Category.COMPLAINT, "阳光花园3号楼2单元301",
            "上午", "确认提交",
        ),
        (
            "my radiator is cold", "actually I want to complain: your repairman came last week and was rude to me",
            Category.COMPLAINT, "Sunshine Garden bldg 3 unit 2 room 301", "morning", "Confirm",
        ),
    ],
)  # fmt: skip
def test_a_report_taken_back_for_another_kind_becomes_that_kind(
    resident: Resident, opening: str, change: str, became: Category, address: str, time: str, submit: str
) -> None:
    """ "算了不投诉了,就是想报修" and "算了,其实是想投诉": one ticket of the kind meant, never both."""
    before = ticket_count()
    resident.say(opening)
    changed = resident.say_text(change)
    named = ("报修", "repair") if became is Category.REPORT_REPAIR else ("投诉", "complaint")
    assert named[0] in changed or named[1] in changed.lower(), changed
    for answer in (address, "13812345678"):
        resident.say(answer)
    filed = ticket(confirm(resident, resident.say(time), submit))
    assert filed.category is became and (filed.onsite_due_at is None) == (became is Category.COMPLAINT)
    assert ticket_count() == before + 1


def test_a_leak_in_the_middle_of_a_billing_dispute_keeps_the_dispute_for_the_billing_officers(
    resident: Resident,
) -> None:
    before = ticket_count()
    resident.say("我的账单算错了,这个月多收了我好几百块钱")
    resident.say("阳光花园3号楼2单元301")
    interrupted = resident.say_text("哎呀卫生间暖气管爆了,水喷出来了!")
    assert "阀门" in interrupted and "收费" in interrupted, interrupted  # safety first; the bill kept
    resident.say("13812345678")
    summary = resident.say("随时")
    assert "多收了" in summary[-1]["text"], summary[-1]["text"]
    leak = ticket(confirm(resident, summary, "确认提交"))
    assert leak.category is Category.REPORT_LEAK and "多收了" not in leak.description
    assert ticket_count() == before + 2
    with session_scope() as session:
        bill = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert bill.category is Category.BILLING_QUERY and "多收了" in bill.description and bill.phone == leak.phone


@pytest.mark.parametrize(
    ("report", "new_leak"),
    [
        ("阳光花园3号楼2单元301暖气不热", "还没好呢 人也没来 现在卫生间暖气片接头那开始往下滴水了"),
        ("阳光花园3号楼2单元301,厨房里有很浓的煤气味", "那个味儿是没了 但是现在我家厨房暖气管子又漏水了 地上全是水"),
    ],
)
def test_a_new_leak_told_at_the_solved_question_is_a_leak_report_of_its_own(
    resident: Resident, app: RunningApp, report: str, new_leak: str
) -> None:
    resident.say(report)
    resident.say("13812345678")
    replies = resident.say("随时")
    if not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.say("随时")  # a gas report asks no call-back time
    code = confirm(resident, replies, "确认提交")
    run_followups(app, daytime(ticket(code).followup_due_at))
    assert updates(resident)  # "has it been solved?"
    answer = resident.say_text(new_leak)
    assert "阀门" in answer and "地址" in answer, answer  # the water advice (R1), then where is it?
    # "还没好呢" says the repair is not done: reopened with those words (session 18); "那个味儿是没了"
    # says nothing of the kind, so the gas ticket is left as it was.
    reopened = "还没好" in new_leak
    first = ticket(code)
    assert (first.status is TicketStatus.REOPENED) is reopened
    assert reopened or first.priority is not Priority.URGENT or "煤气" in report  # reopened: raised, as R3 wants
    resident.say("同上")
    resident.say("13812345678")
    leak = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert leak.code != code and leak.category is Category.REPORT_LEAK
    assert "滴水" in leak.description or "漏水" in leak.description
    assert (ticket(code).status is TicketStatus.REOPENED) is reopened


@pytest.mark.parametrize("again", ["刚才不说了么 铁路新村7号楼2单元101", "我不是说过了吗 铁路新村7号楼2单元101"])
def test_an_address_given_again_with_a_sigh_is_the_address_not_a_complaint(resident: Resident, again: str) -> None:
    """Tester's finding: after a gas report, "刚才不说了么 铁路新村7号楼2单元101" where the repair's
    address was asked filed a complaint whose whole text was that sentence."""
    before = ticket_count()
    resident.say("铁路新村7号楼2单元101 厨房有煤气味")
    resident.say("13812345678")
    replies = resident.say("随时")
    if not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.say("随时")
    confirm(resident, replies, "确认提交")
    resident.say("那俺家暖气不热那事儿咋整 也给登上了没")
    answer = resident.say_text(again)
    assert "投诉" not in answer, answer
    replies = resident.say("随时") if "时间" in answer else resident.say("13812345678")
    for _ in range(2):
        if any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
            break
        replies = resident.say("随时")
    repair = ticket(confirm(resident, replies, "确认提交"))
    assert repair.category is Category.REPORT_REPAIR and (repair.building, repair.room) == ("7", "101")
    assert ticket_count() == before + 2  # the gas report and the repair: no complaint


def test_a_floor_with_no_flat_number_explained_at_where_is_the_address_not_a_complaint(resident: Resident) -> None:
    before = ticket_count()
    resident.say("暖气片冰凉 幸福家园12号楼2单元")
    explained = resident.say_text("俺们这楼一层就一户 没门牌号 就是五楼")
    assert "投诉" not in explained and "电话" in explained, explained
    resident.say("13812345678")
    summary = resident.say("随时")
    assert "五楼" in summary[-1]["text"] and "另行登记" not in summary[-1]["text"], summary[-1]["text"]
    filed = ticket(confirm(resident, summary, "确认提交"))
    assert filed.category is Category.REPORT_REPAIR and ticket_count() == before + 1
    assert (filed.estate, filed.building, filed.unit) == ("幸福家园", "12", "2") and "五楼" in filed.address_raw


def test_entrance_numbers_are_units_even_said_crossly(resident: Resident) -> None:
    resident.say("暖气片不热 阳光花园 11栋")
    asked = resident.say_text("我说了啊 2门303")
    assert "电话" in asked and "投诉" not in asked, asked
    resident.say("13812345678")
    filed = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert (filed.estate, filed.building, filed.unit, filed.room) == ("阳光花园", "11", "2", "303")


@pytest.mark.parametrize(
    ("step", "wish"),
    [("address", "能不能别留我电话 怕他报复"), ("phone", "电话就不留了吧 我怕被他知道是我说的")],
)
def test_a_wish_not_to_be_named_in_other_words_is_honoured_at_any_question(
    resident: Resident, step: str, wish: str
) -> None:
    resident.say("你们那个姓赵的师傅太不像话了 来了就抽烟 说他两句还骂人")
    if step == "phone":
        resident.say("阳光花园11号楼2单元303")
    honoured = resident.say_text(wish)
    assert "匿名" in honoured and "请留下您的联系电话" not in honoured, honoured
    replies = resident.say("不需要") if "回访" in honoured else []
    if step == "address" and not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.say("阳光花园")
        replies = resident.say("不需要") if "回访" in replies[-1]["text"] else replies
    filed = ticket(confirm(resident, replies, "确认提交"))
    assert filed.anonymous and filed.phone is None and filed.category is Category.COMPLAINT
    assert "抽烟" in filed.description and "报复" not in filed.description and "不留" not in filed.description


def test_a_complaint_set_aside_by_mistake_can_be_taken_back_at_the_summary(resident: Resident) -> None:
    before = ticket_count()
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    resident.say("还有,你们客服态度太差了,我要投诉")
    summary = resident.say("下午")
    assert "另行登记的投诉" in summary[-1]["text"]
    again = resident.say("我没要投诉啊 把那个投诉去掉")
    assert "另行登记的投诉" not in again[-1]["text"] and "不再另外按投诉登记" in again[0]["text"], again
    filed = ticket(confirm(resident, again, "确认提交"))
    assert filed.category is Category.REPORT_REPAIR and ticket_count() == before + 1


def test_a_leak_getting_worse_told_without_the_code_goes_to_the_chats_open_leak(resident: Resident) -> None:
    before = ticket_count()
    resident.say("阳光花园4号楼2单元502暖气管漏水了")
    resident.say("13812345678")
    code = confirm(resident, resident.say("随时"), "确认提交")
    worse = resident.say_text("水比刚才还大了 都流到客厅了")
    assert "阀门" in worse and code in worse and "地址" not in worse, worse  # the advice, and news for it
    assert ticket_count() == before + 1
    with session_scope() as session:
        leak = session.scalars(select(Ticket).where(Ticket.code == code)).one()
        assert any("流到客厅" in str(event.detail) for event in leak.events)


def test_a_whistle_blower_writing_traditional_characters_is_kept_anonymous(resident: Resident) -> None:
    resident.say("我要檢舉 你們抄表的張某某跟我要了兩條煙才給我改讀數 電話13911112222 但是別讓他知道是我")
    replies = resident.say("翠湖苑")
    if "回访" in replies[-1]["text"]:
        replies = resident.press(replies, "不需要")
    filed = ticket(confirm(resident, replies, "确认提交"))
    assert filed.anonymous and filed.phone is None and "13911112222" not in filed.description


def test_cancelling_somebody_elses_ticket_by_its_code_is_refused_in_words(resident: Resident, app: RunningApp) -> None:
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    code = confirm(resident, resident.say("随时"), "确认提交")
    stranger = Resident(app.base_url)
    refused = stranger.say_text(f"{code} 这个单子取消吧 不用来了")
    assert code in refused and "不能" in refused and "好的。还有什么" not in refused, refused
    assert ticket(code).status is TicketStatus.NEW


@pytest.mark.parametrize(
    "smell", ["厨房有股硫磺味 头有点晕", "楼下饭店的液化气好像漏了", "I think the neighbour's LPG cylinder is leaking"]
)
def test_gas_by_other_names_gets_the_gas_advice(resident: Resident, smell: str) -> None:
    advice = resident.say_text(smell)
    assert ("燃气" in advice and "通风" in advice) or ("gas" in advice.lower() and "window" in advice.lower()), advice
    assert "接水" not in advice and "bucket" not in advice.lower(), advice  # not the water's advice


def test_more_about_a_leak_just_filed_is_added_to_it_not_filed_again(resident: Resident) -> None:
    """Tester's finding: "补充一下:楼下也开始滴水了" right after filing opened a second urgent leak
    for the same flat (two crews, two deadlines). It is the same leak: noted on its ticket, with
    the safety advice."""
    resident.say("暖气片漏水了")
    resident.say("丽景苑7号楼1单元201")
    resident.say("13822225555")
    code = confirm(resident, resident.say("随时都可以"), "确认提交")
    before = ticket_count()
    said = resident.say_text("补充一下:楼下也开始滴水了")
    assert code in said and "阀门" in said, said
    assert ticket_count() == before
    assert any("楼下也开始滴水了" in str(detail) for _, detail in events_of(code))


def test_did_my_report_get_through_right_after_filing_gets_its_status_not_a_complaint(resident: Resident) -> None:
    """Tester's finding: "我刚才报上了吗 怎么还没人打电话" started a complaint about nothing."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say("13812345678")
    code = confirm(resident, resident.say("随时"), "确认提交")
    before = ticket_count()
    said = resident.say_text("我刚才报上了吗 怎么还没人打电话")
    assert code in said and "地址" not in said, said
    assert ticket_count() == before


def events_of(code: str) -> list:  # type: ignore[type-arg]
    with session_scope() as session:
        kept = session.scalars(select(Ticket).where(Ticket.code == code)).one()
        return [(event.kind, event.detail) for event in kept.events]


@pytest.mark.parametrize("address", ["张店区共青团路", "张店区共青团路华润小区3号楼1单元202"])
def test_an_address_on_a_road_the_model_reads_as_a_leak_is_the_address(resident: Resident, address: str) -> None:
    """A resident's finding: "张店区共青团路", a main road, given as the address turned the repair
    into an urgent leak, with its advice: an address answer that says nothing escapes is the address."""
    resident.say("暖气不热")
    answer = resident.say_text(address)
    assert "阀门" not in answer and "抢修" not in answer, answer
    assert "地址" in answer or "电话" in answer, answer  # the address question goes on
