"""The NLU inbox: residents' messages the bot was unsure about, and tickets a dispatcher
refiled, waiting for an admin to say what they meant. An annotated message becomes a training
example in `data/nlu/inbox.yml` (Rasa YAML, reviewed and versioned like the rest of data/).

Personal data never reaches the inbox or the training data: phone, ID and card numbers, e-mail
addresses and names are replaced before anything is stored (bot/core/text/redaction.py).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.core.models import NluInboxItem
from bot.core.conversation.inbox import normalised, redact

INBOX_FILE = "inbox.yml"
NOT_USEFUL = "not_useful"
def open_items(session: Session, limit: int = 200) -> list[NluInboxItem]:
    return list(
        session.scalars(
            select(NluInboxItem).where(NluInboxItem.state == "open").order_by(NluInboxItem.id.desc()).limit(limit)
        )
    )


def known_intents(domain_file: Path = PROJECT_ROOT / "domain.yml") -> list[str]:
    intents = yaml.safe_load(domain_file.read_text(encoding="utf-8")).get("intents", [])
    names = [next(iter(i)) if isinstance(i, dict) else str(i) for i in intents]
    return sorted(name for name in names if not name.startswith("EXTERNAL_"))


def training_examples(data_dir: Path) -> set[str]:
    """Every example in the NLU training files, normalised."""
    found: set[str] = set()
    for path in sorted(data_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.add(normalised(line[2:]))
    return found


class AnnotationError(ValueError):
    """The annotation cannot be taken; the message says why."""


def annotate(session: Session, item_id: int, intent: str, actor: str, now: datetime, data_dir: Path,
             intents: list[str]) -> str:  # fmt: skip
    """Record the admin's answer; a real intent adds the message to data/nlu/inbox.yml unless an
    identical example exists. Returns what happened, for the page to say."""
    item = session.get(NluInboxItem, item_id)
    if item is None or item.state != "open":
        raise AnnotationError("This message was already handled or does not exist.")
    if intent != NOT_USEFUL and intent not in intents:
        raise AnnotationError(f"Unknown intent {intent!r}.")
    item.annotated_intent, item.annotated_by, item.annotated_at = intent, actor, now
    if intent == NOT_USEFUL:
        item.state = "dismissed"
        return "Marked as not useful."
    item.state = "annotated"
    text = redact(item.text)  # redacted again: an older item may predate a new rule
    if normalised(text) in training_examples(data_dir):
        return "Already a training example; nothing added."
    add_example(data_dir / INBOX_FILE, intent, text)
    return f"Added to {intent}."


def add_example(path: Path, intent: str, text: str) -> None:
    """Append an example under its intent, keeping the file in Rasa's YAML layout."""
    examples: dict[str, list[str]] = {}
    if path.exists():
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
            lines = [ln.strip()[2:] for ln in str(block.get("examples", "")).splitlines() if ln.strip().startswith("- ")]
            examples.setdefault(block["intent"], []).extend(lines)
    examples.setdefault(intent, []).append(text)
    out = ['version: "3.1"', "# Written by the dashboard's NLU inbox: residents' messages annotated by admins.", "nlu:"]
    for name in sorted(examples):
        out += [f"- intent: {name}", "  examples: |"] + [f"    - {example}" for example in examples[name]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
