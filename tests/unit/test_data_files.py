"""Rasa's YAML files as the teaching loop edits them (bot/teaching/data_files.py): comments and
order survive, an untouched file stays byte-for-byte the same, a failed edit changes nothing and
leaves no temporary file, concurrent editors lose nothing, and Rasa still reads the result.
Every test works on copies in tmp_path, never on the repository's data/."""

from __future__ import annotations

import difflib
import multiprocessing
import shutil
import stat
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.core.conversation.inbox import collect
from bot.core.models import NluInboxItem
from bot.core.tickets.intake import utcnow
from bot.teaching import data_files, examples
from bot.teaching.inbox import INBOX_FILE, AnnotationError, add_example, annotate, known_intents, training_examples
from bot.teaching.intents import add_intent

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
PROJECT_FILES = [*sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")), PROJECT_ROOT / "data" / "rules.yml",
                 PROJECT_ROOT / "domain.yml", PROJECT_ROOT / "answers.yml"]  # fmt: skip

HAND_WRITTEN = """\
version: "3.1"  # Rasa 3's format
# Written by hand: comments, blank lines and order must survive an edit.

nlu:
# Leaks first, they are urgent.
- intent: report_leak  # the urgent one
  examples: |
    - 暖气片漏水了
    # not an example: a note inside the block
    - pipe burst
# Complaints follow.

- intent: complaint
  examples: |
    - 客服电话一直打不通
    - nobody answers the phone
    - 态度太差

- synonym: 暖气
  examples: |
    - 暖器
# The end.
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def count_examples(path: Path) -> int:
    document = data_files.mapping(data_files.load(path), path)
    return sum(len(data_files.examples_of(block)) for _, block in data_files.intent_blocks(document, path))


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".tmp"))


def copy_nlu(tmp_path: Path) -> Path:
    data_dir = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", data_dir)
    return data_dir


def test_comments_and_order_of_a_hand_written_file_survive_edits(tmp_path: Path) -> None:
    (tmp_path / "hand.yml").write_text(HAND_WRITTEN, encoding="utf-8")
    examples.edit(tmp_path, "hand.yml", "report_leak", "pipe burst", "a pipe burst")
    examples.delete(tmp_path, "hand.yml", "complaint", "nobody answers the phone")
    with data_files.editing(tmp_path / "hand.yml") as document:
        data_files.add_examples(document, tmp_path / "hand.yml", "complaint", ["heating is cold, nobody came"])
        data_files.add_examples(document, tmp_path / "hand.yml", "greet", ["你好"])
    assert (
        (tmp_path / "hand.yml").read_text(encoding="utf-8")
        == """\
version: "3.1"  # Rasa 3's format
# Written by hand: comments, blank lines and order must survive an edit.

nlu:
# Leaks first, they are urgent.
- intent: report_leak  # the urgent one
  examples: |
    - 暖气片漏水了
    # not an example: a note inside the block
    - a pipe burst
# Complaints follow.

- intent: complaint
  examples: |
    - 客服电话一直打不通
    - 态度太差
    - heating is cold, nobody came

- synonym: 暖气
  examples: |
    - 暖器
- intent: greet
  examples: |
    - 你好
# The end.
"""
    )
    rows = [(row.intent, row.text) for row in examples.list_examples(tmp_path)]
    assert rows == [("report_leak", "暖气片漏水了"), ("report_leak", "a pipe burst"), ("complaint", "客服电话一直打不通"),
                    ("complaint", "态度太差"), ("complaint", "heating is cold, nobody came"), ("greet", "你好")]  # fmt: skip


@pytest.mark.parametrize("source", PROJECT_FILES, ids=lambda path: path.name)
def test_an_untouched_file_stays_byte_for_byte_the_same(tmp_path: Path, source: Path) -> None:
    path = tmp_path / source.name
    shutil.copy(source, path)
    before = path.read_bytes()
    text = before.decode("utf-8")
    assert data_files.dump(data_files.parse(text, path), *data_files.guess_style(text)) == text  # not merely skipped
    with data_files.editing(path) as document:
        assert document  # loaded, left alone
    assert path.read_bytes() == before


def test_an_add_lands_under_the_right_intent_in_a_file_of_several(tmp_path: Path) -> None:
    data_dir = copy_nlu(tmp_path)
    path = data_dir / INBOX_FILE
    shutil.copy(data_dir / "zh.yml", path)  # a file of 16 intents stands in for a grown inbox
    before = path.read_text(encoding="utf-8")
    add_example(path, "complaint", "维修师傅态度特别差 还要红包")
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["+     - 维修师傅态度特别差 还要红包"]
    document = data_files.mapping(data_files.load(path), path)
    blocks = dict(data_files.intent_blocks(document, path))
    assert data_files.examples_of(blocks["complaint"])[-1] == "维修师傅态度特别差 还要红包"
    assert all("红包" not in text for name, block in blocks.items() if name != "complaint"
               for text in data_files.examples_of(block))  # fmt: skip
    inserted = after.splitlines().index("    - 维修师傅态度特别差 还要红包")
    assert [line for line in after.splitlines()[:inserted] if line.startswith("- intent:")][-1] == "- intent: complaint"


def test_a_new_inbox_file_is_written_in_rasas_layout(tmp_path: Path) -> None:
    path = tmp_path / INBOX_FILE
    add_example(path, "report_leak", "卫生间: 地漏往上冒水 #急")
    add_example(path, "complaint", "客服电话一直打不通")
    add_example(path, "report_leak", "楼上往下滴水")
    assert (
        path.read_text(encoding="utf-8")
        == """\
version: "3.1"
# Written by the dashboard's NLU inbox: residents' messages annotated by admins.
nlu:
- intent: report_leak
  examples: |
    - 卫生间: 地漏往上冒水 #急
    - 楼上往下滴水
- intent: complaint
  examples: |
    - 客服电话一直打不通
"""
    )


def test_an_edit_that_raises_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "hand.yml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    with pytest.raises(RuntimeError, match="midway"), data_files.editing(path) as document:
        data_files.add_examples(document, path, "complaint", ["half done"])
        document["nlu"].pop(0)
        raise RuntimeError("the body failed midway")
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN and leftovers(tmp_path) == []
    with pytest.raises(examples.ExampleError, match="no longer there"):
        examples.delete(tmp_path, "hand.yml", "complaint", "not in the file")
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_the_temporary_file_never_remains_after_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "hand.yml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")

    def failing(name: str) -> Callable[..., None]:
        def fail(*args: object, **kwargs: object) -> None:
            raise OSError(f"{name} failed (disk full)")

        return fail

    for name in ("fsync", "replace"):
        with monkeypatch.context() as patch:
            patch.setattr(data_files.os, name, failing(name))
            with pytest.raises(OSError, match=f"{name} failed"):
                add_example(path, "complaint", f"lost when {name} fails")
        assert path.read_text(encoding="utf-8") == HAND_WRITTEN and leftovers(tmp_path) == []
    with pytest.raises(Exception), data_files.editing(path) as document:  # noqa: B017 (any error ruamel raises)
        document["broken"] = object()  # cannot be written as YAML
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN and leftovers(tmp_path) == []


def test_the_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "hand.yml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    path.chmod(0o640)
    add_example(path, "complaint", "权限不变")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and "权限不变" in path.read_text(encoding="utf-8")


def add_twenty(path: str, worker: int, start: object) -> None:
    """One process's share of the concurrency test (module level, for multiprocessing's spawn)."""
    start.wait()  # type: ignore[attr-defined]
    for n in range(20):
        add_example(Path(path), "complaint", f"worker {worker} example {n}")


def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / INBOX_FILE
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=add_twenty, args=(str(path), worker, start)) for worker in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [process.exitcode for process in workers] == [0, 0]
    document = data_files.mapping(data_files.load(path), path)
    complaint = data_files.examples_of(dict(data_files.intent_blocks(document, path))["complaint"])
    added = [text for text in complaint if text.startswith("worker ")]
    assert len(added) == 40, f"{len(added)} of the 40 examples kept"
    assert sorted(added) == sorted(f"worker {worker} example {n}" for worker in (1, 2) for n in range(20))
    assert path.read_text(encoding="utf-8").startswith(HAND_WRITTEN.split("- intent: complaint")[0])
    assert leftovers(tmp_path) == []


def test_two_threads_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    """The dashboard edits from worker threads (asyncio.to_thread): the lock holds between them too."""
    path = tmp_path / INBOX_FILE
    start = threading.Barrier(2)

    def add_ten(worker: int) -> None:
        start.wait()
        for n in range(10):
            add_example(path, "greet", f"thread {worker} hello {n}")

    threads = [threading.Thread(target=add_ten, args=(worker,)) for worker in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(training_examples(tmp_path)) == 20


def test_a_file_locked_too_long_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / INBOX_FILE
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    failed: list[Exception] = []

    def edit_meanwhile() -> None:
        try:
            with data_files.editing(path, timeout=0.2) as document:
                document["touched"] = True
        except data_files.DataFileError as problem:
            failed.append(problem)

    with data_files.locked(path):
        other = threading.Thread(target=edit_meanwhile)
        other.start()
        other.join(10)
    assert len(failed) == 1 and "inbox.yml is being changed by someone else" in str(failed[0])
    assert path.read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_file_that_is_not_yaml_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    data_dir = copy_nlu(tmp_path)
    (data_dir / "en.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n - broken: [\n', encoding="utf-8"
    )
    for change in (lambda: examples.add(data_dir, "greet", "hello there", ["greet"]),
                   lambda: examples.edit(data_dir, "zh.yml", "report_leak", "暖气片漏水了", "暖气片漏水啦"),
                   lambda: examples.list_examples(data_dir)):  # fmt: skip
        with pytest.raises(examples.ExampleError, match=r"en\.yml is not valid YAML \(line 6"):
            change()
    with pytest.raises(AnnotationError, match=r"en\.yml is not valid YAML"):  # what the inbox page and the CLI catch
        training_examples(data_dir)
    domain = tmp_path / "domain.yml"
    domain.write_text("intents:\n  - greet\n  bad: indentation\n", encoding="utf-8")
    for kind in (examples.ExampleError, AnnotationError):
        with pytest.raises(kind, match=r"domain\.yml is not valid YAML"):
            known_intents(domain)
    assert not (data_dir / INBOX_FILE).exists()


def test_an_annotation_whose_file_is_broken_leaves_the_item_open(db_session: Session, tmp_path: Path) -> None:
    data_dir = copy_nlu(tmp_path)
    assert collect(
        db_session, "暖气片有点不对劲 摸着不热", "low_confidence", utcnow(), predicted="out_of_scope", confidence=0.5
    )
    item = db_session.scalar(select(NluInboxItem))
    assert item is not None
    good = (data_dir / "en.yml").read_text(encoding="utf-8")
    (data_dir / "en.yml").write_text("nlu: [\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"en\.yml is not valid YAML"):
        annotate(db_session, item.id, "report_repair", "admin", utcnow(), data_dir, ["report_repair"])
    assert item.state == "open" and item.annotated_intent is None and not (data_dir / INBOX_FILE).exists()
    (data_dir / "en.yml").write_text(good, encoding="utf-8")
    assert annotate(db_session, item.id, "report_repair", "admin", utcnow(), data_dir, ["report_repair"]).endswith(
        "Added to report_repair."
    )
    assert item.state == "annotated" and "暖气片有点不对劲 摸着不热" in (data_dir / INBOX_FILE).read_text(
        encoding="utf-8"
    )


def test_a_new_intent_goes_into_each_file_and_rasa_reads_them_all(tmp_path: Path) -> None:
    data_dir = copy_nlu(tmp_path)
    for source in PROJECT_FILES[-3:]:
        shutil.copy(source, tmp_path / source.name)
    domain, rules, answers = (tmp_path / name for name in ("domain.yml", "rules.yml", "answers.yml"))
    before = {path: path.read_text(encoding="utf-8") for path in (domain, rules, answers)}

    answers.write_text("answers: {broken\n", encoding="utf-8")
    with pytest.raises(examples.ExampleError, match=r"answers\.yml is not valid YAML"):
        add_intent(domain, rules, answers, data_dir, "ask_meter_reading", ["a1", "b2", "c3"], "答", "answer")
    assert domain.read_text(encoding="utf-8") == before[domain] and rules.read_text(encoding="utf-8") == before[rules]
    answers.write_text(before[answers], encoding="utf-8")

    add_intent(domain, rules, answers, data_dir, "ask_meter_reading",
               ["热表读数怎么看", "how do I read the heat meter", "热量表上的数字是什么意思"],
               "热表读数在显示屏上。", "The reading is on the meter's display.")  # fmt: skip
    with pytest.raises(examples.ExampleError, match="exists already"):
        add_intent(domain, rules, answers, data_dir, "ask_meter_reading", ["a1", "b2", "c3"], "答", "answer")

    assert changed_lines(before[domain], domain.read_text(encoding="utf-8")) == ["+   - ask_meter_reading"]
    assert "  - EXTERNAL_followup\n  - ask_meter_reading\n\nentities:\n" in domain.read_text(encoding="utf-8")
    assert rules.read_text(encoding="utf-8") == before[rules] + (
        "\n  - rule: answer ask_meter_reading (added on the dashboard)\n    steps:\n"
        "      - intent: ask_meter_reading\n      - action: action_answer_custom\n"
    )
    assert answers.read_text(encoding="utf-8") == before[answers].replace("answers: {}\n", (
        "answers:\n  ask_meter_reading:\n    zh: 热表读数在显示屏上。\n    en: The reading is on the meter's display.\n"))  # fmt: skip
    assert "ask_meter_reading" in known_intents(domain)

    # Edits of hand-written files and the inbox, then Rasa's own readers on everything written.
    examples.add(data_dir, "complaint", "客服态度太差 电话13912345678", known_intents(domain))
    examples.edit(data_dir, "boundaries.yml", "out_of_scope", "煤气费多少钱一方", "煤气费一方多少钱")
    examples.delete(data_dir, "zh.yml", "report_leak", "暖气片漏水了")
    ours = {name: count_examples(data_dir / name) for name in (INBOX_FILE, "boundaries.yml", "zh.yml")}
    script = (
        "import sys\n"
        "from rasa.shared.nlu.training_data.loading import load_data\n"
        "from rasa.shared.core.domain import Domain\n"
        "from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader\n"
        "for path in sys.argv[3:]: print(len(load_data(path).training_examples))\n"
        "domain = Domain.load(sys.argv[1])\n"
        "print('ask_meter_reading' in domain.intents)\n"
        "steps = YAMLStoryReader(domain).read_from_file(sys.argv[2])\n"
        "print(any(step.block_name == 'answer ask_meter_reading (added on the dashboard)' for step in steps))\n"
    )
    files = [str(data_dir / name) for name in ours]
    done = subprocess.run([str(RASA_PYTHON), "-c", script, str(domain), str(rules), *files],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [*(str(count) for count in ours.values()), "True", "True"]
    assert ours[INBOX_FILE] == 4  # the intent's three examples and the complaint


def test_the_fallback_is_no_intent_to_teach() -> None:
    """Tester's finding: "asdf" could be taught as nlu_fallback, Rasa's own answer for "unsure",
    which the model would then learn to predict with confidence."""
    assert "nlu_fallback" not in known_intents() and "greet" in known_intents()


def test_an_unknown_intent_or_example_still_says_so(tmp_path: Path) -> None:
    data_dir = copy_nlu(tmp_path)
    with pytest.raises(examples.ExampleError, match="Unknown intent"):
        examples.add(data_dir, "no_such_intent", "hello", ["greet"])
    with pytest.raises(examples.ExampleError, match="exists already"):
        examples.add(data_dir, "report_leak", "暖气片漏水了。", ["report_leak"])
    with pytest.raises(examples.ExampleError, match="No training file"):
        examples.delete(data_dir, "../rules.yml", "greet", "hi")
    assert not (data_dir / INBOX_FILE).exists()
