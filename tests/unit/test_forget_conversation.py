"""R7: an anonymous report's conversation leaves Rasa's SQLite tracker store without a trace,
also where the sender index keeps a copy of its id (bot/core/conversation/privacy.py)."""

from __future__ import annotations

import sqlite3
from hashlib import sha256
from pathlib import Path

from bot.core.conversation.privacy import forget_conversation

# Rasa 3.6's SQLTrackerStore table, as it creates it.
EVENTS = """CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),
    action_name VARCHAR(255), data TEXT, PRIMARY KEY (id))"""
ROWS = 12


def test_a_forgotten_chat_id_is_gone_from_the_file_even_where_the_index_kept_it_as_a_divider(
    tmp_path: Path,
) -> None:
    store = tmp_path / "rasa-trackers.db"
    senders = [f"web:{sha256(str(number).encode()).hexdigest()[:24]}" for number in range(1000)]
    with sqlite3.connect(store) as connection:
        connection.execute(EVENTS)
        connection.execute("CREATE INDEX ix_events_sender_id ON events (sender_id)")
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, data) VALUES (?, 'user', ?)",
            [(sender, "x" * 200) for sender in senders for _ in range(ROWS)],
        )
    connection.close()
    stored = store.read_bytes()
    # Each id is in its rows and their index entries; one more copy is a divider in an inner
    # page of the index, which deleting the rows leaves in place.
    dividers = [sender for sender in senders if stored.count(sender.encode()) > 2 * ROWS]
    assert dividers  # the case this test is about
    for sender in [*dividers, senders[0]]:
        forget_conversation(f"sqlite:///{store}", sender)
    stored = store.read_bytes()
    assert [sender for sender in [*dividers, senders[0]] if sender.encode() in stored] == []
    assert senders[1].encode() in stored  # the other conversations stay
