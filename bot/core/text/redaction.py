"""替换自由文本中能认出居民的内容:手机和座机号码、身份证号、卡号和其他长数字、电子邮箱,
以及带提示词的姓名("我叫…"、"my name is …")。
Replacing what identifies a resident in free text: phone, ID and card numbers, e-mail addresses
and names given with a cue.

One set of rules for every place that keeps residents' words without needing to know who wrote
them: the NLU inbox and its training examples, and everything an anonymous report leaves behind
(R7: its transcript, its ticket's words, what the dispatchers' group and exports show).
Addresses stay: a crew needs them, and what may be shown of them is decided where they are shown.
"""

from __future__ import annotations

import re

# What a phone number becomes by default; the NLU inbox passes one the tokenizer already masks.
PHONE = "[电话]"
# The NLU inbox's placeholder: a real-looking mobile number, so the model still reads a phone.
PLACEHOLDER_PHONE = "13800000000"
NAME = "[姓名]"

_HAN = "\u4e00-\u9fff"
# Where a name typed after a cue ends: punctuation, a space, the end, or words that usually follow
# it ("我叫王明住在…", "我叫王明,电话…"). Without such an end, the next two or three characters.
_NAME_END = r"(?=[\s,，。.!！?？;；:：、(（]|$|住|家|在|的|是|电话|手机|联系|身份证|邮箱|今年)"
_CHINESE_NAME = rf"(?:[{_HAN}·]{{2,4}}?{_NAME_END}|[{_HAN}]{{2,3}})"
_NAME_CUES = r"我叫|我的名字(?:是|叫)|名字(?:是|叫)|本人(?:是|叫)|姓名(?:是|为|叫)?\s*[:：]?|联系人(?:是|为)?\s*[:：]?"

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"), "[身份证号]"),
    # Bank cards written in groups of four ("6222 0212 3456 7890"), before the phone rules below
    # take eleven of their digits for a mobile number.
    (re.compile(r"(?<!\d)\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?(?!\d)"), "[号码]"),
]
_PHONE_RULES = [
    re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),
]
# Account, card and other long numbers (the inbox's phone placeholder itself is left alone).
_LONG_NUMBER = re.compile(rf"(?<!\d)(?!{PLACEHOLDER_PHONE}(?!\d))\d{{9,}}(?!\d)")
_NAME_RULES = [
    re.compile(rf"(?P<cue>{_NAME_CUES})\s*(?P<name>{_CHINESE_NAME})"),
    re.compile(rf"(?P<cue>我姓)\s*(?P<name>[{_HAN}])"),
    # The first word after the cue in any case; further ones only capitalised ("John Smith").
    re.compile(
        r"(?P<cue>(?i:my name is|my name's|i am called|i'm called|call me|name\s*:)\s*)"
        r"(?P<name>[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})"
    ),
]


def redact_identifiers(text: str, phone_placeholder: str = PHONE) -> str:
    """`text` with every phone, ID, card and long number, e-mail address and cued name replaced."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    for pattern in _PHONE_RULES:
        text = pattern.sub(phone_placeholder, text)
    text = _LONG_NUMBER.sub("[号码]", text)
    for pattern in _NAME_RULES:
        text = pattern.sub(lambda match: match.group("cue") + NAME, text)
    return text
