"""The follow-up conversation (R3, R12): solved? how satisfied? any comment?"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    ASKS_FOR_PERSON,
    HotlineAction,
    HotlineFormValidation,
    button,
    language_of,
    latest_intent,
    names_gas,
    safety_advice,
    say,
    squash,
)
from actions.unit_of_work import ActionCall
from bot.core.conversation.messages import CATEGORY_NAMES, name_of
from bot.core.models import Category, FollowupState, Ticket
from bot.core.tickets.followups import ASKING, AWAITING_ANSWER, is_bound_to, record_answer
from bot.core.tickets.intake import create_ticket, draft_of, get_ticket_by_code, report_beside, utcnow
from nlu.whistle_words import tells_of_bribery

FOLLOWUP_SLOTS = ("followup_solved", "satisfaction", "followup_comment")
_FINE = re.compile(r"没问题|不错|没毛病|no problem|all good", re.IGNORECASE)
_NOT_SOLVED = re.compile(r"没|未|不|还是|仍然|依旧|又|not|no\b|nope|still|isn't|didn't|hasn't", re.IGNORECASE)
_SOLVED = re.compile(r"解决|好了|修好|热了|暖和|正常|可以了|搞定|yes|solved|fixed|fine|works|ok|warm", re.IGNORECASE)
# A leak's danger still there, told with "not solved": a smell, water still coming.
_STILL_THERE = re.compile(r"味|漏|滴|渗|冒|喷|流|气|smell|leak|drip|water|steam|gas", re.IGNORECASE)
# The words of a bare "not solved" answer ("还没解决啊!", "no, not yet"), to tell it from one with news.
_ANSWER_ONLY = re.compile(
    r"还|没有?|未|不|解决|好|修|呢|啊|吧|的|了|呀|哦|嗯|仍然|依旧|还是|[\s,，.。!！?？~]|\b(?:no|not|yet|still|it|is|isn't|solved|fixed|nope)\b",
    re.IGNORECASE,
)
_NO_COMMENT = re.compile(r"^(没有|无|没|不用|跳过|no|none|nothing|skip|no comment|-)[。.!! ]*$", re.IGNORECASE)
# "厨房也开始漏了", "another radiator": a leak other than the ticket's.
_ANOTHER_ONE = re.compile(
    r"另(?:一|外)|别的|其他|其它|也(?:开始|在)?(?:漏|滴|渗|冒)|新的?|another|other|\balso\b|as well|\btoo\b|\bnew\b",
    re.IGNORECASE,
)
# "修好了,不过…", "it's warm now, but…": what follows is something else than the answer.
_BUT = re.compile(r"[,，\s]*(?:不过|但是|可是|就是|只是|\bbut\b|\bthough\b|\bhowever\b)")
_RATINGS = {"非常满意": 5, "很满意": 5, "满意": 4, "一般": 3, "还行": 3, "不满意": 2, "很差": 1, "非常不满意": 1,
            "very satisfied": 5, "satisfied": 4, "ok": 3, "dissatisfied": 2, "very dissatisfied": 1,
            "五星": 5, "5星": 5, "满分": 5, "四星": 4, "4星": 4, "三星": 3, "3星": 3, "两星": 2, "二星": 2, "2星": 2,
            "一星": 1, "1星": 1}  # fmt: skip


# "修好了 可是又不热了", "fixed, but it's cold again": the fault came back, so it is not solved.
_CAME_BACK = re.compile(
    r"又(?:不热|不暖|凉|冷|漏|滴|渗|坏|不行|停)|\b(?:cold|leaking|dripping|broken) again\b|\bagain (?:cold|leaking)\b",
    re.IGNORECASE,
)
# "解决了吧 应该 我也不知道", "俺看不懂": neither yes nor no. Asked again, never guessed: a guess
# either closes an open fault or reopens a fixed one with an alert.
_UNSURE = re.compile(
    r"不知道|不清楚|不确定|说不准|看不懂|听不懂|不明白|啥意思|什么意思|\bnot sure\b|don'?t know|no idea|don'?t understand",
    re.IGNORECASE,
)


def read_solved(text: str, intent: str | None) -> str | None:
    if _SAYS_NOT_SOLVED.search(text) or _CAME_BACK.search(text):
        return "no"
    if _UNSURE.search(text):
        return None
    if intent == "affirm" or _FINE.search(text):
        return "yes"
    if intent == "deny" or _NOT_SOLVED.search(text):
        return "no"
    if intent == "affirm" or _SOLVED.search(text):
        return "yes"
    return None


# What a rating says when it says nothing more ("5分吧", "给五星!", "very satisfied").
_RATING_ONLY = re.compile(
    "|".join(sorted(map(re.escape, _RATINGS), key=len, reverse=True))
    + r"|[1-5]\s*(?:分|星|颗星|stars?|/\s*5)?|[一二三四五两]\s*(?:分|星|颗星)|给|打|吧|啊|呢|了|的|我|[\s,，.。!！?？~]"
)


def read_rating(text: str) -> int | None:
    digits = re.findall(r"[1-5]", text)
    if len(digits) == 1 and not re.search(r"\d{2,}", text):
        return int(digits[0])
    lowered = text.lower()
    for words, rating in sorted(_RATINGS.items(), key=lambda item: -len(item[0])):
        if words in lowered:
            return rating
    return None


def bound_ticket(call: ActionCall, tracker: Tracker, states: frozenset[FollowupState]) -> Ticket | None:
    """The follow-up's ticket, only if its follow-up went to this very chat and is in `states`."""
    ticket = get_ticket_by_code(call.session, tracker.get_slot("followup_code") or "")
    if ticket is None or not is_bound_to(ticket, tracker.sender_id, states, call.settings.resolved_secret_key()):
        return None
    return ticket


def neutral_reply(dispatcher: CollectingDispatcher, language: str) -> list[dict[str, Any]]:
    """The neutral answer to a follow-up step this chat may not take: the help text, nothing
    about the ticket, the follow-up forgotten and no form left waiting for an answer."""
    dispatcher.utter_message(text=say("help", language))
    forget = [SlotSet(slot, None) for slot in (*FOLLOWUP_SLOTS, "followup_code", "followup_kind")]
    return [*forget, ActiveLoop(None), FollowupAction("action_listen")]


class ActionStartFollowup(HotlineAction):
    """Open the follow-up the application triggered, in the language of the ticket."""

    def name(self) -> str:
        return "action_start_followup"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        ticket = bound_ticket(call, tracker, ASKING)  # only while the application asks this chat
        if ticket is None:
            return neutral_reply(dispatcher, language)
        # The ticket's language: this SlotSet comes after the one HotlineAction adds, so it wins.
        return [SlotSet("language", ticket.language), *(SlotSet(slot, None) for slot in FOLLOWUP_SLOTS)]


class ActionAskFollowupSolved(HotlineAction):
    def name(self) -> str:
        return "action_ask_followup_solved"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        code = tracker.get_slot("followup_code") or ""
        # Asked while the application sends it, asked again after an unclear answer.
        ticket = bound_ticket(call, tracker, ASKING | AWAITING_ANSWER)
        if ticket is None:
            return neutral_reply(dispatcher, language)
        created = ticket.created_at.astimezone(call.settings.tz)
        category = ticket.category.value
        date = created.strftime("%m月%d日" if language == "zh" else "%d %b")
        if tracker.get_slot("followup_kind") == "reminder":
            text = say("followup_reminder", language, code=code)
        else:
            # "燃气泄漏" for a gas ticket, not "漏水"; "缴费", not "缴费问题问题".
            named = say("followup_gas_name", language) if ticket.subcategory == "gas" else None
            name = named or name_of(CATEGORY_NAMES, category, language).removesuffix("问题")
            text = say("followup_ask", language, code=code, date=date, category=name)
        dispatcher.utter_message(
            text=text,
            buttons=[
                button(say("followup_solved", language), "affirm"),
                button(say("followup_not_solved", language), "deny"),
            ],
        )
        return []


class ActionAskSatisfaction(HotlineAction):
    def name(self) -> str:
        return "action_ask_satisfaction"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        buttons = [{"title": str(n), "payload": str(n)} for n in (5, 4, 3, 2, 1)]
        dispatcher.utter_message(text=say("ask_satisfaction", language), buttons=buttons)
        return []


class ActionAskFollowupComment(HotlineAction):
    def name(self) -> str:
        return "action_ask_followup_comment"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        no = say("no_comment", language)
        dispatcher.utter_message(text=say("ask_comment", language), buttons=[{"title": no, "payload": no}])
        return []


class ValidateFollowupForm(HotlineFormValidation):
    def name(self) -> str:
        return "validate_followup_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        if bound_ticket(self.call, tracker, ASKING | AWAITING_ANSWER) is None:
            # Expired or answered meanwhile: nothing more to ask, and action_finish_followup
            # (which checks the binding again) gives the neutral answer and lets go.
            return []
        if tracker.get_slot("followup_solved") == "no":
            return ["followup_solved"]
        return domain_slots

    def validate_followup_solved(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = squash(str(value or ""))
        solved, rest = (_BUT.split(text, maxsplit=1) + [""])[:2]
        answer = "no" if _CAME_BACK.search(rest) else read_solved(solved or text, latest_intent(tracker))
        if answer == "yes" and len(_ANSWER_ONLY.sub("", rest)) >= 2:
            # "修好了,不过我要投诉来的那个师傅", "it's warm now, but the worker was rude…": solved, and
            # what follows the "but" is the comment (never lost), filed as a complaint of its own
            # when it is one (complaint_in_comment); the rating is still asked.
            return {"followup_solved": "yes", "followup_comment": text[:1000]}
        if answer is None:
            dispatcher.utter_message(text=say("followup_unclear", language_of(tracker)))
        if answer == "no" and len(_ANSWER_ONLY.sub("", text)) >= 2:
            # "没有解决 那个会计这两天又来了,还说谁举报就停谁家暖气": the news goes with the answer
            # to the dispatchers (R6), not only "not solved".
            return {"followup_solved": "no", "followup_comment": text[:1000]}
        return {"followup_solved": answer}

    def validate_satisfaction(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = squash(str(value or ""))
        rating = read_rating(text)
        if rating is None:
            dispatcher.utter_message(text=say("satisfaction_invalid", language_of(tracker)))
            return {"satisfaction": None}
        if len(_RATING_ONLY.sub("", text.lower())) >= 4 and not tracker.get_slot("followup_comment"):
            # "1分,收费那个人根本没打电话给我": the rating's reasons are the comment, never lost to
            # the next question's "没有".
            return {"satisfaction": str(rating), "followup_comment": text[:1000]}
        return {"satisfaction": str(rating)}

    def validate_followup_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = squash(str(value or ""))[:1000]
        no_comment = not text or _NO_COMMENT.match(text) or text == say("no_comment", language_of(tracker))
        return {"followup_comment": "" if no_comment else text}


def same_leak(ticket: Ticket, text: str) -> bool:
    """Whether a leak told now is the ticket's leak again ("还在漏水", "水比刚才还大了"), not another
    one: water for a gas ticket, "厨房也开始漏了", anything for a repair."""
    if ticket.category is not Category.REPORT_LEAK or _ANOTHER_ONE.search(text):
        return False
    return names_gas(text) == (ticket.subcategory == "gas")


def still_leaking(tracker: Tracker, text: str, dispatcher: CollectingDispatcher, language: str,
                  call: ActionCall) -> list[dict[str, Any]] | None:  # fmt: skip
    """A leak told where the follow-up asks "solved?" (data/rules.yml sends it to the intake):
    "还在漏水" about a water leak is the answer, not solved: the safety advice (R1), and the ticket
    reopened at a higher priority with the resident's words. None when the leak is another one
    (a gas ticket's follow-up answered with water, "现在厨房也漏了", a repair's): a report of its own."""
    if tracker.get_slot("requested_slot") != "followup_solved":
        return None
    ticket = bound_ticket(call, tracker, AWAITING_ANSWER)
    if ticket is None or not same_leak(ticket, text):
        return None
    dispatcher.utter_message(text=safety_advice(text, language))
    record_answer(call.session, ticket, call.settings, solved=False, satisfaction=None, comment=text, now=utcnow())
    dispatcher.utter_message(text=say(reopened_key(ticket), language, code=ticket.code))
    forget = [SlotSet(slot, None) for slot in (*FOLLOWUP_SLOTS, "followup_code", "followup_kind")]
    return [*forget, ActiveLoop(None), FollowupAction("action_listen")]


def reopened_key(ticket: Ticket) -> str:
    """What a resident is told of "not solved": an anonymous one is promised no call; one whose
    report was closed as a duplicate hears that the same fault, worked in another ticket, is
    reopened (that ticket's code is another resident's, never shown)."""
    if ticket.anonymous:
        return "followup_reopened_anonymous"
    return "followup_reopened_with_original" if ticket.duplicate_of_id is not None else "followup_reopened"


# "我要投诉他", "I want this to be a formal complaint": the comment asks to be a complaint.
# Staff who were rude or insulting ("骂人", "态度很差", "the worker was rude") are complained of too.
_WANTS_A_COMPLAINT = re.compile(
    r"投诉|举报|告他|骂|态度(?:很|太|非常|特别)?(?:差|不好|恶劣|蛮横)|不礼貌|"
    r"complain|report (?:him|her|them)|\b(?:rude|impolite|insult(?:ed|ing)?|swore|swearing|yelled|shouted)\b",
    re.IGNORECASE,
)
# How sure the model must be that a comment without those words is a complaint.
COMPLAINT_ABOVE = 0.8


def complaint_in_comment(ticket: Ticket, tracker: Tracker, call: ActionCall) -> Ticket | None:
    """A complaint told as the follow-up's comment ("修好了,但那个师傅进门就骂人,我要投诉他") is a
    ticket of its own (R5), from the same reporter and place, not only a rating's remark; None
    when the comment complains of nothing."""
    comment = tracker.get_slot("followup_comment") or ""
    intent = tracker.latest_message.get("intent") or {}
    sure = intent.get("name") == "complaint" and (intent.get("confidence") or 0) >= COMPLAINT_ABOVE
    if not comment or not (_WANTS_A_COMPLAINT.search(comment) or tells_of_bribery(comment) or sure):
        return None
    subcategory = "whistleblowing" if tells_of_bribery(comment) else None
    draft = replace(draft_of(ticket), intake_ref=f"{ticket.code}+followup")  # replayed: found, not doubled
    return create_ticket(call.session, report_beside(draft, subcategory, comment), call.settings)


def end_followup_for_new_report(tracker: Tracker, call: ActionCall) -> list[dict[str, Any]]:
    """A new report (a leak) cut the follow-up short: a "solved" already given is recorded with
    its rating, if any, and no comment; "还没解决!!而且现在接口往外冒水了" where "solved?" is asked
    reopens the ticket with those words; an unanswered follow-up stays open for its reminder."""
    text = squash(tracker.latest_message.get("text") or "")
    if tracker.get_slot("followup_solved") == "yes":
        rating = tracker.get_slot("satisfaction")
        ticket = bound_ticket(call, tracker, AWAITING_ANSWER)
        if ticket is not None:
            record_answer(call.session, ticket, call.settings, solved=True,
                          satisfaction=int(rating) if rating else None, comment=None, now=utcnow())  # fmt: skip
    elif tracker.get_slot("requested_slot") == "followup_solved" and _SAYS_NOT_SOLVED.search(text):
        ticket = bound_ticket(call, tracker, AWAITING_ANSWER)
        if ticket is not None:
            record_answer(call.session, ticket, call.settings, solved=False, satisfaction=None, comment=text,
                          now=utcnow())  # fmt: skip
    return [SlotSet(slot, None) for slot in (*FOLLOWUP_SLOTS, "followup_code", "followup_kind")]


# "Not solved" said outright beside a new report (the broad _NOT_SOLVED would read "不" anywhere).
_SAYS_NOT_SOLVED = re.compile(
    r"还没(?:有)?(?:解决|好|修好|修)|没(?:有)?解决|没修好|未解决|不热|还是(?:不热|凉|冷)|"
    r"not (?:yet )?(?:solved|fixed|resolved)|still (?:not|cold|no heat)",
    re.IGNORECASE,
)


class ActionFinishFollowup(HotlineAction):
    """Close the ticket with the rating, or reopen it and alert the dispatchers."""

    def name(self) -> str:
        return "action_finish_followup"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        code = tracker.get_slot("followup_code") or ""
        solved = tracker.get_slot("followup_solved") == "yes"
        rating = tracker.get_slot("satisfaction")
        # Checked and recorded in one transaction (the call's): the answer counts only if this chat was asked.
        ticket = bound_ticket(call, tracker, AWAITING_ANSWER)
        if ticket is None:
            return neutral_reply(dispatcher, language)
        comment = tracker.get_slot("followup_comment")
        if not solved and comment and ticket.category is Category.REPORT_LEAK and _STILL_THERE.search(comment):
            # "味儿到现在还有", "还在漏": the danger is not over; its advice again, first (R1).
            gas = ticket.subcategory == "gas"
            dispatcher.utter_message(text=say("gas_safety", language) if gas else safety_advice(comment, language))
        record_answer(
            call.session,
            ticket,
            call.settings,
            solved=solved,
            satisfaction=int(rating) if solved and rating else None,
            comment=comment or None,
            now=utcnow(),
        )
        complaint = complaint_in_comment(ticket, tracker, call) if solved else None
        if complaint is not None:
            dispatcher.utter_message(text=say("followup_complaint_filed", language, code=complaint.code))
        # An anonymous resident cannot be called: they are told what happens without a call.
        dispatcher.utter_message(text=say("followup_thanks" if solved else reopened_key(ticket), language, code=code))
        if ASKS_FOR_PERSON.search(f"{comment or ''} {tracker.latest_message.get('text') or ''}"):
            # "解决个屁…我要找你们领导 给我转人工": the staffed line, beside the reopened ticket.
            dispatcher.utter_message(text=say("human", language))
        return [SlotSet(slot, None) for slot in (*FOLLOWUP_SLOTS, "followup_code", "followup_kind")]
