"""A tokenizer for Chinese, English and mixed messages.

Rasa's JiebaTokenizer turns every space of mixed text ("我家 radiator 漏水了") into a token of its
own, which later components reject; this one drops blank tokens and punctuation and keeps
correct character offsets. Tokens carry normalised text (nlu/normalize.py: traditional →
simplified, full-width → ASCII, common typos), so 暖氣不熱 and 暖器不热 look like 暖气不热 to the
classifier, while the message itself keeps the resident's own words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import jieba
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalize import normalize

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

# jieba's general dictionary splits the trade's words (暖气片 → 暖气/片, 滞纳金 → 滞纳/金); whole
# words are stronger features than their pieces.
for _word in (
    "暖气片", "暖气费", "采暖费", "供暖费", "热费", "滞纳金", "报修", "报停", "不热", "漏水", "渗水", "滴水",
    "跑水", "冒水", "冒热气", "放气阀", "排气阀", "分水器", "分集水器", "热表", "热量表", "热计量表",
    "温控器", "温控阀", "锁闭阀", "回水管", "进水管", "热力井", "换热站", "收费员", "维修工", "户号",
    "煤气味", "燃气味", "私接", "偷热", "不作为", "没人来", "没人管", "打不通",
):  # fmt: skip
    jieba.add_word(_word)


# Addresses, phone numbers and ticket codes say nothing about what the resident needs; left as
# words they make the model learn "an address means a leak". Each becomes one placeholder token.
_PLACEHOLDERS = [
    ("__code__", re.compile(r"HL-?[0-9A-Z]{6}", re.IGNORECASE)),
    ("__phone__", re.compile(r"(?<!\d)(?:\+?86[ -]?)?(?:1[3-9]\d(?:[ -]?\d{4}){2}|0\d{2,3}-?\d{7,8})(?!\d)")),
    (
        "__address__",
        re.compile(
            r"(?:[\u4e00-\u9fff]{1,8}(?:花园|小区|家园|新村|公寓|社区|苑|大厦|宿舍|园)\s*)?"
            r"(?:第?\s*[0-9０-９一二三四五六七八九十]+\s*(?:号楼|栋|幢|座|号院)\s*)"
            r"(?:[0-9０-９一二三四五六七八九十]+\s*单元\s*)?(?:[0-9０-９]+\s*(?:室|号)?)?"
            r"|\d{1,3}-\d{1,2}-\d{3,5}"
            r"|(?:(?:bldg|building|block|blk|unit|room|rm|apt|flat)\.?\s*#?\s*\d+[ ,]*){1,4}",
            re.IGNORECASE,
        ),
    ),
]


def _placeholder_spans(text: str) -> list[tuple]:
    spans: list[tuple] = []
    for name, pattern in _PLACEHOLDERS:
        for match in pattern.finditer(text):
            if match.end() > match.start() and not any(s < match.end() and match.start() < e for s, e, _ in spans):
                spans.append((match.start(), match.end(), name))
    return sorted(spans)


def _is_noise(word: str) -> bool:
    """Blank or punctuation-only pieces carry no meaning for intent classification."""
    return all(ch.isspace() or unicodedata.category(ch).startswith(("P", "Z", "C")) for ch in word)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MixedTokenizer(Tokenizer):
    """Segment Chinese with jieba and keep English words whole."""

    @staticmethod
    def supported_languages() -> list[str] | None:
        return None

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MixedTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        original = message.get(attribute) or ""
        # Same length as the original (normalize guarantees it), so offsets stay the resident's.
        text = normalize(original) if attribute == TEXT else original
        spans = _placeholder_spans(text) if attribute == TEXT else []
        tokens: list[Token] = []
        for word, start, end in jieba.tokenize(text):
            span = next((s for s in spans if s[0] < end and start < s[1]), None)
            if span is None:
                if not _is_noise(word):
                    tokens.append(Token(word, start))
            elif not tokens or tokens[-1].text != span[2] or tokens[-1].start != span[0]:
                tokens.append(Token(span[2], span[0], span[1]))
        if not tokens:
            # Rasa needs at least one token; emoji-only or punctuation-only text keeps its symbols.
            tokens = [Token(original.strip() or "_", 0)]
        return self._apply_token_pattern(tokens)
