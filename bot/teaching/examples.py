"""Browse and edit the NLU training examples in data/nlu/*.yml from the dashboard.

Every change is one locked, atomic edit of one file through bot/teaching/data_files.py: the
hand-written files keep their comments and order, an edit changes just the example's line, and a
review of the change in git shows exactly what an admin did.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.core.conversation.inbox import normalised, redact
from bot.core.text.language import detect_language
from bot.teaching import data_files
from bot.teaching.inbox import INBOX_FILE, ExampleError, add_example, data_file_errors, training_examples

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
MAX_EXAMPLE_CHARS = 300


@dataclass(frozen=True)
class ExampleRow:
    file: str
    intent: str
    text: str
    language: str


def language_of(text: str) -> str:
    """zh, en, or mixed: Chinese with English words in it."""
    language = detect_language(text) or "zh"
    return "mixed" if language == "zh" and _LATIN_WORD.search(text) else language


def list_examples(data_dir: Path) -> list[ExampleRow]:
    rows: list[ExampleRow] = []
    with data_file_errors():
        for path in sorted(data_dir.glob("*.yml")):
            document = data_files.mapping(data_files.load(path), path)
            for intent, block in data_files.intent_blocks(document, path):
                rows += [
                    ExampleRow(path.name, intent, text, language_of(text))
                    for text in data_files.examples_of(block, path)
                ]
    return rows


def search(rows: list[ExampleRow], intent: str = "", language: str = "", words: str = "") -> list[ExampleRow]:
    return [
        row for row in rows
        if (not intent or row.intent == intent) and (not language or row.language == language)
        and (not words or words.lower() in row.text.lower())
    ]  # fmt: skip


def clean_example(text: str) -> str:
    text = redact(text)
    if not text:
        raise ExampleError("teaching.empty_example")
    if len(text) > MAX_EXAMPLE_CHARS:
        raise ExampleError("teaching.long_example", limit=MAX_EXAMPLE_CHARS)
    return text


def add(data_dir: Path, intent: str, text: str, intents: list[str]) -> str:
    if intent not in intents:
        raise ExampleError("teaching.unknown_intent", intent=repr(intent))
    text = clean_example(text)
    if normalised(text) in training_examples(data_dir):
        raise ExampleError("teaching.example_exists")
    add_example(data_dir / INBOX_FILE, intent, text)
    return text


def _file(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if name not in {p.name for p in data_dir.glob("*.yml")}:  # only the data files, never a path
        raise ExampleError("teaching.no_file", name=repr(name))
    return path


def _change(data_dir: Path, name: str, intent: str, old: str, new: str | None) -> None:
    """Replace (or with None delete) the first example `old` of `intent` in the file `name`."""
    path = _file(data_dir, name)
    with data_file_errors(), data_files.editing(path, layout=data_files.NLU_LAYOUT, must_exist=True) as document:
        for found_intent, block in data_files.intent_blocks(document, path):
            if found_intent != intent:
                continue
            examples = data_files.examples_of(block, path)
            if old in examples:
                index = examples.index(old)
                examples[index : index + 1] = [] if new is None else [new]
                data_files.set_examples(block, examples, path)
                return
    raise ExampleError("teaching.example_gone")


def edit(data_dir: Path, name: str, intent: str, old: str, new: str) -> str:
    new = clean_example(new)
    if normalised(new) != normalised(old) and normalised(new) in training_examples(data_dir):
        raise ExampleError("teaching.example_exists")
    _change(data_dir, name, intent, old, new)
    return new


def delete(data_dir: Path, name: str, intent: str, old: str) -> None:
    _change(data_dir, name, intent, old, None)
