"""Estate names: one canonical name per estate, whatever variant a resident or dispatcher types.

The variants come from estates.yml (HOTLINE_ESTATES_FILE); an estate that is not listed there is
known by the name residents gave it in their tickets.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import Ticket

# What residents add or leave out without meaning another estate: 阳光花园 / 阳光花园小区,
# "Sunshine Garden" / "sunshine garden estate".
_NOISE = re.compile(r"\s+|[·・'’\-_.,]|(?:小区|社区)$|(?:estate|community|residential)$")


# How the names of estates end (阳光花园, 翠湖苑, 金城小区, Sunshine Garden…).
_ESTATE_NAME_END = re.compile(
    r"(?:花园|家园|小区|社区|苑|园|庭|府|里|庄|村|城|湾|居|公寓|大厦|广场|新村|宿舍|佳园|山庄|"
    r"gardens?|estates?|court|homes?|village|residences?|apartments|park|towers?|heights|villas?)$",
    re.IGNORECASE,
)


def normalise(name: str) -> str:
    key = unicodedata.normalize("NFKC", name).casefold().strip()
    previous = None
    while previous != key:
        previous, key = key, _NOISE.sub("", key)
    return key


@lru_cache
def _aliases(path: Path, _mtime: float) -> dict[str, str]:
    """normalised variant -> canonical name."""
    table = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(table, dict):
        raise ValueError(f"{path.name}: expected 'estate: [variants]' lines")
    aliases: dict[str, str] = {}
    for canonical, variants in table.items():
        for variant in [canonical, *(variants or [])]:
            aliases[normalise(str(variant))] = str(canonical)
    return aliases


def alias_table(path: Path) -> dict[str, str]:
    """The variants of the estates file (Settings.estates_file); none when there is no file."""
    if not path.exists():
        return {}
    return _aliases(path, path.stat().st_mtime)  # a changed file is read again


def canonical(name: str, aliases: dict[str, str]) -> str:
    """The estate's canonical name: its listed name, or the name as typed, tidied."""
    key = normalise(name)
    return aliases.get(key, unicodedata.normalize("NFKC", name).strip())


def named_in(text: str, aliases: dict[str, str]) -> set[str]:
    """The listed estates whose names (any variant) the text holds."""
    return {aliases[variant] for variant in aliases if variant and variant in normalise(text)}


def estate_named_in(text: str, aliases: dict[str, str]) -> str | None:
    """The one listed estate a message names in passing ("我是阳光花园的老住户…"), else None."""
    named = named_in(text, aliases)
    return named.pop() if len(named) == 1 else None


def listed_estate(estate: str | None, raw: str | None, aliases: dict[str, str]) -> str | None:
    """The listed estate a ticket is about: the parsed name if it is one of the listed names or
    holds one ("住幸福家园", "翠湖小区", "Sunshine Garden"), else the one listed name the resident's
    words hold when the parser took other words for the estate ("上周三在6号楼…幸福家园…");
    otherwise the parsed name as it was. So filters, statistics and outages find the ticket."""
    if not aliases:
        return estate
    if estate and (key := normalise(estate)) in aliases:
        return aliases[key]

    if estate and len(inside := named_in(estate, aliases)) == 1:
        return inside.pop()
    # Only when what was parsed is no estate's name at all ("上周三在"): "锦华苑…就在阳光花园旁边"
    # is in 锦华苑, a name the list does not know.
    if estate and raw and not _ESTATE_NAME_END.search(estate) and len(mentioned := named_in(raw, aliases)) == 1:
        return mentioned.pop()
    return estate


def same_estate(a: str | None, b: str | None, aliases: dict[str, str]) -> bool:
    if not a or not b:
        return False
    return normalise(canonical(a, aliases)) == normalise(canonical(b, aliases))


def known_estates(session: Session, aliases: dict[str, str]) -> list[str]:
    """Every estate the bot knows: listed in estates.yml (`aliases`) or named in a ticket."""
    names = set(aliases.values())
    names.update(canonical(estate, aliases) for estate in session.scalars(select(Ticket.estate).distinct()) if estate)
    return sorted(names)


def close_matches(name: str, known: list[str], limit: int = 3) -> list[str]:
    """Known estates that look like `name` (a typo, a missing character)."""
    by_key = {normalise(estate): estate for estate in known}
    keys = difflib.get_close_matches(normalise(name), list(by_key), n=limit, cutoff=0.6)
    return [by_key[key] for key in keys]
