"""Reading and writing Rasa's YAML files (data/nlu/*.yml, data/rules.yml, domain.yml, answers.yml).

Every change goes through `editing(path)`, which
- holds an exclusive lock on the file (a `.<name>.lock` file next to it), so two admins or two
  application workers never interleave a read-modify-write of the same file;
- loads it with ruamel.yaml's round-trip loader, so comments, blank lines, key order and quotes survive;
- writes the new text to a temporary file in the same directory, flushes and fsyncs it and puts it
  in place with os.replace, keeping the file's mode: a reader (or `rasa train`) sees the old file or
  the new one, never half of it, and an edit that fails midway leaves the file as it was.

The layout of the output (indentation of mappings and sequences, how null is written) is taken from
the file itself, so a file that is loaded and written again unchanged stays byte-for-byte the same.
Readers need no lock: a file is only ever replaced whole.

NLU examples live in a literal block (`examples: |` then `- text` lines). `examples_of` reads them as a
list and `set_examples` writes a list back, leaving every other line of the block where it was.
"""

from __future__ import annotations

import difflib
import io
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from bot.teaching.texts import Explained

LOCK_TIMEOUT_SECONDS = 30.0
NULL_TAG = "tag:yaml.org,2002:null"


class DataFileError(Explained, ValueError):
    """A data file cannot be read or changed: not valid YAML, not in Rasa's layout, or locked too long.
    The message (a "data_file.*" text of the catalogs) names the file and says why."""


@dataclass(frozen=True)
class Layout:
    """Indentation in ruamel's terms: `mapping` for nested keys, `sequence` from the parent key to an
    item's content, `offset` from the parent key to the dash."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


RASA_LAYOUT = Layout(2, 4, 2)  # domain.yml and data/rules.yml: "  - item" under its key
NLU_LAYOUT = Layout(2, 2, 0)  # data/nlu/*.yml, as in Rasa's documentation: "- intent:" at the margin

_representers: dict[str, type[RoundTripRepresenter]] = {}


def _representer(null: str) -> type[RoundTripRepresenter]:
    """A round-trip representer writing None as `null` (the word the file uses; ruamel writes nothing).
    A subclass, so ruamel's own representer stays as it is for everyone else."""
    if null not in _representers:

        def represent_none(representer: RoundTripRepresenter, _: None) -> Any:
            return representer.represent_scalar(NULL_TAG, null)

        cls: type[RoundTripRepresenter] = type(f"NullAs{len(_representers)}Representer", (RoundTripRepresenter,), {})
        cls.add_representer(type(None), represent_none)
        _representers[null] = cls
    return _representers[null]


def _yaml(layout: Layout = RASA_LAYOUT, null: str = "") -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = sys.maxsize  # never re-wrap a long line
    yaml.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    if null:
        yaml.Representer = _representer(null)
    return yaml


def _problem(path: Path, error: Exception) -> DataFileError:
    mark = getattr(error, "problem_mark", None)
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    if mark is None:
        return DataFileError("data_file.not_yaml", file=path.name, problem=what)
    return DataFileError("data_file.not_yaml_at", file=path.name, line=mark.line + 1, column=mark.column + 1,
                         problem=what)  # fmt: skip


def parse(text: str, path: Path) -> Any:
    """The document in `text` (ruamel's round-trip types), or DataFileError naming `path`."""
    try:
        return _yaml().load(text)
    except YAMLError as error:
        raise _problem(path, error) from error


def _read(path: Path, missing_ok: bool) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        if missing_ok:
            return ""
        raise DataFileError("data_file.missing", file=path.name) from error
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError("data_file.unreadable", file=path.name, problem=error) from error


def load(path: Path, missing_ok: bool = True) -> Any:
    """The document in `path`; None when the file is empty, or missing and `missing_ok`.
    Readers need no lock: files are only ever replaced whole."""
    return parse(_read(path, missing_ok), path)


def mapping(document: Any, path: Path) -> CommentedMap:
    """The document as a mapping (None counts as empty), or DataFileError."""
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        raise DataFileError("data_file.not_mapping", file=path.name)
    return document


def guess_style(text: str, default: Layout = RASA_LAYOUT) -> tuple[Layout, str]:
    """The layout of the file's block collections and how it writes null ('' when it never does).
    Taken from the first nested mapping and the first block sequence under a key; `default` fills
    in what the file does not show."""
    try:
        root = _yaml().compose(text)
    except YAMLError:
        return default, ""
    mapping_indent: int | None = None
    sequence: tuple[int, int] | None = None
    nulls: list[str] = []

    def walk(node: Node | None) -> None:
        nonlocal mapping_indent, sequence
        if isinstance(node, ScalarNode):
            if node.tag == NULL_TAG and node.value:
                nulls.append(node.value)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                walk(item)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                column = key.start_mark.column
                if isinstance(value, MappingNode) and value.value and not value.flow_style and mapping_indent is None:
                    mapping_indent = value.value[0][0].start_mark.column - column
                elif isinstance(value, SequenceNode) and value.value and not value.flow_style and sequence is None:
                    dash, content = value.start_mark.column - column, value.value[0].start_mark.column - column
                    if 0 <= dash < content:
                        sequence = (content, dash)
                walk(key)
                walk(value)

    walk(root)
    layout = Layout(
        mapping_indent if mapping_indent and mapping_indent > 0 else default.mapping,
        sequence[0] if sequence else default.sequence,
        sequence[1] if sequence else default.offset,
    )
    return layout, max(sorted(set(nulls)), key=nulls.count) if nulls else ""


def dump(document: Any, layout: Layout = RASA_LAYOUT, null: str = "") -> str:
    out = io.StringIO()
    _yaml(layout, null).dump(document, out)
    return out.getvalue()


def lock_file(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the file's exclusive lock (across processes and threads)."""
    lock = FileLock(str(lock_file(path)))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as error:
        raise DataFileError("data_file.locked", file=path.name) from error
    try:
        yield
    finally:
        lock.release()


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` by a file holding `text`: temporary file, fsync, os.replace. An existing
    file's mode (and, where permitted, owner) is kept; a new file gets the umask's default mode."""
    try:
        previous: os.stat_result | None = path.stat()
    except FileNotFoundError:
        previous = None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")  # never *.yml: Rasa must not read it
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            if previous is not None:
                os.chmod(out.fileno(), previous.st_mode & 0o7777)
                if (previous.st_uid, previous.st_gid) != (os.geteuid(), os.getegid()):
                    try:
                        os.chown(out.fileno(), previous.st_uid, previous.st_gid)
                    except OSError:
                        pass  # not permitted: the file becomes ours, as with any other editor
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


@contextmanager
def editing(path: Path, header: str = "", layout: Layout = RASA_LAYOUT, *, must_exist: bool = False,
            timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[CommentedMap]:  # fmt: skip
    """Lock `path`, load it (a missing or empty file starts from the YAML text `header`; a missing
    one is a DataFileError if it `must_exist`), yield the document to change in place, and write
    it atomically when the body ends without an exception. Nothing is written when the text did
    not change. `layout` is for files that do not show their own (new ones, or ones without
    nested collections)."""
    path = Path(os.path.realpath(path))  # replace the file a symlink points to, not the link
    with locked(path, timeout):
        original = _read(path, missing_ok=not must_exist)
        document = parse(original, path)
        source = original
        if document is None:
            source = header
            document = parse(header, path)
        document = mapping(document, path)
        style = guess_style(source, layout)
        yield document
        text = dump(document, *style)
        if text != original:
            write_atomically(path, text)


# Sequences -----------------------------------------------------------------------------------------


def _is_block(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and len(node) > 0 and not node.fa.flow_style()


def _tail(container: CommentedMap | CommentedSeq, key: Any) -> tuple[CommentedMap | CommentedSeq, Any]:
    """Where ruamel keeps what follows the element `container[key]` (blank lines, comments): on the
    deepest last element of a nested block collection."""
    while _is_block(value := container[key]):
        container, key = value, (next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1)
    return container, key


def _slot(container: CommentedMap | CommentedSeq) -> int:
    return 0 if isinstance(container, CommentedSeq) else 2


def _after(container: CommentedMap | CommentedSeq, key: Any) -> tuple[str, str]:
    """(end of the element's own line: '' or its `# comment`, the lines after it up to the next element)."""
    entry = container.ca.items.get(key)
    token = entry[_slot(container)] if entry and len(entry) > _slot(container) else None
    value = token.value if token is not None else ""
    if isinstance(container[key], LiteralScalarString | FoldedScalarString):
        return "", value  # a block scalar ends with its own line break
    own, _, following = value.partition("\n")
    return own, following


def _set_after(container: CommentedMap | CommentedSeq, key: Any, own: str, following: str) -> None:
    block_scalar = isinstance(container[key], LiteralScalarString | FoldedScalarString)
    value = following if block_scalar else f"{own}\n{following}"
    slot = _slot(container)
    entry = container.ca.items.setdefault(key, [None] * (2 if slot == 0 else 4))
    while len(entry) <= slot:
        entry.append(None)
    if value in ("", "\n"):
        entry[slot] = None
        return
    column = 0 if block_scalar or not own else (entry[slot].start_mark.column if entry[slot] is not None else 0)
    entry[slot] = CommentToken(value, CommentMark(column), None)


def append_item(sequence: CommentedSeq, item: Any) -> None:
    """Append `item` to a block sequence as a person would: the blank lines and comments that ended
    the list (before the next key) move below the new item, and the new item is set apart from the
    previous one as that one is from its predecessor (a blank line between rules, none between
    intents)."""
    if sequence.fa.flow_style():
        sequence.fa.set_block_style()
    if not sequence:
        sequence.append(item)
        return
    last_container, last_key = _tail(sequence, len(sequence) - 1)
    own, following = _after(last_container, last_key)
    gap = ""
    if len(sequence) >= 2:
        _, between = _after(*_tail(sequence, len(sequence) - 2))
        gap = between if between and not between.strip("\n") else ""  # blank lines only, never a comment
    sequence.append(item)
    _set_after(last_container, last_key, own, gap)
    new_container, new_key = _tail(sequence, len(sequence) - 1)
    _set_after(new_container, new_key, "", following)


# NLU training data -------------------------------------------------------------------------------


def nlu_blocks(document: CommentedMap, path: Path, create: bool = False) -> CommentedSeq:
    """The `nlu:` list of a training-data document (created when asked and missing)."""
    blocks = document.get("nlu")
    if blocks is None:
        blocks = CommentedSeq()
        if create:
            document["nlu"] = blocks
        return blocks
    if not isinstance(blocks, CommentedSeq) or not all(isinstance(block, CommentedMap) for block in blocks):
        raise DataFileError("data_file.nlu_not_list", file=path.name)
    return blocks


def intent_blocks(document: CommentedMap, path: Path) -> Iterator[tuple[str, CommentedMap]]:
    """(intent, block) of every `- intent:` block; synonyms, regexes and lookups are skipped."""
    for block in nlu_blocks(document, path):
        if "intent" in block:
            yield str(block["intent"]), block


def _example(line: str) -> str | None:
    stripped = line.strip()
    return stripped[2:].strip() if stripped.startswith("- ") else None


def _lines(block: CommentedMap, path: Path | None = None) -> list[str]:
    value = block.get("examples")
    if value is None:
        return []
    if not isinstance(value, str):
        intent = repr(block.get("intent"))
        if path is None:
            raise DataFileError("data_file.examples_not_block", intent=intent)
        raise DataFileError("data_file.examples_not_block_in", file=path.name, intent=intent)
    return value.splitlines()


def examples_of(block: CommentedMap, path: Path | None = None) -> list[str]:
    """The examples of one intent block, in order."""
    value = block.get("examples")
    if isinstance(value, list):  # Rasa's long form, `- text: ...` with metadata: read, never written here
        return [str(item["text"]).strip() for item in value if isinstance(item, dict) and "text" in item]
    return [text for line in _lines(block, path) if (text := _example(line)) is not None]


def set_examples(block: CommentedMap, texts: list[str], path: Path | None = None) -> None:
    """Write `texts` as the block's examples, a literal `|` block. Unchanged examples keep their
    lines, and lines that are no example (comments, blank lines) stay where they were."""
    if any(not text.strip() or "\n" in text or "\r" in text for text in texts):
        raise ValueError("An example is a single line, not empty.")
    lines = _lines(block, path)
    positions = [index for index, line in enumerate(lines) if _example(line) is not None]
    old = [_example(lines[index]) for index in positions]
    if old == texts and isinstance(block.get("examples"), LiteralScalarString):
        return
    indent = next((lines[i][: len(lines[i]) - len(lines[i].lstrip())] for i in positions), "")
    ahead = [lines[start + 1 : stop] for start, stop in zip([-1, *positions], positions, strict=False)]
    out: list[str] = []
    for tag, old_from, old_to, new_from, new_to in difflib.SequenceMatcher(
        None, old, texts, autojunk=False
    ).get_opcodes():
        for k in range(old_from, old_to):
            out += ahead[k]  # whatever stood before an example stays, even when the example goes
            if tag == "equal":
                out.append(lines[positions[k]])
        if tag != "equal":
            out += [f"{indent}- {text}" for text in texts[new_from:new_to]]
    out = out + lines[positions[-1] + 1 :] if positions else lines + out  # a block of notes only: examples after them
    old_value = block.get("examples")
    value = LiteralScalarString("".join(line + "\n" for line in out))
    if isinstance(old_value, str) and old_value and not old_value.endswith("\n"):
        value = LiteralScalarString(value[:-1])
    if getattr(old_value, "comment", None) is not None:
        value.comment = old_value.comment
    block["examples"] = value


def add_examples(document: CommentedMap, path: Path, intent: str, texts: list[str]) -> None:
    """Append `texts` to the intent's (last) block, or to a new block at the end of `nlu:`."""
    blocks = [block for name, block in intent_blocks(document, path) if name == intent]
    if blocks:
        set_examples(blocks[-1], examples_of(blocks[-1], path) + texts, path)
        return
    block = CommentedMap([("intent", intent), ("examples", LiteralScalarString(""))])
    set_examples(block, texts, path)
    append_item(nlu_blocks(document, path, create=True), block)
