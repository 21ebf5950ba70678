"""Buttons carry opaque ids, never commands.

A button's real payload ("/affirm", '/inform{"category":"report_leak"}', "5") stays on the
server. The chat is given an unguessable id, issued to that chat for that one question; the
client sends it back when the button is pressed (the web chat as the message, Telegram as the
callback data), and it is mapped back to the payload only if it was issued to the same chat and
its question is still open: the chat's newest set of buttons, not answered yet. A client can
put anything in a button, so a forged, stale or borrowed id must buy nothing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from bot.core.db import rows_changed
from bot.core.models import IssuedButton

BUTTON_ID_PREFIX = "btn."
# An id is 16 random bytes (128 bits) in URL-safe base64 after the prefix: 26 characters in all,
# well within the 64 bytes Telegram allows as a button's callback_data (new_button_id). What is
# taken for a press is anything of that shape, of any length, so that a forged "btn.fake" is
# answered as a button that is not open, not read as words.
_PRESS = re.compile(re.escape(BUTTON_ID_PREFIX) + r"[A-Za-z0-9_.-]{1,60}")


@dataclass(frozen=True)
class PressedButton:
    title: str
    payload: str


def new_button_id() -> str:
    return BUTTON_ID_PREFIX + secrets.token_urlsafe(16)


def is_button_id(text: str) -> bool:
    """Whether a message is a button press rather than words (pressed, or forged: both count)."""
    return _PRESS.fullmatch(text) is not None


def issue(
    session: Session, sender: str, button_lists: Sequence[Sequence[dict[str, str]]], now: datetime
) -> list[list[dict[str, str]]]:
    """The same buttons with their payloads replaced by ids issued to this chat.

    `button_lists` are the buttons of the messages of one answer: together they make one set,
    the question now open, which replaces the chat's earlier set. An answer without buttons
    leaves the earlier set open (the bot may only have said "please choose one of these").
    """
    if not any(button_lists):
        return [[] for _ in button_lists]
    withdraw(session, sender)
    question = secrets.token_hex(8)
    issued: list[list[dict[str, str]]] = []
    rows = []
    for buttons in button_lists:
        shown = []
        for button in buttons:
            button_id = new_button_id()
            rows.append({"button_id": button_id, "sender": sender, "question": question,
                         "title": button["title"], "payload": button["payload"], "issued_at": now})  # fmt: skip
            shown.append({"title": button["title"], "payload": button_id})
        issued.append(shown)
    # One INSERT for the whole set, not one per button through the ORM's unit of work.
    session.execute(insert(cast(Table, IssuedButton.__table__)), rows)
    return issued


def redeem(session: Session, sender: str, button_id: str) -> PressedButton | None:
    """The button this chat pressed, or None if the id is not one of its open question's.

    Its whole set is used up: the question is answered, and the other buttons of it are stale.
    """
    row = session.execute(
        select(IssuedButton.title, IssuedButton.payload, IssuedButton.question).where(
            IssuedButton.button_id == button_id, IssuedButton.sender == sender
        )
    ).first()
    if row is None:
        return None
    pressed = PressedButton(row.title, row.payload)
    used = session.execute(
        delete(IssuedButton)
        .where(IssuedButton.sender == sender, IssuedButton.question == row.question)
        .execution_options(synchronize_session=False)
    )
    # Pressed twice at once (two clicks, two processes): the delete that found the rows wins.
    return pressed if rows_changed(used) else None


def withdraw(session: Session, sender: str) -> None:
    """Drop every button issued to this chat (a new set supersedes them; R7 forgets them)."""
    session.execute(
        delete(IssuedButton).where(IssuedButton.sender == sender).execution_options(synchronize_session=False)
    )
