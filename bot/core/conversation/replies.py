"""What the bot says back: the same shape for every channel and for Rasa's answers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    # Channel hints from the actions, e.g. {"request": "phone"} (Telegram offers its contact button).
    custom: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "buttons": self.buttons}
