"""The admins' NLU inbox: uncertain messages arrive from real conversations and refiled tickets,
are redacted, and become deduplicated training examples in Rasa's YAML."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.core.db import session_scope
from bot.core.models import Category, NluInboxItem
from bot.core.conversation.inbox import normalised, redact
from bot.teaching.inbox import add_example, training_examples
from tests.conftest import Resident
from tests.staff import Staff, new_account
from tests.test_dashboard import estate_name, make_ticket
from tests.unsure import unsure_message

NLU_DATA = Path(os.environ["HOTLINE_NLU_DATA_DIR"])


def test_personal_data_is_replaced_before_storing() -> None:
    text = "我电话 138-1234-5678 或 0533-1234567,身份证 37030319900101123X,邮箱 a.b@example.com,卡号 6222021234567890"
    clean = redact(text)
    for secret in ("1234-5678", "1234567", "37030319900101123X", "a.b@example.com", "6222021234567890"):
        assert secret not in clean
    assert "13800000000" in clean and "[身份证号]" in clean and "[email]" in clean and "[号码]" in clean
    assert redact("阳光花园3号楼2单元301暖气不热") == "阳光花园3号楼2单元301暖气不热"  # addresses stay


def test_examples_file_keeps_rasa_layout(tmp_path: Path) -> None:
    target = tmp_path / "inbox.yml"
    add_example(target, "report_leak", "卫生间: 地漏往上冒水 #急")
    add_example(target, "complaint", "客服电话一直打不通")
    add_example(target, "report_leak", "楼上往下滴水")
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    blocks = {b["intent"]: b["examples"] for b in data["nlu"]}
    assert blocks["report_leak"] == "- 卫生间: 地漏往上冒水 #急\n- 楼上往下滴水\n"
    assert normalised("楼上往下滴水。") in training_examples(tmp_path)


@pytest.mark.stack
def test_an_uncertain_message_reaches_the_inbox_and_is_annotated_once(stack, app, resident: Resident) -> None:  # type: ignore[no-untyped-def]
    marker = uuid.uuid4().hex[:6]
    message = unsure_message(f"http://127.0.0.1:{stack.rasa_port}", f" {marker} 打我 13912345678", avoid=())
    resident.say(message)
    with session_scope() as session:
        item = session.scalar(select(NluInboxItem).where(NluInboxItem.text.contains(marker)))
        assert item is not None, "the model was sure of a vague message"
        assert "13912345678" not in item.text and "13800000000" in item.text
        assert item.source in {"fallback", "low_confidence"} and item.predicted_intent
        item_id = item.id
    resident.say(message)  # said again: still one item
    with session_scope() as session:
        assert len(session.scalars(select(NluInboxItem).where(NluInboxItem.text.contains(marker))).all()) == 1

    dispatcher = Staff(app.base_url, new_account("dispatcher"))
    assert dispatcher.get("/dashboard/nlu/inbox").status_code == 403  # admins only
    admin = Staff(app.base_url, new_account("admin"))
    assert marker in admin.get("/dashboard/nlu/inbox").text
    bad = admin.post(f"/dashboard/nlu/inbox/{item_id}", intent="report_gas")
    assert bad.status_code == 400 and "Unknown intent" in bad.text
    assert admin.post(f"/dashboard/nlu/inbox/{item_id}", intent="report_repair").status_code == 303
    inbox = yaml.safe_load((NLU_DATA / "inbox.yml").read_text(encoding="utf-8"))
    examples = {b["intent"]: b["examples"] for b in inbox["nlu"]}["report_repair"]
    assert marker in examples and "13912345678" not in examples
    again = admin.post(f"/dashboard/nlu/inbox/{item_id}", intent="report_repair")
    assert again.status_code == 400 and "already handled" in again.text
    assert marker not in admin.get("/dashboard/nlu/inbox").text


@pytest.mark.stack
def test_refiled_ticket_goes_to_the_inbox_and_a_known_example_is_not_added_twice(app) -> None:  # type: ignore[no-untyped-def]
    existing = "暖气片漏水了"  # a training example already
    assert normalised(existing) in training_examples(NLU_DATA)
    code = make_ticket(estate_name(), Category.REPORT_REPAIR, description=existing)
    dispatcher = Staff(app.base_url, new_account("dispatcher"))
    dispatcher.act(code, "category", category="report_leak")
    with session_scope() as session:
        item = session.scalar(select(NluInboxItem).where(NluInboxItem.text == existing))
        assert item is not None and item.source == "category_corrected" and item.suggested_intent == "report_leak"
        item_id = item.id
    admin = Staff(app.base_url, new_account("admin"))
    before = (NLU_DATA / "inbox.yml").read_text(encoding="utf-8") if (NLU_DATA / "inbox.yml").exists() else ""
    reply = admin.post(f"/dashboard/nlu/inbox/{item_id}", intent="report_leak")
    assert reply.status_code == 303 and "Already" in reply.headers["location"].replace("+", " ")
    after = (NLU_DATA / "inbox.yml").read_text(encoding="utf-8") if (NLU_DATA / "inbox.yml").exists() else ""
    assert before == after


@pytest.mark.stack
def test_admin_browses_adds_edits_and_deletes_examples(app) -> None:  # type: ignore[no-untyped-def]
    admin = Staff(app.base_url, new_account("admin"))
    assert Staff(app.base_url, new_account("dispatcher")).get("/dashboard/nlu/examples").status_code == 403
    found = admin.get("/dashboard/nlu/examples", intent="report_leak", lang="zh", q="暖气片漏水").text
    assert "暖气片漏水了" in found and "zh.yml" in found

    marker = uuid.uuid4().hex[:6]
    added = admin.post("/dashboard/nlu/examples", action="add", intent="complaint", text=f"客服{marker}态度太差 电话13912345678")
    assert added.status_code == 303
    page = admin.get("/dashboard/nlu/examples", q=marker).text
    assert f"客服{marker}态度太差 电话13800000000" in page and "inbox.yml" in page  # redacted, in the inbox file
    twice = admin.post("/dashboard/nlu/examples", action="add", intent="complaint", text=f"客服{marker}态度太差 电话13800000000")
    assert twice.status_code == 400 and "exists already" in twice.text

    # Edit a hand-written file in place: its comments stay.
    boundaries = (NLU_DATA / "boundaries.yml").read_text(encoding="utf-8")
    edited = admin.post("/dashboard/nlu/examples", action="edit", file="boundaries.yml", intent="out_of_scope",
                        old="煤气费多少钱一方", text=f"煤气费多少钱一方{marker}")  # fmt: skip
    assert edited.status_code == 303
    after = (NLU_DATA / "boundaries.yml").read_text(encoding="utf-8")
    assert after.startswith(boundaries.split("nlu:")[0]) and f"    - 煤气费多少钱一方{marker}\n" in after
    assert len(after.splitlines()) == len(boundaries.splitlines())
    gone = admin.post("/dashboard/nlu/examples", action="delete", file="boundaries.yml", intent="out_of_scope",
                      old=f"煤气费多少钱一方{marker}")  # fmt: skip
    assert gone.status_code == 303 and marker not in (NLU_DATA / "boundaries.yml").read_text(encoding="utf-8")
    outside = admin.post("/dashboard/nlu/examples", action="delete", file="../rules.yml", intent="greet", old="hi")
    assert outside.status_code == 400 and "No training file" in outside.text


@pytest.mark.stack
def test_admin_adds_a_new_intent_with_its_answer(stack, app) -> None:  # type: ignore[no-untyped-def]
    from bot.config import get_settings
    from bot.teaching.inbox import known_intents
    from tests.test_actions_protocol import call_action, user_event

    settings = get_settings()
    name = f"ask_hours_{uuid.uuid4().hex[:4]}"
    admin = Staff(app.base_url, new_account("admin"))
    form = {"action": "add_intent", "name": name, "examples": "营业厅几点开门\n客服中心周末上班吗\nwhat are your opening hours",
            "answer_zh": "营业厅每天8:30到17:30开放。", "answer_en": "The service hall is open 8:30 to 17:30 every day."}  # fmt: skip
    bad = admin.post("/dashboard/nlu/examples", **{**form, "name": "Bad Name!"})
    assert bad.status_code == 400 and "lowercase" in bad.text
    few = admin.post("/dashboard/nlu/examples", **{**form, "examples": "营业厅几点开门"})
    assert few.status_code == 400 and "at least 3" in few.text
    assert admin.post("/dashboard/nlu/examples", **form).status_code == 303
    assert name in known_intents(settings.domain_file)
    domain = yaml.safe_load(settings.domain_file.read_text(encoding="utf-8"))
    assert "action_answer_custom" in domain["actions"] and len(domain["intents"]) == len(set(domain["intents"]))
    rules = yaml.safe_load(settings.rules_file.read_text(encoding="utf-8"))["rules"]
    assert {"intent": name} in rules[-1]["steps"] and {"action": "action_answer_custom"} in rules[-1]["steps"]
    examples = {b["intent"]: b["examples"] for b in yaml.safe_load((NLU_DATA / "inbox.yml").read_text(encoding="utf-8"))["nlu"]}
    assert "营业厅几点开门" in examples[name]
    again = admin.post("/dashboard/nlu/examples", **form)
    assert again.status_code == 400 and "exists already" in again.text

    # The action server answers the new intent at once, in the resident's language.
    event = user_event("营业厅几点开门", name)
    said = call_action(stack, "action_answer_custom", "营业厅几点开门", [(name, 1.0)], events=[event])
    assert said["responses"][0]["text"] == "营业厅每天8:30到17:30开放。"


def test_the_cli_lists_and_annotates_the_inbox() -> None:
    import subprocess
    import sys

    from bot.core.conversation.inbox import collect
    from bot.core.tickets.intake import utcnow

    marker = uuid.uuid4().hex[:6]
    with session_scope() as session:
        collect(session, f"暖气有点怪 {marker}", "low_confidence", utcnow(), predicted="out_of_scope", confidence=0.5)
        item_id = session.scalar(select(NluInboxItem.id).where(NluInboxItem.text.contains(marker)))

    def hotline(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", "nlu", "inbox", *args], capture_output=True, text=True, timeout=60)

    assert marker in hotline().stdout
    wrong = hotline(str(item_id), "no_such_intent")
    assert wrong.returncode == 2 and "Unknown intent" in wrong.stderr
    done = hotline(str(item_id), "report_repair", "--by", "script")
    assert done.returncode == 0 and "Added to report_repair" in done.stdout
    assert marker in (NLU_DATA / "inbox.yml").read_text(encoding="utf-8") and marker not in hotline().stdout
