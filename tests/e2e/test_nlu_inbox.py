"""The admins' NLU inbox: uncertain messages arrive from real conversations and refiled tickets,
are redacted, and become deduplicated training examples in Rasa's YAML."""

from __future__ import annotations

import uuid

import pytest
import yaml
from sqlalchemy import select

from bot.core.db import session_scope
from bot.core.models import NluInboxItem
from tests.conftest import Resident
from tests.staff import Staff, new_account
from tests.unit.test_nlu_inbox import NLU_DATA  # noqa: F401  (helpers and fixtures shared with the unit tests)
from tests.unsure import unsure_message


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
def test_admin_adds_a_new_intent_with_its_answer(stack, app) -> None:  # type: ignore[no-untyped-def]
    from bot.config import get_settings
    from bot.teaching.inbox import known_intents
    from tests.e2e.test_actions_protocol import call_action, user_event

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
    examples = {
        b["intent"]: b["examples"] for b in yaml.safe_load((NLU_DATA / "inbox.yml").read_text(encoding="utf-8"))["nlu"]
    }
    assert "营业厅几点开门" in examples[name]
    again = admin.post("/dashboard/nlu/examples", **form)
    assert again.status_code == 400 and "exists already" in again.text

    # The action server answers the new intent at once, in the resident's language.
    event = user_event("营业厅几点开门", name)
    said = call_action(stack, "action_answer_custom", "营业厅几点开门", [(name, 1.0)], events=[event])
    assert said["responses"][0]["text"] == "营业厅每天8:30到17:30开放。"
