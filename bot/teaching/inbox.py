"""The NLU inbox: residents' messages the bot was unsure about, and tickets a dispatcher
refiled, waiting for an admin to say what they meant. An annotated message becomes a training
example in `data/nlu/inbox.yml` (Rasa YAML, reviewed and versioned like the rest of data/).

Personal data never reaches the inbox or the training data: phone, ID and card numbers, e-mail
addresses and names are replaced before anything is stored (bot/core/text/redaction.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.core.conversation.inbox import normalised, redact
from bot.core.models import NluInboxItem
from bot.teaching import data_files
from bot.teaching.texts import LANGUAGE, Explained, staff_text

INBOX_FILE = "inbox.yml"
INBOX_HEADER = """version: "3.1"
# Written by the dashboard's NLU inbox: residents' messages annotated by admins.
nlu:
"""
NOT_USEFUL = "not_useful"


class AnnotationError(Explained, ValueError):
    """The annotation cannot be taken; the message (a text of the catalogs) says why."""


class ExampleError(Explained, ValueError):
    """A training example or intent cannot be added or changed; the message (a text of the
    catalogs) says why.
    (Defined here, beside AnnotationError, for UnusableDataFile; bot.teaching.examples exports it.)"""


class UnusableDataFile(ExampleError, AnnotationError):
    """A training-data file is not valid YAML or not in Rasa's layout, or is locked too long. Both
    an ExampleError and an AnnotationError, so the examples page, the inbox page and the CLI all
    show the message, whichever of them touched the file."""


@contextmanager
def data_file_errors() -> Iterator[None]:
    """Turn data_files' DataFileError into UnusableDataFile (the same text)."""
    try:
        yield
    except data_files.DataFileError as problem:
        raise UnusableDataFile(problem.key, **problem.values) from problem


def open_items(session: Session, limit: int = 200) -> list[NluInboxItem]:
    return list(
        session.scalars(
            select(NluInboxItem).where(NluInboxItem.state == "open").order_by(NluInboxItem.id.desc()).limit(limit)
        )
    )


def known_intents(domain_file: Path = PROJECT_ROOT / "domain.yml") -> list[str]:
    with data_file_errors():
        domain = data_files.mapping(data_files.load(domain_file, missing_ok=False), domain_file)
    intents = domain.get("intents") or []
    names = [next(iter(i)) if isinstance(i, dict) else str(i) for i in intents]
    # Neither the application's triggers nor Rasa's fallback, which the FallbackClassifier gives
    # for "unsure": taught as an intent, the model would learn to predict it with confidence.
    return sorted(name for name in names if not name.startswith("EXTERNAL_") and name != "nlu_fallback")


def training_examples(data_dir: Path) -> set[str]:
    """Every example in the NLU training files, normalised."""
    found: set[str] = set()
    with data_file_errors():
        for path in sorted(data_dir.glob("*.yml")):
            document = data_files.mapping(data_files.load(path), path)
            for block in data_files.nlu_blocks(document, path):
                found.update(normalised(text) for text in data_files.examples_of(block, path))
    return found


def annotate(session: Session, item_id: int, intent: str, actor: str, now: datetime, data_dir: Path,
             intents: list[str], language: str = LANGUAGE) -> str:  # fmt: skip
    """Record the admin's answer; a real intent adds the message to data/nlu/inbox.yml unless an
    identical example exists. Returns what happened, for the page to say (in `language`)."""
    item = session.get(NluInboxItem, item_id)
    if item is None or item.state != "open":
        raise AnnotationError("teaching.item_gone")
    if intent != NOT_USEFUL and intent not in intents:
        raise AnnotationError("teaching.unknown_intent", intent=repr(intent))
    if intent == NOT_USEFUL:
        item.annotated_intent, item.annotated_by, item.annotated_at = intent, actor, now
        item.state = "dismissed"
        return staff_text("teaching.not_useful", language)
    # The file first: when a data file cannot be changed, the item stays open (the CLI commits).
    text = redact(item.text)  # redacted again: an older item may predate a new rule
    known = normalised(text) in training_examples(data_dir)
    if not known:
        add_example(data_dir / INBOX_FILE, intent, text)
    item.annotated_intent, item.annotated_by, item.annotated_at = intent, actor, now
    item.state = "annotated"
    if known:
        return staff_text("teaching.known_example", language)
    return staff_text("teaching.added_to", language, intent=intent)


def add_example(path: Path, intent: str, text: str) -> None:
    """Append an example under its intent (a new `- intent:` block at the end for a new intent),
    keeping the file's comments, order and Rasa's YAML layout."""
    add_examples(path, intent, [text])


def add_examples(path: Path, intent: str, texts: list[str]) -> None:
    """add_example for several examples, in one locked edit of the file."""
    with data_file_errors(), data_files.editing(path, INBOX_HEADER, data_files.NLU_LAYOUT) as document:
        data_files.add_examples(document, path, intent, texts)
