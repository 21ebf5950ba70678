"""Messages of a chat writing faster than its pace: stored now, answered a little later.

Such a message is stored as pending, as one Rasa could not answer is (bot/channels/relay.py),
and the same machinery answers it: the relay's retry job, or the chat's next answered turn,
which replays the chat's pending messages first and in order. Its answers wait in the chat's
outbox, which the web chat fetches. So nothing a resident sent is lost, and a flood of one chat
costs a row each, not a Rasa turn each, while it lasts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.channels.relay import Press, Refused, Relay, Turn, clean_text, plain_words, store_incoming
from bot.channels.worker_thread import in_transaction
from bot.core.conversation.buttons import is_button_id
from bot.core.conversation.messages import say
from bot.core.conversation.replies import Reply
from bot.core.models import MessageStatus
from bot.core.text.language import DEFAULT_LANGUAGE, detect_language


async def hold(relay: Relay, channel: str, chat_id: str, text: str) -> list[Reply]:
    """Store a message for later and tell the resident so; read as Relay.handle reads it."""
    cleaned = clean_text(text)
    incoming: Turn | Press
    if is_button_id(cleaned):
        incoming = Press(cleaned)
    else:
        plain = plain_words(cleaned)
        language = detect_language(plain) or DEFAULT_LANGUAGE
        if not plain:
            return [Reply(say("empty_message", language))]
        incoming = Turn(plain, language)
    kept = await in_transaction(store_pending, channel, relay.sender_ref(channel, chat_id), incoming)
    if isinstance(kept, Refused):
        return [Reply(say("use_latest_buttons", kept.language))]
    message_id, language = kept
    return [Reply(say("kept_for_pace", language, message_id=message_id))]


def store_pending(session: Session, channel: str, sender: str, incoming: Turn | Press) -> tuple[int, str] | Refused:
    """Store the message as pending (bot.channels.relay.store_incoming): the retry job answers it.
    A step (bot/channels/worker_thread.py)."""
    stored = store_incoming(session, channel, sender, incoming, MessageStatus.PENDING)
    if isinstance(stored, Refused):
        return stored
    message_id, turn = stored
    return message_id, turn.language
