"""Shared fixtures: databases (SQLite and PostgreSQL) and the real running stack."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

# The whole test process, and the action server it starts, share one fresh SQLite database.
_TEST_DIR = Path(tempfile.mkdtemp(prefix="hotline-tests-"))
os.environ["HOTLINE_DATABASE_URL"] = f"sqlite:///{_TEST_DIR / 'hotline.db'}"
os.environ["HOTLINE_DATA_DIR"] = str(_TEST_DIR)
os.environ["HOTLINE_RASA_TIMEOUT_SECONDS"] = "5"
# Annotations from the NLU inbox go to a copy of the training data, never to the repository's.
_NLU_DATA = _TEST_DIR / "nlu-data"
shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "nlu", _NLU_DATA)
os.environ["HOTLINE_NLU_DATA_DIR"] = str(_NLU_DATA)
# The same for what admins change besides examples: the domain, the rules, the custom answers.
for _name, _source in (("DOMAIN", "domain.yml"), ("RULES", "data/rules.yml"), ("ANSWERS", "answers.yml")):
    _copy = _TEST_DIR / Path(_source).name
    shutil.copy(Path(__file__).resolve().parent.parent / _source, _copy)
    os.environ[f"HOTLINE_{_name}_FILE"] = str(_copy)

from bot.config import get_settings  # noqa: E402
from bot.core.db import make_engine  # noqa: E402
from bot.core.process_setup import set_up_process  # noqa: E402
from bot.engine.processes import MODEL_FILE, Stack  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from tests.harness import AppProcess, RunningApp, free_port, issued_chat_id  # noqa: E402,F401
from tests.telegram_standin import BotApiStandIn  # noqa: E402

# The test process is a process like any other: its database and Branding come from its settings.
set_up_process(get_settings())


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist (`make test-fast`), each worker gets a database of its own, created on
    first use (test_gw0, test_gw1, ...): the PostgreSQL tests drop and recreate every table."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    own = make_url(url).set(database=f"{make_url(url).database}_{worker}")
    server = create_engine(own.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}) is None:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


POSTGRES_URL = _database_of_this_worker(
    os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
CODE = re.compile(r"HL-[0-9A-Z]{6}")


@pytest.fixture(scope="session", autouse=True)
def migrated_default_db() -> None:
    upgrade()


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    """A session on a freshly migrated database: a SQLite file, then the PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'core.db'}"
    else:
        url = POSTGRES_URL
        _reset_postgres(url)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The real Rasa server with the trained model and the real action server."""

    if not MODEL_FILE.exists():
        pytest.fail("No trained model: run `make test` (it trains) or `.venv/bin/hotline nlu train`.")
    running = Stack(rasa_port=free_port(), action_port=free_port(), log_dir=_TEST_DIR / "logs")
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def postgres_app(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:  # type: ignore[no-untyped-def]
    """The application, an action server and a Rasa server of their own, keeping the hotline's
    data on PostgreSQL (Rasa's conversations in a SQLite file of their own)."""
    folder: Path = tmp_path_factory.mktemp("postgres-stack")
    _reset_postgres(POSTGRES_URL)
    upgrade(POSTGRES_URL)
    trackers = f"sqlite:///{folder / 'rasa-trackers.db'}"
    own = Stack(rasa_port=free_port(), action_port=free_port(), log_dir=folder / "logs",
                env={"HOTLINE_DATABASE_URL": POSTGRES_URL, "HOTLINE_RASA_TRACKER_URL": trackers})  # fmt: skip
    try:
        own.start()
        app = AppProcess(own.rasa_url, folder / "app.log", database_url=POSTGRES_URL, rasa_tracker_url=trackers)
        try:
            yield app
        finally:
            app.stop()
    finally:
        own.stop()


@pytest.fixture
def postgres() -> Iterator[Session]:
    """A session on a freshly migrated PostgreSQL database, for tests that need several processes on it."""
    _reset_postgres(POSTGRES_URL)
    upgrade(POSTGRES_URL)
    engine = make_engine(POSTGRES_URL)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def own_bot_api() -> Iterator[BotApiStandIn]:
    """A Telegram stand-in for one test alone (only its processes talk to it)."""
    standin = BotApiStandIn()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def bot_api() -> Iterator[BotApiStandIn]:
    """A local stand-in for Telegram's Bot API, shared by one module's tests (a test that needs
    its own takes `own_bot_api`, as tests/e2e/test_telegram_process.py does)."""
    standin = BotApiStandIn()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def app(stack) -> Iterator[RunningApp]:  # type: ignore[no-untyped-def]
    running = RunningApp(f"http://127.0.0.1:{stack.rasa_port}")
    yield running
    running.stop()


class Resident:
    """A resident chatting through the web chat's HTTP API."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.sender = issued_chat_id(self.client)
        self.transcript: list[str] = []
        self.receipt = ""

    def say(self, message: str) -> list[dict]:
        response = self.client.post("/api/chat", json={"sender": self.sender, "message": message})
        assert response.status_code == 200, response.text
        replies = response.json()
        self.transcript += [f"> {message}"] + [f"< {r['text']}" for r in replies]
        return replies

    def say_text(self, message: str) -> str:
        return "\n".join(reply["text"] for reply in self.say(message))

    def press(self, replies: list[dict], title_part: str) -> list[dict]:
        """Press the button whose title contains `title_part` in the last replies."""
        for reply in reversed(replies):
            for button in reply.get("buttons") or []:
                if title_part in button["title"]:
                    return self.say(button["payload"])
        raise AssertionError(f"No button {title_part!r} in {replies}")


@pytest.fixture
def resident(app: RunningApp) -> Resident:
    return Resident(app.base_url)


def ticket_code_in(replies: list[dict]) -> str:
    for reply in replies:
        if match := CODE.search(reply["text"]):
            return match.group(0)
    raise AssertionError(f"No ticket code in {replies}")


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    return get_settings()


# The files that take longest, first. `make test` runs the tests on several workers
# (pytest-xdist, `--dist loadfile`: a file's tests stay in one worker with its module fixtures),
# which are handed files in the order collected (`--no-loadscope-reorder`: by default xdist
# hands out the files with the most tests first, and the one-test teaching loop came last):
# a long file handed out last keeps one worker busy alone at the end while the others idle.
# Measured serially, slowest first.
SLOWEST_FIRST = (
    "test_nlu_loop_browser.py",  # trains a model from the dashboard
    "test_supervision.py",
    "test_rasa_servers.py",
    "test_run_command.py",
    "test_anonymity.py",
    "test_nlu_training.py",
    "test_outages_e2e.py",
    "test_followups_two_workers.py",
    "test_rasa_patches.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, SLOWEST_FIRST's files first, in that order; the rest keep theirs (the
    sort is stable). One at a time, the files keep their usual order."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
