"""The summary before a ticket is created: confirm, correct one detail, or cancel."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Ask,
    AskingFormValidation,
    HotlineAction,
    button,
    language_of,
    latest_intent,
    reset_intake,
    say,
)
from actions.corrections import CORRECTABLE, FIELD_WORDS, earlier_answer_corrected, says_it_is_wrong
from actions.drafts import draft_from_slots, keep_unfinished
from actions.intake import (
    asks_for_anonymity,
    calls_at_once,
    cancel_report,
    gives_own_number,
    just_a_time,
    leak_interruption,
    number_held_back,
    report_told,
    says_more,
    subcategory_of,
    take_report,
    takes_the_leak_back,
)
from actions.outage import LINKED, create_linked
from actions.unit_of_work import ActionCall
from bot.core.billing import answer_billing
from bot.core.conversation.messages import CATEGORY_NAMES, name_of
from bot.core.conversation.privacy import forget_sender
from bot.core.models import Category, Ticket
from bot.core.text.address import Address
from bot.core.text.phone import find_phone
from bot.core.tickets.intake import TicketDraft, as_kept, create_ticket, report_beside, utcnow
from bot.core.tickets.unfinished import (
    complete_filed,
    filed_anonymously_while_away,
    filed_ref,
    filed_ticket_of,
    forget_unfinished,
)

# A confirmation in words: one or more of these, with punctuation between ("对,没问题,提交吧").
_YES_WORD = (
    r"(?:是|是的|对|对的|没错|确认|确认提交|提交|提交吧|好|好的|好吧|可以|行|没问题|都对|yes|y|ok|okay|correct|confirm|"
    r"right|sure|that's right|looks good|submit|submit it|go ahead|send|send it|file it)"
)
_YES = re.compile(rf"^(?:please|请)?[,, ]*{_YES_WORD}(?:[,,、。.!! ]*{_YES_WORD})*[。.!! ]*$", re.IGNORECASE)
# A call-back time and nothing else ("随时", "改成下午", "in the evening"): never "都可以", which may be a yes.
# How sure the model must be that a message at the summary asks for anonymity, without its words.
ANONYMOUS_ABOVE = 0.8


def sure_of(tracker: Tracker) -> bool:
    return ((tracker.latest_message.get("intent") or {}).get("confidence") or 0) >= ANONYMOUS_ABOVE


def field_named_in(text: str, tracker: Tracker) -> str | None:
    entity = tracker.get_slot("field")
    if entity in CORRECTABLE:
        return entity
    for field, pattern in FIELD_WORDS.items():
        if pattern.search(text):
            return field
    return None


def kind_name(category: str, subcategory: str | None, language: str) -> str:
    """The report's type as the summary names it: a gas smell is no water leak to the resident."""
    if category == "report_leak" and subcategory == "gas":
        return say("summary_gas_leak", language)
    return name_of(CATEGORY_NAMES, category, language)


def ask_confirmation(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    """Show what was collected, with buttons to confirm, change a detail or cancel (asked by
    the summary's validation action)."""
    anonymous = bool(tracker.get_slot("anonymous"))
    category = tracker.get_slot("category") or ""
    address, description = tracker.get_slot("address"), tracker.get_slot("description")
    draft = draft_from_slots(tracker, language)
    if anonymous:
        # What the ticket will keep, no more (R7: an anonymous complaint keeps no flat, no number).
        kept = as_kept(draft)
        known = kept.address.missing() != list(Address.__dataclass_fields__)
        address, description = kept.address.format(language) if known else address, kept.description
    lines = [
        say("summary_header", language),
        say("summary_category", language, value=kind_name(category, tracker.get_slot("subcategory"), language)),
        say("summary_address", language, value=address or "-"),
        say("summary_description", language, value=description or "-"),
    ]
    if (complaint := set_aside_draft(tracker, draft)) is not None:
        # An anonymous resident sees the complaint as its ticket will keep it, as the report above.
        key = "summary_set_aside" if complaint.category is Category.COMPLAINT else "summary_set_aside_billing"
        lines.append(say(key, language, value=as_kept(complaint).description or "-"))
    if anonymous:
        lines.append(say("summary_anonymous", language))
        optin = tracker.get_slot("followup_optin") == "yes"
        lines.append(say("summary_optin", language, value=say("optin_yes" if optin else "optin_no", language)))
    else:
        lines.append(say("summary_phone", language, value=tracker.get_slot("phone") or "-"))
        at_once = calls_at_once(tracker)  # no time asked (ValidateTicketForm)
        when = tracker.get_slot("callback_time") or (say("callback_at_once", language) if at_once else "-")
        lines.append(say("summary_callback", language, value=when))
    lines.append(say("summary_question", language))
    fields = ("address", "description") if anonymous else CORRECTABLE
    buttons = [button(say("confirm", language), "affirm")]
    buttons += [button(say(f"change_{field}", language), "correct_field", field=field) for field in fields]
    buttons.append(button(say("cancel", language), "cancel"))
    dispatcher.utter_message(text="\n".join(lines), buttons=buttons)


# "把那个投诉去掉", "我没要投诉", "remove the complaint": the complaint set aside is taken back.
_DROP_SET_ASIDE = re.compile(
    r"投诉.{0,8}?(?:去掉|删掉|删了|不要了?|不用(?:登记|了)?|取消|撤[销回]|算了)|(?:没|没有|不是)(?:要|想)?投诉|不投诉|"
    r"(?:remove|drop|delete|cancel|scrap|forget)\s+(?:the|that|my)\s+complaint|"
    r"(?:no|not a|didn'?t (?:want|make|ask for|mean) a)\s+complaint",
    re.IGNORECASE,
)


class ValidateConfirmForm(AskingFormValidation):
    """Read the resident's answer to the summary as yes, cancel or 'change <field>'; show the
    summary (again) while there is no answer."""

    asks: ClassVar[dict[str, Ask]] = {"confirmation": ask_confirmation}

    def name(self) -> str:
        return "validate_confirm_form"

    async def run_in_call(self, dispatcher, tracker, domain, call):  # type: ignore[no-untyped-def]
        events = await super().run_in_call(dispatcher, tracker, domain, call)
        keep_unfinished(tracker, call)  # made anonymous, corrected, or turned into a leak at the summary
        return events

    async def validate_answer(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        if not tracker.slots_to_validate():
            # Nothing to validate: the summary opens. If a correction cleared `confirmation` in
            # this turn and needed no new detail, Rasa would validate that cleared value in a
            # second call after this one ("which item?" before the summary); this call, which
            # shows the summary, validates it first (rasa-sdk validates the trailing slot events).
            latest = max((i for i, e in enumerate(tracker.events) if e.get("event") == "user"), default=-1)
            cleared = [
                e for e in tracker.events[latest + 1 :] if e.get("event") == "slot" and e.get("name") == "confirmation"
            ]
            if cleared:
                tracker.events.append(cleared[-1])
        return await super().validate_answer(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        # A report linked to an outage needs no summary: there is nothing to dispatch (R10).
        return [] if tracker.get_slot("outage_choice") == LINKED else domain_slots

    def validate_confirmation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        intent = latest_intent(tracker)
        language = language_of(tracker)
        if (leak := leak_interruption(tracker, dispatcher, language)) is not None:
            if "address" in leak and leak["address"] is None:
                return {**leak, "confirmation": "correct:address"}  # the crew needs the flat: asked first
            return {**leak, "confirmation": None}  # the summary again, now of a leak
        if (
            tracker.get_slot("category") == "report_leak"
            and tracker.get_slot("subcategory") != "gas"
            and (takes_the_leak_back(text))
        ):
            # "不是漏水啊,没有水漏出来,就是不热": a repair after all (R2's clock, no emergency crew),
            # said back in the summary; the words are kept.
            dispatcher.utter_message(text=say("report_became_repair", language))
            description = f"{tracker.get_slot('description') or ''} / {text}".strip(" /")
            subcategory = subcategory_of("report_repair", description)
            return {"category": "report_repair", "subcategory": subcategory, "description": description,
                    "confirmation": None}  # fmt: skip
        if intent == "cancel":
            return {"confirmation": "cancel"}
        if intent == "request_human":
            # The staffed line, and the summary again: the report is not lost for asking.
            dispatcher.utter_message(text=say("human_during_report", language))
            return {"confirmation": None}
        if tracker.get_slot("set_aside") and _DROP_SET_ASIDE.search(text):
            # "我没要投诉啊,把那个投诉去掉": the complaint set aside beside the report is not filed.
            dispatcher.utter_message(text=say("set_aside_dropped", language))
            return {"set_aside": None, "confirmation": None}
        if tracker.get_slot("anonymous") and (number := gives_own_number(text)):
            # "算了,还是留个电话吧,139…": the resident gives their name back, by giving the number.
            dispatcher.utter_message(text=say("corrected_phone", language, value=number))
            return {"confirmation": None, "anonymous": False, "phone": number, "followup_optin": None}
        if tracker.get_slot("anonymous") and number_held_back(text) and not says_more(text):
            # "13700001111" alone: anonymity is not dropped by surprise (R7); said how to, instead.
            dispatcher.utter_message(text=say("anonymous_number_not_kept", language))
            return {"confirmation": None}
        if tracker.get_slot("anonymous") and find_phone(text):
            # "他还收了邻居老张的钱,老张电话139…": more evidence, not the reporter's number (R7).
            dispatcher.utter_message(text=say("added_to_description", language))
            return {"confirmation": None, "description": f"{tracker.get_slot('description') or ''} / {text}"}
        if asks_for_anonymity(text) or (intent == "request_anonymous" and not _YES.match(text) and sure_of(tracker)):
            # "别说是我报的,我怕他报复" too. The model alone must be sure: going anonymous here drops
            # the phone, and "yes submit it" read as anonymity would file a report nobody can call back.
            dispatcher.utter_message(text=say("anonymous_ok", language))
            return {"confirmation": None, "anonymous": True, "phone": None, "callback_time": None,
                    "followup_optin": "no"}  # fmt: skip
        corrected = earlier_answer_corrected(text, tracker, dispatcher, language)
        if corrected and None not in corrected.values():
            return {**corrected, "confirmation": None}  # the new value said back, and the summary again
        # "地址说错了" names the field and says it is wrong, whatever the model makes of it.
        wrong = intent in ("correct_field", "deny") or says_it_is_wrong(text)
        field = field_named_in(text, tracker) if wrong else None
        if field:
            return {"confirmation": f"correct:{field}"}
        if intent == "affirm" or _YES.match(text):
            return {"confirmation": "yes"}
        if not tracker.get_slot("anonymous") and just_a_time(text):
            # "随时", "下午" typed at the summary: the call-back time changed, the summary again.
            dispatcher.utter_message(text=say("corrected_callback", language, value=text))
            return {"callback_time": text, "confirmation": None}
        billing = answer_billing(text, language, self.call.settings.billing_file)
        if billing.topics and not billing.is_dispute:
            # "对了暖气费多少钱一平米" at the summary: answered, then the summary again.
            for line in billing.texts:
                dispatcher.utter_message(text=line)
            return {"confirmation": None}
        if (kind := report_told(tracker, self.call.settings.billing_file)) is not None:
            # More of the problem, or a complaint, told at the summary: taken in, the summary again.
            taken = take_report(tracker, dispatcher, language, kind)
            if taken.get("anonymous"):
                taken["followup_optin"] = "no"  # as for "我要匿名" at the summary
            return {**taken, "confirmation": None}
        dispatcher.utter_message(text=say("which_field", language))
        return {"confirmation": None}


class ActionFinishIntake(HotlineAction):
    """Create the ticket, reopen the form for a correction, or drop the report."""

    def name(self) -> str:
        return "action_finish_intake"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        answer = tracker.get_slot("confirmation") or ""
        if answer == "cancel":
            cancel_report(tracker, dispatcher, language, call)
            return reset_intake()
        if answer.startswith("correct:"):
            field = answer.split(":", 1)[1]
            before = {
                "field": field,
                "value": tracker.get_slot(field),
                "address_parts": tracker.get_slot("address_parts"),
            }
            events = [SlotSet("confirmation", None), SlotSet("field", None), SlotSet(field, None),
                      SlotSet("correcting", before)]  # fmt: skip
            if field == "address":
                events.append(SlotSet("address_parts", None))
            return [*events, FollowupAction("ticket_form")]
        if tracker.get_slot("outage_choice") == LINKED:
            draft = draft_from_slots(tracker, language)
            ticket_lines = create_linked(tracker, draft, language, call) + file_set_aside(
                tracker, draft, language, call
            )
        else:
            ticket_lines = create_from_slots(tracker, language, call)
        for line in ticket_lines:
            dispatcher.utter_message(text=line)
        return reset_intake()


def create_from_slots(tracker: Tracker, language: str, call: ActionCall) -> list[str]:
    """Create the ticket the conversation collected and return the receipt (R3) to send; a leak
    filed while the resident was away (bot/core/tickets/unfinished.py) is completed instead."""
    draft = draft_from_slots(tracker, language)
    if filed_anonymously_while_away(call.session, tracker.sender_id):
        # The anonymous leak went to the crew already; which ticket it is, the chat may not know (R7).
        forget_unfinished(call.session, tracker.sender_id)
        forget_sender(call.session, draft.channel, tracker.sender_id)
        return [say("filed_anonymously_while_away", language)]
    if (filed := filed_ticket_of(call.session, tracker.sender_id, draft)) is not None:
        complete_filed(call.session, filed, draft, utcnow())
        ticket = filed
        draft = replace(draft, intake_ref=filed_ref(filed))  # the complaint beside it may be filed too
    else:
        ticket = create_ticket(call.session, draft, call.settings)
        forget_unfinished(call.session, tracker.sender_id)
    lines = receipt(ticket, language, call.settings.tz) + file_set_aside(tracker, draft, language, call)
    if draft.anonymous:
        forget_sender(call.session, draft.channel, tracker.sender_id)
    return lines


def file_set_aside(tracker: Tracker, draft: TicketDraft, language: str, call: ActionCall) -> list[str]:
    """A complaint told in the middle of the report (actions/intake.py, take_report) becomes a
    ticket of its own beside it (R5), from the same reporter and place; its receipt, if any."""
    complaint = set_aside_draft(tracker, draft)
    if complaint is None:
        return []
    return receipt(create_ticket(call.session, complaint, call.settings), language, call.settings.tz)


def set_aside_draft(tracker: Tracker, draft: TicketDraft) -> TicketDraft | None:
    """The complaint set aside beside the report `draft`, as a draft of its own (or None)."""
    set_aside = tracker.get_slot("set_aside")
    if not set_aside:
        return None
    return report_beside(draft, **set_aside)


def receipt(ticket: Ticket, language: str, tz: Any) -> list[str]:
    """The ticket code and what happens next, per R1, R2 and R5."""
    lines = [say("created", language, code=ticket.code)]
    local = lambda moment: moment.astimezone(tz)  # noqa: E731
    if ticket.category is Category.REPORT_LEAK:
        lines.append(say("next_leak", language, onsite=local(ticket.onsite_due_at).strftime("%H:%M")))
    elif ticket.category is Category.REPORT_REPAIR:
        lines.append(say("next_repair_anonymous" if ticket.anonymous else "next_repair", language))
    else:
        key = {"complaint": "next_complaint", "billing_query": "next_billing"}[ticket.category.value]
        if ticket.subcategory == "whistleblowing":
            key = "next_whistle"
        lines.append(say(key, language, due=local(ticket.resolve_due_at).strftime("%Y-%m-%d")))
    if ticket.anonymous:
        lines.append(say("next_anonymous", language, code=ticket.code))
        if ticket.followup_handle:
            lines.append(say("next_anonymous_followup", language))
    else:
        lines.append(say("next_followup", language))
    return lines
