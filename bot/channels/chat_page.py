"""The web chat's page: bot/web/static/chat.html, with its words from the catalogs (bot/locale).

The page speaks to every resident in Chinese and English at once, as it always has: each text is
one msgid ("webchat.*"), shown as its Chinese text, then its English one. The page is filled in
once per process; Jinja escapes the texts (as JSON inside the script, with `tojson`).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, StrictUndefined

from bot.core.conversation.messages import say

PAGE = Path(__file__).resolve().parent.parent / "web" / "static" / "chat.html"


def both(key: str, between: str) -> str:
    """The text `key` in Chinese, `between`, then in English."""
    return f"{say(key, 'zh')}{between}{say(key, 'en')}"


def render_chat_page() -> str:
    environment = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    # The script's texts readable in the page's source, as written (tojson still escapes <, >, & and ').
    environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False}
    return environment.from_string(PAGE.read_text(encoding="utf-8")).render(both=both)
