"""Answers to common billing questions, read from the operator's billing file (R15)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.conversation.branding import installed_branding


@dataclass(frozen=True)
class BillingAnswer:
    topics: list[str]
    texts: list[str]
    is_dispute: bool


# The parts of a message, cut where it turns to another matter ("暖气不热,另外我想问一下账单…").
_CLAUSES = re.compile(r"[,,。.!!??;;\n]+|另外|还有|顺便|and also|\balso\b|\bby the way\b", re.IGNORECASE)
# Words of money: a part that has them is about the bill ("空房没暖气还要交费吗").
_MONEY = re.compile(
    r"费|钱|账单|帐单|缴|交|收据|发票|退费|退款|退钱|扣|价|欠|"
    r"\b(?:bills?|pay(?:ing|ment)?|charged?|charges|fees?|invoices?|refund|tariff|price|costs?|owe|owed|debt)\b",
    re.IGNORECASE,
)


def clauses_of(text: str) -> list[str]:
    return [clause.strip() for clause in _CLAUSES.split(text) if clause.strip()]


def about_money(clause: str) -> bool:
    return bool(_MONEY.search(clause))


# A part that asks ("为什么这么贵?", "why did my bill go up") rather than tells ("我交了钱的").
_ASKS = re.compile(
    r"[?？]|吗|为什么|为啥|怎么|咋|凭什么|多少|\b(?:why|how|what|when|is it|can i|could you)\b", re.IGNORECASE
)


def money_matter_in(text: str, billing_file: Path) -> str | None:
    """The part of a report's message that raises a bill for a person to check: a dispute, or a
    question about money the billing file cannot answer ("and why did my heating bill go up 40%
    this year?"); None when there is none, or when the file answers it (billing_answer_in)."""
    if (areas := disputed_area(text)) is not None:
        return areas
    for clause in clauses_of(text):
        if about_money(clause):
            answer = answer_billing(clause, "zh", billing_file)
            if answer.is_dispute or (not answer.topics and _ASKS.search(clause)):
                return clause
    return None


# An area with its unit: "89平", "120平米", "120 sqm", "90m²".
_AREA = re.compile(r"(\d+(?:\.\d+)?)\s*(?:平方米|平米|平方|平|㎡|m²|m2|sqm|sq\.?\s?m|square met(?:er|re)s?)", re.I)


def disputed_area(text: str) -> str | None:
    """The parts of a message about money that set two areas against each other ("我家明明89平,
    账单按120平收的", "calculated on 120 sqm but my flat is only 90 sqm"): the billed area is
    disputed, whatever words say so. None when there is no such pair."""
    if len({float(area) for area in _AREA.findall(text)}) < 2 or not about_money(text):
        return None
    return ", ".join(clause for clause in clauses_of(text) if _AREA.search(clause) or about_money(clause))


def billing_question_in(text: str, billing_file: Path) -> bool:
    """Whether a part of the message about money asks something the billing file knows of
    ("暖气片漏水了!还有你们的缴费方式有哪些": a leak, and a question to come back to)."""
    return billing_answer_in(text, "zh", billing_file) is not None


def billing_answer_in(text: str, language: str, billing_file: Path) -> BillingAnswer | None:
    """The billing file's answer to the part of the message about money, in `language`; None
    when no such part asks anything the file knows of."""
    for clause in clauses_of(text):
        if about_money(clause):
            answer = answer_billing(clause, language, billing_file)
            if answer.topics or answer.is_dispute:
                return answer
    return None


@lru_cache
def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        config: dict[str, Any] = yaml.safe_load(handle)
        return config


def answer_billing(text: str, language: str, billing_file: Path) -> BillingAnswer:
    """Find the answers of the billing file whose keywords occur in `text`, and whether it disputes a bill."""
    config = _load(billing_file)
    lowered = text.lower()
    values = dict(config.get("values", {}))
    if language == "en":
        values = {k: values.get(f"{k}_en", v) for k, v in values.items()}
    branding = installed_branding()
    values["company"] = branding.company_name if language == "zh" else branding.company_name_en
    is_dispute = any(word.lower() in lowered for word in config.get("dispute_keywords", []))
    topics: list[str] = []
    texts: list[str] = []
    for name, topic in config["topics"].items():
        if any(word.lower() in lowered for word in topic["keywords"]):
            topics.append(name)
            texts.append(topic.get(language, topic["zh"]).format(**values))
    return BillingAnswer(topics, texts, is_dispute)
