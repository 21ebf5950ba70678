"""A report pasted with its HTML around it is still the report: the words without the tags.

Residents paste from web pages, e-mails and office chat tools, and attackers send markup on purpose.
Tags mean nothing to a resident's request, but their letters and brackets would reach the model as
words ("<div><b>家里暖气不热</b></div>" was taken as small talk). Only tags of HTML's own names are
dropped, so "<3" or "a<b, c>d" stay as typed; entities (&nbsp; &amp;) become their characters.
"""

from __future__ import annotations

import html
import re

_TAG_NAMES = (
    "a|abbr|article|aside|b|big|blockquote|body|br|button|center|code|dd|del|div|dl|dt|em|font|footer|"
    "form|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|label|li|link|main|mark|meta|nav|object|"
    "ol|option|p|pre|q|s|script|section|select|small|span|strike|strong|style|sub|sup|svg|table|"
    "tbody|td|textarea|tfoot|th|thead|title|tr|tt|u|ul|video"
)
_TAG = re.compile(rf"<!--.*?-->|</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE | re.DOTALL)
# What a script or style element holds is code, not words.
_CODE_ELEMENT = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});", re.IGNORECASE)
_BLANKS = re.compile(r"\s+")


def without_markup(text: str) -> str:
    """`text` with HTML tags, comments and script or style elements removed, entities decoded."""
    if "<" not in text and "&" not in text:
        return text
    stripped = _TAG.sub(" ", _CODE_ELEMENT.sub(" ", text))
    decoded = _ENTITY.sub(lambda entity: html.unescape(entity.group(0)), stripped)
    return _BLANKS.sub(" ", decoded).strip()
