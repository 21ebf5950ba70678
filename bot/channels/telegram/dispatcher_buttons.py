"""The buttons under a new ticket's notice in the dispatchers' group (受理 / 已到场 / 已解决):
only the configured dispatchers may press them, a ticket another owns only its owner (R13), and
the ticket's workflow decides what a press may do (bot/channels/telegram/group_notices.py posts the notices)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Bot, Update
from telegram.ext import ContextTypes

from bot.channels.worker_thread import in_transaction
from bot.config import Settings
from bot.core.conversation.messages import say
from bot.core.tickets.intake import utcnow
from bot.core.tickets.notices import ACTION_TITLES, GROUP_LANGUAGE, apply_dispatcher_action, refusal_text
from bot.core.tickets.workflow import OwnedByAnother, TransitionRefused

# The callback data of these buttons: "t:<action>:<ticket id>".
CALLBACK_PATTERN = r"^t:"


class DispatcherButtons:
    def __init__(self, settings: Settings, bot: Bot) -> None:
        self.settings = settings
        self.bot = bot

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        user = update.effective_user
        if user is None or user.id not in self.settings.dispatcher_ids:
            await query.answer(say("telegram.not_a_dispatcher", GROUP_LANGUAGE), show_alert=True)  # type: ignore[union-attr]
            return
        _, action, ticket_id = (query.data or "").split(":")  # type: ignore[union-attr]
        try:
            code, status = await in_transaction(apply_action, int(ticket_id), action, user.id)
        except TransitionRefused as refused:  # the workflow said no; the ticket is as it was
            await query.answer(refusal_text(refused, action), show_alert=True)  # type: ignore[union-attr]
            return
        except OwnedByAnother as owned:  # R13: another dispatcher's case
            text = say("telegram.owned_by", GROUP_LANGUAGE, code=owned.code, owner=owned.owner)
            await query.answer(text, show_alert=True)  # type: ignore[union-attr]
            return
        title = ACTION_TITLES[action]
        await query.answer(say("telegram.action_answer", GROUP_LANGUAGE, code=code, action=title))  # type: ignore[union-attr]
        name = user.full_name or str(user.id)
        done = say("telegram.action_done", GROUP_LANGUAGE, code=code, action=title, name=name)
        await self.bot.send_message(query.message.chat_id, done)  # type: ignore[union-attr]


def apply_action(session: Session, ticket_id: int, action: str, user_id: int) -> tuple[str, str]:
    """The step (bot/channels/worker_thread.py): the ticket's code and new status."""
    ticket = apply_dispatcher_action(session, ticket_id, action, f"telegram-dispatcher:{user_id}", utcnow())
    return ticket.code, ticket.status.value
