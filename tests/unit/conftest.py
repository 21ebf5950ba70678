"""Unit tests: no Rasa, no action server. The application runs in the test process in front of a
fake engine (tests/fake_engine.py), so a dashboard or web-chat test answers in seconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_engine import FakeEngine
from tests.harness import RunningApp


@pytest.fixture(scope="session")
def fake_engine() -> Iterator[FakeEngine]:
    engine = FakeEngine()
    yield engine
    engine.stop()


@pytest.fixture(scope="session")
def app(fake_engine: FakeEngine) -> Iterator[RunningApp]:
    """The application, as the e2e `app` fixture, but in front of the fake engine."""
    running = RunningApp(fake_engine.url)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def stack() -> None:
    raise AssertionError("A unit test asked for the Rasa stack: it belongs in tests/e2e.")
