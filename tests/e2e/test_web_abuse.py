"""Bad input and abuse of the web chat and the sign-in, against the real running application
(real Rasa and action server): each test is the attack, and shows that it fails."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from bot.config import get_settings
from bot.core.models import MessageStatus
from tests.browser import browser  # noqa: F401  (fixture)
from tests.conftest import Resident, RunningApp
from tests.harness import issued_chat_id
from tests.unit.test_web_abuse import stored_in  # noqa: F401  (helpers and fixtures shared with the unit tests)

pytestmark = pytest.mark.stack


# -- bodies: refused before they are buffered --------------------------------------------------


def test_a_message_over_the_length_limit_is_answered_but_not_stored_whole(resident: Resident) -> None:
    limit = get_settings().max_message_chars
    reply = resident.say_text("暖" * (limit * 5))
    assert "没有保存" in reply and str(limit * 5) in reply and str(limit) in reply
    assert all(len(message.text) <= limit for message in stored_in(resident.sender))
    assert "工号" in resident.say_text("你好")  # the chat goes on


def test_a_gas_smell_told_at_length_gets_its_advice_and_its_report(resident: Resident) -> None:
    """Over the length limit, a leak or gas is not refused: its first part is read (R1)."""
    limit = get_settings().max_message_chars
    message = "家里煤气味很重,我头晕,阳光花园3号楼2单元301," + "请快点来人!" * 170
    reply = resident.say_text(message)
    assert "燃气" in reply and "通风" in reply, reply  # the gas advice
    assert "电话" in reply and str(limit) in reply  # the report goes on; the cut is said
    assert any(message.startswith(stored.text[:200]) for stored in stored_in(resident.sender))


# -- the chat's identity: issued by the server ---------------------------------------------------


def test_a_chat_id_the_server_did_not_issue_is_refused(app: RunningApp) -> None:
    with httpx.Client(base_url=app.base_url) as client:
        issued = issued_chat_id(client)
        tampered = issued[:-1] + ("A" if issued[-1] != "A" else "B")
        for made_up in ("resident-123", "web-3f1c0d1e-8a4b-4c55-9a61-0d2f3a1b7c9e", tampered):
            refused = client.post("/api/chat", json={"sender": made_up, "message": "你好"})
            assert refused.status_code == 403 and "not issued" in refused.json()["error"]
            assert client.get("/api/chat/updates", params={"sender": made_up}).status_code == 403
            assert stored_in(made_up) == []
        answered = client.post("/api/chat", json={"sender": issued, "message": "你好"})
    assert answered.status_code == 200 and "工号" in answered.json()[0]["text"]


def test_another_worker_with_the_same_key_accepts_the_id_and_one_with_another_key_does_not(
    app: RunningApp,
    stack,  # type: ignore[no-untyped-def]
) -> None:
    with httpx.Client(base_url=app.base_url) as client:
        chat_id = issued_chat_id(client)
    rasa = f"http://127.0.0.1:{stack.rasa_port}"
    same_key, other_key = RunningApp(rasa), RunningApp(rasa, secret_key="another-deployment-entirely")
    try:
        answered = httpx.post(f"{same_key.base_url}/api/chat", json={"sender": chat_id, "message": "你好"}, timeout=30)
        assert answered.status_code == 200 and "工号" in answered.json()[0]["text"]
        refused = httpx.post(f"{other_key.base_url}/api/chat", json={"sender": chat_id, "message": "你好"}, timeout=30)
        assert refused.status_code == 403
    finally:
        same_key.stop()
        other_key.stop()


def test_the_chat_page_gets_its_id_from_the_server_and_keeps_it_across_a_reload(app, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser.new_context().new_page()

    def greeted_id() -> str:  # the page greets on every load, under its chat id
        page.wait_for_selector(".msg.bot")
        return page.evaluate("localStorage.getItem('hotline-chat-id')")

    page.goto(app.base_url)
    chat_id = greeted_id()
    assert len(stored_in(chat_id)) == 1  # accepted, so issued by the server
    page.reload()
    assert greeted_id() == chat_id and len(stored_in(chat_id)) == 2  # the same conversation
    page.evaluate("localStorage.setItem('hotline-chat-id', 'web-chosen-by-the-page')")  # kept from an older page
    page.reload()
    replaced = greeted_id()
    assert replaced not in (chat_id, "web-chosen-by-the-page") and len(stored_in(replaced)) == 1
    assert "工号" in page.inner_text(".msg.bot")


# -- pace: slowed down, nothing lost -------------------------------------------------------------


@pytest.fixture
def paced_app(stack) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    """The application with a tight pace, and its retry job every second (it answers what was
    kept for later)."""
    running = RunningApp(f"http://127.0.0.1:{stack.rasa_port}", chat_messages_per_minute=2,
                         chat_client_messages_per_minute=5, retry_pending_every_seconds=1)  # fmt: skip
    yield running
    running.stop()


def wait_for_updates(client: httpx.Client, chat_id: str, count: int, seconds: float = 60) -> list[dict]:
    received: list[dict] = []
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        received += client.get("/api/chat/updates", params={"sender": chat_id}).json()
        time.sleep(0.5)
    return received


def test_a_chat_over_its_pace_is_kept_and_answered_later_and_a_flood_is_told_to_resend(paced_app: RunningApp) -> None:
    with httpx.Client(base_url=paced_app.base_url, timeout=30) as client:
        chat_id = issued_chat_id(client)
        answers = [client.post("/api/chat", json={"sender": chat_id, "message": "你好"}) for _ in range(7)]
        assert all(answer.status_code == 200 for answer in answers[:6])
        assert not any("请稍等" in r["text"] for answer in answers[:2] for r in answer.json())  # within the pace
        kept = [answer.json()[0]["text"] for answer in answers[2:6]]  # over it: kept, answered later
        assert all("您发得有点快" in text and "已保存" in text for text in kept)
        flood = answers[6]  # far over it: not kept, and the resident is told to send it again
        assert flood.status_code == 429 and int(flood.headers["Retry-After"]) > 0
        assert "请等" in flood.json()["error"] and "重新发送" in flood.json()["error"]
        later = wait_for_updates(client, chat_id, 4)
    assert len([reply for reply in later if "工号" in reply["text"]]) == 4  # each kept greeting answered
    stored = stored_in(chat_id)
    assert [message.text for message in stored] == ["你好"] * 6  # all but the flood
    assert all(message.status is MessageStatus.PROCESSED for message in stored)


def test_a_leak_from_a_chat_over_its_pace_is_answered_at_once(paced_app: RunningApp) -> None:
    """R1: the safety advice never waits behind the chat's earlier messages."""
    transport = httpx.HTTPTransport(local_address="127.0.0.5")  # an address no other test uses
    with httpx.Client(base_url=paced_app.base_url, timeout=30, transport=transport) as client:
        chat_id = issued_chat_id(client)
        greetings = [client.post("/api/chat", json={"sender": chat_id, "message": "你好"}) for _ in range(3)]
        assert "您发得有点快" in greetings[2].json()[0]["text"]  # over the pace: kept for later
        burst = client.post("/api/chat", json={"sender": chat_id, "message": "救命 暖气管爆了 水喷得到处都是"})
    answered = "\n".join(reply["text"] for reply in burst.json())
    assert burst.status_code == 200 and "阀门" in answered and "您发得有点快" not in answered, answered


def test_after_a_burst_the_gas_advice_comes_first_not_behind_the_answers_to_the_burst(paced_app: RunningApp) -> None:
    """Attacker's finding (R1): after 60 quick messages, "有煤气味,很浓!" was answered by 40 copies of
    "我帮不上忙" (the kept messages, answered first) and only then by the gas advice."""
    transport = httpx.HTTPTransport(local_address="127.0.0.7")  # an address no other test uses
    with httpx.Client(base_url=paced_app.base_url, timeout=60, transport=transport) as client:
        chat_id = issued_chat_id(client)
        for n in range(5):  # over the chat's pace of 2 a minute: kept, to be answered before the next
            client.post("/api/chat", json={"sender": chat_id, "message": f"哈哈{n}"})
        gas = client.post("/api/chat", json={"sender": chat_id, "message": "有煤气味,很浓!"})
    texts = [reply["text"] for reply in gas.json()]
    assert gas.status_code == 200 and "燃气" in texts[0], texts
    assert len(texts) == len(set(texts)), texts  # the same answer to each junk message is said once


def test_a_leak_from_a_flooded_address_is_answered_and_its_report_goes_on(paced_app: RunningApp) -> None:
    """Tester's finding (R1): after a flood from one address (a shared carrier address, or an
    attacker), a new chat's "暖气片漏水了" got a 429 and no safety advice, and its address waited."""
    transport = httpx.HTTPTransport(local_address="127.0.0.6")  # an address no other test uses
    with httpx.Client(base_url=paced_app.base_url, timeout=30, transport=transport) as client:
        flood = (
            client.post("/api/chat", json={"sender": issued_chat_id(client), "message": "你好"}) for _ in range(30)
        )
        assert any(answer.status_code == 429 for answer in flood)  # far over the address's pace of 5 a minute
        chat_id = issued_chat_id(client)
        leak = client.post("/api/chat", json={"sender": chat_id, "message": "暖气片漏水了,水喷出来了!"})
        address = client.post("/api/chat", json={"sender": chat_id, "message": "阳光花园3号楼2单元301"})
    advice = "\n".join(reply["text"] for reply in leak.json())
    assert leak.status_code == 200 and "阀门" in advice, advice
    asked = "\n".join(reply["text"] for reply in address.json())
    assert address.status_code == 200 and "您发得有点快" not in asked and "电话" in asked, asked


def test_one_address_over_its_pace_is_slowed_whatever_chat_ids_it_uses(paced_app: RunningApp) -> None:
    transport = httpx.HTTPTransport(local_address="127.0.0.4")  # an address no other test uses
    with httpx.Client(base_url=paced_app.base_url, timeout=30, transport=transport) as client:
        fresh_ids = [issued_chat_id(client) for _ in range(7)]  # a new chat for every message
        answers = [client.post("/api/chat", json={"sender": chat_id, "message": "你好"}) for chat_id in fresh_ids]
    assert all("工号" in answer.json()[0]["text"] for answer in answers[:5])
    assert all("您发得有点快" in answer.json()[0]["text"] for answer in answers[5:7])
    with httpx.Client(base_url=paced_app.base_url, timeout=30) as elsewhere:  # another address: unaffected
        other = elsewhere.post("/api/chat", json={"sender": issued_chat_id(elsewhere), "message": "你好"})
    assert "工号" in other.json()[0]["text"]


def test_a_made_up_forwarded_for_header_does_not_make_one_address_many(paced_app: RunningApp) -> None:
    """Attacker's finding: from the machine itself (127.0.0.1, which uvicorn trusts by default), a
    new X-Forwarded-For on every message dodged the per-address pace. No proxy is believed unless
    HOTLINE_TRUSTED_PROXIES names it."""
    transport = httpx.HTTPTransport(local_address="127.0.0.1")
    with httpx.Client(base_url=paced_app.base_url, timeout=30, transport=transport) as client:
        answers = [
            client.post(
                "/api/chat",
                json={"sender": issued_chat_id(client), "message": "你好"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )  # fmt: skip
            for n in range(7)
        ]
    assert all("您发得有点快" in answer.json()[0]["text"] for answer in answers[5:7])


# -- sign-in: a stranger cannot lock a dispatcher out ---------------------------------------------
