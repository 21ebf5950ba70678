"""The channels' own words come from the catalogs (bot/locale), and read as they always did: the
web chat's page in Chinese and English, the terminal chat's banner in English and Chinese."""

from __future__ import annotations

import base64
import hashlib
import io

import httpx
import pytest

from bot.channels import chat_page
from bot.channels.chat_page import render_chat_page
from bot.channels.terminal import run_terminal_chat
from bot.core.conversation.messages import say
from bot.core.text import catalog
from bot.core.text.catalog import LANGUAGES
from tests.harness import RunningApp


def test_the_web_chat_page_takes_its_words_from_both_catalogs(app: RunningApp) -> None:
    served = httpx.get(f"{app.base_url}/", timeout=30)
    assert served.status_code == 200 and served.headers["content-type"] == "text/html; charset=utf-8"
    page = served.text
    keys = [msgid for msgid in catalog.texts("zh") if msgid.startswith("webchat.")]
    assert len(keys) == 7
    for key in keys:
        for language in LANGUAGES:
            assert say(key, language) in page, (key, language)
    # As the page read when its words were written in it.
    assert "<title>在线客服 · Online hotline</title>" in page
    assert (
        "供热服务热线 · Heating hotline<small>报修 · 漏水 · 缴费 · 投诉 — repairs · leaks · billing · complaints (24h)"
        in page
    )
    assert 'placeholder="请输入您的问题 / Type your message"' in page and ">发送 Send</button>" in page
    assert 'show(replies.error || "出错了 / Something went wrong", "bot")' in page
    assert 'show("网络连接失败,请稍后再试。/ Network error, please try again.", "bot")' in page
    assert "{{" not in page and "{#" not in page and page.startswith("<!doctype html>\n")


def test_the_web_chat_page_escapes_the_catalogs_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation is text, never markup: in the HTML and inside the page's script alike."""
    monkeypatch.setattr(chat_page, "say", lambda key, language: f"</script><b>{language}'")
    page = render_chat_page()
    assert "<b>" not in page and page.count("</script>") == 1
    assert "&lt;/script&gt;&lt;b&gt;zh&#39; · &lt;/script&gt;&lt;b&gt;en&#39;" in page  # the title
    assert r'"\u003c/script\u003e\u003cb\u003ezh\u0027 / \u003c/script\u003e\u003cb\u003een\u0027"' in page


async def test_the_terminal_chat_opens_with_its_banner_in_english_and_chinese(app: RunningApp) -> None:
    out = io.StringIO()
    assert await run_terminal_chat(app.settings, io.StringIO(""), out, chat_id="banner-test") == 0
    assert out.getvalue() == "Type your message (Ctrl-D to quit). 请输入您的问题(Ctrl-D 退出)。\nyou> \n"
    assert out.getvalue().startswith(f"{say('terminal.banner', 'en')} {say('terminal.banner', 'zh')}\n")


def test_the_web_chat_page_runs_only_its_own_script_and_is_framed_by_no_other_site(app: RunningApp) -> None:
    served = httpx.get(f"{app.base_url}/", timeout=30)
    policy = served.headers["content-security-policy"]
    script = served.text.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'self'" in policy and served.headers["x-frame-options"] == "SAMEORIGIN"
    # The company's website may be allowed to show it (HOTLINE_CHAT_FRAME_ANCESTORS).
    allowed = chat_page.chat_page_headers(served.text, "https://www.example-heating.cn")
    assert allowed["Content-Security-Policy"].endswith("frame-ancestors 'self' https://www.example-heating.cn")
    assert "X-Frame-Options" not in allowed
