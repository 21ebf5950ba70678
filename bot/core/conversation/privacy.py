"""忘记是谁写的:匿名反映(R7)要求的一切。
Forgetting who wrote: what R7 asks for anonymous reports."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, delete, event, func, inspect, select, text
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import NullPool

from bot.core.conversation.buttons import withdraw
from bot.core.conversation.inbox import drop_open_items_from
from bot.core.db import flush_wal, sqlite_file
from bot.core.models import Attachment, ChatLink, ChatMessage, Ticket
from bot.core.text.redaction import NAME, a_name_alone, redact_identifiers

log = logging.getLogger(__name__)

# An anonymous report's messages are filed under a pseudonym of their own: this prefix and a
# random part nothing else knows, so they are linked neither to the chat nor to each other.
ANONYMOUS_PREFIX = "anonymous:"


def new_anonymous_pseudonym() -> str:
    return ANONYMOUS_PREFIX + secrets.token_hex(12)


def is_anonymous_pseudonym(sender: str) -> bool:
    return sender.startswith(ANONYMOUS_PREFIX)


def forget_sender(session: Session, channel: str, sender: str, *, from_id: int | None = None) -> str:
    """Make a report anonymous after the fact (R7); return the pseudonym its messages now carry.

    The way back to the chat and its open buttons are dropped. The report's messages (the chat's
    rows from `from_id` on; by default those since its last named ticket, see report_start) leave
    the chat's history for a pseudonym of their own, with whatever identifies the resident in
    their words redacted, and the NLU inbox lets go of them. Earlier messages belong to the
    chat's named tickets and stay theirs; later ones keep the chat's pseudonym: neither shows up
    in the other's transcript. Once the session commits, SQLite's write-ahead log is emptied so
    the words as first written are gone from the files too.
    """
    if from_id is None:
        from_id = report_start(session, channel, sender)
    anonymous = new_anonymous_pseudonym()
    session.execute(delete(ChatLink).where(ChatLink.sender == sender).execution_options(synchronize_session=False))
    withdraw(session, sender)  # the buttons it was last given are tied to the pseudonym too
    rows = select(ChatMessage).where(ChatMessage.channel == channel, ChatMessage.sender == sender)
    if from_id is not None:
        rows = rows.where(ChatMessage.id >= from_id)
    messages = session.scalars(rows.order_by(ChatMessage.id)).all()
    # What the admins' NLU inbox took from these words (found by the words, so before redacting).
    drop_open_items_from(session, [m.text for m in messages if m.direction == "in"])
    for message in messages:
        message.sender = anonymous
        # A bare name ("吴小红" where the estate was asked) is who they are, with no cue to find it by.
        message.text = NAME if a_name_alone(message.text) else redact_identifiers(message.text)
        if message.buttons:  # a button's title may repeat what was typed
            message.buttons = [{**b, "title": redact_identifiers(b.get("title", ""))} for b in message.buttons]
    # Photos and locations too, also those the ticket did not take (older, or sent later).
    for attachment in session.scalars(
        select(Attachment).where(Attachment.channel == channel, Attachment.sender == sender)
    ).all():
        attachment.sender = None
        if attachment.caption:
            attachment.caption = redact_identifiers(attachment.caption)
    session.flush()
    _flush_wal_after_commit(session)
    return anonymous


def report_start(session: Session, channel: str, sender: str) -> int | None:
    """The id of the chat's first message of the report it is making now: its first message
    after its last named ticket was filed. None: the chat has no named ticket, all of it is
    this report."""
    last_named = session.scalar(
        select(func.max(Ticket.created_at)).where(Ticket.sender_ref == sender, Ticket.anonymous.is_(False))
    )
    if last_named is None:
        return None
    first = session.scalar(
        select(func.min(ChatMessage.id)).where(
            ChatMessage.channel == channel,
            ChatMessage.sender == sender,
            ChatMessage.direction == "in",
            ChatMessage.created_at > last_named,
        )
    )
    if first is not None:
        return int(first)
    # Nothing written since: an id above every message, so no named ticket's message is taken.
    return int(session.scalar(select(func.max(ChatMessage.id))) or 0) + 1


def _flush_wal_after_commit(session: Session) -> None:
    """Empty the write-ahead log once the redaction is committed (before, it holds both versions).

    It runs when the session's transaction has ended, not at its commit: only then is the
    session's connection back in the pool, and reset. A savepoint leaves pysqlite's connection
    holding a read until then, and the purge would wait its whole busy timeout for it (15 s).
    """
    engine = session.get_bind()
    state = {"committed": False, "flushed": False}

    def committed(_session: Session) -> None:
        state["committed"] = True

    def flush(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is not None or not state["committed"] or state["flushed"]:
            return  # a savepoint's end, a rollback, or already done
        state["flushed"] = True
        try:
            flush_wal(engine)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001  (the report is filed; a busy log is emptied by the next purge)
            log.exception("Could not empty the write-ahead log after an anonymous report")

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_transaction_end", flush)


def forget_conversation(tracker_url: str, sender: str) -> None:
    """Delete a conversation from Rasa's tracker store (R7, for an anonymous report): a SQL
    database (the default) or Redis (endpoints-redis.yml, several Rasa servers).

    Rasa's HTTP API cannot do it: replacing a conversation's events only ever appends, in a SQL
    store and in Redis alike (Redis merges with what it holds). Rasa reads the store afresh
    every turn, so the next message starts a new conversation.
    """
    if tracker_url.startswith(("redis://", "rediss://")):
        _forget_in_redis(tracker_url, sender)
    elif (path := sqlite_file(tracker_url)) is not None:
        _forget_in_sqlite(path, sender)
    else:
        _forget_in_sql(tracker_url, sender)


def _forget_in_sqlite(path: Path, sender: str) -> None:
    """Rasa's SQLite store, with a plain connection: the file belongs to Rasa's process, so its
    journal mode is left as Rasa set it (the hotline's own engine would switch it to WAL).

    secure_delete on this connection zeroes what the DELETE frees, which Rasa's connections
    would leave readable in the file's free pages; a store someone runs in WAL mode gets its
    log emptied as well (a no-op in Rasa's default rollback mode). Rewriting the file costs a
    moment per anonymous report, in a background thread (a store too large for that belongs on
    PostgreSQL or Redis, as in production)."""
    if not path.exists():
        return  # Rasa has not stored a conversation yet
    connection = sqlite3.connect(path, timeout=15, isolation_level=None)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        has_events = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone()
        if has_events:
            connection.execute("DELETE FROM events WHERE sender_id = ?", (sender,))
            # Not enough: the index's inner pages keep some ids as dividers after their rows are
            # gone, and Rasa's own connections leave copies of moved rows in the pages' free
            # space. Rewriting the file leaves neither.
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _forget_in_sql(url: str, sender: str) -> None:
    """Rasa's store on a database server (PostgreSQL in production)."""
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.begin() as connection:
            if inspect(connection).has_table("events"):
                connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})
    finally:
        engine.dispose()


# Rasa's RedisTrackerStore keeps a conversation under this prefix and the sender id
# (endpoints-redis.yml sets no key_prefix of its own).
REDIS_TRACKER_PREFIX = "tracker:"


def _forget_in_redis(url: str, sender: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.delete(REDIS_TRACKER_PREFIX + sender)
    finally:
        client.close()
