"""A ticket code as residents type it: HL-4F7K2P, hl4f7k2p, "HL - 4F7K2P", full-width ＨＬ－４Ｆ７Ｋ２Ｐ,
and written straight against Chinese words ("HL-4F7K2P怎么样了", where \\b finds no boundary:
Chinese characters count as word characters)."""

from __future__ import annotations

import re
import unicodedata

# Not inside a longer run of Latin letters or digits; Chinese may touch it on either side.
# The dash as input methods give it too: em and en dashes ("HL——4F7K2P"), an underscore, 一.
_DASH = r"\s*(?:[-_\u2010-\u2015\u2212一]{1,2}\s*)?"
TICKET_CODE = re.compile(rf"(?<![A-Za-z0-9])HL{_DASH}([0-9A-Za-z]{{6}})(?![A-Za-z0-9])", re.IGNORECASE)


def find_ticket_code(text: str) -> str | None:
    """The first ticket code in `text`, as the system writes it (HL-4F7K2P), or None."""
    match = TICKET_CODE.search(unicodedata.normalize("NFKC", text))
    return "HL-" + match.group(1).upper() if match else None


def without_ticket_codes(text: str) -> str:
    """`text` with its ticket codes blanked out: "HL-7K68QP 楼下也渗水了" names no room 68."""
    return TICKET_CODE.sub(" ", unicodedata.normalize("NFKC", text))


# "HL-12345", "HL-4F7K2", "HL4F7K2PX": meant as a code, but not one (a character missing or too many).
_LOOKS_LIKE_A_CODE = re.compile(rf"(?<![A-Za-z0-9])HL{_DASH}[0-9A-Za-z]{{3,12}}(?![A-Za-z0-9])", re.IGNORECASE)


def mistyped_ticket_code(text: str) -> str | None:
    """What the resident typed as a ticket code when it is none, or None."""
    normal = unicodedata.normalize("NFKC", text)
    if TICKET_CODE.search(normal):
        return None
    match = _LOOKS_LIKE_A_CODE.search(normal)
    return match.group(0) if match else None
