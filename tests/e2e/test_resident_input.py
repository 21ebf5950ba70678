"""Residents' input is text, never a command (issue 11, point 1).

Rasa reads a message that starts with "/" as an intent with entities, so a resident who knew a
ticket code could type '/EXTERNAL_followup{"ticket_code":"HL-…"}', "/affirm", "1", "没有" and
close somebody else's urgent leak with satisfaction 1. Button payloads come back from the
client as well, so they are opaque ids issued to one chat for one question.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from bot.channels.relay import Relay, as_plain_text, clean_text
from bot.config import PROJECT_ROOT, get_settings
from bot.core.conversation.buttons import BUTTON_ID_PREFIX, is_button_id, issue, new_button_id, redeem
from bot.core.conversation.messages import say
from bot.core.conversation.privacy import forget_sender
from bot.core.conversation.replies import Reply
from bot.core.db import session_scope
from bot.core.models import ChatMessage, IssuedButton, MessageStatus, Ticket
from bot.core.tickets.intake import utcnow
from bot.engine.client import RasaUnavailable
from tests.conftest import Resident, RunningApp, ticket_code_in
from tests.telegram_standin import BotApiStandIn

PLEASE_USE_LATEST = {say("use_latest_buttons", "zh"), say("use_latest_buttons", "en")}

# -- (e) the neutralising function ------------------------------------------------------------

# What a resident may type to pass for a command, and what reaches Rasa instead.
TYPED_COMMANDS = [
    ("/affirm", "affirm"),
    (" /affirm", "affirm"),
    ("   /deny", "deny"),
    ("\t/affirm", "affirm"),
    ("\n/restart", "restart"),
    ("\u00a0/affirm", "affirm"),  # no-break space (Rasa's own strip() removes it, then obeys)
    ("\u3000/deny", "deny"),  # ideographic space
    ("\u2003/affirm", "affirm"),  # em space
    ("\u200b/deny", "deny"),  # zero-width space
    ("\u200c/affirm", "affirm"),  # zero-width non-joiner
    ("\u200d/affirm", "affirm"),  # zero-width joiner
    ("\u2060/affirm", "affirm"),  # word joiner
    ("\ufeff/affirm", "affirm"),  # byte-order mark
    ("\u202e/affirm", "affirm"),  # right-to-left override
    ("\u00ad/affirm", "affirm"),  # soft hyphen
    ("\u180e/affirm", "affirm"),  # Mongolian vowel separator
    ("\uff0faffirm", "affirm"),  # ／ full-width solidus
    ("\u2215affirm", "affirm"),  # ∕ division slash
    ("\u2044affirm", "affirm"),  # ⁄ fraction slash
    ("\u29f8affirm", "affirm"),  # ⧸ big solidus
    ("\u2571affirm", "affirm"),  # ╱ box drawing diagonal
    ("/\u0338affirm", "affirm"),  # a combining overlay left behind the slash
    ("//affirm", "affirm"),
    ("///deny", "deny"),
    ("/ /affirm", "affirm"),
    (" \u200b \uff0f/ \ufeff/affirm", "affirm"),
    ('/EXTERNAL_followup{"ticket_code":"HL-4F7K2P"}', 'EXTERNAL_followup{"ticket_code":"HL-4F7K2P"}'),
    ('/inform{"category":"report_leak"}', 'inform{"category":"report_leak"}'),
    ("/affirm@1.0", "affirm@1.0"),
    ("/", ""),
    ("\u200b\u200b", ""),
]
# Ordinary messages pass unchanged, slashes inside them included.
ORDINARY = ["暖气不热", "HL-4F7K2P 怎么样了", "1", "没有", "暖气/热水都不热", "a/b", "阳光花园3号楼2单元301", "😀😀😀"]


@pytest.mark.parametrize(("typed", "plain"), TYPED_COMMANDS)
def test_typed_commands_become_plain_words(typed: str, plain: str) -> None:
    made = as_plain_text(clean_text(typed))
    assert made == plain
    assert not made.strip().startswith("/")  # what Rasa checks, after its own strip()


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_messages_are_left_alone(message: str) -> None:
    assert as_plain_text(clean_text(message)) == message


def test_no_invisible_or_blank_character_can_hide_a_slash() -> None:
    """Every character Python calls a space or Unicode calls a format character, before and
    after a slash: none survives at the start."""
    hiding = [chr(c) for c in range(0x110000) if chr(c).isspace() or unicodedata.category(chr(c)) == "Cf"]
    assert len(hiding) > 60
    for ch in hiding:
        for typed in (f"{ch}/affirm", f"/{ch}affirm", f"{ch}{ch}//{ch}affirm"):
            assert as_plain_text(typed) == "affirm", repr(typed)


RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa's environment is not installed")
def test_rasa_itself_reads_the_typed_commands_as_intents_and_the_plain_ones_as_words() -> None:
    """The check above, made by Rasa's own code: what RegexMessageHandler runs on every message."""
    script = (
        "import json, sys\n"
        "from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "unpack = lambda text: YAMLStoryReader.unpack_regex_message(Message({'text': text})).get('intent') or {}\n"
        "intents = [unpack(text).get('name') for text in json.load(sys.stdin)]\n"
        "print('INTENTS ' + json.dumps(intents))\n"  # Rasa logs to stdout too
    )
    texts = [typed for typed, _ in TYPED_COMMANDS] + [as_plain_text(clean_text(typed)) for typed, _ in TYPED_COMMANDS]
    done = subprocess.run([str(RASA_PYTHON), "-c", script], input=json.dumps(texts), capture_output=True,
                          text=True, timeout=120, cwd=Path(PROJECT_ROOT), check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    intents = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("INTENTS "))[8:])
    raw, plain = intents[: len(TYPED_COMMANDS)], intents[len(TYPED_COMMANDS) :]
    assert raw[:3] == ["affirm", "affirm", "deny"]  # the attack is real: these were commands
    assert "EXTERNAL_followup" in raw
    assert plain == [None] * len(TYPED_COMMANDS)


# -- the buttons module, on SQLite and PostgreSQL -----------------------------------------------


def test_button_ids_are_unguessable_and_fit_telegram() -> None:
    ids = {new_button_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(is_button_id(i) and len(i.encode()) <= 64 and i.startswith(BUTTON_ID_PREFIX) for i in ids)
    assert not any(is_button_id(t) for t in ["/affirm", "确认提交", "5", "btn.", "btn. 你好", "t:ack:1"])
    # Anything shaped like one is a press, forged or not, and answered as a button (a tester's
    # "btn.fake" went to the model as words).
    assert all(is_button_id(t) for t in [BUTTON_ID_PREFIX + "x" * 21, "btn.fake", "btn.confirm_submit"])


def test_issue_supersede_redeem_and_foreign_ids(db_session) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    first = issue(
        db_session, "web:a", [[{"title": "上午", "payload": "上午"}, {"title": "下午", "payload": "下午"}]], now
    )
    second = issue(
        db_session,
        "web:a",
        [[], [{"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/cancel"}]],
        now,
    )
    others = issue(db_session, "web:b", [[{"title": "确认提交", "payload": "/affirm"}]], now)
    db_session.commit()
    assert second[0] == [] and [b["title"] for b in second[1]] == ["确认提交", "取消"]
    assert all(is_button_id(b["payload"]) for b in first[0] + second[1] + others[0])

    assert redeem(db_session, "web:a", first[0][1]["payload"]) is None  # superseded by the second set
    assert redeem(db_session, "web:a", others[0][0]["payload"]) is None  # issued to another chat
    assert redeem(db_session, "web:a", new_button_id()) is None  # forged
    pressed = redeem(db_session, "web:a", second[1][0]["payload"])
    assert pressed is not None and (pressed.title, pressed.payload) == ("确认提交", "/affirm")
    assert redeem(db_session, "web:a", second[1][1]["payload"]) is None  # the question is answered
    db_session.commit()
    # Nothing of the other chat's was touched by those attempts.
    pressed = redeem(db_session, "web:b", others[0][0]["payload"])
    assert pressed is not None and pressed.payload == "/affirm"
    # An answer without buttons leaves the open question open.
    third = issue(db_session, "web:a", [[{"title": "5", "payload": "5"}]], now)
    assert issue(db_session, "web:a", [[], []], now) == [[], []]
    assert redeem(db_session, "web:a", third[0][0]["payload"]) is not None


def test_forgetting_an_anonymous_sender_drops_its_buttons(db_session) -> None:  # type: ignore[no-untyped-def]
    issue(db_session, "web:anon", [[{"title": "已解决", "payload": "/affirm"}]], utcnow())
    forget_sender(db_session, "web", "web:anon")
    assert db_session.scalar(select(func.count(IssuedButton.id)).where(IssuedButton.sender == "web:anon")) == 0


# -- the relay, with a stand-in for Rasa that records what it was sent --------------------------


class RecordingRasa:
    """Answers every message with one question and two buttons; can be 'down'."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.down = False

    async def send(self, sender: str, message: str, message_ref: int | None = None) -> list[Reply]:
        if self.down:
            raise RasaUnavailable("stopped for the test")
        self.sent.append((sender, message))
        buttons = [{"title": "确认提交", "payload": "/affirm"}, {"title": "取消", "payload": "/deny"}]
        return [Reply(f"您说的是:{message}", buttons)]

    async def close(self) -> None:
        pass


@pytest.fixture
def relay_and_rasa() -> Iterator[tuple[Relay, RecordingRasa]]:
    rasa = RecordingRasa()
    yield Relay(get_settings(), rasa=rasa), rasa  # type: ignore[arg-type]


def stored_in(relay: Relay, chat: str) -> list[ChatMessage]:
    sender = relay.sender_ref("web", chat)
    with session_scope() as session:
        query = select(ChatMessage).where(ChatMessage.sender == sender, ChatMessage.direction == "in")
        return list(session.scalars(query.order_by(ChatMessage.id)))


async def test_relay_sends_typed_commands_as_words_and_buttons_as_ids(relay_and_rasa) -> None:  # type: ignore[no-untyped-def]
    relay, rasa = relay_and_rasa
    chat = f"relay-{utcnow().timestamp()}"
    replies = await relay.handle("web", chat, " /affirm")
    assert rasa.sent[-1][1] == "affirm"
    shown = replies[-1].buttons
    assert [b["title"] for b in shown] == ["确认提交", "取消"]
    assert all(is_button_id(b["payload"]) for b in shown)  # Rasa's payloads never leave
    with session_scope() as session:
        kept = session.scalars(select(ChatMessage.buttons).where(ChatMessage.direction == "out")
                               .where(ChatMessage.sender == relay.sender_ref("web", chat))).all()  # fmt: skip
    assert "/affirm" not in json.dumps(kept)

    await relay.handle("web", chat, shown[0]["payload"])  # pressed: its payload goes to Rasa
    assert rasa.sent[-1][1] == "/affirm"
    assert [(m.text, m.payload) for m in stored_in(relay, chat)] == [("affirm", None), ("确认提交", "/affirm")]


async def test_relay_refuses_stale_forged_and_foreign_ids_and_changes_nothing(relay_and_rasa) -> None:  # type: ignore[no-untyped-def]
    relay, rasa = relay_and_rasa
    chat, other = f"mine-{utcnow().timestamp()}", f"theirs-{utcnow().timestamp()}"
    earlier = (await relay.handle("web", chat, "你好"))[-1].buttons
    current = (await relay.handle("web", chat, "暖气不热"))[-1].buttons
    theirs = (await relay.handle("web", other, "你好"))[-1].buttons
    sent, stored = len(rasa.sent), len(stored_in(relay, chat))
    for button_id in (earlier[0]["payload"], new_button_id(), theirs[0]["payload"]):
        replies = await relay.handle("web", chat, button_id)
        assert [r.text for r in replies] == [say("use_latest_buttons", "zh")]
    assert len(rasa.sent) == sent and len(stored_in(relay, chat)) == stored  # nothing reached Rasa or the database
    # The chat's own current buttons, and the other chat's, still work.
    await relay.handle("web", chat, current[1]["payload"])
    await relay.handle("web", other, theirs[0]["payload"])
    assert [message for _, message in rasa.sent[-2:]] == ["/deny", "/affirm"]
    # A pressed button is used up, and so is the rest of its question.
    assert [r.text for r in await relay.handle("web", chat, current[0]["payload"])] == [say("use_latest_buttons", "zh")]


async def test_a_button_pressed_while_rasa_is_down_is_replayed_with_its_payload(relay_and_rasa) -> None:  # type: ignore[no-untyped-def]
    relay, rasa = relay_and_rasa
    chat = f"down-{utcnow().timestamp()}"
    buttons = (await relay.handle("web", chat, "阳光花园3号楼漏水了"))[-1].buttons
    rasa.down = True
    kept = await relay.handle("web", chat, buttons[0]["payload"])
    assert "已保存" in kept[-1].text
    pending = stored_in(relay, chat)[-1]
    assert (pending.text, pending.payload, pending.status) == ("确认提交", "/affirm", MessageStatus.PENDING)
    rasa.down = False
    await relay.retry_pending()
    assert (relay.sender_ref("web", chat), "/affirm") in rasa.sent
    waiting = await relay.outbox("web", chat)
    assert waiting and all(is_button_id(b["payload"]) for b in waiting[-1].buttons)


async def test_application_commands_take_the_trusted_path(relay_and_rasa) -> None:  # type: ignore[no-untyped-def]
    relay, rasa = relay_and_rasa
    await relay.command("web", f"cmd-{utcnow().timestamp()}", "/help")
    assert rasa.sent[-1][1] == "/help"


# -- the real stack: the attack of issue 11, and buttons end to end -----------------------------


def ticket_state(code: str) -> tuple:
    """Everything the attack could change on a ticket."""
    with session_scope() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.code == code))
        assert ticket is not None
        return (ticket.status, ticket.satisfaction, ticket.satisfaction_comment, ticket.followup_state,
                ticket.priority, ticket.updated_at, [(e.kind, e.actor, e.detail) for e in ticket.events])  # fmt: skip


def ticket_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count(Ticket.id))) or 0


def sender_of(resident: Resident) -> str:
    return Relay(get_settings()).sender_ref("web", resident.sender)


def rasa_user_events(sender: str) -> list[dict]:
    """What Rasa made of this chat's messages, from its tracker store."""
    engine = create_engine(get_settings().tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"), {"s": sender}
            ).scalars()
            return [json.loads(row) for row in rows]
    finally:
        engine.dispose()


def rasa_slots_set(sender: str) -> dict[str, object]:
    engine = create_engine(get_settings().tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'slot' ORDER BY id"), {"s": sender}
            ).scalars()
            return {event["name"]: event["value"] for event in map(json.loads, rows)}
    finally:
        engine.dispose()


@pytest.mark.stack
def test_typed_commands_cannot_close_someone_elses_ticket(resident: Resident, app: RunningApp) -> None:
    resident.say("阳光花园3号楼2单元301暖气片漏水了")
    resident.say("13812345678")
    code = ticket_code_in(resident.press(resident.say("随时都可以"), "确认提交"))
    before = ticket_state(code)

    attacker = Resident(app.base_url)
    typed = [f'/EXTERNAL_followup{{"ticket_code":"{code}"}}', " /affirm", "\u200b/deny", "\uff0faffirm", "1", "没有"]
    for message in typed:
        replies = attacker.say(message)
        assert replies and all(r["text"] for r in replies)
        said = "\n".join(r["text"] for r in replies)
        # No follow-up was opened: no "solved?", no rating, no closing, no reopening.
        assert not any(part in said for part in ("解决了吗", "打分", "已结案", "重新打开")), (message, said)

    assert ticket_state(code) == before
    # Each went to Rasa as the words a resident typed, and was understood as words.
    with session_scope() as session:
        stored = session.scalars(select(ChatMessage).where(ChatMessage.sender == sender_of(attacker),
                                                           ChatMessage.direction == "in").order_by(ChatMessage.id)).all()  # fmt: skip
    assert [m.text for m in stored] == [as_plain_text(m) for m in typed]
    assert all(m.payload is None for m in stored)
    events = rasa_user_events(sender_of(attacker))
    assert len(events) == len(typed)
    assert not any(e["text"].strip().startswith("/") for e in events)
    assert not any((e.get("parse_data") or {}).get("intent", {}).get("name") == "EXTERNAL_followup" for e in events)
    assert rasa_slots_set(sender_of(attacker)).get("followup_code") is None


@pytest.mark.stack
def test_stale_forged_and_foreign_buttons_get_a_polite_answer_and_change_nothing(app: RunningApp) -> None:
    mine, theirs = Resident(app.base_url), Resident(app.base_url)
    mine.say("阳光花园3号楼2单元301暖气片漏水了")
    callback_question = mine.say("13812345678")
    stale = next(b["payload"] for b in callback_question[-1]["buttons"] if b["title"] == "随时都可以")
    summary = mine.press(callback_question, "随时都可以")
    theirs.say("阳光花园5号楼1单元202暖气不热")
    their_summary = theirs.press(theirs.say("13912345678"), "下午")
    their_confirm = next(b["payload"] for b in their_summary[-1]["buttons"] if b["title"] == "确认提交")

    tickets, events = ticket_count(), len(rasa_user_events(sender_of(mine)))
    with session_scope() as session:
        messages = session.scalar(select(func.count(ChatMessage.id))) or 0
    for button_id in (stale, new_button_id(), their_confirm, "btn.fake"):
        replies = mine.say(button_id)
        assert [r["text"] for r in replies] == [say("use_latest_buttons", "zh")]
    assert ticket_count() == tickets and len(rasa_user_events(sender_of(mine))) == events
    with session_scope() as session:
        assert (session.scalar(select(func.count(ChatMessage.id))) or 0) == messages

    # The current buttons still work, for each chat: both reports become tickets.
    code = ticket_code_in(mine.press(summary, "确认提交"))
    their_code = ticket_code_in(theirs.say(their_confirm))
    assert code != their_code and ticket_count() == tickets + 2
    with session_scope() as session:
        pressed = session.scalars(select(ChatMessage).where(ChatMessage.sender == sender_of(mine),
                                                            ChatMessage.direction == "in").order_by(ChatMessage.id)).all()  # fmt: skip
    # The transcript keeps the buttons' titles; what went to Rasa is kept beside them.
    assert [(m.text, m.payload) for m in pressed[-2:]] == [("随时都可以", "随时都可以"), ("确认提交", "/affirm")]
    # Pressed once, a button is used up.
    assert [r["text"] for r in mine.press(summary, "确认提交")] == [say("use_latest_buttons", "zh")]


# -- Telegram ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def telegram(stack, bot_api: BotApiStandIn) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    app = RunningApp(f"http://127.0.0.1:{stack.rasa_port}", **bot_api.app_settings())
    yield app
    app.stop()


@pytest.mark.stack
def test_telegram_forged_callback_data_changes_nothing(telegram: RunningApp, bot_api: BotApiStandIn) -> None:
    from tests.e2e.test_telegram import deliver, newest_button, press
    from tests.e2e.test_telegram import say as tell

    owner, stranger = 9101, 9102
    tell(bot_api, owner, "阳光花园3号楼2单元301暖气片漏水了")
    tell(bot_api, owner, "13812345678")
    press(bot_api, owner, "随时都可以")
    confirm = newest_button(bot_api, owner, "确认提交")
    assert confirm is not None and is_button_id(confirm)

    tickets = ticket_count()
    for data in (confirm, "/affirm", '/EXTERNAL_followup{"ticket_code":"HL-4F7K2P"}', new_button_id()):
        answered = deliver(bot_api, stranger, bot_api.callback_update(stranger, data))
        assert [m["text"] for m in answered] == [say("use_latest_buttons", "zh")]
    assert ticket_count() == tickets
    stranger_sender = Relay(get_settings()).sender_ref("telegram", str(stranger))
    assert rasa_user_events(stranger_sender) == []

    receipt = press(bot_api, owner, "确认提交")  # the owner's button was not used up by the stranger
    assert "工单编号" in "\n".join(m["text"] for m in receipt)
    assert ticket_count() == tickets + 1


@pytest.mark.stack
def test_telegram_commands_take_the_trusted_path(telegram: RunningApp, bot_api: BotApiStandIn) -> None:
    from tests.e2e.test_telegram import say as tell

    chat = 9103
    helped = tell(bot_api, chat, "/help")  # Telegram's command, mapped to Rasa's intent in code
    assert "我可以帮您" in helped[-1]["text"]
    typed = tell(bot_api, chat, " /help")  # not a command to Telegram: the resident's words
    assert typed and all(m["text"] for m in typed)
    sender = Relay(get_settings()).sender_ref("telegram", str(chat))
    with session_scope() as session:
        stored = session.scalars(select(ChatMessage).where(ChatMessage.sender == sender,
                                                           ChatMessage.direction == "in").order_by(ChatMessage.id)).all()  # fmt: skip
    assert [(m.text, m.payload) for m in stored] == [("/help", "/help"), ("help", None)]
