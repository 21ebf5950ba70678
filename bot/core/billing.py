"""Answers to common billing questions, read from the operator's billing file (R15)."""

from __future__ import annotations

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
