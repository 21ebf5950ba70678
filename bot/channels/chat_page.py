"""The web chat's page: bot/web/static/chat.html, with its words from the catalogs (bot/locale).

The page speaks to every resident in Chinese and English at once, as it always has: each text is
one msgid ("webchat.*"), shown as its Chinese text, then its English one. The page is filled in
once per process; Jinja escapes the texts (as JSON inside the script, with `tojson`).
"""

from __future__ import annotations

import base64
import hashlib
import re
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


def chat_page_headers(page: str, frame_ancestors: str) -> dict[str, str]:
    """The page's own inline script and style, by their hashes, and nothing else may run or style
    it; only this site (and the sites `frame_ancestors` names, say the company's website) may
    show it in a frame, so no other page can dress it up and trick a resident into clicking."""
    hashes = {
        kind: " ".join(f"'sha256-{_digest(body)}'" for body in re.findall(rf"<{kind}>(.*?)</{kind}>", page, re.S))
        for kind in ("script", "style")
    }
    ancestors = " ".join(["'self'", *frame_ancestors.split()])
    headers = {
        "Content-Security-Policy": f"default-src 'self'; script-src {hashes['script']}; style-src {hashes['style']}; "
        f"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if not frame_ancestors.split():
        headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP's frame-ancestors
    return headers


def _digest(body: str) -> str:
    return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
