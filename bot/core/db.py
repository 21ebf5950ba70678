"""Engine and session factory; the session's lifecycle lives with the caller.

The core reads no settings: each process's composition root (bot/runtime.py, bot/cli,
actions/server.py) says which database it uses, from its Settings, by install_database(); code
that opens its own sessions (session_scope) then uses that one. A process that installed none
fails loudly instead of writing to a default database."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout because two processes write to it.

    Statements' parameters (residents' words, phone numbers) never appear in errors or logs:
    hide_parameters keeps them out of every message SQLAlchemy writes (R7).
    """
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            create_private_file(path)
        engine = create_engine(url, connect_args={"timeout": 15}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted or overwritten content is zeroed, not left in the file's free space (R7: a
            # phone typed before "我要匿名" must be gone from the file, not only from the tables).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another kind."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only, unless it exists.

    SQLite would create it by the umask (often world-readable) and gives its -wal and -shm files
    the mode of the database file, so creating it first makes all three 0600. An empty file is an
    empty SQLite database. An existing file is left alone, and never opened: closing any
    descriptor of a database file drops the POSIX locks this process's SQLite connections hold
    on it (see tests/test_anonymity.py, scan_files).
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def flush_wal(engine: Engine) -> bool:
    """Copy SQLite's write-ahead log into the database file and empty it, so that the older page
    versions it still holds (a message before it was redacted) are gone from disk too (R7).

    SQLite's own TRUNCATE checkpoint does it under its locks, safely beside other processes:
    it waits for readers up to the busy timeout and gives up rather than cut the log under one.
    Returns False when it had to give up (the next one will do); True for other databases.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        log.warning("The write-ahead log could not be emptied yet (a reader held it); the next purge will")
    return not busy


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run by Session.execute matched."""
    # Session.execute is typed as returning Result; for UPDATE/DELETE it is a CursorResult, which has rowcount.
    return cast(CursorResult[Any], result).rowcount


class DatabaseNotInstalled(RuntimeError):
    """A session was asked for in a process whose composition root installed no database."""


class Database:
    """One database: its engine, made on first use (a command that never touches the database
    creates no file), and its units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._made: tuple[Engine, sessionmaker[Session]] | None = None
        self._lock = threading.Lock()

    def _make(self) -> tuple[Engine, sessionmaker[Session]]:
        if self._made is None:
            with self._lock:
                if self._made is None:
                    engine = make_engine(self.url)
                    self._made = engine, sessionmaker(engine, expire_on_commit=False)
        return self._made

    @property
    def engine(self) -> Engine:
        return self._make()[0]

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Open a session, commit on success, roll back on error."""
        session = self._make()[1]()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


_installed: Database | None = None


def install_database(url: str) -> Database:
    """Make `url` this process's database. Installing the URL already installed keeps its
    engine (and its connections), so several parts built from the same settings share one."""
    global _installed
    if _installed is None or _installed.url != url:
        _installed = Database(url)
    return _installed


def installed_database() -> Database:
    if _installed is None:
        raise DatabaseNotInstalled(
            "No database installed in this process: its composition root must call install_database() at start-up."
        )
    return _installed


def get_engine() -> Engine:
    """The engine of this process's database."""
    return installed_database().engine


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work on this process's database: commit on success, roll back on error."""
    with installed_database().unit_of_work() as session:
        yield session
