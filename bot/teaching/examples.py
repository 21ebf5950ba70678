"""Browse and edit the NLU training examples in data/nlu/*.yml from the dashboard.

Edits change single lines in place, so the hand-written files keep their comments and order
and a review of the change in git shows exactly what an admin did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.core.text.language import detect_language
from bot.core.conversation.inbox import normalised, redact
from bot.teaching.inbox import INBOX_FILE, add_example, training_examples

_INTENT = re.compile(r"^- intent:\s*(\S+)\s*$")
_EXAMPLE = re.compile(r"^(\s+)- (.*)$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
MAX_EXAMPLE_CHARS = 300


class ExampleError(ValueError):
    """The change cannot be made; the message says why."""


@dataclass(frozen=True)
class ExampleRow:
    file: str
    intent: str
    text: str
    language: str


def _rows_of(path: Path) -> list[tuple[int, str, str]]:
    """(line index, intent, text) of every example in one file."""
    rows, intent, in_examples = [], None, False
    for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if match := _INTENT.match(line):
            intent, in_examples = match.group(1), False
        elif line.strip().startswith("examples:"):
            in_examples = True
        elif in_examples and intent and (match := _EXAMPLE.match(line)):
            rows.append((index, intent, match.group(2).strip()))
        elif line.strip() and not line.startswith(" "):
            intent, in_examples = None, False
    return rows


def language_of(text: str) -> str:
    """zh, en, or mixed: Chinese with English words in it."""
    language = detect_language(text) or "zh"
    return "mixed" if language == "zh" and _LATIN_WORD.search(text) else language


def list_examples(data_dir: Path) -> list[ExampleRow]:
    return [
        ExampleRow(path.name, intent, text, language_of(text))
        for path in sorted(data_dir.glob("*.yml"))
        for _, intent, text in _rows_of(path)
    ]


def search(rows: list[ExampleRow], intent: str = "", language: str = "", words: str = "") -> list[ExampleRow]:
    return [
        row for row in rows
        if (not intent or row.intent == intent) and (not language or row.language == language)
        and (not words or words.lower() in row.text.lower())
    ]  # fmt: skip


def clean_example(text: str) -> str:
    text = redact(text)
    if not text:
        raise ExampleError("The example is empty.")
    if len(text) > MAX_EXAMPLE_CHARS:
        raise ExampleError(f"An example is at most {MAX_EXAMPLE_CHARS} characters.")
    return text


def add(data_dir: Path, intent: str, text: str, intents: list[str]) -> str:
    if intent not in intents:
        raise ExampleError(f"Unknown intent {intent!r}.")
    text = clean_example(text)
    if normalised(text) in training_examples(data_dir):
        raise ExampleError("This example exists already.")
    add_example(data_dir / INBOX_FILE, intent, text)
    return text


def _file(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if name not in {p.name for p in data_dir.glob("*.yml")}:  # only the data files, never a path
        raise ExampleError(f"No training file {name!r}.")
    return path


def _change_line(data_dir: Path, name: str, intent: str, old: str, new_line: str | None) -> None:
    path = _file(data_dir, name)
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, found_intent, text in _rows_of(path):
        if found_intent == intent and text == old:
            if new_line is None:
                del lines[index]
            else:
                indent = _EXAMPLE.match(lines[index]).group(1)  # type: ignore[union-attr]
                lines[index] = f"{indent}- {new_line}"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return
    raise ExampleError("That example is no longer there (changed by someone else?).")


def edit(data_dir: Path, name: str, intent: str, old: str, new: str) -> str:
    new = clean_example(new)
    if normalised(new) != normalised(old) and normalised(new) in training_examples(data_dir):
        raise ExampleError("This example exists already.")
    _change_line(data_dir, name, intent, old, new)
    return new


def delete(data_dir: Path, name: str, intent: str, old: str) -> None:
    _change_line(data_dir, name, intent, old, None)
