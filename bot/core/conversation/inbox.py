"""Offering a resident's message to the admins' NLU inbox: the words the bot was unsure of, or a
ticket a dispatcher refiled. Only the storing is here; reviewing and training is bot/teaching/.

Personal data never reaches the inbox: phone, ID and card numbers, e-mail addresses, names and
the flat (its unit and room; the estate and building stay) are replaced before anything is
stored (bot/core/text/redaction.py). A message offered before its chat asked for anonymity, or
in a chat that never filed a report, cannot be traced later; so nothing that points at one
household is kept in the first place (R7)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.db import rows_changed
from bot.core.models import NluInboxItem
from bot.core.text.redaction import PLACEHOLDER_PHONE, redact_flat, redact_identifiers

MAX_TEXT_CHARS = 500
# Below this confidence a recognised message is still worth a look (the fallback is at 0.45).
REVIEW_BELOW = 0.7
_SPACE = re.compile(r"\s+")


def redact(text: str) -> str:
    """The message as the inbox keeps it: one line, cut to length, identifiers and the flat
    replaced. A phone number becomes one the tokenizer already masks, so it stays a phone to the
    model; the flat's placeholders say what was there, which is all the model needs of it."""
    text = _SPACE.sub(" ", text).strip()[:MAX_TEXT_CHARS]
    return redact_flat(redact_identifiers(text, phone_placeholder=PLACEHOLDER_PHONE))


def normalised(text: str) -> str:
    """What makes two examples the same: case, spacing and end punctuation do not count."""
    return _SPACE.sub(" ", text).strip().lower().rstrip("。.!!??~~ ")


def text_hash(text: str) -> str:
    return hashlib.sha256(normalised(text).encode()).hexdigest()


def collect(session: Session, text: str, source: str, now: datetime, *, predicted: str | None = None,
            confidence: float | None = None, suggested: str | None = None, ticket_id: int | None = None) -> bool:  # fmt: skip
    """Put a message in the inbox; False when it is empty, a button press, or already there."""
    clean = redact(text)
    if not clean or clean.startswith("/"):
        return False
    try:
        with session.begin_nested():
            session.add(
                NluInboxItem(
                    text=clean,
                    text_hash=text_hash(clean),
                    source=source,
                    predicted_intent=predicted,
                    confidence=confidence,
                    suggested_intent=suggested,
                    ticket_id=ticket_id,
                    created_at=now,
                    state="open",
                )  # fmt: skip
            )
        return True
    except IntegrityError:
        return False


def drop_open_items_from(session: Session, texts: list[str]) -> int:
    """Delete the items still waiting for review that came from these messages (R7: an anonymous
    report's words); return how many. Items keep no sender, so they are found by their words.

    Redaction already took the identifiers out, but a whistle-blower's own words may still point
    at them, and an annotated item goes into versioned training data: such words are not offered.
    Items already annotated or dismissed stay as the record of what was decided.
    """
    hashes = {text_hash(clean) for clean in map(redact, texts) if clean}
    if not hashes:
        return 0
    return rows_changed(
        session.execute(
            delete(NluInboxItem)
            .where(NluInboxItem.text_hash.in_(hashes), NluInboxItem.state == "open")
            .execution_options(synchronize_session=False)
        )
    )
