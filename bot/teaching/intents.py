"""Add a new intent from the dashboard: its name in domain.yml, a rule that answers it with
action_answer_custom, its answer in answers.yml and its first examples in data/nlu/inbox.yml.
Lines are added in place, so the hand-written files keep their layout and comments."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.teaching.examples import ExampleError, clean_example
from bot.core.conversation.inbox import normalised
from bot.teaching.inbox import INBOX_FILE, add_example, known_intents, training_examples

NAME = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
MIN_EXAMPLES = 3
MAX_ANSWER_CHARS = 1000


def add_intent(domain_file: Path, rules_file: Path, answers_file: Path, data_dir: Path, name: str,
               examples: list[str], answer_zh: str, answer_en: str) -> None:  # fmt: skip
    name = name.strip()
    if not NAME.match(name):
        raise ExampleError("An intent name is 3 to 41 lowercase letters, digits or _, starting with a letter.")
    if name in known_intents(domain_file):
        raise ExampleError(f"The intent {name!r} exists already.")
    cleaned = list(dict.fromkeys(clean_example(text) for text in examples if text.strip()))
    if len(cleaned) < MIN_EXAMPLES:
        raise ExampleError(f"Give at least {MIN_EXAMPLES} different example messages.")
    existing = training_examples(data_dir)
    taken = [text for text in cleaned if normalised(text) in existing]
    if taken:
        raise ExampleError(f"Already an example of another intent: {taken[0]}")
    answers = {"zh": answer_zh.strip(), "en": answer_en.strip()}
    if not all(answers.values()) or any(len(text) > MAX_ANSWER_CHARS for text in answers.values()):
        raise ExampleError(f"Give the answer in Chinese and in English (at most {MAX_ANSWER_CHARS} characters each).")

    _add_to_intents(domain_file, name)
    with rules_file.open("a", encoding="utf-8") as rules:
        rules.write(f"\n  - rule: answer {name} (added on the dashboard)\n    steps:\n"
                    f"      - intent: {name}\n      - action: action_answer_custom\n")  # fmt: skip
    data = yaml.safe_load(answers_file.read_text(encoding="utf-8")) if answers_file.exists() else None
    data = data or {}
    data.setdefault("answers", {})
    data["answers"] = (data["answers"] or {}) | {name: answers}
    header = "".join(line + "\n" for line in answers_file.read_text(encoding="utf-8").splitlines() if line.startswith("#")) if answers_file.exists() else ""
    answers_file.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=True), encoding="utf-8")
    for text in cleaned:
        add_example(data_dir / INBOX_FILE, name, text)


def _add_to_intents(domain_file: Path, name: str) -> None:
    """Put `  - name` after the last entry of the domain's `intents:` list."""
    lines = domain_file.read_text(encoding="utf-8").splitlines()
    start = lines.index("intents:")
    end = start + 1
    while end < len(lines) and lines[end].startswith("  - "):
        end += 1
    lines.insert(end, f"  - {name}")
    domain_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
