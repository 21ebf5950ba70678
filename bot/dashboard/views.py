"""What the templates see: plain, frozen values read from the database inside the request's unit
of work (guard.py), never the ORM objects themselves, so no page reads a detached or expired row
after its session is gone, and no template can lazily load more."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.models import Alert, Category, FollowupState, Priority, TicketStatus

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    View = TypeVar("View", bound=DataclassInstance)
else:
    View = TypeVar("View")


def plain(view: type[View], row: object) -> View:
    """The view of a row: its attributes of the view's field names, read now."""
    return view(**{field.name: getattr(row, field.name) for field in fields(view)})


def plain_all(view: type[View], rows: Iterable[object]) -> list[View]:
    return [plain(view, row) for row in rows]


@dataclass(frozen=True)
class TicketView:
    """A ticket as the queue's rows and the ticket page show it."""

    code: str
    category: Category
    subcategory: str | None
    priority: Priority
    status: TicketStatus
    description: str
    address_raw: str | None
    estate: str | None
    building: str | None
    unit: str | None
    room: str | None
    phone: str | None
    callback_window: str | None
    anonymous: bool
    channel: str
    language: str
    owner: str | None
    crew: str | None
    created_at: datetime
    next_due_at: datetime | None
    next_due_rule: str | None
    response_due_at: datetime | None
    contact_due_at: datetime | None
    onsite_due_at: datetime | None
    resolve_due_at: datetime | None
    followup_state: FollowupState
    followup_due_at: datetime
    satisfaction: int | None
    satisfaction_comment: str | None


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    kind: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class MessageView:
    direction: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AttachmentView:
    id: int
    kind: str
    storage_path: str | None
    caption: str | None
    size_bytes: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class AlertView:
    id: int
    rule: str
    deadline: str
    kind: str
    due_at: datetime | None
    ticket_code: str

    @classmethod
    def of(cls, alert: Alert) -> AlertView:
        return cls(alert.id, alert.rule, alert.deadline, alert.kind, alert.due_at, alert.ticket.code)


@dataclass(frozen=True)
class AccountView:
    username: str
    role: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class InboxItemView:
    id: int
    text: str
    source: str
    predicted_intent: str | None
    confidence: float | None
    suggested_intent: str | None
    created_at: datetime


@dataclass(frozen=True)
class ActivationView:
    model_path: str
    actor: str
    at: datetime
    seconds: float


@dataclass(frozen=True)
class TrainingRunView:
    actor: str
    started_at: datetime
    state: str
    message: str | None


@dataclass(frozen=True)
class EvaluationRunView:
    actor: str
    candidate_path: str
    started_at: datetime
    state: str
    result: dict[str, Any] | None
    message: str | None


@dataclass(frozen=True)
class OutageView:
    id: int
    estates: list[str]
    buildings: list[str] | None
    start_at: datetime
    end_at: datetime
    reason: str
    planned: bool
    late_reason: str | None
    announced_at: datetime | None
    restored_at: datetime | None


@dataclass(frozen=True)
class SuspicionView:
    id: int
    estate: str
    building: str | None
    reports: int
    first_report_at: datetime
