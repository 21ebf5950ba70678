"""Activating a model through Rasa's HTTP API while residents talk: nothing is dropped, a
conversation half-way through its form goes on with the new model, and roll-back works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.core.db import session_scope
from bot.core.models import ChatMessage, MessageStatus, ModelActivation
from bot.engine.processes import MODEL_FILE
from tests.conftest import Resident, ticket_code_in

pytestmark = pytest.mark.stack


def hotline(stack, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "HOTLINE_RASA_URL": f"http://127.0.0.1:{stack.rasa_port}"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env, timeout=400
    )


def serving(stack) -> str:  # type: ignore[no-untyped-def]
    return httpx.get(f"{stack.rasa_url}/status", params={"token": stack.rasa_token}, timeout=10).json()["model_file"]


def test_activate_and_roll_back_while_residents_talk(stack, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    candidate = tmp_path / "candidate-20261124.tar.gz"
    shutil.copy(MODEL_FILE, candidate)
    halfway = Resident(app.base_url)
    asked = halfway.say("阳光花园3号楼2单元301暖气不热")
    assert "电话" in asked[-1]["text"]  # inside the report form, waiting for the phone number

    chatty = Resident(app.base_url)
    answered: list[int] = []

    def keep_talking() -> None:
        for text in ["你好", "暖气费多少钱一平米", "谢谢", "你好", "how do I pay my bill?", "谢谢"]:
            answered.append(len(chatty.say(text)))

    talker = threading.Thread(target=keep_talking)
    talker.start()
    result = hotline(stack, "nlu", "activate", str(candidate), "--by", "admin-ann")
    talker.join(120)
    assert result.returncode == 0, result.stderr
    print(result.stdout)  # with -s: how long Rasa took to load the model
    assert "candidate-20261124" in serving(stack)
    assert len(answered) == 6 and all(answered)  # every message answered, none dropped
    with session_scope() as session:
        states = session.scalars(select(ChatMessage.status).where(ChatMessage.sender.like("web:%"),
                                                                  ChatMessage.direction == "in",
                                                                  ChatMessage.status == MessageStatus.RECEIVED)).all()  # fmt: skip
        assert not states

    # The half-way conversation goes on where it was, on the new model.
    assert "什么时间" in halfway.say("13812345678")[-1]["text"]
    summary = halfway.say("随时都可以")
    ticket_code_in(halfway.press(summary, "确认提交"))

    missing = hotline(stack, "nlu", "activate", str(tmp_path / "nope.tar.gz"))
    assert missing.returncode == 2 and "not a trained model file" in missing.stderr
    assert "candidate-20261124" in serving(stack)  # a refused activation changes nothing

    back = hotline(stack, "nlu", "rollback", "--by", "admin-ann")
    assert back.returncode == 0, back.stderr
    assert "candidate" not in serving(stack)
    listing = hotline(stack, "nlu", "activations").stdout
    assert listing.count("admin-ann") == 2 and "candidate-20261124" in listing
    with session_scope() as session:
        last = session.scalars(select(ModelActivation).order_by(ModelActivation.id.desc())).first()
        assert last is not None and last.model_path == str(MODEL_FILE.resolve()) and last.seconds > 0


def test_admin_activates_and_rolls_back_from_the_dashboard(stack, app) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from bot.engine.processes import MODELS
    from tests.staff import Staff, new_account

    name = f"candidates/dash-{uuid.uuid4().hex[:6]}.tar.gz"
    copy = MODELS / name
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(MODEL_FILE, copy)
    try:
        dispatcher = Staff(app.base_url, new_account("dispatcher"))
        assert dispatcher.get("/dashboard/nlu/models").status_code == 403
        assert dispatcher.post("/dashboard/nlu/models/activate", model=name).status_code == 403
        admin = Staff(app.base_url, new_account("admin"))
        page = admin.get("/dashboard/nlu/models").text
        assert name in page and "hotline.tar.gz" in page
        outside = admin.post("/dashboard/nlu/models/activate", model="../endpoints.yml")
        assert outside.status_code == 400 and "Pick one of the listed models" in outside.text
        done = admin.post("/dashboard/nlu/models/activate", model=name)
        assert done.status_code == 303 and copy.name in serving(stack)
        assert admin.username in admin.get("/dashboard/nlu/models").text  # the log names who
        back = admin.post("/dashboard/nlu/models/rollback")
        assert back.status_code == 303 and copy.name not in serving(stack)
    finally:
        copy.unlink()
