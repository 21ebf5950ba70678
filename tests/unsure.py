"""Messages the live model cannot place. Which vague message a freshly trained model is unsure of
varies from training to training, so tests ask the model instead of hard-coding one."""

from __future__ import annotations

import httpx

from bot.config import get_settings

VAGUE = [
    "家里那玩意儿又罢工了", "那个东西又不行了", "老毛病又犯了你们管不管", "又出问题了咋整", "你们那个事到底怎么说",
    "上次说的那个还没弄好", "这个情况你们看着办吧", "那啥 就是那个 你懂的", "hmm the thing again", "same problem as before",
]  # fmt: skip


TICKET_INTENTS = ("report_leak", "report_repair", "billing_query", "complaint")


def unsure_message(rasa_url: str, suffix: str = "", avoid: tuple[str, ...] = TICKET_INTENTS) -> str:
    """The first vague message (with `suffix`) the model sends to the fallback or scores under
    0.7, and does not take for one of `avoid` (by default: nothing that starts a report)."""
    for text in VAGUE:
        message = f"{text}{suffix}"
        parsed = httpx.post(f"{rasa_url}/model/parse", json={"text": message}, timeout=30,
                            params={"token": get_settings().resolved_rasa_token()})  # fmt: skip
        intent = parsed.json()["intent"]
        if intent["name"] not in avoid and (intent["name"] == "nlu_fallback" or intent["confidence"] < 0.7):
            return message
    raise AssertionError("The live model is sure of every vague message; add vaguer ones to tests/unsure.py")
