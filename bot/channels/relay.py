"""Store each message first, then pass it to Rasa; keep what Rasa could not answer for later.

What residents write reaches Rasa as words, never as a command; the only intents a resident
can send are the payloads of buttons the application gave that chat (bot/core/conversation/buttons.py)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from bot.channels.turn_commit import run_hook
from bot.channels.worker_thread import in_transaction, off_the_loop
from bot.config import Settings
from bot.core.conversation.buttons import PressedButton, is_button_id, redeem
from bot.core.conversation.chat_links import remember_chat
from bot.core.conversation.messages import say
from bot.core.conversation.outbox import store_replies, take_undelivered
from bot.core.conversation.privacy import forget_conversation, is_anonymous_pseudonym
from bot.core.conversation.replies import Reply
from bot.core.models import ChatMessage, MessageStatus
from bot.core.text.language import DEFAULT_LANGUAGE, detect_language
from bot.core.text.markup import without_markup
from bot.engine.client import RasaClient, RasaUnavailable
from nlu.leak_words import says_something_escapes, smells_of_gas

log = logging.getLogger(__name__)
# The messages' table: each step of a turn writes it with plain statements, not the ORM's unit of
# work (its bookkeeping was most of the application's CPU per turn).
MESSAGES = cast(Table, ChatMessage.__table__)
# Those statements are built once (building one anew costs more than running it on SQLite).
STORE_MESSAGE = insert(MESSAGES).returning(MESSAGES.c.id)
MARK_ANSWERED = (
    update(MESSAGES)
    .where(MESSAGES.c.id == bindparam("message_id"))
    .values(
        status=MessageStatus.PROCESSED,
        processed_at=bindparam("answered_at", type_=MESSAGES.c.processed_at.type),
        attempts=MESSAGES.c.attempts + 1,
    )
    .returning(MESSAGES.c.sender)
)
PENDING_BEFORE = (
    select(MESSAGES.c.id, MESSAGES.c.text, MESSAGES.c.payload)
    .where(
        MESSAGES.c.sender == bindparam("sender"),
        MESSAGES.c.status == MessageStatus.PENDING,
        MESSAGES.c.id < bindparam("before"),
    )
    .order_by(MESSAGES.c.id)
)
# Channels whose chats the bot writes to unasked (the web chat and terminal fetch their outbox).
# Their answers wait in the outbox until the channel's sender had them accepted (never counted
# as delivered before); the others hand a turn's answer over in the HTTP response.
PUSH_CHANNELS = {"telegram"}


def clean_text(text: str) -> str:
    """Drop control characters (keeping line breaks as spaces) and surrounding blanks."""
    kept = []
    for ch in text:
        if ch in "\n\r\t":
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs", "Cn"):
            kept.append(ch)
    return "".join(kept).strip()


# Characters that look like "/", the prefix that makes Rasa read a message as an intent with
# entities ('/EXTERNAL_followup{"ticket_code":"HL-…"}'). Rasa itself only obeys the ASCII one,
# but the others read the same to a person and may become "/" in some normalising step.
SLASH_LOOKALIKES = frozenset(
    "/"  # the real one
    "\uff0f"  # ／ full-width solidus
    "\u2215"  # ∕ division slash
    "\u2044"  # ⁄ fraction slash
    "\u29f8"  # ⧸ big solidus
    "\u2571"  # ╱ box drawings light diagonal
    "\u27cb"  # ⟋ mathematical rising diagonal
    "\u2afd"  # ⫽ double solidus operator
    "\u2afb"  # ⫻ triple solidus binary relation
    "\u3033"  # 〳 vertical kana repeat mark upper half
    "\u31d3"  # ㇓ CJK stroke sp
    "\u2f03"  # ⼃ Kangxi radical slash
    "\u1735"  # ᜵ Philippine single punctuation
    "\u2cc6"  # Ⳇ Coptic capital letter old Coptic esh
    "\U0001f67c"  # 🙼 very heavy solidus
)
# Invisible or combining characters that cannot begin a message: control, format (zero-width
# space/joiners, word joiner, BOM, bidi marks...), surrogates, private use, unassigned, marks.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Mc", "Me"}


def _could_hide_a_command(ch: str) -> bool:
    return (
        ch.isspace()  # what Rasa's own .strip() removes before it looks for "/"
        or unicodedata.category(ch) in _INVISIBLE
        or ch in SLASH_LOOKALIKES
        or unicodedata.normalize("NFKC", ch) == "/"
    )


def as_plain_text(text: str) -> str:
    """What a resident wrote, such that Rasa can only read it as words, never as a command.

    Rasa strips a message (str.strip) and treats it as an intent with entities when it then
    starts with "/" (YAMLStoryReader.unpack_regex_message, run by the RegexMessageHandler for
    every message). So leading blanks, invisible characters and slashes of any look are
    dropped, as often as they come, until the first visible character that is none of them.
    """
    start = 0
    while start < len(text) and _could_hide_a_command(text[start]):
        start += 1
    return text[start:]


def sounds_urgent(message: str) -> bool:
    """A leak or a smell of gas (R1): answered at once, even from a chat over its pace or over
    the length limit, so its safety advice never waits or goes missing."""
    return says_something_escapes(message) or smells_of_gas(message)


def urgent_part(text: str, limit: int) -> str:
    """The first `limit` characters of a long message, led by the sentence that tells the leak or
    the gas when it comes later (1,000 characters about a bill, then "现在暖气片漏水了")."""
    if sounds_urgent(text[:limit]):
        return text[:limit]
    sentence = next((part for part in _SENTENCES.split(text) if sounds_urgent(part)), "")
    return f"{sentence[: limit // 2]} {text}"[:limit]


_SENTENCES = re.compile(r"(?<=[。!！?？;；\n])|(?<=[.!?])\s+")


def plain_words(cleaned: str) -> str:
    """What Rasa reads of a typed message (already cleaned: clean_text): its words without the
    HTML a pasted report may carry, never a command."""
    return as_plain_text(without_markup(cleaned))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Turn:
    """One incoming message as the relay stores it and passes it on."""

    text: str  # what the transcript keeps: the resident's words, or a pressed button's title
    language: str
    # What Rasa gets instead of the text: a pressed button's payload or an application command,
    # both issued by the application; None for words, which reach Rasa as plain text.
    payload: str | None = None

    @property
    def for_rasa(self) -> str:
        return self.payload if self.payload is not None else self.text


@dataclass(frozen=True)
class Press:
    """A button pressed: the id the chat sent back, not yet known to be valid."""

    button_id: str


@dataclass(frozen=True)
class Refused:
    """A pressed id that is stale, forged or another chat's: nothing was stored or changed."""

    language: str


def turn_of_press(pressed: PressedButton) -> Turn:
    # The language as for typed text, from what goes to Rasa; a payload like "/affirm" says
    # nothing, and the title is in the conversation's language.
    language = detect_language(pressed.payload) or detect_language(pressed.title) or DEFAULT_LANGUAGE
    return Turn(pressed.title, language, payload=pressed.payload)


def for_rasa(text: str, payload: str | None) -> str:
    """What a stored incoming message sends to Rasa (replays too): its payload if the
    application set one, else its text as plain words (also for messages stored before the
    text was made plain)."""
    return payload if payload is not None else as_plain_text(text)


def store_incoming(session: Session, channel: str, sender: str, incoming: Turn | Press,
                   status: MessageStatus) -> tuple[int, Turn] | Refused:  # fmt: skip
    """Store a resident's message before anything else happens to it; its id and the turn. A
    press is redeemed in the same transaction, so the payload kept for a replay is the one the
    button stood for, and a button is used up once, whatever happens next."""
    if isinstance(incoming, Press):
        pressed = redeem(session, sender, incoming.button_id)
        if pressed is None:
            return Refused(last_language(session, sender))
        incoming = turn_of_press(pressed)
    # One INSERT that gives the new id back, without the ORM's unit of work.
    message_id = session.execute(
        STORE_MESSAGE,
        {"channel": channel, "sender": sender, "direction": "in", "text": incoming.text, "payload": incoming.payload,
         "status": status, "language": incoming.language, "created_at": utcnow(), "attempts": 0},
    ).scalar_one()  # fmt: skip
    return message_id, incoming


class Relay:
    """The channel layer every resident channel goes through."""

    def __init__(self, settings: Settings, rasa: RasaClient | None = None) -> None:
        self.settings = settings
        self.rasa = rasa or RasaClient(settings.rasa_servers, settings.rasa_timeout_seconds)
        # Read once: the settings read the key's file on every call.
        self._secret_key = settings.resolved_secret_key()
        self._secret = self._secret_key.encode()
        self._locks: dict[str, asyncio.Lock] = {}

    def sender_ref(self, channel: str, chat_id: str) -> str:
        """A keyed pseudonym of the chat: what Rasa, logs and tickets see instead of the raw id."""
        digest = hmac.new(self._secret, f"{channel}:{chat_id}".encode(), hashlib.sha256)
        return f"{channel}:{digest.hexdigest()[:24]}"

    async def handle(self, channel: str, chat_id: str, text: str) -> list[Reply]:
        """Answer one message a resident sent; it is stored before anything else happens.

        What a resident writes reaches Rasa as words only, never as a command (as_plain_text),
        and without the HTML a pasted report may carry (without_markup).
        A message that is exactly a button id is a button press (the web chat sends the
        pressed button's id as the message), see `press`.
        """
        cleaned = clean_text(text)
        if is_button_id(cleaned):
            return await self.press(channel, chat_id, cleaned)
        plain = plain_words(cleaned)
        language = detect_language(plain) or DEFAULT_LANGUAGE
        if not plain:
            return await self.note(channel, chat_id, [Reply(say("empty_message", language))])
        return await self._converse(channel, chat_id, Turn(plain, language))

    async def press(self, channel: str, chat_id: str, button_id: str) -> list[Reply]:
        """Answer a button press. Only an id issued to this chat for its open question counts:
        then the button's real payload goes to Rasa (the only way an intent does, from a
        resident). Anything else gets "please use the latest buttons", and changes nothing."""
        return await self._converse(channel, chat_id, Press(button_id.strip()))

    async def command(self, channel: str, chat_id: str, payload: str) -> list[Reply]:
        """Send an application command such as "/help" to Rasa as this chat's turn.

        The trusted path, for the application's own code (Telegram's /help, /cancel, /status
        commands): never give it anything a resident wrote.
        """
        return await self._converse(channel, chat_id, Turn(payload, DEFAULT_LANGUAGE, payload=payload))

    async def note(self, channel: str, chat_id: str, notes: list[Reply]) -> list[Reply]:
        """Tell the chat something of the application's own (not an answer from Rasa): a push
        channel's note waits in its outbox like any answer, and counts as the turn's outcome."""
        sender = self.sender_ref(channel, chat_id)
        address = chat_id if channel in PUSH_CHANNELS else None
        return await in_transaction(conclude, channel, sender, address, None, notes, self._secret_key)

    async def _converse(self, channel: str, chat_id: str, incoming: Turn | Press) -> list[Reply]:
        sender = self.sender_ref(channel, chat_id)
        address = chat_id if channel in PUSH_CHANNELS else None
        # One turn at a time per resident, so replays and new messages keep their order.
        # Two steps per turn (store, then record), each one short transaction in a worker thread
        # (bot/channels/worker_thread.py): every extra step costs a thread's wakeup, which on a
        # busy machine adds milliseconds to the resident's wait.
        async with self._locks.setdefault(sender, asyncio.Lock()):
            stored = await in_transaction(store_inbound, channel, sender, incoming, address, self._secret_key)
            if isinstance(stored, Refused):
                log.info("A stale or unknown button id from %s was refused", sender)
                refusal = [Reply(say("use_latest_buttons", stored.language))]
                return await in_transaction(conclude, channel, sender, address, None, refusal, self._secret_key)
            message_id, turn, pending = stored
            cut: list[Reply] = []
            if len(turn.text) > self.settings.max_message_chars and sounds_urgent(turn.text):
                # A leak or gas told at length still gets its safety advice and its report (R1):
                # Rasa reads the first part, the whole message is kept, and the resident is told.
                limit = self.settings.max_message_chars
                cut = [Reply(say("too_long_urgent", turn.language, limit=limit))]
                turn = Turn(urgent_part(turn.text, limit), turn.language)
            elif len(turn.text) > self.settings.max_message_chars:
                limit, length = self.settings.max_message_chars, len(turn.text)
                too_long = [Reply(say("too_long", turn.language, message_id=message_id, length=length, limit=limit))]
                return await in_transaction(
                    conclude,
                    channel,
                    sender,
                    address,
                    (message_id, MessageStatus.REJECTED),
                    too_long,
                    self._secret_key,
                )
            try:
                for earlier_id, earlier_text in pending:  # earlier unanswered messages first, in order
                    await self._replay_one(earlier_id, channel, sender, earlier_text)
                answered = [*await self.rasa.send(sender, turn.for_rasa, message_id), *cut]
            except RasaUnavailable as error:
                log.warning("Message %s kept for retry: %s", message_id, error)
                busy = [Reply(say("rasa_unavailable", turn.language, message_id=message_id))]
                busy = await in_transaction(
                    conclude,
                    channel,
                    sender,
                    address,
                    (message_id, MessageStatus.PENDING),
                    busy,
                    self._secret_key,
                )
                if channel in PUSH_CHANNELS:
                    return busy
                return await in_transaction(take_waiting, channel, sender) + busy
            # Answers to replayed messages come first, in the order they were written.
            undelivered, shown, forgotten = await in_transaction(
                record_answer, message_id, channel, sender, answered, address, True, self._secret_key
            )
            if forgotten:
                await self._forget_conversation(sender)
            return in_reading_order(undelivered, shown, urgent=sounds_urgent(turn.text))

    async def _forget_conversation(self, sender: str) -> None:
        """R7: the report just became anonymous, so Rasa's stored conversation (which may hold a
        phone number typed before) is wiped too; the bot starts afresh with this chat."""
        try:
            await off_the_loop(forget_conversation, self.settings.tracker_url, sender)
        except Exception:  # noqa: BLE001  (the ticket is made; a failed wipe must not cost the reply)
            log.exception("Could not wipe an anonymous conversation from Rasa's tracker store")

    async def _replay_one(self, message_id: int, channel: str, sender: str, text: str) -> None:
        try:
            answered = await self.rasa.send(sender, text, message_id)
        except RasaUnavailable:
            await in_transaction(bump_attempts, message_id)
            raise
        _, _, forgotten = await in_transaction(
            record_answer, message_id, channel, sender, answered, None, False, self._secret_key
        )
        if forgotten:
            await self._forget_conversation(sender)

    async def retry_pending(self) -> int:
        """Retry every message Rasa could not answer; the replies wait in each resident's outbox."""
        done = 0
        for message_id, channel, sender, text in await in_transaction(all_pending):
            async with self._locks.setdefault(sender, asyncio.Lock()):
                try:
                    await self._replay_one(message_id, channel, sender, text)
                except RasaUnavailable:
                    return done
                done += 1
        return done

    async def outbox(self, channel: str, chat_id: str) -> list[Reply]:
        """Messages for this chat that it has not yet been given (replays, follow-ups)."""
        sender = self.sender_ref(channel, chat_id)
        return await in_transaction(take_waiting, channel, sender)


# -- the relay's steps, each one transaction (bot/channels/worker_thread.py) -----------------------


def store_inbound(
    session: Session, channel: str, sender: str, incoming: Turn | Press, address: str | None, secret_key: str
) -> tuple[int, Turn, list[tuple[int, str]]] | Refused:
    """Store the message; return its id, the turn, and the sender's earlier messages still
    pending. A press is redeemed in the same transaction, so the payload kept for a replay
    is the one the button stood for, and a button is used up once, whatever happens next."""
    stored = store_incoming(session, channel, sender, incoming, MessageStatus.RECEIVED)
    if isinstance(stored, Refused):
        return stored
    if address is not None:
        remember_chat(session, channel, sender, address, utcnow(), secret_key)
    message_id, turn = stored
    return message_id, turn, pending_of(session, sender, before=message_id)


def conclude(
    session: Session,
    channel: str,
    sender: str,
    address: str | None,
    outcome: tuple[int, MessageStatus] | None,
    notes: list[Reply],
    secret_key: str,
) -> list[Reply]:
    """Record a turn Rasa gave no answer to (a refused button, a message too long or kept for
    later: `outcome`, the message and its new status) with the note the resident gets; a push
    channel's note waits in the outbox, committed with the turn (bot/channels/turn_commit.py)."""
    if outcome is not None:
        message_id, status = outcome
        session.execute(
            update(MESSAGES).where(MESSAGES.c.id == message_id).values(status=status, attempts=MESSAGES.c.attempts + 1)
        )
    if channel not in PUSH_CHANNELS:
        return notes
    if address is not None:
        remember_chat(session, channel, sender, address, utcnow(), secret_key)
    shown = store_replies(session, channel, sender, notes, utcnow())
    run_hook(session, sender)
    return shown


def bump_attempts(session: Session, message_id: int) -> None:
    session.execute(update(MESSAGES).where(MESSAGES.c.id == message_id).values(attempts=MESSAGES.c.attempts + 1))


def record_answer(
    session: Session,
    message_id: int,
    channel: str,
    sender: str,
    replies: list[Reply],
    address: str | None,
    live: bool,
    secret_key: str,
) -> tuple[list[Reply], list[Reply], bool]:
    """Record Rasa's answer. `live`: the resident waits for it now; a fetching channel then
    gets it in the response (delivered now) with what else waits for this chat, a push
    channel from its outbox once its sender had it accepted. Returns what else waits, the
    answer as the chat gets it (buttons carry ids issued to it), and whether the turn made
    the report anonymous (the sender was forgotten)."""
    now = utcnow()
    hand_over = live and channel not in PUSH_CHANNELS
    # One UPDATE that also reads back whom the message is filed under: the report's own
    # pseudonym when the action just made it anonymous.
    filed_under: str = session.execute(MARK_ANSWERED, {"message_id": message_id, "answered_at": now}).scalar_one()
    shown = store_replies(session, channel, sender, replies, now, delivered=hand_over, stored_under=filed_under)
    forgotten = is_anonymous_pseudonym(filed_under)
    if forgotten and address is not None:
        # The chat's link was just dropped (R7); the answer (the receipt) still has to reach
        # it: a sealed link of the report's own, dropped once the answer was delivered.
        remember_chat(session, channel, filed_under, address, now, secret_key)
    if live:
        run_hook(session, filed_under)
    waiting = take_undelivered(session, channel, sender) if hand_over else []
    return waiting, shown, forgotten


def in_reading_order(earlier: list[Reply], answer: list[Reply], *, urgent: bool) -> list[Reply]:
    """What the resident reads, from the answers to messages kept earlier and to this one: the
    earlier ones first, in the order they were written, unless this one is a leak or gas, whose
    safety advice comes before them (R1). An answer said again and again to a burst of messages
    ("我帮不上忙" to each "哈哈") is shown once; every one of them is kept."""
    shown: list[Reply] = []
    for reply in earlier:
        if reply.buttons or all(reply.text != seen.text for seen in shown):
            shown.append(reply)
    return [*answer, *shown] if urgent else [*shown, *answer]


def all_pending(session: Session) -> list[tuple[int, str, str, str]]:
    rows = session.execute(
        select(ChatMessage.id, ChatMessage.channel, ChatMessage.sender, ChatMessage.text, ChatMessage.payload)
        .where(ChatMessage.status == MessageStatus.PENDING)
        .order_by(ChatMessage.id)
    )
    return [(row.id, row.channel, row.sender, for_rasa(row.text, row.payload)) for row in rows]


def take_waiting(session: Session, channel: str, sender: str) -> list[Reply]:
    """What waits for this chat, taken as delivered (a push channel's sender may be sending it)."""
    return take_undelivered(session, channel, sender, pushed=channel in PUSH_CHANNELS)


def pending_of(session: Session, sender: str, before: int) -> list[tuple[int, str]]:
    """The sender's earlier messages Rasa has not answered, with what each sends to Rasa."""
    rows = session.execute(PENDING_BEFORE, {"sender": sender, "before": before})
    return [(row.id, for_rasa(row.text, row.payload)) for row in rows]


def last_language(session: Session, sender: str) -> str:
    """The language this chat last wrote in (for answers the relay gives itself)."""
    language = session.scalar(
        select(ChatMessage.language)
        .where(ChatMessage.sender == sender, ChatMessage.direction == "in", ChatMessage.language.is_not(None))
        .order_by(ChatMessage.id.desc())
        .limit(1)
    )
    return language or DEFAULT_LANGUAGE
