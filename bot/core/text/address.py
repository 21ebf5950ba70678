"""Parse residents' free-text addresses (Chinese, English or mixed) into estate/building/unit/room."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import zhconv

FIELDS = ("estate", "building", "unit", "room")


@dataclass(frozen=True)
class Address:
    """A residential address whose parts may still be unknown (None)."""

    estate: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None

    def missing(self) -> list[str]:
        """Names of the unknown parts, in the order the bot asks for them."""
        return [name for name in FIELDS if getattr(self, name) is None]

    def is_complete(self) -> bool:
        """True when estate, building, unit and room are all known."""
        return not self.missing()

    def merged_with(self, other: Address) -> Address:
        """Copy of this address where every known part of `other` wins."""
        return replace(self, **{n: getattr(other, n) for n in FIELDS if getattr(other, n) is not None})

    def format(self, language: str) -> str:
        """Render the known parts: "zh" gives 阳光花园3号楼2单元301室, anything else English."""
        if language.lower().startswith("zh"):
            marks = ("", "号楼", "单元", "室")
            text = "".join(f"{v}{m}" for v, m in zip(self._values(), marks) if v is not None)
            # "Rose Court 7号楼", not "Rose Court7号楼": a Latin name keeps its space before the number.
            if self.estate and self.estate[-1].isascii() and self.estate[-1].isalpha() and text != self.estate:
                text = f"{self.estate} {text[len(self.estate) :]}"
            return text
        labels = ("", "Building ", "Unit ", "Room ")
        return ", ".join(f"{label}{v}" for v, label in zip(self._values(), labels) if v is not None)

    def _values(self) -> tuple[str | None, ...]:
        """Parts in display order."""
        return (self.estate, self.building, self.unit, self.room)


def address_from_parts(parts: Mapping[str, Any]) -> Address:
    """The address a conversation keeps as a dict of its parts (with other keys beside them)."""
    return Address(**{name: parts.get(name) for name in FIELDS})


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "[零〇一二两三四五六七八九十百]+"


def _num(name: str) -> str:
    """Regex for an Arabic or Chinese number captured as group `name`, optionally after 第."""
    return rf"第?\s*(?P<{name}>[0-9]+|{_CN_NUM})"


_COMPONENT = re.compile(
    rf"""
      (?P<dash>(?<![0-9-])(?P<dash_b>[0-9]{{1,3}})\s*-\s*(?P<dash_u>[0-9]{{1,2}})(?:\s*-\s*|\s+)(?P<dash_r>[0-9]{{1,5}})(?![0-9-]))
    | (?<![0-9-])(?P<pair_a>[0-9]{{1,3}})\s*-\s*(?P<pair_b>[0-9]{{1,5}})(?![0-9-]|\s*[点时号月日度分楼层元块天年个kK])
    | (?<![0-9])(?P<building_hashafter>[0-9]{{1,3}})\s*\#
    | (?<![a-z])(?:building|bldg|bld|block|blk)\.?\s*\#?\s*(?P<building_en>[0-9]+)
    | (?<![a-z])(?:unit|entrance)\s*\#?\s*(?P<unit_en>[0-9]+)
    | (?<![a-z])(?:room|rm|apartment|apt|flat)\.?\s*\#?\s*(?P<room_en>[0-9]+)
    | \#\s*(?P<building_hash>[0-9]+)
    | {_num("building_zh")}\s*(?:号楼|栋|幢|座)
    | {_num("building_zh2")}\s*[号楼](?=\s*第?\s*(?:[0-9]+|{_CN_NUM})\s*单元)
    | {_num("unit_zh")}\s*(?:单元|门(?![口牌卫面诊店市]))
    | (?P<unit_side>[东西南北中])\s*单元
    | {_num("room_zh")}\s*室
    """,
    re.VERBOSE | re.IGNORECASE,
)
# A bare number right after the unit ("2单元301", "unit 2 301") is the room; "5楼" is a floor.
# Spoken rooms are read digit by digit ("六零二", voice-to-text): three or four such digits.
_SPOKEN_ROOM = "[零〇一二三四五六七八九]{3,4}"
_BARE_ROOM = re.compile(
    rf"[\s,]*(?P<room>[0-9]{{1,5}}|{_SPOKEN_ROOM})(?![0-9零〇一二三四五六七八九十楼层])(?:\s*[号户室])?"
)
_BARE_ROOM_ONLY = re.compile(rf"\s*([0-9]{{1,5}}|{_SPOKEN_ROOM})\s*[号室]?\s*")

# Clauses end at punctuation, or at a space between Chinese words (voice-to-text has no commas:
# "…整个楼都不热 物业说找你们 博山区沿河东路紫园小区8号楼"). Latin names keep their spaces.
_SEPARATORS = re.compile(r"[,。.!?;、\n]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# "我们小区", "咱们这个小区": an estate pointed at, not named.
_NO_NAME = re.compile(r"(?:我们|咱们|俺们|我家|你们|这个|那个|本|该|这|那|我的)(?:这个|那个)?(?:小区|社区|家园|园|苑)")
_CN_SUFFIX = "小区|花园|家园|公寓|新村|社区|大厦|宿舍|苑|园"
_CN_ESTATE_END = re.compile(rf"(?:{_CN_SUFFIX})$")
_CN_UP_TO_SUFFIX = re.compile(rf"^.*(?:{_CN_SUFFIX})")
_EN_ESTATE_END = re.compile(
    r"(?<![a-z])(?:gardens?|estates?|residences?|court|apartments|village|community|"
    r"mansions?|plaza|park|towers?|heights|homes|square|villas?)$",
    re.IGNORECASE,
)
_TITLE_WORDS = re.compile(r"(?:[A-Z][\w'-]*\s*)+")
_CUE = re.compile(
    r"^.*(?:我家住在|我家住|我家在|我家是|我住在|我住|我在|家住在|家住|住在|(?:(?<=^)|(?<=[,，。 ]))住(?![宅户房区址])|位于|地址是|地址为|地址|住址是|住址为|住址|我是|我们是|这里是|这是"
    # Quotes and formula marks end whatever came before ('=HYPERLINK("…","点我")阳光花园').
    r"|[\"“”=<>\[\]{}|]"
    r"|(?<![a-z])(?:i live at|i live in|i['’]m at|i am at|live at|live in|my address is|address is|address"
    r"|this is|i['’]m from|i am from|from)(?![a-z]))"
    r"\s*:?\s*",
    re.IGNORECASE,
)
# Filler a spoken message starts with ("那个幸福家园7号楼", voice-to-text): not part of the name.
_LATIN = re.compile(r"[A-Za-z]")
# The words of an English sentence up to its last preposition, before a place's name.
_EN_LEAD_IN = re.compile(r"^.*(?<![a-z])(?:at|in|of|on|near|from|by|to|inside|outside)(?:\s+|$)", re.IGNORECASE)
_FILLER = re.compile(r"^(?:那个|这个|什么|应该是|好像是|好像|大概是|可能是|我是说|就在|就是|是|说|在|嗯|呃|额|喂)+")
# A short English lead-in before the place ("It's in 阳光花园", "in Sunshine Garden", "it's …").
_EN_FRONT = re.compile(
    r"^(?:(?:it|that)(?:['’]s|\s+is)\s+|we(?:['’]re|\s+are)\s+|i(?:['’]m|\s+am)\s+)?(?:(?:in|at|on)\s+)?", re.I
)
# A part said not to be it ("是5号楼,不是3号楼", "not building 3"): left out, it is a correction.
_NEGATION = re.compile(r"(?:而?不是|并非|不在|(?<![a-z])not)\s*$", re.IGNORECASE)
# Lookbehinds keep 小区/社区/东区-style estate names and 城市花园 from being taken as districts.
_PREFIX = (
    re.compile(r"^[^\s0-9]{1,8}?(?:省|(?<![城都])市|(?<![小社校园东西南北])区|县|镇|乡|街道)"),
    re.compile(r"^[^\s0-9]{1,8}?(?:大道|大街|路|街|巷|胡同)(?:[0-9]+号)?"),
)
_TRIM = " \t:;,.-、'\"“”"


# The traditional forms of the characters the parser reads ("陽光花園3號樓2單元301室"): one for one,
# so offsets into the simplified reading are offsets into the resident's own text.
_TRADITIONAL = str.maketrans("號樓單棟園區縣鎮鄉門層戶廈莊兩", "号楼单栋园区县镇乡门层户厦庄两")


def parse_address(text: str) -> Address:
    """Extract whatever address parts `text` contains. The estate in simplified characters, as
    the utility's lists, outages and statistics name it ("陽光花園" is 阳光花园); what the resident
    typed stays in the ticket's raw address."""
    text = unicodedata.normalize("NFKC", text)
    simplified = text.translate(_TRADITIONAL)
    address = _parse_simplified(simplified)
    if address.estate and simplified != text and (start := simplified.find(address.estate)) >= 0:
        address = replace(address, estate=zhconv.convert(text[start : start + len(address.estate)], "zh-cn"))
    return address


def _parse_simplified(text: str) -> Address:
    """Extract whatever address parts `text` contains; parts not mentioned stay None.

    Text that is only a number ("301") is read as a room: the bot only receives such an
    answer after asking for the room number. For Chinese estates a leading province/city/
    district and road ("张店区华光路") is stripped, and a redundant 小区 after another estate
    suffix is dropped ("阳光花园小区" -> "阳光花园").
    """
    text = _without_negated_parts(text)
    found: dict[str, str] = {}
    ends: dict[str, int] = {}
    first_start, last_end = len(text), 0
    for match in _COMPONENT.finditer(text):
        groups = {k: v for k, v in match.groupdict().items() if v is not None and k != "dash"}
        if "pair_a" in groups:
            groups = _pair(groups.pop("pair_a"), groups.pop("pair_b"), found)
        for key, value in groups.items():
            field = {"dash_b": "building", "dash_u": "unit", "dash_r": "room"}.get(key, key.split("_")[0])
            if field not in found:
                found[field] = value if key == "unit_side" else _to_arabic(value)  # "东单元": a side, no number
                ends[field] = match.end()
        first_start, last_end = min(first_start, match.start()), max(last_end, match.end())
    if "room" not in found:
        room, end = _bare_room(text, ends)
        if room is not None:
            found["room"], last_end = room, max(last_end, end)
    if not found:
        only = _BARE_ROOM_ONLY.fullmatch(text)
        if only:
            return Address(room=_to_arabic(only.group(1)))
        return Address(estate=_estate_without_components(text))
    estate = _estate_before(text[:first_start]) or _estate_after(text[last_end:])
    return Address(estate=estate, **found)


def _without_negated_parts(text: str) -> str:
    """`text` with each part said not to be it blanked out, with its negation, by a comma."""
    for match in reversed(list(_COMPONENT.finditer(text))):
        negation = _NEGATION.search(text, 0, match.start())
        if negation is not None:
            text = text[: negation.start()] + "," + text[match.end() :]
    return text


def _pair(first: str, second: str, found: dict[str, str]) -> dict[str, str]:
    """Two numbers joined by a dash: after the building ("3号楼2-501") the unit and the room;
    else the building and, by its length, the room ("3-501") or the unit ("3-2", its room to come)."""
    if "building" in found:
        return {"unit_pair": first, "room_pair": second}
    return {"building_pair": first, "room_pair" if len(second) >= 3 else "unit_pair": second}


def _bare_room(text: str, ends: dict[str, int]) -> tuple[str | None, int]:
    """Room given as a plain number right after the unit (or, with 3+ digits, the building)."""
    for field, min_digits in (("unit", 1), ("building", 3)):
        if field in ends:
            match = _BARE_ROOM.match(text, ends[field])
            if match and len(match.group("room")) >= min_digits:
                return _to_arabic(match.group("room")), match.end()
            return None, 0
    return None, 0


def _estate_before(lead: str) -> str | None:
    """Estate from the text before the first number marker."""
    clauses = [c.strip() for c in _SEPARATORS.split(lead)]
    if clauses[-1] and (estate := _clean(clauses[-1])):  # not a bare "是" before the building
        return None if _NO_NAME.fullmatch(estate) else estate
    # "Sunshine Garden, building 3": only trust an earlier clause that looks like an estate.
    earlier = [cleaned for c in clauses if (cleaned := _clean(c))]
    if earlier:
        return _looks_like_estate(earlier[-1], allow_title_case=True)
    return None


def _estate_after(tail: str) -> str | None:
    """Estate typed after the numbers ("room 301 building 3 unit 2 Sunshine Garden")."""
    clauses = [c for c in (c.strip() for c in _SEPARATORS.split(tail)) if c]
    return _looks_like_estate(_clean(clauses[0]), allow_title_case=True) if clauses else None


def _estate_without_components(text: str) -> str | None:
    """Estate found by its suffix (花园, 小区, Garden...) when no building/unit/room is given."""
    for clause in _SEPARATORS.split(text):
        up_to_suffix = _CN_UP_TO_SUFFIX.match(clause)
        candidate = _clean(up_to_suffix.group() if up_to_suffix else clause)
        if _looks_like_estate(candidate, allow_title_case=False):
            return candidate
    return None


def looks_like_estate(name: str) -> bool:
    """Whether `name` reads like an estate's (a suffix such as 花园 or Garden, or Title Case)."""
    return _looks_like_estate(name, allow_title_case=True) is not None


def _looks_like_estate(candidate: str, allow_title_case: bool) -> str | None:
    """`candidate` if it reads like an estate name rather than, say, a fault description."""
    if not candidate or re.fullmatch(_CN_SUFFIX, candidate) or _NO_NAME.fullmatch(candidate):
        return None
    if _CN_ESTATE_END.search(candidate) or _EN_ESTATE_END.search(candidate):
        return candidate
    if allow_title_case and _TITLE_WORDS.fullmatch(candidate):
        return candidate
    return None


def _clean(fragment: str) -> str:
    """Strip lead-in phrases, district/road prefixes and punctuation around an estate name."""
    estate = _CUE.sub("", fragment.strip(_TRIM)).lstrip(")）").strip(_TRIM)
    estate = _FILLER.sub("", _EN_FRONT.sub("", estate).strip(_TRIM)).strip(_TRIM)
    stripped = True
    while stripped:
        stripped = False
        for pattern in _PREFIX:
            match = pattern.match(estate)
            rest = estate[match.end() :].strip(_TRIM) if match else ""
            if len(rest) >= 2 and not re.fullmatch(_CN_SUFFIX, rest):
                estate, stripped = rest, True
                break
    estate = estate.removesuffix("的").strip(_TRIM)
    if _LATIN.search(estate) and len(estate.split()) >= 4:
        # "my mum is 82 lives alone at Riverside Park": the place is what follows the last "at";
        # "…in the stairwell of" names none.
        estate = _EN_LEAD_IN.sub("", estate).strip(_TRIM)
    if estate.endswith("小区") and _CN_ESTATE_END.search(estate[:-2]):
        estate = estate[:-2]
    return estate


def _to_arabic(token: str) -> str:
    """ "12" stays "12"; "十二" -> "12"; digit-by-digit readings such as "三零一" -> "301"."""
    if token.isascii():
        return token
    if "十" not in token and "百" not in token:
        return "".join(str(_CN_DIGITS[ch]) for ch in token)
    total, current = 0, 0
    for ch in token:
        if ch == "百":
            total, current = total + (current or 1) * 100, 0
        elif ch == "十":
            total, current = total + (current or 1) * 10, 0
        else:
            current = _CN_DIGITS[ch]
    return str(total + current)
