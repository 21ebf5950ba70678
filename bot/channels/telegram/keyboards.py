"""What a reply's buttons become in Telegram."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.core.conversation.messages import say
from bot.core.conversation.replies import Reply


def markup_for(reply: Reply, language: str) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """Rasa buttons become an inline keyboard; the phone question offers to share the contact.

    A button's payload here is already the opaque id the relay issued to this chat (never
    Rasa's payload), and short enough for Telegram's 64 bytes of callback data."""
    if reply.buttons:
        rows = [[InlineKeyboardButton(b["title"], callback_data=b["payload"])] for b in reply.buttons]
        return InlineKeyboardMarkup(rows)
    if reply.custom.get("request") == "phone":
        button = KeyboardButton(say("share_phone", language), request_contact=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    return None
