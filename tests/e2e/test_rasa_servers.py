"""Several Rasa servers (opt-in, HOTLINE_RASA_URLS): routing by resident, and shared conversations.

The default is one Rasa server keeping conversations in a SQL database; with endpoints-redis.yml
several servers share the tracker and lock store in Redis, so a conversation stays coherent
whichever server takes a turn.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml

from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.engine.client import RasaClient, pick_server
from bot.engine.processes import Stack
from tests.conftest import Resident, RunningApp, free_port, ticket_code_in
from tests.harness import start_rasa_at_once, worker_number


def test_one_url_is_the_default_and_a_list_overrides_it() -> None:
    assert Settings(rasa_url="http://a:5005").rasa_servers == ["http://a:5005"]
    assert Settings(rasa_url="http://a:5005", rasa_urls=" http://b:5005, http://c:5005 ,").rasa_servers == [
        "http://b:5005",
        "http://c:5005",
    ]


def test_a_resident_always_goes_to_the_same_server_and_residents_spread() -> None:
    senders = [f"web:{n:024x}" for n in range(1000)]
    assert all(pick_server(sender, 1) == 0 for sender in senders[:10])
    assert [pick_server(s, 2) for s in senders] == [pick_server(s, 2) for s in senders]
    # Stable across processes (no salted hash()): a fixed sender has a fixed server.
    assert pick_server("web:abc", 2) == int.from_bytes(hashlib.sha256(b"web:abc").digest()[:8], "big") % 2
    counts = Counter(pick_server(s, 3) for s in senders)
    assert set(counts) == {0, 1, 2} and min(counts.values()) > 250


async def test_client_sends_each_conversation_to_its_server() -> None:
    urls = ["http://rasa-a", "http://rasa-b"]
    seen: dict[str, list[str]] = {url: [] for url in urls}

    def server(url: str) -> httpx.MockTransport:
        def answer(request: httpx.Request) -> httpx.Response:
            sender = json.loads(request.content).get("sender") or request.url.path.split("/")[2]
            seen[url].append(sender)
            body = [{"text": "ok"}] if request.url.path.endswith("webhook") else {"messages": [{"text": "ok"}]}
            return httpx.Response(200, json=body)

        return httpx.MockTransport(answer)

    class Webhook:  # the REST channel's POST (bot.engine.client.RestWebhook)
        def __init__(self, url: str) -> None:
            self.url = url

        async def post(self, payload: dict) -> tuple[int, bytes]:
            seen[self.url].append(payload["sender"])
            return 200, json.dumps([{"text": "ok"}]).encode()

        def close(self) -> None:
            pass

    client = RasaClient(urls, 5)
    await client.close()
    client._clients = [httpx.AsyncClient(base_url=url, transport=server(url)) for url in urls]
    client._webhooks = [Webhook(url) for url in urls]  # type: ignore[list-item]
    senders = [f"web:{n}" for n in range(20)]
    for sender in senders:
        await client.send(sender, "你好")
        await client.trigger(sender, "followup", {})
        await client.send(sender, "13812345678")
    await client.close()
    for sender in senders:
        expected = urls[pick_server(sender, 2)]
        assert seen[expected].count(sender) == 3
    assert seen[urls[0]] and seen[urls[1]]


def redis_databases() -> tuple[int, int]:
    """The tracker and lock stores' Redis databases: endpoints-redis.yml's 1 and 2, and under
    pytest-xdist two of each worker's own (gw0: 3 and 4, gw1: 5 and 6, ...), as Redis has 16."""
    number = worker_number()
    if number is None:
        return 1, 2
    if 4 + 2 * number > 15:
        raise RuntimeError("Redis has 16 databases: the Redis tests run on at most 6 pytest-xdist workers.")
    return 3 + 2 * number, 4 + 2 * number


REDIS_DATABASES = redis_databases()


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_rasa_servers(stack, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two Rasa servers with endpoints-redis.yml, sharing the test stack's action server."""
    if not redis_reachable():
        # The scaling path is part of the product: a missing Redis is a broken machine, not a pass.
        pytest.fail("Redis is not reachable at 127.0.0.1:6379; start it (redis-server) and rerun.")
    folder: Path = tmp_path_factory.mktemp("redis-rasa")
    config = yaml.safe_load((PROJECT_ROOT / "endpoints-redis.yml").read_text())
    config["tracker_store"]["record_exp"] = 3600  # the test leaves nothing behind for long
    config["tracker_store"]["db"], config["lock_store"]["db"] = REDIS_DATABASES
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(config))
    servers = [
        Stack(
            rasa_port=free_port(), action_port=stack.action_port, log_dir=folder / f"rasa{n}", endpoints=str(endpoints)
        )
        for n in (1, 2)
    ]
    try:
        start_rasa_at_once(servers)
        for server in servers:
            assert "rasa" in server.processes and server.processes["rasa"].poll() is None, "a Rasa server did not start"
        yield [f"http://127.0.0.1:{server.rasa_port}" for server in servers]
    finally:
        for server in servers:
            server.stop()


@pytest.mark.stack
def test_one_conversation_alternating_between_two_servers_stays_coherent(two_rasa_servers: list[str]) -> None:
    sender = f"split-{uuid.uuid4().hex[:10]}"
    turns = ["阳光花园3号楼2单元301暖气不热", "13812345678", "下午", "/affirm"]
    replies: list[dict] = []
    for number, text in enumerate(turns):
        url = two_rasa_servers[number % 2]  # every other turn on the other server
        response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
        assert response.status_code == 200, response.text
        replies = response.json()
        assert replies, f"no answer to {text!r}"
    ticket_code_in(replies)  # the second server knew the address, phone and time from the first


@pytest.mark.stack
def test_residents_report_at_once_through_the_app_in_front_of_two_servers(two_rasa_servers: list[str]) -> None:
    app = RunningApp(two_rasa_servers[0], rasa_urls=",".join(two_rasa_servers))
    try:
        residents = [Resident(app.base_url) for _ in range(4)]

        async def report(resident: Resident) -> str:
            def run() -> str:
                for text in ["阳光花园3号楼2单元301暖气不热", "13812345678", "下午"]:
                    summary = resident.say(text)
                return ticket_code_in(resident.press(summary, "确认提交"))

            return await asyncio.to_thread(run)

        async def all_at_once() -> list[str]:
            return await asyncio.gather(*(report(r) for r in residents))

        assert len(set(asyncio.run(all_at_once()))) == len(residents)
    finally:
        app.stop()


@pytest.mark.stack
def test_an_anonymous_report_is_wiped_from_the_redis_tracker_store(two_rasa_servers: list[str]) -> None:
    """R7 on the scaling path: the phone typed before asking for anonymity is not kept in Redis."""
    import redis

    from tests.e2e.test_conversations import resident_sender_ref

    tracker_url = f"redis://localhost:6379/{REDIS_DATABASES[0]}"  # where the servers keep conversations
    app = RunningApp(two_rasa_servers[0], rasa_urls=",".join(two_rasa_servers), rasa_tracker_url=tracker_url)
    store = redis.Redis.from_url(tracker_url)
    try:
        resident = Resident(app.base_url)
        resident.say("阳光花园3号楼2单元301暖气不热")
        resident.say("13812345678")  # the phone is now in the conversation Rasa keeps
        sender_ref = resident_sender_ref(resident, app.settings)
        assert b"13812345678" in (store.get(f"tracker:{sender_ref}") or b"")  # so the check below can fail
        optin = resident.say("我要匿名")
        no_followup = optin[-1]["buttons"][-1]["title"]
        summary = resident.press(optin, no_followup)
        ticket_code_in(resident.press(summary, "确认提交"))
        assert store.get(f"tracker:{sender_ref}") is None
        assert "您好" in resident.say("你好")[0]["text"]  # the chat simply starts afresh
    finally:
        store.close()
        app.stop()


@pytest.mark.stack
def test_a_model_is_activated_on_every_server_and_rolled_back(two_rasa_servers: list[str], tmp_path: Path) -> None:
    import shutil

    from bot.core.db import session_scope
    from bot.core.tickets.intake import utcnow
    from bot.engine.processes import MODEL_FILE
    from bot.teaching.activation import activate, roll_back

    def served() -> list[str]:
        token = {"token": get_settings().resolved_rasa_token()}
        return [httpx.get(f"{url}/status", params=token, timeout=10).json()["model_file"] for url in two_rasa_servers]

    candidate = tmp_path / "candidate-both.tar.gz"
    shutil.copy(MODEL_FILE, candidate)
    with session_scope() as session:
        activate(session, two_rasa_servers, candidate, "admin", utcnow(), default_previous=MODEL_FILE)
    assert served() == [candidate.name] * 2  # Rasa names the file it serves
    with session_scope() as session:
        roll_back(session, two_rasa_servers, "admin", utcnow())
    assert served() == [MODEL_FILE.name] * 2
