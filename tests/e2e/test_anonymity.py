"""R7 everywhere (issue 11, point 4): a whistle-blower types an address and a phone, then says
我要匿名 and files the complaint. Nothing typed in that conversation that identifies them may stay
behind: not in the transcript, the NLU inbox, the ticket, the SQLite files (free pages and
write-ahead log included), Rasa's tracker store, a log, the dispatchers' group or a CSV export;
and a complaint made anonymously is not asked for a room number."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import random
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.intake import ValidateTicketForm, intake_start_events
from actions.unit_of_work import ActionCall, current
from bot.channels.relay import Relay
from bot.config import Settings, get_settings
from bot.core.conversation.inbox import collect, redact
from bot.core.conversation.privacy import forget_conversation, forget_sender, is_anonymous_pseudonym
from bot.core.conversation.transcript import transcript_of
from bot.core.db import flush_wal, make_engine, session_scope, sqlite_file
from bot.core.models import Category, ChatMessage, NluInboxItem, Ticket, TicketEvent
from bot.core.text.address import Address
from bot.core.text.redaction import redact_identifiers
from bot.core.tickets.intake import TicketDraft, create_ticket, get_ticket_by_code, utcnow
from bot.core.tickets.notices import ticket_notice
from bot.dashboard.exports import EXPORT_FIELDS, export_rows
from bot.dashboard.queue import QueueFilter
from bot.migrate import upgrade
from tests.conftest import POSTGRES_URL, Resident, ticket_code_in
from tests.e2e.test_conversations import confirm, ticket, ticket_count
from tests.harness import AppProcess
from tests.staff import Staff, new_account

NOW = utcnow()
CHANNEL = "web"


def unique_mobile() -> str:
    """A Chinese mobile number no other test types: the raw files are searched for it."""
    return "139" + "".join(random.choices("0123456789", k=8))


def files_holding(needles: list[str], paths: list[Path]) -> dict[str, list[str]]:
    """Which needle is in which file's raw bytes (free pages, -wal and -journal included).

    Read by a child process, never by this one: closing any descriptor of a SQLite file drops
    the POSIX locks this process's connections hold on it, and another process closing its last
    connection then believes it is alone, checkpoints and deletes the -wal and -shm files under
    them. Every later statement of this process then fails with "disk I/O error" or loses writes
    (what sank the first attempt at this issue, whose scan read the files right here)."""
    candidates = [str(p) + suffix for p in paths for suffix in ("", "-wal", "-journal")]
    script = (
        "import json, os, sys\n"
        "needles, paths = json.loads(sys.argv[1])\n"
        "found = {}\n"
        "for path in paths:\n"
        "    if os.path.exists(path):\n"
        "        data = open(path, 'rb').read()\n"
        "        hits = [n for n in needles if n.encode() in data]\n"
        "        if hits: found[path] = hits\n"
        "print(json.dumps(found))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, json.dumps([needles, candidates])],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout)


def chat_row(session: Session, sender: str, direction: str, words: str, minutes: int) -> ChatMessage:
    row = ChatMessage(channel=CHANNEL, sender=sender, direction=direction, text=words,
                      created_at=NOW + timedelta(minutes=minutes))  # fmt: skip
    session.add(row)
    session.flush()
    return row


def named_ticket(session: Session, sender: str, minutes: int) -> Ticket:
    draft = TicketDraft(category=Category.REPORT_REPAIR, description="暖气不热", channel=CHANNEL, language="zh",
                        address=Address("阳光花园", "3", "2", "301"), phone="+8613812345678", sender_ref=sender)  # fmt: skip
    return create_ticket(session, draft, get_settings(), now=NOW + timedelta(minutes=minutes))


def anonymous_ticket(session: Session, **fields: object) -> Ticket:
    values: dict[str, object] = dict(category=Category.COMPLAINT, subcategory="whistleblowing", channel=CHANNEL,
                                     language="zh", anonymous=True, description="收费员收了现金不给收据")  # fmt: skip
    values.update(fields)
    return create_ticket(session, TicketDraft(**values), get_settings())  # type: ignore[arg-type]


def every_stored_text(session: Session) -> str:
    """Every value of every table, as text: what a database dump would show."""
    dumped = []
    for table in inspect(session.get_bind()).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            dumped.append(" ".join(str(value) for value in row))
    return "\n".join(dumped)


# -- one set of redaction rules ---------------------------------------------------------------


def test_identifiers_are_redacted_and_addresses_kept() -> None:
    typed = ("我叫王建国,电话 139-1234-5678,座机0533-7654321,身份证37030319900101123X,"
             "卡号6222 0212 3456 7890,邮箱 wang@example.com,住阳光花园3号楼2单元301")  # fmt: skip
    clean = redact_identifiers(typed)
    for secret in ("王建国", "1234-5678", "7654321", "37030319900101123X", "6222 0212", "wang@example.com"):
        assert secret not in clean, clean
    assert "阳光花园3号楼2单元301" in clean
    assert "[姓名]" in clean and "[电话]" in clean and "[身份证号]" in clean and "[号码]" in clean
    assert "[姓名]" in redact_identifiers("Hi, my name is John Smith.") and "John" not in redact_identifiers(
        "my name is John"
    )


def test_the_nlu_inbox_uses_the_same_rules() -> None:
    clean = redact("我叫王建国 13912345678")
    assert "王建国" not in clean and "13800000000" in clean  # the inbox keeps a phone the model still reads as one


# -- the transcript, on SQLite and PostgreSQL ---------------------------------------------------


def test_an_anonymous_reports_messages_are_redacted_under_a_pseudonym_of_their_own(db_session: Session) -> None:
    chat = f"web:{uuid.uuid4().hex[:24]}"
    phone = unique_mobile()
    typed = [("in", "报修三天了都没人来,我要投诉"), ("in", "阳光花园3号楼2单元301"), ("in", phone),
             ("out", f"请核对以下信息:\n联系电话:+86{phone}"), ("in", "我要匿名,我叫王建国,邮箱 wang@example.com"),
             ("in", "身份证37030319900101123X,卡号6222021234567890")]  # fmt: skip
    for minute, (direction, words) in enumerate(typed):
        chat_row(db_session, chat, direction, words, minute)

    first = forget_sender(db_session, CHANNEL, chat)
    db_session.commit()

    rows = db_session.scalars(select(ChatMessage).where(ChatMessage.sender == first).order_by(ChatMessage.id)).all()
    assert len(rows) == len(typed)
    kept = "\n".join(row.text for row in rows)
    assert "阳光花园3号楼2单元301" in kept  # the address is the report's, not an identifier of the chat
    assert is_anonymous_pseudonym(first) and first not in ("anonymous", chat)
    dump = every_stored_text(db_session)  # the whole database, not only the transcript
    for secret in (phone, "王建国", "wang@example.com", "37030319900101123X", "6222021234567890", chat):
        assert secret not in dump, secret

    chat_row(db_session, chat, "in", "我要匿名举报", 10)
    second = forget_sender(db_session, CHANNEL, chat)
    assert second != first  # two anonymous reports are not linked to each other either


def test_a_named_tickets_transcript_keeps_its_messages_and_gets_none_of_the_anonymous_one(db_session: Session) -> None:
    chat = f"web:{uuid.uuid4().hex[:24]}"
    chat_row(db_session, chat, "in", "阳光花园3号楼2单元301暖气不热", 0)
    chat_row(db_session, chat, "in", "13812345678", 1)
    named_ticket(db_session, chat, 2)
    chat_row(db_session, chat, "out", "已为您登记,工单编号:HL-222222。", 3)  # the named ticket's receipt
    phone = unique_mobile()
    chat_row(db_session, chat, "in", f"还有件事要举报,我电话{phone}", 4)
    chat_row(db_session, chat, "in", "我要匿名", 5)

    anonymous = forget_sender(db_session, CHANNEL, chat)
    chat_row(db_session, chat, "in", "谢谢", 6)  # the chat goes on, under its own pseudonym

    named_transcript = db_session.scalars(select(ChatMessage.text).where(ChatMessage.sender == chat)).all()
    assert named_transcript == [
        "阳光花园3号楼2单元301暖气不热",
        "13812345678",
        "已为您登记,工单编号:HL-222222。",
        "谢谢",
    ]
    anonymous_rows = db_session.scalars(select(ChatMessage.text).where(ChatMessage.sender == anonymous)).all()
    assert len(anonymous_rows) == 2 and not any(phone in row for row in anonymous_rows)


def test_the_nlu_inbox_drops_what_came_from_the_anonymous_report(db_session: Session) -> None:
    chat = f"web:{uuid.uuid4().hex[:24]}"
    marker = uuid.uuid4().hex[:8]
    unsure = f"收费员王某 {marker} 找我要好处费 {unique_mobile()}"
    chat_row(db_session, chat, "in", unsure, 0)
    collect(db_session, unsure, "fallback", NOW)
    collect(db_session, f"别人的话 {marker}", "fallback", NOW)

    forget_sender(db_session, CHANNEL, chat)

    left = db_session.scalars(select(NluInboxItem.text).where(NluInboxItem.text.contains(marker))).all()
    assert left == [f"别人的话 {marker}"]


def test_errors_and_logs_show_no_statement_parameters(db_session: Session, caplog: pytest.LogCaptureFixture) -> None:
    phone = unique_mobile()
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement is logged
    chat_row(db_session, "web:x", "in", f"我电话{phone}", 0)
    # A statement the database refuses; its own message names only the missing ticket's id.
    db_session.add(TicketEvent(ticket_id=999_999, at=NOW, actor=phone, kind="note", detail={}))
    with pytest.raises(IntegrityError) as refused:
        db_session.flush()
    db_session.rollback()
    assert "INSERT INTO chat_messages" in caplog.text  # so the check below can fail
    assert phone not in caplog.text and phone not in str(refused.value)


# -- the ticket, the dispatchers' group, the CSV export --------------------------------------


def test_an_anonymous_ticket_keeps_no_identifier_in_its_words(db_session: Session) -> None:
    phone = unique_mobile()
    ticket = anonymous_ticket(db_session, description=f"收费员收了现金不给收据,我电话{phone},我叫王建国",
                              address_raw=f"阳光花园3号楼 {phone}", address=Address("阳光花园", "3"))  # fmt: skip
    assert phone not in ticket.description and "王建国" not in ticket.description
    assert ticket.address_raw is not None and phone not in ticket.address_raw
    assert "收据" in ticket.description  # what happened stays


def test_the_group_notice_of_an_anonymous_ticket_shows_the_estate_only(db_session: Session) -> None:
    phone = unique_mobile()
    ticket = anonymous_ticket(
        db_session, address=Address("阳光花园", "3", "2", "301"), address_raw="阳光花园3号楼2单元301"
    )
    ticket.description = f"收费员收了现金 {phone}"  # as a ticket stored before creation redacted it
    notice = ticket_notice(ticket, get_settings().tz)
    assert "阳光花园" in notice
    for secret in ("3号楼", "2单元", "301", phone):
        assert secret not in notice, notice


def test_the_group_notice_of_a_named_ticket_keeps_the_full_address(db_session: Session) -> None:
    notice = ticket_notice(named_ticket(db_session, "web:named", 0), get_settings().tz)
    assert "阳光花园 3号楼 2单元 301室" in notice and "+8613812345678" in notice


def test_the_csv_export_shows_an_anonymous_ticket_down_to_its_estate(settings) -> None:  # type: ignore[no-untyped-def]
    estate = f"匿名小区{uuid.uuid4().hex[:6]}"
    phone = unique_mobile()
    with session_scope() as session:
        ticket = anonymous_ticket(
            session, address=Address(estate, "3", "2", "301"), address_raw=f"{estate}3号楼2单元301"
        )
        ticket.description = f"收费员收了现金 {phone}"  # as a ticket stored before creation redacted it
    with session_scope() as session:
        rows = export_rows(session, QueueFilter.from_query({"status": "all", "estate": estate}), settings.tz)
    assert len(rows) == 2
    exported = dict(zip(EXPORT_FIELDS, rows[1]))
    assert exported["estate"] == estate
    assert (exported["building"], exported["unit"], exported["room"]) == ("", "", "")
    assert "301" not in str(exported["address_raw"]) and phone not in str(exported["description"])


# -- the SQLite files ------------------------------------------------------------------------


def test_sqlite_overwrites_what_it_deletes_and_keeps_its_files_private(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'private.db'}")
    with engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        connection.exec_driver_sql("CREATE TABLE notes (words TEXT)")
    for path in (tmp_path / "private.db", tmp_path / "private.db-wal", tmp_path / "private.db-shm"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    engine.dispose()


def test_the_generated_secret_key_is_private(tmp_path: Path) -> None:
    Settings(data_dir=tmp_path, secret_key=None).resolved_secret_key()
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_after_the_wal_is_flushed_an_overwritten_phone_is_in_neither_file(tmp_path: Path) -> None:
    phone = unique_mobile()
    database = tmp_path / "words.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, words TEXT)")
        connection.execute(text("INSERT INTO notes (words) VALUES (:w)"), {"w": f"我的电话{phone},请回电"})
    with engine.begin() as connection:
        connection.execute(text("UPDATE notes SET words = :w"), {"w": redact_identifiers(f"我的电话{phone},请回电")})
    assert files_holding([phone], [database])  # the log still holds the words as first written
    assert flush_wal(engine)
    assert files_holding([phone], [database]) == {}
    engine.dispose()


def test_a_redaction_beside_a_savepoint_empties_the_log_at_once(tmp_path: Path) -> None:
    """One unit of work that makes a report anonymous and also uses a savepoint (the NLU inbox,
    a claim): the log is emptied when it commits, without waiting out the busy timeout (15 s)
    for the read pysqlite keeps after a savepoint, which would make Rasa give up on the turn."""
    phone = unique_mobile()
    database = tmp_path / "words.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        session.add(ChatMessage(channel="web", sender="web:wal", direction="in", text=f"我的电话{phone},漏水了",
                                created_at=utcnow()))  # fmt: skip
        session.commit()
    started = time.monotonic()
    with Session(engine) as session:
        forget_sender(session, "web", "web:wal", from_id=0)
        with session.begin_nested():
            collect(session, "没有", "low_confidence", utcnow(), predicted="deny", confidence=0.6)
        session.commit()
    assert time.monotonic() - started < 5
    assert files_holding([phone], [database]) == {}
    engine.dispose()


def test_forgetting_a_conversation_overwrites_it_in_a_sqlite_tracker_store(tmp_path: Path) -> None:
    phone = unique_mobile()
    store = tmp_path / "trackers.db"
    rasa = sqlite3.connect(store)  # as Rasa keeps it: rollback journal, its connection left open
    try:
        rasa.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        rasa.execute("INSERT INTO events (sender_id, data) VALUES ('web:x', ?)", (json.dumps({"text": phone}),))
        rasa.execute("INSERT INTO events (sender_id, data) VALUES ('web:y', 'another chat')")
        rasa.commit()
        forget_conversation(f"sqlite:///{store}", "web:x")
        assert files_holding([phone, "web:x"], [store]) == {}
        assert rasa.execute("SELECT data FROM events").fetchall() == [("another chat",)]
        assert rasa.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # left as Rasa set it
    finally:
        rasa.close()


# -- the intake: an anonymous complaint is not asked for the flat ------------------------------


def tracker(category: str, anonymous: bool, text: str = "", **slots: object) -> Tracker:
    values = {"category": category, "anonymous": anonymous, "language": "zh", **slots}
    return Tracker("web:t", values, {"text": text, "intent": {"name": "inform"}}, [], False, None,
                   {"name": "ticket_form"}, None)  # fmt: skip


def answer_address(category: str, anonymous: bool, words: str) -> dict[str, object]:
    """The validation of an answer to "where?", inside an action call as the action server runs it."""
    with session_scope() as session, current(ActionCall(session, get_settings())):
        return ValidateTicketForm().validate_address(words, None, tracker(category, anonymous, words), {})  # type: ignore[arg-type]


def test_an_anonymous_complaint_takes_the_estate_or_nothing_for_an_address() -> None:
    assert answer_address("complaint", True, "阳光花园")["address"] == "阳光花园"
    assert answer_address("complaint", True, "阳光花园3号楼")["address"] == "阳光花园3号楼"
    assert answer_address("complaint", True, "不方便")["address"] == "未提供"


def test_a_leak_or_a_named_complaint_still_needs_the_flat() -> None:
    assert answer_address("report_leak", True, "阳光花园")["address"] is None
    assert answer_address("complaint", False, "阳光花园")["address"] is None


def test_an_anonymous_complaint_naming_its_estate_at_once_is_not_asked_again() -> None:
    words = "阳光花园的收费员收红包,我要匿名举报"
    with session_scope() as session:
        call = ActionCall(session, get_settings())
        events = intake_start_events("complaint", "whistleblowing", words, tracker("complaint", True, words), call)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}  # the last value of each
    assert slots["address"] == "阳光花园"


# -- the whole way, through the real stack ------------------------------------------------------


def report_then_go_anonymous(resident: Resident, phone: str) -> str:
    """A named complaint with address and phone, made anonymous at the summary; its code."""
    resident.say("报修三天了都没人来,我要投诉")
    resident.say("阳光花园3号楼2单元301")
    resident.say(phone)
    summary = resident.say("晚上")
    assert phone in summary[-1]["text"]  # the summary echoes it: that row must not keep it either
    again = resident.say("我要匿名")
    assert "匿名" in "\n".join(r["text"] for r in again)
    return ticket_code_in(resident.press(again, "确认提交"))


@pytest.mark.stack
def test_a_phone_typed_before_asking_for_anonymity_is_gone_from_every_file(
    resident: Resident,
    app,
    stack,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    # The application, a thread of this process, logs all it would; SQLAlchemy its statements
    # (their parameters hidden), not the rows it reads, which only echo="debug" would show.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    phone = unique_mobile()
    chat = Relay(get_settings()).sender_ref("web", resident.sender)
    code = report_then_go_anonymous(resident, phone)

    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.anonymous and ticket.phone is None and ticket.sender_ref is None
        assert session.scalar(select(ChatMessage.id).where(ChatMessage.sender == chat)) is None
        report = session.scalars(select(ChatMessage).where(ChatMessage.text.contains("阳光花园3号楼2单元301"))
                                 .order_by(ChatMessage.id.desc()).limit(1)).one()  # fmt: skip
        assert is_anonymous_pseudonym(report.sender)
        receipt = session.scalars(select(ChatMessage.text).where(ChatMessage.sender == report.sender,
                                                                 ChatMessage.direction == "out")).all()  # fmt: skip
        assert any(code in line for line in receipt)  # the bot's answers went with the report

    identifiers = [phone, resident.sender, chat]
    database = sqlite_file(os.environ["HOTLINE_DATABASE_URL"])
    trackers = sqlite_file(get_settings().tracker_url)
    assert database is not None and trackers is not None
    logs = sorted(stack.log_dir.glob("*.log"))
    assert files_holding(identifiers, [database, trackers, *logs]) == {}
    assert not any(identifier in caplog.text for identifier in identifiers)

    dispatcher = Staff(app.base_url, new_account())
    exported = dispatcher.get("/dashboard/export/tickets.csv", status="all", q=code).text
    assert not any(identifier in exported for identifier in identifiers)
    header, row = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    shown = dict(zip(header, row))
    assert shown["code"] == code and shown["estate"] == "阳光花园"
    assert (shown["building"], shown["unit"], shown["room"], shown["address_raw"]) == ("", "", "", "阳光花园")


@pytest.mark.stack
def test_an_anonymous_whistle_blower_is_not_asked_for_a_room(resident: Resident) -> None:
    resident.say("我要匿名举报")
    asked = resident.say_text("收费员收了我家的现金,不给收据")
    assert "房间号" not in asked.replace("不需要楼号和房间号", "")
    optin = resident.say("阳光花园")
    assert "回访" in optin[-1]["text"]  # the estate was enough: on to the follow-up question
    summary = resident.press(optin, "不需要")
    code = ticket_code_in(resident.press(summary, "确认提交"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.estate == "阳光花园" and ticket.room is None


@pytest.mark.stack
@pytest.mark.parametrize(
    ("worry", "kept", "no", "submit"),
    [
        ("你们会不会泄露我的信息?", "不记录", "不需要", "确认提交"),
        ("will they find out it was me?", "recorded", "No, thanks", "Confirm"),
    ],
)
def test_a_worry_about_privacy_at_the_follow_up_question_is_answered_not_filed(
    resident: Resident, worry: str, kept: str, no: str, submit: str
) -> None:
    """The whistle-blower asks whether they will be found out: they are told what is kept, the
    question comes again, and the worry is not added to the complaint."""
    resident.say("我要匿名举报")
    resident.say("收费员收了我家的现金,不给收据")
    resident.say("阳光花园")
    answered = resident.say(worry)
    said = "\n".join(reply["text"] for reply in answered)
    assert kept in said, said
    code = ticket_code_in(resident.press(resident.press(answered, no), submit))  # the question again
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and worry not in ticket.description and "泄露" not in ticket.description


@pytest.mark.stack
def test_an_anonymous_whistle_blower_may_keep_the_estate_to_themselves(resident: Resident) -> None:
    resident.say("我要匿名举报")
    resident.say("收费员收了我家的现金,不给收据")
    summary = resident.press(resident.say("不方便"), "不需要")
    assert "未提供" in summary[-1]["text"]
    code = ticket_code_in(resident.press(summary, "确认提交"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.estate is None and ticket.address_raw == "未提供"


@pytest.mark.stack
@pytest.mark.parametrize(
    ("report", "estate", "secrets"),
    [
        ("我是3号楼301的王秀英,举报抄表员老李收红包,别让他知道是我说的", "阳光花园", ["王秀英", "301"]),
        (
            "This is John Smith from room 301. The meter reader took a bribe. Don't mention my name.",
            "Sunshine Garden",
            ["John", "Smith", "301"],
        ),  # fmt: skip
        ("举报抄表员收红包,我要匿名,我微信号是wxid_abc123", "阳光花园", ["wxid_abc123"]),
        (
            "Anonymous report: your meter reader took a bribe from me. My WeChat is zhang_wei88",
            "阳光花园",  # the estate as listed (estates.yml files "Sunshine Garden" under it too)
            ["zhang_wei88", "账号"],  # and an English resident's words keep English tags
        ),
        (  # tester's findings: "本人…" and "俺是…" cue names too; a plate and "我家502" identify
            "我要匿名举报:本人李四,手机137 0000 3333,住2单元602室,俺是老赵的邻居,维修工天天喝酒上班",
            "阳光花园",
            ["李四", "602", "0000", "2单元"],
        ),
        (
            "我要匿名举报:5-1-502的住户,就是我,上周维修工在我家502门口收了现金,我老公在交警队上班,车牌鲁C12345",
            "阳光花园",  # "我要匿名举报" is no estate: the estate is asked
            ["502", "鲁C12345", "-1-"],
        ),
        (
            "我要匿名举报幸福家园的收费员周八,上周三在6号楼2单元收了我家500块没开票,我是602的住户吴小红,"
            "手机一三九一二三四五六七八",
            "幸福家园",
            ["吴小红", "602", "一三九", "2单元"],
        ),
    ],
)
def test_an_anonymous_whistle_blower_who_says_who_they_are_is_kept_anonymous(
    resident: Resident, report: str, estate: str, secrets: list[str]
) -> None:
    """R7: a name, a chat account or the flat, told along with the report, stays off the ticket."""
    replies = resident.say(report)
    for _ in range(3):  # the estate if asked, then "follow up?" (no), then the summary
        if any("确认提交" == b["title"] or "Confirm" == b["title"] for r in replies for b in r.get("buttons") or []):
            break
        buttons = [b["title"] for r in replies for b in r.get("buttons") or []]
        replies = (
            resident.press(replies, "不需要" if "不需要" in buttons else "No") if buttons else resident.say(estate)
        )
    code = ticket_code_in(resident.press(replies, "确认提交" if "确认提交" in str(replies) else "Confirm"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.anonymous and ticket.room is None and ticket.unit is None
        # Never "我是", "This is John Smith from" or "我要匿名举报"; "Sunshine Garden" is filed as listed.
        assert ticket.estate in (None, estate, "阳光花园"), ticket.estate
        kept = " ".join(str(v) for v in (ticket.description, ticket.address_raw, ticket.estate, ticket.building))
    assert not [secret for secret in secrets if secret in kept], kept


@pytest.mark.stack
def test_the_databases_are_private_to_their_owner(stack) -> None:  # type: ignore[no-untyped-def]
    database = sqlite_file(os.environ["HOTLINE_DATABASE_URL"])
    assert database is not None
    for path in (database, Path(f"{database}-wal")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# -- the same through the real stack with the application's data on PostgreSQL ------------------


@pytest.mark.stack
def test_on_postgresql_the_phone_and_the_chat_are_in_no_row_and_no_tracker(postgres_app: AppProcess) -> None:
    resident = Resident(postgres_app.base_url)
    phone = unique_mobile()
    chat = Relay(get_settings()).sender_ref("web", resident.sender)
    code = report_then_go_anonymous(resident, phone)

    engine = make_engine(POSTGRES_URL)
    try:
        with Session(engine) as session:
            ticket = session.scalar(select(Ticket).where(Ticket.code == code))
            assert ticket is not None and ticket.anonymous and ticket.phone is None
            dump = every_stored_text(session)
        assert code in dump  # so the checks below can fail
        for identifier in (phone, resident.sender, chat):
            assert identifier not in dump, identifier
    finally:
        engine.dispose()
    folder = postgres_app.log_file.parent
    trackers = folder / "rasa-trackers.db"
    assert trackers.exists()
    assert files_holding([phone, resident.sender, chat], [trackers, postgres_app.log_file,
                                                          *sorted((folder / "logs").glob("*.log"))]) == {}  # fmt: skip


@pytest.mark.stack
def test_anonymity_asked_at_the_summary_in_other_words_drops_the_phone(resident: Resident) -> None:
    resident.say("暖气不热,阳光花园3号楼2单元301")
    resident.say("13812345678")
    resident.say("随时")
    replies = resident.say("算了,别说是我报的,我怕他报复")
    summary = "\n".join(r["text"] for r in replies)
    assert "13812345678" not in summary and "8613812345678" not in summary, summary
    while not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.press(replies, "不需要")
    code = ticket_code_in(resident.press(replies, "确认提交"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.anonymous and ticket.phone is None


@pytest.mark.stack
def test_a_resident_who_asked_for_anonymity_may_give_a_number_after_all(resident: Resident) -> None:
    resident.say("暖气不热,阳光花园3号楼2单元301,我要匿名")
    replies = resident.say("不需要")
    while not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.say("不需要")
    replies = resident.say("算了,还是留个电话吧,13912345640")
    assert "13912345640" in "\n".join(r["text"] for r in replies)
    code = ticket_code_in(resident.press(replies, "确认提交"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and not ticket.anonymous and ticket.phone == "+8613912345640"


def test_the_summary_of_an_anonymous_complaint_shows_only_what_its_ticket_keeps(resident: Resident) -> None:
    """The whistle-blower gives the whole flat, a phone and a name anyway: the summary shows the
    estate and building and none of the rest, as the ticket keeps them (R7)."""
    resident.say("我要匿名举报抄表员收红包,不给钱就乱写读数")
    resident.say("阳光花园3号楼2单元301,电话13800001111,我是602的住户")
    summary = resident.say("不需要")
    shown = "\n".join(r["text"] for r in summary)
    assert "阳光花园3号楼" in shown and "301" not in shown and "13800001111" not in shown, shown
    assert "2单元" not in shown and "602" not in shown
    filed = ticket(confirm(resident, summary, "确认提交"))
    assert (filed.estate, filed.building, filed.unit, filed.room, filed.phone) == ("阳光花园", "3", None, None, None)


@pytest.mark.stack
@pytest.mark.parametrize(
    ("report", "address", "phone", "dont", "no", "submit"),
    [
        ("暖气不热", "阳光花园3号楼2单元301", "13812345678", "等一下,电话别记了", "不需要", "确认提交"),
        (
            "My radiator is cold", "Sunshine Garden bldg 3 unit 2 room 301", "13812345678",
            "wait, don't keep my number", "No, thanks", "Confirm",
        ),
    ],
)  # fmt: skip
def test_do_not_keep_my_number_where_the_call_back_time_is_asked_drops_the_number(
    resident: Resident, report: str, address: str, phone: str, dont: str, no: str, submit: str
) -> None:
    """R7 at any step: the number given one step earlier is dropped, and no time is kept."""
    for message in (report, address, phone):
        resident.say(message)
    replies = resident.say(dont)
    summary = resident.press(replies, no)  # the anonymous report's follow-up question
    assert "13812345678" not in "\n".join(r["text"] for r in summary)
    code = ticket_code_in(resident.press(summary, submit))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.anonymous and ticket.phone is None and ticket.callback_window is None


@pytest.mark.stack
@pytest.mark.parametrize(
    ("ask", "done"),
    [("我刚才那个投诉能不能改成匿名的", "已改为匿名"), ("please make my last complaint anonymous", "now anonymous")],
)
def test_a_filed_complaint_made_anonymous_afterwards_keeps_no_phone_and_no_second_ticket_is_opened(
    resident: Resident, ask: str, done: str
) -> None:
    """R7 after the fact: that ticket drops the number, the chat and the flat; nothing new is filed."""
    resident.say("投诉师傅乱收费")
    resident.say("阳光花园3号楼2单元301")
    phone = unique_mobile()
    resident.say(phone)
    code = ticket_code_in(resident.press(resident.say("上午"), "确认提交"))
    with session_scope() as session:
        before = session.scalar(select(func.count(Ticket.id))) or 0
    said = resident.say_text(ask)
    assert done in said and code in said, said
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.anonymous and ticket.phone is None and ticket.sender_ref is None
        assert ticket.room is None and ticket.callback_window is None
        assert (session.scalar(select(func.count(Ticket.id))) or 0) == before
        assert session.scalar(select(ChatMessage.id).where(ChatMessage.text.contains(phone))) is None


@pytest.mark.stack
def test_a_new_leak_after_a_filed_report_with_do_not_name_me_is_a_new_anonymous_report(resident: Resident) -> None:
    """ "刚才那个又开始漏水了,别说是我报的": a leak now (R1), not a request about the old ticket."""
    resident.say("阳光花园3号楼2单元301暖气不热")
    resident.say(unique_mobile())
    code = ticket_code_in(resident.press(resident.say("随时"), "确认提交"))
    said = resident.say_text("刚才报的那个暖气片又开始漏水了,别说是我报的")
    assert "阀门" in said and "已改为匿名" not in said, said
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and not ticket.anonymous and ticket.phone is not None


@pytest.mark.stack
@pytest.mark.parametrize("then", ["幸福小区", "取消"])
def test_words_said_under_anonymity_never_join_the_chats_named_ticket(resident: Resident, then: str) -> None:
    """A named repair, then an anonymous report in the same chat, in progress or withdrawn: the
    dispatchers read the named ticket's conversation (its chat's messages); the whistle-blower's
    words are not in it, whether or not the anonymous report is ever filed."""
    resident.say("幸福小区11号楼1单元101暖气不热")
    resident.say(unique_mobile())
    named = ticket_code_in(resident.press(resident.say("随时都可以"), "确认提交"))
    resident.say("我要匿名举报,抄表员李某收了我300块红包")
    resident.say(then)
    with session_scope() as session:
        ticket = get_ticket_by_code(session, named)
        assert ticket is not None and not ticket.anonymous
        transcript = [message.text for message in transcript_of(session, ticket, 500)]  # the dashboard's
        assert any("暖气不热" in line for line in transcript)  # the named report's own words stay
        assert any(named in line for line in transcript)  # with its receipt
        assert not any("抄表员" in line or "300块" in line for line in transcript), transcript
        if then == "取消":  # withdrawn: nowhere under the chat's name any more
            chat = Relay(get_settings()).sender_ref("web", resident.sender)
            kept = session.scalars(select(ChatMessage.text).where(ChatMessage.sender == chat)).all()
            assert not any("抄表员" in line for line in kept), kept


@pytest.mark.stack
@pytest.mark.parametrize(
    ("step", "evidence"),
    [
        ("summary", "补充一下,他还收了我邻居老张的钱,老张电话13911112222,你们可以问他"),
        ("optin", "不需要回访,有问题可以问物业王经理13922221111"),
    ],
)
def test_somebody_elses_number_told_in_an_anonymous_report_keeps_it_anonymous(
    resident: Resident, step: str, evidence: str
) -> None:
    resident.say("我要匿名举报,抄表员李某收了我300块红包")
    optin = resident.say("幸福小区")
    replies = resident.say(evidence) if step == "optin" else resident.press(optin, "不需要")
    if step == "summary":
        replies = resident.say(evidence)
    said = "\n".join(r["text"] for r in replies)
    assert "联系电话已改为" not in said and "什么时间" not in said, said
    if not any(b["title"] == "确认提交" for r in replies for b in r.get("buttons") or []):
        replies = resident.press(replies, "不需要")
    code = ticket_code_in(resident.press(replies, "确认提交"))
    with session_scope() as session:
        filed = get_ticket_by_code(session, code)
        assert filed is not None and filed.anonymous and filed.phone is None and filed.sender_ref is None
        assert "经理" in filed.description or "老张" in filed.description  # the evidence is kept


@pytest.mark.stack
def test_making_a_ticket_anonymous_from_a_chat_that_filed_none_opens_no_empty_complaint(resident: Resident) -> None:
    answer = resident.say_text("我刚才那个投诉能不能改成匿名的")
    assert "没有找到" in answer and "哪个小区" not in answer and "地址" not in answer, answer
    where = resident.say_text("暖气不热")  # the chat goes on as usual
    assert "地址" in where, where


@pytest.mark.stack
def test_a_call_back_time_at_where_is_never_the_address(resident: Resident) -> None:
    resident.say("暖气不热")
    for said in ("上午", "上午"):
        assert "地址" in resident.say_text(said)
    resident.say("阳光花园3号楼2单元301")
    resident.say("13812345678")
    code = ticket_code_in(resident.press(resident.say("随时"), "确认提交"))
    with session_scope() as session:
        filed = get_ticket_by_code(session, code)
        assert filed is not None and "上午" not in (filed.address_raw or "") and filed.room == "301"


@pytest.mark.stack
@pytest.mark.parametrize(
    ("steps", "taken_back"),
    [
        (["我要匿名举报", "收费员收了我家的现金,不给收据"], "算了不举报了,取消"),  # at "which estate?"
        (["我要匿名举报收费员收钱不开票", "阳光花园"], "我不想投诉了"),  # at "follow up?"
        (["I want to report anonymously: the meter reader took a bribe", "Sunshine Garden"],
         "never mind, forget the complaint"),
        # Tester's finding: a complaint started in jest could only be left with "取消".
        (["你们热力公司的人是不是都很热情啊 哈哈哈哈 热力热力 冷笑话一个"], "哈哈开玩笑的 没啥事 你别当真"),
    ],
)  # fmt: skip
def test_a_whistle_blower_who_takes_the_report_back_files_nothing(
    resident: Resident, steps: list[str], taken_back: str
) -> None:
    """Tester's finding: "算了不举报了,取消" at the estate question became the estate, and the
    report went on. Taking a report back, in any words, drops it: no ticket, and it is said."""
    for step in steps:
        resident.say(step)
    before = ticket_count()
    said = resident.say_text(taken_back)
    assert "已取消" in said or "cancelled" in said, said
    assert ticket_count() == before


@pytest.mark.stack
def test_a_name_given_where_the_estate_is_asked_is_not_kept(resident: Resident) -> None:
    """Tester's finding: "吴小红" at an anonymous complaint's estate question became its estate,
    and stayed in the conversation's transcript. A name is never kept (R7); the estate is asked
    again, and the second answer is taken."""
    resident.say("我要匿名举报")
    resident.say("收费员收了我家的现金,不给收据")
    again = resident.say_text("吴小红")
    assert "不记录姓名" in again and "哪个小区" in again, again
    summary = resident.press(resident.say("幸福家园"), "不需要")
    code = ticket_code_in(resident.press(summary, "确认提交"))
    with session_scope() as session:
        kept = get_ticket_by_code(session, code)
        assert kept is not None and kept.estate == "幸福家园"
        words = " ".join(str(v) for v in (kept.description, kept.address_raw, kept.estate))
        messages = session.scalars(select(ChatMessage.text).where(ChatMessage.text.contains("吴小红"))).all()
    assert "吴小红" not in words and messages == [], (words, messages)


@pytest.mark.stack
@pytest.mark.parametrize("typed", ["13700001111", "我是刘建国,电话13700001111"])
def test_a_number_typed_by_an_anonymous_resident_does_not_end_anonymity_by_surprise(
    resident: Resident, typed: str
) -> None:
    """Tester's finding: a number typed at the follow-up question answered "联系电话已改为…" and
    the complaint was filed named, flat, phone and all. Without words that give anonymity up,
    the number is not kept and the resident is told how; the complaint stays anonymous (R7)."""
    resident.say("我要举报,你们维修工张师傅收了我500块钱红包才给修,我想匿名")
    resident.say("幸福小区")
    said = resident.say_text(typed)
    assert "不会记录" in said and "已改为" not in said, said
    summary = resident.say("不需要")  # the follow-up question again, answered
    while not any(b["title"] == "确认提交" for r in summary for b in r.get("buttons") or []):
        summary = resident.say("不需要")
    code = ticket_code_in(resident.press(summary, "确认提交"))
    with session_scope() as session:
        kept = get_ticket_by_code(session, code)
        assert kept is not None and kept.anonymous and kept.phone is None
        assert "13700001111" not in f"{kept.description} {kept.address_raw}" and "刘建国" not in kept.description


@pytest.mark.stack
@pytest.mark.parametrize("asks", ["我刚才的举报怎么样了", "之前那个投诉有人管吗"])
def test_a_whistle_blower_asking_how_it_goes_is_asked_for_the_code_not_for_a_flat(
    resident: Resident, asks: str
) -> None:
    """A tester's anonymous reporter asked how the report went: a second complaint was opened,
    asking for estate, building, unit and room (what anonymity keeps to itself)."""
    resident.say("我要匿名举报")
    resident.say("收费员收了我家的现金,不给收据")
    optin = resident.say("阳光花园")
    ticket_code_in(resident.press(resident.press(optin, "不需要"), "确认提交"))
    answer = resident.say_text(asks)
    assert "房间号" not in answer and "HL-" in answer, answer


@pytest.mark.stack
def test_a_number_given_after_an_anonymous_report_is_told_where_it_went(resident: Resident) -> None:
    """A tester's whistle-blower added "对了我电话是… 有事可以打给我" after filing: the category menu."""
    resident.say("我要匿名举报")
    resident.say("收费员收了我家的现金,不给收据")
    code = ticket_code_in(resident.press(resident.press(resident.say("阳光花园"), "不需要"), "确认提交"))
    said = resident.say_text("对了我电话是13800001111 有事可以打给我")
    assert "匿名" in said and "哪一类" not in said, said
    with session_scope() as session:
        assert get_ticket_by_code(session, code).phone is None  # type: ignore[union-attr]


def test_a_leak_kept_from_the_neighbours_is_not_anonymous_and_keeps_its_phone(resident: Resident) -> None:
    """A resident's finding: "别告诉楼上是我报的" (not to be named to the neighbour upstairs) made the
    leak anonymous, so its number was dropped and the crew that must get in could not call."""
    first = resident.say_text("楼上漏水把我家天花板都泡了 是暖气管子的水 别告诉楼上是我报的 怕闹矛盾")
    assert "匿名" not in first and "邻居" in first, first
    resident.say("阳光花园3号楼2单元302")
    resident.say("13911112222")
    filed = ticket(confirm(resident, resident.say("随时"), "确认提交"))
    assert not filed.anonymous and filed.phone == "+8613911112222"
    assert "别告诉楼上" in filed.description  # the wish reaches the dispatchers
