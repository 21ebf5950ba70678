"""Database tables of the hotline: tickets, their event log, and every chat message."""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and give them back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetime given; the hotline stores aware datetimes only.")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


class Base(DeclarativeBase):
    pass


class Category(str, enum.Enum):
    REPORT_LEAK = "report_leak"
    REPORT_REPAIR = "report_repair"
    BILLING_QUERY = "billing_query"
    COMPLAINT = "complaint"


class Priority(str, enum.Enum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"


class TicketStatus(str, enum.Enum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class FollowupState(str, enum.Enum):
    SCHEDULED = "scheduled"  # waiting for followup_due_at (and for daytime)
    SENDING = "sending"  # claimed by one worker; nobody else may send it
    SENT = "sent"  # asked; waiting for the resident's answer
    REMINDED = "reminded"  # no answer in 24 hours: asked once more
    SOLVED = "solved"
    NOT_SOLVED = "not_solved"
    NO_RESPONSE = "no_response"
    SKIPPED = "skipped"  # anonymous without opt-in: nobody to write to


class MessageStatus(str, enum.Enum):
    RECEIVED = "received"  # stored, not yet answered
    PROCESSED = "processed"  # the conversation engine answered it
    PENDING = "pending"  # the engine was unreachable; retried until it answers
    REJECTED = "rejected"  # unusable input (empty, too long); answered by the channel layer


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[Category] = mapped_column(_enum(Category), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[Priority] = mapped_column(_enum(Priority))
    status: Mapped[TicketStatus] = mapped_column(_enum(TicketStatus), index=True)
    description: Mapped[str] = mapped_column(Text)
    address_raw: Mapped[str | None] = mapped_column(Text)
    estate: Mapped[str | None] = mapped_column(String(100), index=True)
    building: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(32))
    callback_window: Mapped[str | None] = mapped_column(String(100))
    anonymous: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(String(20))
    sender_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    onsite_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    followup_state: Mapped[FollowupState] = mapped_column(
        _enum(FollowupState), default=FollowupState.SCHEDULED, index=True
    )
    followup_claim: Mapped[str | None] = mapped_column(String(64))
    followup_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followup_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Anonymous tickets only, when the resident asked for a follow-up: the encrypted chat handle.
    followup_handle: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column()
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    # When the dispatchers' Telegram group was told about this ticket.
    group_posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The id of the message that confirmed the report: a retried action finds its ticket again.
    intake_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Dispatchers' work (R13: one owner from first contact to closure).
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    crew: Mapped[str | None] = mapped_column(String(100))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # When each SLA milestone was first reached: the deadlines are judged against these.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    onsite_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The nearest deadline not yet met, kept up to date on every change: the queue sorts by it.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    next_due_rule: Mapped[str | None] = mapped_column(String(8))
    # A no-heat report explained by a declared outage (R10): no clock of its own, no dispatch.
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"), index=True)

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )


class TicketEvent(Base):
    """One change of a ticket: who did what, when (the audit trail of R6/R13)."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Alert(Base):
    """Something dispatchers must see: a deadline about to pass or passed, a reopened ticket."""

    __tablename__ = "alerts"
    # One alert of a kind per deadline: several workers checking at once still raise it once.
    __table_args__ = (UniqueConstraint("ticket_id", "deadline", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    rule: Mapped[str] = mapped_column(String(16))  # R1, R2, R4, R5, R3 (follow-up)
    deadline: Mapped[str] = mapped_column(String(32))  # the ticket field, or "followup"
    kind: Mapped[str] = mapped_column(String(16))  # "warning", "breach", "not_solved"
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # to the dispatchers' group
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ticket: Mapped[Ticket] = relationship()


class ChatMessage(Base):
    """A message to or from a resident, stored before it is processed so none is lost."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_sender_id", "channel", "sender", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    status: Mapped[MessageStatus | None] = mapped_column(_enum(MessageStatus), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    # What Rasa gets instead of the text: the payload of a pressed button (the text keeps its
    # title, for a readable transcript) or an application command. Never a resident's words.
    payload: Mapped[str | None] = mapped_column(Text)
    # An outgoing message's channel hints (Reply.custom, e.g. {"request": "phone"}), kept for a
    # message that is pushed later (Telegram then still offers its share-contact button).
    hints: Mapped[dict[str, str] | None] = mapped_column(JSON)


class IssuedButton(Base):
    """A button shown to one chat: the opaque id it carries and the payload it stands for.

    Only each chat's newest set of buttons (one question) is kept: issuing a new set deletes
    the earlier one, and pressing a button deletes its set (the question is answered). An id
    not found here, for this chat, is stale, forged or someone else's.
    """

    __tablename__ = "issued_buttons"

    id: Mapped[int] = mapped_column(primary_key=True)
    button_id: Mapped[str] = mapped_column(String(32), unique=True)
    sender: Mapped[str] = mapped_column(String(128), index=True)  # the chat's pseudonym
    question: Mapped[str] = mapped_column(String(32))  # the set: buttons answered together
    title: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelUpdate(Base):
    """A raw update from a messaging network, stored before it is acknowledged (nothing lost)."""

    __tablename__ = "channel_updates"
    # The network's own id: a duplicate delivery hits this key and is ignored.
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    update_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ChatLink(Base):
    """How to write to a chat the bot did not just hear from (follow-ups, late answers).

    The network's chat id is kept sealed; R7's forgetting deletes the row.
    """

    __tablename__ = "chat_links"

    sender: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    sealed_address: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attachment(Base):
    """A photo or a shared location a resident sent while reporting.

    It arrives before the ticket exists, so it is kept by the sender's pseudonym and linked to
    the ticket the conversation then creates; the pseudonym is dropped once linked.
    """

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_unlinked", "channel", "sender", "ticket_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # "photo" or "location"
    # Photos: where the file lies under the attachments directory, and what it is.
    storage_path: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column()
    caption: Mapped[str | None] = mapped_column(Text)
    # Locations.
    latitude: Mapped[float | None] = mapped_column()
    longitude: Mapped[float | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffUser(Base):
    """A dispatcher or an admin of the dashboard."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # Argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(16))  # "dispatcher" or "admin"
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[StaffUser] = relationship()


class LoginFailure(Base):
    """A failed sign-in, kept a short while to slow down password guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class NluInboxItem(Base):
    """A resident's message worth teaching the bot: it was unsure, or a dispatcher refiled the ticket.

    Only the redacted text is kept, and nothing that names the sender.
    """

    __tablename__ = "nlu_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # The same words reported twice make one item (sha256 of the normalised redacted text).
    text_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(24))  # low_confidence, fallback, category_corrected
    predicted_intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column()
    suggested_intent: Mapped[str | None] = mapped_column(String(64))  # a dispatcher's correction
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, annotated, dismissed
    annotated_intent: Mapped[str | None] = mapped_column(String(64))
    annotated_by: Mapped[str | None] = mapped_column(String(64))
    annotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ModelActivation(Base):
    """A model Rasa was told to serve: which, by whom, when, and what it replaced (for roll-back)."""

    __tablename__ = "model_activations"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_path: Mapped[str] = mapped_column(Text)
    previous_path: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    seconds: Mapped[float] = mapped_column()  # how long Rasa took to load it


class TrainingRun(Base):
    """A candidate model trained in the background from the dashboard; the live one is untouched."""

    __tablename__ = "training_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), index=True)  # running, succeeded, failed
    model_path: Mapped[str] = mapped_column(Text)  # where the model appears when it succeeds
    log_path: Mapped[str] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)  # why it failed, or how long it took


class EvaluationRun(Base):
    """A candidate model scored against the live one on the held-out set, from the dashboard."""

    __tablename__ = "evaluation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    candidate_path: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), index=True)  # running, succeeded, failed
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # live and candidate scores, changes
    message: Mapped[str | None] = mapped_column(Text)


class Outage(Base):
    """A stop of heating over an area: a fault, or planned works (R10).

    The area is a list of estates (canonical names, bot/core/outages/estates.py) and, optionally, buildings;
    it is active from start_at until restored_at (or end_at, when nobody restored it).
    """

    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    estates: Mapped[list[str]] = mapped_column(JSON)
    buildings: Mapped[list[str] | None] = mapped_column(JSON)  # None: every building
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reason: Mapped[str] = mapped_column(Text)
    planned: Mapped[bool] = mapped_column(default=False)
    # Why a planned stop of more than 24 h is announced less than two days ahead (R10 broken).
    late_reason: Mapped[str | None] = mapped_column(Text)
    notice_zh: Mapped[str] = mapped_column(Text)
    notice_en: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # residents were told
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class OutageMessage(Base):
    """One message about an outage pushed to one chat: each kind reaches a resident once."""

    __tablename__ = "outage_messages"
    __table_args__ = (UniqueConstraint("outage_id", "sender", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(48))  # announce, restored, end_moved:<iso>
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutageSuspicion(Base):
    """Several no-heat reports from one place in a short time: maybe an outage nobody declared.

    open_key is the place while the suspicion is open and None once declared or dismissed: a
    unique key on it lets several workers raise one suspicion per place.
    """

    __tablename__ = "outage_suspicions"

    id: Mapped[int] = mapped_column(primary_key=True)
    estate: Mapped[str] = mapped_column(String(100))
    building: Mapped[str | None] = mapped_column(String(20))
    open_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    reports: Mapped[int] = mapped_column()
    first_report_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # to the dispatchers' group
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Claim(Base):
    """A lease one application process holds on a piece of work (a chat's outbox, Telegram
    polling, a dispatchers' notice), so that several processes on one database never do it twice.

    A holder that dies leaves its lease to expire; another process then takes it over.
    """

    __tablename__ = "claims"

    name: Mapped[str] = mapped_column(String(160), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class UnfinishedReport(Base):
    """A leak report that already names its place, kept while the resident answers the other
    questions: if they stop answering, it is filed anyway (R1: a crew was promised), and what
    they answer later completes that ticket (bot/core/tickets/unfinished.py)."""

    __tablename__ = "unfinished_reports"

    sender: Mapped[str] = mapped_column(String(128), primary_key=True)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)  # the TicketDraft as collected so far
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))  # once filed
    # An anonymous report once filed: no words and no ticket kept (R7), only that it was filed, so
    # a confirmation that still comes files nothing twice.
    filed_anonymously: Mapped[bool] = mapped_column(default=False, server_default=false())
