"""Rasa and the action server are internal services (issue 11, point 3).

Both listen on loopback unless configured otherwise; Rasa's HTTP API needs its token and the
action server refuses calls without the shared secret. So neither another host nor a web page in
a dispatcher's browser (which may post to 127.0.0.1) can forge a ticket through the action
server, or read a conversation, start a turn or swap the model through Rasa's API.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import stat
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import psutil
import pytest
import yaml
from sqlalchemy import select

from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.core.db import session_scope
from bot.core.models import Ticket
from bot.engine.client import RasaClient
from bot.engine.processes import Stack, rasa_env
from tests.harness import free_port

# --- without the servers ------------------------------------------------------------------------


def test_tokens_are_derived_from_the_secret_key_unless_given(tmp_path: Path) -> None:
    one, other = Settings(secret_key="shared-key"), Settings(secret_key="shared-key", data_dir=tmp_path)
    # Two hosts with the same HOTLINE_SECRET_KEY agree on both tokens without more configuration.
    assert one.resolved_rasa_token() == other.resolved_rasa_token()
    assert one.resolved_action_token() == other.resolved_action_token()
    assert one.resolved_rasa_token() != one.resolved_action_token()  # one leaked token opens one door
    assert Settings(secret_key="another-key").resolved_rasa_token() != one.resolved_rasa_token()
    assert "shared-key" not in one.resolved_rasa_token() + one.resolved_action_token()
    given = Settings(secret_key="shared-key", rasa_token="rasa-given", action_token="action-given")
    assert (given.resolved_rasa_token(), given.resolved_action_token()) == ("rasa-given", "action-given")


def test_the_generated_secret_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    key = settings.resolved_secret_key()
    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) == 64 and Settings(data_dir=tmp_path / "var").resolved_secret_key() == key
    assert os.listdir(key_file.parent) == ["secret_key"]  # no temporary file left behind


def test_rasa_is_told_to_send_the_action_servers_secret() -> None:
    for name in ("endpoints.yml", "endpoints-redis.yml"):
        endpoint = yaml.safe_load((PROJECT_ROOT / name).read_text())["action_endpoint"]
        # Rasa's EndpointConfig sends `token` as the query parameter `token` (token_name's default).
        assert endpoint["token"] == "${HOTLINE_ACTION_TOKEN}" and "token_name" not in endpoint, name
    assert rasa_env(5055)["HOTLINE_ACTION_TOKEN"] == get_settings().resolved_action_token()


async def test_the_application_sends_the_token_to_rasas_api() -> None:
    """Through the client's real HTTP calls (the REST channel's own connections and httpx for the
    follow-ups' trigger), to a local stand-in that records what each request asked for."""
    seen: list[str] = []

    class Rasa(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.path)
            body = [{"text": "ok"}] if urlsplit(self.path).path.endswith("webhook") else {"messages": [{"text": "ok"}]}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Rasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = RasaClient(f"http://127.0.0.1:{server.server_address[1]}", 5, token="the-token")
        await client.send("web:a", "你好")
        await client.trigger("web:a", "EXTERNAL_followup", {})
        await client.close()
    finally:
        server.shutdown()
        server.server_close()
    webhook, trigger = (urlsplit(path) for path in seen)
    assert webhook.path == "/webhooks/rest/webhook" and trigger.path.endswith("/trigger_intent")
    assert parse_qs(trigger.query)["token"] == ["the-token"]
    assert "token" not in parse_qs(
        webhook.query
    )  # the channel route does not check it; it goes nowhere it is not needed


# --- the running servers ----------------------------------------------------------------------


def forged_ticket_call(description: str) -> dict:
    """What someone reaching the action server could send: "the resident confirmed this report"."""
    slots = {"category": "report_leak", "description": description, "address": "阳光花园3号楼2单元301",
             "phone": "13812345678", "callback_time": "随时", "confirmation": "yes", "anonymous": False}  # fmt: skip
    latest = {"text": "/affirm", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []}
    return {
        "next_action": "action_finish_intake",
        "sender_id": "web:forged",
        "version": "3.6.21",
        "domain": {},
        "tracker": {"sender_id": "web:forged", "slots": slots, "latest_message": latest, "events": [],
                    "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"},
    }  # fmt: skip


def tickets_described(description: str) -> list[Ticket]:
    with session_scope() as session:
        return list(session.scalars(select(Ticket).where(Ticket.description == description)))


@pytest.mark.stack
def test_the_action_server_refuses_a_forged_call_without_the_secret(stack: Stack) -> None:
    url = f"http://127.0.0.1:{stack.action_port}"
    description = f"forged-{uuid.uuid4().hex[:8]}"
    body = forged_ticket_call(description)
    for params in ({}, {"token": ""}, {"token": "wrong"}, {"token": stack.action_token[:-1]}):
        refused = httpx.post(f"{url}/webhook", json=body, params=params, timeout=10)
        assert refused.status_code == 403, refused.text
    assert tickets_described(description) == []  # nothing was written
    assert httpx.get(f"{url}/actions", timeout=10).status_code == 403
    assert httpx.options(f"{url}/webhook", timeout=10).status_code == 403
    assert httpx.get(f"{url}/health", timeout=10).status_code == 200  # says only "ok"

    # The same call with the secret, as Rasa makes it: the call was real and would have worked.
    accepted = httpx.post(f"{url}/webhook", json=body, params={"token": stack.action_token}, timeout=10)
    assert accepted.status_code == 200, accepted.text
    created = tickets_described(description)
    assert len(created) == 1 and created[0].code in json.dumps(accepted.json(), ensure_ascii=False)
    with session_scope() as session:  # no stray leak ticket for later tests (SLA clock, queues)
        session.delete(session.get_one(Ticket, created[0].id))


@pytest.mark.stack
def test_rasas_http_api_needs_the_token(stack: Stack) -> None:
    conversation = f"web:outsider-{uuid.uuid4().hex[:8]}"
    attempts = [
        ("GET", f"/conversations/{conversation}/tracker", None),
        ("POST", f"/conversations/{conversation}/trigger_intent", {"name": "greet"}),
        ("POST", f"/conversations/{conversation}/tracker/events", {"event": "slot", "name": "phone", "value": "1"}),
        ("PUT", "/model", {"model_file": str(PROJECT_ROOT / "models" / "other.tar.gz")}),
        ("POST", "/model/parse", {"text": "你好"}),
        ("GET", "/status", None),
    ]
    for token in (None, "wrong"):
        for method, path, body in attempts:
            params = {"token": token} if token else {}
            answer = httpx.request(method, stack.rasa_url + path, json=body, params=params, timeout=30)
            assert answer.status_code in (401, 403), (method, path, answer.status_code)
    good = {"token": stack.rasa_token}
    assert httpx.get(f"{stack.rasa_url}/status", params=good, timeout=10).status_code == 200
    assert (
        httpx.get(f"{stack.rasa_url}/conversations/{conversation}/tracker", params=good, timeout=10).status_code == 200
    )


def test_a_web_page_cannot_drive_rasas_chat_route_cross_site(stack: Stack) -> None:
    """A "simple" cross-site request (text/plain, no preflight) from any page open in a browser on
    this machine is refused; only JSON, which a browser sends cross-site only after a preflight
    Rasa never grants, reaches the conversation."""
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    body = '{"sender": "web:cross-site", "message": "/greet"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        refused = httpx.post(
            webhook, content=body, headers={"Content-Type": content_type, "Origin": "http://evil.example"}
        )
        assert refused.status_code == 415, (content_type, refused.status_code, refused.text)
        assert "access-control-allow-origin" not in refused.headers
    answered = httpx.post(webhook, json={"sender": "web:cross-site", "message": "你好"}, timeout=60)
    assert answered.status_code == 200 and answered.json()


def listening_addresses(process: psutil.Process) -> set[tuple[str, int]]:
    """Where a process and its children accept TCP connections."""
    found = set()
    for each in [process, *process.children(recursive=True)]:
        for connection in each.net_connections(kind="tcp"):
            if connection.status == psutil.CONN_LISTEN:
                found.add((connection.laddr.ip, connection.laddr.port))
    return found


def outside_address() -> str | None:
    """An address of this machine other hosts could connect to, if it has one."""
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not ipaddress.ip_address(address.address).is_loopback:
                return address.address
    return None


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.stack
def test_both_servers_listen_on_loopback_only_by_default(stack: Stack) -> None:
    for name, port in (("rasa", stack.rasa_port), ("actions", stack.action_port)):
        listening = listening_addresses(psutil.Process(stack.processes[name].pid))
        assert (("127.0.0.1", port)) in listening, (name, listening)
        assert all(ipaddress.ip_address(ip).is_loopback for ip, _ in listening), (name, listening)
        if (outside := outside_address()) is not None:
            assert not reachable(outside, port), f"{name} answers on {outside}:{port}"


@pytest.mark.stack
def test_no_token_on_a_command_line_or_in_a_log(stack: Stack) -> None:
    # Every user of the machine may read command lines (ps); logs travel to other people.
    httpx.get(f"{stack.rasa_url}/status", params={"token": stack.rasa_token}, timeout=10)
    httpx.get(f"http://127.0.0.1:{stack.action_port}/actions", params={"token": stack.action_token}, timeout=10)
    secrets = (stack.rasa_token, stack.action_token)
    for name in ("rasa", "actions"):
        command_line = " ".join(psutil.Process(stack.processes[name].pid).cmdline())
        assert not any(secret in command_line for secret in secrets), name
    for log in stack.log_dir.glob("*.log"):
        assert not any(secret in log.read_text(errors="replace") for secret in secrets), log.name


@pytest.fixture
def exposed_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A second Rasa and action server, started with both interface settings at 0.0.0.0."""
    with monkeypatch.context() as patch:
        patch.setenv("HOTLINE_RASA_INTERFACE", "0.0.0.0")
        patch.setenv("HOTLINE_ACTION_INTERFACE", "0.0.0.0")
        get_settings.cache_clear()
        exposed = Stack(rasa_port=free_port(), action_port=free_port(), log_dir=tmp_path / "logs")
    get_settings.cache_clear()  # the rest of the session keeps the default settings
    try:
        exposed.start()
        yield exposed
    finally:
        exposed.stop()


@pytest.mark.stack
def test_the_interface_settings_open_both_servers_to_other_hosts(exposed_stack: Stack) -> None:
    stack = exposed_stack
    assert (stack.rasa_interface, stack.action_interface) == ("0.0.0.0", "0.0.0.0")
    for name, port in (("rasa", stack.rasa_port), ("actions", stack.action_port)):
        assert ("0.0.0.0", port) in listening_addresses(psutil.Process(stack.processes[name].pid)), name
    outside = outside_address()
    if outside is None:
        pytest.skip("This machine has no address but loopback to connect to.")
    actions, rasa = f"http://{outside}:{stack.action_port}", f"http://{outside}:{stack.rasa_port}"
    # Reachable from other hosts now, and still only with the secrets.
    assert httpx.get(f"{actions}/actions", timeout=10).status_code == 403
    assert httpx.get(f"{actions}/actions", params={"token": stack.action_token}, timeout=10).status_code == 200
    assert httpx.get(f"{rasa}/status", timeout=10).status_code == 401
    assert httpx.get(f"{rasa}/status", params={"token": stack.rasa_token}, timeout=10).status_code == 200
    # A whole turn goes through: Rasa calls the action server with the secret.
    answer = httpx.post(f"{rasa}/webhooks/rest/webhook", json={"sender": "web:exposed", "message": "你好"}, timeout=60)
    assert answer.status_code == 200 and answer.json(), answer.text
