"""The admins' NLU inbox: uncertain messages arrive from real conversations and refiled tickets,
are redacted, and become deduplicated training examples in Rasa's YAML."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import yaml
from sqlalchemy import select

from bot.core.conversation.inbox import normalised, redact
from bot.core.db import session_scope
from bot.core.models import Category, NluInboxItem
from bot.teaching.inbox import add_example, training_examples
from tests.staff import Staff, new_account
from tests.unit.test_dashboard import estate_name, make_ticket

NLU_DATA = Path(os.environ["HOTLINE_NLU_DATA_DIR"])


def test_personal_data_is_replaced_before_storing() -> None:
    text = "我电话 138-1234-5678 或 0533-1234567,身份证 37030319900101123X,邮箱 a.b@example.com,卡号 6222021234567890"
    clean = redact(text)
    for secret in ("1234-5678", "1234567", "37030319900101123X", "a.b@example.com", "6222021234567890"):
        assert secret not in clean
    assert "13800000000" in clean and "[身份证号]" in clean and "[email]" in clean and "[号码]" in clean
    # Testers' finding (R7): "我是幸福小区5号楼1单元202的…" said before "我要匿名" sat in the inbox. The
    # flat points at one household; the estate and building stay.
    assert redact("阳光花园3号楼2单元301暖气不热") == "阳光花园3号楼[单元][房号]暖气不热"
    assert "202" not in redact("嗯嗯 那个 王建国 就是我 5-1-202") and "王建国" not in redact(
        "嗯嗯 那个 王建国 就是我 5-1-202"
    )


def test_examples_file_keeps_rasa_layout(tmp_path: Path) -> None:
    target = tmp_path / "inbox.yml"
    add_example(target, "report_leak", "卫生间: 地漏往上冒水 #急")
    add_example(target, "complaint", "客服电话一直打不通")
    add_example(target, "report_leak", "楼上往下滴水")
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    blocks = {b["intent"]: b["examples"] for b in data["nlu"]}
    assert blocks["report_leak"] == "- 卫生间: 地漏往上冒水 #急\n- 楼上往下滴水\n"
    assert normalised("楼上往下滴水。") in training_examples(tmp_path)


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


def test_admin_browses_adds_edits_and_deletes_examples(app) -> None:  # type: ignore[no-untyped-def]
    admin = Staff(app.base_url, new_account("admin"))
    assert Staff(app.base_url, new_account("dispatcher")).get("/dashboard/nlu/examples").status_code == 403
    found = admin.get("/dashboard/nlu/examples", intent="report_leak", lang="zh", q="暖气片漏水").text
    assert "暖气片漏水了" in found and "zh.yml" in found

    marker = uuid.uuid4().hex[:6]
    added = admin.post(
        "/dashboard/nlu/examples", action="add", intent="complaint", text=f"客服{marker}态度太差 电话13912345678"
    )
    assert added.status_code == 303
    page = admin.get("/dashboard/nlu/examples", q=marker).text
    assert f"客服{marker}态度太差 电话13800000000" in page and "inbox.yml" in page  # redacted, in the inbox file
    twice = admin.post(
        "/dashboard/nlu/examples", action="add", intent="complaint", text=f"客服{marker}态度太差 电话13800000000"
    )
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
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "nlu", "inbox", *args], capture_output=True, text=True, timeout=60
        )

    assert marker in hotline().stdout
    wrong = hotline(str(item_id), "no_such_intent")
    assert wrong.returncode == 2 and "Unknown intent" in wrong.stderr
    done = hotline(str(item_id), "report_repair", "--by", "script")
    assert done.returncode == 0 and "Added to report_repair" in done.stdout
    assert marker in (NLU_DATA / "inbox.yml").read_text(encoding="utf-8") and marker not in hotline().stdout


def test_a_broken_data_file_is_a_page_naming_it_not_a_server_error(app) -> None:  # type: ignore[no-untyped-def]
    """The admins' NLU pages read Rasa's YAML files: one that is broken is named on the page, with
    what is wrong and where, for the admin to fix; the pages work again once it is fixed."""
    admin = Staff(app.base_url, new_account("admin"))
    domain = Path(os.environ["HOTLINE_DOMAIN_FILE"])
    for broken, pages, problem in (
        (NLU_DATA / "en.yml", ["/dashboard/nlu/examples"], "en.yml is not valid YAML (line"),
        (domain, ["/dashboard/nlu/examples", "/dashboard/nlu/inbox"], "domain.yml is not valid YAML (line"),
    ):
        good = broken.read_text(encoding="utf-8")
        broken.write_text(good + "\n - broken: [\n", encoding="utf-8")
        try:
            for path in pages:
                page = admin.get(path)
                assert page.status_code == 409 and problem in page.text, (path, page.status_code)
                assert page.headers["content-security-policy"].startswith("default-src 'self'")
            added = admin.post("/dashboard/nlu/examples", action="add", intent="complaint", text="客服态度太差了吧")
            assert added.status_code == 409 and problem in added.text
        finally:
            broken.write_text(good, encoding="utf-8")
        assert all(admin.get(path).status_code == 200 for path in pages)


def test_an_anonymous_tickets_words_never_reach_the_inbox_when_it_is_refiled(app) -> None:  # type: ignore[no-untyped-def]
    """R7: the admins' inbox feeds versioned training data; an anonymous report's words (with
    whatever redaction missed) are never offered there, refiled or not."""
    words = f"抄表员王某上门收了红包{uuid.uuid4().hex[:6]}"
    code = make_ticket(estate_name(), Category.COMPLAINT, description=words, anonymous=True)
    Staff(app.base_url, new_account("dispatcher")).act(code, "category", category="billing_query")
    with session_scope() as session:
        assert session.scalar(select(NluInboxItem).where(NluInboxItem.text.contains(words[-6:]))) is None
