"""Residents' updates become the relay's turns: what they write, the commands, the buttons they
press, a shared contact; and the notes the application gives them itself.

An answer is never sent from here: it waits in the chat's outbox, which is pushed once the update
is handled (bot/channels/telegram/stored_updates.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.channels.relay import Relay
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.stored_updates import UpdateInHandling
from bot.core.conversation.messages import say
from bot.core.conversation.replies import Reply


def language_of(update: Update) -> str:
    user = update.effective_user
    return "en" if user and (user.language_code or "").startswith("en") else "zh"


class ResidentTurns:
    def __init__(self, relay: Relay, in_handling: Callable[[], UpdateInHandling | None]) -> None:
        self.relay = relay
        self.in_handling = in_handling  # the stored update being handled now, if any

    async def converse(self, update: Update, text: str) -> None:
        """Pass on what the resident wrote (as words: the relay makes sure of that)."""
        await self.answer(update, lambda chat_id: self.relay.handle(CHANNEL, chat_id, text))

    async def answer(self, update: Update, turn: Callable[[str], Awaitable[list[Reply]]]) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await turn(str(chat.id))  # the answer waits in the chat's outbox, pushed when the update is handled

    async def send(self, chat_id: int | str, replies: list[Reply], *, more_follows: bool = False) -> None:
        """A note of the application's own to a resident's chat: it waits in the chat's outbox
        and is pushed with the update's answers. `more_follows`: the update has a turn still to
        come (a photo's caption), which then marks it handled."""
        handling = self.in_handling()
        if handling is not None:
            handling.more_follows = more_follows
        try:
            await self.relay.note(CHANNEL, str(chat_id), replies)
        finally:
            if handling is not None:
                handling.more_follows = False

    # -- the handlers --------------------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet with the company's name (R12)."""
        await self.converse(update, "hello" if language_of(update) == "en" else "你好")

    def on_command_payload(self, payload: str):
        """A Telegram command the application maps to a Rasa intent: the relay's trusted path,
        with the payload written here, in code."""

        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await self.answer(update, lambda chat_id: self.relay.command(CHANNEL, chat_id, payload))

        return handler

    async def on_status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        code = " ".join(context.args or [])
        if code:  # what follows "/status" is the resident's own words
            await self.converse(update, f"{code} 怎么样了")
        else:
            await self.answer(update, lambda chat_id: self.relay.command(CHANNEL, chat_id, "/check_status"))

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = say("language_policy", language_of(update))  # the same bilingual sentence in both
        await self.send(update.effective_chat.id, [Reply(text)])  # type: ignore[union-attr]

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, update.effective_message.text or "")  # type: ignore[union-attr]

    async def on_caption(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.converse(update, update.effective_message.caption or "")  # type: ignore[union-attr]

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A resident pressed an inline button: its callback data is the id the relay issued to
        this chat. Anyone can send any callback data, so the relay checks it is this chat's."""
        query = update.callback_query
        await query.answer()  # type: ignore[union-attr]  # stops the button's spinner
        data = query.data or ""  # type: ignore[union-attr]
        await self.answer(update, lambda chat_id: self.relay.press(CHANNEL, chat_id, data))

    async def on_contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        contact = message.contact  # type: ignore[union-attr]
        if contact.user_id != (update.effective_user.id if update.effective_user else None):  # type: ignore[union-attr]
            await self.send(message.chat_id, [Reply(say("telegram_text_only", language_of(update)))])  # type: ignore[union-attr]
            return
        await self.converse(update, contact.phone_number)  # type: ignore[union-attr]

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.send(update.effective_chat.id, [Reply(say("telegram_edited", language_of(update)))])  # type: ignore[union-attr]

    async def on_unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat is None:
            return
        await self.send(update.effective_chat.id, [Reply(say("telegram_text_only", language_of(update)))])
