"""Add a new intent from the dashboard: its name in domain.yml, a rule that answers it with
action_answer_custom, its answer in answers.yml and its first examples in data/nlu/inbox.yml.
Each file is one locked, atomic edit through bot/teaching/data_files.py, so the hand-written files
keep their layout and comments."""

from __future__ import annotations

import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.core.conversation.inbox import normalised
from bot.teaching import data_files
from bot.teaching.examples import ExampleError, clean_example
from bot.teaching.inbox import INBOX_FILE, add_examples, data_file_errors, known_intents, training_examples

NAME = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
MIN_EXAMPLES = 3
MAX_ANSWER_CHARS = 1000
RULES_HEADER = 'version: "3.1"\n\nrules:\n'


def add_intent(domain_file: Path, rules_file: Path, answers_file: Path, data_dir: Path, name: str,
               examples: list[str], answer_zh: str, answer_en: str) -> None:  # fmt: skip
    name = name.strip()
    if not NAME.match(name):
        raise ExampleError("teaching.bad_intent_name")
    if name in known_intents(domain_file):
        raise ExampleError("teaching.intent_exists", name=repr(name))
    cleaned = list(dict.fromkeys(clean_example(text) for text in examples if text.strip()))
    if len(cleaned) < MIN_EXAMPLES:
        raise ExampleError("teaching.too_few_examples", count=MIN_EXAMPLES)
    existing = training_examples(data_dir)
    taken = [text for text in cleaned if normalised(text) in existing]
    if taken:
        raise ExampleError("teaching.example_of_another", text=taken[0])
    answers = {"zh": answer_zh.strip(), "en": answer_en.strip()}
    if not all(answers.values()) or any(len(text) > MAX_ANSWER_CHARS for text in answers.values()):
        raise ExampleError("teaching.answers_needed", limit=MAX_ANSWER_CHARS)

    with data_file_errors():
        for path in (rules_file, answers_file):  # a broken file stops the change before any file is written
            data_files.mapping(data_files.load(path), path)
        _add_to_intents(domain_file, name)
        with data_files.editing(rules_file, RULES_HEADER) as document:
            rule = CommentedMap([("rule", f"answer {name} (added on the dashboard)"),
                                 ("steps", CommentedSeq([CommentedMap(intent=name), CommentedMap(action="action_answer_custom")]))])  # fmt: skip
            data_files.append_item(_sequence(document, "rules", rules_file), rule)
        with data_files.editing(answers_file) as document:
            table = document.get("answers")
            if table is None:
                table = document["answers"] = CommentedMap()
            elif not isinstance(table, CommentedMap):
                raise data_files.DataFileError("data_file.answers_not_mapping", file=answers_file.name)
            table.fa.set_block_style()  # `answers: {}` becomes a block once it has an answer
            table[name] = CommentedMap(answers)
    add_examples(data_dir / INBOX_FILE, name, cleaned)


def _add_to_intents(domain_file: Path, name: str) -> None:
    """Append the name to the domain's `intents:` list, checking again under the file's lock that no
    other admin added it meanwhile."""
    with data_files.editing(domain_file, must_exist=True) as domain:
        intents = _sequence(domain, "intents", domain_file)
        if name in (next(iter(i)) if isinstance(i, dict) else str(i) for i in intents):
            raise ExampleError("teaching.intent_exists", name=repr(name))
        data_files.append_item(intents, name)


def _sequence(document: CommentedMap, key: str, path: Path) -> CommentedSeq:
    """The document's list `key:` (created when missing)."""
    value = document.get(key)
    if value is None:
        value = document[key] = CommentedSeq()
    if not isinstance(value, CommentedSeq):
        raise data_files.DataFileError("data_file.not_list", file=path.name, key=key)
    return value
