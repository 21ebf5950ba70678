"""bot/engine/rasa_patches.py in the real Rasa: every patch fits the installed Rasa and does what
the function it replaces does, is active in the Rasa server the stack runs, and residents get
the same answers and leave the same stored conversation as with Rasa as released."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from bot.config import PROJECT_ROOT
from bot.engine.processes import MODEL_FILE, RASA_PYTHON, Stack
from bot.engine.rasa_patches import ENV, PATCHES
from tests.conftest import free_port
from tests.harness import start_rasa_at_once

NAMES = [patch.name for patch in PATCHES]


def test_every_patch_fits_the_installed_rasa_and_does_what_rasa_does() -> None:
    """tests/e2e/rasa_patches_check.py, in Rasa's environment: apply() applies every patch (the
    version and source guards pass), and each patched function gives Rasa's own results."""
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    result = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", "tests/e2e/rasa_patches_check.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["outcome"] == {name: "applied" for name in NAMES}
    for name in NAMES:
        assert report[name] == [], f"{name} differs from Rasa's own function: {report[name]}"
    assert result.returncode == 0


def rasa_log(stack: Stack) -> str:
    return (stack.log_dir / "rasa.log").read_text(errors="replace")


def say(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def connections_to(pid: int, port: int) -> set[int]:
    """Local ports of the process's established TCP connections to `port`."""
    return {
        c.laddr.port
        for c in psutil.Process(pid).net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    }


@pytest.mark.stack
def test_the_running_rasa_has_every_patch(stack: Stack) -> None:
    log = rasa_log(stack)
    for name in NAMES:
        assert f"rasa patch {name}: applied" in log, f"{name} is not active in the stack's Rasa"
    # action-server-session, seen from outside: the connection to the action server outlives
    # the call and the next turn's calls go through it (Rasa as released closes it every time).
    sender = f"patches-{uuid.uuid4().hex[:8]}"
    say(stack.rasa_url, sender, "阳光花园3号楼2单元301暖气不热")
    first = connections_to(stack.pid("rasa"), stack.action_port)
    assert len(first) == 1, first
    say(stack.rasa_url, sender, "13812345678")
    assert connections_to(stack.pid("rasa"), stack.action_port) == first


@pytest.fixture(scope="module")
def both(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Stack]]:
    """A patched and an unpatched Rasa server on one copy of the model (the project's file may
    be replaced meanwhile) and the stack's action server, each with a tracker database of its own."""
    folder: Path = tmp_path_factory.mktemp("patched-or-not")
    model = folder / "model.tar.gz"
    shutil.copy(MODEL_FILE, model)
    servers = {
        label: Stack(rasa_port=free_port(), action_port=stack.action_port, log_dir=folder / label, model=model,
                     env={ENV: setting, "HOTLINE_RASA_TRACKER_URL": f"sqlite:///{folder / label}-trackers.db"})
        for label, setting in (("patched", "all"), ("unpatched", "none"))
    }  # fmt: skip
    try:
        start_rasa_at_once(servers.values())
        for label, server in servers.items():
            assert "rasa" in server.processes and server.processes["rasa"].poll() is None, f"{label} did not start"
        assert all(f"rasa patch {name}: applied" in rasa_log(servers["patched"]) for name in NAMES)
        assert all(f"rasa patch {name}: not selected" in rasa_log(servers["unpatched"]) for name in NAMES)
        yield servers
    finally:
        for server in servers.values():
            server.stop()


# Conversations that run through every kind of turn: forms and their validation actions, the
# summary's buttons, safety advice, answers, anonymity, a ticket code, fallbacks and cancelling.
CONVERSATIONS = [
    ["阳光花园3号楼2单元301暖气不热", "13812345678", "下午", "/affirm"],
    ["我家暖气片漏水了,水流了一地", "幸福家园5号楼1单元202", "我要匿名", "/affirm"],
    ["my radiator is cold", "Sunshine Garden building 3 unit 2 room 301", "13812345678", "any time", "/cancel"],
    ["暖气费多少钱一平米", "怎么交费", "谢谢"],
    ["报修三天了都没人来", "阳光花园3号楼2单元301", "13900001111", "上午", "/affirm"],
    ["HL-ABCDEF 怎么样了", "你好", "今天天气怎么样", "asdfgh", "再见"],
]

CODE = re.compile(r"HL-[0-9A-Z]{6}")
VARYING = {"timestamp", "message_id", "latest_event_time", "latest_message_id"}


def normalised(value: Any, sender: str) -> Any:
    """What may differ between two runs of one conversation: times, ids, ticket codes."""
    if isinstance(value, dict):
        return {key: normalised(item, sender) for key, item in value.items() if key not in VARYING}
    if isinstance(value, list):
        return [normalised(item, sender) for item in value]
    if isinstance(value, str):
        return CODE.sub("HL-CODE", value.replace(sender, "SENDER"))
    return value


def stored_events(server: Stack, sender: str) -> list[Any]:
    response = httpx.get(
        f"{server.rasa_url}/conversations/{sender}/tracker", params={"token": server.rasa_token}, timeout=30
    )
    response.raise_for_status()
    return normalised(response.json()["events"], sender)


@pytest.mark.stack
def test_residents_get_the_same_answers_and_leave_the_same_conversation(both: dict[str, Stack]) -> None:
    run = uuid.uuid4().hex[:8]
    servers = both
    for number, turns in enumerate(CONVERSATIONS):
        senders = {"patched": f"same-{run}-{number}-p", "unpatched": f"same-{run}-{number}-u"}
        for text in turns:  # turn by turn on both, so both see the same tickets in the database
            replies = {label: say(servers[label].rasa_url, senders[label], text) for label in servers}
            assert normalised(replies["patched"], senders["patched"]) == normalised(
                replies["unpatched"], senders["unpatched"]
            ), f"conversation {number}, {text!r}"
        # The SQL tracker store kept the same events in the same order (read back by Rasa).
        events = {label: stored_events(servers[label], senders[label]) for label in servers}
        assert len(events["patched"]) > len(turns)
        assert events["patched"] == events["unpatched"], f"conversation {number}"
