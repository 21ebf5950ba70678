"""Leases: the right of one application process to do one piece of work for a while.

Taking a lease is one INSERT (the primary key lets only one process succeed) or, when a lease
of that name exists but has expired (its holder died), one conditional UPDATE. Both are atomic
on SQLite and PostgreSQL alike, so no row is ever worked on by two processes at once.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.db import rows_changed
from bot.core.models import Claim


def process_name() -> str:
    """This process's name as a holder: unique even for two processes with one pid in two containers."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take(session: Session, name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take (or renew) the lease `name` until now + lease; False while another holder has it."""
    renewed = rows_changed(
        session.execute(
            update(Claim)
            .where(Claim.name == name, (Claim.holder == holder) | (Claim.expires_at <= now))
            .values(holder=holder, expires_at=now + lease)
            .execution_options(synchronize_session=False)
        )
    )
    if renewed:
        return True
    try:
        with session.begin_nested():
            session.add(Claim(name=name, holder=holder, expires_at=now + lease))
        return True
    except IntegrityError:  # another process holds it (or took it this instant)
        return False


def give_back(session: Session, name: str, holder: str) -> None:
    """End the lease if this holder still has it."""
    session.execute(
        delete(Claim).where(Claim.name == name, Claim.holder == holder).execution_options(synchronize_session=False)
    )
