"""Terminal chat: the resident types, the bot answers; buttons are picked by their number."""

from __future__ import annotations

import getpass
from typing import TextIO

from bot.channels.relay import Relay
from bot.channels.worker_thread import off_the_loop
from bot.config import Settings
from bot.core.conversation.messages import say
from bot.core.conversation.replies import Reply


def render(replies: list[Reply], out: TextIO) -> list[dict[str, str]]:
    """Print replies; return the buttons of the last one so a number can pick them."""
    buttons: list[dict[str, str]] = []
    for reply in replies:
        out.write(f"bot> {reply.text}\n")
        buttons = reply.buttons
        for number, item in enumerate(buttons, start=1):
            out.write(f"     [{number}] {item['title']}\n")
    out.flush()
    return buttons


def banner() -> str:
    """What the terminal chat opens with, in English and in Chinese."""
    return f"{say('terminal.banner', 'en')} {say('terminal.banner', 'zh')}"


async def run_terminal_chat(settings: Settings, stdin: TextIO, out: TextIO, chat_id: str | None = None) -> int:
    relay = Relay(settings)
    chat_id = chat_id or getpass.getuser()
    out.write(f"{banner()}\n")
    buttons: list[dict[str, str]] = []
    try:
        while True:
            out.write("you> ")
            out.flush()
            line = await off_the_loop(stdin.readline)
            if not line:
                break
            text = line.strip()
            if text.isdigit() and 1 <= int(text) <= len(buttons):
                # A picked button sends the id the relay issued for it, as a press.
                replies = await relay.press("terminal", chat_id, buttons[int(text) - 1]["payload"])
            else:
                replies = await relay.handle("terminal", chat_id, text)
            buttons = render(replies, out)
            buttons = render(await relay.outbox("terminal", chat_id), out) or buttons
    finally:
        await relay.rasa.close()
    out.write("\n")
    return 0
