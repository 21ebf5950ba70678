"""What every action needs: the resident's language, their words, and the Rasa event helpers."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.unit_of_work import ActionCall, current, current_call, run_in_worker, run_to_end
from bot.core.conversation.inbox import REVIEW_BELOW, collect
from bot.core.conversation.messages import say
from bot.core.text.language import conversation_language
from bot.core.tickets.intake import utcnow
from nlu.leak_words import smells_of_gas

log = logging.getLogger(__name__)

INTAKE_SLOTS = (
    "category",
    "subcategory",
    "address",
    "address_parts",
    "description",
    "phone",
    "callback_time",
    "followup_optin",
    "confirmation",
    "field",
    "correcting",
    "outage_id",
    "outage_choice",
    "set_aside",
)


EXTERNAL_PREFIX = "EXTERNAL: "  # Rasa's text for intents the application triggers


def language_of(tracker: Tracker) -> str:
    """The language of the latest message, else the one the conversation used so far
    (see conversation_language: a short English reply keeps a Chinese conversation Chinese)."""
    text = tracker.latest_message.get("text") or ""
    return conversation_language(None if text.startswith(EXTERNAL_PREFIX) else text, tracker.get_slot("language"))


def resident_text(tracker: Tracker) -> str:
    """The latest thing the resident wrote in words, skipping button payloads like '/affirm'."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = (event.get("text") or "").strip()
            if text and not text.startswith(("/", EXTERNAL_PREFIX)):
                return text
    return ""


def report_text(tracker: Tracker) -> str:
    """The resident's words a new report starts from.

    A category button pressed after the bot asked "leak or repair?" carries no words of its own;
    the message it clarifies is the one the bot was unsure about.
    """
    users = [e for e in tracker.events if e.get("event") == "user"]
    if not users:
        return ""
    latest = (users[-1].get("text") or "").strip()
    if not latest.startswith("/"):
        return latest
    if len(users) > 1:
        previous = users[-2]
        intent = ((previous.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == "nlu_fallback":
            return (previous.get("text") or "").strip()
    return ""


def message_ref(tracker: Tracker) -> str | None:
    """Which resident message this turn answers: the application's id of it, sent along as
    metadata, so that a replay of the same message (after a timeout) is the same report; Rasa's
    own message id is new on every send."""
    latest = tracker.latest_message or {}
    return (latest.get("metadata") or {}).get("message_ref") or latest.get("message_id")


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def channel_of(sender_id: str) -> str:
    """The channel is the prefix of the pseudonymous sender id the application gives Rasa."""
    return sender_id.split(":", 1)[0] if ":" in sender_id else "rest"


def reset_intake() -> list[dict[str, Any]]:
    """Forget the report in progress (the language stays)."""
    events = [SlotSet(name, None) for name in INTAKE_SLOTS]
    events.append(SlotSet("anonymous", False))
    return events


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    payload = f"/{intent}"
    if entities:
        payload += "{" + ",".join(f'"{k}":"{v}"' for k, v in entities.items()) + "}"
    return {"title": title, "payload": payload}


_WHITESPACE = re.compile(r"\s+")
# A leak that smells of gas gets the gas advice instead of the leak advice (R1). The actions see
# the resident's own characters, so the traditional forms too (家裡有煤氣味).
GAS = re.compile(
    r"煤[气氣]|燃[气氣]|天然[气氣]|瓦斯|液化[气氣石]|(?:气|氣)罐|硫化[氢氫]|硫[磺黄黃]味|(?<![a-z])(?:gas|lpg|propane|butane)(?![a-z])",
    re.IGNORECASE,
)  # not "gasket"


def names_gas(text: str) -> bool:
    """Gas by name, or by its smell without the word ("臭鸡蛋味", "rotten eggs")."""
    return bool(GAS.search(text)) or smells_of_gas(text)


# Steam scalds: it gets its own advice (keep away), not the water's (close the valve, catch the water).
STEAM = re.compile(r"蒸[汽氣]|冒(?:白|热|熱)?[气氣汽]|热汽|熱汽|白烟|白煙|(?<![a-z])steam", re.IGNORECASE)


# Scalding water, or steam indoors: "catch it with a basin" would burn whoever tried.
_HOT_WATER = re.compile(r"烫|燙|开水|開水|热水|熱水|\b(?:hot|boiling|scalding) water\b", re.I)
# Heating water that bursts or sprays out is hot, whether the resident says so or not ("暖气管子爆了
# 在喷水", "水喷了一地"): it gets the same advice indoors. A drip may still be caught in a basin.
_SPRAYS = re.compile(r"爆|[喷噴呲滋]|\b(?:burst|spray(?:s|ing)?|gush(?:es|ing)?|squirt(?:s|ing)?)\b", re.I)
_INDOORS = re.compile(
    r"屋|家|室|客厅|卧室|厨房|卫生间|房间|暖[气氣]|管子|阀门|閥門|\b(?:room|flat|home|kitchen|bathroom|radiator|heating pipe)\b",
    re.I,
)
_OUTDOORS = re.compile(r"井|路面|马路|地面|路边|街上|\b(?:manhole|street|road|pavement)\b", re.I)


def safety_advice(text: str, language: str) -> str:
    """The advice a leak gets first (R1): for gas, for scalding water or steam indoors, for steam
    outdoors (a heating well), or for water."""
    if names_gas(text):
        return say("gas_safety", language)
    steam = STEAM.search(text)
    indoors = _INDOORS.search(text) and not _OUTDOORS.search(text)
    if _HOT_WATER.search(text) or (indoors and (steam or _SPRAYS.search(text))):
        return say("hot_water_safety", language)
    return say("steam_safety" if steam else "leak_safety", language)


# Harm to a person, beside the fault: first aid and the emergency numbers come before anything.
_HARM = (
    (
        "unwell_advice",
        re.compile(
            r"头晕|恶心|呕吐|昏迷|晕倒|呼吸困难|喘不上气|中毒|dizzy|nause|faint|unconscious|can'?t breathe|poison",
            re.IGNORECASE,
        ),
    ),
    ("scald_advice", re.compile(r"烫伤|烫到|烫着|被烫|烫红|scald|burn(?:ed|t)?\b", re.IGNORECASE)),
    (
        "fire_advice",
        re.compile(r"焦糊|烧焦|糊味|着火|起火|明火|burning smell|smells? burnt|on fire|flames", re.IGNORECASE),
    ),
    (
        "electric_advice",
        re.compile(
            r"火花|冒火|短路|漏电|触电|插座.{0,6}(?:水|湿)|(?:水|湿).{0,6}插座|spark|short[- ]circuit|electric shock|socket",
            re.IGNORECASE,
        ),
    ),
    # Someone posing as the company to take money: the company's ways of being paid, and 110.
    (
        "scam_advice",
        re.compile(
            r"冒充|假冒|假扮|骗子|诈骗|被骗|自称.{0,8}(?:热力|供热|供暖|暖气|你们|公司|工作人员|客服|师傅)|"
            r"说是你们(?:派|公司|的人)|pos(?:ing|ed) as|pretend(?:ing|ed)? to be|claim(?:ing|ed|s)? to be (?:from|with)|"
            r"impersonat|\bscam|fraud",
            re.IGNORECASE,
        ),
    ),
)


def in_danger(text: str) -> bool:
    """Someone hurt, a fire or wet wiring (not a scam): no time to agree, the crew calls at once."""
    return any(words.search(text) for key, words in _HARM if key != "scam_advice")


def harm_advice(text: str, language: str) -> list[str]:
    """First aid for what the message says happened to a person or to the wiring (a scald, sparks,
    someone dizzy): said before the report's own advice."""
    return [say(key, language) for key, words in _HARM if words.search(text)]


def squash(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


class HotlineAction(Action, ABC):
    """An action that answers in the resident's language and remembers that language."""

    # Abstract, so that rasa-sdk, which registers every Action subclass, skips the base classes.
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, language: str,
                call: ActionCall) -> list[dict[str, Any]]: ...  # fmt: skip

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = language_of(tracker)

        events = await run_in_worker(lambda call: self.respond(dispatcher, tracker, language, call))
        note = unsure_note(tracker)
        if note is not None:
            # Its own unit of work, after the answer's: a failure here must never cost the
            # resident their answer, and a savepoint (pysqlite handles them poorly) is not needed.
            await run_in_worker(lambda call: store_unsure(call.session, note))
        return only_changes(tracker, [SlotSet("language", language), *events])


def only_changes(tracker: Tracker, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`events` without the SlotSets that give a slot the value it already has.

    Rasa stores every event, reads them all back and replays them on each later turn of the
    conversation, and sends them to the action server with every call: a SlotSet that changes
    nothing (the language on every answer, a new report's reset of empty slots) costs CPU on
    every turn after it (bench/stack_speed.py). `requested_slot` is kept as given: Rasa's forms
    and the rules look at its events, not only at its value.
    """
    values = dict(tracker.slots)
    kept = []
    for event in events:
        name = event.get("name")
        if event.get("event") == "slot" and name != "requested_slot":
            if name in values and values[name] == event.get("value"):
                continue
            values[name] = event.get("value")
        kept.append(event)
    return kept


# A form's question: says it to the resident in their language.
Ask = Callable[[CollectingDispatcher, Tracker, str, ActionCall], None]


class HotlineFormValidation(FormValidationAction, ABC):
    """A form's validation action whose whole call, rasa-sdk's validation included, runs in a
    worker thread in one unit of work (actions/unit_of_work.py). rasa-sdk calls the
    `validate_<slot>` methods with its own arguments, so they reach the call's session as
    `self.call.session`."""

    @abstractmethod  # so that rasa-sdk does not register this base class
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        def work(call: ActionCall) -> list[dict[str, Any]]:
            with current(call):
                return run_to_end(self.run_in_call(dispatcher, tracker, domain, call))

        return await run_in_worker(work)

    async def run_in_call(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                          call: ActionCall) -> list[dict[str, Any]]:  # fmt: skip
        """The validation's events (rasa-sdk's), inside the call's unit of work."""
        return await super().run(dispatcher, tracker, domain)

    @property
    def call(self) -> ActionCall:
        """The running call's session and settings (only inside this action's own call)."""
        return current_call()


class AskingFormValidation(HotlineFormValidation, ABC):
    """A form's validation action that also asks the form's next question.

    Left to Rasa, every question is one more call to the action server (action_ask_<slot>)
    right after the validation, and each call costs Rasa about 6 ms of CPU, most of it checking
    the answer against its JSON schema (bench/stack_speed.py). So the questions of these forms
    are no actions in domain.yml: Rasa finds nothing to ask with and keeps what this call said.
    The resident sees the same: what the validation said, then the question. Only messages are
    added (no slot event), so Rasa still hands an answer the form cannot take to the rules.
    """

    asks: ClassVar[dict[str, Ask]]  # the question of each of the form's slots

    @abstractmethod  # so that rasa-sdk does not register this base class
    def name(self) -> str: ...

    async def run_in_call(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any],
                          call: ActionCall) -> list[dict[str, Any]]:  # fmt: skip
        events = await self.validate_answer(dispatcher, tracker, domain)
        return self.ask_next(events, dispatcher, tracker, domain, call)

    async def validate_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The validation's events (rasa-sdk's)."""
        return await FormValidationAction.run(self, dispatcher, tracker, domain)

    def ask_next(self, events: list[dict[str, Any]], dispatcher: CollectingDispatcher, tracker: Tracker,
                 domain: dict[str, Any], call: ActionCall) -> list[dict[str, Any]]:  # fmt: skip
        """Ask the slot Rasa would ask next: the `requested_slot` the validation set (None: the
        form is done), else the first of the form's slots in domain.yml still empty."""
        for event in events:
            if event.get("event") == "slot":
                tracker.slots[event["name"]] = event.get("value")  # the question sees the answer
        requested = [e for e in events if e.get("event") == "slot" and e.get("name") == "requested_slot"]
        if requested:
            slot = requested[-1].get("value")
        else:
            slot = next((name for name in self.domain_slots(domain) if tracker.get_slot(name) is None), None)
            if slot is None:
                return events  # nothing left: Rasa ends the form
            events = [*events, SlotSet("requested_slot", slot)]
        if slot is not None:
            self.asks[slot](dispatcher, tracker, language_of(tracker), call)
        return events


@dataclass(frozen=True)
class UnsureNote:
    """A message the model was unsure of, for the admins' NLU inbox."""

    text: str
    source: str  # "fallback" or "low_confidence"
    predicted: str | None
    confidence: float | None


def unsure_note(tracker: Tracker) -> UnsureNote | None:
    """The latest message, if the model was unsure of it and it belongs in the admins' NLU inbox.

    Answers inside a form (an address, a phone number) are left out: they are meant to match no
    intent.
    """
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    confidence = (message.get("intent") or {}).get("confidence")
    text = (message.get("text") or "").strip()
    if not text or text.startswith("/") or (tracker.active_loop or {}).get("name"):
        return None
    fallback = intent == "nlu_fallback"
    if not fallback and (confidence is None or confidence >= REVIEW_BELOW):
        return None
    ranking = [e for e in message.get("intent_ranking") or [] if e.get("name") != "nlu_fallback"]
    best = ranking[0] if fallback and ranking else {"name": intent, "confidence": confidence}
    return UnsureNote(text, "fallback" if fallback else "low_confidence", best.get("name"), best.get("confidence"))


def store_unsure(session: Session, note: UnsureNote) -> None:
    """Store the note; a storage failure is only logged (the resident has their answer)."""
    try:
        collect(session, note.text, note.source, utcnow(), predicted=note.predicted, confidence=note.confidence)
    except Exception:  # noqa: BLE001
        session.rollback()
        log.exception("Could not store a message for the NLU inbox")


class Utterance(HotlineAction):
    """An action that only says one text."""

    text_key = ""

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        dispatcher.utter_message(text=say(self.text_key, language))
        return []


__all__ = ["ActionCall", "AskingFormValidation", "HotlineAction", "HotlineFormValidation", "Utterance", "say"]


# A person asked for beside something else ("…态度太差,我要找人工", "not solved, let me speak to a
# human"): the staffed line is given, whatever else the message is.
ASKS_FOR_PERSON = re.compile(
    r"人工|真人|找人|领导|经理|负责人|human|real person|agent|manager|supervisor", re.IGNORECASE
)


# "你是机器人还是真人", "are you a bot?": answered plainly (the resident is talking to a program).
ASKS_IF_A_BOT = re.compile(
    r"(?:你|您)(?:是|到底是|究竟是)(?:不是)?(?:机器人|真人|人工|人吗|人还是|AI|ai|程序)|是不是(?:机器人|真人|人工)|"
    r"机器人(?:吗|嘛|么)|真人(?:吗|嘛|么)|"
    r"\bare (?:you|u) (?:a |an )?(?:bot|robot|human|real person|person|machine|ai)\b|\bam i (?:talking|chatting) (?:to|with) a (?:bot|human|person|machine)\b",
    re.IGNORECASE,
)
