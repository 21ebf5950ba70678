"""A resident asks how a ticket is going, by its code (anonymous tickets too), or adds news to
their own open ticket by its code ("HL-4F7K2P 补充一下,楼下也渗水了")."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from actions.common import safety_advice, say
from actions.corrections import place_named_in, with_number_put_right
from bot.core.conversation.messages import CATEGORY_NAMES, STATUS_NAMES, name_of
from bot.core.models import Ticket
from bot.core.text.phone import check_phone, find_phone, with_spoken_digits
from bot.core.text.ticket_codes import find_ticket_code, mistyped_ticket_code
from bot.core.tickets.additions import add_to_ticket, awaits_answer_to_staff, can_add_to
from bot.core.tickets.corrections import filed_address, set_address, set_phone
from bot.core.tickets.intake import get_ticket_by_code, tickets_of_sender, utcnow
from bot.core.tickets.milestones import DEADLINES
from nlu.leak_words import says_something_escapes

# The promises a resident was given (R1, R2, R5), in the order they fall due; the station's own
# deadline for a handling opinion (R4, response_due_at) is the company's business, not theirs.
PROMISED = [deadline for deadline in DEADLINES if deadline.field != "response_due_at"]


def status_line(ticket, language: str, tz: ZoneInfo, now: datetime) -> str:  # type: ignore[no-untyped-def]
    """Category, status and registration date; for a ticket still open, the next thing promised
    and by when ("还有多久能来人" is what most residents who ask want to know)."""
    created = ticket.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    line = say(
        "status_line",
        language,
        code=ticket.code,
        # A gas ticket is named gas, never "漏水" (a tester's finding).
        category=say("followup_gas_name", language)
        if ticket.subcategory == "gas"
        else name_of(CATEGORY_NAMES, ticket.category.value, language),
        status=name_of(STATUS_NAMES, ticket.status.value, language),
        created=created,
    )
    return line + next_promise(ticket, language, tz, now)


def next_promise(ticket, language: str, tz: ZoneInfo, now: datetime) -> str:  # type: ignore[no-untyped-def]
    """The first promise not yet kept ("" when all are, or the ticket is done): a complaint is
    promised an answer, a report a call, a crew on site and a fix."""
    for deadline in PROMISED:
        due = getattr(ticket, deadline.field)
        if due is None or ticket.status in deadline.met_in or getattr(ticket, deadline.milestone) is not None:
            continue
        if deadline.field == "contact_due_at" and ticket.phone is None:
            continue  # anonymous, or no number: no call was promised
        key = f"status_promise.{deadline.field}"
        if deadline.field == "resolve_due_at" and ticket.category.value in ("complaint", "billing_query"):
            key = "status_promise.answer"
        when = due.astimezone(tz).strftime("%m-%d %H:%M")
        late = due <= now
        return say("status_promise_late" if late else "status_promise", language,
                   promise=say(key, language), due=when)  # fmt: skip
    return ""


# A status question that brings news ("HL-4F7K2P 补充一下,楼下也渗水了", "… it got worse"): the
# model calls it a status question, yet the words are for the ticket, not a question.
_BRINGS_NEWS = re.compile(
    r"补充|追加|又[漏坏冒滴渗]|越来越|更[大严厉]|加重|蔓延|比刚才|比之前|"
    r"in addition|got worse|getting worse|worse than|spread|update:",
    re.IGNORECASE,
)


def brings_news(text: str) -> bool:
    return bool(_BRINGS_NEWS.search(text))


def own_open_ticket_named(text: str, tracker, call) -> Ticket | None:  # type: ignore[no-untyped-def]
    """The open ticket this chat filed whose code the message names, if any."""
    code = find_ticket_code(text)
    ticket = get_ticket_by_code(call.session, code) if code else None
    return ticket if ticket is not None and can_add_to(ticket, tracker.sender_id) else None


def note_addition(ticket: Ticket, text: str, dispatcher, language: str, call, key: str = "addition_noted") -> None:  # type: ignore[no-untyped-def]
    """Keep the resident's words on their ticket (dispatchers alerted) and say so, with its status."""
    now = utcnow()
    add_to_ticket(call.session, ticket, text, now)
    dispatcher.utter_message(text=say(key, language, code=ticket.code))
    dispatcher.utter_message(text=status_line(ticket, language, call.settings.tz, now))


# How long after filing a chat's words without a code are taken for its latest open ticket
# ("补充一下,家里有个80岁的老人", "不用来了,帮我取消吧").
RECENT = timedelta(hours=48)


def recent_open_ticket(tracker, call) -> Ticket | None:  # type: ignore[no-untyped-def]
    """This chat's latest ticket, if it is open and was filed in the last two days."""
    latest = next(iter(tickets_of_sender(call.session, tracker.sender_id, limit=1)), None)
    if latest is None or not can_add_to(latest, tracker.sender_id) or latest.created_at < utcnow() - RECENT:
        return None
    return latest


def answer_to_staff(text: str, tracker, dispatcher, language: str, call) -> bool:  # type: ignore[no-untyped-def]
    """ "好的,我下午两点在家" after a dispatcher wrote to this chat: the answer is kept on that
    ticket, for them (True), instead of being taken for small talk and lost."""
    if tracker.active_loop_name is not None:
        return False
    now = utcnow()
    for ticket in tickets_of_sender(call.session, tracker.sender_id):
        if can_add_to(ticket, tracker.sender_id) and awaits_answer_to_staff(ticket, now):
            note_addition(ticket, text, dispatcher, language, call, key="answer_to_staff_noted")
            return True
    return False


# Words that put right what was taken down ("地址说错了 是4号楼…", "电话写错了 应该是139…").
_PUTS_RIGHT = re.compile(
    r"说错|写错|打错|弄错|搞错|填错|记错|输错|更正|改(?:一下)?(?:成|为)?(?:地址|电话|号码|手机|楼号|门牌)|"
    r"(?:地址|电话|号码|手机号?|楼号|房号)(?:改成|改为|换成|改一下)|(?:地址|电话|号码|手机|楼号|房号|门牌)[^,，。\s]{0,3}错|"
    r"\bwrong (?:address|number|phone|building|flat|room|unit|apartment|apt)|"
    r"correct(?:ion)? (?:to )?(?:the |my )?(?:address|number|phone|room|unit|building)|"
    r"change (?:the |my )?(?:address|phone|number)",
    re.IGNORECASE,
)


def correction_for_recent_ticket(text: str, tracker, dispatcher, language: str, call) -> bool:  # type: ignore[no-untyped-def]
    """ "不好意思地址说错了 是4号楼2单元301" after filing: the chat's open ticket is put right, its
    dispatchers alerted (the crew may be on its way), and the resident told (True). Words that
    only say something is wrong ("改地址") are told how; False for no such words or ticket."""
    if tracker.active_loop_name is not None or not _PUTS_RIGHT.search(text):
        return False
    filed = recent_open_ticket(tracker, call)
    if filed is None:
        return False
    now, said = utcnow(), []
    digits = with_spoken_digits(text)  # "电话应该是一三九…": read as digits, and never as a room below
    number, e164 = _valid_number_in(digits)
    if e164 is not None and not filed.anonymous:
        set_phone(filed, e164, "resident", now)
        said.append(say("phone_put_right", language, code=filed.code, phone=e164))
    words = digits.replace(number, " ") if number else digits
    # "its room 1302 not 1203": that number put right; else the parts named, without the words
    # around them ("sorry wrong address, it's…" is no estate).
    where = with_number_put_right(words, filed_address(filed))
    if where is None and any(asdict(place := place_named_in(words)).values()):
        where = filed_address(filed).merged_with(place)
    if where is not None:
        set_address(filed, where.format(language), where, "resident", now)
        said.append(say("address_put_right", language, code=filed.code, address=where.format(language)))
    if not said:
        dispatcher.utter_message(text=say("how_to_put_right", language, code=filed.code))
        return True
    add_to_ticket(call.session, filed, text, now)  # their words, and an alert for the dispatchers
    for line in said:
        dispatcher.utter_message(text=line)
    return True


# A number given as another way to reach one ("我爱人电话139… 也可以打", "有事打这个"), whatever the
# model reads the rest as (a tester's was read as a complaint).
_ANOTHER_WAY_TO_REACH = re.compile(
    r"(?:也|还)可以打|或者打|打这个|有事(?:可以)?打|备用(?:电话|号码)|另一个(?:电话|号码)|换(?:个|成)(?:电话|号码)|"
    r"call (?:me on|this)|another number|also (?:call|reach)",
    re.IGNORECASE,
)


def gives_another_number(text: str) -> bool:
    return bool(_ANOTHER_WAY_TO_REACH.search(text))


def phone_after_filing(text: str, tracker, dispatcher, language: str, call) -> bool:  # type: ignore[no-untyped-def]
    """ "对了我电话是139… 有事可以打给我" with no report under way (True): kept on the chat's open
    ticket (beside its number, for the dispatchers to choose), or, with none, told why it is
    kept nowhere (an anonymous report keeps no number, R7)."""
    if tracker.active_loop_name is not None:
        return False
    _, e164 = _valid_number_in(with_spoken_digits(text))
    if e164 is None:
        return False
    filed = recent_open_ticket(tracker, call)
    if filed is None or filed.anonymous:
        dispatcher.utter_message(text=say("phone_without_report", language))
    elif filed.phone == e164:
        dispatcher.utter_message(text=say("phone_already_on_ticket", language, code=filed.code))
    elif filed.phone is None:
        now = utcnow()
        set_phone(filed, e164, "resident", now)
        add_to_ticket(call.session, filed, text, now)
        dispatcher.utter_message(text=say("phone_put_right", language, code=filed.code, phone=e164))
    else:
        note_addition(filed, text, dispatcher, language, call)
    return True


def for_a_filed_ticket(text: str, tracker, dispatcher, language: str, call) -> bool:  # type: ignore[no-untyped-def]
    """What the chat says about a ticket it filed, whatever the model read: a correction of its
    address or phone, or the answer to a dispatcher's message (True when handled so)."""
    return correction_for_recent_ticket(text, tracker, dispatcher, language, call) or answer_to_staff(
        text, tracker, dispatcher, language, call
    )


def _valid_number_in(digits: str) -> tuple[str | None, str | None]:
    """The number as typed in `digits` (spoken digits already written as digits), and its E.164
    form when it is one a resident can be called on."""
    number = find_phone(digits)
    checked = check_phone(number) if number else None
    return number, (checked.e164 if checked is not None and checked.ok else None)


def news_for_recent_ticket(text: str, tracker, dispatcher, language: str, call) -> bool:  # type: ignore[no-untyped-def]
    """ "补充一下,家里有个80岁的老人" outside a report: more for the chat's open ticket, noted on it
    (True), never lost; False when the words bring no news or there is no such ticket."""
    if tracker.active_loop_name is not None or not _BRINGS_NEWS.search(text):
        return False
    filed = recent_open_ticket(tracker, call)
    if filed is None:
        return False
    if says_something_escapes(text):  # "水比刚才还大了": the safety advice first, whatever the model read (R1)
        dispatcher.utter_message(text=safety_advice(text, language))
    note_addition(filed, text, dispatcher, language, call)
    return True


# How residents ask after what they reported, in words the model may not know ("我刚才报的怎么样了",
# "还有多久能来人", "is someone on the way"): when the model calls such a message out of scope or is
# unsure, it is still answered with this chat's tickets (actions/dialogue.py).
_ASKS_HOW_IT_GOES = re.compile(
    r"(?:报|反映|投诉|单子|工单|修).{0,6}(?:怎么样|咋样|如何了|进度|结果|到哪|处理了|有人|有消息|有回音|派人)|"
    r"还有多久|(?:师傅|人|维修工?|工人|你们)[^,,。.!!??]{0,4}(?:多久|什么时候|啥时候|几点)(?:能|才|会)?(?:来|到|上门)|"
    r"(?:师傅|人|维修工?|工人|你们的人)[^,,。.!!??]{0,3}(?:到哪|在哪|怎么还没到|还没到)|"
    r"派人了|来人了[吗没]|人呢|有人管|(?:报|登记|提交)(?:上|成功)了?[吗没]|收到了?[吗没]|(?:怎么|咋)还没(?:有)?人?(?:打电话|联系|来)|"
    r"did (?:you|it) (?:get|receive) my (?:report|message)|did my report go through|"
    r"how long (?:until|till|before|will (?:it|they|you)|for)|when (?:will|is|are|does|do) (?:someone|anyone|the (?:crew|technician|engineer|plumber|repairman|team))|"
    r"any (?:news|update)|有update|有news|status of|what'?s happening with my|(?:someone|anyone) (?:on the way|coming)",
    re.IGNORECASE,
)


def asks_how_it_goes(text: str) -> bool:
    return bool(_ASKS_HOW_IT_GOES.search(text))


def tell_status(text: str, tracker, dispatcher, language: str, call) -> None:  # type: ignore[no-untyped-def]
    """The ticket the message names, else this chat's recent tickets, else ask for the code."""
    code = find_ticket_code(text)
    tz, now = call.settings.tz, utcnow()
    if code:
        ticket = get_ticket_by_code(call.session, code)
        if ticket is None:
            dispatcher.utter_message(text=say("status_not_found", language, code=code))
        else:
            dispatcher.utter_message(text=status_line(ticket, language, tz, now))
        return
    if (typed := mistyped_ticket_code(text)) is not None:  # "HL-12345 查询": the code is wrong, say so
        dispatcher.utter_message(text=say("status_code_malformed", language, value=typed))
        return
    own = tickets_of_sender(call.session, tracker.sender_id)
    if own:
        lines = [say("your_tickets", language)] + [status_line(t, language, tz, now) for t in own]
        dispatcher.utter_message(text="\n".join(lines))
    else:
        dispatcher.utter_message(text=say("status_ask_code", language))
