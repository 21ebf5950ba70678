"""Find and validate Chinese callback phone numbers typed by residents."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumberMatcher, PhoneNumberType

REGION = "CN"
CHINA_COUNTRY_CODE = 86

_KINDS = {PhoneNumberType.MOBILE: "mobile", PhoneNumberType.FIXED_LINE: "landline"}

# Fallback for numbers phonenumbers rejects (e.g. a landline without area code): we still
# want to hand them to check_phone so the bot can say *why* they are wrong.
# Seven digits is the shortest local landline, so room numbers and "3-2-301" never match.
_DIGIT = "[0-9０-９]"
_SEP = r"[ \u3000\-－.()（）]{0,2}"
_DIGIT_RUN = re.compile(rf"[+＋(（]?{_DIGIT}(?:{_SEP}{_DIGIT})*")
_MIN_FALLBACK_DIGITS = 7


@dataclass(frozen=True)
class PhoneCheck:
    """Outcome of validating a phone number; `reason` is set only when not ok."""

    ok: bool
    e164: str | None
    kind: str | None
    reason: str | None


# A number read out digit by digit in Chinese ("一三九一二三四五六七八", voice-to-text; 幺 is a
# spoken 1): seven or more such digits in a row, or in groups as people dictate them
# ("一三八 零五三三 一二七六", "零五三三-二八一五六六七").
_SPOKEN = "[零〇一二三四五六七八九幺两]"
SPOKEN_NUMBER = re.compile(rf"{_SPOKEN}{{3,}}(?:[ \u3000\-－]{{1,2}}{_SPOKEN}{{3,}})*")
_SPOKEN_AT_LEAST = 7
_SPOKEN_DIGITS = str.maketrans("零〇一二三四五六七八九幺两", "0012345678912")


def with_spoken_digits(text: str) -> str:
    """`text` with every number read out digit by digit in Chinese written in digits."""

    def digits(run: re.Match[str]) -> str:
        spoken = run.group()
        return spoken.translate(_SPOKEN_DIGITS) if len(re.findall(_SPOKEN, spoken)) >= _SPOKEN_AT_LEAST else spoken

    return SPOKEN_NUMBER.sub(digits, text)


# A heating account, card or customer number is no phone ("户号是1020334455" read as a Beijing
# landline left the resident unreachable): such numbers are blanked out before looking.
_NOT_A_PHONE = re.compile(
    r"(?:户号|用户号|用户编号|客户号|客户编号|缴费号|账号|帐号|卡号|编号|合同号|表号|"
    r"account(?: number| no\.?)?|customer(?: number| no\.?)?|card(?: number| no\.?)?)\s*(?:是|为|:|：|is)?\s*[\d\s-]{5,}",
    re.IGNORECASE,
)


# A number taken back in the same message is not the one to call: words after it take it back
# ("13811112222不对", "别打她的,打我的139…", "写错了"); words right before it refuse it ("不是138…",
# "别打我爱人的139…"). Only when another number is left.
_TAKES_BACK = re.compile(
    r"不对|错了|写错|打错|输错|作废|(?:别|不要|不用)打[她他这那]|不是我的|wrong|not mine|not that one", re.IGNORECASE
)
_REFUSES_NEXT = re.compile(
    r"(?:不是|别打|不要打|don't call|do not call|(?<![a-z])not)[^,，。;；!！\s]*$", re.IGNORECASE
)


def _numbers_meant(text: str) -> str:
    """`text` with account numbers, and numbers the resident took back, blanked out."""
    text = _NOT_A_PHONE.sub(lambda match: " " * len(match.group()), text)
    runs = [run for run in _DIGIT_RUN.finditer(text) if sum(ch.isdigit() for ch in run.group()) >= _MIN_FALLBACK_DIGITS]
    refused = set()
    for place, run in enumerate(runs):
        before = text[runs[place - 1].end() if place else 0 : run.start()]
        after = text[run.end() : runs[place + 1].start() if place + 1 < len(runs) else len(text)]
        refused_after = place + 1 < len(runs) and _REFUSES_NEXT.search(after)
        if _REFUSES_NEXT.search(before) or (_TAKES_BACK.search(after) and not refused_after):
            refused.add(place)
    if not refused or len(refused) == len(runs):
        return text
    for place in refused:
        run = runs[place]
        text = text[: run.start()] + " " * len(run.group()) + text[run.end() :]
    return text


def find_phone(text: str) -> str | None:
    """Return the first phone-looking substring of free text, exactly as typed, or None.

    A number phonenumbers accepts as valid wins; otherwise the first run of at least
    seven digits is returned so check_phone can explain what is wrong with it. An account or
    card number, named so, or a number taken back ("别打她的"), is none.
    """
    text = _numbers_meant(text)
    for match in PhoneNumberMatcher(text, REGION, leniency=Leniency.VALID):
        return match.raw_string
    for run in _DIGIT_RUN.finditer(text):
        if sum(ch.isdigit() for ch in run.group()) >= _MIN_FALLBACK_DIGITS:
            return run.group().strip(" \u3000-－.")
    return None


def valid_phones(text: str) -> list[str]:
    """Every valid number in free text, in E.164, each once, in the order written
    ("13812345678,或者打我爱人的13987654321": two ways to reach the resident)."""
    found: list[str] = []
    for match in PhoneNumberMatcher(_numbers_meant(text), REGION, leniency=Leniency.VALID):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if number not in found:
            found.append(number)
    return found


def check_phone(text: str) -> PhoneCheck:
    """Validate a Chinese mobile or landline (with area code) given alone or inside free text."""
    if not text or not text.strip():
        return _reject("empty")
    candidate = find_phone(text) or text.strip()
    try:
        number = phonenumbers.parse(candidate, REGION)
    except NumberParseException:
        return _reject("not_a_number")
    if number.country_code != CHINA_COUNTRY_CODE:
        return _reject("not_chinese")
    kind = _KINDS.get(phonenumbers.number_type(number))
    # Valid-but-unusual types (400/800 service lines, VoIP) cannot reach a resident at home.
    if not phonenumbers.is_valid_number(number) or kind is None:
        return _reject("invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneCheck(ok=True, e164=e164, kind=kind, reason=None)


def _reject(reason: str) -> PhoneCheck:
    """A failed check carrying a machine-readable reason."""
    return PhoneCheck(ok=False, e164=None, kind=None, reason=reason)
