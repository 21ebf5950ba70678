"""R7 everywhere (issue 11, point 4): a whistle-blower types an address and a phone, then says
我要匿名 and files the complaint. Nothing typed in that conversation that identifies them may stay
behind: not in the transcript, the NLU inbox, the ticket, the SQLite files' free space or
write-ahead log, Rasa's tracker store, the dispatchers' group or a CSV export; and a complaint
made anonymously is not asked for a room number."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from actions.intake import ValidateTicketForm, intake_start_events
from bot.address import Address
from bot.channels.relay import Relay
from bot.config import Settings, get_settings
from bot.dashboard.app import EXPORT_FIELDS, export_rows
from bot.dashboard.queue import QueueFilter
from bot.db import flush_wal, make_engine, session_scope, sqlite_file
from bot.models import Category, ChatMessage, NluInboxItem, Ticket
from bot.nlu_inbox import collect, redact
from bot.notices import ticket_notice
from bot.privacy import forget_conversation, forget_sender, is_anonymous_pseudonym, report_start
from bot.redaction import redact_identifiers
from bot.tickets import TicketDraft, create_ticket, get_ticket_by_code, utcnow
from tests.conftest import Resident, ticket_code_in

NOW = utcnow()
CHANNEL = "web"


def unique_mobile() -> str:
    """A Chinese mobile number no other test types: the raw files are searched for it."""
    return "139" + "".join(random.choices("0123456789", k=8))


def chat_row(session: Session, sender: str, direction: str, words: str, minutes: int) -> ChatMessage:
    row = ChatMessage(channel=CHANNEL, sender=sender, direction=direction, text=words,
                      created_at=NOW + timedelta(minutes=minutes))  # fmt: skip
    session.add(row)
    session.flush()
    return row


def named_ticket(session: Session, sender: str, minutes: int) -> Ticket:
    draft = TicketDraft(category=Category.REPORT_REPAIR, description="暖气不热", channel=CHANNEL, language="zh",
                        address=Address("阳光花园", "3", "2", "301"), phone="+8613812345678", sender_ref=sender)  # fmt: skip
    return create_ticket(session, draft, now=NOW + timedelta(minutes=minutes))


def anonymous_ticket(session: Session, **fields: object) -> Ticket:
    values: dict[str, object] = dict(category=Category.COMPLAINT, subcategory="whistleblowing", channel=CHANNEL,
                                     language="zh", anonymous=True, description="收费员收了现金不给收据")  # fmt: skip
    values.update(fields)
    return create_ticket(session, TicketDraft(**values))  # type: ignore[arg-type]


# -- one set of redaction rules ---------------------------------------------------------------


def test_identifiers_are_redacted_and_addresses_kept() -> None:
    typed = ("我叫王建国,电话 139-1234-5678,座机0533-7654321,身份证37030319900101123X,"
             "卡号6222 0212 3456 7890,邮箱 wang@example.com,住阳光花园3号楼2单元301")  # fmt: skip
    clean = redact_identifiers(typed)
    for secret in ("王建国", "1234-5678", "7654321", "37030319900101123X", "6222 0212", "wang@example.com"):
        assert secret not in clean, clean
    assert "阳光花园3号楼2单元301" in clean
    assert "[姓名]" in clean and "[电话]" in clean and "[身份证号]" in clean and "[号码]" in clean
    assert "[姓名]" in redact_identifiers("Hi, my name is John Smith.") and "John" not in redact_identifiers("my name is John")


def test_the_nlu_inbox_uses_the_same_rules() -> None:
    clean = redact("我叫王建国 13912345678")
    assert "王建国" not in clean and "13800000000" in clean  # the inbox keeps a phone the model still reads as one


# -- the transcript ---------------------------------------------------------------------------


def test_an_anonymous_reports_messages_are_redacted_under_a_pseudonym_of_their_own(db_session: Session) -> None:
    chat = f"web:{uuid.uuid4().hex[:24]}"
    phone = unique_mobile()
    typed = [("in", "报修三天了都没人来,我要投诉"), ("in", "阳光花园3号楼2单元301"), ("in", phone),
             ("out", f"请核对以下信息:\n联系电话:+86{phone}"), ("in", "我要匿名,我叫王建国,邮箱 wang@example.com"),
             ("in", "身份证37030319900101123X,卡号6222021234567890")]  # fmt: skip
    for minute, (direction, words) in enumerate(typed):
        chat_row(db_session, chat, direction, words, minute)

    first = forget_sender(db_session, CHANNEL, chat, from_id=report_start(db_session, CHANNEL, chat))
    db_session.commit()

    rows = db_session.scalars(select(ChatMessage).where(ChatMessage.sender == first).order_by(ChatMessage.id)).all()
    assert len(rows) == len(typed)
    kept = "\n".join(row.text for row in rows)
    for secret in (phone, "王建国", "wang@example.com", "37030319900101123X", "6222021234567890"):
        assert secret not in kept, kept
    assert "阳光花园3号楼2单元301" in kept  # the address is the report's, not an identifier of the chat
    assert is_anonymous_pseudonym(first) and first not in ("anonymous", chat)
    assert db_session.scalar(select(ChatMessage.id).where(ChatMessage.sender == chat)) is None

    chat_row(db_session, chat, "in", "我要匿名举报", 10)
    second = forget_sender(db_session, CHANNEL, chat, from_id=report_start(db_session, CHANNEL, chat))
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

    anonymous = forget_sender(db_session, CHANNEL, chat, from_id=report_start(db_session, CHANNEL, chat))

    named_transcript = db_session.scalars(select(ChatMessage.text).where(ChatMessage.sender == chat)).all()
    assert named_transcript == ["阳光花园3号楼2单元301暖气不热", "13812345678", "已为您登记,工单编号:HL-222222。"]
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
    ticket = anonymous_ticket(db_session, address=Address("阳光花园", "3", "2", "301"), address_raw="阳光花园3号楼2单元301")
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
        ticket = anonymous_ticket(session, address=Address(estate, "3", "2", "301"), address_raw=f"{estate}3号楼2单元301")
        ticket.description = f"收费员收了现金 {phone}"  # as a ticket stored before creation redacted it
    rows = export_rows(QueueFilter.from_query({"status": "all", "estate": estate}), settings)
    assert len(rows) == 2
    exported = dict(zip(EXPORT_FIELDS, rows[1]))
    assert exported["estate"] == estate
    assert (exported["building"], exported["unit"], exported["room"]) == ("", "", "")
    assert "301" not in str(exported["address_raw"]) and phone not in str(exported["description"])


# -- the SQLite files ------------------------------------------------------------------------


def test_sqlite_overwrites_what_it_deletes_and_keeps_its_files_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'private.db'}"
    engine = make_engine(url)
    executed: list[str] = []

    @event.listens_for(engine, "connect", insert=True)  # before the hotline's own pragmas
    def trace(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.set_trace_callback(executed.append)

    with engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        connection.exec_driver_sql("CREATE TABLE notes (words TEXT)")
    assert "PRAGMA secure_delete=ON" in executed  # set, not left to how the library was built
    for path in (tmp_path / "private.db", tmp_path / "private.db-wal"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    engine.dispose()


def test_the_generated_secret_key_is_private(tmp_path: Path) -> None:
    Settings(data_dir=tmp_path, secret_key=None).resolved_secret_key()
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_after_the_wal_is_flushed_an_overwritten_phone_is_in_neither_file(tmp_path: Path) -> None:
    phone = unique_mobile()
    engine = make_engine(f"sqlite:///{tmp_path / 'words.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, words TEXT)")
        connection.exec_driver_sql(f"INSERT INTO notes (words) VALUES ('我的电话{phone},请回电')")
    with engine.begin() as connection:
        connection.execute(text("UPDATE notes SET words = :w"), {"w": redact_identifiers(f"我的电话{phone},请回电")})
    flush_wal(engine)
    for path in (tmp_path / "words.db", tmp_path / "words.db-wal"):
        assert not path.exists() or phone.encode() not in path.read_bytes(), path
    engine.dispose()


def test_forgetting_a_conversation_overwrites_it_in_a_sqlite_tracker_store(tmp_path: Path) -> None:
    phone = unique_mobile()
    store = tmp_path / "trackers.db"
    engine = make_engine(f"sqlite:///{store}")  # WAL, as a store may be; Rasa's own is not
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        connection.exec_driver_sql(f"INSERT INTO events (sender_id, data) VALUES ('web:x', '{{\"text\": \"{phone}\"}}')")
        connection.exec_driver_sql("INSERT INTO events (sender_id, data) VALUES ('web:y', 'another chat')")
    engine.dispose()
    rasa = sqlite3.connect(store)  # Rasa keeps its connection open: closing ours checkpoints nothing
    try:
        assert rasa.execute("SELECT count(*) FROM events").fetchone() == (2,)
        forget_conversation(f"sqlite:///{store}", "web:x")
        for path in (store, Path(f"{store}-wal"), Path(f"{store}-journal")):
            assert not path.exists() or phone.encode() not in path.read_bytes(), path
        assert rasa.execute("SELECT data FROM events").fetchall() == [("another chat",)]
    finally:
        rasa.close()


# -- the intake: an anonymous complaint is not asked for the flat ------------------------------


def tracker(category: str, anonymous: bool, text: str = "", **slots: object) -> Tracker:
    values = {"category": category, "anonymous": anonymous, "language": "zh", **slots}
    return Tracker("web:t", values, {"text": text, "intent": {"name": "inform"}}, [], False, None,
                   {"name": "ticket_form"}, None)  # fmt: skip


def answer_address(category: str, anonymous: bool, words: str) -> dict[str, object]:
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
    events = intake_start_events("complaint", "whistleblowing", words, tracker("complaint", True, words))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}  # the last value of each
    assert slots["address"] == "阳光花园"


# -- the whole way, through the real stack ------------------------------------------------------


def raw_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists())


@pytest.mark.stack
def test_a_phone_typed_before_asking_for_anonymity_is_gone_from_every_file(resident: Resident) -> None:
    phone = unique_mobile()
    resident.say("报修三天了都没人来,我要投诉")
    resident.say("阳光花园3号楼2单元301")
    resident.say(phone)
    summary = resident.say("晚上")
    assert phone in summary[-1]["text"]  # the summary echoes it: that row must not keep it either
    again = resident.say("我要匿名")
    assert "匿名" in "\n".join(r["text"] for r in again)
    code = ticket_code_in(resident.press(again, "确认提交"))

    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.anonymous and ticket.phone is None
        chat = Relay(get_settings()).sender_ref("web", resident.sender)
        assert session.scalar(select(ChatMessage.id).where(ChatMessage.sender == chat)) is None
        report = session.scalars(select(ChatMessage).where(ChatMessage.text.contains("阳光花园3号楼2单元301"))
                                 .order_by(ChatMessage.id.desc()).limit(1)).one()  # fmt: skip
        assert is_anonymous_pseudonym(report.sender)
        assert session.scalar(select(ChatMessage.id).where(ChatMessage.sender == report.sender,
                                                           ChatMessage.direction == "out")) is not None  # fmt: skip
    database = sqlite_file(os.environ["HOTLINE_DATABASE_URL"])
    trackers = sqlite_file(get_settings().tracker_url)
    assert database is not None and trackers is not None
    assert phone.encode() not in raw_bytes(database)
    assert phone.encode() not in raw_bytes(trackers)


@pytest.mark.stack
def test_an_anonymous_whistle_blower_is_not_asked_for_a_room(resident: Resident) -> None:
    resident.say("我要匿名举报")
    asked = resident.say_text("收费员收了我家的现金,不给收据")
    assert "房间号" not in asked.replace("不需要房间号", "")
    optin = resident.say("阳光花园")
    assert "回访" in optin[-1]["text"]  # the estate was enough: on to the follow-up question
    summary = resident.press(optin, "不需要")
    code = ticket_code_in(resident.press(summary, "确认提交"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.estate == "阳光花园" and ticket.room is None


@pytest.mark.stack
def test_an_anonymous_whistle_blower_may_keep_the_estate_to_themselves(resident: Resident) -> None:
    resident.say("我要匿名举报")
    resident.say("收费员收了我家的现金,不给收据")
    summary = resident.press(resident.say("不方便"), "不需要")
    assert "地址:未提供" in summary[-1]["text"]
    code = ticket_code_in(resident.press(summary, "确认提交"))
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.estate is None and ticket.address_raw == "未提供"


@pytest.mark.stack
def test_the_databases_are_private_to_their_owner(stack) -> None:  # type: ignore[no-untyped-def]
    for url in (os.environ["HOTLINE_DATABASE_URL"], get_settings().tracker_url):
        path = sqlite_file(url)
        assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600, url
